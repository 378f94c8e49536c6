package atlas

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
)

// Revision states.
const (
	RevisionPending  = "pending"
	RevisionAccepted = "accepted"
	RevisionRejected = "rejected"
)

// maxPendingPerAuthor bounds how many unreviewed revisions one person can
// have waiting, so that one account cannot bury the moderators' queue.
const maxPendingPerAuthor = 25

// Revision is one version of an initiative as somebody proposed it.
type Revision struct {
	ID           int64
	InitiativeID int64
	BaseID       int64 // the accepted revision the author started from; 0 for a new initiative
	Record       Record
	Note         string
	AuthorID     int64
	AuthorName   string
	State        string
	Reason       string
	ReviewerID   int64
	ReviewerName string
	ReviewedAt   time.Time
	RestoredFrom int64
	CreatedAt    time.Time
}

// Proposal is a new initiative or an edit as someone submits it.
type Proposal struct {
	Record Record
	Note   string // what changed and why, in the author's words
	// BaseID is the revision the author edited (the form carries it), so
	// that an edit made on an outdated page is caught instead of silently
	// undoing someone else's change.
	BaseID int64
	// NotDuplicate says the author saw the possible duplicates and goes on.
	NotDuplicate bool
	// ClearEmail removes the contact address. Without it an edit with no
	// address keeps the one the initiative has: the address is never
	// shown outside the edit form of its editors, nor given by the API, so
	// an edit made from what others can see would otherwise erase it.
	ClearEmail bool
}

var (
	errSignIn          = problem.New(problem.Unauthorized, "atlas.sign_in")
	errNotModerator    = problem.New(problem.Forbidden, "atlas.moderators_only")
	errAlreadyReviewed = problem.New(problem.Conflict, "atlas.already_reviewed")
	errNotEditable     = problem.New(problem.Conflict, "atlas.not_editable")
)

