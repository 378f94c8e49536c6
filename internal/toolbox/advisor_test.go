package toolbox

import (
	"slices"
	"testing"
)

func advise(t *testing.T, c *Catalogue, w Wish) Advice {
	t.Helper()
	w.Normalize()
	if err := w.Validate(); err != nil {
		t.Fatalf("wish %+v is invalid: %v", w, err)
	}
	return Advise(c, w)
}

func pickFor(a Advice, use string) (Pick, bool) {
	for _, p := range a.Picks {
		if p.Use == use {
			return p, true
		}
	}
	return Pick{}, false
}

func TestAdviseCoversTheTrinity(t *testing.T) {
	c := handCatalogue(t)
	a := advise(t, c, Wish{Size: "10_50", Skills: "none", Budget: "low"})
	var uses []string
	for _, p := range a.Picks {
		uses = append(uses, p.Use)
		tool, ok := c.Get(p.Tool)
		if !ok || tool.BigTech || tool.Kind == KindProtocol || slices.Contains(tool.Categories, "hosting") {
			t.Errorf("%s: picked %s, want an open tool people use", p.Use, p.Tool)
		}
		for _, also := range p.Also {
			if x, _ := c.Get(also); x.BigTech {
				t.Errorf("%s: suggests big tech %s", p.Use, also)
			}
		}
	}
	if !slices.Equal(uses, []string{"chat", "mailing_list", "files"}) {
		t.Errorf("with no uses asked for, advice covers %v, want chat, mailing_list, files", uses)
	}
	// Reaching supporters adds a public tool.
	a = advise(t, c, Wish{Size: "10_50", Skills: "none", Budget: "low", Reach: []string{"supporters"}})
	if p, ok := pickFor(a, "social"); !ok || p.Tool != "mastodon" {
		t.Errorf("reaching supporters: %+v, want mastodon for social", a.Picks)
	}
	// A use no open tool covers is named as missing, not filled with big tech.
	a = advise(t, c, Wish{Size: "10_50", Skills: "none", Budget: "low", Uses: []string{"accounting", "chat"}})
	if !slices.Equal(a.Missing, []string{"accounting"}) || len(a.Picks) != 1 {
		t.Errorf("missing %v picks %+v, want accounting missing and chat picked", a.Missing, a.Picks)
	}
}

func TestAdviseRespectsGroupSize(t *testing.T) {
	c := handCatalogue(t)
	video := func(c *Catalogue, size string) Pick {
		t.Helper()
		p, ok := pickFor(advise(t, c, Wish{Size: size, Skills: "admin", Budget: "low", Uses: []string{"video"}}), "video")
		if !ok {
			t.Fatalf("no video pick for %s", size)
		}
		return p
	}
	if p := video(c, "50_250"); p.Tool != "bigbluebutton" || slices.Contains(p.Also, "jitsi") {
		t.Errorf("50-250 people: %+v, want bigbluebutton and not jitsi (the roadmap: jitsi for small groups)", p)
	}
	// Over 250 is outside both limits. With only those two, the advice still
	// names one (the bigger one), and does not suggest the other as well.
	if p := video(c, "over_250"); p.Tool != "bigbluebutton" || len(p.Also) != 0 {
		t.Errorf("over 250 people, jitsi and bigbluebutton only: %+v, want bigbluebutton alone", p)
	}
	// A video tool without a known limit beats both.
	tools := append(handTools(), Tool{ID: "galene", Name: "Galène", Kind: KindSoftware, Categories: []string{"realtime"},
		Uses: []string{"video"}, SelfHostable: "yes", Description: Text{NL: "Galène", EN: "Galène"}})
	big := NewCatalogue(tools)
	if p := video(big, "over_250"); p.Tool != "galene" || slices.Contains(p.Also, "jitsi") || slices.Contains(p.Also, "bigbluebutton") {
		t.Errorf("over 250 people: %+v, want galene, with no tool outside its size as an also", p)
	}
	if p := video(big, "under_10"); p.Tool == "galene" {
		t.Errorf("under 10 people: %+v, want a tool the roadmap recommends for small groups", p)
	}
}

func TestAdviseReusesATool(t *testing.T) {
	c := handCatalogue(t)
	a := advise(t, c, Wish{Size: "under_10", Skills: "none", Budget: "low", Uses: []string{"files", "tasks"}})
	for _, use := range []string{"files", "tasks"} {
		if p, _ := pickFor(a, use); p.Tool != "nextcloud" {
			t.Errorf("%s: %s, want nextcloud, already picked for files", use, p.Tool)
		}
	}
	// CryptPad does documents as well as Nextcloud does, and comes first
	// in the catalogue; Nextcloud does files too. A group that asks for
	// both should get one tool, not two.
	tools := handTools()
	for i := range tools {
		if tools[i].ID == "free-host" {
			tools[i].Offers = append(tools[i].Offers, "cryptpad")
		}
	}
	c = NewCatalogue(tools)
	a = advise(t, c, Wish{Size: "under_10", Skills: "none", Budget: "low", Uses: []string{"documents", "files"}})
	for _, use := range []string{"documents", "files"} {
		if p, _ := pickFor(a, use); p.Tool != "nextcloud" {
			t.Errorf("%s: %s, want nextcloud, which covers both documents and files (the advisor decides documents before it knows files is wanted)", use, p.Tool)
		}
	}
	if a.Cost.Max > costMembership.Max {
		t.Errorf("documents and files cost up to %d a month, want one hosted tool (at most %d)", a.Cost.Max, costMembership.Max)
	}
}

