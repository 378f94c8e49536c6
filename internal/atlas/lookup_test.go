package atlas_test

import (
	"context"
	"testing"

	"samen/internal/atlas"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// TestLookup: what the toolbox reads of the atlas, it reads here.
func TestLookup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		r := record("Repair Café Oost", 52.36, 4.93)
		r.Tools = []string{"Nextcloud"}
		cafe := f.publish(t, r)
		r = record("Buurtmoestuin", 52.37, 4.91)
		r.Tools = []string{"nextcloud", "Signal"}
		tuin := f.publish(t, r)
		pending, err := f.svc.Propose(ctx, f.member, atlas.Proposal{Record: record("Deelfietsen", 52.35, 4.9), NotDuplicate: true})
		if err != nil || pending.Status != atlas.Pending {
			t.Fatalf("proposal: %v, %v", pending.Status, err)
		}

		if n, err := atlas.Count(ctx, db); err != nil || n != 3 {
			t.Fatalf("Count = %d, %v; want 3, the pending one too", n, err)
		}
		got, err := atlas.Lookup(ctx, db, cafe.ID)
		if err != nil || got != (atlas.Ref{ID: cafe.ID, Name: "Repair Café Oost", Status: atlas.Published, CreatedBy: f.moderator.ID}) || !got.Public() {
			t.Fatalf("Lookup = %+v, %v", got, err)
		}
		if _, err := atlas.Lookup(ctx, db, 9999); !problem.Is(err, problem.NotFound) {
			t.Fatalf("Lookup of nothing: %v", err)
		}

		if ok, err := atlas.Edits(ctx, db, f.member.ID, pending.ID); err != nil || !ok {
			t.Fatalf("the proposer does not edit the proposal: %v, %v", ok, err)
		}
		if ok, err := atlas.Edits(ctx, db, f.other.ID, cafe.ID); err != nil || ok {
			t.Fatalf("a stranger edits: %v, %v", ok, err)
		}
		mine, err := atlas.EditedBy(ctx, db, f.moderator.ID)
		if err != nil || len(mine) != 2 || mine[0].ID != tuin.ID || mine[1].ID != cafe.ID {
			t.Fatalf("EditedBy(moderator) = %+v, %v; want both published ones, by name", mine, err)
		}

		users, n, err := atlas.UsingTool(ctx, db, []string{atlas.ToolKey("Nextcloud")}, 1)
		if err != nil || n != 2 || len(users) != 1 || users[0].ID != tuin.ID {
			t.Fatalf("UsingTool(nextcloud, 1) = %+v, %d, %v", users, n, err)
		}
	})
}
