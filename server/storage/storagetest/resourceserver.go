package storagetest

import (
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var resourceServerTests = []test{
	{"CreateGet", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		rs := newResourceServer("p1", "https://api.example")
		must(t, "create", s.CreateResourceServer(ctx, rs))
		wantEqual(t, "resource server", of(s.GetResourceServer(ctx, "p1", rs.Identifier)).must(t, "get"), rs)
		wantErr(t, "duplicate", s.CreateResourceServer(ctx, newResourceServer("p1", rs.Identifier)), storage.ErrAlreadyExists)
		must(t, "same identifier in another pool", s.CreateResourceServer(ctx, newResourceServer("p2", rs.Identifier)))
		_, err := s.GetResourceServer(ctx, "p1", "nope")
		wantErr(t, "missing", err, storage.ErrNotFound)
		_, err = s.GetResourceServer(ctx, "p3", rs.Identifier)
		wantErr(t, "missing pool", err, storage.ErrNotFound)
	}},
	{"List", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		for _, id := range []string{"urn:c", "urn:a", "urn:b"} {
			must(t, "create", s.CreateResourceServer(ctx, newResourceServer("p1", id)))
		}
		must(t, "create other pool", s.CreateResourceServer(ctx, newResourceServer("p2", "urn:aa")))
		got := of(s.ListResourceServers(ctx, "p1")).must(t, "list")
		wantEqual(t, "resource servers by identifier", got, []*storage.ResourceServer{
			newResourceServer("p1", "urn:a"), newResourceServer("p1", "urn:b"), newResourceServer("p1", "urn:c"),
		})
		if got := of(s.ListResourceServers(ctx, "p3")).must(t, "list"); len(got) != 0 {
			t.Fatalf("empty pool lists %d resource servers", len(got))
		}
	}},
	{"UpdateDelete", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		rs := newResourceServer("p1", "urn:a")
		must(t, "create", s.CreateResourceServer(ctx, rs))
		must(t, "create p2", s.CreateResourceServer(ctx, newResourceServer("p2", "urn:a")))
		rs.Name = "renamed"
		rs.Scopes = []storage.ResourceScope{{Name: "admin", Description: "Everything"}}
		must(t, "update", s.UpdateResourceServer(ctx, rs))
		wantEqual(t, "updated", of(s.GetResourceServer(ctx, "p1", "urn:a")).must(t, "get"), rs)
		wantEqual(t, "p2 untouched", of(s.GetResourceServer(ctx, "p2", "urn:a")).must(t, "get"), newResourceServer("p2", "urn:a"))
		wantErr(t, "update missing", s.UpdateResourceServer(ctx, newResourceServer("p1", "urn:nope")), storage.ErrNotFound)

		must(t, "delete", s.DeleteResourceServer(ctx, "p1", "urn:a"))
		_, err := s.GetResourceServer(ctx, "p1", "urn:a")
		wantErr(t, "get deleted", err, storage.ErrNotFound)
		wantErr(t, "delete again", s.DeleteResourceServer(ctx, "p1", "urn:a"), storage.ErrNotFound)
		of(s.GetResourceServer(ctx, "p2", "urn:a")).must(t, "p2 kept")
	}},
}
