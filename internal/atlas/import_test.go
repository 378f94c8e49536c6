package atlas_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/audit"
	"samen/internal/mapindex"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// format is one of the formats an import reads.
type format struct {
	name  string
	write func(w io.Writer, next func() (atlas.Initiative, bool, error)) error
	read  func(r io.Reader) ([]atlas.Row, error)
}

var formats = []format{
	{"csv", func(w io.Writer, next func() (atlas.Initiative, bool, error)) error {
		return atlas.WriteCSV(w, next, base)
	}, atlas.ReadCSV},
	{"geojson", func(w io.Writer, next func() (atlas.Initiative, bool, error)) error {
		return atlas.WriteGeoJSON(w, next, base, atlas.DefaultLicence)
	}, atlas.ReadGeoJSON},
}

// export writes the published initiatives of svc in a format.
func export(t *testing.T, svc *atlas.Service, ft format) []byte {
	t.Helper()
	var b bytes.Buffer
	err := svc.Export(context.Background(), func(next func() (atlas.Initiative, bool, error)) error { return ft.write(&b, next) })
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// published returns the published records in ID order.
func published(t *testing.T, svc *atlas.Service) []atlas.Record {
	t.Helper()
	var out []atlas.Record
	err := svc.Export(context.Background(), func(next func() (atlas.Initiative, bool, error)) error {
		for {
			in, ok, err := next()
			if err != nil || !ok {
				return err
			}
			out = append(out, in.Record)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func importFile(t *testing.T, svc *atlas.Service, u *account.User, ft format, data []byte) (atlas.ImportReport, error) {
	t.Helper()
	rows, err := ft.read(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading the %s file: %v", ft.name, err)
	}
	return svc.Import(context.Background(), u, rows)
}

// fill publishes a varied atlas: records with and without a source, one
// without a point, and some that are not published (which no export holds).
func fill(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	for i := range 6 {
		r := richRecord(i)
		if i%2 == 1 {
			r.Source, r.SourceID = "", ""
		}
		if i == 4 {
			r.Location.Latitude, r.Location.Longitude = nil, nil
		}
		f.publish(t, r)
	}
	plain := record("Alleen een naam", 52.37, 4.89)
	f.publish(t, plain)
	f.publish(t, plain) // twice, without a source: both come back
	gone := f.publish(t, record("Opgeheven Coöperatie", 52.35, 4.91))
	if err := f.svc.SetArchived(ctx, f.moderator, gone.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Propose(ctx, f.member, atlas.Proposal{Record: record("Nog Niet Gekeurd", 52.36, 4.90)}); err != nil {
		t.Fatal(err)
	}
}

func TestExportImportReproducesTheAtlas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		from := newFixture(t, db)
		fill(t, from)
		want := published(t, from.svc)
		if len(want) != 8 {
			t.Fatalf("%d published, want 8", len(want))
		}
		for _, ft := range formats {
			t.Run(ft.name, func(t *testing.T) {
				data := export(t, from.svc, ft)
				to := newFixture(t, fresh(t, db.Engine()))
				rep, err := importFile(t, to.svc, to.steward, ft, data)
				if err != nil {
					t.Fatal(err)
				}
				if rep != (atlas.ImportReport{Created: 8}) {
					t.Fatalf("report %+v, want 8 created", rep)
				}
				got := published(t, to.svc)
				for i := range want {
					if !reflect.DeepEqual(got[i], withoutEmail(want[i])) {
						t.Errorf("initiative %d:\n%+v\nwant\n%+v", i, got[i], withoutEmail(want[i]))
					}
				}
				// The copy exports the same file, but for the dates.
				if again := export(t, to.svc, ft); !bytes.Equal(withoutUpdated(again), withoutUpdated(data)) {
					t.Errorf("the copy exports differently:\n%s\nwant\n%s", again, data)
				}
				// They are found, on the map and in search.
				res, err := to.svc.Search(context.Background(), atlas.Query{Text: "fietsen"})
				if err != nil || res.Total != 6 {
					t.Errorf("search finds %d (%v), want 6", res.Total, err)
				}
				if to.svc.Map.Len() != 7 {
					t.Errorf("%d on the map, want 7", to.svc.Map.Len())
				}

				// Importing the same file again changes nothing, in the copy
				// and in the original (which has the e-mail addresses).
				for _, f := range []*fixture{to, from} {
					rep, err = importFile(t, f.svc, nil, ft, data)
					if err != nil || rep != (atlas.ImportReport{Unchanged: 8}) {
						t.Fatalf("again: %+v, %v; want 8 unchanged", rep, err)
					}
				}
				if !reflect.DeepEqual(published(t, from.svc), want) {
					t.Error("re-importing an export changed the original")
				}
			})
		}
	})
}

// fresh returns a new, empty database of the engine.
func fresh(t *testing.T, e store.Engine) *store.DB {
	if e == store.Postgres {
		return storetest.Postgres(t)
	}
	return storetest.SQLite(t)
}

var (
	updatedJSON = regexp.MustCompile(`"updated":"[^"]*",?`)
	updatedCSV  = regexp.MustCompile(`,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,`)
)

// byName finds a published initiative by its name.
func byName(t *testing.T, svc *atlas.Service, name string) atlas.Initiative {
	t.Helper()
	var found atlas.Initiative
	err := svc.Export(context.Background(), func(next func() (atlas.Initiative, bool, error)) error {
		for {
			in, ok, err := next()
			if err != nil || !ok {
				return err
			}
			if in.Name == name {
				found = in
			}
		}
	})
	if err != nil || found.ID == 0 {
		t.Fatalf("no published %q (%v)", name, err)
	}
	return found
}

// withoutUpdated blanks the modification times of an export.
func withoutUpdated(b []byte) []byte {
	b = updatedJSON.ReplaceAll(b, nil)
	return updatedCSV.ReplaceAll(b, []byte(",,"))
}

func TestImportUpdatesBySource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		first := []atlas.Row{{Line: 2, Record: richRecord(1)}, {Line: 3, Record: richRecord(2)}}
		if _, err := f.svc.Import(ctx, f.moderator, first); err != nil {
			t.Fatal(err)
		}
		// A waiting proposal with a source id of its own is published by
		// an import that names it.
		pending := richRecord(3)
		proposal, err := f.svc.Propose(ctx, f.member, atlas.Proposal{Record: pending, NotDuplicate: true})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.add(time.Hour)
		changed := richRecord(1)
		changed.Summary.EN = "Now with a new summary."
		// The same source id from another source is another initiative.
		elsewhere := richRecord(5)
		elsewhere.Source, elsewhere.SourceID = "karte-von-morgen", richRecord(2).SourceID
		rows := []atlas.Row{{Line: 2, Record: changed}, {Line: 3, Record: richRecord(2)}, {Line: 4, Record: richRecord(3)}, {Line: 5, Record: richRecord(4)},
			{Line: 6, Record: elsewhere}}
		rep, err := f.svc.Import(ctx, f.steward, rows)
		if err != nil {
			t.Fatal(err)
		}
		if rep != (atlas.ImportReport{Created: 2, Updated: 2, Unchanged: 1}) {
			t.Fatalf("report %+v", rep)
		}
		if in := byName(t, f.svc, "Buurtinitiatief 2"); in.Source != "gemeente-amsterdam" {
			t.Errorf("the row of another source with the same id changed %+v", in.Record)
		}
		in := byName(t, f.svc, "Buurtinitiatief 1")
		if in.Name != "Buurtinitiatief 1" || in.Summary.EN != "Now with a new summary." || in.Contact.Email != "info1@example.org" {
			t.Fatalf("after the update: %+v", in.Record)
		}
		if !in.ConfirmedAt.Equal(f.clock.t) {
			t.Errorf("an update does not confirm the entry: %v", in.ConfirmedAt)
		}
		_, hist, err := f.svc.History(ctx, f.moderator, in.ID)
		if err != nil || len(hist) != 2 {
			t.Fatalf("history %+v, %v", hist, err)
		}
		if h := hist[0]; h.State != atlas.RevisionAccepted || h.AuthorID != f.steward.ID || h.ReviewerID != f.steward.ID || h.BaseID != hist[1].ID ||
			h.Record.Summary.EN != "Now with a new summary." || hist[1].AuthorID != f.moderator.ID {
			t.Errorf("history %+v", hist)
		}
		// Every version stays in the history as it was, also after the
		// initiative moved on, by an import or by an edit.
		if hist[1].Record.Summary.EN != richRecord(1).Summary.EN {
			t.Errorf("the first import's revision now reads %q", hist[1].Record.Summary.EN)
		}
		edited := in.Record
		edited.Summary.EN = "Edited by hand."
		if _, err := f.svc.Edit(ctx, f.moderator, in.ID, atlas.Proposal{Record: edited, BaseID: hist[0].ID}); err != nil {
			t.Fatal(err)
		}
		_, hist, err = f.svc.History(ctx, f.moderator, in.ID)
		if err != nil || len(hist) != 3 || hist[0].Record.Summary.EN != "Edited by hand." ||
			hist[1].Record.Summary.EN != "Now with a new summary." || hist[2].Record.Summary.EN != richRecord(1).Summary.EN {
			t.Errorf("history after an edit %+v, %v", hist, err)
		}
		got, err := f.svc.Get(ctx, nil, proposal.ID)
		if err != nil || got.Status != atlas.Published {
			t.Errorf("the proposal named by the import: %v, %v", got.Status, err)
		}
		entries, _, err := audit.List(ctx, db, audit.Filter{Action: "initiative.import"})
		if err != nil || len(entries) != 2 || entries[0].Detail["updated"] != 2.0 {
			t.Errorf("audit %+v, %v", entries, err)
		}
	})
}

func TestImportChecksEveryRowFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		bad := richRecord(2)
		bad.Location.Latitude = ptr(95.0)
		bad.Sectors = []string{"weapons"}
		twin := richRecord(7)
		twin.Source, twin.SourceID = " gemeente-amsterdam ", "GA-000001 " // the same, once tidied
		rows := []atlas.Row{{Line: 2, Record: richRecord(1)}, {Line: 3, Record: bad}, {Line: 4, Record: atlas.Record{}}, {Line: 9, Record: twin}}
		_, err := f.svc.Import(ctx, nil, rows)
		p, ok := problem.As(err)
		if !ok || p.Kind != problem.Invalid {
			t.Fatalf("error %v", err)
		}
		for key, code := range map[string]string{
			"line 3: location.latitude": "latitude.out_of_range",
			"line 3: sectors":           "unknown",
			"line 4: name":              "required",
			"line 4: sectors":           "required",
			"line 2: source_id":         "source_id.duplicate",
			"line 9: source_id":         "source_id.duplicate",
		} {
			if p.Fields[key] != code {
				t.Errorf("%s: %q, want %q", key, p.Fields[key], code)
			}
		}
		if probs := atlas.RowProblems(err); len(probs) != len(p.Fields) || probs[0].Line != 2 || probs[len(probs)-1].Line != 9 {
			t.Errorf("row problems %+v", probs)
		}
		if n := len(published(t, f.svc)); n != 0 {
			t.Fatalf("%d imported from a file with bad rows", n)
		}
	})
}

func TestImportRefusesRejectedSourceAndMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		rows := []atlas.Row{{Line: 2, Record: richRecord(1)}}
		_, err := f.svc.Import(ctx, f.member, rows)
		wantProblem(t, err, problem.Forbidden, "atlas.moderators_only")

		if _, err := f.svc.Propose(ctx, f.member, atlas.Proposal{Record: richRecord(5), NotDuplicate: true}); err != nil {
			t.Fatal(err)
		}
		queue, err := f.svc.Queue(ctx, f.moderator)
		if err != nil || len(queue) != 1 {
			t.Fatal(queue, err)
		}
		if _, err := f.svc.Review(ctx, f.moderator, queue[0].Revision.ID, false, "not in Amsterdam"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Import(ctx, f.moderator, []atlas.Row{{Line: 2, Record: richRecord(1)}, {Line: 3, Record: richRecord(5)}})
		if fieldCode(err, "line 3: source_id") != "source_id.not_editable" {
			t.Fatalf("importing over a rejected proposal: %v", err)
		}
		if n := len(published(t, f.svc)); n != 0 {
			t.Fatalf("%d imported", n)
		}
	})
}

// TestLargeImportIsAllOrNothing: an import reads its rows once and writes
// them batch by batch while it reads on. A wrong row far into the file,
// after thousands were written, still leaves nothing imported, and the
// error names every wrong row, also a duplicate of a row written long
// before. Initiatives named in any batch are updated, not made again.
func TestLargeImportIsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		first := []atlas.Row{{Line: 2, Record: richRecord(1)}, {Line: 3, Record: richRecord(2)}, {Line: 4, Record: richRecord(3)}}
		if _, err := f.svc.Import(ctx, f.moderator, first); err != nil {
			t.Fatal(err)
		}
		counts := func() [2]int {
			var n [2]int
			if err := db.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM initiatives), (SELECT COUNT(*) FROM revisions)`).Scan(&n[0], &n[1]); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := counts()
		const n = 4500 // more than two batches on PostgreSQL, nine on SQLite, four chunks of checks
		rows := make([]atlas.Row, 0, n)
		for i := 4; i < n+4; i++ {
			rows = append(rows, atlas.Row{Line: len(rows) + 2, Record: richRecord(i)})
		}
		rows[4400].Record.Location.Latitude = ptr(95.0)
		rows[4450].Record.SourceID = rows[10].Record.SourceID
		_, err := f.svc.Import(ctx, f.moderator, rows)
		p, ok := problem.As(err)
		if !ok || p.Kind != problem.Invalid || len(p.Fields) != 3 ||
			p.Fields["line 4402: location.latitude"] != "latitude.out_of_range" ||
			p.Fields["line 12: source_id"] != "source_id.duplicate" || p.Fields["line 4452: source_id"] != "source_id.duplicate" {
			t.Fatalf("error %v", err)
		}
		if got := counts(); got != before {
			t.Fatalf("initiatives and revisions %v after a refused import, %v before", got, before)
		}

		// The file put right, with the three imported before at its end,
		// one of them changed.
		rows = rows[:0]
		for i := 4; i < n+1; i++ {
			rows = append(rows, atlas.Row{Line: len(rows) + 2, Record: richRecord(i)})
		}
		changed := richRecord(2)
		changed.Summary.EN = "Changed at the end of a long file."
		for _, r := range []atlas.Record{richRecord(1), changed, richRecord(3)} {
			rows = append(rows, atlas.Row{Line: len(rows) + 2, Record: r})
		}
		rep, err := f.svc.Import(ctx, f.moderator, rows)
		if err != nil {
			t.Fatal(err)
		}
		if rep != (atlas.ImportReport{Created: n - 3, Updated: 1, Unchanged: 2}) {
			t.Fatalf("report %+v", rep)
		}
		if got := counts(); got != [2]int{n, before[1] + n - 2} {
			t.Errorf("initiatives and revisions %v, want %d and %d", got, n, before[1]+n-2)
		}
		if in := byName(t, f.svc, "Buurtinitiatief 2"); in.Summary.EN != changed.Summary.EN {
			t.Errorf("the initiative named at the end: %q", in.Summary.EN)
		}
	})
}

// BenchmarkImportCSV200k reads and imports 200,000 CSV rows into an empty
// SQLite database:
//
//	go test -run XXX -bench ImportCSV200k -benchtime 1x ./internal/atlas/
func BenchmarkImportCSV200k(b *testing.B) {
	if testing.Short() {
		b.Skip("200,000 rows take a while")
	}
	const n = 200_000
	list := make([]atlas.Initiative, n)
	for i := range list {
		list[i] = atlas.Initiative{Record: richRecord(i)}
	}
	var file bytes.Buffer
	if err := atlas.WriteCSV(&file, atlas.Items(list), base); err != nil {
		b.Fatal(err)
	}
	list = nil
	for b.Loop() {
		b.StopTimer()
		svc := &atlas.Service{DB: storetest.SQLite(b)}
		b.StartTimer()
		start := time.Now()
		rows, err := atlas.ReadCSV(bytes.NewReader(file.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		read := time.Since(start)
		rep, err := svc.Import(context.Background(), nil, rows)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Created != n {
			b.Fatalf("report %+v", rep)
		}
		b.ReportMetric(float64(file.Len())/(1<<20), "MiB-file")
		b.ReportMetric(read.Seconds(), "s-read")
		b.ReportMetric(time.Since(start).Seconds(), "s-total")
	}
}

// snapshot is what the database holds about each initiative, by name,
// leaving out IDs and times.
func snapshot(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	rows, err := db.Query(ctx, `SELECT id, status, name, data, latitude, longitude, district, legal_form, principles, source, source_id,
		revision_id IS NOT NULL, review_stage, created_at = updated_at FROM initiatives ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	names := map[int64]string{}
	for rows.Next() {
		var (
			id                                                 int64
			status, name, data, district, legal, source, srcID string
			lat, lon                                           *float64
			principles, stage                                  int
			hasRevision, untouched                             bool
		)
		if err := rows.Scan(&id, &status, &name, &data, &lat, &lon, &district, &legal, &principles, &source, &srcID, &hasRevision, &stage, &untouched); err != nil {
			t.Fatal(err)
		}
		names[id] = name
		out[name] = fmt.Sprintf("%s %s %v %v %s %s %d %s %s %v %d %v", status, data, deref(lat), deref(lon), district, legal, principles, source, srcID, hasRevision, stage, untouched)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	add := func(query string) {
		rows, err := db.Query(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id  int64
				row string
			)
			if err := rows.Scan(&id, &row); err != nil {
				t.Fatal(err)
			}
			out[names[id]] += "\n" + row
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	add(`SELECT initiative_id, 'sector ' || sector FROM initiative_sectors ORDER BY initiative_id, sector`)
	add(`SELECT initiative_id, direction || ' ' || kind || ' ' || until FROM initiative_exchanges ORDER BY initiative_id, direction, kind, until`)
	add(`SELECT initiative_id, 'tool ' || tool FROM initiative_tools ORDER BY initiative_id, tool`)
	// An import's revision holds no copy of the record while it is the
	// initiative's current version; it reads as the initiative's.
	add(`SELECT r.initiative_id, 'revision ' || r.state || ' ' || CASE WHEN r.data = '' THEN i.data ELSE r.data END
		FROM revisions r JOIN initiatives i ON i.id = r.initiative_id ORDER BY r.initiative_id, r.id`)
	if db.Engine() == store.Postgres {
		add(`SELECT id, 'search ' || search::text FROM initiative_search ORDER BY id`)
	} else {
		if _, err := db.Exec(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_terms USING fts5vocab('main', 'initiative_search', 'instance')`); err != nil {
			t.Fatal(err)
		}
		add(`SELECT doc, 'term ' || term || ' ' || "offset" FROM temp.search_terms ORDER BY doc, "offset", term`)
	}
	return out
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestImportStoresWhatProposeStores holds Import's multi-row writes to what
// Propose and Edit store through Service.write: the columns, sectors,
// exchanges, revisions and search index of both come out the same.
func TestImportStoresWhatProposeStores(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		imported, proposed := newFixture(t, db), newFixture(t, fresh(t, db.Engine()))
		first := []atlas.Record{richRecord(1), richRecord(2), record("Zonder Bron Of Punt", 0, 0)}
		first[2].Location = atlas.Location{City: "Weesp"}
		first[2].Summary = atlas.Text{NL: "Fietsen, fietsers en gefietst: stemmen!", EN: "Gardens gardening gardened"}
		then := richRecord(2)
		then.Sectors = []string{"food"}
		then.Offers = nil
		then.Needs = append(then.Needs, atlas.Exchange{Kind: "space", Text: "Een grotere werkplaats"})
		then.Description.EN = "Something else entirely."

		var rows []atlas.Row
		for i, r := range first {
			rows = append(rows, atlas.Row{Line: i + 2, Record: r})
			in, err := proposed.svc.Propose(ctx, proposed.moderator, atlas.Proposal{Record: r, NotDuplicate: true, Note: "import"})
			if err != nil {
				t.Fatal(err)
			}
			if in.Name == then.Name {
				if _, err := proposed.svc.Edit(ctx, proposed.moderator, in.ID, atlas.Proposal{Record: then, Note: "import"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := imported.svc.Import(ctx, imported.moderator, rows); err != nil {
			t.Fatal(err)
		}
		if _, err := imported.svc.Import(ctx, imported.moderator, []atlas.Row{{Line: 2, Record: then}}); err != nil {
			t.Fatal(err)
		}
		got, want := snapshot(t, imported.db), snapshot(t, proposed.db)
		if len(got) != 3 {
			t.Fatalf("%d initiatives imported", len(got))
		}
		for name := range want {
			if got[name] != want[name] {
				t.Errorf("%s imported:\n%s\nproposed:\n%s", name, got[name], want[name])
			}
		}
	})
}

// TestLongImportIsSeenByOtherProcesses: an import gives its rows the time
// it began and shows them when it commits, maybe minutes later. Another
// process's map index, and a harvester asking for the changes since a
// moment in between, still get them: they look back to the import's start.
func TestLongImportIsSeenByOtherProcesses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		other := &atlas.Service{DB: db, Map: mapindex.New(mapindex.Options{}), Now: f.clock.now}
		if _, err := other.LoadMap(ctx); err != nil {
			t.Fatal(err)
		}
		f.svc.Now = func() time.Time { f.clock.add(time.Minute); return f.clock.t } // a slow import
		rows := []atlas.Row{{Line: 2, Record: richRecord(1)}, {Line: 3, Record: richRecord(2)}}
		if _, err := f.svc.Import(ctx, nil, rows); err != nil {
			t.Fatal(err)
		}
		f.svc.Now = f.clock.now
		var began int64
		if err := db.QueryRow(ctx, `SELECT MAX(updated_at) FROM initiatives`).Scan(&began); err != nil {
			t.Fatal(err)
		}
		// Half a minute after the import began, before it committed (a
		// minute passed at every look at the clock).
		during := store.Time(began).Add(30 * time.Second)
		changed := func(since time.Time) int {
			t.Helper()
			res, err := f.svc.Search(ctx, atlas.Query{Changed: since, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			return len(res.Items)
		}
		if got := changed(during); got != len(rows) {
			t.Errorf("the changes since a moment while the import ran: %d, want %d", got, len(rows))
		}
		if got := changed(f.clock.t.Add(time.Second)); got != 0 {
			t.Errorf("the changes since after the import: %d, want none", got)
		}
		// The other process last looked then, and looks back a minute.
		if _, err := other.Sync(ctx, during.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got := other.Map.Len(); got != len(rows) {
			t.Errorf("the other process maps %d points, want %d", got, len(rows))
		}
	})
}

// TestAfterRestoreIndexesEveryEntry: a restore makes the search index
// again, a thousand entries at a time (their index worked out on another
// core while the transaction writes the thousand before), and what it
// makes is what the writes made.
func TestAfterRestoreIndexesEveryEntry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		var rows []atlas.Row
		for i := range 2345 {
			r := richRecord(i)
			r.Source, r.SourceID = "test", strconv.Itoa(i)
			rows = append(rows, atlas.Row{Line: i + 2, Record: r})
		}
		if _, err := f.svc.Import(ctx, f.moderator, rows); err != nil {
			t.Fatal(err)
		}
		want := snapshot(t, db)
		if err := db.InTx(ctx, func(tx *store.Tx) error { return atlas.AfterRestore(ctx, tx) }); err != nil {
			t.Fatal(err)
		}
		got := snapshot(t, db)
		if len(got) != len(rows) {
			t.Fatalf("%d initiatives after the rebuild", len(got))
		}
		for name := range want {
			if got[name] != want[name] {
				t.Fatalf("%s after the rebuild:\n%s\nbefore:\n%s", name, got[name], want[name])
			}
		}
	})
}
