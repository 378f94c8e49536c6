package web

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"strconv"
	"strings"

	"samen/internal/pmtiles"
)

// The basemap samen serves itself, from a PMTiles archive on its own disk
// (SAMEN_MAP_PMTILES): the visitors' browsers ask samen for the tiles, so
// no tile server learns who looks at the map, or where.

// tileCache is how long browsers and proxies may keep a tile: the archive
// changes only when the operator replaces it and restarts samen.
const tileCache = "public, max-age=86400"

// tile answers GET /tiles/{z}/{x}/{y} with one tile of the archive, stored
// bytes as they are: gzip-compressed tiles go out with Content-Encoding
// gzip (unpacked here for the rare client that does not take gzip).
func (s *Server) tile(w http.ResponseWriter, r *http.Request) error {
	pm := s.opts.Map.PMTiles
	if pm == nil {
		return problemNotFound
	}
	z, x, y, ok := tileAddress(r.PathValue("z"), r.PathValue("x"), r.PathValue("y"))
	if !ok {
		http.Error(w, "bad tile address: /tiles/{z}/{x}/{y} takes a zoom from 0 to 31 and x and y from 0 to 2^z-1", http.StatusBadRequest)
		return nil
	}
	data, found, err := pm.Tile(r.Context(), z, x, y)
	if err != nil {
		if r.Context().Err() != nil {
			return nil // the map moved on; nobody waits for this tile
		}
		return err
	}
	h := pm.Header()
	w.Header().Set("Cache-Control", tileCache)
	// A tile is the same in every language and for everyone: only the
	// encoding varies, and caches should know no more than that.
	w.Header().Set("Vary", "Accept-Encoding")
	if !found {
		// Most of the world is not in a city's extract: say so briefly.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		return nil
	}
	gzipped := h.TileCompression == pmtiles.Gzip ||
		h.TileCompression == pmtiles.UnknownCompression && bytes.HasPrefix(data, []byte{0x1f, 0x8b})
	tag := contentTag(data)
	if gzipped {
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			w.Header().Set("Content-Encoding", "gzip")
		} else {
			if data, err = gunzip(data); err != nil {
				return fmt.Errorf("tile %d/%d/%d: %w", z, x, y, err)
			}
			tag += "-identity"
		}
	}
	etag := `"` + tag + `"`
	ctype := h.TileType.ContentType()
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("ETag", etag)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, err = w.Write(data)
	return err
}

// basemapFile answers GET /tiles/basemap.pmtiles with the archive itself,
// with Range requests, for clients that read PMTiles on their own.
func (s *Server) basemapFile(w http.ResponseWriter, r *http.Request) error {
	pm := s.opts.Map.PMTiles
	if pm == nil {
		return problemNotFound
	}
	w.Header().Del("Vary") // the same file for everyone
	w.Header().Set("Content-Type", "application/vnd.pmtiles")
	w.Header().Set("Cache-Control", tileCache)
	// A strong ETag: PMTiles readers check that every range they read comes
	// from the same file.
	w.Header().Set("ETag", fmt.Sprintf(`"%x-%x"`, pm.Size(), pm.ModTime().UnixNano()))
	http.ServeContent(w, r, "basemap.pmtiles", pm.ModTime(), pm.File())
	return nil
}

// tileAddress parses a tile's zoom, column and row, refusing addresses
// outside the tile pyramid.
func tileAddress(zs, xs, ys string) (z uint8, x, y uint32, ok bool) {
	z64, err := strconv.ParseUint(zs, 10, 8)
	if err != nil || z64 > pmtiles.MaxZoom {
		return 0, 0, 0, false
	}
	x64, errX := strconv.ParseUint(xs, 10, 32)
	y64, errY := strconv.ParseUint(ys, 10, 32)
	if errX != nil || errY != nil || x64>>z64 != 0 || y64>>z64 != 0 {
		return 0, 0, 0, false
	}
	return uint8(z64), uint32(x64), uint32(y64), true
}

// contentTag names a tile's bytes for its ETag: equal tiles (the sea, say)
// share one, so a browser revalidates them once.
func contentTag(b []byte) string {
	h := fnv.New128a()
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// etagMatches reports whether an If-None-Match header names etag (or is *).
func etagMatches(header, etag string) bool {
	for c := range strings.SplitSeq(header, ",") {
		c = strings.TrimPrefix(strings.TrimSpace(c), "W/")
		if c == "*" || c == etag {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip: named
// with a non-zero quality, or covered by * when not named.
func acceptsGzip(header string) bool {
	return encodingQuality(acceptEncodings(header), "gzip") > 0
}

// maxTileBytes bounds a tile unpacked for a client without gzip.
const maxTileBytes = 32 << 20

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxTileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxTileBytes {
		return nil, fmt.Errorf("a tile unpacks to more than %d MB", maxTileBytes>>20)
	}
	return out, nil
}
