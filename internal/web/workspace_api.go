package web

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"samen/internal/problem"
	"samen/internal/workspace"
)

// The workspaces in the JSON API, with the same rules as the pages: the
// service decides what each caller sees by their circle and roles.

type apiWorkspace struct {
	ID           int64          `json:"id"`
	Slug         string         `json:"slug"`
	Href         string         `json:"href"`
	Name         string         `json:"name"`
	Description  string         `json:"description"`
	InitiativeID *int64         `json:"initiative_id"`
	Circle       *string        `json:"circle"` // the caller's; null for an outsider
	Roles        []string       `json:"roles"`  // the caller's delegated roles
	Counts       map[string]int `json:"counts"` // people per circle
	CreatedAt    time.Time      `json:"created_at"`
}

func (s *Server) toAPIWorkspace(ws workspace.Workspace, v workspace.Viewer, counts map[workspace.Circle]int) apiWorkspace {
	out := apiWorkspace{ID: ws.ID, Slug: ws.Slug, Href: s.opts.BaseURL + workspaceLink(ws), Name: ws.Name, Description: ws.Description,
		Roles: []string{}, Counts: map[string]int{}, CreatedAt: ws.CreatedAt}
	if ws.InitiativeID != 0 {
		out.InitiativeID = &ws.InitiativeID
	}
	if v.In() {
		c := string(v.Circle)
		out.Circle = &c
		for _, r := range workspace.Roles {
			if v.Has(r) {
				out.Roles = append(out.Roles, string(r))
			}
		}
	}
	for _, c := range workspace.Circles {
		out.Counts[string(c)] = counts[c]
	}
	return out
}

func (s *Server) apiWorkspaces(w http.ResponseWriter, r *http.Request) error {
	ctx, u := r.Context(), userFrom(r.Context())
	mine, err := s.workspaces.Mine(ctx, u)
	if err != nil {
		return err
	}
	out := make([]apiWorkspace, 0, len(mine))
	for _, m := range mine {
		v, err := s.workspaces.Open(ctx, u, m.Slug)
		if err != nil {
			return err
		}
		out = append(out, s.toAPIWorkspace(m.Workspace, v.Viewer, m.Counts))
	}
	writeJSON(w, http.StatusOK, map[string]any{"workspaces": out})
	return nil
}

func (s *Server) apiWorkspace(w http.ResponseWriter, r *http.Request) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	counts, err := s.workspaces.Counts(r.Context(), v.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.toAPIWorkspace(v.Workspace, v.Viewer, counts))
	return nil
}

