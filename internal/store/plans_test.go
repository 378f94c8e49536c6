package store

import (
	"context"
	"database/sql"
	"os"
	"testing"
)

// PostgreSQL plans each of samen's queries for its arguments (a search's
// words decide between reading a table and an index), unless the operator
// says otherwise in the URL.
func TestPostgresPlansForTheArguments(t *testing.T) {
	raw := os.Getenv("SAMEN_TEST_DATABASE_URL")
	if raw == "" {
		t.Skip("set SAMEN_TEST_DATABASE_URL")
	}
	ctx := context.Background()
	for _, c := range []struct{ url, want string }{
		{raw, "force_custom_plan"},
		{raw + "&plan_cache_mode=auto", "auto"},
	} {
		db, err := Open(ctx, c.url)
		if err != nil {
			t.Fatal(err)
		}
		// More than one connection: the setting is the pool's, not one's.
		conns := make([]*sql.Conn, 3)
		for i := range conns {
			if conns[i], err = db.sql.Conn(ctx); err != nil {
				t.Fatal(err)
			}
			var mode string
			if err := conns[i].QueryRowContext(ctx, `SHOW plan_cache_mode`).Scan(&mode); err != nil || mode != c.want {
				t.Errorf("%s: connection %d plans %q (%v), want %q", c.url, i, mode, err, c.want)
			}
		}
		for _, c := range conns {
			c.Close()
		}
		db.Close()
	}
}
