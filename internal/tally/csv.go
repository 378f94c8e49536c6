package tally

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"samen/internal/csvcell"
)

// The CSV ballot file: a decision's anonymised ballots, one row each, as
// the site downloads them once voting closes and as `samen tally FILE.csv`
// counts them. Ranked ballots download as BLT and budgets as pabulib .pb;
// ranked ballots may come as CSV too, for convenience.
//
//	# method: majority
//	# title: A bicycle shed by the entrance
//	# electorate: 40
//	# quorum: 25
//	# threshold: two_thirds
//	ballot,position,reason
//	1,yes,
//	2,no,Too dear for this year
//	3,abstain,
//
//	# method: score
//	# option: 17 Bicycle shed
//	# option: 18 Benches
//	ballot,17,18
//	1,5,3
//	2,,4
//
// The file is UTF-8 (a byte order mark is allowed), comma-separated (a
// header that starts "ballot;" makes it semicolon-separated, as Dutch
// spreadsheets write it), with quotes as RFC 4180 has them.
//
// Leading comment lines, before the header, each one CSV cell that starts
// with "#", say "# key: value":
//
//   - method: consent, majority, score, dot, approval, poll, schulze, irv
//     or stv (CSVMethods); required, unless the reader is told the method;
//   - title: the decision's title (any method);
//   - electorate, quorum (0–100) and, for majority, threshold (one of
//     Thresholds; "half" when left out): consent and majority only;
//   - dots: how many dots a ballot spreads (dot; none: no limit);
//   - max: how many options a ballot approves at most (approval; none: no
//     limit);
//   - seats: how many options STV elects (stv; none: 1);
//   - option: "id name", an option's name after its id (options with
//     score, dot, approval, poll and the ranked methods; each once).
//
// Other keys are refused. Each key comes once, but for option.
//
// The header row's first cell is "ballot": a column of opaque ballot ids,
// each present and unique. Consent and majority then have a column
// "position" (one of ConsentPositions or MajorityPositions) and a column
// "reason" (a consent's block needs one; a majority file may leave the
// column out). The other methods have one column per option, headed by
// the option's id (no spaces, each once), in the lot order, the order that
// breaks ties; a cell holds
//
//   - score: 0–5, or empty for not scored;
//   - dot: the number of dots, empty for none;
//   - approval: 1 for approved, empty (or 0) for not;
//   - poll: yes, maybe or no, or empty for no answer;
//   - schulze, irv, stv: the option's rank, 1 for first, equal numbers
//     for a tie, empty for unranked.
//
// A row of empty cells, anywhere, is skipped. A cell that a spreadsheet would run as
// a formula (starting with = + - @) is written behind an apostrophe
// (internal/csvcell), and read back without it.

// CSVMethods are the methods a CSV ballot file can carry.
var CSVMethods = []string{"consent", "majority", "score", "dot", "approval", "poll", "schulze", "irv", "stv"}

// Limits on a CSV ballot file.
const (
	// MaxCSVBytes is the largest CSV ballot file read.
	MaxCSVBytes = 64 << 20
	// MaxCSVCells caps ballots times columns, so that a file's values
	// take at most a few hundred megabytes in memory.
	MaxCSVCells = 20_000_000
	// MaxCSVBallots is the most ballots a CSV file holds.
	MaxCSVBallots = 1_000_000
	// csvMaxID is the longest ballot or option id, in bytes.
	csvMaxID = 100
	// csvMaxText is the longest title, option name or reason, in characters.
	csvMaxText = 10000
	// csvMaxDots is the most dots one cell gives.
	csvMaxDots = 1000
)

// FileOption is an option of a ballot file: its id, as the header names
// it, and its name, as a "# option:" line gives it ("" when none does).
type FileOption struct {
	ID   string
	Name string
}

