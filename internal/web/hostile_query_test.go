package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"samen/internal/demo"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/web"
)

// hostileQuery is one query a visitor could send to any address: numbers
// out of range, boxes the map cannot show, text that is far too long or not
// text, a parameter repeated a thousand times. Params are the names it sets:
// a 400 for it must name one of them.
type hostileQuery struct {
	name   string
	query  string
	params []string
}

func hostileQueries() []hostileQuery {
	repeat := func(kv string, n int) string { return strings.TrimSuffix(strings.Repeat(kv+"&", n), "&") }
	var manyWords []string
	for i := range 1500 {
		manyWords = append(manyWords, fmt.Sprintf("w%d", i))
	}
	qs := []hostileQuery{
		{"page=0", "page=0", nil},
		{"page too big", "page=99999999999999999999", nil},
		{"limit=-5", "limit=-5", nil},
		{"limit=1000000", "limit=1000000", nil},
		{"cursors garbage", "cursor=garbage&before=garbage&after=-1", nil},
		{"cursor too big", "cursor=99999999999999999999", nil},
		{"bbox the world, close up", "bbox=-180,-90,180,90&zoom=24", nil},
		{"bbox inverted", "bbox=10,50,5,40&zoom=10", nil},
		{"bbox NaN", "bbox=NaN,NaN,NaN,NaN&zoom=5", nil},
		{"bbox Inf", "bbox=-Inf,-1e308,Inf,1e308&zoom=5", nil},
		{"zoom=-1", "bbox=4.8,52.3,5,52.4&zoom=-1", nil},
		{"zoom=99", "bbox=4.8,52.3,5,52.4&zoom=99", nil},
		{"zoom=NaN", "bbox=4.8,52.3,5,52.4&zoom=NaN", nil},
		{"near off the globe", "near=91,181&radius=1e308", nil},
		{"near NaN", "near=NaN,NaN&radius=NaN", nil},
		{"q of 10 kB", "q=" + url.QueryEscape(strings.Repeat("fiets ", 1700)), nil},
		{"q of 1500 words", "q=" + url.QueryEscape(strings.Join(manyWords, " ")), nil},
		{"q not UTF-8", "q=%ff", nil},
		{"a name not UTF-8", "%ff=1", nil},
		{"lang=xx", "lang=xx", nil},
		{"order=nonsense", "order=nonsense", nil},
		{"order=distance without near", "order=distance", nil},
		{"format and next elsewhere", "format=../../etc/passwd&next=//evil.example/", nil},
		{"dates garbage", "since=garbage&from=2026-02-30&to=garbage&version=garbage&period=-1", nil},
		{"dates far", "since=9999-12-31T23:59:59Z&from=0001-01-01&to=9999-12-31", nil},
		{"ids and counts out of range", "actor=-1&member=99999999999999999999&edit=99999999999999999999&initiative=-1&credits=99999999999999&debits=-5", nil},
		{"tokens garbage", "token=garbage&t=garbage&state=garbage&code=garbage", nil},
	}
	for _, name := range []string{"sector", "q", "ids", "tools", "uses"} {
		value := map[string]string{"sector": "food", "q": "fiets", "ids": "1", "tools": "nextcloud", "uses": "chat"}[name]
		qs = append(qs, hostileQuery{name + " a thousand times", repeat(name+"="+value, 1000), []string{name}})
	}
	for i := range qs {
		if qs[i].params != nil {
			continue
		}
		v, err := url.ParseQuery(qs[i].query)
		if err != nil {
			panic(err)
		}
		for name := range v {
			// A name that is not text is named as the server shows it.
			qs[i].params = append(qs[i].params, strings.ToValidUTF8(name, "\ufffd"))
		}
	}
	return qs
}

