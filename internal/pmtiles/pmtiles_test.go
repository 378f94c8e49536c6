package pmtiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The known ids come from other implementations: the first nine from the
// tests of the specification's readers, the last three computed with the
// pmtiles npm package (4.5.0).
func TestTileIDKnownValues(t *testing.T) {
	for _, c := range []struct {
		z    uint8
		x, y uint32
		want uint64
	}{
		{0, 0, 0, 0},
		{1, 0, 0, 1},
		{1, 0, 1, 2},
		{1, 1, 1, 3},
		{1, 1, 0, 4},
		{2, 0, 0, 5},
		{2, 1, 3, 11},
		{3, 3, 0, 26},
		{12, 3423, 1763, 19078479},
		{18, 134656, 86144, 81324556287},
		{20, 538000, 344000, 1301201293055},
		{26, 33554431, 123, 1876499844743151},
	} {
		got, err := TileID(c.z, c.x, c.y)
		if err != nil || got != c.want {
			t.Errorf("TileID(%d, %d, %d) = %d, %v; want %d", c.z, c.x, c.y, got, err, c.want)
		}
	}
}

// Every zoom level fills the ids after the levels above it, each id once,
// and consecutive ids are neighbouring tiles: the Hilbert curve has no jumps.
func TestTileIDIsAHilbertCurve(t *testing.T) {
	var first uint64
	for z := range uint8(8) {
		n := uint32(1) << z
		at := make([]zxy, uint64(n)*uint64(n))
		for x := range n {
			for y := range n {
				id, err := TileID(z, x, y)
				if err != nil {
					t.Fatal(err)
				}
				if id < first || id-first >= uint64(len(at)) {
					t.Fatalf("TileID(%d, %d, %d) = %d, outside [%d, %d)", z, x, y, id, first, first+uint64(len(at)))
				}
				if at[id-first] != (zxy{}) {
					t.Fatalf("TileID(%d, %d, %d) = %d, as for %v", z, x, y, id, at[id-first])
				}
				at[id-first] = zxy{z, x, y}
			}
		}
		for i := 1; i < len(at); i++ {
			a, b := at[i-1], at[i]
			if dx, dy := int(a.x)-int(b.x), int(a.y)-int(b.y); dx*dx+dy*dy != 1 {
				t.Fatalf("ids %d and %d are tiles %v and %v, not neighbours", first+uint64(i-1), first+uint64(i), a, b)
			}
		}
		first += uint64(len(at))
	}
}

func TestTileIDRefusesAddressesOutsideThePyramid(t *testing.T) {
	for _, c := range []zxy{{32, 0, 0}, {0, 1, 0}, {0, 0, 1}, {3, 8, 0}, {3, 0, 8}} {
		if _, err := TileID(c.z, c.x, c.y); !errors.Is(err, ErrInvalidTile) {
			t.Errorf("TileID%v: %v, want ErrInvalidTile", c, err)
		}
	}
	// The deepest level still fits.
	if _, err := TileID(31, 1<<31-1, 1<<31-1); err != nil {
		t.Errorf("TileID(31, max, max): %v", err)
	}
}

