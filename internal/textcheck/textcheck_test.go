package textcheck

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		in   string
		code string
		at   int
	}{
		{"", "", -1},
		{"Fietsenmakerij De Ketting", "", -1},
		{"Zonne-energie ☀ Noord 🚲", "", -1},
		{"line one\r\nline two\tand a tab", "", -1},
		{"A\x00B", Control, 1},
		{"bell\a", Control, 4},
		{"vertical\vtab", Control, 8},
		{"delete\x7f", Control, 6},
		{"c1 \u0085 next line", Control, 3},
		{"latin-1 caf\xe9", Encoding, 11},
		{"cut short \xe2\x82", Encoding, 10},
		{"overlong \xc0\xaf", Encoding, 9},
		{"surrogate \xed\xa0\x80", Encoding, 10},
		{"a real replacement character � is text", "", -1},
	} {
		code, at := Check(tc.in)
		if code != tc.code || at != tc.at {
			t.Errorf("Check(%q) = %q at %d, want %q at %d", tc.in, code, at, tc.code, tc.at)
		}
		if Valid(tc.in) != (tc.code == "") {
			t.Errorf("Valid(%q) = %v", tc.in, !(tc.code == ""))
		}
	}
}

func TestCheckFile(t *testing.T) {
	for _, tc := range []struct {
		in   string
		code string
		pos  Position
	}{
		{"name,city\nDe Ketting,Amsterdam\n", "", Position{}},
		{"name,city\nDe Ke\x00tting,Amsterdam\n", Control, Position{2, 6}},
		// Columns count characters, not bytes: "ë" is one.
		{"name,city\r\nCoöp Noord,Amst\xffrdam\r\n", Encoding, Position{2, 16}},
		{"\x01", Control, Position{1, 1}},
	} {
		code, pos := CheckFile([]byte(tc.in))
		if code != tc.code || pos != tc.pos {
			t.Errorf("CheckFile(%q) = %q at %+v, want %q at %+v", tc.in, code, pos, tc.code, tc.pos)
		}
	}
}

func TestCheckJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want *JSONProblem
	}{
		{`{"name": "De Ketting", "needs": [{"text": "ruimte\nen tijd"}]}`, nil},
		{`{"name": "A\u0000B"}`, &JSONProblem{"name", Control, Position{1, 10}}},
		{`{"name": "ok", "needs": [{"text": "x"}, {"kind": "space", "text": "\u001b[31m"}]}`,
			&JSONProblem{"needs.1.text", Control, Position{1, 67}}},
		{"{\n  \"summary\": {\"nl\": \"caf\xe9\"}\n}", &JSONProblem{"summary.nl", Encoding, Position{2, 25}}},
		// A member name is checked too, and named by where it stands.
		{`{"principles": {"a\u0007": {}}}`, &JSONProblem{"principles.a\a", Control, Position{1, 17}}},
		{`["ok", ["\u0000"]]`, &JSONProblem{"1.0", Control, Position{1, 9}}},
		// Short escapes of control characters, and escapes that only look
		// like one after an escaped backslash.
		{`{"a": "x\fy"}`, &JSONProblem{"a", Control, Position{1, 7}}},
		{`{"a": "\\u0000 \\b", "b": "caf\u00e9 \u2028 \"\/"}`, nil},
		// Not JSON: the decoder reports it, not this.
		{`{"name": "A\u0000`, nil},
		{`{"name": 5}`, nil},
	} {
		got := CheckJSON([]byte(tc.in))
		if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("CheckJSON(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// PathAt names the value encoding/json complained about as the JSON does,
// with array indexes and without embedded Go struct names.
func TestPathAt(t *testing.T) {
	type exchange struct {
		Text string `json:"text"`
	}
	type Record struct {
		Name  string     `json:"name"`
		Needs []exchange `json:"needs"`
		Loc   struct {
			Lat *float64 `json:"lat"`
		} `json:"location"`
	}
	type proposal struct {
		Record
		Note string `json:"note"`
	}
	for _, tc := range []struct{ in, want string }{
		{`{"name": 5}`, "name"},
		{`{"note": "x", "needs": [{"text": "a"}, {"text": true}]}`, "needs.1.text"},
		{`{"location": {"lat": "north"}}`, "location.lat"},
		{`{"needs": {"text": "a"}}`, "needs"},
		{`{"note": ["a"]}`, "note"},
	} {
		var v proposal
		err := json.Unmarshal([]byte(tc.in), &v)
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			t.Fatalf("%s: want a type error, got %v", tc.in, err)
		}
		if got := PathAt([]byte(tc.in), te.Offset); got != tc.want {
			t.Errorf("PathAt(%s, %d) = %q, want %q (encoding/json says %q)", tc.in, te.Offset, got, tc.want, te.Field)
		}
	}
}

func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{"a": ["b", {"c": "\u0000"}]}`, "[\"\xff\"]", `{}`, `"x"`, `{"a":}`,
		`{"a": "\\u0000", "b": "\u00e9\u0085"}`, `["\u007F"]`, `{"\u0007": 1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := CheckJSON(data)
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		// A document that decodes and has no problem holds only text
		// samen takes (the decoder turned any bad byte into U+FFFD, which
		// CheckJSON must have seen first).
		if p == nil && !strings.Contains(string(data), "\\u") {
			if code, _ := CheckFile(data); code == Encoding {
				t.Fatalf("invalid UTF-8 not found in %q", data)
			}
		}
		// The quick look never passes what the walk would refuse.
		if plainJSON(data) && checkTokens(data) != nil {
			t.Fatalf("the quick look passed %q, the walk found %+v", data, checkTokens(data))
		}
		if p != nil && (p.Line < 1 || p.Column < 1) {
			t.Fatalf("position %+v", p.Position)
		}
		_ = PathAt(data, int64(len(data)/2))
	})
}

