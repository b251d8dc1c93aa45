package storagetest

import (
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var sweepTests = []test{
	{"DeleteExpired", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		// Authorize requests expire at t0+10m, sessions and OAuth records
		// at t0+1h (fixtures); one of each lives a day.
		for _, p := range []string{"p1", "p2"} {
			must(t, "request", s.CreateAuthRequest(ctx, newAuthRequest(p, "r1")))
			long := newAuthRequest(p, "r2")
			long.ExpiresAt = at(24 * time.Hour)
			must(t, "long request", s.CreateAuthRequest(ctx, long))
			must(t, "session", s.CreateSession(ctx, newSession(p, "s1", "sub-1")))
			must(t, "code", s.CreateOAuthRecord(ctx, newOAuthRecord(storage.KindAuthorizeCode, p+"-code", p, "req-1")))
			refresh := newOAuthRecord(storage.KindRefreshToken, p+"-refresh", p, "req-1")
			refresh.ExpiresAt = at(24 * time.Hour)
			must(t, "refresh", s.CreateOAuthRecord(ctx, refresh))
			must(t, "family", s.CreateFamily(ctx, newFamily(p, "fam-1", "sub-1")))
		}

		n, err := s.DeleteExpired(ctx, at(10*time.Minute), 100)
		must(t, "sweep at the requests' expiry", err)
		if n != 0 {
			t.Fatalf("a row expiring at the sweep's time is not yet expired: deleted %d", n)
		}

		n, err = s.DeleteExpired(ctx, at(30*time.Minute), 1)
		must(t, "sweep with limit 1", err)
		if n != 1 {
			t.Fatalf("limit 1, two expired requests: deleted %d, want 1", n)
		}
		n, err = s.DeleteExpired(ctx, at(30*time.Minute), 100)
		must(t, "sweep after 30 minutes", err)
		if n != 1 {
			t.Fatalf("after 30 minutes: deleted %d, want the other expired request", n)
		}
		for _, p := range []string{"p1", "p2"} {
			_, err := s.GetAuthRequest(ctx, p, "r1")
			wantErr(t, p+" expired request", err, storage.ErrNotFound)
			of(s.GetAuthRequest(ctx, p, "r2")).must(t, p+" live request")
			of(s.GetSession(ctx, p, "s1")).must(t, p+" session before its expiry")
			of(s.GetOAuthRecord(ctx, storage.KindAuthorizeCode, p+"-code")).must(t, p+" code before its expiry")
		}

		n, err = s.DeleteExpired(ctx, at(2*time.Hour), 100)
		must(t, "sweep after 2 hours", err)
		if n != 4 {
			t.Fatalf("after 2 hours: deleted %d, want 2 sessions and 2 codes", n)
		}
		for _, p := range []string{"p1", "p2"} {
			_, err := s.GetSession(ctx, p, "s1")
			wantErr(t, p+" expired session", err, storage.ErrNotFound)
			_, err = s.GetOAuthRecord(ctx, storage.KindAuthorizeCode, p+"-code")
			wantErr(t, p+" expired code", err, storage.ErrNotFound)
			of(s.GetOAuthRecord(ctx, storage.KindRefreshToken, p+"-refresh")).must(t, p+" live refresh token")
			of(s.GetAuthRequest(ctx, p, "r2")).must(t, p+" live request")
			of(s.GetFamily(ctx, p, "fam-1")).must(t, p+" family (not swept)")
		}

		n, err = s.DeleteExpired(ctx, at(2*time.Hour), 100)
		must(t, "sweep again", err)
		if n != 0 {
			t.Fatalf("a second sweep deleted %d", n)
		}
	}},
}
