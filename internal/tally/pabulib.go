package tally

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The pabulib .pb format (https://pabulib.org/format; Faliszewski et al.,
// "Participatory Budgeting: Data, Tools, and Analysis", IJCAI 2023), the
// format of the pabulib library of real participatory budgets and of the
// equalshares.net tools. A UTF-8 text in three sections, each a title line
// (META, PROJECTS, VOTES), a header line naming the columns, and rows;
// fields are separated by ';' and quoted as in CSV when they hold a ';', a
// '"' or a line break:
//
//	META
//	key;value
//	description;Municipal PB in Wieliczka
//	budget;2500
//	vote_type;approval
//	…
//	PROJECTS
//	project_id;cost;category
//	1;600;culture, education
//	…
//	VOTES
//	voter_id;age;sex;vote
//	1;34;f;1,2,4
//
// What ReadPB makes of it:
//   - META: budget → Total, in the file's whole currency units, as written
//     (required); description → Title; min_length and max_length →
//     MinChoices and MaxChoices; vote_type (required) must be approval,
//     choose-1 (approval of at most one), or ordinal, whose rankings are
//     read as approvals of the projects ranked, in the voter's order
//     (cumulative and scoring votes carry points the budget rules cannot
//     use, and are refused). max_sum_cost equal to the budget makes the
//     budget a knapsack (samen's knapsack is written so: an approval ballot
//     whose projects may cost at most the budget), and min_sum_cost is then
//     its MinCost; otherwise both stay in Meta. num_projects and num_votes,
//     when present, must match the file. add1_step is samen's own key (see
//     Budget.Add1Step). Every other key goes to Meta as written.
//   - PROJECTS: project_id and cost are required (cost a whole number above
//     0), name → Name, the other columns → Extra (empty values left out).
//   - VOTES: voter_id and vote are required; vote lists project ids,
//     separated by commas, each at most once, possibly none. Other columns
//     (age, sex, voting_method, points …) are not kept: the rules do not
//     need them, and samen keeps nothing about a voter it does not need.
//
// Quoting is read strictly, as CSV: a field holding a double quote must be
// quoted as a whole, with the quote doubled ("Budowa ""Orlika"""). A
// lenient reader would take a stray quote as the start of a quoted field
// and silently swallow the lines after it into one field.
//
// Amounts may be written "1500", "1500.0" or "1500,00", but must be whole:
// "1500.50" is refused rather than rounded. Spaces around fields are
// trimmed, blank lines skipped, a UTF-8 byte order mark at the start
// ignored. A file may hold at most 10,000 projects and 5,000,000 votes.
//
// Errors are *FileError with the line and one of these codes: tally.pb.csv
// (broken quoting), .encoding (not UTF-8), .section (a section missing, out
// of order, or a row before META), .header (a header line without its
// required columns, or with a column twice or unnamed), .meta (a META row
// that is not key;value), .duplicate_key, .budget, .vote_type, .number (a
// count in META that is not a whole number), .length (min_length above
// max_length), .min_cost, .fields (a row with more or fewer fields than
// its header), .project_id (empty, or with a comma or a control
// character), .duplicate_project, .cost, .voter (empty voter id),
// .duplicate_voter, .vote (an empty entry in a vote list),
// .unknown_project, .repeated (a project twice in one vote),
// .count_mismatch (num_projects or num_votes not what the file holds,
// reported on that META line), .too_large.

// The caps on a file (variables for the tests).
var (
	pbMaxProjects = 10_000
	pbMaxVotes    = 5_000_000
)

// pbSections are the section titles, in the order they must come.
var pbSections = []string{"meta", "projects", "votes"}

// ReadPB reads a participatory budget in the pabulib .pb format (see the
// description above). Errors in the file are *FileError; an error of the
// reader itself is returned as it is.
func ReadPB(r io.Reader) (Budget, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\uFEFF")) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comma = ';'
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	pr := pbReader{section: -1, ids: map[string]int{}, voters: map[string]struct{}{}, meta: map[string]pbMetaEntry{}}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Budget{}, &FileError{Line: pe.Line, Code: "tally.pb.csv"}
			}
			return Budget{}, err
		}
		line, _ := cr.FieldPos(0)
		blank := true
		for i, f := range rec {
			if !utf8.ValidString(f) {
				return Budget{}, &FileError{Line: line, Code: "tally.pb.encoding"}
			}
			rec[i] = strings.TrimSpace(f)
			blank = blank && rec[i] == ""
		}
		if blank {
			continue
		}
		if code := pr.record(rec, line); code != "" {
			return Budget{}, &FileError{Line: pr.errLine(line), Code: code}
		}
	}
	if code := pr.finish(); code != "" {
		return Budget{}, &FileError{Line: pr.errLine(0), Code: code}
	}
	if err := pr.b.Validate(); err != nil {
		// The reader checks everything Validate does; this is a net.
		return Budget{}, &FileError{Code: err.(*BudgetError).Code}
	}
	return pr.b, nil
}

