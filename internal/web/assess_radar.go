package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"unicode/utf8"
)

// radarSeries is one subject's group scores on a radar chart; nil scores
// are unknown and drawn at the centre.
type radarSeries struct {
	Name   string
	Scores []*float64
}

// The series' looks: colours that keep AA contrast on white, each with
// its own dash pattern so the lines differ without colour too.
var radarStyles = []struct{ stroke, dash string }{
	{"#1d5c3a", ""}, {"#0b5394", "6 3"}, {"#a1262b", "2 3"}, {"#5b3a8e", "8 3 2 3"},
}

// radarSVG draws group scores (0..max) as an inline SVG: rings for each
// level, a spoke per group with its label, and a polygon per series. It
// uses presentation attributes only, as the Content-Security-Policy
// refuses style attributes. The chart is an image with a title; the
// table beside it carries the same numbers for screen readers.
func radarSVG(title string, labels []string, series []radarSeries, max int) template.HTML {
	// Wider than high: the labels beside the chart need room for a word
	// as long as "dataminimalisatie", those above and below for two or
	// three short lines.
	const size, padX, padY = 360.0, 175.0, 75.0
	width, height := size+2*padX, size+2*padY
	cx, cy := width/2, height/2
	r := size / 2
	n := len(labels)
	point := func(i int, v float64) (float64, float64) {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(n)
		return cx + r*v/float64(max)*math.Cos(a), cy + r*v/float64(max)*math.Sin(a)
	}
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="%s" class="radar">`,
		width, height, esc(title))
	if n == 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	for level := 1; level <= max; level++ {
		var pts []string
		for i := range n {
			x, y := point(i, float64(level))
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		}
		fmt.Fprintf(&b, `<polygon points="%s" fill="none" stroke="#c9d1cc" stroke-width="1"/>`, strings.Join(pts, " "))
		x, y := point(0, float64(level))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" fill="#4a5560" dx="4">%d</text>`, x, y, level)
	}
	for i, label := range labels {
		x, y := point(i, float64(max))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#c9d1cc" stroke-width="1"/>`, cx, cy, x, y)
		lx, ly := point(i, float64(max)*1.12)
		anchor := "middle"
		switch {
		case lx < cx-1:
			anchor = "end"
		case lx > cx+1:
			anchor = "start"
		}
		// The space beside the spoke's end, to the drawing's edge: a label
		// wider than that is wrapped, and a word still too wide is cut
		// short (the table beside the chart names every group in full).
		room := 2*math.Min(lx, width-lx) - 2*labelMargin
		switch anchor {
		case "end":
			room = lx - labelMargin
		case "start":
			room = width - lx - labelMargin
		}
		lines := wrapLabel(label, min(room, maxLabelWidth), labelFont)
		// Lines stack away from the chart: upwards above it, downwards
		// below it, around the spoke's end beside it.
		first := ly - float64(len(lines)-1)*labelLine/2
		switch {
		case anchor == "middle" && ly < cy:
			first = ly - float64(len(lines)-1)*labelLine
		case anchor == "middle":
			first = ly
		}
		fmt.Fprintf(&b, `<text font-size="%.0f" fill="#1b1f23" text-anchor="%s" dominant-baseline="middle">`, labelFont, anchor)
		if len(lines) > 1 || lines[0] != label {
			fmt.Fprintf(&b, `<title>%s</title>`, esc(label))
		}
		for li, line := range lines {
			fmt.Fprintf(&b, `<tspan x="%.1f" y="%.1f">%s</tspan>`, lx, first+float64(li)*labelLine, esc(line))
		}
		b.WriteString(`</text>`)
	}
	for si, s := range series {
		st := radarStyles[si%len(radarStyles)]
		var pts []string
		for i := range n {
			v := 0.0
			if i < len(s.Scores) && s.Scores[i] != nil {
				v = *s.Scores[i]
			}
			x, y := point(i, v)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		}
		dash := ""
		if st.dash != "" {
			dash = ` stroke-dasharray="` + st.dash + `"`
		}
		fmt.Fprintf(&b, `<polygon points="%s" fill="%s" fill-opacity="0.12" stroke="%s" stroke-width="3"%s><title>%s</title></polygon>`,
			strings.Join(pts, " "), st.stroke, st.stroke, dash, esc(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec: every text is escaped above
}

// The labels' type: size, line height and the margin kept from the
// drawing's edge, in the drawing's units; a label is at most
// maxLabelWidth wide.
const (
	labelFont     = 14.0
	labelLine     = 17.0
	labelMargin   = 6.0
	maxLabelWidth = 150.0
)

// labelEm is the width of a character of the labels, in ems: wider than
// the average of a sans-serif face (about 0.5), so that a line judged to
// fit does, whichever face the reader's browser picks.
const labelEm = 0.6

// wrapLabel breaks a label into lines at most width wide (in the units of
// a font of this size): words are kept whole where they fit, and a word
// wider than a line is cut short with an ellipsis. At most three lines; a
// longer label ends its third with an ellipsis.
func wrapLabel(label string, width, font float64) []string {
	most := max(1, int(width/(font*labelEm)))
	var lines []string
	line := ""
	for _, w := range strings.Fields(label) {
		switch {
		case line == "":
			line = w
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) <= most:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	const maxLines = 3
	if len(lines) > maxLines {
		lines = append(lines[:maxLines-1], strings.Join(lines[maxLines-1:], " "))
	}
	for i, l := range lines {
		if r := []rune(l); len(r) > most {
			lines[i] = string(r[:max(most-1, 1)]) + "…"
		}
	}
	return lines
}
