package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"samen/internal/atlas"
	"samen/internal/mapindex"
	"samen/internal/store"
)

// benchImportUsage explains `samen bench import`.
const benchImportUsage = `usage: samen bench import [--rows N] [--format csv|geojson] [--database URL] [--file FILE]
                          [--cpuprofile FILE] [--memprofile FILE]

Measures "samen import initiatives" on a realistic file: N rows (200,000 by
default) of about 880 bytes each, both languages filled, written by the
export's own writer. It imports the file into an empty database in a
process of its own and prints how long that took, its peak memory (the
process's maximum resident set and the Go heap's peak) and what each table
and its indexes cost per row. The database is a new SQLite file in a
temporary directory unless --database names one (a PostgreSQL URL: use an
empty database or schema). --file keeps the generated file there, or
imports it when it exists already. --cpuprofile and --memprofile write
pprof profiles of the import.
`

// benchImport runs `samen bench import`; with --run it is the measured
// import itself, started by the bench as a process of its own.
func benchImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	rows, format := 200_000, "csv"
	var dbURL, file, cpuProfile, memProfile, run string
	for _, f := range []struct {
		name string
		to   *string
	}{{"database", &dbURL}, {"file", &file}, {"cpuprofile", &cpuProfile}, {"memprofile", &memProfile}, {"format", &format}, {"run", &run}} {
		v, rest, err := takeFlag(args, f.name)
		if err != nil {
			return err
		}
		args = rest
		if v != "" {
			*f.to = v
		}
	}
	v, args, err := takeFlag(args, "rows")
	if err != nil {
		return err
	}
	if v != "" {
		if rows, err = strconv.Atoi(strings.ReplaceAll(v, "_", "")); err != nil || rows < 1 {
			return fmt.Errorf("--rows %q: want a whole number above 0", v)
		}
	}
	if len(args) > 0 {
		if args[0] == "--help" || args[0] == "-h" {
			fmt.Fprint(stderr, benchImportUsage)
			return errUsage
		}
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	if run != "" {
		return measuredImport(ctx, run, dbURL, cpuProfile, memProfile, stdout, stderr)
	}
	if format != "csv" && format != "geojson" {
		return fmt.Errorf("--format %q: want csv or geojson", format)
	}

	dir, err := os.MkdirTemp("", "samen-bench-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if file == "" {
		file = filepath.Join(dir, "initiatives."+format)
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		start := time.Now()
		if err := writeBenchFile(file, format, rows); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s in %s\n", file, time.Since(start).Round(time.Millisecond))
	} else if err != nil {
		return err
	}
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	if dbURL == "" {
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
	if n, err := atlas.Count(ctx, db); err != nil {
		return err
	} else if n > 0 {
		return fmt.Errorf("the bench needs an empty database (%d initiatives there)", n)
	}
	before, err := tableSizes(ctx, db)
	if err != nil {
		return err
	}

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmdArgs := []string{"bench", "import", "--run", file, "--database", dbURL}
	if cpuProfile != "" {
		cmdArgs = append(cmdArgs, "--cpuprofile", cpuProfile)
	}
	if memProfile != "" {
		cmdArgs = append(cmdArgs, "--memprofile", memProfile)
	}
	cmd := exec.CommandContext(ctx, exe, cmdArgs...)
	cmd.Env = append(os.Environ(), "SAMEN_DATA_DIR="+dir)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, stderr
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	if err != nil {
		return fmt.Errorf("the import failed: %w\n%s", err, out.String())
	}
	fmt.Fprintf(stdout, "samen bench import: %d rows, %s (%.0f MB, %.0f bytes a row), %s, %d CPUs, %s\n",
		rows, format, float64(st.Size())/(1<<20), float64(st.Size())/float64(rows), db.Engine(), runtime.NumCPU(), runtime.Version())
	fmt.Fprint(stdout, out.String())
	rss := maxRSS(cmd.ProcessState)
	fmt.Fprintf(stdout, "import: %.1f s; peak resident memory %s\n", took.Seconds(), megabytes(rss))

	after, err := tableSizes(ctx, db)
	if err != nil {
		return err
	}
	n, err := atlas.Count(ctx, db)
	if err != nil {
		return err
	}
	printTableSizes(stdout, before, after, n)
	return nil
}

func megabytes(b int64) string {
	if b <= 0 {
		return "unknown"
	}
	return strconv.FormatFloat(float64(b)/(1<<20), 'f', 0, 64) + " MB"
}

// measuredImport is the process the bench measures: "samen import
// initiatives FILE", with the Go heap's peak sampled and profiles
// written when asked for.
func measuredImport(ctx context.Context, file, dbURL, cpuProfile, memProfile string, stdout, stderr io.Writer) error {
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if memProfile != "" {
		runtime.MemProfileRate = 64 << 10
	}
	var (
		peak uint64
		stop = make(chan struct{})
		wg   sync.WaitGroup
	)
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	getenv := func(k string) string {
		if k == "SAMEN_DATABASE_URL" {
			return dbURL
		}
		return os.Getenv(k)
	}
	err := importCmd(ctx, []string{"initiatives", file}, stdout, stderr, getenv)
	close(stop)
	wg.Wait()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Go heap at its peak (sampled every 20 ms): %s\n", megabytes(int64(peak)))
	if memProfile != "" {
		f, err := os.Create(memProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		return pprof.Lookup("allocs").WriteTo(f, 0)
	}
	return nil
}

// tableSize is what one table and its indexes take on disk.
type tableSize struct{ data, indexes int64 }

// tableSizes measures every table of the database, its indexes apart. On
// SQLite the dbstat table gives the pages of each b-tree (the full-text
// index's shadow tables count as initiative_search); on PostgreSQL the
// relation sizes, TOAST with the table.
func tableSizes(ctx context.Context, db *store.DB) (map[string]tableSize, error) {
	out := map[string]tableSize{}
	if db.Engine() == store.Postgres {
		rows, err := db.Query(ctx, `SELECT c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid) FROM pg_class c
			WHERE c.relkind = 'r' AND c.relnamespace = to_regnamespace(current_schema())`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				name string
				s    tableSize
			)
			if err := rows.Scan(&name, &s.data, &s.indexes); err != nil {
				return nil, err
			}
			out[name] = s
		}
		return out, rows.Err()
	}
	// Written out to disk first, so that dbstat sees every page.
	if _, err := db.Exec(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT d.name, COALESCE(m.tbl_name, d.name), COALESCE(m.type, 'table'), SUM(d.pgsize)
		FROM dbstat d LEFT JOIN sqlite_schema m ON m.name = d.name GROUP BY d.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			name, table, typ string
			size             int64
		)
		if err := rows.Scan(&name, &table, &typ, &size); err != nil {
			return nil, err
		}
		if strings.HasPrefix(table, "initiative_search_") {
			table = "initiative_search"
		}
		s := out[table]
		if typ == "index" {
			s.indexes += size
		} else {
			s.data += size
		}
		out[table] = s
	}
	return out, rows.Err()
}

