package workspace

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"samen/internal/account"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestColumnName(t *testing.T) {
	for n, want := range map[int]string{0: "", 1: "A", 2: "B", 26: "Z", 27: "AA", 52: "AZ", 53: "BA", 702: "ZZ", 703: "AAA"} {
		if got := ColumnName(n); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestReadMembersCSV(t *testing.T) {
	data, err := os.ReadFile("testdata/members.csv")
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := ReadSheet(data)
	if err != nil {
		t.Fatal(err)
	}
	if sheet.Format != "csv" || sheet.Header[0] != "Naam" || len(sheet.Rows) != 5 {
		t.Fatalf("read %+v", sheet)
	}
	if r := sheet.Rows[3]; r.Row != 5 || r.Cells[0] != `Priya "Pri" Sharma` || r.Cells[2] != "+31 20 555 0101" {
		t.Errorf("row with quotes and a guarded cell: %+v", r)
	}
	// Commas, no byte order mark, a cell over two lines: its row is the
	// line it starts on.
	sheet, err = ReadSheet([]byte("name,email\n\"Ann\nB\",a@example.org\nCees,c@example.org\n"))
	if err != nil || len(sheet.Rows) != 2 || sheet.Rows[1].Row != 4 || sheet.Rows[0].Cells[0] != "Ann\nB" {
		t.Errorf("comma file: %+v, %v", sheet, err)
	}
	for _, tc := range []struct {
		name string
		data string
		want Problem
	}{
		{"latin-1", "naam;email\nJos\xe9;j@example.org\n", Problem{Row: 2, Code: "file.encoding"}},
		{"utf-16", "\xff\xfen\x00a\x00", Problem{Code: "file.encoding"}},
		{"empty", "\xef\xbb\xbf \n", Problem{Code: "file.empty"}},
		{"blank cells", ";\n ; \n", Problem{Code: "file.empty"}},
		{"old excel", "\xd0\xcf\x11\xe0rest", Problem{Code: "file.old_excel"}},
		{"open quote", "name\n\"Ann\nBob\n", Problem{Row: 2, Code: "csv.quote"}},
		{"bare quote", "name\nAn\"n\n", Problem{Row: 2, Code: "csv.bare_quote"}},
		{"control", "name;email\nAnn\x01;a@example.org\n", Problem{Row: 2, Column: 1, Header: "name", Code: "text.control"}},
	} {
		_, err := ReadSheet([]byte(tc.data))
		if p := ImportProblems(err); len(p) != 1 || p[0] != tc.want {
			t.Errorf("%s: %v, want %+v", tc.name, err, tc.want)
		}
	}
}

// xlsxFile makes a workbook as a spreadsheet program would: rows of cells,
// dates as date cells.
func xlsxFile(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
			if _, ok := v.(time.Time); ok {
				if err := f.SetCellStyle("Sheet1", cell, cell, style); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadMembersXLSX(t *testing.T) {
	data := xlsxFile(t, [][]any{
		{"Naam", "E-mail", "Lid sinds", "Lidnummer", "Telefoon"},
		{"Ans", "ans@example.org", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), 7, "0612345678"},
		{},
		{"Bas", "bas@example.org", "15-4-2023", 8.0},
	})
	sheet, err := ReadSheet(data)
	if err != nil {
		t.Fatal(err)
	}
	if sheet.Format != "xlsx" || len(sheet.Rows) != 2 || sheet.Rows[1].Row != 4 {
		t.Fatalf("read %+v", sheet)
	}
	if got := importDate("xlsx", sheet.Rows[0].Cells[2]); got != "2024-03-01" {
		t.Errorf("a date cell reads %q (%q)", got, sheet.Rows[0].Cells[2])
	}
	if n, ok := importNumber(sheet.Rows[1].Cells[3]); !ok || n != 8 {
		t.Errorf("a number cell reads %q", sheet.Rows[1].Cells[3])
	}
	if _, err := ReadSheet([]byte("PK\x03\x04 not a zip")); !slices.Equal(ImportProblems(err), []Problem{{Code: "file.unreadable"}}) {
		t.Errorf("a broken workbook: %v", err)
	}
}

// importFixture is anna's workspace with two fields of its own.
func importFixture(t *testing.T, db *store.DB) (*fixture, Workspace) {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t, db)
	ws, err := f.svc.Create(ctx, f.anna, Draft{Name: "Buurtkracht"})
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range []Field{
		{Label: "IBAN", Type: FieldText, Visibility: Visibility(Core)},
		{Key: "diet", Label: "Dieet", Type: FieldChoice, Choices: []string{"Vegetarisch", "Veganistisch"}, Visibility: Visibility(Members)},
		{Key: "birth", Label: "Geboortedatum", Type: FieldDate, Visibility: Visibility(Core)},
	} {
		if _, err := f.svc.SaveField(ctx, f.anna, ws.Slug, fd); err != nil {
			t.Fatal(err)
		}
	}
	return f, ws
}

func readFixture(t *testing.T) *Sheet {
	t.Helper()
	data, err := os.ReadFile("testdata/members.csv")
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := ReadSheet(data)
	if err != nil {
		t.Fatal(err)
	}
	return sheet
}

func register(t *testing.T, f *fixture, u *account.User, ref string) []Member {
	t.Helper()
	ms, _, err := f.svc.Register(context.Background(), u, ref, Filter{Limit: MaxPage})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestImportMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, ws := importFixture(t, db)
		sheet := readFixture(t)

		// The preview stores nothing.
		plan, err := f.svc.ImportMembers(ctx, f.anna, ws.Slug, sheet, ImportOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if plan.Rows != 5 || plan.Linked != 1 || plan.Applied || len(plan.Sample) != SampleRows {
			t.Errorf("plan %+v", plan)
		}
		var mapped []string
		for _, c := range plan.Columns {
			mapped = append(mapped, c.Field)
		}
		if want := []string{"name", "email", "phone", "address", "circle", "number", "joined", "fields.iban", "fields.diet"}; !slices.Equal(mapped, want) {
			t.Errorf("columns map to %v, want %v", mapped, want)
		}
		s := plan.Sample
		if s[0].Number != 101 || s[0].Joined != "2024-03-01" || s[0].Circle != Members || s[0].Fields["diet"] != "Vegetarisch" ||
			s[1].Email != "jan@example.org" || s[1].Circle != Supporters || s[1].Number != 102 || s[1].Joined != "2024-05-17" ||
			s[3].Joined != "2023-02-01" || s[3].Phone != "+31 20 555 0101" || s[4].Joined != "2026-06-01" || s[4].Circle != Members {
			t.Errorf("sample %+v", s)
		}
		if n := len(register(t, f, f.anna, ws.Slug)); n != 1 {
			t.Fatalf("the preview stored rows: %d in the register", n)
		}

		plan, err = f.svc.ImportMembers(ctx, f.anna, ws.Slug, sheet, ImportOptions{})
		if err != nil || !plan.Applied || plan.Rows != 5 {
			t.Fatalf("import: %+v, %v", plan, err)
		}
		ms := register(t, f, f.anna, ws.Slug)
		if len(ms) != 6 {
			t.Fatalf("%d in the register, want 6", len(ms))
		}
		byName := map[string]Member{}
		for _, m := range ms {
			byName[m.Name] = m
		}
		if m := byName["Fatima El Amrani"]; m.Fields["iban"] != "NL91ABNA0417164300" || m.Address != "Javastraat 1, Amsterdam" || m.Number != 101 {
			t.Errorf("Fatima: %+v", m)
		}
		// bert has an account under the address: linked at once.
		if m := byName["bert"]; m.UserID != f.bert.ID || m.Circle != Contributors {
			t.Errorf("bert: %+v", m)
		}
		if mine, err := f.svc.Mine(ctx, f.bert); err != nil || len(mine) != 1 {
			t.Errorf("bert's workspaces: %v, %v", mine, err)
		}
		// The audit log has counts and ids, no names or addresses.
		entries := auditActions(t, db, "workspace.import")
		if len(entries) != 1 || entries[0].Detail["members"] != float64(5) || entries[0].Detail["linked"] != float64(1) {
			t.Fatalf("audit: %+v", entries)
		}
		line := fmt.Sprint(entries[0].Detail)
		for _, secret := range []string{"Fatima", "example.org", "NL91"} {
			if strings.Contains(line, secret) {
				t.Errorf("the audit log holds %q: %s", secret, line)
			}
		}

		// The same file again: every address and number is taken now.
		_, err = f.svc.ImportMembers(ctx, f.anna, ws.Slug, sheet, ImportOptions{})
		probs := ImportProblems(err)
		if len(probs) != 5 || probs[0] != (Problem{Row: 2, Column: 2, Header: "E-mail", Code: "email.already_member"}) ||
			probs[1] != (Problem{Row: 2, Column: 6, Header: "Lidnummer", Code: "number.taken"}) {
			t.Errorf("a second import: %+v", probs)
		}
		if n := len(register(t, f, f.anna, ws.Slug)); n != 6 {
			t.Errorf("a refused import stored rows: %d", n)
		}
	})
}

// One bad row: the import names it and stores nothing.
func TestImportRefusesAFileWithABadRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, ws := importFixture(t, db)
		for _, tc := range []struct {
			name, file string
			opt        ImportOptions
			want       []Problem
		}{
			{"bad address", "naam;email\nAns;ans@example.org\nBas;geen adres\nCees;cees@example.org\n", ImportOptions{},
				[]Problem{{Row: 3, Column: 2, Header: "email", Code: "email.invalid"}}},
			{"twice in the file", "name,e-mail,lidnummer\nAns,ans@example.org,4\nBas,ANS@example.org,4\n", ImportOptions{},
				[]Problem{{Row: 3, Column: 2, Header: "e-mail", Code: "email.repeated"}, {Row: 3, Column: 3, Header: "lidnummer", Code: "number.repeated"}}},
			{"unknown column", "name,email,schoenmaat\nAns,ans@example.org,42\n", ImportOptions{},
				[]Problem{{Row: 1, Column: 3, Header: "schoenmaat", Code: "column.unknown"}}},
			{"no name", "email\nans@example.org\n", ImportOptions{}, []Problem{{Row: 1, Code: "import.no_name"}}},
			{"repeated column", "name,naam\nAns,Ans\n", ImportOptions{}, []Problem{{Row: 1, Column: 2, Header: "naam", Code: "column.repeated"}}},
			{"no rows", "name,email\n", ImportOptions{}, []Problem{{Code: "import.no_rows"}}},
			{"values", "name;kring;lid sinds;dieet;geboortedatum;lidnummer\n;vrienden;31-2-2024;vlees;gisteren;-3\n", ImportOptions{},
				[]Problem{{Row: 2, Column: 1, Header: "name", Code: "required"}, {Row: 2, Column: 2, Header: "kring", Code: "circle.unknown"},
					{Row: 2, Column: 3, Header: "lid sinds", Code: "date.invalid"}, {Row: 2, Column: 4, Header: "dieet", Code: "choice.unknown"},
					{Row: 2, Column: 5, Header: "geboortedatum", Code: "date.invalid"}, {Row: 2, Column: 6, Header: "lidnummer", Code: "number.out_of_range"}}},
			{"extra cells", "name,email\nAns,ans@example.org,surprise\n", ImportOptions{}, []Problem{{Row: 2, Column: 3, Code: "csv.field_count"}}},
			{"anna is in it", "name,email\nAnna,Anna@example.org\n", ImportOptions{}, []Problem{{Row: 2, Column: 2, Header: "email", Code: "email.already_member"}}},
		} {
			sheet, err := ReadSheet([]byte(tc.file))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			_, err = f.svc.ImportMembers(ctx, f.anna, ws.Slug, sheet, tc.opt)
			if got := ImportProblems(err); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
			}
			if p, ok := problem.As(err); !ok || p.Kind != problem.Invalid {
				t.Errorf("%s: %v is not a validation problem", tc.name, err)
			}
		}
		if n := len(register(t, f, f.anna, ws.Slug)); n != 1 {
			t.Errorf("refused files stored rows: %d in the register", n)
		}
		// Columns the register does not know can be left out, by choice.
		sheet, _ := ReadSheet([]byte("name,email,schoenmaat,\nAns,ans@example.org,42,x\n"))
		plan, err := f.svc.ImportMembers(ctx, f.anna, ws.Slug, sheet, ImportOptions{SkipUnknown: true})
		if err != nil || plan.Rows != 1 || len(plan.Skipped) != 2 || plan.Skipped[0].Header != "schoenmaat" {
			t.Errorf("skipping unknown columns: %+v, %v", plan, err)
		}
	})
}

func TestImportNeedsTheRegisterRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, ws := importFixture(t, db)
		sheet, _ := ReadSheet([]byte("name,circle\nKees,core\n"))
		// An outsider, and someone in the members circle without the role.
		_, err := f.svc.ImportMembers(ctx, f.bert, ws.Slug, sheet, ImportOptions{DryRun: true})
		wantProblem(t, "an outsider imports", err, problem.Forbidden, "workspace.forbidden")
		m, err := f.svc.AddMember(ctx, f.anna, ws.Slug, NewMember{Name: "cato", Email: f.cato.Email, Circle: Members})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.ImportMembers(ctx, f.cato, ws.Slug, sheet, ImportOptions{DryRun: true})
		wantProblem(t, "a member imports", err, problem.Forbidden, "workspace.forbidden")
		_, err = f.svc.ImportMembers(ctx, nil, ws.Slug, sheet, ImportOptions{DryRun: true})
		wantProblem(t, "nobody imports", err, problem.Unauthorized, "workspace.sign_in")
		// With the register role: everyone but the core team.
		if err := f.svc.Grant(ctx, f.anna, ws.Slug, m.ID, RoleRegister); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.ImportMembers(ctx, f.cato, ws.Slug, sheet, ImportOptions{})
		if got := ImportProblems(err); !slices.Equal(got, []Problem{{Row: 2, Column: 2, Header: "circle", Code: "circle.core_only"}}) {
			t.Errorf("the register role imports into core: %v", err)
		}
		sheet, _ = ReadSheet([]byte("name,circle\nKees,members\n"))
		if plan, err := f.svc.ImportMembers(ctx, f.cato, ws.Slug, sheet, ImportOptions{}); err != nil || plan.Rows != 1 {
			t.Errorf("the register role imports: %+v, %v", plan, err)
		}
		// The shell imports as the system, into any circle.
		sheet, _ = ReadSheet([]byte("name,circle\nKoos,core\n"))
		if plan, err := f.svc.ImportMembersAsSystem(ctx, ws.Slug, sheet, ImportOptions{}); err != nil || plan.Rows != 1 {
			t.Errorf("the system imports: %+v, %v", plan, err)
		}
		if e := auditActions(t, db, "workspace.import"); len(e) != 2 || e[1].ActorID != 0 || e[1].ActorLabel != "system" {
			t.Errorf("the system's import is audited as %+v", e)
		}
	})
}

