package jsonstrict_test

import (
	"encoding/json"
	"testing"

	"samen/internal/jsonstrict"
	"samen/internal/problem"
)

type target struct {
	Name  string   `json:"name"`
	Count int      `json:"count"`
	Tags  []string `json:"tags"`
	Needs []struct {
		Kind string `json:"kind"`
	} `json:"needs"`
}

// got says what an error is, as a test wants to read it: "field: code",
// or the code of a problem without fields, or "" for none.
func got(err error) string {
	p, ok := problem.As(err)
	if !ok {
		if err != nil {
			return "not a problem: " + err.Error()
		}
		return ""
	}
	if p.Kind != problem.Invalid {
		return "kind " + p.Code
	}
	for name, code := range p.Fields {
		return name + ": " + code
	}
	return p.Code
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct{ prefix, body, want string }{
		{"", `{"name":"x","count":2,"tags":["a"],"needs":[{"kind":"space"}]}`, ""},
		{"", " {\"name\":\"x\"}\n\t ", ""},
		{"", `{"colour":1}`, "colour: json.unknown_field"},
		{"", `{"a\"b":1}`, `a"b: json.unknown_field`},
		{"", `{"":1}`, "json.malformed"},
		{"", `{"count":"two"}`, "count: json.wrong_type"},
		{"", `{"tags":["a",2]}`, "tags.1: json.wrong_type"},
		{"", `{"needs":[{"kind":"space"},{"kind":3}]}`, "needs.1.kind: json.wrong_type"},
		{"", `["x"]`, "json.malformed"},
		{"", `42`, "json.malformed"},
		{"", `{"name":"x"`, "json.malformed"},
		{"", `{"name":"x"} {}`, "json.malformed"},
		{"", `{"name":"x"}]`, "json.malformed"},
		{"", `{"name":"x"}}`, "json.malformed"},
		{"", ``, "json.empty"},
		{"", "  \n", "json.empty"},
		{"answers", `{"colour":1}`, "answers.colour: json.unknown_field"},
		{"answers", `{"":1}`, "answers: json.unknown_field"},
		{"answers", `{"count":"two"}`, "answers.count: json.wrong_type"},
		{"answers", `"x"`, "answers: json.wrong_type"},
		{"answers", `{"count":1} x`, "json.malformed"},
	} {
		var v target
		if g := got(jsonstrict.DecodeAt(tc.prefix, []byte(tc.body), &v)); g != tc.want {
			t.Errorf("DecodeAt(%q, %q): %q, want %q", tc.prefix, tc.body, g, tc.want)
		}
		if tc.prefix == "" {
			if g := got(jsonstrict.Decode([]byte(tc.body), &v)); g != tc.want {
				t.Errorf("Decode(%q): %q, want %q", tc.body, g, tc.want)
			}
		}
	}
}

// FuzzDecode: the decoder never panics; what it refuses it refuses as a
// problem.Invalid with a known code and no field without a name; what it
// takes is one JSON value.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"name":"x","tags":["a"],"needs":[{"kind":"k"}]}`, `{"tags":[1]}`, `{"x":1}`, `{"":1}`, `[]`, `{} {}`, `{"a\u0000":1}`, ``} {
		f.Add(s, "")
		f.Add(s, "answers")
	}
	codes := map[string]bool{"json.empty": true, "json.malformed": true, "json.wrong_type": true, "json.unknown_field": true}
	f.Fuzz(func(t *testing.T, body, prefix string) {
		var v target
		err := jsonstrict.DecodeAt(prefix, []byte(body), &v)
		if err == nil {
			if !json.Valid([]byte(body)) {
				t.Fatalf("DecodeAt(%q, %q) took what is not one JSON value", prefix, body)
			}
			return
		}
		p, ok := problem.As(err)
		if !ok || p.Kind != problem.Invalid {
			t.Fatalf("DecodeAt(%q, %q): %v is not a problem.Invalid", prefix, body, err)
		}
		if len(p.Fields) == 0 && !codes[p.Code] {
			t.Fatalf("DecodeAt(%q, %q): code %q", prefix, body, p.Code)
		}
		for name, code := range p.Fields {
			if name == "" || !codes[code] {
				t.Fatalf("DecodeAt(%q, %q): field %q code %q", prefix, body, name, code)
			}
		}
	})
}
