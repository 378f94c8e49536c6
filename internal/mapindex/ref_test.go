package mapindex

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// This file holds a brute-force model of the index, written from the specification rather
// than from the index's code: every point is projected on its own, and cells, clusters,
// centroids and expansion zooms are worked out by looping over all points.

const testMaxZoom = 16
const testShift = 3 // CellPx 64

// testCanon is a point's stored position.
func testCanon(p Point) (lon, lat float64) {
	lon, lat = p.Lon, p.Lat
	if lon >= 180 {
		lon -= 360
	}
	return lon, lat
}

// testCell is the cell of p at a grid level: Web Mercator pixel position / cell size.
func testCell(p Point, level int) (cx, cy uint64) {
	lon, lat := testCanon(p)
	lat = math.Max(-85.05112878, math.Min(85.05112878, lat))
	phi := lat * math.Pi / 180
	x := (lon + 180) / 360
	y := (1 - math.Log(math.Tan(phi)+1/math.Cos(phi))/math.Pi) / 2
	n := math.Exp2(float64(level))
	clamp := func(v float64) uint64 { return uint64(math.Max(0, math.Min(n-1, math.Floor(v*n)))) }
	return clamp(x), clamp(y)
}

// testPrefix is the Morton number of a cell: bits of x and y alternating, x first.
func testPrefix(cx, cy uint64, level int) uint64 {
	var p uint64
	for b := level - 1; b >= 0; b-- {
		p = p<<2 | (cy>>b&1)<<1 | cx>>b&1
	}
	return p
}

func testKey(z int, p Point) string {
	L := z + testShift
	cx, cy := testCell(p, L)
	return fmt.Sprintf("%d/%d/%d", z, L, testPrefix(cx, cy, L))
}

// featureKey identifies a feature in a set: its Key, or its ID for a single point.
func featureKey(f Feature) string {
	if f.Cluster {
		return f.Key
	}
	return fmt.Sprintf("id:%d", f.ID)
}

// bruteExpansion is the lowest zoom above z at which members fall into more than one feature.
func bruteExpansion(members []Point, z int) int {
	for zz := z + 1; zz <= testMaxZoom; zz++ {
		first := testKey(zz, members[0])
		for _, m := range members[1:] {
			if testKey(zz, m) != first {
				return zz
			}
		}
	}
	return testMaxZoom + 1
}

// bruteClusters is every feature at zoom z ≤ MaxZoom over the whole world, by key.
func bruteClusters(pts []Point, z int, f Filter) map[string]Feature {
	groups := map[string][]Point{}
	for _, p := range pts {
		if f.match(p.ID, p.Facets) {
			k := testKey(z, p)
			groups[k] = append(groups[k], p)
		}
	}
	out := map[string]Feature{}
	for k, ms := range groups {
		if len(ms) == 1 {
			out[featureKey(brutePoint(ms[0]))] = brutePoint(ms[0])
			continue
		}
		var slon, slat float64
		for _, m := range ms {
			lon, lat := testCanon(m)
			slon += lon
			slat += lat
		}
		n := float64(len(ms))
		out[k] = Feature{Cluster: true, Count: len(ms), Lon: slon / n, Lat: slat / n, Key: k,
			ExpansionZoom: bruteExpansion(ms, z)}
	}
	return out
}

func brutePoint(p Point) Feature {
	lon, lat := testCanon(p)
	return Feature{Count: 1, Lon: lon, Lat: lat, ID: p.ID, Name: p.Name}
}

// bruteIn reports whether p lies in b (b valid): some copy of p's longitude, shifted by a
// multiple of 360, lies within the box.
func bruteIn(p Point, b BBox) bool {
	lon, lat := testCanon(p)
	if lat < b.MinLat || lat > b.MaxLat {
		return false
	}
	if b.MinLon > b.MaxLon {
		return lon >= b.MinLon || lon <= b.MaxLon
	}
	if b.MaxLon-b.MinLon >= 360 {
		return true
	}
	k := math.Ceil((b.MinLon - lon) / 360)
	for _, kk := range []float64{k - 1, k, k + 1} {
		if l := lon + 360*kk; l >= b.MinLon && l <= b.MaxLon {
			return true
		}
	}
	return false
}

// bruteValid says whether a box is acceptable: finite, latitudes in order within ±90, and
// longitudes within ±180 when MinLon > MaxLon marks a box across the antimeridian.
func bruteValid(b BBox) bool {
	for _, v := range []float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	if b.MinLat < -90 || b.MaxLat > 90 || b.MinLat > b.MaxLat {
		return false
	}
	return b.MinLon <= b.MaxLon || b.MinLon <= 180 && b.MaxLon >= -180
}

