package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"samen/internal/mail"
	"samen/internal/mail/mailtest"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

const sender = "noreply@samen.test"

// smtpTo returns a Deliverer for srv, as an operator would configure it for a
// relay without TLS.
func smtpTo(srv *mailtest.Server) mail.SMTP {
	return mail.SMTP{Host: srv.Host(), Port: srv.Port(), From: "samen <" + sender + ">", TLS: "none"}
}

func newWorker(db *store.DB, d mail.Deliverer, name string) *mail.Worker {
	return &mail.Worker{DB: db, Deliverer: d, Logger: slog.New(slog.DiscardHandler), Name: name}
}

func enqueue(t *testing.T, db *store.DB, msg mail.Message) {
	t.Helper()
	if err := mail.Enqueue(context.Background(), db, msg); err != nil {
		t.Fatalf("Enqueue(%+v): %v", msg, err)
	}
}

// sendDue runs one SendDue and checks how many mails it reports delivered.
func sendDue(t *testing.T, w *mail.Worker, want int) {
	t.Helper()
	n, err := w.SendDue(context.Background())
	if err != nil {
		t.Fatalf("SendDue: %v", err)
	}
	if n != want {
		t.Fatalf("SendDue delivered %d, want %d", n, want)
	}
}

func list(t *testing.T, db *store.DB) []mail.Queued {
	t.Helper()
	qs, err := mail.List(context.Background(), db, 1000)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return qs
}

// only returns the single row of the outbox.
func only(t *testing.T, db *store.DB) mail.Queued {
	t.Helper()
	qs := list(t, db)
	if len(qs) != 1 {
		t.Fatalf("outbox has %d rows, want 1: %+v", len(qs), qs)
	}
	return qs[0]
}

func pending(t *testing.T, db *store.DB) int {
	t.Helper()
	n, err := mail.Pending(context.Background(), db)
	if err != nil {
		t.Fatalf("Pending: %v", err)
	}
	return n
}

// makeDue makes every pending mail due now, as if its backoff had passed.
func makeDue(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := db.Exec(context.Background(), "UPDATE mail_outbox SET next_try_at = 0"); err != nil {
		t.Fatal(err)
	}
}

// parsed is a received mail as its reader would see it.
type parsed struct {
	Header  netmail.Header
	Subject string
	Body    string // decoded, with LF line endings
}

// parse reads raw RFC 5322 data and decodes the subject and the text body
// from whatever encoding the sender chose.
func parse(t *testing.T, raw string) parsed {
	t.Helper()
	m, err := netmail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("parsing received mail: %v\n%s", err, raw)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decoding Subject %q: %v", m.Header.Get("Subject"), err)
	}
	if ct, params, err := mime.ParseMediaType(m.Header.Get("Content-Type")); err != nil || ct != "text/plain" {
		t.Fatalf("Content-Type %q (%v), want text/plain", m.Header.Get("Content-Type"), err)
	} else if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "us-ascii" {
		t.Fatalf("charset %q, want UTF-8", cs)
	}
	var body io.Reader = m.Body
	switch cte := strings.ToLower(m.Header.Get("Content-Transfer-Encoding")); cte {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, newlineStripper{body})
	case "", "7bit", "8bit":
	default:
		t.Fatalf("unexpected Content-Transfer-Encoding %q", cte)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("decoding body: %v\n%s", err, raw)
	}
	return parsed{Header: m.Header, Subject: subject, Body: strings.ReplaceAll(string(b), "\r\n", "\n")}
}

// newlineStripper drops line breaks, which base64 bodies carry every 76
// characters and encoding/base64 tolerates only as "\n" on its own.
type newlineStripper struct{ r io.Reader }

func (s newlineStripper) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}

func TestSendDeliversOverSMTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := mailtest.Start(t)
		w := newWorker(db, smtpTo(srv), "w1")
		// Non-ASCII and a line longer than 76 characters, so that the
		// sender has to encode both subject and body.
		msg := mail.Message{
			To:      "Anna de Vries <anna@example.org>",
			Subject: "Welkom bij samen — bevestig je adres",
			Body: "Hallo Anna,\n\nKlik op de link om je adres te bevestigen; hij is één dag geldig en werkt maar één keer:\n" +
				"https://samen.test/confirm?token=abc123\n\nGroet,\nsamen\n",
		}
		enqueue(t, db, msg)
		if n := pending(t, db); n != 1 {
			t.Fatalf("Pending after Enqueue = %d, want 1", n)
		}
		if got := len(srv.Messages()); got != 0 {
			t.Fatalf("server has %d messages before SendDue", got)
		}

		before := time.Now().Add(-time.Second)
		sendDue(t, w, 1)

		got := srv.Messages()
		if len(got) != 1 {
			t.Fatalf("server received %d messages, want 1", len(got))
		}
		r := got[0]
		if len(r.To) != 1 || r.To[0] != "anna@example.org" {
			t.Errorf("envelope recipients %q, want [anna@example.org]", r.To)
		}
		if r.From != sender {
			t.Errorf("envelope sender %q, want %q", r.From, sender)
		}
		p := parse(t, r.Data)
		if p.Subject != msg.Subject {
			t.Errorf("Subject %q, want %q", p.Subject, msg.Subject)
		}
		if to, err := p.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "anna@example.org" || to[0].Name != "Anna de Vries" {
			t.Errorf("To header %q parses as %v, %v", p.Header.Get("To"), to, err)
		}
		if from, err := p.Header.AddressList("From"); err != nil || len(from) != 1 || from[0].Address != sender {
			t.Errorf("From header %q parses as %v, %v", p.Header.Get("From"), from, err)
		}
		// The sender may add a final line break; the text itself must be
		// intact.
		if strings.TrimRight(p.Body, "\n") != strings.TrimRight(msg.Body, "\n") {
			t.Errorf("body:\n%q\nwant:\n%q", p.Body, msg.Body)
		}

		q := only(t, db)
		if q.Status != "sent" || q.Attempts != 1 || q.LastError != "" {
			t.Errorf("outbox row: status %q attempts %d last_error %q, want sent, 1, empty", q.Status, q.Attempts, q.LastError)
		}
		if q.SentAt.Before(before) || q.SentAt.After(time.Now().Add(time.Second)) {
			t.Errorf("SentAt %v, want about now", q.SentAt)
		}
		if q.To != msg.To || q.Subject != msg.Subject || q.Body != msg.Body {
			t.Errorf("outbox row holds %+v, want %+v", q.Message, msg)
		}
		if n := pending(t, db); n != 0 {
			t.Errorf("Pending after delivery = %d, want 0", n)
		}

		// A sent mail is never sent again.
		sendDue(t, w, 0)
		if got := len(srv.Messages()); got != 1 {
			t.Errorf("server has %d messages after a second SendDue, want 1", got)
		}
	})
}

func TestSendWithSMTPAuth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := mailtest.Start(t)
		srv.RequireAuth("samen", "s3cret")
		enqueue(t, db, mail.Message{To: "bob@example.org", Subject: "Hallo", Body: "Hoi Bob"})

		// Without the right password the server refuses, so that the
		// delivery below shows the credentials were used, not ignored.
		wrong := smtpTo(srv)
		wrong.Username, wrong.Password = "samen", "wrong"
		sendDue(t, newWorker(db, wrong, "wrong"), 0)
		// 535 is the server refusing the password: the client did offer it.
		if q := only(t, db); q.Status != "pending" || q.Attempts != 1 || !strings.Contains(q.LastError, "535") {
			t.Fatalf("after a refused login: status %q attempts %d last_error %q, want pending, 1, a 535", q.Status, q.Attempts, q.LastError)
		}
		if got := len(srv.Messages()); got != 0 {
			t.Fatalf("server accepted %d messages with a wrong password", got)
		}

		makeDue(t, db)
		right := smtpTo(srv)
		right.Username, right.Password = "samen", "s3cret"
		sendDue(t, newWorker(db, right, "right"), 1)
		got := srv.Messages()
		if len(got) != 1 || got[0].User != "samen" {
			t.Fatalf("server received %+v, want one message from user samen", got)
		}
		if q := only(t, db); q.Status != "sent" || q.Attempts != 2 || q.LastError != "" {
			t.Errorf("outbox row: status %q attempts %d last_error %q, want sent, 2, empty", q.Status, q.Attempts, q.LastError)
		}
	})
}

