package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

const racers = 16

// race runs fn in n goroutines released together and returns their errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return errs
}

// oneWinner fails t unless exactly one error is nil and the rest are
// ErrConflict; it returns the winner.
func oneWinner(t *testing.T, what string, errs []error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("%s: racers %d and %d both won", what, winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, storage.ErrConflict):
			t.Fatalf("%s: racer %d: got %v, want ErrConflict", what, i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("%s: nobody won", what)
	}
	return winner
}

var concurrencyTests = []test{
	{"DeactivateOAuthRecord", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		for round := range 3 {
			sig := fmt.Sprintf("code-%d", round)
			must(t, "create", s.CreateOAuthRecord(ctx, newOAuthRecord(storage.KindAuthorizeCode, sig, "p1", "r")))
			errs := race(racers, func(int) error {
				return s.DeactivateOAuthRecord(ctx, storage.KindAuthorizeCode, sig)
			})
			oneWinner(t, sig, errs)
			if of(s.GetOAuthRecord(ctx, storage.KindAuthorizeCode, sig)).must(t, "get").Active {
				t.Fatal("record still active")
			}
		}
	}},
	{"DeactivateOAuthRecordInTx", func(t *testing.T, s storage.Store) {
		// fosite's code exchange: read the code, check it is active,
		// invalidate it and mint tokens, all in one transaction.
		ctx := ctxOf(t)
		must(t, "create", s.CreateOAuthRecord(ctx, newOAuthRecord(storage.KindAuthorizeCode, "code", "p1", "r")))
		errs := race(racers, func(i int) error {
			return s.InTx(ctx, func(ctx context.Context) error {
				r, err := s.GetOAuthRecord(ctx, storage.KindAuthorizeCode, "code")
				if err != nil {
					return err
				}
				if !r.Active {
					return storage.ErrConflict
				}
				if err := s.DeactivateOAuthRecord(ctx, storage.KindAuthorizeCode, "code"); err != nil {
					return err
				}
				return s.CreateOAuthRecord(ctx, newOAuthRecord(storage.KindRefreshToken, fmt.Sprintf("rt-%d", i), "p1", "r"))
			})
		})
		w := oneWinner(t, "exchange", errs)
		for i := range racers {
			_, err := s.GetOAuthRecord(ctx, storage.KindRefreshToken, fmt.Sprintf("rt-%d", i))
			if i == w {
				wantErr(t, "winner's token", err, nil)
			} else {
				wantErr(t, "loser's token", err, storage.ErrNotFound)
			}
		}
	}},
	{"UpdateUser", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create", s.CreateUser(ctx, newUser("p1", "sub-1", "alice", "", "")))
		base := of(s.GetUserBySub(ctx, "p1", "sub-1")).must(t, "get")
		copies := make([]*storage.User, racers)
		for i := range copies {
			u := *base
			u.Attributes = map[string]string{"sub": "sub-1", "name": fmt.Sprintf("writer %d", i)}
			copies[i] = &u
		}
		errs := race(racers, func(i int) error { return s.UpdateUser(ctx, copies[i]) })
		w := oneWinner(t, "update", errs)
		got := of(s.GetUserBySub(ctx, "p1", "sub-1")).must(t, "get")
		wantEqual(t, "stored user", got, copies[w])
		wantEqual(t, "version", got.Version, base.Version+1)
	}},
	{"ParallelTransactions", func(t *testing.T, s storage.Store) {
		// Writers queue; none is lost and none fails on a busy database.
		ctx := ctxOf(t)
		const writers, each = 8, 10
		must(t, "group", s.CreateGroup(ctx, newGroup("p1", "g", nil)))
		errs := race(writers, func(w int) error {
			for i := range each {
				sub := fmt.Sprintf("sub-%d-%d", w, i)
				err := s.InTx(ctx, func(ctx context.Context) error {
					if err := s.CreateUser(ctx, newUser("p1", sub, "u"+sub, "", "")); err != nil {
						return err
					}
					return s.AddUserToGroup(ctx, "p1", "g", sub)
				})
				if err != nil {
					return err
				}
				// Readers run beside the writers.
				if _, err := s.GetUserBySub(ctx, "p1", sub); err != nil {
					return fmt.Errorf("read back %s: %w", sub, err)
				}
			}
			return nil
		})
		for i, err := range errs {
			must(t, fmt.Sprintf("writer %d", i), err)
		}
		wantEqual(t, "users", of(s.CountUsers(ctx, "p1")).must(t, "count"), writers*each)
		wantEqual(t, "members", len(of(s.ListUsersInGroup(ctx, "p1", "g", "", 0)).must(t, "list")), writers*each)
	}},
}
