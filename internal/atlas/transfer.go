package atlas

// The open-data formats of the atlas, in one place for the API, the bulk
// export and the import: GeoJSON (RFC 7946), CSV, JSON-LD (schema.org) and
// Murmurations profiles.
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
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"samen/internal/csvcell"
	"samen/internal/problem"
	"samen/internal/textcheck"
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

// ---------------------------------------------------------------- GeoJSON

// Feature is an initiative as a GeoJSON feature (RFC 7946): a point in
// longitude, latitude order, or a null geometry for an initiative that is
// not on the map.
type Feature struct {
	Type       string            `json:"type"` // "Feature"
	ID         int64             `json:"id,omitempty"`
	Geometry   *Geometry         `json:"geometry"`
	Properties FeatureProperties `json:"properties"`
}

// Geometry is a GeoJSON point: Coordinates are longitude, latitude.
type Geometry struct {
	Type        string    `json:"type"` // "Point"
	Coordinates []float64 `json:"coordinates"`
}

// FeatureProperties is the record flattened for map tools (QGIS, uMap,
// Leaflet), which show properties as a table. id, updated and url are
// written by the export and ignored on import. The contact e-mail is never
// among them.
type FeatureProperties struct {
	ID           int64                `json:"id,omitempty"`
	Name         string               `json:"name"`
	Summary      Text                 `json:"summary,omitzero"`
	Description  Text                 `json:"description,omitzero"`
	Sectors      []string             `json:"sectors,omitempty"`
	Tags         []string             `json:"tags,omitempty"`
	LegalForm    string               `json:"legal_form,omitempty"`
	Principles   map[string]Principle `json:"principles,omitempty"`
	Address      string               `json:"address,omitempty"`
	Postcode     string               `json:"postcode,omitempty"`
	City         string               `json:"city,omitempty"`
	District     string               `json:"district,omitempty"`
	Website      string               `json:"website,omitempty"`
	Links        []string             `json:"links,omitempty"`
	OpeningHours string               `json:"opening_hours,omitempty"`
	Founded      int                  `json:"founded,omitempty"`
	Size         string               `json:"size,omitempty"`
	Needs        []Exchange           `json:"needs,omitempty"`
	Offers       []Exchange           `json:"offers,omitempty"`
	Tools        []string             `json:"tools,omitempty"`
	Source       string               `json:"source,omitempty"`
	SourceID     string               `json:"source_id,omitempty"`
	Licence      string               `json:"licence,omitempty"`
	Updated      string               `json:"updated,omitempty"` // RFC 3339
	URL          string               `json:"url,omitempty"`     // the initiative's page
}

// featureProperties are the property names a feature may carry.
var featureProperties = func() map[string]bool {
	m := map[string]bool{}
	for _, tag := range []string{"id", "name", "summary", "description", "sectors", "tags", "legal_form", "principles",
		"address", "postcode", "city", "district", "website", "links", "opening_hours", "founded", "size", "needs",
		"offers", "tools", "source", "source_id", "licence", "updated", "url"} {
		m[tag] = true
	}
	return m
}()

// FeatureCollection is a GeoJSON feature collection with the data's
// licence and attribution as foreign members (RFC 7946, section 6.1).
type FeatureCollection struct {
	Type        string    `json:"type"` // "FeatureCollection"
	Licence     string    `json:"licence,omitempty"`
	Attribution string    `json:"attribution,omitempty"`
	Features    []Feature `json:"features"`
}

// ToFeature turns an initiative into a GeoJSON feature. baseURL is the
// site's public address, for the page link.
func ToFeature(in Initiative, baseURL string) Feature {
	r := in.Record
	f := Feature{
		Type: "Feature",
		ID:   in.ID,
		Properties: FeatureProperties{
			ID: in.ID, Name: r.Name, Summary: r.Summary, Description: r.Description,
			Sectors: r.Sectors, Tags: r.Tags, LegalForm: r.LegalForm, Principles: r.Principles,
			Address: r.Location.Address, Postcode: r.Location.Postcode, City: r.Location.City, District: r.Location.District,
			Website: r.Contact.Website, Links: r.Contact.Links, OpeningHours: r.OpeningHours, Founded: r.Founded,
			Size: r.Size, Needs: r.Needs, Offers: r.Offers, Tools: r.Tools,
			Source: r.Source, SourceID: r.SourceID, Licence: r.Licence,
		},
	}
	if r.Location.HasPoint() {
		f.Geometry = &Geometry{Type: "Point", Coordinates: []float64{*r.Location.Longitude, *r.Location.Latitude}}
	}
	if !in.UpdatedAt.IsZero() {
		f.Properties.Updated = in.UpdatedAt.UTC().Format(time.RFC3339)
	}
	if in.ID != 0 {
		f.Properties.URL = PageURL(baseURL, in.ID)
	}
	return f
}

