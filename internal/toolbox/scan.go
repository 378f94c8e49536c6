package toolbox

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"unicode/utf8"

	"samen/internal/jsonstrict"
	"samen/internal/problem"
	"samen/internal/textcheck"
)

// The questionnaire's choices. An empty answer means "not answered" and
// makes no rule fire.
var (
	// Where the data of members (names, addresses, phone numbers) lives.
	MemberDataPlaces = []string{"shared_document", "spreadsheet_file", "member_system", "paper", "nowhere", "unknown"}
	// Who can open it.
	AccessLevels = []string{"anyone_with_link", "named_people", "core_team", "one_person", "unknown"}
	// Whether there are backups.
	BackupStates = []string{"tested", "yes", "no", "unknown"}
	// The groups of a community, from the roadmap's figure 2 (concentric
	// circles): core team, active contributors, members or co-owners, and
	// the wider circle of supporters.
	Groups = []string{"core_team", "contributors", "members", "supporters"}
)

// groupNeeds says which kinds of communication reach a group, after the
// roadmap's section on the trinity: the core team works in real time,
// contributors need asynchronous talk and shared information, members are
// reached asynchronously, and supporters through public channels.
var groupNeeds = map[string][]string{
	"core_team":    {"realtime"},
	"contributors": {"async", "static"},
	"members":      {"async"},
	"supporters":   {"public"},
}

// Answers are the questionnaire's answers. All are optional.
type Answers struct {
	MemberData  string   `json:"member_data,omitempty"`
	Access      string   `json:"access,omitempty"`
	Backups     string   `json:"backups,omitempty"`
	Maintainers *int     `json:"maintainers,omitempty"`  // people who can keep the IT running
	MonthlyCost *float64 `json:"monthly_cost,omitempty"` // euros a month spent on tools
	Reach       []string `json:"reach,omitempty"`        // groups the initiative must reach
}

// ScanInput is what a scan is made of: the tools in use (catalogue ids or
// names as typed) and the answers.
type ScanInput struct {
	Tools   []string `json:"tools"`
	Answers Answers  `json:"answers"`
}

const (
	maxScanTools    = 60
	maxToolName     = 80
	maxMaintainers  = 10000
	maxMonthlyCost  = 1000000
	maxScanBodySize = 64 << 10
)

// DecodeScan reads a scan from JSON, naming the field of any problem:
// unknown fields, wrong types and values outside the lists.
func DecodeScan(r io.Reader) (ScanInput, error) {
	var in ScanInput
	data, err := io.ReadAll(io.LimitReader(r, maxScanBodySize+1))
	if err != nil {
		return in, err
	}
	if len(data) > maxScanBodySize {
		return in, problem.New(problem.TooLarge, "toolbox.scan_too_large")
	}
	// The body and its answers are decoded one level at a time, so an
	// unknown field is named where it is: "colour" or "answers.colour".
	var top struct {
		Tools   json.RawMessage `json:"tools"`
		Answers json.RawMessage `json:"answers"`
	}
	if err := jsonstrict.Decode(data, &top); err != nil {
		return in, err
	}
	if len(top.Tools) > 0 {
		if err := jsonstrict.DecodeAt("tools", top.Tools, &in.Tools); err != nil {
			return in, err
		}
	}
	if len(top.Answers) > 0 {
		if err := jsonstrict.DecodeAt("answers", top.Answers, &in.Answers); err != nil {
			return in, err
		}
	}
	return in, nil
}

// Normalize trims names and answers and drops empty and repeated tools.
func (in *ScanInput) Normalize() {
	in.Tools = list(in.Tools, textcheck.Collapse)
	a := &in.Answers
	a.MemberData, a.Access, a.Backups = lower(a.MemberData), lower(a.Access), lower(a.Backups)
	a.Reach = list(a.Reach, lower)
}

