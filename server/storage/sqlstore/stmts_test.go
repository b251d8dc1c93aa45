package sqlstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// authEvent is an auth event of a pool's user, made now.
func authEvent(pool, sub, id string) *storage.AuthEvent {
	return &storage.AuthEvent{PoolID: pool, ID: id, Sub: sub, CreatedAt: time.Now()}
}

// TestStatementsPreparedOnce: a read prepares its statement at its first
// call and reuses it; a statement first met inside a transaction (which
// holds the writer's only connection) runs unprepared without waiting
// for that connection, and is prepared once the transaction has ended.
func TestStatementsPreparedOnce(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := t.Context()
	ev := func(id string) *storage.AuthEvent { return authEvent("us-east-1_S", "s", id) }
	done := make(chan error, 1)
	go func() {
		done <- s.InTx(ctx, func(ctx context.Context) error {
			if len(s.wstmts.m) != 0 {
				return fmt.Errorf("writer statements before any write: %d", len(s.wstmts.m))
			}
			if err := s.CreateAuthEvent(ctx, ev("a")); err != nil {
				return err
			}
			if _, err := s.ListAuthEvents(ctx, "us-east-1_S", "s", 0); err != nil {
				return err
			}
			return s.CreateAuthEvent(ctx, ev("b"))
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a transaction meeting new statements waited for its own connection")
	}
	if n := len(s.wstmts.m); n != 2 { // the insert and the list
		t.Fatalf("writer statements after the transaction: %d, want 2", n)
	}
	if n := len(s.wstmts.pending); n != 0 {
		t.Fatalf("pending after the transaction: %d", n)
	}
	for range 3 {
		evs, err := s.ListAuthEvents(ctx, "us-east-1_S", "s", 0)
		if err != nil || len(evs) != 2 {
			t.Fatalf("list: %d events, %v", len(evs), err)
		}
	}
	if n := len(s.rstmts.m); n != 1 {
		t.Fatalf("reader statements after three equal reads: %d, want 1", n)
	}
	// The cached statements are used in the next transaction.
	if err := s.InTx(ctx, func(ctx context.Context) error { return s.CreateAuthEvent(ctx, ev("c")) }); err != nil {
		t.Fatal(err)
	}
	if n := len(s.wstmts.m); n != 2 {
		t.Fatalf("writer statements: %d, want 2", n)
	}
}

// TestStatementCacheBounded: past maxCachedStmts queries run unprepared,
// with the same results and errors.
func TestStatementCacheBounded(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := t.Context()
	r := prepared{c: s.rstmts}
	for i := range maxCachedStmts + 10 {
		var n int
		if err := r.QueryRowContext(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&n); err != nil || n != i {
			t.Fatalf("SELECT %d: %d, %v", i, n, err)
		}
	}
	if n := len(s.rstmts.m); n != maxCachedStmts {
		t.Fatalf("cached: %d, want %d", n, maxCachedStmts)
	}
	if err := r.QueryRowContext(ctx, "SELECT nope FROM nowhere").Scan(new(int)); err == nil {
		t.Fatal("a bad query answered no error")
	}
}

// TestWriteCPU: write transactions add their CPU time; reads, and writes
// outside a transaction (which wait for the connection), do not.
func TestWriteCPU(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := t.Context()
	before := s.WriteCPU()
	for range 20 {
		if _, err := s.ListAuthEvents(ctx, "us-east-1_C", "s", 0); err != nil {
			t.Fatal(err)
		}
	}
	if d := s.WriteCPU() - before; d != 0 {
		t.Fatalf("reads counted as write CPU: %v", d)
	}
	ev := func(id string) *storage.AuthEvent { return authEvent("us-east-1_C", "s", id) }
	for i := range 20 {
		if err := s.CreateAuthEvent(ctx, ev(fmt.Sprint("single", i))); err != nil {
			t.Fatal(err)
		}
	}
	if d := s.WriteCPU() - before; d != 0 {
		t.Fatalf("writes outside a transaction measured: %v", d)
	}
	for i := range 20 {
		if err := s.InTx(ctx, func(ctx context.Context) error { return s.CreateAuthEvent(ctx, ev(fmt.Sprint("tx", i))) }); err != nil {
			t.Fatal(err)
		}
	}
	if d := s.WriteCPU() - before; d <= 0 {
		t.Fatalf("20 write transactions took no write CPU: %v", d)
	}
}

// TestStatementsUnderContention: many goroutines meeting unprepared
// statements at once, in transactions, single writes and reads, neither
// deadlock (a transaction holds the writer's only connection while others
// prepare) nor lose a write.
func TestStatementsUnderContention(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := t.Context()
	const workers, rounds = 12, 25
	errc := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := range rounds {
				ev := authEvent("us-east-1_X", fmt.Sprint("s", w), fmt.Sprint(w, "-", i))
				var err error
				switch i % 3 {
				case 0:
					err = s.InTx(ctx, func(ctx context.Context) error {
						if _, err := s.ListAuthEvents(ctx, "us-east-1_X", ev.Sub, 0); err != nil {
							return err
						}
						return s.CreateAuthEvent(ctx, ev)
					})
				case 1:
					err = s.CreateAuthEvent(ctx, ev)
				default:
					if err = s.CreateAuthEvent(ctx, ev); err == nil {
						_, err = s.ListAuthEvents(ctx, "us-east-1_X", ev.Sub, 0)
					}
				}
				if err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	deadline := time.After(60 * time.Second)
	for range workers {
		select {
		case err := <-errc:
			if err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatal("goroutines meeting new statements deadlocked")
		}
	}
	for w := range workers {
		evs, err := s.ListAuthEvents(ctx, "us-east-1_X", fmt.Sprint("s", w), 0)
		if err != nil || len(evs) != rounds {
			t.Fatalf("worker %d: %d events, %v; want %d", w, len(evs), err, rounds)
		}
	}
}
