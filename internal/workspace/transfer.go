package workspace

// Import and export of the register: the spreadsheets people keep their
// members in (CSV as Excel, LibreOffice and Google Sheets write it, and
// XLSX) into the register, all or nothing, and the register out again as
// CSV or XLSX.

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/csvcell"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// Limits of an import.
const (
	// MaxImportRows is the most rows one file may hold.
	MaxImportRows = 20000
	// SampleRows is how many rows a preview shows as they will be stored.
	SampleRows = 5
	// maxUnzipped bounds what an XLSX file may unpack to, against zip
	// bombs.
	maxUnzipped = 64 << 20
)

// Sheet is a spreadsheet read for import: its header and its rows, each
// with the row number a spreadsheet shows for it (the line in a CSV file).
type Sheet struct {
	Format string // "csv" or "xlsx"
	Header []string
	Rows   []SheetRow
}

// SheetRow is one row of a Sheet.
type SheetRow struct {
	Row   int
	Cells []string
}

// Problem is one thing wrong with an import file, where it is: a row and a
// column as a spreadsheet numbers them, and a field code ("email.invalid")
// that the web and the command line put in their reader's words.
type Problem struct {
	Row    int    // 1 is the header; 0: the file as a whole
	Column int    // 1 is column A; 0: the whole row
	Header string // the column's header as the file writes it
	Code   string
}

// Place names the problem's place for logs and messages without a
// catalogue: "row 3, column B (email)".
func (p Problem) Place() string {
	switch {
	case p.Row == 0:
		return "file"
	case p.Column == 0:
		return "row " + strconv.Itoa(p.Row)
	}
	return fmt.Sprintf("row %d, column %s (%s)", p.Row, ColumnName(p.Column), p.Header)
}

// ImportError is a file that cannot be imported, with every problem in it,
// in the order of the file.
type ImportError struct{ Problems []Problem }

func (e *ImportError) Error() string {
	parts := make([]string, 0, min(len(e.Problems), 5))
	for _, p := range e.Problems[:min(len(e.Problems), 5)] {
		parts = append(parts, p.Place()+": "+p.Code)
	}
	return fmt.Sprintf("%d problem(s) in the file: %s", len(e.Problems), strings.Join(parts, "; "))
}

// Unwrap gives the problems as a validation problem, keyed by place, for
// callers that show any problem the same way.
func (e *ImportError) Unwrap() error {
	fields := problem.Fields{}
	for _, p := range e.Problems {
		fields[p.Place()] = p.Code
	}
	return &problem.Error{Kind: problem.Invalid, Code: "workspace.import_invalid", Fields: fields}
}

// ImportProblems returns the problems in err, or nil when it holds none.
func ImportProblems(err error) []Problem {
	var ie *ImportError
	if errors.As(err, &ie) {
		return ie.Problems
	}
	return nil
}

func fileProblem(row int, code string) error {
	return &ImportError{Problems: []Problem{{Row: row, Code: code}}}
}

// ColumnName is a spreadsheet's name of column n: A for 1, AA for 27.
func ColumnName(n int) string {
	if n <= 0 {
		return ""
	}
	var b []byte
	for n > 0 {
		n--
		b = append([]byte{byte('A' + n%26)}, b...)
		n /= 26
	}
	return string(b)
}

var utf8BOM = []byte("\uFEFF")

// ReadSheet reads an import file as CSV or XLSX, whichever it is (told by
// its first bytes, not its name).
func ReadSheet(data []byte) (*Sheet, error) {
	switch {
	case len(bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))) == 0:
		return nil, fileProblem(0, "file.empty")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return ReadMembersXLSX(data)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		// The Excel format before 2007 (.xls).
		return nil, fileProblem(0, "file.old_excel")
	}
	return ReadMembersCSV(data)
}

