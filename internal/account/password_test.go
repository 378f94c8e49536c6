package account_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"samen/internal/account"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestPasswordReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "pieter@example.org"
		u := e.add(addr, account.Member)
		_, session := e.login(addr, password)

		if err := e.svc.RequestReset(e.ctx, "nobody@example.org"); err != nil {
			t.Errorf("RequestReset for an unknown address = %v, want nil", err)
		}
		if n := e.count("SELECT COUNT(*) FROM mail_outbox"); n != 0 {
			t.Errorf("a reset for an unknown address queued %d mails", n)
		}
		wantField(t, e.svc.RequestReset(e.ctx, "pieter"), "email", "email.invalid")

		if err := e.svc.RequestReset(e.ctx, " Pieter@Example.org"); err != nil {
			t.Fatal(err)
		}
		if n := e.sent.Load(); n != 1 {
			t.Errorf("Sent called %d times, want 1", n)
		}
		token := e.link(addr, "reset")
		if err := e.svc.CheckResetToken(e.ctx, token); err != nil {
			t.Errorf("CheckResetToken on a fresh link = %v", err)
		}

		_, err := e.svc.ResetPassword(e.ctx, token, "too short")
		wantField(t, err, "password", "password.too_short")
		_, err = e.svc.ResetPassword(e.ctx, token, addr)
		wantField(t, err, "password", "password.is_email")
		if err := e.svc.CheckResetToken(e.ctx, token); err != nil {
			t.Errorf("a refused password used up the link: %v", err)
		}
		e.sessionUser(session)

		got, err := e.svc.ResetPassword(e.ctx, token, otherPassword)
		if err != nil {
			t.Fatalf("ResetPassword: %v", err)
		}
		if got.ID != u.ID {
			t.Errorf("ResetPassword returned account %d, want %d", got.ID, u.ID)
		}
		e.sessionGone(session)
		wantProblem(t, e.loginErr(addr, password, ""), problem.Unauthorized, "login.credentials")
		e.login(addr, otherPassword)

		_, err = e.svc.ResetPassword(e.ctx, token, "yet another good password")
		wantProblem(t, err, problem.Gone, "token.used")
		wantProblem(t, e.svc.CheckResetToken(e.ctx, token), problem.Gone, "token.used")
		e.login(addr, otherPassword)
		if got := e.auditFor("user.password_reset", u.ID); len(got) != 1 {
			t.Errorf("%d user.password_reset entries, want 1", len(got))
		}

		_, err = e.svc.ResetPassword(e.ctx, "no-such-token", otherPassword)
		wantProblem(t, err, problem.Gone, "token.invalid")
	})
}

func TestPasswordResetLinkExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "quinten@example.org"
		e.add(addr, account.Member)
		if err := e.svc.RequestReset(e.ctx, addr); err != nil {
			t.Fatal(err)
		}
		token := e.link(addr, "reset")
		e.advance(time.Hour + time.Minute)
		wantProblem(t, e.svc.CheckResetToken(e.ctx, token), problem.Gone, "token.expired")
		_, err := e.svc.ResetPassword(e.ctx, token, otherPassword)
		wantProblem(t, err, problem.Gone, "token.expired")
		e.login(addr, password)
	})
}

func TestPasswordResetIsRateLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "roos@example.org"
		e.add(addr, account.Member)
		for range 5 {
			if err := e.svc.RequestReset(e.ctx, addr); err != nil {
				t.Fatalf("RequestReset = %v, want nil even over the limit", err)
			}
			e.advance(time.Minute)
		}
		if n := len(e.mailsTo(addr)); n != 3 {
			t.Errorf("%d reset mails within an hour, want 3", n)
		}
		e.advance(time.Hour)
		if err := e.svc.RequestReset(e.ctx, addr); err != nil {
			t.Fatal(err)
		}
		if n := len(e.mailsTo(addr)); n != 4 {
			t.Errorf("%d reset mails after an hour's pause, want 4", n)
		}
	})
}

func TestPasswordResetConfirmsAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "sanne@example.org"
		if err := e.svc.Register(e.ctx, account.SignUp{Email: addr, Password: password}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RequestReset(e.ctx, addr); err != nil {
			t.Fatal(err)
		}
		u, err := e.svc.ResetPassword(e.ctx, e.link(addr, "reset"), otherPassword)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Get(e.ctx, u.ID); !got.Verified() {
			t.Errorf("the address is not confirmed after a reset through it")
		}
		e.login(addr, otherPassword)
	})
}

