package toolbox

import (
	"slices"

	"samen/internal/problem"
)

// The stack advisor's questions.
var (
	Sizes   = []string{"under_10", "10_50", "50_250", "over_250"}
	Skills  = []string{"none", "some", "admin"} // nobody technical; someone handy; someone who can run a server
	Budgets = []string{"none", "low", "medium", "high"}
)

// Wish is what an initiative tells the advisor.
type Wish struct {
	Size   string   `json:"size"`
	Uses   []string `json:"uses"`
	Skills string   `json:"skills"`
	Budget string   `json:"budget"`
	Reach  []string `json:"reach,omitempty"`
}

// Normalize trims the wish's choices.
func (w *Wish) Normalize() {
	w.Size, w.Skills, w.Budget = lower(w.Size), lower(w.Skills), lower(w.Budget)
	w.Uses, w.Reach = list(w.Uses, lower), list(w.Reach, lower)
}

// Validate names every wrong or missing answer.
func (w *Wish) Validate() error {
	f := problem.Fields{}
	for field, c := range map[string]struct {
		v    string
		list []string
	}{"size": {w.Size, Sizes}, "skills": {w.Skills, Skills}, "budget": {w.Budget, Budgets}} {
		switch {
		case c.v == "":
			f.Add(field, "required")
		case !slices.Contains(c.list, c.v):
			f.Add(field, "choice.unknown")
		}
	}
	for _, u := range w.Uses {
		if !slices.Contains(Uses, u) {
			f.Add("uses", "choice.unknown")
		}
	}
	for _, g := range w.Reach {
		if !slices.Contains(Groups, g) {
			f.Add("reach", "choice.unknown")
		}
	}
	return f.Err()
}

// Cost is a rough monthly cost in euros.
type Cost struct{ Min, Max int }

// samen's rough estimates, not quotes: what a small organisation pays a
// month. A co-operative that serves members asks a membership fee; a
// non-profit that serves anyone lives on donations; one small virtual
// server runs several self-hosted tools.
var (
	costMembership = Cost{5, 25}
	costDonation   = Cost{0, 10}
	costServer     = Cost{5, 20}
)

// Option is one way to run a picked tool.
type Option struct {
	// Way is "hosted" (by Host), "self" (on your own server) or
	// "service" (use the service its own organisation runs, Host).
	Way     string `json:"way"`
	Host    string `json:"host,omitempty"`
	HostID  string `json:"host_id,omitempty"`
	Country string `json:"country,omitempty"`
	Cost    Cost   `json:"cost"`
	// CostKnown is false when samen has no estimate: ask the provider.
	CostKnown bool `json:"cost_known"`
}

// Pick is the advisor's choice for one use.
type Pick struct {
	Use     string   `json:"use"`
	Tool    string   `json:"tool"`
	Also    []string `json:"also,omitempty"` // other good choices
	Options []Option `json:"options"`
}

// Advice is a coherent set of tools.
type Advice struct {
	Picks []Pick `json:"picks"`
	// Missing lists uses no open tool in the catalogue covers.
	Missing []string `json:"missing"`
	// Cost is the rough monthly total of the first option of each
	// distinct tool, counting one server for everything self-hosted.
	Cost Cost `json:"cost"`
	// CostIncomplete says some picks have no estimate and are not in Cost.
	CostIncomplete bool `json:"cost_incomplete"`
	// OverBudget says even the low end of Cost is above the budget.
	OverBudget bool `json:"over_budget"`
}

// budgetCaps are the most a month each budget answer allows, in euros;
// "high" has no cap.
var budgetCaps = map[string]int{"none": 0, "low": 25, "medium": 100}

// sizeLimits are the group sizes the roadmap gives for some tools:
// Jitsi for small groups, BigBlueButton up to 200 participants, Loomio
// for groups of about 10 to 1000 (appendix II, tables 2 and 6).
var sizeLimits = map[string][]string{
	"jitsi":         {"under_10", "10_50"},
	"bigbluebutton": {"under_10", "10_50", "50_250"},
	"loomio":        {"10_50", "50_250", "over_250"},
}

// wishUses are the uses the advice must cover: those asked for, the
// trinity's basics, and what the groups to reach need.
func (w Wish) wishUses() []string {
	uses := slices.Clone(w.Uses)
	add := func(u string) {
		if !slices.Contains(uses, u) {
			uses = append(uses, u)
		}
	}
	if len(uses) == 0 {
		for _, u := range []string{"chat", "mailing_list", "files"} {
			add(u)
		}
	}
	for _, g := range w.Reach {
		for _, cat := range groupNeeds[g] {
			if !slices.ContainsFunc(uses, func(u string) bool { return UseCategory[u] == cat }) {
				add(map[string]string{"realtime": "chat", "async": "mailing_list", "static": "files", "public": "social"}[cat])
			}
		}
	}
	// Keep the catalogue's order of uses, so the advice reads the same way
	// however the boxes were ticked.
	var out []string
	for _, u := range Uses {
		if slices.Contains(uses, u) {
			out = append(out, u)
		}
	}
	return out
}

