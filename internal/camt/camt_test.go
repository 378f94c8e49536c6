package camt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	fileV02 = "testdata/buurtfonds_2026-03-16.camt053.001.02.xml"
	fileV08 = "testdata/voedselbank_2026-03-16.camt053.001.08.xml"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func read(t testing.TB, data []byte) Document {
	t.Helper()
	doc, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	checkDocument(t, doc)
	return doc
}

// checkDocument checks what every document read must satisfy (the
// properties FuzzRead checks too).
func checkDocument(t testing.TB, doc Document) {
	t.Helper()
	if doc.Version < minVersion || doc.Version > maxVersion || len(doc.Statements) == 0 || doc.MessageID == "" {
		t.Fatalf("document %d %q with %d statements", doc.Version, doc.MessageID, len(doc.Statements))
	}
	keys := map[string]bool{}
	lines := 0
	warned := map[int]bool{}
	for _, w := range doc.Warnings {
		if w.Code != "camt.statement.balance" {
			t.Fatalf("warning %v", w)
		}
		warned[w.Statement] = true
	}
	for si, st := range doc.Statements {
		if st.Number != si+1 || !ValidIBAN(st.IBAN) || !validCurrency(st.Currency) || !centCurrency(st.Currency) || st.ID == "" {
			t.Fatalf("statement %+v", st)
		}
		var booked int64
		for li, l := range st.Lines {
			lines++
			if l.Cents <= 0 || l.Cents > MaxCents {
				t.Fatalf("line %d.%d: %d cents", st.Number, li, l.Cents)
			}
			if len(l.Key) != 64 || strings.Trim(l.Key, "0123456789abcdef") != "" || keys[l.Key] {
				t.Fatalf("line %d.%d: key %q (twice: %v)", st.Number, li, l.Key, keys[l.Key])
			}
			keys[l.Key] = true
			if l.KeySource != "bank" && l.KeySource != "content" || l.KeySource == "bank" && l.Refs.Entry == "" && l.Refs.Tx == "" {
				t.Fatalf("line %d.%d: key source %q, refs %+v", st.Number, li, l.KeySource, l.Refs)
			}
			switch l.Status {
			case "BOOK":
				booked += l.Signed()
				if !validDay(l.BookingDate) {
					t.Fatalf("line %d.%d: booked on %q", st.Number, li, l.BookingDate)
				}
			case "PDNG", "INFO", "FUTR":
			default:
				t.Fatalf("line %d.%d: status %q", st.Number, li, l.Status)
			}
			if l.BookingDate != "" && !validDay(l.BookingDate) || l.ValueDate != "" && !validDay(l.ValueDate) {
				t.Fatalf("line %d.%d: dates %q %q", st.Number, li, l.BookingDate, l.ValueDate)
			}
			if l.Statement != st.Number || l.Account != st.IBAN || l.Currency != st.Currency || l.Entry < 1 || l.Tx < 0 || l.XMLLine < 1 {
				t.Fatalf("line %d.%d: %+v", st.Number, li, l)
			}
			if l.Counterparty.IBAN != "" && !ValidIBAN(l.Counterparty.IBAN) {
				t.Fatalf("line %d.%d: counterparty %+v", st.Number, li, l.Counterparty)
			}
		}
		if st.Opening != nil && st.Closing != nil {
			if adds := st.Opening.Cents+booked == st.Closing.Cents; adds == warned[st.Number] {
				t.Fatalf("statement %d: %d + %d against %d, warned %v", st.Number, st.Opening.Cents, booked, st.Closing.Cents, warned[st.Number])
			}
		} else if warned[st.Number] {
			t.Fatalf("statement %d warned without both balances", st.Number)
		}
	}
	if lines > maxLines {
		t.Fatalf("%d lines", lines)
	}
}

func validDay(s string) bool {
	d, err := time.Parse(time.DateOnly, s)
	return err == nil && d.Year() >= 1900
}

func TestReadV02(t *testing.T) {
	doc := read(t, readFile(t, fileV02))
	if doc.Version != 2 || doc.MessageID != "CAMT053-20260317-061209-0001" || !doc.Created.Equal(time.Date(2026, 3, 17, 6, 12, 9, 0, time.UTC)) || len(doc.Warnings) != 0 {
		t.Errorf("document %d %q %v %v", doc.Version, doc.MessageID, doc.Created, doc.Warnings)
	}
	if len(doc.Statements) != 1 {
		t.Fatalf("%d statements", len(doc.Statements))
	}
	st := doc.Statements[0]
	if st.ID != "0001234567-20260316" || st.ElectronicSeq != "52" || st.LegalSeq != "" || st.IBAN != "NL20INGB0001234567" ||
		st.Currency != "EUR" || st.CopyDuplicate != "" || st.Line != 30 || len(st.Balances) != 3 {
		t.Errorf("statement %+v", st)
	}
	if st.Opening == nil || *st.Opening != (Balance{Type: "OPBD", Cents: 125000, Currency: "EUR", Date: "2026-03-16", Line: 52}) ||
		st.Closing == nil || *st.Closing != (Balance{Type: "CLBD", Cents: 114775, Currency: "EUR", Date: "2026-03-16", Line: 64}) {
		t.Errorf("balances %+v %+v", st.Opening, st.Closing)
	}
	// Nine entries; the batch gives three lines.
	if len(st.Lines) != 11 {
		t.Fatalf("%d lines", len(st.Lines))
	}
	want := []struct {
		entry, tx  int
		cents      int64
		credit     bool
		reversal   bool
		name, iban string
		ref        string // what Line.Reference finds
	}{
		{1, 1, 2500, true, false, "J. de Vries", "NL44RABO0123456789", "SAMEN-TX77-XND0"},
		{2, 1, 5000, true, false, "A. Yilmaz", "NL91ABNA0417164300", ""},
		{3, 1, 1500, true, false, "M. Peeters", "BE68539007547034", "RF18539007547034"},
		{4, 1, 1000, true, false, "K. Bakker", "NL66ASNB0707070707", ""},
		{5, 1, 1000, true, false, "K. Bakker", "NL66ASNB0707070707", ""},
		{6, 1, 12000, false, false, "Tuincentrum De Linde B.V.", "NL39RABO0300065264", ""},
		{7, 1, 7500, false, false, "S. Öztürk", "NL22SNSB0912345678", ""},
		{7, 2, 4000, false, false, "L. Visser", "NL09KNAB0255555555", ""},
		{7, 3, 1250, false, false, "R. Mahabier", "NL71INGB0009876543", ""},
		{8, 1, 4000, true, true, "P. Jansen", "NL86BUNQ2034567891", ""},
		{9, 0, 475, false, false, "", "", ""},
	}
	for i, w := range want {
		l := st.Lines[i]
		ref, _ := l.Reference()
		if l.Entry != w.entry || l.Tx != w.tx || l.Cents != w.cents || l.Credit != w.credit || l.Reversal != w.reversal ||
			l.Counterparty.Name != w.name || l.Counterparty.IBAN != w.iban || ref != w.ref ||
			l.Status != "BOOK" || l.BookingDate != "2026-03-16" || l.ValueDate != "2026-03-16" || l.KeySource != "bank" {
			t.Errorf("line %d: %+v (reference %q)", i+1, l, ref)
		}
	}
	l := st.Lines[0]
	if l.Refs != (Refs{Entry: "20260316-0000000101"}) || l.BankCode != "PMNT/RCDT/ESCT" || l.Counterparty.BIC != "RABONL2U" ||
		l.Remittance != "Gift buurtmoestuin SAMEN-TX77-XND0 bedankt!" || l.CreditorRef != "" || l.XMLLine != 129 ||
		l.AdditionalInfo != "J. de Vries Gift buurtmoestuin SAMEN-TX77-XND0 bedankt!" {
		t.Errorf("donation: %+v", l)
	}
	if l := st.Lines[1]; l.CreditorRef != "4000202600004711" || l.Refs.EndToEnd != "2026-0316-AY-01" || l.Remittance != "" {
		t.Errorf("betalingskenmerk: %+v", l)
	}
	if l := st.Lines[5]; l.Refs.EndToEnd != "SAMEN-EXP-0042" || l.Refs.Instruction != "INSTR-0042" || l.BankCode != "PMNT/ICDT/ESCT" ||
		l.Remittance != "Factuur 2026-118 zaaigoed" || l.Counterparty.BIC != "RABONL2U" {
		t.Errorf("payment: %+v", l)
	}
	if l := st.Lines[7]; l.Refs != (Refs{Entry: "20260316-0000000107", Tx: "20260316-0000000107-2", PaymentInfo: "VERG-2026-03", EndToEnd: "VERG-2026-03-02"}) {
		t.Errorf("batch: %+v", l.Refs)
	}
	if l := st.Lines[9]; l.ReturnReason != "AC04" || l.BankCode != "PMNT/ICDT/RRTN" || l.Refs.EndToEnd != "SAMEN-EXP-0039" {
		t.Errorf("reversal: %+v", l)
	}
	if l := st.Lines[10]; l.AdditionalInfo != "Kosten zakelijk betalingsverkeer februari 2026" || l.BankCode != "ACMT/MDOP/CHRG" || l.XMLLine != 591 {
		t.Errorf("charges: %+v", l)
	}
	// The identical-looking gifts are two transfers.
	if st.Lines[3].Key == st.Lines[4].Key {
		t.Error("the two gifts share a key")
	}
}

