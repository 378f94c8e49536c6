package tally

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func pbReadFile(t *testing.T, name string) Budget {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := ReadPB(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pbRoundTrip writes b and reads it back.
func pbRoundTrip(t *testing.T, b Budget) Budget {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePB(&buf, b); err != nil {
		t.Fatalf("write: %v", err)
	}
	back, err := ReadPB(&buf)
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, buf.String())
	}
	return back
}

func TestReadPBFile(t *testing.T) {
	b := pbReadFile(t, "testdata/buurtbudget_oost_2026.pb")
	if b.Title != "Buurtbudget Oost 2026 (made up for samen's tests)" || b.Total != 100000 || b.Kind != KindApproval ||
		b.MinChoices != 1 || b.MaxChoices != 3 || b.MinCost != 0 || b.Add1Step != 0 {
		t.Errorf("budget %+v", b)
	}
	wantMeta := map[string]string{"country": "Netherlands", "unit": "Amsterdam", "subunit": "Oost", "instance": "2026",
		"currency": "EUR", "rule": "greedy", "date_begin": "01.03.2026", "date_end": "31.03.2026"}
	for k, v := range wantMeta {
		if b.Meta[k] != v {
			t.Errorf("meta %s = %q, want %q", k, b.Meta[k], v)
		}
	}
	if !strings.Contains(b.Meta["comment"], "; ") || len(b.Meta) != len(wantMeta)+1 {
		t.Errorf("meta %v", b.Meta)
	}
	if len(b.Projects) != 6 {
		t.Fatalf("projects %+v", b.Projects)
	}
	p := b.Projects[1]
	if p.ID != "2" || p.Cost != 35000 || p.Name != "Buurtkamer; koffie en taal" ||
		!reflect.DeepEqual(p.Extra, map[string]string{"votes": "6", "category": "social", "target": "seniors,adults", "selected": "1"}) {
		t.Errorf("project 2: %+v", p)
	}
	if p := b.Projects[2]; p.Name != `"Groene" daken op de Dapperbuurt` || p.Extra["target"] != "" || len(p.Extra) != 3 {
		t.Errorf("project 3: %+v", p)
	}
	if len(b.Ballots) != 12 || b.Ballots[8].Voter != "9" || !slices.Equal(b.Ballots[8].Projects, []int{1, 2, 4}) {
		t.Errorf("ballots %+v", b.Ballots)
	}
	if err := b.Validate(); err != nil {
		t.Error(err)
	}
	// The votes and selected columns the file carries agree with the counts.
	votes := budgetVotes(b)
	for i, p := range b.Projects {
		if p.Extra["votes"] != []string{"8", "6", "5", "4", "3", "1"}[i] || votes[i] != []int64{8, 6, 5, 4, 3, 1}[i] {
			t.Errorf("project %s: file says %s votes, counted %d", p.ID, p.Extra["votes"], votes[i])
		}
	}
	if g := Greedy(b); !slices.Equal(g.Winners, []int{0, 1}) {
		t.Errorf("greedy %v, want the two the file marks selected", g.Winners)
	}
	// Equal Shares: 8333.33 each; the playground's 8 supporters pay 7500
	// each; the bicycle parking (15000) then beats the allotment garden
	// (ρ 0.444 against 0.448), and the garden comes third.
	if r := EqualShares(b); !slices.Equal(r.Winners, []int{0, 3, 4}) {
		t.Errorf("equal shares %v", r.Winners)
	}
	if back := pbRoundTrip(t, b); !reflect.DeepEqual(back, b) {
		t.Errorf("round trip:\n%+v\n%+v", back, b)
	}
}

// The example on the format's page (https://pabulib.org/format), with the
// spaces after the semicolons as it is printed there.
const pbFormatExample = `META
key; value
description; Municipal PB in Wieliczka
country; Poland
unit; Wieliczka
instance; 2020
num_projects; 5
num_votes; 10
budget; 2500
rule; greedy
vote_type; approval
min_length; 1
max_length; 3
date_begin; 16.09.2023
date_end; 04.10.2023
PROJECTS
project_id; cost; category
1; 600; culture, education
2; 800; sport
4; 1400; culture
5; 1000; health, sport
7; 1200; education
VOTES
voter_id; age; sex; vote
1; 34; f; 1,2,4
2; 51; m; 1,2
3; 23; m; 2,4,5
4; 19; f; 5,7
5; 62; f; 1,4,7
6; 54; m; 1,7
7; 49; m; 5
8; 27; f; 4
9; 39; f; 2,4,5
10; 44; m; 4,5
`

