package assess

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Fuzz tests for what the repository check reads from git's output: the
// history and tags, the file names, the licence texts. Git itself is not
// run. Run one with
//
//	go test ./internal/assess/ -run '^$' -fuzz '^FuzzActivity$' -fuzztime 60s

var checkNow = time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)

// FuzzActivity: reading any log and tag output never panics and gives a
// finding that makes sense: counts no larger than the lines, months of
// the last twelve, no last commit after now, the level activityLevel
// gives, and a finding that can be stored (as JSON).
func FuzzActivity(f *testing.F) {
	day := func(d int) string { return strconv.FormatInt(checkNow.AddDate(0, 0, d).Unix(), 10) }
	f.Add(day(-3)+"\tdev0@example.org\n"+day(-40)+"\tDev0@Example.org\n"+day(-400)+"\told@example.org\n", day(-10)+"\n"+day(-1000)+"\n", int64(0))
	f.Add("", "", int64(0))
	f.Add("\n\n\t\n", "\n", int64(0))
	f.Add(day(-364)+"\ta@b\n"+day(0)+"\ta@b", day(0), int64(0))
	f.Add(day(1)+"\tfuture@example.org\n", day(1), int64(0))
	f.Add("253402300800\tforged@example.org\n", "253402300800", int64(0))
	f.Add("9223372036854775807\tx\n-9223372036854775808\ty\n", "9223372036854775807 -1", int64(0))
	f.Add("-62135596801\tx\n0\ty\n", "0", int64(0))
	f.Add("abc\tx\n12 34\ty\n+5\tz\n0x10\tw\n", "1e9 +5 -0", int64(0))
	f.Add(day(-5)+"\t\n"+day(-5)+"\t\t\n"+day(-5)+"\twho\twhat\n", "", int64(0))
	f.Add(day(-5)+"\r\n"+day(-6)+"\tcr@example.org\r\n", day(-5)+"\r\n", int64(0))
	f.Add(day(-1)+"\ta\n", day(-1), int64(1<<40))
	f.Add(day(-1)+"\ta\n", day(-1), int64(-1<<40))
	f.Fuzz(func(t *testing.T, log, tags string, shift int64) {
		now := checkNow.Add(time.Duration(shift%(200*365*24)) * time.Hour)
		act := activity([]byte(log), []byte(tags), now)
		lines := strings.Count(log, "\n") + 1
		if act.Commits < 0 || act.Commits > lines || act.Authors > act.Commits || act.Months > 12 || act.Months > act.Commits ||
			act.Releases < 0 || act.Releases > len(strings.Fields(tags)) {
			t.Fatalf("activity(%q, %q): %d commits by %d in %d months, %d releases", log, tags, act.Commits, act.Authors, act.Months, act.Releases)
		}
		if act.Commits > 0 && act.Months == 0 {
			t.Fatalf("activity(%q): %d commits in no month", log, act.Commits)
		}
		if act.Last.After(now) {
			t.Fatalf("activity(%q) at %v: the last commit %v is after now", log, now, act.Last)
		}
		if act.Commits > 0 && act.Last.Before(now.AddDate(-1, 0, 0)) {
			t.Fatalf("activity(%q): commits in the last year, the last at %v", log, act.Last)
		}
		want := activityLevel(act.Commits, act.Months, act.Releases, act.Last, now)
		if (act.Level == nil) != (want == nil) || act.Level != nil && (*act.Level != *want || *act.Level < 0 || *act.Level > 3) {
			t.Fatalf("activity(%q): level %v, want %v", log, act.Level, want)
		}
		if act.Criterion != "sustainability.activity" || act.Check != "activity" || !act.At.Equal(now) {
			t.Fatalf("activity: %+v", act)
		}
		data, err := json.Marshal(act)
		if err != nil {
			t.Fatalf("activity(%q, %q) cannot be stored: %v", log, tags, err)
		}
		var back Finding
		if err := json.Unmarshal(data, &back); err != nil || !back.Last.Equal(act.Last) || back.Commits != act.Commits {
			t.Fatalf("activity(%q) does not come back from JSON: %v %s", log, err, data)
		}
	})
}

