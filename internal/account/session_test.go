package account_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestLoginRefusesWrongCredentials(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.add("femke@example.org", account.Member)

		wrong := e.loginErr("femke@example.org", otherPassword, "192.0.2.1")
		wantProblem(t, wrong, problem.Unauthorized, "login.credentials")
		unknown := e.loginErr("nobody@example.org", password, "192.0.2.1")
		wantProblem(t, unknown, problem.Unauthorized, "login.credentials")
		if wrong.Error() != unknown.Error() {
			t.Errorf("wrong password says %q, unknown address %q; a visitor could tell them apart", wrong, unknown)
		}
		if got := e.auditFor("session.login_failed", u.ID); len(got) != 1 {
			t.Errorf("%d session.login_failed entries for the account, want 1", len(got))
		}
		if n := e.count("SELECT COUNT(*) FROM sessions"); n != 0 {
			t.Errorf("failed logins left %d sessions", n)
		}

		wantField(t, e.loginErr("femke@example.org", "", ""), "password", "password.required")
		wantField(t, e.loginErr("femke", password, ""), "email", "email.invalid")
	})
}

func TestLoginAccountRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "gerrit@example.org"
		e.add(addr, account.Member)
		e.add("hanna@example.org", account.Member)

		for i := range 5 {
			// From a new address each time: the limit is per account.
			err := e.loginErr(addr, otherPassword, fmt.Sprintf("192.0.2.%d", i+1))
			wantProblem(t, err, problem.Unauthorized, "login.credentials")
		}
		err := e.loginErr(addr, password, "192.0.2.99")
		wantProblem(t, err, problem.RateLimited, "login.rate_limited")

		// Someone else logging in from the same place is not held up.
		if err := e.loginErr("hanna@example.org", password, "192.0.2.1"); err != nil {
			t.Errorf("another account's login = %v, want nil", err)
		}

		e.advance(14 * time.Minute)
		err = e.loginErr(addr, password, "192.0.2.99")
		wantProblem(t, err, problem.RateLimited, "login.rate_limited")

		e.advance(2 * time.Minute)
		e.login(addr, password)
	})
}

func TestLoginSuccessClearsFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "ilse@example.org"
		e.add(addr, account.Member)
		for range 2 {
			for range 4 {
				wantProblem(t, e.loginErr(addr, otherPassword, "192.0.2.1"), problem.Unauthorized, "login.credentials")
			}
			// Eight failures in all, but a success in between wipes the slate.
			e.login(addr, password)
		}
	})
}

func TestLoginAddressRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const attacker, elsewhere = "198.51.100.7", "203.0.113.9"
		const addr = "jan@example.org"
		e.add(addr, account.Member)

		// Thirty guesses spread over ten addresses, three each: no single
		// account reaches its own limit.
		for i := range 30 {
			err := e.loginErr(fmt.Sprintf("victim%d@example.org", i%10), password, attacker)
			wantProblem(t, err, problem.Unauthorized, "login.credentials")
		}
		// The account itself has no failures: the refusal names the
		// address, which a password reset would not help with.
		err := e.loginErr(addr, password, attacker)
		wantProblem(t, err, problem.RateLimited, "login.address_rate_limited")
		if err := e.loginErr(addr, password, elsewhere); err != nil {
			t.Errorf("login from another address = %v, want nil", err)
		}

		e.advance(16 * time.Minute)
		if err := e.loginErr(addr, password, attacker); err != nil {
			t.Errorf("login from the blocked address after the window = %v, want nil", err)
		}
	})
}

// Guesses sent all at once must not slip past the limit by each being checked
// before any of the others is counted.
func TestLoginRateLimitHoldsForConcurrentGuesses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "kees@example.org"
		e.add(addr, account.Member)

		const guesses = 12
		errs := make([]error, guesses)
		var wg sync.WaitGroup
		for i := range guesses {
			wg.Go(func() {
				errs[i] = e.loginErr(addr, fmt.Sprintf("guess number %d", i), fmt.Sprintf("192.0.2.%d", i+1))
			})
		}
		wg.Wait()
		checked := 0
		for _, err := range errs {
			p, ok := problem.As(err)
			switch {
			case ok && p.Code == "login.credentials":
				checked++
			case ok && p.Code == "login.rate_limited":
			default:
				t.Errorf("concurrent wrong guess: %v", err)
			}
		}
		if checked > 5 {
			t.Fatalf("%d of %d concurrent guesses had their password checked, want at most 5", checked, guesses)
		}
		// Refused guesses cost nothing; what is left of the budget of five
		// can still be spent, and then even the right password is refused.
		for range 5 - checked {
			wantProblem(t, e.loginErr(addr, otherPassword, "192.0.2.200"), problem.Unauthorized, "login.credentials")
		}
		wantProblem(t, e.loginErr(addr, password, "192.0.2.200"), problem.RateLimited, "login.rate_limited")
	})
}

func TestLoginDisabledAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "lotte@example.org"
		u := e.add(addr, account.Member)
		_, session := e.login(addr, password)

		if err := e.svc.SetDisabled(e.ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		e.sessionGone(session)
		wantProblem(t, e.loginErr(addr, password, ""), problem.Forbidden, "login.disabled")
		// Without the password it says only that the credentials are wrong.
		wantProblem(t, e.loginErr(addr, otherPassword, ""), problem.Unauthorized, "login.credentials")

		if err := e.svc.SetDisabled(e.ctx, u.ID, false); err != nil {
			t.Fatal(err)
		}
		e.sessionGone(session) // closing the account ended it for good
		e.login(addr, password)
		if got := e.auditFor("user.disable", u.ID); len(got) != 1 {
			t.Errorf("%d user.disable entries, want 1", len(got))
		}
		if got := e.auditFor("user.enable", u.ID); len(got) != 1 {
			t.Errorf("%d user.enable entries, want 1", len(got))
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "maria@example.org"
		maria := e.add(addr, account.Member)
		niels := e.add("niels@example.org", account.Member)

		start := e.now
		_, laptop, err := e.svc.Login(e.ctx, account.LoginAttempt{Email: addr, Password: password, IP: "192.0.2.10", UserAgent: "Laptop"})
		if err != nil {
			t.Fatal(err)
		}
		e.advance(time.Minute)
		_, phone, err := e.svc.Login(e.ctx, account.LoginAttempt{Email: addr, Password: password, IP: "192.0.2.20", UserAgent: "Phone"})
		if err != nil {
			t.Fatal(err)
		}
		_, nielsSession := e.login("niels@example.org", password)

		u, sess, err := e.svc.SessionUser(e.ctx, laptop)
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != maria.ID || sess.UserID != maria.ID || sess.IP != "192.0.2.10" || sess.UserAgent != "Laptop" {
			t.Errorf("SessionUser(laptop) = %+v, %+v", u, sess)
		}
		if !sess.CreatedAt.Equal(start) || !sess.ExpiresAt.Equal(start.Add(30*24*time.Hour)) {
			t.Errorf("session created %v, expires %v; want %v and thirty days later", sess.CreatedAt, sess.ExpiresAt, start)
		}
		if sess.ID == laptop {
			t.Errorf("the session id shown in lists is the cookie value itself")
		}

		list, err := e.svc.Sessions(e.ctx, maria.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].UserAgent != "Phone" || list[1].UserAgent != "Laptop" {
			t.Fatalf("Sessions = %+v, want phone then laptop", list)
		}
		for _, s := range list {
			if s.ID == laptop || s.ID == phone {
				t.Errorf("Sessions shows a cookie value")
			}
		}
		phoneID := list[0].ID

		// Ending a session of someone else is refused as if it did not exist.
		nielsList, err := e.svc.Sessions(e.ctx, niels.ID)
		if err != nil || len(nielsList) != 1 {
			t.Fatalf("Sessions(niels) = %+v, %v", nielsList, err)
		}
		wantProblem(t, e.svc.EndSession(e.ctx, maria.ID, nielsList[0].ID), problem.NotFound, "session.not_found")
		e.sessionUser(nielsSession)

		if err := e.svc.EndSession(e.ctx, maria.ID, phoneID); err != nil {
			t.Fatalf("EndSession(own phone) = %v", err)
		}
		e.sessionGone(phone)
		e.sessionUser(laptop)

		if err := e.svc.Logout(e.ctx, laptop); err != nil {
			t.Fatal(err)
		}
		e.sessionGone(laptop)
		if err := e.svc.Logout(e.ctx, laptop); err != nil {
			t.Errorf("logging out twice = %v, want nil", err)
		}
		if list, _ := e.svc.Sessions(e.ctx, maria.ID); len(list) != 0 {
			t.Errorf("Sessions after logging out everywhere = %+v", list)
		}
		if got := e.auditFor("session.logout", maria.ID); len(got) != 1 {
			t.Errorf("%d session.logout entries, want 1", len(got))
		}
		if got := e.auditFor("session.end", maria.ID); len(got) != 1 {
			t.Errorf("%d session.end entries, want 1", len(got))
		}

		for _, token := range []string{"", "not-a-session", string(make([]byte, 200))} {
			_, _, err := e.svc.SessionUser(e.ctx, token)
			wantProblem(t, err, problem.Unauthorized, "session.none")
		}
	})
}

func TestSessionExpiresWhenIdle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "olaf@example.org"
		u := e.add(addr, account.Member)
		_, session := e.login(addr, password)

		// Used now and then, a session lives on.
		for range 3 {
			e.advance(29 * 24 * time.Hour)
			e.sessionUser(session)
		}
		e.advance(30*24*time.Hour + time.Minute)
		_, _, err := e.svc.SessionUser(e.ctx, session)
		wantProblem(t, err, problem.Unauthorized, "session.expired")
		if list, _ := e.svc.Sessions(e.ctx, u.ID); len(list) != 0 {
			t.Errorf("Sessions lists an expired session: %+v", list)
		}

		if err := e.svc.Sweep(e.ctx); err != nil {
			t.Fatal(err)
		}
		if n := e.count("SELECT COUNT(*) FROM sessions"); n != 0 {
			t.Errorf("Sweep left %d expired sessions", n)
		}
	})
}