// Record returns the record a feature describes, for import. It reports a
// feature that is not a Feature, or whose geometry is not a point, as a
// problem.Invalid error; everything else is left to Validate.
func (f Feature) Record() (Record, error) {
	fields := problem.Fields{}
	if f.Type != "Feature" {
		fields.Add("type", "geojson.not_feature")
	}
	p := f.Properties
	r := Record{
		Name: p.Name, Summary: p.Summary, Description: p.Description,
		Sectors: p.Sectors, Tags: p.Tags, LegalForm: p.LegalForm, Principles: p.Principles,
		Location:     Location{Address: p.Address, Postcode: p.Postcode, City: p.City, District: p.District},
		Contact:      Contact{Website: p.Website, Links: p.Links},
		OpeningHours: p.OpeningHours, Founded: p.Founded, Size: p.Size,
		Needs: p.Needs, Offers: p.Offers, Tools: p.Tools,
		Source: p.Source, SourceID: p.SourceID, Licence: p.Licence,
	}
	if g := f.Geometry; g != nil {
		switch {
		case g.Type != "Point":
			fields.Add("geometry", "geometry.not_point")
		case len(g.Coordinates) < 2 || bad(g.Coordinates[0]) || bad(g.Coordinates[1]):
			fields.Add("geometry", "geometry.invalid")
		default:
			lon, lat := g.Coordinates[0], g.Coordinates[1]
			r.Location.Longitude, r.Location.Latitude = &lon, &lat
		}
	}
	tidyEmpty(&r)
	return r, fields.Err()
}

// tidyEmpty turns empty lists and maps into nil, so that a record read
// from a file compares equal to the same record read again.
func tidyEmpty(r *Record) {
	for _, l := range []*[]string{&r.Sectors, &r.Tags, &r.Contact.Links, &r.Tools} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	for _, l := range []*[]Exchange{&r.Needs, &r.Offers} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	if len(r.Principles) == 0 {
		r.Principles = nil
	}
}

// WriteGeoJSON writes a feature collection, one feature per line (feature
// n on line n+1), with the data's licence and an attribution.
func WriteGeoJSON(w io.Writer, next func() (Initiative, bool, error), baseURL, licence string) error {
	bw := bufio.NewWriter(w)
	head, err := json.Marshal(map[string]string{"licence": licence, "attribution": attribution(baseURL)})
	if err != nil {
		return err
	}
	// {"type":"FeatureCollection","attribution":…,"licence":…,"features":[
	bw.WriteString(`{"type":"FeatureCollection",`)
	bw.Write(head[1 : len(head)-1])
	bw.WriteString(`,"features":[`)
	err = eachJSON(bw, next, func(in Initiative) any { return ToFeature(in, baseURL) })
	if err != nil {
		return err
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
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

// ReadGeoJSON reads a feature collection for import. A file that is not a
// feature collection is refused outright; problems with single features
// (an unknown property, a value of the wrong type, a geometry that is not
// a point) are collected, and returned together as a problem.Invalid error
// keyed "line N: field", the line being where the feature starts.
// Properties the atlas does not know are refused, so that nothing in a
// file is silently dropped.
func ReadGeoJSON(r io.Reader) ([]Row, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if bad := textcheck.CheckJSON(data); bad != nil {
		field, _ := strings.CutPrefix(bad.Path, "features.")
		if _, rest, ok := strings.Cut(field, "."); ok && field != bad.Path {
			field = strings.TrimPrefix(rest, "properties.")
		}
		return nil, &problem.Error{Kind: problem.Invalid, Code: "validation",
			Fields: problem.Fields{placeKey(bad.Line, bad.Column, field): bad.Code}}
	}
	lines := lineCounter{data: data, line: 1}
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, formatErr(problem.New(problem.Invalid, "import.geojson.not_collection"), "the file is not a GeoJSON FeatureCollection (it must start with '{')")
	}
	var (
		rows     []Row
		typ      string
		features bool
		fields   = problem.Fields{}
	)
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, geojsonSyntax(err, lines.at(int(dec.InputOffset())))
		}
		key, _ := t.(string)
		switch key {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return nil, geojsonSyntax(err, lines.at(int(dec.InputOffset())))
			}
		case "features":
			features = true
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return nil, formatErr(problem.New(problem.Invalid, "import.geojson.not_collection"), `"features" must be a list`)
			}
			for dec.More() {
				line := lines.at(lines.skip(int(dec.InputOffset())))
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, geojsonSyntax(err, line)
				}
				rec, bad := readFeature(raw)
				for f, code := range bad {
					fields.Add(lineKey(line, f), code)
				}
				rows = append(rows, Row{Line: line, Record: rec})
			}
			if _, err := dec.Token(); err != nil {
				return nil, geojsonSyntax(err, lines.at(int(dec.InputOffset())))
			}
		default: // foreign members: licence, attribution, bbox, name …
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, geojsonSyntax(err, lines.at(int(dec.InputOffset())))
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, geojsonSyntax(err, lines.at(int(dec.InputOffset())))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, formatErr(problem.New(problem.Invalid, "import.geojson.trailing"), "there is more after the FeatureCollection")
	}
	if typ != "FeatureCollection" || !features {
		return nil, formatErr(problem.New(problem.Invalid, "import.geojson.not_collection"), `the file is not a GeoJSON FeatureCollection ("type": "FeatureCollection" with "features")`)
	}
	return rows, fields.Err()
}

