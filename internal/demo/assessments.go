package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"samen/internal/account"
	"samen/internal/assess"
)

//go:embed assessments.json
var assessmentsJSON []byte

// exampleAssessment is a worked example: a subject, two independent
// reviews made from public sources, and the settlements of the criteria on
// which the reviewers differed.
type exampleAssessment struct {
	Subject     assess.Subject      `json:"subject"`
	Reviews     []exampleReview     `json:"reviews"`
	Settlements []exampleSettlement `json:"settlements"`
	Replies     []json.RawMessage   `json:"replies"`
}

type exampleReview struct {
	Reviewer string         `json:"reviewer"` // "steward" or "moderator": the demo accounts who review
	Scores   []assess.Score `json:"scores"`
}

type exampleSettlement struct {
	Criterion  string `json:"criterion"`
	Level      *int   `json:"level"`
	Reason     string `json:"reason"`
	Confidence string `json:"confidence"`
}

// ExampleAssessments are the worked examples the demo publishes.
func ExampleAssessments() ([]exampleAssessment, error) {
	var out []exampleAssessment
	if err := json.Unmarshal(assessmentsJSON, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// seedAssessments runs each example through the whole workflow, as people
// would: the steward drafts it, the steward and the moderator review it
// independently, the steward settles the differences and publishes it,
// marked as an example.
func seedAssessments(ctx context.Context, svc *assess.Service, steward, mod *account.User) error {
	examples, err := ExampleAssessments()
	if err != nil {
		return err
	}
	reviewers := map[string]*account.User{"steward": steward, "moderator": mod}
	published := time.Now().AddDate(0, 0, -14)
	at := &assess.Service{DB: svc.DB, Now: func() time.Time { return published }}
	for _, ex := range examples {
		id, err := at.Create(ctx, steward, ex.Subject, true)
		if err != nil {
			return fmt.Errorf("%s: %w", ex.Subject.Name, err)
		}
		for _, r := range ex.Reviews {
			u := reviewers[r.Reviewer]
			if u == nil {
				return fmt.Errorf("%s: unknown reviewer %q", ex.Subject.Name, r.Reviewer)
			}
			if err := at.AddReviewer(ctx, steward, id, u.Email); err != nil {
				return err
			}
		}
		if err := at.StartReview(ctx, steward, id); err != nil {
			return err
		}
		for _, r := range ex.Reviews {
			if err := at.SaveScores(ctx, reviewers[r.Reviewer], id, r.Scores, true); err != nil {
				return fmt.Errorf("%s, %s's review: %w", ex.Subject.Name, r.Reviewer, err)
			}
		}
		for _, st := range ex.Settlements {
			if err := at.Settle(ctx, steward, id, assess.Settlement{Criterion: st.Criterion, Level: st.Level, Reason: st.Reason, Confidence: st.Confidence}); err != nil {
				return fmt.Errorf("%s, settling %s: %w", ex.Subject.Name, st.Criterion, err)
			}
		}
		if err := at.Publish(ctx, steward, id); err != nil {
			return fmt.Errorf("%s: %w", ex.Subject.Name, err)
		}
	}
	return nil
}
