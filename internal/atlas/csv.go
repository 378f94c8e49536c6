package atlas

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"samen/internal/csvcell"
	"samen/internal/problem"
	"samen/internal/textcheck"
)

// CSV format. Columns are found by name in the header (their order is
// free; the export writes CSVColumns' order). Lists (sectors, tags, links,
// tools) are joined with "|"; needs and offers are lists of
// "kind:until:text" items (until YYYY-MM-DD or empty; "kind" alone when
// there is neither until nor text), also joined with "|". Inside a list, a
// backslash escapes "|" and itself ("a\|b" is one item "a|b"); text may
// hold ":" freely, as it comes last. principle_<code> is yes, no or empty
// (not answered), principle_<code>_note its explanation. id, updated and
// url are written by the export and ignored on import.
//
// Text cells that a spreadsheet would run as a formula (starting with =,
// +, -, @, a tab or a carriage return) are written with a leading
// apostrophe, which the reader removes again.

// csvColumn is one column of the CSV format.
type csvColumn struct {
	name  string
	field string // the record field problems are reported under
	text  bool   // guarded against formulas
	get   func(in *Initiative, baseURL string) string
	set   func(r *Record, v string) (code string) // nil: written only
}

var csvColumns = buildCSVColumns()

// CSVColumns are the CSV columns in the order the export writes them.
var CSVColumns = func() []string {
	names := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		names[i] = c.name
	}
	return names
}()

var csvByName = func() map[string]*csvColumn {
	m := map[string]*csvColumn{}
	for i := range csvColumns {
		m[csvColumns[i].name] = &csvColumns[i]
	}
	return m
}()

func textColumn(name, field string, get func(r *Record) *string) csvColumn {
	return csvColumn{name: name, field: field, text: true,
		get: func(in *Initiative, _ string) string { return *get(&in.Record) },
		set: func(r *Record, v string) string { *get(r) = v; return "" }}
}

func listColumn(name, field string, get func(r *Record) *[]string) csvColumn {
	return csvColumn{name: name, field: field, text: true,
		get: func(in *Initiative, _ string) string { return joinList(*get(&in.Record)) },
		set: func(r *Record, v string) string { *get(r) = splitList(v); return "" }}
}

func exchangeColumn(name string, get func(r *Record) *[]Exchange) csvColumn {
	return csvColumn{name: name, field: name, text: true,
		get: func(in *Initiative, _ string) string { return joinExchanges(*get(&in.Record)) },
		set: func(r *Record, v string) string { *get(r) = splitExchanges(v); return "" }}
}