// Validate checks a normalised scan and names every wrong field.
func (in *ScanInput) Validate() error {
	f := problem.Fields{}
	switch {
	case len(in.Tools) == 0:
		f.Add("tools", "tools.required")
	case len(in.Tools) > maxScanTools:
		f.Add("tools", "too_many")
	}
	for _, t := range in.Tools {
		if utf8.RuneCountInString(t) > maxToolName {
			f.Add("tools", "too_long")
		}
	}
	a := in.Answers
	for field, c := range map[string]struct {
		value string
		list  []string
	}{
		"answers.member_data": {a.MemberData, MemberDataPlaces},
		"answers.access":      {a.Access, AccessLevels},
		"answers.backups":     {a.Backups, BackupStates},
	} {
		if c.value != "" && !slices.Contains(c.list, c.value) {
			f.Add(field, "choice.unknown")
		}
	}
	if a.Maintainers != nil && (*a.Maintainers < 0 || *a.Maintainers > maxMaintainers) {
		f.Add("answers.maintainers", "number.out_of_range")
	}
	switch {
	case a.MonthlyCost == nil:
	case math.IsNaN(*a.MonthlyCost):
		// Not a number (the form reads "NaN" as one) passes both
		// comparisons below, and JSON cannot hold it.
		f.Add("answers.monthly_cost", "number.invalid")
	case *a.MonthlyCost < 0 || *a.MonthlyCost > maxMonthlyCost:
		f.Add("answers.monthly_cost", "number.out_of_range")
	}
	for _, g := range a.Reach {
		if !slices.Contains(Groups, g) {
			f.Add("answers.reach", "choice.unknown")
		}
	}
	return f.Err()
}

// RiskIDs are the rules of the scan, one per kind of risk it can find.
var RiskIDs = []string{
	"link_shared_member_data", "spreadsheet_member_list", "member_data_outside_eea", "marketing_tracking",
	"phone_numbers_shared", "ad_funded", "no_backups", "backups_unknown", "backups_untested", "no_maintainer",
	"single_maintainer", "big_tech_only", "reach_gap",
}

// Severity of a risk.
const (
	Low    = 1
	Medium = 2
	High   = 3
)

// Risk is one concrete risk the scan found.
type Risk struct {
	ID       string   `json:"id"`   // the rule that fired, a message key in the web layer
	Kind     string   `json:"kind"` // privacy, gdpr, continuity, dependence, reach
	Severity int      `json:"severity"`
	Tools    []string `json:"tools,omitempty"`    // catalogue ids the risk is about
	Category string   `json:"category,omitempty"` // for dependence and reach risks
	Group    string   `json:"group,omitempty"`    // for reach risks
}

// Dependence is how far one category of tools rests on big tech.
type Dependence struct {
	Category string   `json:"category"`
	BigTech  []string `json:"big_tech"`
	Open     []string `json:"open"`
	// Level is "none" (no big tech), "partial" or "full" (only big tech).
	Level string `json:"level"`
}

// Step is one step of the migration plan.
type Step struct {
	// Action is "replace" (move off Tool), "close_link", "backups",
	// "second_maintainer" or "add" (a kind of tool that is missing).
	Action string `json:"action"`
	Tool   string `json:"tool,omitempty"`
	// Category is the missing kind of tool, for "add".
	Category     string    `json:"category,omitempty"`
	Alternatives []string  `json:"alternatives,omitempty"` // catalogue ids, best first
	Hosters      []Hosting `json:"hosters,omitempty"`      // co-operative and non-profit hosts of the first alternatives
	Samen        []string  `json:"samen,omitempty"`        // parts of samen that serve here
	Risk         int       `json:"risk"`                   // the highest severity it removes
	Effort       int       `json:"effort"`                 // 1 low, 2 medium, 3 high
}

