// Package pmtiles reads PMTiles version 3 archives on local disk: one file
// holding a whole pyramid of map tiles, found through a directory of
// Hilbert-ordered tile ids. samen serves the tiles of such a file itself,
// so that the visitors of its map are seen by no third party.
//
// Only the parts of the format a local reader needs are here: the header,
// root and leaf directories (uncompressed or gzip-compressed), and tile
// lookup through ReadAt. Tiles are returned as they are stored; the tile
// compression in the header says how a client decodes them.
//
// The format is described at https://github.com/protomaps/PMTiles (spec/v3).
package pmtiles

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"
)

// HeaderLen is the size of a version 3 header.
const HeaderLen = 127

// MaxZoom is the deepest zoom level a tile id can address.
const MaxZoom = 31

// Limits on what a damaged or hostile file can make the reader allocate.
const (
	maxDirectoryBytes = 32 << 20 // a directory, compressed or not
	maxTileBytes      = 64 << 20 // one tile
	maxDepth          = 4        // root, then leaves of leaves
	cachedDirectories = 64       // leaf directories kept decoded
)

// TileType is what the tiles of an archive are.
type TileType uint8

// The tile types of the specification.
const (
	UnknownType TileType = 0
	MVT         TileType = 1 // Mapbox Vector Tile (protobuf)
	PNG         TileType = 2
	JPEG        TileType = 3
	WebP        TileType = 4
	AVIF        TileType = 5
)

// String returns the type's usual name: mvt, png, jpeg, webp, avif or unknown.
func (t TileType) String() string {
	switch t {
	case MVT:
		return "mvt"
	case PNG:
		return "png"
	case JPEG:
		return "jpeg"
	case WebP:
		return "webp"
	case AVIF:
		return "avif"
	}
	return "unknown"
}

// ContentType is the media type of one tile, or "" for an unknown type.
func (t TileType) ContentType() string {
	switch t {
	case MVT:
		return "application/vnd.mapbox-vector-tile"
	case PNG:
		return "image/png"
	case JPEG:
		return "image/jpeg"
	case WebP:
		return "image/webp"
	case AVIF:
		return "image/avif"
	}
	return ""
}

// Raster reports whether the tiles are images.
func (t TileType) Raster() bool { return t >= PNG && t <= AVIF }

// Compression is how directories or tiles are compressed.
type Compression uint8

// The compressions of the specification.
const (
	UnknownCompression Compression = 0
	None               Compression = 1
	Gzip               Compression = 2
	Brotli             Compression = 3
	Zstd               Compression = 4
)

// String returns the compression's name as in Content-Encoding (none for
// none).
func (c Compression) String() string {
	switch c {
	case None:
		return "none"
	case Gzip:
		return "gzip"
	case Brotli:
		return "br"
	case Zstd:
		return "zstd"
	}
	return "unknown"
}

// Header is the fixed-size start of an archive.
type Header struct {
	RootOffset, RootLength         uint64
	MetadataOffset, MetadataLength uint64
	LeafOffset, LeafLength         uint64
	TileDataOffset, TileDataLength uint64
	AddressedTiles                 uint64 // 0 if unknown
	TileEntries                    uint64 // 0 if unknown
	TileContents                   uint64 // 0 if unknown
	Clustered                      bool
	InternalCompression            Compression // of directories and metadata
	TileCompression                Compression
	TileType                       TileType
	MinZoom, MaxZoom               uint8
	// Bounds and centre, in degrees.
	MinLon, MinLat, MaxLon, MaxLat float64
	CenterZoom                     uint8
	CenterLon, CenterLat           float64
}

// ErrNotPMTiles says a file does not start like a PMTiles archive.
var ErrNotPMTiles = errors.New("not a PMTiles file")

// ErrInvalidTile says a tile address is outside the tile pyramid: a zoom
// above MaxZoom, or x or y not below 2^z.
var ErrInvalidTile = errors.New("no such tile address")

