package toolbox

import (
	"slices"
	"strings"
	"testing"

	"samen/internal/atlas"
)

// seedCatalogue is the catalogue samen ships, checked.
func seedCatalogue(t *testing.T) *Catalogue {
	t.Helper()
	tools, err := Seed()
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	if len(tools) == 0 {
		t.Fatal("the seed catalogue is empty")
	}
	return NewCatalogue(tools)
}

func TestSeedPassesCheck(t *testing.T) {
	c := seedCatalogue(t)
	if err := c.Check(); err != nil {
		t.Fatalf("the seed catalogue does not pass Check: %v", err)
	}
	// Seed entries are stored as they are: they must already be in the
	// form Normalize gives, or the stored JSON differs from an edit of it.
	for _, tool := range c.Tools {
		n := cloneTool(tool)
		n.Normalize()
		if n.ID != tool.ID || n.Name != tool.Name || n.Licence != tool.Licence || n.Country != tool.Country {
			t.Errorf("%s is not normalised: %q/%q/%q/%q after Normalize", tool.ID, n.ID, n.Name, n.Licence, n.Country)
		}
	}
}

// roadmapNames are the tools, services and protocols the roadmap names in
// appendix II (tables 2–9) and sections 7.2–7.3, written as the roadmap
// writes them, with the catalogue id each must find.
var roadmapNames = []struct{ name, id string }{
	{"matrix/Element", "element"},
	{"Element", "element"},
	{"Signal", "signal"},
	{"Jitsi", "jitsi"},
	{"BigBlueButton", "bigbluebutton"},
	{"BigBlue-Button", "bigbluebutton"},
	{"GNU Mailman", "gnu-mailman"},
	{"Discourse", "discourse"},
	{"Wiki.js", "wiki-js"},
	{"WordPress", "wordpress"},
	{"NextCloud", "nextcloud"},
	{"Mastodon", "mastodon"},
	{"PeerTube", "peertube"},
	{"Loomio", "loomio"},
	{"Decidim", "decidim"},
	{"Consul Democracy", "consul-democracy"},
	{"Alkemio", "alkemio"},
	{"WeKan", "wekan"},
	{"Open-Collective", "open-collective"},
	{"LiberaPay", "liberapay"},
	{"Odoo", "odoo"},
	{"Dolibarr", "dolibarr"},
	{"Econobis", "econobis"},
	{"CoopCycle", "coopcycle"},
	{"The Mobility Factory", "the-mobility-factory"},
	{"Open Food Network", "open-food-network"},
	{"Framasoft", "framasoft"},
	{"Disroot", "disroot"},
	{"CommonsCloud", "commonscloud"},
	{"meet.coop", "meet-coop"},
	{"Social.coop", "social-coop"},
	{"Beckn Protocol", "beckn"},
	{"Matrix protocol", "matrix"},
}

// bigTechNames are the products the issue lists, which a scan must name.
var bigTechNames = []string{
	"Google Drive", "Google Docs", "Gmail", "WhatsApp", "Facebook", "Instagram", "Zoom",
	"Microsoft Teams", "Microsoft 365", "Mailchimp", "Slack", "Trello", "Eventbrite", "GoFundMe",
	"Excel member list",
}

func TestCatalogueCoversTheRoadmap(t *testing.T) {
	c := seedCatalogue(t)
	for _, x := range roadmapNames {
		got, ok := c.Find(x.name)
		switch {
		case !ok:
			t.Errorf("the roadmap's %q is not in the catalogue", x.name)
		case got.ID != x.id:
			t.Errorf("Find(%q) = %s, want %s", x.name, got.ID, x.id)
		case got.BigTech:
			t.Errorf("the roadmap's %q is marked big tech", x.name)
		}
	}
	if got, ok := c.Find("Matrix protocol"); ok && got.Kind != KindProtocol {
		t.Errorf("Matrix is a %s, want a protocol", got.Kind)
	}
	if got, ok := c.Find("Beckn Protocol"); ok && got.Kind != KindProtocol {
		t.Errorf("Beckn is a %s, want a protocol", got.Kind)
	}
	for _, id := range []string{"framasoft", "disroot", "commonscloud", "meet-coop", "social-coop"} {
		if got, ok := c.Get(id); ok && !slices.Contains(got.Categories, "hosting") {
			t.Errorf("%s is a hosting co-op of section 7.2 but its categories are %v", id, got.Categories)
		}
	}
}

