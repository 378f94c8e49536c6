package atlas

import (
	"fmt"
	"slices"
	"testing"

	"samen/internal/mapindex"
)

// The cache of a map's searches holds at most maxCachedSearches sets and
// maxCachedBytes.
func TestIDCacheBounds(t *testing.T) {
	var c idCache
	for i := range maxCachedSearches + 10 {
		c.put(idKey{fmt.Sprint("word", i), 100}, mapindex.NewIDSet(int64(i)), 0)
	}
	if len(c.m) != maxCachedSearches {
		t.Errorf("%d sets kept, want %d", len(c.m), maxCachedSearches)
	}
	if _, _, _, ok := c.get(idKey{fmt.Sprint("word", maxCachedSearches+9), 100}); !ok {
		t.Error("the newest set is not kept")
	}
	// Sets of 4 MB each (IDs up to 32 million): the bytes bound them.
	for i := range 20 {
		c.put(idKey{fmt.Sprint("big", i), 100}, mapindex.NewIDSet(1, int64(32_000_000+i)), 0)
	}
	total := 0
	for _, e := range c.m {
		total += e.ids.Bytes()
	}
	if total != c.bytes || total > maxCachedBytes {
		t.Errorf("the cache holds %d bytes (counted %d), bound %d", total, c.bytes, maxCachedBytes)
	}
	if _, _, _, ok := c.get(idKey{"big19", 100}); !ok {
		t.Error("the newest large set is not kept")
	}
}

// A kept set comes back with the initiatives touched since it was found,
// each once; a set found before the cache forgot, or before the log's
// oldest touch, or with too many touched since, is not brought up to date
// but found again.
func TestIDCacheLog(t *testing.T) {
	var c idCache
	k := idKey{"tuin", 100}
	_, _, seq, ok := c.get(k)
	if ok {
		t.Fatal("an empty cache has a set")
	}
	c.touch(5) // while the database is asked
	c.put(k, mapindex.NewIDSet(1, 2), seq)
	ids, touched, now, ok := c.get(k)
	if !ok || !ids.Has(2) || !slices.Equal(touched, []int64{5}) {
		t.Fatalf("got %v %v, want the set with 5 to ask about", ok, touched)
	}
	c.touch(7)
	c.touch(5)
	c.put(k, mapindex.NewIDSet(1, 2, 5), now) // brought up to date to now
	if _, touched, _, _ := c.get(k); !slices.Equal(touched, []int64{7, 5}) {
		t.Errorf("touched since: %v, want [7 5]", touched)
	}
	// An older answer does not replace a newer one.
	c.put(k, mapindex.NewIDSet(9), seq)
	if ids, _, _, _ := c.get(k); ids.Has(9) {
		t.Error("an answer from before replaced a newer one")
	}

	c.forget()
	if _, _, _, ok := c.get(k); ok {
		t.Error("after forget a set is still kept")
	}
	c.put(k, mapindex.NewIDSet(1), now) // asked before it forgot
	if _, _, _, ok := c.get(k); ok {
		t.Error("a set found before forget is kept")
	}

	_, _, seq, _ = c.get(k)
	c.put(k, mapindex.NewIDSet(1), seq)
	for i := range maxRecheck + 1 {
		c.touch(int64(i))
	}
	if _, _, _, ok := c.get(k); ok {
		t.Errorf("a set with %d touched since is brought up to date", maxRecheck+1)
	}
	_, _, seq, _ = c.get(k)
	c.put(k, mapindex.NewIDSet(1), seq)
	for range maxTouches + 1 {
		c.touch(3) // one initiative, over and over: the log is trimmed
	}
	if len(c.log) > maxTouches {
		t.Errorf("the log holds %d touches", len(c.log))
	}
	if _, _, _, ok := c.get(k); ok {
		t.Error("a set older than the log is brought up to date")
	}
}
