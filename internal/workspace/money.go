package workspace

import (
	"strconv"
	"strings"
)

// MaxCents is the largest amount samen books in one entry: ten billion
// euros, far beyond any co-operative, well inside int64.
const MaxCents = 1_000_000_000_000

// ParseCents reads an amount of euros as people type it, in Dutch or
// English: "12,50", "12.50", "1.250,00", "1,250.00", "€ 1250", "1250".
// A lone separator followed by exactly three digits groups thousands
// ("1.250" is 1250 euros, as in Dutch); followed by one or two it is the
// decimal separator. It returns cents, or a field code saying what is
// wrong.
func ParseCents(s string) (int64, string) {
	s = strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(s), " ", ""), "\u00a0", "")
	// A minus sign (or the typographic one FormatCents writes) may come
	// before or after the currency.
	neg := false
	minus := func() {
		for _, m := range []string{"-", "−"} {
			if rest, ok := strings.CutPrefix(s, m); ok && !neg {
				neg, s = true, rest
			}
		}
	}
	minus()
	s = strings.TrimPrefix(strings.TrimPrefix(s, "€"), "EUR")
	minus()
	if s == "" {
		return 0, "required"
	}
	whole, frac := s, ""
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case lastDot >= 0 && lastComma >= 0:
		dec := max(lastDot, lastComma)
		whole, frac = s[:dec], s[dec+1:]
		whole = strings.NewReplacer(".", "", ",", "").Replace(whole)
	case lastDot >= 0 || lastComma >= 0:
		sep := byte('.')
		if lastComma >= 0 {
			sep = ','
		}
		parts := strings.Split(s, string(sep))
		last := parts[len(parts)-1]
		if len(parts) == 2 && len(last) <= 2 {
			whole, frac = parts[0], last
		} else {
			for _, p := range parts[1:] {
				if len(p) != 3 {
					return 0, "amount.invalid"
				}
			}
			whole = strings.Join(parts, "")
		}
	}
	if whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || len(frac) > 2 {
		return 0, "amount.invalid"
	}
	if len(whole) > 13 {
		return 0, "amount.too_large"
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > MaxCents {
		return 0, "amount.too_large"
	}
	if neg {
		n = -n
	}
	return n, ""
}

// FormatCents writes an amount of cents in euros for a reader of lang:
// "€ 1.250,00" in Dutch, "€1,250.00" in English.
func FormatCents(cents int64, lang string) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	frac := strconv.FormatInt(cents%100+100, 10)[1:]
	thousands, decimal, prefix := ",", ".", "€"
	if lang == "nl" {
		thousands, decimal, prefix = ".", ",", "€ "
	}
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(r)
	}
	out := prefix + b.String() + decimal + frac
	if neg {
		out = "−" + out
	}
	return out
}
