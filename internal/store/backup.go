package store

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pressly/goose/v3"
)

// A backup is one zip file that either engine can restore:
//
//	samen-backup.json     what the file holds: format, schema version, the
//	                      tables with their columns and row counts, the files
//	tables/NAME.jsonl     a table's rows, one JSON array a line, in the
//	                      manifest's column order and the table's key order
//	files/…               the data directory's files (workspace files,
//	                      receipts), under their own names
//
// Values are written by kind, not by engine: integers as JSON numbers, reals
// as the shortest decimal that reads back to the same float, text as JSON
// strings, bytes in standard base64. So a SQLite site restored into
// PostgreSQL holds the same values, and its exports are the same bytes.
// Zip, because operators can look inside one with the tools they have, Go
// reads it without a library, and a restore can take the tables in the
// order the foreign keys want rather than the order they were written.

// BackupFormat names the layout above; a restore refuses any other.
const BackupFormat = "samen-backup/1"

const manifestName = "samen-backup.json"

// manifest is samen-backup.json.
type manifest struct {
	Format  string       `json:"format"`
	Samen   string       `json:"samen,omitempty"` // the version that wrote it, for people
	Engine  Engine       `json:"engine"`          // where it came from, for people
	Schema  int64        `json:"schema"`          // the migration the rows belong to
	Created string       `json:"created"`
	Tables  []tableEntry `json:"tables"`
	Files   []fileEntry  `json:"files"`
}

type tableEntry struct {
	Name    string   `json:"name"`
	Columns []column `json:"columns"`
	Rows    int64    `json:"rows"`
}

