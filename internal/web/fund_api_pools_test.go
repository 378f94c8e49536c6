package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"samen/internal/demo"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// A pool through the API: a steward sets it up and funds it, opens it;
// the demo member's running campaign applies and is accepted; a gift is
// then matched, split over the funders as the pool's page shows.
func TestPoolThroughTheAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := fundSite(t, db)
		chief := s.script(s.tokenFor(steward.Email), "en")
		core := s.script(s.tokenFor(member.Email), "en")
		if r := core.call(http.MethodPost, "/pools", `{"name": "Eigen pot", "language": "nl", "rule": "duplicate", "factor": "2", "funders": ["A"]}`); r.Status != http.StatusForbidden {
			t.Errorf("a member sets up a pool: %d", r.Status)
		}
		e := apiErrorOf(t, chief.call(http.MethodPost, "/pools", `{"name": "", "language": "nl", "rule": "duplicate", "factor": "11", "funders": []}`), http.StatusBadRequest)
		if e.Error.Fields["factor"].Code != "fund.factor" || e.Error.Fields["funders"].Code != "required" || e.Error.Fields["name"].Code != "required" {
			t.Errorf("a bad pool: %+v", e.Error.Fields)
		}
		r := chief.call(http.MethodPost, "/pools", `{"name": "Buurtpot Noord", "language": "nl", "rule": "duplicate", "factor": "1,5",
			"max_per_contribution_cents": 2000, "funders": ["Stadsdeel Noord", "Fonds"]}`)
		var p struct {
			ID      int64  `json:"id"`
			Factor  string `json:"factor"`
			State   string `json:"state"`
			Left    int64  `json:"left_cents"`
			Funders []struct {
				ID   int64 `json:"id"`
				Left int64 `json:"left_cents"`
			} `json:"funders"`
			Given        *int64 `json:"given_cents"`
			Applications []struct {
				ID int64 `json:"id"`
			} `json:"applications"`
		}
		if r.Status != http.StatusCreated {
			t.Fatalf("creating a pool: %d\n%s", r.Status, r.Body)
		}
		r.JSON(t, &p)
		path := "/pools/" + strconv.FormatInt(p.ID, 10)
		if p.Factor != "3/2" || p.State != "draft" || len(p.Funders) != 2 {
			t.Errorf("the draft pool: %s", r.Body)
		}
		if r := s.script("", "en").call(http.MethodGet, path, ""); r.Status != http.StatusNotFound {
			t.Errorf("a visitor reads a draft pool: %d", r.Status)
		}
		chief.call(http.MethodPost, path+"/deposits", `{"funder_id": `+strconv.FormatInt(p.Funders[0].ID, 10)+`, "cents": 30000, "note": "Toezegging"}`).JSON(t, &p)
		chief.call(http.MethodPost, path+"/deposits", `{"funder_id": `+strconv.FormatInt(p.Funders[1].ID, 10)+`, "cents": 10000}`).JSON(t, &p)
		chief.call(http.MethodPost, path+"/state", `{"to": "open"}`).JSON(t, &p)
		if p.State != "open" || p.Left != 40000 {
			t.Fatalf("the funded, open pool: %+v", p)
		}
		campaign := strings.TrimPrefix(runningCampaign(t, s), "/campaigns/")
		a := core.call(http.MethodPost, path+"/applications", `{"campaign_id": `+campaign+`, "note": "Graag"}`)
		if a.Status != http.StatusCreated {
			t.Fatalf("applying: %d\n%s", a.Status, a.Body)
		}
		chief.call(http.MethodGet, path, "").JSON(t, &p)
		if len(p.Applications) != 1 {
			t.Fatalf("the manager does not see the application: %+v", p)
		}
		app := "/applications/" + strconv.FormatInt(p.Applications[0].ID, 10) + "/decision"
		if r := core.call(http.MethodPost, app, `{"accept": true}`); r.Status != http.StatusForbidden {
			t.Errorf("the applicant decides: %d", r.Status)
		}
		e = apiErrorOf(t, chief.call(http.MethodPost, app, `{"accept": false}`), http.StatusBadRequest)
		if e.Error.Fields["note"].Code != "required" {
			t.Errorf("a rejection without a note: %+v", e.Error.Fields)
		}
		if r := chief.call(http.MethodPost, app, `{"accept": true}`); r.Status != http.StatusNoContent {
			t.Fatalf("accepting: %d %s", r.Status, r.Body)
		}
		// €30 counts as €20, × 1.5 = 3000, split 30000:10000 = 2250 + 750.
		if r := s.script("", "en").call(http.MethodPost, "/campaigns/"+campaign+"/contributions",
			`{"cents": 3000, "email": "pot@example.org", "name": "Pot", "method": "demo"}`); r.Status != http.StatusCreated {
			t.Fatalf("giving: %d %s", r.Status, r.Body)
		}
		s.script("", "en").call(http.MethodGet, path, "").JSON(t, &p)
		if p.Left != 37000 || p.Funders[0].Left != 27750 || p.Funders[1].Left != 9250 || p.Given == nil || *p.Given != 3000 {
			t.Errorf("after one gift the pool: %+v", p)
		}
	})
}