// printTableSizes prints what each table that grew costs a row.
func printTableSizes(w io.Writer, before, after map[string]tableSize, n int) {
	type grown struct {
		name          string
		data, indexes int64
	}
	var list []grown
	var total int64
	for name, a := range after {
		b := before[name]
		g := grown{name, a.data - b.data, a.indexes - b.indexes}
		if g.data+g.indexes > 0 {
			list = append(list, g)
			total += g.data + g.indexes
		}
	}
	slices.SortFunc(list, func(a, b grown) int { return int((b.data + b.indexes) - (a.data + a.indexes)) })
	per := func(b int64) string { return strconv.FormatFloat(float64(b)/float64(max(n, 1)), 'f', 0, 64) }
	fmt.Fprintf(w, "database grew by %s, %s bytes a row (%d initiatives):\n", megabytes(total), per(total), n)
	fmt.Fprintf(w, "  %-22s %10s %10s %10s\n", "table", "rows", "indexes", "together")
	for _, g := range list {
		fmt.Fprintf(w, "  %-22s %10s %10s %10s\n", g.name, per(g.data), per(g.indexes), per(g.data+g.indexes))
	}
}

// writeBenchFile writes n realistic initiatives to file in the export's
// format, as `samen export initiatives` writes them.
func writeBenchFile(file, format string, n int) (err error) {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	g := newRecordGen(rand.New(rand.NewPCG(3, 4)))
	i := 0
	next := func() (atlas.Initiative, bool, error) {
		if i == n {
			return atlas.Initiative{}, false, nil
		}
		i++
		return g.initiative(int64(i)), true, nil
	}
	const base = "https://atlas.example.org"
	if format == "geojson" {
		err = atlas.WriteGeoJSON(bw, next, base, "CC-BY-4.0")
	} else {
		err = atlas.WriteCSV(bw, next, base)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// recordGen makes realistic initiatives: both languages, a few sectors
// and tags, principles, an address with a point, needs and offers, tools.
// Words come from a vocabulary of some thousands (Dutch compounds of
// common words), drawn with a Zipf distribution as real text is.
type recordGen struct {
	rng    *rand.Rand
	nl, en []string
	znl    *rand.Zipf
	zen    *rand.Zipf
	pts    []mapindex.Point
}

var (
	benchNL = strings.Fields(`buurt wijk stad dorp huis tuin voedsel energie zon wind warmte water groen
		park bos akker boer brood kaas groente fruit markt winkel cafe keuken maaltijd samen delen
		ruilen repareren fiets auto vervoer zorg hulp buren ouderen jongeren kinderen gezin school
		leren kennis werk geld fonds spaar lening cooperatie vereniging stichting leden bestuur
		gemeenschap plein straat kring netwerk plaats ruimte atelier werkplaats gereedschap hout
		textiel kleding boek muziek theater dans kunst sport gezondheid welzijn ontmoeting koffie
		inloop avond week maand jaar project plan idee vrijwilliger hulpvraag aanbod bewoners
		huurders eigenaren woning bouw renovatie isolatie paneel dak collectief lokaal duurzaam
		eerlijk sociaal circulair gedeeld open vrij nieuw oud klein groot mooi goed beter`)
	benchEN = strings.Fields(`neighbourhood district city village house garden food energy solar wind
		heat water green park forest field farmer bread cheese vegetables fruit market shop cafe
		kitchen meal together share swap repair bike car transport care help neighbours elderly
		young children family school learning knowledge work money fund savings loan cooperative
		association foundation members board community square street circle network place space
		studio workshop tools wood textile clothing book music theatre dance art sport health
		wellbeing meeting coffee drop evening week month year project plan idea volunteer request
		offer residents tenants owners home building renovation insulation panel roof collective
		local sustainable fair social circular shared open free new old small large beautiful good`)
	benchCities  = strings.Fields(`Amsterdam Rotterdam Utrecht Groningen Nijmegen Zwolle Leiden Haarlem Arnhem Eindhoven Tilburg Delft Gent Antwerpen Leuven Brugge Deventer Amersfoort Breda Maastricht`)
	benchStreets = strings.Fields(`Dorpsstraat Kerkstraat Molenweg Schoolstraat Stationsweg Julianalaan Beatrixstraat Parklaan Havenkade Lindenlaan Eikenweg Noordsingel`)
	benchTools   = []string{"Nextcloud", "Mattermost", "Loomio", "Decidim", "Open Collective", "Mastodon", "LibreOffice", "Signal", "Wiki.js", "Odoo"}
	benchHours   = []string{"Mo-Fr 09:00-17:00", "Tu,Th 10:00-16:00; Sa 10:00-13:00", "We 19:00-22:00", "Mo-Sa 08:30-18:00", "Sa 10:00-16:00"}
)

func newRecordGen(rng *rand.Rand) *recordGen {
	g := &recordGen{rng: rng, pts: mapindex.RandomEurope(rng, 4096)}
	// Dutch joins words into compounds; English mostly does not. Both
	// vocabularies get a long tail of rarer words.
	g.nl = append(g.nl, benchNL...)
	for _, a := range benchNL[:60] {
		for _, b := range benchNL[:60] {
			if a != b {
				g.nl = append(g.nl, a+b)
			}
		}
	}
	g.en = append(g.en, benchEN...)
	for _, a := range benchEN[:50] {
		for _, b := range benchEN {
			if a != b {
				g.en = append(g.en, a+"-"+b)
			}
		}
	}
	g.znl = rand.NewZipf(rng, 1.1, 8, uint64(len(g.nl)-1))
	g.zen = rand.NewZipf(rng, 1.1, 8, uint64(len(g.en)-1))
	return g
}

// sentence is about n bytes of words from list, drawn by z.
func (g *recordGen) sentence(list []string, z *rand.Zipf, n int) string {
	var b strings.Builder
	for b.Len() < n {
		w := list[z.Uint64()]
		if b.Len() == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	b.WriteByte('.')
	return b.String()
}

func (g *recordGen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *recordGen) initiative(id int64) atlas.Initiative {
	p := g.pts[g.rng.IntN(len(g.pts))]
	lat := float64(int((p.Lat+g.rng.Float64()*0.01)*1e6)) / 1e6
	lon := float64(int((p.Lon+g.rng.Float64()*0.01)*1e6)) / 1e6
	yes, no := true, false
	name := g.sentence(g.nl, g.znl, 14)
	name = strings.TrimSuffix(name, ".") + " " + g.pick(benchCities)
	slug := strings.ToLower(strings.ReplaceAll(strings.TrimSuffix(name, "."), " ", "-"))
	rec := atlas.Record{
		Name:        name,
		Summary:     atlas.Text{NL: g.sentence(g.nl, g.znl, 82), EN: g.sentence(g.en, g.zen, 82)},
		Description: atlas.Text{NL: g.sentence(g.nl, g.znl, 110), EN: g.sentence(g.en, g.zen, 110)},
		Sectors:     []string{g.pick(atlas.Sectors)},
		Tags:        []string{g.pick(benchNL), g.pick(benchEN)},
		LegalForm:   g.pick(atlas.LegalForms[:4]),
		Principles: map[string]atlas.Principle{
			"local_roots":      {Holds: &yes},
			"shared_ownership": {Holds: &yes, Note: g.sentence(g.nl, g.znl, 30)},
			"multiple_value":   {Holds: &no},
		},
		Location: atlas.Location{
			Address:  g.pick(benchStreets) + " " + strconv.Itoa(1+g.rng.IntN(200)),
			Postcode: strconv.Itoa(1000+g.rng.IntN(9000)) + " " + string(rune('A'+g.rng.IntN(26))) + string(rune('A'+g.rng.IntN(26))),
			City:     g.pick(benchCities), Latitude: &lat, Longitude: &lon,
		},
		Contact: atlas.Contact{
			Website: "https://" + slug + ".example.org",
			Links:   []string{"https://social.example.org/@" + strconv.FormatInt(id, 36)},
		},
		OpeningHours: g.pick(benchHours),
		Founded:      1950 + g.rng.IntN(75),
		Size:         g.pick(atlas.SizeBands),
		Needs:        []atlas.Exchange{{Kind: g.pick(atlas.ExchangeKinds), Text: g.sentence(g.nl, g.znl, 30)}},
		Offers:       []atlas.Exchange{{Kind: g.pick(atlas.ExchangeKinds), Text: g.sentence(g.en, g.zen, 30)}},
		Tools:        []string{g.pick(benchTools)},
		Source:       "bench",
		SourceID:     strconv.FormatInt(id, 10),
		Licence:      "CC-BY-4.0",
	}
	if g.rng.IntN(3) == 0 {
		rec.Sectors = append(rec.Sectors, g.pick(atlas.Sectors))
	}
	return atlas.Initiative{ID: id, Record: rec, UpdatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(id) * time.Minute)}
}
