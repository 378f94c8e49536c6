package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/demo"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/web"
	"samen/internal/workspace"
)

// BenchmarkWorkspaceRegisterTenThousand serves the register of the demo
// workspace with 10,000 more people, as its core member sees it: the page
// and the API, the first page and a search. It reports the 99th
// percentile of the latency (p99-ms) besides the mean.
func BenchmarkWorkspaceRegisterTenThousand(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var db *store.DB
			if engine == "postgres" {
				db = storetest.Postgres(b)
			} else {
				db = storetest.SQLite(b)
			}
			ctx := context.Background()
			parts := newParts(b, db, "http://127.0.0.1")
			site, err := web.New(web.Options{BaseURL: "http://127.0.0.1", MailToLog: true}, db, parts, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := demo.Seed(ctx, parts.Accounts, demoServices(parts)); err != nil {
				b.Fatal(err)
			}
			_, token, err := parts.Accounts.Login(ctx, account.LoginAttempt{Email: member.Email, Password: member.Password})
			if err != nil {
				b.Fatal(err)
			}
			cookie := &http.Cookie{Name: "samen_session", Value: token}
			var id int64
			if err := db.QueryRow(ctx, "SELECT id FROM users WHERE email = ?", member.Email).Scan(&id); err != nil {
				b.Fatal(err)
			}
			u, err := account.ByID(ctx, db, id)
			if err != nil {
				b.Fatal(err)
			}
			mine, err := parts.Workspaces.Mine(ctx, &u)
			if err != nil || len(mine) != 1 {
				b.Fatalf("the member's workspaces: %v, %v", mine, err)
			}
			slug := mine[0].Slug
			var file bytes.Buffer
			file.WriteString("naam;e-mail;telefoon;lid sinds\n")
			for i := range 10000 {
				fmt.Fprintf(&file, "Lid %d;lid%d@example.org;06 %08d;%d-%d-20%02d\n", i, i, i, 1+i%28, 1+i%12, i%25)
			}
			sheet, err := workspace.ReadSheet(file.Bytes())
			if err != nil {
				b.Fatal(err)
			}
			if _, err := parts.Workspaces.ImportMembersAsSystem(ctx, slug, sheet, workspace.ImportOptions{}); err != nil {
				b.Fatal(err)
			}
			h := site.Handler()
			for _, tc := range []struct{ name, path string }{
				{"page", "/workspaces/" + slug + "/members"},
				{"page search", "/workspaces/" + slug + "/members?q=lid+99"},
				{"api", "/api/v1/workspaces/" + slug + "/members"},
				{"api search", "/api/v1/workspaces/" + slug + "/members?q=lid+99"},
				{"api page 50", "/api/v1/workspaces/" + slug + "/members?cursor=5000&limit=100"},
			} {
				path := tc.path
				b.Run(tc.name, func(b *testing.B) {
					var ds []time.Duration
					for b.Loop() {
						r := httptest.NewRequest(http.MethodGet, path, nil)
						r.AddCookie(cookie)
						w := httptest.NewRecorder()
						start := time.Now()
						h.ServeHTTP(w, r)
						ds = append(ds, time.Since(start))
						if w.Code != http.StatusOK {
							b.Fatalf("GET %s: %d", path, w.Code)
						}
					}
					slices.Sort(ds)
					b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
				})
			}
		})
	}
}
