package toolbox

// The catalogue as open data: the JSON and CSV files of the export, and
// reading them back for an import. What the export writes, the import
// reads back unchanged, in both formats.
//
// A problem with a file names its place: a *FileError gives the line, and
// for CSV the column's name, for JSON the column of the text and the path
// of the value ("3.hosting.0.url", the entry's place in the list first).
// Text in a file must be text samen takes (package textcheck).

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"samen/internal/csvcell"
	"samen/internal/problem"
	"samen/internal/textcheck"
)

// FileError is a problem at one place in an import file.
type FileError struct {
	Line   int    // from 1
	Char   int    // the character on the line, from 1; 0 when the problem is a whole cell or line
	Column string // CSV: the column's name
	Path   string // JSON: the value's place, "3.hosting.0.url"
	Code   string // a field code: "csv.bare_quote", "text.control", "kind.unknown"
}

func (e *FileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "line %d", e.Line)
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %q", e.Column)
	}
	if e.Char > 0 {
		fmt.Fprintf(&b, ", character %d", e.Char)
	}
	if e.Path != "" {
		fmt.Fprintf(&b, " (%s)", e.Path)
	}
	return b.String() + ": " + e.Code
}

// Unwrap gives the problem without its place, as the file's field.
func (e *FileError) Unwrap() error {
	return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"file": e.Code}}
}

// File is a catalogue read from an import file, with where each entry
// stands in it, so that a problem Import finds later names its place.
type File struct {
	Tools []Tool
	data  []byte
	csv   bool
	lines []int // CSV: the line each entry starts on
	spans []span
}

// span is where a JSON entry stands: data[start:end].
type span struct{ start, end int }

// Locate says where field (as Validate names it: "kind",
// "description.nl") of entry i stands in the file, for a problem with
// it: the entry's line and column in a CSV file; in a JSON file the
// member that holds the field, or else the entry.
func (f *File) Locate(i int, field, code string) *FileError {
	if i < 0 || i >= len(f.Tools) {
		return &FileError{Line: 1, Code: code}
	}
	if f.csv {
		return &FileError{Line: f.lines[i], Column: csvColumnOf(field), Code: code}
	}
	sp := f.spans[i]
	at, best := sp.start, 0
	want := strings.Split(field, ".")
	walkJSON(f.data[sp.start:sp.end], func(path []string, start, _ int, key bool) bool {
		if !key || len(path) <= best || len(path) > len(want) || !slices.Equal(path, want[:len(path)]) {
			return true
		}
		at, best = sp.start+start, len(path)
		return best < len(want)
	})
	path := strconv.Itoa(i)
	if field != "" {
		path += "." + field
	}
	pos := textcheck.PositionOf(f.data, at)
	return &FileError{Line: pos.Line, Char: pos.Column, Path: path, Code: code}
}

// ReadFile reads an import file: CSV when its name ends in .csv, JSON
// otherwise.
func ReadFile(name string, data []byte) (*File, error) {
	if strings.HasSuffix(strings.ToLower(name), ".csv") {
		return ReadCSV(data)
	}
	return ReadJSON(data)
}

var utf8BOM = []byte("\uFEFF")

// ---------------------------------------------------------------- JSON

// WriteJSON writes the catalogue as a JSON list, one member per line.
func WriteJSON(w io.Writer, tools []Tool) error {
	if tools == nil {
		tools = []Tool{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(tools)
}

// DecodeTools reads a catalogue from JSON, as ReadJSON does.
func DecodeTools(data []byte) ([]Tool, error) {
	f, err := ReadJSON(data)
	if err != nil {
		return nil, err
	}
	return f.Tools, nil
}

// ReadJSON reads a JSON list of entries, refusing members it does not
// know so that a typo does not silently drop a fact.
func ReadJSON(data []byte) (*File, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &FileError{Line: 1, Code: "file.empty"}
	}
	if p := textcheck.CheckJSON(data); p != nil {
		return nil, &FileError{Line: p.Line, Char: p.Column, Path: p.Path, Code: p.Code}
	}
	if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
		return nil, jsonSyntax(data, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		pos := textcheck.PositionOf(data, skipJSONSpace(data, 0))
		return nil, &FileError{Line: pos.Line, Char: pos.Column, Code: "json.not_list"}
	}
	f := &File{data: data}
	for dec.More() {
		start := skipJSONSpace(data, int(dec.InputOffset()))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonSyntax(data, err)
		}
		end := int(dec.InputOffset())
		i := len(f.Tools)
		t, at, path, code := decodeEntry(data[start:end])
		if code != "" {
			pos := textcheck.PositionOf(data, start+at)
			p := strconv.Itoa(i)
			if path != "" {
				p += "." + path
			}
			return nil, &FileError{Line: pos.Line, Char: pos.Column, Path: p, Code: code}
		}
		f.Tools = append(f.Tools, t)
		f.spans = append(f.spans, span{start, end})
	}
	return f, nil
}

