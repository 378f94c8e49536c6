package web

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"

	"samen/internal/problem"
	"samen/internal/workspace"
)

// A workspace's announcements: the list as the reader's circle may see it,
// the form that sends one (core and the announcements role), the public
// ones as an Atom feed, and the unsubscribe link of the mails, which works
// without a session.

type announcementsPage struct {
	View    workspace.View
	Items   []workspace.Announcement
	Next    int64 // the id to page on from; 0 at the end
	CanSend bool
	Vis     []string
	// Unsubscribed says whether the reader stopped the mails (nil for
	// someone outside the workspace).
	Unsubscribed *bool
}

func (s *Server) workspaceAnnouncements(w http.ResponseWriter, r *http.Request) error {
	return s.renderAnnouncements(w, r, http.StatusOK, nil)
}

func (s *Server) renderAnnouncements(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	before, err := queryInt(r.URL.Query().Get("before"), "before")
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	data := &announcementsPage{View: v, CanSend: v.Viewer.Has(workspace.RoleAnnouncements), Vis: codes(workspace.Visibilities)}
	if data.Items, data.Next, err = s.workspaces.Announcements(ctx, u, v.Slug, before, 20); err != nil {
		return err
	}
	if v.Viewer.In() {
		self, err := s.workspaces.Self(ctx, u, v.Slug)
		if err != nil {
			return err
		}
		data.Unsubscribed = &self.Unsubscribed
	}
	p := s.newPage(r, "workspace.announcements.title")
	p.RawTitle = v.Name
	p.Alternates = append(p.Alternates, alternate{Type: "application/atom+xml", Href: workspaceLink(v.Workspace) + "/feed.atom",
		Title: s.msgs.T(p.Lang, "workspace.announcements.feed")})
	p.Form.Set("visibility", string(workspace.Members))
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		p.Form = r.PostForm
	}
	p.Data = data
	s.renderStatus(w, r, status, "workspace_announcements", p)
	return nil
}

func (s *Server) sendAnnouncement(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ref := r.PathValue("ws")
	a, err := s.workspaces.Announce(r.Context(), userFrom(r.Context()), ref, workspace.NewAnnouncement{Title: r.PostForm.Get("title"),
		Body: r.PostForm.Get("body"), Visibility: workspace.Visibility(r.PostForm.Get("visibility"))})
	if err != nil {
		if problem.Is(err, problem.Invalid) || problem.Is(err, problem.Conflict) {
			return s.renderAnnouncements(w, r, statusOf(err), err)
		}
		return err
	}
	redirectNotice(w, r, "/workspaces/"+ref+"/announcements#a"+strconv.FormatInt(a.ID, 10), "ws_announcement_sent")
	return nil
}

// setSubscription starts or stops the announcements by mail for the
// reader's own row of the register: the way back after an unsubscribe
// link.
func (s *Server) setSubscription(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ref := r.PathValue("ws")
	on := r.PostForm.Get("mail") == "on"
	if err := s.workspaces.Subscribe(r.Context(), userFrom(r.Context()), ref, on); err != nil {
		return err
	}
	notice := "ws_unsubscribed"
	if on {
		notice = "ws_subscribed"
	}
	back := local(r.PostForm.Get("next"))
	if back == "/" {
		back = "/workspaces/" + ref + "/announcements"
	}
	redirectNotice(w, r, back, notice)
	return nil
}

// The unsubscribe link. GET shows what it does and a button; POST does it.
// A mail program's one-click POST (RFC 8058, body
// "List-Unsubscribe=One-Click") has no session and may come with another
// origin: the route is the one the cross-origin protection lets through
// (server.go), and the token alone decides.

type unsubscribePage struct {
	Workspace workspace.Workspace
	Token     string
	Done      bool
}

func unsubscribeToken(r *http.Request) string {
	if t := r.URL.Query().Get("token"); t != "" {
		return t
	}
	return r.PostForm.Get("token") // a form that kept it in a field
}

func (s *Server) unsubscribeView(w http.ResponseWriter, r *http.Request) error {
	token := unsubscribeToken(r)
	sub, err := s.workspaces.SubscriptionByToken(r.Context(), r.PathValue("ws"), token)
	if err != nil {
		return err
	}
	p := s.newPage(r, "workspace.unsubscribe.title")
	p.RawTitle = sub.Workspace.Name
	p.Data = &unsubscribePage{Workspace: sub.Workspace, Token: token, Done: sub.Unsubscribed}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, "workspace_unsubscribe", p)
	return nil
}