func TestImportXLSX(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, ws := importFixture(t, db)
		data := xlsxFile(t, [][]any{
			{"Naam", "E-mail", "Lid sinds", "Lidnummer", "Geboortedatum"},
			{"Ans", "ans@example.org", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), 7, time.Date(1980, 12, 31, 0, 0, 0, 0, time.UTC)},
			{"Bas", "bas@example.org", "15-4-2023", 8.0, "1-1-1990"},
		})
		sheet, err := ReadSheet(data)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := f.svc.ImportMembers(ctx, f.anna, ws.Slug, sheet, ImportOptions{})
		if err != nil || plan.Rows != 2 {
			t.Fatalf("%+v, %v", plan, err)
		}
		s := plan.Sample
		if s[0].Joined != "2024-03-01" || s[0].Number != 7 || s[0].Fields["birth"] != "1980-12-31" || s[1].Joined != "2023-04-15" ||
			s[1].Number != 8 || s[1].Fields["birth"] != "1990-01-01" {
			t.Errorf("stored %+v", s)
		}
	})
}

// An export imports back into another workspace as it was.
func TestExportImportsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, ws := importFixture(t, db)
		if _, err := f.svc.ImportMembers(ctx, f.anna, ws.Slug, readFixture(t), ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		other, err := f.svc.Create(ctx, f.dirk, Draft{Name: "Kopie"})
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range []Field{{Key: "iban", Label: "IBAN", Type: FieldText, Visibility: Visibility(Core)},
			{Key: "diet", Label: "Dieet", Type: FieldChoice, Choices: []string{"Vegetarisch", "Veganistisch"}, Visibility: Visibility(Members)},
			{Key: "birth", Label: "Geboortedatum", Type: FieldDate, Visibility: Visibility(Core)}} {
			if _, err := f.svc.SaveField(ctx, f.dirk, other.Slug, fd); err != nil {
				t.Fatal(err)
			}
		}
		for _, format := range []string{"xlsx", "csv"} {
			exp, err := f.svc.ExportRegister(ctx, f.anna, ws.Slug, Filter{Circle: Supporters}, format)
			if err != nil {
				t.Fatal(err)
			}
			if len(exp.Members) != 1 || exp.Members[0].Name != "Jan de Vries" {
				t.Fatalf("%s: exported %+v", format, exp.Members)
			}
			exp, err = f.svc.ExportRegister(ctx, f.anna, ws.Slug, Filter{}, format)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if format == "csv" {
				err = exp.WriteCSV(&b)
			} else {
				err = exp.WriteXLSX(&b)
			}
			if err != nil {
				t.Fatal(err)
			}
			if format == "csv" && !strings.Contains(b.String(), ",'+31 20 555 0101,") {
				t.Errorf("the CSV export does not guard a formula-like cell:\n%s", b.String())
			}
			sheet, err := ReadSheet(b.Bytes())
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			// dirk is the other workspace's core: leave out anna, who is
			// a person of her own there.
			sheet.Rows = slices.DeleteFunc(sheet.Rows, func(r SheetRow) bool { return r.Cells[1] == "anna" })
			plan, err := f.svc.ImportMembers(ctx, f.dirk, other.Slug, sheet, ImportOptions{DryRun: format == "xlsx"})
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if plan.Rows != 5 {
				t.Errorf("%s: %d rows", format, plan.Rows)
			}
		}
		strip := func(ms []Member) []string {
			var out []string
			for _, m := range ms {
				if m.Name != "anna" && m.Name != "dirk" {
					out = append(out, fmt.Sprint(m.Number, m.Name, m.Circle, m.Email, m.Phone, m.Address, m.Joined, m.Fields))
				}
			}
			return out
		}
		if a, b := strip(register(t, f, f.anna, ws.Slug)), strip(register(t, f, f.dirk, other.Slug)); !slices.Equal(a, b) {
			t.Errorf("the copy differs:\n%v\n%v", a, b)
		}
		if e := auditActions(t, db, "workspace.register_export"); len(e) != 4 || e[0].Detail["members"] != float64(5) || e[2].Detail["format"] != "xlsx" { // newest first
			t.Errorf("exports audited: %+v", e)
		}
	})
}

