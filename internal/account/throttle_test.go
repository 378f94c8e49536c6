package account_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// loginFrom logs in from an address with a device cookie value ("" for none)
// and returns the error.
func (e *env) loginFrom(email, pw, ip, device string) error {
	_, _, err := e.svc.Login(e.ctx, account.LoginAttempt{Email: email, Password: pw, IP: ip, Device: device})
	return err
}

// deviceOf logs in as the owner would, from a browser of their own, and
// returns the device cookie value that browser is given.
func (e *env) deviceOf(email, prior string) string {
	e.t.Helper()
	u, _ := e.login(email, password)
	d, err := e.svc.IssueDevice(e.ctx, u.ID, prior)
	if err != nil {
		e.t.Fatalf("IssueDevice: %v", err)
	}
	if d == "" {
		e.t.Fatal("IssueDevice returned an empty cookie")
	}
	return d
}

// auditOf returns the audit entries with an action, about anything, newest
// first.
func (e *env) auditOf(action string) []audit.Entry {
	e.t.Helper()
	entries, _, err := audit.List(e.ctx, e.db, audit.Filter{Action: action, Limit: 500})
	if err != nil {
		e.t.Fatalf("audit.List: %v", err)
	}
	return entries
}

// A stranger who guesses wrong until the account is throttled locks out only
// clients the account was never used in: the owner's browser, which holds a
// device cookie for it, logs in; a new client does not.
func TestStrangerCannotLockOutTheOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "steward@example.org"
		e.add(addr, account.Steward)
		laptop := e.deviceOf(addr, "")

		const stranger = "203.0.113.66"
		for i := range 7 {
			err := e.loginFrom(addr, fmt.Sprintf("guess %d", i), stranger, "")
			if i < 5 {
				wantProblem(t, err, problem.Unauthorized, "login.credentials")
			} else {
				wantProblem(t, err, problem.RateLimited, "login.rate_limited")
			}
		}
		// A new client of the owner's, from the owner's address, waits.
		wantProblem(t, e.loginFrom(addr, password, "192.0.2.10", ""), problem.RateLimited, "login.rate_limited")
		// The owner's own browser does not.
		if err := e.loginFrom(addr, password, "192.0.2.10", laptop); err != nil {
			t.Fatalf("the owner's browser after a stranger's seven guesses: %v, want nil", err)
		}
		// Nor is the stranger let in by the owner's login: the budget of
		// untrusted clients is still spent.
		wantProblem(t, e.loginFrom(addr, password, stranger, ""), problem.RateLimited, "login.rate_limited")

		if got := e.auditFor("session.login_throttled", e.userID(addr)); len(got) != 1 {
			t.Errorf("%d session.login_throttled entries, want 1 (when the budget ran out, not per refusal)", len(got))
		} else if got[0].Detail["client"] != "untrusted" {
			t.Errorf("session.login_throttled detail %v, want client untrusted", got[0].Detail)
		}
	})
}

// A browser with a device cookie has a budget of its own: when it runs out,
// that browser waits, and no other.
func TestDeviceIsLockedOutAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "ruud@example.org"
		e.add(addr, account.Member)
		laptop := e.deviceOf(addr, "")
		phone := e.deviceOf(addr, "")
		if laptop == phone {
			t.Fatal("two logins were given the same device cookie")
		}

		for range 5 {
			wantProblem(t, e.loginFrom(addr, otherPassword, "192.0.2.10", laptop), problem.Unauthorized, "login.credentials")
		}
		wantProblem(t, e.loginFrom(addr, password, "192.0.2.10", laptop), problem.RateLimited, "login.device_rate_limited")
		// The device's failures are not the account's: the phone, and a
		// new client, log in.
		if err := e.loginFrom(addr, password, "192.0.2.20", phone); err != nil {
			t.Errorf("the other device: %v, want nil", err)
		}
		if err := e.loginFrom(addr, password, "192.0.2.30", ""); err != nil {
			t.Errorf("a new client: %v, want nil", err)
		}
		// The window passes and the laptop is let in again.
		e.advance(account.FailureWindow + time.Second)
		if err := e.loginFrom(addr, password, "192.0.2.10", laptop); err != nil {
			t.Errorf("the laptop after the window: %v, want nil", err)
		}
	})
}

