package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// TestRefreshRotationGrace: a rotated-out refresh token keeps working for
// the client's grace period, counted from its first rotation, then its use
// is a reuse; revocation wins over the grace period.
func TestRefreshRotationGrace(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, func(c *storage.Client) { c.RefreshTokenRotation, c.RotationGracePeriodSeconds = true, 30 })
	s.user(t, pool, directory.NewUser{Username: "grace"})
	_, toks := s.mustSignIn(t, pool, client, "grace")
	old := toks.RefreshToken

	refresh := func(token string) (*auth.Tokens, error) {
		t.Helper()
		return s.eng.Refresh(ctx, pool, client, token)
	}
	first, err := refresh(old)
	if err != nil || first.RefreshToken == "" || first.RefreshToken == old {
		t.Fatalf("rotation: %+v, %v", first, err)
	}

	steps := []struct {
		name    string
		advance time.Duration // from the previous step
		token   string
		want    error
	}{
		{name: "retry at once", token: old},
		{name: "retry within the grace period", advance: 20 * time.Second, token: old},
		{name: "the new token meanwhile", token: first.RefreshToken},
		{name: "retries do not extend the grace period", advance: 10 * time.Second, token: old, want: auth.ErrRefreshReuse},
		{name: "and stay refused", advance: time.Hour, token: old, want: auth.ErrRefreshReuse},
	}
	seen := map[string]bool{old: true, first.RefreshToken: true}
	for _, st := range steps {
		s.clock.Add(st.advance)
		got, err := refresh(st.token)
		if st.want != nil {
			if !errors.Is(err, st.want) || got != nil {
				t.Fatalf("%s: %+v, %v; want %v", st.name, got, err, st.want)
			}
			continue
		}
		if err != nil || got.AccessToken == "" || got.IDToken == "" || got.RefreshToken == "" {
			t.Fatalf("%s: %+v, %v", st.name, got, err)
		}
		if seen[got.RefreshToken] {
			t.Fatalf("%s: a refresh token handed out twice", st.name)
		}
		seen[got.RefreshToken] = true
	}
	wantErr(t, func() error { _, err := refresh(old); return err }(), directory.KindRefreshTokenReuse, "")

	// Every token handed out is of one family: revoking it ends them all,
	// and a revoked token is revoked, not reused, even within its grace.
	_, fresh := s.mustSignIn(t, pool, client, "grace")
	rotated, err := refresh(fresh.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.eng.Revoke(ctx, client, rotated.RefreshToken); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{fresh.RefreshToken, rotated.RefreshToken} {
		if _, err := refresh(tok); !errors.Is(err, auth.ErrRefreshRevoked) {
			t.Fatalf("revoked family within the grace period: %v", err)
		}
	}
}

// TestRefreshRotationGraceRace: with a grace period, refreshes racing with
// one token all succeed (each is a retry), each with its own new token.
func TestRefreshRotationGraceRace(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, func(c *storage.Client) { c.RefreshTokenRotation, c.RotationGracePeriodSeconds = true, 10 })
	s.user(t, pool, directory.NewUser{Username: "racer"})
	_, toks := s.mustSignIn(t, pool, client, "racer")
	const n = 6
	type result struct {
		t   *auth.Tokens
		err error
	}
	results := make(chan result, n)
	for range n {
		go func() {
			got, err := s.eng.Refresh(ctx, pool, client, toks.RefreshToken)
			results <- result{got, err}
		}()
	}
	issued := map[string]bool{}
	for range n {
		r := <-results
		if r.err != nil || r.t.RefreshToken == "" {
			t.Fatalf("parallel refresh within the grace period: %+v, %v", r.t, r.err)
		}
		issued[r.t.RefreshToken] = true
	}
	if len(issued) != n {
		t.Fatalf("%d distinct refresh tokens of %d refreshes", len(issued), n)
	}
	for tok := range issued {
		if _, err := s.eng.Refresh(ctx, pool, client, tok); err != nil {
			t.Fatalf("a token handed out in the race: %v", err)
		}
	}
	s.clock.Add(10 * time.Second)
	if _, err := s.eng.Refresh(ctx, pool, client, toks.RefreshToken); !errors.Is(err, auth.ErrRefreshReuse) {
		t.Fatalf("after the grace period: %v", err)
	}
}

// TestRefreshAfterSignOutAndDelete: global sign-out revokes even a token
// within its grace period; a deleted user's token names no user.
func TestRefreshAfterSignOutAndDelete(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, func(c *storage.Client) { c.RefreshTokenRotation, c.RotationGracePeriodSeconds = true, 60 })
	u := s.user(t, pool, directory.NewUser{Username: "leaver"})
	_, toks := s.mustSignIn(t, pool, client, "leaver")
	if _, err := s.eng.Refresh(ctx, pool, client, toks.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if err := s.eng.GlobalSignOut(ctx, pool, u); err != nil {
		t.Fatal(err)
	}
	_, err := s.eng.Refresh(ctx, pool, client, toks.RefreshToken)
	wantErr(t, err, directory.KindNotAuthorized, "Refresh Token has been revoked")

	s.clock.Add(time.Second)
	_, again := s.mustSignIn(t, pool, client, "leaver")
	if err := s.dir.DeleteUser(ctx, pool.ID, u.Sub); err != nil {
		t.Fatal(err)
	}
	_, err = s.eng.Refresh(ctx, pool, client, again.RefreshToken)
	wantErr(t, err, directory.KindUserNotFound, "User does not exist.")
}