// Propose adds a new initiative. A moderator's proposal is published at
// once; anyone else's waits in the moderators' queue, and its author
// becomes one of the initiative's editors when it is accepted. Unless the
// proposal says otherwise, a record with possible duplicates is refused
// with atlas.possible_duplicate so the author can look at them first.
func (s *Service) Propose(ctx context.Context, u *account.User, p Proposal) (Initiative, error) {
	if u == nil {
		return Initiative{}, errSignIn
	}
	if err := s.prepare(&p.Record); err != nil {
		return Initiative{}, err
	}
	if !p.NotDuplicate {
		dups, err := s.Duplicates(ctx, p.Record, 0)
		if err != nil {
			return Initiative{}, err
		}
		if len(dups) > 0 {
			return Initiative{}, problem.New(problem.Conflict, "atlas.possible_duplicate")
		}
	}
	publish := u.Role.AtLeast(account.Moderator)
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if !publish {
			if err := checkPending(ctx, tx, u.ID); err != nil {
				return err
			}
		}
		now := s.Now.Millis()
		data, _ := json.Marshal(p.Record)
		if err := tx.QueryRow(ctx, `INSERT INTO initiatives (status, name, data, created_by, created_at, updated_at, confirmed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, Pending, p.Record.Name, string(data), u.ID, now, now, now).Scan(&id); err != nil {
			return err
		}
		state, status := RevisionPending, Pending
		if publish {
			state, status = RevisionAccepted, Published
		}
		revID, err := insertRevision(ctx, tx, id, 0, p, u.ID, state, now)
		if err != nil {
			return err
		}
		if publish {
			if _, err := tx.Exec(ctx, `UPDATE revisions SET reviewer_id = ?, reviewed_at = ? WHERE id = ?`, u.ID, now, revID); err != nil {
				return err
			}
		} else {
			revID = 0
		}
		if err := addEditor(ctx, tx, id, u.ID, now); err != nil {
			return err
		}
		if err := s.write(ctx, tx, id, status, p.Record, revID, now); err != nil {
			return err
		}
		// Not the name: a sole trader's initiative bears a person's name,
		// and the audit log cannot be changed on erasure.
		return recordAudit(ctx, tx, "initiative.propose", id, map[string]any{"published": publish})
	})
	if err != nil {
		return Initiative{}, err
	}
	in, err := load(ctx, s.DB, id)
	if err == nil {
		s.mapPut(in)
	}
	return in, err
}

// Edit proposes a change to an initiative. The initiative's editors and
// moderators publish at once (and are told when someone else changed it
// since they opened the form); anyone else's edit waits for review. An edit
// never overwrites: every version stays in the history.
func (s *Service) Edit(ctx context.Context, u *account.User, id int64, p Proposal) (Revision, error) {
	if u == nil {
		return Revision{}, errSignIn
	}
	if err := s.prepare(&p.Record); err != nil {
		return Revision{}, err
	}
	var rev Revision
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		in, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		if !in.visibleTo(u) {
			return errNotFound
		}
		if in.Status == Merged || in.Status == Rejected {
			return errNotEditable
		}
		if p.Record.Contact.Email == "" && !p.ClearEmail {
			p.Record.Contact.Email = in.Contact.Email
		}
		if reflect.DeepEqual(normalized(in.Record), p.Record) {
			return problem.New(problem.Invalid, "atlas.no_change")
		}
		now := s.Now.Millis()
		publish := in.CanPublish(u) && (in.Status != Pending || u.Role.AtLeast(account.Moderator))
		if !publish {
			if err := checkPending(ctx, tx, u.ID); err != nil {
				return err
			}
			revID, err := insertRevision(ctx, tx, id, in.RevisionID, p, u.ID, RevisionPending, now)
			if err != nil {
				return err
			}
			rev, err = loadRevision(ctx, tx, revID)
			if err != nil {
				return err
			}
			return recordAudit(ctx, tx, "initiative.edit", id, map[string]any{"revision": revID, "published": false})
		}
		if p.BaseID != 0 && p.BaseID != in.RevisionID {
			return problem.New(problem.Conflict, "atlas.edit_conflict")
		}
		revID, err := insertRevision(ctx, tx, id, in.RevisionID, p, u.ID, RevisionAccepted, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE revisions SET reviewer_id = ?, reviewed_at = ? WHERE id = ?`, u.ID, now, revID); err != nil {
			return err
		}
		status := in.Status
		if status == Pending {
			status = Published
		}
		if err := s.write(ctx, tx, id, status, p.Record, revID, now); err != nil {
			return err
		}
		// Whoever keeps an entry up to date has just confirmed it.
		if err := confirm(ctx, tx, id, now); err != nil {
			return err
		}
		if rev, err = loadRevision(ctx, tx, revID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, "initiative.edit", id, map[string]any{"revision": revID, "published": true})
	})
	if err != nil {
		return Revision{}, err
	}
	s.refreshMap(ctx, id)
	return rev, nil
}

// normalized returns a normalised copy of a stored record, for comparing
// it with a new one.
func normalized(r Record) Record {
	c := r
	b, _ := json.Marshal(r)
	_ = json.Unmarshal(b, &c)
	c.Normalize()
	return c
}

func checkPending(ctx context.Context, tx *store.Tx, userID int64) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM revisions WHERE author_id = ? AND state = 'pending'`, userID).Scan(&n); err != nil {
		return err
	}
	if n >= maxPendingPerAuthor {
		return problem.New(problem.RateLimited, "atlas.too_many_pending")
	}
	return nil
}

func insertRevision(ctx context.Context, tx *store.Tx, initiative, base int64, p Proposal, author int64, state string, now int64) (int64, error) {
	data, err := json.Marshal(p.Record)
	if err != nil {
		return 0, err
	}
	var baseArg any
	if base != 0 {
		baseArg = base
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO revisions (initiative_id, base_id, data, note, author_id, state, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, initiative, baseArg, string(data), strings.TrimSpace(p.Note), author, state, now).Scan(&id)
	return id, err
}

func addEditor(ctx context.Context, tx *store.Tx, initiative, user, now int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO initiative_editors (initiative_id, user_id, added_at)
		SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM initiative_editors WHERE initiative_id = ? AND user_id = ?)`,
		initiative, user, now, initiative, user)
	return err
}

func confirm(ctx context.Context, tx *store.Tx, id, now int64) error {
	_, err := tx.Exec(ctx, `UPDATE initiatives SET confirmed_at = ?, review_stage = 0 WHERE id = ?`, now, id)
	return err
}

