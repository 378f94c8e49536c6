package tally

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pbBudget builds an approval budget from costs and ballots.
func pbBudget(total int64, costs []int64, ballots ...[]int) Budget {
	b := Budget{Title: "test", Total: total, Kind: KindApproval}
	for i, c := range costs {
		b.Projects = append(b.Projects, Project{ID: fmt.Sprint(i + 1), Name: fmt.Sprint("project ", i+1), Cost: c})
	}
	for i, bal := range ballots {
		b.Ballots = append(b.Ballots, BudgetBallot{Voter: fmt.Sprint(i + 1), Projects: bal})
	}
	return b
}

// budgetSteps returns the steps of a kind.
func budgetSteps(r Result, kind string) []Step {
	var out []Step
	for _, s := range r.Steps {
		if s.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

func mesNear(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// The equalshares.net explanation, "Example 1": a budget of 1100, 11
// voters, five projects. Bike path 700 (voters 1–6 and 11), outdoor gym 400
// (1–6), new park 250 (2, 4, 5, 7, 10), new playground 200 (7–10), library
// for kids 100 (7, 9, 10). Greedy funds the bike path and the gym — the
// budget gone on two projects liked by the same seven voters. Equal Shares
// gives each voter 100: the bike path's seven supporters pay 100 each,
// leaving the gym's voters nothing; the playground's four pay 50 each; the
// library's three pay 100/3 each; the park's supporters have 2·(50 − 100/3)
// left, less than 250. This is the example the demo shows.
var esnetExample1 = pbBudget(1100, []int64{700, 400, 250, 200, 100},
	[]int{0, 1}, []int{0, 1, 2}, []int{0, 1}, []int{0, 1, 2}, []int{0, 1, 2}, []int{0, 1},
	[]int{2, 3, 4}, []int{3}, []int{3, 4}, []int{2, 3, 4}, []int{0})

// budgetBench makes a realistic large budget: 50 projects from 5,000 to
// 200,000 euros (in cents), a few popular and many niche (approval weights
// falling off as 1/rank^0.9, shuffled over the projects), each voter
// approving 1 to 10 of them, and a budget of a third of all costs. Fixed
// seed: every run counts the same ballots.
func budgetBench(voters int) Budget {
	r := rand.New(rand.NewPCG(2026, 50))
	const projects = 50
	b := Budget{Title: "benchmark", Kind: KindApproval, MaxChoices: 10, Add1Step: 100}
	weights := make([]float64, projects)
	var sum int64
	for i := range projects {
		cost := int64(5_000+r.IntN(195_001)) * 100
		sum += cost
		b.Projects = append(b.Projects, Project{ID: fmt.Sprint(i + 1), Name: fmt.Sprint("project ", i+1), Cost: cost})
		weights[i] = 1 / math.Pow(float64(i+1), 0.9)
	}
	r.Shuffle(projects, func(i, j int) { weights[i], weights[j] = weights[j], weights[i] })
	var total float64
	for _, w := range weights {
		total += w
	}
	b.Total = sum / 3
	for v := range voters {
		k := 1 + r.IntN(10)
		chosen := make([]int, 0, k)
		for len(chosen) < k {
			x := r.Float64() * total
			p := 0
			for ; p < projects-1 && x >= weights[p]; p++ {
				x -= weights[p]
			}
			dup := false
			for _, c := range chosen {
				dup = dup || c == p
			}
			if !dup {
				chosen = append(chosen, p)
			}
		}
		b.Ballots = append(b.Ballots, BudgetBallot{Voter: fmt.Sprint(v + 1), Projects: chosen})
	}
	return b
}

func TestBudgetBenchIsValid(t *testing.T) {
	b := budgetBench(1000)
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestBudgetCheckBallot(t *testing.T) {
	approval := pbBudget(100, []int64{60, 40, 30})
	approval.MinChoices, approval.MaxChoices = 1, 2
	knapsack := pbBudget(100, []int64{60, 40, 30})
	knapsack.Kind, knapsack.MinCost = KindKnapsack, 50
	atLeastTwo := approval
	atLeastTwo.MinChoices = 2
	cases := []struct {
		name    string
		b       Budget
		ballot  []int
		code    string
		project int
	}{
		{"approval ok", approval, []int{0}, "", -1},
		{"approval at most", approval, []int{2, 0}, "", -1},
		{"empty", approval, nil, "tally.ballot.empty", -1},
		{"empty without a minimum", pbBudget(100, []int64{10}), []int{}, "tally.ballot.empty", -1},
		{"too many", approval, []int{0, 1, 2}, "tally.ballot.too_many", -1},
		{"too few", atLeastTwo, []int{1}, "tally.ballot.too_few", -1},
		{"repeated", approval, []int{1, 1}, "tally.ballot.repeated", 1},
		{"unknown", approval, []int{3}, "tally.ballot.unknown_project", -1},
		{"negative", approval, []int{-1}, "tally.ballot.unknown_project", -1},
		// Approval ballots may cost more than the budget.
		{"approval over the budget", approval, []int{0, 1}, "", -1},
		{"knapsack exactly the budget", knapsack, []int{0, 1}, "", -1},
		{"knapsack over", knapsack, []int{0, 1, 2}, "tally.ballot.over_budget", -1},
		{"knapsack under the minimum", knapsack, []int{2}, "tally.ballot.under_minimum", -1},
		{"knapsack at the minimum", pbBudget(100, []int64{50}), []int{0}, "", -1},
	}
	for _, c := range cases {
		err := c.b.CheckBallot(c.ballot)
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		be, ok := err.(*BudgetError)
		if !ok || be.Code != c.code || be.Project != c.project || be.Ballot != -1 {
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
		}
	}
}

func TestBudgetValidate(t *testing.T) {
	base := func() Budget { return pbBudget(100, []int64{60, 40}, []int{0, 1}, []int{1}) }
	if err := base().Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name            string
		change          func(*Budget)
		code            string
		project, ballot int
	}{
		{"no kind", func(b *Budget) { b.Kind = "" }, "tally.budget.kind", -1, -1},
		{"negative total", func(b *Budget) { b.Total = -1 }, "tally.budget.total", -1, -1},
		{"total too large", func(b *Budget) { b.Total = MaxAmount + 1 }, "tally.budget.total", -1, -1},
		{"min above max", func(b *Budget) { b.MinChoices, b.MaxChoices = 3, 2 }, "tally.budget.choices", -1, -1},
		{"negative max", func(b *Budget) { b.MaxChoices = -1 }, "tally.budget.choices", -1, -1},
		{"min cost on approval", func(b *Budget) { b.MinCost = 10 }, "tally.budget.min_cost", -1, -1},
		{"min cost above total", func(b *Budget) { b.Kind, b.MinCost = KindKnapsack, 101 }, "tally.budget.min_cost", -1, -1},
		{"negative step", func(b *Budget) { b.Add1Step = -100 }, "tally.budget.add1_step", -1, -1},
		{"empty id", func(b *Budget) { b.Projects[1].ID = "" }, "tally.budget.id", 1, -1},
		{"id with comma", func(b *Budget) { b.Projects[1].ID = "1,2" }, "tally.budget.id", 1, -1},
		{"id with space around", func(b *Budget) { b.Projects[1].ID = "2 " }, "tally.budget.id", 1, -1},
		{"id with newline", func(b *Budget) { b.Projects[1].ID = "a\nb" }, "tally.budget.id", 1, -1},
		{"id twice", func(b *Budget) { b.Projects[1].ID = "1" }, "tally.budget.duplicate_id", 1, -1},
		{"zero cost", func(b *Budget) { b.Projects[0].Cost = 0 }, "tally.budget.cost", 0, -1},
		{"cost too large", func(b *Budget) { b.Projects[0].Cost = MaxAmount + 1 }, "tally.budget.cost", 0, -1},
		{"ballot out of range", func(b *Budget) { b.Ballots[1].Projects = []int{2} }, "tally.budget.ballot_project", -1, 1},
		{"ballot repeats", func(b *Budget) { b.Ballots[0].Projects = []int{1, 0, 1} }, "tally.budget.ballot_repeated", 1, 0},
	}
	for _, c := range cases {
		b := base()
		c.change(&b)
		be, ok := b.Validate().(*BudgetError)
		if !ok || be.Code != c.code || be.Project != c.project || be.Ballot != c.ballot {
			t.Errorf("%s: got %v, want %s (project %d, ballot %d)", c.name, be, c.code, c.project, c.ballot)
		}
	}
	// A knapsack with a minimum, empty ballots and an id with inner spaces
	// are fine.
	b := base()
	b.Kind, b.MinCost, b.Projects[0].ID = KindKnapsack, 50, "Speeltuin 1"
	b.Ballots = append(b.Ballots, BudgetBallot{Voter: "3"})
	if err := b.Validate(); err != nil {
		t.Error(err)
	}
	if s := (&BudgetError{Code: "tally.budget.cost", Project: 0, Ballot: 2}).Error(); s != "budget: tally.budget.cost, ballot 3, project 1" {
		t.Errorf("%q", s)
	}
}

// Every message code the budget files can return has a message in both
// languages (the web catalogue test cannot see these codes: they are not
// problem codes).
func TestBudgetCodesHaveMessages(t *testing.T) {
	codeRE := regexp.MustCompile(`"(tally\.(?:budget|ballot|pb)\.[a-z_0-9]+)"`)
	codes := map[string]bool{}
	for _, name := range []string{"budget.go", "greedy.go", "equalshares.go", "pabulib.go"} {
		src, err := os.ReadFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range codeRE.FindAllStringSubmatch(string(src), -1) {
			codes[m[1]] = true
		}
	}
	if len(codes) < 15 || !codes["tally.budget.cost"] || !codes["tally.ballot.over_budget"] {
		t.Fatalf("found only %d codes: the scan is broken", len(codes))
	}
	for _, lang := range []string{"en", "nl"} {
		data, err := os.ReadFile(filepath.Join("..", "web", "i18n", lang, "tally.json"))
		if err != nil {
			t.Fatal(err)
		}
		var msgs map[string]string
		if err := json.Unmarshal(data, &msgs); err != nil {
			t.Fatal(err)
		}
		for c := range codes {
			if strings.TrimSpace(msgs[c]) == "" {
				t.Errorf("%s/tally.json has no message for %s", lang, c)
			}
		}
	}
}
