package atlas_test

import (
	"context"
	"testing"

	"samen/internal/atlas"
	"samen/internal/audit"
	"samen/internal/mapindex"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

var world = mapindex.BBox{MinLon: -180, MinLat: -85, MaxLon: 180, MaxLat: 85}

// onMap reports whether the initiative is a point on the map at the
// highest zoom.
func onMap(t *testing.T, f *fixture, id int64) bool {
	t.Helper()
	feats, err := f.svc.Map.Clusters(mapindex.BBox{MinLon: 4.7, MinLat: 52.2, MaxLon: 5.1, MaxLat: 52.5}, 20, mapindex.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ft := range feats {
		if !ft.Cluster && ft.ID == id {
			return true
		}
	}
	return false
}

func TestProposalWaitsForAModerator(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		in, err := f.svc.Propose(ctx, f.member, atlas.Proposal{Record: record("Repair Café Oost", 52.36, 4.93), Note: "new"})
		if err != nil {
			t.Fatal(err)
		}
		if in.Status != atlas.Pending {
			t.Fatalf("status %s, want pending", in.Status)
		}
		// Visitors and other members do not see a proposal; its author does.
		if _, err := f.svc.Get(ctx, nil, in.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("a visitor sees a proposal: %v", err)
		}
		if _, err := f.svc.Get(ctx, f.other, in.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("another member sees a proposal: %v", err)
		}
		if _, err := f.svc.Get(ctx, f.member, in.ID); err != nil {
			t.Fatalf("the author cannot see their proposal: %v", err)
		}
		if res, _ := f.svc.Search(ctx, atlas.Query{Text: "repair"}); res.Total != 0 {
			t.Fatalf("a proposal is found by search")
		}
		if onMap(t, f, in.ID) {
			t.Fatal("a proposal is on the map")
		}

		// A member cannot review.
		_, err = f.svc.Queue(ctx, f.member)
		wantProblem(t, err, problem.Forbidden, "atlas.moderators_only")
		queue, err := f.svc.Queue(ctx, f.moderator)
		if err != nil || len(queue) != 1 || !queue[0].New || queue[0].Revision.Record.Name != "Repair Café Oost" {
			t.Fatalf("queue %+v, %v", queue, err)
		}
		if _, err := f.svc.Review(ctx, f.member, queue[0].Revision.ID, true, ""); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a member reviewed: %v", err)
		}
		if _, err := f.svc.Review(ctx, f.moderator, queue[0].Revision.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Get(ctx, nil, in.ID)
		if err != nil || got.Status != atlas.Published {
			t.Fatalf("after acceptance: %+v, %v", got.Status, err)
		}
		if !got.IsEditor(f.member) {
			t.Error("the proposer is not an editor of the accepted initiative")
		}
		if res, _ := f.svc.Search(ctx, atlas.Query{Text: "repair"}); res.Total != 1 {
			t.Errorf("the accepted initiative is not found by search (%d)", res.Total)
		}
		if !onMap(t, f, in.ID) {
			t.Error("the accepted initiative is not on the map")
		}
		if subjects := outbox(t, db, "member@example.org"); len(subjects) != 1 || subjects[0] != "Decided Repair Café Oost true" {
			t.Errorf("the author's mails: %v", subjects)
		}
		if _, err := f.svc.Review(ctx, f.moderator, queue[0].Revision.ID, false, "no"); !problem.Is(err, problem.Conflict) {
			t.Errorf("reviewed twice: %v", err)
		}
		entries, _, err := audit.List(ctx, db, audit.Filter{SubjectType: "initiative"})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]bool{}
		for _, e := range entries {
			actions[e.Action] = true
		}
		if !actions["initiative.propose"] || !actions["revision.accept"] {
			t.Errorf("audit actions %v", actions)
		}
	})
}

