package web

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"samen/internal/decide"
	"samen/internal/tally"
)

// A budget's result as its page shows it: what the deciding rule funds,
// and beside it what the other rules would have funded, as a table of
// projects by rules, and for each rule why, in sentences written from the
// count's steps (internal/tally documents the kinds each rule writes).
// The count is in euros: the steps' amounts are euros.

type budgetResult struct {
	Rule    string // the deciding rule
	Rules   []ruleOutcome
	Rows    []resultRow
	Ballots int
	Online  int
	Paper   int
	// Differ says whether the rules fund different projects.
	Differ bool
}

// ruleOutcome is what one rule funds, and why.
type ruleOutcome struct {
	Rule     string
	Deciding bool
	Funded   []decide.Project // in the order the rule chose them
	Spent    int64            // cents
	Left     int64            // cents
	Why      []string
}

// resultRow is a project on the ballot with its votes and, per rule in
// the order of Rules, whether the rule funds it.
type resultRow struct {
	Project decide.Project
	Votes   int
	Funded  []bool
}

func (s *Server) budgetResult(p *page, v decide.BudgetView) *budgetResult {
	res := v.Result
	byID := map[int64]decide.Project{}
	for _, pr := range v.Projects {
		byID[pr.ID] = pr
	}
	project := func(i int) decide.Project {
		if i >= 0 && i < len(res.Options) {
			return byID[res.Options[i]]
		}
		return decide.Project{}
	}
	out := &budgetResult{Rule: res.Rule, Ballots: res.Ballots, Paper: res.Paper, Online: res.Ballots - res.Paper}

	// The rows: in the order greedy considers the projects (most votes
	// first), with their votes, which greedy's steps carry.
	votes := map[int]int{}
	var order []int
	for _, st := range res.Counts["greedy"].Steps {
		if st.Kind != "tie" && !slices.Contains(order, st.Option) {
			order = append(order, st.Option)
			votes[st.Option] = int(st.Value)
		}
	}
	for i := range res.Options {
		if !slices.Contains(order, i) {
			order = append(order, i)
		}
	}
	funded := map[string][]int64{}
	for _, rule := range decide.Rules {
		ids := res.FundedBy(rule)
		funded[rule] = ids
		o := ruleOutcome{Rule: rule, Deciding: rule == res.Rule}
		for _, id := range ids {
			o.Funded = append(o.Funded, byID[id])
			o.Spent += byID[id].CostCents
		}
		o.Left = v.TotalCents - o.Spent
		o.Why = s.budgetWhy(p, v, rule, res.Counts[rule], project)
		out.Rules = append(out.Rules, o)
	}
	for _, i := range order {
		pr := project(i)
		row := resultRow{Project: pr, Votes: votes[i]}
		for _, rule := range decide.Rules {
			row.Funded = append(row.Funded, slices.Contains(funded[rule], pr.ID))
		}
		out.Rows = append(out.Rows, row)
	}
	for _, rule := range decide.Rules {
		a, b := slices.Clone(funded[rule]), slices.Clone(funded[decide.Rules[0]])
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			out.Differ = true
		}
	}
	return out
}

