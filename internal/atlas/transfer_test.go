package atlas_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"samen/internal/atlas"
	"samen/internal/problem"
)

const base = "https://samen.example"

var sectorPairs = [][]string{{"energy"}, {"food", "community_garden"}, {"housing"}, {"care", "welfare"}, {"circular", "mobility"}}

// richRecord is a valid record with every field filled, different for each
// n.
func richRecord(n int) atlas.Record {
	yes, no := true, false
	lat, lon := 52.30+float64(n%1000)/10000, 4.80+float64(n%997)/5000
	return atlas.Record{
		Name:        fmt.Sprintf("Buurtinitiatief %d", n),
		Summary:     atlas.Text{NL: fmt.Sprintf("Buurtbewoners werken samen aan project %d.", n), EN: fmt.Sprintf("Neighbours work together on project %d.", n)},
		Description: atlas.Text{NL: "Wij repareren fietsen, delen gereedschap en koken elke vrijdag samen in de buurtkamer.", EN: "We repair bicycles, share tools and cook together every Friday."},
		Sectors:     sectorPairs[n%len(sectorPairs)],
		Tags:        []string{"repair", fmt.Sprintf("tag%d", n%50), "samen|delen"},
		LegalForm:   "cooperative",
		Principles: map[string]atlas.Principle{
			"local_roots":      {Holds: &yes, Note: "Opgericht door buurtbewoners."},
			"shared_ownership": {Holds: &no},
			"multiple_value":   {Note: "Nog in gesprek: sociaal én ecologisch."},
		},
		Location: atlas.Location{Address: fmt.Sprintf("Kraanspoor %d", n%300+1), Postcode: "1033 SE", City: "Amsterdam", District: "noord",
			Latitude: &lat, Longitude: &lon},
		Contact:      atlas.Contact{Email: fmt.Sprintf("info%d@example.org", n), Website: fmt.Sprintf("https://initiatief%d.example.org", n), Links: []string{"https://social.example/@buurt"}},
		OpeningHours: "Mo-Fr 09:00-17:00",
		Founded:      1990 + n%30,
		Size:         "6-25",
		Needs:        []atlas.Exchange{{Kind: "volunteers", Text: "Handige mensen: voor de werkplaats | elke week", Until: "2027-01-31"}},
		Offers:       []atlas.Exchange{{Kind: "space"}, {Kind: "knowledge", Text: "Hoe je een coöperatie begint"}},
		Tools:        []string{"Nextcloud", "Loomio"},
		Source:       "gemeente-amsterdam",
		SourceID:     fmt.Sprintf("GA-%06d", n),
		Licence:      "CC0-1.0",
	}
}

// stored is a record as the database holds it, for the writers.
func stored(id int64, r atlas.Record) atlas.Initiative {
	r.Normalize()
	return atlas.Initiative{ID: id, Record: r, Status: atlas.Published, UpdatedAt: time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)}
}

func withoutEmail(r atlas.Record) atlas.Record {
	r.Contact.Email = ""
	return r
}

func TestNoExportCarriesTheContactAddress(t *testing.T) {
	in := stored(7, richRecord(7))
	in.HasLogo = true
	if in.Contact.Email == "" {
		t.Fatal("the test record has no e-mail address")
	}
	var outputs []string
	for _, v := range []any{atlas.ToFeature(in, base), atlas.ToJSONLD(in, base), atlas.ToMurmurations(in, base)} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(b))
	}
	for _, write := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return atlas.WriteCSV(b, atlas.Items([]atlas.Initiative{in}), base) },
		func(b *bytes.Buffer) error {
			return atlas.WriteGeoJSON(b, atlas.Items([]atlas.Initiative{in}), base, atlas.DefaultLicence)
		},
		func(b *bytes.Buffer) error {
			return atlas.WriteJSONLD(b, atlas.Items([]atlas.Initiative{in}), base, atlas.DefaultLicence)
		},
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, b.String())
	}
	for _, out := range outputs {
		if strings.Contains(out, in.Contact.Email) || strings.Contains(out, "email") || strings.Contains(out, "@example.org") {
			t.Errorf("an export carries the contact address: %s", out)
		}
	}
}

