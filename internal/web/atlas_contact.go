package web

import (
	"context"
	"net/http"

	"samen/internal/atlas"
	"samen/internal/problem"
)

type reportPage struct {
	In      atlas.Initiative
	Reasons []string
}

func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderSmallForm(w, r, http.StatusOK, "report", "atlas.report.title", nil)
}

func (s *Server) report(w http.ResponseWriter, r *http.Request) error {
	return s.postSmallForm(w, r, "report", "atlas.report.title", "report_received", func(ctx context.Context, id int64) error {
		return s.atlas.Report(ctx, userFrom(ctx), ipFrom(ctx), id, r.PostForm.Get("reason"), r.PostForm.Get("message"))
	})
}

func (s *Server) contactForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderSmallForm(w, r, http.StatusOK, "contact", "atlas.contact.title", nil)
}

func (s *Server) contact(w http.ResponseWriter, r *http.Request) error {
	return s.postSmallForm(w, r, "contact", "atlas.contact.title", "message_sent", func(ctx context.Context, id int64) error {
		return s.atlas.Contact(ctx, userFrom(ctx), ipFrom(ctx), id, atlas.ContactMessage{
			Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email"), Message: r.PostForm.Get("message")})
	})
}

// postSmallForm takes the report or contact form of an initiative: on a
// problem with a field the form comes back with it, else the reader
// returns to the initiative with a notice.
func (s *Server) postSmallForm(w http.ResponseWriter, r *http.Request, name, title, notice string, do func(ctx context.Context, id int64) error) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := do(r.Context(), id); err != nil {
		if p, ok := problem.As(err); ok && p.Kind == problem.Invalid {
			return s.renderSmallForm(w, r, http.StatusUnprocessableEntity, name, title, err)
		}
		return err
	}
	redirectNotice(w, r, atlasLink(id), notice)
	return nil
}

// renderSmallForm shows the report or contact form of an initiative.
func (s *Server) renderSmallForm(w http.ResponseWriter, r *http.Request, status int, name, title string, formErr error) error {
	in, u, err := s.initiativeFor(r)
	if err != nil {
		return err
	}
	if in.Status != atlas.Published && in.Status != atlas.Archived {
		return problemNotFound
	}
	if name == "contact" && in.Contact.Email == "" {
		return problem.New(problem.NotFound, "atlas.no_contact")
	}
	p := s.newPage(r, title)
	p.RawTitle = in.Name
	if formErr != nil {
		p.Errors, p.ErrorOrder, _ = s.fieldErrors(p.Lang, formErr)
		p.Form = r.PostForm
	} else if u != nil && name == "contact" {
		p.Form.Set("name", u.Name)
		p.Form.Set("email", u.Email)
	}
	p.Data = &reportPage{In: in, Reasons: atlas.ReportReasons}
	s.renderStatus(w, r, status, name, p)
	return nil
}
