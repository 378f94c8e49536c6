package store_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The owner list beside the migrations: one row per table, "| `table` |
// owner | …".
const ownersFile = "migrations/OWNERS.md"

var (
	ownerRow    = regexp.MustCompile("^\\|\\s*`([a-z_][a-z0-9_]*)`\\s*\\|\\s*([a-z][a-z0-9/]*)\\s*\\|")
	createTable = regexp.MustCompile(`(?i)\bCREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)`)
	// sqlTable finds the names SQL reads or writes: after FROM, JOIN,
	// INTO, UPDATE, TABLE or TRUNCATE. samen writes SQL keywords in
	// capitals, which keeps English ("add or update initiatives from a
	// file") out.
	sqlTable = regexp.MustCompile(`\b(?:FROM|JOIN|INTO|UPDATE|TABLE|TRUNCATE)\s+([a-zA-Z_][a-zA-Z0-9_]*)`)
)

// readOwners parses OWNERS.md into table → owning package (a directory
// under internal/).
func readOwners(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(ownersFile)
	if err != nil {
		t.Fatal(err)
	}
	owners := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		m := ownerRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if prev, ok := owners[m[1]]; ok {
			t.Errorf("%s lists %s twice (owners %s and %s)", ownersFile, m[1], prev, m[2])
		}
		owners[m[1]] = m[2]
	}
	return owners
}

// migrationTables lists the tables the migrations of both engines create.
func migrationTables(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("migrations/*/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	var tables []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range createTable.FindAllStringSubmatch(string(data), -1) {
			tables = append(tables, strings.ToLower(m[1]))
		}
	}
	slices.Sort(tables)
	return slices.Compact(tables)
}

// part is the part of samen a Go file belongs to: its directory under
// internal/ up to the first slash (mail/mailtest belongs to mail), or the
// directory itself for code outside internal/ (cmd/samen).
func part(root, file string) string {
	rel, _ := filepath.Rel(root, filepath.Dir(file))
	rel = filepath.ToSlash(rel)
	if p, ok := strings.CutPrefix(rel, "internal/"); ok {
		p, _, _ = strings.Cut(p, "/")
		return p
	}
	return rel
}

// violations walks the non-test Go files under root's internal/ and cmd/
// and returns every string literal that names a table, in SQL, outside the
// table's owner.
func violations(t *testing.T, root string, owners map[string]string) []string {
	t.Helper()
	var out []string
	fset := token.NewFileSet()
	for _, dir := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if name := d.Name(); name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			p := part(root, path)
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				for _, m := range sqlTable.FindAllStringSubmatch(s, -1) {
					table := strings.ToLower(m[1])
					if owner, ok := owners[table]; ok && owner != p {
						pos := fset.Position(lit.Pos())
						rel, _ := filepath.Rel(root, pos.Filename)
						out = append(out, fmt.Sprintf("%s:%d: %s names %s, which %s owns", filepath.ToSlash(rel), pos.Line, p, table, owner))
					}
				}
				return true
			})
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return out
}

// TestTablesHaveOneOwner: every table has one owning package, written down
// beside the migrations, and no other package names it in SQL; the others
// read it through the owner's functions.
func TestTablesHaveOneOwner(t *testing.T) {
	owners := readOwners(t)
	tables := migrationTables(t)
	for _, table := range tables {
		if _, ok := owners[table]; !ok {
			t.Errorf("%s has no owner in %s", table, ownersFile)
		}
	}
	for table, owner := range owners {
		if !slices.Contains(tables, table) {
			t.Errorf("%s lists %s, which no migration creates", ownersFile, table)
		}
		if st, err := os.Stat(filepath.Join("..", owner)); err != nil || !st.IsDir() {
			t.Errorf("%s gives %s the owner %s, which is no package under internal/", ownersFile, table, owner)
		}
	}
	for _, v := range violations(t, filepath.Join("..", ".."), owners) {
		t.Error(v)
	}
}

// TestOwnersCatchesAViolation: the check above finds SQL on another part's
// table (testdata/owners holds a toolbox that reads atlas's editors).
func TestOwnersCatchesAViolation(t *testing.T) {
	owners := readOwners(t)
	got := violations(t, filepath.Join("testdata", "owners"), owners)
	want := []string{
		"internal/toolbox/editors.go:5: toolbox names initiative_editors, which atlas owns",
		"internal/toolbox/editors.go:8: toolbox names users, which account owns",
		"cmd/samen/count.go:3: cmd/samen names initiatives, which atlas owns",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("violations in testdata/owners:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
