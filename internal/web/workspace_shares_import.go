package web

import (
	"net/http"

	"samen/internal/workspace"
)

// Importing participations, as the register's import does people: check
// and preview, then the same file again (by its SHA-256) to import; no
// copy kept in between. The treasurer's.

type importSharesPage struct {
	importForm
	View     workspace.View
	Plan     *workspace.ParticipationPlan
	Statuses []string
}

func sharesImportForm(v workspace.View) importForm {
	return importForm{Action: workspaceLink(v.Workspace) + "/shares/import", SubmitKey: "workspace.shares_import.submit"}
}

func (s *Server) sharesImportForm(w http.ResponseWriter, r *http.Request) error {
	if err := s.mustKeepBooks(r); err != nil {
		return err
	}
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	p := s.newPage(r, "workspace.shares_import.title")
	p.RawTitle = v.Name
	p.Data = &importSharesPage{View: v, importForm: sharesImportForm(v)}
	s.render(w, r, "workspace_shares_import", p)
	return nil
}

func (s *Server) sharesImport(w http.ResponseWriter, r *http.Request) error {
	if err := s.mustKeepBooks(r); err != nil {
		return err
	}
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	p := s.newPage(r, "workspace.shares_import.title")
	p.RawTitle = v.Name
	d := &importSharesPage{View: v, Statuses: codes(workspace.Statuses), importForm: sharesImportForm(v)}
	p.Data = d
	data, _, err := readUpload(w, r)
	if err != nil {
		if err := s.formProblems(p, err); err != nil {
			return err
		}
		s.renderStatus(w, r, statusOf(err), "workspace_shares_import", p)
		return nil
	}
	opt := d.options(r, data)
	sheet, err := workspace.ReadSheet(data)
	var plan workspace.ParticipationPlan
	if err == nil {
		plan, err = s.workspaces.ImportParticipations(r.Context(), userFrom(r.Context()), v.Slug, sheet, opt)
	}
	if s.showImportProblems(w, r, p, &d.importForm, "workspace_shares_import", err) {
		return nil
	}
	if err != nil {
		return err
	}
	if plan.Applied {
		redirectNotice(w, r, workspaceLink(v.Workspace)+"/shares", "ws_shares_imported")
		return nil
	}
	d.Plan = &plan
	s.render(w, r, "workspace_shares_import", p)
	return nil
}