func TestFeature(t *testing.T) {
	in := stored(12, richRecord(1))
	f := atlas.ToFeature(in, base+"/")
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	geo := got["geometry"].(map[string]any)
	coords := geo["coordinates"].([]any)
	if geo["type"] != "Point" || coords[0] != *in.Location.Longitude || coords[1] != *in.Location.Latitude {
		t.Errorf("geometry %v: want a point, longitude first", geo)
	}
	props := got["properties"].(map[string]any)
	for k, want := range map[string]any{
		"id": 12.0, "name": in.Name, "url": base + "/atlas/12", "updated": "2026-05-04T03:02:01Z",
		"legal_form": "cooperative", "city": "Amsterdam", "district": "noord", "website": in.Contact.Website,
		"opening_hours": "Mo-Fr 09:00-17:00", "founded": 1991.0, "size": "6-25", "source": "gemeente-amsterdam",
		"source_id": "GA-000001", "licence": "CC0-1.0", "postcode": "1033 SE", "address": in.Location.Address,
	} {
		if props[k] != want {
			t.Errorf("properties.%s = %v, want %v", k, props[k], want)
		}
	}
	for _, k := range []string{"summary", "description", "sectors", "tags", "principles", "links", "needs", "offers", "tools"} {
		if props[k] == nil {
			t.Errorf("properties.%s is missing", k)
		}
	}
	if got["id"] != 12.0 {
		t.Errorf("feature id %v", got["id"])
	}
	rec, err := f.Record()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rec, withoutEmail(in.Record)) {
		t.Errorf("feature read back:\n%+v\nwant\n%+v", rec, withoutEmail(in.Record))
	}

	// Without a point the geometry is null, as RFC 7946 says.
	in.Location.Latitude, in.Location.Longitude = nil, nil
	b, _ = json.Marshal(atlas.ToFeature(in, base))
	if !strings.Contains(string(b), `"geometry":null`) {
		t.Errorf("no point: %s", b)
	}

	for _, tc := range []struct {
		f     atlas.Feature
		field string
		code  string
	}{
		{atlas.Feature{Type: "Feature", Geometry: &atlas.Geometry{Type: "LineString", Coordinates: []float64{1, 2}}}, "geometry", "geometry.not_point"},
		{atlas.Feature{Type: "Feature", Geometry: &atlas.Geometry{Type: "Point", Coordinates: []float64{1}}}, "geometry", "geometry.invalid"},
		{atlas.Feature{Type: "Point"}, "type", "geojson.not_feature"},
	} {
		if _, err := tc.f.Record(); fieldCode(err, tc.field) != tc.code {
			t.Errorf("%+v: %v, want %s: %s", tc.f, err, tc.field, tc.code)
		}
	}
}

