package atlas

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"samen/internal/account"
	"samen/internal/audit"
	outbox "samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// QueueItem is a revision waiting for a moderator, with what it needs to
// be judged.
type QueueItem struct {
	Revision   Revision
	Initiative Initiative // as it stands now
	New        bool       // the first version of a proposed initiative
	// Outdated says the entry changed after the author opened it, so
	// accepting would undo those changes; the diff shows it.
	Outdated   bool
	Duplicates []Initiative // for a new initiative: entries it may repeat
}

// maxQueue bounds one page of the queue.
const maxQueue = 100

// Queue returns the revisions waiting for review, oldest first.
func (s *Service) Queue(ctx context.Context, u *account.User) ([]QueueItem, error) {
	if u == nil || !u.Role.AtLeast(account.Moderator) {
		return nil, errNotModerator
	}
	rows, err := s.DB.Query(ctx, `SELECT `+revisionColumns+revisionFrom+` WHERE r.state = 'pending' ORDER BY r.created_at, r.id LIMIT ?`, maxQueue)
	if err != nil {
		return nil, err
	}
	var revs []Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		revs = append(revs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := nameRevisions(ctx, s.DB, revs); err != nil {
		return nil, err
	}
	items := make([]QueueItem, 0, len(revs))
	for _, r := range revs {
		in, err := load(ctx, s.DB, r.InitiativeID)
		if err != nil {
			return nil, err
		}
		it := QueueItem{Revision: r, Initiative: in, New: in.Status == Pending, Outdated: in.RevisionID != 0 && r.BaseID != in.RevisionID}
		if it.New {
			if it.Duplicates, err = s.Duplicates(ctx, r.Record, in.ID); err != nil {
				return nil, err
			}
		}
		items = append(items, it)
	}
	return items, nil
}

// QueueSize is how many revisions and open reports wait for moderators.
func (s *Service) QueueSize(ctx context.Context) (revisions, reports, stale int, err error) {
	err = s.DB.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM revisions WHERE state = 'pending'),
		(SELECT COUNT(*) FROM initiative_reports WHERE state = 'open'),
		(SELECT COUNT(*) FROM initiatives WHERE status = 'published' AND review_stage >= 2)`).Scan(&revisions, &reports, &stale)
	return
}

// Report is somebody's report about an entry.
type Report struct {
	ID             int64
	InitiativeID   int64
	InitiativeName string
	Reason         string
	Message        string
	State          string
	CreatedAt      time.Time
}

// Limits on reports and contact messages from one address.
const (
	reportsPerHour      = 10
	contactsPerHour     = 5
	contactsPerDay      = 20 // to one initiative, from everyone
	maxReportMessage    = 1000
	maxContactMessage   = 3000
	minContactMessage   = 10
	maxContactName      = 100
	reportWindow        = time.Hour
	contactWindow       = time.Hour
	contactTargetWindow = 24 * time.Hour
)

// Report records that someone thinks an entry is wrong. Anyone may report,
// signed in or not; reports go to the moderators' queue.
func (s *Service) Report(ctx context.Context, u *account.User, ip string, id int64, reason, message string) error {
	reason = strings.TrimSpace(reason)
	message = strings.TrimSpace(message)
	f := problem.Fields{}
	switch {
	case reason == "":
		f.Add("reason", "required")
	case !known(ReportReasons, reason):
		f.Add("reason", "unknown")
	}
	if reason == "other" && message == "" {
		f.Add("message", "required")
	}
	if utf8.RuneCountInString(message) > maxReportMessage {
		f.Add("message", "too_long")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		in, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Status != Published && in.Status != Archived {
			return errNotFound
		}
		now := s.Now.Time()
		var recent int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM initiative_reports WHERE reporter_ip = ? AND created_at > ?`,
			ip, now.Add(-reportWindow).UnixMilli()).Scan(&recent); err != nil {
			return err
		}
		if recent >= reportsPerHour {
			return problem.New(problem.RateLimited, "atlas.too_many_reports")
		}
		var reporter any
		if u != nil {
			reporter = u.ID
		}
		var rid int64
		if err := tx.QueryRow(ctx, `INSERT INTO initiative_reports (initiative_id, reason, message, reporter_id, reporter_ip, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, id, reason, message, reporter, ip, now.UnixMilli()).Scan(&rid); err != nil {
			return err
		}
		return recordAudit(ctx, tx, "initiative.report", id, map[string]any{"report": rid, "reason": reason})
	})
}

// Reports returns the open reports, oldest first. Who reported is not
// shown: moderators judge the report, not the reporter.
func (s *Service) Reports(ctx context.Context, u *account.User) ([]Report, error) {
	if u == nil || !u.Role.AtLeast(account.Moderator) {
		return nil, errNotModerator
	}
	rows, err := s.DB.Query(ctx, `SELECT r.id, r.initiative_id, i.name, r.reason, r.message, r.state, r.created_at
		FROM initiative_reports r JOIN initiatives i ON i.id = r.initiative_id
		WHERE r.state = 'open' ORDER BY r.created_at, r.id LIMIT ?`, maxQueue)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		var (
			r  Report
			at int64
		)
		if err := rows.Scan(&r.ID, &r.InitiativeID, &r.InitiativeName, &r.Reason, &r.Message, &r.State, &at); err != nil {
			return nil, err
		}
		r.CreatedAt = store.Time(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// CloseReport marks a report handled: resolved (something was done) or
// dismissed.
func (s *Service) CloseReport(ctx context.Context, u *account.User, id int64, resolved bool) error {
	if u == nil || !u.Role.AtLeast(account.Moderator) {
		return errNotModerator
	}
	state := "dismissed"
	if resolved {
		state = "resolved"
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		var initiative int64
		err := tx.QueryRow(ctx, `UPDATE initiative_reports SET state = ?, handled_by = ?, handled_at = ? WHERE id = ? AND state = 'open'
			RETURNING initiative_id`, state, u.ID, s.Now.Millis(), id).Scan(&initiative)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.New(problem.NotFound, "atlas.report_not_found")
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, "report."+state, "initiative", idString(initiative), map[string]any{"report": id})
	})
}

// Editor is a person who keeps an initiative's entry up to date.
type Editor struct {
	ID   int64
	Name string
}

// Editors returns the names of an initiative's editors, for its editors and
// moderators.
func (s *Service) Editors(ctx context.Context, u *account.User, id int64) ([]Editor, error) {
	in, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if err := canManage(in, u); err != nil {
		return nil, err
	}
	people, err := account.People(ctx, s.DB, in.Editors)
	if err != nil {
		return nil, err
	}
	var out []Editor
	for _, p := range people {
		out = append(out, Editor{ID: p.ID, Name: p.Name})
	}
	return out, nil
}

// AddEditor makes the person with email an editor of the initiative. Its
// editors and moderators may do this.
func (s *Service) AddEditor(ctx context.Context, u *account.User, id int64, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if _, err := mail.ParseAddress(email); err != nil {
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"email": "email.invalid"}}
	}
	return s.managing(ctx, u, id, func(tx *store.Tx, in Initiative) error {
		uid, ok, err := account.ActiveID(ctx, tx, email)
		if err != nil {
			return err
		}
		if !ok {
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"email": "editor.no_account"}}
		}
		if slices.Contains(in.Editors, uid) {
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"email": "editor.already"}}
		}
		if err := addEditor(ctx, tx, id, uid, s.Now.Millis()); err != nil {
			return err
		}
		return recordAudit(ctx, tx, "initiative.editor_add", id, map[string]any{"user": uid})
	})
}

// RemoveEditor takes a person off an initiative's editors. Editors may
// remove themselves or each other; moderators anyone.
func (s *Service) RemoveEditor(ctx context.Context, u *account.User, id, userID int64) error {
	return s.managing(ctx, u, id, func(tx *store.Tx, in Initiative) error {
		res, err := tx.Exec(ctx, `DELETE FROM initiative_editors WHERE initiative_id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.NotFound, "atlas.editor_not_found")
		}
		return recordAudit(ctx, tx, "initiative.editor_remove", id, map[string]any{"user": userID})
	})
}