// A member sees in an export what the register shows them: no addresses,
// no fields for core only.
func TestExportFollowsTheRegisterRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, ws := importFixture(t, db)
		if _, err := f.svc.ImportMembers(ctx, f.anna, ws.Slug, readFixture(t), ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		exp, err := f.svc.ExportRegister(ctx, f.bert, ws.Slug, Filter{}, "csv")
		if err != nil {
			t.Fatal(err)
		}
		var headers []string
		for _, c := range exp.Columns {
			headers = append(headers, c.Header)
		}
		if slices.Contains(headers, "email") || slices.Contains(headers, "iban") || !slices.Contains(headers, "diet") {
			t.Errorf("a contributor's export has columns %v", headers)
		}
		var b bytes.Buffer
		if err := exp.WriteCSV(&b); err != nil || strings.Contains(b.String(), "example.org") || strings.Contains(b.String(), "NL91") {
			t.Errorf("a contributor's export:\n%s", b.String())
		}
		_, err = f.svc.ExportRegister(ctx, f.cato, ws.Slug, Filter{}, "csv")
		wantProblem(t, "an outsider exports", err, problem.Forbidden, "workspace.forbidden")
	})
}

// BenchmarkImportTenThousand imports a file of 10,000 rows (name, e-mail,
// phone, a date and two fields of the workspace's own) into a new
// workspace, each iteration: reading the CSV, checking, one transaction.
func BenchmarkImportTenThousand(b *testing.B) {
	data := tenThousand()
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := benchDB(b, engine)
			ctx := context.Background()
			svc, anna := benchService(b, db)
			i := 0
			for b.Loop() {
				i++
				ws, err := svc.Create(ctx, anna, Draft{Name: fmt.Sprintf("Bench %d", i)})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := svc.SaveField(ctx, anna, ws.Slug, Field{Key: "iban", Label: "IBAN", Type: FieldText, Visibility: Visibility(Core)}); err != nil {
					b.Fatal(err)
				}
				if _, err := svc.SaveField(ctx, anna, ws.Slug, Field{Key: "diet", Label: "Dieet", Type: FieldChoice, Choices: []string{"Vegetarisch", "Veganistisch"}, Visibility: Visibility(Members)}); err != nil {
					b.Fatal(err)
				}
				sheet, err := ReadSheet(data)
				if err != nil {
					b.Fatal(err)
				}
				plan, err := svc.ImportMembers(ctx, anna, ws.Slug, sheet, ImportOptions{})
				if err != nil || plan.Rows != 10000 {
					b.Fatalf("%+v %v", plan.Rows, err)
				}
			}
		})
	}
}

