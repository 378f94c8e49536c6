package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"samen/internal/decide"
	"samen/internal/problem"
	"samen/internal/tally"
	"samen/internal/workspace"
)

// Decisions in the JSON API, with the same rules as the pages: the decide
// service says what each caller may see and do; these handlers only turn
// its values into JSON and back. Times are RFC 3339 instants; a request
// may also give a local time in Amsterdam as a form does
// ("2026-12-10T19:00"). Options are named by their ids, never by their
// place, so that a ballot, a result and a download agree. The budgets'
// API is in decide_api_budget.go, the downloads in decide_api_files.go.

// apiDecisionSummary is a decision in a list.
type apiDecisionSummary struct {
	ID          int64      `json:"id"`
	Href        string     `json:"href"`
	WorkspaceID *int64     `json:"workspace_id"`
	District    string     `json:"district"`
	Title       string     `json:"title"`
	Method      string     `json:"method"`
	State       string     `json:"state"`
	Secrecy     string     `json:"secrecy"`
	OpensAt     *time.Time `json:"opens_at"`
	ClosesAt    *time.Time `json:"closes_at"`
	ReviewOn    *string    `json:"review_on"`
	Cast        int        `json:"cast"`
	Electorate  int        `json:"electorate"`
}

// apiDecision is a decision as its page shows it to the caller.
type apiDecision struct {
	ID         int64              `json:"id"`
	Href       string             `json:"href"`
	Workspace  *apiWorkspaceRef   `json:"workspace"`
	District   string             `json:"district"`
	Title      string             `json:"title"`
	Body       string             `json:"body"`
	Language   string             `json:"language"`
	Method     string             `json:"method"`
	Params     apiParams          `json:"params"`
	Visibility string             `json:"visibility"`
	Circles    []string           `json:"circles"`
	Secrecy    string             `json:"secrecy"`
	State      string             `json:"state"`
	OpensAt    *time.Time         `json:"opens_at"`
	ClosesAt   *time.Time         `json:"closes_at"`
	ClosedAt   *time.Time         `json:"closed_at"`
	CreatedAt  time.Time          `json:"created_at"`
	UpdatedAt  time.Time          `json:"updated_at"`
	Electorate int                `json:"electorate"`
	Outcome    string             `json:"outcome"`
	ReviewOn   *string            `json:"review_on"`
	AuthorName *string            `json:"author_name"`
	Options    []apiOption        `json:"options"`
	Rights     apiDecisionRights  `json:"rights"`
	Voted      bool               `json:"voted"`
	Ballot     *decide.Ballot     `json:"ballot"`
	Cast       int                `json:"cast"`
	Voters     []apiVoter         `json:"voters"`
	ShownFrom  int                `json:"voters_shown_from"`
	Hidden     bool               `json:"results_hidden"`
	Result     *apiDecisionResult `json:"result"`
	Comments   []apiComment       `json:"comments"`
	Amendments []apiAmendment     `json:"amendments"`
}

type apiWorkspaceRef struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	Href string `json:"href"`
}

// apiParams are a method's settings; a method ignores the others.
type apiParams struct {
	Quorum     int    `json:"quorum"`
	Threshold  string `json:"threshold"`
	Seats      int    `json:"seats"`
	Dots       int    `json:"dots"`
	MaxChoices int    `json:"max_choices"`
}

type apiOption struct {
	ID          int64      `json:"id"`
	Position    int        `json:"position"`
	Label       string     `json:"label"`
	Description string     `json:"description"`
	StartsAt    *time.Time `json:"starts_at"`
	EndsAt      *time.Time `json:"ends_at"`
}

type apiDecisionRights struct {
	See     bool `json:"see"`
	Comment bool `json:"comment"`
	Vote    bool `json:"vote"`
	Manage  bool `json:"manage"`
}

type apiVoter struct {
	Name    *string        `json:"name"`
	VotedAt *time.Time     `json:"voted_at"`
	Ballot  *decide.Ballot `json:"ballot"`
}

