package mapindex

import (
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// seg is one rectangle of a query, in degrees (canonical longitudes) and in quantised
// coordinates. The *Open flags say that a side reaches the edge of the world, so every stored
// point lies on the inner side of it.
type seg struct {
	minLon, maxLon, minLat, maxLat           float64
	x0, x1, y0, y1                           uint32
	westOpen, eastOpen, northOpen, southOpen bool
}

// query is a bounding box as up to three rectangles: a box crossing the antimeridian is cut
// in two, and a box that reaches 180 also takes in the meridian -180 (the same line).
type query struct {
	segs     [3]seg
	n        int
	widthDeg float64 // longitude width of the box, at most 360
	heightY  float64 // normalised Mercator height of the box
}

func makeQuery(b BBox) (query, error) {
	var q query
	for _, v := range [...]float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return q, ErrBadBBox
		}
	}
	if b.MinLat < -90 || b.MaxLat > 90 || b.MinLat > b.MaxLat {
		return q, ErrBadBBox
	}
	add := func(lo, hi float64) {
		q.segs[q.n] = seg{
			minLon: lo, maxLon: hi, minLat: b.MinLat, maxLat: b.MaxLat,
			x0: qx(lo), x1: qx(hi), y0: qy(b.MaxLat), y1: qy(b.MinLat),
			westOpen: lo <= -180, eastOpen: hi >= 180, northOpen: b.MaxLat >= 90, southOpen: b.MinLat <= -90,
		}
		q.n++
		q.widthDeg += hi - lo
	}
	switch {
	case b.MinLon > b.MaxLon: // crosses the antimeridian
		if b.MinLon > 180 || b.MaxLon < -180 || b.MinLon < -180 || b.MaxLon > 180 {
			return q, ErrBadBBox
		}
		add(b.MinLon, 180)
		add(-180, b.MaxLon)
	case b.MaxLon-b.MinLon >= lonSpan:
		add(-180, 180)
	default:
		lo, hi := b.MinLon, b.MaxLon
		if lo < -180 || lo >= 180 { // an unwrapped longitude, as MapLibre reports them
			w := hi - lo
			lo = canonLon(lo)
			hi = lo + w
		}
		if hi <= 180 {
			add(lo, hi)
		} else {
			add(lo, 180)
			add(-180, hi-lonSpan)
		}
	}
	east, west := false, false
	for i := range q.n {
		east = east || q.segs[i].eastOpen
		west = west || q.segs[i].westOpen
	}
	if east && !west { // points given at 180 are stored at -180
		add(-180, -180)
	}
	q.heightY = min(1, mercY(b.MinLat)-mercY(b.MaxLat))
	return q, nil
}

// Valid reports whether the box is one Count, Clusters and Contains take:
// finite numbers, latitudes in order within ±90, and longitudes a map may
// report (a box may cross the antimeridian, or run past ±180 unwrapped).
func (b BBox) Valid() bool {
	_, err := makeQuery(b)
	return err == nil
}

// Contains reports whether a position lies in the box, by the same rules as Count and
// Clusters: longitudes compare modulo 360 (so a box from 170 to 190, or from 170 to -170,
// holds -175, and 180 and -180 are one meridian); an invalid box contains nothing.
func (b BBox) Contains(lon, lat float64) bool {
	q, err := makeQuery(b)
	return err == nil && q.contains(canonLon(lon), canonLat(lat))
}

// cellRect is the quantised extent of cell (cx, cy) at a level.
func cellRect(level int, cx, cy uint32) (x0, x1, y0, y1 uint32) {
	s := uint(qBits - level)
	x0, y0 = cx<<s, cy<<s
	return x0, x0 + (1<<s - 1), y0, y0 + (1<<s - 1)
}

func (q *query) intersects(level int, cx, cy uint32) bool {
	x0, x1, y0, y1 := cellRect(level, cx, cy)
	for i := range q.n {
		g := &q.segs[i]
		if x0 <= g.x1 && x1 >= g.x0 && y0 <= g.y1 && y1 >= g.y0 {
			return true
		}
	}
	return false
}

