package main

import (
	"fmt"

	"samen/internal/atlas"
	"samen/internal/config"
	"samen/internal/pmtiles"
	"samen/internal/web"
)

// mapOptions opens what the atlas map is drawn from: the basemap archive
// samen serves itself and the district outlines. Config has checked the
// archive already; the outlines are read here, and a problem with either
// names its setting. The returned function closes the archive.
func mapOptions(cfg config.Config) (web.MapOptions, func(), error) {
	m := web.MapOptions{TileURL: cfg.MapTiles, Attribution: cfg.MapAttribution}
	done := func() {}
	if cfg.MapPMTiles != "" {
		r, err := pmtiles.Open(cfg.MapPMTiles)
		if err != nil {
			return m, done, fmt.Errorf("SAMEN_MAP_PMTILES (--map-pmtiles) %q: %w", cfg.MapPMTiles, err)
		}
		m.PMTiles = r
		done = func() { r.Close() }
	}
	if cfg.MapDistricts != "" {
		d, err := atlas.LoadDistrictOutlines(cfg.MapDistricts)
		if err != nil {
			done()
			return m, func() {}, fmt.Errorf("SAMEN_MAP_DISTRICTS (--map-districts) %q: %w", cfg.MapDistricts, err)
		}
		m.Districts = d
	}
	return m, done, nil
}
