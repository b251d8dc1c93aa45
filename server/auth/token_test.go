package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

func TestIssueClaims(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, nil)
	u := s.user(t, pool, directory.NewUser{Username: "ivy", Attributes: map[string]string{"email": "ivy@example.com"}})
	a, toks := s.mustSignIn(t, pool, client, "ivy")
	if toks.ExpiresIn != 3600 || toks.RefreshToken == "" {
		t.Fatalf("tokens %+v", toks)
	}
	claims, user, err := s.eng.ValidateAccess(ctx, pool, toks.AccessToken)
	if err != nil || user.Sub != u.Sub {
		t.Fatalf("ValidateAccess: %v", err)
	}
	want := map[string]any{"iss": testIssuerBase + pool.ID, "token_use": "access", "client_id": client.ID,
		"sub": u.Sub, "username": "ivy", "scope": auth.APIScope, "event_id": a.EventID}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("access %s = %v, want %v", k, claims[k], v)
		}
	}
	if at, _ := tokens.NumericClaim(claims, "auth_time"); at != a.AuthTime.Unix() {
		t.Errorf("auth_time %d", at)
	}
	id, err := s.minter.Verify(ctx, pool.ID, toks.IDToken)
	if err != nil {
		t.Fatal(err)
	}
	if id["token_use"] != "id" || id["aud"] != client.ID || id["email"] != "ivy@example.com" || id["cognito:username"] != "ivy" ||
		id["origin_jti"] != claims["origin_jti"] || tokens.StringClaim(claims, "origin_jti") == "" {
		t.Errorf("id token %v", id)
	}
}

func TestValidateAccess(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	pool2 := s.pool(t, nil)
	client := s.client(t, pool, nil)
	client2 := s.client(t, pool2, nil)
	u := s.user(t, pool, directory.NewUser{Username: "val"})
	s.user(t, pool2, directory.NewUser{Username: "val"})
	_, toks := s.mustSignIn(t, pool, client, "val")
	_, toks2 := s.mustSignIn(t, pool2, client2, "val")

	// A token signed with the pool's key but naming another issuer.
	a, _ := s.mustSignIn(t, pool, client, "val")
	g, err := s.eng.Grant(ctx, pool, client, u, []string{auth.APIScope}, a.AuthTime, a.EventID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	g.Issuer = "https://evil.example/" + pool.ID
	foreignIss, err := s.minter.Access(ctx, g)
	if err != nil {
		t.Fatal(err)
	}
	noUse, _ := s.minter.Sign(ctx, pool.ID, map[string]any{"iss": testIssuerBase + pool.ID, "sub": u.Sub, "username": "val",
		"exp": s.clock.Now().Add(time.Hour).Unix()})
	parts := strings.Split(toks.AccessToken, ".")
	tampered := parts[0] + "." + parts[1] + "x." + parts[2]

	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{name: "access token", token: toks.AccessToken, ok: true},
		{name: "ID token", token: toks.IDToken},
		{name: "refresh token", token: toks.RefreshToken},
		{name: "another pool's token", token: toks2.AccessToken},
		{name: "another issuer", token: foreignIss.Token},
		{name: "no token_use", token: noUse},
		{name: "tampered", token: tampered},
		{name: "empty", token: ""},
		{name: "garbage", token: "a.b.c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, user, err := s.eng.ValidateAccess(ctx, pool, tt.token)
			if tt.ok {
				if err != nil || user == nil || claims["sub"] != u.Sub {
					t.Fatalf("ValidateAccess: %v, %v", user, err)
				}
				return
			}
			wantErr(t, err, directory.KindNotAuthorized, "")
			if claims != nil || user != nil {
				t.Fatal("claims or user with an error")
			}
		})
	}

	// Expired.
	s.clock.Add(time.Hour + time.Second)
	_, _, err = s.eng.ValidateAccess(ctx, pool, toks.AccessToken)
	wantErr(t, err, directory.KindNotAuthorized, "Access Token has expired")
	s.clock.Add(-(time.Hour + time.Second))

	// A disabled or deleted user's token is refused.
	u = s.reload(t, u)
	u.Enabled = false
	if err := s.dir.SaveUser(ctx, pool, u); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.eng.ValidateAccess(ctx, pool, toks.AccessToken)
	wantErr(t, err, directory.KindNotAuthorized, "User is disabled.")
	if err := s.dir.DeleteUser(ctx, pool.ID, u.Sub); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.eng.ValidateAccess(ctx, pool, toks.AccessToken)
	wantErr(t, err, directory.KindUserNotFound, "User does not exist.")
}

