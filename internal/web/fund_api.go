package web

import (
	"bufio"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"samen/internal/fund"
	"samen/internal/ledger"
	"samen/internal/problem"
)

// Funding's API: the public ledger (JSON and CSV) and campaigns. Money is
// whole cents everywhere, never a decimal.

func campaignLink(id int64) string { return "/campaigns/" + strconv.FormatInt(id, 10) }

type apiLedgerEntry struct {
	Account string `json:"account"`
	Cents   int64  `json:"cents"`
}

type apiTransaction struct {
	ID          int64            `json:"id"`
	Date        string           `json:"date"`
	Kind        string           `json:"kind"`
	Description string           `json:"description"`
	Reverses    *int64           `json:"reverses"`
	ReversedBy  *int64           `json:"reversed_by"`
	Entries     []apiLedgerEntry `json:"entries"`
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// ledgerFilter reads the ledger's filters from the query: account (a code),
// prefix (of codes, such as "campaign:12" or "pool:3:"), kind, from and to
// (YYYY-MM-DD), and for JSON cursor and limit.
func ledgerFilter(r *http.Request) (ledger.Filter, error) {
	q := r.URL.Query()
	f := ledger.Filter{Account: q.Get("account"), Prefix: q.Get("prefix"), Kind: q.Get("kind"), From: q.Get("from"), To: q.Get("to")}
	fields := problem.Fields{}
	if f.Account != "" && !ledger.ValidCode(f.Account) {
		fields.Add("account", "ledger.account")
	}
	if !validPrefix(f.Prefix) {
		fields.Add("prefix", "ledger.account")
	}
	for _, d := range []struct{ field, v string }{{"from", f.From}, {"to", f.To}} {
		if d.v == "" {
			continue
		}
		if t, err := time.Parse(time.DateOnly, d.v); err != nil || t.Format(time.DateOnly) != d.v {
			fields.Add(d.field, "date.invalid")
		}
	}
	before, err := queryInt(q.Get("cursor"), "cursor")
	if err != nil {
		return f, err
	}
	limit, err := queryLimit(q.Get("limit"))
	if err != nil {
		return f, err
	}
	f.Before, f.Limit = before, limit
	return f, fields.Err()
}

// validPrefix: the start of an account's code, such as "pool:3:".
func validPrefix(p string) bool {
	return len(p) <= 100 && strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789_-:") == ""
}

// apiCityLedger: GET /api/v1/ledger, the transactions newest first, with a
// cursor.
func (s *Server) apiCityLedger(w http.ResponseWriter, r *http.Request) error {
	f, err := ledgerFilter(r)
	if err != nil {
		return err
	}
	list, next, err := s.funding.Ledger(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]apiTransaction, 0, len(list))
	for _, t := range list {
		a := apiTransaction{ID: t.ID, Date: t.BookedOn, Kind: t.Kind, Description: t.Description, Reverses: optID(t.Reverses),
			ReversedBy: optID(t.ReversedBy), Entries: make([]apiLedgerEntry, len(t.Entries))}
		for i, e := range t.Entries {
			a.Entries[i] = apiLedgerEntry{Account: e.Account, Cents: e.Cents}
		}
		out = append(out, a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"transactions": out, "next_cursor": optID(next)})
	return nil
}

// ledgerCSV: GET /api/v1/ledger.csv and /ledger.csv, every entry the
// filters select, oldest first: a row per entry, each transaction's rows
// summing to zero.
func (s *Server) ledgerCSV(w http.ResponseWriter, r *http.Request) error {
	f, err := ledgerFilter(r)
	if err != nil {
		return err
	}
	// Streamed: the whole city's ledger need not fit in memory. Problems
	// past the first row can only end the file early, so the query's
	// filters are checked above.
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="ledger.csv"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriterSize(w, 32<<10)
	cw, err := ledger.NewCSVWriter(bw)
	if err != nil {
		return err
	}
	if err := s.funding.LedgerLines(r.Context(), f, cw.Write); err != nil {
		s.log.Warn("ledger.csv", "err", err)
		return nil
	}
	if err := cw.Flush(); err != nil {
		return nil
	}
	_ = bw.Flush()
	return nil
}

