package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"samen/internal/demo"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// fundSite is a site with the demo's funding: a pool, three campaigns and
// their expenses.
func fundSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	s := newSite(t, db)
	svc := demoServices(s.Parts)
	svc.Funding = s.Parts.Funding
	if _, err := demo.Seed(context.Background(), s.Accounts, svc); err != nil {
		t.Fatalf("seeding: %v", err)
	}
	return s
}

// Issue 14's promise: /api/v1/ledger.csv on the demo sums to zero for
// every transaction; the JSON pages through the same transactions.
func TestLedgerOfTheDemo(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := fundSite(t, db)
		anon := s.script("", "en")
		r := anon.call(http.MethodGet, "/ledger.csv", "")
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("ledger.csv: %d %v", r.Status, r.Header)
		}
		rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != "transaction,date,kind,account,account_name,cents,description,reverses" {
			t.Errorf("header %v", rows[0])
		}
		sums, kinds := map[string]int64{}, map[string]bool{}
		for _, row := range rows[1:] {
			c, err := strconv.ParseInt(row[5], 10, 64)
			if err != nil {
				t.Fatalf("cents %q", row[5])
			}
			sums[row[0]] += c
			kinds[row[2]] = true
		}
		for tx, sum := range sums {
			if sum != 0 {
				t.Errorf("transaction %s sums to %d", tx, sum)
			}
		}
		for _, k := range []string{"deposit", "contribution", "match", "payout", "reversal", "expense"} {
			if !kinds[k] {
				t.Errorf("the demo's ledger has no %s: %v", k, kinds)
			}
		}
		if page := s.browser("nl").get("/ledger.csv"); page.Body != r.Body {
			t.Error("/ledger.csv differs from /api/v1/ledger.csv")
		}
		if strings.Contains(r.Body, "@example.org") {
			t.Error("the public ledger names an address")
		}

		// The JSON, page by page, holds the same transactions.
		seen, cursor := 0, ""
		for range 100 {
			var page struct {
				Transactions []struct {
					ID      int64 `json:"id"`
					Entries []struct {
						Account string `json:"account"`
						Cents   int64  `json:"cents"`
					} `json:"entries"`
				} `json:"transactions"`
				Next *int64 `json:"next_cursor"`
			}
			anon.call(http.MethodGet, "/ledger?limit=25"+cursor, "").JSON(t, &page)
			for _, tx := range page.Transactions {
				var sum int64
				for _, e := range tx.Entries {
					sum += e.Cents
				}
				if sum != 0 || len(tx.Entries) < 2 {
					t.Errorf("transaction %d: %+v", tx.ID, tx.Entries)
				}
			}
			seen += len(page.Transactions)
			if page.Next == nil {
				break
			}
			cursor = "&cursor=" + strconv.FormatInt(*page.Next, 10)
		}
		if seen != len(sums) {
			t.Errorf("the JSON pages hold %d transactions, the CSV file %d", seen, len(sums))
		}
		e := apiErrorOf(t, anon.call(http.MethodGet, "/ledger?from=2026-13-01&prefix=pool%25", ""), http.StatusBadRequest)
		if e.Error.Fields["from"].Code != "date.invalid" || e.Error.Fields["prefix"].Code != "ledger.account" {
			t.Errorf("bad filters: %+v", e.Error.Fields)
		}

		// Campaigns: three, public, without anyone's address.
		var list struct {
			Campaigns []struct {
				ID          int64  `json:"id"`
				State       string `json:"state"`
				RaisedCents int64  `json:"raised_cents"`
			} `json:"campaigns"`
		}
		anon.call(http.MethodGet, "/campaigns", "").JSON(t, &list)
		states := map[string]int64{}
		for _, c := range list.Campaigns {
			states[c.State] = c.ID
		}
		if len(list.Campaigns) != 3 || states["running"] == 0 || states["succeeded"] == 0 || states["failed"] == 0 {
			t.Fatalf("the demo's campaigns: %+v", list.Campaigns)
		}
		page := anon.call(http.MethodGet, "/campaigns/"+strconv.FormatInt(states["succeeded"], 10), "")
		var c struct {
			Given   int64  `json:"given_cents"`
			Matched int64  `json:"matched_cents"`
			Raised  int64  `json:"raised_cents"`
			Account string `json:"account"`
			Gifts   []struct {
				Name *string `json:"name"`
			} `json:"contributions"`
		}
		page.JSON(t, &c)
		if c.Given == 0 || c.Matched == 0 || c.Raised != c.Given+c.Matched || len(c.Gifts) == 0 || strings.Contains(page.Body, "@example.org") {
			t.Errorf("the succeeded campaign: %+v", c)
		}
		var anonymous int
		for _, g := range c.Gifts {
			if g.Name == nil {
				anonymous++
			}
		}
		if anonymous == 0 {
			t.Error("no contribution of the demo is anonymous on the page")
		}
		var accounts struct {
			Accounts []struct {
				Code  string `json:"code"`
				Cents int64  `json:"cents"`
			} `json:"accounts"`
		}
		anon.call(http.MethodGet, "/ledger/accounts?prefix="+c.Account, "").JSON(t, &accounts)
		if len(accounts.Accounts) != 1 || accounts.Accounts[0].Cents != 0 {
			t.Errorf("a succeeded campaign's account, paid out: %+v", accounts.Accounts)
		}
	})
}

