package decide

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// Comment is one contribution to a proposal's discussion; replies name
// their parent.
type Comment struct {
	ID         int64
	ParentID   int64
	AuthorID   int64
	AuthorName string
	Body       string // "" once its author's data was erased
	CreatedAt  time.Time
	Erased     bool
	Replies    []*Comment
}

// MaxDepth is how deep replies nest on the page; deeper replies are shown
// at this depth, still saying whom they answer.
const MaxDepth = 4

// Amendment proposes a new text for the proposal.
type Amendment struct {
	ID         int64
	AuthorID   int64
	AuthorName string
	Body       string
	Note       string
	State      string // open, accepted, declined
	CreatedAt  time.Time
	DecidedAt  time.Time
}

// Comment adds u's comment to decision id, as a reply to parentID when it
// is not 0.
func (s *Service) Comment(ctx context.Context, u *account.User, id, parentID int64, body string) (Comment, error) {
	if u == nil {
		return Comment{}, errSignIn
	}
	var c Comment
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, _, r, err := s.as(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !r.Comment {
			return problem.New(problem.Forbidden, "decide.no_comment")
		}
		body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
		f := problem.Fields{}
		textcheck.Field(f, "body", body, MaxComment, true)
		var parent any
		if parentID != 0 {
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM decision_comments WHERE id = ? AND decision_id = ?`, parentID, id).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				f.Add("parent", "decide.comment_unknown")
			} else if err != nil {
				return err
			}
			parent = parentID
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := s.Now.Time()
		if err := tx.QueryRow(ctx, `INSERT INTO decision_comments (decision_id, parent_id, author_id, body, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, id, parent, u.ID, body, store.Millis(now)).Scan(&c.ID); err != nil {
			return err
		}
		c = Comment{ID: c.ID, ParentID: parentID, AuthorID: u.ID, Body: body, CreatedAt: now}
		return audit.RecordID(ctx, tx, "decision.comment", "decision", id, map[string]any{"comment": c.ID})
	})
	return c, err
}

// comments returns the discussion as a tree, oldest first at each level.
func comments(ctx context.Context, q store.Querier, id int64) ([]Comment, error) {
	rows, err := q.Query(ctx, `SELECT id, COALESCE(parent_id, 0), COALESCE(author_id, 0), body, created_at, erased_at IS NOT NULL
		FROM decision_comments WHERE decision_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	var all []*Comment
	var ids []int64
	for rows.Next() {
		c := &Comment{}
		var at int64
		if err := rows.Scan(&c.ID, &c.ParentID, &c.AuthorID, &c.Body, &at, &c.Erased); err != nil {
			rows.Close()
			return nil, err
		}
		c.CreatedAt = store.Time(at)
		all = append(all, c)
		ids = append(ids, c.AuthorID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := account.Names(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*Comment, len(all))
	depth := map[int64]int{}
	var top []*Comment
	for _, c := range all {
		c.AuthorName = names[c.AuthorID]
		byID[c.ID] = c
		p, ok := byID[c.ParentID]
		if !ok {
			top = append(top, c)
			continue
		}
		// Past MaxDepth a reply joins its parent's level.
		for depth[p.ID] >= MaxDepth-1 {
			p = byID[p.ParentID]
		}
		depth[c.ID] = depth[p.ID] + 1
		p.Replies = append(p.Replies, c)
	}
	out := make([]Comment, len(top))
	for i, c := range top {
		out[i] = *c
	}
	return out, nil
}

// Amend proposes a new text for decision id while it is discussed.
func (s *Service) Amend(ctx context.Context, u *account.User, id int64, body, note string) (Amendment, error) {
	if u == nil {
		return Amendment{}, errSignIn
	}
	var a Amendment
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		d, _, r, err := s.as(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !r.Comment {
			return problem.New(problem.Forbidden, "decide.no_comment")
		}
		if d.State != Discussion {
			return problem.New(problem.Conflict, "decide.not_discussion")
		}
		body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
		note = strings.TrimSpace(strings.ReplaceAll(note, "\r\n", "\n"))
		f := problem.Fields{}
		textcheck.Field(f, "body", body, MaxBody, true)
		textcheck.Field(f, "note", note, MaxComment, false)
		if f["body"] == "" && body == d.Body {
			f.Add("body", "decide.amendment_same")
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := s.Now.Time()
		if err := tx.QueryRow(ctx, `INSERT INTO decision_amendments (decision_id, author_id, body, note, state, created_at)
			VALUES (?, ?, ?, ?, 'open', ?) RETURNING id`, id, u.ID, body, note, store.Millis(now)).Scan(&a.ID); err != nil {
			return err
		}
		a = Amendment{ID: a.ID, AuthorID: u.ID, Body: body, Note: note, State: "open", CreatedAt: now}
		return audit.RecordID(ctx, tx, "decision.amend", "decision", id, map[string]any{"amendment": a.ID})
	})
	return a, err
}

// DecideAmendment takes an amendment over (the proposal's text becomes
// it) or declines it. The proposal's author decides; when the author is
// gone, whoever manages the decision.
func (s *Service) DecideAmendment(ctx context.Context, u *account.User, id, amendmentID int64, accept bool) error {
	if u == nil {
		return errSignIn
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		d, w, r, err := s.as(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !w.Author && !(d.AuthorID == 0 && r.Manage) {
			return problem.New(problem.Forbidden, "decide.author_only")
		}
		if d.State != Discussion && d.State != Draft {
			return problem.New(problem.Conflict, "decide.not_discussion")
		}
		var body, state string
		err = tx.QueryRow(ctx, `SELECT body, state FROM decision_amendments WHERE id = ? AND decision_id = ?`, amendmentID, id).Scan(&body, &state)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.New(problem.NotFound, "decide.amendment_not_found")
		}
		if err != nil {
			return err
		}
		if state != "open" {
			return problem.New(problem.Conflict, "decide.amendment_decided")
		}
		now := s.Now.Millis()
		to := "declined"
		if accept {
			to = "accepted"
			if _, err := tx.Exec(ctx, `UPDATE decisions SET body = ?, updated_at = ? WHERE id = ?`, body, now, id); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE decision_amendments SET state = ?, decided_at = ?, decided_by = ? WHERE id = ?`,
			to, now, u.ID, amendmentID); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "decision.amendment."+to, "decision", id, map[string]any{"amendment": amendmentID})
	})
}