type apiAccount struct {
	Code    string `json:"code"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Cents   int64  `json:"cents"` // what it holds, as a person reads it
	Balance int64  `json:"balance_cents"`
	Entries int64  `json:"entries"`
}

// apiAccounts: GET /api/v1/ledger/accounts, the accounts with what each
// holds.
func (s *Server) apiAccounts(w http.ResponseWriter, r *http.Request) error {
	prefix := r.URL.Query().Get("prefix")
	if !validPrefix(prefix) {
		return problem.Fields{"prefix": "ledger.account"}.Err()
	}
	list, err := s.funding.Accounts(r.Context(), prefix)
	if err != nil {
		return err
	}
	out := make([]apiAccount, 0, len(list))
	for _, a := range list {
		out = append(out, apiAccount{Code: a.Code, Kind: string(a.Kind), Name: a.Name, Cents: a.Held(), Balance: a.Balance, Entries: a.Entries})
	}
	writeJSON(w, http.StatusOK, map[string]any{"accounts": out})
	return nil
}

type apiCampaignSummary struct {
	ID          int64     `json:"id"`
	Href        string    `json:"href"`
	WorkspaceID int64     `json:"workspace_id"`
	Title       string    `json:"title"`
	Summary     string    `json:"summary"`
	State       string    `json:"state"`
	MinCents    int64     `json:"min_cents"`
	GoalCents   int64     `json:"goal_cents"`
	RaisedCents int64     `json:"raised_cents"`
	Deadline    time.Time `json:"deadline"`
}

func (s *Server) apiCampaigns(w http.ResponseWriter, r *http.Request) error {
	list, err := s.funding.Campaigns(r.Context(), userFrom(r.Context()), 0)
	if err != nil {
		return err
	}
	out := make([]apiCampaignSummary, 0, len(list))
	for _, c := range list {
		out = append(out, apiCampaignSummary{ID: c.ID, Href: s.opts.BaseURL + campaignLink(c.ID), WorkspaceID: c.WorkspaceID, Title: c.Title,
			Summary: c.Summary, State: string(c.State), MinCents: c.MinCents, GoalCents: c.GoalCents, RaisedCents: c.Raised, Deadline: c.Deadline.UTC()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"campaigns": out})
	return nil
}

type apiCampaign struct {
	apiCampaignSummary
	Body         string          `json:"body"`
	Language     string          `json:"language"`
	District     string          `json:"district"`
	Sector       string          `json:"sector"`
	Workspace    string          `json:"workspace"`
	AllOrNothing bool            `json:"all_or_nothing"`
	GivenCents   int64           `json:"given_cents"`
	MatchedCents int64           `json:"matched_cents"`
	OpenCents    int64           `json:"open_cents"`
	FeeCents     int64           `json:"fee_cents"` // what payment providers kept, borne by the campaign
	Backers      int             `json:"backers"`
	Account      string          `json:"account"` // its account in the ledger
	Lines        []apiLine       `json:"budget_lines"`
	Rewards      []apiReward     `json:"rewards"`
	Pools        []apiPoolMatch  `json:"pools"`
	Gifts        []apiPublicGift `json:"contributions"`
	Updates      []apiUpdate     `json:"updates"`
}

// apiUpdate is an update to a campaign's backers; how many it was mailed
// to is for its treasurers, not in the public answer.
type apiUpdate struct {
	ID         int64     `json:"id"`
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
	Recipients *int      `json:"recipients,omitempty"`
}

func apiUpdateOf(up fund.Update, manage bool) apiUpdate {
	out := apiUpdate{ID: up.ID, Title: up.Title, Body: up.Body, CreatedAt: up.CreatedAt.UTC()}
	if manage {
		out.Recipients = &up.Recipients
	}
	return out
}

type apiLine struct {
	ID    int64  `json:"id"`
	Label string `json:"label"`
	Cents int64  `json:"cents"`
}

type apiReward struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	MinCents    int64  `json:"min_cents"`
	Available   *int   `json:"available"`
	Taken       int    `json:"taken"`
}

type apiPoolMatch struct {
	PoolID int64  `json:"pool_id"`
	Name   string `json:"name"`
	Cents  int64  `json:"cents"`
}

type apiPublicGift struct {
	Name         *string   `json:"name"` // null: anonymous
	Cents        int64     `json:"cents"`
	MatchedCents int64     `json:"matched_cents"`
	Message      string    `json:"message"`
	At           time.Time `json:"at"`
}

func (s *Server) apiCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.writeCampaign(w, r, id, http.StatusOK)
}

// writeCampaign answers with campaign id as the caller sees it.
func (s *Server) writeCampaign(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	v, err := s.funding.CampaignPage(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := apiCampaign{apiCampaignSummary: apiCampaignSummary{ID: v.ID, Href: s.opts.BaseURL + campaignLink(v.ID), WorkspaceID: v.WorkspaceID,
		Title: v.Title, Summary: v.Summary, State: string(v.State), MinCents: v.MinCents, GoalCents: v.GoalCents, RaisedCents: v.Raised,
		Deadline: v.Deadline.UTC()}, Body: v.Body, Language: v.Language, District: v.District, Sector: v.Sector, Workspace: v.Workspace,
		AllOrNothing: v.AllOrNothing, GivenCents: v.Given, MatchedCents: v.Matched, OpenCents: v.Open, FeeCents: v.Fees, Backers: v.Backers,
		Account: ledger.Code("campaign", v.ID), Lines: []apiLine{}, Rewards: []apiReward{}, Pools: []apiPoolMatch{}, Gifts: []apiPublicGift{}, Updates: []apiUpdate{}}
	for _, up := range v.Updates {
		out.Updates = append(out.Updates, apiUpdateOf(up, v.Rights.Manage))
	}
	for _, l := range v.Lines {
		out.Lines = append(out.Lines, apiLine{ID: l.ID, Label: l.Label, Cents: l.Cents})
	}
	for _, rw := range v.Rewards {
		a := apiReward{ID: rw.ID, Title: rw.Title, Description: rw.Description, MinCents: rw.MinCents, Taken: rw.Taken}
		if rw.Available > 0 {
			a.Available = &rw.Available
		}
		out.Rewards = append(out.Rewards, a)
	}
	for _, p := range v.Pools {
		out.Pools = append(out.Pools, apiPoolMatch{PoolID: p.PoolID, Name: p.Name, Cents: p.Cents})
	}
	for _, g := range v.Gifts {
		out.Gifts = append(out.Gifts, apiPublicGift{Name: apiText(g.Name), Cents: g.Cents, MatchedCents: g.Matched, Message: g.Message, At: g.At.UTC()})
	}
	writeJSON(w, status, out)
	return nil
}

// apiGiftBody is a contribution as the API takes it.
type apiGiftBody struct {
	Cents     int64  `json:"cents"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	Anonymous bool   `json:"anonymous"`
	Message   string `json:"message"`
	RewardID  int64  `json:"reward_id"`
	Method    string `json:"method"`
	Language  string `json:"language"`
}

