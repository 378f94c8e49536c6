package toolbox

import (
	"slices"
	"strings"
	"testing"

	"samen/internal/problem"
)

// handTools is a small catalogue made for the rule tests, so they do not
// change when stewards edit the seed.
func handTools() []Tool {
	open := func(id, name string, cats []string, uses []string, replaces ...string) Tool {
		return Tool{ID: id, Name: name, Kind: KindSoftware, Categories: cats, Uses: uses, Replaces: replaces,
			SelfHostable: "yes", Description: Text{NL: name, EN: name}}
	}
	big := func(id, name, country string, cats []string, uses []string, traits ...string) Tool {
		return Tool{ID: id, Name: name, Kind: KindService, BigTech: true, Categories: cats, Uses: uses, Traits: traits,
			Country: country, Licence: Proprietary, SelfHostable: "no", Governance: "corporate", Description: Text{NL: name, EN: name}}
	}
	nextcloud := open("nextcloud", "Nextcloud", []string{"static", "collaboration"}, []string{"files", "documents", "tasks"}, "google-drive")
	nextcloud.Governance = "open_source_company"
	cryptpad := open("cryptpad", "CryptPad", []string{"static", "collaboration"}, []string{"documents"}, "google-drive")
	cryptpad.Governance = "open_source_company"
	element := open("element", "Element", []string{"realtime"}, []string{"chat"}, "whatsapp", "zoom")
	element.Aliases = []string{"matrix/Element"}
	signal := open("signal", "Signal", []string{"realtime"}, []string{"chat"}, "whatsapp")
	signal.SelfHostable, signal.Governance = "no", "foundation"
	jitsi := open("jitsi", "Jitsi", []string{"realtime"}, []string{"video"}, "zoom")
	bbb := open("bigbluebutton", "BigBlueButton", []string{"realtime"}, []string{"video"}, "zoom")
	mastodon := open("mastodon", "Mastodon", []string{"public"}, []string{"social"}, "facebook")
	mailman := open("gnu-mailman", "GNU Mailman", []string{"async"}, []string{"mailing_list"}, "mailchimp")
	mailman.Governance = "foundation"
	members := open("open-members", "Open Members", []string{"business"}, []string{"members"}, "excel-member-list")
	members.Traits, members.Country = []string{"member_data"}, "NL"
	swiss := open("swiss-members", "Swiss Members", []string{"business"}, []string{"members"})
	swiss.Traits, swiss.Country = []string{"member_data"}, "CH"
	nowhere := open("some-members", "Some Members", []string{"business"}, []string{"members"})
	nowhere.Traits = []string{"member_data"}
	return []Tool{
		big("google-drive", "Google Drive", "US", []string{"static", "collaboration"}, []string{"files", "documents"}, "link_sharing", "member_data"),
		big("excel-member-list", "Excel member list", "US", []string{"business"}, []string{"members"}, "spreadsheet", "member_data"),
		big("mailchimp", "Mailchimp", "US", []string{"async"}, []string{"newsletter"}, "marketing_tracking", "member_data"),
		big("whatsapp", "WhatsApp", "US", []string{"realtime"}, []string{"chat"}, "phone_numbers"),
		big("facebook", "Facebook", "US", []string{"public", "async"}, []string{"social"}, "ad_funded"),
		big("zoom", "Zoom", "US", []string{"realtime"}, []string{"video"}),
		nextcloud, cryptpad, element, signal, jitsi, bbb, mastodon, mailman, members, swiss, nowhere,
		{ID: "matrix", Name: "Matrix", Kind: KindProtocol, Categories: []string{"infrastructure", "realtime"}, Description: Text{NL: "Matrix", EN: "Matrix"}},
		{ID: "coop-host", Name: "Coop Host", Kind: KindService, Categories: []string{"hosting"}, Governance: "cooperative", Country: "ES",
			Offers: []string{"nextcloud", "mastodon", "bigbluebutton"}, Hosting: []Hosting{{Name: "Coop Host", Tool: "coop-host", Membership: "yes"}},
			Description: Text{NL: "A co-op", EN: "A co-op"}},
		{ID: "free-host", Name: "Free Host", Kind: KindService, Categories: []string{"hosting"}, Governance: "foundation", Country: "NL",
			Offers: []string{"nextcloud"}, Hosting: []Hosting{{Name: "Free Host", Tool: "free-host", Membership: "no"}},
			Description: Text{NL: "A foundation", EN: "A foundation"}},
		{ID: "corp-host", Name: "Corp Host", Kind: KindService, Categories: []string{"hosting"}, Governance: "corporate", Country: "US",
			Offers: []string{"cryptpad", "element"}, Description: Text{NL: "A company", EN: "A company"}},
	}
}

