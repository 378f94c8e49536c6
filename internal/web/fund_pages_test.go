package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"samen/internal/fund"
	"samen/internal/mollie"
	"samen/internal/mollie/mollietest"
	"samen/internal/store/storetest"
)

// runningCampaign is the demo's running campaign's page address.
func runningCampaign(t *testing.T, s *site) string {
	t.Helper()
	var list struct {
		Campaigns []struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
		} `json:"campaigns"`
	}
	s.script("", "en").call(http.MethodGet, "/campaigns", "").JSON(t, &list)
	for _, c := range list.Campaigns {
		if c.State == "running" {
			return "/campaigns/" + strconv.FormatInt(c.ID, 10)
		}
	}
	t.Fatal("the demo has no running campaign")
	return ""
}

// Giving without an account, in both languages: by the demo's provider
// (paid at once, the receipt says so), by bank transfer (the receipt says
// where to, with the reference), and refused with a reason per field.
func TestGivingPages(t *testing.T) {
	t.Parallel()
	s := fundSite(t, storetest.SQLite(t))
	link := runningCampaign(t, s)
	for _, lang := range []string{"nl", "en"} {
		b := s.browser(lang)
		for _, path := range []string{"/campaigns", link, "/ledger", "/ledger?account=" + url.QueryEscape("provider:demo")} {
			if r := b.get(path); r.Status != http.StatusOK || !strings.Contains(r.Body, `lang="`+lang+`"`) {
				t.Fatalf("%s %s: %d", lang, path, r.Status)
			}
		}
		page := b.get(link)
		for _, want := range []string{`name="amount"`, `name="email"`, `name="method" value="demo"`, `name="method" value="bank"`, msgs.T(lang, "fund.rule.keep")} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("%s: the campaign's page lacks %q", lang, want)
			}
		}

		r := b.postForm(link+"/give", url.Values{"amount": {"12,50"}, "email": {"gever-" + lang + "@example.org"}, "name": {"Gever " + lang}, "method": {"demo"}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/contributions/") {
			t.Fatalf("%s: giving: %d %s\n%s", lang, r.Status, r.Location(), r.Body)
		}
		receipt := b.get(r.Location())
		if receipt.Status != http.StatusOK || !strings.Contains(receipt.Body, msgs.T(lang, "fund.receipt.status.paid")) || receipt.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: the receipt of a demo gift: %d\n%s", lang, receipt.Status, receipt.Body)
		}
		if other := s.browser(lang).get(strings.Split(r.Location(), "?")[0] + "?t=wrong"); other.Status != http.StatusNotFound {
			t.Errorf("%s: a receipt with another token: %d", lang, other.Status)
		}

		r = b.postForm(link+"/give", url.Values{"amount": {"40"}, "email": {"bank-" + lang + "@example.org"}, "anonymous": {"1"}, "method": {"bank"}})
		receipt = b.get(r.Location())
		if !strings.Contains(receipt.Body, "NL20INGB0001234567") || !strings.Contains(receipt.Body, "SAMEN-") ||
			!strings.Contains(receipt.Body, msgs.T(lang, "fund.receipt.status.open")) {
			t.Errorf("%s: the receipt of a transfer:\n%s", lang, receipt.Body)
		}

		bad := b.postForm(link+"/give", url.Values{"amount": {"0,50"}, "email": {"nope"}, "method": {"paypal"}, "message": {"Hallo"}})
		if bad.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: a bad gift: %d", lang, bad.Status)
		}
		for _, want := range []string{msgs.T(lang, "field.fund.contribution_range"), msgs.T(lang, "field.email.invalid"), msgs.T(lang, "field.choice.unknown"),
			msgs.T(lang, "field.required"), `aria-invalid="true"`, ">Hallo</textarea>"} {
			if !strings.Contains(bad.Body, want) {
				t.Errorf("%s: the refused gift's page lacks %q", lang, want)
			}
		}
	}
	// The gifts show on the campaign's page, the anonymous one without a
	// name, and no address anywhere.
	page := s.browser("en").get(link)
	if !strings.Contains(page.Body, "Gever nl") || strings.Contains(page.Body, "@example.org") {
		t.Errorf("the campaign's page after the gifts:\n%s", page.Body)
	}
	// Mollie's webhook: not one, 400; an unknown payment, 200 (nothing to
	// retry).
	if r := s.browser("").postForm("/payments/mollie", url.Values{"nope": {"1"}}); r.Status != http.StatusBadRequest {
		t.Errorf("a webhook without an id: %d", r.Status)
	}
	if r := s.browser("").postForm("/payments/mollie", url.Values{"id": {"tr_unknown123"}}); r.Status != http.StatusOK {
		t.Errorf("a webhook for an unknown payment: %d", r.Status)
	}
	// The ledger page names the accounts and pages back.
	ledger := s.browser("en").get("/ledger?limit=5")
	if !strings.Contains(ledger.Body, "Gemeente Amsterdam") && !strings.Contains(ledger.Body, msgs.T("en", "fund.account.provider")) {
		t.Errorf("the ledger page:\n%s", ledger.Body)
	}
	if !strings.Contains(ledger.Body, "/ledger?cursor=") {
		t.Error("the ledger page has no link to the next page")
	}
}

