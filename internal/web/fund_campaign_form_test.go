package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"samen/internal/decide"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// A treasurer's whole campaign through the pages, without JavaScript:
// starting a draft (with its errors shown per field and what was typed
// kept), changing it, launching it, and writing updates to the backers,
// who get each update once per address, in the language they gave in,
// and stop them with the link in the mail.
func TestCampaignPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := fundSite(t, db)
		slug := demoWorkspace(t, s)
		core := s.loggedIn(member, "nl")
		list := core.get("/workspaces/" + slug + "/campaigns")
		if list.Status != http.StatusOK || !strings.Contains(list.Body, `href="/workspaces/`+slug+`/campaigns/new"`) {
			t.Fatalf("the workspace's campaigns: %d\n%s", list.Status, list.Body)
		}
		if r := s.loggedIn(moderator, "nl").get("/workspaces/" + slug + "/campaigns/new"); r.Status != http.StatusForbidden {
			t.Errorf("a member who is no treasurer opens the form: %d", r.Status)
		}
		newForm := "/workspaces/" + slug + "/campaigns/new"
		if r := core.get(newForm); r.Status != http.StatusOK || !strings.Contains(r.Body, `name="lines.3.label"`) {
			t.Fatalf("the form: %d", r.Status)
		}

		// Every problem at once, each beside its field, in Dutch.
		bad := url.Values{"title": {""}, "language": {"nl"}, "min": {"vijfhonderd"}, "goal": {"10"}, "deadline": {"morgen"},
			"rule": {"all_or_nothing"}, "lines.0.label": {"Hout"}, "lines.0.cents": {"-5"}, "rewards.0.title": {"Sleutelhanger"}, "rewards.0.min": {"15"},
			"rewards.0.available": {"veel"}, "district": {"atlantis"}}
		r := core.postForm(newForm, bad)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a bad campaign: %d\n%s", r.Status, r.Body)
		}
		for _, want := range []string{msgs.T("nl", "field.required"), msgs.T("nl", "field.datetime.invalid"), msgs.T("nl", "field.number.invalid"),
			msgs.T("nl", "field.choice.unknown")} {
			if !strings.Contains(r.Body, html(want)) {
				t.Errorf("the refused form lacks %q", want)
			}
		}
		for _, want := range []string{`value="Hout"`, `value="vijfhonderd"`, `value="Sleutelhanger"`, `href="#lines.0.cents"`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the refused form lacks %s", want)
			}
		}
		if r := core.postForm(newForm, url.Values{"title": {"X"}, "lines.rows": {"4"}, "more": {"1"}}); r.Status != http.StatusOK ||
			!strings.Contains(r.Body, `name="lines.6.label"`) || !strings.Contains(r.Body, `value="X"`) {
			t.Errorf("more rows: %d", r.Status)
		}

		deadline := decide.Local(time.Now().AddDate(0, 1, 0))
		good := url.Values{"title": {"Een werkbank"}, "summary": {"Voor de buurtwerkplaats."}, "body": {"Hout en gereedschap."},
			"language": {"nl"}, "district": {"noord"}, "sector": {"food"}, "min": {"500"}, "goal": {"800,00"}, "deadline": {deadline},
			"rule": {"all_or_nothing"}, "lines.0.label": {"Werkbank"}, "lines.0.cents": {"800"}, "lines.1.label": {""}, "lines.1.cents": {""},
			"rewards.0.title": {"Sleutelhanger"}, "rewards.0.min": {"15"}, "rewards.0.available": {"10"}}
		r = core.postForm(newForm, good)
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location(), "notice=fund_campaign_created") {
			t.Fatalf("starting: %d %s\n%s", r.Status, r.Location(), r.Body)
		}
		link := strings.Split(r.Location(), "?")[0]
		if _, err := strconv.ParseInt(strings.TrimPrefix(link, "/campaigns/"), 10, 64); err != nil {
			t.Fatalf("starting led to %s", r.Location())
		}
		draft := core.get(r.Location())
		for _, want := range []string{html(msgs.T("nl", "notice.fund_campaign_created")), html(msgs.T("nl", "fund.manage.draft")), `action="` + link + `/launch"`,
			"<p>Hout en gereedschap.</p>"} {
			if !strings.Contains(draft.Body, want) {
				t.Errorf("the draft's page lacks %s", want)
			}
		}
		if r := s.browser("nl").get(link); r.Status != http.StatusNotFound {
			t.Errorf("a visitor sees the draft: %d", r.Status)
		}

		// The edit form holds what was saved, amounts as a Dutch reader
		// types them, and saves a change.
		edit := core.get(link + "/edit")
		for _, want := range []string{`value="Een werkbank"`, `value="800,00"`, `value="500,00"`, `value="` + deadline + `"`, `name="lines.0.id"`} {
			if !strings.Contains(edit.Body, want) {
				t.Errorf("the edit form lacks %q", want)
			}
		}
		good.Set("title", "Een betere werkbank")
		if r := core.postForm(link+"/edit", good); r.Status != http.StatusSeeOther {
			t.Fatalf("saving: %d\n%s", r.Status, r.Body)
		}
		if r := core.postForm(link+"/updates", url.Values{"update_title": {"Te vroeg"}, "update_body": {"Nog geen gevers."}}); r.Status != http.StatusConflict ||
			!strings.Contains(r.Body, html(msgs.T("nl", "error.fund.update_draft"))) {
			t.Errorf("an update of a draft: %d", r.Status)
		}
		if r := core.postForm(link+"/launch", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("launching: %d\n%s", r.Status, r.Body)
		}
		// Running: the goals stay as backers gave on them, whatever the
		// form says.
		if r := core.get(link + "/edit"); strings.Contains(r.Body, `name="min"`) || !strings.Contains(r.Body, html(msgs.T("nl", "fund.form.goals_fixed"))) {
			t.Errorf("the edit form of a running campaign offers its goals")
		}
		good.Set("min", "1")
		good.Set("summary", "Voor de hele buurt.")
		if r := core.postForm(link+"/edit", good); r.Status != http.StatusSeeOther {
			t.Fatalf("saving a running campaign: %d\n%s", r.Status, r.Body)
		}
		var c struct {
			Min     int64  `json:"min_cents"`
			Summary string `json:"summary"`
		}
		s.script("", "en").call(http.MethodGet, link, "").JSON(t, &c)
		if c.Min != 50000 || c.Summary != "Voor de hele buurt." {
			t.Errorf("the running campaign after saving: %+v", c)
		}

		// Three gifts from two addresses, in two languages.
		giver := s.browser("en")
		for _, g := range []struct{ amount, email string }{{"20", "Ada@example.org"}, {"5", "ada@example.org"}, {"30", "bram@example.org"}} {
			b := giver
			if g.email == "bram@example.org" {
				b = s.browser("nl")
			}
			if r := b.postForm(link+"/give", url.Values{"amount": {g.amount}, "email": {g.email}, "name": {"Gever"}, "method": {"demo"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("giving: %d\n%s", r.Status, r.Body)
			}
		}
		before := len(s.outbox())
		if r := core.postForm(link+"/updates", url.Values{"update_title": {""}, "update_body": {"Het hout is binnen."}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, `id="update_title-error"`) || !strings.Contains(r.Body, "Het hout is binnen.</textarea>") {
			t.Errorf("an update without a subject: %d", r.Status)
		}
		if r := core.postForm(link+"/updates", url.Values{"update_title": {"Het hout is er"}, "update_body": {"Zaterdag bouwen we."}}); r.Status != http.StatusSeeOther {
			t.Fatalf("an update: %d\n%s", r.Status, r.Body)
		}
		if n := len(s.outbox()) - before; n != 2 {
			t.Errorf("the update went to %d addresses, want 2 (ada@ gave twice)", n)
		}
		ada, bram := s.mailTo("ada@example.org"), s.mailTo("bram@example.org")
		if ada.Subject != "Een betere werkbank: Het hout is er" || !strings.Contains(ada.Body, "Zaterdag bouwen we.") ||
			!strings.Contains(ada.Body, "No more updates about this campaign?") || !strings.Contains(bram.Body, "Geen berichten meer over deze campagne?") {
			t.Errorf("the mails:\n%s\n\n%s", ada.Body, bram.Body)
		}
		if !ada.OneClick || !strings.HasPrefix(ada.ListUnsubscribe, s.URL+"/contributions/") || !strings.Contains(ada.Body, ada.ListUnsubscribe) {
			t.Errorf("ada's mail's unsubscribe: %q %v", ada.ListUnsubscribe, ada.OneClick)
		}
		public := s.browser("en").get(link)
		if !strings.Contains(public.Body, "Het hout is er") || !strings.Contains(public.Body, "<p>Zaterdag bouwen we.</p>") ||
			strings.Contains(public.Body, html(msgs.N("en", "fund.update.recipients", 2))) {
			t.Errorf("the public page and the update")
		}
		if !strings.Contains(core.get(link).Body, html(msgs.N("nl", "fund.update.recipients", 2))) {
			t.Errorf("the treasurers do not see how many got the update")
		}

		// Ada's mail program stops the updates with one click, from
		// another origin; the next update reaches Bram only.
		req, _ := http.NewRequest(http.MethodPost, ada.ListUnsubscribe, strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://mail.example.net")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("one-click: %v %v", err, res)
		}
		res.Body.Close()
		if r := s.browser("en").postForm(strings.Replace(ada.ListUnsubscribe, s.URL, "", 1)+"x", nil); r.Status != http.StatusNotFound {
			t.Errorf("stopping with a wrong token: %d", r.Status)
		}
		before = len(s.outbox())
		core.postForm(link+"/updates", url.Values{"update_title": {"Klaar"}, "update_body": {"De werkbank staat."}})
		if n := len(s.outbox()) - before; n != 1 || s.outbox()[0].To != "bram@example.org" {
			t.Errorf("after ada stopped, the update went to %d addresses", n)
		}
		receipt := s.browser("en").get(strings.Replace(ada.ListUnsubscribe, s.URL, "", 1))
		if receipt.Status != http.StatusSeeOther {
			t.Fatalf("the link's GET: %d", receipt.Status)
		}
		if r := s.browser("en").get(receipt.Location()); !strings.Contains(r.Body, html(msgs.T("en", "fund.receipt.updates_off"))) {
			t.Errorf("the receipt does not say the updates stopped")
		}
	})
}
