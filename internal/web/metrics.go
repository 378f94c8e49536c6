package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"samen/internal/mail"
)

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newMetrics sets up a registry of samen's own (not the global one, so tests
// can build many servers). Labels use the route pattern, never the raw path,
// so ids in URLs cannot blow up the number of series.
func newMetrics(s *Server) *metrics {
	m := &metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "samen_http_requests_total",
		Help: "HTTP requests by route pattern and status code.",
	}, []string{"route", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "samen_http_request_duration_seconds",
		Help:    "Time to answer HTTP requests, by route pattern.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route"})
	pending := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "samen_mail_outbox_pending",
		Help: "Mails waiting in the outbox to be delivered.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := mail.Pending(ctx, s.db)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	mapPoints := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "samen_atlas_map_points",
		Help: "Initiatives in this process's map index.",
	}, func() float64 { return float64(s.atlas.Map.Len()) })
	waiting := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "samen_atlas_moderation_waiting",
		Help: "Revisions and reports waiting for moderators.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		revisions, reports, _, err := s.atlas.QueueSize(ctx)
		if err != nil {
			return -1
		}
		return float64(revisions + reports)
	})
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "samen_build_info",
		Help:        "Always 1; labels say which samen and which database engine.",
		ConstLabels: prometheus.Labels{"version": s.opts.Version, "engine": string(s.db.Engine())},
	})
	info.Set(1)
	m.registry.MustRegister(m.requests, m.duration, pending, mapPoints, waiting, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(s.db.SQL(), string(s.db.Engine())))
	return m
}

func (m *metrics) instrument(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// metricsPage: GET /metrics on the site, unless the metrics have an
// address of their own.
func (s *Server) metricsPage(w http.ResponseWriter, r *http.Request) error {
	if s.opts.MetricsElsewhere {
		return problemNotFound
	}
	s.MetricsHandler().ServeHTTP(w, r)
	return nil
}

// MetricsHandler serves the metrics in Prometheus's text format, to a
// request with the bearer token when one is configured: what a site
// counts (requests, logins, mail) is for its operators.
func (s *Server) MetricsHandler() http.Handler {
	prom := promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if want := s.opts.MetricsToken; want != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "a bearer token is needed for /metrics", http.StatusUnauthorized)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		prom.ServeHTTP(w, r)
	})
}
