package web_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// The treasurer's round: the register of shares as a page, a CSV file and
// a printable view; a member says they want to take part; the treasurer
// books their payment and makes it final; a fee is paid, reversed and
// paid again. Forms only.
func TestWorkspaceSharesByForms(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		slug := demoWorkspace(t, s)
		base := "/workspaces/" + slug
		core := s.loggedIn(member, "nl")
		mod := s.loggedIn(moderator, "en")

		page := core.get(base + "/shares")
		mustContain(t, page, "Kees Jansen", "Zonnedak Zeedijk", "€ 2.000,00", html(msgs.T("nl", "workspace.status.option")))
		r := core.get(base + "/shares?format=csv")
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
		if err != nil || len(rows) < 7 || rows[0][6] != "value_cents" {
			t.Fatalf("CSV rows %v %v", rows, err)
		}
		print := core.get(base + "/shares?format=print")
		mustContain(t, print, html(msgs.T("nl", "workspace.shares.register", "workspace", "Grachtenkeuken Zeedijk")))

		// The moderator (members) sees only their own, which is nothing yet,
		// and says they want two solar shares.
		mine := mod.get(base + "/shares")
		if strings.Contains(mine.Body, "Kees Jansen") {
			t.Error("a member sees other people's shares")
		}
		class := regexp.MustCompile(`<option value="(\d+)"[^>]*>Zonnedak Zeedijk`).FindStringSubmatch(mine.Body)
		if class == nil {
			t.Fatalf("no class to choose:\n%s", mine.Body)
		}
		r = mod.postForm(base+"/shares/participate", url.Values{"class": {class[1]}, "shares": {"2"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("stating interest: %d\n%s", r.Status, r.Body)
		}
		r = mod.postForm(base+"/shares/participate", url.Values{"class": {class[1]}, "shares": {"50"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("50 shares: %d", r.Status)
		}
		mustContain(t, r, html(msgs.T("en", "field.shares.above_max")))

		// The treasurer finds it, moves it on, books the payment, makes it
		// final.
		page = core.get(base + "/shares")
		link := regexp.MustCompile(`href="(` + regexp.QuoteMeta(base) + `/shares/\d+)">Mo Moderator`).FindStringSubmatch(page.Body)
		if link == nil {
			t.Fatalf("the moderator's participation is not listed:\n%s", page.Body)
		}
		for _, st := range []string{"option", "granted"} {
			if r := core.postForm(link[1]+"/status", url.Values{"status": {st}}); r.Status != http.StatusSeeOther {
				t.Fatalf("to %s: %d\n%s", st, r.Status, r.Body)
			}
		}
		r = core.postForm(link[1]+"/status", url.Values{"status": {"final"}})
		if r.Status != http.StatusConflict {
			t.Errorf("final while unpaid: %d", r.Status)
		}
		r = core.postForm(link[1]+"/pay", url.Values{"kind": {"deposit"}, "amount": {"500,00"}, "booked_on": {"2026-11-30"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("booking: %d\n%s", r.Status, r.Body)
		}
		if r := core.postForm(link[1]+"/status", url.Values{"status": {"final"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("final once paid: %d\n%s", r.Status, r.Body)
		}
		mustContain(t, mod.get(base+"/shares"), "€500.00", html(msgs.T("en", "workspace.status.final")))

		// The ledger: the deposit is there; a contribution with a bad
		// amount is refused by field.
		mustContain(t, core.get(base+"/ledger"), "2026-11-30", "€ 500,00")
		r = core.postForm(base+"/ledger/book", url.Values{"number": {"1"}, "amount": {"twaalf"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("a bad amount: %d", r.Status)
		}
		mustContain(t, r, html(msgs.T("nl", "field.amount.invalid")))

		// A form sent empty names every problem at once, not the first.
		r = core.postForm(base+"/fees/open", url.Values{"payers": {"members"}})
		mustContain(t, r, `href="#name"`, `href="#amount"`, `href="#due_on"`)
		r = core.postForm(base+"/shares/class", nil)
		mustContain(t, r, `href="#name"`, `href="#nominal"`)
		r = core.postForm(base+"/ledger/book", url.Values{"number": {"99999"}, "amount": {"x"}})
		mustContain(t, r, `href="#number"`, `href="#amount"`, html(msgs.T("nl", "field.member.unknown")), html(msgs.T("nl", "field.amount.invalid")))

		// Fees: an unpaid one is paid, then reversed on the ledger.
		fees := core.get(base + "/fees")
		fee := regexp.MustCompile(`name="fee" value="(\d+)"><input type="hidden" name="period" value="(\d+)"`).FindStringSubmatch(fees.Body)
		if fee == nil {
			t.Fatalf("no unpaid fee on the fees page:\n%s", fees.Body)
		}
		if r := core.postForm(base+"/fees/pay", url.Values{"fee": {fee[1]}, "period": {fee[2]}}); r.Status != http.StatusSeeOther {
			t.Fatalf("paying a fee: %d\n%s", r.Status, r.Body)
		}
		ledger := core.get(base + "/ledger?account=fees")
		entry := regexp.MustCompile(`name="entry" value="(\d+)"`).FindStringSubmatch(ledger.Body)
		if entry == nil {
			t.Fatal("no entry to reverse")
		}
		if r := core.postForm(base+"/ledger/reverse", url.Values{"entry": {entry[1]}, "description": {"teruggeboekt door de bank"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("reversing: %d\n%s", r.Status, r.Body)
		}
		if r := core.postForm(base+"/ledger/reverse", url.Values{"entry": {entry[1]}, "description": {"nog eens"}}); r.Status != http.StatusConflict {
			t.Errorf("reversing twice: %d", r.Status)
		}
		if !strings.Contains(core.get(base+"/fees?period="+fee[2]).Body, `name="fee" value="`+fee[1]+`"`) {
			t.Error("the reversed fee is not unpaid again")
		}
	})
}
