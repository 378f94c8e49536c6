package decide

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
)

// Vote casts u's ballot on decision id. An open ballot may be cast again
// while voting runs: the new version counts, earlier ones are kept. A
// secret ballot is stored apart from the record that u voted and cannot
// be changed. livesThere is u's declaration that they live in the
// decision's district, for a city-wide vote limited to one.
//
// One voter, one ballot holds under any load: the first write of a vote
// is an insert into decision_voters, whose primary key lets exactly one
// of two racing requests through on either engine.
func (s *Service) Vote(ctx context.Context, u *account.User, id int64, b Ballot, livesThere bool) error {
	if u == nil {
		return errSignIn
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		d, w, r, err := s.as(ctx, tx, u, id)
		if err != nil {
			return err
		}
		now := s.Now.Time()
		switch {
		case d.State != Voting || !now.Before(d.ClosesAt):
			return problem.New(problem.Conflict, "decide.not_voting")
		case d.CityWide() && !w.Verified:
			return problem.New(problem.Forbidden, "decide.verify_first")
		case !r.Vote:
			return problem.New(problem.Forbidden, "decide.not_eligible")
		case d.District != "" && !livesThere:
			return (problem.Fields{"lives_there": "decide.district_declaration"}).Err()
		}
		clean, err := d.CheckBallot(b)
		if err != nil {
			return err
		}
		choice, err := json.Marshal(clean)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `INSERT INTO decision_voters (decision_id, user_id, voted_at, versions) VALUES (?, ?, ?, 1)
			ON CONFLICT (decision_id, user_id) DO NOTHING`, id, u.ID, store.Millis(now))
		if err != nil {
			return err
		}
		first, _ := res.RowsAffected()
		version := 1
		switch {
		case first == 0 && d.Secrecy.Secret():
			return problem.New(problem.Conflict, "decide.already_voted")
		case first == 0:
			// A change of an open ballot: the update takes the voter's row
			// first, so two changes at once are counted one after the other.
			if err := tx.QueryRow(ctx, `UPDATE decision_voters SET versions = versions + 1, voted_at = ?
				WHERE decision_id = ? AND user_id = ? RETURNING versions`, store.Millis(now), id, u.ID).Scan(&version); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE decision_ballots SET superseded_at = ?
				WHERE decision_id = ? AND user_id = ? AND superseded_at IS NULL`, store.Millis(now), id, u.ID); err != nil {
				return err
			}
		}
		if d.Secrecy.Secret() {
			_, err = tx.Exec(ctx, `INSERT INTO decision_ballots (id, decision_id, choice) VALUES (?, ?, ?)`, randomID(), id, string(choice))
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO decision_ballots (id, decision_id, user_id, version, choice, cast_at)
				VALUES (?, ?, ?, ?, ?, ?)`, randomID(), id, u.ID, version, string(choice), store.Millis(now))
		}
		if err != nil {
			return err
		}
		// The record says that u voted (and which version), never how.
		return audit.RecordID(ctx, tx, "decision.vote", "decision", id, map[string]any{"version": version})
	})
}

// Advance moves every decision whose time has come: discussions whose
// opening time passed start voting, votes whose closing time passed are
// counted and closed, and people who have not voted hear that voting
// closes soon (once per decision). Every step claims its rows with a
// conditional update, so that several processes running Advance at once
// do each thing once.
func (s *Service) Advance(ctx context.Context) (Progress, error) {
	var p Progress
	now := s.Now.Millis()
	due := func(query string, args ...any) ([]int64, error) {
		rows, err := s.DB.Query(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	opening, err := due(`SELECT id FROM decisions WHERE state = 'discussion' AND opens_at IS NOT NULL AND opens_at <= ? ORDER BY id`, now)
	if err != nil {
		return p, err
	}
	for _, id := range opening {
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			d, err := load(ctx, tx, id)
			if err != nil {
				return err
			}
			opened, err := s.open(ctx, tx, d)
			if err != nil || !opened {
				return err
			}
			p.Opened++
			return audit.RecordID(ctx, tx, "decision.open", "decision", id, map[string]any{"by": "schedule"})
		})
		if err != nil {
			return p, err
		}
	}
	closing, err := due(`SELECT id FROM decisions WHERE state = 'voting' AND closes_at <= ? ORDER BY id`, now)
	if err != nil {
		return p, err
	}
	for _, id := range closing {
		if err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			closed, err := s.close(ctx, tx, id)
			if closed {
				p.Closed++
			}
			return err
		}); err != nil {
			return p, err
		}
	}
	reminding, err := due(`SELECT id FROM decisions WHERE state = 'voting' AND workspace_id IS NOT NULL
		AND closes_at > ? AND closes_at <= ? ORDER BY id`, now, now+ReminderBefore.Milliseconds())
	if err != nil {
		return p, err
	}
	for _, id := range reminding {
		n, err := s.remind(ctx, id)
		if err != nil {
			return p, err
		}
		p.Reminded += n
	}
	if p.Reminded > 0 {
		s.sent()
	}
	return p, nil
}

