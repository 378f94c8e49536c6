package atlas

import (
	"slices"
	"strings"
)

// ValidOpeningHours reports whether s is written in the OpenStreetMap
// opening_hours syntax, in the part of it that initiatives use: rules
// separated by ";" (or "||" for a fallback), each with optional months,
// weekdays (ranges, lists, PH for public holidays, SH for school holidays),
// time spans (commas between them, "+" for an open end, ends past midnight)
// and a state ("off", "closed", "open", "unknown") or a quoted comment.
// "24/7" is always open. It rejects what OSM tools would reject, such as
// "Mon-Fri 9-5"; it does not accept sunrise/sunset or week numbers, which
// no initiative has needed.
func ValidOpeningHours(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, rule := range splitRules(s) {
		if !validRule(strings.TrimSpace(rule)) {
			return false
		}
	}
	return true
}

func splitRules(s string) []string {
	var out []string
	for _, part := range strings.Split(s, "||") {
		out = append(out, strings.Split(part, ";")...)
	}
	return out
}

var (
	weekdays = []string{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}
	months   = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

func validRule(rule string) bool {
	if rule == "" {
		return false
	}
	// A trailing comment: "Mo 10:00-12:00 \"by appointment\"".
	if i := strings.IndexByte(rule, '"'); i >= 0 {
		if !strings.HasSuffix(rule, `"`) || i == len(rule)-1 || strings.Count(rule, `"`) != 2 {
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
	i := 0
	seen := 0
	// Months: "Jan-Mar", "Dec", "Jun,Aug", optionally followed by a day: "Dec 25".
	if i < len(fields) && validList(fields[i], months, false) {
		i++
		seen++
		if i < len(fields) && isDayOfMonth(fields[i]) {
			i++
		}
	}
	if i < len(fields) && validList(fields[i], weekdays, true) {
		i++
		seen++
	}
	if i < len(fields) && validTimes(fields[i]) {
		i++
		seen++
	}
	if i < len(fields) {
		switch fields[i] {
		case "off", "closed", "open", "unknown":
			i++
			seen++
		}
	}
	return i == len(fields) && seen > 0
}

// validList checks "Mo-Fr,Su" or "Jan-Mar,Dec" (holidays PH and SH are
// allowed among weekdays).
func validList(s string, names []string, holidays bool) bool {
	for _, item := range strings.Split(s, ",") {
		if holidays && (item == "PH" || item == "SH") {
			continue
		}
		a, b, isRange := strings.Cut(item, "-")
		if !slices.Contains(names, a) || (isRange && !slices.Contains(names, b)) {
			return false
		}
	}
	return true
}

func isDayOfMonth(s string) bool {
	n, ok := number(s)
	return ok && len(s) <= 2 && n >= 1 && n <= 31
}

// validTimes checks "09:00-12:00,13:00-17:30", "22:00-02:00", "18:00+".
func validTimes(s string) bool {
	for _, span := range strings.Split(s, ",") {
		if open, ok := strings.CutSuffix(span, "+"); ok && !strings.Contains(open, "-") {
			if !validClock(open, false) {
				return false
			}
			continue
		}
		span = strings.TrimSuffix(span, "+")
		from, to, ok := strings.Cut(span, "-")
		if !ok || !validClock(from, false) || !validClock(to, true) {
			return false
		}
	}
	return true
}

// validClock checks HH:MM. An end may run past midnight (up to 48:00, as OSM
// allows) so that "Fr 20:00-26:00" is fine.
func validClock(s string, end bool) bool {
	if len(s) != 5 || s[2] != ':' {
		return false
	}
	h, ok1 := number(s[:2])
	m, ok2 := number(s[3:])
	if !ok1 || !ok2 || m > 59 {
		return false
	}
	if end {
		return h < 48 || (h == 48 && m == 0)
	}
	return h < 24 || (h == 24 && m == 0)
}

func number(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
