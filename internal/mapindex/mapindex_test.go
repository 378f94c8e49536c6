package mapindex

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func testN(short, long int) int {
	if testing.Short() {
		return short
	}
	return long
}

// Every point is counted exactly once at every zoom, and every feature is what brute force
// says: its members are the points of one cell, its centroid their mean, its expansion zoom
// the first zoom at which they fall apart.
func TestEveryPointOnceAtEveryZoom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pts := testPoints(rng, testN(800, 3000))
	ix := build(pts)
	if ix.Len() != len(pts) {
		t.Fatalf("Len = %d, want %d", ix.Len(), len(pts))
	}
	for z := 0; z <= testMaxZoom+2; z++ {
		got := queryWorld(t, ix, pts, z, Filter{})
		sum := 0
		for _, f := range got {
			sum += f.Count
		}
		if sum != len(pts) {
			t.Errorf("z%d: counts add up to %d, want %d", z, sum, len(pts))
		}
		if z <= testMaxZoom {
			sameFeatures(t, fmt.Sprint("z", z), got, bruteClusters(pts, z, Filter{}))
			continue
		}
		want := map[string]Feature{}
		for _, p := range pts {
			want[featureKey(brutePoint(p))] = brutePoint(p)
		}
		sameFeatures(t, fmt.Sprint("z", z), got, want)
	}
}

// Leaves of a cluster are the points of its cell, and zooming to its expansion zoom splits it
// (and not one zoom earlier).
func TestLeavesAndExpansionZoom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pts := testPoints(rng, testN(800, 2000))
	ix := build(pts)
	byID := map[int64]Point{}
	for _, p := range pts {
		byID[p.ID] = p
	}
	checked := 0
	for _, z := range []int{0, 1, 3, 6, 9, 12, 15, 16} {
		world := queryWorld(t, ix, pts, z, Filter{})
		keys := make([]string, 0, len(world))
		for k, f := range world {
			if f.Cluster {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i >= 40 {
				break
			}
			c := world[k]
			leaves, err := ix.Leaves(k, Filter{}, 0, 0)
			if err != nil || len(leaves) != c.Count {
				t.Fatalf("Leaves(%s) = %d, %v; want %d", k, len(leaves), err, c.Count)
			}
			members := make([]Point, len(leaves))
			in := map[int64]bool{}
			box := BBox{MinLon: 180, MinLat: 90, MaxLon: -180, MaxLat: -90}
			for j, l := range leaves {
				members[j] = byID[l.ID]
				in[l.ID] = true
				if testKey(z, members[j]) != k {
					t.Fatalf("leaf %d of %s lies in cell %s", l.ID, k, testKey(z, members[j]))
				}
				box.MinLon, box.MaxLon = min(box.MinLon, l.Lon), max(box.MaxLon, l.Lon)
				box.MinLat, box.MaxLat = min(box.MinLat, l.Lat), max(box.MaxLat, l.Lat)
			}
			// Paging.
			if c.Count > 2 {
				page, _ := ix.Leaves(k, Filter{}, 1, 2)
				if len(page) != 2 || page[0] != leaves[1] || page[1] != leaves[2] {
					t.Errorf("Leaves(%s, offset 1, limit 2) = %v, want %v", k, page, leaves[1:3])
				}
			}
			ez := c.ExpansionZoom
			if want := bruteExpansion(members, z); ez != want {
				t.Fatalf("%s: ExpansionZoom = %d, want %d", k, ez, want)
			}
			// At ez the members are in at least two features; at ez-1 still in one.
			for _, zz := range []int{ez - 1, ez} {
				if zz <= z {
					continue
				}
				fs, err := ix.Clusters(box, float64(zz), Filter{})
				if err != nil {
					t.Fatalf("%s at z%d: %v", k, zz, err)
				}
				n, sum := 0, 0
				for _, f := range fs {
					if f.Cluster && isDescendant(f.Key, k) || !f.Cluster && in[f.ID] {
						n++
						sum += f.Count
					}
				}
				if sum != c.Count || (zz == ez) != (n >= 2) {
					t.Fatalf("%s (expansion zoom %d) at z%d: %d features with %d points, want all %d",
						k, ez, zz, n, sum, c.Count)
				}
			}
			checked++
		}
	}
	if checked < 100 {
		t.Fatalf("only %d clusters checked", checked)
	}
}

// isDescendant reports whether cluster key k names a cell inside the cell of key parent.
func isDescendant(k, parent string) bool {
	a, b := strings.Split(k, "/"), strings.Split(parent, "/")
	la, _ := strconv.Atoi(a[1])
	lb, _ := strconv.Atoi(b[1])
	pa, _ := strconv.ParseUint(a[2], 10, 64)
	pb, _ := strconv.ParseUint(b[2], 10, 64)
	return la >= lb && pa>>(2*(la-lb)) == pb
}

