package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"samen/internal/assess"
	"samen/internal/problem"
	"samen/internal/toolbox"
)

// The toolbox: the catalogue of tools, one page per tool, stewards'
// editing with history, import and export.

type toolboxPage struct {
	Catalogue  *toolbox.Catalogue
	Category   string
	Replaces   *toolbox.Tool // "what do you want to replace?"
	Query      string
	Kind       string
	Groups     []toolGroup
	Count      int
	Categories []string
	Kinds      []string
	Guides     []toolbox.Guide
}

type toolGroup struct {
	Category string
	Tools    []toolbox.Tool
}

// toolboxIndex browses the catalogue by category, by the product to
// replace, by kind and by words.
func (s *Server) toolboxIndex(w http.ResponseWriter, r *http.Request) error {
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := &toolboxPage{Catalogue: c, Category: q.Get("category"), Query: strings.TrimSpace(q.Get("q")), Kind: q.Get("kind"),
		Categories: toolbox.Categories, Kinds: toolbox.Kinds}
	if d.Category != "" && !slices.Contains(toolbox.Categories, d.Category) {
		d.Category = ""
	}
	if !slices.Contains(toolbox.Kinds, d.Kind) {
		d.Kind = ""
	}
	var tools []toolbox.Tool
	if id := q.Get("replaces"); id != "" {
		if t, ok := c.Get(id); ok && t.BigTech {
			d.Replaces = &t
			tools = c.Alternatives(id)
		}
	}
	if d.Replaces == nil {
		tools = c.Tools
	}
	lang := langFrom(r.Context())
	words := strings.Fields(strings.ToLower(d.Query))
	// A tool shows under each of its categories but counts once.
	seen := map[string]bool{}
	for _, cat := range toolbox.Categories {
		if d.Category != "" && cat != d.Category {
			continue
		}
		g := toolGroup{Category: cat}
		for _, t := range tools {
			if !slices.Contains(t.Categories, cat) || (d.Kind != "" && t.Kind != d.Kind) || !matches(t, words, lang) {
				continue
			}
			// Without a question about a product, big-tech products are
			// listed after the open tools, in a group of their own.
			if t.BigTech && d.Replaces == nil {
				continue
			}
			g.Tools = append(g.Tools, t)
			seen[t.ID] = true
		}
		if len(g.Tools) > 0 {
			d.Groups = append(d.Groups, g)
		}
	}
	d.Count = len(seen)
	if d.Guides, err = s.toolbox.Guides(r.Context()); err != nil {
		return err
	}
	p := s.newPage(r, "toolbox.title")
	p.Form = q
	p.Data = d
	p.Alternates = []alternate{{Type: "application/json", Href: "/api/v1/tools", Title: "JSON"}}
	s.render(w, r, "toolbox", p)
	return nil
}

// matches reports whether every word is in the tool's name, aliases or
// description.
func matches(t toolbox.Tool, words []string, lang string) bool {
	text := strings.ToLower(t.Name + " " + strings.Join(t.Aliases, " ") + " " + t.Description.In(lang))
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

type toolPage struct {
	Tool         toolbox.Tool
	Catalogue    *toolbox.Catalogue
	Hosters      []toolbox.Hosting
	Alternatives []toolbox.Tool
	Replaced     []toolbox.Tool
	ReplacedBy   []toolbox.Tool // for a hoster: what it runs
	Guides       []toolbox.Guide
	UsedBy       []toolbox.User
	UsedCount    int
	Assessments  []assess.Summary
}

// pathTool reads the catalogue and the entry the path names.
func (s *Server) pathTool(r *http.Request) (*toolbox.Catalogue, toolbox.Tool, error) {
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return nil, toolbox.Tool{}, err
	}
	t, ok := c.Get(r.PathValue("id"))
	if !ok {
		return nil, t, problemNotFound
	}
	return c, t, nil
}

