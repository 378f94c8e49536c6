package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/store"
)

// "samen user erase EMAIL" takes a person's address and name out of every
// part, says what it did, and refuses what it must not do in the pages'
// words.
func TestUserErase(t *testing.T) {
	dir := t.TempDir()
	e := env("SAMEN_DATA_DIR", dir)
	if code, out, errOut := samen(t, e, "a long steward password\n", "user", "add", "ada@example.org", "--role", "steward", "--name", "Ada Lovelace"); code != 0 {
		t.Fatalf("user add: %d %q %q", code, out, errOut)
	}
	if code, out, errOut := samen(t, e, "a long member password\n", "user", "add", "Zoe.Quist@Example.org", "--name", "Zoë Quist-Überschär"); code != 0 {
		t.Fatalf("user add: %d %q %q", code, out, errOut)
	}

	// The last steward stays.
	code, _, errOut := samen(t, e, "", "user", "erase", "ada@example.org")
	if want := msgs.T("en", "error.erase.last_steward"); code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("erasing the last steward: code %d, err %q; want %q", code, errOut, want)
	}
	code, _, errOut = samen(t, e, "", "user", "erase", "nobody@example.org")
	if code != 1 || !strings.Contains(errOut, msgs.T("en", "error.user.not_found")) {
		t.Errorf("erasing an unknown address: code %d, err %q", code, errOut)
	}
	code, _, errOut = samen(t, e, "", "user", "erase")
	if code != 1 || !strings.Contains(errOut, "samen user erase EMAIL") {
		t.Errorf("erasing without an address: code %d, err %q", code, errOut)
	}

	code, out, errOut := samen(t, e, "", "user", "erase", "ZOE.QUIST@example.org")
	if code != 0 || !regexp.MustCompile(`erased account \d+ \(was zoe.quist@example.org\)`).MatchString(out) ||
		!strings.Contains(out, "account, atlas, toolbox, assess") || !strings.Contains(out, "@invalid") {
		t.Fatalf("user erase: code %d, out %q, err %q", code, out, errOut)
	}
	code, _, errOut = samen(t, e, "", "user", "erase", "zoe.quist@example.org")
	if code != 1 || !strings.Contains(errOut, msgs.T("en", "error.user.not_found")) {
		t.Errorf("erasing twice: code %d, err %q", code, errOut)
	}

	// The database file holds neither the address nor the name, and the
	// audit log has the erasure, by number.
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, "samen.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries, _, err := audit.List(context.Background(), db, audit.Filter{Action: "user.erase"})
	if err != nil || len(entries) != 1 || entries[0].ActorLabel != audit.LabelSystem {
		t.Errorf("user.erase entries = %+v, %v", entries, err)
	}
	names, err := account.People(context.Background(), db, []int64{2})
	if err != nil || len(names) != 1 || !names[0].Erased || names[0].Name != "" {
		t.Errorf("the erased account = %+v, %v", names, err)
	}
	// Deleted and overwritten rows linger in the file's free pages until
	// it is rebuilt; a VACUUM, checkpointed, shows what is really left.
	for _, q := range []string{"VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := db.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"samen.db", "samen.db-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			continue
		}
		low := strings.ToLower(string(b))
		for _, term := range []string{"zoe.quist@example.org", strings.ToLower("Zoë Quist-Überschär")} {
			if strings.Contains(low, term) {
				t.Errorf("%s still holds %q", f, term)
			}
		}
	}
}
