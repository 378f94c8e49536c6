// Package match is the match-funding rule of samen's pools (issue 14,
// "Funding together"): Goteo's "duplicate" rule, which adds factor × every
// contribution a project receives out of a pool of funders' money within
// the pool's caps, and its "criteria" rule, a fixed grant once a project
// has a share of its goal and a number of backers. Pure functions and a
// Pool that holds a pool's state in memory — no SQL, no HTTP, no
// language — so that the site (which keeps the state in the ledger),
// `samen match simulate` and the tests share one implementation
// (ARCHITECTURE.md, "Counting rules as pure functions").
//
// The duplicate rule, for each successful contribution, in time order:
//
//  1. match = ⌊min(contribution, cap per contribution) × factor⌋ cents;
//  2. 0 if this contributor already has the maximum of matched
//     contributions on this project;
//  3. capped so that the pool's total on the project stays within the cap
//     per project;
//  4. capped at what the pool has left;
//  5. split over the funders in proportion to what each has left, each
//     share rounded down, and the cents that remain one by one to the
//     funders with the most left (ties: the funders' order).
//
// A refunded contribution returns its match to the funders exactly as it
// was split; an all-or-nothing campaign that misses its minimum refunds
// every contribution (RefundProject).
//
// Where the issue leaves a choice, this package decides (and the tests
// hold it to it):
//
//   - Money is int64 cents; no amount above MaxCents is taken, so that
//     every sum the rules make fits. The factor is a Ratio, exact: ⌊x ×
//     3/2⌋ is computed in integers, never in floating point.
//   - A cap of 0 is no cap (the cap per contribution, per project, the
//     number of matched contributions per contributor); a factor is above
//     0, at most MaxFactor.
//   - A contribution counts towards its contributor's maximum only when
//     its match was more than 0: one the pool could not match (empty, or
//     the project's cap reached) takes nothing from the contributor's
//     allowance. A refund gives the allowance back.
//   - "The funders with the most left" in step 5 is what they had left
//     before this split: the split is one decision, not a sequence.
//   - Each match is independent of the funders' names; only their order
//     breaks ties.
package match

import (
	"math/bits"
	"slices"
	"strconv"
)

const (
	// MaxCents is the largest amount the rules take, in cents: a
	// contribution, a cap, a funder's money and all funders' together
	// (10^13 cents, a hundred thousand million euros). Below it a product
	// of two amounts fits in 128 bits and every sum in 63.
	MaxCents int64 = 10_000_000_000_000
	// MaxFactor is the largest factor: a pool gives at most 1000 times
	// what is given.
	MaxFactor = 1000
	// MaxFactorDen is the largest denominator of a factor (nine decimals).
	MaxFactorDen = 1_000_000_000
	// MaxFunders is how many funders one pool may have: every match is
	// split over all of them.
	MaxFunders = 1000
	// MaxIDLen is the longest id (of a funder, contribution, project or
	// contributor) in bytes.
	MaxIDLen = 200
)

// Ratio is an exact fraction Num/Den, Den > 0: a pool's factor (3/2 for
// "1.5") or the criteria rule's share of a goal (1/2 for half).
type Ratio struct {
	Num, Den int64
}

// Whole is the ratio n/1.
func Whole(n int64) Ratio { return Ratio{Num: n, Den: 1} }

// Percent is the ratio p/100.
func Percent(p int64) Ratio { return Ratio{Num: p, Den: 100}.reduced() }

// Of is ⌊x × r⌋ for 0 ≤ x ≤ MaxCents and r above 0, computed in 128 bits
// so that nothing is lost; ok is false when r is not above 0, x is out of
// range, or the result would not fit (never for a factor NewPool takes).
func (r Ratio) Of(x int64) (n int64, ok bool) {
	if x < 0 || x > MaxCents || r.Num <= 0 || r.Den <= 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(x), uint64(r.Num))
	if hi >= uint64(r.Den) {
		return 0, false // the quotient would not fit in 64 bits
	}
	q, _ := bits.Div64(hi, lo, uint64(r.Den))
	if q > 1<<62 {
		return 0, false
	}
	return int64(q), true
}

// atLeast reports whether a ≥ r × b for a, b ≥ 0, exactly: a × Den ≥
// b × Num in 128 bits.
func (r Ratio) atLeast(a, b int64) bool {
	ahi, alo := bits.Mul64(uint64(a), uint64(r.Den))
	bhi, blo := bits.Mul64(uint64(b), uint64(r.Num))
	return ahi > bhi || (ahi == bhi && alo >= blo)
}

func (r Ratio) reduced() Ratio {
	a, b := r.Num, r.Den
	if a < 0 {
		a = -a
	}
	for b != 0 {
		a, b = b, a%b
	}
	if a <= 1 {
		return r
	}
	return Ratio{Num: r.Num / a, Den: r.Den / a}
}

// String writes r as a decimal when it has one of at most 18 places
// ("1.5", "2"), and as a fraction otherwise ("1/3").
func (r Ratio) String() string {
	r = r.reduced()
	fraction := strconv.FormatInt(r.Num, 10) + "/" + strconv.FormatInt(r.Den, 10)
	if r.Den <= 0 || r.Num < 0 {
		return fraction
	}
	// The fewest places p with 10^p a multiple of Den, if any.
	scale, places := int64(1), 0
	for scale%r.Den != 0 {
		if places == 18 {
			return fraction
		}
		scale, places = scale*10, places+1
	}
	hi, lo := bits.Mul64(uint64(r.Num), uint64(scale/r.Den))
	if hi != 0 || lo > 1<<63-1 {
		return fraction
	}
	digits := strconv.FormatUint(lo, 10)
	for len(digits) <= places {
		digits = "0" + digits
	}
	if places == 0 {
		return digits
	}
	return digits[:len(digits)-places] + "." + digits[len(digits)-places:]
}