// Report is what a scan tells an initiative.
type Report struct {
	Tools       []string     `json:"tools"`   // catalogue ids found
	Unknown     []string     `json:"unknown"` // names not in the catalogue
	Dependence  []Dependence `json:"dependence"`
	BigTech     int          `json:"big_tech"` // how many of the tools are big tech
	Risks       []Risk       `json:"risks"`
	Plan        []Step       `json:"plan"`
	MonthlyCost *float64     `json:"monthly_cost,omitempty"`
}

// SamenPart is a part of samen that can take over from a product.
type SamenPart struct {
	ID       string   // message key suffix and name
	Path     string   // where it is
	Replaces []string // big-tech ids, or "member_data" for member lists
}

// SamenParts lists what samen itself offers in a migration plan. The
// member administration joins when the workspaces exist; until then the
// plan names open member administrations from the catalogue.
var SamenParts = []SamenPart{
	{ID: "atlas", Path: "/atlas", Replaces: []string{"facebook", "instagram"}},
}

// Scan runs the rules over an input. in must be normalised and valid.
func Scan(c *Catalogue, in ScanInput) Report {
	r := Report{Tools: []string{}, Unknown: []string{}, Risks: []Risk{}, Plan: []Step{}, MonthlyCost: in.Answers.MonthlyCost}
	var used []Tool
	for _, name := range in.Tools {
		t, ok := c.Find(name)
		switch {
		case !ok:
			r.Unknown = append(r.Unknown, name)
		case !slices.Contains(r.Tools, t.ID):
			r.Tools = append(r.Tools, t.ID)
			used = append(used, t)
			if t.BigTech {
				r.BigTech++
			}
		}
	}
	r.Dependence = dependence(used)
	r.Risks = risks(in.Answers, used, r.Dependence)
	r.Plan = plan(c, in.Answers, used, r.Risks)
	return r
}

// dependence measures each category the tools in use fall in. Hosting and
// infrastructure are left out: they are how tools run, not what people use.
func dependence(used []Tool) []Dependence {
	out := []Dependence{}
	for _, cat := range Categories {
		if cat == "hosting" || cat == "infrastructure" {
			continue
		}
		d := Dependence{Category: cat, BigTech: []string{}, Open: []string{}}
		for _, t := range used {
			if !slices.Contains(t.Categories, cat) {
				continue
			}
			if t.BigTech {
				d.BigTech = append(d.BigTech, t.ID)
			} else {
				d.Open = append(d.Open, t.ID)
			}
		}
		switch {
		case len(d.BigTech) == 0 && len(d.Open) == 0:
			continue
		case len(d.BigTech) == 0:
			d.Level = "none"
		case len(d.Open) == 0:
			d.Level = "full"
		default:
			d.Level = "partial"
		}
		out = append(out, d)
	}
	return out
}

// eea are the countries where the GDPR applies directly (the EU and the
// other EEA states); data held by organisations elsewhere answers to other
// laws as well.
var eea = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS", "IT",
	"LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"}