// Points on the antimeridian, at the poles and at identical positions.
func TestEdgePositions(t *testing.T) {
	world := BBox{-180, -90, 180, 90}
	tests := []struct {
		name  string
		pts   []Point
		box   BBox
		zoom  float64
		want  []int64 // IDs of the points in box, for a zoom above MaxZoom
		check func(t *testing.T, ix *Index)
	}{
		{
			name: "antimeridian, box across it",
			pts:  []Point{{ID: 1, Lon: 180, Lat: 10}, {ID: 2, Lon: -180, Lat: 10}, {ID: 3, Lon: 179.9999999, Lat: 10}, {ID: 4, Lon: -179.9999999, Lat: 10}, {ID: 5, Lon: 0, Lat: 10}},
			box:  BBox{179, 0, -179, 20}, zoom: 17, want: []int64{1, 2, 3, 4},
		},
		{
			name: "antimeridian, box unwrapped east",
			pts:  []Point{{ID: 1, Lon: 180, Lat: 10}, {ID: 2, Lon: -180, Lat: 10}, {ID: 3, Lon: 179.9999999, Lat: 10}, {ID: 4, Lon: -179.9999999, Lat: 10}, {ID: 5, Lon: 0, Lat: 10}},
			box:  BBox{179, 0, 181, 20}, zoom: 17, want: []int64{1, 2, 3, 4},
		},
		{
			name: "antimeridian, box unwrapped west",
			pts:  []Point{{ID: 1, Lon: 180, Lat: 10}, {ID: 2, Lon: -180, Lat: 10}, {ID: 3, Lon: 179.9999999, Lat: 10}, {ID: 4, Lon: -179.9999999, Lat: 10}},
			box:  BBox{-541, 0, -539, 20}, zoom: 17, want: []int64{1, 2, 3, 4},
		},
		{
			name: "antimeridian, box ending at 180",
			pts:  []Point{{ID: 1, Lon: 180, Lat: 10}, {ID: 2, Lon: -180, Lat: 10}, {ID: 3, Lon: 179.9999999, Lat: 10}, {ID: 4, Lon: -179.9999999, Lat: 10}},
			box:  BBox{179, 0, 180, 20}, zoom: 17, want: []int64{1, 2, 3},
		},
		{
			name: "antimeridian, box starting at -180",
			pts:  []Point{{ID: 1, Lon: 180, Lat: 10}, {ID: 2, Lon: -180, Lat: 10}, {ID: 3, Lon: 179.9999999, Lat: 10}, {ID: 4, Lon: -179.9999999, Lat: 10}},
			box:  BBox{-180, 0, -179, 20}, zoom: 17, want: []int64{1, 2, 4},
		},
		{
			name: "antimeridian, clusters at low zoom",
			pts:  []Point{{ID: 1, Lon: 180, Lat: 10}, {ID: 2, Lon: -180, Lat: 10}, {ID: 3, Lon: 179.9999999, Lat: 10}, {ID: 4, Lon: -179.9999999, Lat: 10}},
			box:  world, zoom: 17, want: []int64{1, 2, 3, 4},
			check: func(t *testing.T, ix *Index) {
				fs, _ := ix.Clusters(world, 2, Filter{})
				// 180 and -180 are one meridian: points 1, 2 and 4 share a cell at the west
				// edge, point 3 is alone at the east edge.
				if len(fs) != 2 || fs[0].Count != 3 || fs[1].ID != 3 || fs[1].Lon != 179.9999999 {
					t.Errorf("z2: %+v", fs)
				}
				if math.Abs(fs[0].Lon-(-180*2-179.9999999)/3) > 1e-7 {
					t.Errorf("centroid %v ignores the wrap", fs[0].Lon)
				}
			},
		},
		{
			name: "poles",
			pts:  []Point{{ID: 1, Lon: 0, Lat: 90}, {ID: 2, Lon: 0, Lat: -90}, {ID: 3, Lon: 0, Lat: 89.5}, {ID: 4, Lon: 0, Lat: 85.06}, {ID: 5, Lon: 0, Lat: 85}, {ID: 6, Lon: 0, Lat: 0}},
			box:  BBox{-1, 85.01, 1, 90}, zoom: 18, want: []int64{1, 3, 4},
			check: func(t *testing.T, ix *Index) {
				fs, _ := ix.Clusters(BBox{-1, 85.01, 1, 90}, 18, Filter{})
				for _, f := range fs {
					if f.ID == 1 && f.Lat != 90 {
						t.Errorf("pole point comes back at %v", f.Lat)
					}
				}
				if n := ix.Count(BBox{-1, -90, 1, -89}, Filter{}); n != 1 {
					t.Errorf("south pole box counts %d", n)
				}
				// At every zoom the points beyond 85.05 sit in the top row of cells.
				for z := 0; z <= 16; z++ {
					fs, err := ix.Clusters(BBox{-0.001, 85.045, 0.001, 90}, float64(z), Filter{})
					if err != nil || len(fs) == 0 || fs[0].Count < 3 {
						t.Errorf("z%d north: %+v %v", z, fs, err)
					}
				}
			},
		},
		{
			name: "identical positions",
			pts: func() []Point {
				var ps []Point
				for i := range 30 {
					ps = append(ps, Point{ID: int64(i + 1), Lon: 4.9, Lat: 52.37, Name: "same"})
				}
				return append(ps, Point{ID: 100, Lon: 4.9001, Lat: 52.37})
			}(),
			box: BBox{4.89, 52.36, 4.91, 52.38}, zoom: 17,
			want: func() []int64 {
				ids := []int64{100}
				for i := range 30 {
					ids = append(ids, int64(i+1))
				}
				slices.Sort(ids)
				return ids
			}(),
			check: func(t *testing.T, ix *Index) {
				for z := 0; z <= 16; z++ {
					fs, err := ix.Clusters(BBox{4.89, 52.36, 4.91, 52.38}, float64(z), Filter{})
					if err != nil {
						t.Fatal(err)
					}
					same := 0
					for _, f := range fs {
						if f.Cluster && f.Count >= 30 {
							same++
							if f.Lat != 52.37 || math.Abs(f.Lon-4.9) > 1e-5 {
								t.Errorf("z%d centroid %v %v", z, f.Lon, f.Lat)
							}
							leaves, _ := ix.Leaves(f.Key, Filter{}, 0, 0)
							if f.Count == 30 && f.ExpansionZoom != 17 || len(leaves) != f.Count {
								t.Errorf("z%d: %+v with %d leaves", z, f, len(leaves))
							}
						}
					}
					if same != 1 {
						t.Errorf("z%d: the 30 identical points are in %d features: %+v", z, same, fs)
					}
				}
				fs, _ := ix.Clusters(BBox{4.89, 52.36, 4.91, 52.38}, 17, Filter{})
				for _, f := range fs {
					if f.Cluster || (f.ID != 100 && (f.Lon != 4.9 || f.Lat != 52.37 || f.Name != "same")) {
						t.Errorf("z17: %+v", f)
					}
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix := build(tc.pts)
			fs, err := ix.Clusters(tc.box, tc.zoom, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedIDs(fs); !slices.Equal(got, tc.want) {
				t.Errorf("Clusters at z%v = %v, want %v", tc.zoom, got, tc.want)
			}
			if n := ix.Count(tc.box, Filter{}); n != len(tc.want) {
				t.Errorf("Count = %d, want %d", n, len(tc.want))
			}
			for _, p := range tc.pts {
				if tc.box.Contains(p.Lon, p.Lat) != slices.Contains(tc.want, p.ID) {
					t.Errorf("Contains(%v, %v) = %v", p.Lon, p.Lat, !slices.Contains(tc.want, p.ID))
				}
			}
			if n := bruteCount(tc.pts, tc.box, Filter{}); n != len(tc.want) {
				t.Errorf("the brute-force count = %d: the test is wrong", n)
			}
			for z := range 17 {
				all := queryWorld(t, ix, tc.pts, z, Filter{})
				sum := 0
				for _, f := range all {
					sum += f.Count
				}
				if sum != len(tc.pts) {
					t.Errorf("z%d: %d points counted, want %d", z, sum, len(tc.pts))
				}
			}
			if tc.check != nil {
				tc.check(t, ix)
			}
		})
	}
}

// Above MaxZoom points come in Morton order, then ID.
func TestPointOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pts := testPoints(rng, 3000)
	ix := build(pts)
	fs, err := ix.Clusters(BBox{-180, -90, 180, 90}, 20, Filter{})
	if err != nil || len(fs) != len(pts) {
		t.Fatalf("%d features, %v", len(fs), err)
	}
	for i := 1; i < len(fs); i++ {
		a, b := pointCode(fs[i-1].Lon, fs[i-1].Lat), pointCode(fs[i].Lon, fs[i].Lat)
		if a > b || a == b && fs[i-1].ID >= fs[i].ID {
			t.Fatalf("out of order at %d: %+v, %+v", i, fs[i-1], fs[i])
		}
	}
}

// Random boxes, including ones that wrap or cross the antimeridian, counted against brute
// force, with and without filters.
func TestCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pts := testPoints(rng, 3000)
	ix := build(pts)
	for i := range 3000 {
		b := randomBox(rng)
		f := Filter{}
		if i%2 == 1 {
			f = randomFilter(rng, pts)
		}
		want := 0
		if bruteValid(b) {
			want = bruteCount(pts, b, f)
		}
		if got := ix.Count(b, f); got != want {
			t.Fatalf("Count(%+v, %+v) = %d, want %d", b, f, got, want)
		}
		p := pts[rng.IntN(len(pts))]
		if got := b.Contains(p.Lon, p.Lat); got != (bruteValid(b) && bruteIn(p, b)) {
			t.Fatalf("%+v.Contains(%v, %v) = %v", b, p.Lon, p.Lat, got)
		}
	}
}

