package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"samen/internal/assess"
	"samen/internal/problem"
	"samen/internal/toolbox"
)

// The toolbox's catalogue: the list of tools, one page per tool and the
// stewards' form. History is in toolbox_history.go, import and export in
// toolbox_transfer.go.

type toolboxPage struct {
	Catalogue  *toolbox.Catalogue
	Category   string
	Replaces   *toolbox.Tool // "what do you want to replace?"
	Query      string
	Kind       string
	Groups     []toolGroup
	Count      int
	Categories []string
	Kinds      []string
	Guides     []toolbox.Guide
}

type toolGroup struct {
	Category string
	Tools    []toolbox.Tool
}

// toolboxIndex browses the catalogue by category, by the product to
// replace, by kind and by words.
func (s *Server) toolboxIndex(w http.ResponseWriter, r *http.Request) error {
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := &toolboxPage{Catalogue: c, Category: q.Get("category"), Query: strings.TrimSpace(q.Get("q")), Kind: q.Get("kind"),
		Categories: toolbox.Categories, Kinds: toolbox.Kinds}
	if d.Category != "" && !slices.Contains(toolbox.Categories, d.Category) {
		d.Category = ""
	}
	if !slices.Contains(toolbox.Kinds, d.Kind) {
		d.Kind = ""
	}
	var tools []toolbox.Tool
	if id := q.Get("replaces"); id != "" {
		if t, ok := c.Get(id); ok && t.BigTech {
			d.Replaces = &t
			tools = c.Alternatives(id)
		}
	}
	if d.Replaces == nil {
		tools = c.Tools
	}
	lang := langFrom(r.Context())
	words := strings.Fields(strings.ToLower(d.Query))
	// A tool shows under each of its categories but counts once.
	seen := map[string]bool{}
	for _, cat := range toolbox.Categories {
		if d.Category != "" && cat != d.Category {
			continue
		}
		g := toolGroup{Category: cat}
		for _, t := range tools {
			if !slices.Contains(t.Categories, cat) || (d.Kind != "" && t.Kind != d.Kind) || !matches(t, words, lang) {
				continue
			}
			// Without a question about a product, big-tech products are
			// listed after the open tools, in a group of their own.
			if t.BigTech && d.Replaces == nil {
				continue
			}
			g.Tools = append(g.Tools, t)
			seen[t.ID] = true
		}
		if len(g.Tools) > 0 {
			d.Groups = append(d.Groups, g)
		}
	}
	d.Count = len(seen)
	if d.Guides, err = s.toolbox.Guides(r.Context()); err != nil {
		return err
	}
	p := s.newPage(r, "toolbox.title")
	p.Form = q
	p.Data = d
	p.Alternates = []alternate{{Type: "application/json", Href: "/api/v1/tools", Title: "JSON"}}
	s.render(w, r, "toolbox", p)
	return nil
}

// matches reports whether every word is in the tool's name, aliases or
// description.
func matches(t toolbox.Tool, words []string, lang string) bool {
	text := strings.ToLower(t.Name + " " + strings.Join(t.Aliases, " ") + " " + t.Description.In(lang))
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

type toolPage struct {
	Tool         toolbox.Tool
	Catalogue    *toolbox.Catalogue
	Hosters      []toolbox.Hosting
	Alternatives []toolbox.Tool
	Replaced     []toolbox.Tool
	ReplacedBy   []toolbox.Tool // for a hoster: what it runs
	Guides       []toolbox.Guide
	UsedBy       []toolbox.User
	UsedCount    int
	Assessments  []assess.Summary
}

// pathTool reads the catalogue and the entry the path names.
func (s *Server) pathTool(r *http.Request) (*toolbox.Catalogue, toolbox.Tool, error) {
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return nil, toolbox.Tool{}, err
	}
	t, ok := c.Get(r.PathValue("id"))
	if !ok {
		return nil, t, problemNotFound
	}
	return c, t, nil
}

func (s *Server) toolView(w http.ResponseWriter, r *http.Request) error {
	c, t, err := s.pathTool(r)
	if err != nil {
		return err
	}
	d := &toolPage{Tool: t, Catalogue: c, Hosters: c.Hosters(t), Alternatives: c.Alternatives(t.ID)}
	for _, id := range t.Replaces {
		if x, ok := c.Get(id); ok {
			d.Replaced = append(d.Replaced, x)
		}
	}
	for _, id := range t.Offers {
		if x, ok := c.Get(id); ok && x.ID != t.ID {
			d.ReplacedBy = append(d.ReplacedBy, x)
		}
	}
	if d.Guides, err = s.toolbox.GuidesAbout(r.Context(), t.ID); err != nil {
		return err
	}
	if d.UsedBy, d.UsedCount, err = s.toolbox.UsedBy(r.Context(), t, 50); err != nil {
		return err
	}
	if d.Assessments, err = s.assess.ForTool(r.Context(), t.ID); err != nil {
		return err
	}
	p := s.newPage(r, "toolbox.tool.title")
	p.RawTitle = t.Name
	p.Data = d
	p.Alternates = []alternate{{Type: "application/json", Href: "/api/v1/tools/" + t.ID, Title: "JSON"}}
	s.render(w, r, "tool", p)
	return nil
}

type toolForm struct {
	New        bool
	ID         string
	Name       string // the saved name, for the breadcrumb and title while the form's is being changed
	Action     string
	Kinds      []string
	Categories []string
	Uses       []string
	Traits     []string
	Govs       []string
}