type apiComment struct {
	ID         int64        `json:"id"`
	ParentID   *int64       `json:"parent_id"`
	AuthorName *string      `json:"author_name"`
	Body       string       `json:"body"`
	Erased     bool         `json:"erased"`
	CreatedAt  time.Time    `json:"created_at"`
	Replies    []apiComment `json:"replies"`
}

type apiAmendment struct {
	ID         int64      `json:"id"`
	AuthorName *string    `json:"author_name"`
	Body       string     `json:"body"`
	Note       string     `json:"note"`
	State      string     `json:"state"`
	CreatedAt  time.Time  `json:"created_at"`
	DecidedAt  *time.Time `json:"decided_at"`
}

// apiDecisionResult is a count with the options by id: the results
// endpoint's JSON, and the result inside a decision.
type apiDecisionResult struct {
	DecisionID int64               `json:"decision_id"`
	Method     string              `json:"method"`
	State      string              `json:"state"`
	Final      bool                `json:"final"`
	Ballots    int                 `json:"ballots"`
	Electorate int                 `json:"electorate"`
	Options    []apiResultOption   `json:"options"`
	Winners    []int64             `json:"winners"`
	Ranking    []int64             `json:"ranking"`
	Motion     *tally.MotionResult `json:"motion"`
	Steps      []apiStep           `json:"steps"`
}

// apiResultOption is an option of a count, in the lot order (position),
// which breaks the ties the method leaves.
type apiResultOption struct {
	ID       int64  `json:"id"`
	Position int    `json:"position"`
	Label    string `json:"label"`
}

// apiStep is one event of a count (internal/tally's Step) with the option
// named by its id. Values are votes, scores or dots, never money.
type apiStep struct {
	Round  int     `json:"round"`
	Kind   string  `json:"kind"`
	Option *int64  `json:"option"`
	Value  float64 `json:"value"`
	Detail float64 `json:"detail"`
	Tied   []int64 `json:"tied"`
	Rule   string  `json:"rule"`
}

// apiTime is an instant for the API: UTC, null when not set.
func apiTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func apiText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) toAPIDecisionSummary(d decide.Summary) apiDecisionSummary {
	out := apiDecisionSummary{ID: d.ID, Href: s.opts.BaseURL + decisionLink(d.ID), District: d.District, Title: d.Title,
		Method: string(d.Method), State: string(d.State), Secrecy: string(d.Secrecy), OpensAt: apiTime(d.OpensAt),
		ClosesAt: apiTime(d.ClosesAt), ReviewOn: apiText(d.ReviewOn), Cast: d.Cast, Electorate: d.Electorate}
	if d.WorkspaceID != 0 {
		id := d.WorkspaceID
		out.WorkspaceID = &id
	}
	return out
}

