package tally

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Limits of a BLT file beyond those of an Election (MaxOptions,
// MaxTotalWeight), so that reading a hostile file takes bounded memory.
// Identical ballots written once with their number as the weight take one
// line, so a large election fits when its ballots are aggregated.
const (
	// BLTMaxBallotLines is the most ballot lines a file may have.
	BLTMaxBallotLines = 1_000_000
	// BLTMaxPreferences is the most candidate numbers all ballot lines may
	// hold together.
	BLTMaxPreferences = 4_000_000
	// bltMaxLine is the longest line read, in bytes.
	bltMaxLine = 1 << 20
)

// ReadBLT reads a ballot file in the BLT format (the format of the
// Electoral Reform Society's counting programs and of OpenSTV):
//
//	3 2            number of candidates, number of seats
//	-2             optional: withdrawn candidates, as negative numbers
//	4 1 3 0        a weight (how many such ballots), preferences best first, 0
//	1 2=3 1 0      ties: candidate numbers joined by "=" share a rank
//	(b7) 2 3 0     optional: a ballot id in parentheses at the line start
//	0              the end of the ballots
//	"Ann"          one name per candidate, in quotation marks, in order
//	"Bob"
//	"Cas"
//	"Board 2025"   the title
//
// Candidates are numbered from 1 in the file and from 0 in the Election.
// The "=" ties are an extension several tools use; ballot ids are read and
// dropped. A '#' outside quotation marks starts a comment to the end of the
// line; blank lines are skipped. A name or title may not contain a
// quotation mark or a control character and must be UTF-8. A leading
// UTF-8 byte order mark is skipped. Ballots are kept line by line, in the
// file's order, as they are written (identical lines are not merged).
//
// Anything else is refused with a *FileError: Line is where (0 when the
// file ends too early), Code one of tally.blt.empty, .header, .seats,
// .withdrawn, .repeated, .weight, .preference, .candidate_range,
// .terminator, .id, .no_end, .names, .names_missing, .title,
// .title_missing, .trailing, .encoding, .too_large, .line_too_long,
// .unreadable. The file's size is the caller's to limit; ReadBLT applies
// MaxOptions, MaxTotalWeight, BLTMaxBallotLines and BLTMaxPreferences.
func ReadBLT(r io.Reader) (Election, error) {
	var e Election
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 64*1024), bltMaxLine)
	line := 0
	// next returns the next line that is not blank or only a comment, with
	// the comment kept (names may hold '#').
	next := func() ([]byte, bool, *FileError) {
		for s.Scan() {
			line++
			b := s.Bytes()
			if line == 1 {
				b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
			}
			b = bytes.TrimSpace(b)
			if len(b) == 0 || b[0] == '#' {
				continue
			}
			return b, true, nil
		}
		if err := s.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return nil, false, &FileError{Line: line + 1, Code: "tally.blt.line_too_long"}
			}
			return nil, false, &FileError{Line: line, Code: "tally.blt.unreadable"}
		}
		return nil, false, nil
	}
	fail := func(code string) (Election, error) {
		return Election{}, &FileError{Line: line, Code: code}
	}

	// Header.
	b, ok, ferr := next()
	if ferr != nil {
		return Election{}, ferr
	}
	if !ok {
		return Election{}, &FileError{Code: "tally.blt.empty"}
	}
	head := bltFields(bltUncomment(b))
	if len(head) != 2 {
		return fail("tally.blt.header")
	}
	n, okN := bltNumber(head[0])
	seats, okS := bltNumber(head[1])
	switch {
	case !okN || !okS || n < 1 || seats < 1:
		return fail("tally.blt.header")
	case n > MaxOptions:
		return fail("tally.blt.too_large")
	case seats > n:
		return fail("tally.blt.seats")
	}
	e.Seats = seats

	// Withdrawn candidates, then ballots.
	b, ok, ferr = next()
	if ferr != nil {
		return Election{}, ferr
	}
	if ok && b[0] == '-' {
		gone := make([]bool, n)
		for _, f := range bltFields(bltUncomment(b)) {
			if len(f) < 2 || f[0] != '-' {
				return fail("tally.blt.withdrawn")
			}
			k, okK := bltNumber(f[1:])
			if !okK || k < 1 || k > n {
				return fail("tally.blt.withdrawn")
			}
			if gone[k-1] {
				return fail("tally.blt.repeated")
			}
			gone[k-1] = true
			e.Withdrawn = append(e.Withdrawn, k-1)
		}
		if seats > n-len(e.Withdrawn) {
			return fail("tally.blt.seats")
		}
		b, ok, ferr = next()
		if ferr != nil {
			return Election{}, ferr
		}
	}
	var arena bltArena
	var scratch [][]byte
	seen := make([]int, n) // ballot line number that last listed a candidate
	total, prefs := 0, 0
	for {
		if !ok {
			return Election{}, &FileError{Code: "tally.blt.no_end"}
		}
		b = bltUncomment(b)
		if b[0] == '(' {
			end := bytes.IndexByte(b, ')')
			if end < 0 {
				return fail("tally.blt.id")
			}
			b = b[end+1:]
		}
		scratch = bltFieldsInto(scratch[:0], b)
		f := scratch
		if len(f) == 1 && string(f[0]) == "0" {
			break
		}
		if len(e.Ballots) == BLTMaxBallotLines {
			return fail("tally.blt.too_large")
		}
		if len(f) == 0 {
			return fail("tally.blt.weight")
		}
		w, okW := bltNumber(f[0])
		if !okW || w < 1 {
			return fail("tally.blt.weight")
		}
		if total += w; w > MaxTotalWeight || total > MaxTotalWeight {
			return fail("tally.blt.too_large")
		}
		if string(f[len(f)-1]) != "0" {
			return fail("tally.blt.terminator")
		}
		f = f[1 : len(f)-1]
		ranks := arena.groups(len(f))
		for gi, tok := range f {
			if string(tok) == "0" {
				return fail("tally.blt.terminator")
			}
			size := bytes.Count(tok, []byte("=")) + 1
			if prefs += size; prefs > BLTMaxPreferences {
				return fail("tally.blt.too_large")
			}
			group := arena.ints(size)
			for j := range group {
				part := tok
				if end := bytes.IndexByte(tok, '='); end >= 0 {
					part, tok = tok[:end], tok[end+1:]
				}
				k, okK := bltNumber(part)
				if !okK {
					return fail("tally.blt.preference")
				}
				if k < 1 || k > n {
					return fail("tally.blt.candidate_range")
				}
				if seen[k-1] == line {
					return fail("tally.blt.repeated")
				}
				seen[k-1] = line
				group[j] = k - 1
			}
			ranks[gi] = group
		}
		if len(ranks) == 0 {
			ranks = nil
		}
		e.Ballots = append(e.Ballots, RankedBallot{Weight: w, Ranks: ranks})
		b, ok, ferr = next()
		if ferr != nil {
			return Election{}, ferr
		}
	}

	// Names, then the title.
	e.Options = make([]string, 0, n)
	for len(e.Options) < n {
		b, ok, ferr = next()
		if ferr != nil {
			return Election{}, ferr
		}
		if !ok {
			return Election{}, &FileError{Code: "tally.blt.names_missing"}
		}
		name, problem := bltQuoted(b)
		if problem == bltNotUTF8 {
			return fail("tally.blt.encoding")
		}
		if problem != bltQuotedOK {
			return fail("tally.blt.names")
		}
		e.Options = append(e.Options, name)
	}
	b, ok, ferr = next()
	if ferr != nil {
		return Election{}, ferr
	}
	if !ok {
		return Election{}, &FileError{Code: "tally.blt.title_missing"}
	}
	title, problem := bltQuoted(b)
	if problem == bltNotUTF8 {
		return fail("tally.blt.encoding")
	}
	if problem != bltQuotedOK {
		return fail("tally.blt.title")
	}
	e.Title = title
	if _, ok, ferr = next(); ferr != nil {
		return Election{}, ferr
	} else if ok {
		return fail("tally.blt.trailing")
	}
	return e, nil
}