// Advise recommends a set of open tools for a valid wish. It prefers, in
// order: tools that fit the group's size, tools already picked for
// another use (fewer tools to learn), tools a co-operative or non-profit
// hoster runs (or that can be self-hosted, when someone can run a
// server), and hosters already used.
func Advise(c *Catalogue, w Wish) Advice {
	a := Advice{Picks: []Pick{}, Missing: []string{}}
	var picked, hosts []string
	uses := w.wishUses()
	for _, use := range uses {
		var cands []Tool
		for _, t := range c.Tools {
			// Sector tools serve one sector the wish does not name;
			// the catalogue lists them by sector instead.
			if !t.BigTech && t.Kind != KindProtocol && slices.Contains(t.Uses, use) &&
				!slices.Contains(t.Categories, "hosting") && !slices.Contains(t.Categories, "sector") {
				cands = append(cands, t)
			}
		}
		if len(cands) == 0 {
			a.Missing = append(a.Missing, use)
			continue
		}
		score := func(t Tool) int {
			s := 0
			if fit, ok := sizeLimits[t.ID]; ok {
				if slices.Contains(fit, w.Size) {
					s += 8
				} else {
					s -= 20
				}
			}
			if slices.Contains(picked, t.ID) {
				s += 6
			}
			// A tool that also covers uses still to come saves learning
			// another one later.
			for _, u := range uses {
				if u != use && slices.Contains(t.Uses, u) {
					s += 3
					break
				}
			}
			hosted := c.friendlyHosters([]Tool{t})
			switch {
			case len(hosted) > 0:
				s += 4
			case t.Kind == KindService:
				s += 2
			case t.SelfHostable == "yes" && w.Skills == "admin":
				s += 3
			}
			if slices.ContainsFunc(hosted, func(h Hosting) bool { return slices.Contains(hosts, h.Tool) }) {
				s += 2
			}
			if slices.Contains([]string{"cooperative", "association", "foundation"}, t.Governance) {
				s++
			}
			return s
		}
		slices.SortStableFunc(cands, func(x, y Tool) int { return score(y) - score(x) })
		best := cands[0]
		p := Pick{Use: use, Tool: best.ID, Options: options(c, best, w)}
		for _, t := range cands[1:] {
			if len(p.Also) < 2 && score(t) > -10 {
				p.Also = append(p.Also, t.ID)
			}
		}
		if !slices.Contains(picked, best.ID) {
			picked = append(picked, best.ID)
			if len(p.Options) > 0 && p.Options[0].HostID != "" {
				hosts = append(hosts, p.Options[0].HostID)
			}
		}
		a.Picks = append(a.Picks, p)
	}
	a.Cost, a.CostIncomplete = total(a.Picks)
	if limit, ok := budgetCaps[w.Budget]; ok && a.Cost.Min > limit {
		a.OverBudget = true
	}
	return a
}

// options lists how a tool can be run: by friendly hosters, then on one's
// own server. Without anyone who can run a server, self-hosting comes
// last.
func options(c *Catalogue, t Tool, w Wish) []Option {
	var out []Option
	for _, h := range c.friendlyHosters([]Tool{t}) {
		cost := costDonation
		if h.Membership == "yes" {
			cost = costMembership
		}
		out = append(out, Option{Way: "hosted", Host: h.Name, HostID: h.Tool, Country: h.Country, Cost: cost, CostKnown: true})
	}
	// A service its own organisation runs (Signal's network, a hosted
	// platform): non-profits live on donations; for others samen has no
	// estimate.
	if len(out) == 0 && t.SelfHostable != "yes" {
		o := Option{Way: "service", Host: firstNonEmpty(t.Steward, t.Name), Country: t.Country}
		if t.Governance == "foundation" || t.Governance == "association" {
			o.Cost, o.CostKnown = costDonation, true
		}
		out = append(out, o)
	}
	// Without money, the cheapest hosted option comes first.
	if w.Budget == "none" {
		slices.SortStableFunc(out, func(x, y Option) int { return x.Cost.Min - y.Cost.Min })
	}
	if t.SelfHostable == "yes" {
		self := Option{Way: "self", Cost: costServer, CostKnown: true}
		if w.Skills == "admin" {
			out = append([]Option{self}, out...)
		} else {
			out = append(out, self)
		}
	}
	return out
}

// total adds the first option of every distinct tool; everything
// self-hosted shares one server. It reports whether a pick had no
// estimate.
func total(picks []Pick) (Cost, bool) {
	var sum Cost
	seen := map[string]bool{}
	server, incomplete := false, false
	for _, p := range picks {
		if seen[p.Tool] || len(p.Options) == 0 {
			continue
		}
		seen[p.Tool] = true
		o := p.Options[0]
		if !o.CostKnown {
			incomplete = true
			continue
		}
		if o.Way == "self" {
			if server {
				continue
			}
			server = true
		}
		sum.Min += o.Cost.Min
		sum.Max += o.Cost.Max
	}
	return sum, incomplete
}
