package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"samen/internal/account"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/workspace"
)

// `samen import members` refuses a file with one bad row, names the row
// and imports nothing; a good file imports every row, CSV or XLSX.
func TestImportMembers(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			raw := "sqlite:" + filepath.Join(dir, "samen.db")
			if engine == store.Postgres {
				raw = storetest.PostgresURL(t)
			}
			db, err := store.Open(ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			u, err := (&account.Service{DB: db}).Add(ctx, account.NewUser{Email: "kern@example.org", Name: "Kern",
				Password: "a long enough password", Role: account.Member})
			if err != nil {
				t.Fatal(err)
			}
			svc := &workspace.Service{DB: db}
			ws, err := svc.Create(ctx, &u, workspace.Draft{Name: "Voedselcoop"})
			if err != nil {
				t.Fatal(err)
			}
			count := func() int {
				ms, _, err := svc.Register(ctx, &u, ws.Slug, workspace.Filter{Limit: workspace.MaxPage})
				if err != nil {
					t.Fatal(err)
				}
				return len(ms)
			}
			getenv := env("SAMEN_DATABASE_URL", raw, "LANG", "nl_NL.UTF-8")

			bad := filepath.Join(dir, "leden.csv")
			os.WriteFile(bad, []byte("Naam;E-mail;Lid sinds\nAns;ans@example.org;1-3-2024\nBas;bas(at)example.org;2-3-2024\nCees;cees@example.org;\n"), 0o644)
			code, out, errOut := samen(t, getenv, "", "import", "members", ws.Slug, bad)
			if code != 1 || !strings.Contains(errOut, "Rij 3, kolom B (“E-mail”)") || !strings.Contains(errOut, "nothing was imported") {
				t.Errorf("a file with a bad row: code %d, out %q, err %q", code, out, errOut)
			}
			if n := count(); n != 1 {
				t.Fatalf("the bad file imported rows: %d in the register", n)
			}

			good := filepath.Join(dir, "goed.csv")
			os.WriteFile(good, []byte("Naam;E-mail;Lid sinds\nAns;ans@example.org;1-3-2024\nBas;bas@example.org;2-3-2024\nCees;cees@example.org;\n"), 0o644)
			code, out, errOut = samen(t, getenv, "", "import", "members", ws.Slug, good, "--dry-run")
			if code != 0 || !strings.Contains(out, "3 row(s) would be imported") || count() != 1 {
				t.Errorf("a dry run: code %d, out %q, err %q", code, out, errOut)
			}
			code, out, _ = samen(t, getenv, "", "import", "members", "--dry-run=false", ws.Slug, good)
			if code == 0 {
				t.Errorf("--dry-run=false is not a flag of this command: out %q", out)
			}
			code, out, errOut = samen(t, getenv, "", "import", "members", ws.Slug, good)
			if code != 0 || !strings.Contains(out, "imported "+good+": 3 row(s)") {
				t.Fatalf("a good file: code %d, out %q, err %q", code, out, errOut)
			}
			if n := count(); n != 4 {
				t.Errorf("%d in the register, want 4", n)
			}

			// An XLSX file, by the workspace's id, with a date cell.
			f := excelize.NewFile()
			style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
			f.SetSheetRow("Sheet1", "A1", &[]any{"name", "email", "joined", "circle"})
			f.SetSheetRow("Sheet1", "A2", &[]any{"Dirk", "dirk@example.org", time.Date(2023, 12, 24, 0, 0, 0, 0, time.UTC), "supporters"})
			f.SetCellStyle("Sheet1", "C2", "C2", style)
			f.SetSheetRow("Sheet1", "A3", &[]any{"Eva", "", "5-1-2022", ""})
			var b bytes.Buffer
			if err := f.Write(&b); err != nil {
				t.Fatal(err)
			}
			sheet := filepath.Join(dir, "leden.xlsx")
			os.WriteFile(sheet, b.Bytes(), 0o644)
			code, out, errOut = samen(t, getenv, "", "import", "members", strconv.FormatInt(ws.ID, 10), sheet)
			if code != 0 || !strings.Contains(out, "2 row(s)") {
				t.Fatalf("an XLSX file: code %d, out %q, err %q", code, out, errOut)
			}
			ms, _, err := svc.Register(ctx, &u, ws.Slug, workspace.Filter{Circle: workspace.Supporters})
			if err != nil || len(ms) != 1 || ms[0].Name != "Dirk" || ms[0].Joined != "2023-12-24" {
				t.Errorf("the XLSX row: %+v, %v", ms, err)
			}
			if code, _, errOut := samen(t, getenv, "", "import", "members", ws.Slug); code == 0 || !strings.Contains(errOut, "usage") {
				t.Errorf("no file: code %d, err %q", code, errOut)
			}

			// Participations, by membership number: a bad row is named and
			// nothing is stored; the good file books what is paid.
			if _, err := svc.AddShareClass(ctx, &u, ws.Slug, workspace.ShareClass{Name: "Zonnedak", NominalCents: 25000, MinShares: 1, MaxShares: 4}); err != nil {
				t.Fatal(err)
			}
			shares := filepath.Join(dir, "aandelen.csv")
			os.WriteFile(shares, []byte("lidnummer;soort;aandelen;status;betaald\n2;Zonnedak;2;definitief;500\n3;Zonnedak;9;;\n"), 0o644)
			code, out, errOut = samen(t, getenv, "", "import", "participations", ws.Slug, shares)
			if code != 1 || !strings.Contains(errOut, "Rij 3, kolom C (“aandelen”)") {
				t.Errorf("a participations file with a bad row: code %d, out %q, err %q", code, out, errOut)
			}
			os.WriteFile(shares, []byte("lidnummer;soort;aandelen;status;betaald\n2;Zonnedak;2;definitief;500\n3;Zonnedak;4;;\n"), 0o644)
			code, out, errOut = samen(t, getenv, "", "import", "participations", ws.Slug, shares)
			if code != 0 || !strings.Contains(out, "imported "+shares+": 2 participation(s), 50000 cents") {
				t.Fatalf("a good participations file: code %d, out %q, err %q", code, out, errOut)
			}
			if ps, err := svc.Participations(ctx, &u, ws.Slug, workspace.ParticipationFilter{}); err != nil || len(ps) != 2 {
				t.Errorf("participations after the import: %+v %v", ps, err)
			}
		})
	}
}
