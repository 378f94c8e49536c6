package atlas_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"samen/internal/atlas"
	"samen/internal/problem"
)

// Fuzz test for the opening_hours checker. Run it with
//
//	go test ./internal/atlas/ -run '^$' -fuzz '^FuzzValidOpeningHours$' -fuzztime 60s

// The grammar ValidOpeningHours documents, written out again as regular
// expressions, one per space-separated field of a rule: the fuzzer compares
// the two.
var (
	hoursMonths   = `(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)`
	hoursMonthsRe = regexp.MustCompile(`^` + hoursMonths + `(-` + hoursMonths + `)?(,` + hoursMonths + `(-` + hoursMonths + `)?)*$`)
	hoursDayRe    = regexp.MustCompile(`^([1-9]|0[1-9]|[12][0-9]|3[01])$`)
	hoursDay      = `(Mo|Tu|We|Th|Fr|Sa|Su)`
	hoursDayItem  = `(PH|SH|` + hoursDay + `(-` + hoursDay + `)?)`
	hoursDaysRe   = regexp.MustCompile(`^` + hoursDayItem + `(,` + hoursDayItem + `)*$`)
	hoursStart    = `(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)`
	hoursEnd      = `(([0-3][0-9]|4[0-7]):[0-5][0-9]|48:00)`
	hoursSpan     = `(` + hoursStart + `-` + hoursEnd + `\+?|` + hoursStart + `\+)`
	hoursTimesRe  = regexp.MustCompile(`^` + hoursSpan + `(,` + hoursSpan + `)*$`)
	hoursStateRe  = regexp.MustCompile(`^(off|closed|open|unknown)$`)
)

// referenceRule is one rule after the documented grammar: an optional
// comment at the end, and before it 24/7 or, in this order and at least
// one of them, months (with a day of the month), weekdays, times, a state.
func referenceRule(rule string) bool {
	rule = strings.TrimSpace(rule)
	if i := strings.IndexByte(rule, '"'); i >= 0 {
		comment := rule[i:]
		if len(comment) < 2 || !strings.HasSuffix(comment, `"`) || strings.Contains(comment[1:len(comment)-1], `"`) {
			return false
		}
		rule = strings.TrimSpace(rule[:i])
		if rule == "" {
			return true
		}
	}
	fields := strings.Fields(rule)
	if len(fields) == 1 && fields[0] == "24/7" {
		return true
	}
	i, seen := 0, 0
	take := func(re *regexp.Regexp) bool {
		if i < len(fields) && re.MatchString(fields[i]) {
			i++
			return true
		}
		return false
	}
	if take(hoursMonthsRe) {
		seen++
		take(hoursDayRe)
	}
	for _, re := range []*regexp.Regexp{hoursDaysRe, hoursTimesRe, hoursStateRe} {
		if take(re) {
			seen++
		}
	}
	return len(fields) > 0 && i == len(fields) && seen > 0
}

func referenceHours(s string) bool {
	if strings.TrimSpace(s) == "" {
		return false
	}
	for _, part := range strings.Split(s, "||") {
		for _, rule := range strings.Split(part, ";") {
			if !referenceRule(rule) {
				return false
			}
		}
	}
	return true
}

