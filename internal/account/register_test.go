package account_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestRegisterRejectsInvalidInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, tc := range []struct {
			name   string
			in     account.SignUp
			fields map[string]string
		}{
			{"no address", account.SignUp{Email: "   ", Password: password},
				map[string]string{"email": "email.required"}},
			{"not an address", account.SignUp{Email: "anna at example.org", Password: password},
				map[string]string{"email": "email.invalid"}},
			{"address with a display name", account.SignUp{Email: "Anna <anna@example.org>", Password: password},
				map[string]string{"email": "email.invalid"}},
			{"domain without a dot", account.SignUp{Email: "anna@localhost", Password: password},
				map[string]string{"email": "email.invalid"}},
			{"address too long", account.SignUp{Email: strings.Repeat("a", 250) + "@example.org", Password: password},
				map[string]string{"email": "email.too_long"}},
			{"short password", account.SignUp{Email: "anna@example.org", Password: "kort1234"},
				map[string]string{"password": "password.too_short"}},
			{"nine runes are too short however many bytes", account.SignUp{Email: "anna@example.org", Password: "ééééééééé"},
				map[string]string{"password": "password.too_short"}},
			{"no password", account.SignUp{Email: "anna@example.org"},
				map[string]string{"password": "password.required"}},
			{"common password in other case", account.SignUp{Email: "anna@example.org", Password: "Wachtwoord1"},
				map[string]string{"password": "password.common"}},
			{"password is the address", account.SignUp{Email: "anna.devries@example.org", Password: "Anna.deVries@example.org"},
				map[string]string{"password": "password.is_email"}},
			{"password is the part before @", account.SignUp{Email: "anna.devries@example.org", Password: "anna.devries"},
				map[string]string{"password": "password.is_email"}},
			{"name too long", account.SignUp{Email: "anna@example.org", Name: strings.Repeat("é", account.MaxNameLen+1), Password: password},
				map[string]string{"name": "name.too_long"}},
			{"control character in name", account.SignUp{Email: "anna@example.org", Name: "Anna\x00", Password: password},
				map[string]string{"name": "name.invalid"}},
			{"every problem at once", account.SignUp{Email: "anna@", Name: strings.Repeat("n", account.MaxNameLen+1), Password: "short"},
				map[string]string{"email": "email.invalid", "name": "name.too_long", "password": "password.too_short"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := e.svc.Register(e.ctx, tc.in)
				for field, code := range tc.fields {
					wantField(t, err, field, code)
				}
				if p, _ := problem.As(err); len(p.Fields) != len(tc.fields) {
					t.Errorf("error = %v, want exactly the fields %v", err, tc.fields)
				}
			})
		}
		for table, n := range map[string]int{
			"users":       e.count("SELECT COUNT(*) FROM users"),
			"mail_outbox": e.count("SELECT COUNT(*) FROM mail_outbox"),
			"audit_log":   e.count("SELECT COUNT(*) FROM audit_log"),
		} {
			if n != 0 {
				t.Errorf("refused sign-ups left %d rows in %s", n, table)
			}
		}
		if n := e.sent.Load(); n != 0 {
			t.Errorf("refused sign-ups told the mail worker %d times that mail was queued", n)
		}
	})
}

func TestRegisterVerifyLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		err := e.svc.Register(e.ctx, account.SignUp{Email: "  Anna@Example.ORG ", Name: " Anna ", Password: password, Language: "nl"})
		if err != nil {
			t.Fatalf("Register: %v", err)
		}
		if n := e.sent.Load(); n != 1 {
			t.Errorf("Sent called %d times after a sign-up, want 1", n)
		}

		const addr = "anna@example.org"
		u, err := e.svc.Get(e.ctx, e.userID(addr))
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != addr || u.Name != "Anna" || u.Role != account.Member || u.Language != "nl" || !u.HasPassword {
			t.Errorf("new account = %+v, want member anna@example.org named Anna, language nl, with a password", u)
		}
		if u.Verified() {
			t.Errorf("account is verified before the link was followed")
		}
		created := e.auditFor("user.create", u.ID)
		if len(created) != 1 || created[0].Detail["via"] != "signup" {
			t.Errorf("audit user.create entries = %+v, want one via signup", created)
		}

		if mails := e.mailsTo(addr); len(mails) != 1 {
			t.Fatalf("%d mails to %s, want 1", len(mails), addr)
		}
		token := e.link(addr, "verify")

		_, _, err = e.svc.Login(e.ctx, account.LoginAttempt{Email: addr, Password: password})
		wantProblem(t, err, problem.Forbidden, "login.unverified")

		verified, err := e.svc.Verify(e.ctx, token)
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if verified.ID != u.ID || !verified.Verified() {
			t.Errorf("Verify returned %+v, want account %d verified", verified, u.ID)
		}
		if got := e.auditFor("user.verify", u.ID); len(got) != 1 {
			t.Errorf("%d user.verify audit entries, want 1", len(got))
		}

		in, session := e.login("ANNA@example.org", password)
		if in.ID != u.ID {
			t.Errorf("logged in as %d, want %d", in.ID, u.ID)
		}
		if got := e.sessionUser(session); got.ID != u.ID {
			t.Errorf("session belongs to %d, want %d", got.ID, u.ID)
		}

		_, err = e.svc.Verify(e.ctx, token)
		wantProblem(t, err, problem.Gone, "token.used")

		_, err = e.svc.Verify(e.ctx, "kH3t5x0pNqVhWv1yYb8mZr2LsF6dC9aQeJuT4gPiO7w")
		wantProblem(t, err, problem.Gone, "token.invalid")
		_, err = e.svc.Verify(e.ctx, "")
		wantProblem(t, err, problem.Gone, "token.invalid")

		// A reset link is not a verification link.
		if err := e.svc.RequestReset(e.ctx, addr); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Verify(e.ctx, e.link(addr, "reset"))
		wantProblem(t, err, problem.Gone, "token.invalid")
	})
}

func TestVerifyLinkExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "bert@example.org"
		if err := e.svc.Register(e.ctx, account.SignUp{Email: addr, Password: password}); err != nil {
			t.Fatal(err)
		}
		token := e.link(addr, "verify")

		e.advance(48*time.Hour + time.Minute)
		_, err := e.svc.Verify(e.ctx, token)
		wantProblem(t, err, problem.Gone, "token.expired")
		u, err := e.svc.Get(e.ctx, e.userID(addr))
		if err != nil {
			t.Fatal(err)
		}
		if u.Verified() {
			t.Errorf("an expired link verified the account")
		}

		// A new link (the person asks again) confirms the address by
		// choosing a password.
		if err := e.svc.ResendVerification(e.ctx, addr); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ResetPassword(e.ctx, e.link(addr, "reset"), otherPassword); err != nil {
			t.Fatalf("choosing a password with the resent link: %v", err)
		}
		e.login(addr, otherPassword)
	})
}

func TestRegisterExistingAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)

		t.Run("verified", func(t *testing.T) {
			const addr = "carla@example.org"
			carla := e.add(addr, account.Member)
			users := e.count("SELECT COUNT(*) FROM users")

			err := e.svc.Register(e.ctx, account.SignUp{Email: "Carla@Example.org", Name: "Not Carla", Password: otherPassword})
			if err != nil {
				t.Fatalf("Register of a taken address = %v, want nil so the visitor cannot tell", err)
			}
			if n := e.count("SELECT COUNT(*) FROM users"); n != users {
				t.Errorf("%d accounts after signing up with a taken address, want %d", n, users)
			}
			mails := e.mailsTo(addr)
			if len(mails) != 1 || mails[0].Subject != "You already have an account" {
				t.Fatalf("mails to %s = %+v, want one AlreadyRegistered mail", addr, mails)
			}
			if ls := e.links(addr, "verify"); len(ls) != 0 {
				t.Errorf("the owner of a verified account got a verification link")
			}
			after, err := e.svc.Get(e.ctx, carla.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Name != carla.Name {
				t.Errorf("name changed to %q by someone else's sign-up", after.Name)
			}
			e.login(addr, password) // the owner's password still works
		})

		t.Run("unverified", func(t *testing.T) {
			const addr = "dirk@example.org"
			for range 2 {
				if err := e.svc.Register(e.ctx, account.SignUp{Email: addr, Password: password}); err != nil {
					t.Fatal(err)
				}
			}
			if n := e.count("SELECT COUNT(*) FROM users WHERE email = ?", addr); n != 1 {
				t.Errorf("%d accounts for %s, want 1", n, addr)
			}
			ls := e.links(addr, "verify")
			if len(ls) != 2 || ls[0] == ls[1] {
				t.Fatalf("verification links mailed = %q, want two different ones", ls)
			}
			u, err := e.svc.Verify(e.ctx, ls[1])
			if err != nil || !u.Verified() {
				t.Fatalf("Verify with the second link = %+v, %v", u, err)
			}
		})
	})
}

