package atlas

import (
	"context"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/store/storetest"
)

// Fuzz tests for what turns a visitor's search text into a full-text query:
// ftsQuery for SQLite's FTS5 and tsQuery for PostgreSQL. Whatever is typed,
// the engine must be able to run the query. Run them with
//
//	go test ./internal/atlas/ -run '^$' -fuzz '^FuzzFTSQuery$' -fuzztime 60s
//	SAMEN_TEST_DATABASE_URL=postgres://… go test ./internal/atlas/ -run '^$' -fuzz '^FuzzTSQuery$' -fuzztime 60s

// searchSeeds are what people type, and what they should not.
var searchSeeds = []string{
	"fiets", "fietsen", "Fietsenwerkplaats Noord", "zon", "zonnepanelen", "community gardens", "repair café",
	"coöperatie", "ÉÉN", "straße", "İstanbul", "ǅemal", "Ⱥ", "日本語", "مرحبا", "emoji 😀 here",
	"and", "or", "not", "near", "NEAR(a b)", "AND OR NOT", "a AND b", "a OR b", "NOT a", "a NOT b",
	`"`, `""`, `"unclosed`, `a"b`, "*", "a*", "*a", "^a", "a:b", "col:term", "terms:x", "{terms}: x", "+a -b",
	"(", ")", "(a", "a)", "()", "[", "]", "&", "|", "!", "<->", "a & b", "a | !b", "a <-> b", "a:*", "a:*A", "'a'", "''",
	"\\", "\\x", "%", "_", ";", "--", "/*", "0", "000", "1e10", "-1", "12:30", "v1.0", "a.b.c", "x-y", "x_y",
	"\x00", "a\x00b", "\xff", "\xc0\x80", "\ufeff", "\u200b", "\u00ad", "a\u0301", "ʰ", "ᴬ", "ー", "々", "〇", "Ⅻ", "²", "½",
	strings.Repeat("a", 200), strings.Repeat("é", 201), strings.Repeat("a ", 100), strings.Repeat("ab ", 30),
	strings.Repeat("x", 3000), "  ", "\t\n",
}

// searchTerms are records the search table holds, so that queries find
// something.
var searchTerms = []Record{
	{Name: "Fietsenwerkplaats Noord", Summary: Text{NL: "Wij repareren fietsen met buurtbewoners."}},
	{Name: "Community Gardens Oost", Summary: Text{EN: "Neighbours growing vegetables together in gardens."}},
	{Name: "Zonnecoöperatie Één", Summary: Text{NL: "Zonnepanelen op daken in de buurt; and, or, not, near."}},
}

// checkFTSQuery asserts the form of an FTS5 query made from text: empty
// exactly when there are no words, otherwise at most twelve groups of
// three to five quoted alternatives joined by AND (the stems, the word,
// and the stems that are not the word as words), valid UTF-8.
func checkFTSQuery(t *testing.T, text, q string) {
	t.Helper()
	ws := words(text)
	if (q == "") != (len(ws) == 0) {
		t.Fatalf("ftsQuery(%q) = %q for the words %q", text, q, ws)
	}
	if q == "" {
		return
	}
	if !utf8.ValidString(q) {
		t.Fatalf("ftsQuery(%q) = %q is not UTF-8", text, q)
	}
	groups := strings.Split(q, " AND ")
	if len(groups) > 12 || len(groups) != min(len(ws), 12) {
		t.Fatalf("ftsQuery(%q) has %d groups for %d words", text, len(groups), len(ws))
	}
	for i, g := range groups {
		inner, open := strings.CutPrefix(g, "(")
		inner, closed := strings.CutSuffix(inner, ")")
		if !open || !closed {
			t.Fatalf("ftsQuery(%q): group %q is not in parentheses", text, g)
		}
		alts := strings.Split(inner, " OR ")
		if len(alts) < 3 || len(alts) > 5 {
			t.Fatalf("ftsQuery(%q): group %q has %d alternatives", text, g, len(alts))
		}
		for j, a := range alts {
			a = strings.TrimSuffix(a, "*")
			if len(a) < 2 || a[0] != '"' || a[len(a)-1] != '"' || strings.Contains(strings.ReplaceAll(a[1:len(a)-1], `""`, ""), `"`) {
				t.Fatalf("ftsQuery(%q): %q is not one FTS5 string", text, a)
			}
			if j == 2 && a[1:len(a)-1] != ws[i] {
				t.Fatalf("ftsQuery(%q): the word %q became %q", text, ws[i], a)
			}
			for _, r := range a[1 : len(a)-1] {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					t.Fatalf("ftsQuery(%q): %q holds %q", text, a, r)
				}
			}
		}
	}
}

