package tally

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Participatory budgeting: a sum of money, projects with costs, and ballots
// that choose projects. Three rules count such a budget — Greedy (the rule
// of Consul and Decidim), EqualShares and EqualSharesAdd1 (the Method of
// Equal Shares without and with its usual completion) — and ReadPB and
// WritePB carry it in the pabulib .pb format.
//
// Money is an int64 in the budget's own unit: cents for samen's own
// budgets, whole currency units for a budget read from a .pb file (pabulib
// files count in whole złoty, euro, …; ReadPB keeps the numbers as they are
// written). The rules never convert: Greedy and the Method of Equal Shares
// give the same winners whatever the unit. Only the add-one completion
// depends on it, through Budget.Add1Step.

// Budget kinds.
const (
	// KindApproval: a ballot approves up to MaxChoices projects, whatever
	// they cost.
	KindApproval = "approval"
	// KindKnapsack: a ballot is a basket of projects that together cost at
	// most Total (and at least MinCost), as in Decidim.
	KindKnapsack = "knapsack"
)

// MaxAmount caps the budget and every cost (in the budget's unit): 10^12 is
// ten billion euros in cents, more than any participatory budget. The cap
// keeps every sum the rules make far inside int64.
const MaxAmount int64 = 1_000_000_000_000

// Budget is a participatory budget: projects 0..len(Projects)-1.
type Budget struct {
	Title string
	// Total is the money to share out, in the budget's unit (cents for
	// samen, whole currency units for a .pb file).
	Total int64
	// Kind is KindApproval (choose up to MaxChoices) or KindKnapsack (a
	// basket within the budget, Decidim).
	Kind string
	// MinChoices and MaxChoices bound how many projects a ballot chooses;
	// 0 is no limit.
	MinChoices, MaxChoices int
	// MinCost is, for a knapsack, what a basket must cost at least
	// (Decidim's minimum threshold); 0 is none. Approval budgets leave it 0.
	MinCost int64
	// Add1Step is how much EqualSharesAdd1 raises every voter's share of
	// the budget at each step, in the budget's unit. 0 means one unit,
	// which is right for a .pb file (one złoty, one euro: what the method's
	// authors use); samen's budgets, in cents, set 100 (one euro), since a
	// cent at a time would take a hundred times the steps for the same
	// outcome. WritePB keeps it in the META key add1_step.
	Add1Step int64
	Projects []Project
	Ballots  []BudgetBallot
	// Meta holds the other META keys of a .pb file, kept for round trips
	// (country, unit — the municipality, not the currency —, instance,
	// district, currency, comment …).
	Meta map[string]string
}

// Project is one project on the ballot.
type Project struct {
	// ID is what the ballot file calls the project; Name what people read.
	ID, Name string
	// Cost is in the budget's unit, more than 0.
	Cost int64
	// Extra holds the other PROJECTS columns of a .pb file (category,
	// target, district, votes, selected …); empty values are left out.
	Extra map[string]string
}

// BudgetBallot is one voter's ballot: the projects approved or chosen, as
// indices into Budget.Projects (for a ranked .pb file, in the voter's
// order).
type BudgetBallot struct {
	Voter    string
	Projects []int
}

// BudgetError is a budget or a ballot that breaks a rule. Code is a message
// code ("tally.budget.cost", "tally.ballot.too_many") that the site puts in
// its reader's words (internal/web/i18n/*/tally.json); Project and Ballot
// say where, -1 when the problem is not about one project or ballot.
type BudgetError struct {
	Code    string
	Project int
	Ballot  int
}

func (e *BudgetError) Error() string {
	s := "budget: " + e.Code
	if e.Ballot >= 0 {
		s += ", ballot " + strconv.Itoa(e.Ballot+1)
	}
	if e.Project >= 0 {
		s += ", project " + strconv.Itoa(e.Project+1)
	}
	return s
}

func budgetErr(code string, project, ballot int) error {
	return &BudgetError{Code: code, Project: project, Ballot: ballot}
}

