package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"samen/internal/atlas"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/web/i18n"
)

// msgs are the pages' words, which the commands speak too.
var msgs = i18n.MustLoad()

// env builds a getenv that sees only the given variables, so a developer's
// own SAMEN_* settings cannot leak into a test.
func env(vars ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(vars); i += 2 {
		m[vars[i]] = vars[i+1]
	}
	return func(k string) string { return m[k] }
}

func samen(t *testing.T, getenv func(string) string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, getenv)
	return code, out.String(), errOut.String()
}

func TestVersionAndUsage(t *testing.T) {
	if code, out, _ := samen(t, env(), "", "version"); code != 0 || !strings.HasPrefix(out, "samen ") {
		t.Errorf("version: code %d, output %q", code, out)
	}
	if code, _, errOut := samen(t, env(), ""); code != 2 || !strings.Contains(errOut, "samen serve") {
		t.Errorf("no command: code %d, stderr %q; want usage and exit 2", code, errOut)
	}
	if code, _, errOut := samen(t, env(), "", "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: code %d, stderr %q", code, errOut)
	}
	if code, out, _ := samen(t, env(), "", "serve", "--help"); code != 0 || !strings.Contains(out, "SAMEN_DATABASE_URL") {
		t.Errorf("serve --help: code %d, output lacks the settings: %q", code, out)
	}
}

func TestBadSettingsStopWithAClearMessage(t *testing.T) {
	code, _, errOut := samen(t, env("SAMEN_ADDR", "localhost:80x"), "", "migrate")
	if code != 1 || !strings.Contains(errOut, "SAMEN_ADDR") {
		t.Errorf("code %d, stderr %q; want exit 1 naming SAMEN_ADDR", code, errOut)
	}
}

func TestMigrateUserAddAndBackup(t *testing.T) {
	dir := t.TempDir()
	e := env("SAMEN_DATA_DIR", dir)

	code, out, errOut := samen(t, e, "", "migrate")
	if code != 0 || !strings.Contains(out, "database is at version") {
		t.Fatalf("migrate: code %d, out %q, err %q", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "samen.db")); err != nil {
		t.Fatalf("migrate did not create the database in the data directory: %v", err)
	}

	code, out, errOut = samen(t, e, "a long steward password\n", "user", "add", "Ada@Example.org", "--role", "steward", "--name", "Ada")
	if code != 0 || !strings.Contains(out, "created ada@example.org (steward)") {
		t.Fatalf("user add: code %d, out %q, err %q", code, out, errOut)
	}
	// Settings flags may come before the address, too.
	code, _, errOut = samen(t, env(), "another long password\n", "user", "add", "--data-dir", dir, "bo@example.org")
	if code != 0 {
		t.Fatalf("user add with flags first: code %d, err %q", code, errOut)
	}
	// Refusals say what the pages say, in the terminal's language.
	code, _, errOut = samen(t, e, "a long steward password\n", "user", "add", "ada@example.org")
	if want := "email: " + msgs.T("en", "field.email.taken"); code != 1 || !strings.Contains(errOut, want) || strings.Contains(errOut, "email.taken") {
		t.Errorf("duplicate user add: code %d, err %q; want %q", code, errOut, want)
	}
	code, _, errOut = samen(t, env("SAMEN_DATA_DIR", dir, "LANG", "nl_NL.UTF-8"), "a long steward password\n", "user", "add", "ada@example.org")
	if want := "email: " + msgs.T("nl", "field.email.taken"); code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("duplicate user add in Dutch: code %d, err %q; want %q", code, errOut, want)
	}
	code, _, errOut = samen(t, e, "short\n", "user", "add", "cy@example.org")
	if want := "password: " + msgs.T("en", "field.password.too_short"); code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("weak password: code %d, err %q; want %q", code, errOut, want)
	}
	code, _, errOut = samen(t, e, "", "user", "add", "cy@example.org")
	if code != 1 || !strings.Contains(errOut, "standard input") {
		t.Errorf("no password: code %d, err %q; want a hint about standard input", code, errOut)
	}
	code, _, errOut = samen(t, e, "a long enough password\n", "user", "add", "cy@example.org", "--role", "king")
	if code != 1 || !strings.Contains(errOut, "--role") {
		t.Errorf("bad role: code %d, err %q", code, errOut)
	}

	backup := filepath.Join(t.TempDir(), "nightly", "samen.zip")
	code, out, errOut = samen(t, e, "", "backup", backup)
	if code != 0 || !strings.Contains(out, backup) || !strings.Contains(out, "of schema version") {
		t.Fatalf("backup: code %d, out %q, err %q", code, out, errOut)
	}
	// It holds password hashes and the outbox: its owner alone reads it,
	// and no half-written file is left beside it.
	if fi, err := os.Stat(backup); err != nil {
		t.Fatal(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode %v, want 0600", fi.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(backup), ".samen-backup-*")); len(left) > 0 {
		t.Errorf("temporary files left beside the backup: %v", left)
	}
	if code, _, errOut = samen(t, e, "", "backup", backup); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("backup over an existing file: code %d, err %q; want a refusal", code, errOut)
	}
	// Restored elsewhere, it is a working samen with both people in it.
	e2 := env("SAMEN_DATA_DIR", t.TempDir())
	if code, out, errOut = samen(t, e2, "", "restore", backup); code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore: code %d, out %q, err %q", code, out, errOut)
	}
	code, _, errOut = samen(t, e2, "a long enough password\n", "user", "add", "ada@example.org")
	if code != 1 || !strings.Contains(errOut, msgs.T("en", "field.email.taken")) {
		t.Errorf("the restored database does not know ada: code %d, err %q", code, errOut)
	}
	if code, _, errOut = samen(t, e2, "", "restore", backup); code != 1 || !strings.Contains(errOut, "new, empty database") {
		t.Errorf("a second restore into the same database: code %d, err %q; want a refusal", code, errOut)
	}
}