// ReadMembersCSV reads a CSV file: UTF-8 with or without a byte order
// mark, cells separated by commas, semicolons (as Dutch Excel writes them)
// or tabs, told by the header line. A file in another encoding is refused
// with "file.encoding", naming the first row that shows it.
func ReadMembersCSV(data []byte) (*Sheet, error) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, fileProblem(0, "file.encoding") // UTF-16
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return nil, fileProblem(1+bytes.Count(data[:i], []byte("\n")), "file.encoding")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fileProblem(0, "file.empty")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = separator(data)
	cr.FieldsPerRecord = -1
	sheet := &Sheet{Format: "csv"}
	var problems []Problem
	for {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvProblem(err)
		}
		line, _ := cr.FieldPos(0)
		for i, c := range cells {
			if code, _ := textcheck.Check(c); code != "" {
				l, _ := cr.FieldPos(i)
				problems = append(problems, Problem{Row: l, Column: i + 1, Code: code})
				cells[i] = ""
				continue
			}
			cells[i] = strings.TrimSpace(csvcell.Unguard(c))
		}
		if sheet.Header == nil {
			if blank(cells) {
				continue
			}
			sheet.Header = cells
			continue
		}
		if blank(cells) {
			continue
		}
		if len(sheet.Rows) >= MaxImportRows {
			return nil, fileProblem(line, "file.too_many_rows")
		}
		sheet.Rows = append(sheet.Rows, SheetRow{Row: line, Cells: cells})
	}
	if sheet.Header == nil && len(problems) == 0 {
		return nil, fileProblem(0, "file.empty")
	}
	if len(problems) > 0 {
		for i := range problems {
			if problems[i].Column <= len(sheet.Header) {
				problems[i].Header = sheet.Header[problems[i].Column-1]
			}
		}
		return nil, &ImportError{Problems: problems}
	}
	return sheet, nil
}

// separator is the character that separates the cells of the header line
// most often, outside quotes: a comma unless semicolons or tabs win.
func separator(data []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range data {
		if c == '"' {
			quoted = !quoted
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		counts[c]++
	}
	sep, best := ',', counts[',']
	for _, c := range []byte{';', '\t'} {
		if counts[c] > best {
			sep, best = rune(c), counts[c]
		}
	}
	return sep
}

func csvProblem(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fileProblem(0, "csv.malformed")
	}
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		return fileProblem(pe.StartLine, "csv.quote")
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fileProblem(pe.Line, "csv.bare_quote")
	}
	return fileProblem(pe.Line, "csv.malformed")
}

func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

// ReadMembersXLSX reads the first sheet of an XLSX file. Cells come as
// they are stored: text as text, numbers and dates as numbers (a date is
// a count of days, which the import turns into a date where the column
// holds dates).
func ReadMembersXLSX(data []byte) (sheet *Sheet, err error) {
	// The file comes from outside and the reader is not ours: whatever it
	// cannot cope with is a file that could not be read, never a crash.
	defer func() {
		if r := recover(); r != nil {
			sheet, err = nil, fileProblem(0, "file.unreadable")
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped})
	if err != nil {
		return nil, fileProblem(0, "file.unreadable")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fileProblem(0, "file.empty")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fileProblem(0, "file.unreadable")
	}
	defer rows.Close()
	sheet = &Sheet{Format: "xlsx"}
	var problems []Problem
	row := 0
	for rows.Next() {
		row++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fileProblem(row, "file.unreadable")
		}
		for i, c := range cells {
			if code, _ := textcheck.Check(c); code != "" {
				problems = append(problems, Problem{Row: row, Column: i + 1, Code: code})
				cells[i] = ""
				continue
			}
			cells[i] = strings.TrimSpace(c)
		}
		if blank(cells) {
			continue
		}
		if sheet.Header == nil {
			sheet.Header = cells
			continue
		}
		if len(sheet.Rows) >= MaxImportRows {
			return nil, fileProblem(row, "file.too_many_rows")
		}
		sheet.Rows = append(sheet.Rows, SheetRow{Row: row, Cells: cells})
	}
	if err := rows.Error(); err != nil {
		return nil, fileProblem(0, "file.unreadable")
	}
	if sheet.Header == nil {
		return nil, fileProblem(0, "file.empty")
	}
	if len(problems) > 0 {
		for i := range problems {
			if problems[i].Column <= len(sheet.Header) {
				problems[i].Header = sheet.Header[problems[i].Column-1]
			}
		}
		return nil, &ImportError{Problems: problems}
	}
	return sheet, nil
}