func coordinateColumn(name string, get func(r *Record) **float64) csvColumn {
	return csvColumn{name: name, field: "location." + name,
		get: func(in *Initiative, _ string) string {
			if p := *get(&in.Record); p != nil {
				return strconv.FormatFloat(*p, 'f', -1, 64)
			}
			return ""
		},
		set: func(r *Record, v string) string {
			if v = strings.TrimSpace(v); v == "" {
				*get(r) = nil
				return ""
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || bad(f) {
				return "number.invalid"
			}
			*get(r) = &f
			return ""
		}}
}

func buildCSVColumns() []csvColumn {
	cols := []csvColumn{
		textColumn("name", "name", func(r *Record) *string { return &r.Name }),
		textColumn("summary_nl", "summary.nl", func(r *Record) *string { return &r.Summary.NL }),
		textColumn("summary_en", "summary.en", func(r *Record) *string { return &r.Summary.EN }),
		textColumn("description_nl", "description.nl", func(r *Record) *string { return &r.Description.NL }),
		textColumn("description_en", "description.en", func(r *Record) *string { return &r.Description.EN }),
		listColumn("sectors", "sectors", func(r *Record) *[]string { return &r.Sectors }),
		listColumn("tags", "tags", func(r *Record) *[]string { return &r.Tags }),
		textColumn("legal_form", "legal_form", func(r *Record) *string { return &r.LegalForm }),
	}
	for _, code := range Principles {
		cols = append(cols, csvColumn{name: "principle_" + code, field: "principles." + code,
			get: func(in *Initiative, _ string) string {
				if h := in.Principles[code].Holds; h != nil {
					if *h {
						return "yes"
					}
					return "no"
				}
				return ""
			},
			set: func(r *Record, v string) string {
				var holds *bool
				switch strings.ToLower(strings.TrimSpace(v)) {
				case "":
				case "yes", "y", "true", "1", "ja", "j":
					holds = new(bool)
					*holds = true
				case "no", "n", "false", "0", "nee":
					holds = new(bool)
				default:
					return "yes_no.invalid"
				}
				setPrinciple(r, code, func(p *Principle) { p.Holds = holds })
				return ""
			}},
			csvColumn{name: "principle_" + code + "_note", field: "principles." + code + ".note", text: true,
				get: func(in *Initiative, _ string) string { return in.Principles[code].Note },
				set: func(r *Record, v string) string {
					setPrinciple(r, code, func(p *Principle) { p.Note = v })
					return ""
				}})
	}
	cols = append(cols,
		textColumn("address", "location.address", func(r *Record) *string { return &r.Location.Address }),
		textColumn("postcode", "location.postcode", func(r *Record) *string { return &r.Location.Postcode }),
		textColumn("city", "location.city", func(r *Record) *string { return &r.Location.City }),
		textColumn("district", "location.district", func(r *Record) *string { return &r.Location.District }),
		coordinateColumn("latitude", func(r *Record) **float64 { return &r.Location.Latitude }),
		coordinateColumn("longitude", func(r *Record) **float64 { return &r.Location.Longitude }),
		textColumn("website", "contact.website", func(r *Record) *string { return &r.Contact.Website }),
		listColumn("links", "contact.links", func(r *Record) *[]string { return &r.Contact.Links }),
		textColumn("opening_hours", "opening_hours", func(r *Record) *string { return &r.OpeningHours }),
		csvColumn{name: "founded", field: "founded",
			get: func(in *Initiative, _ string) string {
				if in.Founded == 0 {
					return ""
				}
				return strconv.Itoa(in.Founded)
			},
			set: func(r *Record, v string) string {
				if v = strings.TrimSpace(v); v == "" {
					r.Founded = 0
					return ""
				}
				n, err := strconv.Atoi(v)
				if err != nil || n < math.MinInt32 || n > math.MaxInt32 {
					return "number.invalid"
				}
				r.Founded = n
				return ""
			}},
		textColumn("size", "size", func(r *Record) *string { return &r.Size }),
		exchangeColumn("needs", func(r *Record) *[]Exchange { return &r.Needs }),
		exchangeColumn("offers", func(r *Record) *[]Exchange { return &r.Offers }),
		listColumn("tools", "tools", func(r *Record) *[]string { return &r.Tools }),
		textColumn("source", "source", func(r *Record) *string { return &r.Source }),
		textColumn("source_id", "source_id", func(r *Record) *string { return &r.SourceID }),
		textColumn("licence", "licence", func(r *Record) *string { return &r.Licence }),
		csvColumn{name: "id", get: func(in *Initiative, _ string) string {
			if in.ID == 0 {
				return ""
			}
			return idString(in.ID)
		}},
		csvColumn{name: "updated", get: func(in *Initiative, _ string) string {
			if in.UpdatedAt.IsZero() {
				return ""
			}
			return in.UpdatedAt.UTC().Format(time.RFC3339)
		}},
		csvColumn{name: "url", get: func(in *Initiative, baseURL string) string {
			if in.ID == 0 {
				return ""
			}
			return PageURL(baseURL, in.ID)
		}},
	)
	return cols
}

func setPrinciple(r *Record, code string, change func(p *Principle)) {
	p := r.Principles[code]
	change(&p)
	if p.Holds == nil && p.Note == "" {
		delete(r.Principles, code)
		return
	}
	if r.Principles == nil {
		r.Principles = map[string]Principle{}
	}
	r.Principles[code] = p
}

// joinList joins items with "|", escaping "|" and "\" with a backslash.
func joinList(items []string) string {
	var b strings.Builder
	for i, s := range items {
		if i > 0 {
			b.WriteByte('|')
		}
		writeEscaped(&b, s)
	}
	return b.String()
}

func writeEscaped(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '|' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
}

// splitList is the reverse of joinList; empty items are dropped. A
// backslash before anything but "|" or "\" stands for itself.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var (
		out []string
		b   strings.Builder
	)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '|' || s[i+1] == '\\'):
			b.WriteByte(s[i+1])
			i++
		case c == '|':
			if b.Len() > 0 {
				out = append(out, b.String())
			}
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

func joinExchanges(list []Exchange) string {
	items := make([]string, len(list))
	for i, e := range list {
		if e.Until == "" && e.Text == "" {
			items[i] = e.Kind
		} else {
			items[i] = e.Kind + ":" + e.Until + ":" + e.Text
		}
	}
	return joinList(items)
}