// FuzzFTSQuery: the FTS5 query made from any text has the documented form
// and SQLite runs it without error, on the search table alone and through
// Search, whose only complaint may be about the text's length.
func FuzzFTSQuery(f *testing.F) {
	for _, s := range searchSeeds {
		f.Add(s)
	}
	ctx := context.Background()
	db := storetest.SQLite(f)
	for i, r := range searchTerms {
		if _, err := db.Exec(ctx, `INSERT INTO initiative_search (rowid, terms) VALUES (?, ?)`, i+1, indexTerms(r)); err != nil {
			f.Fatal(err)
		}
	}
	svc := &Service{DB: db}
	f.Fuzz(func(t *testing.T, text string) {
		q := ftsQuery(text)
		checkFTSQuery(t, text, q)
		if q != "" {
			rows, err := db.Query(ctx, `SELECT rowid FROM initiative_search WHERE initiative_search MATCH ? ORDER BY rank LIMIT 5`, q)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
			}
			if err != nil {
				t.Fatalf("text %q: FTS5 refuses %q: %v", text, q, err)
			}
		}
		searchRuns(t, ctx, svc, text)
	})
}

// searchRuns checks that Search answers text on svc's engine, or refuses
// it only for being too long.
func searchRuns(t *testing.T, ctx context.Context, svc *Service, text string) {
	t.Helper()
	for _, order := range []string{OrderRelevance, OrderID} {
		_, err := svc.Search(ctx, Query{Text: text, Order: order})
		if err == nil {
			continue
		}
		p, ok := problem.As(err)
		if !ok || p.Kind != problem.Invalid || len(p.Fields) != 1 || p.Fields["q"] != "too_long" {
			t.Fatalf("Search(%q) on %s: %v", text, svc.DB.Engine(), err)
		}
		if n := utf8.RuneCountInString(strings.Join(strings.Fields(text), " ")); n <= maxQueryText {
			t.Fatalf("Search(%q): %d characters refused as too long", text, n)
		}
	}
}

// checkTSQuery asserts the form of a PostgreSQL query made from text: no
// input in the SQL itself, one placeholder per argument, tsWord's for each
// word, at most twelve words, arguments that PostgreSQL can hold as text:
// the word, or its prefix (for 3 to 6 letters) where tsWord takes it.
func checkTSQuery(t *testing.T, text, expr string, args []any) {
	t.Helper()
	ws := words(text)
	n := min(len(ws), 12)
	want := "(" + strings.TrimSuffix(strings.Repeat(tsWord+" && ", n), " && ") + ")"
	if n == 0 {
		want = "to_tsquery('simple', '')"
	}
	if expr != want {
		t.Fatalf("tsQuery(%q) = %s, want %s", text, expr, want)
	}
	per := strings.Count(tsWord, "?")
	if len(args) != per*n || strings.Count(expr, "?") != len(args) {
		t.Fatalf("tsQuery(%q): %d arguments for %d words", text, len(args), n)
	}
	// Where tsWord takes the prefix: its own arguments for a word of
	// four letters, which has one.
	prefixAt := map[int]bool{}
	for i, a := range tsWordArgs("tuin", "tuin:*") {
		prefixAt[i] = a == "tuin:*"
	}
	for i, a := range args {
		s, ok := a.(string)
		if !ok || !utf8.ValidString(s) || strings.ContainsRune(s, 0) || s == "" {
			t.Fatalf("tsQuery(%q): argument %d is %q", text, i, a)
		}
		w := ws[i/per]
		if !prefixAt[i%per] {
			if s != w {
				t.Fatalf("tsQuery(%q): %q for the word %q", text, s, w)
			}
			continue
		}
		if s != w && s != w+":*" {
			t.Fatalf("tsQuery(%q): %q for the word %q", text, s, w)
		}
		if prefix := strings.HasSuffix(s, ":*"); prefix != (utf8.RuneCountInString(w) >= 3 && utf8.RuneCountInString(w) <= 6) {
			t.Fatalf("tsQuery(%q): %q for the word %q (a prefix only for 3 to 6 letters)", text, s, w)
		}
	}
}

