package decide

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"strconv"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/workspace"
)

// Letters writes the mails decisions send; the web layer implements it.
type Letters interface {
	// VoteReminder reminds someone who has not voted that voting closes
	// soon, in their language when known (both otherwise).
	VoteReminder(d Decision, to account.User) mail.Message
}

// Service is the decisions part of samen.
type Service struct {
	DB      *store.DB
	Letters Letters
	Sent    func() // wakes the outbox worker; may be nil
	// Now is the clock; tests replace it.
	Now store.Clock
}

var (
	errNotFound  = problem.New(problem.NotFound, "decide.not_found")
	errForbidden = problem.New(problem.Forbidden, "decide.forbidden")
	errSignIn    = problem.New(problem.Unauthorized, "decide.sign_in")
	errNotClosed = problem.New(problem.Conflict, "decide.not_closed")
)

// ReminderBefore is how long before voting closes the reminder goes out.
const ReminderBefore = 24 * time.Hour

func (s *Service) sent() {
	if s.Sent != nil {
		s.Sent()
	}
}

const decisionColumns = `id, COALESCE(workspace_id, 0), district, title, body, language, method, params,
	visibility, circles, secrecy, state, COALESCE(opens_at, 0), COALESCE(closes_at, 0), electorate,
	outcome, COALESCE(review_on, ''), COALESCE(author_id, 0), created_at, updated_at, COALESCE(closed_at, 0)`

func scanDecision(row interface{ Scan(...any) error }) (Decision, error) {
	var d Decision
	var params, circles string
	var opens, closes, created, updated, closed int64
	err := row.Scan(&d.ID, &d.WorkspaceID, &d.District, &d.Title, &d.Body, &d.Language, &d.Method, &params,
		&d.Visibility, &circles, &d.Secrecy, &d.State, &opens, &closes, &d.Electorate,
		&d.Outcome, &d.ReviewOn, &d.AuthorID, &created, &updated, &closed)
	if errors.Is(err, sql.ErrNoRows) {
		return d, errNotFound
	}
	if err != nil {
		return d, err
	}
	_ = json.Unmarshal([]byte(params), &d.Params)
	for _, c := range strings.Split(circles, ",") {
		if c != "" {
			d.Circles = append(d.Circles, workspace.Circle(c))
		}
	}
	d.OpensAt, d.ClosesAt, d.ClosedAt = optTime(opens), optTime(closes), optTime(closed)
	d.CreatedAt, d.UpdatedAt = store.Time(created), store.Time(updated)
	return d, nil
}

func optTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return store.Time(ms)
}

func optMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return store.Millis(t)
}

// load reads a decision with its options.
func load(ctx context.Context, q store.Querier, id int64) (Decision, error) {
	d, err := scanDecision(q.QueryRow(ctx, `SELECT `+decisionColumns+` FROM decisions WHERE id = ?`, id))
	if err != nil {
		return d, err
	}
	d.Options, err = options(ctx, q, id)
	return d, err
}

func options(ctx context.Context, q store.Querier, decisionID int64) ([]Option, error) {
	rows, err := q.Query(ctx, `SELECT id, position, label, description, COALESCE(starts_at, 0), COALESCE(ends_at, 0)
		FROM decision_options WHERE decision_id = ? ORDER BY position, id`, decisionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Option
	for rows.Next() {
		var o Option
		var starts, ends int64
		if err := rows.Scan(&o.ID, &o.Position, &o.Label, &o.Description, &starts, &ends); err != nil {
			return nil, err
		}
		o.StartsAt, o.EndsAt = optTime(starts), optTime(ends)
		out = append(out, o)
	}
	return out, rows.Err()
}

// who says who u is for decision d.
func who(ctx context.Context, q store.Querier, u *account.User, d Decision) (Who, error) {
	var w Who
	if u == nil || u.Disabled() || u.Erased() {
		return w, nil
	}
	w.SignedIn, w.Verified = true, u.Verified()
	w.Steward = u.Role.AtLeast(account.Steward)
	w.Author = d.AuthorID != 0 && d.AuthorID == u.ID
	if d.CityWide() {
		return w, nil
	}
	_, v, err := workspace.ViewerIn(ctx, q, u, strconv.FormatInt(d.WorkspaceID, 10))
	if err != nil {
		return w, err
	}
	w.Viewer = v
	if d.State == Voting || d.State == Closed {
		var one int
		err := q.QueryRow(ctx, `SELECT 1 FROM decision_electorate WHERE decision_id = ? AND user_id = ?`, d.ID, u.ID).Scan(&one)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return w, err
		}
		w.Electorate = err == nil
	}
	return w, nil
}

