package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"samen/internal/account"
	"samen/internal/jsonstrict"
	"samen/internal/problem"
	"samen/internal/textcheck"
)

const maxJSONBytes = 1 << 20

// decodeJSON reads a JSON request body into v. Problems name the field as
// the JSON does ("needs.0.text"): an unknown field, a value of the wrong
// type (jsonstrict), text that is not UTF-8 or holds a control character,
// or a body that is not JSON.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := jsonBody(w, r)
	if err != nil {
		return err
	}
	return jsonstrict.Decode(body, v)
}

// jsonBody reads a JSON request body whole: one that says it is JSON (or
// says nothing), of at most maxJSONBytes, whose strings are text samen
// takes (textcheck), named by their place when they are not.
func jsonBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if err := jsonContentType(r); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBytes))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, problem.New(problem.TooLarge, "json.too_large")
		}
		return nil, problem.New(problem.Invalid, "json.malformed")
	}
	if bad := textcheck.CheckJSON(body); bad != nil {
		return nil, problem.Fields{jsonFieldName(bad.Path): bad.Code}.Err()
	}
	return body, nil
}

// jsonFieldName is the name a problem with the value at path goes under:
// the body as a whole has none of its own.
func jsonFieldName(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// jsonContentType refuses a body that says it is something else than
// JSON; a body without a Content-Type is read as JSON.
func jsonContentType(r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return problem.New(problem.Invalid, "json.content_type")
		}
	}
	return nil
}

type apiUser struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Language  string    `json:"language,omitempty"`
	Verified  bool      `json:"verified"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

func toAPIUser(u account.User) apiUser {
	return apiUser{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Language: u.Language,
		Verified: u.Verified(), Disabled: u.Disabled(), CreatedAt: u.CreatedAt}
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, toAPIUser(*userFrom(r.Context())))
	return nil
}

type apiToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Secret     string     `json:"secret,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toAPIToken(t account.Token) apiToken {
	return apiToken{ID: t.ID, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt,
		LastUsedAt: optTime(t.LastUsedAt), RevokedAt: optTime(t.RevokedAt)}
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request) error {
	tokens, err := s.accounts.Tokens(r.Context(), userFrom(r.Context()).ID)
	if err != nil {
		return err
	}
	out := make([]apiToken, 0, len(tokens))
	for _, t := range tokens {
		out = append(out, toAPIToken(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
	return nil
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	t, secret, err := s.accounts.CreateToken(r.Context(), userFrom(r.Context()).ID, in.Name)
	if err != nil {
		return err
	}
	out := toAPIToken(t)
	out.Secret = secret
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.accounts.RevokeToken(r.Context(), userFrom(r.Context()).ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

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
	limit, err := queryInt(q.Get("limit"), "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit)
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
	limit, err := queryInt(q.Get("limit"), "limit")
	if err != nil {
		return err
	}
	f.Limit = int(limit)
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
	out := make([]apiAuditEntry, 0, len(entries))
	for _, e := range entries {
		x := apiAuditEntry{ID: e.ID, At: e.At, ActorLabel: e.ActorLabel, Action: e.Action,
			SubjectType: e.SubjectType, SubjectID: e.SubjectID, IP: e.IP, Detail: e.Detail}
		if e.ActorID != 0 {
			id := e.ActorID
			x.ActorID = &id
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

// queryInt reads an optional non-negative whole number from the query.
func queryInt(v, field string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, problem.Fields{field: "query.not_a_number"}.Err()
	}
	return n, nil
}
