package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// The static files (static/, embedded in the binary) are read once per
// process, when the first server is built: each gets a fingerprint, the
// start of the SHA-256 of its bytes, and, when it is text worth
// compressing, a brotli, a zstd and a gzip copy. Pages name them by
// fingerprinted URL (page.Asset), which browsers may keep for a year: a new
// file has a new URL. Compressing at start rather than with go:generate
// keeps the repository free of generated binaries that every change to
// samen.css or atlas-map.js would have to regenerate; it costs a few
// tenths of a second once per process.

const (
	// immutableCache is for fingerprinted URLs: their bytes never change.
	immutableCache = "public, max-age=31536000, immutable"
	// staticCache is for the same files without a fingerprint (old pages,
	// bookmarks, robots.txt): short, since the next version may differ.
	staticCache = "public, max-age=300"
	// hashLen is how many hex digits of the SHA-256 a fingerprint keeps.
	hashLen = 10
)

// asset is one static file as it is served.
type asset struct {
	name     string // path under static/, as "vendor/maplibre-gl.mjs"
	hash     string // hashLen hex digits of the SHA-256 of body
	url      string // its fingerprinted URL
	ctype    string
	body     []byte
	variants []encoded // smallest first
}

// encoded is a compressed copy of an asset.
type encoded struct {
	coding string // the Content-Encoding: br, zstd or gzip
	body   []byte
}

func (a *asset) etag(coding string) string {
	if coding == "" {
		return `"` + a.hash + `"`
	}
	// Not gzhttp's "-gzip": withCompression takes that off If-None-Match.
	return `"` + a.hash + "." + coding + `"`
}

// assetSet is every static file, by name and by fingerprinted name.
type assetSet struct {
	byName map[string]*asset
}

// loadAssets reads and compresses the static files once per process, for
// every server built in it.
var loadAssets = sync.OnceValues(func() (*assetSet, error) {
	return readAssets(staticFS, "static")
})

// assetTypes are the types of the static files samen has, so that they do
// not depend on the host's MIME tables.
var assetTypes = map[string]string{
	".css":     "text/css; charset=utf-8",
	".js":      "text/javascript; charset=utf-8",
	".mjs":     "text/javascript; charset=utf-8",
	".svg":     "image/svg+xml",
	".txt":     "text/plain; charset=utf-8",
	".json":    "application/json",
	".geojson": "application/geo+json",
	".png":     "image/png",
	".webp":    "image/webp",
}

func readAssets(fsys fs.FS, root string) (*assetSet, error) {
	set := &assetSet{byName: map[string]*asset{}}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, root+"/")
		sum := sha256.Sum256(body)
		a := &asset{name: name, hash: hex.EncodeToString(sum[:])[:hashLen], body: body}
		ext := path.Ext(name)
		a.url = "/static/" + strings.TrimSuffix(name, ext) + "." + a.hash + ext
		if a.ctype = assetTypes[ext]; a.ctype == "" {
			if a.ctype = mime.TypeByExtension(ext); a.ctype == "" {
				a.ctype = http.DetectContentType(body)
			}
		}
		set.byName[name] = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Each file in each encoding at once: the large MapLibre files set
	// the pace.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, a := range set.byName {
		if len(a.body) < compressMinSize || !compressible(a.ctype) {
			continue
		}
		for _, c := range assetCoders {
			wg.Go(func() {
				body, err := c.encode(a.body)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, fmt.Errorf("%s in %s: %w", a.name, c.coding, err))
					return
				}
				// A copy that saves little is not worth a decoder's work.
				if len(body) < len(a.body)*7/8 {
					a.variants = append(a.variants, encoded{coding: c.coding, body: body})
				}
			})
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, errs[0]
	}
	for _, a := range set.byName {
		slices.SortFunc(a.variants, func(x, y encoded) int { return len(x.body) - len(y.body) })
	}
	return set, nil
}

// assetCoders compress the static files, at levels that take about a
// quarter of a second of processor time for all of them: higher ones
// (brotli 11, zstd's best) would take seconds at every start to save a
// few percent.
var assetCoders = []struct {
	coding string
	encode func([]byte) ([]byte, error)
}{
	{"br", func(b []byte) ([]byte, error) {
		var out bytes.Buffer
		w := brotli.NewWriterLevel(&out, 6)
		if _, err := w.Write(b); err != nil {
			return nil, err
		}
		err := w.Close()
		return out.Bytes(), err
	}},
	{"zstd", func(b []byte) ([]byte, error) {
		// A window browsers accept (RFC 8878 asks decoders for 8 MB).
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
			zstd.WithWindowSize(4<<20), zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		out := enc.EncodeAll(b, nil)
		return out, enc.Close()
	}},
	{"gzip", func(b []byte) ([]byte, error) {
		var out bytes.Buffer
		w, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(b); err != nil {
			return nil, err
		}
		err = w.Close()
		return out.Bytes(), err
	}},
}

