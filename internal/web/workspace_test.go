package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/decide"
	"samen/internal/demo"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/workspace"
)

type apiWorkspaceList struct {
	Workspaces []struct {
		ID     int64          `json:"id"`
		Slug   string         `json:"slug"`
		Name   string         `json:"name"`
		Circle *string        `json:"circle"`
		Roles  []string       `json:"roles"`
		Counts map[string]int `json:"counts"`
	} `json:"workspaces"`
}

type apiMemberList struct {
	Members []struct {
		ID     int64    `json:"id"`
		Name   string   `json:"name"`
		Circle string   `json:"circle"`
		Email  *string  `json:"email"`
		Hidden []string `json:"hidden"`
	} `json:"members"`
	Next *int64 `json:"next_cursor"`
}

// demoWorkspace returns the slug of the demo's workspace.
func demoWorkspace(t *testing.T, s *site) string {
	t.Helper()
	var list apiWorkspaceList
	r := s.script(s.tokenFor(member.Email), "en").call(http.MethodGet, "/workspaces", "")
	r.JSON(t, &list)
	if len(list.Workspaces) != 1 {
		t.Fatalf("the member is in %d workspaces, want the demo's", len(list.Workspaces))
	}
	return list.Workspaces[0].Slug
}

// The first "done when": the member (core) lists the demo
// workspace and its register with all four circles; the moderator (members)
// sees nobody else's address; anonymous gets 401.
func TestWorkspaceRegisterByCircle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		memberAPI := s.script(s.tokenFor(member.Email), "en")
		var list apiWorkspaceList
		memberAPI.call(http.MethodGet, "/workspaces", "").JSON(t, &list)
		if len(list.Workspaces) != 1 || list.Workspaces[0].Circle == nil || *list.Workspaces[0].Circle != "core" {
			t.Fatalf("the member's workspaces: %+v", list)
		}
		ws := list.Workspaces[0]
		for _, c := range workspace.Circles {
			if ws.Counts[string(c)] == 0 {
				t.Errorf("nobody in %s: %v", c, ws.Counts)
			}
		}
		var all apiMemberList
		r := memberAPI.call(http.MethodGet, "/workspaces/"+strconv.FormatInt(ws.ID, 10)+"/members", "")
		r.JSON(t, &all)
		circles := map[string]int{}
		addresses := 0
		for _, m := range all.Members {
			circles[m.Circle]++
			if m.Email != nil && *m.Email != "" {
				addresses++
			}
		}
		if len(circles) != 4 || addresses < 5 {
			t.Errorf("core sees circles %v and %d addresses", circles, addresses)
		}

		modAPI := s.script(s.tokenFor(moderator.Email), "en")
		r = modAPI.call(http.MethodGet, "/workspaces/"+ws.Slug+"/members", "")
		var seen apiMemberList
		r.JSON(t, &seen)
		if len(seen.Members) != len(all.Members) {
			t.Errorf("the moderator sees %d people, core %d", len(seen.Members), len(all.Members))
		}
		for _, addr := range regexp.MustCompile(`[a-z0-9.+-]+@[a-z0-9.-]+`).FindAllString(r.Body, -1) {
			if addr != moderator.Email {
				t.Errorf("the moderator (members) sees the address %s", addr)
			}
		}
		for _, m := range seen.Members {
			if m.Email == nil && !slices.Contains(m.Hidden, "email") {
				t.Errorf("%s: the address is left out but not named hidden", m.Name)
			}
		}

		// The portal's way in: the moderator's own row, all of it.
		var me struct {
			Email  *string  `json:"email"`
			Circle string   `json:"circle"`
			Hidden []string `json:"hidden"`
		}
		modAPI.call(http.MethodGet, "/workspaces/"+ws.Slug+"/members/me", "").JSON(t, &me)
		if me.Email == nil || *me.Email != moderator.Email || me.Circle != "members" || len(me.Hidden) != 0 {
			t.Errorf("the moderator's own row: %+v", me)
		}

		anon := s.script("", "en")
		for _, path := range []string{"/workspaces", "/workspaces/" + ws.Slug + "/members"} {
			apiErrorOf(t, anon.call(http.MethodGet, path, ""), http.StatusUnauthorized)
		}
		// The register reads are in the audit log, under the reader's id.
		entries, _, err := audit.List(context.Background(), db, audit.Filter{Action: "workspace.register_read"})
		if err != nil || len(entries) < 2 || entries[0].ActorID != s.userID(moderator.Email) {
			t.Errorf("register reads audited: %+v %v", entries, err)
		}
	})
}

