package match

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"

	"samen/internal/jsonstrict"
	"samen/internal/problem"
)

// MaxFileBytes is the largest simulation file ReadSimulation reads: ten
// megabytes, some 100,000 contributions with long ids (MaxContributions
// short ones fit only with ids of a few characters).
const MaxFileBytes = 10 << 20

// ReadSimulation reads a simulation file, one JSON object:
//
//	{"pool": {"factor": 1.5,
//	          "max_per_contribution_cents": 5000,
//	          "max_per_project_cents": 100000,
//	          "max_matched_per_contributor": 2,
//	          "funders": [{"id": "gemeente", "cents": 500000}, …]},
//	 "contributions": [{"id": "c1", "project": "speeltuin",
//	                    "contributor": "ann", "cents": 2500}, …]}
//
// The factor is a JSON number above 0 and at most MaxFactor with at most
// nine decimals ("1", "2", "1.5", "0.5"; an exponent is taken, "15e-1"),
// read exactly into a Ratio. Amounts are whole numbers of cents, written
// without a point or an exponent: a contribution from 1, a funder's money
// and the caps from 0, up to MaxCents. The caps and the maximum of matched
// contributions may be left out (or null, or 0): no cap. Ids are strings
// or whole numbers written as such (17 is the id "17"): not empty, at most
// MaxIDLen bytes, one line, no space at either end; funders' ids differ,
// as do contributions'. "contributions" may be left out (a pool that
// matches nothing). Nothing else is taken: a member the format does not
// have, a second object after the first, a file above MaxFileBytes or with
// more than MaxContributions contributions, or more than MaxFunders
// funders. The file is checked whole: an error is an *Error placed by its
// Field ("contributions.3.cents", "pool.funders.0.id"), Index and ID, and
// a file that is read simulates (Simulate) without one.
func ReadSimulation(r io.Reader) (Simulation, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return Simulation{}, err
	}
	if len(data) > MaxFileBytes {
		return Simulation{}, &Error{Code: codeJSONTooLarge, Index: -1}
	}
	file, err := decodeFile(data)
	if err != nil {
		return Simulation{}, err
	}
	var s Simulation
	if isNull(file.Pool) {
		return s, &Error{Code: codePoolMissing, Field: "pool", Index: -1}
	}
	if s.Rules, s.Funders, err = readPool(file.Pool); err != nil {
		return Simulation{}, err
	}
	s.Contributions = make([]Contribution, len(file.Contributions))
	seen := make(map[string]struct{}, len(file.Contributions))
	for i, c := range file.Contributions {
		if c == nil {
			return Simulation{}, at(codeJSONWrongType, "contributions", i, "", "")
		}
		var ok bool
		out := &s.Contributions[i]
		if out.ID, ok = readID(c.ID); !ok {
			return Simulation{}, at(codeContributionID, "contributions", i, "", "id")
		}
		if _, twice := seen[out.ID]; twice {
			return Simulation{}, at(codeContributionDuplicate, "contributions", i, out.ID, "id")
		}
		seen[out.ID] = struct{}{}
		if out.Project, ok = readID(c.Project); !ok {
			return Simulation{}, at(codeContributionProject, "contributions", i, out.ID, "project")
		}
		if out.Contributor, ok = readID(c.Contributor); !ok {
			return Simulation{}, at(codeContributionContributor, "contributions", i, out.ID, "contributor")
		}
		if out.Cents, ok = readWhole(c.Cents, 1, MaxCents); !ok {
			return Simulation{}, at(codeContributionCents, "contributions", i, out.ID, "cents")
		}
	}
	return s, nil
}

// rawFile is a simulation file's JSON with its leaves unread.
type rawFile struct {
	Pool          json.RawMessage    `json:"pool"`
	Contributions []*rawContribution `json:"contributions"` // null: nil
}

type rawContribution struct {
	ID          json.RawMessage `json:"id"`
	Project     json.RawMessage `json:"project"`
	Contributor json.RawMessage `json:"contributor"`
	Cents       json.RawMessage `json:"cents"`
}