// Progress is what one Advance did.
type Progress struct{ Opened, Closed, Reminded int }

// close counts decision id and closes it, unless it is already closed.
func (s *Service) close(ctx context.Context, tx *store.Tx, id int64) (bool, error) {
	now := s.Now.Millis()
	res, err := tx.Exec(ctx, `UPDATE decisions SET state = 'closed', closed_at = ?, updated_at = ? WHERE id = ? AND state = 'voting'`,
		now, now, id)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	d, err := load(ctx, tx, id)
	if err != nil {
		return false, err
	}
	ballots, err := currentBallots(ctx, tx, id)
	if err != nil {
		return false, err
	}
	result, err := json.Marshal(Count(d, ballots))
	if err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE decisions SET result = ? WHERE id = ?`, string(result), id); err != nil {
		return false, err
	}
	return true, audit.RecordID(ctx, tx, "decision.close", "decision", id, map[string]any{"ballots": len(ballots)})
}

// currentBallots are the ballots that count, in the order of their random
// ids (which says nothing about who cast them or when).
func currentBallots(ctx context.Context, q store.Querier, id int64) ([]Ballot, error) {
	rows, err := q.Query(ctx, `SELECT choice FROM decision_ballots WHERE decision_id = ? AND superseded_at IS NULL ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Ballot
	for rows.Next() {
		var choice string
		if err := rows.Scan(&choice); err != nil {
			return nil, err
		}
		var b Ballot
		if err := json.Unmarshal([]byte(choice), &b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// remind mails everyone in the electorate of decision id who has neither
// voted nor been reminded. The reminder row is written in the same
// transaction as the mail, and its primary key admits one per person.
func (s *Service) remind(ctx context.Context, id int64) (int, error) {
	sent := 0
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		d, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT e.user_id FROM decision_electorate e
			WHERE e.decision_id = ?
			AND NOT EXISTS (SELECT 1 FROM decision_voters v WHERE v.decision_id = e.decision_id AND v.user_id = e.user_id)
			AND NOT EXISTS (SELECT 1 FROM decision_reminders r WHERE r.decision_id = e.decision_id AND r.user_id = e.user_id)
			ORDER BY e.user_id`, id)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var uid int64
			if err := rows.Scan(&uid); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, uid)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := s.Now.Millis()
		var msgs []mail.Message
		for _, uid := range ids {
			res, err := tx.Exec(ctx, `INSERT INTO decision_reminders (decision_id, user_id, sent_at) VALUES (?, ?, ?)
				ON CONFLICT (decision_id, user_id) DO NOTHING`, id, uid, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // another process reminded them a moment ago
			}
			to, err := account.ByID(ctx, tx, uid)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if to.Disabled() || to.Erased() {
				continue
			}
			msgs = append(msgs, s.Letters.VoteReminder(d, to))
		}
		if len(msgs) == 0 {
			return nil
		}
		if err := mail.EnqueueMany(ctx, tx, msgs); err != nil {
			return err
		}
		sent = len(msgs)
		return audit.RecordID(ctx, tx, "decision.remind", "decision", id, map[string]any{"mails": sent})
	})
	return sent, err
}

// catchUp brings decision d up to date when its time has come and nobody
// has run Advance yet (a page read a second after the closing time), so
// that what a person sees never depends on a worker's timing.
func (s *Service) catchUp(ctx context.Context, d Decision) (bool, error) {
	now := s.Now.Time()
	switch {
	case d.State == Discussion && !d.OpensAt.IsZero() && !d.OpensAt.After(now):
	case d.State == Voting && !d.ClosesAt.After(now):
	default:
		return false, nil
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if d.State == Discussion {
			opened, err := s.open(ctx, tx, d)
			if err != nil || !opened {
				return err
			}
			return audit.RecordID(ctx, tx, "decision.open", "decision", d.ID, map[string]any{"by": "schedule"})
		}
		_, err := s.close(ctx, tx, d.ID)
		return err
	})
	return err == nil, err
}
