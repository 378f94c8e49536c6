// Package decide is deciding together (roadmap table 6): proposals that are
// discussed, amended and voted on in a workspace or across the city, with
// sound counting rules, and participatory budgets. Rules are plain
// functions on plain values (this file, ballot.go, budget.go); the Service
// stores them. Counting is internal/tally's; who is in which circle is
// internal/workspace's (Viewer), asked, never re-implemented. The tables
// are this package's alone (internal/store/migrations/OWNERS.md).
package decide

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"samen/internal/atlas"
	"samen/internal/problem"
	"samen/internal/textcheck"
	"samen/internal/workspace"
)

// Method is how a decision is made.
type Method string

const (
	// Consent: agree, abstain, object or block; passes unless someone
	// blocks (a block needs a reason), with the quorum met.
	Consent Method = "consent"
	// Majority: yes, no or abstain; a quorum of ballots cast against the
	// electorate and a pass threshold on yes against yes and no.
	Majority Method = "majority"
	// Score: every option 0–5.
	Score Method = "score"
	// Dot: spread N dots over the options.
	Dot Method = "dot"
	// Approval: choose up to K options.
	Approval Method = "approval"
	// Schulze: rank the options, ties allowed; a full ranking.
	Schulze Method = "schulze"
	// IRV: instant-runoff, one winner.
	IRV Method = "irv"
	// STV: single transferable vote for several seats (Scottish STV).
	STV Method = "stv"
	// Poll: a meeting poll, yes / maybe / no per date and time.
	Poll Method = "poll"
)

// Methods lists the methods in the order a form offers them.
var Methods = []Method{Consent, Majority, Score, Dot, Approval, Schulze, IRV, STV, Poll}

// Valid reports whether m is one of the methods.
func (m Method) Valid() bool { return slices.Contains(Methods, m) }

// Ranked reports whether ballots rank the options.
func (m Method) Ranked() bool { return m == Schulze || m == IRV || m == STV }

// Motion reports whether the decision is on the proposal itself (yes/no,
// consent) rather than between options.
func (m Method) Motion() bool { return m == Consent || m == Majority }

// Thresholds a majority vote can require, from the lowest.
var Thresholds = []string{"half", "two_thirds", "three_quarters", "unanimous"}

// Secrecy is how much of a ballot others may learn.
type Secrecy string

const (
	// Open: who voted and how is shown; a voter may change their ballot
	// while voting runs, earlier versions kept.
	Open Secrecy = "open"
	// Anonymous: how anyone voted is never shown; who voted only once at
	// least max(3, quorum) have voted. A cast ballot is final.
	Anonymous Secrecy = "anonymous"
	// Hidden: anonymous, and the results stay hidden until voting closes.
	Hidden Secrecy = "hidden"
)

// Secrecies lists the choices from the weakest to the strongest.
var Secrecies = []Secrecy{Open, Anonymous, Hidden}

// Valid reports whether s is one of the choices.
func (s Secrecy) Valid() bool { return slices.Contains(Secrecies, s) }

// Secret reports whether ballots are kept apart from their voters.
func (s Secrecy) Secret() bool { return s == Anonymous || s == Hidden }

// Weaker reports whether choosing s after from would weaken secrecy,
// which is never allowed: voters chose to take part under from.
func (s Secrecy) Weaker(from Secrecy) bool {
	return slices.Index(Secrecies, s) < slices.Index(Secrecies, from)
}

// State is where a decision is in its life.
type State string

const (
	Draft      State = "draft"      // only its author (and who manages it) sees it
	Discussion State = "discussion" // comments and amendments
	Voting     State = "voting"     // between its opening and closing times
	Closed     State = "closed"     // counted; an outcome statement may follow
)

// Params are a method's settings.
type Params struct {
	// Quorum is the share of the electorate, in percent, that must cast a
	// ballot (abstaining counts as casting) for the vote to count.
	Quorum int `json:"quorum,omitempty"`
	// Threshold is what a majority vote needs: one of Thresholds.
	Threshold string `json:"threshold,omitempty"`
	// Seats is how many options STV elects.
	Seats int `json:"seats,omitempty"`
	// Dots is how many dots each voter spreads.
	Dots int `json:"dots,omitempty"`
	// MaxChoices is how many options an approval ballot may choose.
	MaxChoices int `json:"max_choices,omitempty"`
}

// Limits on what a decision holds.
const (
	MaxTitle       = 200
	MaxBody        = 20000
	MaxOptions     = 50
	MaxOptionLabel = 200
	MaxOptionText  = 2000
	MaxComment     = 5000
	MaxOutcome     = 5000
	MaxReason      = 2000
	MaxScore       = 5
	MaxDots        = 100
	// MaxVotingDays is how long voting may run.
	MaxVotingDays = 366
)

