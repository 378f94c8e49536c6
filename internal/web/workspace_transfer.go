package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"

	"samen/internal/problem"
	"samen/internal/workspace"
)

// Import and export of the register, on pages and in the API.
//
// The import is two steps without JavaScript: the file is checked and
// previewed, then sent again to be imported. The second step carries the
// SHA-256 of the previewed file and imports only a file with that hash,
// so what is stored is what was previewed. samen keeps no copy of the file
// between the steps: a spreadsheet of the register is personal data, and a
// stash on disk would be a copy that erasure and the retention rules do
// not reach (and, with several processes, one the next request may not
// find).

type importMembersPage struct {
	importForm
	View   workspace.View
	Plan   *workspace.ImportPlan
	Fields []workspace.Field
	Labels map[string]string // the standard columns' names, by field
}

// importForm is what the import partials of templates/workspace/_workspace.html
// need, on the register's import page and the shares'.
type importForm struct {
	Action    string   // where the forms post
	SubmitKey string   // the confirmation button's message, by count
	Problems  []string // each problem, placed, in the reader's words
	Hash      string   // of the previewed file, for the confirmation
	Skip      bool
}

// options reads the form's choices for the uploaded data: its hash (the
// confirmation's), the skip box, and whether this is the confirmation of
// the file previewed or a new preview.
func (f *importForm) options(r *http.Request, data []byte) workspace.ImportOptions {
	sum := sha256.Sum256(data)
	f.Hash = hex.EncodeToString(sum[:])
	f.Skip = r.PostForm.Get("skip_unknown") == "1"
	return workspace.ImportOptions{SkipUnknown: f.Skip, DryRun: r.PostForm.Get("confirm") != f.Hash}
}

// showImportProblems puts the problems of an import file on its page, each
// placed in the reader's words, and reports whether err held any.
func (s *Server) showImportProblems(w http.ResponseWriter, r *http.Request, p *page, f *importForm, name string, err error) bool {
	problems := workspace.ImportProblems(err)
	if problems == nil {
		return false
	}
	for _, pr := range problems {
		f.Problems = append(f.Problems, s.importProblem(p.Lang, pr))
	}
	p.Errors = map[string]string{"file": s.msgs.N(p.Lang, "workspace.import.problems", len(problems))}
	p.ErrorOrder = []string{"file"}
	s.renderStatus(w, r, http.StatusUnprocessableEntity, name, p)
	return true
}

func membersImportForm(v workspace.View) importForm {
	return importForm{Action: workspaceLink(v.Workspace) + "/members/import", SubmitKey: "workspace.import.submit"}
}

func (s *Server) workspaceImportForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	if !v.Viewer.Has(workspace.RoleRegister) {
		return problem.New(problem.Forbidden, "workspace.forbidden")
	}
	p := s.newPage(r, "workspace.import.title")
	p.RawTitle = v.Name
	p.Data = &importMembersPage{View: v, importForm: membersImportForm(v)}
	s.render(w, r, "workspace_import", p)
	return nil
}

// workspaceImport previews the uploaded file or, when the form confirms
// the file previewed, imports it.
func (s *Server) workspaceImport(w http.ResponseWriter, r *http.Request) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	if !v.Viewer.Has(workspace.RoleRegister) {
		return problem.New(problem.Forbidden, "workspace.forbidden")
	}
	p := s.newPage(r, "workspace.import.title")
	p.RawTitle = v.Name
	d := &importMembersPage{View: v, importForm: membersImportForm(v)}
	p.Data = d
	data, _, err := readUpload(w, r)
	if err != nil {
		if err := s.formProblems(p, err); err != nil {
			return err
		}
		s.renderStatus(w, r, statusOf(err), "workspace_import", p)
		return nil
	}
	opt := d.options(r, data)
	sheet, err := workspace.ReadSheet(data)
	var plan workspace.ImportPlan
	if err == nil {
		plan, err = s.workspaces.ImportMembers(ctx, u, v.Slug, sheet, opt)
	}
	if s.showImportProblems(w, r, p, &d.importForm, "workspace_import", err) {
		return nil
	}
	if err != nil {
		return err
	}
	if plan.Applied {
		redirectNotice(w, r, workspaceLink(v.Workspace)+"/members", "ws_imported")
		return nil
	}
	d.Plan = &plan
	d.Labels = map[string]string{"name": p.T("workspace.field.name"), "email": p.T("workspace.field.email"),
		"phone": p.T("workspace.field.phone"), "address": p.T("workspace.field.address"), "circle": p.T("workspace.field.circle"),
		"number": p.T("workspace.field.number"), "joined": p.T("workspace.field.joined")}
	if d.Fields, err = s.workspaces.Fields(ctx, u, v.Slug); err != nil {
		return err
	}
	s.render(w, r, "workspace_import", p)
	return nil
}

// importProblem places a problem of an import file in the reader's words:
// "Row 3, column B (“e-mail”): …".
func (s *Server) importProblem(lang string, pr workspace.Problem) string {
	msg := s.msgs.T(lang, "field."+pr.Code)
	switch {
	case pr.Row == 0:
		return msg
	case pr.Column == 0:
		return s.msgs.T(lang, "workspace.import.at_row", "row", pr.Row, "problem", msg)
	case pr.Header == "":
		return s.msgs.T(lang, "workspace.import.at_column", "row", pr.Row, "column", workspace.ColumnName(pr.Column), "problem", msg)
	}
	return s.msgs.T(lang, "workspace.import.at_cell", "row", pr.Row, "column", workspace.ColumnName(pr.Column), "header", pr.Header, "problem", msg)
}