// Ballots is a CSV ballot file: the method, its settings, the options and
// the ballots. ReadCSV reads one; WriteCSV writes one; Count and
// CountMotion count it.
type Ballots struct {
	// Method is one of CSVMethods.
	Method string
	Title  string
	// Electorate, Quorum (percent) and Threshold: motions only
	// (consent, majority). Threshold is "" for consent.
	Electorate, Quorum int
	Threshold          string
	// Dots (dot), Max (approval) and Seats (stv); 0 when not set.
	Dots, Max, Seats int
	// Options in the lot order; none for a motion.
	Options []FileOption
	// IDs are the ballots' ids, one per ballot. WriteCSV numbers the
	// ballots 1, 2, 3 … when IDs is nil.
	IDs []string
	// Positions and Reasons: a motion's ballots, one each per ballot.
	Positions, Reasons []string
	// Values: one row per ballot, one value per option — a score (-1:
	// not scored), a number of dots, 1 or 0 for approved or not, or a rank
	// (1 is first; 0: unranked).
	Values [][]int
	// Answers: a poll's ballots, one answer per slot ("" for none).
	Answers [][]string
}

// MotionMethod reports whether a method decides a motion (consent,
// majority) rather than between options.
func MotionMethod(method string) bool { return method == "consent" || method == "majority" }

// RankedMethod reports whether a method's ballots rank the options.
func RankedMethod(method string) bool {
	return method == "schulze" || method == "irv" || method == "stv"
}

// Motion gives a motion's settings.
func (b Ballots) Motion() Motion {
	return Motion{Electorate: b.Electorate, QuorumPercent: b.Quorum, Threshold: b.Threshold}
}

// CountMotion counts a consent or majority file.
func (b Ballots) CountMotion() MotionResult {
	if b.Method == "consent" {
		return Consent(b.Motion(), b.Positions)
	}
	return Majority(b.Motion(), b.Positions)
}

// Count counts a file of options by its method. A motion has no ranking:
// Count gives it an empty Result, and CountMotion counts it.
func (b Ballots) Count() Result {
	n := len(b.Options)
	switch b.Method {
	case "score":
		return Score(n, b.Values)
	case "dot":
		return Dots(n, b.Dots, b.Values)
	case "approval":
		chosen := make([][]int, len(b.Values))
		for i, row := range b.Values {
			for o, v := range row {
				if v != 0 {
					chosen[i] = append(chosen[i], o)
				}
			}
		}
		return Approval(n, b.Max, chosen)
	case "poll":
		return Poll(n, b.Answers)
	case "schulze":
		return Schulze(b.Election())
	case "irv":
		return IRV(b.Election())
	case "stv":
		return STV(b.Election())
	}
	return Result{Method: b.Method, Winners: []int{}, Ranking: []int{}}
}

// Election gives ranked ballots as an Election: an option's name is its
// name, or its id when it has none; each ballot weighs 1; Seats is 1 but
// for STV.
func (b Ballots) Election() Election {
	e := Election{Title: b.Title, Seats: 1}
	if b.Method == "stv" && b.Seats > 1 {
		e.Seats = b.Seats
	}
	for _, o := range b.Options {
		name := o.Name
		if name == "" {
			name = o.ID
		}
		e.Options = append(e.Options, name)
	}
	e.Ballots = make([]RankedBallot, len(b.Values))
	for i, row := range b.Values {
		e.Ballots[i] = RankedBallot{Weight: 1, Ranks: csvRanks(row)}
	}
	return e
}

// csvRanks turns rank numbers per option into groups, best first.
func csvRanks(row []int) [][]int {
	var ranks []int
	for _, r := range row {
		if r > 0 && !slices.Contains(ranks, r) {
			ranks = append(ranks, r)
		}
	}
	slices.Sort(ranks)
	groups := make([][]int, len(ranks))
	for o, r := range row {
		if r > 0 {
			g, _ := slices.BinarySearch(ranks, r)
			groups[g] = append(groups[g], o)
		}
	}
	return groups
}

