package tally

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func readCSV(t *testing.T, text, method string) Ballots {
	t.Helper()
	b, err := ReadCSV(strings.NewReader(text), method)
	if err != nil {
		t.Fatalf("ReadCSV: %v\n%s", err, text)
	}
	return b
}

// roundTrip writes b and reads it back unchanged.
func roundTrip(t *testing.T, b Ballots) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, b); err != nil {
		t.Fatalf("WriteCSV(%+v): %v", b, err)
	}
	back, err := ReadCSV(bytes.NewReader(buf.Bytes()), "")
	if err != nil {
		t.Fatalf("ReadCSV of WriteCSV's file: %v\n%s", err, buf.String())
	}
	if !reflect.DeepEqual(back, b) {
		t.Fatalf("round trip:\n got %+v\nwant %+v\nfile:\n%s", back, b, buf.String())
	}
	return buf.String()
}

func TestCSVMajority(t *testing.T) {
	b := readCSV(t, `# method: majority
# title: A bicycle shed by the entrance
# electorate: 40
# quorum: 25
# threshold: two_thirds
ballot,position,reason
1,yes,
2,no,"Too dear, for this year"
3,abstain,
4,yes,
5,yes,
6,yes,
7,yes,
8,no,
9,yes,
10,abstain,
`, "")
	want := Ballots{Method: "majority", Title: "A bicycle shed by the entrance", Electorate: 40, Quorum: 25, Threshold: "two_thirds",
		IDs:       []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"},
		Positions: positions("yes no abstain yes yes yes yes no yes abstain"),
		Reasons:   []string{"", "Too dear, for this year", "", "", "", "", "", "", "", ""},
	}
	if !reflect.DeepEqual(b, want) {
		t.Fatalf("got %+v\nwant %+v", b, want)
	}
	r := b.CountMotion()
	if !r.Passed || !r.QuorumMet || r.QuorumNeeded != 10 || r.Counts["yes"] != 6 || r.Counts["no"] != 2 {
		t.Errorf("count %+v", r)
	}
	roundTrip(t, b)

	// No threshold is "half"; no reason column is allowed for majority.
	b = readCSV(t, "# method: majority\nballot,position\nx,yes\n", "")
	if b.Threshold != "half" || !slices.Equal(b.Reasons, []string{""}) {
		t.Errorf("%+v", b)
	}
	roundTrip(t, b)
}

func TestCSVConsent(t *testing.T) {
	text := "ballot,position,reason\r\na,agree,\r\nb,block,\"It breaks\nthe statutes\"\r\nc,object,Too soon\r\n"
	b := readCSV(t, text, "consent")
	if b.Method != "consent" || b.Reasons[1] != "It breaks\nthe statutes" {
		t.Fatalf("%+v", b)
	}
	if r := b.CountMotion(); r.Passed || !r.Blocked || r.Cast != 3 {
		t.Errorf("count %+v", r)
	}
	roundTrip(t, b)
}

