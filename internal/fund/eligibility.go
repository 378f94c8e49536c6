package fund

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"samen/internal/assess"
	"samen/internal/atlas"
	"samen/internal/problem"
	"samen/internal/workspace"
)

// A pool may take only initiatives that hold some of the roadmap's four
// principles, or that have a published assessment whose gates pass (issue
// 14's eligibility). Those are the atlas's and the assessments' records,
// which funding reads through their services: Standing.

// Standing is what the atlas and the assessments say of an initiative.
type Standing interface {
	// Principles lists the codes (atlas.Principles) of the principles the
	// initiative holds by its public entry in the atlas; none for an
	// initiative whose entry is not public.
	Principles(ctx context.Context, initiativeID int64) ([]string, error)
	// Assessed reports whether the initiative has a published assessment
	// in force whose gates all pass.
	Assessed(ctx context.Context, initiativeID int64) (bool, error)
}

// AtlasStanding answers Standing from the atlas and the assessments.
//
// An assessment is an initiative's when its provider, the account that
// speaks for the assessed subject (assess.Assessment.ProviderID, named by a
// steward), is one of the editors of the initiative's entry in the atlas,
// who speak for the initiative: an assessment names no initiative itself,
// and these two accounts are the link both parts already keep. It counts
// while it is published and not expired, unless a newer published one
// renews it (the newest word on the subject holds), and only when every
// gate passes; the demo's worked examples never count.
type AtlasStanding struct {
	Atlas  *atlas.Service
	Assess *assess.Service
}

// Principles implements Standing.
func (a AtlasStanding) Principles(ctx context.Context, initiativeID int64) ([]string, error) {
	in, err := a.Atlas.Get(ctx, nil, initiativeID)
	if problem.Is(err, problem.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, code := range atlas.Principles {
		if p, ok := in.Principles[code]; ok && p.Holds != nil && *p.Holds {
			out = append(out, code)
		}
	}
	return out, nil
}

// Assessed implements Standing.
func (a AtlasStanding) Assessed(ctx context.Context, initiativeID int64) (bool, error) {
	in, err := a.Atlas.Get(ctx, nil, initiativeID)
	if problem.Is(err, problem.NotFound) || (err == nil && len(in.Editors) == 0) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	list, err := a.Assess.List(ctx, nil)
	if err != nil {
		return false, err
	}
	renewed := map[int64]bool{}
	for _, s := range list {
		renewed[s.PreviousID] = true
	}
	now := a.Assess.Now.Time()
	for _, s := range list {
		if s.Status == assess.Published && !s.Example && !s.Expired(now) && !renewed[s.ID] && s.Result.Gates == assess.GatePass &&
			s.ProviderID != 0 && slices.Contains(in.Editors, s.ProviderID) {
			return true, nil
		}
	}
	return false, nil
}

// standing is what a pool's eligibility needs to know of an initiative.
type standing struct {
	principles []string
	assessed   bool
}

// standingOf is the Standing the service asks: its own, or the atlas and
// the assessments in its database.
func (s *Service) standingOf() Standing {
	if s.Standing != nil {
		return s.Standing
	}
	return AtlasStanding{Atlas: &atlas.Service{DB: s.DB}, Assess: &assess.Service{DB: s.DB, Now: s.Now}}
}

// standingFor reads what pool poolID asks of the initiative of campaign
// campaignID, before Apply's transaction: these are other parts' records,
// read through their services, and the write lock need not wait for them.
// A pool or campaign that is not there reads as nothing: the transaction
// then says what is wrong, to whom it may.
func (s *Service) standingFor(ctx context.Context, poolID, campaignID int64) (standing, error) {
	var st standing
	p, err := loadPool(ctx, s.DB, poolID)
	if isNotFound(err) {
		return st, nil
	}
	if err != nil || (len(p.Principles) == 0 && !p.AssessmentRequired) {
		return st, err
	}
	var wsID int64
	err = s.DB.QueryRow(ctx, `SELECT workspace_id FROM fund_campaigns WHERE id = ?`, campaignID).Scan(&wsID)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	ws, _, err := workspace.ViewerIn(ctx, s.DB, nil, itoa64(wsID))
	if err != nil || ws.InitiativeID == 0 {
		// A workspace without an entry in the atlas holds no principles
		// and has no assessment.
		return st, err
	}
	sd := s.standingOf()
	if len(p.Principles) > 0 {
		if st.principles, err = sd.Principles(ctx, ws.InitiativeID); err != nil {
			return st, err
		}
	}
	if p.AssessmentRequired {
		st.assessed, err = sd.Assessed(ctx, ws.InitiativeID)
	}
	return st, err
}