// csvKeys are the settings a comment line may carry, with the methods
// each belongs to (nil: every method).
var csvKeys = map[string][]string{
	"method":     nil,
	"title":      nil,
	"electorate": {"consent", "majority"},
	"quorum":     {"consent", "majority"},
	"threshold":  {"majority"},
	"dots":       {"dot"},
	"max":        {"approval"},
	"seats":      {"stv"},
	"option":     {"score", "dot", "approval", "poll", "schulze", "irv", "stv"},
}

// ReadCSV reads a CSV ballot file (see the layout above). method names the
// method when the file has no "# method:" line; "" leaves it to the file,
// and a file that names another method is refused. Every problem is a
// *FileError (but for an error reading r): codes tally.csv.too_large,
// .encoding, .syntax, .comment, .key, .key_repeated, .setting (a key of
// another method), .method, .method_missing, .method_differs, .number,
// .seats, .header, .columns, .option_id, .option_repeated,
// .option_unknown, .options (none), .too_many_options, .fields,
// .ballot_id, .ballot_repeated, .too_many_ballots, .too_long, .reason,
// .score, .dots, .approval, .answer, .rank; a ballot its method's Check
// refuses has that Check's code (tally.ballot.reason,
// tally.ballot.too_many_dots, tally.ballot.too_many_choices …), and
// settings CheckMotion refuses have its code.
func ReadCSV(r io.Reader, method string) (Ballots, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCSVBytes+1))
	if err != nil {
		return Ballots{}, err
	}
	if len(data) > MaxCSVBytes {
		return Ballots{}, &FileError{Code: "tally.csv.too_large"}
	}
	if !utf8.Valid(data) {
		line := 1
		for len(data) > 0 {
			c, size := utf8.DecodeRune(data)
			if c == utf8.RuneError && size <= 1 {
				break
			}
			if c == '\n' {
				line++
			}
			data = data[size:]
		}
		return Ballots{}, &FileError{Line: line, Code: "tally.csv.encoding"}
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = csvDelimiter(data)
	cr.FieldsPerRecord = -1
	rd := csvReading{cr: cr, lines: map[string]int{}}
	return rd.read(method)
}

// csvDelimiter is ';' when the header (the first line that is neither a
// comment nor blank) starts with "ballot;", else ','.
func csvDelimiter(data []byte) rune {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		switch {
		case len(bytes.Trim(line, ",;")) == 0, line[0] == '#', bytes.HasPrefix(line, []byte(`"#`)):
			continue // a blank row, a comment
		case bytes.HasPrefix(line, []byte("ballot;")), bytes.HasPrefix(line, []byte(`"ballot";`)):
			return ';'
		}
		break
	}
	return ','
}

// csvReading is one ReadCSV under way.
type csvReading struct {
	cr    *csv.Reader
	b     Ballots
	lines map[string]int // key -> line of its comment
	names []csvName      // "# option:" lines
}

type csvName struct {
	line     int
	id, name string
}

func csvErr(line int, code string) error { return &FileError{Line: line, Code: code} }

// next reads a record and the line it starts on; io.EOF at the end.
func (rd *csvReading) next() ([]string, int, error) {
	rec, err := rd.cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.Line, csvErr(pe.Line, "tally.csv.syntax")
		}
		return nil, 0, err
	}
	line, _ := rd.cr.FieldPos(0)
	return rec, line, nil
}