// Rules are a duplicate pool's settings.
type Rules struct {
	// Factor is what the pool adds per cent given: Whole(1) doubles a
	// contribution, Ratio{3, 2} adds one and a half times it.
	Factor Ratio
	// MaxPerContribution caps the part of one contribution that is
	// matched (step 1), in cents; 0 is no cap.
	MaxPerContribution int64
	// MaxPerProject caps what the pool gives one project in all (step 3),
	// in cents; 0 is no cap.
	MaxPerProject int64
	// MaxMatchedPerContributor is how many contributions of one
	// contributor to one project the pool matches (step 2); 0 is no
	// limit.
	MaxMatchedPerContributor int
}

// Funder is one who puts money in a pool.
type Funder struct {
	ID    string
	Cents int64
}

// Contribution is a successful contribution to a project.
type Contribution struct {
	// ID names the contribution, once per pool: its refund names it.
	ID string
	// Project is what the contribution funds (a campaign).
	Project string
	// Contributor is who gave (an account, or a hash of an address): the
	// maximum of matched contributions counts per contributor.
	Contributor string
	Cents       int64
}

// Share is what one funder gives of a match.
type Share struct {
	Funder string
	Cents  int64
}

// Limits name the step that made a match smaller than ⌊contribution ×
// factor⌋ (Result.Limit).
const (
	LimitContribution = "contribution" // step 1: the cap per contribution
	LimitContributor  = "contributor"  // step 2: the contributor's maximum of matched contributions
	LimitProject      = "project"      // step 3: the cap per project
	LimitPool         = "pool"         // step 4: what the pool has left
)

// Limits lists the limits, in the order of the steps.
var Limits = []string{LimitContribution, LimitContributor, LimitProject, LimitPool}

// Result is the match of one contribution (or a criteria grant, which has
// no Contribution).
type Result struct {
	Contribution string
	Project      string
	// Cents is the match, the sum of Shares.
	Cents int64
	// Shares are the funders' parts, in the pool's order of funders;
	// funders who give nothing are left out.
	Shares []Share
	// Limit names the last step that lowered the match (one of Limits),
	// or is "" when the whole of ⌊contribution × factor⌋ was matched.
	Limit string
}

// Step is the duplicate rule's steps 1 to 4 for one contribution of cents:
// onProject is what the pool has given the project so far, matchedBefore
// how many of this contributor's contributions to it the pool matched
// (with more than 0), and left what the pool has left, all funders
// together. It returns the match and the step that limited it (see
// Result.Limit). The service layer, which keeps these numbers in the
// ledger, calls it with them; Pool calls it with its own.
func (r Rules) Step(cents, onProject int64, matchedBefore int, left int64) (match int64, limit string) {
	// 1. ⌊min(contribution, cap per contribution) × factor⌋.
	base := cents
	if r.MaxPerContribution > 0 && base > r.MaxPerContribution {
		base, limit = r.MaxPerContribution, LimitContribution
	}
	match, ok := r.Factor.Of(base)
	if !ok {
		// Validated rules never get here; a wrong factor matches nothing.
		return 0, ""
	}
	// 2. Nothing past the contributor's number of matched contributions.
	if r.MaxMatchedPerContributor > 0 && matchedBefore >= r.MaxMatchedPerContributor && match > 0 {
		match, limit = 0, LimitContributor
	}
	// 3. The pool's total on the project stays within its cap.
	if r.MaxPerProject > 0 {
		if room := max(r.MaxPerProject-onProject, 0); match > room {
			match, limit = room, LimitProject
		}
	}
	// 4. At most what the pool has left.
	if left = max(left, 0); match > left {
		match, limit = left, LimitPool
	}
	return match, limit
}

// Split is step 5: cents split over funders in proportion to what each
// has left (left, in the funders' order), each share rounded down, and
// the cents that remain one by one to the funders with the most left
// before this split, ties to the earlier funder. cents must be from 0 to
// the sum of left, and every left from 0 to MaxCents with a sum of at most
// MaxCents; otherwise Split returns nil.
//
// No funder gives more than it has: a share rounded down is below what
// its funder has left whenever cents is below the sum (and is all of it
// when cents is the sum, with nothing to hand out), and the cents that
// remain are fewer than the funders with anything left, so each goes to a
// different one of them.
func Split(cents int64, left []int64) []int64 {
	out := make([]int64, len(left))
	if !split(cents, left, out, nil) {
		return nil
	}
	return out
}

// split is Split into out, with order as room to sort in (nil: make
// some).
func split(cents int64, left, out []int64, order []int) bool {
	var total int64
	for _, l := range left {
		if l < 0 || l > MaxCents {
			return false
		}
		total += l
	}
	if cents < 0 || cents > total || total > MaxCents {
		return false
	}
	clear(out)
	if cents == 0 {
		return true
	}
	var given int64
	for i, l := range left {
		// ⌊cents × l / total⌋ < 2^63: cents ≤ total.
		hi, lo := bits.Mul64(uint64(cents), uint64(l))
		q, _ := bits.Div64(hi, lo, uint64(total))
		out[i] = int64(q)
		given += out[i]
	}
	remain := cents - given
	if remain == 0 {
		return true
	}
	order = order[:0]
	for i, l := range left {
		if l > 0 {
			order = append(order, i)
		}
	}
	// Most left first; SortStableFunc keeps the funders' order in a tie.
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case left[a] > left[b]:
			return -1
		case left[a] < left[b]:
			return 1
		}
		return 0
	})
	for _, i := range order[:remain] {
		out[i]++
	}
	return true
}
