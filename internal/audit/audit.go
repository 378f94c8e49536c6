// Package audit keeps the append-only record of who changed or read what, when
// and from where. Every change in samen, and every read of personal data by
// someone other than the person it is about, writes an entry in the same
// transaction as the change itself, so the record and the data cannot
// disagree. The table refuses UPDATE and DELETE (triggers on both engines).
//
// Because nothing in it can be changed, the log refers to people by account
// id only, never by e-mail address or name: when someone is erased, their
// account keeps its id but loses its address and name, and every line about
// them becomes pseudonymous without being touched. Pages that show the log
// look the current name up (account.Names) when they show it. So Record
// writes only the neutral labels below, and callers keep details to ids,
// codes and counts (never what a person typed).
package audit

import (
	"context"
	"database/sql"
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
	Label  string // one of the labels below; anything else is written as LabelMember or LabelSystem
	IP     string
}

// The labels an entry's actor_label may hold: what kind of actor it was,
// never who (that is actor_id).
const (
	LabelSystem  = "system"  // a command from the shell, a background job
	LabelVisitor = "visitor" // someone not signed in
	LabelMember  = "member"  // a signed-in person: see actor_id
)

// label is the word written for a: a label from the list, or, for anything
// else (an e-mail address put there by mistake), the kind of actor it is.
func (a Actor) label() string {
	switch a.Label {
	case LabelSystem, LabelVisitor, LabelMember:
		if a.UserID == 0 || a.Label == LabelMember {
			return a.Label
		}
	}
	if a.UserID != 0 {
		return LabelMember
	}
	return LabelSystem
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
	return Actor{Label: LabelSystem}
}

// Entry is one line of the record.
type Entry struct {
	ID          int64
	At          time.Time
	ActorID     int64
	ActorLabel  string // LabelSystem, LabelVisitor or LabelMember (older entries may hold other words)
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
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, store.Now(), actor, a.label(), action, subjectType, subjectID, a.IP, d)
	if err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	return nil
}

// RecordID is Record for subjects with a numeric id.
func RecordID(ctx context.Context, q store.Querier, action, subjectType string, id int64, detail map[string]any) error {
	return Record(ctx, q, action, subjectType, strconv.FormatInt(id, 10), detail)
}

// About returns every entry a person made or that is about their account
// (a steward reading or changing it), oldest first: their share of the log,
// for the export of their data.
func About(ctx context.Context, q store.Querier, userID int64) ([]Entry, error) {
	rows, err := q.Query(ctx, `SELECT id, at, COALESCE(actor_id, 0), actor_label, action, subject_type, subject_id, ip, detail FROM audit_log
		WHERE actor_id = ? OR (subject_type = 'user' AND subject_id = ?) ORDER BY id`, userID, strconv.FormatInt(userID, 10))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scanEntry(rows *sql.Rows) (Entry, error) {
	var e Entry
	var at int64
	var detail string
	if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorLabel, &e.Action, &e.SubjectType, &e.SubjectID, &e.IP, &detail); err != nil {
		return e, err
	}
	e.At = store.Time(at)
	if detail != "" {
		_ = json.Unmarshal([]byte(detail), &e.Detail)
	}
	return e, nil
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
		e, err := scanEntry(rows)
		if err != nil {
			return nil, 0, err
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