// Giving through Mollie on the page: the form leads to the receipt on this
// site (a form's redirect to another site would be blocked by the CSP's
// form-action), which links on to Mollie's checkout; once Mollie has
// called the webhook, the receipt says the gift came in.
func TestGivingThroughMollie(t *testing.T) {
	t.Parallel()
	s := fundSite(t, storetest.SQLite(t))
	fake := mollietest.Start(t)
	s.Parts.Funding.Providers["mollie"] = &fund.MollieProvider{Client: &mollie.Client{BaseURL: fake.URL, APIKey: mollietest.APIKey}}
	link := runningCampaign(t, s)
	b := s.browser("en")
	if page := b.get(link); !strings.Contains(page.Body, `value="mollie"`) {
		t.Fatal("the give form does not offer Mollie")
	}
	r := b.postForm(link+"/give", url.Values{"amount": {"17.50"}, "email": {"ideal@example.org"}, "name": {"Ideal"}, "method": {"mollie"}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/contributions/") {
		t.Fatalf("giving through Mollie: %d %s", r.Status, r.Location())
	}
	receipt := b.get(r.Location())
	ids := fake.PaymentIDs()
	if len(ids) != 1 || !strings.Contains(receipt.Body, `href="`+fake.CheckoutURL(ids[0])+`"`) || !strings.Contains(receipt.Body, msgs.T("en", "fund.receipt.status.open")) {
		t.Fatalf("the receipt of an open Mollie payment:\n%s", receipt.Body)
	}
	// The fake's webhook goes to the site's address, which serves it.
	if err := fake.Settle(ids[0], "paid"); err != nil {
		t.Fatal(err)
	}
	if hooks := fake.Webhooks(); len(hooks) != 1 || hooks[0].Status != http.StatusOK {
		t.Fatalf("Mollie's webhook: %+v", hooks)
	}
	receipt = b.get(r.Location())
	if !strings.Contains(receipt.Body, msgs.T("en", "fund.receipt.status.paid")) || strings.Contains(receipt.Body, fake.CheckoutURL(ids[0])) {
		t.Errorf("the receipt once paid:\n%s", receipt.Body)
	}
	// The giver's thanks, with the receipt's address; one, though Mollie
	// may report the payment again.
	thanks := s.mailTo("ideal@example.org")
	if !strings.Contains(thanks.Body, "€17.50") || !strings.Contains(thanks.Body, s.URL+r.Location()) {
		t.Errorf("the thanks:\n%s", thanks.Body)
	}
	if err := s.Parts.Funding.Sync(context.Background(), fund.Mollie, ids[0]); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range s.outbox() {
		if m.To == "ideal@example.org" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d mails to the giver, want the one thanks", n)
	}
}

// The public ledger keeps its filter in the next page's link and in the
// CSV's: a pool's ledger (its funders' accounts, by prefix) pages through
// the pool's transactions, not the city's.
func TestLedgerPageKeepsItsFilter(t *testing.T) {
	t.Parallel()
	s := fundSite(t, storetest.SQLite(t))
	b := s.browser("en")
	r := b.get("/ledger?prefix=provider%3A&kind=contribution&limit=2")
	if r.Status != http.StatusOK {
		t.Fatalf("the filtered ledger: %d", r.Status)
	}
	for _, want := range []string{`href="/ledger.csv?kind=contribution&amp;prefix=provider%3A"`, `kind=contribution&amp;prefix=provider%3A`, `cursor=`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the filtered ledger's links lack %s", want)
		}
	}
	csv := b.get("/ledger.csv?kind=contribution&prefix=provider%3A")
	for _, line := range strings.Split(strings.TrimSpace(csv.Body), "\n")[1:] {
		if !strings.Contains(line, ",contribution,") {
			t.Fatalf("the filtered CSV holds another kind: %s", line)
		}
	}
}
