package web_test

import (
	"context"
	"encoding/json"
	stdhtml "html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/web"
	"samen/internal/web/oidctest"
)

// These tests log in through a real OpenID Connect provider (oidctest, a
// small one that speaks the protocol) with a browser-like client that keeps
// cookies and follows redirects between samen and the provider.

const (
	oidcClientID = "samen"
	oidcSecret   = "s3cret"
)

// oidcEnv is samen on one database, with or without a provider.
type oidcEnv struct {
	t        *testing.T
	db       *store.DB
	accounts *account.Service
	idp      *oidctest.Provider // nil without OpenID Connect
	url      string             // samen's base URL
}

func newOIDCEnv(t *testing.T, db *store.DB, withProvider bool) *oidcEnv {
	t.Helper()
	// The base URL must be the server's own address, so the listener is
	// made first and the site built before it starts.
	ts := httptest.NewUnstartedServer(nil)
	e := &oidcEnv{t: t, db: db, url: "http://" + ts.Listener.Addr().String()}
	parts := newParts(t, db, e.url)
	e.accounts = parts.Accounts
	opts := web.Options{BaseURL: e.url, MailToLog: true}
	if withProvider {
		e.idp = oidctest.New(t, oidctest.Config{ClientID: oidcClientID, ClientSecret: oidcSecret, RedirectURI: e.url + "/auth/oidc/callback"})
		opts.OIDC = &web.OIDCProvider{Issuer: e.idp.URL, ClientID: oidcClientID, ClientSecret: oidcSecret, Name: "Test IdP"}
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := web.New(opts, db, parts, log)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	if ts.URL != e.url {
		t.Fatalf("server at %s, base URL %s", ts.URL, e.url)
	}
	return e
}

// count returns the number of rows in a table.
func (e *oidcEnv) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		e.t.Fatalf("counting %s: %v", table, err)
	}
	return n
}

// oidcBrowser keeps cookies like a browser and sends Accept-Language: en.
type oidcBrowser struct {
	t      *testing.T
	e      *oidcEnv
	jar    *cookiejar.Jar
	client *http.Client
}

type oidcAcceptEnglish struct{}

func (oidcAcceptEnglish) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", "en")
	return http.DefaultTransport.RoundTrip(r)
}

func (e *oidcEnv) browser() *oidcBrowser { return e.browserIn(e.t) }

// browserIn is a browser whose failures belong to t (a subtest).
func (e *oidcEnv) browserIn(t *testing.T) *oidcBrowser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &oidcBrowser{t: t, e: e, jar: jar, client: &http.Client{
		Jar:       jar,
		Transport: oidcAcceptEnglish{},
		// The browser follows redirects itself, to see every hop.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// oidcResult is where a navigation ended.
type oidcResult struct {
	status int
	url    *url.URL
	body   string
	hops   []string // every URL visited, in order
}

// visit goes to raw (relative to samen) and follows redirects across both
// servers. When stop is not nil and says so for the next hop, it returns
// that hop's URL unvisited as res.url.
func (b *oidcBrowser) visit(raw string, stop func(*url.URL) bool) oidcResult {
	t := b.t
	t.Helper()
	u, err := url.Parse(b.e.url)
	if err != nil {
		t.Fatal(err)
	}
	if u, err = u.Parse(raw); err != nil {
		t.Fatal(err)
	}
	var res oidcResult
	for range 10 {
		res.hops = append(res.hops, u.String())
		resp, err := b.client.Get(u.String())
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		res.status, res.url, res.body = resp.StatusCode, u, string(body)
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
			return res
		}
		next, err := u.Parse(loc)
		if err != nil {
			t.Fatalf("GET %s: bad Location %q", u, loc)
		}
		if stop != nil && stop(next) {
			res.url = next
			return res
		}
		u = next
	}
	t.Fatalf("more than 10 redirects from %s: %v", raw, res.hops)
	return res
}

func (b *oidcBrowser) get(raw string) oidcResult {
	b.t.Helper()
	return b.visit(raw, nil)
}

// isCallback says whether u is samen's OpenID Connect callback.
func (b *oidcBrowser) isCallback(u *url.URL) bool {
	return strings.HasPrefix(u.String(), b.e.url+"/auth/oidc/callback")
}

// toCallback starts a login and goes through the provider, stopping at the
// callback into samen: the URL with code and state, as the provider sent
// the browser back.
func (b *oidcBrowser) toCallback(next string) *url.URL {
	t := b.t
	t.Helper()
	res := b.visit("/auth/oidc/login?next="+url.QueryEscape(next), b.isCallback)
	if !b.isCallback(res.url) {
		t.Fatalf("login did not come back to the callback: %d at %s, hops %v\n%s", res.status, res.url, res.hops, res.body)
	}
	return res.url
}

// cookie returns a cookie the browser would send to path on samen.
func (b *oidcBrowser) cookie(path, name string) (string, bool) {
	u, _ := url.Parse(b.e.url + path)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value, true
		}
	}
	return "", false
}

