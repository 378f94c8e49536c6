package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"samen/internal/account"
	"samen/internal/decide"
	"samen/internal/store"
	"samen/internal/store/storetest"
	"samen/internal/workspace"
)

// Voting under load (issue 13, "500 concurrent ballots: count equals
// voters on both databases"): a workspace of 500 members votes at the
// same moment through the HTTP API, each with their own token, some
// sending their ballot twice at once.

// ballotLoad is a workspace of voters on a running server.
type ballotLoad struct {
	s      *site
	core   *account.User
	slug   string
	tokens []string
	client *http.Client
}

func newBallotLoad(t testing.TB, db *store.DB, voters int, opts ...siteOption) *ballotLoad {
	t.Helper()
	ctx := context.Background()
	s := newSite(t, db, opts...)
	core, err := s.Accounts.Add(ctx, account.NewUser{Email: "core@example.org", Name: "Core", Password: goodPassword, Role: account.Member})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := s.Parts.Workspaces.Create(ctx, &core, workspace.Draft{Name: "Grote coöperatie"})
	if err != nil {
		t.Fatal(err)
	}
	l := &ballotLoad{s: s, core: &core, slug: ws.Slug}
	l.tokens = s.apiVoters(t, "voter", voters, ws.Slug, workspace.Members)
	// One connection per request, as many voters' browsers and scripts
	// would open, none of them kept waiting by the client.
	l.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * voters, MaxIdleConns: 2 * voters}, Timeout: time.Minute}
	t.Cleanup(l.client.CloseIdleConnections)
	return l
}

