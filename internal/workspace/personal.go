package workspace

import (
	"context"
	"strconv"
	"strings"

	"samen/internal/account"
	"samen/internal/personal"
	"samen/internal/store"
)

// The workspaces' side of a person's rights over their data. The export
// holds their rows of every register (with the workspace's own fields and
// their consents), their requests to join, the invitations sent to their
// address, the announcements they sent and the file versions they
// uploaded. Erasure blanks their name and contact details in every
// register, removes their field values and consents and ends their
// memberships; the rows stay, with their membership number, dates and
// circle, because a co-operative or association must keep its register
// (and the shares and ledger entries that hang from it) — pseudonymised,
// under the person's id.

var _ personal.Holder = (*Service)(nil)

// Part names the workspaces in exports.
func (s *Service) Part() string { return "workspace" }

// rowsOf are the person's rows of every register: those linked to the
// account, and those that carry its address without being linked yet
// (imported before the person signed up).
const rowsOf = `(m.user_id = ? OR (m.user_id IS NULL AND m.email <> '' AND m.email = ?))`

// ExportPerson returns what the workspaces hold about the person.
func (s *Service) ExportPerson(ctx context.Context, q store.Querier, userID int64) ([]personal.Table, error) {
	u, err := account.ByID(ctx, q, userID)
	if err != nil {
		return nil, err
	}
	email := u.Email
	members := personal.Table{Name: "workspace_memberships", Columns: []string{"workspace", "workspace_name", "member", "number", "circle",
		"name", "email", "phone", "address", "joined_on", "left_on", "roles", "unsubscribed"}}
	var ids []int64
	err = personal.EachRow(ctx, q, `SELECT w.slug, w.name, m.id, m.number, m.circle, m.name, m.email, m.phone, m.address, m.joined_on,
		COALESCE(m.left_on, ''), m.unsubscribed_at IS NOT NULL FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
		WHERE `+rowsOf+` ORDER BY w.name, m.id`, []any{userID, email},
		func(scan func(...any) error) error {
			var slug, wsName, circle, name, mail, phone, address, joined, left string
			var id, number int64
			var unsubscribed bool
			if err := scan(&slug, &wsName, &id, &number, &circle, &name, &mail, &phone, &address, &joined, &left, &unsubscribed); err != nil {
				return err
			}
			ids = append(ids, id)
			members.Rows = append(members.Rows, []string{slug, wsName, personal.ID(id), strconv.FormatInt(number, 10), circle,
				name, mail, phone, address, joined, left, "", strconv.FormatBool(unsubscribed)})
			return nil
		})
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		roles, err := rolesOf(ctx, q, id)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, r := range roles {
			names = append(names, string(r))
		}
		members.Rows[i][11] = strings.Join(names, " ")
	}

	values := personal.Table{Name: "workspace_field_values", Columns: []string{"workspace", "member", "field", "label", "value"}}
	err = personal.EachRow(ctx, q, `SELECT w.slug, m.id, f.key, f.label, v.value FROM workspace_field_values v
		JOIN workspace_members m ON m.id = v.member_id JOIN workspace_fields f ON f.id = v.field_id JOIN workspaces w ON w.id = m.workspace_id
		WHERE `+rowsOf+` ORDER BY w.slug, m.id, f.position, f.id`, []any{userID, email},
		func(scan func(...any) error) error {
			var slug, key, label, value string
			var id int64
			if err := scan(&slug, &id, &key, &label, &value); err != nil {
				return err
			}
			values.Rows = append(values.Rows, []string{slug, personal.ID(id), key, label, value})
			return nil
		})
	if err != nil {
		return nil, err
	}

	consents := personal.Table{Name: "workspace_consents", Columns: []string{"workspace", "member", "key", "version", "text", "given_at", "withdrawn_at"}}
	err = personal.EachRow(ctx, q, `SELECT w.slug, m.id, t.key, t.version, t.text, c.given_at, COALESCE(c.withdrawn_at, 0)
		FROM workspace_consents c JOIN workspace_members m ON m.id = c.member_id JOIN workspace_consent_texts t ON t.id = c.text_id
		JOIN workspaces w ON w.id = m.workspace_id WHERE `+rowsOf+` ORDER BY w.slug, c.given_at`, []any{userID, email},
		func(scan func(...any) error) error {
			var slug, key, text string
			var id, given, withdrawn int64
			var version int
			if err := scan(&slug, &id, &key, &version, &text, &given, &withdrawn); err != nil {
				return err
			}
			consents.Rows = append(consents.Rows, []string{slug, personal.ID(id), key, strconv.Itoa(version), text, personal.Millis(given), personal.Millis(withdrawn)})
			return nil
		})
	if err != nil {
		return nil, err
	}

	requests := personal.Table{Name: "workspace_join_requests", Columns: []string{"workspace", "message", "created_at", "decision", "decided_at"}}
	err = personal.EachRow(ctx, q, `SELECT w.slug, r.message, r.created_at, COALESCE(r.decision, ''), COALESCE(r.decided_at, 0)
		FROM workspace_join_requests r JOIN workspaces w ON w.id = r.workspace_id WHERE r.user_id = ? ORDER BY r.created_at`, []any{userID},
		func(scan func(...any) error) error {
			var slug, message, decision string
			var created, decided int64
			if err := scan(&slug, &message, &created, &decision, &decided); err != nil {
				return err
			}
			requests.Rows = append(requests.Rows, []string{slug, message, personal.Millis(created), decision, personal.Millis(decided)})
			return nil
		})
	if err != nil {
		return nil, err
	}

	invitations := personal.Table{Name: "workspace_invitations", Columns: []string{"workspace", "email", "circle", "created_at", "expires_at", "accepted_at"}}
	err = personal.EachRow(ctx, q, `SELECT w.slug, i.email, i.circle, i.created_at, i.expires_at, COALESCE(i.accepted_at, 0)
		FROM workspace_invitations i JOIN workspaces w ON w.id = i.workspace_id WHERE i.email = ? OR i.accepted_by = ? ORDER BY i.created_at`,
		[]any{email, userID},
		func(scan func(...any) error) error {
			var slug, mail, circle string
			var created, expires, accepted int64
			if err := scan(&slug, &mail, &circle, &created, &expires, &accepted); err != nil {
				return err
			}
			invitations.Rows = append(invitations.Rows, []string{slug, mail, circle, personal.Millis(created), personal.Millis(expires), personal.Millis(accepted)})
			return nil
		})
	if err != nil {
		return nil, err
	}
	// What they put in workspaces: announcements they sent, file versions
	// they uploaded.
	sent := personal.Table{Name: "workspace_announcements", Columns: []string{"workspace", "title", "body", "visibility", "recipients", "created_at"}}
	err = personal.EachRow(ctx, q, `SELECT w.slug, a.title, a.body, a.visibility, a.recipients, a.created_at FROM workspace_announcements a
		JOIN workspaces w ON w.id = a.workspace_id WHERE a.author_id = ? ORDER BY a.created_at`, []any{userID},
		func(scan func(...any) error) error {
			var slug, title, body, vis string
			var recipients int
			var created int64
			if err := scan(&slug, &title, &body, &vis, &recipients, &created); err != nil {
				return err
			}
			sent.Rows = append(sent.Rows, []string{slug, title, body, vis, strconv.Itoa(recipients), personal.Millis(created)})
			return nil
		})
	if err != nil {
		return nil, err
	}
	uploads := personal.Table{Name: "workspace_file_versions", Columns: []string{"workspace", "file", "name", "version", "size", "sha256", "uploaded_at"}}
	err = personal.EachRow(ctx, q, `SELECT w.slug, f.id, f.name, v.version, v.size, v.sha256, v.uploaded_at FROM workspace_file_versions v
		JOIN workspace_files f ON f.id = v.file_id JOIN workspaces w ON w.id = f.workspace_id WHERE v.uploaded_by = ? ORDER BY v.uploaded_at`, []any{userID},
		func(scan func(...any) error) error {
			var slug, name, hash string
			var id, size, uploaded int64
			var version int
			if err := scan(&slug, &id, &name, &version, &size, &hash, &uploaded); err != nil {
				return err
			}
			uploads.Rows = append(uploads.Rows, []string{slug, personal.ID(id), name, strconv.Itoa(version), strconv.FormatInt(size, 10), hash, personal.Millis(uploaded)})
			return nil
		})
	if err != nil {
		return nil, err
	}
	return []personal.Table{members, values, consents, requests, invitations, sent, uploads}, nil
}