// decodeEntry decodes one entry; for a problem, it returns where in raw
// the value stands, its path and the code.
func decodeEntry(raw []byte) (t Tool, at int, path, code string) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(&t)
	if err == nil {
		return t, 0, "", ""
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		walkJSON(raw, func(p []string, start, end int, key bool) bool {
			if key || int64(end) < te.Offset {
				return true
			}
			at, path = start, strings.Join(p, ".")
			return false
		})
		return t, at, path, "json.wrong_type"
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		walkJSON(raw, func(p []string, start, _ int, key bool) bool {
			if !key || p[len(p)-1] != name {
				return true
			}
			if parent := typeAt(p[:len(p)-1]); parent == nil || parent.Kind() != reflect.Struct || hasJSONField(parent, name) {
				return true
			}
			at, path = start, strings.Join(p, ".")
			return false
		})
		return t, at, path, "json.unknown_field"
	}
	return t, 0, "", "json.malformed"
}

// typeAt is the Go type of the value at path in an entry, nil when the
// entry has no such place.
func typeAt(path []string) reflect.Type {
	t := reflect.TypeFor[Tool]()
	for _, name := range path {
		switch t.Kind() {
		case reflect.Struct:
			f, ok := jsonField(t, name)
			if !ok {
				return nil
			}
			t = f.Type
		case reflect.Slice:
			t = t.Elem()
		default:
			return nil
		}
	}
	return t
}

func hasJSONField(t reflect.Type, name string) bool {
	_, ok := jsonField(t, name)
	return ok
}

// jsonField finds the struct field encoding/json decodes a member name
// into (it ignores case).
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		if strings.EqualFold(tag, name) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// jsonSyntax places a syntax error: encoding/json counts the bad byte in
// the offset it gives.
func jsonSyntax(data []byte, err error) *FileError {
	var se *json.SyntaxError
	code, at := "json.malformed", len(data)
	if errors.As(err, &se) {
		at = int(se.Offset) - 1
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || se != nil && strings.Contains(se.Error(), "unexpected end") {
		code, at = "json.unexpected_end", len(bytes.TrimRight(data, " \t\r\n"))
	}
	pos := textcheck.PositionOf(data, max(at, 0))
	return &FileError{Line: pos.Line, Char: pos.Column, Code: code}
}

// skipJSONSpace moves past white space and the punctuation between
// values, to where the next one starts.
func skipJSONSpace(data []byte, off int) int {
	for off < len(data) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
		off++
	}
	return off
}

// walkJSON reads a JSON document token by token and calls fn with each
// member name (key true) and each value, its path (member names and
// array indexes; fn must copy it to keep it) and the bytes
// [start, end) it stands on. fn returns false to stop.
func walkJSON(data []byte, fn func(path []string, start, end int, key bool) bool) {
	type frame struct {
		object, wantKey bool
		index           int
	}
	var stack []frame
	var path []string
	done := func() { // the container on top has read one more value
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		start := skipJSONSpace(data, int(dec.InputOffset()))
		tok, err := dec.Token()
		if err != nil {
			return
		}
		end := int(dec.InputOffset())
		n := len(stack)
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			if n == 0 {
				return
			}
			stack, path = stack[:n-1], path[:n-1]
			done()
			continue
		}
		if n > 0 {
			f := &stack[n-1]
			if f.object && f.wantKey {
				key, _ := tok.(string)
				path[n-1], f.wantKey = key, false
				if !fn(path, start, end, true) {
					return
				}
				continue
			}
			if !f.object {
				path[n-1] = strconv.Itoa(f.index)
			}
		}
		if !fn(path, start, end, false) {
			return
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, frame{object: d == '{', wantKey: d == '{'})
			path = append(path, "")
			continue
		}
		done()
	}
}

