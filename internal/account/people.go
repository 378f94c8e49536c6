package account

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"samen/internal/store"
)

// What the other parts read about people. The users table is this
// package's alone (internal/store/migrations/OWNERS.md): the atlas, the
// toolbox and assessments ask these functions for the names they show and
// the addresses they mail, so that export and erasure find a person's data
// in one place. Each takes a store.Querier, to run in the caller's
// transaction.

// Person is what another part shows of an account: its id and name, and
// whether the person was erased (their name is then empty for good).
type Person struct {
	ID     int64
	Name   string
	Erased bool
}

// ByID returns one account.
func ByID(ctx context.Context, q store.Querier, id int64) (User, error) {
	return userByID(ctx, q, id)
}

// ActiveID returns the id of the account with the e-mail address email
// (lower-cased and trimmed by the caller), and false when there is none or
// a steward disabled it.
func ActiveID(ctx context.Context, q store.Querier, email string) (int64, bool, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM users WHERE email = ? AND disabled_at IS NULL`, email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// People returns the accounts among ids, by name and then id. Ids without
// an account, and 0, are left out; repeated ids count once.
func People(ctx context.Context, q store.Querier, ids []int64) ([]Person, error) {
	ids = slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id == 0 })
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.Query(ctx, `SELECT id, name, erased_at IS NOT NULL FROM users WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)
		ORDER BY name, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Person, 0, len(ids))
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Name, &p.Erased); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Names returns the names of the accounts among ids, by id. An id without
// an account has no entry, so its name reads "".
func Names(ctx context.Context, q store.Querier, ids []int64) (map[int64]string, error) {
	people, err := People(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(people))
	for _, p := range people {
		names[p.ID] = p.Name
	}
	return names, nil
}

// MailLanguages returns the language each account among ids reads mail in
// ("nl", "en"), by id; accounts that have not chosen one, and ids without
// an account, have no entry. It reads in chunks, so that a workspace's
// announcement to ten thousand people is a handful of queries.
func MailLanguages(ctx context.Context, q store.Querier, ids []int64) (map[int64]string, error) {
	ids = slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id == 0 })
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[int64]string, len(ids))
	for chunk := range slices.Chunk(ids, 1000) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.Query(ctx, `SELECT id, language FROM users WHERE language <> '' AND id IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var lang string
			if err := rows.Scan(&id, &lang); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = lang
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ByEmail returns the account with an e-mail address (lower-cased and
// trimmed by the caller), closed or not: the command line names people by
// address.
func ByEmail(ctx context.Context, q store.Querier, email string) (User, error) {
	return userByEmail(ctx, q, email)
}

// ActiveIDs returns the ids of the open accounts among the addresses
// (lower-cased and trimmed by the caller), by address; addresses without
// one are left out. For imports that link many rows at once.
func ActiveIDs(ctx context.Context, q store.Querier, emails []string) (map[string]int64, error) {
	out := map[string]int64{}
	for batch := range slices.Chunk(emails, 500) {
		args := make([]any, len(batch))
		for i, a := range batch {
			args[i] = a
		}
		rows, err := q.Query(ctx, `SELECT id, email FROM users WHERE disabled_at IS NULL AND email IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(batch)), ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var email string
			if err := rows.Scan(&id, &email); err != nil {
				rows.Close()
				return nil, err
			}
			out[email] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// VerifiedCount is how many accounts could take part in a city-wide vote:
// address confirmed, neither disabled nor erased.
func VerifiedCount(ctx context.Context, q store.Querier) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM users
		WHERE email_verified_at IS NOT NULL AND disabled_at IS NULL AND erased_at IS NULL`).Scan(&n)
	return n, err
}
