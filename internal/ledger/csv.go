package ledger

import (
	"encoding/csv"
	"io"
	"strconv"

	"samen/internal/csvcell"
)

// CSVHeader is the first row of the ledger's CSV file: a row per entry,
// so that the rows of one transaction sum to zero and a spreadsheet's
// SUMIF over "transaction" shows it. Amounts are whole cents, signed (a
// debit positive), never a decimal that a spreadsheet could round.
var CSVHeader = []string{"transaction", "date", "kind", "account", "account_name", "cents", "description", "reverses"}

// CSVWriter writes ledger lines as CSV.
type CSVWriter struct{ w *csv.Writer }

// NewCSVWriter starts a CSV file on w with its header.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	c := &CSVWriter{w: csv.NewWriter(w)}
	return c, c.w.Write(CSVHeader)
}

// Write adds one line.
func (c *CSVWriter) Write(l Line) error {
	reverses := ""
	if l.Reverses != 0 {
		reverses = strconv.FormatInt(l.Reverses, 10)
	}
	return c.w.Write([]string{strconv.FormatInt(l.Transaction, 10), l.BookedOn, l.Kind, l.Account, csvcell.Guard(l.AccountName),
		strconv.FormatInt(l.Cents, 10), csvcell.Guard(l.Description), reverses})
}

// Flush writes out what is buffered and reports the first error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}
