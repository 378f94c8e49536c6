// Package mapindex is the in-memory spatial index behind the atlas map: it answers "which
// clusters and which initiatives are in this box at this zoom" for up to a few million points.
//
// It does the job of mapbox's supercluster, but keeps one flat array of points sorted by
// Morton (Z-order) code instead of one kdbush tree per zoom level. The reasons:
//
//   - Memory. One array plus sampled prefix sums costs a fixed number of bytes per point
//     (about 80 with short names), however many zoom levels there are; a tree per zoom holds
//     up to one entry per point at each of them.
//   - Exactness. Cluster cells are squares of a quadtree, and a cell at level L is exactly
//     the union of its four children at L+1. Every point belongs to exactly one cell at
//     every zoom by construction, and which cluster it falls in depends only on its own
//     position, not (as in greedy radius clustering) on the order in which points were
//     processed. One edit therefore changes one cell per zoom, and nothing else.
//   - Speed without a cluster table. The points of a cell are a contiguous run of the sorted
//     array, found by binary search; prefix sums give its count and centroid in constant
//     time, so a query costs in proportion to what it returns, not to the number of points.
//   - Edits. An edit goes to a small sorted overlay (points added, points removed) that every
//     range computation combines with the base array. When the overlay grows large it is
//     merged in linearly. Nothing is ever re-clustered, and nothing is rebuilt per edit.
//
// The index is a cache: nothing in it that cannot be rebuilt from the database.
package mapindex

import (
	"errors"
	"math/bits"
	"sync"
)

// Facets are the properties a Filter can select on.
type Facets struct {
	Sectors    uint64 // bit i set: the initiative has sector i
	Needs      uint32 // bit i: needs kind i
	Offers     uint32 // bit i: offers kind i
	Principles uint8  // bit i: principle i holds (4 principles)
	LegalForm  uint8  // 0 none, else 1+index
	District   uint8  // 0 none, else 1+index
}

// Point is one initiative on the map.
//
// Positions are stored canonically: a longitude is wrapped into [-180, 180) (so 180 comes
// back as -180, the same meridian), a latitude is clamped to [-90, 90], and a NaN or infinite
// coordinate becomes 0. For placement on the map latitudes beyond ±85.05112878 count as that
// limit, as in every Web Mercator map.
type Point struct {
	ID       int64
	Lon, Lat float64
	Name     string
	Facets   Facets
}

// Filter selects points by their facets. The zero value selects everything; each non-zero
// field must match.
type Filter struct {
	Sectors    uint64 // any of these bits
	Needs      uint32 // any of
	Offers     uint32 // any of
	Principles uint8  // all of these bits
	LegalForms uint64 // any: bit (LegalForm-1)
	Districts  uint64 // any: bit (District-1)
	IDs        *IDSet // non-nil: only these ids (from a full-text search)
}

// BBox is a geographic box in degrees. MinLon > MaxLon means the box crosses the
// antimeridian. Longitudes outside ±180 are accepted when MinLon ≤ MaxLon (MapLibre reports
// them after panning across the antimeridian); a box 360° or wider covers all longitudes.
type BBox struct{ MinLon, MinLat, MaxLon, MaxLat float64 }

// Feature is one thing to draw: a cluster, or a single point.
type Feature struct {
	Cluster       bool
	Count         int     // 1 for a single point
	Lon, Lat      float64 // a point's own position; a cluster's centroid (mean of member positions)
	ID            int64   // a single point's ID; 0 for clusters
	Name          string  // a single point's name
	Key           string  // clusters: "zoom/level/cell", stable and unique; "" for points
	ExpansionZoom int     // clusters: the lowest zoom at which this cluster splits; points: 0
}

// Options tune an Index. Zero values mean the defaults.
type Options struct {
	CellPx      int // cluster cell size in pixels, a power of two up to 512; default 64
	MaxZoom     int // above this zoom points are not clustered; default 16 (0 means default)
	MaxFeatures int // a query that would return more features fails with ErrTooMany; default 10000
	MaxViewPx   int // at zoom ≤ MaxZoom a box wider or taller than this many pixels fails with ErrTooMany; default 8192
}

// Errors returned by queries. They are plain values; the caller words them for people.
var (
	ErrTooMany = errors.New("mapindex: too many features in this view")
	ErrBadBBox = errors.New("mapindex: invalid bounding box")
	ErrBadZoom = errors.New("mapindex: zoom out of range 0..24")
	ErrBadKey  = errors.New("mapindex: unknown cluster key")
)

