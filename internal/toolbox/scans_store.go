package toolbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"time"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
)

// SavedScan is a scan an initiative keeps, to repeat later and see
// progress.
type SavedScan struct {
	ID           int64
	InitiativeID int64
	Initiative   string
	Input        ScanInput
	Shared       bool
	CreatedAt    time.Time
	// public says whether the initiative's page is public (published or
	// archived), where a shared scan shows.
	public bool
}

// Initiative is an atlas entry a person may save scans to.
type Initiative struct {
	ID   int64
	Name string
}

// isEditor reports whether u edits the initiative. Scans are the
// initiative's own business: its editors see them, nobody else unless
// they are shared, and not even stewards (they get aggregates).
func isEditor(ctx context.Context, q store.Querier, u *account.User, initiativeID int64) (bool, error) {
	if u == nil {
		return false, nil
	}
	return atlas.Edits(ctx, q, u.ID, initiativeID)
}

// Editable lists the initiatives u edits, to choose where a scan goes.
func (s *Service) Editable(ctx context.Context, u *account.User) ([]Initiative, error) {
	if u == nil {
		return nil, nil
	}
	refs, err := atlas.EditedBy(ctx, s.DB, u.ID)
	var out []Initiative
	for _, r := range refs {
		out = append(out, Initiative{ID: r.ID, Name: r.Name})
	}
	return out, err
}

// SaveScan keeps a scan for an initiative u edits. It is private unless
// shared is set. in must be normalised and valid.
func (s *Service) SaveScan(ctx context.Context, u *account.User, initiativeID int64, in ScanInput, shared bool) (int64, error) {
	if u == nil {
		return 0, problem.New(problem.Unauthorized, "auth.required")
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ok, err := isEditor(ctx, tx, u, initiativeID)
		if err != nil {
			return err
		}
		if !ok {
			return &problem.Error{Kind: problem.Forbidden, Code: "toolbox.not_editor", Fields: problem.Fields{"initiative": "initiative.not_editor"}}
		}
		c, err := s.catalogueIn(ctx, tx)
		if err != nil {
			return err
		}
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO scans (initiative_id, author_id, input, shared, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			initiativeID, u.ID, string(data), boolInt(shared), s.Now.Millis()).Scan(&id); err != nil {
			return err
		}
		for _, tid := range Scan(c, in).Tools {
			if _, err := tx.Exec(ctx, `INSERT INTO scan_tools (scan_id, tool_id) VALUES (?, ?)`, id, tid); err != nil {
				return err
			}
		}
		return audit.RecordID(ctx, tx, "scan.save", "initiative", initiativeID, map[string]any{"scan": id, "shared": shared})
	})
	return id, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const scanColumns = `id, initiative_id, input, shared, created_at`

// scanRow reads a saved scan. Its initiative's name, and whether its page
// is public, are the atlas's to tell (atlas.Lookup).
func scanRow(row interface{ Scan(...any) error }) (SavedScan, error) {
	var x SavedScan
	var input string
	var shared int
	var at int64
	if err := row.Scan(&x.ID, &x.InitiativeID, &input, &shared, &at); err != nil {
		return x, err
	}
	x.Shared, x.CreatedAt = shared == 1, store.Time(at)
	return x, json.Unmarshal([]byte(input), &x.Input)
}

