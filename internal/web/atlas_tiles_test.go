package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"samen/internal/atlas"
	"samen/internal/pmtiles"
	"samen/internal/store/storetest"
	"samen/internal/web"
)

// testArchive writes a PMTiles archive of the given tiles ("z/x/y" ->
// contents) with an uncompressed root directory, gzip-compressing the tiles
// when asked, and opens it.
func testArchive(t *testing.T, tileType pmtiles.TileType, gz bool, tiles map[string]string) (*pmtiles.Reader, []byte) {
	t.Helper()
	type entry struct {
		id   uint64
		data []byte
	}
	var entries []entry
	minZ, maxZ := uint8(31), uint8(0)
	for k, v := range tiles {
		var z uint8
		var x, y uint32
		if _, err := fmt.Sscanf(k, "%d/%d/%d", &z, &x, &y); err != nil {
			t.Fatal(err)
		}
		id, err := pmtiles.TileID(z, x, y)
		if err != nil {
			t.Fatal(err)
		}
		b := []byte(v)
		if gz {
			b = gzipBytes(t, b)
		}
		entries = append(entries, entry{id, b})
		minZ, maxZ = min(minZ, z), max(maxZ, z)
	}
	slices.SortFunc(entries, func(a, b entry) int { return int(a.id) - int(b.id) })
	dir := binary.AppendUvarint(nil, uint64(len(entries)))
	var last uint64
	for _, e := range entries {
		dir = binary.AppendUvarint(dir, e.id-last)
		last = e.id
	}
	var data []byte
	for range entries {
		dir = binary.AppendUvarint(dir, 1) // run length
	}
	for _, e := range entries {
		dir = binary.AppendUvarint(dir, uint64(len(e.data)))
	}
	for i, e := range entries {
		if i == 0 {
			dir = binary.AppendUvarint(dir, 1) // offset 0, plus one
		} else {
			dir = binary.AppendUvarint(dir, 0) // right after the previous tile
		}
		data = append(data, e.data...)
	}
	h := make([]byte, 127)
	copy(h, "PMTiles\x03")
	le := binary.LittleEndian
	le.PutUint64(h[8:], 127)
	le.PutUint64(h[16:], uint64(len(dir)))
	for _, at := range []int{24, 40, 56} { // metadata and leaves empty, then the tiles
		le.PutUint64(h[at:], 127+uint64(len(dir)))
	}
	le.PutUint64(h[64:], uint64(len(data)))
	h[97], h[98], h[99] = byte(pmtiles.None), byte(pmtiles.None), byte(tileType)
	if gz {
		h[98] = byte(pmtiles.Gzip)
	}
	h[100], h[101] = minZ, maxZ
	e7 := func(at int, deg float64) { le.PutUint32(h[at:], uint32(int32(math.Round(deg*1e7)))) }
	e7(102, 4.7)
	e7(106, 52.25)
	e7(110, 5.1)
	e7(114, 52.45)
	file := append(append(h, dir...), data...)
	path := filepath.Join(t.TempDir(), "basemap.pmtiles")
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := pmtiles.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, file
}

