package match

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const simFile = `{"pool": {"factor": 1.5, "max_per_contribution_cents": 5000, "max_per_project_cents": 100000,
  "max_matched_per_contributor": 2,
  "funders": [{"id": "gemeente", "cents": 500000}, {"id": "fonds", "cents": 300000}, {"id": 3, "cents": 0}]},
 "contributions": [
  {"id": "c1", "project": "speeltuin", "contributor": "ann", "cents": 2500},
  {"id": 2, "project": 17, "contributor": "b\u00f8b", "cents": 10000}]}`

func TestMatchReadSimulation(t *testing.T) {
	s, err := ReadSimulation(strings.NewReader(simFile))
	if err != nil {
		t.Fatal(err)
	}
	want := Simulation{
		Rules:         Rules{Factor: Ratio{3, 2}, MaxPerContribution: 5000, MaxPerProject: 100_000, MaxMatchedPerContributor: 2},
		Funders:       []Funder{{"gemeente", 500_000}, {"fonds", 300_000}, {"3", 0}},
		Contributions: []Contribution{{"c1", "speeltuin", "ann", 2500}, {"2", "17", "bøb", 10_000}},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("%+v\nwant %+v", s, want)
	}
	// Caps left out, or null, are none; contributions left out, none.
	s, err = ReadSimulation(strings.NewReader(`{"pool": {"factor": 2, "max_per_project_cents": null, "funders": [{"id": "a", "cents": 1}]}}`))
	if err != nil || s.Rules != (Rules{Factor: Whole(2)}) || len(s.Contributions) != 0 {
		t.Errorf("%+v, %v", s, err)
	}
}

// pool is a valid pool object for the cases below.
const pool = `{"factor": 1, "funders": [{"id": "a", "cents": 100}]}`

