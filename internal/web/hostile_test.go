package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/web"
)

// Values that break the rule for text from outside: every route refuses
// them, wherever they stand, with a 4xx.
var refusedValues = []string{"\x00", "A\x00B", "caf\xe9", "\xff\xfe", "\x1b[31m", "bell\a", "\u0085", "\x7f"}

// Values that are text but odd: numbers out of range, injection attempts,
// markup, paths, very long text. Whatever a route makes of them, it never
// fails with a 5xx.
var oddValues = []string{
	"", " ", "-1", "0", "99999999999999999999", "1e309", "NaN", "-Infinity",
	"' OR '1'='1", `"; DROP TABLE users; --`, "<script>alert(1)</script>", "../../../etc/passwd",
	"%00", "{{.}}", "181,1,2,3", "NaN,NaN,NaN,NaN", ",,,", "2026-02-30", "\u202eevil", "🏳️‍🌈",
	strings.Repeat("é", 5000), strings.Repeat("a,", 40000),
}

// Odd JSON values for every member of an API body.
var oddJSON = []string{`null`, `-1`, `1e308`, `true`, `[]`, `{}`, `"` + strings.Repeat("x", 100000) + `"`, `[[[[[[[[[[]]]]]]]]]]`}

// Path parameters that name nothing.
var oddPathValues = []string{"0", "-1", "99999999999999999999", "abc", "%00", "%FF", "1.5", "%2e%2e", "a%0Ab"}

var (
	formRE   = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	actionRE = regexp.MustCompile(`\baction="([^"]*)"`)
	methodRE = regexp.MustCompile(`\bmethod="([^"]*)"`)
	nameRE   = regexp.MustCompile(`<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"`)
	hrefRE   = regexp.MustCompile(`\bhref="(/[^"#]*)"`)
)

// routeParams collects, for each route, the names it reads: the query
// parameters of its links and GET forms, the fields of the forms that post
// to it, and what the OpenAPI document says of the API.
type routeParams struct {
	server *web.Server
	names  map[string]map[string]bool // "GET /atlas" → names
	paths  map[string]string          // route → a path of it that exists
}

func (rp *routeParams) add(route, name string) {
	if rp.names[route] == nil {
		rp.names[route] = map[string]bool{}
	}
	rp.names[route][name] = true
}

// page reads what a page's forms and links tell about the routes they lead to.
func (rp *routeParams) page(from, body string) []string {
	var next []string
	body = strings.ReplaceAll(body, "&amp;", "&")
	for _, f := range formRE.FindAllStringSubmatch(body, -1) {
		method := http.MethodGet
		if m := methodRE.FindStringSubmatch(f[1]); m != nil {
			method = strings.ToUpper(m[1])
		}
		action := from
		if a := actionRE.FindStringSubmatch(f[1]); a != nil && a[1] != "" {
			action = a[1]
		}
		u, err := url.Parse(action)
		if err != nil {
			continue
		}
		route := rp.server.PatternOf(method, u.Path)
		if route == "" {
			continue
		}
		if _, ok := rp.paths[route]; !ok {
			rp.paths[route] = u.Path
		}
		for _, n := range nameRE.FindAllStringSubmatch(f[2], -1) {
			rp.add(route, n[1])
		}
	}
	for _, h := range hrefRE.FindAllStringSubmatch(body, -1) {
		u, err := url.Parse(h[1])
		if err != nil {
			continue
		}
		route := rp.server.PatternOf(http.MethodGet, u.Path)
		if route == "" {
			continue
		}
		for name := range u.Query() {
			rp.add(route, name)
		}
		if _, ok := rp.paths[route]; !ok {
			rp.paths[route] = u.Path
			next = append(next, u.Path)
		}
	}
	return next
}

