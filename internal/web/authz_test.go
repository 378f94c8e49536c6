package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/web"
)

var pathParamRE = regexp.MustCompile(`\{[^}]*\}`)

// concretePath turns a ServeMux pattern path into a request path, with "1"
// for every wildcard.
func concretePath(pattern string) string {
	p := strings.ReplaceAll(pattern, "{$}", "")
	p = pathParamRE.ReplaceAllString(p, "1")
	if strings.HasSuffix(p, "/") && p != "/" {
		p += "x" // a subtree pattern: any path below it
	}
	return p
}

// rank orders the access levels; a route with an unknown level fails the test,
// so a new level cannot slip past it.
var rank = map[string]int{"anyone": 0, "signedIn": 1, "moderators": 2, "stewards": 3}

// Every route that needs someone signed in, or a role, refuses anyone less,
// as a page (a redirect to the login form, or 401) or as a JSON error. The
// test walks the server's own list of routes, so a new route is checked the
// day it is added.
func TestEveryRouteIsAuthorised(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		routes := s.Server.RoutesForTest()
		if len(routes) < 30 {
			t.Fatalf("only %d routes registered", len(routes))
		}

		// Path parameters are "1". Token 1 is the steward's, so that the
		// member's and moderator's tokens survive the requests that revoke
		// "token 1" (and those requests find nothing of theirs to revoke).
		decoy, _, err := s.Accounts.CreateToken(context.Background(), s.userID(steward.Email), "decoy")
		if err != nil || decoy.ID != 1 {
			t.Fatalf("the steward's token is %d (%v), want 1", decoy.ID, err)
		}
		// Each person has a browser (for pages) and, below the steward, a
		// token (for the API).
		memberToken := s.tokenFor(member.Email)
		moderatorToken := s.tokenFor(moderator.Email)
		as := map[string]*browser{
			"member":    s.loggedIn(member, "en"),
			"moderator": s.loggedIn(moderator, "en"),
			"steward":   s.loggedIn(steward, "en"),
		}
		tokens := map[string]string{"member": memberToken, "moderator": moderatorToken}
		levelOf := map[string]int{"anonymous": 0, "member": 1, "moderator": 2, "steward": 3}

		send := func(who string, rt web.RouteForTest) *response {
			t.Helper()
			b := as[who]
			if b == nil {
				b = s.browser("en")
			}
			req := b.newRequest(rt.Method, concretePath(rt.Path), nil)
			if rt.Method != http.MethodGet && rt.Method != http.MethodHead {
				req = b.newRequest(rt.Method, concretePath(rt.Path), strings.NewReader(""))
				req.Header.Set("Origin", s.HTTP.URL)
				if rt.API {
					req.Header.Set("Content-Type", "application/json")
				} else {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
			}
			if rt.API && tokens[who] != "" {
				// Scripts use tokens; drop the browser's cookie so the
				// token alone decides.
				b = s.browser("en")
				req.Header.Set("Authorization", "Bearer "+tokens[who])
			}
			return b.do(req)
		}

		checked := 0
		for _, rt := range routes {
			need, ok := rank[rt.Access]
			if !ok {
				t.Errorf("%s %s: access %q is not one this test knows", rt.Method, rt.Path, rt.Access)
				continue
			}
			if need == rank["anyone"] {
				continue
			}
			name := rt.Method + " " + rt.Path
			t.Run(name, func(t *testing.T) {
				checked++
				for _, who := range []string{"anonymous", "member", "moderator", "steward"} {
					r := send(who, rt)
					refused := levelOf[who] < need
					switch {
					case refused && who == "anonymous" && rt.API:
						e := apiErrorOf(t, r, http.StatusUnauthorized)
						if e.Error.Code != "auth.required" {
							t.Errorf("anonymous: code %q, want auth.required", e.Error.Code)
						}
						if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
							t.Errorf("anonymous: no WWW-Authenticate challenge")
						}
					case refused && who == "anonymous" && rt.Method == http.MethodGet:
						want := "/login?next=" + url.QueryEscape(concretePath(rt.Path))
						if r.Status != http.StatusSeeOther || r.Location() != want {
							t.Errorf("anonymous: status %d to %q, want 303 to %q", r.Status, r.Location(), want)
						}
					case refused && who == "anonymous":
						if r.Status != http.StatusUnauthorized {
							t.Errorf("anonymous: status %d, want 401", r.Status)
						}
						mustContain(t, r, html(msgs.T("en", "error.auth.required")))
					case refused && rt.API:
						e := apiErrorOf(t, r, http.StatusForbidden)
						if e.Error.Code != "auth.forbidden" {
							t.Errorf("%s: code %q, want auth.forbidden", who, e.Error.Code)
						}
					case refused:
						if r.Status != http.StatusForbidden {
							t.Errorf("%s: status %d, want 403", who, r.Status)
						}
						mustContain(t, r, html(msgs.T("en", "error.auth.forbidden")))
					default:
						// Allowed: whatever the answer, it is not the
						// router's refusal. A part may still refuse with a
						// rule of its own (a workspace for someone outside
						// it); workspace_authz_test.go checks those rules.
						partRefusal := r.Status == http.StatusForbidden && !strings.Contains(r.Body, "auth.forbidden") &&
							!strings.Contains(r.Body, html(msgs.T("en", "error.auth.forbidden")))
						if r.Status == http.StatusUnauthorized || (r.Status == http.StatusForbidden && !partRefusal) ||
							strings.HasPrefix(r.Location(), "/login") || r.Status >= 500 {
							t.Errorf("%s is refused: status %d to %q; body:\n%s", who, r.Status, r.Location(), r.Body)
						}
					}
				}
			})
		}
		if checked < 10 {
			t.Errorf("only %d routes need someone signed in; the route list looks wrong", checked)
		}

		if r := s.script(memberToken, "en").call(http.MethodGet, "/me", ""); r.Status != http.StatusOK {
			t.Errorf("the member's token stopped working: status %d", r.Status)
		}
	})
}

