package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"samen/internal/problem"
	"samen/internal/workspace"
)

// The people of a workspace: the register, one person's record, adding
// people by hand, inviting, answering join requests, and taking up an
// invitation.

type registerPage struct {
	View    workspace.View
	Members []workspace.Member
	Fields  []workspace.Field // the workspace's own fields that any shown row has
	Shows   map[string]bool   // which standard fields any shown row has
	Next    string            // the link to the next page, "" at the end
	Filter  workspace.Filter
	Circles []workspace.Circle
	// ExportQuery is the filter for the export links, as a query.
	ExportQuery template.URL
}

func (s *Server) workspaceRegister(w http.ResponseWriter, r *http.Request) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	after, err := queryInt(q.Get("after"), "after")
	if err != nil {
		return err
	}
	f := workspace.Filter{Circle: workspace.Circle(q.Get("circle")), Query: q.Get("q"), Left: q.Get("left") == "1", After: after, Limit: 100}
	members, next, err := s.workspaces.Register(r.Context(), userFrom(r.Context()), v.Slug, f)
	if err != nil {
		return err
	}
	data := &registerPage{View: v, Members: members, Filter: f, Circles: workspace.Circles, Shows: map[string]bool{}}
	for _, m := range members {
		for _, field := range workspace.StandardFields {
			if !slices.Contains(m.Hidden, field) {
				data.Shows[field] = true
			}
		}
	}
	fields, err := s.workspaces.Fields(r.Context(), userFrom(r.Context()), v.Slug)
	if err != nil {
		return err
	}
	for _, f := range fields {
		if slices.ContainsFunc(members, func(m workspace.Member) bool { return !slices.Contains(m.Hidden, "fields."+f.Key) }) {
			data.Fields = append(data.Fields, f)
		}
	}
	eq := url.Values{}
	for k, v := range map[string]string{"circle": string(f.Circle), "q": f.Query} {
		if v != "" {
			eq.Set(k, v)
		}
	}
	if f.Left {
		eq.Set("left", "1")
	}
	data.ExportQuery = template.URL(eq.Encode())
	if next != 0 {
		nq := url.Values{}
		for k, vs := range q {
			nq[k] = vs
		}
		nq.Set("after", strconv.FormatInt(next, 10))
		data.Next = workspaceLink(v.Workspace) + "/members?" + nq.Encode()
	}
	p := s.newPage(r, "workspace.register.title")
	p.RawTitle = v.Name
	p.Form = url.Values{"circle": {string(f.Circle)}, "q": {f.Query}}
	p.Data = data
	s.render(w, r, "workspace_register", p)
	return nil
}

type personPage struct {
	View    workspace.View
	Member  workspace.Member
	Own     bool
	Circles []workspace.Circle
	Roles   []workspace.Role
	CanMove bool
	// The workspace's own fields as form widgets, for the person and the
	// register; shown read-only to others.
	Inputs []fieldWidget
	Fields []workspace.Field
	// The consent texts in force, with the person's answer to each.
	Consents []consentRow
	// Their participations and (their own) fees: for the person and the
	// treasurer.
	Participations []workspace.Participation
	Fees           []workspace.Fee
}

// fieldWidget is one of the workspace's own fields on a form: a select for
// a choice, an input otherwise.
type fieldWidget struct {
	Input  input
	Select *selectField
}

type consentRow struct {
	Text  workspace.ConsentText
	Given *workspace.Consent // the standing consent to this version, if any
}

func (s *Server) workspacePerson(w http.ResponseWriter, r *http.Request) error {
	return s.renderPerson(w, r, http.StatusOK, nil)
}

