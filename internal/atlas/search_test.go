package atlas_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"samen/internal/atlas"
	"samen/internal/mapindex"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// directory publishes a small atlas to search in.
func directory(t *testing.T, f *fixture) map[string]atlas.Initiative {
	t.Helper()
	yes := ptr(true)
	recs := []atlas.Record{
		{
			Name: "Fietsenwerkplaats Noord", Sectors: []string{"circular", "mobility"}, LegalForm: "foundation",
			Summary:    atlas.Text{NL: "Wij repareren fietsen met buurtbewoners."},
			Location:   atlas.Location{District: "noord", Latitude: ptr(52.40), Longitude: ptr(4.92)},
			Needs:      []atlas.Exchange{{Kind: "volunteers"}, {Kind: "space", Until: "2026-01-01"}},
			Principles: map[string]atlas.Principle{"local_roots": {Holds: yes}, "inclusive_decisions": {Holds: yes}},
		},
		{
			Name: "Community Gardens Oost", Sectors: []string{"community_garden", "food"}, LegalForm: "association",
			Summary:    atlas.Text{EN: "Neighbours growing vegetables together in gardens."},
			Location:   atlas.Location{District: "oost", Latitude: ptr(52.36), Longitude: ptr(4.94)},
			Offers:     []atlas.Exchange{{Kind: "volunteers"}, {Kind: "space"}},
			Principles: map[string]atlas.Principle{"local_roots": {Holds: yes}},
		},
		{
			Name: "Zon op Zuidoost", Sectors: []string{"energy"}, LegalForm: "cooperative",
			Summary:    atlas.Text{NL: "Energiecoöperatie met zonnepanelen op daken."},
			Location:   atlas.Location{District: "zuidoost", Latitude: ptr(52.31), Longitude: ptr(4.97)},
			Offers:     []atlas.Exchange{{Kind: "knowledge"}},
			Needs:      []atlas.Exchange{{Kind: "funding"}},
			Principles: map[string]atlas.Principle{"shared_ownership": {Holds: yes}, "local_roots": {Holds: yes}, "inclusive_decisions": {Holds: yes}},
		},
		{
			Name: "Online Ruilplatform", Sectors: []string{"sharing", "platform_coop"}, LegalForm: "cooperative",
			Summary: atlas.Text{NL: "Ruilen en delen zonder winkel."},
			Offers:  []atlas.Exchange{{Kind: "space"}},
		},
	}
	out := map[string]atlas.Initiative{}
	for _, r := range recs {
		out[r.Name] = f.publish(t, r)
	}
	return out
}

