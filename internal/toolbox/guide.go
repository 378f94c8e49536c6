package toolbox

import (
	"bytes"
	"html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"

	"samen/internal/problem"
)

// Guide is a migration guide: how to move from one kind of tool to
// another, in Dutch and English Markdown, kept by stewards.
type Guide struct {
	ID    string   `json:"id"`
	Title Text     `json:"title"`
	Body  Text     `json:"body"`            // CommonMark with tables; raw HTML is not rendered
	Tools []string `json:"tools,omitempty"` // catalogue ids the guide is about
}

const (
	maxGuideTitle = 150
	maxGuideBody  = 50000
)

// Normalize trims the guide's fields.
func (g *Guide) Normalize() {
	g.ID = strings.ToLower(strings.TrimSpace(g.ID))
	if g.ID == "" {
		g.ID = Slug(firstNonEmpty(g.Title.EN, g.Title.NL))
	}
	g.Title = Text{collapse(g.Title.NL), collapse(g.Title.EN)}
	g.Body = g.Body.trimmed()
	g.Tools = list(g.Tools, lower)
}

// Validate checks a normalised guide. Both languages are required: a
// guide is for everyone in the city.
func (g *Guide) Validate() error {
	f := problem.Fields{}
	switch {
	case g.ID == "" && g.Title.NL == "" && g.Title.EN == "":
		// The id is made from a title: the titles' errors say it all.
	case g.ID == "":
		f.Add("id", "required")
	case len(g.ID) > maxName || !slugPattern.MatchString(g.ID):
		f.Add("id", "slug.invalid")
	}
	for field, s := range map[string]string{"title_nl": g.Title.NL, "title_en": g.Title.EN} {
		switch n := utf8.RuneCountInString(s); {
		case n == 0:
			f.Add(field, "required")
		case n > maxGuideTitle:
			f.Add(field, "too_long")
		}
	}
	for field, s := range map[string]string{"body_nl": g.Body.NL, "body_en": g.Body.EN} {
		switch n := utf8.RuneCountInString(s); {
		case n == 0:
			f.Add(field, "required")
		case n > maxGuideBody:
			f.Add(field, "too_long")
		}
	}
	checkSlugs(f, "tools", g.Tools)
	return f.Err()
}

// markdown renders guides. Raw HTML in the source is left out (goldmark
// renders it only when told it is safe), links with dangerous schemes
// such as javascript: are dropped, and headings get ids for linking.
// Table cells are aligned with the align attribute, not a style
// attribute, which the Content-Security-Policy would refuse.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)), extension.Strikethrough),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()),
)

// Render turns a guide's Markdown into HTML that is safe to show: authors
// cannot put markup, scripts or styles on the page.
func Render(source string) (template.HTML, error) {
	var b bytes.Buffer
	if err := markdown.Convert([]byte(source), &b); err != nil {
		return "", err
	}
	// goldmark marks what it left out with a comment; readers need not see
	// that in the page source either.
	out := strings.ReplaceAll(b.String(), "<!-- raw HTML omitted -->", "")
	return template.HTML(out), nil // #nosec: produced by goldmark without unsafe HTML
}

// seedGuideTools says which catalogue entries each seed guide is about.
var seedGuideTools = map[string][]string{
	"whatsapp-to-signal-or-matrix":               {"whatsapp", "signal", "element", "matrix"},
	"drive-member-list-to-member-administration": {"google-drive", "excel-member-list", "dolibarr", "odoo", "commonscloud"},
	"mailchimp-to-own-mailing-list":              {"mailchimp", "gnu-mailman"},
	"video-calls-without-zoom":                   {"zoom", "microsoft-teams", "google-meet", "jitsi", "bigbluebutton", "meet-coop"},
}

// SeedGuides are the guides samen starts with, from guides/<id>.<lang>.md;
// each file's first line is "# Title".
func SeedGuides() ([]Guide, error) {
	files, err := fs.Glob(seedFS, "guides/*.md")
	if err != nil {
		return nil, err
	}
	byID := map[string]*Guide{}
	for _, name := range files {
		base := strings.TrimSuffix(path.Base(name), ".md")
		id, lang := strings.TrimSuffix(base, path.Ext(base)), strings.TrimPrefix(path.Ext(base), ".")
		data, err := seedFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		title, body, _ := strings.Cut(string(data), "\n")
		title = strings.TrimSpace(strings.TrimPrefix(title, "# "))
		g := byID[id]
		if g == nil {
			g = &Guide{ID: id, Tools: seedGuideTools[id]}
			byID[id] = g
		}
		switch lang {
		case "nl":
			g.Title.NL, g.Body.NL = title, strings.TrimSpace(body)
		case "en":
			g.Title.EN, g.Body.EN = title, strings.TrimSpace(body)
		}
	}
	var out []Guide
	for _, g := range byID {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
