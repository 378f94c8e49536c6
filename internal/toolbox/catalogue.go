package toolbox

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"samen/internal/atlas"
	"samen/internal/problem"
)

//go:embed catalogue.json spdx-license-ids.json spdx-license-ids-deprecated.json spdx-exceptions.json guides/*.md
var seedFS embed.FS

var spdxIDs = sync.OnceValue(func() map[string]bool {
	ids := map[string]bool{}
	for _, name := range []string{"spdx-license-ids.json", "spdx-license-ids-deprecated.json"} {
		var list []string
		data, err := seedFS.ReadFile(name)
		if err == nil {
			err = json.Unmarshal(data, &list)
		}
		if err != nil {
			panic("toolbox: the vendored SPDX list is broken: " + err.Error())
		}
		for _, id := range list {
			ids[id] = true
		}
	}
	return ids
})

var spdxExceptions = sync.OnceValue(func() map[string]bool {
	var list []string
	data, err := seedFS.ReadFile("spdx-exceptions.json")
	if err == nil {
		err = json.Unmarshal(data, &list)
	}
	if err != nil {
		panic("toolbox: the vendored SPDX exception list is broken: " + err.Error())
	}
	ids := map[string]bool{}
	for _, id := range list {
		ids[id] = true
	}
	return ids
})

// knownException reports whether id is on the SPDX exception list.
func knownException(id string) bool { return spdxExceptions()[id] }

// knownLicence reports whether id is on the SPDX licence list (current or
// deprecated, since projects still write "AGPL-3.0").
func knownLicence(id string) bool { return spdxIDs()[id] }

// Seed is the catalogue samen starts with: the tools, services and
// protocols of the roadmap's appendix II and the big-tech products they
// replace.
func Seed() ([]Tool, error) {
	data, err := seedFS.ReadFile("catalogue.json")
	if err != nil {
		return nil, err
	}
	return DecodeTools(data)
}

// Catalogue is the whole catalogue in memory: small (hundreds of entries),
// read for every page from the database so that several processes agree.
type Catalogue struct {
	Tools []Tool // sorted by name
	byID  map[string]int
	byKey map[string]int
}

// NewCatalogue indexes tools by id and by every name and alias.
func NewCatalogue(tools []Tool) *Catalogue {
	c := &Catalogue{Tools: tools, byID: map[string]int{}, byKey: map[string]int{}}
	sort.SliceStable(c.Tools, func(i, j int) bool {
		return strings.ToLower(c.Tools[i].Name) < strings.ToLower(c.Tools[j].Name)
	})
	for i, t := range c.Tools {
		c.byID[t.ID] = i
		for _, k := range t.Keys() {
			if _, taken := c.byKey[k]; !taken {
				c.byKey[k] = i
			}
		}
	}
	return c
}

// Keys are the entry's name and aliases as atlas.ToolKey writes them, and
// its id, so "google-drive" and "Google Drive" both find it.
func (t Tool) Keys() []string {
	return atlas.ToolKeys(append([]string{t.Name, t.ID}, t.Aliases...))
}

// Get returns the entry with this id.
func (c *Catalogue) Get(id string) (Tool, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Tool{}, false
	}
	return c.Tools[i], true
}

// Find resolves what a person typed, an id or a name or alias in any case
// and punctuation, to an entry.
func (c *Catalogue) Find(s string) (Tool, bool) {
	if t, ok := c.Get(strings.TrimSpace(s)); ok {
		return t, true
	}
	i, ok := c.byKey[atlas.ToolKey(s)]
	if !ok {
		return Tool{}, false
	}
	return c.Tools[i], true
}

// Alternatives lists the open entries that replace a big-tech product,
// in catalogue order.
func (c *Catalogue) Alternatives(id string) []Tool {
	return c.filter(func(t Tool) bool { return slices.Contains(t.Replaces, id) })
}

// filter lists the entries keep accepts, in catalogue order.
func (c *Catalogue) filter(keep func(Tool) bool) []Tool {
	var out []Tool
	for _, t := range c.Tools {
		if keep(t) {
			out = append(out, t)
		}
	}
	return out
}

// BigTech lists the big-tech products, for "what do you want to replace?".
func (c *Catalogue) BigTech() []Tool { return c.filter(func(t Tool) bool { return t.BigTech }) }

// Hosters lists who hosts a tool: the providers its entry names and the
// hosting services whose entries say they offer it.
func (c *Catalogue) Hosters(t Tool) []Hosting {
	out := slices.Clone(t.Hosting)
	for _, h := range c.Tools {
		if !slices.Contains(h.Offers, t.ID) || slices.ContainsFunc(out, func(x Hosting) bool { return x.Tool == h.ID }) {
			continue
		}
		out = append(out, Hosting{Name: h.Name, Tool: h.ID, Country: h.Country, Membership: h.Membership(), URL: h.Website})
	}
	return out
}

// Membership is whether a hosting service serves members only ("yes",
// "no", "" unknown), from its own entry's hosting line about itself.
func (t Tool) Membership() string {
	for _, h := range t.Hosting {
		if h.Tool == t.ID {
			return h.Membership
		}
	}
	return ""
}

// IsHoster reports whether the entry is a hosting service.
func (t Tool) IsHoster() bool { return slices.Contains(t.Categories, "hosting") }

// In lists the entries in a category.
func (c *Catalogue) In(category string) []Tool {
	return c.filter(func(t Tool) bool { return slices.Contains(t.Categories, category) })
}

// Check validates every entry and the references between them: every
// replaced product must be a big-tech entry, offers and hosting must name
// entries, and no name may belong to two entries. Errors name the entry.
func (c *Catalogue) Check() error {
	seen := map[string]string{}
	for _, t := range c.Tools {
		if err := c.CheckEntry(t); err != nil {
			return fmt.Errorf("%s: %w", t.ID, err)
		}
		for _, k := range t.Keys() {
			if other, ok := seen[k]; ok && other != t.ID {
				return fmt.Errorf("%s: the name %q is also %s's", t.ID, k, other)
			}
			seen[k] = t.ID
		}
	}
	return nil
}

// CheckEntry validates one entry in the context of this catalogue.
func (c *Catalogue) CheckEntry(t Tool) error {
	err := t.Validate()
	f := problem.Fields{}
	if p, ok := problem.As(err); ok {
		maps.Copy(f, p.Fields)
	} else if err != nil {
		return err
	}
	for _, id := range t.Replaces {
		if r, ok := c.Get(id); !ok || !r.BigTech {
			f.Add("replaces", "replaces.unknown")
		}
	}
	for _, id := range t.Offers {
		if _, ok := c.Get(id); !ok && id != t.ID {
			f.Add("offers", "tool.unknown")
		}
	}
	for _, h := range t.Hosting {
		if _, ok := c.Get(h.Tool); h.Tool != "" && !ok && h.Tool != t.ID {
			f.Add("hosting", "tool.unknown")
		}
	}
	return f.Err()
}

// NameOf returns the name of the entry with this id, or the id itself
// when there is none (pages show what a scan named even if an entry went).
func (c *Catalogue) NameOf(id string) string {
	if t, ok := c.Get(id); ok {
		return t.Name
	}
	return id
}
