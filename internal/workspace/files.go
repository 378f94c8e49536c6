package workspace

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// Files: the documents a group keeps (minutes, statutes, the annual
// accounts), each a name with a visibility and numbered versions, so that
// a link-shared drive is no longer needed.
//
// The bytes of each version live under Service.Files by their SHA-256:
// DIR/ab/cdef… for a hash abcdef…. They are written to a temporary file in
// DIR, synced and renamed into place, so a half-written file never carries
// a hash's name; a second upload of the same bytes (in any workspace) is
// stored once.
//
// Rules:
//   - Whoever sees a file's visibility lists it and downloads each of its
//     versions. Someone signed in who may not see it is told it does not
//     exist (404): its name may say more than its absence; a visitor who is
//     not signed in is asked to sign in first (401), so that a member who
//     follows a link logs in and gets the file.
//   - The files role uploads, adds versions, renames, changes visibility
//     and removes (core holds every role); nobody makes a file more hidden
//     than they can see themselves.
//   - Removing is reversible for RestoreDays: the file leaves every list
//     and link, core sees it under "removed" and restores it. Its versions
//     keep counting against the quota until it is deleted for good, by core
//     at once or by the first upload after RestoreDays.
//   - The quota counts the bytes of the workspace's distinct contents: a
//     version whose bytes the workspace already holds costs nothing.
//   - The audit log records uploads, versions, changes, removals,
//     restorations and deletions, and every download of a file that is not
//     public (who read which version: minutes hold personal data). By ids,
//     never by names: a file's name is something someone typed.

// Limits of files.
const (
	// MaxFileBytes is the largest file: a scanned set of statutes fits.
	MaxFileBytes = 50 << 20
	// MaxFileName is the longest name of a file, in characters.
	MaxFileName = 200
	// RestoreDays is how long core may restore a removed file.
	RestoreDays = 30
)

var (
	errFileNotFound = problem.New(problem.NotFound, "workspace.file_not_found")
	errFileRemoved  = problem.New(problem.Conflict, "workspace.file_removed")
	errFileLive     = problem.New(problem.Conflict, "workspace.file_not_removed")
	errFileExpired  = problem.New(problem.Gone, "workspace.file_expired")
	errQuota        = problem.New(problem.TooLarge, "workspace.quota")
	errFileTooLarge = &problem.Error{Kind: problem.TooLarge, Code: "validation", Fields: problem.Fields{"file": "workspace_file.too_large"}}
	errFileEmpty    = &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"file": "workspace_file.empty"}}
)

// QuotaError refuses an upload that would take the workspace's files past
// its quota. It is a problem (TooLarge, "workspace.quota"); the sizes let
// the message say how much is used and allowed.
type QuotaError struct {
	Used  int64 // bytes the workspace's files take now
	Size  int64 // bytes the upload would add
	Quota int64 // bytes allowed
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("workspace quota: %d + %d bytes > %d", e.Used, e.Size, e.Quota)
}

// Unwrap makes the error a problem.
func (e *QuotaError) Unwrap() error { return errQuota }

// File is a document of a workspace, with its current version.
type File struct {
	ID          int64
	Name        string
	Visibility  Visibility
	CreatedAt   time.Time
	DeletedAt   time.Time // zero unless removed
	Current     FileVersion
	Versions    []FileVersion // newest first; filled by FileInfo
	RestoreLeft time.Duration // of a removed file: how long core may still restore it
}

// FileVersion is one upload of a file.
type FileVersion struct {
	Version     int
	SHA256      string
	Size        int64
	ContentType string
	UploadedBy  int64
	Uploader    string // the account's name as it is now; "" once erased
	UploadedAt  time.Time
}

// Usage is how much of its quota a workspace's files take.
type Usage struct {
	Used  int64
	Quota int64
}

// Upload is a new file: its name, who sees it, its bytes.
type Upload struct {
	Name       string
	Visibility Visibility
	Body       io.Reader
}

// FileChange renames a file or changes who sees it.
type FileChange struct {
	Name       string
	Visibility Visibility
}

