package decide

import (
	"slices"
	"strings"
	"testing"
	"time"

	"samen/internal/problem"
	"samen/internal/tally"
	"samen/internal/workspace"
)

var now = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

func fieldsOf(err error) map[string]string {
	if p, ok := problem.As(err); ok {
		return p.Fields
	}
	return nil
}

func TestCleanDecision(t *testing.T) {
	base := func() DraftDecision {
		return DraftDecision{Title: "  Which   oven? ", Language: "en", Method: Schulze, Secrecy: Open,
			Circles: []workspace.Circle{workspace.Members, workspace.Core}, ClosesAt: "2026-06-08T19:00",
			Options: []DraftOption{{Label: "Gas"}, {Label: "Electric"}, {}}}
	}
	d, opens, closes, err := base().Clean(false, now)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Which oven?" || len(d.Options) != 2 || !opens.IsZero() || !slices.Equal(d.Circles, []workspace.Circle{workspace.Core, workspace.Members}) {
		t.Errorf("cleaned: %+v", d)
	}
	// 19:00 in Amsterdam in June is 17:00 UTC.
	if want := time.Date(2026, 6, 8, 17, 0, 0, 0, time.UTC); !closes.Equal(want) {
		t.Errorf("closes %v, want %v", closes, want)
	}
	for _, c := range []struct {
		name   string
		change func(*DraftDecision)
		field  string
		code   string
	}{
		{"no title", func(d *DraftDecision) { d.Title = " " }, "title", "required"},
		{"unknown method", func(d *DraftDecision) { d.Method = "borda" }, "method", "choice.unknown"},
		{"no circles", func(d *DraftDecision) { d.Circles = nil }, "circles", "required"},
		{"voters who cannot read it", func(d *DraftDecision) {
			d.Visibility = workspace.Visibility(workspace.Contributors)
		}, "visibility", "decide.visibility_narrower"},
		{"closing in the past", func(d *DraftDecision) { d.ClosesAt = "2026-05-01T10:00" }, "closes_at", "decide.closes_past"},
		{"closing before opening", func(d *DraftDecision) { d.OpensAt = "2026-06-09T10:00" }, "closes_at", "decide.closes_before_opening"},
		{"closing in two years", func(d *DraftDecision) { d.ClosesAt = "2028-06-01T10:00" }, "closes_at", "decide.closes_too_late"},
		{"no closing", func(d *DraftDecision) { d.ClosesAt = "" }, "closes_at", "required"},
		{"a time that is not one", func(d *DraftDecision) { d.ClosesAt = "next friday" }, "closes_at", "datetime.invalid"},
		{"one option", func(d *DraftDecision) { d.Options = d.Options[:1] }, "options", "decide.too_few_options"},
		{"an option twice", func(d *DraftDecision) { d.Options[1].Label = "gas" }, "options.1.label", "decide.option_twice"},
		{"seats as many as options", func(d *DraftDecision) { d.Method, d.Params.Seats = STV, 2 }, "seats", "decide.seats_options"},
		{"no seats", func(d *DraftDecision) { d.Method = STV }, "seats", "decide.seats_range"},
		{"no dots", func(d *DraftDecision) { d.Method = Dot }, "dots", "decide.dots_range"},
		{"a quorum above 100", func(d *DraftDecision) { d.Method, d.Params.Quorum = Majority, 101 }, "quorum", "decide.quorum_range"},
		{"an unknown threshold", func(d *DraftDecision) { d.Method, d.Params.Threshold = Majority, "most" }, "threshold", "choice.unknown"},
		{"a poll slot without a time", func(d *DraftDecision) { d.Method = Poll; d.Options[0].StartsAt = "soon" }, "options.0.starts_at", "datetime.invalid"},
		{"a poll slot ending first", func(d *DraftDecision) {
			d.Method = Poll
			d.Options = []DraftOption{{StartsAt: "2026-06-03T19:00", EndsAt: "2026-06-03T18:00"}}
		}, "options.0.ends_at", "decide.ends_before_start"},
	} {
		d := base()
		c.change(&d)
		_, _, _, err := d.Clean(false, now)
		if got := fieldsOf(err)[c.field]; got != c.code {
			t.Errorf("%s: %s is %q (all: %v), want %q", c.name, c.field, got, fieldsOf(err), c.code)
		}
	}
	// A motion drops options; a threshold defaults to half.
	m := base()
	m.Method = Majority
	d, _, _, err = m.Clean(false, now)
	if err != nil || d.Options != nil || d.Params.Threshold != "half" {
		t.Errorf("a majority motion: %+v %v", d, err)
	}
	// City-wide: no circles, public, districts checked.
	c := base()
	c.District = "atlantis"
	_, _, _, err = c.Clean(true, now)
	if fieldsOf(err)["district"] != "choice.unknown" {
		t.Errorf("an unknown district: %v", err)
	}
}