// bltUncomment cuts a comment off a line that holds no quoted text.
func bltUncomment(b []byte) []byte {
	if i := bytes.IndexByte(b, '#'); i >= 0 {
		return b[:i]
	}
	return b
}

// bltFields splits a line at spaces and tabs.
func bltFields(b []byte) [][]byte { return bltFieldsInto(nil, b) }

// bltFieldsInto appends the fields of b to out.
func bltFieldsInto(out [][]byte, b []byte) [][]byte {
	start := -1
	for i, c := range b {
		if c == ' ' || c == '\t' {
			if start >= 0 {
				out = append(out, b[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, b[start:])
	}
	return out
}

// bltNumber reads a whole number written in digits only (at most nine,
// which is more than any count needs).
func bltNumber(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		// More than nine digits: larger than any limit; report it as out
		// of range (ok) if it is all digits.
		if len(b) == 0 {
			return 0, false
		}
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
		return 1 << 40, true
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// What bltQuoted found.
const (
	bltQuotedOK = iota
	bltNotQuoted
	bltNotUTF8
)

// bltQuoted reads a line holding one quoted string, perhaps followed by a
// comment.
func bltQuoted(b []byte) (string, int) {
	if len(b) < 2 || b[0] != '"' {
		return "", bltNotQuoted
	}
	end := bytes.IndexByte(b[1:], '"')
	if end < 0 {
		return "", bltNotQuoted
	}
	text, rest := b[1:1+end], bytes.TrimSpace(b[2+end:])
	if len(rest) > 0 && rest[0] != '#' {
		return "", bltNotQuoted
	}
	if !utf8.Valid(text) {
		return "", bltNotUTF8
	}
	if !bltWritable(string(text)) {
		return "", bltNotQuoted
	}
	return string(text), bltQuotedOK
}

// bltWritable says whether a name or title can stand between quotation
// marks in a BLT file and be read back the same.
func bltWritable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '"' || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// bltArena hands out slices cut from large shared arrays, so that a file
// of many short ballots does not make many small allocations.
type bltArena struct {
	intBuf   []int
	groupBuf [][]int
}

func (a *bltArena) ints(n int) []int {
	if len(a.intBuf) < n {
		a.intBuf = make([]int, max(n, 16*1024))
	}
	out := a.intBuf[:n:n]
	a.intBuf = a.intBuf[n:]
	return out
}

func (a *bltArena) groups(n int) [][]int {
	if len(a.groupBuf) < n {
		a.groupBuf = make([][]int, max(n, 4*1024))
	}
	out := a.groupBuf[:n:n]
	a.groupBuf = a.groupBuf[n:]
	return out
}

// WriteBLT writes e in the BLT format ReadBLT reads: the header, the
// withdrawn candidates (if any) in e.Withdrawn's order, one line per
// RankedBallot in e.Ballots' order with its weight as it is (ballots are
// neither merged nor split), tied options joined by "=", then the names
// and the title. No comments, ids or blank lines are written, and lines
// end in "\n".
//
// ReadBLT(WriteBLT(e)) gives e back, except that empty Withdrawn, Ballots
// or Ranks come back as nil. WriteBLT refuses an election that Validate
// refuses (with Validate's error), and one whose title or an option's
// name holds a quotation mark or a control character or is not UTF-8,
// which BLT cannot carry (*ElectionError, code tally.election.name).
func WriteBLT(w io.Writer, e Election) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if !bltWritable(e.Title) {
		return &ElectionError{Ballot: -1, Code: "tally.election.name"}
	}
	for _, name := range e.Options {
		if !bltWritable(name) {
			return &ElectionError{Ballot: -1, Code: "tally.election.name"}
		}
	}
	bw := bufio.NewWriter(w)
	var buf []byte
	buf = strconv.AppendInt(buf, int64(len(e.Options)), 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, int64(e.Seats), 10)
	buf = append(buf, '\n')
	if len(e.Withdrawn) > 0 {
		for i, o := range e.Withdrawn {
			if i > 0 {
				buf = append(buf, ' ')
			}
			buf = strconv.AppendInt(append(buf, '-'), int64(o+1), 10)
		}
		buf = append(buf, '\n')
	}
	for _, b := range e.Ballots {
		buf = strconv.AppendInt(buf, int64(b.Weight), 10)
		for _, g := range b.Ranks {
			for j, o := range g {
				if j == 0 {
					buf = append(buf, ' ')
				} else {
					buf = append(buf, '=')
				}
				buf = strconv.AppendInt(buf, int64(o+1), 10)
			}
		}
		buf = append(buf, " 0\n"...)
		if len(buf) > 32*1024 {
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, "0\n"...)
	for _, name := range e.Options {
		buf = append(append(append(buf, '"'), name...), "\"\n"...)
	}
	buf = append(append(append(buf, '"'), e.Title...), "\"\n"...)
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}
