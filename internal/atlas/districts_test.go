package atlas_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"samen/internal/atlas"
)

// square is a made-up district outline: a small square near Amsterdam,
// one per district, as a GeoJSON polygon. It is no real geography.
func square(i int) string {
	lon, lat := 4.80+0.02*float64(i), 52.30
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
		lon, lat, lon+0.01, lat, lon+0.01, lat+0.01, lon, lat+0.01, lon, lat)
}

// madeUpDistricts is a FeatureCollection of a square per district, named
// the ways real files name them.
func madeUpDistricts() string {
	names := map[string]string{
		"centrum":    `{"code":"A","naam":"Centrum"}`,
		"nieuw_west": `{"naam":"Nieuw-West"}`,
		"noord":      `{"name":"Noord"}`,
		"oost":       `{"code":"oost"}`,
		"west":       `{"code":"E","naam":" West "}`,
		"zuid":       `{"name":"ZUID","other":1}`,
		"zuidoost":   `{"naam":"Zuidoost"}`,
		"weesp":      `{"naam":"Weesp"}`,
	}
	var features []string
	for i, d := range atlas.Districts {
		features = append(features, fmt.Sprintf(`{"type":"Feature","id":%d,"geometry":%s,"properties":%s}`, i, square(i), names[d]))
	}
	// A district in two parts.
	features = append(features, `{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[`+
		strings.TrimSuffix(strings.TrimPrefix(square(9), `{"type":"Polygon","coordinates":`), "}")+`]},"properties":{"naam":"Nieuw West"}}`)
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

func TestParseDistrictOutlines(t *testing.T) {
	d, err := atlas.ParseDistrictOutlines(strings.NewReader(madeUpDistricts()))
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string
		Features []struct {
			Type     string
			Geometry struct {
				Type        string
				Coordinates [][][][2]float64
			}
			Properties map[string]string
		}
	}
	if err := json.Unmarshal(d.GeoJSON(), &fc); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, f := range fc.Features {
		codes = append(codes, f.Properties["district"])
		if f.Type != "Feature" || f.Geometry.Type != "MultiPolygon" || len(f.Geometry.Coordinates) != 1 ||
			len(f.Geometry.Coordinates[0][0]) != 5 || len(f.Properties) != 1 {
			t.Errorf("feature %+v", f)
		}
	}
	if fc.Type != "FeatureCollection" {
		t.Errorf("type %q", fc.Type)
	}
	if want := append(slices.Clone(atlas.Districts), "nieuw_west"); !slices.Equal(codes, want) {
		t.Errorf("districts %q, want %q", codes, want)
	}
	if got := fc.Features[0].Geometry.Coordinates[0][0][2]; got != [2]float64{4.81, 52.31} {
		t.Errorf("a corner is %v", got)
	}
	if len(d.Hash()) != 24 {
		t.Errorf("hash %q", d.Hash())
	}

	for _, c := range []struct {
		name, json string
		want       []string
	}{
		{"unknown district", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":` + square(0) +
			`,"properties":{"naam":"Centrum"}},{"type":"Feature","geometry":` + square(1) + `,"properties":{"code":"B","naam":"Westpoort"}}]}`,
			[]string{`feature 2 (code "B", naam "Westpoort")`, "not one of samen's districts", "nieuw_west"}},
		{"no name", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":` + square(0) + `,"properties":{"id":3}}]}`,
			[]string{"feature 1", "no code, naam or name"}},
		{"no properties", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":` + square(0) + `}]}`,
			[]string{"feature 1", "no code, naam or name"}},
		{"Dutch grid coordinates", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"naam":"Oost"},` +
			`"geometry":{"type":"Polygon","coordinates":[[[121000,487000],[122000,487000],[122000,488000],[121000,487000]]]}}]}`,
			[]string{`feature 1 (naam "Oost")`, "not a longitude and latitude", "EPSG:4326"}},
		{"a point", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"naam":"Oost"},"geometry":{"type":"Point","coordinates":[4.9,52.3]}}]}`,
			[]string{"feature 1", "Polygon or MultiPolygon", `"Point"`}},
		{"an open ring", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"naam":"Oost"},"geometry":{"type":"Polygon","coordinates":[[[4.9,52.3],[4.91,52.3],[4.9,52.3]]]}}]}`,
			[]string{"feature 1", "fewer than four"}},
		{"no geometry", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"naam":"Oost"},"geometry":null}]}`,
			[]string{"feature 1", "no geometry"}},
		{"a single feature", `{"type":"Feature","properties":{"naam":"Oost"},"geometry":` + square(0) + `}`,
			[]string{"FeatureCollection", `"Feature"`}},
		{"empty", `{"type":"FeatureCollection","features":[]}`, []string{"no features"}},
		{"not JSON", `<kml/>`, []string{"not GeoJSON"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := atlas.ParseDistrictOutlines(strings.NewReader(c.json))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}

	path := filepath.Join(t.TempDir(), "stadsdelen.geojson")
	if err := os.WriteFile(path, []byte(madeUpDistricts()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := atlas.LoadDistrictOutlines(path); err != nil {
		t.Errorf("LoadDistrictOutlines: %v", err)
	}
	if _, err := atlas.LoadDistrictOutlines(path + ".missing"); err == nil {
		t.Error("LoadDistrictOutlines of a missing file")
	}
}

// The districts parser reads an operator's file: it never panics on it.
func FuzzParseDistrictOutlines(f *testing.F) {
	f.Add(madeUpDistricts())
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[]]]},"properties":{"name":"oost"}}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = atlas.ParseDistrictOutlines(strings.NewReader(s))
	})
}
