package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	htmlstd "html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"samen/internal/account"
	"samen/internal/assess"
	"samen/internal/demo"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// Assessments as their users meet them: a steward prepares one, two
// independent reviewers score it without seeing each other's scores, the
// provider adds a self-assessment that is shown but never counted, a
// difference is settled in writing, the steward publishes, the provider
// replies; scripts read the framework and the scorecards as JSON; visitors
// read the methodology and compare scorecards.

// asAPIAssessment is the answer of GET /api/v1/assessments/{id} (and, in
// part, each item of GET /api/v1/assessments).
type asAPIAssessment struct {
	ID               int64          `json:"id"`
	Href             string         `json:"href"`
	Subject          assess.Subject `json:"subject"`
	FrameworkVersion string         `json:"framework_version"`
	Status           string         `json:"status"`
	Example          bool           `json:"example"`
	PublishedAt      *time.Time     `json:"published_at"`
	Renews           *int64         `json:"renews"`
	Gates            string         `json:"gates"`
	Total            *float64       `json:"total"`
	Groups           []struct {
		Group    string   `json:"group"`
		Score    *float64 `json:"score"`
		Known    int      `json:"known"`
		Criteria int      `json:"criteria"`
	} `json:"groups"`
	Reviewers []struct {
		Name      string     `json:"name"`
		Self      bool       `json:"self_assessment"`
		Submitted *time.Time `json:"submitted_at"`
	} `json:"reviewers"`
	Criteria []asAPICriterion `json:"criteria"`
}

type asAPICriterion struct {
	Criterion  string `json:"criterion"`
	Score      *int   `json:"score"`
	Confidence string `json:"confidence"`
	Flagged    bool   `json:"flagged"`
	Settled    bool   `json:"settled"`
	Reason     string `json:"settlement_reason"`
	Gate       string `json:"gate"`
	Reviews    []struct {
		Reviewer   string            `json:"reviewer"`
		Self       bool              `json:"self_assessment"`
		Score      *int              `json:"score"`
		Reason     string            `json:"reason"`
		Confidence string            `json:"confidence"`
		Evidence   []assess.Evidence `json:"evidence"`
	} `json:"reviews"`
	Reply string `json:"provider_reply"`
}

func (a asAPIAssessment) criterion(t *testing.T, id string) asAPICriterion {
	t.Helper()
	for _, c := range a.Criteria {
		if c.Criterion == id {
			return c
		}
	}
	t.Fatalf("assessment %d has no criterion %s", a.ID, id)
	return asAPICriterion{}
}

// asFramework reads a framework version ("" for the newest) as scripts do.
func asFramework(t *testing.T, s *site, version string) assess.Framework {
	t.Helper()
	path := "/assessment/framework"
	if version != "" {
		path += "?version=" + url.QueryEscape(version)
	}
	r := s.script("", "en").call(http.MethodGet, path, "")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/v1%s: %d; body:\n%s", path, r.Status, r.Body)
	}
	var f assess.Framework
	r.JSON(t, &f)
	return f
}

// asGet reads one assessment over the API with a token ("" for anonymous).
func asGet(t *testing.T, s *site, token string, id int64) asAPIAssessment {
	t.Helper()
	r := s.script(token, "en").call(http.MethodGet, "/assessments/"+strconv.FormatInt(id, 10), "")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/v1/assessments/%d: %d; body:\n%s", id, r.Status, r.Body)
	}
	var a asAPIAssessment
	r.JSON(t, &a)
	return a
}

// asPublishedIDs lists the ids GET /api/v1/assessments gives anyone.
func asPublishedIDs(t *testing.T, s *site) []int64 {
	t.Helper()
	r := s.script("", "en").call(http.MethodGet, "/assessments", "")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/v1/assessments: %d; body:\n%s", r.Status, r.Body)
	}
	var list struct {
		Assessments []asAPIAssessment `json:"assessments"`
	}
	r.JSON(t, &list)
	var ids []int64
	for _, a := range list.Assessments {
		if a.Status != "published" || a.PublishedAt == nil {
			t.Errorf("the public list has assessment %d with status %q, published %v", a.ID, a.Status, a.PublishedAt)
		}
		ids = append(ids, a.ID)
	}
	slices.Sort(ids)
	return ids
}

// asPerson adds a member account and returns its login.
func asPerson(t *testing.T, s *site, email, name string, role account.Role) demo.Account {
	t.Helper()
	if _, err := s.Accounts.Add(context.Background(), account.NewUser{Email: email, Name: name, Password: goodPassword, Role: role, Language: "en"}); err != nil {
		t.Fatalf("adding %s: %v", email, err)
	}
	return demo.Account{Email: email, Password: goodPassword, Role: role}
}

// asScores fills the score form for every criterion, as a reviewer who
// has done the work: a level, a reason that starts with mark, a
// confidence and two lines of evidence.
func asScores(f assess.Framework, mark string, level func(id string) string) url.Values {
	v := url.Values{}
	for _, c := range f.Criteria() {
		v.Set(c.ID+".level", level(c.ID))
		v.Set(c.ID+".reason", mark+"-"+c.ID+" the sources say so")
		v.Set(c.ID+".confidence", "medium")
		v.Set(c.ID+".evidence", "https://example.org/"+c.ID+" Public page on "+c.ID+"\nhttps://example.org/docs")
	}
	return v
}

func asOnly(v url.Values, ids ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		crit := k[:strings.LastIndex(k, ".")]
		if slices.Contains(ids, crit) {
			out[k] = vs
		}
	}
	return out
}

func asWith(v url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	out.Set(key, value)
	return out
}