func TestCSVOptions(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       Ballots
		winners    []int
	}{
		{"score", "# method: score\n# option: 17 Bicycle shed\n# option: 18   Benches, green \nballot,17,18\n1,5,3\n2,,4\n3,0,0\n",
			Ballots{Method: "score", Options: []FileOption{{"17", "Bicycle shed"}, {"18", "Benches, green"}},
				IDs: []string{"1", "2", "3"}, Values: [][]int{{5, 3}, {-1, 4}, {0, 0}}}, []int{1}},
		{"dot", "# method: dot\n# dots: 5\nballot,a,b,c\n1,5,,\n2,,2,3\n3,0,1,\n",
			Ballots{Method: "dot", Dots: 5, Options: []FileOption{{"a", ""}, {"b", ""}, {"c", ""}},
				IDs: []string{"1", "2", "3"}, Values: [][]int{{5, 0, 0}, {0, 2, 3}, {0, 1, 0}}}, []int{0}},
		{"approval", "# method: approval\n# max: 2\nballot,a,b,c\n1,1,,1\n2,0,1,1\n",
			Ballots{Method: "approval", Max: 2, Options: []FileOption{{"a", ""}, {"b", ""}, {"c", ""}},
				IDs: []string{"1", "2"}, Values: [][]int{{1, 0, 1}, {0, 1, 1}}}, []int{2}},
		{"poll", "# method: poll\n# option: d1 Tuesday 19:00\nballot,d1,d2\nv1,yes,maybe\nv2,,yes\nv3,no,maybe\n",
			Ballots{Method: "poll", Options: []FileOption{{"d1", "Tuesday 19:00"}, {"d2", ""}},
				IDs: []string{"v1", "v2", "v3"}, Answers: [][]string{{"yes", "maybe"}, {"", "yes"}, {"no", "maybe"}}}, []int{1}},
		{"semicolons and a byte order mark", "\ufeff# method: approval\r\nballot;a;b\r\n1;1;\r\n",
			Ballots{Method: "approval", Options: []FileOption{{"a", ""}, {"b", ""}},
				IDs: []string{"1"}, Values: [][]int{{1, 0}}}, []int{0}},
		{"spreadsheet padding", "\"# method: approval\",,\n# title: Trees,,\n,,\nballot,a,b\n1,1,\n,,\n",
			Ballots{Method: "approval", Title: "Trees", Options: []FileOption{{"a", ""}, {"b", ""}},
				IDs: []string{"1"}, Values: [][]int{{1, 0}}}, []int{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := readCSV(t, tc.text, "")
			if !reflect.DeepEqual(b, tc.want) {
				t.Fatalf("got %+v\nwant %+v", b, tc.want)
			}
			if r := b.Count(); !slices.Equal(r.Winners, tc.winners) {
				t.Errorf("winners %v, want %v; %+v", r.Winners, tc.winners, r)
			}
			roundTrip(t, b)
		})
	}
}

func TestCSVRanked(t *testing.T) {
	b := readCSV(t, "# method: stv\n# seats: 2\n# option: a Ada\nballot,a,b,c,d\n1,1,2,2,\n2,3,1,,\n3,,,,\n", "")
	e := b.Election()
	want := Election{Options: []string{"Ada", "b", "c", "d"}, Seats: 2, Ballots: []RankedBallot{
		{Weight: 1, Ranks: [][]int{{0}, {1, 2}}},
		{Weight: 1, Ranks: [][]int{{1}, {0}}},
		{Weight: 1, Ranks: [][]int{}},
	}}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("election %+v\nwant %+v", e, want)
	}
	roundTrip(t, b)
	// The same ballots counted by Schulze: the method given, no line.
	b = readCSV(t, "ballot,a,b\n1,1,2\n2,2,1\n3,1,\n", "schulze")
	if r := b.Count(); r.Method != "schulze" || !slices.Equal(r.Winners, []int{0}) {
		t.Errorf("schulze %+v", r)
	}
}

// Cells a spreadsheet would run are written behind an apostrophe and read
// back as they were.
func TestCSVFormulaCells(t *testing.T) {
	b := Ballots{Method: "consent", IDs: []string{"=1+1", "@x"},
		Positions: []string{"block", "object"}, Reasons: []string{"=HYPERLINK(\"http://evil\")", "-minus"}}
	text := roundTrip(t, b)
	for _, line := range strings.Split(text, "\n") {
		for _, cell := range strings.Split(line, ",") {
			cell = strings.TrimPrefix(cell, `"`)
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q of %q would run as a formula", cell, line)
			}
		}
	}
	o := Ballots{Method: "approval", Options: []FileOption{{"=cmd", "+name"}, {"-b", ""}}, IDs: []string{"+31"}, Values: [][]int{{1, 1}}}
	text = roundTrip(t, o)
	if !strings.Contains(text, "ballot,'=cmd,'-b\n'+31,1,1\n") || !strings.Contains(text, "# option: =cmd +name") {
		t.Errorf("file:\n%s", text)
	}
	// A title with the delimiter stays one cell, so no part of it starts a
	// cell of its own.
	text = roundTrip(t, Ballots{Method: "poll", Title: "Dates,=evil()", Options: []FileOption{{"a", ""}}})
	if !strings.Contains(text, "\"# title: Dates,=evil()\"") {
		t.Errorf("file:\n%s", text)
	}
}

