package atlas

import (
	"context"
	"encoding/json"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
)

// ImportReport counts what an import did with the rows of a file.
type ImportReport struct {
	Created   int // new initiatives, published
	Updated   int // existing initiatives that got a new accepted revision
	Unchanged int // rows that matched an initiative exactly
}

const (
	// importBatch is how many initiatives an import writes per round of
	// multi-row statements.
	importBatch = 200
	// maxArgs bounds the parameters of one statement, well below both
	// engines' limits (SQLite 32766, PostgreSQL 65535).
	maxArgs = 4000
	// indexArgs is how many parameters of search terms an import gathers
	// before writing them to SQLite's full-text index in one statement:
	// every portion becomes a segment of the index that FTS5 merges with
	// others later, so fewer, larger ones cost less.
	indexArgs = 30000
	// MapRebuildAbove is the number of changed initiatives above which an
	// import rebuilds the map index instead of putting them in one by one.
	MapRebuildAbove = 5000
	// importNote is the note of the revisions an import makes.
	importNote = "import"
)

// Import brings rows read from a file (ReadCSV, ReadGeoJSON) into the
// atlas. Only moderators and stewards import; u nil is the command line,
// which may, and is recorded as the system.
//
// Every row is checked first, as a proposal would be; if any is wrong,
// nothing is imported and the error is a problem.Invalid whose fields are
// keyed "line N: field" with Validate's codes (RowProblems lists them).
// Two rows with the same source and source_id are both named
// ("source_id.duplicate"); a row naming an initiative that moderators
// rejected or merged is refused ("source_id.not_editable").
//
// Then all rows are written in one transaction. A row whose source and
// source_id match an initiative updates it with an accepted revision by u
// (a pending initiative is published, even when the row is the same; an
// archived one stays archived), or leaves it alone when nothing changed.
// A row without a source_id that is exactly like a published initiative
// without one counts as unchanged, so that importing a file twice changes
// nothing. Any other row becomes a new, published initiative with an
// accepted revision. The open formats never carry the contact e-mail
// address, so an update keeps the one the initiative has.
//
// Import tidies the rows' records in place (Normalize).
//
// The rows are written with multi-row statements, a batch at a time,
// while the next batch is prepared (JSON, search terms) on another core:
// this stores what Service.write stores, but in a fraction of the
// statements, and it keeps SQLite's full-text index from flushing once per
// row. TestImportStoresWhatProposeStores holds the two together.
func (s *Service) Import(ctx context.Context, u *account.User, rows []Row) (ImportReport, error) {
	if u != nil && !u.Role.AtLeast(account.Moderator) {
		return ImportReport{}, errNotModerator
	}
	if len(rows) == 0 {
		return ImportReport{}, nil
	}
	today, licence := s.today(), s.DataLicence()
	errs := make([]error, len(rows))
	parallel(len(rows), func(i int) {
		r := &rows[i].Record
		r.Normalize()
		if r.Licence == "" {
			r.Licence = licence
		}
		errs[i] = r.Validate(today)
	})
	fields := problem.Fields{}
	bySource := make(map[string]int) // source key → index of its row
	withoutSource := false
	for i := range rows {
		if p, ok := problem.As(errs[i]); ok {
			for f, code := range p.Fields {
				fields.Add(lineKey(rows[i].Line, f), code)
			}
		} else if errs[i] != nil {
			return ImportReport{}, errs[i]
		}
		r := &rows[i].Record
		if r.SourceID == "" {
			withoutSource = true
			continue
		}
		k := sourceKey(r.Source, r.SourceID)
		if j, dup := bySource[k]; dup {
			fields.Add(lineKey(rows[j].Line, "source_id"), "source_id.duplicate")
			fields.Add(lineKey(rows[i].Line, "source_id"), "source_id.duplicate")
			continue
		}
		bySource[k] = i
	}
	if err := fields.Err(); err != nil {
		return ImportReport{}, err
	}

	var res importResult
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = s.importTx(ctx, tx, u, rows, bySource, withoutSource)
		return err
	})
	if err != nil {
		return ImportReport{}, err
	}
	// Other processes follow changes by updated_at, looking back
	// syncOverlap before their last look; a long import commits rows
	// whose time lies further back, so they are given the time of the
	// commit.
	if s.Now.Time().Sub(res.now) > syncOverlap/2 {
		_, _ = s.DB.Exec(ctx, `UPDATE initiatives SET updated_at = ? WHERE updated_at = ?`, s.Now.Millis(), res.now.UnixMilli())
	}
	s.importedToMap(ctx, res)
	if res.rebuildMap {
		// Thousands of rows at once: fresh planner statistics now, not
		// when autovacuum comes round (at 300,000 rows full-text search's
		// p99 fell from 788 to 100 ms on PostgreSQL after it). Only an
		// optimisation: the import stands whatever ANALYZE says.
		_ = s.DB.RefreshStatistics(ctx, "initiatives", "initiative_sectors", "initiative_exchanges", "initiative_tools", "revisions")
	}
	return res.report, nil
}