func TestResendVerification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "eva@example.org"
		if err := e.svc.Register(e.ctx, account.SignUp{Email: addr, Password: password}); err != nil {
			t.Fatal(err)
		}
		for range 10 {
			if err := e.svc.ResendVerification(e.ctx, addr); err != nil {
				t.Fatal(err)
			}
		}
		// Five links an hour at most, the sign-up's included.
		all := func() int { return len(e.links(addr, "verify")) + len(e.links(addr, "reset")) }
		if n := all(); n != 5 {
			t.Errorf("%d links mailed within an hour, want 5", n)
		}
		e.advance(time.Hour + time.Minute)
		if err := e.svc.ResendVerification(e.ctx, addr); err != nil {
			t.Fatal(err)
		}
		if n := all(); n != 6 {
			t.Errorf("%d links after an hour's pause, want 6", n)
		}

		if _, err := e.svc.ResetPassword(e.ctx, e.link(addr, "reset"), otherPassword); err != nil {
			t.Fatal(err)
		}
		before := e.count("SELECT COUNT(*) FROM mail_outbox")
		for _, a := range []string{addr, "nobody@example.org"} {
			if err := e.svc.ResendVerification(e.ctx, a); err != nil {
				t.Errorf("ResendVerification(%s) = %v, want nil", a, err)
			}
		}
		if n := e.count("SELECT COUNT(*) FROM mail_outbox"); n != before {
			t.Errorf("resending to a verified or unknown address queued %d mails", n-before)
		}
		wantField(t, e.svc.ResendVerification(e.ctx, "eva"), "email", "email.invalid")
	})
}

// Anyone can type anyone's address into the sign-up form; it must not become
// a way to flood an inbox.
func TestRegisterDoesNotFloodInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const verified, unverified = "lieke@example.org", "maarten@example.org"
		e.add(verified, account.Member)
		for range 6 {
			for _, addr := range []string{verified, unverified} {
				if err := e.svc.Register(e.ctx, account.SignUp{Email: addr, Password: otherPassword}); err != nil {
					t.Fatalf("Register(%s) = %v, want nil however often", addr, err)
				}
			}
		}
		if n := len(e.mailsTo(verified)); n != 5 {
			t.Errorf("%d 'already registered' mails in an hour, want 5", n)
		}
		if n := len(e.links(unverified, "verify")); n != 5 {
			t.Errorf("%d verification links in an hour, want 5", n)
		}
		if n := e.count("SELECT COUNT(*) FROM users"); n != 2 {
			t.Errorf("%d accounts, want 2", n)
		}
	})
}

// A double click sends the same sign-up twice at once: both must get the
// answer any sign-up gets, and one account must come of it.
func TestRegisterTwiceAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for round := range 8 {
			addr := fmt.Sprintf("double%d@example.org", round)
			errs := make([]error, 3)
			var wg sync.WaitGroup
			for i := range errs {
				wg.Go(func() { errs[i] = e.svc.Register(e.ctx, account.SignUp{Email: addr, Password: password}) })
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Errorf("concurrent Register(%s) = %v, want nil", addr, err)
				}
			}
			if n := e.count("SELECT COUNT(*) FROM users WHERE email = ?", addr); n != 1 {
				t.Errorf("%d accounts for %s, want 1", n, addr)
			}
		}
	})
}

// A stranger who signs up first with someone else's address must not end up
// with a password on the account once its owner confirms it.
func TestSignUpFirstCannotTakeOverTheAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "owner@example.org"
		if err := e.svc.Register(e.ctx, account.SignUp{Email: addr, Password: password}); err != nil { // the stranger
			t.Fatal(err)
		}
		strangersLink := e.link(addr, "verify")
		if err := e.svc.Register(e.ctx, account.SignUp{Email: addr, Password: otherPassword}); err != nil { // the owner
			t.Fatal(err)
		}
		if _, err := e.svc.Verify(e.ctx, strangersLink); err == nil {
			t.Fatal("the first sign-up's link still works after a newer sign-up")
		}
		if _, err := e.svc.Verify(e.ctx, e.link(addr, "verify")); err != nil {
			t.Fatal(err)
		}
		e.login(addr, otherPassword)
		_, _, err := e.svc.Login(e.ctx, account.LoginAttempt{Email: addr, Password: password, IP: "192.0.2.9"})
		wantProblem(t, err, problem.Unauthorized, "login.credentials")

		// The same through "send the link again": the owner chooses the
		// password, the stranger's stops working.
		const addr2 = "owner2@example.org"
		if err := e.svc.Register(e.ctx, account.SignUp{Email: addr2, Password: password}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ResendVerification(e.ctx, addr2); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ResetPassword(e.ctx, e.link(addr2, "reset"), otherPassword); err != nil {
			t.Fatal(err)
		}
		e.login(addr2, otherPassword)
		_, _, err = e.svc.Login(e.ctx, account.LoginAttempt{Email: addr2, Password: password, IP: "192.0.2.9"})
		wantProblem(t, err, problem.Unauthorized, "login.credentials")
	})
}