// ContactMessage is what a visitor writes to an initiative.
type ContactMessage struct {
	Name    string
	Email   string // where the answer goes; the initiative sees it, nobody else
	Message string
}

// Contact sends a visitor's message to an initiative's e-mail address,
// which the visitor never sees. The message itself is not stored; that it
// was sent is, to limit how many one address sends.
func (s *Service) Contact(ctx context.Context, u *account.User, ip string, id int64, m ContactMessage) error {
	m.Name, m.Email, m.Message = textcheck.Collapse(m.Name), strings.TrimSpace(m.Email), strings.TrimSpace(m.Message)
	f := problem.Fields{}
	if m.Name == "" {
		f.Add("name", "required")
	} else if utf8.RuneCountInString(m.Name) > maxContactName {
		f.Add("name", "too_long")
	}
	if m.Email == "" {
		f.Add("email", "email.required")
	} else if a, err := mail.ParseAddress(m.Email); err != nil || a.Address != m.Email {
		f.Add("email", "email.invalid")
	}
	switch n := utf8.RuneCountInString(m.Message); {
	case n == 0:
		f.Add("message", "required")
	case n < minContactMessage:
		f.Add("message", "too_short")
	case n > maxContactMessage:
		f.Add("message", "too_long")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if s.Letters == nil {
		return problem.New(problem.Unavailable, "atlas.no_mail")
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		in, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Status != Published {
			return errNotFound
		}
		if in.Contact.Email == "" {
			return problem.New(problem.NotFound, "atlas.no_contact")
		}
		now := s.Now.Time()
		var fromIP, toThem int
		if err := tx.QueryRow(ctx, `SELECT
			(SELECT COUNT(*) FROM contact_messages WHERE sender_ip = ? AND created_at > ?),
			(SELECT COUNT(*) FROM contact_messages WHERE initiative_id = ? AND created_at > ?)`,
			ip, now.Add(-contactWindow).UnixMilli(), id, now.Add(-contactTargetWindow).UnixMilli()).Scan(&fromIP, &toThem); err != nil {
			return err
		}
		if fromIP >= contactsPerHour || toThem >= contactsPerDay {
			return problem.New(problem.RateLimited, "atlas.too_many_messages")
		}
		var sender any
		if u != nil {
			sender = u.ID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO contact_messages (initiative_id, sender_ip, sender_id, created_at) VALUES (?, ?, ?, ?)`,
			id, ip, sender, now.UnixMilli()); err != nil {
			return err
		}
		if err := outbox.Enqueue(ctx, tx, s.Letters.Contact(in, m.Name, m.Email, m.Message)); err != nil {
			return err
		}
		return recordAudit(ctx, tx, "initiative.contact", id, nil)
	})
	if err == nil {
		s.mailed()
	}
	return err
}