func randomBox(rng *rand.Rand) BBox {
	lat0, lat1 := rng.Float64()*180-90, rng.Float64()*180-90
	if lat0 > lat1 {
		lat0, lat1 = lat1, lat0
	}
	if rng.IntN(5) == 0 { // small
		lat1 = math.Min(90, lat0+rng.Float64()*2)
	}
	lon := rng.Float64()*360 - 180
	w := rng.Float64() * 100
	switch rng.IntN(6) {
	case 0:
		return BBox{lon, lat0, lon - w, lat1} // across the antimeridian, or inverted
	case 1:
		return BBox{lon + 360*float64(rng.IntN(5)-2), lat0, lon + w + 360*float64(rng.IntN(5)-2), lat1}
	case 2:
		return BBox{lon, lat0, lon + 300 + w, lat1}
	case 3:
		return BBox{lon, lat0, lon + w/100, lat1}
	}
	return BBox{lon, lat0, math.Min(180, lon+w), lat1}
}

// randomFilter picks one or a few facets to filter on, or a set of IDs.
func randomFilter(rng *rand.Rand, pts []Point) Filter {
	var f Filter
	for f.isZero() {
		switch rng.IntN(8) {
		case 0:
			f.Sectors = twoBits(rng, 40)
		case 1:
			f.Needs = 1 << rng.IntN(12)
		case 2:
			f.Offers = uint32(twoBits(rng, 12))
		case 3:
			f.Principles = uint8(rng.IntN(16))
		case 4:
			f.LegalForms = twoBits(rng, 8)
		case 5:
			f.Districts = 1 << rng.IntN(20)
		case 6:
			f.IDs = NewIDSet()
			for range rng.IntN(50) {
				f.IDs.Add(pts[rng.IntN(len(pts))].ID)
			}
			f.IDs.Add(-1) // not in the index
		case 7:
			f.IDs = NewIDSet()
			for _, p := range pts {
				if rng.IntN(3) == 0 {
					f.IDs.Add(p.ID)
				}
			}
		}
	}
	return f
}