func (s *Server) toolView(w http.ResponseWriter, r *http.Request) error {
	c, t, err := s.pathTool(r)
	if err != nil {
		return err
	}
	d := &toolPage{Tool: t, Catalogue: c, Hosters: c.Hosters(t), Alternatives: c.Alternatives(t.ID)}
	for _, id := range t.Replaces {
		if x, ok := c.Get(id); ok {
			d.Replaced = append(d.Replaced, x)
		}
	}
	for _, id := range t.Offers {
		if x, ok := c.Get(id); ok && x.ID != t.ID {
			d.ReplacedBy = append(d.ReplacedBy, x)
		}
	}
	if d.Guides, err = s.toolbox.GuidesAbout(r.Context(), t.ID); err != nil {
		return err
	}
	if d.UsedBy, d.UsedCount, err = s.toolbox.UsedBy(r.Context(), t, 50); err != nil {
		return err
	}
	if d.Assessments, err = s.assess.ForTool(r.Context(), t.ID); err != nil {
		return err
	}
	p := s.newPage(r, "toolbox.tool.title")
	p.RawTitle = t.Name
	p.Data = d
	p.Alternates = []alternate{{Type: "application/json", Href: "/api/v1/tools/" + t.ID, Title: "JSON"}}
	s.render(w, r, "tool", p)
	return nil
}

type toolForm struct {
	New        bool
	ID         string
	Name       string // the saved name, for the breadcrumb and title while the form's is being changed
	Action     string
	Kinds      []string
	Categories []string
	Uses       []string
	Traits     []string
	Govs       []string
}

// toolValues writes an entry into form values named as its fields.
func toolValues(t toolbox.Tool) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("id", t.ID)
	set("name", t.Name)
	set("aliases", strings.Join(t.Aliases, ", "))
	set("kind", t.Kind)
	if t.BigTech {
		v.Set("big_tech", "yes")
	}
	v["categories"] = t.Categories
	v["uses"] = t.Uses
	v["traits"] = t.Traits
	set("replaces", strings.Join(t.Replaces, ", "))
	set("governance", t.Governance)
	set("steward", t.Steward)
	set("licence", t.Licence)
	set("self_hostable", t.SelfHostable)
	var hosting []string
	for _, h := range t.Hosting {
		hosting = append(hosting, strings.Join([]string{h.Name, h.Tool, h.Country, h.Membership, h.URL}, " | "))
	}
	set("hosting", strings.Join(hosting, "\n"))
	set("offers", strings.Join(t.Offers, ", "))
	set("country", t.Country)
	set("data_location.nl", t.DataLocation.NL)
	set("data_location.en", t.DataLocation.EN)
	set("languages", strings.Join(t.Languages, ", "))
	set("accessibility.nl", t.Accessibility.NL)
	set("accessibility.en", t.Accessibility.EN)
	set("website", t.Website)
	set("source_code", t.SourceCode)
	set("description.nl", t.Description.NL)
	set("description.en", t.Description.EN)
	set("sources", strings.Join(t.Sources, "\n"))
	return v
}

// toolFromForm reads an entry from a form, the reverse of toolValues.
func toolFromForm(v url.Values) toolbox.Tool {
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' })
	}
	t := toolbox.Tool{
		ID: v.Get("id"), Name: v.Get("name"), Aliases: split(v.Get("aliases")), Kind: v.Get("kind"),
		BigTech: v.Get("big_tech") == "yes", Categories: v["categories"], Uses: v["uses"], Traits: v["traits"],
		Replaces: split(v.Get("replaces")), Governance: v.Get("governance"), Steward: v.Get("steward"),
		Licence: v.Get("licence"), SelfHostable: v.Get("self_hostable"), Offers: split(v.Get("offers")),
		Country: v.Get("country"), Languages: split(v.Get("languages")),
		DataLocation:  toolbox.Text{NL: v.Get("data_location.nl"), EN: v.Get("data_location.en")},
		Accessibility: toolbox.Text{NL: v.Get("accessibility.nl"), EN: v.Get("accessibility.en")},
		Website:       v.Get("website"), SourceCode: v.Get("source_code"),
		Description: toolbox.Text{NL: v.Get("description.nl"), EN: v.Get("description.en")},
		Sources:     strings.FieldsFunc(v.Get("sources"), func(r rune) bool { return r == '\n' || r == '\r' }),
	}
	for _, line := range strings.Split(v.Get("hosting"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := append(strings.Split(line, "|"), "", "", "", "", "")
		t.Hosting = append(t.Hosting, toolbox.Hosting{Name: strings.TrimSpace(parts[0]), Tool: strings.TrimSpace(parts[1]),
			Country: strings.TrimSpace(parts[2]), Membership: strings.TrimSpace(parts[3]), URL: strings.TrimSpace(parts[4])})
	}
	return t
}

