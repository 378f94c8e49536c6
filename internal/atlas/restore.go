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
	if err := rebuildSearch(ctx, tx); err != nil {
		return fmt.Errorf("rebuilding the atlas's search index: %w", err)
	}
	return moveMapGeneration(ctx, tx)
}

// rebuildSearch indexes every published entry afresh, a thousand at a
// time, as Service.reindex indexes one.
func rebuildSearch(ctx context.Context, tx *store.Tx) error {
	pg := tx.Engine() == store.Postgres
	if _, err := tx.Exec(ctx, `DELETE FROM initiative_search`); err != nil {
		return err
	}
	cache := newStemCache()
	var after int64
	for {
		rows, err := tx.Query(ctx, `SELECT id, data FROM initiatives WHERE status = ? AND id > ? ORDER BY id LIMIT 1000`, Published, after)
		if err != nil {
			return err
		}
		var args []any
		for rows.Next() {
			var (
				id   int64
				data string
				rec  Record
			)
			if err := rows.Scan(&id, &data); err != nil {
				rows.Close()
				return err
			}
			if err := json.Unmarshal([]byte(data), &rec); err != nil {
				rows.Close()
				return fmt.Errorf("initiative %d: %w", id, err)
			}
			if pg {
				text := searchText(rec)
				args = append(args, id, rec.Name, rec.Name, text, text)
			} else {
				args = append(args, id, cache.indexTerms(rec))
			}
			after = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(args) == 0 {
			return nil
		}
		if pg {
			err = insertRows(ctx, tx, `INSERT INTO initiative_search (id, search)`, "(?, "+pgSearch+")", 5, args, maxArgs)
		} else {
			err = insertMany(ctx, tx, `INSERT INTO initiative_search (rowid, terms)`, 2, args)
		}
		if err != nil {
			return err
		}
	}
}
