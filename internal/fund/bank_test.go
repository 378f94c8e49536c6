package fund

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// statement is a day's CAMT.053.001.02 statement of the host's account,
// shaped as Dutch banks send it (see internal/camt/testdata), with one
// booked credit per transfer: amount in euros as the file writes it, the
// payer's name and the description they typed.
func statement(transfers ...[3]string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>CAMT053-20260602-0001</MsgId><CreDtTm>2026-06-02T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>0001234567-20260601</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <CreDtTm>2026-06-02T06:00:00</CreDtTm>
      <Acct><Id><IBAN>NL20INGB0001234567</IBAN></Id><Ccy>EUR</Ccy></Acct>
`)
	for i, t := range transfers {
		fmt.Fprintf(&b, `      <Ntry>
        <Amt Ccy="EUR">%s</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-06-01</Dt></BookgDt>
        <ValDt><Dt>2026-06-01</Dt></ValDt>
        <AcctSvcrRef>ING-20260601-%04d</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <RltdPties><Dbtr><Nm>%s</Nm></Dbtr><DbtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Ustrd>%s</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
`, t[0], i+1, t[1], t[2])
	}
	b.WriteString("    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n")
	return b.String()
}

func TestBankStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.campaign(t, true)
		f.pool(t, DraftPool{Name: "Pot", Language: "nl", Rule: Duplicate, Factor: "1", Funders: []string{"Gemeente"}}, []int64{100000}, c)
		one, err := f.svc.Contribute(ctx, f.cato, c.ID, Gift{Cents: 2500, Name: "Cato", Method: Bank})
		if err != nil {
			t.Fatal(err)
		}
		two, err := f.svc.Contribute(ctx, nil, c.ID, Gift{Cents: 4000, Email: "gever@example.org", Name: "Gever", Method: Bank})
		if err != nil {
			t.Fatal(err)
		}
		// Bank apps mangle references: lower case, spaces for hyphens.
		mangled := strings.ToLower(strings.ReplaceAll(one.Ref, "-", " "))
		file := statement(
			[3]string{"25.00", "C. de Vries", "bijdrage oven " + mangled},
			[3]string{"45.00", "J. Jansen", "Gift " + two.Ref},             // the wrong amount: a person decides
			[3]string{"10.00", "Onbekend", "voor de buurtkeuken, succes!"}, // no reference
		)
		_, err = f.svc.ImportStatement(ctx, f.anna, strings.NewReader(file))
		wantCode(t, err, "fund.forbidden")
		imp, err := f.svc.ImportStatement(ctx, f.steward, strings.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		if imp != (Import{Credits: 3, New: 3, Matched: 1, Unassigned: 2}) {
			t.Errorf("the first import: %+v", imp)
		}
		if got := f.held(t, campaignAccount(c.ID)); got != 5000 {
			t.Errorf("the campaign holds %d, want 2500 and its match", got)
		}
		// The same statement again books nothing.
		imp, err = f.svc.ImportStatement(ctx, f.steward, strings.NewReader(file))
		if err != nil || imp != (Import{Credits: 3}) {
			t.Errorf("the same statement twice: %+v %v", imp, err)
		}
		if got := f.held(t, providerAccount("bank")); got != 100000+2500 {
			t.Errorf("the bank holds %d, want the pool's deposit and one transfer", got)
		}

		// A person settles the rest.
		lines, err := f.svc.BankLines(ctx, f.steward, "unassigned")
		if err != nil || len(lines) != 2 {
			t.Fatalf("waiting lines: %+v %v", lines, err)
		}
		wrong, none := lines[1], lines[0]
		if wrong.Cents != 4500 {
			wrong, none = none, wrong
		}
		wantField(t, f.svc.AssignLine(ctx, f.steward, wrong.ID, two.ID), "contribution", "fund.amount_differs")
		wantField(t, f.svc.AssignLine(ctx, f.steward, none.ID, one.ID), "contribution", "fund.not_open_transfer")
		wantField(t, f.svc.IgnoreLine(ctx, f.steward, wrong.ID, ""), "note", "required")
		if err := f.svc.IgnoreLine(ctx, f.steward, wrong.ID, "Teruggestort aan de gever; hij maakt 40 euro over"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.svc.IgnoreLine(ctx, f.steward, wrong.ID, "Nog eens"), "fund.line_settled")
		checkBooks(t, db)
	})
}
