package atlas_test

import (
	"context"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"

	"samen/internal/atlas"
	"samen/internal/demo"
	"samen/internal/store/storetest"
)

// pgOwn is the search vector PostgreSQL itself makes of a record: what
// samen stored before it worked the vectors out itself (atlas.pgVector).
const pgOwn = `setweight(to_tsvector('dutch', $1), 'A') || setweight(to_tsvector('english', $1), 'A') ||
	to_tsvector('dutch', $2) || to_tsvector('english', $2)`

// corpus is real text to compare stemming on: the demo's initiatives and
// the CSV file of the import tests, with a record of the edge cases.
func corpus(t *testing.T) []atlas.Record {
	t.Helper()
	recs, err := demo.Initiatives()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/initiatives.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := atlas.ReadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		recs = append(recs, r.Record)
	}
	return append(recs, atlas.Record{
		Name: "De fietsen van het Café",
		Summary: atlas.Text{
			NL: "Wij zijn er voor iedereen die niet alleen wil repareren: CO2 en 3D-printers, 2e hands, 4kinderen, de buurt's werkplaats.",
			EN: "The neighbours' bikes are being repaired in the gardens, and we're doing it together since 1999 in web3gardens.",
		},
		Tags: []string{"Fietsen", "reparatie", "ÉÉN", "naïef", "über"},
	}, atlas.Record{
		// More words than a tsvector has positions, a word more often
		// than it keeps positions of one, the longest word PostgreSQL
		// indexes and one too long.
		Name:        "Lange tuin",
		Description: atlas.Text{NL: strings.Repeat("tuin ", 17000) + strings.Repeat("a", 2046) + " " + strings.Repeat("b", 2047) + " einde"},
	})
}

// TestPGVector: the vectors samen works out hold every lexeme that
// PostgreSQL's own to_tsvector makes of the same record and that a search
// can ask for, with the name's weighted A, so that a search finds and
// ranks what it did when PostgreSQL made them. The only lexemes left out
// are those of tokens PostgreSQL keeps whole (hyphenated words, URLs,
// e-mail addresses, decimals), which a search never asks for: tsQuery
// splits what is typed into words first.
func TestPGVector(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	lexemes := func(q string, args ...any) []string {
		t.Helper()
		var s string
		if err := db.QueryRow(ctx, `SELECT array_to_string(tsvector_to_array(`+q+`), ' ')`, args...).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return strings.Fields(s)
	}
	whole := func(l string) bool {
		return strings.IndexFunc(l, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) >= 0
	}
	same, extra := 0, 0
	for _, rec := range corpus(t) {
		ours := atlas.PGVector(rec)
		text := atlas.SearchText(rec)
		theirs := lexemes(pgOwn, rec.Name, text)
		got := lexemes(`CAST($1 AS tsvector)`, ours)
		for _, l := range theirs {
			if !whole(l) && !slices.Contains(got, l) {
				t.Errorf("%s: PostgreSQL has lexeme %q, samen's vector not: %s", rec.Name, l, ours)
			}
		}
		// The tokens PostgreSQL's parser keeps whole, and what samen makes
		// of their parts.
		var kept []string
		rows, err := db.Query(ctx, `SELECT token FROM ts_debug('dutch', $1) WHERE alias <> 'blank' AND token ~ '[^[:alnum:]]'`, text)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var tok string
			if err := rows.Scan(&tok); err != nil {
				t.Fatal(err)
			}
			kept = append(kept, tok)
		}
		rows.Close()
		parts := lexemes(`CAST($1 AS tsvector)`, atlas.PGVector(atlas.Record{Name: strings.Join(kept, " ")}))
		for _, l := range got {
			switch {
			case slices.Contains(theirs, l):
				same++
			case slices.Contains(parts, l):
				extra++
			default:
				t.Errorf("%s: samen's vector has lexeme %q, which PostgreSQL does not make of %q", rec.Name, l, text)
			}
		}
		a := lexemes(`ts_filter(CAST($1 AS tsvector), '{a}')`, ours)
		want := lexemes(`ts_filter(`+pgOwn+`, '{a}')`, rec.Name, rec.Name)
		want = slices.DeleteFunc(want, whole)
		if !slices.Equal(slices.DeleteFunc(a, whole), want) {
			t.Errorf("%s: weighted A %v, PostgreSQL %v", rec.Name, a, want)
		}
	}
	t.Logf("%d lexemes as PostgreSQL makes them, %d more from parts of whole tokens", same, extra)
	if same < 1000 {
		t.Fatalf("only %d lexemes compared", same)
	}
}

// TestPGStopWords: samen's stop words are PostgreSQL's, those of the
// lists and those it finds in real text.
func TestPGStopWords(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	stops := func(dict string, words []string) []string {
		t.Helper()
		var s string
		if err := db.QueryRow(ctx, `SELECT COALESCE(string_agg(w, ' ' ORDER BY w), '') FROM unnest(CAST($1 AS text[])) w
			WHERE ts_lexize(CAST($2 AS regdictionary), w) = '{}'`, words, dict).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return strings.Fields(s)
	}
	var words []string
	for _, rec := range corpus(t) {
		words = append(words, atlas.Words(atlas.SearchText(rec))...)
	}
	for dict, list := range map[string]map[string]bool{"dutch_stem": atlas.DutchStop, "english_stem": atlas.EnglishStop} {
		ours := slices.Sorted(maps.Keys(list))
		if got := stops(dict, ours); !slices.Equal(got, ours) {
			t.Errorf("%s: of samen's %d stop words, PostgreSQL has %d", dict, len(ours), len(got))
		}
		found := 0
		for _, w := range stops(dict, words) {
			found++
			if !list[w] {
				t.Errorf("%s: %q is a stop word to PostgreSQL, not to samen", dict, w)
			}
		}
		if found == 0 {
			t.Errorf("%s: no stop words in the corpus", dict)
		}
	}
}
