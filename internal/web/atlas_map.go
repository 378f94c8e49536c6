package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"samen/internal/atlas"
	"samen/internal/mapindex"
	"samen/internal/problem"
)

// MapOptions is how the atlas map gets its basemap. With neither set, the
// map draws the points on a plain background: nobody outside sees the
// visitors.
type MapOptions struct {
	// TileURL is a raster tile URL template ({z}/{x}/{y}) of a tile server
	// the operator chose; the content security policy then allows its host.
	TileURL string
	// Attribution is shown on the map for the tiles (their licence).
	Attribution string
}

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
		ids, err := s.atlas.SearchIDs(r.Context(), q, maxSearchIDs)
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
		if !inBBox(b, ft.Lon, ft.Lat) {
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

// inBBox reports whether a position lies in a view, which may cross the
// antimeridian (minLon > maxLon).
func inBBox(b mapindex.BBox, lon, lat float64) bool {
	if lat < b.MinLat || lat > b.MaxLat {
		return false
	}
	if b.MaxLon-b.MinLon >= 360 {
		return true
	}
	if b.MinLon <= b.MaxLon {
		return lon >= b.MinLon && lon <= b.MaxLon
	}
	return lon >= b.MinLon || lon <= b.MaxLon
}
