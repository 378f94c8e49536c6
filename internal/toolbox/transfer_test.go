package toolbox

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"samen/internal/textcheck"
)

// normalized returns the entries as Import stores them.
func normalized(tools []Tool) []Tool {
	out := make([]Tool, len(tools))
	for i, t := range tools {
		t = cloneTool(t)
		t.Normalize()
		out[i] = t
	}
	return out
}

// sameTools compares catalogues as their JSON, which is what is stored.
func sameTools(t *testing.T, what string, want, got []Tool) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if !bytes.Equal(a, b) {
		for i := range min(len(want), len(got)) {
			x, _ := json.Marshal(want[i])
			y, _ := json.Marshal(got[i])
			if !bytes.Equal(x, y) {
				t.Fatalf("%s: entry %d differs:\nwant %s\n got %s", what, i, x, y)
			}
		}
		t.Fatalf("%s: %d entries, want %d", what, len(got), len(want))
	}
}

type format struct {
	name  string
	write func(w *bytes.Buffer, tools []Tool) error
	read  func([]byte) (*File, error)
}

var formats = []format{
	{"json", func(w *bytes.Buffer, tools []Tool) error { return WriteJSON(w, tools) }, ReadJSON},
	{"csv", func(w *bytes.Buffer, tools []Tool) error { return WriteCSV(w, tools) }, ReadCSV},
}

// roundTrip writes tools in one format and reads them back.
func roundTrip(t *testing.T, f format, tools []Tool) []Tool {
	t.Helper()
	var buf bytes.Buffer
	if err := f.write(&buf, tools); err != nil {
		t.Fatalf("%s: writing: %v", f.name, err)
	}
	file, err := f.read(buf.Bytes())
	if err != nil {
		t.Fatalf("%s: reading back what was written: %v\n%s", f.name, err, buf.String())
	}
	return normalized(file.Tools)
}

// The seed catalogue goes out and comes back the same in both formats,
// and through one format into the other.
func TestExportRoundTrip(t *testing.T) {
	seed, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	want := normalized(seed)
	for _, f := range formats {
		sameTools(t, f.name, want, roundTrip(t, f, want))
		for _, g := range formats {
			sameTools(t, f.name+" then "+g.name, want, roundTrip(t, g, roundTrip(t, f, want)))
		}
	}
}

// The seed is stored as it is: it must be what Normalize makes of it, or
// the first import of the export would change every entry.
func TestSeedIsNormalized(t *testing.T) {
	seed, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	sameTools(t, "the seed", seed, normalized(seed))
}

