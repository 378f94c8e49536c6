package web

import (
	"crypto/sha256"
	"encoding/hex"
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
	d := &importSharesPage{View: v, Statuses: statusNames(), importForm: sharesImportForm(v)}
	p.Data = d
	data, _, err := readUpload(w, r)
	if err != nil {
		if err := s.formProblems(p, err); err != nil {
			return err
		}
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "workspace_shares_import", p)
		return nil
	}
	sum := sha256.Sum256(data)
	d.Hash = hex.EncodeToString(sum[:])
	d.Skip = r.PostForm.Get("skip_unknown") == "1"
	opt := workspace.ImportOptions{SkipUnknown: d.Skip, DryRun: r.PostForm.Get("confirm") != d.Hash}
	sheet, err := workspace.ReadSheet(data)
	var plan workspace.ParticipationPlan
	if err == nil {
		plan, err = s.workspaces.ImportParticipations(r.Context(), userFrom(r.Context()), v.Slug, sheet, opt)
	}
	if problems := workspace.ImportProblems(err); problems != nil {
		for _, pr := range problems {
			d.Problems = append(d.Problems, s.importProblem(p.Lang, pr))
		}
		p.Errors = map[string]string{"file": s.msgs.N(p.Lang, "workspace.import.problems", len(problems))}
		p.ErrorOrder = []string{"file"}
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "workspace_shares_import", p)
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
