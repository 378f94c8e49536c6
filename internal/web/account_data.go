package web

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/csvcell"
	"samen/internal/mail"
	"samen/internal/personal"
	"samen/internal/problem"
)

// A person's rights over their data, on the account page and the stewards'
// people page: everything samen holds about them, as JSON (the API) or as a
// ZIP of CSV files (the page), and erasure, which the person asks for and a
// steward carries out. What each part holds and how it forgets is in the
// parts (package personal and each part's personal.go); here are only the
// forms and the file formats.

// ErasureRequested tells a steward that someone asked to be erased. It
// names them by number only: the mail outlives the erasure in the outbox.
func (l *Letters) ErasureRequested(to account.User, who int64) mail.Message {
	return l.write(to, "erasure_requested", "id", who, "link", l.link("/admin/people", nil))
}

// apiMyData is GET /api/v1/me/export: one member per part, in it one
// array per table, each row an object from column to value.
func (s *Server) apiMyData(w http.ResponseWriter, r *http.Request) error {
	parts, err := personal.Export(r.Context(), s.db, s.people, userFrom(r.Context()).ID, "json")
	if err != nil {
		return err
	}
	out := make(map[string]map[string][]map[string]string, len(parts))
	for _, p := range parts {
		tables := make(map[string][]map[string]string, len(p.Tables))
		for _, t := range p.Tables {
			rows := make([]map[string]string, 0, len(t.Rows))
			for _, row := range t.Rows {
				obj := make(map[string]string, len(t.Columns))
				for i, c := range t.Columns {
					obj[c] = row[i]
				}
				rows = append(rows, obj)
			}
			tables[t.Name] = rows
		}
		out[p.Name] = tables
	}
	w.Header().Set("Content-Disposition", `attachment; filename="samen-my-data.json"`)
	writeJSON(w, http.StatusOK, out)
	return nil
}

// exportZIP is the account page's download: a folder per part, a CSV file
// per table, and a README.txt in the reader's language saying what each
// file holds. It is built in memory first, so that a failure shows as an
// error page and not as a broken download.
func (s *Server) exportZIP(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	parts, err := personal.Export(r.Context(), s.db, s.people, u.ID, "zip")
	if err != nil {
		return err
	}
	lang := langFrom(r.Context())
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	now := time.Now()
	var readme strings.Builder
	readme.WriteString(s.msgs.T(lang, "export.readme.intro", "site", s.msgs.T(lang, "site.name"), "date", now.In(amsterdam).Format(time.DateOnly)))
	readme.WriteString("\n")
	for _, p := range parts {
		for _, t := range p.Tables {
			name := p.Name + "/" + t.Name + ".csv"
			f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
			if err != nil {
				return err
			}
			cw := csv.NewWriter(f)
			if err := cw.Write(t.Columns); err != nil {
				return err
			}
			for _, row := range t.Rows {
				cells := make([]string, len(row))
				for i, v := range row {
					// What people typed must not run as a formula in a
					// spreadsheet.
					cells[i] = csvcell.Guard(v)
				}
				if err := cw.Write(cells); err != nil {
					return err
				}
			}
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
			about := s.msgs.T(lang, "export.file."+t.Name)
			if !s.msgs.Has(lang, "export.file."+t.Name) {
				about = s.msgs.T(lang, "export.file.unknown")
			}
			readme.WriteString("\n" + name + " (" + s.msgs.N(lang, "export.rows", len(t.Rows)) + ")\n  " + about + "\n")
		}
	}
	f, err := z.CreateHeader(&zip.FileHeader{Name: "README.txt", Method: zip.Deflate, Modified: now})
	if err != nil {
		return err
	}
	if _, err := f.Write([]byte(strings.ReplaceAll(readme.String(), "\n", "\r\n"))); err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="samen-my-data-`+now.In(amsterdam).Format(time.DateOnly)+`.zip"`)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err = w.Write(buf.Bytes())
	return err
}

// requestErasure is the account page's "erase my data": it records the
// request and tells the stewards, who carry it out.
func (s *Server) requestErasure(w http.ResponseWriter, r *http.Request) error {
	if err := s.accounts.RequestErasure(r.Context(), userFrom(r.Context()).ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?notice=erasure_requested#data", http.StatusSeeOther)
	return nil
}

type erasePage struct {
	Person account.User
}

// eraseForm asks a steward to confirm an erasure by typing the person's
// address.
func (s *Server) eraseForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderErase(w, r, http.StatusOK, nil)
}

func (s *Server) renderErase(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.accounts.Read(r.Context(), id)
	if err != nil {
		return err
	}
	if u.Erased() {
		return problem.New(problem.Conflict, "erase.already")
	}
	p := s.newPage(r, "erase.title")
	if formErr != nil {
		errs, order, ok := s.fieldErrors(p.Lang, formErr)
		if !ok {
			return formErr
		}
		p.Errors, p.ErrorOrder = errs, order
		p.Form.Set("confirm_email", r.PostForm.Get("confirm_email"))
	}
	p.Data = erasePage{Person: u}
	s.renderStatus(w, r, status, "erase", p)
	return nil
}

// erase carries out an erasure once the steward typed the address.
func (s *Server) erase(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	u, err := s.accounts.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if err := account.CheckErasure(u, r.PostForm.Get("confirm_email")); err != nil {
		return s.renderErase(w, r, http.StatusUnprocessableEntity, err)
	}
	if _, err := personal.Erase(r.Context(), s.db, s.people, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/people?notice=erased", http.StatusSeeOther)
	return nil
}
