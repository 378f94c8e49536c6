package toolbox

import (
	"strings"
	"testing"
)

func render(t *testing.T, src string) string {
	t.Helper()
	out, err := Render(src)
	if err != nil {
		t.Fatalf("Render(%q): %v", src, err)
	}
	return string(out)
}

func TestRenderDropsRawHTML(t *testing.T) {
	for _, src := range []string{
		"<script>alert(1)</script>",
		"Before\n\n<script>alert(1)</script>\n\nAfter",
		"<img src=x onerror=alert(1)>",
		"Some <b>bold</b> text and <img src=x onerror=alert(1)> inline.",
		"<style>body{display:none}</style>",
		"<iframe src=\"https://evil.example\"></iframe>",
		"<!-- a comment -->",
	} {
		out := strings.ToLower(render(t, src))
		for _, bad := range []string{"<script", "<img", "onerror", "<b>", "<style", "<iframe", "<!--"} {
			if strings.Contains(out, bad) {
				t.Errorf("Render(%q) = %q keeps %s", src, out, bad)
			}
		}
	}
	if out := render(t, "Some <b>bold</b> text."); !strings.Contains(out, "Some") || !strings.Contains(out, "text.") {
		t.Errorf("the text around dropped markup is lost: %q", out)
	}
	if out := render(t, "a < b & c > d"); !strings.Contains(out, "a &lt; b &amp; c &gt; d") {
		t.Errorf("plain angle brackets are not escaped: %q", out)
	}
}

func TestRenderDropsDangerousLinks(t *testing.T) {
	for _, src := range []string{
		"[x](javascript:alert(1))",
		"[x](JavaScript:alert(1))",
		"[x]( javascript:alert(1) )",
		"![x](javascript:alert(1))",
		"<javascript:alert(1)>",
		"[x][r]\n\n[r]: javascript:alert(1)",
		"[x](vbscript:msgbox(1))",
		"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	} {
		// The link's text may stay; no address may run a script.
		out := strings.ToLower(strings.ReplaceAll(render(t, src), " ", ""))
		for _, bad := range []string{`href="javascript:`, `src="javascript:`, `href="vbscript:`, `href="data:text/html`} {
			if strings.Contains(out, bad) {
				t.Errorf("Render(%q) = %q keeps %s", src, out, bad)
			}
		}
	}
	if out := render(t, "[Signal](https://signal.org)"); !strings.Contains(out, `<a href="https://signal.org">Signal</a>`) {
		t.Errorf("a web link is lost: %q", out)
	}
}

func TestRenderTablesAndHeadings(t *testing.T) {
	out := render(t, "# Van WhatsApp naar Signal\n\n## Stap 1\n\n| Tool | Kosten |\n|---|---|\n| Signal | gratis |\n\n~~oud~~ en **nieuw**\n")
	for _, want := range []string{
		`<h1 id="van-whatsapp-naar-signal">Van WhatsApp naar Signal</h1>`,
		`<h2 id="stap-1">Stap 1</h2>`,
		"<table>", "<th>Tool</th>", "<td>Signal</td>", "<td>gratis</td>",
		"<del>oud</del>", "<strong>nieuw</strong>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered guide lacks %s:\n%s", want, out)
		}
	}
}

func TestSeedGuides(t *testing.T) {
	guides, err := SeedGuides()
	if err != nil {
		t.Fatal(err)
	}
	if len(guides) != 4 {
		t.Errorf("%d seed guides, want 4", len(guides))
	}
	c := seedCatalogue(t)
	for _, g := range guides {
		if g.Title.NL == "" || g.Title.EN == "" || g.Body.NL == "" || g.Body.EN == "" {
			t.Errorf("%s lacks a title or body in one language", g.ID)
		}
		if strings.HasPrefix(g.Title.NL, "#") || strings.HasPrefix(g.Title.EN, "#") {
			t.Errorf("%s: the title keeps its Markdown: %q / %q", g.ID, g.Title.NL, g.Title.EN)
		}
		if len(g.Tools) == 0 {
			t.Errorf("%s names no tools", g.ID)
		}
		for _, id := range g.Tools {
			if _, ok := c.Get(id); !ok {
				t.Errorf("%s names %s, which is not in the seed catalogue", g.ID, id)
			}
		}
		x := g
		x.Normalize()
		if err := x.Validate(); err != nil {
			t.Errorf("%s does not validate: %v", g.ID, err)
		}
		for _, body := range []string{g.Body.NL, g.Body.EN} {
			out := render(t, body)
			if strings.Contains(out, "raw HTML") || strings.Contains(out, "<script") {
				t.Errorf("%s renders with markup from its source: %s", g.ID, out)
			}
		}
	}
}

func TestGuideValidate(t *testing.T) {
	g := Guide{Title: Text{NL: "  Weg van Zoom ", EN: "Away from Zoom"}, Body: Text{NL: "Tekst", EN: "Text"}, Tools: []string{"Zoom"}}
	g.Normalize()
	if g.ID != "away-from-zoom" || g.Title.NL != "Weg van Zoom" || g.Tools[0] != "zoom" {
		t.Errorf("normalised %+v", g)
	}
	if err := g.Validate(); err != nil {
		t.Errorf("a good guide fails: %v", err)
	}
	g = Guide{ID: "x", Title: Text{EN: "Only English"}, Body: Text{EN: "Text"}}
	g.Normalize()
	f := fields(g.Validate())
	if f["title_nl"] != "required" || f["body_nl"] != "required" || len(f) != 2 {
		t.Errorf("an English-only guide: %v, want title_nl and body_nl required", f)
	}
}

// The page's Content-Security-Policy refuses style attributes, so an
// aligned table column must not need one.
func TestRenderAlignsTablesWithoutStyle(t *testing.T) {
	out, err := Render("| a | b |\n|:--|--:|\n| 1 | 2 |\n")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "style=") || !strings.Contains(string(out), `align="right"`) {
		t.Errorf("table rendered as %s", out)
	}
}