// CleanFileName tidies a file's name and returns the code of what is
// wrong with it, or "".
func CleanFileName(name string) (string, string) {
	name = textcheck.Collapse(name)
	if code, _ := textcheck.Check(name); code != "" {
		return name, code
	}
	switch {
	case name == "":
		return name, "required"
	case strings.ContainsAny(name, `/\`) || name == "." || name == "..":
		return name, "file_name.invalid"
	case utf8.RuneCountInString(name) > MaxFileName:
		return name, "too_long"
	}
	return name, ""
}

// checkFileFields checks a name and a visibility for v.
func checkFileFields(v Viewer, name string, vis Visibility) (string, error) {
	f := problem.Fields{}
	name, code := CleanFileName(name)
	if code != "" {
		f.Add("name", code)
	}
	switch {
	case !vis.Valid():
		f.Add("visibility", "choice.unknown")
	case !v.Sees(vis):
		f.Add("visibility", "visibility.beyond_own")
	}
	return name, f.Err()
}

// byExtension are the types a file's name may give it, each with the type
// samen's sniffing must have found for the name to be believed: a .docx is
// a ZIP archive, a .md plain text.
var byExtension = map[string]struct{ typ, sniffed string }{
	".pdf":  {"application/pdf", "application/pdf"},
	".txt":  {"text/plain; charset=utf-8", "text/plain"},
	".md":   {"text/markdown; charset=utf-8", "text/plain"},
	".csv":  {"text/csv; charset=utf-8", "text/plain"},
	".odt":  {"application/vnd.oasis.opendocument.text", "application/zip"},
	".ods":  {"application/vnd.oasis.opendocument.spreadsheet", "application/zip"},
	".odp":  {"application/vnd.oasis.opendocument.presentation", "application/zip"},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
	".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip"},
	".doc":  {"application/msword", "application/octet-stream"},
	".xls":  {"application/vnd.ms-excel", "application/octet-stream"},
	".zip":  {"application/zip", "application/zip"},
}

// safeSniffed are the types sniffing may find that samen passes on; what
// else it finds (HTML, XML, scripts) is served as plain bytes.
var safeSniffed = map[string]bool{
	"application/pdf": true, "application/zip": true, "application/x-gzip": true, "text/plain": true,
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/bmp": true,
	"audio/mpeg": true, "audio/wave": true, "audio/ogg": true, "application/ogg": true, "video/mp4": true, "video/webm": true,
}

// ContentTypeOf says what a file is from its first bytes, as
// http.DetectContentType sniffs them, and takes the type its name
// suggests only when sniffing agrees and the type is a safe one. What the
// uploader's browser claims is never asked.
func ContentTypeOf(name string, head []byte) string {
	base := sniffedType(head)
	if e, ok := byExtension[strings.ToLower(path.Ext(name))]; ok && e.sniffed == base {
		return e.typ
	}
	if safeSniffed[base] {
		return http.DetectContentType(head)
	}
	return "application/octet-stream"
}

// blobLock keeps deleting unused bytes apart from uploads that may need
// them again, within this process.
var blobLock sync.Mutex

// blobPath is where the bytes of a hash live.
func (s *Service) blobPath(sum string) string {
	return filepath.Join(s.Files, sum[:2], sum[2:])
}

// received is an upload's bytes in a temporary file, with their hash.
type received struct {
	tmp  string
	sum  string
	size int64
	head []byte
}

// headWriter keeps the first 512 bytes written to it, for sniffing.
type headWriter struct{ b []byte }

func (h *headWriter) Write(p []byte) (int, error) {
	if n := 512 - len(h.b); n > 0 {
		h.b = append(h.b, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

// receive writes body to a temporary file in the files directory, hashing
// it: at most limit bytes, at least one.
func (s *Service) receive(body io.Reader, limit int64) (*received, error) {
	if s.Files == "" {
		return nil, errors.New("workspace: no directory for files")
	}
	if err := os.MkdirAll(s.Files, 0o750); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(s.Files, ".upload-*")
	if err != nil {
		return nil, err
	}
	r := &received{tmp: f.Name()}
	h, head := sha256.New(), &headWriter{}
	n, err := io.Copy(io.MultiWriter(f, h, head), io.LimitReader(body, limit+1))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
	case n > limit:
		err = errFileTooLarge
	case n == 0:
		err = errFileEmpty
	}
	if err != nil {
		r.discard()
		return nil, err
	}
	r.sum, r.size, r.head = hex.EncodeToString(h.Sum(nil)), n, head.b
	return r, nil
}

// discard removes the temporary file, if it is still there.
func (r *received) discard() { _ = os.Remove(r.tmp) }

// place puts the received bytes under their hash, unless the same bytes
// are there already.
func (s *Service) place(r *received) error {
	final := s.blobPath(r.sum)
	if _, err := os.Stat(final); err == nil {
		return nil
	}
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	if err := os.Rename(r.tmp, final); err != nil {
		return err
	}
	// The rename lasts once the directory is on disk.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// MayUploadFiles says whether u may upload into the workspace, before a
// byte of the upload is read.
func (s *Service) MayUploadFiles(ctx context.Context, u *account.User, ref string) error {
	_, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return err
	}
	if !v.Has(RoleFiles) {
		return errForbidden
	}
	return nil
}

// visibleTo is the SQL condition and arguments for the visibilities v sees.
func visibleTo(v Viewer) (string, []any) {
	var marks []string
	var args []any
	for _, vis := range Visibilities {
		if v.Sees(vis) {
			marks = append(marks, "?")
			args = append(args, string(vis))
		}
	}
	return "f.visibility IN (" + strings.Join(marks, ", ") + ")", args
}

const fileColumns = `f.id, f.name, f.visibility, f.created_at, COALESCE(f.deleted_at, 0),
	v.version, v.sha256, v.size, v.content_type, COALESCE(v.uploaded_by, 0), v.uploaded_at`

// currentVersion joins each file with its newest version.
const currentVersion = ` FROM workspace_files f JOIN workspace_file_versions v ON v.file_id = f.id
	AND v.version = (SELECT MAX(version) FROM workspace_file_versions WHERE file_id = f.id)`

func scanFiles(rows *sql.Rows) ([]File, error) {
	defer rows.Close()
	var out []File
	for rows.Next() {
		var f File
		var created, deleted, uploaded int64
		if err := rows.Scan(&f.ID, &f.Name, &f.Visibility, &created, &deleted,
			&f.Current.Version, &f.Current.SHA256, &f.Current.Size, &f.Current.ContentType, &f.Current.UploadedBy, &uploaded); err != nil {
			return nil, err
		}
		f.CreatedAt, f.Current.UploadedAt = store.Time(created), store.Time(uploaded)
		if deleted != 0 {
			f.DeletedAt = store.Time(deleted)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// uploaders fills in the names of who uploaded each version.
func uploaders(ctx context.Context, q store.Querier, vs ...*FileVersion) error {
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = v.UploadedBy
	}
	names, err := account.Names(ctx, q, ids)
	if err != nil {
		return err
	}
	for _, v := range vs {
		v.Uploader = names[v.UploadedBy]
	}
	return nil
}

// ListFiles returns the files the viewer may see, by name, and, for those
// who keep the files, how much of the quota they take (zero otherwise).
// Anyone may ask: someone outside the workspace sees its public files.
func (s *Service) ListFiles(ctx context.Context, u *account.User, ref string) (View, []File, Usage, error) {
	view, err := s.Open(ctx, u, ref)
	if err != nil {
		return view, nil, Usage{}, err
	}
	cond, args := visibleTo(view.Viewer)
	rows, err := s.DB.Query(ctx, `SELECT `+fileColumns+currentVersion+`
		WHERE f.workspace_id = ? AND f.deleted_at IS NULL AND `+cond+` ORDER BY lower(f.name), f.id`, append([]any{view.ID}, args...)...)
	if err != nil {
		return view, nil, Usage{}, err
	}
	files, err := scanFiles(rows)
	if err != nil {
		return view, nil, Usage{}, err
	}
	vs := make([]*FileVersion, len(files))
	for i := range files {
		vs[i] = &files[i].Current
	}
	if err := uploaders(ctx, s.DB, vs...); err != nil {
		return view, nil, Usage{}, err
	}
	var use Usage
	if view.Viewer.Has(RoleFiles) {
		if use.Used, err = usedBytes(ctx, s.DB, view.ID); err != nil {
			return view, nil, Usage{}, err
		}
		use.Quota = view.Settings.QuotaBytes
	}
	return view, files, use, nil
}

// RemovedFiles lists the removed files core may still restore, newest
// removal first. Core only.
func (s *Service) RemovedFiles(ctx context.Context, u *account.User, ref string) ([]File, error) {
	ws, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return nil, err
	}
	if !v.Core() {
		return nil, errForbidden
	}
	rows, err := s.DB.Query(ctx, `SELECT `+fileColumns+currentVersion+`
		WHERE f.workspace_id = ? AND f.deleted_at IS NOT NULL ORDER BY f.deleted_at DESC, f.id`, ws.ID)
	if err != nil {
		return nil, err
	}
	files, err := scanFiles(rows)
	if err != nil {
		return nil, err
	}
	for i := range files {
		s.restoreLeft(&files[i])
		if err := uploaders(ctx, s.DB, &files[i].Current); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// restoreLeft says how long core may still restore a removed file.
func (s *Service) restoreLeft(f *File) {
	if !f.DeletedAt.IsZero() {
		f.RestoreLeft = max(0, f.DeletedAt.Add(RestoreDays*24*time.Hour).Sub(s.Now.Time()))
	}
}

// fileIn loads a file of the workspace with its current version.
func fileIn(ctx context.Context, q store.Querier, wsID, id int64) (File, error) {
	rows, err := q.Query(ctx, `SELECT `+fileColumns+currentVersion+` WHERE f.workspace_id = ? AND f.id = ?`, wsID, id)
	if err != nil {
		return File{}, err
	}
	files, err := scanFiles(rows)
	if err != nil {
		return File{}, err
	}
	if len(files) == 0 {
		return File{}, errFileNotFound
	}
	return files[0], nil
}

// visibleFile loads a file as v may see it: a removed one only for core,
// one beyond v's circle not at all (asking a visitor to sign in first).
func visibleFile(ctx context.Context, q store.Querier, wsID int64, v Viewer, id int64) (File, error) {
	f, err := fileIn(ctx, q, wsID, id)
	if err != nil {
		return f, err
	}
	if !f.DeletedAt.IsZero() && !v.Core() {
		return File{}, errFileNotFound
	}
	if !v.Sees(f.Visibility) {
		if v.UserID == 0 {
			return File{}, errSignIn
		}
		return File{}, errFileNotFound
	}
	return f, nil
}

func versionsOf(ctx context.Context, q store.Querier, fileID int64) ([]FileVersion, error) {
	rows, err := q.Query(ctx, `SELECT version, sha256, size, content_type, COALESCE(uploaded_by, 0), uploaded_at
		FROM workspace_file_versions WHERE file_id = ? ORDER BY version DESC`, fileID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FileVersion
	for rows.Next() {
		var fv FileVersion
		var at int64
		if err := rows.Scan(&fv.Version, &fv.SHA256, &fv.Size, &fv.ContentType, &fv.UploadedBy, &at); err != nil {
			return nil, err
		}
		fv.UploadedAt = store.Time(at)
		out = append(out, fv)
	}
	return out, rows.Err()
}

// FileInfo returns a file with every version, for whoever may see it.
func (s *Service) FileInfo(ctx context.Context, u *account.User, ref string, id int64) (View, File, error) {
	view, err := s.Open(ctx, u, ref)
	if err != nil {
		return view, File{}, err
	}
	f, err := visibleFile(ctx, s.DB, view.ID, view.Viewer, id)
	if err != nil {
		return view, f, err
	}
	s.restoreLeft(&f)
	if f.Versions, err = versionsOf(ctx, s.DB, f.ID); err != nil {
		return view, f, err
	}
	vs := []*FileVersion{&f.Current}
	for i := range f.Versions {
		vs = append(vs, &f.Versions[i])
	}
	return view, f, uploaders(ctx, s.DB, vs...)
}

// OpenFile opens a version of a file (0: the current one) for whoever may
// see the file. The caller closes the content. A download of a file that
// is not public is recorded in the audit log.
func (s *Service) OpenFile(ctx context.Context, u *account.User, ref string, id int64, version int) (File, FileVersion, *os.File, error) {
	view, err := s.Open(ctx, u, ref)
	if err != nil {
		return File{}, FileVersion{}, nil, err
	}
	f, err := visibleFile(ctx, s.DB, view.ID, view.Viewer, id)
	if err != nil {
		return f, FileVersion{}, nil, err
	}
	fv := f.Current
	if version != 0 && version != fv.Version {
		var at int64
		err := s.DB.QueryRow(ctx, `SELECT version, sha256, size, content_type, COALESCE(uploaded_by, 0), uploaded_at
			FROM workspace_file_versions WHERE file_id = ? AND version = ?`, f.ID, version).
			Scan(&fv.Version, &fv.SHA256, &fv.Size, &fv.ContentType, &fv.UploadedBy, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return f, fv, nil, problem.New(problem.NotFound, "workspace.file_version_unknown")
		}
		if err != nil {
			return f, fv, nil, err
		}
		fv.UploadedAt = store.Time(at)
	}
	content, err := os.Open(s.blobPath(fv.SHA256))
	if err != nil {
		return f, fv, nil, fmt.Errorf("workspace file %d version %d: %w", f.ID, fv.Version, err)
	}
	if f.Visibility != Public {
		if err := audit.RecordID(ctx, s.DB, "workspace.file_download", "workspace_file", f.ID,
			map[string]any{"workspace": view.ID, "version": fv.Version}); err != nil {
			content.Close()
			return f, fv, nil, err
		}
	}
	return f, fv, content, nil
}

// usedBytes is what the workspace's files take: each distinct content
// once, removed files included until they are deleted for good.
func usedBytes(ctx context.Context, q store.Querier, wsID int64) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT COALESCE(SUM(size), 0) FROM (SELECT DISTINCT v.sha256, v.size FROM workspace_file_versions v
		JOIN workspace_files f ON f.id = v.file_id WHERE f.workspace_id = ?) d`, wsID).Scan(&n)
	return n, err
}

// UploadFile adds a new file. The files role only; the name defaults to
// the uploaded file's, which the caller passes in up.Name when the person
// left the name empty.
func (s *Service) UploadFile(ctx context.Context, u *account.User, ref string, up Upload) (File, error) {
	// Who may upload, and what they typed, are settled before the bytes
	// are read.
	_, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return File{}, err
	}
	if !v.Has(RoleFiles) {
		return File{}, errForbidden
	}
	if _, err := checkFileFields(v, up.Name, up.Visibility); err != nil {
		return File{}, err
	}
	return s.addVersion(ctx, u, ref, 0, up)
}

