package mapindex

import "slices"

// The overlay takes edits without touching the base array: a point put goes into added, a
// base point removed or replaced goes into removed. Every range computation combines
// base + added − removed. Keeping the overlay small keeps an edit cheap (its sorted arrays are
// shifted by a memmove), and merging it in a linear pass keeps queries fast.

// addedKey is an added point's place in the overlay's order; its data is pool[slot]. Keeping
// the data out of the sorted array makes an insertion move 24 bytes per entry, not 72.
type addedKey struct {
	code uint64
	id   int64
	slot int32
}

func (ix *Index) entryAt(j int) *entry { return &ix.pool[ix.added[j].slot] }

func (ix *Index) putLocked(e entry) {
	ix.removeLocked(e.id)
	var slot int32
	if n := len(ix.free); n > 0 {
		slot, ix.free = ix.free[n-1], ix.free[:n-1]
		ix.pool[slot] = e
	} else {
		slot = int32(len(ix.pool))
		ix.pool = append(ix.pool, e)
	}
	pos := ix.addedPos(e.code, e.id)
	ix.added = slices.Insert(ix.added, pos, addedKey{code: e.code, id: e.id, slot: slot})
	insertSum(&ix.addLon, pos, toE7(e.lon))
	insertSum(&ix.addLat, pos, toE7(e.lat))
	ix.addedIDs[e.id] = e.code
}

// removeLocked takes the live point with this ID out of the index, wherever it is.
func (ix *Index) removeLocked(id int64) bool {
	if code, ok := ix.addedIDs[id]; ok {
		pos := ix.addedPos(code, id)
		slot := ix.added[pos].slot
		ix.pool[slot] = entry{} // let go of the name
		ix.free = append(ix.free, slot)
		ix.added = slices.Delete(ix.added, pos, pos+1)
		deleteSum(&ix.addLon, pos)
		deleteSum(&ix.addLat, pos)
		delete(ix.addedIDs, id)
		return true
	}
	i, ok := ix.baseIndexOf(id)
	if !ok {
		return false
	}
	pos, found := slices.BinarySearch(ix.removed, i)
	if found {
		return false // already removed or replaced
	}
	ix.removed = slices.Insert(ix.removed, pos, i)
	insertSum(&ix.remLon, pos, toE7(ix.base.lon[i]))
	insertSum(&ix.remLat, pos, toE7(ix.base.lat[i]))
	return true
}

// insertSum updates prefix sums (s[k] = sum of the first k values) for value v inserted at
// position pos.
func insertSum(s *[]int64, pos int, v int64) {
	a := slices.Insert(*s, pos+1, (*s)[pos]+v)
	for k := pos + 2; k < len(a); k++ {
		a[k] += v
	}
	*s = a
}

// deleteSum updates prefix sums for the value at position pos deleted.
func deleteSum(s *[]int64, pos int) {
	a := *s
	v := a[pos+1] - a[pos]
	a = slices.Delete(a, pos+1, pos+2)
	for k := pos + 1; k < len(a); k++ {
		a[k] -= v
	}
	*s = a
}

// addedPos is the position of (code, id) in added, or where it would be inserted.
func (ix *Index) addedPos(code uint64, id int64) int {
	lo, hi := 0, len(ix.added)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if a := &ix.added[m]; lessCodeID(a.code, a.id, code, id) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// permPos is the first position ≥ lo in perm whose base entry has an ID not less than id.
func (ix *Index) permPos(lo int, id int64) int {
	ids := ix.base.id
	hi := len(ix.perm)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ids[ix.perm[m]] < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// baseIndexOf finds the base entry with this ID (which may have been removed since).
func (ix *Index) baseIndexOf(id int64) (int32, bool) {
	if p := ix.permPos(0, id); p < len(ix.perm) && ix.base.id[ix.perm[p]] == id {
		return ix.perm[p], true
	}
	return 0, false
}

func (ix *Index) isRemoved(i int32) bool {
	_, found := slices.BinarySearch(ix.removed, i)
	return found
}

// maybeMerge folds the overlay into the base once it holds more than max(1024, n/64) entries:
// an edit then costs O(n/64) in shifting the overlay, a merge O(n) every n/64 edits, and a
// query at most two extra binary searches per cell.
func (ix *Index) maybeMerge() {
	if len(ix.added)+len(ix.removed) > max(ix.mergeMinOverlay, ix.base.len()/ix.mergeOverlayFrac) {
		ix.merge()
	}
}

// merge builds a new base from base − removed + added in one linear pass, copying the runs of
// base entries between edits column by column, and the new by-ID permutation by merging the
// old one (renumbered) with the added IDs.
func (ix *Index) merge() {
	old := ix.base
	n := old.len()
	nameBytes := len(old.names)
	for _, i := range ix.removed {
		nameBytes -= int(old.nameOff[i+1] - old.nameOff[i])
	}
	for j := range ix.added {
		nameBytes += len(ix.entryAt(j).name)
	}
	cols := newColumns(ix.lenLocked(), nameBytes)
	remap := make([]int32, n) // old base index → new index, -1 if removed
	addedAt := make([]int32, len(ix.added))
	cur, k := 0, 0 // the next base entry to copy, the next removed one
	for j := 0; j <= len(ix.added); j++ {
		p := n // where added[j] goes among the base entries
		if j < len(ix.added) {
			p = old.lowerBound(cur, ix.added[j].code, ix.added[j].id)
		}
		for cur < p {
			end := p
			if k < len(ix.removed) && int(ix.removed[k]) < end {
				end = int(ix.removed[k])
			}
			cols.copyRun(old, cur, end, remap)
			cur = end
			if k < len(ix.removed) && int(ix.removed[k]) == cur && cur < p {
				remap[cur] = -1
				cur, k = cur+1, k+1
			}
		}
		if j < len(ix.added) {
			addedAt[j] = int32(cols.len())
			e := ix.entryAt(j)
			cols.add(e.code, e.id, e.lon, e.lat, e.name, e.facets)
		}
	}
	cols.finish()

	byID := make([]int32, len(ix.added))
	for j := range byID {
		byID[j] = int32(j)
	}
	slices.SortFunc(byID, func(a, b int32) int { return cmpInt64(ix.added[a].id, ix.added[b].id) })
	perm := make([]int32, 0, cols.len())
	p := 0
	keep := func(end int) { // the old by-ID entries up to end that are still there, renumbered
		for _, i := range ix.perm[p:end] {
			if r := remap[i]; r >= 0 {
				perm = append(perm, r)
			}
		}
		p = end
	}
	for _, j := range byID {
		keep(ix.permPos(p, ix.added[j].id))
		perm = append(perm, addedAt[j])
	}
	keep(len(ix.perm))
	ix.base, ix.perm = cols, perm
	ix.resetOverlay()
	ix.merges++
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func lessCodeID(c1 uint64, id1 int64, c2 uint64, id2 int64) bool {
	return c1 < c2 || (c1 == c2 && id1 < id2)
}