// Inviting, joining on request and leaving, with forms only (no
// JavaScript), as the people involved would.
func TestWorkspaceInviteJoinAndLeaveByForms(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		slug := demoWorkspace(t, s)
		core := s.loggedIn(member, "nl")

		// Core invites a newcomer into the contributors.
		r := core.postForm("/workspaces/"+slug+"/invite/send", url.Values{"email": {"nieuw@example.org"}, "circle": {"contributors"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("inviting: %d\n%s", r.Status, r.Body)
		}
		bad := core.postForm("/workspaces/"+slug+"/invite/send", url.Values{"email": {"geen adres"}, "circle": {"vrienden"}})
		if bad.Status != http.StatusUnprocessableEntity {
			t.Errorf("a bad invitation: %d", bad.Status)
		}
		mustContain(t, bad, html(msgs.T("nl", "field.email.invalid")), html(msgs.T("nl", "field.choice.unknown")))
		invite := s.mailTo("nieuw@example.org")
		if !strings.Contains(invite.Body, "-----") {
			t.Errorf("the invitation is not in both languages:\n%s", invite.Body)
		}
		link := s.linkIn(invite, "/workspaces/invitation")

		// The newcomer follows the link before having an account…
		newcomer := s.browser("nl")
		page := newcomer.get(strings.TrimPrefix(link, s.URL))
		mustContain(t, page, html(msgs.T("nl", "workspace.invitation.sign_in")))
		if page.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Error("the invitation page may pass its token on in a Referer")
		}
		// …signs up, confirms, logs in and accepts.
		newcomer.signUp("nieuw@example.org", "Nieuwe Buur", goodPassword)
		verify := s.linkIn(s.mailTo("nieuw@example.org"), "/verify")
		newcomer.get(strings.TrimPrefix(verify, s.URL))
		newcomer.login("nieuw@example.org", goodPassword)
		token := strings.TrimPrefix(link, s.URL+"/workspaces/invitation?token=")
		r = newcomer.postForm("/workspaces/invitation", url.Values{"token": {token}})
		if r.Status != http.StatusSeeOther || r.Location() != "/workspaces/"+slug+"?notice=ws_joined" {
			t.Fatalf("accepting: %d to %q\n%s", r.Status, r.Location(), r.Body)
		}
		mustContain(t, newcomer.get("/workspaces/"+slug), html(msgs.T("nl", "workspace.circle.contributors")))
		// The link is spent.
		again := newcomer.get(strings.TrimPrefix(link, s.URL))
		if again.Status != http.StatusGone {
			t.Errorf("a used link: %d", again.Status)
		}
		mustContain(t, again, html(msgs.T("nl", "error.workspace.invitation_used")))

		// Someone else asks to join; core sees the request and lets them
		// into the supporters.
		asker := s.browser("en")
		asker.signUp("asker@example.org", "Asker", goodPassword)
		asker.get(strings.TrimPrefix(s.linkIn(s.mailTo("asker@example.org"), "/verify"), s.URL))
		asker.login("asker@example.org", goodPassword)
		r = asker.postForm("/workspaces/"+slug+"/join", url.Values{"message": {"I live round the corner."}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("asking to join: %d\n%s", r.Status, r.Body)
		}
		mustContain(t, asker.get("/workspaces/"+slug), html(msgs.T("en", "workspace.join.withdraw")))
		invitePage := core.get("/workspaces/" + slug + "/invite")
		mustContain(t, invitePage, "I live round the corner.")
		id := regexp.MustCompile(`name="request" value="(\d+)"`).FindStringSubmatch(invitePage.Body)
		if id == nil {
			t.Fatal("no request on the invite page")
		}
		r = core.postForm("/workspaces/"+slug+"/invite/accept", url.Values{"request": {id[1]}, "circle": {"supporters"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("accepting the request: %d\n%s", r.Status, r.Body)
		}
		if m := s.mailTo("asker@example.org"); !strings.Contains(m.Subject, "Welcome") {
			t.Errorf("the asker's mail: %q", m.Subject)
		}
		// A supporter does not see the register (members and further in).
		if r := asker.get("/workspaces/" + slug + "/members"); r.Status != http.StatusForbidden {
			t.Errorf("a supporter reads the register: %d", r.Status)
		}
		// And leaves again.
		r = asker.postForm("/workspaces/"+slug+"/leave", nil)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("leaving: %d\n%s", r.Status, r.Body)
		}
		if r := asker.get("/workspaces"); strings.Contains(r.Body, "/workspaces/"+slug+"\"") {
			t.Error("the workspace is still listed after leaving")
		}
	})
}

// The last core member cannot leave: the page says why.
func TestWorkspaceLastCoreMemberStays(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		slug := demoWorkspace(t, s)
		core := s.loggedIn(member, "en")
		// The demo's core also has a fictional person without an account;
		// end that membership first, so the member is the last.
		var list apiMemberList
		s.script(s.tokenFor(member.Email), "en").call(http.MethodGet, "/workspaces/"+slug+"/members?circle=core", "").JSON(t, &list)
		for _, m := range list.Members {
			if m.Email != nil && *m.Email != member.Email {
				if r := core.postForm("/workspaces/"+slug+"/members/"+strconv.FormatInt(m.ID, 10)+"/end", nil); r.Status != http.StatusSeeOther {
					t.Fatalf("ending %s: %d", m.Name, r.Status)
				}
			}
		}
		r := core.postForm("/workspaces/"+slug+"/leave", nil)
		if r.Status != http.StatusConflict {
			t.Fatalf("the last core member leaves: %d", r.Status)
		}
		mustContain(t, r, html(msgs.T("en", "error.workspace.last_core")))
	})
}