var (
	asCreatedRE     = regexp.MustCompile(`^/assessments/(\d+)\?notice=assessment_created$`)
	asRenewedRE     = regexp.MustCompile(`^/assessments/(\d+)\?notice=assessment_renewed$`)
	asSummaryRE     = regexp.MustCompile(`(?s)<div class="error-summary"[^>]*>.*?</ul>`)
	asSummaryLinkRE = regexp.MustCompile(`<a href="#([^"]*)">([^<]*)</a>`)
	asRadarRE       = regexp.MustCompile(`<svg [^>]*role="img"[^>]*aria-label="[^"]+"`)
)

// asSummary returns the error summary's links: target id -> text.
func asSummary(t *testing.T, r *response) map[string]string {
	t.Helper()
	box := asSummaryRE.FindString(r.Body)
	if box == "" {
		t.Fatalf("status %d without an error summary; body:\n%s", r.Status, r.Body)
	}
	out := map[string]string{}
	for _, m := range asSummaryLinkRE.FindAllStringSubmatch(box, -1) {
		out[htmlstd.UnescapeString(m[1])] = htmlstd.UnescapeString(m[2])
	}
	return out
}

// asSummaryLinksLand checks every link of the error summary goes to an
// element on the page, so that following it takes the reader to the
// problem.
func asSummaryLinksLand(t *testing.T, r *response) {
	t.Helper()
	for target := range asSummary(t, r) {
		if !strings.Contains(r.Body, `id="`+target+`"`) {
			t.Errorf("the error summary links #%s, but nothing on the page has that id", target)
		}
	}
}