func TestRefresh(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, nil)
	other := s.client(t, pool, nil)
	pool2 := s.pool(t, nil)
	client2 := s.client(t, pool2, nil)
	u := s.user(t, pool, directory.NewUser{Username: "rex"})
	a, toks := s.mustSignIn(t, pool, client, "rex")
	first, _, _ := s.eng.ValidateAccess(ctx, pool, toks.AccessToken)

	s.clock.Add(10 * time.Minute)
	got, err := s.eng.Refresh(ctx, pool, client, toks.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if got.RefreshToken != "" || got.IDToken == "" || got.ExpiresIn != 3600 {
		t.Fatalf("refreshed %+v", got)
	}
	claims, _, err := s.eng.ValidateAccess(ctx, pool, got.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if at, _ := tokens.NumericClaim(claims, "auth_time"); at != a.AuthTime.Unix() {
		t.Errorf("auth_time %d, want %d", at, a.AuthTime.Unix())
	}
	if iat, _ := tokens.NumericClaim(claims, "iat"); iat != s.clock.Now().Unix() {
		t.Errorf("iat %d", iat)
	}
	if claims["origin_jti"] != first["origin_jti"] || claims["event_id"] != first["event_id"] || claims["jti"] == first["jti"] {
		t.Errorf("refreshed claims %v, first %v", claims, first)
	}
	id, _ := s.minter.Verify(ctx, pool.ID, got.IDToken)
	if at, _ := tokens.NumericClaim(id, "auth_time"); at != a.AuthTime.Unix() || id["origin_jti"] != first["origin_jti"] {
		t.Errorf("refreshed id token %v", id)
	}
	// Without rotation the same refresh token keeps working.
	if _, err := s.eng.Refresh(ctx, pool, client, toks.RefreshToken); err != nil {
		t.Fatalf("second refresh: %v", err)
	}

	tests := []struct {
		name   string
		pool   *storage.Pool
		client *storage.Client
		token  string
		want   error
	}{
		{name: "another client of the pool", pool: pool, client: other, token: toks.RefreshToken, want: auth.ErrRefreshInvalid},
		{name: "a client of another pool", pool: pool2, client: client2, token: toks.RefreshToken, want: auth.ErrRefreshInvalid},
		{name: "unknown token", pool: pool, client: client, token: "bm90LWEtdG9rZW4", want: auth.ErrRefreshInvalid},
		{name: "empty", pool: pool, client: client, token: "", want: auth.ErrRefreshInvalid},
		{name: "huge", pool: pool, client: client, token: strings.Repeat("a", 5000), want: auth.ErrRefreshInvalid},
		{name: "the access token", pool: pool, client: client, token: toks.AccessToken, want: auth.ErrRefreshInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.eng.Refresh(ctx, tt.pool, tt.client, tt.token)
			if !errors.Is(err, tt.want) || got != nil {
				t.Fatalf("Refresh = %v, %v; want %v", got, err, tt.want)
			}
		})
	}

	// A disabled user cannot refresh.
	u = s.reload(t, u)
	u.Enabled = false
	if err := s.dir.SaveUser(ctx, pool, u); err != nil {
		t.Fatal(err)
	}
	_, err = s.eng.Refresh(ctx, pool, client, toks.RefreshToken)
	wantErr(t, err, directory.KindNotAuthorized, "User is disabled.")
	u.Enabled = true
	if err := s.dir.SaveUser(ctx, pool, u); err != nil {
		t.Fatal(err)
	}

	// Expired: the refresh token lives 30 days.
	s.clock.Add(30 * 24 * time.Hour)
	_, err = s.eng.Refresh(ctx, pool, client, toks.RefreshToken)
	if !errors.Is(err, auth.ErrRefreshRevoked) {
		t.Fatalf("expired refresh token: %v", err)
	}
}

