package demo_test

import (
	"context"
	"testing"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/demo"
	"samen/internal/fund"
	"samen/internal/ledger"
	"samen/internal/mapindex"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/web"
	"samen/internal/workspace"
)

// The demo's funding (issue 14): a pool of the municipality and a fund,
// three campaigns (succeeded, running, failed and refunded), expenses in
// every state, and a ledger whose every transaction sums to zero.
func TestSeedFunding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		accounts := &account.Service{DB: db}
		letters, err := web.NewLetters("http://samen.test")
		if err != nil {
			t.Fatal(err)
		}
		funding := &fund.Service{DB: db, Providers: map[string]fund.Provider{"demo": &fund.DemoProvider{}},
			Bank: fund.BankAccount{IBAN: "NL20INGB0001234567", Name: "Stichting samen"}}
		seeded, err := demo.Seed(ctx, accounts, demo.Services{Atlas: &atlas.Service{DB: db, Map: mapindex.New(mapindex.Options{}), Letters: letters},
			Workspaces: &workspace.Service{DB: db, Letters: letters, Files: t.TempDir()}, Funding: funding})
		if err != nil || !seeded {
			t.Fatalf("seed: %v %v", seeded, err)
		}
		states := map[string]int{}
		rows, err := db.Query(ctx, `SELECT state FROM fund_campaigns`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			states[s]++
		}
		rows.Close()
		if states["succeeded"] != 1 || states["running"] != 1 || states["failed"] != 1 {
			t.Errorf("the demo's campaigns: %v; want one succeeded, one running, one failed", states)
		}
		var refunded, open int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM fund_contributions k JOIN fund_campaigns c ON c.id = k.campaign_id
			WHERE c.state = 'failed' AND k.status = 'refunded'`).Scan(&refunded); err != nil || refunded == 0 {
			t.Errorf("the failed campaign refunded %d contributions (%v)", refunded, err)
		}
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM fund_contributions k JOIN fund_campaigns c ON c.id = k.campaign_id
			WHERE c.state = 'failed' AND k.status <> 'refunded'`).Scan(&open); err != nil || open != 0 {
			t.Errorf("the failed campaign kept %d contributions (%v)", open, err)
		}
		expenses := map[string]int{}
		rows, err = db.Query(ctx, `SELECT state FROM fund_expenses`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			expenses[s]++
		}
		rows.Close()
		for _, s := range []string{"draft", "pending", "approved", "rejected", "paid"} {
			if expenses[s] == 0 {
				t.Errorf("the demo has no %s expense: %v", s, expenses)
			}
		}
		// Two carry a receipt, a PDF of their invoice.
		var receipts int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM fund_expense_files WHERE media_type = 'application/pdf'`).Scan(&receipts); err != nil || receipts != 2 {
			t.Errorf("the demo has %d receipts (%v), want 2", receipts, err)
		}
		// The whole ledger, as its CSV file lists it: every transaction
		// sums to zero.
		sums := map[int64]int64{}
		if err := ledger.Lines(ctx, db, ledger.Filter{}, func(l ledger.Line) error { sums[l.Transaction] += l.Cents; return nil }); err != nil {
			t.Fatal(err)
		}
		if len(sums) < 40 {
			t.Errorf("the demo ledger has %d transactions; want its contributions, matches, refunds and payments", len(sums))
		}
		for tx, s := range sums {
			if s != 0 {
				t.Errorf("transaction %d sums to %d", tx, s)
			}
		}
		pool, err := ledger.Accounts(ctx, db, "pool:")
		if err != nil || len(pool) != 2 {
			t.Fatalf("the pool's funders: %+v %v", pool, err)
		}
		deposited := map[string]int64{"Gemeente Amsterdam": 1000000, "Democratic Tech Fund": 500000}
		for _, a := range pool {
			if a.Held() <= 0 || a.Held() >= deposited[a.Name] {
				t.Errorf("funder %q holds %d of the %d it put in; want some matched, some left", a.Name, a.Held(), deposited[a.Name])
			}
		}
	})
}
