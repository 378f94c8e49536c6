package web

import (
	"encoding/csv"
	"net/http"
	"strconv"

	"samen/internal/csvcell"
	"samen/internal/problem"
	"samen/internal/workspace"
)

// Shares and participations, the ledger and fees: the treasurer's pages,
// and each member's view of their own.

type sharesPage struct {
	View           workspace.View
	Classes        []workspace.ShareClass
	Participations []workspace.Participation
	Balances       workspace.Balances
	Statuses       []string
	Totals         map[workspace.Status]int64 // value per status
	Print          bool
}

func (s *Server) workspaceShares(w http.ResponseWriter, r *http.Request) error {
	return s.renderShares(w, r, http.StatusOK, nil)
}

func (s *Server) renderShares(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	if !v.Viewer.In() {
		return errWorkspaceForbidden
	}
	ctx, u := r.Context(), userFrom(r.Context())
	format := r.URL.Query().Get("format")
	d := &sharesPage{View: v, Statuses: codes(workspace.Statuses), Totals: map[workspace.Status]int64{}, Print: format == "print"}
	if d.Classes, err = s.workspaces.ShareClasses(ctx, u, v.Slug); err != nil {
		return err
	}
	if d.Participations, err = s.workspaces.Participations(ctx, u, v.Slug, workspace.ParticipationFilter{All: r.URL.Query().Get("all") == "1"}); err != nil {
		return err
	}
	if d.Balances, err = s.workspaces.Balances(ctx, u, v.Slug); err != nil {
		return err
	}
	for _, p := range d.Participations {
		d.Totals[p.Status] += p.ValueCents
	}
	if format == "csv" {
		return s.sharesCSV(w, r, v, d.Participations)
	}
	p := s.newPage(r, "workspace.shares.title")
	p.RawTitle = v.Name
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		p.Form = r.PostForm
	} else {
		p.Form.Set("shares", "1")
		if v.Viewer.Has(workspace.RoleTreasurer) {
			p.Form.Set("status", string(workspace.Interest))
		}
	}
	p.Data = d
	name := "workspace_shares"
	if d.Print {
		name = "workspace_shares_print"
	}
	s.renderStatus(w, r, status, name, p)
	return nil
}

// sharesCSV writes the register of shares as the reader sees it.
func (s *Server) sharesCSV(w http.ResponseWriter, r *http.Request, v workspace.View, ps []workspace.Participation) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+v.Slug+`-shares.csv"`)
	w.Header().Set("Cache-Control", "private, no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"participation", "number", "name", "class", "shares", "status", "value_cents", "paid_cents", "since"})
	for _, p := range ps {
		_ = cw.Write([]string{strconv.FormatInt(p.ID, 10), strconv.FormatInt(p.Number, 10), csvcell.Guard(p.MemberName), csvcell.Guard(p.ClassName),
			strconv.Itoa(p.Shares), string(p.Status), strconv.FormatInt(p.ValueCents, 10), strconv.FormatInt(p.PaidCents, 10),
			p.CreatedAt.In(amsterdam).Format("2006-01-02")})
	}
	cw.Flush()
	return cw.Error()
}

// formCents reads an amount of euros from a form: the cents, or 0 and the
// field's problem.
func formCents(r *http.Request, name string) (int64, error) {
	cents, code := workspace.ParseCents(r.PostForm.Get(name))
	if code != "" {
		return 0, problem.Fields{name: code}.Err()
	}
	return cents, nil
}

// renameField puts a problem the service names by one field on the form's
// field of another name.
func renameField(err error, from, to string) error {
	p, ok := problem.As(err)
	if !ok || p.Kind != problem.Invalid || p.Fields[from] == "" {
		return err
	}
	fields := problem.Fields{}
	for k, v := range p.Fields {
		if k == from {
			k = to
		}
		fields[k] = v
	}
	return fields.Err()
}

