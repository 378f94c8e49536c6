// Package mail sends samen's e-mail through an outbox table. A change that
// causes a mail (a sign-up, a password reset) writes the mail in its own
// transaction; a worker then delivers it by SMTP, or, where no SMTP server is
// configured, writes it to the log for a developer or a demo to read. A crash
// between the change and the delivery loses nothing, and the claim on each row
// keeps several samen processes from sending the same mail twice.
package mail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"samen/internal/personal"
	"samen/internal/store"
)

// Message is one mail to one person, in plain text.
type Message struct {
	To      string
	Subject string
	Body    string
	// ReplyTo is where answers go when that is not the sender: a visitor
	// who wrote through a contact form.
	ReplyTo string
	// ListUnsubscribe is where the recipient stops mail of this kind (a
	// workspace's announcements): an absolute http or https URL, sent as
	// the List-Unsubscribe header (RFC 2369). Empty for mail one cannot
	// unsubscribe from (a password reset).
	ListUnsubscribe string
	// OneClick adds List-Unsubscribe-Post: List-Unsubscribe=One-Click
	// (RFC 8058): a POST to ListUnsubscribe unsubscribes at once, without
	// a session or another page, so mail programs can offer their own
	// button.
	OneClick bool
}

// Queued is a message as stored in the outbox.
type Queued struct {
	Message
	ID        int64
	CreatedAt time.Time
	Status    string // pending, sent, logged, failed
	Attempts  int
	LastError string
	SentAt    time.Time
}

// Enqueue writes msg to the outbox. Call it in the transaction of the change
// that causes the mail.
func Enqueue(ctx context.Context, q store.Querier, msg Message) error {
	return EnqueueMany(ctx, q, []Message{msg})
}

// check refuses a message that cannot be sent as it is, or whose headers
// would let its text add headers of its own.
func check(msg Message) error {
	if _, err := mail.ParseAddress(msg.To); err != nil {
		return fmt.Errorf("mail to %q: %w", msg.To, err)
	}
	if strings.ContainsAny(msg.Subject, "\r\n") {
		return errors.New("mail subject contains a line break")
	}
	if msg.ReplyTo != "" {
		if _, err := mail.ParseAddress(msg.ReplyTo); err != nil {
			return fmt.Errorf("mail reply-to %q: %w", msg.ReplyTo, err)
		}
	}
	if msg.ListUnsubscribe != "" {
		// Header text: no line breaks, nothing that ends the <…> around the
		// URL, no spaces or controls.
		if strings.ContainsFunc(msg.ListUnsubscribe, func(r rune) bool { return r <= ' ' || r == '<' || r == '>' || r == 0x7f || r > 0x7e }) {
			return fmt.Errorf("mail list-unsubscribe %q: not a plain URL", msg.ListUnsubscribe)
		}
		u, err := url.Parse(msg.ListUnsubscribe)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("mail list-unsubscribe %q: not an absolute http(s) URL", msg.ListUnsubscribe)
		}
	} else if msg.OneClick {
		return errors.New("mail one-click unsubscribe without a List-Unsubscribe URL")
	}
	return nil
}

// enqueueBatch is how many mails one INSERT writes: 500 rows of 8 values
// stay far below both engines' limit on placeholders (32766 for SQLite,
// 65535 for PostgreSQL) while a 10,000-mail announcement takes 20
// statements instead of 10,000.
const enqueueBatch = 500