type oidcMe struct {
	ID       int64  `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Language string `json:"language"`
	Verified bool   `json:"verified"`
	Disabled bool   `json:"disabled"`
}

// me returns who the browser is signed in as, failing the test if it is not.
func (b *oidcBrowser) me() oidcMe {
	t := b.t
	t.Helper()
	res := b.get("/api/v1/me")
	if res.status != http.StatusOK {
		t.Fatalf("GET /api/v1/me: %d\n%s", res.status, res.body)
	}
	var me oidcMe
	if err := json.Unmarshal([]byte(res.body), &me); err != nil {
		t.Fatalf("GET /api/v1/me: %v\n%s", err, res.body)
	}
	return me
}

// login logs in through the provider and checks it worked.
func (b *oidcBrowser) login() oidcMe {
	t := b.t
	t.Helper()
	res := b.get("/auth/oidc/login?next=/account")
	if res.status != http.StatusOK || res.url.String() != b.e.url+"/account" {
		t.Fatalf("login ended with %d at %s, hops %v\n%s", res.status, res.url, res.hops, res.body)
	}
	return b.me()
}

// refused checks that a login attempt ended on an error page on samen with
// the status and message, and left the browser without a session (and
// without the one-time login cookie).
func (b *oidcBrowser) refused(res oidcResult, status int, message string) {
	t := b.t
	t.Helper()
	if res.status != status {
		t.Errorf("status %d at %s, want %d; hops %v\n%s", res.status, res.url, status, res.hops, res.body)
	}
	if !strings.HasPrefix(res.url.String(), b.e.url+"/") {
		t.Errorf("ended at %s, not on samen", res.url)
	}
	if !strings.Contains(res.body, message) {
		t.Errorf("page does not say %q:\n%s", message, res.body)
	}
	if v, ok := b.cookie("/", "samen_session"); ok {
		t.Errorf("refused login left a session cookie %q", v)
	}
	if _, ok := b.cookie("/auth/oidc/callback", "samen_oidc"); ok {
		t.Errorf("refused login left the login cookie")
	}
	if res := b.get("/api/v1/me"); res.status != http.StatusUnauthorized {
		t.Errorf("after a refused login, /api/v1/me answers %d", res.status)
	}
}

var oidcAda = oidctest.Identity{Subject: "f:1b2c:ada", Email: "Ada@Example.org", EmailVerified: true, Name: "Ada Lovelace", Locale: "en-GB"}

const (
	oidcMsgFailed     = "Logging in through the external service failed."
	oidcMsgUnverified = "has not confirmed your e-mail address"
	oidcMsgDown       = "The login service cannot be reached now."
	oidcMsgClosed     = "This account is closed."
)

var oidcButton = regexp.MustCompile(`<a class="button secondary" href="(/auth/oidc/login[^"]*)">Log in with Test IdP</a>`)