func TestGeoJSONCollection(t *testing.T) {
	list := []atlas.Initiative{stored(1, richRecord(1)), stored(2, record("Zonder Punt", 0, 0))}
	list[1].Location = atlas.Location{}
	var b bytes.Buffer
	if err := atlas.WriteGeoJSON(&b, atlas.Items(list), base, "ODbL-1.0"); err != nil {
		t.Fatal(err)
	}
	var fc atlas.FeatureCollection
	if err := json.Unmarshal(b.Bytes(), &fc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	if fc.Type != "FeatureCollection" || fc.Licence != "ODbL-1.0" || !strings.Contains(fc.Attribution, base) || len(fc.Features) != 2 {
		t.Fatalf("collection %+v", fc)
	}
	// One feature per line, so that import problems have a line to name.
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 || !strings.Contains(lines[2], "Zonder Punt") {
		t.Fatalf("layout:\n%s", b.String())
	}
	rows, err := atlas.ReadGeoJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 3 {
		t.Fatalf("rows %+v", rows)
	}
	for i, r := range rows {
		if !reflect.DeepEqual(r.Record, withoutEmail(list[i].Record)) {
			t.Errorf("feature %d read back:\n%+v\nwant\n%+v", i, r.Record, withoutEmail(list[i].Record))
		}
	}
}

func TestReadGeoJSONProblems(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      map[string]string // field key → code; nil: a format error
	}{
		{"not JSON", `{"type": "FeatureCollection", "features": [`, nil},
		{"a bare feature", `{"type": "Feature", "properties": {"name": "x"}}`, nil},
		{"a list", `[]`, nil},
		{"trailing", `{"type": "FeatureCollection", "features": []} {}`, nil},
		{"problems per feature", `{"type": "FeatureCollection", "features": [
{"type": "Feature", "geometry": null, "properties": {"name": "Goed"}},
{"type": "Feature", "geometry": {"type": "Point", "coordinates": [4.9, 52.3]}, "properties": {"name": 5, "email": "a@b.c", "founded": "1990"}},
{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0]]]}, "properties": {"name": "Vlak"}}
]}`, map[string]string{
			"line 3: name": "json.wrong_type", "line 3: properties.email": "property.unknown", "line 3: founded": "json.wrong_type",
			"line 4: geometry": "geometry.not_point",
		}},
		// Text samen does not take is placed by line and column in the
		// file, here all on one line after other characters that are not
		// ASCII; every feature with such text is named, and a foreign
		// member's text is checked too.
		{"text on one line", `{"type":"FeatureCollection","name":"Coöperaties ☀","features":[{"type":"Feature","geometry":null,"properties":{"name":"A\u0000"}},` +
			`{"type":"Feature","geometry":null,"properties":{"name":"Goed","summary":{"nl":"caf` + "\xe9" + `"}}}]}`, map[string]string{
			"line 1, column 119: name": "text.control", "line 1, column 213: summary.nl": "text.encoding",
		}},
		{"text in a foreign member", "{\"type\": \"FeatureCollection\",\n \"attribution\": {\"by\": \"Noord\\u0007\"}, \"features\": []}",
			map[string]string{"line 2, column 24: attribution.by": "text.control"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := atlas.ReadGeoJSON(strings.NewReader(tc.doc))
			p, ok := problem.As(err)
			if !ok || p.Kind != problem.Invalid {
				t.Fatalf("error %v, want problem.Invalid", err)
			}
			if tc.want == nil {
				if len(atlas.RowProblems(err)) > 1 || err.Error() == "" {
					t.Fatalf("format error %v", err)
				}
				return
			}
			if !reflect.DeepEqual(map[string]string(p.Fields), tc.want) {
				t.Fatalf("fields %v, want %v", p.Fields, tc.want)
			}
		})
	}
}

// Features are decoded many at a time: a file of more than one chunk
// comes out in order, each row with its own line, and the problems of
// features on either side of a chunk's edge are named by their lines.
func TestEachGeoJSONInOrder(t *testing.T) {
	const n = 700
	var doc strings.Builder
	doc.WriteString(`{"type": "FeatureCollection", "features": [` + "\n")
	wantBad := map[string]string{}
	for i := range n {
		line := i + 2
		switch i {
		case 255, 256, 511: // the last of a chunk, the first of the next
			doc.WriteString(`{"type": "Feature", "geometry": null, "properties": {"name": 7}}`)
			wantBad[fmt.Sprintf("line %d: name", line)] = "json.wrong_type"
		case 300:
			doc.WriteString(`{"type": "Feature", "geometry": null, "properties": {"name": "Stil\u0007"}}`)
			wantBad[fmt.Sprintf("line %d, column 62: name", line)] = "text.control"
		default:
			fmt.Fprintf(&doc, `{"type": "Feature", "geometry": null, "properties": {"name": "Initiatief %d"}}`, i)
		}
		if i < n-1 {
			doc.WriteString(",")
		}
		doc.WriteString("\n")
	}
	doc.WriteString("]}")
	var lines []int
	err := atlas.EachGeoJSON(strings.NewReader(doc.String()), func(r atlas.Row) error {
		lines = append(lines, r.Line)
		if want := fmt.Sprintf("Initiatief %d", r.Line-2); r.Record.Name != want && r.Record.Name != "" {
			t.Fatalf("line %d: name %q, want %q", r.Line, r.Record.Name, want)
		}
		return nil
	})
	p, ok := problem.As(err)
	if !ok || !reflect.DeepEqual(map[string]string(p.Fields), wantBad) {
		t.Fatalf("error %v, want the fields %v", err, wantBad)
	}
	// Every feature but the one with text samen does not take reaches fn.
	if len(lines) != n-1 || !slices.IsSorted(lines) || lines[0] != 2 || lines[len(lines)-1] != n+1 || slices.Contains(lines, 302) {
		t.Fatalf("%d rows, lines %v … %v", len(lines), lines[:3], lines[len(lines)-3:])
	}
}

