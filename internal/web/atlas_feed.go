package web

import (
	"encoding/xml"
	"net/http"
	"strings"
	"time"

	"samen/internal/atlas"
)

// feedSize is how many entries a feed carries: the most recently changed.
const feedSize = 50

// The Atom feed (RFC 4287) of a search: new and changed initiatives in an
// area or a sector, for feed readers and for other sites.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Rights  string      `xml:"rights"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Summary    string         `xml:"summary,omitempty"`
	Categories []atomCategory `xml:"category"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr"`
}

func (s *Server) atlasFeed(w http.ResponseWriter, r *http.Request) error {
	q, err := atlasQuery(r.URL.Query())
	if err != nil {
		return err
	}
	q.Order, q.Limit, q.Offset = atlas.OrderNewest, feedSize, 0
	res, err := s.atlas.Search(r.Context(), q)
	if err != nil {
		return err
	}
	lang := langFrom(r.Context())
	search := queryValues(q)
	search.Del("order")
	self := s.opts.BaseURL + "/atlas/feed.atom"
	page := s.opts.BaseURL + "/atlas"
	if enc := search.Encode(); enc != "" {
		self += "?" + enc
		page += "?" + enc
	}
	title := s.msgs.T(lang, "atlas.feed.title")
	if q.Text != "" {
		title += ": " + q.Text
	}
	feed := atomFeed{
		Lang:    lang,
		ID:      self,
		Title:   title,
		Updated: time.Unix(0, 0).UTC().Format(time.RFC3339),
		Author:  atomPerson{Name: s.msgs.T(lang, "site.name")},
		Links:   []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: page}},
		Rights:  s.msgs.T(lang, "atlas.licence_line", "licence", s.atlas.DataLicence()),
	}
	for i, in := range res.Items {
		if i == 0 {
			feed.Updated = in.UpdatedAt.Format(time.RFC3339)
		}
		e := atomEntry{
			ID:        s.opts.BaseURL + atlasLink(in.ID),
			Title:     in.Name,
			Updated:   in.UpdatedAt.Format(time.RFC3339),
			Published: in.CreatedAt.Format(time.RFC3339),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: s.opts.BaseURL + atlasLink(in.ID)}},
			Summary:   in.Summary.In(lang),
		}
		for _, sec := range in.Sectors {
			e.Categories = append(e.Categories, atomCategory{Term: sec, Label: s.msgs.T(lang, "atlas.sector."+sec)})
		}
		feed.Entries = append(feed.Entries, e)
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	var b strings.Builder
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		return err
	}
	_, err = w.Write([]byte(b.String() + "\n"))
	return err
}