// mustKeepBooks refuses, before any form is read, someone who does not
// keep the books: what they typed is not looked at.
func (s *Server) mustKeepBooks(r *http.Request) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	if !v.Viewer.Has(workspace.RoleTreasurer) {
		return errWorkspaceForbidden
	}
	return nil
}

// sharesAction runs the forms of the shares page: a class, a
// participation (the treasurer's for anyone by membership number, a
// member's own interest).
func (s *Server) sharesAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	var err error
	var notice string
	switch r.PathValue("action") {
	case "class":
		if err := s.mustKeepBooks(r); err != nil {
			return err
		}
		nominal, amountErr := formCents(r, "nominal")
		minShares, _ := strconv.Atoi(r.PostForm.Get("min_shares"))
		maxShares, _ := strconv.Atoi(r.PostForm.Get("max_shares"))
		// An amount that does not read is sent as 0, which the service
		// refuses too, so that the form names every problem at once.
		_, err = s.workspaces.AddShareClass(ctx, u, ref, workspace.ShareClass{Name: r.PostForm.Get("name"), NominalCents: nominal,
			MinShares: minShares, MaxShares: maxShares})
		err = mergeProblems(amountErr, err)
		notice = "ws_class_added"
	case "participate":
		shares, _ := strconv.Atoi(r.PostForm.Get("shares"))
		n := workspace.NewParticipation{ClassID: formInt(r, "class"), Shares: shares, Status: workspace.Status(r.PostForm.Get("status"))}
		if number := formInt(r, "number"); number != 0 {
			var m workspace.Member
			if err = s.mustKeepBooks(r); err != nil {
				return err
			}
			if m, err = s.workspaces.MemberByNumber(ctx, u, ref, number); err == nil {
				n.MemberID = m.ID
			}
		} else {
			var self workspace.Member
			if self, err = s.workspaces.Self(ctx, u, ref); err == nil {
				n.MemberID = self.ID
			}
		}
		if err == nil {
			_, err = s.workspaces.AddParticipation(ctx, u, ref, n)
		}
		notice = "ws_participation_added"
	default:
		return problemNotFound
	}
	if err != nil {
		if problem.Is(err, problem.Invalid) || problem.Is(err, problem.Conflict) {
			return s.renderShares(w, r, statusOf(err), err)
		}
		return err
	}
	redirectNotice(w, r, "/workspaces/"+ref+"/shares", notice)
	return nil
}

type participationPage struct {
	View          workspace.View
	Participation workspace.Participation
	Next          []string // the statuses it may go to
	Entries       []workspace.Entry
}

func (s *Server) workspaceParticipation(w http.ResponseWriter, r *http.Request) error {
	return s.renderParticipation(w, r, http.StatusOK, nil)
}

func (s *Server) renderParticipation(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	id, err := memberID(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	part, err := s.workspaces.Participation(ctx, u, v.Slug, id)
	if err != nil {
		return err
	}
	d := &participationPage{View: v, Participation: part}
	for _, st := range workspace.Statuses {
		if workspace.CanTransition(part.Status, st) {
			d.Next = append(d.Next, string(st))
		}
	}
	entries, _, err := s.workspaces.Ledger(ctx, u, v.Slug, workspace.LedgerFilter{MemberID: part.MemberID, Account: workspace.Capital, Limit: workspace.MaxPage})
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.ParticipationID == part.ID {
			d.Entries = append(d.Entries, e)
		}
	}
	p := s.newPage(r, "workspace.participation.title")
	p.RawTitle = part.MemberName + " · " + part.ClassName
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		p.Form = r.PostForm
	} else {
		p.Form.Set("amount", p.Euros(max(part.ValueCents-part.PaidCents, 0)))
	}
	p.Data = d
	s.renderStatus(w, r, status, "workspace_participation", p)
	return nil
}