// Only a cookie samen signed, for this account and not too old, counts.
func TestDeviceCookieMustBeGenuine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "sofie@example.org"
		e.add(addr, account.Member)
		e.add("tess@example.org", account.Member)
		genuine := e.deviceOf(addr, "")
		other := e.deviceOf("tess@example.org", "")

		for range 5 {
			wantProblem(t, e.loginFrom(addr, otherPassword, "203.0.113.66", ""), problem.Unauthorized, "login.credentials")
		}
		parts := strings.Split(genuine, ".")
		if len(parts) != 4 {
			t.Fatalf("device cookie %q: want id.issued.nonce.mac", genuine)
		}
		flip := func(s string) string {
			if s[0] == 'A' {
				return "B" + s[1:]
			}
			return "A" + s[1:]
		}
		otherID := fmt.Sprint(e.userID("tess@example.org"))
		for name, cookie := range map[string]string{
			"signature changed":      parts[0] + "." + parts[1] + "." + parts[2] + "." + flip(parts[3]),
			"nonce changed":          parts[0] + "." + parts[1] + "." + flip(parts[2]) + "." + parts[3],
			"account changed":        otherID + "." + parts[1] + "." + parts[2] + "." + parts[3],
			"issue time changed":     parts[0] + ".1." + parts[2] + "." + parts[3],
			"another account's":      other,
			"no signature":           parts[0] + "." + parts[1] + "." + parts[2],
			"garbage":                "not a cookie",
			"too long":               genuine + "~" + strings.Repeat("x", 2000),
			"made with another key":  strings.Join(parts[:3], ".") + ".Zm9yZ2Vk",
			"empty entries and junk": "~~.~" + ".....",
		} {
			err := e.loginFrom(addr, password, "192.0.2.10", cookie)
			if p, ok := problem.As(err); !ok || p.Code != "login.rate_limited" {
				t.Errorf("a cookie with its %s: %v, want it ignored (login.rate_limited)", name, err)
			}
		}
		if err := e.loginFrom(addr, password, "192.0.2.10", genuine); err != nil {
			t.Fatalf("the genuine cookie: %v, want nil", err)
		}

		// A year on, the cookie is no longer honoured.
		old := e.deviceOf("tess@example.org", "")
		e.advance(account.DeviceTTL + time.Hour)
		for range 5 {
			wantProblem(t, e.loginFrom("tess@example.org", otherPassword, "203.0.113.66", ""), problem.Unauthorized, "login.credentials")
		}
		wantProblem(t, e.loginFrom("tess@example.org", password, "192.0.2.10", old), problem.RateLimited, "login.rate_limited")
	})
}

// One browser can be the owner's device for several accounts (a computer
// shared at home); the newest few are kept.
func TestDeviceCookieHoldsSeveralAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var cookie string
		var emails []string
		for i := range 5 {
			a := fmt.Sprintf("huis%d@example.org", i)
			e.add(a, account.Member)
			emails = append(emails, a)
			cookie = e.deviceOf(a, cookie)
		}
		for _, a := range emails {
			for range 5 {
				wantProblem(t, e.loginFrom(a, otherPassword, "203.0.113.66", ""), problem.Unauthorized, "login.credentials")
			}
		}
		for i, a := range emails {
			err := e.loginFrom(a, password, "192.0.2.10", cookie)
			if i == 0 {
				// The oldest of five made way for the newest four.
				wantProblem(t, err, problem.RateLimited, "login.rate_limited")
			} else if err != nil {
				t.Errorf("%s with the shared browser's cookie: %v, want nil", a, err)
			}
		}
	})
}

// A client with a device cookie is judged by its own budget, not the
// address's: guessing from the owner's café does not lock the owner out.
func TestDeviceIsNotHeldToTheAddressLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const cafe = "198.51.100.7"
		const addr = "umut@example.org"
		e.add(addr, account.Member)
		laptop := e.deviceOf(addr, "")
		for i := range 30 {
			wantProblem(t, e.loginFrom(fmt.Sprintf("victim%d@example.org", i%10), password, cafe, ""), problem.Unauthorized, "login.credentials")
		}
		wantProblem(t, e.loginFrom(addr, password, cafe, ""), problem.RateLimited, "login.address_rate_limited")
		if err := e.loginFrom(addr, password, cafe, laptop); err != nil {
			t.Errorf("the owner's browser at the same address: %v, want nil", err)
		}
	})
}

// An IPv6 client holds a whole /64: hopping within it is one address.
func TestAddressLimitCountsAnIPv6Slash64(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "vera@example.org"
		e.add(addr, account.Member)
		for i := range 30 {
			ip := fmt.Sprintf("2001:db8:1:2::%x", i+1)
			wantProblem(t, e.loginFrom(fmt.Sprintf("victim%d@example.org", i%10), password, ip, ""), problem.Unauthorized, "login.credentials")
		}
		wantProblem(t, e.loginFrom(addr, password, "2001:db8:1:2:ffff::1", ""), problem.RateLimited, "login.address_rate_limited")
		if err := e.loginFrom(addr, password, "2001:db8:1:3::1", ""); err != nil {
			t.Errorf("login from the next /64: %v, want nil", err)
		}
	})
}

