package atlas

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/mapindex"
	"samen/internal/problem"
	"samen/internal/store"
)

// Status is where an initiative stands.
type Status string

const (
	Pending   Status = "pending"   // proposed, not yet accepted: seen only by its proposer and moderators
	Published Status = "published" // on the map and in the directory
	Rejected  Status = "rejected"  // the proposal was turned down
	Archived  Status = "archived"  // no longer current; kept, and found only by its address
	Merged    Status = "merged"    // a duplicate of MergedInto
)

// DefaultLicence is the licence of the atlas's data unless the operator
// chooses another: the Open Database License, as OpenStreetMap uses.
const DefaultLicence = "ODbL-1.0"

// Initiative is an initiative as stored: the accepted record and what the
// atlas keeps about it.
type Initiative struct {
	ID int64
	Record
	Status      Status
	RevisionID  int64 // the accepted revision shown; 0 while pending
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ConfirmedAt time.Time
	ReviewStage int
	ArchivedAt  time.Time
	MergedInto  int64
	Editors     []int64
	HasLogo     bool
}

// Letters writes the mails the atlas sends; the web layer implements it.
type Letters interface {
	// Contact carries a visitor's message to an initiative.
	Contact(in Initiative, from, replyTo, message string) mail.Message
	// ReviewSoon tells an initiative's editors that their entry will be
	// marked for review (stage 1) or archived (stage 3) unless they confirm it.
	ReviewSoon(in Initiative, to account.User, stage int, when time.Time) mail.Message
	// Decided tells the author of a proposal what a moderator decided.
	Decided(in Initiative, to account.User, accepted bool, reason string) mail.Message
}

// Service is the atlas part of samen.
type Service struct {
	DB *store.DB
	// Map is the in-memory index behind the map's clusters. The service
	// keeps it current with its own writes; Sync brings in those of other
	// processes.
	Map     *mapindex.Index
	Letters Letters
	// Sent is called after a transaction that queued mail has committed.
	Sent func()
	// Licence is the licence of the atlas's data (SPDX); DefaultLicence
	// when empty.
	Licence string
	// Now is the clock; tests replace it.
	Now store.Clock

	// The map index's generation (mapsync.go) and when it was last in step
	// with the database (Unix milliseconds).
	mapGen, synced atomic.Int64
	// The matches of recent searches for the map (SearchIDs).
	ids idCache
}

func (s *Service) today() string { return s.Now.Time().UTC().Format(time.DateOnly) }

// DataLicence returns the licence of the atlas's data.
func (s *Service) DataLicence() string {
	if s.Licence != "" {
		return s.Licence
	}
	return DefaultLicence
}

func (s *Service) mailed() {
	if s.Sent != nil {
		s.Sent()
	}
}

var errNotFound = problem.New(problem.NotFound, "atlas.not_found")

// columns of initiatives that load reads, in order.
const initiativeColumns = `i.id, i.status, i.data, COALESCE(i.revision_id, 0), COALESCE(i.created_by, 0), i.created_at, i.updated_at,
	i.confirmed_at, i.review_stage, COALESCE(i.archived_at, 0), COALESCE(i.merged_into, 0),
	EXISTS (SELECT 1 FROM initiative_logos l WHERE l.initiative_id = i.id)`

type scanner interface{ Scan(dest ...any) error }

func scanInitiative(row scanner) (Initiative, error) {
	var (
		in                                  Initiative
		data                                string
		created, updated, confirmed, archiv int64
	)
	err := row.Scan(&in.ID, &in.Status, &data, &in.RevisionID, &in.CreatedBy, &created, &updated, &confirmed,
		&in.ReviewStage, &archiv, &in.MergedInto, &in.HasLogo)
	if err != nil {
		return in, err
	}
	if err := json.Unmarshal([]byte(data), &in.Record); err != nil {
		return in, err
	}
	in.CreatedAt, in.UpdatedAt, in.ConfirmedAt = store.Time(created), store.Time(updated), store.Time(confirmed)
	if archiv != 0 {
		in.ArchivedAt = store.Time(archiv)
	}
	return in, nil
}