func names(res atlas.Result) []string {
	var out []string
	for _, in := range res.Items {
		out = append(out, in.Name)
	}
	return out
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		directory(t, f)
		tests := []struct {
			name string
			q    atlas.Query
			want []string
		}{
			{"everything by name", atlas.Query{}, []string{"Community Gardens Oost", "Fietsenwerkplaats Noord", "Online Ruilplatform", "Zon op Zuidoost"}},
			{"Dutch stem: fiets finds fietsen", atlas.Query{Text: "fiets"}, []string{"Fietsenwerkplaats Noord"}},
			{"Dutch stem: dak finds daken", atlas.Query{Text: "dak"}, []string{"Zon op Zuidoost"}},
			{"English stem: garden finds gardens", atlas.Query{Text: "garden"}, []string{"Community Gardens Oost"}},
			// "winkel" is its own stem, so the index holds no stem for it:
			// the stem of "winkels" is looked for as a word too.
			{"Dutch stem: winkels finds winkel", atlas.Query{Text: "winkels"}, []string{"Online Ruilplatform"}},
			{"English stem: neighbour finds neighbours", atlas.Query{Text: "neighbour"}, []string{"Community Gardens Oost"}},
			{"English stem: growing", atlas.Query{Text: "grow vegetable"}, []string{"Community Gardens Oost"}},
			{"accents: cooperatie finds coöperatie", atlas.Query{Text: "energiecooperatie"}, []string{"Zon op Zuidoost"}},
			{"all words must match", atlas.Query{Text: "zon fiets"}, nil},
			{"operators are words", atlas.Query{Text: "NOT AND \"("}, nil},
			{"punctuation only is no search", atlas.Query{Text: "?!", Order: atlas.OrderName}, []string{"Community Gardens Oost", "Fietsenwerkplaats Noord", "Online Ruilplatform", "Zon op Zuidoost"}},
			{"sector", atlas.Query{Sectors: []string{"food", "energy"}}, []string{"Community Gardens Oost", "Zon op Zuidoost"}},
			{"district", atlas.Query{Districts: []string{"noord"}}, []string{"Fietsenwerkplaats Noord"}},
			{"legal form", atlas.Query{LegalForms: []string{"cooperative"}}, []string{"Online Ruilplatform", "Zon op Zuidoost"}},
			{"all chosen principles hold", atlas.Query{Principles: []string{"local_roots", "inclusive_decisions"}}, []string{"Fietsenwerkplaats Noord", "Zon op Zuidoost"}},
			{"need", atlas.Query{Needs: []string{"volunteers"}}, []string{"Fietsenwerkplaats Noord"}},
			{"an expired need is gone", atlas.Query{Needs: []string{"space"}}, nil},
			{"offer", atlas.Query{Offers: []string{"space"}}, []string{"Community Gardens Oost", "Online Ruilplatform"}},
			{"bbox", atlas.Query{BBox: &mapindex.BBox{MinLon: 4.9, MinLat: 52.35, MaxLon: 5.0, MaxLat: 52.45}}, []string{"Community Gardens Oost", "Fietsenwerkplaats Noord"}},
			{"near, by distance", atlas.Query{Near: &atlas.Point{Lat: 52.30, Lon: 4.97}, Order: atlas.OrderDistance},
				[]string{"Zon op Zuidoost", "Community Gardens Oost", "Fietsenwerkplaats Noord", "Online Ruilplatform"}},
			{"within 7 km", atlas.Query{Near: &atlas.Point{Lat: 52.30, Lon: 4.97}, RadiusKm: 7, Order: atlas.OrderDistance},
				[]string{"Zon op Zuidoost", "Community Gardens Oost"}},
			{"text and facet", atlas.Query{Text: "zonnepanelen", Districts: []string{"zuidoost"}}, []string{"Zon op Zuidoost"}},
		}
		for _, tt := range tests {
			res, err := f.svc.Search(ctx, tt.q)
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			got := names(res)
			if tt.q.Text == "" && tt.q.Order == "" {
				slices.Sort(got)
			}
			if !slices.Equal(got, tt.want) || res.Total != len(tt.want) {
				t.Errorf("%s: got %v (total %d), want %v", tt.name, got, res.Total, tt.want)
			}
		}
	})
}

func TestSearchPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		directory(t, f)
		var seen []string
		var after int64
		for range 10 {
			res, err := f.svc.Search(ctx, atlas.Query{Order: atlas.OrderID, Limit: 3, After: after})
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, names(res)...)
			if !res.More {
				break
			}
			after = res.Items[len(res.Items)-1].ID
		}
		if len(seen) != 4 {
			t.Fatalf("paged through %v", seen)
		}
		page2, _ := f.svc.Search(ctx, atlas.Query{Order: atlas.OrderName, Limit: 2, Offset: 2})
		if got := names(page2); !slices.Equal(got, []string{"Online Ruilplatform", "Zon op Zuidoost"}) || page2.More || page2.Total != 4 {
			t.Fatalf("second page %v more=%v", got, page2.More)
		}
	})
}

