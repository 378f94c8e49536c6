package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Amsterdam on hosts without a zone database

	"samen/internal/account"
	"samen/internal/web/i18n"
)

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// parsePages parses every page template with the shared layout and partials
// (files whose names start with '_'). Templates live in one folder per part
// (templates/atlas/, templates/toolbox/, …; templates/site/ for the layout,
// the form widgets and the pages of the site as a whole); a page is known by
// its file name alone, so two parts cannot both have a page of one name.
func parsePages() (map[string]*template.Template, error) {
	var shared, pages []string
	where := map[string]string{}
	err := fs.WalkDir(templateFS, "templates", func(file string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(file) != ".html" {
			return err
		}
		name := path.Base(file)
		if other, twice := where[name]; twice {
			return fmt.Errorf("templates: %s and %s have one name", other, file)
		}
		where[name] = file
		if strings.HasPrefix(name, "_") {
			shared = append(shared, file)
		} else {
			pages = append(pages, file)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, file := range pages {
		name := path.Base(file)
		files := append(append([]string{}, shared...), file)
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, files...)
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(name, path.Ext(name))] = t
	}
	return out, nil
}

// page is what every template gets.
type page struct {
	s          *Server
	Lang       string
	TitleKey   string
	RawTitle   string // a name to put before the title (an initiative's)
	Alternates []alternate
	Scripts    []string // extra scripts under /static/, for pages that add to the HTML
	Embedded   bool     // the page is meant for another site's frame
	Styles     []string
	User       *account.User
	Path       string
	Notice     string
	Errors     map[string]string
	ErrorOrder []string
	Form       url.Values
	Data       any
	MailToLog  bool
	OIDCName   string
	Version    string
}

func (s *Server) newPage(r *http.Request, titleKey string) *page {
	p := &page{
		s:         s,
		Lang:      langFrom(r.Context()),
		TitleKey:  titleKey,
		User:      userFrom(r.Context()),
		Path:      returnPath(r),
		Form:      url.Values{},
		MailToLog: s.opts.MailToLog,
		Version:   s.opts.Version,
	}
	if s.opts.OIDC != nil {
		p.OIDCName = s.opts.OIDC.Name
	}
	// Notices come back through redirects as a code in the query; only
	// codes in the catalogue are shown, so the query cannot inject text.
	if n := r.URL.Query().Get("notice"); n != "" && s.msgs.Has(p.Lang, "notice."+n) {
		p.Notice = s.msgs.T(p.Lang, "notice."+n)
	}
	return p
}

// T translates a message key into the page's language.
func (p *page) T(key string, args ...any) string { return p.s.msgs.T(p.Lang, key, args...) }

// N translates a message with a count.
func (p *page) N(key string, n int) string { return p.s.msgs.N(p.Lang, key, n) }

// Title is the document title: the page, then the site.
// A page that shows form errors says so first, so a screen reader announces
// the problem with the new page.
func (p *page) Title() string {
	title := p.T(p.TitleKey) + " — " + p.T("site.name")
	if p.RawTitle != "" {
		title = p.RawTitle + " — " + title
	}
	if p.TitleKey == "" || p.TitleKey == "home.title" {
		title = p.T("site.name") + " — " + p.T("site.tagline")
	}
	if len(p.ErrorOrder) > 0 {
		title = p.T("form.title_error") + " " + title
	}
	return title
}

// returnPath is the page a reader is on, for links that come back to it
// (the language switch). The answer to a form post is shown at an address
// that only takes posts, so there it is the page the form was on: the
// Referer when it is from this site, else the part of the site the form
// belongs to.
func returnPath(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && ref.Path != "" {
		return local(ref.RequestURI())
	}
	if strings.HasPrefix(r.URL.Path, "/account/") {
		return "/account"
	}
	if r.URL.Path == "/password/reset" {
		return "/password/forgot"
	}
	return local(r.URL.Path)
}

// Value returns what the person typed into a field, to fill the form again.
func (p *page) Value(name string) string { return p.Form.Get(name) }

// Err returns the message for a field, if it has a problem.
func (p *page) Err(name string) string { return p.Errors[name] }

type langLink struct {
	Code, Name, Href string
	Current          bool
}

// Languages lists the language switch, each link returning to this page.
func (p *page) Languages() []langLink {
	var out []langLink
	for _, l := range i18n.Languages {
		out = append(out, langLink{
			Code:    l,
			Name:    i18n.Names[l],
			Href:    "/language?lang=" + l + "&next=" + url.QueryEscape(local(p.Path)),
			Current: l == p.Lang,
		})
	}
	return out
}

// IsSteward reports whether the reader runs the platform.
func (p *page) IsSteward() bool { return account.IsSteward(p.User) }

// alternate is another form of the page (its data as GeoJSON, a feed).
type alternate struct{ Type, Href, Title string }

// IsModerator reports whether the reader moderates the atlas.
func (p *page) IsModerator() bool { return isModerator(p.User) }

// Nav is the main navigation. Parts of samen appear here when they exist.
type navItem struct {
	Href, Key string
	Current   bool
}

func (p *page) Nav() []navItem {
	items := []navItem{{Href: "/", Key: "nav.home"}, {Href: "/atlas", Key: "nav.atlas"}, {Href: "/toolbox", Key: "nav.toolbox"}, {Href: "/assessments", Key: "nav.assessments"}}
	if p.User != nil {
		items = append(items, navItem{Href: "/workspaces", Key: "nav.workspaces"})
	}
	items = append(items, navItem{Href: "/decisions", Key: "nav.decisions"}, navItem{Href: "/campaigns", Key: "nav.campaigns"})
	items = append(items, navItem{Href: "/api", Key: "nav.api"})
	for i := range items {
		u, _ := url.Parse(p.Path)
		items[i].Current = u != nil && (u.Path == items[i].Href || (items[i].Href != "/" && strings.HasPrefix(u.Path, items[i].Href+"/")))
	}
	return items
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, p *page) {
	s.renderStatus(w, r, http.StatusOK, name, p)
}

// renderStatus renders into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := s.pages[name]
	if !ok {
		s.log.Error("no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("rendering", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Pages can show personal data; keep them out of shared caches.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