// twoBits sets one or two random bits below n.
func twoBits(rng *rand.Rand, n int) uint64 {
	a, b := rng.IntN(n), rng.IntN(n)
	return 1<<a | 1<<b
}

// A filtered query gives what brute force gives, and what an unfiltered query gives on an
// index holding only the matching points, whichever way the filter's IDs are found.
func TestFilters(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	pts := testPoints(rng, testN(1000, 3000))
	ix := build(pts)
	filters := []Filter{
		{Sectors: 1<<3 | 1<<17},
		{Needs: 1 << 2},
		{Offers: 1<<0 | 1<<5},
		{Principles: 0b0101},
		{LegalForms: 1<<0 | 1<<3},
		{Districts: 1<<4 | 1<<7},
		{Sectors: 1<<1 | 1<<2 | 1<<3, Principles: 1, Districts: 0xfff},
		{IDs: NewIDSet()}, // a search that found nothing
		{IDs: NewIDSet(pts[0].ID, pts[1].ID, pts[2].ID, 999999)},
	}
	for range 4 {
		filters = append(filters, randomFilter(rng, pts))
	}
	for i, f := range filters {
		var sub []Point
		for _, p := range pts {
			if f.match(p.ID, p.Facets) {
				sub = append(sub, p)
			}
		}
		only := build(sub)
		for _, path := range []int8{-1, 0, 1} {
			ix.idsPath = path
			name := fmt.Sprintf("filter %d path %d", i, path)
			for _, z := range []int{0, 2, 5, 8, 12, 16, 17} {
				got := queryWorld(t, ix, pts, z, f)
				if z <= testMaxZoom {
					sameFeatures(t, fmt.Sprint(name, " z", z), got, bruteClusters(pts, z, f))
				} else if len(got) != len(sub) {
					t.Errorf("%s z%d: %d points, want %d", name, z, len(got), len(sub))
				}
			}
			for range 30 {
				p := pts[rng.IntN(len(pts))]
				b := Viewport(p.Lon, p.Lat, rng.Float64()*18, 1280, 800)
				zoom := rng.Float64() * 18
				got, err1 := ix.Clusters(b, zoom, f)
				want, err2 := only.Clusters(b, zoom, Filter{})
				if !errors.Is(err1, err2) || !slices.Equal(got, want) {
					t.Fatalf("%s %+v z%v: %v %v, want %v %v", name, b, zoom, got, err1, want, err2)
				}
				if got, want := ix.Count(b, f), bruteCount(pts, b, f); got != want {
					t.Fatalf("%s Count(%+v) = %d, want %d", name, b, got, want)
				}
			}
		}
		ix.idsPath = 0
	}
}