// Every tile written is read back, and no other, for each way of laying out
// the directories.
func TestReadEveryTile(t *testing.T) {
	tiles := pyramid(6)
	for _, o := range []writeOptions{
		{internal: None, tileCompression: None, tileType: PNG},
		{internal: Gzip, tileCompression: Gzip, tileType: MVT},
		{internal: None, tileCompression: None, tileType: WebP, maxEntries: 100},
		{internal: Gzip, tileCompression: Gzip, tileType: MVT, maxEntries: 64},
		// Leaves of leaves: 1365 tiles in directories of at most 12.
		{internal: Gzip, tileCompression: None, tileType: JPEG, maxEntries: 12},
	} {
		t.Run(fmt.Sprintf("%s dirs, %s tiles, %d per directory", o.internal, o.tileCompression, o.maxEntries), func(t *testing.T) {
			a := buildArchive(t, tiles, o)
			if a.entries >= len(a.tiles) {
				t.Fatalf("no runs: %d entries for %d tiles", a.entries, len(a.tiles))
			}
			if a.contents >= a.entries {
				t.Fatalf("no shared contents: %d contents for %d entries", a.contents, a.entries)
			}
			r, err := Open(writeFile(t, a.data))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if h := r.Header(); h.TileType != o.tileType || h.TileCompression != o.tileCompression ||
				h.InternalCompression != o.internal || h.MinZoom != 0 || h.MaxZoom != 6 {
				t.Errorf("header %+v", h)
			}
			if got := r.Size(); got != int64(len(a.data)) {
				t.Errorf("Size %d, want %d", got, len(a.data))
			}
			ctx := context.Background()
			for z := range uint8(8) {
				n := uint32(1) << z
				for x := range n {
					for y := range n {
						b, ok, err := r.Tile(ctx, z, x, y)
						if err != nil {
							t.Fatalf("Tile(%d, %d, %d): %v", z, x, y, err)
						}
						id, _ := TileID(z, x, y)
						want, has := a.tiles[id]
						if ok != has || !bytes.Equal(b, want) {
							t.Fatalf("Tile(%d, %d, %d) = %q, %v; want %q, %v", z, x, y, b, ok, want, has)
						}
					}
				}
			}
		})
	}
}

// A sparse archive, like an extract of one city: most addresses have no
// tile, including ones between tiles that have one.
func TestReadSparseArchive(t *testing.T) {
	tiles := map[zxy][]byte{}
	// Amsterdam from zoom 10 to 14.
	for z := uint8(10); z <= 14; z++ {
		s := uint32(1) << (z - 10)
		for x := 525 * s; x < 527*s; x++ {
			for y := 336 * s; y < 338*s; y++ {
				tiles[zxy{z, x, y}] = fmt.Appendf(nil, "%d/%d/%d", z, x, y)
			}
		}
	}
	a := buildArchive(t, tiles, writeOptions{internal: Gzip, tileCompression: None, tileType: PNG, maxEntries: 16})
	r, err := Open(writeFile(t, a.data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	for c, want := range tiles {
		b, ok, err := r.Tile(ctx, c.z, c.x, c.y)
		if err != nil || !ok || !bytes.Equal(b, want) {
			t.Fatalf("Tile%v = %q, %v, %v; want %q", c, b, ok, err, want)
		}
	}
	for _, c := range []zxy{{0, 0, 0}, {9, 262, 168}, {10, 524, 336}, {10, 527, 337}, {12, 2100, 1343}, {15, 16800, 10752}, {14, 8399, 5376}} {
		if b, ok, err := r.Tile(ctx, c.z, c.x, c.y); err != nil || ok {
			t.Errorf("Tile%v = %q, %v, %v; want none", c, b, ok, err)
		}
	}
	if _, _, err := r.Tile(ctx, 3, 8, 0); !errors.Is(err, ErrInvalidTile) {
		t.Errorf("Tile(3, 8, 0): %v, want ErrInvalidTile", err)
	}
	h := r.Header()
	if h.MinZoom != 10 || h.MaxZoom != 14 || h.CenterZoom != 11 ||
		h.MinLon != 4.7287 || h.MinLat != 52.2784 || h.MaxLon != 5.0791 || h.MaxLat != 52.4311 ||
		h.CenterLon != 4.9 || h.CenterLat != 52.37 || !h.Clustered {
		t.Errorf("header %+v", h)
	}
}

// Leaf directories are cached, and the cache stays small.
func TestLeafCache(t *testing.T) {
	a := buildArchive(t, pyramid(7), writeOptions{internal: Gzip, tileCompression: None, tileType: PNG, maxEntries: 32})
	r, err := Open(writeFile(t, a.data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	for range 2 {
		for x := range uint32(128) {
			for y := range uint32(128) {
				if _, ok, err := r.Tile(ctx, 7, x, y); err != nil || !ok {
					t.Fatalf("Tile(7, %d, %d): %v, %v", x, y, ok, err)
				}
			}
		}
	}
	if n := r.lru.Len(); n != cachedDirectories || len(r.cache) != n {
		t.Errorf("%d directories cached (%d in the map), want %d", n, len(r.cache), cachedDirectories)
	}
	// A cancelled request stops before reading.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := r.Tile(cancelled, 6, 1, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Tile: %v", err)
	}
}

func TestOpenRefusesWhatItCannotRead(t *testing.T) {
	good := buildArchive(t, pyramid(2), writeOptions{internal: Gzip, tileCompression: Gzip, tileType: MVT}).data
	with := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return b
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a PMTiles file"},
		{"short", good[:50], "not a PMTiles file"},
		{"a PNG", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 200)...), "not a PMTiles file"},
		{"version 2", with(func(b []byte) { copy(b, "PM\x02") }), "PMTiles version 2"},
		{"version 4", with(func(b []byte) { b[7] = 4 }), "PMTiles version 4"},
		{"brotli directories", with(func(b []byte) { b[97] = byte(Brotli) }), "unsupported compression of directories: br"},
		{"zstd tiles", with(func(b []byte) { b[98] = byte(Zstd) }), "unsupported compression of tiles: zstd"},
		{"unknown directory compression", with(func(b []byte) { b[97] = 0 }), "unsupported compression of directories"},
		{"truncated", good[:len(good)-10], "beyond the end of the file"},
		{"zooms backwards", with(func(b []byte) { b[100], b[101] = 5, 2 }), "zoom levels"},
		{"damaged root", with(func(b []byte) { b[HeaderLen] ^= 0xff }), "root directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := Open(writeFile(t, c.data))
			if err == nil {
				r.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to say %q", err, c.want)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		if _, err := Open(filepath.Join(t.TempDir(), "none.pmtiles")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("error %v, want not exist", err)
		}
	})
	t.Run("a directory", func(t *testing.T) {
		if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("error %v", err)
		}
	})
}

