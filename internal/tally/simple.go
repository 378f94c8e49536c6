package tally

import (
	"slices"
	"strings"
)

// The simple rules: a motion decided by consent or by majority, and options
// compared by score, dots, approvals or a meeting poll's answers. Each
// counts plain values: positions as words, options by their index (0-based,
// in the lot order), and returns plain values. A ballot its Check function
// refuses is left out of the count, and the count says how many it left out
// (MotionResult.Invalid; a "ballots" Step), so a count never fails; the
// site checks every ballot when it is cast, so its counts leave none out.

// Positions and answers, in the order a form offers them.
var (
	// ConsentPositions are a consent ballot's positions.
	ConsentPositions = []string{"agree", "abstain", "object", "block"}
	// MajorityPositions are a majority ballot's positions.
	MajorityPositions = []string{"yes", "no", "abstain"}
	// PollAnswers are a meeting poll's answers to one time slot; a slot
	// left blank ("") is not answered.
	PollAnswers = []string{"yes", "maybe", "no"}
	// Thresholds a majority vote can require, from the lowest.
	Thresholds = []string{"half", "two_thirds", "three_quarters", "unanimous"}
)

// MaxScore is the highest score a score ballot gives an option.
const MaxScore = 5

// Motion is how a proposal voted on as a whole is decided.
type Motion struct {
	// Electorate is how many people may vote, fixed when voting opens; 0
	// when unknown (then no quorum can be counted, and none is).
	Electorate int
	// QuorumPercent is the share of the electorate, 0–100, that must cast
	// a ballot for the vote to count; 0 asks for none.
	QuorumPercent int
	// Threshold is what a majority vote needs: one of Thresholds; ""
	// means "half". Consent has none.
	Threshold string
}

// MotionResult is the outcome of a motion.
type MotionResult struct {
	// Method is "consent" or "majority".
	Method string `json:"method"`
	// Counts holds every position of the method with its number of
	// ballots, zeros included.
	Counts map[string]int `json:"counts"`
	// Cast is the number of ballots counted, abstentions included.
	Cast int `json:"cast"`
	// Invalid is the number of ballots left out: a position that is not
	// one of the method's (CheckConsent, CheckMajority).
	Invalid int `json:"invalid,omitempty"`
	// QuorumNeeded is the number of ballots the quorum asks for: the
	// quorum's share of the electorate, rounded up; 0 when none.
	QuorumNeeded int  `json:"quorum_needed"`
	QuorumMet    bool `json:"quorum_met"`
	// Passed: the motion is adopted.
	Passed bool `json:"passed"`
	// Blocked: someone blocked a consent.
	Blocked bool `json:"blocked,omitempty"`
}

// CheckMotion says what is wrong with a motion's settings, as a message
// code, or "" when nothing is: "tally.motion.quorum" (not 0–100),
// "tally.motion.electorate" (negative, or unknown while a quorum is asked)
// or "tally.motion.threshold" (not one of Thresholds, nor "").
func CheckMotion(m Motion) string {
	switch {
	case m.QuorumPercent < 0 || m.QuorumPercent > 100:
		return "tally.motion.quorum"
	case m.Electorate < 0 || (m.QuorumPercent > 0 && m.Electorate == 0):
		return "tally.motion.electorate"
	case m.Threshold != "" && !slices.Contains(Thresholds, m.Threshold):
		return "tally.motion.threshold"
	}
	return ""
}

// motionCount counts positions of the given kinds and the quorum.
func motionCount(method string, m Motion, positions, kinds []string) MotionResult {
	r := MotionResult{Method: method, Counts: make(map[string]int, len(kinds))}
	for _, k := range kinds {
		r.Counts[k] = 0
	}
	for _, p := range positions {
		if _, ok := r.Counts[p]; ok {
			r.Counts[p]++
			r.Cast++
		} else {
			r.Invalid++
		}
	}
	if m.QuorumPercent > 0 && m.Electorate > 0 {
		q := min(m.QuorumPercent, 100)
		r.QuorumNeeded = (m.Electorate*q + 99) / 100
	}
	r.QuorumMet = r.Cast >= r.QuorumNeeded
	return r
}