func TestReadPBFormatExample(t *testing.T) {
	b, err := ReadPB(strings.NewReader(pbFormatExample))
	if err != nil {
		t.Fatal(err)
	}
	if b.Title != "Municipal PB in Wieliczka" || b.Total != 2500 || len(b.Projects) != 5 || len(b.Ballots) != 10 ||
		b.Projects[4].ID != "7" || b.Projects[0].Extra["category"] != "culture, education" {
		t.Fatalf("%+v", b)
	}
	// Votes: project 4 has 6, 5 has 5, 1 and 2 have 4 each, 7 has 3.
	// Greedy: 4 (1400, 1100 left), 5 (1000, 100 left), then nothing fits.
	if r := Greedy(b); !slices.Equal(r.Winners, []int{2, 3}) {
		t.Errorf("greedy %v", r.Winners)
	}
	if back := pbRoundTrip(t, b); !reflect.DeepEqual(back, b) {
		t.Errorf("round trip:\n%+v\n%+v", back, b)
	}
}

// Ordinal votes are read as approvals of the projects ranked, in order;
// choose-1 is approval of at most one.
func TestReadPBVoteTypes(t *testing.T) {
	in := strings.Replace(pbFormatExample, "vote_type; approval", "vote_type; ordinal", 1)
	b, err := ReadPB(strings.NewReader(in))
	if err != nil || !slices.Equal(b.Ballots[2].Projects, []int{1, 2, 3}) || b.Kind != KindApproval {
		t.Fatalf("%v %+v", err, b.Ballots)
	}
	in = strings.Replace(pbFormatExample, "vote_type; approval", "vote_type; choose-1", 1)
	in = strings.Replace(in, "max_length; 3\n", "", 1)
	if b, err := ReadPB(strings.NewReader(in)); err != nil || b.MaxChoices != 1 {
		t.Fatalf("%v %+v", err, b)
	}
}

// samen's knapsack is approval with max_sum_cost = budget; its amounts
// in cents and its Add1Step survive the round trip.
func TestPBKnapsackRoundTrip(t *testing.T) {
	b := pbBudget(500_000_00, []int64{120_000_00, 80_000_00, 250_000_00}, []int{0, 1}, []int{2}, []int{1, 2}, nil)
	b.Kind, b.MinCost, b.MaxChoices, b.Add1Step = KindKnapsack, 100_000_00, 3, 100
	b.Meta = map[string]string{"currency": "EUR", "unit": "Wooncoöperatie De Samenwerking", "min_sum_cost": "x"}
	var buf bytes.Buffer
	if err := WritePB(&buf, b); err == nil {
		t.Fatal("a knapsack with min_sum_cost in Meta was written")
	}
	delete(b.Meta, "min_sum_cost")
	buf.Reset()
	if err := WritePB(&buf, b); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, want := range []string{"vote_type;approval\n", "max_sum_cost;50000000\n", "min_sum_cost;10000000\n", "add1_step;100\n", "\n4;\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("written file lacks %q:\n%s", want, text)
		}
	}
	back, err := ReadPB(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, b) {
		t.Errorf("round trip:\n%+v\n%+v", back, b)
	}
	// An approval budget whose max_sum_cost is not the budget keeps it in
	// Meta; one whose max_sum_cost is the budget is a knapsack.
	in := strings.Replace(pbFormatExample, "rule; greedy", "rule; greedy\nmax_sum_cost; 2000", 1)
	if b, err := ReadPB(strings.NewReader(in)); err != nil || b.Kind != KindApproval || b.Meta["max_sum_cost"] != "2000" {
		t.Errorf("%v %+v", err, b)
	}
	in = strings.Replace(pbFormatExample, "rule; greedy", "rule; greedy\nmax_sum_cost; 2500.00", 1)
	if b, err := ReadPB(strings.NewReader(in)); err != nil || b.Kind != KindKnapsack || b.Meta["max_sum_cost"] != "" {
		t.Errorf("%v %+v", err, b)
	}
}