// ---------------------------------------------------------------- CSV

// The CSV format has one column per field, named as CSVColumns says; the
// import finds them by name, in any order, and needs all of them. Lists
// are joined with "; ", a hosting line's parts (name, identifier,
// country, members only, address) with " | "; inside a list item a
// backslash escapes ";", "|" and itself ("a\;b" is one item "a;b").
// big_tech is "yes" or empty ("no" is read as empty). Cells that a
// spreadsheet would run as a formula (starting with =, +, -, @, a tab or
// a carriage return) are written with a leading apostrophe, which the
// import removes again, so that opening the file in a spreadsheet runs
// nothing and the round trip is exact.

type csvColumn struct {
	name  string
	field string // the field Validate names problems by
	get   func(t *Tool) string
	set   func(t *Tool, v string) (code string)
}

func textColumn(name, field string, p func(t *Tool) *string) csvColumn {
	return csvColumn{name: name, field: field,
		get: func(t *Tool) string { return *p(t) },
		set: func(t *Tool, v string) string { *p(t) = v; return "" }}
}

func listColumn(name string, p func(t *Tool) *[]string) csvColumn {
	return csvColumn{name: name, field: name,
		get: func(t *Tool) string { return joinItems(*p(t)) },
		set: func(t *Tool, v string) string { *p(t) = splitItems(v); return "" }}
}

var csvColumns = []csvColumn{
	textColumn("id", "id", func(t *Tool) *string { return &t.ID }),
	textColumn("name", "name", func(t *Tool) *string { return &t.Name }),
	listColumn("aliases", func(t *Tool) *[]string { return &t.Aliases }),
	textColumn("kind", "kind", func(t *Tool) *string { return &t.Kind }),
	{name: "big_tech", field: "big_tech",
		get: func(t *Tool) string {
			if t.BigTech {
				return "yes"
			}
			return ""
		},
		set: func(t *Tool, v string) string {
			switch lower(v) {
			case "yes":
				t.BigTech = true
			case "", "no":
				t.BigTech = false
			default:
				return "yes_no.invalid"
			}
			return ""
		}},
	listColumn("categories", func(t *Tool) *[]string { return &t.Categories }),
	listColumn("uses", func(t *Tool) *[]string { return &t.Uses }),
	listColumn("replaces", func(t *Tool) *[]string { return &t.Replaces }),
	textColumn("governance", "governance", func(t *Tool) *string { return &t.Governance }),
	textColumn("steward", "steward", func(t *Tool) *string { return &t.Steward }),
	textColumn("licence", "licence", func(t *Tool) *string { return &t.Licence }),
	textColumn("self_hostable", "self_hostable", func(t *Tool) *string { return &t.SelfHostable }),
	{name: "hosting", field: "hosting",
		get: func(t *Tool) string {
			items := make([]string, len(t.Hosting))
			for i, h := range t.Hosting {
				parts := []string{h.Name, h.Tool, h.Country, h.Membership, h.URL}
				for j := range parts {
					parts[j] = escapeItem(parts[j])
				}
				items[i] = strings.Join(parts, " | ")
			}
			return strings.Join(items, "; ")
		},
		set: func(t *Tool, v string) string {
			t.Hosting = nil
			for _, item := range splitEscaped(v, ';') {
				if strings.TrimSpace(item) == "" {
					continue
				}
				parts := splitEscaped(item, '|')
				if len(parts) > 5 {
					return "hosting.parts"
				}
				for j := range parts {
					parts[j] = unescapeItem(strings.TrimSpace(parts[j]))
				}
				parts = append(parts, make([]string, 5-len(parts))...)
				t.Hosting = append(t.Hosting, Hosting{Name: parts[0], Tool: parts[1], Country: parts[2], Membership: parts[3], URL: parts[4]})
			}
			return ""
		}},
	listColumn("offers", func(t *Tool) *[]string { return &t.Offers }),
	textColumn("country", "country", func(t *Tool) *string { return &t.Country }),
	textColumn("data_location_nl", "data_location.nl", func(t *Tool) *string { return &t.DataLocation.NL }),
	textColumn("data_location_en", "data_location.en", func(t *Tool) *string { return &t.DataLocation.EN }),
	listColumn("languages", func(t *Tool) *[]string { return &t.Languages }),
	textColumn("accessibility_nl", "accessibility.nl", func(t *Tool) *string { return &t.Accessibility.NL }),
	textColumn("accessibility_en", "accessibility.en", func(t *Tool) *string { return &t.Accessibility.EN }),
	textColumn("website", "website", func(t *Tool) *string { return &t.Website }),
	textColumn("source_code", "source_code", func(t *Tool) *string { return &t.SourceCode }),
	textColumn("description_nl", "description.nl", func(t *Tool) *string { return &t.Description.NL }),
	textColumn("description_en", "description.en", func(t *Tool) *string { return &t.Description.EN }),
	listColumn("traits", func(t *Tool) *[]string { return &t.Traits }),
	listColumn("sources", func(t *Tool) *[]string { return &t.Sources }),
}