// UploadVersion adds a version to a file: it becomes the current one, and
// the earlier ones stay. The files role only.
func (s *Service) UploadVersion(ctx context.Context, u *account.User, ref string, id int64, body io.Reader) (File, error) {
	ws, v, err := s.as(ctx, s.DB, u, ref)
	if err != nil {
		return File{}, err
	}
	if !v.Has(RoleFiles) {
		return File{}, errForbidden
	}
	if _, err := visibleFile(ctx, s.DB, ws.ID, v, id); err != nil {
		return File{}, err
	}
	return s.addVersion(ctx, u, ref, id, Upload{Body: body})
}

// addVersion receives the bytes and stores them as a new file (id 0) or a
// new version of file id, in one transaction with the quota's check.
func (s *Service) addVersion(ctx context.Context, u *account.User, ref string, id int64, up Upload) (File, error) {
	r, err := s.receive(up.Body, MaxFileBytes)
	if err != nil {
		return File{}, err
	}
	defer r.discard()
	blobLock.Lock()
	defer blobLock.Unlock()
	var out File
	var purged []string
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Has(RoleFiles) {
			return errForbidden
		}
		if purged, err = s.purgeExpired(ctx, tx, ws.ID); err != nil {
			return err
		}
		name, vis := up.Name, up.Visibility
		version := 1
		if id != 0 {
			f, err := visibleFile(ctx, tx, ws.ID, v, id)
			if err != nil {
				return err
			}
			if !f.DeletedAt.IsZero() {
				return errFileRemoved
			}
			name, version = f.Name, f.Current.Version+1
		} else if name, err = checkFileFields(v, name, vis); err != nil {
			return err
		}
		used, err := usedBytes(ctx, tx, ws.ID)
		if err != nil {
			return err
		}
		var held int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM workspace_file_versions v JOIN workspace_files f ON f.id = v.file_id
			WHERE f.workspace_id = ? AND v.sha256 = ?`, ws.ID, r.sum).Scan(&held); err != nil {
			return err
		}
		if held == 0 && used+r.size > ws.Settings.QuotaBytes {
			return &QuotaError{Used: used, Size: r.size, Quota: ws.Settings.QuotaBytes}
		}
		now := s.Now.Millis()
		action := "workspace.file_version"
		if id == 0 {
			action = "workspace.file_upload"
			if err := tx.QueryRow(ctx, `INSERT INTO workspace_files (workspace_id, name, visibility, created_by, created_at)
				VALUES (?, ?, ?, ?, ?) RETURNING id`, ws.ID, name, string(vis), u.ID, now).Scan(&id); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO workspace_file_versions (file_id, version, sha256, size, content_type, uploaded_by, uploaded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, version, r.sum, r.size, ContentTypeOf(name, r.head), u.ID, now); err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, action, "workspace_file", id,
			map[string]any{"workspace": ws.ID, "version": version, "size": r.size, "sha256": r.sum}); err != nil {
			return err
		}
		if out, err = fileIn(ctx, tx, ws.ID, id); err != nil {
			return err
		}
		// The bytes go in place before the rows are committed: a row never
		// names bytes that are not there.
		return s.place(r)
	})
	if err != nil {
		return File{}, err
	}
	s.unlinkUnused(ctx, purged)
	return out, uploaders(ctx, s.DB, &out.Current)
}

// UpdateFile renames a file or changes who sees it. The files role only.
func (s *Service) UpdateFile(ctx context.Context, u *account.User, ref string, id int64, c FileChange) (File, error) {
	var out File
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Has(RoleFiles) {
			return errForbidden
		}
		f, err := visibleFile(ctx, tx, ws.ID, v, id)
		if err != nil {
			return err
		}
		if !f.DeletedAt.IsZero() {
			return errFileRemoved
		}
		name, err := checkFileFields(v, c.Name, c.Visibility)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE workspace_files SET name = ?, visibility = ? WHERE id = ?`, name, string(c.Visibility), f.ID); err != nil {
			return err
		}
		if err := audit.RecordID(ctx, tx, "workspace.file_update", "workspace_file", f.ID, map[string]any{"workspace": ws.ID,
			"renamed": name != f.Name, "visibility": string(c.Visibility), "was": string(f.Visibility)}); err != nil {
			return err
		}
		out, err = fileIn(ctx, tx, ws.ID, f.ID)
		return err
	})
	if err != nil {
		return File{}, err
	}
	return out, uploaders(ctx, s.DB, &out.Current)
}

