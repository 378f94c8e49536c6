package workspace

import (
	"os"
	"testing"
	"time"

	"samen/internal/textcheck"
)

// checkSheet holds for whatever a reader makes of any input: a sheet or
// the problems of the file, never both, never a crash; rows in the order
// of the file, below the header, their cells text that passes the rule
// for text from outside.
func checkSheet(t *testing.T, sheet *Sheet, err error) {
	if err != nil {
		if sheet != nil || len(ImportProblems(err)) == 0 {
			t.Fatalf("an error without problems, or with a sheet: %v", err)
		}
		return
	}
	if sheet == nil || len(sheet.Header) == 0 {
		t.Fatalf("no sheet and no error")
	}
	last := 1
	for _, r := range sheet.Rows {
		if r.Row <= last {
			t.Fatalf("row %d after %d", r.Row, last)
		}
		last = r.Row
		for _, c := range r.Cells {
			if code, _ := textcheck.Check(c); code != "" {
				t.Fatalf("cell %q passes with %s", c, code)
			}
		}
	}
	if len(sheet.Rows) > MaxImportRows {
		t.Fatalf("%d rows", len(sheet.Rows))
	}
}

func FuzzReadMembersCSV(f *testing.F) {
	if data, err := os.ReadFile("testdata/members.csv"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{"name,email\nAnn,a@example.org\n", "naam;e-mail\n\"A;n\"\"n\";x\n", "\xef\xbb\xbfname\n\n\nA\n",
		"name\n\"open", "a\tb\nc\td\n", "\xff\xfe", "name\nJos\xe9\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sheet, err := ReadMembersCSV(data)
		checkSheet(t, sheet, err)
	})
}

func FuzzReadMembersXLSX(f *testing.F) {
	book := xlsxFile(f, [][]any{{"Naam", "E-mail", "Lid sinds"}, {"Ans", "ans@example.org", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}, {}, {"Bas", 12, "1-1-2020"}})
	f.Add(book)
	f.Add(book[:len(book)/2])
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sheet, err := ReadMembersXLSX(data)
		checkSheet(t, sheet, err)
	})
}
