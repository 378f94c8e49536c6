package atlas

import (
	"slices"
	"strings"
	"unicode"

	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/english"
	"github.com/jackc/pgx/v5/pgtype"
)

// searchText is everything in a record that search looks at.
func searchText(r Record) string {
	var b strings.Builder
	for _, s := range []string{r.Name, r.Summary.NL, r.Summary.EN, r.Description.NL, r.Description.EN,
		r.Location.City, r.Location.Address} {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	for _, list := range [][]string{r.Tags, r.Tools} {
		for _, s := range list {
			b.WriteString(s)
			b.WriteByte(' ')
		}
	}
	for _, e := range append(append([]Exchange(nil), r.Needs...), r.Offers...) {
		b.WriteString(e.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// words splits text into lower-cased words of letters and digits.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// stems returns the Dutch and English stems of a lower-cased word.
func stems(w string) (nl, en string) {
	env := snowball.NewEnv(w)
	dutch.Stem(env)
	nl = env.Current()
	env = snowball.NewEnv(w)
	english.Stem(env)
	return nl, env.Current()
}

// indexTerms is what the SQLite search table stores for a record: each word
// followed by its stems where they differ from it, so that "fietsen" and
// "fiets", "gardens" and "garden" find each other. Stems are prefixed so
// that they only match stems; a stem the same as its word is left out, as
// the query looks for each stem as a word too (ftsQuery). Most words are
// their own stems: the index then holds a third fewer terms, each of them
// written to the four prefix indexes as well.
func indexTerms(r Record) string { return newStemCache().indexTerms(r) }

// pgVector is what PostgreSQL's search table stores for a record, a
// tsvector (which pgx sends in binary, lexemes sorted): the Dutch and the
// English stem of every word, those of the name weighted A, then those of
// the whole search text. They are the
// lexemes of PostgreSQL's own
//
//	setweight(to_tsvector('dutch', name), 'A') || setweight(to_tsvector('english', name), 'A') ||
//	to_tsvector('dutch', text) || to_tsvector('english', text)
//
// which samen used before; working them out here spares the database
// server, which in an import of 200,000 initiatives spent 36 s of CPU on
// them. The query (tsQuery) still stems what was typed with PostgreSQL's
// stemmers, which are the same Snowball stemmers as these, with the same
// stop words (TestPGVector compares the two on real text). Words are
// split as words splits them, so a search finds the parts of a URL or
// an e-mail address, which PostgreSQL's parser keeps whole.
func pgVector(r Record) pgtype.TSVector { return newStemCache().pgVector(r) }

// The limits of a tsvector (PostgreSQL's tsearch/ts_type.h): a lexeme of
// at most 2,046 bytes, positions up to 16,383, at most 256 a lexeme.
const (
	pgMaxLexeme    = 2046
	pgMaxPosition  = 16383
	pgMaxPositions = 256
)

// stemmed is what stemCache keeps of a word.
type stemmed struct {
	terms [2]string // indexTerms' Dutch and English stems, with the "s" prefix; "" for the word itself
	lex   [2]string // pgVector's Dutch and English lexemes; "" for a stop word
}

// stemCache remembers the stems of the words it has seen: the words of a
// directory repeat a lot, and stemming is most of the work of preparing
// the search index's entry of a record, in an import or a restore.
type stemCache struct {
	stems map[string]stemmed
	seen  map[string]bool
	at    map[string]int // pgVector: where a lexeme is in lexemes
	lexs  []pgLexeme
}

type pgLexeme struct {
	lex string
	pos []uint16 // positions, in order; the top bit says weight A
}

const pgWeightA = 1 << 15

func newStemCache() *stemCache {
	return &stemCache{stems: map[string]stemmed{}, seen: map[string]bool{}, at: map[string]int{}}
}

// stem is what the cache knows of word w, worked out when it is new.
func (c *stemCache) stem(w string) stemmed {
	if st, ok := c.stems[w]; ok {
		return st
	}
	if len(c.stems) > 1<<17 {
		clear(c.stems)
	}
	var st stemmed
	nl, en := stems(w)
	for i, stem := range []string{nl, en} {
		if stem != w {
			st.terms[i] = "s" + stem
		}
	}
	st.lex = pgLexemes(w, nl, en)
	c.stems[w] = st
	return st
}

// pgLexemes are the lexemes PostgreSQL's Dutch and English configurations
// make of word w, whose Snowball stems are nl and en. A word with a digit
// in it is a number or a "numword" to PostgreSQL's parser, which both
// configurations keep as it is; a stop word of a language has no lexeme
// in it; a word longer than 1,000 bytes is not stemmed (dict_snowball.c),
// and one longer than a lexeme can be is left out, with a notice, by
// to_tsvector.
func pgLexemes(w, nl, en string) [2]string {
	switch {
	case len(w) > pgMaxLexeme:
		return [2]string{}
	case strings.IndexFunc(w, unicode.IsDigit) >= 0:
		return [2]string{w, w}
	case len(w) > 1000:
		nl, en = w, w
	}
	if dutchStop[w] {
		nl = ""
	}
	if englishStop[w] {
		en = ""
	}
	return [2]string{nl, en}
}

// indexTerms is indexTerms (above), with the stems of the words seen
// before kept for the next records.
func (c *stemCache) indexTerms(r Record) string {
	var b strings.Builder
	clear(c.seen)
	add := func(t string) {
		if t != "" && !c.seen[t] {
			c.seen[t] = true
			b.WriteString(t)
			b.WriteByte(' ')
		}
	}
	for _, w := range words(searchText(r)) {
		st := c.stem(w)
		add(w)
		add(st.terms[0])
		add(st.terms[1])
	}
	return b.String()
}

// pgVector is pgVector (above), with the stems of the words seen before
// kept for the next records.
func (c *stemCache) pgVector(r Record) pgtype.TSVector {
	clear(c.at)
	c.lexs = c.lexs[:0]
	pos := 0
	add := func(w string, weight uint16) {
		if pos < pgMaxPosition {
			pos++
		}
		st := c.stem(w)
		for i, lex := range st.lex {
			if lex == "" || i == 1 && lex == st.lex[0] {
				continue
			}
			at, ok := c.at[lex]
			if !ok {
				at = len(c.lexs)
				c.at[lex] = at
				if at < cap(c.lexs) { // reuse the positions' memory
					c.lexs = c.lexs[:at+1]
					c.lexs[at].lex, c.lexs[at].pos = lex, c.lexs[at].pos[:0]
				} else {
					c.lexs = append(c.lexs, pgLexeme{lex: lex})
				}
			}
			l := &c.lexs[at]
			switch n := len(l.pos); {
			case n > 0 && l.pos[n-1]&^pgWeightA == uint16(pos):
				// The last positions share one when there are more.
				l.pos[n-1] |= weight
			case n < pgMaxPositions:
				l.pos = append(l.pos, uint16(pos)|weight)
			}
		}
	}
	for _, w := range words(r.Name) {
		add(w, pgWeightA)
	}
	for _, w := range words(searchText(r)) {
		add(w, 0)
	}
	// In PostgreSQL's order (bytes, as tsCompareString compares them),
	// which spares the server sorting each vector it is sent, and the
	// full-text index sorting its entries.
	slices.SortFunc(c.lexs, func(a, b pgLexeme) int { return strings.Compare(a.lex, b.lex) })
	n := 0
	for _, l := range c.lexs {
		n += len(l.pos)
	}
	// One array of positions for the whole vector, and one of lexemes.
	all := make([]pgtype.TSVectorPosition, 0, n)
	v := pgtype.TSVector{Lexemes: make([]pgtype.TSVectorLexeme, len(c.lexs)), Valid: true}
	for i, l := range c.lexs {
		from := len(all)
		for _, p := range l.pos {
			weight := pgtype.TSVectorWeightD
			if p&pgWeightA != 0 {
				weight = pgtype.TSVectorWeightA
			}
			all = append(all, pgtype.TSVectorPosition{Position: p &^ pgWeightA, Weight: weight})
		}
		v.Lexemes[i] = pgtype.TSVectorLexeme{Word: l.lex, Positions: all[from:len(all):len(all)]}
	}
	return v
}

// ftsQuery turns what someone typed into an FTS5 query over indexTerms:
// every word must match, as itself, through either stem (as a stem, or as
// a word that is its own stem), or, for words of 3 to 6 letters, as the
// start of a longer word ("fiets" finds "fietsen", "zon" finds
// "zonnepanelen"). Those lengths have prefix indexes; a prefix of another
// length would make FTS5 merge every term it starts, which at millions of
// rows takes tens of milliseconds. It returns "" when nothing searchable
// was typed.
func ftsQuery(q string) string {
	var parts []string
	for _, w := range words(q) {
		nl, en := stems(w)
		alts := []string{quote("s" + nl), quote("s" + en)}
		if n := len([]rune(w)); n >= 3 && n <= 6 {
			alts = append(alts, quote(w)+"*")
		} else {
			alts = append(alts, quote(w))
		}
		if nl != w && nl != "" {
			alts = append(alts, quote(nl))
		}
		if en != w && en != nl && en != "" {
			alts = append(alts, quote(en))
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
		if len(parts) == 12 { // enough to find anything; bounds the work
			break
		}
	}
	return strings.Join(parts, " AND ")
}

// quote makes a word an FTS5 string, so that words like "and" or "near" are
// not read as operators.
func quote(w string) string { return `"` + strings.ReplaceAll(w, `"`, `""`) + `"` }