// Consent counts a consent: each ballot agrees, abstains, objects or
// blocks (a block gives a reason; the site asks for it). The proposal
// passes when the quorum is met and nobody blocks; objections are counted
// and shown, but do not stop it. The quorum is counted on ballots cast
// (abstentions and objections included) against the electorate. With no
// quorum, a consent nobody answered passes: silence is consent.
func Consent(m Motion, positions []string) MotionResult {
	r := motionCount("consent", m, positions, ConsentPositions)
	r.Blocked = r.Counts["block"] > 0
	r.Passed = r.QuorumMet && !r.Blocked
	return r
}

// Majority counts a majority vote: each ballot says yes, no or abstain.
// The quorum is counted on ballots cast against the electorate: the share
// of the electorate that cast a ballot, abstentions included, must reach
// the quorum percentage (Loomio, too, compares its quorum with the
// electorate). The threshold then compares yes with yes and no together,
// abstentions left out, so that abstaining never counts as no:
//
//   - "half" (or ""): yes is more than half of yes and no (a tie fails);
//   - "two_thirds": yes is at least two thirds of yes and no;
//   - "three_quarters": yes is at least three quarters of yes and no;
//   - "unanimous": nobody says no.
//
// Every threshold also needs at least one yes. The proposal passes when
// the quorum is met and the threshold is reached; an unknown threshold
// never passes (CheckMotion refuses it). Integer arithmetic only.
func Majority(m Motion, positions []string) MotionResult {
	r := motionCount("majority", m, positions, MajorityPositions)
	yes, no := r.Counts["yes"], r.Counts["no"]
	var reached bool
	switch m.Threshold {
	case "", "half":
		reached = 2*yes > yes+no
	case "two_thirds":
		reached = yes > 0 && 3*yes >= 2*(yes+no)
	case "three_quarters":
		reached = yes > 0 && 4*yes >= 3*(yes+no)
	case "unanimous":
		reached = yes > 0 && no == 0
	}
	r.Passed = r.QuorumMet && reached
	return r
}

// CheckConsent says what is wrong with a consent ballot, as a message code,
// or "" when nothing is: "tally.ballot.position" (not one of
// ConsentPositions) or "tally.ballot.reason" (a block without a reason).
func CheckConsent(position, reason string) string {
	switch {
	case !slices.Contains(ConsentPositions, position):
		return "tally.ballot.position"
	case position == "block" && strings.TrimSpace(reason) == "":
		return "tally.ballot.reason"
	}
	return ""
}

// CheckMajority says what is wrong with a majority ballot:
// "tally.ballot.position" (not one of MajorityPositions), or "".
func CheckMajority(position string) string {
	if !slices.Contains(MajorityPositions, position) {
		return "tally.ballot.position"
	}
	return ""
}

// CheckScore says what is wrong with a score ballot (one value per option,
// in order; -1 or a missing value at the end leaves an option unscored):
// "tally.ballot.options" (more values than options),
// "tally.ballot.score_range" (not -1 and not 0–MaxScore), or "".
func CheckScore(options int, ballot []int) string {
	if len(ballot) > options {
		return "tally.ballot.options"
	}
	for _, v := range ballot {
		if v < -1 || v > MaxScore {
			return "tally.ballot.score_range"
		}
	}
	return ""
}

// CheckDots says what is wrong with a dot ballot (the number of dots on
// each option, in order; missing values at the end are 0):
// "tally.ballot.options", "tally.ballot.dots_range" (a negative number),
// "tally.ballot.too_many_dots" (more than dots in all; dots < 1 sets no
// limit), or "".
func CheckDots(options, dots int, ballot []int) string {
	if len(ballot) > options {
		return "tally.ballot.options"
	}
	total := 0
	for _, v := range ballot {
		if v < 0 {
			return "tally.ballot.dots_range"
		}
		total += v
		if dots > 0 && total > dots {
			return "tally.ballot.too_many_dots"
		}
	}
	return ""
}

// CheckApproval says what is wrong with an approval ballot (the indices of
// the options it approves): "tally.ballot.choice" (no such option),
// "tally.ballot.duplicate" (an option twice), "tally.ballot.too_many_choices"
// (more than max; max < 1 sets no limit), or "".
func CheckApproval(options, max int, chosen []int) string {
	for i, o := range chosen {
		if o < 0 || o >= options {
			return "tally.ballot.choice"
		}
		if slices.Contains(chosen[:i], o) {
			return "tally.ballot.duplicate"
		}
	}
	if max > 0 && len(chosen) > max {
		return "tally.ballot.too_many_choices"
	}
	return ""
}

