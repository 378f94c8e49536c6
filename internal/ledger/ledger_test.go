package ledger_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"samen/internal/ledger"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/web/i18n"
)

var day = time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC) // 5 December in Amsterdam

func TestCheck(t *testing.T) {
	ok := ledger.Move("contribution", "campaign:1", "provider:mollie", 1250, "Bijdrage")
	if err := ledger.Check(ok); err != nil {
		t.Fatalf("a plain move: %v", err)
	}
	for _, c := range []struct {
		name string
		tx   ledger.Transaction
		code string
		at   int
	}{
		{"one entry", ledger.Transaction{Kind: "x", Entries: []ledger.Entry{{"a", 1}}}, "ledger.entries.few", 0},
		{"not summing to zero", ledger.Transaction{Kind: "x", Entries: []ledger.Entry{{"a", 100}, {"b", -99}}}, "ledger.sum", 0},
		{"a zero entry", ledger.Transaction{Kind: "x", Entries: []ledger.Entry{{"a", 100}, {"b", 0}, {"c", -100}}}, "ledger.entry.zero", 2},
		{"too much", ledger.Move("x", "a", "b", ledger.MaxCents+1, ""), "ledger.entry.amount", 1},
		{"a bad account", ledger.Move("x", "a", "Campaign 1", 5, ""), "ledger.entry.account", 2},
		{"no kind", ledger.Move("", "a", "b", 5, ""), "ledger.kind", 0},
		{"a bad date", ledger.Transaction{Kind: "x", BookedOn: "2026-02-30", Entries: ok.Entries}, "ledger.date", 0},
		{"a line break", ledger.Move("x", "a", "b", 5, "een\ntwee"), "ledger.text", 0},
	} {
		var e *ledger.Error
		if err := ledger.Check(c.tx); !errors.As(err, &e) || e.Code != c.code || e.Entry != c.at {
			t.Errorf("%s: %v, want %s at entry %d", c.name, err, c.code, c.at)
		}
	}
	if got := ledger.Day(day); got != "2026-12-05" {
		t.Errorf("booking day of %v: %s, want the Amsterdam date 2026-12-05", day, got)
	}
}

func TestMessagesExist(t *testing.T) {
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Languages {
		for _, code := range ledger.Codes {
			if !msgs.Has(lang, code) {
				t.Errorf("%s lacks %q", lang, code)
			}
		}
	}
}

// open makes the accounts of a small city: a provider, a bank, two
// campaigns and a pool with two funders.
func open(t testing.TB, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	for _, a := range []struct {
		code string
		kind ledger.Kind
	}{
		{"provider:mollie", ledger.Asset}, {"provider:bank", ledger.Asset}, {"fees:mollie", ledger.Cost},
		{"campaign:1", ledger.Fund}, {"campaign:2", ledger.Fund}, {"pool:1:funder:1", ledger.Fund}, {"pool:1:funder:2", ledger.Fund},
	} {
		if _, err := ledger.Open(ctx, db, a.code, a.kind, "", day); err != nil {
			t.Fatal(err)
		}
	}
}

func post(t testing.TB, db *store.DB, tx ledger.Transaction) int64 {
	t.Helper()
	id, err := ledger.Post(context.Background(), db, tx, day)
	if err != nil {
		t.Fatalf("posting %+v: %v", tx, err)
	}
	return id
}

func held(t testing.TB, db *store.DB, code string) int64 {
	t.Helper()
	a, err := ledger.Get(context.Background(), db, code)
	if err != nil {
		t.Fatal(err)
	}
	return a.Held()
}

func TestPostReverseAndRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		open(t, db)
		// The municipality puts €1,000 in the pool, a contributor gives
		// €25 through Mollie, and the pool matches it one to one from both
		// funders.
		post(t, db, ledger.Move("deposit", "pool:1:funder:1", "provider:bank", 100000, "Gemeente"))
		gift := post(t, db, ledger.Transaction{Kind: "contribution", Ref: "mollie:tr_1", Entries: []ledger.Entry{
			{"campaign:1", -2500}, {"provider:mollie", 2500}}})
		post(t, db, ledger.Transaction{Kind: "match", Entries: []ledger.Entry{{"pool:1:funder:1", 1500}, {"pool:1:funder:2", 1000}, {"campaign:1", -2500}}})
		if _, err := ledger.Post(ctx, db, ledger.Move("x", "campaign:1", "nowhere:1", 5, ""), day); !isCode(err, "ledger.account.unknown") {
			t.Errorf("an account never opened: %v", err)
		}
		if got := held(t, db, "campaign:1"); got != 5000 {
			t.Errorf("the campaign holds %d, want 5000", got)
		}
		if got := held(t, db, "pool:1:funder:1"); got != 98500 {
			t.Errorf("the first funder holds %d, want 98500", got)
		}
		if got := held(t, db, "pool:1:funder:2"); got != -1000 {
			t.Errorf("the second funder (who never deposited) holds %d, want -1000", got)
		}
		if got := held(t, db, "provider:bank"); got != 100000 {
			t.Errorf("the bank holds %d", got)
		}

		// The same payment notice again books nothing.
		again, err := ledger.Post(ctx, db, ledger.Transaction{Kind: "contribution", Ref: "mollie:tr_1", Entries: []ledger.Entry{
			{"campaign:1", -2500}, {"provider:mollie", 2500}}}, day)
		if !errors.Is(err, ledger.ErrBooked) || again != gift {
			t.Errorf("the same ref twice: %d %v, want %d and ErrBooked", again, err, gift)
		}
		if got := held(t, db, "campaign:1"); got != 5000 {
			t.Errorf("after the same notice twice the campaign holds %d", got)
		}

		// A refund is a reversal; it is booked once and not reversed.
		back, err := ledger.Reverse(ctx, db, gift, "Terugbetaald", day)
		if err != nil {
			t.Fatal(err)
		}
		if got := held(t, db, "campaign:1"); got != 2500 {
			t.Errorf("after the refund the campaign holds %d, want 2500", got)
		}
		if _, err := ledger.Reverse(ctx, db, gift, "Nog eens", day); !isCode(err, "ledger.reversed") {
			t.Errorf("reversing twice: %v", err)
		}
		if _, err := ledger.Reverse(ctx, db, back, "Terug", day); !isCode(err, "ledger.reversal") {
			t.Errorf("reversing a reversal: %v", err)
		}
		r, err := ledger.Transact(ctx, db, back)
		if err != nil || r.Reverses != gift || r.BookedOn != "2026-12-05" || r.Entries[0] != (ledger.Entry{"campaign:1", 2500}) {
			t.Errorf("the reversal: %+v %v", r, err)
		}
		g, _ := ledger.Transact(ctx, db, gift)
		if g.ReversedBy != back {
			t.Errorf("the gift does not know its reversal: %+v", g)
		}

		list, next, err := ledger.List(ctx, db, ledger.Filter{Account: "campaign:1", Limit: 2})
		if err != nil || len(list) != 2 || next == 0 || list[0].ID != back || len(list[1].Entries) != 3 {
			t.Fatalf("the campaign's newest two: %+v %d %v", list, next, err)
		}
		rest, next, err := ledger.List(ctx, db, ledger.Filter{Account: "campaign:1", Before: next})
		if err != nil || len(rest) != 1 || rest[0].ID != gift || next != 0 {
			t.Errorf("the campaign's page after: %+v %d %v", rest, next, err)
		}
		pool, _, _ := ledger.List(ctx, db, ledger.Filter{Prefix: "pool:1:"})
		if len(pool) != 2 {
			t.Errorf("the pool's transactions: %+v", pool)
		}
		if dep, err := ledger.SumOfKind(ctx, db, "pool:1:funder:1", "deposit"); err != nil || dep != -100000 {
			t.Errorf("the first funder's deposits: %d %v", dep, err)
		}
		if got, err := ledger.SumOfKind(ctx, db, "campaign:1", "contribution"); err != nil || got != 0 {
			t.Errorf("a reversed contribution still counts: %d %v", got, err)
		}
		accounts, err := ledger.Accounts(ctx, db, "pool:1:")
		if err != nil || len(accounts) != 2 || accounts[0].Code != "pool:1:funder:1" {
			t.Errorf("the pool's accounts: %+v %v", accounts, err)
		}
		// Deposits per month, for the municipality's report: a second
		// funder's in January, and one booked by mistake and reversed.
		jan := time.Date(2027, 1, 3, 12, 0, 0, 0, ledger.Amsterdam)
		if _, err := ledger.Post(ctx, db, ledger.Move("deposit", "pool:1:funder:2", "provider:bank", 700, "Fonds"), jan); err != nil {
			t.Fatal(err)
		}
		typo, err := ledger.Post(ctx, db, ledger.Move("deposit", "pool:1:funder:2", "provider:bank", 99, "Tikfout"), jan)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ledger.Reverse(ctx, db, typo, "Tikfout", jan); err != nil {
			t.Fatal(err)
		}
		months, err := ledger.MonthlyOfKind(ctx, db, "pool:", "deposit")
		if err != nil || len(months) != 2 || months["2026-12"] != -100000 || months["2027-01"] != -700 {
			t.Errorf("deposits per month: %v %v", months, err)
		}
		checkBooks(t, db)
	})
}

