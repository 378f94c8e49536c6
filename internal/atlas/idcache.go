package atlas

import (
	"slices"
	"sync"

	"samen/internal/mapindex"
)

// idCache keeps the matches of searches for the map (SearchIDs), with a
// log of the initiatives touched since: written by this process, or read
// by Sync as changed by another. A kept search is brought up to date by
// asking the database about the few touched since it was found, instead of
// finding all its matches again; a broad word's matches cost hundreds of
// milliseconds on PostgreSQL at 3 M initiatives, and each view a visitor
// pans or zooms to asks for them again.
//
// The log, not the map index's version, says what may have changed: an
// edit of a summary moves no point, but changes what a search finds.
type idCache struct {
	mu    sync.Mutex
	seq   uint64  // moves on with every touch
	floor uint64  // what was touched up to floor is forgotten
	log   []int64 // log[i] was touched at floor+1+i
	m     map[idKey]cachedIDs
	bytes int // of the sets in m
}

type idKey struct {
	text string
	max  int
}

// cachedIDs is a search's matches as the database had them at some time
// after the log stood at seq: every initiative touched later is asked
// about again. A set is shared, and only read.
type cachedIDs struct {
	ids *mapindex.IDSet
	seq uint64
}

// The cache's bounds: a set is a bitmap of the IDs up to the highest
// matched (375 kB at three million initiatives, up to 8 MB where IDs run
// into the tens of millions), so the bytes are bounded as well as the
// number of sets. The log keeps the last maxTouches touches (Sync touches
// every change of the last minute again each second); a search with more
// than maxRecheck initiatives touched since is found again from scratch
// (at 3 M initiatives asking about 1,000 took 65 ms on PostgreSQL and
// 100 ms on SQLite, as long as finding a broad word's matches there).
const (
	maxCachedSearches = 64
	maxCachedBytes    = 32 << 20
	maxTouches        = 1 << 16
	maxRecheck        = 200
)

// touch logs that what the database holds of initiative id may have
// changed.
func (c *idCache) touch(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	c.log = append(c.log, id)
	if len(c.log) > maxTouches {
		n := len(c.log) - maxTouches/2
		c.floor += uint64(n)
		c.log = slices.Clone(c.log[n:])
	}
}

// forget drops every set and the log, when the map is built again from the
// database (a bulk import, a restore): too much may have changed to ask.
func (c *idCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	c.floor, c.log, c.m, c.bytes = c.seq, nil, nil, 0
}

// get returns the kept matches of k and the initiatives touched since they
// were found (none: the set is current), or ok false when there is no set
// to bring up to date. now is where the log stands, to put the answer at.
func (c *idCache) get(k idKey) (ids *mapindex.IDSet, touched []int64, now uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now = c.seq
	e, found := c.m[k]
	if !found || e.seq < c.floor {
		return nil, nil, now, false
	}
	seen := map[int64]bool{}
	for _, id := range c.log[e.seq-c.floor:] {
		if !seen[id] {
			if len(seen) == maxRecheck {
				return nil, nil, now, false
			}
			seen[id] = true
			touched = append(touched, id)
		}
	}
	return e.ids, touched, now, true
}

// put keeps ids as the matches of k, found after the log stood at seq.
func (c *idCache) put(k idKey, ids *mapindex.IDSet, seq uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq < c.floor || ids.Bytes() > maxCachedBytes {
		return // forgotten while the database was asked, or too large
	}
	if prev, ok := c.m[k]; ok {
		if prev.seq > seq {
			return // another request brought it further meanwhile
		}
		c.bytes -= prev.ids.Bytes()
		delete(c.m, k)
	}
	if c.m == nil {
		c.m = map[idKey]cachedIDs{}
	}
	for old := range c.m { // any: a search asked again comes back
		if len(c.m) < maxCachedSearches && c.bytes+ids.Bytes() <= maxCachedBytes {
			break
		}
		c.bytes -= c.m[old].ids.Bytes()
		delete(c.m, old)
	}
	c.m[k] = cachedIDs{ids, seq}
	c.bytes += ids.Bytes()
}