func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const addr = "tim@example.org"
		u := e.add(addr, account.Member)
		_, here := e.login(addr, password)
		_, elsewhere := e.login(addr, password)

		_, err := e.svc.ChangePassword(e.ctx, u.ID, account.PasswordChange{Current: otherPassword, New: "a brand new password", KeepSession: here})
		wantField(t, err, "current_password", "password.wrong")
		_, err = e.svc.ChangePassword(e.ctx, u.ID, account.PasswordChange{Current: password, New: "short", KeepSession: here, RevokeTokens: true})
		wantField(t, err, "new_password", "password.too_short")
		e.sessionUser(elsewhere) // refused changes end nothing

		if _, err := e.svc.ChangePassword(e.ctx, u.ID, account.PasswordChange{Current: password, New: otherPassword, KeepSession: here}); err != nil {
			t.Fatalf("ChangePassword: %v", err)
		}
		e.sessionUser(here)
		e.sessionGone(elsewhere)
		wantProblem(t, e.loginErr(addr, password, ""), problem.Unauthorized, "login.credentials")
		e.login(addr, otherPassword)
		if got := e.auditFor("user.password_change", u.ID); len(got) != 1 {
			t.Errorf("%d user.password_change entries, want 1", len(got))
		}
	})
}

func TestHashPassword(t *testing.T) {
	const pw = "Één wachtwoord met ümlauts"
	h1, err := account.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := account.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h1, "$argon2id$") {
		t.Errorf("hash %q does not start with $argon2id$", h1)
	}
	if h1 == h2 {
		t.Errorf("two hashes of one password are equal: no salt")
	}
	if strings.Contains(h1, pw) {
		t.Errorf("the hash contains the password")
	}
	for _, h := range []string{h1, h2} {
		if ok, err := account.VerifyPassword(h, pw); !ok || err != nil {
			t.Errorf("VerifyPassword(hash, right password) = %v, %v", ok, err)
		}
	}
	for _, wrong := range []string{"", "één wachtwoord met ümlauts", pw + " ", pw[:len(pw)-1]} {
		if ok, err := account.VerifyPassword(h1, wrong); ok || err != nil {
			t.Errorf("VerifyPassword(hash, %q) = %v, %v; want false, nil", wrong, ok, err)
		}
	}
}

func TestVerifyPasswordRejectsMalformedHashes(t *testing.T) {
	good, err := account.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	with := func(i int, s string) string {
		p := append([]string(nil), parts...)
		p[i] = s
		return strings.Join(p, "$")
	}
	for _, h := range []string{
		"",
		"correct horse battery staple",
		"$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", // bcrypt
		strings.TrimSuffix(good, "$"+parts[5]),
		good + "$extra",
		with(1, "argon2i"),
		with(2, "v=16"),
		with(2, "v=x"),
		with(3, "m=0,t=2,p=1"),
		with(3, "m=19456,t=0,p=1"),
		with(3, "m=19456,t=2,p=0"),
		with(3, "m=19456,t=2,p=256"),
		with(3, "m=99999999,t=2,p=1"),
		with(3, "m=19456,t=99,p=1"),
		with(3, "m=-1,t=2,p=1"),
		with(3, "t=2,m=19456,p=1"),
		with(4, "not base64!"),
		with(5, ""),
		with(5, "not base64!"),
		with(5, strings.Repeat("A", 200)),
	} {
		ok, err := account.VerifyPassword(h, password)
		if ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want false and an error", h, ok, err)
		}
	}
}