// Validate checks that the budget can be counted: a known kind, amounts
// between 0 and MaxAmount, costs above 0, project ids that are present,
// unique and usable in a .pb vote list (no comma, no control character, no
// space around them), ballots that only name existing projects, each at
// most once. It does not apply the ballot rules (CheckBallot does, when a
// ballot is cast): a count counts the ballots it is given. It does not look
// at voter ids either; WritePB needs them, and says so.
func (b Budget) Validate() error {
	switch b.Kind {
	case KindApproval, KindKnapsack:
	default:
		return budgetErr("tally.budget.kind", -1, -1)
	}
	if b.Total < 0 || b.Total > MaxAmount {
		return budgetErr("tally.budget.total", -1, -1)
	}
	if b.MinChoices < 0 || b.MaxChoices < 0 || (b.MaxChoices > 0 && b.MinChoices > b.MaxChoices) {
		return budgetErr("tally.budget.choices", -1, -1)
	}
	if b.MinCost < 0 || b.MinCost > b.Total || (b.MinCost > 0 && b.Kind != KindKnapsack) {
		return budgetErr("tally.budget.min_cost", -1, -1)
	}
	if b.Add1Step < 0 || b.Add1Step > MaxAmount {
		return budgetErr("tally.budget.add1_step", -1, -1)
	}
	seen := make(map[string]int, len(b.Projects))
	for i, p := range b.Projects {
		if !budgetUsableID(p.ID) {
			return budgetErr("tally.budget.id", i, -1)
		}
		if _, twice := seen[p.ID]; twice {
			return budgetErr("tally.budget.duplicate_id", i, -1)
		}
		seen[p.ID] = i
		if p.Cost <= 0 || p.Cost > MaxAmount {
			return budgetErr("tally.budget.cost", i, -1)
		}
	}
	mark := make([]int, len(b.Projects)) // ballot number + 1 that last named the project
	for bi, bal := range b.Ballots {
		for _, p := range bal.Projects {
			if p < 0 || p >= len(b.Projects) {
				return budgetErr("tally.budget.ballot_project", -1, bi)
			}
			if mark[p] == bi+1 {
				return budgetErr("tally.budget.ballot_repeated", p, bi)
			}
			mark[p] = bi + 1
		}
	}
	return nil
}

// budgetUsableID reports whether a project id can be written in a .pb vote
// list and read back the same: not empty, no comma (the list separator), no
// control character, no space at either end (readers trim).
func budgetUsableID(id string) bool {
	if id == "" || strings.TrimSpace(id) != id || strings.ContainsRune(id, ',') {
		return false
	}
	return !strings.ContainsFunc(id, unicode.IsControl)
}

// CheckBallot applies the ballot rules to one voter's choice, as the voting
// page does before it accepts a ballot: every project exists and is chosen
// once; at least one project is chosen (an empty ballot is not a vote — it
// would also take a share of the budget under Equal Shares and spend none
// of it); at least MinChoices and at most MaxChoices projects; for a
// knapsack, the basket costs at most Total and at least MinCost. Codes:
// tally.ballot.unknown_project, .repeated, .empty, .too_few, .too_many,
// .over_budget, .under_minimum; Project names the project for the first two.
func (b Budget) CheckBallot(projects []int) error {
	var sum int64
	seen := make(map[int]bool, len(projects))
	for _, p := range projects {
		if p < 0 || p >= len(b.Projects) {
			return budgetErr("tally.ballot.unknown_project", -1, -1)
		}
		if seen[p] {
			return budgetErr("tally.ballot.repeated", p, -1)
		}
		seen[p] = true
		sum += b.Projects[p].Cost
	}
	switch {
	case len(projects) == 0:
		return budgetErr("tally.ballot.empty", -1, -1)
	case len(projects) < b.MinChoices:
		return budgetErr("tally.ballot.too_few", -1, -1)
	case b.MaxChoices > 0 && len(projects) > b.MaxChoices:
		return budgetErr("tally.ballot.too_many", -1, -1)
	}
	if b.Kind == KindKnapsack {
		if sum > b.Total {
			return budgetErr("tally.ballot.over_budget", -1, -1)
		}
		if sum < b.MinCost {
			return budgetErr("tally.ballot.under_minimum", -1, -1)
		}
	}
	return nil
}

// budgetVotes counts the ballots that approve each project. Indices out of
// range are ignored, so that a rule given a budget Validate rejects still
// does not panic.
func budgetVotes(b Budget) []int64 {
	votes := make([]int64, len(b.Projects))
	for _, bal := range b.Ballots {
		for _, p := range bal.Projects {
			if p >= 0 && p < len(votes) {
				votes[p]++
			}
		}
	}
	return votes
}

// budgetOrder is the order Greedy considers the projects in, and the order
// in which the Equal Shares rules rank the projects they did not fund: most
// votes first; equal votes, lower cost first; equal cost too, the order of
// the projects (drawn by lot when voting opens, see the package comment).
func budgetOrder(b Budget, votes []int64) []int {
	order := make([]int, len(b.Projects))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		if votes[x] != votes[y] {
			if votes[x] > votes[y] {
				return -1
			}
			return 1
		}
		if cx, cy := b.Projects[x].Cost, b.Projects[y].Cost; cx != cy {
			if cx < cy {
				return -1
			}
			return 1
		}
		return x - y
	})
	return order
}

// budgetRanking is the winners in the order they won, then every other
// project in budgetOrder.
func budgetRanking(b Budget, votes []int64, winners []int) []int {
	won := make([]bool, len(b.Projects))
	ranking := make([]int, 0, len(b.Projects))
	for _, w := range winners {
		won[w] = true
		ranking = append(ranking, w)
	}
	for _, p := range budgetOrder(b, votes) {
		if !won[p] {
			ranking = append(ranking, p)
		}
	}
	return ranking
}
