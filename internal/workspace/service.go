package workspace

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
)

// Letters writes the mails workspaces send; the web layer implements it.
type Letters interface {
	// Invitation asks someone (who may have no account yet) to join.
	Invitation(ws Workspace, from string, to string, circle Circle, token string, expires time.Time) mail.Message
	// JoinRequested tells core and the register that someone asks to join.
	JoinRequested(ws Workspace, to account.User, who string) mail.Message
	// JoinDecided tells someone what became of their request.
	JoinDecided(ws Workspace, to account.User, accepted bool) mail.Message
	// Announcement is an announcement, sent by from, to one person of the
	// register, in their language when known (both otherwise), with a link
	// carrying to.Token that unsubscribes them, also as the
	// List-Unsubscribe header with one-click.
	Announcement(ws Workspace, a Announcement, from string, to Recipient) mail.Message
}

// Service is the workspace part of samen.
type Service struct {
	DB      *store.DB
	Letters Letters
	Sent    func() // wakes the outbox worker; may be nil
	// Now is the clock; tests replace it.
	Now store.Clock
	// Files is the directory where files are kept by content hash.
	Files string
	// BlobInUse says whether another part still keeps the bytes of a
	// hash (blobs.go); bytes it keeps, or cannot answer for, are never
	// deleted. Nil: only the workspace's files keep bytes.
	BlobInUse func(ctx context.Context, sum string) (bool, error)
}

var (
	errNotFound  = problem.New(problem.NotFound, "workspace.not_found")
	errForbidden = problem.New(problem.Forbidden, "workspace.forbidden")
	errSignIn    = problem.New(problem.Unauthorized, "workspace.sign_in")
)

// amsterdam is where the calendar dates of a register are read.
var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// today is the calendar date in Amsterdam, as the register writes it.
func (s *Service) today() string { return s.Now.Time().In(amsterdam).Format(time.DateOnly) }

func (s *Service) sent() {
	if s.Sent != nil {
		s.Sent()
	}
}

const workspaceColumns = `id, slug, name, description, COALESCE(initiative_id, 0), settings, created_at, updated_at`

func scanWorkspace(row interface{ Scan(...any) error }) (Workspace, error) {
	var w Workspace
	var settings string
	var created, updated int64
	err := row.Scan(&w.ID, &w.Slug, &w.Name, &w.Description, &w.InitiativeID, &settings, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return w, errNotFound
	}
	w.Settings = parseSettings(settings)
	w.CreatedAt, w.UpdatedAt = store.Time(created), store.Time(updated)
	return w, err
}

// load finds a workspace by id or slug, whoever asks.
func load(ctx context.Context, q store.Querier, ref string) (Workspace, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return scanWorkspace(q.QueryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE id = ?`, id))
	}
	return scanWorkspace(q.QueryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE slug = ?`, strings.ToLower(ref)))
}

// viewerOf says who u is in workspace ws.
func viewerOf(ctx context.Context, q store.Querier, wsID int64, u *account.User) (Viewer, error) {
	if u == nil {
		return Viewer{}, nil
	}
	v := Viewer{UserID: u.ID}
	err := q.QueryRow(ctx, `SELECT id, circle FROM workspace_members
		WHERE workspace_id = ? AND user_id = ? AND left_on IS NULL AND erased_at IS NULL`, wsID, u.ID).Scan(&v.MemberID, &v.Circle)
	if errors.Is(err, sql.ErrNoRows) {
		return v, nil
	}
	if err != nil {
		return v, err
	}
	v.Roles, err = rolesOf(ctx, q, v.MemberID)
	return v, err
}

