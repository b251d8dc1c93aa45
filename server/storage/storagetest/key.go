package storagetest

import (
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var signingKeyTests = []test{
	{"CreateList", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		if got := of(s.ListSigningKeys(ctx, "p1")).must(t, "list empty"); len(got) != 0 {
			t.Fatalf("empty pool has %d keys", len(got))
		}
		oldest := newSigningKey("p1", "k-b", at(-48*time.Hour))
		newest := newSigningKey("p1", "k-a", at(time.Nanosecond)) // a nanosecond decides
		middle := newSigningKey("p1", "k-c", t0)
		middle.RetiredAt = at(time.Hour)
		middle.ExpiresAt = at(2 * time.Hour)
		for _, k := range []*storage.SigningKey{middle, oldest, newest} {
			must(t, "create "+k.KID, s.CreateSigningKey(ctx, k))
		}
		must(t, "same kid in another pool", s.CreateSigningKey(ctx, newSigningKey("p2", "k-a", at(time.Hour))))
		wantEqual(t, "keys newest first", of(s.ListSigningKeys(ctx, "p1")).must(t, "list"),
			[]*storage.SigningKey{newest, middle, oldest})
		wantErr(t, "duplicate", s.CreateSigningKey(ctx, newSigningKey("p1", "k-a", t0)), storage.ErrAlreadyExists)
		if got := of(s.ListSigningKeys(ctx, "p2")).must(t, "list p2"); len(got) != 1 || got[0].PoolID != "p2" {
			t.Fatalf("p2 keys: %+v", got)
		}
	}},
	{"UpdateDelete", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		k := newSigningKey("p1", "k1", t0)
		must(t, "create", s.CreateSigningKey(ctx, k))
		must(t, "create p2", s.CreateSigningKey(ctx, newSigningKey("p2", "k1", t0)))
		must(t, "create k2", s.CreateSigningKey(ctx, newSigningKey("p1", "k2", at(time.Hour))))
		k.RetiredAt = at(time.Hour)
		k.ExpiresAt = at(25 * time.Hour)
		must(t, "retire", s.UpdateSigningKey(ctx, k))
		keys := of(s.ListSigningKeys(ctx, "p1")).must(t, "list")
		wantEqual(t, "keys", keys, []*storage.SigningKey{newSigningKey("p1", "k2", at(time.Hour)), k})
		wantEqual(t, "p2 untouched", of(s.ListSigningKeys(ctx, "p2")).must(t, "list"),
			[]*storage.SigningKey{newSigningKey("p2", "k1", t0)})
		wantErr(t, "update missing", s.UpdateSigningKey(ctx, newSigningKey("p1", "nope", t0)), storage.ErrNotFound)

		must(t, "delete", s.DeleteSigningKey(ctx, "p1", "k1"))
		wantErr(t, "delete again", s.DeleteSigningKey(ctx, "p1", "k1"), storage.ErrNotFound)
		wantEqual(t, "keys after delete", of(s.ListSigningKeys(ctx, "p1")).must(t, "list"),
			[]*storage.SigningKey{newSigningKey("p1", "k2", at(time.Hour))})
		if got := of(s.ListSigningKeys(ctx, "p2")).must(t, "list p2"); len(got) != 1 {
			t.Fatalf("p2 lost its key: %+v", got)
		}
	}},
}