// decodeFile decodes data in one pass. encoding/json names an unknown
// member without its place, so a file it refuses is read again a
// contribution at a time, to place the problem ("contributions.3.amount").
func decodeFile(data []byte) (rawFile, error) {
	var file rawFile
	err := jsonstrict.Decode(data, &file)
	if err == nil {
		if len(file.Contributions) > MaxContributions {
			return file, &Error{Code: codeContributions, Field: "contributions", Index: -1}
		}
		return file, nil
	}
	var located struct {
		Pool          json.RawMessage   `json:"pool"`
		Contributions []json.RawMessage `json:"contributions"`
	}
	if lerr := jsonstrict.Decode(data, &located); lerr != nil {
		return file, fromJSON(lerr, -1)
	}
	if len(located.Contributions) > MaxContributions {
		return file, &Error{Code: codeContributions, Field: "contributions", Index: -1}
	}
	for i, raw := range located.Contributions {
		var c rawContribution
		if lerr := jsonstrict.DecodeAt("contributions."+strconv.Itoa(i), raw, &c); lerr != nil {
			return file, fromJSON(lerr, i)
		}
	}
	return file, fromJSON(err, -1)
}

// readPool reads the pool's object.
func readPool(raw json.RawMessage) (Rules, []Funder, error) {
	var p struct {
		Factor             json.RawMessage   `json:"factor"`
		MaxPerContribution json.RawMessage   `json:"max_per_contribution_cents"`
		MaxPerProject      json.RawMessage   `json:"max_per_project_cents"`
		MaxMatched         json.RawMessage   `json:"max_matched_per_contributor"`
		Funders            []json.RawMessage `json:"funders"`
	}
	var r Rules
	if err := jsonstrict.DecodeAt("pool", raw, &p); err != nil {
		return r, nil, fromJSON(err, -1)
	}
	var ok bool
	if r.Factor, ok = readFactor(p.Factor); !ok {
		return r, nil, &Error{Code: codeFactor, Field: "pool.factor", Index: -1}
	}
	if r.MaxPerContribution, ok = readCap(p.MaxPerContribution, MaxCents); !ok {
		return r, nil, &Error{Code: codeMaxPerContribution, Field: "pool.max_per_contribution_cents", Index: -1}
	}
	if r.MaxPerProject, ok = readCap(p.MaxPerProject, MaxCents); !ok {
		return r, nil, &Error{Code: codeMaxPerProject, Field: "pool.max_per_project_cents", Index: -1}
	}
	maxMatched, ok := readCap(p.MaxMatched, MaxMatched)
	if !ok {
		return r, nil, &Error{Code: codeMaxMatched, Field: "pool.max_matched_per_contributor", Index: -1}
	}
	r.MaxMatchedPerContributor = int(maxMatched)
	if len(p.Funders) == 0 || len(p.Funders) > MaxFunders {
		return r, nil, &Error{Code: codeFunders, Field: "pool.funders", Index: -1}
	}
	funders := make([]Funder, len(p.Funders))
	for i, raw := range p.Funders {
		var f struct {
			ID    json.RawMessage `json:"id"`
			Cents json.RawMessage `json:"cents"`
		}
		if err := jsonstrict.DecodeAt("pool.funders."+strconv.Itoa(i), raw, &f); err != nil {
			return r, nil, fromJSON(err, i)
		}
		if isNull(raw) {
			return r, nil, at(codeJSONWrongType, "pool.funders", i, "", "")
		}
		if funders[i].ID, ok = readID(f.ID); !ok {
			return r, nil, at(codeFunderID, "pool.funders", i, "", "id")
		}
		if funders[i].Cents, ok = readWhole(f.Cents, 0, MaxCents); !ok {
			return r, nil, at(codeFunderCents, "pool.funders", i, funders[i].ID, "cents")
		}
	}
	// The rest (duplicate ids, the total, the factor's range) as NewPool
	// checks it.
	if err := checkRules(r); err != nil {
		return r, nil, err
	}
	if _, err := checkFunders(funders); err != nil {
		return r, nil, err
	}
	return r, funders, nil
}