type pbMetaEntry struct {
	value string
	line  int
}

// pbReader is ReadPB's state.
type pbReader struct {
	b         Budget
	section   int  // index in pbSections; -1 before META
	header    bool // the section's header line has been read
	titleLine int
	columns   []string
	idCol     int // PROJECTS: project_id; VOTES: voter_id
	costCol   int // PROJECTS: cost
	nameCol   int // PROJECTS: name, or -1
	voteCol   int // VOTES: vote
	meta      map[string]pbMetaEntry
	ids       map[string]int
	voters    map[string]struct{}
	mark      []int // per project: 1 + the vote that last named it
	at        int   // the line an error is about, when not the current one
}

func (pr *pbReader) errLine(current int) int {
	if pr.at != 0 {
		return pr.at
	}
	return current
}

// record takes one non-blank row; it returns an error code or "".
func (pr *pbReader) record(rec []string, line int) string {
	if s := pbTitle(rec); s >= 0 {
		if s != pr.section+1 || (pr.section >= 0 && !pr.header) {
			return "tally.pb.section"
		}
		if s == 1 {
			if code := pr.interpretMeta(); code != "" {
				return code
			}
		}
		pr.section, pr.header, pr.titleLine = s, false, line
		return ""
	}
	if pr.section < 0 {
		return "tally.pb.section"
	}
	if !pr.header {
		pr.header = true
		return pr.readHeader(rec)
	}
	if len(rec) != len(pr.columns) {
		if pr.section == 0 {
			return "tally.pb.meta"
		}
		return "tally.pb.fields"
	}
	switch pr.section {
	case 0:
		key := rec[0]
		if key == "" {
			return "tally.pb.meta"
		}
		if _, twice := pr.meta[key]; twice {
			return "tally.pb.duplicate_key"
		}
		pr.meta[key] = pbMetaEntry{strings.Clone(rec[1]), line}
	case 1:
		return pr.readProject(rec)
	case 2:
		return pr.readVote(rec)
	}
	return ""
}

// pbTitle returns the section a row opens, or -1: a row whose first field
// is META, PROJECTS or VOTES (in any case) and whose other fields are empty.
func pbTitle(rec []string) int {
	for _, f := range rec[1:] {
		if f != "" {
			return -1
		}
	}
	return slices.Index(pbSections, strings.ToLower(rec[0]))
}

func (pr *pbReader) readHeader(rec []string) string {
	pr.columns = append(pr.columns[:0], rec...)
	for i, c := range pr.columns {
		if c == "" || slices.Contains(pr.columns[:i], c) {
			return "tally.pb.header"
		}
	}
	switch pr.section {
	case 0:
		if len(rec) != 2 || !strings.EqualFold(rec[0], "key") || !strings.EqualFold(rec[1], "value") {
			return "tally.pb.header"
		}
	case 1:
		pr.idCol = slices.Index(rec, "project_id")
		pr.costCol = slices.Index(rec, "cost")
		pr.nameCol = slices.Index(rec, "name")
		if pr.idCol < 0 || pr.costCol < 0 {
			return "tally.pb.header"
		}
		for i := range pr.columns {
			pr.columns[i] = strings.Clone(pr.columns[i])
		}
	case 2:
		pr.idCol = slices.Index(rec, "voter_id")
		pr.voteCol = slices.Index(rec, "vote")
		if pr.idCol < 0 || pr.voteCol < 0 {
			return "tally.pb.header"
		}
	}
	return ""
}