func TestReadV08(t *testing.T) {
	doc := read(t, readFile(t, fileV08))
	if doc.Version != 8 || !doc.Created.Equal(time.Date(2026, 3, 17, 1, 0, 0, 0, time.UTC)) || len(doc.Warnings) != 0 {
		t.Errorf("document %d %v %v", doc.Version, doc.Created, doc.Warnings)
	}
	st := doc.Statements[0]
	if st.ElectronicSeq != "75" || st.LegalSeq != "75" || st.CopyDuplicate != "DUPL" || st.IBAN != "NL12TRIO0198765432" ||
		st.Opening == nil || st.Opening.Type != "PRCD" || st.Opening.Date != "2026-03-13" || st.Closing == nil || st.Closing.Cents != 52250 {
		t.Errorf("statement %+v", st)
	}
	if b := st.Balances[2]; b.Type != "" || b.Proprietary != "AVLB" || b.Date != "2026-03-16" {
		t.Errorf("proprietary balance %+v", b)
	}
	if len(st.Lines) != 3 {
		t.Fatalf("%d lines", len(st.Lines))
	}
	l := st.Lines[0]
	ref, ok := l.Reference()
	// Booked at 09:41 in Amsterdam: the date as written.
	if l.Status != "BOOK" || l.BookingDate != "2026-03-16" || l.Cents != 3500 || !l.Credit ||
		l.Counterparty != (Party{Name: "Fatima El Amrani", IBAN: "NL86BUNQ2034567891", BIC: "BUNQNL2A"}) ||
		l.Refs != (Refs{Entry: "TRIO2026031600000812", Tx: "TRIO2026031600000812-T", EndToEnd: "E2E-8841-FEA", UETR: "3f1c2a9e-7b4d-4c8a-9e21-5d6f7a8b9c0d"}) ||
		l.Remittance != "Bijdrage voedselbank samen as46 vq2w" || ref != "SAMEN-AS46-VQ2W" || !ok {
		t.Errorf("donation %+v (reference %q)", l, ref)
	}
	// Pending: returned, not booked, not in the balances (which add up
	// without it: checkDocument).
	if l := st.Lines[1]; l.Status != "PDNG" || l.Booked() || l.BookingDate != "" || l.ValueDate != "2026-03-17" || l.Cents != 2000 {
		t.Errorf("pending %+v", l)
	}
	if l := st.Lines[2]; l.KeySource != "content" || l.Credit || l.Signed() != -1250 || l.Remittance != "Brood zaterdag 14 maart" ||
		l.Counterparty.Name != "Bakkerij Het Volkoren" {
		t.Errorf("debit %+v", l)
	}
}

func keysOf(doc Document) []string {
	var keys []string
	for _, l := range doc.Lines() {
		keys = append(keys, l.Key)
	}
	return keys
}

// stripRefs removes the bank's references, as a bank that gives none.
func stripRefs(data []byte) []byte {
	return regexp.MustCompile(`\s*<AcctSvcrRef>[^<]*</AcctSvcrRef>`).ReplaceAll(data, nil)
}

// replace replaces old by new in data, n times (-1: all), and fails when
// old is not there.
func replace(t testing.TB, data []byte, old, new string, n int) []byte {
	t.Helper()
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%q is not in the file", old)
	}
	return bytes.Replace(data, []byte(old), []byte(new), n)
}

func TestKeysSameBytesSameKeys(t *testing.T) {
	for _, name := range []string{fileV02, fileV08} {
		data := readFile(t, name)
		for _, d := range [][]byte{data, stripRefs(data)} {
			a, b := read(t, d), read(t, d)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s: read twice, read differently", name)
			}
		}
	}
}

