package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/decide"
	"samen/internal/workspace"
)

// at is the decisions service with its clock at t, so that the demo can
// hold a vote that closed weeks ago.
func at(svc *decide.Service, t time.Time) *decide.Service {
	c := *svc
	c.Now = func() time.Time { return t }
	return &c
}

// seedDecisions fills the workspace with a closed consent decision, an
// open ranked vote and a meeting poll, and the city with a closed
// participatory budget for Noord whose result differs between the greedy
// rule and Equal Shares.
func seedDecisions(ctx context.Context, svc *decide.Service, accounts *account.Service, users map[account.Role]account.User, wsSlug string) error {
	now := time.Now()
	member, mod, steward := users[account.Member], users[account.Moderator], users[account.Steward]
	members := []workspace.Circle{workspace.Core, workspace.Contributors, workspace.Members}
	asMember := audit.WithActor(ctx, audit.Actor{UserID: member.ID})
	asMod := audit.WithActor(ctx, audit.Actor{UserID: mod.ID})

	// 1. Closed: consent on opening on Sunday mornings, with its outcome.
	month := at(svc, now.Add(-30*24*time.Hour))
	d, err := month.Create(asMember, &member, wsSlug, decide.DraftDecision{
		Title: "Zondagochtend open voor een buurtontbijt",
		Body: "Voorstel: de keuken gaat op zondag van 9 tot 12 uur open voor een buurtontbijt op basis van een vrijwillige bijdrage. " +
			"Vrijwilligers uit de kring van bijdragers draaien om de beurt; de inkoop loopt mee met de zaterdag.",
		Language: "nl", Method: decide.Consent, Secrecy: decide.Open, Circles: members,
		ClosesAt: decide.Local(now.Add(-18 * 24 * time.Hour)),
	})
	if err != nil {
		return fmt.Errorf("consent decision: %w", err)
	}
	if err := month.Publish(asMember, &member, d.ID); err != nil {
		return err
	}
	if _, err := month.Comment(asMod, &mod, d.ID, 0, "Mooi plan. Wie houdt de schoonmaak bij na afloop?"); err != nil {
		return err
	}
	later := at(svc, now.Add(-29*24*time.Hour))
	if _, err := later.Comment(asMember, &member, d.ID, 0, "De ploeg die kookt, ruimt ook op; dat zetten we in het rooster."); err != nil {
		return err
	}
	opened := at(svc, now.Add(-25*24*time.Hour))
	if err := opened.OpenVoting(asMember, &member, d.ID); err != nil {
		return err
	}
	if err := opened.Vote(asMember, &member, d.ID, decide.Ballot{Position: "agree"}, false); err != nil {
		return err
	}
	if err := opened.Vote(asMod, &mod, d.ID, decide.Ballot{Position: "object",
		Reason: "Ik steun het, maar begin met een proef van drie maanden: dan weten we of er genoeg vrijwilligers zijn."}, false); err != nil {
		return err
	}
	closed := at(svc, now.Add(-18*24*time.Hour+time.Minute))
	if _, err := closed.Advance(ctx); err != nil {
		return err
	}
	if err := at(svc, now.Add(-17*24*time.Hour)).SetOutcome(asMember, &member, d.ID,
		"Aangenomen, met het bezwaar erin verwerkt: we beginnen in maart met een proef van drie maanden en kijken daarna of er genoeg vrijwilligers zijn.",
		now.Add(120*24*time.Hour).In(decide.Amsterdam()).Format(time.DateOnly)); err != nil {
		return err
	}

	// 2. Open: a ranked vote (Schulze) on the vegetable supplier.
	ranked, err := svc.Create(asMember, &member, wsSlug, decide.DraftDecision{
		Title:    "Welke groenteleverancier kiezen we voor 2027?",
		Body:     "Rangschik de leveranciers: 1 is je eerste keus. Gelijke nummers mogen, als je tussen twee geen voorkeur hebt.",
		Language: "nl", Method: decide.Schulze, Secrecy: decide.Anonymous, Circles: members,
		ClosesAt: decide.Local(now.Add(12 * 24 * time.Hour)),
		Options: []decide.DraftOption{
			{Label: "Boerderij Zonnegoed (Waterland)", Description: "Biologisch, levert op dinsdag en vrijdag."},
			{Label: "Coöperatie Het Groene Veld", Description: "Een coöperatie van twaalf tuinders uit de regio."},
			{Label: "Stadsboerderij De Buurman", Description: "Om de hoek, klein aanbod, fietslevering."},
			{Label: "Groothandel Noord", Description: "Alles op voorraad, niet biologisch."},
		},
	})
	if err != nil {
		return fmt.Errorf("ranked decision: %w", err)
	}
	if err := svc.OpenVoting(asMember, &member, ranked.ID); err != nil {
		return err
	}
	// The options as typed (the lot reorders them when voting opens).
	o := ranked.Options
	if err := svc.Vote(asMod, &mod, ranked.ID, decide.Ballot{Values: map[int64]int{
		o[1].ID: 1, o[0].ID: 2, o[2].ID: 2, o[3].ID: 3}}, false); err != nil {
		return err
	}

	// 3. Open: a meeting poll for the general assembly.
	var slots []decide.DraftOption
	for _, days := range []int{15, 17, 22} {
		day := now.In(decide.Amsterdam()).AddDate(0, 0, days)
		start := time.Date(day.Year(), day.Month(), day.Day(), 19, 30, 0, 0, decide.Amsterdam())
		slots = append(slots, decide.DraftOption{StartsAt: decide.Local(start), EndsAt: decide.Local(start.Add(2 * time.Hour))})
	}
	poll, err := svc.Create(asMember, &member, wsSlug, decide.DraftDecision{
		Title: "Algemene ledenvergadering: welke avond?", Body: "We bespreken de jaarrekening en het ontbijt op zondag.",
		Language: "nl", Method: decide.Poll, Secrecy: decide.Open, Circles: members,
		ClosesAt: decide.Local(now.Add(10 * 24 * time.Hour)), Options: slots,
	})
	if err != nil {
		return fmt.Errorf("meeting poll: %w", err)
	}
	if err := svc.OpenVoting(asMember, &member, poll.ID); err != nil {
		return err
	}
	answers := map[int64]string{}
	for i, o := range poll.Options {
		answers[o.ID] = []string{"yes", "maybe", "no"}[i%3]
	}
	if err := svc.Vote(asMod, &mod, poll.ID, decide.Ballot{Answers: answers}, false); err != nil {
		return err
	}

	return seedBudget(ctx, svc, accounts, steward, member, mod)
}