func TestRoadmapSpellingsShareAToolKey(t *testing.T) {
	// The roadmap writes "BigBlue-Button"; the atlas and the catalogue both
	// key names with atlas.ToolKey, which drops the punctuation.
	if a, b := atlas.ToolKey("BigBlue-Button"), atlas.ToolKey("BigBlueButton"); a != b {
		t.Errorf("ToolKey(BigBlue-Button) = %q, ToolKey(BigBlueButton) = %q; they must be one tool", a, b)
	}
	if got := atlas.ToolKey("Wiki.js"); got != "wikijs" {
		t.Errorf("ToolKey(Wiki.js) = %q, want wikijs", got)
	}
}

func TestCatalogueNamesBigTech(t *testing.T) {
	c := seedCatalogue(t)
	for _, name := range bigTechNames {
		got, ok := c.Find(name)
		switch {
		case !ok:
			t.Errorf("the big-tech product %q is not in the catalogue", name)
		case !got.BigTech:
			t.Errorf("%q (%s) is not marked big tech", name, got.ID)
		}
	}
	for _, bt := range c.BigTech() {
		if alts := c.Alternatives(bt.ID); len(alts) == 0 {
			t.Errorf("the big-tech product %s has no open alternative", bt.ID)
		} else {
			for _, a := range alts {
				if a.BigTech {
					t.Errorf("%s is offered as an alternative to %s but is big tech itself", a.ID, bt.ID)
				}
			}
		}
	}
}

func TestOpenTrinityEntriesAreBilingual(t *testing.T) {
	c := seedCatalogue(t)
	for _, tool := range c.Tools {
		if tool.BigTech || !slices.ContainsFunc(tool.Categories, func(cat string) bool { return slices.Contains(Trinity, cat) }) {
			continue
		}
		if tool.Description.NL == "" || tool.Description.EN == "" {
			t.Errorf("%s lacks a description in one language: %+v", tool.ID, tool.Description)
		}
	}
}

// TestOpenToolsHaveUses lists the open tools people use directly that the
// advisor cannot recommend because their entry names no uses.
func TestOpenToolsHaveUses(t *testing.T) {
	c := seedCatalogue(t)
	var missing []string
	for _, tool := range c.Tools {
		if tool.BigTech || tool.Kind == KindProtocol || slices.Contains(tool.Categories, "hosting") {
			continue
		}
		if len(tool.Uses) == 0 && slices.ContainsFunc(tool.Categories, func(cat string) bool { return cat != "sector" }) {
			missing = append(missing, tool.ID)
		}
	}
	if len(missing) > 0 {
		t.Errorf("open tools outside the sector category without uses (the advisor never picks them): %s", strings.Join(missing, ", "))
	}
}

func TestEveryEntryHasSourcesAndAValidLicence(t *testing.T) {
	c := seedCatalogue(t)
	for _, tool := range c.Tools {
		if len(tool.Sources) == 0 {
			t.Errorf("%s names no source for its facts", tool.ID)
		}
		if !ValidLicence(tool.Licence) {
			t.Errorf("%s: licence %q is not a valid SPDX expression", tool.ID, tool.Licence)
		}
		// Software the catalogue ships says under which terms it comes:
		// an SPDX expression, a LicenseRef- that its description explains,
		// or "proprietary". "Unknown" is for what people add themselves.
		if tool.Kind == "software" && tool.Licence == "" {
			t.Errorf("%s is software without a licence: find it, with its source, or mark it", tool.ID)
		}
		if tool.BigTech && tool.Licence != Proprietary && tool.Licence != "" {
			t.Errorf("%s is big tech with an open licence %q", tool.ID, tool.Licence)
		}
	}
}

func TestFindIgnoresCaseAndPunctuation(t *testing.T) {
	c := seedCatalogue(t)
	for _, s := range []string{"google-drive", "Google Drive", "GOOGLE DRIVE", "  google drive ", "Google-Drive", "googledrive"} {
		if got, ok := c.Find(s); !ok || got.ID != "google-drive" {
			t.Errorf("Find(%q) = %q, %v; want google-drive", s, got.ID, ok)
		}
	}
	for _, s := range []string{"", "   ", "-", "Google", "Drive", "not a tool at all"} {
		if got, ok := c.Find(s); ok {
			t.Errorf("Find(%q) found %s; want nothing", s, got.ID)
		}
	}
}