func TestSearchRefusesBadQueries(t *testing.T) {
	f := &fixture{svc: &atlas.Service{}}
	for _, tt := range []struct {
		q     atlas.Query
		field string
	}{
		{atlas.Query{Sectors: []string{"weapons"}}, "sector"},
		{atlas.Query{Districts: []string{"haarlem"}}, "district"},
		{atlas.Query{Needs: []string{"love"}}, "need"},
		{atlas.Query{BBox: &mapindex.BBox{MinLon: 5, MinLat: 53, MaxLon: 6, MaxLat: 52}}, "bbox"},
		{atlas.Query{Order: atlas.OrderDistance}, "order"},
		{atlas.Query{Order: "random"}, "order"},
		{atlas.Query{Limit: 501}, "limit"},
		{atlas.Query{RadiusKm: -1}, "radius"},
	} {
		_, err := f.svc.Search(context.Background(), tt.q)
		if fieldCode(err, tt.field) == "" {
			t.Errorf("%+v: error %v does not name %s", tt.q, err, tt.field)
		}
	}
}

func TestFacets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		directory(t, f)
		counts, _, err := f.svc.Facets(ctx, atlas.Query{Sectors: []string{"energy"}})
		if err != nil {
			t.Fatal(err)
		}
		count := func(facet, value string) int {
			for _, c := range counts[facet] {
				if c.Value == value {
					return c.Count
				}
			}
			return 0
		}
		// The sector facet ignores the chosen sector, so other sectors show
		// what choosing them too would add.
		if count("sector", "food") != 1 || count("sector", "energy") != 1 || count("sector", "sharing") != 1 {
			t.Errorf("sector counts %+v", counts["sector"])
		}
		// Other facets count within the chosen sector.
		if count("district", "zuidoost") != 1 || count("district", "noord") != 0 {
			t.Errorf("district counts %+v", counts["district"])
		}
		if count("need", "funding") != 1 || count("offer", "knowledge") != 1 || count("offer", "space") != 0 {
			t.Errorf("exchange counts %+v %+v", counts["need"], counts["offer"])
		}
		if count("principle", "shared_ownership") != 1 || count("principle", "local_roots") != 1 {
			t.Errorf("principle counts %+v", counts["principle"])
		}
	})
}

func TestMatchesNeedsAndOffers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		dir := directory(t, f)
		offering, needing, err := f.svc.Matches(ctx, dir["Fietsenwerkplaats Noord"])
		if err != nil {
			t.Fatal(err)
		}
		// It needs volunteers (its need for space has expired): the gardens
		// offer volunteers. Nobody needs what it offers (nothing).
		if len(offering) != 1 || offering[0].Name != "Community Gardens Oost" || !slices.Equal(offering[0].Kinds, []string{"volunteers"}) {
			t.Fatalf("offering %+v", offering)
		}
		if offering[0].DistanceKm < 4 || offering[0].DistanceKm > 6 {
			t.Errorf("distance %.1f km", offering[0].DistanceKm)
		}
		if len(needing) != 0 {
			t.Errorf("needing %+v", needing)
		}
		// The gardens offer volunteers and space: the workshop needs
		// volunteers; nobody needs space any more.
		_, needing, _ = f.svc.Matches(ctx, dir["Community Gardens Oost"])
		if len(needing) != 1 || needing[0].Name != "Fietsenwerkplaats Noord" {
			t.Fatalf("needing %+v", needing)
		}
	})
}