// Index is a spatial index of points. All methods are safe for concurrent use; queries run in
// parallel with each other and wait for edits.
type Index struct {
	shift       int // grid level minus zoom: log2(512/CellPx)
	maxZoom     int
	maxFeatures int
	maxViewPx   float64

	mu sync.RWMutex

	base *columns
	perm []int32 // base indices ordered by ID, to find a point's entry by its ID

	// The overlay. removed holds base indices (sorted) of points that were removed or
	// replaced; added holds new points sorted by (code, ID), their data in pool. Both carry
	// prefix sums of their fixed-point positions, so a range's count and centroid stay O(1)
	// plus a binary search.
	removed          []int32
	remLon, remLat   []int64
	added            []addedKey
	addLon, addLat   []int64
	pool             []entry
	free             []int32          // unused slots of pool
	addedIDs         map[int64]uint64 // ID → code of the points in added
	mergeMinOverlay  int              // merge once the overlay holds more than max(this, n/frac) entries
	mergeOverlayFrac int
	merges           int  // how many times the overlay was merged
	idsPath          int8 // for tests: 1 always finds Filter.IDs by lookup, -1 never, 0 decides

	version uint64     // moves on at every change, under mu
	facets  facetCache // FacetCounts asked for, kept up to date
}

// entry is the data of a point in the overlay.
type entry struct {
	code     uint64
	id       int64
	lon, lat float64
	name     string
	facets   Facets
}

func makeEntry(p Point) entry {
	lon, lat := canonLon(p.Lon), canonLat(p.Lat)
	return entry{code: pointCode(lon, lat), id: p.ID, lon: lon, lat: lat, name: p.Name, facets: p.Facets}
}

// New returns an empty index.
func New(o Options) *Index {
	cell := o.CellPx
	if cell <= 0 {
		cell = 64
	}
	if cell > worldPx {
		cell = worldPx
	}
	cell = 1 << (bits.Len(uint(cell)) - 1) // round down to a power of two
	shift := bits.Len(uint(worldPx/cell)) - 1
	mz := o.MaxZoom
	if mz <= 0 {
		mz = 16
	}
	mz = min(mz, qBits-shift, maxZoom)
	mf := o.MaxFeatures
	if mf <= 0 {
		mf = 10000
	}
	mv := o.MaxViewPx
	if mv <= 0 {
		mv = 8192
	}
	ix := &Index{
		shift: shift, maxZoom: mz, maxFeatures: mf, maxViewPx: float64(mv),
		base:             newColumns(0, 0),
		mergeMinOverlay:  1024,
		mergeOverlayFrac: 64,
	}
	ix.resetOverlay()
	return ix
}

// MaxZoom is the zoom above which points are returned individually.
func (ix *Index) MaxZoom() int { return ix.maxZoom }

func (ix *Index) resetOverlay() {
	ix.removed, ix.added, ix.pool, ix.free = nil, nil, nil, nil
	ix.remLon, ix.remLat = []int64{0}, []int64{0}
	ix.addLon, ix.addLat = []int64{0}, []int64{0}
	ix.addedIDs = make(map[int64]uint64)
}

// Len is the number of points in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.lenLocked()
}

// Version moves on at every change of the index's contents: what was
// worked out from the index, or for it, at one version may be kept until
// the next.
func (ix *Index) Version() uint64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.version
}

func (ix *Index) lenLocked() int { return ix.base.len() - len(ix.removed) + len(ix.added) }

// Build replaces the contents of the index with points. When several points share an ID the
// last one wins, as if they had been Put in order. Queries keep running on the old contents
// while the new ones are built.
func (ix *Index) Build(points []Point) {
	cols, perm := buildColumns(points)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.base, ix.perm = cols, perm
	ix.resetOverlay()
	ix.facets.clear()
	ix.version++
}

// Put inserts p, or replaces the point with the same ID (which may have moved).
// The same point again changes nothing, not even the version: the atlas's
// Sync reads every change of the last minute each second, which would
// otherwise move the point through the overlay and the kept facet counts
// each time.
func (ix *Index) Put(p Point) {
	e := makeEntry(p)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.holds(e) {
		return
	}
	ix.uncount(e.id)
	ix.putLocked(e)
	ix.facets.apply(e.lon, e.lat, e.facets, 1)
	ix.maybeMerge()
	ix.version++
}

// uncount takes the live point with this ID, if any, out of the kept facet
// counts, before it is replaced or removed.
func (ix *Index) uncount(id int64) {
	if ref, ok := ix.refOf(id); ok {
		lon, lat := ix.pos(ref)
		ix.facets.apply(lon, lat, ix.facetsOf(ref), -1)
	}
}

// holds says whether the index has exactly this point.
func (ix *Index) holds(e entry) bool {
	ref, ok := ix.refOf(e.id)
	if !ok {
		return false
	}
	lon, lat := ix.pos(ref)
	return lon == e.lon && lat == e.lat && ix.facetsOf(ref) == e.facets && ix.pointFeature(ref).Name == e.name
}

// Remove deletes the point with this ID; it does nothing if there is none.
func (ix *Index) Remove(id int64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.uncount(id)
	if ix.removeLocked(id) {
		ix.maybeMerge()
		ix.version++
	}
}
