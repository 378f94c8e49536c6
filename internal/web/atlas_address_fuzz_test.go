package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"samen/internal/store/storetest"
)

// FuzzAtlasAddresses sends any query string to every view of the atlas's
// search: the pages, the feed, the open data and the map's clusters (with
// its zoom). None answers with a 5xx.
func FuzzAtlasAddresses(f *testing.F) {
	for _, s := range []string{
		"bbox=181,1,2,3&zoom=3", "bbox=4.7,52.2,5.1,52.5&zoom=11", "bbox=-180,-90,180,90&zoom=0", "bbox=-180,-85,180,85&zoom=22",
		"bbox=4,52,5,53&zoom=NaN", "bbox=4,52,5,53&zoom=-1", "bbox=4,52,5,53&zoom=1e308", "bbox=170,-10,-170,10&zoom=4",
		"q=fiets&sector=food&page=2", "page=0", "page=501", "near=52.37,4.89&radius=1000&order=distance", "cursor=-1&limit=500",
		"since=2026-01-01T00:00:00Z", "format=jsonld", "q=%22%22%22&zoom=3&bbox=0,0,1,1",
	} {
		f.Add(uint8(0), s)
	}
	s := newSite(f, storetest.SQLite(f), quiet)
	s.seed()
	h := s.HTTP.Config.Handler
	paths := []string{"/atlas", "/embed/atlas", "/atlas/feed.atom", "/api/v1/initiatives", "/api/v1/initiatives/changes", "/api/v1/clusters"}
	f.Fuzz(func(t *testing.T, which uint8, raw string) {
		path := paths[int(which)%len(paths)]
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path, req.URL.RawQuery = path, raw
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("GET %s?%s: status %d\n%s", path, raw, rec.Code, rec.Body)
		}
	})
}