// persona is someone in (or outside) the demo workspace.
type persona struct {
	name    string
	browser *browser
	api     *script
	// what they are there
	circle    workspace.Circle
	register  bool // holds the register role (or is core)
	treasurer bool // holds the treasurer role
	core      bool
	self      bool // is the person the matrix's {id} names
}

// Every workspace route × {anonymous, outsider, each circle, a delegated
// role, steward}: who is let through and who is refused, by the router or
// by the workspace's rules. A new workspace route fails this test until it
// is added to the table below.
func TestWorkspaceRoutesAreAuthorised(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		ctx := context.Background()
		slug := demoWorkspace(t, s)
		svc := s.Parts.Workspaces
		coreUser, err := account.ByID(ctx, db, s.userID(member.Email))
		if err != nil {
			t.Fatal(err)
		}
		// Accounts for the circles the demo fills with people without one.
		add := func(email string, c workspace.Circle) workspace.Member {
			if _, err := s.Accounts.Add(ctx, account.NewUser{Email: email, Name: strings.Split(email, "@")[0], Password: goodPassword, Role: account.Member}); err != nil {
				t.Fatal(err)
			}
			if c == "" {
				return workspace.Member{}
			}
			m, err := svc.AddMember(ctx, &coreUser, slug, workspace.NewMember{Name: email, Email: email, Circle: c})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		add("contributor@example.org", workspace.Contributors)
		supporter := add("supporter@example.org", workspace.Supporters)
		keeper := add("keeper@example.org", workspace.Members)
		add("outsider@example.org", "")
		if err := svc.Grant(ctx, &coreUser, slug, keeper.ID, workspace.RoleRegister); err != nil {
			t.Fatal(err)
		}
		bookkeeper := add("bookkeeper@example.org", workspace.Contributors)
		if err := svc.Grant(ctx, &coreUser, slug, bookkeeper.ID, workspace.RoleTreasurer); err != nil {
			t.Fatal(err)
		}
		// A participation of someone who is none of the personas, for the
		// routes of one participation.
		holder, err := svc.AddMember(ctx, &coreUser, slug, workspace.NewMember{Name: "Holder", Circle: workspace.Members})
		if err != nil {
			t.Fatal(err)
		}
		class, err := svc.AddShareClass(ctx, &coreUser, slug, workspace.ShareClass{Name: "Matrix", NominalCents: 10000, MinShares: 1})
		if err != nil {
			t.Fatal(err)
		}
		holding, err := svc.AddParticipation(ctx, &coreUser, slug, workspace.NewParticipation{MemberID: holder.ID, ClassID: class.ID, Shares: 1})
		if err != nil {
			t.Fatal(err)
		}
		// Someone who left, for the route that ends a membership.
		gone, err := svc.AddMember(ctx, &coreUser, slug, workspace.NewMember{Name: "Gone", Circle: workspace.Members})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.End(ctx, &coreUser, slug, gone.ID); err != nil {
			t.Fatal(err)
		}
		login := func(email, password string) (*browser, *script) {
			return s.loggedIn(demo.Account{Email: email, Password: password}, "en"), s.script(s.tokenFor(email), "en")
		}
		people := []persona{{name: "anonymous", browser: s.browser("en"), api: s.script("", "en")}}
		for _, p := range []struct {
			name, email, password string
			circle                workspace.Circle
			register, self        bool
			treasurer             bool
		}{
			{"outsider", "outsider@example.org", goodPassword, "", false, false, false},
			{"steward", steward.Email, steward.Password, "", false, false, false},
			{"core", member.Email, member.Password, workspace.Core, true, false, false},
			{"contributors", "contributor@example.org", goodPassword, workspace.Contributors, false, false, false},
			{"members", moderator.Email, moderator.Password, workspace.Members, false, false, false},
			{"supporters", "supporter@example.org", goodPassword, workspace.Supporters, false, true, false},
			{"register role", "keeper@example.org", goodPassword, workspace.Members, true, false, false},
			{"treasurer role", "bookkeeper@example.org", goodPassword, workspace.Contributors, false, false, true},
		} {
			b, api := login(p.email, p.password)
			people = append(people, persona{name: p.name, browser: b, api: api, circle: p.circle, register: p.register,
				core: p.circle == workspace.Core, self: p.self, treasurer: p.treasurer})
		}

		signedIn := func(p persona) bool { return p.name != "anonymous" }
		readsRegister := func(p persona) bool { return p.circle.Within(workspace.Visibility(workspace.Members)) || p.register }
		keepsRegister := func(p persona) bool { return p.register }
		isCore := func(p persona) bool { return p.core }
		ownOrRegister := func(p persona) bool { return p.self || p.register }
		ownOrReader := func(p persona) bool { return p.self || readsRegister(p) }
		anyone := func(persona) bool { return true }
		inside := func(p persona) bool { return p.circle != "" }
		isTreasurer := func(p persona) bool { return p.core || p.treasurer }
		proposes := func(p persona) bool { return p.circle.Within(workspace.Visibility(workspace.Members)) }
		// The grant and revoke actions below give {id}, the supporter, the
		// announcements role and take it back, in either order: who sends
		// is core, and the supporter while they hold it.
		sendsAnnouncements := func(p persona) bool {
			if p.core {
				return true
			}
			if !p.self {
				return false
			}
			m, err := svc.Person(ctx, &coreUser, slug, supporter.ID)
			return err == nil && slices.Contains(m.Roles, workspace.RoleAnnouncements)
		}
		who := strconv.FormatInt(supporter.ID, 10)
		n := 0
		unique := func() string { n++; return strconv.Itoa(n) }
		type check struct {
			allowed func(persona) bool
			form    func() url.Values // pages: the posted form
			body    func() string     // API: the JSON body
			query   string
		}
		checks := map[string]check{
			"GET /workspaces":                             {allowed: signedIn},
			"GET /workspaces/new":                         {allowed: signedIn},
			"POST /workspaces/new":                        {allowed: signedIn, form: func() url.Values { return url.Values{"name": {"Matrix " + unique()}} }},
			"GET /workspaces/invitation":                  {allowed: anyone, query: "?token=nothing"},
			"POST /workspaces/invitation":                 {allowed: signedIn, form: func() url.Values { return url.Values{"token": {"nothing"}} }},
			"GET /workspaces/{ws}":                        {allowed: anyone},
			"POST /workspaces/{ws}/{action}":              {allowed: signedIn}, // withdraw: the person's own request
			"GET /workspaces/{ws}/settings":               {allowed: isCore},
			"POST /workspaces/{ws}/settings":              {allowed: isCore, form: func() url.Values { return url.Values{"name": {"Demo"}, "slug": {slug}, "register": {"members"}} }},
			"GET /workspaces/{ws}/members":                {allowed: readsRegister},
			"GET /workspaces/{ws}/members/import":         {allowed: keepsRegister},
			"POST /workspaces/{ws}/members/import":        {allowed: keepsRegister}, // no file: a form to mend
			"GET /workspaces/{ws}/members/export":         {allowed: readsRegister, query: "?format=xlsx"},
			"POST /api/v1/workspaces/{ws}/members/import": {allowed: keepsRegister, query: "?dry_run=true", body: func() string { return "name\nImported " + unique() + "\n" }},
			"GET /api/v1/workspaces/{ws}/members/export":  {allowed: readsRegister, query: "?format=csv"},
			"GET /workspaces/{ws}/members/new":            {allowed: keepsRegister},
			"POST /workspaces/{ws}/members/new":           {allowed: keepsRegister, form: func() url.Values { return url.Values{"name": {"Row " + unique()}, "circle": {"supporters"}} }},
			"GET /workspaces/{ws}/members/{id}":           {allowed: ownOrReader},
			"POST /workspaces/{ws}/members/{id}/{action}": {allowed: ownOrRegister, form: func() url.Values { return url.Values{"name": {"Supporter"}} }}, // contact
			"GET /workspaces/{ws}/shares":                 {allowed: inside},
			"POST /workspaces/{ws}/shares/{action}":       {allowed: isTreasurer},
			"GET /workspaces/{ws}/shares/import":          {allowed: isTreasurer},
			"POST /workspaces/{ws}/shares/import":         {allowed: isTreasurer}, // no file: a form to mend
			"GET /workspaces/{ws}/shares/{id}":            {allowed: isTreasurer},
			"POST /workspaces/{ws}/shares/{id}/{action}":  {allowed: isTreasurer},
			"GET /workspaces/{ws}/ledger":                 {allowed: inside},
			"POST /workspaces/{ws}/ledger/{action}":       {allowed: isTreasurer},
			"GET /workspaces/{ws}/fees":                   {allowed: inside},
			"POST /workspaces/{ws}/fees/{action}":         {allowed: isTreasurer},
			"GET /api/v1/workspaces/{ws}/participations":  {allowed: inside},
			"POST /api/v1/workspaces/{ws}/participations": {allowed: isTreasurer, body: func() string { return `{"member_id": 999999, "class_id": 1, "shares": 1}` }},
			"GET /api/v1/workspaces/{ws}/ledger":          {allowed: inside},
			// Files: {id} names no file, so those who may use a route get
			// 404; the files role (core here) is checked before the lookup.
			"GET /workspaces/{ws}/files":                       {allowed: anyone},
			"POST /workspaces/{ws}/files":                      {allowed: isCore}, // no file: a form to mend
			"GET /workspaces/{ws}/files/{id}":                  {allowed: anyone},
			"GET /workspaces/{ws}/files/{id}/download":         {allowed: anyone},
			"POST /workspaces/{ws}/files/{id}/{action}":        {allowed: isCore},
			"GET /api/v1/workspaces/{ws}/files":                {allowed: signedIn},
			"POST /api/v1/workspaces/{ws}/files":               {allowed: isCore},
			"GET /api/v1/workspaces/{ws}/files/{id}":           {allowed: signedIn},
			"PATCH /api/v1/workspaces/{ws}/files/{id}":         {allowed: isCore, body: func() string { return `{"name": "x.txt"}` }},
			"DELETE /api/v1/workspaces/{ws}/files/{id}":        {allowed: isCore},
			"GET /api/v1/workspaces/{ws}/files/{id}/content":   {allowed: signedIn},
			"POST /api/v1/workspaces/{ws}/files/{id}/versions": {allowed: isCore},
			"GET /workspaces/{ws}/invite":                      {allowed: keepsRegister},
			// Announcements and channels: the unsubscribe link needs no
			// session (a token that names nobody is a 404 for everyone).
			"GET /workspaces/{ws}/announcements": {allowed: anyone},
			"POST /workspaces/{ws}/announcements": {allowed: sendsAnnouncements, form: func() url.Values {
				return url.Values{"title": {"News " + unique()}, "body": {"Text"}, "visibility": {"core"}}
			}},
			"GET /workspaces/{ws}/feed.atom":               {allowed: anyone},
			"GET /workspaces/{ws}/unsubscribe":             {allowed: anyone, query: "?token=nothing"},
			"POST /workspaces/{ws}/unsubscribe":            {allowed: anyone, query: "?token=nothing"},
			"POST /workspaces/{ws}/subscription":           {allowed: inside, form: func() url.Values { return url.Values{"mail": {"on"}} }},
			"GET /workspaces/{ws}/channels":                {allowed: anyone},
			"POST /workspaces/{ws}/channels/{action}":      {allowed: isCore},
			"GET /api/v1/workspaces/{ws}/announcements":    {allowed: signedIn},
			"POST /api/v1/workspaces/{ws}/announcements":   {allowed: sendsAnnouncements, body: func() string { return `{"title": "API ` + unique() + `", "body": "x", "visibility": "core"}` }},
			"GET /api/v1/workspaces/{ws}/channels":         {allowed: signedIn},
			"POST /api/v1/workspaces/{ws}/channels":        {allowed: isCore, body: func() string { return `{"kind": "async", "name": "List ` + unique() + `", "visibility": "core"}` }},
			"DELETE /api/v1/workspaces/{ws}/channels/{id}": {allowed: isCore},
			"GET /workspaces/{ws}/fields":                  {allowed: isCore},
			"POST /workspaces/{ws}/fields/{action}":        {allowed: isCore},
			"GET /workspaces/{ws}/consents":                {allowed: isCore},
			"POST /workspaces/{ws}/consents":               {allowed: isCore, form: func() url.Values { return url.Values{"key": {"photos"}, "text": {"Photos may be shown."}} }},
			"GET /api/v1/workspaces/{ws}/fields":           {allowed: readsRegister},
			"POST /workspaces/{ws}/invite/{action}": {allowed: keepsRegister, form: func() url.Values {
				return url.Values{"email": {"inv" + unique() + "@example.org"}, "circle": {"supporters"}}
			}}, // send
			// Participatory budgets: core starts them.
			"GET /workspaces/{ws}/budgets/new": {allowed: isCore},
			"POST /workspaces/{ws}/budgets/new": {allowed: isCore, form: func() url.Values {
				return url.Values{"title": {"Budget " + unique()}, "language": {"nl"}, "circles": {"core"}, "total": {"100"},
					"ballot_kind": {"approval"}, "rule": {"greedy"}}
			}},
			// Decisions and budgets in the API: lists show each caller what
			// they may see; members and the circles inside propose (an empty
			// body: refused, or a field problem for who may).
			"GET /api/v1/workspaces/{ws}/decisions":  {allowed: anyone},
			"POST /api/v1/workspaces/{ws}/decisions": {allowed: func(p persona) bool { return p.circle.Within(workspace.Visibility(workspace.Members)) }, body: func() string { return `{}` }},
			"GET /api/v1/workspaces/{ws}/budgets":    {allowed: anyone},
			// Expenses: the members circle and inside submit and read them;
			// core sets how many approvals they need.
			"GET /api/v1/workspaces/{ws}/expenses":          {allowed: func(p persona) bool { return p.circle.Within(workspace.Visibility(workspace.Members)) }},
			"POST /api/v1/workspaces/{ws}/expenses":         {allowed: func(p persona) bool { return p.circle.Within(workspace.Visibility(workspace.Members)) }, body: func() string { return `{}` }},
			"PUT /api/v1/workspaces/{ws}/expense-approvals": {allowed: isCore, body: func() string { return `{"approvals": 1}` }},
			// The same on the site: an empty form comes back to be mended.
			"GET /workspaces/{ws}/expenses":            {allowed: proposes},
			"POST /workspaces/{ws}/expenses":           {allowed: proposes},
			"POST /workspaces/{ws}/expenses/approvals": {allowed: isCore, form: func() url.Values { return url.Values{"approvals": {"1"}} }},
			// Campaigns: the workspace's treasurers start them.
			"POST /api/v1/workspaces/{ws}/campaigns": {allowed: isTreasurer, body: func() string { return `{}` }},
			"GET /workspaces/{ws}/campaigns":         {allowed: anyone},
			"GET /workspaces/{ws}/campaigns/new":     {allowed: isTreasurer},
			"POST /workspaces/{ws}/campaigns/new":    {allowed: isTreasurer},
			// Decisions: the list shows each reader what they may see;
			// members and the circles inside propose (a real draft each time).
			"GET /workspaces/{ws}/decisions":     {allowed: anyone},
			"GET /workspaces/{ws}/decisions/new": {allowed: proposes},
			"POST /workspaces/{ws}/decisions/new": {allowed: proposes, form: func() url.Values {
				return url.Values{"title": {"Proposal " + unique()}, "language": {"en"}, "method": {"consent"}, "secrecy": {"open"},
					"visibility": {"members"}, "circles": {"members"}, "closes_at": {decide.Local(time.Now().Add(48 * time.Hour))}}
			}},
			"GET /api/v1/workspaces":                     {allowed: signedIn},
			"POST /api/v1/workspaces":                    {allowed: signedIn, body: func() string { return `{"name": "API ` + unique() + `"}` }},
			"GET /api/v1/workspaces/{ws}":                {allowed: anyone},
			"GET /api/v1/workspaces/{ws}/members":        {allowed: readsRegister},
			"POST /api/v1/workspaces/{ws}/members":       {allowed: keepsRegister, body: func() string { return `{"name": "API row ` + unique() + `", "circle": "supporters"}` }},
			"GET /api/v1/workspaces/{ws}/members/{id}":   {allowed: ownOrReader},
			"PATCH /api/v1/workspaces/{ws}/members/{id}": {allowed: ownOrRegister, body: func() string { return `{"phone": "06 0000 000` + unique() + `"}` }},
			"POST /api/v1/workspaces/{ws}/invitations":   {allowed: keepsRegister, body: func() string { return `{"email": "api` + unique() + `@example.org", "circle": "supporters"}` }},
		}
		// Actions of the routes with {action}, each with its own rule.
		actions := map[string]map[string]check{
			"POST /workspaces/{ws}/{action}": {
				"withdraw": {allowed: signedIn},
			},
			"POST /workspaces/{ws}/members/{id}/{action}": {
				"contact": {allowed: ownOrRegister, form: func() url.Values { return url.Values{"name": {"Supporter"}} }},
				"move":    {allowed: keepsRegister, form: func() url.Values { return url.Values{"circle": {"supporters"}} }},
				// No real role: the routes below count on who holds which, and
				// the order of these checks is random. Core is refused the
				// unknown role (422); the others are refused the action (403).
				"grant":   {allowed: isCore, form: func() url.Values { return url.Values{"role": {"none"}} }},
				"fields":  {allowed: ownOrRegister},
				"consent": {allowed: ownOrRegister, form: func() url.Values { return url.Values{"text": {"999999"}, "agree": {"yes"}} }},
				"revoke":  {allowed: isCore, form: func() url.Values { return url.Values{"role": {"none"}} }},
			},
			"POST /workspaces/{ws}/fields/{action}": {
				"save": {allowed: isCore, form: func() url.Values {
					return url.Values{"label": {"Field " + unique()}, "type": {"text"}, "visibility": {"core"}}
				}},
				"remove": {allowed: isCore, form: func() url.Values { return url.Values{"field": {"999999"}} }},
			},
			"POST /workspaces/{ws}/shares/{action}": {
				"class": {allowed: isTreasurer, form: func() url.Values {
					return url.Values{"name": {"Class " + unique()}, "nominal": {"250"}, "min_shares": {"1"}}
				}},
				"participate": {allowed: isTreasurer, form: func() url.Values { return url.Values{"number": {"999999"}, "class": {"1"}, "shares": {"1"}} }},
			},
			"POST /workspaces/{ws}/shares/{id}/{action}": {
				"status":   {allowed: isTreasurer, form: func() url.Values { return url.Values{"status": {"option"}} }},
				"pay":      {allowed: isTreasurer, form: func() url.Values { return url.Values{"amount": {"x"}} }},
				"transfer": {allowed: isTreasurer, form: func() url.Values { return url.Values{"number": {"999999"}} }},
			},
			"POST /workspaces/{ws}/ledger/{action}": {
				"book":    {allowed: isTreasurer, form: func() url.Values { return url.Values{"number": {"999999"}, "amount": {"5"}} }},
				"reverse": {allowed: isTreasurer, form: func() url.Values { return url.Values{"entry": {"999999"}, "description": {"test"}} }},
			},
			"POST /workspaces/{ws}/fees/{action}": {
				"open": {allowed: isTreasurer, form: func() url.Values { return url.Values{"name": {"P" + unique()}, "amount": {"x"}} }},
				"pay":  {allowed: isTreasurer, form: func() url.Values { return url.Values{"fee": {"999999"}} }},
			},
			"POST /workspaces/{ws}/files/{id}/{action}": {
				"version": {allowed: isCore},
				"save":    {allowed: isCore, form: func() url.Values { return url.Values{"name": {"x.txt"}, "visibility": {"public"}} }},
				"remove":  {allowed: isCore},
				"restore": {allowed: isCore},
				"purge":   {allowed: isCore},
			},
			"POST /workspaces/{ws}/channels/{action}": {
				"save": {allowed: isCore, form: func() url.Values {
					return url.Values{"kind": {"realtime"}, "name": {"Chat " + unique()}, "visibility": {"members"}}
				}},
				"remove": {allowed: isCore, form: func() url.Values { return url.Values{"channel": {"999999"}} }},
			},
			"POST /workspaces/{ws}/invite/{action}": {
				"send":    checks["POST /workspaces/{ws}/invite/{action}"],
				"revoke":  {allowed: keepsRegister, form: func() url.Values { return url.Values{"invitation": {"999999"}} }},
				"accept":  {allowed: keepsRegister, form: func() url.Values { return url.Values{"request": {"999999"}, "circle": {"members"}} }},
				"decline": {allowed: keepsRegister, form: func() url.Values { return url.Values{"request": {"999999"}} }},
			},
		}

		seen := 0
		for _, rt := range s.Server.RoutesForTest() {
			if !strings.HasPrefix(rt.Path, "/workspaces") && !strings.HasPrefix(rt.Path, "/api/v1/workspaces") {
				continue
			}
			key := rt.Method + " " + rt.Path
			c, ok := checks[key]
			if !ok {
				t.Errorf("%s is not in this test's table: add who may use it", key)
				continue
			}
			seen++
			variants := map[string]check{"": c}
			if a, ok := actions[key]; ok {
				variants = a
			}
			for action, c := range variants {
				id := who
				if strings.Contains(rt.Path, "/shares/{id}") {
					id = strconv.FormatInt(holding.ID, 10)
				}
				path := strings.NewReplacer("{ws}", slug, "{id}", id, "{action}", action).Replace(rt.Path) + c.query
				for _, p := range people {
					var r *response
					if rt.API {
						body := ""
						if c.body != nil {
							body = c.body()
						}
						r = p.api.call(rt.Method, strings.TrimPrefix(path, "/api/v1"), body)
					} else if rt.Method == http.MethodGet {
						r = p.browser.get(path)
					} else {
						var form url.Values
						if c.form != nil {
							form = c.form()
						}
						r = p.browser.postForm(path, form)
					}
					refused := r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden ||
						strings.HasPrefix(r.Location(), "/login")
					if r.Status >= 500 {
						t.Errorf("%s %s as %s: %d\n%s", rt.Method, path, p.name, r.Status, r.Body)
					}
					if want := !c.allowed(p); refused != want {
						t.Errorf("%s %s as %s: status %d (refused %v, want %v)", rt.Method, path, p.name, r.Status, refused, want)
					}
				}
			}
		}
		if seen != len(checks) {
			t.Errorf("%d workspace routes registered, the table has %d", seen, len(checks))
		}
	})
}

