package fund

import (
	"context"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// Prices as providers write them: a fixed amount per payment (as iDEAL
// payments are priced), a share, or a share plus a fixed amount (as card
// payments are). The numbers are examples, not anyone's price list.
func TestParseFee(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Fee
		of   int64 // the fee of €10
	}{
		{"0.32", Fee{FixedCents: 32}, 32},
		{"€ 0,32", Fee{FixedCents: 32}, 32},
		{"1.8% + 0.25", Fee{FixedCents: 25, BasisPoints: 180}, 43},
		{"1,8%+€0,25", Fee{FixedCents: 25, BasisPoints: 180}, 43},
		{"2.9%", Fee{BasisPoints: 290}, 29},
		{"0.05%", Fee{BasisPoints: 5}, 1}, // 0.5 cent, rounded half up
		{"0", Fee{}, 0},
	} {
		got, err := ParseFee(c.in)
		if err != nil || got != c.want || got.Of(1000) != c.of {
			t.Errorf("ParseFee(%q) = %+v (of €10: %d), %v; want %+v (%d)", c.in, got, got.Of(1000), err, c.want, c.of)
		}
		if back, err := ParseFee(got.String()); err != nil || back != got {
			t.Errorf("%+v written as %q reads back as %+v, %v", got, got.String(), back, err)
		}
	}
	for _, bad := range []string{"", "%", "abc", "1.234", "11%", "10.01", "-1", "1%+", "0.2.5"} {
		if f, err := ParseFee(bad); err == nil {
			t.Errorf("ParseFee(%q) = %+v, want an error", bad, f)
		}
	}
	if got := (Fee{FixedCents: 25}).Of(10); got != 10 {
		t.Errorf("a fee of 25 cents on a gift of 10 is %d, want at most the gift", got)
	}
}

// The provider's fee is booked with the payment, from its clearing account
// to fees:<provider>; the campaign bears the fees of the gifts it keeps at
// its payout, and a refunded gift's fee stays the host's.
func TestFees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.svc.Fees = map[string]Fee{"demo": {FixedCents: 25, BasisPoints: 180}}
		c := f.campaign(t, false)
		kept := f.give(t, nil, "a@example.org", c.ID, 1000) // fee 18 + 25 = 43
		gone := f.give(t, nil, "b@example.org", c.ID, 2000) // fee 36 + 25 = 61
		if err := f.svc.Refund(ctx, f.anna, gone.ID, "Dubbel"); err != nil {
			t.Fatal(err)
		}
		if got := f.held(t, "fees:demo"); got != 104 {
			t.Errorf("fees:demo holds %d before the payout, want 43 + 61", got)
		}
		if v, err := f.svc.CampaignPage(ctx, f.anna, c.ID); err != nil || v.Fees != 43 {
			t.Errorf("the campaign's page says its fees are %d, want the kept gift's 43 (%v)", v.Fees, err)
		}
		f.clock.t = f.clock.t.AddDate(0, 2, 0)
		if _, err := f.svc.Advance(ctx); err != nil {
			t.Fatal(err)
		}
		for code, want := range map[string]int64{
			initiativeAccount(c.WorkspaceID): 1000 - 43,
			campaignAccount(c.ID):            0,
			"fees:demo":                      61,
			providerAccount("demo"):          1000 + 2000 - 43 - 61 - 2000,
		} {
			if got := f.held(t, code); got != want {
				t.Errorf("%s holds %d, want %d", code, got, want)
			}
		}
		var feeTx int64
		if err := db.QueryRow(ctx, `SELECT COALESCE(fee_tx, 0) FROM fund_contributions WHERE id = ?`, kept.ID).Scan(&feeTx); err != nil || feeTx == 0 {
			t.Errorf("the kept gift's fee is not marked charged (%v)", err)
		}
		checkBooks(t, db)
	})
}

// FuzzParseFee: a price is read or refused, never guessed; one read is
// within the bounds, writes back as itself, and never costs more than the
// payment or less than nothing.
func FuzzParseFee(f *testing.F) {
	for _, s := range []string{"0.32", "1.8% + 0.25", "€ 0,32", "2.9%", "11%", "10.01", "1.234", "%", "+", "1%+1%+0.5", ""} {
		f.Add(s, int64(1000))
	}
	f.Fuzz(func(t *testing.T, s string, cents int64) {
		fee, err := ParseFee(s)
		if err != nil {
			return
		}
		if fee.BasisPoints < 0 || fee.BasisPoints > MaxFeeBasisPoints || fee.FixedCents < 0 || fee.FixedCents > MaxFeeCents {
			t.Fatalf("%q read as %+v, out of bounds", s, fee)
		}
		if back, err := ParseFee(fee.String()); err != nil || back != fee {
			t.Fatalf("%q read as %+v, written as %q, read back as %+v (%v)", s, fee, fee.String(), back, err)
		}
		if cents = min(max(cents, 0), MaxContribution); fee.Of(cents) < 0 || fee.Of(cents) > cents {
			t.Fatalf("%+v of %d is %d", fee, cents, fee.Of(cents))
		}
	})
}
