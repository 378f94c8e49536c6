package config

import (
	"errors"
	"flag"
	"maps"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

type env map[string]string

func (e env) get(k string) string { return e[k] }

func load(t *testing.T, args []string, e env) (Config, error) {
	t.Helper()
	c, _, err := Load(args, e.get)
	return c, err
}

func TestDefaults(t *testing.T) {
	c, rest, err := Load(nil, env{}.get)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Addr:        "127.0.0.1:8080",
		DataDir:     "samen-data",
		DatabaseURL: "sqlite:samen-data/samen.db",
		BaseURL:     "http://127.0.0.1:8080",
		LogLevel:    "info",
		LogFormat:   "text",
		SMTP:        SMTP{Port: 587, TLS: "starttls", From: "samen <noreply@127.0.0.1>"},
		OIDC:        OIDC{Name: "OpenID Connect"},
		MailMode:    MailLog,
		DataLicence: "ODbL-1.0",
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	if len(rest) != 0 || c.Secure() || c.OIDC.Enabled() {
		t.Errorf("rest %q, Secure %v, OIDC %v", rest, c.Secure(), c.OIDC.Enabled())
	}
}

func TestValues(t *testing.T) {
	tests := []struct {
		name  string
		env   env
		args  []string
		check func(Config) bool
	}{
		{"wildcard addr gives localhost base URL", env{"SAMEN_ADDR": ":9000"}, nil,
			func(c Config) bool { return c.BaseURL == "http://localhost:9000" }},
		{"IPv6 wildcard", env{"SAMEN_ADDR": "[::]:80"}, nil,
			func(c Config) bool { return c.BaseURL == "http://localhost:80" }},
		{"IPv6 host", env{"SAMEN_ADDR": "[::1]:8080"}, nil,
			func(c Config) bool { return c.BaseURL == "http://[::1]:8080" && c.SMTP.From == "samen <noreply@[::1]>" }},
		{"port 0 kept for the caller to fill in", env{"SAMEN_ADDR": "127.0.0.1:0"}, nil,
			func(c Config) bool { return c.BaseURL == "http://127.0.0.1:0" }},
		{"base URL trailing slash dropped, https is secure", env{"SAMEN_BASE_URL": "HTTPS://Samen.Example.org/club//"}, nil,
			func(c Config) bool {
				return c.BaseURL == "https://Samen.Example.org/club" && c.Secure() && c.SMTP.From == "samen <noreply@Samen.Example.org>"
			}},
		{"data dir cleaned and relative", env{"SAMEN_DATA_DIR": "./data//x/"}, nil,
			func(c Config) bool { return c.DataDir == "data/x" && c.DatabaseURL == "sqlite:data/x/samen.db" }},
		{"postgres", env{"SAMEN_DATABASE_URL": "postgres://u:p@db:5432/samen?sslmode=disable"}, nil,
			func(c Config) bool { return c.DatabaseURL == "postgres://u:p@db:5432/samen?sslmode=disable" }},
		{"postgres socket", env{"SAMEN_DATABASE_URL": "postgresql:///samen?host=/run/postgresql"}, nil,
			func(c Config) bool { return strings.HasPrefix(c.DatabaseURL, "postgresql:") }},
		{"booleans", env{"SAMEN_DEMO": "YES"}, nil, func(c Config) bool { return c.Demo }},
		{"bool flag alone", nil, []string{"--demo"}, func(c Config) bool { return c.Demo }},
		{"enums case-insensitive", env{"SAMEN_LOG_LEVEL": "DEBUG", "SAMEN_LOG_FORMAT": "Json"}, nil,
			func(c Config) bool { return c.LogLevel == "debug" && c.LogFormat == "json" }},
		{"proxies", env{"SAMEN_TRUSTED_PROXIES": " 10.1.2.3/8, 192.168.1.1 ,,fd00::1"}, nil,
			func(c Config) bool {
				return reflect.DeepEqual(c.TrustedProxies, []netip.Prefix{
					netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.1/32"), netip.MustParsePrefix("fd00::1/128")})
			}},
		{"smtp", env{"SAMEN_SMTP_HOST": "mail.example.org", "SAMEN_SMTP_USERNAME": "u", "SAMEN_SMTP_PASSWORD": "pw", "SAMEN_SMTP_FROM": "Club <club@example.org>"}, nil,
			func(c Config) bool {
				return c.MailMode == MailSMTP && c.SMTP == SMTP{Host: "mail.example.org", Port: 587, Username: "u", Password: "pw", From: "Club <club@example.org>", TLS: "starttls"}
			}},
		{"implicit TLS defaults to 465", env{"SAMEN_SMTP_HOST": "mail.example.org", "SAMEN_SMTP_TLS": "tls"}, nil,
			func(c Config) bool { return c.SMTP.Port == 465 }},
		{"explicit port wins over the TLS default", env{"SAMEN_SMTP_TLS": "tls", "SAMEN_SMTP_PORT": "2465"}, nil,
			func(c Config) bool { return c.SMTP.Port == 2465 }},
		{"no TLS on localhost", env{"SAMEN_SMTP_HOST": "localhost", "SAMEN_SMTP_TLS": "none", "SAMEN_SMTP_PORT": "25"}, nil,
			func(c Config) bool { return c.SMTP.TLS == "none" }},
		{"no TLS on ::1", env{"SAMEN_SMTP_HOST": "::1", "SAMEN_SMTP_TLS": "none"}, nil,
			func(c Config) bool { return c.SMTP.TLS == "none" }},
		{"oidc", env{"SAMEN_OIDC_ISSUER": "https://id.example.org/realms/x", "SAMEN_OIDC_CLIENT_ID": "samen", "SAMEN_OIDC_CLIENT_SECRET": "s", "SAMEN_OIDC_NAME": "Club login"}, nil,
			func(c Config) bool {
				return c.OIDC.Enabled() && c.OIDC == OIDC{"https://id.example.org/realms/x", "samen", "s", "Club login"}
			}},
		{"oidc over http on localhost", env{"SAMEN_OIDC_ISSUER": "http://127.0.0.1:5556/dex", "SAMEN_OIDC_CLIENT_ID": "samen", "SAMEN_OIDC_CLIENT_SECRET": "s"}, nil,
			func(c Config) bool { return c.OIDC.Issuer == "http://127.0.0.1:5556/dex" }},
		{"flags override env", env{"SAMEN_ADDR": ":1", "SAMEN_LOG_LEVEL": "warn", "SAMEN_DEMO": "true", "SAMEN_SMTP_HOST": "mail.example.org"},
			[]string{"--addr", ":2", "-log-level=error", "--demo=false", "--smtp-host="},
			func(c Config) bool {
				return c.Addr == ":2" && c.LogLevel == "error" && !c.Demo && c.SMTP.Host == "" && c.MailMode == MailLog
			}},
		{"empty flag means the default", env{"SAMEN_BASE_URL": "https://x.example"}, []string{"--base-url="},
			func(c Config) bool { return c.BaseURL == "http://127.0.0.1:8080" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.args, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("unexpected config %+v", c)
			}
			checkInvariants(t, c)
		})
	}
}

func TestInvalid(t *testing.T) {
	tests := []struct {
		env  env
		args []string
		want []string // all must appear in the single error line
	}{
		{env{"SAMEN_ADDR": "localhost:80x"}, nil, []string{`SAMEN_ADDR (--addr) "localhost:80x":`, "0 to 65535"}},
		{env{"SAMEN_ADDR": "localhost"}, nil, []string{"SAMEN_ADDR", "host:port"}},
		{env{"SAMEN_ADDR": ":65536"}, nil, []string{"SAMEN_ADDR", "0 to 65535"}},
		{env{"SAMEN_ADDR": "a b:80"}, nil, []string{"SAMEN_ADDR", "host name"}},
		{env{"SAMEN_ADDR": "[fe80::1%eth0]:80"}, nil, []string{"SAMEN_ADDR", "zone"}},
		{nil, []string{"--addr=::1:80"}, []string{"SAMEN_ADDR (--addr)", "brackets"}},
		{env{"SAMEN_BASE_URL": "samen.example.org"}, nil, []string{"SAMEN_BASE_URL (--base-url)", "http:// or https://"}},
		{env{"SAMEN_BASE_URL": "ftp://samen.example.org"}, nil, []string{"SAMEN_BASE_URL", "http:// or https://"}},
		{env{"SAMEN_BASE_URL": "https://"}, nil, []string{"SAMEN_BASE_URL", "needs a host"}},
		{env{"SAMEN_BASE_URL": "https://:80"}, nil, []string{"SAMEN_BASE_URL", "host"}},
		{env{"SAMEN_BASE_URL": "https://x.org?a=b"}, nil, []string{"SAMEN_BASE_URL", "query"}},
		{env{"SAMEN_BASE_URL": "https://x.org/?"}, nil, []string{"SAMEN_BASE_URL", "query"}},
		{env{"SAMEN_BASE_URL": "https://x.org/#top"}, nil, []string{"SAMEN_BASE_URL", "fragment"}},
		{env{"SAMEN_BASE_URL": "https://bob@x.org"}, nil, []string{"SAMEN_BASE_URL", "user name"}},
		{env{"SAMEN_BASE_URL": "https://x.org:0"}, nil, []string{"SAMEN_BASE_URL", "1 to 65535"}},
		{env{"SAMEN_BASE_URL": "https://x.org:70000"}, nil, []string{"SAMEN_BASE_URL", "1 to 65535"}},
		{env{"SAMEN_BASE_URL": "https://bücher.example"}, nil, []string{"SAMEN_BASE_URL", "xn--"}},
		{env{"SAMEN_BASE_URL": "https://a b"}, nil, []string{"SAMEN_BASE_URL", "not a valid URL"}},
		{env{"SAMEN_DATA_DIR": "a?b"}, nil, []string{`SAMEN_DATA_DIR (--data-dir) "a?b"`, "'?'"}},
		{env{"SAMEN_DATABASE_URL": "mysql://db/samen"}, nil, []string{"SAMEN_DATABASE_URL (--database-url)", "sqlite: or postgres://"}},
		{env{"SAMEN_DATABASE_URL": "sqlite:"}, nil, []string{"SAMEN_DATABASE_URL", "file path"}},
		{env{"SAMEN_DATABASE_URL": "sqlite://"}, nil, []string{"SAMEN_DATABASE_URL", "file path"}},
		{env{"SAMEN_DATABASE_URL": "sqlite:x.db?mode=ro"}, nil, []string{"SAMEN_DATABASE_URL", "'?'"}},
		{nil, []string{"--database-url=sqlite:a\x00b"}, []string{"SAMEN_DATABASE_URL", "NUL"}},
		{env{"SAMEN_DATABASE_URL": "postgres:///samen"}, nil, []string{"SAMEN_DATABASE_URL", "needs a host"}},
		{env{"SAMEN_DATABASE_URL": "postgres://db:port/samen"}, nil, []string{"SAMEN_DATABASE_URL", "not a valid PostgreSQL URL"}},
		{env{"SAMEN_DEMO": "maybe"}, nil, []string{`SAMEN_DEMO (--demo) "maybe"`, "true or false"}},
		{nil, []string{"--demo=2"}, []string{`SAMEN_DEMO (--demo) "2"`, "true or false"}},
		{env{"SAMEN_LOG_LEVEL": "verbose"}, nil, []string{"SAMEN_LOG_LEVEL (--log-level)", "debug, info, warn, error"}},
		{env{"SAMEN_LOG_FORMAT": "xml"}, nil, []string{"SAMEN_LOG_FORMAT (--log-format)", "text, json"}},
		{env{"SAMEN_TRUSTED_PROXIES": "10.0.0.0/8,10.0.0.0/33"}, nil, []string{"SAMEN_TRUSTED_PROXIES (--trusted-proxies)", `"10.0.0.0/33" is not`}},
		{env{"SAMEN_TRUSTED_PROXIES": "proxy.local"}, nil, []string{"SAMEN_TRUSTED_PROXIES", "CIDR"}},
		{env{"SAMEN_TRUSTED_PROXIES": "fe80::1%eth0"}, nil, []string{"SAMEN_TRUSTED_PROXIES", "CIDR"}},
		{env{"SAMEN_SMTP_HOST": "mail.example.org:25"}, nil, []string{"SAMEN_SMTP_HOST (--smtp-host)", "SAMEN_SMTP_PORT"}},
		{env{"SAMEN_SMTP_PORT": "0"}, nil, []string{"SAMEN_SMTP_PORT (--smtp-port)", "1 to 65535"}},
		{env{"SAMEN_SMTP_PORT": "submission"}, nil, []string{"SAMEN_SMTP_PORT", "1 to 65535"}},
		{env{"SAMEN_SMTP_TLS": "ssl"}, nil, []string{"SAMEN_SMTP_TLS (--smtp-tls)", "starttls, tls, none"}},
		{env{"SAMEN_SMTP_HOST": "mail.example.org", "SAMEN_SMTP_TLS": "none"}, nil, []string{`SAMEN_SMTP_TLS (--smtp-tls) "none"`, "localhost"}},
		{env{"SAMEN_SMTP_USERNAME": "a\nb"}, nil, []string{"SAMEN_SMTP_USERNAME", "control characters"}},
		{env{"SAMEN_SMTP_FROM": "not an address"}, nil, []string{"SAMEN_SMTP_FROM (--smtp-from)", "mail address"}},
		{env{"SAMEN_OIDC_ISSUER": "http://id.example.org", "SAMEN_OIDC_CLIENT_ID": "x", "SAMEN_OIDC_CLIENT_SECRET": "y"}, nil, []string{"SAMEN_OIDC_ISSUER (--oidc-issuer)", "https"}},
		{env{"SAMEN_OIDC_ISSUER": "https://id.example.org", "SAMEN_OIDC_CLIENT_SECRET": "y"}, nil, []string{"SAMEN_OIDC_CLIENT_ID (--oidc-client-id) is not set"}},
		{env{"SAMEN_OIDC_CLIENT_ID": "x", "SAMEN_OIDC_CLIENT_SECRET": "y"}, nil, []string{"SAMEN_OIDC_ISSUER (--oidc-issuer) is not set"}},
		{env{"SAMEN_OIDC_NAME": "a\x7fb"}, nil, []string{"SAMEN_OIDC_NAME", "control characters"}},
		{nil, []string{"--nope"}, []string{`unknown flag "--nope"`}},
		{nil, []string{"--smtp-password=x"}, []string{`unknown flag "--smtp-password"`}},
		{nil, []string{"--a\nb"}, []string{`unknown flag "--a\nb"`}},
		{nil, []string{"--addr"}, []string{"--addr needs a value"}},
		{nil, []string{"---addr=x"}, []string{`"---addr=x" is not a valid flag`}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.want, " "), func(t *testing.T) {
			_, err := load(t, tt.args, tt.env)
			if err == nil {
				t.Fatal("no error")
			}
			if lines := strings.Split(err.Error(), "\n"); len(lines) != 1 {
				t.Fatalf("want one problem, got %d:\n%v", len(lines), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestEveryProblemOnItsOwnLine(t *testing.T) {
	_, err := load(t, []string{"--log-format=xml"}, env{
		"SAMEN_ADDR":               "nope",
		"SAMEN_DEMO":               "perhaps",
		"SAMEN_SMTP_PORT":          "-1",
		"SAMEN_OIDC_CLIENT_SECRET": "s",
	})
	want := []string{"SAMEN_ADDR", "SAMEN_DEMO", "SAMEN_LOG_FORMAT", "SAMEN_SMTP_PORT", "SAMEN_OIDC_ISSUER", "SAMEN_OIDC_CLIENT_ID"}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("want %d lines, got:\n%v", len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w+" ") {
			t.Errorf("line %d = %q, want it to start with %s", i, lines[i], w)
		}
	}
}

// A bad address must not also produce complaints about the base URL and
// sender derived from it: the operator should see the cause only.
func TestDerivedDefaultsDoNotRepeatErrors(t *testing.T) {
	_, err := load(t, nil, env{"SAMEN_ADDR": "x", "SAMEN_DATA_DIR": "#"})
	if n := len(strings.Split(err.Error(), "\n")); n != 2 {
		t.Errorf("want 2 problems, got:\n%v", err)
	}
}

func TestSecretsNotEchoed(t *testing.T) {
	const secret = "hunter2-Sup3rSecret"
	dir := t.TempDir()
	file := filepath.Join(dir, "pw")
	if err := os.WriteFile(file, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []env{
		{"SAMEN_SMTP_PASSWORD": secret, "SAMEN_SMTP_PASSWORD_FILE": file},
		{"SAMEN_OIDC_CLIENT_SECRET": secret, "SAMEN_OIDC_CLIENT_SECRET_FILE": file},
		{"SAMEN_OIDC_CLIENT_SECRET": secret},
		{"SAMEN_OIDC_CLIENT_SECRET_FILE": file},
		{"SAMEN_DATABASE_URL": "postgres://samen:" + secret + "@db:port/samen"},
		{"SAMEN_DATABASE_URL": "postgres:///samen?password=" + secret},
		{"SAMEN_DATABASE_URL": "host=db password=" + secret},
		{"SAMEN_DATABASE_URL": "samen:" + secret + "@db/samen"},
		{"SAMEN_BASE_URL": "https://samen:" + secret + "@x.org"},
	}
	for _, e := range cases {
		_, err := load(t, nil, e)
		if err == nil {
			t.Fatalf("%v: no error", e)
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), strconv.Quote(secret)) {
			t.Errorf("secret echoed: %v", err)
		}
	}
}

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", "s3cret\r\n")
	c, err := load(t, nil, env{"SAMEN_SMTP_PASSWORD_FILE": good, "SAMEN_OIDC_CLIENT_SECRET_FILE": good,
		"SAMEN_OIDC_ISSUER": "https://id.example.org", "SAMEN_OIDC_CLIENT_ID": "samen"})
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTP.Password != "s3cret" || c.OIDC.ClientSecret != "s3cret" {
		t.Errorf("secrets %q %q", c.SMTP.Password, c.OIDC.ClientSecret)
	}

	for _, tt := range []struct {
		env  env
		want string
	}{
		{env{"SAMEN_SMTP_PASSWORD": "x", "SAMEN_SMTP_PASSWORD_FILE": good}, "SAMEN_SMTP_PASSWORD and SAMEN_SMTP_PASSWORD_FILE are both set"},
		{env{"SAMEN_SMTP_PASSWORD_FILE": filepath.Join(dir, "missing")}, "SAMEN_SMTP_PASSWORD_FILE " + strconv.Quote(filepath.Join(dir, "missing")) + ": cannot read"},
		{env{"SAMEN_SMTP_PASSWORD_FILE": write("empty", "\n")}, "the file is empty"},
		{env{"SAMEN_SMTP_PASSWORD_FILE": dir}, "not a regular file"},
	} {
		_, err := load(t, nil, tt.env)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want %q", tt.env, err, tt.want)
		}
	}

	// A secret that failed to load is still "given", so OIDC does not
	// also complain that it is missing.
	_, err = load(t, nil, env{"SAMEN_OIDC_ISSUER": "https://id.example.org", "SAMEN_OIDC_CLIENT_ID": "samen",
		"SAMEN_OIDC_CLIENT_SECRET_FILE": filepath.Join(dir, "missing")})
	if n := len(strings.Split(err.Error(), "\n")); n != 1 {
		t.Errorf("want one problem, got:\n%v", err)
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help"} {
		if _, _, err := Load([]string{arg}, env{}.get); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s: got %v, want flag.ErrHelp", arg, err)
		}
	}
}

func TestPositionalArgs(t *testing.T) {
	_, rest, err := Load([]string{"--demo", "backup.db", "--addr=x"}, env{}.get)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rest, []string{"backup.db", "--addr=x"}) {
		t.Errorf("rest = %q", rest)
	}
}

func TestUsageAndTableListEverySetting(t *testing.T) {
	usage, table := Usage(), Table()
	for _, s := range settings {
		names := []string{s.env}
		if s.flag != "" {
			names = append(names, "--"+s.flag)
		}
		if s.secret {
			names = append(names, s.env+"_FILE")
			if strings.Contains(usage, "--"+strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(s.env, "SAMEN_"), "_", "-"))) {
				t.Errorf("usage offers a flag for secret %s", s.env)
			}
		}
		for _, n := range names {
			if !strings.Contains(usage, n) {
				t.Errorf("usage lacks %s", n)
			}
			if !strings.Contains(table, "`"+n+"`") {
				t.Errorf("table lacks %s", n)
			}
		}
	}
	if got, want := strings.Count(table, "\n"), len(rows())+2; got != want {
		t.Errorf("table has %d lines, want %d", got, want)
	}
	for _, line := range strings.Split(strings.TrimSpace(table), "\n") {
		if strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 5 {
			t.Errorf("malformed row %q", line)
		}
	}
	if strings.Contains(usage, "`") {
		t.Error("usage contains Markdown marks")
	}
}

