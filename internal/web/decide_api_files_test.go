package web_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/tally"
)

// The verifiable tallies: every download, counted as `samen tally` counts
// it (internal/tally's reader and the method the command line names),
// gives the site's result.

// countBLT counts a BLT file as `samen tally --method M FILE.blt` does,
// giving the winners and ranking as option ids by the lot order the
// result lists.
func countBLT(t *testing.T, body, method string, lot []int64) (winners, ranking []int64, ballots int) {
	t.Helper()
	e, err := tally.ReadBLT(strings.NewReader(body))
	if err != nil {
		t.Fatalf("reading the BLT file: %v\n%s", err, body)
	}
	if err := e.Validate(); err != nil {
		t.Fatalf("the BLT file does not validate: %v", err)
	}
	if len(e.Options) != len(lot) {
		t.Fatalf("the BLT file has %d candidates, the result %d options", len(e.Options), len(lot))
	}
	var res tally.Result
	switch method {
	case "schulze":
		res = tally.Schulze(e)
	case "irv":
		res = tally.IRV(e)
	case "stv":
		res = tally.STV(e)
	default:
		t.Fatalf("no BLT method %s", method)
	}
	for _, b := range e.Ballots {
		ballots += b.Weight
	}
	ids := func(list []int) []int64 {
		out := []int64{}
		for _, i := range list {
			out = append(out, lot[i])
		}
		return out
	}
	return ids(res.Winners), ids(res.Ranking), ballots
}

// checkDownloads downloads a closed decision's ballots as the API (as sc)
// and the page (in browser) serve them, counts each file as `samen tally` would, and wants the
// result the site published.
func checkDownloads(t *testing.T, sc *script, browser *browser, link, method string, res apiResultJSON) {
	t.Helper()
	lot := []int64{}
	for i, o := range res.Options {
		if o.Position != i+1 {
			t.Errorf("the result's options are not in the lot order: %+v", res.Options)
		}
		lot = append(lot, o.ID)
	}
	if tally.RankedMethod(method) {
		r := sc.call(http.MethodGet, link+"/ballots", "")
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Fatalf("%s: the BLT file: %d %v\n%s", method, r.Status, r.Header, r.Body)
		}
		winners, ranking, n := countBLT(t, r.Body, method, lot)
		if !slices.Equal(winners, res.Winners) || !slices.Equal(ranking, res.Ranking) || n != res.Ballots {
			t.Errorf("%s: the BLT file counts %v (ranking %v, %d ballots); the site %v (ranking %v, %d ballots)\n%s",
				method, winners, ranking, n, res.Winners, res.Ranking, res.Ballots, r.Body)
		}
		if page := browser.get(link + "/ballots.blt"); page.Body != r.Body {
			t.Errorf("%s: the page's ballots.blt differs from the API's", method)
		}
	}
	r := sc.call(http.MethodGet, link+"/ballots?format=csv", "")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("%s: the CSV file: %d %v\n%s", method, r.Status, r.Header, r.Body)
	}
	if page := browser.get(link + "/ballots.csv"); page.Body != r.Body {
		t.Errorf("%s: the page's ballots.csv differs from the API's", method)
	}
	f, err := tally.ReadCSV(strings.NewReader(r.Body), "")
	if err != nil {
		t.Fatalf("%s: reading the CSV file: %v\n%s", method, err, r.Body)
	}
	if f.Method != method || len(f.IDs) != res.Ballots {
		t.Errorf("the CSV file says method %s and %d ballots, want %s and %d", f.Method, len(f.IDs), method, res.Ballots)
	}
	if tally.MotionMethod(method) {
		m := f.CountMotion()
		if res.Motion == nil || m.Passed != res.Motion.Passed || m.Blocked != res.Motion.Blocked || m.QuorumMet != res.Motion.QuorumMet ||
			m.Cast != res.Motion.Cast || fmt.Sprint(m.Counts) != fmt.Sprint(res.Motion.Counts) {
			t.Errorf("%s: the CSV file counts %+v, the site %+v\n%s", method, m, res.Motion, r.Body)
		}
		return
	}
	c := f.Count()
	ids := func(list []int) []int64 {
		out := []int64{}
		for _, i := range list {
			id, err := strconv.ParseInt(f.Options[i].ID, 10, 64)
			if err != nil {
				t.Fatalf("option id %q", f.Options[i].ID)
			}
			out = append(out, id)
		}
		return out
	}
	if w, rk := ids(c.Winners), ids(c.Ranking); !slices.Equal(w, res.Winners) || !slices.Equal(rk, res.Ranking) {
		t.Errorf("%s: the CSV file counts %v (ranking %v), the site %v (ranking %v)\n%s", method, w, rk, res.Winners, res.Ranking, r.Body)
	}
}

