package atlas

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"runtime"
	"sync"
	"time"

	"samen/internal/mapindex"
	"samen/internal/store"
)

// The map index lives in memory in every samen process. It is built from
// the database at start (LoadMap), follows this process's own writes at
// once, and picks up other processes' writes through Sync, so that several
// processes behind one load balancer show the same map within seconds.
//
// Sync reads the rows whose updated_at is recent, looking back a minute
// more than its last run, for transactions that committed after they
// wrote the time, and further for an import that committed since but
// began earlier (changedFrom). A bulk write (an import of 200,000 rows, a
// restore) also moves the map's generation (atlas_map_state) in its
// transaction, and every Sync that sees the generation move rebuilds its
// index from the database: quicker than reading that many rows one by
// one. All are plain reads, the same on SQLite and PostgreSQL, and cost
// little at one a second: an indexed range of recent rows, and two small
// tables.

// facetsOf is a record's facets as bits for the map index.
func facetsOf(r Record, today string) mapindex.Facets {
	return mapindex.Facets{
		Sectors:    mask(Sectors, r.Sectors),
		Needs:      uint32(mask(ExchangeKinds, current(r.Needs, today))),
		Offers:     uint32(mask(ExchangeKinds, current(r.Offers, today))),
		Principles: uint8(principleBits(r)),
		LegalForm:  position(LegalForms, r.LegalForm),
		District:   position(Districts, r.Location.District),
	}
}

// MapFilter turns a query's facets into the map index's filter. Full-text
// search is applied by the caller, through IDs.
func MapFilter(q Query) mapindex.Filter {
	return mapindex.Filter{
		Sectors:    mask(Sectors, q.Sectors),
		Needs:      uint32(mask(ExchangeKinds, q.Needs)),
		Offers:     uint32(mask(ExchangeKinds, q.Offers)),
		Principles: uint8(mask(Principles, q.Principles)),
		LegalForms: mask(LegalForms, q.LegalForms),
		Districts:  mask(Districts, q.Districts),
	}
}

// mask sets the bit of each code's position in list; unknown codes set none.
func mask(list, codes []string) uint64 {
	var m uint64
	for _, c := range codes {
		if b := bit(list, c); b >= 0 {
			m |= 1 << b
		}
	}
	return m
}

// position is a code's place in list counted from 1, as the map index
// stores a single choice; 0 for none or an unknown code.
func position(list []string, code string) uint8 { return uint8(bit(list, code) + 1) }

func (s *Service) mapPut(in Initiative) {
	if s.Map == nil {
		return
	}
	s.ids.touch(in.ID)
	if in.Status != Published || !in.Location.HasPoint() {
		s.Map.Remove(in.ID)
		return
	}
	s.Map.Put(mapindex.Point{
		ID: in.ID, Lat: *in.Location.Latitude, Lon: *in.Location.Longitude,
		Name: in.Name, Facets: facetsOf(in.Record, s.today()),
	})
}

// refreshMap brings one initiative's place on the map up to date after a
// write. Should the read fail, the next Sync repairs it.
func (s *Service) refreshMap(ctx context.Context, id int64) {
	if s.Map == nil {
		return
	}
	if in, err := load(ctx, s.DB, id); err == nil {
		s.mapPut(in)
	}
}

// MapLoadRange is how many IDs LoadMap gives each reader at least: below
// that, one reader is quicker than starting several. (A variable so that
// a test can lower it.)
var MapLoadRange = 100_000