// inside reports whether every point that can lie in the cell lies in the box. Quantising is
// monotone, so a point whose quantised x exceeds that of the box's west edge lies east of it.
func (q *query) inside(level int, cx, cy uint32) bool {
	x0, x1, y0, y1 := cellRect(level, cx, cy)
	for i := range q.n {
		g := &q.segs[i]
		if (x0 > g.x0 || g.westOpen) && (x1 < g.x1 || g.eastOpen) &&
			(y0 > g.y0 || g.northOpen) && (y1 < g.y1 || g.southOpen) {
			return true
		}
	}
	return false
}

// contains is the exact test of a stored (canonical) position.
func (q *query) contains(lon, lat float64) bool {
	for i := range q.n {
		g := &q.segs[i]
		if lon >= g.minLon && lon <= g.maxLon && lat >= g.minLat && lat <= g.maxLat {
			return true
		}
	}
	return false
}

// span is a code range seen in the three arrays: base entries [blo, bhi), removed entries
// [rlo, rhi) (which index into that base range) and added entries [alo, ahi).
type span struct{ blo, bhi, rlo, rhi, alo, ahi int }

func (ix *Index) count(s span) int { return (s.bhi - s.blo) - (s.rhi - s.rlo) + (s.ahi - s.alo) }

func (ix *Index) fullSpan() span {
	return span{0, ix.base.len(), 0, len(ix.removed), 0, len(ix.added)}
}

// lowerBound finds, within s, where codes ≥ code begin in each array.
func (ix *Index) lowerBound(s span, code uint64) (b, r, a int) {
	c := ix.base.code
	lo, hi := s.blo, s.bhi
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if c[m] < code {
			lo = m + 1
		} else {
			hi = m
		}
	}
	b = lo
	lo, hi = s.rlo, s.rhi
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int(ix.removed[m]) < b {
			lo = m + 1
		} else {
			hi = m
		}
	}
	r = lo
	lo, hi = s.alo, s.ahi
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ix.added[m].code < code {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return b, r, lo
}

// codeSpan is the span of codes [lo, hi) within s.
func (ix *Index) codeSpan(s span, lo, hi uint64) span {
	b0, r0, a0 := ix.lowerBound(s, lo)
	b1, r1, a1 := ix.lowerBound(span{b0, s.bhi, r0, s.rhi, a0, s.ahi}, hi)
	return span{b0, b1, r0, r1, a0, a1}
}

// children splits the span of a cell into the spans of its four children.
func (ix *Index) children(s span, level int, prefix uint64) (kids [4]span) {
	sh := uint(2 * (qBits - level - 1))
	cur := s
	for c := range 3 {
		b, r, a := ix.lowerBound(cur, (prefix<<2|uint64(c+1))<<sh)
		kids[c] = span{cur.blo, b, cur.rlo, r, cur.alo, a}
		cur.blo, cur.rlo, cur.alo = b, r, a
	}
	kids[3] = cur
	return kids
}

// walkCells visits, in Morton order, every non-empty cell at level L that intersects the
// query. Only non-empty cells that intersect the query are descended into, so the work is
// proportional to the cells returned and the box's edge, not to the number of points.
func (ix *Index) walkCells(q *query, L int, fn func(prefix uint64, s span) error) error {
	var rec func(level int, prefix uint64, cx, cy uint32, s span) error
	rec = func(level int, prefix uint64, cx, cy uint32, s span) error {
		if ix.count(s) == 0 || !q.intersects(level, cx, cy) {
			return nil
		}
		if level == L {
			return fn(prefix, s)
		}
		kids := ix.children(s, level, prefix)
		for c, k := range kids {
			if err := rec(level+1, prefix<<2|uint64(c), cx<<1|uint32(c&1), cy<<1|uint32(c>>1), k); err != nil {
				return err
			}
		}
		return nil
	}
	return rec(0, 0, 0, 0, ix.fullSpan())
}

// smallCell is the size below which walkExact scans a cell on the box's edge point by point
// instead of descending further.
const smallCell = 32