// A minimal valid file, and what each kind of damage gives.
const pbMinimal = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;60\n2;40\nVOTES\nvoter_id;vote\n1;1,2\n2;2\n"

func TestReadPBErrors(t *testing.T) {
	if _, err := ReadPB(strings.NewReader(pbMinimal)); err != nil {
		t.Fatal(err)
	}
	swap := func(old, new string) string {
		if !strings.Contains(pbMinimal, old) {
			t.Fatalf("%q is not in the minimal file", old)
		}
		return strings.Replace(pbMinimal, old, new, 1)
	}
	cases := []struct {
		name, in string
		line     int
		code     string
	}{
		{"bare quote", swap("1;60", `1;6"0`), 7, "tally.pb.csv"},
		{"unclosed quote", swap("1;60", `1;"60`), 12, "tally.pb.csv"},
		{"not utf-8", swap("1;60", "1;60\xff"), 7, "tally.pb.encoding"},
		{"row before META", "x;y\n" + pbMinimal, 1, "tally.pb.section"},
		{"no PROJECTS", "META\nkey;value\nbudget;100\nvote_type;approval\n", 0, "tally.pb.section"},
		{"sections out of order", swap("PROJECTS", "VOTES"), 5, "tally.pb.section"},
		{"title without header", swap("project_id;cost\n1;60\n2;40\n", ""), 6, "tally.pb.section"},
		{"no VOTES header", strings.TrimSuffix(pbMinimal, "voter_id;vote\n1;1,2\n2;2\n"), 0, "tally.pb.section"},
		{"META header", swap("key;value", "k;v"), 2, "tally.pb.header"},
		{"no cost column", swap("project_id;cost", "project_id;price"), 6, "tally.pb.header"},
		{"column twice", swap("project_id;cost", "project_id;cost;cost"), 6, "tally.pb.header"},
		{"no vote column", swap("voter_id;vote", "voter_id;votes"), 10, "tally.pb.header"},
		{"META row with three fields", swap("budget;100", "budget;100;x"), 3, "tally.pb.meta"},
		{"META row with one field", swap("budget;100", "budget"), 3, "tally.pb.meta"},
		{"META key twice", swap("budget;100", "budget;100\nbudget;200"), 4, "tally.pb.duplicate_key"},
		{"no budget", swap("budget;100\n", ""), 1, "tally.pb.budget"},
		{"budget with cents", swap("budget;100", "budget;100.50"), 3, "tally.pb.budget"},
		{"negative budget", swap("budget;100", "budget;-100"), 3, "tally.pb.budget"},
		{"budget too large", swap("budget;100", "budget;1000000000001"), 3, "tally.pb.budget"},
		{"budget with spaces inside", swap("budget;100", "budget;1 000"), 3, "tally.pb.budget"},
		{"no vote_type", swap("vote_type;approval\n", ""), 1, "tally.pb.vote_type"},
		{"cumulative", swap("vote_type;approval", "vote_type;cumulative"), 4, "tally.pb.vote_type"},
		{"max_length not a number", swap("budget;100", "budget;100\nmax_length;three"), 4, "tally.pb.number"},
		{"num_votes negative", swap("budget;100", "budget;100\nnum_votes;-2"), 4, "tally.pb.number"},
		{"min above max", swap("budget;100", "budget;100\nmin_length;3\nmax_length;2"), 5, "tally.pb.length"},
		{"min_sum_cost above budget", swap("budget;100", "budget;100\nmax_sum_cost;100\nmin_sum_cost;101"), 5, "tally.pb.min_cost"},
		{"project row short", swap("1;60", "1"), 7, "tally.pb.fields"},
		{"vote row long", swap("1;1,2", "1;1,2;x"), 11, "tally.pb.fields"},
		{"empty project id", swap("1;60", ";60"), 7, "tally.pb.project_id"},
		{"project id with comma", swap("1;60", `"1,5";60`), 7, "tally.pb.project_id"},
		{"project id twice", swap("2;40", "1;40"), 8, "tally.pb.duplicate_project"},
		{"zero cost", swap("1;60", "1;0"), 7, "tally.pb.cost"},
		{"cost in cents", swap("1;60", "1;60,5"), 7, "tally.pb.cost"},
		{"cost not a number", swap("1;60", "1;sixty"), 7, "tally.pb.cost"},
		{"empty voter", swap("2;2\n", ";2\n"), 12, "tally.pb.voter"},
		{"voter twice", swap("2;2\n", "1;2\n"), 12, "tally.pb.duplicate_voter"},
		{"empty entry in vote", swap("1;1,2", "1;1,,2"), 11, "tally.pb.vote"},
		{"trailing comma", swap("1;1,2", "1;1,2,"), 11, "tally.pb.vote"},
		{"unknown project", swap("1;1,2", "1;1,3"), 11, "tally.pb.unknown_project"},
		{"project twice in a vote", swap("1;1,2", "1;2,1,2"), 11, "tally.pb.repeated"},
		{"num_projects wrong", swap("budget;100", "budget;100\nnum_projects;3"), 4, "tally.pb.count_mismatch"},
		{"num_votes wrong", swap("budget;100", "budget;100\nnum_votes;3"), 4, "tally.pb.count_mismatch"},
	}
	for _, c := range cases {
		_, err := ReadPB(strings.NewReader(c.in))
		var fe *FileError
		if !errors.As(err, &fe) || fe.Code != c.code || fe.Line != c.line {
			t.Errorf("%s: got %v, want line %d: %s", c.name, err, c.line, c.code)
		}
	}
}

