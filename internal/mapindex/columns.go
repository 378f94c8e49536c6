package mapindex

import (
	"math"
	"runtime"
	"sync"
)

// sumBlock is the spacing of the base array's prefix sums. Sampling them costs 2 bytes per
// point instead of 16; a range sum adds at most sumBlock-1 entries at each end.
const sumBlock = 8

// columns is the base array, stored column by column (19 bytes of facets take 19 bytes, not
// a padded 24, and a scan touches only the columns it tests), sorted by (code, ID).
type columns struct {
	code     []uint64
	id       []int64
	lon, lat []float64
	nameOff  []uint32 // name i is names[nameOff[i]:nameOff[i+1]]
	names    []byte

	sectors    []uint64
	needs      []uint32
	offers     []uint32
	principles []uint8
	legalForm  []uint8
	district   []uint8

	// sumLon[k] is the sum of toE7(lon) over entries [0, k·sumBlock); likewise sumLat.
	sumLon, sumLat []int64
}

func newColumns(n, nameBytes int) *columns {
	if n > math.MaxInt32 || nameBytes > math.MaxUint32 {
		panic("mapindex: too many points or names for one index")
	}
	return &columns{
		code:       make([]uint64, 0, n),
		id:         make([]int64, 0, n),
		lon:        make([]float64, 0, n),
		lat:        make([]float64, 0, n),
		nameOff:    append(make([]uint32, 0, n+1), 0),
		names:      make([]byte, 0, nameBytes),
		sectors:    make([]uint64, 0, n),
		needs:      make([]uint32, 0, n),
		offers:     make([]uint32, 0, n),
		principles: make([]uint8, 0, n),
		legalForm:  make([]uint8, 0, n),
		district:   make([]uint8, 0, n),
	}
}

func (c *columns) len() int { return len(c.code) }

// resize sets the length of every column but the names to n entries, to be filled by index.
func (c *columns) resize(n int) {
	c.code, c.id = c.code[:n], c.id[:n]
	c.lon, c.lat = c.lon[:n], c.lat[:n]
	c.nameOff = c.nameOff[:n+1]
	c.sectors, c.needs, c.offers = c.sectors[:n], c.needs[:n], c.offers[:n]
	c.principles, c.legalForm, c.district = c.principles[:n], c.legalForm[:n], c.district[:n]
}

func (c *columns) add(code uint64, id int64, lon, lat float64, name string, f Facets) {
	c.code = append(c.code, code)
	c.id = append(c.id, id)
	c.lon = append(c.lon, lon)
	c.lat = append(c.lat, lat)
	c.names = append(c.names, name...)
	c.nameOff = append(c.nameOff, uint32(len(c.names)))
	c.sectors = append(c.sectors, f.Sectors)
	c.needs = append(c.needs, f.Needs)
	c.offers = append(c.offers, f.Offers)
	c.principles = append(c.principles, f.Principles)
	c.legalForm = append(c.legalForm, f.LegalForm)
	c.district = append(c.district, f.District)
}

// copyRun appends entries [lo, hi) of o and records their new indices in remap.
func (c *columns) copyRun(o *columns, lo, hi int, remap []int32) {
	if lo >= hi {
		return
	}
	at := len(c.code)
	c.code = append(c.code, o.code[lo:hi]...)
	c.id = append(c.id, o.id[lo:hi]...)
	c.lon = append(c.lon, o.lon[lo:hi]...)
	c.lat = append(c.lat, o.lat[lo:hi]...)
	delta := uint32(len(c.names)) - o.nameOff[lo] // unsigned arithmetic wraps as needed
	c.names = append(c.names, o.names[o.nameOff[lo]:o.nameOff[hi]]...)
	for _, off := range o.nameOff[lo+1 : hi+1] {
		c.nameOff = append(c.nameOff, off+delta)
	}
	c.sectors = append(c.sectors, o.sectors[lo:hi]...)
	c.needs = append(c.needs, o.needs[lo:hi]...)
	c.offers = append(c.offers, o.offers[lo:hi]...)
	c.principles = append(c.principles, o.principles[lo:hi]...)
	c.legalForm = append(c.legalForm, o.legalForm[lo:hi]...)
	c.district = append(c.district, o.district[lo:hi]...)
	for i := lo; i < hi; i++ {
		remap[i] = int32(at + i - lo)
	}
}

// finish computes the prefix sums once all entries are in.
func (c *columns) finish() {
	n := len(c.code)
	c.sumLon = make([]int64, n/sumBlock+1)
	c.sumLat = make([]int64, n/sumBlock+1)
	var lon, lat int64
	for i := range n {
		if i%sumBlock == 0 {
			c.sumLon[i/sumBlock], c.sumLat[i/sumBlock] = lon, lat
		}
		lon += toE7(c.lon[i])
		lat += toE7(c.lat[i])
	}
	if n%sumBlock == 0 {
		c.sumLon[n/sumBlock], c.sumLat[n/sumBlock] = lon, lat
	}
}

