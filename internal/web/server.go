// Package web is samen's HTTP face: routing, middleware (language, session,
// CSRF, CSP, authorisation), HTML pages and the JSON API. Handlers call the
// domain packages and render what comes back; they never write SQL.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"samen/internal/account"
	"samen/internal/assess"
	"samen/internal/atlas"
	"samen/internal/decide"
	"samen/internal/fund"
	"samen/internal/personal"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
	"samen/internal/toolbox"
	"samen/internal/web/i18n"
	"samen/internal/workspace"
)

//go:embed templates/*/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options is what the server needs from configuration.
type Options struct {
	BaseURL        string // absolute, without trailing slash
	MailToLog      bool   // no SMTP: mails go to the log and the outbox page
	TrustedProxies []netip.Prefix
	OIDC           *OIDCProvider // nil when not configured
	Version        string
	// Map is how the atlas map is drawn: the basemap, if any.
	Map MapOptions
	// MetricsToken, when set, is the bearer token /metrics asks for;
	// MetricsElsewhere: /metrics is served on an address of its own
	// (MetricsHandler), and the site answers 404 for it.
	MetricsToken     string
	MetricsElsewhere bool
}

// Parts are the domain services the site serves. cmd/samen builds them,
// with their seed data and mail writers, and hands them to New; the web
// layer only calls them.
type Parts struct {
	Accounts   *account.Service
	Atlas      *atlas.Service // with its map index loaded, or loading
	Toolbox    *toolbox.Service
	Assess     *assess.Service
	Workspaces *workspace.Service
	Decisions  *decide.Service
	// Funding: campaigns, match pools, expenses and the public ledger.
	Funding *fund.Service
	// People are the parts that keep data about people, for a person's
	// export and erasure (package personal); the account part among them.
	People []personal.Holder
}

// check says which part is missing, so that a wiring mistake shows at start.
func (p Parts) check() error {
	switch {
	case p.Accounts == nil:
		return errors.New("web: no accounts service")
	case p.Atlas == nil || p.Atlas.Map == nil:
		return errors.New("web: no atlas service with a map index")
	case p.Toolbox == nil:
		return errors.New("web: no toolbox service")
	case p.Assess == nil:
		return errors.New("web: no assessment service")
	case p.Workspaces == nil:
		return errors.New("web: no workspace service")
	case p.Decisions == nil:
		return errors.New("web: no decisions service")
	case p.Funding == nil:
		return errors.New("web: no funding service")
	}
	if err := personal.Check(p.People); err != nil {
		return fmt.Errorf("web: the parts that hold personal data (Parts.People): %w", err)
	}
	return nil
}

// Server serves samen's pages and API.
type Server struct {
	opts       Options
	db         *store.DB
	accounts   *account.Service
	atlas      *atlas.Service
	toolbox    *toolbox.Service
	assess     *assess.Service
	workspaces *workspace.Service
	decisions  *decide.Service
	funding    *fund.Service
	people     []personal.Holder
	log        *slog.Logger
	msgs       i18n.Catalogue
	pages      map[string]*template.Template
	base       *url.URL
	metrics    *metrics
	routes     []route
	mux        *http.ServeMux
}

// New builds a server for the parts, which must use db.
func New(opts Options, db *store.DB, parts Parts, log *slog.Logger) (*Server, error) {
	if err := parts.check(); err != nil {
		return nil, err
	}
	base, err := url.Parse(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:       opts,
		db:         db,
		accounts:   parts.Accounts,
		atlas:      parts.Atlas,
		toolbox:    parts.Toolbox,
		assess:     parts.Assess,
		workspaces: parts.Workspaces,
		decisions:  parts.Decisions,
		funding:    parts.Funding,
		people:     parts.People,
		log:        log,
		msgs:       i18n.MustLoad(),
		base:       base,
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(s)
	// The static files, fingerprinted and compressed (once per process).
	if _, err := loadAssets(); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	s.addRoutes()
	return s, nil
}

// today is the date in Amsterdam, for what expires at the end of a day.
func (s *Server) today() string { return time.Now().In(amsterdam).Format(time.DateOnly) }

// Registry exposes the Prometheus registry (for tests and for adding
// collectors of later parts).
func (s *Server) Registry() *prometheus.Registry { return s.metrics.registry }

// Handler returns the whole site with its middleware.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	// Behind a reverse proxy the Host header may not be the public name;
	// the configured base URL is always a trusted origin.
	if err := cop.AddTrustedOrigin(s.base.Scheme + "://" + s.base.Host); err != nil {
		s.log.Warn("base URL not usable as trusted origin", "err", err)
	}
	// RFC 8058's one-click unsubscribe is a POST from a mail program, which
	// may carry another origin (a webmail's); the token in its address is
	// all it needs, and it can only stop mail. Exactly those routes pass.
	cop.AddInsecureBypassPattern("POST /workspaces/{ws}/unsubscribe")
	cop.AddInsecureBypassPattern("POST /contributions/{id}/stop-updates")
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, problemForbiddenOrigin)
	}))
	var h http.Handler = s.mux
	h = s.withSession(h)
	h = cop.Handler(h)
	// Recovery runs inside withLanguage, so that the error page after a
	// panic is in the reader's language.
	h = s.withRecovery(h)
	h = s.withLanguage(h)
	h = s.withSecurityHeaders(h)
	h = withCompression(h)
	h = s.withLogging(h)
	return h
}