func TestTemporaryFailureIsRetriedAfterBackoff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := mailtest.Start(t)
		w := newWorker(db, smtpTo(srv), "w1")
		enqueue(t, db, mail.Message{To: "carla@example.org", Subject: "Herinnering", Body: "Morgen om 10 uur."})

		srv.FailNext(1)
		sendDue(t, w, 0)
		if srv.Rejected() != 1 || len(srv.Messages()) != 0 {
			t.Fatalf("server rejected %d and accepted %d, want 1 and 0", srv.Rejected(), len(srv.Messages()))
		}
		q := only(t, db)
		if q.Status != "pending" || q.Attempts != 1 {
			t.Fatalf("after a temporary failure: status %q attempts %d, want pending, 1", q.Status, q.Attempts)
		}
		if !strings.Contains(q.LastError, "451") {
			t.Errorf("last_error %q does not carry the server's 451", q.LastError)
		}

		// The backoff holds: trying again at once delivers nothing and
		// does not even reach the server.
		sendDue(t, w, 0)
		if srv.Rejected() != 1 || len(srv.Messages()) != 0 {
			t.Fatalf("retried before next_try_at: server rejected %d and accepted %d", srv.Rejected(), len(srv.Messages()))
		}
		if q := only(t, db); q.Attempts != 1 {
			t.Fatalf("attempts %d after a SendDue within the backoff, want 1", q.Attempts)
		}

		makeDue(t, db)
		sendDue(t, w, 1)
		got := srv.Messages()
		if len(got) != 1 || parse(t, got[0].Data).Subject != "Herinnering" {
			t.Fatalf("server received %+v, want the reminder", got)
		}
		if q := only(t, db); q.Status != "sent" || q.Attempts != 2 || q.LastError != "" {
			t.Errorf("outbox row: status %q attempts %d last_error %q, want sent, 2, empty", q.Status, q.Attempts, q.LastError)
		}
	})
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := mailtest.Start(t)
		w := newWorker(db, smtpTo(srv), "w1")
		enqueue(t, db, mail.Message{To: "dirk@example.org", Subject: "S", Body: "B"})

		// Nine attempts failed already; the tenth is the last.
		if _, err := db.Exec(context.Background(), "UPDATE mail_outbox SET attempts = 9"); err != nil {
			t.Fatal(err)
		}
		srv.FailNext(1)
		sendDue(t, w, 0)
		if q := only(t, db); q.Status != "failed" || q.Attempts != 10 || q.LastError == "" {
			t.Fatalf("after the last attempt: status %q attempts %d last_error %q, want failed, 10, set", q.Status, q.Attempts, q.LastError)
		}
		if n := pending(t, db); n != 0 {
			t.Errorf("Pending = %d, want 0 for a failed mail", n)
		}
		makeDue(t, db)
		sendDue(t, w, 0)
		if srv.Rejected() != 1 || len(srv.Messages()) != 0 {
			t.Errorf("a failed mail was tried again")
		}
	})
}

func TestRacingWorkersDeliverEachMailOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := mailtest.Start(t)
		const total = 20
		for i := range total {
			enqueue(t, db, mail.Message{To: fmt.Sprintf("p%d@example.org", i), Subject: fmt.Sprintf("mail %d", i), Body: "x"})
		}
		workers := []*mail.Worker{newWorker(db, smtpTo(srv), "a"), newWorker(db, smtpTo(srv), "b")}

		var (
			mu        sync.Mutex
			delivered int
			errs      []error
		)
		for range 4 {
			var wg sync.WaitGroup
			for _, w := range workers {
				wg.Go(func() {
					n, err := w.SendDue(context.Background())
					mu.Lock()
					defer mu.Unlock()
					delivered += n
					if err != nil {
						errs = append(errs, err)
					}
				})
			}
			wg.Wait()
		}
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("SendDue: %v", err)
		}

		got := srv.Messages()
		seen := map[string]int{}
		for _, r := range got {
			seen[parse(t, r.Data).Subject]++
		}
		for i := range total {
			if s := fmt.Sprintf("mail %d", i); seen[s] != 1 {
				t.Errorf("%q arrived %d times, want once", s, seen[s])
			}
		}
		if len(got) != total || delivered != total {
			t.Errorf("server received %d and workers reported %d, want %d each", len(got), delivered, total)
		}
		for _, q := range list(t, db) {
			if q.Status != "sent" || q.Attempts != 1 {
				t.Errorf("mail %d: status %q attempts %d, want sent, 1", q.ID, q.Status, q.Attempts)
			}
		}
	})
}

// gate is a Deliverer that holds its first delivery until released, so a
// test can make another worker act in the middle of this one's SendDue.
type gate struct {
	mail.Deliverer
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func (g *gate) Deliver(ctx context.Context, m mail.Message) (string, error) {
	g.once.Do(func() {
		close(g.entered)
		<-g.release
	})
	return g.Deliverer.Deliver(ctx, m)
}

// A worker picks the due mails first and claims them one by one after. A
// mail that another worker tried and failed in between must wait for its
// backoff, not be tried again at once.
func TestFailedMailIsNotRetriedByAnotherWorker(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := mailtest.Start(t)
		enqueue(t, db, mail.Message{To: "one@example.org", Subject: "one", Body: "1"})
		enqueue(t, db, mail.Message{To: "two@example.org", Subject: "two", Body: "2"})

		g := &gate{Deliverer: smtpTo(srv), entered: make(chan struct{}), release: make(chan struct{})}
		slow := newWorker(db, g, "slow")
		done := make(chan error, 1)
		go func() {
			_, err := slow.SendDue(context.Background())
			done <- err
		}()
		// slow has read both ids and holds "one" in its Deliverer.
		<-g.entered

		// Meanwhile another worker tries "two", and the server refuses it.
		srv.FailNext(1)
		sendDue(t, newWorker(db, smtpTo(srv), "fast"), 0)
		if srv.Rejected() != 1 {
			t.Fatalf("server rejected %d, want 1", srv.Rejected())
		}

		close(g.release)
		if err := <-done; err != nil {
			t.Fatalf("slow SendDue: %v", err)
		}
		got := srv.Messages()
		if len(got) != 1 || parse(t, got[0].Data).Subject != "one" {
			var subjects []string
			for _, r := range got {
				subjects = append(subjects, parse(t, r.Data).Subject)
			}
			t.Errorf("server received %q, want only \"one\": \"two\" was retried within its backoff", subjects)
		}
		for _, q := range list(t, db) {
			if q.Subject == "two" && (q.Status != "pending" || q.Attempts != 1) {
				t.Errorf("mail two: status %q attempts %d, want pending, 1", q.Status, q.Attempts)
			}
		}
	})
}

func TestEnqueueRejectsBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, msg := range []mail.Message{
			{To: "not an address", Subject: "S", Body: "B"},
			{To: "", Subject: "S", Body: "B"},
			{To: "eve@example.org\r\nBcc: all@example.org", Subject: "S", Body: "B"},
			{To: "eve@example.org", Subject: "S\r\nBcc: all@example.org", Body: "B"},
			{To: "eve@example.org", Subject: "S\nX-Injected: yes", Body: "B"},
			{To: "eve@example.org", Subject: "S\r", Body: "B"},
		} {
			if err := mail.Enqueue(context.Background(), db, msg); err == nil {
				t.Errorf("Enqueue(%q, %q) succeeded, want an error", msg.To, msg.Subject)
			}
		}
		if qs := list(t, db); len(qs) != 0 {
			t.Errorf("outbox has %d rows after rejected mails: %+v", len(qs), qs)
		}
	})
}

func TestLogMode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var buf bytes.Buffer
		w := newWorker(db, mail.Log{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}, "w1")
		msg := mail.Message{To: "emma@example.org", Subject: "Je wachtwoord", Body: "Nieuw wachtwoord instellen:\nhttps://samen.test/reset?token=xyz\n"}
		enqueue(t, db, msg)
		sendDue(t, w, 1)

		q := only(t, db)
		if q.Status != "logged" || q.Attempts != 1 || q.SentAt.IsZero() {
			t.Errorf("outbox row: status %q attempts %d sent_at %v, want logged, 1, set", q.Status, q.Attempts, q.SentAt)
		}
		var rec struct{ To, Subject, Body string }
		if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
			t.Fatalf("log is not one JSON record: %v\n%s", err, buf.String())
		}
		if rec.To != msg.To || rec.Subject != msg.Subject || rec.Body != msg.Body {
			t.Errorf("logged %+v, want %+v", rec, msg)
		}

		// Logged once, not again.
		buf.Reset()
		sendDue(t, w, 0)
		if buf.Len() != 0 {
			t.Errorf("second SendDue logged again: %s", buf.String())
		}
	})
}

func TestEnqueueFollowsTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		errRollback := errors.New("the change failed")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := mail.Enqueue(ctx, tx, mail.Message{To: "frank@example.org", Subject: "Lost", Body: "B"}); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("InTx = %v, want %v", err, errRollback)
		}
		if qs := list(t, db); len(qs) != 0 {
			t.Fatalf("outbox has %d rows after a rollback: %+v", len(qs), qs)
		}

		// The same in a committed transaction is kept, so the empty outbox
		// above is the rollback's doing.
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			return mail.Enqueue(ctx, tx, mail.Message{To: "frank@example.org", Subject: "Kept", Body: "B"})
		}); err != nil {
			t.Fatal(err)
		}
		if q := only(t, db); q.Subject != "Kept" || q.Status != "pending" {
			t.Errorf("outbox row %+v, want the committed mail, pending", q)
		}
	})
}

func TestRunDeliversOnKick(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := mailtest.Start(t)
		w := newWorker(db, smtpTo(srv), "w1")
		// A long interval, so that only Kick can explain a prompt delivery
		// of a mail enqueued after Run's first look.
		w.Interval = time.Hour
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			w.Run(ctx)
		}()
		t.Cleanup(func() { cancel(); <-done })

		// The first mail may go out on Run's first pass or on the Kick;
		// once it has arrived that pass is over, so the second mail can
		// only go out on its Kick.
		for i, subject := range []string{"first", "second"} {
			enqueue(t, db, mail.Message{To: "gert@example.org", Subject: subject, Body: "B"})
			w.Kick()
			got := srv.WaitFor(t, i+1, 10*time.Second)
			if len(got) != i+1 || parse(t, got[i].Data).Subject != subject {
				t.Fatalf("received %d messages, want %d, the last %q", len(got), i+1, subject)
			}
		}
	})
}
