package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"samen/internal/atlas"
	"samen/internal/mapindex"
)

// The load part of `samen bench atlas`: many visitors at once, rather than
// one request after another. vegeta (a load generator made for this, used
// as a library) runs a closed loop: each of n clients sends its next
// request as soon as its last is answered, for a while, over a mix of what
// visitors do on the atlas.

// loadKinds are the requests of the mix, in the share of a visit each has.
var loadKinds = []struct {
	name  string
	share int // out of 10
}{
	{"map clusters", 4},
	{"search API", 3},
	{"directory page", 3},
}

// loadTarget picks a request of the mix; safe for vegeta's workers to call
// at once (math/rand/v2's top-level functions are).
func loadTarget(base string) vegeta.Targeter {
	word := func() string { return benchWords[rand.IntN(len(benchWords))] }
	return func(t *vegeta.Target) error {
		t.Method = http.MethodGet
		t.Header = http.Header{"Accept-Encoding": {"gzip"}}
		switch n := rand.IntN(10); {
		case n < 4:
			lon, lat := -10+rand.Float64()*40, 36+rand.Float64()*28
			zoom := 3 + rand.Float64()*13
			v := mapindex.Viewport(lon, lat, zoom, 1280, 800)
			t.URL = fmt.Sprintf("%s/api/v1/clusters?bbox=%f,%f,%f,%f&zoom=%.2f", base, v.MinLon, v.MinLat, v.MaxLon, v.MaxLat, zoom)
		case n < 7:
			t.URL = base + "/api/v1/initiatives?limit=20&q=" + word()
		default:
			switch rand.IntN(3) {
			case 0:
				t.URL = base + "/atlas"
			case 1:
				t.URL = base + "/atlas?sector=" + atlas.Sectors[rand.IntN(len(atlas.Sectors))]
			default:
				t.URL = base + "/atlas?q=" + word()
			}
		}
		return nil
	}
}

// loadKind names the part of the mix a request belongs to.
func loadKind(url string) string {
	switch {
	case strings.Contains(url, "/api/v1/clusters"):
		return loadKinds[0].name
	case strings.Contains(url, "/api/v1/initiatives"):
		return loadKinds[1].name
	}
	return loadKinds[2].name
}

// load runs the mix against base with clients at once for d, and says
// what came of it: throughput, latencies per kind, every error, and the
// process's peak heap meanwhile (the server and the clients share it).
// It returns an error when any request failed.
func (b *atlasBench) load(base string, clients int, d time.Duration) error {
	attacker := vegeta.NewAttacker(
		vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(uint64(clients)),
		vegeta.Connections(clients), vegeta.KeepAlive(true), vegeta.Timeout(time.Minute))
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	var all vegeta.Metrics
	kinds := map[string]*vegeta.Metrics{}
	for res := range attacker.Attack(loadTarget(base), vegeta.Rate{Freq: 0}, d, fmt.Sprintf("%d clients", clients)) {
		all.Add(res)
		k := loadKind(res.URL)
		if kinds[k] == nil {
			kinds[k] = &vegeta.Metrics{}
		}
		kinds[k].Add(res)
	}
	close(stop)
	<-sampled
	all.Close()
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	b.say("load, %d clients for %s: %d requests, %.0f answered a second, %.2f%% answered 2xx; peak heap %.0f MB",
		clients, d, all.Requests, all.Throughput, all.Success*100, float64(peak.Load())/(1<<20))
	for _, k := range loadKinds {
		m := kinds[k.name]
		if m == nil {
			continue
		}
		m.Close()
		b.say("  %-15s %6d requests, p50 %s, p99 %s, max %s", k.name, m.Requests, ms(m.Latencies.P50), ms(m.Latencies.P99), ms(m.Latencies.Max))
	}
	if all.Success < 1 {
		codes := make([]string, 0, len(all.StatusCodes))
		for c, n := range all.StatusCodes {
			codes = append(codes, fmt.Sprintf("%s×%d", c, n))
		}
		sort.Strings(codes)
		return fmt.Errorf("%d clients: %.2f%% of requests failed (status %s): %s",
			clients, (1-all.Success)*100, strings.Join(codes, ", "), strings.Join(all.Errors, "; "))
	}
	return nil
}