func tenThousand() []byte {
	var b bytes.Buffer
	b.WriteString("naam;e-mail;telefoon;lid sinds;iban;dieet\n")
	for i := range 10000 {
		diet := ""
		if i%3 == 0 {
			diet = "vegetarisch"
		}
		fmt.Fprintf(&b, "Lid %d;lid%d@example.org;06 %08d;%d-%d-20%02d;NL%02dBANK%010d;%s\n", i, i, i, 1+i%28, 1+i%12, i%25, i%100, i, diet)
	}
	return b.Bytes()
}

// BenchmarkRegisterTenThousand reads the register of a workspace of
// 10,000 people (two fields of its own): the first page, a later page and
// a search by name, as core. It reports the 99th percentile of the
// latency besides the mean.
func BenchmarkRegisterTenThousand(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := benchDB(b, engine)
			ctx := context.Background()
			svc, anna := benchService(b, db)
			ws := benchRegister(b, svc, anna)
			for _, tc := range []struct {
				name string
				f    Filter
			}{
				{"first page", Filter{}},
				{"page 50", Filter{After: 5000}},
				{"search", Filter{Query: "lid 99"}},
				{"circle", Filter{Circle: Supporters}},
			} {
				b.Run(tc.name, func(b *testing.B) {
					p99(b, func() {
						ms, _, err := svc.Register(ctx, anna, ws.Slug, tc.f)
						if err != nil || len(ms) == 0 {
							b.Fatalf("%d rows, %v", len(ms), err)
						}
					})
				})
			}
		})
	}
}