// readFeature decodes one feature, returning the problems by field.
func readFeature(raw json.RawMessage) (Record, problem.Fields) {
	bad := problem.Fields{}
	var shape struct {
		Type     string `json:"type"`
		Geometry *struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &shape); err != nil {
		bad.Add(jsonField(err, ""), "json.wrong_type")
		return Record{}, bad
	}
	f := Feature{Type: shape.Type}
	if g := shape.Geometry; g != nil {
		// Other geometries have nested coordinates; Record names them.
		f.Geometry = &Geometry{Type: g.Type}
		if g.Type == "Point" && json.Unmarshal(g.Coordinates, &f.Geometry.Coordinates) != nil {
			bad.Add("geometry", "geometry.invalid")
		}
	}
	names := make([]string, 0, len(shape.Properties))
	for k := range shape.Properties {
		if !featureProperties[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		bad.Add("properties."+k, "property.unknown")
	}
	for k, v := range shape.Properties {
		if !featureProperties[k] {
			continue
		}
		// One property at a time, so that every property of the wrong type
		// is named, not just the first.
		one, _ := json.Marshal(map[string]json.RawMessage{k: v})
		if err := json.Unmarshal(one, &f.Properties); err != nil {
			bad.Add(jsonField(err, k), "json.wrong_type")
		}
	}
	rec, err := f.Record()
	if p, ok := problem.As(err); ok {
		for k, v := range p.Fields {
			bad.Add(k, v)
		}
	}
	return rec, bad
}

// jsonField names the field a decoding error is about, as the record
// names it where that differs.
func jsonField(err error, fallback string) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return propertyField(strings.TrimPrefix(te.Field, "properties."))
	}
	if fallback != "" {
		return propertyField(fallback)
	}
	return "feature"
}

// propertyField maps a GeoJSON property to the record's field name, which
// validation problems use too.
func propertyField(p string) string {
	switch p {
	case "address", "postcode", "city", "district":
		return "location." + p
	case "website", "links":
		return "contact." + p
	}
	return p
}

func geojsonSyntax(err error, line int) error {
	return &formatError{msg: fmt.Sprintf("line %d: not valid JSON: %v", line, err),
		p: &problem.Error{Kind: problem.Invalid, Code: "import.geojson.malformed", Fields: problem.Fields{lineKey(line, "json"): "json.malformed"}}}
}

// lineCounter turns byte offsets, visited in increasing order, into line
// numbers.
type lineCounter struct {
	data []byte
	pos  int
	line int
}

func (c *lineCounter) at(off int) int {
	off = min(off, len(c.data))
	if off > c.pos {
		c.line += bytes.Count(c.data[c.pos:off], []byte{'\n'})
		c.pos = off
	}
	return c.line
}

// skip moves past white space and a comma, to where the next value
// starts.
func (c *lineCounter) skip(off int) int {
	for off < len(c.data) && strings.IndexByte(" \t\r\n,", c.data[off]) >= 0 {
		off++
	}
	return off
}