// ---- mapping columns to the register

// headerNames are the headers people write for the register's standard
// columns, in English and Dutch, lower case, spaces collapsed.
var headerNames = map[string]string{
	"name": "name", "naam": "name", "full name": "name", "volledige naam": "name", "voor- en achternaam": "name",
	"email": "email", "e-mail": "email", "e-mailadres": "email", "emailadres": "email", "email address": "email",
	"e-mail address": "email", "mail": "email",
	"phone": "phone", "telephone": "phone", "phone number": "phone", "telefoon": "phone", "telefoonnummer": "phone",
	"tel": "phone", "tel.": "phone", "mobiel": "phone",
	"address": "address", "adres": "address",
	"circle": "circle", "kring": "circle",
	"number": "number", "member number": "number", "membership number": "number", "lidnummer": "number", "nummer": "number",
	"nr": "number", "nr.": "number",
	"joined": "joined", "joined_on": "joined", "joined on": "joined", "member since": "joined", "lid sinds": "joined",
	"datum lid": "joined", "lid vanaf": "joined", "datum lidmaatschap": "joined",
}

// circleNames are the words people write for the circles.
var circleNames = map[string]Circle{
	"core": Core, "core team": Core, "kern": Core, "kernteam": Core,
	"contributors": Contributors, "contributor": Contributors, "active contributors": Contributors, "bijdragers": Contributors,
	"actieve bijdragers": Contributors, "bijdrager": Contributors,
	"members": Members, "member": Members, "leden": Members, "lid": Members,
	"supporters": Supporters, "supporter": Supporters, "sympathisanten": Supporters, "sympathisant": Supporters,
}

var spaces = regexp.MustCompile(`\s+`)

func headerKey(h string) string {
	return spaces.ReplaceAllString(strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))), " ")
}

// ImportColumn is a column of the file and where it goes in the register.
type ImportColumn struct {
	Column int    // 1 is A
	Header string // as the file writes it
	Field  string // "name", "email", …, "fields.KEY"; "" when left out
	Label  string // the workspace's own field's label, for "fields.KEY"
}

// Letter is the column's name in a spreadsheet: A, B, …
func (c ImportColumn) Letter() string { return ColumnName(c.Column) }

// mapColumns says where each column of header goes: a standard column by
// its English or Dutch header, one of the workspace's own fields by key or
// label, any case. A column the register does not know is a problem unless
// skip is set (then it is listed as skipped); so is a column named twice,
// and a file without a name column.
func mapColumns(sheet *Sheet, fields []Field, skip bool) (cols, skipped []ImportColumn, problems []Problem) {
	seen := map[string]int{}
	for i, h := range sheet.Header {
		c := ImportColumn{Column: i + 1, Header: h}
		key := headerKey(h)
		if key == "" {
			if columnEmpty(sheet, i) {
				continue
			}
			if skip {
				skipped = append(skipped, c)
				continue
			}
			problems = append(problems, Problem{Row: 1, Column: i + 1, Header: h, Code: "column.no_header"})
			continue
		}
		if std, ok := headerNames[key]; ok {
			c.Field = std
		} else if j := slices.IndexFunc(fields, func(f Field) bool { return f.Key == key || headerKey(f.Label) == key }); j >= 0 {
			c.Field, c.Label = "fields."+fields[j].Key, fields[j].Label
		}
		switch {
		case c.Field == "" && skip:
			skipped = append(skipped, c)
			continue
		case c.Field == "":
			problems = append(problems, Problem{Row: 1, Column: i + 1, Header: h, Code: "column.unknown"})
			continue
		case seen[c.Field] > 0:
			problems = append(problems, Problem{Row: 1, Column: i + 1, Header: h, Code: "column.repeated"})
			continue
		}
		seen[c.Field] = i + 1
		cols = append(cols, c)
	}
	if seen["name"] == 0 {
		problems = append(problems, Problem{Row: 1, Code: "import.no_name"})
	}
	return cols, skipped, problems
}