// ParseHeader reads and checks a version 3 header. It accepts what this
// package can read: directories uncompressed or gzip-compressed, and tiles
// uncompressed, gzip-compressed or of unknown compression.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, fmt.Errorf("%w: shorter than the %d-byte header", ErrNotPMTiles, HeaderLen)
	}
	if string(b[:7]) != "PMTiles" {
		// Version 1 and 2 archives start with "PM" and their version.
		if b[0] == 'P' && b[1] == 'M' && (b[2] == 1 || b[2] == 2) {
			return Header{}, fmt.Errorf("PMTiles version %d; only version 3 is supported (convert it with `pmtiles convert`)", b[2])
		}
		return Header{}, ErrNotPMTiles
	}
	if b[7] != 3 {
		return Header{}, fmt.Errorf("PMTiles version %d; only version 3 is supported", b[7])
	}
	le := binary.LittleEndian
	u64 := func(at int) uint64 { return le.Uint64(b[at:]) }
	deg := func(at int) float64 { return float64(int32(le.Uint32(b[at:]))) / 1e7 }
	h := Header{
		RootOffset: u64(8), RootLength: u64(16),
		MetadataOffset: u64(24), MetadataLength: u64(32),
		LeafOffset: u64(40), LeafLength: u64(48),
		TileDataOffset: u64(56), TileDataLength: u64(64),
		AddressedTiles: u64(72), TileEntries: u64(80), TileContents: u64(88),
		Clustered:           b[96] == 1,
		InternalCompression: Compression(b[97]),
		TileCompression:     Compression(b[98]),
		TileType:            TileType(b[99]),
		MinZoom:             b[100],
		MaxZoom:             b[101],
		MinLon:              deg(102), MinLat: deg(106), MaxLon: deg(110), MaxLat: deg(114),
		CenterZoom: b[118],
		CenterLon:  deg(119), CenterLat: deg(123),
	}
	switch h.InternalCompression {
	case None, Gzip:
	default:
		return Header{}, fmt.Errorf("unsupported compression of directories: %s (%d); this reader knows none and gzip", h.InternalCompression, h.InternalCompression)
	}
	switch h.TileCompression {
	case None, Gzip, UnknownCompression:
	default:
		return Header{}, fmt.Errorf("unsupported compression of tiles: %s (%d); this reader knows none and gzip", h.TileCompression, h.TileCompression)
	}
	if h.MinZoom > h.MaxZoom || h.MaxZoom > MaxZoom {
		return Header{}, fmt.Errorf("zoom levels %d to %d are not a valid range", h.MinZoom, h.MaxZoom)
	}
	if h.RootLength == 0 {
		return Header{}, errors.New("the root directory is empty")
	}
	return h, nil
}

// Entry is one directory entry: a run of RunLength tiles from TileID on,
// all with the bytes at Offset in the tile data, or, when RunLength is 0, a
// leaf directory at Offset in the leaf section.
type Entry struct {
	TileID    uint64
	Offset    uint64
	Length    uint32
	RunLength uint32
}

// ParseDirectory decodes an uncompressed directory.
func ParseDirectory(b []byte) ([]Entry, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, errors.New("directory: no entry count")
	}
	b = b[k:]
	// Every entry takes at least four bytes, one per column.
	if n == 0 || n > uint64(len(b))/4 {
		return nil, fmt.Errorf("directory: %d entries cannot fit in %d bytes", n, len(b))
	}
	next := func() (uint64, bool) {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return 0, false
		}
		b = b[k:]
		return v, true
	}
	entries := make([]Entry, n)
	var id uint64
	for i := range entries {
		d, ok := next()
		switch {
		case !ok:
			return nil, errors.New("directory: truncated tile ids")
		case i > 0 && d == 0:
			return nil, errors.New("directory: tile ids are not ascending")
		case id+d < id:
			return nil, errors.New("directory: tile id overflows")
		}
		id += d
		entries[i].TileID = id
	}
	for i := range entries {
		v, ok := next()
		if !ok || v > math.MaxUint32 {
			return nil, errors.New("directory: bad run length")
		}
		entries[i].RunLength = uint32(v)
	}
	for i := range entries {
		v, ok := next()
		if !ok || v == 0 || v > math.MaxUint32 {
			return nil, errors.New("directory: bad length")
		}
		entries[i].Length = uint32(v)
	}
	for i := range entries {
		v, ok := next()
		switch {
		case !ok:
			return nil, errors.New("directory: truncated offsets")
		case v == 0 && i == 0:
			return nil, errors.New("directory: the first offset refers to no previous entry")
		case v == 0:
			prev := entries[i-1]
			entries[i].Offset = prev.Offset + uint64(prev.Length)
			if entries[i].Offset < prev.Offset {
				return nil, errors.New("directory: offset overflows")
			}
		default:
			entries[i].Offset = v - 1
		}
	}
	return entries, nil
}

