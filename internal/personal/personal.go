// Package personal is how samen answers a person's two rights over their
// data (GDPR articles 15/20 and 17): "give me everything you hold about me"
// and "erase me". Every part that keeps rows about people implements Holder;
// cmd/samen/parts.go lists the holders, and the export and the erasure walk
// that list, so a new part cannot be forgotten by one of them without being
// forgotten by the list (and TestEveryHolderIsListed).
package personal

import (
	"context"
	"slices"
	"strconv"
	"time"

	"samen/internal/store"
)

// Table is one kind of row a part holds about a person, ready for a CSV file
// or a JSON array: Columns name the fields, each row has one value per column.
type Table struct {
	Name    string     // file name without extension, e.g. "atlas_revisions"
	Columns []string   // e.g. "id", "initiative", "at"
	Rows    [][]string // one value per column; times as RFC 3339, amounts in cents
}

// Holder is a part that keeps data about people.
type Holder interface {
	// Part names the part ("account", "atlas", …): the folder of its tables
	// in the ZIP and its member in the JSON export.
	Part() string
	// ExportPerson returns everything the part holds about the person, in
	// the caller's transaction. It returns every table it knows, empty ones
	// too, so that the export always has the same files (and each file a
	// line in the export's README).
	ExportPerson(ctx context.Context, q store.Querier, userID int64) ([]Table, error)
	// ErasePerson removes the person's name and e-mail address (and any other
	// personal data) from the part's rows, in the caller's transaction.
	// Records the law makes us keep (the register of shares, financial
	// entries) stay, pseudonymised: they keep the person's id, never their
	// name or address. p carries the address and name the account had
	// before erasure, for parts that hold copies of them in free text
	// (Person.Scrub, Person.ScrubJSON, Person.Like).
	ErasePerson(ctx context.Context, q store.Querier, p Person) error
}

// Identifier is the one holder that knows who a user id is: the account
// part. Erase asks it for the address and name before any part erases, and
// runs its ErasePerson last, after every other part has used them.
type Identifier interface {
	Holder
	// Identify returns the person behind userID, before erasure.
	Identify(ctx context.Context, q store.Querier, userID int64) (Person, error)
}

// Stamp writes a time as exports do: RFC 3339 in UTC; the zero time (never)
// as an empty cell.
func Stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Millis writes a stored time (Unix milliseconds) as Stamp does; 0 is
// never, an empty cell.
func Millis(ms int64) string {
	if ms == 0 {
		return ""
	}
	return Stamp(store.Time(ms))
}

// ID writes an id; 0 (none) as an empty cell.
func ID(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// EachRow runs a query and calls fn with each row's Scan: the loop every
// holder's export and erasure is made of.
func EachRow(ctx context.Context, q store.Querier, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Query is one table of a holder's export: the table's name and columns,
// the query that reads the person's rows (one '?', the person's account
// id) with one result column per table column, and which columns hold
// instants in Unix milliseconds (written as RFC 3339; 0 as empty).
type Query struct {
	Table Table
	SQL   string
	Times []string
}

// Tables runs each query for the person and returns its table, empty ones
// too: the export loop of a holder whose rows are plain columns.
func Tables(ctx context.Context, q store.Querier, userID int64, queries []Query) ([]Table, error) {
	out := make([]Table, 0, len(queries))
	for _, sp := range queries {
		t := sp.Table
		n := len(t.Columns)
		err := EachRow(ctx, q, sp.SQL, []any{userID}, func(scan func(...any) error) error {
			raw := make([]string, n)
			vals := make([]any, n)
			for i := range vals {
				vals[i] = &raw[i]
			}
			if err := scan(vals...); err != nil {
				return err
			}
			for i, c := range t.Columns {
				if slices.Contains(sp.Times, c) {
					if ms, _ := strconv.ParseInt(raw[i], 10, 64); ms == 0 {
						raw[i] = ""
					} else {
						raw[i] = Millis(ms)
					}
				}
			}
			t.Rows = append(t.Rows, raw)
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
