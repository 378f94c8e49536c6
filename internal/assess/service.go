package assess

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// Service is the assessment part of samen.
type Service struct {
	DB *store.DB
	// Now is the clock; tests replace it.
	Now store.Clock
}

var (
	errNotFound     = problem.New(problem.NotFound, "assess.not_found")
	errStewardsOnly = problem.New(problem.Forbidden, "assess.stewards_only")
	errForbidden    = problem.New(problem.Forbidden, "assess.forbidden")
)

// ---- frameworks

// Frameworks lists the published framework versions, newest first.
func (s *Service) Frameworks(ctx context.Context) ([]Framework, error) {
	rows, err := s.DB.Query(ctx, `SELECT data FROM assessment_frameworks`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Framework
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var f Framework
		if err := json.Unmarshal([]byte(data), &f); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b Framework) int { return compareVersions(b.Version, a.Version) })
	return out, rows.Err()
}

// Framework returns one version, or the newest when version is "".
func (s *Service) Framework(ctx context.Context, version string) (Framework, error) {
	all, err := s.Frameworks(ctx)
	if err != nil {
		return Framework{}, err
	}
	for _, f := range all {
		if version == "" || f.Version == version {
			return f, nil
		}
	}
	return Framework{}, errNotFound
}

// compareVersions orders semantic versions.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < 3 && i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x - y
		}
	}
	return 0
}

// PublishFramework adds a new version. Stewards only; the version must be
// newer than every published one, so assessments made with an older one
// keep it unchanged.
func (s *Service) PublishFramework(ctx context.Context, u *account.User, f Framework) error {
	if !account.IsSteward(u) {
		return errStewardsOnly
	}
	if err := f.Validate(); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		return s.insertFramework(ctx, tx, u, f)
	})
}

func (s *Service) insertFramework(ctx context.Context, tx *store.Tx, u *account.User, f Framework) error {
	var newest sql.NullString
	rows, err := tx.Query(ctx, `SELECT version FROM assessment_frameworks`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		if !newest.Valid || compareVersions(v, newest.String) > 0 {
			newest = sql.NullString{String: v, Valid: true}
		}
	}
	rows.Close()
	if newest.Valid && compareVersions(f.Version, newest.String) <= 0 {
		return &problem.Error{Kind: problem.Conflict, Code: "assess.version_not_newer", Fields: problem.Fields{"version": "version.not_newer"}}
	}
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	var by any
	if u != nil {
		by = u.ID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO assessment_frameworks (version, data, published_by, published_at) VALUES (?, ?, ?, ?)`,
		f.Version, string(data), by, s.Now.Millis()); err != nil {
		return err
	}
	return audit.Record(ctx, tx, "framework.publish", "framework", f.Version, nil)
}

// SeedFramework publishes the framework samen ships when none is there.
func (s *Service) SeedFramework(ctx context.Context) (bool, error) {
	f, err := ShippedFramework()
	if err != nil {
		return false, err
	}
	seeded := false
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM assessment_frameworks`).Scan(&n); err != nil || n > 0 {
			return err
		}
		seeded = true
		return s.insertFramework(ctx, tx, nil, f)
	})
	return seeded, err
}

// ---- assessments

const assessmentColumns = `id, subject, framework_version, status, COALESCE(provider_id, 0), example, COALESCE(previous_id, 0),
	COALESCE(created_by, 0), created_at, COALESCE(published_at, 0), COALESCE(expires_at, 0)`

func scanAssessment(row interface{ Scan(...any) error }) (Assessment, error) {
	var a Assessment
	var subject string
	var example int
	var created, published, expires int64
	if err := row.Scan(&a.ID, &subject, &a.FrameworkVersion, &a.Status, &a.ProviderID, &example, &a.PreviousID,
		&a.CreatedBy, &created, &published, &expires); err != nil {
		return a, err
	}
	a.Example, a.CreatedAt = example == 1, store.Time(created)
	if published != 0 {
		a.PublishedAt, a.ExpiresAt = store.Time(published), store.Time(expires)
	}
	return a, json.Unmarshal([]byte(subject), &a.Subject)
}

