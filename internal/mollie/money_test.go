package mollie_test

import (
	"math"
	"testing"

	"samen/internal/mollie"
)

func TestCents(t *testing.T) {
	for _, c := range []struct {
		cents int64
		value string
	}{
		{0, "0.00"},
		{1, "0.01"},
		{10, "0.10"},
		{99, "0.99"},
		{100, "1.00"},
		{1000, "10.00"},
		{1250, "12.50"},
		{100000, "1000.00"},
		{123456789, "1234567.89"},
		{math.MaxInt64, "92233720368547758.07"},
	} {
		got, err := mollie.FormatCents(c.cents)
		if err != nil || got != c.value {
			t.Errorf("FormatCents(%d) = %q, %v; want %q", c.cents, got, err, c.value)
		}
		back, err := mollie.ParseCents(c.value)
		if err != nil || back != c.cents {
			t.Errorf("ParseCents(%q) = %d, %v; want %d", c.value, back, err, c.cents)
		}
	}
	for _, cents := range []int64{-1, -100, math.MinInt64} {
		if v, err := mollie.FormatCents(cents); err == nil {
			t.Errorf("FormatCents(%d) = %q, want an error", cents, v)
		}
		if a, err := mollie.NewAmount("EUR", cents); err == nil {
			t.Errorf("NewAmount(EUR, %d) = %+v, want an error", cents, a)
		}
	}
	for _, v := range []string{
		"", "10", "10.", "10.0", "10.000", ".50", "-1.00", "+1.00", "01.00", "00.50", "1,00", "1.000,00",
		"1 000.00", " 1.00", "1.00 ", "1.0a", "1e3.00", "١.٠٠", "92233720368547758.08", "99999999999999999999.00",
	} {
		if got, err := mollie.ParseCents(v); err == nil {
			t.Errorf("ParseCents(%q) = %d, want an error", v, got)
		}
	}
}

func TestAmount(t *testing.T) {
	a, err := mollie.NewAmount("EUR", 1000)
	if err != nil || a != (mollie.Amount{Currency: "EUR", Value: "10.00"}) {
		t.Fatalf("NewAmount: %+v, %v", a, err)
	}
	if c, err := a.Cents(); err != nil || c != 1000 {
		t.Errorf("Cents: %d, %v", c, err)
	}
	// Other currencies with cents keep their code.
	if a, err := mollie.NewAmount("GBP", 5); err != nil || a.Currency != "GBP" || a.Value != "0.05" {
		t.Errorf("GBP: %+v, %v", a, err)
	}
	// Currencies without cents, and codes that are not codes, are refused.
	for _, cur := range []string{"JPY", "ISK", "eur", "EURO", "", "E1R"} {
		if a, err := mollie.NewAmount(cur, 100); err == nil {
			t.Errorf("NewAmount(%q) = %+v", cur, a)
		}
		if c, err := (mollie.Amount{Currency: cur, Value: "1.00"}).Cents(); err == nil {
			t.Errorf("Cents of %q = %d", cur, c)
		}
	}
}