func TestRejectionNeedsAReason(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		in, err := f.svc.Propose(ctx, f.member, atlas.Proposal{Record: record("Spam BV", 52.36, 4.93)})
		if err != nil {
			t.Fatal(err)
		}
		queue, _ := f.svc.Queue(ctx, f.moderator)
		_, err = f.svc.Review(ctx, f.moderator, queue[0].Revision.ID, false, " ")
		if fieldCode(err, "reason") != "required" {
			t.Fatalf("rejected without a reason: %v", err)
		}
		if _, err := f.svc.Review(ctx, f.moderator, queue[0].Revision.ID, false, "Not an initiative"); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Get(ctx, f.member, in.ID)
		if err != nil || got.Status != atlas.Rejected {
			t.Fatalf("after rejection: %v, %v", got.Status, err)
		}
		_, revs, err := f.svc.History(ctx, f.member, in.ID)
		if err != nil || len(revs) != 1 || revs[0].Reason != "Not an initiative" || revs[0].State != atlas.RevisionRejected {
			t.Fatalf("history %+v, %v", revs, err)
		}
		if _, err := f.svc.Edit(ctx, f.member, in.ID, atlas.Proposal{Record: record("Spam BV 2", 52.36, 4.93)}); !problem.Is(err, problem.Conflict) {
			t.Errorf("a rejected initiative was edited: %v", err)
		}
	})
}

func TestEditsBecomeRevisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		in := f.publish(t, record("Buurtkeuken West", 52.37, 4.86))

		// A member who is not an editor proposes; nothing changes yet.
		changed := in.Record
		changed.Summary.NL = "Samen koken en eten."
		rev, err := f.svc.Edit(ctx, f.member, in.ID, atlas.Proposal{Record: changed, BaseID: in.RevisionID, Note: "beschrijving"})
		if err != nil || rev.State != atlas.RevisionPending {
			t.Fatalf("edit by a member: %+v, %v", rev.State, err)
		}
		got, _ := f.svc.Get(ctx, nil, in.ID)
		if got.Summary.NL == "Samen koken en eten." {
			t.Fatal("a member's edit was published without review")
		}
		// Visitors see only accepted history; the author sees their own.
		_, public, _ := f.svc.History(ctx, nil, in.ID)
		_, own, _ := f.svc.History(ctx, f.member, in.ID)
		if len(public) != 1 || len(own) != 2 {
			t.Fatalf("history: public %d, author %d", len(public), len(own))
		}
		// An edit that changes nothing is refused.
		if _, err := f.svc.Edit(ctx, f.moderator, in.ID, atlas.Proposal{Record: in.Record, BaseID: in.RevisionID}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("an empty edit: %v", err)
		}
		// The moderator's own edit is published at once…
		second := in.Record
		second.Tags = []string{"koken"}
		r2, err := f.svc.Edit(ctx, f.moderator, in.ID, atlas.Proposal{Record: second, BaseID: in.RevisionID})
		if err != nil || r2.State != atlas.RevisionAccepted {
			t.Fatalf("moderator's edit: %v, %v", r2.State, err)
		}
		// …and a second edit from the same outdated page is caught.
		third := in.Record
		third.Tags = []string{"eten"}
		_, err = f.svc.Edit(ctx, f.moderator, in.ID, atlas.Proposal{Record: third, BaseID: in.RevisionID})
		wantProblem(t, err, problem.Conflict, "atlas.edit_conflict")

		// The member's pending edit is now based on an old version.
		queue, _ := f.svc.Queue(ctx, f.moderator)
		if len(queue) != 1 || !queue[0].Outdated || queue[0].New {
			t.Fatalf("queue %+v", queue)
		}
		if _, err := f.svc.Review(ctx, f.moderator, rev.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		got, _ = f.svc.Get(ctx, nil, in.ID)
		if got.Summary.NL != "Samen koken en eten." || got.RevisionID != rev.ID {
			t.Fatalf("after acceptance: %+v", got)
		}

		// Restoring the first version adds a revision; nothing is lost.
		if _, err := f.svc.Restore(ctx, f.member, in.ID, in.RevisionID); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a member restored: %v", err)
		}
		restored, err := f.svc.Restore(ctx, f.moderator, in.ID, in.RevisionID)
		if err != nil || restored.RestoredFrom != in.RevisionID {
			t.Fatalf("restore: %+v, %v", restored, err)
		}
		got, _ = f.svc.Get(ctx, nil, in.ID)
		if got.Summary.NL != in.Summary.NL || len(got.Tags) != 0 {
			t.Fatalf("restored record: %+v", got.Record)
		}
		_, all, _ := f.svc.History(ctx, f.moderator, in.ID)
		if len(all) != 4 {
			t.Fatalf("history has %d revisions, want 4", len(all))
		}
		// Names come from the accounts: author and reviewer of each.
		for _, r := range all {
			if r.ID == rev.ID && (r.AuthorName != "member" || r.ReviewerName != "moderator") {
				t.Errorf("the member's revision shows author %q and reviewer %q", r.AuthorName, r.ReviewerName)
			}
			if r.ID == restored.ID && (r.AuthorName != "moderator" || r.ReviewerName != "moderator") {
				t.Errorf("the restoring revision shows author %q and reviewer %q", r.AuthorName, r.ReviewerName)
			}
		}
	})
}

