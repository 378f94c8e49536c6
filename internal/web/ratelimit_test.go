package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// Guessing a password is stopped after five wrong tries: the sixth answer is
// 429 with Retry-After, even for the right password, and says why.
func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		b := s.browser("en")
		try := func(password string) *response {
			t.Helper()
			return b.postForm("/login", url.Values{"email": {member.Email}, "password": {password}})
		}
		for i := 1; i <= 5; i++ {
			r := try("wrong password " + string(rune('0'+i)))
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: status %d, want 401", i, r.Status)
			}
			mustContain(t, r, html(msgs.T("en", "error.login.credentials")))
			if r.Header.Get("Retry-After") != "" {
				t.Errorf("wrong password %d: Retry-After before the limit", i)
			}
		}
		for _, pw := range []string{"sixth wrong password", member.Password} {
			r := try(pw)
			if r.Status != http.StatusTooManyRequests {
				t.Fatalf("after five failures: status %d, want 429; body:\n%s", r.Status, r.Body)
			}
			if r.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			if r.Cookie("samen_session") != nil {
				t.Error("a rate-limited login set a session cookie")
			}
			mustContain(t, r, html(msgs.T("en", "error.login.rate_limited")))
			// The address typed stays in the form.
			mustContain(t, r, `value="`+member.Email+`"`)
		}

		// The limit is per account: someone else logs in from the same
		// address without trouble.
		s.loggedIn(moderator, "en")

		// Dutch readers are told in Dutch.
		nl := s.browser("nl")
		r := nl.postForm("/login", url.Values{"email": {member.Email}, "password": {member.Password}})
		if r.Status != http.StatusTooManyRequests {
			t.Fatalf("status %d, want 429", r.Status)
		}
		mustContain(t, r, html(msgs.T("nl", "error.login.rate_limited")))
	})
}
