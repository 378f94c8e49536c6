package assess

import (
	"context"
	"database/sql"
	"strconv"

	"samen/internal/personal"
	"samen/internal/store"
)

// Assessments' side of a person's rights over their data: the assessments
// they started, provide or published, their reviews with the scores and
// reasons in them, their settlements and replies. On erasure every review
// keeps its content and its reviewer's id (the published consensus rests on
// it, and the id is pseudonymous once the account has no name); only the
// person's name and address are taken out of the texts, theirs and anyone
// else's that mention them.

var _ personal.Holder = (*Service)(nil)

// Part names assessments in exports.
func (s *Service) Part() string { return "assess" }

func levelCell(l sql.NullInt64) string {
	if !l.Valid {
		return ""
	}
	return strconv.FormatInt(l.Int64, 10)
}

// ExportPerson returns what assessments hold about the person.
func (s *Service) ExportPerson(ctx context.Context, q store.Querier, userID int64) ([]personal.Table, error) {
	assessments := personal.Table{Name: "assess_assessments", Columns: []string{"id", "subject", "status", "created_by_you", "provider_is_you", "published_by_you", "created_at"}}
	err := personal.EachRow(ctx, q, `SELECT id, subject_name, status, COALESCE(created_by, 0) = ?, COALESCE(provider_id, 0) = ?, COALESCE(published_by, 0) = ?, created_at
		FROM assessments WHERE created_by = ? OR provider_id = ? OR published_by = ? ORDER BY id`,
		[]any{userID, userID, userID, userID, userID, userID},
		func(scan func(...any) error) error {
			var id, created int64
			var name, status string
			var mine, provider, published bool
			if err := scan(&id, &name, &status, &mine, &provider, &published, &created); err != nil {
				return err
			}
			assessments.Rows = append(assessments.Rows, []string{personal.ID(id), name, status, strconv.FormatBool(mine),
				strconv.FormatBool(provider), strconv.FormatBool(published), personal.Millis(created)})
			return nil
		})
	if err != nil {
		return nil, err
	}

	reviews := personal.Table{Name: "assess_reviews", Columns: []string{"assessment", "self_assessment", "assigned_at", "submitted_at"}}
	err = personal.EachRow(ctx, q, `SELECT assessment_id, self, assigned_at, COALESCE(submitted_at, 0) FROM assessment_reviews
		WHERE reviewer_id = ? ORDER BY assessment_id`, []any{userID},
		func(scan func(...any) error) error {
			var id, assigned, submitted int64
			var self int
			if err := scan(&id, &self, &assigned, &submitted); err != nil {
				return err
			}
			reviews.Rows = append(reviews.Rows, []string{personal.ID(id), strconv.FormatBool(self == 1), personal.Millis(assigned), personal.Millis(submitted)})
			return nil
		})
	if err != nil {
		return nil, err
	}

	scores := personal.Table{Name: "assess_scores", Columns: []string{"assessment", "criterion", "level", "reason", "confidence", "evidence", "updated_at"}}
	err = personal.EachRow(ctx, q, `SELECT assessment_id, criterion, level, reason, confidence, evidence, updated_at FROM assessment_scores
		WHERE reviewer_id = ? ORDER BY assessment_id, criterion`, []any{userID},
		func(scan func(...any) error) error {
			var id, updated int64
			var l sql.NullInt64
			var criterion, reason, confidence, evidence string
			if err := scan(&id, &criterion, &l, &reason, &confidence, &evidence, &updated); err != nil {
				return err
			}
			scores.Rows = append(scores.Rows, []string{personal.ID(id), criterion, levelCell(l), reason, confidence, evidence, personal.Millis(updated)})
			return nil
		})
	if err != nil {
		return nil, err
	}

	settlements := personal.Table{Name: "assess_settlements", Columns: []string{"assessment", "criterion", "level", "reason", "confidence", "settled_at"}}
	err = personal.EachRow(ctx, q, `SELECT assessment_id, criterion, level, reason, confidence, settled_at FROM assessment_settlements
		WHERE settled_by = ? ORDER BY assessment_id, criterion`, []any{userID},
		func(scan func(...any) error) error {
			var id, at int64
			var l sql.NullInt64
			var criterion, reason, confidence string
			if err := scan(&id, &criterion, &l, &reason, &confidence, &at); err != nil {
				return err
			}
			settlements.Rows = append(settlements.Rows, []string{personal.ID(id), criterion, levelCell(l), reason, confidence, personal.Millis(at)})
			return nil
		})
	if err != nil {
		return nil, err
	}

	replies := personal.Table{Name: "assess_replies", Columns: []string{"assessment", "criterion", "reply", "replied_at"}}
	err = personal.EachRow(ctx, q, `SELECT assessment_id, criterion, reply, replied_at FROM assessment_replies
		WHERE replied_by = ? ORDER BY assessment_id, criterion`, []any{userID},
		func(scan func(...any) error) error {
			var id, at int64
			var criterion, reply string
			if err := scan(&id, &criterion, &reply, &at); err != nil {
				return err
			}
			replies.Rows = append(replies.Rows, []string{personal.ID(id), criterion, reply, personal.Millis(at)})
			return nil
		})
	if err != nil {
		return nil, err
	}
	return []personal.Table{assessments, reviews, scores, settlements, replies}, nil
}

