package toolbox

import (
	"bytes"
	"errors"
	"html"
	"html/template"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"samen/internal/problem"
	"samen/internal/textcheck"
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
	g.Title = Text{textcheck.Collapse(g.Title.NL), textcheck.Collapse(g.Title.EN)}
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
		case tooComplex(s):
			f.Add(field, "guide.too_complex")
		}
	}
	checkSlugs(f, "tools", g.Tools)
	return f.Err()
}

// markdown renders guides. Raw HTML in the source is left out (goldmark
// renders it only when told it is safe), links go only to the web, to mail
// addresses and within the site (see safeLinks), and headings get ids for
// linking. Table cells are aligned with the align attribute, not a style
// attribute, which the Content-Security-Policy would refuse.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)), extension.Strikethrough),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()),
)

// Limits on what a guide's Markdown may make of its length. goldmark gives
// every row of a table as many cells as the table's delimiter row has
// columns, and writes a link reference's address again wherever the
// reference is used: without limits a 45 kB guide ("|-|-|…" over
// thousands of one-letter lines, or a long reference used thousands of
// times) renders into hundreds of megabytes, for half a minute or more.
const (
	maxTableCells = 10000    // cells of all the tables of a guide
	maxLinkBytes  = 64 << 10 // bytes that link references add to the source
)

// maxRenderedGuide bounds the HTML of a guide of n bytes: the most any
// construct makes of a byte is some 27 bytes (each ">" of nested quotes),
// and the limits above allow up to about a megabyte more.
func maxRenderedGuide(n int) int { return 32*n + 1<<20 }

// tooComplex reports whether a guide's Markdown goes beyond the limits on
// tables and link references; Render shows such a text as it is, and
// Validate refuses it.
func tooComplex(source string) bool {
	if tableCells(source) > maxTableCells {
		return true
	}
	src := []byte(source)
	return linkBytes(markdown.Parser().Parse(text.NewReader(src)), src) > len(src)+maxLinkBytes
}

// tableCells counts, generously, the cells goldmark would make for the
// tables in source: for each line that could be a table's delimiter row,
// its columns times the lines up to the next blank one. It reads the text
// once, so that counting costs no more than the text's length.
func tableCells(source string) int {
	lines := strings.Split(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(source), "\n")
	// Leading spaces and quote markers do not stop a table; a line that
	// holds nothing else is blank (and ends one).
	content := func(line string) string { return strings.TrimSpace(strings.TrimLeft(line, " \t>")) }
	rows := make([]int, len(lines)+1) // rows[i]: lines from i up to a blank one
	for i := len(lines) - 1; i >= 0; i-- {
		if content(lines[i]) != "" {
			rows[i] = rows[i+1] + 1
		}
	}
	cells := 0
	for i, line := range lines {
		d := content(line)
		if d == "" || !strings.Contains(d, "-") || strings.Trim(d, " \t\v\f|:-") != "" {
			continue
		}
		cols := strings.Split(d, "|")
		if strings.TrimSpace(cols[0]) == "" {
			cols = cols[1:]
		}
		if len(cols) > 0 && strings.TrimSpace(cols[len(cols)-1]) == "" {
			cols = cols[:len(cols)-1]
		}
		// The header above and the rows below.
		if cells += len(cols) * (rows[i+1] + 1); cells > maxTableCells {
			return cells
		}
	}
	return cells
}

// linkBytes counts the bytes of the addresses and titles of the links and
// images in doc: for a text without link references, at most its length.
func linkBytes(doc ast.Node, source []byte) int {
	n := 0
	_ = ast.Walk(doc, func(node ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch x := node.(type) {
			case *ast.Link:
				n += len(x.Destination) + len(x.Title)
			case *ast.Image:
				n += len(x.Destination) + len(x.Title)
			case *ast.AutoLink:
				n += len(x.URL(source))
			}
		}
		return ast.WalkContinue, nil
	})
	return n
}

// safeLinks keeps links and images only where they go to the web (http,
// https), to a mail address (links only) or within the site; the others
// (javascript:, but also data:image/png, which goldmark lets through, and
// whatever else a browser may run) are replaced by their text.
func safeLinks(doc ast.Node, source []byte) {
	var drop []ast.Node
	_ = ast.Walk(doc, func(node ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch x := node.(type) {
			case *ast.Link:
				if !safeAddress(x.Destination, true) {
					drop = append(drop, x)
				}
			case *ast.Image:
				if !safeAddress(x.Destination, false) {
					drop = append(drop, x)
				}
			case *ast.AutoLink:
				if x.AutoLinkType != ast.AutoLinkEmail && !safeAddress(x.URL(source), true) {
					drop = append(drop, x)
				}
			}
		}
		return ast.WalkContinue, nil
	})
	for _, node := range drop {
		parent := node.Parent()
		if a, ok := node.(*ast.AutoLink); ok {
			parent.ReplaceChild(parent, a, ast.NewString(a.Label(source)))
			continue
		}
		for c := node.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, node, c)
			c = next
		}
		parent.RemoveChild(parent, node)
	}
}

// safeAddress reports whether an address, as a browser reads it (without
// leading and trailing controls and spaces, without tabs and line breaks),
// has no scheme, or http or https, or mailto where mail is allowed. The
// Markdown source may spell the address with backslash escapes and
// character references ("&#70;:" is "F:"), which the renderer resolves, so
// they are resolved before the scheme is read.
func safeAddress(address []byte, mail bool) bool {
	address = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(address)))
	u := strings.TrimFunc(string(address), func(r rune) bool { return r <= ' ' })
	u = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(u)
	i := strings.IndexAny(u, ":/?#")
	if i < 0 || u[i] != ':' {
		return true // relative
	}
	switch strings.ToLower(u[:i]) {
	case "http", "https":
		return true
	case "mailto":
		return mail
	}
	return false
}

// errGuideTooLarge stops rendering a guide that grows past its bound.
var errGuideTooLarge = errors.New("rendered guide too large")

// boundedBuffer refuses to grow past max bytes.
type boundedBuffer struct {
	bytes.Buffer
	max int
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, errGuideTooLarge
	}
	return b.Buffer.Write(p)
}

// Render turns a guide's Markdown into HTML that is safe to show: authors
// cannot put markup, scripts or styles on the page, and the page stays
// within maxRenderedGuide of the text's length. A text beyond the limits
// on tables and link references (which Validate refuses) is shown as it
// is, preformatted.
func Render(source string) (template.HTML, error) {
	asIs := template.HTML("<pre>" + html.EscapeString(source) + "</pre>")
	if tableCells(source) > maxTableCells {
		return asIs, nil
	}
	src := []byte(source)
	doc := markdown.Parser().Parse(text.NewReader(src))
	if linkBytes(doc, src) > len(src)+maxLinkBytes {
		return asIs, nil
	}
	safeLinks(doc, src)
	b := &boundedBuffer{max: maxRenderedGuide(len(src))}
	if err := markdown.Renderer().Render(b, src, doc); errors.Is(err, errGuideTooLarge) {
		return asIs, nil
	} else if err != nil {
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