func (s *Server) toAPIDecision(v decide.View) apiDecision {
	d := v.Decision
	out := apiDecision{ID: d.ID, Href: s.opts.BaseURL + decisionLink(d.ID), District: d.District, Title: d.Title, Body: d.Body,
		Language: d.Language, Method: string(d.Method), Visibility: string(d.Visibility), Circles: codes(d.Circles),
		Secrecy: string(d.Secrecy), State: string(d.State), OpensAt: apiTime(d.OpensAt), ClosesAt: apiTime(d.ClosesAt),
		ClosedAt: apiTime(d.ClosedAt), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Electorate: d.Electorate,
		Outcome: d.Outcome, ReviewOn: apiText(d.ReviewOn), AuthorName: apiText(v.AuthorName),
		Params: apiParams{Quorum: d.Params.Quorum, Threshold: d.Params.Threshold, Seats: d.Params.Seats, Dots: d.Params.Dots,
			MaxChoices: d.Params.MaxChoices},
		Options: []apiOption{}, Comments: []apiComment{}, Amendments: []apiAmendment{},
		Rights: apiDecisionRights{See: v.Rights.See, Comment: v.Rights.Comment, Vote: v.Rights.Vote, Manage: v.Rights.Manage},
		Voted:  v.Voted, Ballot: v.Mine, Cast: v.Cast, ShownFrom: v.VotersShownFrom, Hidden: v.ResultsHidden}
	if v.Workspace.ID != 0 {
		out.Workspace = &apiWorkspaceRef{ID: v.Workspace.ID, Slug: v.Workspace.Slug, Name: v.Workspace.Name,
			Href: s.opts.BaseURL + workspaceLink(v.Workspace)}
	}
	if out.Circles == nil {
		out.Circles = []string{}
	}
	for _, o := range d.Options {
		out.Options = append(out.Options, apiOption{ID: o.ID, Position: o.Position, Label: o.Label, Description: o.Description,
			StartsAt: apiTime(o.StartsAt), EndsAt: apiTime(o.EndsAt)})
	}
	if votersShown(v) {
		out.Voters = []apiVoter{}
		for _, vt := range v.Voters {
			out.Voters = append(out.Voters, apiVoter{Name: apiText(vt.Name), VotedAt: apiTime(vt.VotedAt), Ballot: vt.Ballot})
		}
	}
	for _, c := range v.Comments {
		out.Comments = append(out.Comments, toAPIComment(c))
	}
	for _, a := range v.Amendments {
		out.Amendments = append(out.Amendments, apiAmendment{ID: a.ID, AuthorName: apiText(a.AuthorName), Body: a.Body, Note: a.Note,
			State: a.State, CreatedAt: a.CreatedAt.UTC(), DecidedAt: apiTime(a.DecidedAt)})
	}
	if v.Result != nil {
		res := toAPIResult(d, *v.Result)
		out.Result = &res
	}
	return out
}

// votersShown says whether the view lists who voted: on an open vote
// always once voting started, on a secret one from VotersShownFrom on.
func votersShown(v decide.View) bool {
	if v.State != decide.Voting && v.State != decide.Closed {
		return false
	}
	return !v.Secrecy.Secret() || v.Cast >= v.VotersShownFrom
}

func toAPIComment(c decide.Comment) apiComment {
	out := apiComment{ID: c.ID, AuthorName: apiText(c.AuthorName), Body: c.Body, Erased: c.Erased, CreatedAt: c.CreatedAt.UTC(),
		Replies: []apiComment{}}
	if c.ParentID != 0 {
		p := c.ParentID
		out.ParentID = &p
	}
	for _, r := range c.Replies {
		out.Replies = append(out.Replies, toAPIComment(*r))
	}
	return out
}

// toAPIResult is a count with its options' indices turned into ids.
func toAPIResult(d decide.Decision, r decide.Result) apiDecisionResult {
	out := apiDecisionResult{DecisionID: d.ID, Method: string(r.Method), State: string(d.State), Final: d.State == decide.Closed,
		Ballots: r.Ballots, Electorate: r.Electorate, Options: []apiResultOption{}, Winners: []int64{}, Ranking: []int64{},
		Motion: r.Motion, Steps: []apiStep{}}
	for _, o := range lotOrder(d) {
		if slices.Contains(r.Options, o.ID) {
			out.Options = append(out.Options, apiResultOption{ID: o.ID, Position: o.Position, Label: o.Label})
		}
	}
	out.Winners = append(out.Winners, r.Winners()...)
	out.Ranking = append(out.Ranking, r.Ranking()...)
	if r.Count != nil {
		for _, st := range r.Count.Steps {
			out.Steps = append(out.Steps, apiStep{Round: st.Round, Kind: st.Kind, Option: indexID(r.Options, st.Option),
				Value: st.Value, Detail: st.Detail, Tied: indexIDs(r.Options, st.Tied), Rule: st.Rule})
		}
	}
	return out
}

