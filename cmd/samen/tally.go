package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"samen/internal/tally"
)

const tallyUsage = "usage: samen tally [--method M] [--seats N] [--json] FILE\n" +
	"  FILE.blt: schulze (default), irv, stv\n" +
	"  FILE.pb:  equal-shares (default), equal-shares-add1, greedy\n" +
	"  FILE.csv: consent, majority, score, dot, approval, poll, schulze, irv, stv\n" +
	"            (the file's \"# method:\" line, or --method)\n"

// tallyMethods are the methods each kind of file can be counted by, the
// default first.
var tallyMethods = map[string][]string{
	".blt": {"schulze", "irv", "stv"},
	".pb":  {"equal-shares", "equal-shares-add1", "greedy"},
	".csv": tally.CSVMethods,
}

// tallyOutcome is a count as `samen tally --json` prints it: options and
// projects by the ids of the file (a BLT file's candidates by their
// numbers, 1 for the first, as strings; a .pb file's by project_id; a CSV
// file's by the ids its header gives).
type tallyOutcome struct {
	Method  string            `json:"method"`
	Title   string            `json:"title,omitempty"`
	Ballots int               `json:"ballots"`
	Winners []string          `json:"winners"`
	Ranking []string          `json:"ranking"`
	Names   map[string]string `json:"names,omitempty"`
	// Motions (consent, majority) only.
	Passed       *bool          `json:"passed,omitempty"`
	QuorumMet    *bool          `json:"quorum_met,omitempty"`
	Counts       map[string]int `json:"counts,omitempty"`
	Cast         *int           `json:"cast,omitempty"`
	QuorumNeeded *int           `json:"quorum_needed,omitempty"`
	Blocked      *bool          `json:"blocked,omitempty"`

	ids    []string     // option index -> id
	result tally.Result // options
	motion *tally.MotionResult
	csv    tally.Ballots // a CSV file's settings
	// A budget's money: its projects' costs, the total, the currency.
	budget   bool
	costs    []int64
	total    int64
	currency string
}

// tallyCmd runs "samen tally": it counts a ballot file offline, by the
// rules the site counts with, and prints the result in the terminal's
// language, or as JSON. It returns the exit code: 2 for a wrong command
// line, 1 for a file it cannot count.
func tallyCmd(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	file, method, seats, asJSON, err := tallyArgs(args)
	if errors.Is(err, errUsage) {
		fmt.Fprint(stdout, tallyUsage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "samen tally: %v\n%s", err, tallyUsage)
		return 2
	}
	w := newWords(getenv)
	out, err := tallyFile(file, method, seats)
	if err != nil {
		var usage tallyUsageError
		if errors.As(err, &usage) {
			fmt.Fprintf(stderr, "samen tally: %v\n%s", err, tallyUsage)
			return 2
		}
		fmt.Fprintf(stderr, "samen tally: %s: %s\n", file, w.tallyProblem(err))
		return 1
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "samen tally: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprint(stdout, w.tallyText(out))
	return 0
}

// tallyUsageError is a command line that does not fit the file.
type tallyUsageError struct{ msg string }

func (e tallyUsageError) Error() string { return e.msg }

// tallyArgs reads the command line; errUsage asks for the usage.
func tallyArgs(args []string) (file, method string, seats int, asJSON bool, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || a == "-" {
			if file != "" {
				return "", "", 0, false, fmt.Errorf("one file at a time, not %q and %q", file, a)
			}
			file = a
			continue
		}
		switch name {
		case "h", "help":
			return "", "", 0, false, errUsage
		case "json":
			if hasValue {
				return "", "", 0, false, fmt.Errorf("--json takes no value")
			}
			asJSON = true
			continue
		case "method", "seats":
		default:
			return "", "", 0, false, fmt.Errorf("unknown flag %s", a)
		}
		if !hasValue {
			if i+1 >= len(args) {
				return "", "", 0, false, fmt.Errorf("--%s needs a value", name)
			}
			value = args[i+1]
			i++
		}
		if name == "method" {
			method = value
			continue
		}
		n, convErr := strconv.Atoi(value)
		if convErr != nil || n < 1 {
			return "", "", 0, false, fmt.Errorf("--seats %q: want a whole number from 1", value)
		}
		seats = n
	}
	if file == "" {
		return "", "", 0, false, errors.New("which file?")
	}
	return file, method, seats, asJSON, nil
}

// tallyFile reads and counts a ballot file.
func tallyFile(file, method string, seats int) (tallyOutcome, error) {
	ext := strings.ToLower(filepath.Ext(file))
	methods, ok := tallyMethods[ext]
	if !ok {
		return tallyOutcome{}, tallyUsageError{fmt.Sprintf("%s: a ballot file ends in .blt, .pb or .csv", file)}
	}
	method = strings.ReplaceAll(method, "_", "-")
	if method != "" && !slices.Contains(methods, method) {
		return tallyOutcome{}, tallyUsageError{fmt.Sprintf("--method %s does not count a %s file; it counts by %s", method, ext, strings.Join(methods, ", "))}
	}
	if seats > 0 && ext == ".pb" {
		return tallyOutcome{}, tallyUsageError{"--seats is for ranked ballots (.blt, .csv), not for a budget"}
	}
	f, err := os.Open(file)
	if err != nil {
		return tallyOutcome{}, err
	}
	defer f.Close()
	switch ext {
	case ".blt":
		return tallyBLT(f, method, seats)
	case ".pb":
		return tallyPB(f, method)
	}
	return tallyCSV(f, method, seats)
}

