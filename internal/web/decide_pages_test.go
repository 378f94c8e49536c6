package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/decide"
	"samen/internal/demo"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/workspace"
)

// The pages of a decision, driven as people use them: through the forms,
// without JavaScript, in both languages.

// decideWorld is a seeded site whose decisions run on a clock the test
// moves, with the demo workspace and people in each of its circles.
type decideWorld struct {
	*site
	clock *testClock
	slug  string
	core  *browser // the demo member: core
	memb  *browser // the demo moderator: members
}

func newDecideWorld(t *testing.T, db *store.DB) *decideWorld {
	t.Helper()
	s := newSite(t, db)
	s.seed()
	c := &testClock{t: time.Now().Truncate(time.Minute)}
	s.Parts.Decisions.Now = c.now
	w := &decideWorld{site: s, clock: c, slug: demoWorkspace(t, s)}
	w.core = s.loggedIn(member, "en")
	w.memb = s.loggedIn(moderator, "en")
	return w
}

// person adds an account, puts it in a circle of the demo workspace (none
// for an outsider) and logs it in.
func (w *decideWorld) person(name string, c workspace.Circle, lang string) *browser {
	w.t.Helper()
	ctx := context.Background()
	email := strings.ToLower(name) + "@example.org"
	if _, err := w.Accounts.Add(ctx, account.NewUser{Email: email, Name: name, Password: goodPassword, Role: account.Member}); err != nil {
		w.t.Fatal(err)
	}
	if c != "" {
		core, err := account.ByID(ctx, w.DB, w.userID(member.Email))
		if err != nil {
			w.t.Fatal(err)
		}
		if _, err := w.Parts.Workspaces.AddMember(ctx, &core, w.slug, workspace.NewMember{Name: name, Email: email, Circle: c}); err != nil {
			w.t.Fatal(err)
		}
	}
	return w.loggedIn(demo.Account{Email: email, Password: goodPassword}, lang)
}

var decisionPathRE = regexp.MustCompile(`^/decisions/(\d+)\?notice=decide_created$`)

// propose fills in the form of a new decision and returns its page.
func (w *decideWorld) propose(b *browser, path string, form url.Values) string {
	w.t.Helper()
	r := b.postForm(path, form)
	m := decisionPathRE.FindStringSubmatch(r.Location())
	if r.Status != http.StatusSeeOther || m == nil {
		w.t.Fatalf("POST %s: %d to %q, want a new decision\n%s", path, r.Status, r.Location(), r.Body)
	}
	return "/decisions/" + m[1]
}

// act posts a form of a decision's page and wants a redirect with the
// notice.
func decisionAct(t *testing.T, b *browser, path string, form url.Values, notice string) {
	t.Helper()
	r := b.postForm(path, form)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location(), "notice="+notice) {
		t.Fatalf("POST %s %v: %d to %q, want the notice %s\n%s", path, form, r.Status, r.Location(), notice, r.Body)
	}
}

// decisionRefused posts a form and wants it answered with status, the page
// saying each of the messages.
func decisionRefused(t *testing.T, b *browser, path string, form url.Values, status int, messages ...string) *response {
	t.Helper()
	r := b.postForm(path, form)
	if r.Status != status {
		t.Fatalf("POST %s %v: %d, want %d\n%s", path, form, r.Status, status, r.Body)
	}
	for _, m := range messages {
		mustContain(t, r, html(m))
	}
	return r
}

// page opens a page and wants it there.
func openPage(t *testing.T, b *browser, path string) *response {
	t.Helper()
	r := b.get(path)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, r.Status, r.Body)
	}
	return r
}

func mustLack(t *testing.T, r *response, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(r.Body, s) {
			t.Errorf("the page says %q; it should not", s)
		}
	}
}

func inEN(key string, args ...any) string { return html(msgs.T("en", key, args...)) }
func inNL(key string, args ...any) string { return html(msgs.T("nl", key, args...)) }

// decisionForm is a proposal in the demo workspace by method, closing
// in a week, with options named A, B, C … (none for a motion).
func decisionForm(method decide.Method, closes time.Time, options ...string) url.Values {
	f := url.Values{"title": {"Proposal by " + string(method)}, "body": {"We propose this.\n\nAnd why."}, "language": {"en"},
		"method": {string(method)}, "secrecy": {"open"}, "visibility": {"members"}, "circles": {"core", "contributors", "members"},
		"closes_at": {decide.Local(closes)}, "threshold": {"half"}}
	for i, o := range options {
		key := "options." + strconv.Itoa(i) + "."
		if method == decide.Poll {
			f.Set(key+"starts_at", o)
		} else {
			f.Set(key+"label", o)
			f.Set(key+"description", "About "+o)
		}
	}
	return f
}