// LoadMap builds the map index from the database and returns the time the
// read began, to pass to Sync.
func (s *Service) LoadMap(ctx context.Context) (time.Time, error) {
	start := s.Now.Time()
	// The generation first: a bulk write that commits while the points are
	// read moves it past this, and the next Sync rebuilds again.
	gen, err := mapGeneration(ctx, s.DB)
	if err != nil {
		return start, err
	}
	// Both engines hand over rows one at a time, on one core: 3 M rows
	// took 2.6 to 4 s on SQLite. So the IDs are cut into as many ranges
	// as there are cores, each read on a connection of its own. Rows that
	// change while they are read are brought in by the next Sync, which
	// looks back to before start.
	var top int64
	if err := s.DB.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM initiatives`).Scan(&top); err != nil {
		return start, err
	}
	parts := max(1, min(runtime.GOMAXPROCS(0), 4, int(top/int64(max(MapLoadRange, 1)))))
	ranges := make([][][]mapindex.Point, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for k := range parts {
		lo, hi := top*int64(k)/int64(parts), top*int64(k+1)/int64(parts)
		wg.Go(func() {
			// In chunks, joined once at the end: appending millions of
			// points to one slice copies them over and over as it grows
			// (3 M points: a second and a half of a five-second start).
			const chunk = 1 << 16
			var chunks [][]mapindex.Point
			errs[k] = s.eachMapped(ctx, "i.status = 'published' AND i.latitude IS NOT NULL AND i.id > ? AND i.id <= ?", []any{lo, hi}, true,
				func(p mapindex.Point, _ Status, _ bool) {
					if len(chunks) == 0 || len(chunks[len(chunks)-1]) == chunk {
						chunks = append(chunks, make([]mapindex.Point, 0, chunk))
					}
					chunks[len(chunks)-1] = append(chunks[len(chunks)-1], p)
				})
			ranges[k] = chunks
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return start, err
	}
	n := 0
	for _, chunks := range ranges {
		for _, c := range chunks {
			n += len(c)
		}
	}
	points := make([]mapindex.Point, 0, n)
	for _, chunks := range ranges {
		for i, c := range chunks {
			points = append(points, c...)
			chunks[i] = nil
		}
	}
	s.Map.Build(points)
	s.ids.forget()
	s.mapGen.Store(gen)
	s.synced.Store(s.Now.Millis())
	return start, nil
}

// syncOverlap is how far back Sync looks before the last time it ran: a
// transaction that began earlier may commit later, and reading a change
// twice does no harm.
const syncOverlap = time.Minute

// Sync applies to the map index what changed in the database since since
// (from any process), and returns the time to pass next.
func (s *Service) Sync(ctx context.Context, since time.Time) (time.Time, error) {
	gen, err := mapGeneration(ctx, s.DB)
	if err != nil {
		return since, err
	}
	if gen != s.mapGen.Load() {
		return s.LoadMap(ctx)
	}
	start := s.Now.Time()
	from, err := changedFrom(ctx, s.DB, since.Add(-syncOverlap))
	if err != nil {
		return since, err
	}
	err = s.eachMapped(ctx, "i.updated_at >= ?", []any{from.UnixMilli()}, false, func(p mapindex.Point, st Status, placed bool) {
		s.ids.touch(p.ID)
		if st == Published && placed {
			s.Map.Put(p)
		} else {
			s.Map.Remove(p.ID)
		}
	})
	if err != nil {
		return since, err
	}
	s.synced.Store(s.Now.Millis())
	return start, nil
}

// changedFrom is the updated_at from which the rows changed at t or later
// are: t itself, unless an import committed at t or later that began
// before t. An import gives its rows the time it began (they are written
// before its end), so a reader who last looked while it ran, and asks for
// what changed since then, must look back to its start.
func changedFrom(ctx context.Context, q store.Querier, t time.Time) (time.Time, error) {
	var began sql.NullInt64
	err := q.QueryRow(ctx, `SELECT MIN(began_at) FROM initiative_imports WHERE committed_at >= ? AND began_at < ?`,
		t.UnixMilli(), t.UnixMilli()).Scan(&began)
	if err != nil || !began.Valid {
		return t, err
	}
	return store.Time(began.Int64), nil
}

// MapBehind is how long ago this process's map index was last brought in
// step with the database: readiness says "not ready" when it falls far
// behind (the database unreachable for the follower, say).
func (s *Service) MapBehind() time.Duration {
	at := s.synced.Load()
	if at == 0 {
		return 0 // never loaded: a process without a map (the CLI)
	}
	return s.Now.Time().Sub(store.Time(at))
}

// mapGeneration reads the generation of the map's data.
func mapGeneration(ctx context.Context, q store.Querier) (int64, error) {
	var gen int64
	err := q.QueryRow(ctx, `SELECT generation FROM atlas_map_state WHERE id = 1`).Scan(&gen)
	return gen, err
}

// moveMapGeneration tells every process to rebuild its map index once tx
// commits: for bulk writes, which Sync's look back may not cover.
func moveMapGeneration(ctx context.Context, tx store.Querier) error {
	_, err := tx.Exec(ctx, `UPDATE atlas_map_state SET generation = generation + 1 WHERE id = 1`)
	return err
}

// eachMapped reads initiatives as map points without decoding their JSON:
// name, position and the facet columns, in ID order. Only a row whose
// needs or offers have ended since it was written (facets_until has
// passed) is decoded, to count what still stands. placed is false for a
// row without a position, which Sync takes off the map. all says cond
// asks for every published row, which the covering index holds.
func (s *Service) eachMapped(ctx context.Context, cond string, args []any, all bool, fn func(p mapindex.Point, status Status, placed bool)) error {
	today := s.today()
	// Only columns of the covering index initiatives_map, so that SQLite
	// reads the index and not every row's JSON. With statistics, SQLite
	// may rather find the published rows through initiatives_review and
	// then each row in the table, one seek a row (3 M rows: 8 s against
	// 2 s), so it is told.
	from := "initiatives i"
	if all && s.DB.Engine() == store.SQLite {
		from = "initiatives i INDEXED BY initiatives_map"
	}
	rows, err := s.DB.Query(ctx, `SELECT i.id, i.status, i.name, i.latitude, i.longitude, i.district, i.legal_form, i.principles,
		i.sector_bits, i.need_bits, i.offer_bits, i.facets_until
		FROM `+from+` WHERE `+cond+` ORDER BY i.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var stale []staleFacets
	for rows.Next() {
		// Destinations of database/sql's own kinds (string, int64,
		// NullFloat64, RawBytes), which it fills without reflection: at
		// 3 M rows that is seconds at every start. Only the name is kept,
		// so only the name is a new string: the garbage of four more a
		// row made a new process's first load half as long again.
		var (
			p                                  mapindex.Point
			status, district, legalForm, until sql.RawBytes
			lat, lon                           sql.NullFloat64
			principles, sectors, needs, offers int64
		)
		if err := rows.Scan(&p.ID, &status, &p.Name, &lat, &lon, &district, &legalForm, &principles,
			&sectors, &needs, &offers, &until); err != nil {
			return err
		}
		placed := lat.Valid && lon.Valid
		if placed {
			p.Lat, p.Lon = lat.Float64, lon.Float64
		}
		p.Facets = mapindex.Facets{Sectors: uint64(sectors), Needs: uint32(needs), Offers: uint32(offers), Principles: uint8(principles),
			LegalForm: position(LegalForms, string(legalForm)), District: position(Districts, string(district))}
		st := statusOf(status)
		if len(until) > 0 && string(until) <= today {
			// A need or offer has ended since the row was written: its
			// record says what still stands, after this read.
			stale = append(stale, staleFacets{p, st, placed})
			continue
		}
		fn(p, st, placed)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	for _, st := range stale {
		var data string
		if err := s.DB.QueryRow(ctx, `SELECT data FROM initiatives WHERE id = ?`, st.p.ID).Scan(&data); err != nil {
			return err
		}
		var r Record
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return err
		}
		st.p.Facets = facetsOf(r, today)
		fn(st.p, st.status, st.placed)
	}
	return nil
}

// statusOf is the Status read as bytes, without making a string of it.
func statusOf(b []byte) Status {
	for _, st := range []Status{Published, Pending, Rejected, Archived, Merged} {
		if string(st) == string(b) {
			return st
		}
	}
	return Status(b)
}

// staleFacets is a map point whose needs and offers are counted again.
type staleFacets struct {
	p      mapindex.Point
	status Status
	placed bool
}
