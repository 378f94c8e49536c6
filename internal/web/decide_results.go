package web

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"samen/internal/decide"
	"samen/internal/tally"
)

// The results of a decision as its page shows them: a motion's counts,
// turnout, quorum and threshold; the ranking of options with their
// totals; Schulze's two tables; the rounds of an instant-runoff or STV
// count; a meeting poll's grid; and every step of the count as a sentence
// in the reader's language (the count itself gives codes, internal/tally).

type decisionResult struct {
	Live    bool // voting still runs: the result so far
	Ballots int
	Motion  *motionView
	// Ranking: the options from the best to the worst, with their totals
	// under Key's heading ("" when the method has no single total).
	Ranking []rankedOption
	Key     string
	// Winners named, in the order chosen.
	Winners []string
	Schulze *schulzeView
	Rounds  *roundsView
	Poll    []pollRow
	Steps   []string
}

type rankedOption struct {
	Place  int
	Name   string
	Total  string
	Winner bool
}

type motionView struct {
	Method       string
	Counts       []positionCount
	Cast         int
	Electorate   int
	Turnout      string // a percentage; "" when the electorate is unknown
	QuorumNeeded int
	QuorumMet    bool
	Threshold    string
	Passed       bool
	Blocked      bool
	Reasons      []reasonView
}

type positionCount struct {
	Position string
	Count    int
}

type reasonView struct {
	Position, Name, Text string
}

type schulzeView struct {
	Names               []string
	Pairwise, Strongest [][]matrixCell
}

type matrixCell struct {
	Value int
	Self  bool // the diagonal
	Wins  bool // the row's option beats the column's here
}

type roundsView struct {
	STV       bool
	Rounds    []int
	Rows      []roundRow
	Exhausted []string // per round
	Quota     string
}

type roundRow struct {
	Name  string
	Cells []string // per round; "" once the option is out
	Fate  string
}

type pollRow struct {
	Name           string
	Start          time.Time
	Yes, Maybe, No int
	Best           bool
}