// FuzzValidOpeningHours: the checker never panics, agrees with the grammar
// it documents, does not depend on surrounding space, accepts the rules of
// what it accepts one by one and joined again, and a record carrying the
// value is refused on its opening_hours field exactly when the checker
// refuses it.
func FuzzValidOpeningHours(f *testing.F) {
	for _, s := range []string{
		"24/7", "Mo-Fr 09:00-17:00", "Mo-Fr 09:00-12:00,13:00-17:30; Sa 10:00-14:00", "Mo,We,Fr 10:00-16:00; PH off",
		"Tu-Su 11:00-23:00; Fr 20:00-02:00", "Sa 18:00+", "Jan-Mar Sa 10:00-12:00", "Dec 25 off", "Dec 1 Mo 10:00-11:00 open",
		`Mo-Fr 09:00-17:00 || "by appointment"`, `"by appointment"`, "Mo-Fr 10:00-18:00; SH off", "Fr 20:00-26:00", "Sa 22:00-48:00",
		"Mo 24:00-48:00+", "Mo 09:00-12:00+", "PH,SH,Mo-Su closed", "unknown", `Mo ""`, `""`,
		// Refused.
		"", " ", ";", "||", "Mon-Fri 9-5", "Mo-Fr 9:00-17:00", "Mo-Fr 09:00", "Mo-Xx 09:00-17:00", "09:60-10:00", "Mo-Fr 25:00-26:00",
		"always", "Mo-Fr 09:00-17:00;", `Mo "unclosed`, "Mo 10:00-12:00 open closed", `Mo "a;b"`, `"a"b"`, `Mo "a" "b"`,
		"Dec 32", "Dec 0", "Dec 001", "Jan-", "Jan-Feb-Mar", "Mo--Fr", "Mo-", ",Mo", "Mo,", "24/7 off", "24/7; 24/7",
		"Mo 09:00-48:01", "Mo 24:01-25:00", "Mo +09:00", "Mo 09:00++", "Mo 09:00-10:00-11:00", "Mo 0900-1000", "Mo 09:00–17:00",
		"Mo\u00a009:00-17:00", "Mo 09:00-17:00\x00", "Mo \"\xff\"", "sunrise-sunset", "week 01-53 Mo 10:00-12:00",
		strings.Repeat("Mo 09:00-17:00; ", 40) + "Su off", strings.Repeat("Mo,", 500) + "Tu 09:00-10:00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := atlas.ValidOpeningHours(s)
		if want := referenceHours(s); got != want {
			t.Fatalf("ValidOpeningHours(%q) = %v, but the grammar says %v", s, got, want)
		}
		if again := atlas.ValidOpeningHours(" \t" + s + "\n "); again != got {
			t.Fatalf("ValidOpeningHours(%q) = %v, with space around %v", s, got, again)
		}
		if got {
			for _, part := range strings.Split(s, "||") {
				for _, rule := range strings.Split(part, ";") {
					if !atlas.ValidOpeningHours(rule) {
						t.Fatalf("ValidOpeningHours(%q) accepts the whole but not its rule %q", s, rule)
					}
				}
			}
			if !atlas.ValidOpeningHours(s + "; " + s) {
				t.Fatalf("ValidOpeningHours(%q) accepts it, but not twice over", s)
			}
			// Outside a comment an accepted value is plain ASCII words.
			outside := s
			if i := strings.IndexByte(s, '"'); i >= 0 {
				outside = s[:i]
			}
			for _, word := range strings.Fields(outside) {
				for _, c := range []byte(word) {
					if c >= utf8.RuneSelf || c < ' ' {
						t.Fatalf("ValidOpeningHours(%q) accepts the byte %#x outside a comment", s, c)
					}
				}
			}
		}

		// A record carries the value through Normalize and Validate.
		r := richRecord(1)
		r.OpeningHours = s
		r.Normalize()
		err := r.Validate("2026-06-01")
		var field string
		if p, ok := problem.As(err); ok {
			field = p.Fields["opening_hours"]
		} else if err != nil {
			t.Fatalf("Validate with opening hours %q: %v is not a problem.Error", s, err)
		}
		hours := r.OpeningHours
		switch {
		case hours == "":
			if field != "" {
				t.Fatalf("empty opening hours (from %q) refused: %s", s, field)
			}
		case utf8.RuneCountInString(hours) > 255:
			if field == "" {
				t.Fatalf("opening hours of %d characters accepted", utf8.RuneCountInString(hours))
			}
		case atlas.ValidOpeningHours(hours) != (field == ""):
			t.Fatalf("opening hours %q normalised to %q: checker %v, record field %q", s, hours, atlas.ValidOpeningHours(hours), field)
		}
	})
}