// walkExact visits the points in the query's box, in Morton order: inside gets whole cells
// that lie within the box, edge gets cells on its edge whose points must each be tested.
// Either returns false to stop; walkExact then returns false.
func (ix *Index) walkExact(q *query, inside, edge func(s span) bool) bool {
	var rec func(level int, prefix uint64, cx, cy uint32, s span) bool
	rec = func(level int, prefix uint64, cx, cy uint32, s span) bool {
		n := ix.count(s)
		if n == 0 || !q.intersects(level, cx, cy) {
			return true
		}
		if q.inside(level, cx, cy) {
			return inside(s)
		}
		if level == qBits || n <= smallCell {
			return edge(s)
		}
		kids := ix.children(s, level, prefix)
		for c, k := range kids {
			if !rec(level+1, prefix<<2|uint64(c), cx<<1|uint32(c&1), cy<<1|uint32(c>>1), k) {
				return false
			}
		}
		return true
	}
	return rec(0, 0, 0, 0, ix.fullSpan())
}

// A ref names a live point: i ≥ 0 is base entry i, i < 0 is added entry -i-1.
func addedRef(j int) int { return -j - 1 }

// each calls fn for every live point of s in (code, ID) order until fn returns false.
func (ix *Index) each(s span, fn func(ref int) bool) bool {
	c := ix.base
	i, k, j := s.blo, s.rlo, s.alo
	for {
		for i < s.bhi && k < s.rhi && int(ix.removed[k]) == i {
			i, k = i+1, k+1
		}
		hasB, hasA := i < s.bhi, j < s.ahi
		switch {
		case hasB && (!hasA || lessCodeID(c.code[i], c.id[i], ix.added[j].code, ix.added[j].id)):
			if !fn(i) {
				return false
			}
			i++
		case hasA:
			if !fn(addedRef(j)) {
				return false
			}
			j++
		default:
			return true
		}
	}
}

// eachMatch is each restricted to the points that match f (nil: all), with a tight loop for
// the common case of a span without added points.
func (ix *Index) eachMatch(s span, f *Filter, fn func(ref int) bool) bool {
	if f != nil && f.isZero() {
		f = nil
	}
	if s.alo < s.ahi {
		return ix.each(s, func(ref int) bool { return f != nil && !ix.matches(ref, f) || fn(ref) })
	}
	c := ix.base
	k := s.rlo
	for i := s.blo; i < s.bhi; i++ {
		if k < s.rhi && int(ix.removed[k]) == i {
			k++
			continue
		}
		if (f == nil || f.matchAt(c, i)) && !fn(i) {
			return false
		}
	}
	return true
}

func (ix *Index) code(ref int) uint64 {
	if ref >= 0 {
		return ix.base.code[ref]
	}
	return ix.added[-ref-1].code
}

func (ix *Index) pos(ref int) (lon, lat float64) {
	if ref >= 0 {
		return ix.base.lon[ref], ix.base.lat[ref]
	}
	e := ix.entryAt(-ref - 1)
	return e.lon, e.lat
}

func (ix *Index) matches(ref int, f *Filter) bool {
	if ref >= 0 {
		return f.matchAt(ix.base, ref)
	}
	e := ix.entryAt(-ref - 1)
	return f.match(e.id, e.facets)
}

func (ix *Index) pointFeature(ref int) Feature {
	if ref >= 0 {
		c := ix.base
		return Feature{Count: 1, Lon: c.lon[ref], Lat: c.lat[ref], ID: c.id[ref], Name: c.name(ref)}
	}
	e := ix.entryAt(-ref - 1)
	return Feature{Count: 1, Lon: e.lon, Lat: e.lat, ID: e.id, Name: e.name}
}

// refOf finds the live point with this ID.
func (ix *Index) refOf(id int64) (int, bool) {
	if code, ok := ix.addedIDs[id]; ok {
		return addedRef(ix.addedPos(code, id)), true
	}
	if i, ok := ix.baseIndexOf(id); ok && !ix.isRemoved(i) {
		return int(i), true
	}
	return 0, false
}

func (f *Filter) isZero() bool {
	return f.Sectors == 0 && f.Needs == 0 && f.Offers == 0 && f.Principles == 0 &&
		f.LegalForms == 0 && f.Districts == 0 && f.IDs == nil
}

