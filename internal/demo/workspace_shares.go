package demo

import (
	"context"
	"fmt"

	"samen/internal/account"
	"samen/internal/workspace"
)

// seedShares gives the demo workspace two classes of shares, participations
// in every status, payments on the ledger and a year of fees, as the
// member (core, so treasurer too) would have entered them.
func seedShares(ctx context.Context, svc *workspace.Service, by *account.User, ref string) error {
	members, _, err := svc.Register(ctx, by, ref, workspace.Filter{Limit: workspace.MaxPage})
	if err != nil {
		return err
	}
	byName := map[string]workspace.Member{}
	for _, m := range members {
		byName[m.Name] = m
		if m.UserID == by.ID {
			byName["(member)"] = m
		}
	}
	lid, err := svc.AddShareClass(ctx, by, ref, workspace.ShareClass{Name: "Ledenaandeel", NominalCents: 5000, MinShares: 1, MaxShares: 1})
	if err != nil {
		return err
	}
	zon, err := svc.AddShareClass(ctx, by, ref, workspace.ShareClass{Name: "Zonnedak Zeedijk", NominalCents: 25000, MinShares: 1, MaxShares: 40})
	if err != nil {
		return err
	}
	type holding struct {
		who    string
		class  workspace.ShareClass
		shares int
		status workspace.Status
		paid   int64 // cents
	}
	holdings := []holding{
		{"(member)", lid, 1, workspace.Final, 5000},
		{"Fatima El Amrani", lid, 1, workspace.Final, 5000},
		{"Kees Jansen", lid, 1, workspace.Final, 5000},
		{"Kees Jansen", zon, 8, workspace.Final, 200000},
		{"Joost de Boer", zon, 4, workspace.Granted, 50000},
		{"Ayşe Yılmaz", zon, 2, workspace.Option, 0},
		{"Lotte Visser", zon, 1, workspace.Interest, 0},
	}
	for _, h := range holdings {
		m, ok := byName[h.who]
		if !ok {
			return fmt.Errorf("demo shares: no %s in the register", h.who)
		}
		p, err := svc.AddParticipation(ctx, by, ref, workspace.NewParticipation{MemberID: m.ID, ClassID: h.class.ID, Shares: h.shares})
		if err != nil {
			return fmt.Errorf("demo shares of %s: %w", h.who, err)
		}
		if h.paid > 0 {
			if _, err := svc.Book(ctx, by, ref, workspace.Booking{MemberID: m.ID, ParticipationID: p.ID, Account: workspace.Capital,
				Kind: workspace.Deposit, AmountCents: h.paid, Description: "iDEAL"}); err != nil {
				return err
			}
		}
		for _, st := range workspace.Statuses[1:] {
			if st == workspace.Terminated || h.status == workspace.Interest {
				break
			}
			if err := svc.Advance(ctx, by, ref, p.ID, st); err != nil {
				return fmt.Errorf("demo shares of %s to %s: %w", h.who, st, err)
			}
			if st == h.status {
				break
			}
		}
	}
	period, err := svc.OpenFeePeriod(ctx, by, ref, "2026", 2500, "2026-03-01", workspace.Members)
	if err != nil {
		return err
	}
	fees, err := svc.Fees(ctx, by, ref, period.ID, false)
	if err != nil {
		return err
	}
	for i, f := range fees {
		if i%3 == 2 {
			continue // a few still owe this year's fee
		}
		if err := svc.PayFee(ctx, by, ref, f.ID, "2026-02-15"); err != nil {
			return err
		}
	}
	return nil
}
