package decide

import (
	"slices"
	"strconv"
	"strings"

	"samen/internal/problem"
	"samen/internal/textcheck"
)

// Positions a motion's ballot takes.
var (
	ConsentPositions  = []string{"agree", "abstain", "object", "block"}
	MajorityPositions = []string{"yes", "no", "abstain"}
	PollAnswers       = []string{"yes", "maybe", "no"}
)

// Ballot is one voter's choice, for any method. Options are named by their
// id (stable), never by their place on the page.
type Ballot struct {
	// Position is a motion's answer: one of ConsentPositions or
	// MajorityPositions.
	Position string `json:"position,omitempty"`
	// Reason explains an objection or a block (a block needs one).
	Reason string `json:"reason,omitempty"`
	// Values per option: a score 0–5, a number of dots, 1 for an approved
	// option, or a rank (1 is first; equal ranks are ties). Options left
	// out are unscored, undotted, not approved or unranked.
	Values map[int64]int `json:"values,omitempty"`
	// Answers per time slot of a meeting poll: yes, maybe or no.
	Answers map[int64]string `json:"answers,omitempty"`
}

// CheckBallot tidies b and says what is wrong with it for decision d,
// field by field: "position", "reason", "values.<option id>",
// "answers.<option id>", or "ballot" for the ballot as a whole.
func (d Decision) CheckBallot(b Ballot) (Ballot, error) {
	f := problem.Fields{}
	out := Ballot{}
	ids := map[int64]bool{}
	for _, o := range d.Options {
		ids[o.ID] = true
	}
	switch d.Method {
	case Consent, Majority:
		positions := ConsentPositions
		if d.Method == Majority {
			positions = MajorityPositions
		}
		out.Position = strings.TrimSpace(b.Position)
		out.Reason = strings.TrimSpace(strings.ReplaceAll(b.Reason, "\r\n", "\n"))
		switch {
		case out.Position == "":
			f.Add("position", "required")
		case !slices.Contains(positions, out.Position):
			f.Add("position", "choice.unknown")
		}
		textcheck.Field(f, "reason", out.Reason, MaxReason, out.Position == "block")
		if d.Method == Majority {
			out.Reason = "" // a majority vote asks for no reasons
		}
	case Poll:
		out.Answers = map[int64]string{}
		for id, a := range b.Answers {
			a = strings.TrimSpace(a)
			switch {
			case !ids[id]:
				f.Add("answers."+strconv.FormatInt(id, 10), "decide.option_unknown")
			case a == "":
			case !slices.Contains(PollAnswers, a):
				f.Add("answers."+strconv.FormatInt(id, 10), "choice.unknown")
			default:
				out.Answers[id] = a
			}
		}
		if len(out.Answers) == 0 && len(f) == 0 {
			f.Add("ballot", "decide.ballot_empty")
		}
	default:
		out.Values = map[int64]int{}
		total, chosen := 0, 0
		for id, v := range b.Values {
			field := "values." + strconv.FormatInt(id, 10)
			if !ids[id] {
				f.Add(field, "decide.option_unknown")
				continue
			}
			switch d.Method {
			case Score:
				if v < 0 || v > MaxScore {
					f.Add(field, "decide.score_range")
				}
			case Dot:
				if v < 0 || v > d.Params.Dots {
					f.Add(field, "decide.dots_range_ballot")
				}
			case Approval:
				if v != 0 && v != 1 {
					f.Add(field, "choice.unknown")
				}
			default: // ranked
				if v < 0 || v > len(d.Options) {
					f.Add(field, "decide.rank_range")
				}
			}
			if v > 0 || (d.Method == Score && v == 0) {
				out.Values[id] = v
				total += v
				chosen++
			}
		}
		if len(f) > 0 {
			break
		}
		switch {
		case d.Method == Dot && total > d.Params.Dots:
			f.Add("ballot", "decide.too_many_dots")
		case d.Method == Approval && d.Params.MaxChoices > 0 && chosen > d.Params.MaxChoices:
			f.Add("ballot", "decide.too_many_choices")
		case d.Method.Ranked() && chosen == 0:
			f.Add("ballot", "decide.ballot_empty")
		}
	}
	if len(out.Values) == 0 {
		out.Values = nil
	}
	if len(out.Answers) == 0 {
		out.Answers = nil
	}
	return out, f.Err()
}
