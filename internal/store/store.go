// Package store opens samen's database (SQLite or PostgreSQL), applies the
// migrations for that engine, and runs queries and transactions.
//
// Queries are written once with '?' placeholders and the store rewrites them to
// '$1, $2, …' for PostgreSQL; everything else that differs between the two
// engines (full-text search, spatial indexes) lives in the packages that need
// it and asks Engine which to use.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// The migrations of each engine (OWNERS.md beside them is for readers).
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// DB is an open database of one engine.
type DB struct {
	sql    *sql.DB
	engine Engine
	path   string // the SQLite file, for backups; empty for PostgreSQL
}

// Engine returns the database engine in use.
func (db *DB) Engine() Engine { return db.engine }

// SQL returns the underlying *sql.DB, for the few places (metrics, tests) that
// need it; queries go through the methods of DB and Tx so that placeholders are
// rewritten for the engine.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// ParseURL splits a database URL into engine and driver data source name.
// Accepted forms: "sqlite:PATH" (PATH may be relative), "sqlite://PATH",
// "postgres://…" and "postgresql://…".
func ParseURL(raw string) (Engine, string, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return "", "", fmt.Errorf("not a valid PostgreSQL URL: %v", err)
		}
		if u.Host == "" && u.Query().Get("host") == "" {
			return "", "", errors.New("a PostgreSQL URL needs a host, as in postgres://user:password@localhost:5432/samen")
		}
		return Postgres, raw, nil
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if path == "" {
			return "", "", errors.New("a SQLite URL needs a file path, as in sqlite:samen-data/samen.db")
		}
		if strings.ContainsAny(path, "?#\x00") {
			return "", "", errors.New("a SQLite path may not contain '?', '#' or NUL")
		}
		return SQLite, path, nil
	}
	return "", "", errors.New("must start with sqlite: or postgres://")
}

// Open opens the database named by a URL (see ParseURL). It does not migrate;
// call Migrate.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	engine, dsn, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	switch engine {
	case SQLite:
		return openSQLite(ctx, dsn)
	default:
		return openPostgres(ctx, dsn)
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("creating the data directory: %w", err)
		}
	}
	// The database holds password hashes and the outbox (with live reset
	// links): only samen's own user may read it. SQLite takes an empty file
	// as a new database and gives its journal files the same mode.
	if err := createPrivate(path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("creating the database file: %w", err)
	}
	// WAL lets readers go on while one writer writes. synchronous(FULL) makes
	// every commit durable at the cost of an fsync per transaction, which a
	// site of this size can afford: a committed sign-up or vote must survive a
	// power cut. busy_timeout makes a second writer wait instead of failing,
	// and _txlock=immediate takes the write lock at BEGIN so that two
	// transactions that read then write cannot deadlock each other.
	q := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"foreign_keys(ON)",
		"busy_timeout(10000)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// One SQLite file has one writer at a time anyway; a handful of
	// connections lets reads run beside it without piling up file handles.
	sdb.SetMaxOpenConns(8)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("opening SQLite database %s: %w", path, err)
	}
	return &DB{sql: sdb, engine: SQLite, path: path}, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("the PostgreSQL URL: %w", err)
	}
	// pgx prepares every statement once a connection and PostgreSQL plans
	// a prepared statement for any arguments ("generic") after five runs
	// when that looks no dearer. For samen's queries it can be far dearer:
	// a search's words and limit decide between reading a table until
	// enough rows match and a GIN index, and the generic plan of a map's
	// search took 1.5 s where the plan for its words took 0.2 s (3 M
	// initiatives). Planning each query for its arguments costs a fraction
	// of a millisecond. An operator's own setting in the URL wins.
	if _, ok := cfg.RuntimeParams["plan_cache_mode"]; !ok {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	sdb := stdlib.OpenDB(*cfg)
	sdb.SetMaxOpenConns(20)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sdb.PingContext(pctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	return &DB{sql: sdb, engine: Postgres}, nil
}

// Migrate applies every pending migration for the engine. On PostgreSQL it
// holds an advisory lock while doing so, so that several samen processes
// starting at once do not race each other.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrating the database: %w", err)
	}
	return len(res), nil
}

// MigrationStatus reports the current schema version and how many migrations
// are pending.
func (db *DB) MigrationStatus(ctx context.Context) (current int64, pending int, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, err
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, s := range st {
		if s.State == goose.StatePending {
			pending++
		}
	}
	return current, pending, nil
}

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.engine))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.engine == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, db.sql, sub, opts...)
}

