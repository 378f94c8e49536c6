package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"samen/internal/tally"
	"samen/internal/web/i18n"
)

// writeFile puts a ballot file in a temporary folder.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// tallyJSON runs samen tally --json and decodes what it prints.
func tallyJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, out, errOut := samen(t, env(), "", append([]string{"tally", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("samen tally --json %v: code %d, %s", args, code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return m
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// Wikipedia's example of the Schulze method: 45 voters, candidates A–E.
const schulzeBLT = `5 1
5 1 3 2 5 4 0
5 1 4 5 3 2 0
8 2 5 4 1 3 0
3 3 1 2 5 4 0
7 3 1 5 2 4 0
2 3 2 1 4 5 0
7 4 3 5 2 1 0
8 5 2 1 4 3 0
0
"A"
"B"
"C"
"D"
"E"
"Wikipedia's Schulze example"
`

func TestTallyBLT(t *testing.T) {
	file := writeFile(t, "wikipedia.blt", schulzeBLT)
	m := tallyJSON(t, file)
	if m["method"] != "schulze" || m["ballots"] != 45.0 || m["title"] != "Wikipedia's Schulze example" {
		t.Errorf("%v", m)
	}
	if got := strs(m["winners"]); !slices.Equal(got, []string{"5"}) {
		t.Errorf("winners %v, want E (5)", got)
	}
	if got := strs(m["ranking"]); !slices.Equal(got, []string{"5", "1", "3", "2", "4"}) {
		t.Errorf("ranking %v, want E A C B D", got)
	}
	if names := m["names"].(map[string]any); names["5"] != "E" || names["1"] != "A" {
		t.Errorf("names %v", names)
	}
	if _, ok := m["passed"]; ok {
		t.Errorf("an election has no passed: %v", m)
	}

	code, out, errOut := samen(t, env(), "", "tally", file)
	if code != 0 {
		t.Fatalf("code %d, %s", code, errOut)
	}
	want := msgs.T("en", "tally.cli.method.schulze") + ": Wikipedia's Schulze example\n" +
		msgs.N("en", "tally.cli.ballots", 45) + "\n" +
		msgs.N("en", "tally.cli.winners", 1, "list", "E (5)") + "\n" +
		msgs.T("en", "tally.cli.ranking") + "\n" +
		"   1. E (5)\n   2. A (1)\n   3. C (3)\n   4. B (2)\n   5. D (4)\n"
	if out != want {
		t.Errorf("plain output:\n%s\nwant:\n%s", out, want)
	}

	// The same file by another method, and with more seats.
	if m := tallyJSON(t, "--method", "irv", file); m["method"] != "irv" || len(strs(m["winners"])) != 1 {
		t.Errorf("irv: %v", m)
	}
	if m := tallyJSON(t, file, "--method=stv", "--seats", "2"); m["method"] != "stv" || len(strs(m["winners"])) != 2 {
		t.Errorf("stv with 2 seats: %v", m)
	}
	code, _, errOut = samen(t, env(), "", "tally", "--seats", "9", file)
	if want := msgs.T("en", "tally.election.seats"); code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("9 seats of 5: code %d, %q; want %q", code, errOut, want)
	}
}

func TestTallyPB(t *testing.T) {
	file := writeFile(t, "buurt.pb", `META
key;value
description;Buurtbudget
num_projects;3
num_votes;4
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
p1;60;Speeltuin
p2;50;Bankjes
p3;40;Bomen
VOTES
voter_id;vote
1;p1,p3
2;p1
3;p1,p2
4;p2
`)
	// Most votes first: p1, then p2 does not fit, p3 does.
	if m := tallyJSON(t, "--method", "greedy", file); !slices.Equal(strs(m["winners"]), []string{"p1", "p3"}) || m["ballots"] != 4.0 {
		t.Errorf("greedy: %v", m)
	}
	// Equal shares: each voter has 25; p1's three supporters pay 20 each,
	// and what is left pays for nothing more.
	m := tallyJSON(t, file)
	if m["method"] != "equal-shares" || !slices.Equal(strs(m["winners"]), []string{"p1"}) {
		t.Errorf("equal shares: %v", m)
	}
	code, out, errOut := samen(t, env("LANG", "nl_NL.UTF-8"), "", "tally", "--method", "greedy", file)
	for _, want := range []string{
		msgs.T("nl", "tally.cli.method.greedy") + ": Buurtbudget",
		msgs.N("nl", "tally.cli.funded", 2, "list", "Speeltuin (p1), Bomen (p3)"),
		msgs.T("nl", "tally.cli.spent", "spent", 100, "total", 100),
		"1. Speeltuin (p1) — " + msgs.T("nl", "tally.cli.cost", "cost", 60),
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("code %d, %s\n%s\nlacks %q", code, errOut, out, want)
		}
	}
}

func TestTallyCSVMajority(t *testing.T) {
	file := writeFile(t, "vote.csv", `# method: majority
# title: A bicycle shed
# electorate: 12
# quorum: 50
# threshold: two_thirds
ballot,position,reason
1,yes,
2,yes,
3,no,"Too dear, for now"
4,abstain,
5,yes,
6,yes,
`)
	m := tallyJSON(t, file)
	if m["method"] != "majority" || m["passed"] != true || m["quorum_met"] != true || m["cast"] != 6.0 || m["quorum_needed"] != 6.0 {
		t.Errorf("%v", m)
	}
	counts := m["counts"].(map[string]any)
	if counts["yes"] != 4.0 || counts["no"] != 1.0 || counts["abstain"] != 1.0 {
		t.Errorf("counts %v", counts)
	}
	if w, r := strs(m["winners"]), strs(m["ranking"]); len(w) != 0 || len(r) != 0 {
		t.Errorf("a motion has no winners or ranking: %v %v", w, r)
	}
	if _, ok := m["blocked"]; ok {
		t.Errorf("a majority vote is never blocked: %v", m)
	}
	code, out, _ := samen(t, env(), "", "tally", file)
	want := msgs.T("en", "tally.cli.method.majority") + ": A bicycle shed\n" +
		msgs.N("en", "tally.cli.ballots", 6) + "\n" +
		"yes 4 · no 1 · abstain 1\n" +
		msgs.T("en", "tally.cli.quorum_met", "cast", 6, "needed", 6, "quorum", 50, "electorate", 12) + "\n" +
		msgs.T("en", "tally.cli.threshold.two_thirds") + "\n" +
		msgs.T("en", "tally.cli.passed") + "\n"
	if code != 0 || out != want {
		t.Errorf("code %d, output:\n%s\nwant:\n%s", code, out, want)
	}
}

func TestTallyCSVOptions(t *testing.T) {
	// No "# method:" line: the flag says it.
	file := writeFile(t, "scores.csv", "# option: a Apples\n# option: b Pears\nballot,a,b,c\n1,5,3,\n2,3,5,1\n")
	m := tallyJSON(t, "--method", "score", file)
	if !slices.Equal(strs(m["ranking"]), []string{"a", "b", "c"}) || m["names"].(map[string]any)["b"] != "Pears" {
		t.Errorf("%v", m)
	}
	code, out, _ := samen(t, env(), "", "tally", "--method", "score", file)
	if want := "1. Apples (a) — " + msgs.T("en", "tally.cli.total.score", "total", 8, "top", 1); code != 0 || !strings.Contains(out, want) ||
		!strings.Contains(out, msgs.T("en", "tally.cli.lot")) {
		t.Errorf("code %d, %s\nwant %q and the lot", code, out, want)
	}
	// Without either, the file cannot be counted.
	code, _, errOut := samen(t, env(), "", "tally", file)
	if want := msgs.T("en", "tally.csv.method_missing"); code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("no method: code %d, %q", code, errOut)
	}
	poll := writeFile(t, "dates.csv", "# method: poll\nballot,tue,wed\n1,maybe,yes\n2,yes,no\n3,yes,yes\n")
	code, out, _ = samen(t, env(), "", "tally", poll)
	if want := "1. tue — " + msgs.T("en", "tally.cli.total.poll", "yes", 2, "maybe", 1, "no", 0); code != 0 || !strings.Contains(out, want) {
		t.Errorf("poll: %d %s; want %q", code, out, want)
	}
	if m := tallyJSON(t, poll); !slices.Equal(strs(m["winners"]), []string{"tue"}) {
		t.Errorf("poll: %v", m)
	}
}

func TestTallyBadFileInDutch(t *testing.T) {
	file := writeFile(t, "scores.csv", "# method: score\nballot,a,b\n1,5,6\n")
	code, out, errOut := samen(t, env("LANG", "nl_NL.UTF-8"), "", "tally", file)
	want := msgs.T("nl", "toolbox.import.at_line", "line", 3, "problem", msgs.T("nl", "tally.csv.score"))
	if code != 1 || out != "" || !strings.Contains(errOut, want) || !strings.HasPrefix(want, "Regel 3: ") {
		t.Errorf("code %d, out %q, err %q; want %q", code, out, errOut, want)
	}
	blt := writeFile(t, "broken.blt", "3 1\n1 4 0\n0\n")
	code, _, errOut = samen(t, env("LANG", "en_GB.UTF-8"), "", "tally", blt)
	if code != 1 || !strings.Contains(errOut, "Line 2: ") {
		t.Errorf("bad BLT: code %d, %q", code, errOut)
	}
}

func TestTallyUsage(t *testing.T) {
	blt := writeFile(t, "x.blt", schulzeBLT)
	for _, args := range [][]string{
		{"tally"},
		{"tally", "votes.txt"},
		{"tally", "--method", "greedy", blt},
		{"tally", "--method", "borda", blt},
		{"tally", "--seats", "0", blt},
		{"tally", "--frobnicate", blt},
		{"tally", blt, blt},
		{"tally", "--method"},
	} {
		if code, _, errOut := samen(t, env(), "", args...); code != 2 || !strings.Contains(errOut, "usage: samen tally") {
			t.Errorf("%v: code %d, %q; want the usage and 2", args, code, errOut)
		}
	}
	if code, out, _ := samen(t, env(), "", "tally", "--help"); code != 0 || !strings.Contains(out, "FILE.pb") {
		t.Errorf("--help: %d %q", code, out)
	}
	if code, _, errOut := samen(t, env(), "", "tally", filepath.Join(t.TempDir(), "gone.csv")); code != 1 || !strings.Contains(errOut, "gone.csv") {
		t.Errorf("missing file: %d %q", code, errOut)
	}
}

// Every message the command can print is in both languages (the keys are
// made from the methods' names, so the web package's scan cannot see them).
func TestTallyMessagesExist(t *testing.T) {
	keys := []string{"tally.cli.ranking", "tally.cli.no_winner", "tally.cli.spent", "tally.cli.cost", "tally.cli.lot",
		"tally.cli.quorum_none", "tally.cli.quorum_met", "tally.cli.quorum_not_met", "tally.cli.passed", "tally.cli.rejected",
		"tally.cli.blocked", "tally.cli.total.score", "tally.cli.total.dot", "tally.cli.total.approval", "tally.cli.total.poll",
		"toolbox.import.at_line"}
	for _, k := range []string{"tally.cli.ballots", "tally.cli.winners", "tally.cli.funded"} {
		keys = append(keys, k+".one", k+".other")
	}
	for _, methods := range tallyMethods {
		for _, m := range methods {
			keys = append(keys, "tally.cli.method."+strings.ReplaceAll(m, "-", "_"))
		}
	}
	for _, p := range append(slices.Clone(tally.ConsentPositions), tally.MajorityPositions...) {
		keys = append(keys, "tally.cli.position."+p)
	}
	for _, th := range tally.Thresholds {
		keys = append(keys, "tally.cli.threshold."+th)
	}
	for _, lang := range i18n.Languages {
		for _, k := range keys {
			if !msgs.Has(lang, k) {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}
