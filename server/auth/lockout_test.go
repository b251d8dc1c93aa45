package auth_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
)

func TestLockoutDelay(t *testing.T) {
	tests := []struct {
		n    int
		want time.Duration
	}{
		{n: -1, want: 0},
		{n: 0, want: 0},
		{n: 4, want: 0},
		{n: 5, want: time.Second},
		{n: 6, want: 2 * time.Second},
		{n: 7, want: 4 * time.Second},
		{n: 8, want: 8 * time.Second},
		{n: 14, want: 512 * time.Second},
		{n: 15, want: 15 * time.Minute}, // 1024 s, capped
		{n: 25, want: 15 * time.Minute},
		{n: 26, want: 15 * time.Minute},
		{n: 70, want: 15 * time.Minute}, // a shift that would overflow
		{n: 1 << 30, want: 15 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			if got := auth.LockoutDelay(tt.n); got != tt.want {
				t.Fatalf("LockoutDelay(%d) = %v, want %v", tt.n, got, tt.want)
			}
		})
	}
}

func TestLockout(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, nil)
	u := s.user(t, pool, directory.NewUser{Username: "lou"})
	const exceeded = "Password attempts exceeded"

	// Five failures: each answered as a wrong password; the fifth locks.
	for i := 1; i <= auth.FreeAttempts; i++ {
		_, err := s.signIn(pool, client, "lou", "wrong")
		wantErr(t, err, directory.KindNotAuthorized, "Incorrect username or password.")
		got := s.reload(t, u)
		if got.FailedSignIns != i {
			t.Fatalf("after %d failures the counter is %d", i, got.FailedSignIns)
		}
		if locked := !got.LockedUntil.IsZero(); locked != (i == auth.FreeAttempts) {
			t.Fatalf("after %d failures locked until %v", i, got.LockedUntil)
		}
	}
	// Locked: even the right password is refused, and not counted.
	_, err := s.signIn(pool, client, "lou", goodPassword)
	wantErr(t, err, directory.KindNotAuthorized, exceeded)
	if got := s.reload(t, u); got.FailedSignIns != auth.FreeAttempts || !got.LockedUntil.Equal(s.clock.Now().Add(time.Second)) {
		t.Fatalf("lock %+v", got)
	}
	events, _ := s.store.ListAuthEvents(ctx, pool.ID, u.Sub, 10)
	reasons := map[string]int{}
	for _, ev := range events {
		if ev.Response != "Fail" {
			t.Fatalf("event %+v", ev)
		}
		reasons[ev.Reason]++
	}
	if len(events) != auth.FreeAttempts+1 || reasons["wrong password"] != auth.FreeAttempts || reasons["locked out"] != 1 {
		t.Fatalf("events by reason: %v", reasons)
	}

	// The lock expires with the clock; each further failure doubles it.
	for n := auth.FreeAttempts + 1; n <= 16; n++ {
		s.clock.Add(auth.LockoutDelay(n - 1))
		_, err := s.signIn(pool, client, "lou", "wrong")
		wantErr(t, err, directory.KindNotAuthorized, "Incorrect username or password.")
		got := s.reload(t, u)
		if d := got.LockedUntil.Sub(s.clock.Now()); got.FailedSignIns != n || d != auth.LockoutDelay(n) {
			t.Fatalf("failure %d: counter %d, locked for %v, want %v", n, got.FailedSignIns, d, auth.LockoutDelay(n))
		}
		// Just before the end of the lock, the right password is refused.
		s.clock.Add(auth.LockoutDelay(n) - time.Millisecond)
		_, err = s.signIn(pool, client, "lou", goodPassword)
		wantErr(t, err, directory.KindNotAuthorized, exceeded)
		s.clock.Add(-(auth.LockoutDelay(n) - time.Millisecond))
	}
	if got := s.reload(t, u); got.LockedUntil.Sub(s.clock.Now()) != auth.MaxLockout {
		t.Fatalf("lock not capped: until %v", got.LockedUntil)
	}

	// Once the lock ends the right password works and resets the counter.
	s.clock.Add(auth.MaxLockout)
	step, err := s.signIn(pool, client, "lou", goodPassword)
	if err != nil || step.Done == nil {
		t.Fatalf("after the lock: %+v, %v", step, err)
	}
	got := s.reload(t, u)
	if got.FailedSignIns != 0 || !got.LockedUntil.IsZero() {
		t.Fatalf("counter not reset: %d, %v", got.FailedSignIns, got.LockedUntil)
	}
	// And a single failure no longer locks.
	_, err = s.signIn(pool, client, "lou", "wrong")
	wantErr(t, err, directory.KindNotAuthorized, "Incorrect username or password.")
	if _, err := s.signIn(pool, client, "lou", goodPassword); err != nil {
		t.Fatalf("one failure after a reset locked: %v", err)
	}
}

// TestLockoutSuccessResets: four failures then a success start the count
// again, so four more failures do not lock.
func TestLockoutSuccessResets(t *testing.T) {
	s := newAuthStack(t)
	pool := s.pool(t, nil)
	client := s.client(t, pool, nil)
	s.user(t, pool, directory.NewUser{Username: "sam"})
	for range 2 {
		for range auth.FreeAttempts - 1 {
			if _, err := s.signIn(pool, client, "sam", "wrong"); err == nil {
				t.Fatal("wrong password accepted")
			}
		}
		if _, err := s.signIn(pool, client, "sam", goodPassword); err != nil {
			t.Fatalf("locked before %d failures: %v", auth.FreeAttempts, err)
		}
	}
}

// TestLockoutConcurrent: failures made in parallel are all counted (the
// counter is read and written in one transaction), except those refused
// by a lock another one set.
func TestLockoutConcurrent(t *testing.T) {
	s := newAuthStack(t)
	pool := s.pool(t, nil)
	client := s.client(t, pool, nil)
	u := s.user(t, pool, directory.NewUser{Username: "pat"})
	const n = 12
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := s.signIn(pool, client, "pat", "wrong")
			errs <- err
		}()
	}
	exceeded := 0
	for range n {
		err := <-errs
		var e *directory.Error
		if err == nil || !errors.As(err, &e) || e.Kind != directory.KindNotAuthorized {
			t.Fatalf("parallel failure: %v", err)
		}
		if e.Msg == "Password attempts exceeded" {
			exceeded++
		}
	}
	if got := s.reload(t, u); got.FailedSignIns+exceeded != n || got.FailedSignIns < auth.FreeAttempts {
		t.Fatalf("%d failures counted, %d refused as locked, of %d", got.FailedSignIns, exceeded, n)
	}
}
