package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// fixture is a hand-written CSV file: columns in an order of its own,
// rows with and without a source, a point or a district, quotes, a line
// break inside a cell and a cell a spreadsheet would read as a formula.
var fixture = filepath.Join("..", "..", "internal", "atlas", "testdata", "initiatives.csv")

// dates matches the modification times in an export, which differ from
// one database to the next.
var dates = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

func readExport(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return dates.ReplaceAllString(string(b), "DATE")
}

// TestExportImportExport exports a database, imports the files into fresh
// databases and exports those again: the files come out the same.
func TestExportImportExport(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dir := t.TempDir()
			database := func(name string) func(string) string {
				if engine == store.Postgres {
					return env("SAMEN_DATABASE_URL", storetest.PostgresURL(t), "SAMEN_BASE_URL", "https://samen.example")
				}
				return env("SAMEN_DATABASE_URL", "sqlite:"+filepath.Join(dir, name+".db"), "SAMEN_BASE_URL", "https://samen.example")
			}
			first := database("first")
			code, out, errOut := samen(t, first, "", "import", "initiatives", fixture)
			if code != 0 || !strings.Contains(out, "8 created, 0 updated, 0 unchanged") {
				t.Fatalf("import of the fixture: code %d, out %q, err %q", code, out, errOut)
			}
			for _, ext := range []string{".csv", ".geojson", ".jsonld"} {
				code, out, errOut := samen(t, first, "", "export", "initiatives", filepath.Join(dir, "first"+ext))
				if code != 0 || !strings.Contains(out, "wrote 8 initiative(s)") || !strings.Contains(out, "ODbL-1.0") {
					t.Fatalf("export %s: code %d, out %q, err %q", ext, code, out, errOut)
				}
			}
			exported := readExport(t, filepath.Join(dir, "first.csv"))
			if !strings.Contains(exported, ",'=reparatie|-afval,") || !strings.Contains(exported, "https://samen.example/atlas/1") {
				t.Errorf("the CSV export:\n%s", exported)
			}
			var ld map[string]any
			if b, _ := os.ReadFile(filepath.Join(dir, "first.jsonld")); json.Unmarshal(b, &ld) != nil || len(ld["@graph"].([]any)) != 8 {
				t.Errorf("the JSON-LD export is not a graph of 8: %v", ld)
			}

			for _, ext := range []string{".csv", ".geojson"} {
				second := database("second" + ext)
				code, out, errOut := samen(t, second, "", "import", "initiatives", filepath.Join(dir, "first"+ext))
				if code != 0 || !strings.Contains(out, "8 created") {
					t.Fatalf("import of the %s export: code %d, out %q, err %q", ext, code, out, errOut)
				}
				again := filepath.Join(dir, "second"+ext)
				if code, _, errOut := samen(t, second, "", "export", "initiatives", again); code != 0 {
					t.Fatalf("export of the copy: %s", errOut)
				}
				if got, want := readExport(t, again), readExport(t, filepath.Join(dir, "first"+ext)); got != want {
					t.Errorf("%s: the copy exports\n%s\nwant\n%s", ext, got, want)
				}
				// The same file again changes nothing.
				code, out, _ = samen(t, second, "", "import", "initiatives", filepath.Join(dir, "first"+ext))
				if code != 0 || !strings.Contains(out, "0 created, 0 updated, 8 unchanged") {
					t.Errorf("second import of %s: code %d, out %q", ext, code, out)
				}
			}

			// An export never overwrites a file.
			code, _, errOut = samen(t, first, "", "export", "initiatives", filepath.Join(dir, "first.csv"))
			if code != 1 || !strings.Contains(errOut, "already exists") {
				t.Errorf("export over a file: code %d, err %q", code, errOut)
			}
		})
	}
}