// lotOrder are d's options in their lot order, the order of the counts
// and of the ballot files.
func lotOrder(d decide.Decision) []decide.Option {
	opts := slices.Clone(d.Options)
	slices.SortStableFunc(opts, func(a, b decide.Option) int { return a.Position - b.Position })
	return opts
}

// indexID is the id at index i of ids, nil for -1 (no option) or an
// index out of range.
func indexID(ids []int64, i int) *int64 {
	if i < 0 || i >= len(ids) {
		return nil
	}
	id := ids[i]
	return &id
}

func indexIDs(ids []int64, list []int) []int64 {
	out := []int64{}
	for _, i := range list {
		if p := indexID(ids, i); p != nil {
			out = append(out, *p)
		}
	}
	return out
}

func (s *Server) apiDecisions(w http.ResponseWriter, r *http.Request) error {
	list, err := s.decisions.List(r.Context(), userFrom(r.Context()), r.PathValue("ws"))
	if err != nil {
		return err
	}
	out := make([]apiDecisionSummary, 0, len(list))
	for _, d := range list {
		out = append(out, s.toAPIDecisionSummary(d))
	}
	writeJSON(w, http.StatusOK, map[string]any{"decisions": out})
	return nil
}

// apiDecisionBody is a decision as a script sends it: every member for a
// new one; for a change (PATCH) only those that change, the options (when
// given) replacing the old ones.
type apiDecisionBody struct {
	Title      *string           `json:"title"`
	Body       *string           `json:"body"`
	Language   *string           `json:"language"`
	Method     *string           `json:"method"`
	Params     *apiParams        `json:"params"`
	Visibility *string           `json:"visibility"`
	Circles    *[]string         `json:"circles"`
	Secrecy    *string           `json:"secrecy"`
	District   *string           `json:"district"`
	OpensAt    *string           `json:"opens_at"`
	ClosesAt   *string           `json:"closes_at"`
	Options    *[]apiDraftOption `json:"options"`
	Outcome    *string           `json:"outcome"`
	ReviewOn   *string           `json:"review_on"`
}

type apiDraftOption struct {
	Label       string `json:"label"`
	Description string `json:"description"`
	StartsAt    string `json:"starts_at"`
	EndsAt      string `json:"ends_at"`
}

// draftFields reports whether the body changes the proposal itself (not
// only its outcome).
func (b apiDecisionBody) draftFields() bool {
	return b.Title != nil || b.Body != nil || b.Language != nil || b.Method != nil || b.Params != nil || b.Visibility != nil ||
		b.Circles != nil || b.Secrecy != nil || b.District != nil || b.OpensAt != nil || b.ClosesAt != nil || b.Options != nil
}

// apply writes what the body sends over d.
func (b apiDecisionBody) apply(d decide.DraftDecision) decide.DraftDecision {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&d.Title, b.Title)
	set(&d.Body, b.Body)
	set(&d.Language, b.Language)
	set(&d.District, b.District)
	if b.Method != nil {
		d.Method = decide.Method(*b.Method)
	}
	if b.Params != nil {
		d.Params = decide.Params{Quorum: b.Params.Quorum, Threshold: b.Params.Threshold, Seats: b.Params.Seats, Dots: b.Params.Dots,
			MaxChoices: b.Params.MaxChoices}
	}
	if b.Visibility != nil {
		d.Visibility = workspace.Visibility(*b.Visibility)
	}
	if b.Circles != nil {
		d.Circles = nil
		for _, c := range *b.Circles {
			d.Circles = append(d.Circles, workspace.Circle(c))
		}
	}
	if b.Secrecy != nil {
		d.Secrecy = decide.Secrecy(*b.Secrecy)
	}
	if b.OpensAt != nil {
		d.OpensAt = localFromAPI(*b.OpensAt)
	}
	if b.ClosesAt != nil {
		d.ClosesAt = localFromAPI(*b.ClosesAt)
	}
	if b.Options != nil {
		d.Options = nil
		for _, o := range *b.Options {
			d.Options = append(d.Options, decide.DraftOption{Label: o.Label, Description: o.Description,
				StartsAt: localFromAPI(o.StartsAt), EndsAt: localFromAPI(o.EndsAt)})
		}
	}
	return d
}

