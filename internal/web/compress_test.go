package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"samen/internal/atlas"
	"samen/internal/store/storetest"
	"samen/internal/web"
)

// decode undoes a Content-Encoding.
func decode(t *testing.T, coding, body string) string {
	t.Helper()
	var r io.Reader
	var err error
	switch coding {
	case "":
		return body
	case "gzip":
		r, err = gzip.NewReader(strings.NewReader(body))
	case "br":
		r = brotli.NewReader(strings.NewReader(body))
	case "zstd":
		var d *zstd.Decoder
		d, err = zstd.NewReader(strings.NewReader(body))
		if err == nil {
			defer d.Close()
			r = d
		}
	default:
		t.Fatalf("no decoder for %q", coding)
	}
	if err != nil {
		t.Fatalf("%s: %v", coding, err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decoding %s: %v", coding, err)
	}
	return string(out)
}

func varies(r *response, header string) bool {
	for _, v := range r.Header.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), header) {
				return true
			}
		}
	}
	return false
}

// Pages and the API are compressed for browsers that ask, in the encoding
// they prefer; what arrives decompresses to what a browser that does not
// ask gets.
func TestCompressedResponses(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	s.seed()
	b := s.browser("en")

	for _, path := range []string{"/atlas", "/api/v1/export/initiatives.geojson", "/api/v1/export/initiatives.csv",
		"/api/v1/initiatives", "/api/v1/openapi.json", "/toolbox", "/no-such-page"} {
		plain := b.getWith(path, "Accept-Encoding", "identity")
		if plain.Header.Get("Content-Encoding") != "" || len(plain.Body) < 1024 {
			t.Fatalf("%s without compression: Content-Encoding %q, %d bytes", path, plain.Header.Get("Content-Encoding"), len(plain.Body))
		}
		for accept, want := range map[string]string{
			"gzip":                          "gzip",
			"zstd":                          "zstd",
			"gzip, deflate, br, zstd":       "zstd",
			"gzip;q=1.0, zstd;q=0.5":        "gzip",
			"zstd, gzip;q=0":                "zstd",
			"gzip;q=0, zstd;q=0":            "",
			"deflate":                       "",
			"br":                            "", // brotli only for the static files, stored so
			"GZIP ; q=0.8, identity;q=0.1 ": "gzip",
		} {
			r := b.getWith(path, "Accept-Encoding", accept)
			if r.Status != plain.Status {
				t.Errorf("%s (%s): status %d, without compression %d", path, accept, r.Status, plain.Status)
			}
			if got := r.Header.Get("Content-Encoding"); got != want {
				t.Errorf("%s (Accept-Encoding %q): Content-Encoding %q, want %q", path, accept, got, want)
				continue
			}
			if !varies(r, "Accept-Encoding") {
				t.Errorf("%s (%s): Vary %q lacks Accept-Encoding", path, accept, r.Header.Values("Vary"))
			}
			if want != "" && len(r.Body) >= len(plain.Body)*3/4 {
				t.Errorf("%s in %s: %d bytes of %d", path, want, len(r.Body), len(plain.Body))
			}
			if got := decode(t, want, r.Body); got != plain.Body {
				t.Errorf("%s in %s decompresses to something else (%d bytes, want %d)", path, want, len(got), len(plain.Body))
			}
			if ct := r.Header.Get("Content-Type"); ct != plain.Header.Get("Content-Type") {
				t.Errorf("%s in %s: Content-Type %q, want %q", path, want, ct, plain.Header.Get("Content-Type"))
			}
			if r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s in %s: security headers lost", path, want)
			}
		}
	}

	t.Run("small answers are not worth it", func(t *testing.T) {
		for _, path := range []string{"/healthz", "/static/robots.txt", "/static/favicon.svg"} {
			if r := b.getWith(path, "Accept-Encoding", "gzip, br, zstd"); r.Header.Get("Content-Encoding") != "" {
				t.Errorf("%s (%d bytes): Content-Encoding %q", path, len(r.Body), r.Header.Get("Content-Encoding"))
			}
		}
	})

	t.Run("HEAD", func(t *testing.T) {
		req := b.newRequest(http.MethodHead, "/atlas", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		if r := b.do(req); r.Status != http.StatusOK || r.Body != "" {
			t.Errorf("HEAD /atlas: %d, %d bytes", r.Status, len(r.Body))
		}
	})

	t.Run("metrics count routes and statuses as before", func(t *testing.T) {
		b.getWith("/toolbox", "Accept-Encoding", "gzip")
		metrics := b.get("/metrics").Body
		if !regexp.MustCompile(`samen_http_requests_total\{code="200",route="GET /toolbox"\} [1-9]`).MatchString(metrics) {
			t.Errorf("no count of GET /toolbox with 200 in the metrics")
		}
	})
}

