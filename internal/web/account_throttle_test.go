package web_test

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// behindProxy is a server behind a reverse proxy on the loopback address,
// whose X-Forwarded-For it believes: browsers can then come from different
// addresses (see from).
func behindProxy(c *siteConfig) {
	c.opts.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// from makes the browser's requests arrive from addr, as the proxy says.
func (b *browser) from(addr string) *browser {
	b.client.Transport = forwardedFor(addr)
	return b
}

type forwardedFor string

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", string(f))
	return http.DefaultTransport.RoundTrip(r)
}

// tryLogin fills in the login form without expecting any answer.
func (b *browser) tryLogin(email, password string) *response {
	b.t.Helper()
	return b.postForm("/login", url.Values{"email": {email}, "password": {password}})
}

// cookie returns the browser's cookie of a name, or nil.
func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.site.HTTP.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// The done-when check of issue 10: after seven wrong passwords by a stranger
// from another address, the account's own browser logs in. A browser that
// never logged in to the account waits, and is told what helps.
func TestStrangerCannotLockOutTheAccountsOwnBrowser(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, behindProxy)
		s.seed()

		// The steward logged in from this browser before, and logged out.
		own := s.browser("en").from("192.0.2.10")
		own.login(steward.Email, steward.Password)
		if own.cookie("samen_device") == nil {
			t.Fatal("logging in gave the browser no device cookie")
		}
		if r := own.postForm("/logout", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("logout: status %d", r.Status)
		}
		if own.cookie("samen_device") == nil {
			t.Fatal("logging out took the device cookie away")
		}

		stranger := s.browser("en").from("203.0.113.66")
		for i := 1; i <= 7; i++ {
			r := stranger.tryLogin(steward.Email, "wrong password "+string(rune('0'+i)))
			want := http.StatusUnauthorized
			if i > 5 {
				want = http.StatusTooManyRequests
			}
			if r.Status != want {
				t.Fatalf("stranger's guess %d: status %d, want %d", i, r.Status, want)
			}
		}

		r := own.tryLogin(steward.Email, steward.Password)
		if r.Status != http.StatusSeeOther || r.Cookie("samen_session") == nil {
			t.Fatalf("the steward's own browser after a stranger's seven guesses: status %d, session cookie %v; body:\n%s",
				r.Status, r.Cookie("samen_session"), r.Body)
		}
		if r := own.get("/account"); r.Status != http.StatusOK {
			t.Fatalf("/account: status %d", r.Status)
		}

		// A browser the steward never used, at the steward's own address,
		// is throttled, and the page says what helps.
		for _, lang := range []string{"en", "nl"} {
			fresh := s.browser(lang).from("192.0.2.10")
			r = fresh.tryLogin(steward.Email, steward.Password)
			if r.Status != http.StatusTooManyRequests || r.Cookie("samen_session") != nil {
				t.Fatalf("a new browser: status %d, session cookie %v; want 429 and none", r.Status, r.Cookie("samen_session"))
			}
			if r.Header.Get("Retry-After") != "900" {
				t.Errorf("Retry-After %q, want 900", r.Header.Get("Retry-After"))
			}
			mustContain(t, r, html(msgs.T(lang, "error.login.rate_limited")))
		}
	})
}

// A browser with a device cookie that guesses wrong itself is locked out
// alone; the owner's other browser still logs in.
func TestDeviceIsLockedOutAloneOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, behindProxy)
		s.seed()
		laptop := s.loggedIn(member, "en").from("192.0.2.10")
		phone := s.loggedIn(member, "en").from("192.0.2.20")
		for _, b := range []*browser{laptop, phone} {
			b.postForm("/logout", nil)
		}
		for i := range 5 {
			if r := laptop.tryLogin(member.Email, "not it at all "+string(rune('a'+i))); r.Status != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: status %d, want 401", i+1, r.Status)
			}
		}
		r := laptop.tryLogin(member.Email, member.Password)
		if r.Status != http.StatusTooManyRequests {
			t.Fatalf("the laptop after five wrong passwords: status %d, want 429", r.Status)
		}
		mustContain(t, r, html(msgs.T("en", "error.login.device_rate_limited")))
		phone.login(member.Email, member.Password)
	})
}

