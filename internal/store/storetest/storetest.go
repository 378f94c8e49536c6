// Package storetest gives tests a fresh, migrated database on every engine
// that is available: always SQLite, and PostgreSQL when
// SAMEN_TEST_DATABASE_URL points at a server.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"samen/internal/store"
)

// EnvURL names the variable that points the tests at PostgreSQL.
const EnvURL = "SAMEN_TEST_DATABASE_URL"

// Each runs fn as a subtest once per engine, each time with a fresh database.
// Without SAMEN_TEST_DATABASE_URL the PostgreSQL subtest is skipped with a
// message saying how to run it.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated SQLite database in a temporary directory.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "samen.db"))
}

// Postgres returns a migrated PostgreSQL database in a schema of its own,
// dropped when the test ends, or skips the test when no server is configured.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return open(t, PostgresURL(t))
}

// PostgresURL returns the URL of an empty schema of its own on the test
// server, dropped when the test ends, for tests that start samen processes
// themselves; it skips the test when no server is configured.
func PostgresURL(t testing.TB) string {
	t.Helper()
	raw := os.Getenv(EnvURL)
	if raw == "" {
		t.Skipf("PostgreSQL tests skipped: set %s=postgres://user:password@localhost/db to run them", EnvURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	schema := "t_" + randomHex(8)
	admin, err := store.Open(context.Background(), raw)
	if err != nil {
		t.Fatalf("connecting to %s: %v", EnvURL, err)
	}
	if _, err := admin.Exec(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t testing.TB, raw string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), raw)
	if err != nil {
		t.Fatalf("opening %s: %v", raw, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrating: %v", err)
	}
	return db
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprint("crypto/rand: ", err))
	}
	return hex.EncodeToString(b)
}
