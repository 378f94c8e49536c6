package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"samen/internal/store/storetest"
)

// Every package that owns a table holding people's account ids is in the
// list of holders of personal data that buildParts makes, so that a
// person's export and erasure reach it. The owners come from OWNERS.md,
// the columns from the migrations: a new part's table with a user id fails
// here until the part implements personal.Holder and is listed.
func TestEveryHolderIsListed(t *testing.T) {
	root := filepath.Join("..", "..", "internal", "store", "migrations")
	owners := map[string]string{}
	doc, err := os.ReadFile(filepath.Join(root, "OWNERS.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| ([a-z]+) \\|")
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		owners[m[1]] = m[2]
	}
	if len(owners) < 20 {
		t.Fatalf("read only %d owners from OWNERS.md", len(owners))
	}

	// Tables with a column that references users, from every migration.
	holding := map[string]bool{}
	create := regexp.MustCompile(`(?is)CREATE TABLE ([a-z_]+) \((.*?)\n\);`)
	alter := regexp.MustCompile(`(?i)ALTER TABLE ([a-z_]+) ADD COLUMN [^;]*REFERENCES users`)
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.sql"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		up, _, _ := strings.Cut(string(b), "-- +goose Down")
		for _, m := range create.FindAllStringSubmatch(up, -1) {
			if strings.Contains(m[2], "REFERENCES users") {
				holding[m[1]] = true
			}
		}
		for _, m := range alter.FindAllStringSubmatch(up, -1) {
			holding[m[1]] = true
		}
	}
	if !holding["revisions"] || !holding["scans"] || !holding["sessions"] {
		t.Fatalf("the migrations' tables with user ids were not found: %v", holding)
	}

	p, err := buildParts(context.Background(), storetest.SQLite(t), wiring{BaseURL: "http://localhost"})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, h := range p.People {
		listed[h.Part()] = true
	}
	missing := map[string][]string{}
	for table := range holding {
		owner, ok := owners[table]
		if !ok {
			t.Errorf("table %s is not in OWNERS.md", table)
			continue
		}
		if !listed[owner] {
			missing[owner] = append(missing[owner], table)
		}
	}
	for owner, tables := range missing {
		sort.Strings(tables)
		t.Errorf("%s holds people's ids (in %s) but is not in buildParts' People: implement personal.Holder and list it",
			owner, strings.Join(tables, ", "))
	}
}
