package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/decide"
	"samen/internal/demo"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/workspace"
)

// The pages of a participatory budget, driven as people use them: forms
// only, no JavaScript.

// budgetSite is a seeded site whose decisions run on a clock the test
// moves.
func budgetSite(t *testing.T, db *store.DB) (*site, *testClock) {
	t.Helper()
	s := newSite(t, db)
	s.seed()
	c := &testClock{t: time.Now().Truncate(time.Minute)}
	s.Parts.Decisions.Now = c.now
	return s, c
}

// budgetPerson adds a confirmed account with a role and logs it in.
func (s *site) budgetPerson(name string, role account.Role, lang string) (*browser, account.User) {
	s.t.Helper()
	email := strings.ToLower(name) + "@example.org"
	u, err := s.Accounts.Add(context.Background(), account.NewUser{Email: email, Name: name, Password: goodPassword, Role: role})
	if err != nil {
		s.t.Fatal(err)
	}
	return s.loggedIn(demo.Account{Email: email, Password: goodPassword}, lang), u
}

var (
	budgetPathRE  = regexp.MustCompile(`^/budgets/(\d+)\?notice=budget_created$`)
	projectLinkRE = regexp.MustCompile(`^/budgets/\d+\?notice=budget_proposed#p(\d+)$`)
)

// submit posts a form and wants a redirect to a page with this notice.
func submit(t *testing.T, b *browser, path string, form url.Values, notice string) *response {
	t.Helper()
	r := b.postForm(path, form)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location(), "notice="+notice) {
		t.Fatalf("POST %s %v: %d to %q, want the notice %s\n%s", path, form, r.Status, r.Location(), notice, r.Body)
	}
	return r
}

// refused posts a form and wants it answered with status, the page saying
// each of the messages.
func refused(t *testing.T, b *browser, path string, form url.Values, status int, messages ...string) *response {
	t.Helper()
	r := b.postForm(path, form)
	if r.Status != status {
		t.Fatalf("POST %s %v: %d, want %d\n%s", path, form, r.Status, status, r.Body)
	}
	for _, m := range messages {
		mustContain(t, r, html(m))
	}
	return r
}

func cityBudgetForm(closes time.Time) url.Values {
	return url.Values{"title": {"Buurtbudget Centrum"}, "description": {"Honderd euro voor de buurt."}, "language": {"nl"},
		"district": {"centrum"}, "total": {"€ 100"}, "ballot_kind": {"knapsack"}, "rule": {"equal-shares-add1"},
		"closes_at": {decide.Local(closes)}}
}

// resultRow returns the cells of the result table's row of a project:
// "funded" or "not funded" per rule, in the order greedy, equal-shares,
// equal-shares-add1.
func resultRow(t *testing.T, r *response, lang, title string) []string {
	t.Helper()
	table := r.Body[strings.Index(r.Body, `<table class="result-table">`):]
	table = table[:strings.Index(table, "</table>")]
	for _, row := range strings.Split(table, "<tr>") {
		if !strings.Contains(row, `<th scope="row">`+title+`</th>`) {
			continue
		}
		var out []string
		for _, m := range regexp.MustCompile(`<span class="(funded|not-funded)">`).FindAllStringSubmatch(row, -1) {
			out = append(out, strings.ReplaceAll(m[1], "-", " "))
		}
		return out
	}
	t.Fatalf("no row for %q in the result table:\n%s", title, table)
	return nil
}

