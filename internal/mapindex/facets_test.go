package mapindex

import (
	"math/rand/v2"
	"testing"
)

// The facet counts equal counting by hand, with each facet's own choice
// left out, for random points and filters, also after edits.
func TestFacetCountsMatchBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pts := RandomEurope(rng, 3000)
	for i := range pts {
		pts[i].Facets = Facets{
			Sectors: uint64(randomBits(rng, 6)), Needs: 1 << rng.IntN(5), Offers: randomBits(rng, 5),
			Principles: uint8(rng.IntN(16)), LegalForm: uint8(rng.IntN(4)), District: uint8(rng.IntN(5)),
		}
	}
	ix := New(Options{})
	ix.Build(pts)
	// Some edits, so the overlay is counted too.
	for i := range 200 {
		p := pts[rng.IntN(len(pts))]
		p.Facets.Sectors = 1 << rng.IntN(6)
		ix.Put(p)
		if i%3 == 0 {
			ix.Remove(p.ID)
		} else {
			for j := range pts {
				if pts[j].ID == p.ID {
					pts[j] = p
				}
			}
		}
	}
	live := map[int64]Point{}
	for _, p := range pts {
		live[p.ID] = p
	}
	for i := range pts {
		if ix.Count(BBox{-180, -85, 180, 85}, Filter{IDs: NewIDSet(pts[i].ID)}) == 0 {
			delete(live, pts[i].ID)
		}
	}
	box := BBox{MinLon: -5, MinLat: 40, MaxLon: 20, MaxLat: 60}
	for trial := range 40 {
		f := Filter{}
		if trial%2 == 0 {
			f.Sectors = 1 << rng.IntN(6)
		}
		if trial%3 == 0 {
			f.Needs = randomBits(rng, 5)
		}
		if trial%5 == 0 {
			f.Principles = uint8(1 << rng.IntN(4))
		}
		if trial%4 == 0 {
			f.Districts = 1 << rng.IntN(4)
		}
		if trial%7 == 0 {
			f.IDs = NewIDSet()
			for range 500 {
				f.IDs.Add(pts[rng.IntN(len(pts))].ID)
			}
		}
		got, err := ix.FacetCounts(box, f)
		if err != nil {
			t.Fatal(err)
		}
		var want FacetCounts
		for _, p := range live {
			if !box.Contains(p.Lon, p.Lat) {
				continue
			}
			if f.IDs != nil {
				if !f.IDs.Has(p.ID) {
					continue
				}
			}
			without := func(g Filter) bool { g.IDs = nil; return g.match(p.ID, p.Facets) }
			fc := p.Facets
			g := f
			g.Sectors = 0
			if without(g) {
				for b := range 64 {
					if fc.Sectors&(1<<b) != 0 {
						want.Sectors[b]++
					}
				}
			}
			g = f
			g.Needs = 0
			if without(g) {
				for b := range 32 {
					if fc.Needs&(1<<b) != 0 {
						want.Needs[b]++
					}
				}
			}
			g = f
			g.Offers = 0
			if without(g) {
				for b := range 32 {
					if fc.Offers&(1<<b) != 0 {
						want.Offers[b]++
					}
				}
			}
			g = f
			g.LegalForms = 0
			if without(g) {
				want.LegalForms[fc.LegalForm]++
			}
			g = f
			g.Districts = 0
			if without(g) {
				want.Districts[fc.District]++
			}
			if without(f) {
				want.Matching++
				for b := range 8 {
					if fc.Principles&(1<<b) != 0 {
						want.Principles[b]++
					}
				}
			}
		}
		if got != want {
			t.Fatalf("filter %+v:\n got %+v\nwant %+v", f, got, want)
		}
		if want.Matching == 0 && trial < 5 {
			t.Logf("trial %d matched nothing", trial)
		}
	}
}

// randomBits sets one or two random bits below n.
func randomBits(rng *rand.Rand, n int) uint32 {
	a, b := rng.IntN(n), rng.IntN(n)
	return 1<<a | 1<<b
}

