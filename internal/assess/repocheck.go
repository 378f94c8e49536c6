package assess

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/licensecheck"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
)

// Finding is what one of samen's own checks found in a subject's source
// repository: a proposed level for a criterion, which a reviewer confirms
// or overrules in their own score.
type Finding struct {
	Criterion string    `json:"criterion"`
	Check     string    `json:"check"`
	Level     *int      `json:"level"`
	Licences  []string  `json:"licences,omitempty"` // SPDX ids found in licence files
	Files     []string  `json:"files,omitempty"`    // the licence files read
	Commits   int       `json:"commits_last_year"`
	Months    int       `json:"months_with_changes"` // of the last twelve
	Releases  int       `json:"releases_last_year"`  // tags made in the last twelve months
	Authors   int       `json:"authors_last_year"`
	Last      time.Time `json:"last_commit,omitzero"`
	At        time.Time `json:"checked_at"`
}

// licenceFile matches the names projects give their licence files.
var licenceFile = regexp.MustCompile(`(?i)^(licen[cs]e|copying|unlicense)([.-].*)?$`)

// sourceAvailable are licences that publish the source but are not open:
// they restrict use (non-commercial, no competing service) and are not
// OSI-approved, so they count as source-available, not open.
var sourceAvailable = []string{"SSPL-1.0", "BUSL-1.1", "Elastic-2.0", "CommonsClause", "Prosperity-3.0.0"}

// licenceLevel proposes openness.licence's level from the licences found:
// none → unknown (a reviewer must look: a licence may be elsewhere), a
// source-available one → 1, permissive open licences only → 3, a copyleft
// licence that keeps the code a commons → 4.
func licenceLevel(ids []string, types []licensecheck.Type) *int {
	if len(ids) == 0 {
		return nil
	}
	level := 3
	for i, id := range ids {
		t := types[i]
		switch {
		case slices.Contains(sourceAvailable, id) || t&licensecheck.NonCommercial != 0:
			return ptr(1)
		case t&(licensecheck.ShareChanges|licensecheck.ShareProgram|licensecheck.ShareServer) != 0:
			level = 4
		}
	}
	return ptr(level)
}

// activityLevel proposes sustainability.activity's level after the
// framework's scale: no change in 24 months → 0, none in 12 → 1, changes
// in fewer than 6 of the last 12 months or no release → 2, otherwise 3.
// Level 4 also needs a published support policy, which only a reviewer
// can check, so the check never proposes it.
func activityLevel(commits, months, releases int, last, now time.Time) *int {
	switch {
	case last.IsZero():
		return nil
	case now.Sub(last) > 2*365*24*time.Hour:
		return ptr(0)
	case commits == 0:
		return ptr(1)
	case months < 6 || releases == 0:
		return ptr(2)
	}
	return ptr(3)
}

// git runs git with protocols limited to the safe ones (no ext::, which
// runs commands), no prompts and no system or global configuration.
func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_ALLOW_PROTOCOL=https:http:git:ssh:file", "GIT_TERMINAL_PROMPT=0",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, &checkError{msg: strings.TrimSpace(errOut.String()), err: err}
	}
	return out.Bytes(), nil
}

type checkError struct {
	msg string
	err error
}

func (e *checkError) Error() string { return "git: " + e.msg + ": " + e.err.Error() }
func (e *checkError) Unwrap() error { return e.err }

// Inspect reads a repository: its licence files (at the top of the tree)
// and a year of history. A git address is cloned without file contents
// into a temporary directory; a local path is read where it is.
func Inspect(ctx context.Context, repo string, now time.Time) ([]Finding, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	dir := repo
	if !filepath.IsAbs(repo) {
		tmp, err := os.MkdirTemp("", "samen-check-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		if _, err := git(ctx, tmp, "clone", "--quiet", "--bare", "--filter=blob:none", "--", repo, "repo.git"); err != nil {
			return nil, err
		}
		dir = filepath.Join(tmp, "repo.git")
	}
	names, err := git(ctx, dir, "ls-tree", "--name-only", "HEAD")
	if err != nil {
		return nil, err
	}
	lic := Finding{Criterion: "openness.licence", Check: "licence", At: now}
	var types []licensecheck.Type
	for _, name := range licenceFiles(names) {
		text, err := git(ctx, dir, "show", "HEAD:"+name)
		if err != nil {
			return nil, err
		}
		lic.Files = append(lic.Files, name)
		lic.Licences, types = licences(text, lic.Licences, types)
	}
	lic.Level = licenceLevel(lic.Licences, types)

	log, err := git(ctx, dir, "log", "--format=%ct%x09%ae", "HEAD")
	if err != nil {
		return nil, err
	}
	// Releases are the tags made in the last year (an annotated tag's own
	// date, a light one's commit date).
	tags, err := git(ctx, dir, "for-each-ref", "--format=%(creatordate:unix)", "refs/tags")
	if err != nil {
		return nil, err
	}
	return []Finding{lic, activity(log, tags, now)}, nil
}