// A steward runs a city-wide budget for one district from the first
// proposal to the result, with paper ballots typed in twice, where the
// majority's rule and Equal Shares fund different projects: six residents
// want a skate park, five of them a car park too, four a library corner;
// each costs half the budget. Greedy funds the skate park and the car
// park; Equal Shares the skate park alone; completed by add-one (the
// deciding rule) the skate park and the library corner.
func TestBudgetCityJourney(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, clock := budgetSite(t, db)
		ctx := context.Background()
		chief := s.loggedIn(steward, "en")
		closes := clock.now().Add(14 * 24 * time.Hour)

		// Only a steward starts a city-wide budget.
		resident := s.loggedIn(member, "en")
		if r := resident.get("/budgets/new"); r.Status != http.StatusForbidden {
			t.Errorf("a resident's form: %d", r.Status)
		}
		refused(t, resident, "/budgets/new", cityBudgetForm(closes), http.StatusForbidden, msgs.T("en", "error.budget.stewards_only"))
		form := chief.get("/budgets/new")
		mustContain(t, form, `name="total"`, `type="datetime-local"`, `value="knapsack" aria-describedby="ballot_kind-knapsack-about" checked`,
			html(msgs.T("en", "budget.rule_about.equal-shares")), html(msgs.T("en", "atlas.district.noord")))
		bad := cityBudgetForm(closes)
		bad.Set("total", "100,50")
		bad.Set("max_projects", "many")
		r := refused(t, chief, "/budgets/new", bad, http.StatusUnprocessableEntity,
			msgs.T("en", "field.decide.whole_euros"), msgs.T("en", "field.decide.count_range"))
		mustContain(t, r, `value="Buurtbudget Centrum"`, `value="100,50"`, `<option value="centrum" selected>`, `href="#total"`)
		r = submit(t, chief, "/budgets/new", cityBudgetForm(closes), "budget_created")
		m := budgetPathRE.FindStringSubmatch(r.Location())
		if m == nil {
			t.Fatalf("created at %q", r.Location())
		}
		link := "/budgets/" + m[1]
		id, _ := strconv.ParseInt(m[1], 10, 64)
		page := chief.get(link)
		mustContain(t, page, `<li class="phase current" aria-current="step">`, html(msgs.T("en", "budget.phase.proposals")),
			"€100", html(msgs.T("en", "budget.rules.district", "district", "Centrum")), html(msgs.T("en", "budget.advance.proposals")))

		// Confirmed residents propose; a project above the budget is
		// refused at its field, what was typed kept.
		people := map[string]*browser{}
		users := map[string]account.User{}
		for _, name := range []string{"Anna", "Bert", "Cato", "Dirk", "Emma"} {
			people[name], users[name] = s.budgetPerson(name, account.Member, "en")
		}
		cato := people["Cato"]
		mustContain(t, cato.get(link), `action="`+link+`/propose"`, html(msgs.T("en", "budget.propose.in_district", "district", "Centrum")))
		r = refused(t, cato, link+"/propose", url.Values{"title": {"Skatepark"}, "description": {"Voor de jeugd."}, "cost": {"150"}},
			http.StatusUnprocessableEntity, msgs.T("en", "field.decide.cost_above_total"))
		mustContain(t, r, `value="Skatepark"`, "Voor de jeugd.", `value="150"`)
		ids := map[string]string{}
		for _, p := range []struct{ by, title, cost string }{
			{"Cato", "Skatepark", "50"}, {"Dirk", "Parkeerplaats", "55"}, {"Emma", "Bibliotheekhoek", "50"}, {"Anna", "Kunstwerk", "40"},
		} {
			r := submit(t, people[p.by], link+"/propose", url.Values{"title": {p.title}, "description": {"Een voorstel."}, "cost": {p.cost}}, "budget_proposed")
			m := projectLinkRE.FindStringSubmatch(r.Location())
			if m == nil {
				t.Fatalf("proposed to %q", r.Location())
			}
			ids[p.title] = m[1]
		}
		// Someone whose address is no longer confirmed is told why they
		// cannot propose.
		if _, err := db.Exec(ctx, "UPDATE users SET email_verified_at = NULL WHERE id = ?", users["Bert"].ID); err != nil {
			t.Fatal(err)
		}
		mustContain(t, people["Bert"].get(link), html(msgs.T("en", "budget.propose.verify")))
		refused(t, people["Bert"], link+"/propose", url.Values{"title": {"Bankje"}, "description": {"Om te zitten."}, "cost": {"5"}},
			http.StatusForbidden, msgs.T("en", "error.decide.verify_first"))
		if _, err := db.Exec(ctx, "UPDATE users SET email_verified_at = ? WHERE id = ?", store.Millis(time.Now()), users["Bert"].ID); err != nil {
			t.Fatal(err)
		}
		mustContain(t, s.browser("en").get(link), "Parkeerplaats", "proposed by Dirk", html(msgs.T("en", "budget.propose.log_in")))

		// The review: residents cannot move the phase; the steward can.
		refused(t, cato, link+"/advance", nil, http.StatusForbidden, msgs.T("en", "error.budget.manage_only"))
		submit(t, chief, link+"/advance", nil, "budget_phase_review")
		page = chief.get(link)
		mustContain(t, page, `id="decision-`+ids["Kunstwerk"]+`-reject"`, html(msgs.T("en", "budget.advance.review")))
		refused(t, chief, link+"/review", url.Values{"project": {ids["Skatepark"]}}, http.StatusUnprocessableEntity, msgs.T("en", "field.required"))
		submit(t, chief, link+"/review", url.Values{"project": {ids["Skatepark"]}, "decision": {"accept"}}, "budget_reviewed")
		// A cost corrected in the review, with a note everyone reads.
		submit(t, chief, link+"/review", url.Values{"project": {ids["Parkeerplaats"]}, "decision": {"accept"}, "cost": {"50"},
			"note": {"De gemeente betaalt de bestrating."}}, "budget_reviewed")
		// Voting does not open while a project is unreviewed.
		r = refused(t, chief, link+"/advance", nil, http.StatusConflict, msgs.T("en", "error.decide.projects_unreviewed"))
		mustContain(t, r, `id="advance-problem"`)
		submit(t, chief, link+"/review", url.Values{"project": {ids["Bibliotheekhoek"]}, "decision": {"accept"}}, "budget_reviewed")
		// A rejection needs a note; the problem shows under that project,
		// with what was typed.
		r = refused(t, chief, link+"/review", url.Values{"project": {ids["Kunstwerk"]}, "decision": {"reject"}, "cost": {"45"}},
			http.StatusUnprocessableEntity, msgs.T("en", "field.required"))
		mustContain(t, r, `id="note-`+ids["Kunstwerk"]+`-error"`, `href="#note-`+ids["Kunstwerk"]+`"`,
			`id="cost-`+ids["Kunstwerk"]+`" name="cost" inputmode="numeric" autocomplete="off" value="45"`)
		submit(t, chief, link+"/review", url.Values{"project": {ids["Kunstwerk"]}, "decision": {"reject"},
			"note": {"Valt buiten het stadsdeel."}}, "budget_reviewed")
		submit(t, chief, link+"/advance", nil, "budget_phase_voting")

		// Voting. The ballot states the basket's limit without JavaScript.
		page = cato.get(link)
		mustContain(t, page, `<form method="post" action="`+link+`/vote"`, html(msgs.T("en", "budget.vote.basket_rule", "total", "€100")),
			`name="project" value="`+ids["Skatepark"]+`" data-cost="5000"`, `name="lives_there"`, "De gemeente betaalt de bestrating.",
			html(msgs.T("en", "budget.projects.rejected")), "Valt buiten het stadsdeel.")
		if strings.Contains(page.Body, `value="`+ids["Kunstwerk"]+`" data-cost`) {
			t.Error("a rejected project is on the ballot")
		}
		skate, car, lib := ids["Skatepark"], ids["Parkeerplaats"], ids["Bibliotheekhoek"]
		r = refused(t, cato, link+"/vote", url.Values{"project": {skate, car, lib}, "lives_there": {"1"}}, http.StatusUnprocessableEntity,
			msgs.T("en", "field.tally.ballot.over_budget"))
		mustContain(t, r, `value="`+lib+`" data-cost="5000" checked`, `id="lives_there" name="lives_there" value="1" checked`)
		refused(t, cato, link+"/vote", url.Values{"project": {skate}}, http.StatusUnprocessableEntity, msgs.T("en", "field.decide.district_declaration"))
		for name, basket := range map[string][]string{"Anna": {skate, car}, "Bert": {skate, car}, "Cato": {skate, car}, "Dirk": {lib}, "Emma": {lib}} {
			submit(t, people[name], link+"/vote", url.Values{"project": basket, "lives_there": {"1"}}, "budget_voted")
		}
		page = cato.get(link)
		mustContain(t, page, html(msgs.T("en", "budget.vote.voted")))
		if strings.Contains(page.Body, `action="`+link+`/vote"`) {
			t.Error("the ballot is offered again after voting")
		}
		refused(t, cato, link+"/vote", url.Values{"project": {lib}, "lives_there": {"1"}}, http.StatusConflict, msgs.T("en", "error.decide.already_voted"))

		// Paper ballots: two stewards type in every sheet.
		second, _ := s.budgetPerson("Sanne", account.Steward, "en")
		third, _ := s.budgetPerson("Teun", account.Steward, "en")
		if r := cato.get(link + "/paper"); r.Status != http.StatusForbidden {
			t.Errorf("a resident's paper page: %d", r.Status)
		}
		refused(t, cato, link+"/paper", url.Values{"sheet": {"1"}, "project": {skate}}, http.StatusForbidden, msgs.T("en", "error.budget.manage_only"))
		paper := chief.get(link + "/paper")
		mustContain(t, paper, `name="sheet"`, `id="project-`+skate+`"`, html(msgs.T("en", "budget.paper.none")))
		sheet := func(b *browser, n string, notice string, projects ...string) {
			t.Helper()
			submit(t, b, link+"/paper", url.Values{"sheet": {n}, "project": projects}, notice)
		}
		sheet(chief, "1", "budget_sheet_waiting", skate, car)
		// Alone, a steward's reading never counts, typed in again or not.
		sheet(chief, "1", "budget_sheet_waiting", car, skate)
		// Its reader sees what they typed; the others only who read it,
		// so that the second reading is made from the paper alone.
		mustContain(t, chief.get(link+"/paper"), html(msgs.T("en", "budget.paper.waiting")), ": Skatepark; Parkeerplaats</li>")
		paper = second.get(link + "/paper")
		mustContain(t, paper, html(msgs.T("en", "budget.paper.waiting")), "Sam Steward")
		if strings.Contains(paper.Body, "Skatepark; Parkeerplaats") {
			t.Error("a sheet waiting for its second reading shows the first reading to another steward")
		}
		sheet(second, "1", "budget_sheet_counted", skate, car)
		sheet(chief, "2", "budget_sheet_waiting", skate)
		sheet(second, "2", "budget_sheet_differ", skate, car)
		paper = chief.get(link + "/paper")
		differ := strings.Index(paper.Body, html(msgs.T("en", "budget.paper.differ")))
		counted := strings.Index(paper.Body, html(msgs.T("en", "budget.paper.counted")))
		if differ < 0 || counted < 0 || differ > counted {
			t.Errorf("the disputed sheet is not shown first (at %d, the counted one at %d)", differ, counted)
		}
		mustContain(t, paper, "Sam Steward", "Sanne", ": Skatepark</li>", ": Skatepark; Parkeerplaats</li>")
		mustContain(t, chief.get(link), html(msgs.T("en", "budget.manage.sheets", "all", 2, "counted", 1, "waiting", 0, "differ", 1)),
			html(msgs.T("en", "budget.vote.turnout", "online", 5, "paper", 1)))
		sheet(third, "2", "budget_sheet_counted", skate)
		// A counted sheet is not typed in again.
		refused(t, third, link+"/paper", url.Values{"sheet": {"1"}, "project": {lib}}, http.StatusUnprocessableEntity,
			msgs.T("en", "field.decide.sheet_counted"))
		// Over the budget on paper is refused as online.
		refused(t, third, link+"/paper", url.Values{"sheet": {"9"}, "project": {skate, car, lib}}, http.StatusUnprocessableEntity,
			msgs.T("en", "field.tally.ballot.over_budget"))
		for _, n := range []string{"4", "5", "6"} {
			basket := []string{lib}
			if n == "4" {
				basket = []string{skate, car}
			}
			sheet(chief, n, "budget_sheet_waiting", basket...)
			sheet(third, n, "budget_sheet_counted", basket...)
		}
		sheet(second, "7", "budget_sheet_waiting", lib) // read once: never counts

		// The result waits for online voting to close.
		refused(t, chief, link+"/advance", nil, http.StatusConflict, msgs.T("en", "error.decide.voting_running"))
		clock.forward(15 * 24 * time.Hour)
		mustContain(t, s.browser("en").get(link), html(msgs.T("en", "budget.vote.counting", "date", closes.In(decide.Amsterdam()).Format("2006-01-02 15:04"))))
		refused(t, people["Anna"], link+"/vote", url.Values{"project": {lib}, "lives_there": {"1"}}, http.StatusConflict)
		submit(t, chief, link+"/advance", nil, "budget_phase_result")
		view, err := s.Parts.Decisions.GetBudget(ctx, nil, id)
		if err != nil || view.Result == nil || view.Result.Ballots != 10 || view.Result.Paper != 5 {
			t.Fatalf("the count: %+v %v", view.Result, err)
		}

		// The result, for anyone, in both languages: the deciding rule's
		// projects and the others beside them, with the reasons.
		for _, lang := range []string{"en", "nl"} {
			page := s.browser(lang).get(link)
			if page.Status != http.StatusOK {
				t.Fatalf("%s result page: %d", lang, page.Status)
			}
			rule := msgs.T(lang, "budget.rule.equal-shares-add1")
			mustContain(t, page, `lang="`+lang+`"`, html(msgs.T(lang, "budget.result.decided", "rule", rule)),
				html(msgs.T(lang, "budget.result.ballots", "total", 10, "online", 5, "paper", 5)),
				html(msgs.T(lang, "budget.result.differ")),
				`href="`+link+`/ballots.pb"`, `href="`+link+`/results.csv"`, "samen tally --method equal-shares-add1 ballots.pb",
				html(msgs.T(lang, "budget.step.greedy_funded", "project", "Parkeerplaats", "votes", msgs.N(lang, "budget.step.votes", 5), "left", wantEuros(lang, 0))),
				html(msgs.T(lang, "budget.step.mes_unaffordable", "project", "Parkeerplaats", "cost", wantEuros(lang, 50),
					"money", wantMoney(lang, "8,33", "8.33"), "payers", msgs.N(lang, "budget.step.supporters", 5))),
				html(msgs.T(lang, "budget.step.add1_raised", "times", 3, "share", wantEuros(lang, 13))),
				html(msgs.T(lang, "budget.step.kept_exhaustive", "share", wantEuros(lang, 13), "cost", wantEuros(lang, 100))),
				`<li class="phase current" aria-current="step">`)
			mustContain(t, page, html(msgs.T(lang, "budget.step.mes_funded", "round", 1, "project", "Skatepark",
				"payers", msgs.N(lang, "budget.step.supporters", 6), "share", wantMoney(lang, "8,33", "8.33"), "rho", map[string]string{"nl": "0,167", "en": "0.167"}[lang])))
			for title, want := range map[string]string{
				"Skatepark":       "funded,funded,funded",
				"Parkeerplaats":   "funded,not funded,not funded",
				"Bibliotheekhoek": "not funded,not funded,funded",
			} {
				if got := strings.Join(resultRow(t, page, lang, title), ","); got != want {
					t.Errorf("%s, %s: %s, want %s", lang, title, got, want)
				}
			}
			funded := page.Body[strings.Index(page.Body, `<ul class="funded-list">`):]
			funded = funded[:strings.Index(funded, "</ul>")]
			if !strings.Contains(funded, "Skatepark") || !strings.Contains(funded, "Bibliotheekhoek") || strings.Contains(funded, "Parkeerplaats") {
				t.Errorf("%s: the deciding rule funds %s", lang, funded)
			}
		}
		// Nothing moves after the result.
		refused(t, chief, link+"/advance", nil, http.StatusConflict, msgs.T("en", "error.decide.budget_done"))
		refused(t, chief, link+"/paper", url.Values{"sheet": {"7"}, "project": {lib}}, http.StatusConflict)
	})
}