// A bank re-issuing a statement (another Id and sequence number, another
// time, marked a duplicate, in another message) gives the same keys, with
// and without its references.
func TestKeysReissuedStatement(t *testing.T) {
	for _, name := range []string{fileV02, fileV08} {
		for _, data := range [][]byte{readFile(t, name), stripRefs(readFile(t, name))} {
			again := regexp.MustCompile(`<Id>([^<]*)</Id>\s*<`).ReplaceAll(data, []byte("<Id>OTHER-$1</Id><"))
			again = regexp.MustCompile(`<(ElctrncSeqNb|LglSeqNb)>\d+<`).ReplaceAll(again, []byte("<$1>999<"))
			again = regexp.MustCompile(`<MsgId>[^<]*<`).ReplaceAll(again, []byte("<MsgId>REISSUE<"))
			again = regexp.MustCompile(`<CreDtTm>[^<]*<`).ReplaceAll(again, []byte("<CreDtTm>2026-04-01T12:00:00<"))
			a, b := read(t, data), read(t, again)
			if b.Statements[0].ID == a.Statements[0].ID || b.MessageID == a.MessageID {
				t.Fatalf("%s: the statement was not changed", name)
			}
			if !reflect.DeepEqual(keysOf(a), keysOf(b)) {
				t.Errorf("%s: a re-issued statement has other keys", name)
			}
		}
	}
}

// Without bank references, two identical-looking transfers on one day
// still have two keys, and those keys do not depend on the other entries
// of the statement: an export that holds more (or fewer) entries, or the
// same day in a longer period, keys them alike.
func TestKeysWithoutReferences(t *testing.T) {
	data := stripRefs(readFile(t, fileV02))
	doc := read(t, data)
	lines := doc.Lines()
	for _, l := range lines {
		if l.KeySource != "content" {
			t.Fatalf("line %d.%d keyed by %s", l.Entry, l.Tx, l.KeySource)
		}
	}
	gift1, gift2 := lines[3], lines[4]
	if gift1.Remittance != "Gift" || gift2.Remittance != "Gift" || gift1.Key == gift2.Key {
		t.Fatalf("the gifts: %q %q", gift1.Key, gift2.Key)
	}
	// The first entry left out: the gifts keep their keys.
	start := bytes.Index(data, []byte("<Ntry>"))
	end := bytes.Index(data, []byte("</Ntry>")) + len("</Ntry>")
	fewer := append(append([]byte{}, data[:start]...), data[end:]...)
	doc2, err := Read(bytes.NewReader(fewer))
	if err != nil {
		t.Fatal(err)
	}
	if l := doc2.Lines(); len(l) != len(lines)-1 || l[2].Key != gift1.Key || l[3].Key != gift2.Key {
		t.Errorf("with an entry less, the gifts have other keys")
	}
	// The same day as the second statement of a longer export.
	stmt := data[bytes.Index(data, []byte("<Stmt>")) : bytes.Index(data, []byte("</Stmt>"))+len("</Stmt>")]
	dayBefore := bytes.ReplaceAll(stmt, []byte("2026-03-16"), []byte("2026-03-15"))
	longer := bytes.Replace(data, []byte("<Stmt>"), append(dayBefore, []byte("<Stmt>")...), 1)
	doc3 := read(t, longer)
	if len(doc3.Statements) != 2 || !reflect.DeepEqual(keysOf(Document{Statements: doc3.Statements[1:]}), keysOf(doc)) {
		t.Errorf("the day in a longer export has other keys")
	}
	// The day before has gifts of its own, keyed apart.
	if l := doc3.Statements[0].Lines; l[3].Key == gift1.Key || l[3].Key == l[4].Key {
		t.Errorf("the day before shares keys")
	}
}

// A bank whose references turn out not to be unique: the lines sharing one
// are keyed by their content.
func TestKeysRepeatedBankReference(t *testing.T) {
	data := readFile(t, fileV02)
	data = replace(t, data, "<AcctSvcrRef>20260316-0000000105</AcctSvcrRef>", "<AcctSvcrRef>20260316-0000000104</AcctSvcrRef>", 1)
	doc := read(t, data)
	lines := doc.Lines()
	if lines[3].KeySource != "content" || lines[4].KeySource != "content" || lines[3].Key == lines[4].Key {
		t.Errorf("the gifts: %s %s", lines[3].KeySource, lines[4].KeySource)
	}
	original := read(t, readFile(t, fileV02)).Lines()
	for i, l := range lines {
		if i != 3 && i != 4 && (l.KeySource != "bank" || l.Key != original[i].Key) {
			t.Errorf("line %d changed key", i+1)
		}
	}
}

// A line pending in one file and booked in the next keys apart.
func TestKeysPendingThenBooked(t *testing.T) {
	data := readFile(t, fileV08)
	pending := read(t, data).Lines()[1]
	booked := replace(t, data, "<Cd>PDNG</Cd>\n        </Sts>", "<Cd>BOOK</Cd>\n        </Sts><BookgDt><Dt>2026-03-17</Dt></BookgDt>", 1)
	booked = replace(t, booked, "<Amt Ccy=\"EUR\">522.50</Amt>", "<Amt Ccy=\"EUR\">542.50</Amt>", 1)
	l := read(t, booked).Lines()[1]
	if !l.Booked() || l.Key == pending.Key || l.Refs.Entry != pending.Refs.Entry {
		t.Errorf("pending %s, booked %s", pending.Key, l.Key)
	}
}

