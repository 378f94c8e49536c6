package workspace

import (
	"context"
	"testing"

	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestCanTransition(t *testing.T) {
	for _, tc := range []struct {
		from, to Status
		ok       bool
	}{
		{Interest, Option, true}, {Option, Granted, true}, {Granted, Final, true},
		{Interest, Granted, false}, {Final, Granted, false}, {Final, Terminated, true},
		{Interest, Terminated, true}, {Terminated, Terminated, false}, {Terminated, Interest, false},
	} {
		if got := CanTransition(tc.from, tc.to); got != tc.ok {
			t.Errorf("%s → %s: %v, want %v", tc.from, tc.to, got, tc.ok)
		}
	}
}

func TestSharesLedgerAndFees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		ws, err := s.Create(ctx, f.anna, Draft{Name: "Zonnedak Noord"})
		if err != nil {
			t.Fatal(err)
		}
		ref := ws.Slug
		add := func(name, email string, c Circle) Member {
			m, err := s.AddMember(ctx, f.anna, ref, NewMember{Name: name, Email: email, Circle: c})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		bert := add("Bert", "bert@example.org", Contributors)
		cato := add("Cato", "cato@example.org", Members)
		dirk := add("Dirk", "dirk@example.org", Members)
		add("Sympathisant", "", Supporters)
		if err := s.Grant(ctx, f.anna, ref, bert.ID, RoleTreasurer); err != nil {
			t.Fatal(err)
		}

		_, err = s.AddShareClass(ctx, f.cato, ref, ShareClass{Name: "Dak", NominalCents: 25000, MinShares: 1})
		wantProblem(t, "a member adds a class", err, problem.Forbidden, "")
		_, err = s.AddShareClass(ctx, f.bert, ref, ShareClass{Name: "", NominalCents: 0, MinShares: 3, MaxShares: 2})
		if p := problemFields(err); p["name"] != "required" || p["nominal"] != "amount.positive" || p["max_shares"] != "number.out_of_range" {
			t.Errorf("a bad class: %v", err)
		}
		dak, err := s.AddShareClass(ctx, f.bert, ref, ShareClass{Name: "Zonnedak", NominalCents: 25000, MinShares: 1, MaxShares: 20})
		if err != nil {
			t.Fatal(err)
		}

		// Cato states her interest herself; more than the maximum is refused.
		_, err = s.AddParticipation(ctx, f.cato, ref, NewParticipation{MemberID: cato.ID, ClassID: dak.ID, Shares: 21})
		if problemFields(err)["shares"] != "shares.above_max" {
			t.Errorf("21 shares: %v", err)
		}
		_, err = s.AddParticipation(ctx, f.cato, ref, NewParticipation{MemberID: dirk.ID, ClassID: dak.ID, Shares: 1})
		wantProblem(t, "Cato for Dirk", err, problem.Forbidden, "")
		p, err := s.AddParticipation(ctx, f.cato, ref, NewParticipation{MemberID: cato.ID, ClassID: dak.ID, Shares: 4, Status: Final})
		if err != nil || p.Status != Interest || p.ValueCents != 100000 {
			t.Fatalf("Cato's interest %+v %v", p, err)
		}
		// Through the statuses, one at a time; final only when paid.
		if err := s.Advance(ctx, f.bert, ref, p.ID, Granted); problemFields(err)["status"] != "status.not_next" {
			t.Errorf("skipping a status: %v", err)
		}
		wantProblem(t, "Cato advances her own", s.Advance(ctx, f.cato, ref, p.ID, Option), problem.Forbidden, "")
		for _, st := range []Status{Option, Granted} {
			if err := s.Advance(ctx, f.bert, ref, p.ID, st); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Advance(ctx, f.bert, ref, p.ID, Final); problemFields(err)["status"] != "status.unpaid" {
			t.Errorf("final while unpaid: %v", err)
		}
		_, err = s.Book(ctx, f.bert, ref, Booking{MemberID: cato.ID, Account: Capital, Kind: Deposit, AmountCents: 100000})
		if problemFields(err)["participation"] != "required" {
			t.Errorf("capital without a participation: %v", err)
		}
		if _, err := s.Book(ctx, f.bert, ref, Booking{MemberID: cato.ID, ParticipationID: p.ID, Account: Capital, Kind: Deposit,
			AmountCents: 100000, BookedOn: "3-6-2026", Description: "iDEAL"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Advance(ctx, f.bert, ref, p.ID, Final); err != nil {
			t.Fatalf("final once paid: %v", err)
		}
		_, err = s.Book(ctx, f.bert, ref, Booking{MemberID: cato.ID, ParticipationID: p.ID, Account: Capital, Kind: Withdrawal, AmountCents: 100001})
		if problemFields(err)["amount"] != "amount.above_balance" {
			t.Errorf("withdrawing more than paid: %v", err)
		}
		// A contribution on the fees account stays apart from capital.
		if _, err := s.Book(ctx, f.bert, ref, Booking{MemberID: dirk.ID, Account: Fees, Kind: Deposit, AmountCents: 1000, Description: "gift"}); err != nil {
			t.Fatal(err)
		}
		if b, _ := s.Balances(ctx, f.bert, ref); b.Capital != 100000 || b.Fees != 1000 {
			t.Errorf("balances %+v", b)
		}

		// Two of Cato's shares go to Dirk: his participation is final and
		// paid, hers keeps two.
		if err := s.TransferShares(ctx, f.bert, ref, p.ID, dirk.ID, 2, ""); err != nil {
			t.Fatal(err)
		}
		mine, err := s.Participations(ctx, f.cato, ref, ParticipationFilter{})
		if err != nil || len(mine) != 1 || mine[0].Shares != 2 || mine[0].PaidCents != 50000 {
			t.Errorf("Cato's after the transfer %+v %v", mine, err)
		}
		all, _ := s.Participations(ctx, f.bert, ref, ParticipationFilter{})
		if len(all) != 2 || all[1].MemberID != dirk.ID || all[1].Status != Final || all[1].PaidCents != 50000 {
			t.Errorf("the register of shares %+v", all)
		}
		// Cato sees only her own entries; the treasurer sees them all.
		own, _, err := s.Ledger(ctx, f.cato, ref, LedgerFilter{})
		if err != nil || len(own) != 2 {
			t.Errorf("Cato's entries %d %v", len(own), err)
		}
		if _, _, err := s.Ledger(ctx, f.cato, ref, LedgerFilter{MemberID: dirk.ID}); !problem.Is(err, problem.Forbidden) {
			t.Errorf("Cato reads Dirk's entries: %v", err)
		}
		entries, _, _ := s.Ledger(ctx, f.bert, ref, LedgerFilter{Account: Capital})
		if len(entries) != 3 || entries[0].Kind != Transfer || entries[0].TransferID != entries[1].ID {
			t.Fatalf("capital entries %+v", entries)
		}
		// Reversing one half of the transfer reverses both, once.
		if err := s.Reverse(ctx, f.bert, ref, entries[0].ID, "wrong member"); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, "reversing twice", s.Reverse(ctx, f.bert, ref, entries[1].ID, "again"), problem.Conflict, "workspace.already_reversed")
		if b, _ := s.Balances(ctx, f.bert, ref); b.Capital != 100000 {
			t.Errorf("capital after reversing the transfer %d", b.Capital)
		}
		// The ledger itself refuses to be rewritten.
		if _, err := db.Exec(ctx, `UPDATE workspace_ledger SET amount_cents = 1 WHERE id = ?`, entries[0].ID); err == nil {
			t.Error("an entry was edited")
		}
		if _, err := db.Exec(ctx, `DELETE FROM workspace_ledger WHERE id = ?`, entries[0].ID); err == nil {
			t.Error("an entry was deleted")
		}

		// Fees: everyone in members and further in owes 2027's; paying
		// and reversing.
		period, err := s.OpenFeePeriod(ctx, f.bert, ref, "2027", 2500, "1-3-2027", Members)
		if err != nil || period.Fees != 4 {
			t.Fatalf("the period %+v %v (anna, bert, cato, dirk owe it; the supporter does not)", period, err)
		}
		fees, err := s.Fees(ctx, f.bert, ref, period.ID, false)
		if err != nil || len(fees) != 4 {
			t.Fatalf("fees %+v %v", fees, err)
		}
		var catoFee Fee
		for _, fee := range fees {
			if fee.MemberID == cato.ID {
				catoFee = fee
			}
		}
		if err := s.PayFee(ctx, f.bert, ref, catoFee.ID, "2027-02-10"); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, "paying twice", s.PayFee(ctx, f.bert, ref, catoFee.ID, ""), problem.Conflict, "workspace.fee_paid")
		if mine, _ := s.Fees(ctx, f.cato, ref, 0, false); len(mine) != 1 || !mine[0].Paid() || mine[0].PaidOn != "2027-02-10" {
			t.Errorf("Cato's fees %+v", mine)
		}
		periods, _ := s.FeePeriods(ctx, f.bert, ref)
		if len(periods) != 1 || periods[0].Paid != 1 || periods[0].PaidCents != 2500 {
			t.Errorf("periods %+v", periods)
		}
		fee, _ := s.Fees(ctx, f.cato, ref, 0, false)
		if err := s.Reverse(ctx, f.bert, ref, fee[0].PaidEntry, "bounced"); err != nil {
			t.Fatal(err)
		}
		if unpaid, _ := s.Fees(ctx, f.bert, ref, period.ID, true); len(unpaid) != 4 {
			t.Errorf("after the reversal %d unpaid, want 4", len(unpaid))
		}
		if err := s.PayFee(ctx, f.bert, ref, catoFee.ID, ""); err != nil {
			t.Errorf("paying again after the reversal: %v", err)
		}
		if b, _ := s.Balances(ctx, f.bert, ref); b.Fees != 3500 || b.Capital != 100000 {
			t.Errorf("balances at the end %+v", b)
		}
	})
}