func rolesOf(ctx context.Context, q store.Querier, memberID int64) ([]Role, error) {
	rows, err := q.Query(ctx, `SELECT role FROM workspace_roles WHERE member_id = ? ORDER BY role`, memberID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Role
	for rows.Next() {
		var r Role
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// View is a workspace as one person sees it: the workspace and who they
// are in it.
type View struct {
	Workspace
	Viewer Viewer
}

// Open returns the workspace ref (id or slug) as u sees it. Anyone may see
// that a workspace exists, its name and description (they are on the
// atlas, or meant for it); what is inside depends on the viewer's circle.
func (s *Service) Open(ctx context.Context, u *account.User, ref string) (View, error) {
	ws, err := load(ctx, s.DB, ref)
	if err != nil {
		return View{}, err
	}
	v, err := viewerOf(ctx, s.DB, ws.ID, u)
	return View{Workspace: ws, Viewer: v}, err
}

// Summary is a workspace in a list: with the viewer's circle and how many
// people are in each circle.
type Summary struct {
	Workspace
	Circle   Circle // the viewer's
	MemberID int64  // the viewer's row of its register
	Counts   map[Circle]int
}

// Mine lists the workspaces u is in, by name. Rows of the register that
// carry u's confirmed address but no account yet (someone imported them
// from a spreadsheet) are linked to u first: the address is theirs.
func (s *Service) Mine(ctx context.Context, u *account.User) ([]Summary, error) {
	if u == nil {
		return nil, errSignIn
	}
	if err := s.claim(ctx, u); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT w.id, w.slug, w.name, w.description, COALESCE(w.initiative_id, 0), w.settings, w.created_at, w.updated_at, m.circle, m.id FROM workspace_members m
		JOIN workspaces w ON w.id = m.workspace_id
		WHERE m.user_id = ? AND m.left_on IS NULL AND m.erased_at IS NULL ORDER BY w.name, w.id`, u.ID)
	if err != nil {
		return nil, err
	}
	var out []Summary
	for rows.Next() {
		var sm Summary
		var settings string
		var created, updated int64
		if err := rows.Scan(&sm.ID, &sm.Slug, &sm.Name, &sm.Description, &sm.InitiativeID, &settings, &created, &updated, &sm.Circle, &sm.MemberID); err != nil {
			rows.Close()
			return nil, err
		}
		sm.Settings = parseSettings(settings)
		sm.CreatedAt, sm.UpdatedAt = store.Time(created), store.Time(updated)
		out = append(out, sm)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Counts, err = circleCounts(ctx, s.DB, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func circleCounts(ctx context.Context, q store.Querier, wsID int64) (map[Circle]int, error) {
	rows, err := q.Query(ctx, `SELECT circle, COUNT(*) FROM workspace_members
		WHERE workspace_id = ? AND left_on IS NULL AND erased_at IS NULL GROUP BY circle`, wsID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[Circle]int{}
	for rows.Next() {
		var c Circle
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rows.Err()
}

// claim links rows of the register with u's confirmed address and no
// account to u, in every workspace where u has no row yet.
func (s *Service) claim(ctx context.Context, u *account.User) error {
	if !u.Verified() || u.Email == "" {
		return nil
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ids, err := store.IDs(ctx, tx, `SELECT m.id FROM workspace_members m WHERE m.email = ? AND m.user_id IS NULL
			AND m.erased_at IS NULL AND NOT EXISTS (SELECT 1 FROM workspace_members o WHERE o.workspace_id = m.workspace_id AND o.user_id = ?)`,
			u.Email, u.ID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.Exec(ctx, `UPDATE workspace_members SET user_id = ?, updated_at = ? WHERE id = ? AND user_id IS NULL`,
				u.ID, s.Now.Millis(), id); err != nil {
				return err
			}
			if err := audit.RecordID(ctx, tx, "workspace.member_link", "workspace_member", id, map[string]any{"user": u.ID}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Create starts a workspace for a group that is not (yet) on the atlas; u
// is its first core member.
func (s *Service) Create(ctx context.Context, u *account.User, d Draft) (Workspace, error) {
	if u == nil {
		return Workspace{}, errSignIn
	}
	if !u.Verified() {
		return Workspace{}, problem.New(problem.Forbidden, "workspace.verify_first")
	}
	d, err := d.Clean()
	if err != nil {
		return Workspace{}, err
	}
	var ws Workspace
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, err = s.insert(ctx, tx, u, d, 0, []int64{u.ID})
		return err
	})
	return ws, err
}

// OpenForInitiative starts the workspace of an atlas entry; only its
// editors may, and they all become its core team. When the entry already
// has one, it is returned as it is.
func (s *Service) OpenForInitiative(ctx context.Context, u *account.User, initiativeID int64) (Workspace, error) {
	if u == nil {
		return Workspace{}, errSignIn
	}
	var ws Workspace
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ref, err := atlas.Lookup(ctx, tx, initiativeID)
		if err != nil {
			return err
		}
		edits, err := atlas.Edits(ctx, tx, u.ID, initiativeID)
		if err != nil {
			return err
		}
		if !edits {
			return problem.New(problem.Forbidden, "workspace.editors_only")
		}
		existing, err := scanWorkspace(tx.QueryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE initiative_id = ?`, initiativeID))
		if err == nil {
			ws = existing
			return nil
		}
		if !errors.Is(err, errNotFound) {
			return err
		}
		editors, err := atlas.Editors(ctx, tx, initiativeID)
		if err != nil {
			return err
		}
		d, err := Draft{Name: ref.Name}.Clean()
		if err != nil {
			// An atlas name the workspace rules refuse (too long for a
			// slug, say) still opens: the slug falls back to the id.
			d = Draft{Name: ref.Name, Slug: "initiative-" + strconv.FormatInt(initiativeID, 10)}
		}
		ws, err = s.insert(ctx, tx, u, d, initiativeID, editors)
		return err
	})
	return ws, err
}