// minimal is a statement with one entry, one line to an element so that
// the errors' lines are easy to tell (the line numbers are in the
// comments of TestReadErrors).
const minimal = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-03-17T06:00:00</CreDtTm></GrpHdr>
<Stmt>
<Id>S1</Id>
<ElctrncSeqNb>1</ElctrncSeqNb>
<CreDtTm>2026-03-17T06:00:00</CreDtTm>
<Acct><Id><IBAN>NL20INGB0001234567</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-16</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">125.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-16</Dt></Dt></Bal>
<Ntry>
<Amt Ccy="EUR">25.00</Amt>
<CdtDbtInd>CRDT</CdtDbtInd>
<Sts>BOOK</Sts>
<BookgDt><Dt>2026-03-16</Dt></BookgDt>
<ValDt><Dt>2026-03-16</Dt></ValDt>
<AcctSvcrRef>R1</AcctSvcrRef>
<NtryDtls>
<TxDtls>
<Refs><EndToEndId>E1</EndToEndId></Refs>
<AmtDtls><TxAmt><Amt Ccy="EUR">25.00</Amt></TxAmt></AmtDtls>
<RltdPties><Dbtr><Nm>A</Nm></Dbtr><DbtrAcct><Id><IBAN>NL44RABO0123456789</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>Gift</Ustrd></RmtInf>
</TxDtls>
</NtryDtls>
</Ntry>
</Stmt>
</BkToCstmrStmt>
</Document>
`

func TestReadMinimal(t *testing.T) {
	doc := read(t, []byte(minimal))
	l := doc.Lines()
	if len(l) != 1 || l[0].Cents != 2500 || l[0].Refs.EndToEnd != "E1" || l[0].XMLLine != 20 || len(doc.Warnings) != 0 {
		t.Errorf("%+v", doc)
	}
}

func TestReadErrors(t *testing.T) {
	swap := func(old, new string) string {
		if !strings.Contains(minimal, old) {
			t.Fatalf("%q is not in minimal", old)
		}
		return strings.Replace(minimal, old, new, 1)
	}
	// Lines of minimal: 4 GrpHdr, 5 Stmt, 6 Id, 7 ElctrncSeqNb, 8 CreDtTm,
	// 9 Acct, 10 OPBD, 11 CLBD, 12 Ntry, 13 Amt, 14 CdtDbtInd, 15 Sts,
	// 16 BookgDt, 17 ValDt, 18 AcctSvcrRef, 20 TxDtls, 21 Refs, 22 TxAmt,
	// 23 RltdPties, 24 RmtInf.
	tx2 := "<TxDtls>\n<Refs><EndToEndId>E2</EndToEndId></Refs>\n</TxDtls>\n</NtryDtls>"
	cases := []struct {
		name                  string
		in                    string
		code                  string
		stmt, entry, tx, line int
	}{
		{"empty", "", "camt.file.empty", 0, 0, 0, 0},
		{"white space", " \r\n\t\n", "camt.file.empty", 0, 0, 0, 0},
		{"MT940", ":20:940S260316\r\n:25:NL20INGB0001234567\r\n", "camt.file.not_xml", 0, 0, 0, 1},
		{"CSV", "\"Datum\",\"Naam / Omschrijving\",\"Rekening\"\n", "camt.file.not_xml", 0, 0, 0, 1},
		{"PDF after blank lines", "\n\n%PDF-1.7\n", "camt.file.not_xml", 0, 0, 0, 3},
		{"broken XML", swap("</Ntry>", "</Ntryy>"), "camt.file.xml", 0, 0, 0, 27},
		{"cut short", minimal[:strings.Index(minimal, "<RmtInf>")], "camt.file.xml", 0, 0, 0, 24},
		{"not UTF-8", swap("Gift", "G\xe9ft"), "camt.file.encoding", 0, 0, 0, 24},
		{"UTF-16", "\xff\xfe<\x00?\x00x\x00m\x00l\x00", "camt.file.encoding", 0, 0, 0, 1},
		{"Latin-1", swap(`encoding="UTF-8"`, `encoding="ISO-8859-1"`), "camt.file.encoding", 0, 0, 0, 1},
		{"XML 1.1", swap(`version="1.0"`, `version="1.1"`), "camt.file.xml", 0, 0, 0, 1},
		{"DOCTYPE", swap("?>\n", "?>\n<!DOCTYPE Document [<!ENTITY x \"xxxxxxxxxx\">]>\n"), "camt.file.doctype", 0, 0, 0, 2},
		{"entity", swap("Gift", "&x;"), "camt.file.xml", 0, 0, 0, 24},
		{"text before", swap("<Document", "Hallo <Document"), "camt.file.xml", 0, 0, 0, 2},
		{"pain.001", swap("camt.053.001.02", "pain.001.001.03"), "camt.file.namespace", 0, 0, 0, 2},
		{"no namespace", swap(` xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"`, ""), "camt.file.namespace", 0, 0, 0, 2},
		{"other namespace", swap("urn:iso:std:iso:20022:tech:xsd:camt.053.001.02", "http://example.com/camt"), "camt.file.namespace", 0, 0, 0, 2},
		{"camt.052", swap("camt.053.001.02", "camt.052.001.02"), "camt.file.report", 0, 0, 0, 2},
		{"camt.054", swap("camt.053.001.02", "camt.054.001.08"), "camt.file.report", 0, 0, 0, 2},
		{"version 01", swap("camt.053.001.02", "camt.053.001.01"), "camt.file.version", 0, 0, 0, 2},
		{"version 14", swap("camt.053.001.02", "camt.053.001.14"), "camt.file.version", 0, 0, 0, 2},
		{"version 2", swap("camt.053.001.02", "camt.053.001.2"), "camt.file.version", 0, 0, 0, 2},
		{"root", strings.Replace(strings.Replace(minimal, "<Document", "<Doc", 1), "</Document>", "</Doc>", 1), "camt.file.structure", 0, 0, 0, 2},
		{"other message", strings.Replace(strings.Replace(minimal, "<BkToCstmrStmt>", "<BkToCstmrAcctRpt>", 1), "</BkToCstmrStmt>", "</BkToCstmrAcctRpt>", 1), "camt.file.structure", 0, 0, 0, 3},
		{"foreign element", swap("<Sts>", "<x:Sts xmlns:x=\"urn:other\">BOOK</x:Sts><Sts>"), "camt.file.structure", 0, 0, 0, 15},
		{"text beside elements", swap("<Ntry>\n", "<Ntry>\nhello\n"), "camt.file.structure", 0, 0, 0, 12},
		{"second root", minimal + "<Document/>\n", "camt.file.structure", 0, 0, 0, 31},
		{"too deep", swap("<RmtInf>", strings.Repeat("<X>", 40)+strings.Repeat("</X>", 40)+"<RmtInf>"), "camt.file.structure", 0, 0, 0, 24},
		{"header after entries", swap("</Ntry>\n", "</Ntry>\n<Bal/>\n"), "camt.file.structure", 1, 0, 0, 28},
		{"no statement", minimal[:strings.Index(minimal, "<Stmt>")] + "</BkToCstmrStmt>\n</Document>\n", "camt.statement.missing", 0, 0, 0, 5},
		{"no message", minimal[:strings.Index(minimal, "<BkToCstmrStmt>")] + "</Document>\n", "camt.statement.missing", 0, 0, 0, 3},
		{"two messages", swap("</BkToCstmrStmt>", "</BkToCstmrStmt><BkToCstmrStmt>"), "camt.file.structure", 0, 0, 0, 29},
		{"group header twice", swap("</GrpHdr>", "</GrpHdr><GrpHdr/>"), "camt.file.repeated", 0, 0, 0, 4},
		{"no currency anywhere", minimal[:strings.Index(minimal, "<Ccy>")] + "</Acct>\n</Stmt>\n</BkToCstmrStmt>\n</Document>\n", "camt.statement.currency", 1, 0, 0, 5},
		{"statement id of 36 characters", swap("<Id>S1</Id>", "<Id>"+strings.Repeat("é", 36)+"</Id>"), "camt.statement.id", 1, 0, 0, 6},
		{"amount twice", swap("<CdtDbtInd>CRDT</CdtDbtInd>\n<Sts>", "<CdtDbtInd>CRDT</CdtDbtInd>\n<Amt Ccy=\"EUR\">25.00</Amt>\n<Sts>"), "camt.file.repeated", 1, 1, 0, 15},
		{"no group header", swap("<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-03-17T06:00:00</CreDtTm></GrpHdr>", ""), "camt.header.message_id", 0, 0, 0, 3},
		{"empty message id", swap("<MsgId>M1</MsgId>", "<MsgId> </MsgId>"), "camt.header.message_id", 0, 0, 0, 4},
		{"message created", swap("<CreDtTm>2026-03-17T06:00:00</CreDtTm></GrpHdr>", "<CreDtTm>2026-13-17T06:00:00</CreDtTm></GrpHdr>"), "camt.header.created", 0, 0, 0, 4},
		{"no statement id", swap("<Id>S1</Id>\n", ""), "camt.statement.id", 1, 0, 0, 5},
		{"statement id too long", swap("<Id>S1</Id>", "<Id>"+strings.Repeat("1", 36)+"</Id>"), "camt.statement.id", 1, 0, 0, 6},
		{"sequence", swap("<ElctrncSeqNb>1<", "<ElctrncSeqNb>1.0<"), "camt.statement.sequence", 1, 0, 0, 7},
		{"statement created", swap("<CreDtTm>2026-03-17T06:00:00</CreDtTm>\n<Acct>", "<CreDtTm>2026-03-17</CreDtTm>\n<Acct>"), "camt.statement.created", 1, 0, 0, 8},
		{"copy", swap("<Acct>", "<CpyDplctInd>ORIG</CpyDplctInd><Acct>"), "camt.statement.copy", 1, 0, 0, 9},
		{"IBAN check", swap("NL20INGB0001234567", "NL21INGB0001234567"), "camt.statement.account", 1, 0, 0, 9},
		{"not an IBAN", swap("<Id><IBAN>NL20INGB0001234567</IBAN></Id>", "<Id><Othr><Id>0001234567</Id></Othr></Id>"), "camt.statement.account", 1, 0, 0, 9},
		{"no account", swap("<Acct><Id><IBAN>NL20INGB0001234567</IBAN></Id><Ccy>EUR</Ccy></Acct>", ""), "camt.statement.account", 1, 0, 0, 5},
		{"account currency", swap("<Ccy>EUR</Ccy>", "<Ccy>eur</Ccy>"), "camt.statement.currency", 1, 0, 0, 9},
		{"yen", strings.ReplaceAll(minimal, "EUR", "JPY"), "camt.statement.currency", 1, 0, 0, 9},
		{"balance type", swap("<Cd>OPBD</Cd>", "<Cd>OPEN</Cd>"), "camt.balance.type", 1, 0, 0, 10},
		{"balance amount", swap(`<Amt Ccy="EUR">100.00</Amt>`, `<Amt Ccy="EUR">-100.00</Amt>`), "camt.balance.amount", 1, 0, 0, 10},
		{"balance currency", swap(`<Amt Ccy="EUR">100.00</Amt>`, `<Amt Ccy="USD">100.00</Amt>`), "camt.amount.currency", 1, 0, 0, 10},
		{"balance indicator", swap("<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-16</Dt></Dt></Bal>\n<Bal>", "<CdtDbtInd>CR</CdtDbtInd><Dt><Dt>2026-03-16</Dt></Dt></Bal>\n<Bal>"), "camt.balance.indicator", 1, 0, 0, 10},
		{"balance date", swap("<Dt><Dt>2026-03-16</Dt></Dt></Bal>\n<Bal>", "<Dt><Dt>2026-02-30</Dt></Dt></Bal>\n<Bal>"), "camt.balance.date", 1, 0, 0, 10},
		{"two opening balances", swap("<Cd>CLBD</Cd>", "<Cd>OPBD</Cd>"), "camt.balance.duplicate", 1, 0, 0, 11},
		{"three decimals", swap(`<Amt Ccy="EUR">25.00</Amt>`+"\n<CdtDbtInd>", `<Amt Ccy="EUR">25.000</Amt>`+"\n<CdtDbtInd>"), "camt.entry.amount", 1, 1, 0, 13},
		{"zero", swap(`<Amt Ccy="EUR">25.00</Amt>`+"\n<CdtDbtInd>", `<Amt Ccy="EUR">0.00</Amt>`+"\n<CdtDbtInd>"), "camt.entry.amount", 1, 1, 0, 13},
		{"comma", swap(`<Amt Ccy="EUR">25.00</Amt>`+"\n<CdtDbtInd>", `<Amt Ccy="EUR">25,00</Amt>`+"\n<CdtDbtInd>"), "camt.entry.amount", 1, 1, 0, 13},
		{"exponent", swap(`<Amt Ccy="EUR">25.00</Amt>`+"\n<CdtDbtInd>", `<Amt Ccy="EUR">2.5E1</Amt>`+"\n<CdtDbtInd>"), "camt.entry.amount", 1, 1, 0, 13},
		{"sign", swap(`<Amt Ccy="EUR">25.00</Amt>`+"\n<CdtDbtInd>", `<Amt Ccy="EUR">+25.00</Amt>`+"\n<CdtDbtInd>"), "camt.entry.amount", 1, 1, 0, 13},
		{"too much", swap(`<Amt Ccy="EUR">25.00</Amt>`+"\n<CdtDbtInd>", `<Amt Ccy="EUR">10000000000.01</Amt>`+"\n<CdtDbtInd>"), "camt.entry.amount", 1, 1, 0, 13},
		{"no amount", swap(`<Amt Ccy="EUR">25.00</Amt>`+"\n<CdtDbtInd>", "<CdtDbtInd>"), "camt.entry.amount", 1, 1, 0, 12},
		{"no currency", swap(`<Amt Ccy="EUR">25.00</Amt>`+"\n<CdtDbtInd>", `<Amt>25.00</Amt>`+"\n<CdtDbtInd>"), "camt.amount.currency", 1, 1, 0, 13},
		{"other currency", swap(`<Amt Ccy="EUR">25.00</Amt>`+"\n<CdtDbtInd>", `<Amt Ccy="USD">25.00</Amt>`+"\n<CdtDbtInd>"), "camt.amount.currency", 1, 1, 0, 13},
		{"entry indicator", swap("<CdtDbtInd>CRDT</CdtDbtInd>\n<Sts>", "<CdtDbtInd>CREDIT</CdtDbtInd>\n<Sts>"), "camt.entry.indicator", 1, 1, 0, 14},
		{"status", swap("<Sts>BOOK</Sts>", "<Sts>DONE</Sts>"), "camt.entry.status", 1, 1, 0, 15},
		{"proprietary status", swap("<Sts>BOOK</Sts>", "<Sts><Prtry>GEBOEKT</Prtry></Sts>"), "camt.entry.status", 1, 1, 0, 15},
		{"no status", swap("<Sts>BOOK</Sts>\n", ""), "camt.entry.status", 1, 1, 0, 12},
		{"no booking date", swap("<BookgDt><Dt>2026-03-16</Dt></BookgDt>\n", ""), "camt.entry.booking_date", 1, 1, 0, 12},
		{"booking date", swap("<BookgDt><Dt>2026-03-16</Dt>", "<BookgDt><Dt>2026-3-16</Dt>"), "camt.entry.booking_date", 1, 1, 0, 16},
		{"booking date twice over", swap("<BookgDt><Dt>2026-03-16</Dt>", "<BookgDt><Dt>2026-03-16</Dt><DtTm>2026-03-16T10:00:00</DtTm>"), "camt.entry.booking_date", 1, 1, 0, 16},
		{"value date", swap("<ValDt><Dt>2026-03-16</Dt>", "<ValDt><Dt>16-03-2026</Dt>"), "camt.entry.value_date", 1, 1, 0, 17},
		{"reversal", swap("<Sts>", "<RvslInd>yes</RvslInd><Sts>"), "camt.entry.reversal", 1, 1, 0, 15},
		{"sum", swap(`<TxAmt><Amt Ccy="EUR">25.00</Amt>`, `<TxAmt><Amt Ccy="EUR">24.99</Amt>`), "camt.entry.sum", 1, 1, 0, 12},
		{"batch without amounts", swap("</NtryDtls>", tx2), "camt.tx.amount", 1, 1, 2, 26},
		{"tx amount", swap(`<TxAmt><Amt Ccy="EUR">25.00</Amt>`, `<TxAmt><Amt Ccy="EUR">25.0O</Amt>`), "camt.tx.amount", 1, 1, 1, 22},
		{"tx amounts disagree", swap("<AmtDtls>", `<Amt Ccy="EUR">24.00</Amt><AmtDtls>`), "camt.tx.amount", 1, 1, 1, 22},
		{"tx currency", swap(`<TxAmt><Amt Ccy="EUR">`, `<TxAmt><Amt Ccy="GBP">`), "camt.amount.currency", 1, 1, 1, 22},
		{"tx indicator", swap("<AmtDtls>", "<CdtDbtInd>C</CdtDbtInd><AmtDtls>"), "camt.tx.indicator", 1, 1, 1, 22},
		{"party IBAN", swap("NL44RABO0123456789", "NL44RABO0123456788"), "camt.party.iban", 1, 1, 1, 20},
		{"party IBAN spaces", swap("NL44RABO0123456789", "NL44 RABO 0123 4567 89"), "camt.party.iban", 1, 1, 1, 20},
	}
	for _, c := range cases {
		_, err := Read(strings.NewReader(c.in))
		var e *Error
		if !errors.As(err, &e) || e.Code != c.code || e.Statement != c.stmt || e.Entry != c.entry || e.Tx != c.tx || e.Line != c.line {
			t.Errorf("%s: got %v, want %s (statement %d, entry %d, transaction %d, line %d)", c.name, err, c.code, c.stmt, c.entry, c.tx, c.line)
		}
	}
}

