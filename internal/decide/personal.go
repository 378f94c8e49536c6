package decide

import (
	"context"
	"encoding/json"

	"samen/internal/personal"
	"samen/internal/store"
)

// The decisions' side of a person's rights over their data. The export
// holds the proposals they wrote, their comments and amendments, their
// open ballots (every version), the record of which votes they took part
// in and when they were reminded, and for budgets the projects they
// proposed, the budgets they voted in and the paper ballots they typed
// in. A secret ballot is not in it: nothing links it to anyone, which is
// the point of it.
//
// Erasure blanks their comments and amendments, takes their name off
// their proposals, projects and open ballots (which still count: a
// closed vote's result must not change) and takes their name and address
// out of other people's texts. That they voted stays, under their id
// only, so that nobody can vote twice and the turnout stays true.

var _ personal.Holder = (*Service)(nil)

// Part names the decisions in exports.
func (s *Service) Part() string { return "decide" }

// ExportPerson returns what the decisions hold about the person.
func (s *Service) ExportPerson(ctx context.Context, q store.Querier, userID int64) ([]personal.Table, error) {
	// Columns whose value is an instant in milliseconds.
	times := []string{"created", "cast", "superseded", "voted", "sent", "entered"}
	return personal.Tables(ctx, q, userID, []personal.Query{
		{Table: personal.Table{Name: "decide_decisions", Columns: []string{"decision", "workspace", "title", "body", "method", "state", "outcome", "created"}},
			SQL: `SELECT id, COALESCE(workspace_id, 0), title, body, method, state, outcome, created_at FROM decisions WHERE author_id = ? ORDER BY id`, Times: times},
		{Table: personal.Table{Name: "decide_comments", Columns: []string{"decision", "comment", "reply_to", "body", "created"}},
			SQL: `SELECT decision_id, id, COALESCE(parent_id, 0), body, created_at FROM decision_comments WHERE author_id = ? ORDER BY id`, Times: times},
		{Table: personal.Table{Name: "decide_amendments", Columns: []string{"decision", "amendment", "body", "note", "state", "created"}},
			SQL: `SELECT decision_id, id, body, note, state, created_at FROM decision_amendments WHERE author_id = ? ORDER BY id`, Times: times},
		{Table: personal.Table{Name: "decide_ballots", Columns: []string{"decision", "version", "choice", "cast", "superseded"}},
			SQL: `SELECT decision_id, version, choice, COALESCE(cast_at, 0), COALESCE(superseded_at, 0) FROM decision_ballots WHERE user_id = ? ORDER BY decision_id, version`, Times: times},
		{Table: personal.Table{Name: "decide_votes", Columns: []string{"decision", "voted", "versions"}},
			SQL: `SELECT decision_id, voted_at, versions FROM decision_voters WHERE user_id = ? ORDER BY decision_id`, Times: times},
		{Table: personal.Table{Name: "decide_reminders", Columns: []string{"decision", "sent"}},
			SQL: `SELECT decision_id, sent_at FROM decision_reminders WHERE user_id = ? ORDER BY decision_id`, Times: times},
		{Table: personal.Table{Name: "decide_budget_projects", Columns: []string{"budget", "project", "title", "description", "cost_cents", "state", "created"}},
			SQL: `SELECT budget_id, id, title, description, cost_cents, state, created_at FROM budget_projects WHERE proposer_id = ? ORDER BY id`, Times: times},
		{Table: personal.Table{Name: "decide_budget_votes", Columns: []string{"budget", "voted"}},
			SQL: `SELECT budget_id, voted_at FROM budget_voters WHERE user_id = ? ORDER BY budget_id`, Times: times},
		{Table: personal.Table{Name: "decide_paper_ballots", Columns: []string{"budget", "sheet", "projects", "entered"}},
			SQL: `SELECT budget_id, sheet, projects, entered_at FROM budget_paper_entries WHERE entered_by = ? ORDER BY id`, Times: times},
	})
}

