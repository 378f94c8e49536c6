package tally

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const bltSample = `3 2
-2
4 1 3 0
1 2=3 1 0
2 3 0
1 0
0
"Ann"
"Bob"
"Cas"
"Board 2025"
`

func TestWriteBLTExactBytes(t *testing.T) {
	e := Election{
		Title:     "Board 2025",
		Options:   []string{"Ann", "Bob", "Cas"},
		Seats:     2,
		Withdrawn: []int{1},
		Ballots: []RankedBallot{
			{Weight: 4, Ranks: [][]int{{0}, {2}}},
			{Weight: 1, Ranks: [][]int{{1, 2}, {0}}},
			{Weight: 2, Ranks: [][]int{{2}}},
			{Weight: 1},
		},
	}
	var buf bytes.Buffer
	if err := WriteBLT(&buf, e); err != nil {
		t.Fatal(err)
	}
	if buf.String() != bltSample {
		t.Fatalf("wrote\n%s\nwant\n%s", buf.String(), bltSample)
	}
	got, err := ReadBLT(strings.NewReader(bltSample))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, e) {
		t.Fatalf("read %+v\nwant %+v", got, e)
	}
}

// What ReadBLT accepts beyond what WriteBLT writes: comments, blank lines,
// ballot ids, tabs, CRLF line ends, a byte order mark, no withdrawn line.
func TestReadBLTLenient(t *testing.T) {
	in := "\xef\xbb\xbf# an election\r\n3 1   # three, one seat\r\n\r\n(a1) 2 1\t2 0\r\n(a2)1 3=2 0 # tied\r\n0\r\n\"Ann # not a comment\"\r\n# between names\r\n\"Bob\" # a comment\r\n\"\"\r\n\"Title\"\r\n# the end\r\n"
	e, err := ReadBLT(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := Election{
		Title:   "Title",
		Options: []string{"Ann # not a comment", "Bob", ""},
		Seats:   1,
		Ballots: []RankedBallot{
			{Weight: 2, Ranks: [][]int{{0}, {1}}},
			{Weight: 1, Ranks: [][]int{{2, 1}}},
		},
	}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("read %+v\nwant %+v", e, want)
	}
}

func TestBLTRoundTripRandom(t *testing.T) {
	r := newBenchRand()
	for iter := range 50 {
		e := randomRanked(r, 1+iter%12, iter*3, 1, iter%3 == 0)
		e.Title = "Election " + strconv.Itoa(iter)
		if len(e.Options) > 2 {
			e.Withdrawn = []int{len(e.Options) - 1, 0}
		}
		var buf bytes.Buffer
		if err := WriteBLT(&buf, e); err != nil {
			t.Fatal(err)
		}
		got, err := ReadBLT(&buf)
		if err != nil {
			t.Fatalf("%d: %v\n%s", iter, err, buf.String())
		}
		if len(e.Ballots) == 0 {
			e.Ballots = nil
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("%d: read %+v\nwant %+v", iter, got, e)
		}
	}
}

