package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Migration 00006 rewrites the audit lines written before the log named
// people by id only: no address stays in actor_label, no search query or
// free text in detail; and the log is append-only again after it.
func TestAuditByIDMigration(t *testing.T) {
	engines := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "samen.db")}
	if raw := os.Getenv("SAMEN_TEST_DATABASE_URL"); raw != "" {
		engines["postgres"] = raw
	}
	for name, raw := range engines {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if name == "postgres" {
				raw = pgSchema(t, raw)
			}
			db, err := Open(ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			p, err := db.provider()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 5); err != nil {
				t.Fatal(err)
			}
			for _, row := range [][]any{
				{int64(1), "ada@example.org", "user.list", `{"count":1,"query":"zoe@example.org","role":""}`},
				{int64(1), "ada@example.org", "api_token.create", `{"name":"Zoë's laptop"}`},
				{int64(1), "ada@example.org", "initiative.propose", `{"name":"Bakkerij Zoë","published":true}`},
				{int64(1), "ada@example.org", "revision.reject", `{"reason":"Zoë asked","revision":3}`},
				{nil, "visitor", "initiative.report", `{"reason":"other","report":1}`},
				{nil, "system", "user.create", ``},
			} {
				if _, err := db.Exec(ctx, `INSERT INTO audit_log (at, actor_id, actor_label, action, detail) VALUES (1, ?, ?, ?, ?)`, row...); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			rows, err := db.Query(ctx, `SELECT actor_label, action, detail FROM audit_log ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var label, action, detail string
				if err := rows.Scan(&label, &action, &detail); err != nil {
					t.Fatal(err)
				}
				// PostgreSQL's jsonb orders keys its own way.
				if detail != "" {
					var m map[string]any
					if err := json.Unmarshal([]byte(detail), &m); err != nil {
						t.Fatalf("detail %q: %v", detail, err)
					}
					b, _ := json.Marshal(m)
					detail = string(b)
				}
				got = append(got, label+" "+action+" "+detail)
			}
			rows.Close()
			want := []string{
				`member user.list {"count":1,"role":"","searched":true}`,
				`member api_token.create {}`,
				`member initiative.propose {"published":true}`,
				`member revision.reject {"revision":3}`,
				`visitor initiative.report {"reason":"other","report":1}`,
				`system user.create `,
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("after the migration:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if _, err := db.Exec(ctx, "UPDATE audit_log SET action = 'changed'"); err == nil {
				t.Error("the audit log takes UPDATE after the migration")
			}
			if _, err := db.Exec(ctx, "DELETE FROM audit_log"); err == nil {
				t.Error("the audit log takes DELETE after the migration")
			}
		})
	}
}

// pgSchema returns raw pointed at a new schema, dropped when the test ends.
func pgSchema(t *testing.T, raw string) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := Open(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