// find returns the entry holding id: a run that covers it, or the leaf
// directory whose range may hold it.
func find(entries []Entry, id uint64) (Entry, bool) {
	lo, hi := 0, len(entries)-1
	for lo <= hi {
		m := int(uint(lo+hi) >> 1)
		switch {
		case id > entries[m].TileID:
			lo = m + 1
		case id < entries[m].TileID:
			hi = m - 1
		default:
			return entries[m], true
		}
	}
	// hi is now the last entry before id, if any.
	if hi >= 0 {
		e := entries[hi]
		if e.RunLength == 0 || id-e.TileID < uint64(e.RunLength) {
			return e, true
		}
	}
	return Entry{}, false
}

// TileID returns the tile's position on the series of Hilbert curves, one
// per zoom level, that orders a PMTiles archive.
func TileID(z uint8, x, y uint32) (uint64, error) {
	if z > MaxZoom {
		return 0, ErrInvalidTile
	}
	n := uint64(1) << z
	tx, ty := uint64(x), uint64(y)
	if tx >= n || ty >= n {
		return 0, ErrInvalidTile
	}
	// The tiles of all lower zoom levels come first: 4^0 + … + 4^(z-1).
	acc := (uint64(1)<<(2*uint(z)) - 1) / 3
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint64
		if tx&s != 0 {
			rx = 1
		}
		if ty&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		// Rotate the quadrant so the curve inside it has the right
		// orientation; only the bits below s matter from here on.
		if ry == 0 {
			if rx == 1 {
				tx = s - 1 - tx
				ty = s - 1 - ty
			}
			tx, ty = ty, tx
		}
	}
	return acc + d, nil
}

// Reader reads tiles from one archive. It is safe for concurrent use.
type Reader struct {
	r       io.ReaderAt
	closer  io.Closer
	size    int64
	modTime time.Time
	h       Header
	root    []Entry

	mu    sync.Mutex
	lru   *list.List // of *cached, most recently used first
	cache map[dirKey]*list.Element
}

type dirKey struct {
	offset uint64
	length uint32
}

type cached struct {
	key     dirKey
	entries []Entry
}

// Open opens an archive on disk and reads its header and root directory.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	r, err := NewReader(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer, r.modTime = f, fi.ModTime()
	return r, nil
}

// NewReader reads an archive of size bytes from r.
func NewReader(r io.ReaderAt, size int64) (*Reader, error) {
	buf := make([]byte, HeaderLen)
	if _, err := r.ReadAt(buf, 0); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: shorter than the %d-byte header", ErrNotPMTiles, HeaderLen)
		}
		return nil, err
	}
	h, err := ParseHeader(buf)
	if err != nil {
		return nil, err
	}
	for _, s := range []struct {
		name        string
		off, length uint64
	}{
		{"root directory", h.RootOffset, h.RootLength},
		{"metadata", h.MetadataOffset, h.MetadataLength},
		{"leaf directories", h.LeafOffset, h.LeafLength},
		{"tile data", h.TileDataOffset, h.TileDataLength},
	} {
		if s.off+s.length < s.off || s.off+s.length > uint64(size) {
			return nil, fmt.Errorf("the %s lies beyond the end of the file (truncated?)", s.name)
		}
	}
	rd := &Reader{r: r, size: size, h: h, lru: list.New(), cache: map[dirKey]*list.Element{}}
	if h.RootLength > maxDirectoryBytes {
		return nil, errors.New("the root directory is too large")
	}
	if rd.root, err = rd.readDirectory(h.RootOffset, h.RootLength); err != nil {
		return nil, fmt.Errorf("root directory: %w", err)
	}
	return rd, nil
}

// Close closes the file Open opened.
func (r *Reader) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// Header returns the archive's header.
func (r *Reader) Header() Header { return r.h }

// Size is the size of the whole file.
func (r *Reader) Size() int64 { return r.size }