func (rd *csvReading) read(method string) (Ballots, error) {
	// The comment lines, then the header.
	var header []string
	var headerLine int
	for {
		rec, line, err := rd.next()
		if err == io.EOF {
			return Ballots{}, csvErr(0, "tally.csv.header")
		}
		if err != nil {
			return Ballots{}, err
		}
		if csvBlank(rec) {
			continue
		}
		if !strings.HasPrefix(rec[0], "#") {
			header, headerLine = rec, line
			break
		}
		for len(rec) > 1 && rec[len(rec)-1] == "" {
			rec = rec[:len(rec)-1]
		}
		if err := rd.comment(strings.Join(rec, string(rd.cr.Comma)), line); err != nil {
			return Ballots{}, err
		}
	}
	b := &rd.b
	switch fileMethod, line := b.Method, rd.lines["method"]; {
	case fileMethod == "" && method == "":
		return Ballots{}, csvErr(0, "tally.csv.method_missing")
	case fileMethod == "":
		if !slices.Contains(CSVMethods, method) {
			return Ballots{}, csvErr(0, "tally.csv.method")
		}
		b.Method = method
	case method != "" && method != fileMethod:
		return Ballots{}, csvErr(line, "tally.csv.method_differs")
	}
	if err := rd.settings(); err != nil {
		return Ballots{}, err
	}
	if err := rd.header(header, headerLine); err != nil {
		return Ballots{}, err
	}
	width := len(header)
	seen := map[string]bool{}
	for {
		rec, line, err := rd.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Ballots{}, err
		}
		if csvBlank(rec) {
			continue
		}
		if len(rec) != width {
			return Ballots{}, csvErr(line, "tally.csv.fields")
		}
		if len(b.IDs) == MaxCSVBallots || (len(b.IDs)+1)*width > MaxCSVCells {
			return Ballots{}, csvErr(line, "tally.csv.too_many_ballots")
		}
		id := csvcell.Unguard(rec[0])
		if !csvID(id, false) {
			return Ballots{}, csvErr(line, "tally.csv.ballot_id")
		}
		if seen[id] {
			return Ballots{}, csvErr(line, "tally.csv.ballot_repeated")
		}
		seen[id] = true
		b.IDs = append(b.IDs, id)
		if code := rd.ballot(rec[1:]); code != "" {
			return Ballots{}, csvErr(line, code)
		}
	}
	return *b, nil
}

// csvBlank reports whether every cell of a record is empty.
func csvBlank(rec []string) bool {
	return !slices.ContainsFunc(rec, func(s string) bool { return s != "" })
}

// comment reads one "# key: value" line.
func (rd *csvReading) comment(text string, line int) error {
	key, value, ok := strings.Cut(strings.TrimPrefix(text, "#"), ":")
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	if !ok || strings.ContainsFunc(value, unicode.IsControl) {
		return csvErr(line, "tally.csv.comment")
	}
	if _, known := csvKeys[key]; !known {
		return csvErr(line, "tally.csv.key")
	}
	if utf8.RuneCountInString(value) > csvMaxText {
		return csvErr(line, "tally.csv.too_long")
	}
	if key == "option" {
		id, name, _ := strings.Cut(value, " ")
		rd.names = append(rd.names, csvName{line: line, id: id, name: strings.TrimSpace(name)})
		if _, ok := rd.lines[key]; !ok {
			rd.lines[key] = line
		}
		return nil
	}
	if _, twice := rd.lines[key]; twice {
		return csvErr(line, "tally.csv.key_repeated")
	}
	rd.lines[key] = line
	b := &rd.b
	switch key {
	case "method":
		if !slices.Contains(CSVMethods, value) {
			return csvErr(line, "tally.csv.method")
		}
		b.Method = value
	case "title":
		b.Title = value
	case "threshold":
		b.Threshold = value
	default:
		n, ok := csvNumber(value)
		if !ok {
			return csvErr(line, "tally.csv.number")
		}
		switch key {
		case "electorate":
			b.Electorate = n
		case "quorum":
			b.Quorum = n
		case "dots":
			b.Dots = n
		case "max":
			b.Max = n
		case "seats":
			b.Seats = n
		}
		if n == 0 && (key == "dots" || key == "max" || key == "seats") {
			return csvErr(line, "tally.csv.number")
		}
	}
	return nil
}

// settings checks that each key belongs to the method, and a motion's
// settings.
func (rd *csvReading) settings() error {
	b := &rd.b
	other := 0 // the first line of a key of another method
	for key, line := range rd.lines {
		if methods := csvKeys[key]; methods != nil && !slices.Contains(methods, b.Method) && (other == 0 || line < other) {
			other = line
		}
	}
	if other > 0 {
		return csvErr(other, "tally.csv.setting")
	}
	if b.Method == "majority" && b.Threshold == "" {
		b.Threshold = "half"
	}
	if MotionMethod(b.Method) {
		switch code := CheckMotion(b.Motion()); code {
		case "":
		case "tally.motion.threshold":
			return csvErr(rd.lines["threshold"], code)
		case "tally.motion.quorum":
			return csvErr(rd.lines["quorum"], code)
		default:
			line, ok := rd.lines["electorate"]
			if !ok {
				line = rd.lines["quorum"]
			}
			return csvErr(line, code)
		}
	}
	return nil
}