func TestRefreshRotation(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, func(c *storage.Client) { c.RefreshTokenRotation = true })
	s.user(t, pool, directory.NewUser{Username: "rot"})
	a, toks := s.mustSignIn(t, pool, client, "rot")
	first, _, _ := s.eng.ValidateAccess(ctx, pool, toks.AccessToken)

	token := toks.RefreshToken
	var used []string
	for i := range 3 {
		s.clock.Add(time.Minute)
		got, err := s.eng.Refresh(ctx, pool, client, token)
		if err != nil {
			t.Fatalf("refresh %d: %v", i, err)
		}
		if got.RefreshToken == "" || got.RefreshToken == token {
			t.Fatalf("refresh %d: no new refresh token", i)
		}
		claims, _, err := s.eng.ValidateAccess(ctx, pool, got.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if at, _ := tokens.NumericClaim(claims, "auth_time"); at != a.AuthTime.Unix() || claims["origin_jti"] != first["origin_jti"] {
			t.Fatalf("refresh %d claims %v", i, claims)
		}
		used = append(used, token)
		token = got.RefreshToken
	}
	for i, old := range used {
		if _, err := s.eng.Refresh(ctx, pool, client, old); !errors.Is(err, auth.ErrRefreshReuse) {
			t.Fatalf("used token %d: %v", i, err)
		}
	}
	// Revoking the latest token ends the whole family.
	if err := s.eng.Revoke(ctx, client, token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.eng.Refresh(ctx, pool, client, token); !errors.Is(err, auth.ErrRefreshRevoked) {
		t.Fatalf("revoked family: %v", err)
	}
	if _, _, err := s.eng.ValidateAccess(ctx, pool, toks.AccessToken); !errors.Is(err, auth.ErrAccessRevoked) {
		t.Fatalf("access token of a revoked family: %v", err)
	}
}

func TestRevoke(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, nil)
	other := s.client(t, pool, nil)
	s.user(t, pool, directory.NewUser{Username: "rob"})
	_, revoked := s.mustSignIn(t, pool, client, "rob")
	_, kept := s.mustSignIn(t, pool, client, "rob")
	refreshed, err := s.eng.Refresh(ctx, pool, client, revoked.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}

	if err := s.eng.Revoke(ctx, other, revoked.RefreshToken); !errors.Is(err, auth.ErrWrongClient) {
		t.Fatalf("revoke by another client: %v", err)
	}
	if _, err := s.eng.Refresh(ctx, pool, client, revoked.RefreshToken); err != nil {
		t.Fatalf("a refused revocation revoked: %v", err)
	}
	if err := s.eng.Revoke(ctx, client, "unknown-token"); err != nil {
		t.Fatalf("revoke an unknown token: %v", err)
	}
	if err := s.eng.Revoke(ctx, client, revoked.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if _, err := s.eng.Refresh(ctx, pool, client, revoked.RefreshToken); !errors.Is(err, auth.ErrRefreshRevoked) {
		t.Fatalf("refresh after revoke: %v", err)
	}
	// Every access token of the family dies, refreshed ones included.
	for _, tok := range []string{revoked.AccessToken, refreshed.AccessToken} {
		if _, _, err := s.eng.ValidateAccess(ctx, pool, tok); !errors.Is(err, auth.ErrAccessRevoked) {
			t.Fatalf("access token of a revoked family: %v", err)
		}
	}
	// Another sign-in's family lives on.
	if _, err := s.eng.Refresh(ctx, pool, client, kept.RefreshToken); err != nil {
		t.Fatalf("other family: %v", err)
	}
	if _, _, err := s.eng.ValidateAccess(ctx, pool, kept.AccessToken); err != nil {
		t.Fatalf("other family's access token: %v", err)
	}
	// Revoking twice is fine.
	if err := s.eng.Revoke(ctx, client, revoked.RefreshToken); err != nil {
		t.Fatalf("second revoke: %v", err)
	}
}

func TestGlobalSignOut(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, nil)
	web := s.client(t, pool, nil)
	u := s.user(t, pool, directory.NewUser{Username: "gus"})
	s.user(t, pool, directory.NewUser{Username: "bystander"})
	_, t1 := s.mustSignIn(t, pool, client, "gus")
	_, t2 := s.mustSignIn(t, pool, web, "gus")
	_, t3 := s.mustSignIn(t, pool, client, "bystander")

	s.clock.Add(time.Minute)
	if err := s.eng.GlobalSignOut(ctx, pool, u); err != nil {
		t.Fatal(err)
	}
	for i, tk := range []struct {
		c *storage.Client
		t *auth.Tokens
	}{{client, t1}, {web, t2}} {
		if _, err := s.eng.Refresh(ctx, pool, tk.c, tk.t.RefreshToken); !errors.Is(err, auth.ErrRefreshRevoked) {
			t.Fatalf("family %d refresh after global sign-out: %v", i, err)
		}
		if _, _, err := s.eng.ValidateAccess(ctx, pool, tk.t.AccessToken); !errors.Is(err, auth.ErrAccessRevoked) {
			t.Fatalf("family %d access after global sign-out: %v", i, err)
		}
	}
	if got := s.reload(t, u); !got.SignedOutAt.Equal(s.clock.Now()) {
		t.Fatalf("SignedOutAt %v", got.SignedOutAt)
	}
	// Other users keep their sessions.
	if _, _, err := s.eng.ValidateAccess(ctx, pool, t3.AccessToken); err != nil {
		t.Fatalf("bystander: %v", err)
	}
	// A new sign-in works.
	s.clock.Add(time.Second)
	_, t4 := s.mustSignIn(t, pool, client, "gus")
	if _, _, err := s.eng.ValidateAccess(ctx, pool, t4.AccessToken); err != nil {
		t.Fatalf("sign-in after global sign-out: %v", err)
	}
	if _, err := s.eng.Refresh(ctx, pool, client, t4.RefreshToken); err != nil {
		t.Fatalf("refresh after global sign-out: %v", err)
	}
}

// TestRefreshRotationRace: with rotation and no grace period, one refresh
// token used in parallel yields exactly one new token; the others are
// reuses.
func TestRefreshRotationRace(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, func(c *storage.Client) { c.RefreshTokenRotation = true })
	s.user(t, pool, directory.NewUser{Username: "race"})
	_, toks := s.mustSignIn(t, pool, client, "race")
	const n = 8
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
	won := 0
	for range n {
		r := <-results
		switch {
		case r.err == nil && r.t.RefreshToken != "":
			won++
		case errors.Is(r.err, auth.ErrRefreshReuse):
		default:
			t.Fatalf("parallel refresh: %+v, %v", r.t, r.err)
		}
	}
	if won != 1 {
		t.Fatalf("%d parallel refreshes of one token won", won)
	}
}
