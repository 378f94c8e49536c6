package account

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/personal"
	"samen/internal/problem"
	"samen/internal/store"
)

// The account part's side of a person's rights over their data: it says who
// an id is (personal.Identifier), exports the account with its sessions,
// tokens, sign-ins, audit trail and mail, and on erasure keeps the row (other
// parts' rows refer to its id) but takes out everything that names the
// person.

var _ personal.Identifier = (*Service)(nil)

// Part names the account part in exports.
func (s *Service) Part() string { return "account" }

// ErasedEmail is the address an erased account gets: unique (the column is),
// not anyone's (.invalid is reserved by RFC 2606), and saying what happened.
func ErasedEmail(id int64) string { return "erased-" + strconv.FormatInt(id, 10) + "@invalid" }

// Identify returns the person behind id before erasure, and refuses what
// must not be erased: an unknown or already erased account, or the last
// steward (nobody could run the platform any more).
func (s *Service) Identify(ctx context.Context, q store.Querier, id int64) (personal.Person, error) {
	u, err := userByID(ctx, q, id)
	if err != nil {
		return personal.Person{}, err
	}
	if u.Erased() {
		return personal.Person{}, problem.New(problem.Conflict, "erase.already")
	}
	if u.Role == Steward && !u.Disabled() {
		if err := lastSteward(ctx, q, id); problem.Is(err, problem.Conflict) {
			return personal.Person{}, problem.New(problem.Conflict, "erase.last_steward")
		} else if err != nil {
			return personal.Person{}, err
		}
	}
	return personal.Person{ID: u.ID, Email: u.Email, Name: u.Name}, nil
}

// ExportPerson returns the account, its sessions and API tokens (without
// their secrets' hashes), its sign-ins through other services, the audit
// log's lines by or about the person, and the mails to them.
func (s *Service) ExportPerson(ctx context.Context, q store.Querier, id int64) ([]personal.Table, error) {
	u, err := userByID(ctx, q, id)
	if err != nil {
		return nil, err
	}
	users := personal.Table{Name: "account_users",
		Columns: []string{"id", "email", "name", "role", "language", "has_password", "email_verified_at", "disabled_at", "erasure_requested_at", "created_at"},
		Rows: [][]string{{strconv.FormatInt(u.ID, 10), u.Email, u.Name, string(u.Role), u.Language, strconv.FormatBool(u.HasPassword),
			personal.Stamp(u.VerifiedAt), personal.Stamp(u.DisabledAt), personal.Stamp(u.ErasureRequestedAt), personal.Stamp(u.CreatedAt)}}}

	sessions := personal.Table{Name: "account_sessions", Columns: []string{"created_at", "last_seen_at", "expires_at", "ip", "user_agent"}}
	err = personal.EachRow(ctx, q, `SELECT created_at, last_seen_at, expires_at, ip, user_agent FROM sessions WHERE user_id = ? ORDER BY created_at`,
		[]any{id}, func(scan func(...any) error) error {
			var created, seen, expires int64
			var ip, ua string
			if err := scan(&created, &seen, &expires, &ip, &ua); err != nil {
				return err
			}
			sessions.Rows = append(sessions.Rows, []string{personal.Millis(created), personal.Millis(seen), personal.Millis(expires), ip, ua})
			return nil
		})
	if err != nil {
		return nil, err
	}

	tokens := personal.Table{Name: "account_api_tokens", Columns: []string{"id", "name", "prefix", "created_at", "last_used_at", "revoked_at"}}
	err = personal.EachRow(ctx, q, `SELECT id, name, prefix, created_at, COALESCE(last_used_at, 0), COALESCE(revoked_at, 0) FROM api_tokens WHERE user_id = ? ORDER BY id`,
		[]any{id}, func(scan func(...any) error) error {
			var tid, created, used, revoked int64
			var name, prefix string
			if err := scan(&tid, &name, &prefix, &created, &used, &revoked); err != nil {
				return err
			}
			tokens.Rows = append(tokens.Rows, []string{strconv.FormatInt(tid, 10), name, prefix, personal.Millis(created), personal.Millis(used), personal.Millis(revoked)})
			return nil
		})
	if err != nil {
		return nil, err
	}

	oidc := personal.Table{Name: "account_oidc_identities", Columns: []string{"issuer", "subject", "created_at"}}
	err = personal.EachRow(ctx, q, `SELECT issuer, subject, created_at FROM oidc_identities WHERE user_id = ? ORDER BY created_at`,
		[]any{id}, func(scan func(...any) error) error {
			var issuer, subject string
			var created int64
			if err := scan(&issuer, &subject, &created); err != nil {
				return err
			}
			oidc.Rows = append(oidc.Rows, []string{issuer, subject, personal.Millis(created)})
			return nil
		})
	if err != nil {
		return nil, err
	}

	trail := personal.Table{Name: "account_audit_log", Columns: []string{"id", "at", "actor_id", "actor_label", "action", "subject_type", "subject_id", "ip", "detail"}}
	entries, err := audit.About(ctx, q, id)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		detail := ""
		if len(e.Detail) > 0 {
			b, _ := json.Marshal(e.Detail)
			detail = string(b)
		}
		trail.Rows = append(trail.Rows, []string{strconv.FormatInt(e.ID, 10), personal.Stamp(e.At), personal.ID(e.ActorID), e.ActorLabel, e.Action,
			e.SubjectType, e.SubjectID, e.IP, detail})
	}

	mails := personal.Table{Name: "account_mail", Columns: []string{"id", "created_at", "to", "reply_to", "subject", "body", "status", "sent_at"}}
	msgs, err := mail.About(ctx, q, u.Email)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		mails.Rows = append(mails.Rows, []string{strconv.FormatInt(m.ID, 10), personal.Stamp(m.CreatedAt), m.To, m.ReplyTo, m.Subject, m.Body, m.Status, personal.Stamp(m.SentAt)})
	}
	return []personal.Table{users, sessions, tokens, oidc, trail, mails}, nil
}

