package atlas

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"samen/internal/store"
)

// What the other parts read of the atlas. The tables of initiatives, their
// editors and the tools they name are this package's alone
// (internal/store/migrations/OWNERS.md); the toolbox, and the bench in
// cmd/samen, read them through these functions. Each takes a store.Querier, to run in the caller's
// transaction.

// Ref is an initiative as another part names it.
type Ref struct {
	ID        int64
	Name      string
	Status    Status
	CreatedBy int64 // the account that proposed it; 0 when unknown or erased
}

// Public reports whether the initiative's page is public: published or
// archived.
func (r Ref) Public() bool { return r.Status == Published || r.Status == Archived }

// Lookup returns an initiative's id, name and status, whoever may see it;
// errNotFound when there is none.
func Lookup(ctx context.Context, q store.Querier, id int64) (Ref, error) {
	r := Ref{ID: id}
	err := q.QueryRow(ctx, `SELECT name, status, COALESCE(created_by, 0) FROM initiatives WHERE id = ?`, id).Scan(&r.Name, &r.Status, &r.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errNotFound
	}
	return r, err
}

// Count returns how many initiatives the database holds, in any status.
func Count(ctx context.Context, q store.Querier) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM initiatives`).Scan(&n)
	return n, err
}

// Edits reports whether the account userID is one of the initiative's
// editors.
func Edits(ctx context.Context, q store.Querier, userID, initiativeID int64) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM initiative_editors WHERE initiative_id = ? AND user_id = ?`, initiativeID, userID).Scan(&n)
	return n > 0, err
}

// EditedBy lists the published and pending initiatives that the account
// userID edits, by name.
func EditedBy(ctx context.Context, q store.Querier, userID int64) ([]Ref, error) {
	return refs(ctx, q, `SELECT i.id, i.name, i.status FROM initiative_editors e JOIN initiatives i ON i.id = e.initiative_id
		WHERE e.user_id = ? AND i.status IN ('published', 'pending') ORDER BY i.name, i.id`, userID)
}

// UsingTool lists the published initiatives whose entry names a tool by
// one of keys (as ToolKey writes them), by name and at most limit, and
// says how many there are in all.
func UsingTool(ctx context.Context, q store.Querier, keys []string, limit int) ([]Ref, int, error) {
	if len(keys) == 0 {
		return nil, 0, nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(keys)), ", ") + ")"
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(DISTINCT i.id) FROM initiative_tools it JOIN initiatives i ON i.id = it.initiative_id
		WHERE it.tool IN `+in+` AND i.status = 'published'`, args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	out, err := refs(ctx, q, `SELECT DISTINCT i.id, i.name, i.status FROM initiative_tools it JOIN initiatives i ON i.id = it.initiative_id
		WHERE it.tool IN `+in+` AND i.status = 'published' ORDER BY i.name, i.id LIMIT ?`, append(args, limit)...)
	return out, n, err
}

func refs(ctx context.Context, q store.Querier, query string, args ...any) ([]Ref, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Ref
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.ID, &r.Name, &r.Status); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Editors lists the ids of the accounts that edit the initiative.
func Editors(ctx context.Context, q store.Querier, initiativeID int64) ([]int64, error) {
	return editors(ctx, q, initiativeID)
}