func handCatalogue(t *testing.T) *Catalogue {
	t.Helper()
	c := NewCatalogue(handTools())
	if err := c.Check(); err != nil {
		t.Fatalf("the hand-built catalogue is broken: %v", err)
	}
	return c
}

func n(i int) *int { return &i }

func runScan(t *testing.T, c *Catalogue, tools []string, a Answers) Report {
	t.Helper()
	in := ScanInput{Tools: tools, Answers: a}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatalf("scan input %v %+v is invalid: %v", tools, a, err)
	}
	return Scan(c, in)
}

func riskIDs(r Report) []string {
	var out []string
	for _, x := range r.Risks {
		out = append(out, x.ID)
	}
	slices.Sort(out)
	return out
}

func TestScanRules(t *testing.T) {
	c := handCatalogue(t)
	nc := []string{"nextcloud"}
	cases := []struct {
		name  string
		tools []string
		a     Answers
		want  []string
	}{
		// link_shared_member_data: member data in a document anyone with the link opens.
		{"link-shared member data", nc, Answers{MemberData: "shared_document", Access: "anyone_with_link"}, []string{"link_shared_member_data"}},
		{"shared document, named people", nc, Answers{MemberData: "shared_document", Access: "named_people"}, nil},
		{"shared document, core team", nc, Answers{MemberData: "shared_document", Access: "core_team"}, nil},
		{"shared document, access unanswered", nc, Answers{MemberData: "shared_document"}, nil},
		{"member system open to the link", nc, Answers{MemberData: "member_system", Access: "anyone_with_link"}, nil},
		{"link-sharing tool, no answers", []string{"Google Drive", "Nextcloud"}, Answers{}, []string{"member_data_outside_eea"}},
		// spreadsheet_member_list: the answer, or a spreadsheet product.
		{"spreadsheet answer", nc, Answers{MemberData: "spreadsheet_file"}, []string{"spreadsheet_member_list"}},
		{"spreadsheet open to the link", nc, Answers{MemberData: "spreadsheet_file", Access: "anyone_with_link"}, []string{"spreadsheet_member_list"}},
		{"spreadsheet product", []string{"Excel member list", "Open Members"}, Answers{}, []string{"member_data_outside_eea", "spreadsheet_member_list"}},
		{"member system", nc, Answers{MemberData: "member_system"}, nil},
		{"paper", nc, Answers{MemberData: "paper"}, nil},
		// member_data_outside_eea: a member-data tool run from outside the EEA.
		{"member data in CH", []string{"Swiss Members"}, Answers{}, []string{"member_data_outside_eea"}},
		{"member data in NL", []string{"Open Members"}, Answers{}, nil},
		{"member data, country unknown", []string{"Some Members"}, Answers{}, nil},
		{"no member data, US", []string{"Zoom", "Element"}, Answers{}, nil},
		// marketing_tracking
		{"mailchimp", []string{"Mailchimp", "GNU Mailman"}, Answers{}, []string{"marketing_tracking", "member_data_outside_eea"}},
		{"mailman", []string{"GNU Mailman"}, Answers{}, nil},
		// phone_numbers_shared
		{"whatsapp beside element", []string{"WhatsApp", "Element"}, Answers{}, []string{"phone_numbers_shared"}},
		{"signal", []string{"Signal"}, Answers{}, nil},
		// ad_funded
		{"facebook beside mastodon and mailman", []string{"Facebook", "Mastodon", "GNU Mailman"}, Answers{}, []string{"ad_funded"}},
		{"mastodon", []string{"Mastodon"}, Answers{}, nil},
		// backups
		{"no backups", nc, Answers{Backups: "no"}, []string{"no_backups"}},
		{"backups unknown", nc, Answers{Backups: "unknown"}, []string{"backups_unknown"}},
		{"backups untested", nc, Answers{Backups: "yes"}, []string{"backups_untested"}},
		{"backups tested", nc, Answers{Backups: "tested"}, nil},
		{"backups unanswered", nc, Answers{}, nil},
		// maintainers
		{"no maintainer", nc, Answers{Maintainers: n(0)}, []string{"no_maintainer"}},
		{"one maintainer", nc, Answers{Maintainers: n(1)}, []string{"single_maintainer"}},
		{"two maintainers", nc, Answers{Maintainers: n(2)}, nil},
		{"maintainers unanswered", nc, Answers{Maintainers: nil}, nil},
		// big_tech_only: a category resting on big tech alone.
		{"zoom only", []string{"Zoom"}, Answers{}, []string{"big_tech_only"}},
		{"zoom beside jitsi", []string{"Zoom", "Jitsi"}, Answers{}, nil},
		{"protocol beside zoom", []string{"Zoom", "Matrix"}, Answers{}, nil},
		// reach_gap: a group to reach without a tool that reaches it.
		{"supporters without public tool", nc, Answers{Reach: []string{"supporters"}}, []string{"reach_gap"}},
		{"supporters with mastodon", []string{"Mastodon"}, Answers{Reach: []string{"supporters"}}, nil},
		{"members with mailman", []string{"GNU Mailman"}, Answers{Reach: []string{"members"}}, nil},
		{"contributors with nextcloud only", nc, Answers{Reach: []string{"contributors"}}, []string{"reach_gap"}},
		{"contributors with mailman only", []string{"GNU Mailman"}, Answers{Reach: []string{"contributors"}}, []string{"reach_gap"}},
		{"core team with mailman", []string{"GNU Mailman"}, Answers{Reach: []string{"core_team"}}, []string{"reach_gap"}},
		{"core team with element", []string{"Element"}, Answers{Reach: []string{"core_team"}}, nil},
		{"everyone, nothing reaches", []string{"Coop Host"}, Answers{Reach: Groups}, []string{"reach_gap", "reach_gap", "reach_gap", "reach_gap", "reach_gap"}},
		{"nothing to say", nc, Answers{}, nil},
		{"only unknown tools", []string{"Our own server"}, Answers{}, nil},
	}
	for _, tc := range cases {
		r := runScan(t, c, tc.tools, tc.a)
		got := riskIDs(r)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: risks %v, want %v", tc.name, got, want)
		}
	}
}