func TestMapFollowsChangesFromOtherProcesses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		dir := directory(t, f)
		// A second process with its own index, built from the database.
		other := &atlas.Service{DB: db, Map: mapindex.New(mapindex.Options{}), Now: f.clock.now}
		since, err := other.LoadMap(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := other.Map.Len(); got != 3 { // the online platform has no place
			t.Fatalf("loaded %d points, want 3", got)
		}
		feats, _ := other.Map.Clusters(world, 20, atlas.MapFilter(atlas.Query{Sectors: []string{"food"}}))
		if len(feats) != 1 || feats[0].ID != dir["Community Gardens Oost"].ID {
			t.Fatalf("food on the map: %+v", feats)
		}
		// This process archives one and moves another; the other process
		// sees it after Sync.
		f.clock.add(time.Second)
		if err := f.svc.SetArchived(ctx, f.moderator, dir["Zon op Zuidoost"].ID, true); err != nil {
			t.Fatal(err)
		}
		moved := dir["Fietsenwerkplaats Noord"]
		moved.Location.Latitude, moved.Location.Longitude = ptr(48.85), ptr(2.35)
		if _, err := f.svc.Edit(ctx, f.moderator, moved.ID, atlas.Proposal{Record: moved.Record}); err != nil {
			t.Fatal(err)
		}
		other.Now = func() time.Time { return f.clock.now().Add(time.Second) }
		if _, err := other.Sync(ctx, since); err != nil {
			t.Fatal(err)
		}
		if got := other.Map.Len(); got != 2 {
			t.Fatalf("after sync %d points, want 2", got)
		}
		paris, _ := other.Map.Clusters(mapindex.BBox{MinLon: 2, MinLat: 48, MaxLon: 3, MaxLat: 49}, 20, mapindex.Filter{})
		if len(paris) != 1 || paris[0].ID != moved.ID {
			t.Fatalf("the moved point: %+v", paris)
		}
	})
}

func TestCountStopsAtTheCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		directory(t, f)
		old := atlas.CountCap
		atlas.CountCap = 2
		defer func() { atlas.CountCap = old }()
		res, err := f.svc.Search(context.Background(), atlas.Query{Limit: 3})
		if err != nil || res.Total != 2 || !res.Capped || len(res.Items) != 3 || !res.More {
			t.Fatalf("capped search: total %d capped %v items %d more %v (%v)", res.Total, res.Capped, len(res.Items), res.More, err)
		}
		res, _ = f.svc.Search(context.Background(), atlas.Query{Text: "zonnepanelen"})
		if res.Capped || res.Total != 1 {
			t.Fatalf("small search: %+v", res)
		}
	})
}

func TestBroadSearchesAreNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		directory(t, f)
		old := atlas.RankCap
		atlas.RankCap = 1
		defer func() { atlas.RankCap = old }()
		for _, q := range []atlas.Query{{Text: "zon"}, {Text: "zon", Sectors: []string{"energy", "sharing"}}} {
			res, err := f.svc.Search(context.Background(), q)
			if err != nil || len(res.Items) != 2 || res.Items[0].ID < res.Items[1].ID {
				t.Fatalf("%+v: %v, %v", q, names(res), err)
			}
		}
	})
}

// A broad filtered list newest first or by ID is read along an index in
// that order on SQLite (sqliteOrderIndex); it lists what a narrow one,
// sorted, lists, in the same order, and pages after a cursor alike.
func TestBroadListsInOrderAlongAnIndex(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		directory(t, f)
		for _, order := range []string{atlas.OrderNewest, atlas.OrderID} {
			for _, q := range []atlas.Query{{}, {LegalForms: []string{"cooperative"}}, {Sectors: []string{"energy", "sharing", "food"}}} {
				q.Order, q.Limit = order, 10
				want, err := f.svc.Search(ctx, q) // counted whole: sorted
				if err != nil || want.Capped || len(want.Items) < 2 {
					t.Fatalf("%+v: %v, %v", q, names(want), err)
				}
				old := atlas.CountCap
				atlas.CountCap = 1 // now broad
				got, err := f.svc.Search(ctx, q)
				if err != nil || !got.Capped || !slices.Equal(names(got), names(want)) {
					t.Errorf("%s %+v: broad %v (%v), sorted %v", order, q, names(got), err, names(want))
				}
				if order == atlas.OrderID {
					q.After = want.Items[0].ID
					after, err := f.svc.Search(ctx, q)
					if err != nil || !slices.Equal(names(after), names(want)[1:]) {
						t.Errorf("%+v: after the first %v (%v), want %v", q, names(after), err, names(want)[1:])
					}
				}
				atlas.CountCap = old
			}
		}
	})
}