// localLayout is a local time in Amsterdam to the second, as
// decide.ParseLocal reads it.
const localLayout = "2006-01-02T15:04:05"

// localFromAPI turns an RFC 3339 instant into the local time in Amsterdam
// the decide service reads; anything else (a local time already, or
// something that is no time at all) is passed on for the service to judge.
func localFromAPI(s string) string {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(decide.Amsterdam()).Format(localLayout)
	}
	return s
}

// localOf writes an instant as localFromAPI gives it ("" for none).
func localOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(decide.Amsterdam()).Format(localLayout)
}

// draftOf is decision d as a draft, to apply a change to.
func draftOf(d decide.Decision) decide.DraftDecision {
	out := decide.DraftDecision{Title: d.Title, Body: d.Body, Language: d.Language, Method: d.Method, Params: d.Params,
		Visibility: d.Visibility, Circles: d.Circles, Secrecy: d.Secrecy, District: d.District,
		OpensAt: localOf(d.OpensAt), ClosesAt: localOf(d.ClosesAt)}
	for _, o := range d.Options {
		out.Options = append(out.Options, decide.DraftOption{Label: o.Label, Description: o.Description,
			StartsAt: localOf(o.StartsAt), EndsAt: localOf(o.EndsAt)})
	}
	return out
}

func (s *Server) apiCreateDecision(w http.ResponseWriter, r *http.Request) error {
	var in apiDecisionBody
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Outcome != nil || in.ReviewOn != nil {
		return problem.Fields{"outcome": "decide.outcome_later"}.Err()
	}
	ctx, u := r.Context(), userFrom(r.Context())
	d, err := s.decisions.Create(ctx, u, r.PathValue("ws"), in.apply(decide.DraftDecision{}))
	if err != nil {
		return err
	}
	v, err := s.decisions.Get(ctx, u, d.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", s.opts.BaseURL+"/api/v1"+decisionLink(d.ID))
	writeJSON(w, http.StatusCreated, s.toAPIDecision(v))
	return nil
}

func (s *Server) apiDecision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.decisions.Get(r.Context(), userFrom(r.Context()), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.toAPIDecision(v))
	return nil
}

// apiUpdateDecision changes a decision: the proposal while it is a draft
// or discussed, the outcome statement and review date once closed.
func (s *Server) apiUpdateDecision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in apiDecisionBody
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	v, err := s.decisions.Get(ctx, u, id)
	if err != nil {
		return err
	}
	if in.draftFields() {
		if _, err := s.decisions.Update(ctx, u, id, in.apply(draftOf(v.Decision))); err != nil {
			return err
		}
	}
	if in.Outcome != nil || in.ReviewOn != nil {
		outcome, review := v.Outcome, v.ReviewOn
		if in.Outcome != nil {
			outcome = *in.Outcome
		}
		if in.ReviewOn != nil {
			review = *in.ReviewOn
		}
		if err := s.decisions.SetOutcome(ctx, u, id, outcome, review); err != nil {
			return err
		}
	}
	if v, err = s.decisions.Get(ctx, u, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.toAPIDecision(v))
	return nil
}

