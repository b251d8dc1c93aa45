package storagetest

import (
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var eventTests = []test{
	{"CreateList", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		if got := of(s.ListAuthEvents(ctx, "p1", "alice", 10)).must(t, "list empty"); len(got) != 0 {
			t.Fatalf("no events yet, got %d", len(got))
		}
		events := []*storage.AuthEvent{
			newEvent("p1", "e2", "alice", at(2*time.Second)),
			newEvent("p1", "e1", "alice", at(time.Second)),
			newEvent("p1", "e4", "alice", at(4*time.Second)),
			newEvent("p1", "e3", "alice", at(3*time.Second+1)),
			newEvent("p1", "b1", "bob", at(10*time.Second)),
			newEvent("p2", "x1", "alice", at(10*time.Second)),
		}
		events[1].Response, events[1].Reason = "Fail", "NotAuthorized"
		for _, e := range events {
			must(t, "create "+e.ID, s.CreateAuthEvent(ctx, e))
		}
		all := of(s.ListAuthEvents(ctx, "p1", "alice", 0)).must(t, "list")
		wantKeys(t, "newest first", eventIDs(all), []string{"e4", "e3", "e2", "e1"})
		wantEqual(t, "events", all, []*storage.AuthEvent{events[2], events[3], events[0], events[1]})
		wantKeys(t, "limited", eventIDs(of(s.ListAuthEvents(ctx, "p1", "alice", 2)).must(t, "list")), []string{"e4", "e3"})
		wantKeys(t, "p2", eventIDs(of(s.ListAuthEvents(ctx, "p2", "alice", 0)).must(t, "list")), []string{"x1"})
		wantKeys(t, "bob", eventIDs(of(s.ListAuthEvents(ctx, "p1", "bob", 0)).must(t, "list")), []string{"b1"})

		wantErr(t, "duplicate", s.CreateAuthEvent(ctx, newEvent("p1", "e1", "bob", t0)), storage.ErrAlreadyExists)
		must(t, "same id in another pool", s.CreateAuthEvent(ctx, newEvent("p2", "e1", "alice", t0)))
	}},
}