// Edits give the same answers as building the same set afresh, before and after merges of
// the overlay.
func TestUpdatesMatchBuild(t *testing.T) {
	tests := []struct {
		name     string
		mergeMin int
		frac     int
		start    int
		ops      int
	}{
		{"default thresholds", 1024, 64, 2000, testN(1500, 5000)},
		{"tiny overlay", 8, 64, 500, testN(1000, 3000)},
		{"no merges", 1 << 30, 1, 1000, 1500},
		{"from empty", 16, 64, 0, 1500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, uint64(tc.mergeMin)))
			pool := testPoints(rng, tc.start+tc.ops)
			live := map[int64]Point{}
			for _, p := range pool[:tc.start] {
				live[p.ID] = p
			}
			ix := New(Options{})
			ix.mergeMinOverlay, ix.mergeOverlayFrac = tc.mergeMin, tc.frac
			ix.Build(pool[:tc.start])
			ids := func() []int64 {
				var s []int64
				for id := range live {
					s = append(s, id)
				}
				slices.Sort(s)
				return s
			}
			next := tc.start
			for op := 1; op <= tc.ops; op++ {
				switch r := rng.IntN(20); {
				case r < 8 || len(live) == 0: // new point
					p := pool[next]
					next++
					ix.Put(p)
					live[p.ID] = p
				case r < 12: // move an existing point
					s := ids()
					p := live[s[rng.IntN(len(s))]]
					p.Lon = math.Max(-180, math.Min(179.9, p.Lon+rng.NormFloat64()*0.01))
					p.Name += "'"
					ix.Put(p)
					live[p.ID] = p
				case r < 13: // re-put an unchanged point
					s := ids()
					p := live[s[rng.IntN(len(s))]]
					ix.Put(p)
				case r < 14: // edit facets only
					s := ids()
					p := live[s[rng.IntN(len(s))]]
					p.Facets = randomFacets(rng)
					ix.Put(p)
					live[p.ID] = p
				case r < 19:
					s := ids()
					id := s[rng.IntN(len(s))]
					ix.Remove(id)
					delete(live, id)
				default:
					ix.Remove(-int64(op)) // absent
				}
				if op%250 == 0 || op == tc.ops {
					var set []Point
					for _, id := range ids() {
						set = append(set, live[id])
					}
					rng.Shuffle(len(set), func(i, j int) { set[i], set[j] = set[j], set[i] })
					compareIndexes(t, fmt.Sprint("after op ", op), ix, build(set), set, rng)
				}
			}
			merges := ix.merges
			if tc.mergeMin < 1<<20 && merges == 0 {
				t.Errorf("no merge happened")
			}
			if tc.mergeMin >= 1<<20 && merges > 0 {
				t.Errorf("%d merges happened", merges)
			}
			t.Logf("%d merges", merges)
		})
	}
}

func compareIndexes(t *testing.T, what string, got, want *Index, pts []Point, rng *rand.Rand) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Fatalf("%s: Len = %d, want %d", what, got.Len(), want.Len())
	}
	if len(pts) == 0 {
		return
	}
	var boxes []BBox
	var zooms []float64
	for z := range 5 {
		boxes, zooms = append(boxes, BBox{-180, -90, 180, 90}), append(zooms, float64(z))
	}
	for range 40 {
		p := pts[rng.IntN(len(pts))]
		z := rng.Float64() * 19
		boxes, zooms = append(boxes, Viewport(p.Lon, p.Lat, z, 1280, 800)), append(zooms, z)
	}
	for i, b := range boxes {
		for _, f := range []Filter{{}, {Sectors: 0xff}, randomFilter(rng, pts)} {
			g, err1 := got.Clusters(b, zooms[i], f)
			w, err2 := want.Clusters(b, zooms[i], f)
			if !errors.Is(err1, err2) || !slices.Equal(g, w) {
				t.Fatalf("%s: Clusters(%+v, %v, %+v):\n got %v %v\nwant %v %v", what, b, zooms[i], f, g, err1, w, err2)
			}
			if got.Count(b, f) != want.Count(b, f) {
				t.Fatalf("%s: Count(%+v) = %d, want %d", what, b, got.Count(b, f), want.Count(b, f))
			}
			for _, ft := range g {
				if ft.Cluster {
					lg, _ := got.Leaves(ft.Key, f, 0, 0)
					lw, _ := want.Leaves(ft.Key, f, 0, 0)
					if !slices.Equal(lg, lw) {
						t.Fatalf("%s: Leaves(%s) differ", what, ft.Key)
					}
					break
				}
			}
		}
	}
}

func TestErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	pts := testPoints(rng, 20000)
	ix := build(pts)
	small := New(Options{MaxFeatures: 50})
	small.Build(pts)
	nan := math.NaN()
	tests := []struct {
		name string
		ix   *Index
		box  BBox
		zoom float64
		err  error
	}{
		{"fine", ix, BBox{-10, 35, 30, 65}, 5, nil},
		{"NaN lon", ix, BBox{nan, 35, 30, 65}, 5, ErrBadBBox},
		{"NaN lat", ix, BBox{-10, 35, 30, nan}, 5, ErrBadBBox},
		{"infinite lon", ix, BBox{math.Inf(-1), 35, 30, 65}, 5, ErrBadBBox},
		{"lat above 90", ix, BBox{-10, 35, 30, 91}, 5, ErrBadBBox},
		{"lat below -90", ix, BBox{-10, -90.5, 30, 65}, 5, ErrBadBBox},
		{"lats inverted", ix, BBox{-10, 65, 30, 35}, 5, ErrBadBBox},
		{"crossing with wrapped lon", ix, BBox{200, 35, 190, 65}, 5, ErrBadBBox},
		{"wrapped lon is fine", ix, BBox{350, 35, 390, 65}, 5, nil},
		{"crossing is fine", ix, BBox{170, -10, -170, 10}, 5, nil},
		{"whole world at 4", ix, BBox{-180, -90, 180, 90}, 4.9, nil},
		{"wider than the world at 2", ix, BBox{-500, -90, 500, 90}, 2, nil},
		{"zoom negative", ix, BBox{-10, 35, 30, 65}, -0.1, ErrBadZoom},
		{"zoom above 24", ix, BBox{-10, 35, 30, 65}, 24.1, ErrBadZoom},
		{"zoom NaN", ix, BBox{-10, 35, 30, 65}, nan, ErrBadZoom},
		{"zoom 24", ix, BBox{4, 52, 4.0001, 52.0001}, 24, nil},
		{"view too wide", ix, BBox{-180, -90, 180, 90}, 5, ErrTooMany},
		{"view too tall", ix, BBox{0, -80, 1, 80}, 6, ErrTooMany},
		{"too many clusters", small, BBox{-180, -90, 180, 90}, 4, ErrTooMany},
		{"too many points above MaxZoom", ix, BBox{-180, -90, 180, 90}, 17, ErrTooMany},
		{"too many filtered points", small, BBox{-180, -90, 180, 90}, 17, ErrTooMany},
		{"few enough points above MaxZoom", small, BBox{4, 52, 4.01, 52.01}, 17, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Filter{}
			if strings.Contains(tc.name, "filtered") {
				f.Principles = 1
			}
			fs, err := tc.ix.Clusters(tc.box, tc.zoom, f)
			if !errors.Is(err, tc.err) || (err != nil) != (fs == nil) {
				t.Errorf("Clusters = %d features, %v; want %v", len(fs), err, tc.err)
			}
			if errors.Is(tc.err, ErrBadBBox) && tc.ix.Count(tc.box, Filter{}) != 0 {
				t.Errorf("Count of a bad box is not 0")
			}
		})
	}
	for _, key := range []string{"", "1/2/3", "x/3/0", "3/5/0", "17/20/0", "0/3/64", "0/3/-1", "2/5/3/4"} {
		if _, err := ix.Leaves(key, Filter{}, 0, 0); !errors.Is(err, ErrBadKey) {
			t.Errorf("Leaves(%q) = %v, want ErrBadKey", key, err)
		}
	}
}