// Every fixed default must pass its own check, or Load would panic.
func TestFixedDefaultsValid(t *testing.T) {
	for _, s := range settings {
		if s.derive == nil && s.def != "" {
			var c Config
			if err := s.set(&c, s.def); err != nil {
				t.Errorf("%s default %q: %v", s.env, s.def, err)
			}
		}
	}
}

// checkInvariants checks a successfully loaded Config with code independent
// of the parsers, so a parser bug is not confirmed by itself.
func checkInvariants(t *testing.T, c Config) {
	t.Helper()
	_, addrPort, err := net.SplitHostPort(c.Addr)
	if p, perr := strconv.ParseUint(addrPort, 10, 16); err != nil || perr != nil {
		t.Errorf("Addr %q: %v %v", c.Addr, err, perr)
	} else if u, err := url.Parse(c.BaseURL); err != nil {
		t.Errorf("BaseURL %q: %v", c.BaseURL, err)
	} else {
		if u.Scheme != "http" && u.Scheme != "https" || !u.IsAbs() || u.Hostname() == "" || u.User != nil ||
			u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(c.BaseURL, "?#") || strings.HasSuffix(c.BaseURL, "/") {
			t.Errorf("BaseURL %q is not a clean absolute http(s) URL", c.BaseURL)
		}
		if bp := u.Port(); bp != "" {
			n, err := strconv.ParseUint(bp, 10, 16)
			if err != nil || n == 0 && p != 0 {
				t.Errorf("BaseURL %q has a bad port", c.BaseURL)
			}
		}
		if (u.Scheme == "https") != c.Secure() {
			t.Errorf("Secure() = %v for %q", c.Secure(), c.BaseURL)
		}
	}
	if c.DataDir == "" || c.DataDir != filepath.Clean(c.DataDir) {
		t.Errorf("DataDir %q", c.DataDir)
	}
	switch {
	case strings.HasPrefix(c.DatabaseURL, "sqlite:"):
		if p := strings.TrimPrefix(strings.TrimPrefix(c.DatabaseURL, "sqlite:"), "//"); p == "" || strings.ContainsAny(p, "?#\x00") {
			t.Errorf("DatabaseURL %q", c.DatabaseURL)
		}
	case strings.HasPrefix(c.DatabaseURL, "postgres://"), strings.HasPrefix(c.DatabaseURL, "postgresql://"):
		if u, err := url.Parse(c.DatabaseURL); err != nil || u.Host == "" && u.Query().Get("host") == "" {
			t.Errorf("DatabaseURL %q", c.DatabaseURL)
		}
	default:
		t.Errorf("DatabaseURL %q", c.DatabaseURL)
	}
	if !oneOfStr(c.LogLevel, "debug", "info", "warn", "error") || !oneOfStr(c.LogFormat, "text", "json") ||
		!oneOfStr(c.SMTP.TLS, "starttls", "tls", "none") {
		t.Errorf("enums %q %q %q", c.LogLevel, c.LogFormat, c.SMTP.TLS)
	}
	for _, p := range c.TrustedProxies {
		if !p.IsValid() || p != p.Masked() {
			t.Errorf("proxy %v", p)
		}
	}
	if c.SMTP.Port < 1 || c.SMTP.Port > 65535 {
		t.Errorf("SMTP port %d", c.SMTP.Port)
	}
	if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
		t.Errorf("From %q: %v", c.SMTP.From, err)
	}
	if c.SMTP.TLS == "none" && c.SMTP.Host != "" && !isLocal(c.SMTP.Host) {
		t.Errorf("plain SMTP to %q", c.SMTP.Host)
	}
	if (c.MailMode == MailSMTP) != (c.SMTP.Host != "") || c.MailMode != MailSMTP && c.MailMode != MailLog {
		t.Errorf("MailMode %q with host %q", c.MailMode, c.SMTP.Host)
	}
	if n := count(c.OIDC.Issuer != "", c.OIDC.ClientID != "", c.OIDC.ClientSecret != ""); n != 0 && n != 3 {
		t.Errorf("half-configured OIDC %+v", c.OIDC)
	}
	if c.OIDC.Issuer != "" {
		u, err := url.Parse(c.OIDC.Issuer)
		if err != nil || !(u.Scheme == "https" || u.Scheme == "http" && isLocal(u.Hostname())) || u.Host == "" {
			t.Errorf("issuer %q", c.OIDC.Issuer)
		}
	}
}

