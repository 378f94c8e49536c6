package assess

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"samen/internal/problem"
)

// Confidence says how sure a reviewer is of a score.
const (
	ConfidenceLow    = "low"
	ConfidenceMedium = "medium"
	ConfidenceHigh   = "high"
)

// Confidences lists them from least to most sure.
var Confidences = []string{ConfidenceLow, ConfidenceMedium, ConfidenceHigh}

// Evidence is a source a score rests on: a public address, or a document
// described well enough to find it.
type Evidence struct {
	URL   string `json:"url,omitempty"`
	Title string `json:"title,omitempty"`
}

// Score is one reviewer's score of one criterion. Level nil means
// "unknown": the evidence does not say.
type Score struct {
	Criterion  string     `json:"criterion"`
	Level      *int       `json:"level"`
	Reason     string     `json:"reason,omitempty"`
	Confidence string     `json:"confidence,omitempty"`
	Evidence   []Evidence `json:"evidence,omitempty"`
}

// Review is the scores of one reviewer, or of the subject's provider
// (Self): a self-assessment is shown, marked as such, and never counted.
type Review struct {
	ReviewerID  int64
	Reviewer    string
	Self        bool
	Scores      map[string]Score // by criterion id
	SubmittedAt time.Time        // zero while a draft
}

// Submitted reports whether the review is final.
func (r Review) Submitted() bool { return !r.SubmittedAt.IsZero() }

// Settlement is the agreed score of a criterion on which reviewers
// differed by FlagSpread or more, with the written reason.
type Settlement struct {
	Criterion  string
	Level      *int
	Reason     string
	Confidence string
	By         int64
	At         time.Time
}

// FlagSpread is how far apart reviewers' scores of one criterion may be
// before they must settle it in writing.
const FlagSpread = 2

// MinReviews is how many independent reviews a publication needs.
const MinReviews = 2

// CriterionResult is where a criterion stands.
type CriterionResult struct {
	Criterion  string
	Level      *int // the consensus; nil when unknown or not yet settled
	Confidence string
	Flagged    bool // reviewers differ by FlagSpread or more
	Settled    bool
	Reason     string // the settlement's reason
	Gate       string // "", "pass", "fail" or "unknown"
}

// GroupResult is a group's score: the mean of its known criteria, 0 to
// MaxLevel. Unknown criteria are left out and counted apart.
type GroupResult struct {
	Group string
	Score *float64
	Known int
	Total int
}

// Gate outcomes for a whole assessment.
const (
	GatePass    = "pass"
	GateFail    = "fail"
	GateUnknown = "unknown"
	GateNone    = ""
)

// Result is an assessment's consensus, as far as it goes.
type Result struct {
	Criteria []CriterionResult
	Groups   []GroupResult
	// Total is the mean of the known group scores; scorecards show it
	// beside the groups, never instead of them.
	Total *float64
	// Gates is GatePass when every gate passes, GateFail when one fails,
	// GateUnknown when none fails but one is unknown.
	Gates string
	// Unsettled lists flagged criteria still waiting for a settlement.
	Unsettled []string
	// Reviews is how many independent reviews were submitted.
	Reviews int
}

// Ready reports whether a steward may publish: enough independent reviews
// and nothing left unsettled.
func (r Result) Ready() bool { return r.Reviews >= MinReviews && len(r.Unsettled) == 0 }