func TestOIDCLoginButton(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Run("configured", func(t *testing.T) {
			e := newOIDCEnv(t, db, true)
			b := e.browser()
			res := b.get("/login?next=/account")
			if res.status != http.StatusOK {
				t.Fatalf("GET /login: %d", res.status)
			}
			m := oidcButton.FindStringSubmatch(res.body)
			if m == nil {
				t.Fatalf("no button \"Log in with Test IdP\" on the login page:\n%s", res.body)
			}
			if got := stdhtml.UnescapeString(m[1]); got != "/auth/oidc/login?next=%2faccount" {
				t.Errorf("button goes to %q", got)
			}
			if res := b.get("/signup"); !strings.Contains(res.body, "Log in with Test IdP") {
				t.Errorf("no button on the sign-up page")
			}
		})
		t.Run("not configured", func(t *testing.T) {
			e := newOIDCEnv(t, db, false)
			b := e.browser()
			for _, path := range []string{"/login?next=/account", "/signup"} {
				res := b.get(path)
				if res.status != http.StatusOK {
					t.Fatalf("GET %s: %d", path, res.status)
				}
				if strings.Contains(res.body, "/auth/oidc/") || strings.Contains(res.body, "Log in with") {
					t.Errorf("%s offers a login service that is not configured:\n%s", path, res.body)
				}
			}
			for _, path := range []string{"/auth/oidc/login", "/auth/oidc/callback?code=x&state=y"} {
				if res := b.get(path); res.status != http.StatusNotFound {
					t.Errorf("GET %s: %d, want 404", path, res.status)
				}
			}
		})
	})
}

func TestOIDCLoginCreatesMember(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		e.idp.SetIdentity(oidcAda)
		b := e.browser()

		// As a person would: the login page, its button, the provider
		// (which approves at once), back to samen, on to next.
		page := b.get("/login?next=/account")
		m := oidcButton.FindStringSubmatch(page.body)
		if m == nil {
			t.Fatalf("no login button:\n%s", page.body)
		}
		res := b.get(stdhtml.UnescapeString(m[1]))
		if res.status != http.StatusOK || res.url.String() != e.url+"/account" {
			t.Fatalf("login ended with %d at %s, hops %v\n%s", res.status, res.url, res.hops, res.body)
		}
		if len(res.hops) != 4 || !strings.HasPrefix(res.hops[1], e.idp.URL+"/authorize?") || !strings.HasPrefix(res.hops[2], e.url+"/auth/oidc/callback?") {
			t.Errorf("hops %v, want samen login, provider, samen callback, /account", res.hops)
		}
		if _, ok := b.cookie("/", "samen_session"); !ok {
			t.Fatal("no session cookie after login")
		}
		if _, ok := b.cookie("/", "samen_device"); !ok {
			t.Error("no device cookie after login: this browser would not count as the owner's")
		}
		if _, ok := b.cookie("/auth/oidc/callback", "samen_oidc"); ok {
			t.Error("the login cookie outlives the login")
		}

		me := b.me()
		if me.Email != "ada@example.org" || !me.Verified || me.Role != string(account.Member) || me.Name != "Ada Lovelace" || me.Language != "en" || me.Disabled {
			t.Errorf("me = %+v, want a verified member ada@example.org named Ada Lovelace, language en", me)
		}
		if n := e.count("users"); n != 1 {
			t.Errorf("%d users, want 1", n)
		}
		var issuer, subject string
		var userID int64
		if err := db.QueryRow(context.Background(), "SELECT issuer, subject, user_id FROM oidc_identities").Scan(&issuer, &subject, &userID); err != nil {
			t.Fatal(err)
		}
		if issuer != e.idp.URL || subject != oidcAda.Subject || userID != me.ID {
			t.Errorf("identity (%s, %s, %d), want (%s, %s, %d)", issuer, subject, userID, e.idp.URL, oidcAda.Subject, me.ID)
		}

		// What samen asked the provider for.
		reqs := e.idp.AuthRequests()
		if len(reqs) != 1 {
			t.Fatalf("%d authorization requests", len(reqs))
		}
		q := reqs[0]
		scopes := strings.Fields(q.Get("scope"))
		for _, s := range []string{"openid", "email", "profile"} {
			if !slices.Contains(scopes, s) {
				t.Errorf("scope %q lacks %s", q.Get("scope"), s)
			}
		}
		if q.Get("client_id") != oidcClientID || q.Get("redirect_uri") != e.url+"/auth/oidc/callback" || q.Get("response_type") != "code" ||
			q.Get("state") == "" || q.Get("nonce") == "" || q.Get("state") == q.Get("nonce") {
			t.Errorf("authorization request %v", q)
		}
	})
}

