// Package audit keeps the append-only record of who changed or read what, when
// and from where. Every change in samen, and every read of personal data by
// someone other than the person it is about, writes an entry in the same
// transaction as the change itself, so the record and the data cannot
// disagree. The table refuses UPDATE and DELETE (triggers on both engines).
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"samen/internal/store"
)

// Actor is who is acting: a signed-in person, or nobody (a visitor, the
// system). The web layer puts it in the context of each request.
type Actor struct {
	UserID int64  // 0: nobody signed in
	Label  string // e-mail at the time, or "system"; kept so the record reads well after the person is gone
	IP     string
}

type actorKey struct{}

// WithActor returns a context that carries the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or the system when there is none
// (commands run from the shell, background jobs).
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Label: "system"}
}

// Entry is one line of the record.
type Entry struct {
	ID          int64
	At          time.Time
	ActorID     int64
	ActorLabel  string
	Action      string // verb-like code: "user.create", "session.login", "user.read"
	SubjectType string // "user", "api_token", …
	SubjectID   string
	IP          string
	Detail      map[string]any
}

// Record appends an entry for the actor in ctx. Call it inside the transaction
// that makes the change. detail must not hold secrets (passwords, tokens).
func Record(ctx context.Context, q store.Querier, action, subjectType, subjectID string, detail map[string]any) error {
	a := ActorFrom(ctx)
	d := ""
	if len(detail) > 0 {
		b, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
		d = string(b)
	}
	var actor any
	if a.UserID != 0 {
		actor = a.UserID
	}
	_, err := q.Exec(ctx, `INSERT INTO audit_log (at, actor_id, actor_label, action, subject_type, subject_id, ip, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, store.Now(), actor, a.Label, action, subjectType, subjectID, a.IP, d)
	if err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	return nil
}

// RecordID is Record for subjects with a numeric id.
func RecordID(ctx context.Context, q store.Querier, action, subjectType string, id int64, detail map[string]any) error {
	return Record(ctx, q, action, subjectType, strconv.FormatInt(id, 10), detail)
}

// Filter selects entries; zero fields do not filter.
type Filter struct {
	ActorID     int64
	Action      string // exact, or a prefix ending in '.' ("user." for every user action)
	SubjectType string
	SubjectID   string
	Before      int64 // entries with id below this (paging backwards); 0 for the newest
	Limit       int   // default 50, at most 500
}

// List returns entries newest first, and the cursor for the next page (0 when
// there is none).
func List(ctx context.Context, q store.Querier, f Filter) ([]Entry, int64, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 500 {
		f.Limit = 500
	}
	var where []string
	var args []any
	if f.ActorID != 0 {
		where = append(where, "actor_id = ?")
		args = append(args, f.ActorID)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			// substr instead of LIKE: action codes contain '_', a LIKE wildcard.
			where = append(where, "substr(action, 1, ?) = ?")
			args = append(args, len(f.Action), f.Action)
		} else {
			where = append(where, "action = ?")
			args = append(args, f.Action)
		}
	}
	if f.SubjectType != "" {
		where = append(where, "subject_type = ?")
		args = append(args, f.SubjectType)
	}
	if f.SubjectID != "" {
		where = append(where, "subject_id = ?")
		args = append(args, f.SubjectID)
	}
	if f.Before > 0 {
		where = append(where, "id < ?")
		args = append(args, f.Before)
	}
	query := "SELECT id, at, COALESCE(actor_id, 0), actor_label, action, subject_type, subject_id, ip, detail FROM audit_log"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit+1)
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		var detail string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorLabel, &e.Action, &e.SubjectType, &e.SubjectID, &e.IP, &detail); err != nil {
			return nil, 0, err
		}
		e.At = store.Time(at)
		if detail != "" {
			_ = json.Unmarshal([]byte(detail), &e.Detail)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}
