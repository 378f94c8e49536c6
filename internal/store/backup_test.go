package store_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// empty opens a database of the engine with nothing in it, not even the
// schema: what samen restore is given.
func empty(t *testing.T, engine store.Engine) *store.DB {
	t.Helper()
	raw := "sqlite:" + filepath.Join(t.TempDir(), "samen.db")
	if engine == store.Postgres {
		raw = storetest.PostgresURL(t)
	}
	db, err := store.Open(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func migrated(t *testing.T, engine store.Engine) *store.DB {
	t.Helper()
	if engine == store.Postgres {
		return storetest.Postgres(t)
	}
	return storetest.SQLite(t)
}

// tricky fills a database with the values a copy between engines could
// bend: text with quotes, control characters and letters from beyond
// Latin-1; the largest integers; reals that have no short decimal form
// (and a negative zero, which SQLite cannot keep and backups write as 0);
// bytes including NUL; NULLs; ids with gaps.
func tricky(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO users (id, email, name, created_at, updated_at, email_verified_at) VALUES (?, ?, ?, ?, ?, NULL)`,
		7, "ana@example.org", "Ana \"Ani\" \\ O'Neill\n\tÿ ŋ 漢字 🙂 \u2028\u0001", int64(math.MaxInt64), int64(math.MinInt64))
	exec(`INSERT INTO users (id, email, created_at, updated_at) VALUES (?, ?, ?, ?)`, 1000, "bo@example.org", 0, -1)
	for i, p := range [][2]float64{{0.1, math.Copysign(0, -1)}, {52.370216, 4.895168}, {1e-300, -179.99999999999997}, {math.SmallestNonzeroFloat64, math.MaxFloat64}} {
		exec(`INSERT INTO initiatives (id, status, name, data, latitude, longitude, created_by, created_at, updated_at, confirmed_at)
			VALUES (?, 'published', ?, '{}', ?, ?, ?, 1, 2, 3)`, 10+i*5, "Buurt "+string(rune('A'+i)), p[0], p[1], 7)
	}
	exec(`INSERT INTO initiatives (id, status, name, data, latitude, longitude, created_by, created_at, updated_at, confirmed_at)
		VALUES (99, 'pending', 'nowhere', '{"name":"nowhere"}', NULL, NULL, NULL, 1, 2, 3)`)
	exec(`INSERT INTO initiative_logos (initiative_id, content_type, image, width, height, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		10, "image/png", []byte{0x89, 'P', 'N', 'G', 0, 0, 0xff, '\n', 0}, 1, 1, 5)
}

// tables reads the rows of a backup, table by table, as written.
func tables(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "tables/") {
			continue
		}
		out[f.Name] = string(entry(t, f))
	}
	return out
}

// entry reads one file of a zip.
func entry(t *testing.T, f *zip.File) []byte {
	t.Helper()
	r, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func backupOf(t *testing.T, db *store.DB, files string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := db.Backup(context.Background(), &buf, store.BackupOptions{Files: files}); err != nil {
		t.Fatalf("backup: %v", err)
	}
	return buf.Bytes()
}

func writeFile(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "backup.zip")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBackupMovesBetweenEngines backs up each engine, restores into each,
// and backs up again: the rows must come out exactly as they went in,
// value for value, whichever way they travelled.
func TestBackupMovesBetweenEngines(t *testing.T) {
	for _, from := range []store.Engine{store.SQLite, store.Postgres} {
		for _, to := range []store.Engine{store.SQLite, store.Postgres} {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				ctx := context.Background()
				src := migrated(t, from)
				tricky(t, src)
				first := backupOf(t, src, "")
				dst := empty(t, to)
				sum, err := dst.Restore(ctx, writeFile(t, first), store.RestoreOptions{})
				if err != nil {
					t.Fatalf("restore: %v", err)
				}
				if sum.Rows < 8 {
					t.Errorf("restored %d rows; the database held at least 8", sum.Rows)
				}
				want, got := tables(t, first), tables(t, backupOf(t, dst, ""))
				if len(want) < 80 {
					t.Fatalf("the backup holds %d tables; samen has more than 80", len(want))
				}
				for name, rows := range want {
					if got[name] != rows {
						t.Errorf("%s after the journey:\n%s\nbefore:\n%s", name, got[name], rows)
					}
				}
				if _, ok := want["tables/goose_db_version.jsonl"]; ok {
					t.Error("the backup holds goose's migration table; a restore migrates for itself")
				}
				if _, ok := want["tables/initiative_search.jsonl"]; ok {
					t.Error("the backup holds the full-text index; it is made again, not copied")
				}
				// A value read back through the engine is the value
				// written, not only the same text in a file.
				var name string
				var image []byte
				if err := dst.QueryRow(ctx, `SELECT name FROM users WHERE id = 7`).Scan(&name); err != nil || !strings.Contains(name, "漢字 🙂") {
					t.Errorf("name after restore: %q, %v", name, err)
				}
				if err := dst.QueryRow(ctx, `SELECT image FROM initiative_logos WHERE initiative_id = 10`).Scan(&image); err != nil || !bytes.Equal(image, []byte{0x89, 'P', 'N', 'G', 0, 0, 0xff, '\n', 0}) {
					t.Errorf("logo after restore: %x, %v", image, err)
				}
				// New rows carry on after the highest restored id (on
				// PostgreSQL the sequences were moved past it).
				var id int64
				if err := dst.QueryRow(ctx, `INSERT INTO users (email, created_at, updated_at) VALUES ('new@example.org', 1, 1) RETURNING id`).Scan(&id); err != nil || id <= 1000 {
					t.Errorf("a new user after restore got id %d (%v); want one past 1000", id, err)
				}
				if _, pending, err := dst.MigrationStatus(ctx); err != nil || pending != 0 {
					t.Errorf("after restore %d migrations pending (%v)", pending, err)
				}
				// PostgreSQL's plain indexes and foreign keys are dropped
				// while the rows go in and made again: all of them, as the
				// migrations make them.
				if to == store.Postgres {
					want, got := checks(t, migrated(t, to)), checks(t, dst)
					if len(want) < 100 || !slices.Equal(got, want) {
						t.Errorf("indexes and constraints after restore:\n%s\nafter migrating:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
					}
				}
			})
		}
	}
}