func TestWriteBLTRefuses(t *testing.T) {
	good := Election{Options: []string{"A", "B"}, Seats: 1}
	for name, c := range map[string]struct {
		e    Election
		code string
	}{
		"quote in a name":     {Election{Options: []string{`A "the" B`, "B"}, Seats: 1}, "tally.election.name"},
		"line break in title": {Election{Title: "a\nb", Options: good.Options, Seats: 1}, "tally.election.name"},
		"seats":               {Election{Options: good.Options, Seats: 3}, "tally.election.seats"},
	} {
		var buf bytes.Buffer
		err := WriteBLT(&buf, c.e)
		var ee *ElectionError
		if !errors.As(err, &ee) || ee.Code != c.code {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
}

// Every code ReadBLT returns, each reached by a file that is wrong in that
// one way.
func TestReadBLTErrors(t *testing.T) {
	names := "\"A\"\n\"B\"\n\"C\"\n\"T\"\n"
	for _, c := range []struct {
		code, file string
		line       int
	}{
		{"tally.blt.empty", "", 0},
		{"tally.blt.empty", "# only a comment\n\n", 0},
		{"tally.blt.header", "3\n0\n" + names, 1},
		{"tally.blt.header", "3 1 1\n0\n" + names, 1},
		{"tally.blt.header", "three 1\n0\n" + names, 1},
		{"tally.blt.header", "0 1\n0\n", 1},
		{"tally.blt.header", "3 0\n0\n" + names, 1},
		{"tally.blt.too_large", "1001 1\n0\n", 1},
		{"tally.blt.seats", "3 4\n0\n" + names, 1},
		{"tally.blt.seats", "3 3\n-1\n0\n" + names, 2},
		{"tally.blt.withdrawn", "3 1\n-4\n0\n" + names, 2},
		{"tally.blt.withdrawn", "3 1\n-1 2\n0\n" + names, 2},
		{"tally.blt.withdrawn", "3 1\n-x\n0\n" + names, 2},
		{"tally.blt.repeated", "3 1\n-1 -1\n0\n" + names, 2},
		{"tally.blt.weight", "3 1\n0 1 0\n0\n" + names, 2},
		{"tally.blt.weight", "3 1\nx 1 0\n0\n" + names, 2},
		{"tally.blt.weight", "3 1\n(id)\n0\n" + names, 2},
		{"tally.blt.too_large", "3 1\n10000001 1 0\n0\n" + names, 2},
		{"tally.blt.too_large", "3 1\n9999999 1 0\n2 2 0\n0\n" + names, 3},
		{"tally.blt.preference", "3 1\n1 1 b 0\n0\n" + names, 2},
		{"tally.blt.preference", "3 1\n1 1=2= 0\n0\n" + names, 2},
		{"tally.blt.preference", "3 1\n1 -1 0\n0\n" + names, 2},
		{"tally.blt.candidate_range", "3 1\n1 4 0\n0\n" + names, 2},
		{"tally.blt.candidate_range", "3 1\n1 2=0 0\n0\n" + names, 2},
		{"tally.blt.candidate_range", "3 1\n1 12345678901 0\n0\n" + names, 2},
		{"tally.blt.repeated", "3 1\n1 1 2 1 0\n0\n" + names, 2},
		{"tally.blt.repeated", "3 1\n1 1=2 2 0\n0\n" + names, 2},
		{"tally.blt.terminator", "3 1\n1 1 2\n0\n" + names, 2},
		{"tally.blt.terminator", "3 1\n1 1 0 2 0\n0\n" + names, 2},
		{"tally.blt.terminator", "3 1\n2\n0\n" + names, 2},
		{"tally.blt.id", "3 1\n(id 1 2 0\n0\n" + names, 2},
		{"tally.blt.no_end", "3 1\n1 1 0\n", 0},
		{"tally.blt.names", "3 1\n0\nA\n\"B\"\n\"C\"\n\"T\"\n", 3},
		{"tally.blt.names", "3 1\n0\n\"A\" \"B\"\n\"C\"\n\"T\"\n", 3},
		{"tally.blt.names", "3 1\n0\n\"A\n\"B\"\n\"C\"\n\"T\"\n", 3},
		{"tally.blt.names", "3 1\n0\n\"A\"\n\"B\tb\"\n\"C\"\n\"T\"\n", 4},
		{"tally.blt.names_missing", "3 1\n0\n\"A\"\n\"B\"\n", 0},
		{"tally.blt.title", "3 1\n0\n" + "\"A\"\n\"B\"\n\"C\"\nT\n", 6},
		{"tally.blt.title_missing", "3 1\n0\n" + "\"A\"\n\"B\"\n\"C\"\n", 0},
		{"tally.blt.trailing", "3 1\n0\n" + names + "\"more\"\n", 7},
		{"tally.blt.encoding", "3 1\n0\n\"A\xff\"\n\"B\"\n\"C\"\n\"T\"\n", 3},
		{"tally.blt.encoding", "3 1\n0\n" + "\"A\"\n\"B\"\n\"C\"\n\"T\xc3\"\n", 6},
		{"tally.blt.line_too_long", "3 1\n1 " + strings.Repeat("1=", bltMaxLine/2) + "1 0\n0\n" + names, 2},
	} {
		_, err := ReadBLT(strings.NewReader(c.file))
		var fe *FileError
		if !errors.As(err, &fe) || fe.Code != c.code || fe.Line != c.line {
			t.Errorf("%q: %v, want line %d %s", c.file[:min(len(c.file), 40)], err, c.line, c.code)
		}
	}
}

// A failing reader gives tally.blt.unreadable.
func TestReadBLTUnreadable(t *testing.T) {
	_, err := ReadBLT(errReader{})
	var fe *FileError
	if !errors.As(err, &fe) || fe.Code != "tally.blt.unreadable" {
		t.Fatalf("%v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

// The line and preference caps (files of 4 and 16 MB).
func TestReadBLTCaps(t *testing.T) {
	if testing.Short() {
		t.Skip("large files")
	}
	var b strings.Builder
	b.WriteString("3 1\n")
	for range BLTMaxBallotLines + 1 {
		b.WriteString("1 0\n")
	}
	b.WriteString("0\n\"A\"\n\"B\"\n\"C\"\n\"T\"\n")
	_, err := ReadBLT(strings.NewReader(b.String()))
	var fe *FileError
	if !errors.As(err, &fe) || fe.Code != "tally.blt.too_large" || fe.Line != BLTMaxBallotLines+2 {
		t.Fatalf("lines: %v", err)
	}

	b.Reset()
	b.WriteString("1000 1\n")
	var prefs []string
	for k := 1; k <= 1000; k++ {
		prefs = append(prefs, strconv.Itoa(k))
	}
	line := "1 " + strings.Join(prefs, " ") + " 0\n"
	for range BLTMaxPreferences/1000 + 1 {
		b.WriteString(line)
	}
	_, err = ReadBLT(strings.NewReader(b.String()))
	if !errors.As(err, &fe) || fe.Code != "tally.blt.too_large" || fe.Line != BLTMaxPreferences/1000+2 {
		t.Fatalf("preferences: %v", err)
	}
}

func TestElectionValidate(t *testing.T) {
	ok := func() Election {
		return Election{Options: []string{"A", "B", "C"}, Seats: 2, Ballots: []RankedBallot{
			{Weight: 1, Ranks: [][]int{{0}, {1, 2}}},
			{Weight: 2},
		}}
	}
	if err := ok().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		code   string
		ballot int
		change func(*Election)
	}{
		{"tally.election.options", -1, func(e *Election) { e.Options = nil }},
		{"tally.election.too_large", -1, func(e *Election) { e.Options = make([]string, MaxOptions+1) }},
		{"tally.election.withdrawn", -1, func(e *Election) { e.Withdrawn = []int{3} }},
		{"tally.election.withdrawn", -1, func(e *Election) { e.Withdrawn = []int{1, 1} }},
		{"tally.election.seats", -1, func(e *Election) { e.Seats = 0 }},
		{"tally.election.seats", -1, func(e *Election) { e.Withdrawn = []int{0, 1} }},
		{"tally.election.weight", 1, func(e *Election) { e.Ballots[1].Weight = 0 }},
		{"tally.election.too_large", 1, func(e *Election) { e.Ballots[1].Weight = MaxTotalWeight }},
		{"tally.election.empty_rank", 0, func(e *Election) { e.Ballots[0].Ranks = [][]int{{0}, {}} }},
		{"tally.election.option_range", 0, func(e *Election) { e.Ballots[0].Ranks = [][]int{{-1}} }},
		{"tally.election.option_range", 0, func(e *Election) { e.Ballots[0].Ranks = [][]int{{3}} }},
		{"tally.election.repeated", 0, func(e *Election) { e.Ballots[0].Ranks = [][]int{{0}, {1, 0}} }},
	} {
		e := ok()
		c.change(&e)
		err := e.Validate()
		var ee *ElectionError
		if !errors.As(err, &ee) || ee.Code != c.code || ee.Ballot != c.ballot {
			t.Errorf("%s: got %v", c.code, err)
		}
	}
}

// FuzzReadBLT: a file is either refused with a *FileError, or read into an
// election that Validate accepts, that every count can count, and that
// WriteBLT then ReadBLT reproduce.
func FuzzReadBLT(f *testing.F) {
	f.Add([]byte(bltSample))
	f.Add([]byte("3 1\n(x) 2 1 2=3 0 # c\n0\n\"A\"\n\"B\"\n\"C\"\n\"T\"\n"))
	f.Add([]byte("2 1\n1 1 2 0\n1 2 0\n0\n\"A\"\n\"B\"\n\"\"\n"))
	f.Add([]byte("3 2\n-1 -2\n0\n\"A\"\n\"B\"\n\"C\"\n\"T\"\n"))
	f.Add([]byte("3 1\n1 1 1 0\n0\n"))
	f.Add([]byte("3 1\n1 4 0\n0\n"))
	f.Add([]byte("2 1\n0\n\"A\xff\"\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ReadBLT(bytes.NewReader(data))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || !strings.HasPrefix(fe.Code, "tally.blt.") {
				t.Fatalf("error %v is not a tally.blt FileError", err)
			}
			return
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("read an election Validate refuses: %v", err)
		}
		var buf bytes.Buffer
		if err := WriteBLT(&buf, e); err != nil {
			t.Fatalf("cannot write what was read: %v", err)
		}
		again, err := ReadBLT(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("cannot read what was written: %v\n%s", err, buf.Bytes())
		}
		if !reflect.DeepEqual(again, e) {
			t.Fatalf("round trip changed the election:\n%+v\n%+v", e, again)
		}
		if len(e.Options) <= 20 && len(e.Ballots) <= 200 {
			for _, res := range []Result{Schulze(e), IRV(e), STV(e)} {
				if len(res.Ranking) != len(e.Options) {
					t.Fatalf("%s: ranking %v", res.Method, res.Ranking)
				}
			}
		}
	})
}

// Every code the ranked rules and the BLT reader return has a message in
// both languages (internal/web/i18n/*/tally.json); the web package's own
// scan only sees codes of the problem package.
func TestRankedCodesHaveMessages(t *testing.T) {
	code := regexp.MustCompile(`^tally\.(blt|election)\.[a-z_]+$`)
	used := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range []string{"ranked.go", "schulze.go", "irv.go", "stv.go", "blt.go"} {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && code.MatchString(s) {
					used[s] = true
				}
			}
			return true
		})
	}
	if len(used) < 25 {
		t.Fatalf("the scan found only %d codes", len(used))
	}
	for _, lang := range []string{"en", "nl"} {
		b, err := os.ReadFile("../web/i18n/" + lang + "/tally.json")
		if err != nil {
			t.Fatal(err)
		}
		var msgs map[string]string
		if err := json.Unmarshal(b, &msgs); err != nil {
			t.Fatal(err)
		}
		for c := range used {
			if strings.TrimSpace(msgs[c]) == "" {
				t.Errorf("%s/tally.json has no message for %s", lang, c)
			}
		}
		for k := range msgs {
			if code.MatchString(k) && !used[k] {
				t.Errorf("%s/tally.json has %s, which no code returns", lang, k)
			}
		}
	}
}
