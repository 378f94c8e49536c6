package account_test

import (
	netmail "net/mail"
	"strings"
	"testing"

	"samen/internal/account"
)

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct {
		in, want, code string
	}{
		{"anna@example.org", "anna@example.org", ""},
		{"  Anna.de.Vries@Example.ORG\t", "anna.de.vries@example.org", ""},
		{"anna+samen@sub.example.org", "anna+samen@sub.example.org", ""},
		{"", "", "email.required"},
		{" \t ", "", "email.required"},
		{strings.Repeat("a", 243) + "@example.org", "", "email.too_long"},
		{strings.Repeat("a", 242) + "@example.org", strings.Repeat("a", 242) + "@example.org", ""},
		// 'Ⱥ' takes two bytes and its lower case three: the stored form
		// must fit too.
		{strings.Repeat("Ⱥ", 120) + "@example.org", "", "email.too_long"},
		{strings.Repeat("Ⱥ", 80) + "@example.org", strings.Repeat("ⱥ", 80) + "@example.org", ""},
		{"anna", "", "email.invalid"},
		{"@example.org", "", "email.invalid"},
		{"anna@", "", "email.invalid"},
		{"anna@localhost", "", "email.invalid"},
		{"anna@example.org.", "", "email.invalid"},
		{"anna@@example.org", "", "email.invalid"},
		{"anna @example.org", "", "email.invalid"},
		{"Anna <anna@example.org>", "", "email.invalid"},
		{"<anna@example.org>", "", "email.invalid"},
		{`"anna"@example.org`, "", "email.invalid"},
		{"anna@example.org, bert@example.org", "", "email.invalid"},
	} {
		got, code := account.NormalizeEmail(tc.in)
		if got != tc.want || code != tc.code {
			t.Errorf("NormalizeEmail(%.40q) = %q, %q; want %q, %q", tc.in, got, code, tc.want, tc.code)
		}
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{
		"anna@example.org", " Anna@Example.ORG ", "anna", "@", "a@b.c", "a@b.", `"a b"@example.org`,
		"Anna <anna@example.org>", "ä@example.org", "Ⱥ@example.org", "İ@example.org", "a@b@c.d", "a@[127.0.0.1]",
		strings.Repeat("a", 243) + "@example.org",
	} {
		f.Add(s)
	}
	codes := map[string]bool{"email.required": true, "email.too_long": true, "email.invalid": true}
	f.Fuzz(func(t *testing.T, in string) {
		got, code := account.NormalizeEmail(in)
		if code != "" {
			if !codes[code] || got != "" {
				t.Fatalf("NormalizeEmail(%q) = %q, %q", in, got, code)
			}
			return
		}
		switch at := strings.IndexByte(got, '@'); {
		case got != strings.ToLower(got):
			t.Fatalf("NormalizeEmail(%q) = %q: not lower-case", in, got)
		case got != strings.TrimSpace(got):
			t.Fatalf("NormalizeEmail(%q) = %q: not trimmed", in, got)
		case len(got) > account.MaxEmailLen:
			t.Fatalf("NormalizeEmail(%q) = %q: %d bytes, more than %d", in, got, len(got), account.MaxEmailLen)
		case at < 1 || strings.Count(got, "@") != 1:
			t.Fatalf("NormalizeEmail(%q) = %q: want one '@' after a local part", in, got)
		case !strings.Contains(got[at+1:], ".") || strings.HasSuffix(got, "."):
			t.Fatalf("NormalizeEmail(%q) = %q: domain without an inner dot", in, got)
		case got != strings.ToLower(strings.TrimSpace(in)):
			t.Fatalf("NormalizeEmail(%q) = %q: not the address typed", in, got)
		}
		// The mail package must accept it as a recipient, and normalising
		// again must change nothing (logins look up the stored form).
		if _, err := netmail.ParseAddress(got); err != nil {
			t.Fatalf("NormalizeEmail(%q) = %q, which net/mail refuses: %v", in, got, err)
		}
		if again, code := account.NormalizeEmail(got); again != got || code != "" {
			t.Fatalf("NormalizeEmail(%q) = %q, but NormalizeEmail(%q) = %q, %q", in, got, got, again, code)
		}
	})
}