// lookup finds the asset a path under /static/ names: its plain name, or
// its name with a fingerprint before the extension. current says whether
// that fingerprint is the file's; false for a plain name.
func (set *assetSet) lookup(name string) (a *asset, fingerprinted, current bool) {
	if a := set.byName[name]; a != nil {
		return a, false, false
	}
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	dot := strings.LastIndexByte(stem, '.')
	if dot < 0 || !isHash(stem[dot+1:]) {
		return nil, false, false
	}
	a = set.byName[stem[:dot]+ext]
	if a == nil {
		return nil, false, false
	}
	return a, true, stem[dot+1:] == a.hash
}

func isHash(s string) bool {
	if len(s) != hashLen {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// Asset returns the fingerprinted URL of a static file, for templates:
// {{.Asset "samen.css"}}. A name that is not a file fails the page, so that
// a typing error shows in every test that renders it.
func (p *page) Asset(name string) (string, error) {
	set, err := loadAssets()
	if err != nil {
		return "", err
	}
	a := set.byName[name]
	if a == nil {
		return "", fmt.Errorf("no static file %q", name)
	}
	return a.url, nil
}

// staticFile answers GET /static/…, /robots.txt and /favicon.ico.
// Fingerprinted URLs are cached for a year; plain ones, for old pages and
// bookmarks, briefly. A fingerprint that is not the file's (a page from
// before an upgrade, or from another version behind the same load
// balancer) is sent on to the current one.
func (s *Server) staticFile(w http.ResponseWriter, r *http.Request) error {
	set, err := loadAssets()
	if err != nil {
		return err
	}
	switch r.URL.Path {
	case "/favicon.ico":
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
		return nil
	case "/robots.txt":
		serveAsset(w, r, set.byName["robots.txt"], staticCache)
		return nil
	}
	a, fingerprinted, current := set.lookup(strings.TrimPrefix(r.URL.Path, "/static/"))
	switch {
	case a == nil:
		return problemNotFound
	case !fingerprinted:
		serveAsset(w, r, a, staticCache)
	case current:
		serveAsset(w, r, a, immutableCache)
	default:
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, a.url, http.StatusTemporaryRedirect)
	}
	return nil
}

// serveAsset sends a static file in the encoding the browser prefers of
// those stored, with Range and conditional requests as http.ServeContent
// answers them.
func serveAsset(w http.ResponseWriter, r *http.Request, a *asset, cacheControl string) {
	if a == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", cacheControl)
	h.Set("Content-Type", a.ctype)
	// Stored copies only: the middleware must not compress again.
	h.Set(gzhttp.HeaderNoCompression, "1")
	// A static file is the same in every language and for everyone: only
	// the encoding may vary, and caches must know no more than that (a
	// browser that honoured "Vary: Cookie" would fetch it again after each
	// login).
	h.Del("Vary")
	body, coding := a.body, ""
	if len(a.variants) > 0 {
		h.Set("Vary", "Accept-Encoding")
		if v := a.pick(r.Header.Get("Accept-Encoding")); v != nil {
			body, coding = v.body, v.coding
			h.Set("Content-Encoding", coding)
		}
	}
	h.Set("ETag", a.etag(coding))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// pick chooses the stored copy for an Accept-Encoding header: the coding
// with the highest quality value, the smallest copy among equals; nil for
// the file as it is, when the browser takes none of them or prefers it.
func (a *asset) pick(header string) *encoded {
	accepted := acceptEncodings(header)
	quality := func(coding string) float64 { return encodingQuality(accepted, coding) }
	// Variants are sorted smallest first: among equal quality values the
	// first wins, and any of them wins over the file as it is.
	var best *encoded
	bestQ := quality("identity")
	for i := range a.variants {
		if q := quality(a.variants[i].coding); q > 0 && (q > bestQ || best == nil && q == bestQ) {
			best, bestQ = &a.variants[i], q
		}
	}
	return best
}

// encodingQuality is the quality value a browser gives a coding, from what
// acceptEncodings read: named (gzip also as x-gzip), else covered by "*",
// else 0, not accepted. The file as it is ("identity") is acceptable unless
// refused, but comes last.
func encodingQuality(accepted map[string]float64, coding string) float64 {
	if q, ok := accepted[coding]; ok {
		return q
	}
	if coding == "gzip" {
		if q, ok := accepted["x-gzip"]; ok {
			return q
		}
	}
	if coding == "identity" {
		return 0.001
	}
	return accepted["*"] // 0 when absent
}

// acceptEncodings reads an Accept-Encoding header into codings and their
// quality values (RFC 9110, 12.5.3); a coding without one has 1.
func acceptEncodings(header string) map[string]float64 {
	out := map[string]float64{}
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding == "" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		out[coding] = q
	}
	return out
}