// EnqueueMany writes msgs to the outbox with multi-row INSERTs, in the
// caller's transaction: all of them or, when one is refused, none (nothing
// is written before every message is checked).
func EnqueueMany(ctx context.Context, q store.Querier, msgs []Message) error {
	for _, msg := range msgs {
		if err := check(msg); err != nil {
			return err
		}
	}
	now := store.Now()
	const row = "(?, ?, ?, ?, ?, ?, ?, ?)"
	for len(msgs) > 0 {
		batch := msgs[:min(len(msgs), enqueueBatch)]
		msgs = msgs[len(batch):]
		var b strings.Builder
		b.WriteString(`INSERT INTO mail_outbox (created_at, to_addr, subject, body, reply_to, next_try_at, list_unsubscribe, one_click) VALUES `)
		args := make([]any, 0, 8*len(batch))
		for i, msg := range batch {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
			oneClick := 0
			if msg.OneClick {
				oneClick = 1
			}
			args = append(args, now, msg.To, msg.Subject, msg.Body, msg.ReplyTo, now, msg.ListUnsubscribe, oneClick)
		}
		if _, err := q.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

const queuedColumns = `id, created_at, to_addr, subject, body, reply_to, list_unsubscribe, one_click, status, attempts, last_error, COALESCE(sent_at, 0)`

func scanQueued(rows *sql.Rows) (Queued, error) {
	var m Queued
	var created, sent int64
	var oneClick int
	err := rows.Scan(&m.ID, &created, &m.To, &m.Subject, &m.Body, &m.ReplyTo, &m.ListUnsubscribe, &oneClick, &m.Status, &m.Attempts, &m.LastError, &sent)
	m.CreatedAt, m.OneClick = store.Time(created), oneClick == 1
	if sent != 0 {
		m.SentAt = store.Time(sent)
	}
	return m, err
}

// List returns the newest messages in the outbox, newest first.
func List(ctx context.Context, q store.Querier, limit int) ([]Queued, error) {
	rows, err := q.Query(ctx, `SELECT `+queuedColumns+`
		FROM mail_outbox ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Queued
	for rows.Next() {
		m, err := scanQueued(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SentTo counts the messages queued for an address since a time (Unix
// milliseconds), so callers can stop a form from flooding someone's inbox.
func SentTo(ctx context.Context, q store.Querier, addr string, since int64) (int, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM mail_outbox WHERE to_addr = ? AND created_at > ?", addr, since).Scan(&n)
	return n, err
}

// About returns the messages to an address, and those sent on its behalf
// (a contact form's Reply-To), oldest first: a person's share of the
// outbox, for the export of their data. addr is lower case, as accounts
// store it.
func About(ctx context.Context, q store.Querier, addr string) ([]Queued, error) {
	rows, err := q.Query(ctx, `SELECT `+queuedColumns+`
		FROM mail_outbox WHERE lower(to_addr) = ? OR lower(reply_to) = ? ORDER BY id`, addr, addr)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Queued
	for rows.Next() {
		m, err := scanQueued(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Forget deletes the messages to an erased person and those sent on their
// behalf, and takes their address and name out of the others (a mail to
// an initiative's editors that names them, say). A mail still waiting is
// deleted too: it cannot reach an address that no longer exists. It
// returns how many messages it deleted.
func Forget(ctx context.Context, q store.Querier, p personal.Person) (int64, error) {
	res, err := q.Exec(ctx, `DELETE FROM mail_outbox WHERE lower(to_addr) = ? OR lower(reply_to) = ?`, p.Email, p.Email)
	if err != nil {
		return 0, err
	}
	deleted, _ := res.RowsAffected()
	other := p.ForOthers()
	like := other.Like()
	rows, err := q.Query(ctx, `SELECT id, subject, body FROM mail_outbox
		WHERE lower(subject) LIKE ? OR lower(subject) LIKE ? OR lower(body) LIKE ? OR lower(body) LIKE ?`,
		like[0], like[1], like[0], like[1])
	if err != nil {
		return 0, err
	}
	type change struct {
		id            int64
		subject, body string
	}
	var changes []change
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.id, &c.subject, &c.body); err != nil {
			rows.Close()
			return 0, err
		}
		subject, a := other.Scrub(c.subject)
		body, b := other.Scrub(c.body)
		if a || b {
			changes = append(changes, change{c.id, subject, body})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, c := range changes {
		if _, err := q.Exec(ctx, `UPDATE mail_outbox SET subject = ?, body = ? WHERE id = ?`, c.subject, c.body, c.id); err != nil {
			return 0, err
		}
	}
	return deleted, nil
}

// Pending counts messages waiting to be delivered (for metrics).
func Pending(ctx context.Context, q store.Querier) (int, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM mail_outbox WHERE status = 'pending'").Scan(&n)
	return n, err
}

// Deliverer hands one message to the world. It reports the status the row
// gets on success: "sent" for SMTP, "logged" for the log.
type Deliverer interface {
	Deliver(ctx context.Context, m Message) (status string, err error)
}

// SMTP delivers through an SMTP server.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	TLS      string // "starttls", "tls" or "none"
}

func (s SMTP) Deliver(ctx context.Context, m Message) (string, error) {
	msg := gomail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return "", fmt.Errorf("from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return "", fmt.Errorf("to address: %w", err)
	}
	msg.Subject(m.Subject)
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return "", err
		}
	}
	if m.ListUnsubscribe != "" {
		// Checked by Enqueue: a plain URL, written as it is.
		msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribe, "<"+m.ListUnsubscribe+">")
		if m.OneClick {
			msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
		}
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(30 * time.Second)}
	switch s.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.Username != "" {
		auth := gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover)
		if s.TLS == "none" {
			// Without TLS go-mail's discovery never picks PLAIN or LOGIN, the
			// only mechanisms most servers offer, so the credentials would
			// never be used. The operator chose a plain-text connection (a
			// relay on localhost or a private network): prefer mechanisms that
			// keep the password off the wire, and fall back to PLAIN and LOGIN.
			auth = gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc)
		}
		opts = append(opts, auth, gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	c, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return "", err
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return "", err
	}
	return "sent", nil
}

// Log writes each message to the log instead of sending it: the mode for
// development and demos, where stewards read the mails on the outbox page.
type Log struct{ Logger *slog.Logger }

func (l Log) Deliver(_ context.Context, m Message) (string, error) {
	l.Logger.Info("mail (not sent: no SMTP server configured)", "to", m.To, "subject", m.Subject, "body", m.Body)
	return "logged", nil
}

// Worker delivers due messages from the outbox.
type Worker struct {
	DB        *store.DB
	Deliverer Deliverer
	Logger    *slog.Logger
	Name      string        // identifies this process in claims
	Interval  time.Duration // how often to look for due mail without a Kick; default 5s

	once sync.Once
	kick chan struct{}
}

// maxAttempts bounds retries: with the backoff below, about a day of trying.
const maxAttempts = 10

func (w *Worker) init() {
	w.once.Do(func() { w.kick = make(chan struct{}, 1) })
}

// Kick asks the worker to look at the outbox now (after an Enqueue).
func (w *Worker) Kick() {
	w.init()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run delivers mail until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	interval := w.Interval
	if interval <= 0 {
		interval = 5 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := w.SendDue(ctx); err != nil && ctx.Err() == nil {
			w.Logger.Error("mail outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.kick:
		}
	}
}

// SendDue delivers every message that is due and not claimed by another
// process, and returns how many it delivered.
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	now := store.Now()
	ids, err := store.IDs(ctx, w.DB, `SELECT id FROM mail_outbox
		WHERE status = 'pending' AND next_try_at <= ? AND claimed_until < ? ORDER BY id LIMIT 50`, now, now)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, id := range ids {
		ok, err := w.deliverOne(ctx, id)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// deliverOne claims a row with a conditional UPDATE (only one process can
// win it), delivers, and records the outcome.
func (w *Worker) deliverOne(ctx context.Context, id int64) (bool, error) {
	now := store.Now()
	// next_try_at is checked again because another process may have tried
	// and failed this row since SendDue picked it; its backoff must hold.
	res, err := w.DB.Exec(ctx, `UPDATE mail_outbox SET claimed_by = ?, claimed_until = ?
		WHERE id = ? AND status = 'pending' AND next_try_at <= ? AND claimed_until < ?`,
		w.Name, now+int64(5*time.Minute/time.Millisecond), id, now, now)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil // another process has it
	}
	var m Message
	var attempts, oneClick int
	if err := w.DB.QueryRow(ctx, "SELECT to_addr, subject, body, reply_to, list_unsubscribe, one_click, attempts FROM mail_outbox WHERE id = ?", id).
		Scan(&m.To, &m.Subject, &m.Body, &m.ReplyTo, &m.ListUnsubscribe, &oneClick, &attempts); err != nil {
		return false, err
	}
	m.OneClick = oneClick == 1
	dctx, cancel := context.WithTimeout(ctx, time.Minute)
	status, derr := w.Deliverer.Deliver(dctx, m)
	cancel()
	if derr == nil {
		_, err = w.DB.Exec(ctx, `UPDATE mail_outbox SET status = ?, attempts = ?, sent_at = ?, claimed_until = 0, last_error = '' WHERE id = ?`,
			status, attempts+1, store.Now(), id)
		return err == nil, err
	}
	attempts++
	status = "pending"
	if attempts >= maxAttempts {
		status = "failed"
	}
	// Back off exponentially from 30 seconds, so a mail server that is down
	// for maintenance is not hammered and a mail still arrives the same day.
	backoff := 30 * time.Second << min(attempts-1, 12)
	w.Logger.Warn("mail delivery failed", "id", id, "attempt", attempts, "err", derr)
	_, err = w.DB.Exec(ctx, `UPDATE mail_outbox SET status = ?, attempts = ?, next_try_at = ?, claimed_until = 0, last_error = ? WHERE id = ?`,
		status, attempts, store.Now()+backoff.Milliseconds(), truncate(derr.Error(), 500), id)
	return false, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