// decisionResultOf builds the result of v for the page. ballots are the
// counted ballots of a closed ranked vote (for Schulze's tables); nil
// otherwise.
func (p *page) decisionResultOf(v decide.View, ballots []decide.Ballot, reasons []reasonView) *decisionResult {
	res := v.Result
	out := &decisionResult{Live: v.State == decide.Voting, Ballots: res.Ballots}
	byID := map[int64]decide.Option{}
	for _, o := range v.Options {
		byID[o.ID] = o
	}
	// name is the option at index i of the count.
	name := func(i int) string {
		if i < 0 || i >= len(res.Options) {
			return "?"
		}
		return p.optionName(v.Decision, byID[res.Options[i]])
	}
	if m := res.Motion; m != nil {
		mv := &motionView{Method: m.Method, Cast: m.Cast, Electorate: res.Electorate, QuorumNeeded: m.QuorumNeeded,
			QuorumMet: m.QuorumMet, Threshold: v.Params.Threshold, Passed: m.Passed, Blocked: m.Blocked, Reasons: reasons}
		positions := decide.ConsentPositions
		if m.Method == string(decide.Majority) {
			positions = decide.MajorityPositions
			mv.Threshold = cmp.Or(mv.Threshold, "half")
		}
		for _, pos := range positions {
			mv.Counts = append(mv.Counts, positionCount{Position: pos, Count: m.Counts[pos]})
		}
		if res.Electorate > 0 {
			mv.Turnout = p.decisionNumber(math.Round(float64(m.Cast)*1000/float64(res.Electorate))/10) + "%"
		}
		out.Motion = mv
		return out
	}
	c := res.Count
	if c == nil {
		return out
	}
	winners := map[int]bool{}
	for _, w := range c.Winners {
		winners[w] = true
		out.Winners = append(out.Winners, name(w))
	}
	// The totals of the methods that have one per option.
	totals := map[int]string{}
	switch v.Method {
	case decide.Score:
		out.Key = "decide.result.points"
	case decide.Dot:
		out.Key = "decide.result.dots"
	case decide.Approval:
		out.Key = "decide.result.approvals"
	case decide.Schulze:
		out.Key = "decide.result.beats"
	case decide.IRV, decide.STV:
		out.Key = "decide.result.last_count"
	}
	lastRound := map[int]int{}
	for _, s := range c.Steps {
		switch {
		case s.Kind == "total" || s.Kind == "schulze_wins":
			totals[s.Option] = p.decisionNumber(s.Value)
		case s.Kind == "count" && s.Option >= 0 && s.Round >= lastRound[s.Option]:
			lastRound[s.Option] = s.Round
			totals[s.Option] = p.decisionNumber(s.Value)
		}
	}
	if v.Method == decide.Poll {
		out.Poll = p.pollRows(c, name, func(i int) time.Time {
			if i < 0 || i >= len(res.Options) {
				return time.Time{}
			}
			return byID[res.Options[i]].StartsAt
		})
	} else {
		for place, i := range c.Ranking {
			out.Ranking = append(out.Ranking, rankedOption{Place: place + 1, Name: name(i), Total: totals[i], Winner: winners[i]})
		}
	}
	if v.Method == decide.IRV || v.Method == decide.STV {
		out.Rounds = p.roundsOf(c, v.Method == decide.STV, name, len(res.Options))
	}
	if v.Method == decide.Schulze && ballots != nil {
		opts := slices.Clone(v.Options)
		slices.SortStableFunc(opts, func(a, b decide.Option) int { return a.Position - b.Position })
		pair, strong := tally.SchulzeMatrix(decide.Election(v.Decision, opts, ballots))
		sv := &schulzeView{}
		for _, o := range opts {
			sv.Names = append(sv.Names, p.optionName(v.Decision, o))
		}
		cells := func(m [][]int) [][]matrixCell {
			out := make([][]matrixCell, len(m))
			for x := range m {
				for y := range m[x] {
					out[x] = append(out[x], matrixCell{Value: m[x][y], Self: x == y, Wins: x != y && m[x][y] > m[y][x]})
				}
			}
			return out
		}
		sv.Pairwise, sv.Strongest = cells(pair), cells(strong)
		out.Schulze = sv
	}
	out.Steps = p.stepSentences(v.Method, c.Steps, name)
	return out
}

// pollRows is a meeting poll's grid: yes, maybe and no per slot, in the
// poll's order, the best slot marked.
func (p *page) pollRows(c *tally.Result, name func(int) string, start func(int) time.Time) []pollRow {
	var rows []pollRow
	index := map[int]int{}
	row := func(i int) *pollRow {
		j, ok := index[i]
		if !ok {
			j = len(rows)
			index[i] = j
			rows = append(rows, pollRow{Name: name(i), Start: start(i)})
		}
		return &rows[j]
	}
	for _, s := range c.Steps {
		switch s.Kind {
		case "total":
			r := row(s.Option)
			r.Yes, r.Maybe = int(s.Value), int(s.Detail-s.Value)
		case "no":
			row(s.Option).No = int(s.Value)
		}
	}
	if len(c.Winners) > 0 {
		if j, ok := index[c.Winners[0]]; ok {
			rows[j].Best = true
		}
	}
	// In the order of time, as people read a calendar (the count's order
	// is the lot's).
	slices.SortStableFunc(rows, func(a, b pollRow) int { return a.Start.Compare(b.Start) })
	return rows
}

