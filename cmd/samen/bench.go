package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"samen/internal/atlas"
	"samen/internal/mapindex"
	"samen/internal/store"
	"samen/internal/web"
)

// errUsage says the command line was wrong and the usage was printed.
var errUsage = errors.New("usage")

// benchUsage explains `samen bench`.
const benchUsage = `usage: samen bench atlas [--points N] [--db-points M] [--queries Q] [--database URL [--reuse]]
                         [--clients 50,200 [--load-for 30s]]

Measures the atlas at scale on this machine and prints the numbers:
  - the map index: build time and memory for N synthetic initiatives
    spread over Europe, and cluster queries over HTTP at random views
    (1280×800 pixels, zoom 3 to 16);
  - the database: a CSV import of up to 200,000 rows, loading M rows in
    all, rebuilding the map index from the database (as at every start),
    and full-text searches over HTTP.
N defaults to 1,000,000 and M to N. The database is a new SQLite file in
a temporary directory, removed afterwards, unless --database names one
(a PostgreSQL URL, to measure that engine: use an empty database).
With --reuse, a database filled by an earlier run is measured again
without loading it anew. With --clients, the site is then put under load:
for each number given, that many clients at once (vegeta, each sending its
next request when the last is answered) for --load-for (30s), over a mix of
map clusters, searches and directory pages; any failed request fails the
bench.
`

// benchWords make synthetic names and descriptions: common enough that a
// search finds a few thousand among millions, as real words do.
var benchWords = strings.Fields(`buurt coop energie zon wind wonen tuin voedsel zorg fiets deel repair
	cafe kring markt school lab huis plein park water bos groen stad dorp haven molen brood kaas
	garden kitchen bike share care solar power farm library studio workshop network circle commons
	union guild forum hub house field orchard bakery brewery cinema theatre music dance craft wood
	textile clothing repair tools books games sport health youth elderly family migrant climate
	transition local fair social green blue open free mutual common united neighbour village city`)

