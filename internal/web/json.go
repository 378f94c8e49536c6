// JSON in and out, for every part's API: strict request bodies (via
// internal/jsonstrict) and responses.

package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"samen/internal/jsonstrict"
	"samen/internal/problem"
	"samen/internal/textcheck"
)

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

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