func TestScanRiskDetails(t *testing.T) {
	c := handCatalogue(t)
	find := func(r Report, id string) Risk {
		for _, x := range r.Risks {
			if x.ID == id {
				return x
			}
		}
		t.Fatalf("no %s risk in %+v", id, r.Risks)
		return Risk{}
	}
	r := runScan(t, c, []string{"Google Drive", "Nextcloud"}, Answers{MemberData: "shared_document", Access: "anyone_with_link"})
	if x := find(r, "link_shared_member_data"); !slices.Equal(x.Tools, []string{"google-drive"}) || x.Severity != High || x.Kind != "gdpr" {
		t.Errorf("link_shared_member_data = %+v, want high gdpr about google-drive", x)
	}
	r = runScan(t, c, []string{"Zoom"}, Answers{})
	if x := find(r, "big_tech_only"); x.Category != "realtime" || !slices.Equal(x.Tools, []string{"zoom"}) {
		t.Errorf("big_tech_only = %+v, want realtime about zoom", x)
	}
	r = runScan(t, c, []string{"Nextcloud"}, Answers{Reach: []string{"supporters"}})
	if x := find(r, "reach_gap"); x.Category != "public" || x.Group != "supporters" {
		t.Errorf("reach_gap = %+v, want public for supporters", x)
	}
	// Facebook is both public and async: with Mastodon beside it the public
	// side is partial, the async side still rests on Facebook alone.
	r = runScan(t, c, []string{"Facebook", "Mastodon"}, Answers{})
	if x := find(r, "big_tech_only"); x.Category != "async" {
		t.Errorf("big_tech_only = %+v, want async", x)
	}
	for _, d := range r.Dependence {
		want := map[string]string{"public": "partial", "async": "full"}[d.Category]
		if d.Level != want {
			t.Errorf("dependence %s = %s, want %s", d.Category, d.Level, want)
		}
	}
	for i := 1; i < len(r.Risks); i++ {
		if r.Risks[i-1].Severity < r.Risks[i].Severity {
			t.Errorf("risks not ordered by severity: %+v", r.Risks)
		}
	}
}