// Consensus combines the submitted independent reviews of an assessment
// with its settlements:
//   - a criterion nobody could score is unknown;
//   - reviewers whose known scores differ by FlagSpread or more flag it,
//     and it stays unknown until settled in writing;
//   - otherwise the consensus is the lower middle score (conservative:
//     with 2 and 3 it is 2), with the lowest confidence given;
//   - a settlement overrides all of that.
//
// Unknown scores are left out of group scores and the total.
func Consensus(f Framework, reviews []Review, settlements []Settlement) Result {
	var counted []Review
	for _, r := range reviews {
		if r.Submitted() && !r.Self {
			counted = append(counted, r)
		}
	}
	settled := map[string]Settlement{}
	for _, s := range settlements {
		settled[s.Criterion] = s
	}
	res := Result{Reviews: len(counted), Gates: GatePass}
	gated := false
	for _, g := range f.Groups {
		gr := GroupResult{Group: g.ID, Total: len(g.Criteria)}
		var sum float64
		for _, c := range g.Criteria {
			cr := CriterionResult{Criterion: c.ID}
			var known []int
			var conf []string
			for _, r := range counted {
				if s, ok := r.Scores[c.ID]; ok && s.Level != nil {
					known = append(known, *s.Level)
					conf = append(conf, s.Confidence)
				}
			}
			slices.Sort(known)
			if len(known) > 0 && known[len(known)-1]-known[0] >= FlagSpread {
				cr.Flagged = true
			}
			switch s, ok := settled[c.ID]; {
			case ok:
				cr.Level, cr.Settled, cr.Reason, cr.Confidence = s.Level, true, s.Reason, s.Confidence
			case cr.Flagged:
				res.Unsettled = append(res.Unsettled, c.ID)
			case len(known) > 0:
				cr.Level = ptr(known[(len(known)-1)/2])
				cr.Confidence = lowest(conf)
			}
			if c.Gate != nil {
				gated = true
				switch {
				case cr.Level == nil:
					cr.Gate = GateUnknown
				case *cr.Level < *c.Gate:
					cr.Gate = GateFail
				default:
					cr.Gate = GatePass
				}
				res.Gates = worse(res.Gates, cr.Gate)
			}
			if cr.Level != nil {
				gr.Known++
				sum += float64(*cr.Level)
			}
			res.Criteria = append(res.Criteria, cr)
		}
		if gr.Known > 0 {
			gr.Score = ptr(sum / float64(gr.Known))
		}
		res.Groups = append(res.Groups, gr)
	}
	if !gated {
		res.Gates = GateNone
	}
	var total float64
	n := 0
	for _, g := range res.Groups {
		if g.Score != nil {
			total += *g.Score
			n++
		}
	}
	if n > 0 {
		res.Total = ptr(total / float64(n))
	}
	return res
}

// worse returns the worse of two gate outcomes: a failure beats an
// unknown, which beats a pass.
func worse(a, b string) string {
	rank := map[string]int{GatePass: 0, GateUnknown: 1, GateFail: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// lowest returns the least sure confidence given ("" counts as low: a
// reviewer who did not say is not sure).
func lowest(conf []string) string {
	best := ConfidenceHigh
	for _, c := range conf {
		if slices.Index(Confidences, c) < slices.Index(Confidences, best) {
			best = c
		}
	}
	if best == "" {
		return ConfidenceLow
	}
	return best
}

func ptr[T any](v T) *T { return &v }

// Limits on what reviewers write.
const (
	maxReason   = 2000
	maxEvidence = 20
	maxURL      = 500
	maxTitle    = 200
)

// CheckScore validates one score against its criterion: a level on the
// scale or unknown, a known confidence, and evidence for a known level
// (a score without evidence cannot be checked by anyone else). Problems
// are named "<criterion>.<field>".
func CheckScore(f Framework, s Score) error {
	p := problem.Fields{}
	where := s.Criterion
	if _, ok := f.Criterion(s.Criterion); !ok {
		p.Add("criterion", "criterion.unknown")
		return p.Err()
	}
	if s.Level != nil && (*s.Level < 0 || *s.Level > MaxLevel) {
		p.Add(where+".level", "level.out_of_range")
	}
	if s.Confidence != "" && !slices.Contains(Confidences, s.Confidence) {
		p.Add(where+".confidence", "choice.unknown")
	}
	if s.Level != nil && s.Confidence == "" {
		p.Add(where+".confidence", "required")
	}
	if utf8.RuneCountInString(s.Reason) > maxReason {
		p.Add(where+".reason", "too_long")
	}
	if s.Level != nil && strings.TrimSpace(s.Reason) == "" {
		p.Add(where+".reason", "required")
	}
	if len(s.Evidence) > maxEvidence {
		p.Add(where+".evidence", "too_many")
	}
	for _, e := range s.Evidence {
		switch {
		case e.URL == "" && strings.TrimSpace(e.Title) == "":
			p.Add(where+".evidence", "evidence.empty")
		case e.URL != "" && !webURL(e.URL):
			p.Add(where+".evidence", "url.invalid")
		case utf8.RuneCountInString(e.Title) > maxTitle:
			p.Add(where+".evidence", "too_long")
		}
	}
	if s.Level != nil && len(s.Evidence) == 0 {
		p.Add(where+".evidence", "evidence.required")
	}
	return p.Err()
}
