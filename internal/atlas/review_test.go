package atlas_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"samen/internal/atlas"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestStaleEntriesAreReviewedThenArchived(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		in, err := f.svc.Propose(ctx, f.member, atlas.Proposal{Record: record("Buurtkamer Centrum", 52.37, 4.89)})
		if err != nil {
			t.Fatal(err)
		}
		queue, _ := f.svc.Queue(ctx, f.moderator)
		if _, err := f.svc.Review(ctx, f.moderator, queue[0].Revision.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		step := func(d time.Duration) atlas.StaleReport {
			t.Helper()
			f.clock.add(d)
			rep, err := f.svc.ReviewStale(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		mails := func() []string {
			var out []string
			for _, s := range outbox(t, db, "member@example.org") {
				if strings.HasPrefix(s, "Review") {
					out = append(out, s)
				}
			}
			return out
		}
		if rep := step(300 * 24 * time.Hour); rep != (atlas.StaleReport{}) {
			t.Fatalf("after 300 days: %+v", rep)
		}
		fresh := f.publish(t, record("Vers Initiatief", 52.1, 4.3))
		// Eleven months: the editor is told.
		if rep := step(40 * 24 * time.Hour); rep.Notified != 1 || rep.MarkedForReview != 0 {
			t.Fatalf("after 340 days: %+v", rep)
		}
		if m := mails(); len(m) != 1 || m[0] != "Review Buurtkamer Centrum stage 1" {
			t.Fatalf("mails %v", m)
		}
		// Running again sends nothing twice.
		if rep := step(time.Hour); rep.Notified != 0 {
			t.Fatalf("second run: %+v", rep)
		}
		// A year: marked for review, still published.
		if rep := step(30 * 24 * time.Hour); rep.MarkedForReview != 1 {
			t.Fatalf("after a year: %+v", rep)
		}
		got, _ := f.svc.Get(ctx, nil, in.ID)
		if got.Status != atlas.Published || got.ReviewStage != atlas.StageInReview {
			t.Fatalf("after a year: %s stage %d", got.Status, got.ReviewStage)
		}
		// Twenty-three months: told again (and the younger entry's editor
		// is told of its review); two years: archived.
		if rep := step(335 * 24 * time.Hour); rep.Notified != 2 {
			t.Fatalf("before two years: %+v", rep)
		}
		if len(mails()) != 2 {
			t.Fatalf("mails %v", mails())
		}
		if rep := step(31 * 24 * time.Hour); rep.Archived != 1 {
			t.Fatalf("after two years: %+v", rep)
		}
		got, _ = f.svc.Get(ctx, nil, in.ID)
		if got.Status != atlas.Archived {
			t.Fatalf("after two years: %s", got.Status)
		}
		// Confirming brings it back with a fresh clock. The entry added
		// 300 days later is in review, not archived.
		if err := f.svc.Confirm(ctx, f.other, in.ID); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a stranger confirmed: %v", err)
		}
		if err := f.svc.Confirm(ctx, f.member, in.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = f.svc.Get(ctx, nil, in.ID)
		if got.Status != atlas.Published || got.ReviewStage != 0 {
			t.Fatalf("after confirming: %s %d", got.Status, got.ReviewStage)
		}
		if other, _ := f.svc.Get(ctx, nil, fresh.ID); other.Status != atlas.Published || other.ReviewStage != atlas.StageInReview {
			t.Errorf("the younger entry is %s, stage %d", other.Status, other.ReviewStage)
		}
	})
}

func TestEditingConfirms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		in := f.publish(t, record("Kringloop West", 52.37, 4.85))
		f.clock.add(atlas.ReviewAfter - atlas.Notice/2)
		changed := in.Record
		changed.Founded = 2001
		if _, err := f.svc.Edit(ctx, f.moderator, in.ID, atlas.Proposal{Record: changed}); err != nil {
			t.Fatal(err)
		}
		f.clock.add(atlas.Notice)
		if rep, _ := f.svc.ReviewStale(ctx); rep != (atlas.StaleReport{}) {
			t.Fatalf("an entry edited a month ago went stale: %+v", rep)
		}
	})
}

func TestReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		in := f.publish(t, record("Tweede Hands Oost", 52.36, 4.93))
		if err := f.svc.Report(ctx, nil, "192.0.2.1", in.ID, "", ""); fieldCode(err, "reason") != "required" {
			t.Fatalf("no reason: %v", err)
		}
		if err := f.svc.Report(ctx, nil, "192.0.2.1", in.ID, "other", ""); fieldCode(err, "message") != "required" {
			t.Fatalf("other without words: %v", err)
		}
		if err := f.svc.Report(ctx, nil, "192.0.2.1", in.ID, "closed", "Gesloten sinds mei"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Reports(ctx, f.member); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a member read reports: %v", err)
		}
		reps, err := f.svc.Reports(ctx, f.moderator)
		if err != nil || len(reps) != 1 || reps[0].Reason != "closed" || reps[0].InitiativeName != "Tweede Hands Oost" {
			t.Fatalf("reports %+v, %v", reps, err)
		}
		for i := range 9 {
			if err := f.svc.Report(ctx, f.member, "192.0.2.1", in.ID, "wrong", ""); err != nil {
				t.Fatalf("report %d: %v", i+2, err)
			}
		}
		err = f.svc.Report(ctx, f.member, "192.0.2.1", in.ID, "wrong", "")
		wantProblem(t, err, problem.RateLimited, "atlas.too_many_reports")
		if err := f.svc.CloseReport(ctx, f.moderator, reps[0].ID, true); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.CloseReport(ctx, f.moderator, reps[0].ID, true); !problem.Is(err, problem.NotFound) {
			t.Fatalf("closed twice: %v", err)
		}
		_, open, _, _ := f.svc.QueueSize(ctx)
		if open != 9 {
			t.Errorf("%d open reports, want 9", open)
		}
	})
}

func TestContactHidesTheAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		r := record("Zorgcoöperatie Zuid", 52.34, 4.88)
		r.Contact.Email = "info@zorgzuid.example"
		in := f.publish(t, r)
		noMail := f.publish(t, record("Zonder Post", 52.0, 4.0))
		msg := atlas.ContactMessage{Name: "Ans", Email: "ans@example.net", Message: "Mag ik langskomen?"}
		if err := f.svc.Contact(ctx, nil, "192.0.2.9", noMail.ID, msg); !problem.Is(err, problem.NotFound) {
			t.Fatalf("contact without an address: %v", err)
		}
		if err := f.svc.Contact(ctx, nil, "192.0.2.9", in.ID, atlas.ContactMessage{Email: "ans@", Message: "kort"}); fieldCode(err, "email") != "email.invalid" ||
			fieldCode(err, "name") != "required" || fieldCode(err, "message") != "too_short" {
			t.Fatalf("bad message: %v", err)
		}
		if err := f.svc.Contact(ctx, nil, "192.0.2.9", in.ID, msg); err != nil {
			t.Fatal(err)
		}
		var subject, replyTo, body string
		if err := db.QueryRow(ctx, `SELECT subject, reply_to, body FROM mail_outbox WHERE to_addr = ?`, "info@zorgzuid.example").Scan(&subject, &replyTo, &body); err != nil {
			t.Fatal(err)
		}
		if replyTo != "ans@example.net" || !strings.Contains(body, "Mag ik langskomen?") {
			t.Fatalf("mail %q %q %q", subject, replyTo, body)
		}
		for range 4 {
			if err := f.svc.Contact(ctx, nil, "192.0.2.9", in.ID, msg); err != nil {
				t.Fatal(err)
			}
		}
		wantProblem(t, f.svc.Contact(ctx, nil, "192.0.2.9", in.ID, msg), problem.RateLimited, "atlas.too_many_messages")
	})
}
