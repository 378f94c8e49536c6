package web_test

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// A receipt as a scanner makes it: the bytes say PDF.
const receiptPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Bouwmarkt Noord, schroeven 12,50\n%%EOF\n"

// expenseFormBody is a form of the expenses' pages with its receipts,
// each a part "files".
func expenseFormBody(t testing.TB, fields url.Values, files map[string]string) (*bytes.Buffer, string) {
	t.Helper()
	return formWithFiles(t, fields, "files", files)
}

// postExpenseForm sends such a form as a browser does.
func (b *browser) postExpenseForm(path string, fields url.Values, files map[string]string) *response {
	b.t.Helper()
	body, ct := expenseFormBody(b.t, fields, files)
	req := b.newRequest(http.MethodPost, path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", b.site.HTTP.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// expenseID is the id of the expense a form led to.
func expenseID(t *testing.T, r *response) string {
	t.Helper()
	m := regexp.MustCompile(`^/expenses/(\d+)\?notice=`).FindStringSubmatch(r.Location())
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("the form led to %d %q, not an expense:\n%s", r.Status, r.Location(), r.Body)
	}
	return m[1]
}

// initiativeHolds is what the workspace's account in the ledger holds.
func initiativeHolds(t *testing.T, s *site, wsID int64) int64 {
	t.Helper()
	var list struct {
		Accounts []struct {
			Code  string `json:"code"`
			Cents int64  `json:"cents"`
		} `json:"accounts"`
	}
	code := "initiative:" + strconv.FormatInt(wsID, 10)
	s.script("", "en").call(http.MethodGet, "/ledger/accounts?prefix="+url.QueryEscape(code), "").JSON(t, &list)
	for _, a := range list.Accounts {
		if a.Code == code {
			return a.Cents
		}
	}
	t.Fatalf("no account %s", code)
	return 0
}

// Expenses through the pages, as Open Collective's flow goes: the
// moderator (members circle) submits one with a receipt against a budget
// line; the member (core, so treasurer) reads the receipt and approves it,
// and pays it, which books it in the ledger. A submitter never approves
// their own; a rejection needs its reason; a bad amount or IBAN comes back
// named in the reader's language with what was typed; the receipt is for
// those who see the expense, never for someone outside or a visitor.
func TestExpensePages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := fundSite(t, db)
		slug := demoWorkspace(t, s)
		list := "/workspaces/" + slug + "/expenses"
		mod := s.loggedIn(moderator, "nl")
		core := s.loggedIn(member, "en")

		page := mod.get(list)
		if page.Status != http.StatusOK {
			t.Fatalf("the list: %d\n%s", page.Status, page.Body)
		}
		mustContain(t, page, `enctype="multipart/form-data"`, `name="files"`, `href="`+list+`"`, msgs.T("nl", "expense.group.pending"),
			msgs.T("nl", "expense.form.draft"))
		if strings.Contains(page.Body, `action="`+list+`/approvals"`) {
			t.Error("the moderator, not core, is offered the approvals form")
		}
		line := regexp.MustCompile(`<option value="(\d+:\d+)"`).FindStringSubmatch(page.Body)
		if line == nil {
			t.Fatalf("no budget line to choose:\n%s", page.Body)
		}

		// A bad amount and IBAN: named, in Dutch, with what was typed.
		bad := mod.postExpenseForm(list, url.Values{"title": {"Schroeven"}, "amount": {"12,5x"}, "payee": {"Bouwmarkt Noord"},
			"iban": {"NL00 BANK 0000 0000 00"}, "line": {line[1]}, "submit": {"submit"}}, map[string]string{"bon.pdf": receiptPDF})
		if bad.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a bad expense: %d\n%s", bad.Status, bad.Body)
		}
		mustContain(t, bad, html(msgs.T("nl", "field.amount.invalid")), html(msgs.T("nl", "field.fund.iban")), `value="12,5x"`,
			`value="Bouwmarkt Noord"`, `<option value="`+line[1]+`" selected>`, html(msgs.T("nl", "expense.form.files_again")))
		notHTML := mod.postExpenseForm(list, url.Values{"title": {"Schroeven"}, "amount": {"12,50"}, "payee": {"Bouwmarkt Noord"}},
			map[string]string{"bon.pdf": "<!DOCTYPE html><script>alert(1)</script>"})
		if notHTML.Status != http.StatusUnprocessableEntity || !strings.Contains(notHTML.Body, html(msgs.T("nl", "field.fund.receipt_type"))) {
			t.Errorf("a web page as a receipt: %d\n%s", notHTML.Status, notHTML.Body)
		}

		id := expenseID(t, mod.postExpenseForm(list, url.Values{"title": {"Schroeven en pluggen"}, "amount": {"12,50"}, "payee": {"Bouwmarkt Noord"},
			"iban": {"NL91 ABNA 0417 1643 00"}, "line": {line[1]}, "description": {"Voor de plantenbakken."}, "submit": {"submit"}},
			map[string]string{"bon schroeven.pdf": receiptPDF}))
		path := "/expenses/" + id
		mine := mod.get(path)
		mustContain(t, mine, "Schroeven en pluggen", "NL91ABNA0417164300", "bon schroeven.pdf", msgs.T("nl", "expense.state.pending"),
			msgs.T("nl", "expense.approvals_of", "n", 0, "need", 1))
		file := regexp.MustCompile(`href="(/expenses/\d+/files/\d+)"`).FindStringSubmatch(mine.Body)
		if file == nil {
			t.Fatalf("no receipt link:\n%s", mine.Body)
		}

		// The treasurer reads it and its receipt.
		mustContain(t, core.get(list), `href="`+path+`"`, `action="`+list+`/approvals"`)
		theirs := core.get(path)
		mustContain(t, theirs, "NL91ABNA0417164300", `action="`+path+`/approve"`, `action="`+path+`/reject"`)
		dl := core.get(file[1])
		if dl.Status != http.StatusOK || dl.Body != receiptPDF || dl.Header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment;") || dl.Header.Get("X-Content-Type-Options") != "nosniff" ||
			dl.Header.Get("Cache-Control") != "private, no-store" {
			t.Errorf("core's download: %d %v", dl.Status, dl.Header)
		}
		// Not someone outside the workspace, not a visitor, not through the
		// API without a token.
		if r := s.loggedIn(steward, "en").get(file[1]); r.Status != http.StatusNotFound || strings.Contains(r.Body, "%PDF") {
			t.Errorf("the steward, outside the workspace, downloads: %d", r.Status)
		}
		if r := s.browser("en").get(file[1]); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/login") {
			t.Errorf("a visitor downloads: %d %s", r.Status, r.Location())
		}
		if r := s.script("", "en").call(http.MethodGet, file[1], ""); r.Status != http.StatusUnauthorized {
			t.Errorf("the API without a token: %d", r.Status)
		}
		if r := s.loggedIn(steward, "en").get(path); r.Status != http.StatusNotFound {
			t.Errorf("the steward reads the expense: %d", r.Status)
		}

		// The moderator is no treasurer; the member approves, then pays.
		if r := mod.postForm(path+"/approve", nil); r.Status != http.StatusForbidden {
			t.Errorf("the moderator approves: %d", r.Status)
		}
		if r := core.postForm(path+"/approve", nil); r.Status != http.StatusSeeOther || r.Location() != path+"?notice=expense_approved" {
			t.Fatalf("core approves: %d %s\n%s", r.Status, r.Location(), r.Body)
		}
		approved := core.get(path)
		mustContain(t, approved, msgs.T("en", "expense.state.approved"), msgs.T("en", "expense.approvals_of", "n", 1, "need", 1), `action="`+path+`/pay"`)
		var wsID int64
		s.script(s.tokenFor(member.Email), "en").call(http.MethodGet, "/expenses/"+id, "").JSON(t, &struct {
			WorkspaceID *int64 `json:"workspace_id"`
		}{&wsID})
		before := initiativeHolds(t, s, wsID)
		if r := core.postForm(path+"/pay", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("paying: %d\n%s", r.Status, r.Body)
		}
		if after := initiativeHolds(t, s, wsID); before-after != 1250 {
			t.Errorf("paying took %d cents from the initiative, want 1250", before-after)
		}
		mustContain(t, core.get(path), msgs.T("en", "expense.state.paid"), msgs.T("en", "expense.field.paid"))
		if r := s.script("", "en").call(http.MethodGet, "/ledger?kind=expense", ""); !strings.Contains(r.Body, "Schroeven en pluggen") {
			t.Errorf("the payment is not in the ledger:\n%s", r.Body)
		}

		// Core's own expense: not theirs to approve; a rejection needs its
		// reason.
		own := expenseID(t, core.postExpenseForm(list, url.Values{"title": {"Koffie voor de vergadering"}, "amount": {"8.40"}, "payee": {"Demo member"}}, nil))
		ownPath := "/expenses/" + own
		page = core.get(ownPath)
		mustContain(t, page, msgs.T("en", "expense.actions.own"))
		if strings.Contains(page.Body, `action="`+ownPath+`/approve"`) {
			t.Error("core is offered to approve their own expense")
		}
		if r := core.postForm(ownPath+"/approve", nil); r.Status != http.StatusForbidden || !strings.Contains(r.Body, html(msgs.T("en", "error.fund.own_expense"))) {
			t.Errorf("core approves their own: %d\n%s", r.Status, r.Body)
		}
		if r := core.postForm(ownPath+"/reject", url.Values{"reason": {"  "}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, html(msgs.T("en", "field.required"))) || !strings.Contains(r.Body, `id="reason"`) {
			t.Errorf("rejecting without a reason: %d\n%s", r.Status, r.Body)
		}
		if r := core.postForm(ownPath+"/reject", url.Values{"reason": {"Paid from the kitchen's till."}}); r.Status != http.StatusSeeOther {
			t.Errorf("rejecting: %d\n%s", r.Status, r.Body)
		}
		mustContain(t, mod.get(ownPath), msgs.T("nl", "expense.state.rejected"), "Paid from the kitchen&#39;s till.")

		// A draft: receipts are added to it, then it is submitted.
		draft := expenseID(t, mod.postExpenseForm(list, url.Values{"title": {"Kabelgoot"}, "amount": {"24,95"}, "payee": {"Bouwmarkt Noord"},
			"submit": {"draft"}}, nil))
		draftPath := "/expenses/" + draft
		mustContain(t, mod.get(draftPath), `action="`+draftPath+`/files"`, `action="`+draftPath+`/submit"`)
		if r := core.get(draftPath); r.Status != http.StatusNotFound {
			t.Errorf("core reads the moderator's draft: %d", r.Status)
		}
		if r := mod.postExpenseForm(draftPath+"/files", nil, map[string]string{"bon.txt": "gewoon tekst"}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, html(msgs.T("nl", "field.fund.receipt_type"))) {
			t.Errorf("a text file as a receipt: %d\n%s", r.Status, r.Body)
		}
		png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"
		if r := mod.postExpenseForm(draftPath+"/files", nil, map[string]string{"foto.png": png}); r.Status != http.StatusSeeOther {
			t.Fatalf("adding a receipt: %d\n%s", r.Status, r.Body)
		}
		if r := mod.postForm(draftPath+"/submit", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("submitting the draft: %d\n%s", r.Status, r.Body)
		}
		var x struct {
			State string `json:"state"`
			Files []struct {
				Name      string `json:"name"`
				MediaType string `json:"media_type"`
				Content   string `json:"content"`
			} `json:"files"`
		}
		s.script(s.tokenFor(member.Email), "en").call(http.MethodGet, draftPath, "").JSON(t, &x)
		if x.State != "pending" || len(x.Files) != 1 || x.Files[0].Name != "foto.png" || x.Files[0].MediaType != "image/png" {
			t.Errorf("the submitted draft in the API: %+v", x)
		}
		if r := s.script(s.tokenFor(member.Email), "en").call(http.MethodGet, strings.TrimPrefix(x.Files[0].Content, s.URL+"/api/v1"), ""); r.Status != http.StatusOK || r.Body != png {
			t.Errorf("the receipt through the API: %d", r.Status)
		}
		if r := mod.postExpenseForm(draftPath+"/files", nil, map[string]string{"nog een.pdf": receiptPDF}); r.Status != http.StatusConflict {
			t.Errorf("a receipt for a submitted expense: %d", r.Status)
		}

		// Core sets how many approvals an expense needs.
		if r := core.postForm(list+"/approvals", url.Values{"approvals": {"9"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, html(msgs.T("en", "field.number.out_of_range"))) || !strings.Contains(r.Body, `value="9"`) {
			t.Errorf("nine approvals: %d\n%s", r.Status, r.Body)
		}
		if r := core.postForm(list+"/approvals", url.Values{"approvals": {"2"}}); r.Status != http.StatusSeeOther {
			t.Errorf("two approvals: %d\n%s", r.Status, r.Body)
		}
		if r := mod.postForm(list+"/approvals", url.Values{"approvals": {"1"}}); r.Status != http.StatusForbidden {
			t.Errorf("the moderator sets the approvals: %d", r.Status)
		}
		mustContain(t, mod.get(list), msgs.N("nl", "expense.list.required", 2), msgs.T("nl", "expense.approvals_of", "n", 0, "need", 2))
	})
}