// phc writes an argon2id hash the way other tools do, with the reference
// implementation.
func phc(pw string, salt []byte, mem, time uint32, threads uint8, keyLen uint32) string {
	key := argon2.IDKey([]byte(pw), salt, time, mem, threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, mem, time, threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

func TestVerifyPasswordOtherParameters(t *testing.T) {
	// Hashes made with other costs still verify, so the costs can be raised
	// without locking anyone out.
	for _, h := range []string{
		phc(password, []byte("saltsaltsaltsalt"), 64, 1, 1, 32),
		phc(password, []byte("another salt"), 256, 3, 2, 16),
		phc(password, []byte("saltsalt"), 1024, 2, 4, 64),
	} {
		if ok, err := account.VerifyPassword(h, password); !ok || err != nil {
			t.Errorf("VerifyPassword(%q, right password) = %v, %v", h, ok, err)
		}
		if ok, err := account.VerifyPassword(h, otherPassword); ok || err != nil {
			t.Errorf("VerifyPassword(%q, wrong password) = %v, %v", h, ok, err)
		}
	}
}

func TestVerifyPasswordRefusesShortKeys(t *testing.T) {
	// With a one-byte key one in 256 passwords would match: a made-up
	// or damaged hash must not let guesses through.
	verified := 0
	for b := range 256 {
		h := "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$" + base64.RawStdEncoding.EncodeToString([]byte{byte(b)})
		if ok, _ := account.VerifyPassword(h, password); ok {
			verified++
		}
	}
	if verified != 0 {
		t.Errorf("%d of 256 hashes with a one-byte key verified the password", verified)
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		pw, email, want string
	}{
		{"", "", "password.required"},
		{"123456789", "", "password.too_short"},
		{"ééééééééé", "", "password.too_short"},
		{"éééééééééé", "", ""},
		{strings.Repeat("x", account.MaxPasswordLen), "", ""},
		{strings.Repeat("x", account.MaxPasswordLen+1), "", "password.too_long"},
		{strings.Repeat("é", account.MaxPasswordLen/2+1), "", "password.too_long"}, // counted in bytes
		{"QWERTYUIOP", "", "password.common"},
		{"wachtwoord", "", "password.common"},
		{"Wim.Jansen@example.org", "wim.jansen@example.org", "password.is_email"},
		{"wim.jansen", "wim.jansen@example.org", "password.is_email"},
		{"wim.jansen", "", ""},
		{password, "wim.jansen@example.org", ""},
	} {
		if got := account.CheckPassword(tc.pw, tc.email); got != tc.want {
			t.Errorf("CheckPassword(%.20q, %q) = %q, want %q", tc.pw, tc.email, got, tc.want)
		}
	}
}

func FuzzCheckPassword(f *testing.F) {
	for _, s := range []string{"", "short", password, "1234567890", "anna@example.org", "ééééééééé", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6"} {
		f.Add(s, "anna@example.org")
		f.Add(s, "")
	}
	codes := map[string]bool{"": true, "password.required": true, "password.too_short": true,
		"password.too_long": true, "password.common": true, "password.is_email": true}
	f.Fuzz(func(t *testing.T, pw, email string) {
		code := account.CheckPassword(pw, email)
		if !codes[code] {
			t.Fatalf("CheckPassword(%q, %q) = unknown code %q", pw, email, code)
		}
		if (pw == "") != (code == "password.required") {
			t.Fatalf("CheckPassword(%q, %q) = %q", pw, email, code)
		}
		if code != "" {
			return
		}
		if n := len([]rune(pw)); n < account.MinPasswordLen || len(pw) > account.MaxPasswordLen {
			t.Fatalf("CheckPassword accepted %q: %d runes, %d bytes", pw, n, len(pw))
		}
		if local, _, _ := strings.Cut(email, "@"); email != "" && (pw == email || pw == local) {
			t.Fatalf("CheckPassword accepted (part of) the address %q as password", email)
		}
	})
}

func FuzzVerifyPassword(f *testing.F) {
	// The hash of another password, so that the fuzzer starts from hashes
	// that parse and gets to the argon2 computation.
	good, err := account.HashPassword("a password nobody guesses")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(strings.Replace(good, "m=19456,t=2,p=1", "m=8,t=1,p=1", 1))
	f.Add("$argon2id$v=19$m=8,t=1,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$$AA")
	f.Add("")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, hash string) {
		if !cheap(hash) {
			t.Skip("argon2 parameters too costly to try thousands of times")
		}
		if ok, err := account.VerifyPassword(hash, password); ok {
			t.Fatalf("VerifyPassword(%q, %q) = true, %v: a made-up hash verified", hash, password, err)
		}
	})
}

// cheap reports whether the argon2 parameters in a hash, if it has any, are
// small enough to compute many times a second. VerifyPassword refuses
// anything it cannot parse before computing.
func cheap(hash string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 {
		return true
	}
	var m, t, p int
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return true
	}
	return m <= 32*1024 && t <= 4 && p <= 16
}