// Queries run while points are put and removed (run with -race).
func TestConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	pts := testPoints(rng, 5000)
	ix := New(Options{})
	ix.Build(pts[:2000])
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := 2000 + w; i < len(pts); i += 2 {
				ix.Put(pts[i])
				if i%3 == 0 {
					ix.Remove(pts[i-1000].ID)
				}
			}
		})
	}
	for r := range 3 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(r), 99))
			for range 300 {
				p := pts[rng.IntN(len(pts))]
				z := rng.Float64() * 19
				fs, err := ix.Clusters(Viewport(p.Lon, p.Lat, z, 1280, 800), z, Filter{Needs: 1})
				if err != nil && !errors.Is(err, ErrTooMany) {
					t.Error(err)
				}
				for _, f := range fs {
					if f.Count < 1 {
						t.Errorf("feature %+v", f)
					}
				}
				world, err := ix.Clusters(BBox{-180, -90, 180, 90}, 0, Filter{})
				sum := 0
				for _, f := range world {
					sum += f.Count
				}
				if err != nil || sum < 2000-1000 || sum > len(pts) {
					t.Errorf("world holds %d points: %v", sum, err)
				}
				_ = ix.Count(BBox{-180, -90, 180, 90}, Filter{Sectors: 1})
				_ = ix.Len()
			}
		})
	}
	wg.Wait()
	if ix.Len() == 0 {
		t.Fatal("empty")
	}
}

func TestViewport(t *testing.T) {
	b := Viewport(0, 0, 0, 512, 512)
	if math.Abs(b.MinLon+180) > 1e-9 || math.Abs(b.MaxLon-180) > 1e-9 || math.Abs(b.MaxLat-maxLat) > 1e-6 || math.Abs(b.MinLat+maxLat) > 1e-6 {
		t.Errorf("world viewport %+v", b)
	}
	b = Viewport(179.9, 52, 10, 1280, 800)
	if b.MaxLon <= 180 || b.MinLon >= 179.9 || b.MinLat >= 52 || b.MaxLat <= 52 {
		t.Errorf("viewport near the antimeridian %+v", b)
	}
	w := (b.MaxLon - b.MinLon) / 360 * 512 * 1024
	if math.Abs(w-1280) > 1e-6 {
		t.Errorf("viewport is %v px wide", w)
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		o              Options
		shift, maxZoom int
	}{
		{Options{}, 3, 16},
		{Options{CellPx: 128, MaxZoom: 18}, 2, 18},
		{Options{CellPx: 100}, 3, 16}, // rounded down to 64
		{Options{CellPx: 1, MaxZoom: 22}, 9, 17},
		{Options{CellPx: 4096, MaxZoom: 30}, 0, 24},
	}
	for _, tc := range tests {
		ix := New(tc.o)
		if ix.shift != tc.shift || ix.MaxZoom() != tc.maxZoom {
			t.Errorf("New(%+v): shift %d, max zoom %d; want %d, %d", tc.o, ix.shift, ix.maxZoom, tc.shift, tc.maxZoom)
		}
	}
	// A different cell size still counts every point once.
	rng := rand.New(rand.NewPCG(17, 18))
	pts := testPoints(rng, 2000)
	ix := New(Options{CellPx: 256})
	ix.Build(pts)
	for z := range 5 {
		fs, err := ix.Clusters(BBox{-180, -90, 180, 90}, float64(z), Filter{})
		sum := 0
		for _, f := range fs {
			sum += f.Count
		}
		if err != nil || sum != len(pts) {
			t.Errorf("CellPx 256 z%d: %d, %v", z, sum, err)
		}
	}
}

