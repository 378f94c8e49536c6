package web

import (
	"net/http"
	"net/url"
	"strconv"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/problem"
	"samen/internal/toolbox"
	"samen/internal/workspace"
)

// atlasPerPage is how many initiatives one page of the directory lists.
const atlasPerPage = 20

// facetGroup is one facet of the directory's filter form.
type facetGroup struct {
	Param   string // the URL parameter
	Key     string // message key of its legend
	Options []facetOption
}

type facetOption struct {
	Value   string
	Key     string // message key of its label
	Count   int
	Checked bool
}

type atlasListPage struct {
	Query    atlas.Query
	Result   atlas.Result
	Facets   []facetGroup
	Page     int
	Pages    int
	Prev     string
	Next     string
	Search   string // the search as a query string, without paging
	Orders   []string
	Embedded bool
	// The search's words match more than the facets are counted among:
	// the page says the counts are of the first FacetSearchCap; the map
	// says so itself beyond MapSearchCap.
	FacetsCapped                 bool
	FacetSearchCap, MapSearchCap int
}

// Active is how many filter values are chosen, for the folded filters'
// summary on a narrow screen.
func (d atlasListPage) Active() int {
	n := 0
	for _, g := range d.Facets {
		for _, o := range g.Options {
			if o.Checked {
				n++
			}
		}
	}
	return n
}

// facetLists are the facets in the order the filter form shows them.
var facetLists = []struct {
	param, Key, prefix string
	values             []string
	chosen             func(q atlas.Query) []string
}{
	{param: "sector", Key: "atlas.facet.sector", prefix: "atlas.sector.", values: atlas.Sectors, chosen: func(q atlas.Query) []string { return q.Sectors }},
	{param: "district", Key: "atlas.facet.district", prefix: "atlas.district.", values: atlas.Districts, chosen: func(q atlas.Query) []string { return q.Districts }},
	{param: "principle", Key: "atlas.facet.principle", prefix: "atlas.principle.", values: atlas.Principles, chosen: func(q atlas.Query) []string { return q.Principles }},
	{param: "need", Key: "atlas.facet.need", prefix: "atlas.kind.", values: atlas.ExchangeKinds, chosen: func(q atlas.Query) []string { return q.Needs }},
	{param: "offer", Key: "atlas.facet.offer", prefix: "atlas.kind.", values: atlas.ExchangeKinds, chosen: func(q atlas.Query) []string { return q.Offers }},
	{param: "legal_form", Key: "atlas.facet.legal_form", prefix: "atlas.legal_form.", values: atlas.LegalForms, chosen: func(q atlas.Query) []string { return q.LegalForms }},
}

// atlasList is the directory: search, facets, the list, and the map beside
// it. The list is the map's accessible twin: everything on the map is in
// the list, which works without JavaScript.
func (s *Server) atlasList(w http.ResponseWriter, r *http.Request) error {
	d, err := s.atlasListData(r, false)
	if err != nil {
		return err
	}
	p := s.newPage(r, "atlas.title")
	p.Data = d
	p.Styles, p.Scripts = mapAssets()
	p.Alternates = []alternate{{Type: "application/atom+xml", Href: "/atlas/feed.atom" + prefixed("?", d.Search), Title: s.msgs.T(p.Lang, "atlas.feed")}}
	w.Header().Set("Content-Security-Policy", s.mapPolicy(contentSecurityPolicy))
	s.render(w, r, "atlas", p)
	return nil
}