func TestAdviseFollowsSkills(t *testing.T) {
	c := handCatalogue(t)
	admin := advise(t, c, Wish{Size: "10_50", Skills: "admin", Budget: "low", Uses: []string{"files"}})
	p, ok := pickFor(admin, "files")
	if !ok || p.Tool != "nextcloud" || len(p.Options) == 0 || p.Options[0].Way != "self" {
		t.Errorf("skills admin: %+v, want nextcloud self-hosted first", p)
	}
	if len(p.Options) < 2 {
		t.Errorf("skills admin: options %+v, want the hosted ones too", p.Options)
	}
	none := advise(t, c, Wish{Size: "10_50", Skills: "none", Budget: "low", Uses: []string{"files"}})
	p, _ = pickFor(none, "files")
	if len(p.Options) == 0 || p.Options[0].Way != "hosted" || !slices.Contains([]string{"coop-host", "free-host"}, p.Options[0].HostID) {
		t.Errorf("skills none: options %+v, want a co-operative or non-profit hoster first", p.Options)
	}
	if last := p.Options[len(p.Options)-1]; last.Way != "self" {
		t.Errorf("skills none: self-hosting is not last: %+v", p.Options)
	}
	for _, o := range p.Options {
		if o.HostID == "corp-host" {
			t.Errorf("a corporate hoster is offered: %+v", o)
		}
	}
	// Without anyone to run a server, a tool with no hoster is not picked
	// over one with a co-op hoster.
	chat := advise(t, c, Wish{Size: "10_50", Skills: "none", Budget: "low", Uses: []string{"chat"}})
	if p, _ := pickFor(chat, "chat"); p.Tool != "signal" {
		t.Errorf("skills none, chat: %s, want signal (nothing to run)", p.Tool)
	}
}

// TestAdviseBudgetNone: a group with no money should first be shown a
// hoster that lives on donations, not one that asks a membership fee.
func TestAdviseBudgetNone(t *testing.T) {
	c := handCatalogue(t)
	a := advise(t, c, Wish{Size: "10_50", Skills: "none", Budget: "none", Uses: []string{"files"}})
	p, _ := pickFor(a, "files")
	if len(p.Options) == 0 || p.Options[0].HostID != "free-host" || p.Options[0].Cost != costDonation {
		t.Errorf("budget none: first option %+v, want free-host (no membership, %v); the wish's budget is not used by Advise", p.Options, costDonation)
	}
	if a.OverBudget {
		t.Errorf("budget none with a free hoster: over budget (cost %+v)", a.Cost)
	}
	// Mastodon is hosted only by a co-op that asks a fee: over a budget of
	// nothing, not over a high one.
	if a := advise(t, c, Wish{Size: "10_50", Skills: "none", Budget: "none", Uses: []string{"files", "social"}}); !a.OverBudget {
		t.Errorf("budget none, a paid hoster: cost %+v not over budget", a.Cost)
	}
	if a := advise(t, c, Wish{Size: "10_50", Skills: "none", Budget: "high", Uses: []string{"files", "social"}}); a.OverBudget {
		t.Errorf("budget high: cost %+v over budget", a.Cost)
	}
}

func TestAdviseCountsOneServer(t *testing.T) {
	c := handCatalogue(t)
	a := advise(t, c, Wish{Size: "under_10", Skills: "admin", Budget: "low", Uses: []string{"chat", "video", "files"}})
	self := 0
	for _, p := range a.Picks {
		if len(p.Options) > 0 && p.Options[0].Way == "self" {
			self++
		}
	}
	if self < 2 {
		t.Fatalf("picks %+v: want several self-hosted", a.Picks)
	}
	want := Cost{}
	for _, p := range a.Picks {
		if o := p.Options[0]; o.Way == "hosted" {
			want.Min += o.Cost.Min
			want.Max += o.Cost.Max
		}
	}
	want.Min += costServer.Min
	want.Max += costServer.Max
	if a.Cost != want {
		t.Errorf("cost %+v for %d self-hosted picks, want %+v (one server)", a.Cost, self, want)
	}
}

func TestWishValidate(t *testing.T) {
	var w Wish
	w.Normalize()
	f := fields(w.Validate())
	for _, field := range []string{"size", "skills", "budget"} {
		if f[field] != "required" {
			t.Errorf("empty wish: %s = %q, want required", field, f[field])
		}
	}
	w = Wish{Size: "huge", Skills: "admin", Budget: "none", Uses: []string{"chat", "mining"}, Reach: []string{"world"}}
	w.Normalize()
	f = fields(w.Validate())
	want := map[string]string{"size": "choice.unknown", "uses": "choice.unknown", "reach": "choice.unknown"}
	if len(f) != len(want) {
		t.Errorf("fields %v, want %v", f, want)
	}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %q, want %q", k, f[k], v)
		}
	}
	w = Wish{Size: " Over_250 ", Skills: "ADMIN", Budget: "none", Uses: []string{"Chat"}}
	w.Normalize()
	if err := w.Validate(); err != nil {
		t.Errorf("a good wish fails: %v", err)
	}
}