// A group that started without an atlas entry puts itself on the atlas:
// the form starts from the workspace's name and description, and the new
// entry is the workspace's.
func TestWorkspacePutsItselfOnTheAtlas(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		b := s.loggedIn(member, "en")
		r := b.postForm("/workspaces/new", url.Values{"name": {"Buurtmoestuin Oost"}, "description": {"We grow vegetables together."}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("starting a workspace: %d\n%s", r.Status, r.Body)
		}
		home := b.get("/workspaces/buurtmoestuin-oost")
		mustContain(t, home, `href="/atlas/new?workspace=buurtmoestuin-oost"`)
		form := b.get("/atlas/new?workspace=buurtmoestuin-oost")
		mustContain(t, form, `name="workspace" value="buurtmoestuin-oost"`, `value="Buurtmoestuin Oost"`, "We grow vegetables together.")
		// Someone outside the workspace cannot use it to link an entry.
		if r := s.loggedIn(moderator, "en").get("/atlas/new?workspace=buurtmoestuin-oost"); r.Status != http.StatusForbidden {
			t.Errorf("an outsider's form: %d", r.Status)
		}
		p := proposal("Buurtmoestuin Oost")
		p.Set("workspace", "buurtmoestuin-oost")
		id := createdID(t, b.postForm("/atlas/new", p))
		var ws struct {
			InitiativeID *int64 `json:"initiative_id"`
		}
		s.script(s.tokenFor(member.Email), "en").call(http.MethodGet, "/workspaces/buurtmoestuin-oost", "").JSON(t, &ws)
		if ws.InitiativeID == nil || *ws.InitiativeID != id {
			t.Fatalf("the workspace's entry is %v, want %d", ws.InitiativeID, id)
		}
		// A second entry for the same workspace is refused before it is
		// proposed.
		p = proposal("Buurtmoestuin Oost Twee")
		p.Set("workspace", "buurtmoestuin-oost")
		if r := b.postForm("/atlas/new", p); r.Status != http.StatusConflict {
			t.Errorf("a second entry: %d", r.Status)
		}
	})
}
