// Package config reads samen's settings from SAMEN_* environment variables and
// from command-line flags, which override them. Every setting is checked at
// start, and all problems are reported together, so that a bad setting stops
// the server with a message naming it instead of surfacing later as a puzzling
// failure, and an operator fixes everything in one go rather than one per
// restart.
//
// Each setting is described once, in the settings table; Load, Usage and Table
// are all built from it so the help text and the README cannot drift from what
// is actually read.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"samen/internal/camt"
	"samen/internal/fund"
	"samen/internal/mollie"
	"strconv"
	"strings"

	"samen/internal/pmtiles"
)

// MailMode says how mail leaves samen.
type MailMode string

const (
	MailSMTP MailMode = "smtp" // sent through the SMTP server
	MailLog  MailMode = "log"  // written to the log and to an outbox page stewards read
)

// SMTP holds the outgoing mail server settings; an empty Host means log mode.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	TLS      string // "starttls", "tls" (implicit TLS) or "none"
}

// OIDC holds the optional OpenID Connect login provider.
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	Name         string // the label on the login button
}

// Enabled reports whether OpenID Connect login is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

// Config is samen's validated configuration.
type Config struct {
	Addr string
	// DataDir stays relative when given relative, so that a data directory
	// next to the binary keeps working when the whole tree is moved.
	DataDir     string
	DatabaseURL string
	// BaseURL has no trailing slash, so paths can be appended directly. When
	// it is derived from an Addr with port 0 it ends in ":0", and the caller
	// is expected to put in the real port once it is listening.
	BaseURL        string
	Demo           bool
	LogLevel       string
	LogFormat      string
	TrustedProxies []netip.Prefix
	SMTP           SMTP
	OIDC           OIDC
	MailMode       MailMode
	// DataLicence is the SPDX identifier of the atlas's open data licence.
	DataLicence string
	// MapTiles is a raster tile URL template for the atlas map's basemap;
	// empty: a plain background, and no third party sees the visitors.
	MapTiles       string
	MapAttribution string
	// MapPMTiles is a PMTiles v3 file samen serves as the basemap itself,
	// checked at start; MapDistricts a GeoJSON file of district outlines.
	MapPMTiles   string
	MapDistricts string
	// MollieAPIKey turns on payments through Mollie (test_… or live_…).
	MollieAPIKey string
	// BankIBAN and BankName: the host's account for contributions by bank
	// transfer, reconciled from its CAMT.053 statements.
	BankIBAN, BankName string
	// Fees are the providers' prices per payment by provider ("mollie",
	// "bank"), booked with each payment and borne by the campaign.
	Fees map[string]fund.Fee
	// MetricsAddr serves /metrics on an address of its own (and not on
	// Addr); MetricsToken asks a bearer token for it.
	MetricsAddr, MetricsToken string
}

// Secure reports whether samen is served over HTTPS, so cookies can be Secure.
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// setting describes one setting; the table below is the single source for
// Load, Usage and Table.
type setting struct {
	env, flag string // flag is empty for secrets: command lines are visible to every user in ps
	def       string // the default as shown to people; applied through set unless derive is given
	help      string
	secret    bool // read from env or env_FILE, never echoed in errors
	boolean   bool // the flag may be given without a value
	set       func(c *Config, v string) error
	// derive fills in a default that depends on earlier settings. It leaves
	// the field alone if those settings failed, since that is already reported.
	derive func(c *Config) error
}

const localhostNote = "localhost, 127.0.0.1 or ::1"

