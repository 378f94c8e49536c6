package assess

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
)

//go:embed framework-1.0.0.json
var shipped embed.FS

// ShippedFramework is the first framework, derived from the roadmap and
// the anchors its sources name.
func ShippedFramework() (Framework, error) {
	data, err := shipped.ReadFile("framework-1.0.0.json")
	if err != nil {
		return Framework{}, err
	}
	return DecodeFramework(data)
}

// repositoryAddress accepts a git address (https, ssh, git or file) or an
// absolute local path, which only stewards set.
func repositoryAddress(s string) bool {
	if filepath.IsAbs(s) {
		return true
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "https", "http", "git", "ssh":
		return u.Host != ""
	case "file":
		return u.Path != ""
	}
	return false
}

// View is an assessment as one reader may see it.
type View struct {
	Assessment
	Framework   Framework
	Reviews     []Review // those the reader may see
	Settlements []Settlement
	Replies     map[string]Reply
	Findings    map[string]Finding
	Result      Result // from every submitted review, whoever reads
	// Mine is the reader's own review, if they are a reviewer or the
	// provider.
	Mine *Review
	// Assigned are the independent reviewers and whether each has
	// submitted: who reviews is public, what they scored is not.
	Assigned []Assignee
	// RenewedBy is the newest assessment that renews this one, when the
	// reader may see it; 0 when none.
	RenewedBy int64
}

// Assignee is an assigned reviewer.
type Assignee struct {
	ID        int64
	Name      string
	Submitted bool
}

// Reply is the provider's answer to a published score.
type Reply struct {
	Criterion string
	Text      string
	At        time.Time
}

// Get loads an assessment for u, with what u may see of it.
func (s *Service) Get(ctx context.Context, u *account.User, id int64) (View, error) {
	a, err := load(ctx, s.DB, id)
	if err != nil {
		return View{}, err
	}
	if !a.CanSee(u) {
		return View{}, errNotFound
	}
	v := View{Assessment: a, Replies: map[string]Reply{}, Findings: map[string]Finding{}}
	if v.Framework, err = s.Framework(ctx, a.FrameworkVersion); err != nil {
		return View{}, err
	}
	all, err := reviews(ctx, s.DB, id)
	if err != nil {
		return View{}, err
	}
	if v.Settlements, err = settlements(ctx, s.DB, id); err != nil {
		return View{}, err
	}
	v.Result = Consensus(v.Framework, all, v.Settlements)
	v.Reviews = a.VisibleReviews(u, all)
	for _, r := range all {
		if !r.Self {
			v.Assigned = append(v.Assigned, Assignee{ID: r.ReviewerID, Name: r.Reviewer, Submitted: r.Submitted()})
		}
	}
	for i, r := range v.Reviews {
		if u != nil && r.ReviewerID == u.ID {
			v.Mine = &v.Reviews[i]
		}
	}
	// Before publication, only stewards and reviewers who submitted see
	// where the consensus stands: it would show a reviewer the others'
	// scores.
	if a.Status != Published && !account.IsSteward(u) && !(v.Mine != nil && v.Mine.Submitted() && !v.Mine.Self) {
		v.Result = Result{}
		v.Settlements = nil
	}
	rows, err := s.DB.Query(ctx, `SELECT criterion, reply, replied_at FROM assessment_replies WHERE assessment_id = ?`, id)
	if err != nil {
		return View{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var r Reply
		var at int64
		if err := rows.Scan(&r.Criterion, &r.Text, &at); err != nil {
			return View{}, err
		}
		r.At = store.Time(at)
		v.Replies[r.Criterion] = r
	}
	if err := rows.Err(); err != nil {
		return View{}, err
	}
	if v.Findings, err = findings(ctx, s.DB, id); err != nil {
		return View{}, err
	}
	// History runs both ways: a renewal links back, and the renewed one
	// forward to its published successor (stewards also see drafts).
	q := `SELECT id FROM assessments WHERE previous_id = ? AND status = 'published' ORDER BY id DESC LIMIT 1`
	if account.IsSteward(u) {
		q = `SELECT id FROM assessments WHERE previous_id = ? ORDER BY id DESC LIMIT 1`
	}
	if err := s.DB.QueryRow(ctx, q, id).Scan(&v.RenewedBy); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return View{}, err
	}
	return v, nil
}