func (s *Server) apiCreateWorkspace(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name         string `json:"name"`
		Slug         string `json:"slug"`
		Description  string `json:"description"`
		InitiativeID int64  `json:"initiative_id"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	var ws workspace.Workspace
	var err error
	if in.InitiativeID != 0 {
		ws, err = s.workspaces.OpenForInitiative(ctx, u, in.InitiativeID)
	} else {
		ws, err = s.workspaces.Create(ctx, u, workspace.Draft{Name: in.Name, Slug: in.Slug, Description: in.Description})
	}
	if err != nil {
		return err
	}
	v, err := s.workspaces.Open(ctx, u, ws.Slug)
	if err != nil {
		return err
	}
	counts, err := s.workspaces.Counts(ctx, ws.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", s.opts.BaseURL+"/api/v1/workspaces/"+ws.Slug)
	writeJSON(w, http.StatusCreated, s.toAPIWorkspace(ws, v.Viewer, counts))
	return nil
}

// apiMember is a row of the register. A field the caller may not see is
// left out, and named in hidden.
type apiMember struct {
	ID      int64    `json:"id"`
	Number  *int64   `json:"number,omitempty"`
	Name    string   `json:"name"`
	Circle  string   `json:"circle"`
	Roles   []string `json:"roles"`
	Account bool     `json:"has_account"`
	Email   *string  `json:"email,omitempty"`
	Phone   *string  `json:"phone,omitempty"`
	Address *string  `json:"address,omitempty"`
	Joined  *string  `json:"joined_on,omitempty"`
	Left    *string  `json:"left_on,omitempty"`
	// The workspace's own fields the caller may see, by key.
	Fields   map[string]string `json:"fields"`
	Consents []apiConsent      `json:"consents,omitempty"`
	Hidden   []string          `json:"hidden"`
}

type apiConsent struct {
	Key         string     `json:"key"`
	Version     int        `json:"version"`
	Text        string     `json:"text"`
	GivenAt     time.Time  `json:"given_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at"`
}

func toAPIMember(m workspace.Member) apiMember {
	out := apiMember{ID: m.ID, Name: m.Name, Circle: string(m.Circle), Roles: []string{}, Account: m.UserID != 0, Hidden: []string{},
		Fields: map[string]string{}}
	maps.Copy(out.Fields, m.Fields)
	for _, c := range m.Consents {
		ac := apiConsent{Key: c.Key, Version: c.Version, Text: c.Text, GivenAt: c.GivenAt}
		if !c.WithdrawnAt.IsZero() {
			w := c.WithdrawnAt
			ac.WithdrawnAt = &w
		}
		out.Consents = append(out.Consents, ac)
	}
	for _, r := range m.Roles {
		out.Roles = append(out.Roles, string(r))
	}
	hidden := map[string]bool{}
	for _, h := range m.Hidden {
		hidden[h] = true
		out.Hidden = append(out.Hidden, h)
	}
	if !hidden["number"] {
		out.Number = &m.Number
	}
	if !hidden["email"] {
		out.Email = &m.Email
	}
	if !hidden["phone"] {
		out.Phone = &m.Phone
	}
	if !hidden["address"] {
		out.Address = &m.Address
	}
	if !hidden["joined"] {
		out.Joined = &m.Joined
		if m.Left != "" {
			out.Left = &m.Left
		}
	}
	return out
}

func (s *Server) apiMembers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := workspace.Filter{Circle: workspace.Circle(q.Get("circle")), Query: q.Get("q"), Left: q.Get("left") == "true"}
	var err error
	if f.After, err = queryInt(q.Get("cursor"), "cursor"); err != nil {
		return err
	}
	if f.Limit, err = queryLimit(q.Get("limit")); err != nil {
		return err
	}
	members, next, err := s.workspaces.Register(r.Context(), userFrom(r.Context()), r.PathValue("ws"), f)
	if err != nil {
		return err
	}
	out := make([]apiMember, 0, len(members))
	for _, m := range members {
		out = append(out, toAPIMember(m))
	}
	resp := map[string]any{"members": out, "next_cursor": nil}
	if next != 0 {
		resp["next_cursor"] = next
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func memberID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, problemNotFound
	}
	return id, nil
}

func (s *Server) apiMember(w http.ResponseWriter, r *http.Request) error {
	// "me" is the caller's own row: the member portal's way in.
	if r.PathValue("id") == "me" {
		self, err := s.workspaces.Self(r.Context(), userFrom(r.Context()), r.PathValue("ws"))
		if err != nil {
			return err
		}
		r.SetPathValue("id", strconv.FormatInt(self.ID, 10))
	}
	id, err := memberID(r)
	if err != nil {
		return err
	}
	m, err := s.workspaces.Person(r.Context(), userFrom(r.Context()), r.PathValue("ws"), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIMember(m))
	return nil
}

func (s *Server) apiAddMember(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name    string `json:"name"`
		Email   string `json:"email"`
		Phone   string `json:"phone"`
		Address string `json:"address"`
		Circle  string `json:"circle"`
		Joined  string `json:"joined_on"`
		Number  int64  `json:"number"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := s.workspaces.AddMember(r.Context(), userFrom(r.Context()), r.PathValue("ws"), workspace.NewMember{
		Name: in.Name, Email: in.Email, Phone: in.Phone, Address: in.Address, Circle: workspace.Circle(in.Circle), Joined: in.Joined, Number: in.Number})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toAPIMember(m))
	return nil
}