// ---------------------------------------------------------------- CSV

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
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, formatErr(problem.New(problem.Invalid, "import.csv.empty"), "the file is empty; its first line must name the columns")
	}
	if err != nil {
		return nil, csvSyntax(err)
	}
	cols := make([]*csvColumn, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		c := csvByName[name]
		if c == nil {
			return nil, &formatError{
				msg: fmt.Sprintf("unknown column %q (column %d); the columns are: %s", h, i+1, strings.Join(CSVColumns, ", ")),
				p:   &problem.Error{Kind: problem.Invalid, Code: "import.csv.unknown_column", Fields: problem.Fields{"column " + strconv.Itoa(i+1): "column.unknown"}},
			}
		}
		if seen[name] {
			return nil, &formatError{
				msg: fmt.Sprintf("column %q appears twice (column %d)", name, i+1),
				p:   &problem.Error{Kind: problem.Invalid, Code: "import.csv.repeated_column", Fields: problem.Fields{"column " + strconv.Itoa(i+1): "column.repeated"}},
			}
		}
		seen[name] = true
		cols[i] = c
	}
	if !seen["name"] {
		return nil, formatErr(problem.New(problem.Invalid, "import.csv.no_name"), `the header has no "name" column`)
	}
	cr.FieldsPerRecord = len(header)
	var (
		rows   []Row
		fields = problem.Fields{}
	)
	for {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvSyntax(err)
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
		rows = append(rows, Row{Line: line, Record: rec})
	}
	return rows, fields.Err()
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

// ---------------------------------------------------------------- problems

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

// ---------------------------------------------------------------- JSON-LD

// ToJSONLD describes an initiative as a schema.org Organization in
// JSON-LD, for search engines and linked-data harvesters. Texts carry
// their language; sectors are what it knows about, tags its keywords.
func ToJSONLD(in Initiative, baseURL string) map[string]any {
	r := in.Record
	page := PageURL(baseURL, in.ID)
	o := map[string]any{
		"@context": "https://schema.org",
		"@type":    "Organization",
		"@id":      page,
		"name":     r.Name,
		"url":      page,
	}
	if r.Contact.Website != "" {
		o["url"] = r.Contact.Website
		o["mainEntityOfPage"] = page
	}
	// The description, or else the summary; the summary is also the short
	// text that tells the initiative apart, when there is a description.
	switch d, sum := languageValues(r.Description), languageValues(r.Summary); {
	case d != nil:
		o["description"] = d
		if sum != nil {
			o["disambiguatingDescription"] = sum
		}
	case sum != nil:
		o["description"] = sum
	}
	if len(r.Contact.Links) > 0 {
		o["sameAs"] = r.Contact.Links
	}
	if r.Founded != 0 {
		o["foundingDate"] = strconv.Itoa(r.Founded)
	}
	if len(r.Sectors) > 0 {
		o["knowsAbout"] = r.Sectors
	}
	if len(r.Tags) > 0 {
		o["keywords"] = r.Tags
	}
	l := r.Location
	var address map[string]any
	if l.Address != "" || l.Postcode != "" || l.City != "" {
		address = map[string]any{"@type": "PostalAddress"}
		set := func(k, v string) {
			if v != "" {
				address[k] = v
			}
		}
		set("streetAddress", l.Address)
		set("postalCode", l.Postcode)
		set("addressLocality", l.City)
		set("addressCountry", country(l.City))
		o["address"] = address
	}
	if l.HasPoint() {
		place := map[string]any{
			"@type": "Place",
			"geo":   map[string]any{"@type": "GeoCoordinates", "latitude": *l.Latitude, "longitude": *l.Longitude},
		}
		if address != nil {
			place["address"] = address
		}
		o["location"] = place
	}
	if in.HasLogo {
		o["logo"] = logoURL(baseURL, in.ID)
	}
	if !in.UpdatedAt.IsZero() {
		o["dateModified"] = in.UpdatedAt.UTC().Format(time.RFC3339)
	}
	return o
}

