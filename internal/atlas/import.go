package atlas

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5/pgtype"

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
	// importBatch is how many initiatives an import prepares and writes
	// at a time on SQLite, in INSERTs of as many rows as maxArgs allows;
	// pgImportBatch on PostgreSQL, a COPY a table. Each statement ends
	// with PostgreSQL checking its rows' foreign keys while samen waits,
	// and then samen starts the next while PostgreSQL waits: at 2,000
	// rows a batch the import of 200,000 took about 3 s less than at 500.
	// SQLite's writes pause for nothing, and its import is near 450 MB
	// already (page cache, full-text buffer), so there batches stay small.
	importBatch   = 500
	pgImportBatch = 2000
	// maxArgs bounds the parameters of one statement, well below both
	// engines' limits (SQLite 32766, PostgreSQL 65535).
	maxArgs = 10000
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
// statements. TestImportStoresWhatProposeStores holds the two together.
func (s *Service) Import(ctx context.Context, u *account.User, rows []Row) (ImportReport, error) {
	return s.importRows(ctx, u, func(fn func(*Row) error) error {
		for i := range rows {
			if err := fn(&rows[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// ImportFrom is Import for a file too large to hold in memory (the
// command line's): read hands fn every row of the file, as EachCSV and
// EachGeoJSON do; its error is returned as ReadCSV's would be. ImportFrom
// reads the file once, keeping only the batch of rows it is writing and
// the rows' sources (for duplicates).
func (s *Service) ImportFrom(ctx context.Context, u *account.User, read func(fn func(Row) error) error) (ImportReport, error) {
	return s.importRows(ctx, u, func(fn func(*Row) error) error {
		return read(func(r Row) error { return fn(&r) })
	})
}

// importRows is Import over the rows that each hands over.
func (s *Service) importRows(ctx context.Context, u *account.User, each func(fn func(*Row) error) error) (ImportReport, error) {
	if u != nil && !u.Role.AtLeast(account.Moderator) {
		return ImportReport{}, errNotModerator
	}
	var res importResult
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = s.importTx(ctx, tx, u, each)
		return err
	})
	if err != nil {
		return ImportReport{}, err
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
	rec    Record
	id     int64 // 0 for a new initiative, until its ID is taken
	revID  int64
	base   int64 // the revision the update follows; 0 for a new initiative
	status Status
	data   string          // the record as JSON
	terms  string          // SQLite's search terms, for a published record
	vector pgtype.TSVector // PostgreSQL's search vector, for a published record
}

// importTx imports in tx. The rows are read once, a chunk at a time:
// tidied and checked on all cores, looked up among the initiatives
// stored, decided on and prepared (IDs, JSON, search terms, the rows of
// every table), all while the batch before is written. Once a row is
// wrong nothing more is written, but every row is still checked, so that
// the error names them all, and the transaction is rolled back.
func (s *Service) importTx(ctx context.Context, tx *store.Tx, u *account.User, each func(fn func(*Row) error) error) (importResult, error) {
	var res importResult
	today, licence := s.today(), s.DataLicence()
	tidy := func(r *Record) error {
		r.Normalize()
		if r.Licence == "" {
			r.Licence = licence
		}
		return r.Validate(today)
	}
	res.now = s.Now.Time()
	w := importWriter{tx: tx, maps: s.Map != nil}
	p := batchMaker{engine: tx.Engine(), existing: map[string]stored{}, cache: newStemCache(),
		now: res.now.UnixMilli(), today: res.now.UTC().Format(time.DateOnly), batchRows: importBatch}
	if tx.Engine() == store.Postgres {
		p.batchRows = pgImportBatch
	}
	if u != nil {
		p.actor = u.ID
	}
	var err error
	if p.ids, err = newIDSource(ctx, tx, s.DB); err != nil {
		return res, err
	}
	if err := tx.BulkPlans(ctx); err != nil {
		return res, err
	}

	batches := make(chan preparedBatch, 1)
	done := make(chan struct{})
	var (
		producer sync.WaitGroup
		report   ImportReport
		rows     int
		readErr  error
	)
	defer producer.Wait()
	defer close(done)
	producer.Go(func() {
		defer close(batches)
		p.report = &report
		send := func() error {
			if len(p.steps) == 0 {
				return nil
			}
			b, err := p.batch(ctx)
			if err != nil {
				return err
			}
			select {
			case batches <- b:
				return nil
			case <-done:
				return context.Canceled
			}
		}
		var (
			fields   = problem.Fields{}
			bySource = make(map[string]int) // source key → line of its row
			chunk    = make([]*Row, 0, 1024)
			errs     = make([]error, cap(chunk))
		)
		check := func() error {
			defer func() {
				clear(chunk)
				chunk = chunk[:0]
			}()
			parallel(len(chunk), func(i int) { errs[i] = tidy(&chunk[i].Record) })
			wanted := map[string]int{} // source keys not seen before → line
			for i, row := range chunk {
				if prob, ok := problem.As(errs[i]); ok {
					for f, code := range prob.Fields {
						fields.Add(lineKey(row.Line, f), code)
					}
				} else if errs[i] != nil {
					return errs[i]
				}
				r := &row.Record
				if r.SourceID == "" {
					continue
				}
				k := sourceKey(r.Source, r.SourceID)
				if line, dup := bySource[k]; dup {
					fields.Add(lineKey(line, "source_id"), "source_id.duplicate")
					fields.Add(lineKey(row.Line, "source_id"), "source_id.duplicate")
					continue
				}
				bySource[k], wanted[k] = row.Line, row.Line
			}
			existing, err := s.storedBySource(ctx, wanted)
			if err != nil {
				return err
			}
			for k, e := range existing {
				if e.status == Rejected || e.status == Merged {
					fields.Add(lineKey(wanted[k], "source_id"), "source_id.not_editable")
				}
				p.existing[k] = e
			}
			if len(fields) > 0 {
				return nil // checked, not written
			}
			for _, row := range chunk {
				if row.Record.SourceID == "" && p.same == nil {
					if p.same, err = publishedWithoutSource(ctx, s.DB); err != nil {
						return err
					}
				}
				if err := p.add(&row.Record); err != nil {
					return err
				}
				if len(p.steps) == p.batchRows {
					if err := send(); err != nil {
						return err
					}
				}
			}
			return nil
		}
		readErr = each(func(r *Row) error {
			rows++
			if chunk = append(chunk, r); len(chunk) == cap(chunk) {
				return check()
			}
			return nil
		})
		if readErr == nil {
			readErr = check()
		}
		if readErr == nil {
			readErr = fields.Err()
		}
		if readErr == nil {
			readErr = send()
		}
	})
	for b := range batches {
		if w.batches == 0 && tx.Engine() == store.SQLite {
			// More to come when the first batch is full.
			restore, err := sqliteForBulk(ctx, tx, b.rows == p.batchRows)
			if err != nil {
				return res, err
			}
			defer restore()
		}
		if err := w.write(ctx, b); err != nil {
			return res, err
		}
	}
	producer.Wait()
	if readErr != nil {
		return res, readErr
	}
	if rows == 0 {
		return res, nil
	}
	res.report = report
	if err := w.index(ctx, 0); err != nil { // SQLite's last search terms
		return res, err
	}
	res.changed = w.changed
	if res.rebuildMap = w.written > MapRebuildAbove; res.rebuildMap {
		// Every process rebuilds its map once this commits, however
		// long the import took (mapsync.go).
		res.changed = nil
		if err := moveMapGeneration(ctx, tx); err != nil {
			return res, err
		}
	}
	if err := audit.Record(ctx, tx, "initiative.import", "initiative", "", map[string]any{
		"rows": rows, "created": report.Created, "updated": report.Updated, "unchanged": report.Unchanged,
	}); err != nil {
		return res, err
	}
	if w.written > 0 {
		// The rows carry res.now but show from the commit, maybe minutes
		// later: readers of the changes since a moment in between look
		// back to res.now (changedFrom). The last statement, so that
		// committed_at is the commit's time give or take the commit.
		_, err = tx.Exec(ctx, `INSERT INTO initiative_imports (began_at, committed_at) VALUES (?, ?)`, p.now, s.Now.Millis())
	}
	return res, err
}

// sqliteForBulk sets SQLite up for an import and returns what puts it
// back: a table for the search terms, which go into the full-text index
// at the end in one statement, and for a large import a larger page cache
// and a larger buffer of the index.
func sqliteForBulk(ctx context.Context, tx *store.Tx, large bool) (func(), error) {
	var undo []string
	restore := func() {
		for _, q := range slices.Backward(undo) {
			_, _ = tx.Exec(ctx, q)
		}
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_terms (id INTEGER PRIMARY KEY, terms TEXT NOT NULL)`); err != nil {
		return nil, err
	}
	undo = append(undo, `DROP TABLE temp.import_terms`)
	if !large {
		return restore, nil
	}
	// A large import modifies more pages than SQLite's default cache
	// holds (2 MiB); spilling them to the log mid-transaction costs more
	// than the memory.
	var size int64
	if err := tx.QueryRow(ctx, `PRAGMA cache_size`).Scan(&size); err != nil {
		restore()
		return nil, err
	}
	if _, err := tx.Exec(ctx, `PRAGMA cache_size = -131072`); err != nil {
		restore()
		return nil, err
	}
	undo = append(undo, `PRAGMA cache_size = `+strconv.FormatInt(size, 10))
	// FTS5 writes what it has gathered in memory as a new segment of the
	// index whenever that passes its hash size (1 MiB by default), and
	// merges segments as they pile up (automerge): at 200,000 rows,
	// hundreds of small segments, and more time merging them than
	// writing them took. The import writes a few large segments instead
	// and leaves them for later writes to merge.
	for _, set := range []struct {
		key  string
		def  int64 // FTS5's default
		bulk int64
	}{{"hashsize", 1 << 20, ftsHashSize}, {"automerge", 4, 0}} {
		old := set.def
		var v string
		switch err := tx.QueryRow(ctx, `SELECT v FROM initiative_search_config WHERE k = ?`, set.key).Scan(&v); {
		case err == nil:
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				old = n
			}
		case !errors.Is(err, sql.ErrNoRows):
			restore()
			return nil, err
		}
		q := `INSERT INTO initiative_search (initiative_search, rank) VALUES ('` + set.key + `', `
		if _, err := tx.Exec(ctx, q+strconv.FormatInt(set.bulk, 10)+`)`); err != nil {
			restore()
			return nil, err
		}
		undo = append(undo, q+strconv.FormatInt(old, 10)+`)`)
	}
	return restore, nil
}

const (
	// ftsHashSize is how much of the search index FTS5 gathers in
	// memory during a large import before writing it out as a segment.
	ftsHashSize = 64 << 20
	// indexRows is how many rows' search terms an import gathers before
	// putting them into the index: about ftsHashSize of it, so a segment.
	indexRows = 32768
)

// preparedBatch is a batch of rows ready to write: the values of the
// rows of each table, one row after another.
type preparedBatch struct {
	created   []any   // initiatives: new ones
	updates   [][]any // initiatives: the arguments of an UPDATE each
	updated   []any   // the IDs of the updated ones
	revisions []any
	sectors   []any
	exchanges []any
	tools     []any
	vectors   []any // PostgreSQL's search table
	terms     []any // SQLite's search terms, for temp.import_terms
	changed   []Initiative
	rows      int
}

// batchMaker decides what to do with each row and prepares the batches:
// everything but writing them, so that the import's connection is kept
// busy with the writing.
type batchMaker struct {
	engine    store.Engine
	existing  map[string]stored
	same      map[[sha256.Size]byte][]int64
	cache     *stemCache
	report    *ImportReport
	ids       *idSource
	batchRows int // rows a batch
	now       int64
	today     string // for the facet columns: needs and offers still current
	actor     any    // nil: the system
	steps     []importStep
	creates   int
	prepared  int // rows in the batches so far
}

func (p *batchMaker) add(rec *Record) error {
	st := importStep{status: Published}
	if rec.SourceID == "" {
		if len(p.same) > 0 {
			k, err := contentKey(*rec)
			if err != nil {
				return err
			}
			if ids := p.same[k]; len(ids) > 0 {
				p.same[k] = ids[1:]
				p.report.Unchanged++
				return nil
			}
		}
	} else if e, ok := p.existing[sourceKey(rec.Source, rec.SourceID)]; ok {
		if rec.Contact.Email == "" {
			rec.Contact.Email = e.email
		}
		data, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if e.status != Pending && sha256.Sum256(data) == e.sum {
			p.report.Unchanged++
			return nil
		}
		st.id, st.base, st.status, st.data = e.id, e.revisionID, e.status, string(data)
		if st.status == Pending {
			st.status = Published
		}
		p.report.Updated++
	}
	if st.id == 0 {
		p.creates++
		p.report.Created++
	}
	if st.data == "" {
		data, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		st.data = string(data)
	}
	switch {
	case st.status != Published:
	case p.engine == store.Postgres:
		st.vector = p.cache.pgVector(*rec)
	default:
		st.terms = p.cache.indexTerms(*rec)
	}
	st.rec = *rec
	p.steps = append(p.steps, st)
	return nil
}

// batch takes the steps added since the last batch and prepares their
// rows: the same rows, columns and search index as Service.write.
func (p *batchMaker) batch(ctx context.Context) (preparedBatch, error) {
	steps := p.steps
	p.steps = nil
	taken, err := p.ids.take(ctx, [2]int{p.creates, len(steps)})
	if err != nil {
		return preparedBatch{}, err
	}
	p.creates = 0
	ids, revIDs := taken[0], taken[1]
	b := preparedBatch{rows: len(steps)}
	for i := range steps {
		st := &steps[i]
		create := st.id == 0
		if create {
			st.id, ids = ids[0], ids[1:]
		}
		st.revID = revIDs[i]
		rec := &st.rec
		var lat, lon any
		if rec.Location.HasPoint() {
			lat, lon = *rec.Location.Latitude, *rec.Location.Longitude
		}
		args := append(append([]any{st.status, rec.Name, st.data, st.revID, lat, lon}, facetColumns(*rec, p.today)...),
			rec.Source, rec.SourceID)
		if create {
			b.created = append(append(append(b.created, st.id), args...), p.actor, p.now, p.now, p.now)
		} else {
			// An update also confirms the entry, as an edit does.
			b.updates = append(b.updates, append(args, p.now, p.now, st.id))
			b.updated = append(b.updated, st.id)
		}
		var base any
		if st.base != 0 {
			base = st.base
		}
		// The revision is the initiative's current version: it holds
		// no copy of the record until the initiative moves on.
		b.revisions = append(b.revisions, st.revID, st.id, base, "", importNote, p.actor, RevisionAccepted, p.actor, p.now, p.now)
		for _, sec := range rec.Sectors {
			b.sectors = append(b.sectors, st.id, sec)
		}
		for _, key := range ToolKeys(rec.Tools) {
			b.tools = append(b.tools, st.id, key)
		}
		for _, dir := range []struct {
			name string
			list []Exchange
		}{{"need", rec.Needs}, {"offer", rec.Offers}} {
			for _, e := range dir.list {
				b.exchanges = append(b.exchanges, st.id, dir.name, e.Kind, e.Until)
			}
		}
		switch {
		case st.status != Published:
		case p.engine == store.Postgres:
			b.vectors = append(b.vectors, st.id, st.vector)
		default:
			b.terms = append(b.terms, st.id, st.terms)
		}
		if p.prepared++; p.prepared <= MapRebuildAbove {
			b.changed = append(b.changed, Initiative{ID: st.id, Status: st.status, Record: *rec})
		}
	}
	return b, nil
}

// idSource hands out new IDs of initiatives and of revisions, in
// increasing order. On PostgreSQL they come from the tables' sequences,
// which stand outside transactions: the import takes them on another
// connection than its transaction's, while that one writes the batch
// before. On SQLite the import's transaction holds the write lock, so the
// IDs after the highest ever given are free (AUTOINCREMENT never gives one
// twice, and writing them moves its counter on).
type idSource struct {
	db   *store.DB // PostgreSQL
	next [2]int64  // SQLite: the next free ID of each table
}

// idTables are the tables an import takes new IDs of.
var idTables = [2]string{"initiatives", "revisions"}

func newIDSource(ctx context.Context, tx *store.Tx, db *store.DB) (*idSource, error) {
	if tx.Engine() == store.Postgres {
		return &idSource{db: db}, nil
	}
	var s idSource
	for i, table := range idTables {
		if err := tx.QueryRow(ctx, `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0),
			COALESCE((SELECT MAX(id) FROM `+table+`), 0)) + 1`, table).Scan(&s.next[i]); err != nil {
			return nil, err
		}
	}
	return &s, nil
}

// take takes n[0] IDs of initiatives and n[1] of revisions.
func (s *idSource) take(ctx context.Context, n [2]int) ([2][]int64, error) {
	var ids [2][]int64
	if s.db == nil {
		for t := range ids {
			for i := range n[t] {
				ids[t] = append(ids[t], s.next[t]+int64(i))
			}
			s.next[t] += int64(n[t])
		}
		return ids, nil
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		// This commit need not wait for the disk: the IDs are in the
		// database only once the import commits, which waits for the
		// log up to its commit, and so for the sequences' moves too.
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		for t, table := range idTables {
			if n[t] == 0 {
				continue
			}
			// The sequence is looked up once, not for every row (0.09
			// instead of 0.94 s for 200,000 IDs).
			var err error
			ids[t], err = store.IDs(ctx, tx, `SELECT nextval((SELECT CAST(pg_get_serial_sequence('`+table+`', 'id') AS regclass)))
				FROM generate_series(1, CAST(? AS INTEGER))`, n[t])
			if err != nil {
				return err
			}
			slices.Sort(ids[t])
		}
		return nil
	})
	return ids, err
}

// importWriter writes the prepared batches of an import, many rows a
// statement (COPY on PostgreSQL: writeRows).
type importWriter struct {
	tx      *store.Tx
	maps    bool // whether to keep the changed initiatives for the map
	batches int  // written so far
	written int
	changed []Initiative
	waiting int // search terms in temp.import_terms
}

func (w *importWriter) write(ctx context.Context, b preparedBatch) error {
	tx := w.tx
	if err := keepRevisions(ctx, tx, b.updated, 0); err != nil {
		return err
	}
	for _, args := range b.updates {
		if _, err := tx.Exec(ctx, `UPDATE initiatives SET status = ?, name = ?, data = ?, revision_id = ?, latitude = ?, longitude = ?,
			`+facetAssignments+`, source = ?, source_id = ?,
			updated_at = ?, confirmed_at = ?, review_stage = 0 WHERE id = ?`, args...); err != nil {
			return err
		}
	}
	if err := writeRows(ctx, tx, "initiatives", `id, status, name, data, revision_id, latitude, longitude, `+facetColumnNames+`,
		source, source_id, created_by, created_at, updated_at, confirmed_at`, b.created); err != nil {
		return err
	}
	if len(b.updated) > 0 {
		// Out of the search index too, as Service.reindex does; the
		// published ones go in again below (on SQLite, at the end).
		for _, table := range []string{"initiative_sectors", "initiative_exchanges", "initiative_tools", "initiative_search"} {
			key := "initiative_id"
			if table == "initiative_search" {
				key = searchKey(tx.Engine())
			}
			if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE `+key+` IN (`+marks(len(b.updated))+`)`, b.updated...); err != nil {
				return err
			}
		}
	}
	for _, t := range []struct {
		table, columns string
		rows           []any
	}{
		{"revisions", "id, initiative_id, base_id, data, note, author_id, state, reviewer_id, reviewed_at, created_at", b.revisions},
		{"initiative_sectors", "initiative_id, sector", b.sectors},
		{"initiative_exchanges", "initiative_id, direction, kind, until", b.exchanges},
		{"initiative_tools", "initiative_id, tool", b.tools},
		{"initiative_search", "id, search", b.vectors},
	} {
		if err := writeRows(ctx, tx, t.table, t.columns, t.rows); err != nil {
			return err
		}
	}
	if err := insertMany(ctx, tx, `INSERT INTO temp.import_terms (id, terms)`, 2, b.terms); err != nil {
		return err
	}
	w.waiting += len(b.terms) / 2
	w.batches++
	if w.written += b.rows; w.maps && w.written <= MapRebuildAbove {
		w.changed = append(w.changed, b.changed...)
	} else {
		w.changed = nil
	}
	return w.index(ctx, indexRows)
}

