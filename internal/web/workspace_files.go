package web

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"samen/internal/problem"
	"samen/internal/workspace"
)

// A workspace's files: the list with the upload form, a file's page with
// its versions and the forms that change it, downloads, and the same in
// the API. The workspace service decides who sees and changes what; here
// the bytes are read from forms and served as attachments that no browser
// renders in samen's origin.

// fileFormSlack is what a file's form may hold besides the file.
const fileFormSlack = 64 << 10

// fileSandbox is the policy of a download: should a browser show one in
// spite of the attachment, it runs no script and reaches nothing.
const fileSandbox = "sandbox; default-src 'none'; frame-ancestors 'none'"

var (
	errWebFileTooLarge = &problem.Error{Kind: problem.TooLarge, Code: "validation", Fields: problem.Fields{"file": "workspace_file.too_large"}}
	errFileUnreadable  = &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"file": "file.unreadable"}}
	errFileMissing     = &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"file": "required"}}
)

// readFilePart reads a multipart form with one file, field "file", of at
// most workspace.MaxFileBytes. Its other fields land in r.PostForm.
func readFilePart(w http.ResponseWriter, r *http.Request) (multipart.File, *multipart.FileHeader, error) {
	r.Body = http.MaxBytesReader(w, r.Body, workspace.MaxFileBytes+fileFormSlack)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) || errors.Is(err, multipart.ErrMessageTooLarge) {
			return nil, nil, errWebFileTooLarge
		}
		return nil, nil, errFileUnreadable
	}
	if err := unreadable(r.PostForm); err != nil {
		return nil, nil, err
	}
	f, hdr, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return nil, nil, errFileMissing
	}
	if err != nil {
		return nil, nil, errFileUnreadable
	}
	return f, hdr, nil
}

