package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"

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
