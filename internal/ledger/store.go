package ledger

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"samen/internal/audit"
	"samen/internal/store"
)

// Every function here takes a store.Querier, so that the part that books
// money does it in its own transaction: a contribution is marked paid and
// its money booked together, or neither.

// Account is an account and its balance, derived from its entries.
type Account struct {
	ID      int64
	Code    string
	Kind    Kind
	Name    string
	Balance int64 // the sum of its entries (a fund's is negative)
	Entries int64
}

// Held is the balance as a person reads it (see Kind.Held).
func (a Account) Held() int64 { return a.Kind.Held(a.Balance) }

const accountColumns = `id, code, kind, name, balance_cents, entries`

func scanAccount(row interface{ Scan(...any) error }) (Account, error) {
	var a Account
	err := row.Scan(&a.ID, &a.Code, &a.Kind, &a.Name, &a.Balance, &a.Entries)
	if errors.Is(err, sql.ErrNoRows) {
		return a, &Error{Code: "ledger.account.unknown"}
	}
	return a, err
}

// Open returns the account of code, making it (of kind, named name) when
// there is none yet. An account keeps its first kind: asking for another
// is an error, since it would read its balance the wrong way round.
func Open(ctx context.Context, q store.Querier, code string, kind Kind, name string, now time.Time) (Account, error) {
	if !ValidCode(code) || !kind.Valid() {
		return Account{}, &Error{Code: "ledger.entry.account"}
	}
	if _, err := q.Exec(ctx, `INSERT INTO ledger_accounts (code, kind, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`,
		code, kind, name, store.Millis(now)); err != nil {
		return Account{}, err
	}
	a, err := Get(ctx, q, code)
	if err == nil && a.Kind != kind {
		return a, &Error{Code: "ledger.entry.account"}
	}
	return a, err
}

// Get returns the account of code with its balance: one row read, however
// many entries it has.
func Get(ctx context.Context, q store.Querier, code string) (Account, error) {
	return scanAccount(q.QueryRow(ctx, `SELECT `+accountColumns+` FROM ledger_accounts WHERE code = ?`, code))
}

