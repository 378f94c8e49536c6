package toolbox

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"samen/internal/problem"
)

// Fuzz test for the self-scan's JSON input (POST /api/v1/toolbox/scan).
// Run it with
//
//	go test ./internal/toolbox/ -run '^$' -fuzz '^FuzzDecodeScan$' -fuzztime 60s

// scanFields are the fields a problem with a scan may name.
var scanFields = []string{"tools", "answers", "answers.member_data", "answers.access", "answers.backups",
	"answers.maintainers", "answers.monthly_cost", "answers.reach"}

// checkScanReport asserts what a report of a valid input must be: every
// input tool found or unknown, known rules and steps only, and a report
// that encodes as JSON.
func checkScanReport(t *testing.T, c *Catalogue, in ScanInput, r Report) {
	t.Helper()
	if len(r.Tools)+len(r.Unknown) > len(in.Tools) || r.BigTech > len(r.Tools) {
		t.Fatalf("scan of %q: %d found, %d unknown, %d big tech", in.Tools, len(r.Tools), len(r.Unknown), r.BigTech)
	}
	for _, id := range r.Tools {
		if _, ok := c.Get(id); !ok {
			t.Fatalf("scan of %q found %q, which is not in the catalogue", in.Tools, id)
		}
	}
	for _, name := range r.Unknown {
		if _, ok := c.Find(name); ok || !slices.Contains(in.Tools, name) {
			t.Fatalf("scan of %q: %q is unknown", in.Tools, name)
		}
	}
	for _, x := range r.Risks {
		if !slices.Contains(RiskIDs, x.ID) || x.Severity < Low || x.Severity > High {
			t.Fatalf("scan of %+v: risk %+v", in, x)
		}
	}
	for _, s := range r.Plan {
		if !slices.Contains([]string{"replace", "close_link", "backups", "second_maintainer", "add"}, s.Action) || s.Effort < 1 || s.Effort > 3 {
			t.Fatalf("scan of %+v: step %+v", in, s)
		}
	}
	if len(r.Plan) > len(in.Tools)+len(Groups)+len(RiskIDs)+10 {
		t.Fatalf("scan of %d tools: a plan of %d steps", len(in.Tools), len(r.Plan))
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("the report of %+v does not encode: %v", in, err)
	}
	_ = r.String()
}