// FuzzLicenceFiles: the names picked from any ls-tree output are lines of
// it, licence file names, each once, and no more than the limit.
func FuzzLicenceFiles(f *testing.F) {
	for _, s := range []string{
		"LICENSE\nREADME.md\nsrc\n", "COPYING\nCOPYING.LESSER\nLICENSE-MIT\nLICENSE-APACHE\nlicence.txt\nUNLICENSE\n", "",
		"\"LICENSE\\n\"\nLICENSE\nLICENSE\n", "LICENSES\nLICENSE.md\nlicense-\nLicense.\n-LICENSE\nmy-license\n",
		"LICENSE\r\nCOPYING\r\n", strings.Repeat("LICENSE-", 1) + strings.Repeat("x\nLICENSE-", 50) + "y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		names := licenceFiles([]byte(out))
		if len(names) > maxLicenceFiles {
			t.Fatalf("%d licence files from %q", len(names), out)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		for i, n := range names {
			if !licenceFile.MatchString(n) || !slices.Contains(lines, n) || slices.Contains(names[i+1:], n) {
				t.Fatalf("licenceFiles(%q) = %q", out, names)
			}
		}
	})
}

// FuzzLicences: any licence file text gives licences once each, a type
// for each, and a proposed level on the scale that can be stored.
func FuzzLicences(f *testing.F) {
	f.Add([]byte(mitText))
	f.Add([]byte(mitText + "\n\n" + mitText))
	f.Add([]byte("SPDX-License-Identifier: AGPL-3.0-or-later OR MIT"))
	f.Add([]byte("SPDX-License-Identifier: SSPL-1.0"))
	f.Add([]byte("Licensed under the Business Source License 1.1"))
	f.Add([]byte(""))
	f.Add([]byte("\x00\xff\xfe"))
	f.Add([]byte(strings.Repeat("Permission is hereby granted, ", 2000)))
	f.Fuzz(func(t *testing.T, text []byte) {
		start := time.Now()
		ids, types := licences(text, nil, nil)
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("reading %d bytes for licences took %v", len(text), d)
		}
		if len(ids) != len(types) {
			t.Fatalf("%d licences, %d types", len(ids), len(types))
		}
		for i, id := range ids {
			if id == "" || slices.Contains(ids[i+1:], id) {
				t.Fatalf("licences %q", ids)
			}
		}
		again, _ := licences(text, ids, types)
		if !slices.Equal(again, ids) {
			t.Fatalf("the same text again adds licences: %q, then %q", ids, again)
		}
		lv := licenceLevel(ids, types)
		if (lv == nil) != (len(ids) == 0) || lv != nil && *lv != 1 && *lv != 3 && *lv != 4 {
			t.Fatalf("licences %q: level %v", ids, lv)
		}
	})
}

// TestActivityForgedDates keeps what FuzzActivity found: a commit dated
// after the year 9999 (git makes one when told to) became the last commit,
// and a finding with such a date cannot be encoded as JSON, so the check
// failed with a server error. The months of the last year were thirteen
// when the changes fell in the month a year ago and in this one.
func TestActivityForgedDates(t *testing.T) {
	act := activity([]byte("253402300800\tforged@example.org\n"+strconv.FormatInt(checkNow.AddDate(0, -2, 0).Unix(), 10)+"\ta@b\n"), nil, checkNow)
	if !act.Last.Equal(checkNow.AddDate(0, -2, 0)) || act.Commits != 1 {
		t.Errorf("a commit in the year 10000: last %v, %d commits", act.Last, act.Commits)
	}
	if _, err := json.Marshal(act); err != nil {
		t.Error(err)
	}
	var log strings.Builder
	for m := 0; m <= 12; m++ {
		at := checkNow.AddDate(0, -m, 0).Add(-time.Hour)
		if m == 12 {
			at = checkNow.AddDate(0, -m, 0).Add(time.Hour) // just inside the year
		}
		log.WriteString(strconv.FormatInt(at.Unix(), 10) + "\ta@b\n")
	}
	if act := activity([]byte(log.String()), nil, checkNow); act.Months != 12 || act.Commits != 13 {
		t.Errorf("a change in each of 13 calendar months: %d months, %d commits", act.Months, act.Commits)
	}

	// And through git and Inspect.
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	for _, args := range [][]string{{"init", "--quiet"}, {"add", "f"}, {"commit", "--quiet", "-m", "from the future"}} {
		if args[0] == "add" {
			if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_AUTHOR_NAME=x", "GIT_COMMITTER_NAME=x",
			"GIT_AUTHOR_EMAIL=x@example.org", "GIT_COMMITTER_EMAIL=x@example.org",
			"GIT_AUTHOR_DATE=@253402300800 +0000", "GIT_COMMITTER_DATE=@253402300800 +0000")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	found, err := Inspect(t.Context(), dir, checkNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(found); err != nil || !found[1].Last.IsZero() || found[1].Level != nil {
		t.Errorf("a repository whose only commit is in the year 10000: %+v, %v", found[1], err)
	}
}