// RemoveFile takes a file out of every list and link; core may restore it
// for RestoreDays. The files role only.
func (s *Service) RemoveFile(ctx context.Context, u *account.User, ref string, id int64) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Has(RoleFiles) {
			return errForbidden
		}
		f, err := visibleFile(ctx, tx, ws.ID, v, id)
		if err != nil {
			return err
		}
		if !f.DeletedAt.IsZero() {
			return errFileRemoved
		}
		if _, err := tx.Exec(ctx, `UPDATE workspace_files SET deleted_at = ?, deleted_by = ? WHERE id = ?`, s.Now.Millis(), u.ID, f.ID); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "workspace.file_remove", "workspace_file", f.ID, map[string]any{"workspace": ws.ID})
	})
}

// RestoreFile brings back a removed file within RestoreDays. Core only.
func (s *Service) RestoreFile(ctx context.Context, u *account.User, ref string, id int64) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Core() {
			return errForbidden
		}
		f, err := fileIn(ctx, tx, ws.ID, id)
		if err != nil {
			return err
		}
		switch {
		case f.DeletedAt.IsZero():
			return errFileLive
		case s.Now.Time().Sub(f.DeletedAt) > RestoreDays*24*time.Hour:
			return errFileExpired
		}
		if _, err := tx.Exec(ctx, `UPDATE workspace_files SET deleted_at = NULL, deleted_by = NULL WHERE id = ?`, f.ID); err != nil {
			return err
		}
		return audit.RecordID(ctx, tx, "workspace.file_restore", "workspace_file", f.ID, map[string]any{"workspace": ws.ID})
	})
}