func bruteCount(pts []Point, b BBox, f Filter) int {
	n := 0
	for _, p := range pts {
		if bruteIn(p, b) && f.match(p.ID, p.Facets) {
			n++
		}
	}
	return n
}

// tiles are boxes of at most tilePx pixels at zoom z that together cover every point
// (the world when it is small enough): how a test queries the whole world at high zoom
// without tripping the view-size limit.
func tiles(pts []Point, z int) []BBox {
	const tilePx, pad = 8000.0, 8.0
	w := 512 * math.Exp2(float64(z))
	if w <= 8192 {
		return []BBox{{-180, -90, 180, 90}}
	}
	seen := map[[2]int]bool{}
	var out []BBox
	for _, p := range pts {
		lon, lat := testCanon(p)
		lat = math.Max(-85.05112878, math.Min(85.05112878, lat))
		px := (lon + 180) / 360 * w
		py := mercY(lat) * w
		t := [2]int{int(px / tilePx), int(py / tilePx)}
		if seen[t] {
			continue
		}
		seen[t] = true
		x0, x1 := float64(t[0])*tilePx-pad, float64(t[0]+1)*tilePx+pad
		y0, y1 := math.Max(0, float64(t[1])*tilePx-pad), math.Min(w, float64(t[1]+1)*tilePx+pad)
		lat1, lat0 := unmercLat(y0/w), unmercLat(y1/w)
		if y0 == 0 {
			lat1 = 90
		}
		if y1 == w {
			lat0 = -90
		}
		out = append(out, BBox{MinLon: x0/w*360 - 180, MaxLon: x1/w*360 - 180, MinLat: lat0, MaxLat: lat1})
	}
	return out
}

// queryWorld asks the index for every feature at zoom z, tile by tile, and returns their union
// by featureKey. It fails the test if one query returns a feature twice, or two queries
// disagree about a feature.
func queryWorld(t *testing.T, ix *Index, pts []Point, z int, f Filter) map[string]Feature {
	t.Helper()
	out := map[string]Feature{}
	for _, b := range tiles(pts, z) {
		fs, err := ix.Clusters(b, float64(z), f)
		if err != nil {
			t.Fatalf("z%d %+v: %v", z, b, err)
		}
		seen := map[string]bool{}
		for _, ft := range fs {
			k := featureKey(ft)
			if seen[k] {
				t.Fatalf("z%d: feature %s twice in one answer", z, k)
			}
			seen[k] = true
			if old, ok := out[k]; ok && old != ft {
				t.Fatalf("z%d: feature %s differs between tiles: %+v vs %+v", z, k, old, ft)
			}
			out[k] = ft
		}
	}
	return out
}

// sameFeatures compares two feature sets; centroids may differ by rounding.
func sameFeatures(t *testing.T, what string, got, want map[string]Feature) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: missing %s %+v", what, k, w)
			continue
		}
		gl, wl := g, w
		gl.Lon, gl.Lat, wl.Lon, wl.Lat = 0, 0, 0, 0
		if gl != wl || math.Abs(g.Lon-w.Lon) > 1e-7 || math.Abs(g.Lat-w.Lat) > 1e-7 {
			t.Errorf("%s: %s = %+v, want %+v", what, k, g, w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: extra %s %+v", what, k, g)
		}
	}
}

// testPoints mixes points spread over the world, tight clusters, exact duplicates, and
// points on cell edges.
func testPoints(rng *rand.Rand, n int) []Point {
	pts := make([]Point, 0, n)
	centres := make([][2]float64, 12)
	for i := range centres {
		centres[i] = [2]float64{rng.Float64()*340 - 170, rng.Float64()*150 - 75}
	}
	for i := range n {
		var lon, lat float64
		switch r := rng.IntN(10); {
		case r < 4 || len(pts) == 0:
			lon, lat = rng.Float64()*360-180, rng.Float64()*170-85
		case r < 8:
			c := centres[rng.IntN(len(centres))]
			sd := math.Pow(10, -3+rng.Float64()*3)
			lon = math.Max(-180, math.Min(179.999, c[0]+rng.NormFloat64()*sd))
			lat = math.Max(-89, math.Min(89, c[1]+rng.NormFloat64()*sd))
		case r < 9:
			q := pts[rng.IntN(len(pts))]
			lon, lat = q.Lon, q.Lat
		default:
			lon = float64(rng.IntN(1024))*360/1024 - 180
			lat = float64(rng.IntN(160)) - 80
		}
		pts = append(pts, Point{ID: int64(i)*7 + 3, Lon: lon, Lat: lat, Name: fmt.Sprint("p", i), Facets: randomFacets(rng)})
	}
	return pts
}

func build(pts []Point) *Index {
	ix := New(Options{})
	ix.Build(pts)
	return ix
}

func sortedIDs(fs []Feature) []int64 {
	var ids []int64
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	slices.Sort(ids)
	return ids
}
