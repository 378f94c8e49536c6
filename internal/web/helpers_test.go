package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/assess"
	"samen/internal/atlas"
	"samen/internal/decide"
	"samen/internal/demo"
	"samen/internal/fund"
	"samen/internal/mail"
	"samen/internal/mapindex"
	"samen/internal/personal"
	"samen/internal/store"
	"samen/internal/toolbox"
	"samen/internal/web"
	"samen/internal/web/i18n"
	"samen/internal/workspace"
)

// The tests drive samen as people and scripts do: over HTTP, against a real
// server on a real database, with a browser-like client that keeps cookies
// and does not follow redirects (so the tests can see them).

// The demo accounts, one per role.
var (
	steward   = demo.Accounts[0]
	moderator = demo.Accounts[1]
	member    = demo.Accounts[2]
)

// A password good enough for sign-up.
const goodPassword = "lantern orchard bicycle"

// msgs is the message catalogue, to compare what pages say with what they
// should say in each language.
var msgs = i18n.MustLoad()

// site is one samen server on one database.
type site struct {
	t        testing.TB
	DB       *store.DB
	Accounts *account.Service
	Parts    web.Parts // the services the server was given
	Server   *web.Server
	HTTP     *httptest.Server
	URL      string // the base URL the server was given; also where it listens
}

// siteOption changes how the server is built.
type siteOption func(*siteConfig)

type siteConfig struct {
	opts  web.Options
	quiet bool
	log   io.Writer // also gets the server's log, every level
}

// withoutMailLog is a server with SMTP configured: no outbox page.
func withoutMailLog(c *siteConfig) { c.opts.MailToLog = false }

// withBaseURL gives the server a public address other than where it listens,
// as behind a reverse proxy.
func withBaseURL(u string) siteOption { return func(c *siteConfig) { c.opts.BaseURL = u } }

// quiet drops the server's log (for fuzzing, where there is no test to log to).
func quiet(c *siteConfig) { c.quiet = true }

// logTo copies the server's log to w.
func logTo(w io.Writer) siteOption { return func(c *siteConfig) { c.log = w } }

