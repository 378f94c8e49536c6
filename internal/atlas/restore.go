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
// restore's transaction (store.RestoreOptions.After) on db, whose other
// connections work out PostgreSQL's search vectors meanwhile.
func AfterRestore(ctx context.Context, db *store.DB, tx *store.Tx) error {
	if err := tx.BulkPlans(ctx); err != nil {
		return err
	}
	if err := rebuildSearch(ctx, db, tx); err != nil {
		return fmt.Errorf("rebuilding the atlas's search index: %w", err)
	}
	return moveMapGeneration(ctx, tx)
}

// rebuildSearch indexes every published entry afresh, a thousand at a
// time, as Service.reindex indexes one. On PostgreSQL the vectors of
// one thousand are worked out by another server process (pgVectors)
// while the transaction reads the next and writes the last.
func rebuildSearch(ctx context.Context, db *store.DB, tx *store.Tx) error {
	if _, err := tx.Exec(ctx, `DELETE FROM initiative_search`); err != nil {
		return err
	}
	cache := newStemCache()
	pg := tx.Engine() == store.Postgres
	// next reads the published entries after the last one read.
	var after int64
	next := func() ([]importStep, error) {
		rows, err := tx.Query(ctx, `SELECT id, data FROM initiatives WHERE status = ? AND id > ? ORDER BY id LIMIT 1000`, Published, after)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var steps []importStep
		for rows.Next() {
			st := importStep{status: Published}
			var data string
			if err := rows.Scan(&st.id, &data); err != nil {
				return nil, err
			}
			if err := json.Unmarshal([]byte(data), &st.rec); err != nil {
				return nil, fmt.Errorf("initiative %d: %w", st.id, err)
			}
			if !pg {
				st.terms = cache.indexTerms(st.rec)
			}
			steps = append(steps, st)
			after = st.id
		}
		return steps, rows.Err()
	}
	if !pg {
		for {
			steps, err := next()
			if err != nil || len(steps) == 0 {
				return err
			}
			args := make([]any, 0, 2*len(steps))
			for _, st := range steps {
				args = append(args, st.id, st.terms)
			}
			if err := insertMany(ctx, tx, `INSERT INTO initiative_search (rowid, terms)`, 2, args); err != nil {
				return err
			}
		}
	}

	type worked struct {
		steps []importStep
		err   error
	}
	todo, done := make(chan []importStep, 1), make(chan worked, 1)
	go func() {
		defer close(done)
		for steps := range todo {
			done <- worked{steps, pgVectors(ctx, db, steps)}
		}
	}()
	defer func() {
		close(todo)
		for range done { // what was sent is worked out, and dropped
		}
	}()
	waiting := 0
	write := func() error {
		w := <-done
		waiting--
		if w.err != nil {
			return w.err
		}
		args := make([]any, 0, 2*len(w.steps))
		for _, st := range w.steps {
			args = append(args, st.id, st.vector)
		}
		return insertVectors(ctx, tx, args)
	}
	for {
		steps, err := next()
		if err != nil {
			return err
		}
		if len(steps) == 0 {
			break
		}
		todo <- steps
		if waiting++; waiting == 2 {
			if err := write(); err != nil {
				return err
			}
		}
	}
	for waiting > 0 {
		if err := write(); err != nil {
			return err
		}
	}
	return nil
}
