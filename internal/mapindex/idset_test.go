package mapindex

import (
	"slices"
	"testing"
)

func TestIDSet(t *testing.T) {
	ids := []int64{0, 1, 63, 64, 4095, 3_000_000, maxBitmapID - 1, maxBitmapID, 1 << 40, -1, -1 << 62}
	s := NewIDSet(append(ids, 64, 1<<40, -1)...) // repeats count once
	if s.Len() != len(ids) {
		t.Errorf("Len %d; want %d", s.Len(), len(ids))
	}
	for _, id := range ids {
		if !s.Has(id) {
			t.Errorf("%d not in the set", id)
		}
	}
	for _, id := range []int64{2, 62, 65, 4096, 2_999_999, maxBitmapID + 1, 1<<40 + 1, -2} {
		if s.Has(id) {
			t.Errorf("%d in the set", id)
		}
	}
	var each []int64
	s.Each(func(id int64) { each = append(each, id) })
	slices.Sort(each)
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(each, want) {
		t.Errorf("Each gave %v; want %v", each, want)
	}
	var empty IDSet
	if empty.Has(0) || empty.Len() != 0 {
		t.Error("the zero IDSet is not empty")
	}
}

// A clone is changed without changing the set it was made from.
func TestIDSetCloneAndRemove(t *testing.T) {
	s := NewIDSet(1, 64, 1<<40, -5)
	c := s.Clone()
	c.Remove(64)
	c.Remove(1 << 40)
	c.Remove(2) // not in it: nothing changes
	c.Add(7)
	if c.Len() != 3 || c.Has(64) || c.Has(1<<40) || !c.Has(1) || !c.Has(-5) || !c.Has(7) {
		t.Errorf("the clone after removes: %d IDs", c.Len())
	}
	if s.Len() != 4 || !s.Has(64) || !s.Has(1<<40) || s.Has(7) {
		t.Errorf("the original changed with its clone: %d IDs", s.Len())
	}
}