func (f *Filter) match(id int64, fc Facets) bool {
	switch {
	case f.Sectors != 0 && fc.Sectors&f.Sectors == 0,
		f.Needs != 0 && fc.Needs&f.Needs == 0,
		f.Offers != 0 && fc.Offers&f.Offers == 0,
		fc.Principles&f.Principles != f.Principles,
		f.LegalForms != 0 && !bitIn(f.LegalForms, fc.LegalForm),
		f.Districts != 0 && !bitIn(f.Districts, fc.District):
		return false
	}
	if f.IDs != nil {
		return f.IDs.Has(id)
	}
	return true
}

// matchAt is match for base entry i, reading only the columns f tests.
func (f *Filter) matchAt(c *columns, i int) bool {
	switch {
	case f.Sectors != 0 && c.sectors[i]&f.Sectors == 0,
		f.Needs != 0 && c.needs[i]&f.Needs == 0,
		f.Offers != 0 && c.offers[i]&f.Offers == 0,
		f.Principles != 0 && c.principles[i]&f.Principles != f.Principles,
		f.LegalForms != 0 && !bitIn(f.LegalForms, c.legalForm[i]),
		f.Districts != 0 && !bitIn(f.Districts, c.district[i]):
		return false
	}
	if f.IDs != nil {
		return f.IDs.Has(c.id[i])
	}
	return true
}

func bitIn(set uint64, v uint8) bool { return v >= 1 && v <= 64 && set&(1<<(v-1)) != 0 }

// idLookupCost is roughly how many scanned points one lookup by ID costs (a binary search
// through the by-ID permutation, with cache misses).
const idLookupCost = 64

// useIDs decides whether to find a filter's points by looking up its IDs one by one instead of
// scanning the n points that lie in the query's cells. A search with few hits over a large
// view is then cheap.
func (ix *Index) useIDs(f *Filter, n int) bool {
	switch {
	case f.IDs == nil || ix.idsPath < 0:
		return false
	case ix.idsPath > 0:
		return true
	}
	return f.IDs.Len()*idLookupCost < n
}

// idRefs are the live points whose IDs f names and that match the rest of f, in (code, ID)
// order.
func (ix *Index) idRefs(f *Filter) []int {
	refs := make([]int, 0, min(f.IDs.Len(), ix.lenLocked()))
	f.IDs.Each(func(id int64) {
		if ref, ok := ix.refOf(id); ok && ix.matches(ref, f) {
			refs = append(refs, ref)
		}
	})
	slices.SortFunc(refs, func(a, b int) int {
		ca, cb := ix.code(a), ix.code(b)
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
		return cmpInt64(ix.id(a), ix.id(b))
	})
	return refs
}

func (ix *Index) id(ref int) int64 {
	if ref >= 0 {
		return ix.base.id[ref]
	}
	return ix.added[-ref-1].id
}

// group accumulates the members of one cell.
type group struct {
	n              int
	sumLon, sumLat int64
	first, last    int // refs
}

func (g *group) add(ix *Index, ref int) {
	if g.n == 0 {
		g.first = ref
	}
	g.last = ref
	g.n++
	lon, lat := ix.pos(ref)
	g.sumLon += toE7(lon)
	g.sumLat += toE7(lat)
}

// spanGroup is the group of all live points of s, from the prefix sums.
func (ix *Index) spanGroup(s span) group {
	g := group{n: ix.count(s)}
	if g.n == 0 {
		return g
	}
	c := ix.base
	lon0, lat0 := c.prefix(s.blo)
	lon1, lat1 := c.prefix(s.bhi)
	g.sumLon = lon1 - lon0 - (ix.remLon[s.rhi] - ix.remLon[s.rlo]) + (ix.addLon[s.ahi] - ix.addLon[s.alo])
	g.sumLat = lat1 - lat0 - (ix.remLat[s.rhi] - ix.remLat[s.rlo]) + (ix.addLat[s.ahi] - ix.addLat[s.alo])

	// The first live base entry, skipping removed ones; likewise the last.
	fb, k := s.blo, s.rlo
	for fb < s.bhi && k < s.rhi && int(ix.removed[k]) == fb {
		fb, k = fb+1, k+1
	}
	lb, k := s.bhi-1, s.rhi-1
	for lb >= s.blo && k >= s.rlo && int(ix.removed[k]) == lb {
		lb, k = lb-1, k-1
	}
	hasB := fb < s.bhi
	switch {
	case s.alo == s.ahi:
		g.first, g.last = fb, lb
	case !hasB:
		g.first, g.last = addedRef(s.alo), addedRef(s.ahi-1)
	default:
		a0, a1 := &ix.added[s.alo], &ix.added[s.ahi-1]
		g.first, g.last = fb, lb
		if lessCodeID(a0.code, a0.id, c.code[fb], c.id[fb]) {
			g.first = addedRef(s.alo)
		}
		if lessCodeID(c.code[lb], c.id[lb], a1.code, a1.id) {
			g.last = addedRef(s.ahi - 1)
		}
	}
	return g
}

