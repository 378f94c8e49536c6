package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/workspace"
)

// The match pools' pages in both languages: the list and the demo's pool
// as a visitor sees them (its rules and who may apply in plain words, its
// funders, the campaign it accepted), and as its manager does (the
// application waiting, the forms). No page of a draft for anyone else.
func TestPoolPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := fundSite(t, db)
		link := demoPool(t, s)
		for _, lang := range []string{"nl", "en"} {
			money := func(c int64) string { return html(workspace.FormatCents(c, lang)) }
			b := s.browser(lang)
			list := b.get("/pools")
			mustContain(t, list, `lang="`+lang+`"`, "Matchfonds Democratische Technologie", `href="`+link+`"`, html(msgs.T(lang, "pool.state.open")))
			if strings.Contains(list.Body, `href="/pools/new"`) {
				t.Errorf("%s: a visitor is offered to set up a pool", lang)
			}
			if c := b.get("/campaigns"); !strings.Contains(c.Body, `href="/pools"`) {
				t.Errorf("%s: the campaigns do not link to the pools", lang)
			}
			page := b.get(link)
			if page.Status != http.StatusOK {
				t.Fatalf("%s: the pool's page: %d", lang, page.Status)
			}
			// "Every euro given is doubled, up to €50 per gift, and the
			// pool gives at most €1,500 per project."
			rule := msgs.T(lang, "pool.rule.double") + msgs.T(lang, "pool.rule.per_gift", "cents", workspace.FormatCents(5000, lang)) +
				msgs.T(lang, "pool.rule.per_project", "cents", workspace.FormatCents(150000, lang)) + "."
			mustContain(t, page, html(rule), html(msgs.N(lang, "pool.rule.per_giver", 2)),
				html(msgs.T(lang, "pool.eligible.principles", "principles", msgs.T(lang, "atlas.principle.local_roots")+", "+msgs.T(lang, "atlas.principle.inclusive_decisions"))),
				"Gemeente Amsterdam", "Democratic Tech Fund", money(1000000), "Zonnepanelen op het buurthuis", html(msgs.T(lang, "pool.apply.sign_in")),
				`/ledger?account=pool%3A`)
			for _, hidden := range []string{"Een nieuwe oven", `action="` + link + `/decide"`, `action="` + link + `/deposit"`, `action="` + link + `/simulate`} {
				if strings.Contains(page.Body, hidden) {
					t.Errorf("%s: a visitor's page of the pool shows %q", lang, hidden)
				}
			}
			manager := s.loggedIn(steward, lang).get(link)
			mustContain(t, manager, "Een nieuwe oven", "Voor de buurt, door de buurt.", `action="`+link+`/decide"`, `action="`+link+`/deposit"`,
				`action="`+link+`/state"`, `action="`+link+`/simulate#simulation-result"`, `enctype="multipart/form-data"`)
		}
		if r := s.browser("en").get("/pools/99999"); r.Status != http.StatusNotFound {
			t.Errorf("a pool that is not there: %d", r.Status)
		}
		if r := s.loggedIn(member, "en").get("/pools/new"); r.Status != http.StatusForbidden {
			t.Errorf("a member opens the form for a new pool: %d", r.Status)
		}
	})
}

// demoPool is the address of the demo's pool.
func demoPool(t *testing.T, s *site) string {
	t.Helper()
	var list struct {
		Pools []struct {
			ID int64 `json:"id"`
		} `json:"pools"`
	}
	s.script("", "en").call(http.MethodGet, "/pools", "").JSON(t, &list)
	if len(list.Pools) != 1 {
		t.Fatalf("the demo's pools: %+v", list)
	}
	return "/pools/" + strconv.FormatInt(list.Pools[0].ID, 10)
}

var poolLinkRE = regexp.MustCompile(`^/pools/([0-9]+)\?notice=pool_created$`)