func bench(ctx context.Context, args []string, stdout, stderr io.Writer, _ func(string) string) error {
	if len(args) > 0 && args[0] == "import" {
		return benchImport(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "atlas" {
		fmt.Fprint(stderr, benchUsage+"\n"+benchImportUsage)
		return errUsage
	}
	args = args[1:]
	num := func(name string, def int) (int, error) {
		var v string
		var err error
		v, args, err = takeFlag(args, name)
		if err != nil || v == "" {
			return def, err
		}
		n, err := strconv.Atoi(strings.ReplaceAll(v, "_", ""))
		if err != nil || n < 0 {
			return 0, fmt.Errorf("--%s %q: want a whole number", name, v)
		}
		return n, nil
	}
	points, err := num("points", 1_000_000)
	if err != nil {
		return err
	}
	dbPoints, err := num("db-points", points)
	if err != nil {
		return err
	}
	queries, err := num("queries", 2000)
	if err != nil {
		return err
	}
	dbURL, args, err := takeFlag(args, "database")
	if err != nil {
		return err
	}
	clientList, args, err := takeFlag(args, "clients")
	if err != nil {
		return err
	}
	var clients []int
	for _, c := range strings.Split(clientList, ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 {
			return fmt.Errorf("--clients %q: want whole numbers above 0, separated by commas", clientList)
		}
		clients = append(clients, n)
	}
	loadFor := 30 * time.Second
	if v, rest, err := takeFlag(args, "load-for"); err != nil {
		return err
	} else if args = rest; v != "" {
		if loadFor, err = time.ParseDuration(v); err != nil || loadFor <= 0 {
			return fmt.Errorf("--load-for %q: want a duration such as 30s", v)
		}
	}
	reuse := slices.Contains(args, "--reuse")
	args = slices.DeleteFunc(args, func(a string) bool { return a == "--reuse" })
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	if dbURL == "" {
		dir, err := os.MkdirTemp("", "samen-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbURL = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	n, err := atlas.Count(ctx, db)
	if err != nil {
		return err
	}
	switch {
	case reuse && n == 0:
		return errors.New("--reuse needs a database filled by an earlier run")
	case reuse:
		dbPoints = 0 // measure what is there
	case n > 0:
		return fmt.Errorf("the bench needs an empty database (%d initiatives there); --reuse measures it as it is", n)
	}
	b := &atlasBench{out: stdout, rng: rand.New(rand.NewPCG(1, 2)), db: db, clients: clients, loadFor: loadFor}
	fmt.Fprintf(stdout, "samen bench atlas: %d points, %d in the database (%s), %d queries, %d CPUs, %s\n",
		points, dbPoints, db.Engine(), queries, runtime.NumCPU(), runtime.Version())
	return b.run(ctx, points, dbPoints, queries)
}

type atlasBench struct {
	out     io.Writer
	rng     *rand.Rand
	db      *store.DB
	clients []int         // the loads to put on the site, in clients at once
	loadFor time.Duration // how long each load lasts
}

func (b *atlasBench) say(format string, args ...any) { fmt.Fprintf(b.out, format+"\n", args...) }

// heapMB is the live heap after a full collection.
func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

func (b *atlasBench) run(ctx context.Context, points, dbPoints, queries int) error {
	// 1. The map index from memory.
	baseline := heapMB()
	pts := mapindex.RandomEurope(b.rng, points)
	for i := range pts {
		pts[i].Name = b.name()
		pts[i].Facets.Sectors = 1 << b.rng.IntN(len(atlas.Sectors))
	}
	ix := mapindex.New(mapindex.Options{})
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	start := time.Now()
	ix.Build(pts)
	took := time.Since(start)
	var m2 runtime.MemStats
	runtime.ReadMemStats(&m2)
	pts = nil // the index keeps its own compact copy
	b.say("map index: built %d points in %s; index heap %.0f MB (%.0f bytes a point); %.0f MB allocated while building",
		ix.Len(), took.Round(time.Millisecond), heapMB()-baseline, (heapMB()-baseline)*(1<<20)/float64(max(1, ix.Len())),
		float64(m2.TotalAlloc-m.TotalAlloc)/(1<<20))

	// 2. Cluster queries over HTTP, through samen's own handler.
	svc := &atlas.Service{DB: b.db, Map: ix}
	base, stop, err := b.serve(svc)
	if err != nil {
		return err
	}
	defer stop()
	lat, err := b.timeHTTP(queries, func(i int) string {
		lon, la := -10+b.rng.Float64()*40, 36+b.rng.Float64()*28
		zoom := 3 + b.rng.Float64()*13
		v := mapindex.Viewport(lon, la, zoom, 1280, 800)
		return fmt.Sprintf("%s/api/v1/clusters?bbox=%f,%f,%f,%f&zoom=%.2f", base, v.MinLon, v.MinLat, v.MaxLon, v.MaxLat, zoom)
	})
	if err != nil {
		return err
	}
	b.say("cluster queries over HTTP (1280×800 px, zoom 3–16): %s", lat)
	stop()

	// 3. A CSV import, as `samen import initiatives` does it.
	csvRows := min(dbPoints, 200_000)
	if csvRows > 0 {
		var buf bytes.Buffer
		recs := b.records(csvRows, 0)
		list := make([]atlas.Initiative, len(recs))
		for i, r := range recs {
			list[i] = atlas.Initiative{Record: r}
		}
		if err := atlas.WriteCSV(&buf, atlas.Items(list), "http://bench.invalid"); err != nil {
			return err
		}
		size := buf.Len()
		start = time.Now()
		rows, err := atlas.ReadCSV(&buf)
		if err != nil {
			return err
		}
		rep, err := svc.Import(ctx, nil, rows)
		if err != nil {
			return err
		}
		b.say("CSV import: %d rows (%.0f MB) read, checked and stored in %s (%d created)",
			csvRows, float64(size)/(1<<20), time.Since(start).Round(time.Millisecond), rep.Created)
	}

	// 4. The rest of the database, in chunks, then the index from it.
	const chunk = 100_000
	start = time.Now()
	for done := csvRows; done < dbPoints; done += chunk {
		recs := b.records(min(chunk, dbPoints-done), done)
		rows := make([]atlas.Row, len(recs))
		for i, r := range recs {
			rows[i] = atlas.Row{Line: i + 2, Record: r}
		}
		if _, err := svc.Import(ctx, nil, rows); err != nil {
			return err
		}
		if (done/chunk)%5 == 0 {
			fmt.Fprintf(b.out, "  … %d rows stored\n", done+len(recs))
		}
	}
	if dbPoints > csvRows {
		b.say("loaded %d more rows in %s", dbPoints-csvRows, time.Since(start).Round(time.Second))
	}
	fromDB := &atlas.Service{DB: b.db, Map: mapindex.New(mapindex.Options{})}
	ix, svc = nil, nil // measure the new index alone
	before := heapMB()
	start = time.Now()
	if _, err := fromDB.LoadMap(ctx); err != nil {
		return err
	}
	b.say("map index from the database (as at start): %d points in %s; heap %.0f MB",
		fromDB.Map.Len(), time.Since(start).Round(time.Millisecond), heapMB()-before)

	// 5. Full-text search over HTTP: the API's first page of 20, with the
	// total count, for one or two words.
	base, stop, err = b.serve(fromDB)
	if err != nil {
		return err
	}
	defer stop()
	lat, err = b.timeHTTP(queries, func(i int) string {
		q := benchWords[b.rng.IntN(len(benchWords))]
		if i%3 == 0 {
			q += " " + benchWords[b.rng.IntN(len(benchWords))]
		}
		return base + "/api/v1/initiatives?limit=20&q=" + strings.ReplaceAll(q, " ", "+")
	})
	if err != nil {
		return err
	}
	b.say("full-text search over HTTP (first page of 20 with the total): %s", lat)
	lat, err = b.timeHTTP(queries/4, func(i int) string {
		q := benchWords[b.rng.IntN(len(benchWords))]
		return base + "/api/v1/clusters?bbox=-10,36,30,64&zoom=4&q=" + q
	})
	if err != nil {
		return err
	}
	b.say("clusters of a full-text search, all of Europe: %s", lat)
	lat, err = b.timeHTTP(queries/4, func(i int) string {
		switch i % 3 {
		case 0:
			return base + "/atlas"
		case 1:
			return base + "/atlas?sector=" + atlas.Sectors[b.rng.IntN(len(atlas.Sectors))]
		}
		return base + "/atlas?q=" + benchWords[b.rng.IntN(len(benchWords))]
	})
	if err != nil {
		return err
	}
	b.say("directory page /atlas (list, facet counts, HTML): %s", lat)
	lat, err = b.timeHTTP(queries/4, func(i int) string {
		sector := atlas.Sectors[b.rng.IntN(len(atlas.Sectors))]
		if i%2 == 0 {
			return base + "/atlas?order=newest&sector=" + sector
		}
		return base + "/api/v1/initiatives?limit=20&sector=" + sector
	})
	if err != nil {
		return err
	}
	b.say("one sector, newest first on the page or by ID through the API: %s", lat)
	for _, n := range b.clients {
		if err := b.load(base, n, b.loadFor); err != nil {
			return err
		}
	}
	return nil
}

// name is a synthetic initiative name.
func (b *atlasBench) name() string {
	w := func() string { return benchWords[b.rng.IntN(len(benchWords))] }
	return strings.ToUpper(w()[:1]) + w()[1:] + " " + w() + " " + strconv.Itoa(b.rng.IntN(1000))
}

// records makes n synthetic initiatives across Europe, with source ids
// from offset on.
func (b *atlasBench) records(n, offset int) []atlas.Record {
	pts := mapindex.RandomEurope(b.rng, n)
	out := make([]atlas.Record, n)
	for i := range out {
		lat, lon := pts[i].Lat, pts[i].Lon
		var sum strings.Builder
		for range 8 {
			sum.WriteString(benchWords[b.rng.IntN(len(benchWords))])
			sum.WriteByte(' ')
		}
		out[i] = atlas.Record{
			Name:     b.name(),
			Summary:  atlas.Text{EN: strings.TrimSpace(sum.String())},
			Sectors:  []string{atlas.Sectors[b.rng.IntN(len(atlas.Sectors))]},
			Location: atlas.Location{Latitude: &lat, Longitude: &lon},
			Needs:    []atlas.Exchange{{Kind: atlas.ExchangeKinds[b.rng.IntN(len(atlas.ExchangeKinds))]}},
			Source:   "bench", SourceID: strconv.Itoa(offset + i),
		}
	}
	return out
}

// serve starts samen's web server on the bench's atlas, on a free port.
func (b *atlasBench) serve(svc *atlas.Service) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	base := "http://" + ln.Addr().String()
	parts, err := buildParts(context.Background(), b.db, wiring{BaseURL: base, Map: svc.Map})
	if err != nil {
		return "", nil, err
	}
	parts.Atlas = svc
	site, err := web.New(web.Options{BaseURL: base, MailToLog: true}, b.db, parts, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: site.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	return base, func() { srv.Close() }, nil
}

// latencies summarises timed requests.
type latencies []time.Duration

func (l latencies) String() string {
	slices.Sort(l)
	at := func(p float64) time.Duration { return l[min(len(l)-1, int(p*float64(len(l))))] }
	r := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) + " ms"
	}
	return fmt.Sprintf("%d requests, p50 %s, p90 %s, p99 %s, max %s", len(l), r(at(0.5)), r(at(0.9)), r(at(0.99)), r(l[len(l)-1]))
}

// timeHTTP sends n GET requests one after another and times each.
func (b *atlasBench) timeHTTP(n int, url func(i int) string) (latencies, error) {
	client := &http.Client{Timeout: time.Minute}
	out := make(latencies, 0, n)
	for i := range max(n, 1) {
		u := url(i)
		start := time.Now()
		resp, err := client.Get(u)
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
		}
		out = append(out, time.Since(start))
	}
	return out, nil
}