// server is a running "samen serve" inside the test process.
type server struct {
	url    string
	out    *syncBuffer // what it prints
	cancel context.CancelFunc
	done   chan int
}

var addrLine = regexp.MustCompile(`is running at (http://\S+)`)

// syncBuffer lets the test read what serve prints while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startServe(t *testing.T, getenv func(string) string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	s := &server{out: out, cancel: cancel, done: make(chan int, 1)}
	go func() {
		s.done <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), out, io.Discard, getenv)
	}()
	// Generous: --demo seeds every part first (the budget's paper ballots
	// are hundreds of transactions), slow on a busy runner's PostgreSQL.
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if m := addrLine.FindStringSubmatch(out.String()); m != nil {
			s.url = m[1]
			break
		}
		select {
		case code := <-s.done:
			t.Fatalf("serve exited with %d: %s", code, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if s.url == "" {
		t.Fatalf("serve printed no address: %s", out.String())
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop within 20s")
		}
	})
	return s
}

func TestServeDemoStartsAndStops(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, env("SAMEN_DATA_DIR", dir, "SAMEN_ADDR", "127.0.0.1:0"), "--demo")
	for _, path := range []string{"/", "/healthz", "/readyz", "/login"} {
		resp, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", path, resp.StatusCode)
		}
	}
	// A stop (SIGTERM, in main) drains and ends the workers within ten
	// seconds (issue 15).
	stopping := time.Now()
	s.cancel()
	if code := <-s.done; code != 0 {
		t.Errorf("serve exited with %d after a clean stop", code)
	}
	if took := time.Since(stopping); took > 10*time.Second {
		t.Errorf("stopping took %v, more than ten seconds", took)
	}
	s.done <- 0 // for the cleanup
}

// databaseURL is an empty database of the engine: a SQLite file of the
// test's own, or a PostgreSQL schema of its own (skipped without one).
func databaseURL(t *testing.T, engine store.Engine) string {
	t.Helper()
	if engine == store.Postgres {
		return storetest.PostgresURL(t)
	}
	return "sqlite:" + filepath.Join(t.TempDir(), "samen.db")
}

// TestSeveralProcessesShareOneDatabase runs two samen servers on one
// database, as behind a load balancer: a login made through one is valid on
// the other, because sessions live in the database.
func TestSeveralProcessesShareOneDatabase(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dbURL := databaseURL(t, engine)
			// Both share the data directory too (the demo's files), as
			// processes behind a load balancer share a volume.
			e := env("SAMEN_DATABASE_URL", dbURL, "SAMEN_ADDR", "127.0.0.1:0", "SAMEN_DATA_DIR", t.TempDir())
			a := startServe(t, e, "--demo")
			b := startServe(t, e)

			jar, _ := cookiejar.New(nil)
			client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			form := url.Values{"email": {"steward@example.org"}, "password": {"demo-steward-samen"}}
			resp, err := client.PostForm(a.url+"/login", form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login on the first process: %d", resp.StatusCode)
			}
			// Carry the session cookie to the second process (another port
			// on the same host, as a load balancer would present them).
			ua, _ := url.Parse(a.url)
			ub, _ := url.Parse(b.url)
			jar.SetCookies(ub, jar.Cookies(ua))
			resp, err = client.Get(b.url + "/api/v1/me")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "steward@example.org") {
				t.Fatalf("second process: %d %s; want the steward's account", resp.StatusCode, body)
			}
		})
	}
}

