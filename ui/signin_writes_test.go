package ui_test

import (
	"context"
	"net/url"
	"testing"
)

// TestSignInOneTransaction: the sign-in form's POST stores the auth event,
// the SSO session and the authorize request marked done in one write
// transaction, and the flow goes on to the callback with a code.
func TestSignInOneTransaction(t *testing.T) {
	s := newStack(t)
	u := s.user(t, "alice", nil)
	b := newBrowser(t)
	p := s.loginPage(t, b, nil)
	txs0, _ := s.store.WriteStats()
	after := b.submit(p, url.Values{"username": {"alice"}, "password": {testPassword}})
	txs, stmts := s.store.WriteStats()
	if txs-txs0 != 1 {
		t.Errorf("the sign-in POST made %d write transactions, want 1", txs-txs0)
	}
	events, err := s.store.ListAuthEvents(context.Background(), s.pool.ID, u.Sub, 10)
	if err != nil || len(events) != 1 || events[0].Response != "Pass" {
		t.Fatalf("auth events %+v, %v; want the one sign-in", events, err)
	}
	t.Logf("sign-in POST: %d transaction(s), %d statements in all so far", txs-txs0, stmts)
	wantCallback(t, b, after)
}
