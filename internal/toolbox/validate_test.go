package toolbox

import (
	"reflect"
	"strings"
	"testing"

	"samen/internal/problem"
)

// goodTool is a valid entry to start from.
func goodTool() Tool {
	return Tool{
		ID:           "wiki-js",
		Name:         "Wiki.js",
		Aliases:      []string{"WikiJS"},
		Kind:         KindSoftware,
		Categories:   []string{"static"},
		Uses:         []string{"wiki"},
		Governance:   "foundation",
		Licence:      "AGPL-3.0-only",
		SelfHostable: "yes",
		Hosting:      []Hosting{{Name: "Some Coop", Country: "NL", Membership: "yes", URL: "https://coop.example"}},
		Country:      "NL",
		Languages:    []string{"nl", "en"},
		Website:      "https://js.wiki",
		SourceCode:   "https://github.com/requarks/wiki",
		Description:  Text{NL: "Een wiki.", EN: "A wiki."},
		Traits:       []string{"member_data"},
		Sources:      []string{"roadmap:table-4", "https://js.wiki"},
	}
}

func fields(err error) map[string]string {
	p, ok := problem.As(err)
	if !ok {
		return nil
	}
	return p.Fields
}

func TestToolValidateNamesEachBadField(t *testing.T) {
	if err := goodTool().validated(); err != nil {
		t.Fatalf("a good entry fails: %v", err)
	}
	cases := []struct {
		name   string
		change func(*Tool)
		field  string
		code   string
	}{
		{"empty name", func(x *Tool) { x.Name = "" }, "name", "required"},
		{"empty name and id", func(x *Tool) { x.Name, x.ID = "", "" }, "name", "required"},
		{"long name", func(x *Tool) { x.Name = strings.Repeat("é", 81) }, "name", "too_long"},
		{"bad id", func(x *Tool) { x.ID = "Wiki JS" }, "id", "slug.invalid"},
		{"no kind", func(x *Tool) { x.Kind = "" }, "kind", "required"},
		{"bad kind", func(x *Tool) { x.Kind = "app" }, "kind", "unknown"},
		{"no category", func(x *Tool) { x.Categories = nil }, "categories", "required"},
		{"unknown category", func(x *Tool) { x.Categories = []string{"static", "gaming"} }, "categories", "unknown"},
		{"unknown use", func(x *Tool) { x.Uses = []string{"mining"} }, "uses", "unknown"},
		{"unknown governance", func(x *Tool) { x.Governance = "monarchy" }, "governance", "unknown"},
		{"licence GPL-9", func(x *Tool) { x.Licence = "GPL-9" }, "licence", "licence.invalid"},
		{"self-hostable maybe", func(x *Tool) { x.SelfHostable = "maybe" }, "self_hostable", "yes_no.invalid"},
		{"javascript website", func(x *Tool) { x.Website = "javascript:alert(1)" }, "website", "url.invalid"},
		{"relative source code", func(x *Tool) { x.SourceCode = "/src" }, "source_code", "url.invalid"},
		{"country in words", func(x *Tool) { x.Country = "Netherlands" }, "country", "country.invalid"},
		{"lower-case country", func(x *Tool) { x.Country = "nl" }, "country", "country.invalid"},
		{"hosting without name or tool", func(x *Tool) { x.Hosting = []Hosting{{Country: "NL", URL: "https://x.example"}} }, "hosting", "hosting.name_required"},
		{"hosting country in words", func(x *Tool) { x.Hosting[0].Country = "Spain" }, "hosting", "country.invalid"},
		{"hosting javascript url", func(x *Tool) { x.Hosting[0].URL = "javascript:alert(1)" }, "hosting", "url.invalid"},
		{"hosting membership perhaps", func(x *Tool) { x.Hosting[0].Membership = "perhaps" }, "hosting", "yes_no.invalid"},
		{"language in words", func(x *Tool) { x.Languages = []string{"Dutch"} }, "languages", "language.invalid"},
		{"no Dutch description", func(x *Tool) { x.Description.NL = "" }, "description.nl", "required"},
		{"no English description", func(x *Tool) { x.Description.EN = "" }, "description.en", "required"},
		{"unknown trait", func(x *Tool) { x.Traits = []string{"evil"} }, "traits", "unknown"},
		{"source in words", func(x *Tool) { x.Sources = []string{"my uncle"} }, "sources", "source.invalid"},
		{"big tech replacing", func(x *Tool) { x.BigTech = true; x.Replaces = []string{"zoom"} }, "replaces", "replaces.big_tech"},
		{"replaces by name", func(x *Tool) { x.Replaces = []string{"Google Drive"} }, "replaces", "slug.invalid"},
	}
	for _, tc := range cases {
		x := goodTool()
		tc.change(&x)
		err := x.Validate()
		if !problem.Is(err, problem.Invalid) {
			t.Errorf("%s: Validate = %v, want an invalid error", tc.name, err)
			continue
		}
		f := fields(err)
		if f[tc.field] != tc.code || len(f) != 1 {
			t.Errorf("%s: fields %v, want only %s: %s", tc.name, f, tc.field, tc.code)
		}
	}
}