// A pool from start to match, through the pages: a steward sets it up by
// the form (first with mistakes, said per field, what was typed kept),
// books a deposit and opens it; the demo's member applies with the running
// campaign; the steward rejects without a reason (refused), then accepts;
// a gift is matched, and the pool's page shows it. Then the simulation
// form, on the pool's own rules and on rules of its own.
func TestPoolJourney(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := fundSite(t, db)
		chief := s.loggedIn(steward, "en")
		if r := chief.get("/pools/new"); r.Status != http.StatusOK || !strings.Contains(r.Body, `name="principles" value="local_roots"`) {
			t.Fatalf("the form for a new pool: %d", r.Status)
		}
		bad := chief.postForm("/pools/new", url.Values{"name": {""}, "language": {"en"}, "rule": {"duplicate"}, "factor": {"11"},
			"max_per_contribution": {"twenty"}, "funders.0": {""}, "deposits.0": {"300"}, "districts": {"mars"}})
		if bad.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a bad pool: %d", bad.Status)
		}
		mustContain(t, bad, html(msgs.T("en", "field.required")), html(msgs.T("en", "field.fund.factor")), html(msgs.T("en", "field.amount.invalid")),
			html(msgs.T("en", "field.choice.unknown")), `value="twenty"`, `value="11"`, `aria-invalid="true"`, `href="#funders.0"`)
		demoPool(t, s) // still the demo's one: a refused form makes no pool

		r := chief.postForm("/pools/new", url.Values{"name": {"Buurtpot Noord"}, "description": {"Voor Noord."}, "language": {"nl"}, "rule": {"duplicate"},
			"factor": {"1,5"}, "max_per_contribution": {"20"}, "principles": {"local_roots"}, "funders.0": {"Stadsdeel Noord"}, "deposits.0": {"300"},
			"funders.1": {"Fonds"}, "deposits.1": {"50"}})
		m := poolLinkRE.FindStringSubmatch(r.Location())
		if r.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("setting up a pool: %d %q\n%s", r.Status, r.Location(), r.Body)
		}
		link := "/pools/" + m[1]
		if page := chief.get(r.Location()); !strings.Contains(page.Body, html(msgs.T("en", "notice.pool_created"))) || !strings.Contains(page.Body, html(msgs.T("en", "pool.state.draft"))) {
			t.Errorf("the new pool's page:\n%s", page.Body)
		}
		if r := s.browser("en").get(link); r.Status != http.StatusNotFound {
			t.Errorf("a visitor sees a draft: %d", r.Status)
		}
		// A deposit: a wrong amount is said at its field; a right one is
		// booked.
		page := chief.get(link)
		funder := regexp.MustCompile(`<option value="([0-9]+)">Fonds</option>`).FindStringSubmatch(page.Body)
		if funder == nil {
			t.Fatalf("the deposit form has no funder Fonds:\n%s", page.Body)
		}
		if r := chief.postForm(link+"/deposit", url.Values{"funder": {funder[1]}, "amount": {"lots"}, "deposit_note": {"Toezegging"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, html(msgs.T("en", "field.amount.invalid"))) || !strings.Contains(r.Body, ">Toezegging</textarea>") {
			t.Errorf("a deposit of lots: %d\n%s", r.Status, r.Body)
		}
		if r := chief.postForm(link+"/deposit", url.Values{"funder": {funder[1]}, "amount": {"50"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("a deposit: %d\n%s", r.Status, r.Body)
		}
		if r := chief.postForm(link+"/state", url.Values{"to": {"open"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("opening: %d", r.Status)
		}
		if r := chief.postForm(link+"/state", url.Values{"to": {"open"}}); r.Status != http.StatusConflict || !strings.Contains(r.Body, html(msgs.T("en", "error.fund.pool_state"))) {
			t.Errorf("opening twice: %d", r.Status)
		}

		// The member (the demo workspace's core) applies with the running
		// campaign, which the form offers.
		core := s.loggedIn(member, "en")
		running := runningCampaign(t, s)
		campaign := strings.TrimPrefix(running, "/campaigns/")
		if page := core.get(link); !strings.Contains(page.Body, `<option value="`+campaign+`">Een nieuwe oven voor de buurtkeuken</option>`) {
			t.Fatalf("the apply form does not offer the running campaign:\n%s", page.Body)
		}
		if r := core.postForm(link+"/apply", url.Values{"campaign": {""}, "apply_note": {"Graag"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, html(msgs.T("en", "field.required"))) || !strings.Contains(r.Body, ">Graag</textarea>") {
			t.Errorf("applying without a campaign: %d", r.Status)
		}
		if r := core.postForm(link+"/apply", url.Values{"campaign": {"99999"}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("applying with a campaign not one's own: %d", r.Status)
		}
		if r := core.postForm(link+"/apply", url.Values{"campaign": {campaign}, "apply_note": {"Graag"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("applying: %d\n%s", r.Status, r.Body)
		}
		if page := core.get(link); !strings.Contains(page.Body, html(msgs.T("en", "pool.apply.none"))) {
			t.Errorf("after applying, the campaign is still offered")
		}
		// The steward decides: not without a reason to reject, and not the
		// applicant.
		page = chief.get(link)
		app := regexp.MustCompile(`name="application" value="([0-9]+)"`).FindStringSubmatch(page.Body)
		if app == nil || !strings.Contains(page.Body, "Een nieuwe oven voor de buurtkeuken") {
			t.Fatalf("the manager does not see the application:\n%s", page.Body)
		}
		note := "decide_note." + app[1]
		if r := core.postForm(link+"/decide", url.Values{"application": {app[1]}, "decision": {"accept"}}); r.Status != http.StatusForbidden {
			t.Errorf("the applicant decides: %d", r.Status)
		}
		r = chief.postForm(link+"/decide", url.Values{"application": {app[1]}, "decision": {"reject"}, note: {""}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="`+note+`-error"`) {
			t.Errorf("rejecting without a note: %d\n%s", r.Status, r.Body)
		}
		if r := chief.postForm(link+"/decide", url.Values{"application": {app[1]}, "decision": {"accept"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("accepting: %d\n%s", r.Status, r.Body)
		}

		// €30 counts as €20, × 1.5 = €30, split over what the funders
		// have left, 30000:10000 → 2250 + 750 (issue 14's rule:
		// ⌊min(gift, cap) × factor⌋, in proportion to what each has left).
		if r := s.browser("en").postForm(running+"/give", url.Values{"amount": {"30"}, "email": {"pot@example.org"}, "name": {"Pot"}, "method": {"demo"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("giving: %d", r.Status)
		}
		money := func(c int64) string { return html(workspace.FormatCents(c, "en")) }
		page = s.browser("en").get(link)
		mustContain(t, page, "Een nieuwe oven voor de buurtkeuken", html(msgs.T("en", "pool.page.matched", "cents", workspace.FormatCents(3000, "en"))),
			money(27750), money(9250), money(37000))

		// The simulation on the pool's own rules and what its funders have
		// left: €10 → 1500, split 27750:9250 = 3:1 → 1125 + 375.
		sim := chief.postForm(link+"/simulate", url.Values{"simulation": {`{"contributions": [{"id": "c1", "project": "p", "contributor": "a", "cents": 1000}]}`}})
		if sim.Status != http.StatusOK {
			t.Fatalf("simulating: %d\n%s", sim.Status, sim.Body)
		}
		mustContain(t, sim, `id="simulation-result"`, money(1500), money(1125), money(375), money(27750-1125), money(9250-375))
		// The pool's contributions so far: the one gift, matched as the
		// site matched it, the funders starting with all they deposited.
		real := chief.postForm(link+"/simulate", url.Values{"source": {"real"}})
		mustContain(t, real, html(msgs.T("en", "pool.simulate.result_real")), "Een nieuwe oven voor de buurtkeuken", money(3000), money(2250), money(750))
		// Only the pool's managers simulate.
		if r := core.postForm(link+"/simulate", url.Values{"source": {"real"}}); r.Status != http.StatusForbidden {
			t.Errorf("the applicant simulates: %d", r.Status)
		}
	})
}

// The simulation form on a small case computed by hand, with rules of its
// own, sent as a file (a multipart form, as the page sends it): factor 1,
// at most €10 of a gift counted, funders with 1001 and 500 cents.
//
//	c1 100 cents: 100 × 1001/1501 = 66.7 → 66, × 500/1501 = 33.3 → 33;
//	   the cent left goes to the funder with most left: 67 + 33.
//	c2 2000 cents: counts as 1000; left 934 and 467: 666.7 → 666,
//	   333.3 → 333, the cent to the first: 667 + 333.
//	c3 500 cents: the pool has 401 left, so 401: 267 + 134.
//
// Then a file the format does not take: the reason at the field, placed.
func TestPoolSimulationByHand(t *testing.T) {
	t.Parallel()
	s := fundSite(t, storetest.SQLite(t))
	link := demoPool(t, s)
	for _, lang := range []string{"en", "nl"} {
		chief := s.loggedIn(steward, lang)
		money := func(c int64) string { return html(workspace.FormatCents(c, lang)) }
		file := `{"pool": {"factor": 1, "max_per_contribution_cents": 1000, "funders": [{"id": "gemeente", "cents": 1001}, {"id": "fonds", "cents": 500}]},
			"contributions": [{"id": "c1", "project": "tuin", "contributor": "ann", "cents": 100},
			{"id": "c2", "project": "tuin", "contributor": "bob", "cents": 2000},
			{"id": "c3", "project": "tuin", "contributor": "cas", "cents": 500}]}`
		r := postSimulation(t, chief, link, file)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: simulating: %d\n%s", lang, r.Status, r.Body)
		}
		rows := regexp.MustCompile(`(?s)<tr><th scope="row">(c[0-9])</th>.*?</tr>`).FindAllString(r.Body, -1)
		want := [][]string{
			{"c1", money(100), money(67), money(33)},
			{"c2", money(2000), money(1000), money(667), money(333), html(msgs.T(lang, "match.cli.limit.contribution"))},
			{"c3", money(500), money(401), money(267), money(134), html(msgs.T(lang, "match.cli.limit.pool"))},
		}
		if len(rows) != 3 {
			t.Fatalf("%s: %d rows of contributions:\n%s", lang, len(rows), r.Body)
		}
		for i, w := range want {
			for _, cell := range w {
				if !strings.Contains(rows[i], ">"+cell+"<") {
					t.Errorf("%s: row %d lacks %q: %s", lang, i+1, cell, rows[i])
				}
			}
		}
		mustContain(t, r, html(msgs.N(lang, "match.cli.matched", 3, "matched", workspace.FormatCents(1501, lang))))

		r = postSimulation(t, chief, link, `{"contributions": [{"id": "c1", "project": "tuin", "contributor": "ann", "cents": 12.5}]}`)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: a bad file: %d", lang, r.Status)
		}
		mustContain(t, r, html("contributions.0.cents (c1): "+msgs.T(lang, "match.contribution.cents")), `id="simulation-error"`)
		if r := chief.postForm(link+"/simulate", url.Values{"simulation": {"not json"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, html(msgs.T(lang, "match.json.malformed"))) || !strings.Contains(r.Body, ">not json</textarea>") {
			t.Errorf("%s: not JSON: %d", lang, r.Status)
		}
	}
}

// postSimulation sends the simulation form with data as its file.
func postSimulation(t *testing.T, b *browser, link, data string) *response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if err := w.WriteField("source", "paste"); err != nil {
		t.Fatal(err)
	}
	f, err := w.CreateFormFile("file", "pool.json")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte(data))
	w.Close()
	req := b.newRequest(http.MethodPost, link+"/simulate", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", b.site.HTTP.URL)
	return b.do(req)
}
