package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		b := s.browser("")
		for _, path := range []string{"/healthz", "/readyz"} {
			r := b.get(path)
			if r.Status != http.StatusOK {
				t.Errorf("%s: status %d; body:\n%s", path, r.Status, r.Body)
			}
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s: Cache-Control %q; a cached answer would hide an outage", path, cc)
			}
		}

		// A map index that has not followed the database for an hour (its
		// follower cannot reach it, say): not ready, and says why; ready
		// again once it has caught up.
		s.Parts.Atlas.Now = func() time.Time { return time.Now().Add(time.Hour) }
		if r := b.get("/readyz"); r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "map index") {
			t.Errorf("/readyz with a map an hour behind: %d %q", r.Status, r.Body)
		}
		if _, err := s.Parts.Atlas.Sync(context.Background(), time.Now()); err != nil {
			t.Fatal(err)
		}
		if r := b.get("/readyz"); r.Status != http.StatusOK {
			t.Errorf("/readyz after catching up: %d", r.Status)
		}

		// Without its database the process is alive but not ready.
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if r := b.get("/readyz"); r.Status != http.StatusServiceUnavailable {
			t.Errorf("/readyz without a database: status %d, want 503", r.Status)
		}
		if r := b.get("/healthz"); r.Status != http.StatusOK {
			t.Errorf("/healthz without a database: status %d, want 200", r.Status)
		}
	})
}

func scrape(t *testing.T, b *browser) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	r := b.get("/metrics")
	if r.Status != http.StatusOK {
		t.Fatalf("/metrics: status %d", r.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams, r.Body
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		b := s.browser("")
		b.get("/healthz")
		b.get("/healthz")
		b.postForm("/account/tokens/12345/revoke", nil) // 401: nobody signed in
		b.get("/no-such-page-98765")
		s.browser("en").signUp("queued@example.org", "", goodPassword) // one mail waits

		fams, body := scrape(t, b)
		reqs := fams["samen_http_requests_total"]
		if reqs == nil {
			t.Fatalf("no samen_http_requests_total in\n%s", body)
		}
		counts := map[string]float64{}
		for _, m := range reqs.GetMetric() {
			counts[label(m, "route")+" "+label(m, "code")] = m.GetCounter().GetValue()
		}
		for key, want := range map[string]float64{
			"GET /healthz 200":                     2,
			"POST /account/tokens/{id}/revoke 401": 1,
			"POST /signup 200":                     1,
		} {
			if counts[key] != want {
				t.Errorf("requests{%s} = %v, want %v (have %v)", key, counts[key], want, counts)
			}
		}
		// Raw paths would let anyone create series without end.
		for _, raw := range []string{"12345", "98765"} {
			if strings.Contains(body, raw) {
				t.Errorf("/metrics contains the raw path with %s", raw)
			}
		}
		if fams["samen_http_request_duration_seconds"] == nil {
			t.Error("no samen_http_request_duration_seconds")
		}
		pending := fams["samen_mail_outbox_pending"]
		if pending == nil || len(pending.GetMetric()) != 1 {
			t.Fatalf("no samen_mail_outbox_pending in\n%s", body)
		}
		if v := pending.GetMetric()[0].GetGauge().GetValue(); v != 1 {
			t.Errorf("samen_mail_outbox_pending = %v, want 1", v)
		}
		// An empty atlas: no points, nothing waiting.
		for _, name := range []string{"samen_atlas_map_points", "samen_atlas_moderation_waiting"} {
			if f := fams[name]; f == nil || f.GetMetric()[0].GetGauge().GetValue() != 0 {
				t.Errorf("%s = %v, want 0", name, f)
			}
		}
		info := fams["samen_build_info"]
		if info == nil || label(info.GetMetric()[0], "engine") != string(db.Engine()) || label(info.GetMetric()[0], "version") != "test" {
			t.Errorf("samen_build_info %v", info)
		}
	})
}

