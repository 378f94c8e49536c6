package web

import (
	"cmp"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"samen/internal/decide"
	"samen/internal/problem"
)

// The page of one decision: what is proposed and how it is decided, the
// actions of who manages it, the ballot while voting runs, who voted, the
// results, the downloads that check them, the outcome, and the discussion
// (threaded comments and amendments). Every form of the page posts to
// /decisions/{id}/{action}; a problem shows the page again with the
// problem at its field and what was typed kept.

type decisionPage struct {
	V             decide.View
	Link          string
	WorkspaceLink string
	Rules         []string // the rules of the vote in plain words
	Options       []ballotOption
	// Actions of who manages the decision.
	CanEdit, CanPublish, CanOpen bool
	// The ballot: the form, or why there is none.
	BallotForm bool
	Changing   bool     // an open ballot that was cast: the form changes it
	Mine       []string // the reader's current open ballot
	MineReason string
	Final      bool   // a secret ballot that was cast
	NoBallot   string // why the reader has no ballot: sign_in, verify, not_eligible
	Positions  []string
	Scores     []string
	Ranks      []string
	Answers    []string
	// Who voted.
	Voters       []voterView
	VotersHidden bool // a secret vote with too few voters to show them
	Result       *decisionResult
	Downloads    bool
	Ranked       bool
	OutcomeForm  bool
	Comments     []decisionComment
	CanComment   bool
	AmendForm    bool
	// DecidesAmendments: the reader takes amendments over or declines them.
	DecidesAmendments bool
}

type voterView struct {
	Name   string
	Lines  []string
	Reason string
	Open   bool // an open ballot: how they voted is shown
}

// decisionComment is a comment of the discussion with its replies, for
// the template that shows it (and calls itself for the replies).
type decisionComment struct {
	*page
	C        *decide.Comment
	Replies  []decisionComment
	Field    string // the reply form's text field
	CanReply bool
	Open     bool // its reply form failed: shown open
	Link     string
}

// decisionForm names the form of the page that was posted and failed.
type decisionForm struct {
	Action    string
	Parent    int64 // comment: the comment replied to
	Amendment int64 // amendment: the amendment decided on
}

// commentField is the text field of the comment form: the discussion's
// own, or the reply form under comment parent.
func commentField(parent int64) string {
	if parent == 0 {
		return "comment"
	}
	return "reply." + strconv.FormatInt(parent, 10)
}

// fieldID says where on the page a problem of the failed form is shown.
func (f decisionForm) fieldID(name string) string {
	switch f.Action {
	case "vote":
		return ballotFieldID(name)
	case "comment":
		return commentField(f.Parent)
	case "amend":
		switch name {
		case "note":
			return "amendment_note"
		default:
			return "amendment"
		}
	case "amendment":
		return "amendment-" + strconv.FormatInt(f.Amendment, 10)
	case "outcome":
		if name == "form" {
			return "outcome"
		}
		return name
	}
	return "manage-problem"
}

func (s *Server) decisionPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderDecision(w, r, http.StatusOK, decisionForm{}, nil)
}

