package workspace

// Announcements: a message to a circle (and every circle inside it) or to
// everyone, kept in the workspace and mailed through the outbox to each
// person of the register it reaches, with a link of their own that stops
// these mails. Public ones are also in the workspace's Atom feed.

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// Limits on an announcement.
const (
	MaxTitle            = 200
	MaxAnnouncementBody = 20000
)

// Announcement is a message to the people of a workspace.
type Announcement struct {
	ID          int64
	WorkspaceID int64
	Title       string
	Body        string
	// Visibility is who it went to and who may read it: a circle and
	// every circle inside it, or everyone (Public: mailed to every circle,
	// shown to anyone and in the feed).
	Visibility Visibility
	AuthorID   int64 // 0: the account is gone
	Recipients int   // mails queued when it was sent
	CreatedAt  time.Time
}

// NewAnnouncement is what the sender types.
type NewAnnouncement struct {
	Title      string
	Body       string
	Visibility Visibility
}

// Clean tidies an announcement and says what is wrong, field by field.
func (n NewAnnouncement) Clean() (NewAnnouncement, error) {
	f := problem.Fields{}
	n.Title = textcheck.Collapse(n.Title)
	n.Body = strings.TrimSpace(strings.ReplaceAll(n.Body, "\r\n", "\n"))
	checkText(f, "title", n.Title, MaxTitle, true)
	checkText(f, "body", n.Body, MaxAnnouncementBody, true)
	if !n.Visibility.Valid() {
		f.Add("visibility", "choice.unknown")
	}
	return n, f.Err()
}

// Recipient is one person an announcement is mailed to.
type Recipient struct {
	MemberID int64
	Name     string
	Email    string
	// Language is the language the person reads mail in, when they have an
	// account and chose one; "" otherwise (the mail is then in both).
	Language string
	// Token is the person's unsubscribe token for this workspace: the
	// letter puts it in a link and in the List-Unsubscribe header.
	Token string
}

// reaches reports whether an announcement of visibility vis goes to
// someone in circle c: public ones go to every circle.
func reaches(vis Visibility, c Circle) bool { return c.Within(vis) }

// circlesReached lists the circles an announcement of visibility vis is
// mailed to.
func circlesReached(vis Visibility) []any {
	var out []any
	for _, c := range Circles {
		if reaches(vis, c) {
			out = append(out, string(c))
		}
	}
	return out
}

