package decide

import (
	"slices"
	"strings"

	"samen/internal/tally"
)

// Result is a counted decision: what internal/tally found, with the
// options named by their ids so that the page, the API and the downloads
// agree.
type Result struct {
	Method     Method `json:"method"`
	Ballots    int    `json:"ballots"`
	Electorate int    `json:"electorate"`
	// Options are the option ids in the lot order: index i of Count's
	// winners, ranking and steps is Options[i].
	Options []int64 `json:"options,omitempty"`
	// Motion is a consent or majority vote's outcome.
	Motion *tally.MotionResult `json:"motion,omitempty"`
	// Count is the outcome between options.
	Count *tally.Result `json:"count,omitempty"`
}

// Winners are the ids of the winning options, in the order the method
// chose them.
func (r Result) Winners() []int64 {
	return r.ids(r.Count, func(c *tally.Result) []int { return c.Winners })
}

// Ranking are the ids of the options from the best to the worst.
func (r Result) Ranking() []int64 {
	return r.ids(r.Count, func(c *tally.Result) []int { return c.Ranking })
}

func (r Result) ids(c *tally.Result, pick func(*tally.Result) []int) []int64 {
	if c == nil {
		return nil
	}
	var out []int64
	for _, i := range pick(c) {
		if i >= 0 && i < len(r.Options) {
			out = append(out, r.Options[i])
		}
	}
	return out
}

// Count counts ballots for decision d with its method. The options' order
// is their lot order (Position), which every method uses to break the ties
// its own rule leaves.
func Count(d Decision, ballots []Ballot) Result {
	opts := slices.Clone(d.Options)
	slices.SortStableFunc(opts, func(a, b Option) int { return a.Position - b.Position })
	index := make(map[int64]int, len(opts))
	r := Result{Method: d.Method, Ballots: len(ballots), Electorate: d.Electorate}
	for i, o := range opts {
		index[o.ID] = i
		r.Options = append(r.Options, o.ID)
	}
	n := len(opts)
	switch d.Method {
	case Consent, Majority:
		positions := make([]string, len(ballots))
		for i, b := range ballots {
			positions[i] = b.Position
		}
		m := tally.Motion{Electorate: d.Electorate, QuorumPercent: d.Params.Quorum, Threshold: d.Params.Threshold}
		var mr tally.MotionResult
		if d.Method == Consent {
			mr = tally.Consent(m, positions)
		} else {
			mr = tally.Majority(m, positions)
		}
		r.Motion = &mr
		r.Options = nil
	case Score:
		rows := make([][]int, len(ballots))
		for i, b := range ballots {
			row := make([]int, n)
			for j := range row {
				row[j] = -1
			}
			for id, v := range b.Values {
				if j, ok := index[id]; ok {
					row[j] = v
				}
			}
			rows[i] = row
		}
		c := tally.Score(n, rows)
		r.Count = &c
	case Dot:
		rows := make([][]int, len(ballots))
		for i, b := range ballots {
			row := make([]int, n)
			for id, v := range b.Values {
				if j, ok := index[id]; ok {
					row[j] = v
				}
			}
			rows[i] = row
		}
		c := tally.Dots(n, d.Params.Dots, rows)
		r.Count = &c
	case Approval:
		rows := make([][]int, len(ballots))
		for i, b := range ballots {
			var chosen []int
			for id, v := range b.Values {
				if j, ok := index[id]; ok && v == 1 {
					chosen = append(chosen, j)
				}
			}
			slices.Sort(chosen)
			rows[i] = chosen
		}
		c := tally.Approval(n, d.Params.MaxChoices, rows)
		r.Count = &c
	case Poll:
		rows := make([][]string, len(ballots))
		for i, b := range ballots {
			row := make([]string, n)
			for id, a := range b.Answers {
				if j, ok := index[id]; ok {
					row[j] = a
				}
			}
			rows[i] = row
		}
		c := tally.Poll(n, rows)
		r.Count = &c
	case Schulze, IRV, STV:
		e := Election(d, opts, ballots)
		var c tally.Result
		switch d.Method {
		case Schulze:
			c = tally.Schulze(e)
		case IRV:
			c = tally.IRV(e)
		default:
			c = tally.STV(e)
		}
		r.Count = &c
	}
	return r
}

// Election is a ranked decision's ballots as internal/tally counts them
// (and as the BLT download writes them), options in the order opts gives.
func Election(d Decision, opts []Option, ballots []Ballot) tally.Election {
	index := make(map[int64]int, len(opts))
	e := tally.Election{Title: bltName(d.Title), Seats: 1}
	if d.Method == STV {
		e.Seats = d.Params.Seats
	}
	for i, o := range opts {
		index[o.ID] = i
		e.Options = append(e.Options, bltName(o.Label))
	}
	for _, b := range ballots {
		ranks := map[int][]int{}
		var order []int
		for id, rank := range b.Values {
			j, ok := index[id]
			if !ok || rank < 1 {
				continue
			}
			if _, seen := ranks[rank]; !seen {
				order = append(order, rank)
			}
			ranks[rank] = append(ranks[rank], j)
		}
		if len(order) == 0 {
			continue
		}
		slices.Sort(order)
		rb := tally.RankedBallot{Weight: 1}
		for _, rank := range order {
			group := ranks[rank]
			slices.Sort(group)
			rb.Ranks = append(rb.Ranks, group)
		}
		e.Ballots = append(e.Ballots, rb)
	}
	return e
}

// bltName is a title or option as a BLT file can quote it: the format has
// no escape for a double quote, so it becomes a typographic one.
func bltName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '”'
		case r < 0x20 || r == 0x7f:
			return ' '
		}
		return r
	}, s)
}
