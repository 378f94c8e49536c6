package textcheck

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// JSONProblem is text in a JSON document that samen does not take.
type JSONProblem struct {
	Path string // the value's place, as samen names fields: "needs.0.text"
	Code string
	Position
}

// CheckJSON finds the first string in a JSON document, a member name or a
// value, that is not text samen takes: one with bytes that are not UTF-8
// (which encoding/json would quietly turn into U+FFFD) or one that spells
// a control character as an escape ("\u0000"). It reports nothing for a
// document that is not JSON: the decoder says that better.
func CheckJSON(data []byte) *JSONProblem {
	if plainJSON(data) {
		return nil
	}
	return checkTokens(data)
}

// checkTokens is CheckJSON walking the document token by token.
func checkTokens(data []byte) *JSONProblem {
	var found *JSONProblem
	walkJSON(data, func(path string, tok json.Token, start, end int) bool {
		s, ok := tok.(string)
		if !ok {
			return true
		}
		if !utf8.Valid(data[start:end]) {
			at := start
			for at < end {
				r, size := utf8.DecodeRune(data[at:end])
				if r == utf8.RuneError && size <= 1 {
					break
				}
				at += size
			}
			found = &JSONProblem{Path: path, Code: Encoding, Position: PositionOf(data, at)}
			return false
		}
		if code, _ := Check(s); code != "" {
			found = &JSONProblem{Path: path, Code: code, Position: PositionOf(data, start)}
			return false
		}
		return true
	})
	return found
}

// plainJSON reports whether data surely holds only text samen takes, as
// a quick look can tell: valid UTF-8 with nothing but allowed characters,
// and every escape one of an allowed character (\b and \f are control
// characters). Walking a document token by token costs twenty times as
// much, and an import checks every feature of a file twice.
func plainJSON(data []byte) bool {
	if code, _ := CheckFile(data); code != "" {
		return false
	}
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '\\')
		if j < 0 {
			return true
		}
		i += j + 1
		if i == len(data) {
			return false
		}
		switch data[i] {
		case '"', '\\', '/', 'n', 'r', 't':
			i++
		case 'u':
			if i+5 > len(data) {
				return false
			}
			c, err := strconv.ParseUint(string(data[i+1:i+5]), 16, 16)
			if err != nil || !Allowed(rune(c)) {
				return false
			}
			i += 5
		default:
			return false
		}
	}
}

// PathAt returns the place of the value that ends at or after byte offset
// off (as json.UnmarshalTypeError.Offset gives it), named as samen names
// fields ("needs.0.text"), or "" when there is none. encoding/json's own
// Field leaves out array indexes and names embedded Go structs, which mean
// nothing to the reader of the JSON.
func PathAt(data []byte, off int64) string {
	path := ""
	walkJSON(data, func(p string, _ json.Token, _, end int) bool {
		if int64(end) >= off {
			path = p
			return false
		}
		return true
	})
	return path
}

// walkJSON reads data token by token and calls fn with each token's path,
// the token, and the byte range [start, end) it came from. For a member
// name the path is that of its value. fn returns false to stop.
func walkJSON(data []byte, fn func(path string, tok json.Token, start, end int) bool) {
	type frame struct {
		object    bool
		wantKey   bool
		key       string
		index     int
		pathUntil string // the path of the container itself
	}
	var stack []frame
	here := func() string { // the path of the value about to be read
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		name := f.key
		if !f.object {
			name = strconv.Itoa(f.index)
		}
		if f.pathUntil == "" {
			return name
		}
		return f.pathUntil + "." + name
	}
	// valueDone moves the container on after one of its values.
	valueDone := func() {
		if len(stack) == 0 {
			return
		}
		f := &stack[len(stack)-1]
		if f.object {
			f.wantKey = true
		} else {
			f.index++
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		start := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return
		}
		end := int(dec.InputOffset())
		for start < end && bytes.IndexByte([]byte(" \t\r\n,:"), data[start]) >= 0 {
			start++
		}
		if len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].wantKey {
			if key, ok := tok.(string); ok {
				f := &stack[len(stack)-1]
				f.key, f.wantKey = key, false
				if !fn(here(), tok, start, end) {
					return
				}
				continue
			}
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			p := here()
			if !fn(p, tok, start, end) {
				return
			}
			stack = append(stack, frame{object: tok == json.Delim('{'), wantKey: true, pathUntil: p})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			if !fn(here(), tok, start, end) {
				return
			}
			valueDone()
		}
	}
}