func columnEmpty(sheet *Sheet, i int) bool {
	for _, r := range sheet.Rows {
		if i < len(r.Cells) && r.Cells[i] != "" {
			return false
		}
	}
	return true
}

// ---- the plan and its application

// ImportOptions are the choices of whoever imports.
type ImportOptions struct {
	// SkipUnknown leaves out columns the register does not know (listed
	// in the plan) instead of refusing the file.
	SkipUnknown bool
	// DryRun checks the file and returns the plan without storing it.
	DryRun bool
}

// ImportPlan says what an import does, or did: the rows it adds, where
// each column goes, the first rows as they will be stored.
type ImportPlan struct {
	Format  string
	Columns []ImportColumn
	Skipped []ImportColumn
	Rows    int // new rows of the register
	Linked  int // of which carry the address of an account: linked at once
	Circles map[Circle]int
	Sample  []NewMember // the first rows, as stored (numbers and dates filled in)
	Applied bool
}

// importRow is one row of the file, checked, ready to store.
type importRow struct {
	NewMember
	values map[int64]string // own fields, by field id
}

// ImportMembers adds the rows of sheet to the register of the workspace
// ref, in one transaction: every row is checked first (against the rules
// of a record, each other and the register), and a file with one problem
// adds nothing. The register role may; rows for the core team need core.
// Each person's address is looked up: someone with an account under it is
// linked at once. With opt.DryRun the plan is returned and nothing stored.
func (s *Service) ImportMembers(ctx context.Context, u *account.User, ref string, sheet *Sheet, opt ImportOptions) (ImportPlan, error) {
	if u == nil {
		return ImportPlan{}, errSignIn
	}
	return s.importMembers(ctx, u, ref, sheet, opt)
}

// ImportMembersAsSystem is ImportMembers for the shell (samen import
// members): no account, audited as the system.
func (s *Service) ImportMembersAsSystem(ctx context.Context, ref string, sheet *Sheet, opt ImportOptions) (ImportPlan, error) {
	return s.importMembers(ctx, nil, ref, sheet, opt)
}

func (s *Service) importMembers(ctx context.Context, u *account.User, ref string, sheet *Sheet, opt ImportOptions) (ImportPlan, error) {
	var plan ImportPlan
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, err := load(ctx, tx, ref)
		if err != nil {
			return err
		}
		mayCore := true
		if u != nil {
			v, err := viewerOf(ctx, tx, ws.ID, u)
			if err != nil {
				return err
			}
			if !v.Has(RoleRegister) {
				return errForbidden
			}
			mayCore = v.Core()
		}
		var rows []importRow
		plan, rows, err = s.planImport(ctx, tx, ws, sheet, opt, mayCore)
		if err != nil || opt.DryRun {
			return err
		}
		return s.applyImport(ctx, tx, ws, &plan, rows)
	})
	if err == nil && plan.Applied && plan.Rows >= analyzeAfter {
		// A register that grew by thousands at once gets fresh planner
		// statistics now. Only an optimisation: the import stands
		// whatever ANALYZE says.
		_ = s.DB.RefreshStatistics(ctx, "workspace_members", "workspace_field_values")
	}
	return plan, err
}

// analyzeAfter is the size of an import after which PostgreSQL's
// statistics are refreshed at once.
const analyzeAfter = 1000

