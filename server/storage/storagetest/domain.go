package storagetest

import (
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

func newDomain(poolID, name string, custom bool) *storage.Domain {
	d := &storage.Domain{Name: name, PoolID: poolID, Custom: custom, ManagedLoginVersion: 2,
		CreatedAt: t0.In(time.FixedZone("CET", 3600))}
	if custom {
		d.CertificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/" + name
	}
	return d
}

func domainNames(ds []*storage.Domain) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name
	}
	return out
}

var domainTests = []test{
	{"CreateGet", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		prefix := newDomain("p1", "my-app", false)
		custom := newDomain("p1", "auth.example.com", true)
		must(t, "create prefix", s.CreateDomain(ctx, prefix))
		must(t, "create custom", s.CreateDomain(ctx, custom))
		wantEqual(t, "prefix domain", of(s.GetDomain(ctx, "my-app")).must(t, "get"), prefix)
		wantEqual(t, "custom domain", of(s.GetDomain(ctx, "auth.example.com")).must(t, "get"), custom)
		_, err := s.GetDomain(ctx, "other")
		wantErr(t, "missing", err, storage.ErrNotFound)
	}},
	{"Unique", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create", s.CreateDomain(ctx, newDomain("p1", "my-app", false)))
		// Names are global: no other pool takes one, of either kind.
		wantErr(t, "same name, other pool", s.CreateDomain(ctx, newDomain("p2", "my-app", false)), storage.ErrAlreadyExists)
		wantErr(t, "same name, custom", s.CreateDomain(ctx, newDomain("p2", "my-app", true)), storage.ErrAlreadyExists)
		// One domain of each kind per pool.
		wantErr(t, "second prefix", s.CreateDomain(ctx, newDomain("p1", "my-other-app", false)), storage.ErrAlreadyExists)
		must(t, "custom beside the prefix", s.CreateDomain(ctx, newDomain("p1", "auth.example.com", true)))
		wantErr(t, "second custom", s.CreateDomain(ctx, newDomain("p1", "login.example.com", true)), storage.ErrAlreadyExists)
		must(t, "other pool's prefix", s.CreateDomain(ctx, newDomain("p2", "my-other-app", false)))
		wantEqual(t, "kept", of(s.GetDomain(ctx, "my-app")).must(t, "get"), newDomain("p1", "my-app", false))
	}},
	{"List", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create custom", s.CreateDomain(ctx, newDomain("p1", "a.example.com", true)))
		must(t, "create prefix", s.CreateDomain(ctx, newDomain("p1", "zz-app", false)))
		must(t, "create other pool", s.CreateDomain(ctx, newDomain("p2", "b-app", false)))
		got := of(s.ListPoolDomains(ctx, "p1")).must(t, "list")
		wantEqual(t, "prefix first", got, []*storage.Domain{newDomain("p1", "zz-app", false), newDomain("p1", "a.example.com", true)})
		wantKeys(t, "empty pool", domainNames(of(s.ListPoolDomains(ctx, "p3")).must(t, "list")), nil)
	}},
	{"Delete", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create", s.CreateDomain(ctx, newDomain("p1", "my-app", false)))
		wantErr(t, "delete from another pool", s.DeleteDomain(ctx, "p2", "my-app"), storage.ErrNotFound)
		of(s.GetDomain(ctx, "my-app")).must(t, "kept")
		must(t, "delete", s.DeleteDomain(ctx, "p1", "my-app"))
		_, err := s.GetDomain(ctx, "my-app")
		wantErr(t, "get deleted", err, storage.ErrNotFound)
		wantErr(t, "delete again", s.DeleteDomain(ctx, "p1", "my-app"), storage.ErrNotFound)
		// The name and the pool's slot are free again.
		must(t, "another pool takes the name", s.CreateDomain(ctx, newDomain("p2", "my-app", false)))
		must(t, "the pool takes another", s.CreateDomain(ctx, newDomain("p1", "new-app", false)))
	}},
}
