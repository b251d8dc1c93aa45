package storagetest

import (
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var clientTests = []test{
	{"CreateGet", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		c := newClient("p1", "3n4b5urk1ft4fl3mg5e62d9ado")
		must(t, "create", s.CreateClient(ctx, c))
		wantEqual(t, "client", of(s.GetClient(ctx, c.ID)).must(t, "get"), c)
		public := newClient("p1", "public")
		public.SealedSecret = nil
		must(t, "create public", s.CreateClient(ctx, public))
		if got := of(s.GetClient(ctx, "public")).must(t, "get public"); len(got.SealedSecret) != 0 {
			t.Fatalf("public client has secret %q", got.SealedSecret)
		}
	}},
	{"IDUniqueAcrossPools", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create", s.CreateClient(ctx, newClient("p1", "c1")))
		wantErr(t, "same pool", s.CreateClient(ctx, newClient("p1", "c1")), storage.ErrAlreadyExists)
		wantErr(t, "other pool", s.CreateClient(ctx, newClient("p2", "c1")), storage.ErrAlreadyExists)
		wantEqual(t, "owner", of(s.GetClient(ctx, "c1")).must(t, "get").PoolID, "p1")
	}},
	{"GetMissing", func(t *testing.T, s storage.Store) {
		_, err := s.GetClient(ctxOf(t), "nope")
		wantErr(t, "get", err, storage.ErrNotFound)
	}},
	{"Update", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		c := newClient("p1", "c1")
		must(t, "create", s.CreateClient(ctx, c))
		c.Name = "renamed"
		c.CallbackURLs = []string{"https://new.example/cb"}
		c.TokenValidity.AccessToken = 5
		must(t, "update", s.UpdateClient(ctx, c))
		wantEqual(t, "client", of(s.GetClient(ctx, "c1")).must(t, "get"), c)

		// The pool is part of the key: another pool cannot update it.
		stranger := newClient("p2", "c1")
		stranger.Name = "hijacked"
		wantErr(t, "update from another pool", s.UpdateClient(ctx, stranger), storage.ErrNotFound)
		wantEqual(t, "name", of(s.GetClient(ctx, "c1")).must(t, "get").Name, "renamed")
		wantErr(t, "update missing", s.UpdateClient(ctx, newClient("p1", "nope")), storage.ErrNotFound)
	}},
	{"List", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		for _, id := range []string{"c3", "c1", "c4", "c2"} {
			must(t, "create", s.CreateClient(ctx, newClient("p1", id)))
		}
		must(t, "create other pool", s.CreateClient(ctx, newClient("p2", "c0")))
		must(t, "create other pool", s.CreateClient(ctx, newClient("p2", "c25")))
		pages(t, "clients of p1", 3, []string{"c1", "c2", "c3", "c4"}, func(after string, limit int) ([]string, error) {
			cs, err := s.ListClients(ctx, "p1", after, limit)
			return clientIDs(cs), err
		})
		cs, err := s.ListClients(ctx, "p2", "", 0)
		must(t, "list p2", err)
		wantKeys(t, "clients of p2", clientIDs(cs), []string{"c0", "c25"})
		wantEqual(t, "listed client", cs[1], newClient("p2", "c25"))
		cs, err = s.ListClients(ctx, "p3", "", 0)
		must(t, "list p3", err)
		wantKeys(t, "clients of p3", clientIDs(cs), nil)
	}},
	{"Delete", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create", s.CreateClient(ctx, newClient("p1", "c1")))
		must(t, "create", s.CreateClient(ctx, newClient("p1", "c2")))
		wantErr(t, "delete from another pool", s.DeleteClient(ctx, "p2", "c1"), storage.ErrNotFound)
		of(s.GetClient(ctx, "c1")).must(t, "still there")
		must(t, "delete", s.DeleteClient(ctx, "p1", "c1"))
		_, err := s.GetClient(ctx, "c1")
		wantErr(t, "get deleted", err, storage.ErrNotFound)
		wantErr(t, "delete again", s.DeleteClient(ctx, "p1", "c1"), storage.ErrNotFound)
		of(s.GetClient(ctx, "c2")).must(t, "sibling kept")
		must(t, "id reusable", s.CreateClient(ctx, newClient("p2", "c1")))
	}},
}