const revisionColumns = `r.id, r.initiative_id, COALESCE(r.base_id, 0), ` + revisionData + `, r.note, COALESCE(r.author_id, 0),
	r.state, r.reason, COALESCE(r.reviewer_id, 0), COALESCE(r.reviewed_at, 0), COALESCE(r.restored_from, 0), r.created_at`

const revisionFrom = ` FROM revisions r`

func scanRevision(row scanner) (Revision, error) {
	var (
		r                 Revision
		data              string
		reviewed, created int64
	)
	if err := row.Scan(&r.ID, &r.InitiativeID, &r.BaseID, &data, &r.Note, &r.AuthorID, &r.State, &r.Reason,
		&r.ReviewerID, &reviewed, &r.RestoredFrom, &created); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(data), &r.Record); err != nil {
		return r, err
	}
	if reviewed != 0 {
		r.ReviewedAt = store.Time(reviewed)
	}
	r.CreatedAt = store.Time(created)
	return r, nil
}

func loadRevision(ctx context.Context, q store.Querier, id int64) (Revision, error) {
	r, err := scanRevision(q.QueryRow(ctx, `SELECT `+revisionColumns+revisionFrom+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, problem.New(problem.NotFound, "atlas.revision_not_found")
	}
	if err != nil {
		return r, err
	}
	revs := []Revision{r}
	err = nameRevisions(ctx, q, revs)
	return revs[0], err
}

// nameRevisions fills in the names of the revisions' authors and
// reviewers, which the account part keeps.
func nameRevisions(ctx context.Context, q store.Querier, revs []Revision) error {
	ids := make([]int64, 0, 2*len(revs))
	for _, r := range revs {
		ids = append(ids, r.AuthorID, r.ReviewerID)
	}
	names, err := account.Names(ctx, q, ids)
	if err != nil {
		return err
	}
	for i, r := range revs {
		revs[i].AuthorName, revs[i].ReviewerName = names[r.AuthorID], names[r.ReviewerID]
	}
	return nil
}

// Revision returns one revision of an initiative, if u may see it.
func (s *Service) Revision(ctx context.Context, u *account.User, initiative, id int64) (Revision, error) {
	in, err := s.Get(ctx, u, initiative)
	if err != nil {
		return Revision{}, err
	}
	r, err := loadRevision(ctx, s.DB, id)
	if err != nil {
		return r, err
	}
	if r.InitiativeID != initiative || !revisionVisible(in, r, u) {
		return Revision{}, problem.New(problem.NotFound, "atlas.revision_not_found")
	}
	return r, nil
}

// revisionVisible: accepted versions are public history; proposals that
// are waiting or were turned down are seen by moderators, the initiative's
// editors and their author.
func revisionVisible(in Initiative, r Revision, u *account.User) bool {
	if r.State == RevisionAccepted {
		return true
	}
	return u != nil && (u.Role.AtLeast(account.Moderator) || in.IsEditor(u) || u.ID == r.AuthorID)
}

// History returns the revisions of an initiative that u may see, newest
// first.
func (s *Service) History(ctx context.Context, u *account.User, id int64) (Initiative, []Revision, error) {
	in, err := s.Get(ctx, u, id)
	if err != nil {
		return in, nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT `+revisionColumns+revisionFrom+` WHERE r.initiative_id = ? ORDER BY r.id DESC`, id)
	if err != nil {
		return in, nil, err
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return in, nil, err
		}
		if revisionVisible(in, r, u) {
			out = append(out, r)
		}
	}
	if err := rows.Err(); err != nil {
		return in, nil, err
	}
	rows.Close()
	return in, out, nameRevisions(ctx, s.DB, out)
}

// Review accepts or rejects a waiting revision. Only moderators review;
// a rejection needs a reason, which the author is told. Accepting the first
// revision of a new initiative publishes it.
func (s *Service) Review(ctx context.Context, u *account.User, revisionID int64, accept bool, reason string) (Revision, error) {
	if u == nil || !u.Role.AtLeast(account.Moderator) {
		return Revision{}, errNotModerator
	}
	reason = strings.TrimSpace(reason)
	if !accept && reason == "" {
		return Revision{}, &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"reason": "required"}}
	}
	if len(reason) > 1000 {
		return Revision{}, &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"reason": "too_long"}}
	}
	var rev Revision
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		r, err := loadRevision(ctx, tx, revisionID)
		if err != nil {
			return err
		}
		if r.State != RevisionPending {
			return errAlreadyReviewed
		}
		in, err := load(ctx, tx, r.InitiativeID)
		if err != nil {
			return err
		}
		if in.Status == Merged || in.Status == Rejected {
			return errNotEditable
		}
		now := s.Now.Millis()
		state := RevisionRejected
		if accept {
			state = RevisionAccepted
		}
		if _, err := tx.Exec(ctx, `UPDATE revisions SET state = ?, reason = ?, reviewer_id = ?, reviewed_at = ? WHERE id = ?`,
			state, reason, u.ID, now, r.ID); err != nil {
			return err
		}
		switch {
		case accept:
			status := in.Status
			if status == Pending {
				status = Published
			}
			// The record was valid when proposed; the rules may have
			// tightened since, so check again rather than store it blind.
			rec := normalized(r.Record)
			if err := rec.Validate(s.today()); err != nil {
				return err
			}
			if err := s.write(ctx, tx, in.ID, status, rec, r.ID, now); err != nil {
				return err
			}
			if err := confirm(ctx, tx, in.ID, now); err != nil {
				return err
			}
		case in.Status == Pending:
			var waiting int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM revisions WHERE initiative_id = ? AND state = 'pending'`, in.ID).Scan(&waiting); err != nil {
				return err
			}
			if waiting == 0 {
				if err := s.write(ctx, tx, in.ID, Rejected, in.Record, 0, now); err != nil {
					return err
				}
			}
		}
		if err := s.tellAuthor(ctx, tx, in, r, u, accept, reason); err != nil {
			return err
		}
		if rev, err = loadRevision(ctx, tx, r.ID); err != nil {
			return err
		}
		action := "revision.reject"
		if accept {
			action = "revision.accept"
		}
		// Not the reason: it is free text, kept with the revision, where
		// erasure can reach it; the audit log cannot be changed.
		return recordAudit(ctx, tx, action, in.ID, map[string]any{"revision": r.ID})
	})
	if err != nil {
		return Revision{}, err
	}
	s.mailed()
	s.refreshMap(ctx, rev.InitiativeID)
	return rev, nil
}

