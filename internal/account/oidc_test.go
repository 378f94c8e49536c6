package account_test

import (
	"testing"

	"samen/internal/account"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

const issuer = "https://id.example.net"

// external logs in through the provider and fails the test if that does not
// work.
func (e *env) external(in account.External) account.User {
	e.t.Helper()
	u, session, err := e.svc.LoginExternal(e.ctx, in)
	if err != nil {
		e.t.Fatalf("LoginExternal(%+v): %v", in, err)
	}
	if got := e.sessionUser(session); got.ID != u.ID {
		e.t.Fatalf("the session from LoginExternal belongs to %d, want %d", got.ID, u.ID)
	}
	return u
}

func TestLoginExternal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)

		// First login: a new, confirmed member without a password.
		hanna := e.external(account.External{Issuer: issuer, Subject: "sub-hanna", Email: "Hanna@Example.org",
			EmailVerified: true, Name: "Hanna", Language: "en"})
		if hanna.Email != "hanna@example.org" || hanna.Name != "Hanna" || hanna.Language != "en" ||
			hanna.Role != account.Member || !hanna.Verified() || hanna.HasPassword {
			t.Errorf("account made by LoginExternal = %+v", hanna)
		}
		if c := e.auditFor("user.create", hanna.ID); len(c) != 1 || c[0].Detail["via"] != "oidc" {
			t.Errorf("user.create entries = %+v, want one via oidc", c)
		}
		if l := e.auditFor("user.link_oidc", hanna.ID); len(l) != 1 || l[0].Detail["issuer"] != issuer {
			t.Errorf("user.link_oidc entries = %+v, want one for the issuer", l)
		}

		// The provider is trusted with the subject, not the address: a
		// changed address, even unverified, still finds the same person.
		again := e.external(account.External{Issuer: issuer, Subject: "sub-hanna", Email: "hanna@new.example.org"})
		if again.ID != hanna.ID {
			t.Errorf("second login found account %d, want %d", again.ID, hanna.ID)
		}

		// An unverified address makes no account.
		users := e.count("SELECT COUNT(*) FROM users")
		_, _, err := e.svc.LoginExternal(e.ctx, account.External{Issuer: issuer, Subject: "sub-ivo", Email: "ivo@example.org"})
		wantProblem(t, err, problem.Forbidden, "oidc.email_unverified")
		_, _, err = e.svc.LoginExternal(e.ctx, account.External{Issuer: issuer, Subject: "sub-ivo", Email: "ivo", EmailVerified: true})
		wantProblem(t, err, problem.Forbidden, "oidc.email_invalid")
		_, _, err = e.svc.LoginExternal(e.ctx, account.External{Issuer: issuer, Email: "ivo@example.org", EmailVerified: true})
		wantProblem(t, err, problem.Unauthorized, "oidc.no_subject")
		if n := e.count("SELECT COUNT(*) FROM users"); n != users {
			t.Errorf("refused external logins made %d accounts", n-users)
		}

		// A verified address links to the account that has it.
		const addr = "joke@example.org"
		joke := e.add(addr, account.Member)
		linked := e.external(account.External{Issuer: issuer, Subject: "sub-joke", Email: "JOKE@example.org", EmailVerified: true})
		if linked.ID != joke.ID {
			t.Errorf("LoginExternal with %s made account %d, want the existing %d", addr, linked.ID, joke.ID)
		}
		if n := e.count("SELECT COUNT(*) FROM users"); n != users+1 {
			t.Errorf("%d accounts, want %d: linking made a new one", n, users+1)
		}
		e.login(addr, password) // the password still works as well

		// The same subject at another provider is someone else.
		_, _, err = e.svc.LoginExternal(e.ctx, account.External{Issuer: "https://other.example.net", Subject: "sub-hanna", Email: "x@example.org"})
		wantProblem(t, err, problem.Forbidden, "oidc.email_unverified")

		if err := e.svc.SetDisabled(e.ctx, hanna.ID, true); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.LoginExternal(e.ctx, account.External{Issuer: issuer, Subject: "sub-hanna"})
		wantProblem(t, err, problem.Forbidden, "login.disabled")
	})
}

// Someone who signs up with another person's address and never confirms it
// must not keep a way into the account once its owner logs in through their
// provider.
func TestLoginExternalDropsUnconfirmedPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "karel@example.org"
		if err := e.svc.Register(e.ctx, account.SignUp{Email: addr, Password: otherPassword}); err != nil {
			t.Fatal(err)
		}
		u := e.external(account.External{Issuer: issuer, Subject: "sub-karel", Email: addr, EmailVerified: true})
		if u.ID != e.userID(addr) || !u.Verified() {
			t.Fatalf("LoginExternal = %+v, want the existing account, now confirmed", u)
		}
		wantProblem(t, e.loginErr(addr, otherPassword, ""), problem.Unauthorized, "login.credentials")

		// The owner can set a password of their own through a reset.
		if err := e.svc.RequestReset(e.ctx, addr); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ResetPassword(e.ctx, e.link(addr, "reset"), password); err != nil {
			t.Fatal(err)
		}
		e.login(addr, password)
	})
}
