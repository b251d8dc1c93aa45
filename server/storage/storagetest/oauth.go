package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var oauthTests = []test{
	{"CreateGet", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		kinds := []storage.OAuthKind{storage.KindAuthorizeCode, storage.KindRefreshToken,
			storage.KindAccessToken, storage.KindPKCE, storage.KindOIDC}
		// One signature under every kind: the kind is part of the key.
		for _, k := range kinds {
			must(t, "create "+string(k), s.CreateOAuthRecord(ctx, newOAuthRecord(k, "sig", "p1", "req-"+string(k))))
		}
		for _, k := range kinds {
			wantEqual(t, string(k), of(s.GetOAuthRecord(ctx, k, "sig")).must(t, "get "+string(k)),
				newOAuthRecord(k, "sig", "p1", "req-"+string(k)))
		}
		// Signatures are global, like the tokens they hash.
		wantErr(t, "duplicate", s.CreateOAuthRecord(ctx, newOAuthRecord(storage.KindRefreshToken, "sig", "p2", "r")), storage.ErrAlreadyExists)
		wantEqual(t, "kept", of(s.GetOAuthRecord(ctx, storage.KindRefreshToken, "sig")).must(t, "get").PoolID, "p1")

		// An inactive record keeps its rotation times (a rotated refresh token).
		inactive := newOAuthRecord(storage.KindAuthorizeCode, "sig-inactive", "p1", "r")
		inactive.Active = false
		inactive.RotatedAt, inactive.GraceUntil = at(time.Minute), at(time.Minute+30*time.Second)
		must(t, "create inactive", s.CreateOAuthRecord(ctx, inactive))
		wantEqual(t, "inactive", of(s.GetOAuthRecord(ctx, storage.KindAuthorizeCode, "sig-inactive")).must(t, "get"), inactive)

		_, err := s.GetOAuthRecord(ctx, storage.KindRefreshToken, "nope")
		wantErr(t, "missing", err, storage.ErrNotFound)
	}},
	{"Delete", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create", s.CreateOAuthRecord(ctx, newOAuthRecord(storage.KindAuthorizeCode, "sig", "p1", "r")))
		must(t, "create", s.CreateOAuthRecord(ctx, newOAuthRecord(storage.KindPKCE, "sig", "p1", "r")))
		must(t, "delete", s.DeleteOAuthRecord(ctx, storage.KindAuthorizeCode, "sig"))
		_, err := s.GetOAuthRecord(ctx, storage.KindAuthorizeCode, "sig")
		wantErr(t, "get deleted", err, storage.ErrNotFound)
		of(s.GetOAuthRecord(ctx, storage.KindPKCE, "sig")).must(t, "other kind kept")
		// Deleting what is gone is not a failure fosite cares about; a store
		// may answer nil or ErrNotFound, nothing else.
		if err := s.DeleteOAuthRecord(ctx, storage.KindAuthorizeCode, "sig"); err != nil && !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("delete again: %v", err)
		}
	}},
	{"DeactivateRecord", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		r := newOAuthRecord(storage.KindAuthorizeCode, "sig", "p1", "req-1")
		must(t, "create", s.CreateOAuthRecord(ctx, r))
		must(t, "create sibling", s.CreateOAuthRecord(ctx, newOAuthRecord(storage.KindPKCE, "sig", "p1", "req-1")))
		must(t, "deactivate", s.DeactivateOAuthRecord(ctx, storage.KindAuthorizeCode, "sig"))
		want := *r
		want.Active = false
		wantEqual(t, "deactivated", of(s.GetOAuthRecord(ctx, storage.KindAuthorizeCode, "sig")).must(t, "get"), &want)
		if !of(s.GetOAuthRecord(ctx, storage.KindPKCE, "sig")).must(t, "get sibling").Active {
			t.Fatal("deactivating one kind deactivated another")
		}
		wantErr(t, "deactivate again", s.DeactivateOAuthRecord(ctx, storage.KindAuthorizeCode, "sig"), storage.ErrConflict)
		wantErr(t, "deactivate missing", s.DeactivateOAuthRecord(ctx, storage.KindAuthorizeCode, "nope"), storage.ErrNotFound)
		wantErr(t, "deactivate missing kind", s.DeactivateOAuthRecord(ctx, storage.KindRefreshToken, "sig"), storage.ErrNotFound)

		inactive := newOAuthRecord(storage.KindRefreshToken, "born-inactive", "p1", "r")
		inactive.Active = false
		must(t, "create inactive", s.CreateOAuthRecord(ctx, inactive))
		wantErr(t, "deactivate inactive", s.DeactivateOAuthRecord(ctx, storage.KindRefreshToken, "born-inactive"), storage.ErrConflict)
	}},
	{"DeactivateRequest", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		type rec struct {
			kind   storage.OAuthKind
			sig    string
			req    string
			active bool // after deactivating refresh tokens of req-1
		}
		recs := []rec{
			{storage.KindRefreshToken, "r1", "req-1", false},
			{storage.KindRefreshToken, "r2", "req-1", false},
			{storage.KindRefreshToken, "r3", "req-2", true},
			{storage.KindAccessToken, "a1", "req-1", true},
		}
		for _, r := range recs {
			must(t, "create", s.CreateOAuthRecord(ctx, newOAuthRecord(r.kind, r.sig, "p1", r.req)))
		}
		must(t, "deactivate request", s.DeactivateOAuthRequest(ctx, storage.KindRefreshToken, "req-1"))
		for _, r := range recs {
			got := of(s.GetOAuthRecord(ctx, r.kind, r.sig)).must(t, "get")
			if got.Active != r.active {
				t.Fatalf("%s/%s active = %v, want %v", r.kind, r.sig, got.Active, r.active)
			}
			want := newOAuthRecord(r.kind, r.sig, "p1", r.req)
			want.Active = r.active
			wantEqual(t, string(r.kind)+"/"+r.sig, got, want)
		}
		wantErr(t, "single deactivate after", s.DeactivateOAuthRecord(ctx, storage.KindRefreshToken, "r1"), storage.ErrConflict)
		must(t, "again is a no-op", s.DeactivateOAuthRequest(ctx, storage.KindRefreshToken, "req-1"))
		must(t, "unknown request", s.DeactivateOAuthRequest(ctx, storage.KindRefreshToken, "req-nope"))
	}},
}