// Guesses sent all at once with a stolen device cookie cannot slip past the
// device's budget either.
func TestDeviceLimitHoldsForConcurrentGuesses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "wim@example.org"
		e.add(addr, account.Member)
		laptop := e.deviceOf(addr, "")

		const guesses = 12
		errs := make([]error, guesses)
		var wg sync.WaitGroup
		for i := range guesses {
			wg.Go(func() {
				errs[i] = e.loginFrom(addr, fmt.Sprintf("guess number %d", i), fmt.Sprintf("192.0.2.%d", i+1), laptop)
			})
		}
		wg.Wait()
		checked := 0
		for _, err := range errs {
			p, ok := problem.As(err)
			switch {
			case ok && p.Code == "login.credentials":
				checked++
			case ok && p.Code == "login.device_rate_limited":
			default:
				t.Errorf("concurrent wrong guess: %v", err)
			}
		}
		if checked > 5 {
			t.Fatalf("%d of %d concurrent guesses had their password checked, want at most 5", checked, guesses)
		}
	})
}

// Several processes that start on an empty database at once agree on one
// signing key: a cookie one issues, another honours.
func TestSigningKeyIsSharedByProcesses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "xander@example.org"
		u := e.add(addr, account.Member)

		const processes = 6
		cookies := make([]string, processes)
		errs := make([]error, processes)
		var wg sync.WaitGroup
		for i := range processes {
			wg.Go(func() {
				svc := &account.Service{DB: db, Now: func() time.Time { return e.now }}
				cookies[i], errs[i] = svc.IssueDevice(e.ctx, u.ID, "")
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("process %d: IssueDevice: %v", i, err)
			}
		}
		if n := e.count("SELECT COUNT(*) FROM signing_keys"); n != 1 {
			t.Errorf("%d signing keys, want 1", n)
		}
		for range 5 {
			wantProblem(t, e.loginFrom(addr, otherPassword, "203.0.113.66", ""), problem.Unauthorized, "login.credentials")
		}
		for i, c := range cookies {
			if err := e.loginFrom(addr, password, "192.0.2.10", c); err != nil {
				t.Errorf("the cookie process %d issued: %v, want nil", i, err)
			}
		}
	})
}

// A password reset proves the mailbox is the owner's: it lifts every
// throttle on the account (not the address's), and undoes what a thief may
// have set up: sessions end, API tokens stop working.
func TestPasswordResetClearsThrottleAndRevokesTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "yara@example.org"
		u := e.add(addr, account.Member)
		laptop := e.deviceOf(addr, "")
		_, session := e.login(addr, password)
		_, kept, err := e.svc.CreateToken(e.ctx, u.ID, "backup script")
		if err != nil {
			t.Fatal(err)
		}
		_, thiefs, err := e.svc.CreateToken(e.ctx, u.ID, "innocent name")
		if err != nil {
			t.Fatal(err)
		}
		old, _, err := e.svc.CreateToken(e.ctx, u.ID, "long gone")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RevokeToken(e.ctx, u.ID, old.ID); err != nil {
			t.Fatal(err)
		}
		other := e.add("zeger@example.org", account.Member)
		_, othersToken, err := e.svc.CreateToken(e.ctx, other.ID, "someone else's")
		if err != nil {
			t.Fatal(err)
		}

		// Both the untrusted budget and the laptop's are spent.
		for range 5 {
			wantProblem(t, e.loginFrom(addr, otherPassword, "203.0.113.66", ""), problem.Unauthorized, "login.credentials")
			wantProblem(t, e.loginFrom(addr, otherPassword, "192.0.2.10", laptop), problem.Unauthorized, "login.credentials")
		}
		wantProblem(t, e.loginFrom(addr, password, "192.0.2.99", ""), problem.RateLimited, "login.rate_limited")
		wantProblem(t, e.loginFrom(addr, password, "192.0.2.10", laptop), problem.RateLimited, "login.device_rate_limited")

		// A refused password changes nothing.
		if err := e.svc.RequestReset(e.ctx, addr); err != nil {
			t.Fatal(err)
		}
		token := e.link(addr, "reset")
		_, err = e.svc.ResetPassword(e.ctx, token, "short")
		wantField(t, err, "password", "password.too_short")
		for _, secret := range []string{kept, thiefs} {
			if _, err := e.svc.TokenUser(e.ctx, secret); err != nil {
				t.Fatalf("a refused reset revoked a token: %v", err)
			}
		}
		e.sessionUser(session)
		wantProblem(t, e.loginFrom(addr, password, "192.0.2.99", ""), problem.RateLimited, "login.rate_limited")

		if _, err := e.svc.ResetPassword(e.ctx, token, otherPassword); err != nil {
			t.Fatalf("ResetPassword: %v", err)
		}
		for _, secret := range []string{kept, thiefs} {
			_, err := e.svc.TokenUser(e.ctx, secret)
			wantProblem(t, err, problem.Unauthorized, "token.invalid")
		}
		if _, err := e.svc.TokenUser(e.ctx, othersToken); err != nil {
			t.Errorf("another account's token after the reset: %v, want it working", err)
		}
		e.sessionGone(session)
		// Any client logs in with the new password at once, the laptop too.
		if err := e.loginFrom(addr, otherPassword, "192.0.2.99", ""); err != nil {
			t.Errorf("a new client after the reset: %v, want nil", err)
		}
		if err := e.loginFrom(addr, otherPassword, "192.0.2.10", laptop); err != nil {
			t.Errorf("the laptop after the reset: %v, want nil", err)
		}

		got := e.auditFor("user.password_reset", u.ID)
		if len(got) != 1 {
			t.Fatalf("%d user.password_reset entries, want 1", len(got))
		}
		d := got[0].Detail
		if d["api_tokens_revoked"] != float64(2) || d["sessions_ended"] != float64(2) || d["login_failures_cleared"] != float64(10) {
			t.Errorf("user.password_reset detail %v, want 2 tokens revoked, 2 sessions ended, 10 failures cleared", d)
		}
		revoked := e.auditOf("api_token.revoke")
		vias := map[any]int{}
		for _, r := range revoked {
			vias[r.Detail["via"]]++
		}
		if vias["password_reset"] != 2 || len(revoked) != 3 {
			t.Errorf("api_token.revoke entries by cause: %v, want 2 by password_reset and the one revoked by hand", vias)
		}
		tokens, err := e.svc.Tokens(e.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range tokens {
			if !tk.Revoked() {
				t.Errorf("token %q is not shown as revoked", tk.Name)
			}
		}
	})
}