// What the reader lets pass: a byte order mark, Windows line ends, the
// status as a choice in version 02 (some banks do), leading zeros, a
// date with a zone, comments and supplementary data anywhere.
func TestReadLeniencies(t *testing.T) {
	in := "\uFEFF" + strings.ReplaceAll(minimal, "\n", "\r\n")
	in = strings.Replace(in, "<Sts>BOOK</Sts>", "<Sts><Cd>BOOK</Cd></Sts>", 1)
	in = strings.Replace(in, `<Amt Ccy="EUR">25.00</Amt>`, `<Amt Ccy="EUR"> 025.0 </Amt>`, 1)
	in = strings.Replace(in, "<BookgDt><Dt>2026-03-16</Dt>", "<BookgDt><Dt>2026-03-16+01:00</Dt>", 1)
	in = strings.Replace(in, "<NtryDtls>", "<!-- details --><NtryDtls><SplmtryData><Envlp><x:Any xmlns:x=\"urn:bank\"/></Envlp></SplmtryData>", 1)
	in = strings.Replace(in, "<EndToEndId>E1</EndToEndId>", "<EndToEndId>NOTPROVIDED</EndToEndId>", 1)
	in = strings.Replace(in, "<Id>S1</Id>", "<Id>"+strings.Repeat("é", 35)+"</Id>", 1)
	doc := read(t, []byte(in))
	l := doc.Lines()[0]
	if l.Cents != 2500 || l.BookingDate != "2026-03-16" || l.Refs.EndToEnd != "" || l.XMLLine != 20 || doc.Statements[0].ID != strings.Repeat("é", 35) {
		t.Errorf("%+v", l)
	}
	// Prefixed elements in the right namespace are the same elements.
	prefixed := regexp.MustCompile(`<(/?)([A-Za-z])`).ReplaceAllString(minimal, "<${1}c:$2")
	prefixed = strings.Replace(prefixed, `<c:Document xmlns=`, `<c:Document xmlns:c=`, 1)
	if got := read(t, []byte(prefixed)); !reflect.DeepEqual(keysOf(got), keysOf(read(t, []byte(minimal)))) {
		t.Errorf("prefixed: %+v", got)
	}
}

