package audit_test

import (
	"context"
	"testing"

	"samen/internal/audit"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestRecordAndList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ada := audit.WithActor(ctx, audit.Actor{UserID: 7, Label: "ada@example.org", IP: "192.0.2.7"})
		records := []struct {
			ctx     context.Context
			action  string
			subject string
			id      int64
		}{
			{ada, "user.create", "user", 1},
			{ada, "api_token.create", "api_token", 3},
			{ctx, "user.verify", "user", 1},
			{ada, "api_token.revoke", "api_token", 3},
			{ada, "user.read", "user", 2},
		}
		for _, r := range records {
			if err := audit.RecordID(r.ctx, db, r.action, r.subject, r.id, map[string]any{"n": r.id}); err != nil {
				t.Fatal(err)
			}
		}

		all, next, err := audit.List(ctx, db, audit.Filter{})
		if err != nil || next != 0 || len(all) != len(records) {
			t.Fatalf("List() = %d entries, next %d, %v; want %d, 0", len(all), next, err, len(records))
		}
		if all[0].Action != "user.read" || all[len(all)-1].Action != "user.create" {
			t.Errorf("not newest first: %s … %s", all[0].Action, all[len(all)-1].Action)
		}
		first := all[len(all)-1]
		// The address given as a label is not written: the log names
		// people by id only, so that erasing them needs no change to it.
		if first.ActorID != 7 || first.ActorLabel != audit.LabelMember || first.IP != "192.0.2.7" || first.SubjectID != "1" || first.Detail["n"] != float64(1) {
			t.Errorf("entry = %+v; want actor, the label member, address, subject and detail as recorded", first)
		}
		if sys := all[2]; sys.ActorID != 0 || sys.ActorLabel != "system" {
			t.Errorf("an entry without an actor in the context = %+v; want the system", sys)
		}

		count := func(f audit.Filter) int {
			t.Helper()
			es, _, err := audit.List(ctx, db, f)
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}
		cases := []struct {
			name string
			f    audit.Filter
			want int
		}{
			{"exact action", audit.Filter{Action: "user.create"}, 1},
			{"prefix", audit.Filter{Action: "user."}, 3},
			{"prefix with an underscore", audit.Filter{Action: "api_token."}, 2},
			{"underscore is no wildcard", audit.Filter{Action: "apiXtoken."}, 0},
			{"actor", audit.Filter{ActorID: 7}, 4},
			{"subject", audit.Filter{SubjectType: "user", SubjectID: "1"}, 2},
		}
		for _, c := range cases {
			if got := count(c.f); got != c.want {
				t.Errorf("%s: %d entries, want %d", c.name, got, c.want)
			}
		}

		// Paging: two at a time reaches every entry exactly once.
		seen := map[int64]bool{}
		var cursor int64
		for pages := 0; ; pages++ {
			es, next, err := audit.List(ctx, db, audit.Filter{Limit: 2, Before: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				if seen[e.ID] {
					t.Fatalf("entry %d on two pages", e.ID)
				}
				seen[e.ID] = true
			}
			if next == 0 {
				break
			}
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			cursor = next
		}
		if len(seen) != len(records) {
			t.Errorf("paging reached %d entries, want %d", len(seen), len(records))
		}
	})
}

// The labels an entry may hold say what kind of actor it was, never who.
func TestLabelsAreNeutral(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	for _, c := range []struct {
		actor audit.Actor
		want  string
	}{
		{audit.Actor{UserID: 3, Label: "zoe@example.org"}, audit.LabelMember},
		{audit.Actor{UserID: 3, Label: audit.LabelVisitor}, audit.LabelMember},
		{audit.Actor{UserID: 3, Label: audit.LabelMember}, audit.LabelMember},
		{audit.Actor{Label: audit.LabelVisitor}, audit.LabelVisitor},
		{audit.Actor{Label: "Zoë Überschär"}, audit.LabelSystem},
		{audit.Actor{}, audit.LabelSystem},
	} {
		if err := audit.Record(audit.WithActor(ctx, c.actor), db, "test.label", "", "", nil); err != nil {
			t.Fatal(err)
		}
		got, _, err := audit.List(ctx, db, audit.Filter{Limit: 1})
		if err != nil || len(got) != 1 || got[0].ActorLabel != c.want {
			t.Errorf("actor %+v written as %+v (%v); want label %q", c.actor, got, err, c.want)
		}
	}
}

// About is a person's share of the log: what they did, and what was done
// to their account.
func TestAbout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ada := audit.WithActor(ctx, audit.Actor{UserID: 7, Label: audit.LabelMember})
		bob := audit.WithActor(ctx, audit.Actor{UserID: 8, Label: audit.LabelMember})
		for _, r := range []struct {
			ctx context.Context
			id  int64
		}{{ada, 1}, {bob, 7}, {bob, 9}, {ctx, 7}} {
			if err := audit.RecordID(r.ctx, db, "user.read", "user", r.id, nil); err != nil {
				t.Fatal(err)
			}
		}
		got, err := audit.About(ctx, db, 7)
		if err != nil || len(got) != 3 || got[0].SubjectID != "1" || got[1].ActorID != 8 || got[2].ActorID != 0 {
			t.Fatalf("About(7) = %+v, %v; want its own entry and the two about account 7, oldest first", got, err)
		}
	})
}