func TestOIDCNext(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		e.idp.SetIdentity(oidcAda)
		// next travels in the login cookie; bytes a cookie value cannot
		// hold (here ';') must survive the trip.
		for _, next := range []string{"/account", "/account?tab=a;b", "/account?q=a+b&x=%22y%22"} {
			b := e.browser()
			res := b.get("/auth/oidc/login?next=" + url.QueryEscape(next))
			if res.url.String() != e.url+next {
				t.Errorf("next=%q: ended with %d at %s", next, res.status, res.url)
			}
		}
		// It does not lead off the site.
		for _, next := range []string{"//evil.example", "https://evil.example/", "/\\evil.example"} {
			b := e.browser()
			res := b.get("/auth/oidc/login?next=" + url.QueryEscape(next))
			if res.url.String() != e.url+"/" || res.status != http.StatusOK {
				t.Errorf("next=%q: ended with %d at %s", next, res.status, res.url)
			}
		}
	})
}

func TestOIDCSameSubjectNewEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		e.idp.SetIdentity(oidcAda)
		first := e.browser().login()

		moved := oidcAda
		moved.Email = "ada@analytical-engine.example"
		e.idp.SetIdentity(moved)
		second := e.browser().login()
		if second.ID != first.ID {
			t.Errorf("second login is account %d, first was %d", second.ID, first.ID)
		}
		if n := e.count("users"); n != 1 {
			t.Errorf("%d users, want 1", n)
		}
		if n := e.count("oidc_identities"); n != 1 {
			t.Errorf("%d identities, want 1", n)
		}
	})
}

func TestOIDCLinksPasswordAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		grace, err := e.accounts.Add(context.Background(), account.NewUser{
			Email: "grace@example.org", Name: "Grace Hopper", Password: "correct horse battery staple", Role: account.Member,
		})
		if err != nil {
			t.Fatal(err)
		}
		e.idp.SetIdentity(oidctest.Identity{Subject: "g-1", Email: "Grace@Example.ORG", EmailVerified: true, Name: "Rear Admiral Hopper"})
		me := e.browser().login()
		if me.ID != grace.ID || me.Email != "grace@example.org" {
			t.Errorf("logged in as %+v, want account %d", me, grace.ID)
		}
		if n := e.count("users"); n != 1 {
			t.Errorf("%d users, want 1", n)
		}
		var userID int64
		if err := db.QueryRow(context.Background(), "SELECT user_id FROM oidc_identities WHERE subject = ?", "g-1").Scan(&userID); err != nil || userID != grace.ID {
			t.Errorf("identity linked to %d (%v), want %d", userID, err, grace.ID)
		}
	})
}

func TestOIDCUnverifiedEmailRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		// Someone has an account; a provider that did not check the
		// address must not hand it over.
		if _, err := e.accounts.Add(context.Background(), account.NewUser{
			Email: "grace@example.org", Password: "correct horse battery staple", Role: account.Member,
		}); err != nil {
			t.Fatal(err)
		}
		for _, email := range []string{"grace@example.org", "nobody@example.org"} {
			e.idp.SetIdentity(oidctest.Identity{Subject: "sub-" + email, Email: email, EmailVerified: false})
			b := e.browser()
			b.refused(b.get("/auth/oidc/login?next=/account"), http.StatusForbidden, oidcMsgUnverified)
		}
		if n := e.count("users"); n != 1 {
			t.Errorf("%d users, want only the one there was", n)
		}
		if n := e.count("oidc_identities"); n != 0 {
			t.Errorf("%d identities linked", n)
		}
		if n := e.count("sessions"); n != 0 {
			t.Errorf("%d sessions", n)
		}
	})
}

