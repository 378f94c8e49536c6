package demo

import (
	"context"
	"fmt"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/workspace"
)

// demoPeople fill the four circles of the first initiative's workspace
// (besides the member, in core, and the moderator, in members). They are
// fictional; their addresses are under example.org, which takes no mail.
var demoPeople = []workspace.NewMember{
	{Name: "Fatima El Amrani", Email: "fatima@example.org", Phone: "06 1234 0001", Address: "Zonnebloemstraat 4, Amsterdam", Circle: workspace.Core, Joined: "2019-03-01"},
	{Name: "Joost de Boer", Email: "joost@example.org", Phone: "06 1234 0002", Address: "Meeuwenlaan 88, Amsterdam", Circle: workspace.Contributors, Joined: "2019-05-14"},
	{Name: "Priya Raghunathan", Email: "priya@example.org", Circle: workspace.Contributors, Joined: "2021-09-01"},
	{Name: "Kees Jansen", Email: "kees@example.org", Phone: "020 555 0104", Address: "Buiksloterweg 12, Amsterdam", Circle: workspace.Members, Joined: "2019-03-01"},
	{Name: "Ayşe Yılmaz", Email: "ayse@example.org", Circle: workspace.Members, Joined: "2020-01-20"},
	{Name: "Lotte Visser", Email: "lotte@example.org", Circle: workspace.Members, Joined: "2023-06-30"},
	{Name: "Sanne Bakker", Email: "sanne@example.org", Circle: workspace.Supporters, Joined: "2024-02-02"},
	{Name: "Mohammed Ouali", Circle: workspace.Supporters, Joined: "2025-10-10"},
}

// seedWorkspace opens the workspace of the member's first initiative: the
// member is its core team (as the initiative's editor), the moderator a
// member, and fictional people fill every circle. One contributor keeps
// the books, as core's delegate.
func seedWorkspace(ctx context.Context, svc *workspace.Service, member, moderator account.User, initiativeID int64) error {
	ctx = audit.WithActor(ctx, audit.Actor{UserID: member.ID})
	ws, err := svc.OpenForInitiative(ctx, &member, initiativeID)
	if err != nil {
		return err
	}
	// The moderator proposed the demo initiatives, so is one of the
	// entry's editors and came into core with the member: the demo puts
	// them among the members, to show that circle from the inside.
	if err := moveInto(ctx, svc, &member, ws.Slug, moderator.ID, workspace.Members); err != nil {
		return err
	}
	for _, p := range demoPeople {
		m, err := svc.AddMember(ctx, &member, ws.Slug, p)
		if err != nil {
			return fmt.Errorf("demo workspace member %s: %w", p.Name, err)
		}
		if p.Name == "Joost de Boer" {
			if err := svc.Grant(ctx, &member, ws.Slug, m.ID, workspace.RoleTreasurer); err != nil {
				return err
			}
		}
	}
	if err := seedShares(ctx, svc, &member, ws.Slug); err != nil {
		return fmt.Errorf("demo shares: %w", err)
	}
	if err := seedComms(ctx, svc, &member, ws.Slug); err != nil {
		return err
	}
	if err := seedFiles(ctx, svc, &member, ws.Slug); err != nil {
		return err
	}
	return nil
}

// moveInto puts the account's row of the register into circle, adding the
// account when it is not in the workspace yet.
func moveInto(ctx context.Context, svc *workspace.Service, by *account.User, ref string, userID int64, c workspace.Circle) error {
	rows, _, err := svc.Register(ctx, by, ref, workspace.Filter{Limit: workspace.MaxPage})
	if err != nil {
		return err
	}
	for _, m := range rows {
		if m.UserID == userID {
			return svc.Move(ctx, by, ref, m.ID, c)
		}
	}
	u, err := account.ByID(ctx, svc.DB, userID)
	if err != nil {
		return err
	}
	_, err = svc.AddMember(ctx, by, ref, workspace.NewMember{Name: u.DisplayName(), Email: u.Email, Circle: c})
	return err
}