func TestMatchReadSimulationRefuses(t *testing.T) {
	contributions := func(list string) string { return `{"pool": ` + pool + `, "contributions": [` + list + `]}` }
	withPool := func(members string) string { return `{"pool": {` + members + `}}` }
	ok := `{"id": "c1", "project": "p", "contributor": "x", "cents": 1}`
	for _, tc := range []struct {
		in, code, field string
		index           int
		id              string
	}{
		{"", "match.json.empty", "", -1, ""},
		{"  \n", "match.json.empty", "", -1, ""},
		{"{", "match.json.malformed", "", -1, ""},
		{"[]", "match.json.malformed", "", -1, ""},
		{`{"pool": ` + pool + `} {}`, "match.json.malformed", "", -1, ""},
		{`{"pool": ` + pool + `, "extra": 1}`, "match.json.unknown_field", "extra", -1, ""},
		{`{"contributions": []}`, "match.pool.missing", "pool", -1, ""},
		{`{"pool": null}`, "match.pool.missing", "pool", -1, ""},
		{`{"pool": []}`, "match.json.wrong_type", "pool", -1, ""},
		{`{"pool": ` + pool + `, "contributions": {}}`, "match.json.wrong_type", "contributions", -1, ""},
		{withPool(`"funders": [{"id": "a", "cents": 1}]`), "match.pool.factor", "pool.factor", -1, ""},
		{withPool(`"factor": "1.5", "funders": [{"id": "a", "cents": 1}]`), "match.pool.factor", "pool.factor", -1, ""},
		{withPool(`"factor": 0, "funders": [{"id": "a", "cents": 1}]`), "match.pool.factor", "pool.factor", -1, ""},
		{withPool(`"factor": -1, "funders": [{"id": "a", "cents": 1}]`), "match.pool.factor", "pool.factor", -1, ""},
		{withPool(`"factor": 1001, "funders": [{"id": "a", "cents": 1}]`), "match.pool.factor", "pool.factor", -1, ""},
		{withPool(`"factor": 0.0000000001, "funders": [{"id": "a", "cents": 1}]`), "match.pool.factor", "pool.factor", -1, ""},
		{withPool(`"factor": 1, "colour": "red", "funders": [{"id": "a", "cents": 1}]`), "match.json.unknown_field", "pool.colour", -1, ""},
		{withPool(`"factor": 1, "max_per_contribution_cents": 12.5, "funders": [{"id": "a", "cents": 1}]`),
			"match.pool.max_per_contribution_cents", "pool.max_per_contribution_cents", -1, ""},
		{withPool(`"factor": 1, "max_per_contribution_cents": 1e3, "funders": [{"id": "a", "cents": 1}]`),
			"match.pool.max_per_contribution_cents", "pool.max_per_contribution_cents", -1, ""},
		{withPool(`"factor": 1, "max_per_project_cents": -1, "funders": [{"id": "a", "cents": 1}]`),
			"match.pool.max_per_project_cents", "pool.max_per_project_cents", -1, ""},
		{withPool(`"factor": 1, "max_per_project_cents": "5", "funders": [{"id": "a", "cents": 1}]`),
			"match.pool.max_per_project_cents", "pool.max_per_project_cents", -1, ""},
		{withPool(`"factor": 1, "max_matched_per_contributor": 1000001, "funders": [{"id": "a", "cents": 1}]`),
			"match.pool.max_matched_per_contributor", "pool.max_matched_per_contributor", -1, ""},
		{withPool(`"factor": 1`), "match.pool.funders", "pool.funders", -1, ""},
		{withPool(`"factor": 1, "funders": []`), "match.pool.funders", "pool.funders", -1, ""},
		{withPool(`"factor": 1, "funders": {}`), "match.json.wrong_type", "pool.funders", -1, ""},
		{withPool(`"factor": 1, "funders": [5]`), "match.json.wrong_type", "pool.funders.0", 0, ""},
		{withPool(`"factor": 1, "funders": [null]`), "match.json.wrong_type", "pool.funders.0", 0, ""},
		{withPool(`"factor": 1, "funders": [{"id": "", "cents": 1}]`), "match.funder.id", "pool.funders.0.id", 0, ""},
		{withPool(`"factor": 1, "funders": [{"cents": 1}]`), "match.funder.id", "pool.funders.0.id", 0, ""},
		{withPool(`"factor": 1, "funders": [{"id": true, "cents": 1}]`), "match.funder.id", "pool.funders.0.id", 0, ""},
		{withPool(`"factor": 1, "funders": [{"id": 1.5, "cents": 1}]`), "match.funder.id", "pool.funders.0.id", 0, ""},
		{withPool(`"factor": 1, "funders": [{"id": -1, "cents": 1}]`), "match.funder.id", "pool.funders.0.id", 0, ""},
		{withPool(`"factor": 1, "funders": [{"id": "a\u0000", "cents": 1}]`), "match.funder.id", "pool.funders.0.id", 0, ""},
		{withPool("\"factor\": 1, \"funders\": [{\"id\": \"a\xff\", \"cents\": 1}]"), "match.funder.id", "pool.funders.0.id", 0, ""},
		{withPool(`"factor": 1, "funders": [{"id": "a", "cents": "100"}]`), "match.funder.cents", "pool.funders.0.cents", 0, "a"},
		{withPool(`"factor": 1, "funders": [{"id": "a", "cents": -1}]`), "match.funder.cents", "pool.funders.0.cents", 0, "a"},
		{withPool(`"factor": 1, "funders": [{"id": "a"}]`), "match.funder.cents", "pool.funders.0.cents", 0, "a"},
		{withPool(`"factor": 1, "funders": [{"id": "a", "cents": 1, "name": "A"}]`), "match.json.unknown_field", "pool.funders.0.name", 0, ""},
		{withPool(`"factor": 1, "funders": [{"id": "a", "cents": 1}, {"id": "a", "cents": 1}]`), "match.funder.duplicate", "pool.funders.1.id", 1, "a"},
		{withPool(`"factor": 1, "funders": [{"id": "a", "cents": 10000000000000}, {"id": "b", "cents": 1}]`), "match.pool.total", "pool.funders", -1, ""},
		{contributions(`5`), "match.json.wrong_type", "contributions.0", 0, ""},
		{contributions(ok + `, null`), "match.json.wrong_type", "contributions.1", 1, ""},
		{contributions(ok + `, ` + ok), "match.contribution.duplicate", "contributions.1.id", 1, "c1"},
		{contributions(`{"id": 1, "project": "p", "contributor": "x", "cents": 1}, {"id": "1", "project": "p", "contributor": "x", "cents": 1}`),
			"match.contribution.duplicate", "contributions.1.id", 1, "1"},
		{contributions(`{"project": "p", "contributor": "x", "cents": 1}`), "match.contribution.id", "contributions.0.id", 0, ""},
		{contributions(`{"id": "c", "contributor": "x", "cents": 1}`), "match.contribution.project", "contributions.0.project", 0, "c"},
		{contributions(`{"id": "c", "project": "p", "contributor": "x\ty", "cents": 1}`), "match.contribution.contributor", "contributions.0.contributor", 0, "c"},
		{contributions(`{"id": "c", "project": "p", "contributor": "x", "cents": 0}`), "match.contribution.cents", "contributions.0.cents", 0, "c"},
		{contributions(`{"id": "c", "project": "p", "contributor": "x", "cents": 12.50}`), "match.contribution.cents", "contributions.0.cents", 0, "c"},
		{contributions(`{"id": "c", "project": "p", "contributor": "x", "cents": 10000000000001}`), "match.contribution.cents", "contributions.0.cents", 0, "c"},
		{contributions(`{"id": "c", "project": "p", "contributor": "x", "cents": 99999999999999999999}`), "match.contribution.cents", "contributions.0.cents", 0, "c"},
		{contributions(ok + `, {"id": "c2", "project": "p", "contributor": "x", "amount": 1}`), "match.json.unknown_field", "contributions.1.amount", 1, ""},
	} {
		_, err := ReadSimulation(strings.NewReader(tc.in))
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Field != tc.field || e.Index != tc.index || e.ID != tc.id {
			t.Errorf("%s:\n%#v\nwant %s at %q, %d, %q", tc.in, err, tc.code, tc.field, tc.index, tc.id)
		}
	}
}

