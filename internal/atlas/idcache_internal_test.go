package atlas

import (
	"fmt"
	"testing"

	"samen/internal/mapindex"
)

// The cache of a map's searches holds at most maxCachedSearches sets and
// maxCachedBytes, for the current version of the map index only.
func TestIDCacheBounds(t *testing.T) {
	var c idCache
	for i := range maxCachedSearches + 10 {
		c.put(1, idKey{fmt.Sprint("word", i), 100}, mapindex.NewIDSet(int64(i)))
	}
	if len(c.m) != maxCachedSearches {
		t.Errorf("%d sets kept, want %d", len(c.m), maxCachedSearches)
	}
	if _, ok := c.get(1, idKey{fmt.Sprint("word", maxCachedSearches+9), 100}); !ok {
		t.Error("the newest set is not kept")
	}
	// Sets of 4 MB each (IDs up to 32 million): the bytes bound them.
	for i := range 20 {
		c.put(1, idKey{fmt.Sprint("big", i), 100}, mapindex.NewIDSet(1, int64(32_000_000+i)))
	}
	total := 0
	for _, s := range c.m {
		total += s.Bytes()
	}
	if total != c.bytes || total > maxCachedBytes {
		t.Errorf("the cache holds %d bytes (counted %d), bound %d", total, c.bytes, maxCachedBytes)
	}
	if _, ok := c.get(1, idKey{"big19", 100}); !ok {
		t.Error("the newest large set is not kept")
	}
	// A set found before the map moved on is not kept, and a newer
	// version empties the cache.
	c.put(2, idKey{"new", 100}, mapindex.NewIDSet(7))
	c.put(1, idKey{"old", 100}, mapindex.NewIDSet(8))
	if _, ok := c.get(2, idKey{"old", 100}); ok {
		t.Error("a set of an older version is kept")
	}
	if _, ok := c.get(2, idKey{"big19", 100}); ok || len(c.m) != 1 {
		t.Errorf("after the map moved on the cache holds %d sets", len(c.m))
	}
}