// Issue 15: with two processes on one database, initiatives imported with
// `samen import initiatives` (another process again, the CLI) are on both
// processes' maps within two seconds: a few by their times, thousands
// by the map's generation, which makes every process rebuild.
func TestImportsReachEveryProcessesMap(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dbURL := databaseURL(t, engine)
			e := env("SAMEN_DATABASE_URL", dbURL, "SAMEN_ADDR", "127.0.0.1:0", "SAMEN_DATA_DIR", t.TempDir())
			servers := []*server{startServe(t, e), startServe(t, e)}
			mapped := func(s *server) int {
				resp, err := http.Get(s.url + "/api/v1/clusters?bbox=3,50,7,54&zoom=3")
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var fc struct {
					Features []struct {
						Properties struct {
							Count int `json:"point_count"`
						} `json:"properties"`
					} `json:"features"`
				}
				if err := json.NewDecoder(resp.Body).Decode(&fc); err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, f := range fc.Features {
					n += max(f.Properties.Count, 1)
				}
				return n
			}
			for _, rows := range []int{3, atlas.MapRebuildAbove + 1} {
				var b strings.Builder
				b.WriteString("name,sectors,summary_nl,latitude,longitude,source,source_id\n")
				for i := range rows {
					fmt.Fprintf(&b, "Initiatief %d-%d,food,Samen eten.,%.5f,%.5f,test,%d-%d\n", rows, i, 52.3+float64(i%900)/10000, 4.8+float64(i%700)/5000, rows, i)
				}
				file := filepath.Join(t.TempDir(), "rows.csv")
				if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
					t.Fatal(err)
				}
				want := mapped(servers[0]) + rows
				if code, out, errOut := samen(t, e, "", "import", "initiatives", file); code != 0 {
					t.Fatalf("import of %d rows: %d %s %s", rows, code, out, errOut)
				}
				done := time.Now()
				for i, s := range servers {
					for mapped(s) != want {
						if time.Since(done) > 2*time.Second {
							t.Fatalf("%d rows: process %d maps %d points two seconds after the import, want %d", rows, i+1, mapped(s), want)
						}
						time.Sleep(50 * time.Millisecond)
					}
				}
			}
			for _, s := range servers {
				resp, err := http.Get(s.url + "/readyz")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("readyz after the imports: %d", resp.StatusCode)
				}
			}
		})
	}
}

// SAMEN_METRICS_ADDR serves /metrics on an address of its own, with the
// token when one is set; the site itself then answers 404 for it.
func TestMetricsOnAnAddressOfTheirOwn(t *testing.T) {
	const token = "a-long-metrics-token-for-prometheus"
	e := env("SAMEN_DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "samen.db"), "SAMEN_ADDR", "127.0.0.1:0",
		"SAMEN_DATA_DIR", t.TempDir(), "SAMEN_METRICS_ADDR", "127.0.0.1:0", "SAMEN_METRICS_TOKEN", token)
	s := startServe(t, e)
	var metrics string
	for deadline := time.Now().Add(5 * time.Second); metrics == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`metrics at (http://\S+/metrics)`).FindStringSubmatch(s.out.String()); m != nil {
			metrics = m[1]
		}
	}
	if metrics == "" {
		t.Fatalf("serve did not say where the metrics are: %s", s.out.String())
	}
	get := func(u, token string) int {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(metrics, token); got != http.StatusOK {
		t.Errorf("the metrics address with the token: %d", got)
	}
	if got := get(metrics, ""); got != http.StatusUnauthorized {
		t.Errorf("the metrics address without the token: %d", got)
	}
	if got := get(s.url+"/metrics", token); got != http.StatusNotFound {
		t.Errorf("/metrics on the site: %d", got)
	}
}