// interpretMeta turns the META rows into the budget's fields, once the
// section is complete.
func (pr *pbReader) interpretMeta() string {
	b := &pr.b
	take := func(key string) (pbMetaEntry, bool) {
		e, ok := pr.meta[key]
		if ok {
			delete(pr.meta, key)
			pr.at = e.line
		} else {
			pr.at = pr.titleLine
		}
		return e, ok
	}
	e, ok := take("budget")
	total, valid := pbAmount(e.value)
	if !ok || !valid {
		return "tally.pb.budget"
	}
	b.Total = total
	e, ok = take("vote_type")
	switch {
	case !ok:
		return "tally.pb.vote_type"
	case e.value == "approval" || e.value == "ordinal":
	case e.value == "choose-1":
		b.MaxChoices = 1
	default:
		return "tally.pb.vote_type"
	}
	b.Kind = KindApproval
	for _, c := range []struct {
		key string
		to  *int
	}{{"min_length", &b.MinChoices}, {"max_length", &b.MaxChoices}} {
		if e, ok := take(c.key); ok {
			n, valid := pbCount(e.value)
			if !valid {
				return "tally.pb.number"
			}
			*c.to = n
		}
	}
	if b.MaxChoices > 0 && b.MinChoices > b.MaxChoices {
		return "tally.pb.length"
	}
	if e, ok := pr.meta["max_sum_cost"]; ok {
		if v, valid := pbAmount(e.value); valid && v == b.Total {
			take("max_sum_cost")
			b.Kind = KindKnapsack
			if e, ok := take("min_sum_cost"); ok {
				v, valid := pbAmount(e.value)
				if !valid || v > b.Total {
					return "tally.pb.min_cost"
				}
				b.MinCost = v
			}
		}
	}
	if e, ok := take("add1_step"); ok {
		v, valid := pbAmount(e.value)
		if !valid {
			return "tally.pb.number"
		}
		b.Add1Step = v
	}
	for _, key := range []string{"num_projects", "num_votes"} {
		if e, ok := pr.meta[key]; ok {
			pr.at = e.line
			if _, valid := pbCount(e.value); !valid {
				return "tally.pb.number"
			}
		}
	}
	if e, ok := take("description"); ok {
		b.Title = e.value
	}
	pr.at = 0
	return ""
}

func (pr *pbReader) readProject(rec []string) string {
	if len(pr.b.Projects) >= pbMaxProjects {
		return "tally.pb.too_large"
	}
	id := rec[pr.idCol]
	if !budgetUsableID(id) {
		return "tally.pb.project_id"
	}
	if _, twice := pr.ids[id]; twice {
		return "tally.pb.duplicate_project"
	}
	cost, valid := pbAmount(rec[pr.costCol])
	if !valid || cost <= 0 {
		return "tally.pb.cost"
	}
	p := Project{ID: strings.Clone(id), Cost: cost}
	for i, v := range rec {
		switch {
		case i == pr.idCol || i == pr.costCol || v == "":
		case i == pr.nameCol:
			p.Name = strings.Clone(v)
		default:
			if p.Extra == nil {
				p.Extra = map[string]string{}
			}
			p.Extra[pr.columns[i]] = strings.Clone(v)
		}
	}
	pr.ids[p.ID] = len(pr.b.Projects)
	pr.mark = append(pr.mark, 0)
	pr.b.Projects = append(pr.b.Projects, p)
	return ""
}

func (pr *pbReader) readVote(rec []string) string {
	if len(pr.b.Ballots) >= pbMaxVotes {
		return "tally.pb.too_large"
	}
	voter := rec[pr.idCol]
	if voter == "" {
		return "tally.pb.voter"
	}
	if _, twice := pr.voters[voter]; twice {
		return "tally.pb.duplicate_voter"
	}
	voter = strings.Clone(voter)
	pr.voters[voter] = struct{}{}
	bal := BudgetBallot{Voter: voter}
	if list := rec[pr.voteCol]; list != "" {
		bal.Projects = make([]int, 0, strings.Count(list, ",")+1)
		for {
			item, rest, more := strings.Cut(list, ",")
			item = strings.TrimSpace(item)
			p, ok := pr.ids[item]
			switch {
			case item == "":
				return "tally.pb.vote"
			case !ok:
				return "tally.pb.unknown_project"
			case pr.mark[p] == len(pr.b.Ballots)+1:
				return "tally.pb.repeated"
			}
			pr.mark[p] = len(pr.b.Ballots) + 1
			bal.Projects = append(bal.Projects, p)
			if !more {
				break
			}
			list = rest
		}
	}
	pr.b.Ballots = append(pr.b.Ballots, bal)
	return ""
}