func gzipBytes(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func withMap(m web.MapOptions) siteOption { return func(c *siteConfig) { c.opts.Map = m } }

// getWith sends a GET with extra headers.
func (b *browser) getWith(path string, header ...string) *response {
	b.t.Helper()
	req := b.newRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

func TestVectorTiles(t *testing.T) {
	t.Parallel()
	pm, _ := testArchive(t, pmtiles.MVT, true, map[string]string{
		"0/0/0": "world", "1/1/0": "north-east", "1/0/1": "south-west", "3/4/2": "deep",
	})
	s := newSite(t, storetest.SQLite(t), withMap(web.MapOptions{PMTiles: pm, Attribution: "© OpenStreetMap"}))
	b := s.browser("en")

	for path, want := range map[string]string{"/tiles/0/0/0": "world", "/tiles/1/1/0": "north-east", "/tiles/3/4/2": "deep"} {
		r := b.getWith(path, "Accept-Encoding", "gzip, deflate, br")
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		if got := r.Header.Get("Content-Type"); got != "application/vnd.mapbox-vector-tile" {
			t.Errorf("%s: Content-Type %q", path, got)
		}
		if got := r.Header.Get("Content-Encoding"); got != "gzip" {
			t.Errorf("%s: Content-Encoding %q, want gzip", path, got)
		}
		zr, err := gzip.NewReader(strings.NewReader(r.Body))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var body bytes.Buffer
		if _, err := body.ReadFrom(zr); err != nil || body.String() != want {
			t.Errorf("%s: %q, %v; want %q", path, body.String(), err, want)
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}
		if vary := r.Header.Values("Vary"); !slices.Equal(vary, []string{"Accept-Encoding"}) {
			t.Errorf("%s: Vary %q, want only Accept-Encoding", path, vary)
		}
		etag := r.Header.Get("ETag")
		if !strings.HasPrefix(etag, `"`) {
			t.Fatalf("%s: ETag %q", path, etag)
		}
		if r := b.getWith(path, "Accept-Encoding", "gzip", "If-None-Match", etag); r.Status != http.StatusNotModified || r.Body != "" {
			t.Errorf("%s with If-None-Match: %d %q", path, r.Status, r.Body)
		}
		// A client that takes no gzip gets the tile unpacked, under
		// another ETag.
		r2 := b.getWith(path, "Accept-Encoding", "identity")
		if r2.Status != http.StatusOK || r2.Body != want || r2.Header.Get("Content-Encoding") != "" || r2.Header.Get("ETag") == etag {
			t.Errorf("%s without gzip: %d %q %q %q", path, r2.Status, r2.Body, r2.Header.Get("Content-Encoding"), r2.Header.Get("ETag"))
		}
		checkSecurityHeaders(t, r)
	}

	// Tiles that are not in the archive, in and outside its zoom range.
	for _, path := range []string{"/tiles/1/0/0", "/tiles/2/1/1", "/tiles/14/8410/5385", "/tiles/3/0/0"} {
		if r := b.getWith(path, "Accept-Encoding", "gzip"); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, r.Status)
		}
	}
	// Addresses outside the pyramid, or not numbers.
	for _, path := range []string{"/tiles/1/2/0", "/tiles/1/0/2", "/tiles/32/0/0", "/tiles/-1/0/0", "/tiles/a/0/0",
		"/tiles/0/0/0.pbf", "/tiles/0/+0/0", "/tiles/300/0/0", "/tiles/2/99999999999/0"} {
		if r := b.get(path); r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", path, r.Status)
		}
	}

	// The map says the basemap is samen's own, and what it holds.
	page := b.get("/atlas")
	mustContain(t, page, `data-basemap="local"`, `data-basemap-type="mvt"`, `data-basemap-minzoom="0"`,
		`data-basemap-maxzoom="3"`, `data-basemap-bounds="4.7,52.25,5.1,52.45"`, `data-attribution="© OpenStreetMap"`)
	if strings.Contains(page.Body, "data-tiles=") || strings.Contains(page.Body, "data-districts=") {
		t.Error("the page offers a tile server or districts it does not have")
	}
	// Tiles from samen itself need nothing beyond the strict policy.
	if got := page.Header.Get("Content-Security-Policy"); !strings.Contains(got, "img-src 'self' data:;") || !strings.Contains(got, "connect-src 'self';") {
		t.Errorf("policy %q", got)
	}
}

func TestRasterTilesAndTheArchiveItself(t *testing.T) {
	t.Parallel()
	pm, file := testArchive(t, pmtiles.PNG, false, map[string]string{"0/0/0": "\x89PNG world", "2/1/1": "\x89PNG amsterdam"})
	s := newSite(t, storetest.SQLite(t), withMap(web.MapOptions{PMTiles: pm}))
	b := s.browser("en")

	r := b.getWith("/tiles/2/1/1", "Accept-Encoding", "gzip")
	if r.Status != http.StatusOK || r.Body != "\x89PNG amsterdam" || r.Header.Get("Content-Type") != "image/png" || r.Header.Get("Content-Encoding") != "" {
		t.Errorf("raster tile: %d %q %q %q", r.Status, r.Body, r.Header.Get("Content-Type"), r.Header.Get("Content-Encoding"))
	}
	mustContain(t, b.get("/atlas"), `data-basemap-type="png"`)

	// The whole file, for clients that read PMTiles themselves.
	whole := b.get("/tiles/basemap.pmtiles")
	if whole.Status != http.StatusOK || whole.Body != string(file) {
		t.Fatalf("the archive: %d, %d bytes of %d", whole.Status, len(whole.Body), len(file))
	}
	etag := whole.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || whole.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("ETag %q (must be strong), Accept-Ranges %q", etag, whole.Header.Get("Accept-Ranges"))
	}
	// A reader starts with the header and root directory.
	head := b.getWith("/tiles/basemap.pmtiles", "Range", "bytes=0-126")
	if head.Status != http.StatusPartialContent || head.Body != string(file[:127]) ||
		head.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-126/%d", len(file)) {
		t.Errorf("a range: %d %q %q", head.Status, head.Header.Get("Content-Range"), head.Body)
	}
	tail := b.getWith("/tiles/basemap.pmtiles", "Range", "bytes=-5", "If-Range", etag)
	if tail.Status != http.StatusPartialContent || tail.Body != string(file[len(file)-5:]) {
		t.Errorf("the last bytes: %d %q", tail.Status, tail.Body)
	}
	if r := b.getWith("/tiles/basemap.pmtiles", "If-None-Match", etag); r.Status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r.Status)
	}
}