// formatBytes writes a size as people read it: 512 B, 12.5 kB, 3.2 MB
// (with a decimal comma in Dutch). A kB is 1024 bytes here, as the quota
// counts.
func formatBytes(lang string, n int64) string {
	units := []string{"kB", "MB", "GB", "TB"}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v, unit := float64(n)/1024, units[0]
	for i := 1; v >= 1024 && i < len(units); i++ {
		v, unit = v/1024, units[i]
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if lang == "nl" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " " + unit
}

// quotaMessage says why an upload was refused for the quota, with the
// sizes, or "" when err is not about the quota.
func (s *Server) quotaMessage(lang string, err error) string {
	var qe *workspace.QuotaError
	if !errors.As(err, &qe) {
		return ""
	}
	return s.msgs.T(lang, "error.workspace.quota", "size", formatBytes(lang, qe.Size),
		"used", formatBytes(lang, qe.Used), "quota", formatBytes(lang, qe.Quota), "free", formatBytes(lang, max(0, qe.Quota-qe.Used)))
}

// fileFormProblems puts an upload's problem on its form: a refusal for
// the quota on the file, with the sizes; others as formProblems does.
func (s *Server) fileFormProblems(p *page, err error) error {
	if msg := s.quotaMessage(p.Lang, err); msg != "" {
		p.Errors, p.ErrorOrder = map[string]string{"file": msg}, []string{"file"}
		return nil
	}
	return s.formProblems(p, err)
}

// fileFormError reports whether err is a problem the file's form shows.
func fileFormError(err error) bool {
	p, ok := problem.As(err)
	return ok && (p.Kind == problem.Invalid || p.Kind == problem.TooLarge || p.Kind == problem.Conflict || p.Kind == problem.Gone)
}

func fileStatus(err error) int {
	p, _ := problem.As(err)
	switch {
	case p == nil:
		return http.StatusUnprocessableEntity
	case p.Kind == problem.Invalid:
		return http.StatusUnprocessableEntity
	}
	return statusFor(p, false)
}

// fileRow is a file or a version as a page shows it.
type fileRow struct {
	workspace.File
	Version  workspace.FileVersion
	Size     string
	Uploader string
	Href     string // its download
	DaysLeft int    // of a removed file: days core may still restore it
}

func (s *Server) fileRowOf(lang, slug string, f workspace.File, fv workspace.FileVersion, current bool) fileRow {
	row := fileRow{File: f, Version: fv, Size: formatBytes(lang, fv.Size), Uploader: fv.Uploader,
		Href: "/workspaces/" + slug + "/files/" + strconv.FormatInt(f.ID, 10) + "/download"}
	if !current {
		row.Href += "?version=" + strconv.Itoa(fv.Version)
	}
	if row.Uploader == "" && fv.UploadedBy != 0 {
		row.Uploader = s.msgs.T(lang, "audit.erased_person", "id", fv.UploadedBy)
	}
	if !f.DeletedAt.IsZero() {
		row.DaysLeft = int((f.RestoreLeft + 24*time.Hour - 1) / (24 * time.Hour))
	}
	return row
}

// visibleChoices are the visibilities the viewer may give a file.
func visibleChoices(v workspace.Viewer) []string {
	var out []string
	for _, vis := range workspace.Visibilities {
		if v.Sees(vis) {
			out = append(out, string(vis))
		}
	}
	return out
}

type filesPage struct {
	View      workspace.View
	Files     []fileRow
	Removed   []fileRow
	CanUpload bool
	Usage     string // "12 MB of 500 MB", for those who upload
	MaxSize   string
	Vis       []string
	Restore   int // days
}

func (s *Server) workspaceFiles(w http.ResponseWriter, r *http.Request) error {
	return s.renderFiles(w, r, http.StatusOK, nil)
}

func (s *Server) renderFiles(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	ctx, u := r.Context(), userFrom(r.Context())
	v, files, use, err := s.workspaces.ListFiles(ctx, u, r.PathValue("ws"))
	if err != nil {
		return err
	}
	p := s.newPage(r, "workspace.files.title")
	p.RawTitle = v.Name
	data := &filesPage{View: v, CanUpload: v.Viewer.Has(workspace.RoleFiles), Vis: visibleChoices(v.Viewer),
		MaxSize: formatBytes(p.Lang, workspace.MaxFileBytes), Restore: workspace.RestoreDays}
	for _, f := range files {
		data.Files = append(data.Files, s.fileRowOf(p.Lang, v.Slug, f, f.Current, true))
	}
	if data.CanUpload {
		data.Usage = p.T("workspace.files.usage", "used", formatBytes(p.Lang, use.Used), "quota", formatBytes(p.Lang, use.Quota))
	}
	if v.Viewer.Core() {
		removed, err := s.workspaces.RemovedFiles(ctx, u, v.Slug)
		if err != nil {
			return err
		}
		for _, f := range removed {
			data.Removed = append(data.Removed, s.fileRowOf(p.Lang, v.Slug, f, f.Current, true))
		}
	}
	p.Form.Set("visibility", string(workspace.Members))
	if !v.Viewer.Sees(workspace.Visibility(workspace.Members)) {
		p.Form.Set("visibility", string(workspace.Public))
	}
	if formErr != nil {
		if err := s.fileFormProblems(p, formErr); err != nil {
			return err
		}
		p.Form = r.PostForm
	}
	p.Data = data
	s.renderStatus(w, r, status, "workspace_files", p)
	return nil
}

// uploadWorkspaceFile takes a new file from the upload form.
func (s *Server) uploadWorkspaceFile(w http.ResponseWriter, r *http.Request) error {
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	// Whether this person may upload is settled before a byte of the
	// upload is read: a stranger's file is refused unread.
	if err := s.workspaces.MayUploadFiles(ctx, u, ref); err != nil {
		return err
	}
	_, err := s.receiveFile(w, r, 0)
	if err != nil {
		if fileFormError(err) {
			return s.renderFiles(w, r, fileStatus(err), err)
		}
		return err
	}
	redirectNotice(w, r, "/workspaces/"+ref+"/files", "ws_file_uploaded")
	return nil
}

// receiveFile reads the file of a form or an API call and stores it as a
// new file (id 0) or a new version of file id.
func (s *Server) receiveFile(w http.ResponseWriter, r *http.Request, id int64) (workspace.File, error) {
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	file, hdr, err := readFilePart(w, r)
	if err != nil {
		return workspace.File{}, err
	}
	defer file.Close()
	if id != 0 {
		return s.workspaces.UploadVersion(ctx, u, ref, id, file)
	}
	name := r.PostForm.Get("name")
	if strings.TrimSpace(name) == "" {
		name = hdr.Filename
	}
	return s.workspaces.UploadFile(ctx, u, ref, workspace.Upload{Name: name,
		Visibility: workspace.Visibility(r.PostForm.Get("visibility")), Body: file})
}

type filePage struct {
	View      workspace.View
	File      fileRow
	Versions  []fileRow
	CanChange bool
	Vis       []string
	MaxSize   string
	Restore   int // days
}

func (s *Server) workspaceFile(w http.ResponseWriter, r *http.Request) error {
	return s.renderFile(w, r, http.StatusOK, nil)
}

func (s *Server) renderFile(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, f, err := s.workspaces.FileInfo(r.Context(), userFrom(r.Context()), r.PathValue("ws"), id)
	if err != nil {
		return signInFirst(r, err)
	}
	p := s.newPage(r, "workspace.file.title")
	p.RawTitle = f.Name
	data := &filePage{View: v, File: s.fileRowOf(p.Lang, v.Slug, f, f.Current, true),
		CanChange: v.Viewer.Has(workspace.RoleFiles) && f.DeletedAt.IsZero(), Vis: visibleChoices(v.Viewer),
		MaxSize: formatBytes(p.Lang, workspace.MaxFileBytes), Restore: workspace.RestoreDays}
	for _, fv := range f.Versions {
		data.Versions = append(data.Versions, s.fileRowOf(p.Lang, v.Slug, f, fv, fv.Version == f.Current.Version))
	}
	p.Form.Set("name", f.Name)
	p.Form.Set("visibility", string(f.Visibility))
	if formErr != nil {
		if err := s.fileFormProblems(p, formErr); err != nil {
			return err
		}
		if r.PostForm.Has("name") {
			p.Form = r.PostForm
		}
	}
	p.Data = data
	s.renderStatus(w, r, status, "workspace_file", p)
	return nil
}

// fileAction runs the forms of a file's page: a new version, a new name
// or visibility, removing; and core's restoring and deleting for good.
func (s *Server) fileAction(w http.ResponseWriter, r *http.Request) error {
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	id, err := pathID(r)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	back := "/workspaces/" + ref + "/files/" + strconv.FormatInt(id, 10)
	var notice string
	switch action {
	case "version":
		if err := s.workspaces.MayUploadFiles(ctx, u, ref); err != nil {
			return err
		}
		err, notice = s.receiveFileVersion(w, r, id), "ws_file_version"
	case "save", "remove", "restore", "purge":
		if err := parseForm(w, r); err != nil {
			return err
		}
		switch action {
		case "save":
			_, err = s.workspaces.UpdateFile(ctx, u, ref, id, workspace.FileChange{Name: r.PostForm.Get("name"),
				Visibility: workspace.Visibility(r.PostForm.Get("visibility"))})
			notice = "ws_file_saved"
		case "remove":
			err, notice, back = s.workspaces.RemoveFile(ctx, u, ref, id), "ws_file_removed", "/workspaces/"+ref+"/files"
		case "restore":
			err, notice = s.workspaces.RestoreFile(ctx, u, ref, id), "ws_file_restored"
		case "purge":
			err, notice, back = s.workspaces.PurgeFile(ctx, u, ref, id), "ws_file_purged", "/workspaces/"+ref+"/files"
		}
	default:
		return problemNotFound
	}
	if err != nil {
		if fileFormError(err) {
			if action == "restore" || action == "purge" {
				return s.renderFiles(w, r, fileStatus(err), err)
			}
			return s.renderFile(w, r, fileStatus(err), err)
		}
		return err
	}
	redirectNotice(w, r, back, notice)
	return nil
}

func (s *Server) receiveFileVersion(w http.ResponseWriter, r *http.Request, id int64) error {
	_, err := s.receiveFile(w, r, id)
	return err
}

// signInFirst sends a visitor who must sign in to see a file to the login
// form, to come back to it afterwards (pages only: a script is told 401).
func signInFirst(r *http.Request, err error) error {
	if problem.Is(err, problem.Unauthorized) && !isAPI(r) {
		return problemSignIn
	}
	return err
}

// versionParam reads ?version=: 0 when absent.
func versionParam(r *http.Request) (int, error) {
	q := r.URL.Query().Get("version")
	if q == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(q)
	if err != nil || n < 1 {
		return 0, &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"version": "number.invalid"}}
	}
	return n, nil
}

