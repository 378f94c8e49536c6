package web_test

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"samen/internal/mail"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/web"
	"samen/internal/workspace"
)

// recipients returns the addresses of the mails whose subject ends in
// title, sorted.
func (s *site) recipients(title string) []string {
	s.t.Helper()
	var out []string
	for _, m := range s.outbox() {
		if strings.HasSuffix(m.Subject, ": "+title) {
			out = append(out, m.To)
		}
	}
	slices.Sort(out)
	return out
}

// mailWith returns the newest mail to email whose subject ends in title.
func (s *site) mailWith(email, title string) mail.Queued {
	s.t.Helper()
	for _, m := range s.outbox() {
		if m.To == email && strings.HasSuffix(m.Subject, ": "+title) {
			return m
		}
	}
	s.t.Fatalf("no mail %q to %s", title, email)
	return mail.Queued{}
}

// The "done when" for announcements: core's announcement to the
// members reaches core, contributors and members (with and without an
// account) but not supporters, each mail with a List-Unsubscribe link of
// its own; the link works without logging in, from a page or as a mail
// program's one-click POST from elsewhere, and the next announcement skips
// that person until they come back from their record; a public
// announcement is in the Atom feed, a members' one is not; the moderator
// (members) cannot send.
func TestWorkspaceAnnouncementsByMailAndFeed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		slug := demoWorkspace(t, s)
		base := "/workspaces/" + slug
		core := s.loggedIn(member, "en")

		r := core.postForm(base+"/announcements", url.Values{"title": {"General meeting"}, "body": {"On 12 June.\n\nCome!"}, "visibility": {"members"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("sending: %d\n%s", r.Status, r.Body)
		}
		mustContain(t, core.get(r.Location()), html(msgs.T("en", "notice.ws_announcement_sent")), "General meeting", "Come!")
		members := []string{"ayse@example.org", "fatima@example.org", "joost@example.org", "kees@example.org", "lotte@example.org",
			member.Email, moderator.Email, "priya@example.org"}
		slices.Sort(members)
		if got := s.recipients("General meeting"); !slices.Equal(got, members) {
			t.Errorf("mailed to %v, want %v", got, members)
		}
		kees := s.mailWith("kees@example.org", "General meeting")
		// Kees has no account: the mail is in both languages.
		if !strings.Contains(kees.Body, "On 12 June.\n\nCome!") || !strings.Contains(kees.Body, "namens") || !strings.Contains(kees.Body, ", for ") {
			t.Errorf("Kees's mail:\n%s", kees.Body)
		}
		unsubscribe := regexp.MustCompile(regexp.QuoteMeta(s.URL+base+"/unsubscribe") + `\?token=[0-9]+\.[A-Za-z0-9_-]+`)
		link := unsubscribe.FindString(kees.Body)
		if link == "" || kees.ListUnsubscribe != link || !kees.OneClick {
			t.Fatalf("Kees's link %q, List-Unsubscribe %q, one-click %v", link, kees.ListUnsubscribe, kees.OneClick)
		}
		if other := s.mailWith("ayse@example.org", "General meeting"); other.ListUnsubscribe == link {
			t.Error("two people share an unsubscribe link")
		}

		// Kees opens his link without logging in: a page that asks, and a
		// button that does it.
		anon := s.browser("en")
		path := strings.TrimPrefix(link, s.URL)
		page := anon.get(path)
		if page.Status != http.StatusOK {
			t.Fatalf("the link: %d\n%s", page.Status, page.Body)
		}
		mustContain(t, page, html(msgs.T("en", "workspace.unsubscribe.ask", "workspace", "Grachtenkeuken Zeedijk")))
		token := strings.TrimPrefix(path, base+"/unsubscribe?token=")
		done := anon.postForm(base+"/unsubscribe", url.Values{"token": {token}})
		if done.Status != http.StatusOK {
			t.Fatalf("unsubscribing: %d\n%s", done.Status, done.Body)
		}
		mustContain(t, done, html(msgs.T("en", "workspace.unsubscribe.done", "workspace", "Grachtenkeuken Zeedijk")))
		if bad := anon.get(base + "/unsubscribe?token=1.AAAAAAAAAAAAAAAAAAAAAA"); bad.Status != http.StatusNotFound {
			t.Errorf("a made-up token: %d", bad.Status)
		}

		// The moderator's mail program unsubscribes with one click (RFC
		// 8058): a POST from another origin, no session, no page.
		mod := s.mailWith(moderator.Email, "General meeting")
		req, _ := http.NewRequest(http.MethodPost, mod.ListUnsubscribe, strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://webmail.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if r := s.browser("").do(req); r.Status != http.StatusOK {
			t.Fatalf("one-click: %d\n%s", r.Status, r.Body)
		}
		// Other routes keep their protection against cross-origin posts.
		req, _ = http.NewRequest(http.MethodPost, s.URL+base+"/announcements", strings.NewReader("title=x&body=y&visibility=core"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://webmail.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if r := s.browser("").do(req); r.Status != http.StatusForbidden {
			t.Errorf("a cross-origin post elsewhere: %d", r.Status)
		}

		// The moderator (members) may not send, by page or API.
		moderatorBrowser := s.loggedIn(moderator, "en")
		if r := moderatorBrowser.postForm(base+"/announcements", url.Values{"title": {"Mine"}, "body": {"x"}, "visibility": {"public"}}); r.Status != http.StatusForbidden {
			t.Errorf("the moderator sends: %d", r.Status)
		}
		modAPI := s.script(s.tokenFor(moderator.Email), "en")
		apiErrorOf(t, modAPI.call(http.MethodPost, "/workspaces/"+slug+"/announcements", `{"title": "Mine", "body": "x", "visibility": "public"}`), http.StatusForbidden)
		if page := moderatorBrowser.get(base + "/announcements"); strings.Contains(page.Body, `action="`+base+`/announcements"`) {
			t.Error("the moderator is shown the form to send")
		}

		// The next announcement skips Kees and the moderator; a public one
		// goes to the supporters too and into the feed.
		coreAPI := s.script(s.tokenFor(member.Email), "en")
		r = coreAPI.call(http.MethodPost, "/workspaces/"+slug+"/announcements", `{"title": "Open day", "body": "Everyone is welcome.", "visibility": "public"}`)
		if r.Status != http.StatusCreated {
			t.Fatalf("API send: %d\n%s", r.Status, r.Body)
		}
		var sent struct {
			ID         int64 `json:"id"`
			Recipients int   `json:"recipients"`
		}
		r.JSON(t, &sent)
		got := s.recipients("Open day")
		if slices.Contains(got, "kees@example.org") || slices.Contains(got, moderator.Email) || !slices.Contains(got, "sanne@example.org") ||
			!slices.Contains(got, "ayse@example.org") || sent.Recipients != len(got) {
			t.Errorf("the public announcement went to %v (%d)", got, sent.Recipients)
		}

		feed := s.browser("nl").get(base + "/feed.atom")
		if feed.Status != http.StatusOK || !strings.HasPrefix(feed.Header.Get("Content-Type"), "application/atom+xml") {
			t.Fatalf("feed: %d %s", feed.Status, feed.Header.Get("Content-Type"))
		}
		var atom struct {
			Title   string `xml:"title"`
			Entries []struct {
				Title   string `xml:"title"`
				Content string `xml:"content"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(feed.Body), &atom); err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, e := range atom.Entries {
			titles = append(titles, e.Title)
		}
		if !slices.Contains(titles, "Open day") || slices.Contains(titles, "General meeting") {
			t.Errorf("the feed holds %v", titles)
		}
		if strings.Contains(feed.Body, "@example.org") {
			t.Error("the feed names an address")
		}
		// Anonymous readers see the public ones on the page too, not the
		// members' ones.
		if page := anon.get(base + "/announcements"); !strings.Contains(page.Body, "Open day") || strings.Contains(page.Body, "General meeting") {
			t.Errorf("anonymous page:\n%s", page.Body)
		}
		var list struct {
			Announcements []struct {
				Title      string `json:"title"`
				Recipients *int   `json:"recipients"`
			} `json:"announcements"`
		}
		modAPI.call(http.MethodGet, "/workspaces/"+slug+"/announcements", "").JSON(t, &list)
		var seen []string
		for _, a := range list.Announcements {
			seen = append(seen, a.Title)
			if a.Recipients != nil {
				t.Errorf("a member is told how many got %q", a.Title)
			}
		}
		if !slices.Contains(seen, "Open day") || !slices.Contains(seen, "General meeting") {
			t.Errorf("the moderator reads %v", seen)
		}

		// The moderator comes back from their own record.
		nav := moderatorBrowser.get(base + "/announcements")
		mustContain(t, nav, html(msgs.T("en", "workspace.subscription.off")))
		own := regexp.MustCompile(`href="(` + regexp.QuoteMeta(base) + `/members/\d+)">` + regexp.QuoteMeta(html(msgs.T("en", "workspace.your_record")))).FindStringSubmatch(nav.Body)
		if own == nil {
			t.Fatalf("no link to the moderator's record:\n%s", nav.Body)
		}
		record := moderatorBrowser.get(own[1])
		mustContain(t, record, html(msgs.T("en", "workspace.subscription.off")), html(msgs.T("en", "workspace.subscription.resubscribe")))
		r = moderatorBrowser.postForm(base+"/subscription", url.Values{"mail": {"on"}, "next": {own[1]}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), own[1]) {
			t.Fatalf("coming back: %d to %q\n%s", r.Status, r.Location(), r.Body)
		}
		mustContain(t, moderatorBrowser.get(r.Location()), html(msgs.T("en", "notice.ws_subscribed")), html(msgs.T("en", "workspace.subscription.on")))
		core.postForm(base+"/announcements", url.Values{"title": {"Back again"}, "body": {"x"}, "visibility": {"members"}})
		if got := s.recipients("Back again"); !slices.Contains(got, moderator.Email) || slices.Contains(got, "kees@example.org") {
			t.Errorf("after coming back: %v", got)
		}
	})
}

// The channels page shows the demo's four kinds, each with its tool, and
// links to the self-scan with those tools ticked; core adds one, and an
// address that is not https is refused.
func TestWorkspaceChannelsStartTheSelfScan(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		slug := demoWorkspace(t, s)
		base := "/workspaces/" + slug
		mod := s.loggedIn(moderator, "en")
		page := mod.get(base + "/channels")
		mustContain(t, page, html(msgs.T("en", "workspace.channels.kind.realtime")), "Discourse", "Nextcloud", "Mastodon")
		scan := regexp.MustCompile(`href="(/toolbox/scan\?[^"]+)"`).FindStringSubmatch(page.Body)
		if scan == nil {
			t.Fatalf("no link to the self-scan:\n%s", page.Body)
		}
		form := mod.get(strings.ReplaceAll(scan[1], "&amp;", "&"))
		for _, id := range []string{"discourse", "nextcloud", "mastodon"} {
			mustContain(t, form, `value="`+id+`" checked`)
		}
		if strings.Contains(page.Body, `action="`+base+`/channels/save"`) {
			t.Error("a member is shown core's form")
		}
		if r := mod.postForm(base+"/channels/save", url.Values{"kind": {"async"}, "name": {"Mine"}, "visibility": {"public"}}); r.Status != http.StatusForbidden {
			t.Errorf("a member adds a channel: %d", r.Status)
		}

		core := s.loggedIn(member, "en")
		bad := core.postForm(base+"/channels/save", url.Values{"kind": {"async"}, "name": {"Mailing list"}, "url": {"http://lists.example.org/"},
			"tool": {"gnu-mailman"}, "visibility": {"members"}})
		if bad.Status != http.StatusUnprocessableEntity {
			t.Fatalf("an http address: %d", bad.Status)
		}
		mustContain(t, bad, html(msgs.T("en", "field.url.invalid")))
		r := core.postForm(base+"/channels/save", url.Values{"kind": {"async"}, "name": {"Mailing list"}, "url": {"https://lists.example.org/"},
			"tool": {"gnu-mailman"}, "visibility": {"members"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("adding: %d\n%s", r.Status, r.Body)
		}
		mustContain(t, mod.get(base+"/channels"), "Mailing list", "GNU Mailman", "gnu-mailman")

		var list struct {
			Channels []struct {
				ID   int64   `json:"id"`
				Name string  `json:"name"`
				Tool *string `json:"tool"`
			} `json:"channels"`
			ScanTools []string `json:"scan_tools"`
		}
		api := s.script(s.tokenFor(member.Email), "en")
		api.call(http.MethodGet, "/workspaces/"+slug+"/channels", "").JSON(t, &list)
		if len(list.Channels) != 5 || !slices.Contains(list.ScanTools, "gnu-mailman") {
			t.Fatalf("API channels %+v", list)
		}
		if r := api.call(http.MethodDelete, "/workspaces/"+slug+"/channels/"+strconv.FormatInt(list.Channels[0].ID, 10), ""); r.Status != http.StatusNoContent {
			t.Errorf("removing: %d %s", r.Status, r.Body)
		}
		r = api.call(http.MethodPost, "/workspaces/"+slug+"/channels", `{"kind": "static", "name": "Wiki", "url": "https://wiki.example.org/", "tool": "no-such-tool", "visibility": "members"}`)
		if e := apiErrorOf(t, r, http.StatusBadRequest); e.Error.Fields["tool"].Code != "choice.unknown" {
			t.Errorf("an unknown tool: %+v", e)
		}
	})
}

// BenchmarkAnnouncementLetter writes one person's copy of an announcement
// in both languages (the slower case: no account), the work an
// announcement to 10,000 people does 10,000 times besides the queries.
func BenchmarkAnnouncementLetter(b *testing.B) {
	l, err := web.NewLetters("https://samen.example")
	if err != nil {
		b.Fatal(err)
	}
	ws := workspace.Workspace{ID: 1, Slug: "grachtenkeuken", Name: "Grachtenkeuken Zeedijk"}
	a := workspace.Announcement{ID: 1, Title: "Algemene ledenvergadering", Body: strings.Repeat("Beste leden, op 12 juni is de vergadering. ", 10)}
	to := workspace.Recipient{MemberID: 12, Name: "Kees", Email: "kees@example.org", Token: "12.abcdefabcdefabcdefabcd"}
	for b.Loop() {
		if m := l.Announcement(ws, a, "Anna", to); m.ListUnsubscribe == "" {
			b.Fatal("no link")
		}
	}
}
