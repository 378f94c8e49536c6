package demo

import (
	"context"
	"fmt"
	"io"
	"strings"

	"samen/internal/account"
	"samen/internal/fund"
	"samen/internal/workspace"
)

// submitWithReceipt submits an expense as by, with an invoice as its
// receipt (name), made up as a one-page PDF, when samen keeps files;
// without them, or without a name, the expense alone.
func submitWithReceipt(ctx context.Context, svc *fund.Service, files *workspace.Service, by *account.User, wsSlug string, d fund.DraftExpense, name string) (fund.Expense, error) {
	if name == "" || files == nil || files.Files == "" {
		return svc.SubmitExpense(ctx, by, wsSlug, d, true)
	}
	pdf := invoicePDF("Factuur van "+d.Payee, d.Title, fmt.Sprintf("Totaal: EUR %d,%02d", d.Cents/100, d.Cents%100))
	var e fund.Expense
	err := files.StoreBlobs(ctx, []io.Reader{strings.NewReader(pdf)}, fund.MaxExpenseFileBytes, func(b []workspace.Blob) error {
		d.Files = []fund.NewExpenseFile{{Name: name, Blob: b[0]}}
		var err error
		e, err = svc.SubmitExpense(ctx, by, wsSlug, d, true)
		return err
	})
	return e, err
}

// invoicePDF is a one-page PDF that shows lines of ASCII text, each
// under the one before: as small as a PDF that viewers open gets (about
// a kilobyte), written here so the demo needs no file of its own.
func invoicePDF(lines ...string) string {
	var text strings.Builder
	text.WriteString("BT /F1 14 Tf 40 250 Td 18 TL")
	for _, l := range lines {
		esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(l)
		fmt.Fprintf(&text, " (%s) '", esc)
	}
	text.WriteString(" ET")
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 520 300] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", text.Len(), text.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.String()
}