func TestOIDCTamperedState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		e.idp.SetIdentity(oidcAda)
		b := e.browser()
		callback := b.toCallback("/account")

		for _, state := range []string{"forged", ""} {
			forged := *callback
			q := forged.Query()
			q.Set("state", state)
			forged.RawQuery = q.Encode()
			b.refused(b.get(forged.String()), http.StatusUnauthorized, oidcMsgFailed)
		}
		// The failed attempt used up the login cookie: the real callback
		// no longer works either, and the login must start again.
		b.refused(b.get(callback.String()), http.StatusUnauthorized, oidcMsgFailed)

		// A callback in a browser that never started a login.
		other := e.browser()
		other.refused(other.get(callback.String()), http.StatusUnauthorized, oidcMsgFailed)

		if n := e.count("users"); n != 0 {
			t.Errorf("%d users", n)
		}
		if reqs := e.idp.TokenRequests(); len(reqs) != 0 {
			t.Errorf("samen redeemed a code on a bad state: %+v", reqs)
		}
	})
}

func TestOIDCReplayedCallback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		e.idp.SetIdentity(oidcAda)
		victim := e.browser()
		callback := victim.toCallback("/account")
		if res := victim.get(callback.String()); res.status != http.StatusOK || res.url.String() != e.url+"/account" {
			t.Fatalf("login ended with %d at %s", res.status, res.url)
		}
		victim.me()

		// The same callback again in the same browser: its login cookie
		// is gone. It stays signed in from the first time.
		res := victim.get(callback.String())
		if res.status != http.StatusUnauthorized || !strings.Contains(res.body, oidcMsgFailed) {
			t.Errorf("replay in the same browser: %d\n%s", res.status, res.body)
		}

		// Someone who copied the callback URL, in a fresh browser.
		thief := e.browser()
		thief.refused(thief.get(callback.String()), http.StatusUnauthorized, oidcMsgFailed)

		// With a login of their own started, so the state matches theirs:
		// samen redeems the copied code, and the provider refuses it (used,
		// and the thief's verifier is not the victim's).
		own := thief.toCallback("/account")
		q := callback.Query()
		q.Set("state", own.Query().Get("state"))
		injected := *callback
		injected.RawQuery = q.Encode()
		thief.refused(thief.get(injected.String()), http.StatusUnauthorized, oidcMsgFailed)
		reqs := e.idp.TokenRequests()
		last := reqs[len(reqs)-1]
		if last.Code != callback.Query().Get("code") || last.Error != "invalid_grant" {
			t.Errorf("last token request %+v, want the copied code refused", last)
		}

		if n := e.count("sessions"); n != 1 {
			t.Errorf("%d sessions, want only the victim's", n)
		}
	})
}

func TestOIDCWrongNonce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		e.idp.SetIdentity(oidcAda)
		e.idp.SignNonce("a-nonce-samen-never-sent")
		b := e.browser()
		b.refused(b.get("/auth/oidc/login?next=/account"), http.StatusUnauthorized, oidcMsgFailed)
		if reqs := e.idp.TokenRequests(); len(reqs) != 1 || reqs[0].Error != "" {
			t.Errorf("token requests %+v, want one that succeeded: samen must refuse the ID token itself", reqs)
		}
		if n := e.count("users"); n != 0 {
			t.Errorf("%d users", n)
		}

		// The same provider with the right nonce again: it works.
		e.idp.SignNonce("")
		e.browser().login()
	})
}

func TestOIDCIDTokenChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		e.idp.SetIdentity(oidcAda)
		forgeries := []struct {
			name    string
			edit    func(map[string]any)
			message string
		}{
			{"for another client", func(c map[string]any) { c["aud"] = "another-client"; c["azp"] = "another-client" }, oidcMsgFailed},
			{"from another issuer", func(c map[string]any) { c["iss"] = "https://idp.example" }, oidcMsgFailed},
			{"expired", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }, oidcMsgFailed},
			{"without nonce", func(c map[string]any) { delete(c, "nonce") }, oidcMsgFailed},
			{"without subject", func(c map[string]any) { delete(c, "sub") }, "did not say who you are"},
		}
		for _, f := range forgeries {
			t.Run(f.name, func(t *testing.T) {
				e.idp.EditIDToken(f.edit)
				b := e.browserIn(t)
				b.refused(b.get("/auth/oidc/login?next=/account"), http.StatusUnauthorized, f.message)
			})
		}
		e.idp.EditIDToken(nil)
		t.Run("signed with a key not in the JWKS", func(t *testing.T) {
			e.idp.SignWithForeignKey(t, true)
			defer e.idp.SignWithForeignKey(t, false)
			b := e.browserIn(t)
			b.refused(b.get("/auth/oidc/login?next=/account"), http.StatusUnauthorized, oidcMsgFailed)
		})
		if n := e.count("users"); n != 0 {
			t.Errorf("%d users", n)
		}
		// The genuine article still works.
		e.browser().login()
	})
}

func TestOIDCAccessDenied(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		e.idp.SetIdentity(oidcAda)
		e.idp.Deny(true)
		b := e.browser()
		res := b.get("/auth/oidc/login?next=/account")
		if !strings.Contains(res.hops[len(res.hops)-1], "error=access_denied") {
			t.Errorf("provider did not send access_denied back: %v", res.hops)
		}
		b.refused(res, http.StatusUnauthorized, oidcMsgFailed)
		if reqs := e.idp.TokenRequests(); len(reqs) != 0 {
			t.Errorf("token requests after a refusal: %+v", reqs)
		}
		if n := e.count("users"); n != 0 {
			t.Errorf("%d users", n)
		}
		if n := e.count("sessions"); n != 0 {
			t.Errorf("%d sessions", n)
		}
	})
}

func TestOIDCPKCE(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		e.idp.SetIdentity(oidcAda)

		// A login that works: samen sent an S256 challenge, kept the
		// verifier out of the browser's URLs, and redeemed the code with
		// the verifier that matches.
		b := e.browser()
		res := b.get("/auth/oidc/login?next=/account")
		if res.status != http.StatusOK {
			t.Fatalf("login: %d at %s\n%s", res.status, res.url, res.body)
		}
		auth := e.idp.AuthRequests()[0]
		if auth.Get("code_challenge_method") != "S256" || auth.Get("code_challenge") == "" || auth.Has("code_verifier") {
			t.Errorf("authorization request %v", auth)
		}
		tok := e.idp.TokenRequests()
		if len(tok) != 1 || tok[0].Error != "" {
			t.Fatalf("token requests %+v", tok)
		}
		if tok[0].Challenge != auth.Get("code_challenge") || oidctest.Challenge(tok[0].Verifier) != tok[0].Challenge || tok[0].Verifier == tok[0].Challenge {
			t.Errorf("verifier %q does not match challenge %q", tok[0].Verifier, auth.Get("code_challenge"))
		}
		for _, hop := range res.hops {
			if strings.Contains(hop, tok[0].Verifier) {
				t.Errorf("the verifier travelled in a URL: %s", hop)
			}
		}

		// The provider does check: a code redeemed with another verifier
		// (by someone who intercepted the callback) is refused, and the
		// code is spent, so the browser's login fails too.
		b2 := e.browser()
		callback := b2.toCallback("/account")
		resp, err := http.PostForm(e.idp.URL+"/token", url.Values{
			"grant_type":    {"authorization_code"},
			"code":          {callback.Query().Get("code")},
			"redirect_uri":  {e.url + "/auth/oidc/callback"},
			"code_verifier": {strings.Repeat("x", 43)},
			"client_id":     {oidcClientID},
			"client_secret": {oidcSecret},
		})
		if err != nil {
			t.Fatal(err)
		}
		var oerr struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&oerr)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || oerr.Error != "invalid_grant" {
			t.Errorf("wrong verifier: %d %q, want 400 invalid_grant", resp.StatusCode, oerr.Error)
		}
		tok = e.idp.TokenRequests()
		if last := tok[len(tok)-1]; last.ErrorText != "code_verifier does not match code_challenge" {
			t.Errorf("wrong verifier refused for another reason: %+v", last)
		}
		b2.refused(b2.get(callback.String()), http.StatusUnauthorized, oidcMsgFailed)
		if n := e.count("sessions"); n != 1 {
			t.Errorf("%d sessions, want 1", n)
		}
	})
}

