package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"samen/internal/fund"
	"samen/internal/ledger"
	"samen/internal/mollie"
	"samen/internal/problem"
	"samen/internal/workspace"
)

// Funding together: the campaigns, a campaign's page with its give form,
// the giver's receipt, Mollie's webhook, and the public ledger. Who may
// do what is the fund service's; these pages show what it allows.

// fundFuncs are the template functions of the funding pages.
var fundFuncs = template.FuncMap{
	// credit is a credit entry's amount, shown as a positive sum in its
	// column.
	"credit": func(cents int64) int64 { return -cents },
	// left is how many of a reward remain.
	"left": func(available, taken int) int { return max(available-taken, 0) },
}

// withItem is the page with one thing for a partial that needs both (a
// list of campaigns, and the page's words).
type withItem struct {
	*page
	Item any
}

// With hands item to a partial along with the page.
func (p *page) With(item any) withItem { return withItem{page: p, Item: item} }

// The list of campaigns.

type campaignsPage struct {
	Running, Ended []fund.CampaignSummary
}

func (s *Server) campaignsIndex(w http.ResponseWriter, r *http.Request) error {
	list, err := s.funding.Campaigns(r.Context(), userFrom(r.Context()), 0)
	if err != nil {
		return err
	}
	d := &campaignsPage{}
	for _, c := range list {
		switch c.State {
		case fund.Running:
			d.Running = append(d.Running, c)
		case fund.Succeeded, fund.Failed:
			d.Ended = append(d.Ended, c)
		}
	}
	p := s.newPage(r, "fund.campaigns.title")
	p.Data = d
	s.render(w, r, "campaigns", p)
	return nil
}

// The page of a campaign.

type campaignPage struct {
	fund.CampaignView
	Methods []fund.Method
	// Percent of the minimum and of the goal reached, for the meters
	// (capped at 100).
	MinPercent, GoalPercent int
	LedgerLink              string
	// ManageFailed: the problems shown are of the treasurers' forms
	// (launching, an update), not of the give form.
	ManageFailed bool
}

func percent(part, whole int64) int {
	if whole <= 0 {
		return 0
	}
	return int(min(part*100/whole, 100))
}

func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.campaignView(r)
	if err != nil {
		return err
	}
	s.render(w, r, "campaign", p)
	return nil
}

// campaignView builds the campaign's page; after a refused gift, the form
// is filled in from what was sent.
func (s *Server) campaignView(r *http.Request) (*page, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	v, err := s.funding.CampaignPage(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return nil, err
	}
	p := s.newPage(r, "fund.campaign.title")
	p.RawTitle = v.Title
	p.Data = &campaignPage{CampaignView: v, Methods: s.funding.Methods(), MinPercent: percent(v.Raised, v.MinCents),
		GoalPercent: percent(v.Raised, v.GoalCents), LedgerLink: "/ledger?account=" + url.QueryEscape(ledger.Code("campaign", v.ID))}
	return p, nil
}

// give: POST /campaigns/{id}/give. A gift needs no account. It leads to
// the receipt, which for a payment at Mollie links on to the checkout.
func (s *Server) give(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	g := fund.Gift{Email: strings.TrimSpace(f.Get("email")), Name: f.Get("name"), Anonymous: f.Get("anonymous") == "1",
		Message: f.Get("message"), Method: fund.Method(f.Get("method")), Language: langFrom(r.Context())}
	// An amount that cannot be read goes to the service as 0, so that
	// every other field is checked too; its own reason replaces the
	// service's then.
	cents, amountCode := workspace.ParseCents(f.Get("amount"))
	if amountCode == "" {
		g.Cents = cents
	}
	badReward := false
	if rw := f.Get("reward"); rw != "" {
		if g.RewardID, err = strconv.ParseInt(rw, 10, 64); err != nil {
			badReward, g.RewardID = true, -1
		}
	}
	g.Return = func(c fund.Contribution) (string, string) {
		return s.opts.BaseURL + receiptLink(c), s.opts.BaseURL + "/payments/mollie"
	}
	c, err := s.funding.Contribute(r.Context(), userFrom(r.Context()), id, g)
	if pe, ok := problem.As(err); ok && pe.Fields != nil {
		if amountCode != "" {
			pe.Fields["amount"] = amountCode
		}
		if badReward {
			pe.Fields["reward"] = "choice.unknown"
		}
	}
	if err != nil {
		// Shown on the campaign's page, with what was typed: per field,
		// or above the form (the campaign closed meanwhile, the provider
		// did not answer). A campaign that cannot be seen is not found.
		if problem.Is(err, problem.NotFound) {
			return err
		}
		status := http.StatusUnprocessableEntity
		if pe, ok := problem.As(err); ok && pe.Kind == problem.Conflict {
			status = http.StatusConflict
		} else if ok && pe.Kind == problem.Unavailable {
			status = http.StatusServiceUnavailable
		}
		return s.campaignAgain(w, r, status, err, false)
	}
	// Always to the receipt, on this site: it links on to the provider's
	// checkout while the payment is open. A redirect from the form
	// straight to another site would be blocked by the pages' CSP
	// (form-action 'self' holds for a form's redirects too), and the
	// receipt is where the giver comes back to anyway.
	http.Redirect(w, r, receiptLink(c), http.StatusSeeOther)
	return nil
}

