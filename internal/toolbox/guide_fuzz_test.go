package toolbox

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz test for the Markdown of guides. Run it with
//
//	go test ./internal/toolbox/ -run '^$' -fuzz '^FuzzRender$' -fuzztime 60s

// What rendered guides may hold: these elements, with these attributes.
var guideMarkup = map[string][]string{
	"p": nil, "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
	"a": {"href", "title"}, "img": {"src", "alt", "title"},
	"ul": nil, "ol": {"start"}, "li": nil, "em": nil, "strong": nil, "del": nil, "code": {"class"}, "pre": nil,
	"blockquote": nil, "hr": nil, "br": nil,
	"table": nil, "thead": nil, "tbody": nil, "tr": nil, "th": {"align"}, "td": {"align"},
}

var (
	// A tag as goldmark writes one; every "<" in the output must start one
	// (text has its "<" escaped).
	guideTag  = regexp.MustCompile(`^<(/?)([a-z][a-z0-9]*)((?:\s+[a-z][a-z-]*(?:="[^"<>]*")?)*)\s*/?>`)
	guideAttr = regexp.MustCompile(`\s+([a-z][a-z-]*)(?:="([^"]*)")?`)
	urlScheme = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.\-]*):`)
)

// browserScheme is the scheme a browser finds in an attribute's address:
// it drops leading and trailing controls and spaces and every tab and line
// break before it looks. "" is a relative address.
func browserScheme(value string) string {
	u := strings.TrimFunc(html.UnescapeString(value), func(r rune) bool { return r <= ' ' })
	u = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(u)
	if m := urlScheme.FindStringSubmatch(u); m != nil {
		return strings.ToLower(m[1])
	}
	return ""
}

// checkGuideHTML asserts that out holds only the markup guides may have,
// and links only to the web, to mail addresses and within the site.
func checkGuideHTML(t *testing.T, src, out string) {
	t.Helper()
	for i := strings.IndexByte(out, '<'); i >= 0; {
		m := guideTag.FindStringSubmatch(out[i:])
		if m == nil {
			t.Fatalf("Render(%q) writes markup goldmark does not: %q", src, out[i:min(len(out), i+80)])
		}
		name := m[2]
		attrs, ok := guideMarkup[name]
		if !ok {
			t.Fatalf("Render(%q) writes <%s>:\n%s", src, name, out)
		}
		if m[1] == "/" && m[3] != "" {
			t.Fatalf("Render(%q): attributes on a closing tag %q", src, m[0])
		}
		for _, a := range guideAttr.FindAllStringSubmatch(m[3], -1) {
			if !slices.Contains(attrs, a[1]) {
				t.Fatalf("Render(%q): <%s> with the attribute %s:\n%s", src, name, a[1], out)
			}
			if a[1] == "href" || a[1] == "src" {
				if s := browserScheme(a[2]); s != "" && s != "http" && s != "https" && (s != "mailto" || a[1] != "href") {
					t.Fatalf("Render(%q): %s=%q leads to a %s: address", src, a[1], a[2], s)
				}
			}
		}
		next := strings.IndexByte(out[i+len(m[0]):], '<')
		if next < 0 {
			break
		}
		i += len(m[0]) + next
	}
	if strings.Contains(strings.ToLower(out), "<script") {
		t.Fatalf("Render(%q) holds a script:\n%s", src, out)
	}
}

// guideSeeds are Markdown as stewards write it and as an attacker would.
var guideSeeds = []string{
	"# Van WhatsApp naar Signal\n\n## Stap 1\n\n| Tool | Kosten |\n|:---|---:|\n| Signal | gratis |\n\n~~oud~~ en **nieuw**\n",
	"1. one\n2. two\n   - nested *em* `code`\n\n> quote\n\n```go\nfunc main() {}\n```\n\n---\n\nline  \nbreak\\\nagain",
	"[Signal](https://signal.org \"title\") <https://matrix.org> <info@example.org> ![logo](/static/logo.png)",
	"<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "Some <b>bold</b> and <!-- c --> <?php ?> <![CDATA[x]]>",
	"<style>body{display:none}</style>", "<iframe src=\"https://evil.example\"></iframe>", "<a href=\"javascript:alert(1)\">x</a>",
	"[x](javascript:alert(1))", "[x](JavaScript:alert(1))", "[x]( javascript:alert(1) )", "![x](javascript:alert(1))",
	"<javascript:alert(1)>", "[x][r]\n\n[r]: javascript:alert(1)", "[x](vbscript:msgbox(1))", "[x](file:///etc/passwd)",
	"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "[x](data:image/png;base64,iVBORw0KGgo=)",
	"![x](data:image/svg+xml;base64,PHN2Zz4=)", "<data:image/png;base64,iVBORw0KGgo=>", "[x](<java\tscript:alert(1)>)",
	"[x](&#106;avascript:alert(1))", "[](&#70;:)", "[x](data&#58;text/html,x)", "[x](f&#x3A;x)", "[x](f&colon;x)", "[x](f\\:x)", "[x](java&#x09;script:alert(1))", "[x](&#x20;javascript:alert(1))", "[x](\\javascript:alert(1))",
	"[x](%6aavascript:alert(1))", "[x](jav&#97;script:alert(1))", "[x](<\x01javascript:alert(1)>)", "[x](//evil.example)",
	"[x](mailto:a@b.example)", "[x](tel:+3120)", "[x](ftp://x)", "[x](#anchor)", "[x](?q=1)", "[x](/toolbox/scan)",
	"[x](https://a.example/\" onmouseover=\"alert(1))", "[x](https://a.example \"t\\\" onclick=\\\"x\")", "# \" onclick=\"x",
	"a < b & c > d \"e\" 'f'", "\x00", "\xff\xfe", "a\u2028b\u0085c", "&#0; &#xD800; &#x110000; &nbsp; &bogus;",
	"| a | b |\n|---|---|\n| 1 |", "|a|\n|-|\n" + strings.Repeat("x\n", 50), strings.Repeat("|a", 40) + "\n" + strings.Repeat("|-", 40) + "\n" + strings.Repeat("x\n", 40),
	"> |a|\n> |-|\n" + strings.Repeat("x\n", 20), "[a]: /" + strings.Repeat("x", 200) + "\n\n" + strings.Repeat("[a]", 200),
	strings.Repeat(">", 300), strings.Repeat("- ", 300), strings.Repeat("*", 300), strings.Repeat("[", 300), strings.Repeat("#\n", 300),
}

// FuzzRender: rendering never fails or panics; it writes only the markup
// a guide may have (no raw HTML, no script, no event handler, no style),
// links only to http(s), mail and the site itself; valid UTF-8 stays
// valid; and the page stays within a bound of the text's length.
func FuzzRender(f *testing.F) {
	for _, s := range guideSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got, err := Render(src)
		if err != nil {
			t.Fatalf("Render(%q): %v", src, err)
		}
		out := string(got)
		checkGuideHTML(t, src, out)
		if utf8.ValidString(src) && !utf8.ValidString(out) {
			t.Fatalf("Render(%q) = %q is not UTF-8", src, out)
		}
		if len(out) > maxRenderedGuide(len(src)) {
			t.Fatalf("Render of %d bytes made %d bytes", len(src), len(out))
		}
		if tooComplex(src) {
			g := Guide{ID: "x", Title: Text{"x", "x"}, Body: Text{src, "x"}}
			if fields(g.Validate())["body_nl"] == "" {
				t.Fatalf("a guide too complex to render is valid: %q", src)
			}
		}
	})
}

// TestRenderBounded keeps what FuzzRender's bound on the page found:
// goldmark pads every row of a table to the columns of its delimiter row
// and repeats a link reference's address wherever it is used, so that a
// guide under the length limit rendered into 90 to 200 MB, for up to a
// minute and gigabytes of memory. Such a text is now refused by Validate
// and shown as it is by Render, at once.
func TestRenderBounded(t *testing.T) {
	wide := strings.Repeat("|a", 1000) + "\n" + strings.Repeat("|-", 1000) + "\n" + strings.Repeat("x\n", 20000)
	for name, src := range map[string]string{
		"wide table":               wide,
		"wide table, CR endings":   strings.ReplaceAll(wide, "\n", "\r"),
		"wide table in a quote":    "> " + strings.Repeat("|a", 1000) + "\n> " + strings.Repeat("|-", 1000) + "\n" + strings.Repeat("x\n", 20000),
		"long reference used much": "[a]: /" + strings.Repeat("x", 20000) + "\n\n" + strings.Repeat("[a]", 9000),
		"long title used much":     "[a]: /x '" + strings.Repeat("t", 20000) + "'\n\n" + strings.Repeat("[a]", 9000),
	} {
		start := time.Now()
		out, err := Render(src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(out) > maxRenderedGuide(len(src)) || !strings.HasPrefix(string(out), "<pre>") {
			t.Errorf("%s: %d bytes made %d bytes, not the text as it is", name, len(src), len(out))
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: rendering took %v", name, d)
		}
		g := Guide{ID: "x", Title: Text{"x", "x"}, Body: Text{src, src}}
		if f := fields(g.Validate()); f["body_nl"] != "guide.too_complex" || f["body_en"] != "guide.too_complex" {
			t.Errorf("%s: Validate gives %v, want guide.too_complex on both bodies", name, f)
		}
	}
	// Tables and references of a real guide stay as they were.
	normal := "| Tool | Kosten |\n|:---|---:|\n" + strings.Repeat("| Signal | gratis |\n", 200) + "\n[s]: https://signal.org\n\n" + strings.Repeat("[s] ", 300)
	if tooComplex(normal) {
		t.Error("a long table and a reference used 300 times are refused")
	}
	if out, _ := Render(normal); !strings.Contains(string(out), `<td align="right">gratis</td>`) || !strings.Contains(string(out), `<a href="https://signal.org">s</a>`) {
		t.Errorf("a normal guide renders as\n%.300s", out)
	}
}

// TestRenderKeepsLinksToTheWeb keeps what FuzzRender's check of addresses
// found: goldmark lets data:image/png, gif, jpeg and webp addresses
// through, for links as well as images. Links go to http(s), mail and the
// site only; the others keep their text.
func TestRenderKeepsLinksToTheWeb(t *testing.T) {
	for src, want := range map[string]string{
		"[x](data:image/png;base64,iVBORw0KGgo=)":   "<p>x</p>\n",
		"![x](data:image/gif;base64,R0lGOD)":        "<p>x</p>\n",
		"<data:image/png;base64,iVBORw0KGgo=>":      "<p>data:image/png;base64,iVBORw0KGgo=</p>\n",
		"[x](tel:+3120) [y](ftp://f.example/z)":     "<p>x y</p>\n",
		"[*x* `y`](javascript:alert(1)) after":      "<p><em>x</em> <code>y</code> after</p>\n",
		"[x](https://signal.org)":                   "<p><a href=\"https://signal.org\">x</a></p>\n",
		"[x](mailto:a@b.example) <info@b.example>":  "<p><a href=\"mailto:a@b.example\">x</a> <a href=\"mailto:info@b.example\">info@b.example</a></p>\n",
		"![logo](/static/logo.png) [s](#stap-1)":    "<p><img src=\"/static/logo.png\" alt=\"logo\"> <a href=\"#stap-1\">s</a></p>\n",
		"![x](mailto:a@b.example)":                  "<p>x</p>\n",
		"[x](//cdn.example/a) [y](?q=1) [z](a/b:c)": "<p><a href=\"//cdn.example/a\">x</a> <a href=\"?q=1\">y</a> <a href=\"a/b:c\">z</a></p>\n",
	} {
		if got, err := Render(src); err != nil || string(got) != want {
			t.Errorf("Render(%q) = %q, %v; want %q", src, got, err, want)
		}
	}
}