// asCriterionHTML is one criterion's part of a scorecard.
func asCriterionHTML(t *testing.T, r *response, id string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)<article class="criterion" aria-labelledby="c-` + regexp.QuoteMeta(id) + `">.*?</article>`)
	part := re.FindString(r.Body)
	if part == "" {
		t.Fatalf("no criterion %s on the scorecard; body:\n%s", id, r.Body)
	}
	return part
}

func asLacks(t *testing.T, r *response, what string, texts ...string) {
	t.Helper()
	for _, x := range texts {
		if strings.Contains(r.Body, x) {
			t.Errorf("%s shows %q", what, x)
		}
	}
}

func asStatus(t *testing.T, r *response, want int, what string) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("%s: status %d, want %d; body:\n%s", what, r.Status, want, r.Body)
	}
}

func asRedirect(t *testing.T, r *response, want, what string) {
	t.Helper()
	if r.Status != http.StatusSeeOther || r.Location() != want {
		t.Fatalf("%s: status %d to %q, want 303 to %q; body:\n%s", what, r.Status, r.Location(), want, r.Body)
	}
}

// A whole assessment through the pages, from the draft to the provider's
// reply and the renewal.
func TestAssessReviewWorkflow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		rita := asPerson(t, s, "rita@example.org", "Rita Reviewer", account.Member)
		rob := asPerson(t, s, "rob@example.org", "Rob Reviewer", account.Member)
		paula := asPerson(t, s, "paula@example.org", "Paula Provider", account.Member)
		boss := s.loggedIn(steward, "en")
		ritaB, robB, paulaB := s.loggedIn(rita, "en"), s.loggedIn(rob, "en"), s.loggedIn(paula, "en")
		stranger := s.loggedIn(member, "en")
		anon := s.browser("en")
		f := asFramework(t, s, "")
		if len(f.Criteria()) != 25 {
			t.Fatalf("the framework has %d criteria, want 25", len(f.Criteria()))
		}
		bossToken, ritaToken := s.tokenFor(steward.Email), s.tokenFor(rita.Email)
		const flagged, near = "openness.standards", "governance.ownership"

		var id int64
		var path string
		step := func(name string, fn func(t *testing.T)) {
			if !t.Run(name, fn) {
				t.FailNow()
			}
		}

		step("bad drafts", func(t *testing.T) {
			nl := s.loggedIn(steward, "nl")
			r := nl.postForm("/assessments/new", url.Values{"name": {""}, "tool": {""}, "kind": {"rocket"}})
			asStatus(t, r, http.StatusUnprocessableEntity, "a draft without name of kind rocket")
			mustContain(t, r, `<html lang="nl">`)
			sum := asSummary(t, r)
			if sum["name"] != msgs.T("nl", "field.name.or_tool") || sum["kind"] != msgs.T("nl", "field.choice.unknown") {
				t.Errorf("error summary %v, want #name %q and #kind %q", sum, msgs.T("nl", "field.name.or_tool"), msgs.T("nl", "field.choice.unknown"))
			}
			asSummaryLinksLand(t, r)

			r = boss.postForm("/assessments/new", url.Values{"tool": {"no-such-tool"}, "kind": {"software"}})
			asStatus(t, r, http.StatusUnprocessableEntity, "a draft of a tool not in the catalogue")
			if sum := asSummary(t, r); sum["tool"] != msgs.T("en", "field.tool.unknown") {
				t.Errorf("error summary %v, want #tool", sum)
			}
			asSummaryLinksLand(t, r)

			asStatus(t, stranger.postForm("/assessments/new", url.Values{"name": {"Mine"}, "kind": {"software"}}), http.StatusForbidden, "a member drafting")
			asStatus(t, stranger.get("/assessments/new"), http.StatusForbidden, "a member opening the draft form")
			if n := len(s.auditEntries("assessment.create")); n != 2 {
				t.Errorf("%d assessment.create entries after refused drafts, want the demo's 2", n)
			}
		})

		step("draft", func(t *testing.T) {
			r := boss.get("/assessments/new")
			asStatus(t, r, http.StatusOK, "the draft form")
			mustContain(t, r, `<option value="nextcloud"`)
			r = boss.postForm("/assessments/new", url.Values{"tool": {"nextcloud"}, "name": {""}, "kind": {"software"},
				"description.en": {"Nextcloud as a cooperative would run it."}})
			m := asCreatedRE.FindStringSubmatch(r.Location())
			if r.Status != http.StatusSeeOther || m == nil {
				t.Fatalf("creating: status %d to %q; body:\n%s", r.Status, r.Location(), r.Body)
			}
			id, _ = strconv.ParseInt(m[1], 10, 64)
			path = "/assessments/" + m[1]
			if id <= 2 {
				t.Errorf("new assessment id %d, want one after the demo's", id)
			}
			r = boss.get(r.Location())
			asStatus(t, r, http.StatusOK, "the new draft")
			// The catalogue gave the name and the website.
			mustContain(t, r, "<h1>Nextcloud</h1>", `href="https://nextcloud.com"`, html(msgs.T("en", "assess.status.draft")),
				`action="`+path+`/provider"`, `action="`+path+`/reviewers"`, `action="`+path+`/start"`)

			// A draft is the steward's business.
			asStatus(t, anon.get(path), http.StatusNotFound, "anonymous on a draft")
			asStatus(t, stranger.get(path), http.StatusNotFound, "an unrelated member on a draft")
			apiErrorOf(t, s.script("", "en").call(http.MethodGet, "/assessments/"+m[1], ""), http.StatusNotFound)
			if ids := asPublishedIDs(t, s); !slices.Equal(ids, []int64{1, 2}) {
				t.Errorf("published assessments %v, want the demo's [1 2]", ids)
			}
		})

		step("provider and reviewers", func(t *testing.T) {
			asRedirect(t, boss.postForm(path+"/provider", url.Values{"provider": {paula.Email}}), path+"?notice=assessment_provider", "setting the provider")
			r := boss.postForm(path+"/reviewers", url.Values{"reviewer": {paula.Email}})
			asStatus(t, r, http.StatusUnprocessableEntity, "the provider as reviewer")
			mustContain(t, r, html(msgs.T("en", "field.reviewer.is_provider")))
			r = boss.postForm(path+"/reviewers", url.Values{"reviewer": {"nobody@example.org"}})
			asStatus(t, r, http.StatusUnprocessableEntity, "a reviewer without an account")
			mustContain(t, r, html(msgs.T("en", "field.editor.no_account")))
			r = boss.postForm(path+"/start", nil)
			asStatus(t, r, http.StatusUnprocessableEntity, "starting without reviewers")
			mustContain(t, r, html(msgs.T("en", "field.reviewer.too_few")))

			for _, who := range []string{rita.Email, rob.Email} {
				asRedirect(t, boss.postForm(path+"/reviewers", url.Values{"reviewer": {who}}), path+"?notice=assessment_reviewer_added", "adding "+who)
			}
			r = boss.postForm(path+"/provider", url.Values{"provider": {rob.Email}})
			asStatus(t, r, http.StatusUnprocessableEntity, "a reviewer as provider")
			mustContain(t, r, html(msgs.T("en", "field.provider.is_reviewer")))
			asStatus(t, stranger.postForm(path+"/reviewers", url.Values{"reviewer": {member.Email}}), http.StatusForbidden, "a member adding a reviewer")

			// The work shows in each reviewer's queue.
			mustContain(t, ritaB.get("/assessments"), `id="work-title"`, `<a href="`+path+`">Nextcloud</a>`)
			asLacks(t, stranger.get("/assessments"), "an unrelated member's list", `href="`+path+`"`)

			// Before the review opens, reviewers may look but not score.
			asStatus(t, ritaB.get(path), http.StatusOK, "a reviewer on the draft")
			asStatus(t, ritaB.get(path+"/review"), http.StatusConflict, "the review form of a draft")
			asRedirect(t, boss.postForm(path+"/start", nil), path+"?notice=assessment_review_started", "opening the review")
			r = boss.get(path)
			mustContain(t, r, html(msgs.T("en", "assess.status.review")), "Rita Reviewer", "Rob Reviewer")
			asStatus(t, anon.get(path), http.StatusNotFound, "anonymous in review")
			asStatus(t, stranger.get(path), http.StatusNotFound, "an unrelated member in review")
			asStatus(t, stranger.get(path+"/review"), http.StatusNotFound, "an unrelated member's review form")
		})

		// Rita and Rob agree but on two criteria: on one they differ by
		// one (the lower counts), on the other by two (flagged).
		ritaScores := asScores(f, "RITA", func(c string) string {
			switch c {
			case flagged:
				return "1"
			case near:
				return "2"
			}
			return "3"
		})
		robScores := asScores(f, "ZEBRA", func(string) string { return "3" })

		step("drafts and an incomplete submission", func(t *testing.T) {
			r := ritaB.get(path + "/review")
			asStatus(t, r, http.StatusOK, "Rita's review form")
			for _, c := range f.Criteria() {
				mustContain(t, r, `name="`+c.ID+`.level"`, `name="`+c.ID+`.reason"`, `name="`+c.ID+`.confidence"`, `name="`+c.ID+`.evidence"`)
			}
			part := asWith(asOnly(ritaScores, near, flagged), "submit", "no")
			asRedirect(t, ritaB.postForm(path+"/review", part), path+"/review?notice=review_saved", "Rita saving a draft")
			r = ritaB.get(path + "/review")
			mustContain(t, r, "RITA-"+near, `id="`+flagged+`-1" name="`+flagged+`.level" value="1" checked`)

			r = robB.postForm(path+"/review", asWith(asOnly(robScores, near, flagged, "openness.licence"), "submit", "yes"))
			asStatus(t, r, http.StatusUnprocessableEntity, "Rob submitting three criteria of 25")
			sum := asSummary(t, r)
			for _, c := range f.Criteria() {
				given := c.ID == near || c.ID == flagged || c.ID == "openness.licence"
				if _, named := sum[c.ID+".level"]; named == given {
					t.Errorf("criterion %s given %v, named in the error summary %v", c.ID, given, named)
				}
			}
			if len(sum) != 22 {
				t.Errorf("the error summary has %d links, want the 22 missing criteria", len(sum))
			}
			asSummaryLinksLand(t, r)
			// What Rob typed is still there.
			mustContain(t, r, "ZEBRA-"+near)
		})

		step("Rob submits", func(t *testing.T) {
			asRedirect(t, robB.postForm(path+"/review", asWith(robScores, "submit", "yes")), path+"?notice=review_submitted", "Rob submitting")
			asStatus(t, robB.get(path+"/review"), http.StatusConflict, "Rob's review form after submitting")
			r := robB.postForm(path+"/review", asWith(robScores, "submit", "yes"))
			if r.Status == http.StatusSeeOther {
				t.Error("Rob submitted twice")
			}
		})

		step("independence", func(t *testing.T) {
			// Rita has not submitted: she sees nothing of Rob's, nor where
			// the consensus stands.
			for _, p := range []string{path, path + "/review"} {
				r := ritaB.get(p)
				asStatus(t, r, http.StatusOK, "Rita on "+p)
				asLacks(t, r, "Rita's "+p+" before she submitted", "ZEBRA", html(msgs.T("en", "assess.flagged")), `id="result-title"`, `/settle"`)
			}
			a := asGet(t, s, ritaToken, id)
			for _, c := range a.Criteria {
				for _, rv := range c.Reviews {
					if rv.Reviewer != "Rita Reviewer" {
						t.Fatalf("the API shows Rita, before she submitted, %s's review of %s: %+v", rv.Reviewer, c.Criterion, rv)
					}
				}
			}
			if a.Total != nil || a.Gates != "" || len(a.Groups) != 0 {
				t.Errorf("the API shows Rita, before she submitted, where the consensus stands: total %v, gates %q, groups %+v", show(a.Total), a.Gates, a.Groups)
			}
			if a.criterion(t, flagged).Flagged {
				t.Error("the API tells Rita which criterion is flagged before she submitted")
			}
			// Nor may she settle yet.
			r := ritaB.postForm(path+"/settle", url.Values{"criterion": {flagged}, "level": {"2"}, "reason": {"early"}, "confidence": {"low"}})
			asStatus(t, r, http.StatusForbidden, "Rita settling before she submitted")

			asRedirect(t, ritaB.postForm(path+"/review", asWith(ritaScores, "submit", "yes")), path+"?notice=review_submitted", "Rita submitting")
			r = ritaB.get(path)
			mustContain(t, r, "ZEBRA-"+near, "RITA-"+near, `id="result-title"`)
			if !asGet(t, s, ritaToken, id).criterion(t, flagged).Flagged {
				t.Error("after submitting, the API does not show Rita the flag")
			}
		})

		step("self-assessment", func(t *testing.T) {
			before := asGet(t, s, bossToken, id)
			r := paulaB.get(path + "/review")
			asStatus(t, r, http.StatusOK, "the provider's self-assessment form")
			mustContain(t, r, html(msgs.T("en", "assess.review.self_title")))
			asLacks(t, r, "the provider's form", "ZEBRA", "RITA-")
			self := asScores(f, "PELICAN", func(string) string { return "4" })
			asRedirect(t, paulaB.postForm(path+"/review", asWith(self, "submit", "yes")), path+"?notice=review_submitted", "the provider submitting")
			// The provider sees their own claims, not the reviewers'.
			r = paulaB.get(path)
			mustContain(t, r, "PELICAN-"+near)
			asLacks(t, r, "the provider's scorecard in review", "ZEBRA", "RITA-", `id="result-title"`)

			after := asGet(t, s, bossToken, id)
			for i, c := range after.Criteria {
				b := before.Criteria[i]
				if !equalPtr(c.Score, b.Score) || c.Flagged != b.Flagged {
					t.Errorf("%s: the self-assessment changed the consensus from %v to %v", c.Criterion, show(b.Score), show(c.Score))
				}
			}
			if !equalPtr(after.Total, before.Total) || after.Gates != before.Gates {
				t.Errorf("the self-assessment changed the total %v -> %v or the gates %q -> %q", show(before.Total), show(after.Total), before.Gates, after.Gates)
			}
			selfShown := false
			for _, rv := range after.Criteria[0].Reviews {
				if rv.Self {
					selfShown = rv.Reviewer == "Paula Provider" && rv.Score != nil && *rv.Score == 4
				}
			}
			if !selfShown {
				t.Errorf("the API does not show the self-assessment beside the reviews: %+v", after.Criteria[0].Reviews)
			}

			r = boss.get(path)
			part := asCriterionHTML(t, r, near)
			if !strings.Contains(part, html(msgs.T("en", "assess.self_assessment"))) || !strings.Contains(part, "PELICAN-"+near) {
				t.Errorf("the scorecard does not show the self-assessment marked as such:\n%s", part)
			}
			if !strings.Contains(part, "2 / 4") {
				t.Errorf("the consensus of %s (Rita 2, Rob 3, provider 4) is not 2:\n%s", near, part)
			}
		})

		step("flag, settle, publish", func(t *testing.T) {
			r := boss.get(path)
			part := asCriterionHTML(t, r, flagged)
			if !strings.Contains(part, html(msgs.T("en", "assess.flagged"))) {
				t.Errorf("the scorecard does not flag %s (Rita 1, Rob 3):\n%s", flagged, part)
			}
			mustContain(t, r, `<input type="hidden" name="criterion" value="`+flagged+`">`)
			if strings.Contains(r.Body, `action="`+path+`/publish"`) {
				t.Error("the scorecard offers to publish with a criterion unsettled")
			}

			r = boss.postForm(path+"/publish", nil)
			if r.Status == http.StatusSeeOther {
				t.Fatal("published with a flagged criterion unsettled")
			}
			asStatus(t, r, http.StatusUnprocessableEntity, "publishing unsettled")
			mustContain(t, r, html(msgs.T("en", "error.assess.not_ready")))
			asStatus(t, ritaB.postForm(path+"/publish", nil), http.StatusForbidden, "a reviewer publishing")

			r = ritaB.postForm(path+"/settle", url.Values{"criterion": {flagged}, "level": {"2"}, "reason": {"  "}, "confidence": {"medium"}})
			asStatus(t, r, http.StatusUnprocessableEntity, "settling without a reason")
			mustContain(t, r, html(msgs.T("en", "field.required")))
			r = boss.postForm(path+"/settle", url.Values{"criterion": {near}, "level": {"2"}, "reason": {"no"}, "confidence": {"medium"}})
			asStatus(t, r, http.StatusUnprocessableEntity, "settling a criterion that is not flagged")
			mustContain(t, r, html(msgs.T("en", "field.criterion.not_flagged")))
			asStatus(t, paulaB.postForm(path+"/settle", url.Values{"criterion": {flagged}, "level": {"4"}, "reason": {"mine"}}), http.StatusForbidden, "the provider settling")

			const reason = "Both read the same spec: ActivityPub is partly supported (KESTREL)."
			asRedirect(t, ritaB.postForm(path+"/settle", url.Values{"criterion": {flagged}, "level": {"2"}, "reason": {reason}, "confidence": {"medium"}}),
				path+"?notice=assessment_settled", "Rita settling")
			r = boss.get(path)
			part = asCriterionHTML(t, r, flagged)
			if !strings.Contains(part, html(msgs.T("en", "assess.settled", "reason", reason))) || !strings.Contains(part, "2 / 4") {
				t.Errorf("the settled criterion does not show the settlement:\n%s", part)
			}
			mustContain(t, r, `action="`+path+`/publish"`)
			asStatus(t, paulaB.postForm(path+"/reply", url.Values{"criterion": {flagged}, "reply": {"too early"}}), http.StatusForbidden, "a reply before publication")

			asRedirect(t, boss.postForm(path+"/publish", nil), path+"?notice=assessment_published", "publishing")
			if ids := asPublishedIDs(t, s); !slices.Equal(ids, []int64{1, 2, id}) {
				t.Errorf("published assessments %v, want [1 2 %d]", ids, id)
			}
		})

		step("public scorecard and reply", func(t *testing.T) {
			r := anon.get(path)
			asStatus(t, r, http.StatusOK, "the published scorecard for anyone")
			if !asRadarRE.MatchString(r.Body) {
				t.Error("the scorecard has no radar chart as an image with a label")
			}
			mustContain(t, r, "<caption>"+html(msgs.T("en", "assess.group_scores"))+"</caption>",
				"ZEBRA-"+near, "RITA-"+near, "PELICAN-"+near, html(msgs.T("en", "assess.self_assessment")),
				html(msgs.T("en", "assess.status.published")), `href="https://example.org/`+near+`"`)
			for _, g := range f.Groups {
				mustContain(t, r, `<a href="#group-`+g.ID+`">`+html(g.Name.EN)+`</a>`)
			}

			const reply = "We support ActivityPub fully since version 28 (OSPREY)."
			asRedirect(t, paulaB.postForm(path+"/reply", url.Values{"criterion": {flagged}, "reply": {reply}}), path+"?notice=assessment_replied", "the provider replying")
			part := asCriterionHTML(t, anon.get(path), flagged)
			if !strings.Contains(part, html(reply)) || !strings.Contains(part, html(msgs.T("en", "assess.reply"))) {
				t.Errorf("the reply is not beside the score:\n%s", part)
			}
			r = ritaB.postForm(path+"/reply", url.Values{"criterion": {near}, "reply": {"I reply too"}})
			asStatus(t, r, http.StatusForbidden, "a reviewer replying")
			if strings.Contains(anon.get(path).Body, "I reply too") {
				t.Error("a reviewer's reply is shown")
			}
			asStatus(t, robB.get(path+"/review"), http.StatusConflict, "the review form of a published assessment")
		})

		step("API", func(t *testing.T) {
			a := asGet(t, s, "", id)
			if a.Subject.Name != "Nextcloud" || a.Subject.Tool != "nextcloud" || a.Subject.Kind != "software" || a.FrameworkVersion != "1.0.0" ||
				a.Status != "published" || a.Example || a.Gates != assess.GatePass || a.Total == nil {
				t.Errorf("assessment %+v", a)
			}
			var names []string
			for _, rv := range a.Reviewers {
				if rv.Submitted == nil {
					t.Errorf("reviewer %q without submitted_at", rv.Name)
				}
				names = append(names, fmt.Sprintf("%s/%v", rv.Name, rv.Self))
			}
			slices.Sort(names)
			if want := []string{"Paula Provider/true", "Rita Reviewer/false", "Rob Reviewer/false"}; !slices.Equal(names, want) {
				t.Errorf("reviewers %v, want %v", names, want)
			}
			if len(a.Groups) != len(f.Groups) || len(a.Criteria) != 25 {
				t.Fatalf("%d groups, %d criteria", len(a.Groups), len(a.Criteria))
			}
			for i, g := range a.Groups {
				if g.Group != f.Groups[i].ID || g.Score == nil || g.Known != g.Criteria || g.Criteria != len(f.Groups[i].Criteria) {
					t.Errorf("group %+v", g)
				}
			}
			for _, c := range a.Criteria {
				if len(c.Reviews) != 3 {
					t.Errorf("%s has %d reviews, want Rita's, Rob's and the self-assessment", c.Criterion, len(c.Reviews))
				}
				for _, rv := range c.Reviews {
					if rv.Score == nil || rv.Confidence != "medium" || len(rv.Evidence) != 2 ||
						rv.Evidence[0] != (assess.Evidence{URL: "https://example.org/" + c.Criterion, Title: "Public page on " + c.Criterion}) ||
						rv.Evidence[1] != (assess.Evidence{URL: "https://example.org/docs"}) || !strings.Contains(rv.Reason, c.Criterion) {
						t.Errorf("%s: review %+v", c.Criterion, rv)
					}
				}
			}
			if c := a.criterion(t, flagged); !c.Flagged || !c.Settled || c.Score == nil || *c.Score != 2 || !strings.Contains(c.Reason, "KESTREL") || !strings.Contains(c.Reply, "OSPREY") {
				t.Errorf("%s: %+v", flagged, c)
			}
			if c := a.criterion(t, near); c.Flagged || c.Score == nil || *c.Score != 2 || c.Confidence != "medium" {
				t.Errorf("%s: %+v", near, c)
			}
			if c := a.criterion(t, "openness.licence"); c.Gate != assess.GatePass {
				t.Errorf("openness.licence gate %q", c.Gate)
			}
		})

		step("renew", func(t *testing.T) {
			asStatus(t, ritaB.postForm(path+"/renew", nil), http.StatusForbidden, "a reviewer renewing")
			r := boss.postForm(path+"/renew", nil)
			m := asRenewedRE.FindStringSubmatch(r.Location())
			if r.Status != http.StatusSeeOther || m == nil {
				t.Fatalf("renewing: status %d to %q; body:\n%s", r.Status, r.Location(), r.Body)
			}
			r = boss.get(r.Location())
			asStatus(t, r, http.StatusOK, "the renewal")
			mustContain(t, r, html(msgs.T("en", "notice.assessment_renewed")), html(msgs.T("en", "assess.status.draft")),
				`<a href="`+path+`">`+html(msgs.T("en", "assess.previous"))+`</a>`)
			nid, _ := strconv.ParseInt(m[1], 10, 64)
			if a := asGet(t, s, bossToken, nid); a.Renews == nil || *a.Renews != id || a.Status != "draft" || a.Subject.Tool != "nextcloud" {
				t.Errorf("the renewal %+v", a)
			}
			asStatus(t, anon.get("/assessments/"+m[1]), http.StatusNotFound, "anonymous on the renewal's draft")
			apiErrorOf(t, s.script("", "en").call(http.MethodGet, "/assessments/"+m[1], ""), http.StatusNotFound)
			// The old one stands, as history.
			asStatus(t, anon.get(path), http.StatusOK, "the renewed assessment")
			// And the provider stays the provider.
			asStatus(t, paulaB.get("/assessments/"+m[1]), http.StatusOK, "the provider on the renewal")
		})

		step("audit", func(t *testing.T) {
			want := map[string]int{"assessment.create": 2, "assessment.submit": 3, "assessment.settle": 1, "assessment.publish": 1}
			for action, n := range want {
				got := 0
				for _, e := range s.auditEntries(action) {
					if e.SubjectType == "assessment" && e.SubjectID == strconv.FormatInt(id, 10) {
						got++
					}
					if action == "assessment.create" && e.Detail["previous"] == float64(id) {
						got++
					}
				}
				if got != n {
					t.Errorf("%d %s entries for assessment %d, want %d", got, action, id, n)
				}
			}
			e := s.auditEntries("assessment.publish")[0]
			if e.ActorID != s.userID(steward.Email) || e.Detail["gates"] != "pass" {
				t.Errorf("the publish entry %+v", e)
			}
			e = s.auditEntries("assessment.settle")[0]
			if e.ActorID != s.userID(rita.Email) || e.Detail["criterion"] != flagged {
				t.Errorf("the settle entry %+v", e)
			}
		})
	})
}

func equalPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func show[T any](p *T) any {
	if p == nil {
		return "unknown"
	}
	return *p
}

// The framework, the demo's examples and the comparison as anyone reads
// them; stewards publishing a new framework version.
func TestAssessPublic(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		s.seed()
		anon := s.browser("en")
		api := s.script("", "en")
		f := asFramework(t, s, "")

		t.Run("framework API", func(t *testing.T) {
			if f.Version != "1.0.0" || len(f.Groups) != 8 {
				t.Fatalf("framework %s with %d groups, want 1.0.0 with 8", f.Version, len(f.Groups))
			}
			for _, g := range f.Groups {
				if len(g.Criteria) == 0 || g.Name.NL == "" || g.Name.EN == "" {
					t.Errorf("group %s: %d criteria, name %+v", g.ID, len(g.Criteria), g.Name)
				}
				for _, c := range g.Criteria {
					if len(c.Scale) != 5 {
						t.Errorf("%s has %d levels", c.ID, len(c.Scale))
					}
					for i, l := range c.Scale {
						if l.Level != i || l.Definition.EN == "" || l.Definition.NL == "" {
							t.Errorf("%s level %d: %+v", c.ID, i, l)
						}
					}
				}
			}
			// The raw answer names the scale as the issue asks.
			r := api.call(http.MethodGet, "/assessment/framework?version=1.0.0", "")
			var raw struct {
				Version string `json:"version"`
				Groups  []struct {
					Criteria []struct {
						Scale []json.RawMessage `json:"scale"`
					} `json:"criteria"`
				} `json:"groups"`
			}
			r.JSON(t, &raw)
			if raw.Version != "1.0.0" || len(raw.Groups) != 8 || len(raw.Groups[0].Criteria[0].Scale) != 5 {
				t.Errorf("raw framework: version %q, %d groups", raw.Version, len(raw.Groups))
			}
			e := apiErrorOf(t, api.call(http.MethodGet, "/assessment/framework?version=9.9.9", ""), http.StatusNotFound)
			if e.Error.Code != "assess.not_found" {
				t.Errorf("code %q", e.Error.Code)
			}
		})

		t.Run("demo examples", func(t *testing.T) {
			if ids := asPublishedIDs(t, s); !slices.Equal(ids, []int64{1, 2}) {
				t.Fatalf("published %v, want the demo's [1 2]", ids)
			}
			nc, ny := asGet(t, s, "", 1), asGet(t, s, "", 2)
			if nc.Subject.Name != "Nextcloud" || !nc.Example || nc.Gates != assess.GatePass {
				t.Errorf("Nextcloud: name %q, example %v, gates %q", nc.Subject.Name, nc.Example, nc.Gates)
			}
			if !strings.HasPrefix(ny.Subject.Name, "Namma Yatri") || !ny.Example || ny.Gates != assess.GateFail {
				t.Errorf("Namma Yatri: name %q, example %v, gates %q", ny.Subject.Name, ny.Example, ny.Gates)
			}
			for _, a := range []asAPIAssessment{nc, ny} {
				if len(a.Reviewers) < 2 || len(a.Criteria) != 25 || len(a.Groups) != 8 {
					t.Errorf("%s: %d reviewers, %d criteria, %d groups", a.Subject.Name, len(a.Reviewers), len(a.Criteria), len(a.Groups))
				}
				for _, c := range a.Criteria {
					for _, rv := range c.Reviews {
						if rv.Score != nil && len(rv.Evidence) == 0 {
							t.Errorf("%s %s: %s scored %d without evidence", a.Subject.Name, c.Criterion, rv.Reviewer, *rv.Score)
						}
					}
				}
			}
			for _, lang := range []string{"nl", "en"} {
				r := s.browser(lang).get("/assessments/1")
				asStatus(t, r, http.StatusOK, "the Nextcloud example in "+lang)
				mustContain(t, r, html(msgs.T(lang, "assess.example_note")), html(msgs.T(lang, "assess.gate_result.pass")))
				if !asRadarRE.MatchString(r.Body) {
					t.Errorf("no radar chart in %s", lang)
				}
			}
			r := anon.get("/assessments")
			mustContain(t, r, `href="/assessments/1"`, `href="/assessments/2"`, `name="ids" value="1"`)
			apiErrorOf(t, api.call(http.MethodGet, "/assessments/99", ""), http.StatusNotFound)
			apiErrorOf(t, api.call(http.MethodGet, "/assessments/abc", ""), http.StatusNotFound)
			asStatus(t, anon.get("/assessments/99"), http.StatusNotFound, "an assessment that is not there")
		})

		t.Run("compare", func(t *testing.T) {
			r := anon.get("/assessments/compare?ids=1,2")
			asStatus(t, r, http.StatusOK, "comparing the examples")
			mustContain(t, r, `<a href="/assessments/1">Nextcloud</a>`, `<a href="/assessments/2">`+html("Namma Yatri (Beckn mobility network)")+`</a>`,
				"<table>", "<caption>"+html(msgs.T("en", "assess.group_scores"))+"</caption>")
			if !asRadarRE.MatchString(r.Body) {
				t.Error("the comparison has no radar chart")
			}
			for _, g := range f.Groups {
				mustContain(t, r, `<th scope="row">`+html(g.Name.EN)+`</th>`)
			}
			// The same, chosen with the list's check boxes.
			if r2 := anon.get("/assessments/compare?ids=1&ids=2"); r2.Status != http.StatusOK {
				t.Errorf("ids=1&ids=2: %d", r2.Status)
			}

			r = anon.get("/assessments/compare?ids=1")
			if r.Status < 400 || r.Status >= 500 {
				t.Fatalf("comparing one: status %d", r.Status)
			}
			mustContain(t, r, html(msgs.T("en", "error.assess.compare_count")))
			r = s.browser("nl").get("/assessments/compare?ids=1")
			mustContain(t, r, html(msgs.T("nl", "error.assess.compare_count")))
			for _, q := range []string{"ids=abc", "ids=1,abc", "ids=", "ids=1,2,3,4,5", "ids=1,-2"} {
				if r := anon.get("/assessments/compare?" + q); r.Status < 400 || r.Status >= 500 {
					t.Errorf("%s: status %d, want 4xx", q, r.Status)
				}
			}
			// Only published ones can be compared by anyone.
			if r := anon.get("/assessments/compare?ids=1,99"); r.Status != http.StatusNotFound {
				t.Errorf("comparing with one that is not there: %d", r.Status)
			}
		})

		t.Run("methodology", func(t *testing.T) {
			for _, lang := range []string{"nl", "en"} {
				r := s.browser(lang).get("/assessments/methodology")
				asStatus(t, r, http.StatusOK, "the methodology in "+lang)
				mustContain(t, r, `<html lang="`+lang+`">`, html(f.Title.In(lang)))
				for _, g := range f.Groups {
					mustContain(t, r, `<h2 id="group-`+g.ID+`">`+html(g.Name.In(lang))+`</h2>`)
					for _, c := range g.Criteria {
						if !strings.Contains(r.Body, `<h3 id="c-`+c.ID+`">`+html(c.Name.In(lang))) {
							t.Errorf("the methodology in %s does not name %s (%q)", lang, c.ID, c.Name.In(lang))
						}
					}
				}
				for _, src := range f.Sources {
					mustContain(t, r, html(src.Title))
				}
			}
		})

		t.Run("new framework version", func(t *testing.T) {
			r := api.call(http.MethodGet, "/assessment/framework", "")
			var doc map[string]any
			r.JSON(t, &doc)
			doc["version"] = "1.1.0"
			next, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			same := []byte(r.Body)

			mem := s.loggedIn(member, "en")
			asStatus(t, tbUpload(mem, "/assessments/frameworks/new", "framework.json", next), http.StatusForbidden, "a member uploading a framework")
			asStatus(t, mem.get("/assessments/frameworks/new"), http.StatusForbidden, "a member opening the upload form")

			boss := s.loggedIn(steward, "en")
			asStatus(t, boss.get("/assessments/frameworks/new"), http.StatusOK, "the upload form")
			asRedirect(t, tbUpload(boss, "/assessments/frameworks/new", "framework.json", next),
				"/assessments/methodology?notice=framework_published&version=1.1.0", "uploading 1.1.0")
			if v := asFramework(t, s, "").Version; v != "1.1.0" {
				t.Errorf("the newest framework is %s, want 1.1.0", v)
			}
			if v := asFramework(t, s, "1.0.0").Version; v != "1.0.0" {
				t.Errorf("version 1.0.0 is gone: %s", v)
			}
			r = anon.get("/assessments/methodology")
			mustContain(t, r, `href="/assessments/methodology?version=1.0.0"`)
			// The examples keep the version they were made with.
			if v := asGet(t, s, "", 1).FrameworkVersion; v != "1.0.0" {
				t.Errorf("the example is now on framework %s", v)
			}

			for _, lang := range []string{"en", "nl"} {
				r = tbUpload(s.loggedIn(steward, lang), "/assessments/frameworks/new", "framework.json", same)
				asStatus(t, r, http.StatusUnprocessableEntity, "uploading 1.0.0 again in "+lang)
				mustContain(t, r, html(msgs.T(lang, "field.version.not_newer")))
				asSummaryLinksLand(t, r)
			}
			r = tbUpload(boss, "/assessments/frameworks/new", "framework.json", []byte(`{"version": "2.0.0", "colour": "green"}`))
			asStatus(t, r, http.StatusUnprocessableEntity, "uploading a file that is not a framework")
			mustContain(t, r, html(msgs.T("en", "field.json.malformed")))
			// Text that is not text is named by its place in the file.
			nul := bytes.Replace(next, []byte(`"version":"1.1.0"`), []byte(`"version":"1.2.0"`), 1)
			nul = bytes.Replace(nul, []byte(`"title":{"en":"`), []byte(`"title":{"en":"\u0000`), 1)
			r = tbUpload(boss, "/assessments/frameworks/new", "framework.json", nul)
			asStatus(t, r, http.StatusUnprocessableEntity, "uploading a framework with a NUL in its title")
			mustContain(t, r, html(msgs.T("en", "toolbox.import.at_path", "line", 1, "char",
				utf8.RuneCount(nul[:bytes.Index(nul, []byte(`"title":{"en":"`))+len(`"title":{"en":`)])+1, "path", "title.en", "problem", msgs.T("en", "field.text.control"))))
			if n := len(s.auditEntries("framework.publish")); n != 2 {
				t.Errorf("%d framework.publish entries, want 2", n)
			}
		})
	})
}