// campaignAgain shows the campaign's page again after one of its forms
// failed, with the problems and what was typed; manage says the form was
// the treasurers' (launching, an update), whose problems show there.
func (s *Server) campaignAgain(w http.ResponseWriter, r *http.Request, status int, formErr error, manage bool) error {
	p, err := s.campaignView(r)
	if err != nil {
		return err
	}
	if err := s.formProblems(p, formErr); err != nil {
		return err
	}
	p.Form = r.PostForm
	p.Data.(*campaignPage).ManageFailed = manage
	s.renderStatus(w, r, status, "campaign", p)
	return nil
}

func receiptLink(c fund.Contribution) string {
	return "/contributions/" + strconv.FormatInt(c.ID, 10) + "?t=" + url.QueryEscape(c.Token)
}

// receipt: GET /contributions/{id}?t=TOKEN, the giver's page of their
// gift: where it stands, and for a bank transfer where to send it.
func (s *Server) receipt(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rc, err := s.funding.ReceiptOf(r.Context(), id, r.URL.Query().Get("t"))
	if err != nil {
		return err
	}
	p := s.newPage(r, "fund.receipt.title")
	p.Data = &rc
	// The address holds the secret: not for caches or other sites.
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, "receipt", p)
	return nil
}

// mollieWebhook: POST /payments/mollie. Mollie sends only a payment's id;
// samen asks Mollie where the payment stands before it books anything.
// Mollie retries while it does not get 200, so an id samen does not know
// is answered 200 too (there is nothing to retry for).
func (s *Server) mollieWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := mollie.ParseWebhook(r)
	if err != nil {
		http.Error(w, "not a Mollie webhook", http.StatusBadRequest)
		return nil
	}
	if err := s.funding.Sync(r.Context(), fund.Mollie, id); err != nil && !problem.Is(err, problem.NotFound) {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// The public ledger.

type cityLedgerPage struct {
	Transactions []ledger.Transaction
	Accounts     map[string]ledger.Account
	Account      string // the filter
	Next         string
	CSV          string
}

func (s *Server) cityLedger(w http.ResponseWriter, r *http.Request) error {
	f, err := ledgerFilter(r)
	if err != nil {
		return err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	list, next, err := s.funding.Ledger(r.Context(), f)
	if err != nil {
		return err
	}
	accounts, err := s.funding.Accounts(r.Context(), "")
	if err != nil {
		return err
	}
	d := &cityLedgerPage{Transactions: list, Accounts: map[string]ledger.Account{}, Account: f.Account, CSV: "/ledger.csv"}
	for _, a := range accounts {
		d.Accounts[a.Code] = a
	}
	// The filter goes with the next page and the CSV: a pool's ledger
	// (by prefix) pages through the pool's transactions, not the city's.
	q := url.Values{}
	for _, kv := range [][2]string{{"account", f.Account}, {"prefix", f.Prefix}, {"kind", f.Kind}, {"from", f.From}, {"to", f.To}} {
		if kv[1] != "" {
			q.Set(kv[0], kv[1])
		}
	}
	if len(q) > 0 {
		d.CSV += "?" + q.Encode()
	}
	if next != 0 {
		q.Set("cursor", strconv.FormatInt(next, 10))
		d.Next = "/ledger?" + q.Encode()
	}
	p := s.newPage(r, "fund.ledger.title")
	p.Data = d
	s.render(w, r, "ledger", p)
	return nil
}

// AccountName is how the ledger page names an account: its own name, or
// what kind of account it is.
func (p *page) AccountName(accounts map[string]ledger.Account, code string) string {
	if a, ok := accounts[code]; ok && a.Name != "" {
		return a.Name
	}
	kind, _, _ := strings.Cut(code, ":")
	return p.T("fund.account." + kind)
}