// load reads one initiative with its editors, whatever its status.
func load(ctx context.Context, q store.Querier, id int64) (Initiative, error) {
	in, err := scanInitiative(q.QueryRow(ctx, `SELECT `+initiativeColumns+` FROM initiatives i WHERE i.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return in, errNotFound
	}
	if err != nil {
		return in, err
	}
	in.Editors, err = editors(ctx, q, id)
	return in, err
}

func editors(ctx context.Context, q store.Querier, id int64) ([]int64, error) {
	return store.IDs(ctx, q, `SELECT user_id FROM initiative_editors WHERE initiative_id = ? ORDER BY user_id`, id)
}

// IsEditor reports whether u is one of the initiative's own editors.
func (in Initiative) IsEditor(u *account.User) bool {
	return u != nil && slices.Contains(in.Editors, u.ID)
}

// CanPublish reports whether u's edits of in are published at once:
// moderators, stewards and the initiative's own editors.
func (in Initiative) CanPublish(u *account.User) bool {
	return u != nil && (u.Role.AtLeast(account.Moderator) || in.IsEditor(u))
}

// visibleTo reports whether u may see the initiative at all. Published and
// archived entries are public (an archived one keeps its address, so links
// do not break); a proposal is seen by its proposer and moderators.
func (in Initiative) visibleTo(u *account.User) bool {
	switch in.Status {
	case Published, Archived, Merged:
		return true
	}
	return u != nil && (u.Role.AtLeast(account.Moderator) || u.ID == in.CreatedBy || in.IsEditor(u))
}

// Get returns the initiative with id as u may see it. A merged entry comes
// back as itself, with MergedInto set, so the caller can redirect.
func (s *Service) Get(ctx context.Context, u *account.User, id int64) (Initiative, error) {
	in, err := load(ctx, s.DB, id)
	if err != nil {
		return in, err
	}
	if !in.visibleTo(u) {
		return Initiative{}, errNotFound
	}
	return in, nil
}

// prepare normalises and validates a record, filling the licence.
func (s *Service) prepare(r *Record) error {
	r.Normalize()
	if r.Licence == "" {
		r.Licence = s.DataLicence()
	}
	return r.Validate(s.today())
}

// write stores rec as the initiative's current version: the JSON, the
// columns search and facets use, and the search index.
func (s *Service) write(ctx context.Context, tx store.Querier, id int64, status Status, rec Record, revisionID int64, now int64) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	var lat, lon any
	if rec.Location.HasPoint() {
		lat, lon = *rec.Location.Latitude, *rec.Location.Longitude
	}
	var rev any
	if revisionID != 0 {
		rev = revisionID
	}
	if err := keepRevisions(ctx, tx, []any{id}, revisionID); err != nil {
		return err
	}
	args := append(append([]any{status, rec.Name, string(data), rev, lat, lon}, facetColumns(rec, s.today())...),
		rec.Source, rec.SourceID, now, id)
	if _, err := tx.Exec(ctx, `UPDATE initiatives SET status = ?, name = ?, data = ?, revision_id = ?, latitude = ?, longitude = ?,
		`+facetAssignments+`, source = ?, source_id = ?, updated_at = ? WHERE id = ?`, args...); err != nil {
		if store.IsUniqueViolation(err) {
			return &problem.Error{Kind: problem.Conflict, Code: "atlas.source_taken", Fields: problem.Fields{"source_id": "source_id.taken"}}
		}
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM initiative_sectors WHERE initiative_id = ?`, id); err != nil {
		return err
	}
	for _, sec := range rec.Sectors {
		if _, err := tx.Exec(ctx, `INSERT INTO initiative_sectors (initiative_id, sector) VALUES (?, ?)`, id, sec); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM initiative_tools WHERE initiative_id = ?`, id); err != nil {
		return err
	}
	for _, key := range ToolKeys(rec.Tools) {
		if _, err := tx.Exec(ctx, `INSERT INTO initiative_tools (initiative_id, tool) VALUES (?, ?)`, id, key); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM initiative_exchanges WHERE initiative_id = ?`, id); err != nil {
		return err
	}
	for dir, list := range map[string][]Exchange{"need": rec.Needs, "offer": rec.Offers} {
		for _, e := range list {
			if _, err := tx.Exec(ctx, `INSERT INTO initiative_exchanges (initiative_id, direction, kind, until) VALUES (?, ?, ?, ?)`,
				id, dir, e.Kind, e.Until); err != nil {
				return err
			}
		}
	}
	return s.reindex(ctx, tx, id, status, rec)
}

// searchKey is the column of initiative_search that holds the
// initiative's ID: FTS5's rowid on SQLite, id on PostgreSQL.
func searchKey(e store.Engine) string {
	if e == store.Postgres {
		return "id"
	}
	return "rowid"
}

// reindex puts a published record into the search index, and takes
// anything else out of it.
func (s *Service) reindex(ctx context.Context, tx store.Querier, id int64, status Status, rec Record) error {
	if _, err := tx.Exec(ctx, `DELETE FROM initiative_search WHERE `+searchKey(tx.Engine())+` = ?`, id); err != nil {
		return err
	}
	if status != Published {
		return nil
	}
	if tx.Engine() == store.Postgres {
		_, err := tx.Exec(ctx, `INSERT INTO initiative_search (id, search) VALUES (?, CAST(? AS tsvector))`, id, pgVector(rec))
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO initiative_search (rowid, terms) VALUES (?, ?)`, id, indexTerms(rec))
	return err
}

// The facet columns of initiatives: what the directory's filters and the
// map index read, so that neither decodes the JSON of millions of rows.
// The bits of needs and offers count those still current; facets_until is
// the first day one of them has ended, after which the bits are redone.
const (
	facetColumnNames = "district, legal_form, principles, sector_bits, need_bits, offer_bits, facets_until"
	facetAssignments = "district = ?, legal_form = ?, principles = ?, sector_bits = ?, need_bits = ?, offer_bits = ?, facets_until = ?"
)

// facetColumns are the values of facetColumnNames for a record.
func facetColumns(r Record, today string) []any {
	f := facetsOf(r, today)
	until := ""
	for _, e := range append(append([]Exchange(nil), r.Needs...), r.Offers...) {
		if e.Until != "" && e.Until >= today && (until == "" || e.Until < until) {
			until = e.Until
		}
	}
	if until != "" {
		// The exchange stands through its last day; the bits change the
		// day after.
		if t, err := time.Parse(time.DateOnly, until); err == nil {
			until = t.AddDate(0, 0, 1).Format(time.DateOnly)
		}
	}
	return []any{r.Location.District, r.LegalForm, int(f.Principles), int64(f.Sectors), int64(f.Needs), int64(f.Offers), until}
}

// principleBits is the record's principles that hold, one bit each.
func principleBits(r Record) int {
	bits := 0
	for i, p := range Principles {
		if v, ok := r.Principles[p]; ok && v.Holds != nil && *v.Holds {
			bits |= 1 << i
		}
	}
	return bits
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

// recordAudit writes an audit entry about an initiative.
func recordAudit(ctx context.Context, tx *store.Tx, action string, id int64, detail map[string]any) error {
	return audit.Record(ctx, tx, action, "initiative", idString(id), detail)
}
