package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"samen/internal/match"
	"samen/internal/workspace"
)

const matchUsage = "usage: samen match simulate [--json] FILE.json\n" +
	"  FILE.json: {\"pool\": {\"factor\", \"max_per_contribution_cents\", \"max_per_project_cents\",\n" +
	"             \"max_matched_per_contributor\", \"funders\": [{\"id\", \"cents\"}]},\n" +
	"             \"contributions\": [{\"id\", \"project\", \"contributor\", \"cents\"}]}\n" +
	"             (- reads standard input)\n"

// matchColumnsFunders is how many funders the plain table gives a column
// each; with more, only their totals are shown (--json has every share).
const matchColumnsFunders = 5

// matchCmd runs "samen match simulate": it matches a file of
// contributions by a pool's rules, with the code the site matches with
// (internal/match), and prints each match and what the funders have left,
// in the terminal's language or as JSON. It returns the exit code: 2 for a
// wrong command line, 1 for a file it cannot read or simulate.
func matchCmd(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	file, asJSON, err := matchArgs(args)
	if errors.Is(err, errUsage) {
		fmt.Fprint(stdout, matchUsage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "samen match: %v\n%s", err, matchUsage)
		return 2
	}
	w := newWords(getenv)
	in := stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			fmt.Fprintf(stderr, "samen match: %v\n", err)
			return 1
		}
		defer f.Close()
		in = f
	}
	s, err := match.ReadSimulation(in)
	var out match.Outcome
	if err == nil {
		out, err = match.Simulate(s)
	}
	if err != nil {
		fmt.Fprintf(stderr, "samen match: %s: %s\n", file, w.matchProblem(err))
		return 1
	}
	buf := bufio.NewWriter(stdout)
	if asJSON {
		err = writeMatchJSON(buf, out)
	} else {
		_, err = buf.WriteString(w.matchText(s, out))
	}
	if err == nil {
		err = buf.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "samen match: %v\n", err)
		return 1
	}
	return 0
}

// matchArgs reads "simulate [--json] FILE"; errUsage asks for the usage.
func matchArgs(args []string) (file string, asJSON bool, err error) {
	if len(args) > 0 {
		switch strings.TrimLeft(args[0], "-") {
		case "h", "help":
			return "", false, errUsage
		}
	}
	if len(args) == 0 || args[0] != "simulate" {
		return "", false, errors.New("what to do? samen match simulate")
	}
	for _, a := range args[1:] {
		if !strings.HasPrefix(a, "-") || a == "-" {
			if file != "" {
				return "", false, fmt.Errorf("one file at a time, not %q and %q", file, a)
			}
			file = a
			continue
		}
		switch strings.TrimLeft(a, "-") {
		case "h", "help":
			return "", false, errUsage
		case "json":
			asJSON = true
		default:
			return "", false, fmt.Errorf("unknown flag %s", a)
		}
	}
	if file == "" {
		return "", false, errors.New("which file?")
	}
	return file, asJSON, nil
}

// writeMatchJSON writes an outcome as `samen match simulate --json` does:
//
//	{"matches": [{"contribution": ID, "cents": N, "funders": {ID: N}}, …],
//	 "left": {ID: N, …}}
//
// with every contribution in the file's order, also those matched with 0;
// a match's "funders" names only those who gave something (a match of 0
// has {}), "left" every funder. One match per line, so that a large
// simulation stays readable and diffs well.
func writeMatchJSON(w *bufio.Writer, out match.Outcome) error {
	type line struct {
		Contribution string           `json:"contribution"`
		Cents        int64            `json:"cents"`
		Funders      map[string]int64 `json:"funders"`
	}
	w.WriteString("{\n  \"matches\": [")
	for i, m := range out.Matches {
		l := line{Contribution: m.Contribution, Cents: m.Cents, Funders: make(map[string]int64, len(m.Shares))}
		for _, s := range m.Shares {
			l.Funders[s.Funder] = s.Cents
		}
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString("\n    ")
		w.Write(b)
	}
	if len(out.Matches) > 0 {
		w.WriteString("\n  ")
	}
	left := make(map[string]int64, len(out.Left))
	for _, f := range out.Left {
		left[f.ID] = f.Cents
	}
	b, err := json.Marshal(left)
	if err != nil {
		return err
	}
	w.WriteString("],\n  \"left\": ")
	w.Write(b)
	_, err = w.WriteString("\n}\n")
	return err
}

