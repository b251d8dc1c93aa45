package sqlstore

import (
	"context"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// TestWriteStats: a statement outside a transaction is one write, a
// transaction of several statements is one, reads and empty transactions
// are none.
func TestWriteStats(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := t.Context()
	txs0, stmts0 := s.WriteStats()
	ev := func(id string) *storage.AuthEvent { return authEvent("us-east-1_W", "s", id) }
	if err := s.CreateAuthEvent(ctx, ev("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.CreateAuthEvent(ctx, ev("b")); err != nil {
			return err
		}
		return s.CreateAuthEvent(ctx, ev("c"))
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(ctx context.Context) error {
		_, err := s.ListAuthEvents(ctx, "us-east-1_W", "s", 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	txs, stmts := s.WriteStats()
	if txs-txs0 != 2 || stmts-stmts0 != 3 {
		t.Errorf("writes: %d transactions, %d statements; want 2 and 3", txs-txs0, stmts-stmts0)
	}
}