// vote opens a ranked vote of four options among the members and returns
// its id and its options.
func (l *ballotLoad) vote(t testing.TB, secrecy decide.Secrecy) (int64, []int64) {
	t.Helper()
	ctx := context.Background()
	dec := l.s.Parts.Decisions
	d, err := dec.Create(ctx, l.core, l.slug, decide.DraftDecision{Title: "Waar gaan we heen?", Language: "nl", Method: decide.Schulze,
		Secrecy: secrecy, Circles: []workspace.Circle{workspace.Core, workspace.Members}, ClosesAt: decide.Local(time.Now().Add(24 * time.Hour)),
		Options: []decide.DraftOption{{Label: "Zee"}, {Label: "Bos"}, {Label: "Hei"}, {Label: "Stad"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := dec.OpenVoting(ctx, l.core, d.ID); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, o := range d.Options {
		ids = append(ids, o.ID)
	}
	return d.ID, ids
}

// answer is what one ballot request got.
type answer struct {
	voter  int
	status int
	code   string // the problem's, for an error
	took   time.Duration
	err    error
}

// burst has every voter cast a ballot on decision id at the same moment,
// and those for whom twice says so a second one beside it.
func (l *ballotLoad) burst(t testing.TB, id int64, options []int64, twice func(voter int) bool) []answer {
	t.Helper()
	type request struct {
		voter int
		req   *http.Request
	}
	var reqs []request
	url := l.s.HTTP.URL + "/api/v1/decisions/" + strconv.FormatInt(id, 10) + "/ballot"
	for i, tok := range l.tokens {
		// A ranking that differs from voter to voter.
		order := slices.Clone(options)
		for j := range order {
			k := (i*7 + j*3) % len(order)
			order[j], order[k] = order[k], order[j]
		}
		var parts []string
		for rank, o := range order[:1+i%len(order)] {
			parts = append(parts, `"`+strconv.FormatInt(o, 10)+`": `+strconv.Itoa(rank+1))
		}
		body := `{"values": {` + strings.Join(parts, ", ") + `}}`
		n := 1
		if twice(i) {
			n = 2
		}
		for range n {
			req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			reqs = append(reqs, request{i, req})
		}
	}
	out := make([]answer, len(reqs))
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	for k, rq := range reqs {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			began := time.Now()
			a := answer{voter: rq.voter}
			resp, err := l.client.Do(rq.req)
			if err != nil {
				a.err = err
				out[k] = a
				return
			}
			defer resp.Body.Close()
			a.status, a.took = resp.StatusCode, time.Since(began)
			if resp.StatusCode >= 400 {
				var e struct {
					Error struct{ Code string } `json:"error"`
				}
				_ = json.NewDecoder(resp.Body).Decode(&e)
				a.code = e.Error.Code
			}
			out[k] = a
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return out
}

// count reads an integer from the database.
func (l *ballotLoad) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := l.s.DB.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Five hundred members vote at once, one in ten sending the same ballot
// twice at the same moment: on a secret vote each second ballot is
// refused as a conflict, on an open one it is counted as a change; either
// way every voter has exactly one ballot that counts, nothing is lost and
// nothing answers 5xx.
func TestFiveHundredVoteAtOnce(t *testing.T) {
	t.Parallel()
	const voters = 500
	twice := func(i int) bool { return i%10 == 3 }
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := newBallotLoad(t, db, voters)
		core := l.s.script(l.s.tokenFor("core@example.org"), "en")
		for _, secrecy := range []decide.Secrecy{decide.Anonymous, decide.Open} {
			id, options := l.vote(t, secrecy)
			began := time.Now()
			answers := l.burst(t, id, options, twice)
			took := time.Since(began)
			statuses := map[string]int{}
			perVoter := map[int]int{}
			for _, a := range answers {
				switch {
				case a.err != nil:
					t.Errorf("%s: voter %d: %v", secrecy, a.voter, a.err)
				case a.status == http.StatusNoContent:
					perVoter[a.voter]++
				case a.status >= 500:
					t.Errorf("%s: voter %d: %d", secrecy, a.voter, a.status)
				}
				statuses[strconv.Itoa(a.status)+" "+a.code]++
			}
			dupes := voters / 10
			want := map[string]int{"204 ": voters, "409 decide.already_voted": dupes}
			if secrecy == decide.Open {
				want = map[string]int{"204 ": voters + dupes} // a second ballot is a change
			}
			if !mapsEqual(statuses, want) {
				t.Errorf("%s: answers %v, want %v", secrecy, statuses, want)
			}
			if len(perVoter) != voters {
				t.Errorf("%s: %d voters heard their ballot counts, want %d", secrecy, len(perVoter), voters)
			}
			// The store: one voter row and one counting ballot each.
			d := strconv.FormatInt(id, 10)
			got := map[string]int{
				"voters":   l.count(t, `SELECT COUNT(*) FROM decision_voters WHERE decision_id = ?`, id),
				"counting": l.count(t, `SELECT COUNT(*) FROM decision_ballots WHERE decision_id = ? AND superseded_at IS NULL`, id),
				"stored":   l.count(t, `SELECT COUNT(*) FROM decision_ballots WHERE decision_id = ?`, id),
				"versions": l.count(t, `SELECT COALESCE(SUM(versions), 0) FROM decision_voters WHERE decision_id = ?`, id),
			}
			want = map[string]int{"voters": voters, "counting": voters, "stored": voters, "versions": voters}
			if secrecy == decide.Open {
				want["stored"], want["versions"] = voters+dupes, voters+dupes
			}
			if !mapsEqual(got, want) {
				t.Errorf("%s: the store holds %v, want %v", secrecy, got, want)
			}
			// The API counts every voter once.
			var v struct {
				Cast   int `json:"cast"`
				Result struct {
					Ballots int `json:"ballots"`
				} `json:"result"`
			}
			core.call(http.MethodGet, "/decisions/"+d, "").JSON(t, &v)
			if v.Cast != voters || v.Result.Ballots != voters {
				t.Errorf("%s: the decision says %d cast, %d counted; want %d", secrecy, v.Cast, v.Result.Ballots, voters)
			}
			t.Logf("%s: %d ballots (%d twice) in %v", secrecy, len(answers), dupes, took.Round(time.Millisecond))
		}
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// BenchmarkBallots500 measures 500 members casting a ranked secret ballot
// at the same moment through the HTTP API, each with their own token and
// connection, on each engine (PostgreSQL with SAMEN_TEST_DATABASE_URL).
// It reports ballots per second over the burst and the latency of one
// ballot (p50-ms, p99-ms); run it with -benchtime=3x or so, since one
// iteration is one burst of 500.
func BenchmarkBallots500(b *testing.B) {
	const voters = 500
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var db *store.DB
			if engine == "postgres" {
				db = storetest.Postgres(b)
			} else {
				db = storetest.SQLite(b)
			}
			l := newBallotLoad(b, db, voters, quiet)
			var lat []time.Duration
			var total time.Duration
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				id, options := l.vote(b, decide.Anonymous)
				b.StartTimer()
				began := time.Now()
				answers := l.burst(b, id, options, func(int) bool { return false })
				total += time.Since(began)
				for _, a := range answers {
					if a.err != nil || a.status != http.StatusNoContent {
						b.Fatalf("voter %d: %d %s %v", a.voter, a.status, a.code, a.err)
					}
					lat = append(lat, a.took)
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(len(lat))/total.Seconds(), "ballots/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
