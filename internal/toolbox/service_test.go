package toolbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/textcheck"
)

type fixture struct {
	svc                        *Service
	atlas                      *atlas.Service
	steward, moderator, member *account.User
	other                      *account.User
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	f := &fixture{svc: &Service{DB: db, Now: clock}, atlas: &atlas.Service{DB: db, Now: clock}}
	accounts := &account.Service{DB: db}
	add := func(name string, role account.Role) *account.User {
		u, err := accounts.Add(context.Background(), account.NewUser{Email: name + "@example.org", Name: name, Password: "a long enough password", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		return &u
	}
	f.steward = add("steward", account.Steward)
	f.moderator = add("moderator", account.Moderator)
	f.member = add("member", account.Member)
	f.other = add("other", account.Member)
	return f
}

func (f *fixture) seed(t *testing.T) *Catalogue {
	t.Helper()
	ctx := context.Background()
	if ok, err := f.svc.SeedIfEmpty(ctx); err != nil || !ok {
		t.Fatalf("SeedIfEmpty = %v, %v; want true", ok, err)
	}
	c, err := f.svc.Catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// initiative adds an atlas initiative naming tools: published when the
// moderator proposes it, pending when someone else does. Its proposer
// edits it.
func (f *fixture) initiative(t *testing.T, by *account.User, name string, tools ...string) atlas.Initiative {
	t.Helper()
	lat := 52.0 + float64(len(name))/1000
	r := atlas.Record{
		Name:     name,
		Summary:  atlas.Text{NL: "Een initiatief in de buurt.", EN: "A neighbourhood initiative."},
		Sectors:  []string{"energy"},
		Location: atlas.Location{Latitude: &lat, Longitude: &lat},
		Tools:    tools,
	}
	in, err := f.atlas.Propose(context.Background(), by, atlas.Proposal{Record: r, NotDuplicate: true})
	if err != nil {
		t.Fatalf("proposing %q: %v", name, err)
	}
	return in
}

func wantKind(t *testing.T, what string, err error, kind problem.Kind) {
	t.Helper()
	if !problem.Is(err, kind) {
		t.Errorf("%s: error %v, want %s", what, err, kind)
	}
}

func wantField(t *testing.T, what string, err error, kind problem.Kind, field, code string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Kind != kind || p.Fields[field] != code {
		t.Errorf("%s: error %v, want %s with %s: %s", what, err, kind, field, code)
	}
}

func TestServiceSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.seed(t)
		seed, _ := Seed()
		if len(c.Tools) != len(seed) {
			t.Errorf("%d tools stored, want the seed's %d", len(c.Tools), len(seed))
		}
		if ok, err := f.svc.SeedIfEmpty(ctx); err != nil || ok {
			t.Errorf("seeding again = %v, %v; want false", ok, err)
		}
		again, _ := f.svc.Catalogue(ctx)
		if len(again.Tools) != len(seed) {
			t.Errorf("after seeding twice %d tools, want %d", len(again.Tools), len(seed))
		}
		for _, tool := range seed {
			h, err := f.svc.History(ctx, "tool", tool.ID)
			if err != nil || len(h) != 1 {
				t.Errorf("history of %s: %d revisions, %v; want 1", tool.ID, len(h), err)
			}
		}
		if got, ok := c.Find("Google Docs"); !ok || got.ID != "google-drive" || !got.BigTech {
			t.Errorf("the stored catalogue does not find Google Docs: %+v", got)
		}
		guides, err := f.svc.Guides(ctx)
		if err != nil || len(guides) != 4 {
			t.Errorf("%d guides, %v; want 4", len(guides), err)
		}
	})
}