func reviews(ctx context.Context, q store.Querier, id int64) ([]Review, error) {
	rows, err := q.Query(ctx, `SELECT reviewer_id, self, COALESCE(submitted_at, 0)
		FROM assessment_reviews WHERE assessment_id = ? ORDER BY self, assigned_at, reviewer_id`, id)
	if err != nil {
		return nil, err
	}
	var out []Review
	var reviewers []int64
	for rows.Next() {
		var r Review
		var self int
		var at int64
		if err := rows.Scan(&r.ReviewerID, &self, &at); err != nil {
			rows.Close()
			return nil, err
		}
		r.Self, r.Scores = self == 1, map[string]Score{}
		if at != 0 {
			r.SubmittedAt = store.Time(at)
		}
		out, reviewers = append(out, r), append(reviewers, r.ReviewerID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := account.Names(ctx, q, reviewers)
	if err != nil {
		return nil, err
	}
	for i, r := range out {
		out[i].Reviewer = names[r.ReviewerID]
	}
	rows, err = q.Query(ctx, `SELECT reviewer_id, criterion, level, reason, confidence, evidence FROM assessment_scores WHERE assessment_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var reviewer int64
		var sc Score
		var level sql.NullInt64
		var evidence string
		if err := rows.Scan(&reviewer, &sc.Criterion, &level, &sc.Reason, &sc.Confidence, &evidence); err != nil {
			return nil, err
		}
		if level.Valid {
			sc.Level = ptr(int(level.Int64))
		}
		if err := json.Unmarshal([]byte(evidence), &sc.Evidence); err != nil {
			return nil, err
		}
		for i := range out {
			if out[i].ReviewerID == reviewer {
				out[i].Scores[sc.Criterion] = sc
			}
		}
	}
	return out, rows.Err()
}

func settlements(ctx context.Context, q store.Querier, id int64) ([]Settlement, error) {
	rows, err := q.Query(ctx, `SELECT criterion, level, reason, confidence, COALESCE(settled_by, 0), settled_at FROM assessment_settlements WHERE assessment_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Settlement
	for rows.Next() {
		var st Settlement
		var level sql.NullInt64
		var at int64
		if err := rows.Scan(&st.Criterion, &level, &st.Reason, &st.Confidence, &st.By, &at); err != nil {
			return nil, err
		}
		if level.Valid {
			st.Level = ptr(int(level.Int64))
		}
		st.At = store.Time(at)
		out = append(out, st)
	}
	return out, rows.Err()
}

// SaveScores stores u's scores: an assigned reviewer's while the
// assessment is in review, or the provider's self-assessment before
// publication. With submit, the review becomes final: every criterion
// must have a score (a level, or unknown with a reason), and it can no
// longer change.
func (s *Service) SaveScores(ctx context.Context, u *account.User, id int64, scores []Score, submit bool) error {
	if u == nil {
		return problem.New(problem.Unauthorized, "auth.required")
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		a, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		self := false
		switch {
		case a.CanReview(u):
		case a.CanSelfAssess(u):
			self = true
		case a.Status == Published:
			return problem.New(problem.Conflict, "assess.published")
		case a.IsReviewer(u):
			return problem.New(problem.Conflict, "assess.review_not_open")
		case a.CanSee(u):
			return errForbidden
		default:
			return errNotFound
		}
		f, err := s.Framework(ctx, a.FrameworkVersion)
		if err != nil {
			return err
		}
		now := s.Now.Millis()
		if self {
			if _, err := tx.Exec(ctx, `INSERT INTO assessment_reviews (assessment_id, reviewer_id, self, assigned_at) VALUES (?, ?, 1, ?)
				ON CONFLICT (assessment_id, reviewer_id) DO NOTHING`, id, u.ID, now); err != nil {
				return err
			}
		}
		var submitted sql.NullInt64
		if err := tx.QueryRow(ctx, `SELECT submitted_at FROM assessment_reviews WHERE assessment_id = ? AND reviewer_id = ?`, id, u.ID).Scan(&submitted); err != nil {
			return err
		}
		if submitted.Valid {
			return problem.New(problem.Conflict, "assess.review_submitted")
		}
		p := problem.Fields{}
		for _, sc := range scores {
			sc.Reason, sc.Confidence = strings.TrimSpace(sc.Reason), strings.TrimSpace(sc.Confidence)
			if err := CheckScore(f, sc); err != nil {
				if pe, ok := problem.As(err); ok {
					for k, v := range pe.Fields {
						p.Add(k, v)
					}
					continue
				}
				return err
			}
			evidence, err := json.Marshal(sc.Evidence)
			if err != nil {
				return err
			}
			if sc.Evidence == nil {
				evidence = []byte("[]")
			}
			var level any
			if sc.Level != nil {
				level = *sc.Level
			}
			if _, err := tx.Exec(ctx, `INSERT INTO assessment_scores (assessment_id, reviewer_id, criterion, level, reason, confidence, evidence, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (assessment_id, reviewer_id, criterion) DO UPDATE SET
				level = excluded.level, reason = excluded.reason, confidence = excluded.confidence, evidence = excluded.evidence, updated_at = excluded.updated_at`,
				id, u.ID, sc.Criterion, level, sc.Reason, sc.Confidence, string(evidence), now); err != nil {
				return err
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		if submit {
			// Every criterion needs an answer: a level with its evidence,
			// or "unknown" with a word on why.
			all, err := reviews(ctx, tx, id)
			if err != nil {
				return err
			}
			var mine map[string]Score
			for _, r := range all {
				if r.ReviewerID == u.ID {
					mine = r.Scores
				}
			}
			for _, c := range f.Criteria() {
				if sc, ok := mine[c.ID]; !ok || sc.Level == nil && sc.Reason == "" {
					p.Add(c.ID+".level", "score.missing")
				}
			}
			if err := p.Err(); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE assessment_reviews SET submitted_at = ? WHERE assessment_id = ? AND reviewer_id = ?`, now, id, u.ID); err != nil {
				return err
			}
		}
		action := "assessment.scores"
		if submit {
			action = "assessment.submit"
		}
		return audit.RecordID(ctx, tx, action, "assessment", id, map[string]any{"self": self, "scores": len(scores)})
	})
}

// Settle records the agreed score of a flagged criterion with its reason.
func (s *Service) Settle(ctx context.Context, u *account.User, id int64, st Settlement) error {
	st.Reason, st.Confidence = strings.TrimSpace(st.Reason), strings.TrimSpace(st.Confidence)
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		a, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		if !a.CanSee(u) {
			return errNotFound
		}
		all, err := reviews(ctx, tx, id)
		if err != nil {
			return err
		}
		own := slices.ContainsFunc(all, func(r Review) bool { return u != nil && r.ReviewerID == u.ID && !r.Self && r.Submitted() })
		if !a.CanSettle(u, own) {
			return errForbidden
		}
		f, err := s.Framework(ctx, a.FrameworkVersion)
		if err != nil {
			return err
		}
		done, err := settlements(ctx, tx, id)
		if err != nil {
			return err
		}
		res := Consensus(f, all, done)
		if !slices.ContainsFunc(res.Criteria, func(c CriterionResult) bool { return c.Criterion == st.Criterion && c.Flagged }) {
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"criterion": "criterion.not_flagged"}}
		}
		p := problem.Fields{}
		if st.Level != nil && (*st.Level < 0 || *st.Level > MaxLevel) {
			p.Add("level", "level.out_of_range")
		}
		switch n := utf8.RuneCountInString(st.Reason); {
		case n == 0:
			p.Add("reason", "required")
		case n > maxReason:
			p.Add("reason", "too_long")
		}
		if st.Confidence != "" && !slices.Contains(Confidences, st.Confidence) {
			p.Add("confidence", "choice.unknown")
		}
		if err := p.Err(); err != nil {
			return err
		}
		var level any
		if st.Level != nil {
			level = *st.Level
		}
		if _, err := tx.Exec(ctx, `INSERT INTO assessment_settlements (assessment_id, criterion, level, reason, confidence, settled_by, settled_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (assessment_id, criterion) DO UPDATE SET level = excluded.level, reason = excluded.reason,
			confidence = excluded.confidence, settled_by = excluded.settled_by, settled_at = excluded.settled_at`,
			id, st.Criterion, level, st.Reason, st.Confidence, u.ID, s.Now.Millis()); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "assessment.settle", "assessment", id, map[string]any{"criterion": st.Criterion})
	})
}

// Publish makes the scorecard public for a year. Stewards only, and only
// when the consensus is ready.
func (s *Service) Publish(ctx context.Context, u *account.User, id int64) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		a, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		if !account.IsSteward(u) {
			return errStewardsOnly
		}
		f, err := s.Framework(ctx, a.FrameworkVersion)
		if err != nil {
			return err
		}
		all, err := reviews(ctx, tx, id)
		if err != nil {
			return err
		}
		done, err := settlements(ctx, tx, id)
		if err != nil {
			return err
		}
		res := Consensus(f, all, done)
		if !a.CanPublish(u, res) {
			if a.Status != InReview {
				return problem.New(problem.Conflict, "assess.not_in_review")
			}
			return problem.New(problem.Conflict, "assess.not_ready")
		}
		now := s.Now.Time()
		if _, err := tx.Exec(ctx, `UPDATE assessments SET status = 'published', published_by = ?, published_at = ?, expires_at = ?, updated_at = ? WHERE id = ?`,
			u.ID, store.Millis(now), store.Millis(now.Add(Validity)), store.Millis(now), id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "assessment.publish", "assessment", id, map[string]any{"gates": res.Gates})
	})
}

// Reply stores the provider's answer to a published score (empty text
// takes it back).
func (s *Service) Reply(ctx context.Context, u *account.User, id int64, criterion, text string) error {
	text = strings.TrimSpace(text)
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		a, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		if !a.CanReply(u) {
			return errForbidden
		}
		f, err := s.Framework(ctx, a.FrameworkVersion)
		if err != nil {
			return err
		}
		if _, ok := f.Criterion(criterion); !ok {
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"criterion": "criterion.unknown"}}
		}
		if utf8.RuneCountInString(text) > maxReason {
			return &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"reply": "too_long"}}
		}
		if text == "" {
			_, err = tx.Exec(ctx, `DELETE FROM assessment_replies WHERE assessment_id = ? AND criterion = ?`, id, criterion)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO assessment_replies (assessment_id, criterion, reply, replied_by, replied_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (assessment_id, criterion) DO UPDATE SET reply = excluded.reply, replied_by = excluded.replied_by, replied_at = excluded.replied_at`,
				id, criterion, text, u.ID, s.Now.Millis())
		}
		if err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "assessment.reply", "assessment", id, map[string]any{"criterion": criterion})
	})
}

// Renew starts a new draft of a published assessment's subject with the
// newest framework and the same provider; the old one stays as history.
func (s *Service) Renew(ctx context.Context, u *account.User, id int64) (int64, error) {
	if !account.IsSteward(u) {
		return 0, errStewardsOnly
	}
	a, err := load(ctx, s.DB, id)
	if err != nil {
		return 0, err
	}
	if a.Status != Published {
		return 0, problem.New(problem.Conflict, "assess.not_published")
	}
	f, err := s.Framework(ctx, "")
	if err != nil {
		return 0, err
	}
	nid, err := s.insert(ctx, u, a.Subject, f.Version, a.Example, a.ID)
	if err != nil || a.ProviderID == 0 {
		return nid, err
	}
	_, err = s.DB.Exec(ctx, `UPDATE assessments SET provider_id = ? WHERE id = ?`, a.ProviderID, nid)
	return nid, err
}

// Summary is an assessment in a list.
type Summary struct {
	Assessment
	Result Result
}

// List returns the published assessments, newest first, with their
// results; stewards also get drafts and those in review.
func (s *Service) List(ctx context.Context, u *account.User) ([]Summary, error) {
	where := `WHERE status = 'published'`
	if account.IsSteward(u) {
		where = ``
	}
	ids, err := store.IDs(ctx, s.DB, `SELECT id FROM assessments `+where+` ORDER BY COALESCE(published_at, created_at) DESC, id DESC`)
	if err != nil {
		return nil, err
	}
	return s.summaries(ctx, u, ids)
}

// summaries loads assessments with their results, as u may see them.
func (s *Service) summaries(ctx context.Context, u *account.User, ids []int64) ([]Summary, error) {
	var out []Summary
	for _, id := range ids {
		v, err := s.Get(ctx, u, id)
		if err != nil {
			return nil, err
		}
		out = append(out, Summary{Assessment: v.Assessment, Result: v.Result})
	}
	return out, nil
}

// ForTool lists the published assessments of a toolbox entry, newest
// first, with their results, for the tool's page.
func (s *Service) ForTool(ctx context.Context, tool string) ([]Summary, error) {
	ids, err := store.IDs(ctx, s.DB, `SELECT id FROM assessments WHERE tool_id = ? AND status = 'published' ORDER BY published_at DESC, id DESC`, tool)
	if err != nil {
		return nil, err
	}
	return s.summaries(ctx, nil, ids)
}

// Assigned lists the assessments u reviews or speaks for that are not
// yet published: their work queue.
func (s *Service) Assigned(ctx context.Context, u *account.User) ([]Assessment, error) {
	if u == nil {
		return nil, nil
	}
	ids, err := store.IDs(ctx, s.DB, `SELECT DISTINCT a.id FROM assessments a LEFT JOIN assessment_reviews r ON r.assessment_id = a.id
		WHERE a.status <> 'published' AND (r.reviewer_id = ? OR a.provider_id = ?) ORDER BY a.id`, u.ID, u.ID)
	if err != nil {
		return nil, err
	}
	var out []Assessment
	for _, id := range ids {
		a, err := load(ctx, s.DB, id)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
