package web

import (
	"net/http"

	"samen/internal/atlas"
)

type moderationPage struct {
	Queue   []queueItem
	Reports []atlas.Report
	Stale   int
}

type queueItem struct {
	atlas.QueueItem
	Changes []atlas.Change
}

// moderation is the moderators' queue: proposals and edits waiting, with
// what they change, and open reports.
func (s *Server) moderation(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	items, err := s.atlas.Queue(r.Context(), u)
	if err != nil {
		return err
	}
	reports, err := s.atlas.Reports(r.Context(), u)
	if err != nil {
		return err
	}
	_, _, stale, err := s.atlas.QueueSize(r.Context())
	if err != nil {
		return err
	}
	d := &moderationPage{Reports: reports, Stale: stale}
	for _, it := range items {
		var before atlas.Record
		if !it.New {
			before = it.Initiative.Record
		}
		d.Queue = append(d.Queue, queueItem{QueueItem: it, Changes: atlas.Diff(before, it.Revision.Record)})
	}
	p := s.newPage(r, "moderation.title")
	p.Data = d
	s.render(w, r, "moderation", p)
	return nil
}

func (s *Server) reviewRevision(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	accept := r.PostForm.Get("decision") == "accept"
	if _, err := s.atlas.Review(r.Context(), userFrom(r.Context()), id, accept, r.PostForm.Get("reason")); err != nil {
		return err
	}
	notice := "revision_rejected"
	if accept {
		notice = "revision_accepted"
	}
	redirectNotice(w, r, "/moderation", notice)
	return nil
}

func (s *Server) closeReport(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.atlas.CloseReport(r.Context(), userFrom(r.Context()), id, r.PostForm.Get("outcome") == "resolved"); err != nil {
		return err
	}
	redirectNotice(w, r, "/moderation", "report_closed")
	return nil
}