// ErasePerson blanks the person in every register and removes what is
// theirs alone; see the comment at the top of this file for what stays.
func (s *Service) ErasePerson(ctx context.Context, q store.Querier, p personal.Person) error {
	now := s.Now.Millis()
	ids, err := store.IDs(ctx, q, `SELECT m.id FROM workspace_members m WHERE `+rowsOf, p.ID, strings.ToLower(p.Email))
	if err != nil {
		return err
	}
	for _, id := range ids {
		for _, stmt := range []string{
			`DELETE FROM workspace_field_values WHERE member_id = ?`,
			`DELETE FROM workspace_consents WHERE member_id = ?`,
			`DELETE FROM workspace_roles WHERE member_id = ?`,
		} {
			if _, err := q.Exec(ctx, stmt, id); err != nil {
				return err
			}
		}
		if _, err := q.Exec(ctx, `UPDATE workspace_members SET name = '', email = '', phone = '', address = '',
			left_on = COALESCE(left_on, ?), unsubscribed_at = COALESCE(unsubscribed_at, ?), erased_at = ?, updated_at = ? WHERE id = ?`,
			s.today(), now, now, now, id); err != nil {
			return err
		}
	}
	if _, err := q.Exec(ctx, `UPDATE workspace_join_requests SET message = '' WHERE user_id = ?`, p.ID); err != nil {
		return err
	}
	if p.Email != "" {
		if _, err := q.Exec(ctx, `UPDATE workspace_invitations SET email = '', revoked_at = COALESCE(revoked_at, ?) WHERE email = ?`,
			now, strings.ToLower(p.Email)); err != nil {
			return err
		}
	}
	// Other people's texts that name the person: join requests and
	// announcements.
	other := p.ForOthers()
	like := other.Like()
	type change struct {
		id          int64
		title, body string
	}
	var requests, announcements []change
	err = personal.EachRow(ctx, q, `SELECT id, message FROM workspace_join_requests WHERE lower(message) LIKE ? OR lower(message) LIKE ?`, like,
		func(scan func(...any) error) error {
			var c change
			if err := scan(&c.id, &c.body); err != nil {
				return err
			}
			var changed bool
			if c.body, changed = other.Scrub(c.body); changed {
				requests = append(requests, c)
			}
			return nil
		})
	if err != nil {
		return err
	}
	err = personal.EachRow(ctx, q, `SELECT id, title, body FROM workspace_announcements
		WHERE lower(title) LIKE ? OR lower(title) LIKE ? OR lower(body) LIKE ? OR lower(body) LIKE ?`, append(like, like...),
		func(scan func(...any) error) error {
			var c change
			if err := scan(&c.id, &c.title, &c.body); err != nil {
				return err
			}
			var a, b bool
			c.title, a = other.Scrub(c.title)
			c.body, b = other.Scrub(c.body)
			if a || b {
				announcements = append(announcements, c)
			}
			return nil
		})
	if err != nil {
		return err
	}
	// File names that name the person (the bytes are the group's
	// documents; a name like "Minutes, with Zoë's address" is not).
	var files []change
	err = personal.EachRow(ctx, q, `SELECT id, name FROM workspace_files WHERE lower(name) LIKE ? OR lower(name) LIKE ?`, like,
		func(scan func(...any) error) error {
			var c change
			if err := scan(&c.id, &c.title); err != nil {
				return err
			}
			var changed bool
			if c.title, changed = other.Scrub(c.title); changed {
				files = append(files, c)
			}
			return nil
		})
	if err != nil {
		return err
	}
	for _, c := range files {
		if _, err := q.Exec(ctx, `UPDATE workspace_files SET name = ? WHERE id = ?`, c.title, c.id); err != nil {
			return err
		}
	}
	for _, c := range requests {
		if _, err := q.Exec(ctx, `UPDATE workspace_join_requests SET message = ? WHERE id = ?`, c.body, c.id); err != nil {
			return err
		}
	}
	for _, c := range announcements {
		if _, err := q.Exec(ctx, `UPDATE workspace_announcements SET title = ?, body = ? WHERE id = ?`, c.title, c.body, c.id); err != nil {
			return err
		}
	}
	return nil
}