// header reads the header row: the motion's columns, or the options.
func (rd *csvReading) header(rec []string, line int) error {
	b := &rd.b
	if csvcell.Unguard(rec[0]) != "ballot" {
		return csvErr(line, "tally.csv.header")
	}
	if MotionMethod(b.Method) {
		cols := rec[1:]
		ok := slices.Equal(cols, []string{"position", "reason"}) ||
			(b.Method == "majority" && slices.Equal(cols, []string{"position"}))
		if !ok {
			return csvErr(line, "tally.csv.columns")
		}
		return nil
	}
	if len(rec) == 1 {
		return csvErr(line, "tally.csv.options")
	}
	if len(rec)-1 > MaxOptions {
		return csvErr(line, "tally.csv.too_many_options")
	}
	index := map[string]int{}
	for i, cell := range rec[1:] {
		id := csvcell.Unguard(cell)
		if !csvID(id, true) {
			return csvErr(line, "tally.csv.option_id")
		}
		if _, twice := index[id]; twice {
			return csvErr(line, "tally.csv.option_repeated")
		}
		index[id] = i
		b.Options = append(b.Options, FileOption{ID: id})
	}
	named := make([]bool, len(b.Options))
	for _, n := range rd.names {
		i, ok := index[n.id]
		switch {
		case !ok:
			return csvErr(n.line, "tally.csv.option_unknown")
		case named[i]:
			return csvErr(n.line, "tally.csv.option_repeated")
		}
		named[i] = true
		b.Options[i].Name = n.name
	}
	if b.Method == "stv" && b.Seats > len(b.Options) {
		return csvErr(rd.lines["seats"], "tally.csv.seats")
	}
	return nil
}

// ballot reads a ballot's cells after its id, and returns a code for what
// is wrong, or "".
func (rd *csvReading) ballot(cells []string) string {
	b := &rd.b
	switch b.Method {
	case "consent", "majority":
		position, reason := cells[0], ""
		if len(cells) > 1 {
			reason = csvcell.Unguard(cells[1])
		}
		if utf8.RuneCountInString(reason) > csvMaxText {
			return "tally.csv.too_long"
		}
		if strings.ContainsFunc(reason, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
			return "tally.csv.reason"
		}
		code := CheckConsent(position, reason)
		if b.Method == "majority" {
			code = CheckMajority(position)
		}
		if code != "" {
			return code
		}
		b.Positions = append(b.Positions, position)
		b.Reasons = append(b.Reasons, reason)
		return ""
	case "poll":
		row := make([]string, len(cells))
		for i, c := range cells {
			if c != "" && !slices.Contains(PollAnswers, c) {
				return "tally.csv.answer"
			}
			row[i] = c
		}
		b.Answers = append(b.Answers, row)
		return ""
	}
	row := make([]int, len(cells))
	chosen := 0
	for i, c := range cells {
		n, number := csvNumber(c)
		switch b.Method {
		case "score":
			if c == "" {
				n = -1
			} else if !number || n > MaxScore {
				return "tally.csv.score"
			}
		case "dot":
			if c != "" && (!number || n > csvMaxDots) {
				return "tally.csv.dots"
			}
		case "approval":
			if c != "" && c != "0" && c != "1" {
				return "tally.csv.approval"
			}
			chosen += n
		default: // ranked
			if c != "" && (!number || n < 1 || n > len(cells)) {
				return "tally.csv.rank"
			}
		}
		row[i] = n
	}
	switch {
	case b.Method == "dot":
		if code := CheckDots(len(cells), b.Dots, row); code != "" {
			return code
		}
	case b.Method == "approval" && b.Max > 0 && chosen > b.Max:
		return "tally.ballot.too_many_choices"
	}
	b.Values = append(b.Values, row)
	return ""
}