// toolValues writes an entry into form values named as its fields.
func toolValues(t toolbox.Tool) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("id", t.ID)
	set("name", t.Name)
	set("aliases", strings.Join(t.Aliases, ", "))
	set("kind", t.Kind)
	if t.BigTech {
		v.Set("big_tech", "yes")
	}
	v["categories"] = t.Categories
	v["uses"] = t.Uses
	v["traits"] = t.Traits
	set("replaces", strings.Join(t.Replaces, ", "))
	set("governance", t.Governance)
	set("steward", t.Steward)
	set("licence", t.Licence)
	set("self_hostable", t.SelfHostable)
	var hosting []string
	for _, h := range t.Hosting {
		hosting = append(hosting, strings.Join([]string{h.Name, h.Tool, h.Country, h.Membership, h.URL}, " | "))
	}
	set("hosting", strings.Join(hosting, "\n"))
	set("offers", strings.Join(t.Offers, ", "))
	set("country", t.Country)
	set("data_location.nl", t.DataLocation.NL)
	set("data_location.en", t.DataLocation.EN)
	set("languages", strings.Join(t.Languages, ", "))
	set("accessibility.nl", t.Accessibility.NL)
	set("accessibility.en", t.Accessibility.EN)
	set("website", t.Website)
	set("source_code", t.SourceCode)
	set("description.nl", t.Description.NL)
	set("description.en", t.Description.EN)
	set("sources", strings.Join(t.Sources, "\n"))
	return v
}

// toolFromForm reads an entry from a form, the reverse of toolValues.
func toolFromForm(v url.Values) toolbox.Tool {
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' })
	}
	t := toolbox.Tool{
		ID: v.Get("id"), Name: v.Get("name"), Aliases: split(v.Get("aliases")), Kind: v.Get("kind"),
		BigTech: v.Get("big_tech") == "yes", Categories: v["categories"], Uses: v["uses"], Traits: v["traits"],
		Replaces: split(v.Get("replaces")), Governance: v.Get("governance"), Steward: v.Get("steward"),
		Licence: v.Get("licence"), SelfHostable: v.Get("self_hostable"), Offers: split(v.Get("offers")),
		Country: v.Get("country"), Languages: split(v.Get("languages")),
		DataLocation:  toolbox.Text{NL: v.Get("data_location.nl"), EN: v.Get("data_location.en")},
		Accessibility: toolbox.Text{NL: v.Get("accessibility.nl"), EN: v.Get("accessibility.en")},
		Website:       v.Get("website"), SourceCode: v.Get("source_code"),
		Description: toolbox.Text{NL: v.Get("description.nl"), EN: v.Get("description.en")},
		Sources:     strings.FieldsFunc(v.Get("sources"), func(r rune) bool { return r == '\n' || r == '\r' }),
	}
	for _, line := range strings.Split(v.Get("hosting"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := append(strings.Split(line, "|"), "", "", "", "", "")
		t.Hosting = append(t.Hosting, toolbox.Hosting{Name: strings.TrimSpace(parts[0]), Tool: strings.TrimSpace(parts[1]),
			Country: strings.TrimSpace(parts[2]), Membership: strings.TrimSpace(parts[3]), URL: strings.TrimSpace(parts[4])})
	}
	return t
}

func (s *Server) renderToolForm(w http.ResponseWriter, r *http.Request, status int, d *toolForm, values url.Values, formErr error) error {
	title := "toolbox.form.edit_title"
	if d.New {
		title = "toolbox.form.new_title"
	}
	p := s.newPage(r, title)
	p.RawTitle = d.Name
	p.Form = values
	if err := s.formProblems(p, formErr); err != nil {
		return err
	}
	d.Kinds, d.Categories, d.Uses, d.Traits, d.Govs = toolbox.Kinds, toolbox.Categories, toolbox.Uses, toolbox.Traits, toolbox.Governances
	p.Data = d
	s.renderStatus(w, r, status, "tool_form", p)
	return nil
}

func (s *Server) newToolForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderToolForm(w, r, http.StatusOK, &toolForm{New: true, Action: "/toolbox/tools/new"}, url.Values{}, nil)
}

func (s *Server) editToolForm(w http.ResponseWriter, r *http.Request) error {
	_, t, err := s.pathTool(r)
	if err != nil {
		return err
	}
	return s.renderToolForm(w, r, http.StatusOK, &toolForm{ID: t.ID, Name: t.Name, Action: "/toolbox/tools/" + t.ID + "/edit"}, toolValues(t), nil)
}

func (s *Server) saveTool(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	create := r.PathValue("id") == ""
	t := toolFromForm(r.PostForm)
	d := &toolForm{New: create, Action: "/toolbox/tools/new"}
	if !create {
		_, saved, err := s.pathTool(r)
		if err != nil {
			return err
		}
		t.ID = saved.ID // the id of an entry does not change: links and scans use it
		d.ID, d.Name, d.Action = t.ID, saved.Name, "/toolbox/tools/"+t.ID+"/edit"
	}
	saved, err := s.toolbox.SaveTool(r.Context(), userFrom(r.Context()), t, r.PostForm.Get("note"), create)
	if err != nil {
		if p, ok := problem.As(err); ok && (p.Kind == problem.Invalid || p.Kind == problem.Conflict) {
			return s.renderToolForm(w, r, http.StatusUnprocessableEntity, d, r.PostForm, err)
		}
		return err
	}
	redirectNotice(w, r, "/toolbox/tools/"+saved.ID, "tool_saved")
	return nil
}

const maxImportBytes = 4 << 20
