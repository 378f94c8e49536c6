// Command samen runs samen: open digital infrastructure for the community
// economy of a city. See the README for the settings and subcommands.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/term"

	"samen/internal/account"
	"samen/internal/atlas"
	"samen/internal/config"
	"samen/internal/decide"
	"samen/internal/demo"
	"samen/internal/fund"
	"samen/internal/mail"
	"samen/internal/mollie"
	"samen/internal/store"
	"samen/internal/web"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// it comes from the module's build information.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

const usage = `samen: open digital infrastructure for the community economy

Usage:
  samen serve [--demo] [settings]        run the web site (and the API)
  samen migrate [settings]               apply pending database migrations
  samen user add EMAIL [--role ROLE] [--name NAME] [settings]
                                         create a confirmed account; the
                                         password is read from standard input
  samen user erase EMAIL [settings]      erase a person's data: their address
                                         and name leave every part; what
                                         they contributed stays, unnamed
  samen backup FILE [settings]           write everything (every part's rows,
                                         the data directory's files) to one
                                         file while samen serves; - for
                                         standard output
  samen restore FILE [settings]          load a backup into an empty database
                                         of either engine
  samen import initiatives FILE [settings]
                                         add or update initiatives from a
                                         .csv or .geojson file; a file with
                                         a bad row imports nothing
  samen import members WORKSPACE FILE [--dry-run] [--skip-unknown] [settings]
                                         add the people of a .csv or .xlsx
                                         file to a workspace's register (id
                                         or slug); a file with a bad row
                                         imports nothing
  samen import participations WORKSPACE FILE [--dry-run] [--skip-unknown] [settings]
                                         add the holdings of a .csv or .xlsx
                                         file to a workspace's shares (and
                                         book what is paid); all or nothing
  samen export initiatives FILE [settings]
                                         write the published initiatives to
                                         a new .csv, .geojson or .jsonld file
  samen tally [--method M] [--seats N] [--json] FILE
                                         count a ballot file offline by the
                                         site's rules: .blt (schulze, irv,
                                         stv), .pb (equal-shares,
                                         equal-shares-add1, greedy) or .csv
                                         (the method its "# method:" line
                                         names); no database needed
  samen match simulate [--json] FILE.json
                                         match a file of contributions by a
                                         pool's rules, as the site does, and
                                         show each match and what every
                                         funder has left; no database needed
  samen bench atlas [--points N] [--database URL]
                                         measure the atlas at scale (map
                                         index, cluster and search queries)
  samen version                          print the version

Every command that opens the database applies pending migrations first.
Settings come from SAMEN_* environment variables; flags override them.
Run "samen serve --help" for the list.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr, getenv)
	case "migrate":
		err = migrate(ctx, args[1:], stdout, getenv)
	case "user":
		err = user(ctx, args[1:], stdin, stdout, getenv)
	case "backup":
		err = backup(ctx, args[1:], stdout, stderr, getenv)
	case "restore":
		err = restore(ctx, args[1:], stdout, getenv)
	case "import":
		err = importCmd(ctx, args[1:], stdout, stderr, getenv)
	case "export":
		err = exportCmd(ctx, args[1:], stdout, getenv)
	case "tally":
		return tallyCmd(args[1:], stdout, stderr, getenv)
	case "match":
		return matchCmd(args[1:], stdin, stdout, stderr, getenv)
	case "bench":
		err = bench(ctx, args[1:], stdout, stderr, getenv)
		if errors.Is(err, errUsage) {
			return 2
		}
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "samen", currentVersion())
		return 0
	case "help", "--help", "-h", "-help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "samen: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, config.Usage())
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "samen %s: %s\n", args[0], newWords(getenv).describe(err))
		return 1
	}
	return 0
}

func currentVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// open loads the settings, opens the database and applies pending
// migrations.
func open(ctx context.Context, args []string, getenv func(string) string) (config.Config, []string, *store.DB, error) {
	cfg, rest, err := config.Load(args, getenv)
	if err != nil {
		return cfg, nil, nil, err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return cfg, nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return cfg, nil, nil, err
	}
	return cfg, rest, db, nil
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, rest, db, err := open(ctx, args, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	log := newLogger(cfg, stderr)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	// With port 0 the system picks a free port; links in mails need the real
	// one.
	if strings.HasSuffix(cfg.BaseURL, ":0") {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "0") + port
	}

	worker := &mail.Worker{DB: db, Logger: log, Name: hostname() + "/" + fmt.Sprint(os.Getpid())}
	if cfg.MailMode == config.MailSMTP {
		worker.Deliverer = mail.SMTP{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username,
			Password: cfg.SMTP.Password, From: cfg.SMTP.From, TLS: cfg.SMTP.TLS}
	} else {
		worker.Deliverer = mail.Log{Logger: log}
	}
	payments := map[string]fund.Provider{}
	if cfg.MollieAPIKey != "" {
		payments["mollie"] = &fund.MollieProvider{Client: &mollie.Client{APIKey: cfg.MollieAPIKey}}
	}
	bank := fund.BankAccount{IBAN: cfg.BankIBAN, Name: cfg.BankName}
	fees := maps.Clone(cfg.Fees)
	if cfg.Demo {
		// Clearly the demo's: it pays at once, and no money moves. It
		// charges a fixed fee per payment, as iDEAL payments are priced,
		// so that the demo's books show where fees go.
		payments["demo"] = &fund.DemoProvider{}
		if fees == nil {
			fees = map[string]fund.Fee{}
		}
		fees["demo"] = fund.Fee{FixedCents: 32}
		if bank.IBAN == "" {
			bank = fund.BankAccount{IBAN: "NL20INGB0001234567", Name: "Stichting samen (demo)"}
		}
	}
	parts, err := buildParts(ctx, db, wiring{BaseURL: cfg.BaseURL, Licence: cfg.DataLicence, Sent: worker.Kick, Payments: payments, Bank: bank, Fees: fees,
		Files: filesDir(cfg)})
	if err != nil {
		return err
	}
	atlasSvc := parts.Atlas
	mapOpts, closeMap, err := mapOptions(cfg)
	if err != nil {
		return err
	}
	defer closeMap()
	opts := web.Options{
		BaseURL:        cfg.BaseURL,
		MailToLog:      cfg.MailMode == config.MailLog,
		TrustedProxies: cfg.TrustedProxies,
		Version:        currentVersion(),
		Map:            mapOpts,
		MetricsToken:   cfg.MetricsToken,
		// /metrics on an address of its own, not on the site.
		MetricsElsewhere: cfg.MetricsAddr != "",
	}
	if cfg.OIDC.Enabled() {
		opts.OIDC = &web.OIDCProvider{Issuer: cfg.OIDC.Issuer, ClientID: cfg.OIDC.ClientID,
			ClientSecret: cfg.OIDC.ClientSecret, Name: cfg.OIDC.Name}
	}
	site, err := web.New(opts, db, parts, log)
	if err != nil {
		return err
	}
	if cfg.Demo {
		seeded, err := demo.Seed(ctx, parts.Accounts, demo.Services{Atlas: parts.Atlas, Toolbox: parts.Toolbox, Assess: parts.Assess,
			Workspaces: parts.Workspaces, Decisions: parts.Decisions, Funding: parts.Funding})
		if err != nil {
			return fmt.Errorf("adding demo content: %w", err)
		}
		if seeded {
			fmt.Fprintln(stdout, "Demo content added. Demo logins (for trying out only):")
			for _, a := range demo.Accounts {
				fmt.Fprintf(stdout, "  %-10s %-24s password: %s\n", a.Role, a.Email, a.Password)
			}
		}
	}

	// The map index is built from the database at every start, after the
	// demo content, and then follows changes from every process.
	began := time.Now()
	since, err := atlasSvc.LoadMap(ctx)
	if err != nil {
		return fmt.Errorf("building the map index: %w", err)
	}
	log.Info("map index built", "points", atlasSvc.Map.Len(), "took", time.Since(began).Round(time.Millisecond))

	bg, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The workers: each round of theirs is a transaction, so a stop in the
	// middle of one loses nothing (it is rolled back and done again).
	var workers sync.WaitGroup
	workers.Go(func() { worker.Run(bg) })
	workers.Go(func() { site.Sweep(bg, time.Hour) })
	workers.Go(func() { followAtlas(bg, atlasSvc, since, log) })
	workers.Go(func() { advanceDecisions(bg, parts.Decisions, log) })
	workers.Go(func() { advanceFunding(bg, parts.Funding, log) })

	srv := &http.Server{
		Handler:           site.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	var metricsSrv *http.Server
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listening on %s (SAMEN_METRICS_ADDR): %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", site.MetricsHandler())
		metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 16 << 10,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		go func() { errc <- metricsSrv.Serve(mln) }()
		fmt.Fprintf(stdout, "metrics at http://%s/metrics\n", mln.Addr())
	}
	engine := db.Engine()
	fmt.Fprintf(stdout, "samen %s is running at %s (database: %s, mail: %s)\n", currentVersion(), cfg.BaseURL, engine, cfg.MailMode)
	if cfg.BaseURL != "http://"+ln.Addr().String() {
		fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "samen is stopping")
	// Within ten seconds (issue 15): requests under way are answered, no
	// new ones are taken, and the workers stop after their current round.
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	cancel()
	stopped := make(chan struct{})
	go func() { workers.Wait(); close(stopped) }()
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(sctx)
	}
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	select {
	case <-stopped:
	case <-sctx.Done():
		log.Warn("workers did not stop within ten seconds")
	}
	return nil
}

// followAtlas keeps this process's map index in step with writes by other
// processes, moves stale entries along the review clock every hour, and
// rebuilds the index once a day, so that needs and offers whose end date
// has passed leave the map's filters.
func followAtlas(ctx context.Context, svc *atlas.Service, since time.Time, log *slog.Logger) {
	// Once a second: every process shows another's change within two
	// (issue 15), for two cheap reads (atlas/mapsync.go).
	syncTick := time.NewTicker(time.Second)
	defer syncTick.Stop()
	reviewTick := time.NewTicker(time.Hour)
	defer reviewTick.Stop()
	rebuildTick := time.NewTicker(24 * time.Hour)
	defer rebuildTick.Stop()
	review := func() {
		rep, err := svc.ReviewStale(ctx)
		if err != nil {
			log.Warn("atlas review", "err", err)
		} else if rep != (atlas.StaleReport{}) {
			log.Info("atlas review", "notified", rep.Notified, "marked", rep.MarkedForReview, "archived", rep.Archived)
		}
	}
	review()
	for {
		select {
		case <-ctx.Done():
			return
		case <-syncTick.C:
			next, err := svc.Sync(ctx, since)
			if err != nil {
				log.Warn("map index sync", "err", err)
				continue
			}
			since = next
		case <-reviewTick.C:
			review()
		case <-rebuildTick.C:
			began, err := svc.LoadMap(ctx)
			if err != nil {
				log.Warn("map index rebuild", "err", err)
				continue
			}
			// Sync from the rebuild's start on (it looks back a minute more).
			since = began
		}
	}
}

// advanceDecisions opens and closes votes at their times and sends the
// reminders before closing. Every step claims its rows in the database,
// so several processes may run it together; pages catch up by themselves
// when they are read before the next round.
func advanceDecisions(ctx context.Context, svc *decide.Service, log *slog.Logger) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		p, err := svc.Advance(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("decisions", "err", err)
		} else if p != (decide.Progress{}) {
			log.Info("decisions", "opened", p.Opened, "closed", p.Closed, "reminded", p.Reminded)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// advanceFunding ends the campaigns whose deadline passed (paying out, or
// refunding an all-or-nothing campaign below its minimum) and finishes
// refunds a provider could not take at once.
func advanceFunding(ctx context.Context, svc *fund.Service, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		p, err := svc.Advance(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("funding", "err", err)
		} else if p != (fund.Progress{}) {
			log.Info("funding", "succeeded", p.Succeeded, "failed", p.Failed, "refunded", p.Refunded)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "samen"
	}
	return h
}

func migrate(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	cfg, rest, err := config.Load(args, getenv)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	v, _, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migration(s); the database is at version %d\n", n, v)
	return nil
}

// openWithArgument is open for commands with one positional argument, which
// may stand before or after the settings flags.
func openWithArgument(ctx context.Context, args []string, getenv func(string) string) (string, config.Config, *store.DB, error) {
	var arg string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		arg, args = args[0], args[1:]
	}
	cfg, rest, db, err := open(ctx, args, getenv)
	if err != nil {
		return "", cfg, nil, err
	}
	if arg == "" && len(rest) > 0 {
		arg, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		db.Close()
		return "", cfg, nil, fmt.Errorf("unexpected argument %q", rest[0])
	}
	return arg, cfg, db, nil
}

// takeFlag removes "--name VALUE" or "--name=VALUE" (one or two dashes) from
// args, so subcommand flags can sit among the settings flags in any order.
func takeFlag(args []string, name string) (string, []string, error) {
	var out []string
	value := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		bare := strings.TrimLeft(a, "-")
		if !strings.HasPrefix(a, "-") || (bare != name && !strings.HasPrefix(bare, name+"=")) {
			out = append(out, a)
			continue
		}
		if v, ok := strings.CutPrefix(bare, name+"="); ok {
			value = v
			continue
		}
		if i+1 >= len(args) {
			return "", nil, fmt.Errorf("--%s needs a value", name)
		}
		value = args[i+1]
		i++
	}
	return value, out, nil
}

func user(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer, getenv func(string) string) error {
	if len(args) > 0 && args[0] == "erase" {
		return userErase(ctx, args[1:], stdout, getenv)
	}
	if len(args) == 0 || args[0] != "add" {
		return errors.New(`usage: samen user add EMAIL [--role member|moderator|steward] [--name NAME], or samen user erase EMAIL`)
	}
	args = args[1:]
	roleName, args, err := takeFlag(args, "role")
	if err != nil {
		return err
	}
	name, args, err := takeFlag(args, "name")
	if err != nil {
		return err
	}
	role := account.Member
	if roleName != "" {
		if role, err = account.ParseRole(roleName); err != nil {
			return fmt.Errorf("--role %q: choose member, moderator or steward", roleName)
		}
	}
	email, _, db, err := openWithArgument(ctx, args, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if email == "" {
		return errors.New("give the e-mail address: samen user add EMAIL")
	}
	password, err := readPassword(stdin, stdout)
	if err != nil {
		return err
	}
	svc := &account.Service{DB: db}
	u, err := svc.Add(ctx, account.NewUser{Email: email, Name: name, Password: password, Role: role})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s (%s), id %d\n", u.Email, u.Role, u.ID)
	return nil
}

// readPassword reads one line from standard input: hidden when it is a
// terminal, plain when piped (scripts). Never from the command line, where
// it would be visible to every user of the machine and in shell history.
func readPassword(stdin io.Reader, prompt io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", err
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, account.MaxPasswordLen+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input (echo 'the password' | samen user add …)")
	}
	return line, nil
}
