package match

import "strconv"

// Error is a pool, funder or contribution the rules cannot take, or a
// refund of something not matched. Code names the reason as a message
// key ("match.contribution.cents") that the site and the command line put
// in their reader's words (internal/web/i18n/*/match.json); the rest says
// where.
type Error struct {
	Code string
	// Field is the place in a simulation file, as samen names fields
	// ("contributions.3.cents", "pool.factor"); the bare member ("cents")
	// when the caller gave no list to place it in.
	Field string
	// Index is the funder's or the contribution's place in its list, from
	// 0; -1 for the pool itself, or when there is no list.
	Index int
	// ID is the funder's or the contribution's id, when it has one.
	ID string
}

func (e *Error) Error() string {
	s := "match: "
	if e.Field != "" {
		s += e.Field
		if e.ID != "" {
			s += " (" + strconv.Quote(e.ID) + ")"
		}
		s += ": "
	}
	return s + e.Code
}

// Codes lists every Error code, for the test that each has a message in
// every language.
var Codes = []string{
	codeJSONEmpty, codeJSONMalformed, codeJSONWrongType, codeJSONUnknownField, codeJSONTooLarge,
	codePoolMissing, codeFactor, codeMaxPerContribution, codeMaxPerProject, codeMaxMatched,
	codeFunders, codePoolTotal, codeFunderID, codeFunderDuplicate, codeFunderCents,
	codeContributions, codeContributionID, codeContributionDuplicate, codeContributionProject,
	codeContributionContributor, codeContributionCents,
	codeRefundUnknown, codeRefundTwice, codeCriteriaGrant, codeCriteriaShare, codeCriteriaBackers,
	codeProgress,
}

const (
	codeJSONEmpty        = "match.json.empty"         // no JSON at all
	codeJSONMalformed    = "match.json.malformed"     // not JSON, or more after the object
	codeJSONWrongType    = "match.json.wrong_type"    // an object where a list belongs, …
	codeJSONUnknownField = "match.json.unknown_field" // a member the format does not have
	codeJSONTooLarge     = "match.json.too_large"     // more than MaxFileBytes

	codePoolMissing        = "match.pool.missing"                     // no "pool"
	codeFactor             = "match.pool.factor"                      // not above 0, above MaxFactor, too many decimals
	codeMaxPerContribution = "match.pool.max_per_contribution_cents"  // not a whole number from 0 to MaxCents
	codeMaxPerProject      = "match.pool.max_per_project_cents"       // likewise
	codeMaxMatched         = "match.pool.max_matched_per_contributor" // not a whole number from 0 to MaxMatched
	codeFunders            = "match.pool.funders"                     // none, or more than MaxFunders
	codePoolTotal          = "match.pool.total"                       // the funders together above MaxCents

	codeFunderID        = "match.funder.id"
	codeFunderDuplicate = "match.funder.duplicate"
	codeFunderCents     = "match.funder.cents" // not a whole number from 0 to MaxCents

	codeContributions           = "match.contributions.too_many" // more than MaxContributions
	codeContributionID          = "match.contribution.id"
	codeContributionDuplicate   = "match.contribution.duplicate"
	codeContributionProject     = "match.contribution.project"
	codeContributionContributor = "match.contribution.contributor"
	codeContributionCents       = "match.contribution.cents" // not a whole number from 1 to MaxCents

	codeRefundUnknown = "match.refund.unknown" // no such contribution, or no grant
	codeRefundTwice   = "match.refund.twice"   // refunded before

	codeCriteriaGrant   = "match.criteria.grant_cents" // not from 1 to MaxCents
	codeCriteriaShare   = "match.criteria.share"       // not from 0 to 1
	codeCriteriaBackers = "match.criteria.min_backers" // below 0
	codeProgress        = "match.criteria.progress"    // a goal, raised amount or backers out of range
)

// MaxMatched is the largest maximum of matched contributions per
// contributor a pool may set (above it, set none).
const MaxMatched = 1_000_000

// validID reports whether s may be an id: not empty, at most MaxIDLen
// bytes, UTF-8 without control characters (tabs and line breaks
// included: an id is one line), and no space at either end, which a
// reader of a table could not see.
func validID(s string) bool {
	if s == "" || len(s) > MaxIDLen || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for _, r := range s {
		if r == '\uFFFD' || r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return false
		}
	}
	return true
}

// at places e in the list named list ("contributions") at index i, or as a
// bare member when i < 0.
func at(code, list string, i int, id, member string) *Error {
	e := &Error{Code: code, Index: i, ID: id, Field: member}
	if i >= 0 {
		e.Field = list + "." + strconv.Itoa(i)
		if member != "" {
			e.Field += "." + member
		}
	}
	return e
}

// checkRules validates r, placed in a simulation file's "pool".
func checkRules(r Rules) error {
	f := r.Factor
	switch {
	case f.Num <= 0 || f.Den <= 0 || f.Den > MaxFactorDen || f.Num > MaxFactor*f.Den:
		return &Error{Code: codeFactor, Field: "pool.factor", Index: -1}
	case r.MaxPerContribution < 0 || r.MaxPerContribution > MaxCents:
		return &Error{Code: codeMaxPerContribution, Field: "pool.max_per_contribution_cents", Index: -1}
	case r.MaxPerProject < 0 || r.MaxPerProject > MaxCents:
		return &Error{Code: codeMaxPerProject, Field: "pool.max_per_project_cents", Index: -1}
	case r.MaxMatchedPerContributor < 0 || r.MaxMatchedPerContributor > MaxMatched:
		return &Error{Code: codeMaxMatched, Field: "pool.max_matched_per_contributor", Index: -1}
	}
	return nil
}

// checkFunders validates the funders and returns their index by id.
func checkFunders(funders []Funder) (map[string]int, error) {
	if len(funders) == 0 || len(funders) > MaxFunders {
		return nil, &Error{Code: codeFunders, Field: "pool.funders", Index: -1}
	}
	index := make(map[string]int, len(funders))
	var total int64
	for i, f := range funders {
		if !validID(f.ID) {
			return nil, at(codeFunderID, "pool.funders", i, "", "id")
		}
		if _, twice := index[f.ID]; twice {
			return nil, at(codeFunderDuplicate, "pool.funders", i, f.ID, "id")
		}
		if f.Cents < 0 || f.Cents > MaxCents {
			return nil, at(codeFunderCents, "pool.funders", i, f.ID, "cents")
		}
		index[f.ID] = i
		total += f.Cents
		if total > MaxCents {
			return nil, &Error{Code: codePoolTotal, Field: "pool.funders", Index: -1}
		}
	}
	return index, nil
}

// checkContribution validates c, the i-th of its list (-1: no list).
func checkContribution(c Contribution, i int) error {
	switch {
	case !validID(c.ID):
		return at(codeContributionID, "contributions", i, "", "id")
	case !validID(c.Project):
		return at(codeContributionProject, "contributions", i, c.ID, "project")
	case !validID(c.Contributor):
		return at(codeContributionContributor, "contributions", i, c.ID, "contributor")
	case c.Cents < 1 || c.Cents > MaxCents:
		return at(codeContributionCents, "contributions", i, c.ID, "cents")
	}
	return nil
}