// checks are the definitions of the indexes and constraints of db's
// schema on PostgreSQL, without the schema's name.
func checks(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT 'index ' || indexname || ': ' || replace(indexdef, ' ON ' || schemaname || '.', ' ON ') FROM pg_indexes
		WHERE schemaname = current_schema()
		UNION ALL
		SELECT 'constraint ' || conname || ' of ' || conrelid::regclass || ': ' || pg_get_constraintdef(oid) FROM pg_constraint
		WHERE connamespace = current_schema()::regnamespace
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var def string
		if err := rows.Scan(&def); err != nil {
			t.Fatal(err)
		}
		out = append(out, def)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRestoreWantsAnEmptyDatabase: a restore never mixes a backup into a
// site's rows.
func TestRestoreWantsAnEmptyDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		file := writeFile(t, backupOf(t, db, ""))
		_, err := db.Restore(context.Background(), file, store.RestoreOptions{})
		if !errors.Is(err, store.ErrNotEmpty) || !strings.Contains(err.Error(), "new, empty database") {
			t.Fatalf("restore into a migrated database: %v; want a refusal", err)
		}
	})
}

// TestFailedRestoreLeavesNothing: a backup whose last table is damaged
// restores nothing, and the same database takes a good backup afterwards.
func TestFailedRestoreLeavesNothing(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			src := migrated(t, engine)
			tricky(t, src)
			good := backupOf(t, src, "")
			bad := rewrite(t, good, func(name string, data []byte) []byte {
				if name == "tables/users.jsonl" {
					// A text where a time belongs, in the second row.
					return bytes.Replace(data, []byte(`"bo@example.org","",`), []byte(`"bo@example.org",0,`), 1)
				}
				return data
			})
			dst := empty(t, engine)
			_, err := dst.Restore(ctx, writeFile(t, bad), store.RestoreOptions{})
			if err == nil || !strings.Contains(err.Error(), "table users: row 2, column name") {
				t.Fatalf("restore of a damaged backup: %v; want the table, row and column named", err)
			}
			var n int
			if err := dst.QueryRow(ctx, `SELECT COUNT(*) FROM initiatives`).Scan(&n); err == nil {
				t.Errorf("after a failed restore the schema is still there (%d initiatives)", n)
			}
			if _, err := dst.Restore(ctx, writeFile(t, good), store.RestoreOptions{}); err != nil {
				t.Fatalf("a good backup after a failed one: %v", err)
			}
		})
	}
}

// TestRestoreChecksForeignKeys: a backup whose rows point at a row that
// is not there is refused, naming the foreign key, and leaves nothing;
// PostgreSQL checks the keys once all rows are in (withChecksAfter).
func TestRestoreChecksForeignKeys(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			src := migrated(t, engine)
			tricky(t, src)
			bad := rewrite(t, backupOf(t, src, ""), func(name string, data []byte) []byte {
				if name == "tables/initiative_logos.jsonl" {
					// The logo of an initiative the backup does not hold.
					return bytes.Replace(data, []byte(`[10,`), []byte(`[999,`), 1)
				}
				return data
			})
			dst := empty(t, engine)
			_, err := dst.Restore(ctx, writeFile(t, bad), store.RestoreOptions{})
			if err == nil || !strings.Contains(err.Error(), "initiative_logos") || !strings.Contains(strings.ToLower(err.Error()), "foreign key") {
				t.Fatalf("restore of a backup with a logo of no initiative: %v; want the foreign key named", err)
			}
			var n int
			if err := dst.QueryRow(ctx, `SELECT COUNT(*) FROM initiative_logos`).Scan(&n); err == nil {
				t.Errorf("after a failed restore the schema is still there (%d logos)", n)
			}
		})
	}
}