// A damaged leaf directory or tile entry is an error for the tiles behind
// it, not a panic or a wrong tile.
func TestDamagedArchive(t *testing.T) {
	// Leaves nested deeper than any writer makes them are refused.
	deep := buildArchive(t, pyramid(6), writeOptions{internal: None, tileCompression: None, tileType: PNG, maxEntries: 4})
	if r, err := NewReader(bytes.NewReader(deep.data), int64(len(deep.data))); err != nil {
		t.Error(err)
	} else if _, _, err := r.Tile(context.Background(), 6, 0, 0); err == nil || !strings.Contains(err.Error(), "too deep") {
		t.Errorf("Tile in a deep archive: %v", err)
	}

	a := buildArchive(t, pyramid(4), writeOptions{internal: None, tileCompression: None, tileType: PNG, maxEntries: 8})
	h, err := ParseHeader(a.data)
	if err != nil {
		t.Fatal(err)
	}
	// Cut the tile data short: the header still points past it.
	b := bytes.Clone(a.data)
	cut := b[:h.TileDataOffset+h.TileDataLength/2]
	if _, err := NewReader(bytes.NewReader(cut), int64(len(cut))); err == nil {
		t.Error("a truncated archive opened")
	}
	// Scribble over the leaf section.
	for i := h.LeafOffset; i < h.LeafOffset+h.LeafLength; i++ {
		b[i] = 0xff
	}
	r, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	errs := 0
	for x := range uint32(16) {
		for y := range uint32(16) {
			if _, _, err := r.Tile(context.Background(), 4, x, y); err != nil {
				errs++
			}
		}
	}
	if errs == 0 {
		t.Error("no errors from a scribbled leaf section")
	}
}