type apiBankAccount struct {
	IBAN string `json:"iban"`
	Name string `json:"name"`
}

// apiContribution is a contribution as its giver sees it.
type apiContribution struct {
	ID          int64           `json:"id"`
	CampaignID  int64           `json:"campaign_id"`
	Cents       int64           `json:"cents"`
	Method      string          `json:"method"`
	Status      string          `json:"status"`
	Reference   *string         `json:"reference"`    // a bank transfer's
	Bank        *apiBankAccount `json:"bank"`         // where to transfer to
	CheckoutURL *string         `json:"checkout_url"` // where to pay, at Mollie
	ReceiptURL  string          `json:"receipt_url"`  // the giver's page; its address is the secret
}

// apiGive: POST /api/v1/campaigns/{id}/contributions. Like the give form,
// it needs no account (a token, if sent, gives as that account).
func (s *Server) apiGive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in apiGiftBody
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	lang := in.Language
	if lang == "" {
		lang = langFrom(r.Context())
	}
	g := fund.Gift{Cents: in.Cents, Email: in.Email, Name: in.Name, Anonymous: in.Anonymous, Message: in.Message, RewardID: in.RewardID,
		Method: fund.Method(in.Method), Language: lang, Return: func(c fund.Contribution) (string, string) {
			return s.opts.BaseURL + receiptLink(c), s.opts.BaseURL + "/payments/mollie"
		}}
	c, err := s.funding.Contribute(r.Context(), userFrom(r.Context()), id, g)
	if pe, ok := problem.As(err); ok && pe.Fields != nil {
		// The form's names for the body's members.
		for form, body := range map[string]string{"amount": "cents", "reward": "reward_id"} {
			if code, ok := pe.Fields[form]; ok {
				delete(pe.Fields, form)
				pe.Fields[body] = code
			}
		}
	}
	if err != nil {
		return err
	}
	out := apiContribution{ID: c.ID, CampaignID: c.CampaignID, Cents: c.Cents, Method: string(c.Method), Status: string(c.Status),
		CheckoutURL: apiText(c.CheckoutURL), ReceiptURL: s.opts.BaseURL + receiptLink(c)}
	if c.Method == fund.Bank {
		out.Reference = apiText(c.Ref)
		b := s.funding.Bank
		out.Bank = &apiBankAccount{IBAN: b.IBAN, Name: b.Name}
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// apiCampaignBody is a campaign as its treasurers send it.
type apiCampaignBody struct {
	Title        string      `json:"title"`
	Summary      string      `json:"summary"`
	Body         string      `json:"body"`
	Language     string      `json:"language"`
	District     string      `json:"district"`
	Sector       string      `json:"sector"`
	MinCents     int64       `json:"min_cents"`
	GoalCents    int64       `json:"goal_cents"`
	Deadline     time.Time   `json:"deadline"`
	AllOrNothing bool        `json:"all_or_nothing"`
	Lines        []apiLine   `json:"budget_lines"`
	Rewards      []apiReward `json:"rewards"`
}

func (in apiCampaignBody) draft() fund.DraftCampaign {
	d := fund.DraftCampaign{Title: in.Title, Summary: in.Summary, Body: in.Body, Language: in.Language, District: in.District, Sector: in.Sector,
		MinCents: in.MinCents, GoalCents: in.GoalCents, Deadline: in.Deadline, AllOrNothing: in.AllOrNothing}
	for _, l := range in.Lines {
		d.Lines = append(d.Lines, fund.Line{ID: l.ID, Label: l.Label, Cents: l.Cents})
	}
	for _, r := range in.Rewards {
		rw := fund.Reward{ID: r.ID, Title: r.Title, Description: r.Description, MinCents: r.MinCents}
		if r.Available != nil {
			rw.Available = *r.Available
		}
		d.Rewards = append(d.Rewards, rw)
	}
	return d
}

// apiCreateCampaign: POST /api/v1/workspaces/{ws}/campaigns, a draft, by
// the workspace's treasurers.
func (s *Server) apiCreateCampaign(w http.ResponseWriter, r *http.Request) error {
	var in apiCampaignBody
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.funding.CreateCampaign(r.Context(), userFrom(r.Context()), r.PathValue("ws"), in.draft())
	if err != nil {
		return err
	}
	w.Header().Set("Location", s.opts.BaseURL+"/api/v1"+campaignLink(c.ID))
	return s.writeCampaign(w, r, c.ID, http.StatusCreated)
}

// apiUpdateCampaign: PUT /api/v1/campaigns/{id}, the whole campaign anew
// (once running, its goals, deadline and rule stay as they were).
func (s *Server) apiUpdateCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in apiCampaignBody
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if _, err := s.funding.UpdateCampaign(r.Context(), userFrom(r.Context()), id, in.draft()); err != nil {
		return err
	}
	return s.writeCampaign(w, r, id, http.StatusOK)
}