// risks applies the scan's rules. Each rule fires on exactly the inputs
// its comment names; the table test in scan_test.go holds it to that.
func risks(a Answers, used []Tool, dep []Dependence) []Risk {
	var out []Risk
	withTrait := func(trait string, also func(Tool) bool) []string {
		var ids []string
		for _, t := range used {
			if slices.Contains(t.Traits, trait) && (also == nil || also(t)) {
				ids = append(ids, t.ID)
			}
		}
		return ids
	}
	// Member data in a document anyone with the link can open.
	if a.MemberData == "shared_document" && a.Access == "anyone_with_link" {
		out = append(out, Risk{ID: "link_shared_member_data", Kind: "gdpr", Severity: High, Tools: withTrait("link_sharing", nil)})
	}
	// Member data in a spreadsheet: no access per person, no record of
	// who changed or saw what.
	if sheets := withTrait("spreadsheet", nil); a.MemberData == "spreadsheet_file" || len(sheets) > 0 {
		out = append(out, Risk{ID: "spreadsheet_member_list", Kind: "gdpr", Severity: Medium, Tools: sheets})
	}
	// A tool that holds members' data, run by a company outside the EEA.
	if ids := withTrait("member_data", func(t Tool) bool { return t.Country != "" && !slices.Contains(eea, t.Country) }); len(ids) > 0 {
		out = append(out, Risk{ID: "member_data_outside_eea", Kind: "gdpr", Severity: Medium, Tools: ids})
	}
	// A mailing tool that tracks who opens and clicks.
	if ids := withTrait("marketing_tracking", nil); len(ids) > 0 {
		out = append(out, Risk{ID: "marketing_tracking", Kind: "privacy", Severity: Medium, Tools: ids})
	}
	// Members see each other's phone numbers.
	if ids := withTrait("phone_numbers", nil); len(ids) > 0 {
		out = append(out, Risk{ID: "phone_numbers_shared", Kind: "privacy", Severity: Medium, Tools: ids})
	}
	// Reaching people through a platform paid for by advertising.
	if ids := withTrait("ad_funded", nil); len(ids) > 0 {
		out = append(out, Risk{ID: "ad_funded", Kind: "privacy", Severity: Low, Tools: ids})
	}
	switch a.Backups {
	case "no":
		out = append(out, Risk{ID: "no_backups", Kind: "continuity", Severity: High})
	case "unknown":
		out = append(out, Risk{ID: "backups_unknown", Kind: "continuity", Severity: Medium})
	case "yes":
		out = append(out, Risk{ID: "backups_untested", Kind: "continuity", Severity: Low})
	}
	if a.Maintainers != nil {
		switch *a.Maintainers {
		case 0:
			out = append(out, Risk{ID: "no_maintainer", Kind: "continuity", Severity: High})
		case 1:
			out = append(out, Risk{ID: "single_maintainer", Kind: "continuity", Severity: High})
		}
	}
	// A category that rests on big tech alone.
	for _, d := range dep {
		if d.Level == "full" {
			out = append(out, Risk{ID: "big_tech_only", Kind: "dependence", Severity: Medium, Tools: d.BigTech, Category: d.Category})
		}
	}
	// A group the initiative must reach without a tool that reaches it.
	for _, g := range Groups {
		if !slices.Contains(a.Reach, g) {
			continue
		}
		for _, cat := range groupNeeds[g] {
			if !slices.ContainsFunc(used, func(t Tool) bool { return slices.Contains(t.Categories, cat) }) {
				out = append(out, Risk{ID: "reach_gap", Kind: "reach", Severity: Medium, Category: cat, Group: g})
			}
		}
	}
	if out == nil {
		out = []Risk{}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity > out[j].Severity })
	return out
}