type demoProject struct {
	title, description string
	euros              int64
	group              int
}

// demoProjects are the Noord budget's projects, costs in euros, and the
// group of residents who favour each: sport and play (a majority), green
// and social, and the neighbourhood's own places.
var demoProjects = []demoProject{
	{"Speeltuin Vogeltjeswei opknappen", "Nieuwe toestellen en een zandbak met schaduw.", 18000, 0},
	{"Skatebaan Noorderpark uitbreiden", "Een bowl en verlichting tot tien uur 's avonds.", 22000, 0},
	{"Fietsenstalling Buikslotermeerplein", "Tweehonderd plekken, overdekt en bewaakt op marktdagen.", 15000, 0},
	{"Zonnepanelen op buurthuis De Evenaar", "Veertig panelen; de opbrengst gaat naar de buurtkas.", 20000, 0},
	{"Moestuin bij De Banne", "Twintig bakken voor bewoners zonder tuin, met een waterpunt.", 6000, 1},
	{"Bloembakken Van der Pekbuurt", "Bakken met vaste planten, onderhouden door de straat.", 5000, 1},
	{"Taalcafé voor nieuwkomers", "Een jaar lang elke week, met koffie en vrijwillige docenten.", 7000, 1},
	{"Wadi en groen schoolplein", "Regenwater vasthouden en spelen in het groen.", 14000, 1},
	{"Buurtkamer Tuindorp Oostzaan: nieuwe keuken", "Een keuken waar vijf mensen tegelijk kunnen koken.", 12000, 2},
	{"Repaircafé Noord: gereedschap", "Solderstations, naaimachines en een werkbank.", 3000, 2},
	{"Muurschildering Volewijck", "Een muurschildering door jongeren uit de buurt, met een kunstenaar.", 8000, 2},
	{"Bankjes langs het Noordhollandsch Kanaal", "Tien bankjes om uit te rusten tijdens een wandeling.", 4000, 2},
}

// demoSheets is how many paper ballots the demo's budget has: the tellers
// typed each in twice. Online ballots come from the demo's accounts.
const demoSheets = 240