func (s *Server) atlasListData(r *http.Request, embedded bool) (*atlasListPage, error) {
	v := r.URL.Query()
	q, err := atlasQuery(v)
	if err != nil {
		return nil, err
	}
	page := 1
	if sp := v.Get("page"); sp != "" {
		n, err := strconv.Atoi(sp)
		if err != nil || n < 1 || n > 500 {
			return nil, &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"page": "page.out_of_range"}}
		}
		page = n
	}
	q.Limit, q.Offset = atlasPerPage, (page-1)*atlasPerPage
	res, err := s.atlas.Search(r.Context(), q)
	if err != nil {
		return nil, err
	}
	counts, capped, err := s.atlas.Facets(r.Context(), q)
	if err != nil {
		return nil, err
	}
	d := &atlasListPage{Query: q, Result: res, Page: page, Pages: (res.Total + atlasPerPage - 1) / atlasPerPage, Embedded: embedded,
		FacetsCapped: capped, FacetSearchCap: atlas.FacetSearchCap, MapSearchCap: atlas.MapSearchCap}
	d.Orders = []string{atlas.OrderRelevance, atlas.OrderName, atlas.OrderNewest}
	if q.Near != nil {
		d.Orders = append(d.Orders, atlas.OrderDistance)
	}
	search := queryValues(q)
	d.Search = search.Encode()
	link := func(n int) string {
		v := queryValues(q)
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		path := "/atlas"
		if embedded {
			path = "/embed/atlas"
		}
		if enc := v.Encode(); enc != "" {
			return path + "?" + enc
		}
		return path
	}
	if page > 1 {
		d.Prev = link(page - 1)
	}
	if res.More {
		d.Next = link(page + 1)
	}
	for _, fl := range facetLists {
		g := facetGroup{Param: fl.param, Key: fl.Key}
		chosen := fl.chosen(q)
		for _, value := range fl.values {
			n := 0
			for _, c := range counts[fl.param] {
				if c.Value == value {
					n = c.Count
				}
			}
			checked := false
			for _, c := range chosen {
				checked = checked || c == value
			}
			// Values nothing has are left out, unless chosen, to keep the
			// form short.
			if n == 0 && !checked {
				continue
			}
			g.Options = append(g.Options, facetOption{Value: value, Key: fl.prefix + value, Count: n, Checked: checked})
		}
		if len(g.Options) > 0 {
			d.Facets = append(d.Facets, g)
		}
	}
	return d, nil
}

type initiativePage struct {
	In         atlas.Initiative
	Offering   []atlas.Match
	Needing    []atlas.Match
	CanEdit    bool // may propose an edit (signed in)
	CanPublish bool // editors and moderators
	Moderator  bool
	Licence    string
	Today      string
	Tools      []toolRef            // the tools it names, linked to the catalogue where known
	Scans      []toolbox.SavedScan  // its self-scans the reader may see
	Editor     bool                 // the reader edits it: may run and save scans
	Workspace  *workspace.Workspace // its workspace, when it has one
}

// toolRef is a tool an initiative names; ID is set when the catalogue
// knows it.
type toolRef struct{ ID, Name string }

// initiativeView is one initiative's page. A merged entry sends the reader
// to the one it was merged into.
func (s *Server) initiativeView(w http.ResponseWriter, r *http.Request) error {
	return s.renderInitiative(w, r, http.StatusOK, nil)
}

// renderInitiative shows an initiative's page, with the problems of one of
// its forms (the logo) when formErr is set.
func (s *Server) renderInitiative(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	in, u, err := s.initiativeFor(r)
	if err != nil {
		return err
	}
	if in.Status == atlas.Merged && in.MergedInto != 0 {
		http.Redirect(w, r, "/atlas/"+strconv.FormatInt(in.MergedInto, 10), http.StatusMovedPermanently)
		return nil
	}
	d := &initiativePage{In: in, CanEdit: u != nil, CanPublish: in.CanPublish(u), Moderator: isModerator(u),
		Licence: s.atlas.DataLicence(), Today: s.today()}
	if in.Status == atlas.Published {
		if d.Offering, d.Needing, err = s.atlas.Matches(r.Context(), in); err != nil {
			return err
		}
	}
	if err := s.initiativeTools(r, d, u); err != nil {
		return err
	}
	if ws, ok, err := s.workspaces.For(r.Context(), in.ID); err != nil {
		return err
	} else if ok {
		d.Workspace = &ws
	}
	p := s.newPage(r, "atlas.title")
	p.RawTitle = in.Name
	p.Data = d
	if formErr != nil {
		p.Errors, p.ErrorOrder, _ = s.fieldErrors(p.Lang, formErr)
	}
	p.Alternates = []alternate{
		{Type: "application/geo+json", Href: "/api/v1/initiatives/" + strconv.FormatInt(in.ID, 10)},
		{Type: "application/ld+json", Href: "/api/v1/initiatives/" + strconv.FormatInt(in.ID, 10) + "?format=jsonld"},
	}
	s.renderStatus(w, r, status, "initiative", p)
	return nil
}

// initiativeTools links the initiative's tools to the toolbox and lists
// the self-scans the reader may see.
func (s *Server) initiativeTools(r *http.Request, d *initiativePage, u *account.User) error {
	c, err := s.toolbox.Catalogue(r.Context())
	if err != nil {
		return err
	}
	for _, name := range d.In.Tools {
		ref := toolRef{Name: name}
		if t, ok := c.Find(name); ok {
			ref = toolRef{ID: t.ID, Name: t.Name}
		}
		d.Tools = append(d.Tools, ref)
	}
	d.Editor = d.In.IsEditor(u)
	d.Scans, err = s.toolbox.Scans(r.Context(), u, d.In.ID)
	return err
}

