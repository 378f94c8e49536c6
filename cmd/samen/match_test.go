package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"samen/internal/match"
	"samen/internal/web/i18n"
)

// A pool of 10 euros from three funders (5, 3 and 2), factor 1, at most
// €1.50 per project.
const matchFile = `{"pool": {"factor": 1, "max_per_project_cents": 150,
  "funders": [{"id": "a", "cents": 500}, {"id": "b", "cents": 300}, {"id": "c", "cents": 200}]},
 "contributions": [
  {"id": "c1", "project": "p", "contributor": "ann", "cents": 101},
  {"id": "c2", "project": "p", "contributor": "bob", "cents": 100},
  {"id": 3, "project": "q", "contributor": "ann", "cents": 50},
  {"id": "c4", "project": "p", "contributor": "cas", "cents": 10}]}`

// The matches, worked out by hand:
//   - c1: 101 over 500/300/200 (1000): 50.5 → 50, 30.3 → 30, 20.2 → 20;
//     the cent that remains to a, who has the most left: 51/30/20. Left
//     449/270/180; p has 101.
//   - c2: 100, but p has room for 150 − 101 = 49, over 449/270/180 (899):
//     24.47 → 24, 14.7 → 14, 9.8 → 9; two cents remain, to a and b:
//     25/15/9. Left 424/255/171; p is full.
//   - 3 (an id written as a number): 50 over 424/255/171 (850): 24.9 →
//     24, 15, 10.06 → 10; the cent to a: 25/15/10. Left 399/240/161.
//   - c4: p is full: 0.
const matchWant = `{
  "matches": [
    {"contribution":"c1","cents":101,"funders":{"a":51,"b":30,"c":20}},
    {"contribution":"c2","cents":49,"funders":{"a":25,"b":15,"c":9}},
    {"contribution":"3","cents":50,"funders":{"a":25,"b":15,"c":10}},
    {"contribution":"c4","cents":0,"funders":{}}
  ],
  "left": {"a":399,"b":240,"c":161}
}
`

