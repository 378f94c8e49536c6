package assess

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// gitRepo makes a real git repository with a licence file and commits at
// the given times by the given authors.
func gitRepo(t *testing.T, licence string, commits []struct {
	at     time.Time
	author string
}) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	run := func(env []string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), append([]string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null"}, env...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run(nil, "init", "--quiet", "--initial-branch=main")
	if licence != "" {
		if err := os.WriteFile(filepath.Join(dir, "LICENSE"), []byte(licence), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range commits {
		if err := os.WriteFile(filepath.Join(dir, "file.txt"), []byte(fmt.Sprint(i)), 0o644); err != nil {
			t.Fatal(err)
		}
		run(nil, "add", "-A")
		date := c.at.Format(time.RFC3339)
		run([]string{"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date, "GIT_AUTHOR_NAME=x", "GIT_COMMITTER_NAME=x",
			"GIT_AUTHOR_EMAIL=" + c.author, "GIT_COMMITTER_EMAIL=" + c.author}, "commit", "--quiet", "-m", fmt.Sprint("change ", i))
	}
	return dir
}

const mitText = `MIT License

Copyright (c) 2026 Example

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`

func TestInspectReadsLicenceAndActivity(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	var commits []struct {
		at     time.Time
		author string
	}
	// Fourteen commits by three people over the last year, and one old one.
	commits = append(commits, struct {
		at     time.Time
		author string
	}{now.AddDate(-3, 0, 0), "old@example.org"})
	for i := 0; i < 14; i++ {
		commits = append(commits, struct {
			at     time.Time
			author string
		}{now.AddDate(0, -i%11, -3), fmt.Sprintf("dev%d@example.org", i%3)})
	}
	dir := gitRepo(t, mitText, commits)
	// A release this year and one three years ago.
	for _, tag := range [][]string{{"v0.1", "HEAD~14"}, {"v1.0", "HEAD"}} {
		if out, err := exec.Command("git", "-C", dir, "tag", tag[0], tag[1]).CombinedOutput(); err != nil {
			t.Fatalf("git tag: %v\n%s", err, out)
		}
	}
	for _, repo := range []string{dir, "file://" + dir} {
		found, err := Inspect(context.Background(), repo, now)
		if err != nil {
			t.Fatalf("%s: %v", repo, err)
		}
		lic, act := found[0], found[1]
		if fmt.Sprint(lic.Licences) != "[MIT]" || fmt.Sprint(lic.Files) != "[LICENSE]" || level(lic.Level) != "3" {
			t.Errorf("%s: licence finding %+v (level %s), want MIT in LICENSE, level 3", repo, lic, level(lic.Level))
		}
		if act.Commits != 14 || act.Authors != 3 || act.Months != 11 || act.Releases != 1 || level(act.Level) != "3" || !act.Last.Equal(now.AddDate(0, 0, -3)) {
			t.Errorf("%s: activity %+v (level %s), want 14 commits by 3 in 11 months, 1 release, level 3", repo, act, level(act.Level))
		}
	}
}

func TestInspectWithoutLicenceOrRecentWork(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	dir := gitRepo(t, "", []struct {
		at     time.Time
		author string
	}{{now.AddDate(-3, 0, 0), "gone@example.org"}})
	found, err := Inspect(context.Background(), dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if found[0].Level != nil || len(found[0].Licences) != 0 {
		t.Errorf("no licence file: %+v, want unknown (a reviewer must look)", found[0])
	}
	if level(found[1].Level) != "0" || found[1].Commits != 0 {
		t.Errorf("three years quiet: %+v, want level 0", found[1])
	}
}

func TestInspectRefusesUnsafeTransports(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	marker := filepath.Join(t.TempDir(), "ran")
	// The ext:: transport runs a command; samen must never let it.
	_, err := Inspect(context.Background(), "ext::sh -c touch% "+marker, time.Now())
	if err == nil {
		t.Fatal("an ext:: address was read")
	}
	if _, statErr := os.Stat(marker); statErr == nil {
		t.Fatal("the ext:: transport ran a command")
	}
	if repositoryAddress("ext::sh -c id") || repositoryAddress("-uhelp") || !repositoryAddress("https://github.com/nextcloud/server") ||
		!repositoryAddress("/srv/git/project") || !repositoryAddress("file:///srv/git/project") {
		t.Error("repositoryAddress lets the wrong addresses through")
	}
}

func TestLevelsFromFindings(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		commits, months, releases int
		last                      time.Time
		want                      string
	}{
		{0, 0, 0, time.Time{}, "?"},
		{0, 0, 0, now.AddDate(-3, 0, 0), "0"},
		{0, 0, 0, now.AddDate(-1, -6, 0), "1"},
		{40, 5, 3, now, "2"},  // fewer than 6 months with changes
		{40, 12, 0, now, "2"}, // no release
		{40, 6, 1, now, "3"},
		{400, 12, 12, now, "3"}, // level 4 needs a support policy a reviewer checks
	}
	for _, c := range cases {
		if got := level(activityLevel(c.commits, c.months, c.releases, c.last, now)); got != c.want {
			t.Errorf("activity %d commits in %d months, %d releases, last %v: %s, want %s", c.commits, c.months, c.releases, c.last, got, c.want)
		}
	}
}
