// Uploads: the one file of an upload form, and what is wrong with a file
// (too large, unreadable, a bad line or column) in the reader's words.

package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"samen/internal/problem"
	"samen/internal/toolbox"
)

// readUpload reads the one file of an upload form, its field "file". A
// body over the limit is a file too large; one that is not a multipart
// form, or a broken one, could not be read (a script that posts the file
// itself, say); a form without a file lacks the file.
func readUpload(w http.ResponseWriter, r *http.Request) ([]byte, string, error) {
	return readUploadOf(w, r, maxImportBytes)
}

// readUploadOf is readUpload for files of at most limit bytes.
func readUploadOf(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseMultipartForm(min(limit, 4<<20)); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) || errors.Is(err, multipart.ErrMessageTooLarge) {
			// 413, with the limit of this form in the message.
			code := "file.too_large"
			if limit >= maxStatementBytes {
				code = "file.too_large_20"
			}
			return nil, "", &problem.Error{Kind: problem.TooLarge, Code: "validation", Fields: problem.Fields{"file": code}}
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

// uploadStatus is the status of a page that shows an upload's problem:
// 413 for a file over the limit, 422 for any other.
func uploadStatus(err error) int {
	if problem.Is(err, problem.TooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusUnprocessableEntity
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