// A feature that is not JSON is named by the line it starts on, however
// far the reader had got.
func TestReadGeoJSONSyntaxLine(t *testing.T) {
	doc := "{\"type\": \"FeatureCollection\", \"features\": [\n" +
		`{"type": "Feature", "geometry": null, "properties": {"name": "Goed"}},` + "\n\n" +
		`  {"type": "Feature",` + "\n" + `"properties": {"name": "Kapot",, }}]}`
	_, err := atlas.ReadGeoJSON(strings.NewReader(doc))
	p, ok := problem.As(err)
	if !ok || p.Fields["line 4: json"] != "json.malformed" || !strings.HasPrefix(err.Error(), "line 4: not valid JSON") {
		t.Fatalf("error %v (%+v), want line 4 named", err, p)
	}
}

func TestCSVRoundTrip(t *testing.T) {
	var list []atlas.Initiative
	for i := range 5 {
		list = append(list, stored(int64(i+1), richRecord(i)))
	}
	tricky := record("=HYPERLINK(\"https://evil.example\")", 52.3, 4.9)
	tricky.Tags = []string{"a|b", `back\slash`, "-minus", "'quote"}
	tricky.Summary.NL = "Regel één,\n\"regel\" twee"
	tricky.Offers = []atlas.Exchange{{Kind: "space", Text: "kelder: 40 m² | droog"}, {Kind: "it_help", Until: "2026-12-31"}}
	tricky.Location = atlas.Location{Latitude: ptr(-33.918861), Longitude: ptr(math.Copysign(0, -1))}
	list = append(list, stored(6, tricky))
	var b bytes.Buffer
	if err := atlas.WriteCSV(&b, atlas.Items(list), base); err != nil {
		t.Fatal(err)
	}
	header, _, _ := strings.Cut(b.String(), "\n")
	if header != strings.Join(atlas.CSVColumns, ",") {
		t.Fatalf("header %q", header)
	}
	if strings.Contains(b.String(), ",=HYPERLINK") || !strings.Contains(b.String(), `"'=HYPERLINK`) {
		t.Errorf("a formula is not guarded:\n%s", b.String())
	}
	rows, err := atlas.ReadCSV(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(list) {
		t.Fatalf("%d rows, want %d", len(rows), len(list))
	}
	for i, r := range rows {
		if !reflect.DeepEqual(r.Record, withoutEmail(list[i].Record)) {
			t.Errorf("row %d read back:\n%+v\nwant\n%+v", i, r.Record, withoutEmail(list[i].Record))
		}
	}
	// Line numbers count physical lines: the summary with a line break
	// moves the next row on.
	if rows[0].Line != 2 || rows[5].Line != 7 {
		t.Errorf("lines %d, %d", rows[0].Line, rows[5].Line)
	}
}

func TestReadCSV(t *testing.T) {
	t.Run("columns in any order, a subset, a BOM", func(t *testing.T) {
		rows, err := atlas.ReadCSV(strings.NewReader("\ufefflongitude,Name ,sectors,principle_local_roots,needs\n4.9,Fietsklup,energy|food,yes,volunteers::Help: ons\n"))
		if err != nil {
			t.Fatal(err)
		}
		r := rows[0].Record
		if r.Name != "Fietsklup" || *r.Location.Longitude != 4.9 || r.Location.Latitude != nil || !slices.Equal(r.Sectors, []string{"energy", "food"}) ||
			*r.Principles["local_roots"].Holds != true || !reflect.DeepEqual(r.Needs, []atlas.Exchange{{Kind: "volunteers", Text: "Help: ons"}}) {
			t.Fatalf("%+v", r)
		}
	})
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown column", "name,email\nx,y\n", `unknown column "email"`},
		{"no name column", "city\nAmsterdam\n", `no "name" column`},
		{"repeated column", "name,city,name\n", `"name" appears twice`},
		{"empty file", "", "empty"},
		{"bare quote", "name\nab\"c\n", "line 2"},
		{"ragged row", "name,city\nx\n", "line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := atlas.ReadCSV(strings.NewReader(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			if !problem.Is(err, problem.Invalid) {
				t.Fatalf("error %v is not a problem.Invalid", err)
			}
		})
	}
	t.Run("bad cells, all of them", func(t *testing.T) {
		_, err := atlas.ReadCSV(strings.NewReader("name,latitude,longitude,founded,principle_multiple_value\nA,north,4.9,,yes\nB,52.3,NaN,1990s,maybe\n"))
		got := atlas.RowProblems(err)
		want := []atlas.RowProblem{
			{Line: 2, Field: "location.latitude", Code: "number.invalid"},
			{Line: 3, Field: "founded", Code: "number.invalid"},
			{Line: 3, Field: "location.longitude", Code: "number.invalid"},
			{Line: 3, Field: "principles.multiple_value", Code: "yes_no.invalid"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("problems %+v, want %+v (%v)", got, want, err)
		}
	})
}