// plan orders the steps by the risk they remove (highest first), then by
// effort (least first): quick fixes of serious risks come first.
func plan(c *Catalogue, a Answers, used []Tool, risks []Risk) []Step {
	var steps []Step
	riskOf := func(id string) int {
		worst := Low // every big-tech product is a dependence
		for _, r := range risks {
			if slices.Contains(r.Tools, id) && r.Severity > worst {
				worst = r.Severity
			}
		}
		return worst
	}
	has := func(id string) bool { return slices.ContainsFunc(risks, func(r Risk) bool { return r.ID == id }) }
	if has("link_shared_member_data") {
		steps = append(steps, Step{Action: "close_link", Risk: High, Effort: 1})
	}
	switch {
	case has("no_backups"):
		steps = append(steps, Step{Action: "backups", Risk: High, Effort: 1})
	case has("backups_unknown"):
		steps = append(steps, Step{Action: "backups", Risk: Medium, Effort: 1})
	case has("backups_untested"):
		steps = append(steps, Step{Action: "backups", Risk: Low, Effort: 1})
	}
	if has("no_maintainer") || has("single_maintainer") {
		steps = append(steps, Step{Action: "second_maintainer", Risk: High, Effort: 2})
	}
	for _, t := range used {
		if !t.BigTech {
			continue
		}
		alts := c.ranked(c.Alternatives(t.ID))
		s := Step{Action: "replace", Tool: t.ID, Alternatives: ids(alts), Risk: riskOf(t.ID)}
		s.Hosters = c.friendlyHosters(alts)
		for _, p := range SamenParts {
			if slices.Contains(p.Replaces, t.ID) {
				s.Samen = append(s.Samen, p.ID)
			}
		}
		s.Effort = effort(t, s)
		steps = append(steps, s)
	}
	for _, r := range risks {
		if r.ID != "reach_gap" || slices.ContainsFunc(steps, func(s Step) bool { return s.Action == "add" && s.Category == r.Category }) {
			continue
		}
		alts := c.ranked(c.openIn(r.Category))
		steps = append(steps, Step{Action: "add", Category: r.Category, Alternatives: ids(alts), Hosters: c.friendlyHosters(alts), Risk: r.Severity, Effort: 2})
	}
	sort.SliceStable(steps, func(i, j int) bool {
		if steps[i].Risk != steps[j].Risk {
			return steps[i].Risk > steps[j].Risk
		}
		return steps[i].Effort < steps[j].Effort
	})
	if steps == nil {
		steps = []Step{}
	}
	return steps
}

// effort estimates the work of moving off a product: moving members'
// personal data is the most work, and an alternative someone else hosts
// saves the work of running it.
func effort(t Tool, s Step) int {
	e := Medium
	if slices.Contains(t.Traits, "member_data") {
		e = High
	}
	if len(s.Hosters) > 0 && e > Low && !slices.Contains(t.Traits, "member_data") {
		e--
	}
	if len(s.Alternatives) == 0 && len(s.Samen) == 0 {
		e = High
	}
	return e
}

// openIn lists the open entries in a category that people use directly
// (software and services, not protocols or hosters).
func (c *Catalogue) openIn(category string) []Tool {
	var out []Tool
	for _, t := range c.In(category) {
		if !t.BigTech && t.Kind != KindProtocol && !slices.Contains(t.Categories, "hosting") {
			out = append(out, t)
		}
	}
	return out
}

// ranked orders alternatives: those a co-operative or non-profit hoster
// offers first, then self-hostable ones, then the rest; the catalogue's
// order within each.
func (c *Catalogue) ranked(tools []Tool) []Tool {
	score := func(t Tool) int {
		switch {
		case len(c.friendlyHosters([]Tool{t})) > 0:
			return 0
		case t.SelfHostable == "yes":
			return 1
		}
		return 2
	}
	out := slices.Clone(tools)
	sort.SliceStable(out, func(i, j int) bool { return score(out[i]) < score(out[j]) })
	return out
}

// friendlyHosters lists the hosters of the first alternatives that are
// run on the community economy's terms: co-operatives, associations and
// foundations (a hoster's governance is on its own catalogue entry).
func (c *Catalogue) friendlyHosters(alts []Tool) []Hosting {
	var out []Hosting
	for i, t := range alts {
		if i == 3 {
			break
		}
		for _, h := range c.Hosters(t) {
			e, ok := c.Get(h.Tool)
			if !ok || !slices.Contains([]string{"cooperative", "association", "foundation"}, e.Governance) {
				continue
			}
			if !slices.ContainsFunc(out, func(x Hosting) bool { return x.Tool == h.Tool }) {
				out = append(out, h)
			}
		}
	}
	return out
}

func ids(tools []Tool) []string {
	out := make([]string, len(tools))
	for i, t := range tools {
		out[i] = t.ID
	}
	return out
}

// String summarises a report for logs.
func (r Report) String() string {
	return fmt.Sprintf("%d tools (%d big tech), %d risks, %d steps", len(r.Tools), r.BigTech, len(r.Risks), len(r.Plan))
}