// assessSite is a site with a steward and two reviewers, without the demo
// content, for a short look at one form.
func assessSite(t *testing.T, db *store.DB) (boss, rita *browser) {
	t.Helper()
	s := newSite(t, db)
	st := asPerson(t, s, "steward@example.org", "Sam Steward", account.Steward)
	r := asPerson(t, s, "rita@example.org", "Rita Reviewer", account.Member)
	asPerson(t, s, "rob@example.org", "Rob Reviewer", account.Member)
	return s.loggedIn(st, "en"), s.loggedIn(r, "en")
}

// assessDraft creates a draft with Rita and Rob as reviewers, opened for
// review when open is set, and returns its path.
func assessDraft(t *testing.T, boss *browser, open bool) string {
	t.Helper()
	r := boss.postForm("/assessments/new", url.Values{"name": {"Loomio"}, "kind": {"software"}})
	m := asCreatedRE.FindStringSubmatch(r.Location())
	if m == nil {
		t.Fatalf("creating: %d to %q; body:\n%s", r.Status, r.Location(), r.Body)
	}
	path := "/assessments/" + m[1]
	for _, who := range []string{"rita@example.org", "rob@example.org"} {
		asRedirect(t, boss.postForm(path+"/reviewers", url.Values{"reviewer": {who}}), path+"?notice=assessment_reviewer_added", "adding "+who)
	}
	if open {
		asRedirect(t, boss.postForm(path+"/start", nil), path+"?notice=assessment_review_started", "opening the review")
	}
	return path
}

