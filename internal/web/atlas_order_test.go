package web_test

import (
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"samen/internal/atlas"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// cardRE finds the initiatives a page of the atlas lists, in their order.
var cardRE = regexp.MustCompile(`<h3><a href="/atlas/(\d+)"`)

// The page and the API list a search near a point without words the same:
// nearest first, those without a place last, page after page.
func TestNearMeOrdersPageAndAPIAlike(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		b := s.browser("en")
		api := s.script("", "en")
		here := atlas.Point{Lat: 52.37, Lon: 4.89}
		for _, search := range []string{"near=52.37,4.89", "near=52.37,4.89&radius=3", "near=52.37,4.89&q=%3F%21"} {
			var page []int64
			for n := 1; n <= 10; n++ {
				r := b.get("/atlas?" + search + "&page=" + strconv.Itoa(n))
				if r.Status != http.StatusOK {
					t.Fatalf("%s page %d: status %d", search, n, r.Status)
				}
				found := cardRE.FindAllStringSubmatch(r.Body, -1)
				for _, m := range found {
					id, _ := strconv.ParseInt(m[1], 10, 64)
					page = append(page, id)
				}
				if len(found) < 20 {
					break
				}
			}

			var (
				list   []int64
				places = map[int64]*atlas.Point{}
				cursor string
			)
			for range 10 {
				var p featurePage
				decodeGeo(t, api.call(http.MethodGet, "/initiatives?limit=20&"+search+cursor, ""), &p)
				for _, f := range p.Features {
					list = append(list, f.ID)
					if f.Geometry != nil {
						places[f.ID] = &atlas.Point{Lat: f.Geometry.Coordinates[1], Lon: f.Geometry.Coordinates[0]}
					}
				}
				if p.NextCursor == nil {
					break
				}
				cursor = "&cursor=" + strconv.FormatInt(*p.NextCursor, 10)
			}

			if len(page) < 3 || !slices.Equal(page, list) {
				t.Fatalf("%s: the page lists %v, the API %v", search, page, list)
			}
			if slices.IsSorted(list) {
				t.Errorf("%s: in ID order, not by distance: %v", search, list)
			}
			last := -1.0
			for _, id := range list {
				d := math.Inf(1) // without a place: last
				if p := places[id]; p != nil {
					d = atlas.DistanceKm(here, *p)
				}
				if d < last-0.01 { // the atlas measures flat, exact enough in a city
					t.Fatalf("%s: %d at %.3f km comes after one at %.3f km: %v", search, id, d, last, list)
				}
				last = d
			}
		}
	})
}