func TestJSONLD(t *testing.T) {
	in := stored(3, richRecord(3))
	in.HasLogo = true
	o := atlas.ToJSONLD(in, base)
	for k, want := range map[string]any{
		"@context": "https://schema.org", "@type": "Organization", "@id": base + "/atlas/3", "name": in.Name,
		"url": in.Contact.Website, "foundingDate": "1993", "logo": base + "/atlas/3/logo",
	} {
		if o[k] != want {
			t.Errorf("%s = %v, want %v", k, o[k], want)
		}
	}
	b, _ := json.Marshal(o)
	for _, want := range []string{
		`"sameAs":["https://social.example/@buurt"]`, `"knowsAbout":["care","welfare"]`, `"keywords":["repair"`,
		`"address":{"@type":"PostalAddress","addressCountry":"NL","addressLocality":"Amsterdam","postalCode":"1033 SE","streetAddress":"Kraanspoor 4"}`,
		`"geo":{"@type":"GeoCoordinates","latitude":52.3003,"longitude":4.8006}`, `"@type":"Place"`,
		`"description":[{"@language":"nl","@value":"Wij repareren`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON-LD lacks %s:\n%s", want, b)
		}
	}

	var buf bytes.Buffer
	if err := atlas.WriteJSONLD(&buf, atlas.Items([]atlas.Initiative{in, stored(4, richRecord(4))}), base, "ODbL-1.0"); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	graph, _ := doc["@graph"].([]any)
	if doc["@context"] != "https://schema.org" || doc["license"] != "https://spdx.org/licenses/ODbL-1.0.html" || len(graph) != 2 {
		t.Fatalf("collection %v", doc)
	}
	if first := graph[0].(map[string]any); first["@context"] != nil || first["@type"] != "Organization" {
		t.Errorf("graph item %v", first)
	}
}

