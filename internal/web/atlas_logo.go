package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"samen/internal/atlas"
	"samen/internal/problem"
)

// initiativeLogo serves an initiative's logo: always a PNG samen drew
// itself from the upload.
func (s *Server) initiativeLogo(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l, err := s.atlas.LogoOf(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", l.ContentType)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, "logo.png", l.UpdatedAt, bytes.NewReader(l.Image))
	return nil
}

// uploadLogo takes a logo from a multipart form.
func (s *Server) uploadLogo(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// Whether this person may change the logo is settled before a byte of
	// the upload is read: a stranger's file is refused unread.
	if err := s.atlas.MayManage(r.Context(), userFrom(r.Context()), id); err != nil {
		return err
	}
	const slack = 64 << 10 // the rest of the form
	r.Body = http.MaxBytesReader(w, r.Body, atlas.MaxLogoBytes+slack)
	var data []byte
	if err := r.ParseMultipartForm(atlas.MaxLogoBytes + slack); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return s.renderInitiative(w, r, http.StatusRequestEntityTooLarge,
				&problem.Error{Kind: problem.TooLarge, Code: "validation", Fields: problem.Fields{"logo": "logo.too_large"}})
		}
		return problemBadForm
	}
	if f, _, err := r.FormFile("logo"); err == nil {
		data, err = io.ReadAll(f)
		f.Close()
		if err != nil {
			return problemBadForm
		}
	}
	if err := s.atlas.SetLogo(r.Context(), userFrom(r.Context()), id, data); err != nil {
		if p, ok := problem.As(err); ok && len(p.Fields) > 0 {
			return s.renderInitiative(w, r, http.StatusUnprocessableEntity, err)
		}
		return err
	}
	redirectNotice(w, r, atlasLink(id), "logo_saved")
	return nil
}

func (s *Server) removeLogo(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.atlas.RemoveLogo(r.Context(), userFrom(r.Context()), id); err != nil {
		return err
	}
	redirectNotice(w, r, atlasLink(id), "logo_removed")
	return nil
}
