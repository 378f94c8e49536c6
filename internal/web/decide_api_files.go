package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"samen/internal/csvcell"
	"samen/internal/decide"
	"samen/internal/problem"
	"samen/internal/tally"
)

// The verifiable tallies: after voting closes, anyone who may see a
// decision downloads its anonymised ballots in the field's standard
// formats and counts them with `samen tally`, which gives the site's
// result. Ranked ballots come as BLT (candidates numbered in the lot
// order, which breaks ties), every method's as samen's CSV ballot file
// (its "# method:" line and settings let `samen tally FILE.csv` count it
// without flags), budgets as pabulib .pb; the results themselves as CSV.
//
//	/decisions/{id}/ballots.blt   ranked methods (schulze, irv, stv)
//	/decisions/{id}/ballots.csv   every method
//	/decisions/{id}/results.csv   one row per option (a motion: per position)
//	/budgets/{id}/ballots.pb      the budget's ballots, online and paper
//	/budgets/{id}/results.csv     one row per project, funded or not per rule
//
// The API serves the same files at /api/v1/decisions/{id}/ballots and
// /api/v1/budgets/{id}/ballots, the format chosen with ?format=.

// Download formats.
const (
	fileBLT     = "blt"
	fileCSV     = "csv"
	filePB      = "pb"
	fileResults = "results"
)

// fileFormat is the download a request asks for: from the file name of a
// page's address, or the API's ?format= ("" leaves it to the decision).
// A name or format that is not one of allowed is not found (a page) or a
// field problem (the API).
func fileFormat(r *http.Request, allowed ...string) (string, error) {
	if isAPI(r) {
		f := r.URL.Query().Get("format")
		if f != "" && !slices.Contains(allowed, f) {
			return "", problem.Fields{"format": "choice.unknown"}.Err()
		}
		return f, nil
	}
	base, ext, _ := strings.Cut(r.PathValue("file"), ".")
	switch {
	case base == "ballots" && ext != fileResults && slices.Contains(allowed, ext):
		return ext, nil
	case base == "results" && ext == fileCSV && slices.Contains(allowed, fileResults):
		return fileResults, nil
	}
	return "", problemNotFound
}

// sendFile answers with a download: an attachment under name, of a type
// no browser second-guesses. Files of public things that can no longer
// change (a closed city-wide vote) may be cached.
func sendFile(w http.ResponseWriter, name, contentType string, public bool, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", attachment(name))
	h.Set("X-Content-Type-Options", "nosniff")
	if public {
		h.Set("Cache-Control", "public, max-age=3600")
	} else {
		h.Set("Cache-Control", "private, no-store")
	}
	_, err := w.Write(body)
	return err
}

const (
	csvType  = "text/csv; charset=utf-8"
	textType = "text/plain; charset=utf-8"
)

// decisionFile serves a decision's ballots (once voting closed) or its
// results (whenever the caller may see them).
func (s *Server) decisionFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	allowed := []string{fileBLT, fileCSV}
	if !isAPI(r) {
		allowed = append(allowed, fileResults)
	}
	format, err := fileFormat(r, allowed...)
	if err != nil {
		return err
	}
	if format == fileResults {
		v, res, err := s.decisionResult(r, id)
		if err != nil {
			return err
		}
		return s.sendDecisionResultsCSV(w, v, res)
	}
	d, ballots, err := s.decisions.Ballots(r.Context(), userFrom(r.Context()), id)
	if err != nil && !problem.Is(err, problem.Conflict) {
		return err // not found, or not visible: nothing more is said
	}
	if format == "" {
		format = fileCSV
		if d.Method.Ranked() {
			format = fileBLT
		}
	}
	if format == fileBLT && !d.Method.Ranked() {
		// Only a ranking has a BLT file.
		if isAPI(r) {
			return problem.Fields{"format": "decide.blt_ranked_only"}.Err()
		}
		return problemNotFound
	}
	if err != nil {
		return err // voting has not closed
	}
	var buf bytes.Buffer
	name := "samen-decision-" + strconv.FormatInt(d.ID, 10) + "-ballots." + format
	public := d.CityWide() && d.State == decide.Closed
	if format == fileBLT {
		if err := tally.WriteBLT(&buf, decide.Election(d, lotOrder(d), ballots)); err != nil {
			return err
		}
		return sendFile(w, name, textType, public, buf.Bytes())
	}
	if err := tally.WriteCSV(&buf, s.ballotFile(d, ballots)); err != nil {
		return err
	}
	return sendFile(w, name, csvType, public, buf.Bytes())
}

// ballotFile is a decision's ballots as internal/tally's CSV ballot file:
// its settings, the options in the lot order by id, one row per ballot.
func (s *Server) ballotFile(d decide.Decision, ballots []decide.Ballot) tally.Ballots {
	f := tally.Ballots{Method: string(d.Method), Title: d.Title}
	switch d.Method {
	case decide.Consent, decide.Majority:
		f.Electorate, f.Quorum = d.Electorate, d.Params.Quorum
		if d.Method == decide.Majority {
			f.Threshold = d.Params.Threshold
		}
		for _, b := range ballots {
			reason := b.Reason
			if b.Position == "block" && strings.TrimSpace(reason) == "" {
				// The reasons stay on the page (their words could tell
				// whose a secret ballot is), but a block without one
				// would not be a valid ballot in the file.
				reason = s.msgs.T(d.Language, "decide.file.reason_on_page")
			}
			f.Positions = append(f.Positions, b.Position)
			f.Reasons = append(f.Reasons, reason)
		}
		return f
	case decide.Dot:
		f.Dots = d.Params.Dots
	case decide.Approval:
		f.Max = d.Params.MaxChoices
	case decide.STV:
		f.Seats = d.Params.Seats
	}
	opts := lotOrder(d)
	for _, o := range opts {
		f.Options = append(f.Options, tally.FileOption{ID: strconv.FormatInt(o.ID, 10), Name: optionName(o)})
	}
	for _, b := range ballots {
		if d.Method == decide.Poll {
			row := make([]string, len(opts))
			for i, o := range opts {
				row[i] = b.Answers[o.ID]
			}
			f.Answers = append(f.Answers, row)
			continue
		}
		row := make([]int, len(opts))
		for i, o := range opts {
			v, ok := b.Values[o.ID]
			switch {
			case ok:
				row[i] = v
			case d.Method == decide.Score:
				row[i] = -1 // not scored
			}
		}
		f.Values = append(f.Values, row)
	}
	return f
}