// The map index and the database count the facets alike.
func TestFacetsFromTheIndexEqualTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		directory(t, f)
		plain := &atlas.Service{DB: db, Now: f.clock.now}
		for _, q := range []atlas.Query{
			{},
			{Sectors: []string{"food", "energy"}},
			{Text: "zon"},
			{Districts: []string{"oost"}, Principles: []string{"local_roots"}},
			{Offers: []string{"space"}, LegalForms: []string{"cooperative"}},
			{BBox: &mapindex.BBox{MinLon: 4.9, MinLat: 52.35, MaxLon: 5.0, MaxLat: 52.45}},
		} {
			fromIndex, _, err := f.svc.Facets(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			fromDB, _, err := plain.Facets(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fromIndex, fromDB) {
				t.Errorf("%+v:\nindex    %+v\ndatabase %+v", q, fromIndex, fromDB)
			}
		}
	})
}

// A need that has ended leaves the map's filters when the index is built
// again (samen serve does so daily), read from the facet columns.
func TestEndedNeedsLeaveTheMap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		r := record("Tijdelijke Vraag", 52.37, 4.9)
		r.Needs = []atlas.Exchange{{Kind: "space", Until: "2026-06-10"}, {Kind: "funding"}}
		in := f.publish(t, r)
		needs := func() []int64 {
			feats, err := f.svc.Map.Clusters(world, 20, atlas.MapFilter(atlas.Query{Needs: []string{"space"}}))
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, ft := range feats {
				ids = append(ids, ft.ID)
			}
			return ids
		}
		if _, err := f.svc.LoadMap(ctx); err != nil {
			t.Fatal(err)
		}
		if got := needs(); len(got) != 1 || got[0] != in.ID {
			t.Fatalf("before the end date: %v", got)
		}
		f.clock.add(10 * 24 * time.Hour) // 2026-06-11
		if _, err := f.svc.LoadMap(ctx); err != nil {
			t.Fatal(err)
		}
		if got := needs(); len(got) != 0 {
			t.Fatalf("after the end date: %v", got)
		}
		funding, _ := f.svc.Map.Clusters(world, 20, atlas.MapFilter(atlas.Query{Needs: []string{"funding"}}))
		if len(funding) != 1 {
			t.Fatalf("the open-ended need is gone too: %+v", funding)
		}
	})
}

// Paging by ID through a full-text search sees every match once.
func TestTextSearchPagesByID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var want []int64
		for i, name := range []string{"Zonnedak Oost", "Zonnedak West", "Zonnedak Noord"} {
			in := f.publish(t, record(name, 52.3+float64(i), 4.9))
			want = append(want, in.ID)
		}
		f.publish(t, record("Windmolen Zuid", 52.1, 4.1))
		var got []int64
		var after int64
		for range 10 {
			res, err := f.svc.Search(context.Background(), atlas.Query{Text: "zonnedak", Order: atlas.OrderID, Limit: 1, After: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range res.Items {
				got = append(got, in.ID)
				after = in.ID
			}
			if !res.More {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("paged %v, want %v", got, want)
		}
	})
}

// A bulk import may take longer than Sync looks back (its rows carry the
// time it began): it moves the map's generation, and another process's
// next Sync rebuilds its index from the database, whatever the rows'
// times. MapBehind says how long ago an index was last in step.
func TestMapFollowsLongImports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		other := &atlas.Service{DB: db, Map: mapindex.New(mapindex.Options{}), Now: f.clock.now}
		if got := other.MapBehind(); got != 0 {
			t.Errorf("an index never loaded is %v behind", got)
		}
		since, err := other.LoadMap(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The import began two hours before the other process's next
		// Sync, far beyond its look back.
		rows := make([]atlas.Row, atlas.MapRebuildAbove+1)
		for i := range rows {
			rows[i] = atlas.Row{Line: i + 2, Record: richRecord(i)}
		}
		rep, err := f.svc.Import(ctx, f.steward, rows)
		if err != nil || rep.Created != len(rows) {
			t.Fatalf("the import: %+v %v", rep, err)
		}
		// The planner's statistics were refreshed with it.
		var counted float64
		q := `SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'initiatives'`
		if db.Engine() == store.Postgres {
			q = `SELECT reltuples FROM pg_class WHERE oid = 'initiatives'::regclass`
		}
		if err := db.QueryRow(ctx, q).Scan(&counted); err != nil || counted < 1 || db.Engine() == store.Postgres && counted < float64(len(rows)) {
			t.Errorf("statistics after the import: %v (%v)", counted, err)
		}
		f.clock.add(2 * time.Hour)
		if got := other.MapBehind(); got < 2*time.Hour {
			t.Errorf("two hours without a Sync, the index is %v behind", got)
		}
		if _, err := other.Sync(ctx, since.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := other.Map.Len(); got != len(rows) {
			t.Errorf("after the import the other process maps %d points, want %d", got, len(rows))
		}
		if got := other.MapBehind(); got != 0 {
			t.Errorf("just synced, the index is %v behind", got)
		}
	})
}