// CSVColumns are the columns of the CSV format, in the export's order.
var CSVColumns = func() []string {
	names := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		names[i] = c.name
	}
	return names
}()

// csvColumnOf names the column that holds a field, as Validate names it.
func csvColumnOf(field string) string {
	for _, c := range csvColumns {
		if c.field == field {
			return c.name
		}
	}
	return field
}

// WriteCSV writes a header and one row per entry, in CSVColumns' order.
func WriteCSV(w io.Writer, tools []Tool) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns); err != nil {
		return err
	}
	row := make([]string, len(csvColumns))
	for i := range tools {
		for j, c := range csvColumns {
			row[j] = csvcell.Guard(c.get(&tools[i]))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadCSV reads a CSV file in the export's form. Rows whose cells are all
// empty (spreadsheets leave them) are skipped.
func ReadCSV(data []byte) (*File, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &FileError{Line: 1, Code: "file.empty"}
	}
	if code, pos := textcheck.CheckFile(data); code != "" {
		return nil, &FileError{Line: pos.Line, Char: pos.Column, Column: csvColumnAt(data, pos), Code: code}
	}
	rd := csv.NewReader(bytes.NewReader(data))
	rd.FieldsPerRecord = -1
	header, err := rd.Read()
	if err != nil {
		return nil, csvSyntax(data, nil, err)
	}
	order, ferr := csvHeader(data, rd, header)
	if ferr != nil {
		return nil, ferr
	}
	f := &File{data: data, csv: true}
	for {
		row, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return nil, csvSyntax(data, header, err)
		}
		line, _ := rd.FieldPos(0)
		if !slices.ContainsFunc(row, func(s string) bool { return strings.TrimSpace(s) != "" }) {
			continue
		}
		if len(row) != len(header) {
			return nil, &FileError{Line: line, Code: "csv.field_count"}
		}
		var t Tool
		for i, v := range row {
			if code := csvColumns[order[i]].set(&t, csvcell.Unguard(v)); code != "" {
				return nil, &FileError{Line: line, Column: header[i], Code: code}
			}
		}
		f.Tools = append(f.Tools, t)
		f.lines = append(f.lines, line)
	}
}