// exportFilter reads the register's filter from the query, as the page
// and the API spell it.
func exportFilter(q url.Values) workspace.Filter {
	left := q.Get("left")
	return workspace.Filter{Circle: workspace.Circle(q.Get("circle")), Query: q.Get("q"), Left: left == "1" || left == "true"}
}

// workspaceExport sends the register, as the reader may see it, as CSV or
// XLSX: on the register page and in the API alike.
func (s *Server) workspaceExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "csv"
	}
	exp, err := s.workspaces.ExportRegister(r.Context(), userFrom(r.Context()), r.PathValue("ws"), exportFilter(q), format)
	if err != nil {
		return err
	}
	name := "register-" + exp.Workspace.Slug
	w.Header().Set("Cache-Control", "no-store")
	if format == "xlsx" {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		return exp.WriteXLSX(w)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	return exp.WriteCSV(w)
}

// ---- the API

type apiImportColumn struct {
	Column string `json:"column"` // the spreadsheet's letter
	Header string `json:"header"`
	Field  string `json:"field"` // "" for a skipped column
}

type apiImportPlan struct {
	Applied bool              `json:"applied"`
	Format  string            `json:"format"`
	Rows    int               `json:"rows"`
	Linked  int               `json:"linked"`
	Circles map[string]int    `json:"circles"`
	Columns []apiImportColumn `json:"columns"`
	Skipped []apiImportColumn `json:"skipped"`
	Sample  []apiImportRow    `json:"sample"`
}

type apiImportRow struct {
	Number  int64             `json:"number"`
	Name    string            `json:"name"`
	Circle  string            `json:"circle"`
	Email   string            `json:"email"`
	Phone   string            `json:"phone"`
	Address string            `json:"address"`
	Joined  string            `json:"joined"`
	Fields  map[string]string `json:"fields"`
}

type apiImportProblem struct {
	Row     int    `json:"row"`    // 0: the file as a whole
	Column  string `json:"column"` // "B"; "" for a whole row or the file
	Header  string `json:"header"`
	Code    string `json:"code"`
	Message string `json:"message"` // placed, in the language of Accept-Language
}

func importColumns(cols []workspace.ImportColumn) []apiImportColumn {
	out := make([]apiImportColumn, 0, len(cols))
	for _, c := range cols {
		out = append(out, apiImportColumn{Column: workspace.ColumnName(c.Column), Header: c.Header, Field: c.Field})
	}
	return out
}

// apiImportMembers imports a file of people: the body is the file (CSV or
// XLSX), or a multipart form with it as "file". ?dry_run=true previews.
func (s *Server) apiImportMembers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	dry, skip := q.Get("dry_run"), q.Get("skip_unknown")
	f := problem.Fields{}
	for name, v := range map[string]string{"dry_run": dry, "skip_unknown": skip} {
		if v != "" && v != "true" && v != "false" {
			f.Add(name, "checkbox.invalid")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	var data []byte
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		data, _, err = readUpload(w, r)
	} else {
		data, err = io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportBytes))
		if err != nil {
			err = &problem.Error{Kind: problem.TooLarge, Code: "validation", Fields: problem.Fields{"file": "file.too_large"}}
		}
	}
	if err != nil {
		return err
	}
	sheet, err := workspace.ReadSheet(data)
	var plan workspace.ImportPlan
	if err == nil {
		plan, err = s.workspaces.ImportMembers(r.Context(), userFrom(r.Context()), r.PathValue("ws"), sheet,
			workspace.ImportOptions{DryRun: dry == "true", SkipUnknown: skip == "true"})
	}
	if problems := workspace.ImportProblems(err); problems != nil {
		lang := langFrom(r.Context())
		out := make([]apiImportProblem, len(problems))
		for i, pr := range problems {
			out[i] = apiImportProblem{Row: pr.Row, Column: workspace.ColumnName(pr.Column), Header: pr.Header, Code: pr.Code,
				Message: s.importProblem(lang, pr)}
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": map[string]any{
			"code": "workspace.import_invalid", "message": s.msgs.T(lang, "error.workspace.import_invalid"), "problems": out}})
		return nil
	}
	if err != nil {
		return err
	}
	out := apiImportPlan{Applied: plan.Applied, Format: plan.Format, Rows: plan.Rows, Linked: plan.Linked, Circles: map[string]int{},
		Columns: importColumns(plan.Columns), Skipped: importColumns(plan.Skipped), Sample: []apiImportRow{}}
	for c, n := range plan.Circles {
		out.Circles[string(c)] = n
	}
	for _, m := range plan.Sample {
		out.Sample = append(out.Sample, apiImportRow{Number: m.Number, Name: m.Name, Circle: string(m.Circle), Email: m.Email,
			Phone: m.Phone, Address: m.Address, Joined: m.Joined, Fields: m.Fields})
	}
	status := http.StatusOK
	if plan.Applied {
		status = http.StatusCreated
	}
	writeJSON(w, status, out)
	return nil
}
