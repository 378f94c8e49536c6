package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"samen/internal/assess"
	"samen/internal/problem"
	"samen/internal/store/storetest"
	"samen/internal/toolbox"
	"samen/internal/web"
)

// Fuzz tests for two forms that are read by hand rather than by a shared
// decoder: the self-scan and a reviewer's scores. Run one with
//
//	go test ./internal/web/ -run '^$' -fuzz '^FuzzScanForm$' -fuzztime 60s

// scanFormFields are the fields a problem with the scan form may name.
var scanFormFields = []string{"tools", "member_data", "access", "backups", "maintainers", "monthly_cost", "reach"}

// FuzzScanForm: reading the scan form never panics; a refusal is a
// problem.Error on the form's own fields; what it accepts is a normalised,
// valid scan that encodes as JSON (it is saved so), whose report encodes,
// and whose "repeat this scan" values give the same report again. The page
// itself answers the post without a server error.
func FuzzScanForm(f *testing.F) {
	seed := func(tools, other, memberData, access, backups, maintainers, cost, reach string) {
		f.Add(tools, other, memberData, access, backups, maintainers, cost, reach)
	}
	seed("whatsapp\ngoogle-drive", "Excel ledenlijst\nMailchimp, Zoom", "shared_document", "anyone_with_link", "no", "1", "12,50", "core_team\nmembers")
	seed("nextcloud", "", "", "", "", "", "", "")
	seed("", "", "", "", "", "", "", "")
	seed("", " , \r\n,", "PAPER", " Core_Team ", "Tested", " 2 ", "0", "supporters\nSUPPORTERS")
	seed("zoom", "", "", "", "", "two", "a lot", "")
	seed("zoom", "", "", "", "", "-1", "-0", "x")
	seed("zoom", "", "", "", "", "99999999999999999999", "1e400", "")
	seed("zoom", "", "", "", "", "1e3", "12", "")
	seed("zoom", "", "", "", "", "", "NaN", "")
	seed("zoom", "", "", "", "", "0x10", "Inf", "")
	seed("zoom", "", "", "", "", "+3", "-Infinity", "")
	seed("zoom", "", "", "", "", "", "0x1p-2", "")
	seed("zoom", "", "", "", "", "", "1,000.50", "")
	seed("a,b", "c\x00d\n\xff", "\u2028", "", "", "", "", "")
	seed(strings.Repeat("x", 81), strings.Repeat("tool,", 61), "", "", "", "", "", "")
	seed("matrix/Element\nmatrix/element", "Element", "", "", "", "", "", "")

	s := newSite(f, storetest.SQLite(f), quiet)
	h := s.HTTP.Config.Handler
	tools, err := toolbox.Seed()
	if err != nil {
		f.Fatal(err)
	}
	c := toolbox.NewCatalogue(tools)
	f.Fuzz(func(t *testing.T, tools, other, memberData, access, backups, maintainers, cost, reach string) {
		v := url.Values{"other_tools": {other}, "member_data": {memberData}, "access": {access}, "backups": {backups},
			"maintainers": {maintainers}, "monthly_cost": {cost}}
		if tools != "" {
			v["tools"] = strings.Split(tools, "\n")
		}
		if reach != "" {
			v["reach"] = strings.Split(reach, "\n")
		}
		in, err := web.ScanFromForm(v)
		if err != nil {
			p, ok := problem.As(err)
			if !ok || p.Kind != problem.Invalid || len(p.Fields) == 0 {
				t.Fatalf("scan form %v: %v", v, err)
			}
			for name := range p.Fields {
				if !slices.Contains(scanFormFields, name) {
					t.Fatalf("scan form %v: a problem on %q", v, name)
				}
			}
		} else {
			if err := in.Validate(); err != nil {
				t.Fatalf("scan form %v accepted %+v, which is not valid: %v", v, in, err)
			}
			if _, err := json.Marshal(in); err != nil {
				t.Fatalf("scan form %v accepted %+v, which cannot be saved: %v", v, in, err)
			}
			report := toolbox.Scan(c, in)
			if _, err := json.Marshal(report); err != nil {
				t.Fatalf("scan form %v: the report does not encode: %v", v, err)
			}
			// Repeating it gives the same report. (The field for other
			// tools is split at commas, so a name with a comma, which
			// only a forged form sends, comes back as several.)
			again, err := web.ScanFromForm(web.ScanValues(in, c))
			if err != nil {
				t.Fatalf("scan form %v: repeating %+v is refused: %v", v, in, err)
			}
			if r := toolbox.Scan(c, again); !reflect.DeepEqual(r, report) && !strings.Contains(strings.Join(in.Tools, ""), ",") {
				t.Fatalf("scan form %v: repeating %+v as %+v gives\n%+v, not\n%+v", v, in, again, r, report)
			}
		}
		rec := postRaw(h, "/toolbox/scan", "application/x-www-form-urlencoded", v.Encode())
		if rec.Code >= 500 {
			t.Fatalf("POST /toolbox/scan %s: status %d\n%s", v.Encode(), rec.Code, rec.Body)
		}
	})
}