func amendments(ctx context.Context, q store.Querier, id int64) ([]Amendment, error) {
	rows, err := q.Query(ctx, `SELECT id, COALESCE(author_id, 0), body, note, state, created_at, COALESCE(decided_at, 0)
		FROM decision_amendments WHERE decision_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	var out []Amendment
	var ids []int64
	for rows.Next() {
		var a Amendment
		var created, decided int64
		if err := rows.Scan(&a.ID, &a.AuthorID, &a.Body, &a.Note, &a.State, &created, &decided); err != nil {
			rows.Close()
			return nil, err
		}
		a.CreatedAt, a.DecidedAt = store.Time(created), optTime(decided)
		out = append(out, a)
		ids = append(ids, a.AuthorID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := account.Names(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].AuthorName = names[out[i].AuthorID]
	}
	return out, nil
}

// SetOutcome writes the outcome statement of a closed decision and the
// date it is to be reviewed ("" for none).
func (s *Service) SetOutcome(ctx context.Context, u *account.User, id int64, outcome, reviewOn string) error {
	if u == nil {
		return errSignIn
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		d, _, r, err := s.as(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !r.Manage {
			return errForbidden
		}
		if d.State != Closed {
			return errNotClosed
		}
		outcome = strings.TrimSpace(strings.ReplaceAll(outcome, "\r\n", "\n"))
		reviewOn = strings.TrimSpace(reviewOn)
		f := problem.Fields{}
		textcheck.Field(f, "outcome", outcome, MaxOutcome, true)
		var review any
		if reviewOn != "" {
			t, err := time.Parse(time.DateOnly, reviewOn)
			switch {
			case err != nil:
				f.Add("review_on", "date.invalid")
			case t.Before(d.ClosedAt.In(amsterdam).Truncate(24 * time.Hour)):
				f.Add("review_on", "decide.review_past")
			default:
				review = reviewOn
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE decisions SET outcome = ?, review_on = ?, updated_at = ? WHERE id = ?`,
			outcome, review, s.Now.Millis(), id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "decision.outcome", "decision", id, map[string]any{"review": review != nil})
	})
}
