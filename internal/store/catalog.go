package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// The catalog is what a backup needs to know of the schema, read from the
// engine itself rather than written down a second time: which tables hold
// samen's rows, their columns and the kind of value each holds, their keys,
// and which tables they point at. Read this way, a table a part adds
// tomorrow is in tomorrow's backups without anyone remembering it.

// Column kinds, the same on both engines: the four kinds of value samen
// stores (times are integer milliseconds, JSON is text).
const (
	kindInteger = "integer"
	kindReal    = "real"
	kindText    = "text"
	kindBlob    = "blob"
)

// column is one column of a table, as a backup records it.
type column struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// table is one table of the catalog.
type table struct {
	Name    string
	Columns []column
	Key     []string // the primary key's columns, in order; rows are copied in its order
	Parents []string // the other tables its foreign keys point at
	// Serial is the column whose values come from a sequence on
	// PostgreSQL (BIGSERIAL or an identity), moved past the highest
	// restored value.
	Serial string
}

// queryer is what reading the catalog needs: a connection or a
// transaction, so that a backup reads it in its own snapshot.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// skippedTable says whether a table is not samen's rows: goose's record of
// migrations (a restore migrates for itself).
func skippedTable(name string) bool { return name == "goose_db_version" }

// catalog reads the tables of the database, parents before the tables
// that point at them, and otherwise by name.
func catalog(ctx context.Context, engine Engine, q queryer) ([]table, error) {
	var (
		tables []table
		err    error
	)
	if engine == Postgres {
		tables, err = catalogPostgres(ctx, q)
	} else {
		tables, err = catalogSQLite(ctx, q)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the database's tables: %w", err)
	}
	return parentsFirst(tables)
}

func catalogSQLite(ctx context.Context, q queryer) ([]table, error) {
	// table_list tells a virtual table (the full-text index) and its
	// shadow tables from real ones: the index is rebuilt, not copied.
	names, err := strings1(ctx, q, `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var out []table
	for _, name := range names {
		if skippedTable(name) {
			continue
		}
		t := table{Name: name}
		rows, err := q.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`, name)
		if err != nil {
			return nil, err
		}
		keys := map[int]string{}
		for rows.Next() {
			var col, typ string
			var pk int
			if err := rows.Scan(&col, &typ, &pk); err != nil {
				rows.Close()
				return nil, err
			}
			kind, ok := sqliteKind(typ)
			if !ok {
				rows.Close()
				return nil, fmt.Errorf("column %s.%s has type %q, which a backup cannot carry", name, col, typ)
			}
			t.Columns = append(t.Columns, column{Name: col, Kind: kind})
			if pk > 0 {
				keys[pk] = col
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for i := 1; i <= len(keys); i++ {
			t.Key = append(t.Key, keys[i])
		}
		if t.Parents, err = strings1(ctx, q, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?) ORDER BY 1`, name); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// sqliteKind is SQLite's rule for a declared type's affinity (section 3.1
// of "Datatypes In SQLite"), kept to the kinds samen uses.
func sqliteKind(declared string) (string, bool) {
	t := strings.ToUpper(declared)
	switch {
	case strings.Contains(t, "INT"):
		return kindInteger, true
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return kindText, true
	case strings.Contains(t, "BLOB"):
		return kindBlob, true
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return kindReal, true
	}
	return "", false
}

func catalogPostgres(ctx context.Context, q queryer) ([]table, error) {
	names, err := strings1(ctx, q, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	var out []table
	for _, name := range names {
		if skippedTable(name) {
			continue
		}
		t := table{Name: name}
		vectors := 0
		rows, err := q.QueryContext(ctx, `SELECT column_name, data_type, is_generated, COALESCE(is_identity, 'NO'), COALESCE(column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, name)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var col, typ, generated, identity, def string
			if err := rows.Scan(&col, &typ, &generated, &identity, &def); err != nil {
				rows.Close()
				return nil, err
			}
			// A generated column and a search vector are worked out
			// from the others; a restore makes them again.
			if generated == "ALWAYS" || typ == "tsvector" {
				if typ == "tsvector" {
					vectors++
				}
				continue
			}
			kind, ok := postgresKind(typ)
			if !ok {
				rows.Close()
				return nil, fmt.Errorf("column %s.%s has type %q, which a backup cannot carry", name, col, typ)
			}
			t.Columns = append(t.Columns, column{Name: col, Kind: kind})
			if identity == "YES" || strings.HasPrefix(def, "nextval(") {
				t.Serial = col
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if t.Key, err = strings1(ctx, q, `SELECT a.attname FROM pg_index i
			JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
			WHERE i.indrelid = $1::regclass AND i.indisprimary
			ORDER BY array_position(i.indkey::int2[], a.attnum)`, name); err != nil {
			return nil, err
		}
		if vectors > 0 && len(t.Columns) == len(t.Key) {
			// Search vectors and the key of what they index: a full-text
			// index kept as a table (the atlas's initiative_search), as
			// SQLite's virtual tables are, rebuilt rather than copied.
			continue
		}
		if t.Parents, err = strings1(ctx, q, `SELECT DISTINCT p.relname FROM pg_constraint c
			JOIN pg_class p ON p.oid = c.confrelid
			WHERE c.contype = 'f' AND c.conrelid = $1::regclass ORDER BY 1`, name); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func postgresKind(typ string) (string, bool) {
	switch typ {
	case "bigint", "integer", "smallint":
		return kindInteger, true
	case "double precision", "real":
		return kindReal, true
	case "text", "character varying", "character":
		return kindText, true
	case "bytea":
		return kindBlob, true
	}
	return "", false
}

// parentsFirst orders tables so that every table comes after the tables
// its foreign keys point at (a table pointing at itself, as a comment at
// the comment it answers, is copied in key order, parents first). A cycle
// between tables would need deferred constraints; samen has none, and a
// new one is refused here rather than found at a restore.
func parentsFirst(tables []table) ([]table, error) {
	byName := map[string]table{}
	for _, t := range tables {
		byName[t.Name] = t
	}
	var out []table
	state := map[string]int{} // 1: being placed, 2: placed
	var place func(name string, path []string) error
	place = func(name string, path []string) error {
		switch state[name] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("the foreign keys of %s go round in a circle", strings.Join(append(path, name), " → "))
		}
		t, ok := byName[name]
		if !ok {
			return nil // a table outside the backup, such as goose's
		}
		state[name] = 1
		for _, p := range t.Parents {
			if p != name {
				if err := place(p, append(path, name)); err != nil {
					return err
				}
			}
		}
		state[name] = 2
		out = append(out, t)
		return nil
	}
	names := make([]string, 0, len(tables))
	for _, t := range tables {
		names = append(names, t.Name)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := place(n, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// strings1 reads a query's single text column.
func strings1(ctx context.Context, q queryer, query string, args ...any) ([]string, error) {
	return only[string](q.QueryContext(ctx, query, args...))
}