// participationAction runs the treasurer's forms on a participation:
// moving it on, booking a payment or repayment, transferring shares.
func (s *Server) participationAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := memberID(r)
	if err != nil {
		return err
	}
	if err := s.mustKeepBooks(r); err != nil {
		return err
	}
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	var notice string
	switch r.PathValue("action") {
	case "status":
		err, notice = s.workspaces.Advance(ctx, u, ref, id, workspace.Status(r.PostForm.Get("status"))), "ws_status_changed"
	case "pay":
		var part workspace.Participation
		if part, err = s.workspaces.Participation(ctx, u, ref, id); err == nil {
			amount, amountErr := formCents(r, "amount")
			kind := workspace.Deposit
			if r.PostForm.Get("kind") == string(workspace.Withdrawal) {
				kind = workspace.Withdrawal
			}
			_, err = s.workspaces.Book(ctx, u, ref, workspace.Booking{MemberID: part.MemberID, ParticipationID: id, Account: workspace.Capital,
				Kind: kind, AmountCents: amount, BookedOn: r.PostForm.Get("booked_on"), Description: r.PostForm.Get("description")})
			err = mergeProblems(amountErr, err)
		}
		notice = "ws_booked"
	case "transfer":
		var to workspace.Member
		if to, err = s.workspaces.MemberByNumber(ctx, u, ref, formInt(r, "number")); err == nil {
			shares, _ := strconv.Atoi(r.PostForm.Get("shares"))
			err = s.workspaces.TransferShares(ctx, u, ref, id, to.ID, shares, r.PostForm.Get("booked_on"))
		}
		notice = "ws_transferred"
	default:
		return problemNotFound
	}
	if err != nil {
		if problem.Is(err, problem.Invalid) || problem.Is(err, problem.Conflict) {
			return s.renderParticipation(w, r, statusOf(err), err)
		}
		return err
	}
	redirectNotice(w, r, "/workspaces/"+ref+"/shares/"+strconv.FormatInt(id, 10), notice)
	return nil
}

type ledgerPage struct {
	View     workspace.View
	Entries  []workspace.Entry
	Balances workspace.Balances
	Next     string
	Account  string
}

func (s *Server) workspaceLedger(w http.ResponseWriter, r *http.Request) error {
	return s.renderLedger(w, r, http.StatusOK, nil)
}

func (s *Server) renderLedger(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	before, err := queryInt(r.URL.Query().Get("before"), "before")
	if err != nil {
		return err
	}
	acct := workspace.Account(r.URL.Query().Get("account"))
	if acct != workspace.Capital && acct != workspace.Fees {
		acct = ""
	}
	entries, next, err := s.workspaces.Ledger(ctx, u, v.Slug, workspace.LedgerFilter{Account: acct, Before: before})
	if err != nil {
		return err
	}
	d := &ledgerPage{View: v, Entries: entries, Account: string(acct)}
	if d.Balances, err = s.workspaces.Balances(ctx, u, v.Slug); err != nil {
		return err
	}
	if next != 0 {
		d.Next = workspaceLink(v.Workspace) + "/ledger?account=" + string(acct) + "&before=" + strconv.FormatInt(next, 10)
	}
	p := s.newPage(r, "workspace.ledger.title")
	p.RawTitle = v.Name
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		p.Form = r.PostForm
	}
	p.Data = d
	s.renderStatus(w, r, status, "workspace_ledger", p)
	return nil
}