// matchProblem says what is wrong with a simulation file, in the
// terminal's language, after the place it is at: "contributions.3.cents
// (c4): A contribution is …".
func (w words) matchProblem(err error) string {
	var e *match.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	msg := e.Code
	if w.msgs.Has(w.lang, e.Code) {
		msg = w.msgs.T(w.lang, e.Code)
	}
	switch {
	case e.Field == "":
		return msg
	case e.ID != "":
		return e.Field + " (" + e.ID + "): " + msg
	}
	return e.Field + ": " + msg
}

// matchText is an outcome as the terminal shows it: the pool's rules, a
// table of the contributions with their matches (and each funder's share,
// for a few funders), the totals, and a table of the funders.
func (w words) matchText(s match.Simulation, out match.Outcome) string {
	var b strings.Builder
	line := func(str string) { b.WriteString(str + "\n") }
	t := func(key string, args ...any) string { return w.msgs.T(w.lang, key, args...) }
	money := func(c int64) string { return workspace.FormatCents(c, w.lang) }

	r := s.Rules
	factor := r.Factor.String()
	if w.lang == "nl" {
		factor = strings.Replace(factor, ".", ",", 1) // 1,5 in Dutch
	}
	line(t("match.cli.factor", "factor", factor))
	if r.MaxPerContribution > 0 {
		line(t("match.cli.max_per_contribution", "cents", money(r.MaxPerContribution)))
	}
	if r.MaxPerProject > 0 {
		line(t("match.cli.max_per_project", "cents", money(r.MaxPerProject)))
	}
	if r.MaxMatchedPerContributor > 0 {
		line(w.msgs.N(w.lang, "match.cli.max_matched", r.MaxMatchedPerContributor))
	}
	if r == (match.Rules{Factor: r.Factor}) {
		line(t("match.cli.caps_none"))
	}
	line("")

	perFunder := len(s.Funders) > 1 && len(s.Funders) <= matchColumnsFunders
	head := []string{t("match.cli.col.contribution"), t("match.cli.col.project"), t("match.cli.col.contributor"),
		t("match.cli.col.given"), t("match.cli.col.match")}
	right := []bool{false, false, false, true, true}
	if perFunder {
		for _, f := range s.Funders {
			head = append(head, f.ID)
			right = append(right, true)
		}
	}
	head = append(head, t("match.cli.col.note"))
	right = append(right, false)
	rows := [][]string{head}
	var given, matched int64
	var nMatched int
	for i, m := range out.Matches {
		c := s.Contributions[i]
		row := []string{c.ID, c.Project, c.Contributor, money(c.Cents), money(m.Cents)}
		if perFunder {
			shares := map[string]int64{}
			for _, sh := range m.Shares {
				shares[sh.Funder] = sh.Cents
			}
			for _, f := range s.Funders {
				row = append(row, money(shares[f.ID]))
			}
		}
		note := ""
		if m.Limit != "" {
			note = t("match.cli.limit." + m.Limit)
		}
		rows = append(rows, append(row, note))
		// Fits: a file of MaxFileBytes holds fewer than 200,000
		// contributions of MaxCents, 2 × 10^18 < 2^63.
		given += c.Cents
		matched += m.Cents
		if m.Cents > 0 {
			nMatched++
		}
	}
	if len(out.Matches) > 0 {
		b.WriteString(table(rows, right))
		line("")
	}
	line(w.msgs.N(w.lang, "match.cli.contributions", len(out.Matches), "given", money(given)))
	line(w.msgs.N(w.lang, "match.cli.matched", nMatched, "matched", money(matched)))
	line("")

	rows = [][]string{{t("match.cli.col.funder"), t("match.cli.col.put_in"), t("match.cli.col.gave"), t("match.cli.col.left")}}
	var putIn, left int64
	for i, f := range s.Funders {
		l := out.Left[i].Cents
		rows = append(rows, []string{f.ID, money(f.Cents), money(f.Cents - l), money(l)})
		putIn += f.Cents
		left += l
	}
	rows = append(rows, []string{t("match.cli.total"), money(putIn), money(putIn - left), money(left)})
	b.WriteString(table(rows, []bool{false, true, true, true}))
	return b.String()
}

// table lays out rows in columns two spaces apart, each as wide as its
// widest cell in characters; right says which columns align right (the
// amounts). The first row is the heading. No trailing spaces.
func table(rows [][]string, right []bool) string {
	width := make([]int, len(right))
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		var l strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell))
			if i > 0 {
				l.WriteString("  ")
			}
			if right[i] {
				l.WriteString(pad + cell)
			} else {
				l.WriteString(cell + pad)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	return b.String()
}
