package storagetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// test is one conformance case; it gets a fresh, empty store.
type test struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}

// Run runs the suite. newStore must return a new, empty store that no other
// test shares, and close it in t.Cleanup; cases run in parallel.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Pool", poolTests},
		{"Client", clientTests},
		{"User", userTests},
		{"Group", groupTests},
		{"ResourceServer", resourceServerTests},
		{"Domain", domainTests},
		{"SigningKey", signingKeyTests},
		{"AuthRequest", authRequestTests},
		{"Session", sessionTests},
		{"OAuthRecord", oauthTests},
		{"Family", familyTests},
		{"AuthEvent", eventTests},
		{"IdentityProvider", identityProviderTests},
		{"IdentityLink", identityLinkTests},
		{"Sweep", sweepTests},
		{"Tx", txTests},
		{"Concurrency", concurrencyTests},
		{"Lifecycle", lifecycleTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.fn(t, newStore(t))
				})
			}
		})
	}
}

// t0 is the suite's clock: nanoseconds set, so a store that rounds shows it.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// tNow carries a monotonic reading, which a store cannot keep.
var tNow = time.Now()

// at returns t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// wantErr fails t unless err is nil when target is nil, else errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	switch {
	case target == nil && err != nil:
		t.Fatalf("%s: unexpected error: %v", what, err)
	case target != nil && !errors.Is(err, target):
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

// must fails t on a non-nil err.
func must(t *testing.T, what string, err error) {
	t.Helper()
	wantErr(t, what, err, nil)
}

// of pairs a getter's results so that one line can check them:
// of(s.GetPool(ctx, id)).must(t, "get pool").
func of[T any](v T, err error) result[T] { return result[T]{v, err} }

type result[T any] struct {
	v   T
	err error
}

// must returns the value, failing t on an error.
func (r result[T]) must(t *testing.T, what string) T {
	t.Helper()
	wantErr(t, what, r.err, nil)
	return r.v
}

// ctxOf is the test's context with a deadline, so a store that deadlocks
// fails the case instead of hanging the run.
func ctxOf(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