// Announce sends an announcement: it is stored, and one mail for each
// active person of the register in the circles it reaches, who has an
// e-mail address and has not unsubscribed, is queued in the same
// transaction. People without an account are in the register too, and
// get it like everyone else. The announcements role may send; core holds
// every role.
func (s *Service) Announce(ctx context.Context, u *account.User, ref string, n NewAnnouncement) (Announcement, error) {
	var a Announcement
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Has(RoleAnnouncements) {
			return errForbidden
		}
		if n, err = n.Clean(); err != nil {
			return err
		}
		now := s.Now.Time()
		a = Announcement{WorkspaceID: ws.ID, Title: n.Title, Body: n.Body, Visibility: n.Visibility, AuthorID: u.ID, CreatedAt: now}
		if err := tx.QueryRow(ctx, `INSERT INTO workspace_announcements (workspace_id, title, body, visibility, author_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, ws.ID, a.Title, a.Body, a.Visibility, u.ID, store.Millis(now)).Scan(&a.ID); err != nil {
			return err
		}
		to, err := s.recipients(ctx, tx, ws, a.Visibility)
		if err != nil {
			return err
		}
		from := u.DisplayName()
		msgs := make([]mail.Message, len(to))
		for i, r := range to {
			msgs[i] = s.Letters.Announcement(ws, a, from, r)
		}
		if err := mail.EnqueueMany(ctx, tx, msgs); err != nil {
			return err
		}
		a.Recipients = len(msgs)
		if _, err := tx.Exec(ctx, `UPDATE workspace_announcements SET recipients = ? WHERE id = ?`, a.Recipients, a.ID); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "workspace.announce", "workspace_announcement", a.ID, map[string]any{
			"workspace": ws.ID, "visibility": string(a.Visibility), "recipients": a.Recipients})
	})
	if err == nil && a.Recipients > 0 {
		s.sent()
	}
	return a, err
}

// recipients lists who an announcement of visibility vis is mailed to,
// with their language and unsubscribe token, in order of membership
// number.
func (s *Service) recipients(ctx context.Context, tx store.Querier, ws Workspace, vis Visibility) ([]Recipient, error) {
	key, err := s.mailKey(ctx, tx, ws.ID)
	if err != nil {
		return nil, err
	}
	circles := circlesReached(vis)
	rows, err := tx.Query(ctx, `SELECT id, COALESCE(user_id, 0), name, email FROM workspace_members
		WHERE workspace_id = ? AND left_on IS NULL AND erased_at IS NULL AND unsubscribed_at IS NULL AND email <> ''
		AND circle IN (`+placeholders(len(circles))+`) ORDER BY number`, append([]any{ws.ID}, circles...)...)
	if err != nil {
		return nil, err
	}
	var out []Recipient
	var users []int64
	userOf := map[int]int64{}
	for rows.Next() {
		var r Recipient
		var uid int64
		if err := rows.Scan(&r.MemberID, &uid, &r.Name, &r.Email); err != nil {
			rows.Close()
			return nil, err
		}
		r.Token = unsubscribeToken(key, r.MemberID)
		if uid != 0 {
			users = append(users, uid)
			userOf[len(out)] = uid
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	langs, err := account.MailLanguages(ctx, tx, users)
	if err != nil {
		return nil, err
	}
	for i, uid := range userOf {
		out[i].Language = langs[uid]
	}
	return out, nil
}

// The unsubscribe link. Its token is the member's id and an HMAC-SHA-256
// of it under a key of the workspace's own (made from crypto/rand at the
// first announcement and kept in its row), cut to 128 bits:
// "<member id>.<mac>". An HMAC rather than a random token stored per
// person, because sending writes nothing per recipient (10,000 stored
// tokens would be 10,000 updates inside the 2 seconds an announcement may
// take, and a new token per mail would leave old links dead), every mail
// to a person carries the same link, which keeps working, and there is no
// new secret per person to export or erase. Guessing a token means
// guessing 128 bits; a key is per workspace, so one workspace's links say
// nothing about another's.

// mailKey returns the workspace's key for unsubscribe links, making it
// the first time.
func (s *Service) mailKey(ctx context.Context, q store.Querier, wsID int64) ([]byte, error) {
	var enc string
	if err := q.QueryRow(ctx, `SELECT mail_key FROM workspaces WHERE id = ?`, wsID).Scan(&enc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errNotFound
		}
		return nil, err
	}
	if enc == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		// Only the first writer's key is kept; everyone reads it back.
		if _, err := q.Exec(ctx, `UPDATE workspaces SET mail_key = ? WHERE id = ? AND mail_key = ''`, base64.StdEncoding.EncodeToString(b), wsID); err != nil {
			return nil, err
		}
		if err := q.QueryRow(ctx, `SELECT mail_key FROM workspaces WHERE id = ?`, wsID).Scan(&enc); err != nil {
			return nil, err
		}
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(key) < 16 {
		return nil, errors.New("workspace: the unsubscribe key in workspaces.mail_key is damaged")
	}
	return key, nil
}

func unsubscribeMAC(key []byte, memberID int64) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("workspace-unsubscribe\x00" + strconv.FormatInt(memberID, 10)))
	return h.Sum(nil)[:16]
}

func unsubscribeToken(key []byte, memberID int64) string {
	return strconv.FormatInt(memberID, 10) + "." + base64.RawURLEncoding.EncodeToString(unsubscribeMAC(key, memberID))
}

var errUnsubscribeLink = problem.New(problem.NotFound, "workspace.unsubscribe_unknown")

// memberOfToken checks an unsubscribe token against the workspace's key
// and returns the member it names.
func (s *Service) memberOfToken(ctx context.Context, q store.Querier, ws Workspace, token string) (int64, error) {
	id, mac, ok := strings.Cut(token, ".")
	if !ok || len(token) > 100 || !textcheck.Valid(token) {
		return 0, errUnsubscribeLink
	}
	memberID, err := strconv.ParseInt(id, 10, 64)
	if err != nil || memberID <= 0 {
		return 0, errUnsubscribeLink
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil {
		return 0, errUnsubscribeLink
	}
	var enc string
	if err := q.QueryRow(ctx, `SELECT mail_key FROM workspaces WHERE id = ?`, ws.ID).Scan(&enc); err != nil {
		return 0, err
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(key) < 16 || !hmac.Equal(got, unsubscribeMAC(key, memberID)) {
		return 0, errUnsubscribeLink
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM workspace_members WHERE id = ? AND workspace_id = ?`, memberID, ws.ID).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, errUnsubscribeLink
	}
	return memberID, nil
}

// Subscription is what an unsubscribe link shows before it is used: the
// workspace and whether the mails have already stopped. It names nobody:
// whoever holds the link sees no name or address.
type Subscription struct {
	Workspace    Workspace
	Unsubscribed bool
}