// An entry with everything CSV makes hard: separators and backslashes in
// list items and hosting parts, cells a spreadsheet would run as a
// formula, line breaks as browsers send them, empty lists and texts.
func TestCSVRoundTripIsExact(t *testing.T) {
	hard := Tool{
		ID: "hard", Name: "=HYPERLINK(\"x\")", Aliases: []string{"a;b", "c|d", `e\f`, `g\`, "-minus", "@at", "'quote"},
		Kind: "software", Categories: []string{"static"}, Replaces: nil,
		Steward: "+31 20 123", Licence: "MIT OR Apache-2.0",
		Hosting: []Hosting{
			{Name: "Pipe | and; semicolon", Tool: "", Country: "NL", Membership: "yes", URL: "https://example.org/a;b|c"},
			{Name: "", Tool: "disroot", URL: ""},
			{Name: `back\slash`},
		},
		DataLocation:  Text{NL: "=1+1", EN: "'=1+1"},
		Accessibility: Text{NL: "line one\r\nline two\rline three", EN: "\"quoted\", with a comma"},
		Description:   Text{NL: "@SUM(A1)", EN: "-2+3"},
		Sources:       []string{"https://example.org/x;y", "roadmap:table-2", "https://example.org/p|q"},
	}
	want := normalized([]Tool{hard, {ID: "empty", Name: "Empty", Kind: "service"}})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, want); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s: the cell %q would run as a formula", CSVColumns[i], cell)
			}
		}
	}
	got := roundTrip(t, formats[1], want)
	sameTools(t, "csv", want, got)
	if got[0].Accessibility.NL != "line one\nline two\nline three" {
		t.Errorf("line breaks are %q, want \\n", got[0].Accessibility.NL)
	}
}

// Problems in a file name the line, and for CSV the column.
func TestReadCSVProblems(t *testing.T) {
	header := strings.Join(CSVColumns, ",") + "\n"
	row := func(cells map[string]string) string {
		out := make([]string, len(CSVColumns))
		for i, c := range CSVColumns {
			out[i] = cells[c]
		}
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.Write(out)
		w.Flush()
		return b.String()
	}
	good := row(map[string]string{"id": "good", "name": "Good", "kind": "software", "categories": "static", "description_nl": "Goed.", "description_en": "Good."})
	for _, tc := range []struct {
		what, file string
		want       FileError
	}{
		{"empty", "", FileError{Line: 1, Code: "file.empty"}},
		{"a NUL", header + good + strings.Replace(good, "Good.", "Go\x00od.", 1), FileError{Line: 3, Char: 0, Column: "description_en", Code: textcheck.Control}},
		{"not UTF-8", header + good + strings.Replace(good, "Good,", "G\xe9od,", 1), FileError{Line: 3, Column: "name", Code: textcheck.Encoding}},
		{"an unknown column", strings.Replace(header, "kind", "soort", 1) + good, FileError{Line: 1, Column: "soort", Code: "column.unknown"}},
		{"a column twice", strings.Replace(header, "uses", "kind", 1) + good, FileError{Line: 1, Column: "kind", Code: "column.repeated"}},
		{"a missing column", strings.Replace(header, ",sources", "", 1) + good, FileError{Line: 1, Column: "sources", Code: "column.missing"}},
		{"a bare quote", header + good + strings.Replace(good, "Good,", `Go"od,`, 1), FileError{Line: 3, Column: "name", Code: "csv.bare_quote"}},
		{"a quote left open", header + good + strings.Replace(good, "Good,", `"Good,`, 1) + good, FileError{Line: 3, Column: "name", Code: "csv.quote"}},
		{"a short line", header + good + "x,y\n", FileError{Line: 3, Code: "csv.field_count"}},
		{"big_tech ja", header + good + strings.Replace(good, "software,", "software,ja", 1), FileError{Line: 3, Column: "big_tech", Code: "yes_no.invalid"}},
		{"six hosting parts", header + row(map[string]string{"id": "x", "hosting": "a | b | NL | no | https://a.example | six"}), FileError{Line: 2, Column: "hosting", Code: "hosting.parts"}},
	} {
		_, err := ReadCSV([]byte(tc.file))
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Errorf("%s: %v, want a FileError", tc.what, err)
			continue
		}
		got := *fe
		if tc.want.Char == 0 {
			got.Char = 0
		}
		if got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.what, got, tc.want)
		}
	}

	// A text problem: the character is counted as an editor does.
	_, err := ReadCSV([]byte(header + "é," + strings.Repeat(",", len(CSVColumns)-2) + "x\x01y\n"))
	var fe *FileError
	if !errors.As(err, &fe) || fe.Line != 2 || fe.Column != "sources" || fe.Char != len(CSVColumns)+2 {
		t.Errorf("a control character: %+v, want line 2, column sources, character %d", fe, len(CSVColumns)+2)
	}

	// A byte order mark, as spreadsheets write, and blank rows are fine.
	file, err := ReadCSV([]byte("\uFEFF" + header + strings.Repeat(",", len(CSVColumns)-1) + "\n" + good))
	if err != nil || len(file.Tools) != 1 || file.lines[0] != 3 {
		t.Errorf("a BOM and a blank row: %v, %+v", err, file)
	}
}

