package web

import (
	"math"
	"net/url"
	"strconv"
	"strings"

	"samen/internal/atlas"
)

// Template helpers of the atlas pages.
func init() {
	funcs["sectors"] = func() []string { return atlas.Sectors }
	funcs["legalForms"] = func() []string { return atlas.LegalForms }
	funcs["sizes"] = func() []string { return atlas.SizeBands }
	funcs["districts"] = func() []string { return atlas.Districts }
	funcs["principleCodes"] = func() []string { return atlas.Principles }
	funcs["kinds"] = func() []string { return atlas.ExchangeKinds }
	funcs["lists"] = func() []string { return []string{"needs", "offers"} }
	funcs["inc"] = func(i int) int { return i + 1 }
	funcs["deref"] = func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	funcs["km"] = func(d float64) string {
		if d < 1 {
			return strconv.Itoa(int(math.Round(d*1000/50))*50) + " m"
		}
		return strconv.FormatFloat(math.Round(d*10)/10, 'f', -1, 64) + " km"
	}
	funcs["paragraphs"] = func(s string) []string {
		var out []string
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	funcs["principles"] = func(in atlas.Initiative) []principleView {
		var out []principleView
		for _, code := range atlas.Principles {
			pr := in.Principles[code]
			v := principleView{Code: code, Note: pr.Note}
			if pr.Holds != nil {
				v.Answered, v.Holds = true, *pr.Holds
			}
			out = append(out, v)
		}
		return out
	}
	funcs["card"] = func(p *page, in atlas.Initiative) cardView {
		return cardView{P: p, In: in, Target: p.Embedded, Today: p.s.today()}
	}
	// searchLink is a link to path with a search's query string. It must
	// be made whole, here: html/template escapes a value that stands after
	// a "?" in an href as one query value, "=" and "&" included.
	funcs["searchLink"] = func(path, query string) string { return path + prefixed("?", query) }
	funcs["withoutParam"] = func(name, query string) string {
		v, _ := url.ParseQuery(query)
		v.Del(name)
		return v.Encode()
	}
}

type principleView struct {
	Code            string
	Answered, Holds bool
	Note            string
}

type cardView struct {
	P      *page
	In     atlas.Initiative
	Target bool // open links in a new tab: the page is inside someone else's frame
	Today  string
}

// textarea is a multi-line field of a form.
type textarea struct {
	input
	Rows int
	Lang string
}

// Area is a textarea; lang marks text in a known language (the Dutch and
// English summaries), so screen readers pronounce it right.
func (p *page) Area(name, labelKey, hintKey string, rows int, lang string) textarea {
	return textarea{input: p.Optional(name, "", labelKey, "", hintKey), Rows: rows, Lang: lang}
}

// RequiredArea is Area for a text that must be filled in.
func (p *page) RequiredArea(name, labelKey, hintKey string, rows int, lang string) textarea {
	t := p.Area(name, labelKey, hintKey, rows, lang)
	t.Required = true
	return t
}

type selectField struct {
	input
	Options []selectOption
}

type selectOption struct {
	Value, Label string
	Selected     bool
}

// Choice is an optional select of codes, each labelled with prefix+code.
func (p *page) Choice(name, labelKey, prefix string, values []string) selectField {
	f := selectField{input: p.Optional(name, "", labelKey, "", "")}
	for _, v := range values {
		f.Options = append(f.Options, selectOption{Value: v, Label: p.T(prefix + v), Selected: p.Value(name) == v})
	}
	return f
}

// RequiredChoice is Choice for a choice that must be made.
func (p *page) RequiredChoice(name, labelKey, prefix string, values []string) selectField {
	f := p.Choice(name, labelKey, prefix, values)
	f.Required = true
	return f
}

// Has reports whether a multi-valued field holds value (ticked boxes).
func (p *page) Has(name, value string) bool {
	for _, v := range p.Form[name] {
		if v == value {
			return true
		}
	}
	return false
}

// AtlasLicence is the licence of the atlas's data.
func (p *page) AtlasLicence() string { return p.s.atlas.DataLicence() }

// MapTiles and MapAttribution configure the basemap of the map.
func (p *page) MapTiles() string       { return p.s.opts.Map.TileURL }
func (p *page) MapAttribution() string { return p.s.opts.Map.Attribution }

// changeList is what the "changes" template gets: each change in the
// reader's words.
type changeList struct {
	P    *page
	Rows []changeRow
}

type changeRow struct {
	Label          string
	Old, New       []string
	Removed, Added []string // list fields: the items that went and came
}

func changeRows(p *page, cs []atlas.Change) []changeRow {
	words := func(field string, vs []string) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = changeValue(p, field, v)
		}
		return out
	}
	rows := make([]changeRow, 0, len(cs))
	for _, c := range cs {
		rows = append(rows, changeRow{Label: p.T(fieldLabel(c.Field)), Old: words(c.Field, c.Old), New: words(c.Field, c.New),
			Removed: words(c.Field, c.Removed()), Added: words(c.Field, c.Added())})
	}
	return rows
}

