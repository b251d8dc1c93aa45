package storagetest

import (
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var authRequestTests = []test{
	{"CreateGet", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		r := newAuthRequest("p1", "ar-1")
		must(t, "create", s.CreateAuthRequest(ctx, r))
		wantEqual(t, "auth request", of(s.GetAuthRequest(ctx, "p1", "ar-1")).must(t, "get"), r)
		wantErr(t, "duplicate", s.CreateAuthRequest(ctx, newAuthRequest("p1", "ar-1")), storage.ErrAlreadyExists)
		must(t, "same id in another pool", s.CreateAuthRequest(ctx, newAuthRequest("p2", "ar-1")))
		_, err := s.GetAuthRequest(ctx, "p1", "nope")
		wantErr(t, "missing", err, storage.ErrNotFound)
		_, err = s.GetAuthRequest(ctx, "p3", "ar-1")
		wantErr(t, "missing pool", err, storage.ErrNotFound)
	}},
	{"UpdateDelete", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		r := newAuthRequest("p1", "ar-1")
		must(t, "create", s.CreateAuthRequest(ctx, r))
		must(t, "create p2", s.CreateAuthRequest(ctx, newAuthRequest("p2", "ar-1")))
		r.Form["upstream_state"] = []string{"xyz"}
		delete(r.Form, "scope")
		r.ExpiresAt = at(time.Hour)
		must(t, "update", s.UpdateAuthRequest(ctx, r))
		wantEqual(t, "updated", of(s.GetAuthRequest(ctx, "p1", "ar-1")).must(t, "get"), r)
		wantEqual(t, "p2 untouched", of(s.GetAuthRequest(ctx, "p2", "ar-1")).must(t, "get"), newAuthRequest("p2", "ar-1"))
		wantErr(t, "update missing", s.UpdateAuthRequest(ctx, newAuthRequest("p1", "nope")), storage.ErrNotFound)

		must(t, "delete", s.DeleteAuthRequest(ctx, "p1", "ar-1"))
		_, err := s.GetAuthRequest(ctx, "p1", "ar-1")
		wantErr(t, "get deleted", err, storage.ErrNotFound)
		wantErr(t, "delete again", s.DeleteAuthRequest(ctx, "p1", "ar-1"), storage.ErrNotFound)
		of(s.GetAuthRequest(ctx, "p2", "ar-1")).must(t, "p2 kept")
	}},
}
