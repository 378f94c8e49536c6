package pmtiles

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// A small PMTiles writer for the tests, written from the specification
// rather than from the reader, so that the two check each other.

type writeOptions struct {
	internal        Compression // of directories and metadata: None or Gzip
	tileCompression Compression
	tileType        TileType
	// maxEntries is the most entries a directory may hold; a larger one is
	// split into leaves (and leaves of leaves). 0: all in the root.
	maxEntries int
	metadata   string
}

// archive is a written archive and what it should hold.
type archive struct {
	data  []byte
	tiles map[uint64][]byte // tile id -> stored bytes
	// entries and contents as the header counts them
	entries, contents int
}

type zxy struct {
	z    uint8
	x, y uint32
}

// buildArchive writes tiles (keyed by address) into an archive. Equal
// contents are stored once: neighbours with equal contents become one entry
// with a run length, others point back to the first copy.
func buildArchive(t testing.TB, tiles map[zxy][]byte, o writeOptions) archive {
	t.Helper()
	byID := map[uint64][]byte{}
	minZ, maxZ := uint8(MaxZoom), uint8(0)
	for a, b := range tiles {
		id, err := TileID(a.z, a.x, a.y)
		if err != nil {
			t.Fatalf("TileID%v: %v", a, err)
		}
		if o.tileCompression == Gzip {
			b = gzipped(t, b)
		}
		byID[id] = b
		minZ, maxZ = min(minZ, a.z), max(maxZ, a.z)
	}
	ids := make([]uint64, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)

	var data bytes.Buffer
	offsets := map[string]uint64{}
	var entries []Entry
	for _, id := range ids {
		b := byID[id]
		if n := len(entries); n > 0 {
			last := &entries[n-1]
			if last.TileID+uint64(last.RunLength) == id && string(byID[last.TileID]) == string(b) {
				last.RunLength++
				continue
			}
		}
		off, seen := offsets[string(b)]
		if !seen {
			off = uint64(data.Len())
			offsets[string(b)] = off
			data.Write(b)
		}
		entries = append(entries, Entry{TileID: id, Offset: off, Length: uint32(len(b)), RunLength: 1})
	}

	// Split into leaves until the root is small enough; leaves of each
	// level go into the leaf section one after another.
	var leaves bytes.Buffer
	root := entries
	for o.maxEntries > 0 && len(root) > o.maxEntries {
		var up []Entry
		for chunk := range slices.Chunk(root, o.maxEntries) {
			dir := compress(t, serializeDirectory(chunk), o.internal)
			up = append(up, Entry{TileID: chunk[0].TileID, Offset: uint64(leaves.Len()), Length: uint32(len(dir))})
			leaves.Write(dir)
		}
		root = up
	}
	rootBytes := compress(t, serializeDirectory(root), o.internal)
	meta := compress(t, []byte(o.metadata), o.internal)

	h := Header{
		RootOffset: HeaderLen, RootLength: uint64(len(rootBytes)),
		InternalCompression: o.internal, TileCompression: o.tileCompression, TileType: o.tileType,
		MinZoom: minZ, MaxZoom: maxZ,
		MinLon: 4.7287, MinLat: 52.2784, MaxLon: 5.0791, MaxLat: 52.4311,
		CenterZoom: 11, CenterLon: 4.9, CenterLat: 52.37,
		AddressedTiles: uint64(len(ids)), TileEntries: uint64(len(entries)), TileContents: uint64(len(offsets)),
		Clustered: true,
	}
	h.MetadataOffset = h.RootOffset + h.RootLength
	h.MetadataLength = uint64(len(meta))
	h.LeafOffset = h.MetadataOffset + h.MetadataLength
	h.LeafLength = uint64(leaves.Len())
	h.TileDataOffset = h.LeafOffset + h.LeafLength
	h.TileDataLength = uint64(data.Len())

	var out bytes.Buffer
	out.Write(serializeHeader(h))
	out.Write(rootBytes)
	out.Write(meta)
	out.Write(leaves.Bytes())
	out.Write(data.Bytes())
	return archive{data: out.Bytes(), tiles: byID, entries: len(entries), contents: len(offsets)}
}

func serializeHeader(h Header) []byte {
	b := make([]byte, HeaderLen)
	copy(b, "PMTiles")
	b[7] = 3
	le := binary.LittleEndian
	for i, v := range []uint64{h.RootOffset, h.RootLength, h.MetadataOffset, h.MetadataLength,
		h.LeafOffset, h.LeafLength, h.TileDataOffset, h.TileDataLength,
		h.AddressedTiles, h.TileEntries, h.TileContents} {
		le.PutUint64(b[8+8*i:], v)
	}
	if h.Clustered {
		b[96] = 1
	}
	b[97], b[98], b[99] = byte(h.InternalCompression), byte(h.TileCompression), byte(h.TileType)
	b[100], b[101] = h.MinZoom, h.MaxZoom
	e7 := func(at int, deg float64) { le.PutUint32(b[at:], uint32(int32(math.Round(deg*1e7)))) }
	e7(102, h.MinLon)
	e7(106, h.MinLat)
	e7(110, h.MaxLon)
	e7(114, h.MaxLat)
	b[118] = h.CenterZoom
	e7(119, h.CenterLon)
	e7(123, h.CenterLat)
	return b
}

// serializeDirectory encodes entries as the specification says: the count,
// then the columns tile id deltas, run lengths, lengths and offsets (0 for
// "right after the previous one", else offset+1), all as varints.
func serializeDirectory(entries []Entry) []byte {
	b := binary.AppendUvarint(nil, uint64(len(entries)))
	var last uint64
	for _, e := range entries {
		b = binary.AppendUvarint(b, e.TileID-last)
		last = e.TileID
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.RunLength))
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.Length))
	}
	for i, e := range entries {
		if i > 0 && e.Offset == entries[i-1].Offset+uint64(entries[i-1].Length) {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.Offset+1)
		}
	}
	return b
}

func compress(t testing.TB, b []byte, c Compression) []byte {
	switch c {
	case None:
		return b
	case Gzip:
		return gzipped(t, b)
	}
	t.Fatalf("the test writer cannot compress with %s", c)
	return nil
}

// gzipWriter is reused: a new one allocates most of a megabyte, and the
// tests compress thousands of tiles.
var gzipWriter struct {
	sync.Mutex
	w *gzip.Writer
}

func gzipped(t testing.TB, b []byte) []byte {
	gzipWriter.Lock()
	defer gzipWriter.Unlock()
	var buf bytes.Buffer
	if gzipWriter.w == nil {
		gzipWriter.w = gzip.NewWriter(&buf)
	} else {
		gzipWriter.w.Reset(&buf)
	}
	if _, err := gzipWriter.w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := gzipWriter.w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pyramid is every tile from zoom 0 to maxZoom. Many tiles share contents
// ("sea"), in runs and apart, as in a real basemap.
func pyramid(maxZoom uint8) map[zxy][]byte {
	tiles := map[zxy][]byte{}
	for z := range maxZoom + 1 {
		n := uint32(1) << z
		for x := range n {
			for y := range n {
				b := []byte("sea")
				if (x+y)%3 != 0 || z < 2 {
					b = binary.AppendUvarint([]byte("land "), uint64(z)<<40|uint64(x)<<20|uint64(y))
				}
				tiles[zxy{z, x, y}] = b
			}
		}
	}
	return tiles
}

// writeFile writes an archive into the test's temporary directory.
func writeFile(t testing.TB, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.pmtiles")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