func TestTileTypes(t *testing.T) {
	for _, c := range []struct {
		t          TileType
		name, mime string
		raster     bool
	}{
		{UnknownType, "unknown", "", false},
		{MVT, "mvt", "application/vnd.mapbox-vector-tile", false},
		{PNG, "png", "image/png", true},
		{JPEG, "jpeg", "image/jpeg", true},
		{WebP, "webp", "image/webp", true},
		{AVIF, "avif", "image/avif", true},
	} {
		if c.t.String() != c.name || c.t.ContentType() != c.mime || c.t.Raster() != c.raster {
			t.Errorf("%d: %q %q %v", c.t, c.t, c.t.ContentType(), c.t.Raster())
		}
	}
}

func TestParseDirectoryRoundTrip(t *testing.T) {
	entries := []Entry{
		{TileID: 0, Offset: 0, Length: 10, RunLength: 1},
		{TileID: 1, Offset: 10, Length: 5, RunLength: 3},
		{TileID: 4, Offset: 0, Length: 10, RunLength: 1}, // points back
		{TileID: 1000, Offset: 15, Length: 7, RunLength: 0},
		{TileID: 1 << 50, Offset: 1 << 40, Length: math32, RunLength: math32},
	}
	got, err := ParseDirectory(serializeDirectory(entries))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(entries) {
		t.Errorf("got %v, want %v", got, entries)
	}
	for _, bad := range [][]byte{
		nil,
		{0},                         // no entries
		{5, 1, 1, 1, 1},             // too few bytes for five entries
		{1, 0, 1, 0, 1},             // zero length
		{1, 0, 1, 1, 0},             // first offset "after the previous"
		{2, 0, 0, 1, 1, 1, 1, 1, 1}, // tile ids not ascending
		{1, 0x80, 0x80, 0x80, 0x80}, // truncated varint
	} {
		if e, err := ParseDirectory(bad); err == nil {
			t.Errorf("ParseDirectory(%v) = %v", bad, e)
		}
	}
}

const math32 = 1<<32 - 1

// The header and directory parsers never panic, whatever the bytes.
func FuzzReader(f *testing.F) {
	f.Add(buildArchive(f, pyramid(3), writeOptions{internal: None, tileCompression: None, tileType: PNG, maxEntries: 5}).data)
	f.Add(buildArchive(f, pyramid(2), writeOptions{internal: Gzip, tileCompression: Gzip, tileType: MVT, maxEntries: 3}).data)
	f.Add([]byte("PMTiles\x03"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		ctx := context.Background()
		for z := range uint8(4) {
			n := uint32(1) << z
			for x := range n {
				for y := range n {
					_, _, _ = r.Tile(ctx, z, x, y)
				}
			}
		}
		_, _, _ = r.Tile(ctx, 31, 1<<31-1, 0)
	})
}

func FuzzParseDirectory(f *testing.F) {
	f.Add(serializeDirectory([]Entry{{TileID: 3, Offset: 0, Length: 1, RunLength: 2}, {TileID: 9, Offset: 1, Length: 4}}))
	f.Add([]byte{1, 0, 1, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseDirectory(data)
		if err != nil {
			return
		}
		// What parses, written again, parses to the same.
		again, err := ParseDirectory(serializeDirectory(entries))
		if err != nil || fmt.Sprint(again) != fmt.Sprint(entries) {
			t.Fatalf("round trip: %v, %v; want %v", again, err, entries)
		}
		for _, id := range []uint64{0, 1, entries[0].TileID, entries[len(entries)-1].TileID + 1, 1 << 63} {
			find(entries, id)
		}
	})
}

func BenchmarkTile(b *testing.B) {
	// Zoom 0 to 8 (87381 tiles) in leaves of 256 entries, as a real
	// extract is laid out.
	a := buildArchive(b, pyramid(8), writeOptions{internal: Gzip, tileCompression: Gzip, tileType: MVT, maxEntries: 256})
	r, err := Open(writeFile(b, a.data))
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for b.Loop() {
		z := uint8(rng.IntN(9))
		n := uint32(1) << z
		if _, ok, err := r.Tile(ctx, z, rng.Uint32N(n), rng.Uint32N(n)); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