// index puts the search terms of the published records waiting in
// temp.import_terms into SQLite's full-text index, in one statement, once
// there are least of them (0: all there are). FTS5 writes what it has
// gathered as a segment of the index at the next statement of the
// transaction, whatever that is, so terms written batch by batch, between
// the batches' other statements, would make a small segment a batch (and
// merging those took longer than writing them).
func (w *importWriter) index(ctx context.Context, least int) error {
	if w.tx.Engine() != store.SQLite || w.waiting < max(least, 1) {
		return nil
	}
	if _, err := w.tx.Exec(ctx, `INSERT INTO initiative_search (rowid, terms) SELECT id, terms FROM temp.import_terms ORDER BY id`); err != nil {
		return err
	}
	w.waiting = 0
	_, err := w.tx.Exec(ctx, `DELETE FROM temp.import_terms`)
	return err
}

// writeRows writes rows into table: args are the values of columns (a
// list with commas), one row after another. PostgreSQL is given them with
// COPY, SQLite in INSERTs of as many rows as its parameters allow.
func writeRows(ctx context.Context, tx *store.Tx, table, columns string, args []any) error {
	if tx.Engine() == store.Postgres {
		return tx.Copy(ctx, table, strings.FieldsFunc(columns, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }), args)
	}
	return insertMany(ctx, tx, "INSERT INTO "+table+" ("+columns+")", strings.Count(columns, ",")+1, args)
}