func TestScanPlan(t *testing.T) {
	c := handCatalogue(t)
	r := runScan(t, c, []string{"Google Drive", "WhatsApp", "Facebook"}, Answers{
		MemberData: "shared_document", Access: "anyone_with_link", Backups: "no", Maintainers: n(1),
	})
	if len(r.Plan) == 0 || r.Plan[0].Action != "close_link" {
		t.Fatalf("the plan does not start by closing the link: %+v", r.Plan)
	}
	for i := 1; i < len(r.Plan); i++ {
		a, b := r.Plan[i-1], r.Plan[i]
		if a.Risk < b.Risk || a.Risk == b.Risk && a.Effort > b.Effort {
			t.Errorf("step %d (%s %s, risk %d effort %d) before step %d (%s %s, risk %d effort %d)",
				i-1, a.Action, a.Tool, a.Risk, a.Effort, i, b.Action, b.Tool, b.Risk, b.Effort)
		}
	}
	var order []string
	steps := map[string]Step{}
	for _, s := range r.Plan {
		order = append(order, strings.TrimSuffix(s.Action+":"+s.Tool, ":"))
		steps[s.Action+":"+s.Tool] = s
	}
	want := []string{"close_link", "backups", "second_maintainer", "replace:google-drive", "replace:facebook", "replace:whatsapp"}
	if !slices.Equal(order, want) {
		t.Errorf("plan %v, want %v", order, want)
	}
	drive := steps["replace:google-drive"]
	if !slices.Equal(drive.Alternatives, []string{"nextcloud", "cryptpad"}) {
		t.Errorf("alternatives to google-drive %v, want nextcloud (hosted by co-ops) before cryptpad", drive.Alternatives)
	}
	var hosters []string
	for _, h := range drive.Hosters {
		hosters = append(hosters, h.Tool)
	}
	slices.Sort(hosters)
	if !slices.Equal(hosters, []string{"coop-host", "free-host"}) {
		t.Errorf("hosters for google-drive %v, want the co-op and the foundation, not the company", hosters)
	}
	if drive.Risk != High || drive.Effort != High {
		t.Errorf("moving member data off a link-shared drive: risk %d effort %d, want high and high", drive.Risk, drive.Effort)
	}
	if fb := steps["replace:facebook"]; !slices.Contains(fb.Samen, "atlas") || !slices.Equal(fb.Alternatives, []string{"mastodon"}) {
		t.Errorf("replacing facebook: %+v, want mastodon and samen's atlas", fb)
	}
	if wa := steps["replace:whatsapp"]; len(wa.Samen) != 0 || !slices.Contains(wa.Alternatives, "signal") || !slices.Contains(wa.Alternatives, "element") {
		t.Errorf("replacing whatsapp: %+v, want signal and element and no part of samen", wa)
	}

	// A group that nothing reaches gets an "add" step naming open tools,
	// never a protocol or a hoster.
	r = runScan(t, c, []string{"Nextcloud"}, Answers{Reach: []string{"core_team"}})
	if len(r.Plan) != 1 || r.Plan[0].Action != "add" || r.Plan[0].Category != "realtime" {
		t.Fatalf("plan %+v, want one add step for realtime", r.Plan)
	}
	if alts := r.Plan[0].Alternatives; slices.Contains(alts, "matrix") || slices.Contains(alts, "whatsapp") || !slices.Contains(alts, "element") {
		t.Errorf("add realtime: alternatives %v, want open tools only", alts)
	}
	// Nothing wrong: nothing to do.
	if r := runScan(t, c, []string{"Nextcloud"}, Answers{Backups: "tested", Maintainers: n(3)}); len(r.Plan) != 0 || len(r.Risks) != 0 {
		t.Errorf("a sound setup gets risks %+v and plan %+v", r.Risks, r.Plan)
	}
}

func TestScanTools(t *testing.T) {
	c := handCatalogue(t)
	r := runScan(t, c, []string{"Google Drive", "Our own server", "google-drive", "GOOGLE DRIVE", "matrix/Element", "Zoom"}, Answers{})
	if !slices.Equal(r.Tools, []string{"google-drive", "element", "zoom"}) {
		t.Errorf("tools %v, want google-drive, element, zoom once each", r.Tools)
	}
	if !slices.Equal(r.Unknown, []string{"Our own server"}) {
		t.Errorf("unknown %v, want the typed name", r.Unknown)
	}
	if r.BigTech != 2 {
		t.Errorf("big tech %d, want 2 (the drive typed three times counts once)", r.BigTech)
	}
	n := 0
	for _, s := range r.Plan {
		if s.Tool == "google-drive" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d steps replace google-drive, want 1", n)
	}
}

