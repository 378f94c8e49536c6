package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"samen/internal/store/storetest"
)

// cspDirectives splits a Content-Security-Policy into directive -> sources.
func cspDirectives(policy string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		out[strings.ToLower(f[0])] = f[1:]
	}
	return out
}

func checkSecurityHeaders(t *testing.T, r *response) {
	t.Helper()
	policy := r.Header.Get("Content-Security-Policy")
	if policy == "" {
		t.Fatal("no Content-Security-Policy")
	}
	if strings.Contains(policy, "unsafe-inline") || strings.Contains(policy, "unsafe-eval") {
		t.Errorf("the policy allows inline code: %s", policy)
	}
	csp := cspDirectives(policy)
	if got := strings.Join(csp["frame-ancestors"], " "); got != "'none'" {
		t.Errorf("frame-ancestors %q, want 'none'", got)
	}
	if got := strings.Join(csp["default-src"], " "); got != "'none'" && got != "'self'" {
		t.Errorf("default-src %q, want 'none' or 'self'", got)
	}
	for _, d := range []string{"script-src", "style-src"} {
		if got := strings.Join(csp[d], " "); got != "'self'" {
			t.Errorf("%s %q, want only 'self'", d, got)
		}
	}
	if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q, want nosniff", got)
	}
	switch got := r.Header.Get("Referrer-Policy"); got {
	case "same-origin", "no-referrer", "strict-origin", "strict-origin-when-cross-origin":
	default:
		t.Errorf("Referrer-Policy %q leaks addresses to other sites", got)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	b := s.browser("en")
	for _, path := range []string{"/", "/login", "/no-such-page", "/api/v1/openapi.json", "/api/v1/no-such-route", "/static/samen.css", "/healthz"} {
		t.Run(path, func(t *testing.T) {
			r := b.get(path)
			checkSecurityHeaders(t, r)
			if r.Header.Get("Strict-Transport-Security") != "" {
				t.Error("Strict-Transport-Security on a site served over plain HTTP")
			}
		})
	}
	t.Run("pages with personal data are not cached", func(t *testing.T) {
		if got := b.get("/login").Header.Get("Cache-Control"); !strings.Contains(got, "no-store") {
			t.Errorf("Cache-Control %q, want no-store", got)
		}
	})
	t.Run("no inline script or style in pages", func(t *testing.T) {
		// With a CSP that forbids them, inline code would only break pages.
		r := b.get("/signup")
		for _, bad := range []string{"<script>", "<style", " style=\"", " onclick="} {
			if strings.Contains(r.Body, bad) {
				t.Errorf("the page has %q, which the CSP blocks", bad)
			}
		}
	})
}

// The session cookie is out of reach of scripts and of other sites' forms,
// and marked Secure where the site runs on HTTPS (where a plain-HTTP request
// could otherwise leak it).
func TestSessionCookie(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		opts   []siteOption
		secure bool
	}{
		{"http", nil, false},
		{"https", []siteOption{withBaseURL("https://samen.example")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, storetest.SQLite(t), tc.opts...)
			s.seed()
			b := s.browser("en")
			r := b.postForm("/login", url.Values{"email": {member.Email}, "password": {member.Password}})
			if r.Status != http.StatusSeeOther {
				t.Fatalf("login: status %d; body:\n%s", r.Status, r.Body)
			}
			c := r.Cookie("samen_session")
			if c == nil {
				t.Fatal("no session cookie")
			}
			if !c.HttpOnly {
				t.Error("session cookie not HttpOnly")
			}
			if c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie SameSite %v, want Lax", c.SameSite)
			}
			if c.Secure != tc.secure {
				t.Errorf("session cookie Secure = %v, want %v", c.Secure, tc.secure)
			}
			if c.Path != "/" {
				t.Errorf("session cookie Path %q, want /", c.Path)
			}
			if c.Value == "" || len(c.Value) < 32 {
				t.Errorf("session cookie value %q is too short to be unguessable", c.Value)
			}
			checkSecurityHeaders(t, r)
			if hsts := r.Header.Get("Strict-Transport-Security"); (hsts != "") != tc.secure {
				t.Errorf("Strict-Transport-Security %q on a %s site", hsts, tc.name)
			}

			// The language cookie follows the same rule.
			lr := b.get("/language?lang=en&next=/")
			lc := lr.Cookie("samen_lang")
			if lc == nil {
				t.Fatalf("no language cookie; status %d", lr.Status)
			}
			if lc.Secure != tc.secure || lc.SameSite != http.SameSiteLaxMode {
				t.Errorf("language cookie Secure=%v SameSite=%v", lc.Secure, lc.SameSite)
			}
		})
	}
}