// insertMany runs head VALUES (…), (…), … over args, width values a row,
// in as few statements as the parameter limit (maxArgs) allows.
func insertMany(ctx context.Context, tx *store.Tx, head string, width int, args []any) error {
	row := "(" + marks(width) + ")"
	for len(args) > 0 {
		n := min(len(args)/width, maxArgs/width)
		if _, err := tx.Exec(ctx, head+" VALUES "+strings.Repeat(row+", ", n-1)+row, args[:n*width]...); err != nil {
			return err
		}
		args = args[n*width:]
	}
	return nil
}

// keepRevisions gives the current revisions of the initiatives ids that
// hold no copy of their record (an import's, which is the initiative's
// data) that copy, before those initiatives move on to another revision
// than except. Every reader of revisions takes an empty data for the
// initiative's (revisionData).
func keepRevisions(ctx context.Context, q store.Querier, ids []any, except int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := q.Exec(ctx, `UPDATE revisions SET data = (SELECT i.data FROM initiatives i WHERE i.id = revisions.initiative_id)
		WHERE data = '' AND id <> ? AND id IN (SELECT i.revision_id FROM initiatives i WHERE i.id IN (`+marks(len(ids))+`))`,
		append([]any{except}, ids...)...)
	return err
}

// revisionData is a revision's record as JSON, in a query over revisions
// r: the initiative's when the revision holds no copy (keepRevisions).
const revisionData = `CASE WHEN r.data = '' THEN (SELECT i.data FROM initiatives i WHERE i.id = r.initiative_id) ELSE r.data END`

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