// downloadWorkspaceFile serves a version of a file as an attachment: with
// the type samen found, never sniffed by the browser, in a sandbox should
// the browser show it, and kept out of every cache unless it is public.
func (s *Server) downloadWorkspaceFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, err := versionParam(r)
	if err != nil {
		return err
	}
	f, fv, content, err := s.workspaces.OpenFile(r.Context(), userFrom(r.Context()), r.PathValue("ws"), id, version)
	if err != nil {
		return signInFirst(r, err)
	}
	defer content.Close()
	h := w.Header()
	h.Set("Content-Type", fv.ContentType)
	h.Set("Content-Disposition", attachment(f.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", fileSandbox)
	h.Set("ETag", `"`+fv.SHA256+`"`)
	if f.Visibility == workspace.Public {
		h.Set("Cache-Control", "public, no-cache")
	} else {
		h.Set("Cache-Control", "private, no-store")
	}
	http.ServeContent(w, r, "", fv.UploadedAt, content)
	return nil
}

// attachment is a Content-Disposition that saves the file under its
// name: RFC 6266's filename* in UTF-8 (RFC 8187), with a plain ASCII
// filename before it for clients that know no better.
func attachment(name string) string {
	var plain, enc strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%':
			plain.WriteByte('_')
		default:
			plain.WriteRune(r)
		}
	}
	for _, b := range []byte(name) {
		if 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0 {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return `attachment; filename="` + plain.String() + `"; filename*=UTF-8''` + enc.String()
}

// The API.

type apiFileVersion struct {
	Version        int       `json:"version"`
	Size           int64     `json:"size"`
	ContentType    string    `json:"content_type"`
	SHA256         string    `json:"sha256"`
	UploadedBy     *int64    `json:"uploaded_by"`
	UploadedByName string    `json:"uploaded_by_name"`
	UploadedAt     time.Time `json:"uploaded_at"`
	Content        string    `json:"content"` // where its bytes are
}

type apiFile struct {
	ID         int64            `json:"id"`
	Name       string           `json:"name"`
	Visibility string           `json:"visibility"`
	CreatedAt  time.Time        `json:"created_at"`
	Current    apiFileVersion   `json:"current"`
	Versions   []apiFileVersion `json:"versions,omitempty"`
	Href       string           `json:"href"` // the file's page
}

func (s *Server) toAPIFileVersion(slug string, f workspace.File, fv workspace.FileVersion) apiFileVersion {
	out := apiFileVersion{Version: fv.Version, Size: fv.Size, ContentType: fv.ContentType, SHA256: fv.SHA256,
		UploadedByName: fv.Uploader, UploadedAt: fv.UploadedAt,
		Content: fmt.Sprintf("%s/api/v1/workspaces/%s/files/%d/content?version=%d", s.opts.BaseURL, slug, f.ID, fv.Version)}
	if fv.UploadedBy != 0 {
		id := fv.UploadedBy
		out.UploadedBy = &id
	}
	return out
}

func (s *Server) toAPIFile(slug string, f workspace.File) apiFile {
	out := apiFile{ID: f.ID, Name: f.Name, Visibility: string(f.Visibility), CreatedAt: f.CreatedAt,
		Current: s.toAPIFileVersion(slug, f, f.Current), Href: fmt.Sprintf("%s/workspaces/%s/files/%d", s.opts.BaseURL, slug, f.ID)}
	for _, fv := range f.Versions {
		out.Versions = append(out.Versions, s.toAPIFileVersion(slug, f, fv))
	}
	return out
}

// apiFileProblem answers an upload refused for the quota with the sizes
// in the message; other errors go the usual way.
func (s *Server) apiFileProblem(w http.ResponseWriter, r *http.Request, err error) error {
	if msg := s.quotaMessage(langFrom(r.Context()), err); msg != "" {
		writeJSON(w, http.StatusRequestEntityTooLarge, jsonError{Error: jsonErrorBody{Code: "workspace.quota", Message: msg}})
		return nil
	}
	return err
}

func (s *Server) apiFiles(w http.ResponseWriter, r *http.Request) error {
	v, files, use, err := s.workspaces.ListFiles(r.Context(), userFrom(r.Context()), r.PathValue("ws"))
	if err != nil {
		return err
	}
	out := struct {
		Files []apiFile `json:"files"`
		Usage *struct {
			Used  int64 `json:"used_bytes"`
			Quota int64 `json:"quota_bytes"`
		} `json:"usage"`
	}{Files: []apiFile{}}
	for _, f := range files {
		out.Files = append(out.Files, s.toAPIFile(v.Slug, f))
	}
	if v.Viewer.Has(workspace.RoleFiles) {
		out.Usage = &struct {
			Used  int64 `json:"used_bytes"`
			Quota int64 `json:"quota_bytes"`
		}{use.Used, use.Quota}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiUploadFile(w http.ResponseWriter, r *http.Request) error {
	if err := s.workspaces.MayUploadFiles(r.Context(), userFrom(r.Context()), r.PathValue("ws")); err != nil {
		return err
	}
	f, err := s.receiveFile(w, r, 0)
	if err != nil {
		return s.apiFileProblem(w, r, err)
	}
	return s.answerFile(w, r, http.StatusCreated, f.ID)
}

func (s *Server) apiUploadVersion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.workspaces.MayUploadFiles(r.Context(), userFrom(r.Context()), r.PathValue("ws")); err != nil {
		return err
	}
	if _, err := s.receiveFile(w, r, id); err != nil {
		return s.apiFileProblem(w, r, err)
	}
	return s.answerFile(w, r, http.StatusCreated, id)
}

// answerFile writes a file with its versions.
func (s *Server) answerFile(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	v, f, err := s.workspaces.FileInfo(r.Context(), userFrom(r.Context()), r.PathValue("ws"), id)
	if err != nil {
		return err
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", fmt.Sprintf("%s/api/v1/workspaces/%s/files/%d", s.opts.BaseURL, v.Slug, f.ID))
	}
	writeJSON(w, status, s.toAPIFile(v.Slug, f))
	return nil
}

func (s *Server) apiFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.answerFile(w, r, http.StatusOK, id)
}

func (s *Server) apiUpdateFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// What the body leaves out stays as it is.
	var in struct {
		Name       *string `json:"name"`
		Visibility *string `json:"visibility"`
	}
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	if err := s.workspaces.MayUploadFiles(ctx, u, ref); err != nil {
		return err
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	_, f, err := s.workspaces.FileInfo(ctx, u, ref, id)
	if err != nil {
		return err
	}
	c := workspace.FileChange{Name: f.Name, Visibility: f.Visibility}
	if in.Name != nil {
		c.Name = *in.Name
	}
	if in.Visibility != nil {
		c.Visibility = workspace.Visibility(*in.Visibility)
	}
	if _, err := s.workspaces.UpdateFile(ctx, u, ref, id, c); err != nil {
		return err
	}
	return s.answerFile(w, r, http.StatusOK, id)
}

func (s *Server) apiRemoveFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.workspaces.RemoveFile(r.Context(), userFrom(r.Context()), r.PathValue("ws"), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiFileContent is a download through the API, with a token.
func (s *Server) apiFileContent(w http.ResponseWriter, r *http.Request) error {
	return s.downloadWorkspaceFile(w, r)
}