func TestMatchSimulateJSON(t *testing.T) {
	file := writeFile(t, "pool.json", matchFile)
	code, out, errOut := samen(t, env(), "", "match", "simulate", "--json", file)
	if code != 0 || out != matchWant {
		t.Fatalf("code %d, %s\n%s\nwant\n%s", code, errOut, out, matchWant)
	}
	// It is JSON, of the promised shape.
	var got struct {
		Matches []struct {
			Contribution string           `json:"contribution"`
			Cents        int64            `json:"cents"`
			Funders      map[string]int64 `json:"funders"`
		} `json:"matches"`
		Left map[string]int64 `json:"left"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil || len(got.Matches) != 4 || got.Left["c"] != 161 {
		t.Errorf("%v: %+v", err, got)
	}
	// From standard input, with the flag after the file.
	if code, out, _ := samen(t, env(), matchFile, "match", "simulate", "-", "--json"); code != 0 || out != matchWant {
		t.Errorf("stdin: %d\n%s", code, out)
	}
}

func TestMatchSimulateText(t *testing.T) {
	file := writeFile(t, "pool.json", matchFile)
	code, out, errOut := samen(t, env("LANG", "C"), "", "match", "simulate", file)
	want := msgs.T("en", "match.cli.factor", "factor", "1") + "\n" +
		msgs.T("en", "match.cli.max_per_project", "cents", "€1.50") + "\n\n" +
		"contribution  project  contributor  given  match      a      b      c  note\n" +
		"c1            p        ann          €1.01  €1.01  €0.51  €0.30  €0.20\n" +
		"c2            p        bob          €1.00  €0.49  €0.25  €0.15  €0.09  cap per project reached\n" +
		"3             q        ann          €0.50  €0.50  €0.25  €0.15  €0.10\n" +
		"c4            p        cas          €0.10  €0.00  €0.00  €0.00  €0.00  cap per project reached\n\n" +
		msgs.N("en", "match.cli.contributions", 4, "given", "€2.61") + "\n" +
		msgs.N("en", "match.cli.matched", 3, "matched", "€2.00") + "\n\n" +
		"funder  put in   gave   left\n" +
		"a        €5.00  €1.01  €3.99\n" +
		"b        €3.00  €0.60  €2.40\n" +
		"c        €2.00  €0.39  €1.61\n" +
		"total   €10.00  €2.00  €8.00\n"
	if code != 0 || out != want {
		t.Errorf("code %d, %s\n%s\nwant\n%s", code, errOut, out, want)
	}

	// In Dutch, with a factor of 1.5 and every cap; many funders get no
	// column each.
	file = writeFile(t, "pot.json", `{"pool": {"factor": 1.5, "max_per_contribution_cents": 1000, "max_matched_per_contributor": 1,
		"funders": [{"id": "f1", "cents": 100000}, {"id": "f2", "cents": 1}, {"id": "f3", "cents": 1}, {"id": "f4", "cents": 1},
		{"id": "f5", "cents": 1}, {"id": "f6", "cents": 1}]},
		"contributions": [{"id": "c1", "project": "p", "contributor": "ann", "cents": 2000},
		{"id": "c2", "project": "p", "contributor": "ann", "cents": 100}]}`)
	code, out, _ = samen(t, env("LANG", "nl_NL.UTF-8"), "", "match", "simulate", file)
	for _, want := range []string{
		msgs.T("nl", "match.cli.factor", "factor", "1,5"),
		msgs.T("nl", "match.cli.max_per_contribution", "cents", "€ 10,00"),
		msgs.N("nl", "match.cli.max_matched", 1),
		// min(2000, 1000) × 1.5 = 1500, over 100000/1/1/1/1/1 (100005):
		// 1499.9 → 1499 and 0.015 → 0 five times; the cent to f1.
		"c1        p        ann            € 20,00    € 15,00  " + msgs.T("nl", "match.cli.limit.contribution"),
		"c2        p        ann             € 1,00     € 0,00  " + msgs.T("nl", "match.cli.limit.contributor"),
		"f1         € 1.000,00  € 15,00  € 985,00",
		msgs.N("nl", "match.cli.matched", 1, "matched", "€ 15,00"),
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("code %d\n%s\nlacks %q", code, out, want)
		}
	}
}

func TestMatchSimulateBadFile(t *testing.T) {
	for _, tc := range []struct {
		lang, text, want string
	}{
		{"en_GB.UTF-8", strings.Replace(matchFile, `"cents": 100}`, `"cents": 1.5}`, 1),
			`contributions.1.cents (c2): ` + msgs.T("en", "match.contribution.cents")},
		{"nl_NL.UTF-8", strings.Replace(matchFile, `"factor": 1`, `"factor": "1"`, 1),
			`pool.factor: ` + msgs.T("nl", "match.pool.factor")},
		{"en_GB.UTF-8", strings.Replace(matchFile, `"cents": 100}`, `"cents": 100, "name": "Bob"}`, 1),
			`contributions.1.name: ` + msgs.T("en", "match.json.unknown_field")},
		{"en_GB.UTF-8", strings.Replace(matchFile, `"id": "c4"`, `"id": "c1"`, 1),
			`contributions.3.id (c1): ` + msgs.T("en", "match.contribution.duplicate")},
		{"en_GB.UTF-8", matchFile + "]", msgs.T("en", "match.json.malformed")},
	} {
		file := writeFile(t, "pool.json", tc.text)
		code, out, errOut := samen(t, env("LANG", tc.lang), "", "match", "simulate", file)
		if want := "samen match: " + file + ": " + tc.want + "\n"; code != 1 || out != "" || errOut != want {
			t.Errorf("code %d, out %q\n%q\nwant %q", code, out, errOut, want)
		}
	}
	if code, _, errOut := samen(t, env(), "", "match", "simulate", filepath.Join(t.TempDir(), "gone.json")); code != 1 || !strings.Contains(errOut, "gone.json") {
		t.Errorf("missing file: %d %q", code, errOut)
	}
}

func TestMatchSimulateUsage(t *testing.T) {
	file := writeFile(t, "pool.json", matchFile)
	for _, args := range [][]string{
		{"match"},
		{"match", "count", file},
		{"match", "simulate"},
		{"match", "simulate", "--json"},
		{"match", "simulate", file, file},
		{"match", "simulate", "--method", "x", file},
		{"match", "simulate", "--json=1", file},
	} {
		if code, out, errOut := samen(t, env(), "", args...); code != 2 || out != "" || !strings.Contains(errOut, "usage: samen match simulate") {
			t.Errorf("%v: code %d, %q; want the usage and 2", args, code, errOut)
		}
	}
	for _, args := range [][]string{{"match", "--help"}, {"match", "simulate", "-h"}} {
		if code, out, _ := samen(t, env(), "", args...); code != 0 || !strings.Contains(out, "max_matched_per_contributor") {
			t.Errorf("%v: %d %q", args, code, out)
		}
	}
	if code, _, errOut := samen(t, env(), ""); code != 2 || !strings.Contains(errOut, "samen match simulate") {
		t.Errorf("the usage of samen lacks match: %q", errOut)
	}
}

// Every message the package and the command can give is in both
// languages (the keys are codes and limits, which the web package's scan
// cannot see).
func TestMatchMessagesExist(t *testing.T) {
	keys := append([]string{}, match.Codes...)
	for _, l := range match.Limits {
		keys = append(keys, "match.cli.limit."+l)
	}
	keys = append(keys, "match.cli.caps_none", "match.cli.factor", "match.cli.max_per_contribution", "match.cli.max_per_project",
		"match.cli.total")
	for _, c := range []string{"contribution", "contributor", "funder", "gave", "given", "left", "match", "note", "project", "put_in"} {
		keys = append(keys, "match.cli.col."+c)
	}
	for _, k := range []string{"match.cli.contributions", "match.cli.matched", "match.cli.max_matched"} {
		keys = append(keys, k+".one", k+".other")
	}
	for _, lang := range i18n.Languages {
		for _, k := range keys {
			if !msgs.Has(lang, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
	// And nothing in match.json is left over.
	for _, lang := range i18n.Languages {
		m, err := i18n.File(lang, "match.json")
		if err != nil {
			t.Fatal(err)
		}
		for k := range m {
			if !slices.Contains(keys, k) {
				t.Errorf("%s/match.json: %q is used nowhere", lang, k)
			}
		}
	}
}