// rewrite copies a backup, changing entries on the way; an entry changed
// to nil is left out.
func rewrite(t *testing.T, b []byte, change func(name string, data []byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		data := change(f.Name, entry(t, f))
		if data == nil {
			continue
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestRestoreReadsOnlyBackups: what is not a backup of this samen is
// refused with a reason, before anything is written.
func TestRestoreReadsOnlyBackups(t *testing.T) {
	ctx := context.Background()
	src := storetest.SQLite(t)
	good := backupOf(t, src, "")
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"not a zip", []byte("id,name\n1,x\n"), "not a samen backup"},
		{"newer schema", rewrite(t, good, func(name string, data []byte) []byte {
			if name == "samen-backup.json" {
				return bytes.Replace(data, []byte(`"schema": `), []byte(`"schema": 9`), 1)
			}
			return data
		}), "newer than this samen knows"},
		{"other format", rewrite(t, good, func(name string, data []byte) []byte {
			if name == "samen-backup.json" {
				return bytes.Replace(data, []byte(store.BackupFormat), []byte("samen-backup/9"), 1)
			}
			return data
		}), `this samen reads "samen-backup/1"`},
		{"rows missing", rewrite(t, good, func(name string, data []byte) []byte {
			if name == "tables/users.jsonl" {
				return nil
			}
			return data
		}), "the rows of table users are missing"},
		{"a file outside the directory", rewrite(t, good, func(name string, data []byte) []byte {
			if name == "samen-backup.json" {
				return bytes.Replace(data, []byte(`"files": []`), []byte(`"files": [{"path": "../../etc/x", "size": 1, "sha256": ""}]`), 1)
			}
			return data
		}), "is not one a backup writes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := empty(t, store.SQLite)
			_, err := dst.Restore(ctx, writeFile(t, c.file), store.RestoreOptions{Files: t.TempDir()})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("restore: %v; want an error saying %q", err, c.want)
			}
			var n int
			if err := dst.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err == nil {
				t.Errorf("the refused restore left a schema behind")
			}
		})
	}
}

// TestBackupCarriesTheDataDirectory: the files come back under their own
// names, and damaged bytes are refused.
func TestBackupCarriesTheDataDirectory(t *testing.T) {
	ctx := context.Background()
	src := storetest.SQLite(t)
	files := t.TempDir()
	for name, content := range map[string]string{"ab/cdef": "receipt", "12/3456": "minutes", ".upload-123": "half an upload"} {
		p := filepath.Join(files, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	good := backupOf(t, src, files)

	into := t.TempDir()
	sum, err := empty(t, store.SQLite).Restore(ctx, writeFile(t, good), store.RestoreOptions{Files: into})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 2 {
		t.Errorf("restored %d files; want the 2 whole ones, not the upload in progress", sum.Files)
	}
	for name, want := range map[string]string{"ab/cdef": "receipt", "12/3456": "minutes"} {
		if got, err := os.ReadFile(filepath.Join(into, filepath.FromSlash(name))); err != nil || string(got) != want {
			t.Errorf("%s after restore: %q, %v", name, got, err)
		}
	}

	bad := rewrite(t, good, func(name string, data []byte) []byte {
		if name == "files/ab/cdef" {
			return []byte("forgery")
		}
		return data
	})
	_, err = empty(t, store.SQLite).Restore(ctx, writeFile(t, bad), store.RestoreOptions{Files: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "file ab/cdef: its bytes are not the bytes that were backed up") {
		t.Fatalf("restore with a changed file: %v", err)
	}
}

// TestBackupDoesNotHoldUpWriters: a backup reads one snapshot, and the
// site goes on writing meanwhile; what is written after the snapshot is
// not in it.
func TestBackupDoesNotHoldUpWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r, w := io.Pipe()
		done := make(chan error, 1)
		go func() {
			_, err := db.Backup(ctx, w, store.BackupOptions{})
			w.CloseWithError(err)
			done <- err
		}()
		// The backup has begun and is held up by its reader; a writer
		// must get through all the same.
		head := make([]byte, 4)
		if _, err := io.ReadFull(r, head); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO users (email, created_at, updated_at) VALUES ('late@example.org', 1, 1)`); err != nil {
			t.Fatalf("a write during a backup: %v", err)
		}
		rest, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if users := tables(t, append(head, rest...))["tables/users.jsonl"]; strings.Contains(users, "late@example.org") {
			t.Errorf("the backup holds a row written after it began: %s", users)
		}
	})
}