// Decision is a proposal and its vote.
type Decision struct {
	ID          int64
	WorkspaceID int64 // 0: city-wide
	// District limits a city-wide decision to the people who declare they
	// live there ("" = the whole city).
	District   string
	Title      string
	Body       string
	Language   string // the author's: "nl" or "en"
	Method     Method
	Params     Params
	Visibility workspace.Visibility // city-wide: always public
	Circles    []workspace.Circle   // who may vote in a workspace
	Secrecy    Secrecy
	State      State
	OpensAt    time.Time // zero: opened by hand
	ClosesAt   time.Time
	Electorate int // fixed when voting opens
	Outcome    string
	ReviewOn   string // YYYY-MM-DD or ""
	AuthorID   int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ClosedAt   time.Time
	Options    []Option
}

// CityWide reports whether the decision belongs to the city, not to a
// workspace.
func (d Decision) CityWide() bool { return d.WorkspaceID == 0 }

// Option is one choice of a decision: a label, or a date and time in a
// meeting poll.
type Option struct {
	ID          int64
	Position    int // the lot order once voting opened: the tie-break order
	Label       string
	Description string
	StartsAt    time.Time // polls
	EndsAt      time.Time // polls; may be zero
}

// DraftDecision is what a proposer types.
type DraftDecision struct {
	Title      string
	Body       string
	Language   string
	Method     Method
	Params     Params
	Visibility workspace.Visibility
	Circles    []workspace.Circle
	Secrecy    Secrecy
	District   string
	// OpensAt and ClosesAt are local times in Amsterdam as a form sends
	// them ("2026-12-10T19:00"); OpensAt may be empty (opened by hand).
	OpensAt  string
	ClosesAt string
	Options  []DraftOption
}

// DraftOption is an option as typed; a poll's option is a time slot.
type DraftOption struct {
	Label       string
	Description string
	StartsAt    string // polls: local time in Amsterdam
	EndsAt      string
}

// amsterdam is where the times of a vote are read and shown.
var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// Amsterdam is the zone in which decisions' times are typed and shown.
func Amsterdam() *time.Location { return amsterdam }

// ParseLocal reads a local time in Amsterdam as an HTML datetime-local
// field sends it ("2026-12-10T19:00", seconds optional).
func ParseLocal(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, amsterdam); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Local writes t as ParseLocal reads it, for a form's value.
func Local(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(amsterdam).Format("2006-01-02T15:04")
}

// Clean tidies a draft decision and says what is wrong with it, field by
// field. cityWide says whether it is the city's (no circles; a district
// may be chosen); now is when it is checked (voting must close later).
func (d DraftDecision) Clean(cityWide bool, now time.Time) (DraftDecision, time.Time, time.Time, error) {
	f := problem.Fields{}
	d.Title = textcheck.Collapse(d.Title)
	d.Body = strings.TrimSpace(strings.ReplaceAll(d.Body, "\r\n", "\n"))
	textcheck.Field(f, "title", d.Title, MaxTitle, true)
	textcheck.Field(f, "body", d.Body, MaxBody, false)
	if d.Language != "nl" && d.Language != "en" {
		f.Add("language", "choice.unknown")
	}
	if !d.Method.Valid() {
		f.Add("method", "choice.unknown")
	}
	if !d.Secrecy.Valid() {
		f.Add("secrecy", "choice.unknown")
	}
	d.Params = d.cleanParams(f)
	if cityWide {
		d.Visibility, d.Circles = workspace.Public, nil
		d.District = strings.TrimSpace(d.District)
		if d.District != "" && !slices.Contains(atlas.Districts, d.District) {
			f.Add("district", "choice.unknown")
		}
	} else {
		d.District = ""
		if d.Visibility == "" {
			d.Visibility = workspace.Visibility(workspace.Members)
		}
		if !d.Visibility.Valid() {
			f.Add("visibility", "choice.unknown")
		}
		d.Circles = cleanCircles(d.Circles)
		switch {
		case len(d.Circles) == 0:
			f.Add("circles", "required")
		case slices.ContainsFunc(d.Circles, func(c workspace.Circle) bool { return !c.Valid() }):
			f.Add("circles", "choice.unknown")
		case d.Visibility.Valid() && slices.ContainsFunc(d.Circles, func(c workspace.Circle) bool { return !c.Within(d.Visibility) }):
			// Everyone who may vote must be able to read what they vote on.
			f.Add("visibility", "decide.visibility_narrower")
		}
	}
	opens, closes := d.cleanTimes(f, now)
	d.Options = d.cleanOptions(f)
	return d, opens, closes, f.Err()
}

func cleanCircles(cs []workspace.Circle) []workspace.Circle {
	var out []workspace.Circle
	// In the order of the circles, each once.
	for _, c := range workspace.Circles {
		if slices.Contains(cs, c) {
			out = append(out, c)
		}
	}
	for _, c := range cs {
		if !c.Valid() && c != "" {
			out = append(out, c)
		}
	}
	return out
}

