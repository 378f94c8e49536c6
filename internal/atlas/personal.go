package atlas

import (
	"context"
	"encoding/json"
	"strconv"

	"samen/internal/personal"
	"samen/internal/store"
)

// The atlas's side of a person's rights over their data: the initiatives
// they created or edit, the revisions they wrote or reviewed, the reports
// and contact messages they sent. On erasure the rows keep the person's id
// (pseudonymous once the account has no name), their own texts lose their
// name and address, and so do other people's texts that mention them: an
// initiative's record, every revision of it (revisions keep whole records),
// a report's message.

var _ personal.Holder = (*Service)(nil)

// Part names the atlas in exports.
func (s *Service) Part() string { return "atlas" }

// ExportPerson returns what the atlas holds about the person.
func (s *Service) ExportPerson(ctx context.Context, q store.Querier, userID int64) ([]personal.Table, error) {
	initiatives := personal.Table{Name: "atlas_initiatives", Columns: []string{"id", "name", "status", "created_by_you", "editor_since", "created_at"}}
	err := personal.EachRow(ctx, q, `SELECT i.id, i.name, i.status, COALESCE(i.created_by, 0) = ?, COALESCE(e.added_at, 0), i.created_at
		FROM initiatives i LEFT JOIN initiative_editors e ON e.initiative_id = i.id AND e.user_id = ?
		WHERE i.created_by = ? OR e.user_id IS NOT NULL ORDER BY i.id`, []any{userID, userID, userID},
		func(scan func(...any) error) error {
			var id, added, created int64
			var name, status string
			var mine bool
			if err := scan(&id, &name, &status, &mine, &added, &created); err != nil {
				return err
			}
			initiatives.Rows = append(initiatives.Rows, []string{personal.ID(id), name, status, strconv.FormatBool(mine), personal.Millis(added), personal.Millis(created)})
			return nil
		})
	if err != nil {
		return nil, err
	}

	revisions := personal.Table{Name: "atlas_revisions", Columns: []string{"id", "initiative", "state", "note", "reason", "created_at", "reviewed_at", "record"}}
	err = personal.EachRow(ctx, q, `SELECT r.id, r.initiative_id, r.state, r.note, r.reason, r.created_at, COALESCE(r.reviewed_at, 0), `+revisionData+`
		FROM revisions r WHERE r.author_id = ? ORDER BY r.id`, []any{userID},
		func(scan func(...any) error) error {
			var id, initiative, created, reviewed int64
			var state, note, reason, data string
			if err := scan(&id, &initiative, &state, &note, &reason, &created, &reviewed, &data); err != nil {
				return err
			}
			revisions.Rows = append(revisions.Rows, []string{personal.ID(id), personal.ID(initiative), state, note, reason,
				personal.Millis(created), personal.Millis(reviewed), data})
			return nil
		})
	if err != nil {
		return nil, err
	}

	reviews := personal.Table{Name: "atlas_reviews", Columns: []string{"revision", "initiative", "state", "reason", "reviewed_at"}}
	err = personal.EachRow(ctx, q, `SELECT id, initiative_id, state, reason, COALESCE(reviewed_at, 0) FROM revisions
		WHERE reviewer_id = ? ORDER BY id`, []any{userID},
		func(scan func(...any) error) error {
			var id, initiative, reviewed int64
			var state, reason string
			if err := scan(&id, &initiative, &state, &reason, &reviewed); err != nil {
				return err
			}
			reviews.Rows = append(reviews.Rows, []string{personal.ID(id), personal.ID(initiative), state, reason, personal.Millis(reviewed)})
			return nil
		})
	if err != nil {
		return nil, err
	}

	reports := personal.Table{Name: "atlas_reports", Columns: []string{"id", "initiative", "reason", "message", "state", "ip", "created_at"}}
	err = personal.EachRow(ctx, q, `SELECT id, initiative_id, reason, message, state, reporter_ip, created_at FROM initiative_reports
		WHERE reporter_id = ? ORDER BY id`, []any{userID},
		func(scan func(...any) error) error {
			var id, initiative, created int64
			var reason, message, state, ip string
			if err := scan(&id, &initiative, &reason, &message, &state, &ip, &created); err != nil {
				return err
			}
			reports.Rows = append(reports.Rows, []string{personal.ID(id), personal.ID(initiative), reason, message, state, ip, personal.Millis(created)})
			return nil
		})
	if err != nil {
		return nil, err
	}

	// The message itself was never stored (see Contact): only that it
	// was sent, from where and when.
	contacts := personal.Table{Name: "atlas_contact_messages", Columns: []string{"id", "initiative", "ip", "created_at"}}
	err = personal.EachRow(ctx, q, `SELECT id, initiative_id, sender_ip, created_at FROM contact_messages WHERE sender_id = ? ORDER BY id`, []any{userID},
		func(scan func(...any) error) error {
			var id, initiative, created int64
			var ip string
			if err := scan(&id, &initiative, &ip, &created); err != nil {
				return err
			}
			contacts.Rows = append(contacts.Rows, []string{personal.ID(id), personal.ID(initiative), ip, personal.Millis(created)})
			return nil
		})
	if err != nil {
		return nil, err
	}
	return []personal.Table{initiatives, revisions, reviews, reports, contacts}, nil
}

