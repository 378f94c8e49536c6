package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

var (
	secretRE = regexp.MustCompile(`samen_[A-Za-z0-9_-]{43}`)
	revokeRE = regexp.MustCompile(`action="/account/tokens/(\d+)/revoke"`)
)

// Someone signs up, confirms their address, logs in, makes an API token for a
// script, revokes it, and logs out: the whole account story over HTTP.
func TestAccountJourney(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		const email = "ada@example.org"
		b := s.browser("en")

		// Sign up.
		r := b.signUp(email, "Ada", goodPassword)
		if r.Status != http.StatusOK {
			t.Fatalf("sign-up: status %d; body:\n%s", r.Status, r.Body)
		}
		mustContain(t, r, html(msgs.T("en", "signup.done_title")), email)

		// Logging in before confirming the address is refused, with an
		// offer to send the link again.
		r = b.postForm("/login", url.Values{"email": {email}, "password": {goodPassword}})
		if r.Status != http.StatusForbidden || r.Cookie("samen_session") != nil {
			t.Fatalf("login before verifying: status %d, cookie %v", r.Status, r.Cookie("samen_session"))
		}
		mustContain(t, r, html(msgs.T("en", "error.login.unverified")), `href="/verify/resend"`)

		// The mail is in English, the language the person signed up in,
		// and links to this site.
		m := s.mailTo(email)
		if m.Subject != msgs.T("en", "mail.verify.subject", "site", "samen") {
			t.Errorf("subject %q", m.Subject)
		}
		link := s.linkIn(m, "/verify")
		if !strings.HasPrefix(link, s.HTTP.URL+"/verify?token=") {
			t.Fatalf("link %q does not point at the site", link)
		}

		// Confirm.
		r = b.get(link)
		if r.Status != http.StatusSeeOther || r.Location() != "/login?notice=verified" {
			t.Fatalf("verify: status %d to %q", r.Status, r.Location())
		}
		mustContain(t, b.get(r.Location()), html(msgs.T("en", "notice.verified")))
		// A link works once.
		if r := b.get(link); r.Status != http.StatusGone {
			t.Errorf("second use of the link: status %d, want 410", r.Status)
		} else {
			mustContain(t, r, html(msgs.T("en", "error.token.used")))
		}

		// Log in, and come back to the page asked for.
		r = b.postForm("/login", url.Values{"email": {email}, "password": {goodPassword}, "next": {"/account"}})
		if r.Status != http.StatusSeeOther || r.Location() != "/account" || r.Cookie("samen_session") == nil {
			t.Fatalf("login: status %d to %q, cookie %v; body:\n%s", r.Status, r.Location(), r.Cookie("samen_session"), r.Body)
		}
		r = b.get("/account")
		if r.Status != http.StatusOK {
			t.Fatalf("/account: status %d", r.Status)
		}
		mustContain(t, r, email, html(msgs.T("en", "account.no_tokens")))

		// Create a token: its secret is on this page and never again.
		r = b.postForm("/account/tokens", url.Values{"token_name": {"export script"}})
		if r.Status != http.StatusOK {
			t.Fatalf("creating a token: status %d; body:\n%s", r.Status, r.Body)
		}
		secret := secretRE.FindString(r.Body)
		if secret == "" {
			t.Fatalf("the page does not show the new token:\n%s", r.Body)
		}
		mustContain(t, r, html(msgs.T("en", "account.token_once")), "export script")
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("the page with the secret may be cached: Cache-Control %q", cc)
		}
		r = b.get("/account")
		if strings.Contains(r.Body, secret) {
			t.Error("the secret is shown a second time")
		}
		mustContain(t, r, secret[:12]+"…", "export script")
		ids := revokeRE.FindStringSubmatch(r.Body)
		if ids == nil {
			t.Fatalf("no revoke button on the account page:\n%s", r.Body)
		}

		// A script uses it.
		c := s.script(secret, "en")
		r = c.call(http.MethodGet, "/me", "")
		if r.Status != http.StatusOK {
			t.Fatalf("/api/v1/me: status %d; body:\n%s", r.Status, r.Body)
		}
		var me struct {
			Email    string `json:"email"`
			Name     string `json:"name"`
			Role     string `json:"role"`
			Verified bool   `json:"verified"`
		}
		r.JSON(t, &me)
		if me.Email != email || me.Name != "Ada" || me.Role != "member" || !me.Verified {
			t.Errorf("/api/v1/me = %+v", me)
		}

		// Revoke it; the script is refused from then on.
		r = b.postForm("/account/tokens/"+ids[1]+"/revoke", nil)
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/account?notice=token_revoked") {
			t.Fatalf("revoking: status %d to %q", r.Status, r.Location())
		}
		r = c.call(http.MethodGet, "/me", "")
		e := apiErrorOf(t, r, http.StatusUnauthorized)
		if e.Error.Code != "token.invalid" {
			t.Errorf("code %q, want token.invalid", e.Error.Code)
		}
		if e.Error.Message != msgs.T("en", "error.token.invalid") {
			t.Errorf("message %q", e.Error.Message)
		}
		if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
		}
		mustContain(t, b.get("/account"), html(msgs.T("en", "account.revoked")))

		// Log out: the session ends on the server, not only in the browser.
		r = b.postForm("/logout", nil)
		if r.Status != http.StatusSeeOther || r.Location() != "/?notice=logged_out" {
			t.Fatalf("logout: status %d to %q", r.Status, r.Location())
		}
		if c := r.Cookie("samen_session"); c == nil || c.MaxAge >= 0 {
			t.Errorf("logout does not clear the session cookie: %v", c)
		}
		r = b.get("/account")
		if r.Status != http.StatusSeeOther || r.Location() != "/login?next=%2Faccount" {
			t.Fatalf("/account after logout: status %d to %q", r.Status, r.Location())
		}
	})
}

// A session cookie kept after logging out (copied, say) opens nothing.
func TestLogoutEndsTheSessionOnTheServer(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		b := s.loggedIn(member, "en")
		u, _ := url.Parse(s.HTTP.URL)
		var cookie *http.Cookie
		for _, c := range b.client.Jar.Cookies(u) {
			if c.Name == "samen_session" {
				cookie = c
			}
		}
		if cookie == nil {
			t.Fatal("no session cookie in the jar")
		}
		if r := b.postForm("/logout", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("logout: status %d", r.Status)
		}
		thief := s.browser("en")
		thief.client.Jar.SetCookies(u, []*http.Cookie{{Name: "samen_session", Value: cookie.Value, Path: "/"}})
		r := thief.get("/account")
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/login") {
			t.Fatalf("old cookie after logout: status %d to %q", r.Status, r.Location())
		}
		// A dead cookie is cleared.
		if c := r.Cookie("samen_session"); c == nil || c.MaxAge >= 0 {
			t.Errorf("the dead cookie is not cleared: %v", c)
		}
	})
}
