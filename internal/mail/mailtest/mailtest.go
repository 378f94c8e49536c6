// Package mailtest runs a real SMTP server on the loopback interface for
// tests, so that the mail package is tested against the protocol as a mail
// server speaks it rather than against a fake Deliverer.
//
// The server has no TLS: clients must use the TLS policy "none" against it.
package mailtest

import (
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message the server accepted.
type Received struct {
	From string   // envelope sender (MAIL FROM)
	To   []string // envelope recipients (RCPT TO)
	Data string   // the message as sent, in RFC 5322 form
	User string   // the user the client authenticated as; empty without AUTH
}

// Server is a running SMTP server. Its methods are safe for concurrent use.
type Server struct {
	srv  *smtp.Server
	addr *net.TCPAddr

	mu       sync.Mutex
	msgs     []Received
	changed  chan struct{} // closed and replaced whenever a message arrives
	failNext int
	rejected int
	user     string // when set, AUTH PLAIN with user and pass is required
	pass     string
}

// Start starts a server on 127.0.0.1 at a free port. It stops when the test
// ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{changed: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.srv.Domain = "mailtest.localhost"
	// Without TLS, go-smtp offers AUTH only when told that plain-text
	// credentials are fine, which they are on the loopback interface.
	s.srv.AllowInsecureAuth = true
	// Timeouts keep a stuck client from hanging the test run forever.
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.MaxMessageBytes = 10 << 20
	// Connection errors after Close are expected noise; the test sees
	// everything that matters through the client and Messages.
	s.srv.ErrorLog = log.New(io.Discard, "", 0)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listening: %v", err)
	}
	s.addr = l.Addr().(*net.TCPAddr)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.srv.Serve(l)
	}()
	t.Cleanup(func() {
		_ = s.srv.Close()
		<-done
	})
	return s
}

// Host returns the address the server listens on.
func (s *Server) Host() string { return s.addr.IP.String() }

// Port returns the port the server listens on.
func (s *Server) Port() int { return s.addr.Port }

// Messages returns a copy of every message accepted so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.copyLocked()
}

func (s *Server) copyLocked() []Received {
	out := make([]Received, len(s.msgs))
	for i, m := range s.msgs {
		m.To = append([]string(nil), m.To...)
		out[i] = m
	}
	return out
}

// WaitFor waits until at least n messages have arrived and returns them all;
// it fails the test if they have not arrived within timeout. Like t.Fatal, it
// must be called from the test's goroutine.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			out := s.copyLocked()
			s.mu.Unlock()
			return out
		}
		got, changed := len(s.msgs), s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("mailtest: %d of %d messages arrived within %v", got, n, timeout)
			return nil
		}
	}
}

// FailNext makes the server answer the next n DATA commands with a temporary
// error (451), as a mail server does when it is overloaded or its disk is
// full; the client should try again later.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = n
}

// Rejected returns how many DATA commands were refused because of FailNext,
// that is how many delivery attempts failed.
func (s *Server) Rejected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

// RequireAuth makes the server offer AUTH PLAIN and refuse mail from clients
// that have not authenticated as user with pass. It affects connections made
// after the call.
func (s *Server) RequireAuth(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.pass = user, pass
}

// errTemporary is what a failing DATA gets: 451 tells the client that
// nothing was accepted and that it may try again.
var errTemporary = &smtp.SMTPError{
	Code:         451,
	EnhancedCode: smtp.EnhancedCode{4, 3, 0},
	Message:      "mailtest: temporary failure, try again later",
}

func (s *Server) newSession(*smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The session keeps the credentials required when it began, so that a
	// RequireAuth during a transaction does not change its rules halfway.
	return &session{srv: s, user: s.user, pass: s.pass}, nil
}

// session is one SMTP connection.
type session struct {
	srv        *Server
	user, pass string // required credentials; empty when AUTH is not required
	authedAs   string

	from string
	to   []string
}

var _ smtp.AuthSession = (*session)(nil)

func (se *session) AuthMechanisms() []string {
	if se.user == "" {
		return nil // no AUTH advertised, as on a relay that trusts its network
	}
	return []string{sasl.Plain}
}

func (se *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || se.user == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if identity != "" && identity != username {
			return errors.New("identity differs from username")
		}
		if username != se.user || password != se.pass {
			return smtp.ErrAuthFailed
		}
		se.authedAs = username
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.user != "" && se.authedAs == "" {
		return smtp.ErrAuthRequired
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	// go-smtp requires r to be consumed before Data returns, whatever the
	// answer.
	var b strings.Builder
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	s := se.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		s.rejected++
		return errTemporary
	}
	s.msgs = append(s.msgs, Received{
		From: se.from,
		To:   append([]string(nil), se.to...),
		Data: b.String(),
		User: se.authedAs,
	})
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

func (se *session) Reset() {
	se.from = ""
	se.to = nil
}

func (se *session) Logout() error { return nil }
