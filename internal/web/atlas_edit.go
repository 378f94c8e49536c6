package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"samen/internal/atlas"
	"samen/internal/problem"
)

// extraRows is how many empty rows for needs and offers the form shows:
// without JavaScript, more rows come by saving and editing again.
const extraRows = 2

type initiativeForm struct {
	New        bool
	ID         int64
	Action     string
	Base       int64
	Duplicates []atlas.Initiative
	Rows       map[string][]int // row numbers of needs and offers to show
	Moderator  bool
	Publishes  bool // the edit is published at once
	// HideEmail leaves the contact address out of the form: only the
	// initiative's editors and moderators see it.
	HideEmail bool
	// Workspace is the slug of the workspace that puts itself on the atlas
	// with this new entry ("" for none).
	Workspace string
}

// recordValues writes a record into form values, named as the record's
// fields are, so that a validation problem names the input it is about.
func recordValues(rec atlas.Record) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("name", rec.Name)
	set("summary.nl", rec.Summary.NL)
	set("summary.en", rec.Summary.EN)
	set("description.nl", rec.Description.NL)
	set("description.en", rec.Description.EN)
	v["sectors"] = rec.Sectors
	set("tags", strings.Join(rec.Tags, ", "))
	set("legal_form", rec.LegalForm)
	for code, pr := range rec.Principles {
		if pr.Holds != nil {
			set("principles."+code, map[bool]string{true: "yes", false: "no"}[*pr.Holds])
		}
		set("principles."+code+".note", pr.Note)
	}
	l := rec.Location
	set("location.address", l.Address)
	set("location.postcode", l.Postcode)
	set("location.city", l.City)
	set("location.district", l.District)
	if l.Latitude != nil {
		set("location.latitude", strconv.FormatFloat(*l.Latitude, 'f', -1, 64))
	}
	if l.Longitude != nil {
		set("location.longitude", strconv.FormatFloat(*l.Longitude, 'f', -1, 64))
	}
	set("contact.email", rec.Contact.Email)
	set("contact.website", rec.Contact.Website)
	set("contact.links", strings.Join(rec.Contact.Links, "\n"))
	set("opening_hours", rec.OpeningHours)
	if rec.Founded != 0 {
		set("founded", strconv.Itoa(rec.Founded))
	}
	set("size", rec.Size)
	for _, x := range []struct {
		name string
		list []atlas.Exchange
	}{{"needs", rec.Needs}, {"offers", rec.Offers}} {
		for i, e := range x.list {
			k := x.name + "." + strconv.Itoa(i) + "."
			set(k+"kind", e.Kind)
			set(k+"text", e.Text)
			set(k+"until", e.Until)
		}
	}
	set("tools", strings.Join(rec.Tools, ", "))
	return v
}

// parseRecord reads the form into a record, starting from base (the
// current version when editing), so that fields the form does not show
// (source, licence) are kept. Rows of needs and offers are renumbered
// without the empty ones, in the returned values too, so that a problem
// reported for "needs.1.kind" points at the row shown second.
func parseRecord(form url.Values, base atlas.Record) (atlas.Record, url.Values, error) {
	rec := base
	f := problem.Fields{}
	rec.Name = form.Get("name")
	rec.Summary = atlas.Text{NL: form.Get("summary.nl"), EN: form.Get("summary.en")}
	rec.Description = atlas.Text{NL: form.Get("description.nl"), EN: form.Get("description.en")}
	rec.Sectors = form["sectors"]
	rec.Tags = strings.Split(form.Get("tags"), ",")
	rec.LegalForm = form.Get("legal_form")
	rec.Principles = map[string]atlas.Principle{}
	for _, code := range atlas.Principles {
		var pr atlas.Principle
		switch form.Get("principles." + code) {
		case "yes":
			pr.Holds = ptrTo(true)
		case "no":
			pr.Holds = ptrTo(false)
		case "":
		default:
			f.Add("principles."+code, "unknown")
		}
		pr.Note = form.Get("principles." + code + ".note")
		rec.Principles[code] = pr
	}
	rec.Location = atlas.Location{
		Address: form.Get("location.address"), Postcode: form.Get("location.postcode"),
		City: form.Get("location.city"), District: form.Get("location.district"),
	}
	for _, c := range []struct {
		name string
		dst  **float64
	}{{"location.latitude", &rec.Location.Latitude}, {"location.longitude", &rec.Location.Longitude}} {
		if s := strings.TrimSpace(strings.ReplaceAll(form.Get(c.name), ",", ".")); s != "" {
			n, err := strconv.ParseFloat(s, 64)
			if err != nil {
				f.Add(c.name, "number.invalid")
				continue
			}
			*c.dst = &n
		}
	}
	rec.Contact = atlas.Contact{Email: form.Get("contact.email"), Website: form.Get("contact.website"),
		Links: strings.Split(form.Get("contact.links"), "\n")}
	rec.OpeningHours = form.Get("opening_hours")
	rec.Founded = 0
	if s := strings.TrimSpace(form.Get("founded")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			f.Add("founded", "number.invalid")
		}
		rec.Founded = n
	}
	rec.Size = form.Get("size")
	clean := url.Values{}
	for k, vs := range form {
		if !strings.HasPrefix(k, "needs.") && !strings.HasPrefix(k, "offers.") {
			clean[k] = vs
		}
	}
	for _, list := range []struct {
		name string
		dst  *[]atlas.Exchange
	}{{"needs", &rec.Needs}, {"offers", &rec.Offers}} {
		*list.dst = nil
		for i := 0; i < 100; i++ {
			k := list.name + "." + strconv.Itoa(i) + "."
			e := atlas.Exchange{Kind: form.Get(k + "kind"), Text: form.Get(k + "text"), Until: form.Get(k + "until")}
			if strings.TrimSpace(e.Kind+e.Text+e.Until) == "" {
				continue
			}
			n := list.name + "." + strconv.Itoa(len(*list.dst)) + "."
			clean.Set(n+"kind", e.Kind)
			clean.Set(n+"text", e.Text)
			clean.Set(n+"until", e.Until)
			*list.dst = append(*list.dst, e)
		}
	}
	rec.Tools = strings.Split(form.Get("tools"), ",")
	return rec, clean, f.Err()
}