// ModTime is when the file was last changed (zero for NewReader).
func (r *Reader) ModTime() time.Time { return r.modTime }

// File returns a reader of the whole file, for clients that read the
// archive themselves with Range requests. Each call has its own position.
func (r *Reader) File() *io.SectionReader { return io.NewSectionReader(r.r, 0, r.size) }

// Tile returns the stored bytes of tile z/x/y (compressed as the header's
// TileCompression says), or false when the archive does not have it.
func (r *Reader) Tile(ctx context.Context, z uint8, x, y uint32) ([]byte, bool, error) {
	id, err := TileID(z, x, y)
	if err != nil {
		return nil, false, err
	}
	if z < r.h.MinZoom || z > r.h.MaxZoom {
		return nil, false, nil
	}
	entries := r.root
	for range maxDepth {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		e, ok := find(entries, id)
		if !ok {
			return nil, false, nil
		}
		if e.RunLength > 0 {
			b, err := r.readTile(e)
			return b, err == nil, err
		}
		if entries, err = r.leaf(e); err != nil {
			return nil, false, err
		}
	}
	return nil, false, errors.New("pmtiles: leaf directories nested too deep")
}

func (r *Reader) readTile(e Entry) ([]byte, error) {
	if e.Length > maxTileBytes {
		return nil, fmt.Errorf("pmtiles: tile %d is %d bytes, more than this reader accepts", e.TileID, e.Length)
	}
	if e.Offset > r.h.TileDataLength || uint64(e.Length) > r.h.TileDataLength-e.Offset {
		return nil, fmt.Errorf("pmtiles: tile %d lies outside the tile data", e.TileID)
	}
	return r.read(r.h.TileDataOffset+e.Offset, uint64(e.Length))
}

// leaf returns the leaf directory an entry points to, from the cache if it
// was read before.
func (r *Reader) leaf(e Entry) ([]Entry, error) {
	key := dirKey{e.Offset, e.Length}
	r.mu.Lock()
	if el, ok := r.cache[key]; ok {
		r.lru.MoveToFront(el)
		entries := el.Value.(*cached).entries
		r.mu.Unlock()
		return entries, nil
	}
	r.mu.Unlock()

	if e.Offset > r.h.LeafLength || uint64(e.Length) > r.h.LeafLength-e.Offset {
		return nil, errors.New("pmtiles: a leaf directory lies outside the leaf section")
	}
	if e.Length > maxDirectoryBytes {
		return nil, errors.New("pmtiles: a leaf directory is too large")
	}
	entries, err := r.readDirectory(r.h.LeafOffset+e.Offset, uint64(e.Length))
	if err != nil {
		return nil, fmt.Errorf("pmtiles: leaf directory at %d: %w", e.Offset, err)
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.cache[key]; ok { // another request read it meanwhile
		r.lru.MoveToFront(el)
		return el.Value.(*cached).entries, nil
	}
	r.cache[key] = r.lru.PushFront(&cached{key: key, entries: entries})
	if r.lru.Len() > cachedDirectories {
		last := r.lru.Back()
		r.lru.Remove(last)
		delete(r.cache, last.Value.(*cached).key)
	}
	return entries, nil
}

// read reads length bytes at off of the file.
func (r *Reader) read(off, length uint64) ([]byte, error) {
	if off > math.MaxInt64 {
		return nil, errors.New("pmtiles: offset beyond the file")
	}
	b := make([]byte, length)
	n, err := r.r.ReadAt(b, int64(off))
	if n == len(b) {
		return b, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return nil, err
}

func (r *Reader) readDirectory(off, length uint64) ([]Entry, error) {
	b, err := r.read(off, length)
	if err != nil {
		return nil, err
	}
	if b, err = decompress(b, r.h.InternalCompression); err != nil {
		return nil, err
	}
	return ParseDirectory(b)
}

// decompress undoes a directory's compression, refusing to inflate more
// than maxDirectoryBytes.
func decompress(b []byte, c Compression) ([]byte, error) {
	switch c {
	case None:
		return b, nil
	case Gzip:
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, maxDirectoryBytes+1))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		if len(out) > maxDirectoryBytes {
			return nil, errors.New("a directory inflates to more than this reader accepts")
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported compression %s", c)
}
