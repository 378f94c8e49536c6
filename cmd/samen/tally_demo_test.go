package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/demo"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/tally"
	"samen/internal/web"
)

// TestTallyAgreesWithTheDemo is issue 13's promise to an observer: every
// decision of the demo, once closed, and the demo's participatory budget
// download as files that `samen tally`, offline, counts to what the site
// says. The demo's open decisions are closed by moving the clock past their
// closing time, as the server's ticker would.
func TestTallyAgreesWithTheDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := httptest.NewUnstartedServer(nil)
		base := "http://" + srv.Listener.Addr().String()
		parts, err := buildParts(ctx, db, wiring{BaseURL: base, Files: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		var ahead atomic.Int64 // how far the decisions' clock runs ahead
		parts.Decisions.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
		site, err := web.New(web.Options{BaseURL: base, MailToLog: true}, db, parts, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Seed(ctx, parts.Accounts, demo.Services{Atlas: parts.Atlas, Toolbox: parts.Toolbox, Assess: parts.Assess,
			Workspaces: parts.Workspaces, Decisions: parts.Decisions}); err != nil {
			t.Fatal(err)
		}
		srv.Config.Handler = site.Handler()
		srv.Start()
		defer srv.Close()

		// The demo's open votes close within weeks.
		ahead.Store(int64(60 * 24 * time.Hour))
		if _, err := parts.Decisions.Advance(ctx); err != nil {
			t.Fatal(err)
		}

		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		var member demo.Account
		for _, a := range demo.Accounts {
			if a.Role == account.Member {
				member = a
			}
		}
		resp, err := client.PostForm(base+"/login", url.Values{"email": {member.Email}, "password": {member.Password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the demo member's login: %d", resp.StatusCode)
		}
		get := func(path string, into any) []byte {
			t.Helper()
			resp, err := client.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d %v\n%s", path, resp.StatusCode, err, body)
			}
			if into != nil {
				if err := json.Unmarshal(body, into); err != nil {
					t.Fatalf("GET %s: %v\n%s", path, err, body)
				}
			}
			return body
		}

		var workspaces struct {
			Workspaces []struct {
				Slug   string `json:"slug"`
				Circle string `json:"circle"`
			} `json:"workspaces"`
		}
		get("/api/v1/workspaces", &workspaces)
		var slug string
		for _, w := range workspaces.Workspaces {
			if w.Circle == "core" {
				slug = w.Slug
			}
		}
		var list struct {
			Decisions []struct {
				ID     int64  `json:"id"`
				Method string `json:"method"`
				State  string `json:"state"`
			} `json:"decisions"`
		}
		get("/api/v1/workspaces/"+slug+"/decisions", &list)
		if len(list.Decisions) < 3 {
			t.Fatalf("the demo workspace has %d decisions, want its three", len(list.Decisions))
		}
		for _, d := range list.Decisions {
			link := "/decisions/" + strconv.FormatInt(d.ID, 10)
			var site struct {
				Final   bool                 `json:"final"`
				Ballots int                  `json:"ballots"`
				Options []struct{ ID int64 } `json:"options"`
				Winners []int64              `json:"winners"`
				Ranking []int64              `json:"ranking"`
				Motion  *tally.MotionResult  `json:"motion"`
			}
			get("/api/v1"+link+"/results", &site)
			if d.State != "closed" || !site.Final || site.Ballots == 0 {
				t.Fatalf("%s decision %d: state %s, final %v, %d ballots; want it closed and counted", d.Method, d.ID, d.State, site.Final, site.Ballots)
			}
			// A ranked election's BLT names candidates by their place in the
			// file (the lot order); the CSV file by the option's id.
			file, ids := "ballots.csv", func(s string) string { return s }
			if tally.RankedMethod(d.Method) {
				file = "ballots.blt"
				ids = func(s string) string {
					i, err := strconv.Atoi(s)
					if err != nil || i < 1 || i > len(site.Options) {
						t.Fatalf("%s: samen tally names candidate %q, not one of the file's", d.Method, s)
					}
					return strconv.FormatInt(site.Options[i-1].ID, 10)
				}
			}
			path := writeFile(t, file, string(get(link+"/"+file, nil)))
			offline := tallyJSON(t, "--method", d.Method, path)
			if offline["ballots"] != float64(site.Ballots) {
				t.Errorf("%s: samen tally counts %v ballots, the site %d", d.Method, offline["ballots"], site.Ballots)
			}
			if site.Motion != nil {
				if offline["passed"] != site.Motion.Passed || offline["blocked"] != site.Motion.Blocked || offline["quorum_met"] != site.Motion.QuorumMet {
					t.Errorf("%s: samen tally says passed %v blocked %v quorum %v; the site %+v",
						d.Method, offline["passed"], offline["blocked"], offline["quorum_met"], site.Motion)
				}
				continue
			}
			var winners, ranking []string
			for _, w := range strs(offline["winners"]) {
				winners = append(winners, ids(w))
			}
			for _, r := range strs(offline["ranking"]) {
				ranking = append(ranking, ids(r))
			}
			if !slices.Equal(winners, idStrings(site.Winners)) || !slices.Equal(ranking, idStrings(site.Ranking)) {
				t.Errorf("%s: samen tally finds winners %v, ranking %v; the site %v, %v", d.Method, winners, ranking, site.Winners, site.Ranking)
			}
		}

		// The city's budget: the .pb file under each outcome rule.
		var budgets struct {
			Budgets []struct {
				ID    int64  `json:"id"`
				Phase string `json:"phase"`
			} `json:"budgets"`
		}
		get("/api/v1/budgets", &budgets)
		if len(budgets.Budgets) != 1 || budgets.Budgets[0].Phase != "result" {
			t.Fatalf("the demo's budgets: %+v", budgets.Budgets)
		}
		link := "/budgets/" + strconv.FormatInt(budgets.Budgets[0].ID, 10)
		var result struct {
			Ballots int `json:"ballots"`
			Rules   map[string]struct {
				Winners []int64 `json:"winners"`
			} `json:"rules"`
		}
		get("/api/v1"+link+"/results", &result)
		path := writeFile(t, "ballots.pb", string(get(link+"/ballots.pb", nil)))
		for _, rule := range []string{"greedy", "equal-shares", "equal-shares-add1"} {
			site, ok := result.Rules[rule]
			if !ok {
				t.Errorf("the site's result lacks the %s rule: %v", rule, result.Rules)
				continue
			}
			offline := tallyJSON(t, "--method", rule, path)
			if got := strs(offline["winners"]); offline["ballots"] != float64(result.Ballots) || !slices.Equal(got, idStrings(site.Winners)) {
				t.Errorf("%s: samen tally funds %v from %v ballots; the site %v from %d", rule, got, offline["ballots"], site.Winners, result.Ballots)
			}
		}
	})
}

func idStrings(ids []int64) []string {
	out := []string{}
	for _, id := range ids {
		out = append(out, strconv.FormatInt(id, 10))
	}
	return out
}
