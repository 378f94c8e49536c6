package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"samen/internal/store/storetest"
)

// openAPIDoc is what the tests read of the OpenAPI document.
type openAPIDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}

// The OpenAPI document describes exactly the API that exists: a route added
// without documenting it, or a documented route that is gone, fails here.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	r := s.browser("en").get("/api/v1/openapi.json")
	if r.Status != http.StatusOK {
		t.Fatalf("status %d", r.Status)
	}
	var raw any
	r.JSON(t, &raw)
	var doc openAPIDoc
	r.JSON(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}

	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for key := range item {
			if httpMethods[key] {
				documented[strings.ToUpper(key)+" /api/v1"+path] = true
			}
		}
	}
	registered := map[string]bool{}
	for _, rt := range s.Server.RoutesForTest() {
		if !rt.API {
			continue
		}
		// ServeMux spells "the rest of the path" {name...} and "exactly
		// here" {$}; OpenAPI knows neither.
		p := strings.ReplaceAll(strings.ReplaceAll(rt.Path, "...}", "}"), "{$}", "")
		registered[rt.Method+" "+p] = true
	}
	if len(registered) == 0 {
		t.Fatal("no API routes registered")
	}
	for _, k := range sortedKeys(registered) {
		if !documented[k] {
			t.Errorf("%s is not in the OpenAPI document", k)
		}
	}
	for _, k := range sortedKeys(documented) {
		if !registered[k] {
			t.Errorf("the OpenAPI document describes %s, which does not exist", k)
		}
	}

	// Every $ref points at something in the document.
	refs := 0
	walkJSON(raw, func(node map[string]any) {
		ref, ok := node["$ref"].(string)
		if !ok {
			return
		}
		refs++
		if _, err := resolvePointer(raw, ref); err != "" {
			t.Errorf("$ref %q: %s", ref, err)
		}
	})
	if refs == 0 {
		t.Error("no $ref found: the walk is broken")
	}

	// Every operation has an id of its own and declares each of its path
	// parameters, and every security scheme it names exists.
	rawDoc := raw.(map[string]any)
	schemes, _ := lookup(rawDoc, "components", "securitySchemes").(map[string]any)
	ids := map[string]string{}
	paramRE := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range rawDoc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			if !httpMethods[method] {
				continue
			}
			name := strings.ToUpper(method) + " " + path
			o := op.(map[string]any)
			id, _ := o["operationId"].(string)
			if id == "" {
				t.Errorf("%s has no operationId", name)
			} else if other, dup := ids[id]; dup {
				t.Errorf("%s and %s share operationId %q", name, other, id)
			}
			ids[id] = name
			declared := map[string]bool{}
			params, _ := o["parameters"].([]any)
			if common, ok := item.(map[string]any)["parameters"].([]any); ok {
				params = append(params, common...)
			}
			for _, p := range params {
				pm := p.(map[string]any)
				if ref, ok := pm["$ref"].(string); ok {
					v, _ := resolvePointer(raw, ref)
					pm, _ = v.(map[string]any)
				}
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
					if pm["required"] != true {
						t.Errorf("%s: path parameter %v is not required", name, pm["name"])
					}
				}
			}
			for _, m := range paramRE.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s: path parameter {%s} is not declared", name, m[1])
				}
				delete(declared, m[1])
			}
			for p := range declared {
				t.Errorf("%s: declares path parameter %q that is not in the path", name, p)
			}
			responses, _ := o["responses"].(map[string]any)
			if len(responses) == 0 {
				t.Errorf("%s has no responses", name)
			}
			for code := range responses {
				if n, err := strconv.Atoi(code); err != nil || n < 100 || n > 599 {
					t.Errorf("%s: response %q is not a status code", name, code)
				}
			}
			sec, _ := o["security"].([]any)
			for _, req := range sec {
				for scheme := range req.(map[string]any) {
					if _, ok := schemes[scheme]; !ok {
						t.Errorf("%s: security scheme %q is not defined", name, scheme)
					}
				}
			}
		}
	}
}

// The document may be fetched by tools on other hosts (an API explorer).
func TestOpenAPIDocumentCORS(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	r := s.browser("").get("/api/v1/openapi.json")
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin %q, want *", got)
	}
	if !json.Valid([]byte(r.Body)) {
		t.Error("not valid JSON")
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// walkJSON calls fn on every object in a decoded JSON value.
func walkJSON(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		for _, c := range x {
			walkJSON(c, fn)
		}
	case []any:
		for _, c := range x {
			walkJSON(c, fn)
		}
	}
}

func lookup(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// resolvePointer follows a local reference ("#/components/schemas/User"),
// returning what it points at or why it cannot.
func resolvePointer(doc any, ref string) (any, string) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, "not a reference inside the document"
	}
	frag, err := url.PathUnescape(frag)
	if err != nil {
		return nil, "bad escape"
	}
	if frag == "" {
		return doc, ""
	}
	if !strings.HasPrefix(frag, "/") {
		return nil, "not a JSON pointer"
	}
	v := doc
	for _, tok := range strings.Split(frag[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			c, ok := x[tok]
			if !ok {
				return nil, "no " + strconv.Quote(tok)
			}
			v = c
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, "no index " + tok
			}
			v = x[i]
		default:
			return nil, "cannot descend into " + strconv.Quote(tok)
		}
	}
	return v, ""
}