// Giving through the API, without a token: the demo's provider pays at
// once; a bank transfer answers with the account and the reference; bad
// input is named per field.
func TestGivingThroughTheAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := fundSite(t, db)
		link := runningCampaign(t, s)
		anon := s.script("", "en")
		r := anon.call(http.MethodPost, link+"/contributions", `{"cents": 2500, "email": "api@example.org", "name": "API", "method": "demo"}`)
		var c struct {
			ID         int64   `json:"id"`
			Status     string  `json:"status"`
			Reference  *string `json:"reference"`
			ReceiptURL string  `json:"receipt_url"`
			Bank       *struct {
				IBAN string `json:"iban"`
			} `json:"bank"`
		}
		if r.Status != http.StatusCreated {
			t.Fatalf("giving: %d\n%s", r.Status, r.Body)
		}
		r.JSON(t, &c)
		if c.Status != "paid" || c.Reference != nil || !strings.Contains(c.ReceiptURL, "/contributions/") {
			t.Errorf("a demo gift: %+v", c)
		}
		r = anon.call(http.MethodPost, link+"/contributions", `{"cents": 4000, "email": "api2@example.org", "anonymous": true, "method": "bank"}`)
		r.JSON(t, &c)
		if r.Status != http.StatusCreated || c.Status != "open" || c.Reference == nil || !strings.HasPrefix(*c.Reference, "SAMEN-") || c.Bank == nil || c.Bank.IBAN == "" {
			t.Errorf("a bank transfer: %d %s", r.Status, r.Body)
		}
		e := apiErrorOf(t, anon.call(http.MethodPost, link+"/contributions", `{"cents": 50, "email": "x", "method": "paypal"}`), http.StatusBadRequest)
		for field, code := range map[string]string{"cents": "fund.contribution_range", "email": "email.invalid", "method": "choice.unknown", "name": "required"} {
			if e.Error.Fields[field].Code != code {
				t.Errorf("%s: %+v, want %s", field, e.Error.Fields[field], code)
			}
		}
		apiErrorOf(t, anon.call(http.MethodPost, "/campaigns/999999/contributions", `{"cents": 2500, "email": "a@example.org", "name": "A", "method": "demo"}`), http.StatusNotFound)
	})
}