// wantEuros writes whole euros as the pages do.
func wantEuros(lang string, euros int) string {
	return wantMoney(lang, strconv.Itoa(euros), strconv.Itoa(euros))
}

func wantMoney(lang, nl, en string) string {
	if lang == "nl" {
		return "€ " + nl
	}
	return "€" + en
}

// A workspace's budget: core starts it for some circles; those circles
// propose and vote; a circle that may read it does not vote; others do not
// see it.
func TestBudgetInWorkspace(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := budgetSite(t, db)
		ctx := context.Background()
		slug := demoWorkspace(t, s)
		core := s.loggedIn(member, "nl")
		membersCircle := s.loggedIn(moderator, "nl") // the moderator is in the demo's members circle
		coreUser, err := account.ByID(ctx, db, s.userID(member.Email))
		if err != nil {
			t.Fatal(err)
		}
		join := func(name string, c workspace.Circle) *browser {
			b, u := s.budgetPerson(name, account.Member, "nl")
			if _, err := s.Parts.Workspaces.AddMember(ctx, &coreUser, slug, workspace.NewMember{Email: u.Email, Name: name, Circle: c}); err != nil {
				t.Fatal(err)
			}
			return b
		}
		contributor := join("Bijdrager", workspace.Contributors)
		supporter := join("Steuner", workspace.Supporters)
		outsider, _ := s.budgetPerson("Buitenstaander", account.Member, "nl")

		newForm := "/workspaces/" + slug + "/budgets/new"
		if r := membersCircle.get(newForm); r.Status != http.StatusForbidden {
			t.Errorf("the members circle's form: %d", r.Status)
		}
		form := core.get(newForm)
		mustContain(t, form, `id="circles-core" name="circles" value="core" checked`, `id="circles-supporters" name="circles" value="supporters">`,
			html(msgs.T("nl", "budget.kind_about.approval")))
		draft := url.Values{"title": {"Solidariteitsfonds"}, "language": {"nl"}, "total": {"5.000"}, "ballot_kind": {"approval"},
			"max_projects": {"2"}, "rule": {"greedy"}, "closes_at": {decide.Local(time.Now().Add(7 * 24 * time.Hour))}}
		r := refused(t, core, newForm, draft, http.StatusUnprocessableEntity, msgs.T("nl", "field.required"))
		mustContain(t, r, `href="#circles"`, `value="Solidariteitsfonds"`)
		draft["circles"] = []string{"core", "members"}
		refused(t, membersCircle, newForm, draft, http.StatusForbidden)
		r = submit(t, core, newForm, draft, "budget_created")
		link := strings.Split(r.Location(), "?")[0]

		// Who sees it.
		for name, b := range map[string]*browser{"an outsider": outsider, "a supporter": supporter, "a visitor": s.browser("nl")} {
			if r := b.get(link); r.Status != http.StatusNotFound {
				t.Errorf("%s sees the members' budget: %d", name, r.Status)
			}
		}
		page := contributor.get(link)
		mustContain(t, page, html(msgs.T("nl", "budget.propose.circles", "circles", "Kernteam, Leden")),
			`href="/workspaces/`+slug+`/decisions"`, html(msgs.T("nl", "budget.rules.approval", "max", 2)))
		refused(t, contributor, link+"/propose", url.Values{"title": {"Zonnepanelen"}, "description": {"Op het dak."}, "cost": {"3000"}},
			http.StatusForbidden, msgs.T("nl", "error.budget.propose_forbidden"))

		var ids []string
		for i, b := range []*browser{membersCircle, membersCircle, core} {
			r := submit(t, b, link+"/propose", url.Values{"title": {"Project " + strconv.Itoa(i+1)}, "description": {"Iets goeds."}, "cost": {"2.000"}}, "budget_proposed")
			ids = append(ids, projectLinkRE.FindStringSubmatch(r.Location())[1])
		}
		refused(t, membersCircle, link+"/advance", nil, http.StatusForbidden)
		submit(t, core, link+"/advance", nil, "budget_phase_review")
		// Too few accepted projects for a vote.
		submit(t, core, link+"/review", url.Values{"project": {ids[0]}, "decision": {"accept"}}, "budget_reviewed")
		submit(t, core, link+"/review", url.Values{"project": {ids[1]}, "decision": {"reject"}, "note": {"Dubbel."}}, "budget_reviewed")
		submit(t, core, link+"/review", url.Values{"project": {ids[2]}, "decision": {"reject"}, "note": {"Te duur."}}, "budget_reviewed")
		refused(t, core, link+"/advance", nil, http.StatusConflict, msgs.T("nl", "error.decide.too_few_projects"))
		submit(t, core, link+"/review", url.Values{"project": {ids[1]}, "decision": {"accept"}, "note": {"Toch niet dubbel."}}, "budget_reviewed")
		submit(t, core, link+"/review", url.Values{"project": {ids[2]}, "decision": {"accept"}}, "budget_reviewed")
		submit(t, core, link+"/advance", nil, "budget_phase_voting")

		page = membersCircle.get(link)
		mustContain(t, page, html(msgs.T("nl", "budget.rules.approval", "max", 2)), `name="project"`)
		if strings.Contains(page.Body, `name="lives_there"`) || strings.Contains(page.Body, "budget.js") {
			t.Error("a workspace's approval ballot asks where the voter lives, or counts a basket")
		}
		refused(t, membersCircle, link+"/vote", url.Values{"project": ids}, http.StatusUnprocessableEntity, msgs.T("nl", "field.tally.ballot.too_many"))
		submit(t, membersCircle, link+"/vote", url.Values{"project": ids[:2]}, "budget_voted")
		// A contributor reads the budget but does not vote on it.
		page = contributor.get(link)
		mustContain(t, page, html(msgs.T("nl", "budget.vote.circles", "circles", "Kernteam, Leden")))
		refused(t, contributor, link+"/vote", url.Values{"project": ids[:1]}, http.StatusForbidden, msgs.T("nl", "error.decide.not_eligible"))
		refused(t, supporter, link+"/vote", url.Values{"project": ids[:1]}, http.StatusNotFound)
		// Core runs it: the paper page is core's.
		if r := core.get(link + "/paper"); r.Status != http.StatusOK {
			t.Errorf("core's paper page: %d", r.Status)
		}
		if r := membersCircle.get(link + "/paper"); r.Status != http.StatusForbidden {
			t.Errorf("a member's paper page: %d", r.Status)
		}
		// Editing ends when voting opens.
		if r := core.get(link + "/edit"); r.Status != http.StatusConflict {
			t.Errorf("editing during the vote: %d", r.Status)
		}
	})
}