// CheckPoll says what is wrong with a meeting poll's ballot (one answer per
// time slot, in order; "" or a missing answer at the end is no answer):
// "tally.ballot.options", "tally.ballot.answer" (not one of PollAnswers
// nor ""), or "".
func CheckPoll(options int, answers []string) string {
	if len(answers) > options {
		return "tally.ballot.options"
	}
	for _, a := range answers {
		if a != "" && !slices.Contains(PollAnswers, a) {
			return "tally.ballot.answer"
		}
	}
	return ""
}

// simpleRank orders options by their keys, the highest first, key by key,
// and then by their order (the lot). rules names each key after the first
// as a tie-break. It returns the ranking and a "tie" Step for every group
// of two or more options that the keys so far leave level, naming the rule
// that separates them next ("lot" after the last key), Value the group's
// first key, Tied the group in ranking order.
func simpleRank(keys [][]int, rules []string) ([]int, []Step) {
	ranking := make([]int, len(keys))
	for i := range ranking {
		ranking[i] = i
	}
	slices.SortStableFunc(ranking, func(a, b int) int {
		for k := range keys[a] {
			if keys[a][k] != keys[b][k] {
				if keys[a][k] > keys[b][k] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
	var steps []Step
	var split func(group []int, level int)
	split = func(group []int, level int) {
		for start := 0; start < len(group); {
			end := start + 1
			for end < len(group) && keys[group[end]][level] == keys[group[start]][level] {
				end++
			}
			if run := group[start:end]; len(run) > 1 {
				rule := "lot"
				if level+1 < len(keys[run[0]]) {
					rule = rules[level]
				}
				steps = append(steps, Step{Round: 1, Kind: "tie", Option: -1,
					Value: float64(keys[run[0]][0]), Tied: slices.Clone(run), Rule: rule})
				if level+1 < len(keys[run[0]]) {
					split(run, level+1)
				}
			}
			start = end
		}
	}
	if len(keys) > 0 {
		split(ranking, 0)
	}
	return ranking, steps
}

// simpleResult puts a ranked count together: the "ballots" Step (Value the
// ballots counted, Detail those left out), one "total" Step per option in
// ranking order (Value its first key, Detail its second), then extra steps
// per option, then the ties. The first option wins when won says so.
func simpleResult(method string, counted, invalid int, keys [][]int, rules []string, extra func(option int) []Step, won func(option int) bool) Result {
	ranking, ties := simpleRank(keys, rules)
	r := Result{Method: method, Winners: []int{}, Ranking: ranking}
	r.Steps = append(r.Steps, Step{Round: 1, Kind: "ballots", Option: -1, Value: float64(counted), Detail: float64(invalid)})
	for _, o := range ranking {
		s := Step{Round: 1, Kind: "total", Option: o, Value: float64(keys[o][0])}
		if len(keys[o]) > 1 {
			s.Detail = float64(keys[o][1])
		}
		r.Steps = append(r.Steps, s)
		if extra != nil {
			r.Steps = append(r.Steps, extra(o)...)
		}
	}
	r.Steps = append(r.Steps, ties...)
	if len(ranking) > 0 && won(ranking[0]) {
		r.Winners = append(r.Winners, ranking[0])
	}
	return r
}

// Score counts a score vote: each ballot gives every option a score from 0
// to 5 (-1, or a value missing at the end, leaves it unscored, which counts
// as 0 and is reported apart). Options rank by their total score; a tie goes
// to the option more ballots gave the top score 5, then to the lot order
// (earlier first). The first option wins if it has any points.
//
// Steps: "ballots" (Value counted, Detail left out by CheckScore); per
// option "total" (Value the total, Detail the number of 5s) and
// "unscored" (Value the ballots that left it unscored, when any); "tie"
// with Rule "top_scores", then "lot".
func Score(options int, ballots [][]int) Result {
	keys := simpleKeys(options, 2)
	unscored := make([]int, options)
	counted, invalid := 0, 0
	for _, b := range ballots {
		if CheckScore(options, b) != "" {
			invalid++
			continue
		}
		counted++
		for o := range options {
			v := -1
			if o < len(b) {
				v = b[o]
			}
			switch {
			case v < 0:
				unscored[o]++
			case v == MaxScore:
				keys[o][1]++
				fallthrough
			default:
				keys[o][0] += v
			}
		}
	}
	return simpleResult("score", counted, invalid, keys, []string{"top_scores"},
		func(o int) []Step {
			if unscored[o] == 0 {
				return nil
			}
			return []Step{{Round: 1, Kind: "unscored", Option: o, Value: float64(unscored[o])}}
		},
		func(o int) bool { return keys[o][0] > 0 })
}

// Dots counts a dot vote: each ballot spreads up to dots dots over the
// options, several on one option if it likes (dots < 1 sets no limit).
// Options rank by their dots; a tie goes to the option more ballots gave
// any dot, then to the lot order. The first option wins if it has a dot.
//
// Steps: "ballots" (Value counted, Detail left out by CheckDots); per
// option "total" (Value its dots, Detail the ballots that gave it any);
// "tie" with Rule "ballots", then "lot".
func Dots(options, dots int, ballots [][]int) Result {
	keys := simpleKeys(options, 2)
	counted, invalid := 0, 0
	for _, b := range ballots {
		if CheckDots(options, dots, b) != "" {
			invalid++
			continue
		}
		counted++
		for o, v := range b {
			if v > 0 {
				keys[o][0] += v
				keys[o][1]++
			}
		}
	}
	return simpleResult("dot", counted, invalid, keys, []string{"ballots"}, nil,
		func(o int) bool { return keys[o][0] > 0 })
}

// Approval counts an approval vote: each ballot approves up to max options
// (max < 1 sets no limit), given as their indices. Options rank by their
// approvals; a tie goes to the lot order. The first option wins if anyone
// approved it.
//
// Steps: "ballots" (Value counted, Detail left out by CheckApproval); per
// option "total" (Value its approvals); "tie" with Rule "lot".
func Approval(options, max int, ballots [][]int) Result {
	keys := simpleKeys(options, 1)
	counted, invalid := 0, 0
	for _, b := range ballots {
		if CheckApproval(options, max, b) != "" {
			invalid++
			continue
		}
		counted++
		for _, o := range b {
			keys[o][0]++
		}
	}
	return simpleResult("approval", counted, invalid, keys, nil, nil,
		func(o int) bool { return keys[o][0] > 0 })
}

// Poll counts a meeting poll: each ballot answers yes, maybe or no for
// each time slot, or leaves it blank (no answer). The best slot has the
// most yes; a tie goes to the most yes and maybe together, then to the
// fewest no, then to the earlier slot in the poll's order. The first slot
// is chosen if anyone can come (yes or maybe).
//
// Steps: "ballots" (Value counted, Detail left out by CheckPoll); per slot
// "total" (Value its yes, Detail its yes and maybe together), "no" (Value
// its no); "tie" with Rule "yes_or_maybe", then "fewest_no", then "lot".
func Poll(options int, ballots [][]string) Result {
	keys := simpleKeys(options, 3) // yes, yes+maybe, -no
	counted, invalid := 0, 0
	for _, b := range ballots {
		if CheckPoll(options, b) != "" {
			invalid++
			continue
		}
		counted++
		for o, a := range b {
			switch a {
			case "yes":
				keys[o][0]++
				keys[o][1]++
			case "maybe":
				keys[o][1]++
			case "no":
				keys[o][2]--
			}
		}
	}
	return simpleResult("poll", counted, invalid, keys, []string{"yes_or_maybe", "fewest_no"},
		func(o int) []Step {
			return []Step{{Round: 1, Kind: "no", Option: o, Value: float64(-keys[o][2])}}
		},
		func(o int) bool { return keys[o][1] > 0 })
}

// simpleKeys makes a zeroed key vector of length n for every option.
func simpleKeys(options, n int) [][]int {
	if options < 0 {
		options = 0
	}
	flat := make([]int, options*n)
	keys := make([][]int, options)
	for o := range keys {
		keys[o] = flat[o*n : (o+1)*n : (o+1)*n]
	}
	return keys
}
