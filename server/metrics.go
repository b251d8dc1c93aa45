package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus series: requests and latency per
// route pattern (never the raw path, which holds ids), sign-in outcomes.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	signIns  *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_http_requests_total",
			Help: "HTTP requests by route and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gatehouse_http_request_duration_seconds",
			Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"route"}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_sign_ins_total",
			Help: "Sign-in steps by flow and outcome (success, challenge, failure, locked)."}, []string{"flow", "outcome"}),
	}
	reg.MustRegister(m.requests, m.latency, m.signIns,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observeSignIn(_, flow, outcome string) {
	m.signIns.WithLabelValues(flow, outcome).Inc()
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware records metrics and a structured log line per request, and
// turns a panic into a 500 without a stack trace on the wire.
func (m *metrics) middleware(mux *http.ServeMux, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			// The mux sets the request's Pattern as it routes it: one
			// routing per request, not a second one for the label.
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if p := recover(); p != nil {
				logger.Error("panic", "route", route, "panic", p)
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			d := time.Since(start)
			m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
			m.latency.WithLabelValues(route).Observe(d.Seconds())
			logger.Debug("request", "route", route, "status", sw.status, "duration", d)
		}()
		mux.ServeHTTP(sw, r)
	})
}

// writeStats is what a store that counts its writes offers (sqlstore).
type writeStats interface {
	WriteStats() (txs, stmts uint64)
	WriteCPU() time.Duration
}

// registerStoreMetrics exports the store's write counters, so a load test
// can read how many writes each request path makes from /metrics.
func registerStoreMetrics(reg *prometheus.Registry, store any) {
	ws, ok := store.(writeStats)
	if !ok {
		return
	}
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gatehouse_db_writes_total",
			Help: "Database write transactions committed (a write statement outside a transaction counts as one)."},
			func() float64 { txs, _ := ws.WriteStats(); return float64(txs) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gatehouse_db_write_statements_total",
			Help: "Database write statements executed."},
			func() float64 { _, stmts := ws.WriteStats(); return float64(stmts) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gatehouse_db_write_cpu_seconds_total",
			Help: "Thread CPU time of the write transactions' write statements and commits."},
			func() float64 { return ws.WriteCPU().Seconds() }))
}

// registerWorkMetrics exports the count and CPU time of the work that
// bounds the hot paths (RS256 signatures, password hashes, SRP exchanges),
// measured as the server does it: a load test divides a path's CPU by
// these to say how close to the bare work it runs.
func registerWorkMetrics(reg *prometheus.Registry, works map[string]func() (int64, time.Duration)) {
	for name, stats := range works {
		what := strings.ReplaceAll(name, "_", " ")
		reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gatehouse_" + name + "_total",
				Help: "Count of " + what + "."},
				func() float64 { n, _ := stats(); return float64(n) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gatehouse_" + name + "_cpu_seconds_total",
				Help: "Thread CPU time of the " + what + "."},
				func() float64 { _, d := stats(); return d.Seconds() }))
	}
}