// The device cookie is out of reach of scripts and other sites' forms, lasts
// a year, and is Secure where the site runs on HTTPS.
func TestDeviceCookie(t *testing.T) {
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
			r := s.browser("en").tryLogin(member.Email, member.Password)
			if r.Status != http.StatusSeeOther {
				t.Fatalf("login: status %d; body:\n%s", r.Status, r.Body)
			}
			c := r.Cookie("samen_device")
			if c == nil {
				t.Fatal("no device cookie")
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != tc.secure {
				t.Errorf("device cookie HttpOnly %v, SameSite %v, Path %q, Secure %v; want true, Lax, /, %v",
					c.HttpOnly, c.SameSite, c.Path, c.Secure, tc.secure)
			}
			if year := int((365 * 24 * time.Hour).Seconds()); c.MaxAge != year {
				t.Errorf("device cookie Max-Age %d, want a year (%d)", c.MaxAge, year)
			}
			if strings.Contains(c.Value, member.Email) {
				t.Errorf("the device cookie holds the e-mail address: %q", c.Value)
			}
		})
	}
}

// resetPassword asks for a reset link for an address in this browser,
// follows it and saves a new password, checking what the pages say on the
// way.
func (b *browser) resetPassword(email, newPassword string) *response {
	b.t.Helper()
	if r := b.postForm("/password/forgot", url.Values{"email": {email}}); r.Status != http.StatusOK {
		b.t.Fatalf("forgot: status %d; body:\n%s", r.Status, r.Body)
	}
	link := b.site.linkIn(b.site.mailTo(email), "/password/reset")
	r := b.get(link)
	if r.Status != http.StatusOK {
		b.t.Fatalf("reset form: status %d; body:\n%s", r.Status, r.Body)
	}
	mustContain(b.t, r, html(msgs.T(b.Lang, "reset.intro")))
	token := strings.TrimPrefix(link, b.site.URL+"/password/reset?token=")
	return b.postForm("/password/reset", url.Values{"token": {token}, "password": {newPassword}})
}

// A password reset lifts the lockout on the account: the browser that did
// the reset logs in, and so does any other. It also revokes the account's API
// tokens, as the reset page and the mail say.
func TestPasswordResetLiftsLockoutAndRevokesTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db, behindProxy)
		s.seed()
		token := s.tokenFor(member.Email)
		script := s.script(token, "en")
		if r := script.call(http.MethodGet, "/me", ""); r.Status != http.StatusOK {
			t.Fatalf("/me with the token: status %d", r.Status)
		}
		othersToken := s.tokenFor(moderator.Email)
		session := s.loggedIn(member, "en").from("192.0.2.30")

		stranger := s.browser("en").from("203.0.113.66")
		for range 6 {
			stranger.tryLogin(member.Email, "a wrong guess here")
		}
		owner := s.browser("nl").from("192.0.2.10")
		if r := owner.tryLogin(member.Email, member.Password); r.Status != http.StatusTooManyRequests {
			t.Fatalf("a new browser after the stranger's guesses: status %d, want 429", r.Status)
		}

		// The member reads Dutch: the mail says, in Dutch, what a reset does.
		const newPassword = "a fresh start at last"
		r := owner.resetPassword(member.Email, newPassword)
		if r.Status != http.StatusSeeOther || r.Location() != "/login?notice=password_reset" {
			t.Fatalf("saving the new password: status %d to %q; body:\n%s", r.Status, r.Location(), r.Body)
		}
		m := s.mailTo(member.Email)
		if !strings.Contains(m.Body, "worden al je API-tokens ingetrokken") {
			t.Errorf("the reset mail does not say tokens will be revoked:\n%s", m.Body)
		}
		mustContain(t, owner.get(r.Location()), html(msgs.T("nl", "notice.password_reset")))

		// The script's token is dead; someone else's is not.
		e := apiErrorOf(t, script.call(http.MethodGet, "/me", ""), http.StatusUnauthorized)
		if e.Error.Code != "token.invalid" {
			t.Errorf("code %q, want token.invalid", e.Error.Code)
		}
		if r := s.script(othersToken, "en").call(http.MethodGet, "/me", ""); r.Status != http.StatusOK {
			t.Errorf("another account's token after the reset: status %d, want 200", r.Status)
		}
		// The old session has ended.
		if r := session.get("/account"); r.Status != http.StatusSeeOther {
			t.Errorf("the old session after the reset: status %d, want a redirect to log in", r.Status)
		}
		// The browser that did the reset, and one that never logged in, both
		// log in now.
		owner.login(member.Email, newPassword)
		s.browser("en").from("192.0.2.40").login(member.Email, newPassword)
		r = owner.get("/account")
		mustContain(t, r, html(msgs.T("nl", "account.revoked")))
		if revokeRE.MatchString(r.Body) {
			t.Error("the account page still offers to revoke a token: one is live")
		}
	})
}