// Receipts through the API: a draft takes them as a body with ?name= or
// as a multipart form; the expense lists them; nothing else goes.
func TestExpenseFilesThroughTheAPI(t *testing.T) {
	t.Parallel()
	s := fundSite(t, storetest.SQLite(t))
	slug := demoWorkspace(t, s)
	mod := s.script(s.tokenFor(moderator.Email), "en")
	var e struct {
		ID int64 `json:"id"`
	}
	mod.call(http.MethodPost, "/workspaces/"+slug+"/expenses", `{"title": "Verf", "cents": 1995, "payee": "Verfwinkel", "draft": true}`).JSON(t, &e)
	path := "/expenses/" + strconv.FormatInt(e.ID, 10) + "/files"

	req := mod.b.newRequest(http.MethodPost, "/api/v1"+path+"?name=verf.pdf", strings.NewReader(receiptPDF))
	req.Header.Set("Content-Type", "application/pdf")
	req.Header.Set("Authorization", "Bearer "+mod.token)
	r := mod.b.do(req)
	var x struct {
		Files []struct {
			Name      string `json:"name"`
			MediaType string `json:"media_type"`
		} `json:"files"`
	}
	r.JSON(t, &x)
	if r.Status != http.StatusCreated || len(x.Files) != 1 || x.Files[0].Name != "verf.pdf" || x.Files[0].MediaType != "application/pdf" {
		t.Fatalf("a receipt as the body: %d\n%s", r.Status, r.Body)
	}
	body, ct := expenseFormBody(t, nil, map[string]string{"a.pdf": receiptPDF, "b.html": "<html>niet</html>"})
	req = mod.b.newRequest(http.MethodPost, "/api/v1"+path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+mod.token)
	ae := apiErrorOf(t, mod.b.do(req), http.StatusBadRequest)
	if ae.Error.Fields["files"].Code != "fund.receipt_type" {
		t.Errorf("a web page among the receipts: %+v", ae)
	}
	mod.call(http.MethodGet, "/expenses/"+strconv.FormatInt(e.ID, 10), "").JSON(t, &x)
	if len(x.Files) != 1 {
		t.Errorf("after a refused pair, %d receipts, want the first one only", len(x.Files))
	}
	six := map[string]string{}
	for i := range 6 {
		six[strconv.Itoa(i)+".pdf"] = receiptPDF + strconv.Itoa(i)
	}
	body, ct = expenseFormBody(t, nil, six)
	req = mod.b.newRequest(http.MethodPost, "/api/v1"+path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+mod.token)
	if ae := apiErrorOf(t, mod.b.do(req), http.StatusBadRequest); ae.Error.Fields["files"].Code != "fund.receipts_too_many" {
		t.Errorf("six receipts at once: %+v", ae)
	}
	if r := s.script(s.tokenFor(member.Email), "en").call(http.MethodPost, path, ""); r.Status != http.StatusNotFound {
		t.Errorf("core adds to the moderator's draft: %d", r.Status)
	}
}