// csvHeader finds each of the file's columns among csvColumns and
// refuses unknown, repeated and missing ones.
func csvHeader(data []byte, rd *csv.Reader, header []string) ([]int, *FileError) {
	order := make([]int, len(header))
	seen := map[string]bool{}
	for i, name := range header {
		name = strings.TrimSpace(name)
		header[i] = name
		line, col := rd.FieldPos(i)
		at := &FileError{Line: line, Char: textcheck.PositionOf(data, lineStart(data, line)+col-1).Column, Column: name}
		order[i] = slices.Index(CSVColumns, name)
		switch {
		case order[i] < 0:
			at.Code = "column.unknown"
		case seen[name]:
			at.Code = "column.repeated"
		default:
			seen[name] = true
			continue
		}
		return nil, at
	}
	for _, name := range CSVColumns {
		if !seen[name] {
			line, _ := rd.FieldPos(0)
			return nil, &FileError{Line: line, Column: name, Code: "column.missing"}
		}
	}
	return order, nil
}

// csvSyntax places an error of the CSV reader, naming the column when
// the header is known. A quoted field left open is reported where it
// starts: the reader only notices at the end of the file.
func csvSyntax(data []byte, header []string, err error) *FileError {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &FileError{Line: 1, Code: "csv.malformed"}
	}
	code := "csv.malformed"
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		code = "csv.bare_quote"
	case errors.Is(pe.Err, csv.ErrQuote):
		code = "csv.quote"
	}
	at := min(lineStart(data, pe.Line)+max(pe.Column-1, 0), len(data))
	field, fieldStart := csvFieldAt(data, lineStart(data, pe.StartLine), at)
	if code == "csv.quote" && len(bytes.TrimSpace(data[at:])) == 0 {
		at = fieldStart // the reader reached the end looking for the closing quote
	}
	pos := textcheck.PositionOf(data, at)
	fe := &FileError{Line: pos.Line, Char: pos.Column, Code: code}
	if header != nil && field < len(header) {
		fe.Column = header[field]
	}
	return fe
}

// csvColumnAt names the column a place in the file is in, "" in the
// header or when it cannot be told.
func csvColumnAt(data []byte, pos textcheck.Position) string {
	rd := csv.NewReader(bytes.NewReader(data))
	rd.FieldsPerRecord = -1
	header, err := rd.Read()
	if err != nil {
		return ""
	}
	if last, _ := rd.FieldPos(len(header) - 1); pos.Line <= last {
		return ""
	}
	at := offsetOf(data, pos)
	// Count fields from the start of the file, following the quotes, to
	// the start of the row the place is in.
	rowStart, quoted := 0, false
	for i := 0; i < at; i++ {
		switch data[i] {
		case '"':
			quoted = !quoted
		case '\n':
			if !quoted {
				rowStart = i + 1
			}
		}
	}
	if i, _ := csvFieldAt(data, rowStart, at); i < len(header) && textcheck.Valid(header[i]) {
		return strings.TrimSpace(header[i])
	}
	return ""
}

// csvFieldAt counts the fields of a row that starts at byte start, up to
// byte at, and says where the last of them starts.
func csvFieldAt(data []byte, start, at int) (field, fieldStart int) {
	fieldStart = start
	quoted := false
	for i := start; i < at && i < len(data); i++ {
		switch data[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				field, fieldStart = field+1, i+1
			}
		}
	}
	return field, fieldStart
}

// lineStart is the byte offset where line n (from 1) starts.
func lineStart(data []byte, n int) int {
	off := 0
	for line := 1; line < n; line++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return len(data)
		}
		off += i + 1
	}
	return off
}

// offsetOf is the byte offset of a position, as textcheck counts them.
func offsetOf(data []byte, pos textcheck.Position) int {
	off := lineStart(data, pos.Line)
	for c := 1; c < pos.Column && off < len(data); c++ {
		_, size := utf8.DecodeRune(data[off:])
		off += size
	}
	return off
}

var itemEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, "|", `\|`)

func escapeItem(s string) string { return itemEscaper.Replace(s) }

// unescapeItem undoes escapeItem; a backslash before anything else
// stays.
func unescapeItem(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`\;|`, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitEscaped splits s at each sep that no backslash escapes, keeping
// the escapes in the parts.
func splitEscaped(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func joinItems(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = escapeItem(s)
	}
	return strings.Join(out, "; ")
}

func splitItems(s string) []string {
	var out []string
	for _, item := range splitEscaped(s, ';') {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, unescapeItem(item))
		}
	}
	return out
}
