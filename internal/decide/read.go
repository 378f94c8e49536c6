package decide

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/store"
	"samen/internal/workspace"
)

// View is a decision as one person sees it.
type View struct {
	Decision
	Rights Rights
	Who    Who
	// Workspace is the decision's workspace (zero for a city-wide one).
	Workspace workspace.Workspace
	// AuthorName is the proposer's display name ("" once erased).
	AuthorName string
	// Voted says whether the viewer has voted; Mine is their current
	// ballot when it is open (a secret ballot cannot be found again).
	Voted bool
	Mine  *Ballot
	// Cast is how many have voted.
	Cast int
	// Voters are who voted, when the secrecy lets them be shown (open
	// ballots: always; secret ones: once at least VotersShownFrom voted).
	Voters          []Voter
	VotersShownFrom int
	// Result is the count: fixed once closed, live while voting, nil while
	// a hidden vote runs.
	Result *Result
	// ResultsHidden says results exist but are not shown yet: a hidden
	// vote until it closes, or a secret one until ResultsFrom have voted.
	ResultsHidden bool
	// ResultsFrom is how many ballots a secret vote needs before its
	// results so far are shown (0 when they are): with one or two, the
	// result would be someone's ballot.
	ResultsFrom int
	// Reasons are the reasons given with the objections and blocks of a
	// secret consent vote, without their voters, whenever the result is
	// shown (an open vote's are with their voters, in Voters).
	Reasons    []Reason
	Comments   []Comment
	Amendments []Amendment
}

// Reason is a reason given with a consent ballot's position.
type Reason struct {
	Position string
	Text     string
}

// Voter is one person who voted; Ballot is theirs on an open vote.
type Voter struct {
	UserID  int64
	Name    string
	VotedAt time.Time
	Ballot  *Ballot
}

// VotersShownFrom is how many must have voted before a secret vote shows
// who did: never fewer than 3, so that nobody's ballot can be worked out
// from a result of one or two, and at least the quorum.
func VotersShownFrom(d Decision) int {
	n := (d.Params.Quorum*d.Electorate + 99) / 100
	return max(3, n)
}

// Get returns decision id as u sees it, counted when the viewer may see
// the count. Reading who voted on a workspace's decision is recorded in
// the audit log, as every read of other people's data is.
func (s *Service) Get(ctx context.Context, u *account.User, id int64) (View, error) {
	d, _, _, err := s.as(ctx, s.DB, u, id)
	if err != nil {
		return View{}, err
	}
	// Opened or closed in its own transaction first; the view below reads
	// the result.
	if _, err := s.catchUp(ctx, d); err != nil {
		return View{}, err
	}
	var v View
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		d, w, r, err := s.as(ctx, tx, u, id)
		if err != nil {
			return err
		}
		v = View{Decision: d, Rights: r, Who: w}
		if !d.CityWide() {
			if v.Workspace, _, err = workspace.ViewerIn(ctx, tx, u, strconv.FormatInt(d.WorkspaceID, 10)); err != nil {
				return err
			}
		}
		if d.AuthorID != 0 {
			names, err := account.Names(ctx, tx, []int64{d.AuthorID})
			if err != nil {
				return err
			}
			v.AuthorName = names[d.AuthorID]
		}
		if v.Comments, err = comments(ctx, tx, id); err != nil {
			return err
		}
		if v.Amendments, err = amendments(ctx, tx, id); err != nil {
			return err
		}
		if d.State != Voting && d.State != Closed {
			return nil
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM decision_voters WHERE decision_id = ?`, id).Scan(&v.Cast); err != nil {
			return err
		}
		if u != nil {
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM decision_voters WHERE decision_id = ? AND user_id = ?`, id, u.ID).Scan(&one)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			v.Voted = err == nil
			if v.Voted && !d.Secrecy.Secret() {
				mine, err := ballotOf(ctx, tx, id, u.ID)
				if err != nil {
					return err
				}
				v.Mine = mine
			}
		}
		v.VotersShownFrom = VotersShownFrom(d)
		if !d.Secrecy.Secret() || v.Cast >= v.VotersShownFrom {
			if v.Voters, err = voters(ctx, tx, d); err != nil {
				return err
			}
			if !d.CityWide() && len(v.Voters) > 0 {
				if err := audit.RecordID(ctx, tx, "decision.voters_read", "decision", id, map[string]any{
					"voters": len(v.Voters), "ballots": !d.Secrecy.Secret()}); err != nil {
					return err
				}
			}
		}
		var ballots []Ballot
		switch {
		case d.State == Closed:
			if v.Result, err = storedResult(ctx, tx, id); err != nil {
				return err
			}
		case d.Secrecy == Hidden:
			v.ResultsHidden = true
			return nil
		case d.Secrecy.Secret() && v.Cast < v.VotersShownFrom:
			v.ResultsHidden, v.ResultsFrom = true, v.VotersShownFrom
			return nil
		default:
			if ballots, err = currentBallots(ctx, tx, id); err != nil {
				return err
			}
			r := Count(d, ballots)
			v.Result = &r
		}
		if d.Method == Consent && d.Secrecy.Secret() && v.Result != nil {
			if ballots == nil {
				if ballots, err = currentBallots(ctx, tx, id); err != nil {
					return err
				}
			}
			for _, b := range ballots {
				if (b.Position == "object" || b.Position == "block") && b.Reason != "" {
					v.Reasons = append(v.Reasons, Reason{Position: b.Position, Text: b.Reason})
				}
			}
		}
		return nil
	})
	return v, err
}

