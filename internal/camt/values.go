package camt

import (
	"strings"
	"time"
)

// parseAmount reads an amount (the text of an ActiveOrHistoricCurrencyAndAmount,
// an xs:decimal) as cents: digits, optionally a point and one or two
// decimals; no sign (a camt amount is never negative: CdtDbtInd says which
// way it goes), no exponent, no thousands separator; at most MaxCents.
// The arithmetic is on the digits: a float would turn 0.29 into
// 0.28999999999999998.
func parseAmount(s string) (int64, bool) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || dot && frac == "" || len(frac) > 2 || !digits(whole, len(whole)) || !digits(frac, 2) && frac != "" {
		return 0, false
	}
	whole = strings.TrimLeft(whole, "0")
	// MaxCents is 10¹² cents, ten digits of whole units: eleven digits
	// cannot overflow below, and more are too many.
	if len(whole) > 11 {
		return 0, false
	}
	var cents int64
	for _, c := range whole + (frac + "00")[:2] {
		cents = cents*10 + int64(c-'0')
	}
	if cents > MaxCents {
		return 0, false
	}
	return cents, true
}

// digits reports whether s is 1 to max ASCII digits.
func digits(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDate reads an ISODate (xs:date): YYYY-MM-DD, which XML Schema lets
// carry a time zone ("2026-03-14+01:00", "2026-03-14Z"); the date is the
// date as written, the zone is checked and dropped.
func parseDate(s string) (string, bool) {
	if len(s) < 10 {
		return "", false
	}
	d, zone := s[:10], s[10:]
	if zone != "" && zone != "Z" && !validZone(zone) {
		return "", false
	}
	t, err := time.Parse(time.DateOnly, d)
	if err != nil || t.Year() < 1900 {
		return "", false
	}
	return d, true
}

// validZone reports whether s is a zone offset, +hh:mm or -hh:mm.
func validZone(s string) bool {
	if len(s) != 6 || s[0] != '+' && s[0] != '-' || s[3] != ':' || !digits(s[1:3], 2) || !digits(s[4:], 2) {
		return false
	}
	return s[1:3] <= "14" && s[4:] < "60"
}

// parseDateTime reads an ISODateTime (xs:dateTime): YYYY-MM-DDThh:mm:ss,
// optionally with a fraction of a second and a zone (Z or ±hh:mm). A time
// without a zone is read as UTC: the standard leaves the zone to the
// bank, and samen uses these times only to show them. date is the date as
// written (the booking date of a DtTm is the bank's day, not UTC's).
func parseDateTime(s string) (t time.Time, date string, ok bool) {
	if len(s) < 19 || s[10] != 'T' {
		return time.Time{}, "", false
	}
	layout := "2006-01-02T15:04:05.999999999"
	if rest := s[19:]; strings.HasSuffix(rest, "Z") || strings.ContainsAny(rest, "+-") {
		layout += "Z07:00"
	}
	t, err := time.Parse(layout, s)
	if err != nil || t.Year() < 1900 {
		return time.Time{}, "", false
	}
	return t, s[:10], true
}

// ValidIBAN reports whether s is an IBAN: a country code, two check
// digits and up to 30 letters and digits (uppercase here), whose ISO 7064
// MOD 97-10 check holds.
func ValidIBAN(s string) bool {
	if len(s) < 5 || len(s) > 34 || !upper(s[:2]) || !digits(s[2:4], 2) {
		return false
	}
	for i := 4; i < len(s); i++ {
		if !alnum(s[i]) {
			return false
		}
	}
	return mod97(s[4:]+s[:4]) == 1
}

// mod97 is the remainder by 97 of s read as a number, each letter standing
// for two digits (A is 10, Z 35): the check of IBANs and ISO 11649
// references. s holds only digits and uppercase letters.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' {
			r = (r*100 + int(c-'A'+10)) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return r
}

func upper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

// alnum reports whether c is a digit or an uppercase letter.
func alnum(c byte) bool { return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' }

// validCurrency reports whether s has the form of an ISO 4217 code.
func validCurrency(s string) bool { return len(s) == 3 && upper(s) }

// notCents are the ISO 4217 codes whose minor unit is not two decimals:
// none (JPY, KRW, …), three (BHD, KWD, …) or four (CLF, UYW), and the
// codes of metals and units with no minor unit at all. samen keeps money
// in hundredths; a statement in one of these is refused rather than read
// a hundredfold wrong.
var notCents = map[string]bool{
	"BIF": true, "CLP": true, "DJF": true, "GNF": true, "ISK": true, "JPY": true, "KMF": true, "KRW": true,
	"PYG": true, "RWF": true, "UGX": true, "UYI": true, "VND": true, "VUV": true, "XAF": true, "XOF": true, "XPF": true,
	"BHD": true, "IQD": true, "JOD": true, "KWD": true, "LYD": true, "OMR": true, "TND": true,
	"CLF": true, "UYW": true,
	"XAG": true, "XAU": true, "XBA": true, "XBB": true, "XBC": true, "XBD": true, "XDR": true, "XPD": true,
	"XPT": true, "XSU": true, "XTS": true, "XUA": true, "XXX": true,
}

// centCurrency reports whether amounts in the currency are in hundredths.
func centCurrency(s string) bool { return !notCents[s] }