func (s *Server) renderToolForm(w http.ResponseWriter, r *http.Request, status int, d *toolForm, values url.Values, formErr error) error {
	title := "toolbox.form.edit_title"
	if d.New {
		title = "toolbox.form.new_title"
	}
	p := s.newPage(r, title)
	p.RawTitle = d.Name
	p.Form = values
	if err := s.formProblems(p, formErr); err != nil {
		return err
	}
	d.Kinds, d.Categories, d.Uses, d.Traits, d.Govs = toolbox.Kinds, toolbox.Categories, toolbox.Uses, toolbox.Traits, toolbox.Governances
	p.Data = d
	s.renderStatus(w, r, status, "tool_form", p)
	return nil
}

// formProblems puts a domain error on a form page: per field when it
// names fields, above the form otherwise. Errors that are not problems
// are returned.
func (s *Server) formProblems(p *page, formErr error) error {
	if formErr == nil {
		return nil
	}
	errs, order, ok := s.fieldErrors(p.Lang, formErr)
	if !ok {
		pe, isProblem := problem.As(formErr)
		if !isProblem {
			return formErr
		}
		errs, order = map[string]string{"form": s.msgs.T(p.Lang, "error."+pe.Code)}, []string{"form"}
	}
	p.Errors, p.ErrorOrder = errs, order
	return nil
}

func (s *Server) newToolForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderToolForm(w, r, http.StatusOK, &toolForm{New: true, Action: "/toolbox/tools/new"}, url.Values{}, nil)
}

func (s *Server) editToolForm(w http.ResponseWriter, r *http.Request) error {
	_, t, err := s.pathTool(r)
	if err != nil {
		return err
	}
	return s.renderToolForm(w, r, http.StatusOK, &toolForm{ID: t.ID, Name: t.Name, Action: "/toolbox/tools/" + t.ID + "/edit"}, toolValues(t), nil)
}

func (s *Server) saveTool(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	create := r.PathValue("id") == ""
	t := toolFromForm(r.PostForm)
	d := &toolForm{New: create, Action: "/toolbox/tools/new"}
	if !create {
		_, saved, err := s.pathTool(r)
		if err != nil {
			return err
		}
		t.ID = saved.ID // the id of an entry does not change: links and scans use it
		d.ID, d.Name, d.Action = t.ID, saved.Name, "/toolbox/tools/"+t.ID+"/edit"
	}
	saved, err := s.toolbox.SaveTool(r.Context(), userFrom(r.Context()), t, r.PostForm.Get("note"), create)
	if err != nil {
		if p, ok := problem.As(err); ok && (p.Kind == problem.Invalid || p.Kind == problem.Conflict) {
			return s.renderToolForm(w, r, http.StatusUnprocessableEntity, d, r.PostForm, err)
		}
		return err
	}
	redirectNotice(w, r, "/toolbox/tools/"+saved.ID, "tool_saved")
	return nil
}

type toolHistoryPage struct {
	Subject, ID, Name, Back string
	Revisions               []historyRevision
}

type historyRevision struct {
	toolbox.Revision
	Changes []fieldChange
	Current bool
}

// fieldChange is one field that differs from the version before.
type fieldChange struct{ Field, Old, New string }

// changedFields compares two versions field by field, as JSON, so the
// history shows what each save changed without knowing every field.
func changedFields(old, cur json.RawMessage) []fieldChange {
	var a, b map[string]any
	_ = json.Unmarshal(old, &a)
	_ = json.Unmarshal(cur, &b)
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var out []fieldChange
	for k := range keys {
		x, _ := json.Marshal(a[k])
		y, _ := json.Marshal(b[k])
		if !bytes.Equal(x, y) {
			show := func(raw []byte) string {
				if string(raw) == "null" {
					return ""
				}
				return string(raw)
			}
			out = append(out, fieldChange{Field: k, Old: show(x), New: show(y)})
		}
	}
	slices.SortFunc(out, func(x, y fieldChange) int { return strings.Compare(x.Field, y.Field) })
	return out
}