// SubscriptionByToken reads what an unsubscribe link of workspace ref
// names, for the page that asks to confirm. It needs no session.
func (s *Service) SubscriptionByToken(ctx context.Context, ref, token string) (Subscription, error) {
	ws, err := load(ctx, s.DB, ref)
	if err != nil {
		return Subscription{}, err
	}
	id, err := s.memberOfToken(ctx, s.DB, ws, token)
	if err != nil {
		return Subscription{}, err
	}
	sub := Subscription{Workspace: ws}
	err = s.DB.QueryRow(ctx, `SELECT unsubscribed_at IS NOT NULL FROM workspace_members WHERE id = ?`, id).Scan(&sub.Unsubscribed)
	return sub, err
}

// Unsubscribe stops the workspace's announcements by mail to the person an
// unsubscribe link names. It needs no session: the link is the proof (RFC
// 8058's one-click POST comes from a mail program). Using a link twice
// changes nothing the second time.
func (s *Service) Unsubscribe(ctx context.Context, ref, token string) (Workspace, error) {
	var ws Workspace
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if ws, err = load(ctx, tx, ref); err != nil {
			return err
		}
		id, err := s.memberOfToken(ctx, tx, ws, token)
		if err != nil {
			return err
		}
		return s.setUnsubscribed(ctx, tx, ws.ID, id, true, "link")
	})
	return ws, err
}

// Subscribe starts (true) or stops (false) the announcements by mail for
// u's own row of the register: someone who unsubscribed with a link comes
// back from their record. Only the person may; the register role cannot
// sign anyone up for mail.
func (s *Service) Subscribe(ctx context.Context, u *account.User, ref string, on bool) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.In() {
			return errForbidden
		}
		return s.setUnsubscribed(ctx, tx, ws.ID, v.MemberID, !on, "record")
	})
}

func (s *Service) setUnsubscribed(ctx context.Context, tx store.Querier, wsID, memberID int64, off bool, via string) error {
	query, action := `UPDATE workspace_members SET unsubscribed_at = ?, updated_at = ? WHERE id = ? AND unsubscribed_at IS NULL`, "workspace.unsubscribe"
	args := []any{s.Now.Millis(), s.Now.Millis(), memberID}
	if !off {
		query, action = `UPDATE workspace_members SET unsubscribed_at = NULL, updated_at = ? WHERE id = ? AND unsubscribed_at IS NOT NULL`, "workspace.resubscribe"
		args = args[1:]
	}
	res, err := tx.Exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // already so
	}
	return audit.RecordID(ctx, tx, action, "workspace_member", memberID, map[string]any{"workspace": wsID, "via": via})
}

// MaxAnnouncements is the most announcements one list returns, and
// DefaultAnnouncements how many it returns when asked for none in
// particular.
const (
	MaxAnnouncements     = 500
	DefaultAnnouncements = 100
)

// Announcements lists the announcements u may read, newest first: those
// for u's circle and the circles around it, and the public ones (all that
// someone outside the workspace, or nobody signed in, sees). before pages
// on: only announcements with a smaller id (0: from the newest). The
// second result is the id to page on from, 0 at the end.
func (s *Service) Announcements(ctx context.Context, u *account.User, ref string, before int64, limit int) ([]Announcement, int64, error) {
	if limit <= 0 {
		limit = DefaultAnnouncements
	}
	limit = min(limit, MaxAnnouncements)
	ws, err := load(ctx, s.DB, ref)
	if err != nil {
		return nil, 0, err
	}
	v, err := viewerOf(ctx, s.DB, ws.ID, u)
	if err != nil {
		return nil, 0, err
	}
	var seen []any
	for _, vis := range Visibilities {
		if v.Sees(vis) {
			seen = append(seen, string(vis))
		}
	}
	args := append([]any{ws.ID}, seen...)
	where := ""
	if before > 0 {
		where = " AND id < ?"
		args = append(args, before)
	}
	args = append(args, limit+1)
	rows, err := s.DB.Query(ctx, `SELECT id, workspace_id, title, body, visibility, COALESCE(author_id, 0), recipients, created_at
		FROM workspace_announcements WHERE workspace_id = ? AND visibility IN (`+placeholders(len(seen))+`)`+where+`
		ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Announcement
	for rows.Next() {
		var a Announcement
		var created int64
		if err := rows.Scan(&a.ID, &a.WorkspaceID, &a.Title, &a.Body, &a.Visibility, &a.AuthorID, &a.Recipients, &created); err != nil {
			return nil, 0, err
		}
		a.CreatedAt = store.Time(created)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	// How many people a mail reached is the senders' business.
	if !v.Has(RoleAnnouncements) {
		for i := range out {
			out[i].Recipients = 0
		}
	}
	return out, next, nil
}
