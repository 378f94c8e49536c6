package web_test

import (
	"net/http"
	"strings"
	"testing"

	"samen/internal/store"
	"samen/internal/store/storetest"
)

// Every API error has one shape, a stable code, a message in the caller's
// language and, for bad input, the fields at fault.
func TestAPIErrors(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		token := s.tokenFor(member.Email)

		for _, tc := range []struct {
			name        string
			method      string
			path        string
			contentType string
			body        string
			status      int
			code        string
			fields      map[string]string // field -> code
		}{
			{name: "unknown field", method: "POST", path: "/tokens", body: `{"name":"x","scope":"all"}`,
				status: 400, code: "validation", fields: map[string]string{"scope": "json.unknown_field"}},
			{name: "wrong type", method: "POST", path: "/tokens", body: `{"name":42}`,
				status: 400, code: "validation", fields: map[string]string{"name": "json.wrong_type"}},
			{name: "malformed JSON", method: "POST", path: "/tokens", body: `{"name":`,
				status: 400, code: "json.malformed"},
			{name: "two documents", method: "POST", path: "/tokens", body: `{"name":"a"} {"name":"b"}`,
				status: 400, code: "json.malformed"},
			{name: "a stray brace after the object", method: "POST", path: "/tokens", body: `{"name":"a"}}`,
				status: 400, code: "json.malformed"},
			{name: "a stray bracket after the object", method: "POST", path: "/tokens", body: `{"name":"a"}]`,
				status: 400, code: "json.malformed"},
			{name: "not an object", method: "POST", path: "/tokens", body: `["name"]`,
				status: 400, code: "json.malformed"},
			{name: "empty body", method: "POST", path: "/tokens", body: ``,
				status: 400, code: "json.empty"},
			{name: "wrong Content-Type", method: "POST", path: "/tokens", contentType: "text/plain", body: `{"name":"x"}`,
				status: 400, code: "json.content_type"},
			{name: "form instead of JSON", method: "POST", path: "/tokens", contentType: "application/x-www-form-urlencoded", body: `name=x`,
				status: 400, code: "json.content_type"},
			{name: "unparseable Content-Type", method: "POST", path: "/tokens", contentType: "application/json; charset", body: `{"name":"x"}`,
				status: 400, code: "json.content_type"},
			{name: "empty name", method: "POST", path: "/tokens", body: `{"name":"  "}`,
				status: 400, code: "validation", fields: map[string]string{"name": "token_name.required"}},
			{name: "name too long", method: "POST", path: "/tokens", body: `{"name":"` + strings.Repeat("é", 101) + `"}`,
				status: 400, code: "validation", fields: map[string]string{"name": "token_name.too_long"}},
			{name: "unknown route", method: "GET", path: "/no-such-thing",
				status: 404, code: "page.not_found"},
			{name: "unknown route for POST", method: "POST", path: "/no/such/thing", body: `{}`,
				status: 404, code: "page.not_found"},
			{name: "not a number in the path", method: "DELETE", path: "/tokens/abc",
				status: 404, code: "page.not_found"},
			{name: "nobody's token", method: "DELETE", path: "/tokens/999",
				status: 404, code: "token.not_found"},
			{name: "member lists users", method: "GET", path: "/users",
				status: 403, code: "auth.forbidden"},
			{name: "member reads the audit log", method: "GET", path: "/audit",
				status: 403, code: "auth.forbidden"},
			{name: "member changes a role", method: "PATCH", path: "/users/1", body: `{"role":"steward"}`,
				status: 403, code: "auth.forbidden"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, lang := range []string{"en", "nl"} {
					c := s.script(token, lang)
					var body *strings.Reader
					if tc.body != "" || tc.method == "POST" {
						body = strings.NewReader(tc.body)
					}
					req := c.b.newRequest(tc.method, "/api/v1"+tc.path, nil)
					if body != nil {
						req = c.b.newRequest(tc.method, "/api/v1"+tc.path, body)
						ct := tc.contentType
						if ct == "" {
							ct = "application/json"
						}
						req.Header.Set("Content-Type", ct)
					}
					req.Header.Set("Authorization", "Bearer "+token)
					r := c.b.do(req)
					e := apiErrorOf(t, r, tc.status)
					if e.Error.Code != tc.code {
						t.Errorf("%s: code %q, want %q", lang, e.Error.Code, tc.code)
					}
					if want := msgs.T(lang, "error."+tc.code); e.Error.Message != want {
						t.Errorf("%s: message %q, want %q", lang, e.Error.Message, want)
					}
					if len(e.Error.Fields) != len(tc.fields) {
						t.Errorf("%s: fields %v, want %v", lang, e.Error.Fields, tc.fields)
					}
					for f, code := range tc.fields {
						got, ok := e.Error.Fields[f]
						if !ok || got.Code != code {
							t.Errorf("%s: field %s has %+v, want code %s", lang, f, got, code)
							continue
						}
						if want := msgs.T(lang, "field."+code); got.Message != want {
							t.Errorf("%s: field %s message %q, want %q", lang, f, got.Message, want)
						}
					}
					if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
						t.Errorf("Cache-Control %q, want no-store", cc)
					}
				}
			})
		}

		t.Run("the messages differ by language", func(t *testing.T) {
			// Otherwise the check above would pass with one catalogue.
			en := apiErrorOf(t, s.script(token, "en").call("GET", "/users", ""), 403)
			nl := apiErrorOf(t, s.script(token, "nl").call("GET", "/users", ""), 403)
			if en.Error.Message == nl.Error.Message {
				t.Errorf("the same message in both languages: %q", en.Error.Message)
			}
		})

		t.Run("a good body after all that", func(t *testing.T) {
			r := s.script(token, "en").call("POST", "/tokens", `{"name":"deploy"}`)
			if r.Status != http.StatusCreated {
				t.Fatalf("status %d; body:\n%s", r.Status, r.Body)
			}
			var tok struct {
				ID     int64  `json:"id"`
				Name   string `json:"name"`
				Secret string `json:"secret"`
				Prefix string `json:"prefix"`
			}
			r.JSON(t, &tok)
			if tok.Name != "deploy" || !secretRE.MatchString(tok.Secret) || !strings.HasPrefix(tok.Secret, tok.Prefix) {
				t.Errorf("token %+v", tok)
			}
			// No Content-Type at all is read as JSON, and a final line break is
			// fine: curl -d @file sends both.
			req := s.browser("en").newRequest("POST", "/api/v1/tokens", strings.NewReader("{\"name\":\"curl\"}\n"))
			req.Header.Set("Authorization", "Bearer "+token)
			if r := s.browser("en").do(req); r.Status != http.StatusCreated {
				t.Errorf("without Content-Type: status %d; body:\n%s", r.Status, r.Body)
			}
		})

		t.Run("bad tokens", func(t *testing.T) {
			for _, authz := range []string{"Bearer samen_nope", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + token + "x", token} {
				b := s.browser("nl")
				req := b.newRequest("GET", "/api/v1/me", nil)
				req.Header.Set("Authorization", authz)
				e := apiErrorOf(t, b.do(req), http.StatusUnauthorized)
				if e.Error.Code != "token.invalid" || e.Error.Message != msgs.T("nl", "error.token.invalid") {
					t.Errorf("Authorization %q: %+v", authz, e.Error)
				}
			}
		})

		t.Run("too large", func(t *testing.T) {
			body := `{"name":"` + strings.Repeat("a", 1<<20) + `"}`
			e := apiErrorOf(t, s.script(token, "en").call("POST", "/tokens", body), http.StatusRequestEntityTooLarge)
			if e.Error.Code != "json.too_large" {
				t.Errorf("code %q", e.Error.Code)
			}
		})

		t.Run("steward input errors", func(t *testing.T) {
			st := s.script(s.tokenFor(steward.Email), "en")
			for _, tc := range []struct {
				method, path, body string
				status             int
				code, field        string
			}{
				{"GET", "/users?limit=-1", "", 400, "validation", "limit"},
				{"GET", "/users?cursor=x", "", 400, "validation", "cursor"},
				{"GET", "/users?role=king", "", 400, "validation", "role"},
				{"GET", "/audit?actor=me", "", 400, "validation", "actor"},
				{"PATCH", "/users/1", `{"role":"king"}`, 400, "validation", "role"},
				{"PATCH", "/users/1", `{"disabled":"yes"}`, 400, "validation", "disabled"},
				{"PATCH", "/users/999", `{"role":"member"}`, 404, "user.not_found", ""},
				{"PATCH", "/users/1", `{"role":"member"}`, 409, "role.last_steward", ""},
			} {
				e := apiErrorOf(t, st.call(tc.method, tc.path, tc.body), tc.status)
				if e.Error.Code != tc.code {
					t.Errorf("%s %s: code %q, want %q", tc.method, tc.path, e.Error.Code, tc.code)
				}
				if _, ok := e.Error.Fields[tc.field]; tc.field != "" && !ok {
					t.Errorf("%s %s: fields %v do not name %s", tc.method, tc.path, e.Error.Fields, tc.field)
				}
			}
		})
	})
}