func (s *Server) renderPerson(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return problemNotFound
	}
	m, err := s.workspaces.Person(r.Context(), userFrom(r.Context()), v.Slug, id)
	if err != nil {
		return err
	}
	p := s.newPage(r, "workspace.person.title")
	p.RawTitle = m.Name
	own := m.ID == v.Viewer.MemberID
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		p.Form = r.PostForm
	} else {
		p.Form = url.Values{"name": {m.Name}, "email": {m.Email}, "phone": {m.Phone}, "address": {m.Address}, "circle": {string(m.Circle)}}
	}
	d := &personPage{View: v, Member: m, Own: own, Circles: workspace.Circles, Roles: workspace.Roles,
		CanMove: m.Active() && (workspace.CanMove(v.Viewer, m.Circle, workspace.Members) || v.Viewer.Core())}
	ctx, u := r.Context(), userFrom(r.Context())
	if d.Fields, err = s.workspaces.Fields(ctx, u, v.Slug); err != nil && !problem.Is(err, problem.Forbidden) {
		return err
	}
	if formErr == nil {
		for key, value := range m.Fields {
			p.Form.Set("fields."+key, value)
		}
	}
	for _, f := range d.Fields {
		in := input{Name: "fields." + f.Key, Type: "text", Label: f.Label, Value: p.Value("fields." + f.Key), Error: p.Err("fields." + f.Key),
			OptionalLabel: p.T("form.optional")}
		switch f.Type {
		case workspace.FieldDate:
			in.Type = "date"
		case workspace.FieldChoice:
			sel := selectField{input: in}
			for _, c := range f.Choices {
				sel.Options = append(sel.Options, selectOption{Value: c, Label: c, Selected: in.Value == c})
			}
			d.Inputs = append(d.Inputs, fieldWidget{Select: &sel})
			continue
		}
		d.Inputs = append(d.Inputs, fieldWidget{Input: in})
	}
	if own || v.Viewer.Has(workspace.RoleRegister) {
		texts, err := s.workspaces.ConsentTexts(ctx, u, v.Slug)
		if err != nil && !problem.Is(err, problem.Forbidden) {
			return err
		}
		for _, t := range texts {
			row := consentRow{Text: t}
			for i, c := range m.Consents {
				if c.ID == t.ID && c.Active() {
					row.Given = &m.Consents[i]
				}
			}
			d.Consents = append(d.Consents, row)
		}
	}
	if own || v.Viewer.Has(workspace.RoleTreasurer) {
		if d.Participations, err = s.workspaces.Participations(ctx, u, v.Slug, workspace.ParticipationFilter{MemberID: m.ID, All: true}); err != nil {
			return err
		}
	}
	if own {
		if d.Fees, err = s.workspaces.Fees(ctx, u, v.Slug, 0, false); err != nil {
			return err
		}
	}
	p.Data = d
	s.renderStatus(w, r, status, "workspace_person", p)
	return nil
}

// personAction runs the forms of a person's page: correcting contact
// details, moving, ending the membership, granting and revoking roles.
func (s *Server) personAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return problemNotFound
	}
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	back := "/workspaces/" + ref + "/members/" + strconv.FormatInt(id, 10)
	var notice string
	switch r.PathValue("action") {
	case "contact":
		_, err = s.workspaces.UpdateContact(ctx, u, ref, id, workspace.Contact{Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email"),
			Phone: r.PostForm.Get("phone"), Address: r.PostForm.Get("address")})
		notice = "ws_contact_saved"
	case "move":
		err, notice = s.workspaces.Move(ctx, u, ref, id, workspace.Circle(r.PostForm.Get("circle"))), "ws_moved"
	case "end":
		err, notice = s.workspaces.End(ctx, u, ref, id), "ws_ended"
	case "fields":
		values := map[string]string{}
		for k, vs := range r.PostForm {
			if key, ok := strings.CutPrefix(k, "fields."); ok && len(vs) > 0 {
				values[key] = vs[0]
			}
		}
		err, notice = s.workspaces.SetValues(ctx, u, ref, id, values), "ws_fields_saved"
	case "consent":
		err = s.workspaces.SetConsent(ctx, u, ref, id, formInt(r, "text"), r.PostForm.Get("agree") == "yes")
		notice = "ws_consent_saved"
	case "grant":
		err, notice = s.workspaces.Grant(ctx, u, ref, id, workspace.Role(r.PostForm.Get("role"))), "ws_role_granted"
	case "revoke":
		err, notice = s.workspaces.Revoke(ctx, u, ref, id, workspace.Role(r.PostForm.Get("role"))), "ws_role_revoked"
	default:
		return problemNotFound
	}
	if err != nil {
		if problem.Is(err, problem.Invalid) || problem.Is(err, problem.Conflict) {
			return s.renderPerson(w, r, statusOf(err), err)
		}
		return err
	}
	redirectNotice(w, r, back, notice)
	return nil
}

type addMemberPage struct {
	View    workspace.View
	Circles []string
}

func (s *Server) addMemberForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	if !v.Viewer.Has(workspace.RoleRegister) {
		return errWorkspaceForbidden
	}
	p := s.newPage(r, "workspace.add.title")
	p.RawTitle = v.Name
	p.Form.Set("circle", string(workspace.Members))
	p.Data = &addMemberPage{View: v, Circles: circleChoices(v.Viewer)}
	s.render(w, r, "workspace_add", p)
	return nil
}