func (s *Server) toolboxHistory(w http.ResponseWriter, r *http.Request, subject string) error {
	id := r.PathValue("id")
	revs, err := s.toolbox.History(r.Context(), subject, id)
	if err != nil {
		return err
	}
	d := &toolHistoryPage{Subject: subject, ID: id}
	for i, rev := range revs {
		h := historyRevision{Revision: rev, Current: i == 0}
		prev := json.RawMessage("{}")
		if i+1 < len(revs) {
			prev = revs[i+1].Data
		}
		h.Changes = changedFields(prev, rev.Data)
		d.Revisions = append(d.Revisions, h)
	}
	var name struct {
		Name  string       `json:"name"`
		Title toolbox.Text `json:"title"`
	}
	_ = json.Unmarshal(revs[0].Data, &name)
	d.Name, d.Back = name.Name, "/toolbox/tools/"+id
	if subject == "guide" {
		d.Name, d.Back = name.Title.In(langFrom(r.Context())), "/toolbox/guides/"+id
	}
	p := s.newPage(r, "toolbox.history.title")
	p.RawTitle = d.Name
	p.Data = d
	s.render(w, r, "toolbox_history", p)
	return nil
}

func (s *Server) toolHistory(w http.ResponseWriter, r *http.Request) error {
	return s.toolboxHistory(w, r, "tool")
}

func (s *Server) guideHistory(w http.ResponseWriter, r *http.Request) error {
	return s.toolboxHistory(w, r, "guide")
}

// restoreTool and restoreGuide save an earlier version as the newest.
func (s *Server) restoreTool(w http.ResponseWriter, r *http.Request) error {
	return s.restore(w, r, func(ctx context.Context, id string, rev int64) (string, error) {
		t, err := s.toolbox.RestoreTool(ctx, userFrom(ctx), id, rev)
		return "/toolbox/tools/" + t.ID, err
	}, "tool_restored")
}

func (s *Server) restoreGuide(w http.ResponseWriter, r *http.Request) error {
	return s.restore(w, r, func(ctx context.Context, id string, rev int64) (string, error) {
		g, err := s.toolbox.RestoreGuide(ctx, userFrom(ctx), id, rev)
		return "/toolbox/guides/" + g.ID, err
	}, "guide_restored")
}

func (s *Server) restore(w http.ResponseWriter, r *http.Request, do func(ctx context.Context, id string, rev int64) (string, error), notice string) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	rev, err := strconv.ParseInt(r.PathValue("rev"), 10, 64)
	if err != nil {
		return problemNotFound
	}
	back, err := do(r.Context(), r.PathValue("id"), rev)
	if err != nil {
		return err
	}
	redirectNotice(w, r, back, notice)
	return nil
}

// toolboxExport serves the catalogue as JSON or CSV, for anyone: the
// catalogue is open data.
func (s *Server) toolboxExport(w http.ResponseWriter, r *http.Request) error {
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	switch r.PathValue("format") {
	case "tools.json":
		w.Header().Set("Content-Disposition", `attachment; filename="samen-tools.json"`)
		w.Header().Set("Content-Type", "application/json")
		return toolbox.WriteJSON(w, c.Tools)
	case "tools.csv":
		w.Header().Set("Content-Disposition", `attachment; filename="samen-tools.csv"`)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		return toolbox.WriteCSV(w, c.Tools)
	}
	return problemNotFound
}

// readUpload reads the one file of an upload form, its field "file". A
// body over the limit is a file too large; one that is not a multipart
// form, or a broken one, could not be read (a script that posts the file
// itself, say); a form without a file lacks the file.
func readUpload(w http.ResponseWriter, r *http.Request) ([]byte, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes)
	if err := r.ParseMultipartForm(maxImportBytes); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) || errors.Is(err, multipart.ErrMessageTooLarge) {
			return nil, "", &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"file": "file.too_large"}}
		}
		return nil, "", &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"file": "file.unreadable"}}
	}
	f, hdr, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return nil, "", &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"file": "required"}}
	}
	if err != nil {
		return nil, "", &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"file": "file.unreadable"}}
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	return data, hdr.Filename, err
}