// Build keeps the last of several points with one ID.
func TestBuildDuplicateIDs(t *testing.T) {
	ix := build([]Point{{ID: 1, Lon: 1, Lat: 1}, {ID: 2, Lon: 2, Lat: 2}, {ID: 1, Lon: 3, Lat: 3, Name: "last"}})
	if ix.Len() != 2 {
		t.Fatalf("Len = %d", ix.Len())
	}
	fs, _ := ix.Clusters(BBox{0, 0, 4, 4}, 20, Filter{})
	slices.SortFunc(fs, func(a, b Feature) int { return cmpInt64(a.ID, b.ID) })
	if len(fs) != 2 || fs[0].ID != 1 || fs[0].Name != "last" || fs[0].Lon != 3 {
		t.Errorf("%+v", fs)
	}
	ix.Remove(1)
	ix.Remove(1)
	if ix.Len() != 1 || ix.Count(BBox{0, 0, 4, 4}, Filter{}) != 1 {
		t.Errorf("after Remove: Len %d", ix.Len())
	}
}

// Box edges are exact: points a hair inside or outside an edge, including in the same 26-bit
// quantum as the edge, are counted as brute force says, for plain, unwrapped and crossing
// boxes.
func TestBoxEdges(t *testing.T) {
	const quantum = 360.0 / (1 << 26)
	boxes := []BBox{
		{10 + quantum/2, 50 + 1e-6, 10.5 + quantum/3, 50.2 + 3e-7},
		{370.1234567, -20.5, 370.6, -20.1},
		{-709.75, 0.3, -709.1, 0.8},
		{179.7 + quantum/2, 60, -179.8 - quantum/4, 60.1},
		{-3.25, -89.9, -3.2, -84.9},
	}
	for i, b := range boxes {
		rng := rand.New(rand.NewPCG(19, uint64(i)))
		var pts []Point
		add := func(lon, lat float64) {
			lon = math.Mod(lon+540, 360) - 180
			pts = append(pts, Point{ID: int64(len(pts) + 1), Lon: lon, Lat: math.Max(-90, math.Min(90, lat))})
		}
		w := b.MaxLon - b.MinLon
		if w < 0 {
			w += 360
		}
		for range 400 {
			off := (rng.Float64()*2 - 1) * 3 * quantum // within three quanta of the edge
			along := rng.Float64()
			add(b.MinLon+off, b.MinLat+along*(b.MaxLat-b.MinLat))
			add(b.MinLon+w+off, b.MinLat+along*(b.MaxLat-b.MinLat))
			add(b.MinLon+along*w, b.MinLat+off)
			add(b.MinLon+along*w, b.MaxLat+off)
		}
		for range 300 { // crowded at the middle of each edge, so that cells get that small
			dx, dy := (rng.Float64()*2-1)*3*quantum, (rng.Float64()*2-1)*3*quantum
			add(b.MinLon+dx, b.MinLat+(b.MaxLat-b.MinLat)/2+dy)
			add(b.MinLon+w+dx, b.MinLat+(b.MaxLat-b.MinLat)/2+dy)
			add(b.MinLon+w/2+dx, b.MinLat+dy)
			add(b.MinLon+w/2+dx, b.MaxLat+dy)
		}
		for range 200 { // and some well inside, so that inner cells are taken whole
			add(b.MinLon+rng.Float64()*w, b.MinLat+rng.Float64()*(b.MaxLat-b.MinLat))
		}
		ix := build(pts)
		want := bruteCount(pts, b, Filter{})
		if want == 0 || want == len(pts) {
			t.Fatalf("box %d: the test is wrong: %d of %d points inside", i, want, len(pts))
		}
		if got := ix.Count(b, Filter{}); got != want {
			t.Errorf("box %d: Count = %d, want %d", i, got, want)
		}
		small := New(Options{MaxFeatures: 1 << 20})
		small.Build(pts)
		fs, err := small.Clusters(b, 20, Filter{})
		if err != nil || len(fs) != want {
			t.Errorf("box %d: Clusters at z20 = %d points, %v; want %d", i, len(fs), err, want)
		}
	}
}