func oneOfStr(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func count(bs ...bool) (n int) {
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// fuzzEnvs are the variables FuzzLoad sets; the _FILE ones are left out so
// the fuzzer cannot make Load read arbitrary files.
func fuzzEnvs() []string {
	var names []string
	for _, s := range settings {
		names = append(names, s.env)
	}
	return names
}

// FuzzLoad feeds arbitrary values, separated by NUL (which neither an
// environment variable nor a command-line argument can contain), into every
// variable and as flags.
func FuzzLoad(f *testing.F) {
	f.Add("", "")
	f.Add(":0\x00https://x.org/a/\x00/tmp/d\x00sqlite:x.db\x00on\x00DEBUG\x00json\x0010.0.0.0/8,::1\x00mail.example.org\x00tls\x00\x00u\x00pw\x00A <a@b.c>\x00https://id.example.org\x00cid\x00sec\x00Login",
		"--addr=[::1]:80\x00--smtp-host=\x00--demo\x00rest")
	f.Add("[::]:80\x00\x00a?b\x00postgres://u:p@h/db\x00x", "--base-url\x00http://[::1]:1/\x00-h")
	f.Add("0.0.0.0:8080\x00http://a_b.example.:80\x00.\x00\x00\x00\x00\x00\x00localhost\x00none", "--smtp-port=25")
	names := fuzzEnvs()
	f.Fuzz(func(t *testing.T, envBlob, argBlob string) {
		e := env{}
		for i, v := range strings.Split(envBlob, "\x00") {
			if i < len(names) {
				e[names[i]] = v
			}
		}
		var args []string
		if argBlob != "" {
			args = strings.Split(argBlob, "\x00")
		}
		c, rest, err := Load(args, e.get)
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if line == "" {
					t.Errorf("empty line in %q", err)
				}
			}
			// A secret shows through if it occurs more often than when a
			// different secret is given; mere occurrence proves nothing, as
			// the fuzzer also puts it in other values and it may be in the
			// fixed text.
			for _, name := range []string{"SAMEN_SMTP_PASSWORD", "SAMEN_OIDC_CLIENT_SECRET"} {
				secret := e[name]
				if secret == "" {
					continue
				}
				other := maps.Clone(e)
				other[name] = "\u2063"
				_, _, err2 := Load(args, other.get)
				if err2 == nil || strings.Count(err.Error(), secret) > strings.Count(err2.Error(), secret) {
					t.Errorf("%s %q echoed in %q", name, secret, err)
				}
			}
			return
		}
		if len(rest) > len(args) {
			t.Errorf("more positional args than args")
		}
		checkInvariants(t, c)
	})
}