// apiUpdateMember changes what is given: contact details (the person
// themselves, or the register) and the circle (by the rules of moving).
func (s *Server) apiUpdateMember(w http.ResponseWriter, r *http.Request) error {
	id, err := memberID(r)
	if err != nil {
		return err
	}
	var in struct {
		Name    *string           `json:"name"`
		Email   *string           `json:"email"`
		Phone   *string           `json:"phone"`
		Address *string           `json:"address"`
		Circle  *string           `json:"circle"`
		Fields  map[string]string `json:"fields"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	ch := workspace.Change{Fields: in.Fields}
	if in.Name != nil || in.Email != nil || in.Phone != nil || in.Address != nil {
		m, err := s.workspaces.Person(ctx, u, ref, id)
		if err != nil {
			return err
		}
		c := workspace.Contact{Name: m.Name, Email: m.Email, Phone: m.Phone, Address: m.Address}
		for dst, src := range map[*string]*string{&c.Name: in.Name, &c.Email: in.Email, &c.Phone: in.Phone, &c.Address: in.Address} {
			if src != nil {
				*dst = *src
			}
		}
		ch.Contact = &c
	}
	if in.Circle != nil {
		c := workspace.Circle(*in.Circle)
		ch.Circle = &c
	}
	if _, err := s.workspaces.Change(ctx, u, ref, id, ch); err != nil {
		return err
	}
	m, err := s.workspaces.Person(ctx, u, ref, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIMember(m))
	return nil
}

func (s *Server) apiInvite(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email  string `json:"email"`
		Circle string `json:"circle"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	inv, err := s.workspaces.Invite(r.Context(), userFrom(r.Context()), r.PathValue("ws"), in.Email, workspace.Circle(in.Circle))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": inv.ID, "email": inv.Email, "circle": inv.Circle, "expires_at": inv.ExpiresAt})
	return nil
}

type apiField struct {
	Key        string   `json:"key"`
	Label      string   `json:"label"`
	Type       string   `json:"type"`
	Choices    []string `json:"choices,omitempty"`
	Visibility string   `json:"visibility"`
}

func (s *Server) apiFields(w http.ResponseWriter, r *http.Request) error {
	fields, err := s.workspaces.Fields(r.Context(), userFrom(r.Context()), r.PathValue("ws"))
	if err != nil {
		return err
	}
	out := make([]apiField, 0, len(fields))
	for _, f := range fields {
		out = append(out, apiField{Key: f.Key, Label: f.Label, Type: string(f.Type), Choices: f.Choices, Visibility: string(f.Visibility)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"fields": out})
	return nil
}

type apiParticipation struct {
	ID         int64     `json:"id"`
	MemberID   int64     `json:"member_id"`
	Number     int64     `json:"number"`
	Name       string    `json:"name"`
	Class      string    `json:"class"`
	ClassID    int64     `json:"class_id"`
	Shares     int       `json:"shares"`
	Status     string    `json:"status"`
	ValueCents int64     `json:"value_cents"`
	PaidCents  int64     `json:"paid_cents"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func toAPIParticipation(p workspace.Participation) apiParticipation {
	return apiParticipation{ID: p.ID, MemberID: p.MemberID, Number: p.Number, Name: p.MemberName, Class: p.ClassName, ClassID: p.ClassID,
		Shares: p.Shares, Status: string(p.Status), ValueCents: p.ValueCents, PaidCents: p.PaidCents, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// apiParticipations is the register of shares: everyone's for the
// treasurer, the caller's own for anyone else in the workspace.
func (s *Server) apiParticipations(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := workspace.ParticipationFilter{Status: workspace.Status(q.Get("status")), All: q.Get("all") == "true"}
	if f.Status != "" && !slices.Contains(workspace.Statuses, f.Status) {
		return problem.Fields{"status": "choice.unknown"}.Err()
	}
	var err error
	if f.MemberID, err = queryInt(q.Get("member"), "member"); err != nil {
		return err
	}
	ps, err := s.workspaces.Participations(r.Context(), userFrom(r.Context()), r.PathValue("ws"), f)
	if err != nil {
		return err
	}
	out := make([]apiParticipation, 0, len(ps))
	for _, p := range ps {
		out = append(out, toAPIParticipation(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"participations": out})
	return nil
}

func (s *Server) apiAddParticipation(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		MemberID int64  `json:"member_id"`
		ClassID  int64  `json:"class_id"`
		Shares   int    `json:"shares"`
		Status   string `json:"status"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.workspaces.AddParticipation(r.Context(), userFrom(r.Context()), r.PathValue("ws"), workspace.NewParticipation{
		MemberID: in.MemberID, ClassID: in.ClassID, Shares: in.Shares, Status: workspace.Status(in.Status)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toAPIParticipation(p))
	return nil
}

type apiEntry struct {
	ID              int64  `json:"id"`
	MemberID        int64  `json:"member_id"`
	Number          int64  `json:"number"`
	ParticipationID *int64 `json:"participation_id"`
	Account         string `json:"account"`
	Kind            string `json:"kind"`
	AmountCents     int64  `json:"amount_cents"`
	BookedOn        string `json:"booked_on"`
	Description     string `json:"description"`
	ReversesID      *int64 `json:"reverses_id"`
	ReversedBy      *int64 `json:"reversed_by"`
}

// apiLedger lists ledger entries, newest first: every entry for the
// treasurer, the caller's own for anyone else in the workspace.
func (s *Server) apiLedger(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := workspace.LedgerFilter{Account: workspace.Account(q.Get("account"))}
	if f.Account != "" && f.Account != workspace.Capital && f.Account != workspace.Fees {
		return problem.Fields{"account": "choice.unknown"}.Err()
	}
	var err error
	if f.Before, err = queryInt(q.Get("cursor"), "cursor"); err != nil {
		return err
	}
	if f.Limit, err = queryLimit(q.Get("limit")); err != nil {
		return err
	}
	entries, next, err := s.workspaces.Ledger(r.Context(), userFrom(r.Context()), r.PathValue("ws"), f)
	if err != nil {
		return err
	}
	opt := func(id int64) *int64 {
		if id == 0 {
			return nil
		}
		return &id
	}
	out := make([]apiEntry, 0, len(entries))
	for _, e := range entries {
		out = append(out, apiEntry{ID: e.ID, MemberID: e.MemberID, Number: e.Number, ParticipationID: opt(e.ParticipationID), Account: string(e.Account),
			Kind: string(e.Kind), AmountCents: e.AmountCents, BookedOn: e.BookedOn, Description: e.Description, ReversesID: opt(e.ReversesID), ReversedBy: opt(e.ReversedBy)})
	}
	resp := map[string]any{"entries": out, "next_cursor": nil}
	if next != 0 {
		resp["next_cursor"] = next
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}