func ptrTo[T any](v T) *T { return &v }

// checkRecord validates what could be read of a form whose reading already
// found problems, so that the form shows every problem at once; the
// service validates again when the form is good.
func checkRecord(rec atlas.Record, readErr error) error {
	if readErr == nil {
		return nil
	}
	rec.Normalize()
	return rec.Validate(time.Now().Format(time.DateOnly))
}

// rows returns the row numbers of a list to show: the filled ones and a
// few empty ones.
func rows(v url.Values, name string) []int {
	n := 0
	for v.Get(name+"."+strconv.Itoa(n)+".kind")+v.Get(name+"."+strconv.Itoa(n)+".text") != "" {
		n++
	}
	out := make([]int, n+extraRows)
	for i := range out {
		out[i] = i
	}
	return out
}

func (s *Server) renderInitiativeForm(w http.ResponseWriter, r *http.Request, status int, d *initiativeForm, values url.Values, formErr error) error {
	title := "atlas.form.edit_title"
	if d.New {
		title = "atlas.form.new_title"
	}
	p := s.newPage(r, title)
	p.Form = values
	// A problem that is not about a field (an edit conflict, a possible
	// duplicate) is shown above the form.
	if err := s.formProblems(p, formErr); err != nil {
		return err
	}
	d.Rows = map[string][]int{"needs": rows(values, "needs"), "offers": rows(values, "offers")}
	d.Moderator = isModerator(p.User)
	p.Data = d
	s.renderStatus(w, r, status, "initiative_form", p)
	return nil
}

func (s *Server) newInitiativeForm(w http.ResponseWriter, r *http.Request) error {
	v := url.Values{}
	v.Set("location.city", "Amsterdam")
	d := &initiativeForm{New: true, Action: "/atlas/new", Publishes: isModerator(userFrom(r.Context()))}
	// A workspace that puts itself on the atlas starts from its own name
	// and description.
	if ref := r.URL.Query().Get("workspace"); ref != "" {
		ws, err := s.workspaces.Open(r.Context(), userFrom(r.Context()), ref)
		if err != nil {
			return err
		}
		if !ws.Viewer.Core() {
			return errWorkspaceForbidden
		}
		d.Workspace = ws.Slug
		v.Set("name", ws.Name)
		v.Set("description.nl", ws.Description)
	}
	return s.renderInitiativeForm(w, r, http.StatusOK, d, v, nil)
}

func (s *Server) createInitiative(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	u := userFrom(r.Context())
	d := &initiativeForm{New: true, Action: "/atlas/new", Publishes: isModerator(u), Workspace: r.PostForm.Get("workspace")}
	if d.Workspace != "" {
		// Checked before the entry is proposed, so that a workspace that
		// may not link leaves no entry behind.
		ws, err := s.workspaces.Open(r.Context(), u, d.Workspace)
		if err != nil {
			return err
		}
		if !ws.Viewer.Core() {
			return errWorkspaceForbidden
		}
		if ws.InitiativeID != 0 {
			return problem.New(problem.Conflict, "workspace.on_atlas")
		}
	}
	rec, values, err := parseRecord(r.PostForm, atlas.Record{})
	err = mergeProblems(err, checkRecord(rec, err))
	if err == nil {
		var in atlas.Initiative
		in, err = s.atlas.Propose(r.Context(), u, atlas.Proposal{Record: rec, Note: r.PostForm.Get("note"),
			NotDuplicate: r.PostForm.Get("not_duplicate") == "yes"})
		if err == nil {
			notice := "initiative_proposed"
			if in.Status == atlas.Published {
				notice = "initiative_published"
			}
			if d.Workspace != "" {
				if err := s.workspaces.LinkInitiative(r.Context(), u, d.Workspace, in.ID); err != nil {
					return err
				}
			}
			redirectNotice(w, r, atlasLink(in.ID), notice)
			return nil
		}
		if problem.Is(err, problem.Conflict) {
			if d.Duplicates, _ = s.atlas.Duplicates(r.Context(), rec, 0); len(d.Duplicates) > 0 {
				values.Set("note", r.PostForm.Get("note"))
			}
		}
	}
	values.Set("note", r.PostForm.Get("note"))
	return s.renderInitiativeForm(w, r, http.StatusUnprocessableEntity, d, values, err)
}