func seedBudget(ctx context.Context, svc *decide.Service, accounts *account.Service, steward, member, mod account.User) error {
	now := time.Now()
	asSteward := audit.WithActor(ctx, audit.Actor{UserID: steward.ID})
	// The second teller: paper ballots count when two people's readings
	// agree. A demo account without a published password.
	secret := make([]byte, 18)
	_, _ = rand.Read(secret)
	teller, err := accounts.Add(ctx, account.NewUser{Email: "teller@example.org", Name: "Tess Teller", Password: hex.EncodeToString(secret),
		Role: account.Steward, Language: "nl"})
	if err != nil {
		return err
	}
	asTeller := audit.WithActor(ctx, audit.Actor{UserID: teller.ID})

	start := at(svc, now.Add(-70*24*time.Hour))
	b, err := start.CreateBudget(asSteward, &steward, "", decide.DraftBudget{
		Title: "Buurtbudget Noord 2026",
		Description: "Zestigduizend euro voor plannen van bewoners uit Noord. Iedereen uit Noord kon een plan indienen; " +
			"stel een mandje samen binnen het budget. Equal Shares beslist: elke stem krijgt een gelijk deel van het geld.",
		Language: "nl", District: "noord", Total: "60.000", BallotKind: decide.Knapsack, Rule: "equal-shares",
		ClosesAt: decide.Local(now.Add(-20 * 24 * time.Hour)),
	})
	if err != nil {
		return fmt.Errorf("demo budget: %w", err)
	}
	proposers := []account.User{member, mod, steward}
	var ids []int64
	for i, p := range demoProjects {
		by := proposers[i%len(proposers)]
		pr, err := start.Propose(audit.WithActor(ctx, audit.Actor{UserID: by.ID}), &by, b.ID,
			decide.DraftProject{Title: p.title, Description: p.description, Cost: fmt.Sprint(p.euros)})
		if err != nil {
			return fmt.Errorf("demo project %q: %w", p.title, err)
		}
		ids = append(ids, pr.ID)
	}
	garage, err := start.Propose(ctx, &member, b.ID, decide.DraftProject{Title: "Parkeergarage onder het Mosplein",
		Description: "Driehonderd plekken onder de grond.", Cost: "60.000"})
	if err != nil {
		return err
	}
	review := at(svc, now.Add(-50*24*time.Hour))
	if _, err := review.AdvanceBudget(asSteward, &steward, b.ID); err != nil {
		return err
	}
	for _, id := range ids {
		if err := review.Review(asSteward, &steward, b.ID, id, true, "", ""); err != nil {
			return err
		}
	}
	if err := review.Review(asSteward, &steward, b.ID, garage.ID, false,
		"Een garage kost een veelvoud van dit budget en is aan het stadsdeel, niet aan een buurtbudget.", ""); err != nil {
		return err
	}
	voting := at(svc, now.Add(-45*24*time.Hour))
	if _, err := voting.AdvanceBudget(asSteward, &steward, b.ID); err != nil {
		return err
	}
	for i, u := range []account.User{member, mod, steward} {
		basket := demoBasket(mrand.New(mrand.NewPCG(7, uint64(i))), i%3, ids)
		if err := voting.VoteBudget(audit.WithActor(ctx, audit.Actor{UserID: u.ID}), &u, b.ID, basket, true); err != nil {
			return fmt.Errorf("demo budget ballot: %w", err)
		}
	}
	// The paper ballots of the voting day, each typed in by both tellers;
	// one sheet was misread once and waits for a third reading.
	counting := at(svc, now.Add(-19*24*time.Hour))
	r := mrand.New(mrand.NewPCG(2026, 13))
	for i := range demoSheets {
		group := 0
		switch x := r.IntN(100); {
		case x >= 80:
			group = 2
		case x >= 55:
			group = 1
		}
		basket := demoBasket(r, group, ids)
		sheet := fmt.Sprintf("N-%04d", i+1)
		if _, err := counting.EnterPaper(asSteward, &steward, b.ID, sheet, basket); err != nil {
			return fmt.Errorf("demo paper ballot %s: %w", sheet, err)
		}
		second := basket
		if i == demoSheets-1 {
			second = basket[:len(basket)-1]
			if len(second) == 0 {
				second = []int64{ids[len(ids)-1]}
			}
		}
		if _, err := counting.EnterPaper(asTeller, &teller, b.ID, sheet, second); err != nil {
			return fmt.Errorf("demo paper ballot %s: %w", sheet, err)
		}
	}
	if _, err := at(svc, now.Add(-18*24*time.Hour)).AdvanceBudget(asSteward, &steward, b.ID); err != nil {
		return fmt.Errorf("demo budget result: %w", err)
	}
	return nil
}

// demoBasket is one resident's basket: most of their group's projects,
// sometimes one of another group, within the budget (the dearest left out
// until it fits).
func demoBasket(r *mrand.Rand, group int, ids []int64) []int64 {
	var chosen []int
	for i, p := range demoProjects {
		switch {
		case p.group == group && r.IntN(100) < 80:
			chosen = append(chosen, i)
		case p.group != group && r.IntN(100) < 8:
			chosen = append(chosen, i)
		}
	}
	if len(chosen) == 0 {
		chosen = append(chosen, slices.IndexFunc(demoProjects, func(p demoProject) bool { return p.group == group }))
	}
	cost := func() (sum int64) {
		for _, i := range chosen {
			sum += demoProjects[i].euros
		}
		return sum
	}
	for cost() > 60000 {
		dearest := 0
		for j, i := range chosen {
			if demoProjects[i].euros > demoProjects[chosen[dearest]].euros {
				dearest = j
			}
		}
		chosen = slices.Delete(chosen, dearest, dearest+1)
	}
	out := make([]int64, len(chosen))
	for j, i := range chosen {
		out[j] = ids[i]
	}
	return out
}