// initiativeFor reads the initiative the path names, as the reader may see
// it.
func (s *Server) initiativeFor(r *http.Request) (atlas.Initiative, *account.User, error) {
	id, err := pathID(r)
	if err != nil {
		return atlas.Initiative{}, nil, err
	}
	u := userFrom(r.Context())
	in, err := s.atlas.Get(r.Context(), u, id)
	return in, u, err
}

func isModerator(u *account.User) bool { return u != nil && u.Role.AtLeast(account.Moderator) }

type historyPage struct {
	In        atlas.Initiative
	Revisions []historyItem
	Moderator bool
}

type historyItem struct {
	atlas.Revision
	Changes []atlas.Change
	Current bool
}

// initiativeHistory shows every version a reader may see, each with what it
// changed against the version it replaced.
func (s *Server) initiativeHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u := userFrom(r.Context())
	in, revs, err := s.atlas.History(r.Context(), u, id)
	if err != nil {
		return err
	}
	d := &historyPage{In: in, Moderator: isModerator(u)}
	// Accepted versions follow each other; a proposal is compared with the
	// version its author started from.
	accepted := map[int64]atlas.Record{}
	for _, rv := range revs {
		if rv.State == atlas.RevisionAccepted {
			accepted[rv.ID] = rv.Record
		}
	}
	for i, rv := range revs {
		var before atlas.Record
		if rv.State == atlas.RevisionAccepted {
			for _, older := range revs[i+1:] {
				if older.State == atlas.RevisionAccepted {
					before = older.Record
					break
				}
			}
		} else if b, ok := accepted[rv.BaseID]; ok {
			before = b
		}
		d.Revisions = append(d.Revisions, historyItem{Revision: rv, Changes: visibleChanges(atlas.Diff(before, rv.Record), u, in),
			Current: rv.ID == in.RevisionID})
	}
	p := s.newPage(r, "atlas.history.title")
	p.RawTitle = in.Name
	p.Data = d
	s.render(w, r, "history", p)
	return nil
}

// visibleChanges hides the contact address (which no visitor sees) from
// the history of those who may not see it: it shows that it changed, not
// what to.
func visibleChanges(cs []atlas.Change, u *account.User, in atlas.Initiative) []atlas.Change {
	if in.CanPublish(u) {
		return cs
	}
	for i, c := range cs {
		if c.Field == "contact.email" {
			cs[i].Old, cs[i].New = hidden(c.Old), hidden(c.New)
		}
	}
	return cs
}

func hidden(v []string) []string {
	if len(v) == 0 {
		return nil
	}
	return []string{"•••"}
}

// embedAtlas is the directory and map for an iframe on another site: the
// filters come from the URL and cannot be changed inside the frame.
func (s *Server) embedAtlas(w http.ResponseWriter, r *http.Request) error {
	d, err := s.atlasListData(r, true)
	if err != nil {
		return err
	}
	// Other sites may frame this page, and only this page.
	w.Header().Set("Content-Security-Policy", s.mapPolicy(embedPolicy))
	w.Header().Del("X-Frame-Options")
	p := s.newPage(r, "atlas.title")
	p.Data = d
	p.Embedded = true
	p.Styles, p.Scripts = mapAssets()
	s.render(w, r, "embed_atlas", p)
	return nil
}

// embedPolicy is the strict policy with framing allowed; links open in a
// new tab (target=_blank) because the frame is not samen's.
const embedPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors *; base-uri 'none'"

// mapAssets are the style sheets and scripts of the map: samen's own code
// that draws the clusters. It fetches MapLibre GL JS (vendored from npm),
// its worker and its style sheet once the page has loaded, from the URLs
// the map section names (_atlas.html), so the list is usable first.
func mapAssets() (styles, scripts []string) {
	return nil, []string{"atlas-map.js"}
}

// prefixed returns sep+s, or nothing when s is empty.
func prefixed(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

func atlasLink(id int64) string { return "/atlas/" + strconv.FormatInt(id, 10) }

// redirectNotice sends the reader to path with a notice code.
func redirectNotice(w http.ResponseWriter, r *http.Request, path, notice string) {
	u, _ := url.Parse(path)
	q := u.Query()
	q.Set("notice", notice)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}
