// Package textcheck is samen's one rule for text that comes from outside:
// form fields, query parameters, JSON bodies, CSV and GeoJSON files,
// uploads. Text must be valid UTF-8 and hold no control characters other
// than tab and line breaks. Anything else is refused where it enters, with
// the field (and, in a file, the line and column) that holds it.
//
// Why so strict: PostgreSQL refuses NUL in text outright, and SQLite
// stores it, so a database that took one could never move to PostgreSQL;
// invalid UTF-8 is silently replaced on some paths and refused on others;
// and control characters have no business in names and descriptions, where
// they only confuse what displays or prints them.
//
// Text that passes is tidied in one way too: Collapse.
package textcheck

import (
	"io"
	"strings"
	"unicode/utf8"

	"samen/internal/problem"
)

// Problem codes, for problem.Fields; the web layer translates "field."+code.
const (
	Encoding = "text.encoding" // not valid UTF-8
	Control  = "text.control"  // NUL or another control character
)

// Allowed reports whether r may stand in text: anything but the control
// characters (C0, DEL and C1), of which tab, line feed and carriage return
// (browsers send line breaks in a textarea as CR LF) are allowed.
func Allowed(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20 || r == 0x7f:
		return false
	case r >= 0x80 && r <= 0x9f:
		return false
	}
	return true
}

// Check returns the code of the first thing in s that samen does not take
// as text, and its byte offset; "" and -1 when s is fine.
func Check(s string) (code string, at int) {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return Encoding, i
			}
			continue
		}
		if !Allowed(r) {
			return Control, i
		}
	}
	return "", -1
}

// Valid reports whether s is text samen takes.
func Valid(s string) bool {
	code, _ := Check(s)
	return code == ""
}

// Collapse trims s and replaces each run of white space in it (line breaks
// included) with one space: the form of a one-line field such as a name.
func Collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// Position is a place in a file: line and column from 1, the column counted
// in characters, as an editor shows it.
type Position struct {
	Line, Column int
}

// PositionOf returns the position of byte offset off in data. Invalid
// bytes count as one character each.
func PositionOf(data []byte, off int) Position {
	return Position{Line: 1, Column: 1}.After(data[:min(max(off, 0), len(data))])
}

// After returns the position just after data, when data starts at p.
func (p Position) After(data []byte) Position {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == '\n' {
			p.Line++
			p.Column = 1
		} else {
			p.Column++
		}
		i += size
	}
	return p
}

// In returns the place in a file of q, a position within a part of that
// file which starts at p.
func (p Position) In(q Position) Position {
	if q.Line == 1 {
		return Position{Line: p.Line, Column: p.Column + q.Column - 1}
	}
	return Position{Line: p.Line + q.Line - 1, Column: q.Column}
}

// Tracker is a reader that knows the position of every byte offset it has
// passed on, asked in increasing order, while holding only the bytes
// between the last offset asked and what it has read: a decoder reading a
// large file through it can say where a value starts.
type Tracker struct {
	r    io.Reader
	held []byte // read and not yet passed, from offset at on
	at   int64
	pos  Position // of offset at
}

// NewTracker reads r.
func NewTracker(r io.Reader) *Tracker {
	return &Tracker{r: r, pos: Position{Line: 1, Column: 1}}
}

func (t *Tracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.held = append(t.held, p[:n]...)
	return n, err
}

// At returns the position of byte offset off. An offset before the one
// asked last gives that one's position, one past what was read the
// position of the end of it.
func (t *Tracker) At(off int64) Position {
	k := int(min(max(off-t.at, 0), int64(len(t.held))))
	t.pos = t.pos.After(t.held[:k])
	// Slicing forward lets append move what is held to a new array
	// once this one is full, so the old bytes are not kept.
	t.held = t.held[k:]
	t.at += int64(k)
	return t.pos
}

// AtValue is At for the first byte from off on that is not white space or
// a separator of JSON (',', ':'): where the value after off starts, or
// would have, for a value the decoder refused.
func (t *Tracker) AtValue(off int64) Position {
	i := int(min(max(off-t.at, 0), int64(len(t.held))))
	for i < len(t.held) && strings.IndexByte(" \t\r\n,:", t.held[i]) >= 0 {
		i++
	}
	return t.At(t.at + int64(i))
}

// CheckFile returns the first problem in a whole file and where it is.
// It suits formats whose text stands in the file as it is, such as CSV;
// JSON, which can spell a NUL as an escape, is checked by CheckJSON.
func CheckFile(data []byte) (code string, pos Position) {
	// Ranging over the conversion does not copy the file.
	for i, r := range string(data) {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRune(data[i:]); size <= 1 {
				return Encoding, PositionOf(data, i)
			}
			continue
		}
		if !Allowed(r) {
			return Control, PositionOf(data, i)
		}
	}
	return "", Position{}
}

// Field checks one typed text field of a form and records its first
// problem in f: text samen does not take, empty when required ("required"),
// more than max characters ("too_long"). Parts share it so that every form
// names the same problems the same way.
func Field(f problem.Fields, field, s string, max int, required bool) {
	if code, _ := Check(s); code != "" {
		f.Add(field, code)
		return
	}
	if required && s == "" {
		f.Add(field, "required")
		return
	}
	if utf8.RuneCountInString(s) > max {
		f.Add(field, "too_long")
	}
}