func TestWriteCSVNumbersBallotsAndRefusesWhatItCannotReadBack(t *testing.T) {
	var buf bytes.Buffer
	err := WriteCSV(&buf, Ballots{Method: "majority", Threshold: "half", Positions: []string{"yes", "no"}})
	if err != nil || buf.String() != "# method: majority\n# threshold: half\nballot,position,reason\n1,yes,\n2,no,\n" {
		t.Errorf("%v\n%s", err, buf.String())
	}
	for _, b := range []Ballots{
		{Method: "count"},
		{Method: "poll", Title: "two\nlines", Options: []FileOption{{"a", ""}}},
		{Method: "score", Options: []FileOption{{"a b", ""}}},
		{Method: "score", Options: []FileOption{{"a", ""}}, Values: [][]int{{6}}},
		{Method: "score", Options: []FileOption{{"a", ""}}, Values: [][]int{{1, 2}}},
		{Method: "consent", Threshold: "half"},
		{Method: "consent", Positions: []string{"yes"}},
		{Method: "majority", IDs: []string{"1"}, Positions: []string{"yes", "no"}},
	} {
		buf.Reset()
		err := WriteCSV(&buf, b)
		var fe *FileError
		if !errors.As(err, &fe) || buf.Len() != 0 {
			t.Errorf("WriteCSV(%+v) = %v, wrote %q; want a *FileError and nothing", b, err, buf.String())
		}
	}
}

func TestReadCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		text, method string
		line         int
		code         string
	}{
		{"", "", 0, "tally.csv.header"},
		{"# method: score\n", "", 0, "tally.csv.header"},
		{"ballot,a\n1,1\n", "", 0, "tally.csv.method_missing"},
		{"ballot,a\n1,1\n", "count", 0, "tally.csv.method"},
		{"# method: vote\nballot,a\n", "", 1, "tally.csv.method"},
		{"# method: score\nballot,a\n", "dot", 1, "tally.csv.method_differs"},
		{"# method score\nballot,a\n", "", 1, "tally.csv.comment"},
		{"# colour: red\nballot,a\n", "score", 1, "tally.csv.key"},
		{"# title: a\n# title: b\nballot,a\n", "score", 2, "tally.csv.key_repeated"},
		{"# title: a\x01b\nballot,a\n", "score", 1, "tally.csv.comment"},
		{"# method: score\n# dots: 5\nballot,a\n", "", 2, "tally.csv.setting"},
		{"# method: majority\n# option: a A\nballot,position\n", "", 2, "tally.csv.setting"},
		{"# method: consent\n# threshold: half\nballot,position,reason\n", "", 2, "tally.csv.setting"},
		{"# method: dot\n# dots: five\nballot,a\n", "", 2, "tally.csv.number"},
		{"# method: dot\n# dots: 0\nballot,a\n", "", 2, "tally.csv.number"},
		{"# method: majority\n# quorum: 101\n# electorate: 10\nballot,position\n", "", 2, "tally.motion.quorum"},
		{"# method: majority\n# quorum: 50\nballot,position\n", "", 2, "tally.motion.electorate"},
		{"# method: majority\n# threshold: most\nballot,position\n", "", 2, "tally.motion.threshold"},
		{"# method: stv\n# seats: 3\nballot,a,b\n", "", 2, "tally.csv.seats"},
		{"# method: score\nvoter,a\n", "", 2, "tally.csv.header"},
		{"# method: score\nballot\n", "", 2, "tally.csv.options"},
		{"# method: majority\nballot,position,why\n", "", 2, "tally.csv.columns"},
		{"# method: consent\nballot,position\n", "", 2, "tally.csv.columns"},
		{"# method: score\nballot,a,a\n", "", 2, "tally.csv.option_repeated"},
		{"# method: score\nballot,a,\n", "", 2, "tally.csv.option_id"},
		{"# method: score\nballot,a b\n", "", 2, "tally.csv.option_id"},
		{"# method: score\n# option: c C\nballot,a,b\n", "", 2, "tally.csv.option_unknown"},
		{"# method: score\n# option: a A\n# option: a B\nballot,a,b\n", "", 3, "tally.csv.option_repeated"},
		{"# method: score\nballot,a,b\n1,1\n", "", 3, "tally.csv.fields"},
		{"# method: score\nballot,a,b\n1,1,2\n,1,2\n", "", 4, "tally.csv.ballot_id"},
		{"# method: score\nballot,a,b\n1,1,2\n1,1,2\n", "", 4, "tally.csv.ballot_repeated"},
		{"# method: score\nballot,a\n1,6\n", "", 3, "tally.csv.score"},
		{"# method: score\nballot,a\n1, 5\n", "", 3, "tally.csv.score"},
		{"# method: score\nballot,a\n1,-1\n", "", 3, "tally.csv.score"},
		{"# method: dot\n# dots: 3\nballot,a,b\n1,2,2\n", "", 4, "tally.ballot.too_many_dots"},
		{"# method: dot\nballot,a\n1,x\n", "", 3, "tally.csv.dots"},
		{"# method: approval\nballot,a\n1,yes\n", "", 3, "tally.csv.approval"},
		{"# method: approval\n# max: 1\nballot,a,b\n1,1,1\n", "", 4, "tally.ballot.too_many_choices"},
		{"# method: poll\nballot,a\n1,Yes\n", "", 3, "tally.csv.answer"},
		{"# method: irv\nballot,a,b\n1,3,\n", "", 3, "tally.csv.rank"},
		{"# method: irv\nballot,a,b\n1,0,\n", "", 3, "tally.csv.rank"},
		{"# method: consent\nballot,position,reason\n1,agree,\n2,block,\n", "", 4, "tally.ballot.reason"},
		{"# method: consent\nballot,position,reason\n1,yes,\n", "", 3, "tally.ballot.position"},
		{"# method: consent\nballot,position,reason\n1,object,a\rb\n", "", 3, "tally.csv.reason"},
		{"# method: score\nballot,a\n1,\"5\n", "", 3, "tally.csv.syntax"},
		{"# method: score\nballot,a\n1,5\xff\n", "", 3, "tally.csv.encoding"},
		{"# method: score\nballot,a\n\"1\"x,5\n", "", 3, "tally.csv.syntax"},
	} {
		_, err := ReadCSV(strings.NewReader(tc.text), tc.method)
		var fe *FileError
		if !errors.As(err, &fe) || fe.Line != tc.line || fe.Code != tc.code {
			t.Errorf("%q: %v; want line %d %s", tc.text, err, tc.line, tc.code)
		}
	}
}