func TestMatchReadSimulationLimits(t *testing.T) {
	big := bytes.Repeat([]byte(" "), MaxFileBytes+1)
	var e *Error
	if _, err := ReadSimulation(bytes.NewReader(big)); !errors.As(err, &e) || e.Code != "match.json.too_large" {
		t.Errorf("too large: %v", err)
	}
	// MaxContributions + 1 fits in the file only as the shortest values;
	// the count is refused before any is read.
	list := strings.Repeat("0,", MaxContributions) + "0"
	if _, err := ReadSimulation(strings.NewReader(`{"pool": ` + pool + `, "contributions": [` + list + `]}`)); !errors.As(err, &e) ||
		e.Code != "match.contributions.too_many" || e.Field != "contributions" {
		t.Errorf("too many: %v", err)
	}
	funders := strings.Repeat(`{"id": "f", "cents": 0},`, MaxFunders) + `{"id": "g", "cents": 0}`
	if _, err := ReadSimulation(strings.NewReader(`{"pool": {"factor": 1, "funders": [` + funders + `]}}`)); !errors.As(err, &e) || e.Code != "match.pool.funders" {
		t.Errorf("too many funders: %v", err)
	}
}

func TestMatchErrorText(t *testing.T) {
	e := &Error{Code: "match.contribution.cents", Field: "contributions.3.cents", Index: 3, ID: "c4"}
	if got := e.Error(); got != `match: contributions.3.cents ("c4"): match.contribution.cents` {
		t.Errorf("%q", got)
	}
	if got := (&Error{Code: "match.json.empty", Index: -1}).Error(); got != "match: match.json.empty" {
		t.Errorf("%q", got)
	}
	// Every code the package can return is in Codes.
	for _, c := range Codes {
		if !strings.HasPrefix(c, "match.") || strings.Count(c, ".") != 2 {
			t.Errorf("code %q", c)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(Codes)))) != len(Codes) {
		t.Error("a code twice in Codes")
	}
}

// writeSimulation writes s in the file format, for the fuzz target's
// round trip.
func writeSimulation(s Simulation) []byte {
	type funder struct {
		ID    string `json:"id"`
		Cents int64  `json:"cents"`
	}
	type contribution struct {
		ID          string `json:"id"`
		Project     string `json:"project"`
		Contributor string `json:"contributor"`
		Cents       int64  `json:"cents"`
	}
	var file struct {
		Pool struct {
			Factor             json.Number `json:"factor"`
			MaxPerContribution int64       `json:"max_per_contribution_cents"`
			MaxPerProject      int64       `json:"max_per_project_cents"`
			MaxMatched         int         `json:"max_matched_per_contributor"`
			Funders            []funder    `json:"funders"`
		} `json:"pool"`
		Contributions []contribution `json:"contributions"`
	}
	file.Pool.Factor = json.Number(s.Rules.Factor.String())
	file.Pool.MaxPerContribution, file.Pool.MaxPerProject = s.Rules.MaxPerContribution, s.Rules.MaxPerProject
	file.Pool.MaxMatched = s.Rules.MaxMatchedPerContributor
	for _, f := range s.Funders {
		file.Pool.Funders = append(file.Pool.Funders, funder(f))
	}
	for _, c := range s.Contributions {
		file.Contributions = append(file.Contributions, contribution(c))
	}
	out, err := json.Marshal(file)
	if err != nil {
		panic(err)
	}
	return out
}