// ballotIDs reads the ids of a decision's options from its ballot form,
// by label, in the order the form shows them.
func ballotIDs(t *testing.T, r *response, field string) map[string]string {
	t.Helper()
	out := map[string]string{}
	re := regexp.MustCompile(`<label for="` + field + `\.(\d+)"[^>]*>([^<]+)</label>`)
	for _, m := range re.FindAllStringSubmatch(r.Body, -1) {
		out[m[2]] = m[1]
	}
	if len(out) == 0 {
		// Groups of radios: the legend names the option.
		re = regexp.MustCompile(`<fieldset id="` + field + `\.(\d+)"[^>]*>\s*<legend[^>]*>([^<]+)</legend>`)
		for _, m := range re.FindAllStringSubmatch(r.Body, -1) {
			out[m[2]] = m[1]
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s fields on the ballot:\n%s", field, r.Body)
	}
	return out
}

// A member proposes, the form names every problem at its field and keeps
// what was typed; the draft is discussed (comments, replies, an amendment
// the author takes over), core opens voting, members vote by consent (a
// block needs a reason), change their open ballots, and the outcome is
// written once voting closed.
func TestDecisionJourney(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newDecideWorld(t, db)
		newPath := "/workspaces/" + w.slug + "/decisions/new"

		// The list and the form.
		list := openPage(t, w.memb, "/workspaces/"+w.slug+"/decisions")
		mustContain(t, list, inEN("decide.workspace.new"), `href="`+newPath+`"`, inEN("decide.list.none"))
		form := openPage(t, w.memb, newPath)
		mustContain(t, form, `name="options.5.label"`, inEN("decide.form.more_rows"), inEN("decide.method_rule.schulze"))
		mustLack(t, form, `name="options.6.label"`)

		// More rows keeps what was typed.
		f := decisionForm(decide.Score, w.clock.now().Add(7*24*time.Hour), "Soup", "Salad")
		f.Set("options.4.label", "Bread")
		f.Set("more", "1")
		r := w.memb.postForm(newPath, f)
		if r.Status != http.StatusOK {
			t.Fatalf("more rows: %d\n%s", r.Status, r.Body)
		}
		mustContain(t, r, `name="options.9.label"`, `value="Soup"`, `value="Bread"`, `value="Proposal by score"`)
		mustLack(t, r, `name="options.10.label"`)

		// Every problem at its field, what was typed kept.
		bad := decisionForm(decide.STV, w.clock.now().Add(-time.Hour), "Ann", "")
		bad.Set("title", "")
		bad.Set("seats", "many")
		bad.Set("options.3.label", "Ann")
		bad.Set("options.3.description", "Twice")
		r = decisionRefused(t, w.memb, newPath, bad, http.StatusUnprocessableEntity,
			msgs.T("en", "field.required"), msgs.T("en", "field.decide.closes_past"), msgs.T("en", "field.number.invalid"))
		mustContain(t, r, `id="title-error"`, `id="closes_at-error"`, `id="seats-error"`, `value="many"`, `value="Ann"`, `>Twice</textarea>`)
		// The second Ann is the second option filled in: options.1.
		mustContain(t, r, `id="options.1.label-error"`, html(msgs.T("en", "field.decide.option_twice")))

		// A supporter follows but does not propose.
		supporter := w.person("Sam", workspace.Supporters, "en")
		if r := supporter.get(newPath); r.Status != http.StatusForbidden {
			t.Errorf("a supporter opens the form: %d", r.Status)
		}
		mustLack(t, openPage(t, supporter, "/workspaces/"+w.slug+"/decisions"), `href="`+newPath+`"`)

		// A consent proposal for the members, as a draft.
		f = decisionForm(decide.Consent, w.clock.now().Add(7*24*time.Hour))
		f.Set("title", "Open on Sundays")
		f.Set("body", "We open the kitchen every Sunday.")
		f.Set("quorum", "50")
		link := w.propose(w.memb, newPath, f)
		draft := openPage(t, w.memb, link)
		mustContain(t, draft, `<h1 lang="en">Open on Sundays</h1>`, inEN("decide.state.draft"), inEN("decide.manage.publish"), inEN("decide.method_rule.consent"))
		contributor := w.person("Joan", workspace.Contributors, "en")
		if r := contributor.get(link); r.Status != http.StatusNotFound {
			t.Errorf("a draft for another: %d", r.Status)
		}
		// Its form, filled in, and a change.
		edit := openPage(t, w.memb, link+"/edit")
		mustContain(t, edit, `value="Open on Sundays"`, `value="50"`, `id="secrecy-open" name="secrecy" value="open" aria-describedby="secrecy-open-about" checked`)
		f.Set("title", "Open on Sundays and Mondays")
		decisionAct(t, w.memb, link+"/edit", f, "decide_saved")
		decisionAct(t, w.memb, link+"/publish", nil, "decide_published")

		// An outsider of a members-only proposal sees nothing; a
		// supporter does not either.
		outsider := w.person("Otto", "", "en")
		for _, b := range []*browser{outsider, supporter, w.browser("en")} {
			if r := b.get(link); r.Status != http.StatusNotFound {
				t.Errorf("an outsider opens a members' decision: %d", r.Status)
			}
		}

		// The discussion: a comment, a reply, an amendment taken over.
		decisionAct(t, contributor, link+"/comment", url.Values{"comment": {"Who does the dishes?"}}, "decide_commented")
		page1 := openPage(t, w.memb, link)
		cid := regexp.MustCompile(`<article id="c(\d+)" class="comment">`).FindStringSubmatch(page1.Body)
		if cid == nil {
			t.Fatalf("no comment on the page:\n%s", page1.Body)
		}
		decisionRefused(t, w.memb, link+"/comment", url.Values{"parent": {cid[1]}, "reply." + cid[1]: {"  "}}, http.StatusUnprocessableEntity,
			msgs.T("en", "field.required"))
		decisionAct(t, w.memb, link+"/comment", url.Values{"parent": {cid[1]}, "reply." + cid[1]: {"We take turns."}}, "decide_commented")
		r = openPage(t, contributor, link)
		mustContain(t, r, "Who does the dishes?", `<ol class="comments replies">`, "We take turns.", inEN("decide.comment.reply"))
		mustContain(t, r, `>We open the kitchen every Sunday.</textarea>`) // the amendment starts as the text
		decisionRefused(t, contributor, link+"/amend", url.Values{"amendment": {"We open the kitchen every Sunday."}}, http.StatusUnprocessableEntity,
			msgs.T("en", "field.decide.amendment_same"))
		decisionAct(t, contributor, link+"/amend", url.Values{"amendment": {"We open the kitchen every Sunday, from noon."}, "amendment_note": {"Mornings are for cleaning."}}, "decide_amended")
		r = openPage(t, contributor, link)
		mustContain(t, r, "Mornings are for cleaning.", inEN("decide.amendment.state.open"))
		mustLack(t, r, inEN("decide.amendment.accept")) // the author decides
		r = openPage(t, w.memb, link)
		aid := regexp.MustCompile(`name="amendment" value="(\d+)"`).FindStringSubmatch(r.Body)
		if aid == nil {
			t.Fatalf("no amendment to decide on:\n%s", r.Body)
		}
		decisionAct(t, w.memb, link+"/amendment", url.Values{"amendment": {aid[1]}, "decision": {"accept"}}, "decide_amendment_accepted")
		r = openPage(t, contributor, link)
		mustContain(t, r, `<div class="decision-body" lang="en"><p>We open the kitchen every Sunday, from noon.</p></div>`, inEN("decide.amendment.state.accepted"))
		decisionRefused(t, w.memb, link+"/amendment", url.Values{"amendment": {aid[1]}, "decision": {"decline"}}, http.StatusConflict,
			msgs.T("en", "error.decide.amendment_decided"))

		// Core opens voting; the proposer could too, but core does.
		decisionAct(t, w.core, link+"/open", nil, "decide_opened")
		r = openPage(t, w.memb, link)
		mustContain(t, r, inEN("decide.ballot.submit"), inEN("decide.position_about.block"), inEN("decide.rule.electorate.other", "n", "3"),
			inEN("decide.rule.quorum_count", "needed", "2", "electorate", "3"))
		if strings.Contains(r.Body, inEN("decide.manage.edit")) {
			t.Error("the proposal can be changed while voting runs")
		}
		if r := w.memb.get(link + "/edit"); r.Status != http.StatusConflict {
			t.Errorf("the edit form while voting: %d", r.Status)
		}

		// A block needs a reason: refused at its field, saying why, the choice kept.
		r = decisionRefused(t, w.memb, link+"/vote", url.Values{"position": {"block"}, "reason": {" "}}, http.StatusUnprocessableEntity,
			msgs.T("en", "field.decide.block_reason"))
		mustContain(t, r, `id="reason-error"`, `value="block" checked`)
		decisionAct(t, w.memb, link+"/vote", url.Values{"position": {"block"}, "reason": {"Sunday is our rest day."}}, "decide_voted")
		decisionAct(t, contributor, link+"/vote", url.Values{"position": {"object"}, "reason": {"Too much work."}}, "decide_voted")
		// Someone outside the electorate cannot vote.
		if r := supporter.postForm(link+"/vote", url.Values{"position": {"agree"}}); r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
			t.Errorf("a supporter votes: %d", r.Status)
		}
		// An open ballot shows who voted and how, with the reasons.
		r = openPage(t, w.core, link)
		mustContain(t, r, "Sunday is our rest day.", "Too much work.", inEN("decide.result.blocked"), inEN("decide.voters.count", "cast", "2", "electorate", "3"))
		// The voter changes their mind.
		r = openPage(t, w.memb, link)
		mustContain(t, r, inEN("decide.ballot.yours"), inEN("decide.ballot.change"), `value="block" checked`, ">Sunday is our rest day.</textarea>")
		decisionAct(t, w.memb, link+"/vote", url.Values{"position": {"agree"}}, "decide_voted")
		decisionAct(t, w.core, link+"/vote", url.Values{"position": {"agree"}}, "decide_voted")
		r = openPage(t, w.core, link)
		mustContain(t, r, inEN("decide.result.passed"), inEN("decide.result.title_live"))
		mustLack(t, r, "Sunday is our rest day.")

		// Voting closes; the result is fixed and the outcome written.
		w.clock.forward(8 * 24 * time.Hour)
		r = openPage(t, w.core, link)
		mustContain(t, r, inEN("decide.state.closed"), inEN("decide.result.title"), inEN("decide.result.passed"), inEN("decide.outcome.write"),
			link+"/ballots.csv", link+"/results.csv", "/api/v1/decisions/")
		mustLack(t, r, link+"/ballots.blt", inEN("decide.ballot.submit"))
		decisionRefused(t, w.core, link+"/outcome", url.Values{"outcome": {""}, "review_on": {"soon"}}, http.StatusUnprocessableEntity,
			msgs.T("en", "field.required"), msgs.T("en", "field.date.invalid"))
		decisionAct(t, w.core, link+"/outcome", url.Values{"outcome": {"We open on Sundays from June."}, "review_on": {w.clock.now().AddDate(0, 3, 0).Format(time.DateOnly)}}, "decide_outcome_saved")
		r = openPage(t, contributor, link)
		mustContain(t, r, "We open on Sundays from June.", inEN("decide.outcome.title"))
		mustLack(t, r, inEN("decide.outcome.submit"))
		if r := contributor.postForm(link+"/outcome", url.Values{"outcome": {"Mine"}}); r.Status != http.StatusForbidden {
			t.Errorf("a voter writes the outcome: %d", r.Status)
		}

		// The lists.
		r = openPage(t, contributor, "/workspaces/"+w.slug+"/decisions")
		mustContain(t, r, inEN("decide.list.closed"), "Open on Sundays and Mondays")
		mustLack(t, r, `href="/workspaces/`+w.slug+`/budgets/new"`)
		r = openPage(t, w.core, "/workspaces/"+w.slug+"/decisions")
		mustContain(t, r, `href="/workspaces/`+w.slug+`/budgets/new"`)
	})
}

