package server

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The sweep of expired rows: every sweepEvery, batches of sweepBatch rows
// per table, so that the writer is never held for long.
const (
	sweepEvery = 10 * time.Minute
	sweepBatch = 1000
)

// swept counts the rows the sweeps deleted, for /metrics.
type swept struct{ rows atomic.Int64 }

func (sw *swept) register(reg *prometheus.Registry) {
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gatehouse_expired_rows_deleted_total",
		Help: "Expired authorize requests, SSO sessions and OAuth records deleted by the sweep."},
		func() float64 { return float64(sw.rows.Load()) }))
}

// SweepExpired deletes every row whose life is over (parked authorize
// requests, SSO sessions, codes and refresh tokens), a batch at a time, and
// returns how many it deleted. Serve runs it every ten minutes.
func (s *Server) SweepExpired(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		n, err := s.Store.DeleteExpired(ctx, s.cfg.Now(), sweepBatch)
		total += n
		s.swept.rows.Add(int64(n))
		if err != nil || n == 0 {
			return total, err
		}
	}
	return total, ctx.Err()
}

// sweep runs SweepExpired every sweepEvery until ctx ends.
func (s *Server) sweep(ctx context.Context) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := s.SweepExpired(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.cfg.Logger.Warn("sweep of expired rows", "deleted", n, "err", err)
		case n > 0:
			s.cfg.Logger.Info("sweep of expired rows", "deleted", n)
		}
	}
}