// apiDecisionState moves a decision on by hand: a draft to its discussion,
// a draft or discussion to voting (which then closes at its time).
func (s *Server) apiDecisionState(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		To string `json:"to"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	switch in.To {
	case string(decide.Discussion):
		err = s.decisions.Publish(ctx, u, id)
	case string(decide.Voting):
		err = s.decisions.OpenVoting(ctx, u, id)
	case "":
		return problem.Fields{"to": "required"}.Err()
	default:
		return problem.Fields{"to": "choice.unknown"}.Err()
	}
	if err != nil {
		return err
	}
	v, err := s.decisions.Get(ctx, u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.toAPIDecision(v))
	return nil
}

// apiVote casts the caller's ballot. It answers 204: the ballot counts.
// A second ballot on a secret vote is a conflict (decide.already_voted);
// on an open vote it replaces the first, which is kept as a version.
func (s *Server) apiVote(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Position   string           `json:"position"`
		Reason     string           `json:"reason"`
		Values     map[int64]int    `json:"values"`
		Answers    map[int64]string `json:"answers"`
		LivesThere bool             `json:"lives_there"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	b := decide.Ballot{Position: in.Position, Reason: in.Reason, Values: in.Values, Answers: in.Answers}
	if err := s.decisions.Vote(r.Context(), userFrom(r.Context()), id, b, in.LivesThere); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiComment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Body   string `json:"body"`
		Parent int64  `json:"parent"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	u := userFrom(r.Context())
	c, err := s.decisions.Comment(r.Context(), u, id, in.Parent, in.Body)
	if err != nil {
		return err
	}
	c.AuthorName = u.Name
	w.Header().Set("Location", s.opts.BaseURL+decisionLink(id)+"#c"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, toAPIComment(c))
	return nil
}

var (
	// errResultsHidden: a vote whose results stay hidden until it closes.
	errResultsHidden = problem.New(problem.Conflict, "decide.results_hidden")
	// errResultsWaiting: a secret vote with too few ballots yet for its
	// results to keep them secret.
	errResultsWaiting = problem.New(problem.Conflict, "decide.results_waiting")
	// errNoResults: voting has not started.
	errNoResults = problem.New(problem.Conflict, "decide.no_results")
)

// decisionResult is the count of decision id as the caller may see it:
// live while voting runs, fixed once closed; refused while a hidden vote
// runs and before voting starts.
func (s *Server) decisionResult(r *http.Request, id int64) (decide.View, decide.Result, error) {
	v, err := s.decisions.Get(r.Context(), userFrom(r.Context()), id)
	switch {
	case err != nil:
		return v, decide.Result{}, err
	case v.ResultsFrom > 0:
		return v, decide.Result{}, errResultsWaiting
	case v.ResultsHidden:
		return v, decide.Result{}, errResultsHidden
	case v.Result == nil:
		return v, decide.Result{}, errNoResults
	}
	return v, *v.Result, nil
}

func (s *Server) apiDecisionResults(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	asCSV, err := wantsCSV(r)
	if err != nil {
		return err
	}
	v, res, err := s.decisionResult(r, id)
	if err != nil {
		return err
	}
	if asCSV {
		return s.sendDecisionResultsCSV(w, v, res)
	}
	writeJSON(w, http.StatusOK, toAPIResult(v.Decision, res))
	return nil
}

// wantsCSV reads whether a results request asks for CSV: ?format=csv (or
// json), else an Accept header that prefers text/csv to JSON.
func wantsCSV(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("format") {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
	default:
		return false, problem.Fields{"format": "choice.unknown"}.Err()
	}
	return acceptQ(r.Header.Get("Accept"), "text/csv") > acceptQ(r.Header.Get("Accept"), "application/json"), nil
}

// acceptQ is the quality an Accept header gives media type mt: its own
// entry's, else its type's wildcard, else */*'s; 0 when none names it.
func acceptQ(header, mt string) float64 {
	best, specificity := 0.0, -1
	main, _, _ := strings.Cut(mt, "/")
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(part, ";")
		name := strings.ToLower(strings.TrimSpace(fields[0]))
		spec := -1
		switch name {
		case mt:
			spec = 2
		case main + "/*":
			spec = 1
		case "*/*":
			spec = 0
		}
		if spec < specificity || spec < 0 {
			continue
		}
		q := 1.0
		for _, p := range fields[1:] {
			k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.TrimSpace(k) == "q" {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
					q = f
				}
			}
		}
		best, specificity = q, spec
	}
	return best
}
