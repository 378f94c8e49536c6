package web

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// A streamed answer stays streamed when compressed: what a handler flushes
// reaches the browser before the handler is done.
func TestCompressionStreams(t *testing.T) {
	t.Parallel()
	row := strings.Repeat("a,b,c,d\n", 256) // 2 KB, more than the minimum
	release := make(chan struct{})
	srv := httptest.NewServer(withCompression(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		io.WriteString(w, row)
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		<-release
		io.WriteString(w, "end\n")
	})))
	defer srv.Close()
	defer close(release)

	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, len(row))
	if _, err := io.ReadFull(bufio.NewReader(zr), first); err != nil || string(first) != row {
		t.Fatalf("the flushed part did not arrive before the end: %v", err)
	}
}

// What is compressed already, or read by Range, is sent as it is.
func TestCompressionLeavesAlone(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("x", 4096)
	for _, tc := range []struct{ name, ctype, encoding, contentRange string }{
		{"a PNG logo", "image/png", "", ""},
		{"a JPEG logo", "image/jpeg", "", ""},
		{"a WebP logo", "image/webp", "", ""},
		{"a PMTiles archive", "application/vnd.pmtiles", "", ""},
		{"a gzipped tile", "application/vnd.mapbox-vector-tile", "gzip", ""},
		{"a range of a style sheet", "text/css", "", "bytes 0-4095/10000"},
	} {
		h := withCompression(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", tc.ctype)
			if tc.encoding != "" {
				w.Header().Set("Content-Encoding", tc.encoding)
			}
			if tc.contentRange != "" {
				w.Header().Set("Content-Range", tc.contentRange)
				w.WriteHeader(http.StatusPartialContent)
			}
			io.WriteString(w, body)
		}))
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("Content-Encoding"); got != tc.encoding || rec.Body.String() != body {
			t.Errorf("%s: Content-Encoding %q, %d bytes; want it untouched", tc.name, got, rec.Body.Len())
		}
	}
	for _, ct := range []string{"text/html; charset=utf-8", "application/json", "application/problem+json", "text/csv; charset=utf-8",
		"application/geo+json", "text/javascript; charset=utf-8", "text/css; charset=utf-8", "image/svg+xml", "application/atom+xml; charset=utf-8"} {
		if !compressible(ct) {
			t.Errorf("%s is not compressed", ct)
		}
	}
}

// If-None-Match loses the encoding's suffix before the handler compares it.
func TestWithoutEncodingSuffix(t *testing.T) {
	for in, want := range map[string]string{
		`"abc-gzip"`:               `"abc"`,
		`W/"abc-zstd", "def"`:      `W/"abc", "def"`,
		`"abc"`:                    `"abc"`,
		`"a-gzip-b"`:               `"a-gzip-b"`,
		`"5f3a.gzip", "5f3a-gzip"`: `"5f3a.gzip", "5f3a"`,
	} {
		if got := withoutEncodingSuffix(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

// The static files are read once, fingerprinted and compressed: every
// copy decompresses to the file, and none is kept that saves little.
func TestAssetSet(t *testing.T) {
	set, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"samen.css", "atlas-map.js", "vendor/maplibre-gl.mjs", "vendor/maplibre-gl-worker.mjs", "vendor/maplibre-gl.css"} {
		a := set.byName[name]
		if a == nil {
			t.Fatalf("no %s", name)
		}
		if len(a.variants) != 3 {
			t.Errorf("%s: %d compressed copies, want br, zstd and gzip", name, len(a.variants))
		}
		for _, v := range a.variants {
			if len(v.body) >= len(a.body)*7/8 {
				t.Errorf("%s in %s: %d bytes of %d", name, v.coding, len(v.body), len(a.body))
			}
		}
	}
	if a := set.byName["favicon.svg"]; a == nil || len(a.variants) != 0 {
		t.Errorf("favicon.svg (a few hundred bytes) should be sent as it is")
	}
}

// One reading of Accept-Encoding for the static files and the tiles.
func TestAcceptEncodings(t *testing.T) {
	for _, tc := range []struct {
		header     string
		gzip, br   float64
		identityOK bool
	}{
		{"", 0, 0, true},
		{"gzip, deflate, br, zstd", 1, 1, true},
		{"GZIP;Q=0.5 , br ; q=0.25", 0.5, 0.25, true},
		{"x-gzip", 1, 0, true},
		{"*", 1, 1, true},
		{"*;q=0.3, br;q=0", 0.3, 0, true},
		{"gzip;q=0", 0, 0, true},
		{"gzip;q=2, br;q=nonsense", 0, 0, true},
		{"identity;q=0, gzip", 1, 0, false},
		{",,;q=1,gzip", 1, 0, true},
	} {
		a := acceptEncodings(tc.header)
		if got := encodingQuality(a, "gzip"); got != tc.gzip {
			t.Errorf("%q: gzip %v, want %v", tc.header, got, tc.gzip)
		}
		if got := encodingQuality(a, "br"); got != tc.br {
			t.Errorf("%q: br %v, want %v", tc.header, got, tc.br)
		}
		if got := encodingQuality(a, "identity") > 0; got != tc.identityOK {
			t.Errorf("%q: identity acceptable %v", tc.header, got)
		}
		if acceptsGzip(tc.header) != (tc.gzip > 0) {
			t.Errorf("%q: acceptsGzip %v", tc.header, acceptsGzip(tc.header))
		}
	}
}