// Editing a budget before voting: its form is filled from the budget, and
// only who runs it may use it.
func TestBudgetEdit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, clock := budgetSite(t, db)
		chief := s.loggedIn(steward, "nl")
		form := cityBudgetForm(clock.now().Add(10 * 24 * time.Hour))
		form.Set("total", "50.000")
		form.Set("min_cost", "10.000")
		form.Set("max_projects", "4")
		r := submit(t, chief, "/budgets/new", form, "budget_created")
		link := strings.Split(r.Location(), "?")[0]
		edit := chief.get(link + "/edit")
		mustContain(t, edit, `value="Buurtbudget Centrum"`, `value="50000"`, `value="10000"`, `value="4"`,
			`id="rule-equal-shares-add1" name="rule" value="equal-shares-add1" aria-describedby="rule-equal-shares-add1-about" checked`,
			`value="`+decide.Local(clock.now().Add(10*24*time.Hour))+`"`)
		if r := s.loggedIn(member, "nl").get(link + "/edit"); r.Status != http.StatusForbidden {
			t.Errorf("a resident's edit form: %d", r.Status)
		}
		form.Set("title", "Buurtbudget Centrum 2027")
		form.Set("ballot_kind", "approval")
		form.Set("closes_at", "gisteren")
		refused(t, chief, link+"/edit", form, http.StatusUnprocessableEntity, msgs.T("nl", "field.datetime.invalid"))
		form.Set("closes_at", "")
		submit(t, chief, link+"/edit", form, "budget_saved")
		page := chief.get(link)
		mustContain(t, page, "Buurtbudget Centrum 2027", html(msgs.T("nl", "budget.rules.approval", "max", 4)), html(msgs.T("nl", "budget.rules.closes_unset")))
		// Without a closing time, voting does not open.
		chief2 := s.loggedIn(steward, "en")
		r = submit(t, s.loggedIn(member, "en"), link+"/propose", url.Values{"title": {"Bank"}, "description": {"Om te zitten."}, "cost": {"500"}}, "budget_proposed")
		project := projectLinkRE.FindStringSubmatch(r.Location())[1]
		r = submit(t, s.loggedIn(moderator, "en"), link+"/propose", url.Values{"title": {"Boom"}, "description": {"Voor schaduw."}, "cost": {"700"}}, "budget_proposed")
		project2 := projectLinkRE.FindStringSubmatch(r.Location())[1]
		submit(t, chief2, link+"/advance", nil, "budget_phase_review")
		for _, p := range []string{project, project2} {
			submit(t, chief2, link+"/review", url.Values{"project": {p}, "decision": {"accept"}}, "budget_reviewed")
		}
		refused(t, chief2, link+"/advance", nil, http.StatusUnprocessableEntity, msgs.T("en", "field.decide.closes_past"))
	})
}