// FuzzReadSimulation holds the reader to its promises: what it refuses, it
// refuses with a code of Codes; what it takes simulates without an error,
// matches no more than the funders put in, accounts for every cent, and
// reads back the same once written out again.
func FuzzReadSimulation(f *testing.F) {
	f.Add([]byte(simFile))
	f.Add([]byte(`{"pool": {"factor": 0.5, "funders": [{"id": "a", "cents": 7}, {"id": "b", "cents": 7}]},
		"contributions": [{"id": 1, "project": "p", "contributor": "x", "cents": 3}, {"id": 2, "project": "p", "contributor": "x", "cents": 5}]}`))
	f.Add([]byte(`{"pool": {"factor": 1000, "max_per_project_cents": 1, "funders": [{"id": "a", "cents": 10000000000000}]},
		"contributions": [{"id": "c", "project": "p", "contributor": "x", "cents": 10000000000000}]}`))
	f.Add([]byte(`{"pool": {"factor": 15e-1, "max_matched_per_contributor": 1, "funders": [{"id": "a", "cents": 100}]}, "contributions": []}`))
	f.Add([]byte(`{"pool": {"factor": 1, "funders": [{"id": "a", "cents": 1}]}, "contributions": [{"id": "c", "project": "p", "contributor": "x", "cents": 1, "x": 1}]}`))
	f.Add([]byte(`{"pool": null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadSimulation(bytes.NewReader(data))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !slices.Contains(Codes, e.Code) {
				t.Fatalf("refused with %#v, not a code of Codes", err)
			}
			return
		}
		out, err := Simulate(s)
		if err != nil {
			t.Fatalf("read, but does not simulate: %v", err)
		}
		if len(out.Matches) != len(s.Contributions) || len(out.Left) != len(s.Funders) {
			t.Fatalf("%d matches of %d contributions, %d of %d funders", len(out.Matches), len(s.Contributions), len(out.Left), len(s.Funders))
		}
		var funded, matched, left int64
		for _, f := range s.Funders {
			funded += f.Cents
		}
		for i, m := range out.Matches {
			var shares int64
			for _, sh := range m.Shares {
				shares += sh.Cents
			}
			most, _ := s.Rules.Factor.Of(s.Contributions[i].Cents)
			if m.Contribution != s.Contributions[i].ID || shares != m.Cents || m.Cents < 0 || m.Cents > most {
				t.Fatalf("match %d: %+v of %+v", i, m, s.Contributions[i])
			}
			matched += m.Cents
		}
		for i, l := range out.Left {
			if l.Cents < 0 || l.Cents > s.Funders[i].Cents {
				t.Fatalf("funder %d: %d left of %d", i, l.Cents, s.Funders[i].Cents)
			}
			left += l.Cents
		}
		if matched > funded || matched+left != funded {
			t.Fatalf("matched %d, left %d, funded %d", matched, left, funded)
		}
		again, err := ReadSimulation(bytes.NewReader(writeSimulation(s)))
		if err != nil || !reflect.DeepEqual(again, s) {
			t.Fatalf("written out and read again: %v\n%+v\nwant %+v", err, again, s)
		}
	})
}

// The numbers of ids read back as their text.
func TestMatchReadIDs(t *testing.T) {
	for raw, want := range map[string]string{`"a"`: "a", `17`: "17", `0`: "0", `"\u00e9"`: "é", `"` + strings.Repeat("x", MaxIDLen) + `"`: strings.Repeat("x", MaxIDLen)} {
		if got, ok := readID(json.RawMessage(raw)); !ok || got != want {
			t.Errorf("%s: %q %v", raw, got, ok)
		}
	}
	for _, raw := range []string{`""`, `" a"`, `"a "`, `1.0`, `1e2`, `-3`, `true`, `null`, `[]`, `"` + strings.Repeat("x", MaxIDLen+1) + `"`, `"\u0085"`, `"a\nb"`} {
		if got, ok := readID(json.RawMessage(raw)); ok {
			t.Errorf("%s: %q, want refused", raw, got)
		}
	}
}
