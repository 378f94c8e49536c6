package store

import (
	"context"
	"os"
	"testing"
)

// Migration 00014 moves PostgreSQL's search vectors out of the initiatives'
// rows into initiative_search: the published entries keep theirs, word for
// word, the others have none, and the way down puts them back.
func TestSearchTableMigration(t *testing.T) {
	raw := os.Getenv("SAMEN_TEST_DATABASE_URL")
	if raw == "" {
		t.Skip("a PostgreSQL migration: set SAMEN_TEST_DATABASE_URL")
	}
	ctx := context.Background()
	db, err := Open(ctx, pgSchema(t, raw))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.provider()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 13); err != nil {
		t.Fatal(err)
	}
	for _, row := range []struct {
		status, name string
	}{{"published", "Fietsenmakerij De Spaak"}, {"pending", "Buurttuin Oost"}, {"published", "Repair Café Noord"}} {
		if _, err := db.Exec(ctx, `INSERT INTO initiatives (status, name, data, created_at, updated_at, confirmed_at, search)
			VALUES (?, ?, '{}', 1, 1, 1, CASE WHEN ? = 'published' THEN to_tsvector('dutch', ?) END)`,
			row.status, row.name, row.status, row.name); err != nil {
			t.Fatal(err)
		}
	}
	vectors := func(query string) map[int64]string {
		t.Helper()
		rows, err := db.Query(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[int64]string{}
		for rows.Next() {
			var (
				id int64
				v  string
			)
			if err := rows.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			out[id] = v
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := vectors(`SELECT id, search::text FROM initiatives WHERE search IS NOT NULL`)
	if len(before) != 2 || before[1] != "'fietsenmakerij':1 'spak':3" {
		t.Fatalf("vectors before the migration: %v", before)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if got := vectors(`SELECT id, search::text FROM initiative_search`); len(got) != 2 || got[1] != before[1] || got[3] != before[3] {
		t.Errorf("initiative_search after the migration: %v, want %v", got, before)
	}
	if _, err := db.Exec(ctx, `SELECT search FROM initiatives`); err == nil {
		t.Error("initiatives still has its search column")
	}
	if _, err := db.Exec(ctx, `DELETE FROM initiatives WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	if got := vectors(`SELECT id, search::text FROM initiative_search`); len(got) != 1 {
		t.Errorf("after deleting an initiative, initiative_search holds %v", got)
	}
	if _, err := p.DownTo(ctx, 13); err != nil {
		t.Fatal(err)
	}
	if got := vectors(`SELECT id, search::text FROM initiatives WHERE search IS NOT NULL`); len(got) != 1 || got[1] != before[1] {
		t.Errorf("vectors after the way down: %v", got)
	}
}