// Without a street-level basemap the map has samen's own land, lakes and
// borders, credited under it; a steward (and nobody else) is told how to
// add a basemap, and not once one is set.
func TestOwnGeographyAndTheStewardsHint(t *testing.T) {
	t.Parallel()
	bare := newSite(t, storetest.SQLite(t))
	bare.seed()
	tiled := newSite(t, storetest.SQLite(t), withMap(web.MapOptions{TileURL: "https://tiles.example.org/{z}/{x}/{y}.png"}))
	tiled.seed()
	for _, lang := range []string{"en", "nl"} {
		hint := map[string]string{"en": "For stewards: this map shows land, water and borders only", "nl": "Voor beheerders: deze kaart toont alleen land, water en grenzen"}[lang]
		for _, c := range []struct {
			name string
			b    *browser
			want bool
		}{
			{"a visitor, no basemap", bare.browser(lang), false},
			{"a member, no basemap", bare.loggedIn(member, lang), false},
			{"a steward, no basemap", bare.loggedIn(steward, lang), true},
			{"a steward, a tile server", tiled.loggedIn(steward, lang), false},
		} {
			page := c.b.get("/atlas")
			if got := strings.Contains(page.Body, hint); got != c.want {
				t.Errorf("%s (%s): the hint is there: %v, want %v", c.name, lang, got, c.want)
			}
			if !strings.Contains(page.Body, `data-world="/static/vendor/world-110m.`) || !strings.Contains(page.Body, "Natural Earth") {
				t.Errorf("%s (%s): the map's own geography or its credit is missing", c.name, lang)
			}
		}
	}
	// The file itself: GeoJSON (RFC 7946) of land, lakes and borders.
	page := bare.browser("en").get("/atlas")
	i := strings.Index(page.Body, `data-world="`) + len(`data-world="`)
	r := bare.browser("en").get(page.Body[i : i+strings.Index(page.Body[i:], `"`)])
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/geo+json") {
		t.Fatalf("the world file: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	var world struct {
		Type     string
		Features []struct {
			Properties struct{ Kind string }
			Geometry   struct{ Type string }
		}
	}
	if err := json.Unmarshal([]byte(r.Body), &world); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, f := range world.Features {
		kinds = append(kinds, f.Properties.Kind+" "+f.Geometry.Type)
	}
	if world.Type != "FeatureCollection" || strings.Join(kinds, ", ") != "land MultiPolygon, water MultiPolygon, border MultiLineString" {
		t.Errorf("the world file holds a %s of %q", world.Type, kinds)
	}
}

func TestNoBasemap(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	b := s.browser("en")
	for _, path := range []string{"/tiles/0/0/0", "/tiles/basemap.pmtiles", "/atlas/districts.geojson"} {
		if r := b.get(path); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, r.Status)
		}
	}
	page := b.get("/atlas")
	for _, attr := range []string{"data-basemap", "data-tiles", "data-districts"} {
		if strings.Contains(page.Body, attr) {
			t.Errorf("the atlas page has %s without a basemap or districts", attr)
		}
	}
}

// With an operator's tile server, the atlas pages (and only they) let the
// browser fetch from it; everything else keeps the strict policy.
func TestTileServerPolicy(t *testing.T) {
	t.Parallel()
	const origin = "https://tiles.example.org:8443"
	s := newSite(t, storetest.SQLite(t), withMap(web.MapOptions{TileURL: origin + "/osm/{z}/{x}/{y}.png"}))
	b := s.browser("en")
	for _, path := range []string{"/atlas", "/atlas?sector=energy", "/embed/atlas"} {
		r := b.get(path)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d", path, r.Status)
		}
		csp := cspDirectives(r.Header.Get("Content-Security-Policy"))
		for _, d := range []string{"img-src", "connect-src"} {
			if !slices.Contains(csp[d], origin) || !slices.Contains(csp[d], "'self'") {
				t.Errorf("%s: %s %q, want 'self' and %s", path, d, csp[d], origin)
			}
		}
		for _, d := range []string{"script-src", "style-src", "default-src"} {
			if slices.Contains(csp[d], origin) {
				t.Errorf("%s: %s allows the tile server", path, d)
			}
		}
		if strings.Join(csp["script-src"], " ") != "'self'" || strings.Join(csp["style-src"], " ") != "'self'" {
			t.Errorf("%s: scripts %q, styles %q", path, csp["script-src"], csp["style-src"])
		}
		mustContain(t, r, `data-tiles="`+origin+`/osm/{z}/{x}/{y}.png"`)
	}
	// The embedded page may still be framed, the directory may not.
	if fa := cspDirectives(b.get("/embed/atlas").Header.Get("Content-Security-Policy"))["frame-ancestors"]; strings.Join(fa, " ") != "*" {
		t.Errorf("embed frame-ancestors %q", fa)
	}
	checkSecurityHeaders(t, b.get("/atlas"))
	for _, path := range []string{"/", "/login", "/atlas/new", "/api/v1/clusters?bbox=4,52,5,53&zoom=10", "/static/atlas-map.js", "/no-such-page", "/atlas/feed.atom"} {
		r := b.get(path)
		if got := r.Header.Get("Content-Security-Policy"); strings.Contains(got, "tiles.example.org") {
			t.Errorf("%s (%d) allows the tile server: %s", path, r.Status, got)
		}
		if path != "/atlas/new" {
			checkSecurityHeaders(t, r)
		}
	}
}

