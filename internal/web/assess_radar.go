package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
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
	const size, pad = 360.0, 110.0
	c := size/2 + pad
	r := size / 2
	n := len(labels)
	point := func(i int, v float64) (float64, float64) {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(n)
		return c + r*v/float64(max)*math.Cos(a), c + r*v/float64(max)*math.Sin(a)
	}
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="%s" class="radar">`,
		size+2*pad, size+2*pad, esc(title))
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
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#c9d1cc" stroke-width="1"/>`, c, c, x, y)
		lx, ly := point(i, float64(max)*1.12)
		anchor := "middle"
		switch {
		case lx < c-1:
			anchor = "end"
		case lx > c+1:
			anchor = "start"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="14" fill="#1b1f23" text-anchor="%s" dominant-baseline="middle">%s</text>`, lx, ly, anchor, esc(label))
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
