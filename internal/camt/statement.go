package camt

import (
	"strings"
	"unicode/utf8"
)

// interp reads values out of nodes, keeping the first problem: the code
// of a field reads as a list of lookups, checked once at the end.
type interp struct {
	at  Error // where: Statement, Entry, Tx
	err *Error
}

// fail keeps the first problem.
func (p *interp) fail(code string, line int) {
	if p.err == nil {
		e := p.at
		e.Code, e.Line = code, line
		p.err = &e
	}
}

// one returns n's only child called name, or nil (also when n is nil). An
// element the schema allows once that appears twice is refused: a reader
// that took the first or the last would be guessing.
func (p *interp) one(n *node, name string) *node {
	if n == nil {
		return nil
	}
	var found *node
	for _, k := range n.kids {
		if k.name == name {
			if found != nil {
				p.fail("camt.file.repeated", k.line)
				return found
			}
			found = k
		}
	}
	return found
}

// all returns n's children called name.
func all(n *node, name string) []*node {
	if n == nil {
		return nil
	}
	var found []*node
	for _, k := range n.kids {
		if k.name == name {
			found = append(found, k)
		}
	}
	return found
}

// path follows one child after the other.
func (p *interp) path(n *node, names ...string) *node {
	for _, name := range names {
		n = p.one(n, name)
	}
	return n
}

// text returns the cleaned text at the end of a path and its line; "" and
// 0 when the path is absent.
func (p *interp) text(n *node, names ...string) (string, int) {
	n = p.path(n, names...)
	if n == nil {
		return "", 0
	}
	return clean(n.text), n.line
}

// clean trims text and turns every run of white space (line breaks and
// tabs included) into one space: text a bank wrapped over several lines
// reads as one, and reads the same however the bank wrapped it.
func clean(s string) string {
	if strings.ContainsAny(s, "\r\n\t") || strings.Contains(s, "  ") {
		return strings.Join(strings.Fields(s), " ")
	}
	return strings.TrimSpace(s)
}

// max35 reports whether s is a Max35Text that is not empty: 1 to 35
// characters.
func max35(s string) bool {
	return s != "" && utf8.RuneCountInString(s) <= 35
}