// as loads decision id as u may see it: not found when u may not see it
// (a draft, or a workspace circle u is not in), so that nobody learns what
// exists by guessing numbers.
func (s *Service) as(ctx context.Context, q store.Querier, u *account.User, id int64) (Decision, Who, Rights, error) {
	d, err := load(ctx, q, id)
	if err != nil {
		return d, Who{}, Rights{}, err
	}
	w, err := who(ctx, q, u, d)
	if err != nil {
		return d, w, Rights{}, err
	}
	r := RightsOf(d, w)
	if !r.See {
		return d, w, r, errNotFound
	}
	return d, w, r, nil
}

// Create starts a decision as a draft: in workspace wsRef (id or slug), or
// city-wide when wsRef is "".
func (s *Service) Create(ctx context.Context, u *account.User, wsRef string, dd DraftDecision) (Decision, error) {
	if u == nil {
		return Decision{}, errSignIn
	}
	var d Decision
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var wsID int64
		if wsRef == "" {
			if !u.Role.AtLeast(account.Steward) {
				return errForbidden
			}
		} else {
			ws, v, err := workspace.ViewerIn(ctx, tx, u, wsRef)
			if err != nil {
				return err
			}
			if !CanPropose(v) {
				return errForbidden
			}
			wsID = ws.ID
		}
		now := s.Now.Time()
		clean, opens, closes, err := dd.Clean(wsID == 0, now)
		if err != nil {
			return err
		}
		if err := quorumFits(clean); err != nil {
			return err
		}
		params, _ := json.Marshal(clean.Params)
		var ws any
		if wsID != 0 {
			ws = wsID
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO decisions (workspace_id, district, title, body, language, method, params,
			visibility, circles, secrecy, state, opens_at, closes_at, author_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?) RETURNING id`,
			ws, clean.District, clean.Title, clean.Body, clean.Language, string(clean.Method), string(params),
			string(clean.Visibility), joinCircles(clean.Circles), string(clean.Secrecy), optMillis(opens), store.Millis(closes),
			u.ID, store.Millis(now), store.Millis(now)).Scan(&id); err != nil {
			return err
		}
		if err := writeOptions(ctx, tx, id, clean); err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, "decision.create", "decision", id, map[string]any{
			"workspace": wsID, "method": string(clean.Method), "secrecy": string(clean.Secrecy)}); err != nil {
			return err
		}
		d, err = load(ctx, tx, id)
		return err
	})
	return d, err
}

// quorumFits refuses a quorum where the electorate cannot be known: a
// city-wide decision limited to a district (nobody is listed as living
// there until they vote).
func quorumFits(d DraftDecision) error {
	if d.District != "" && d.Params.Quorum > 0 {
		return (problem.Fields{"quorum": "decide.quorum_district"}).Err()
	}
	return nil
}

func joinCircles(cs []workspace.Circle) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = string(c)
	}
	return strings.Join(parts, ",")
}

func writeOptions(ctx context.Context, tx *store.Tx, decisionID int64, d DraftDecision) error {
	if _, err := tx.Exec(ctx, `DELETE FROM decision_options WHERE decision_id = ?`, decisionID); err != nil {
		return err
	}
	for i, o := range d.Options {
		var starts, ends any
		if d.Method == Poll {
			if t, ok := ParseLocal(o.StartsAt); ok {
				starts = store.Millis(t)
			}
			if t, ok := ParseLocal(o.EndsAt); ok {
				ends = store.Millis(t)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO decision_options (decision_id, position, label, description, starts_at, ends_at)
			VALUES (?, ?, ?, ?, ?, ?)`, decisionID, i+1, o.Label, o.Description, starts, ends); err != nil {
			return err
		}
	}
	return nil
}