// Inverse crowdfunding on the demo: the demo's pool pays the projects the
// demo's participatory budget funded, in the rule's order, while it has
// money; asked again it pays nothing more.
func TestPoolPaysABudget(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	svc := demoServices(s.Parts)
	svc.Decisions, svc.Funding = s.Parts.Decisions, s.Parts.Funding
	if _, err := demo.Seed(context.Background(), s.Accounts, svc); err != nil {
		t.Fatal(err)
	}
	anon, chief := s.script("", "en"), s.script(s.tokenFor(steward.Email), "en")
	var pools struct {
		Pools []struct {
			ID   int64 `json:"id"`
			Left int64 `json:"left_cents"`
		} `json:"pools"`
	}
	anon.call(http.MethodGet, "/pools", "").JSON(t, &pools)
	var budgets struct {
		Budgets []struct {
			ID    int64  `json:"id"`
			Phase string `json:"phase"`
		} `json:"budgets"`
	}
	anon.call(http.MethodGet, "/budgets", "").JSON(t, &budgets)
	if len(pools.Pools) != 1 || len(budgets.Budgets) != 1 {
		t.Fatalf("the demo's pools %+v and budgets %+v", pools, budgets)
	}
	path := "/pools/" + strconv.FormatInt(pools.Pools[0].ID, 10) + "/budget-grants"
	body := `{"budget_id": ` + strconv.FormatInt(budgets.Budgets[0].ID, 10) + `}`
	if r := s.script(s.tokenFor(member.Email), "en").call(http.MethodPost, path, body); r.Status != http.StatusForbidden {
		t.Errorf("a member pays a budget from the pool: %d", r.Status)
	}
	// The steward, the pool's manager, pays through the pool's page: the
	// form offers the budget whose results are out.
	pool := "/pools/" + strconv.FormatInt(pools.Pools[0].ID, 10)
	b := s.loggedIn(steward, "en")
	budget := strconv.FormatInt(budgets.Budgets[0].ID, 10)
	if page := b.get(pool); !strings.Contains(page.Body, `action="`+pool+`/budget-grants"`) || !strings.Contains(page.Body, `<option value="`+budget+`"`) {
		t.Fatalf("the pool's page offers no budget to pay:\n%s", page.Body)
	}
	if r := b.postForm(pool+"/budget-grants", url.Values{"budget": {"999999"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="budget-error"`) {
		t.Errorf("paying an unknown budget: %d", r.Status)
	}
	r := b.postForm(pool+"/budget-grants", url.Values{"budget": {budget}})
	if r.Status != http.StatusSeeOther || r.Location() != pool+"?notice=pool_budget_granted#granted" {
		t.Fatalf("paying through the page: %d %s\n%s", r.Status, r.Location(), r.Body)
	}
	var after struct {
		Pools []struct {
			Left int64 `json:"left_cents"`
		} `json:"pools"`
	}
	anon.call(http.MethodGet, "/pools", "").JSON(t, &after)
	total := pools.Pools[0].Left - after.Pools[0].Left
	if total <= 0 {
		t.Fatalf("the pool paid %d", total)
	}
	if page := s.browser("en").get(pool); !strings.Contains(page.Body, `id="granted"`) || !strings.Contains(page.Body, `<a href="/budgets/`+budget+`">`) {
		t.Errorf("the pool's public page does not list what it paid:\n%s", page.Body)
	}
	var paid struct {
		Projects []struct {
			ProjectID int64  `json:"project_id"`
			Cents     int64  `json:"cents"`
			Account   string `json:"account"`
		} `json:"projects"`
	}
	var accounts struct {
		Accounts []struct {
			Cents int64 `json:"cents"`
		} `json:"accounts"`
	}
	anon.call(http.MethodGet, "/ledger/accounts?prefix=budget:", "").JSON(t, &accounts)
	var held int64
	for _, a := range accounts.Accounts {
		held += a.Cents
	}
	if held != total {
		t.Errorf("the projects' accounts hold %d, the pool paid %d", held, total)
	}
	chief.call(http.MethodPost, path, body).JSON(t, &paid)
	for _, p := range paid.Projects {
		if p.Cents != 0 {
			t.Errorf("paid twice: %+v", p)
		}
	}
}