// stored is what an import needs to know of an initiative its file names.
type stored struct {
	id, revisionID int64
	status         Status
	email          string
	sum            [sha256.Size]byte // of its normalised record's JSON
}

// storedBySource reads the initiatives whose source and source_id a row of
// the import names, looking them up in the index on both, a source and
// many ids a query. It once read every initiative with a source_id and
// kept those named: 6.4 s for an import of ten rows beside 3 M others.
func (s *Service) storedBySource(ctx context.Context, wanted map[string]int) (map[string]stored, error) {
	out := map[string]stored{}
	if len(wanted) == 0 {
		return out, nil
	}
	// On another connection than the import's transaction, which is
	// writing; it would see the same, as the rows it wrote name other
	// sources. PostgreSQL is told to look each source id up in the index
	// on source and source_id: the rows the import has written so far are
	// in the table but not in its statistics, and the plans that look
	// cheapest then read all rows of the source and keep those named,
	// every row written so far at every chunk (130 to 180 ms a chunk at
	// 100,000 rows written, against 3 ms).
	// (SQLite's planner does so by itself, and a transaction there would
	// wait for the import's write lock.)
	if s.DB.Engine() != store.Postgres {
		return out, storedIn(ctx, s.DB, wanted, out)
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, plan := range []string{"seqscan", "bitmapscan", "hashjoin", "mergejoin"} {
			if _, err := tx.Exec(ctx, `SET LOCAL enable_`+plan+` = off`); err != nil {
				return err
			}
		}
		return storedIn(ctx, tx, wanted, out)
	})
	return out, err
}

