// Package csvcell keeps spreadsheets from running the cells of samen's CSV
// exports as formulas (CSV injection), in a way the import undoes exactly,
// so that an export imports back unchanged.
package csvcell

import "strings"

// formula reports whether a spreadsheet would read s as a formula, also
// behind apostrophes (so that guarding can be undone exactly).
func formula(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}

// Guard puts an apostrophe before a cell a spreadsheet would run as a
// formula; spreadsheets show such a cell as the text after it.
func Guard(s string) string {
	if formula(s) {
		return "'" + s
	}
	return s
}

// Unguard takes away the apostrophe Guard put there, and only that one.
func Unguard(s string) string {
	if len(s) > 1 && s[0] == '\'' && formula(s[1:]) {
		return s[1:]
	}
	return s
}
