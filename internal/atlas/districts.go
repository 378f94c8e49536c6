package atlas

// The outlines of the districts, which the atlas map draws: a GeoJSON file
// an operator provides (Amsterdam's open data, say), read once at start.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
)

// DistrictOutlines are the outlines of the districts, as the GeoJSON the
// map draws (samen serves it at /atlas/districts.geojson): polygons and
// multipolygons whose "district" property holds samen's code for the
// district.
type DistrictOutlines struct {
	body []byte
	hash string
}

// GeoJSON is the outlines as a FeatureCollection.
func (d *DistrictOutlines) GeoJSON() []byte { return d.body }

// Hash is a hash of the outlines, in hexadecimal, which changes when they
// do (for an ETag).
func (d *DistrictOutlines) Hash() string { return d.hash }

// maxDistrictsBytes bounds the GeoJSON file read at start; the outlines of
// a city's districts take a few megabytes at most.
const maxDistrictsBytes = 64 << 20

// LoadDistrictOutlines reads a GeoJSON FeatureCollection of district
// outlines from a file (see ParseDistrictOutlines).
func LoadDistrictOutlines(path string) (*DistrictOutlines, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseDistrictOutlines(f)
}

// districtNameKeys are the properties that may name a feature's district,
// in the order they are tried: Amsterdam's open data has a letter as
// "code" and the name as "naam".
var districtNameKeys = []string{"code", "naam", "name"}

// ParseDistrictOutlines reads a GeoJSON FeatureCollection of polygons and
// multipolygons in longitude and latitude, each named by a code, naam or
// name property that is one of Districts once lower-cased with '-'
// and ' ' as '_' ("Nieuw-West" is nieuw_west). A feature that names no
// known district is an error that says which feature it is. Coordinates
// are rounded to six decimals (about 10 cm).
func ParseDistrictOutlines(r io.Reader) (*DistrictOutlines, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxDistrictsBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDistrictsBytes {
		return nil, fmt.Errorf("larger than %d MB", maxDistrictsBytes>>20)
	}
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, fmt.Errorf("not GeoJSON: %v", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("a GeoJSON FeatureCollection is needed, not %q", fc.Type)
	}
	if len(fc.Features) == 0 {
		return nil, errors.New("the FeatureCollection has no features")
	}
	type outFeature struct {
		Type       string            `json:"type"`
		Geometry   districtGeometry  `json:"geometry"`
		Properties map[string]string `json:"properties"`
	}
	out := struct {
		Type     string       `json:"type"`
		Features []outFeature `json:"features"`
	}{Type: "FeatureCollection"}
	for i, raw := range fc.Features {
		var f struct {
			Type       string           `json:"type"`
			Geometry   *json.RawMessage `json:"geometry"`
			Properties map[string]any   `json:"properties"`
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, fmt.Errorf("feature %d: %v", i+1, err)
		}
		code := ""
		var names []string
		for _, k := range districtNameKeys {
			v, ok := f.Properties[k].(string)
			if !ok || strings.TrimSpace(v) == "" {
				continue
			}
			names = append(names, fmt.Sprintf("%s %q", k, v))
			if c := districtCode(v); code == "" && slices.Contains(Districts, c) {
				code = c
			}
		}
		what := fmt.Sprintf("feature %d", i+1)
		if len(names) > 0 {
			what += " (" + strings.Join(names, ", ") + ")"
		}
		switch {
		case f.Type != "Feature":
			return nil, fmt.Errorf("%s: a Feature is needed, not %q", what, f.Type)
		case len(names) == 0:
			return nil, fmt.Errorf("%s: no code, naam or name property names its district", what)
		case code == "":
			return nil, fmt.Errorf("%s: not one of samen's districts (%s)", what, strings.Join(Districts, ", "))
		case f.Geometry == nil:
			return nil, fmt.Errorf("%s: no geometry", what)
		}
		g, err := parseDistrictGeometry(*f.Geometry)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", what, err)
		}
		out.Features = append(out.Features, outFeature{Type: "Feature", Geometry: g, Properties: map[string]string{"district": code}})
	}
	body, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	return &DistrictOutlines{body: body, hash: hex.EncodeToString(sum[:12])}, nil
}

// districtCode turns a district's name into the form of samen's codes.
func districtCode(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return '_'
		}
		return r
	}, strings.ToLower(strings.TrimSpace(name)))
}

// districtGeometry is a polygon or multipolygon; a polygon is kept as a
// multipolygon of one.
type districtGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

func parseDistrictGeometry(raw json.RawMessage) (districtGeometry, error) {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return districtGeometry{}, fmt.Errorf("geometry: %v", err)
	}
	var polygons [][][][]float64
	switch g.Type {
	case "Polygon":
		var p [][][]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return districtGeometry{}, fmt.Errorf("polygon coordinates: %v", err)
		}
		polygons = [][][][]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polygons); err != nil {
			return districtGeometry{}, fmt.Errorf("multipolygon coordinates: %v", err)
		}
	default:
		return districtGeometry{}, fmt.Errorf("a Polygon or MultiPolygon is needed, not %q", g.Type)
	}
	if len(polygons) == 0 {
		return districtGeometry{}, errors.New("the geometry is empty")
	}
	for _, p := range polygons {
		if len(p) == 0 {
			return districtGeometry{}, errors.New("a polygon has no rings")
		}
		for _, ring := range p {
			if len(ring) < 4 {
				return districtGeometry{}, errors.New("a ring has fewer than four positions")
			}
			for i, pos := range ring {
				if len(pos) < 2 {
					return districtGeometry{}, errors.New("a position has no longitude and latitude")
				}
				lon, lat := pos[0], pos[1]
				if !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90) {
					return districtGeometry{}, fmt.Errorf("position %v is not a longitude and latitude (WGS 84, EPSG:4326); convert the file, for example with ogr2ogr -t_srs EPSG:4326", pos)
				}
				ring[i] = []float64{math.Round(lon*1e6) / 1e6, math.Round(lat*1e6) / 1e6}
			}
		}
	}
	coords, err := json.Marshal(polygons)
	if err != nil {
		return districtGeometry{}, err
	}
	return districtGeometry{Type: "MultiPolygon", Coordinates: coords}, nil
}