// A compressed answer has an ETag of its own, and sending it back is
// answered with 304 Not Modified all the same.
func TestCompressedETag(t *testing.T) {
	t.Parallel()
	// A made-up district with enough corners to be worth compressing.
	var ring []string
	for i := range 60 {
		ring = append(ring, fmt.Sprintf("[4.%04d,52.%04d]", 8000+i, 3000+i%7))
	}
	ring = append(ring, ring[0])
	d, err := atlas.ParseDistrictOutlines(strings.NewReader(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"naam":"Nieuw-West"},` +
		`"geometry":{"type":"Polygon","coordinates":[[` + strings.Join(ring, ",") + `]]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, storetest.SQLite(t), withMap(web.MapOptions{Districts: d}))
	b := s.browser("en")
	plain := b.getWith("/atlas/districts.geojson", "Accept-Encoding", "identity")
	for _, coding := range []string{"gzip", "zstd"} {
		r := b.getWith("/atlas/districts.geojson", "Accept-Encoding", coding)
		etag := r.Header.Get("ETag")
		if r.Header.Get("Content-Encoding") != coding || etag == "" || etag == plain.Header.Get("ETag") {
			t.Fatalf("%s: Content-Encoding %q, ETag %q (uncompressed: %q)", coding, r.Header.Get("Content-Encoding"), etag, plain.Header.Get("ETag"))
		}
		if decode(t, coding, r.Body) != plain.Body {
			t.Errorf("%s: decompresses to something else", coding)
		}
		if again := b.getWith("/atlas/districts.geojson", "Accept-Encoding", coding, "If-None-Match", etag); again.Status != http.StatusNotModified || again.Body != "" {
			t.Errorf("%s: If-None-Match %s: %d, %d bytes", coding, etag, again.Status, len(again.Body))
		}
	}
}

var fingerprinted = regexp.MustCompile(`^/static/(.+)\.([0-9a-f]{10})(\.[a-z]+)$`)

// Static files are named by their content in the pages and may be kept for
// a year; they are sent compressed as stored, in the browser's encoding.
func TestStaticAssets(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	s.seed()
	b := s.browser("en")

	home := b.get("/")
	m := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`).FindStringSubmatch(home.Body)
	if m == nil {
		t.Fatal("no stylesheet on /")
	}
	css := m[1]
	parts := fingerprinted.FindStringSubmatch(css)
	if parts == nil || parts[1]+parts[3] != "samen.css" {
		t.Fatalf("the stylesheet is %s, want /static/samen.<hash>.css", css)
	}
	plain := b.getWith("/static/samen.css", "Accept-Encoding", "identity")
	sum := sha256.Sum256([]byte(plain.Body))
	if parts[2] != hex.EncodeToString(sum[:])[:10] {
		t.Errorf("the fingerprint %s is not the start of the stylesheet's SHA-256 %x", parts[2], sum)
	}
	if cc := plain.Header.Get("Cache-Control"); strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=") {
		t.Errorf("/static/samen.css without fingerprint: Cache-Control %q, want a short max-age", cc)
	}

	for _, coding := range []string{"", "br", "zstd", "gzip"} {
		r := b.getWith(css, "Accept-Encoding", coding)
		if r.Status != http.StatusOK || r.Header.Get("Content-Encoding") != coding {
			t.Fatalf("%s (%q): %d, Content-Encoding %q", css, coding, r.Status, r.Header.Get("Content-Encoding"))
		}
		if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", css, cc)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
			t.Errorf("%s: Content-Type %q", css, ct)
		}
		// The same for everyone in every language: only the encoding varies.
		if v := r.Header.Values("Vary"); !slices.Equal(v, []string{"Accept-Encoding"}) {
			t.Errorf("%s: Vary %q, want only Accept-Encoding", css, v)
		}
		if decode(t, coding, r.Body) != plain.Body {
			t.Errorf("%s in %q decompresses to something else", css, coding)
		}
		etag := r.Header.Get("ETag")
		if again := b.getWith(css, "Accept-Encoding", coding, "If-None-Match", etag); again.Status != http.StatusNotModified {
			t.Errorf("%s in %q: If-None-Match %s: %d", css, coding, etag, again.Status)
		}
		checkSecurityHeaders(t, r)
	}

	t.Run("quality values", func(t *testing.T) {
		for accept, want := range map[string]string{
			"gzip, deflate, br, zstd": "br", // the smallest copy
			"gzip, deflate, br":       "br",
			"gzip, br;q=0.5":          "gzip",
			"zstd;q=0.9, gzip;q=0.1":  "zstd",
			"*":                       "br",
			"x-gzip":                  "gzip",
			"identity, gzip;q=0.5":    "",
			"br;q=0, gzip;q=0, zstd":  "zstd",
			"deflate":                 "",
			"":                        "",
		} {
			if got := b.getWith(css, "Accept-Encoding", accept).Header.Get("Content-Encoding"); got != want {
				t.Errorf("Accept-Encoding %q: %q, want %q", accept, got, want)
			}
		}
	})

	t.Run("Range and HEAD", func(t *testing.T) {
		r := b.getWith(css, "Accept-Encoding", "gzip", "Range", "bytes=0-9")
		if r.Status != http.StatusPartialContent || len(r.Body) != 10 || !strings.HasPrefix(r.Body, "\x1f\x8b") {
			t.Errorf("a range of the gzip copy: %d, %q", r.Status, r.Body)
		}
		req := b.newRequest(http.MethodHead, css, nil)
		req.Header.Set("Accept-Encoding", "br")
		if r := b.do(req); r.Status != http.StatusOK || r.Body != "" || r.Header.Get("Content-Encoding") != "br" {
			t.Errorf("HEAD: %d, %d bytes, %q", r.Status, len(r.Body), r.Header.Get("Content-Encoding"))
		}
	})

	t.Run("a fingerprint that is not the file's", func(t *testing.T) {
		r := b.get("/static/samen.0123456789.css")
		if r.Status != http.StatusTemporaryRedirect || r.Location() != css || !strings.Contains(r.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("an old fingerprint: %d to %q (%q), want %s", r.Status, r.Location(), r.Header.Get("Cache-Control"), css)
		}
		for _, path := range []string{"/static/nothing.0123456789.css", "/static/samen.0123456789", "/static/samen.css.0123456789"} {
			if r := b.get(path); r.Status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, r.Status)
			}
		}
	})

	t.Run("where browsers look", func(t *testing.T) {
		if r := b.get("/robots.txt"); r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("/robots.txt: %d %q", r.Status, r.Header.Get("Content-Type"))
		}
		if r := b.get("/favicon.ico"); r.Status != http.StatusMovedPermanently || r.Location() != "/static/favicon.svg" {
			t.Errorf("/favicon.ico: %d to %q", r.Status, r.Location())
		}
	})

	t.Run("every static URL in the pages is fingerprinted", func(t *testing.T) {
		attr := regexp.MustCompile(`(?:href|src|data-world|data-maplibre[a-z-]*)="(/static/[^"]*)"`)
		seen := map[string]bool{}
		for _, path := range []string{"/", "/atlas", "/embed/atlas", "/login", "/api", "/toolbox", "/assessments", "/no-such-page"} {
			page := b.get(path)
			if !strings.Contains(page.Body, "/static/") {
				t.Errorf("%s names no static file", path)
			}
			if n := strings.Count(page.Body, "/static/"); n != len(attr.FindAllString(page.Body, -1)) {
				t.Errorf("%s names /static/ %d times, in an attribute %d times", path, n, len(attr.FindAllString(page.Body, -1)))
			}
			for _, m := range attr.FindAllStringSubmatch(page.Body, -1) {
				if !fingerprinted.MatchString(m[1]) {
					t.Errorf("%s: %s has no fingerprint", path, m[1])
				}
				seen[m[1]] = true
			}
		}
		for url := range seen {
			if r := b.get(url); r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
				t.Errorf("%s: %d, Cache-Control %q", url, r.Status, r.Header.Get("Cache-Control"))
			}
		}
	})

	t.Run("the map library waits for the page", func(t *testing.T) {
		page := b.get("/atlas")
		// MapLibre is named only for atlas-map.js to fetch once the list is
		// there, not as a script or style sheet of the page.
		for _, tag := range regexp.MustCompile(`<(?:script|link)[^>]*>`).FindAllString(page.Body, -1) {
			if strings.Contains(tag, "maplibre") {
				t.Errorf("the page loads MapLibre itself: %s", tag)
			}
		}
		mustContain(t, page, `data-maplibre="/static/vendor/maplibre-gl.`, `data-maplibre-worker="/static/vendor/maplibre-gl-worker.`)
		script := b.get(regexp.MustCompile(`src="(/static/atlas-map\.[0-9a-f]+\.js)"`).FindStringSubmatch(page.Body)[1]).Body
		if strings.Contains(script, "import * as") || !strings.Contains(script, "import(") {
			t.Error("atlas-map.js imports MapLibre up front")
		}
	})
}

