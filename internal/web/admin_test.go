package web_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// auditEntries returns the entries with this action, newest first.
func (s *site) auditEntries(action string) []audit.Entry {
	s.t.Helper()
	entries, _, err := audit.List(context.Background(), s.DB, audit.Filter{Action: action, Limit: 500})
	if err != nil {
		s.t.Fatalf("reading the audit log: %v", err)
	}
	return entries
}

func TestStewards(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		b := s.loggedIn(steward, "en")
		stewardID, memberID := s.userID(steward.Email), s.userID(member.Email)

		t.Run("people", func(t *testing.T) {
			before := len(s.auditEntries("user.list"))
			r := b.get("/admin/people")
			if r.Status != http.StatusOK {
				t.Fatalf("status %d; body:\n%s", r.Status, r.Body)
			}
			mustContain(t, r, steward.Email, moderator.Email, member.Email, "Mia Member")
			entries := s.auditEntries("user.list")
			if len(entries) != before+1 {
				t.Fatalf("%d user.list entries, want %d", len(entries), before+1)
			}
			ip, _, _ := net.SplitHostPort(s.HTTP.Listener.Addr().String())
			if e := entries[0]; e.ActorID != stewardID || e.ActorLabel != "member" || e.IP != ip {
				t.Errorf("entry %+v, want the steward from %s", e, ip)
			}

			// A search narrows the list, and is recorded as such.
			r = b.get("/admin/people?q=mia")
			mustContain(t, r, member.Email)
			if containsText(r, steward.Email+"</th>") {
				t.Error("the search for mia lists the steward")
			}
			// That they searched, not for what: the log keeps no names.
			if d := s.auditEntries("user.list")[0].Detail; d["searched"] != true || d["query"] != nil {
				t.Errorf("the audit entry records %v; want searched, without the query", d)
			}
			if r := b.get("/admin/people?role=king"); r.Status != http.StatusBadRequest {
				t.Errorf("unknown role filter: status %d, want 400", r.Status)
			}
		})

		t.Run("change a role", func(t *testing.T) {
			r := b.postForm("/admin/people/"+strconv.FormatInt(memberID, 10)+"/role", url.Values{"role": {"moderator"}})
			if r.Status != http.StatusSeeOther || r.Location() != "/admin/people?notice=role_changed" {
				t.Fatalf("status %d to %q; body:\n%s", r.Status, r.Location(), r.Body)
			}
			u, err := s.Accounts.Get(context.Background(), memberID)
			if err != nil || u.Role != account.Moderator {
				t.Fatalf("the member's role is %q (%v), want moderator", u.Role, err)
			}
			mustContain(t, b.get(r.Location()), html(msgs.T("en", "notice.role_changed")))
			entries := s.auditEntries("user.role")
			if len(entries) != 1 {
				t.Fatalf("%d user.role entries, want 1", len(entries))
			}
			e := entries[0]
			if e.ActorID != stewardID || e.SubjectType != "user" || e.SubjectID != strconv.FormatInt(memberID, 10) ||
				e.Detail["from"] != "member" || e.Detail["to"] != "moderator" {
				t.Errorf("entry %+v", e)
			}
			// And back, so the other subtests see a member.
			if r := b.postForm("/admin/people/"+strconv.FormatInt(memberID, 10)+"/role", url.Values{"role": {"member"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("back to member: status %d", r.Status)
			}
		})

		t.Run("bad role changes", func(t *testing.T) {
			for _, tc := range []struct {
				path, role string
				status     int
			}{
				{"/admin/people/" + strconv.FormatInt(memberID, 10) + "/role", "king", http.StatusUnprocessableEntity},
				{"/admin/people/999/role", "member", http.StatusNotFound},
				{"/admin/people/abc/role", "member", http.StatusNotFound},
				{"/admin/people/0/role", "member", http.StatusNotFound},
				{"/admin/people/-1/role", "member", http.StatusNotFound},
			} {
				if r := b.postForm(tc.path, url.Values{"role": {tc.role}}); r.Status != tc.status {
					t.Errorf("%s role=%s: status %d, want %d", tc.path, tc.role, r.Status, tc.status)
				}
			}
		})

		t.Run("the last steward stays", func(t *testing.T) {
			r := b.postForm("/admin/people/"+strconv.FormatInt(stewardID, 10)+"/role", url.Values{"role": {"member"}})
			if r.Status != http.StatusConflict {
				t.Fatalf("status %d, want 409; body:\n%s", r.Status, r.Body)
			}
			mustContain(t, r, html(msgs.T("en", "error.role.last_steward")))
			if u, _ := s.Accounts.Get(context.Background(), stewardID); u.Role != account.Steward {
				t.Errorf("the last steward became %s", u.Role)
			}
			// Closing the account is refused for the same reason.
			r = b.postForm("/admin/people/"+strconv.FormatInt(stewardID, 10)+"/access", url.Values{"access": {"disable"}})
			if r.Status != http.StatusConflict {
				t.Errorf("closing the last steward: status %d, want 409", r.Status)
			}
		})

		t.Run("close and reopen an account", func(t *testing.T) {
			victim := s.loggedIn(member, "en")
			path := "/admin/people/" + strconv.FormatInt(memberID, 10) + "/access"
			if r := b.postForm(path, url.Values{"access": {"disable"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("disable: status %d; body:\n%s", r.Status, r.Body)
			}
			// The member's open session ends at once.
			if r := victim.get("/account"); r.Status != http.StatusSeeOther {
				t.Errorf("a closed account still opens /account: status %d", r.Status)
			}
			if r := b.postForm(path, url.Values{"access": {"enable"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("enable: status %d", r.Status)
			}
			if r := b.postForm(path, url.Values{"access": {"maybe"}}); r.Status != http.StatusUnprocessableEntity {
				t.Errorf("access=maybe: status %d, want 422", r.Status)
			}
			if n := len(s.auditEntries("user.disable")) + len(s.auditEntries("user.enable")); n != 2 {
				t.Errorf("%d disable/enable entries, want 2", n)
			}
		})

		t.Run("audit log", func(t *testing.T) {
			before := len(s.auditEntries("audit.read"))
			r := b.get("/admin/audit?action=user.")
			if r.Status != http.StatusOK {
				t.Fatalf("status %d; body:\n%s", r.Status, r.Body)
			}
			mustContain(t, r, "user.role", "user.create")
			if containsText(r, ">audit.read<") {
				t.Error("the filter on user. shows audit.read entries")
			}
			entries := s.auditEntries("audit.read")
			if len(entries) != before+1 || entries[0].ActorID != stewardID {
				t.Fatalf("audit.read entries %+v, want one more by the steward", entries)
			}
			if entries[0].Detail["action"] != "user." {
				t.Errorf("the read does not record its filter: %v", entries[0].Detail)
			}
		})

		t.Run("outbox", func(t *testing.T) {
			s.browser("en").signUp("newcomer@example.org", "", goodPassword)
			r := b.get("/admin/outbox")
			if r.Status != http.StatusOK {
				t.Fatalf("status %d", r.Status)
			}
			mustContain(t, r, "newcomer@example.org")
			if len(s.auditEntries("mail.read")) != 1 {
				t.Error("reading the outbox is not recorded")
			}
		})
	})
}

// With SMTP configured mails are people's own business: no outbox page.
func TestOutboxNeedsMailToLog(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t), withoutMailLog)
	s.seed()
	b := s.loggedIn(steward, "en")
	if r := b.get("/admin/outbox"); r.Status != http.StatusNotFound {
		t.Errorf("status %d, want 404", r.Status)
	}
	if r := b.get("/admin/people"); containsText(r, `href="/admin/outbox"`) {
		t.Error("the menu links to the outbox")
	}
	if n := len(s.auditEntries("mail.read")); n != 0 {
		t.Errorf("%d mail.read entries for a page that does not exist", n)
	}
}

func containsText(r *response, s string) bool { return strings.Contains(r.Body, s) }