// importResult is what an import's transaction did.
type importResult struct {
	report ImportReport
	// changed are the initiatives written, for the map index, unless
	// there are so many that rebuilding the index is quicker.
	changed    []Initiative
	rebuildMap bool
	now        time.Time // the time written as updated_at
}

// importStep is what an import does with one row.
type importStep struct {
	row    int
	id     int64
	revID  int64
	base   int64 // the revision the update follows; 0 for a new initiative
	status Status
	create bool
}

func (s *Service) importTx(ctx context.Context, tx *store.Tx, u *account.User, rows []Row, bySource map[string]int, withoutSource bool) (importResult, error) {
	var (
		res    importResult
		report = &res.report
	)
	existing, err := storedBySource(ctx, tx, bySource)
	if err != nil {
		return res, err
	}
	bad := problem.Fields{}
	for k, e := range existing {
		if e.Status == Rejected || e.Status == Merged {
			bad.Add(lineKey(rows[bySource[k]].Line, "source_id"), "source_id.not_editable")
		}
	}
	if err := bad.Err(); err != nil {
		return res, err
	}
	var same map[string][]int64
	if withoutSource {
		if same, err = publishedWithoutSource(ctx, tx); err != nil {
			return res, err
		}
	}

	// Decide for every row, then take the IDs the new rows need at once.
	var plan []importStep
	for i := range rows {
		rec := &rows[i].Record
		if rec.SourceID == "" {
			if len(same) > 0 {
				k, err := contentKey(*rec)
				if err != nil {
					return res, err
				}
				if ids := same[k]; len(ids) > 0 {
					same[k] = ids[1:]
					report.Unchanged++
					continue
				}
			}
		} else if e, ok := existing[sourceKey(rec.Source, rec.SourceID)]; ok {
			if rec.Contact.Email == "" {
				rec.Contact.Email = e.Contact.Email
			}
			if e.Status != Pending && reflect.DeepEqual(e.Record, *rec) {
				report.Unchanged++
				continue
			}
			status := e.Status
			if status == Pending {
				status = Published
			}
			plan = append(plan, importStep{row: i, id: e.ID, base: e.RevisionID, status: status})
			report.Updated++
			continue
		}
		plan = append(plan, importStep{row: i, status: Published, create: true})
		report.Created++
	}
	ids, err := reserveIDs(ctx, tx, "initiatives", report.Created)
	if err != nil {
		return res, err
	}
	revIDs, err := reserveIDs(ctx, tx, "revisions", len(plan))
	if err != nil {
		return res, err
	}
	res.rebuildMap = len(plan) > MapRebuildAbove
	if res.rebuildMap {
		// Every process rebuilds its map once this commits, however
		// long the import took (mapsync.go).
		if err := moveMapGeneration(ctx, tx); err != nil {
			return res, err
		}
	}
	for i := range plan {
		if plan[i].create {
			plan[i].id, ids = ids[0], ids[1:]
		}
		plan[i].revID = revIDs[i]
		if s.Map != nil && !res.rebuildMap {
			res.changed = append(res.changed, Initiative{ID: plan[i].id, Status: plan[i].status, Record: rows[plan[i].row].Record})
		}
	}

	// Write batch after batch, preparing the next one on another core.
	res.now = s.Now.Time()
	w := importWriter{tx: tx, now: res.now.UnixMilli(), today: res.now.UTC().Format(time.DateOnly)}
	if u != nil {
		w.actor = u.ID
	}
	if tx.Engine() == store.SQLite {
		// A large import modifies more pages than SQLite's default cache
		// holds (2 MiB); spilling them to the log mid-transaction costs
		// more than the memory.
		var size int64
		if err := tx.QueryRow(ctx, `PRAGMA cache_size`).Scan(&size); err != nil {
			return res, err
		}
		if len(plan) > importBatch {
			if _, err := tx.Exec(ctx, `PRAGMA cache_size = -131072`); err != nil {
				return res, err
			}
			defer tx.Exec(ctx, `PRAGMA cache_size = `+strconv.FormatInt(size, 10))
		}
	}
	batches := make(chan preparedBatch, 1)
	done := make(chan struct{})
	var producer sync.WaitGroup
	defer producer.Wait()
	defer close(done)
	producer.Go(func() {
		defer close(batches)
		cache := newStemCache()
		for start := 0; start < len(plan); start += importBatch {
			b := prepareBatch(tx.Engine(), rows, plan[start:min(start+importBatch, len(plan))], cache)
			select {
			case batches <- b:
			case <-done:
				return
			}
		}
	})
	for b := range batches {
		if err := w.write(ctx, rows, b); err != nil {
			return res, err
		}
	}
	if err := w.flushIndex(ctx); err != nil { // SQLite's search terms
		return res, err
	}
	err = audit.Record(ctx, tx, "initiative.import", "initiative", "", map[string]any{
		"rows": len(rows), "created": report.Created, "updated": report.Updated, "unchanged": report.Unchanged,
	})
	return res, err
}

