package workspace

import (
	"context"
	"slices"
	"strings"
	"testing"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/toolbox"
)

func TestChannelsByKindWithTheirTools(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := (&toolbox.Service{DB: db}).SeedIfEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		f := newFixture(t, db)
		s := f.svc
		ws, err := s.Create(ctx, f.anna, Draft{Name: "Buurtkracht"})
		if err != nil {
			t.Fatal(err)
		}
		ref := ws.Slug
		if _, err := s.AddMember(ctx, f.anna, ref, NewMember{Name: "Bert", Email: "bert@example.org", Circle: Members}); err != nil {
			t.Fatal(err)
		}

		save := func(u *account.User, c Channel) (Channel, error) { return s.SaveChannel(ctx, u, ref, c) }
		forum, err := save(f.anna, Channel{Kind: Async, Name: "Forum", URL: "https://forum.buurtkracht.example/", ToolID: "discourse", Visibility: Visibility(Members)})
		if err != nil {
			t.Fatal(err)
		}
		if forum.ToolName != "Discourse" || forum.Position != 1 {
			t.Errorf("saved %+v", forum)
		}
		chat, err := save(f.anna, Channel{Kind: Realtime, Name: "Kernteam-chat", URL: "https://matrix.to/#/#kern:example.org", ToolID: "element", Visibility: Visibility(Core)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := save(f.anna, Channel{Kind: Outward, Name: "Website", URL: "https://buurtkracht.example/", ToolID: "wordpress", Visibility: Public}); err != nil {
			t.Fatal(err)
		}
		if _, err := save(f.anna, Channel{Kind: Static, Name: "Documenten", ToolID: "nextcloud", Visibility: Visibility(Members)}); err != nil {
			t.Fatal(err)
		}

		// What is wrong is said field by field; the tool must be in the
		// catalogue; only core keeps the list.
		_, err = save(f.anna, Channel{Kind: "fax", Name: "", URL: "http://insecure.example/", ToolID: "no-such-tool", Visibility: "friends"})
		if got := problemFields(err); got["kind"] != "choice.unknown" || got["name"] != "required" || got["url"] != "url.invalid" || got["visibility"] != "choice.unknown" {
			t.Errorf("a bad channel: %v", err)
		}
		for _, bad := range []string{"javascript:alert(1)", "https://", "https://user:pw@example.org/", "ftp://example.org", "https://example.org/" + strings.Repeat("a", MaxChannelURL)} {
			_, err := save(f.anna, Channel{Kind: Async, Name: "x", URL: bad, Visibility: Public})
			if code := problemFields(err)["url"]; code == "" {
				t.Errorf("url %q: %v", bad, err)
			}
		}
		_, err = save(f.anna, Channel{Kind: Async, Name: "Lijst", ToolID: "no-such-tool", Visibility: Public})
		if got := problemFields(err); got["tool"] != "choice.unknown" {
			t.Errorf("an unknown tool: %v", err)
		}
		bert := f.bert
		_, err = save(bert, Channel{Kind: Async, Name: "Mijn lijst", Visibility: Public})
		wantProblem(t, "a member adds a channel", err, problem.Forbidden, "")
		wantProblem(t, "a member removes a channel", s.RemoveChannel(ctx, bert, ref, forum.ID), problem.Forbidden, "")

		// Everyone sees the public ones; members theirs; core all, in the
		// roadmap's order of kinds.
		names := func(u *account.User) []string {
			t.Helper()
			cs, err := s.Channels(ctx, u, ref)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range cs {
				out = append(out, c.Name+":"+c.ToolName)
			}
			return out
		}
		if got := names(nil); !slices.Equal(got, []string{"Website:WordPress"}) {
			t.Errorf("nobody signed in sees %v", got)
		}
		if got := names(bert); !slices.Equal(got, []string{"Forum:Discourse", "Documenten:Nextcloud", "Website:WordPress"}) {
			t.Errorf("a member sees %v", got)
		}
		all, err := s.Channels(ctx, f.anna, ref)
		if err != nil || len(all) != 4 || all[0].Name != "Kernteam-chat" {
			t.Fatalf("core sees %+v %v", all, err)
		}
		if got := ScanTools(all); !slices.Equal(got, []string{"element", "discourse", "nextcloud", "wordpress"}) {
			t.Errorf("the self-scan starts from %v", got)
		}

		// Changing and removing.
		chat.Name, chat.Visibility, chat.ToolID = "Chat", Visibility(Members), "signal"
		changed, err := save(f.anna, chat)
		if err != nil || changed.Name != "Chat" || changed.ToolName != "Signal" || changed.Position != 2 {
			t.Errorf("changed %+v %v", changed, err)
		}
		if err := s.RemoveChannel(ctx, f.anna, ref, forum.ID); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, "removing twice", s.RemoveChannel(ctx, f.anna, ref, forum.ID), problem.NotFound, "workspace.channel_unknown")
		other, err := s.Create(ctx, f.dirk, Draft{Name: "Andere"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.SaveChannel(ctx, f.dirk, other.Slug, Channel{ID: chat.ID, Kind: Async, Name: "Gekaapt", Visibility: Public})
		wantProblem(t, "another workspace's channel", err, problem.NotFound, "workspace.channel_unknown")
		if got := names(bert); !slices.Equal(got, []string{"Chat:Signal", "Documenten:Nextcloud", "Website:WordPress"}) {
			t.Errorf("after the changes a member sees %v", got)
		}

		// The audit log names the channel by id, never what core typed.
		var entries []audit.Entry
		for _, action := range []string{"workspace.channel_add", "workspace.channel_update", "workspace.channel_remove"} {
			entries = append(entries, auditActions(t, db, action)...)
		}
		if len(entries) != 6 {
			t.Errorf("%d channel entries in the audit log, want 6", len(entries))
		}
		for _, e := range entries {
			for _, v := range e.Detail {
				if s, ok := v.(string); ok && (strings.Contains(s, "Forum") || strings.Contains(s, "https")) {
					t.Errorf("%s holds %q", e.Action, s)
				}
			}
		}
	})
}