func TestDecodeScan(t *testing.T) {
	cases := []struct {
		body, field, code string
	}{
		{`{"tools":["x"],"answers":{"colour":1}}`, "answers.colour", "json.unknown_field"},
		{`{"tools":"x"}`, "tools", "json.wrong_type"},
		{`{"tools":["x"],"answers":{"maintainers":"two"}}`, "answers.maintainers", "json.wrong_type"},
		{`{"tools":["x"],"colour":1}`, "colour", "json.unknown_field"},
	}
	for _, tc := range cases {
		_, err := DecodeScan(strings.NewReader(tc.body))
		if f := fields(err); f[tc.field] != tc.code {
			t.Errorf("DecodeScan(%s): %v, want %s: %s", tc.body, err, tc.field, tc.code)
		}
	}
	// A body that is not a scan at all has no field to name; it gets the
	// API's codes for JSON bodies.
	for body, code := range map[string]string{
		`{"tools":["x"]`:     "json.malformed",
		`{"tools":["x"]} {}`: "json.malformed",
		`["x"]`:              "json.malformed",
		`42`:                 "json.malformed",
		``:                   "json.empty",
	} {
		_, err := DecodeScan(strings.NewReader(body))
		if p, ok := problem.As(err); !ok || p.Code != code || len(p.Fields) != 0 {
			t.Errorf("DecodeScan(%q): %v, want %s without fields", body, err, code)
		}
	}
	in, err := DecodeScan(strings.NewReader(`{"tools":["Google Drive"," WhatsApp ",""],"answers":{"backups":"No","maintainers":1,"reach":["members"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatalf("a good scan fails: %v", err)
	}
	if !slices.Equal(in.Tools, []string{"Google Drive", "WhatsApp"}) || in.Answers.Backups != "no" || *in.Answers.Maintainers != 1 {
		t.Errorf("decoded %+v", in)
	}
	if _, err := DecodeScan(strings.NewReader(`{"tools":["` + strings.Repeat("x", maxScanBodySize) + `"]}`)); fields(err) != nil || err == nil {
		t.Errorf("a too large body: %v, want a too_large problem", err)
	}
}

func TestScanValidate(t *testing.T) {
	cases := []struct {
		name        string
		in          ScanInput
		field, code string
	}{
		{"no tools", ScanInput{}, "tools", "tools.required"},
		{"only blank tools", ScanInput{Tools: []string{" ", ""}}, "tools", "tools.required"},
		{"backups maybe", ScanInput{Tools: []string{"x"}, Answers: Answers{Backups: "maybe"}}, "answers.backups", "choice.unknown"},
		{"member data on the moon", ScanInput{Tools: []string{"x"}, Answers: Answers{MemberData: "moon"}}, "answers.member_data", "choice.unknown"},
		{"access for all", ScanInput{Tools: []string{"x"}, Answers: Answers{Access: "all"}}, "answers.access", "choice.unknown"},
		{"maintainers -1", ScanInput{Tools: []string{"x"}, Answers: Answers{Maintainers: n(-1)}}, "answers.maintainers", "number.out_of_range"},
		{"reach the world", ScanInput{Tools: []string{"x"}, Answers: Answers{Reach: []string{"world"}}}, "answers.reach", "choice.unknown"},
		{"a long name", ScanInput{Tools: []string{strings.Repeat("x", 81)}}, "tools", "too_long"},
	}
	for _, tc := range cases {
		tc.in.Normalize()
		f := fields(tc.in.Validate())
		if f[tc.field] != tc.code || len(f) != 1 {
			t.Errorf("%s: fields %v, want only %s: %s", tc.name, f, tc.field, tc.code)
		}
	}
	cost := -1.0
	in := ScanInput{Tools: []string{"x"}, Answers: Answers{MonthlyCost: &cost}}
	if f := fields(in.Validate()); f["answers.monthly_cost"] != "number.out_of_range" {
		t.Errorf("negative cost: %v", f)
	}
}