func TestEditorsPublishTheirOwnEdits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		in := f.publish(t, record("Wooncoöperatie De Nieuwe Meent", 52.36, 4.94))
		if err := f.svc.AddEditor(ctx, f.member, in.ID, "member@example.org"); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a non-editor added an editor: %v", err)
		}
		if err := f.svc.AddEditor(ctx, f.moderator, in.ID, "nobody@example.org"); fieldCode(err, "email") != "editor.no_account" {
			t.Fatalf("unknown address: %v", err)
		}
		if err := f.svc.AddEditor(ctx, f.moderator, in.ID, "Member@Example.org"); err != nil {
			t.Fatal(err)
		}
		changed := in.Record
		changed.Founded = 2016
		rev, err := f.svc.Edit(ctx, f.member, in.ID, atlas.Proposal{Record: changed, BaseID: in.RevisionID})
		if err != nil || rev.State != atlas.RevisionAccepted {
			t.Fatalf("editor's edit: %v, %v", rev.State, err)
		}
		got, _ := f.svc.Get(ctx, nil, in.ID)
		if got.Founded != 2016 {
			t.Fatal("the editor's edit is not published")
		}
		eds, err := f.svc.Editors(ctx, f.member, in.ID)
		if err != nil || len(eds) != 2 || eds[0] != (atlas.Editor{ID: f.member.ID, Name: "member"}) || eds[1].Name != "moderator" {
			t.Fatalf("editors %+v, %v; want member and moderator, by name", eds, err)
		}
		if _, err := f.svc.Editors(ctx, f.other, in.ID); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a stranger listed the editors: %v", err)
		}
		if err := f.svc.RemoveEditor(ctx, f.member, in.ID, f.member.ID); err != nil {
			t.Fatal(err)
		}
		changed.Founded = 2017
		rev, err = f.svc.Edit(ctx, f.member, in.ID, atlas.Proposal{Record: changed, BaseID: got.RevisionID})
		if err != nil || rev.State != atlas.RevisionPending {
			t.Fatalf("after leaving, an edit is %v, %v", rev.State, err)
		}
	})
}

func TestPossibleDuplicatesAreFlagged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.publish(t, record("Stichting Buurtenergie Noord", 52.390, 4.920))
		_, err := f.svc.Propose(ctx, f.member, atlas.Proposal{Record: record("Buurtenergie Noord", 52.392, 4.925)})
		wantProblem(t, err, problem.Conflict, "atlas.possible_duplicate")
		// Far away, the same words are another initiative.
		if _, err := f.svc.Propose(ctx, f.member, atlas.Proposal{Record: record("Buurtenergie Noord", 53.2, 6.56)}); err != nil {
			t.Fatalf("a namesake in Groningen: %v", err)
		}
		// Having looked, the author may go on; the queue shows the match.
		in, err := f.svc.Propose(ctx, f.other, atlas.Proposal{Record: record("Buurt Energie Noord", 52.391, 4.921), NotDuplicate: true})
		if err != nil {
			t.Fatal(err)
		}
		queue, _ := f.svc.Queue(ctx, f.moderator)
		for _, it := range queue {
			if it.Initiative.ID == in.ID && len(it.Duplicates) == 0 {
				t.Error("the queue does not show the possible duplicate")
			}
		}
	})
}