func FuzzParseBaseURL(f *testing.F) {
	for _, s := range []string{"https://x.org", "http://[::1]:80/a//", "HTTP://X:/", "https://x.org/%2F", "https://x/a b", "http://1.2.3.4:65535"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := parseBaseURL(v)
		if err != nil {
			return
		}
		again, err := parseBaseURL(got)
		if err != nil || again != got {
			t.Errorf("%q -> %q -> %q, %v: not idempotent", v, got, again, err)
		}
		checkInvariants(t, Config{Addr: ":1", BaseURL: got, DataDir: "d", DatabaseURL: "sqlite:x", LogLevel: "info",
			LogFormat: "text", SMTP: SMTP{Port: 1, TLS: "tls", From: "a@b"}, MailMode: MailLog})
	})
}

func FuzzAddr(f *testing.F) {
	for _, s := range []string{":0", "127.0.0.1:8080", "[::]:80", "[fe80::1%25x]:1", "a.b.:1", "x:99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if _, _, err := splitAddr(v); err != nil {
			return
		}
		b := defaultBaseURL(v)
		u, err := url.Parse(b)
		if err != nil || !validHost(u.Hostname()) {
			t.Errorf("%q gives base URL %q: %v", v, b, err)
		}
	})
}

// FuzzShow checks that the password in user info never survives show.
func FuzzShow(f *testing.F) {
	f.Add("postgres", "user", "secret", "host/db")
	f.Add("", "user", "p@ss:word", "h")
	f.Fuzz(func(t *testing.T, scheme, user, secret, rest string) {
		if strings.ContainsAny(user+rest, "@:/?# <>\"") || strings.ContainsAny(secret, "/?# <>\"") || strings.ContainsAny(scheme, ":/?#@ <>\"") {
			return
		}
		prefix := ""
		if scheme != "" {
			prefix = scheme + "://"
		}
		got := show(prefix + user + ":" + secret + "@" + rest)
		if want := strconv.Quote(prefix + user + ":xxxxx@" + rest); got != want && !strings.HasPrefix(got, "(value hidden") {
			t.Errorf("show(%q) = %s, want %s", prefix+user+":"+secret+"@"+rest, got, want)
		}
	})
}