func TestCanonLon(t *testing.T) {
	below := math.Nextafter(-180, -200)
	tests := []struct{ in, want float64 }{
		{0, 0}, {-180, -180}, {180, -180}, {179.5, 179.5}, {190, -170}, {-190, 170},
		{540, -180}, {-540, -180}, {720.25, 0.25}, {math.NaN(), 0}, {math.Inf(1), 0},
		{math.Nextafter(180, 0), math.Nextafter(180, 0)},
	}
	for _, tc := range tests {
		if got := canonLon(tc.in); got != tc.want {
			t.Errorf("canonLon(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, in := range []float64{below, math.Nextafter(180, 200), -1e-300 - 180, 1e300, -1e300} {
		if got := canonLon(in); !(got >= -180 && got < 180) {
			t.Errorf("canonLon(%v) = %v, out of [-180, 180)", in, got)
		}
	}
}

// MaxFeatures features are fine, one more is refused, on every path.
func TestMaxFeaturesExactly(t *testing.T) {
	var pts []Point
	for i := range 51 { // one point per cell of the 8×8 grid at zoom 0
		pts = append(pts, Point{ID: int64(i + 1), Lon: -180 + 45*float64(i%8) + 20, Lat: unmercLat((float64(i/8) + 0.5) / 8)})
	}
	for _, n := range []int{50, 51} {
		ix := New(Options{MaxFeatures: 50})
		ix.Build(pts[:n])
		for _, zoom := range []float64{0, 20} {
			for _, f := range []Filter{{}, {Principles: 0}, {IDs: NewIDSet()}} {
				if f.IDs != nil {
					for _, p := range pts {
						f.IDs.Add(p.ID)
					}
				}
				fs, err := ix.Clusters(BBox{-180, -85, 180, 85}, zoom, f)
				if n == 50 && (err != nil || len(fs) != 50) || n == 51 && !errors.Is(err, ErrTooMany) {
					t.Errorf("%d points at z%v, %+v: %d features, %v", n, zoom, f, len(fs), err)
				}
			}
		}
	}
}

// The overlay reuses the slots of points it lets go of.
func TestOverlayReusesSlots(t *testing.T) {
	ix := New(Options{})
	ix.mergeMinOverlay = 1 << 30
	for i := range 1000 {
		ix.Put(Point{ID: 7, Lon: float64(i % 100), Lat: 1, Name: "moving"})
		ix.Put(Point{ID: 8, Lon: 1, Lat: 1})
		ix.Remove(8)
	}
	if ix.Len() != 1 || len(ix.pool) > 2 {
		t.Errorf("Len %d, %d slots for 1 point", ix.Len(), len(ix.pool))
	}
}

func TestCanonLat(t *testing.T) {
	ix := build([]Point{{ID: 1, Lat: 95}, {ID: 2, Lat: -91}, {ID: 3, Lat: math.NaN(), Lon: 1}, {ID: 4, Lat: 45}})
	fs, err := ix.Clusters(BBox{-180, -90, 180, 90}, 20, Filter{})
	if err != nil || len(fs) != 4 {
		t.Fatal(fs, err)
	}
	want := map[int64]float64{1: 90, 2: -90, 3: 0, 4: 45}
	for _, f := range fs {
		if f.Lat != want[f.ID] {
			t.Errorf("point %d at latitude %v, want %v", f.ID, f.Lat, want[f.ID])
		}
	}
}

func TestRandomEurope(t *testing.T) {
	a := RandomEurope(rand.New(rand.NewPCG(1, 1)), 20000)
	b := RandomEurope(rand.New(rand.NewPCG(1, 1)), 20000)
	if !slices.Equal(a, b) {
		t.Fatal("not deterministic")
	}
	for i, p := range a {
		if p.ID != int64(i+1) || p.Lon < -10 || p.Lon > 30 || p.Lat < 35 || p.Lat > 65 || p.Name == "" || p.Facets.Sectors == 0 {
			t.Fatalf("point %+v", p)
		}
	}
	// Clustered: the busiest 1% of cells at zoom 8 hold a good share of the points, far
	// more than a uniform spread would put there.
	cells := map[string]int{}
	for _, p := range a {
		cells[testKey(8, p)]++
	}
	counts := make([]int, 0, len(cells))
	for _, n := range cells {
		counts = append(counts, n)
	}
	slices.Sort(counts)
	slices.Reverse(counts)
	top := 0
	for _, n := range counts[:len(counts)/100+1] {
		top += n
	}
	if top < len(a)/5 {
		t.Errorf("the busiest cells hold only %d of %d points", top, len(a))
	}
}

// Putting a point the index already holds, exactly, leaves its version
// where it was (so what is kept per version stays); any difference in
// place, name or facets moves it, in the base and in the overlay alike.
func TestPutOfTheSamePointKeepsTheVersion(t *testing.T) {
	ix := New(Options{})
	a := Point{ID: 1, Lon: 4.9, Lat: 52.37, Name: "Buurtkeuken", Facets: Facets{Sectors: 1 << 3, District: 2}}
	b := Point{ID: 2, Lon: 4.95, Lat: 52.35, Name: "Repair Café"}
	ix.Build([]Point{a, b})
	c := Point{ID: 3, Lon: 5.0, Lat: 52.3, Name: "Zonnedak"}
	ix.Put(c) // in the overlay
	for _, p := range []Point{a, b, c} {
		v := ix.Version()
		ix.Put(p)
		if ix.Version() != v {
			t.Errorf("putting point %d again moved the version", p.ID)
		}
	}
	moved, renamed, refaceted := a, b, c
	moved.Lat += 0.001
	renamed.Name = "Repair Café Oost"
	refaceted.Facets.Needs = 1
	for _, p := range []Point{moved, renamed, refaceted} {
		v := ix.Version()
		ix.Put(p)
		if ix.Version() == v {
			t.Errorf("a changed point %d left the version where it was", p.ID)
		}
		feats, err := ix.Clusters(BBox{MinLon: 4, MinLat: 52, MaxLon: 6, MaxLat: 53}, 20, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range feats {
			found = found || f.ID == p.ID && f.Name == p.Name && f.Lat == p.Lat
		}
		if !found {
			t.Errorf("point %d is not there as put: %+v", p.ID, feats)
		}
	}
}
