package atlas_test

import (
	"context"
	"slices"
	"testing"

	"samen/internal/atlas"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// The atlas decides the order of a search that asks for none, so that the
// page and the API list the same search alike.
func TestDefaultOrder(t *testing.T) {
	here := &atlas.Point{Lat: 52.37, Lon: 4.89}
	for _, tt := range []struct {
		name string
		q    atlas.Query
		want string
	}{
		{"everything", atlas.Query{}, atlas.OrderRelevance},
		{"words", atlas.Query{Text: "fiets"}, atlas.OrderRelevance},
		{"near me without words: nearest first", atlas.Query{Near: here}, atlas.OrderDistance},
		{"near me with a radius", atlas.Query{Near: here, RadiusKm: 2}, atlas.OrderDistance},
		{"near me with punctuation only", atlas.Query{Near: here, Text: " ?! "}, atlas.OrderDistance},
		{"near me with a facet", atlas.Query{Near: here, Sectors: []string{"food"}}, atlas.OrderDistance},
		{"near me with words: best match first", atlas.Query{Near: here, Text: "fiets"}, atlas.OrderRelevance},
		{"an order asked for stays", atlas.Query{Near: here, Order: atlas.OrderName}, atlas.OrderName},
		{"relevance asked for stays", atlas.Query{Near: here, Order: atlas.OrderRelevance}, atlas.OrderRelevance},
	} {
		q := tt.q
		if err := q.Check(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if q.Order != tt.want {
			t.Errorf("%s: order %q, want %q", tt.name, q.Order, tt.want)
		}
	}
	// The API's own default is ID order, for paging with a cursor, except
	// where the atlas orders a search for everyone.
	if got := (atlas.Query{}).DefaultOrder(atlas.OrderID); got != atlas.OrderID {
		t.Errorf("API, everything: %q", got)
	}
	if got := (atlas.Query{Near: here}).DefaultOrder(atlas.OrderID); got != atlas.OrderDistance {
		t.Errorf("API, near me: %q", got)
	}
}

// A search near a point without words comes nearest first, and paging
// after a cursor follows that order to its end, those without a place last.
func TestNearMeIsNearestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		directory(t, f)
		near := &atlas.Point{Lat: 52.30, Lon: 4.97}
		want := []string{"Zon op Zuidoost", "Community Gardens Oost", "Fietsenwerkplaats Noord", "Online Ruilplatform"}

		res, err := f.svc.Search(ctx, atlas.Query{Near: near})
		if err != nil {
			t.Fatal(err)
		}
		if got := names(res); !slices.Equal(got, want) {
			t.Fatalf("near me: %v, want %v", got, want)
		}

		for _, limit := range []int{1, 2, 3} {
			var (
				seen  []string
				after int64
			)
			for range 10 {
				res, err := f.svc.Search(ctx, atlas.Query{Near: near, Order: atlas.OrderDistance, Limit: limit, After: after})
				if err != nil {
					t.Fatal(err)
				}
				seen = append(seen, names(res)...)
				if !res.More {
					break
				}
				after = res.Items[len(res.Items)-1].ID
			}
			if !slices.Equal(seen, want) {
				t.Errorf("pages of %d after a cursor: %v, want %v", limit, seen, want)
			}
		}

		// Within a radius, the cursor keeps to the search.
		var seen []string
		var after int64
		for range 10 {
			res, err := f.svc.Search(ctx, atlas.Query{Near: near, RadiusKm: 7, Limit: 1, After: after})
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, names(res)...)
			if !res.More {
				break
			}
			after = res.Items[len(res.Items)-1].ID
		}
		if want := want[:2]; !slices.Equal(seen, want) {
			t.Errorf("within 7 km after a cursor: %v, want %v", seen, want)
		}
	})
}
