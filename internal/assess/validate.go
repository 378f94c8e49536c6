package assess

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"samen/internal/problem"
)

var (
	semverPattern = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)
	idPattern     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// Checks are the automatic checks samen can run on a source repository.
var Checks = []string{"licence", "activity"}

// DecodeFramework reads a framework from JSON, refusing unknown fields so
// a typo in a steward's file does not silently drop a definition, and
// anything after the framework (a second one would be dropped as silently).
func DecodeFramework(data []byte) (Framework, error) {
	var f Framework
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(&f)
	if err == nil {
		if _, next := dec.Token(); next != io.EOF {
			err = errors.New("data after the framework")
		}
	}
	if err != nil {
		return f, &problem.Error{Kind: problem.Invalid, Code: "assess.framework_malformed", Fields: problem.Fields{"file": "json.malformed"}}
	}
	return f, nil
}

// Validate checks a framework: a semantic version, unique ids, both
// languages everywhere a reader looks, every scale exactly 0 to MaxLevel
// with a definition per level, gates within the scale. Problems name the
// place ("groups.openness.criteria.openness.licence.scale").
func (f Framework) Validate() error {
	p := problem.Fields{}
	if !semverPattern.MatchString(f.Version) {
		p.Add("version", "version.invalid")
	}
	both := func(field string, t Text) {
		if strings.TrimSpace(t.NL) == "" || strings.TrimSpace(t.EN) == "" {
			p.Add(field, "text.both_languages")
		}
	}
	both("title", f.Title)
	both("description", f.Description)
	if len(f.Groups) == 0 {
		p.Add("groups", "required")
	}
	seen := map[string]bool{}
	for _, g := range f.Groups {
		where := "groups." + g.ID
		if !idPattern.MatchString(g.ID) || seen[g.ID] {
			p.Add(where, "id.invalid")
		}
		seen[g.ID] = true
		both(where+".name", g.Name)
		if len(g.Criteria) == 0 {
			p.Add(where+".criteria", "required")
		}
		for _, c := range g.Criteria {
			cw := where + ".criteria." + c.ID
			name, ok := strings.CutPrefix(c.ID, g.ID+".")
			if !ok || !idPattern.MatchString(name) || seen[c.ID] {
				p.Add(cw, "id.invalid")
			}
			seen[c.ID] = true
			both(cw+".name", c.Name)
			both(cw+".question", c.Question)
			both(cw+".evidence", c.Evidence)
			if len(c.Scale) != MaxLevel+1 {
				p.Add(cw+".scale", "scale.levels")
			}
			for i, l := range c.Scale {
				if l.Level != i {
					p.Add(cw+".scale", "scale.levels")
				}
				both(cw+".scale."+strconv.Itoa(i), l.Definition)
			}
			if c.Gate != nil && (*c.Gate < 1 || *c.Gate > MaxLevel) {
				p.Add(cw+".gate", "gate.invalid")
			}
			if c.Check != "" && !slices.Contains(Checks, c.Check) {
				p.Add(cw+".check", "check.unknown")
			}
		}
	}
	return p.Err()
}

// Criterion returns the criterion with this id.
func (f Framework) Criterion(id string) (Criterion, bool) {
	for _, g := range f.Groups {
		for _, c := range g.Criteria {
			if c.ID == id {
				return c, true
			}
		}
	}
	return Criterion{}, false
}

// Criteria lists every criterion in order.
func (f Framework) Criteria() []Criterion {
	var out []Criterion
	for _, g := range f.Groups {
		out = append(out, g.Criteria...)
	}
	return out
}

func webURL(s string) bool {
	if len(s) > maxURL {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
