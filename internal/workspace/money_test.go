package workspace

import "testing"

func TestParseCents(t *testing.T) {
	for in, want := range map[string]int64{
		"12,50": 1250, "12.50": 1250, "1.250,00": 125000, "1,250.00": 125000, "€ 1250": 125000, "1250": 125000,
		"1.250": 125000, "1,5": 150, "0,05": 5, "€ 1.000.000": 100000000, "-25": -2500, "EUR 10": 1000,
	} {
		if got, code := ParseCents(in); got != want || code != "" {
			t.Errorf("ParseCents(%q) = %d %q, want %d", in, got, code, want)
		}
	}
	for in, code := range map[string]string{"": "required", "twaalf": "amount.invalid", "12,5050": "amount.invalid", "1.2345": "amount.invalid",
		"1.25.0": "amount.invalid", "1,2,3": "amount.invalid", "99999999999999": "amount.too_large", "1e5": "amount.invalid"} {
		if _, got := ParseCents(in); got != code {
			t.Errorf("ParseCents(%q) code %q, want %q", in, got, code)
		}
	}
}

func TestFormatCents(t *testing.T) {
	for _, tc := range []struct {
		cents  int64
		nl, en string
	}{
		{125000, "€ 1.250,00", "€1,250.00"},
		{5, "€ 0,05", "€0.05"},
		{-2500, "−€ 25,00", "−€25.00"},
		{100000000, "€ 1.000.000,00", "€1,000,000.00"},
	} {
		if got := FormatCents(tc.cents, "nl"); got != tc.nl {
			t.Errorf("nl %d: %q, want %q", tc.cents, got, tc.nl)
		}
		if got := FormatCents(tc.cents, "en"); got != tc.en {
			t.Errorf("en %d: %q, want %q", tc.cents, got, tc.en)
		}
	}
}

// FuzzParseCents: whatever people type, an amount read is one that writes
// back and reads again as itself, in both languages.
func FuzzParseCents(f *testing.F) {
	for _, s := range []string{"12,50", "1.250,00", "€ 1250", "-25", "1,250.00", "0,05", "1.2.3", "", "€", "９"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cents, code := ParseCents(s)
		if code != "" {
			if cents != 0 {
				t.Fatalf("%q: code %q with %d cents", s, code, cents)
			}
			return
		}
		if cents > MaxCents || cents < -MaxCents {
			t.Fatalf("%q: %d is beyond the limit", s, cents)
		}
		for _, lang := range []string{"nl", "en"} {
			back, code := ParseCents(FormatCents(cents, lang))
			if code != "" || back != cents {
				t.Fatalf("%q → %d → %q → %d %q", s, cents, FormatCents(cents, lang), back, code)
			}
		}
	})
}

// FuzzFieldParse: a value a field accepts is stored in a form the field
// accepts again unchanged.
func FuzzFieldParse(f *testing.F) {
	for _, s := range []string{"12,50", "7-3-1990", "vegan", "  Noord ", "1e9", "2026-02-30"} {
		f.Add(s)
	}
	fields := []Field{{Type: FieldText}, {Type: FieldNumber}, {Type: FieldDate}, {Type: FieldChoice, Choices: []string{"Vegan", "Alles"}}}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fd := range fields {
			v, code := fd.Parse(s)
			if code != "" {
				continue
			}
			again, code := fd.Parse(v)
			if code != "" || again != v {
				t.Fatalf("%s: %q → %q → %q %q", fd.Type, s, v, again, code)
			}
		}
	})
}