// A campaign through the API: the demo member (core of the demo
// workspace) starts a draft, nobody else sees it, launches it; once
// running its goals stay as promised.
func TestCampaignThroughTheAPI(t *testing.T) {
	t.Parallel()
	s := fundSite(t, storetest.SQLite(t))
	core := s.script(s.tokenFor(member.Email), "en")
	slug := demoWorkspace(t, s)
	deadline := time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339)
	body := `{"title": "Een werkbank", "language": "nl", "min_cents": 50000, "goal_cents": 80000, "deadline": "` + deadline + `",
		"all_or_nothing": true, "budget_lines": [{"label": "Werkbank", "cents": 80000}], "rewards": [{"title": "Een sleutelhanger", "min_cents": 1500, "available": 10}]}`
	e := apiErrorOf(t, core.call(http.MethodPost, "/workspaces/"+slug+"/campaigns", `{"title": "", "language": "nl", "min_cents": 100, "goal_cents": 50, "deadline": "2020-01-01T00:00:00Z"}`), http.StatusBadRequest)
	if e.Error.Fields["title"].Code != "required" || e.Error.Fields["goal"].Code != "fund.goal_below_min" || e.Error.Fields["deadline"].Code != "fund.deadline_past" {
		t.Errorf("a bad draft: %+v", e.Error.Fields)
	}
	r := core.call(http.MethodPost, "/workspaces/"+slug+"/campaigns", body)
	if r.Status != http.StatusCreated || r.Header.Get("Location") == "" {
		t.Fatalf("creating: %d\n%s", r.Status, r.Body)
	}
	var c struct {
		ID      int64  `json:"id"`
		State   string `json:"state"`
		Min     int64  `json:"min_cents"`
		Rewards []struct {
			ID        int64 `json:"id"`
			Available *int  `json:"available"`
		} `json:"rewards"`
	}
	r.JSON(t, &c)
	if c.State != "draft" || len(c.Rewards) != 1 || c.Rewards[0].Available == nil || *c.Rewards[0].Available != 10 {
		t.Errorf("the draft: %s", r.Body)
	}
	path := "/campaigns/" + strconv.FormatInt(c.ID, 10)
	if r := s.script("", "en").call(http.MethodGet, path, ""); r.Status != http.StatusNotFound {
		t.Errorf("a visitor reads a draft: %d", r.Status)
	}
	// A member who is no treasurer does not see the draft, so cannot
	// launch it.
	if r := s.script(s.tokenFor(moderator.Email), "en").call(http.MethodPost, path+"/launch", ""); r.Status != http.StatusNotFound {
		t.Errorf("a member who is no treasurer launches: %d", r.Status)
	}
	core.call(http.MethodPost, path+"/launch", "").JSON(t, &c)
	if c.State != "running" {
		t.Fatalf("launched: %+v", c)
	}
	changed := strings.Replace(body, `"min_cents": 50000`, `"min_cents": 100`, 1)
	changed = strings.Replace(changed, `"title": "Een werkbank"`, `"title": "Een betere werkbank"`, 1)
	r = core.call(http.MethodPut, path, changed)
	r.JSON(t, &c)
	if r.Status != http.StatusOK || c.Min != 50000 || !strings.Contains(r.Body, "Een betere werkbank") {
		t.Errorf("changing a running campaign: %d %s", r.Status, r.Body)
	}
}

// The municipality's report on the demo: JSON and CSV agree, and every
// month's matches come with contributions.
func TestFundingReportOfTheDemo(t *testing.T) {
	t.Parallel()
	s := fundSite(t, storetest.SQLite(t))
	anon := s.script("", "en")
	var rep struct {
		Rows []struct {
			Month    string `json:"month"`
			District string `json:"district"`
			Given    int64  `json:"given_cents"`
			Matched  int64  `json:"matched_cents"`
			PaidOut  int64  `json:"paid_out_cents"`
		} `json:"rows"`
		Deposits map[string]int64 `json:"deposits"`
	}
	anon.call(http.MethodGet, "/funding/report", "").JSON(t, &rep)
	var given, matched, paid, deposits int64
	for _, r := range rep.Rows {
		given, matched, paid = given+r.Given, matched+r.Matched, paid+r.PaidOut
		if r.Matched > 0 && r.Given == 0 {
			t.Errorf("a month with matches and no contributions: %+v", r)
		}
	}
	for _, d := range rep.Deposits {
		deposits += d
	}
	if given == 0 || matched == 0 || paid == 0 || deposits != 1500000 {
		t.Errorf("the demo's report: given %d, matched %d, paid out %d, deposits %d", given, matched, paid, deposits)
	}
	csvFile := anon.call(http.MethodGet, "/funding/report.csv", "")
	rows, err := csv.NewReader(strings.NewReader(csvFile.Body)).ReadAll()
	if err != nil || len(rows) != len(rep.Rows)+1 || rows[0][0] != "month" {
		t.Errorf("the CSV report: %v %v", rows, err)
	}
}