// The map's filter by words (SearchIDs) is kept between the views a
// visitor pans to, but never outlives the map it filters: an edit, an
// archiving, or another process's change brought in by Sync shows in the
// next search.
func TestSearchOnTheMapFollowsChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		dir := directory(t, f)
		other := &atlas.Service{DB: db, Map: mapindex.New(mapindex.Options{}), Now: f.clock.now}
		since, err := other.LoadMap(ctx)
		if err != nil {
			t.Fatal(err)
		}
		bike := dir["Fietsenwerkplaats Noord"]
		found := func(s *atlas.Service, text string) bool {
			t.Helper()
			ids, err := s.SearchIDs(ctx, atlas.Query{Text: text}, 100)
			if err != nil {
				t.Fatal(err)
			}
			return ids.Has(bike.ID)
		}
		for _, s := range []*atlas.Service{f.svc, other, f.svc, other} { // the second time from the cache
			if found(s, "bakkerij") || !found(s, "fietsen") {
				t.Fatal("before the edit: the workshop is not found by its own words")
			}
		}
		f.clock.add(time.Second)
		bike.Name = "Bakkerij en fietsen Noord"
		if _, err := f.svc.Edit(ctx, f.moderator, bike.ID, atlas.Proposal{Record: bike.Record}); err != nil {
			t.Fatal(err)
		}
		if !found(f.svc, "bakkerij") {
			t.Error("the process that made the edit does not find the new name")
		}
		other.Now = func() time.Time { return f.clock.now().Add(time.Second) }
		if since, err = other.Sync(ctx, since); err != nil {
			t.Fatal(err)
		}
		if !found(other, "bakkerij") {
			t.Error("another process does not find the new name after Sync")
		}
		// Words that leave the point as it was (name, place and facets the
		// same) are found as well.
		if found(f.svc, "zeepkistenrace") || found(other, "zeepkistenrace") {
			t.Fatal("a word no initiative has is found")
		}
		f.clock.add(time.Second)
		bike.Name = "Bakkerij en fietsen Noord"
		bike.Summary.NL = "Wij bouwen ook karren voor de zeepkistenrace."
		if _, err := f.svc.Edit(ctx, f.moderator, bike.ID, atlas.Proposal{Record: bike.Record}); err != nil {
			t.Fatal(err)
		}
		if !found(f.svc, "zeepkistenrace") {
			t.Error("the process that made the edit does not find a new word of the summary")
		}
		other.Now = func() time.Time { return f.clock.now().Add(time.Second) }
		if since, err = other.Sync(ctx, since); err != nil {
			t.Fatal(err)
		}
		if !found(other, "zeepkistenrace") {
			t.Error("another process does not find a new word of the summary after Sync")
		}
		f.clock.add(time.Second)
		if err := f.svc.SetArchived(ctx, f.moderator, bike.ID, true); err != nil {
			t.Fatal(err)
		}
		if found(f.svc, "bakkerij") || found(f.svc, "fietsen") {
			t.Error("an archived initiative is still found on the map")
		}
		other.Now = func() time.Time { return f.clock.now().Add(2 * time.Second) }
		if _, err := other.Sync(ctx, since); err != nil {
			t.Fatal(err)
		}
		if found(other, "bakkerij") {
			t.Error("another process still finds an archived initiative after Sync")
		}
	})
}

