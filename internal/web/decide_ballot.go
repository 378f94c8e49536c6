package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"samen/internal/decide"
)

// The ballot of a decision as a form: one field per option, named by the
// option's id (never its place on the page): "position" and "reason" for
// a motion; "value.<id>" for a score (radios 0–5), a number of dots, an
// approval (a checkbox) or a rank (a numbered select; equal numbers are
// ties); "answer.<id>" for a meeting poll's slot (yes, maybe, no); and
// "lives_there" for a vote limited to a district. The service names its
// problems "values.<id>" and "answers.<id>": ballotFieldID puts them at
// the form's fields.

func optionKey(id int64) string { return strconv.FormatInt(id, 10) }

// ballotFieldID is where a problem of the service's ballot check is shown
// on the page.
func ballotFieldID(name string) string {
	if rest, ok := strings.CutPrefix(name, "values."); ok {
		return "value." + rest
	}
	if rest, ok := strings.CutPrefix(name, "answers."); ok {
		return "answer." + rest
	}
	if name == "form" {
		return "ballot"
	}
	return name
}

// ballotForm is a cast ballot as the form's values, to show it again (an
// open ballot that its voter may change).
func ballotForm(b *decide.Ballot) url.Values {
	f := url.Values{}
	if b == nil {
		return f
	}
	if b.Position != "" {
		f.Set("position", b.Position)
	}
	if b.Reason != "" {
		f.Set("reason", b.Reason)
	}
	for id, v := range b.Values {
		f.Set("value."+optionKey(id), strconv.Itoa(v))
	}
	for id, a := range b.Answers {
		f.Set("answer."+optionKey(id), a)
	}
	return f
}

// ballotOption is one option on the ballot form.
type ballotOption struct {
	decide.Option
	Key  string // the id as the fields name it
	Name string // its label, or a poll slot's date and time
}

// ballotChoices are the numbers a select or a group of radios offers.
func ballotChoices(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// optionName is how an option is named on the page: its label, or for a
// meeting poll its date and time (with the label, when it has one).
func (p *page) optionName(d decide.Decision, o decide.Option) string {
	if d.Method != decide.Poll || o.StartsAt.IsZero() {
		return o.Label
	}
	if o.Label == "" {
		return p.DecisionSlot(o)
	}
	return p.DecisionSlot(o) + " (" + o.Label + ")"
}

// ballotLines says what a ballot chose, in the reader's words, one line
// per option or position: for "your vote" and the open ballots of who
// voted.
func (p *page) ballotLines(d decide.Decision, b *decide.Ballot) []string {
	if b == nil {
		return nil
	}
	name := map[int64]string{}
	for _, o := range d.Options {
		name[o.ID] = p.optionName(d, o)
	}
	var out []string
	switch d.Method {
	case decide.Consent, decide.Majority:
		out = append(out, p.T("decide.position."+b.Position))
	case decide.Poll:
		opts := slices.Clone(d.Options)
		slices.SortStableFunc(opts, func(a, b decide.Option) int { return a.StartsAt.Compare(b.StartsAt) })
		for _, o := range opts {
			if a, ok := b.Answers[o.ID]; ok {
				out = append(out, p.T("decide.mine.answer", "option", name[o.ID], "answer", p.T("decide.answer."+a)))
			}
		}
	case decide.Schulze, decide.IRV, decide.STV:
		type ranked struct {
			rank  int
			names []string
		}
		var ranks []ranked
		for _, o := range d.Options {
			r, ok := b.Values[o.ID]
			if !ok || r < 1 {
				continue
			}
			i := slices.IndexFunc(ranks, func(x ranked) bool { return x.rank == r })
			if i < 0 {
				ranks = append(ranks, ranked{rank: r})
				i = len(ranks) - 1
			}
			ranks[i].names = append(ranks[i].names, name[o.ID])
		}
		slices.SortFunc(ranks, func(a, b ranked) int { return a.rank - b.rank })
		for i, r := range ranks {
			out = append(out, p.T("decide.mine.rank", "place", strconv.Itoa(i+1), "options", strings.Join(r.names, " = ")))
		}
	default:
		for _, o := range d.Options {
			v, ok := b.Values[o.ID]
			if !ok {
				continue
			}
			switch d.Method {
			case decide.Score:
				out = append(out, p.T("decide.mine.score", "option", name[o.ID], "score", strconv.Itoa(v)))
			case decide.Dot:
				if v > 0 {
					out = append(out, p.T("decide.mine.dots", "option", name[o.ID], "dots", strconv.Itoa(v)))
				}
			case decide.Approval:
				if v == 1 {
					out = append(out, name[o.ID])
				}
			}
		}
	}
	return out
}