// languageValues is a text as JSON-LD language-tagged values.
func languageValues(t Text) []map[string]string {
	var out []map[string]string
	if t.NL != "" {
		out = append(out, map[string]string{"@language": "nl", "@value": t.NL})
	}
	if t.EN != "" {
		out = append(out, map[string]string{"@language": "en", "@value": t.EN})
	}
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

// WriteJSONLD writes the initiatives as one JSON-LD document: a schema.org
// Dataset (with its licence) whose @graph holds one Organization per
// initiative, each on a line of its own.
func WriteJSONLD(w io.Writer, next func() (Initiative, bool, error), baseURL, licence string) error {
	bw := bufio.NewWriter(w)
	head, err := json.Marshal(map[string]any{
		"@context":        "https://schema.org",
		"@type":           "Dataset",
		"@id":             strings.TrimRight(baseURL, "/") + "/atlas",
		"name":            "Atlas of the community economy",
		"url":             strings.TrimRight(baseURL, "/") + "/atlas",
		"license":         licenceURL(licence),
		"creditText":      attribution(baseURL),
		"isAccessibleFor": "Free",
	})
	if err != nil {
		return err
	}
	bw.Write(head[:len(head)-1])
	bw.WriteString(`,"@graph":[`)
	err = eachJSON(bw, next, func(in Initiative) any {
		o := ToJSONLD(in, baseURL)
		delete(o, "@context") // the document's context holds
		return o
	})
	if err != nil {
		return err
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

// ---------------------------------------------------------------- Murmurations

// MurmurationsSchema is the Murmurations profile schema ToMurmurations
// follows.
const MurmurationsSchema = "organizations_schema-v1.0.0"

// ToMurmurations describes an initiative as a Murmurations profile, for the
// Murmurations index of the regenerative economy.
//
// Field names and forms follow MurmurationsNetwork/MurmurationsLibrary,
// schemas/organizations_schema-v1.0.0.json and the fields it references:
// linked_schemas (required), name (required), nickname, primary_url and
// urls[].url ("^https?://", urls items {name, url}), tags (unique strings),
// description, mission (at most 1000 characters), status (one of active,
// completed, cancelled, on_hold, in_planning), full_address,
// country_iso_3166 (two letters), geolocation {lat, lon}, image (a URL)
// and starts_at (a Unix timestamp; a year alone as 1 January). The atlas
// has no nickname or mission of its own, so those stay out.
func ToMurmurations(in Initiative, baseURL string) map[string]any {
	r := in.Record
	page := PageURL(baseURL, in.ID)
	m := map[string]any{
		"linked_schemas": []string{MurmurationsSchema},
		"name":           r.Name,
		"primary_url":    page,
		"status":         "active",
	}
	if in.Status == Archived {
		m["status"] = "completed"
	}
	urls := []map[string]string{{"name": "atlas", "url": page}}
	if r.Contact.Website != "" {
		m["primary_url"] = r.Contact.Website
		urls = append([]map[string]string{{"name": "website", "url": r.Contact.Website}}, urls...)
	}
	for _, l := range r.Contact.Links {
		urls = append(urls, map[string]string{"name": linkName(l), "url": l})
	}
	m["urls"] = urls
	var tags []string
	for _, t := range append(append([]string(nil), r.Sectors...), r.Tags...) {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if len(tags) > 0 {
		m["tags"] = tags
	}
	if d := r.Description.In("en"); d != "" {
		m["description"] = d
	} else if d := r.Summary.In("en"); d != "" {
		m["description"] = d
	}
	l := r.Location
	if l.HasPoint() {
		m["geolocation"] = map[string]float64{"lat": *l.Latitude, "lon": *l.Longitude}
	}
	var addr []string
	if l.Address != "" {
		addr = append(addr, l.Address)
	}
	if pc := strings.TrimSpace(l.Postcode + " " + l.City); pc != "" {
		addr = append(addr, pc)
	}
	if len(addr) > 0 {
		m["full_address"] = strings.Join(addr, ", ")
	}
	if c := country(l.City); c != "" {
		m["country_iso_3166"] = c
	}
	if in.HasLogo {
		m["image"] = logoURL(baseURL, in.ID)
	}
	if r.Founded != 0 {
		m["starts_at"] = time.Date(r.Founded, time.January, 1, 0, 0, 0, 0, time.UTC).Unix()
	}
	return m
}

// linkName names a link by its host, as Murmurations' urls want a name.
func linkName(u string) string {
	host := u
	if _, rest, ok := strings.Cut(u, "://"); ok {
		host = rest
	}
	host, _, _ = strings.Cut(host, "/")
	return strings.TrimPrefix(host, "www.")
}
