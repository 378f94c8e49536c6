package demo

import (
	"context"
	"fmt"

	"samen/internal/account"
	"samen/internal/problem"
	"samen/internal/workspace"
)

// demoChannels are the demo workspace's channels, one of each kind of
// §7.1.1, on tools from the toolbox's catalogue.
var demoChannels = []workspace.Channel{
	{Kind: workspace.Realtime, Name: "Kernteam-chat", URL: "https://matrix.to/#/#grachtenkeuken-kern:example.org", ToolID: "element", Visibility: workspace.Visibility(workspace.Contributors)},
	{Kind: workspace.Async, Name: "Ledenforum", URL: "https://forum.grachtenkeuken.example/", ToolID: "discourse", Visibility: workspace.Visibility(workspace.Members)},
	{Kind: workspace.Static, Name: "Gedeelde map", URL: "https://cloud.grachtenkeuken.example/s/leden", ToolID: "nextcloud", Visibility: workspace.Visibility(workspace.Members)},
	{Kind: workspace.Outward, Name: "@grachtenkeuken op Mastodon", URL: "https://mastodon.example/@grachtenkeuken", ToolID: "mastodon", Visibility: workspace.Public},
}

// demoAnnouncements are sent in this order; the demo's people are under
// example.org, so their mails go nowhere (and, without SMTP, to the log).
var demoAnnouncements = []workspace.NewAnnouncement{
	{Title: "Algemene ledenvergadering 12 juni", Body: "Beste leden,\n\nOp donderdag 12 juni om 19.30 uur is de algemene ledenvergadering in de keuken aan de Zeedijk. Op de agenda: de jaarrekening, het zonnedak en de nieuwe openingstijden.\n\nTot dan!", Visibility: workspace.Visibility(workspace.Members)},
	{Title: "Rooster voor de zomer", Body: "Het zomerrooster staat in de gedeelde map. Zet je naam bij de diensten die je kunt draaien.", Visibility: workspace.Visibility(workspace.Contributors)},
	{Title: "Open keuken op zondag", Body: "Elke eerste zondag van de maand koken we samen met de buurt. Iedereen is welkom; neem een bord mee.", Visibility: workspace.Public},
}

// seedComms names the demo workspace's channels and sends its
// announcements, as core.
func seedComms(ctx context.Context, svc *workspace.Service, by *account.User, ref string) error {
	for _, c := range demoChannels {
		_, err := svc.SaveChannel(ctx, by, ref, c)
		if p, ok := problem.As(err); ok && p.Fields["tool"] != "" {
			// A site without the toolbox's catalogue: the channel without
			// its tool.
			c.ToolID = ""
			_, err = svc.SaveChannel(ctx, by, ref, c)
		}
		if err != nil {
			return fmt.Errorf("demo channel %s: %w", c.Name, err)
		}
	}
	for _, a := range demoAnnouncements {
		if _, err := svc.Announce(ctx, by, ref, a); err != nil {
			return fmt.Errorf("demo announcement %s: %w", a.Title, err)
		}
	}
	return nil
}