// openData are the API routes anyone may read without a token: the API's
// own description and the atlas's open data. Anything else under /api/
// needs someone signed in; adding a public route means adding it here.
var openData = map[string]bool{
	"GET /api/v1/openapi.json":                  true,
	"GET /api/v1/initiatives":                   true,
	"GET /api/v1/initiatives/changes":           true,
	"GET /api/v1/initiatives/{id}":              true,
	"GET /api/v1/initiatives/{id}/murmurations": true,
	"GET /api/v1/clusters":                      true,
	"GET /api/v1/export/{format}":               true,
	"GET /api/v1/atlas/vocabulary":              true,
	"GET /api/v1/tools":                         true,
	"GET /api/v1/tools/{id}":                    true,
	"POST /api/v1/scans":                        true,
	"GET /api/v1/advice":                        true,
	"GET /api/v1/assessment/framework":          true,
	"GET /api/v1/assessments":                   true,
	"GET /api/v1/assessments/{id}":              true,
	"GET /api/v1/workspaces/{ws}":               true, // a workspace's name and counts; what is inside needs its circles
	// City-wide decisions and budgets are public, results and ballot files
	// included (anyone may recount them); a workspace's show only to its
	// circles, which the decide service checks.
	"GET /api/v1/decisions":                 true,
	"GET /api/v1/decisions/{id}":            true,
	"GET /api/v1/decisions/{id}/results":    true,
	"GET /api/v1/decisions/{id}/ballots":    true,
	"GET /api/v1/workspaces/{ws}/decisions": true,
	"GET /api/v1/budgets":                   true,
	"GET /api/v1/budgets/{id}":              true,
	"GET /api/v1/budgets/{id}/results":      true,
	"GET /api/v1/budgets/{id}/ballots":      true,
	"GET /api/v1/workspaces/{ws}/budgets":   true,
	// The ledger is public, as Open Collective's is: its entries name
	// accounts, never people. Running and ended campaigns are public.
	"GET /api/v1/ledger":          true,
	"GET /api/v1/ledger.csv":      true,
	"GET /api/v1/ledger/accounts": true,
	"GET /api/v1/campaigns":       true,
	"GET /api/v1/campaigns/{id}":  true,
	// Pools are public (their rules and funders are the point); drafts
	// only for their managers, which the fund service checks.
	"GET /api/v1/pools":      true,
	"GET /api/v1/pools/{id}": true,
	// The municipality's report of public money: public.
	"GET /api/v1/funding/report":     true,
	"GET /api/v1/funding/report.csv": true,
	// Giving needs no account, as on the page.
	"POST /api/v1/campaigns/{id}/contributions": true,
}

// A safety net under the site map: whatever sits under /admin/ is for
// stewards, /moderation for moderators, /account for people signed in, and
// the API asks for a token everywhere except for its description and the
// open data.
func TestRouteAccessByPlace(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	for _, rt := range s.Server.RoutesForTest() {
		name := rt.Method + " " + rt.Path
		switch {
		case strings.HasPrefix(rt.Path, "/admin/") && rt.Access != "stewards":
			t.Errorf("%s: access %s, want stewards", name, rt.Access)
		case (rt.Path == "/moderation" || strings.HasPrefix(rt.Path, "/moderation/")) && rank[rt.Access] < rank["moderators"]:
			t.Errorf("%s: access %s, want moderators", name, rt.Access)
		case (rt.Path == "/account" || strings.HasPrefix(rt.Path, "/account/")) && rank[rt.Access] < rank["signedIn"]:
			t.Errorf("%s: access %s, want someone signed in", name, rt.Access)
		case rt.API && !openData[name] && rank[rt.Access] < rank["signedIn"]:
			t.Errorf("%s: access %s, want someone signed in", name, rt.Access)
		case rt.API != strings.HasPrefix(rt.Path, "/api/"):
			t.Errorf("%s: API flag %v does not match the path", name, rt.API)
		}
	}
}