// roundsOf is the table of an instant-runoff or STV count: each option's
// votes per round, what became of it, and the exhausted (non-
// transferable) votes.
func (p *page) roundsOf(c *tally.Result, stv bool, name func(int) string, options int) *roundsView {
	rv := &roundsView{STV: stv}
	last := 0
	for _, s := range c.Steps {
		last = max(last, s.Round)
	}
	for r := 1; r <= last; r++ {
		rv.Rounds = append(rv.Rounds, r)
	}
	cells := make([][]string, options)
	fate := make([]string, options)
	exhausted := make([]string, last)
	for i := range cells {
		cells[i] = make([]string, last)
	}
	for _, s := range c.Steps {
		r := s.Round - 1
		switch {
		case s.Kind == "quota":
			rv.Quota = p.decisionNumber(s.Value)
		case s.Kind == "count" && s.Option < 0 && r >= 0 && r < last:
			exhausted[r] = p.decisionNumber(s.Value)
		case s.Kind == "count" && s.Option < options && r >= 0 && r < last:
			cells[s.Option][r] = p.decisionNumber(s.Value)
		case s.Kind == "elected" && s.Option >= 0 && s.Option < options:
			fate[s.Option] = p.T("decide.rounds.elected", "round", strconv.Itoa(s.Round))
		case s.Kind == "eliminated" && s.Option >= 0 && s.Option < options:
			fate[s.Option] = p.T("decide.rounds.eliminated", "round", strconv.Itoa(s.Round))
		}
	}
	for _, i := range c.Ranking {
		if i >= 0 && i < options {
			rv.Rows = append(rv.Rows, roundRow{Name: name(i), Cells: cells[i], Fate: fate[i]})
		}
	}
	rv.Exhausted = exhausted
	return rv
}

// stepSentences writes the steps of a count as sentences. The rounds'
// counts are in their table, and a meeting poll's totals in its grid, not
// here.
func (p *page) stepSentences(m decide.Method, steps []tally.Step, name func(int) string) []string {
	var out []string
	num := p.decisionNumber
	// count is a sentence about a number of things, in the plural it
	// needs ({n} is the step's Value).
	count := func(key string, s tally.Step, args []any) string {
		return p.s.msgs.N(p.Lang, key, int(math.Round(s.Value)), args...)
	}
	for i, s := range steps {
		args := []any{"round", strconv.Itoa(s.Round), "option", name(s.Option), "value", num(s.Value), "detail", num(s.Detail)}
		switch s.Kind {
		case "count":
			continue
		case "ballots":
			line := count("decide.step.ballots", s, args)
			if s.Detail > 0 {
				line += " " + p.T("decide.step.ballots_left_out", args...)
			}
			out = append(out, line)
		case "total":
			switch m {
			case decide.Score, decide.Dot, decide.Approval:
				out = append(out, count("decide.step.total_"+string(m), s, args))
			case decide.Poll:
			default:
				out = append(out, p.T("decide.step.total", args...))
			}
		case "no":
			continue // a meeting poll's: in its grid
		case "tie":
			var tied []string
			for _, t := range s.Tied {
				tied = append(tied, name(t))
			}
			key := "decide.step.tie"
			switch {
			case s.Option < 0:
				// The simple methods: the group of options the rule put
				// in their order (Tied is that order).
				key = "decide.step.tie_order"
			case i+1 < len(steps) && steps[i+1].Option == s.Option && steps[i+1].Kind == "eliminated":
				key = "decide.step.tie_eliminated"
			case i+1 < len(steps) && steps[i+1].Option == s.Option && steps[i+1].Kind == "transfer":
				key = "decide.step.tie_transfer"
			}
			out = append(out, p.T(key, append(args, "options", strings.Join(tied, ", "),
				"rule", p.T("decide.tie_rule."+cmp.Or(s.Rule, "lot")))...))
		case "elected":
			if m == decide.STV {
				out = append(out, p.T("decide.step.elected_stv", args...))
			} else {
				out = append(out, p.T("decide.step.elected", args...))
			}
		case "unscored", "schulze_wins":
			out = append(out, count("decide.step."+s.Kind, s, args))
		case "eliminated", "quota", "transfer":
			out = append(out, p.T("decide.step."+s.Kind, args...))
		default:
			out = append(out, p.T("decide.step.other", append(args, "kind", s.Kind)...))
		}
	}
	return out
}

// decisionNumber writes a count as the reader writes numbers: whole when
// it is whole, else with up to five decimals (STV's transfer values), a
// decimal comma in Dutch.
func (p *page) decisionNumber(x float64) string {
	out := strconv.FormatFloat(math.Round(x*100000)/100000, 'f', -1, 64)
	if p.Lang == "nl" {
		out = strings.Replace(out, ".", ",", 1)
	}
	return out
}