// finish checks what can only be checked at the end of the file.
func (pr *pbReader) finish() string {
	if pr.section != 2 || !pr.header {
		return "tally.pb.section"
	}
	for _, c := range []struct {
		key string
		n   int
	}{{"num_projects", len(pr.b.Projects)}, {"num_votes", len(pr.b.Ballots)}} {
		if e, ok := pr.meta[c.key]; ok {
			delete(pr.meta, c.key)
			if n, _ := pbCount(e.value); n != c.n {
				pr.at = e.line
				return "tally.pb.count_mismatch"
			}
		}
	}
	if len(pr.meta) > 0 {
		pr.b.Meta = make(map[string]string, len(pr.meta))
		for k, e := range pr.meta {
			pr.b.Meta[strings.Clone(k)] = e.value
		}
	}
	return ""
}

// pbAmount reads a whole amount from 0 to MaxAmount: digits, optionally
// followed by a decimal point or comma and zeros only.
func pbAmount(s string) (int64, bool) {
	if i := strings.IndexAny(s, ".,"); i >= 0 {
		if strings.Trim(s[i+1:], "0") != "" {
			return 0, false
		}
		s = s[:i]
	}
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v > MaxAmount {
		return 0, false
	}
	return v, true
}

// pbCount reads a count: digits only, below a billion.
func pbCount(s string) (int, bool) {
	if s == "" || len(s) > 9 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// pbMetaOrder is the order WritePB writes META keys in, after which come
// the others alphabetically: pabulib's own order.
var pbMetaOrder = []string{"description", "country", "unit", "subunit", "instance", "district", "comment",
	"num_projects", "num_votes", "budget", "vote_type", "rule", "date_begin", "date_end",
	"min_length", "max_length", "min_sum_cost", "max_sum_cost", "add1_step"}

// WritePB writes a budget in the pabulib .pb format, so that ReadPB reads
// back the same budget. A knapsack is written as approval voting with
// max_sum_cost equal to the budget (and min_sum_cost = MinCost when there
// is one). Amounts are written as they are: a samen budget in cents is
// written in cents (with its Add1Step, so that it counts the same).
//
// What does not survive the trip: spaces around names and values (the
// reader trims), empty Extra values (the reader leaves them out), and the
// difference between a nil and an empty map or ballot.
//
// The budget must pass Validate, and the format needs a little more; the
// error is then a *BudgetError: tally.pb.reserved (a Meta key the writer
// fills itself: budget, vote_type, num_projects, num_votes, min_length,
// max_length, description, add1_step, and for a knapsack min_sum_cost and
// max_sum_cost — or, for approval, a max_sum_cost equal to the budget,
// which would read back as a knapsack; or a Meta key META, PROJECTS or
// VOTES with an empty value, which would read as a section title),
// tally.pb.meta (an empty Meta key, or one with spaces around it),
// tally.pb.column (an Extra key that is empty, has spaces around it, or is
// project_id, cost or name), tally.pb.voter (an empty voter id, one with
// spaces around it, or one that is META, PROJECTS or VOTES on an empty
// ballot), tally.pb.duplicate_voter, tally.pb.encoding (text that is not
// UTF-8).
func WritePB(w io.Writer, b Budget) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if err := pbWritable(b); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	write := func(rec ...string) { _ = cw.Write(rec) }

	meta := map[string]string{
		"num_projects": strconv.Itoa(len(b.Projects)),
		"num_votes":    strconv.Itoa(len(b.Ballots)),
		"budget":       strconv.FormatInt(b.Total, 10),
		"vote_type":    "approval",
	}
	if b.Title != "" {
		meta["description"] = b.Title
	}
	if b.MinChoices > 0 {
		meta["min_length"] = strconv.Itoa(b.MinChoices)
	}
	if b.MaxChoices > 0 {
		meta["max_length"] = strconv.Itoa(b.MaxChoices)
	}
	if b.Kind == KindKnapsack {
		meta["max_sum_cost"] = strconv.FormatInt(b.Total, 10)
		if b.MinCost > 0 {
			meta["min_sum_cost"] = strconv.FormatInt(b.MinCost, 10)
		}
	}
	if b.Add1Step != 0 {
		meta["add1_step"] = strconv.FormatInt(b.Add1Step, 10)
	}
	for k, v := range b.Meta {
		meta[k] = v
	}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y string) int {
		ix, iy := slices.Index(pbMetaOrder, x), slices.Index(pbMetaOrder, y)
		switch {
		case ix >= 0 && iy >= 0:
			return ix - iy
		case ix >= 0:
			return -1
		case iy >= 0:
			return 1
		}
		return strings.Compare(x, y)
	})
	write("META")
	write("key", "value")
	for _, k := range keys {
		write(k, meta[k])
	}

	columns := []string{"project_id", "cost"}
	named := slices.ContainsFunc(b.Projects, func(p Project) bool { return p.Name != "" })
	if named {
		columns = append(columns, "name")
	}
	var extra []string
	for _, p := range b.Projects {
		for k := range p.Extra {
			if !slices.Contains(extra, k) {
				extra = append(extra, k)
			}
		}
	}
	slices.Sort(extra)
	columns = append(columns, extra...)
	write("PROJECTS")
	write(columns...)
	row := make([]string, len(columns))
	for _, p := range b.Projects {
		row = append(row[:0], p.ID, strconv.FormatInt(p.Cost, 10))
		if named {
			row = append(row, p.Name)
		}
		for _, k := range extra {
			row = append(row, p.Extra[k])
		}
		write(row...)
	}

	write("VOTES")
	write("voter_id", "vote")
	var list strings.Builder
	for _, bal := range b.Ballots {
		list.Reset()
		for i, p := range bal.Projects {
			if i > 0 {
				list.WriteByte(',')
			}
			list.WriteString(b.Projects[p].ID)
		}
		write(bal.Voter, list.String())
	}
	cw.Flush()
	return cw.Error()
}