// PurgeFile deletes a removed file for good: its rows, and the bytes of
// each version that no other file names. Core only.
func (s *Service) PurgeFile(ctx context.Context, u *account.User, ref string, id int64) error {
	blobLock.Lock()
	defer blobLock.Unlock()
	var sums []string
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		ws, v, err := s.as(ctx, tx, u, ref)
		if err != nil {
			return err
		}
		if !v.Core() {
			return errForbidden
		}
		f, err := fileIn(ctx, tx, ws.ID, id)
		if err != nil {
			return err
		}
		if f.DeletedAt.IsZero() {
			return errFileLive
		}
		sums, err = s.deleteFiles(ctx, tx, ws.ID, []int64{f.ID})
		return err
	})
	if err != nil {
		return err
	}
	s.unlinkUnused(ctx, sums)
	return nil
}

// purgeExpired deletes the workspace's files removed more than
// RestoreDays ago, returning the hashes their versions named.
func (s *Service) purgeExpired(ctx context.Context, tx *store.Tx, wsID int64) ([]string, error) {
	ids, err := store.IDs(ctx, tx, `SELECT id FROM workspace_files WHERE workspace_id = ? AND deleted_at IS NOT NULL AND deleted_at < ?`,
		wsID, s.Now.Millis()-RestoreDays*24*3600*1000)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return s.deleteFiles(ctx, tx, wsID, ids)
}