// fieldLabels name the fields of a diff; a field without its own label
// (principles.local_roots.note) falls back to a shorter one.
func fieldLabel(field string) string {
	switch {
	case strings.HasPrefix(field, "principles.") && strings.HasSuffix(field, ".note"):
		return "atlas.history.principle_note." + strings.TrimSuffix(strings.TrimPrefix(field, "principles."), ".note")
	case strings.HasPrefix(field, "principles."):
		return "atlas.principle." + strings.TrimPrefix(field, "principles.")
	}
	return "atlas.history.field." + field
}

// changeValue puts a code in the reader's words.
func changeValue(p *page, field, v string) string {
	prefix := map[string]string{"sectors": "atlas.sector.", "legal_form": "atlas.legal_form.", "location.district": "atlas.district.",
		"size": "atlas.size."}[field]
	switch {
	case prefix != "":
		return p.T(prefix + v)
	case strings.HasPrefix(field, "principles.") && !strings.HasSuffix(field, ".note"):
		return p.T("atlas." + v)
	case field == "needs" || field == "offers":
		kind, rest, _ := strings.Cut(v, ": ")
		if kind, more, ok := strings.Cut(kind, " (→ "); ok {
			return p.T("atlas.kind."+kind) + " (→ " + more
		}
		if rest != "" {
			return p.T("atlas.kind."+kind) + ": " + rest
		}
		return p.T("atlas.kind." + kind)
	}
	return v
}

func init() {
	funcs["changes"] = func(p *page, cs []atlas.Change) changeList { return changeList{P: p, Rows: changeRows(p, cs)} }
}

// radioGroup is a set of radio buttons for the "radios" partial.
type radioGroup struct {
	Name, Legend, Error, OptionalLabel string
	Required                           bool
	Options                            []selectOption
}

// Radios builds a choice shown as radio buttons: its legend is
// prefix+"legend", each option's label prefix+value.
func (p *page) Radios(name, prefix string, values []string, required bool) radioGroup {
	g := radioGroup{Name: name, Legend: p.T(prefix + "legend"), Error: p.Err(name), OptionalLabel: p.T("form.optional"), Required: required}
	for _, v := range values {
		g.Options = append(g.Options, selectOption{Value: v, Label: p.T(prefix + v), Selected: p.Value(name) == v})
	}
	return g
}

// Score writes a score of 0 to 4 with one decimal, as the reader writes
// numbers ("3,5" in Dutch); "" for an unknown one.
func (p *page) Score(v *float64) string {
	if v == nil {
		return ""
	}
	out := strconv.FormatFloat(math.Round(*v*10)/10, 'f', 1, 64)
	if p.Lang == "nl" {
		out = strings.Replace(out, ".", ",", 1)
	}
	return out
}