// planImport checks every row of sheet and returns what the import would
// add, or an *ImportError with every problem.
func (s *Service) planImport(ctx context.Context, tx store.Querier, ws Workspace, sheet *Sheet, opt ImportOptions, mayCore bool) (ImportPlan, []importRow, error) {
	plan := ImportPlan{Format: sheet.Format, Circles: map[Circle]int{}}
	fields, err := fieldsOf(ctx, tx, ws.ID)
	if err != nil {
		return plan, nil, err
	}
	var problems []Problem
	plan.Columns, plan.Skipped, problems = mapColumns(sheet, fields, opt.SkipUnknown)
	if len(problems) > 0 {
		return plan, nil, &ImportError{Problems: problems}
	}
	if len(sheet.Rows) == 0 {
		return plan, nil, fileProblem(0, "import.no_rows")
	}
	byKey := map[string]Field{}
	for _, f := range fields {
		byKey["fields."+f.Key] = f
	}
	// What the register holds already: addresses of the people in it,
	// every number, every account.
	emails, numbers, users, next, err := registerKeys(ctx, tx, ws.ID)
	if err != nil {
		return plan, nil, err
	}
	columnOf := map[string]ImportColumn{}
	for _, c := range plan.Columns {
		columnOf[c.Field] = c
	}
	add := func(r SheetRow, field, code string) {
		c := columnOf[field]
		problems = append(problems, Problem{Row: r.Row, Column: c.Column, Header: c.Header, Code: code})
	}
	fileEmails := map[string]bool{}
	fileNumbers := map[int64]bool{}
	rows := make([]importRow, 0, len(sheet.Rows))
	for _, r := range sheet.Rows {
		cell := func(field string) string {
			c, ok := columnOf[field]
			if !ok || c.Column > len(r.Cells) {
				return ""
			}
			return r.Cells[c.Column-1]
		}
		if len(r.Cells) > len(sheet.Header) && !blank(r.Cells[len(sheet.Header):]) {
			problems = append(problems, Problem{Row: r.Row, Column: len(sheet.Header) + 1, Code: "csv.field_count"})
		}
		n := NewMember{Name: cell("name"), Email: cell("email"), Phone: cell("phone"), Address: cell("address"), Circle: Members}
		if c := cell("circle"); c != "" {
			if circle, ok := circleNames[headerKey(c)]; ok {
				n.Circle = circle
			} else {
				add(r, "circle", "circle.unknown")
			}
		}
		if c := cell("joined"); c != "" {
			n.Joined = importDate(sheet.Format, c)
		}
		if c := cell("number"); c != "" {
			num, ok := importNumber(c)
			if !ok {
				add(r, "number", "number.invalid")
			} else if num <= 0 {
				add(r, "number", "number.out_of_range")
			}
			n.Number = max(num, 0)
		}
		clean, err := n.Clean()
		if p, ok := problem.As(err); ok {
			for _, f := range slices.Sorted(maps.Keys(p.Fields)) {
				add(r, f, p.Fields[f])
			}
		} else if err != nil {
			return plan, nil, err
		}
		n = clean
		if n.Circle == Core && !mayCore {
			add(r, "circle", "circle.core_only")
		}
		if n.Email != "" {
			if emails[n.Email] {
				add(r, "email", "email.already_member")
			} else if fileEmails[n.Email] {
				add(r, "email", "email.repeated")
			} else {
				fileEmails[n.Email] = true
			}
		}
		if n.Number > 0 {
			if numbers[n.Number] {
				add(r, "number", "number.taken")
			} else if fileNumbers[n.Number] {
				add(r, "number", "number.repeated")
			} else {
				fileNumbers[n.Number] = true
			}
		}
		row := importRow{NewMember: n}
		for _, c := range plan.Columns {
			f, ok := byKey[c.Field]
			if !ok {
				continue
			}
			raw := cell(c.Field)
			if f.Type == FieldDate {
				raw = importDate(sheet.Format, raw)
			}
			v, code := f.Parse(raw)
			if code != "" {
				add(r, c.Field, code)
				continue
			}
			if v != "" {
				if row.values == nil {
					row.values = map[int64]string{}
				}
				row.values[f.ID] = v
			}
		}
		rows = append(rows, row)
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b Problem) int { return cmp.Or(a.Row-b.Row, a.Column-b.Column) })
		return plan, nil, &ImportError{Problems: problems}
	}
	// Numbers for rows without one: after the highest in the register and
	// the file.
	for num := range fileNumbers {
		next = max(next, num+1)
	}
	today := s.today()
	var addrs []string
	for i := range rows {
		if rows[i].Number == 0 {
			rows[i].Number = next
			next++
		}
		if rows[i].Joined == "" {
			rows[i].Joined = today
		}
		if rows[i].Email != "" {
			addrs = append(addrs, rows[i].Email)
		}
	}
	accounts, err := account.ActiveIDs(ctx, tx, addrs)
	if err != nil {
		return plan, nil, err
	}
	for i := range rows {
		if id, ok := accounts[rows[i].Email]; ok && !users[id] {
			rows[i].UserID = id
			users[id] = true // one row per account
			plan.Linked++
		}
		plan.Circles[rows[i].Circle]++
		if i < SampleRows {
			m := rows[i].NewMember
			m.Fields = map[string]string{}
			for _, f := range fields {
				if v, ok := rows[i].values[f.ID]; ok {
					m.Fields[f.Key] = v
				}
			}
			plan.Sample = append(plan.Sample, m)
		}
	}
	plan.Rows = len(rows)
	return plan, rows, nil
}