// FuzzDecodeScan: the decoder never panics; what it refuses it refuses
// with a problem.Error naming a field of the scan or saying the body is
// malformed, empty or too large; what it accepts normalises idempotently,
// validates with problems on the scan's fields only, encodes and decodes
// to the same input, and a valid one scans into a sound report.
func FuzzDecodeScan(f *testing.F) {
	for _, s := range []string{
		`{"tools":["WhatsApp","Google Drive","Excel"],"answers":{"member_data":"shared_document","access":"anyone_with_link","backups":"no","maintainers":1,"monthly_cost":12.5,"reach":["core_team","members"]}}`,
		`{"tools":["nextcloud"]}`, `{"tools":[" Zoom ","zoom","ZOOM",""],"answers":{}}`, `{"tools":["matrix/Element"],"answers":{"reach":["supporters","SUPPORTERS"," x "]}}`,
		`{}`, `[]`, `null`, `""`, `1`, ``, ` `, `{`, `{"tools":null,"answers":null}`, `{"tools":"x"}`, `{"tools":[1]}`,
		`{"answers":{"colour":"red"}}`, `{"colour":1}`, `{"Tools":["x"]}`, `{"tools":["x"],"tools":["y"]}`, `{"tools":["x"]} {}`, `{"tools":["x"]}]`,
		`{"answers":{"maintainers":-1}}`, `{"answers":{"maintainers":1.5}}`, `{"answers":{"maintainers":1e400}}`, `{"answers":{"maintainers":99999999999999999999}}`,
		`{"answers":{"monthly_cost":-0}}`, `{"answers":{"monthly_cost":1e308}}`, `{"answers":{"monthly_cost":"12"}}`, `{"answers":{"monthly_cost":NaN}}`,
		`{"answers":{"member_data":"PAPER"}}`, `{"answers":{"access":1}}`, `{"answers":{"reach":"members"}}`, `{"answers":[]}`,
		`{"tools":["\u0000","\ud800","` + "\xff" + `","a\u2028b"]}`, `{"tools":["` + strings.Repeat("x", 81) + `"]}`,
		`{"tools":[` + strings.Repeat(`"t",`, 70) + `"t"]}`, `{"tools":[` + strings.Repeat(`"`+strings.Repeat("y", 900)+`",`, 80) + `"z"]}`,
		strings.Repeat(`[`, 10000), `{"tools":["x"],"answers":{"reach":[null]}}`,
	} {
		f.Add([]byte(s))
	}
	tools, err := Seed()
	if err != nil {
		f.Fatal(err)
	}
	c := NewCatalogue(tools)
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := DecodeScan(bytes.NewReader(body))
		if err != nil {
			p, ok := problem.As(err)
			if !ok {
				t.Fatalf("DecodeScan(%q): %v is not a problem.Error", body, err)
			}
			switch {
			case p.Kind == problem.TooLarge:
				if len(body) <= maxScanBodySize {
					t.Fatalf("DecodeScan: %d bytes refused as too large", len(body))
				}
			case p.Kind != problem.Invalid:
				t.Fatalf("DecodeScan(%q): %v", body, err)
			case len(p.Fields) == 0:
				if p.Code != "json.malformed" && p.Code != "json.empty" {
					t.Fatalf("DecodeScan(%q): %v names no field", body, err)
				}
			default:
				for name, code := range p.Fields {
					if code != "json.wrong_type" && code != "json.unknown_field" || name == "" || utf8.RuneCountInString(name) > len(body) {
						t.Fatalf("DecodeScan(%q): %v", body, err)
					}
				}
			}
			return
		}
		if len(body) > maxScanBodySize {
			t.Fatalf("DecodeScan accepted %d bytes", len(body))
		}
		// One JSON object (or null), nothing after it but space.
		dec := json.NewDecoder(bytes.NewReader(body))
		var top map[string]json.RawMessage
		if err := dec.Decode(&top); err != nil {
			t.Fatalf("DecodeScan accepted %q, which is not a JSON object (%v)", body, err)
		}
		if rest := bytes.TrimLeft(body[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
			t.Fatalf("DecodeScan accepted %q with %q after the object", body, rest)
		}
		in.Normalize()
		again := in
		again.Tools, again.Answers.Reach = slices.Clone(in.Tools), slices.Clone(in.Answers.Reach)
		again.Normalize()
		if !reflect.DeepEqual(again, in) {
			t.Fatalf("Normalize is not idempotent: %+v, then %+v", in, again)
		}
		for _, s := range append(slices.Clone(in.Tools), in.Answers.Reach...) {
			if s == "" || s != strings.TrimSpace(s) {
				t.Fatalf("normalised scan keeps %q", s)
			}
		}
		// What the API accepted comes back the same through JSON.
		data, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("decoded scan %+v does not encode: %v", in, err)
		}
		back, err := DecodeScan(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("the encoded scan %s is refused: %v", data, err)
		}
		back.Normalize()
		if !reflect.DeepEqual(back, in) {
			t.Fatalf("through JSON %+v became %+v", in, back)
		}
		err = in.Validate()
		if err != nil {
			p, ok := problem.As(err)
			if !ok || p.Kind != problem.Invalid || len(p.Fields) == 0 {
				t.Fatalf("Validate(%+v): %v", in, err)
			}
			for name := range p.Fields {
				if !slices.Contains(scanFields, name) {
					t.Fatalf("Validate(%+v) names %q", in, name)
				}
			}
			return
		}
		if len(in.Tools) == 0 || len(in.Tools) > maxScanTools {
			t.Fatalf("a valid scan of %d tools", len(in.Tools))
		}
		for _, s := range in.Tools {
			if utf8.RuneCountInString(s) > maxToolName {
				t.Fatalf("a valid scan with a tool name of %d characters", utf8.RuneCountInString(s))
			}
		}
		checkScanReport(t, c, in, Scan(c, in))
	})
}

// TestDecodeScanOddBodies keeps what FuzzDecodeScan found: a stray closing
// bracket after the object was ignored, the key "" was reported as a field
// without a name, and quoted names kept their Go escapes.
func TestDecodeScanOddBodies(t *testing.T) {
	for body, want := range map[string]string{
		`{"tools":["x"]}]`:         "json.malformed",
		`{"tools":["x"]}}`:         "json.malformed",
		`{"tools":["x"]} x`:        "json.malformed",
		`{"":""}`:                  "json.malformed",
		`{"a\"b":1}`:               `a"b: json.unknown_field`,
		`{"tools":["x"],"é\t":1}`:  "é\t: json.unknown_field",
		`{"answers":{"":1}}`:       "answers: json.unknown_field",
		`{"answers":{"x":1}} `:     "answers.x: json.unknown_field",
		"{\"tools\":[\"x\"]}\n\t ": "",
	} {
		_, err := DecodeScan(strings.NewReader(body))
		got := ""
		if p, ok := problem.As(err); ok {
			got = p.Code
			for name, code := range p.Fields {
				got = name + ": " + code
			}
		} else if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("DecodeScan(%q): %q, want %q", body, got, want)
		}
	}
}
