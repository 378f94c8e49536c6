package fund

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/match"
	"samen/internal/personal"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestCampaignsAndContributions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		good := DraftCampaign{Title: "Oven", Language: "nl", MinCents: 50000, GoalCents: 100000, Deadline: f.clock.t.AddDate(0, 1, 0)}

		bad := good
		bad.GoalCents, bad.Deadline = 40000, f.clock.t.Add(-time.Hour)
		_, err := f.svc.CreateCampaign(ctx, f.anna, f.slug, bad)
		wantField(t, err, "goal", "fund.goal_below_min")
		wantField(t, err, "deadline", "fund.deadline_past")
		_, err = f.svc.CreateCampaign(ctx, f.cato, f.slug, good)
		wantCode(t, err, "fund.forbidden") // a member, not a treasurer
		_, err = f.svc.CreateCampaign(ctx, f.fien, f.slug, good)
		wantCode(t, err, "fund.forbidden")                        // a stranger
		c, err := f.svc.CreateCampaign(ctx, f.bert, f.slug, good) // the treasurer
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := f.svc.campaignAs(ctx, db, f.fien, c.ID); err == nil {
			t.Error("a stranger sees a draft campaign")
		}
		_, err = f.svc.Contribute(ctx, f.fien, c.ID, Gift{Cents: 1000, Name: "Fien", Method: Demo})
		wantCode(t, err, "fund.not_found")
		if err := f.svc.Launch(ctx, f.bert, c.ID); err != nil {
			t.Fatal(err)
		}

		// Without an account, with an address; bad input named per field.
		_, err = f.svc.Contribute(ctx, nil, c.ID, Gift{Cents: 50, Email: "nope", Name: "", Method: "paypal"})
		wantField(t, err, "amount", "fund.contribution_range")
		wantField(t, err, "email", "email.invalid")
		wantField(t, err, "name", "required")
		wantField(t, err, "method", "choice.unknown")
		g := f.give(t, nil, "gever@example.org", c.ID, 2500)
		if g.UserID != 0 || g.Email != "gever@example.org" || g.Token == "" {
			t.Errorf("a gift without an account: %+v", g)
		}
		anon, err := f.svc.Contribute(ctx, f.fien, c.ID, Gift{Cents: 1000, Name: "Fien", Anonymous: true, Method: Demo})
		if err != nil || anon.PublicName != "" || anon.Email != "fien@example.org" {
			t.Errorf("an anonymous gift keeps no public name: %+v %v", anon, err)
		}
		bank, err := f.svc.Contribute(ctx, f.cato, c.ID, Gift{Cents: 5000, Name: "Cato", Method: Bank})
		if err != nil || bank.Status != PaymentOpen || !ValidReference(bank.Ref) {
			t.Errorf("a bank transfer waits with a reference: %+v %v", bank, err)
		}
		if got := f.held(t, campaignAccount(c.ID)); got != 3500 {
			t.Errorf("the campaign holds %d, want the two demo gifts (3500): the transfer is not here yet", got)
		}
		if got := f.held(t, providerAccount("demo")); got != 3500 {
			t.Errorf("the demo provider holds %d", got)
		}
		// The same payment reported again books nothing more.
		if err := f.svc.Sync(ctx, Demo, g.Ref); err != nil {
			t.Fatal(err)
		}
		if got := f.held(t, campaignAccount(c.ID)); got != 3500 {
			t.Errorf("after a second notice the campaign holds %d", got)
		}

		// Once running, the goals and deadline stay as promised.
		changed := good
		changed.Title, changed.MinCents, changed.Deadline = "Een betere oven", 1000, f.clock.t.AddDate(0, 2, 0)
		u, err := f.svc.UpdateCampaign(ctx, f.anna, c.ID, changed)
		if err != nil || u.Title != "Een betere oven" || u.MinCents != 50000 || !u.Deadline.Equal(c.Deadline) {
			t.Errorf("updating a running campaign: %+v %v", u, err)
		}

		// A refund by the treasurer: the money goes back, once.
		wantField(t, f.svc.Refund(ctx, f.anna, g.ID, ""), "reason", "required")
		if err := f.svc.Refund(ctx, f.anna, g.ID, "Dubbel gegeven"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.svc.Refund(ctx, f.anna, g.ID, "Nog eens"), "fund.not_paid")
		if got := f.held(t, campaignAccount(c.ID)); got != 1000 {
			t.Errorf("after the refund the campaign holds %d, want 1000", got)
		}

		// After the deadline nobody gives.
		f.clock.t = c.Deadline.Add(time.Minute)
		_, err = f.svc.Contribute(ctx, f.fien, c.ID, Gift{Cents: 1000, Name: "Fien", Method: Demo})
		wantCode(t, err, "fund.campaign_closed")
		checkBooks(t, db)
	})
}

