package assess

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"samen/internal/problem"
)

// Fuzz test for the framework file stewards publish. Run it with
//
//	go test ./internal/assess/ -run '^$' -fuzz '^FuzzDecodeFramework$' -fuzztime 60s

// frameworkCodes are the codes Validate may give a field.
var frameworkCodes = []string{"version.invalid", "text.both_languages", "required", "id.invalid", "scale.levels", "gate.invalid", "check.unknown"}

// frameworkField reports whether name is a place Validate names: the top
// fields, or "groups.<id>" and what lies under it.
func frameworkField(f Framework, name string) bool {
	switch name {
	case "version", "title", "description", "groups":
		return true
	}
	for _, g := range f.Groups {
		where := "groups." + g.ID
		if name == where || name == where+".name" || name == where+".criteria" {
			return true
		}
		for _, c := range g.Criteria {
			if strings.HasPrefix(name, where+".criteria."+c.ID) {
				return true
			}
		}
	}
	return false
}

// FuzzDecodeFramework: decoding never panics and refuses with a problem on
// the file; what it accepts is one JSON value that encodes and decodes to
// the same framework; Validate names only places in the framework, with
// known codes; and a valid framework has what the rules rely on (five
// levels to each criterion, ids that find their criterion once) and runs
// through the consensus rules.
func FuzzDecodeFramework(f *testing.F) {
	shipped, err := shipped.ReadFile("framework-1.0.0.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(shipped)
	small, _ := json.Marshal(testFramework())
	f.Add(small)
	for _, s := range []string{
		``, `null`, `{}`, `[]`, `"x"`, `{`, `{"version":"1.0.0"} {"version":"2.0.0"}`, `{"version":"1.0.0"}]`, `{"colour":1}`,
		`{"version":1}`, `{"version":"01.0.0"}`, `{"version":"1.0.0-rc1"}`, `{"version":"99999999999999999999.0.0"}`,
		`{"groups":[{"id":"a","criteria":[{"id":"a.b","scale":[{"level":0},{"level":1},{"level":2},{"level":3},{"level":4}],"gate":0}]}]}`,
		`{"groups":[{"id":"a","criteria":[{"id":"a.b","gate":5,"check":"magic"},{"id":"a.b"}]},{"id":"a"}]}`,
		`{"groups":[{"id":"A.b","criteria":[{"id":"A.b.c","scale":[{"level":4}]}]}]}`,
		`{"groups":[{"id":"a","criteria":[{"id":"b.c","gate":1e400}]}]}`, `{"groups":[{"id":"a","criteria":[{"id":"a.\u0000"}]}]}`,
		`{"title":{"nl":"\ud800","en":"` + "\xff" + `"}}`, `{"sources":[{"title":"t","url":"javascript:alert(1)","note":{"nl":"n","en":"n"}}]}`,
		strings.Repeat(`[`, 10000), `{"groups":[` + strings.Repeat(`{"id":"g","criteria":[]},`, 200) + `{}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fw, err := DecodeFramework(data)
		if err != nil {
			p, ok := problem.As(err)
			if !ok || p.Kind != problem.Invalid || len(p.Fields) != 1 || p.Fields["file"] == "" {
				t.Fatalf("DecodeFramework(%q): %v", data, err)
			}
			return
		}
		// One JSON value and nothing after it but space.
		dec := json.NewDecoder(bytes.NewReader(data))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("DecodeFramework accepted %q, which is not JSON: %v", data, err)
		}
		if rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
			t.Fatalf("DecodeFramework accepted %q with %q after it", data, rest)
		}
		enc, err := json.Marshal(fw)
		if err != nil {
			t.Fatalf("framework from %q does not encode: %v", data, err)
		}
		back, err := DecodeFramework(enc)
		if err != nil || !reflect.DeepEqual(back, fw) {
			t.Fatalf("framework from %q does not come back through JSON: %v\n%+v\n%+v", data, err, fw, back)
		}
		err = fw.Validate()
		if err != nil {
			p, ok := problem.As(err)
			if !ok || p.Kind != problem.Invalid || len(p.Fields) == 0 {
				t.Fatalf("Validate of %q: %v", data, err)
			}
			for name, code := range p.Fields {
				if !slices.Contains(frameworkCodes, code) || !frameworkField(fw, name) {
					t.Fatalf("Validate of %q: %s on %q", data, code, name)
				}
			}
			return
		}
		if back.Validate() != nil {
			t.Fatalf("a valid framework is not valid after a trip through JSON: %s", enc)
		}
		criteria := fw.Criteria()
		if len(criteria) == 0 {
			t.Fatalf("a valid framework without criteria: %s", data)
		}
		ids := map[string]bool{}
		var a, b Review
		a = Review{ReviewerID: 1, Scores: map[string]Score{}, SubmittedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		b = Review{ReviewerID: 2, Scores: map[string]Score{}, SubmittedAt: a.SubmittedAt}
		for i, c := range criteria {
			if ids[c.ID] {
				t.Fatalf("a valid framework has %q twice", c.ID)
			}
			ids[c.ID] = true
			if found, ok := fw.Criterion(c.ID); !ok || found.ID != c.ID || len(found.Scale) != MaxLevel+1 {
				t.Fatalf("Criterion(%q) = %+v, %v", c.ID, found, ok)
			}
			if c.Gate != nil && (*c.Gate < 1 || *c.Gate > MaxLevel) {
				t.Fatalf("a valid framework with a gate of %d", *c.Gate)
			}
			la, lb := i%(MaxLevel+1), (i*3)%(MaxLevel+1)
			sa := Score{Criterion: c.ID, Level: &la, Reason: "r", Confidence: ConfidenceHigh, Evidence: []Evidence{{URL: "https://example.org/e"}}}
			if err := CheckScore(fw, sa); err != nil {
				t.Fatalf("a sound score of %q is refused: %v", c.ID, err)
			}
			a.Scores[c.ID] = sa
			b.Scores[c.ID] = Score{Criterion: c.ID, Level: &lb, Confidence: ConfidenceLow}
		}
		r := Consensus(fw, []Review{a, b}, nil)
		if len(r.Criteria) != len(criteria) || len(r.Groups) != len(fw.Groups) || r.Reviews != 2 {
			t.Fatalf("consensus of a valid framework: %d criteria, %d groups, %d reviews", len(r.Criteria), len(r.Groups), r.Reviews)
		}
		for _, g := range r.Groups {
			if g.Score != nil && (*g.Score < 0 || *g.Score > MaxLevel) || g.Known > g.Total {
				t.Fatalf("group result %+v", g)
			}
		}
	})
}

// TestDecodeFrameworkRefusesWhatFollows keeps what FuzzDecodeFramework
// found: a second framework after the first, or a stray bracket, was
// dropped without a word.
func TestDecodeFrameworkRefusesWhatFollows(t *testing.T) {
	good, _ := json.Marshal(testFramework())
	for _, tail := range []string{" " + string(good), "]", "}", " x", "\n{}"} {
		if _, err := DecodeFramework(append(slices.Clone(good), tail...)); err == nil {
			t.Errorf("a framework followed by %.20q is accepted", tail)
		}
	}
	if _, err := DecodeFramework(append(slices.Clone(good), " \n\t\r\n"...)); err != nil {
		t.Errorf("a framework followed by space is refused: %v", err)
	}
}