// Accounts returns the accounts whose codes start with prefix ("" for
// all), by code.
func Accounts(ctx context.Context, q store.Querier, prefix string) ([]Account, error) {
	rows, err := q.Query(ctx, `SELECT `+accountColumns+` FROM ledger_accounts WHERE code >= ? AND code < ? ORDER BY code`, prefix, prefix+"\U0010FFFF")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SumOfKind returns the sum of account code's entries in transactions of
// the given kind (what a funder deposited, say), reversed ones and their
// reversals left out.
func SumOfKind(ctx context.Context, q store.Querier, code, kind string) (int64, error) {
	var sum int64
	err := q.QueryRow(ctx, `SELECT COALESCE(SUM(e.cents), 0) FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
		JOIN ledger_transactions t ON t.id = e.transaction_id
		WHERE a.code = ? AND t.kind = ? AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = t.id)`, code, kind).Scan(&sum)
	return sum, err
}

// MonthlyOfKind returns, per month of booking ("YYYY-MM"), the sum of the
// entries of accounts whose code starts with prefix in transactions of
// the given kind, reversed ones and their reversals left out: what all
// funders of all pools deposited, month by month, in one query.
func MonthlyOfKind(ctx context.Context, q store.Querier, prefix, kind string) (map[string]int64, error) {
	rows, err := q.Query(ctx, `SELECT SUBSTR(t.booked_on, 1, 7), SUM(e.cents) FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
		JOIN ledger_transactions t ON t.id = e.transaction_id
		WHERE a.code >= ? AND a.code < ? AND t.kind = ? AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = t.id)
		GROUP BY SUBSTR(t.booked_on, 1, 7)`, prefix, prefix+"\U0010FFFF", kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var month string
		var sum int64
		if err := rows.Scan(&month, &sum); err != nil {
			return nil, err
		}
		out[month] = sum
	}
	return out, rows.Err()
}

// ErrBooked says that the transaction's ref was booked before: the same
// notice or statement line arrived again. The ID returned with it is the
// first booking's.
var ErrBooked = errors.New("ledger: already booked")

// Post books t, whose accounts must exist (Open), at now; the audit log
// records who booked it (the context's actor). It returns the transaction's id, or the
// first booking's id and ErrBooked when t.Ref was booked before. Two
// processes posting the same ref at once book it once: the insert of the
// second does nothing and finds the first's row.
func Post(ctx context.Context, q store.Querier, t Transaction, now time.Time) (int64, error) {
	if t.BookedOn == "" {
		t.BookedOn = Day(now)
	}
	if err := Check(t); err != nil {
		return 0, err
	}
	codes := make([]string, 0, len(t.Entries))
	for _, e := range t.Entries {
		if !slices.Contains(codes, e.Account) {
			codes = append(codes, e.Account)
		}
	}
	ids, err := accountIDs(ctx, q, codes)
	if err != nil {
		return 0, err
	}
	var id int64
	err = q.QueryRow(ctx, `INSERT INTO ledger_transactions (kind, booked_on, description, ref, reverses_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		t.Kind, t.BookedOn, t.Description, nullString(t.Ref), nullID(t.Reverses), store.Millis(now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		// A unique column held: the ref was booked, or the transaction
		// reversed, before.
		if t.Ref != "" {
			if err := q.QueryRow(ctx, `SELECT id FROM ledger_transactions WHERE ref = ?`, t.Ref).Scan(&id); err == nil {
				return id, ErrBooked
			}
		}
		return 0, &Error{Code: "ledger.reversed"}
	}
	if err != nil {
		return 0, err
	}
	// The sums per account, applied in the order of the accounts' ids so
	// that two transactions on the same accounts take their row locks in
	// the same order and cannot deadlock on PostgreSQL.
	sums := map[int64]int64{}
	counts := map[int64]int64{}
	for _, e := range t.Entries {
		aid := ids[e.Account]
		if _, err := q.Exec(ctx, `INSERT INTO ledger_entries (transaction_id, account_id, cents) VALUES (?, ?, ?)`, id, aid, e.Cents); err != nil {
			return 0, err
		}
		sums[aid] += e.Cents
		counts[aid]++
	}
	order := make([]int64, 0, len(sums))
	for aid := range sums {
		order = append(order, aid)
	}
	slices.Sort(order)
	for _, aid := range order {
		if _, err := q.Exec(ctx, `UPDATE ledger_accounts SET balance_cents = balance_cents + ?, entries = entries + ? WHERE id = ?`,
			sums[aid], counts[aid], aid); err != nil {
			return 0, err
		}
	}
	detail := map[string]any{"kind": t.Kind, "entries": len(t.Entries)}
	if t.Ref != "" {
		detail["ref"] = t.Ref
	}
	if t.Reverses != 0 {
		detail["reverses"] = t.Reverses
	}
	return id, audit.RecordID(ctx, q, "ledger.posted", "ledger_transaction", id, detail)
}

func accountIDs(ctx context.Context, q store.Querier, codes []string) (map[string]int64, error) {
	args := make([]any, len(codes))
	for i, c := range codes {
		args[i] = c
	}
	rows, err := q.Query(ctx, `SELECT id, code FROM ledger_accounts WHERE code IN (?`+strings.Repeat(", ?", len(codes)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[string]int64{}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		ids[code] = id
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, c := range codes {
		if _, ok := ids[c]; !ok {
			return nil, &Error{Code: "ledger.account.unknown", Entry: i + 1}
		}
	}
	return ids, nil
}

// Reverse books the reversal of transaction id, on the day of now, with
// why as its description. A reversal is not reversed (book the
// transaction anew), and a transaction is reversed once: the second of two
// racing reversals gets ledger.reversed.
func Reverse(ctx context.Context, q store.Querier, id int64, why string, now time.Time) (int64, error) {
	t, err := Transact(ctx, q, id)
	if err != nil {
		return 0, err
	}
	if t.Kind == "reversal" {
		return 0, &Error{Code: "ledger.reversal"}
	}
	if t.ReversedBy != 0 {
		return 0, &Error{Code: "ledger.reversed"}
	}
	return Post(ctx, q, Reversal(t, Day(now), why), now)
}

const transactionColumns = `t.id, t.kind, t.booked_on, t.description, COALESCE(t.ref, ''), COALESCE(t.reverses_id, 0),
	COALESCE((SELECT r.id FROM ledger_transactions r WHERE r.reverses_id = t.id), 0), t.created_at`

func scanTransaction(row interface{ Scan(...any) error }) (Transaction, error) {
	var t Transaction
	var created int64
	err := row.Scan(&t.ID, &t.Kind, &t.BookedOn, &t.Description, &t.Ref, &t.Reverses, &t.ReversedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return t, &Error{Code: "ledger.unknown"}
	}
	t.CreatedAt = store.Time(created)
	return t, err
}

// Transact returns transaction id with its entries.
func Transact(ctx context.Context, q store.Querier, id int64) (Transaction, error) {
	t, err := scanTransaction(q.QueryRow(ctx, `SELECT `+transactionColumns+` FROM ledger_transactions t WHERE t.id = ?`, id))
	if err != nil {
		return t, err
	}
	list := []Transaction{t}
	if err := withEntries(ctx, q, list); err != nil {
		return t, err
	}
	return list[0], nil
}

// ByRef returns the transaction that booked ref.
func ByRef(ctx context.Context, q store.Querier, ref string) (Transaction, error) {
	var id int64
	if err := q.QueryRow(ctx, `SELECT id FROM ledger_transactions WHERE ref = ?`, ref).Scan(&id); errors.Is(err, sql.ErrNoRows) {
		return Transaction{}, &Error{Code: "ledger.unknown"}
	} else if err != nil {
		return Transaction{}, err
	}
	return Transact(ctx, q, id)
}

// withEntries fills in the entries of list, in the order they were booked.
func withEntries(ctx context.Context, q store.Querier, list []Transaction) error {
	if len(list) == 0 {
		return nil
	}
	at := map[int64]int{}
	args := make([]any, len(list))
	for i, t := range list {
		at[t.ID] = i
		args[i] = t.ID
	}
	rows, err := q.Query(ctx, `SELECT e.transaction_id, a.code, e.cents FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
		WHERE e.transaction_id IN (?`+strings.Repeat(", ?", len(list)-1)+`) ORDER BY e.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var tid int64
		var e Entry
		if err := rows.Scan(&tid, &e.Account, &e.Cents); err != nil {
			return err
		}
		i := at[tid]
		list[i].Entries = append(list[i].Entries, e)
	}
	return rows.Err()
}

// Filter selects transactions.
type Filter struct {
	Account string // touching this account; "" for any
	Prefix  string // or touching an account whose code starts with this
	Kind    string // of this kind; "" for any
	From    string // booked on or after this day (YYYY-MM-DD)
	To      string // booked on or before this day
	Before  int64  // with an id below this (paging back); 0 for the newest
	Limit   int    // default 100, at most 1000
}

// MaxPage is the most transactions one call of List returns.
const MaxPage = 1000

// List returns transactions with their entries, newest first, and the
// cursor for the next page (0 at the end).
func List(ctx context.Context, q store.Querier, f Filter) ([]Transaction, int64, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, MaxPage)
	where, args := f.where()
	rows, err := q.Query(ctx, `SELECT `+transactionColumns+` FROM ledger_transactions t WHERE `+where+` ORDER BY t.id DESC LIMIT ?`,
		append(args, f.Limit+1)...)
	if err != nil {
		return nil, 0, err
	}
	var list []Transaction
	for rows.Next() {
		t, err := scanTransaction(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		list = append(list, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var next int64
	if len(list) > f.Limit {
		list = list[:f.Limit]
		next = list[len(list)-1].ID
	}
	return list, next, withEntries(ctx, q, list)
}

func (f Filter) where() (string, []any) {
	where, args := []string{"1 = 1"}, []any{}
	switch {
	case f.Account != "":
		where = append(where, `t.id IN (SELECT e.transaction_id FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE a.code = ?)`)
		args = append(args, f.Account)
	case f.Prefix != "":
		where = append(where, `t.id IN (SELECT e.transaction_id FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
			WHERE a.code >= ? AND a.code < ?)`)
		args = append(args, f.Prefix, f.Prefix+"\U0010FFFF")
	}
	if f.Kind != "" {
		where, args = append(where, "t.kind = ?"), append(args, f.Kind)
	}
	if f.From != "" {
		where, args = append(where, "t.booked_on >= ?"), append(args, f.From)
	}
	if f.To != "" {
		where, args = append(where, "t.booked_on <= ?"), append(args, f.To)
	}
	if f.Before > 0 {
		where, args = append(where, "t.id < ?"), append(args, f.Before)
	}
	return strings.Join(where, " AND "), args
}

// Line is one entry with its transaction, as the ledger's CSV file lists
// them.
type Line struct {
	Transaction int64
	BookedOn    string
	Kind        string
	Account     string
	AccountName string
	Cents       int64
	Description string
	Reverses    int64
}

// Lines calls fn for every entry of the transactions f selects (Before
// and Limit aside), oldest first, without holding them all in memory: the
// whole city's ledger streams to a CSV file.
func Lines(ctx context.Context, q store.Querier, f Filter, fn func(Line) error) error {
	f.Before = 0
	where, args := f.where()
	rows, err := q.Query(ctx, `SELECT t.id, t.booked_on, t.kind, a.code, a.name, e.cents, t.description, COALESCE(t.reverses_id, 0)
		FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id JOIN ledger_accounts a ON a.id = e.account_id
		WHERE `+where+` ORDER BY t.id, e.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var l Line
		if err := rows.Scan(&l.Transaction, &l.BookedOn, &l.Kind, &l.Account, &l.AccountName, &l.Cents, &l.Description, &l.Reverses); err != nil {
			return err
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return rows.Err()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