// importDate reads a date cell: an XLSX date is a count of days since
// 1900 (a whole number, or with a fraction for the time of day); anything
// else is left to the register's date rules.
func importDate(format, s string) string {
	if format != "xlsx" {
		return s
	}
	serial, err := strconv.ParseFloat(s, 64)
	if err != nil || serial < 1 || serial > 2958465 || strings.ContainsAny(s, "eE") {
		return s
	}
	t, err := excelize.ExcelDateToTime(serial, false)
	if err != nil {
		return s
	}
	return t.Format(time.DateOnly)
}

// importNumber reads a membership number: digits, or a whole number as a
// spreadsheet stores it ("12.0").
func importNumber(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if whole, ok := strings.CutSuffix(s, ".0"); ok {
		n, err := strconv.ParseInt(whole, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// registerKeys returns what a new row may not repeat: the addresses of the
// people in the register now, every membership number ever given, the
// accounts with a row; and the next free number.
func registerKeys(ctx context.Context, q store.Querier, wsID int64) (emails map[string]bool, numbers map[int64]bool, users map[int64]bool, next int64, err error) {
	emails, numbers, users, next = map[string]bool{}, map[int64]bool{}, map[int64]bool{}, 1
	rows, err := q.Query(ctx, `SELECT number, email, COALESCE(user_id, 0), left_on IS NULL AND erased_at IS NULL
		FROM workspace_members WHERE workspace_id = ?`, wsID)
	if err != nil {
		return
	}
	defer rows.Close()
	for rows.Next() {
		var number, user int64
		var email string
		var active bool
		if err = rows.Scan(&number, &email, &user, &active); err != nil {
			return
		}
		numbers[number] = true
		next = max(next, number+1)
		if user != 0 {
			users[user] = true
		}
		if active && email != "" {
			emails[email] = true
		}
	}
	err = rows.Err()
	return
}

// placeholders is n question marks for an IN list or a VALUES row.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// importBatch is how many rows one INSERT writes: well under the engines'
// limits on parameters (11 a row).
const importBatch = 500

// applyImport writes the rows in batches of multi-row INSERTs and records
// the import in the audit log: how many rows, the range of their ids, the
// columns; never a name or an address.
func (s *Service) applyImport(ctx context.Context, tx store.Querier, ws Workspace, plan *ImportPlan, rows []importRow) error {
	now := s.Now.Millis()
	ids := make(map[int64]int64, len(rows)) // number -> id
	for batch := range slices.Chunk(rows, importBatch) {
		args := make([]any, 0, len(batch)*11)
		for _, r := range batch {
			var user any
			if r.UserID != 0 {
				user = r.UserID
			}
			args = append(args, ws.ID, user, r.Circle, r.Number, r.Name, r.Email, r.Phone, r.Address, r.Joined, now, now)
		}
		values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", len(batch)), ", ")
		res, err := tx.Query(ctx, `INSERT INTO workspace_members (workspace_id, user_id, circle, number, name, email, phone, address, joined_on, created_at, updated_at)
			VALUES `+values+` RETURNING id, number`, args...)
		if err != nil {
			return err
		}
		for res.Next() {
			var id, number int64
			if err := res.Scan(&id, &number); err != nil {
				res.Close()
				return err
			}
			ids[number] = id
		}
		res.Close()
		if err := res.Err(); err != nil {
			if store.IsUniqueViolation(err) {
				// Someone added a row with the same number or account
				// since the plan was made: nothing is stored.
				return problem.New(problem.Conflict, "workspace.import_conflict")
			}
			return err
		}
	}
	var values []any
	for _, r := range rows {
		for fid, v := range r.values {
			values = append(values, ids[r.Number], fid, v)
		}
	}
	for batch := range slices.Chunk(values, 3*1000) {
		if _, err := tx.Exec(ctx, `INSERT INTO workspace_field_values (member_id, field_id, value) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(batch)/3), ", "), batch...); err != nil {
			return err
		}
	}
	var first, last int64
	for _, id := range ids {
		if first == 0 || id < first {
			first = id
		}
		last = max(last, id)
	}
	columns := make([]string, len(plan.Columns))
	for i, c := range plan.Columns {
		columns[i] = c.Field
	}
	circles := map[string]int{}
	for c, n := range plan.Circles {
		circles[string(c)] = n
	}
	plan.Applied = true
	return audit.RecordID(ctx, tx, "workspace.import", "workspace", ws.ID, map[string]any{
		"members": len(rows), "linked": plan.Linked, "first_member": first, "last_member": last,
		"circles": circles, "columns": columns, "skipped": len(plan.Skipped), "format": plan.Format})
}

// ---- export

// ExportColumn is a column of an export: a standard field's name or an own
// field's key as the header (what an import reads back).
type ExportColumn struct {
	Header string
	Label  string // an own field's label; "" for the standard columns
	Field  string // "number", …, "fields.KEY"
}

// Export is the register as u may see it, ready to write.
type Export struct {
	Workspace Workspace
	Columns   []ExportColumn
	Members   []Member
}

// ExportRegister returns every row of the register that f selects (its
// Limit and After are ignored), as u may see it: the same rules as
// Register. The columns are the standard ones and the workspace's own,
// each only when u may see it in other people's rows. The export is
// written to the audit log with the count and the columns.
func (s *Service) ExportRegister(ctx context.Context, u *account.User, ref string, f Filter, format string) (Export, error) {
	var out Export
	f.Query = textcheck.Collapse(f.Query)
	if f.Circle != "" && !f.Circle.Valid() {
		return out, &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"circle": "choice.unknown"}}
	}
	if format != "csv" && format != "xlsx" {
		return out, &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"format": "choice.unknown"}}
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Sees(ws.Settings.Register) && !v.Has(RoleRegister) {
			return errForbidden
		}
		out.Workspace = ws
		fields, err := fieldsOf(ctx, tx, ws.ID)
		if err != nil {
			return err
		}
		out.Columns = []ExportColumn{{Header: "number", Field: "number"}, {Header: "name", Field: "name"}, {Header: "circle", Field: "circle"}}
		for _, name := range []string{"email", "phone", "address", "joined"} {
			if v.Has(RoleRegister) || v.Sees(ws.Settings.Fields[name]) {
				out.Columns = append(out.Columns, ExportColumn{Header: name, Field: name})
				if name == "joined" && f.Left {
					out.Columns = append(out.Columns, ExportColumn{Header: "left", Field: "left"})
				}
			}
		}
		if !v.Has(RoleRegister) && !v.Sees(ws.Settings.Fields["number"]) {
			out.Columns = out.Columns[1:]
		}
		for _, fd := range fields {
			if v.Has(RoleRegister) || v.Sees(fd.Visibility) {
				out.Columns = append(out.Columns, ExportColumn{Header: fd.Key, Label: fd.Label, Field: "fields." + fd.Key})
			}
		}
		after := int64(-1)
		for {
			page, err := registerPage(ctx, tx, ws.ID, f, after)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			after = page[len(page)-1].Number
			if err := attachValues(ctx, tx, fields, page); err != nil {
				return err
			}
			for i := range page {
				page[i].restrict(v, ws.Settings, fields)
			}
			out.Members = append(out.Members, page...)
		}
		others := 0
		for _, m := range out.Members {
			if m.ID != v.MemberID {
				others++
			}
		}
		names := make([]string, len(out.Columns))
		for i, c := range out.Columns {
			names[i] = c.Field
		}
		return audit.RecordID(ctx, tx, "workspace.register_export", "workspace", ws.ID, map[string]any{
			"members": others, "fields": names, "format": format, "circle": string(f.Circle), "left": f.Left})
	})
	return out, err
}

// registerPage reads up to MaxPage rows of the register after the number
// after, as stored.
func registerPage(ctx context.Context, q store.Querier, wsID int64, f Filter, after int64) ([]Member, error) {
	where := []string{"workspace_id = ?", "number > ?"}
	args := []any{wsID, after}
	if f.Left {
		where = append(where, "(left_on IS NOT NULL OR erased_at IS NOT NULL)")
	} else {
		where = append(where, "left_on IS NULL", "erased_at IS NULL")
	}
	if f.Circle != "" {
		where = append(where, "circle = ?")
		args = append(args, f.Circle)
	}
	if f.Query != "" {
		where = append(where, "LOWER(name) LIKE ? ESCAPE '\\'")
		args = append(args, "%"+likeEscape(strings.ToLower(f.Query))+"%")
	}
	args = append(args, MaxPage)
	rows, err := q.Query(ctx, `SELECT `+memberColumns+` FROM workspace_members WHERE `+strings.Join(where, " AND ")+
		` ORDER BY number LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// cell is the text of one column of a row.
func (e Export) cell(m Member, c ExportColumn) string {
	switch c.Field {
	case "number":
		if m.Number == 0 {
			return ""
		}
		return strconv.FormatInt(m.Number, 10)
	case "name":
		return m.Name
	case "circle":
		return string(m.Circle)
	case "email":
		return m.Email
	case "phone":
		return m.Phone
	case "address":
		return m.Address
	case "joined":
		return m.Joined
	case "left":
		return m.Left
	}
	return m.Fields[strings.TrimPrefix(c.Field, "fields.")]
}

// WriteCSV writes the export as CSV: a header of keys, which an import
// reads back, and cells a spreadsheet would run as formulas guarded.
func (e Export) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(e.Columns))
	for i, c := range e.Columns {
		header[i] = c.Header
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(e.Columns))
	for _, m := range e.Members {
		for i, c := range e.Columns {
			row[i] = csvcell.Guard(e.cell(m, c))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes the export as an XLSX workbook of one sheet: numbers as
// numbers, dates as dates, everything else as text (never a formula).
func (e Export) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	header := make([]any, len(e.Columns))
	for i, c := range e.Columns {
		header[i] = c.Header
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for r, m := range e.Members {
		row := make([]any, len(e.Columns))
		for i, c := range e.Columns {
			v := e.cell(m, c)
			switch {
			case v == "":
				row[i] = nil
			case c.Field == "number":
				row[i] = m.Number
			case c.Field == "joined" || c.Field == "left":
				if t, err := time.Parse(time.DateOnly, v); err == nil {
					row[i] = excelize.Cell{StyleID: dateStyle, Value: t}
				} else {
					row[i] = v
				}
			default:
				row[i] = v
			}
		}
		cellName, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cellName, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
