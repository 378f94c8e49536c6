package toolbox

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// Service is the toolbox part of samen.
type Service struct {
	DB *store.DB
	// Now is the clock; tests replace it.
	Now store.Clock
}

var (
	errNotFound  = problem.New(problem.NotFound, "toolbox.not_found")
	errForbidden = problem.New(problem.Forbidden, "toolbox.stewards_only")
)

// Catalogue reads the whole catalogue.
func (s *Service) Catalogue(ctx context.Context) (*Catalogue, error) { return s.catalogueIn(ctx, s.DB) }

// SeedIfEmpty fills an empty catalogue with the roadmap's tools and the
// seed guides, so a new installation starts with them. It reports whether
// it did.
func (s *Service) SeedIfEmpty(ctx context.Context) (bool, error) {
	tools, err := Seed()
	if err != nil {
		return false, err
	}
	guides, err := SeedGuides()
	if err != nil {
		return false, err
	}
	seeded := false
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM tools`).Scan(&n); err != nil || n > 0 {
			return err
		}
		c := NewCatalogue(slices.Clone(tools))
		if err := c.Check(); err != nil {
			return err
		}
		now := s.Now.Millis()
		for _, t := range tools {
			if err := s.writeTool(ctx, tx, t, "", nil, now, true); err != nil {
				return err
			}
		}
		for _, g := range guides {
			if err := s.writeGuide(ctx, tx, g, "", nil, now, true); err != nil {
				return err
			}
		}
		seeded = true
		return audit.Record(ctx, tx, "toolbox.seed", "toolbox", "", map[string]any{"tools": len(tools), "guides": len(guides)})
	})
	return seeded, err
}

// The notes samen itself writes on a revision; the history page shows
// them in the reader's language.
const (
	NoteRestored = "restored"
	NoteImport   = "import"
)

// Revision is one saved version of a tool entry or guide.
type Revision struct {
	ID        int64
	Data      json.RawMessage
	Note      string
	AuthorID  int64
	Author    string
	CreatedAt time.Time
}

// Tool decodes a tool revision.
func (r Revision) Tool() (Tool, error) {
	var t Tool
	err := json.Unmarshal(r.Data, &t)
	return t, err
}

// Guide decodes a guide revision.
func (r Revision) Guide() (Guide, error) {
	var g Guide
	err := json.Unmarshal(r.Data, &g)
	return g, err
}

// SaveTool stores a new or changed entry. Only stewards edit the
// catalogue; every save is a revision, so nothing is lost. create says
// whether the entry must be new (a form for a new tool must not overwrite
// one that has its id).
func (s *Service) SaveTool(ctx context.Context, u *account.User, t Tool, note string, create bool) (Tool, error) {
	if !account.IsSteward(u) {
		return t, errForbidden
	}
	t.Normalize()
	note = strings.TrimSpace(note)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, err := s.catalogueIn(ctx, tx)
		if err != nil {
			return err
		}
		_, exists := c.Get(t.ID)
		switch {
		case create && exists:
			return &problem.Error{Kind: problem.Conflict, Code: "toolbox.id_taken", Fields: problem.Fields{"id": "slug.taken"}}
		case !create && !exists:
			return errNotFound
		}
		if err := checkNote(note); err != nil {
			return err
		}
		if err := c.with(t).CheckEntry(t); err != nil {
			return err
		}
		if err := c.without(t.ID).checkKeys(t); err != nil {
			return err
		}
		return s.writeTool(ctx, tx, t, note, u, s.Now.Millis(), create)
	})
	return t, err
}

func checkNote(note string) error {
	f := problem.Fields{}
	if code, _ := textcheck.Check(note); code != "" {
		f.Add("note", code)
	}
	if len(note) > maxNote {
		f.Add("note", "too_long")
	}
	return f.Err()
}

// with returns the catalogue with t in place of the entry with its id.
func (c *Catalogue) with(t Tool) *Catalogue {
	return NewCatalogue(append(c.without(t.ID).Tools, t))
}

// without returns the catalogue without the entry with this id.
func (c *Catalogue) without(id string) *Catalogue {
	return NewCatalogue(slices.DeleteFunc(slices.Clone(c.Tools), func(x Tool) bool { return x.ID == id }))
}

// checkKeys refuses a name or alias another entry already has; c must not
// hold t itself.
func (c *Catalogue) checkKeys(t Tool) error {
	for _, k := range t.Keys() {
		if _, ok := c.byKey[k]; ok {
			return &problem.Error{Kind: problem.Conflict, Code: "toolbox.name_taken", Fields: problem.Fields{"aliases": "name.taken"}}
		}
	}
	return nil
}

func (s *Service) catalogueIn(ctx context.Context, q store.Querier) (*Catalogue, error) {
	tools, err := decodeAll[Tool](ctx, q, `SELECT data FROM tools`)
	if err != nil {
		return nil, err
	}
	return NewCatalogue(tools), nil
}

// Lookup returns the catalogue's entry with this id, in the caller's
// transaction, for other parts that name a tool (a workspace's channels).
// An unknown id is NotFound.
func Lookup(ctx context.Context, q store.Querier, id string) (Tool, error) {
	tools, err := decodeAll[Tool](ctx, q, `SELECT data FROM tools WHERE id = ?`, id)
	if err != nil {
		return Tool{}, err
	}
	if len(tools) == 0 {
		return Tool{}, errNotFound
	}
	return tools[0], nil
}

// writeTool stores t as current, with its keys and a revision.
func (s *Service) writeTool(ctx context.Context, tx *store.Tx, t Tool, note string, u *account.User, now int64, create bool) error {
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	rev, err := s.revision(ctx, tx, "tool", t.ID, data, note, u, now)
	if err != nil {
		return err
	}
	bigTech := 0
	if t.BigTech {
		bigTech = 1
	}
	if create {
		_, err = tx.Exec(ctx, `INSERT INTO tools (id, name, data, big_tech, revision_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.Name, string(data), bigTech, rev, now, now)
	} else {
		_, err = tx.Exec(ctx, `UPDATE tools SET name = ?, data = ?, big_tech = ?, revision_id = ?, updated_at = ? WHERE id = ?`,
			t.Name, string(data), bigTech, rev, now, t.ID)
	}
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM tool_keys WHERE tool_id = ?`, t.ID); err != nil {
		return err
	}
	for _, k := range t.Keys() {
		if _, err := tx.Exec(ctx, `INSERT INTO tool_keys (key, tool_id) VALUES (?, ?)`, k, t.ID); err != nil {
			if store.IsUniqueViolation(err) {
				return &problem.Error{Kind: problem.Conflict, Code: "toolbox.name_taken", Fields: problem.Fields{"aliases": "name.taken"}}
			}
			return err
		}
	}
	if u == nil {
		return nil
	}
	action := "tool.update"
	if create {
		action = "tool.create"
	}
	return audit.Record(ctx, tx, action, "tool", t.ID, map[string]any{"revision": rev})
}

func (s *Service) revision(ctx context.Context, tx *store.Tx, subject, id string, data []byte, note string, u *account.User, now int64) (int64, error) {
	var author any
	if u != nil {
		author = u.ID
	}
	var rev int64
	err := tx.QueryRow(ctx, `INSERT INTO toolbox_revisions (subject, subject_id, data, note, author_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, subject, id, string(data), note, author, now).Scan(&rev)
	return rev, err
}