// ErasePerson takes the person out of the atlas. Contact messages they
// sent go (they only ever served the rate limit); their reports stay for
// the moderators, without the address they came from; every text the
// person wrote, and every text of others that mentions them, loses their
// name and address. An initiative whose record changes is written again
// as a whole, so that its search index and facets follow.
func (s *Service) ErasePerson(ctx context.Context, q store.Querier, p personal.Person) error {
	if _, err := q.Exec(ctx, `DELETE FROM contact_messages WHERE sender_id = ?`, p.ID); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `UPDATE initiative_reports SET reporter_ip = '' WHERE reporter_id = ?`, p.ID); err != nil {
		return err
	}
	other := p.ForOthers()
	like := other.Like()
	// Whose text it is decides whether a one-word name is taken out too.
	pick := func(own bool) personal.Person {
		if own {
			return p
		}
		return other
	}

	type report struct {
		id      int64
		message string
	}
	var reports []report
	err := personal.EachRow(ctx, q, `SELECT id, message, COALESCE(reporter_id, 0) = ? FROM initiative_reports
		WHERE reporter_id = ? OR lower(message) LIKE ? OR lower(message) LIKE ?`, []any{p.ID, p.ID, like[0], like[1]},
		func(scan func(...any) error) error {
			var r report
			var own bool
			if err := scan(&r.id, &r.message, &own); err != nil {
				return err
			}
			var changed bool
			if r.message, changed = pick(own).Scrub(r.message); changed {
				reports = append(reports, r)
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, r := range reports {
		if _, err := q.Exec(ctx, `UPDATE initiative_reports SET message = ? WHERE id = ?`, r.message, r.id); err != nil {
			return err
		}
	}

	type revision struct {
		id                 int64
		data, note, reason string
	}
	var revisions []revision
	// A revision without a copy of its record (an import's) reads as its
	// initiative's, which is scrubbed below; the person's own get a
	// scrubbed copy of their own, as they always had.
	err = personal.EachRow(ctx, q, `SELECT r.id, `+revisionData+`, r.note, r.reason, COALESCE(r.author_id, 0) = ? FROM revisions r
		WHERE r.author_id = ? OR lower(r.data) LIKE ? OR lower(r.data) LIKE ? OR lower(r.note) LIKE ? OR lower(r.note) LIKE ?
			OR lower(r.reason) LIKE ? OR lower(r.reason) LIKE ?`,
		[]any{p.ID, p.ID, like[0], like[1], like[0], like[1], like[0], like[1]},
		func(scan func(...any) error) error {
			var r revision
			var own bool
			if err := scan(&r.id, &r.data, &r.note, &r.reason, &own); err != nil {
				return err
			}
			who := pick(own)
			data, a, err := scrubRecord(who, r.data)
			if err != nil {
				return err
			}
			note, b := who.Scrub(r.note)
			reason, c := who.Scrub(r.reason)
			if a || b || c {
				revisions = append(revisions, revision{r.id, data, note, reason})
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, r := range revisions {
		if _, err := q.Exec(ctx, `UPDATE revisions SET data = ?, note = ?, reason = ? WHERE id = ?`, r.data, r.note, r.reason, r.id); err != nil {
			return err
		}
	}

	type initiative struct {
		id, revision int64
		status       Status
		rec          Record
	}
	var initiatives []initiative
	err = personal.EachRow(ctx, q, `SELECT id, status, data, COALESCE(revision_id, 0),
			COALESCE(created_by, 0) = ? OR id IN (SELECT initiative_id FROM initiative_editors WHERE user_id = ?)
		FROM initiatives
		WHERE created_by = ? OR id IN (SELECT initiative_id FROM initiative_editors WHERE user_id = ?)
			OR lower(data) LIKE ? OR lower(data) LIKE ?`,
		[]any{p.ID, p.ID, p.ID, p.ID, like[0], like[1]},
		func(scan func(...any) error) error {
			var in initiative
			var data string
			var own bool
			if err := scan(&in.id, &in.status, &data, &in.revision, &own); err != nil {
				return err
			}
			scrubbed, changed, err := scrubRecord(pick(own), data)
			if err != nil || !changed {
				return err
			}
			if err := json.Unmarshal([]byte(scrubbed), &in.rec); err != nil {
				return err
			}
			initiatives = append(initiatives, in)
			return nil
		})
	if err != nil {
		return err
	}
	for _, in := range initiatives {
		if err := s.write(ctx, q, in.id, in.status, in.rec, in.revision, s.Now.Millis()); err != nil {
			return err
		}
	}
	return nil
}

// scrubRecord takes the person out of a record's JSON and writes it back in
// the record's own field order.
func scrubRecord(p personal.Person, data string) (string, bool, error) {
	scrubbed, changed := p.ScrubJSON(data)
	if !changed {
		return data, false, nil
	}
	var rec Record
	if err := json.Unmarshal([]byte(scrubbed), &rec); err != nil {
		return "", false, err
	}
	b, err := json.Marshal(rec)
	return string(b), true, err
}