// ErasePerson removes the person from the decisions, as the comment at
// the top of this file says.
func (s *Service) ErasePerson(ctx context.Context, q store.Querier, p personal.Person) error {
	now := s.Now.Millis()
	if _, err := q.Exec(ctx, `UPDATE decision_comments SET body = '', erased_at = COALESCE(erased_at, ?) WHERE author_id = ?`, now, p.ID); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `UPDATE decision_amendments SET body = '', note = '', author_id = NULL WHERE author_id = ?`, p.ID); err != nil {
		return err
	}
	// Open ballots keep counting, without a name or a reason.
	type ballot struct {
		id     string
		choice string
	}
	var ballots []ballot
	err := personal.EachRow(ctx, q, `SELECT id, choice FROM decision_ballots WHERE user_id = ?`, []any{p.ID},
		func(scan func(...any) error) error {
			var b ballot
			if err := scan(&b.id, &b.choice); err != nil {
				return err
			}
			ballots = append(ballots, b)
			return nil
		})
	if err != nil {
		return err
	}
	for _, b := range ballots {
		var c Ballot
		if err := json.Unmarshal([]byte(b.choice), &c); err != nil {
			return err
		}
		c.Reason = ""
		choice, _ := json.Marshal(c)
		if _, err := q.Exec(ctx, `UPDATE decision_ballots SET user_id = NULL, cast_at = NULL, choice = ? WHERE id = ?`, string(choice), b.id); err != nil {
			return err
		}
	}
	for _, stmt := range []string{
		`UPDATE decisions SET author_id = NULL WHERE author_id = ?`,
		`UPDATE decision_amendments SET decided_by = NULL WHERE decided_by = ?`,
		`UPDATE budget_projects SET proposer_id = NULL WHERE proposer_id = ?`,
		`UPDATE budgets SET created_by = NULL WHERE created_by = ?`,
		`UPDATE budget_paper_entries SET entered_by = NULL WHERE entered_by = ?`,
	} {
		if _, err := q.Exec(ctx, stmt, p.ID); err != nil {
			return err
		}
	}
	// Texts that name the person: their own proposals and projects (which
	// stay, as the community's record) and everyone else's.
	return scrubTexts(ctx, q, p.ForOthers())
}

// scrubTexts takes the person's name and address out of every text of the
// decisions that mentions them.
func scrubTexts(ctx context.Context, q store.Querier, p personal.Person) error {
	like := p.Like()
	for _, t := range []struct {
		table   string
		columns []string
	}{
		{"decisions", []string{"title", "body", "outcome"}},
		{"decision_options", []string{"label", "description"}},
		{"decision_comments", []string{"body"}},
		{"decision_amendments", []string{"body", "note"}},
		{"budgets", []string{"title", "description"}},
		{"budget_projects", []string{"title", "description", "review_note"}},
	} {
		where, args := "", []any{}
		for i, c := range t.columns {
			if i > 0 {
				where += " OR "
			}
			where += "lower(" + c + ") LIKE ? OR lower(" + c + ") LIKE ?"
			args = append(args, like...)
		}
		cols := ""
		for _, c := range t.columns {
			cols += ", " + c
		}
		type row struct {
			id   int64
			vals []string
		}
		var rows []row
		err := personal.EachRow(ctx, q, scrubSelect(t.table, cols, where), args, func(scan func(...any) error) error {
			r := row{vals: make([]string, len(t.columns))}
			dest := []any{&r.id}
			for i := range r.vals {
				dest = append(dest, &r.vals[i])
			}
			if err := scan(dest...); err != nil {
				return err
			}
			changed := false
			for i, v := range r.vals {
				var c bool
				if r.vals[i], c = p.Scrub(v); c {
					changed = true
				}
			}
			if changed {
				rows = append(rows, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range rows {
			set := ""
			args := []any{}
			for i, c := range t.columns {
				if i > 0 {
					set += ", "
				}
				set += c + " = ?"
				args = append(args, r.vals[i])
			}
			if _, err := q.Exec(ctx, scrubUpdate(t.table, set), append(args, r.id)...); err != nil {
				return err
			}
		}
	}
	return nil
}

// scrubSelect and scrubUpdate write the scrubbing statements for one of
// this package's own tables (the table names come from the list above,
// never from input).
func scrubSelect(table, cols, where string) string {
	return "SELECT id" + cols + " FROM " + table + " WHERE " + where
}

func scrubUpdate(table, set string) string {
	return "UPDATE " + table + " SET " + set + " WHERE id = ?"
}