func (s *Server) editInitiativeForm(w http.ResponseWriter, r *http.Request) error {
	in, u, err := s.initiativeFor(r)
	if err != nil {
		return err
	}
	id := in.ID
	if in.Status == atlas.Merged || in.Status == atlas.Rejected {
		return problem.New(problem.Conflict, "atlas.not_editable")
	}
	d := &initiativeForm{ID: id, Action: atlasLink(id) + "/edit", Base: in.RevisionID, Publishes: in.CanPublish(u), HideEmail: !in.CanPublish(u)}
	values := recordValues(in.Record)
	if d.HideEmail {
		values.Del("contact.email")
	}
	return s.renderInitiativeForm(w, r, http.StatusOK, d, values, nil)
}

func (s *Server) editInitiative(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	in, u, err := s.initiativeFor(r)
	if err != nil {
		return err
	}
	id := in.ID
	base, _ := strconv.ParseInt(r.PostForm.Get("base"), 10, 64)
	d := &initiativeForm{ID: id, Action: atlasLink(id) + "/edit", Base: base, Publishes: in.CanPublish(u), HideEmail: !in.CanPublish(u)}
	rec, values, err := parseRecord(r.PostForm, in.Record)
	err = mergeProblems(err, checkRecord(rec, err))
	if d.HideEmail {
		// Whoever may not see the address cannot change it either; the
		// service keeps the current one.
		rec.Contact.Email = ""
		values.Del("contact.email")
	}
	if err == nil {
		var rev atlas.Revision
		// An editor who empties the field means to remove the address.
		clear := !d.HideEmail && strings.TrimSpace(r.PostForm.Get("contact.email")) == ""
		rev, err = s.atlas.Edit(r.Context(), u, id, atlas.Proposal{Record: rec, Note: r.PostForm.Get("note"), BaseID: base, ClearEmail: clear})
		if err == nil {
			notice := "edit_proposed"
			if rev.State == atlas.RevisionAccepted {
				notice = "edit_published"
			}
			redirectNotice(w, r, atlasLink(id), notice)
			return nil
		}
	}
	values.Set("note", r.PostForm.Get("note"))
	return s.renderInitiativeForm(w, r, http.StatusUnprocessableEntity, d, values, err)
}

// initiativeAction runs one of the small POST actions on an initiative
// (confirm, archive, restore, merge, editors) and returns to its page.
func (s *Server) initiativeAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u := userFrom(r.Context())
	ctx := r.Context()
	back := atlasLink(id)
	var notice string
	switch r.PathValue("action") {
	case "confirm":
		err, notice = s.atlas.Confirm(ctx, u, id), "initiative_confirmed"
	case "archive":
		err, notice = s.atlas.SetArchived(ctx, u, id, true), "initiative_archived"
	case "unarchive":
		err, notice = s.atlas.SetArchived(ctx, u, id, false), "initiative_unarchived"
	case "restore":
		rev, perr := strconv.ParseInt(r.PostForm.Get("revision"), 10, 64)
		if perr != nil {
			return problemNotFound
		}
		_, err = s.atlas.Restore(ctx, u, id, rev)
		notice, back = "revision_restored", back+"/history"
	case "merge":
		into, perr := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(r.PostForm.Get("into")), "#"), 10, 64)
		if perr != nil {
			err = &problem.Error{Kind: problem.Invalid, Code: "validation", Fields: problem.Fields{"into": "merge.unknown"}}
		} else {
			err = s.atlas.Merge(ctx, u, id, into)
			back = atlasLink(into)
		}
		notice = "initiative_merged"
	case "editors/add":
		err, notice, back = s.atlas.AddEditor(ctx, u, id, r.PostForm.Get("email")), "editor_added", back+"/editors"
	case "editors/remove":
		uid, perr := strconv.ParseInt(r.PostForm.Get("user"), 10, 64)
		if perr != nil {
			return problemNotFound
		}
		err, notice, back = s.atlas.RemoveEditor(ctx, u, id, uid), "editor_removed", back+"/editors"
	default:
		return problemNotFound
	}
	if err != nil {
		if _, isField := problem.As(err); isField && problem.Is(err, problem.Invalid) {
			if strings.HasPrefix(r.PathValue("action"), "editors") {
				return s.renderEditors(w, r, http.StatusUnprocessableEntity, err)
			}
		}
		return err
	}
	redirectNotice(w, r, back, notice)
	return nil
}