func TestHostersIncludeOffers(t *testing.T) {
	c := seedCatalogue(t)
	nextcloud, ok := c.Get("nextcloud")
	if !ok {
		t.Fatal("no nextcloud entry")
	}
	hosters := c.Hosters(nextcloud)
	for _, id := range []string{"disroot", "commonscloud"} {
		n := 0
		for _, h := range hosters {
			if h.Tool == id {
				n++
			}
		}
		if n != 1 {
			t.Errorf("Hosters(nextcloud) names %s %d times, want once: %+v", id, n, hosters)
		}
	}
	// Offers alone make a hoster, even when the tool's own entry does not
	// list it.
	tools := []Tool{
		{ID: "pad", Name: "Pad", Kind: KindSoftware, Categories: []string{"static"}, Description: Text{NL: "x", EN: "x"}},
		{ID: "host-coop", Name: "Host Coop", Kind: KindService, Categories: []string{"hosting"}, Offers: []string{"pad"}, Country: "BE",
			Hosting: []Hosting{{Name: "Host Coop", Tool: "host-coop", Membership: "yes"}}, Website: "https://host.example", Description: Text{NL: "x", EN: "x"}},
	}
	hc := NewCatalogue(tools)
	pad, _ := hc.Get("pad")
	got := hc.Hosters(pad)
	want := []Hosting{{Name: "Host Coop", Tool: "host-coop", Country: "BE", Membership: "yes", URL: "https://host.example"}}
	if !slices.Equal(got, want) {
		t.Errorf("Hosters(pad) = %+v, want %+v", got, want)
	}
}

func TestCheckFindsBrokenReferences(t *testing.T) {
	base := func() []Tool {
		return []Tool{
			{ID: "zoom", Name: "Zoom", Kind: KindService, BigTech: true, Categories: []string{"realtime"}, Description: Text{NL: "x", EN: "x"}},
			{ID: "jitsi", Name: "Jitsi", Kind: KindSoftware, Categories: []string{"realtime"}, Replaces: []string{"zoom"}, Description: Text{NL: "x", EN: "x"}},
		}
	}
	if err := NewCatalogue(base()).Check(); err != nil {
		t.Fatalf("a sound catalogue fails Check: %v", err)
	}
	cases := []struct {
		name   string
		change func([]Tool) []Tool
		want   string
	}{
		{"replaces an unknown product", func(ts []Tool) []Tool { ts[1].Replaces = []string{"skype"}; return ts }, "jitsi"},
		{"replaces an open tool", func(ts []Tool) []Tool {
			return append(ts, Tool{ID: "bbb", Name: "BBB", Kind: KindSoftware, Categories: []string{"realtime"}, Replaces: []string{"jitsi"}, Description: Text{NL: "x", EN: "x"}})
		}, "bbb"},
		{"offers an unknown tool", func(ts []Tool) []Tool {
			return append(ts, Tool{ID: "coop", Name: "Coop", Kind: KindService, Categories: []string{"hosting"}, Offers: []string{"nothing"}, Description: Text{NL: "x", EN: "x"}})
		}, "coop"},
		{"a name twice", func(ts []Tool) []Tool { ts[1].Aliases = []string{"ZOOM"}; return ts }, "the name"},
	}
	for _, tc := range cases {
		err := NewCatalogue(tc.change(base())).Check()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Check = %v, want an error naming %q", tc.name, err, tc.want)
		}
	}
}

func cloneTool(t Tool) Tool {
	t.Aliases = slices.Clone(t.Aliases)
	t.Categories = slices.Clone(t.Categories)
	t.Uses = slices.Clone(t.Uses)
	t.Replaces = slices.Clone(t.Replaces)
	t.Hosting = slices.Clone(t.Hosting)
	t.Offers = slices.Clone(t.Offers)
	t.Languages = slices.Clone(t.Languages)
	t.Traits = slices.Clone(t.Traits)
	t.Sources = slices.Clone(t.Sources)
	return t
}
