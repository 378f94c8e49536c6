package account

import (
	"context"
	"strings"

	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
)

// NewUser is an account a steward creates directly (from the command line):
// the address counts as confirmed.
type NewUser struct {
	Email    string
	Name     string
	Password string
	Role     Role
	Language string
}

// Add creates a confirmed account with a role.
func (s *Service) Add(ctx context.Context, in NewUser) (User, error) {
	email, name, f := checkNewAccount(in.Email, in.Name, in.Password)
	if in.Role.rank() < 0 {
		f.Add("role", "role.unknown")
	}
	if err := f.Err(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		now := s.Now.Millis()
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO users (email, name, password_hash, role, language, email_verified_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, email, name, hash, in.Role, checkLanguage(in.Language), now, now, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			return &problem.Error{Kind: problem.Conflict, Code: "validation", Fields: map[string]string{"email": "email.taken"}}
		}
		if err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, "user.create", "user", id, map[string]any{"role": string(in.Role), "via": "steward"}); err != nil {
			return err
		}
		u, err = userByID(ctx, tx, id)
		return err
	})
	return u, err
}

// Count returns how many accounts exist.
func (s *Service) Count(ctx context.Context) (int, error) {
	var n int
	err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n)
	return n, err
}

// Get returns one account as its owner or the platform sees it, without
// auditing; for reading someone else's account use Read.
func (s *Service) Get(ctx context.Context, id int64) (User, error) {
	return userByID(ctx, s.DB, id)
}

// Read returns someone's account for a steward, and records the read.
func (s *Service) Read(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = userByID(ctx, tx, id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "user.read", "user", id, nil)
	})
	return u, err
}

// ListFilter selects accounts for the people page.
type ListFilter struct {
	Query string // part of the e-mail address or name
	Role  Role
	After int64 // paging: accounts with id above this
	Limit int
}

// MaxList is the most accounts one call of List returns.
const MaxList = 500

// List returns accounts for a steward, oldest first, and records that
// personal data was read (the list shows addresses).
func (s *Service) List(ctx context.Context, f ListFilter) ([]User, int64, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, MaxList)
	query := "SELECT " + userColumns + " FROM users WHERE id > ?"
	args := []any{f.After}
	if q := strings.TrimSpace(f.Query); q != "" {
		// SQLite's lower() folds only ASCII letters, so the name is also
		// matched as typed: "Özdemir" must at least find "Özdemir".
		low := strings.ToLower(q)
		query += " AND (instr(email, ?) > 0 OR instr(lower(name), ?) > 0 OR instr(name, ?) > 0)"
		args = append(args, low, low, q)
	}
	if f.Role != "" {
		query += " AND role = ?"
		args = append(args, f.Role)
	}
	query += " ORDER BY id LIMIT ?"
	args = append(args, f.Limit+1)
	var out []User
	var next int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if tx.Engine() == store.Postgres {
			query = strings.ReplaceAll(query, "instr(email, ?) > 0", "strpos(email, ?) > 0")
			query = strings.ReplaceAll(query, "instr(lower(name), ?) > 0", "strpos(lower(name), ?) > 0")
			query = strings.ReplaceAll(query, "instr(name, ?) > 0", "strpos(name, ?) > 0")
		}
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) > f.Limit {
			out = out[:f.Limit]
			next = out[len(out)-1].ID
		}
		// Whether the steward searched, not for what: the query may be
		// someone's address or name, and the audit log keeps no names.
		return audit.Record(ctx, tx, "user.list", "user", "", map[string]any{"searched": strings.TrimSpace(f.Query) != "", "role": string(f.Role), "count": len(out)})
	})
	return out, next, err
}

// SetRole changes a person's role. The last steward cannot be demoted, or
// nobody could run the platform any more.
func (s *Service) SetRole(ctx context.Context, id int64, role Role) error {
	if role.rank() < 0 {
		return problem.Fields{"role": "role.unknown"}.Err()
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		u, err := userByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.Role == role {
			return nil
		}
		if u.Role == Steward {
			if err := lastSteward(ctx, tx, id); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET role = ?, updated_at = ? WHERE id = ?", role, s.Now.Millis(), id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "user.role", "user", id, map[string]any{"from": string(u.Role), "to": string(role)})
	})
}

func lastSteward(ctx context.Context, tx store.Querier, except int64) error {
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE role = 'steward' AND disabled_at IS NULL AND id <> ?", except).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return problem.New(problem.Conflict, "role.last_steward")
	}
	return nil
}

// SetDisabled closes or reopens an account. Closing ends its sessions; its
// API tokens stop working while it is closed.
func (s *Service) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		u, err := userByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.Disabled() == disabled {
			return nil
		}
		var at any
		action := "user.enable"
		if disabled {
			if u.Role == Steward {
				if err := lastSteward(ctx, tx, id); err != nil {
					return err
				}
			}
			at = s.Now.Millis()
			action = "user.disable"
			if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ?", id); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?", at, s.Now.Millis(), id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, action, "user", id, nil)
	})
}