func TestReadPBTooLarge(t *testing.T) {
	defer func(p, v int) { pbMaxProjects, pbMaxVotes = p, v }(pbMaxProjects, pbMaxVotes)
	if pbMaxProjects != 10_000 || pbMaxVotes != 5_000_000 {
		t.Fatalf("caps %d and %d, the documentation says 10,000 and 5,000,000", pbMaxProjects, pbMaxVotes)
	}
	pbMaxProjects, pbMaxVotes = 2, 2
	var fe *FileError
	_, err := ReadPB(strings.NewReader(pbMinimal + "3;1\n"))
	if !errors.As(err, &fe) || fe.Code != "tally.pb.too_large" || fe.Line != 13 {
		t.Errorf("%v", err)
	}
	_, err = ReadPB(strings.NewReader(strings.Replace(pbMinimal, "2;40\n", "2;40\n3;1\n", 1)))
	if !errors.As(err, &fe) || fe.Code != "tally.pb.too_large" || fe.Line != 9 {
		t.Errorf("%v", err)
	}
}

// A byte order mark, blank lines and Windows line ends are fine.
func TestReadPBLeniencies(t *testing.T) {
	in := "\uFEFF" + strings.ReplaceAll(strings.Replace(pbMinimal, "PROJECTS\n", "\nPROJECTS\n\n", 1), "\n", "\r\n")
	b, err := ReadPB(strings.NewReader(in))
	if err != nil || len(b.Projects) != 2 || len(b.Ballots) != 2 {
		t.Fatalf("%v %+v", err, b)
	}
	// An empty vote is a ballot that approves nothing.
	b, err = ReadPB(strings.NewReader(pbMinimal + "3;\n"))
	if err != nil || len(b.Ballots) != 3 || len(b.Ballots[2].Projects) != 0 {
		t.Fatalf("%v %+v", err, b)
	}
	if back := pbRoundTrip(t, b); !reflect.DeepEqual(back, b) {
		t.Errorf("round trip:\n%+v\n%+v", back, b)
	}
}