// Every GET route of the site and the API, signed out and signed in as the
// steward (and as the member, where only they get in), with hostile query
// parameters: no 5xx, an answer within seconds, and a refusal in the site's
// shape — a JSON error naming the parameter for the API, a page in the
// reader's language naming it for people. Then every list of the API
// takes the page sizes its document promises and refuses the rest alike.
func TestHostileQueryParameters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// The whole demo, decisions and funding too, so that every page
		// has something to show.
		s := newSite(t, db)
		svc := demoServices(s.Parts)
		svc.Decisions, svc.Funding = s.Parts.Decisions, s.Parts.Funding
		if _, err := demo.Seed(context.Background(), s.Accounts, svc); err != nil {
			t.Fatalf("seeding: %v", err)
		}
		var routes []web.RouteForTest
		for _, rt := range s.Server.RoutesForTest() {
			if rt.Method == http.MethodGet {
				routes = append(routes, rt)
			}
		}
		if len(routes) < 100 {
			t.Fatalf("only %d GET routes", len(routes))
		}

		// Who asks: a visitor reading Dutch and the steward reading
		// English, each signed-in one with a session for pages and a token
		// for the API. The member asks too where only they get in: they
		// run the demo workspace.
		visitor := &asker{"visitor", s.browser("nl"), "nl", ""}
		admin := &asker{"steward", s.loggedIn(steward, "en"), "en", s.tokenFor(steward.Email)}
		core := &asker{"member", s.loggedIn(member, "nl"), "nl", s.tokenFor(member.Email)}

		// Paths that name something: what the pages link to, learnt by
		// following the links of every page the steward and the member
		// open, one address of each route.
		links := map[string][]string{} // route pattern → addresses, with their queries
		visited := map[string]bool{}
		for _, a := range []*asker{admin, core} {
			var queue []string
			for _, rt := range routes {
				if !rt.API && !strings.Contains(strings.ReplaceAll(rt.Path, "{$}", ""), "{") {
					queue = append(queue, concretePath(rt.Path))
				}
			}
			seen := map[string]bool{}
			for ; len(queue) > 0; queue = queue[1:] {
				r, _, err := a.get(queue[0])
				if err != nil || r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
					continue
				}
				for _, h := range hrefRE.FindAllStringSubmatch(strings.ReplaceAll(r.Body, "&amp;", "&"), -1) {
					u, err := url.Parse(h[1])
					if err != nil {
						continue
					}
					// The language switch would change the asker's
					// language for good.
					pattern := s.Server.PatternOf(http.MethodGet, u.Path)
					if pattern == "" || pattern == "GET /language" || len(links[pattern]) >= 4 || slices.Contains(links[pattern], u.RequestURI()) {
						continue
					}
					links[pattern] = append(links[pattern], u.RequestURI())
					if !seen[pattern] && !visited[u.Path] {
						seen[pattern], visited[u.Path] = true, true
						queue = append(queue, u.Path)
					}
				}
			}
		}
		// The same things through the API: its paths are the pages' with
		// /api/v1 in front. What no page links to (the map's clusters,
		// the changes since a moment) is asked as the map and a
		// harvester ask.
		for _, addrs := range maps.Clone(links) {
			for _, a := range addrs {
				u, _ := url.Parse(a)
				if api := s.Server.PatternOf(http.MethodGet, "/api/v1"+u.Path); api != "" && len(links[api]) < 4 {
					links[api] = append(links[api], "/api/v1"+u.Path)
				}
			}
		}
		links["GET /api/v1/advice"] = append(links["GET /api/v1/advice"], "/api/v1/advice?size=under_10")
		links["GET /assessments/compare"] = append(links["GET /assessments/compare"], "/assessments/compare?ids=1&ids=2", "/assessments/compare?ids=2&ids=3")
		links["GET /api/v1/clusters"] = append(links["GET /api/v1/clusters"], "/api/v1/clusters?bbox=4.7,52.3,5.1,52.45&zoom=11")
		links["GET /api/v1/initiatives/changes"] = append(links["GET /api/v1/initiatives/changes"], "/api/v1/initiatives/changes?since=2020-01-01T00:00:00Z")

		// The address each route is walked at: the first that the
		// steward, or else the member, opens.
		type walk struct {
			target string
			askers []*asker
		}
		walkOf := func(rt web.RouteForTest) walk {
			pattern := rt.Method + " " + rt.Path
			for _, a := range []*asker{admin, core} {
				for _, target := range append(slices.Clone(links[pattern]), concretePath(rt.Path)) {
					if r, _, err := a.get(target); err == nil && r.Status == http.StatusOK {
						if a == core {
							return walk{target, []*asker{visitor, admin, core}}
						}
						return walk{target, []*asker{visitor, admin}}
					}
				}
			}
			return walk{concretePath(rt.Path), []*asker{visitor, admin}}
		}

		const slow = 5 * time.Second
		requests, opened := 0, 0
		type timing struct {
			target string
			took   time.Duration
			status int
		}
		var slowest []timing
		walks := map[string]walk{}
		for _, rt := range routes {
			route := rt.Method + " " + rt.Path
			w := walkOf(rt)
			walks[route] = w
			t.Run(route, func(t *testing.T) {
				for _, a := range w.askers {
					base, _, err := a.get(w.target)
					if err != nil {
						t.Fatalf("%s as %s: %v", w.target, a.name, err)
					}
					if base.Status == http.StatusOK {
						opened++
					}
					baseFields := map[string]bool{}
					if rt.API && base.Status == http.StatusBadRequest {
						var e apiError
						if json.Unmarshal([]byte(base.Body), &e) == nil {
							for f := range e.Error.Fields {
								baseFields[f] = true
							}
						}
					}
					for _, hq := range hostileQueries() {
						requests++
						target := withQuery(w.target, hq.query)
						r, took, err := a.get(target)
						shown := target
						if len(shown) > 120 {
							shown = shown[:120] + "…"
						}
						switch {
						case errors.Is(err, context.DeadlineExceeded):
							t.Errorf("%s (%s) as %s: no answer within %s", shown, hq.name, a.name, 3*slow)
							continue
						case err != nil:
							t.Errorf("%s (%s) as %s: %v", shown, hq.name, a.name, err)
							continue
						case took > slow:
							t.Errorf("%s (%s) as %s: answered in %s", shown, hq.name, a.name, took.Round(time.Millisecond))
						}
						slowest = append(slowest, timing{shown, took, r.Status})
						if r.Status >= 500 {
							t.Errorf("%s (%s) as %s: status %d\n%.400s", shown, hq.name, a.name, r.Status, r.Body)
							continue
						}
						if r.Status < 400 {
							continue
						}
						if rt.API {
							checkAPIRefusal(t, a.name, shown, hq, r, base.Status, baseFields)
						} else {
							checkPageRefusal(t, a.name, a.lang, shown, hq, r, base.Status)
						}
					}
				}
			})
		}
		slices.SortFunc(slowest, func(a, b timing) int { return int(b.took - a.took) })
		for _, x := range slowest[:min(5, len(slowest))] {
			t.Logf("slowest: %s %d %s", x.took.Round(time.Millisecond), x.status, x.target)
		}
		t.Logf("%d requests over %d GET routes (%d of them walked where they open)", requests, len(routes), opened)

		// Page sizes: every list of the API that takes a limit takes the
		// largest its document names, and refuses one more, a negative
		// one and one that is no number with the same 400 naming limit;
		// a cursor that is no number likewise.
		t.Run("page sizes", func(t *testing.T) {
			r, _, err := admin.get("/api/v1/openapi.json")
			if err != nil || r.Status != http.StatusOK {
				t.Fatalf("the OpenAPI document: %v", err)
			}
			lists := openAPILimits(t, []byte(r.Body))
			if len(lists) < 5 {
				t.Fatalf("only %d lists with a limit in the OpenAPI document", len(lists))
			}
			for route, max := range lists {
				w, ok := walks[route]
				if !ok {
					t.Errorf("%s: in the OpenAPI document, not served", route)
					continue
				}
				a := w.askers[len(w.askers)-1]
				if r, _, _ := a.get(w.target); r == nil || r.Status != http.StatusOK {
					t.Errorf("%s: %s does not open, so its page sizes go untried", route, w.target)
					continue
				}
				if r, _, err := a.get(withQuery(w.target, fmt.Sprintf("limit=%d", max))); err != nil || r.Status != http.StatusOK {
					t.Errorf("%s: limit=%d, the documented maximum: %s", route, max, statusOf(r, err))
				}
				for _, q := range []string{fmt.Sprintf("limit=%d", max+1), "limit=1000000", "limit=-5", "limit=ten", "cursor=garbage"} {
					field, _, _ := strings.Cut(q, "=")
					r, _, err := a.get(withQuery(w.target, q))
					if err != nil || r.Status != http.StatusBadRequest {
						t.Errorf("%s?%s: %s, want 400", w.target, q, statusOf(r, err))
						continue
					}
					e := apiErrorOf(t, r, http.StatusBadRequest)
					if f, ok := e.Error.Fields[field]; !ok || len(e.Error.Fields) != 1 {
						t.Errorf("%s?%s: fields %+v, want %s alone", w.target, q, e.Error.Fields, field)
					} else if field == "limit" && !strings.Contains(f.Message, fmt.Sprint(max)) {
						t.Errorf("%s?%s: %q does not say the maximum, %d", w.target, q, f.Message, max)
					}
				}
			}
		})
	})
}

