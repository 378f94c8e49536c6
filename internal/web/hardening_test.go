package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// What a security and reliability probe of the site found (issue 10), each
// as a visitor or a script would meet it, on both engines.
func TestProbeFindings(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		visitor := s.browser("en")
		api := s.script(s.tokenFor(member.Email), "en")

		t.Run("text that is not text, through the API", func(t *testing.T) {
			for _, tc := range []struct{ body, field, code string }{
				// The probe's case: PostgreSQL answered 500, SQLite stored it.
				{`{"name": "A\u0000B", "sectors": ["food"]}`, "name", "text.control"},
				{`{"name": "Bakkerij", "sectors": ["food"], "summary": {"nl": "caf` + "\xe9" + `"}}`, "summary.nl", "text.encoding"},
				{`{"name": "Bakkerij", "sectors": ["food"], "needs": [{"kind": "space", "text": "ok"}, {"kind": "space", "text": "\u001b[2J"}]}`, "needs.1.text", "text.control"},
			} {
				e := apiErrorOf(t, api.call(http.MethodPost, "/initiatives", tc.body), http.StatusBadRequest)
				if f := e.Error.Fields[tc.field]; f.Code != tc.code || len(e.Error.Fields) != 1 {
					t.Errorf("%s: fields %+v, want only %s: %s", tc.body, e.Error.Fields, tc.field, tc.code)
				}
			}
			// Nothing of it was stored.
			r := visitor.get("/api/v1/initiatives?q=Bakkerij+caf")
			if strings.Contains(r.Body, "\\u0000") || strings.Contains(r.Body, "\ufffd") {
				t.Errorf("a refused name was stored: %s", r.Body)
			}
			// Line breaks and tabs are text.
			ok := api.call(http.MethodPost, "/initiatives", `{"name": "Buurtkeuken Tab", "sectors": ["food"], "description": {"nl": "Twee\nregels\tmet tab"}}`)
			if ok.Status != http.StatusAccepted && ok.Status != http.StatusCreated {
				t.Errorf("a description with a line break and a tab: %d %s", ok.Status, ok.Body)
			}
		})

		t.Run("API fields are named as the JSON names them", func(t *testing.T) {
			for body, field := range map[string]string{
				`{"name": 5}`: "name",
				`{"name": "Bakkerij", "needs": [{"kind": "space"}, {"kind": "space", "text": 7}]}`: "needs.1.text",
				`{"name": "Bakkerij", "location": {"latitude": "north"}}`:                          "location.latitude",
			} {
				e := apiErrorOf(t, api.call(http.MethodPut, "/initiatives/1", body), http.StatusBadRequest)
				if f, ok := e.Error.Fields[field]; !ok || f.Code != "json.wrong_type" {
					t.Errorf("%s: fields %+v, want %s", body, e.Error.Fields, field)
				}
				for name := range e.Error.Fields {
					if strings.Contains(name, "Record") {
						t.Errorf("%s: the field %q names a Go type", body, name)
					}
				}
			}
		})

		t.Run("text that is not text, in forms and addresses", func(t *testing.T) {
			b := s.loggedIn(member, "en")
			form := proposal("Naai\x00atelier")
			r := b.postForm("/atlas/new", form)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("a NUL in a form field: status %d", r.Status)
			}
			mustContain(t, r, "<code>name</code>", html(msgs.T("en", "field.text.control")))
			r = visitor.get("/atlas?q=" + url.QueryEscape("fiets\x1b"))
			if r.Status != http.StatusBadRequest {
				t.Errorf("a control character in a query: status %d", r.Status)
			}
			mustContain(t, r, "<code>q</code>")
			if r := visitor.get("/toolbox/tools/a%00b"); r.Status != http.StatusNotFound {
				t.Errorf("a NUL in a path: status %d", r.Status)
			}
		})

		t.Run("a map box past the antimeridian is a bad request, not a crash", func(t *testing.T) {
			for _, path := range []string{"/atlas?bbox=181,1,2,3", "/embed/atlas?bbox=181,1,2,3", "/atlas/feed.atom?bbox=181,1,2,3"} {
				r := visitor.get(path)
				if r.Status != http.StatusBadRequest {
					t.Errorf("%s: status %d, want 400", path, r.Status)
				}
			}
			mustContain(t, visitor.get("/atlas?bbox=181,1,2,3"), "<code>bbox</code>", html(msgs.T("en", "field.bbox.invalid")))
			for _, path := range []string{"/api/v1/initiatives?bbox=181,1,2,3", "/api/v1/clusters?zoom=3&bbox=181,1,2,3"} {
				if e := apiErrorOf(t, visitor.get(path), http.StatusBadRequest); e.Error.Fields["bbox"].Code != "bbox.invalid" {
					t.Errorf("%s: %+v", path, e.Error)
				}
			}
			// A box across the antimeridian, and one past 180 as MapLibre
			// reports a map panned east, are still fine.
			for _, path := range []string{"/atlas?bbox=170,-10,-170,10", "/api/v1/clusters?zoom=3&bbox=181,1,185,3"} {
				if r := visitor.get(path); r.Status != http.StatusOK {
					t.Errorf("%s: status %d", path, r.Status)
				}
			}
		})

		t.Run("no contact address, no contact form", func(t *testing.T) {
			// A moderator's proposal is published at once.
			modAPI := s.script(s.tokenFor(moderator.Email), "en")
			r := modAPI.call(http.MethodPost, "/initiatives", `{"name": "Zonder Adres", "sectors": ["food"], "not_duplicate": true}`)
			var created struct {
				ID     int64  `json:"id"`
				Status string `json:"status"`
			}
			r.JSON(t, &created)
			if r.Status != http.StatusCreated || created.Status != "published" {
				t.Fatalf("publishing: %d %s", r.Status, r.Body)
			}
			path := "/atlas/" + strconv.FormatInt(created.ID, 10)
			page := visitor.get(path)
			if page.Status != http.StatusOK || strings.Contains(page.Body, path+"/contact") {
				t.Errorf("the page of an initiative without an address offers the contact form (status %d)", page.Status)
			}
			if r := visitor.get(path + "/contact"); r.Status != http.StatusNotFound {
				t.Errorf("GET its contact form: status %d, want 404", r.Status)
			}
			if r := visitor.postForm(path+"/contact", url.Values{"name": {"Ans"}, "email": {"ans@example.net"}, "message": {"Mag ik langskomen?"}}); r.Status != http.StatusNotFound {
				t.Errorf("POST its contact form: status %d, want 404", r.Status)
			}
		})

		t.Run("the directory's links keep its filters", func(t *testing.T) {
			page := visitor.get("/atlas?q=fiets&sector=food")
			links := regexp.MustCompile(`href="(/(?:atlas/feed\.atom|api/v1/initiatives|embed/atlas)[^"]*)"`).FindAllStringSubmatch(page.Body, -1)
			if len(links) < 3 {
				t.Fatalf("found %d feed and data links, want at least 3", len(links))
			}
			unfiltered := visitor.get("/api/v1/initiatives")
			var all struct {
				Features []json.RawMessage `json:"features"`
			}
			if err := json.Unmarshal([]byte(unfiltered.Body), &all); err != nil {
				t.Fatal(err)
			}
			for _, l := range links {
				href := strings.ReplaceAll(l[1], "&amp;", "&")
				u, err := url.Parse(href)
				if err != nil || u.Query().Get("q") != "fiets" || u.Query().Get("sector") != "food" {
					t.Errorf("link %q does not keep q=fiets and sector=food", href)
				}
			}
			// Followed, the GeoJSON link gives the filtered list, which
			// here is empty: no food initiative is about bicycles.
			var got struct {
				Features []json.RawMessage `json:"features"`
			}
			if err := json.Unmarshal([]byte(visitor.get("/api/v1/initiatives?"+geojsonQuery(t, links)).Body), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Features) != 0 || len(all.Features) == 0 {
				t.Errorf("the GeoJSON link gives %d features (all: %d), want none", len(got.Features), len(all.Features))
			}
		})

		t.Run("static files only, no listings", func(t *testing.T) {
			for _, path := range []string{"/static/", "/static/vendor/", "/static/vendor", "/static/../"} {
				r := visitor.get(path)
				if r.Status != http.StatusNotFound && r.Status != http.StatusTemporaryRedirect {
					t.Errorf("%s: status %d, want 404", path, r.Status)
				}
				if strings.Contains(r.Body, "<pre>") || strings.Contains(r.Body, `href="maplibre-gl.js"`) {
					t.Errorf("%s lists files:\n%s", path, r.Body)
				}
			}
			if r := visitor.get("/static/favicon.svg"); r.Status != http.StatusOK {
				t.Errorf("a static file: status %d", r.Status)
			}
		})
	})
}

// geojsonQuery is the query of the GeoJSON link among the links found.
func geojsonQuery(t *testing.T, links [][]string) string {
	t.Helper()
	for _, l := range links {
		if u, err := url.Parse(strings.ReplaceAll(l[1], "&amp;", "&")); err == nil && u.Path == "/api/v1/initiatives" {
			return u.RawQuery
		}
	}
	t.Fatal("no GeoJSON link")
	return ""
}
