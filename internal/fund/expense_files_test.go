package fund

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/workspace"
)

// A receipt as a phone or a scanner makes it: the bytes say PDF.
const testPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Bonnetje Bouwmarkt Noord, 12,95\n%%EOF\n"

// submitWith submits an expense of u with receipts as the pages do: the
// bytes go into the workspace store, and the expense names them in the
// transaction StoreBlobs waits for.
func (f *fixture) submitWith(u *account.User, d DraftExpense, submit bool, files map[string]string) (Expense, error) {
	var bodies []io.Reader
	var names []string
	for name, body := range files {
		names = append(names, name)
		bodies = append(bodies, strings.NewReader(body))
	}
	var e Expense
	err := f.ws.StoreBlobs(context.Background(), bodies, MaxExpenseFileBytes, func(blobs []workspace.Blob) error {
		for i, b := range blobs {
			d.Files = append(d.Files, NewExpenseFile{Name: names[i], Blob: b})
		}
		var err error
		e, err = f.svc.SubmitExpense(context.Background(), u, f.slug, d, submit)
		return err
	})
	return e, ExpenseFileProblem(err)
}

// onDisk lists the bytes in the store (not temporary files).
func onDisk(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Receipts: attached when submitting, added to a draft by its submitter
// only, PDF, PNG or JPEG by their bytes, at most five; downloaded by whoever
// sees the expense (recorded), by nobody else.
func TestExpenseFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.ws.BlobInUse = f.svc.KeepsBlob

		e, err := f.submitWith(f.cato, DraftExpense{Title: "Schroeven", Payee: "Bouwmarkt Noord", Cents: 1295}, true,
			map[string]string{"bon.pdf": testPDF})
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Files) != 1 || e.Files[0].Name != "bon.pdf" || e.Files[0].MediaType != "application/pdf" || e.Files[0].Size != int64(len(testPDF)) {
			t.Fatalf("the receipt: %+v", e.Files)
		}

		// A web page called .pdf is not a receipt, and its bytes do not
		// stay behind; neither does an empty file.
		before := onDisk(t, f.ws.Files)
		_, err = f.submitWith(f.cato, DraftExpense{Title: "Taart", Payee: "Bakker", Cents: 900}, true,
			map[string]string{"bon.pdf": "<!DOCTYPE html><script>alert(1)</script>"})
		wantField(t, err, "files", "fund.receipt_type")
		_, err = f.submitWith(f.cato, DraftExpense{Title: "Taart", Payee: "Bakker", Cents: 900}, true, map[string]string{"leeg.pdf": ""})
		wantField(t, err, "files", "fund.receipt_empty")
		if after := onDisk(t, f.ws.Files); len(after) != len(before) {
			t.Errorf("refused receipts left bytes: %v, was %v", after, before)
		}
		six := map[string]string{}
		for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
			six[n+".pdf"] = testPDF + n
		}
		_, err = f.submitWith(f.cato, DraftExpense{Title: "Veel", Payee: "Bakker", Cents: 900}, false, six)
		wantField(t, err, "files", "fund.receipts_too_many")

		// Receipts are added to a draft by its submitter; not to a
		// submitted expense, not by someone else.
		draft, err := f.svc.SubmitExpense(ctx, f.cato, f.slug, DraftExpense{Title: "Kabelgoot", Payee: "Bouwmarkt Noord", Cents: 2495}, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.MayAddExpenseFiles(ctx, f.dirk, draft.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("someone else adds to cato's draft: %v", err)
		}
		if err := f.svc.MayAddExpenseFiles(ctx, f.cato, e.ID); !problem.Is(err, problem.Conflict) {
			t.Errorf("adding to a submitted expense: %v", err)
		}
		png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
		err = f.ws.StoreBlobs(ctx, []io.Reader{strings.NewReader(png)}, MaxExpenseFileBytes, func(b []workspace.Blob) error {
			return f.svc.AddExpenseFiles(ctx, f.cato, draft.ID, []NewExpenseFile{{Blob: b[0]}})
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Expense(ctx, f.cato, draft.ID)
		if err != nil || len(got.Files) != 1 || got.Files[0].Name != "receipt.png" || got.Files[0].MediaType != "image/png" || !got.Rights.AddFiles {
			t.Errorf("the draft's receipt: %+v %v", got, err)
		}

		// Whoever sees the expense downloads its receipt: core, another
		// member. Not a supporter, not a stranger, not a visitor.
		for _, u := range []*account.User{f.anna, f.dirk, f.cato} {
			r, err := f.svc.ExpenseFile(ctx, u, e.ID, e.Files[0].ID)
			if err != nil || r.SHA256 != e.Files[0].SHA256 {
				t.Errorf("%s downloads the receipt: %+v %v", u.Name, r, err)
				continue
			}
			file, err := f.ws.OpenBlob(r.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(file)
			file.Close()
			if string(b) != testPDF {
				t.Errorf("%s read %q", u.Name, b)
			}
		}
		for _, u := range []*account.User{f.emma, f.fien, nil} {
			if _, err := f.svc.ExpenseFile(ctx, u, e.ID, e.Files[0].ID); err == nil {
				t.Errorf("%v downloads the receipt", u)
			}
		}
		if _, err := f.svc.ExpenseFile(ctx, f.anna, draft.ID, got.Files[0].ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("core downloads a receipt of cato's draft: %v", err)
		}
		if _, err := f.svc.ExpenseFile(ctx, f.anna, e.ID, got.Files[0].ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("a receipt asked for under another expense: %v", err)
		}
		entries, _, err := audit.List(ctx, db, audit.Filter{Action: "fund.receipt_download", Limit: 50})
		if err != nil || len(entries) != 3 {
			t.Errorf("%d downloads recorded (%v), want 3", len(entries), err)
		}
		if _, err := f.ws.OpenBlob("../../etc/passwd"); err == nil {
			t.Error("OpenBlob opened a path")
		}

		// The person's export lists their receipts; an erasure leaves them.
		tables, err := f.svc.ExportPerson(ctx, db, f.cato.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			if tb.Name == "fund_expense_files" && len(tb.Rows) != 2 {
				t.Errorf("cato's receipts in the export: %v", tb.Rows)
			}
		}
	})
}

// A receipt's bytes are the books': when a workspace file with the same
// bytes is deleted for good, they stay, because the receipt names them.
// Without funding's answer (BlobInUse) they would go.
func TestReceiptBytesOutliveTheWorkspaceFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.ws.BlobInUse = f.svc.KeepsBlob
		purge := func(body string) {
			t.Helper()
			file, err := f.ws.UploadFile(ctx, f.anna, f.slug, workspace.Upload{Name: "Factuur.pdf", Visibility: workspace.Visibility(workspace.Core), Body: strings.NewReader(body)})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.ws.RemoveFile(ctx, f.anna, f.slug, file.ID); err != nil {
				t.Fatal(err)
			}
			if err := f.ws.PurgeFile(ctx, f.anna, f.slug, file.ID); err != nil {
				t.Fatal(err)
			}
		}
		e, err := f.submitWith(f.cato, DraftExpense{Title: "Oven", Payee: "Keukenhuis BV", Cents: 45000}, true, map[string]string{"factuur.pdf": testPDF})
		if err != nil {
			t.Fatal(err)
		}
		purge(testPDF)
		r, err := f.svc.ExpenseFile(ctx, f.anna, e.ID, e.Files[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		file, err := f.ws.OpenBlob(r.SHA256)
		if err != nil {
			t.Fatalf("the receipt's bytes went with the workspace file: %v", err)
		}
		file.Close()

		// The control: bytes that only the workspace file named go.
		purge(testPDF + "alleen hier")
		if n := len(onDisk(t, f.ws.Files)); n != 1 {
			t.Errorf("%d blobs on disk, want the receipt's only", n)
		}
		// And the hook is what keeps them: without it, the same purge
		// would delete the receipt's bytes.
		f.ws.BlobInUse = nil
		purge(testPDF)
		if _, err := os.Stat(filepath.Join(f.ws.Files, r.SHA256[:2], r.SHA256[2:])); err == nil {
			t.Error("without BlobInUse the bytes stayed: the test does not test the hook")
		}
	})
}
