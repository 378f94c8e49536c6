package personal

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Removed is what stands where a name or an address was taken out of a
// text: the text stays readable, and it is plain that something was there.
const Removed = "[…]"

// Person is someone being erased: their account id, and the address and name
// the account had, which every part looks for in what it keeps.
type Person struct {
	ID    int64
	Email string // as stored: lower case
	Name  string // may be empty
}

// minDistinctive is the shortest name looked for in other people's texts.
const minDistinctive = 5

// Distinctive reports whether the name is one that can be looked for in
// everyone's texts: at least two words and five letters. A one-word name
// ("Bakker", "Al") is also an ordinary word, and taking it out of every
// description in the atlas would damage other people's texts; it is then
// removed only from the person's own rows.
func (p Person) Distinctive() bool {
	return len(strings.Fields(p.Name)) >= 2 && utf8.RuneCountInString(p.Name) >= minDistinctive
}

// ForOthers is p as looked for in other people's rows: without the name
// when it is not distinctive.
func (p Person) ForOthers() Person {
	if !p.Distinctive() {
		p.Name = ""
	}
	return p
}

// Like returns two patterns for `lower(column) LIKE ?` that every text
// mentioning the address or the name matches (and some that do not, which
// Scrub then leaves alone). Each is the longest run of ASCII characters of
// the address or the name, lower-cased: SQLite's lower() folds only ASCII,
// so a run that avoids other letters matches whatever case the text has it
// in, on both engines. '%' and '_' in a run match more, never less. A name
// with no usable run matches every row: slow, but nothing is missed. An
// empty name repeats the address's pattern.
func (p Person) Like() []any {
	email := likePattern(p.Email)
	name := email
	if p.Name != "" {
		name = likePattern(p.Name)
	}
	return []any{email, name}
}

func likePattern(s string) string {
	best, cur := "", strings.Builder{}
	flush := func() {
		if cur.Len() > len(best) {
			best = cur.String()
		}
		cur.Reset()
	}
	for _, r := range s {
		if r < utf8.RuneSelf && r >= 0x20 {
			cur.WriteRune(unicode.ToLower(r))
			continue
		}
		flush()
	}
	flush()
	if len(strings.TrimSpace(best)) < 2 {
		return "%"
	}
	return "%" + best + "%"
}

// Mentions reports whether s holds the address or the name.
func (p Person) Mentions(s string) bool {
	_, changed := p.Scrub(s)
	return changed
}

// Scrub returns s with every occurrence of the address and of the name, in
// any case, replaced by Removed, and whether it changed anything. The name
// counts only as whole words ("Jan" is not taken out of "Janssen").
func (p Person) Scrub(s string) (string, bool) {
	changed := false
	for _, term := range []string{p.Email, p.Name} {
		term = strings.TrimSpace(term)
		if term == "" {
			continue
		}
		re := regexp.MustCompile(`(?i)` + regexp.QuoteMeta(term))
		var b strings.Builder
		last := 0
		for _, m := range re.FindAllStringIndex(s, -1) {
			if term == strings.TrimSpace(p.Name) && !wholeWord(s, m[0], m[1]) {
				continue
			}
			b.WriteString(s[last:m[0]])
			b.WriteString(Removed)
			last = m[1]
			changed = true
		}
		if last > 0 {
			b.WriteString(s[last:])
			s = b.String()
		}
	}
	return s, changed
}

// wholeWord reports whether s[i:j] stands on its own: no letter or digit
// right before or after it.
func wholeWord(s string, i, j int) bool {
	if r, _ := utf8.DecodeLastRuneInString(s[:i]); i > 0 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(s[j:]); j < len(s) && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
		return false
	}
	return true
}

// ScrubJSON scrubs every string in a JSON document (not the keys). A string
// that is the address and nothing else becomes empty rather than Removed,
// so that a contact field stays a valid (empty) address field. It returns
// the document unchanged, and false, when there is nothing to take out or
// it is not JSON; the caller decodes the result into its own type to keep
// its field order.
func (p Person) ScrubJSON(doc string) (string, bool) {
	d := json.NewDecoder(strings.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return p.Scrub(doc)
	}
	changed := false
	v = p.scrubValue(v, &changed)
	if !changed {
		return doc, false
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return p.Scrub(doc)
	}
	return strings.TrimSuffix(buf.String(), "\n"), true
}

func (p Person) scrubValue(v any, changed *bool) any {
	switch x := v.(type) {
	case string:
		if p.Email != "" && strings.EqualFold(strings.TrimSpace(x), p.Email) {
			*changed = true
			return ""
		}
		s, ch := p.Scrub(x)
		*changed = *changed || ch
		return s
	case []any:
		for i := range x {
			x[i] = p.scrubValue(x[i], changed)
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = p.scrubValue(x[k], changed)
		}
		return x
	}
	return v
}