// checkBudgetDownload counts a budget's .pb file under each rule, as
// `samen tally --method RULE FILE.pb` does, and wants what the site funds.
func checkBudgetDownload(t *testing.T, s *site, link string, greedy, equalShares, add1 []int64) {
	t.Helper()
	r := s.script("", "en").call(http.MethodGet, link+"/ballots", "")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), `-ballots.pb"`) || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("the .pb file: %d %v\n%s", r.Status, r.Header, r.Body)
	}
	if page := s.browser("en").get(link + "/ballots.pb"); page.Status != http.StatusOK || page.Body != r.Body {
		t.Errorf("the page's ballots.pb: %d, differs from the API's", page.Status)
	}
	b, err := tally.ReadPB(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("reading the .pb file: %v\n%s", err, r.Body)
	}
	if err := b.Validate(); err != nil {
		t.Fatalf("the .pb file does not validate: %v", err)
	}
	for _, rule := range []struct {
		name  string
		count func(tally.Budget) tally.Result
		want  []int64
	}{{"greedy", tally.Greedy, greedy}, {"equal-shares", tally.EqualShares, equalShares}, {"equal-shares-add1", tally.EqualSharesAdd1, add1}} {
		got := []int64{}
		for _, i := range rule.count(b).Winners {
			id, err := strconv.ParseInt(b.Projects[i].ID, 10, 64)
			if err != nil {
				t.Fatalf("project id %q", b.Projects[i].ID)
			}
			got = append(got, id)
		}
		if !slices.Equal(got, rule.want) {
			t.Errorf("samen tally --method %s counts %v, the site funds %v", rule.name, got, rule.want)
		}
	}
}

// Every method, city-wide, with random ballots (ties on ranked ones, blocks
// with their reasons on consent): closed, its files downloaded and counted
// as `samen tally` counts them, which gives the site's result.
func TestDownloadsCountToTheResult(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, clock := decideAPISite(t, db)
		chief := s.script(s.tokenFor(steward.Email), "en")
		tokens := s.apiVoters(t, "citizen", 17, "", "")
		closes := clock.now().Add(time.Hour)
		type vote struct {
			method, params string
			link           string
			options        []int64
		}
		var votes []*vote
		for _, v := range []struct{ method, params string }{
			{"schulze", `{}`}, {"irv", `{}`}, {"stv", `{"seats": 2}`}, {"score", `{}`}, {"dot", `{"dots": 5}`},
			{"approval", `{"max_choices": 2}`}, {"poll", `{}`}, {"consent", `{"quorum": 10}`}, {"majority", `{"quorum": 20, "threshold": "two_thirds"}`},
		} {
			options := `[{"label": "Noord"}, {"label": "Oost \"de Baan\""}, {"label": "=Zuid"}, {"label": "West"}, {"label": "Centrum"}]`
			switch v.method {
			case "consent", "majority":
				options = `[]`
			case "poll":
				var slots []string
				for i := range 4 {
					start := closes.Add(time.Duration(24*(i+1)) * time.Hour)
					slots = append(slots, `{"starts_at": "`+apiInstant(start)+`", "ends_at": "`+apiInstant(start.Add(2*time.Hour))+`"}`)
				}
				options = "[" + strings.Join(slots, ", ") + "]"
			}
			r := chief.call(http.MethodPost, "/decisions", `{"title": "Een stemming per `+v.method+`", "language": "nl", "method": "`+v.method+`",
				"secrecy": "anonymous", "params": `+v.params+`, "closes_at": "`+apiInstant(closes)+`", "options": `+options+`}`)
			if r.Status != http.StatusCreated {
				t.Fatalf("%s: %d\n%s", v.method, r.Status, r.Body)
			}
			var d apiDecisionJSON
			r.JSON(t, &d)
			link := "/decisions/" + strconv.FormatInt(d.ID, 10)
			chief.call(http.MethodPost, link+"/state", `{"to": "voting"}`).JSON(t, &d)
			if d.State != "voting" {
				t.Fatalf("%s: %s", v.method, d.State)
			}
			vt := &vote{method: v.method, params: v.params, link: link}
			for _, o := range d.Options {
				vt.options = append(vt.options, o.ID)
			}
			votes = append(votes, vt)
		}
		rng := rand.New(rand.NewPCG(13, 2026))
		for _, v := range votes {
			for i, tok := range tokens {
				body := randomAPIBallot(rng, v.method, v.options)
				if i == 0 && v.method == "consent" {
					body = `{"position": "block", "reason": "Te duur."}`
				}
				if r := s.script(tok, "en").call(http.MethodPost, v.link+"/ballot", body); r.Status != http.StatusNoContent {
					t.Fatalf("%s ballot %s: %d\n%s", v.method, body, r.Status, r.Body)
				}
			}
		}
		clock.forward(2 * time.Hour)
		anon := s.script("", "en")
		for _, v := range votes {
			var res apiResultJSON
			anon.call(http.MethodGet, v.link+"/results", "").JSON(t, &res)
			if !res.Final || res.Ballots != len(tokens) || res.Method != v.method {
				t.Fatalf("%s: %+v", v.method, res)
			}
			checkDownloads(t, anon, s.browser("en"), v.link, v.method, res)
			// The results CSV: a row per option, ranked, the winners first.
			req := anon.b.newRequest(http.MethodGet, "/api/v1"+v.link+"/results", nil)
			req.Header.Set("Accept", "text/csv, application/json;q=0.5")
			r := anon.b.do(req)
			lines := strings.Split(strings.TrimSpace(r.Body), "\n")
			if r.Header.Get("Content-Type") != "text/csv; charset=utf-8" || r.Header.Get("Cache-Control") != "public, max-age=3600" {
				t.Errorf("%s: results CSV headers %v", v.method, r.Header)
			}
			if page := s.browser("en").get(v.link + "/results.csv"); page.Body != r.Body {
				t.Errorf("%s: the page's results.csv differs from the API's:\n%s\n%s", v.method, page.Body, r.Body)
			}
			if res.Motion != nil {
				if len(lines) != 1+len(res.Motion.Counts) || lines[0] != "position,ballots" {
					t.Errorf("%s: results CSV\n%s", v.method, r.Body)
				}
				continue
			}
			if len(lines) != 1+len(v.options) || !strings.HasPrefix(lines[0], "option_id,label,position,rank,winner,") ||
				!strings.HasPrefix(lines[1], strconv.FormatInt(res.Ranking[0], 10)+",") || !strings.Contains(lines[1], ",1,yes") {
				t.Errorf("%s: results CSV\n%s", v.method, r.Body)
			}
			if strings.Contains(r.Body, ",=Zuid,") {
				t.Errorf("%s: a label a spreadsheet would run as a formula is not guarded:\n%s", v.method, r.Body)
			}
		}
	})
}