// A search broader than the facets are counted among (FacetSearchCap) is
// counted among its first matches, and says so; a narrower one is counted
// whole.
func TestBroadSearchesSayTheyAreCapped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		dir := directory(t, f) // "met" is in two summaries, "fietsen" in one
		defer func(n int) { atlas.FacetSearchCap = n }(atlas.FacetSearchCap)
		atlas.FacetSearchCap = 1
		counts, capped, err := f.svc.Facets(ctx, atlas.Query{Text: "met"})
		if err != nil || !capped {
			t.Fatalf("two matches, a cap of one: capped %v (%v)", capped, err)
		}
		counted := 0
		for _, c := range counts["legal_form"] {
			counted += c.Count
		}
		if counted > 2 {
			t.Errorf("counted %d initiatives of two", counted)
		}
		ids, err := f.svc.SearchIDs(ctx, atlas.Query{Text: "met"}, 1)
		if err != nil || !atlas.Capped(ids, 1) {
			t.Errorf("the map's matches of a capped search: %v (%v)", ids.Len(), err)
		}
		if _, capped, err := f.svc.Facets(ctx, atlas.Query{Text: "fietsen"}); err != nil || capped {
			t.Errorf("one match, a cap of one: capped %v (%v)", capped, err)
		}

		// A third match; then one of the first two archived: two are left,
		// more than the cap still, though the kept set lost one of its two.
		gardens := dir["Community Gardens Oost"]
		gardens.Summary.NL = "Buren kweken samen groente met elkaar."
		if _, err := f.svc.Edit(ctx, f.moderator, gardens.ID, atlas.Proposal{Record: gardens.Record}); err != nil {
			t.Fatal(err)
		}
		first := int64(0)
		f.svc.Map = mapindex.New(mapindex.Options{}) // kept searches need the map
		if _, err := f.svc.LoadMap(ctx); err != nil {
			t.Fatal(err)
		}
		ids, err = f.svc.SearchIDs(ctx, atlas.Query{Text: "met"}, 1)
		if err != nil || ids.Len() != 2 {
			t.Fatalf("three matches, a cap of one: %d kept (%v)", ids.Len(), err)
		}
		ids.Each(func(id int64) { first = id })
		f.clock.add(time.Second)
		if err := f.svc.SetArchived(ctx, f.moderator, first, true); err != nil {
			t.Fatal(err)
		}
		ids, err = f.svc.SearchIDs(ctx, atlas.Query{Text: "met"}, 1)
		if err != nil || !atlas.Capped(ids, 1) || ids.Has(first) {
			t.Errorf("two matches left of three, a cap of one: %d kept, capped %v, the archived one in it %v (%v)",
				ids.Len(), atlas.Capped(ids, 1), ids.Has(first), err)
		}
	})
}

// LoadMap reads the IDs in as many ranges as there are cores, at once:
// every point is read, those at the edges of the ranges too.
func TestLoadMapReadsEveryPoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		want := map[int64]bool{}
		for i := range 7 {
			in := f.publish(t, record(fmt.Sprintf("Buurtkeuken %d", i), 52.30+float64(i)/100, 4.90))
			want[in.ID] = true
		}
		for _, per := range []int{atlas.MapLoadRange, 1, 2, 3} {
			old := atlas.MapLoadRange
			atlas.MapLoadRange = per
			other := &atlas.Service{DB: db, Map: mapindex.New(mapindex.Options{}), Now: f.clock.now}
			_, err := other.LoadMap(ctx)
			atlas.MapLoadRange = old
			if err != nil {
				t.Fatal(err)
			}
			feats, err := other.Map.Clusters(world, 20, mapindex.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]bool{}
			for _, ft := range feats {
				got[ft.ID] = true
			}
			if !maps.Equal(got, want) {
				t.Errorf("%d IDs a reader at least: the map holds %v, want %v", per, got, want)
			}
		}
	})
}