// tinyPMTiles is the smallest archive the map can use: one tile at zoom 0
// of the given type (1 mvt, 2 png; 0 unknown), with no compression.
func tinyPMTiles(tileType byte) []byte {
	root := []byte{1, 0, 1, 1, 1} // one entry: id 0, run 1, length 1, offset 0 (+1)
	h := make([]byte, 127)
	copy(h, "PMTiles\x03")
	le := func(at int, v uint64) {
		for i := range 8 {
			h[at+i] = byte(v >> (8 * i))
		}
	}
	le(8, 127)                           // root offset
	le(16, uint64(len(root)))            // root length
	le(24, 127+uint64(len(root)))        // metadata offset, length 0
	le(40, 127+uint64(len(root)))        // leaves offset, length 0
	le(56, 127+uint64(len(root)))        // tile data offset
	le(64, 1)                            // tile data length
	h[97], h[98], h[99] = 1, 1, tileType // none, none
	return append(append(h, root...), 'x')
}

func TestMapFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("basemap.pmtiles", tinyPMTiles(1))
	districts := write("stadsdelen.geojson", []byte(`{"type":"FeatureCollection","features":[]}`))

	c, err := load(t, []string{"--map-pmtiles", good}, env{"SAMEN_MAP_DISTRICTS": districts, "SAMEN_MAP_ATTRIBUTION": "© OpenStreetMap"})
	if err != nil {
		t.Fatal(err)
	}
	if c.MapPMTiles != good || c.MapDistricts != districts || c.MapTiles != "" {
		t.Errorf("config %+v", c)
	}
	if _, err := load(t, nil, env{"SAMEN_MAP_PMTILES": write("raster.pmtiles", tinyPMTiles(2))}); err != nil {
		t.Errorf("a raster archive: %v", err)
	}

	for _, tt := range []struct {
		name string
		env  env
		want []string
	}{
		{"missing", env{"SAMEN_MAP_PMTILES": filepath.Join(dir, "none.pmtiles")},
			[]string{"SAMEN_MAP_PMTILES (--map-pmtiles)", "none.pmtiles", "cannot read the file: no such file"}},
		{"a directory", env{"SAMEN_MAP_PMTILES": dir}, []string{"SAMEN_MAP_PMTILES", "not a regular file"}},
		{"not PMTiles", env{"SAMEN_MAP_PMTILES": districts}, []string{"SAMEN_MAP_PMTILES", "not a usable PMTiles file: not a PMTiles file"}},
		{"version 2", env{"SAMEN_MAP_PMTILES": write("v2.pmtiles", append([]byte("PM\x02"), make([]byte, 200)...))},
			[]string{"SAMEN_MAP_PMTILES", "PMTiles version 2"}},
		{"brotli", env{"SAMEN_MAP_PMTILES": write("br.pmtiles", func() []byte { b := tinyPMTiles(1); b[98] = 3; return b }())},
			[]string{"SAMEN_MAP_PMTILES", "unsupported compression of tiles"}},
		{"unknown tiles", env{"SAMEN_MAP_PMTILES": write("unknown.pmtiles", tinyPMTiles(0))},
			[]string{"SAMEN_MAP_PMTILES", "unknown type"}},
		{"both basemaps", env{"SAMEN_MAP_PMTILES": good, "SAMEN_MAP_TILES": "https://tiles.example.org/{z}/{x}/{y}.png"},
			[]string{"SAMEN_MAP_TILES (--map-tiles) and SAMEN_MAP_PMTILES (--map-pmtiles) are both set"}},
		{"districts missing", env{"SAMEN_MAP_DISTRICTS": filepath.Join(dir, "none.geojson")},
			[]string{"SAMEN_MAP_DISTRICTS (--map-districts)", "cannot read the file"}},
		{"districts a directory", env{"SAMEN_MAP_DISTRICTS": dir}, []string{"SAMEN_MAP_DISTRICTS", "not a regular file"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, nil, tt.env)
			if err == nil {
				t.Fatal("no error")
			}
			if lines := strings.Split(err.Error(), "\n"); len(lines) != 1 {
				t.Fatalf("want one problem, got %d:\n%v", len(lines), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