func TestMerge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		a := f.publish(t, record("Voedselbos Zuidoost", 52.31, 4.97))
		dupRec := record("Voedselbos Zuid-Oost", 52.311, 4.971)
		dupRec.Source, dupRec.SourceID = "import", "7"
		b, err := f.svc.Propose(ctx, f.moderator, atlas.Proposal{Record: dupRec, NotDuplicate: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Merge(ctx, f.member, b.ID, a.ID); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a member merged: %v", err)
		}
		if err := f.svc.Merge(ctx, f.moderator, b.ID, b.ID); fieldCode(err, "into") != "merge.same" {
			t.Fatalf("merged into itself: %v", err)
		}
		if err := f.svc.Merge(ctx, f.moderator, b.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Get(ctx, nil, b.ID)
		if err != nil || got.Status != atlas.Merged || got.MergedInto != a.ID {
			t.Fatalf("merged entry %+v, %v", got, err)
		}
		if res, _ := f.svc.Search(ctx, atlas.Query{Text: "voedselbos"}); res.Total != 1 || res.Items[0].ID != a.ID {
			t.Fatalf("search after merge: %+v", res)
		}
		if onMap(t, f, b.ID) {
			t.Error("the merged entry is still on the map")
		}
		into, _ := f.svc.Get(ctx, nil, a.ID)
		if !into.IsEditor(f.moderator) {
			t.Error("editors did not move over")
		}
		// The source id is free again for the surviving entry.
		keep := into.Record
		keep.Source, keep.SourceID = "import", "7"
		if _, err := f.svc.Edit(ctx, f.moderator, a.ID, atlas.Proposal{Record: keep}); err != nil {
			t.Fatalf("taking over the source id: %v", err)
		}
	})
}

func TestArchiveAndConfirm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		in := f.publish(t, record("Deelauto Weesp", 52.31, 5.04))
		if err := f.svc.SetArchived(ctx, f.member, in.ID, true); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a stranger archived: %v", err)
		}
		if err := f.svc.SetArchived(ctx, f.moderator, in.ID, true); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Get(ctx, nil, in.ID)
		if err != nil || got.Status != atlas.Archived || got.ArchivedAt.IsZero() {
			t.Fatalf("archived: %+v, %v", got.Status, err)
		}
		if res, _ := f.svc.Search(ctx, atlas.Query{}); res.Total != 0 {
			t.Error("an archived entry is listed")
		}
		// Its editor confirming it brings it back.
		if err := f.svc.Confirm(ctx, f.moderator, in.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = f.svc.Get(ctx, nil, in.ID)
		if got.Status != atlas.Published || !onMap(t, f, in.ID) {
			t.Fatalf("after confirming: %s", got.Status)
		}
	})
}

func TestSourceIDIsUnique(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		r := record("Energie Eiland", 52.38, 4.9)
		r.Source, r.SourceID = "kvm", "abc"
		f.publish(t, r)
		r2 := record("Iets Anders", 52.2, 4.7)
		r2.Source, r2.SourceID = "kvm", "abc"
		_, err := f.svc.Propose(context.Background(), f.moderator, atlas.Proposal{Record: r2, NotDuplicate: true})
		if fieldCode(err, "source_id") != "source_id.taken" {
			t.Fatalf("second record with the same source id: %v", err)
		}
	})
}

func TestEditsKeepTheHiddenAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		r := record("Zorgbuurt West", 52.37, 4.85)
		r.Contact.Email = "zorg@west.example"
		in := f.publish(t, r)
		// An edit made from the open data has no address: it stays.
		open := in.Record
		open.Contact.Email = ""
		open.Founded = 2010
		if _, err := f.svc.Edit(ctx, f.moderator, in.ID, atlas.Proposal{Record: open}); err != nil {
			t.Fatal(err)
		}
		got, _ := f.svc.Get(ctx, nil, in.ID)
		if got.Contact.Email != "zorg@west.example" || got.Founded != 2010 {
			t.Fatalf("after an edit without the address: %q %d", got.Contact.Email, got.Founded)
		}
		// Removing it takes saying so.
		if _, err := f.svc.Edit(ctx, f.moderator, in.ID, atlas.Proposal{Record: open, ClearEmail: true}); err != nil {
			t.Fatal(err)
		}
		got, _ = f.svc.Get(ctx, nil, in.ID)
		if got.Contact.Email != "" {
			t.Fatalf("after clearing: %q", got.Contact.Email)
		}
	})
}
