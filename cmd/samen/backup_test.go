package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"samen/internal/store"
)

// TestBackupOfASQLiteSiteMovesToPostgres is the way to outgrow one
// machine, as the README gives it: back up a SQLite site while it serves,
// restore the file into an empty PostgreSQL database, and serve from
// there. Every export is the same bytes afterwards, the data directory's
// files are all there, and search (whose index is made again, not
// copied) finds what it found before. The same holds restoring into
// SQLite, and without PostgreSQL only that half runs.
func TestBackupOfASQLiteSiteMovesToPostgres(t *testing.T) {
	from := t.TempDir()
	src := env("SAMEN_DATA_DIR", from, "SAMEN_ADDR", "127.0.0.1:0")
	site := startServe(t, src, "--demo")

	exports := func(e func(string) string) map[string][]byte {
		t.Helper()
		out := map[string][]byte{}
		dir := t.TempDir()
		for _, ext := range []string{".geojson", ".csv", ".jsonld"} {
			file := filepath.Join(dir, "atlas"+ext)
			if code, _, errOut := samen(t, e, "", "export", "initiatives", file); code != 0 {
				t.Fatalf("export %s: %s", ext, errOut)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			out[ext] = b
		}
		return out
	}
	want := exports(src)
	wantFiles := filesUnder(t, filepath.Join(from, "files"))
	if len(wantFiles) == 0 {
		t.Fatal("the demo has no workspace files; the test would not see them travel")
	}
	wantFound := searchIDs(t, site.url)

	file := filepath.Join(t.TempDir(), "samen.zip")
	if code, out, errOut := samen(t, src, "", "backup", file); code != 0 {
		t.Fatalf("backup while serving: code %d, %s %s", code, out, errOut)
	}

	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			to := t.TempDir()
			dst := env("SAMEN_DATABASE_URL", databaseURL(t, engine), "SAMEN_DATA_DIR", to,
				"SAMEN_ADDR", "127.0.0.1:0")
			if code, out, errOut := samen(t, dst, "", "restore", file); code != 0 {
				t.Fatalf("restore: code %d, %s %s", code, out, errOut)
			}
			got := exports(dst)
			for ext, b := range want {
				if string(got[ext]) != string(b) {
					t.Errorf("the %s export differs after the restore (%d bytes before, %d after)", ext, len(b), len(got[ext]))
				}
			}
			if gotFiles := filesUnder(t, filepath.Join(to, "files")); !slices.Equal(gotFiles, wantFiles) {
				t.Errorf("files after the restore: %v; before: %v", gotFiles, wantFiles)
			}
			restored := startServe(t, dst)
			if found := searchIDs(t, restored.url); !equalFound(found, wantFound) {
				t.Errorf("search after the restore found %v; before, %v", found, wantFound)
			}
			// The demo's logins came along, and new rows follow the
			// restored ones.
			resp, err := noRedirect.PostForm(restored.url+"/login", map[string][]string{"email": {"steward@example.org"}, "password": {"demo-steward-samen"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("the demo steward's login after the restore: %d", resp.StatusCode)
			}
			if code, _, errOut := samen(t, dst, "a long enough password\n", "user", "add", "new@example.org"); code != 0 {
				t.Errorf("a new account after the restore: %s", errOut)
			}
		})
	}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// searchIDs is what the atlas's search finds for a few words, in order.
func searchIDs(t *testing.T, base string) map[string][]int64 {
	t.Helper()
	out := map[string][]int64{}
	for _, q := range []string{"fiets", "energie", "repair", "voedsel", "buurt"} {
		resp, err := http.Get(base + "/api/v1/initiatives?q=" + q)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Features []struct {
				ID int64 `json:"id"`
			} `json:"features"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Features {
			out[q] = append(out[q], f.ID)
		}
	}
	return out
}

func equalFound(a, b map[string][]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// filesUnder lists the files under dir with their sizes.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel+":"+strconv.Itoa(len(b)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