func TestImportNamesEachBadRow(t *testing.T) {
	dir := t.TempDir()
	e := env("SAMEN_DATA_DIR", dir)
	bad := filepath.Join(dir, "bad.csv")
	doc := "name,sectors,latitude,longitude,website,source,source_id\n" +
		"Goede Rij,energy,52.37,4.89,,gemeente,1\n" +
		"Slechte Rij,weapons,95,4.89,example.org,gemeente,2\n" +
		"X,food,,,,gemeente,1\n"
	if err := os.WriteFile(bad, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := samen(t, e, "", "import", "initiatives", bad)
	if code != 1 {
		t.Fatalf("code %d, out %q; want 1", code, out)
	}
	for _, want := range []string{
		enAt(2, 0, "source_id", "source_id.duplicate") + "\n",
		enAt(3, 0, "contact.website", "url.invalid") + "\n",
		enAt(3, 0, "location.latitude", "latitude.out_of_range") + "\n",
		enAt(3, 0, "sectors", "unknown") + " (energy, housing,",
		enAt(4, 0, "name", "too_short") + "\n",
		enAt(4, 0, "source_id", "source_id.duplicate") + "\n",
		"nothing was imported",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	// Nothing was imported: the export is empty.
	empty := filepath.Join(dir, "empty.csv")
	if code, out, _ := samen(t, e, "", "export", "initiatives", empty); code != 0 || !strings.Contains(out, "wrote 0 initiative(s)") {
		t.Errorf("export after a refused import: %q", out)
	}

	for _, tc := range []struct{ name, doc, want string }{
		{"unknown.csv", "name,e-mail\nx,y\n", `unknown column "e-mail" (column 2); the columns are: name,`},
		{"broken.geojson", `{"type": "FeatureCollection", "features": [`, "line 1: not valid JSON"},
		{"data.xlsx", "", "cannot tell the format"},
	} {
		path := filepath.Join(dir, tc.name)
		if err := os.WriteFile(path, []byte(tc.doc), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := samen(t, e, "", "import", "initiatives", path)
		if code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: code %d, err %q; want %q", tc.name, code, errOut, tc.want)
		}
	}
	if code, _, errOut := samen(t, e, "", "import", "people", bad); code != 1 || !strings.Contains(errOut, "usage: samen import initiatives FILE") {
		t.Errorf("import people: code %d, err %q", code, errOut)
	}
	if code, _, errOut := samen(t, e, "", "export", "initiatives", filepath.Join(dir, "x.txt")); code != 1 || !strings.Contains(errOut, "cannot tell the format") {
		t.Errorf("export to .txt: code %d, err %q", code, errOut)
	}
}

// A file with a NUL or bytes that are not UTF-8 is refused whole, with the
// line (and, where the format says it, the column) of the bad text, on
// both engines: PostgreSQL cannot store such text, and SQLite must not
// take what could never move to PostgreSQL.
func TestImportRefusesTextThatIsNotText(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dir := t.TempDir()
			e := env("SAMEN_DATABASE_URL", "sqlite:"+filepath.Join(dir, "samen.db"))
			if engine == store.Postgres {
				e = env("SAMEN_DATABASE_URL", storetest.PostgresURL(t))
			}
			head := "name,sectors,summary_nl,source,source_id\n"
			for _, tc := range []struct{ name, doc, want string }{
				{"nul.csv", head + "Goede Rij,energy,,g,1\nSlechte\x00Rij,food,,g,2\n",
					enAt(3, 0, "name", "text.control")},
				{"latin1.csv", head + "Goede Rij,energy,,g,1\nCaf\xe9 Noord,food,\"Koffie\nen caf\xe9\",g,2\n",
					enAt(3, 0, "name", "text.encoding")},
				{"escape.csv", head + "Goede Rij,energy,\"twee\nregels \x1b[31m\",g,1\n",
					enAt(3, 0, "summary.nl", "text.control")},
				{"nul.geojson", "{\"type\": \"FeatureCollection\", \"features\": [\n" +
					`{"type": "Feature", "geometry": null, "properties": {"name": "Goede Rij", "sectors": ["energy"]}},` + "\n" +
					`{"type": "Feature", "geometry": null, "properties": {"name": "Slechte\u0000Rij", "sectors": ["food"]}}` + "\n]}\n",
					enAt(3, 62, "name", "text.control")},
				{"latin1.geojson", "{\"type\": \"FeatureCollection\", \"features\": [\n" +
					`{"type": "Feature", "geometry": null, "properties": {"name": "Caf` + "\xe9" + ` Noord", "sectors": ["food"]}}` + "\n]}\n",
					enAt(2, 66, "name", "text.encoding")},
			} {
				path := filepath.Join(dir, tc.name)
				if err := os.WriteFile(path, []byte(tc.doc), 0o600); err != nil {
					t.Fatal(err)
				}
				code, out, errOut := samen(t, e, "", "import", "initiatives", path)
				if code != 1 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "nothing was imported") {
					t.Errorf("%s: code %d, out %q, err %q; want %q", tc.name, code, out, errOut, tc.want)
				}
			}
			// Nothing was stored, the good rows included.
			empty := filepath.Join(dir, "empty.csv")
			if code, out, _ := samen(t, e, "", "export", "initiatives", empty); code != 0 || !strings.Contains(out, "wrote 0 initiative(s)") {
				t.Errorf("export after refused imports: %q", out)
			}
		})
	}
}

// enAt is how the English pages place a problem in a file, which the CLI
// says the same way.
func enAt(line, column int, field, code string) string {
	return newWords(env()).at(line, column, field+": "+msgs.T("en", "field."+code))
}