// maxLicenceFiles bounds the licence files read (each is one git process);
// projects have one to a few (LICENSE-MIT, LICENSE-APACHE, COPYING.LESSER).
const maxLicenceFiles = 20

// licenceFiles picks the licence files from the output of git ls-tree
// --name-only: names at the top of the tree, one a line (a name with an
// unusual byte comes quoted, and is no licence file).
func licenceFiles(lsTree []byte) []string {
	var out []string
	for _, name := range strings.Split(strings.TrimSpace(string(lsTree)), "\n") {
		if licenceFile.MatchString(name) && !slices.Contains(out, name) {
			out = append(out, name)
			if len(out) == maxLicenceFiles {
				break
			}
		}
	}
	return out
}

// maxLicenceText is how much of a licence file is read for licences: the
// longest licence texts (GPL-3.0, MPL-2.0) are some 35 kB.
const maxLicenceText = 256 << 10

// licences adds the licences licensecheck finds in a licence file's text
// to ids, each once, with their types.
func licences(text []byte, ids []string, types []licensecheck.Type) ([]string, []licensecheck.Type) {
	if len(text) > maxLicenceText {
		text = text[:maxLicenceText]
	}
	for _, m := range licensecheck.Scan(text).Match {
		if !slices.Contains(ids, m.ID) {
			ids = append(ids, m.ID)
			types = append(types, m.Type)
		}
	}
	return ids, types
}

// activity reads a repository's year: log is the output of git log
// --format=%ct%x09%ae (a commit's time and author a line), tags that of
// git for-each-ref --format=%(creatordate:unix) refs/tags. Commits dated
// after now (a wrong clock, or a forged date: git takes any) count for
// nothing, not even as the last commit.
func activity(log, tags []byte, now time.Time) Finding {
	act := Finding{Criterion: "sustainability.activity", Check: "activity", At: now}
	authors, months := map[string]bool{}, map[string]bool{}
	yearAgo := now.AddDate(-1, 0, 0)
	for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		when, who, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		secs, err := strconv.ParseInt(when, 10, 64)
		if err != nil {
			continue
		}
		t := time.Unix(secs, 0).UTC()
		if t.After(now) {
			continue
		}
		if t.After(act.Last) {
			act.Last = t
		}
		if t.After(yearAgo) {
			act.Commits++
			authors[strings.ToLower(who)] = true
			months[t.Format("2006-01")] = true
		}
	}
	// A year back from a day in a month touches thirteen calendar months.
	act.Authors, act.Months = len(authors), min(len(months), 12)
	for _, line := range strings.Fields(string(tags)) {
		if secs, err := strconv.ParseInt(line, 10, 64); err == nil {
			if t := time.Unix(secs, 0); t.After(yearAgo) && !t.After(now) {
				act.Releases++
			}
		}
	}
	act.Level = activityLevel(act.Commits, act.Months, act.Releases, act.Last, now)
	return act
}

// RunChecks inspects the subject's repository and stores what it found,
// for the reviewers. Stewards and the assigned reviewers may run it.
func (s *Service) RunChecks(ctx context.Context, u *account.User, id int64) ([]Finding, error) {
	a, err := load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !a.CanSee(u) {
		return nil, errNotFound
	}
	if !account.IsSteward(u) && !a.CanReview(u) {
		return nil, errForbidden
	}
	if a.Subject.Repository == "" {
		return nil, &problem.Error{Kind: problem.Invalid, Code: "assess.no_repository", Fields: problem.Fields{"repository": "required"}}
	}
	found, err := Inspect(ctx, a.Subject.Repository, s.Now.Time())
	if err != nil {
		return nil, &problem.Error{Kind: problem.Unavailable, Code: "assess.repository_unreadable"}
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, f := range found {
			data, err := json.Marshal(f)
			if err != nil {
				return err
			}
			var level any
			if f.Level != nil {
				level = *f.Level
			}
			if _, err := tx.Exec(ctx, `INSERT INTO assessment_checks (assessment_id, criterion, level, finding, checked_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (assessment_id, criterion) DO UPDATE SET level = excluded.level, finding = excluded.finding, checked_at = excluded.checked_at`,
				id, f.Criterion, level, string(data), store.Millis(f.At)); err != nil {
				return err
			}
		}
		return audit.RecordID(ctx, tx, "assessment.check", "assessment", id, map[string]any{"repository": a.Subject.Repository})
	})
	return found, err
}

func findings(ctx context.Context, q store.Querier, id int64) (map[string]Finding, error) {
	rows, err := q.Query(ctx, `SELECT finding FROM assessment_checks WHERE assessment_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Finding{}
	for rows.Next() {
		var data string
		var f Finding
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &f); err != nil {
			return nil, err
		}
		out[f.Criterion] = f
	}
	return out, rows.Err()
}
