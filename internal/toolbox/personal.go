package toolbox

import (
	"context"
	"strconv"

	"samen/internal/personal"
	"samen/internal/store"
)

// The toolbox's side of a person's rights over their data: the scans they
// saved and the catalogue and guide versions they wrote. On erasure each
// keeps its content and its author's id (pseudonymous once the account has
// no name); only the person's name and address are taken out of the texts,
// theirs and anyone else's that mention them.

var _ personal.Holder = (*Service)(nil)

// Part names the toolbox in exports.
func (s *Service) Part() string { return "toolbox" }

// ExportPerson returns what the toolbox holds about the person.
func (s *Service) ExportPerson(ctx context.Context, q store.Querier, userID int64) ([]personal.Table, error) {
	scans := personal.Table{Name: "toolbox_scans", Columns: []string{"id", "initiative", "answers", "shared", "created_at"}}
	err := personal.EachRow(ctx, q, `SELECT id, initiative_id, input, shared, created_at FROM scans WHERE author_id = ? ORDER BY id`, []any{userID},
		func(scan func(...any) error) error {
			var id, initiative, created int64
			var input string
			var shared int
			if err := scan(&id, &initiative, &input, &shared, &created); err != nil {
				return err
			}
			scans.Rows = append(scans.Rows, []string{personal.ID(id), personal.ID(initiative), input, strconv.FormatBool(shared == 1), personal.Millis(created)})
			return nil
		})
	if err != nil {
		return nil, err
	}
	revisions := personal.Table{Name: "toolbox_revisions", Columns: []string{"id", "subject", "subject_id", "note", "created_at", "data"}}
	err = personal.EachRow(ctx, q, `SELECT id, subject, subject_id, note, created_at, data FROM toolbox_revisions WHERE author_id = ? ORDER BY id`, []any{userID},
		func(scan func(...any) error) error {
			var id, created int64
			var subject, subjectID, note, data string
			if err := scan(&id, &subject, &subjectID, &note, &created, &data); err != nil {
				return err
			}
			revisions.Rows = append(revisions.Rows, []string{personal.ID(id), subject, subjectID, note, personal.Millis(created), data})
			return nil
		})
	if err != nil {
		return nil, err
	}
	return []personal.Table{scans, revisions}, nil
}

// ErasePerson takes the person's name and address out of saved scans and
// of the catalogue's and guides' history and current texts.
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
		id         int64
		key        string
		data, note string
	}

	var scans []change
	err := personal.EachRow(ctx, q, `SELECT id, input, COALESCE(author_id, 0) = ? FROM scans
		WHERE author_id = ? OR lower(input) LIKE ? OR lower(input) LIKE ?`, []any{p.ID, p.ID, like[0], like[1]},
		func(scan func(...any) error) error {
			var c change
			var own bool
			if err := scan(&c.id, &c.data, &own); err != nil {
				return err
			}
			var changed bool
			if c.data, changed = pick(own).ScrubJSON(c.data); changed {
				scans = append(scans, c)
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, c := range scans {
		if _, err := q.Exec(ctx, `UPDATE scans SET input = ? WHERE id = ?`, c.data, c.id); err != nil {
			return err
		}
	}

	var revisions []change
	err = personal.EachRow(ctx, q, `SELECT id, data, note, COALESCE(author_id, 0) = ? FROM toolbox_revisions
		WHERE author_id = ? OR lower(data) LIKE ? OR lower(data) LIKE ? OR lower(note) LIKE ? OR lower(note) LIKE ?`,
		[]any{p.ID, p.ID, like[0], like[1], like[0], like[1]},
		func(scan func(...any) error) error {
			var c change
			var own bool
			if err := scan(&c.id, &c.data, &c.note, &own); err != nil {
				return err
			}
			who := pick(own)
			var a, b bool
			c.data, a = who.ScrubJSON(c.data)
			c.note, b = who.Scrub(c.note)
			if a || b {
				revisions = append(revisions, c)
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, c := range revisions {
		if _, err := q.Exec(ctx, `UPDATE toolbox_revisions SET data = ?, note = ? WHERE id = ?`, c.data, c.note, c.id); err != nil {
			return err
		}
	}

	// The entries as shown: stewards write them, and may have named
	// someone (a maintainer, a contact).
	var tools, guides []change
	err = personal.EachRow(ctx, q, `SELECT id, data FROM tools WHERE lower(data) LIKE ? OR lower(data) LIKE ?`, like,
		func(scan func(...any) error) error {
			var c change
			if err := scan(&c.key, &c.data); err != nil {
				return err
			}
			var changed bool
			if c.data, changed = other.ScrubJSON(c.data); changed {
				tools = append(tools, c)
			}
			return nil
		})
	if err != nil {
		return err
	}
	err = personal.EachRow(ctx, q, `SELECT id, data FROM guides WHERE lower(data) LIKE ? OR lower(data) LIKE ?`, like,
		func(scan func(...any) error) error {
			var c change
			if err := scan(&c.key, &c.data); err != nil {
				return err
			}
			var changed bool
			if c.data, changed = other.ScrubJSON(c.data); changed {
				guides = append(guides, c)
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, c := range tools {
		if _, err := q.Exec(ctx, `UPDATE tools SET data = ? WHERE id = ?`, c.data, c.key); err != nil {
			return err
		}
	}
	for _, c := range guides {
		if _, err := q.Exec(ctx, `UPDATE guides SET data = ? WHERE id = ?`, c.data, c.key); err != nil {
			return err
		}
	}
	return nil
}