// The outlines the atlas read are served as they are, with an ETag, and
// the map on the page and in the embed is told where to find them. (The
// reading itself is tested in internal/atlas.)
func TestDistrictsGeoJSON(t *testing.T) {
	t.Parallel()
	// A made-up square, not real geography.
	d, err := atlas.ParseDistrictOutlines(strings.NewReader(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"naam":"Nieuw-West"},` +
		`"geometry":{"type":"Polygon","coordinates":[[[4.8,52.3],[4.81,52.3],[4.81,52.31],[4.8,52.3]]]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, storetest.SQLite(t), withMap(web.MapOptions{Districts: d}))
	b := s.browser("en")
	r := b.get("/atlas/districts.geojson")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("%d %q", r.Status, r.Header.Get("Content-Type"))
	}
	if r.Body != string(d.GeoJSON()) || !strings.Contains(r.Body, `"district":"nieuw_west"`) {
		t.Errorf("served %s, want %s", r.Body, d.GeoJSON())
	}
	etag := r.Header.Get("ETag")
	if r := b.getWith("/atlas/districts.geojson", "If-None-Match", etag); etag == "" || r.Status != http.StatusNotModified {
		t.Errorf("ETag %q, If-None-Match: %d", etag, r.Status)
	}
	// Drawn on a plain background: no basemap is needed for the outlines.
	page := b.get("/atlas")
	mustContain(t, page, `data-districts="/atlas/districts.geojson"`)
	if strings.Contains(page.Body, "data-basemap") || strings.Contains(page.Body, "data-tiles") {
		t.Error("a basemap on the page")
	}
	mustContain(t, b.get("/embed/atlas"), `data-districts="/atlas/districts.geojson"`)
}

// A search broader than the map is given shows its first matches on the
// map and counts the facets among them, and both say so, in the visitor's
// language; a search within the cap says nothing of it. (Not parallel:
// it lowers atlas.MapSearchCap and FacetSearchCap.)
func TestBroadSearchSaysItIsCapped(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	s.seed()
	ids, err := s.Parts.Atlas.SearchIDs(t.Context(), atlas.Query{Text: "buurt"}, 1_000_000)
	if err != nil || ids.Len() < 2 {
		t.Fatalf("the demo's matches of buurt: %d (%v)", ids.Len(), err)
	}
	defer func(m, f int) { atlas.MapSearchCap, atlas.FacetSearchCap = m, f }(atlas.MapSearchCap, atlas.FacetSearchCap)
	note := map[string]string{"en": "Counted among the first %d matches of these words", "nl": "Geteld onder de eerste %d treffers van deze woorden"}
	for _, c := range []struct {
		cap    int
		capped bool
	}{{ids.Len() - 1, true}, {ids.Len(), false}} {
		atlas.MapSearchCap, atlas.FacetSearchCap = c.cap, c.cap
		for _, lang := range []string{"en", "nl"} {
			page := s.browser(lang).get("/atlas?q=buurt")
			if got := strings.Contains(page.Body, fmt.Sprintf(note[lang], c.cap)); got != c.capped {
				t.Errorf("cap %d of %d matches (%s): the facets say they are capped: %v", c.cap, ids.Len(), lang, got)
			}
		}
		r := s.script("", "en").call(http.MethodGet, "/clusters?bbox=4.6,52.2,5.2,52.5&zoom=9&q=buurt", "")
		var clusters clusterPage
		decodeGeo(t, r, &clusters)
		if shown := clusters.shown(); clusters.Capped != c.capped || shown > c.cap+1 {
			t.Errorf("cap %d of %d matches: the map says capped %v and shows %d", c.cap, ids.Len(), clusters.Capped, shown)
		}
	}
}