// lowerBound is the first index ≥ lo whose (code, ID) is not less than (code, id).
func (c *columns) lowerBound(lo int, code uint64, id int64) int {
	hi := len(c.code)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if lessCodeID(c.code[m], c.id[m], code, id) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func (c *columns) name(i int) string { return string(c.names[c.nameOff[i]:c.nameOff[i+1]]) }

// prefix is the sum of toE7(lon) and toE7(lat) over entries [0, i).
func (c *columns) prefix(i int) (lon, lat int64) {
	b := i / sumBlock
	lon, lat = c.sumLon[b], c.sumLat[b]
	for j := b * sumBlock; j < i; j++ {
		lon += toE7(c.lon[j])
		lat += toE7(c.lat[j])
	}
	return lon, lat
}

// buildColumns sorts points by (code, ID) with two stable radix sorts (first by ID, to drop
// all but the last point of each ID, then by code) and lays them out as columns.
func buildColumns(points []Point) (*columns, []int32) {
	n := len(points)
	if n > math.MaxInt32 {
		panic("mapindex: too many points for one index")
	}
	codes := make([]uint64, n)
	parallel(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			codes[i] = pointCode(canonLon(points[i].Lon), canonLat(points[i].Lat))
		}
	})

	a := make([]kv, n)
	buf := make([]kv, n)
	for i, p := range points {
		a[i] = kv{key: uint64(p.ID) ^ 1<<63, val: uint32(i)}
	}
	a, buf = radixSort(a, buf, 64)
	// Keep the last of each run of equal IDs: the sort is stable, so that is the last given.
	kept := a[:0]
	for i := range a {
		if i+1 < len(a) && a[i+1].key == a[i].key {
			continue
		}
		kept = append(kept, a[i])
	}
	byID := make([]uint32, len(kept))
	for j, e := range kept {
		byID[j] = e.val
	}
	m := len(byID)
	b := buf[:m]
	nameBytes := 0
	for j, i := range byID {
		b[j] = kv{key: codes[i], val: i}
		nameBytes += len(points[i].Name)
	}
	sorted, _ := radixSort(b, a[:m], 2*qBits)

	// Fill the columns in parallel: reading the points in code order misses the cache at
	// every point, and the misses of several cores overlap. Each part gathers its names
	// alone; they are joined afterwards.
	cols := newColumns(m, nameBytes)
	cols.resize(m)
	pos := make([]int32, n)
	parts := split(m)
	names := make([][]byte, len(parts))
	var wg sync.WaitGroup
	for k, part := range parts {
		wg.Go(func() {
			nb := make([]byte, 0, nameBytes/len(parts)+nameBytes/16)
			for out := part[0]; out < part[1]; out++ {
				e := sorted[out]
				p := &points[e.val]
				pos[e.val] = int32(out)
				f := &p.Facets
				cols.code[out], cols.id[out] = e.key, p.ID
				cols.lon[out], cols.lat[out] = canonLon(p.Lon), canonLat(p.Lat)
				cols.sectors[out], cols.needs[out], cols.offers[out] = f.Sectors, f.Needs, f.Offers
				cols.principles[out], cols.legalForm[out], cols.district[out] = f.Principles, f.LegalForm, f.District
				nb = append(nb, p.Name...)
				cols.nameOff[out+1] = uint32(len(nb)) // within the part, for now
			}
			names[k] = nb
		})
	}
	wg.Wait()
	for k, part := range parts {
		base := uint32(len(cols.names))
		cols.names = append(cols.names, names[k]...)
		names[k] = nil
		for out := part[0]; out < part[1]; out++ {
			cols.nameOff[out+1] += base
		}
	}
	cols.finish()
	perm := make([]int32, m)
	for j, i := range byID {
		perm[j] = pos[i]
	}
	return cols, perm
}

// split cuts [0, n) into one part per processor, or a single part when n is small.
func split(n int) [][2]int {
	workers := runtime.GOMAXPROCS(0)
	if n < 1<<14 || workers < 2 {
		return [][2]int{{0, n}}
	}
	var parts [][2]int
	size := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += size {
		parts = append(parts, [2]int{lo, min(lo+size, n)})
	}
	return parts
}

// parallel runs fn over [0, n), one part per processor.
func parallel(n int, fn func(lo, hi int)) {
	var wg sync.WaitGroup
	for _, p := range split(n) {
		wg.Go(func() { fn(p[0], p[1]) })
	}
	wg.Wait()
}

type kv struct {
	key uint64
	val uint32
}

// radixSort sorts a by the low keyBits bits of key, stably (LSD, 11 bits per pass, skipping
// passes in which every key has the same digit). It returns the sorted slice and the other
// one, as each pass moves the data between the two.
func radixSort(a, buf []kv, keyBits int) (sorted, spare []kv) {
	const digit = 11
	var count [1 << digit]int
	for sh := 0; sh < keyBits; sh += digit {
		clear(count[:])
		for _, e := range a {
			count[(e.key>>sh)&(1<<digit-1)]++
		}
		if len(a) == 0 || count[(a[0].key>>sh)&(1<<digit-1)] == len(a) {
			continue
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for _, e := range a {
			d := (e.key >> sh) & (1<<digit - 1)
			buf[count[d]] = e
			count[d]++
		}
		a, buf = buf, a
	}
	return a, buf
}