func TestWritePBErrors(t *testing.T) {
	base := func() Budget { return pbBudget(100, []int64{60, 40}, []int{0, 1}, []int{1}) }
	cases := []struct {
		name   string
		change func(*Budget)
		code   string
	}{
		{"invalid budget", func(b *Budget) { b.Projects[0].Cost = 0 }, "tally.budget.cost"},
		{"reserved meta", func(b *Budget) { b.Meta = map[string]string{"budget": "5"} }, "tally.pb.reserved"},
		{"max_sum_cost = budget on approval", func(b *Budget) { b.Meta = map[string]string{"max_sum_cost": "100"} }, "tally.pb.reserved"},
		{"section name, empty value", func(b *Budget) { b.Meta = map[string]string{"Votes": ""} }, "tally.pb.reserved"},
		{"empty meta key", func(b *Budget) { b.Meta = map[string]string{"": "x"} }, "tally.pb.meta"},
		{"meta key with spaces", func(b *Budget) { b.Meta = map[string]string{" country": "x"} }, "tally.pb.meta"},
		{"extra column cost", func(b *Budget) { b.Projects[1].Extra = map[string]string{"cost": "1"} }, "tally.pb.column"},
		{"extra column empty", func(b *Budget) { b.Projects[1].Extra = map[string]string{"": "1"} }, "tally.pb.column"},
		{"empty voter", func(b *Budget) { b.Ballots[1].Voter = "" }, "tally.pb.voter"},
		{"voter with spaces", func(b *Budget) { b.Ballots[1].Voter = "2 " }, "tally.pb.voter"},
		{"voter META with empty ballot", func(b *Budget) { b.Ballots[1] = BudgetBallot{Voter: "META"} }, "tally.pb.voter"},
		{"voter twice", func(b *Budget) { b.Ballots[1].Voter = "1" }, "tally.pb.duplicate_voter"},
		{"not utf-8", func(b *Budget) { b.Projects[0].Name = "\xff" }, "tally.pb.encoding"},
	}
	for _, c := range cases {
		b := base()
		c.change(&b)
		err := WritePB(&bytes.Buffer{}, b)
		var be *BudgetError
		if !errors.As(err, &be) || be.Code != c.code {
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
		}
	}
	// What is allowed: a section name as a key with a value; a voter
	// called META who voted.
	b := base()
	b.Meta = map[string]string{"votes": "many", "max_sum_cost": "80"}
	b.Ballots[1].Voter = "META"
	if back := pbRoundTrip(t, b); !reflect.DeepEqual(back, b) {
		t.Errorf("round trip:\n%+v\n%+v", back, b)
	}
}

// FuzzReadPB: no input makes ReadPB panic; it either fails with a
// *FileError or gives a budget that Validate accepts and that WritePB
// writes and ReadPB reads back the same.
func FuzzReadPB(f *testing.F) {
	f.Add(pbMinimal)
	f.Add(pbFormatExample)
	if data, err := os.ReadFile("testdata/buurtbudget_oost_2026.pb"); err == nil {
		f.Add(string(data))
	}
	f.Add("META\nkey;value\nbudget;10\nvote_type;approval\nmax_sum_cost;10\nmin_sum_cost;5\nPROJECTS\nproject_id;cost;name\n\"a;b\";5;\"x\"\"y\"\nVOTES\nvoter_id;vote\nv;\"a;b\"\n")
	f.Add("META\nkey;value\nbudget;1\nvote_type;choose-1\nVOTES;\nmeta;x\nPROJECTS\nproject_id;cost\n1;1\nVOTES\nvoter_id;vote\n1;\n")
	f.Fuzz(func(t *testing.T, in string) {
		b, err := ReadPB(strings.NewReader(in))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("not a FileError: %v", err)
			}
			return
		}
		if err := b.Validate(); err != nil {
			t.Fatalf("read a budget Validate rejects: %v", err)
		}
		var buf bytes.Buffer
		if err := WritePB(&buf, b); err != nil {
			t.Fatalf("cannot write what was read: %v\n%+v", err, b)
		}
		back, err := ReadPB(&buf)
		if err != nil {
			t.Fatalf("cannot read what was written: %v\n%s", err, buf.String())
		}
		if !reflect.DeepEqual(back, b) {
			t.Fatalf("round trip changed the budget:\n%+v\n%+v\n%s", b, back, buf.String())
		}
	})
}

func BenchmarkReadPB100k(b *testing.B) {
	var buf bytes.Buffer
	if err := WritePB(&buf, budgetBench(100_000)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := ReadPB(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
