package storagetest

import (
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var sessionTests = []test{
	{"CreateGetDelete", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		ss := newSession("p1", "sess-1", "sub-1")
		must(t, "create", s.CreateSession(ctx, ss))
		wantEqual(t, "session", of(s.GetSession(ctx, "p1", "sess-1")).must(t, "get"), ss)
		wantErr(t, "duplicate", s.CreateSession(ctx, newSession("p1", "sess-1", "sub-2")), storage.ErrAlreadyExists)
		must(t, "same id in another pool", s.CreateSession(ctx, newSession("p2", "sess-1", "sub-1")))
		_, err := s.GetSession(ctx, "p1", "nope")
		wantErr(t, "missing", err, storage.ErrNotFound)

		must(t, "delete", s.DeleteSession(ctx, "p1", "sess-1"))
		_, err = s.GetSession(ctx, "p1", "sess-1")
		wantErr(t, "get deleted", err, storage.ErrNotFound)
		wantErr(t, "delete again", s.DeleteSession(ctx, "p1", "sess-1"), storage.ErrNotFound)
		of(s.GetSession(ctx, "p2", "sess-1")).must(t, "p2 kept")
	}},
	{"DeleteUserSessions", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		for _, c := range []struct{ pool, id, sub string }{
			{"p1", "a1", "alice"}, {"p1", "a2", "alice"}, {"p1", "b1", "bob"}, {"p2", "a3", "alice"},
		} {
			must(t, "create", s.CreateSession(ctx, newSession(c.pool, c.id, c.sub)))
		}
		must(t, "sign out", s.DeleteUserSessions(ctx, "p1", "alice"))
		for _, c := range []struct {
			pool, id string
			want     error
		}{
			{"p1", "a1", storage.ErrNotFound},
			{"p1", "a2", storage.ErrNotFound},
			{"p1", "b1", nil},
			{"p2", "a3", nil},
		} {
			_, err := s.GetSession(ctx, c.pool, c.id)
			wantErr(t, c.pool+"/"+c.id, err, c.want)
		}
		must(t, "sign out without sessions", s.DeleteUserSessions(ctx, "p1", "alice"))
		must(t, "sign out unknown user", s.DeleteUserSessions(ctx, "p1", "nobody"))
	}},
}
