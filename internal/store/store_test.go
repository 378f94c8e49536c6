package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		in     string
		engine store.Engine
		ok     bool
	}{
		{"sqlite:samen-data/samen.db", store.SQLite, true},
		{"sqlite:///var/lib/samen/samen.db", store.SQLite, true},
		{"postgres://samen:pw@localhost:5432/samen?sslmode=disable", store.Postgres, true},
		{"postgresql://localhost/samen", store.Postgres, true},
		{"sqlite:", "", false},
		{"sqlite:a?b", "", false},
		{"mysql://localhost/samen", "", false},
		{"postgres:///samen", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		engine, _, err := store.ParseURL(c.in)
		if (err == nil) != c.ok || engine != c.engine {
			t.Errorf("ParseURL(%q) = %q, %v; want %q, ok=%v", c.in, engine, err, c.engine, c.ok)
		}
	}
}

func TestRebind(t *testing.T) {
	got := store.Postgres.Rebind("SELECT a FROM t WHERE b = ? AND c = '?' AND d IN (?, ?)")
	want := "SELECT a FROM t WHERE b = $1 AND c = '?' AND d IN ($2, $3)"
	if got != want {
		t.Errorf("Rebind = %q, want %q", got, want)
	}
	if q := "SELECT ?"; store.SQLite.Rebind(q) != q {
		t.Errorf("SQLite queries must stay as written")
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n, err := db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second Migrate applied %d migrations, err %v; want 0, nil", n, err)
		}
		_, pending, err := db.MigrationStatus(ctx)
		if err != nil || pending != 0 {
			t.Fatalf("pending = %d, err %v", pending, err)
		}
	})
}

func TestTransactionsCommitAndRollBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		insert := func(tx *store.Tx, email string) error {
			_, err := tx.Exec(ctx, "INSERT INTO users (email, created_at, updated_at) VALUES (?, ?, ?)", email, store.Now(), store.Now())
			return err
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return insert(tx, "kept@example.org") }); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := insert(tx, "lost@example.org"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v, want the function's error", err)
		}
		func() {
			defer func() { _ = recover() }()
			_ = db.InTx(ctx, func(tx *store.Tx) error {
				_ = insert(tx, "panicked@example.org")
				panic("crash in the middle")
			})
		}()
		var n int
		if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d users stored; want only the committed one", n)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error { return insert(tx, "kept@example.org") })
		if !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate insert gave %v; want a unique violation", err)
		}
	})
}

// TestCopyIsPartOfTheTransaction: rows written with COPY are committed
// and rolled back with the transaction around them, as INSERTs are, and
// a bad row fails the whole COPY. SQLite has no COPY and says so.
func TestCopyIsPartOfTheTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		columns := []string{"email", "created_at", "updated_at"}
		now := store.Now()
		rows := []any{"a@example.org", now, now, "b@example.org", now, now}
		if db.Engine() == store.SQLite {
			err := db.InTx(ctx, func(tx *store.Tx) error { return tx.Copy(ctx, "users", columns, rows) })
			if err == nil {
				t.Fatal("COPY on SQLite gave no error")
			}
			return
		}
		count := func() int {
			t.Helper()
			var n int
			if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		boom := errors.New("boom")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.Copy(ctx, "users", columns, rows); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil || n != 2 {
				t.Errorf("in the transaction, %d users after COPY (%v), want 2", n, err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v, want the function's error", err)
		}
		if n := count(); n != 0 {
			t.Fatalf("%d users after a rollback, want 0", n)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error { return tx.Copy(ctx, "users", columns, rows[:5]) })
		if err == nil {
			t.Fatal("five values for rows of three columns gave no error")
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return tx.Copy(ctx, "users", columns, append(append([]any{}, rows...), "a@example.org", now, now))
		})
		if !store.IsUniqueViolation(err) {
			t.Fatalf("COPY of a duplicate gave %v, want a unique violation", err)
		}
		if n := count(); n != 0 {
			t.Fatalf("%d users after a failed COPY, want 0", n)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.Copy(ctx, "users", columns, rows) }); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 2 {
			t.Fatalf("%d users after COPY and commit, want 2", n)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, "INSERT INTO audit_log (at, action) VALUES (?, ?)", store.Now(), "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, "UPDATE audit_log SET action = 'changed'"); err == nil {
			t.Error("UPDATE of the audit log succeeded; it must be refused")
		}
		if _, err := db.Exec(ctx, "DELETE FROM audit_log"); err == nil {
			t.Error("DELETE from the audit log succeeded; it must be refused")
		}
	})
}

// The database holds password hashes and the outbox with live reset
// links: only its owner may read it, whatever the umask.
func TestDatabaseIsPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "samen.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{dir, filepath.Join(dir, "samen.db"), filepath.Join(dir, "samen.db-wal")} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v: others may read it", f, perm)
		}
	}
}

func TestSQLiteIsDurable(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	var mode string
	var sync int
	if err := db.QueryRow(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || sync != 2 {
		t.Fatalf("journal_mode=%s synchronous=%d; want wal and 2 (FULL)", mode, sync)
	}
}