// ErasePerson ends everything that lets the account be used or found (its
// sessions, tokens, sign-ins through other services, mailed links, login
// failures, which are keyed by address), deletes the mails to and from the
// person, and pseudonymises the account itself: the row stays, since other
// parts' rows name its id, with an address that is nobody's and no name,
// password, language or role.
func (s *Service) ErasePerson(ctx context.Context, q store.Querier, p personal.Person) error {
	for _, stmt := range []string{
		`DELETE FROM sessions WHERE user_id = ?`,
		`DELETE FROM api_tokens WHERE user_id = ?`,
		`DELETE FROM oidc_identities WHERE user_id = ?`,
		`DELETE FROM email_tokens WHERE user_id = ?`,
	} {
		if _, err := q.Exec(ctx, stmt, p.ID); err != nil {
			return err
		}
	}
	if _, err := q.Exec(ctx, `DELETE FROM login_failures WHERE key = ? OR key LIKE ?`,
		accountKey(p.Email), "device:"+strconv.FormatInt(p.ID, 10)+":%"); err != nil {
		return err
	}
	if _, err := mail.Forget(ctx, q, p); err != nil {
		return err
	}
	now := s.Now.Millis()
	_, err := q.Exec(ctx, `UPDATE users SET email = ?, name = '', password_hash = '', language = '', role = 'member',
		disabled_at = COALESCE(disabled_at, ?), erasure_requested_at = NULL, erased_at = ?, updated_at = ? WHERE id = ?`,
		ErasedEmail(p.ID), now, now, now, p.ID)
	return err
}

// RequestErasure records that a person asks for their data to be erased
// and mails the stewards, who carry it out (after making sure, for
// instance, that no record the law makes us keep is lost with it). Asking
// again while the request waits changes nothing and mails nobody.
func (s *Service) RequestErasure(ctx context.Context, userID int64) error {
	sent := false
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		u, err := userByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.ErasureRequested() {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET erasure_requested_at = ?, updated_at = ? WHERE id = ?`, s.Now.Millis(), s.Now.Millis(), userID); err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, "user.erasure_request", "user", userID, nil); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+userColumns+` FROM users WHERE role = 'steward' AND disabled_at IS NULL ORDER BY id`)
		if err != nil {
			return err
		}
		var stewards []User
		for rows.Next() {
			st, err := scanUser(rows)
			if err != nil {
				rows.Close()
				return err
			}
			stewards = append(stewards, st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if s.Letters == nil {
			return nil
		}
		for _, st := range stewards {
			if err := mail.Enqueue(ctx, tx, s.Letters.ErasureRequested(st, userID)); err != nil {
				return err
			}
			sent = true
		}
		return nil
	})
	if err == nil && sent {
		s.mailed()
	}
	return err
}

// ErasureRequests lists the people waiting to be erased, oldest request
// first, for the stewards' people page; the read is recorded, as the list
// shows addresses.
func (s *Service) ErasureRequests(ctx context.Context) ([]User, error) {
	var out []User
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `SELECT `+userColumns+` FROM users
			WHERE erasure_requested_at IS NOT NULL AND erased_at IS NULL ORDER BY erasure_requested_at, id LIMIT 200`)
		if err != nil {
			return err
		}
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		return audit.Record(ctx, tx, "user.list", "user", "", map[string]any{"erasure_requests": true, "count": len(out)})
	})
	return out, err
}

// CheckErasure is the confirmation a steward gives before erasing someone:
// typing their address, so that a slip of the mouse on the wrong row
// erases nobody.
func CheckErasure(u User, typed string) error {
	email, _ := NormalizeEmail(typed)
	if strings.TrimSpace(typed) == "" {
		return problem.Fields{"confirm_email": "erase.confirm_required"}.Err()
	}
	if email != u.Email {
		return problem.Fields{"confirm_email": "erase.confirm_mismatch"}.Err()
	}
	return nil
}