func TestServiceSaveTool(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.seed(t)
		jitsi, _ := c.Get("jitsi")
		old := jitsi.Description.EN

		changed := cloneTool(jitsi)
		changed.Description.EN = "Video calls in the browser, without an account."
		for _, u := range []*account.User{nil, f.member, f.moderator} {
			_, err := f.svc.SaveTool(ctx, u, changed, "", false)
			wantKind(t, fmt.Sprintf("saving as %v", u), err, problem.Forbidden)
		}
		if h, _ := f.svc.History(ctx, "tool", "jitsi"); len(h) != 1 {
			t.Errorf("a refused save left %d revisions", len(h))
		}

		if _, err := f.svc.SaveTool(ctx, f.steward, changed, "  clearer  ", false); err != nil {
			t.Fatalf("a steward's save: %v", err)
		}
		c, _ = f.svc.Catalogue(ctx)
		if got, _ := c.Get("jitsi"); got.Description.EN != changed.Description.EN {
			t.Errorf("stored description %q, want %q", got.Description.EN, changed.Description.EN)
		}
		h, err := f.svc.History(ctx, "tool", "jitsi")
		if err != nil || len(h) != 2 {
			t.Fatalf("history: %d revisions, %v; want 2", len(h), err)
		}
		if h[0].Note != "clearer" || h[0].AuthorID != f.steward.ID || h[0].Author != "steward" {
			t.Errorf("newest revision %+v, want the steward's with note clearer", h[0])
		}
		if prev, _ := h[1].Tool(); prev.Description.EN != old {
			t.Errorf("the first revision says %q, want the seed's %q", prev.Description.EN, old)
		}

		if _, err := f.svc.RestoreTool(ctx, f.member, "jitsi", h[1].ID); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a member restores: %v, want forbidden", err)
		}
		if _, err := f.svc.RestoreTool(ctx, f.steward, "signal", h[1].ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("restoring jitsi's revision onto signal: %v, want not found", err)
		}
		if _, err := f.svc.RestoreTool(ctx, f.steward, "jitsi", h[1].ID); err != nil {
			t.Fatalf("restoring: %v", err)
		}
		c, _ = f.svc.Catalogue(ctx)
		if got, _ := c.Get("jitsi"); got.Description.EN != old {
			t.Errorf("after restoring, description %q, want %q", got.Description.EN, old)
		}
		if h, _ := f.svc.History(ctx, "tool", "jitsi"); len(h) != 3 || h[0].Note != "restored" {
			t.Errorf("after restoring, %d revisions, want 3 with the newest noted restored", len(h))
		}

		// A name or alias another entry has.
		wekan, _ := c.Get("wekan")
		taken := cloneTool(wekan)
		taken.Aliases = append(taken.Aliases, "Google Docs")
		_, err = f.svc.SaveTool(ctx, f.steward, taken, "", false)
		wantField(t, "an alias of google-drive", err, problem.Conflict, "aliases", "name.taken")
		newTool := Tool{Name: "Aardvark Pad", Aliases: []string{"ZOOM"}, Kind: KindSoftware, Categories: []string{"static"}, Description: Text{NL: "A pad.", EN: "A pad."}}
		_, err = f.svc.SaveTool(ctx, f.steward, newTool, "", true)
		wantField(t, "a new entry named like zoom", err, problem.Conflict, "aliases", "name.taken")
		newTool = Tool{Name: "Zeppelin Pad", Aliases: []string{"Signal"}, Kind: KindSoftware, Categories: []string{"static"}, Description: Text{NL: "A pad.", EN: "A pad."}}
		_, err = f.svc.SaveTool(ctx, f.steward, newTool, "", true)
		wantField(t, "a new entry named like signal", err, problem.Conflict, "aliases", "name.taken")

		// An id another entry has.
		dup := Tool{ID: "jitsi", Name: "Jitsi Two", Kind: KindSoftware, Categories: []string{"realtime"}, Description: Text{NL: "Another.", EN: "Another."}}
		_, err = f.svc.SaveTool(ctx, f.steward, dup, "", true)
		wantField(t, "creating jitsi again", err, problem.Conflict, "id", "slug.taken")
		c, _ = f.svc.Catalogue(ctx)
		if got, _ := c.Get("jitsi"); got.Name == "Jitsi Two" {
			t.Error("creating with an existing id overwrote it")
		}
		if _, err := f.svc.SaveTool(ctx, f.steward, Tool{ID: "nothing-here", Name: "Nothing", Kind: KindSoftware, Categories: []string{"static"}, Description: Text{NL: "x", EN: "x"}}, "", false); !problem.Is(err, problem.NotFound) {
			t.Errorf("updating an entry that does not exist: %v, want not found", err)
		}
		bad := cloneTool(jitsi)
		bad.Licence = "GPL-9"
		_, err = f.svc.SaveTool(ctx, f.steward, bad, "", false)
		wantField(t, "a bad licence", err, problem.Invalid, "licence", "licence.invalid")
		bad = cloneTool(jitsi)
		bad.Replaces = []string{"element"}
		_, err = f.svc.SaveTool(ctx, f.steward, bad, "", false)
		wantField(t, "replacing an open tool", err, problem.Invalid, "replaces", "replaces.unknown")

		// A new entry by a steward.
		created, err := f.svc.SaveTool(ctx, f.steward, Tool{Name: "Etherpad", Kind: KindSoftware, Categories: []string{"static"}, Uses: []string{"documents"}, Replaces: []string{"google-drive"}, Licence: "Apache-2.0", Description: Text{EN: "A pad.", NL: "Een pad."}}, "new", true)
		if err != nil || created.ID != "etherpad" {
			t.Fatalf("creating etherpad: %+v, %v", created, err)
		}
		c, _ = f.svc.Catalogue(ctx)
		if got, ok := c.Find("ETHERPAD"); !ok || got.ID != "etherpad" {
			t.Error("the new entry is not found by name")
		}
		if !slices.ContainsFunc(c.Alternatives("google-drive"), func(x Tool) bool { return x.ID == "etherpad" }) {
			t.Error("the new entry is not an alternative to google-drive")
		}
	})
}

func TestServiceImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.seed(t)
		jitsi, _ := c.Get("jitsi")
		file := func(licence string) []Tool {
			updated := cloneTool(jitsi)
			updated.Description.EN = "Imported description."
			return []Tool{
				{ID: "etherpad", Name: "Etherpad", Kind: KindSoftware, Categories: []string{"static"}, Licence: "Apache-2.0", Description: Text{NL: "A pad.", EN: "A pad."}},
				updated,
				{ID: "hedgedoc", Name: "HedgeDoc", Kind: KindSoftware, Categories: []string{"static"}, Licence: licence, Description: Text{NL: "Notes.", EN: "Notes."}},
			}
		}
		if _, err := f.svc.Import(ctx, f.moderator, file("AGPL-3.0-only")); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a moderator imports: %v, want forbidden", err)
		}
		_, err := f.svc.Import(ctx, f.steward, file("GPL-9"))
		var ie *ImportError
		if !errors.As(err, &ie) || ie.Entry != "hedgedoc" {
			t.Fatalf("importing a bad entry: %v, want an ImportError naming hedgedoc", err)
		}
		wantField(t, "the bad entry", err, problem.Invalid, "licence", "licence.invalid")
		after, _ := f.svc.Catalogue(ctx)
		if _, ok := after.Get("etherpad"); ok {
			t.Error("a failed import stored the good entry before the bad one")
		}
		if got, _ := after.Get("jitsi"); got.Description.EN != jitsi.Description.EN {
			t.Error("a failed import changed jitsi")
		}
		if h, _ := f.svc.History(ctx, "tool", "jitsi"); len(h) != 1 {
			t.Errorf("a failed import left %d revisions of jitsi", len(h))
		}

		// Two entries claiming one name.
		clash := file("AGPL-3.0-only")
		clash[2].Aliases = []string{"Etherpad"}
		if _, err := f.svc.Import(ctx, f.steward, clash); !errors.As(err, &ie) {
			t.Errorf("importing two entries named Etherpad: %v, want an ImportError", err)
		}
		repeated := file("AGPL-3.0-only")
		repeated[2].ID = "etherpad"
		_, err = f.svc.Import(ctx, f.steward, repeated)
		wantField(t, "one id twice", err, problem.Invalid, "id", "slug.repeated")

		rep, err := f.svc.Import(ctx, f.steward, file("AGPL-3.0-only"))
		if err != nil || rep != (ImportReport{Created: 2, Updated: 1}) {
			t.Fatalf("import = %+v, %v; want 2 created, 1 updated", rep, err)
		}
		after, _ = f.svc.Catalogue(ctx)
		if got, _ := after.Get("jitsi"); got.Description.EN != "Imported description." {
			t.Errorf("jitsi after import: %q", got.Description.EN)
		}
		for _, id := range []string{"etherpad", "hedgedoc"} {
			if _, ok := after.Find(id); !ok {
				t.Errorf("%s not imported", id)
			}
		}
		if len(after.Tools) != len(c.Tools)+2 {
			t.Errorf("%d tools after import, want %d: entries not in the file stay", len(after.Tools), len(c.Tools)+2)
		}
		if h, _ := f.svc.History(ctx, "tool", "jitsi"); len(h) != 2 || h[0].Note != "import" {
			t.Errorf("jitsi's history after import: %d revisions", len(h))
		}
	})
}

