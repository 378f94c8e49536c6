// Package camt reads bank statements in the ISO 20022 camt.053 format
// (BankToCustomerStatement), the XML statement Dutch banks export (ING,
// Rabobank, ABN AMRO, Triodos, bunq: "CAMT.053" in their internet banking),
// so that a funding pool's bank transfers can be reconciled by importing the
// bank's statement (issue 14). It is plain Go on the standard library: no
// SQL, no HTTP, no language; errors are codes that the site puts in the
// reader's words (internal/web/i18n/*/camt.json).
//
// What it follows: the ISO 20022 message definitions of
// BankToCustomerStatementV02 to V13 (namespaces
// urn:iso:std:iso:20022:tech:xsd:camt.053.001.02 to .13), and the Dutch
// Payments Association's "XML message for Bank to Customer Statement
// (camt.053) Implementation Guidelines for the Netherlands" (version 2.0,
// June 2016), on which ING's "Format Description CAMT.053.001.02" and
// Rabobank's "Format description CAMT.053" are based. Dutch banks mostly send
// version 02; some send 08.
//
// # What is read
//
// A Document holds one or more statements (BkToCstmrStmt/Stmt). Of each
// statement: its Id, ElctrncSeqNb, LglSeqNb, CreDtTm and CpyDplctInd; the
// account's IBAN (Acct/Id/IBAN, required: samen reconciles IBAN accounts)
// and currency; its balances (Bal); and its entries (Ntry). Each entry
// becomes one Line per transaction (NtryDtls/TxDtls: a batch booked as one
// entry gives one line per transaction), or one Line when it has no
// transaction details. Everything else the format carries (charges,
// interest, card data, tax, …) is not read, and not checked.
//
// # Choices where the standard leaves room
//
//   - Amounts are int64 cents, read from the decimal text, never through a
//     float. An amount has at most two decimals (ISO 20022's CurrencyAmount
//     rule: the decimals of ISO 4217's minor unit; "12.500" is refused too),
//     no sign, and at most MaxCents. Entry and transaction amounts are above
//     zero (the sign is CdtDbtInd); balances may be zero.
//   - One currency per statement: the account's (Acct/Ccy), or, when the
//     account names none, that of the first amount. An amount in another
//     currency (a Ccy attribute that differs) is an error, not a line
//     reported apart: a statement mixing currencies is not one samen can
//     reconcile in cents. Currencies whose minor unit is not two decimals
//     (JPY, KWD, …) are refused rather than misread a hundredfold.
//   - Status: Sts is a code in the early versions (02, as the Dutch
//     guidelines have it) and a choice, Sts/Cd or Sts/Prtry, in the later
//     ones (08 on); both forms are read in every version, so where between
//     them the change fell does not matter. BOOK, PDNG, INFO and FUTR are
//     known; a proprietary status is refused. Every line is returned
//     with its status, but only booked lines (Line.Booked) are money on the
//     account: an importer books those and may show the others as
//     "expected". A booked entry must have a booking date.
//   - A batch entry's transactions must each carry their amount (TxDtls/Amt
//     or TxDtls/AmtDtls/TxAmt/Amt; both, if given, must agree), and with
//     their own CdtDbtInd (default: the entry's) they must add up to the
//     entry's amount. One transaction without an amount takes the entry's.
//   - Opening balance: OPBD, or PRCD when there is no OPBD; closing: CLBD.
//     Each at most once in a statement. When both are present and the
//     booked entries do not lead from one to the other, the statement is
//     still read and Document.Warnings says so (camt.statement.balance):
//     the lines themselves are the bank's, and a statement cut short (or a
//     bank leaving entries out) is better imported and flagged than refused;
//     the keys make importing the complete statement later harmless.
//   - The counterparty of a credit is the debtor (RltdPties/Dbtr/Nm, or
//     Dbtr/Pty/Nm from version 08; DbtrAcct/Id/IBAN; RltdAgts/DbtrAgt), of a
//     debit the creditor. A reversal (RvslInd) undoes an earlier entry of the
//     other direction, so the roles turn: a credit that reverses our payment
//     names its payee as creditor. Whichever side carries our own IBAN is
//     never the counterparty.
//   - References the bank writes as placeholders ("NOTPROVIDED", "NONREF")
//     are read as absent.
//   - Text is trimmed, and each run of white space in it (line breaks and
//     tabs too) becomes one space; several RmtInf/Ustrd are joined with a
//     space, as are several structured creditor references
//     (RmtInf/Strd/CdtrRefInf/Ref).
//
// # Keys
//
// Every line gets a Key, the same however often the same statement is
// read, so that an import books each transfer once (ledger refs are
// unique). See key.go for how it is made and what it cannot do.
//
// # Payment references
//
// Reference finds the payment reference in the text a payer typed, to
// match a transfer to what it pays: samen's own references, which
// NewReference makes (SAMEN-XXXX-XXXX: Crockford base 32 with two check
// symbols; reference.go says why so), or an ISO 11649 RF creditor
// reference.
//
// # Safety
//
// A file may be at most 20 MB and give at most 100,000 lines in at most
// 10,000 statements. encoding/xml does not fetch or expand external
// entities, and knows only XML's five predefined ones, so an entity
// "bomb" cannot grow; a document type declaration (DOCTYPE) is refused all
// the same, as no bank sends one. Elements nest at most 40 deep. The file
// must be UTF-8 (the Dutch guidelines' character set); a file that declares
// another encoding is refused rather than guessed.
//
// # Errors
//
// Problems are *Error: a code and where (statement, entry, transaction,
// line of the XML file). The codes: camt.file.empty, .not_xml (not XML at
// all: a CSV, MT940 or PDF export), .xml (broken XML), .encoding,
// .doctype, .namespace (not a camt.053 statement), .report (a camt.052
// report or camt.054 notification), .version (a camt.053 version other
// than 02–13), .structure (elements where the format has none, text
// beside elements, nesting too deep), .repeated (an element that may
// appear once appears twice), .too_large; camt.header.message_id,
// camt.header.created; camt.statement.missing, .id, .sequence, .created,
// .copy, .account, .currency, .balance (the warning); camt.balance.type,
// .amount, .indicator, .date, .duplicate; camt.amount.currency;
// camt.entry.amount, .indicator, .status, .booking_date, .value_date,
// .reversal, .sum; camt.tx.amount, .indicator; camt.party.iban.
package camt