// newSite starts samen on db. Its log goes to the test log (warnings and
// errors only), so that a failing test shows what the server complained of.
func newSite(t testing.TB, db *store.DB, opts ...siteOption) *site {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	c := siteConfig{opts: web.Options{BaseURL: "http://" + ts.Listener.Addr().String(), MailToLog: true, Version: "test"}}
	for _, f := range opts {
		f(&c)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if !c.quiet {
		logger = testLogger(t)
	}
	if c.log != nil {
		logger = slog.New(teeHandler{logger.Handler(), slog.NewJSONHandler(c.log, &slog.HandlerOptions{Level: slog.LevelDebug})})
	}
	parts := newParts(t, db, c.opts.BaseURL)
	srv, err := web.New(c.opts, db, parts, logger)
	if err != nil {
		ts.Close()
		t.Fatalf("web.New: %v", err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &site{t: t, DB: db, Accounts: parts.Accounts, Parts: parts, Server: srv, HTTP: ts, URL: c.opts.BaseURL}
}

// newParts builds the services as cmd/samen does (its buildParts): mail
// writers for baseURL, the seed catalogue and framework, and a loaded map
// index.
func newParts(t testing.TB, db *store.DB, baseURL string) web.Parts {
	t.Helper()
	letters, err := web.NewLetters(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	p := web.Parts{
		Accounts:   &account.Service{DB: db, Letters: letters},
		Atlas:      &atlas.Service{DB: db, Map: mapindex.New(mapindex.Options{}), Letters: letters},
		Toolbox:    &toolbox.Service{DB: db},
		Assess:     &assess.Service{DB: db},
		Workspaces: &workspace.Service{DB: db, Letters: letters, Files: t.TempDir()},
		Decisions:  &decide.Service{DB: db, Letters: letters},
		Funding: &fund.Service{DB: db, Providers: map[string]fund.Provider{"demo": &fund.DemoProvider{}},
			Bank: fund.BankAccount{IBAN: "NL20INGB0001234567", Name: "Stichting samen"}, Letters: letters},
	}
	p.Funding.Budgets = p.Decisions
	p.Workspaces.BlobInUse = p.Funding.KeepsBlob
	p.People = []personal.Holder{p.Accounts, p.Atlas, p.Toolbox, p.Assess, p.Workspaces, p.Decisions, p.Funding}
	ctx := context.Background()
	if _, err := p.Toolbox.SeedIfEmpty(ctx); err != nil {
		t.Fatalf("toolbox seed: %v", err)
	}
	if _, err := p.Assess.SeedFramework(ctx); err != nil {
		t.Fatalf("framework seed: %v", err)
	}
	if _, err := p.Atlas.LoadMap(ctx); err != nil {
		t.Fatalf("map index: %v", err)
	}
	return p
}

// demoServices are the parts the demo content fills.
func demoServices(p web.Parts) demo.Services {
	// Without the demo's decisions: their budget's 640 paper readings
	// take a second, and sixty tests seed the demo; tests of decisions
	// make their own (internal/demo tests the demo's).
	return demo.Services{Atlas: p.Atlas, Toolbox: p.Toolbox, Assess: p.Assess, Workspaces: p.Workspaces}
}

// testLogger sends warnings and errors to the test log until the test ends.
func testLogger(t testing.TB) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(w.stop)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log("server: " + strings.TrimSpace(string(b)))
	}
	return len(b), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

// teeHandler sends each record to two handlers.
type teeHandler struct{ a, b slog.Handler }

func (h teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.a.Enabled(ctx, l) || h.b.Enabled(ctx, l)
}

func (h teeHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.a.Enabled(ctx, r.Level) {
		_ = h.a.Handle(ctx, r.Clone())
	}
	if h.b.Enabled(ctx, r.Level) {
		return h.b.Handle(ctx, r)
	}
	return nil
}

func (h teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return teeHandler{h.a.WithAttrs(as), h.b.WithAttrs(as)}
}

func (h teeHandler) WithGroup(name string) slog.Handler {
	return teeHandler{h.a.WithGroup(name), h.b.WithGroup(name)}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// seed adds the demo accounts (a steward, a moderator and a member) and
// the demo initiatives.
func (s *site) seed() {
	s.t.Helper()
	if _, err := demo.Seed(context.Background(), s.Accounts, demoServices(s.Parts)); err != nil {
		s.t.Fatalf("seeding: %v", err)
	}
}

// userID returns the id of the account with this address.
func (s *site) userID(email string) int64 {
	s.t.Helper()
	var id int64
	if err := s.DB.QueryRow(context.Background(), "SELECT id FROM users WHERE email = ?", email).Scan(&id); err != nil {
		s.t.Fatalf("no account for %s: %v", email, err)
	}
	return id
}

// tokenFor makes an API token for the account with this address, as its
// owner would on the account page.
func (s *site) tokenFor(email string) string {
	s.t.Helper()
	_, secret, err := s.Accounts.CreateToken(context.Background(), s.userID(email), "test script")
	if err != nil {
		s.t.Fatalf("creating a token: %v", err)
	}
	return secret
}

// outbox returns the mails samen queued, newest first.
func (s *site) outbox() []mail.Queued {
	s.t.Helper()
	msgs, err := mail.List(context.Background(), s.DB, 100)
	if err != nil {
		s.t.Fatalf("reading the outbox: %v", err)
	}
	return msgs
}

// mailTo returns the newest mail to an address.
func (s *site) mailTo(email string) mail.Queued {
	s.t.Helper()
	for _, m := range s.outbox() {
		if m.To == email {
			return m
		}
	}
	s.t.Fatalf("no mail to %s in the outbox", email)
	return mail.Queued{}
}

// linkIn finds the link to path in a mail and returns it.
func (s *site) linkIn(m mail.Queued, path string) string {
	s.t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(s.URL+path) + `\?token=[A-Za-z0-9_-]+`)
	link := re.FindString(m.Body)
	if link == "" {
		s.t.Fatalf("no link to %s%s in the mail %q:\n%s", s.URL, path, m.Subject, m.Body)
	}
	return link
}

// browser is a person's web browser: it keeps cookies, sends its language,
// and, like a browser, says where a form came from.
type browser struct {
	t      testing.TB
	site   *site
	client *http.Client
	Lang   string // Accept-Language; empty sends none
}

func (s *site) browser(lang string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return &browser{t: s.t, site: s, Lang: lang, client: &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// response is an answer with its body read.
type response struct {
	Status int
	Header http.Header
	Body   string
	resp   *http.Response
}

// Location is where a redirect points.
func (r *response) Location() string { return r.Header.Get("Location") }

// Cookie returns the cookie of this name the response set, or nil.
func (r *response) Cookie(name string) *http.Cookie {
	for _, c := range r.resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// JSON decodes the body into v.
func (r *response) JSON(t testing.TB, v any) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body:\n%s", ct, r.Body)
	}
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

func (b *browser) url(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return b.site.HTTP.URL + path
}

// newRequest makes a request as this browser would send it.
func (b *browser) newRequest(method, path string, body io.Reader) *http.Request {
	b.t.Helper()
	req, err := http.NewRequest(method, b.url(path), body)
	if err != nil {
		b.t.Fatal(err)
	}
	if b.Lang != "" {
		req.Header.Set("Accept-Language", b.Lang)
	}
	return req
}

// do sends a request and reads the whole answer.
func (b *browser) do(req *http.Request) *response {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: string(body), resp: resp}
}

// get opens a page.
func (b *browser) get(path string) *response {
	b.t.Helper()
	return b.do(b.newRequest(http.MethodGet, path, nil))
}

// postForm submits a form on one of the site's own pages, with the headers a
// browser adds to it.
func (b *browser) postForm(path string, form url.Values) *response {
	b.t.Helper()
	req := b.newRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.site.HTTP.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// signUp fills in the sign-up form.
func (b *browser) signUp(email, name, password string) *response {
	b.t.Helper()
	return b.postForm("/signup", url.Values{"email": {email}, "name": {name}, "password": {password}})
}

// login fills in the login form and expects to be let in.
func (b *browser) login(email, password string) {
	b.t.Helper()
	r := b.postForm("/login", url.Values{"email": {email}, "password": {password}})
	if r.Status != http.StatusSeeOther || r.Cookie("samen_session") == nil {
		b.t.Fatalf("logging in as %s: status %d, session cookie %v; body:\n%s", email, r.Status, r.Cookie("samen_session"), r.Body)
	}
}

// loggedIn returns a browser logged in as the account.
func (s *site) loggedIn(a demo.Account, lang string) *browser {
	s.t.Helper()
	b := s.browser(lang)
	b.login(a.Email, a.Password)
	return b
}

// script is a program using the JSON API with a token.
type script struct {
	b     *browser
	token string
}

func (s *site) script(token, lang string) *script {
	return &script{b: s.browser(lang), token: token}
}

// call sends a JSON body ("" for none) to an API path under /api/v1.
func (c *script) call(method, path, body string) *response {
	c.b.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := c.b.newRequest(method, "/api/v1"+path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return c.b.do(req)
}

// apiError is the shape of every API error. Decoding it strictly makes any
// other member a test failure.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Fields  map[string]struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"fields"`
	} `json:"error"`
}

// apiErrorOf checks a response is a JSON error with this status and returns it.
func apiErrorOf(t testing.TB, r *response, status int) apiError {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body:\n%s", ct, r.Body)
	}
	dec := json.NewDecoder(strings.NewReader(r.Body))
	dec.DisallowUnknownFields()
	var e apiError
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("not the error shape: %v; body:\n%s", err, r.Body)
	}
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("error without code or message: %s", r.Body)
	}
	for f, fe := range e.Error.Fields {
		if fe.Code == "" || fe.Message == "" {
			t.Fatalf("field %q without code or message: %s", f, r.Body)
		}
	}
	return e
}

// mustContain fails unless the body has every one of the texts.
func mustContain(t testing.TB, r *response, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(r.Body, s) {
			t.Errorf("the page does not say %q; body:\n%s", s, r.Body)
		}
	}
}

// html escapes text as html/template does in element content, so that a
// message with an apostrophe can be found in a page.
func html(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// testClock is a service's clock in tests that move time forward (to
// close a vote, say); the server reads it from its own goroutines.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) forward(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