func BenchmarkFacetCounts3M(b *testing.B) {
	if testing.Short() {
		b.Skip("3M points")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pts := RandomEurope(rng, 3_000_000)
	for i := range pts {
		pts[i].Facets = Facets{Sectors: 1 << rng.IntN(18), Needs: 1 << rng.IntN(12), District: uint8(rng.IntN(9))}
	}
	ix := New(Options{})
	ix.Build(pts)
	world := BBox{-180, -85, 180, 85}
	b.ResetTimer()
	for b.Loop() {
		ix.facets.clear() // a count, not the kept answer
		if _, err := ix.FacetCounts(world, Filter{Sectors: 1 << 3}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFacetCountsFollowEveryChange: the counts a directory asked for a
// moment ago are kept, but never past a change to the index.
func TestFacetCountsFollowEveryChange(t *testing.T) {
	ix := New(Options{})
	ix.Build([]Point{
		{ID: 1, Lon: 4.9, Lat: 52.37, Facets: Facets{Sectors: 1}},
		{ID: 2, Lon: 4.8, Lat: 52.36, Facets: Facets{Sectors: 2}},
	})
	world := BBox{MinLon: -180, MinLat: -90, MaxLon: 180, MaxLat: 90}
	food := func() int {
		t.Helper()
		fc, err := ix.FacetCounts(world, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return fc.Sectors[0]
	}
	steps := []struct {
		name   string
		change func()
		want   int
	}{
		{"as built", func() {}, 1},
		{"asked again", func() {}, 1},
		{"one more put", func() { ix.Put(Point{ID: 3, Lon: 5, Lat: 52, Facets: Facets{Sectors: 1}}) }, 2},
		{"one moved to another sector", func() { ix.Put(Point{ID: 1, Lon: 4.9, Lat: 52.37, Facets: Facets{Sectors: 2}}) }, 1},
		{"one removed", func() { ix.Remove(3) }, 0},
		{"nothing removed", func() { ix.Remove(99) }, 0},
		{"built anew", func() { ix.Build([]Point{{ID: 7, Lon: 1, Lat: 1, Facets: Facets{Sectors: 1}}}) }, 1},
	}
	for _, s := range steps {
		s.change()
		if got := food(); got != s.want {
			t.Errorf("%s: %d in the first sector; want %d", s.name, got, s.want)
		}
	}
}

// The counts kept for a directory's questions, brought up to date point by
// point at every Put and Remove, equal a count from scratch after
// thousands of puts, moves in and out of the boxes, removals and the
// overlay's merges.
func TestKeptFacetCountsEqualACount(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	random := func(p Point) Point {
		p.Facets = Facets{Sectors: uint64(randomBits(rng, 6)), Needs: randomBits(rng, 4), Offers: randomBits(rng, 4),
			Principles: uint8(rng.IntN(16)), LegalForm: uint8(rng.IntN(4)), District: uint8(rng.IntN(5))}
		return p
	}
	pts := RandomEurope(rng, 2000)
	for i := range pts {
		pts[i] = random(pts[i])
	}
	ix := New(Options{})
	ix.Build(pts)
	questions := []struct {
		box BBox
		f   Filter
	}{
		{BBox{-180, -90, 180, 90}, Filter{}},
		{BBox{-180, -90, 180, 90}, Filter{Sectors: 1 << 2}},
		{BBox{-180, -90, 180, 90}, Filter{Districts: 1<<1 | 1<<3, Principles: 1}},
		{BBox{0, 45, 10, 55}, Filter{}},
		{BBox{0, 45, 10, 55}, Filter{Needs: 1, LegalForms: 1 << 2}},
		{BBox{170, -10, -170, 10}, Filter{}}, // across the antimeridian
	}
	ask := func(ix *Index) []FacetCounts {
		var out []FacetCounts
		for _, q := range questions {
			fc, err := ix.FacetCounts(q.box, q.f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fc)
		}
		return out
	}
	ask(ix) // now kept
	live := map[int64]Point{}
	for _, p := range pts {
		live[p.ID] = p
	}
	for i := range 3000 {
		p := pts[rng.IntN(len(pts))]
		switch i % 5 {
		case 0:
			ix.Remove(p.ID)
			delete(live, p.ID)
			continue
		case 1: // onto the edge of a box, or across the antimeridian
			p.Lon, p.Lat = []float64{0, 10, 180, -179.5}[rng.IntN(4)], []float64{45, 55, 0, 50}[rng.IntN(4)]
		case 2:
			p.ID = int64(10_000 + i) // a new one
		}
		p = random(p)
		ix.Put(p)
		live[p.ID] = p
		if i%500 == 0 {
			ask(ix) // questions asked between the changes are kept too
		}
	}
	fresh := New(Options{})
	var all []Point
	for _, p := range live {
		all = append(all, p)
	}
	fresh.Build(all)
	kept, counted := ask(ix), ask(fresh)
	for i := range questions {
		if kept[i] != counted[i] {
			t.Errorf("question %d (%+v): kept counts differ from a count", i, questions[i])
		}
	}
}