func TestReadBalanceWarning(t *testing.T) {
	in := strings.Replace(minimal, `<Amt Ccy="EUR">125.00</Amt>`, `<Amt Ccy="EUR">126.00</Amt>`, 1)
	doc := read(t, []byte(in))
	if len(doc.Warnings) != 1 || *doc.Warnings[0] != (Error{Code: "camt.statement.balance", Statement: 1, Line: 11}) || len(doc.Lines()) != 1 {
		t.Errorf("%v", doc.Warnings)
	}
	// A debit balance is negative, and a pending entry is not booked.
	in = strings.Replace(minimal, `<Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>`, `<Amt Ccy="EUR">100.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>`, 1)
	in = strings.Replace(in, `<Amt Ccy="EUR">125.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>`, `<Amt Ccy="EUR">75.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>`, 1)
	if doc := read(t, []byte(in)); len(doc.Warnings) != 0 || doc.Statements[0].Opening.Cents != -10000 {
		t.Errorf("%v", doc.Warnings)
	}
	in = strings.Replace(minimal, "<Sts>BOOK</Sts>", "<Sts>PDNG</Sts>", 1)
	if doc := read(t, []byte(in)); len(doc.Warnings) != 1 {
		t.Errorf("pending counted: %v", doc.Warnings)
	}
}