// History lists the saved versions of a tool ("tool") or guide ("guide"),
// newest first.
func (s *Service) History(ctx context.Context, subject, id string) ([]Revision, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, data, note, COALESCE(author_id, 0), created_at
		FROM toolbox_revisions WHERE subject = ? AND subject_id = ? ORDER BY id DESC`, subject, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Revision
	var authors []int64
	for rows.Next() {
		var r Revision
		var data string
		var at int64
		if err := rows.Scan(&r.ID, &data, &r.Note, &r.AuthorID, &at); err != nil {
			return nil, err
		}
		r.Data, r.CreatedAt = json.RawMessage(data), store.Time(at)
		out, authors = append(out, r), append(authors, r.AuthorID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return nil, errNotFound
	}
	names, err := account.Names(ctx, s.DB, authors)
	if err != nil {
		return nil, err
	}
	for i, r := range out {
		out[i].Author = names[r.AuthorID]
	}
	return out, nil
}

// RestoreTool saves an earlier version of an entry as its newest.
func (s *Service) RestoreTool(ctx context.Context, u *account.User, id string, revisionID int64) (Tool, error) {
	t, err := s.oldTool(ctx, id, revisionID)
	if err != nil {
		return t, err
	}
	return s.SaveTool(ctx, u, t, NoteRestored, false)
}

func (s *Service) oldTool(ctx context.Context, id string, revisionID int64) (Tool, error) {
	var data string
	err := s.DB.QueryRow(ctx, `SELECT data FROM toolbox_revisions WHERE id = ? AND subject = 'tool' AND subject_id = ?`, revisionID, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Tool{}, errNotFound
	}
	var t Tool
	if err == nil {
		err = json.Unmarshal([]byte(data), &t)
	}
	return t, err
}

// ImportReport says what an import did.
type ImportReport struct {
	Created, Updated, Unchanged int
}

// Import adds and updates entries from a file, all or nothing: the whole
// catalogue after the import must pass Check, or nothing is stored.
// Entries not in the file stay as they are, and so do entries the file
// holds as they are stored (after Normalize): only a real change is a new
// revision, so importing the export changes nothing.
func (s *Service) Import(ctx context.Context, u *account.User, tools []Tool) (ImportReport, error) {
	var rep ImportReport
	if !account.IsSteward(u) {
		return rep, errForbidden
	}
	for i := range tools {
		tools[i].Normalize()
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		rep = ImportReport{}
		old, err := s.catalogueIn(ctx, tx)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for i, t := range tools {
			if seen[t.ID] {
				return &ImportError{Entry: t.ID, Index: i, Err: &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"id": "slug.repeated"}}}
			}
			seen[t.ID] = true
		}
		merged := slices.DeleteFunc(slices.Clone(old.Tools), func(t Tool) bool { return seen[t.ID] })
		c := NewCatalogue(append(merged, tools...))
		for i, t := range tools {
			if err := c.CheckEntry(t); err != nil {
				return &ImportError{Entry: t.ID, Index: i, Err: err}
			}
		}
		// A clash is told about an entry the file adds or changes, which
		// brought it, rather than about one it holds as it was.
		changed := func(t Tool) bool { prev, ok := old.Get(t.ID); return !ok || !sameTool(prev, t) }
		if i, field := nameClash(c, tools, changed); i >= 0 {
			return &ImportError{Entry: tools[i].ID, Index: i, Err: &problem.Error{Kind: problem.Conflict, Code: "toolbox.name_taken", Fields: problem.Fields{field: "name.taken"}}}
		}
		if err := c.Check(); err != nil {
			return &ImportError{Index: -1, Err: &problem.Error{Kind: problem.Invalid, Code: "toolbox.import_names", Fields: problem.Fields{"aliases": "name.taken"}}, Detail: err.Error()}
		}
		now := s.Now.Millis()
		for _, t := range tools {
			prev, exists := old.Get(t.ID)
			switch {
			case !exists:
				rep.Created++
			case sameTool(prev, t):
				rep.Unchanged++
				continue
			default:
				rep.Updated++
			}
			if err := s.writeTool(ctx, tx, t, NoteImport, u, now, !exists); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "tool.import", "toolbox", "", map[string]any{"created": rep.Created, "updated": rep.Updated, "unchanged": rep.Unchanged})
	})
	return rep, err
}

// sameTool reports whether a stored entry and a normalised one say the
// same, field by field.
func sameTool(stored, t Tool) bool {
	stored.Normalize()
	a, errA := json.Marshal(stored)
	b, errB := json.Marshal(t)
	return errA == nil && errB == nil && bytes.Equal(a, b)
}

// nameClash finds the first of the imported entries with a name, alias
// or id that another entry of the catalogue c also has, and the field
// that holds it, looking first at those that first says; -1 when there is
// none.
func nameClash(c *Catalogue, tools []Tool, first func(Tool) bool) (int, string) {
	owners := map[string][]string{}
	for _, t := range c.Tools {
		for _, k := range t.Keys() {
			if !slices.Contains(owners[k], t.ID) {
				owners[k] = append(owners[k], t.ID)
			}
		}
	}
	for _, pass := range []bool{true, false} {
		for i, t := range tools {
			if first(t) != pass {
				continue
			}
			for _, k := range t.Keys() {
				if len(owners[k]) < 2 {
					continue
				}
				switch {
				case k == atlas.ToolKey(t.Name):
					return i, "name"
				case slices.ContainsFunc(t.Aliases, func(a string) bool { return atlas.ToolKey(a) == k }):
					return i, "aliases"
				}
				return i, "id"
			}
		}
	}
	return -1, ""
}

// ImportError says which entry of an import failed: its id and its place
// in the list given to Import (-1 when the problem is not one entry's).
type ImportError struct {
	Entry  string
	Index  int
	Err    error
	Detail string
}

func (e *ImportError) Error() string { return e.Entry + ": " + e.Err.Error() + " " + e.Detail }
func (e *ImportError) Unwrap() error { return e.Err }

// User is an initiative that uses a tool, as its atlas entry says.
type User struct {
	ID   int64
	Name string
}

// UsedBy lists the published atlas initiatives that name the tool, by
// any of its names, and how many there are.
func (s *Service) UsedBy(ctx context.Context, t Tool, limit int) ([]User, int, error) {
	refs, n, err := atlas.UsingTool(ctx, s.DB, t.Keys(), limit)
	var out []User
	for _, r := range refs {
		out = append(out, User{ID: r.ID, Name: r.Name})
	}
	return out, n, err
}