// benchRegister is a workspace of anna's with 10,000 more people.
func benchRegister(b *testing.B, svc *Service, anna *account.User) Workspace {
	b.Helper()
	ctx := context.Background()
	ws, err := svc.Create(ctx, anna, Draft{Name: "Tienduizend"})
	if err != nil {
		b.Fatal(err)
	}
	for _, fd := range []Field{{Key: "iban", Label: "IBAN", Type: FieldText, Visibility: Visibility(Core)},
		{Key: "diet", Label: "Dieet", Type: FieldChoice, Choices: []string{"Vegetarisch", "Veganistisch"}, Visibility: Visibility(Members)}} {
		if _, err := svc.SaveField(ctx, anna, ws.Slug, fd); err != nil {
			b.Fatal(err)
		}
	}
	sheet, err := ReadSheet(tenThousand())
	if err != nil {
		b.Fatal(err)
	}
	for i := range sheet.Rows {
		if i%4 == 0 {
			sheet.Rows[i].Cells = append(sheet.Rows[i].Cells[:6:6], "supporters")
		}
	}
	sheet.Header = append(sheet.Header, "kring")
	if _, err := svc.ImportMembersAsSystem(ctx, ws.Slug, sheet, ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	return ws
}

// p99 runs f as the benchmark's loop and reports the 99th percentile and
// the median of its latency in milliseconds.
func p99(b *testing.B, f func()) {
	var ds []time.Duration
	for b.Loop() {
		start := time.Now()
		f()
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
}