// openAPI reads the query parameters and body members of the API routes.
func (rp *routeParams) openAPI(t *testing.T, doc []byte) {
	var d struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	ref := func(s string) string { return s[strings.LastIndex(s, "/")+1:] }
	for path, ops := range d.Paths {
		for method, raw := range ops {
			var op struct {
				Parameters []struct {
					Ref  string `json:"$ref"`
					Name string `json:"name"`
					In   string `json:"in"`
				} `json:"parameters"`
				RequestBody struct {
					Content map[string]struct {
						Schema struct {
							Ref        string                     `json:"$ref"`
							Properties map[string]json.RawMessage `json:"properties"`
						} `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			if json.Unmarshal(raw, &op) != nil {
				continue
			}
			route := strings.ToUpper(method) + " /api/v1" + path
			for _, p := range op.Parameters {
				if p.Ref != "" {
					c := d.Components.Parameters[ref(p.Ref)]
					p.Name, p.In = c.Name, c.In
				}
				if p.In == "query" {
					rp.add(route, p.Name)
				}
			}
			schema := op.RequestBody.Content["application/json"].Schema
			props := schema.Properties
			if schema.Ref != "" {
				props = d.Components.Schemas[ref(schema.Ref)].Properties
			}
			for name := range props {
				rp.add(route, "json:"+name)
			}
		}
	}
}

// No request a visitor, a member or a steward can make answers with a
// 5xx: every route is walked with hostile values in every parameter and
// field it reads, and in its path. Values that break the text rule get a
// 4xx wherever they stand.
func TestHostileInputNeverFails(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		h := s.HTTP.Config.Handler
		routes := s.Server.RoutesForTest()
		rp := &routeParams{server: s.Server, names: map[string]map[string]bool{}, paths: map[string]string{}}

		// Something for the moderation queue, so that its forms show.
		member := s.script(s.tokenFor(member.Email), "en")
		if r := member.call(http.MethodPost, "/initiatives", `{"name": "Wachtende Werkplaats", "sectors": ["food"]}`); r.Status != http.StatusAccepted {
			t.Fatalf("a proposal to moderate: %d %s", r.Status, r.Body)
		}
		s.browser("en").postForm("/atlas/1/report", url.Values{"reason": {"outdated"}, "message": {"Gesloten sinds maart."}})

		// Learn the parameters from every page and form: a visitor sees
		// the forms for signing in, the steward everything else.
		admin := s.loggedIn(steward, "en")
		for _, b := range []*browser{s.browser("en"), admin} {
			queue := []string{"/", "/password/reset?token=x"}
			for _, rt := range routes {
				if rt.Method == http.MethodGet && !rt.API {
					queue = append(queue, concretePath(rt.Path))
				}
			}
			for seen := map[string]bool{}; len(queue) > 0; queue = queue[1:] {
				path := queue[0]
				if seen[path] || len(seen) > 400 {
					continue
				}
				seen[path] = true
				r := b.get(path)
				if r.Status == http.StatusOK && strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
					queue = append(queue, rp.page(path, r.Body)...)
				}
			}
		}
		rp.openAPI(t, []byte(admin.get("/api/v1/openapi.json").Body))
		// What the atlas pages read that no link of theirs shows: the
		// map sets the box from a script.
		for _, route := range []string{"GET /atlas", "GET /embed/atlas", "GET /atlas/feed.atom"} {
			for name := range rp.names["GET /api/v1/initiatives"] {
				rp.add(route, name)
			}
		}

		token := s.tokenFor(steward.Email)
		site, _ := url.Parse(s.HTTP.URL)
		send := func(who, method, target, contentType, body string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(method, target, strings.NewReader(body))
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			req.Header.Set("Accept-Language", "en")
			if who == "steward" {
				if strings.HasPrefix(target, "/api/") {
					req.Header.Set("Authorization", "Bearer "+token)
				} else {
					for _, c := range admin.client.Jar.Cookies(site) {
						req.AddCookie(c)
					}
				}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		requests := 0
		check := func(t *testing.T, who, method, target, contentType, body string, refused bool) {
			t.Helper()
			requests++
			rec := send(who, method, target, contentType, body)
			if rec.Code >= 500 || refused && (rec.Code < 400 || rec.Code >= 500) {
				shown := body
				if len(shown) > 200 {
					shown = shown[:200] + "…"
				}
				t.Errorf("%s %s %q as %s: status %d\n%.500s", method, target, shown, who, rec.Code, rec.Body)
			}
		}
		// Keep the steward signed in and the token alive: some routes log
		// out or revoke by design.
		stayIn := func() {
			if r := admin.get("/account"); r.Status != http.StatusOK {
				admin.login(steward.Email, steward.Password)
			}
			if rec := send("steward", http.MethodGet, "/api/v1/me", "", ""); rec.Code != http.StatusOK {
				token = s.tokenFor(steward.Email)
			}
		}

		walked := map[string]bool{}
		for _, rt := range routes {
			route := rt.Method + " " + rt.Path
			path, ok := rp.paths[route]
			if !ok {
				path = concretePath(rt.Path)
			}
			var names []string
			for n := range rp.names[route] {
				names = append(names, n)
			}
			slices.Sort(names)
			whos := []string{"steward"}
			if rt.Access == "anyone" {
				whos = append(whos, "visitor")
			}
			t.Run(route, func(t *testing.T) {
				for _, who := range whos {
					stayIn()
					walked[route] = true
					hasBody := rt.Method != http.MethodGet && rt.Method != http.MethodHead
					jsonBody := hasBody && rt.API
					var bodyNames, queryNames []string
					for _, n := range names {
						switch {
						case strings.HasPrefix(n, "json:"):
							bodyNames = append(bodyNames, strings.TrimPrefix(n, "json:"))
						case hasBody && !rt.API:
							bodyNames = append(bodyNames, n)
						default:
							queryNames = append(queryNames, n)
						}
					}
					// Every query parameter it reads, and one it does not.
					queryNames = append(queryNames, "unknown_parameter")
					emptyBody, ct := "", ""
					if jsonBody {
						emptyBody, ct = "{}", "application/json"
					} else if hasBody {
						ct = "application/x-www-form-urlencoded"
					}
					for i, n := range queryNames {
						check(t, who, rt.Method, path+"?"+url.Values{n: {refusedValues[i%len(refusedValues)]}}.Encode(), ct, emptyBody, true)
					}
					for _, v := range oddValues {
						q := url.Values{}
						for _, n := range queryNames {
							q.Set(n, v)
						}
						check(t, who, rt.Method, path+"?"+q.Encode(), ct, emptyBody, false)
					}
					for _, v := range refusedValues {
						check(t, who, rt.Method, path+"?"+url.Values{queryNames[0]: {v}}.Encode(), ct, emptyBody, true)
					}
					// Every field of its forms, or member of its JSON body.
					if len(bodyNames) > 0 {
						form := func(value func(name string) (string, bool)) string {
							if !jsonBody {
								f := url.Values{}
								for _, n := range bodyNames {
									if v, ok := value(n); ok {
										f.Set(n, v)
									}
								}
								return f.Encode()
							}
							m := map[string]json.RawMessage{}
							for _, n := range bodyNames {
								if v, ok := value(n); ok {
									m[n] = json.RawMessage(v)
								}
							}
							b, _ := json.Marshal(m)
							return string(b)
						}
						quote := func(v string) string {
							if !jsonBody {
								return v
							}
							// encoding/json would turn invalid UTF-8 into
							// U+FFFD: such a value goes in raw.
							if !utf8.ValidString(v) {
								return `"` + v + `"`
							}
							b, _ := json.Marshal(v)
							return string(b)
						}
						for i, n := range bodyNames {
							v := refusedValues[i%len(refusedValues)]
							check(t, who, rt.Method, path, ct, form(func(name string) (string, bool) {
								return quote(v), name == n
							}), true)
						}
						odd := oddValues
						if jsonBody {
							odd = append(slices.Clone(oddJSON), `"' OR '1'='1"`, `"<script>alert(1)</script>"`)
						}
						for _, v := range odd {
							check(t, who, rt.Method, path, ct, form(func(string) (string, bool) { return v, true }), false)
						}
						for _, v := range refusedValues {
							check(t, who, rt.Method, path, ct, form(func(string) (string, bool) { return quote(v), true }), true)
						}
					}
					// Its path parameters.
					if strings.Contains(rt.Path, "{") {
						for _, v := range oddPathValues {
							p := pathParamRE.ReplaceAllString(strings.ReplaceAll(rt.Path, "{$}", ""), v)
							check(t, who, rt.Method, p, ct, emptyBody, false)
						}
					}
				}
			})
		}
		for _, rt := range routes {
			if !walked[rt.Method+" "+rt.Path] {
				t.Errorf("%s %s was not walked", rt.Method, rt.Path)
			}
		}
		t.Logf("%d requests over %d routes", requests, len(routes))
	})
}