// openVote has core propose a decision in the demo workspace through the
// form and open voting at once; it returns the decision's page.
func (w *decideWorld) openVote(f url.Values) string {
	w.t.Helper()
	link := w.propose(w.core, "/workspaces/"+w.slug+"/decisions/new", f)
	decisionAct(w.t.(*testing.T), w.core, link+"/open", nil, "decide_opened")
	return link
}

// pollIDs are the ids of a meeting poll's slots, in the order of time as
// the ballot shows them.
func pollIDs(t *testing.T, r *response) []string {
	t.Helper()
	var out []string
	for _, m := range regexp.MustCompile(`<fieldset id="answer\.(\d+)"`).FindAllStringSubmatch(r.Body, -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatalf("no slots on the ballot:\n%s", r.Body)
	}
	return out
}

// ballot is a form of values per option label: "value.<id>" for each.
func ballot(ids map[string]string, values map[string]string) url.Values {
	f := url.Values{}
	for label, v := range values {
		f.Set("value."+ids[label], v)
	}
	return f
}

// Every method through its ballot form: four voters (core, contributors,
// members), each method's rule applied to what they chose, the result so
// far while voting runs, and the full count once it closed: Schulze's
// tables, the rounds of instant-runoff and STV, a poll's grid.
func TestDecisionEveryMethod(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newDecideWorld(t, db)
		joan := w.person("Joan", workspace.Contributors, "en")
		kim := w.person("Kim", workspace.Members, "nl")
		closes := w.clock.now().Add(7 * 24 * time.Hour)
		voters := []*browser{w.core, w.memb, joan, kim}
		vote := func(link string, forms ...url.Values) {
			t.Helper()
			for i, f := range forms {
				if f != nil {
					decisionAct(t, voters[i], link+"/vote", f, "decide_voted")
				}
			}
		}
		links := map[decide.Method]string{}

		// Majority, two thirds, with a quorum of half.
		f := decisionForm(decide.Majority, closes)
		f.Set("threshold", "two_thirds")
		f.Set("quorum", "50")
		link := w.openVote(f)
		links[decide.Majority] = link
		r := openPage(t, w.memb, link)
		mustContain(t, r, inEN("decide.position.yes"), inEN("decide.threshold_rule.two_thirds"))
		mustLack(t, r, `name="reason"`) // a majority vote asks for no reasons
		vote(link, url.Values{"position": {"yes"}}, url.Values{"position": {"yes"}}, url.Values{"position": {"no"}})
		r = openPage(t, w.core, link)
		mustContain(t, r, inEN("decide.result.passed"), inEN("decide.result.turnout", "cast", "3", "electorate", "4", "percent", "75%"),
			inEN("decide.result.quorum", "needed", "2"), inEN("decide.result.quorum_met"))

		// Score: B has 12 points, A 11.
		link = w.openVote(decisionForm(decide.Score, closes, "A", "B", "C"))
		links[decide.Score] = link
		r = openPage(t, w.core, link)
		ids := ballotIDs(t, r, "value")
		mustContain(t, r, `value="" checked><label for="value.`+ids["A"]+`-none">`+inEN("decide.ballot.no_score"))
		decisionRefused(t, w.core, link+"/vote", ballot(ids, map[string]string{"A": "7"}), http.StatusUnprocessableEntity,
			msgs.T("en", "field.decide.score_range"))
		vote(link, ballot(ids, map[string]string{"A": "5", "B": "3", "C": "0"}), ballot(ids, map[string]string{"A": "2", "B": "5"}),
			ballot(ids, map[string]string{"A": "4", "B": "4", "C": "1"}))
		r = openPage(t, w.core, link)
		mustContain(t, r, inEN("decide.result.winner", "options", "B"), inEN("decide.result.points"),
			html(msgs.N("en", "decide.step.total_score", 12, "option", "B", "detail", "1")))

		// Dots: five each; C gets six.
		f = decisionForm(decide.Dot, closes, "A", "B", "C")
		f.Set("dots", "5")
		link = w.openVote(f)
		links[decide.Dot] = link
		ids = ballotIDs(t, openPage(t, w.core, link), "value")
		r = decisionRefused(t, w.core, link+"/vote", ballot(ids, map[string]string{"A": "4", "B": "3"}), http.StatusUnprocessableEntity,
			msgs.T("en", "field.decide.too_many_dots"))
		mustContain(t, r, `id="ballot"`, `name="value.`+ids["A"]+`" min="0" max="5" inputmode="numeric" value="4"`)
		vote(link, ballot(ids, map[string]string{"A": "3", "B": "2"}), ballot(ids, map[string]string{"C": "5"}),
			ballot(ids, map[string]string{"A": "2", "C": "1"}))
		mustContain(t, openPage(t, joan, link), inEN("decide.result.winner", "options", "C"), inEN("decide.ballot.dots_hint", "dots", "5"))

		// Approval, up to two: B is ticked three times.
		f = decisionForm(decide.Approval, closes, "A", "B", "C")
		f.Set("max_choices", "2")
		link = w.openVote(f)
		links[decide.Approval] = link
		ids = ballotIDs(t, openPage(t, w.core, link), "value")
		decisionRefused(t, w.core, link+"/vote", ballot(ids, map[string]string{"A": "1", "B": "1", "C": "1"}), http.StatusUnprocessableEntity,
			msgs.T("en", "field.decide.too_many_choices"))
		vote(link, ballot(ids, map[string]string{"A": "1", "B": "1"}), ballot(ids, map[string]string{"B": "1"}),
			ballot(ids, map[string]string{"B": "1", "C": "1"}))
		r = openPage(t, w.core, link)
		mustContain(t, r, inEN("decide.result.winner", "options", "B"), inEN("decide.ballot.approval_max", "max", "2"))
		// An open ballot: who voted and what they ticked.
		if !strings.Contains(r.Body, "<strong>Joan</strong>: B; C</li>") && !strings.Contains(r.Body, "<strong>Joan</strong>: C; B</li>") {
			t.Errorf("Joan's open ballot is not shown:\n%s", r.Body)
		}

		// Schulze, with a tie on a ballot: B beats both others head to head.
		link = w.openVote(decisionForm(decide.Schulze, closes, "A", "B", "C"))
		links[decide.Schulze] = link
		r = openPage(t, w.core, link)
		mustContain(t, r, inEN("decide.ballot.rank_hint"), inEN("decide.ballot.not_ranked"), inEN("decide.rule.lot"))
		ids = ballotIDs(t, r, "value")
		vote(link, ballot(ids, map[string]string{"A": "1", "B": "1", "C": "2"}), ballot(ids, map[string]string{"B": "1", "C": "2", "A": "3"}),
			ballot(ids, map[string]string{"C": "1", "A": "2", "B": "2"}))
		r = openPage(t, w.core, link)
		mustContain(t, r, inEN("decide.result.winner", "options", "B"), inEN("decide.schulze.later"))
		// Your ranking, ties and all, and its change.
		// (Tied options are named in the lot's order.)
		if !strings.Contains(r.Body, inEN("decide.mine.rank", "place", "1", "options", "A = B")) &&
			!strings.Contains(r.Body, inEN("decide.mine.rank", "place", "1", "options", "B = A")) {
			t.Errorf("the ballot with a tie is not shown as one:\n%s", r.Body)
		}
		mustContain(t, r, inEN("decide.mine.rank", "place", "2", "options", "C"), `<option value="1" selected>1</option>`)
		decisionAct(t, w.core, link+"/vote", ballot(ids, map[string]string{"A": "1", "B": "2"}), "decide_voted")
		mustContain(t, openPage(t, w.core, link), inEN("decide.mine.rank", "place", "2", "options", "B"))
		if mine := yourBallot(t, openPage(t, w.core, link)); strings.Contains(mine, " = ") {
			t.Errorf("the changed ballot still has the tie: %s", mine)
		}

		// Instant-runoff: a split ballot, D then C out, B elected.
		link = w.openVote(decisionForm(decide.IRV, closes, "A", "B", "C", "D"))
		links[decide.IRV] = link
		ids = ballotIDs(t, openPage(t, w.core, link), "value")
		vote(link, ballot(ids, map[string]string{"A": "1", "B": "2"}), ballot(ids, map[string]string{"B": "1"}),
			ballot(ids, map[string]string{"B": "1", "C": "1"}))
		r = openPage(t, w.core, link)
		mustContain(t, r, inEN("decide.result.winner", "options", "B"), inEN("decide.rounds.caption"),
			inEN("decide.rounds.eliminated", "round", "1"), inEN("decide.rounds.elected", "round", "3"), ">1.5</td>")

		// STV, two seats, four voters: quota 2; A elected, its surplus
		// passes on (a third of a vote per ballot, cut to five decimals),
		// D and C are excluded, B takes the last seat.
		f = decisionForm(decide.STV, closes, "A", "B", "C", "D")
		f.Set("seats", "2")
		link = w.openVote(f)
		links[decide.STV] = link
		ids = ballotIDs(t, openPage(t, w.core, link), "value")
		mustContain(t, openPage(t, w.core, link), inEN("decide.ballot.rank_hint_stv", "seats", "2"), inEN("decide.rule.seats", "seats", "2"))
		vote(link, ballot(ids, map[string]string{"A": "1", "B": "2"}), ballot(ids, map[string]string{"A": "1", "C": "2"}),
			ballot(ids, map[string]string{"B": "1"}), ballot(ids, map[string]string{"A": "1", "B": "2"}))
		r = openPage(t, kim, link)
		mustContain(t, r, inNL("decide.result.elected", "options", "A, B"), inNL("decide.rounds.quota", "quota", "2"),
			inNL("decide.rounds.caption_stv"), ">1,66666</td>", inNL("decide.rounds.non_transferable"))

		// A meeting poll: the second slot has two yes.
		day := w.clock.now().Add(10 * 24 * time.Hour).Truncate(24 * time.Hour)
		slots := []string{decide.Local(day.Add(18 * time.Hour)), decide.Local(day.Add(42 * time.Hour)), decide.Local(day.Add(66 * time.Hour))}
		f = decisionForm(decide.Poll, closes, slots...)
		f.Set("options.1.ends_at", decide.Local(day.Add(44*time.Hour)))
		link = w.openVote(f)
		links[decide.Poll] = link
		r = openPage(t, w.core, link)
		slot := pollIDs(t, r)
		if len(slot) != 3 {
			t.Fatalf("%d slots, want 3", len(slot))
		}
		answers := func(a ...string) url.Values {
			f := url.Values{}
			for i, x := range a {
				if x != "" {
					f.Set("answer."+slot[i], x)
				}
			}
			return f
		}
		decisionRefused(t, w.core, link+"/vote", url.Values{}, http.StatusUnprocessableEntity, msgs.T("en", "field.decide.ballot_empty"))
		vote(link, answers("yes", "maybe", ""), answers("no", "yes", "yes"), answers("", "yes", "maybe"))
		r = openPage(t, w.core, link)
		mustContain(t, r, inEN("decide.result.poll_caption"),
			`<tr class="best"><th scope="row">`+html(pageSlot("en", day.Add(42*time.Hour), day.Add(44*time.Hour)))+`</th><td class="num">2</td><td class="num">1</td><td class="num">0</td>`)

		// Voting closes: the counts are fixed, and the ranked votes
		// download as BLT.
		w.clock.forward(8 * 24 * time.Hour)
		r = openPage(t, w.memb, links[decide.Schulze])
		mustContain(t, r, inEN("decide.result.title"), inEN("decide.schulze.pairwise"), inEN("decide.schulze.strongest"),
			links[decide.Schulze]+"/ballots.blt", "samen tally --method schulze ballots.blt", inEN("decide.result.winner", "options", "B"))
		mustLack(t, r, inEN("decide.schulze.later"))
		r = openPage(t, w.memb, links[decide.STV])
		mustContain(t, r, "samen tally --method stv --seats 2 ballots.blt", inEN("decide.result.elected", "options", "A, B"))
		for m, l := range links {
			r := openPage(t, joan, l)
			mustContain(t, r, inEN("decide.state.closed"), l+"/ballots.csv", l+"/results.csv")
			if !m.Ranked() {
				mustLack(t, r, l+"/ballots.blt")
			}
		}
	})
}