// route is one entry of the site map. Every route states who may use it, so
// authorisation cannot be forgotten: the wrappers check it before the
// handler runs.
type route struct {
	method  string
	path    string // ServeMux pattern path
	access  access
	api     bool
	handler handlerFunc
}

// access says who may use a route.
type access int

const (
	anyone access = iota
	signedIn
	moderators
	stewards
)

func (a access) allows(u *account.User) bool {
	switch a {
	case anyone:
		return true
	case signedIn:
		return u != nil
	case moderators:
		return u != nil && u.Role.AtLeast(account.Moderator)
	case stewards:
		return account.IsSteward(u)
	}
	return false
}

// handlerFunc is a handler that may fail; the wrapper turns the error into
// the right page or JSON error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adds a page route; pattern is "METHOD /path" as in ServeMux.
func (s *Server) handle(pattern string, a access, h handlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	s.register(route{method: method, path: path, access: a, handler: h})
}

// api adds a JSON API route under /api/v1.
func (s *Server) api(pattern string, a access, h handlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	s.register(route{method: method, path: "/api/v1" + path, access: a, api: true, handler: h})
}

func (s *Server) register(rt route) {
	s.routes = append(s.routes, rt)
	pattern := rt.method + " " + rt.path
	s.mux.Handle(pattern, s.metrics.instrument(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := userFrom(r.Context())
		if !rt.access.allows(u) {
			if u == nil {
				s.fail(w, r, problemSignIn)
			} else {
				s.fail(w, r, problemNotAllowed)
			}
			return
		}
		// No page or record has a name that is not text: such a path
		// names nothing (and must not reach a query, where PostgreSQL
		// would refuse it with an error).
		if !textcheck.Valid(r.URL.Path) {
			s.fail(w, r, problemNotFound)
			return
		}
		if err := unreadable(r.URL.Query()); err != nil {
			s.fail(w, r, err)
			return
		}
		if err := rt.handler(w, r); err != nil {
			s.fail(w, r, err)
		}
	})))
}

// unreadable checks every name and value of a query or form against the
// rule for text from outside (textcheck: UTF-8 without control characters
// but tab and line breaks) and names each one that breaks it, or returns
// nil. PostgreSQL refuses NUL and invalid UTF-8 outright, and SQLite would
// store what PostgreSQL cannot take back, so such input is stopped here.
func unreadable(v url.Values) error {
	f := problem.Fields{}
	for k, vs := range v {
		if code, _ := textcheck.Check(k); code != "" {
			f.Add(printable(k), code)
			continue
		}
		for _, x := range vs {
			if code, _ := textcheck.Check(x); code != "" {
				f.Add(k, code)
			}
		}
	}
	return f.Err()
}

// printable is a name that breaks the text rule, with what breaks it
// replaced, so that it can be shown.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !textcheck.Allowed(r) {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// local returns next when it is a path on this site, else "/": a redirect
// target taken from a form or query must not send people elsewhere.
func local(next string) string {
	// Control characters are refused as well as backslashes: browsers drop
	// tabs and line breaks from a URL, so "/\t/evil.example" would become
	// "//evil.example", another site.
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return next
}

// Sweep runs the periodic clean-ups until ctx ends.
func (s *Server) Sweep(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.accounts.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("sweeping expired sessions and tokens", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