// Update changes a decision before voting opens. Its secrecy may be made
// stronger, never weaker.
func (s *Service) Update(ctx context.Context, u *account.User, id int64, dd DraftDecision) (Decision, error) {
	var d Decision
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		old, _, r, err := s.as(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !r.Manage {
			return errForbidden
		}
		if old.State != Draft && old.State != Discussion {
			return problem.New(problem.Conflict, "decide.not_editable")
		}
		now := s.Now.Time()
		clean, opens, closes, err := dd.Clean(old.CityWide(), now)
		if err != nil {
			return err
		}
		if clean.Secrecy.Weaker(old.Secrecy) {
			return (problem.Fields{"secrecy": "decide.secrecy_weaker"}).Err()
		}
		if err := quorumFits(clean); err != nil {
			return err
		}
		params, _ := json.Marshal(clean.Params)
		if _, err := tx.Exec(ctx, `UPDATE decisions SET district = ?, title = ?, body = ?, language = ?, method = ?, params = ?,
			visibility = ?, circles = ?, secrecy = ?, opens_at = ?, closes_at = ?, updated_at = ? WHERE id = ?`,
			clean.District, clean.Title, clean.Body, clean.Language, string(clean.Method), string(params),
			string(clean.Visibility), joinCircles(clean.Circles), string(clean.Secrecy), optMillis(opens), store.Millis(closes),
			store.Millis(now), id); err != nil {
			return err
		}
		if err := writeOptions(ctx, tx, id, clean); err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, "decision.update", "decision", id, map[string]any{"method": string(clean.Method)}); err != nil {
			return err
		}
		d, err = load(ctx, tx, id)
		return err
	})
	return d, err
}

// Publish opens a draft for discussion.
func (s *Service) Publish(ctx context.Context, u *account.User, id int64) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		d, _, r, err := s.as(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !r.Manage {
			return errForbidden
		}
		if d.State != Draft {
			return problem.New(problem.Conflict, "decide.not_draft")
		}
		if _, err := tx.Exec(ctx, `UPDATE decisions SET state = 'discussion', updated_at = ? WHERE id = ? AND state = 'draft'`,
			s.Now.Millis(), id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "decision.publish", "decision", id, nil)
	})
}

// OpenVoting opens voting now, whatever time was planned.
func (s *Service) OpenVoting(ctx context.Context, u *account.User, id int64) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		d, _, r, err := s.as(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !r.Manage {
			return errForbidden
		}
		if d.State != Draft && d.State != Discussion {
			return problem.New(problem.Conflict, "decide.not_editable")
		}
		if !d.ClosesAt.After(s.Now.Time()) {
			return (problem.Fields{"closes_at": "decide.closes_past"}).Err()
		}
		opened, err := s.open(ctx, tx, d)
		if err != nil || !opened {
			return err
		}
		return audit.RecordID(ctx, tx, "decision.open", "decision", id, map[string]any{"by": "hand"})
	})
}

// open starts voting on d in tx: the electorate is fixed and the options'
// order is drawn by lot. It reports false when another process (or
// request) opened it first.
func (s *Service) open(ctx context.Context, tx *store.Tx, d Decision) (bool, error) {
	now := s.Now.Time()
	opens := d.OpensAt
	if opens.IsZero() || opens.After(now) {
		opens = now
	}
	res, err := tx.Exec(ctx, `UPDATE decisions SET state = 'voting', opens_at = ?, updated_at = ?
		WHERE id = ? AND state IN ('draft', 'discussion')`, store.Millis(opens), store.Millis(now), d.ID)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	electorate := 0
	if d.CityWide() {
		if d.District == "" {
			n, err := account.VerifiedCount(ctx, tx)
			if err != nil {
				return false, err
			}
			electorate = n
		}
	} else {
		ids, err := workspace.AccountsIn(ctx, tx, d.WorkspaceID, d.Circles)
		if err != nil {
			return false, err
		}
		for _, uid := range ids {
			if _, err := tx.Exec(ctx, `INSERT INTO decision_electorate (decision_id, user_id) VALUES (?, ?)`, d.ID, uid); err != nil {
				return false, err
			}
		}
		electorate = len(ids)
	}
	if _, err := tx.Exec(ctx, `UPDATE decisions SET electorate = ? WHERE id = ?`, electorate, d.ID); err != nil {
		return false, err
	}
	// The lot: a uniformly random order of the options, which is the
	// tie-break order of every method and the order of the ballot files.
	order := make([]int, len(d.Options))
	for i := range order {
		order[i] = i
	}
	for i := len(order) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return false, err
		}
		order[i], order[j.Int64()] = order[j.Int64()], order[i]
	}
	for pos, i := range order {
		if _, err := tx.Exec(ctx, `UPDATE decision_options SET position = ? WHERE id = ?`, pos+1, d.Options[i].ID); err != nil {
			return false, err
		}
	}
	return true, nil
}

// randomID is a ballot's id: nothing about who cast it or when.
func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
