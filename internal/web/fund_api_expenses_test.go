package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"samen/internal/store/storetest"
)

// Expenses through the API on the demo: the moderator (members circle)
// submits, cannot approve; the member (core) approves and pays; the
// steward, outside the workspace, sees nothing; the IBAN stays with the
// submitter and the treasurers.
func TestExpensesThroughTheAPI(t *testing.T) {
	t.Parallel()
	s := fundSite(t, storetest.SQLite(t))
	core := s.script(s.tokenFor(member.Email), "en")
	mod := s.script(s.tokenFor(moderator.Email), "en")
	slug := demoWorkspace(t, s)
	base := "/workspaces/" + slug + "/expenses"
	e := apiErrorOf(t, mod.call(http.MethodPost, base, `{"title": "", "cents": 0, "payee": "X", "iban": "NL00BANK0000000000"}`), http.StatusBadRequest)
	if e.Error.Fields["title"].Code != "required" || e.Error.Fields["cents"].Code != "amount.positive" || e.Error.Fields["iban"].Code != "fund.iban" {
		t.Errorf("a bad expense: %+v", e.Error.Fields)
	}
	r := mod.call(http.MethodPost, base, `{"title": "Schroeven en pluggen", "cents": 1295, "payee": "Bouwmarkt Noord", "iban": "NL91 ABNA 0417 1643 00"}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("submitting: %d %s", r.Status, r.Body)
	}
	var x struct {
		ID        int64   `json:"id"`
		State     string  `json:"state"`
		IBAN      *string `json:"iban"`
		Approvals []struct {
			UserID int64 `json:"user_id"`
		} `json:"approvals"`
		PaidTx *int64 `json:"paid_transaction"`
	}
	r.JSON(t, &x)
	path := "/expenses/" + strconv.FormatInt(x.ID, 10)
	if x.State != "pending" || x.IBAN == nil || *x.IBAN != "NL91ABNA0417164300" {
		t.Errorf("the submitted expense: %s", r.Body)
	}
	if r := mod.call(http.MethodPost, path+"/approve", ""); r.Status != http.StatusForbidden {
		t.Errorf("a member who is no treasurer approves: %d", r.Status)
	}
	if r := s.script(s.tokenFor(steward.Email), "en").call(http.MethodGet, base, ""); r.Status != http.StatusForbidden {
		t.Errorf("someone outside the workspace lists its expenses: %d", r.Status)
	}
	core.call(http.MethodPost, path+"/approve", "").JSON(t, &x)
	if x.State != "approved" || len(x.Approvals) != 1 {
		t.Errorf("approved by core: %+v", x)
	}
	core.call(http.MethodPost, path+"/pay", "").JSON(t, &x)
	if x.State != "paid" || x.PaidTx == nil {
		t.Fatalf("paid: %+v", x)
	}
	// The payment is in the public ledger, under the expense's title.
	ledger := s.script("", "en").call(http.MethodGet, "/ledger?kind=expense", "")
	if !strings.Contains(ledger.Body, "Schroeven en pluggen") || strings.Contains(ledger.Body, "NL91") {
		t.Errorf("the ledger's expenses:\n%s", ledger.Body)
	}
	var list struct {
		Expenses []struct {
			ID   int64   `json:"id"`
			IBAN *string `json:"iban"`
		} `json:"expenses"`
		Need int `json:"approvals_required"`
	}
	mod.call(http.MethodGet, base, "").JSON(t, &list)
	if list.Need != 1 || len(list.Expenses) < 5 {
		t.Errorf("the moderator's list: %+v", list)
	}
	e = apiErrorOf(t, core.call(http.MethodPost, path+"/reject", `{"reason": "Te laat"}`), http.StatusConflict)
	if e.Error.Code != "fund.expense_state" {
		t.Errorf("rejecting a paid expense: %+v", e)
	}
	// A draft is its submitter's to delete; a paid expense is the books.
	if r := core.call(http.MethodDelete, path, ""); r.Status != http.StatusConflict {
		t.Errorf("deleting a paid expense: %d", r.Status)
	}
	var d struct {
		ID int64 `json:"id"`
	}
	mod.call(http.MethodPost, base, `{"title": "Concept", "cents": 100, "payee": "X", "draft": true}`).JSON(t, &d)
	draft := "/expenses/" + strconv.FormatInt(d.ID, 10)
	if r := core.call(http.MethodDelete, draft, ""); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Errorf("a treasurer deletes someone's draft: %d", r.Status)
	}
	if r := mod.call(http.MethodDelete, draft, ""); r.Status != http.StatusNoContent {
		t.Errorf("deleting one's draft: %d %s", r.Status, r.Body)
	}
	if r := mod.call(http.MethodGet, draft, ""); r.Status != http.StatusNotFound {
		t.Errorf("the deleted draft: %d", r.Status)
	}
}
