package atlas

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"samen/internal/mapindex"
	"samen/internal/problem"
	"samen/internal/store"
	"samen/internal/textcheck"
)

// Orders a search can be sorted in.
const (
	OrderRelevance = "relevance" // best match first; by name without search words
	OrderName      = "name"
	OrderDistance  = "distance" // nearest to Query.Near first
	OrderNewest    = "newest"   // most recently changed first
	OrderID        = "id"       // stable, for paging with a cursor and for harvesters
)

// Point is a place: where someone is, for "near me".
type Point struct{ Lat, Lon float64 }

// DistanceKm is the great-circle distance between two points.
func DistanceKm(a, b Point) float64 {
	const r = 6371.0088 // mean Earth radius
	rad := math.Pi / 180
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Query is a search of the directory. Within one facet any of the chosen
// values matches; across facets all must (sector energy or food, in Noord).
// Principles are the exception: every chosen principle must hold.
type Query struct {
	Text       string
	Sectors    []string
	Districts  []string
	LegalForms []string
	Principles []string
	Needs      []string // kinds someone needs, still current
	Offers     []string
	BBox       *mapindex.BBox
	Near       *Point
	// RadiusKm bounds a search near a point; 0: no bound.
	RadiusKm float64
	// Changed finds entries changed at or after this time, including those
	// archived or merged since (for harvesters and feeds).
	Changed time.Time
	Order   string
	Limit   int
	Offset  int // for pages of the directory
	// After is a cursor: the entries after this one, in ID order (a greater
	// ID) or, in OrderDistance, after it in distance order.
	After int64

	unplaced bool    // only initiatives without a place (the map index has the others)
	ids      []int64 // only these initiatives
}

// Limits of a query.
const (
	DefaultLimit = 20
	MaxLimit     = 500
	maxQueryText = 200
	maxOffset    = 10000
)

// Check validates a query, naming each bad field as the URL does.
func (q *Query) Check() error {
	f := problem.Fields{}
	q.Text = textcheck.Collapse(q.Text)
	if utf8.RuneCountInString(q.Text) > maxQueryText {
		f.Add("q", "too_long")
	}
	if len(words(q.Text)) == 0 {
		q.Text = "" // only punctuation: nothing to search for
	}
	checkCodes(f, "sector", &q.Sectors, Sectors)
	checkCodes(f, "district", &q.Districts, Districts)
	checkCodes(f, "legal_form", &q.LegalForms, LegalForms)
	checkCodes(f, "principle", &q.Principles, Principles)
	checkCodes(f, "need", &q.Needs, ExchangeKinds)
	checkCodes(f, "offer", &q.Offers, ExchangeKinds)
	// The map index's rule, so that a box the SQL search would take is
	// never one the index refuses.
	if b := q.BBox; b != nil && (!b.Valid() || b.MinLon < -180 || b.MaxLon > 180) {
		f.Add("bbox", "bbox.invalid")
	}
	if p := q.Near; p != nil && (bad(p.Lat) || bad(p.Lon) || p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180) {
		f.Add("near", "near.invalid")
	}
	if q.RadiusKm < 0 || q.RadiusKm > 1000 || bad(q.RadiusKm) {
		f.Add("radius", "radius.invalid")
	}
	switch q.Order {
	case "":
		q.Order = q.DefaultOrder(OrderRelevance)
	case OrderRelevance, OrderName, OrderNewest, OrderID:
	case OrderDistance:
		if q.Near == nil {
			f.Add("order", "order.needs_near")
		}
	default:
		f.Add("order", "unknown")
	}
	switch {
	case q.Limit == 0:
		q.Limit = DefaultLimit
	case q.Limit < 0 || q.Limit > MaxLimit:
		f.Add("limit", "limit.out_of_range")
	}
	if q.Offset < 0 || q.Offset > maxOffset {
		f.Add("page", "page.out_of_range")
	}
	return f.Err()
}

// DefaultOrder is the order of a search that asks for none. A search near
// a point without words is someone looking around them: nearest first.
// Any other search is in the order the caller shows lists in by default:
// OrderRelevance on the page (Check fills that in), OrderID for the API,
// which pages with a cursor. The page and the API both ask here, so that
// they list the same search in the same order. Call it on a checked query:
// words of punctuation alone are no words.
func (q Query) DefaultOrder(otherwise string) string {
	if q.Near != nil && q.Text == "" {
		return OrderDistance
	}
	return otherwise
}

func bad(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

func checkCodes(f problem.Fields, field string, list *[]string, known []string) {
	*list = codes(*list)
	for _, c := range *list {
		if bit(known, c) < 0 {
			f.Add(field, "unknown")
		}
	}
}

// where builds the conditions of a query. skip names a facet to leave out,
// for counting that facet's values (so that choosing "food" still shows
// how many "energy" there are). joined says the SQLite search table is
// joined to rank by relevance, so its MATCH is in the join instead.
func (s *Service) where(q Query, e store.Engine, skip string, joined bool) (string, []any) {
	var (
		conds []string
		args  []any
	)
	if q.Changed.IsZero() {
		conds = append(conds, "i.status = 'published'")
	} else {
		conds = append(conds, "i.status IN ('published', 'archived', 'merged')", "i.updated_at >= ?")
		args = append(args, q.Changed.UnixMilli())
	}
	in := func(column string, values []string) {
		conds = append(conds, column+" IN ("+marks(len(values))+")")
		for _, v := range values {
			args = append(args, v)
		}
	}
	if len(q.Sectors) > 0 && skip != "sector" {
		conds = append(conds, "EXISTS (SELECT 1 FROM initiative_sectors s WHERE s.initiative_id = i.id AND s.sector IN ("+marks(len(q.Sectors))+"))")
		for _, v := range q.Sectors {
			args = append(args, v)
		}
	}
	if len(q.Districts) > 0 && skip != "district" {
		in("i.district", q.Districts)
	}
	if len(q.LegalForms) > 0 && skip != "legal_form" {
		in("i.legal_form", q.LegalForms)
	}
	if len(q.Principles) > 0 && skip != "principle" {
		m := int(mask(Principles, q.Principles))
		conds = append(conds, "(i.principles & ?) = ?")
		args = append(args, m, m)
	}
	for _, x := range []struct {
		dir, facet string
		kinds      []string
	}{{"need", "need", q.Needs}, {"offer", "offer", q.Offers}} {
		if len(x.kinds) == 0 || skip == x.facet {
			continue
		}
		conds = append(conds, "EXISTS (SELECT 1 FROM initiative_exchanges x WHERE x.initiative_id = i.id AND x.direction = ? AND x.kind IN ("+
			marks(len(x.kinds))+") AND (x.until = '' OR x.until >= ?))")
		args = append(args, x.dir)
		for _, v := range x.kinds {
			args = append(args, v)
		}
		args = append(args, s.today())
	}
	if b := q.BBox; b != nil {
		if b.MinLon <= b.MaxLon {
			conds = append(conds, "i.latitude BETWEEN ? AND ? AND i.longitude BETWEEN ? AND ?")
			args = append(args, b.MinLat, b.MaxLat, b.MinLon, b.MaxLon)
		} else { // across the antimeridian
			conds = append(conds, "i.latitude BETWEEN ? AND ? AND (i.longitude >= ? OR i.longitude <= ?)")
			args = append(args, b.MinLat, b.MaxLat, b.MinLon, b.MaxLon)
		}
	}
	if p := q.Near; p != nil && q.RadiusKm > 0 {
		dLat := q.RadiusKm / 111.32
		dLon := q.RadiusKm / (111.32 * math.Max(math.Cos(p.Lat*math.Pi/180), 0.01))
		conds = append(conds, "i.latitude BETWEEN ? AND ? AND i.longitude BETWEEN ? AND ?",
			distanceSQL+" <= ?")
		args = append(args, p.Lat-dLat, p.Lat+dLat, p.Lon-dLon, p.Lon+dLon)
		args = append(args, distanceArgs(*p)...)
		args = append(args, q.RadiusKm*q.RadiusKm)
	}
	if q.Text != "" && !joined {
		if e == store.Postgres {
			expr, targs := tsQuery(q.Text)
			conds = append(conds, "i.id IN (SELECT id FROM initiative_search WHERE search @@ "+expr+")")
			args = append(args, targs...)
		} else {
			conds = append(conds, "i.id IN (SELECT rowid FROM initiative_search WHERE initiative_search MATCH ?)")
			args = append(args, ftsQuery(q.Text))
		}
	}
	if q.After > 0 && q.Order == OrderDistance && q.Near != nil {
		conds = append(conds, "("+distanceKey("i")+") > (SELECT "+distanceKey("c")+" FROM initiatives c WHERE c.id = ?)")
		args = append(append(append(args, distanceArgs(*q.Near)...), distanceArgs(*q.Near)...), q.After)
	} else if q.After > 0 {
		conds = append(conds, "i.id > ?")
		args = append(args, q.After)
	}
	if q.unplaced {
		conds = append(conds, "i.latitude IS NULL")
	}
	if len(q.ids) > 0 {
		conds = append(conds, "i.id IN ("+marks(len(q.ids))+")")
		for _, id := range q.ids {
			args = append(args, id)
		}
	}
	return strings.Join(conds, " AND "), args
}

// distanceSQL is the squared distance in km between an initiative and a
// point (equirectangular: exact enough within a city or a region), with
// the point's latitude, longitude and cos(latitude) as arguments.
const distanceSQL = "((i.latitude - ?) * 111.32) * ((i.latitude - ?) * 111.32) + ((i.longitude - ?) * 111.32 * ?) * ((i.longitude - ?) * 111.32 * ?)"

// distanceKey is where an initiative stands in distance order (those
// without a place last, then nearest first, then by ID): the columns of a
// row value, to page after a cursor; t names the table. Its arguments are
// distanceArgs.
func distanceKey(t string) string {
	return "CASE WHEN " + t + ".latitude IS NULL THEN 1 ELSE 0 END, COALESCE(" +
		strings.ReplaceAll(distanceSQL, "i.", t+".") + ", 0), " + t + ".id"
}

func distanceArgs(p Point) []any {
	c := math.Cos(p.Lat * math.Pi / 180)
	return []any{p.Lat, p.Lat, p.Lon, c, p.Lon, c}
}

// tsQuery is the PostgreSQL counterpart of ftsQuery: every word must match
// as a prefix or through its Dutch or English stem. Stemmers do not always
// agree with themselves ("fiets" stems to "fiet", "fietsen" to "fiets"),
// which the prefix makes up for.
func tsQuery(text string) (string, []any) {
	var (
		parts []string
		args  []any
	)
	for _, w := range words(text) {
		prefix := w
		if n := len([]rune(w)); n >= 3 && n <= 6 { // as ftsQuery does
			prefix += ":*"
		}
		parts = append(parts, tsWord)
		args = append(args, tsWordArgs(w, prefix)...)
		if len(parts) == 12 {
			break
		}
	}
	if len(parts) == 0 {
		return "to_tsquery('simple', '')", nil
	}
	return "(" + strings.Join(parts, " && ") + ")", args
}

// tsWord is one word of tsQuery: the word (or its prefix) in the simple
// configuration, or its Dutch or its English stem. A stem the same as the
// word, or as the other stem, is left out: every term is tested against
// every row a broad search reads, and a tenth of 3 M initiatives took 155
// ms with 'tuin':* alone and 260 with 'tuin':* | 'tuin' | 'tuin'. The
// arguments are constants, so PostgreSQL works the CASEs out when it plans
// (custom plans: store.openPostgres), and each row is tested against one
// tsquery.
var tsWord = func() string {
	simple := "to_tsquery('simple', ?)"
	nl := "CASE WHEN plainto_tsquery('dutch', ?) = to_tsquery('simple', ?) THEN " + simple + " ELSE " + simple + " || plainto_tsquery('dutch', ?) END"
	return "(CASE WHEN plainto_tsquery('english', ?) IN (to_tsquery('simple', ?), plainto_tsquery('dutch', ?)) THEN " +
		nl + " ELSE " + nl + " || plainto_tsquery('english', ?) END)"
}()

// tsWordArgs are tsWord's arguments for word w, with prefix the word as
// the simple configuration matches it (w, or w:* for a prefix).
func tsWordArgs(w, prefix string) []any {
	nl := []any{w, w, prefix, prefix, w}
	return append(append(append([]any{w, w, w}, nl...), nl...), w)
}

func marks(n int) string {
	if n == 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// Result is one page of a search.
type Result struct {
	Items []Initiative
	Total int  // how many match in all, up to CountCap
	More  bool // whether there is a page after this one
	// Capped says there are more than CountCap matches: counting them all
	// would cost more than showing them.
	Capped bool
}

// RankCap is how many matches a search ranks by relevance at most; a
// broader one is shown newest first.
var RankCap = 1000

// CountCap is where counting matches stops. A search that matches more is
// too broad to page through anyway; counting millions of rows is what
// would make it slow. (A variable so that a test can lower it.)
var CountCap = 1000

// Search finds published initiatives. Text is matched in Dutch and English
// (with stemming); an empty query lists everything.
//
// On SQLite a search with words is driven by the full-text index: the
// matches come from FTS5 in the order wanted (bm25, or newest first, or by
// ID for paging) and each is joined to its row, so a page costs its own
// rows, not a pass over every match. The count stops at CountCap.
func (s *Service) Search(ctx context.Context, q Query) (Result, error) {
	if err := q.Check(); err != nil {
		return Result{}, err
	}
	if !q.Changed.IsZero() {
		// An import that committed since began earlier: its rows too.
		var err error
		if q.Changed, err = changedFrom(ctx, s.DB, q.Changed); err != nil {
			return Result{}, err
		}
	}
	e := s.DB.Engine()
	fts := e == store.SQLite && q.Text != ""
	from := "initiatives i"
	where, args := s.where(q, e, "", fts)
	if fts {
		from = "initiative_search f JOIN initiatives i ON i.id = f.rowid"
		where = "f.initiative_search MATCH ? AND " + where
		args = append([]any{ftsQuery(q.Text)}, args...)
		if q.After > 0 && q.Order != OrderDistance {
			where += " AND f.rowid > ?"
			args = append(args, q.After)
		}
	}
	var res Result
	if q.After == 0 {
		// In no order: both engines then stop at the cap, whichever way
		// they find the matches. In ID order, PostgreSQL walked the key
		// past up to a hundred times the cap for a two-word search (3 M
		// rows: 95 ms, 43 ms without), and SQLite chose a narrower index
		// and sorted every match first (0.35 s unfiltered, 2 s for one
		// sector; now 0.6 ms and 12 ms).
		count := `SELECT COUNT(*) FROM (SELECT 1 FROM ` + from + ` WHERE ` + where + ` LIMIT ?) m`
		countArgs := append(args[:len(args):len(args)], CountCap+1)
		if onlyText(q) {
			// The index holds only published entries: count there, without
			// reading a table row per match.
			count, countArgs = textOnly(e, q.Text, "COUNT(*)", CountCap+1)
		}
		if err := s.DB.QueryRow(ctx, count, countArgs...).Scan(&res.Total); err != nil {
			return res, err
		}
		if res.Total == 0 {
			return res, nil
		}
		if res.Total > CountCap {
			res.Total, res.Capped = CountCap, true
		}
	}
	if e == store.SQLite && !fts && q.Changed.IsZero() && q.BBox == nil && q.Near == nil {
		from = sqliteOrderIndex(q, res.Capped, from)
	}
	order := "i.name, i.id"
	var orderArgs []any
	switch q.Order {
	case OrderRelevance:
		// Ranking scores every match; beyond RankCap matches that would be
		// the slow part, and so broad a search is shown newest first.
		broad := res.Capped || res.Total > RankCap
		switch {
		case q.Text == "":
		case broad && fts:
			order = "f.rowid DESC"
		case broad:
			order = "i.id DESC"
		case fts:
			order = "f.rank, i.id" // bm25: lower is better
		default:
			expr, targs := tsQuery(q.Text)
			order = "ts_rank((SELECT s.search FROM initiative_search s WHERE s.id = i.id), " + expr + ") DESC, i.id"
			orderArgs = targs
		}
	case OrderDistance:
		order = "CASE WHEN i.latitude IS NULL THEN 1 ELSE 0 END, " + distanceSQL + ", i.id"
		orderArgs = distanceArgs(*q.Near)
	case OrderNewest:
		order = "i.updated_at DESC, i.id DESC"
	case OrderID:
		order = "i.id"
		if fts {
			order = "f.rowid"
		}
	}
	query := `SELECT ` + initiativeColumns + ` FROM ` + from + ` WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	all := append(append(args, orderArgs...), q.Limit+1, q.Offset)
	rows, err := s.DB.Query(ctx, query, all...)
	if err != nil {
		return res, err
	}
	defer rows.Close()
	for rows.Next() {
		in, err := scanInitiative(rows)
		if err != nil {
			return res, err
		}
		res.Items = append(res.Items, in)
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	if len(res.Items) > q.Limit {
		res.Items, res.More = res.Items[:q.Limit], true
	}
	return res, nil
}

// sqliteOrderIndex is where SQLite should read a filtered list of
// published initiatives from, to list them newest first or by ID without
// sorting every match. With statistics, SQLite finds the matches through
// initiatives_review and sorts them all: at 3 M initiatives one sector's
// first page took 2.4 s by ID and 13 s newest first (each row's JSON went
// into the sort). Walking an index in the order wanted stops at the page's
// end, which comes soon when matches are many (capped: more than
// CountCap): 1 ms. When they are few, the walk could read every row to
// find them, so the sort stays; a page after a cursor (no count) walks
// the covering initiatives_map, which costs at most half a second at 3 M.
func sqliteOrderIndex(q Query, capped bool, from string) string {
	switch {
	case q.Order == OrderID && (capped || q.After > 0):
		return "initiatives i INDEXED BY initiatives_map"
	case q.Order == OrderNewest && capped:
		return "initiatives i INDEXED BY initiatives_updated"
	}
	return from
}

// textOnly is a query of the search index alone, for a search of words
// and nothing else: what (the IDs, or COUNT(*)) of at most limit matches.
// On both engines the index is a table of the published entries alone,
// keyed by the initiative's ID (rowid for FTS5), so the initiatives'
// rows, wide with their JSON, are not read. On PostgreSQL that narrow
// table is what makes a broad search fast: its words are in a GIN index,
// whose matches PostgreSQL must still visit in the table to see them.
//
// A count on PostgreSQL takes the matches in ID order. In no order, the
// planner weighed reading the table until the limit against the GIN
// index's bitmap, whose cost it underrates for frequent words: at 3 M
// initiatives it chose the bitmap for a tenth of two-word searches and
// took 60 to 100 ms where reading the table takes 20. In ID order the
// bitmap's matches must all be sorted before the first is counted, so it
// is chosen only when the matches are few, which is where it is fast
// (80 two-word counts: p90 62 ms before, 23 ms in ID order).
func textOnly(e store.Engine, text, what string, limit int) (string, []any) {
	if e == store.Postgres {
		expr, args := tsQuery(text)
		order := ""
		if what == "COUNT(*)" {
			order = " ORDER BY id"
		}
		return `SELECT ` + what + ` FROM (SELECT id FROM initiative_search WHERE search @@ ` + expr + order + ` LIMIT ?) m`, append(args, limit)
	}
	return `SELECT ` + what + ` FROM (SELECT rowid AS id FROM initiative_search WHERE initiative_search MATCH ? LIMIT ?) m`, []any{ftsQuery(text), limit}
}

// onlyText reports whether a query is words and nothing else, which either
// engine can answer from the search index alone (textOnly).
func onlyText(q Query) bool {
	return q.Text != "" && len(q.Sectors)+len(q.Districts)+len(q.LegalForms)+len(q.Principles)+len(q.Needs)+len(q.Offers) == 0 &&
		q.BBox == nil && q.Near == nil && q.Changed.IsZero() && q.After == 0
}

// FacetCount is how many initiatives a facet value would show.
type FacetCount struct {
	Value string
	Count int
}

// Facets counts, for each facet, how many published initiatives match the
// query with each of its values, leaving that facet's own choice out.
//
// The initiatives on the map are counted in the map index, which reads
// millions of points in a fraction of the time GROUP BY queries take; the
// few without a place are counted in the database. A search "near" a
// point, or of changes, is counted in the database alone. Words are
// counted among their first FacetSearchCap matches: capped says a search
// has more.
func (s *Service) Facets(ctx context.Context, q Query) (counts map[string][]FacetCount, capped bool, err error) {
	if err := q.Check(); err != nil {
		return nil, false, err
	}
	q.After = 0
	if s.Map == nil || q.Near != nil || !q.Changed.IsZero() {
		counts, err := s.facetsSQL(ctx, q)
		return counts, false, err
	}
	f := MapFilter(q)
	if q.Text != "" {
		ids, err := s.SearchIDs(ctx, Query{Text: q.Text}, FacetSearchCap)
		if err != nil {
			return nil, false, err
		}
		f.IDs, capped = ids, Capped(ids, FacetSearchCap)
	}
	box := mapindex.BBox{MinLon: -180, MinLat: -90, MaxLon: 180, MaxLat: 90}
	if q.BBox != nil {
		box = *q.BBox
	}
	fc, err := s.Map.FacetCounts(box, f)
	if err != nil {
		return nil, false, err
	}
	out := map[string][]FacetCount{}
	add := func(facet, value string, n int) {
		if n == 0 || value == "" {
			return
		}
		for i, c := range out[facet] {
			if c.Value == value {
				out[facet][i].Count += n
				return
			}
		}
		out[facet] = append(out[facet], FacetCount{value, n})
	}
	for i, v := range Sectors {
		add("sector", v, fc.Sectors[i])
	}
	for i, v := range ExchangeKinds {
		add("need", v, fc.Needs[i])
		add("offer", v, fc.Offers[i])
	}
	for i, v := range Principles {
		add("principle", v, fc.Principles[i])
	}
	for i, v := range LegalForms {
		add("legal_form", v, fc.LegalForms[i+1])
	}
	for i, v := range Districts {
		add("district", v, fc.Districts[i+1])
	}
	if q.BBox == nil { // a box leaves out what has no place
		// Those without a place are few: name them, so that the counting
		// reads them by key instead of scanning for them.
		ids, err := s.unplaced(ctx)
		if err != nil {
			return nil, false, err
		}
		q.unplaced, q.ids = true, ids
		if len(ids) > maxUnplacedIDs {
			q.ids = nil
		}
		rest := map[string][]FacetCount{}
		if len(ids) > 0 {
			rest, err = s.facetsSQL(ctx, q)
		}
		if err != nil {
			return nil, false, err
		}
		for facet, list := range rest {
			for _, c := range list {
				add(facet, c.Value, c.Count)
			}
		}
	}
	for facet := range out {
		slices.SortFunc(out[facet], func(a, b FacetCount) int { return strings.Compare(a.Value, b.Value) })
	}
	return out, capped, nil
}

// maxUnplacedIDs is how many initiatives without a place are counted by
// key; more are found by scanning.
const maxUnplacedIDs = 2000

// unplaced returns the IDs of published initiatives without a place, up to
// one more than maxUnplacedIDs.
func (s *Service) unplaced(ctx context.Context) ([]int64, error) {
	from := "initiatives"
	if s.DB.Engine() == store.SQLite {
		// SQLite's planner, with statistics, may prefer a scan; the
		// partial index holds exactly these rows.
		from = "initiatives INDEXED BY initiatives_unplaced"
	}
	return store.IDs(ctx, s.DB, `SELECT id FROM `+from+` WHERE status = 'published' AND latitude IS NULL LIMIT ?`, maxUnplacedIDs+1)
}

// MapSearchCap is how many matches of words the map index is given at
// most for the map's clusters. A broader search is shown by its first
// MapSearchCap matches, and the map says so: finding them all would cost a
// second and more at millions of initiatives (a tenth of 3 M: 0.6 s on
// PostgreSQL), for a search too broad to read anyway. (A variable so that
// a test can lower it.)
var MapSearchCap = 100_000

// FacetSearchCap is how many matches of words the directory counts its
// facets among, at most. A search that matches more is listed as "more
// than CountCap, narrow the search"; its counts are of its first
// FacetSearchCap matches, and the page says so. Counting 100,000 took a
// quarter of a second on PostgreSQL at 3 M initiatives, 10,000 a tenth of
// that. (A variable so that a test can lower it.)
var FacetSearchCap = 10_000

// Capped says whether the matches of a search (SearchIDs) are more than
// max, the most it was asked for.
func Capped(ids *mapindex.IDSet, max int) bool { return ids != nil && ids.Len() > max }

// facetsSQL counts the facets in the database.
func (s *Service) facetsSQL(ctx context.Context, q Query) (map[string][]FacetCount, error) {
	e := s.DB.Engine()
	out := map[string][]FacetCount{}
	count := func(facet, query string, args ...any) error {
		rows, err := s.DB.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var fc FacetCount
			if err := rows.Scan(&fc.Value, &fc.Count); err != nil {
				return err
			}
			if fc.Value != "" {
				out[facet] = append(out[facet], fc)
			}
		}
		return rows.Err()
	}
	w, args := s.where(q, e, "sector", false)
	if err := count("sector", `SELECT s.sector, COUNT(*) FROM initiatives i JOIN initiative_sectors s ON s.initiative_id = i.id WHERE `+w+
		` GROUP BY s.sector ORDER BY s.sector`, args...); err != nil {
		return nil, err
	}
	for _, c := range []struct{ facet, column string }{{"district", "i.district"}, {"legal_form", "i.legal_form"}} {
		w, args := s.where(q, e, c.facet, false)
		if err := count(c.facet, `SELECT `+c.column+`, COUNT(*) FROM initiatives i WHERE `+w+` GROUP BY `+c.column+` ORDER BY `+c.column, args...); err != nil {
			return nil, err
		}
	}
	for _, dir := range []string{"need", "offer"} {
		w, args := s.where(q, e, dir, false)
		args = append(args, dir, s.today())
		if err := count(dir, `SELECT x.kind, COUNT(DISTINCT i.id) FROM initiatives i JOIN initiative_exchanges x ON x.initiative_id = i.id WHERE `+w+
			` AND x.direction = ? AND (x.until = '' OR x.until >= ?) GROUP BY x.kind ORDER BY x.kind`, args...); err != nil {
			return nil, err
		}
	}
	// Principles must all hold, so each is counted among the current
	// matches: the number says what ticking it as well would leave.
	w, args = s.where(q, e, "", false)
	var sums []string
	for i := range Principles {
		sums = append(sums, "COALESCE(SUM(CASE WHEN (i.principles & "+strconv.Itoa(1<<i)+") <> 0 THEN 1 ELSE 0 END), 0)")
	}
	row := s.DB.QueryRow(ctx, `SELECT `+strings.Join(sums, ", ")+` FROM initiatives i WHERE `+w, args...)
	n := make([]int, len(Principles))
	dest := make([]any, len(n))
	for i := range n {
		dest[i] = &n[i]
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	for i, p := range Principles {
		if n[i] > 0 {
			out["principle"] = append(out["principle"], FacetCount{p, n[i]})
		}
	}
	for facet := range out {
		slices.SortFunc(out[facet], func(a, b FacetCount) int { return strings.Compare(a.Value, b.Value) })
	}
	return out, nil
}

// SearchIDs returns the IDs of the published initiatives that match q, for
// filtering the map by a full-text search: at most max+1 of them, so that
// more than max says the search is broader than that. Words alone are
// looked up in the search index without touching the table.
func (s *Service) SearchIDs(ctx context.Context, q Query, max int) (*mapindex.IDSet, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	// Matches of words alone are kept, and brought up to date by asking
	// about what changed since: each view a visitor pans or zooms to asks
	// for the clusters of the same search again.
	cached := onlyText(q) && s.Map != nil
	key := idKey{q.Text, max}
	var seq uint64
	if cached {
		ids, touched, now, ok := s.ids.get(key)
		if ok && len(touched) == 0 {
			return ids, nil
		}
		if ok {
			fresh, err := s.recheck(ctx, q.Text, ids, touched)
			if err != nil {
				return nil, err
			}
			// A search with more than max matches holds only its first:
			// one that lost some may have more still, which only asking
			// again tells.
			if !Capped(ids, max) || Capped(fresh, max) {
				s.ids.put(key, fresh, now)
				return fresh, nil
			}
		}
		seq = now
	}
	query, args := textOnly(s.DB.Engine(), q.Text, "id", max+1)
	if !onlyText(q) {
		where, wargs := s.where(q, s.DB.Engine(), "", false)
		query, args = `SELECT i.id FROM initiatives i WHERE `+where+` LIMIT ?`, append(wargs, max+1)
	}
	rows, err := s.DB.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := mapindex.NewIDSet()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids.Add(id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if cached {
		s.ids.put(key, ids, seq)
	}
	return ids, nil
}

// recheck brings the matches of a search for words up to date: of the
// initiatives touched since they were found, it keeps those that match
// now. The set is shared, so a copy is changed.
func (s *Service) recheck(ctx context.Context, text string, ids *mapindex.IDSet, touched []int64) (*mapindex.IDSet, error) {
	var query string
	args := make([]any, 0, len(touched)+3)
	if s.DB.Engine() == store.Postgres {
		expr, targs := tsQuery(text)
		query = `SELECT id FROM initiative_search WHERE search @@ ` + expr + ` AND id IN (` + marks(len(touched)) + `)`
		args = append(args, targs...)
	} else {
		query = `SELECT rowid FROM initiative_search WHERE initiative_search MATCH ? AND rowid IN (` + marks(len(touched)) + `)`
		args = append(args, ftsQuery(text))
	}
	for _, id := range touched {
		args = append(args, id)
	}
	matched, err := store.IDs(ctx, s.DB, query, args...)
	if err != nil {
		return nil, err
	}
	fresh := ids.Clone()
	for _, id := range touched {
		fresh.Remove(id)
	}
	for _, id := range matched {
		fresh.Add(id)
	}
	return fresh, nil
}
