package workspace

import (
	"context"

	"samen/internal/account"
	"samen/internal/store"
)

// What other parts that live in a workspace (decisions, funding) ask of it.
// They take a store.Querier so that they run in the caller's transaction.

// ViewerIn returns the workspace ref (id or slug) and who u is in it, for a
// part that answers "may this person see or do this?" with Viewer's rules
// rather than its own.
func ViewerIn(ctx context.Context, q store.Querier, u *account.User, ref string) (Workspace, Viewer, error) {
	ws, err := load(ctx, q, ref)
	if err != nil {
		return Workspace{}, Viewer{}, err
	}
	v, err := viewerOf(ctx, q, ws.ID, u)
	return ws, v, err
}

// AccountsIn lists the account ids of the people now in the given circles
// of workspace wsID (not those who left, were erased or have no account),
// in id order: the electorate of a workspace's vote, fixed when voting
// opens.
func AccountsIn(ctx context.Context, q store.Querier, wsID int64, circles []Circle) ([]int64, error) {
	if len(circles) == 0 {
		return nil, nil
	}
	args := []any{wsID}
	marks := ""
	for i, c := range circles {
		if i > 0 {
			marks += ", "
		}
		marks += "?"
		args = append(args, string(c))
	}
	rows, err := q.Query(ctx, `SELECT user_id FROM workspace_members
		WHERE workspace_id = ? AND circle IN (`+marks+`) AND user_id IS NOT NULL
		AND left_on IS NULL AND erased_at IS NULL ORDER BY user_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