// fileProblems puts the problems of an uploaded file on the page's one
// field, the file: problems with the fields inside it are told there,
// each named.
func (s *Server) fileProblems(p *page, err error) error {
	if err := s.formProblems(p, err); err != nil {
		return err
	}
	var parts []string
	for _, f := range p.ErrorOrder {
		if f == "file" || f == "form" {
			parts = append(parts, p.Errors[f])
		} else {
			parts = append(parts, f+": "+p.Errors[f])
		}
	}
	p.Errors, p.ErrorOrder = map[string]string{"file": strings.Join(parts, "; ")}, []string{"file"}
	return nil
}

type importPage struct {
	toolbox.ImportReport
	Done  bool
	Entry string
}

const maxImportBytes = 4 << 20

func (s *Server) toolboxImportForm(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(r, "toolbox.import.title")
	p.Data = &importPage{}
	s.render(w, r, "toolbox_import", p)
	return nil
}

// toolboxImport reads a JSON or CSV file of entries. Nothing is stored
// unless every entry is right; a problem is told with its place in the
// file.
func (s *Server) toolboxImport(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(r, "toolbox.import.title")
	d := &importPage{}
	p.Data = d
	var file *toolbox.File
	fail := func(err error) error {
		if err := s.importProblems(p, d, file, err); err != nil {
			return err
		}
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "toolbox_import", p)
		return nil
	}
	data, name, err := readUpload(w, r)
	if err != nil {
		return fail(err)
	}
	if file, err = toolbox.ReadFile(name, data); err != nil {
		return fail(err)
	}
	if d.ImportReport, err = s.toolbox.Import(r.Context(), userFrom(r.Context()), file.Tools); err != nil {
		if p, ok := problem.As(err); ok && (p.Kind == problem.Invalid || p.Kind == problem.Conflict) {
			return fail(err)
		}
		return err
	}
	d.Done = true
	s.render(w, r, "toolbox_import", p)
	return nil
}

// importProblems puts the problem of an import on the page's one field,
// the file, with its place in the file: the line, and the column (CSV) or
// the column and path of the value (JSON).
func (s *Server) importProblems(p *page, d *importPage, file *toolbox.File, err error) error {
	var ie *toolbox.ImportError
	if errors.As(err, &ie) {
		d.Entry = ie.Entry
	}
	var fe *toolbox.FileError
	if errors.As(err, &fe) {
		p.Errors, p.ErrorOrder = map[string]string{"file": s.fileProblem(p.Lang, fe)}, []string{"file"}
		return nil
	}
	pe, ok := problem.As(err)
	if ie == nil || ie.Index < 0 || file == nil || !ok || len(pe.Fields) == 0 {
		return s.fileProblems(p, err)
	}
	fields := slices.Sorted(maps.Keys(pe.Fields))
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = s.fileProblem(p.Lang, file.Locate(ie.Index, f, pe.Fields[f]))
	}
	p.Errors, p.ErrorOrder = map[string]string{"file": strings.Join(parts, " ")}, []string{"file"}
	return nil
}

// fileProblem says a problem with a file where it is.
func (s *Server) fileProblem(lang string, fe *toolbox.FileError) string {
	msg := s.msgs.T(lang, "field."+fe.Code)
	switch {
	case fe.Column != "" && fe.Char > 0:
		return s.msgs.T(lang, "toolbox.import.at_column_char", "line", fe.Line, "column", fe.Column, "char", fe.Char, "problem", msg)
	case fe.Column != "":
		return s.msgs.T(lang, "toolbox.import.at_column", "line", fe.Line, "column", fe.Column, "problem", msg)
	case fe.Path != "":
		return s.msgs.T(lang, "toolbox.import.at_path", "line", fe.Line, "char", fe.Char, "path", fe.Path, "problem", msg)
	case fe.Char > 0:
		return s.msgs.T(lang, "toolbox.import.at_char", "line", fe.Line, "char", fe.Char, "problem", msg)
	}
	return s.msgs.T(lang, "toolbox.import.at_line", "line", fe.Line, "problem", msg)
}
