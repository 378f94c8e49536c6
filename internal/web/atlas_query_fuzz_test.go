package web

import (
	"net/url"
	"reflect"
	"testing"
)

// FuzzAtlasQuery reads any query string as the atlas's search. What it
// takes, the map index takes too (a box it accepts is one the index
// accepts), and the links it writes back (queryValues, which the feed,
// GeoJSON and embed links use) read as the same search.
func FuzzAtlasQuery(f *testing.F) {
	for _, s := range []string{
		"q=fiets&sector=food", "bbox=181,1,2,3", "bbox=170,-10,-170,10", "bbox=181,1,185,3", "bbox=-180,-90,180,90",
		"bbox=NaN,0,1,1", "bbox=1e309,0,1,1", "bbox=0,0,1", "near=52.37,4.89&radius=2", "near=91,0", "radius=-1",
		"sector=food,energy&sector=housing", "principle=local_roots&order=name", "limit=5", "limit=-1",
		"q=%00", "q=" + url.QueryEscape("zon* OR \"fiets\" -NEAR(a b)"), "district=oost&need=space&offer=volunteers",
		"legal_form=cooperative&legal_form=unknown", "bbox=+1,+2,+3,+4", "bbox=0x1p-2,0,1,1", "near=52.37,4.89&order=distance",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := atlasQuery(v)
		if err != nil {
			return
		}
		if q.BBox != nil && !q.BBox.Valid() {
			t.Fatalf("%q: the search takes box %+v, which the map index refuses", raw, *q.BBox)
		}
		again, err := atlasQuery(queryValues(q))
		if err != nil {
			t.Fatalf("%q: the search written back (%s) does not read: %v", raw, queryValues(q).Encode(), err)
		}
		// Paging and the page size are not part of a link to the search,
		// and a radius means nothing without a point to measure it from.
		q.Limit, again.Limit = 0, 0
		if q.Near == nil {
			q.RadiusKm = 0
		}
		if !reflect.DeepEqual(q, again) {
			t.Fatalf("%q: written back as %s, the search reads as\n%+v\nnot\n%+v", raw, queryValues(q).Encode(), again, q)
		}
	})
}