// ErasePerson takes the person's name and address out of the texts of
// assessments: scores' reasons and evidence, settlements, replies, and the
// subjects' descriptions.
func (s *Service) ErasePerson(ctx context.Context, q store.Querier, p personal.Person) error {
	other := p.ForOthers()
	like := other.Like()
	pick := func(own bool) personal.Person {
		if own {
			return p
		}
		return other
	}
	type change struct {
		assessment, reviewer int64
		criterion            string
		a, b                 string
	}

	var scores []change
	err := personal.EachRow(ctx, q, `SELECT assessment_id, reviewer_id, criterion, reason, evidence FROM assessment_scores
		WHERE reviewer_id = ? OR lower(reason) LIKE ? OR lower(reason) LIKE ? OR lower(evidence) LIKE ? OR lower(evidence) LIKE ?`,
		[]any{p.ID, like[0], like[1], like[0], like[1]},
		func(scan func(...any) error) error {
			var c change
			if err := scan(&c.assessment, &c.reviewer, &c.criterion, &c.a, &c.b); err != nil {
				return err
			}
			who := pick(c.reviewer == p.ID)
			var x, y bool
			c.a, x = who.Scrub(c.a)
			c.b, y = who.ScrubJSON(c.b)
			if x || y {
				scores = append(scores, c)
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, c := range scores {
		if _, err := q.Exec(ctx, `UPDATE assessment_scores SET reason = ?, evidence = ? WHERE assessment_id = ? AND reviewer_id = ? AND criterion = ?`,
			c.a, c.b, c.assessment, c.reviewer, c.criterion); err != nil {
			return err
		}
	}

	var settlements []change
	err = personal.EachRow(ctx, q, `SELECT assessment_id, criterion, reason, COALESCE(settled_by, 0) FROM assessment_settlements
		WHERE settled_by = ? OR lower(reason) LIKE ? OR lower(reason) LIKE ?`, []any{p.ID, like[0], like[1]},
		func(scan func(...any) error) error {
			var c change
			if err := scan(&c.assessment, &c.criterion, &c.a, &c.reviewer); err != nil {
				return err
			}
			var changed bool
			if c.a, changed = pick(c.reviewer == p.ID).Scrub(c.a); changed {
				settlements = append(settlements, c)
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, c := range settlements {
		if _, err := q.Exec(ctx, `UPDATE assessment_settlements SET reason = ? WHERE assessment_id = ? AND criterion = ?`, c.a, c.assessment, c.criterion); err != nil {
			return err
		}
	}

	var replies []change
	err = personal.EachRow(ctx, q, `SELECT assessment_id, criterion, reply, COALESCE(replied_by, 0) FROM assessment_replies
		WHERE replied_by = ? OR lower(reply) LIKE ? OR lower(reply) LIKE ?`, []any{p.ID, like[0], like[1]},
		func(scan func(...any) error) error {
			var c change
			if err := scan(&c.assessment, &c.criterion, &c.a, &c.reviewer); err != nil {
				return err
			}
			var changed bool
			if c.a, changed = pick(c.reviewer == p.ID).Scrub(c.a); changed {
				replies = append(replies, c)
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, c := range replies {
		if _, err := q.Exec(ctx, `UPDATE assessment_replies SET reply = ? WHERE assessment_id = ? AND criterion = ?`, c.a, c.assessment, c.criterion); err != nil {
			return err
		}
	}

	// Subjects are tools and services, but their description may name a
	// maintainer.
	var subjects []change
	err = personal.EachRow(ctx, q, `SELECT id, subject_name, subject FROM assessments
		WHERE lower(subject) LIKE ? OR lower(subject) LIKE ?`, like,
		func(scan func(...any) error) error {
			var c change
			if err := scan(&c.assessment, &c.a, &c.b); err != nil {
				return err
			}
			var x, y bool
			c.a, x = other.Scrub(c.a)
			c.b, y = other.ScrubJSON(c.b)
			if x || y {
				subjects = append(subjects, c)
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, c := range subjects {
		if _, err := q.Exec(ctx, `UPDATE assessments SET subject_name = ?, subject = ? WHERE id = ?`, c.a, c.b, c.assessment); err != nil {
			return err
		}
	}
	return nil
}
