package assess

import (
	"slices"
	"time"

	"samen/internal/account"
)

// Status is where an assessment stands. Expiry is not a status: a
// published assessment past ExpiresAt is shown as expired, and renewing it
// starts a new assessment that points back at it.
type Status string

const (
	Draft     Status = "draft"     // being prepared: subject, reviewers; the provider may self-assess
	InReview  Status = "review"    // reviewers score; flagged criteria are settled
	Published Status = "published" // the scorecard is public; the provider may reply
)

// Validity is how long a published assessment stands before it must be
// renewed.
const Validity = 365 * 24 * time.Hour

// Subject kinds, for subjects entered directly rather than taken from the
// toolbox's catalogue.
var SubjectKinds = []string{"software", "service", "protocol", "network", "platform", "project"}

// Subject is what is assessed.
type Subject struct {
	Name string `json:"name"`
	// Tool is the toolbox catalogue id when the subject is in it.
	Tool        string `json:"tool,omitempty"`
	Kind        string `json:"kind"`
	Description Text   `json:"description"`
	Website     string `json:"website,omitempty"`
	// Repository is a public source repository samen may read for its
	// automatic checks: a git URL or, set by a steward, a local path.
	Repository string `json:"repository,omitempty"`
}

// Assessment is one assessment of a subject against one framework version.
type Assessment struct {
	ID               int64
	Subject          Subject
	FrameworkVersion string
	Status           Status
	// ProviderID is the account of the subject's provider, who may add a
	// self-assessment and reply to the published scores; 0 when none.
	ProviderID  int64
	Reviewers   []int64 // the independent reviewers assigned
	Example     bool    // demo content, shown as an example
	PreviousID  int64   // the assessment this one renews
	CreatedBy   int64
	CreatedAt   time.Time
	PublishedAt time.Time
	ExpiresAt   time.Time
}

// Expired reports whether a published assessment is past its validity.
func (a Assessment) Expired(now time.Time) bool {
	return a.Status == Published && !a.ExpiresAt.IsZero() && now.After(a.ExpiresAt)
}

// IsReviewer reports whether u is one of the assigned reviewers.
func (a Assessment) IsReviewer(u *account.User) bool {
	return u != nil && slices.Contains(a.Reviewers, u.ID)
}

// IsProvider reports whether u speaks for the subject.
func (a Assessment) IsProvider(u *account.User) bool {
	return u != nil && a.ProviderID != 0 && u.ID == a.ProviderID
}

// CanSee reports whether u may see the assessment at all: published ones
// are public; before that, only stewards, its reviewers and its provider.
func (a Assessment) CanSee(u *account.User) bool {
	return a.Status == Published || account.IsSteward(u) || a.IsReviewer(u) || a.IsProvider(u)
}

// CanReview reports whether u may score it now: an assigned reviewer,
// while it is in review. A provider is never independent.
func (a Assessment) CanReview(u *account.User) bool {
	return a.Status == InReview && a.IsReviewer(u) && !a.IsProvider(u)
}

// CanSelfAssess reports whether u may add the provider's self-assessment:
// before publication.
func (a Assessment) CanSelfAssess(u *account.User) bool {
	return a.IsProvider(u) && (a.Status == Draft || a.Status == InReview)
}

// CanReply reports whether u may reply to a published score.
func (a Assessment) CanReply(u *account.User) bool {
	return a.IsProvider(u) && a.Status == Published
}

// CanSettle reports whether u may settle a flagged criterion: a steward,
// or a reviewer who has submitted their own review (so their judgement is
// on record before they see the others').
func (a Assessment) CanSettle(u *account.User, ownSubmitted bool) bool {
	return a.Status == InReview && (account.IsSteward(u) || a.IsReviewer(u) && ownSubmitted)
}

// CanPublish reports whether u may publish with this result: stewards
// only, and only when the result is ready.
func (a Assessment) CanPublish(u *account.User, r Result) bool {
	return a.Status == InReview && account.IsSteward(u) && r.Ready()
}

// VisibleReviews returns the reviews u may read. Reviewers score
// independently: until their own review is submitted they see none of the
// others', and drafts are never shown to anyone but their author.
// Stewards see every submitted review (they guide the consensus); the
// provider sees their own self-assessment; once published, every
// submitted review is public.
func (a Assessment) VisibleReviews(u *account.User, reviews []Review) []Review {
	ownSubmitted := false
	for _, r := range reviews {
		if u != nil && r.ReviewerID == u.ID && r.Submitted() {
			ownSubmitted = true
		}
	}
	var out []Review
	for _, r := range reviews {
		mine := u != nil && r.ReviewerID == u.ID
		switch {
		case mine:
			out = append(out, r)
		case !r.Submitted():
			// a draft is its author's alone
		case a.Status == Published, account.IsSteward(u):
			out = append(out, r)
		case r.Self && a.IsReviewer(u):
			// the provider's claims are evidence for the reviewers
			out = append(out, r)
		case a.IsReviewer(u) && ownSubmitted:
			out = append(out, r)
		}
	}
	return out
}
