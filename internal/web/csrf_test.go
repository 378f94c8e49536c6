package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// A page on another site must not be able to make a visitor's browser log in,
// create tokens or change anything here; scripts, which send no Origin, must
// still work.
func TestCrossOriginPostsAreRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		login := url.Values{"email": {member.Email}, "password": {member.Password}}.Encode()

		post := func(b *browser, path, body string, headers map[string]string) *response {
			t.Helper()
			req := b.newRequest(http.MethodPost, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range headers {
				req.Header.Set(k, v)
			}
			return b.do(req)
		}

		for _, tc := range []struct {
			name    string
			headers map[string]string
		}{
			{"foreign Origin", map[string]string{"Origin": "https://evil.example"}},
			{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}},
			{"cross-site fetch with foreign Origin", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
			{"same-site but other origin", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://sub." + strings.TrimPrefix(s.HTTP.URL, "http://")}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				b := s.browser("en")
				r := post(b, "/login", login, tc.headers)
				if r.Status != http.StatusForbidden {
					t.Fatalf("status %d, want 403; body:\n%s", r.Status, r.Body)
				}
				if r.Cookie("samen_session") != nil {
					t.Error("a refused login set a session cookie")
				}
				mustContain(t, r, html(msgs.T("en", "error.csrf.origin")))
			})
		}

		t.Run("own Origin", func(t *testing.T) {
			b := s.browser("en")
			r := post(b, "/login", login, map[string]string{"Origin": s.HTTP.URL})
			if r.Status != http.StatusSeeOther || r.Cookie("samen_session") == nil {
				t.Fatalf("status %d, session cookie %v; want 303 and a session", r.Status, r.Cookie("samen_session"))
			}
		})
		t.Run("same-origin fetch", func(t *testing.T) {
			b := s.browser("en")
			r := post(b, "/login", login, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": s.HTTP.URL})
			if r.Status != http.StatusSeeOther || r.Cookie("samen_session") == nil {
				t.Fatalf("status %d, session cookie %v; want 303 and a session", r.Status, r.Cookie("samen_session"))
			}
		})
		t.Run("script without Origin", func(t *testing.T) {
			b := s.browser("en")
			r := post(b, "/login", login, nil)
			if r.Status != http.StatusSeeOther || r.Cookie("samen_session") == nil {
				t.Fatalf("status %d, session cookie %v; want 303 and a session", r.Status, r.Cookie("samen_session"))
			}
		})

		t.Run("token form while logged in", func(t *testing.T) {
			b := s.loggedIn(member, "en")
			r := post(b, "/account/tokens", "token_name=stolen", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
			if r.Status != http.StatusForbidden {
				t.Fatalf("status %d, want 403; body:\n%s", r.Status, r.Body)
			}
			if strings.Contains(r.Body, "samen_") {
				t.Errorf("the refusal shows a token secret:\n%s", r.Body)
			}
			tokens, err := s.Accounts.Tokens(context.Background(), s.userID(member.Email))
			if err != nil {
				t.Fatal(err)
			}
			if len(tokens) != 0 {
				t.Errorf("a cross-origin form created %d token(s)", len(tokens))
			}
			// The same form from the site itself works, so the refusal
			// above was the origin check and nothing else.
			if r := b.postForm("/account/tokens", url.Values{"token_name": {"mine"}}); r.Status != http.StatusOK {
				t.Fatalf("own token form: status %d; body:\n%s", r.Status, r.Body)
			}
		})

		t.Run("API with foreign Origin", func(t *testing.T) {
			c := s.script(s.tokenFor(member.Email), "en")
			req := c.b.newRequest(http.MethodPost, "/api/v1/tokens", strings.NewReader(`{"name":"x"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+c.token)
			req.Header.Set("Origin", "https://evil.example")
			e := apiErrorOf(t, c.b.do(req), http.StatusForbidden)
			if e.Error.Code != "csrf.origin" {
				t.Errorf("code %q, want csrf.origin", e.Error.Code)
			}
		})
	})
}

// Behind a reverse proxy the Host header is the proxy's idea of the site, not
// the public name; the configured base URL is trusted as an origin anyway.
func TestBaseURLIsATrustedOrigin(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t), withBaseURL("https://samen.example"))
	s.seed()
	login := url.Values{"email": {member.Email}, "password": {member.Password}}.Encode()
	for origin, want := range map[string]int{
		"https://samen.example":      http.StatusSeeOther,
		"https://samen.example.evil": http.StatusForbidden,
		"http://samen.example":       http.StatusForbidden,
	} {
		b := s.browser("en")
		req := b.newRequest(http.MethodPost, "/login", strings.NewReader(login))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if r := b.do(req); r.Status != want {
			t.Errorf("Origin %s: status %d, want %d", origin, r.Status, want)
		}
	}
}
