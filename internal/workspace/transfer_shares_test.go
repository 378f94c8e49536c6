package workspace

import (
	"context"
	"testing"

	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

func TestImportParticipations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		ws, err := s.Create(ctx, f.anna, Draft{Name: "Zonnecoop"})
		if err != nil {
			t.Fatal(err)
		}
		ref := ws.Slug
		for _, n := range []NewMember{{Name: "Bert", Email: "bert@example.org", Circle: Members}, {Name: "Cato", Email: "cato.k@example.org", Circle: Members}} {
			if _, err := s.AddMember(ctx, f.anna, ref, n); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.AddShareClass(ctx, f.anna, ref, ShareClass{Name: "Zonnedak", NominalCents: 25000, MinShares: 1, MaxShares: 10}); err != nil {
			t.Fatal(err)
		}
		read := func(csv string) *Sheet {
			t.Helper()
			sheet, err := ReadSheet([]byte(csv))
			if err != nil {
				t.Fatal(err)
			}
			return sheet
		}
		count := func() int {
			ps, err := s.Participations(ctx, f.anna, ref, ParticipationFilter{All: true})
			if err != nil {
				t.Fatal(err)
			}
			return len(ps)
		}

		// Row 3 takes Bert past the class's maximum with the shares of
		// row 2; row 4 names nobody; row 5 is final but unpaid; nothing
		// is stored.
		bad := "lidnummer;soort;aandelen;status;betaald\n" +
			"2;Zonnedak;6;definitief;1.500,00\n" +
			"2;zonnedak;5;interesse;\n" +
			"99;Zonnedak;1;;\n" +
			"3;Zonnedak;2;definitief;250\n"
		_, err = s.ImportParticipations(ctx, f.anna, ref, read(bad), ImportOptions{})
		got := map[[2]int]string{}
		for _, p := range ImportProblems(err) {
			got[[2]int{p.Row, p.Column}] = p.Code
		}
		want := map[[2]int]string{{3, 3}: "shares.above_max", {4, 1}: "member.unknown", {5, 4}: "status.unpaid"}
		for k, code := range want {
			if got[k] != code {
				t.Errorf("row %d column %d: %q, want %q (all: %v)", k[0], k[1], got[k], code, got)
			}
		}
		if len(got) != len(want) {
			t.Errorf("problems %v, want %v", got, want)
		}
		if n := count(); n != 0 {
			t.Fatalf("a refused file stored %d participations", n)
		}
		if b, _ := s.Balances(ctx, f.anna, ref); b.Capital != 0 {
			t.Fatalf("a refused file booked %d cents", b.Capital)
		}

		good := "number,email,class,shares,status,paid,booked_on\n" +
			"2,,Zonnedak,6,final,\"1.500,00\",2024-05-01\n" +
			",CATO.K@example.org,Zonnedak,2,granted,250,\n"
		plan, err := s.ImportParticipations(ctx, f.anna, ref, read(good), ImportOptions{DryRun: true})
		if err != nil || plan.Applied || plan.Rows != 2 || plan.PaidCents != 175000 || len(plan.Sample) != 2 {
			t.Fatalf("the dry run: %+v %v", plan, err)
		}
		if n := count(); n != 0 {
			t.Fatalf("a dry run stored %d participations", n)
		}
		_, err = s.ImportParticipations(ctx, f.cato, ref, read(good), ImportOptions{})
		if !problem.Is(err, problem.Forbidden) {
			t.Errorf("someone outside the books imports: %v", err)
		}
		plan, err = s.ImportParticipations(ctx, f.anna, ref, read(good), ImportOptions{})
		if err != nil || !plan.Applied || plan.Rows != 2 {
			t.Fatalf("the import: %+v %v", plan, err)
		}
		ps, _ := s.Participations(ctx, f.anna, ref, ParticipationFilter{})
		if len(ps) != 2 || ps[0].Status != Final || ps[0].PaidCents != 150000 || ps[1].Status != Granted || ps[1].PaidCents != 25000 {
			t.Errorf("imported %+v", ps)
		}
		entries, _, _ := s.Ledger(ctx, f.anna, ref, LedgerFilter{})
		if len(entries) != 2 || entries[1].BookedOn != "2024-05-01" {
			t.Errorf("the ledger after the import %+v", entries)
		}
	})
}
