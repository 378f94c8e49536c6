package atlas

import (
	"strings"
	"unicode"

	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/english"
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