// pbWritable checks what the .pb format needs beyond Validate.
func pbWritable(b Budget) error {
	fail := func(code string, project, ballot int) error { return budgetErr(code, project, ballot) }
	if !utf8.ValidString(b.Title) {
		return fail("tally.pb.encoding", -1, -1)
	}
	reserved := []string{"budget", "vote_type", "num_projects", "num_votes", "min_length", "max_length", "description", "add1_step"}
	if b.Kind == KindKnapsack {
		reserved = append(reserved, "max_sum_cost", "min_sum_cost")
	}
	for k, v := range b.Meta {
		switch {
		case !utf8.ValidString(k) || !utf8.ValidString(v):
			return fail("tally.pb.encoding", -1, -1)
		case k == "" || strings.TrimSpace(k) != k:
			return fail("tally.pb.meta", -1, -1)
		case slices.Contains(reserved, k),
			slices.Contains(pbSections, strings.ToLower(k)) && strings.TrimSpace(v) == "":
			return fail("tally.pb.reserved", -1, -1)
		case k == "max_sum_cost":
			if v, ok := pbAmount(strings.TrimSpace(v)); ok && v == b.Total {
				return fail("tally.pb.reserved", -1, -1)
			}
		}
	}
	for i, p := range b.Projects {
		if !utf8.ValidString(p.Name) {
			return fail("tally.pb.encoding", i, -1)
		}
		for k, v := range p.Extra {
			switch {
			case !utf8.ValidString(k) || !utf8.ValidString(v):
				return fail("tally.pb.encoding", i, -1)
			case k == "" || strings.TrimSpace(k) != k || k == "project_id" || k == "cost" || k == "name":
				return fail("tally.pb.column", i, -1)
			}
		}
	}
	voters := make(map[string]struct{}, len(b.Ballots))
	for i, bal := range b.Ballots {
		v := bal.Voter
		switch {
		case !utf8.ValidString(v):
			return fail("tally.pb.encoding", -1, i)
		case v == "" || strings.TrimSpace(v) != v,
			len(bal.Projects) == 0 && slices.Contains(pbSections, strings.ToLower(v)):
			return fail("tally.pb.voter", -1, i)
		}
		if _, twice := voters[v]; twice {
			return fail("tally.pb.duplicate_voter", -1, i)
		}
		voters[v] = struct{}{}
	}
	return nil
}