// Scans lists an initiative's scans, newest first: all of them for its
// editors, the shared ones for anyone else.
func (s *Service) Scans(ctx context.Context, u *account.User, initiativeID int64) ([]SavedScan, error) {
	editor, err := isEditor(ctx, s.DB, u, initiativeID)
	if err != nil {
		return nil, err
	}
	in, err := atlas.Lookup(ctx, s.DB, initiativeID)
	if problem.Is(err, problem.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !editor && !in.Public() {
		return nil, nil
	}
	rows, err := s.DB.Query(ctx, `SELECT `+scanColumns+` FROM scans WHERE initiative_id = ? AND (? OR shared = 1) ORDER BY id DESC`, initiativeID, editor)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SavedScan
	for rows.Next() {
		x, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		x.Initiative, x.public = in.Name, in.Public()
		out = append(out, x)
	}
	return out, rows.Err()
}

// GetScan returns one saved scan if u may see it, and whether u edits its
// initiative.
func (s *Service) GetScan(ctx context.Context, u *account.User, id int64) (SavedScan, bool, error) {
	x, err := scanRow(s.DB.QueryRow(ctx, `SELECT `+scanColumns+` FROM scans WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return x, false, errNotFound
	}
	if err != nil {
		return x, false, err
	}
	in, err := atlas.Lookup(ctx, s.DB, x.InitiativeID)
	if problem.Is(err, problem.NotFound) {
		return x, false, errNotFound
	}
	if err != nil {
		return x, false, err
	}
	x.Initiative, x.public = in.Name, in.Public()
	editor, err := isEditor(ctx, s.DB, u, x.InitiativeID)
	if err != nil {
		return x, false, err
	}
	// Shared scans show on the initiative's public page: none while it is
	// pending, rejected or merged.
	if !editor && !(x.Shared && x.public) {
		return SavedScan{}, false, errNotFound
	}
	return x, editor, nil
}

// SetShared shows a scan on the initiative's page, or hides it again.
func (s *Service) SetShared(ctx context.Context, u *account.User, id int64, shared bool) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		var initiative int64
		err := tx.QueryRow(ctx, `SELECT initiative_id FROM scans WHERE id = ?`, id).Scan(&initiative)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		ok, err := isEditor(ctx, tx, u, initiative)
		if err != nil {
			return err
		}
		if !ok {
			return errNotFound
		}
		if _, err := tx.Exec(ctx, `UPDATE scans SET shared = ? WHERE id = ?`, boolInt(shared), id); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "scan.share", "initiative", initiative, map[string]any{"scan": id, "shared": shared})
	})
}

// Aggregates shows stewards how many initiatives depend on which product,
// from each initiative's latest saved scan, without revealing any one of
// them: nothing is shown until MinInitiatives have scanned, and a count
// below MinCount is shown only as "fewer than MinCount".
type Aggregates struct {
	Initiatives int  // initiatives with a saved scan
	Hidden      bool // too few to show anything
	Products    []ProductCount
}

// ProductCount is how many initiatives name a product.
type ProductCount struct {
	Tool  string
	Count int  // 0 when Few
	Few   bool // fewer than MinCount
}

// The thresholds of Aggregates.
const (
	MinInitiatives = 5
	MinCount       = 3
)

// Aggregates counts products over the latest scan of every initiative.
// Stewards only; each look is in the audit log.
func (s *Service) Aggregates(ctx context.Context, u *account.User) (Aggregates, error) {
	var a Aggregates
	if !account.IsSteward(u) {
		return a, errForbidden
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		latest := `SELECT MAX(id) FROM scans GROUP BY initiative_id`
		if err := tx.QueryRow(ctx, `SELECT COUNT(DISTINCT initiative_id) FROM scans`).Scan(&a.Initiatives); err != nil {
			return err
		}
		if a.Initiatives < MinInitiatives {
			a.Hidden = true
			return audit.Record(ctx, tx, "scan.aggregates", "toolbox", "", map[string]any{"hidden": true})
		}
		rows, err := tx.Query(ctx, `SELECT st.tool_id, COUNT(*) FROM scan_tools st JOIN tools t ON t.id = st.tool_id
			WHERE t.big_tech = 1 AND st.scan_id IN (`+latest+`) GROUP BY st.tool_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p ProductCount
			if err := rows.Scan(&p.Tool, &p.Count); err != nil {
				return err
			}
			if p.Count < MinCount {
				p.Count, p.Few = 0, true
			}
			a.Products = append(a.Products, p)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		sort.SliceStable(a.Products, func(i, j int) bool {
			if a.Products[i].Count != a.Products[j].Count {
				return a.Products[i].Count > a.Products[j].Count
			}
			return a.Products[i].Tool < a.Products[j].Tool
		})
		return audit.Record(ctx, tx, "scan.aggregates", "toolbox", "", map[string]any{"initiatives": a.Initiatives})
	})
	return a, err
}