func TestReadCSVLimits(t *testing.T) {
	big := bytes.Repeat([]byte("x"), MaxCSVBytes+1)
	if _, err := ReadCSV(bytes.NewReader(big), "score"); err == nil || err.(*FileError).Code != "tally.csv.too_large" {
		t.Errorf("too large: %v", err)
	}
	var sb strings.Builder
	sb.WriteString("# method: score\nballot")
	for i := range MaxOptions + 1 {
		sb.WriteString(",o")
		sb.WriteString(strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("y", i/182))
	}
	if _, err := ReadCSV(strings.NewReader(sb.String()), ""); err == nil || err.(*FileError).Code != "tally.csv.too_many_options" {
		t.Errorf("%d options: %v", MaxOptions+1, err)
	}
	long := "# method: consent\nballot,position,reason\n1,object," + strings.Repeat("a", csvMaxText+1) + "\n"
	if _, err := ReadCSV(strings.NewReader(long), ""); err == nil || err.(*FileError).Code != "tally.csv.too_long" {
		t.Errorf("long reason: %v", err)
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"# method: majority\n# electorate: 10\n# quorum: 20\nballot,position,reason\n1,yes,\n2,no,\"a, b\"\n",
		"# method: consent\nballot,position,reason\n1,block,'=x\n",
		"# method: score\n# option: a A\nballot,a,b\n1,5,\n2,0,3\n",
		"\ufeff# method: dot\n# dots: 4\nballot;a;b\n1;2;2\n",
		"# method: approval\n# max: 1\nballot,'=a,b\n'+1,1,\n",
		"# method: poll\nballot,a,b\n1,yes,maybe\n2,,no\n",
		"# method: stv\n# seats: 1\nballot,a,b,c\n1,1,1,2\n2,,,1\n",
		"\"# title: x,y\",,\nballot,a\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadCSV(bytes.NewReader(data), "")
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("%T %v; want a *FileError", err, err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, b); err != nil {
			t.Fatalf("WriteCSV of what ReadCSV read: %v\n%+v", err, b)
		}
		back, err := ReadCSV(bytes.NewReader(buf.Bytes()), "")
		if err != nil {
			t.Fatalf("reading back: %v\n%s", err, buf.String())
		}
		if !reflect.DeepEqual(back, b) {
			t.Fatalf("round trip:\n got %+v\nwant %+v\nfile:\n%s", back, b, buf.String())
		}
		if MotionMethod(b.Method) {
			b.CountMotion()
		} else {
			b.Count()
		}
	})
}
