package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"samen/internal/store/storetest"
)

// camtStatement is a day's CAMT.053.001.02 statement with one booked
// credit of euros (as the file writes them) and the payer's description.
func camtStatement(euros, description string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>CAMT053-TEST-1</MsgId><CreDtTm>2026-12-04T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>0001234567-20261203</Id>
      <CreDtTm>2026-12-04T06:00:00</CreDtTm>
      <Acct><Id><IBAN>NL20INGB0001234567</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Ntry>
        <Amt Ccy="EUR">%s</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-12-03</Dt></BookgDt>
        <AcctSvcrRef>ING-20261203-0001</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <RltdPties><Dbtr><Nm>J. de Gever</Nm></Dbtr></RltdPties>
          <RmtInf><Ustrd>%s</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
`, euros, description)
}

// A transfer reconciled through the API: the giver transfers with the
// reference, the steward uploads the bank's statement, the contribution
// is paid; the same statement again books nothing; a file that is not a
// statement is refused with the reason in the reader's language.
func TestBankThroughTheAPI(t *testing.T) {
	t.Parallel()
	s := fundSite(t, storetest.SQLite(t))
	link := runningCampaign(t, s)
	var c struct {
		ID        int64  `json:"id"`
		Reference string `json:"reference"`
	}
	s.script("", "en").call(http.MethodPost, link+"/contributions", `{"cents": 4250, "email": "overmaker@example.org", "name": "Overmaker", "method": "bank"}`).JSON(t, &c)
	chief := s.script(s.tokenFor(steward.Email), "en")
	upload := func(sc *script, body string) *response {
		req := sc.b.newRequest(http.MethodPost, "/api/v1/bank/statements", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/xml")
		req.Header.Set("Authorization", "Bearer "+sc.token)
		return sc.b.do(req)
	}
	file := camtStatement("42.50", "gift "+strings.ToLower(c.Reference))
	if r := upload(s.script(s.tokenFor(member.Email), "en"), file); r.Status != http.StatusForbidden {
		t.Errorf("a member uploads a statement: %d", r.Status)
	}
	var imp struct {
		Credits, New, Matched, Unassigned int
	}
	r := upload(chief, file)
	r.JSON(t, &imp)
	if r.Status != http.StatusOK || imp.Credits != 1 || imp.New != 1 || imp.Matched != 1 {
		t.Fatalf("the import: %d %s", r.Status, r.Body)
	}
	upload(chief, file).JSON(t, &imp)
	if imp.New != 0 || imp.Matched != 0 {
		t.Errorf("the same statement twice: %+v", imp)
	}
	receipt := chief.call(http.MethodGet, link, "")
	if !strings.Contains(receipt.Body, "Overmaker") {
		t.Errorf("the paid transfer is not on the campaign:\n%s", receipt.Body)
	}
	bad := upload(chief, "datum;bedrag\n2026-12-03;42,50\n")
	e := apiErrorOf(t, bad, http.StatusBadRequest)
	if e.Error.Code != "camt.file.not_xml" || !strings.Contains(e.Error.Message, "CAMT.053") {
		t.Errorf("a CSV file: %+v", e)
	}
	var lines struct {
		Lines []struct {
			State        string `json:"state"`
			Counterparty string `json:"counterparty"`
		} `json:"lines"`
	}
	chief.call(http.MethodGet, "/bank/lines", "").JSON(t, &lines)
	if len(lines.Lines) != 1 || lines.Lines[0].State != "matched" || lines.Lines[0].Counterparty != "J. de Gever" {
		t.Errorf("the lines: %+v", lines)
	}
	apiErrorOf(t, chief.call(http.MethodGet, "/bank/lines?state=nope", ""), http.StatusBadRequest)
}