func TestReadJSONProblems(t *testing.T) {
	for _, tc := range []struct {
		what, file string
		want       FileError
	}{
		{"empty", " \n", FileError{Line: 1, Code: "file.empty"}},
		{"not a list", "\n  {\"id\": \"x\"}", FileError{Line: 2, Char: 3, Code: "json.not_list"}},
		{"a syntax error", "[\n  {\"id\": \"x\",}\n]", FileError{Line: 2, Char: 14, Code: "json.malformed"}},
		{"cut short", "[\n  {\"id\": \"x\"", FileError{Line: 2, Char: 13, Code: "json.unexpected_end"}},
		{"more after the list", "[]\n[]", FileError{Line: 2, Char: 1, Code: "json.malformed"}},
		{"a wrong type", "[\n  {\"id\": \"x\"},\n  {\"id\": \"y\",\n   \"categories\": [\"static\", 3]}\n]", FileError{Line: 4, Char: 29, Path: "1.categories.1", Code: "json.wrong_type"}},
		{"an unknown member", "[{\"id\": \"x\",\n \"description\": {\"nl\": \"x\", \"fr\": \"y\"}}]", FileError{Line: 2, Char: 29, Path: "0.description.fr", Code: "json.unknown_field"}},
		{"a NUL", "[{\"id\": \"x\",\n  \"name\": \"a\\u0000b\"}]", FileError{Line: 2, Char: 11, Path: "0.name", Code: textcheck.Control}},
		{"not UTF-8", "[{\"id\": \"x\",\n  \"name\": \"ab\xff\"}]", FileError{Line: 2, Char: 14, Path: "0.name", Code: textcheck.Encoding}},
	} {
		_, err := ReadJSON([]byte(tc.file))
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Errorf("%s: %v, want a FileError", tc.what, err)
			continue
		}
		if *fe != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.what, *fe, tc.want)
		}
	}
}

// A problem Validate or Import finds with an entry is placed in the file:
// the entry's line and the column in CSV, the member in JSON.
func TestFileLocate(t *testing.T) {
	data := "[\n  {\"id\": \"a\", \"name\": \"A\"},\n  {\"id\": \"b\",\n   \"description\": {\"nl\": \"x\",\n      \"en\": \"\"}}\n]"
	f, err := ReadJSON([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		i          int
		field      string
		line, char int
		path       string
	}{
		{1, "description.en", 5, 7, "1.description.en"},
		{1, "description.nl", 4, 20, "1.description.nl"},
		{1, "kind", 3, 3, "1.kind"},
		{0, "name", 2, 15, "0.name"},
	} {
		got := f.Locate(tc.i, tc.field, "required")
		if got.Line != tc.line || got.Char != tc.char || got.Path != tc.path {
			t.Errorf("entry %d, %s: %+v, want line %d, character %d, %s", tc.i, tc.field, got, tc.line, tc.char, tc.path)
		}
	}

	var buf bytes.Buffer
	if err := WriteCSV(&buf, []Tool{{ID: "a"}, {ID: "b", Description: Text{NL: "two\nlines"}}, {ID: "c"}}); err != nil {
		t.Fatal(err)
	}
	f, err = ReadCSV(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Locate(2, "description.en", "required"); got.Line != 5 || got.Column != "description_en" {
		t.Errorf("CSV: %+v, want line 5, column description_en", got)
	}
}

// Text samen does not take is refused in every field, whichever way it
// came in.
func TestValidateText(t *testing.T) {
	base := Tool{ID: "x", Name: "X", Kind: KindSoftware, Categories: []string{"static"}, Description: Text{NL: "x", EN: "x"}}
	for _, tc := range []struct {
		field, code string
		change      func(t *Tool)
	}{
		{"name", textcheck.Control, func(t *Tool) { t.Name = "X\x1b[31m" }},
		{"aliases", textcheck.Encoding, func(t *Tool) { t.Aliases = []string{"ok", "b\xffd"} }},
		{"description.en", textcheck.Control, func(t *Tool) { t.Description.EN = "a\x00b" }},
		{"hosting", textcheck.Control, func(t *Tool) { t.Hosting = []Hosting{{Name: "a\x1fb"}} }},
		{"sources", textcheck.Control, func(t *Tool) { t.Sources = []string{"roadmap:a\x7f"} }},
	} {
		x := cloneTool(base)
		tc.change(&x)
		x.Normalize()
		wantField(t, tc.field, x.Validate(), "invalid", tc.field, tc.code)
	}
	ok := cloneTool(base)
	ok.Description.EN = "tab\tand\r\nbreaks"
	ok.Normalize()
	if err := ok.Validate(); err != nil {
		t.Errorf("tabs and line breaks: %v", err)
	}
}

func TestItemEscaping(t *testing.T) {
	for _, items := range [][]string{{"a;b", `c\`, "d|e", `\;`}, {""}, nil, {`x\y`}} {
		got := splitItems(joinItems(items))
		want := []string(nil)
		for _, s := range items {
			if s != "" {
				want = append(want, s)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: back as %q", items, got)
		}
	}
}