func load(ctx context.Context, q store.Querier, id int64) (Assessment, error) {
	a, err := scanAssessment(q.QueryRow(ctx, `SELECT `+assessmentColumns+` FROM assessments WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, errNotFound
	}
	if err != nil {
		return a, err
	}
	a.Reviewers, err = store.IDs(ctx, q, `SELECT reviewer_id FROM assessment_reviews WHERE assessment_id = ? AND self = 0 ORDER BY assigned_at, reviewer_id`, id)
	return a, err
}

// NormalizeSubject trims a subject's fields.
func (sub *Subject) Normalize() {
	sub.Name = textcheck.Collapse(sub.Name)
	sub.Tool = strings.ToLower(strings.TrimSpace(sub.Tool))
	sub.Kind = strings.ToLower(strings.TrimSpace(sub.Kind))
	sub.Description = Text{NL: strings.TrimSpace(sub.Description.NL), EN: strings.TrimSpace(sub.Description.EN)}
	sub.Website, sub.Repository = strings.TrimSpace(sub.Website), strings.TrimSpace(sub.Repository)
}

// Validate checks a subject: a name and a kind, addresses that are web
// addresses, and a repository that is a git address or a path.
func (sub Subject) Validate() error {
	p := problem.Fields{}
	switch n := utf8.RuneCountInString(sub.Name); {
	case n == 0:
		p.Add("name", "name.or_tool")
	case n > 120:
		p.Add("name", "too_long")
	}
	switch {
	case sub.Kind == "":
		p.Add("kind", "required")
	case !slices.Contains(SubjectKinds, sub.Kind):
		p.Add("kind", "choice.unknown")
	}
	if sub.Website != "" && !webURL(sub.Website) {
		p.Add("website", "url.invalid")
	}
	if sub.Repository != "" && !repositoryAddress(sub.Repository) {
		p.Add("repository", "repository.invalid")
	}
	for field, s := range map[string]string{"description.nl": sub.Description.NL, "description.en": sub.Description.EN} {
		if utf8.RuneCountInString(s) > maxReason {
			p.Add(field, "too_long")
		}
	}
	return p.Err()
}

// Create starts a draft assessment of a subject with the newest framework.
// Stewards only.
func (s *Service) Create(ctx context.Context, u *account.User, sub Subject, example bool) (int64, error) {
	if !account.IsSteward(u) {
		return 0, errStewardsOnly
	}
	sub.Normalize()
	if err := sub.Validate(); err != nil {
		return 0, err
	}
	f, err := s.Framework(ctx, "")
	if err != nil {
		return 0, err
	}
	return s.insert(ctx, u, sub, f.Version, example, 0)
}

func (s *Service) insert(ctx context.Context, u *account.User, sub Subject, version string, example bool, previous int64) (int64, error) {
	data, err := json.Marshal(sub)
	if err != nil {
		return 0, err
	}
	var prev any
	if previous != 0 {
		prev = previous
	}
	ex := 0
	if example {
		ex = 1
	}
	var id int64
	now := s.Now.Millis()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO assessments (subject_name, subject, tool_id, framework_version, status, example, previous_id,
			created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?) RETURNING id`,
			sub.Name, string(data), sub.Tool, version, ex, prev, u.ID, now, now).Scan(&id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "assessment.create", "assessment", id, map[string]any{"subject": sub.Name, "previous": previous})
	})
	return id, err
}

// userByEmail finds an active account.
func userByEmail(ctx context.Context, q store.Querier, email, field string) (int64, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if _, err := mail.ParseAddress(email); err != nil {
		return 0, &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{field: "email.invalid"}}
	}
	id, ok, err := account.ActiveID(ctx, q, email)
	if err == nil && !ok {
		return 0, &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{field: "editor.no_account"}}
	}
	return id, err
}

// changeDraft runs fn on an assessment a steward may still change: a
// draft, or one in review (reviewers can be added while it runs).
func (s *Service) changeDraft(ctx context.Context, u *account.User, id int64, fn func(tx *store.Tx, a Assessment) error) error {
	if !account.IsSteward(u) {
		return errStewardsOnly
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		a, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Status == Published {
			return problem.New(problem.Conflict, "assess.published")
		}
		if err := fn(tx, a); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE assessments SET updated_at = ? WHERE id = ?`, s.Now.Millis(), id)
		return err
	})
}

// SetProvider names the account that speaks for the subject (it may
// self-assess and reply), or nobody with an empty address. A reviewer
// cannot be the provider.
func (s *Service) SetProvider(ctx context.Context, u *account.User, id int64, email string) error {
	return s.changeDraft(ctx, u, id, func(tx *store.Tx, a Assessment) error {
		var pid any
		if strings.TrimSpace(email) != "" {
			uid, err := userByEmail(ctx, tx, email, "provider")
			if err != nil {
				return err
			}
			if slices.Contains(a.Reviewers, uid) {
				return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"provider": "provider.is_reviewer"}}
			}
			pid = uid
		}
		if _, err := tx.Exec(ctx, `UPDATE assessments SET provider_id = ? WHERE id = ?`, pid, id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "assessment.provider", "assessment", id, map[string]any{"provider": pid})
	})
}

// AddReviewer assigns an independent reviewer. The provider cannot review
// its own subject.
func (s *Service) AddReviewer(ctx context.Context, u *account.User, id int64, email string) error {
	return s.changeDraft(ctx, u, id, func(tx *store.Tx, a Assessment) error {
		uid, err := userByEmail(ctx, tx, email, "reviewer")
		if err != nil {
			return err
		}
		switch {
		case uid == a.ProviderID:
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"reviewer": "reviewer.is_provider"}}
		case slices.Contains(a.Reviewers, uid):
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"reviewer": "reviewer.already"}}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO assessment_reviews (assessment_id, reviewer_id, self, assigned_at) VALUES (?, ?, 0, ?)`,
			id, uid, s.Now.Millis()); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "assessment.reviewer_add", "assessment", id, map[string]any{"reviewer": uid})
	})
}

// RemoveReviewer takes a reviewer off before they submitted.
func (s *Service) RemoveReviewer(ctx context.Context, u *account.User, id, reviewer int64) error {
	return s.changeDraft(ctx, u, id, func(tx *store.Tx, a Assessment) error {
		res, err := tx.Exec(ctx, `DELETE FROM assessment_reviews WHERE assessment_id = ? AND reviewer_id = ? AND self = 0 AND submitted_at IS NULL`, id, reviewer)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.New(problem.Conflict, "assess.reviewer_submitted")
		}
		return audit.RecordID(ctx, tx, "assessment.reviewer_remove", "assessment", id, map[string]any{"reviewer": reviewer})
	})
}

// StartReview opens a draft for review: it needs MinReviews reviewers.
func (s *Service) StartReview(ctx context.Context, u *account.User, id int64) error {
	return s.changeDraft(ctx, u, id, func(tx *store.Tx, a Assessment) error {
		if a.Status != Draft {
			return problem.New(problem.Conflict, "assess.not_draft")
		}
		if len(a.Reviewers) < MinReviews {
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"reviewer": "reviewer.too_few"}}
		}
		if _, err := tx.Exec(ctx, `UPDATE assessments SET status = 'review' WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "assessment.review", "assessment", id, nil)
	})
}
