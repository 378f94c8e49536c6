package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"

	"samen/internal/atlas"
	"samen/internal/mapindex"
	"samen/internal/pmtiles"
	"samen/internal/problem"
)

// MapOptions is how the atlas map gets its basemap. With neither TileURL
// nor PMTiles set, the map draws the points on a plain background: nobody
// outside sees the visitors.
type MapOptions struct {
	// TileURL is a raster tile URL template ({z}/{x}/{y}) of a tile server
	// the operator chose; the content security policy then allows its host.
	TileURL string
	// PMTiles is a basemap archive samen serves itself at /tiles/; the
	// caller opens and closes it.
	PMTiles *pmtiles.Reader
	// Attribution is shown on the map for the tiles (their licence).
	Attribution string
	// Districts are outlines the map draws over the basemap; nil: none.
	Districts *Districts
}

// Districts are the outlines of the districts, as the GeoJSON samen serves
// at /atlas/districts.geojson: polygons and multipolygons whose "district"
// property holds samen's code for the district.
type Districts struct {
	body []byte
	etag string
}

// maxDistrictsBytes bounds the GeoJSON file read at start; the outlines of
// a city's districts take a few megabytes at most.
const maxDistrictsBytes = 64 << 20

// LoadDistricts reads a GeoJSON FeatureCollection of district outlines from
// a file (see ParseDistricts).
func LoadDistricts(path string) (*Districts, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseDistricts(f)
}

// districtNameKeys are the properties that may name a feature's district,
// in the order they are tried: Amsterdam's open data has a letter as
// "code" and the name as "naam".
var districtNameKeys = []string{"code", "naam", "name"}

// ParseDistricts reads a GeoJSON FeatureCollection of polygons and
// multipolygons in longitude and latitude, each named by a code, naam or
// name property that is one of atlas.Districts once lower-cased with '-'
// and ' ' as '_' ("Nieuw-West" is nieuw_west). A feature that names no
// known district is an error that says which feature it is. Coordinates
// are rounded to six decimals (about 10 cm).
func ParseDistricts(r io.Reader) (*Districts, error) {
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
			if c := districtCode(v); code == "" && slices.Contains(atlas.Districts, c) {
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
			return nil, fmt.Errorf("%s: not one of samen's districts (%s)", what, strings.Join(atlas.Districts, ", "))
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
	return &Districts{body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}, nil
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

// districtsGeoJSON answers GET /atlas/districts.geojson with the outlines
// the map draws; 404 when none are configured.
func (s *Server) districtsGeoJSON(w http.ResponseWriter, r *http.Request) error {
	d := s.opts.Map.Districts
	if d == nil {
		return problemNotFound
	}
	h := w.Header()
	h.Set("Content-Type", "application/geo+json")
	// The file is read at start: it changes with a restart, which the ETag
	// tells.
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("ETag", d.etag)
	if etagMatches(r.Header.Get("If-None-Match"), d.etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	_, err := io.Copy(w, bytes.NewReader(d.body))
	return err
}

// basemapInfo tells the map script about the basemap samen serves.
type basemapInfo struct {
	Type             string // mvt, png, jpeg, webp or avif
	MinZoom, MaxZoom uint8
	Bounds           string // west,south,east,north; empty if the archive does not say
}

// MapBasemap describes the basemap samen serves itself; nil when there is
// none.
func (p *page) MapBasemap() *basemapInfo {
	pm := p.s.opts.Map.PMTiles
	if pm == nil {
		return nil
	}
	h := pm.Header()
	b := &basemapInfo{Type: h.TileType.String(), MinZoom: h.MinZoom, MaxZoom: h.MaxZoom}
	if h.MinLon < h.MaxLon && h.MinLat < h.MaxLat {
		b.Bounds = fmt.Sprintf("%g,%g,%g,%g", h.MinLon, h.MinLat, h.MaxLon, h.MaxLat)
	}
	return b
}

// MapDistricts reports whether the map has district outlines to draw.
func (p *page) MapDistricts() bool { return p.s.opts.Map.Districts != nil }

// clusterFeature is one GeoJSON feature of the clusters endpoint, with the
// property names supercluster uses, so map code written for it works.
type clusterFeature struct {
	Type       string         `json:"type"`
	Geometry   pointGeometry  `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type pointGeometry struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

// maxSearchIDs bounds a full-text filter on the map: the ids of at most
// this many matches are passed to the index.
const maxSearchIDs = 100000

// apiClusters answers GET /api/v1/clusters?bbox=&zoom= with the clusters
// and single initiatives in view, filtered as the directory is.
func (s *Server) apiClusters(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	f := problem.Fields{}
	b, ok := parseBBox(v.Get("bbox"))
	if v.Get("bbox") == "" {
		f.Add("bbox", "required")
	} else if !ok {
		f.Add("bbox", "bbox.invalid")
	}
	zoom, err := strconv.ParseFloat(v.Get("zoom"), 64)
	if v.Get("zoom") == "" {
		f.Add("zoom", "required")
	} else if err != nil {
		f.Add("zoom", "zoom.invalid")
	}
	if err := f.Err(); err != nil {
		return err
	}
	// The bbox is the view, not a filter of the directory.
	v.Del("bbox")
	q, err := atlasQuery(v)
	if err != nil {
		return err
	}
	filter := atlas.MapFilter(q)
	if q.Text != "" {
		// The facets are the index's to apply; the database finds the words.
		ids, err := s.atlas.SearchIDs(r.Context(), atlas.Query{Text: q.Text}, maxSearchIDs)
		if err != nil {
			return err
		}
		filter.IDs = ids
	}
	feats, err := s.atlas.Map.Clusters(b, zoom, filter)
	switch {
	case errors.Is(err, mapindex.ErrBadBBox):
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"bbox": "bbox.invalid"}}
	case errors.Is(err, mapindex.ErrBadZoom):
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"zoom": "zoom.invalid"}}
	case errors.Is(err, mapindex.ErrTooMany):
		return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"bbox": "bbox.too_large"}}
	case err != nil:
		return err
	}
	out := struct {
		Type     string           `json:"type"`
		Features []clusterFeature `json:"features"`
	}{Type: "FeatureCollection", Features: make([]clusterFeature, 0, len(feats))}
	for _, ft := range feats {
		// A cell at the edge of the view may hold a cluster whose centre is
		// outside it; like supercluster, a feature belongs to the view its
		// position is in, so that views side by side count each once.
		if !b.Contains(ft.Lon, ft.Lat) {
			continue
		}
		props := map[string]any{}
		if ft.Cluster {
			props["cluster"] = true
			props["cluster_id"] = ft.Key
			props["point_count"] = ft.Count
			props["expansion_zoom"] = ft.ExpansionZoom
		} else {
			props["id"] = ft.ID
			props["name"] = ft.Name
			props["url"] = atlasLink(ft.ID)
		}
		out.Features = append(out.Features, clusterFeature{Type: "Feature",
			Geometry: pointGeometry{Type: "Point", Coordinates: [2]float64{ft.Lon, ft.Lat}}, Properties: props})
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "no-cache")
	return json.NewEncoder(w).Encode(out)
}