func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	token := unsubscribeToken(r)
	ws, err := s.workspaces.Unsubscribe(r.Context(), r.PathValue("ws"), token)
	if err != nil {
		return err
	}
	if r.PostForm.Get("List-Unsubscribe") == "One-Click" {
		// A mail program: nobody reads the answer.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, err := w.Write([]byte("unsubscribed\n"))
		return err
	}
	p := s.newPage(r, "workspace.unsubscribe.title")
	p.RawTitle = ws.Name
	p.Data = &unsubscribePage{Workspace: ws, Done: true}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, "workspace_unsubscribe", p)
	return nil
}

// The Atom feed (RFC 4287) of a workspace's public announcements.

type wsAtomFeed struct {
	XMLName xml.Name      `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string        `xml:"xml:lang,attr"`
	ID      string        `xml:"id"`
	Title   string        `xml:"title"`
	Updated string        `xml:"updated"`
	Author  atomPerson    `xml:"author"`
	Links   []atomLink    `xml:"link"`
	Entries []wsAtomEntry `xml:"entry"`
}

type wsAtomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Links     []atomLink `xml:"link"`
	Content   atomText   `xml:"content"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

func (s *Server) workspaceFeed(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v, err := s.workspaces.Open(ctx, nil, r.PathValue("ws"))
	if err != nil {
		return err
	}
	// The feed is the same for everyone: only what the public may read.
	items, _, err := s.workspaces.Announcements(ctx, nil, v.Slug, 0, feedSize)
	if err != nil {
		return err
	}
	lang := langFrom(ctx)
	page := s.opts.BaseURL + workspaceLink(v.Workspace) + "/announcements"
	self := s.opts.BaseURL + workspaceLink(v.Workspace) + "/feed.atom"
	feed := wsAtomFeed{
		Lang:    lang,
		ID:      self,
		Title:   s.msgs.T(lang, "workspace.announcements.feed_title", "workspace", v.Name),
		Updated: v.CreatedAt.Format(time.RFC3339),
		Author:  atomPerson{Name: v.Name},
		Links:   []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: page}},
	}
	for i, a := range items {
		when := a.CreatedAt.Format(time.RFC3339)
		if i == 0 {
			feed.Updated = when
		}
		link := page + "#a" + strconv.FormatInt(a.ID, 10)
		feed.Entries = append(feed.Entries, wsAtomEntry{ID: link, Title: a.Title, Updated: when, Published: when,
			Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: link}}, Content: atomText{Type: "text", Text: a.Body}})
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

// The API.

type apiAnnouncement struct {
	ID         int64     `json:"id"`
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	Visibility string    `json:"visibility"`
	Recipients *int      `json:"recipients,omitempty"` // for those who send
	CreatedAt  time.Time `json:"created_at"`
}

func toAPIAnnouncement(a workspace.Announcement, sender bool) apiAnnouncement {
	out := apiAnnouncement{ID: a.ID, Title: a.Title, Body: a.Body, Visibility: string(a.Visibility), CreatedAt: a.CreatedAt}
	if sender {
		out.Recipients = &a.Recipients
	}
	return out
}

func (s *Server) apiAnnouncements(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	before, err := queryInt(q.Get("cursor"), "cursor")
	if err != nil {
		return err
	}
	limit, err := queryLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	items, next, err := s.workspaces.Announcements(r.Context(), userFrom(r.Context()), v.Slug, before, limit)
	if err != nil {
		return err
	}
	out := make([]apiAnnouncement, 0, len(items))
	for _, a := range items {
		out = append(out, toAPIAnnouncement(a, v.Viewer.Has(workspace.RoleAnnouncements)))
	}
	resp := map[string]any{"announcements": out, "next_cursor": nil}
	if next != 0 {
		resp["next_cursor"] = next
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) apiAnnounce(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Title      string `json:"title"`
		Body       string `json:"body"`
		Visibility string `json:"visibility"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ref := r.PathValue("ws")
	a, err := s.workspaces.Announce(r.Context(), userFrom(r.Context()), ref, workspace.NewAnnouncement{Title: in.Title, Body: in.Body,
		Visibility: workspace.Visibility(in.Visibility)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toAPIAnnouncement(a, true))
	return nil
}
