package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"samen/internal/account"
	"samen/internal/demo"
	"samen/internal/store/storetest"
	"samen/internal/web"
)

// benchSite is a demo site on SQLite served in-process, with a steward's
// session cookie.
func benchSite(b *testing.B) (http.Handler, *http.Cookie) {
	b.Helper()
	db := storetest.SQLite(b)
	parts := newParts(b, db, "http://127.0.0.1")
	accounts := parts.Accounts
	site, err := web.New(web.Options{BaseURL: "http://127.0.0.1", MailToLog: true}, db, parts, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := demo.Seed(context.Background(), accounts, demoServices(parts)); err != nil {
		b.Fatal(err)
	}
	_, token, err := accounts.Login(context.Background(), account.LoginAttempt{Email: demo.Accounts[0].Email, Password: demo.Accounts[0].Password})
	if err != nil {
		b.Fatal(err)
	}
	return site.Handler(), &http.Cookie{Name: "samen_session", Value: token}
}

func benchGet(b *testing.B, h http.Handler, path string, c *http.Cookie) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodGet, path, nil)
			if c != nil {
				r.AddCookie(c)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("GET %s: %d", path, w.Code)
			}
		}
	})
}

// BenchmarkHomeAnonymous is the page most visitors see first.
func BenchmarkHomeAnonymous(b *testing.B) {
	h, _ := benchSite(b)
	benchGet(b, h, "/", nil)
}

// BenchmarkAPIMeWithSession measures a signed-in request: cookie, session
// lookup in the database, JSON.
func BenchmarkAPIMeWithSession(b *testing.B) {
	h, c := benchSite(b)
	benchGet(b, h, "/api/v1/me", c)
}