func TestReadTooLarge(t *testing.T) {
	defer func(b int64, l, s int) { maxBytes, maxLines, maxStatements = b, l, s }(maxBytes, maxLines, maxStatements)
	if maxBytes != 20<<20 || maxLines != 100_000 || maxStatements != 10_000 {
		t.Fatalf("caps %d, %d, %d: the documentation says 20 MB, 100,000 lines, 10,000 statements", maxBytes, maxLines, maxStatements)
	}
	var e *Error
	maxBytes = int64(len(minimal))
	if _, err := Read(strings.NewReader(minimal)); err != nil {
		t.Errorf("at the cap: %v", err)
	}
	if _, err := Read(strings.NewReader(minimal + " ")); !errors.As(err, &e) || e.Code != "camt.file.too_large" {
		t.Errorf("over the cap: %v", err)
	}
	maxBytes, maxLines = 20<<20, 1
	twoLines := strings.Replace(minimal, "</NtryDtls>", "<TxDtls><Refs><EndToEndId>E2</EndToEndId></Refs></TxDtls></NtryDtls>", 1)
	twoLines = strings.Replace(twoLines, "<AmtDtls><TxAmt><Amt Ccy=\"EUR\">25.00</Amt>", "<AmtDtls><TxAmt><Amt Ccy=\"EUR\">20.00</Amt>", 1)
	twoLines = strings.Replace(twoLines, "</Refs></TxDtls></NtryDtls>", "</Refs><Amt Ccy=\"EUR\">5.00</Amt></TxDtls></NtryDtls>", 1)
	if _, err := Read(strings.NewReader(twoLines)); !errors.As(err, &e) || e.Code != "camt.file.too_large" || e.Entry != 1 || e.Line != 12 {
		t.Errorf("two lines: %v", err)
	}
	maxLines, maxStatements = 100_000, 1
	stmt := minimal[strings.Index(minimal, "<Stmt>"):strings.Index(minimal, "</BkToCstmrStmt>")]
	twoStatements := strings.Replace(minimal, "</BkToCstmrStmt>", stmt+"</BkToCstmrStmt>", 1)
	if _, err := Read(strings.NewReader(twoStatements)); !errors.As(err, &e) || e.Code != "camt.file.too_large" || e.Line != 29 {
		t.Errorf("two statements: %v", err)
	}
	maxStatements = 10_000
	if doc := read(t, []byte(twoStatements)); len(doc.Statements) != 2 {
		t.Errorf("%d statements", len(doc.Statements))
	}
}

// A reader's own error comes back as it is.
func TestReadReaderError(t *testing.T) {
	boom := errors.New("boom")
	if _, err := Read(errReader{boom}); err != boom {
		t.Errorf("%v", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "0.00": 0, "1": 100, "1.5": 150, "0.29": 29, "12.34": 1234, "007.10": 710, "10000000000": MaxCents,
		"9999999999.99": MaxCents - 1,
	} {
		if got, ok := parseAmount(in); !ok || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", ".", ".5", "1.", "1.234", "1.000", "-1", "+1", "1e2", "1,00", "1 000", "10000000000.01", "99999999999999999999", "١"} {
		if got, ok := parseAmount(in); ok {
			t.Errorf("%q: %d", in, got)
		}
	}
}

func TestDates(t *testing.T) {
	for in, want := range map[string]string{
		"2026-03-16": "2026-03-16", "2026-03-16Z": "2026-03-16", "2026-03-16+01:00": "2026-03-16", "2024-02-29": "2024-02-29",
	} {
		if got, ok := parseDate(in); !ok || got != want {
			t.Errorf("%q: %q %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "2026-02-29", "2026-3-16", "16-03-2026", "2026-03-16T10:00:00", "2026-03-16+1", "2026-03-16+15:00", "1899-12-31"} {
		if got, ok := parseDate(in); ok {
			t.Errorf("%q: %q", in, got)
		}
	}
	for in, want := range map[string]time.Time{
		"2026-03-16T09:41:12":           time.Date(2026, 3, 16, 9, 41, 12, 0, time.UTC),
		"2026-03-16T09:41:12.5":         time.Date(2026, 3, 16, 9, 41, 12, 5e8, time.UTC),
		"2026-03-16T09:41:12+01:00":     time.Date(2026, 3, 16, 8, 41, 12, 0, time.UTC),
		"2026-03-16T09:41:12.123-05:00": time.Date(2026, 3, 16, 14, 41, 12, 123e6, time.UTC),
		"2026-03-16T00:30:00Z":          time.Date(2026, 3, 16, 0, 30, 0, 0, time.UTC),
	} {
		if got, date, ok := parseDateTime(in); !ok || !got.Equal(want) || date != in[:10] {
			t.Errorf("%q: %v %q %v", in, got, date, ok)
		}
	}
	for _, in := range []string{"2026-03-16", "2026-03-16 09:41:12", "2026-03-16T24:00:00", "2026-03-16T09:41", "2026-03-16T09:41:12+0100"} {
		if got, _, ok := parseDateTime(in); ok {
			t.Errorf("%q: %v", in, got)
		}
	}
}

func TestIBAN(t *testing.T) {
	for _, s := range []string{"NL91ABNA0417164300", "NL20INGB0001234567", "BE68539007547034", "DE89370400440532013000", "GB82WEST12345698765432"} {
		if !ValidIBAN(s) {
			t.Errorf("%s refused", s)
		}
	}
	for _, s := range []string{"", "NL91", "NL91ABNA0417164301", "nl91ABNA0417164300", "NL91 ABNA 0417 1643 00", "1191ABNA0417164300", "NL9XABNA0417164300"} {
		if ValidIBAN(s) {
			t.Errorf("%s accepted", s)
		}
	}
}

func TestErrorString(t *testing.T) {
	if s := (&Error{Code: "camt.entry.amount", Statement: 2, Entry: 5, Line: 40}).Error(); s != "bank statement, statement 2, entry 5, line 40: camt.entry.amount" {
		t.Error(s)
	}
	if s := (&Error{Code: "camt.file.empty"}).Error(); s != "bank statement: camt.file.empty" {
		t.Error(s)
	}
}

// Every code the package returns has a message in both languages
// (internal/web/i18n/*/camt.json), every message there is for a code the
// package returns, and the package comment names every code.
func TestCodesHaveMessages(t *testing.T) {
	code := regexp.MustCompile(`^camt\.[a-z]+\.[a-z_]+$`)
	used := map[string]bool{}
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && code.MatchString(s) {
					used[s] = true
				}
			}
			return true
		})
	}
	if len(used) < 35 {
		t.Fatalf("the scan found only %d codes", len(used))
	}
	doc := string(readFile(t, "camt.go"))
	doc = strings.Join(strings.Fields(doc[:strings.Index(doc, "package camt")]), " ")
	for c := range used {
		// The comment lists "camt.entry.amount, .indicator, …".
		parts := strings.Split(c, ".")
		group := "camt." + parts[1] + "."
		at := strings.Index(doc, group)
		if at < 0 || !strings.Contains(doc[at:], "."+parts[2]) {
			t.Errorf("the package comment does not name %s", c)
		}
	}
	for _, lang := range []string{"en", "nl"} {
		data := readFile(t, filepath.Join("..", "web", "i18n", lang, "camt.json"))
		var msgs map[string]string
		if err := json.Unmarshal(data, &msgs); err != nil {
			t.Fatal(err)
		}
		for c := range used {
			if strings.TrimSpace(msgs[c]) == "" {
				t.Errorf("%s/camt.json has no message for %s", lang, c)
			}
		}
		for k := range msgs {
			if !used[k] {
				t.Errorf("%s/camt.json has %s, which no code returns", lang, k)
			}
		}
	}
}