// fromJSON turns jsonstrict's problem into an *Error, at index i of the
// list being read (-1: none).
func fromJSON(err error, i int) error {
	p, ok := problem.As(err)
	if !ok {
		return &Error{Code: codeJSONMalformed, Index: -1}
	}
	for field, code := range p.Fields { // jsonstrict names one
		e := &Error{Code: codeJSONMalformed, Field: field, Index: i}
		switch code {
		case "json.wrong_type":
			e.Code = codeJSONWrongType
		case "json.unknown_field":
			e.Code = codeJSONUnknownField
		}
		return e
	}
	if p.Code == "json.empty" {
		return &Error{Code: codeJSONEmpty, Index: -1}
	}
	return &Error{Code: codeJSONMalformed, Index: -1}
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

// readID reads an id: a JSON string, or a whole number from 0 written
// plainly, as its text.
func readID(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	var s string
	switch {
	case raw[0] == '"':
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
	case plainWhole(raw):
		s = string(raw)
	default:
		return "", false
	}
	return s, validID(s)
}

// plainWhole reports whether raw is a whole number from 0 as JSON writes
// it plainly: digits, no leading zero, no point, no exponent.
func plainWhole(raw []byte) bool {
	if len(raw) == 0 || (raw[0] == '0' && len(raw) > 1) {
		return false
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// readWhole reads a whole number from lo to hi.
func readWhole(raw json.RawMessage, lo, hi int64) (int64, bool) {
	if !plainWhole(raw) || len(raw) > 19 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil && n >= lo && n <= hi
}

// readCap reads a cap: absent or null is 0, no cap.
func readCap(raw json.RawMessage, hi int64) (int64, bool) {
	if isNull(raw) {
		return 0, true
	}
	return readWhole(raw, 0, hi)
}

// readFactor reads a factor: a JSON number, not a string.
func readFactor(raw json.RawMessage) (Ratio, bool) {
	if isNull(raw) || raw[0] == '"' {
		return Ratio{}, false
	}
	return ParseFactor(string(raw))
}

// ParseFactor reads a factor written as a JSON number ("1", "1.5",
// "0.25", "15e-1") exactly into a Ratio in lowest terms. It refuses what
// is not above 0 and at most MaxFactor, or needs more than nine decimals.
func ParseFactor(s string) (Ratio, bool) {
	mant, exp, ok := decimal(s)
	if !ok {
		return Ratio{}, false
	}
	// Drop the mantissa's trailing zeros into the exponent, so that
	// "1.50" and "150e-2" are read alike.
	for len(mant) > 1 && mant[len(mant)-1] == '0' {
		mant, exp = mant[:len(mant)-1], exp+1
	}
	if mant == "0" || len(mant) > 13 || exp > 3 || exp < -9 {
		// 0; or more digits than 1000 with nine decimals has; or ≥ 10^4;
		// or more than nine decimals.
		return Ratio{}, false
	}
	num, err := strconv.ParseInt(mant, 10, 64)
	if err != nil {
		return Ratio{}, false
	}
	r := Ratio{Num: num, Den: 1}
	for ; exp > 0; exp-- {
		r.Num *= 10
	}
	for ; exp < 0; exp++ {
		r.Den *= 10
	}
	if r.Num > MaxFactor*r.Den {
		return Ratio{}, false
	}
	return r.reduced(), true
}

// decimal splits a JSON number from 0 up into its digits without leading
// zeros ("0" for zero) and a power of ten: "1.5" is 15 and -1, "2e3" is 2
// and 3. Exponents beyond ±9999 are refused, as no factor has one.
func decimal(s string) (mant string, exp int, ok bool) {
	digits := func(s string) (string, string) {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return s[:i], s[i:]
	}
	whole, rest := digits(s)
	if whole == "" || (len(whole) > 1 && whole[0] == '0') {
		return "", 0, false
	}
	var frac string
	if len(rest) > 0 && rest[0] == '.' {
		if frac, rest = digits(rest[1:]); frac == "" {
			return "", 0, false
		}
	}
	if len(rest) > 0 && (rest[0] == 'e' || rest[0] == 'E') {
		rest = rest[1:]
		neg := false
		if len(rest) > 0 && (rest[0] == '+' || rest[0] == '-') {
			neg, rest = rest[0] == '-', rest[1:]
		}
		var e string
		if e, rest = digits(rest); e == "" {
			return "", 0, false
		}
		for len(e) > 1 && e[0] == '0' {
			e = e[1:]
		}
		if len(e) > 4 {
			return "", 0, false
		}
		exp, _ = strconv.Atoi(e)
		if neg {
			exp = -exp
		}
	}
	if rest != "" {
		return "", 0, false
	}
	mant = whole + frac
	for len(mant) > 1 && mant[0] == '0' {
		mant = mant[1:]
	}
	return mant, exp - len(frac), true
}
