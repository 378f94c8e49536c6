package fund

import (
	"context"
	"errors"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/ledger"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/workspace"
)

type wsLetters struct{}

func (wsLetters) Invitation(workspace.Workspace, string, string, workspace.Circle, string, time.Time) mail.Message {
	return mail.Message{To: "x@example.org", Subject: ".", Body: "."}
}
func (wsLetters) JoinRequested(workspace.Workspace, account.User, string) mail.Message {
	return mail.Message{To: "x@example.org", Subject: ".", Body: "."}
}
func (wsLetters) JoinDecided(workspace.Workspace, account.User, bool) mail.Message {
	return mail.Message{To: "x@example.org", Subject: ".", Body: "."}
}
func (wsLetters) Announcement(workspace.Workspace, workspace.Announcement, string, workspace.Recipient) mail.Message {
	return mail.Message{To: "x@example.org", Subject: ".", Body: "."}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// fixture is a workspace "buurtkeuken" with core anna, contributor bert
// (made treasurer), members cato and dirk, supporter emma; fien is a
// stranger to it and steward runs the site and its pools.
type fixture struct {
	svc                                *Service
	ws                                 *workspace.Service
	demo                               *DemoProvider
	clock                              *clock
	db                                 *store.DB
	anna, bert, cato, dirk, emma, fien *account.User
	steward                            *account.User
	slug                               string
	wsID                               int64
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	c := &clock{time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)}
	demo := &DemoProvider{}
	f := &fixture{svc: &Service{DB: db, Now: c.now, Providers: map[string]Provider{"demo": demo}, Bank: BankAccount{IBAN: "NL20INGB0001234567", Name: "Stichting samen"}}, demo: demo, clock: c, db: db,
		ws: &workspace.Service{DB: db, Letters: wsLetters{}, Now: c.now, Files: t.TempDir()}}
	accounts := &account.Service{DB: db}
	add := func(name string, role account.Role) *account.User {
		u, err := accounts.Add(ctx, account.NewUser{Email: name + "@example.org", Name: name, Password: "a long enough password", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		return &u
	}
	f.anna, f.bert, f.cato, f.dirk = add("anna", account.Member), add("bert", account.Member), add("cato", account.Member), add("dirk", account.Member)
	f.emma, f.fien = add("emma", account.Member), add("fien", account.Member)
	f.steward = add("steward", account.Steward)
	w, err := f.ws.Create(ctx, f.anna, workspace.Draft{Name: "Buurtkeuken"})
	if err != nil {
		t.Fatal(err)
	}
	f.slug, f.wsID = w.Slug, w.ID
	for _, m := range []struct {
		u *account.User
		c workspace.Circle
	}{{f.bert, workspace.Contributors}, {f.cato, workspace.Members}, {f.dirk, workspace.Members}, {f.emma, workspace.Supporters}} {
		mem, err := f.ws.AddMember(ctx, f.anna, f.slug, workspace.NewMember{Email: m.u.Email, Name: m.u.Name, Circle: m.c})
		if err != nil {
			t.Fatal(err)
		}
		if m.u == f.bert {
			if err := f.ws.Grant(ctx, f.anna, f.slug, mem.ID, workspace.RoleTreasurer); err != nil {
				t.Fatal(err)
			}
		}
	}
	return f
}

// campaign makes and launches a campaign of anna's workspace: minimum
// €500, goal €1,000, a deadline in a month.
func (f *fixture) campaign(t testing.TB, allOrNothing bool) Campaign {
	t.Helper()
	ctx := context.Background()
	c, err := f.svc.CreateCampaign(ctx, f.anna, f.slug, DraftCampaign{Title: "Een nieuwe oven", Summary: "Voor de buurtkeuken.", Language: "nl",
		District: "noord", Sector: "food", MinCents: 50000, GoalCents: 100000, Deadline: f.clock.t.AddDate(0, 1, 0), AllOrNothing: allOrNothing,
		Lines: []Line{{Label: "Oven", Cents: 80000}, {Label: "Installatie", Cents: 20000}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Launch(ctx, f.anna, c.ID); err != nil {
		t.Fatal(err)
	}
	c.State = Running
	return c
}

// give contributes cents to campaign id through the demo provider, as u
// (nil: without an account, as email).
func (f *fixture) give(t testing.TB, u *account.User, email string, id, cents int64) Contribution {
	t.Helper()
	c, err := f.svc.Contribute(context.Background(), u, id, Gift{Cents: cents, Email: email, Name: "Gever", Method: Demo})
	if err != nil {
		t.Fatalf("giving %d: %v", cents, err)
	}
	if c.Status != PaymentPaid {
		t.Fatalf("a demo gift is %s, want paid at once", c.Status)
	}
	return c
}

// held is what the ledger account code holds (0 when it was never opened).
func (f *fixture) held(t testing.TB, code string) int64 {
	t.Helper()
	a, err := ledger.Get(context.Background(), f.db, code)
	var le *ledger.Error
	if errors.As(err, &le) && le.Code == "ledger.account.unknown" {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return a.Held()
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var p *problem.Error
	if !errors.As(err, &p) || p.Code != code {
		t.Errorf("got %v, want %s", err, code)
	}
}

func wantField(t *testing.T, err error, field, code string) {
	t.Helper()
	var p *problem.Error
	if !errors.As(err, &p) || p.Fields[field] != code {
		t.Errorf("got %v, want %s: %s", err, field, code)
	}
}

// checkBooks checks the ledger as a whole: every transaction sums to zero,
// balances equal entries.
func checkBooks(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	var bad int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING SUM(cents) <> 0) x`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("%d transactions do not sum to zero (%v)", bad, err)
	}
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_accounts a WHERE a.balance_cents <> COALESCE((SELECT SUM(cents) FROM ledger_entries e WHERE e.account_id = a.id), 0)`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("%d accounts' balances differ from their entries (%v)", bad, err)
	}
	var negative int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_accounts WHERE code LIKE 'pool:%' AND balance_cents > 0`).Scan(&negative); err != nil || negative != 0 {
		t.Errorf("%d funders gave more than they put in (%v)", negative, err)
	}
}