// storedIn adds to out the initiatives wanted (by source key).
func storedIn(ctx context.Context, q store.Querier, wanted map[string]int, out map[string]stored) error {
	ids := map[string][]any{} // source → the source_ids wanted
	for k := range wanted {
		source, id, _ := strings.Cut(k, "\x00")
		ids[source] = append(ids[source], id)
	}
	for source, all := range ids {
		for len(all) > 0 {
			n := min(len(all), maxArgs-1)
			if err := storedOf(ctx, q, source, all[:n], out); err != nil {
				return err
			}
			all = all[n:]
		}
	}
	return nil
}

// storedOf adds to out the initiatives of source whose source_ids are ids.
func storedOf(ctx context.Context, q store.Querier, source string, ids []any, out map[string]stored) error {
	rows, err := q.Query(ctx, `SELECT i.id, i.status, i.source_id, i.data, COALESCE(i.revision_id, 0)
		FROM (VALUES `+strings.Repeat("(?), ", len(ids)-1)+`(?)) w JOIN initiatives i ON i.source = ? AND i.source_id = w.column1
		WHERE i.source_id <> ''`, append(ids[:len(ids):len(ids)], source)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			in       stored
			sourceID string
			data     []byte
			rec      Record
		)
		if err := rows.Scan(&in.id, &in.status, &sourceID, &data, &in.revisionID); err != nil {
			return err
		}
		if err := json.Unmarshal(data, &rec); err != nil {
			return err
		}
		rec = normalized(rec)
		norm, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		in.email, in.sum = rec.Contact.Email, sha256.Sum256(norm)
		out[sourceKey(source, sourceID)] = in
	}
	return rows.Err()
}

// publishedWithoutSource indexes the published initiatives that have no
// source_id by their content, for recognising rows imported before.
func publishedWithoutSource(ctx context.Context, q store.Querier) (map[[sha256.Size]byte][]int64, error) {
	rows, err := q.Query(ctx, `SELECT id, data FROM initiatives WHERE status = 'published' AND source_id = '' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[sha256.Size]byte][]int64{}
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

// contentKey sums a normalised record without its contact e-mail address
// (which no export carries), to compare.
func contentKey(r Record) ([sha256.Size]byte, error) {
	r.Contact.Email = ""
	b, err := json.Marshal(r)
	return sha256.Sum256(b), err
}
