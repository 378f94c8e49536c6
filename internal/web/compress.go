package web

import (
	"mime"
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
)

// Responses are compressed when the browser asks for it (Accept-Encoding,
// quality values honoured): zstd or gzip for what the handlers write, by
// klauspost/compress's gzhttp; the static files were compressed once at
// start (assets.go) and are sent as they are stored, brotli included.

// compressibleTypes are the media types worth compressing: text of every
// kind samen writes. Images other than SVG, PMTiles archives and tiles are
// compressed already or are read by Range, and are left alone.
var compressibleTypes = []string{
	"text/html", "text/css", "text/plain", "text/csv", "text/javascript", "text/xml",
	"application/javascript", "application/json", "application/problem+json", "application/geo+json",
	"application/ld+json", "application/atom+xml", "application/xml", "application/manifest+json",
	"image/svg+xml",
}

// compressMinSize is the smallest body worth compressing: below it, the
// answer fits in one packet anyway.
const compressMinSize = 1024

// compressible reports whether a Content-Type is one of compressibleTypes.
func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	for _, t := range compressibleTypes {
		if mt == t {
			return true
		}
	}
	return false
}

// etagSuffixes are what gzhttp adds to the ETag of a response it
// compressed, so that each encoding has a validator of its own.
var etagSuffixes = []string{"-gzip", "-zstd"}

// compressResponses is the middleware; built once, as its options are fixed.
var compressResponses = func() func(http.Handler) http.HandlerFunc {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.ContentTypes(compressibleTypes),
		gzhttp.MinSize(compressMinSize),
		// zstd when the browser takes it as gladly as gzip: smaller and
		// faster. Both at gzhttp's default levels, which are quick.
		gzhttp.PreferZstd(true),
		gzhttp.SuffixETag(etagSuffixes[0]),
	)
	if err != nil {
		panic("web: compression options: " + err.Error())
	}
	return wrap
}()

// withCompression compresses what next writes, for browsers that ask. It
// sits outside the security headers and the recovery, so error pages are
// compressed too, and inside the request log, which counts the bytes sent.
// Streaming answers stay streaming: a Flush flushes the compressor.
func withCompression(next http.Handler) http.Handler {
	h := compressResponses(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A handler compares a validator with the ETag it knows, which is
		// the one without the encoding's suffix.
		if inm := r.Header.Get("If-None-Match"); inm != "" {
			r.Header.Set("If-None-Match", withoutEncodingSuffix(inm))
		}
		h.ServeHTTP(w, r)
	})
}

// withoutEncodingSuffix removes the suffix gzhttp gave the ETags of
// compressed responses from an If-None-Match list.
func withoutEncodingSuffix(header string) string {
	for _, s := range etagSuffixes {
		header = strings.ReplaceAll(header, s+`"`, `"`)
	}
	return header
}
