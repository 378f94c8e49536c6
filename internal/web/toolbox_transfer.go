package web

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"samen/internal/problem"
	"samen/internal/toolbox"
)

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

type importPage struct {
	toolbox.ImportReport
	Done  bool
	Entry string
}

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
		s.renderStatus(w, r, uploadStatus(err), "toolbox_import", p)
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