// randomBallot is a ballot of method over options as a JSON body.
func randomAPIBallot(rng *rand.Rand, method string, options []int64) string {
	id := func(i int) string { return strconv.FormatInt(options[i], 10) }
	values := func(pick func(i int) (int, bool)) string {
		var parts []string
		for i := range options {
			if v, ok := pick(i); ok {
				parts = append(parts, `"`+id(i)+`": `+strconv.Itoa(v))
			}
		}
		return `{"values": {` + strings.Join(parts, ", ") + `}}`
	}
	switch method {
	case "consent":
		p := []string{"agree", "agree", "agree", "abstain", "object"}[rng.IntN(5)]
		return `{"position": "` + p + `", "reason": "Misschien."}`
	case "majority":
		return `{"position": "` + []string{"yes", "yes", "no", "abstain"}[rng.IntN(4)] + `"}`
	case "score":
		return values(func(int) (int, bool) { v := rng.IntN(7) - 1; return v, v >= 0 })
	case "dot":
		dots := make([]int, len(options))
		for range 1 + rng.IntN(5) {
			dots[rng.IntN(len(options))]++
		}
		return values(func(i int) (int, bool) { return dots[i], dots[i] > 0 })
	case "approval":
		a, b := rng.IntN(len(options)), rng.IntN(len(options))
		return values(func(i int) (int, bool) { return 1, i == a || i == b })
	case "poll":
		var parts []string
		for i := range options {
			if a := []string{"yes", "maybe", "no", ""}[rng.IntN(4)]; a != "" || i == 0 {
				if a == "" {
					a = "yes"
				}
				parts = append(parts, `"`+id(i)+`": "`+a+`"`)
			}
		}
		return `{"answers": {` + strings.Join(parts, ", ") + `}}`
	}
	// Ranked: a random order of some options, with ties.
	perm := rng.Perm(len(options))[:1+rng.IntN(len(options))]
	ranks := map[int]int{}
	rank := 1
	for j, i := range perm {
		if j > 0 && rng.IntN(4) > 0 {
			rank++
		}
		ranks[i] = rank
	}
	return values(func(i int) (int, bool) { v, ok := ranks[i]; return v, ok })
}
