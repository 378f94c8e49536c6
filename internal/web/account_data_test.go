package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"samen/internal/account"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// A person downloads what samen holds about them, as JSON from the API and
// as a ZIP of CSV files from the account page; both reads are recorded.
func TestExportMyData(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		memberID := s.userID(member.Email)
		// A name a spreadsheet would run as a formula.
		if _, err := s.Accounts.UpdateProfile(context.Background(), memberID, account.Profile{Name: "=HYPERLINK(\"x\")"}); err != nil {
			t.Fatal(err)
		}

		r := s.script(s.tokenFor(member.Email), "en").call(http.MethodGet, "/me/export", "")
		if r.Status != http.StatusOK {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		var doc map[string]map[string][]map[string]string
		r.JSON(t, &doc)
		for _, part := range []string{"account", "atlas", "toolbox", "assess"} {
			if _, ok := doc[part]; !ok {
				t.Errorf("the export has no member %q: %v", part, r.Body[:min(len(r.Body), 300)])
			}
		}
		if u := doc["account"]["account_users"]; len(u) != 1 || u[0]["email"] != member.Email || u[0]["id"] != strconv.FormatInt(memberID, 10) {
			t.Errorf("account_users = %v", u)
		}
		if len(doc["toolbox"]["toolbox_scans"]) == 0 {
			t.Error("the demo member's scans are not in the export")
		}
		if tokens := doc["account"]["account_api_tokens"]; len(tokens) != 1 || tokens[0]["name"] != "test script" || tokens[0]["token_hash"] != "" {
			t.Errorf("api tokens = %v", tokens)
		}
		if strings.Contains(r.Body, "hash") {
			t.Error("the export holds a hash")
		}

		b := s.loggedIn(member, "en")
		mustContain(t, b.get("/account"), html(msgs.T("en", "account.export_zip")), `href="/account/export.zip"`)
		z := b.get("/account/export.zip")
		if z.Status != http.StatusOK || z.Header.Get("Content-Type") != "application/zip" || !strings.Contains(z.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("ZIP: status %d, type %q, disposition %q", z.Status, z.Header.Get("Content-Type"), z.Header.Get("Content-Disposition"))
		}
		zr, err := zip.NewReader(bytes.NewReader([]byte(z.Body)), int64(len(z.Body)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			files[f.Name] = string(b)
		}
		readme := files["README.txt"]
		if readme == "" {
			t.Fatalf("no README.txt in %v", len(files))
		}
		for name := range files {
			if name == "README.txt" {
				continue
			}
			if !strings.Contains(readme, name) {
				t.Errorf("README.txt does not describe %s", name)
			}
			table := strings.TrimSuffix(name[strings.IndexByte(name, '/')+1:], ".csv")
			for _, lang := range []string{"nl", "en"} {
				if !msgs.Has(lang, "export.file."+table) {
					t.Errorf("no %s description export.file.%s", lang, table)
				}
			}
		}
		users, err := csv.NewReader(strings.NewReader(files["account/account_users.csv"])).ReadAll()
		if err != nil || len(users) != 2 {
			t.Fatalf("account/account_users.csv: %v, %v", users, err)
		}
		if users[0][1] != "email" || users[1][1] != member.Email || users[1][2] != `'=HYPERLINK("x")` {
			t.Errorf("account_users.csv = %q; want the address, and the formula guarded", users)
		}
		if len(files) < 19 {
			t.Errorf("only %d files in the ZIP", len(files))
		}

		exports := s.auditEntries("user.export")
		if len(exports) != 2 || exports[0].Detail["format"] != "zip" || exports[1].Detail["format"] != "json" || exports[0].ActorID != memberID {
			t.Errorf("user.export entries = %+v", exports)
		}
	})
}