// csvNumber reads a whole number of at most nine digits, nothing else.
func csvNumber(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// csvID reports whether s can be a ballot's id or (option: also without
// white space) an option's.
func csvID(s string, option bool) bool {
	if s == "" || len(s) > csvMaxID || strings.ContainsFunc(s, unicode.IsControl) {
		return false
	}
	return !option || !strings.ContainsFunc(s, unicode.IsSpace)
}

// WriteCSV writes b as a CSV ballot file (see the layout above): the
// comment lines, the header, one row per ballot, every cell that a
// spreadsheet would run as a formula behind an apostrophe. It writes
// nothing and returns the *FileError that ReadCSV would, for Ballots that
// ReadCSV would not read back as they are (say an option id with a space,
// or a title with a line break): whatever WriteCSV writes, ReadCSV reads.
func WriteCSV(w io.Writer, b Ballots) error {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	comment := func(key, value string) {
		_ = cw.Write([]string{"# " + key + ": " + value})
	}
	comment("method", b.Method)
	if b.Title != "" {
		comment("title", b.Title)
	}
	motion := MotionMethod(b.Method)
	if motion {
		if b.Electorate != 0 {
			comment("electorate", strconv.Itoa(b.Electorate))
		}
		if b.Quorum != 0 {
			comment("quorum", strconv.Itoa(b.Quorum))
		}
		if b.Threshold != "" {
			comment("threshold", b.Threshold)
		}
	}
	for _, s := range []struct {
		key, method string
		n           int
	}{{"dots", "dot", b.Dots}, {"max", "approval", b.Max}, {"seats", "stv", b.Seats}} {
		if b.Method == s.method && s.n != 0 {
			comment(s.key, strconv.Itoa(s.n))
		}
	}
	for _, o := range b.Options {
		if o.Name != "" {
			comment("option", o.ID+" "+o.Name)
		}
	}
	header := []string{"ballot"}
	if motion {
		header = append(header, "position", "reason")
	} else {
		for _, o := range b.Options {
			header = append(header, csvcell.Guard(o.ID))
		}
	}
	_ = cw.Write(header)
	n := len(b.Values)
	switch {
	case motion:
		n = len(b.Positions)
	case b.Method == "poll":
		n = len(b.Answers)
	}
	row := make([]string, len(header))
	for i := range n {
		id := strconv.Itoa(i + 1)
		if b.IDs != nil {
			if i >= len(b.IDs) {
				return csvErr(0, "tally.csv.ballot_id")
			}
			id = b.IDs[i]
		}
		row[0] = csvcell.Guard(id)
		for j := range row[1:] {
			row[j+1] = ""
		}
		switch {
		case motion:
			row[1] = csvcell.Guard(b.Positions[i])
			if i < len(b.Reasons) {
				row[2] = csvcell.Guard(b.Reasons[i])
			}
		case b.Method == "poll":
			if len(b.Answers[i]) > len(b.Options) {
				return csvErr(0, "tally.csv.fields")
			}
			for j, a := range b.Answers[i] {
				row[j+1] = csvcell.Guard(a)
			}
		default:
			if len(b.Values[i]) > len(b.Options) {
				return csvErr(0, "tally.csv.fields")
			}
			for j, v := range b.Values[i] {
				if v != 0 && (v != -1 || b.Method != "score") {
					row[j+1] = csvcell.Guard(strconv.Itoa(v))
				} else if v == 0 && b.Method == "score" {
					row[j+1] = "0"
				}
			}
		}
		_ = cw.Write(row)
	}
	if b.IDs != nil && len(b.IDs) != n {
		return csvErr(0, "tally.csv.ballot_id")
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	// Whatever WriteCSV writes, ReadCSV reads.
	if _, err := ReadCSV(bytes.NewReader(buf.Bytes()), ""); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
