package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"samen/internal/store"
)

// TestMain lets the test binary be samen itself, for the drills that need
// a real process to kill: with SAMEN_TEST_RUN_AS_SAMEN=1 it runs main.
func TestMain(m *testing.M) {
	if os.Getenv("SAMEN_TEST_RUN_AS_SAMEN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// startProcess runs `samen serve --demo` as a process of its own and
// returns its address once it serves.
func startProcess(t *testing.T, environ []string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--demo")
	cmd.Env = environ
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := addrLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		return cmd, u
	case <-time.After(3 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("samen did not start within three minutes: after a kill -9, the database must still open")
	}
	return nil, ""
}

// Issue 15: kill -9 during writes never loses an acknowledged write and
// never leaves the database unable to start. Five times: gifts are posted
// through the API by eight clients at once, the process is killed with
// SIGKILL in the middle, and started again on the same database; at the
// end every gift the API answered 201 for is in the database.
func TestKillNineLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("a drill of five kills")
	}
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dbURL := databaseURL(t, engine)
			environ := append(os.Environ(), "SAMEN_TEST_RUN_AS_SAMEN=1", "SAMEN_DATABASE_URL="+dbURL, "SAMEN_ADDR=127.0.0.1:0",
				"SAMEN_DATA_DIR="+t.TempDir(), "SAMEN_LOG_LEVEL=error")
			var (
				mu    sync.Mutex
				acked []int64
			)
			idOf := regexp.MustCompile(`"id":\s*(\d+)`)
			for round := range 5 {
				cmd, base := startProcess(t, environ)
				var list struct {
					Campaigns []struct {
						ID    int64  `json:"id"`
						State string `json:"state"`
					} `json:"campaigns"`
				}
				resp, err := http.Get(base + "/api/v1/campaigns")
				if err != nil {
					t.Fatal(err)
				}
				err = json.NewDecoder(resp.Body).Decode(&list)
				resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				var running int64
				for _, c := range list.Campaigns {
					if c.State == "running" {
						running = c.ID
					}
				}
				if running == 0 {
					t.Fatal("the demo has no running campaign")
				}
				ctx, stop := context.WithCancel(context.Background())
				var wg sync.WaitGroup
				for w := range 8 {
					wg.Go(func() {
						for i := 0; ctx.Err() == nil; i++ {
							body := fmt.Sprintf(`{"cents": %d, "email": "drill-%d-%d-%d@example.org", "name": "Drill", "method": "demo"}`, 100+i, round, w, i)
							req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/campaigns/"+strconv.FormatInt(running, 10)+"/contributions",
								strings.NewReader(body))
							req.Header.Set("Content-Type", "application/json")
							resp, err := http.DefaultClient.Do(req)
							if err != nil {
								return // killed
							}
							answer, _ := io.ReadAll(resp.Body)
							resp.Body.Close()
							if resp.StatusCode != http.StatusCreated {
								continue
							}
							if m := idOf.FindSubmatch(answer); m != nil {
								id, _ := strconv.ParseInt(string(m[1]), 10, 64)
								mu.Lock()
								acked = append(acked, id)
								mu.Unlock()
							}
						}
					})
				}
				time.Sleep(time.Duration(400+round*150) * time.Millisecond)
				if err := cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				_ = cmd.Wait()
				stop()
				wg.Wait()
			}
			// It starts once more, and every acknowledged gift is there.
			cmd, _ := startProcess(t, environ)
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			if len(acked) < 20 {
				t.Fatalf("only %d gifts were acknowledged in five rounds: the drill did not write", len(acked))
			}
			db, err := store.Open(context.Background(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			missing := 0
			for _, id := range acked {
				var n int
				if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM fund_contributions WHERE id = ?`, id).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != 1 {
					missing++
				}
			}
			if missing > 0 {
				t.Errorf("%d of %d acknowledged gifts are lost after five kills", missing, len(acked))
			}
			t.Logf("%s: %d acknowledged gifts, all kept through five kill -9", engine, len(acked))
		})
	}
}