// A handler that panics gets a 500 in the right form, the panic is logged
// with its stack, and the server goes on serving.
func TestPanicRecovery(t *testing.T) {
	t.Parallel()
	log := &syncBuffer{}
	s := newSite(t, storetest.SQLite(t), logTo(log))
	s.Server.HandleForTest("GET /test/panic", func(http.ResponseWriter, *http.Request) { panic("boom in a page") })
	s.Server.HandleForTest("GET /api/v1/test/panic", func(http.ResponseWriter, *http.Request) { panic("boom in the API") })
	s.Server.HandleForTest("GET /test/abort", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	b := s.browser("en")

	r := b.get("/test/panic")
	if r.Status != http.StatusInternalServerError {
		t.Fatalf("page: status %d, want 500; body:\n%s", r.Status, r.Body)
	}
	mustContain(t, r, html(msgs.T("en", "error.internal")))
	if strings.Contains(r.Body, "boom") {
		t.Error("the page shows the panic")
	}
	checkSecurityHeaders(t, r)

	e := apiErrorOf(t, b.get("/api/v1/test/panic"), http.StatusInternalServerError)
	if e.Error.Code != "internal" || strings.Contains(e.Error.Message, "boom") {
		t.Errorf("API: %+v", e.Error)
	}

	logged := log.String()
	for _, want := range []string{"boom in a page", "boom in the API", "goroutine", `"path":"/test/panic"`} {
		if !strings.Contains(logged, want) {
			t.Errorf("the log lacks %q", want)
		}
	}

	// http.ErrAbortHandler is net/http's way to cut a response short; it
	// must reach the server, which drops the connection.
	req := b.newRequest(http.MethodGet, "/test/abort", nil)
	if resp, err := b.client.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("an aborted handler answered %d", resp.StatusCode)
	}

	if r := b.get("/healthz"); r.Status != http.StatusOK {
		t.Errorf("after the panics: /healthz status %d", r.Status)
	}
}

// /metrics for operators only: with a token configured it asks for it
// (Prometheus sends it as a bearer token), and with an address of its own
// the site does not serve it at all.
func TestMetricsCanBeRestricted(t *testing.T) {
	t.Parallel()
	const token = "a-long-metrics-token-for-prometheus"
	s := newSite(t, storetest.SQLite(t), func(c *siteConfig) { c.opts.MetricsToken = token })
	b := s.browser("")
	if r := b.get("/metrics"); r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" || strings.Contains(r.Body, "# HELP") {
		t.Errorf("/metrics without the token: %d %v", r.Status, r.Header)
	}
	if r := b.getWith("/metrics", "Authorization", "Bearer wrong-token-of-the-same-length!"); r.Status != http.StatusUnauthorized {
		t.Errorf("/metrics with a wrong token: %d", r.Status)
	}
	if r := b.getWith("/metrics", "Authorization", "Bearer "+token); r.Status != http.StatusOK || !strings.Contains(r.Body, "# HELP") {
		t.Errorf("/metrics with the token: %d", r.Status)
	}
	elsewhere := newSite(t, storetest.SQLite(t), func(c *siteConfig) { c.opts.MetricsElsewhere = true })
	if r := elsewhere.browser("").get("/metrics"); r.Status != http.StatusNotFound {
		t.Errorf("/metrics on the site when it has an address of its own: %d", r.Status)
	}
}

// Bodies over their limit are refused with 413 and a message that names
// the limit: a form (64 kB), a JSON body (1 MiB), an upload (4 MB).
func TestBodiesOverTheirLimit(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	s.seed()
	b := s.browser("en")
	r := b.postForm("/login", url.Values{"email": {"a@example.org"}, "password": {strings.Repeat("x", 70<<10)}})
	if r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, html(msgs.T("en", "error.form.too_large"))) {
		t.Errorf("a form of 70 kB: %d", r.Status)
	}
	api := s.script(s.tokenFor(steward.Email), "en")
	if r := api.call(http.MethodPost, "/workspaces", `{"name": "`+strings.Repeat("x", 2<<20)+`"}`); r.Status != http.StatusRequestEntityTooLarge ||
		!strings.Contains(r.Body, msgs.T("en", "error.json.too_large")) {
		t.Errorf("a JSON body of 2 MiB: %d %.200s", r.Status, r.Body)
	}
}
