package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

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
	Districts *atlas.DistrictOutlines
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
	etag := `"` + d.Hash() + `"`
	h.Set("ETag", etag)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	_, err := io.Copy(w, bytes.NewReader(d.GeoJSON()))
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
	capped := false
	if q.Text != "" {
		// The facets are the index's to apply; the database finds the words.
		ids, err := s.atlas.SearchIDs(r.Context(), atlas.Query{Text: q.Text}, atlas.MapSearchCap)
		if err != nil {
			return err
		}
		filter.IDs, capped = ids, atlas.Capped(ids, atlas.MapSearchCap)
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
	// capped is a foreign member (RFC 7946, section 6.1): the search's words
	// match more initiatives than the map is given, and it shows the first.
	out := struct {
		Type     string           `json:"type"`
		Capped   bool             `json:"capped,omitempty"`
		Features []clusterFeature `json:"features"`
	}{Type: "FeatureCollection", Capped: capped, Features: make([]clusterFeature, 0, len(feats))}
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
