package storagetest

import (
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var familyTests = []test{
	{"CreateGet", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		f := newFamily("p1", "fam-1", "sub-1")
		must(t, "create", s.CreateFamily(ctx, f))
		got := of(s.GetFamily(ctx, "p1", "fam-1")).must(t, "get")
		wantEqual(t, "family", got, f)
		if !got.RevokedAt.IsZero() {
			t.Fatalf("new family revoked at %v", got.RevokedAt)
		}
		wantErr(t, "duplicate", s.CreateFamily(ctx, newFamily("p1", "fam-1", "sub-2")), storage.ErrAlreadyExists)
		must(t, "same id in another pool", s.CreateFamily(ctx, newFamily("p2", "fam-1", "sub-1")))
		_, err := s.GetFamily(ctx, "p1", "nope")
		wantErr(t, "missing", err, storage.ErrNotFound)
		_, err = s.GetFamily(ctx, "p3", "fam-1")
		wantErr(t, "missing pool", err, storage.ErrNotFound)
	}},
	{"Revoke", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		f := newFamily("p1", "fam-1", "sub-1")
		must(t, "create", s.CreateFamily(ctx, f))
		must(t, "create p2", s.CreateFamily(ctx, newFamily("p2", "fam-1", "sub-1")))
		when := at(5*time.Minute + 7) // nanoseconds survive
		must(t, "revoke", s.RevokeFamily(ctx, "p1", "fam-1", when.In(time.FixedZone("X", -7200))))
		want := *f
		want.RevokedAt = when
		wantEqual(t, "revoked", of(s.GetFamily(ctx, "p1", "fam-1")).must(t, "get"), &want)
		if got := of(s.GetFamily(ctx, "p2", "fam-1")).must(t, "get p2"); !got.RevokedAt.IsZero() {
			t.Fatal("revoke crossed pools")
		}
		// Revocation happens once: a second revoke finds no unrevoked
		// family and keeps the first time.
		wantErr(t, "revoke again", s.RevokeFamily(ctx, "p1", "fam-1", at(time.Hour)), storage.ErrNotFound)
		wantEqual(t, "first time kept", of(s.GetFamily(ctx, "p1", "fam-1")).must(t, "get").RevokedAt, when)
		wantErr(t, "revoke missing", s.RevokeFamily(ctx, "p1", "nope", t0), storage.ErrNotFound)

		born := newFamily("p1", "fam-born-revoked", "sub-1")
		born.RevokedAt = at(time.Second)
		must(t, "create revoked", s.CreateFamily(ctx, born))
		wantEqual(t, "born revoked", of(s.GetFamily(ctx, "p1", born.ID)).must(t, "get"), born)
		wantErr(t, "revoke born revoked", s.RevokeFamily(ctx, "p1", born.ID, at(time.Hour)), storage.ErrNotFound)
	}},
	{"RevokeUserFamilies", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		for _, f := range []*storage.Family{
			newFamily("p1", "a1", "alice"), newFamily("p1", "a2", "alice"), newFamily("p1", "a3", "alice"),
			newFamily("p1", "b1", "bob"), newFamily("p2", "a4", "alice"),
		} {
			must(t, "create", s.CreateFamily(ctx, f))
		}
		early := at(time.Minute)
		must(t, "revoke a3", s.RevokeFamily(ctx, "p1", "a3", early))
		late := at(time.Hour)
		must(t, "revoke alice", s.RevokeUserFamilies(ctx, "p1", "alice", late))
		for _, c := range []struct {
			pool, id string
			want     time.Time
		}{
			{"p1", "a1", late}, {"p1", "a2", late}, {"p1", "a3", early}, // not moved
			{"p1", "b1", time.Time{}}, {"p2", "a4", time.Time{}},
		} {
			got := of(s.GetFamily(ctx, c.pool, c.id)).must(t, "get")
			wantEqual(t, c.pool+"/"+c.id+" revoked at", got.RevokedAt, c.want)
		}
		must(t, "again is a no-op", s.RevokeUserFamilies(ctx, "p1", "alice", at(2*time.Hour)))
		wantEqual(t, "time kept", of(s.GetFamily(ctx, "p1", "a1")).must(t, "get").RevokedAt, late)
		must(t, "unknown user", s.RevokeUserFamilies(ctx, "p1", "nobody", late))
	}},
}