// FuzzScoresFromForm: reading a reviewer's score form never panics; a
// refusal is a problem.Error on the levels of criteria; the scores it
// reads are of the framework's criteria, once each and in order, with a
// level on the scale or unknown; validating them names only their own
// fields; and the form a saved draft is shown in reads back to the same
// scores.
func FuzzScoresFromForm(f *testing.F) {
	fw, err := assess.ShippedFramework()
	if err != nil {
		f.Fatal(err)
	}
	criteria := fw.Criteria()
	for i, s := range []struct{ level, reason, confidence, evidence, raw string }{
		{"3", "The licence is AGPL.", "high", "https://example.org/LICENSE The licence\nStatutes: article 4", ""},
		{"unknown", "", "", "", ""},
		{"", "not saved", "low", "x", ""},
		{"0", " ", "medium", "javascript:alert(1) click\nJAVASCRIPT:alert(1)\nvbscript:x", ""},
		{"4", "r", "high", "  \n\n https://a.example/x   y  \r\nftp://x\n://\nhttps://\u00a0x", ""},
		{"5", "", "", "", ""}, {"-1", "", "", "", ""}, {"03", "", "", "", ""}, {"+2", "", "", "", ""}, {" 2", "", "", "", ""},
		{"99999999999999999999", "", "", "", ""}, {"Unknown", "", "", "", ""}, {"1.0", "", "", "", ""},
		{"2", strings.Repeat("é", 2001), "sure", strings.Repeat("https://e.example/ t\n", 21), ""},
		{"2", "r\x00", "high", "a\u2028b://c d\n\xff://", ""},
		{"1", "why", "high", "https://x.example", "openness.licence.level=2&openness.licence.level=9&x.level=3&%zz"},
		{"1", "why", "high", "e", "sustainability.activity.level=unknown&sustainability.activity.evidence=a%0Ab"},
	} {
		f.Add(uint8(i), s.level, s.reason, s.confidence, s.evidence, s.raw)
	}
	f.Fuzz(func(t *testing.T, which uint8, level, reason, confidence, evidence, raw string) {
		v, _ := url.ParseQuery(raw)
		if v == nil {
			v = url.Values{}
		}
		id := criteria[int(which)%len(criteria)].ID
		v.Set(id+".level", level)
		v.Set(id+".reason", reason)
		v.Set(id+".confidence", confidence)
		v.Set(id+".evidence", evidence)
		scores, err := web.ScoresFromForm(fw, v)
		if err != nil {
			p, ok := problem.As(err)
			if !ok || p.Kind != problem.Invalid || len(p.Fields) == 0 {
				t.Fatalf("score form %v: %v", v, err)
			}
			for name, code := range p.Fields {
				cid, ok := strings.CutSuffix(name, ".level")
				if _, known := fw.Criterion(cid); !ok || !known || code != "level.out_of_range" {
					t.Fatalf("score form %v: a problem %s on %q", v, code, name)
				}
				if lv := v.Get(name); lv == "" || lv == "unknown" || len(lv) == 1 && lv[0] >= '0' && lv[0] <= '4' {
					t.Fatalf("score form %v: the level %q of %s refused", v, lv, cid)
				}
			}
			return
		}
		next := 0
		byID := map[string]assess.Score{}
		for _, sc := range scores {
			i := slices.IndexFunc(criteria, func(c assess.Criterion) bool { return c.ID == sc.Criterion })
			if i < next {
				t.Fatalf("score form %v: score of %q out of order or twice", v, sc.Criterion)
			}
			next = i + 1
			raw := v.Get(sc.Criterion + ".level")
			if sc.Level == nil && raw != "unknown" || sc.Level != nil && (*sc.Level < 0 || *sc.Level > assess.MaxLevel) {
				t.Fatalf("score form %v: level %q read as %v", v, raw, sc.Level)
			}
			for _, e := range sc.Evidence {
				if e.URL == "" && e.Title == "" || strings.ContainsAny(e.URL+e.Title, "\n") {
					t.Fatalf("score form %v: evidence %+v", v, e)
				}
			}
			if err := assess.CheckScore(fw, sc); err != nil {
				p, ok := problem.As(err)
				if !ok || p.Kind != problem.Invalid || len(p.Fields) == 0 {
					t.Fatalf("CheckScore(%+v): %v", sc, err)
				}
				for name := range p.Fields {
					if !strings.HasPrefix(name, sc.Criterion+".") {
						t.Fatalf("CheckScore(%+v): a problem on %q", sc, name)
					}
				}
			}
			byID[sc.Criterion] = sc
		}
		if v.Get(id+".level") != "" && byID[id].Criterion != id {
			t.Fatalf("score form %v: the score of %s is lost", v, id)
		}
		again, err := web.ScoresFromForm(fw, web.ScoreValues(byID))
		if err != nil {
			t.Fatalf("scores %+v, shown again, are refused: %v", scores, err)
		}
		if !reflect.DeepEqual(again, scores) {
			t.Fatalf("scores read from %v\n%+v\nshown again read as\n%+v", v, scores, again)
		}
	})
}

// TestScanFormRefusesNaN keeps what FuzzScanForm found: "NaN" parsed as a
// monthly cost and passed validation (NaN is neither below 0 nor above the
// limit), so the report said "NaN euros" and saving the scan failed to
// encode it: a server error. "Inf" is out of range already.
func TestScanFormRefusesNaN(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.SQLite(t))
	s.seed()
	editor := s.loggedIn(moderator, "en")
	inID := strconv.FormatInt(createdID(t, editor.postForm("/atlas/new", proposal("Fietswerkplaats Dapperbuurt"))), 10)
	for _, cost := range []string{"NaN", "nan", "-NaN", "Inf", "+Infinity", "1e400"} {
		r := editor.postForm("/toolbox/scan", url.Values{"tools": {"whatsapp"}, "monthly_cost": {cost}, "initiative": {inID}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("saving a scan costing %q: status %d, want 422", cost, r.Status)
		}
		if _, err := web.ScanFromForm(url.Values{"tools": {"whatsapp"}, "monthly_cost": {cost}}); fieldOf(err, "monthly_cost") == "" {
			t.Errorf("scan form with monthly_cost %q: %v, want a problem on monthly_cost", cost, err)
		}
	}
}

func fieldOf(err error, name string) string {
	p, _ := problem.As(err)
	if p == nil {
		return ""
	}
	return p.Fields[name]
}
