package web

import (
	"html/template"
	"strings"

	"samen/internal/atlas"
)

// atlasFuncs are the template functions of the atlas pages.
var atlasFuncs = template.FuncMap{
	"sectors":        func() []string { return atlas.Sectors },
	"legalForms":     func() []string { return atlas.LegalForms },
	"sizes":          func() []string { return atlas.SizeBands },
	"districts":      func() []string { return atlas.Districts },
	"principleCodes": func() []string { return atlas.Principles },
	"kinds":          func() []string { return atlas.ExchangeKinds },
	"lists":          func() []string { return []string{"needs", "offers"} },
	"principles": func(in atlas.Initiative) []principleView {
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
	},
	"card": func(p *page, in atlas.Initiative) cardView {
		return cardView{P: p, In: in, Target: p.Embedded, Today: p.s.today()}
	},
	"changes": func(p *page, cs []atlas.Change) changeList { return changeList{P: p, Rows: changeRows(p, cs)} },
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
