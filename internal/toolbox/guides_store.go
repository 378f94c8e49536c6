package toolbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
)

// Guides lists the guides by id.
func (s *Service) Guides(ctx context.Context) ([]Guide, error) {
	return decodeAll[Guide](ctx, s.DB, `SELECT data FROM guides ORDER BY id`)
}

// GuidesAbout lists the guides about a tool.
func (s *Service) GuidesAbout(ctx context.Context, toolID string) ([]Guide, error) {
	all, err := s.Guides(ctx)
	return slices.DeleteFunc(all, func(g Guide) bool { return !slices.Contains(g.Tools, toolID) }), err
}

// decodeAll runs a query for one JSON column and decodes every row.
func decodeAll[T any](ctx context.Context, q store.Querier, query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var data string
		var x T
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &x); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Guide returns one guide.
func (s *Service) Guide(ctx context.Context, id string) (Guide, error) {
	var data string
	var g Guide
	err := s.DB.QueryRow(ctx, `SELECT data FROM guides WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return g, errNotFound
	}
	if err == nil {
		err = json.Unmarshal([]byte(data), &g)
	}
	return g, err
}

// SaveGuide stores a new or changed guide, as a revision. Stewards only.
func (s *Service) SaveGuide(ctx context.Context, u *account.User, g Guide, note string, create bool) (Guide, error) {
	if !account.IsSteward(u) {
		return g, errForbidden
	}
	g.Normalize()
	note = strings.TrimSpace(note)
	if err := g.Validate(); err != nil {
		return g, err
	}
	if err := checkNote(note); err != nil {
		return g, err
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM guides WHERE id = ?`, g.ID).Scan(&n); err != nil {
			return err
		}
		switch {
		case create && n > 0:
			return &problem.Error{Kind: problem.Conflict, Code: "toolbox.id_taken", Fields: problem.Fields{"id": "slug.taken"}}
		case !create && n == 0:
			return errNotFound
		}
		return s.writeGuide(ctx, tx, g, note, u, s.Now.Millis(), create)
	})
	return g, err
}

func (s *Service) writeGuide(ctx context.Context, tx *store.Tx, g Guide, note string, u *account.User, now int64, create bool) error {
	data, err := json.Marshal(g)
	if err != nil {
		return err
	}
	rev, err := s.revision(ctx, tx, "guide", g.ID, data, note, u, now)
	if err != nil {
		return err
	}
	if create {
		_, err = tx.Exec(ctx, `INSERT INTO guides (id, data, revision_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`, g.ID, string(data), rev, now, now)
	} else {
		_, err = tx.Exec(ctx, `UPDATE guides SET data = ?, revision_id = ?, updated_at = ? WHERE id = ?`, string(data), rev, now, g.ID)
	}
	if err != nil || u == nil {
		return err
	}
	action := "guide.update"
	if create {
		action = "guide.create"
	}
	return audit.Record(ctx, tx, action, "guide", g.ID, map[string]any{"revision": rev})
}

// RestoreGuide saves an earlier version of a guide as its newest.
func (s *Service) RestoreGuide(ctx context.Context, u *account.User, id string, revisionID int64) (Guide, error) {
	var data string
	err := s.DB.QueryRow(ctx, `SELECT data FROM toolbox_revisions WHERE id = ? AND subject = 'guide' AND subject_id = ?`, revisionID, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Guide{}, errNotFound
	}
	if err != nil {
		return Guide{}, err
	}
	var g Guide
	if err := json.Unmarshal([]byte(data), &g); err != nil {
		return g, err
	}
	return s.SaveGuide(ctx, u, g, NoteRestored, false)
}
