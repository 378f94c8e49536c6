package mapindex

import "math/bits"

// IDSet is the set of IDs a Filter keeps to (the matches of a full-text
// search). A directory's search may match hundreds of thousands of points,
// and a filtered scan tests every point in view against the set: so IDs
// below maxBitmapID (every serial key of a database of samen's size) are
// kept in a bitmap, where a test is a shift and a mask instead of a hash
// lookup (3 M points tested against 200,000 IDs: 115 ms with a map).
// Other IDs, negative or huge, are kept in a map. The zero value is empty.
type IDSet struct {
	bits []uint64
	big  map[int64]struct{}
	n    int
}

// maxBitmapID bounds the bitmap at 8 MB.
const maxBitmapID = 1 << 26

// NewIDSet returns a set of the IDs.
func NewIDSet(ids ...int64) *IDSet {
	s := &IDSet{}
	for _, id := range ids {
		s.Add(id)
	}
	return s
}

// Add puts id in the set.
func (s *IDSet) Add(id int64) {
	if s.Has(id) {
		return
	}
	s.n++
	if id >= 0 && id < maxBitmapID {
		w := int(id >> 6)
		if w >= len(s.bits) {
			s.bits = append(s.bits, make([]uint64, w+1-len(s.bits))...)
		}
		s.bits[w] |= 1 << (uint(id) & 63)
		return
	}
	if s.big == nil {
		s.big = map[int64]struct{}{}
	}
	s.big[id] = struct{}{}
}

// Has says whether id is in the set.
func (s *IDSet) Has(id int64) bool {
	if id >= 0 && id < maxBitmapID {
		w := int(id >> 6)
		return w < len(s.bits) && s.bits[w]&(1<<(uint(id)&63)) != 0
	}
	_, ok := s.big[id]
	return ok
}

// Bytes is about how much memory the set holds.
func (s *IDSet) Bytes() int { return 8*len(s.bits) + 24*len(s.big) }

// Len is the number of IDs in the set.
func (s *IDSet) Len() int { return s.n }

// Each calls fn for every ID in the set, in no particular order.
func (s *IDSet) Each(fn func(id int64)) {
	for w, word := range s.bits {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			fn(int64(w)<<6 | int64(b))
			word &= word - 1
		}
	}
	for id := range s.big {
		fn(id)
	}
}

// Remove takes id out of the set.
func (s *IDSet) Remove(id int64) {
	if !s.Has(id) {
		return
	}
	s.n--
	if id >= 0 && id < maxBitmapID {
		s.bits[id>>6] &^= 1 << (uint(id) & 63)
		return
	}
	delete(s.big, id)
}

// Clone returns a copy of the set, to change while the original is read.
func (s *IDSet) Clone() *IDSet {
	c := &IDSet{bits: append([]uint64(nil), s.bits...), n: s.n}
	if len(s.big) > 0 {
		c.big = make(map[int64]struct{}, len(s.big))
		for id := range s.big {
			c.big[id] = struct{}{}
		}
	}
	return c
}