// tellAuthor mails the author of a reviewed revision, unless they reviewed
// it themselves or are gone.
func (s *Service) tellAuthor(ctx context.Context, tx *store.Tx, in Initiative, r Revision, reviewer *account.User, accepted bool, reason string) error {
	if s.Letters == nil || r.AuthorID == 0 || r.AuthorID == reviewer.ID {
		return nil
	}
	author, err := account.ByID(ctx, tx, r.AuthorID)
	if err != nil || author.Disabled() {
		return err
	}
	in.Record = r.Record
	return mail.Enqueue(ctx, tx, s.Letters.Decided(in, author, accepted, reason))
}

// Restore makes an earlier revision the current version again, as a new
// revision: history only grows.
func (s *Service) Restore(ctx context.Context, u *account.User, initiative, revisionID int64) (Revision, error) {
	if u == nil || !u.Role.AtLeast(account.Moderator) {
		return Revision{}, errNotModerator
	}
	var rev Revision
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		old, err := loadRevision(ctx, tx, revisionID)
		if err != nil {
			return err
		}
		in, err := load(ctx, tx, initiative)
		if err != nil {
			return err
		}
		if old.InitiativeID != initiative {
			return problem.New(problem.NotFound, "atlas.revision_not_found")
		}
		if in.Status == Merged || in.Status == Rejected || in.Status == Pending {
			return errNotEditable
		}
		if old.ID == in.RevisionID {
			return problem.New(problem.Invalid, "atlas.no_change")
		}
		rec := normalized(old.Record)
		if err := rec.Validate(s.today()); err != nil {
			return err
		}
		now := s.Now.Millis()
		id, err := insertRevision(ctx, tx, initiative, in.RevisionID, Proposal{Record: rec, Note: old.Note}, u.ID, RevisionAccepted, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE revisions SET reviewer_id = ?, reviewed_at = ?, restored_from = ? WHERE id = ?`, u.ID, now, old.ID, id); err != nil {
			return err
		}
		if err := s.write(ctx, tx, initiative, in.Status, rec, id, now); err != nil {
			return err
		}
		if rev, err = loadRevision(ctx, tx, id); err != nil {
			return err
		}
		return recordAudit(ctx, tx, "initiative.restore", initiative, map[string]any{"revision": id, "restored_from": old.ID})
	})
	if err != nil {
		return Revision{}, err
	}
	s.refreshMap(ctx, initiative)
	return rev, nil
}

// Merge marks dup as a duplicate of into: dup leaves the map and the
// directory, its address leads to into, its editors become into's editors
// and its waiting revisions are closed.
func (s *Service) Merge(ctx context.Context, u *account.User, dup, into int64) error {
	if u == nil || !u.Role.AtLeast(account.Moderator) {
		return errNotModerator
	}
	if dup == into {
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"into": "merge.same"}}
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		d, err := load(ctx, tx, dup)
		if err != nil {
			return err
		}
		target, err := load(ctx, tx, into)
		if errors.Is(err, errNotFound) {
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"into": "merge.unknown"}}
		}
		if err != nil {
			return err
		}
		if d.Status == Merged || target.Status != Published {
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"into": "merge.not_published"}}
		}
		now := s.Now.Millis()
		for _, e := range d.Editors {
			if err := addEditor(ctx, tx, into, e, now); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE revisions SET state = 'rejected', reason = ?, reviewer_id = ?, reviewed_at = ?
			WHERE initiative_id = ? AND state = 'pending'`, "merged into "+idString(into), u.ID, now, dup); err != nil {
			return err
		}
		// A merged entry keeps no source id: the one it was merged into
		// carries the identity, and a re-import must match that one.
		d.Record.Source, d.Record.SourceID = "", ""
		if err := s.write(ctx, tx, dup, Merged, d.Record, d.RevisionID, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE initiatives SET merged_into = ? WHERE id = ?`, into, dup); err != nil {
			return err
		}
		return recordAudit(ctx, tx, "initiative.merge", dup, map[string]any{"into": into})
	})
	if err != nil {
		return err
	}
	s.refreshMap(ctx, dup)
	return nil
}

// SetArchived archives an initiative or brings it back. Moderators may do
// both; an initiative's editors may archive their own entry (it closed).
func (s *Service) SetArchived(ctx context.Context, u *account.User, id int64, archived bool) error {
	if u == nil {
		return errSignIn
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		in, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		mod := u.Role.AtLeast(account.Moderator)
		if !mod && !(archived && in.IsEditor(u)) {
			if !in.visibleTo(u) {
				return errNotFound
			}
			return errNotModerator
		}
		want, from := Archived, Published
		if !archived {
			want, from = Published, Archived
		}
		if in.Status != from {
			return errNotEditable
		}
		now := s.Now.Millis()
		if err := s.write(ctx, tx, id, want, in.Record, in.RevisionID, now); err != nil {
			return err
		}
		var at any
		if archived {
			at = now
		} else if err := confirm(ctx, tx, id, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE initiatives SET archived_at = ? WHERE id = ?`, at, id); err != nil {
			return err
		}
		action := "initiative.unarchive"
		if archived {
			action = "initiative.archive"
		}
		return recordAudit(ctx, tx, action, id, nil)
	})
	if err != nil {
		return err
	}
	s.refreshMap(ctx, id)
	return nil
}

// Confirm records that an initiative's entry is still right, which resets
// its review clock. Its editors and moderators may confirm; an entry that
// was archived for want of confirmation comes back.
func (s *Service) Confirm(ctx context.Context, u *account.User, id int64) error {
	if u == nil {
		return errSignIn
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		in, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := canManage(in, u); err != nil {
			return err
		}
		if in.Status != Published && in.Status != Archived {
			return errNotEditable
		}
		now := s.Now.Millis()
		if err := confirm(ctx, tx, id, now); err != nil {
			return err
		}
		if in.Status == Archived {
			if err := s.write(ctx, tx, id, Published, in.Record, in.RevisionID, now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE initiatives SET archived_at = NULL WHERE id = ?`, id); err != nil {
				return err
			}
		}
		return recordAudit(ctx, tx, "initiative.confirm", id, nil)
	})
	if err != nil {
		return err
	}
	s.refreshMap(ctx, id)
	return nil
}