func splitExchanges(s string) []Exchange {
	var out []Exchange
	for _, item := range splitList(s) {
		parts := strings.SplitN(item, ":", 3)
		e := Exchange{Kind: parts[0]}
		if len(parts) > 1 {
			e.Until = parts[1]
		}
		if len(parts) > 2 {
			e.Text = parts[2]
		}
		if e != (Exchange{}) {
			out = append(out, e)
		}
	}
	return out
}

// WriteCSV writes a header and one row per initiative, in CSVColumns'
// order. CSV has no place for the data's licence: the caller states it
// (an HTTP header, a line on the terminal); each row's licence column
// holds the record's own.
func WriteCSV(w io.Writer, next func() (Initiative, bool, error), baseURL string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns); err != nil {
		return err
	}
	row := make([]string, len(csvColumns))
	for {
		in, ok, err := next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		for i, c := range csvColumns {
			v := c.get(&in, baseURL)
			if c.text {
				v = csvcell.Guard(v)
			}
			row[i] = v
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadCSV reads a CSV file for import. The first line names the columns
// (any order, any subset, but "name" is required); an unknown or repeated
// column, or a file that is not CSV, is refused outright. Problems with
// single cells (a latitude that is not a number) are collected and
// returned together as a problem.Invalid error keyed "line N: field".
func ReadCSV(r io.Reader) ([]Row, error) {
	var rows []Row
	err := EachCSV(r, func(row Row) error {
		rows = append(rows, row)
		return nil
	})
	if _, cells := err.(*problem.Error); err != nil && !cells {
		return nil, err
	}
	return rows, err
}

// EachCSV is ReadCSV one row at a time, for files too large to hold: it
// calls fn with every row, in order, and stops at the first error fn
// returns, which it returns. Problems with single cells are returned
// together at the end, after fn has seen every row.
func EachCSV(r io.Reader, fn func(Row) error) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return formatErr(problem.New(problem.Invalid, "import.csv.empty"), "the file is empty; its first line must name the columns")
	}
	if err != nil {
		return csvSyntax(err)
	}
	cols := make([]*csvColumn, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		c := csvByName[name]
		if c == nil {
			return &formatError{
				msg: fmt.Sprintf("unknown column %q (column %d); the columns are: %s", h, i+1, strings.Join(CSVColumns, ", ")),
				p:   &problem.Error{Kind: problem.Invalid, Code: "import.csv.unknown_column", Fields: problem.Fields{"column " + strconv.Itoa(i+1): "column.unknown"}},
			}
		}
		if seen[name] {
			return &formatError{
				msg: fmt.Sprintf("column %q appears twice (column %d)", name, i+1),
				p:   &problem.Error{Kind: problem.Invalid, Code: "import.csv.repeated_column", Fields: problem.Fields{"column " + strconv.Itoa(i+1): "column.repeated"}},
			}
		}
		seen[name] = true
		cols[i] = c
	}
	if !seen["name"] {
		return formatErr(problem.New(problem.Invalid, "import.csv.no_name"), `the header has no "name" column`)
	}
	cr.FieldsPerRecord = len(header)
	fields := problem.Fields{}
	for {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return csvSyntax(err)
		}
		line, _ := cr.FieldPos(0)
		var rec Record
		for i, v := range cells {
			c := cols[i]
			// Every cell is text from outside, whatever its column; the
			// line is that of the character (a quoted cell may span
			// lines), the column the CSV column's field.
			if code, at := textcheck.Check(v); code != "" {
				l, _ := cr.FieldPos(i)
				fields.Add(lineKey(l+strings.Count(v[:at], "\n"), cmp.Or(c.field, header[i])), code)
				continue
			}
			if c.set == nil {
				continue
			}
			if c.text {
				v = csvcell.Unguard(v)
			}
			if code := c.set(&rec, v); code != "" {
				fields.Add(lineKey(line, c.field), code)
			}
		}
		if err := fn(Row{Line: line, Record: rec}); err != nil {
			return err
		}
	}
	return fields.Err()
}

func csvSyntax(err error) error {
	line := 0
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		line = pe.Line
	}
	return &formatError{msg: "not valid CSV: " + err.Error(),
		p: &problem.Error{Kind: problem.Invalid, Code: "import.csv.malformed", Fields: problem.Fields{lineKey(line, "csv"): "csv.malformed"}}}
}
