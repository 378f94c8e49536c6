package atlas

// The open-data formats of the atlas, for the API, the bulk export and the
// import, one file each: GeoJSON (RFC 7946, geojson.go), CSV (csv.go),
// JSON-LD (schema.org, jsonld.go) and Murmurations profiles
// (murmurations.go). This file holds what they share: the rows an import
// reads, the export's stream, links, and how problems with a file are
// named. Writing imported rows to the database is import.go's.
//
// Every export states the data's licence: GeoJSON in a top-level "licence"
// member with an "attribution", JSON-LD in "license". A CSV file has no
// place for it; the HTTP handler that serves one sends it in a header
// (and the command line prints it), and each row carries the record's own
// licence column.
//
// The contact e-mail address is in none of them: visitors reach an
// initiative through the contact form, and the address stays private.
//
// The writers stream: they take one initiative at a time from next and
// write it out, so an export of a million rows needs no more memory than
// one of ten.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"samen/internal/problem"
)

// Row is one record read from an import file, with where it stands in the
// file for messages: the line a CSV row starts on (the header is line 1),
// or the line a GeoJSON feature starts on.
type Row struct {
	Line   int
	Record Record
}

// Items returns a next function over a list, for the writers.
func Items(list []Initiative) func() (Initiative, bool, error) {
	i := 0
	return func() (Initiative, bool, error) {
		if i >= len(list) {
			return Initiative{}, false, nil
		}
		i++
		return list[i-1], true, nil
	}
}

// Export streams the published initiatives to fn in ID order, from one
// query, so that an export of any size keeps memory flat. fn is typically
// one of the writers: s.Export(ctx, func(next …) error { return
// WriteCSV(w, next, base) }).
func (s *Service) Export(ctx context.Context, fn func(next func() (Initiative, bool, error)) error) error {
	rows, err := s.DB.Query(ctx, `SELECT `+initiativeColumns+` FROM initiatives i WHERE i.status = 'published' ORDER BY i.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	next := func() (Initiative, bool, error) {
		if !rows.Next() {
			return Initiative{}, false, rows.Err()
		}
		in, err := scanInitiative(rows)
		if err != nil {
			return Initiative{}, false, err
		}
		return in, true, nil
	}
	if err := fn(next); err != nil {
		return err
	}
	return rows.Err()
}

// PageURL is the address of an initiative's page on the site.
func PageURL(baseURL string, id int64) string {
	return strings.TrimRight(baseURL, "/") + "/atlas/" + idString(id)
}

// logoURL is the address of an initiative's logo.
func logoURL(baseURL string, id int64) string { return PageURL(baseURL, id) + "/logo" }

// licenceURL points to the text of an SPDX licence.
func licenceURL(spdx string) string { return "https://spdx.org/licenses/" + spdx + ".html" }

// attribution is the credit line that goes with the data.
func attribution(baseURL string) string {
	return "Contributors to the atlas at " + strings.TrimRight(baseURL, "/") + "/atlas"
}

// eachJSON writes one JSON value per initiative, each on a line of its
// own, separated by commas.
func eachJSON(bw *bufio.Writer, next func() (Initiative, bool, error), value func(Initiative) any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for first := true; ; first = false {
		in, ok, err := next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		buf.Reset()
		if err := enc.Encode(value(in)); err != nil {
			return err
		}
		if !first {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		if _, err := bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))); err != nil {
			return err
		}
	}
}

// formatError is a file that cannot be read as its format at all. It reads
// as an English sentence on the command line and unwraps to a
// problem.Invalid error for the web layer.
type formatError struct {
	msg string
	p   *problem.Error
}

func (e *formatError) Error() string { return e.msg }
func (e *formatError) Unwrap() error { return e.p }

func formatErr(p *problem.Error, msg string) error {
	return &formatError{msg: msg, p: p}
}

// lineKey is how import problems name a field of a row: "line 12:
// location.latitude".
func lineKey(line int, field string) string { return "line " + strconv.Itoa(line) + ": " + field }

// placeKey names a field at a line and column of a file: "line 12, column
// 7: name".
func placeKey(line, column int, field string) string {
	return "line " + strconv.Itoa(line) + ", column " + strconv.Itoa(column) + ": " + field
}

// RowProblem is one problem with one row of an import file.
type RowProblem struct {
	Line   int
	Column int    // the character in the line, when the problem is one (0 when not)
	Field  string // the record's field, as Validate names it ("location.latitude")
	Code   string // as Validate gives it ("latitude.out_of_range")
}

// RowProblems lists the row problems in an error from ReadCSV,
// ReadGeoJSON or Import, by line and then field; nil when err holds none
// (a file that is not CSV or GeoJSON at all says so in its message).
func RowProblems(err error) []RowProblem {
	p, ok := problem.As(err)
	if !ok || p.Code != "validation" {
		return nil
	}
	var out []RowProblem
	for k, code := range p.Fields {
		rest, ok := strings.CutPrefix(k, "line ")
		if !ok {
			continue
		}
		place, field, ok := strings.Cut(rest, ": ")
		num, col, hasCol := strings.Cut(place, ", column ")
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			continue
		}
		c := 0
		if hasCol {
			if c, err = strconv.Atoi(col); err != nil {
				continue
			}
		}
		out = append(out, RowProblem{Line: n, Column: c, Field: field, Code: code})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Field < out[j].Field
	})
	return out
}

// country is the ISO 3166 code of an initiative's country where the atlas
// knows it: Amsterdam and Weesp are in the Netherlands.
func country(city string) string {
	switch strings.ToLower(strings.TrimSpace(city)) {
	case "amsterdam", "weesp":
		return "NL"
	}
	return ""
}