import (
	"strconv"
	"strings"
	"time"
)

// MaxCents is the largest amount a line or balance may carry: ten billion
// euros, as ledger.MaxCents, so that every line read can be booked, and far
// enough inside int64 that the sum of 100,000 lines cannot overflow.
const MaxCents = 1_000_000_000_000

// The caps on a file (variables for the tests).
var (
	maxBytes      int64 = 20 << 20
	maxLines            = 100_000
	maxStatements       = 10_000
)

// Document is a camt.053 file: one message holding one or more statements.
type Document struct {
	// Version is the camt.053.001 version of the namespace: 2 to 13.
	Version int
	// MessageID is GrpHdr/MsgId; Created is GrpHdr/CreDtTm (a time written
	// without a zone is read as UTC).
	MessageID string
	Created   time.Time
	// Statements in the order of the file.
	Statements []Statement
	// Warnings are what is wrong with a statement without making a line
	// wrong: balances that the booked entries do not explain.
	Warnings []*Error
}

// Lines returns every line of every statement, in the order of the file.
func (d Document) Lines() []Line {
	var n int
	for _, s := range d.Statements {
		n += len(s.Lines)
	}
	lines := make([]Line, 0, n)
	for _, s := range d.Statements {
		lines = append(lines, s.Lines...)
	}
	return lines
}

// Statement is one account's statement over a period (BkToCstmrStmt/Stmt).
type Statement struct {
	// Number is the statement's place in the file, from 1; Line the line of
	// its <Stmt>.
	Number int
	Line   int
	// ID is the bank's Id of the statement; ElectronicSeq and LegalSeq its
	// sequence numbers (ElctrncSeqNb, LglSeqNb), digits, "" when absent.
	ID            string
	ElectronicSeq string
	LegalSeq      string
	Created       time.Time
	// CopyDuplicate is CpyDplctInd: "" for an original, CODU (a copy of an
	// original not yet sent), COPY or DUPL (sent before).
	CopyDuplicate string
	// IBAN is the account's, uppercase; Currency the statement's ISO 4217
	// code (see the package comment).
	IBAN     string
	Currency string
	// Balances as the file lists them; Opening (OPBD, else PRCD) and
	// Closing (CLBD) point into it, nil when absent.
	Balances []Balance
	Opening  *Balance
	Closing  *Balance
	Lines    []Line
}

// Balance is a balance of the account (Stmt/Bal).
type Balance struct {
	// Type is the ISO code (OPBD, CLBD, PRCD, CLAV, ITBD, FWAV, …), or ""
	// for a bank's own type, whose name is then in Proprietary.
	Type        string
	Proprietary string
	// Cents is signed: negative when the balance is a debit (overdrawn).
	Cents    int64
	Currency string
	Date     string // YYYY-MM-DD
	Line     int
}