var settings = []setting{
	{
		env: "SAMEN_ADDR", flag: "addr", def: "127.0.0.1:8080",
		help: "Address to listen on, as host:port. An empty host listens on all interfaces; port 0 picks a free port.",
		set: func(c *Config, v string) error {
			if _, _, err := splitAddr(v); err != nil {
				return err
			}
			c.Addr = v
			return nil
		},
	},
	{
		env: "SAMEN_METRICS_ADDR", flag: "metrics-addr",
		help: "Serve /metrics on this address (host:port) only, not on SAMEN_ADDR: for a Prometheus on an internal network.",
		set: func(c *Config, v string) error {
			if _, _, err := splitAddr(v); err != nil {
				return err
			}
			c.MetricsAddr = v
			return nil
		},
	},
	{
		env: "SAMEN_METRICS_TOKEN", secret: true,
		help: "A bearer token /metrics asks for (Prometheus: authorization credentials); without it, /metrics is open to whoever reaches it.",
		set: func(c *Config, v string) error {
			if len(v) < 16 {
				return errors.New("must be at least 16 characters")
			}
			c.MetricsToken = v
			return nil
		},
	},
	{
		env: "SAMEN_BASE_URL", flag: "base-url", def: "`http://ADDR`, with host `localhost` for an empty or wildcard one",
		help: "Public URL of the site, used in links in mail and to decide whether cookies are Secure (https).",
		set: func(c *Config, v string) (err error) {
			c.BaseURL, err = parseBaseURL(v)
			return err
		},
		derive: func(c *Config) error {
			if c.Addr != "" {
				c.BaseURL = defaultBaseURL(c.Addr)
			}
			return nil
		},
	},
	{
		env: "SAMEN_DATA_DIR", flag: "data-dir", def: "./samen-data",
		help: "Directory for samen's files, including the default SQLite database.",
		set: func(c *Config, v string) error {
			// The default database URL is built from this directory, and a
			// SQLite URL cannot carry these characters.
			if strings.ContainsAny(v, "?#\x00") {
				return errors.New("the data directory may not contain '?', '#' or NUL")
			}
			c.DataDir = filepath.Clean(v)
			return nil
		},
	},
	{
		env: "SAMEN_DATABASE_URL", flag: "database-url", def: "`sqlite:DATA_DIR/samen.db`",
		help: "Database: `sqlite:PATH`, or `postgres://user:password@host:5432/dbname`.",
		set: func(c *Config, v string) error {
			if err := checkDatabaseURL(v); err != nil {
				return err
			}
			c.DatabaseURL = v
			return nil
		},
		derive: func(c *Config) error {
			if c.DataDir != "" {
				c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "samen.db")
			}
			return nil
		},
	},
	{
		env: "SAMEN_DEMO", flag: "demo", def: "false", boolean: true,
		help: "Fill an empty database with demo content.",
		set: func(c *Config, v string) (err error) {
			c.Demo, err = parseBool(v)
			return err
		},
	},
	{
		env: "SAMEN_LOG_LEVEL", flag: "log-level", def: "info",
		help: "Least important log messages to write: debug, info, warn or error.",
		set: func(c *Config, v string) (err error) {
			c.LogLevel, err = oneOf(v, "debug", "info", "warn", "error")
			return err
		},
	},
	{
		env: "SAMEN_LOG_FORMAT", flag: "log-format", def: "text",
		help: "Log format: text, or json for log collectors.",
		set: func(c *Config, v string) (err error) {
			c.LogFormat, err = oneOf(v, "text", "json")
			return err
		},
	},
	{
		env: "SAMEN_TRUSTED_PROXIES", flag: "trusted-proxies",
		help: "Comma-separated IP addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For header is believed.",
		set: func(c *Config, v string) (err error) {
			c.TrustedProxies, err = parseProxies(v)
			return err
		},
	},
	{
		env: "SAMEN_SMTP_HOST", flag: "smtp-host",
		help: "SMTP server for outgoing mail. Without it, mail is written to the log and to an outbox page for stewards.",
		set: func(c *Config, v string) error {
			if !validHost(v) {
				return errors.New("must be a host name or IP address alone; the port goes in SAMEN_SMTP_PORT")
			}
			c.SMTP.Host = v
			return nil
		},
	},
	{
		env: "SAMEN_SMTP_TLS", flag: "smtp-tls", def: "starttls",
		help: "How to encrypt the SMTP connection: starttls, tls (implicit TLS, usually port 465) or none (only for " + localhostNote + ").",
		set: func(c *Config, v string) (err error) {
			c.SMTP.TLS, err = oneOf(v, "starttls", "tls", "none")
			// Without encryption the password crosses the network in the
			// clear, which is only acceptable when it never leaves the machine.
			if c.SMTP.TLS == "none" && c.SMTP.Host != "" && !isLocal(c.SMTP.Host) {
				c.SMTP.TLS = ""
				return fmt.Errorf("none is only allowed when SAMEN_SMTP_HOST is %s, so passwords and mail never cross the network unencrypted", localhostNote)
			}
			return err
		},
	},
	{
		env: "SAMEN_SMTP_PORT", flag: "smtp-port", def: "`587`, or `465` with `tls`",
		help: "SMTP server port.",
		set: func(c *Config, v string) error {
			p, err := strconv.Atoi(v)
			if err != nil || p < 1 || p > 65535 {
				return errors.New("must be a number from 1 to 65535")
			}
			c.SMTP.Port = p
			return nil
		},
		derive: func(c *Config) error {
			c.SMTP.Port = 587
			if c.SMTP.TLS == "tls" {
				c.SMTP.Port = 465
			}
			return nil
		},
	},
	{
		env: "SAMEN_SMTP_USERNAME", flag: "smtp-username",
		help: "SMTP user name, if the server wants one.",
		set: func(c *Config, v string) (err error) {
			c.SMTP.Username, err = plainText(v)
			return err
		},
	},
	{
		env: "SAMEN_SMTP_PASSWORD", secret: true,
		help: "SMTP password.",
		set:  func(c *Config, v string) error { c.SMTP.Password = v; return nil },
	},
	{
		env: "SAMEN_SMTP_FROM", flag: "smtp-from", def: "`samen <noreply@HOST>`, HOST from the base URL",
		help: "Sender address of the mail samen sends.",
		set: func(c *Config, v string) error {
			if _, err := mail.ParseAddress(v); err != nil {
				return errors.New("must be a mail address such as noreply@example.org or \"Samen <noreply@example.org>\"")
			}
			c.SMTP.From = v
			return nil
		},
		derive: func(c *Config) error {
			if c.BaseURL == "" {
				return nil
			}
			u, err := url.Parse(c.BaseURL)
			if err != nil {
				return nil
			}
			domain := strings.TrimSuffix(u.Hostname(), ".")
			if strings.Contains(domain, ":") {
				domain = "[" + domain + "]"
			}
			from := "samen <noreply@" + domain + ">"
			if _, err := mail.ParseAddress(from); err != nil {
				return fmt.Errorf("the default %q is not a valid address; set it explicitly", from)
			}
			c.SMTP.From = from
			return nil
		},
	},
	{
		env: "SAMEN_BANK_IBAN", flag: "bank-iban",
		help: "IBAN of the host's bank account; turns on contributions by bank transfer, reconciled by importing its CAMT.053 statements.",
		set: func(c *Config, v string) error {
			iban := strings.ToUpper(strings.ReplaceAll(v, " ", ""))
			if !camt.ValidIBAN(iban) {
				return fmt.Errorf("%q is not a valid IBAN", v)
			}
			c.BankIBAN = iban
			return nil
		},
	},
	{
		env: "SAMEN_BANK_NAME", flag: "bank-name",
		help: "The holder of that account, as contributors type it in their bank app.",
		set: func(c *Config, v string) (err error) {
			c.BankName, err = plainText(v)
			return err
		},
	},
	{
		env:  "SAMEN_MOLLIE_API_KEY",
		help: "Mollie API key (test_… or live_…); turns on contributions by iDEAL, card and SEPA through Mollie. Not a flag: a key on the command line shows in the process list.",
		set: func(c *Config, v string) error {
			if err := mollie.CheckAPIKey(v); err != nil {
				return err
			}
			c.MollieAPIKey = v
			return nil
		},
	},
	{
		env: "SAMEN_MOLLIE_FEE", flag: "mollie-fee",
		help: "What Mollie keeps of each payment, as its price list says it: 0.32, 1.8% or 1.8%+0.25. Booked with each payment and borne by the campaign at its payout.",
		set:  setFee("mollie"),
	},
	{
		env: "SAMEN_BANK_FEE", flag: "bank-fee",
		help: "What the bank charges per incoming transfer, such as 0.10; booked as SAMEN_MOLLIE_FEE is.",
		set:  setFee("bank"),
	},
	{
		env: "SAMEN_OIDC_ISSUER", flag: "oidc-issuer",
		help: "OpenID Connect issuer URL (https); turns on login through that provider.",
		set: func(c *Config, v string) error {
			if err := checkIssuer(v); err != nil {
				return err
			}
			c.OIDC.Issuer = v
			return nil
		},
	},
	{
		env: "SAMEN_OIDC_CLIENT_ID", flag: "oidc-client-id",
		help: "OpenID Connect client ID.",
		set: func(c *Config, v string) (err error) {
			c.OIDC.ClientID, err = plainText(v)
			return err
		},
	},
	{
		env: "SAMEN_OIDC_CLIENT_SECRET", secret: true,
		help: "OpenID Connect client secret.",
		set:  func(c *Config, v string) error { c.OIDC.ClientSecret = v; return nil },
	},
	{
		env: "SAMEN_OIDC_NAME", flag: "oidc-name", def: "OpenID Connect",
		help: "Label on the OpenID Connect login button.",
		set: func(c *Config, v string) (err error) {
			c.OIDC.Name, err = plainText(v)
			return err
		},
	},
	{
		env: "SAMEN_DATA_LICENCE", flag: "data-licence", def: "ODbL-1.0",
		help: "Licence of the atlas's open data, as an SPDX identifier (ODbL-1.0, CC-BY-4.0, CC0-1.0, …).",
		set: func(c *Config, v string) error {
			if !spdxRE.MatchString(v) {
				return errors.New("not an SPDX licence identifier (letters, digits, '.', '-', '+')")
			}
			c.DataLicence = v
			return nil
		},
	},
	{
		env: "SAMEN_MAP_TILES", flag: "map-tiles",
		help: "Raster tile URL template for the atlas map, e.g. https://tiles.example.org/{z}/{x}/{y}.png. Visitors' browsers fetch tiles from that server; without it or SAMEN_MAP_PMTILES the map has a plain background.",
		set: func(c *Config, v string) error {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
				!strings.Contains(v, "{z}") || !strings.Contains(v, "{x}") || !strings.Contains(v, "{y}") {
				return errors.New("want an http(s) URL with {z}, {x} and {y}")
			}
			c.MapTiles = v
			return nil
		},
	},
	{
		env: "SAMEN_MAP_PMTILES", flag: "map-pmtiles",
		help: "A PMTiles (version 3) file on this machine that samen serves as the atlas map's basemap, so that no third party sees the visitors; vector (mvt) or raster (png, jpeg, webp, avif) tiles. Not together with SAMEN_MAP_TILES.",
		set: func(c *Config, v string) error {
			if err := checkPMTiles(v); err != nil {
				return err
			}
			c.MapPMTiles = v
			return nil
		},
	},
	{
		env: "SAMEN_MAP_DISTRICTS", flag: "map-districts",
		help: "A GeoJSON FeatureCollection of district outlines (polygons) that the atlas map draws, each named by a code, naam or name property (e.g. Amsterdam's stadsdelen from the city's open data).",
		set: func(c *Config, v string) error {
			if err := checkRegularFile(v); err != nil {
				return err
			}
			c.MapDistricts = v
			return nil
		},
	},
	{
		env: "SAMEN_MAP_ATTRIBUTION", flag: "map-attribution",
		help: "Credit line for the map tiles, as their licence requires (e.g. © OpenStreetMap contributors).",
		set: func(c *Config, v string) (err error) {
			c.MapAttribution, err = plainText(v)
			return err
		},
	},
}