// A document without an address is evidence too, as the form's hint says
// ("or a document described so others can find it"), whatever its first
// word.
func TestAssessEvidenceDocumentWithColon(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		boss, rita := assessSite(t, db)
		path := assessDraft(t, boss, true)
		const c = "governance.ownership"
		form := url.Values{"submit": {"no"}, c + ".level": {"2"}, c + ".reason": {"The statutes say so."}, c + ".confidence": {"medium"},
			c + ".evidence": {"Statutes: article 4, filed at the Chamber of Commerce, 2024"}}
		r := rita.postForm(path+"/review", form)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("a document described as \"Statutes: article 4 …\" is refused as evidence: status %d, summary %v", r.Status, asSummary(t, r))
		}
		// It is kept as a document, not as a web address.
		mustContain(t, rita.get(path+"/review"), html("Statutes: article 4, filed at the Chamber of Commerce, 2024")+"</textarea>")
	})
}

// The scorecard's own forms (provider, reviewers, publish, settle, reply)
// tell their problems in the error summary; its links must lead somewhere.
func TestAssessScorecardErrorSummaryLinks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		boss, _ := assessSite(t, db)
		path := assessDraft(t, boss, false)
		for _, tc := range []struct {
			action string
			form   url.Values
			msg    string
		}{
			{"reviewers", url.Values{"reviewer": {"rita@example.org"}}, "field.reviewer.already"},
			{"provider", url.Values{"provider": {"rob@example.org"}}, "field.provider.is_reviewer"},
			{"publish", nil, "error.assess.not_in_review"},
		} {
			t.Run(tc.action, func(t *testing.T) {
				r := boss.postForm(path+"/"+tc.action, tc.form)
				asStatus(t, r, http.StatusUnprocessableEntity, tc.action)
				mustContain(t, r, html(msgs.T("en", tc.msg)))
				asSummaryLinksLand(t, r)
			})
		}
	})
}