// yourBallot is the reader's current open ballot as the page shows it.
func yourBallot(t *testing.T, r *response) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<div class="voted">(.*?)</div>`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("the page shows no ballot of the reader's:\n%s", r.Body)
	}
	return m[1]
}

// pageSlot is a poll slot as the page writes it.
func pageSlot(lang string, start, end time.Time) string {
	start, end = start.In(decide.Amsterdam()), end.In(decide.Amsterdam())
	days := strings.Split(msgs.T(lang, "decide.time.weekdays"), ",")
	months := strings.Split(msgs.T(lang, "decide.time.months"), ",")
	return msgs.T(lang, "decide.time.format", "weekday", days[start.Weekday()], "day", strconv.Itoa(start.Day()),
		"month", months[start.Month()-1], "year", strconv.Itoa(start.Year()), "time", start.Format("15:04")) + "–" + end.Format("15:04")
}

// Secret ballots: cast once and final; who voted shown only from three
// voters on, how never; reasons without names; a vote whose results are
// hidden keeps them out of the page until voting closes.
func TestDecisionSecretBallots(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newDecideWorld(t, db)
		joan := w.person("Joan", workspace.Contributors, "en")
		kim := w.person("Kim", workspace.Members, "en")

		f := decisionForm(decide.Consent, w.clock.now().Add(7*24*time.Hour))
		f.Set("secrecy", "anonymous")
		link := w.openVote(f)
		r := openPage(t, w.core, link)
		mustContain(t, r, inEN("decide.secrecy_about.anonymous"), inEN("decide.ballot.secret_hint"))
		decisionAct(t, w.core, link+"/vote", url.Values{"position": {"agree"}}, "decide_voted")
		// Twice is refused, the page saying why.
		r = decisionRefused(t, w.core, link+"/vote", url.Values{"position": {"block"}, "reason": {"Changed my mind"}}, http.StatusConflict,
			msgs.T("en", "error.decide.already_voted"))
		mustContain(t, r, `id="ballot"`, inEN("decide.ballot.final"))
		r = openPage(t, w.core, link)
		mustContain(t, r, inEN("decide.ballot.final"), inEN("decide.voters.hidden", "n", "3"))
		mustLack(t, r, inEN("decide.ballot.submit"), "Mia Member</strong>")
		decisionAct(t, joan, link+"/vote", url.Values{"position": {"object"}, "reason": {"Too loud on Sundays."}}, "decide_voted")
		// Two ballots: the results so far would give them away.
		r = openPage(t, kim, link)
		mustContain(t, r, inEN("decide.voters.hidden", "n", "3"), inEN("decide.result.title_live"), inEN("decide.result.waiting", "n", "3"))
		mustLack(t, r, "Too loud on Sundays.")
		decisionAct(t, w.memb, link+"/vote", url.Values{"position": {"agree"}}, "decide_voted")
		// Three voted: their names, never their ballots; the results so
		// far with the reason, without a name.
		r = openPage(t, kim, link)
		mustContain(t, r, "<li><strong>Joan</strong></li>", "<li><strong>Mia Member</strong></li>", "<li><strong>Mo Moderator</strong></li>",
			inEN("decide.voters.secret"), `<strong>Object</strong>: <q>Too loud on Sundays.</q>`)
		mustLack(t, r, "Joan</strong>:", inEN("decide.voters.hidden", "n", "3"))

		// Results hidden until closing: not in the page at all.
		f = decisionForm(decide.Score, w.clock.now().Add(2*time.Hour), "Soup", "Salad")
		f.Set("secrecy", "hidden")
		link = w.openVote(f)
		ids := ballotIDs(t, openPage(t, w.core, link), "value")
		decisionAct(t, w.core, link+"/vote", ballot(ids, map[string]string{"Soup": "5", "Salad": "1"}), "decide_voted")
		decisionAct(t, joan, link+"/vote", ballot(ids, map[string]string{"Soup": "4"}), "decide_voted")
		r = openPage(t, kim, link)
		mustContain(t, r, inEN("decide.result.hidden"))
		mustLack(t, r, `class="result-table"`, inEN("decide.result.winner", "options", "Soup"), inEN("decide.result.steps"))
		// A secret ballot cannot be found again, even by its voter.
		mustLack(t, openPage(t, w.core, link), `value="5" checked`)
		// The closing time passes; the first reader's request closes it.
		w.clock.forward(3 * time.Hour)
		r = openPage(t, kim, link)
		mustContain(t, r, inEN("decide.state.closed"), inEN("decide.result.title"), inEN("decide.result.winner", "options", "Soup"))
		mustLack(t, r, inEN("decide.result.hidden"), inEN("decide.ballot.submit"))
		if r := kim.postForm(link+"/vote", ballot(ids, map[string]string{"Salad": "5"})); r.Status != http.StatusConflict {
			t.Errorf("a vote after closing: %d", r.Status)
		}
	})
}

// City-wide decisions: stewards start them; every confirmed account votes,
// in a district only who declares to live there; the list of the city
// groups them.
func TestDecisionCityWide(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newDecideWorld(t, db)
		stewardB := w.loggedIn(steward, "en")
		if r := w.core.get("/decisions/new"); r.Status != http.StatusForbidden {
			t.Errorf("a member opens the city's form: %d", r.Status)
		}
		r := openPage(t, w.core, "/decisions")
		mustLack(t, r, inEN("decide.index.new"), `href="/budgets/new"`)
		r = openPage(t, stewardB, "/decisions")
		mustContain(t, r, inEN("decide.index.new"), `href="/decisions/new"`, `href="/budgets/new"`, inEN("decide.list.no_budgets"))

		form := openPage(t, stewardB, "/decisions/new")
		mustContain(t, form, `<option value="noord">`+inEN("atlas.district.noord")+`</option>`, inEN("decide.form.whole_city"))
		mustLack(t, form, `name="circles"`)
		f := decisionForm(decide.Majority, w.clock.now().Add(7*24*time.Hour))
		f.Del("circles")
		f.Del("visibility")
		f.Set("title", "Een bankje op het plein")
		f.Set("language", "nl")
		f.Set("district", "noord")
		f.Set("quorum", "10")
		decisionRefused(t, stewardB, "/decisions/new", f, http.StatusUnprocessableEntity, msgs.T("en", "field.decide.quorum_district"))
		f.Del("quorum")
		link := w.propose(stewardB, "/decisions/new", f)
		decisionAct(t, stewardB, link+"/publish", nil, "decide_published")
		r = openPage(t, w.browser("en"), link)
		mustContain(t, r, inEN("decide.page.district", "district", inEN("atlas.district.noord")), inEN("decide.rule.district", "district", inEN("atlas.district.noord")))
		decisionAct(t, stewardB, link+"/open", nil, "decide_opened")

		// A visitor is asked to log in; a member must declare where they live.
		mustContain(t, openPage(t, w.browser("en"), link), inEN("decide.ballot.sign_in"))
		r = openPage(t, w.core, link)
		mustContain(t, r, inEN("decide.ballot.lives_there", "district", inEN("atlas.district.noord")))
		r = decisionRefused(t, w.core, link+"/vote", url.Values{"position": {"yes"}}, http.StatusUnprocessableEntity,
			msgs.T("en", "field.decide.district_declaration"))
		mustContain(t, r, `id="lives_there-error"`, `value="yes" checked`)
		decisionAct(t, w.core, link+"/vote", url.Values{"position": {"yes"}, "lives_there": {"1"}}, "decide_voted")
		// Changing an open ballot keeps the declaration ticked.
		mustContain(t, openPage(t, w.core, link), `name="lives_there" value="1" checked`)

		r = openPage(t, w.browser("en"), "/decisions")
		mustContain(t, r, inEN("decide.list.open"), `<a href="`+link+`" lang="nl">Een bankje op het plein</a>`,
			inEN("atlas.district.noord"), html(msgs.N("en", "decide.list.cast_n", 1)))
		// The main navigation leads here.
		mustContain(t, r, `<a href="/decisions" aria-current="page">`+inEN("nav.decisions")+`</a>`)
	})
}

// The pages in Dutch and in English: the interface in the reader's
// language, the proposal in its author's, marked as such.
func TestDecisionPagesInBothLanguages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newDecideWorld(t, db)
		f := decisionForm(decide.Schulze, w.clock.now().Add(7*24*time.Hour), "Appels", "Peren")
		f.Set("language", "nl")
		f.Set("title", "Welk fruit?")
		link := w.openVote(f)
		for _, lang := range []string{"nl", "en"} {
			b := w.loggedIn(moderator, lang)
			tr := func(key string, args ...any) string { return html(msgs.T(lang, key, args...)) }
			r := openPage(t, b, link)
			mustContain(t, r, `<html lang="`+lang+`">`, `<h1 lang="nl">Welk fruit?</h1>`, tr("decide.ballot.rank_legend"),
				tr("decide.method_rule.schulze"), tr("decide.secrecy_about.open"), `<label for="value.`)
			r = openPage(t, b, "/workspaces/"+w.slug+"/decisions")
			mustContain(t, r, tr("decide.workspace.title"), tr("decide.list.open"), tr("decide.state.voting"), tr("decide.method.schulze"))
			r = openPage(t, b, "/workspaces/"+w.slug+"/decisions/new")
			mustContain(t, r, tr("decide.new.title"), tr("decide.form.options_hint"), tr("decide.form.language.legend"),
				`value="`+lang+`" checked`) // the page's language by default
			r = openPage(t, b, "/decisions")
			mustContain(t, r, tr("decide.index.intro"), tr("decide.list.budgets"))
		}
	})
}