// optionName is an option's name in a file: its label, or for a meeting
// poll's time slot without one its time in Amsterdam.
func optionName(o decide.Option) string {
	if o.Label != "" || o.StartsAt.IsZero() {
		return o.Label
	}
	name := decide.Local(o.StartsAt)
	if !o.EndsAt.IsZero() {
		name += "/" + decide.Local(o.EndsAt)
	}
	return strings.Replace(name, "T", " ", -1)
}

// sendDecisionResultsCSV writes a count as CSV: one row per option in
// the order of the ranking, with its id, label, lot position, rank,
// whether it won, and the method's totals; a motion one row per position
// with its ballots.
func (s *Server) sendDecisionResultsCSV(w http.ResponseWriter, v decide.View, res decide.Result) error {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if res.Motion != nil {
		positions := decide.ConsentPositions
		if v.Method == decide.Majority {
			positions = decide.MajorityPositions
		}
		_ = cw.Write([]string{"position", "ballots"})
		for _, p := range positions {
			_ = cw.Write([]string{p, strconv.Itoa(res.Motion.Counts[p])})
		}
	} else {
		cols := totalColumns(v.Method)
		_ = cw.Write(append([]string{"option_id", "label", "position", "rank", "winner"}, cols...))
		totals := optionTotals(v.Method, res)
		byID := map[int64]decide.Option{}
		for _, o := range v.Options {
			byID[o.ID] = o
		}
		winners := res.Winners()
		for rank, id := range res.Ranking() {
			o := byID[id]
			row := []string{strconv.FormatInt(id, 10), csvcell.Guard(optionName(o)), strconv.Itoa(o.Position), strconv.Itoa(rank + 1),
				yesNo(slices.Contains(winners, id))}
			for _, c := range cols {
				row = append(row, totals[id][c])
			}
			_ = cw.Write(row)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	name := "samen-decision-" + strconv.FormatInt(v.ID, 10) + "-results." + fileCSV
	return sendFile(w, name, csvType, v.CityWide() && v.State == decide.Closed, buf.Bytes())
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// totalColumns are the columns of a method's totals in its results CSV.
func totalColumns(m decide.Method) []string {
	switch m {
	case decide.Score:
		return []string{"total", "fives", "unscored"}
	case decide.Dot:
		return []string{"dots", "ballots"}
	case decide.Approval:
		return []string{"approvals"}
	case decide.Poll:
		return []string{"yes", "maybe", "no"}
	case decide.Schulze:
		return []string{"beats"}
	case decide.IRV:
		return []string{"first_preferences", "last_votes", "eliminated_round"}
	case decide.STV:
		return []string{"first_preferences", "last_votes", "elected_stage", "excluded_stage"}
	}
	return nil
}

// optionTotals reads each option's totals from the count's steps, as
// internal/tally documents them, by option id and column.
func optionTotals(m decide.Method, res decide.Result) map[int64]map[string]string {
	out := map[int64]map[string]string{}
	for _, id := range res.Options {
		out[id] = map[string]string{}
		for _, c := range totalColumns(m) {
			out[id][c] = ""
		}
	}
	if res.Count == nil {
		return out
	}
	for _, st := range res.Count.Steps {
		p := indexID(res.Options, st.Option)
		if p == nil {
			continue
		}
		t := out[*p]
		switch {
		case m == decide.Score && st.Kind == "total":
			t["total"], t["fives"], t["unscored"] = number(st.Value), number(st.Detail), "0"
		case m == decide.Score && st.Kind == "unscored":
			t["unscored"] = number(st.Value)
		case m == decide.Dot && st.Kind == "total":
			t["dots"], t["ballots"] = number(st.Value), number(st.Detail)
		case m == decide.Approval && st.Kind == "total":
			t["approvals"] = number(st.Value)
		case m == decide.Poll && st.Kind == "total":
			t["yes"], t["maybe"] = number(st.Value), number(st.Detail-st.Value)
		case m == decide.Poll && st.Kind == "no":
			t["no"] = number(st.Value)
		case m == decide.Schulze && st.Kind == "schulze_wins":
			t["beats"] = number(st.Value)
		case (m == decide.IRV || m == decide.STV) && st.Kind == "count":
			if st.Round == 1 {
				t["first_preferences"] = number(st.Value)
			}
			t["last_votes"] = number(st.Value)
		case m == decide.IRV && st.Kind == "eliminated":
			t["eliminated_round"] = strconv.Itoa(st.Round)
		case m == decide.STV && st.Kind == "elected":
			t["elected_stage"] = strconv.Itoa(st.Round)
		case m == decide.STV && st.Kind == "eliminated":
			t["excluded_stage"] = strconv.Itoa(st.Round)
		}
	}
	return out
}

// number writes a count: a whole number as one, a fraction (a split or
// transferred vote) with the decimals it has.
func number(f float64) string {
	if f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
