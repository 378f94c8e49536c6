// Package tally counts ballots. Every counting rule of samen lives here as a
// pure function on plain values — no SQL, no HTTP, no language — so that the
// site, `samen tally` and the tests share one implementation
// (ARCHITECTURE.md, "Counting rules as pure functions").
//
// Options and projects are numbered by their index in the election or
// budget (0-based); the file formats (BLT, pabulib .pb, CSV) carry the ids a
// person sees, and a Result is turned back into those ids by whoever read
// the file.
//
// Every rule is deterministic. Where the rule itself leaves a tie, samen
// breaks it by the order of the options: the order is drawn by lot once,
// when voting opens, and written into the ballot file, so anyone re-counting
// the file breaks the tie the same way. Each method's own tie-break (say
// STV's look back to earlier stages) comes before that lot and is named in
// its Step records.
package tally

import "strconv"

// Result is the outcome of a count.
type Result struct {
	// Method is the rule that counted, as `samen tally --method` names it.
	Method string `json:"method"`
	// Winners are the elected options or funded projects, in the order the
	// rule chose them.
	Winners []int `json:"winners"`
	// Ranking orders every option (or project) from best to worst, ties
	// broken as the method says; methods that only elect leave it to the
	// order of election followed by the rest.
	Ranking []int `json:"ranking"`
	// Steps say why: one record per event of the count, in order, for the
	// page that explains the result. Codes, not sentences: the web layer
	// writes them in the reader's language.
	Steps []Step `json:"steps,omitempty"`
}

// Step is one event of a count: an option elected or eliminated, votes
// transferred, a project funded or skipped, a tie broken.
type Step struct {
	// Round counts from 1.
	Round int `json:"round"`
	// Kind is what happened: "elected", "eliminated", "excluded",
	// "transfer", "funded", "skipped", "tie", "quota", "budget_raised" …
	// (each method documents the kinds it writes).
	Kind string `json:"kind"`
	// Option is the option or project the step is about; -1 when none.
	Option int `json:"option"`
	// Value is the step's number in the method's unit (votes, a quota, a
	// price per voter in cents); Detail carries a second one when needed.
	Value  float64 `json:"value,omitempty"`
	Detail float64 `json:"detail,omitempty"`
	// Tied lists the options a tie-break chose between.
	Tied []int `json:"tied,omitempty"`
	// Rule names the tie-break used: "earlier_round", "lot".
	Rule string `json:"rule,omitempty"`
}

// FileError is a ballot file that cannot be read: where (a line counted
// from 1; 0 for the file as a whole) and why, as a message code
// ("tally.blt.weight") that the site and the command line put in their
// reader's words (internal/web/i18n/*/tally.json).
type FileError struct {
	Line int
	Code string
}

func (e *FileError) Error() string {
	if e.Line == 0 {
		return "ballot file: " + e.Code
	}
	return "ballot file, line " + strconv.Itoa(e.Line) + ": " + e.Code
}