// The basemap archive is read by Range and is compressed already: it is
// never compressed again, whatever the browser takes.
func TestBasemapNotCompressed(t *testing.T) {
	t.Parallel()
	pm, file := testArchive(t, 0, false, map[string]string{"0/0/0": strings.Repeat("land and sea ", 200)})
	s := newSite(t, storetest.SQLite(t), withMap(web.MapOptions{PMTiles: pm}))
	b := s.browser("en")
	whole := b.getWith("/tiles/basemap.pmtiles", "Accept-Encoding", "gzip, br, zstd")
	if whole.Header.Get("Content-Encoding") != "" || whole.Body != string(file) || whole.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("the archive: Content-Encoding %q, %d bytes of %d, Accept-Ranges %q",
			whole.Header.Get("Content-Encoding"), len(whole.Body), len(file), whole.Header.Get("Accept-Ranges"))
	}
	r := b.getWith("/tiles/basemap.pmtiles", "Accept-Encoding", "gzip, br, zstd", "Range", "bytes=0-126")
	if r.Status != http.StatusPartialContent || r.Body != string(file[:127]) || r.Header.Get("Content-Encoding") != "" {
		t.Errorf("a range: %d, Content-Encoding %q, %d bytes", r.Status, r.Header.Get("Content-Encoding"), len(r.Body))
	}
	if !bytes.Equal([]byte(b.getWith("/tiles/basemap.pmtiles", "Range", "bytes=-5").Body), file[len(file)-5:]) {
		t.Error("the last bytes")
	}
}