// budgetWhy writes a rule's steps as sentences in the reader's language.
func (s *Server) budgetWhy(p *page, v decide.BudgetView, rule string, c tally.Result, project func(int) decide.Project) []string {
	lang := p.Lang
	money := func(euros float64) string { return wholeEuros(int64(math.Round(euros*100)), lang) }
	name := func(i int) string { return project(i).Title }
	cost := func(i int) string { return wholeEuros(project(i).CostCents, lang) }
	names := func(list []int) string {
		parts := make([]string, len(list))
		for j, i := range list {
			parts[j] = "“" + name(i) + "”"
		}
		return strings.Join(parts, ", ")
	}
	votes := func(n float64) string { return s.msgs.N(lang, "budget.step.votes", int(n)) }
	people := func(n float64) string { return s.msgs.N(lang, "budget.step.supporters", int(n)) }
	how := func(tieRule string) string {
		switch tieRule {
		case "cost":
			return p.T("budget.step.tie_cost")
		case "votes":
			return p.T("budget.step.tie_votes")
		}
		return p.T("budget.step.tie_lot")
	}
	var out []string
	steps := c.Steps
	if rule == "equal-shares-add1" {
		var raised []tally.Step
		var kept tally.Step
		for len(steps) > 0 && (steps[0].Kind == "budget_raised" || steps[0].Kind == "budget_kept") {
			if steps[0].Kind == "budget_raised" {
				raised = append(raised, steps[0])
			} else {
				kept = steps[0]
			}
			steps = steps[1:]
		}
		if v.Result.Ballots > 0 {
			start := float64(v.TotalCents) / 100 / float64(v.Result.Ballots)
			out = append(out, p.T("budget.step.add1_start", "share", money(start)))
		}
		if kept.Round > 0 {
			out = append(out, p.T("budget.step.add1_raised", "times", strconv.Itoa(kept.Round), "share", money(kept.Value)))
		}
		switch kept.Rule {
		case "over_budget":
			next := kept
			if len(raised) > 0 {
				next = raised[len(raised)-1]
			}
			out = append(out, p.T("budget.step.kept_over_budget", "next", money(next.Value), "next_cost", money(next.Detail),
				"share", money(kept.Value), "cost", money(kept.Detail)))
		case "exhaustive":
			out = append(out, p.T("budget.step.kept_exhaustive", "share", money(kept.Value), "cost", money(kept.Detail)))
		case "all_supported":
			out = append(out, p.T("budget.step.kept_all_supported", "share", money(kept.Value), "cost", money(kept.Detail)))
		case "limit":
			out = append(out, p.T("budget.step.kept_limit", "share", money(kept.Value), "cost", money(kept.Detail)))
		case "no_voters":
			out = append(out, p.T("budget.step.kept_no_voters"))
		}
	}
	for _, st := range steps {
		switch {
		case rule == "greedy" && st.Kind == "funded":
			out = append(out, p.T("budget.step.greedy_funded", "project", name(st.Option), "votes", votes(st.Value), "left", money(st.Detail)))
		case rule == "greedy" && st.Kind == "skipped":
			out = append(out, p.T("budget.step.greedy_skipped", "project", name(st.Option), "votes", votes(st.Value),
				"cost", cost(st.Option), "left", money(st.Detail)))
		case rule == "greedy" && st.Kind == "unsupported":
			out = append(out, p.T("budget.step.greedy_unsupported", "project", name(st.Option)))
		case rule == "greedy" && st.Kind == "tie":
			out = append(out, p.T("budget.step.greedy_tie", "projects", names(st.Tied), "how", how(st.Rule)))
		case st.Kind == "funded":
			rho := 0.0
			if c := project(st.Option).CostCents; c > 0 {
				rho = st.Value * 100 / float64(c)
			}
			out = append(out, p.T("budget.step.mes_funded", "round", strconv.Itoa(st.Round), "project", name(st.Option),
				"payers", people(st.Detail), "share", money(st.Value), "rho", decimal(rho, lang)))
		case st.Kind == "tie":
			out = append(out, p.T("budget.step.mes_tie", "projects", names(st.Tied), "how", how(st.Rule)))
		case st.Kind == "unaffordable":
			out = append(out, p.T("budget.step.mes_unaffordable", "project", name(st.Option), "cost", cost(st.Option),
				"money", money(st.Value), "payers", people(st.Detail)))
		}
	}
	return out
}

// decimal writes a number between 0 and 1 with three significant digits
// (at least three decimals), as the reader writes numbers.
func decimal(x float64, lang string) string {
	digits := 3
	if x > 0 && x < 1 {
		digits = min(12, max(3, int(math.Ceil(-math.Log10(x)))+2))
	}
	out := strconv.FormatFloat(x, 'f', digits, 64)
	if lang == "nl" {
		out = strings.Replace(out, ".", ",", 1)
	}
	return out
}
