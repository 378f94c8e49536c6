package mapindex

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

// benchN is 3,000,000, the number of points the atlas must carry; -short uses a tenth.
func benchN() int {
	if testing.Short() {
		return 300_000
	}
	return 3_000_000
}

var europePoints = sync.OnceValue(func() []Point {
	return RandomEurope(rand.New(rand.NewPCG(1, 2)), benchN())
})

var europeIndex = sync.OnceValue(func() *Index {
	ix := New(Options{})
	ix.Build(europePoints())
	return ix
})

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkBuild3M builds the index of 3M points spread over Europe and reports the heap the
// index keeps (everything: arrays, names, prefix sums, the by-ID permutation).
func BenchmarkBuild3M(b *testing.B) {
	pts := europePoints()
	before := heapInUse()
	ix := New(Options{})
	b.ReportAllocs()
	for b.Loop() {
		ix.Build(pts)
	}
	b.StopTimer()
	kept := float64(heapInUse() - before)
	b.ReportMetric(kept/(1<<20), "heapMB")
	b.ReportMetric(kept/float64(len(pts)), "B/point")
	b.Logf("%d points: index holds %.1f MB of heap, %.1f bytes per point", len(pts), kept/(1<<20), kept/float64(len(pts)))
	runtime.KeepAlive(ix)
}

// viewports are random 1280×800 pixel views at random zooms 0..18, half centred on a random
// initiative (so denser where the initiatives are, as people look there) and half anywhere in
// Europe.
func viewports(rng *rand.Rand, pts []Point, n int) ([]BBox, []float64) {
	boxes, zooms := make([]BBox, n), make([]float64, n)
	for i := range boxes {
		lon, lat := euMinLon+rng.Float64()*(euMaxLon-euMinLon), euMinLat+rng.Float64()*(euMaxLat-euMinLat)
		if i%2 == 0 {
			p := pts[rng.IntN(len(pts))]
			lon, lat = p.Lon, p.Lat
		}
		zooms[i] = rng.Float64() * 18
		boxes[i] = Viewport(lon, lat, zooms[i], 1280, 800)
	}
	return boxes, zooms
}

func BenchmarkClusters(b *testing.B) {
	pts := europePoints()
	ix := europeIndex()
	rng := rand.New(rand.NewPCG(3, 4))
	boxes, zooms := viewports(rng, pts, 4096)
	search := func(n int) Filter {
		ids := NewIDSet()
		for ids.Len() < n {
			ids.Add(pts[rng.IntN(len(pts))].ID)
		}
		return Filter{IDs: ids}
	}
	cases := []struct {
		name string
		f    Filter
	}{
		{"all", Filter{}},
		{"one sector", Filter{Sectors: 1 << 7}},
		{"sectors and principles", Filter{Sectors: 0xffff, Principles: 0b11}},
		{"search 100 hits", search(100)},
		{"search 100k hits", search(100_000)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			features, tooMany, i := 0, 0, 0
			for b.Loop() {
				fs, err := ix.Clusters(boxes[i%len(boxes)], zooms[i%len(boxes)], c.f)
				if errors.Is(err, ErrTooMany) {
					tooMany++
				} else if err != nil {
					b.Fatal(err)
				}
				features += len(fs)
				i++
			}
			b.ReportMetric(float64(features)/float64(i), "features/op")
			b.ReportMetric(float64(tooMany)/float64(i), "toomany/op")
		})
	}
}

func BenchmarkCount(b *testing.B) {
	pts := europePoints()
	ix := europeIndex()
	boxes, _ := viewports(rand.New(rand.NewPCG(5, 6)), pts, 4096)
	i := 0
	for b.Loop() {
		ix.Count(boxes[i%len(boxes)], Filter{})
		i++
	}
}

// BenchmarkPut edits an index of 3M points; the cost includes the overlay's merges into the
// base, amortised.
func BenchmarkPut(b *testing.B) {
	pts := europePoints()
	ix := New(Options{})
	ix.Build(pts)
	rng := rand.New(rand.NewPCG(7, 8))
	b.Run("move", func(b *testing.B) {
		merges := ix.merges
		for b.Loop() {
			p := pts[rng.IntN(len(pts))]
			p.Lon += rng.NormFloat64() * 0.01
			p.Lat += rng.NormFloat64() * 0.01
			ix.Put(p)
		}
		b.ReportMetric(float64(ix.merges-merges), "merges")
	})
	b.Run("insert", func(b *testing.B) {
		merges := ix.merges
		next := int64(len(pts)) + 1
		for b.Loop() {
			p := pts[rng.IntN(len(pts))]
			p.ID = next
			next++
			p.Lon += rng.NormFloat64() * 0.01
			ix.Put(p)
		}
		b.ReportMetric(float64(ix.merges-merges), "merges")
	})
	b.Run("merge", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			for range 1024 {
				p := pts[rng.IntN(len(pts))]
				p.Lon += rng.NormFloat64() * 0.01
				ix.mu.Lock()
				ix.putLocked(makeEntry(p))
				ix.mu.Unlock()
			}
			b.StartTimer()
			ix.mu.Lock()
			ix.merge()
			ix.mu.Unlock()
		}
	})
}