// spdxRE is the shape of an SPDX licence identifier.
var spdxRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$`)

func (s *setting) name() string {
	if s.flag == "" {
		return s.env
	}
	return s.env + " (--" + s.flag + ")"
}

// problem formats one error line. The value is shown because a typo is
// easiest to spot when quoted back, except where it may hold a secret.
func (s *setting) problem(v string, why error) error {
	if s.secret || v == "" {
		return fmt.Errorf("%s: %v", s.name(), why)
	}
	return fmt.Errorf("%s %s: %v", s.name(), show(v), why)
}

// flagValue records a flag's raw text so it is checked by the same code, and
// reported in the same words, as the environment variable.
type flagValue struct {
	v           string
	set, isBool bool
}

func (f *flagValue) String() string     { return f.v }
func (f *flagValue) Set(v string) error { f.v, f.set = v, true; return nil }
func (f *flagValue) IsBoolFlag() bool   { return f.isBool }

// Load reads the settings from getenv and from args (the flags after the
// subcommand name), flags winning, and returns the remaining positional
// arguments. An empty value means the default, so an empty flag can switch
// off something set in the environment. The error lists every problem, one
// per line; -h or --help yields flag.ErrHelp.
func Load(args []string, getenv func(string) string) (Config, []string, error) {
	fs := flag.NewFlagSet("samen", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	flags := make([]flagValue, len(settings))
	for i, s := range settings {
		if s.flag != "" {
			flags[i].isBool = s.boolean
			fs.Var(&flags[i], s.flag, s.help)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, nil, err
		}
		return Config{}, nil, flagError(err)
	}

	var c Config
	var errs []error
	given := map[string]bool{}
	for i := range settings {
		s := &settings[i]
		v := getenv(s.env)
		if flags[i].set {
			v = flags[i].v
		}
		if s.secret {
			var err error
			if v, err = readSecret(s.env, v, getenv(s.env+"_FILE")); err != nil {
				errs = append(errs, err)
				given[s.env] = true // so it is not also reported as missing
				continue
			}
		}
		switch {
		case v != "":
			given[s.env] = true
			if err := s.set(&c, v); err != nil {
				errs = append(errs, s.problem(v, err))
			}
		case s.derive != nil:
			if err := s.derive(&c); err != nil {
				errs = append(errs, s.problem("", err))
			}
		case s.def != "":
			if err := s.set(&c, s.def); err != nil {
				panic("config: bad default for " + s.env + ": " + err.Error())
			}
		}
	}

	// A half-configured provider would only fail at the first login, so
	// insist on all three parts now.
	oidc := []string{"SAMEN_OIDC_ISSUER", "SAMEN_OIDC_CLIENT_ID", "SAMEN_OIDC_CLIENT_SECRET"}
	if given[oidc[0]] || given[oidc[1]] || given[oidc[2]] {
		for _, env := range oidc {
			if !given[env] {
				s := lookup(env)
				what := s.name()
				if s.secret {
					what += " (or " + env + "_FILE)"
				}
				errs = append(errs, fmt.Errorf("%s is not set: OpenID Connect needs SAMEN_OIDC_ISSUER, SAMEN_OIDC_CLIENT_ID and SAMEN_OIDC_CLIENT_SECRET together", what))
			}
		}
	}

	// Visitors' browsers would fetch tiles from the operator's server and
	// from samen: one basemap at a time.
	if given["SAMEN_MAP_TILES"] && given["SAMEN_MAP_PMTILES"] {
		errs = append(errs, fmt.Errorf("%s and %s are both set; the map has one basemap, so use one or the other",
			lookup("SAMEN_MAP_TILES").name(), lookup("SAMEN_MAP_PMTILES").name()))
	}

	if err := errors.Join(errs...); err != nil {
		return Config{}, nil, err
	}
	c.MailMode = MailLog
	if c.SMTP.Host != "" {
		c.MailMode = MailSMTP
	}
	return c, fs.Args(), nil
}

func lookup(env string) *setting {
	for i := range settings {
		if settings[i].env == env {
			return &settings[i]
		}
	}
	panic("config: no setting " + env)
}

// flagError rewords the flag package's messages, which speak of "-name" and
// are not clear to someone who never read its documentation.
func flagError(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return fmt.Errorf("unknown flag %q (see --help for the list)", "--"+name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return fmt.Errorf("flag --%s needs a value, as in --%s=VALUE", name, name)
	}
	if arg, ok := strings.CutPrefix(msg, "bad flag syntax: "); ok {
		return fmt.Errorf("%q is not a valid flag; write --name=value", arg)
	}
	return err
}

func readSecret(env, v, file string) (string, error) {
	fileEnv := env + "_FILE"
	switch {
	case file == "":
		return v, nil
	case v != "":
		return "", fmt.Errorf("%s and %s are both set; use one or the other", env, fileEnv)
	}
	// Only regular files: a FIFO or device would block start-up or never end.
	if fi, err := os.Stat(file); err != nil {
		return "", fmt.Errorf("%s %s: cannot read the file: %v", fileEnv, show(file), unwrapPath(err))
	} else if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s %s: is not a regular file", fileEnv, show(file))
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s %s: cannot read the file: %v", fileEnv, show(file), unwrapPath(err))
	}
	// Editors and `echo` add a final newline that is not part of the secret.
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", fmt.Errorf("%s %s: the file is empty", fileEnv, show(file))
	}
	return s, nil
}

// checkRegularFile checks that a file exists and can be read: a FIFO or
// device would block start-up or never end.
func checkRegularFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("cannot read the file: %v", unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return errors.New("is not a regular file")
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read the file: %v", unwrapPath(err))
	}
	return f.Close()
}

// checkPMTiles opens a basemap archive the way the server will, so that a
// file the map cannot use stops samen at start rather than leaving a map
// without tiles.
func checkPMTiles(path string) error {
	if err := checkRegularFile(path); err != nil {
		return err
	}
	r, err := pmtiles.Open(path)
	if err != nil {
		return fmt.Errorf("is not a usable PMTiles file: %v", unwrapPath(err))
	}
	defer r.Close()
	if t := r.Header().TileType; t != pmtiles.MVT && !t.Raster() {
		return errors.New("holds tiles of an unknown type; the map draws mvt, png, jpeg, webp or avif tiles")
	}
	return nil
}

// unwrapPath drops the path from an *fs.PathError, which the message names already.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// show quotes a value for an error message, hiding what may be a password:
// the password in user info (user:password@host), a URL's query (PostgreSQL
// accepts ?password=), and anything else that mentions a password.
func show(v string) string {
	if strings.Contains(strings.ToLower(v), "password") {
		return "(value hidden: it may contain a password)"
	}
	start := 0
	if i := strings.Index(v, "://"); i >= 0 {
		start = i + 3
		if q := strings.IndexByte(v[start:], '?'); q >= 0 {
			v = v[:start+q] + "?…"
		}
	}
	auth := v[start:]
	if end := strings.IndexAny(auth, "/?# <>\""); end >= 0 {
		auth = auth[:end]
	}
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		if colon := strings.IndexByte(auth[:at], ':'); colon >= 0 {
			v = v[:start+colon+1] + "xxxxx" + v[start+at:]
		}
	}
	return strconv.Quote(v)
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, errors.New("must be true or false (also accepted: 1/0, yes/no, on/off)")
}

func oneOf(v string, allowed ...string) (string, error) {
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a, nil
		}
	}
	return "", fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
}

// plainText refuses control characters, which are never intended and would
// garble logs and pages.
func plainText(v string) (string, error) {
	if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", errors.New("must not contain control characters")
	}
	return v, nil
}

// splitAddr checks a listen address. Zones are refused because the base URL
// is derived from the address and browsers do not accept zones in URLs.
func splitAddr(v string) (host, port string, err error) {
	host, port, err = net.SplitHostPort(v)
	if err != nil {
		return "", "", errors.New("must be host:port, such as 127.0.0.1:8080 or :8080 (an IPv6 host goes in brackets: [::1]:8080)")
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", "", errors.New("the port must be a number from 0 to 65535")
	}
	if host != "" && !validHost(host) {
		return "", "", errors.New("the host must be empty, a host name or an IP address without a zone")
	}
	return host, port, nil
}

func defaultBaseURL(addr string) string {
	host, port, _ := splitAddr(addr)
	if ip, err := netip.ParseAddr(host); host == "" || err == nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return (&url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)}).String()
}

// validHost accepts an IP address without a zone or an ASCII host name. It is
// stricter than net/url, which lets through characters no DNS name has.
func validHost(h string) bool {
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip.Zone() == ""
	}
	if h == "" || len(h) > 254 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

func isLocal(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// parseWebURL checks the parts of an http(s) URL that samen puts in front of
// paths or hands to an identity provider: those can carry no query, fragment
// or user info without breaking whatever is appended or compared.
func parseWebURL(v, example string) (*url.URL, error) {
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return nil, fmt.Errorf("is not a valid URL; expected something like %s", example)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("must start with http:// or https://, as in %s", example)
	case u.Opaque != "" || u.Host == "":
		return nil, fmt.Errorf("needs a host, as in %s", example)
	case !validHost(u.Hostname()):
		return nil, errors.New("the host must be a domain name or an IP address (write international names in their xn-- form)")
	case u.User != nil:
		return nil, errors.New("must not contain a user name or password")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, errors.New("must not have a query (?…)")
	case u.Fragment != "" || strings.Contains(v, "#"):
		return nil, errors.New("must not have a fragment (#…)")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			return nil, errors.New("the port must be a number from 1 to 65535")
		}
	}
	return u, nil
}

func parseBaseURL(v string) (string, error) {
	u, err := parseWebURL(v, "https://samen.example.org")
	if err != nil {
		return "", err
	}
	u.Host = strings.TrimSuffix(u.Host, ":")
	return strings.TrimRight(u.String(), "/"), nil
}

// checkIssuer allows plain http only on this machine, for tests against a
// local provider; anywhere else tokens would travel in the clear.
func checkIssuer(v string) error {
	u, err := parseWebURL(v, "https://accounts.example.org")
	if err != nil {
		return err
	}
	if u.Scheme == "http" && !isLocal(u.Hostname()) {
		return fmt.Errorf("must use https (http is only allowed for %s)", localhostNote)
	}
	return nil
}

// checkDatabaseURL follows the rules of store.ParseURL, so a URL accepted here
// does not fail later when the database is opened.
func checkDatabaseURL(v string) error {
	switch {
	case strings.HasPrefix(v, "postgres://"), strings.HasPrefix(v, "postgresql://"):
		// url.Parse's error quotes the URL, password and all, so it is not passed on.
		u, err := url.Parse(v)
		if err != nil {
			return errors.New("is not a valid PostgreSQL URL such as postgres://user:password@localhost:5432/samen")
		}
		if u.Hostname() == "" && u.Query().Get("host") == "" {
			return errors.New("a PostgreSQL URL needs a host, as in postgres://user:password@localhost:5432/samen")
		}
	case strings.HasPrefix(v, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(v, "sqlite:"), "//")
		if path == "" {
			return errors.New("a SQLite URL needs a file path, as in sqlite:samen-data/samen.db")
		}
		if strings.ContainsAny(path, "?#\x00") {
			return errors.New("a SQLite path may not contain '?', '#' or NUL")
		}
	default:
		return errors.New("must start with sqlite: or postgres://")
	}
	return nil
}

func parseProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			ip, err := netip.ParseAddr(item)
			if err != nil || ip.Zone() != "" {
				return nil, fmt.Errorf("%q is not an IP address or CIDR prefix such as 10.0.0.0/8 or fd00::/8", item)
			}
			p = netip.PrefixFrom(ip, ip.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

type row struct {
	env, flag, def, help string
	literal              bool // def is a value to type, not a description
}

// rows lists every variable in display form; the _FILE variants of secrets
// get a row of their own since they are separate variables an operator sets.
func rows() []row {
	var out []row
	for _, s := range settings {
		r := row{env: s.env, def: s.def, help: s.help, literal: s.derive == nil}
		if s.flag != "" {
			r.flag = "--" + s.flag
		}
		out = append(out, r)
		if s.secret {
			out = append(out, row{env: s.env + "_FILE",
				help: "File holding " + s.env + ", for container secrets; a final newline is ignored."})
		}
	}
	return out
}

// Usage returns the help text listing every setting. The texts carry
// Markdown code marks for Table, which plain text does without.
func Usage() string {
	var b strings.Builder
	b.WriteString("Settings come from environment variables; a flag overrides its variable,\n" +
		"and an empty value means the default. Secrets have no flag, because command\n" +
		"lines are visible to other users.\n\n")
	for _, r := range rows() {
		b.WriteString("  ")
		if r.flag != "" {
			b.WriteString(r.flag + ", ")
		}
		b.WriteString(r.env)
		if r.def != "" {
			b.WriteString(" (default " + r.def + ")")
		}
		b.WriteString("\n      " + r.help + "\n")
	}
	return strings.ReplaceAll(b.String(), "`", "")
}

// Table returns the settings as a Markdown table for the README.
func Table() string {
	code := func(s string) string {
		if s == "" {
			return ""
		}
		return "`" + s + "`"
	}
	var b strings.Builder
	b.WriteString("| Variable | Flag | Default | Meaning |\n|---|---|---|---|\n")
	for _, r := range rows() {
		def := r.def
		if r.literal {
			def = code(def)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", code(r.env), code(r.flag), def, strings.ReplaceAll(r.help, "|", `\|`))
	}
	return b.String()
}

// setFee reads a provider's price per payment.
func setFee(provider string) func(*Config, string) error {
	return func(c *Config, v string) error {
		f, err := fund.ParseFee(v)
		if err != nil {
			return err
		}
		if c.Fees == nil {
			c.Fees = map[string]fund.Fee{}
		}
		c.Fees[provider] = f
		return nil
	}
}
