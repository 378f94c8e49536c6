package web

import (
	"net/http"
	"net/url"
	"strconv"

	"samen/internal/account"
	"samen/internal/audit"
	"samen/internal/mail"
	"samen/internal/problem"
	"samen/internal/store"
)

type peoplePage struct {
	Requests []account.User // waiting to be erased
	People   []account.User
	Roles    []account.Role
	Next     string // URL of the next page, if any
}

func (s *Server) peoplePage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := account.ListFilter{Query: q.Get("q"), Limit: 50}
	if role := q.Get("role"); role != "" {
		rl, err := account.ParseRole(role)
		if err != nil {
			return err
		}
		f.Role = rl
	}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	people, next, err := s.accounts.List(r.Context(), f)
	if err != nil {
		return err
	}
	requests, err := s.accounts.ErasureRequests(r.Context())
	if err != nil {
		return err
	}
	p := s.newPage(r, "people.title")
	p.Form.Set("q", f.Query)
	p.Form.Set("role", string(f.Role))
	d := peoplePage{Requests: requests, People: people, Roles: account.Roles}
	if next != 0 {
		v := url.Values{"q": {f.Query}, "role": {string(f.Role)}, "after": {strconv.FormatInt(next, 10)}}
		d.Next = "/admin/people?" + v.Encode()
	}
	p.Data = d
	s.render(w, r, "people", p)
	return nil
}

func (s *Server) setRole(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	role, err := account.ParseRole(r.PostForm.Get("role"))
	if err != nil {
		return err
	}
	if err := s.accounts.SetRole(r.Context(), id, role); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/people?notice=role_changed", http.StatusSeeOther)
	return nil
}

func (s *Server) setAccess(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	var disable bool
	switch r.PostForm.Get("access") {
	case "disable":
		disable = true
	case "enable":
	default:
		return problem.Fields{"access": "access.unknown"}.Err()
	}
	if err := s.accounts.SetDisabled(r.Context(), id, disable); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/people?notice=access_changed", http.StatusSeeOther)
	return nil
}

type auditPage struct {
	Entries []auditRow
	Next    string
}

// auditRow is an entry with who it was, in words: the log holds ids only,
// and the name is looked up as it is now (an erased person has none).
type auditRow struct {
	audit.Entry
	Who string
}

// actorNames says who made each entry, in the reader's language: a
// person's current name and number, "erased person #12", or the kind of
// actor (the system, a visitor).
func (s *Server) actorNames(r *http.Request, lang string, entries []audit.Entry) (map[int64]string, error) {
	ids := make([]int64, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, e.ActorID)
	}
	people, err := account.People(r.Context(), s.db, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(people))
	for _, p := range people {
		switch {
		case p.Erased:
			out[p.ID] = s.msgs.T(lang, "audit.erased_person", "id", p.ID)
		case p.Name == "":
			out[p.ID] = s.msgs.T(lang, "audit.person", "id", p.ID)
		default:
			out[p.ID] = s.msgs.T(lang, "audit.named_person", "name", p.Name, "id", p.ID)
		}
	}
	return out, nil
}

func (s *Server) actorWords(lang string, e audit.Entry, names map[int64]string) string {
	if e.ActorID != 0 {
		if n, ok := names[e.ActorID]; ok {
			return n
		}
		return s.msgs.T(lang, "audit.person", "id", e.ActorID)
	}
	switch e.ActorLabel {
	case audit.LabelSystem:
		return s.msgs.T(lang, "audit.system")
	case audit.LabelVisitor:
		return s.msgs.T(lang, "audit.visitor")
	}
	return e.ActorLabel
}

func (s *Server) auditFilter(q url.Values) audit.Filter {
	f := audit.Filter{Action: q.Get("action"), SubjectType: q.Get("subject_type"), SubjectID: q.Get("subject_id")}
	f.ActorID, _ = strconv.ParseInt(q.Get("actor"), 10, 64)
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	return f
}

// readAudit lists audit entries and records the read: the log holds
// people's ids and IP numbers, and the pages show names, so reading it is
// itself a read of personal data.
func (s *Server) readAudit(r *http.Request, f audit.Filter) ([]audit.Entry, int64, error) {
	var entries []audit.Entry
	var next int64
	err := s.db.InTx(r.Context(), func(tx *store.Tx) error {
		var err error
		if entries, next, err = audit.List(r.Context(), tx, f); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, "audit.read", "audit_log", "", map[string]any{"action": f.Action, "actor": f.ActorID})
	})
	return entries, next, err
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := s.auditFilter(q)
	entries, next, err := s.readAudit(r, f)
	if err != nil {
		return err
	}
	p := s.newPage(r, "audit.title")
	for _, k := range []string{"action", "actor", "subject_type", "subject_id"} {
		p.Form.Set(k, q.Get(k))
	}
	names, err := s.actorNames(r, p.Lang, entries)
	if err != nil {
		return err
	}
	d := auditPage{}
	for _, e := range entries {
		d.Entries = append(d.Entries, auditRow{Entry: e, Who: s.actorWords(p.Lang, e, names)})
	}
	if next != 0 {
		v := url.Values{}
		for k := range q {
			v.Set(k, q.Get(k))
		}
		v.Set("before", strconv.FormatInt(next, 10))
		d.Next = "/admin/audit?" + v.Encode()
	}
	p.Data = d
	s.render(w, r, "audit", p)
	return nil
}

// outboxPage shows the mails samen would have sent, where no SMTP server is
// configured (development and demos). With SMTP, mails are people's private
// business and the page does not exist.
func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) error {
	if !s.opts.MailToLog {
		return problemNotFound
	}
	var msgs []mail.Queued
	err := s.db.InTx(r.Context(), func(tx *store.Tx) error {
		var err error
		if msgs, err = mail.List(r.Context(), tx, 100); err != nil {
			return err
		}
		return audit.Record(r.Context(), tx, "mail.read", "mail_outbox", "", map[string]any{"count": len(msgs)})
	})
	if err != nil {
		return err
	}
	p := s.newPage(r, "outbox.title")
	p.Data = msgs
	s.render(w, r, "outbox", p)
	return nil
}