func (s *Server) renderDecision(w http.ResponseWriter, r *http.Request, status int, failed decisionForm, formErr error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, u := r.Context(), userFrom(r.Context())
	v, err := s.decisions.Get(ctx, u, id)
	if err != nil {
		return err
	}
	p := s.newPage(r, "decide.page.title")
	p.RawTitle = v.Title
	d := &decisionPage{V: v, Link: decisionLink(v.ID), Ranked: v.Method.Ranked()}
	if !v.CityWide() {
		d.WorkspaceLink = workspaceLink(v.Workspace)
	}
	d.Rules = p.decisionRules(v)
	for _, o := range v.Options {
		d.Options = append(d.Options, ballotOption{Option: o, Key: optionKey(o.ID), Name: p.optionName(v.Decision, o)})
	}
	if v.Method == decide.Poll {
		// Dates and times in the order of time, as a calendar shows them.
		slices.SortStableFunc(d.Options, func(a, b ballotOption) int { return a.StartsAt.Compare(b.StartsAt) })
	}
	editable := v.State == decide.Draft || v.State == decide.Discussion
	d.CanEdit = v.Rights.Manage && editable
	d.CanPublish = v.Rights.Manage && v.State == decide.Draft
	d.CanOpen = v.Rights.Manage && editable

	// The ballot.
	if v.State == decide.Voting {
		switch {
		case v.Voted && v.Secrecy.Secret():
			d.Final = true
		case v.Rights.Vote:
			d.BallotForm = true
			if v.Voted {
				d.Changing = true
				d.Mine = p.ballotLines(v.Decision, v.Mine)
				if v.Mine != nil {
					d.MineReason = v.Mine.Reason
				}
				if failed.Action != "vote" {
					p.Form = ballotForm(v.Mine)
					if v.District != "" {
						p.Form.Set("lives_there", "1")
					}
				}
			}
		case u == nil:
			d.NoBallot = "sign_in"
		case v.CityWide() && !v.Who.Verified:
			d.NoBallot = "verify"
		default:
			d.NoBallot = "not_eligible"
		}
		switch v.Method {
		case decide.Consent:
			d.Positions = decide.ConsentPositions
		case decide.Majority:
			d.Positions = decide.MajorityPositions
		}
		d.Scores = ballotChoices(0, decide.MaxScore)
		d.Ranks = ballotChoices(1, len(v.Options))
	}
	d.Answers = decide.PollAnswers

	// Who voted, and the reasons given.
	var reasons []reasonView
	if v.State == decide.Voting || v.State == decide.Closed {
		d.VotersHidden = v.Secrecy.Secret() && v.Cast < v.VotersShownFrom
		for _, vt := range v.Voters {
			vv := voterView{Name: vt.Name, Open: vt.Ballot != nil}
			if vv.Name == "" {
				vv.Name = p.T("decide.erased")
			}
			if vt.Ballot != nil {
				vv.Lines = p.ballotLines(v.Decision, vt.Ballot)
				vv.Reason = vt.Ballot.Reason
				if pos := vt.Ballot.Position; (pos == "object" || pos == "block") && vt.Ballot.Reason != "" {
					reasons = append(reasons, reasonView{Position: pos, Name: vv.Name, Text: vt.Ballot.Reason})
				}
			}
			d.Voters = append(d.Voters, vv)
		}
		for _, rs := range v.Reasons {
			reasons = append(reasons, reasonView{Position: rs.Position, Text: rs.Text})
		}
	}

	// The result.
	if v.Result != nil {
		var ballots []decide.Ballot
		if v.Method == decide.Schulze && v.State == decide.Closed {
			_, ballots, err = s.decisions.Ballots(ctx, u, v.ID)
			if err != nil && !problem.Is(err, problem.Conflict) {
				return err
			}
		}
		d.Result = p.decisionResultOf(v, ballots, reasons)
	}
	d.Downloads = v.State == decide.Closed
	d.OutcomeForm = v.Rights.Manage && v.State == decide.Closed
	if d.OutcomeForm && failed.Action != "outcome" {
		p.Form.Set("outcome", v.Outcome)
		p.Form.Set("review_on", v.ReviewOn)
	}

	// The discussion.
	d.CanComment = v.Rights.Comment
	d.AmendForm = v.Rights.Comment && v.State == decide.Discussion
	if d.AmendForm && failed.Action != "amend" {
		p.Form.Set("amendment", v.Body)
	}
	d.DecidesAmendments = (v.Who.Author || (v.AuthorID == 0 && v.Rights.Manage)) && editable

	if formErr != nil {
		if err := s.formProblems(p, formErr); err != nil {
			return err
		}
		errs := map[string]string{}
		for i, name := range p.ErrorOrder {
			id := failed.fieldID(name)
			if prev, twice := errs[id]; twice {
				errs[id] = prev + " " + p.Errors[name]
			} else {
				errs[id] = p.Errors[name]
			}
			p.ErrorOrder[i] = id
		}
		p.Errors = errs
		p.ErrorOrder = compactStrings(p.ErrorOrder)
		for k, vals := range r.PostForm {
			p.Form[k] = vals
		}
	}
	d.Comments = p.commentTree(v.Comments, d.CanComment, d.Link, failed)
	p.Data = d
	s.renderStatus(w, r, status, "decision", p)
	return nil
}