func storedResult(ctx context.Context, q store.Querier, id int64) (*Result, error) {
	var doc sql.NullString
	if err := q.QueryRow(ctx, `SELECT result FROM decisions WHERE id = ?`, id).Scan(&doc); err != nil {
		return nil, err
	}
	if !doc.Valid {
		return nil, nil
	}
	var r Result
	if err := json.Unmarshal([]byte(doc.String), &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func ballotOf(ctx context.Context, q store.Querier, id, userID int64) (*Ballot, error) {
	var choice string
	err := q.QueryRow(ctx, `SELECT choice FROM decision_ballots WHERE decision_id = ? AND user_id = ? AND superseded_at IS NULL`,
		id, userID).Scan(&choice)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var b Ballot
	return &b, json.Unmarshal([]byte(choice), &b)
}

// voters lists who voted, by name; on an open vote with their ballot.
func voters(ctx context.Context, q store.Querier, d Decision) ([]Voter, error) {
	rows, err := q.Query(ctx, `SELECT user_id, voted_at FROM decision_voters WHERE decision_id = ? ORDER BY voted_at, user_id`, d.ID)
	if err != nil {
		return nil, err
	}
	var out []Voter
	var ids []int64
	for rows.Next() {
		var v Voter
		var at int64
		if err := rows.Scan(&v.UserID, &at); err != nil {
			rows.Close()
			return nil, err
		}
		if d.Secrecy.Secret() {
			at = 0 // when someone voted would say which ballot is theirs to who watches the count
		}
		v.VotedAt = optTime(at)
		out = append(out, v)
		ids = append(ids, v.UserID)
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
		out[i].Name = names[out[i].UserID]
		if !d.Secrecy.Secret() {
			if out[i].Ballot, err = ballotOf(ctx, q, d.ID, out[i].UserID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Summary is a decision in a list.
type Summary struct {
	ID          int64
	WorkspaceID int64
	Title       string
	Language    string // the author's, in which Title is written
	Method      Method
	State       State
	Secrecy     Secrecy
	District    string
	OpensAt     time.Time
	ClosesAt    time.Time
	ReviewOn    string
	Cast        int
	Electorate  int
}

// List returns the decisions of workspace wsRef that u may see, newest
// first; city-wide ones when wsRef is "".
func (s *Service) List(ctx context.Context, u *account.User, wsRef string) ([]Summary, error) {
	var out []Summary
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		query := `SELECT id FROM decisions WHERE workspace_id IS NULL ORDER BY created_at DESC, id DESC`
		var args []any
		if wsRef != "" {
			ws, _, err := workspace.ViewerIn(ctx, tx, u, wsRef)
			if err != nil {
				return err
			}
			query = `SELECT id FROM decisions WHERE workspace_id = ? ORDER BY created_at DESC, id DESC`
			args = append(args, ws.ID)
		}
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			d, _, _, err := s.as(ctx, tx, u, id)
			if errors.Is(err, errNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			sm := Summary{ID: d.ID, WorkspaceID: d.WorkspaceID, Title: d.Title, Language: d.Language, Method: d.Method, State: d.State,
				Secrecy: d.Secrecy, District: d.District, OpensAt: d.OpensAt, ClosesAt: d.ClosesAt, ReviewOn: d.ReviewOn,
				Electorate: d.Electorate}
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM decision_voters WHERE decision_id = ?`, id).Scan(&sm.Cast); err != nil {
				return err
			}
			out = append(out, sm)
		}
		return nil
	})
	return out, err
}

// Ballots are the counted ballots of a closed decision, for the download
// anyone who sees the decision may check the count with: no voter, no
// time, in the order of their random ids.
func (s *Service) Ballots(ctx context.Context, u *account.User, id int64) (Decision, []Ballot, error) {
	d, _, _, err := s.as(ctx, s.DB, u, id)
	if err != nil {
		return d, nil, err
	}
	if _, err := s.catchUp(ctx, d); err != nil {
		return d, nil, err
	}
	if d, err = load(ctx, s.DB, id); err != nil {
		return d, nil, err
	}
	if d.State != Closed {
		return d, nil, errNotClosed
	}
	ballots, err := currentBallots(ctx, s.DB, id)
	if err != nil {
		return d, nil, err
	}
	for i := range ballots {
		// Reasons are on the page; the file is for counting, and a
		// reason's wording could tell whose a secret ballot is.
		ballots[i].Reason = ""
	}
	return d, ballots, nil
}