// attr returns the value of n's attribute called name (without namespace).
func attr(n *node, name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// placeholder reports whether a reference is a bank's way of writing none.
func placeholder(s string) bool {
	return strings.EqualFold(s, "NOTPROVIDED") || strings.EqualFold(s, "NONREF") || strings.EqualFold(s, "NOTAVAILABLE")
}

// stmtReader is one statement being read.
type stmtReader struct {
	x      *decoder
	st     Statement
	header []*node
	ready  bool // the header has been read (at the first entry)
	// entries counts the statement's entries; booked sums the signed
	// amounts of the booked ones, for the balance check.
	entries int
	booked  int64
	// once holds the balance types a statement has at most once, seen.
	once map[string]bool
}

// readHeader reads the statement's elements before its entries.
func (sr *stmtReader) readHeader() error {
	sr.ready = true
	p := &interp{at: Error{Statement: sr.st.Number}}
	stmt := &node{name: "Stmt", line: sr.st.Line, kids: sr.header}
	id, idLine := p.text(stmt, "Id")
	if p.err == nil && !max35(id) {
		p.fail("camt.statement.id", or(idLine, stmt.line))
	}
	sr.st.ID = id
	for _, f := range []struct {
		name string
		to   *string
	}{{"ElctrncSeqNb", &sr.st.ElectronicSeq}, {"LglSeqNb", &sr.st.LegalSeq}} {
		s, line := p.text(stmt, f.name)
		if line != 0 && !digits(s, 18) {
			p.fail("camt.statement.sequence", line)
		}
		*f.to = s
	}
	created, line := p.text(stmt, "CreDtTm")
	if t, _, ok := parseDateTime(created); ok {
		sr.st.Created = t
	} else {
		p.fail("camt.statement.created", or(line, stmt.line))
	}
	cd, line := p.text(stmt, "CpyDplctInd")
	switch cd {
	case "", "CODU", "COPY", "DUPL":
		sr.st.CopyDuplicate = cd
	default:
		p.fail("camt.statement.copy", line)
	}
	acct := p.one(stmt, "Acct")
	iban, line := p.text(acct, "Id", "IBAN")
	iban = strings.ToUpper(iban)
	if !ValidIBAN(iban) {
		p.fail("camt.statement.account", or(line, or(nodeLine(acct), stmt.line)))
	}
	sr.st.IBAN = iban
	if ccy, line := p.text(acct, "Ccy"); line != 0 {
		if !validCurrency(ccy) {
			p.fail("camt.statement.currency", line)
		}
		sr.currency(p, ccy, line)
	}
	if p.err != nil {
		return p.err
	}
	for _, b := range all(stmt, "Bal") {
		if err := sr.balance(b); err != nil {
			return err
		}
	}
	return nil
}

func nodeLine(n *node) int {
	if n == nil {
		return 0
	}
	return n.line
}

// currency sets the statement's currency, or checks an amount's against
// it. A currency whose minor unit is not two decimals cannot be read in
// cents.
func (sr *stmtReader) currency(p *interp, ccy string, line int) {
	switch {
	case sr.st.Currency == "":
		if !validCurrency(ccy) {
			p.fail("camt.amount.currency", line)
		} else if !centCurrency(ccy) {
			p.fail("camt.statement.currency", line)
		} else {
			sr.st.Currency = ccy
		}
	case ccy != sr.st.Currency:
		p.fail("camt.amount.currency", line)
	}
}

// amount reads an amount element: its Ccy attribute against the
// statement's currency, and its value in cents. code is the problem for a
// missing or wrong value; positive refuses zero.
func (sr *stmtReader) amount(p *interp, a *node, code string, line int, positive bool) int64 {
	if a == nil {
		p.fail(code, line)
		return 0
	}
	ccy, ok := attr(a, "Ccy")
	if !ok {
		p.fail("camt.amount.currency", a.line)
		return 0
	}
	sr.currency(p, ccy, a.line)
	cents, ok := parseAmount(clean(a.text))
	if !ok || positive && cents == 0 {
		p.fail(code, a.line)
	}
	return cents
}

// indicator reads a CdtDbtInd: true for CRDT.
func indicator(p *interp, n *node, code string, line int) bool {
	s, l := p.text(n, "CdtDbtInd")
	switch s {
	case "CRDT":
		return true
	case "DBIT":
		return false
	}
	p.fail(code, or(l, line))
	return false
}

// dateChoice reads a DateAndDateTimeChoice (Dt or DtTm, one of them) as
// YYYY-MM-DD; ok is false when there is no such element.
func dateChoice(p *interp, n *node, code string) (date string, ok bool) {
	if n == nil {
		return "", false
	}
	dt, dtm := p.one(n, "Dt"), p.one(n, "DtTm")
	switch {
	case dt != nil && dtm == nil:
		if d, ok := parseDate(clean(dt.text)); ok {
			return d, true
		}
	case dtm != nil && dt == nil:
		if _, d, ok := parseDateTime(clean(dtm.text)); ok {
			return d, true
		}
	}
	p.fail(code, n.line)
	return "", true
}

// balanceTypes are the ISO codes of a balance (BalanceType12Code).
var balanceTypes = map[string]bool{
	"XPCD": true, "OPAV": true, "ITAV": true, "CLAV": true, "FWAV": true,
	"CLBD": true, "ITBD": true, "OPBD": true, "PRCD": true, "INFO": true,
}

// balance reads one Bal.
func (sr *stmtReader) balance(n *node) error {
	p := &interp{at: Error{Statement: sr.st.Number}}
	b := Balance{Line: n.line}
	kind := p.path(n, "Tp", "CdOrPrtry")
	cd, cdLine := p.text(kind, "Cd")
	prtry, prLine := p.text(kind, "Prtry")
	switch {
	case cdLine != 0 && prLine == 0 && balanceTypes[cd]:
		b.Type = cd
	case prLine != 0 && cdLine == 0 && prtry != "":
		b.Proprietary = prtry
	default:
		p.fail("camt.balance.type", or(cdLine, n.line))
	}
	b.Cents = sr.amount(p, p.one(n, "Amt"), "camt.balance.amount", n.line, false)
	if !indicator(p, n, "camt.balance.indicator", n.line) {
		b.Cents = -b.Cents
	}
	b.Currency = sr.st.Currency
	d, ok := dateChoice(p, p.one(n, "Dt"), "camt.balance.date")
	if !ok {
		p.fail("camt.balance.date", n.line)
	}
	b.Date = d
	if p.err != nil {
		return p.err
	}
	switch b.Type {
	case "OPBD", "PRCD", "CLBD":
		if sr.once[b.Type] {
			return &Error{Code: "camt.balance.duplicate", Statement: sr.st.Number, Line: n.line}
		}
		if sr.once == nil {
			sr.once = map[string]bool{}
		}
		sr.once[b.Type] = true
	}
	sr.st.Balances = append(sr.st.Balances, b)
	return nil
}

// finish ends a statement: the balances are checked against the booked
// entries, and the statement joins the document.
func (sr *stmtReader) finish() error {
	if !sr.ready {
		if err := sr.readHeader(); err != nil {
			return err
		}
	}
	st := &sr.st
	if st.Currency == "" {
		// No Acct/Ccy and no amount: the schema requires a balance, and
		// every amount its currency.
		return &Error{Code: "camt.statement.currency", Statement: st.Number, Line: st.Line}
	}
	for i := range st.Balances {
		switch st.Balances[i].Type {
		case "OPBD":
			st.Opening = &st.Balances[i]
		case "PRCD":
			if st.Opening == nil || st.Opening.Type != "OPBD" {
				st.Opening = &st.Balances[i]
			}
		case "CLBD":
			st.Closing = &st.Balances[i]
		}
	}
	// MaxCents × (100,000 lines + 2) is far inside int64.
	if st.Opening != nil && st.Closing != nil && st.Opening.Cents+sr.booked != st.Closing.Cents {
		sr.x.doc.Warnings = append(sr.x.doc.Warnings, &Error{Code: "camt.statement.balance", Statement: st.Number, Line: st.Closing.Line})
	}
	sr.x.doc.Statements = append(sr.x.doc.Statements, sr.st)
	return nil
}

// entryStatus reads Sts: a code (version 02) or a choice of Cd and Prtry
// (version 08); both forms are read in every version.
func entryStatus(p *interp, n *node) string {
	sts := p.one(n, "Sts")
	if sts == nil {
		p.fail("camt.entry.status", n.line)
		return ""
	}
	s := clean(sts.text)
	if len(sts.kids) > 0 {
		cd := p.one(sts, "Cd")
		if cd == nil || len(sts.kids) != 1 {
			// A proprietary status, or something else: unknown.
			p.fail("camt.entry.status", sts.line)
			return ""
		}
		s = clean(cd.text)
	}
	switch s {
	case "BOOK", "PDNG", "INFO", "FUTR":
		return s
	}
	p.fail("camt.entry.status", sts.line)
	return ""
}

// bankCode reads a BkTxCd: Domn/Cd, Domn/Fmly/Cd, Domn/Fmly/SubFmlyCd
// joined by slashes, else Prtry/Cd.
func bankCode(p *interp, n *node) string {
	bk := p.one(n, "BkTxCd")
	if bk == nil {
		return ""
	}
	domain, _ := p.text(bk, "Domn", "Cd")
	family, _ := p.text(bk, "Domn", "Fmly", "Cd")
	sub, _ := p.text(bk, "Domn", "Fmly", "SubFmlyCd")
	if domain != "" {
		return domain + "/" + family + "/" + sub
	}
	prtry, _ := p.text(bk, "Prtry", "Cd")
	return prtry
}

// entry reads one Ntry into its lines.
func (sr *stmtReader) entry(n *node) error {
	if !sr.ready {
		if err := sr.readHeader(); err != nil {
			return err
		}
	}
	sr.entries++
	p := &interp{at: Error{Statement: sr.st.Number, Entry: sr.entries}}
	cents := sr.amount(p, p.one(n, "Amt"), "camt.entry.amount", n.line, true)
	credit := indicator(p, n, "camt.entry.indicator", n.line)
	status := entryStatus(p, n)
	reversal := false
	if s, line := p.text(n, "RvslInd"); line != 0 {
		switch s {
		case "true", "1":
			reversal = true
		case "false", "0":
		default:
			p.fail("camt.entry.reversal", line)
		}
	}
	booking, ok := dateChoice(p, p.one(n, "BookgDt"), "camt.entry.booking_date")
	if !ok && status == "BOOK" {
		p.fail("camt.entry.booking_date", n.line)
	}
	value, _ := dateChoice(p, p.one(n, "ValDt"), "camt.entry.value_date")
	entryRef, _ := p.text(n, "AcctSvcrRef")
	if placeholder(entryRef) {
		entryRef = ""
	}
	entryCode := bankCode(p, n)
	entryInfo, _ := p.text(n, "AddtlNtryInf")
	if p.err != nil {
		return p.err
	}
	base := Line{
		Statement: sr.st.Number, Entry: sr.entries, XMLLine: n.line,
		Account: sr.st.IBAN, Currency: sr.st.Currency, Cents: cents, Credit: credit,
		Status: status, Reversal: reversal, BookingDate: booking, ValueDate: value,
		BankCode: entryCode, Refs: Refs{Entry: entryRef}, AdditionalInfo: entryInfo,
	}
	var txs []*node
	for _, d := range all(n, "NtryDtls") {
		txs = append(txs, all(d, "TxDtls")...)
	}
	count := max(len(txs), 1)
	if sr.x.lines+count > maxLines {
		return &Error{Code: "camt.file.too_large", Statement: sr.st.Number, Entry: sr.entries, Line: n.line}
	}
	sr.x.lines += count
	if len(txs) == 0 {
		sr.st.Lines = append(sr.st.Lines, base)
	} else {
		var sum int64
		for i, tx := range txs {
			l, err := sr.transaction(base, tx, i+1, len(txs) == 1)
			if err != nil {
				return err
			}
			sum += l.Signed()
			sr.st.Lines = append(sr.st.Lines, l)
		}
		if sum != base.Signed() {
			return &Error{Code: "camt.entry.sum", Statement: sr.st.Number, Entry: sr.entries, Line: n.line}
		}
	}
	if status == "BOOK" {
		sr.booked += base.Signed()
	}
	return nil
}

// transaction reads one TxDtls of an entry into a line. only says it is
// the entry's one transaction, which may then leave its amount to the
// entry.
func (sr *stmtReader) transaction(base Line, tx *node, number int, only bool) (Line, error) {
	p := &interp{at: Error{Statement: base.Statement, Entry: base.Entry, Tx: number}}
	l := base
	l.Tx, l.XMLLine = number, tx.line
	amt := p.one(tx, "Amt")
	txAmt := p.path(tx, "AmtDtls", "TxAmt", "Amt")
	var cents int64
	switch {
	case amt != nil:
		cents = sr.amount(p, amt, "camt.tx.amount", tx.line, true)
		if txAmt != nil && p.err == nil {
			if c := sr.amount(p, txAmt, "camt.tx.amount", tx.line, true); c != cents && p.err == nil {
				p.fail("camt.tx.amount", txAmt.line)
			}
		}
	case txAmt != nil:
		cents = sr.amount(p, txAmt, "camt.tx.amount", tx.line, true)
	case only:
		cents = base.Cents
	default:
		p.fail("camt.tx.amount", tx.line)
	}
	l.Cents = cents
	if p.one(tx, "CdtDbtInd") != nil {
		l.Credit = indicator(p, tx, "camt.tx.indicator", tx.line)
	}
	if code := bankCode(p, tx); code != "" {
		l.BankCode = code
	}
	refs := p.one(tx, "Refs")
	for _, f := range []struct {
		name string
		to   *string
	}{
		{"AcctSvcrRef", &l.Refs.Tx}, {"EndToEndId", &l.Refs.EndToEnd}, {"MndtId", &l.Refs.Mandate},
		{"InstrId", &l.Refs.Instruction}, {"PmtInfId", &l.Refs.PaymentInfo}, {"TxId", &l.Refs.Transaction},
		{"UETR", &l.Refs.UETR},
	} {
		if s, _ := p.text(refs, f.name); !placeholder(s) {
			*f.to = s
		}
	}
	debtor := party(p, tx, "Dbtr")
	creditor := party(p, tx, "Cdtr")
	// The other side: the debtor of a credit, the creditor of a debit;
	// turned round for a reversal, which undoes an entry of the other
	// direction; never the side with our own account.
	other, mine := creditor, debtor
	if l.Credit != l.Reversal {
		other, mine = debtor, creditor
	}
	if other.IBAN != "" && other.IBAN == l.Account || other == (Party{}) && mine.IBAN != l.Account {
		other = mine
	}
	l.Counterparty = other
	rmt := p.one(tx, "RmtInf")
	var ustrd, strd []string
	for _, u := range all(rmt, "Ustrd") {
		if s := clean(u.text); s != "" {
			ustrd = append(ustrd, s)
		}
	}
	seen := map[string]bool{}
	for _, s := range all(rmt, "Strd") {
		if ref, _ := p.text(s, "CdtrRefInf", "Ref"); ref != "" && !seen[ref] {
			seen[ref] = true
			strd = append(strd, ref)
		}
	}
	l.Remittance, l.CreditorRef = strings.Join(ustrd, " "), strings.Join(strd, " ")
	if info, _ := p.text(tx, "AddtlTxInf"); info != "" {
		l.AdditionalInfo = strings.TrimSpace(l.AdditionalInfo + " " + info)
	}
	l.ReturnReason, _ = p.text(tx, "RtrInf", "Rsn", "Cd")
	if p.err != nil {
		return l, p.err
	}
	// Checked last, so that a malformed party is reported after the
	// amount.
	for _, side := range []Party{debtor, creditor} {
		if side.IBAN != "" && !ValidIBAN(side.IBAN) {
			p.fail("camt.party.iban", tx.line)
		}
	}
	if p.err != nil {
		return l, p.err
	}
	return l, nil
}

// party reads one side of a transaction: RltdPties/Dbtr (or Cdtr) and its
// account, RltdAgts/DbtrAgt (or CdtrAgt). The name is Dbtr/Nm up to
// version 07, Dbtr/Pty/Nm from 08.
func party(p *interp, tx *node, side string) Party {
	var pt Party
	pties := p.one(tx, "RltdPties")
	who := p.one(pties, side)
	pt.Name, _ = p.text(who, "Nm")
	if pt.Name == "" {
		pt.Name, _ = p.text(who, "Pty", "Nm")
	}
	acct := p.path(pties, side+"Acct", "Id")
	iban, _ := p.text(acct, "IBAN")
	pt.IBAN = strings.ToUpper(iban)
	pt.Account, _ = p.text(acct, "Othr", "Id")
	agent := p.path(tx, "RltdAgts", side+"Agt", "FinInstnId")
	pt.BIC, _ = p.text(agent, "BIC")
	if pt.BIC == "" {
		pt.BIC, _ = p.text(agent, "BICFI")
	}
	return pt
}
