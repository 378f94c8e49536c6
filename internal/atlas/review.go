package atlas

import (
	"context"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/store"
)

// An entry nobody confirms goes stale. After a year it is marked for review
// (moderators see it in their queue), after two it is archived: kept, and
// reachable at its address, but off the map and out of the directory. The
// editors are mailed a month before each step, and confirming (or any
// published edit) resets the clock.
const (
	ReviewAfter  = 365 * 24 * time.Hour
	ArchiveAfter = 2 * ReviewAfter
	// Notice is how long before each step the editors are told.
	Notice = 30 * 24 * time.Hour
)

// Review stages, as stored in initiatives.review_stage.
const (
	stageCurrent       = 0
	stageReviewNotice  = 1 // editors told that review is near
	StageInReview      = 2 // marked for review
	stageArchiveNotice = 3 // editors told that archiving is near
)

// StaleReport says what one round of the review job did.
type StaleReport struct {
	Notified, MarkedForReview, Archived int
}

// staleBatch is how many entries one round handles per step, so that a
// large import's first anniversary does not make one huge transaction.
const staleBatch = 200

// ReviewStale moves entries along the review clock. Each step needs the one
// before it, and a step after a mail waits until the mail is Notice old, so
// nobody is marked or archived without a month's warning (when there was
// anyone to warn), even an entry imported with an old confirmation date.
// One run moves an entry one step at most. Run it regularly (samen serve
// does, every hour); several processes running it at once do no harm,
// because each step is a conditional update.
func (s *Service) ReviewStale(ctx context.Context) (StaleReport, error) {
	var rep StaleReport
	now := s.Now.Time()
	ctx = audit.WithActor(ctx, audit.Actor{Label: audit.LabelSystem})
	// Latest step first, so that an entry moved by one step is not moved
	// again in the same run.
	steps := []struct {
		from, to int
		before   time.Duration // confirmed before now minus this
		notify   bool
		count    *int
	}{
		{stageArchiveNotice, 4, ArchiveAfter, false, &rep.Archived},
		{StageInReview, stageArchiveNotice, ArchiveAfter - Notice, true, &rep.Notified},
		{stageReviewNotice, StageInReview, ReviewAfter, false, &rep.MarkedForReview},
		{stageCurrent, stageReviewNotice, ReviewAfter - Notice, true, &rep.Notified},
	}
	for _, st := range steps {
		// After a warning, wait out the notice however old the entry is.
		noticed := now
		if !st.notify {
			noticed = now.Add(-Notice)
		}
		ids, err := s.staleIDs(ctx, st.from, now.Add(-st.before), noticed)
		if err != nil {
			return rep, err
		}
		for _, id := range ids {
			done, err := s.stepStale(ctx, id, st.from, st.to, st.notify, now)
			if err != nil {
				return rep, err
			}
			if done {
				*st.count++
			}
		}
	}
	if rep.Notified > 0 {
		s.mailed()
	}
	return rep, nil
}

func (s *Service) staleIDs(ctx context.Context, stage int, confirmedBefore, stagedBy time.Time) ([]int64, error) {
	return store.IDs(ctx, s.DB, `SELECT id FROM initiatives WHERE status = 'published' AND review_stage = ? AND confirmed_at < ?
		AND review_stage_at <= ? ORDER BY confirmed_at LIMIT ?`, stage, confirmedBefore.UnixMilli(), stagedBy.UnixMilli(), staleBatch)
}

// stepStale moves one entry from stage from to stage to (4: archived).
func (s *Service) stepStale(ctx context.Context, id int64, from, to int, notify bool, now time.Time) (bool, error) {
	done := false
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		in, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Status != Published || in.ReviewStage != from {
			return nil // another process got there first, or an editor confirmed
		}
		ms := now.UnixMilli()
		if to == 4 {
			if err := s.write(ctx, tx, id, Archived, in.Record, in.RevisionID, ms); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE initiatives SET archived_at = ?, review_stage = 0 WHERE id = ?`, ms, id); err != nil {
				return err
			}
			done = true
			return recordAudit(ctx, tx, "initiative.archive", id, map[string]any{"why": "not confirmed for two years"})
		}
		if _, err := tx.Exec(ctx, `UPDATE initiatives SET review_stage = ?, review_stage_at = ? WHERE id = ? AND review_stage = ?`, to, ms, id, from); err != nil {
			return err
		}
		done = true
		if !notify || s.Letters == nil {
			return recordAudit(ctx, tx, "initiative.review", id, map[string]any{"stage": to})
		}
		when := in.ConfirmedAt.Add(ReviewAfter)
		if to == stageArchiveNotice {
			when = in.ConfirmedAt.Add(ArchiveAfter)
		}
		for _, e := range in.Editors {
			u, err := account.ByID(ctx, tx, e)
			if err != nil {
				return err
			}
			if u.Disabled() {
				continue
			}
			if err := mail.Enqueue(ctx, tx, s.Letters.ReviewSoon(in, u, to, when)); err != nil {
				return err
			}
		}
		return recordAudit(ctx, tx, "initiative.review", id, map[string]any{"stage": to, "editors_mailed": len(in.Editors)})
	})
	if err == nil && to == 4 {
		s.refreshMap(ctx, id)
	}
	return done, err
}