// apiLaunchCampaign: POST /api/v1/campaigns/{id}/launch opens a draft to
// contributions.
func (s *Server) apiLaunchCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.funding.Launch(r.Context(), userFrom(r.Context()), id); err != nil {
		return err
	}
	return s.writeCampaign(w, r, id, http.StatusOK)
}

// apiPostUpdate: POST /api/v1/campaigns/{id}/updates, an update to the
// campaign's backers, mailed to each of them; its treasurers.
func (s *Server) apiPostUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	up, err := s.funding.PostUpdate(r.Context(), userFrom(r.Context()), id, in.Title, in.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apiUpdateOf(up, true))
	return nil
}

type apiReportRow struct {
	Month         string `json:"month"`
	District      string `json:"district"`
	Sector        string `json:"sector"`
	Contributions int    `json:"contributions"`
	GivenCents    int64  `json:"given_cents"`
	MatchedCents  int64  `json:"matched_cents"`
	GrantedCents  int64  `json:"granted_cents"`
	PaidOutCents  int64  `json:"paid_out_cents"`
}

// apiFundingReport: GET /api/v1/funding/report, and .csv: per month,
// district and sector, what was given, matched, granted and paid out;
// and per month what funders deposited. For the municipality, public.
func (s *Server) apiFundingReport(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.funding.FundingReport(r.Context())
	if err != nil {
		return err
	}
	if strings.HasSuffix(r.URL.Path, ".csv") {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="funding-report.csv"`)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"month", "district", "sector", "contributions", "given_cents", "matched_cents", "granted_cents", "paid_out_cents"})
		for _, row := range rep.Rows {
			_ = cw.Write([]string{row.Month, row.District, row.Sector, strconv.Itoa(row.Contributions), strconv.FormatInt(row.GivenCents, 10),
				strconv.FormatInt(row.MatchedCents, 10), strconv.FormatInt(row.GrantedCents, 10), strconv.FormatInt(row.PaidOutCents, 10)})
		}
		cw.Flush()
		return nil
	}
	out := make([]apiReportRow, 0, len(rep.Rows))
	for _, row := range rep.Rows {
		out = append(out, apiReportRow(row))
	}
	writeJSON(w, http.StatusOK, map[string]any{"rows": out, "deposits": rep.Deposits})
	return nil
}