// insert writes a new workspace with core as its core team, choosing a
// free slug.
func (s *Service) insert(ctx context.Context, tx *store.Tx, u *account.User, d Draft, initiativeID int64, core []int64) (Workspace, error) {
	slug, err := freeSlug(ctx, tx, d.Slug)
	if err != nil {
		return Workspace{}, err
	}
	now := s.Now.Millis()
	var initiative any
	if initiativeID != 0 {
		initiative = initiativeID
	}
	settings := DefaultSettings()
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO workspaces (slug, name, description, initiative_id, settings, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, slug, d.Name, d.Description, initiative, settings.json(), u.ID, now, now).Scan(&id)
	if err != nil {
		return Workspace{}, err
	}
	if err := audit.RecordID(ctx, tx, "workspace.create", "workspace", id, map[string]any{"initiative": initiativeID}); err != nil {
		return Workspace{}, err
	}
	for _, uid := range core {
		p, err := account.ByID(ctx, tx, uid)
		if err != nil {
			return Workspace{}, err
		}
		if _, err := s.addMember(ctx, tx, id, NewMember{UserID: uid, Name: p.DisplayName(), Email: p.Email, Circle: Core}); err != nil {
			return Workspace{}, err
		}
	}
	return scanWorkspace(tx.QueryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE id = ?`, id))
}

// freeSlug returns slug, or slug with the first free "-2", "-3", … after it.
func freeSlug(ctx context.Context, q store.Querier, slug string) (string, error) {
	for i := 1; ; i++ {
		try := slug
		if i > 1 {
			suffix := "-" + strconv.Itoa(i)
			try = strings.TrimRight(slug[:min(len(slug), MaxSlug-len(suffix))], "-") + suffix
		}
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM workspaces WHERE slug = ?`, try).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return try, nil
		}
	}
}

