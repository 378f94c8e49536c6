package web

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"time"

	"samen/internal/camt"
	"samen/internal/fund"
	"samen/internal/problem"
)

// The host's bank statements in the API, for stewards: the CAMT.053 file
// as the request's body; the credits waiting for a person; assigning one
// to a contribution, or setting it aside.

// maxStatementBytes is the largest statement taken (internal/camt reads
// at most 20 MB).
const maxStatementBytes = 20 << 20

// apiImportStatement: POST /api/v1/bank/statements, the file as the body.
func (s *Server) apiImportStatement(w http.ResponseWriter, r *http.Request) error {
	body := http.MaxBytesReader(w, r.Body, maxStatementBytes+1)
	imp, err := s.funding.ImportStatement(r.Context(), userFrom(r.Context()), io.Reader(body))
	var ce *camt.Error
	if errors.As(err, &ce) {
		// Which line, and why, in the reader's words.
		lang := langFrom(r.Context())
		msg := s.msgs.T(lang, ce.Code)
		if ce.Line > 0 {
			msg = s.msgs.T(lang, "toolbox.import.at_line", "line", ce.Line, "problem", msg)
		}
		writeJSON(w, http.StatusBadRequest, jsonError{Error: jsonErrorBody{Code: ce.Code, Message: msg}})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"credits": imp.Credits, "new": imp.New, "matched": imp.Matched, "unassigned": imp.Unassigned, "skipped": imp.Skipped})
	return nil
}

type apiBankLine struct {
	ID           int64     `json:"id"`
	Statement    string    `json:"statement"`
	BookedOn     string    `json:"booked_on"`
	Cents        int64     `json:"cents"`
	Reference    string    `json:"reference"`
	Remittance   string    `json:"remittance"`
	Counterparty string    `json:"counterparty"`
	State        string    `json:"state"`
	Contribution *int64    `json:"contribution_id"`
	ImportedAt   time.Time `json:"imported_at"`
}

// apiBankLines: GET /api/v1/bank/lines?state=unassigned.
func (s *Server) apiBankLines(w http.ResponseWriter, r *http.Request) error {
	state := r.URL.Query().Get("state")
	if state != "" && !slices.Contains(fund.BankLineStates, state) {
		return problem.Fields{"state": "choice.unknown"}.Err()
	}
	list, err := s.funding.BankLines(r.Context(), userFrom(r.Context()), state)
	if err != nil {
		return err
	}
	out := make([]apiBankLine, 0, len(list))
	for _, l := range list {
		out = append(out, apiBankLine{ID: l.ID, Statement: l.Statement, BookedOn: l.BookedOn, Cents: l.Cents, Reference: l.Reference,
			Remittance: l.Remittance, Counterparty: l.Counterparty, State: l.State, Contribution: optID(l.Contribution), ImportedAt: l.ImportedAt.UTC()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"lines": out})
	return nil
}

// apiBankLineAction: POST /api/v1/bank/lines/{id}/assign
// {"contribution_id"} or /ignore {"note"}.
func (s *Server) apiBankLineAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		ContributionID int64  `json:"contribution_id"`
		Note           string `json:"note"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	switch r.PathValue("action") {
	case "assign":
		err = s.funding.AssignLine(ctx, u, id, in.ContributionID)
	case "ignore":
		err = s.funding.IgnoreLine(ctx, u, id, in.Note)
	default:
		return problemNotFound
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
