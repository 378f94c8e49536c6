package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"samen/internal/store/storetest"
	"samen/internal/web"
	"samen/internal/web/oidctest"
)

// Fuzz test for the OpenID Connect callback: whatever comes back in its
// query and its cookie, only the real state with the real code logs in.
// Run it with
//
//	go test ./internal/web/ -run '^$' -fuzz '^FuzzOIDCCallback$' -fuzztime 60s

// oidcFuzzBase is samen's address for the fuzz test: requests go straight
// into the handler, so nothing listens there.
const oidcFuzzBase = "http://samen.test"

// oidcLogin starts a login as a browser would: samen's login sends it to
// the provider with a cookie, the provider sends it back to the callback
// with a code and the state.
func oidcLogin(t testing.TB, h http.Handler, client *http.Client) (cookie, state, code string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, oidcFuzzBase+"/auth/oidc/login?next=/account", nil))
	if rec.Code != http.StatusFound {
		t.Fatalf("GET /auth/oidc/login: %d\n%s", rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == "samen_oidc" {
			cookie = c.Value
		}
	}
	resp, err := client.Get(rec.Header().Get("Location"))
	if err != nil {
		t.Fatalf("the provider: %v", err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || cookie == "" || !strings.HasPrefix(back.String(), oidcFuzzBase+"/auth/oidc/callback?") {
		t.Fatalf("the provider sent the browser to %q (%v); cookie %q", resp.Header.Get("Location"), err, cookie)
	}
	return cookie, back.Query().Get("state"), back.Query().Get("code")
}

// FuzzOIDCCallback: the callback never answers with a server error, and it
// gives a session only to the browser that started the login, coming back
// with the provider's state and code and no error; it then sends it on
// within the site.
//
// mode chooses the cookie: none, the fuzzed value, or one from a real
// login (with the fuzzed value as its next when mode is 3). A state or
// code of "=" stands for the real one.
func FuzzOIDCCallback(f *testing.F) {
	for _, s := range []struct {
		mode                     uint8
		state, code, err, cookie string
	}{
		{2, "=", "=", "", ""}, {3, "=", "=", "", "%2Faccount%3Ftab%3Da%3Bb"}, {3, "=", "=", "", "%2F%2Fevil.example"},
		{3, "=", "=", "", "https%3A%2F%2Fevil.example"}, {3, "=", "=", "", "%zz"}, {3, "=", "=", "", ""}, {3, "=", "=", "", "/\\evil"},
		{2, "=", "=", "access_denied", ""}, {2, "=", "x", "", ""}, {2, "x", "=", "", ""}, {2, "", "", "", ""}, {2, "=", "", "", ""},
		{0, "=", "=", "", ""}, {0, "", "", "", ""}, {1, "s", "c", "", "s n v %2F"}, {1, "s", "c", "", "s n v"}, {1, "", "c", "", "   "},
		{1, "s", "=", "", "s\x00 n v /"}, {1, "\xff", "\xff", "\xff", "\xff \xff \xff \xff"}, {2, "=", strings.Repeat("c", 5000), "", ""},
		{2, "=", "=", strings.Repeat("e", 5000), ""}, {2, "=", "=\x00", "", ""}, {2, "= ", "=", "", ""},
	} {
		f.Add(s.mode, s.state, s.code, s.err, s.cookie)
	}
	idp := oidctest.New(f, oidctest.Config{ClientID: oidcClientID, ClientSecret: oidcSecret, RedirectURI: oidcFuzzBase + "/auth/oidc/callback"})
	idp.SetIdentity(oidcAda)
	withIdP := func(c *siteConfig) {
		c.opts.OIDC = &web.OIDCProvider{Issuer: idp.URL, ClientID: oidcClientID, ClientSecret: oidcSecret, Name: "Test IdP"}
	}
	s := newSite(f, storetest.SQLite(f), quiet, withBaseURL(oidcFuzzBase), withIdP)
	h := s.HTTP.Config.Handler
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	f.Fuzz(func(t *testing.T, mode uint8, state, code, errParam, cookie string) {
		var realState, realCode string
		switch mode % 4 {
		case 0:
			cookie = ""
		case 2, 3:
			var real string
			real, realState, realCode = oidcLogin(t, h, client)
			if mode%4 == 3 {
				// The login's own state, nonce and verifier, a fuzzed next.
				parts := strings.SplitN(real, " ", 4)
				cookie = strings.Join(parts[:3], " ") + " " + cookie
			} else {
				cookie = real
			}
		}
		if state == "=" {
			state = realState
		}
		if code == "=" {
			code = realCode
		}
		q := url.Values{"state": {state}, "code": {code}}
		if errParam != "" {
			q.Set("error", errParam)
			q.Set("error_description", errParam)
		}
		req := httptest.NewRequest(http.MethodGet, oidcFuzzBase+"/auth/oidc/callback?"+q.Encode(), nil)
		if mode%4 != 0 {
			// A browser cannot send a line break in a header.
			req.Header.Set("Cookie", "samen_oidc="+strings.NewReplacer("\r", "", "\n", "").Replace(cookie))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("callback %s with cookie %q: status %d\n%s", q.Encode(), cookie, rec.Code, rec.Body)
		}
		session := false
		for _, c := range rec.Result().Cookies() {
			if c.Name == "samen_session" && c.Value != "" && c.MaxAge >= 0 {
				session = true
			}
		}
		genuine := mode%4 >= 2 && realState != "" && state == realState && code == realCode && errParam == ""
		switch {
		case genuine && mode%4 == 2:
			if rec.Code != http.StatusSeeOther || !session || rec.Header().Get("Location") != "/account" {
				t.Fatalf("a genuine login: status %d, session %v, to %q\n%s", rec.Code, session, rec.Header().Get("Location"), rec.Body)
			}
		case genuine:
			// The next in the cookie may be anything: the login still
			// stays on the site, or fails without a session.
			if loc := rec.Header().Get("Location"); rec.Code == http.StatusSeeOther && (!session || web.Local(loc) != loc) {
				t.Fatalf("a login with next %q: session %v, to %q", cookie, session, loc)
			} else if rec.Code != http.StatusSeeOther && session {
				t.Fatalf("a login with next %q: status %d with a session", cookie, rec.Code)
			}
		case session || rec.Code < 400:
			t.Fatalf("callback %s with cookie %q (real state %q, code %q): status %d, session %v", q.Encode(), cookie, realState, realCode, rec.Code, session)
		}
	})
}