// FuzzTSQuery: the PostgreSQL query made from any text has the documented
// form, and, with SAMEN_TEST_DATABASE_URL set, PostgreSQL evaluates it for
// every text Query.Check lets through, and Search answers.
func FuzzTSQuery(f *testing.F) {
	for _, s := range searchSeeds {
		f.Add(s)
	}
	ctx := context.Background()
	var db *store.DB
	var svc *Service
	if os.Getenv(storetest.EnvURL) != "" {
		db = storetest.Postgres(f)
		svc = &Service{DB: db}
	}
	f.Fuzz(func(t *testing.T, text string) {
		expr, args := tsQuery(text)
		checkTSQuery(t, text, expr, args)
		if db == nil {
			return
		}
		q := Query{Text: text}
		if q.Check() != nil || q.Text == "" {
			searchRuns(t, ctx, svc, text)
			return
		}
		expr, args = tsQuery(q.Text)
		// Against a document of the words themselves, so that every
		// part is evaluated.
		doc := strings.Join(words(q.Text), " ")
		var match bool
		var rank float64
		all := append([]any{doc}, args...)
		all = append(all, doc)
		all = append(all, args...)
		err := db.QueryRow(ctx, `SELECT to_tsvector('simple', ?) @@ `+expr+`, ts_rank(to_tsvector('dutch', ?), `+expr+`)`, all...).Scan(&match, &rank)
		if err != nil {
			t.Fatalf("text %q: PostgreSQL refuses %s %q: %v", text, expr, args, err)
		}
		searchRuns(t, ctx, svc, text)
	})
}

// On PostgreSQL a word's stems are left out of its query where the word or
// its prefix finds them already, and kept where they differ.
func TestTSQueryLeavesOutWhatTheWordFinds(t *testing.T) {
	if os.Getenv(storetest.EnvURL) == "" {
		t.Skip("PostgreSQL tests skipped: set " + storetest.EnvURL)
	}
	db := storetest.Postgres(t)
	for text, want := range map[string]string{
		"tuin":         `'tuin':*`,
		"huizen":       `'huizen':* | 'huiz'`,
		"fietsenmaker": `'fietsenmaker' | 'fietsenmak'`,
		"tuin huizen":  `'tuin':* & ( 'huizen':* | 'huiz' )`,
	} {
		expr, args := tsQuery(text)
		var got string
		if err := db.QueryRow(t.Context(), `SELECT (`+expr+`)::text`, args...).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%q: the query is %s, want %s", text, got, want)
		}
	}
}

// FuzzPGVector: whatever a record says, its PostgreSQL search vector is
// one PostgreSQL takes (a lexeme of 1 to 2,046 bytes of UTF-8 without a
// NUL, positions rising from 1 to 16,383, at most 256 a lexeme, every
// lexeme once), and, with SAMEN_TEST_DATABASE_URL set, a search for any
// word of the record finds it, unless the word is a stop word of both
// languages or too long to be indexed, as with PostgreSQL's to_tsvector.
func FuzzPGVector(f *testing.F) {
	for _, s := range searchSeeds {
		f.Add(s)
	}
	ctx := context.Background()
	var db *store.DB
	if os.Getenv(storetest.EnvURL) != "" {
		db = storetest.Postgres(f)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rec := Record{Name: text, Summary: Text{NL: text, EN: strings.ToUpper(text)}}
		v := pgVector(rec)
		seen := map[string]bool{}
		for _, l := range v.Lexemes {
			switch {
			case len(l.Word) == 0 || len(l.Word) > pgMaxLexeme || !utf8.ValidString(l.Word) || strings.ContainsRune(l.Word, 0):
				t.Fatalf("text %q: lexeme %q", text, l.Word)
			case seen[l.Word]:
				t.Fatalf("text %q: lexeme %q twice", text, l.Word)
			case len(l.Positions) == 0 || len(l.Positions) > pgMaxPositions:
				t.Fatalf("text %q: lexeme %q has %d positions", text, l.Word, len(l.Positions))
			}
			seen[l.Word] = true
			for i, p := range l.Positions {
				if p.Position < 1 || p.Position > pgMaxPosition || i > 0 && p.Position <= l.Positions[i-1].Position {
					t.Fatalf("text %q: lexeme %q at positions %v", text, l.Word, l.Positions)
				}
			}
		}
		if db == nil {
			return
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT length(CAST(? AS tsvector))`, v).Scan(&n); err != nil || n != len(v.Lexemes) {
			t.Fatalf("text %q: PostgreSQL takes %d of %d lexemes (%v)", text, n, len(v.Lexemes), err)
		}
		for i, w := range words(text) {
			if i == 5 {
				break
			}
			if dutchStop[w] && englishStop[w] || len(w) > pgMaxLexeme {
				continue
			}
			expr, args := tsQuery(w)
			var found bool
			if err := db.QueryRow(ctx, `SELECT CAST(? AS tsvector) @@ `+expr, append([]any{v}, args...)...).Scan(&found); err != nil {
				t.Fatalf("text %q, word %q: %v", text, w, err)
			}
			if !found {
				t.Fatalf("text %q: a search for %q does not find it in %s", text, w, v)
			}
		}
	})
}