// feature turns the group of cell prefix at level L (zoom z) into a point or a cluster.
func (ix *Index) feature(z, L int, prefix uint64, g group) Feature {
	if g.n == 1 {
		return ix.pointFeature(g.first)
	}
	key := make([]byte, 0, 32)
	key = strconv.AppendInt(key, int64(z), 10)
	key = append(key, '/')
	key = strconv.AppendInt(key, int64(L), 10)
	key = append(key, '/')
	key = strconv.AppendUint(key, prefix, 10)
	return Feature{
		Cluster:       true,
		Count:         g.n,
		Lon:           float64(g.sumLon) / float64(g.n) / e7,
		Lat:           float64(g.sumLat) / float64(g.n) / e7,
		Key:           string(key),
		ExpansionZoom: ix.expansionZoom(ix.code(g.first), ix.code(g.last)),
	}
}

// expansionZoom is the lowest zoom at which points with codes from a to b (the first and last
// member of a cluster in code order, which bound all others) fall into more than one feature:
// the first level at which their codes differ, turned into a zoom; above MaxZoom every point
// is a feature of its own.
func (ix *Index) expansionZoom(a, b uint64) int {
	common := qBits // levels at which a and b share a cell
	if x := a ^ b; x != 0 {
		common = (bits.LeadingZeros64(x) - (64 - 2*qBits)) / 2
	}
	return min(common+1-ix.shift, ix.maxZoom+1)
}

func checkZoom(zoom float64) (int, error) {
	if math.IsNaN(zoom) || zoom < 0 || zoom > maxZoom {
		return 0, ErrBadZoom
	}
	return int(zoom), nil
}