type fileEntry struct {
	Path   string `json:"path"` // relative to the files directory, with '/'
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// BackupOptions says what a backup takes besides the database.
type BackupOptions struct {
	Files string // the data directory's files; "" or missing: none
	Samen string // samen's version, written into the manifest
}

// BackupSummary says what a backup or restore carried.
type BackupSummary struct {
	Schema int64
	Tables int
	Rows   int64
	Files  int
	Bytes  int64 // the files' bytes
}

// Backup writes every row of the database and every file under
// opts.Files to w, as one zip, while the site goes on serving. The rows
// come from one snapshot (a read transaction: writers are not held up).
// The files are read after it, so a file uploaded meanwhile may be in the
// backup without a row that points at it, which is harmless: files are
// kept under the hash of their bytes.
func (db *DB) Backup(ctx context.Context, w io.Writer, opts BackupOptions) (BackupSummary, error) {
	var sum BackupSummary
	current, pending, err := db.MigrationStatus(ctx)
	if err != nil {
		return sum, err
	}
	if pending > 0 {
		return sum, fmt.Errorf("the database has %d migration(s) to apply first: run samen migrate", pending)
	}
	zw := zip.NewWriter(w)
	// Speed over the last percent: the rows are mostly JSON, which
	// deflates well at any level.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	now := time.Now().UTC()
	m := manifest{Format: BackupFormat, Samen: opts.Samen, Engine: db.engine, Schema: current,
		Created: now.Format(time.RFC3339), Tables: []tableEntry{}, Files: []fileEntry{}}
	create := func(name string) (io.Writer, error) {
		return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
	}
	sum.Schema = current

	err = db.snapshot(ctx, func(q queryer) error {
		tables, err := catalog(ctx, db.engine, q)
		if err != nil {
			return err
		}
		for _, t := range tables {
			n, err := dumpTable(ctx, q, create, t)
			if err != nil {
				return fmt.Errorf("table %s: %w", t.Name, err)
			}
			m.Tables = append(m.Tables, tableEntry{Name: t.Name, Columns: t.Columns, Rows: n})
			sum.Tables++
			sum.Rows += n
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	if m.Files, err = dumpFiles(create, opts.Files); err != nil {
		return sum, err
	}
	for _, f := range m.Files {
		sum.Files++
		sum.Bytes += f.Size
	}
	mw, err := create(manifestName)
	if err != nil {
		return sum, err
	}
	enc := json.NewEncoder(mw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return sum, err
	}
	return sum, zw.Close()
}

// snapshot runs fn on one read transaction that sees the database as it
// was at its first read. SQLite's connections begin their transactions
// IMMEDIATE (see openSQLite), which would hold every writer up for the
// length of a backup; a plain BEGIN on a connection of its own is a
// deferred read transaction, a snapshot in WAL mode.
func (db *DB) snapshot(ctx context.Context, fn func(q queryer) error) error {
	if db.engine == Postgres {
		tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // read only: nothing to keep
		return fn(tx)
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN DEFERRED"); err != nil {
		return err
	}
	err = fn(conn)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); err == nil {
		err = rerr
	}
	return err
}

// quoted gives an identifier as both engines read it.
func quoted(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func columnList(cols []column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quoted(c.Name)
	}
	return strings.Join(names, ", ")
}

// dumpTable writes a table's rows as tables/NAME.jsonl and counts them.
func dumpTable(ctx context.Context, q queryer, create func(string) (io.Writer, error), t table) (int64, error) {
	order := t.Key
	if len(order) == 0 {
		// Without a key, an order of every column still makes two
		// backups of the same rows the same file.
		for _, c := range t.Columns {
			order = append(order, c.Name)
		}
	}
	keys := make([]string, len(order))
	for i, k := range order {
		keys[i] = quoted(k)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+columnList(t.Columns)+" FROM "+quoted(t.Name)+" ORDER BY "+strings.Join(keys, ", "))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	f, err := create("tables/" + t.Name + ".jsonl")
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	vals := make([]any, len(t.Columns))
	ptrs := make([]any, len(t.Columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var (
		n    int64
		line []byte
	)
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		line = append(line[:0], '[')
		for i, v := range vals {
			if i > 0 {
				line = append(line, ',')
			}
			if line, err = appendValue(line, t.Columns[i].Kind, v); err != nil {
				return n, fmt.Errorf("row %d, column %s: %w", n+1, t.Columns[i].Name, err)
			}
		}
		line = append(line, ']', '\n')
		if _, err := bw.Write(line); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// appendValue writes one value as JSON, by the kind of its column. A value
// that does not fit its column's kind (SQLite lets a column hold anything)
// is refused, rather than written as something a restore reads otherwise.
func appendValue(b []byte, kind string, v any) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	switch kind {
	case kindInteger:
		switch x := v.(type) {
		case int64:
			return strconv.AppendInt(b, x, 10), nil
		case int32:
			return strconv.AppendInt(b, int64(x), 10), nil
		case int16:
			return strconv.AppendInt(b, int64(x), 10), nil
		}
	case kindReal:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		case int64:
			f = float64(x)
		default:
			return b, fmt.Errorf("%T where a number belongs", v)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return b, fmt.Errorf("%v cannot be written in JSON", f)
		}
		if f == 0 {
			f = 0 // SQLite keeps no negative zero; so that both engines write the same, neither does
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64), nil
	case kindText:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			s = string(x)
		default:
			return b, fmt.Errorf("%T where text belongs", v)
		}
		if !utf8.ValidString(s) {
			return b, errors.New("text that is not UTF-8")
		}
		return appendJSONString(b, s), nil
	case kindBlob:
		var p []byte
		switch x := v.(type) {
		case []byte:
			p = x
		case string:
			p = []byte(x)
		default:
			return b, fmt.Errorf("%T where bytes belong", v)
		}
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, p)
		return append(b, '"'), nil
	}
	return b, fmt.Errorf("%T where %s belongs", v, kind)
}

// appendJSONString quotes valid UTF-8 as a JSON string (RFC 8259 §7):
// quote, backslash and control characters escaped, everything else as is.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// dumpFiles copies every file under dir into files/ of the zip. Names
// starting with a dot are uploads still being received, and are left out.
func dumpFiles(create func(string) (io.Writer, error), dir string) ([]fileEntry, error) {
	out := []fileEntry{}
	if dir == "" {
		return out, nil
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		src, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted as unused since the walk saw it
		} else if err != nil {
			return err
		}
		defer src.Close()
		w, err := create("files/" + rel)
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(w, h), src)
		if err != nil {
			return fmt.Errorf("file %s: %w", rel, err)
		}
		out = append(out, fileEntry{Path: rel, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		return nil
	})
	return out, err
}

// RestoreOptions says where a restore puts what is not rows, and what it
// works out from them.
type RestoreOptions struct {
	Files string // where the backup's files go (DATA_DIR/files)
	// After runs once every row is in and the schema is current, in a
	// transaction of its own, for what is worked out from the rows rather
	// than copied (the atlas's search index). An error undoes the restore.
	After func(ctx context.Context, tx *Tx) error
}

// ErrNotEmpty says a restore was asked to write into a database that
// already holds samen's tables.
var ErrNotEmpty = errors.New("the database is not empty")

// Restore loads a backup written by Backup into an empty database of
// either engine: one without any of samen's tables. It migrates the
// schema to the backup's version, loads every table in the order of its
// foreign keys in one transaction, moves PostgreSQL's sequences past the
// highest id, migrates on to this samen's version, runs opts.After and
// refreshes the planner's statistics. If any step fails, the schema is
// taken down again, so the database is as empty as it was and the restore
// can be run again. The files are put in place first, under their own
// names (an existing file of the same name is the same bytes, and is
// kept), so that no row ever points at bytes that are not there.
func (db *DB) Restore(ctx context.Context, file string, opts RestoreOptions) (BackupSummary, error) {
	var sum BackupSummary
	zr, err := zip.OpenReader(file)
	if err != nil {
		return sum, fmt.Errorf("%s is not a samen backup: %w", file, err)
	}
	defer zr.Close()
	m, entries, err := readManifest(&zr.Reader)
	if err != nil {
		return sum, fmt.Errorf("%s: %w", file, err)
	}
	sum.Schema = m.Schema
	p, err := db.provider()
	if err != nil {
		return sum, err
	}
	if latest := lastMigration(p); m.Schema > latest {
		return sum, fmt.Errorf("the backup's schema is version %d, newer than this samen knows (%d): restore it with the samen that wrote it (%s), or a newer one", m.Schema, latest, m.Samen)
	}
	if tables, err := db.userTables(ctx); err != nil {
		return sum, err
	} else if len(tables) > 0 {
		return sum, fmt.Errorf("%w: it holds %d of samen's tables (%s, …); restore into a new, empty database", ErrNotEmpty, len(tables), tables[0])
	}
	if err := restoreFiles(m.Files, entries, opts.Files); err != nil {
		return sum, err
	}
	for _, f := range m.Files {
		sum.Files++
		sum.Bytes += f.Size
	}
	// From here on every failure takes the schema down again.
	undo := func(err error) (BackupSummary, error) {
		if _, derr := p.DownTo(context.WithoutCancel(ctx), 0); derr != nil {
			return sum, fmt.Errorf("%w; taking the half-made schema down again failed too: %v", err, derr)
		}
		return sum, err
	}
	if _, err := p.UpTo(ctx, m.Schema); err != nil {
		return undo(fmt.Errorf("making the backup's schema (version %d): %w", m.Schema, err))
	}
	err = db.inTxOnce(ctx, func(tx *Tx) error {
		if err := tx.BulkPlans(ctx); err != nil {
			return err
		}
		tables, err := catalog(ctx, db.engine, tx.tx)
		if err != nil {
			return err
		}
		if err := sameTables(m.Tables, tables); err != nil {
			return err
		}
		// What the migrations put in (a counter's first row) makes way
		// for what the backup holds; children before parents.
		for i := len(tables) - 1; i >= 0; i-- {
			if _, err := tx.tx.ExecContext(ctx, "DELETE FROM "+quoted(tables[i].Name)); err != nil {
				return err
			}
		}
		cols := map[string][]column{}
		for _, t := range m.Tables {
			cols[t.Name] = t.Columns
		}
		return withChecksAfter(ctx, tx, func() error { return loadTables(ctx, db, tx, m, entries, tables, cols, &sum) })
	})
	if err != nil {
		return undo(err)
	}
	if _, err := p.Up(ctx); err != nil {
		return undo(fmt.Errorf("migrating the restored database on: %w", err))
	}
	if opts.After != nil {
		if err := db.inTxOnce(ctx, func(tx *Tx) error {
			return withChecksAfter(ctx, tx, func() error { return opts.After(ctx, tx) })
		}); err != nil {
			return undo(err)
		}
	}
	tables, err := db.userTables(ctx)
	if err != nil {
		return undo(err)
	}
	if err := db.RefreshStatistics(ctx, tables...); err != nil {
		return undo(fmt.Errorf("refreshing the planner's statistics: %w", err))
	}
	return sum, nil
}

// loadTables loads the backup's rows into the schema's tables, parents
// first.
func loadTables(ctx context.Context, db *DB, tx *Tx, m manifest, entries map[string]*zip.File, tables []table, cols map[string][]column, sum *BackupSummary) error {
	for _, t := range tables {
		want := m.Tables[indexOf(m.Tables, t.Name)].Rows
		n, err := loadTable(ctx, tx, entries["tables/"+t.Name+".jsonl"], t.Name, cols[t.Name])
		if err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
		if n != want {
			return fmt.Errorf("table %s: the backup lists %d rows but holds %d", t.Name, want, n)
		}
		if db.engine == Postgres && t.Serial != "" {
			if _, err := tx.tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX(`+quoted(t.Serial)+`) FROM `+quoted(t.Name)+`), 0) + 1, false)`,
				t.Name, t.Serial); err != nil {
				return fmt.Errorf("table %s: moving its sequence on: %w", t.Name, err)
			}
		}
		sum.Tables++
		sum.Rows += n
	}
	return nil
}

// withChecksAfter runs fn in tx with the plain indexes and the foreign
// keys of the schema's empty tables dropped, and makes them again once it
// is done, in the same transaction: what PostgreSQL's manual advises for
// loading data ("Populating a Database"). PostgreSQL builds an index over
// the rows it holds much faster than it keeps one up to date row by row
// (the search table's GIN index over 3 M initiatives takes 12 s to
// build), and checks a foreign key over a whole table in one join where
// it otherwise runs a query and takes a row lock for every row written.
// A restore of 3 M initiatives took 259 s with both kept up to date, 196 s
// with the indexes made after the rows, and 151 s with the keys too.
// Indexes a constraint stands on (primary keys, and what foreign keys
// point at) stay; a unique index built again checks the rows all at
// once, as a foreign key added again checks every row. The tables are a
// restore's, which nobody else reads yet. On SQLite it runs fn alone.
func withChecksAfter(ctx context.Context, tx *Tx, fn func() error) error {
	if tx.engine != Postgres {
		return fn()
	}
	// The indexes of any table, and the foreign keys of the tables
	// holding them: the table's name, the index's or key's (for DROP),
	// and what makes it again.
	rows, err := tx.tx.QueryContext(ctx, `SELECT quote_ident(c.relname), quote_ident(n.nspname) || '.' || quote_ident(ic.relname), pg_get_indexdef(i.indexrelid), false
		FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
		UNION ALL
		SELECT quote_ident(c.relname), quote_ident(k.conname), pg_get_constraintdef(k.oid), true
		FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND k.contype = 'f'
		ORDER BY 4, 2`)
	if err != nil {
		return err
	}
	type check struct {
		table, name, def string
		key              bool // a foreign key, else an index
	}
	var all []check
	for rows.Next() {
		var c check
		if err := rows.Scan(&c.table, &c.name, &c.def, &c.key); err != nil {
			rows.Close()
			return err
		}
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	empty := map[string]bool{}
	var dropped []check
	for _, c := range all {
		isEmpty, known := empty[c.table]
		if !known {
			if err := tx.tx.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+c.table+`)`).Scan(&isEmpty); err != nil {
				return err
			}
			empty[c.table] = isEmpty
		}
		if !isEmpty {
			continue
		}
		drop := `DROP INDEX ` + c.name
		if c.key {
			drop = `ALTER TABLE ` + c.table + ` DROP CONSTRAINT ` + c.name
		}
		if _, err := tx.tx.ExecContext(ctx, drop); err != nil {
			return err
		}
		dropped = append(dropped, c)
	}
	if err := fn(); err != nil {
		return err
	}
	for _, c := range dropped { // the indexes first, as listed
		stmt, what := c.def, "index"
		if c.key {
			stmt, what = `ALTER TABLE `+c.table+` ADD CONSTRAINT `+c.name+` `+c.def, "foreign key"
		}
		if _, err := tx.tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("making %s %s of table %s again: %w", what, c.name, c.table, err)
		}
	}
	return nil
}

func indexOf(ts []tableEntry, name string) int {
	for i, t := range ts {
		if t.Name == name {
			return i
		}
	}
	return -1
}

// lastMigration is the newest version this samen carries.
func lastMigration(p *goose.Provider) int64 {
	var v int64
	for _, s := range p.ListSources() {
		v = max(v, s.Version)
	}
	return v
}

// userTables names samen's tables in the database (goose's own left out).
func (db *DB) userTables(ctx context.Context) ([]string, error) {
	tables, err := catalog(ctx, db.engine, db.sql)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.Name
	}
	return names, nil
}

// readManifest reads samen-backup.json and indexes the zip's entries.
func readManifest(zr *zip.Reader) (manifest, map[string]*zip.File, error) {
	var m manifest
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		entries[f.Name] = f
	}
	mf, ok := entries[manifestName]
	if !ok {
		return m, nil, fmt.Errorf("no %s inside: not a samen backup", manifestName)
	}
	r, err := mf.Open()
	if err != nil {
		return m, nil, err
	}
	defer r.Close()
	if err := json.NewDecoder(io.LimitReader(r, 64<<20)).Decode(&m); err != nil {
		return m, nil, fmt.Errorf("%s cannot be read: %w", manifestName, err)
	}
	if m.Format != BackupFormat {
		return m, nil, fmt.Errorf("its format is %q; this samen reads %q", m.Format, BackupFormat)
	}
	for _, t := range m.Tables {
		if _, ok := entries["tables/"+t.Name+".jsonl"]; !ok {
			return m, nil, fmt.Errorf("the rows of table %s are missing", t.Name)
		}
		for _, c := range t.Columns {
			switch c.Kind {
			case kindInteger, kindReal, kindText, kindBlob:
			default:
				return m, nil, fmt.Errorf("column %s.%s is of kind %q, which this samen does not know", t.Name, c.Name, c.Kind)
			}
		}
	}
	for _, f := range m.Files {
		if !fs.ValidPath(f.Path) || strings.HasPrefix(path.Base(f.Path), ".") {
			return m, nil, fmt.Errorf("file name %q is not one a backup writes", f.Path)
		}
		if _, ok := entries["files/"+f.Path]; !ok {
			return m, nil, fmt.Errorf("file %s is missing", f.Path)
		}
	}
	return m, entries, nil
}

// sameTables checks that the backup's tables are the schema's, column by
// column; a column the schema has and the backup lacks would be left to
// its default, which is not a restore.
func sameTables(backup []tableEntry, schema []table) error {
	have := map[string]table{}
	for _, t := range schema {
		have[t.Name] = t
	}
	for _, bt := range backup {
		t, ok := have[bt.Name]
		if !ok {
			return fmt.Errorf("the backup holds table %s, which the schema does not have", bt.Name)
		}
		kinds := map[string]string{}
		for _, c := range t.Columns {
			kinds[c.Name] = c.Kind
		}
		for _, c := range bt.Columns {
			k, ok := kinds[c.Name]
			if !ok {
				return fmt.Errorf("the backup's table %s has column %s, which the schema does not have", bt.Name, c.Name)
			}
			if k != c.Kind {
				return fmt.Errorf("column %s.%s holds %s in the backup but %s in the schema", bt.Name, c.Name, c.Kind, k)
			}
			delete(kinds, c.Name)
		}
		for name := range kinds {
			return fmt.Errorf("the backup's table %s lacks column %s", bt.Name, name)
		}
		delete(have, bt.Name)
	}
	for name := range have {
		return fmt.Errorf("the backup lacks table %s", name)
	}
	return nil
}

// loadTable inserts a table's rows from its .jsonl entry: with COPY on
// PostgreSQL, which spares samen the encoding of parameters and
// PostgreSQL their parsing (a third less of samen's CPU in a restore of
// 3 M initiatives), in multi-row statements on SQLite.
func loadTable(ctx context.Context, tx *Tx, f *zip.File, name string, cols []column) (int64, error) {
	r, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	// Rows a statement: SQLite takes 32,766 parameters in one; a COPY
	// (below) has no such limit.
	per := max(1, min(500, 30000/len(cols)))
	var write func(args []any) error
	if tx.engine == Postgres {
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Name
		}
		per = max(1, 60000/len(cols))
		write = func(args []any) error { return tx.Copy(ctx, name, names, args) }
	} else {
		head := "INSERT INTO " + quoted(name) + " (" + columnList(cols) + ") VALUES "
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		statement := func(rows int) string {
			return tx.engine.Rebind(head + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", "))
		}
		full, err := tx.tx.PrepareContext(ctx, statement(per))
		if err != nil {
			return 0, err
		}
		defer full.Close()
		write = func(args []any) error {
			var err error
			if len(args) == per*len(cols) {
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.tx.ExecContext(ctx, statement(len(args)/len(cols)), args...)
			}
			return err
		}
	}
	args := make([]any, 0, per*len(cols))
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		err := write(args)
		clear(args)
		args = args[:0]
		return err
	}
	dec := json.NewDecoder(bufio.NewReaderSize(r, 256<<10))
	dec.UseNumber()
	var (
		n   int64
		row []any
	)
	for {
		row = row[:0]
		if err := dec.Decode(&row); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return n, fmt.Errorf("row %d cannot be read: %w", n+1, err)
		}
		n++
		if len(row) != len(cols) {
			return n, fmt.Errorf("row %d has %d values for %d columns", n, len(row), len(cols))
		}
		for i, v := range row {
			val, err := readValue(cols[i].Kind, v)
			if err != nil {
				return n, fmt.Errorf("row %d, column %s: %w", n, cols[i].Name, err)
			}
			args = append(args, val)
		}
		if len(args) == per*len(cols) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

// readValue turns a JSON value back into what its column's kind holds.
func readValue(kind string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch kind {
	case kindInteger:
		if num, ok := v.(json.Number); ok {
			if i, err := strconv.ParseInt(string(num), 10, 64); err == nil {
				return i, nil
			}
		}
	case kindReal:
		if num, ok := v.(json.Number); ok {
			if f, err := strconv.ParseFloat(string(num), 64); err == nil {
				return f, nil
			}
		}
	case kindText:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case kindBlob:
		if s, ok := v.(string); ok {
			return base64.StdEncoding.DecodeString(s)
		}
	}
	return nil, fmt.Errorf("%v is not %s", v, kind)
}

// restoreFiles puts the backup's files under dir, checking each against
// the hash the backup wrote down.
func restoreFiles(files []fileEntry, entries map[string]*zip.File, dir string) error {
	if len(files) == 0 {
		return nil
	}
	if dir == "" {
		return errors.New("the backup holds files but no directory was given for them")
	}
	for _, f := range files {
		dst := filepath.Join(dir, filepath.FromSlash(f.Path))
		if st, err := os.Stat(dst); err == nil && st.Size() == f.Size {
			continue
		}
		if err := restoreFile(entries["files/"+f.Path], dst, f); err != nil {
			return fmt.Errorf("file %s: %w", f.Path, err)
		}
	}
	return nil
}

func restoreFile(zf *zip.File, dst string, f fileEntry) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	src, err := zf.Open()
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".restore-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if n != f.Size || hex.EncodeToString(h.Sum(nil)) != f.SHA256 {
		return errors.New("its bytes are not the bytes that were backed up")
	}
	return os.Rename(tmp.Name(), dst)
}