// deleteFiles deletes files and their versions, recording each, and
// returns the hashes the versions named.
func (s *Service) deleteFiles(ctx context.Context, tx *store.Tx, wsID int64, ids []int64) ([]string, error) {
	var sums []string
	for _, id := range ids {
		vs, err := versionsOf(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			sums = append(sums, v.SHA256)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM workspace_file_versions WHERE file_id = ?`, id); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM workspace_files WHERE id = ?`, id); err != nil {
			return nil, err
		}
		if err := audit.RecordID(ctx, tx, "workspace.file_purge", "workspace_file", id,
			map[string]any{"workspace": wsID, "versions": len(vs)}); err != nil {
			return nil, err
		}
	}
	return sums, nil
}

// unlinkUnused removes the bytes of each hash that no version names any
// more and that no other part keeps (BlobInUse: an expense's receipt). The
// caller holds blobLock, so no upload in this process is placing the same
// bytes meanwhile. A failure, or a doubt, leaves bytes behind, which costs
// disk space but no data.
func (s *Service) unlinkUnused(ctx context.Context, sums []string) {
	for _, sum := range sums {
		var n int
		if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM workspace_file_versions WHERE sha256 = ?`, sum).Scan(&n); err != nil || n > 0 {
			continue
		}
		if s.BlobInUse != nil {
			if kept, err := s.BlobInUse(ctx, sum); err != nil || kept {
				continue
			}
		}
		_ = os.Remove(s.blobPath(sum))
	}
}