// asker is someone sending requests: a browser, and for the API a token.
type asker struct {
	name  string
	b     *browser
	lang  string
	token string
}

// get asks for target and reads the answer, within a deadline: a server
// that hangs fails the request rather than the test run.
func (a *asker) get(target string) (*response, time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req := a.b.newRequest(http.MethodGet, target, nil).WithContext(ctx)
	if a.token != "" && strings.HasPrefix(target, "/api/") {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	began := time.Now()
	resp, err := a.b.client.Do(req)
	if err != nil {
		return nil, time.Since(began), err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: string(body), resp: resp}, time.Since(began), err
}

// statusOf says how a request ended, for a failure message.
func statusOf(r *response, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("status %d %.300s", r.Status, r.Body)
}

// withQuery sets the parameters of query on target, replacing those it
// already has of the same names.
func withQuery(target, query string) string {
	u, err := url.Parse(target)
	if err != nil {
		panic(err)
	}
	v := u.Query()
	add, err := url.ParseQuery(query)
	if err != nil {
		panic(err)
	}
	maps.Copy(v, add)
	return u.Path + "?" + v.Encode()
}

// openAPILimits is, for each GET operation of the OpenAPI document with a
// limit parameter, the largest limit the document allows.
func openAPILimits(t *testing.T, doc []byte) map[string]int {
	t.Helper()
	type param struct {
		Ref    string `json:"$ref"`
		Name   string `json:"name"`
		In     string `json:"in"`
		Schema struct {
			Maximum *int `json:"maximum"`
		} `json:"schema"`
	}
	var d struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]param `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for path, ops := range d.Paths {
		var op struct {
			Parameters []param `json:"parameters"`
		}
		if raw, ok := ops["get"]; !ok || json.Unmarshal(raw, &op) != nil {
			continue
		}
		for _, p := range op.Parameters {
			if p.Ref != "" {
				p = d.Components.Parameters[p.Ref[strings.LastIndex(p.Ref, "/")+1:]]
			}
			if p.In != "query" || p.Name != "limit" {
				continue
			}
			if p.Schema.Maximum == nil {
				t.Errorf("GET %s: a limit without a maximum", path)
				continue
			}
			out["GET /api/v1"+path] = *p.Schema.Maximum
		}
	}
	return out
}

// checkAPIRefusal: an API refusal is the project's JSON error; a 400 where
// the same request without the query passed names one of the query's
// parameters.
func checkAPIRefusal(t *testing.T, who, target string, hq hostileQuery, r *response, baseStatus int, baseFields map[string]bool) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s (%s) as %s: status %d with Content-Type %q, want the JSON error\n%.300s", target, hq.name, who, r.Status, ct, r.Body)
		return
	}
	dec := json.NewDecoder(strings.NewReader(r.Body))
	dec.DisallowUnknownFields()
	var e apiError
	if err := dec.Decode(&e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Errorf("%s (%s) as %s: status %d, not the error shape (%v)\n%.300s", target, hq.name, who, r.Status, err, r.Body)
		return
	}
	for f, fe := range e.Error.Fields {
		if fe.Code == "" || fe.Message == "" || fe.Message == "field."+fe.Code {
			t.Errorf("%s (%s) as %s: field %q without code or message: %s", target, hq.name, who, f, r.Body)
		}
	}
	if r.Status != http.StatusBadRequest || baseStatus >= 300 {
		return
	}
	if len(e.Error.Fields) == 0 {
		t.Errorf("%s (%s) as %s: a 400 that names no parameter: %s", target, hq.name, who, r.Body)
		return
	}
	for f := range e.Error.Fields {
		if slices.Contains(hq.params, f) || baseFields[f] {
			return
		}
	}
	t.Errorf("%s (%s) as %s: a 400 naming %v, none of %v", target, hq.name, who, slices.Sorted(maps.Keys(e.Error.Fields)), hq.params)
}

// checkPageRefusal: a refused page is an HTML page in the reader's
// language; a 400 where the page without the query opened names one of
// the query's parameters.
func checkPageRefusal(t *testing.T, who, lang, target string, hq hostileQuery, r *response, baseStatus int) {
	t.Helper()
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "text/html") {
		// Feeds and files refuse in plain words or their own format;
		// what matters is that they refuse.
		if strings.HasSuffix(target, ".atom") || strings.Contains(ct, "text/plain") {
			return
		}
		t.Errorf("%s (%s) as %s: status %d with Content-Type %q, want a page\n%.300s", target, hq.name, who, r.Status, ct, r.Body)
		return
	}
	if !strings.Contains(r.Body, `<html lang="`+lang+`"`) {
		t.Errorf("%s (%s) as %s: status %d, not a page in %s\n%.300s", target, hq.name, who, r.Status, lang, r.Body)
	}
	// Other refusals (a link that expired, say) have pages of their own.
	if (r.Status == http.StatusBadRequest || r.Status == http.StatusNotFound) && !strings.Contains(r.Body, html(msgs.T(lang, "error.title"))) {
		t.Errorf("%s (%s) as %s: status %d, not the error page\n%.600s", target, hq.name, who, r.Status, r.Body)
	}
	if r.Status != http.StatusBadRequest || baseStatus >= 300 {
		return
	}
	for _, p := range hq.params {
		if strings.Contains(r.Body, "<code>"+html(p)+"</code>") {
			return
		}
	}
	t.Errorf("%s (%s) as %s: a 400 page naming none of %v\n%.2000s", target, hq.name, who, hq.params, r.Body)
}