func TestCheckBallot(t *testing.T) {
	opts := []Option{{ID: 11, Position: 1, Label: "A"}, {ID: 12, Position: 2, Label: "B"}, {ID: 13, Position: 3, Label: "C"}}
	for _, c := range []struct {
		name   string
		d      Decision
		b      Ballot
		field  string
		code   string
		expect *Ballot
	}{
		{"consent", Decision{Method: Consent}, Ballot{Position: "agree", Reason: " fine "}, "", "", &Ballot{Position: "agree", Reason: "fine"}},
		{"block without reason", Decision{Method: Consent}, Ballot{Position: "block"}, "reason", "required", nil},
		{"majority drops reasons", Decision{Method: Majority}, Ballot{Position: "no", Reason: "x"}, "", "", &Ballot{Position: "no"}},
		{"score out of range", Decision{Method: Score, Options: opts}, Ballot{Values: map[int64]int{11: 6}}, "values.11", "decide.score_range", nil},
		{"score keeps a zero", Decision{Method: Score, Options: opts}, Ballot{Values: map[int64]int{11: 0, 12: 5}}, "", "", &Ballot{Values: map[int64]int{11: 0, 12: 5}}},
		{"unknown option", Decision{Method: Score, Options: opts}, Ballot{Values: map[int64]int{99: 1}}, "values.99", "decide.option_unknown", nil},
		{"too many dots", Decision{Method: Dot, Options: opts, Params: Params{Dots: 3}}, Ballot{Values: map[int64]int{11: 2, 12: 2}}, "ballot", "decide.too_many_dots", nil},
		{"dots drop zeros", Decision{Method: Dot, Options: opts, Params: Params{Dots: 3}}, Ballot{Values: map[int64]int{11: 3, 12: 0}}, "", "", &Ballot{Values: map[int64]int{11: 3}}},
		{"approval over K", Decision{Method: Approval, Options: opts, Params: Params{MaxChoices: 1}}, Ballot{Values: map[int64]int{11: 1, 12: 1}}, "ballot", "decide.too_many_choices", nil},
		{"approval without K", Decision{Method: Approval, Options: opts}, Ballot{Values: map[int64]int{11: 1, 12: 1, 13: 1}}, "", "", &Ballot{Values: map[int64]int{11: 1, 12: 1, 13: 1}}},
		{"ranking with a tie", Decision{Method: Schulze, Options: opts}, Ballot{Values: map[int64]int{11: 1, 12: 1, 13: 2}}, "", "", &Ballot{Values: map[int64]int{11: 1, 12: 1, 13: 2}}},
		{"rank beyond the options", Decision{Method: IRV, Options: opts}, Ballot{Values: map[int64]int{11: 4}}, "values.11", "decide.rank_range", nil},
		{"empty ranking", Decision{Method: STV, Options: opts}, Ballot{}, "ballot", "decide.ballot_empty", nil},
		{"poll", Decision{Method: Poll, Options: opts}, Ballot{Answers: map[int64]string{11: "yes", 12: "", 13: "maybe"}}, "", "", &Ballot{Answers: map[int64]string{11: "yes", 13: "maybe"}}},
		{"poll answer", Decision{Method: Poll, Options: opts}, Ballot{Answers: map[int64]string{11: "perhaps"}}, "answers.11", "choice.unknown", nil},
	} {
		got, err := c.d.CheckBallot(c.b)
		if c.expect == nil {
			if fieldsOf(err)[c.field] != c.code {
				t.Errorf("%s: %v, want %s at %s", c.name, err, c.code, c.field)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got.Position != c.expect.Position || got.Reason != c.expect.Reason || !mapsEqual(got.Values, c.expect.Values) || !mapsEqual(got.Answers, c.expect.Answers) {
			t.Errorf("%s: %+v, want %+v", c.name, got, *c.expect)
		}
	}
}

func mapsEqual[V comparable](a, b map[int64]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestRightsOf(t *testing.T) {
	ws := Decision{WorkspaceID: 1, Visibility: workspace.Visibility(workspace.Members), State: Discussion}
	member := workspace.Viewer{UserID: 5, MemberID: 5, Circle: workspace.Members}
	core := workspace.Viewer{UserID: 6, MemberID: 6, Circle: workspace.Core}
	supporter := workspace.Viewer{UserID: 7, MemberID: 7, Circle: workspace.Supporters}
	city := Decision{State: Voting}
	draft := func(d Decision) Decision { d.State = Draft; return d }
	voting := func(d Decision) Decision { d.State = Voting; return d }
	closed := func(d Decision) Decision { d.State = Closed; return d }
	for _, c := range []struct {
		name string
		d    Decision
		w    Who
		want Rights
	}{
		{"member, discussion", ws, Who{SignedIn: true, Viewer: member}, Rights{See: true, Comment: true}},
		{"member, draft", draft(ws), Who{SignedIn: true, Viewer: member}, Rights{}},
		{"author, draft", draft(ws), Who{SignedIn: true, Author: true, Viewer: member}, Rights{See: true, Manage: true}},
		{"author who left", draft(ws), Who{SignedIn: true, Author: true}, Rights{}},
		{"core, draft", draft(ws), Who{SignedIn: true, Viewer: core}, Rights{See: true, Manage: true}},
		{"supporter", ws, Who{SignedIn: true, Viewer: supporter}, Rights{}},
		{"elector, voting", voting(ws), Who{SignedIn: true, Viewer: member, Electorate: true}, Rights{See: true, Comment: true, Vote: true}},
		{"member outside the electorate", voting(ws), Who{SignedIn: true, Viewer: member}, Rights{See: true, Comment: true}},
		{"elector who left", voting(ws), Who{SignedIn: true, Electorate: true}, Rights{}},
		{"elector, closed", closed(ws), Who{SignedIn: true, Viewer: member, Electorate: true}, Rights{See: true}},
		{"steward in a workspace", ws, Who{SignedIn: true, Steward: true}, Rights{}},
		{"visitor, city", city, Who{}, Rights{See: true}},
		{"unconfirmed, city", city, Who{SignedIn: true}, Rights{See: true}},
		{"confirmed, city", city, Who{SignedIn: true, Verified: true}, Rights{See: true, Comment: true, Vote: true}},
		{"steward, city draft", draft(city), Who{SignedIn: true, Verified: true, Steward: true}, Rights{See: true, Manage: true}},
		{"resident, city draft", draft(city), Who{SignedIn: true, Verified: true}, Rights{}},
		{"signed out steward", city, Who{Steward: true, Verified: true}, Rights{See: true}},
	} {
		if got := RightsOf(c.d, c.w); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestVotersShownFrom(t *testing.T) {
	for _, c := range []struct{ quorum, electorate, want int }{{0, 100, 3}, {2, 100, 3}, {10, 100, 10}, {10, 95, 10}, {50, 7, 4}, {100, 2, 3}} {
		if got := VotersShownFrom(Decision{Params: Params{Quorum: c.quorum}, Electorate: c.electorate}); got != c.want {
			t.Errorf("quorum %d%% of %d: %d, want %d", c.quorum, c.electorate, got, c.want)
		}
	}
}

// The Schulze example of Wikipedia's "Schulze method" article, cast as
// samen's ballots: 45 voters over A–E, ranking E > A > C > B > D. The
// option ids are deliberately not in the alphabet's order, and the lot
// order puts E first, so that a mix-up of ids, positions and indices
// shows.
func TestCountSchulzeExample(t *testing.T) {
	ids := map[byte]int64{'A': 40, 'B': 10, 'C': 30, 'D': 20, 'E': 50}
	d := Decision{Method: Schulze, Options: []Option{
		{ID: 40, Position: 2, Label: "A"}, {ID: 10, Position: 3, Label: "B"}, {ID: 30, Position: 4, Label: "C"},
		{ID: 20, Position: 5, Label: "D"}, {ID: 50, Position: 1, Label: "E"}}}
	var ballots []Ballot
	for _, g := range []struct {
		n     int
		order string
	}{{5, "ACBED"}, {5, "ADECB"}, {8, "BEDAC"}, {3, "CABED"}, {7, "CAEBD"}, {2, "CBADE"}, {7, "DCEBA"}, {8, "EBADC"}} {
		for range g.n {
			b := Ballot{Values: map[int64]int{}}
			for rank, c := range []byte(g.order) {
				b.Values[ids[c]] = rank + 1
			}
			ballots = append(ballots, b)
		}
	}
	r := Count(d, ballots)
	var got []string
	for _, id := range r.Ranking() {
		for c, want := range ids {
			if want == id {
				got = append(got, string(c))
			}
		}
	}
	if strings.Join(got, "") != "EACBD" || r.Ballots != 45 || r.Winners()[0] != 50 {
		t.Errorf("ranking %v winners %v, want E A C B D", got, r.Winners())
	}
}

// The same ballots as a motion, a poll and a count of dots, for the
// conversion from option ids to the counting rules' places.
func TestCountOtherMethods(t *testing.T) {
	opts := []Option{{ID: 7, Position: 2, Label: "Tue"}, {ID: 9, Position: 1, Label: "Mon"}}
	poll := Count(Decision{Method: Poll, Options: opts}, []Ballot{
		{Answers: map[int64]string{7: "yes", 9: "maybe"}}, {Answers: map[int64]string{7: "yes", 9: "yes"}}, {Answers: map[int64]string{7: "yes"}}})
	if w := poll.Winners(); len(w) == 0 || w[0] != 7 {
		t.Errorf("poll winners %v, want Tuesday (7)", w)
	}
	dots := Count(Decision{Method: Dot, Params: Params{Dots: 3}, Options: opts}, []Ballot{
		{Values: map[int64]int{9: 3}}, {Values: map[int64]int{7: 2, 9: 1}}})
	if r := dots.Ranking(); !slices.Equal(r, []int64{9, 7}) {
		t.Errorf("dots ranking %v, want Monday first", r)
	}
	m := Count(Decision{Method: Majority, Electorate: 10, Params: Params{Quorum: 50, Threshold: "two_thirds"}}, []Ballot{
		{Position: "yes"}, {Position: "yes"}, {Position: "no"}, {Position: "abstain"}, {Position: "abstain"}})
	if m.Motion == nil || !m.Motion.QuorumMet || !m.Motion.Passed || m.Motion.Cast != 5 {
		t.Errorf("two yes of three, five of ten cast with a quorum of half: %+v", m.Motion)
	}
	m = Count(Decision{Method: Majority, Electorate: 11, Params: Params{Quorum: 50, Threshold: "half"}}, []Ballot{
		{Position: "yes"}, {Position: "yes"}, {Position: "yes"}, {Position: "yes"}, {Position: "no"}})
	if m.Motion.QuorumMet || m.Motion.Passed || m.Motion.QuorumNeeded != 6 {
		t.Errorf("five of eleven cast under a quorum of half: %+v", m.Motion)
	}
}

// A ranked decision's ballots write as a BLT file even when an option's
// name holds a double quote, which the format cannot escape.
func TestElectionWritesAsBLT(t *testing.T) {
	d := Decision{Title: `The "new" oven`, Method: STV, Params: Params{Seats: 1},
		Options: []Option{{ID: 1, Position: 1, Label: `Gas "blue"`}, {ID: 2, Position: 2, Label: "Electric"}}}
	e := Election(d, d.Options, []Ballot{{Values: map[int64]int{2: 1, 1: 2}}, {Values: map[int64]int{1: 1, 2: 1}}})
	var b strings.Builder
	if err := tally.WriteBLT(&b, e); err != nil {
		t.Fatal(err)
	}
	back, err := tally.ReadBLT(strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("%v in\n%s", err, b.String())
	}
	if len(back.Ballots) != 2 || !slices.Equal(back.Ballots[1].Ranks[0], []int{0, 1}) || back.Options[0] != "Gas \u201dblue\u201d" {
		t.Errorf("read back: %+v", back)
	}
}