// A person asks for erasure; a steward sees the request, must type the
// address, and erases. The person is then gone from the pages, by name
// and address, and shows in the audit log by number.
func TestErasureFlow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		memberID, stewardID := s.userID(member.Email), s.userID(steward.Email)
		m := s.loggedIn(member, "en")
		r := m.postForm("/account/erasure", url.Values{})
		if r.Status != http.StatusSeeOther || r.Location() != "/account?notice=erasure_requested#data" {
			t.Fatalf("asking: status %d to %q", r.Status, r.Location())
		}
		mustContain(t, m.get(r.Location()), html(msgs.T("en", "notice.erasure_requested")))
		mail := s.mailTo(steward.Email)
		if !strings.Contains(mail.Body, "#"+strconv.FormatInt(memberID, 10)) || strings.Contains(mail.Body, member.Email) {
			t.Errorf("the stewards' mail = %q; want the person's number, not their address", mail.Body)
		}
		// Asking twice mails nobody again.
		before := len(s.outbox())
		m.postForm("/account/erasure", url.Values{})
		if len(s.outbox()) != before {
			t.Error("a second request mailed the stewards again")
		}

		st := s.loggedIn(steward, "en")
		page := st.get("/admin/people")
		mustContain(t, page, html(msgs.T("en", "people.erasure_requests")), "/admin/people/"+strconv.FormatInt(memberID, 10)+"/erase")
		path := "/admin/people/" + strconv.FormatInt(memberID, 10) + "/erase"
		mustContain(t, st.get(path), html(msgs.T("en", "erase.title")), member.Email)

		// The wrong address erases nobody.
		r = st.postForm(path, url.Values{"confirm_email": {moderator.Email}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong address: status %d", r.Status)
		}
		mustContain(t, r, html(msgs.T("en", "field.erase.confirm_mismatch")))
		if u, _ := s.Accounts.Get(context.Background(), memberID); u.Erased() {
			t.Fatal("erased with the wrong address")
		}
		// The last steward cannot be erased.
		self := "/admin/people/" + strconv.FormatInt(stewardID, 10) + "/erase"
		if r := st.postForm(self, url.Values{"confirm_email": {steward.Email}}); r.Status != http.StatusConflict {
			t.Errorf("erasing the last steward: status %d", r.Status)
		} else {
			mustContain(t, r, html(msgs.T("en", "error.erase.last_steward")))
		}

		r = st.postForm(path, url.Values{"confirm_email": {strings.ToUpper(member.Email)}})
		if r.Status != http.StatusSeeOther || r.Location() != "/admin/people?notice=erased" {
			t.Fatalf("erasing: status %d to %q; %s", r.Status, r.Location(), r.Body)
		}
		people := st.get(r.Location())
		mustContain(t, people, html(msgs.T("en", "notice.erased")))
		if strings.Contains(people.Body, member.Email) || strings.Contains(people.Body, "Mia Member") {
			t.Error("the people page still shows the erased person")
		}
		// Their session is over.
		if r := m.get("/account"); r.Status != http.StatusSeeOther {
			t.Errorf("the erased person's session: status %d", r.Status)
		}
		audit := st.get("/admin/audit?actor=" + strconv.FormatInt(memberID, 10))
		mustContain(t, audit, html(msgs.T("en", "audit.erased_person", "id", memberID)))
		if strings.Contains(audit.Body, member.Email) || strings.Contains(audit.Body, "Mia Member") {
			t.Error("the audit page names the erased person")
		}
		var entries struct {
			Entries []struct {
				ActorName   string `json:"actor_name"`
				ActorErased bool   `json:"actor_erased"`
				ActorLabel  string `json:"actor_label"`
			} `json:"entries"`
		}
		s.script(s.tokenFor(steward.Email), "en").call(http.MethodGet, "/audit?actor="+strconv.FormatInt(memberID, 10), "").JSON(t, &entries)
		if len(entries.Entries) == 0 || !entries.Entries[0].ActorErased || entries.Entries[0].ActorName != "" || entries.Entries[0].ActorLabel != "member" {
			t.Errorf("the API's audit entries = %+v", entries.Entries)
		}
		if r := st.get(path); r.Status != http.StatusConflict {
			t.Errorf("the erase page of an erased person: status %d", r.Status)
		}
	})
}