// A Tracker read through in small pieces places every offset where
// PositionOf places it in the whole file, while holding only what lies
// between the last offset asked and what was read.
func TestTracker(t *testing.T) {
	doc := "{\"naam\": \"Coöp ☀ Noord\",\r\n \"x\": [1,\n\n  2]}\n\xff tail 🚲\n"
	for _, step := range []int{1, 2, 3, 7} {
		tr := NewTracker(iotest.OneByteReader(strings.NewReader(doc)))
		buf := make([]byte, step)
		read := 0
		for off := 0; off <= len(doc); off += step {
			for read < off {
				n, err := tr.Read(buf[:min(step, off-read)])
				read += n
				if err != nil {
					t.Fatal(err)
				}
			}
			if !utf8.RuneStart(doc[min(off, len(doc)-1)]) && off < len(doc) {
				continue // a place is asked where a value starts, never inside a character
			}
			if got, want := tr.At(int64(off)), PositionOf([]byte(doc), off); got != want {
				t.Fatalf("step %d: At(%d) = %+v, want %+v", step, off, got, want)
			}
			if len(tr.held) > step {
				t.Fatalf("step %d: holds %d bytes after At(%d)", step, len(tr.held), off)
			}
		}
	}
	// AtValue skips to where the value after a separator starts.
	tr := NewTracker(strings.NewReader("[1,\n  \n  {\"a\": 2}]"))
	if _, err := io.ReadAll(tr); err != nil {
		t.Fatal(err)
	}
	if got := tr.AtValue(2); got != (Position{3, 3}) {
		t.Errorf("AtValue(2) = %+v, want line 3, column 3", got)
	}
	// In: a place inside a part of a file, in the file.
	if got := (Position{4, 10}).In(Position{1, 5}); got != (Position{4, 14}) {
		t.Errorf("In on the part's first line: %+v", got)
	}
	if got := (Position{4, 10}).In(Position{3, 5}); got != (Position{6, 5}) {
		t.Errorf("In on a later line: %+v", got)
	}
}

func TestCollapse(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		" \t\r\n ":                 "",
		"De  Ketting":              "De Ketting",
		"  Buurt\r\nhuis\tNoord  ": "Buurt huis Noord",
		"zon\u00a0energie":         "zon energie", // no-break space is white space too
	} {
		if got := Collapse(in); got != want {
			t.Errorf("Collapse(%q) = %q, want %q", in, got, want)
		}
	}
}
