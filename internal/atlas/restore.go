package atlas

import (
	"context"
	"encoding/json"
	"fmt"

	"samen/internal/store"
)

// AfterRestore makes what a backup leaves out because it is worked out
// from the rows: the full-text index of the published entries (SQLite's
// FTS5 table, PostgreSQL's table of search vectors, which differ between
// the engines and so cannot be copied from one to the other). It also
// moves the map generation, so that a process already running on the
// database rebuilds its map index from the restored rows. It runs in the
// restore's transaction (store.RestoreOptions.After).
func AfterRestore(ctx context.Context, tx *store.Tx) error {
	if err := tx.BulkPlans(ctx); err != nil {
		return err
	}
	if err := rebuildSearch(ctx, tx); err != nil {
		return fmt.Errorf("rebuilding the atlas's search index: %w", err)
	}
	return moveMapGeneration(ctx, tx)
}

// rebuildSearch indexes every published entry afresh, a thousand at a
// time, as Service.reindex indexes one. The entries read are decoded and
// their index worked out on another core while the transaction writes
// the thousand before and reads the next.
func rebuildSearch(ctx context.Context, tx *store.Tx) error {
	if _, err := tx.Exec(ctx, `DELETE FROM initiative_search`); err != nil {
		return err
	}
	pg := tx.Engine() == store.Postgres
	columns := "rowid, terms"
	if pg {
		columns = "id, search"
	}
	type read struct {
		ids  []int64
		data []string
	}
	type made struct {
		args []any // ID and index entry, a row after another
		err  error
	}
	todo, done := make(chan read), make(chan made)
	go func() {
		defer close(done)
		cache := newStemCache()
		for r := range todo {
			var m made
			for i, data := range r.data {
				var rec Record
				if err := json.Unmarshal([]byte(data), &rec); err != nil {
					m.err = fmt.Errorf("initiative %d: %w", r.ids[i], err)
					break
				}
				if pg {
					m.args = append(m.args, r.ids[i], cache.pgVector(rec))
				} else {
					m.args = append(m.args, r.ids[i], cache.indexTerms(rec))
				}
			}
			done <- m
		}
	}()
	defer func() {
		close(todo)
		for range done { // what was sent is worked out, and dropped
		}
	}()
	next := func(after int64) (read, error) {
		var r read
		rows, err := tx.Query(ctx, `SELECT id, data FROM initiatives WHERE status = ? AND id > ? ORDER BY id LIMIT 1000`, Published, after)
		if err != nil {
			return r, err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id   int64
				data string
			)
			if err := rows.Scan(&id, &data); err != nil {
				return r, err
			}
			r.ids, r.data = append(r.ids, id), append(r.data, data)
		}
		return r, rows.Err()
	}
	var after int64 // the last entry read
	for pending := false; ; {
		r, err := next(after)
		if err != nil {
			return err
		}
		var m made
		if pending {
			m, pending = <-done, false
		}
		if len(r.ids) > 0 {
			after = r.ids[len(r.ids)-1]
			todo <- r
			pending = true
		}
		if m.err != nil {
			return m.err
		}
		if err := writeRows(ctx, tx, "initiative_search", columns, m.args); err != nil {
			return err
		}
		if !pending {
			return nil
		}
	}
}
