package demo

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/fund"
	"samen/internal/ledger"
	"samen/internal/workspace"
)

// fundAt is the funding service with its clock at t, so that the demo can
// hold campaigns that ended weeks ago.
func fundAt(svc *fund.Service, t time.Time) *fund.Service {
	c := *svc
	c.Now = func() time.Time { return t }
	return &c
}

// seedFunding fills the demo with a match pool of the municipality and a
// fund, and three campaigns of the first initiative: one that succeeded
// (its money paid out, expenses in every state), one running, and one
// all-or-nothing campaign that failed and refunded everything. The pool
// takes initiatives rooted locally that decide inclusively (the first
// initiative's entry says it is both); it accepted the first campaign, and
// the running one's application waits for its managers. Gifts go through
// the demo's provider, which pays at once and moves no money.
func seedFunding(ctx context.Context, svc *fund.Service, files *workspace.Service, users map[account.Role]account.User, wsSlug string) error {
	now := time.Now()
	member, mod, steward := users[account.Member], users[account.Moderator], users[account.Steward]
	asMember := audit.WithActor(ctx, audit.Actor{UserID: member.ID})
	asSteward := audit.WithActor(ctx, audit.Actor{UserID: steward.ID})
	rng := mrand.New(mrand.NewPCG(14, 2026))

	// The pool, set up two months ago.
	start := fundAt(svc, now.AddDate(0, -2, 0))
	p, err := start.CreatePool(asSteward, &steward, fund.DraftPool{
		Name: "Matchfonds Democratische Technologie",
		Description: "De gemeente en het Democratic Tech Fund verdubbelen elke bijdrage aan campagnes van initiatieven, " +
			"tot vijftig euro per bijdrage en vijftienhonderd euro per campagne. Voor initiatieven die lokaal geworteld zijn en inclusief besluiten.",
		Language: "nl", Rule: fund.Duplicate, Factor: "1", MaxPerContribution: 5000, MaxPerProject: 150000, MaxMatchedPerContributor: 2,
		Principles: []string{"local_roots", "inclusive_decisions"},
		Funders:    []string{"Gemeente Amsterdam", "Democratic Tech Fund"},
	})
	if err != nil {
		return fmt.Errorf("demo pool: %w", err)
	}
	for i, cents := range []int64{1000000, 500000} {
		if err := start.Deposit(asSteward, &steward, p.ID, p.Funders[i].ID, cents, "Toezegging 2026"); err != nil {
			return err
		}
	}
	if err := start.SetPoolState(asSteward, &steward, p.ID, fund.PoolOpen); err != nil {
		return err
	}

	type campaign struct {
		draft fund.DraftCampaign
		began time.Time
		gifts int
		// applies: "accepted" (matched from the start), "pending" (the
		// pool's managers have yet to decide), or "" (never applied).
		applies string
	}
	campaigns := []campaign{
		{fund.DraftCampaign{Title: "Zonnepanelen op het buurthuis",
			Summary:  "Vierentwintig panelen die de keuken en de zaal van stroom voorzien.",
			Body:     "Het dak van het buurthuis ligt op het zuiden. Met vierentwintig panelen draaien de koelcellen en de oven op eigen stroom; wat overblijft gaat naar de buren.",
			Language: "nl", District: "noord", Sector: "energy", MinCents: 150000, GoalCents: 250000, AllOrNothing: true,
			Lines: []fund.Line{{Label: "Panelen en omvormer", Cents: 190000}, {Label: "Montage", Cents: 60000}}},
			now.AddDate(0, -2, 0), 26, "accepted"},
		{fund.DraftCampaign{Title: "Bakfiets voor de voedselbank",
			Summary:  "Een elektrische bakfiets om pakketten rond te brengen.",
			Body:     "Wie niet naar het uitgiftepunt kan komen, krijgt het pakket thuis. Alles of niets: haalden we het minimum niet, dan ging alles terug.",
			Language: "nl", District: "noord", Sector: "food", MinCents: 400000, GoalCents: 450000, AllOrNothing: true,
			Lines: []fund.Line{{Label: "Bakfiets", Cents: 420000}, {Label: "Slot en verzekering", Cents: 30000}}},
			now.AddDate(0, -2, -10), 9, ""},
		{fund.DraftCampaign{Title: "Een nieuwe oven voor de buurtkeuken",
			Summary:  "De oude oven is op; de nieuwe bakt voor zestig mensen.",
			Body:     "Elke woensdag koken we voor de buurt. Met een nieuwe oven kunnen we ook op zaterdag, en voor de voedselbank bakken.",
			Language: "nl", District: "noord", Sector: "food", MinCents: 150000, GoalCents: 250000, AllOrNothing: false,
			Lines:   []fund.Line{{Label: "Oven", Cents: 210000}, {Label: "Aansluiting", Cents: 40000}},
			Rewards: []fund.Reward{{Title: "Een broodje uit de nieuwe oven", MinCents: 2500}, {Title: "Je naam op de ovendeur", MinCents: 10000, Available: 20}}},
			now.AddDate(0, 0, -10), 12, "pending"},
	}
	var succeeded fund.Campaign
	for i, c := range campaigns {
		at := fundAt(svc, c.began)
		c.draft.Deadline = c.began.AddDate(0, 0, 30)
		made, err := at.CreateCampaign(asMember, &member, wsSlug, c.draft)
		if err != nil {
			return fmt.Errorf("demo campaign %q: %w", c.draft.Title, err)
		}
		if err := at.Launch(asMember, &member, made.ID); err != nil {
			return err
		}
		if c.applies != "" {
			a, err := at.Apply(asMember, &member, p.ID, made.ID, "Voor de buurt, door de buurt.")
			if err != nil {
				return fmt.Errorf("demo application: %w", err)
			}
			if c.applies == "accepted" {
				if err := at.DecideApplication(asSteward, &steward, a.ID, true, ""); err != nil {
					return err
				}
			}
		}
		for g := range c.gifts {
			when := fundAt(svc, c.began.Add(time.Duration(g+1)*20*time.Hour))
			gift := fund.Gift{Cents: int64(10+rng.IntN(14)*5) * 100, Method: fund.Demo, Name: demoGivers[g%len(demoGivers)],
				Email: fmt.Sprintf("gever%d@example.org", g+1)}
			switch {
			case g%5 == 3:
				gift.Anonymous = true
			case g%7 == 6:
				gift.Message = "Succes ermee!"
			}
			var by *account.User
			switch g {
			case 0:
				by, gift.Email = &mod, ""
			case 1:
				by, gift.Email = &steward, ""
			}
			if _, err := when.Contribute(ctx, by, made.ID, gift); err != nil {
				return fmt.Errorf("demo gift: %w", err)
			}
		}
		if i == 2 && svc.Bank.IBAN != "" {
			// Two bank transfers still on their way.
			for _, cents := range []int64{5000, 2000} {
				if _, err := svc.Contribute(ctx, nil, made.ID, fund.Gift{Cents: cents, Method: fund.Bank, Name: "Buurvrouw", Email: "buurvrouw@example.org"}); err != nil {
					return err
				}
			}
		}
		if i == 0 {
			succeeded = made
		}
	}
	// The deadlines that passed: the panels succeeded (with their
	// matches), the cargo bike failed and went back.
	if _, err := svc.Advance(ctx); err != nil {
		return err
	}
	// The panels' backers hear what became of their money.
	if _, err := svc.PostUpdate(asMember, &member, succeeded.ID, "De panelen liggen erop",
		"Dankzij jullie liggen sinds vorige week twaalf panelen op het dak van de buurtkeuken.\n\n"+
			"De eerste maand leverden ze al 310 kWh: genoeg voor de koelcellen. Op de open dag laten we zien hoe het werkt."); err != nil {
		return fmt.Errorf("demo update: %w", err)
	}

	// Expenses of the panels, in every state. The moderator is in the
	// members circle; the member is core and approves. Two carry an
	// invoice as their receipt, for the expenses' pages to show.
	asMod := audit.WithActor(ctx, audit.Actor{UserID: mod.ID})
	expense := func(title, payee string, cents int64, line int, receipt string) (fund.Expense, error) {
		return submitWithReceipt(asMod, svc, files, &mod, wsSlug, fund.DraftExpense{Title: title, Payee: payee, Cents: cents, IBAN: "NL91ABNA0417164300",
			CampaignID: succeeded.ID, LineID: succeeded.Lines[line].ID}, receipt)
	}
	// Amounts as parts of what was raised, which the demo's random gifts
	// decide.
	raised, err := ledger.Get(ctx, svc.DB, ledger.Code("initiative", succeeded.WorkspaceID))
	if err != nil {
		return err
	}
	part := func(pct int64) int64 { return raised.Held() * pct / 100 }
	paid, err := expense("Zonnepanelen en omvormer", "Zon op Noord BV", part(70), 0, "factuur-zon-op-noord.pdf")
	if err != nil {
		return err
	}
	if _, err := svc.Approve(asMember, &member, paid.ID); err != nil {
		return err
	}
	if err := svc.Pay(asMember, &member, paid.ID); err != nil {
		return err
	}
	approved, err := expense("Montage, eerste helft", "Dakwerk Volewijck", part(12), 1, "")
	if err != nil {
		return err
	}
	if _, err := svc.Approve(asMember, &member, approved.ID); err != nil {
		return err
	}
	if _, err := expense("Montage, tweede helft", "Dakwerk Volewijck", part(12), 1, "factuur-dakwerk-volewijck.pdf"); err != nil {
		return err
	}
	rejected, err := expense("Taart bij de oplevering", "Bakkerij Het Hoekje", 4500, 1, "")
	if err != nil {
		return err
	}
	if err := svc.Reject(asMember, &member, rejected.ID, "Valt buiten de begroting van de campagne; graag uit de kas van de keuken."); err != nil {
		return err
	}
	_, err = svc.SubmitExpense(asMod, &mod, wsSlug, fund.DraftExpense{Title: "Kabelgoot", Payee: "Bouwmarkt Noord", Cents: 2495, CampaignID: succeeded.ID}, false)
	return err
}

// demoGivers are fictional names on the campaigns' pages.
var demoGivers = []string{"Fatima", "Jan de Wit", "Sanne", "Mohamed El Amrani", "Noor", "Pieter", "Aylin", "Kees van Dam", "Lotte", "Yusuf"}
