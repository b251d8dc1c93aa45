package federationtest

import (
	"net/http"
	"sync/atomic"
)

// Fault makes an upstream misbehave, for the negative tests.
type Fault int

const (
	// NoFault: the upstream behaves.
	NoFault Fault = iota
	// FaultBadSignature: tokens or assertions are signed with a key the
	// upstream does not publish.
	FaultBadSignature
	// FaultDown: every request is answered by closing the connection.
	FaultDown
	// FaultExpired: ID tokens and assertions are issued already expired.
	FaultExpired
)

// Upstream is what the conformance suite needs of a test upstream.
type Upstream interface {
	SetFault(Fault)
}

type faultSwitch struct{ v atomic.Int32 }

func (f *faultSwitch) SetFault(x Fault) { f.v.Store(int32(x)) }
func (f *faultSwitch) fault() Fault     { return Fault(f.v.Load()) }

// wrap answers with a closed connection while the fault is FaultDown.
func (f *faultSwitch) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.fault() == FaultDown {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		h.ServeHTTP(w, r)
	})
}
