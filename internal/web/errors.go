package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"samen/internal/problem"
)

var (
	problemForbiddenOrigin = problem.New(problem.Forbidden, "csrf.origin")
	problemSignIn          = problem.New(problem.Unauthorized, "auth.required")
	problemNotAllowed      = problem.New(problem.Forbidden, "auth.forbidden")
	problemBadToken        = problem.New(problem.Unauthorized, "token.invalid")
	problemNotFound        = problem.New(problem.NotFound, "page.not_found")
	problemBadForm         = problem.New(problem.Invalid, "form.unreadable")
	problemFormTooLarge    = problem.New(problem.TooLarge, "form.too_large")
)

// statusFor is the status of a problem. Invalid input is a 400 in the API
// and in the address of a page (a bad query parameter), and a 422 for a
// form whose fields need mending.
func statusFor(p *problem.Error, api bool) int {
	switch p.Kind {
	case problem.Invalid:
		if api {
			return http.StatusBadRequest
		}
		return http.StatusUnprocessableEntity
	case problem.NotFound:
		return http.StatusNotFound
	case problem.Forbidden:
		return http.StatusForbidden
	case problem.Unauthorized:
		return http.StatusUnauthorized
	case problem.Conflict:
		return http.StatusConflict
	case problem.RateLimited:
		return http.StatusTooManyRequests
	case problem.Gone:
		return http.StatusGone
	case problem.TooLarge:
		return http.StatusRequestEntityTooLarge
	case problem.Unavailable:
		return http.StatusServiceUnavailable
	case problem.Unsupported:
		return http.StatusNotImplemented
	}
	return http.StatusInternalServerError
}

func slogLevelFor(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// fail answers a request that went wrong: JSON for the API, a page for
// people. Errors that are not domain problems are logged and shown as a
// plain "something went wrong", never with their text.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	p, ok := problem.As(err)
	if !ok {
		s.log.Error("internal error", "path", r.URL.Path, "err", err)
		p = problem.New("internal", "internal")
	}
	api := isAPI(r)
	status := statusFor(p, api || r.Method == http.MethodGet || r.Method == http.MethodHead)
	if p.Kind == problem.RateLimited {
		w.Header().Set("Retry-After", "900")
	}
	if api {
		if p.Kind == problem.Unauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="samen"`)
		}
		s.writeJSONError(w, r, status, p)
		return
	}
	// A visitor who must sign in first is sent to the login form and
	// brought back afterwards.
	if p == problemSignIn && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	lang := langFrom(r.Context())
	pg := s.newPage(r, "error.title")
	pg.Data = errorPage{
		Status:  status,
		Message: s.msgs.T(lang, "error."+p.Code),
		Fields:  s.fieldList(lang, p),
	}
	s.renderStatus(w, r, status, "error", pg)
}

type errorPage struct {
	Status  int
	Message string
	// Fields says what is wrong with each parameter or field, for a
	// request that has no form of its own to show them in (a bad query
	// parameter, a form that could not be read).
	Fields []fieldMessage
}

type fieldMessage struct{ Name, Message string }

// fieldList is a problem's field messages in name order.
func (s *Server) fieldList(lang string, p *problem.Error) []fieldMessage {
	messages, order, _ := s.fieldErrors(lang, p)
	out := make([]fieldMessage, len(order))
	for i, name := range order {
		out[i] = fieldMessage{name, messages[name]}
	}
	return out
}

type jsonError struct {
	Error jsonErrorBody `json:"error"`
}

type jsonErrorBody struct {
	Code    string               `json:"code"`
	Message string               `json:"message"`
	Fields  map[string]jsonField `json:"fields,omitempty"`
}

type jsonField struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (s *Server) writeJSONError(w http.ResponseWriter, r *http.Request, status int, p *problem.Error) {
	lang := langFrom(r.Context())
	body := jsonErrorBody{Code: p.Code, Message: s.msgs.T(lang, "error."+p.Code)}
	if len(p.Fields) > 0 {
		body.Fields = map[string]jsonField{}
		for f, code := range p.Fields {
			body.Fields[f] = jsonField{Code: code, Message: s.msgs.T(lang, "field."+code)}
		}
	}
	writeJSON(w, status, jsonError{Error: body})
}

// fieldErrors translates a validation problem for a form: field name ->
// message, plus the fields in a stable order for the error summary.
func (s *Server) fieldErrors(lang string, err error) (map[string]string, []string, bool) {
	p, ok := problem.As(err)
	if !ok || len(p.Fields) == 0 {
		return nil, nil, false
	}
	out := map[string]string{}
	order := make([]string, 0, len(p.Fields))
	for f, code := range p.Fields {
		out[f] = s.msgs.T(lang, "field."+code)
		order = append(order, f)
	}
	sort.Strings(order)
	return out, order, true
}
