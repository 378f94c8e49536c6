package web

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// A label of the radar is wrapped at words into lines that fit beside the
// chart, and only a word longer than a whole line is cut short.
func TestWrapLabel(t *testing.T) {
	const font = 14.0
	perChar := font * labelEm
	for _, c := range []struct {
		label string
		chars int // how many characters fit a line
		want  []string
	}{
		{"Openheid", 17, []string{"Openheid"}},
		{"Databeheer en dataminimalisatie", 17, []string{"Databeheer en", "dataminimalisatie"}},
		{"Data governance and minimisation", 17, []string{"Data governance", "and minimisation"}},
		{"Data governance and minimisation", 10, []string{"Data", "governance", "and minim…"}},
		{"Toegankelijkheid en inclusie", 9, []string{"Toeganke…", "en", "inclusie"}},
		{"Business model", 4, []string{"Bus…", "mod…"}},
		{"", 10, []string{""}},
	} {
		got := wrapLabel(c.label, float64(c.chars)*perChar+0.1, font)
		if !slices.Equal(got, c.want) {
			t.Errorf("wrapLabel(%q, %d characters) = %q, want %q", c.label, c.chars, got, c.want)
		}
		for _, line := range got {
			if n := utf8.RuneCountInString(line); n > c.chars {
				t.Errorf("wrapLabel(%q): line %q is %d characters, over %d", c.label, line, n, c.chars)
			}
		}
	}
}