func TestOIDCClientAuthentication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		e.idp.SetIdentity(oidcAda)
		for _, method := range []oidctest.ClientAuth{oidctest.AuthBasic, oidctest.AuthPost} {
			e.idp.AllowClientAuth(method)
			before := len(e.idp.TokenRequests())
			e.browser().login()
			tok := e.idp.TokenRequests()[before:]
			if last := tok[len(tok)-1]; last.ClientAuth != method || last.Error != "" {
				t.Errorf("%s: token requests %+v", method, tok)
			}
		}

		// A wrong secret: the provider refuses, and so does samen.
		e2 := newOIDCEnv(t, db, true)
		e2.idp.SetIdentity(oidcAda)
		e2.idp.AllowClientAuth() // no method accepted: as if the secret were wrong
		b := e2.browser()
		b.refused(b.get("/auth/oidc/login?next=/account"), http.StatusUnauthorized, oidcMsgFailed)
	})
}

func TestOIDCProviderDownAtFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		e.idp.SetIdentity(oidcAda)
		e.idp.Stop()

		b := e.browser()
		res := b.get("/auth/oidc/login?next=/account")
		if res.url.Path != "/auth/oidc/login" {
			t.Errorf("sent on to %s although the provider is down", res.url)
		}
		b.refused(res, http.StatusServiceUnavailable, oidcMsgDown)
		// The login page is still there, with the password form.
		if res := b.get("/login"); res.status != http.StatusOK || !strings.Contains(res.body, `name="password"`) {
			t.Errorf("login page while the provider is down: %d", res.status)
		}

		e.idp.Start(t)
		me := b.login()
		if me.Email != "ada@example.org" {
			t.Errorf("me = %+v", me)
		}
	})
}

func TestOIDCDisabledAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newOIDCEnv(t, db, true)
		e.idp.SetIdentity(oidcAda)
		me := e.browser().login()
		if err := e.accounts.SetDisabled(context.Background(), me.ID, true); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		b.refused(b.get("/auth/oidc/login?next=/account"), http.StatusForbidden, oidcMsgClosed)

		// Nor can a closed password account be reached by linking.
		grace, err := e.accounts.Add(context.Background(), account.NewUser{
			Email: "grace@example.org", Password: "correct horse battery staple", Role: account.Member,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.accounts.SetDisabled(context.Background(), grace.ID, true); err != nil {
			t.Fatal(err)
		}
		e.idp.SetIdentity(oidctest.Identity{Subject: "g-1", Email: "grace@example.org", EmailVerified: true})
		b = e.browser()
		b.refused(b.get("/auth/oidc/login?next=/account"), http.StatusForbidden, oidcMsgClosed)

		if n := e.count("sessions"); n != 0 {
			t.Errorf("%d sessions, want none", n)
		}
		if n := e.count("users"); n != 2 {
			t.Errorf("%d users, want 2", n)
		}
	})
}