// circleChoices are the circles v may put someone into.
func circleChoices(v workspace.Viewer) []string {
	var out []string
	for _, c := range workspace.Circles {
		if c != workspace.Core || v.Core() {
			out = append(out, string(c))
		}
	}
	return out
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	m, err := s.workspaces.AddMember(r.Context(), userFrom(r.Context()), v.Slug, workspace.NewMember{
		Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email"), Phone: r.PostForm.Get("phone"), Address: r.PostForm.Get("address"),
		Circle: workspace.Circle(r.PostForm.Get("circle")), Joined: r.PostForm.Get("joined"), Number: formInt(r, "number")})
	if err != nil {
		if !problem.Is(err, problem.Invalid) && !problem.Is(err, problem.Conflict) {
			return err
		}
		p := s.newPage(r, "workspace.add.title")
		p.RawTitle = v.Name
		p.Data = &addMemberPage{View: v, Circles: circleChoices(v.Viewer)}
		return s.formError(w, r, "workspace_add", p, err)
	}
	redirectNotice(w, r, workspaceLink(v.Workspace)+"/members/"+strconv.FormatInt(m.ID, 10), "ws_member_added")
	return nil
}

type invitePage struct {
	View        workspace.View
	Circles     []string
	Invitations []workspace.Invitation
	Requests    []workspace.JoinRequest
}

func (s *Server) workspaceInvite(w http.ResponseWriter, r *http.Request) error {
	return s.renderInvite(w, r, http.StatusOK, nil)
}

func (s *Server) renderInvite(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	if !v.Viewer.Has(workspace.RoleRegister) {
		return errWorkspaceForbidden
	}
	ctx, u := r.Context(), userFrom(r.Context())
	data := &invitePage{View: v, Circles: circleChoices(v.Viewer)}
	if data.Invitations, err = s.workspaces.Invitations(ctx, u, v.Slug); err != nil {
		return err
	}
	if data.Requests, err = s.workspaces.JoinRequests(ctx, u, v.Slug); err != nil {
		return err
	}
	p := s.newPage(r, "workspace.invite.title")
	p.RawTitle = v.Name
	p.Form.Set("circle", string(workspace.Members))
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		p.Form = r.PostForm
	}
	p.Data = data
	s.renderStatus(w, r, status, "workspace_invite", p)
	return nil
}

// inviteAction runs the forms of the invite page: inviting, withdrawing an
// invitation, answering a join request.
func (s *Server) inviteAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	var err error
	var notice string
	switch r.PathValue("action") {
	case "send":
		_, err = s.workspaces.Invite(ctx, u, ref, r.PostForm.Get("email"), workspace.Circle(r.PostForm.Get("circle")))
		notice = "ws_invited"
	case "revoke":
		err, notice = s.workspaces.RevokeInvitation(ctx, u, ref, formInt(r, "invitation")), "ws_invitation_revoked"
	case "accept":
		err, notice = s.workspaces.Decide(ctx, u, ref, formInt(r, "request"), true, workspace.Circle(r.PostForm.Get("circle"))), "ws_request_accepted"
	case "decline":
		err, notice = s.workspaces.Decide(ctx, u, ref, formInt(r, "request"), false, ""), "ws_request_declined"
	default:
		return problemNotFound
	}
	if err != nil {
		if problem.Is(err, problem.Invalid) || problem.Is(err, problem.Conflict) {
			return s.renderInvite(w, r, statusOf(err), err)
		}
		return err
	}
	redirectNotice(w, r, "/workspaces/"+ref+"/invite", notice)
	return nil
}

type invitationPage struct {
	Invitation workspace.Invitation
	Workspace  workspace.Workspace
	Token      string
	Problem    string // why the link no longer works
}

// invitationView shows what a mailed invitation offers, and the button to
// take it up (or to log in or sign up first).
func (s *Server) invitationView(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	// The token is a secret: the page must not pass it on to other sites.
	w.Header().Set("Referrer-Policy", "no-referrer")
	p := s.newPage(r, "workspace.invitation.title")
	data := &invitationPage{Token: token}
	inv, ws, err := s.workspaces.InvitationByToken(r.Context(), token)
	status := http.StatusOK
	if err != nil {
		pe, ok := problem.As(err)
		if !ok || pe.Kind != problem.Gone {
			return err
		}
		data.Problem = s.msgs.T(p.Lang, "error."+pe.Code)
		status = http.StatusGone
	}
	data.Invitation, data.Workspace = inv, ws
	p.Data = data
	s.renderStatus(w, r, status, "workspace_invitation", p)
	return nil
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ws, err := s.workspaces.Accept(r.Context(), userFrom(r.Context()), r.PostForm.Get("token"))
	if err != nil {
		return err
	}
	redirectNotice(w, r, workspaceLink(ws), "ws_joined")
	return nil
}