// A draft is its submitter's to delete, with its receipts, whose bytes go
// when nothing else names them; nobody else may, and a submitted expense
// stays (the books).
func TestDeletingADraft(t *testing.T) {
	t.Parallel()
	s := fundSite(t, storetest.SQLite(t))
	list := "/workspaces/" + demoWorkspace(t, s) + "/expenses"
	mod := s.loggedIn(moderator, "en")
	blobs := func() int {
		n := 0
		_ = filepath.WalkDir(s.Parts.Workspaces.Files, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				n++
			}
			return nil
		})
		return n
	}
	before := blobs()
	id := expenseID(t, mod.postExpenseForm(list, url.Values{"title": {"Verf"}, "amount": {"8"}, "payee": {"Verfwinkel"}, "submit": {"draft"}},
		map[string]string{"verf.pdf": receiptPDF + "% verf, een unieke bon\n"}))
	path := "/expenses/" + id
	if n := blobs(); n != before+1 {
		t.Fatalf("the draft's receipt: %d files, want %d", n, before+1)
	}
	mustContain(t, mod.get(path), `action="`+path+`/delete"`)
	if r := s.loggedIn(member, "en").postForm(path+"/delete", nil); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Errorf("a treasurer deletes someone's draft: %d", r.Status)
	}
	r := mod.postForm(path+"/delete", nil)
	if r.Status != http.StatusSeeOther || r.Location() != list+"?notice=expense_deleted" {
		t.Fatalf("deleting: %d %s\n%s", r.Status, r.Location(), r.Body)
	}
	if r := mod.get(path); r.Status != http.StatusNotFound {
		t.Errorf("the deleted draft: %d", r.Status)
	}
	if n := blobs(); n != before {
		t.Errorf("after deleting, %d files, want %d", n, before)
	}
	sent := expenseID(t, mod.postExpenseForm(list, url.Values{"title": {"Kwasten"}, "amount": {"5"}, "payee": {"Verfwinkel"}, "submit": {"submit"}}, nil))
	if r := mod.postForm("/expenses/"+sent+"/delete", nil); r.Status != http.StatusConflict {
		t.Errorf("deleting a submitted expense: %d", r.Status)
	}
}
