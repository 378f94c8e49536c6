package web

import (
	"net/http"
	"time"

	"samen/internal/account"
)

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := account.ListFilter{Query: q.Get("q")}
	if role := q.Get("role"); role != "" {
		rl, err := account.ParseRole(role)
		if err != nil {
			return err
		}
		f.Role = rl
	}
	var err error
	if f.After, err = queryInt(q.Get("cursor"), "cursor"); err != nil {
		return err
	}
	if f.Limit, err = queryLimit(q.Get("limit")); err != nil {
		return err
	}
	users, next, err := s.accounts.List(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]apiUser, 0, len(users))
	for _, u := range users {
		out = append(out, toAPIUser(u))
	}
	resp := map[string]any{"users": out, "next_cursor": nil}
	if next != 0 {
		resp["next_cursor"] = next
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) apiUpdateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Role     *string `json:"role"`
		Disabled *bool   `json:"disabled"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Role != nil {
		role, err := account.ParseRole(*in.Role)
		if err != nil {
			return err
		}
		if err := s.accounts.SetRole(r.Context(), id, role); err != nil {
			return err
		}
	}
	if in.Disabled != nil {
		if err := s.accounts.SetDisabled(r.Context(), id, *in.Disabled); err != nil {
			return err
		}
	}
	u, err := s.accounts.Read(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIUser(u))
	return nil
}

type apiAuditEntry struct {
	ID          int64          `json:"id"`
	At          time.Time      `json:"at"`
	ActorID     *int64         `json:"actor_id"`
	ActorLabel  string         `json:"actor_label"`
	ActorName   string         `json:"actor_name,omitempty"`
	ActorErased bool           `json:"actor_erased,omitempty"`
	Action      string         `json:"action"`
	SubjectType string         `json:"subject_type,omitempty"`
	SubjectID   string         `json:"subject_id,omitempty"`
	IP          string         `json:"ip,omitempty"`
	Detail      map[string]any `json:"detail,omitempty"`
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := s.auditFilter(q)
	var err error
	if f.Limit, err = queryLimit(q.Get("limit")); err != nil {
		return err
	}
	if f.ActorID, err = queryInt(q.Get("actor"), "actor"); err != nil {
		return err
	}
	if f.Before, err = queryInt(q.Get("cursor"), "cursor"); err != nil {
		return err
	}
	entries, next, err := s.readAudit(r, f)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, e.ActorID)
	}
	// The log keeps ids; names are read as they are now.
	people, err := account.People(r.Context(), s.db, ids)
	if err != nil {
		return err
	}
	who := make(map[int64]account.Person, len(people))
	for _, p := range people {
		who[p.ID] = p
	}
	out := make([]apiAuditEntry, 0, len(entries))
	for _, e := range entries {
		x := apiAuditEntry{ID: e.ID, At: e.At, ActorLabel: e.ActorLabel, Action: e.Action,
			SubjectType: e.SubjectType, SubjectID: e.SubjectID, IP: e.IP, Detail: e.Detail}
		if e.ActorID != 0 {
			id := e.ActorID
			x.ActorID = &id
			x.ActorName, x.ActorErased = who[id].Name, who[id].Erased
		}
		out = append(out, x)
	}
	resp := map[string]any{"entries": out, "next_cursor": nil}
	if next != 0 {
		resp["next_cursor"] = next
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}