func tallyBLT(r io.Reader, method string, seats int) (tallyOutcome, error) {
	e, err := tally.ReadBLT(r)
	if err != nil {
		return tallyOutcome{}, err
	}
	if method == "" {
		method = "schulze"
	}
	if seats > 0 {
		e.Seats = seats
	}
	if err := e.Validate(); err != nil {
		return tallyOutcome{}, err
	}
	out := tallyOutcome{Method: method, Title: e.Title, Names: map[string]string{}}
	for i, name := range e.Options {
		id := strconv.Itoa(i + 1)
		out.ids = append(out.ids, id)
		if name != "" {
			out.Names[id] = name
		}
	}
	for _, b := range e.Ballots {
		out.Ballots += b.Weight
	}
	switch method {
	case "schulze":
		out.result = tally.Schulze(e)
	case "irv":
		out.result = tally.IRV(e)
	default:
		out.result = tally.STV(e)
	}
	return out.withResult(), nil
}

func tallyPB(r io.Reader, method string) (tallyOutcome, error) {
	b, err := tally.ReadPB(r)
	if err != nil {
		return tallyOutcome{}, err
	}
	if err := b.Validate(); err != nil {
		return tallyOutcome{}, err
	}
	if method == "" {
		method = "equal-shares"
	}
	out := tallyOutcome{Method: method, Title: b.Title, Ballots: len(b.Ballots), Names: map[string]string{},
		budget: true, total: b.Total, currency: b.Meta["currency"]}
	for _, p := range b.Projects {
		out.ids = append(out.ids, p.ID)
		out.costs = append(out.costs, p.Cost)
		if p.Name != "" {
			out.Names[p.ID] = p.Name
		}
	}
	switch method {
	case "greedy":
		out.result = tally.Greedy(b)
	case "equal-shares-add1":
		out.result = tally.EqualSharesAdd1(b)
	default:
		out.result = tally.EqualShares(b)
	}
	return out.withResult(), nil
}

func tallyCSV(r io.Reader, method string, seats int) (tallyOutcome, error) {
	b, err := tally.ReadCSV(r, method)
	if err != nil {
		return tallyOutcome{}, err
	}
	if seats > 0 {
		if b.Method != "stv" {
			return tallyOutcome{}, tallyUsageError{"--seats is for stv, not for " + b.Method}
		}
		if seats > len(b.Options) {
			return tallyOutcome{}, &tally.FileError{Code: "tally.csv.seats"}
		}
		b.Seats = seats
	}
	out := tallyOutcome{Method: b.Method, Title: b.Title, Ballots: len(b.IDs), Names: map[string]string{}, csv: b}
	for _, o := range b.Options {
		out.ids = append(out.ids, o.ID)
		if o.Name != "" {
			out.Names[o.ID] = o.Name
		}
	}
	if tally.MotionMethod(b.Method) {
		m := b.CountMotion()
		out.motion = &m
		out.Winners, out.Ranking = []string{}, []string{}
		out.Passed, out.QuorumMet, out.Blocked = &m.Passed, &m.QuorumMet, nil
		if b.Method == "consent" {
			out.Blocked = &m.Blocked
		}
		out.Counts, out.Cast, out.QuorumNeeded = m.Counts, &m.Cast, &m.QuorumNeeded
		return out, nil
	}
	out.result = b.Count()
	return out.withResult(), nil
}

// withResult turns the count's option numbers into the file's ids.
func (o tallyOutcome) withResult() tallyOutcome {
	o.Winners = make([]string, len(o.result.Winners))
	for i, w := range o.result.Winners {
		o.Winners[i] = o.ids[w]
	}
	o.Ranking = make([]string, len(o.result.Ranking))
	for i, w := range o.result.Ranking {
		o.Ranking[i] = o.ids[w]
	}
	if len(o.Names) == 0 {
		o.Names = nil
	}
	return o
}

// tallyProblem says what is wrong with a file, in the terminal's
// language: "Line 3: …" as the import pages place a problem.
func (w words) tallyProblem(err error) string {
	var fe *tally.FileError
	var ee *tally.ElectionError
	var be *tally.BudgetError
	switch {
	case errors.As(err, &fe):
		msg := w.tallyMessage(fe.Code)
		if fe.Line == 0 {
			return msg
		}
		return w.at(fe.Line, 0, msg)
	case errors.As(err, &ee):
		return w.tallyMessage(ee.Code)
	case errors.As(err, &be):
		return w.tallyMessage(be.Code)
	}
	return err.Error()
}