// preparedBatch is a batch of steps with their records' JSON and, on
// SQLite, search terms.
type preparedBatch struct {
	steps []importStep
	data  []string
	terms []string
	err   error
}

func prepareBatch(e store.Engine, rows []Row, steps []importStep, cache *stemCache) preparedBatch {
	b := preparedBatch{steps: steps, data: make([]string, len(steps))}
	if e == store.SQLite {
		b.terms = make([]string, len(steps))
	}
	for i, st := range steps {
		rec := rows[st.row].Record
		data, err := json.Marshal(rec)
		if err != nil {
			b.err = err
			return b
		}
		b.data[i] = string(data)
		if b.terms != nil && st.status == Published {
			b.terms[i] = cache.indexTerms(rec)
		}
	}
	return b
}

// stemCache remembers the stems of the words an import has seen: the
// words of a directory repeat a lot, and stemming is most of the work of
// preparing a row.
type stemCache struct {
	stems map[string][2]string // word → its stems, with indexTerms' "s" prefix
	seen  map[string]bool
}

func newStemCache() *stemCache {
	return &stemCache{stems: map[string][2]string{}, seen: map[string]bool{}}
}

// indexTerms is indexTerms (terms.go) with the cache; the two must give
// the same terms, which TestImportStoresWhatProposeStores checks through
// search.
func (c *stemCache) indexTerms(r Record) string {
	var b strings.Builder
	clear(c.seen)
	add := func(t string) {
		if t != "" && !c.seen[t] {
			c.seen[t] = true
			b.WriteString(t)
			b.WriteByte(' ')
		}
	}
	for _, w := range words(searchText(r)) {
		st, ok := c.stems[w]
		if !ok {
			if len(c.stems) > 1<<20 {
				clear(c.stems)
			}
			nl, en := stems(w)
			st = [2]string{"s" + nl, "s" + en}
			c.stems[w] = st
		}
		add(w)
		add(st[0])
		add(st[1])
	}
	return b.String()
}

// importWriter writes batches of imported initiatives: the same rows,
// columns and search index as Service.write, with multi-row statements.
type importWriter struct {
	tx    *store.Tx
	now   int64
	today string // for the facet columns: needs and offers still current
	actor any    // nil: the system
	// terms waits to go into SQLite's full-text index: FTS5 writes what
	// it holds as a new segment at every later statement, so it is fed
	// in large portions.
	terms []any
}

// pgSearch is the search vector Service.reindex writes on PostgreSQL, of
// the name, the name and the search text twice.
const pgSearch = `setweight(to_tsvector('dutch', ?), 'A') || setweight(to_tsvector('english', ?), 'A') ||
	to_tsvector('dutch', ?) || to_tsvector('english', ?)`