// pool sets up and opens a duplicate pool of the steward with two funders
// (the municipality €300, a fund €200) and accepts campaign c.
func (f *fixture) pool(t testing.TB, d DraftPool, deposits []int64, c Campaign) Pool {
	t.Helper()
	ctx := context.Background()
	p, err := f.svc.CreatePool(ctx, f.steward, d)
	if err != nil {
		t.Fatal(err)
	}
	for i, cents := range deposits {
		if err := f.svc.Deposit(ctx, f.steward, p.ID, p.Funders[i].ID, cents, "Toegezegd"); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.SetPoolState(ctx, f.steward, p.ID, PoolOpen); err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.Apply(ctx, f.anna, p.ID, c.ID, "Graag")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DecideApplication(ctx, f.steward, a.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	p, err = loadPool(ctx, f.db, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMatching(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.campaign(t, true)
		// Factor 2, at most €20 of a contribution counted, at most €150
		// per project, two matched contributions per contributor.
		p := f.pool(t, DraftPool{Name: "Buurtfonds", Language: "nl", Rule: Duplicate, Factor: "2", MaxPerContribution: 2000,
			MaxPerProject: 15000, MaxMatchedPerContributor: 2, Funders: []string{"Gemeente", "Fonds"}}, []int64{30000, 20000}, c)
		gemeente, fonds := funderAccount(p.ID, p.Funders[0].ID), funderAccount(p.ID, p.Funders[1].ID)

		// €10 → ⌊1000 × 2⌋ = 2000, split 30000:20000 → 1200 + 800.
		f.give(t, f.cato, "", c.ID, 1000)
		if g, k := f.held(t, gemeente), f.held(t, fonds); g != 28800 || k != 19200 {
			t.Errorf("after the first match the funders hold %d and %d, want 28800 and 19200", g, k)
		}
		// €50 counts as €20 → 4000; left 28800:19200 → 2400 + 1600.
		f.give(t, f.dirk, "", c.ID, 5000)
		if g, k := f.held(t, gemeente), f.held(t, fonds); g != 26400 || k != 17600 {
			t.Errorf("after the capped match the funders hold %d and %d, want 26400 and 17600", g, k)
		}
		// Cato's second is matched (2000), her third is not.
		f.give(t, f.cato, "", c.ID, 1000)
		third := f.give(t, f.cato, "", c.ID, 1000)
		var m int64
		if err := db.QueryRow(ctx, `SELECT cents FROM fund_matches WHERE contribution_id = ?`, third.ID).Scan(&m); err != nil || m != 0 {
			t.Errorf("a third contribution of one contributor drew %d (%v), want 0", m, err)
		}
		// So far 2000 + 4000 + 2000 = 8000 on the project; the cap of
		// 15000 leaves 7000, and €40 (4000) then €40 again (3000 left).
		f.give(t, nil, "een@example.org", c.ID, 4000)
		last := f.give(t, nil, "twee@example.org", c.ID, 4000)
		if err := db.QueryRow(ctx, `SELECT cents FROM fund_matches WHERE contribution_id = ?`, last.ID).Scan(&m); err != nil || m != 3000 {
			t.Errorf("the contribution that reaches the project's cap drew %d (%v), want 3000", m, err)
		}
		if got := f.held(t, campaignAccount(c.ID)); got != 1000+5000+1000+1000+4000+4000+15000 {
			t.Errorf("the campaign holds %d", got)
		}
		// A refund gives the match back to the funders as it was split.
		before := [2]int64{f.held(t, gemeente), f.held(t, fonds)}
		f.give(t, f.emma, "", c.ID, 100) // the cap is reached: no match
		dirk, err := f.svc.contributionsOf(ctx, c.ID, f.dirk.ID)
		if err != nil || len(dirk) != 1 {
			t.Fatal(dirk, err)
		}
		if err := f.svc.Refund(ctx, f.anna, dirk[0], "Vergissing"); err != nil {
			t.Fatal(err)
		}
		if g, k := f.held(t, gemeente), f.held(t, fonds); g != before[0]+2400 || k != before[1]+1600 {
			t.Errorf("the refunded match went back as %d and %d, want +2400 and +1600", g-before[0], k-before[1])
		}
		checkBooks(t, db)
	})
}

// contributionsOf lists the ids of u's contributions to campaign id.
func (s *Service) contributionsOf(ctx context.Context, id, userID int64) ([]int64, error) {
	return store.IDs(ctx, s.DB, `SELECT id FROM fund_contributions WHERE campaign_id = ? AND user_id = ? ORDER BY id`, id, userID)
}

func TestDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		failing := f.campaign(t, true)
		keeping := f.campaign(t, false)
		p := f.pool(t, DraftPool{Name: "Buurtfonds", Language: "nl", Rule: Duplicate, Factor: "1", Funders: []string{"Gemeente", "Fonds"}},
			[]int64{30000, 20000}, failing)
		for _, u := range f.all() {
			f.give(t, u, "", failing.ID, 3000)
			f.give(t, u, "", keeping.ID, 2000)
		}
		// Seven people × (3000 + match 3000) = 42000 < 50000: it fails.
		if got := f.held(t, campaignAccount(failing.ID)); got != 42000 {
			t.Fatalf("the failing campaign holds %d", got)
		}
		f.clock.t = failing.Deadline.Add(time.Second)
		got, err := f.svc.Advance(ctx)
		if err != nil || got.Failed != 1 || got.Succeeded != 1 || got.Refunded != 7 {
			t.Fatalf("the deadline: %+v %v", got, err)
		}
		if again, err := f.svc.Advance(ctx); err != nil || again != (Progress{}) {
			t.Errorf("a second round did something: %+v %v", again, err)
		}
		if got := f.held(t, campaignAccount(failing.ID)); got != 0 {
			t.Errorf("the failed campaign still holds %d", got)
		}
		if g, k := f.held(t, funderAccount(p.ID, p.Funders[0].ID)), f.held(t, funderAccount(p.ID, p.Funders[1].ID)); g != 30000 || k != 20000 {
			t.Errorf("the funders hold %d and %d after the failure, want all of it back", g, k)
		}
		var open int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM fund_contributions WHERE campaign_id = ? AND status <> 'refunded'`, failing.ID).Scan(&open); err != nil || open != 0 {
			t.Errorf("%d contributions of the failed campaign were not refunded (%v)", open, err)
		}
		if len(f.demo.refunded) != 7 {
			t.Errorf("the provider was asked for %d refunds, want 7", len(f.demo.refunded))
		}
		// Keep-what-you-raise below its minimum: the money goes to the
		// initiative.
		if got := f.held(t, initiativeAccount(f.wsID)); got != 14000 {
			t.Errorf("the initiative holds %d, want 14000", got)
		}
		checkBooks(t, db)
	})
}

func (f *fixture) all() []*account.User {
	return []*account.User{f.anna, f.bert, f.cato, f.dirk, f.emma, f.fien, f.steward}
}

func TestExpenses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.campaign(t, false)
		f.give(t, f.fien, "", c.ID, 60000)
		f.clock.t = c.Deadline.Add(time.Second)
		if _, err := f.svc.Advance(ctx); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.svc.SetApprovals(ctx, f.bert, f.slug, 2), "fund.forbidden") // a treasurer, not core
		if err := f.svc.SetApprovals(ctx, f.anna, f.slug, 2); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.SubmitExpense(ctx, f.cato, f.slug, DraftExpense{Title: "", Cents: 0, IBAN: "NL00BANK0123456789", CampaignID: c.ID, LineID: 999}, true)
		wantField(t, err, "title", "required")
		wantField(t, err, "amount", "amount.positive")
		wantField(t, err, "iban", "fund.iban")
		wantField(t, err, "line", "choice.unknown")
		_, err = f.svc.SubmitExpense(ctx, f.emma, f.slug, DraftExpense{Title: "Pannen", Payee: "Emma", Cents: 100}, true)
		wantCode(t, err, "fund.forbidden") // a supporter
		e, err := f.svc.SubmitExpense(ctx, f.cato, f.slug, DraftExpense{Title: "Oven", Payee: "Keukenhuis BV", Cents: 45000,
			IBAN: "NL91 ABNA 0417 1643 00", CampaignID: c.ID, LineID: c.Lines[0].ID}, true)
		if err != nil || e.State != ExpensePending || e.IBAN != "NL91ABNA0417164300" {
			t.Fatalf("submitting: %+v %v", e, err)
		}
		_, err = f.svc.Approve(ctx, f.cato, e.ID)
		wantCode(t, err, "fund.forbidden")
		e, err = f.svc.Approve(ctx, f.anna, e.ID)
		if err != nil || e.State != ExpensePending || len(e.Approvals) != 1 {
			t.Errorf("one of two approvals: %+v %v", e, err)
		}
		_, err = f.svc.Approve(ctx, f.anna, e.ID)
		wantCode(t, err, "fund.approved_before")
		wantCode(t, f.svc.Pay(ctx, f.anna, e.ID), "fund.expense_state")
		e, err = f.svc.Approve(ctx, f.bert, e.ID)
		if err != nil || e.State != ExpenseApproved || len(e.Approvals) != 2 || e.Approvals[0].UserID != f.anna.ID {
			t.Errorf("two approvals: %+v %v", e, err)
		}
		if err := f.svc.Pay(ctx, f.bert, e.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.held(t, initiativeAccount(f.wsID)); got != 15000 {
			t.Errorf("after paying the initiative holds %d, want 15000", got)
		}
		// The treasurer's own expense needs others; more than is left is
		// not paid; a rejection needs its reason.
		own, err := f.svc.SubmitExpense(ctx, f.bert, f.slug, DraftExpense{Title: "Installatie", Payee: "Bert", Cents: 20000}, true)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Approve(ctx, f.bert, own.ID)
		wantCode(t, err, "fund.own_expense")
		f.svc.Approve(ctx, f.anna, own.ID)
		if err := f.svc.SetApprovals(ctx, f.anna, f.slug, 1); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.svc.Pay(ctx, f.anna, own.ID), "fund.expense_state") // still pending: approvals count when given
		wantField(t, f.svc.Reject(ctx, f.anna, own.ID, " "), "reason", "required")
		if err := f.svc.Reject(ctx, f.anna, own.ID, "Geen bon"); err != nil {
			t.Fatal(err)
		}
		big, _ := f.svc.SubmitExpense(ctx, f.dirk, f.slug, DraftExpense{Title: "Afzuigkap", Payee: "Dirk", Cents: 20000}, true)
		if _, err := f.svc.Approve(ctx, f.anna, big.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.svc.Pay(ctx, f.anna, big.ID), "fund.insufficient")
		// Nobody leaves more than ten waiting.
		for i := range MaxPendingPerPerson {
			if _, err := f.svc.SubmitExpense(ctx, f.cato, f.slug, DraftExpense{Title: fmt.Sprint("Bon ", i), Payee: "Cato", Cents: 100}, true); err != nil {
				t.Fatal(err)
			}
		}
		_, err = f.svc.SubmitExpense(ctx, f.cato, f.slug, DraftExpense{Title: "Nog een", Payee: "Cato", Cents: 100}, true)
		wantCode(t, err, "fund.too_many_pending")
		// Nor keeps more than ten drafts, whose receipts no quota counts.
		for i := range MaxDraftsPerPerson {
			if _, err := f.svc.SubmitExpense(ctx, f.cato, f.slug, DraftExpense{Title: fmt.Sprint("Concept ", i), Payee: "Cato", Cents: 100}, false); err != nil {
				t.Fatal(err)
			}
		}
		_, err = f.svc.SubmitExpense(ctx, f.cato, f.slug, DraftExpense{Title: "Nog een concept", Payee: "Cato", Cents: 100}, false)
		wantCode(t, err, "fund.too_many_drafts")
		// The IBAN is the submitter's and the treasurers' only.
		seen, _, err := f.svc.expenseAs(ctx, db, f.dirk, e.ID)
		if err != nil || seen.IBAN != "" {
			t.Errorf("another member reads the payee's IBAN: %+v %v", seen, err)
		}
		checkBooks(t, db)
	})
}

// Money is never created or lost: random sequences of contributions,
// refunds, deadlines and expenses keep every transaction at zero, no
// pool below zero, no cap exceeded.
func TestMoneyIsNeverMadeOrLost(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		// Mollie's card price: every gift costs a fee, which the books must
		// place too.
		f.svc.Fees = map[string]Fee{"demo": {FixedCents: 25, BasisPoints: 180}}
		rng := rand.New(rand.NewPCG(14, 1))
		var campaigns []Campaign
		for i := range 3 {
			campaigns = append(campaigns, f.campaign(t, i != 1))
		}
		p := f.pool(t, DraftPool{Name: "Pot", Language: "nl", Rule: Duplicate, Factor: "1.5", MaxPerContribution: 3000, MaxPerProject: 20000,
			MaxMatchedPerContributor: 3, Funders: []string{"Gemeente", "Fonds", "Buren"}}, []int64{25000, 10001, 333}, campaigns[0])
		for _, c := range campaigns[1:] {
			a, err := f.svc.Apply(ctx, f.anna, p.ID, c.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.DecideApplication(ctx, f.steward, a.ID, true, ""); err != nil {
				t.Fatal(err)
			}
		}
		people := f.all()
		var paid []int64
		for range 120 {
			c := campaigns[rng.IntN(len(campaigns))]
			switch rng.IntN(5) {
			case 0:
				if len(paid) > 0 {
					id := paid[rng.IntN(len(paid))]
					_ = f.svc.Refund(ctx, f.anna, id, "Terug") // may be refunded already, or its campaign over
				}
			default:
				g, err := f.svc.Contribute(ctx, people[rng.IntN(len(people))], c.ID, Gift{Cents: 100 + rng.Int64N(6000), Name: "X", Method: Demo})
				if err == nil {
					paid = append(paid, g.ID)
				}
			}
		}
		f.clock.t = f.clock.t.AddDate(0, 2, 0)
		if _, err := f.svc.Advance(ctx); err != nil {
			t.Fatal(err)
		}
		checkBooks(t, db)
		// Every campaign has ended: the fees of the gifts kept were charged
		// to their campaigns at the payout, and what fees:demo still holds
		// is exactly the fees of the gifts refunded (the host's).
		var refundedFees, unchargedFees int64
		if err := db.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN status = 'refunded' THEN fee_cents ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN status = 'paid' AND fee_tx IS NULL THEN fee_cents ELSE 0 END), 0) FROM fund_contributions`).Scan(&refundedFees, &unchargedFees); err != nil {
			t.Fatal(err)
		}
		if got := f.held(t, "fees:demo"); got != refundedFees || unchargedFees != 0 || refundedFees == 0 {
			t.Errorf("fees:demo holds %d; the refunded gifts' fees are %d, fees not charged %d", got, refundedFees, unchargedFees)
		}
		var perProject int64
		if err := db.QueryRow(ctx, `SELECT COALESCE(MAX(s), 0) FROM (SELECT SUM(cents) AS s FROM fund_matches WHERE returned_tx IS NULL GROUP BY campaign_id) x`).Scan(&perProject); err != nil || perProject > 20000 {
			t.Errorf("a project drew %d from the pool, above its cap (%v)", perProject, err)
		}
		var perContribution int64
		if err := db.QueryRow(ctx, `SELECT COALESCE(MAX(cents), 0) FROM fund_matches`).Scan(&perContribution); err != nil || perContribution > 4500 {
			t.Errorf("a contribution drew %d, above 1.5 × 3000 (%v)", perContribution, err)
		}
		var held int64
		for _, fu := range p.Funders {
			held += f.held(t, funderAccount(p.ID, fu.ID))
		}
		var matched int64
		if err := db.QueryRow(ctx, `SELECT COALESCE(SUM(cents), 0) FROM fund_matches WHERE returned_tx IS NULL`).Scan(&matched); err != nil || held+matched != 25000+10001+333 {
			t.Errorf("the funders hold %d and matched %d: %d, want the 35334 they put in (%v)", held, matched, held+matched, err)
		}
	})
}