// The reset mail says what a reset does, in English too.
func TestResetMailSaysTokensAreRevoked(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		if _, err := s.Accounts.UpdateProfile(context.Background(), s.userID(member.Email), account.Profile{Language: "en"}); err != nil {
			t.Fatal(err)
		}
		b := s.browser("en")
		if r := b.postForm("/password/forgot", url.Values{"email": {member.Email}}); r.Status != http.StatusOK {
			t.Fatalf("forgot: status %d", r.Status)
		}
		m := s.mailTo(member.Email)
		if !strings.Contains(m.Body, "revokes all your API tokens") {
			t.Errorf("the reset mail does not say tokens will be revoked:\n%s", m.Body)
		}
	})
}

// The password form on the account page offers to revoke the API tokens:
// ticked, they stop working; not ticked, they keep working. Other devices
// are logged out either way.
func TestPasswordChangeCanRevokeTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		b := s.loggedIn(member, "en")
		r := b.get("/account")
		mustContain(t, r, `name="revoke_tokens"`, html(msgs.T("en", "account.revoke_tokens")), html(msgs.T("en", "account.revoke_tokens_hint")))
		script := s.script(s.tokenFor(member.Email), "en")

		change := func(current, next, revoke string) *response {
			t.Helper()
			form := url.Values{"current_password": {current}, "new_password": {next}}
			if revoke != "" {
				form.Set("revoke_tokens", revoke)
			}
			return b.postForm("/account/password", form)
		}

		// Not ticked: the token works on; the other device is logged out.
		other := s.loggedIn(member, "en")
		const second, third = "second good password here", "third good password here"
		r = change(member.Password, second, "")
		if r.Status != http.StatusSeeOther || r.Location() != "/account?notice=password_changed" {
			t.Fatalf("change without revoking: status %d to %q; body:\n%s", r.Status, r.Location(), r.Body)
		}
		if r := script.call(http.MethodGet, "/me", ""); r.Status != http.StatusOK {
			t.Errorf("the token after a change without revoking: status %d, want 200", r.Status)
		}
		if r := other.get("/account"); r.Status != http.StatusSeeOther {
			t.Errorf("the other device after the change: status %d, want a redirect to log in", r.Status)
		}

		// A value a checkbox does not send is refused, and nothing changes.
		r = change(second, third, "please")
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("revoke_tokens=please: status %d, want 422", r.Status)
		}
		mustContain(t, r, html(msgs.T("en", "field.checkbox.invalid")), `href="#revoke_tokens"`)
		if r := script.call(http.MethodGet, "/me", ""); r.Status != http.StatusOK {
			t.Errorf("the token after a refused change: status %d, want 200", r.Status)
		}
		// A refused change keeps the box as it was.
		r = change("not my password", third, "yes")
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong current password: status %d, want 422", r.Status)
		}
		mustContain(t, r, `value="yes" checked`)

		// Ticked: the token is revoked, and the page says so.
		r = change(second, third, "yes")
		if r.Status != http.StatusSeeOther || r.Location() != "/account?notice=password_changed_tokens_revoked" {
			t.Fatalf("change with revoking: status %d to %q; body:\n%s", r.Status, r.Location(), r.Body)
		}
		mustContain(t, b.get(r.Location()), html(msgs.T("en", "notice.password_changed_tokens_revoked")), html(msgs.T("en", "account.revoked")))
		e := apiErrorOf(t, script.call(http.MethodGet, "/me", ""), http.StatusUnauthorized)
		if e.Error.Code != "token.invalid" {
			t.Errorf("code %q, want token.invalid", e.Error.Code)
		}
		s.browser("en").login(member.Email, third)
	})
}