func isCode(err error, code string) bool {
	var e *ledger.Error
	return errors.As(err, &e) && e.Code == code
}

// checkBooks checks what must hold of any ledger: every transaction sums
// to zero, every account's balance is the sum of its entries, and the CSV
// file lists every entry, each transaction's rows summing to zero.
func checkBooks(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	var bad int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING SUM(cents) <> 0) x`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("%d transactions do not sum to zero (%v)", bad, err)
	}
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_accounts a WHERE a.balance_cents <> COALESCE((SELECT SUM(cents) FROM ledger_entries e WHERE e.account_id = a.id), 0)
		OR a.entries <> (SELECT COUNT(*) FROM ledger_entries e WHERE e.account_id = a.id)`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("%d accounts' balances differ from their entries (%v)", bad, err)
	}
	var file bytes.Buffer
	w, err := ledger.NewCSVWriter(&file)
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.Lines(ctx, db, ledger.Filter{}, w.Write); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&file).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var entries int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_entries`).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	if len(rows) != entries+1 || fmt.Sprint(rows[0]) != fmt.Sprint(ledger.CSVHeader) {
		t.Fatalf("the CSV file has %d rows for %d entries; header %v", len(rows), entries, rows[0])
	}
	sums := map[string]int64{}
	for _, r := range rows[1:] {
		c, err := strconv.ParseInt(r[5], 10, 64)
		if err != nil {
			t.Fatalf("cents %q: %v", r[5], err)
		}
		sums[r[0]] += c
	}
	for tx, s := range sums {
		if s != 0 {
			t.Errorf("transaction %s sums to %d in the CSV file", tx, s)
		}
	}
}

func TestEntriesCannotChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		open(t, db)
		id := post(t, db, ledger.Move("deposit", "pool:1:funder:1", "provider:bank", 500, ""))
		for _, q := range []string{
			`UPDATE ledger_entries SET cents = cents * 2 WHERE transaction_id = ?`,
			`DELETE FROM ledger_entries WHERE transaction_id = ?`,
			`UPDATE ledger_transactions SET description = 'changed' WHERE id = ?`,
			`DELETE FROM ledger_transactions WHERE id = ?`,
		} {
			if _, err := db.Exec(ctx, q, id); err == nil {
				t.Errorf("%s: the database let it through", q)
			}
		}
		if got := held(t, db, "provider:bank"); got != 500 {
			t.Errorf("the bank holds %d", got)
		}
		checkBooks(t, db)
	})
}

// Processes booking at once: the same notice from several at once books
// once; moves between two accounts in both directions keep the balances
// and do not deadlock.
func TestBookingAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		open(t, db)
		var wg sync.WaitGroup
		booked := make(chan error, 40)
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tx := ledger.Move("contribution", "campaign:1", "provider:mollie", 1000, "")
				if i%2 == 0 {
					tx = ledger.Move("contribution", "campaign:2", "provider:mollie", 700, "")
				}
				if i < 10 {
					tx.Ref = "mollie:tr_same"
				}
				booked <- db.InTx(ctx, func(q *store.Tx) error {
					_, err := ledger.Post(ctx, q, tx, day)
					if errors.Is(err, ledger.ErrBooked) {
						return nil
					}
					return err
				})
			}()
		}
		wg.Wait()
		close(booked)
		for err := range booked {
			if err != nil {
				t.Errorf("booking at once: %v", err)
			}
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_transactions WHERE ref = 'mollie:tr_same'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("the same notice from ten processes booked %d times (%v)", n, err)
		}
		// 30 without ref, 15 to each campaign, and the one of the ten with
		// the ref that came first: 1000 more for the first or 700 for the
		// second, not both.
		c1, c2 := held(t, db, "campaign:1"), held(t, db, "campaign:2")
		if total := c1 + c2; total != held(t, db, "provider:mollie") || total != 15000+10500+1000 && total != 15000+10500+700 ||
			(c1 != 15000 && c1 != 16000) || (c2 != 10500 && c2 != 11200) {
			t.Errorf("campaigns hold %d and %d, Mollie %d", c1, c2, held(t, db, "provider:mollie"))
		}
		checkBooks(t, db)
	})
}

// Random books: whatever sequence of moves, splits and reversals, the
// books balance.
func TestRandomBooksBalance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		open(t, db)
		codes := []string{"provider:mollie", "provider:bank", "fees:mollie", "campaign:1", "campaign:2", "pool:1:funder:1", "pool:1:funder:2"}
		rng := rand.New(rand.NewPCG(14, 2026))
		var ids []int64
		for range 300 {
			if len(ids) > 0 && rng.IntN(6) == 0 {
				id := ids[rng.IntN(len(ids))]
				if _, err := ledger.Reverse(ctx, db, id, "", day); err != nil && !isCode(err, "ledger.reversed") && !isCode(err, "ledger.reversal") {
					t.Fatal(err)
				}
				continue
			}
			n := 2 + rng.IntN(4)
			entries := make([]ledger.Entry, n)
			var sum int64
			for i := range n - 1 {
				c := rng.Int64N(200000) - 100000
				if c == 0 {
					c = 1
				}
				entries[i] = ledger.Entry{Account: codes[rng.IntN(len(codes))], Cents: c}
				sum += c
			}
			if sum == 0 {
				continue
			}
			entries[n-1] = ledger.Entry{Account: codes[rng.IntN(len(codes))], Cents: -sum}
			ids = append(ids, post(t, db, ledger.Transaction{Kind: "test", Entries: entries}))
		}
		checkBooks(t, db)
	})
}

// BenchmarkBalanceMillionEntries reads an account's balance in a ledger
// of a million entries (issue 14: under 10 ms).
//
//	go test -run '^$' -bench BalanceMillion ./internal/ledger/
func BenchmarkBalanceMillionEntries(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var db *store.DB
			if engine == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.Postgres(b)
			}
			ctx := context.Background()
			open(b, db)
			codes := []string{"campaign:1", "campaign:2", "pool:1:funder:1", "pool:1:funder:2"}
			// 500,000 moves of two entries, posted as samen posts them, in
			// transactions of a thousand to fill the ledger in minutes.
			const moves, batch = 500_000, 1000
			var want int64
			for i := 0; i < moves; i += batch {
				err := db.InTx(ctx, func(q *store.Tx) error {
					for j := i; j < i+batch; j++ {
						c := int64(1 + j%997)
						from := codes[j%len(codes)]
						if from == "campaign:1" {
							want += c
						}
						if _, err := ledger.Post(ctx, q, ledger.Move("test", from, "provider:bank", c, ""), day); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				a, err := ledger.Get(ctx, db, "campaign:1")
				if err != nil || a.Held() != want {
					b.Fatalf("%+v %v, want %d", a, err, want)
				}
			}
		})
	}
}
