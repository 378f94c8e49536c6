// Package ledger keeps samen's money in double entry, in integer cents: the
// one ledger the architecture asks for, which funding (campaigns, match
// pools, expenses) writes and every public page of money reads.
//
// The rules, each enforced here rather than by its callers:
//   - a transaction has at least two entries, none of them zero, and its
//     entries sum to zero: money moves, it is never made or lost;
//   - entries are signed: a debit is positive, a credit negative. An
//     account's balance is the sum of its entries; for a fund (money held
//     for a campaign, a funder, an initiative) that sum is negative, and
//     Held turns it into what people expect to read;
//   - transactions and entries are never changed or deleted (the database
//     refuses it); a correction is a transaction that reverses one, entry
//     by entry, and a transaction is reversed at most once;
//   - something outside samen that books money (a payment at Mollie, a line
//     of a bank statement) names its transaction by a ref, which is unique:
//     the same notice twice books once.
//
// Entries carry no personal data: a contribution's ledger line names the
// campaign, not the contributor, so a person's erasure never has to touch
// the books.
package ledger

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Amsterdam on hosts without a zone database
	"unicode/utf8"
)

// Kind is the nature of an account, which says which way its balance reads.
type Kind string

const (
	// Asset is money samen's host holds somewhere: the clearing account at
	// a payment provider, the bank account. Debit-normal.
	Asset Kind = "asset"
	// Fund is money held for someone: a campaign, a funder's share of a
	// pool, an initiative. Credit-normal.
	Fund Kind = "fund"
	// Cost is money spent that no fund holds any more: providers' fees.
	// Debit-normal.
	Cost Kind = "cost"
)

// Valid reports whether k is a kind of account.
func (k Kind) Valid() bool { return k == Asset || k == Fund || k == Cost }

// Held is a balance as a person reads it: what an asset or cost account
// holds (the sum of its entries), or what a fund holds (minus that sum).
func (k Kind) Held(balance int64) int64 {
	if k == Fund {
		return -balance
	}
	return balance
}

// MaxCents is the largest amount one entry may carry: ten billion euros,
// far beyond anything samen books, and far enough inside int64 that sums of
// many entries cannot overflow.
const MaxCents = 1_000_000_000_000

// MaxEntries is the most entries one transaction may have: a match split
// over many funders stays well below it.
const MaxEntries = 1000

// MaxText is the longest description of a transaction.
const MaxText = 500

// codeRE is an account's code: lowercase words and numbers joined by
// colons, such as "campaign:12" or "pool:3:funder:2".
var codeRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}(:[a-z0-9_-]{1,40}){0,5}$`)

// ValidCode reports whether code can name an account.
func ValidCode(code string) bool { return codeRE.MatchString(code) }

// Code joins the parts of an account's code: Code("campaign", 12) is
// "campaign:12".
func Code(parts ...any) string {
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = fmt.Sprint(p)
	}
	return strings.Join(s, ":")
}

// Entry is one line of a transaction: an amount on an account.
type Entry struct {
	Account string // the account's code
	Cents   int64  // a debit positive, a credit negative
}

// Transaction is a set of entries that sum to zero, booked on a day.
type Transaction struct {
	ID          int64
	Kind        string // what it records: contribution, match, refund, …
	BookedOn    string // YYYY-MM-DD in Europe/Amsterdam; "" when posting: today
	Description string
	Ref         string // what outside samen it books, once; "" for none
	Reverses    int64  // the transaction it reverses, 0 for none
	ReversedBy  int64  // the transaction that reversed it, 0 for none
	CreatedAt   time.Time
	Entries     []Entry
}

// Move is the commonest transaction: cents from one account to another
// (the first credited, the second debited).
func Move(kind, from, to string, cents int64, description string) Transaction {
	return Transaction{Kind: kind, Description: description, Entries: []Entry{{Account: from, Cents: -cents}, {Account: to, Cents: cents}}}
}

// Error says why a transaction cannot be booked, by a code (messages in
// i18n/*/ledger.json) and, for an entry, its place (from 1).
type Error struct {
	Code  string
	Entry int
}

func (e *Error) Error() string {
	if e.Entry > 0 {
		return fmt.Sprintf("ledger: entry %d: %s", e.Entry, e.Code)
	}
	return "ledger: " + e.Code
}

// Codes are the error codes Check and the store return, for the test that
// every one has its messages.
var Codes = []string{
	"ledger.entries.few", "ledger.entries.many", "ledger.entry.zero", "ledger.entry.amount", "ledger.entry.account",
	"ledger.sum", "ledger.kind", "ledger.date", "ledger.text", "ledger.ref", "ledger.account.unknown",
	"ledger.reversed", "ledger.reversal", "ledger.unknown",
}

var kindRE = regexp.MustCompile(`^[a-z][a-z_]{0,29}$`)

// Check says whether t may be booked: two entries or more, none zero or
// beyond MaxCents, on well-formed accounts, summing to zero; a kind; a
// valid date if one is given; a description of reasonable length.
func Check(t Transaction) error {
	if len(t.Entries) < 2 {
		return &Error{Code: "ledger.entries.few"}
	}
	if len(t.Entries) > MaxEntries {
		return &Error{Code: "ledger.entries.many"}
	}
	var sum int64
	for i, e := range t.Entries {
		switch {
		case e.Cents == 0:
			return &Error{Code: "ledger.entry.zero", Entry: i + 1}
		case e.Cents > MaxCents || e.Cents < -MaxCents:
			return &Error{Code: "ledger.entry.amount", Entry: i + 1}
		case !ValidCode(e.Account):
			return &Error{Code: "ledger.entry.account", Entry: i + 1}
		}
		// MaxEntries × MaxCents is far below 2⁶³: no overflow.
		sum += e.Cents
	}
	if sum != 0 {
		return &Error{Code: "ledger.sum"}
	}
	if !kindRE.MatchString(t.Kind) {
		return &Error{Code: "ledger.kind"}
	}
	if t.BookedOn != "" {
		if d, err := time.Parse(time.DateOnly, t.BookedOn); err != nil || d.Format(time.DateOnly) != t.BookedOn {
			return &Error{Code: "ledger.date"}
		}
	}
	if utf8.RuneCountInString(t.Description) > MaxText || !utf8.ValidString(t.Description) || strings.ContainsAny(t.Description, "\x00\r\n") {
		return &Error{Code: "ledger.text"}
	}
	if len(t.Ref) > 200 || strings.ContainsAny(t.Ref, "\x00\r\n") || !utf8.ValidString(t.Ref) {
		return &Error{Code: "ledger.ref"}
	}
	return nil
}

// Reversal is the transaction that undoes t: every entry negated, booked
// on the given day with the reason as its description.
func Reversal(t Transaction, bookedOn, why string) Transaction {
	r := Transaction{Kind: "reversal", BookedOn: bookedOn, Description: why, Reverses: t.ID, Entries: make([]Entry, len(t.Entries))}
	for i, e := range t.Entries {
		r.Entries[i] = Entry{Account: e.Account, Cents: -e.Cents}
	}
	return r
}

// Amsterdam is the time zone every booking date is in.
var Amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		// time/tzdata is embedded above, so this is a broken build.
		panic(err)
	}
	return loc
}()

// Day is the booking date of an instant.
func Day(t time.Time) string { return t.In(Amsterdam).Format(time.DateOnly) }