// compactStrings drops repeated names, keeping the first of each.
func compactStrings(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func (p *page) commentTree(list []decide.Comment, canReply bool, link string, failed decisionForm) []decisionComment {
	var out []decisionComment
	var walk func(c *decide.Comment) decisionComment
	walk = func(c *decide.Comment) decisionComment {
		dc := decisionComment{page: p, C: c, Field: commentField(c.ID), CanReply: canReply && !c.Erased, Link: link,
			Open: failed.Action == "comment" && failed.Parent == c.ID}
		for _, r := range c.Replies {
			dc.Replies = append(dc.Replies, walk(r))
		}
		return dc
	}
	for i := range list {
		out = append(out, walk(&list[i]))
	}
	return out
}

// decisionRules are the rules of the vote in plain words: the method's
// rule with its tie-break, its settings, and who votes.
func (p *page) decisionRules(v decide.View) []string {
	out := []string{p.T("decide.method_rule." + string(v.Method))}
	par := v.Params
	if v.Method.Motion() {
		if par.Quorum > 0 {
			line := p.T("decide.rule.quorum", "quorum", strconv.Itoa(par.Quorum))
			if v.Electorate > 0 {
				line += " " + p.T("decide.rule.quorum_count", "needed", strconv.Itoa((par.Quorum*v.Electorate+99)/100),
					"electorate", strconv.Itoa(v.Electorate))
			}
			out = append(out, line)
		} else {
			out = append(out, p.T("decide.rule.no_quorum"))
		}
	}
	switch v.Method {
	case decide.Majority:
		out = append(out, p.T("decide.threshold_rule."+cmp.Or(par.Threshold, "half")))
	case decide.STV:
		out = append(out, p.T("decide.rule.seats", "seats", strconv.Itoa(par.Seats)))
	case decide.Dot:
		out = append(out, p.T("decide.rule.dots", "dots", strconv.Itoa(par.Dots)))
	case decide.Approval:
		if par.MaxChoices > 0 {
			out = append(out, p.T("decide.rule.max_choices", "max", strconv.Itoa(par.MaxChoices)))
		} else {
			out = append(out, p.T("decide.rule.any_choices"))
		}
	}
	switch {
	case !v.CityWide():
		names := make([]string, len(v.Circles))
		for i, c := range v.Circles {
			names[i] = p.T("workspace.circle." + string(c))
		}
		out = append(out, p.T("decide.rule.circles", "circles", strings.Join(names, ", ")))
	case v.District != "":
		out = append(out, p.T("decide.rule.district", "district", p.T("atlas.district."+v.District)))
	default:
		out = append(out, p.T("decide.rule.city"))
	}
	if v.Electorate > 0 && (v.State == decide.Voting || v.State == decide.Closed) {
		out = append(out, p.N("decide.rule.electorate", v.Electorate))
	}
	if !v.Method.Motion() && (v.State == decide.Voting || v.State == decide.Closed) {
		out = append(out, p.T("decide.rule.lot"))
	}
	return out
}

// decisionAction runs the forms of a decision's page.
func (s *Server) decisionAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, u, f := r.Context(), userFrom(r.Context()), r.PostForm
	link := decisionLink(id)
	failed := decisionForm{Action: r.PathValue("action")}
	var notice, anchor string
	switch failed.Action {
	case "publish":
		err, notice = s.decisions.Publish(ctx, u, id), "decide_published"
	case "open":
		err, notice, anchor = s.decisions.OpenVoting(ctx, u, id), "decide_opened", "#vote"
	case "vote":
		var b decide.Ballot
		if b, err = ballotFromPost(f); err == nil {
			err = blockNeedsReason(s.decisions.Vote(ctx, u, id, b, f.Get("lives_there") != ""))
		}
		notice, anchor = "decide_voted", "#vote"
	case "comment":
		failed.Parent = formInt(r, "parent")
		var c decide.Comment
		c, err = s.decisions.Comment(ctx, u, id, failed.Parent, f.Get(commentField(failed.Parent)))
		notice, anchor = "decide_commented", "#c"+strconv.FormatInt(c.ID, 10)
	case "amend":
		var a decide.Amendment
		a, err = s.decisions.Amend(ctx, u, id, f.Get("amendment"), f.Get("amendment_note"))
		notice, anchor = "decide_amended", "#amendment-"+strconv.FormatInt(a.ID, 10)
	case "amendment":
		failed.Amendment = formInt(r, "amendment")
		accept := f.Get("decision") == "accept"
		if !accept && f.Get("decision") != "decline" {
			return problemBadForm
		}
		err = s.decisions.DecideAmendment(ctx, u, id, failed.Amendment, accept)
		notice, anchor = "decide_amendment_declined", "#amendments"
		if accept {
			notice = "decide_amendment_accepted"
		}
	case "outcome":
		err, notice, anchor = s.decisions.SetOutcome(ctx, u, id, f.Get("outcome"), f.Get("review_on")), "decide_outcome_saved", "#outcome"
	default:
		return problemNotFound
	}
	if err != nil {
		if problem.Is(err, problem.Invalid) || problem.Is(err, problem.Conflict) {
			return s.renderDecision(w, r, statusOf(err), failed, err)
		}
		return err
	}
	redirectNotice(w, r, link+anchor, notice)
	return nil
}

// blockNeedsReason says why the reason of a block is needed: the field is
// optional (its label says so) except with a block, and a bare "fill this
// in" under "Your reason (optional)" would contradict it.
func blockNeedsReason(err error) error {
	if pe, ok := problem.As(err); ok && pe.Fields["reason"] == "required" {
		fields := problem.Fields(maps.Clone(pe.Fields))
		fields["reason"] = "decide.block_reason"
		return fields.Err()
	}
	return err
}

// ballotFromPost reads the ballot fields of a posted form without the
// decision at hand: every "value.<id>" and "answer.<id>" (the service
// refuses ids that are not the decision's options).
func ballotFromPost(f url.Values) (decide.Ballot, error) {
	b := decide.Ballot{Position: f.Get("position"), Reason: f.Get("reason")}
	bad := problem.Fields{}
	for k := range f {
		if rest, ok := strings.CutPrefix(k, "value."); ok {
			id, err := strconv.ParseInt(rest, 10, 64)
			v := strings.TrimSpace(f.Get(k))
			if err != nil || v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				bad.Add(k, "number.invalid")
				continue
			}
			if b.Values == nil {
				b.Values = map[int64]int{}
			}
			b.Values[id] = n
		}
		if rest, ok := strings.CutPrefix(k, "answer."); ok {
			id, err := strconv.ParseInt(rest, 10, 64)
			a := strings.TrimSpace(f.Get(k))
			if err != nil || a == "" {
				continue
			}
			if b.Answers == nil {
				b.Answers = map[int64]string{}
			}
			b.Answers[id] = a
		}
	}
	return b, bad.Err()
}