// Line is one transfer on the account: an entry, or one transaction of a
// batch entry.
type Line struct {
	// Key identifies the line across imports (see key.go): 64 hex digits.
	// KeySource says what it was made from: "bank" (the bank's references)
	// or "content" (the line's content and its place among equal lines).
	Key       string
	KeySource string
	// Statement, Entry and Tx say where the line is: the statement's
	// number in the file, the entry's within the statement, the
	// transaction's within the entry (all from 1; Tx is 0 when the entry
	// has no transaction details). XMLLine is the line of its <TxDtls>, or
	// of its <Ntry> when Tx is 0.
	Statement int
	Entry     int
	Tx        int
	XMLLine   int
	// Account is the statement's IBAN, Currency its currency.
	Account  string
	Currency string
	// Cents is above zero; Credit says money came in (CRDT), else it went
	// out (DBIT).
	Cents  int64
	Credit bool
	// Status is BOOK, PDNG, INFO or FUTR; only BOOK is money on the account.
	Status string
	// Reversal is RvslInd: the line undoes an earlier one of the other
	// direction (a returned payment, a reversed direct debit).
	Reversal bool
	// BookingDate and ValueDate are YYYY-MM-DD; a line that is not booked
	// may have no booking date, and a line may have no value date.
	BookingDate string
	ValueDate   string
	// BankCode is the bank transaction code: Domain/Family/SubFamily (as
	// "PMNT/RCDT/ESCT", a SEPA credit transfer received), else the bank's
	// own code; the transaction's when it has one, else the entry's.
	BankCode string
	Refs     Refs
	// Counterparty is the other side of the transfer.
	Counterparty Party
	// CreditorRef is the structured reference (RmtInf/Strd/CdtrRefInf/Ref):
	// a Dutch betalingskenmerk, or an ISO 11649 RF reference.
	CreditorRef string
	// Remittance is the unstructured text the payer typed (RmtInf/Ustrd).
	Remittance string
	// AdditionalInfo is Ntry/AddtlNtryInf and TxDtls/AddtlTxInf: text the
	// bank composes (some banks repeat the payer's name and text there).
	AdditionalInfo string
	// ReturnReason is the ISO reason code of a returned payment
	// (RtrInf/Rsn/Cd: AC04 is a closed account, MD06 a refund the debtor
	// asked for), "" for none.
	ReturnReason string
}

// Booked reports whether the line is money on the account (status BOOK).
func (l Line) Booked() bool { return l.Status == "BOOK" }

// Signed is Cents with the line's direction: positive for a credit.
func (l Line) Signed() int64 {
	if l.Credit {
		return l.Cents
	}
	return -l.Cents
}

// Reference finds the one payment reference of the line (see Reference):
// in its structured creditor reference, its remittance text and the bank's
// additional text. Several different references make it ambiguous: false,
// for a person to decide.
func (l Line) Reference() (string, bool) {
	var ref string
	for _, text := range []string{l.CreditorRef, l.Remittance, l.AdditionalInfo} {
		for _, r := range References(text) {
			if ref != "" && r != ref {
				return "", false
			}
			ref = r
		}
	}
	return ref, ref != ""
}

// Refs are the references a line carries; "" when absent.
type Refs struct {
	// Entry is the bank's reference of the entry (Ntry/AcctSvcrRef); Tx
	// that of the transaction (TxDtls/Refs/AcctSvcrRef).
	Entry string
	Tx    string
	// The payer's and the payment chain's references (TxDtls/Refs).
	EndToEnd    string // EndToEndId
	Mandate     string // MndtId, of a direct debit
	Instruction string // InstrId
	PaymentInfo string // PmtInfId
	Transaction string // TxId
	UETR        string // from version 08
}

// Party is a counterparty: its name, its account (an IBAN, or another
// identification in Account) and its bank's BIC, each "" when absent.
type Party struct {
	Name    string
	IBAN    string
	Account string
	BIC     string
}

// Error is a statement that cannot be read, or (in Document.Warnings)
// something wrong with one: why, as a message code ("camt.entry.amount")
// that the site puts in its reader's words (internal/web/i18n/*/camt.json),
// and where. Statement, Entry and Tx count from 1 and are 0 when the
// problem is not inside one; Line is the line of the XML file, 0 when not
// known.
type Error struct {
	Code      string
	Statement int
	Entry     int
	Tx        int
	Line      int
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("bank statement")
	for _, p := range []struct {
		name string
		n    int
	}{{"statement", e.Statement}, {"entry", e.Entry}, {"transaction", e.Tx}, {"line", e.Line}} {
		if p.n > 0 {
			b.WriteString(", " + p.name + " " + strconv.Itoa(p.n))
		}
	}
	b.WriteString(": " + e.Code)
	return b.String()
}