// Clusters returns what to draw in box b at zoom: at integer zoom z = ⌊zoom⌋ ≤ MaxZoom one
// feature per non-empty grid cell (CellPx pixels square) that the box touches, holding all the
// points of that cell that match f, even those just outside the box; above MaxZoom every
// matching point inside the box, individually. Features come in Morton order, which is
// stable from query to query.
//
// Without a filter a query costs in proportion to the cells it returns. A filter is tested
// point by point, so a filtered query costs in proportion to the points in those cells,
// except that a Filter.IDs much smaller than that is looked up ID by ID instead.
//
// It fails with ErrTooMany, before doing the work, when at zoom ≤ MaxZoom the box is more
// than MaxViewPx pixels wide or tall, and when the answer would hold more than MaxFeatures
// features.
func (ix *Index) Clusters(b BBox, zoom float64, f Filter) ([]Feature, error) {
	q, err := makeQuery(b)
	if err != nil {
		return nil, err
	}
	z, err := checkZoom(zoom)
	if err != nil {
		return nil, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if z > ix.maxZoom {
		return ix.points(&q, &f)
	}
	scale := worldPx * math.Exp2(float64(z))
	if q.widthDeg/lonSpan*scale > ix.maxViewPx || q.heightY*scale > ix.maxViewPx {
		return nil, ErrTooMany
	}
	L := z + ix.shift
	out := []Feature{}
	emit := func(prefix uint64, g group) error {
		if len(out) >= ix.maxFeatures {
			return ErrTooMany
		}
		out = append(out, ix.feature(z, L, prefix, g))
		return nil
	}
	if f.isZero() {
		err := ix.walkCells(&q, L, func(prefix uint64, s span) error {
			return emit(prefix, ix.spanGroup(s))
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	}

	type cell struct {
		prefix uint64
		s      span
	}
	var cells []cell
	total := 0
	_ = ix.walkCells(&q, L, func(prefix uint64, s span) error {
		cells = append(cells, cell{prefix, s})
		total += ix.count(s)
		return nil
	})
	if ix.useIDs(&f, total) {
		sh := uint(2 * (qBits - L))
		var g group
		cur, in := ^uint64(0), false // the cell being gathered (none yet), and whether it is in view
		for _, ref := range ix.idRefs(&f) {
			if p := ix.code(ref) >> sh; p != cur {
				if g.n > 0 {
					if err := emit(cur, g); err != nil {
						return nil, err
					}
					g = group{}
				}
				cur, in = p, q.intersects(L, compact(p), compact(p>>1))
			}
			if in {
				g.add(ix, ref)
			}
		}
		if g.n > 0 {
			if err := emit(cur, g); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	for _, c := range cells {
		var g group
		ix.eachMatch(c.s, &f, func(ref int) bool {
			g.add(ix, ref)
			return true
		})
		if g.n > 0 {
			if err := emit(c.prefix, g); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// points returns every point in the box that matches f, one feature each.
func (ix *Index) points(q *query, f *Filter) ([]Feature, error) {
	if f.isZero() && ix.countAll(q) > ix.maxFeatures {
		return nil, ErrTooMany
	}
	out := []Feature{}
	ok := ix.scanExact(q, f, func(ref int) bool {
		if len(out) >= ix.maxFeatures {
			return false
		}
		out = append(out, ix.pointFeature(ref))
		return true
	})
	if !ok {
		return nil, ErrTooMany
	}
	return out, nil
}

// countAll counts the points in the box, taking whole cells inside it from the prefix sums.
func (ix *Index) countAll(q *query) int {
	n := 0
	ix.walkExact(q, func(s span) bool {
		n += ix.count(s)
		return true
	}, func(s span) bool {
		ix.each(s, func(ref int) bool {
			if q.contains(ix.pos(ref)) {
				n++
			}
			return true
		})
		return true
	})
	return n
}

// scanExact calls fn, in (code, ID) order, for every point in the box that matches f, until
// fn returns false; it then returns false.
func (ix *Index) scanExact(q *query, f *Filter, fn func(ref int) bool) bool {
	if f.IDs != nil && ix.useIDs(f, ix.countAll(q)) {
		for _, ref := range ix.idRefs(f) {
			if q.contains(ix.pos(ref)) && !fn(ref) {
				return false
			}
		}
		return true
	}
	return ix.walkExact(q, func(s span) bool {
		return ix.eachMatch(s, f, fn)
	}, func(s span) bool {
		return ix.eachMatch(s, f, func(ref int) bool {
			return !q.contains(ix.pos(ref)) || fn(ref)
		})
	})
}

// Count is the number of points in box b that match f. An invalid box counts 0.
func (ix *Index) Count(b BBox, f Filter) int {
	q, err := makeQuery(b)
	if err != nil {
		return 0
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if f.isZero() {
		return ix.countAll(&q)
	}
	n := 0
	ix.scanExact(&q, &f, func(int) bool {
		n++
		return true
	})
	return n
}

// Leaves returns the points of the cluster with this key that match f, in Morton order,
// skipping the first offset and returning at most limit (at most MaxFeatures; limit ≤ 0 means
// MaxFeatures). A key is valid for any contents: a cell that has become empty has no leaves.
func (ix *Index) Leaves(key string, f Filter, offset, limit int) ([]Feature, error) {
	parts := strings.Split(key, "/")
	if len(parts) != 3 {
		return nil, ErrBadKey
	}
	z, err1 := strconv.Atoi(parts[0])
	L, err2 := strconv.Atoi(parts[1])
	prefix, err3 := strconv.ParseUint(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || z < 0 || z > ix.maxZoom || L != z+ix.shift || prefix>>(2*L) != 0 {
		return nil, ErrBadKey
	}
	if limit <= 0 || limit > ix.maxFeatures {
		limit = ix.maxFeatures
	}
	offset = max(offset, 0)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	sh := uint(2 * (qBits - L))
	s := ix.codeSpan(ix.fullSpan(), prefix<<sh, (prefix+1)<<sh)
	out := []Feature{}
	ix.eachMatch(s, &f, func(ref int) bool {
		if offset > 0 {
			offset--
			return true
		}
		out = append(out, ix.pointFeature(ref))
		return len(out) < limit
	})
	return out, nil
}