// FuzzRead: no input makes Read panic; it either fails with a camt *Error,
// or gives a document whose every line has cents above zero, a key of its
// own and valid dates, whose balances the booked lines explain unless a
// warning says otherwise (checkDocument), and which reads the same again.
func FuzzRead(f *testing.F) {
	f.Add([]byte(minimal))
	for _, name := range []string{fileV02, fileV08} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(stripRefs(data))
	}
	f.Add([]byte(strings.Replace(minimal, "<Sts>BOOK</Sts>", "<Sts><Cd>PDNG</Cd></Sts>", 1)))
	f.Add([]byte(strings.Replace(minimal, "</NtryDtls>", "<TxDtls><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></TxDtls></NtryDtls>", 1)))
	f.Add([]byte(strings.Replace(minimal, "125.00", "125.01", 1)))
	f.Add([]byte(strings.Replace(minimal, "camt.053.001.02", "camt.053.001.13", 1)))
	f.Add([]byte("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt></BkToCstmrStmt></Document>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Read(bytes.NewReader(data))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(e.Code, "camt.") || e.Code == "camt.statement.balance" || e.Line < 0 {
				t.Fatalf("error %v is not a camt Error", err)
			}
			return
		}
		checkDocument(t, doc)
		again, err := Read(bytes.NewReader(data))
		if err != nil || !reflect.DeepEqual(again, doc) {
			t.Fatalf("read again: %v", err)
		}
	})
}

// statementOf makes a statement of n entries, like a busy collecting
// account's month: every tenth a batch of three, the rest single credits
// with a reference in the text.
func statementOf(n int) []byte {
	var b bytes.Buffer
	var sum int64
	var entries bytes.Buffer
	for i := range n {
		cents := int64(100 + i%5000)
		fmt.Fprintf(&entries, `<Ntry><Amt Ccy="EUR">%d.%02d</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>`, cents/100, cents%100)
		fmt.Fprintf(&entries, `<BookgDt><Dt>2026-03-%02d</Dt></BookgDt><ValDt><Dt>2026-03-%02d</Dt></ValDt><AcctSvcrRef>REF%08d</AcctSvcrRef>`, 1+i%28, 1+i%28, i)
		entries.WriteString(`<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls>`)
		parts := []int64{cents}
		if i%10 == 0 {
			parts = []int64{cents - 60, 40, 20}
		}
		for j, p := range parts {
			fmt.Fprintf(&entries, `<TxDtls><Refs><EndToEndId>E2E-%d-%d</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">%d.%02d</Amt></TxAmt></AmtDtls>`, i, j, p/100, p%100)
			entries.WriteString(`<RltdPties><Dbtr><Nm>Gever van de buurt</Nm></Dbtr><DbtrAcct><Id><IBAN>NL44RABO0123456789</IBAN></Id></DbtrAcct></RltdPties>`)
			entries.WriteString(`<RltdAgts><DbtrAgt><FinInstnId><BIC>RABONL2U</BIC></FinInstnId></DbtrAgt></RltdAgts>`)
			entries.WriteString(`<RmtInf><Ustrd>Bijdrage buurtmoestuin SAMEN-TX77-XND0 met dank</Ustrd></RmtInf></TxDtls>`)
		}
		entries.WriteString("</NtryDtls></Ntry>\n")
		sum += cents
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>`)
	b.WriteString(`<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2026-04-01T06:00:00</CreDtTm></GrpHdr><Stmt><Id>BENCH-2026-03</Id>`)
	b.WriteString(`<CreDtTm>2026-04-01T06:00:00</CreDtTm><Acct><Id><IBAN>NL20INGB0001234567</IBAN></Id><Ccy>EUR</Ccy></Acct>`)
	b.WriteString(`<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-01</Dt></Dt></Bal>`)
	fmt.Fprintf(&b, `<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">%d.%02d</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-31</Dt></Dt></Bal>`+"\n", sum/100, sum%100)
	b.Write(entries.Bytes())
	b.WriteString("</Stmt></BkToCstmrStmt></Document>\n")
	return b.Bytes()
}

func TestStatementOf(t *testing.T) {
	doc := read(t, statementOf(100))
	if len(doc.Warnings) != 0 || len(doc.Lines()) != 120 {
		t.Errorf("%d lines, %v", len(doc.Lines()), doc.Warnings)
	}
}

func BenchmarkRead10k(b *testing.B) {
	data := statementOf(10_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// Inputs built to make a careless reader quadratic stay fast: many
// balances, a text in many pieces, many structured references, many
// references and RF-like groups in one text, each close to the size cap.
// A quadratic reader takes minutes on them, this one a second or two.
func TestReadStaysLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	balance := `<Bal><Tp><CdOrPrtry><Cd>CLAV</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-16</Dt></Dt></Bal>`
	cases := map[string]string{
		"balances":    strings.Replace(minimal, "<Ntry>", strings.Repeat(balance, 150_000)+"<Ntry>", 1),
		"text pieces": strings.Replace(minimal, "<Ustrd>Gift</Ustrd>", "<Ustrd>"+strings.Repeat("a<!---->", 2_000_000)+"</Ustrd>", 1),
	}
	var strd strings.Builder
	for i := range 200_000 {
		fmt.Fprintf(&strd, "<Strd><CdtrRefInf><Ref>%d</Ref></CdtrRefInf></Strd>", i)
	}
	cases["structured"] = strings.Replace(minimal, "<Ustrd>Gift</Ustrd>", strd.String(), 1)
	for name, in := range cases {
		if int64(len(in)) > maxBytes {
			t.Fatalf("%s: %d bytes", name, len(in))
		}
		start := time.Now()
		doc, err := Read(strings.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		doc.Lines()[0].Reference()
		d := time.Since(start)
		t.Logf("%s: %v", name, d)
		if d > 15*time.Second {
			t.Errorf("%s: %v", name, d)
		}
	}
	var refs strings.Builder
	r := seeded(9)
	for range 200_000 {
		refs.WriteString(NewReference(r) + " ")
	}
	for name, text := range map[string]string{
		"references": refs.String(),
		"RF groups":  strings.Repeat("RF18 ", 1_000_000),
		"samen":      strings.Repeat("samen ", 1_000_000),
	} {
		start := time.Now()
		References(text)
		d := time.Since(start)
		t.Logf("%s: %v", name, d)
		if d > 15*time.Second {
			t.Errorf("%s: %v", name, d)
		}
	}
}
