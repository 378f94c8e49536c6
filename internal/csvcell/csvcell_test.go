package csvcell

import "testing"

func TestGuard(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"", ""},
		{"Fietswerkplaats", "Fietswerkplaats"},
		{"=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"},
		{"+31 20 123", "'+31 20 123"},
		{"-afval", "'-afval"},
		{"@home", "'@home"},
		{"\tx", "'\tx"},
		{"'=x", "''=x"}, // already behind an apostrophe: one more, so Unguard gives it back
		{"'quoted'", "'quoted'"},
	} {
		if got := Guard(tc.in); got != tc.out {
			t.Errorf("Guard(%q) = %q, want %q", tc.in, got, tc.out)
		}
		if back := Unguard(Guard(tc.in)); back != tc.in {
			t.Errorf("Unguard(Guard(%q)) = %q", tc.in, back)
		}
	}
}

func FuzzGuard(f *testing.F) {
	for _, s := range []string{"", "=1+1", "''=x", "'", "plain", "\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g := Guard(s)
		if formula(g) && g[0] != '\'' {
			t.Fatalf("Guard(%q) = %q still starts a formula", s, g)
		}
		if back := Unguard(g); back != s {
			t.Fatalf("Unguard(Guard(%q)) = %q", s, back)
		}
	})
}