func TestMurmurations(t *testing.T) {
	in := stored(5, richRecord(5))
	in.HasLogo = true
	m := atlas.ToMurmurations(in, base)
	b, _ := json.Marshal(m)
	for _, want := range []string{
		`"linked_schemas":["organizations_schema-v1.0.0"]`, `"name":"Buurtinitiatief 5"`, `"primary_url":"https://initiatief5.example.org"`,
		`"status":"active"`, `"geolocation":{"lat":52.3005,"lon":4.801}`, `"country_iso_3166":"NL"`,
		`"full_address":"Kraanspoor 6, 1033 SE Amsterdam"`, `"image":"https://samen.example/atlas/5/logo"`,
		`"tags":["energy","repair","tag5","samen|delen"]`,
		`{"name":"atlas","url":"https://samen.example/atlas/5"}`, `{"name":"social.example","url":"https://social.example/@buurt"}`,
		`"description":"We repair bicycles`, `"starts_at":788918400`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("profile lacks %s:\n%s", want, b)
		}
	}
	in.Location.City = "Haarlem"
	in.Status = atlas.Archived
	m = atlas.ToMurmurations(in, base)
	if _, ok := m["country_iso_3166"]; ok {
		t.Error("a country for a city outside Amsterdam")
	}
	if m["status"] != "completed" {
		t.Errorf("archived: status %v", m["status"])
	}
}

func TestRowProblemsIgnoresOtherErrors(t *testing.T) {
	if atlas.RowProblems(errors.New("x")) != nil || atlas.RowProblems(problem.New(problem.Invalid, "x")) != nil {
		t.Error("problems from an error without rows")
	}
}

// FuzzReadCSV: the reader never panics, and what it accepts comes back the
// same through the writer.
func FuzzReadCSV(f *testing.F) {
	var b bytes.Buffer
	_ = atlas.WriteCSV(&b, atlas.Items([]atlas.Initiative{stored(1, richRecord(1))}), base)
	f.Add(b.String())
	f.Add("name,tags,needs\n=1,a\\|b|\\\\|c,space:2026-01-01:x:y|:|kind\n")
	f.Add("name,latitude,longitude,principle_local_roots_note\n\"a\nb\",1e3,-0,'-x\n")
	if seed, err := os.ReadFile("testdata/initiatives.csv"); err == nil {
		f.Add(string(seed))
	}
	f.Fuzz(func(t *testing.T, doc string) {
		rows, err := atlas.ReadCSV(strings.NewReader(doc))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := atlas.WriteCSV(&out, atlas.Items(asInitiatives(rows)), base); err != nil {
			t.Fatal(err)
		}
		again, err := atlas.ReadCSV(&out)
		if err != nil {
			t.Fatalf("the writer's output is refused: %v\n%s", err, out.String())
		}
		sameRecords(t, rows, again)
	})
}

// FuzzReadGeoJSON: the reader never panics, and what it accepts comes back
// the same through the writer.
func FuzzReadGeoJSON(f *testing.F) {
	var b bytes.Buffer
	_ = atlas.WriteGeoJSON(&b, atlas.Items([]atlas.Initiative{stored(1, richRecord(1))}), base, "ODbL-1.0")
	f.Add(b.String())
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2,3]},"properties":{"name":"x","sectors":[],"principles":{"a":{"holds":null}}}}],"bbox":[0,0,1,1]}`)
	f.Add(`{"features":[{"type":"Feature","geometry":null,"properties":null}],"type":"FeatureCollection"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		rows, err := atlas.ReadGeoJSON(strings.NewReader(doc))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := atlas.WriteGeoJSON(&out, atlas.Items(asInitiatives(rows)), base, "ODbL-1.0"); err != nil {
			t.Fatal(err)
		}
		again, err := atlas.ReadGeoJSON(&out)
		if err != nil {
			t.Fatalf("the writer's output is refused: %v\n%s", err, out.String())
		}
		sameRecords(t, rows, again)
	})
}

func asInitiatives(rows []atlas.Row) []atlas.Initiative {
	out := make([]atlas.Initiative, len(rows))
	for i, r := range rows {
		out[i] = atlas.Initiative{Record: r.Record}
	}
	return out
}

func sameRecords(t *testing.T, a, b []atlas.Row) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d rows, then %d", len(a), len(b))
	}
	for i := range a {
		if !reflect.DeepEqual(a[i].Record, b[i].Record) {
			t.Fatalf("row %d changed:\n%#v\n%#v", i, a[i].Record, b[i].Record)
		}
	}
}