// ledgerAction runs the ledger page's forms: a contribution on the fees
// account, and reversing an entry.
func (s *Server) ledgerAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.mustKeepBooks(r); err != nil {
		return err
	}
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	var err error
	var notice string
	switch r.PathValue("action") {
	case "book":
		m, memberErr := s.workspaces.MemberByNumber(ctx, u, ref, formInt(r, "number"))
		if memberErr != nil && !problem.Is(memberErr, problem.Invalid) {
			return memberErr
		}
		amount, amountErr := formCents(r, "amount")
		_, err = s.workspaces.Book(ctx, u, ref, workspace.Booking{MemberID: m.ID, Account: workspace.Fees, Kind: workspace.Deposit,
			AmountCents: amount, BookedOn: r.PostForm.Get("booked_on"), Description: r.PostForm.Get("description")})
		// The form names the member by number, the service by id.
		err = mergeProblems(mergeProblems(memberErr, amountErr), renameField(err, "member", "number"))
		notice = "ws_booked"
	case "reverse":
		err, notice = s.workspaces.Reverse(ctx, u, ref, formInt(r, "entry"), r.PostForm.Get("description")), "ws_reversed"
	default:
		return problemNotFound
	}
	if err != nil {
		if problem.Is(err, problem.Invalid) || problem.Is(err, problem.Conflict) {
			return s.renderLedger(w, r, statusOf(err), err)
		}
		return err
	}
	redirectNotice(w, r, "/workspaces/"+ref+"/ledger", notice)
	return nil
}

type feesPage struct {
	View    workspace.View
	Periods []workspace.FeePeriod
	Period  *workspace.FeePeriod // the period shown, with its fees
	Fees    []workspace.Fee
	Payers  []string
}

func (s *Server) workspaceFees(w http.ResponseWriter, r *http.Request) error {
	return s.renderFees(w, r, http.StatusOK, nil)
}

func (s *Server) renderFees(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	v, err := s.workspaceView(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	d := &feesPage{View: v, Payers: codes(workspace.Circles)}
	if v.Viewer.Has(workspace.RoleTreasurer) {
		if d.Periods, err = s.workspaces.FeePeriods(ctx, u, v.Slug); err != nil {
			return err
		}
		id, _ := strconv.ParseInt(r.URL.Query().Get("period"), 10, 64)
		if id == 0 {
			id = formInt(r, "period")
		}
		for i, p := range d.Periods {
			if p.ID == id || (id == 0 && i == 0) {
				d.Period = &d.Periods[i]
			}
		}
		if d.Period != nil {
			if d.Fees, err = s.workspaces.Fees(ctx, u, v.Slug, d.Period.ID, false); err != nil {
				return err
			}
		}
	} else if d.Fees, err = s.workspaces.Fees(ctx, u, v.Slug, 0, false); err != nil {
		return err
	}
	p := s.newPage(r, "workspace.fees.title")
	p.RawTitle = v.Name
	p.Form.Set("payers", string(workspace.Members))
	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		p.Form = r.PostForm
	}
	p.Data = d
	s.renderStatus(w, r, status, "workspace_fees", p)
	return nil
}

// feesAction runs the fees page's forms: opening a period, booking a fee
// as paid.
func (s *Server) feesAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := s.mustKeepBooks(r); err != nil {
		return err
	}
	ctx, u, ref := r.Context(), userFrom(r.Context()), r.PathValue("ws")
	var err error
	var notice string
	back := "/workspaces/" + ref + "/fees"
	switch r.PathValue("action") {
	case "open":
		amount, amountErr := formCents(r, "amount")
		var period workspace.FeePeriod
		period, err = s.workspaces.OpenFeePeriod(ctx, u, ref, r.PostForm.Get("name"), amount, r.PostForm.Get("due_on"),
			workspace.Circle(r.PostForm.Get("payers")))
		err = mergeProblems(amountErr, err)
		back += "?period=" + strconv.FormatInt(period.ID, 10)
		notice = "ws_period_opened"
	case "pay":
		err, notice = s.workspaces.PayFee(ctx, u, ref, formInt(r, "fee"), r.PostForm.Get("booked_on")), "ws_fee_paid"
		back += "?period=" + strconv.FormatInt(formInt(r, "period"), 10)
	default:
		return problemNotFound
	}
	if err != nil {
		if problem.Is(err, problem.Invalid) || problem.Is(err, problem.Conflict) {
			return s.renderFees(w, r, statusOf(err), err)
		}
		return err
	}
	redirectNotice(w, r, back, notice)
	return nil
}
