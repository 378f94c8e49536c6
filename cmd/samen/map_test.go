package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"samen/internal/config"
)

// A district file the map cannot use stops samen at start, naming the
// setting and the feature.
func TestServeRefusesUnknownDistricts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "stadsdelen.geojson")
	// A made-up square, not real geography; Westpoort is no district of samen's.
	err := os.WriteFile(path, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"naam":"Westpoort"},`+
		`"geometry":{"type":"Polygon","coordinates":[[[4.8,52.3],[4.81,52.3],[4.81,52.31],[4.8,52.3]]]}}]}`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := samen(t, env("SAMEN_ADDR", "127.0.0.1:0", "SAMEN_DATA_DIR", filepath.Join(dir, "data"),
		"SAMEN_MAP_DISTRICTS", path), "", "serve")
	if code != 1 || !strings.Contains(errOut, "SAMEN_MAP_DISTRICTS") || !strings.Contains(errOut, `feature 1 (naam "Westpoort")`) {
		t.Errorf("code %d, stderr %q; want exit 1 naming the setting and the feature", code, errOut)
	}
}

func TestMapOptions(t *testing.T) {
	dir := t.TempDir()
	districts := filepath.Join(dir, "stadsdelen.geojson")
	if err := os.WriteFile(districts, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"naam":"Nieuw-West"},`+
		`"geometry":{"type":"Polygon","coordinates":[[[4.8,52.3],[4.81,52.3],[4.81,52.31],[4.8,52.3]]]}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	// One tile at zoom 0 in an uncompressed PMTiles archive.
	root := []byte{1, 0, 1, 1, 1}
	h := make([]byte, 127)
	copy(h, "PMTiles\x03")
	for at, v := range map[int]int{8: 127, 16: len(root), 24: 127 + len(root), 40: 127 + len(root), 56: 127 + len(root), 64: 1} {
		h[at] = byte(v)
	}
	h[97], h[98], h[99] = 1, 1, 2 // none, none, png
	archive := filepath.Join(dir, "basemap.pmtiles")
	if err := os.WriteFile(archive, append(append(h, root...), 'x'), 0o600); err != nil {
		t.Fatal(err)
	}

	m, done, err := mapOptions(config.Config{MapPMTiles: archive, MapDistricts: districts, MapAttribution: "© test"})
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	if m.PMTiles == nil || m.Districts == nil || m.Attribution != "© test" || m.TileURL != "" {
		t.Errorf("options %+v", m)
	}
	if m, done, err := mapOptions(config.Config{}); err != nil || m.PMTiles != nil || m.Districts != nil {
		t.Errorf("without files: %+v, %v", m, err)
	} else {
		done()
	}
	if _, _, err := mapOptions(config.Config{MapPMTiles: districts}); err == nil || !strings.Contains(err.Error(), "SAMEN_MAP_PMTILES") {
		t.Errorf("a GeoJSON file as the basemap: %v", err)
	}
}