// Importing the catalogue's own export changes nothing, in either format:
// every entry counts as unchanged and none gets a revision. An entry that
// differs only in what Normalize tidies is unchanged too; one that really
// differs is updated, and only it gets a revision.
func TestServiceImportUnchanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.seed(t)
		n := len(c.Tools)
		revisions := func() int {
			t.Helper()
			var count int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM toolbox_revisions WHERE subject = 'tool'`).Scan(&count); err != nil {
				t.Fatal(err)
			}
			return count
		}
		before := revisions()
		for _, format := range []struct {
			name  string
			write func(io.Writer, []Tool) error
		}{{"tools.json", WriteJSON}, {"tools.csv", WriteCSV}} {
			var buf bytes.Buffer
			if err := format.write(&buf, c.Tools); err != nil {
				t.Fatal(err)
			}
			file, err := ReadFile(format.name, buf.Bytes())
			if err != nil {
				t.Fatalf("%s: reading the export: %v", format.name, err)
			}
			rep, err := f.svc.Import(ctx, f.steward, file.Tools)
			if err != nil || rep != (ImportReport{Unchanged: n}) {
				t.Errorf("%s: importing the export = %+v, %v; want %d unchanged", format.name, rep, err, n)
			}
			if got := revisions(); got != before {
				t.Errorf("%s: importing the export added %d revisions", format.name, got-before)
			}
		}

		jitsi, _ := c.Get("jitsi")
		tidied := cloneTool(jitsi)
		tidied.Name = "  " + tidied.Name + " "
		tidied.Kind = strings.ToUpper(tidied.Kind)
		tidied.Description.EN = strings.ReplaceAll(tidied.Description.EN+"\n", "\n", "\r\n")
		nextcloud, _ := c.Get("nextcloud")
		changed := cloneTool(nextcloud)
		changed.Description.EN = "Changed by an import."
		rep, err := f.svc.Import(ctx, f.steward, []Tool{tidied, changed})
		if err != nil || rep != (ImportReport{Updated: 1, Unchanged: 1}) {
			t.Errorf("importing one tidied and one changed entry = %+v, %v; want 1 updated, 1 unchanged", rep, err)
		}
		if h, _ := f.svc.History(ctx, "tool", "jitsi"); len(h) != 1 {
			t.Errorf("jitsi, only tidied, has %d revisions, want 1", len(h))
		}
		if h, _ := f.svc.History(ctx, "tool", "nextcloud"); len(h) != 2 || h[0].AuthorID != f.steward.ID || h[0].Note != NoteImport {
			t.Errorf("nextcloud, changed, has %d revisions (newest %+v), want 2, the newest the steward's import", len(h), h[0])
		}
		if got := revisions(); got != before+1 {
			t.Errorf("%d revisions added, want 1", got-before)
		}
	})
}

// A problem found by Import names the entry and its place in the list,
// so that the page can point at the line of the file.
func TestServiceImportErrorNamesTheEntry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.seed(t)
		jitsi, _ := c.Get("jitsi")
		fresh := Tool{ID: "etherpad", Name: "Etherpad", Kind: KindSoftware, Categories: []string{"static"}, Description: Text{NL: "Een pad.", EN: "A pad."}}
		clash := fresh
		clash.ID, clash.Name, clash.Aliases = "pad", "Pad", []string{"Jitsi"}
		for _, tc := range []struct {
			what        string
			tools       []Tool
			index       int
			field, code string
		}{
			{"a name another entry has", []Tool{jitsi, fresh, clash}, 2, "aliases", "name.taken"},
			{"an id twice", []Tool{fresh, jitsi, fresh}, 2, "id", "slug.repeated"},
			{"a control character", []Tool{jitsi, {ID: "x", Name: "X\x00", Kind: KindSoftware, Categories: []string{"static"}, Description: Text{NL: "x", EN: "x"}}}, 1, "name", textcheck.Control},
		} {
			_, err := f.svc.Import(ctx, f.steward, tc.tools)
			var ie *ImportError
			if !errors.As(err, &ie) || ie.Index != tc.index {
				t.Errorf("%s: %v, want an ImportError about entry %d", tc.what, err, tc.index)
				continue
			}
			if p, ok := problem.As(err); !ok || p.Fields[tc.field] != tc.code {
				t.Errorf("%s: %v, want %s: %s", tc.what, err, tc.field, tc.code)
			}
		}
	})
}

func TestServiceUsedBy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.seed(t)
		f.initiative(t, f.moderator, "Repair Cafe Oost", "Google-Drive", "WhatsApp")
		f.initiative(t, f.moderator, "Buurtmoestuin", "google docs")
		f.initiative(t, f.member, "Pending Energy Coop", "Google Drive")
		f.initiative(t, f.moderator, "Voedselbank", "Nextcloud")
		drive, _ := c.Get("google-drive")
		users, n, err := f.svc.UsedBy(ctx, drive, 10)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range users {
			names = append(names, u.Name)
		}
		if n != 2 || !slices.Equal(names, []string{"Buurtmoestuin", "Repair Cafe Oost"}) {
			t.Errorf("UsedBy(google-drive) = %v (%d), want the two published initiatives naming it", names, n)
		}
		users, n, err = f.svc.UsedBy(ctx, drive, 1)
		if err != nil || n != 2 || len(users) != 1 {
			t.Errorf("UsedBy with limit 1 = %d users of %d, %v; want 1 of 2", len(users), n, err)
		}
		zoom, _ := c.Get("zoom")
		if users, n, err := f.svc.UsedBy(ctx, zoom, 10); err != nil || n != 0 || len(users) != 0 {
			t.Errorf("UsedBy(zoom) = %v, %d, %v; want nobody", users, n, err)
		}
	})
}

func TestServiceScans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.seed(t)
		in := f.initiative(t, f.moderator, "Repair Cafe Oost")
		if err := f.atlas.AddEditor(ctx, f.moderator, in.ID, "member@example.org"); err != nil {
			t.Fatal(err)
		}
		scan := ScanInput{Tools: []string{"Google Drive", "WhatsApp"}, Answers: Answers{Backups: "no"}}
		if _, err := f.svc.SaveScan(ctx, nil, in.ID, scan, false); !problem.Is(err, problem.Unauthorized) {
			t.Errorf("saving anonymously: %v, want unauthorized", err)
		}
		for _, u := range []*account.User{f.other, f.steward} {
			_, err := f.svc.SaveScan(ctx, u, in.ID, scan, false)
			wantField(t, "saving as "+u.Name, err, problem.Forbidden, "initiative", "initiative.not_editor")
		}
		private, err := f.svc.SaveScan(ctx, f.member, in.ID, scan, false)
		if err != nil {
			t.Fatal(err)
		}
		shared, err := f.svc.SaveScan(ctx, f.member, in.ID, ScanInput{Tools: []string{"Nextcloud", "Signal"}}, true)
		if err != nil {
			t.Fatal(err)
		}
		ids := func(u *account.User) []int64 { t.Helper(); return scanIDs(t, f.svc, u, in.ID) }
		for _, u := range []*account.User{f.member, f.moderator} {
			if got := ids(u); !slices.Equal(got, []int64{shared, private}) {
				t.Errorf("an editor (%s) sees scans %v, want %v newest first", u.Name, got, []int64{shared, private})
			}
		}
		for _, u := range []*account.User{nil, f.other, f.steward} {
			if got := ids(u); !slices.Equal(got, []int64{shared}) {
				t.Errorf("a non-editor sees scans %v, want only the shared %d", got, shared)
			}
		}
		list, _ := f.svc.Scans(ctx, f.member, in.ID)
		if last := list[len(list)-1]; !slices.Equal(last.Input.Tools, scan.Tools) || last.Input.Answers.Backups != "no" || last.Shared {
			t.Errorf("the stored scan %+v, want what was saved", last)
		}
		if _, _, err := f.svc.GetScan(ctx, f.other, private); !problem.Is(err, problem.NotFound) {
			t.Errorf("a non-editor gets a private scan: %v", err)
		}
		if x, editor, err := f.svc.GetScan(ctx, f.member, private); err != nil || !editor || x.ID != private {
			t.Errorf("an editor gets a private scan: %v %v", editor, err)
		}
		if err := f.svc.SetShared(ctx, f.other, private, true); !problem.Is(err, problem.NotFound) {
			t.Errorf("a non-editor shares a scan: %v", err)
		}
		if err := f.svc.SetShared(ctx, f.member, private, true); err != nil {
			t.Fatal(err)
		}
		if got := ids(f.other); len(got) != 2 {
			t.Errorf("after sharing, others see %v", got)
		}

		// A pending initiative is seen only by its proposer and moderators;
		// a scan its editor shares does not make it public.
		pending := f.initiative(t, f.member, "Pending Energy Coop")
		if pending.Status != atlas.Pending {
			t.Fatalf("a member's proposal is %s", pending.Status)
		}
		id, err := f.svc.SaveScan(ctx, f.member, pending.ID, scan, true)
		if err != nil {
			t.Fatal(err)
		}
		if x, _, err := f.svc.GetScan(ctx, f.other, id); !problem.Is(err, problem.NotFound) {
			t.Errorf("a stranger gets the shared scan of a pending initiative, with its name %q: %v", x.Initiative, err)
		}
		if got := scanIDs(t, f.svc, f.other, pending.ID); len(got) != 0 {
			t.Errorf("a stranger lists the shared scans of a pending initiative: %v", got)
		}
	})
}

func scanIDs(t *testing.T, s *Service, u *account.User, initiative int64) []int64 {
	t.Helper()
	list, err := s.Scans(context.Background(), u, initiative)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, x := range list {
		out = append(out, x.ID)
	}
	return out
}

func TestServiceAggregates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.seed(t)
		for _, u := range []*account.User{nil, f.member, f.moderator} {
			_, err := f.svc.Aggregates(ctx, u)
			wantKind(t, "aggregates for a non-steward", err, problem.Forbidden)
		}
		save := func(name string, tools ...string) int64 {
			t.Helper()
			in := f.initiative(t, f.moderator, name)
			if _, err := f.svc.SaveScan(ctx, f.moderator, in.ID, ScanInput{Tools: tools}, false); err != nil {
				t.Fatal(err)
			}
			return in.ID
		}
		save("One", "Google Drive", "WhatsApp", "Facebook")
		save("Two", "Google Drive", "WhatsApp", "Zoom")
		save("Three", "Google Drive", "WhatsApp", "Zoom")
		four := save("Four", "Google Drive", "WhatsApp")
		// Four stops using WhatsApp: its newer scan replaces the old one.
		if _, err := f.svc.SaveScan(ctx, f.moderator, four, ScanInput{Tools: []string{"Google Drive", "Signal"}}, false); err != nil {
			t.Fatal(err)
		}
		a, err := f.svc.Aggregates(ctx, f.steward)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Hidden || len(a.Products) != 0 {
			t.Errorf("four initiatives: %+v, want nothing shown", a)
		}
		save("Five", "Google Drive", "Nextcloud")
		a, err = f.svc.Aggregates(ctx, f.steward)
		if err != nil {
			t.Fatal(err)
		}
		want := []ProductCount{
			{Tool: "google-drive", Count: 5},
			{Tool: "whatsapp", Count: 3},
			{Tool: "facebook", Few: true},
			{Tool: "zoom", Few: true},
		}
		if a.Hidden || a.Initiatives != 5 || !slices.Equal(a.Products, want) {
			t.Errorf("five initiatives: %+v, want %+v (open tools left out, 1 and 2 shown only as few, Four's old WhatsApp not counted)", a, want)
		}
		for _, p := range a.Products {
			if p.Count > 0 && p.Count < MinCount {
				t.Errorf("%s shown with count %d, which points at single initiatives", p.Tool, p.Count)
			}
		}
	})
}
