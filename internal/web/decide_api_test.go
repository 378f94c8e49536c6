package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/decide"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/tally"
	"samen/internal/workspace"
)

// The decisions' and budgets' JSON API, driven as a script does: with API
// tokens, over HTTP, on both engines.

// decideSite is a seeded site whose decisions run on a clock the test
// moves.
func decideAPISite(t *testing.T, db *store.DB) (*site, *testClock) {
	t.Helper()
	s := newSite(t, db)
	s.seed()
	c := &testClock{t: time.Now().Truncate(time.Second)}
	s.Parts.Decisions.Now = c.now
	return s, c
}

// voters makes n confirmed accounts at once (straight into the store, no
// password: they use API tokens), in workspace slug's circle when slug is
// not "", and returns their tokens.
func (s *site) apiVoters(t testing.TB, prefix string, n int, slug string, circle workspace.Circle) []string {
	t.Helper()
	ctx := context.Background()
	now := store.Millis(time.Now())
	ids := make([]int64, n)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		for i := range n {
			if err := tx.QueryRow(ctx, `INSERT INTO users (email, name, role, language, email_verified_at, created_at, updated_at)
				VALUES (?, ?, 'member', 'en', ?, ?, ?) RETURNING id`, fmt.Sprintf("%s%d@example.org", prefix, i), fmt.Sprintf("%s %d", prefix, i),
				now, now, now).Scan(&ids[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if slug != "" {
		var sheet strings.Builder
		sheet.WriteString("name,email,circle\n")
		for i := range n {
			fmt.Fprintf(&sheet, "%s %d,%s%d@example.org,%s\n", prefix, i, prefix, i, circle)
		}
		file, err := workspace.ReadSheet([]byte(sheet.String()))
		if err != nil {
			t.Fatal(err)
		}
		plan, err := s.Parts.Workspaces.ImportMembersAsSystem(ctx, slug, file, workspace.ImportOptions{})
		if err != nil || plan.Linked != n {
			t.Fatalf("import: %d of %d linked, %v", plan.Linked, n, err)
		}
	}
	tokens := make([]string, n)
	for i, id := range ids {
		_, secret, err := s.Accounts.CreateToken(ctx, id, "voting")
		if err != nil {
			t.Fatal(err)
		}
		tokens[i] = secret
	}
	return tokens
}

// Test shapes of the API's answers.
type (
	apiDecisionJSON struct {
		ID        int64  `json:"id"`
		Href      string `json:"href"`
		Title     string `json:"title"`
		Method    string `json:"method"`
		State     string `json:"state"`
		Secrecy   string `json:"secrecy"`
		Workspace *struct {
			Slug string `json:"slug"`
		} `json:"workspace"`
		ClosesAt *time.Time `json:"closes_at"`
		OpensAt  *time.Time `json:"opens_at"`
		Options  []struct {
			ID       int64  `json:"id"`
			Position int    `json:"position"`
			Label    string `json:"label"`
		} `json:"options"`
		Rights struct {
			See, Comment, Vote, Manage bool
		} `json:"rights"`
		Voted      bool            `json:"voted"`
		Ballot     map[string]any  `json:"ballot"`
		Cast       int             `json:"cast"`
		Electorate int             `json:"electorate"`
		Voters     []any           `json:"voters"`
		Hidden     bool            `json:"results_hidden"`
		Result     *apiResultJSON  `json:"result"`
		Comments   []apiCommentRef `json:"comments"`
		Outcome    string          `json:"outcome"`
		ReviewOn   *string         `json:"review_on"`
	}
	apiCommentRef struct {
		ID       int64           `json:"id"`
		ParentID *int64          `json:"parent_id"`
		Author   *string         `json:"author_name"`
		Body     string          `json:"body"`
		Replies  []apiCommentRef `json:"replies"`
	}
	apiResultJSON struct {
		Method  string `json:"method"`
		State   string `json:"state"`
		Final   bool   `json:"final"`
		Ballots int    `json:"ballots"`
		Options []struct {
			ID       int64 `json:"id"`
			Position int   `json:"position"`
		} `json:"options"`
		Winners []int64             `json:"winners"`
		Ranking []int64             `json:"ranking"`
		Motion  *tally.MotionResult `json:"motion"`
		Steps   []struct {
			Kind   string `json:"kind"`
			Option *int64 `json:"option"`
		} `json:"steps"`
	}
)

func apiInstant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// wantField checks a 400 names field with code.
func wantAPIField(t *testing.T, r *response, field, code string) {
	t.Helper()
	e := apiErrorOf(t, r, http.StatusBadRequest)
	if got := e.Error.Fields[field].Code; got != code {
		t.Errorf("field %s: code %q, want %q; body:\n%s", field, got, code, r.Body)
	}
}

// wantCode checks the problem's status and code.
func wantAPICode(t *testing.T, r *response, status int, code string) {
	t.Helper()
	if e := apiErrorOf(t, r, status); e.Error.Code != code {
		t.Errorf("code %q, want %q", e.Error.Code, code)
	}
}

func apiOptionIDs(d apiDecisionJSON) map[string]int64 {
	out := map[string]int64{}
	for _, o := range d.Options {
		out[o.Label] = o.ID
	}
	return out
}

// A proposal from draft to outcome through the API: created with its
// problems named by field, changed, discussed in a thread, voted on (one
// secret ballot each), counted live, closed on time, and its ballots and
// results downloaded; a workspace's decision stays inside its circles.
func TestDecisionAPIJourney(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, clock := decideAPISite(t, db)
		slug := demoWorkspace(t, s)
		core := s.script(s.tokenFor(member.Email), "en")      // core of the demo workspace
		mod := s.script(s.tokenFor(moderator.Email), "nl")    // in its members circle
		outsider := s.script(s.tokenFor(steward.Email), "en") // a steward, not in the workspace
		anon := s.script("", "en")
		closes := clock.now().Add(7 * 24 * time.Hour).Truncate(time.Minute)
		ws := "/workspaces/" + slug + "/decisions"

		// Problems are named by the JSON's fields.
		r := core.call(http.MethodPost, ws, `{"title": " ", "language": "xx", "method": "schulze", "secrecy": "anonymous",
			"closes_at": "`+apiInstant(clock.now().Add(-time.Hour))+`", "circles": ["members"], "options": [{"label": "A"}, {"label": "", "description": "Zonder naam"}]}`)
		for field, code := range map[string]string{"title": "required", "language": "choice.unknown", "closes_at": "decide.closes_past",
			"options.1.label": "required"} {
			wantAPIField(t, r, field, code)
		}
		wantAPIField(t, core.call(http.MethodPost, ws, `{"title": "x", "colour": "red"}`), "colour", "json.unknown_field")
		wantAPIField(t, core.call(http.MethodPost, ws, `{"title": "x", "outcome": "done"}`), "outcome", "decide.outcome_later")
		wantAPICode(t, anon.call(http.MethodPost, ws, `{}`), http.StatusUnauthorized, "auth.required")
		wantAPICode(t, outsider.call(http.MethodPost, ws, `{}`), http.StatusForbidden, "decide.forbidden")

		r = core.call(http.MethodPost, ws, `{"title": "Welke oven?", "body": "We hebben een nieuwe oven nodig.", "language": "nl",
			"method": "schulze", "secrecy": "anonymous", "visibility": "members", "circles": ["core", "contributors", "members"],
			"closes_at": "`+apiInstant(closes)+`", "options": [{"label": "Gas", "description": "Snel heet."}, {"label": "Elektrisch"}, {"label": "Hout"}]}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d\n%s", r.Status, r.Body)
		}
		var d apiDecisionJSON
		r.JSON(t, &d)
		link := "/decisions/" + strconv.FormatInt(d.ID, 10)
		if r.Location() != s.URL+"/api/v1"+link || d.Href != s.URL+link {
			t.Errorf("Location %q, href %q", r.Location(), d.Href)
		}
		if d.State != "draft" || d.Method != "schulze" || d.ClosesAt == nil || !d.ClosesAt.Equal(closes) || d.OpensAt != nil ||
			len(d.Options) != 3 || !d.Rights.Manage || d.Workspace == nil || d.Workspace.Slug != slug {
			t.Errorf("created: %+v", d)
		}
		// A draft is its managers' alone.
		wantAPICode(t, mod.call(http.MethodGet, link, ""), http.StatusNotFound, "decide.not_found")
		wantAPICode(t, anon.call(http.MethodGet, link, ""), http.StatusNotFound, "decide.not_found")

		// A change sends what changes; secrecy never weakens; a local time
		// in Amsterdam is read as one.
		wantAPIField(t, core.call(http.MethodPatch, link, `{"secrecy": "open"}`), "secrecy", "decide.secrecy_weaker")
		r = core.call(http.MethodPatch, link, `{"title": "Welke oven kopen we?", "closes_at": "`+closes.In(amsterdamZone(t)).Format("2006-01-02T15:04")+`"}`)
		if r.Status != http.StatusOK {
			t.Fatalf("patch: %d\n%s", r.Status, r.Body)
		}
		r.JSON(t, &d)
		if d.Title != "Welke oven kopen we?" || d.Secrecy != "anonymous" || len(d.Options) != 3 || !d.ClosesAt.Equal(closes) {
			t.Errorf("patched: %+v", d)
		}

		// The discussion: a thread of comments.
		wantAPIField(t, core.call(http.MethodPost, link+"/state", `{"to": "closed"}`), "to", "choice.unknown")
		if r := core.call(http.MethodPost, link+"/state", `{"to": "discussion"}`); r.Status != http.StatusOK {
			t.Fatalf("publish: %d\n%s", r.Status, r.Body)
		}
		r = mod.call(http.MethodPost, link+"/comments", `{"body": "Gas is goedkoper."}`)
		var c apiCommentRef
		if r.Status != http.StatusCreated {
			t.Fatalf("comment: %d\n%s", r.Status, r.Body)
		}
		r.JSON(t, &c)
		if r := core.call(http.MethodPost, link+"/comments", `{"body": "En het klimaat?", "parent": `+strconv.FormatInt(c.ID, 10)+`}`); r.Status != http.StatusCreated {
			t.Fatalf("reply: %d\n%s", r.Status, r.Body)
		}
		wantAPIField(t, core.call(http.MethodPost, link+"/comments", `{"body": "?", "parent": 999999}`), "parent", "decide.comment_unknown")
		mod.call(http.MethodGet, link, "").JSON(t, &d)
		if len(d.Comments) != 1 || len(d.Comments[0].Replies) != 1 || d.Comments[0].Replies[0].Body != "En het klimaat?" ||
			*d.Comments[0].Replies[0].ParentID != c.ID || d.Rights.Vote || !d.Rights.Comment {
			t.Errorf("the discussion as the member sees it: %+v", d)
		}
		wantAPICode(t, mod.call(http.MethodGet, link+"/results", ""), http.StatusConflict, "decide.no_results")

		// Voting: the lot orders the options; one secret ballot each.
		r = core.call(http.MethodPost, link+"/state", `{"to": "voting"}`)
		r.JSON(t, &d)
		positions := []int{}
		for _, o := range d.Options {
			positions = append(positions, o.Position)
		}
		slices.Sort(positions)
		if d.State != "voting" || !slices.Equal(positions, []int{1, 2, 3}) || d.Electorate < 2 || !d.Rights.Vote {
			t.Errorf("voting: %+v", d)
		}
		opt := apiOptionIDs(d)
		gas, elec, wood := strconv.FormatInt(opt["Gas"], 10), strconv.FormatInt(opt["Elektrisch"], 10), strconv.FormatInt(opt["Hout"], 10)
		wantAPIField(t, mod.call(http.MethodPost, link+"/ballot", `{"values": {"999999": 1}}`), "values.999999", "decide.option_unknown")
		wantAPIField(t, mod.call(http.MethodPost, link+"/ballot", `{"values": {}}`), "ballot", "decide.ballot_empty")
		for _, v := range []struct {
			who    *script
			ballot string
		}{
			{mod, `{"values": {"` + gas + `": 1, "` + elec + `": 2}}`},
			{core, `{"values": {"` + elec + `": 1, "` + gas + `": 2, "` + wood + `": 2}}`},
		} {
			if r := v.who.call(http.MethodPost, link+"/ballot", v.ballot); r.Status != http.StatusNoContent {
				t.Fatalf("ballot %s: %d\n%s", v.ballot, r.Status, r.Body)
			}
		}
		wantAPICode(t, mod.call(http.MethodPost, link+"/ballot", `{"values": {"`+wood+`": 1}}`), http.StatusConflict, "decide.already_voted")
		wantAPICode(t, outsider.call(http.MethodPost, link+"/ballot", `{"values": {"`+wood+`": 1}}`), http.StatusNotFound, "decide.not_found")
		mod.call(http.MethodGet, link, "").JSON(t, &d)
		// Two secret ballots: no result so far, which would give them away.
		if !d.Voted || d.Ballot != nil || d.Cast != 2 || d.Voters != nil || d.Result != nil || !d.Hidden {
			t.Errorf("a secret vote of two, as one voter sees it: voted %v, ballot %v, cast %d, voters %v, result %+v, hidden %v",
				d.Voted, d.Ballot, d.Cast, d.Voters, d.Result, d.Hidden)
		}
		wantAPICode(t, mod.call(http.MethodGet, link+"/results", ""), http.StatusConflict, "decide.results_waiting")
		// Ballots wait until voting closes.
		wantAPICode(t, anon.call(http.MethodGet, link+"/ballots", ""), http.StatusNotFound, "decide.not_found") // members only
		wantAPICode(t, mod.call(http.MethodGet, link+"/ballots", ""), http.StatusConflict, "decide.not_closed")
		if r := s.loggedIn(moderator, "en").get(link + "/ballots.blt"); r.Status != http.StatusConflict {
			t.Errorf("the BLT file while voting: %d", r.Status)
		}

		// Closed on time: the count is fixed, and the files count to it.
		clock.forward(8 * 24 * time.Hour)
		var res apiResultJSON
		mod.call(http.MethodGet, link+"/results", "").JSON(t, &res)
		if !res.Final || res.State != "closed" || res.Ballots != 2 || len(res.Winners) != 1 || len(res.Ranking) != 3 || len(res.Options) != 3 {
			t.Fatalf("closed: %+v", res)
		}
		browser := s.loggedIn(moderator, "en")
		checkDownloads(t, mod, browser, link, "schulze", res)
		r = browser.get(link + "/ballots.blt")
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
			!strings.HasPrefix(r.Header.Get("Content-Disposition"), `attachment; filename="samen-decision-`+strconv.FormatInt(d.ID, 10)+`-ballots.blt"`) ||
			r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("the BLT file: %d %v", r.Status, r.Header)
		}
		for _, name := range []string{"ballots.pb", "ballots.results", "results.blt", "x"} {
			if r := browser.get(link + "/" + name); r.Status != http.StatusNotFound {
				t.Errorf("%s: %d", name, r.Status)
			}
		}
		wantAPIField(t, mod.call(http.MethodGet, link+"/ballots?format=pb", ""), "format", "choice.unknown")
		wantAPIField(t, mod.call(http.MethodGet, link+"/results?format=xml", ""), "format", "choice.unknown")

		// The outcome is written once closed; the proposal is then fixed.
		wantAPICode(t, core.call(http.MethodPatch, link, `{"title": "Anders"}`), http.StatusConflict, "decide.not_editable")
		review := clock.now().AddDate(0, 6, 0).Format(time.DateOnly)
		r = core.call(http.MethodPatch, link, `{"outcome": "We kopen een elektrische oven.", "review_on": "`+review+`"}`)
		r.JSON(t, &d)
		if d.Outcome != "We kopen een elektrische oven." || d.ReviewOn == nil || *d.ReviewOn != review {
			t.Errorf("outcome: %q, review %v", d.Outcome, d.ReviewOn)
		}
		wantAPICode(t, mod.call(http.MethodPatch, link, `{"outcome": "Nee."}`), http.StatusForbidden, "decide.forbidden")

		// Lists show each caller what they may see.
		var list struct {
			Decisions []apiDecisionJSON `json:"decisions"`
		}
		has := func(sc *script, path string) bool {
			list.Decisions = nil
			sc.call(http.MethodGet, path, "").JSON(t, &list)
			return slices.ContainsFunc(list.Decisions, func(x apiDecisionJSON) bool { return x.ID == d.ID })
		}
		if !has(mod, ws) || has(anon, ws) || has(outsider, ws) || has(mod, "/decisions") {
			t.Error("the lists show the workspace's decision to the wrong people")
		}

		// A hidden vote shows no count until it closes.
		r = core.call(http.MethodPost, ws, `{"title": "Nieuwe penningmeester", "language": "nl", "method": "majority", "secrecy": "hidden",
			"circles": ["core", "members"], "params": {"threshold": "two_thirds", "quorum": 10}, "closes_at": "`+apiInstant(clock.now().Add(48*time.Hour))+`"}`)
		r.JSON(t, &d)
		hidden := "/decisions/" + strconv.FormatInt(d.ID, 10)
		core.call(http.MethodPost, hidden+"/state", `{"to": "voting"}`)
		if r := mod.call(http.MethodPost, hidden+"/ballot", `{"position": "yes"}`); r.Status != http.StatusNoContent {
			t.Fatalf("majority ballot: %d\n%s", r.Status, r.Body)
		}
		wantAPIField(t, core.call(http.MethodPost, hidden+"/ballot", `{"position": "maybe"}`), "position", "choice.unknown")
		wantAPICode(t, mod.call(http.MethodGet, hidden+"/results", ""), http.StatusConflict, "decide.results_hidden")
		if r := browser.get(hidden + "/results.csv"); r.Status != http.StatusConflict {
			t.Errorf("a hidden vote's results.csv: %d", r.Status)
		}
		mod.call(http.MethodGet, hidden, "").JSON(t, &d)
		if !d.Hidden || d.Result != nil {
			t.Errorf("hidden: results_hidden %v, result %+v", d.Hidden, d.Result)
		}
		clock.forward(49 * time.Hour)
		r = mod.call(http.MethodGet, hidden+"/results?format=csv", "")
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			r.Body != "position,ballots\nyes,1\nno,0\nabstain,0\n" {
			t.Errorf("the motion's results CSV: %d %q\n%v", r.Status, r.Body, r.Header)
		}
		mod.call(http.MethodGet, hidden+"/results", "").JSON(t, &res)
		if res.Motion == nil || !res.Motion.Passed || res.Motion.Cast != 1 || len(res.Winners) != 0 {
			t.Errorf("the motion: %+v", res.Motion)
		}
	})
}

func amsterdamZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Participatory budgets through the API: projects proposed with their cost
// in cents, a secret ballot each, and the result under every rule as JSON
// and CSV, with the .pb download counting to it.
func TestBudgetAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, clock := decideAPISite(t, db)
		tokens := s.apiVoters(t, "resident", 6, "", "")
		people := make([]*script, len(tokens))
		for i, tok := range tokens {
			people[i] = s.script(tok, "en")
		}
		id, projects := s.runBudget(t, clock, people)
		link := "/budgets/" + strconv.FormatInt(id, 10)

		var b struct {
			Phase    string `json:"phase"`
			Projects []struct {
				ID        int64  `json:"id"`
				CostCents int64  `json:"cost_cents"`
				State     string `json:"state"`
			} `json:"projects"`
			Rights  struct{ Vote bool }  `json:"rights"`
			Voted   bool                 `json:"voted"`
			Turnout struct{ Online int } `json:"turnout"`
			Result  *struct {
				Funded []int64 `json:"funded"`
			} `json:"result"`
		}
		people[0].call(http.MethodGet, link, "").JSON(t, &b)
		if b.Phase != "result" || len(b.Projects) != len(projects) || !b.Voted || b.Rights.Vote || b.Turnout.Online != 6 || b.Result == nil {
			t.Fatalf("the budget after its result: %+v", b)
		}
		var res struct {
			Rule    string  `json:"rule"`
			Ballots int     `json:"ballots"`
			Funded  []int64 `json:"funded"`
			Rules   map[string]struct {
				Winners    []int64 `json:"winners"`
				SpentCents int64   `json:"spent_cents"`
				Steps      []struct {
					Kind        string `json:"kind"`
					Project     *int64 `json:"project"`
					Votes       *int   `json:"votes"`
					LeftCents   *int64 `json:"left_cents"`
					AmountCents *int64 `json:"amount_cents"`
				} `json:"steps"`
			} `json:"rules"`
		}
		r := s.script("", "en").call(http.MethodGet, link+"/results", "")
		r.JSON(t, &res)
		if res.Rule != "equal-shares-add1" || res.Ballots != 6 || !slices.Equal(res.Funded, res.Rules["equal-shares-add1"].Winners) || len(res.Rules) != 3 {
			t.Fatalf("result: %+v", res)
		}
		// The story of runBudget: greedy funds the skate park (six votes)
		// and the car park (four); Equal Shares only the skate park, since
		// the four have too little left for the car park; completed by
		// add-one, the car park too.
		if got, want := res.Rules["greedy"].Winners, []int64{projects["Skatepark"], projects["Parkeerplaats"]}; !slices.Equal(got, want) {
			t.Errorf("greedy funds %v, want %v", got, want)
		}
		if got, want := res.Rules["equal-shares"].Winners, []int64{projects["Skatepark"]}; !slices.Equal(got, want) {
			t.Errorf("equal-shares funds %v, want %v", got, want)
		}
		if got, want := sortedIDs(res.Funded), sortedIDs([]int64{projects["Skatepark"], projects["Parkeerplaats"]}); !slices.Equal(got, want) {
			t.Errorf("equal-shares-add1 funds %v, want %v", got, want)
		}
		if g := res.Rules["greedy"]; g.SpentCents != 100_00 || g.Steps[0].Kind != "funded" || *g.Steps[0].Votes != 6 || *g.Steps[0].LeftCents != 50_00 {
			t.Errorf("greedy's first step: %+v, spent %d", g.Steps[0], g.SpentCents)
		}
		for _, st := range res.Rules["equal-shares"].Steps {
			if st.Kind == "funded" && (st.AmountCents == nil || st.Votes != nil) {
				t.Errorf("an Equal Shares step: %+v", st)
			}
		}
		csvWant := "project_id,title,position,cost_cents,votes,greedy,equal-shares,equal-shares-add1\n"
		r = s.script("", "en").call(http.MethodGet, link+"/results?format=csv", "")
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Body, csvWant) || strings.Count(r.Body, "\n") != 1+len(projects) ||
			!strings.Contains(r.Body, "\n"+strconv.FormatInt(projects["Skatepark"], 10)+",Skatepark,") || !strings.Contains(r.Body, ",5000,6,yes,yes,yes\n") {
			t.Errorf("results CSV: %d\n%s", r.Status, r.Body)
		}
		checkBudgetDownload(t, s, link, res.Rules["greedy"].Winners, res.Rules["equal-shares"].Winners, res.Rules["equal-shares-add1"].Winners)
		page := s.browser("en").get(link + "/results.csv")
		if page.Status != http.StatusOK || !strings.HasPrefix(page.Body, csvWant) || page.Header.Get("Cache-Control") != "public, max-age=3600" {
			t.Errorf("the page's results.csv: %d %v\n%s", page.Status, page.Header, page.Body)
		}
	})
}

func sortedIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// runBudget runs a city-wide budget of €100 to its result: four projects
// proposed through the API (one refused for cents), reviewed and opened
// by the steward, six residents voting through the API, each a basket of
// two: all six the skate park, four with it the car park and two the
// library; the art work nobody. It returns the budget and the projects'
// ids by title.
func (s *site) runBudget(t *testing.T, clock *testClock, people []*script) (int64, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	chief, err := account.ByID(ctx, s.DB, s.userID(steward.Email))
	if err != nil {
		t.Fatal(err)
	}
	dec := s.Parts.Decisions
	b, err := dec.CreateBudget(ctx, &chief, "", apiBudgetDraft(clock.now().Add(14*24*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	link := "/budgets/" + strconv.FormatInt(b.ID, 10)
	wantAPIField(t, people[0].call(http.MethodPost, link+"/projects", `{"title": "Bankje", "description": "Om te zitten.", "cost_cents": 1050}`),
		"cost_cents", "decide.whole_euros")
	wantAPIField(t, people[0].call(http.MethodPost, link+"/projects", `{"title": "Bankje", "description": "Om te zitten."}`), "cost_cents", "required")
	projects := map[string]int64{}
	for i, p := range []struct {
		title string
		cost  int
	}{{"Skatepark", 50}, {"Parkeerplaats", 50}, {"Bibliotheek", 50}, {"Kunstwerk", 40}} {
		r := people[i].call(http.MethodPost, link+"/projects", fmt.Sprintf(`{"title": %q, "description": "Een voorstel.", "cost_cents": %d}`, p.title, p.cost*100))
		var pr struct {
			ID        int64   `json:"id"`
			CostCents int64   `json:"cost_cents"`
			State     string  `json:"state"`
			Proposer  *string `json:"proposer_name"`
		}
		if r.Status != http.StatusCreated {
			t.Fatalf("propose: %d\n%s", r.Status, r.Body)
		}
		r.JSON(t, &pr)
		if pr.CostCents != int64(p.cost*100) || pr.State != "proposed" || pr.Proposer == nil {
			t.Errorf("proposed: %+v", pr)
		}
		projects[p.title] = pr.ID
	}
	if _, err := dec.AdvanceBudget(ctx, &chief, b.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range projects {
		if err := dec.Review(ctx, &chief, b.ID, id, true, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := dec.AdvanceBudget(ctx, &chief, b.ID); err != nil {
		t.Fatal(err)
	}
	wantAPICode(t, people[0].call(http.MethodGet, link+"/results", ""), http.StatusConflict, "decide.not_closed")
	wantAPICode(t, people[0].call(http.MethodGet, link+"/ballots", ""), http.StatusConflict, "decide.not_closed")
	wantAPIField(t, people[0].call(http.MethodPost, link+"/ballot", `{"projects": [999999]}`), "projects", "decide.project_unknown")
	wantAPIField(t, people[0].call(http.MethodPost, link+"/ballot", `{"projects": [`+strconv.FormatInt(projects["Skatepark"], 10)+`,`+
		strconv.FormatInt(projects["Parkeerplaats"], 10)+`,`+strconv.FormatInt(projects["Bibliotheek"], 10)+`]}`), "projects", "tally.ballot.over_budget")
	for i, p := range people {
		chosen := []int64{projects["Skatepark"], projects["Parkeerplaats"]}
		if i >= 4 {
			chosen[1] = projects["Bibliotheek"]
		}
		body := `{"projects": [` + strconv.FormatInt(chosen[0], 10) + `,` + strconv.FormatInt(chosen[1], 10) + `]}`
		if r := p.call(http.MethodPost, link+"/ballot", body); r.Status != http.StatusNoContent {
			t.Fatalf("budget ballot %s: %d\n%s", body, r.Status, r.Body)
		}
	}
	wantAPICode(t, people[0].call(http.MethodPost, link+"/ballot", `{"projects": [`+strconv.FormatInt(projects["Skatepark"], 10)+`]}`),
		http.StatusConflict, "decide.already_voted")
	clock.forward(15 * 24 * time.Hour)
	if _, err := dec.AdvanceBudget(ctx, &chief, b.ID); err != nil {
		t.Fatal(err)
	}
	return b.ID, projects
}

func apiBudgetDraft(closes time.Time) decide.DraftBudget {
	return decide.DraftBudget{Title: "Buurtbudget", Description: "Honderd euro voor de buurt.", Language: "nl", Total: "100",
		BallotKind: decide.Knapsack, Rule: "equal-shares-add1", ClosesAt: decide.Local(closes)}
}
