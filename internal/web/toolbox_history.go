package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"samen/internal/toolbox"
)

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