// Two hundred contributions at once near the pool's end, to two campaigns
// of one pool, never over-match: what the pool gave plus what it holds is
// what it received. (Contributions to one campaign wait for each other on
// the campaign's account anyway; two campaigns meet only in the pool.)
func TestTwoHundredAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.campaign(t, false)
		d := f.campaign(t, false)
		p := f.pool(t, DraftPool{Name: "Pot", Language: "nl", Rule: Duplicate, Factor: "1", MaxPerProject: 150000,
			Funders: []string{"Gemeente", "Fonds"}}, []int64{7001, 3000}, c)
		a, err := f.svc.Apply(ctx, f.anna, p.ID, d.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DecideApplication(ctx, f.steward, a.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for i := range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				to := c.ID
				if i%2 == 1 {
					to = d.ID
				}
				_, err := f.svc.Contribute(ctx, nil, to, Gift{Cents: 100, Email: fmt.Sprintf("g%d@example.org", i), Name: "G", Method: Demo})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var n int
		var matched int64
		if err := db.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(cents), 0) FROM fund_matches WHERE pool_id = ?`, p.ID).Scan(&n, &matched); err != nil {
			t.Fatal(err)
		}
		left := f.held(t, funderAccount(p.ID, p.Funders[0].ID)) + f.held(t, funderAccount(p.ID, p.Funders[1].ID))
		if n != 200 || matched != 10001 || left != 0 {
			t.Errorf("200 contributions of 100 against a pool of 10001: %d matches of %d in all, %d left; want 10001 matched, 0 left", n, matched, left)
		}
		if got := f.held(t, campaignAccount(c.ID)) + f.held(t, campaignAccount(d.ID)); got != 20000+10001 {
			t.Errorf("the campaigns hold %d", got)
		}
		checkBooks(t, db)
	})
}

// flaky fails its first refund, as a provider that is down for a moment.
type flaky struct {
	*DemoProvider
	failed bool
}

func (p *flaky) Refund(ctx context.Context, ref string, cents int64, description, key string) error {
	if !p.failed {
		p.failed = true
		return fmt.Errorf("flaky: down")
	}
	return p.DemoProvider.Refund(ctx, ref, cents, description, key)
}

// A refund the provider could not take is finished by the next round of
// Advance, with the same key, and booked once.
func TestRefundCutShort(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		p := &flaky{DemoProvider: f.demo}
		f.svc.Providers["demo"] = p
		c := f.campaign(t, true)
		g := f.give(t, f.cato, "", c.ID, 3000)
		wantCode(t, f.svc.Refund(ctx, f.anna, g.ID, "Op verzoek"), "fund.provider_down")
		if got := f.held(t, campaignAccount(c.ID)); got != 3000 {
			t.Errorf("a refund the provider refused was booked: the campaign holds %d", got)
		}
		// The giver's receipt says it is on its way, not that it is done.
		if r, err := f.svc.ReceiptOf(ctx, g.ID, g.Token); err != nil || !r.Refunding {
			t.Errorf("the receipt of a refund cut short: %+v %v", r, err)
		}
		got, err := f.svc.Advance(ctx)
		if err != nil || got.Refunded != 1 {
			t.Errorf("the next round: %+v %v", got, err)
		}
		if held := f.held(t, campaignAccount(c.ID)); held != 0 || len(f.demo.refunded) != 1 {
			t.Errorf("after finishing the campaign holds %d; the provider refunded %d", held, len(f.demo.refunded))
		}
		if again, err := f.svc.Advance(ctx); err != nil || again.Refunded != 0 {
			t.Errorf("finished twice: %+v %v", again, err)
		}
		if r, err := f.svc.ReceiptOf(ctx, g.ID, g.Token); err != nil || r.Refunding || r.Status != PaymentRefunded {
			t.Errorf("the receipt once refunded: %+v %v", r, err)
		}
		checkBooks(t, db)
	})
}

// The campaign's page: what was given and matched, by whom as they chose,
// never an address.
func TestCampaignPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.campaign(t, true)
		f.pool(t, DraftPool{Name: "Pot", Language: "nl", Rule: Duplicate, Factor: "1", Funders: []string{"Gemeente"}}, []int64{100000}, c)
		f.give(t, f.cato, "", c.ID, 1000)
		f.give(t, nil, "geheim@example.org", c.ID, 2000)
		if _, err := f.svc.Contribute(ctx, nil, c.ID, Gift{Cents: 3000, Email: "anoniem@example.org", Anonymous: true, Method: Demo}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Contribute(ctx, nil, c.ID, Gift{Cents: 700, Email: "bank@example.org", Name: "Bank", Method: Bank}); err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.CampaignPage(ctx, nil, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Given != 6000 || v.Matched != 6000 || v.Raised != 12000 || v.Backers != 3 || v.Open != 700 || v.Slug != f.slug {
			t.Errorf("the page's numbers: given %d matched %d raised %d backers %d open %d", v.Given, v.Matched, v.Raised, v.Backers, v.Open)
		}
		if len(v.Gifts) != 3 || v.Gifts[0].Name != "" || v.Gifts[0].Cents != 3000 || v.Gifts[0].Matched != 3000 || v.Gifts[2].Name != "Gever" {
			t.Errorf("the gifts as listed: %+v", v.Gifts)
		}
		if len(v.Pools) != 1 || v.Pools[0].Cents != 6000 || v.Rights.Manage || !v.Rights.Give {
			t.Errorf("pools and rights of a visitor: %+v %+v", v.Pools, v.Rights)
		}
		list, err := f.svc.Campaigns(ctx, nil, 0)
		if err != nil || len(list) != 1 || list[0].Raised != 12000 {
			t.Errorf("the list: %+v %v", list, err)
		}
		if _, err := f.svc.CreateCampaign(ctx, f.anna, f.slug, DraftCampaign{Title: "Later", Language: "nl", MinCents: 100, GoalCents: 100,
			Deadline: f.clock.t.AddDate(0, 0, 5)}); err != nil {
			t.Fatal(err)
		}
		if list, _ := f.svc.Campaigns(ctx, nil, 0); len(list) != 1 {
			t.Errorf("a visitor sees a draft: %+v", list)
		}
		if list, _ := f.svc.Campaigns(ctx, f.bert, f.wsID); len(list) != 2 {
			t.Errorf("the treasurer does not see the draft: %+v", list)
		}
	})
}

// The receipt page's data: for whoever holds the token only; a bank
// transfer names the account and the reference.
func TestReceipt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.campaign(t, true)
		g, err := f.svc.Contribute(ctx, nil, c.ID, Gift{Cents: 2500, Email: "g@example.org", Name: "G", Method: Bank})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ReceiptOf(ctx, g.ID, "not-the-token"); err == nil {
			t.Error("a receipt without its token")
		}
		if _, err := f.svc.ReceiptOf(ctx, g.ID, ""); err == nil {
			t.Error("a receipt with an empty token")
		}
		r, err := f.svc.ReceiptOf(ctx, g.ID, g.Token)
		if err != nil || r.Bank.IBAN != "NL20INGB0001234567" || r.Ref != g.Ref || r.Campaign != "Een nieuwe oven" || r.Status != PaymentOpen {
			t.Errorf("the receipt of a transfer: %+v %v", r, err)
		}
		if got := f.svc.Methods(); fmt.Sprint(got) != "[demo bank]" {
			t.Errorf("methods offered: %v", got)
		}
		f.svc.Bank = BankAccount{}
		_, err = f.svc.Contribute(ctx, nil, c.ID, Gift{Cents: 2500, Email: "g@example.org", Name: "G", Method: Bank})
		wantField(t, err, "method", "choice.unknown")
	})
}

// A person's export holds their contributions and expenses; erasure takes
// their address, name and message off them and keeps the amounts.
func TestPersonalData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.campaign(t, false)
		if _, err := f.svc.Contribute(ctx, f.cato, c.ID, Gift{Cents: 1500, Name: "Cato de Vries", Message: "Voor de oven", Method: Demo}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Contribute(ctx, nil, c.ID, Gift{Cents: 700, Email: "cato@example.org", Name: "Cato", Method: Demo}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SubmitExpense(ctx, f.cato, f.slug, DraftExpense{Title: "Pannen", Payee: "Cato de Vries", IBAN: "NL91ABNA0417164300", Cents: 900}, true); err != nil {
			t.Fatal(err)
		}
		tables, err := f.svc.ExportPerson(ctx, db, f.cato.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, tb := range tables {
			got[tb.Name] = len(tb.Rows)
		}
		if got["fund_contributions"] != 1 || got["fund_expenses"] != 1 || len(tables) != 5 {
			t.Errorf("cato's export: %v", got)
		}
		if err := f.svc.ErasePerson(ctx, db, personal.Person{ID: f.cato.ID, Email: f.cato.Email, Name: f.cato.Name}); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM fund_contributions WHERE email <> '' AND (user_id = ? OR email = ?)
			OR public_name LIKE '%Cato%' OR message <> ''`, f.cato.ID, f.cato.Email).Scan(&left); err != nil || left != 0 {
			t.Errorf("%d contributions still name cato (%v)", left, err)
		}
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM fund_expenses WHERE payee <> '' OR iban <> ''`).Scan(&left); err != nil || left != 0 {
			t.Errorf("%d expenses still name their payee (%v)", left, err)
		}
		if got := f.held(t, campaignAccount(c.ID)); got != 2200 {
			t.Errorf("after the erasure the campaign holds %d, want 2200: the amounts stay", got)
		}
	})
}

// The municipality's report: per month, district and sector, what was
// given, matched and paid out; refunds and returned matches drop out.
func TestFundingReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.campaign(t, false) // noord, food
		f.pool(t, DraftPool{Name: "Pot", Language: "nl", Rule: Duplicate, Factor: "1", Funders: []string{"Gemeente"}}, []int64{100000}, c)
		f.give(t, f.cato, "", c.ID, 1000)
		g := f.give(t, f.dirk, "", c.ID, 3000)
		// 23:30 UTC on 30 June is July in Amsterdam, where months are
		// counted (and still before the deadline).
		f.clock.t = time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)
		f.give(t, f.emma, "", c.ID, 500)
		if err := f.svc.Refund(ctx, f.anna, g.ID, "Vergissing"); err != nil {
			t.Fatal(err)
		}
		rep, err := f.svc.FundingReport(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []ReportRow{
			{Month: "2026-06", District: "noord", Sector: "food", Contributions: 1, GivenCents: 1000, MatchedCents: 1000},
			{Month: "2026-07", District: "noord", Sector: "food", Contributions: 1, GivenCents: 500, MatchedCents: 500},
		}
		if fmt.Sprint(rep.Rows) != fmt.Sprint(want) || rep.Deposits["2026-06"] != 100000 {
			t.Errorf("the report: %+v deposits %v\nwant %+v", rep.Rows, rep.Deposits, want)
		}
	})
}

// The site matches as `samen match simulate` computes: random gifts to two
// campaigns of one pool, through the service and the database, give each
// contribution the match and each funder the share that match.Simulate
// gives the same contributions in the same order.
func TestSiteMatchesAsTheSimulation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c1, c2 := f.campaign(t, false), f.campaign(t, false)
		p := f.pool(t, DraftPool{Name: "Pot", Language: "nl", Rule: Duplicate, Factor: "1,5", MaxPerContribution: 2500, MaxPerProject: 9000,
			MaxMatchedPerContributor: 2, Funders: []string{"Gemeente", "Fonds", "Buren"}}, []int64{9001, 4000, 333}, c1)
		a, err := f.svc.Apply(ctx, f.anna, p.ID, c2.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DecideApplication(ctx, f.steward, a.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(20, 26))
		people := f.all()
		sim := match.Simulation{Rules: match.Rules{Factor: match.Ratio{Num: 3, Den: 2}, MaxPerContribution: 2500, MaxPerProject: 9000, MaxMatchedPerContributor: 2}}
		for _, fu := range p.Funders {
			sim.Funders = append(sim.Funders, match.Funder{ID: itoa64(fu.ID), Cents: f.held(t, funderAccount(p.ID, fu.ID))})
		}
		var ids []int64
		for range 40 {
			camp := []Campaign{c1, c2}[rng.IntN(2)]
			who := people[rng.IntN(len(people))]
			g := f.give(t, who, "", camp.ID, 100+rng.Int64N(4000))
			ids = append(ids, g.ID)
			sim.Contributions = append(sim.Contributions, match.Contribution{ID: itoa64(g.ID), Project: itoa64(camp.ID), Contributor: "u:" + itoa64(who.ID), Cents: g.Cents})
		}
		out, err := match.Simulate(sim)
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			var cents int64
			if err := db.QueryRow(ctx, `SELECT cents FROM fund_matches WHERE contribution_id = ?`, id).Scan(&cents); err != nil {
				t.Fatal(err)
			}
			if cents != out.Matches[i].Cents {
				t.Errorf("contribution %d: the site matched %d, the simulation %d (%s)", i+1, cents, out.Matches[i].Cents, out.Matches[i].Limit)
			}
		}
		for i, fu := range p.Funders {
			if got := f.held(t, funderAccount(p.ID, fu.ID)); got != out.Left[i].Cents {
				t.Errorf("funder %s holds %d on the site, %d in the simulation", fu.Name, got, out.Left[i].Cents)
			}
		}
	})
}

// Two transfers that draw the same reference: the second draws again.
func TestReferencesMeet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.campaign(t, false)
		fixed := NewReference()
		draws := 0
		newReference = func() string {
			draws++
			if draws <= 2 {
				return fixed
			}
			return NewReference()
		}
		defer func() { newReference = NewReference }()
		a, err := f.svc.Contribute(ctx, nil, c.ID, Gift{Cents: 1000, Email: "a@example.org", Name: "A", Method: Bank})
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.svc.Contribute(ctx, nil, c.ID, Gift{Cents: 1000, Email: "b@example.org", Name: "B", Method: Bank})
		if err != nil || a.Ref != fixed || b.Ref == fixed || !ValidReference(b.Ref) || draws != 3 {
			t.Errorf("two transfers drawing the same reference: %s and %s after %d draws (%v)", a.Ref, b.Ref, draws, err)
		}
	})
}