func (w *importWriter) write(ctx context.Context, rows []Row, b preparedBatch) error {
	if b.err != nil {
		return b.err
	}
	tx := w.tx
	pg := tx.Engine() == store.Postgres
	var (
		created, revisions, sectors, exchanges, tools []any
		updated                                       []any // IDs
	)
	for i, st := range b.steps {
		rec := &rows[st.row].Record
		var lat, lon any
		if rec.Location.HasPoint() {
			lat, lon = *rec.Location.Latitude, *rec.Location.Longitude
		}
		args := append(append([]any{st.status, rec.Name, b.data[i], st.revID, lat, lon}, facetColumns(*rec, w.today)...),
			rec.Source, rec.SourceID)
		switch {
		case st.create:
			created = append(append(append(created, st.id), args...), w.actor, w.now, w.now, w.now)
			if pg {
				text := searchText(*rec)
				created = append(created, rec.Name, rec.Name, text, text)
			}
		default:
			// An update also confirms the entry, as an edit does. On
			// PostgreSQL the search vector is part of the row.
			search := ""
			if pg {
				search = ", search = NULL"
				if st.status == Published {
					search = ", search = " + pgSearch
					text := searchText(*rec)
					args = append(args, rec.Name, rec.Name, text, text)
				}
			}
			if _, err := tx.Exec(ctx, `UPDATE initiatives SET status = ?, name = ?, data = ?, revision_id = ?, latitude = ?, longitude = ?,
				`+facetAssignments+`, source = ?, source_id = ?`+search+`,
				updated_at = ?, confirmed_at = ?, review_stage = 0 WHERE id = ?`, append(args, w.now, w.now, st.id)...); err != nil {
				return err
			}
			updated = append(updated, st.id)
		}
		var base any
		if st.base != 0 {
			base = st.base
		}
		revisions = append(revisions, st.revID, st.id, base, b.data[i], importNote, w.actor, RevisionAccepted, w.actor, w.now, w.now)
		for _, sec := range rec.Sectors {
			sectors = append(sectors, st.id, sec)
		}
		for _, key := range ToolKeys(rec.Tools) {
			tools = append(tools, st.id, key)
		}
		for _, dir := range []struct {
			name string
			list []Exchange
		}{{"need", rec.Needs}, {"offer", rec.Offers}} {
			for _, e := range dir.list {
				exchanges = append(exchanges, st.id, dir.name, e.Kind, e.Until)
			}
		}
	}
	const columns = `INSERT INTO initiatives (id, status, name, data, revision_id, latitude, longitude, ` + facetColumnNames + `,
		source, source_id, created_by, created_at, updated_at, confirmed_at`
	var err error
	if pg {
		err = insertRows(ctx, tx, columns+`, search)`, "("+marks(20)+", "+pgSearch+")", 24, created, maxArgs)
	} else {
		err = insertMany(ctx, tx, columns+`)`, 20, created)
	}
	if err != nil {
		return err
	}
	if len(updated) > 0 {
		for _, table := range []string{"initiative_sectors", "initiative_exchanges", "initiative_tools"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE initiative_id IN (`+marks(len(updated))+`)`, updated...); err != nil {
				return err
			}
		}
	}
	if err := insertMany(ctx, tx, `INSERT INTO revisions (id, initiative_id, base_id, data, note, author_id, state, reviewer_id, reviewed_at, created_at)`,
		10, revisions); err != nil {
		return err
	}
	if err := insertMany(ctx, tx, `INSERT INTO initiative_sectors (initiative_id, sector)`, 2, sectors); err != nil {
		return err
	}
	if err := insertMany(ctx, tx, `INSERT INTO initiative_exchanges (initiative_id, direction, kind, until)`, 4, exchanges); err != nil {
		return err
	}
	if err := insertMany(ctx, tx, `INSERT INTO initiative_tools (initiative_id, tool)`, 2, tools); err != nil {
		return err
	}
	if pg {
		return nil
	}
	return w.index(ctx, b, updated)
}

// index puts the batch's published records into SQLite's search index and
// takes the others out, as Service.reindex does.
func (w *importWriter) index(ctx context.Context, b preparedBatch, updated []any) error {
	if len(updated) > 0 {
		if _, err := w.tx.Exec(ctx, `DELETE FROM initiative_search WHERE rowid IN (`+marks(len(updated))+`)`, updated...); err != nil {
			return err
		}
	}
	for i, st := range b.steps {
		if st.status == Published {
			w.terms = append(w.terms, st.id, b.terms[i])
		}
	}
	if len(w.terms) >= indexArgs-2*importBatch {
		return w.flushIndex(ctx)
	}
	return nil
}

// flushIndex writes the search terms that wait.
func (w *importWriter) flushIndex(ctx context.Context) error {
	err := insertMany(ctx, w.tx, `INSERT INTO initiative_search (rowid, terms)`, 2, w.terms, indexArgs)
	clear(w.terms) // let the strings go
	w.terms = w.terms[:0]
	return err
}

// insertMany runs head VALUES (…), (…), … over args, width values a row,
// in as few statements as the parameter limit (maxArgs unless given)
// allows.
func insertMany(ctx context.Context, tx *store.Tx, head string, width int, args []any, limit ...int) error {
	most := maxArgs
	if len(limit) > 0 {
		most = limit[0]
	}
	return insertRows(ctx, tx, head, "("+marks(width)+")", width, args, most)
}

// insertRows is insertMany with a row of expressions of its own, holding
// width parameters.
func insertRows(ctx context.Context, tx *store.Tx, head, row string, width int, args []any, most int) error {
	for len(args) > 0 {
		n := min(len(args)/width, most/width)
		if _, err := tx.Exec(ctx, head+" VALUES "+strings.Repeat(row+", ", n-1)+row, args[:n*width]...); err != nil {
			return err
		}
		args = args[n*width:]
	}
	return nil
}

// reserveIDs takes n new IDs for table (initiatives or revisions), in
// increasing order. On SQLite the transaction holds the write lock, so
// the next n after the highest ever given are free (AUTOINCREMENT never
// gives one twice, and writing them moves its counter on); on PostgreSQL
// they come from the table's sequence.
func reserveIDs(ctx context.Context, tx *store.Tx, table string, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	if tx.Engine() == store.Postgres {
		ids, err := store.IDs(ctx, tx, `SELECT nextval(pg_get_serial_sequence('`+table+`', 'id')) FROM generate_series(1, CAST(? AS INTEGER))`, n)
		slices.Sort(ids)
		return ids, err
	}
	ids := make([]int64, 0, n)
	var last int64
	if err := tx.QueryRow(ctx, `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0),
		COALESCE((SELECT MAX(id) FROM `+table+`), 0))`, table).Scan(&last); err != nil {
		return nil, err
	}
	for i := range n {
		ids = append(ids, last+1+int64(i))
	}
	return ids, nil
}

// parallel calls fn for 0 … n-1 on all cores.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/64+1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// importedToMap brings the map index up to date after an import: point by
// point for a few changes, rebuilt from the database for many. Should the
// rebuild fail, the next Sync picks the changes up (they are all newer
// than its last run).
func (s *Service) importedToMap(ctx context.Context, res importResult) {
	if s.Map == nil {
		return
	}
	if res.rebuildMap {
		_, _ = s.LoadMap(ctx)
		return
	}
	for _, in := range res.changed {
		s.mapPut(in)
	}
}

func sourceKey(source, id string) string { return source + "\x00" + id }

// storedBySource reads the initiatives whose source and source_id a row of
// the import names, in one pass over those that have a source_id.
func storedBySource(ctx context.Context, tx *store.Tx, wanted map[string]int) (map[string]Initiative, error) {
	out := map[string]Initiative{}
	if len(wanted) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, `SELECT id, status, source, source_id, data, COALESCE(revision_id, 0) FROM initiatives WHERE source_id <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			in               Initiative
			source, sourceID string
			data             []byte
		)
		if err := rows.Scan(&in.ID, &in.Status, &source, &sourceID, &data, &in.RevisionID); err != nil {
			return nil, err
		}
		k := sourceKey(source, sourceID)
		if _, ok := wanted[k]; !ok {
			continue
		}
		if err := json.Unmarshal(data, &in.Record); err != nil {
			return nil, err
		}
		in.Record = normalized(in.Record)
		out[k] = in
	}
	return out, rows.Err()
}

// publishedWithoutSource indexes the published initiatives that have no
// source_id by their content, for recognising rows imported before.
func publishedWithoutSource(ctx context.Context, tx *store.Tx) (map[string][]int64, error) {
	rows, err := tx.Query(ctx, `SELECT id, data FROM initiatives WHERE status = 'published' AND source_id = '' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var (
			id   int64
			data []byte
			rec  Record
		)
		if err := rows.Scan(&id, &data); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(data, &rec); err != nil {
			return nil, err
		}
		k, err := contentKey(normalized(rec))
		if err != nil {
			return nil, err
		}
		out[k] = append(out[k], id)
	}
	return out, rows.Err()
}

// contentKey is a normalised record without its contact e-mail (which no
// export carries), as a string to compare.
func contentKey(r Record) (string, error) {
	r.Contact.Email = ""
	b, err := json.Marshal(r)
	return string(b), err
}