// tallyMessage is a code's message, or the code when the catalogue has
// none.
func (w words) tallyMessage(code string) string {
	if w.msgs.Has(w.lang, code) {
		return w.msgs.T(w.lang, code)
	}
	return code
}

// tallyText is a count as the terminal shows it.
func (w words) tallyText(o tallyOutcome) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	method := w.msgs.T(w.lang, "tally.cli.method."+strings.ReplaceAll(o.Method, "-", "_"))
	if o.Title != "" {
		line(method + ": " + o.Title)
	} else {
		line(method)
	}
	line(w.msgs.N(w.lang, "tally.cli.ballots", o.Ballots))
	if m := o.motion; m != nil {
		positions := tally.MajorityPositions
		if m.Method == "consent" {
			positions = tally.ConsentPositions
		}
		var counts []string
		for _, p := range positions {
			counts = append(counts, w.msgs.T(w.lang, "tally.cli.position."+p)+" "+strconv.Itoa(m.Counts[p]))
		}
		line(strings.Join(counts, " · "))
		switch {
		case m.QuorumNeeded == 0:
			line(w.msgs.T(w.lang, "tally.cli.quorum_none"))
		case m.QuorumMet:
			line(w.msgs.T(w.lang, "tally.cli.quorum_met", "cast", m.Cast, "needed", m.QuorumNeeded, "quorum", o.csv.Quorum, "electorate", o.csv.Electorate))
		default:
			line(w.msgs.T(w.lang, "tally.cli.quorum_not_met", "cast", m.Cast, "needed", m.QuorumNeeded, "quorum", o.csv.Quorum, "electorate", o.csv.Electorate))
		}
		if m.Method == "majority" {
			line(w.msgs.T(w.lang, "tally.cli.threshold."+o.csv.Threshold))
		}
		switch {
		case m.Passed:
			line(w.msgs.T(w.lang, "tally.cli.passed"))
		case m.Blocked:
			line(w.msgs.T(w.lang, "tally.cli.blocked"))
		default:
			line(w.msgs.T(w.lang, "tally.cli.rejected"))
		}
		return b.String()
	}
	label := func(id string) string {
		if name := o.Names[id]; name != "" && name != id {
			return name + " (" + id + ")"
		}
		return id
	}
	var winners []string
	for _, id := range o.Winners {
		winners = append(winners, label(id))
	}
	key := "tally.cli.winners"
	if o.budget {
		key = "tally.cli.funded"
	}
	if len(winners) == 0 {
		line(w.msgs.T(w.lang, "tally.cli.no_winner"))
	} else {
		line(w.msgs.N(w.lang, key, len(winners), "list", strings.Join(winners, ", ")))
	}
	if o.budget {
		spent := int64(0)
		for _, p := range o.result.Winners {
			spent += o.costs[p]
		}
		line(w.msgs.T(w.lang, "tally.cli.spent", "spent", o.money(spent), "total", o.money(o.total)))
	}
	line(w.msgs.T(w.lang, "tally.cli.ranking"))
	details := w.tallyDetails(o)
	for i, opt := range o.result.Ranking {
		s := fmt.Sprintf("%4d. %s", i+1, label(o.ids[opt]))
		if d := details[opt]; d != "" {
			s += " — " + d
		}
		line(s)
	}
	if slices.ContainsFunc(o.result.Steps, func(s tally.Step) bool { return s.Rule == "lot" }) {
		line(w.msgs.T(w.lang, "tally.cli.lot"))
	}
	return b.String()
}

// money writes an amount of a budget as its file does, in whole units,
// with the currency when the file names one.
func (o tallyOutcome) money(n int64) string {
	s := strconv.FormatInt(n, 10)
	if o.currency != "" {
		s += " " + o.currency
	}
	return s
}

// tallyDetails says, per option, the numbers it was ranked by, for the
// methods that rank by totals.
func (w words) tallyDetails(o tallyOutcome) map[int]string {
	d := map[int]string{}
	if o.budget {
		for i, c := range o.costs {
			d[i] = w.msgs.T(w.lang, "tally.cli.cost", "cost", o.money(c))
		}
		return d
	}
	no := map[int]float64{}
	for _, s := range o.result.Steps {
		if s.Kind == "no" {
			no[s.Option] = s.Value
		}
	}
	for _, s := range o.result.Steps {
		if s.Kind != "total" {
			continue
		}
		total, detail := int(s.Value), int(s.Detail)
		switch o.Method {
		case "score":
			d[s.Option] = w.msgs.T(w.lang, "tally.cli.total.score", "total", total, "top", detail)
		case "dot":
			d[s.Option] = w.msgs.T(w.lang, "tally.cli.total.dot", "total", total, "ballots", detail)
		case "approval":
			d[s.Option] = w.msgs.T(w.lang, "tally.cli.total.approval", "total", total)
		case "poll":
			d[s.Option] = w.msgs.T(w.lang, "tally.cli.total.poll", "yes", total, "maybe", detail-total, "no", int(no[s.Option]))
		}
	}
	return d
}
