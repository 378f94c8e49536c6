package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// The stewards' bank page, without JavaScript: a statement imported
// through the form pays the transfer whose reference it carries, a credit
// without one waits; the steward assigns it to the open transfer of its
// amount, or sets one aside with a note; a file that is no statement is
// refused with the reason; the page is the stewards' only.
func TestBankPage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := fundSite(t, db)
		link := runningCampaign(t, s)
		giver := s.browser("en")
		var refs []string
		for _, amount := range []string{"42,50", "42,50", "17"} {
			r := giver.postForm(link+"/give", url.Values{"amount": {amount}, "email": {"overmaker@example.org"}, "name": {"Overmaker"}, "method": {"bank"}})
			receipt := giver.get(r.Location())
			refs = append(refs, regexp.MustCompile(`SAMEN-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(receipt.Body))
		}
		// The giver has where to send it in their mail, in the language
		// they gave in, with the receipt's address.
		transfer := s.mailTo("overmaker@example.org")
		for _, want := range []string{refs[2], "NL20INGB0001234567", "€17.00", s.URL + "/contributions/"} {
			if !strings.Contains(transfer.Body, want) {
				t.Errorf("the transfer mail lacks %q:\n%s", want, transfer.Body)
			}
		}
		if r := s.loggedIn(member, "en").get("/bank"); r.Status != http.StatusForbidden {
			t.Errorf("a member opens the bank page: %d", r.Status)
		}
		chief := s.loggedIn(steward, "nl")
		if r := chief.get("/bank"); r.Status != http.StatusOK || !strings.Contains(r.Body, html(msgs.T("nl", "bank.waiting.none"))) ||
			r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("the bank page: %d", r.Status)
		}
		r := chief.postFile("/bank/statements", nil, "afschrift.xml", "datum;bedrag\n2026-12-03;42,50\n")
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "CAMT.053") || !strings.Contains(r.Body, `id="file-error"`) {
			t.Errorf("a CSV file: %d", r.Status)
		}
		// The first transfer by its reference; a second credit of the
		// same amount whose payer left the reference out.
		r = chief.postFile("/bank/statements", nil, "afschrift.xml", camtStatement("42.50", "gift "+refs[0]))
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location(), "matched=1") {
			t.Fatalf("the import: %d %s\n%s", r.Status, r.Location(), r.Body)
		}
		if got := s.mailTo("overmaker@example.org"); got.Subject != msgs.T("en", "mail.fund_received.subject", "campaign", campaignTitle(t, s, link)) ||
			!strings.Contains(got.Body, "€42.50") {
			t.Errorf("no thanks once the transfer came in: %q\n%s", got.Subject, got.Body)
		}
		second := strings.NewReplacer("ING-20261203-0001", "ING-20261203-0002", "CAMT053-TEST-1", "CAMT053-TEST-2").Replace(camtStatement("42.50", "voor de oven"))
		r = chief.postFile("/bank/statements", nil, "afschrift.xml", second)
		if !strings.Contains(r.Location(), "unassigned=1") {
			t.Fatalf("the second import: %s", r.Location())
		}
		page := chief.get(r.Location())
		for _, want := range []string{html(msgs.T("nl", "bank.imported", "credits", 1, "new", 1, "matched", 0, "unassigned", 1)), "voor de oven", refs[1]} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the page after the import lacks %q", want)
			}
		}
		if strings.Contains(page.Body, refs[2]) {
			t.Errorf("the page offers a transfer of another amount")
		}
		line := regexp.MustCompile(`action="/bank/lines/(\d+)/assign"`).FindStringSubmatch(page.Body)
		if line == nil {
			t.Fatalf("no assign form on the page")
		}
		id := line[1]
		if r := chief.postForm("/bank/lines/"+id+"/ignore", url.Values{"note": {""}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, `id="note-`+id+`-error"`) {
			t.Errorf("setting aside without a note: %d", r.Status)
		}
		if r := chief.postForm("/bank/lines/"+id+"/assign", url.Values{"contribution": {"x"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, `id="contribution-`+id+`-error"`) {
			t.Errorf("assigning nothing: %d", r.Status)
		}
		cid := regexp.MustCompile(`<option value="(\d+)">` + refs[1]).FindStringSubmatch(page.Body)
		if cid == nil {
			t.Fatalf("no option for %s", refs[1])
		}
		if r := chief.postForm("/bank/lines/"+id+"/assign", url.Values{"contribution": {cid[1]}}); r.Status != http.StatusSeeOther {
			t.Fatalf("assigning: %d\n%s", r.Status, r.Body)
		}
		after := chief.get("/bank")
		if !strings.Contains(after.Body, html(msgs.T("nl", "bank.waiting.none"))) || !strings.Contains(after.Body, html(msgs.T("nl", "bank.state.assigned"))) {
			t.Errorf("after assigning, the page:\n%s", after.Body)
		}
		if r := chief.postForm("/bank/lines/"+id+"/assign", url.Values{"contribution": {cid[1]}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("assigning a settled line to a paid transfer again: %d", r.Status)
		}
	})
}

// campaignTitle is the title of the campaign at link.
func campaignTitle(t *testing.T, s *site, link string) string {
	t.Helper()
	var c struct {
		Title string `json:"title"`
	}
	s.script("", "en").call(http.MethodGet, link, "").JSON(t, &c)
	return c.Title
}