// The address limit is about many accounts tried from one place, not about
// the account: a reset does not lift it.
func TestPasswordResetLeavesTheAddressLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const attacker = "198.51.100.7"
		const addr = "anouk@example.org"
		e.add(addr, account.Member)
		for i := range 30 {
			wantProblem(t, e.loginFrom(fmt.Sprintf("victim%d@example.org", i%10), password, attacker, ""), problem.Unauthorized, "login.credentials")
		}
		if err := e.svc.RequestReset(e.ctx, addr); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ResetPassword(e.ctx, e.link(addr, "reset"), otherPassword); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, e.loginFrom(addr, otherPassword, attacker, ""), problem.RateLimited, "login.address_rate_limited")
	})
}

// Changing the password offers to revoke the API tokens; without being asked
// it leaves them working.
func TestChangePasswordRevokesTokensWhenAsked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "bram@example.org"
		u := e.add(addr, account.Member)
		_, here := e.login(addr, password)
		_, script, err := e.svc.CreateToken(e.ctx, u.ID, "script")
		if err != nil {
			t.Fatal(err)
		}

		n, err := e.svc.ChangePassword(e.ctx, u.ID, account.PasswordChange{Current: password, New: otherPassword, KeepSession: here})
		if err != nil || n != 0 {
			t.Fatalf("ChangePassword without revoking = %d, %v; want 0, nil", n, err)
		}
		if _, err := e.svc.TokenUser(e.ctx, script); err != nil {
			t.Fatalf("the token after a change without revoking: %v, want it working", err)
		}

		// Refused: nothing is revoked.
		_, err = e.svc.ChangePassword(e.ctx, u.ID, account.PasswordChange{Current: password, New: "a third good password", KeepSession: here, RevokeTokens: true})
		wantField(t, err, "current_password", "password.wrong")
		if _, err := e.svc.TokenUser(e.ctx, script); err != nil {
			t.Fatalf("a refused change revoked the token: %v", err)
		}

		n, err = e.svc.ChangePassword(e.ctx, u.ID, account.PasswordChange{Current: otherPassword, New: "a third good password", KeepSession: here, RevokeTokens: true})
		if err != nil || n != 1 {
			t.Fatalf("ChangePassword revoking = %d, %v; want 1, nil", n, err)
		}
		_, err = e.svc.TokenUser(e.ctx, script)
		wantProblem(t, err, problem.Unauthorized, "token.invalid")
		e.sessionUser(here)

		changes := e.auditFor("user.password_change", u.ID)
		if len(changes) != 2 || changes[0].Detail["api_tokens_revoked"] != float64(1) || changes[1].Detail["api_tokens_revoked"] != float64(0) {
			t.Errorf("user.password_change entries %+v, want two, the newest with 1 token revoked", changes)
		}
		if got := e.auditOf("api_token.revoke"); len(got) != 1 || got[0].Detail["via"] != "password_change" {
			t.Errorf("api_token.revoke entries %+v, want one via password_change", got)
		}
	})
}