// RefreshStatistics gives the query planner fresh statistics of tables
// after a bulk write (an import of thousands of rows, a restore), rather
// than when autovacuum or nothing comes round: until then a planner may
// plan for the small table it saw last. PostgreSQL's ANALYZE of the
// tables; SQLite's ANALYZE of each, then PRAGMA optimize. The names are
// the caller's constants, never input.
func (db *DB) RefreshStatistics(ctx context.Context, tables ...string) error {
	if db.engine == Postgres {
		_, err := db.sql.ExecContext(ctx, "ANALYZE "+strings.Join(tables, ", "))
		return err
	}
	for _, t := range tables {
		if _, err := db.sql.ExecContext(ctx, "ANALYZE "+t); err != nil {
			return err
		}
	}
	_, err := db.sql.ExecContext(ctx, "PRAGMA optimize")
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// Querier is what both DB and Tx offer: queries with '?' placeholders.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Engine() Engine
}

// IDs runs a query of one integer column and returns its values.
func IDs(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	return only[int64](q.Query(ctx, query, args...))
}

// only reads the values of a query's only column, closing rows.
func only[T any](rows *sql.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.sql.ExecContext(ctx, db.engine.Rebind(query), args...)
}

func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.sql.QueryContext(ctx, db.engine.Rebind(query), args...)
}

func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.sql.QueryRowContext(ctx, db.engine.Rebind(query), args...)
}

// Tx is a transaction.
type Tx struct {
	tx     *sql.Tx
	conn   *sql.Conn // the transaction's connection
	engine Engine
}

func (tx *Tx) Engine() Engine { return tx.engine }

func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.engine.Rebind(query), args...)
}

func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.engine.Rebind(query), args...)
}

func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.engine.Rebind(query), args...)
}

// Copy writes rows into table on PostgreSQL with COPY, in the
// transaction: args are the values of columns, one row after another.
// COPY passes the values in binary and PostgreSQL writes the rows many at
// a time, where an INSERT of many rows has every value parsed as a
// parameter and planned. SQLite has no COPY: there Copy is an error.
func (tx *Tx) Copy(ctx context.Context, table string, columns []string, args []any) error {
	if tx.engine != Postgres {
		return fmt.Errorf("COPY into %s: only PostgreSQL has COPY", table)
	}
	width := len(columns)
	if width == 0 || len(args)%width != 0 {
		return fmt.Errorf("COPY into %s: %d values for rows of %d columns", table, len(args), width)
	}
	if len(args) == 0 {
		return nil
	}
	return tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY into %s: not a pgx connection but %T", table, dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromSlice(len(args)/width, func(i int) ([]any, error) {
			return args[i*width : (i+1)*width], nil
		}))
		return err
	})
}

// BulkPlans has PostgreSQL plan each statement of the transaction once
// rather than at every run (store.openPostgres asks for the latter, as
// the arguments of a search decide its plan). A bulk write runs the same
// few statements hundreds of times with thousands of arguments each, and
// planning such a statement took longer than running it: an import's
// rows of sectors, exchanges, tools and revisions of 200,000 initiatives
// were written in 25 s, with this in 10. SQLite has nothing to set.
func (tx *Tx) BulkPlans(ctx context.Context) error {
	if tx.engine != Postgres {
		return nil
	}
	_, err := tx.tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = auto`)
	return err
}

// InTx runs fn in a transaction: committed when fn returns nil, rolled back
// when it returns an error or panics. On PostgreSQL a serialization failure
// is retried a few times, since it says only that another process won a race.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	const attempts = 4
	var err error
	for i := 0; i < attempts; i++ {
		err = db.inTxOnce(ctx, fn)
		if err == nil || !retryable(err) {
			return err
		}
		time.Sleep(time.Duration(i+1) * 20 * time.Millisecond)
	}
	return err
}

func (db *DB) inTxOnce(ctx context.Context, fn func(tx *Tx) error) (err error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	stx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &Tx{tx: stx, conn: conn, engine: db.engine}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = stx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return stx.Commit()
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01" // serialization failure, deadlock
	}
	return false
}

// IsUniqueViolation reports whether err says a UNIQUE constraint was broken,
// on either engine.
func IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Rebind rewrites '?' placeholders to the engine's form. A '?' inside a
// single-quoted string literal is left alone.
func (e Engine) Rebind(query string) string {
	if e != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	inString := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
			b.WriteByte(c)
		case c == '?' && !inString:
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Now returns the current time as samen stores it: Unix milliseconds, UTC.
// Both engines store times as BIGINT milliseconds so that comparisons and
// ordering are the same everywhere and no driver converts time zones.
func Now() int64 { return time.Now().UnixMilli() }

// Millis converts a time to stored form.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// Time converts a stored time back.
func Time(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// Clock is where a service reads the time: every service keeps one in its
// Now field, which tests set to a time of their own. A nil Clock is the
// system clock.
type Clock func() time.Time

// Time returns the clock's time.
func (c Clock) Time() time.Time {
	if c == nil {
		return time.Now()
	}
	return c()
}

// Millis returns the clock's time as samen stores it.
func (c Clock) Millis() int64 { return Millis(c.Time()) }

// createPrivate creates an empty file that only its owner may read and
// write; it fails with fs.ErrExist when the file is there already.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}
