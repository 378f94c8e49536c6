package mapindex

import (
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

var fuzzData = sync.OnceValues(func() ([]Point, *Index) {
	rng := rand.New(rand.NewPCG(21, 22))
	pts := testPoints(rng, 2000)
	edge := []Point{
		{ID: 1, Lon: 180, Lat: 0}, {ID: 2, Lon: -180, Lat: 0}, {ID: 4, Lon: 0, Lat: 90},
		{ID: 5, Lon: 0, Lat: -90}, {ID: 6, Lon: 179.99999999, Lat: -85.06}, {ID: 8, Lon: 0, Lat: 0},
		{ID: 9, Lon: 0, Lat: 0}, {ID: 11, Lon: -0.0000001, Lat: 0.0000001},
	}
	for i := range edge {
		edge[i].Facets = randomFacets(rng)
	}
	pts = append(pts, edge...)
	ix := New(Options{})
	ix.Build(pts[:1500])
	for _, p := range pts[1500:] { // some of it in the overlay
		ix.Put(p)
	}
	for _, p := range pts[:40] {
		ix.Remove(p.ID)
	}
	return pts[40:], ix
})

func fuzzFilter(kind uint8, arg uint64, pts []Point) Filter {
	switch kind % 8 {
	case 1:
		return Filter{Sectors: arg}
	case 2:
		return Filter{Needs: uint32(arg), Offers: uint32(arg >> 32)}
	case 3:
		return Filter{Principles: uint8(arg)}
	case 4:
		return Filter{LegalForms: arg}
	case 5:
		return Filter{Districts: arg, Sectors: arg >> 20}
	case 6, 7:
		ids := NewIDSet()
		step := int(arg%97) + 1
		if kind%8 == 7 {
			step = int(arg%3) + 1
		}
		for i := 0; i < len(pts); i += step {
			ids.Add(pts[i].ID)
		}
		return Filter{IDs: ids}
	}
	return Filter{}
}

// FuzzClusters feeds arbitrary boxes, zooms and filters to an index with points in its base
// and its overlay: no panics, the right error for bad input, and answers that agree with
// brute force.
func FuzzClusters(f *testing.F) {
	f.Add(-10.0, 35.0, 30.0, 65.0, 3.0, uint8(0), uint64(0))
	f.Add(-180.0, -90.0, 180.0, 90.0, 0.0, uint8(1), uint64(0xff))
	f.Add(170.0, -10.0, -170.0, 10.0, 5.5, uint8(6), uint64(3))
	f.Add(179.0, -1.0, 181.0, 1.0, 17.0, uint8(0), uint64(0))
	f.Add(-1.0, -1.0, 1.0, 1.0, 12.0, uint8(11), uint64(1))
	f.Add(-1.0, 85.0, 1.0, 90.0, 20.0, uint8(3), uint64(5))
	f.Add(0.0, 0.0, 0.0, 0.0, 24.0, uint8(0), uint64(0))
	f.Add(math.NaN(), 0.0, 1.0, 1.0, 3.0, uint8(0), uint64(0))
	f.Add(-500.0, -90.0, 500.0, 90.0, 1.0, uint8(15), uint64(2))
	f.Add(-10.0, 35.0, 30.0, 65.0, 25.0, uint8(0), uint64(0))
	f.Fuzz(func(t *testing.T, minLon, minLat, maxLon, maxLat, zoom float64, kind uint8, arg uint64) {
		pts, ix := fuzzData()
		ix.idsPath = int8(kind>>3%3) - 1
		defer func() { ix.idsPath = 0 }()
		b := BBox{minLon, minLat, maxLon, maxLat}
		flt := fuzzFilter(kind, arg, pts)
		fs, err := ix.Clusters(b, zoom, flt)
		n := ix.Count(b, flt)
		if !bruteValid(b) {
			if !errors.Is(err, ErrBadBBox) || n != 0 {
				t.Fatalf("invalid %+v: %v, count %d", b, err, n)
			}
			return
		}
		if math.IsNaN(zoom) || zoom < 0 || zoom > 24 {
			if !errors.Is(err, ErrBadZoom) {
				t.Fatalf("zoom %v: %v", zoom, err)
			}
			return
		}
		want := bruteCount(pts, b, flt)
		if n != want {
			t.Fatalf("Count(%+v, %+v) = %d, want %d", b, flt, n, want)
		}
		z := int(zoom)
		if errors.Is(err, ErrTooMany) {
			if z > testMaxZoom && want <= 10000 || z <= testMaxZoom && !tooBig(b, z) {
				t.Fatalf("ErrTooMany for %+v at %v (%d points)", b, zoom, want)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]Point{}
		for _, p := range pts {
			byID[p.ID] = p
		}
		if z > testMaxZoom {
			if len(fs) != want {
				t.Fatalf("%d points, want %d", len(fs), want)
			}
			seen := map[int64]bool{}
			for _, ft := range fs {
				p, ok := byID[ft.ID]
				if ft.Cluster || seen[ft.ID] || !ok || !bruteIn(p, b) || !flt.match(p.ID, p.Facets) || ft != brutePoint(p) {
					t.Fatalf("unexpected %+v", ft)
				}
				seen[ft.ID] = true
			}
			return
		}
		all := bruteClusters(pts, z, flt)
		got := map[string]Feature{}
		for _, ft := range fs {
			k := featureKey(ft)
			if _, dup := got[k]; dup {
				t.Fatalf("%s twice", k)
			}
			got[k] = ft
		}
		want2 := map[string]Feature{}
		for k := range got {
			want2[k] = all[k]
		}
		sameFeatures(t, "fuzz", got, want2)
		for _, p := range pts { // every point in the box is in some feature
			if bruteIn(p, b) && flt.match(p.ID, p.Facets) {
				_, inCluster := got[testKey(z, p)]
				_, alone := got[featureKey(brutePoint(p))]
				if !inCluster && !alone {
					t.Fatalf("point %+v is in the box but in no feature", p)
				}
			}
		}
	})
}

// tooBig says, with some slack for rounding, whether a box is more than 8192 pixels wide or
// tall at zoom z.
func tooBig(b BBox, z int) bool {
	w := b.MaxLon - b.MinLon
	if b.MinLon > b.MaxLon {
		w += 360
	}
	w = math.Min(w, 360)
	h := mercY(b.MinLat) - mercY(b.MaxLat)
	scale := 512 * math.Exp2(float64(z))
	return w/360*scale > 8192*(1-1e-9) || h*scale > 8192*(1-1e-9)
}
