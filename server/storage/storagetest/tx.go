package storagetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var errAbort = errors.New("storagetest: abort")

// writeSome makes rows of several entities in pool id through ctx, so a
// rollback that keeps any of them shows.
func writeSome(ctx context.Context, s storage.Store, id string) error {
	for _, step := range []func() error{
		func() error { return s.CreatePool(ctx, newPool(id)) },
		func() error { return s.CreateUser(ctx, newUser(id, "sub-1", "alice", "alice@example.com", "")) },
		func() error { return s.CreateGroup(ctx, newGroup(id, "g", nil)) },
		func() error { return s.AddUserToGroup(ctx, id, "g", "sub-1") },
		func() error { return s.CreateAuthEvent(ctx, newEvent(id, "ev-1", "sub-1", t0)) },
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// checkWritten checks that writeSome's rows for id are all there or all gone.
func checkWritten(t *testing.T, s storage.Store, id string, present bool) {
	t.Helper()
	ctx := ctxOf(t)
	want, n := storage.ErrNotFound, 0
	if present {
		want, n = nil, 1
	}
	_, err := s.GetPool(ctx, id)
	wantErr(t, id+": pool", err, want)
	_, err = s.GetUserBySub(ctx, id, "sub-1")
	wantErr(t, id+": user", err, want)
	_, err = s.GetUserByEmailKey(ctx, id, "alice@example.com")
	wantErr(t, id+": user by email", err, want)
	_, err = s.GetGroup(ctx, id, "g")
	wantErr(t, id+": group", err, want)
	if got := len(of(s.ListUsersInGroup(ctx, id, "g", "", 0)).must(t, "members")); got != n {
		t.Fatalf("%s: %d members, want %d", id, got, n)
	}
	if got := len(of(s.ListAuthEvents(ctx, id, "sub-1", 0)).must(t, "events")); got != n {
		t.Fatalf("%s: %d events, want %d", id, got, n)
	}
}

var txTests = []test{
	{"Commit", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		err := s.InTx(ctx, func(ctx context.Context) error {
			if err := writeSome(ctx, s, "p1"); err != nil {
				return err
			}
			// Reads through the transaction's ctx see its writes.
			if _, err := s.GetUserByUsernameKey(ctx, "p1", "alice"); err != nil {
				return fmt.Errorf("read own write: %w", err)
			}
			if n, err := s.CountUsers(ctx, "p1"); err != nil || n != 1 {
				return fmt.Errorf("count own write: %d, %v", n, err)
			}
			return nil
		})
		must(t, "InTx", err)
		checkWritten(t, s, "p1", true)
	}},
	{"ErrorRollsBack", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "existing pool", s.CreatePool(ctx, newPool("keep")))
		err := s.InTx(ctx, func(ctx context.Context) error {
			if err := writeSome(ctx, s, "p1"); err != nil {
				return err
			}
			if err := s.DeletePool(ctx, "keep"); err != nil {
				return err
			}
			return fmt.Errorf("wrapped: %w", errAbort)
		})
		wantErr(t, "InTx", err, errAbort)
		checkWritten(t, s, "p1", false)
		of(s.GetPool(ctx, "keep")).must(t, "delete rolled back")
		// The store still takes writes.
		must(t, "write after rollback", writeSome(ctx, s, "p2"))
		checkWritten(t, s, "p2", true)
	}},
	{"StorageErrorRollsBack", func(t *testing.T, s storage.Store) {
		// A failed write inside the transaction, returned, undoes the rest.
		ctx := ctxOf(t)
		must(t, "existing pool", s.CreatePool(ctx, newPool("p0")))
		err := s.InTx(ctx, func(ctx context.Context) error {
			if err := writeSome(ctx, s, "p1"); err != nil {
				return err
			}
			return s.CreatePool(ctx, newPool("p0"))
		})
		wantErr(t, "InTx", err, storage.ErrAlreadyExists)
		checkWritten(t, s, "p1", false)
	}},
	{"PanicRollsBack", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		type boom struct{ n int }
		func() {
			defer func() {
				if r := recover(); r != (boom{7}) {
					t.Fatalf("recovered %v, want the original panic value", r)
				}
			}()
			_ = s.InTx(ctx, func(ctx context.Context) error {
				if err := writeSome(ctx, s, "p1"); err != nil {
					return err
				}
				panic(boom{7})
			})
			t.Fatal("InTx returned instead of re-panicking")
		}()
		checkWritten(t, s, "p1", false)
		must(t, "write after panic", writeSome(ctx, s, "p2"))
		checkWritten(t, s, "p2", true)
	}},
	{"GoexitRollsBack", func(t *testing.T, s storage.Store) {
		// runtime.Goexit (t.FailNow in a helper) leaves fn without a
		// return value and without a panic; that is no commit.
		ctx := ctxOf(t)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = s.InTx(ctx, func(ctx context.Context) error {
				if err := writeSome(ctx, s, "p1"); err != nil {
					return err
				}
				runtime.Goexit()
				return nil
			})
		}()
		<-done
		checkWritten(t, s, "p1", false)
		must(t, "write after Goexit", writeSome(ctx, s, "p2"))
		checkWritten(t, s, "p2", true)
	}},
	{"CanceledContextRollsBack", func(t *testing.T, s storage.Store) {
		ctx, cancel := context.WithCancel(ctxOf(t))
		err := s.InTx(ctx, func(ctx context.Context) error {
			if err := writeSome(ctx, s, "p1"); err != nil {
				return err
			}
			cancel()
			return nil
		})
		if err == nil {
			t.Fatal("InTx committed on a canceled context")
		}
		checkWritten(t, s, "p1", false)
		must(t, "write after cancel", writeSome(ctxOf(t), s, "p2"))
	}},
	{"NestedJoins", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		err := s.InTx(ctx, func(ctx context.Context) error {
			if err := s.CreatePool(ctx, newPool("outer")); err != nil {
				return err
			}
			err := s.InTx(ctx, func(ctx context.Context) error {
				// The inner transaction sees the outer one's write.
				if _, err := s.GetPool(ctx, "outer"); err != nil {
					return fmt.Errorf("inner read: %w", err)
				}
				return writeSome(ctx, s, "p1")
			})
			if err != nil {
				return err
			}
			// The inner commit is the outer one's, so nothing is visible
			// outside yet, and the outer error undoes the inner writes.
			if _, err := s.GetUserBySub(ctx, "p1", "sub-1"); err != nil {
				return fmt.Errorf("outer read of inner write: %w", err)
			}
			return errAbort
		})
		wantErr(t, "InTx", err, errAbort)
		_, err = s.GetPool(ctx, "outer")
		wantErr(t, "outer pool", err, storage.ErrNotFound)
		checkWritten(t, s, "p1", false)

		err = s.InTx(ctx, func(ctx context.Context) error {
			return s.InTx(ctx, func(ctx context.Context) error {
				if err := writeSome(ctx, s, "p2"); err != nil {
					return err
				}
				return errAbort
			})
		})
		wantErr(t, "inner error", err, errAbort)
		checkWritten(t, s, "p2", false)

		must(t, "nested commit", s.InTx(ctx, func(ctx context.Context) error {
			return s.InTx(ctx, func(ctx context.Context) error { return writeSome(ctx, s, "p3") })
		}))
		checkWritten(t, s, "p3", true)
	}},
	{"CascadesJoin", func(t *testing.T, s storage.Store) {
		// Methods that write several tables (DeletePool, DeleteUser,
		// DeleteGroup) join the caller's transaction instead of
		// committing on their own.
		ctx := ctxOf(t)
		must(t, "write", writeSome(ctx, s, "p1"))
		for _, c := range []struct {
			name string
			fn   func(ctx context.Context) error
		}{
			{"DeletePool", func(ctx context.Context) error { return s.DeletePool(ctx, "p1") }},
			{"DeleteUser", func(ctx context.Context) error { return s.DeleteUser(ctx, "p1", "sub-1") }},
			{"DeleteGroup", func(ctx context.Context) error { return s.DeleteGroup(ctx, "p1", "g") }},
			{"RemoveUserFromGroup", func(ctx context.Context) error { return s.RemoveUserFromGroup(ctx, "p1", "g", "sub-1") }},
		} {
			err := s.InTx(ctx, func(ctx context.Context) error {
				if err := c.fn(ctx); err != nil {
					return err
				}
				return errAbort
			})
			wantErr(t, c.name, err, errAbort)
			checkWritten(t, s, "p1", true)
		}
	}},
}