// Update changes the name, address and description and, when set is not
// nil, core's settings, all in one transaction: a form with one wrong
// value changes nothing. Core only.
func (s *Service) Update(ctx context.Context, u *account.User, ref string, d Draft, set *Settings) (Workspace, error) {
	var ws Workspace
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		w, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Core() {
			return errForbidden
		}
		f := problem.Fields{}
		d, err = d.Clean()
		if p, ok := problem.As(err); ok {
			for field, code := range p.Fields {
				f.Add(field, code)
			}
		}
		if set != nil {
			if !set.Register.Valid() {
				f.Add("register", "choice.unknown")
			}
			for _, name := range StandardFields {
				if v := set.Fields[name]; !v.Valid() {
					f.Add("field_"+name, "choice.unknown")
				}
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if d.Slug != w.Slug {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM workspaces WHERE slug = ? AND id <> ?`, d.Slug, w.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &problem.Error{Kind: problem.Conflict, Code: "validation", Fields: problem.Fields{"slug": "slug.taken"}}
			}
		}
		settings := w.Settings
		if set != nil {
			settings.Register, settings.Fields = set.Register, set.Fields // the quota is the operator's to set, not core's
		}
		if _, err := tx.Exec(ctx, `UPDATE workspaces SET slug = ?, name = ?, description = ?, settings = ?, updated_at = ? WHERE id = ?`,
			d.Slug, d.Name, d.Description, settings.json(), s.Now.Millis(), w.ID); err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, "workspace.update", "workspace", w.ID, map[string]any{"slug": d.Slug, "settings": set != nil}); err != nil {
			return err
		}
		ws, err = load(ctx, tx, strconv.FormatInt(w.ID, 10))
		return err
	})
	return ws, err
}

// as loads the workspace ref and who u is in it, in tx.
func (s *Service) as(ctx context.Context, tx store.Querier, u *account.User, ref string) (Workspace, Viewer, error) {
	if u == nil {
		return Workspace{}, Viewer{}, errSignIn
	}
	ws, err := load(ctx, tx, ref)
	if err != nil {
		return ws, Viewer{}, err
	}
	v, err := viewerOf(ctx, tx, ws.ID, u)
	return ws, v, err
}

// For returns the workspace of an atlas entry, if it has one.
func (s *Service) For(ctx context.Context, initiativeID int64) (Workspace, bool, error) {
	ws, err := scanWorkspace(s.DB.QueryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE initiative_id = ?`, initiativeID))
	if errors.Is(err, errNotFound) {
		return ws, false, nil
	}
	return ws, err == nil, err
}

// Counts returns how many people are in each circle now. That many people
// are in a workspace is not personal: anyone may see it.
func (s *Service) Counts(ctx context.Context, wsID int64) (map[Circle]int, error) {
	return circleCounts(ctx, s.DB, wsID)
}

// LinkInitiative puts a workspace on the atlas: it becomes the workspace of
// the entry initiativeID, which u proposed or edits (a group that started
// without an entry and has now proposed one). Core only; a workspace has
// one entry and an entry one workspace.
func (s *Service) LinkInitiative(ctx context.Context, u *account.User, ref string, initiativeID int64) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Core() {
			return errForbidden
		}
		if ws.InitiativeID != 0 {
			return problem.New(problem.Conflict, "workspace.on_atlas")
		}
		in, err := atlas.Lookup(ctx, tx, initiativeID)
		if err != nil {
			return err
		}
		edits, err := atlas.Edits(ctx, tx, u.ID, initiativeID)
		if err != nil {
			return err
		}
		if in.CreatedBy != u.ID && !edits {
			return problem.New(problem.Forbidden, "workspace.editors_only")
		}
		_, err = tx.Exec(ctx, `UPDATE workspaces SET initiative_id = ?, updated_at = ? WHERE id = ?`, initiativeID, s.Now.Millis(), ws.ID)
		if store.IsUniqueViolation(err) {
			return problem.New(problem.Conflict, "workspace.initiative_taken")
		}
		if err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "workspace.link_initiative", "workspace", ws.ID, map[string]any{"initiative": initiativeID})
	})
}