func (t Tool) validated() error { return t.Validate() }

func TestValidLicence(t *testing.T) {
	for _, s := range []string{
		"", "proprietary", "MIT", "AGPL-3.0-only", "AGPL-3.0", "GPL-2.0+", "MIT OR Apache-2.0",
		"(MIT OR Apache-2.0) AND BSD-3-Clause", "LicenseRef-Coopyleft",
		"AGPL-3.0-only OR GPL-3.0-only OR LicenseRef-Element-Commercial",
	} {
		if !ValidLicence(s) {
			t.Errorf("ValidLicence(%q) = false, want true", s)
		}
	}
	for _, s := range []string{
		"GPL-9", "MIT AND", "(MIT", "MIT)", "AND MIT", "MIT Apache-2.0", "MIT OR OR Apache-2.0", "()",
		"Proprietary licence", "GPL", "MIT; rm -rf", "<script>",
	} {
		if ValidLicence(s) {
			t.Errorf("ValidLicence(%q) = true, want false", s)
		}
	}
}

// TestValidLicenceExceptions: SPDX expressions name an exception after
// WITH ("GPL-2.0-or-later WITH Classpath-exception-2.0"), from the SPDX
// exceptions list, and only an exception may stand there.
func TestValidLicenceExceptions(t *testing.T) {
	for _, s := range []string{"GPL-2.0-or-later WITH Classpath-exception-2.0", "GPL-3.0-or-later WITH GCC-exception-3.1", "Apache-2.0 WITH LLVM-exception"} {
		if !ValidLicence(s) {
			t.Errorf("ValidLicence(%q) = false: exception ids after WITH are refused (the vendored SPDX list has no exceptions)", s)
		}
	}
	for _, s := range []string{"MIT WITH Apache-2.0", "GPL-2.0-or-later WITH No-Such-exception", "WITH Classpath-exception-2.0", "Classpath-exception-2.0"} {
		if ValidLicence(s) {
			t.Errorf("ValidLicence(%q) = true, want false: only an exception may follow WITH, and only there", s)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Wiki.js":              "wiki-js",
		"The Mobility Factory": "the-mobility-factory",
		"  meet.coop ":         "meet-coop",
		"X (Twitter)":          "x-twitter",
		"Microsoft 365":        "microsoft-365",
		"SomNúvol":             "somnuvol",
		"Coöperatie Één":       "cooperatie-een",
		"---":                  "",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
		if got := Slug(in); got != "" && !slugPattern.MatchString(got) {
			t.Errorf("Slug(%q) = %q is not a valid id", in, got)
		}
	}
}

func TestNormalizeKeepsContent(t *testing.T) {
	x := Tool{
		ID:           "",
		Name:         "  Wiki.js  ",
		Aliases:      []string{" WikiJS ", "", "WikiJS"},
		Kind:         " Software ",
		Categories:   []string{"Static", "static"},
		Uses:         []string{"Wiki"},
		Governance:   "Foundation",
		Licence:      " Proprietary ",
		SelfHostable: "YES",
		Hosting:      []Hosting{{Name: " Coop ", Tool: " Coop ", Country: "nl", Membership: "Yes", URL: " https://coop.example "}, {}},
		Country:      " nl ",
		Languages:    []string{"NL", "en", "nl"},
		Website:      " https://js.wiki ",
		Description:  Text{NL: "  Een wiki:  <b>snel</b>  ", EN: " A wiki. "},
		Traits:       []string{"Member_Data"},
		Sources:      []string{" roadmap:table-4 ", ""},
	}
	x.Normalize()
	want := Tool{
		ID:           "wiki-js",
		Name:         "Wiki.js",
		Aliases:      []string{"WikiJS"},
		Kind:         "software",
		Categories:   []string{"static"},
		Uses:         []string{"wiki"},
		Governance:   "foundation",
		Licence:      Proprietary,
		SelfHostable: "yes",
		Hosting:      []Hosting{{Name: "Coop", Tool: "coop", Country: "NL", Membership: "yes", URL: "https://coop.example"}},
		Country:      "NL",
		Languages:    []string{"nl", "en"},
		Website:      "https://js.wiki",
		// Inner spaces and markup are the author's: only the ends are trimmed.
		Description: Text{NL: "Een wiki:  <b>snel</b>", EN: "A wiki."},
		Traits:      []string{"member_data"},
		Sources:     []string{"roadmap:table-4"},
	}
	if !reflect.DeepEqual(x, want) {
		t.Errorf("Normalize gave\n%+v\nwant\n%+v", x, want)
	}
	if err := x.Validate(); err != nil {
		t.Errorf("the normalised entry fails: %v", err)
	}
}

func TestNormalizeLeavesTheCallersHostingAlone(t *testing.T) {
	hosting := []Hosting{{Name: " Coop "}, {}}
	x := Tool{Name: "A", Hosting: hosting}
	x.Normalize()
	if hosting[0].Name != " Coop " {
		t.Errorf("Normalize changed the caller's hosting slice in place: %+v", hosting)
	}
}
