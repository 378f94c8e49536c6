package atlas

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"samen/internal/problem"
	"samen/internal/textcheck"
)

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

// ReadGeoJSON reads a feature collection for import. A file that is not a
// feature collection is refused outright; problems with single features
// (an unknown property, a value of the wrong type, a geometry that is not
// a point) are collected, and returned together as a problem.Invalid error
// keyed "line N: field", the line being where the feature starts.
// Properties the atlas does not know are refused, so that nothing in a
// file is silently dropped.
func ReadGeoJSON(r io.Reader) ([]Row, error) {
	var rows []Row
	err := EachGeoJSON(r, func(row Row) error {
		rows = append(rows, row)
		return nil
	})
	if _, features := err.(*problem.Error); err != nil && !features {
		return nil, err
	}
	return rows, err
}

// EachGeoJSON is ReadGeoJSON one feature at a time: it calls fn with
// every row, in order, and stops at the first error fn returns, which it
// returns. Problems with single features are returned together at the
// end, after fn has seen every row. The file is read as a stream: no more
// than one feature is held at a time, so a file of any size reads in
// little memory. A feature holding text samen does not take (bytes that
// are not UTF-8, a control character) is named by line and column and
// not handed to fn.
func EachGeoJSON(r io.Reader, fn func(Row) error) error {
	at := textcheck.NewTracker(r)
	dec := json.NewDecoder(at)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return formatErr(problem.New(problem.Invalid, "import.geojson.not_collection"), "the file is not a GeoJSON FeatureCollection (it must start with '{')")
	}
	// value reads the next value whole and returns it with the place
	// where it starts.
	value := func() (json.RawMessage, textcheck.Position, error) {
		before := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, textcheck.Position{}, geojsonSyntax(err, at.AtValue(before).Line)
		}
		return raw, at.At(dec.InputOffset() - int64(len(raw))), nil
	}
	var (
		typ      string
		features bool
		fields   = problem.Fields{}
	)
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return geojsonSyntax(err, at.At(dec.InputOffset()).Line)
		}
		key, _ := t.(string)
		switch key {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return geojsonSyntax(err, at.At(dec.InputOffset()).Line)
			}
		case "features":
			features = true
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return formatErr(problem.New(problem.Invalid, "import.geojson.not_collection"), `"features" must be a list`)
			}
			// Features are decoded a chunk at a time on all cores (the
			// decoding is most of the work of reading a file) and handed
			// to fn in order.
			var chunk []geoFeature
			flush := func() error {
				parallel(len(chunk), func(i int) { chunk[i].decode() })
				for i := range chunk {
					f := &chunk[i]
					if f.text != nil {
						field, _ := strings.CutPrefix(f.text.Path, "properties.")
						place := f.start.In(f.text.Position)
						fields.Add(placeKey(place.Line, place.Column, cmp.Or(field, "feature")), f.text.Code)
						continue
					}
					for k, code := range f.bad {
						fields.Add(lineKey(f.start.Line, k), code)
					}
					if err := fn(Row{Line: f.start.Line, Record: f.rec}); err != nil {
						return err
					}
				}
				chunk = chunk[:0]
				return nil
			}
			for dec.More() {
				raw, start, err := value()
				if err != nil {
					return err
				}
				if chunk = append(chunk, geoFeature{raw: raw, start: start}); len(chunk) == geoChunk {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			if err := flush(); err != nil {
				return err
			}
			if _, err := dec.Token(); err != nil {
				return geojsonSyntax(err, at.At(dec.InputOffset()).Line)
			}
		default: // foreign members: licence, attribution, bbox, name …
			raw, start, err := value()
			if err != nil {
				return err
			}
			if bad := textcheck.CheckJSON(raw); bad != nil {
				place := start.In(bad.Position)
				return &problem.Error{Kind: problem.Invalid, Code: "validation",
					Fields: problem.Fields{placeKey(place.Line, place.Column, strings.TrimSuffix(key+"."+bad.Path, ".")): bad.Code}}
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return geojsonSyntax(err, at.At(dec.InputOffset()).Line)
	}
	if _, err := dec.Token(); err != io.EOF {
		return formatErr(problem.New(problem.Invalid, "import.geojson.trailing"), "there is more after the FeatureCollection")
	}
	if typ != "FeatureCollection" || !features {
		return formatErr(problem.New(problem.Invalid, "import.geojson.not_collection"), `the file is not a GeoJSON FeatureCollection ("type": "FeatureCollection" with "features")`)
	}
	return fields.Err()
}

// geoChunk is how many features EachGeoJSON decodes at once: enough to
// keep every core busy, few enough to hold (a few hundred kilobytes).
const geoChunk = 256

// geoFeature is one feature of a file being read: its JSON and where it
// starts, and once decoded, its record or what is wrong with it.
type geoFeature struct {
	raw   json.RawMessage
	start textcheck.Position
	text  *textcheck.JSONProblem // text samen does not take
	rec   Record
	bad   problem.Fields
}

func (f *geoFeature) decode() {
	if f.text = textcheck.CheckJSON(f.raw); f.text == nil {
		f.rec, f.bad = readFeature(f.raw)
	}
	f.raw = nil
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
	// All properties at once, where every name is spelled as a tag of
	// FeatureProperties (the decoder alone would take "Name" for "name");
	// otherwise, or should one be of the wrong type, one at a time, so
	// that every such property is named, not just the first.
	var all struct {
		Properties *FeatureProperties `json:"properties"`
	}
	all.Properties = &f.Properties
	if len(names) > 0 || json.Unmarshal(raw, &all) != nil {
		f.Properties = FeatureProperties{}
		for k, v := range shape.Properties {
			if !featureProperties[k] {
				continue
			}
			one, _ := json.Marshal(map[string]json.RawMessage{k: v})
			if err := json.Unmarshal(one, &f.Properties); err != nil {
				bad.Add(jsonField(err, k), "json.wrong_type")
			}
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