func (d DraftDecision) cleanParams(f problem.Fields) Params {
	p := Params{}
	if d.Method.Motion() {
		p.Quorum = d.Params.Quorum
		if p.Quorum < 0 || p.Quorum > 100 {
			f.Add("quorum", "decide.quorum_range")
		}
	}
	switch d.Method {
	case Majority:
		p.Threshold = d.Params.Threshold
		if p.Threshold == "" {
			p.Threshold = "half"
		}
		if !slices.Contains(Thresholds, p.Threshold) {
			f.Add("threshold", "choice.unknown")
		}
	case STV:
		p.Seats = d.Params.Seats
		if p.Seats < 1 || p.Seats > MaxOptions-1 {
			f.Add("seats", "decide.seats_range")
		}
	case Dot:
		p.Dots = d.Params.Dots
		if p.Dots < 1 || p.Dots > MaxDots {
			f.Add("dots", "decide.dots_range")
		}
	case Approval:
		p.MaxChoices = d.Params.MaxChoices
		if p.MaxChoices < 0 || p.MaxChoices > MaxOptions {
			f.Add("max_choices", "decide.max_choices_range")
		}
	}
	return p
}

func (d DraftDecision) cleanTimes(f problem.Fields, now time.Time) (time.Time, time.Time) {
	var opens time.Time
	if strings.TrimSpace(d.OpensAt) != "" {
		t, ok := ParseLocal(d.OpensAt)
		if !ok {
			f.Add("opens_at", "datetime.invalid")
		}
		opens = t
	}
	t, ok := ParseLocal(d.ClosesAt)
	switch {
	case strings.TrimSpace(d.ClosesAt) == "":
		f.Add("closes_at", "required")
	case !ok:
		f.Add("closes_at", "datetime.invalid")
	case !t.After(now):
		f.Add("closes_at", "decide.closes_past")
	case !opens.IsZero() && !t.After(opens):
		f.Add("closes_at", "decide.closes_before_opening")
	case t.Sub(later(now, opens)) > MaxVotingDays*24*time.Hour:
		f.Add("closes_at", "decide.closes_too_late")
	}
	return opens, t
}

func (d DraftDecision) cleanOptions(f problem.Fields) []DraftOption {
	var out []DraftOption
	for _, o := range d.Options {
		o.Label = textcheck.Collapse(o.Label)
		o.Description = strings.TrimSpace(strings.ReplaceAll(o.Description, "\r\n", "\n"))
		o.StartsAt, o.EndsAt = strings.TrimSpace(o.StartsAt), strings.TrimSpace(o.EndsAt)
		if o.Label == "" && o.Description == "" && o.StartsAt == "" && o.EndsAt == "" {
			continue // an empty row of the form
		}
		out = append(out, o)
	}
	if d.Method.Motion() {
		return nil // a motion is on the proposal itself
	}
	field := func(i int, name string) string { return "options." + strconv.Itoa(i) + "." + name }
	for i, o := range out {
		if d.Method == Poll {
			start, ok := ParseLocal(o.StartsAt)
			if !ok {
				f.Add(field(i, "starts_at"), "datetime.invalid")
			}
			if o.EndsAt != "" {
				end, ok := ParseLocal(o.EndsAt)
				if !ok {
					f.Add(field(i, "ends_at"), "datetime.invalid")
				} else if !end.After(start) {
					f.Add(field(i, "ends_at"), "decide.ends_before_start")
				}
			}
			textcheck.Field(f, field(i, "label"), o.Label, MaxOptionLabel, false)
		} else {
			textcheck.Field(f, field(i, "label"), o.Label, MaxOptionLabel, true)
		}
		textcheck.Field(f, field(i, "description"), o.Description, MaxOptionText, false)
	}
	need := 2
	if d.Method == Poll {
		need = 1
	}
	switch {
	case len(out) < need:
		f.Add("options", "decide.too_few_options")
	case len(out) > MaxOptions:
		f.Add("options", "decide.too_many_options")
	case d.Method == STV && d.Params.Seats >= len(out):
		f.Add("seats", "decide.seats_options")
	default:
		seen := map[string]bool{}
		for i, o := range out {
			key := strings.ToLower(o.Label) + "\x00" + o.StartsAt
			if seen[key] {
				f.Add(field(i, "label"), "decide.option_twice")
			}
			seen[key] = true
		}
	}
	return out
}

// Rights is what one person may do with one decision, decided before
// anything about it is shown or changed.
type Rights struct {
	See     bool // read the proposal, its discussion and (when shown) its results
	Comment bool // comment and propose amendments
	Vote    bool // cast (or change) a ballot now
	Manage  bool // edit while it is not voting, open voting, write the outcome
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
