package e2e

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// rp is a relying party built from golang.org/x/oauth2 and coreos/go-oidc.
type rp struct {
	conf     *oauth2.Config
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

func newRP(t *testing.T, issuer, clientID, secret, callback string) *rp {
	t.Helper()
	provider, err := oidc.NewProvider(t.Context(), issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	conf := &oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: provider.Endpoint(), RedirectURL: callback,
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
	return &rp{conf: conf, provider: provider, verifier: provider.Verifier(&oidc.Config{ClientID: clientID})}
}

// authorize runs the browser from the authorize URL to the callback,
// signing in when the sign-in page appears.
func authorize(t *testing.T, b *browser, authURL, username, password string) url.Values {
	t.Helper()
	resp, page := b.get(authURL)
	if isRedirect(resp) {
		return callbackParams(t, resp)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="password"`) {
		t.Fatalf("authorize: status %d, no sign-in page: %.300s", resp.StatusCode, page)
	}
	resp, page = b.signIn(resp.Request.URL, page, username, password)
	if !isRedirect(resp) {
		t.Fatalf("sign-in: status %d: %.500s", resp.StatusCode, page)
	}
	return callbackParams(t, resp)
}

func TestCodeFlowWithRealRelyingParty(t *testing.T) {
	ts := newTestServer(t)
	f := ts.fixture(t)
	ctx := t.Context()
	r := newRP(t, f.issuer, f.client.ID, f.secret, f.callback)
	b := newBrowser(t)

	state, nonce, verifier := "state-12345", "nonce-abcdef", oauth2.GenerateVerifier()
	q := authorize(t, b, r.conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), "alice", f.password)
	if q.Get("state") != state || q.Get("code") == "" {
		t.Fatalf("callback params %v", q)
	}
	tok, err := r.conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := r.verifier.Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if idt.Nonce != nonce {
		t.Errorf("nonce %q, want %q", idt.Nonce, nonce)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	var id map[string]any
	idt.Claims(&id)
	want := map[string]any{"sub": f.user.Sub, "aud": f.client.ID, "iss": f.issuer, "token_use": "id",
		"cognito:username": "alice", "email": "alice@example.com", "email_verified": true, "given_name": "Alice"}
	for k, v := range want {
		if id[k] != v {
			t.Errorf("ID token %s = %v, want %v", k, id[k], v)
		}
	}
	for _, k := range []string{"auth_time", "exp", "iat", "jti", "origin_jti", "event_id", "at_hash"} {
		if id[k] == nil {
			t.Errorf("ID token lacks %s", k)
		}
	}
	if g, _ := id["cognito:groups"].([]any); len(g) != 1 || g[0] != "staff" {
		t.Errorf("cognito:groups = %v", id["cognito:groups"])
	}
	access := decodeJWT(t, tok.AccessToken)
	wantAccess := map[string]any{"sub": f.user.Sub, "iss": f.issuer, "client_id": f.client.ID, "token_use": "access",
		"username": "alice", "version": float64(2), "scope": "openid email profile", "origin_jti": id["origin_jti"]}
	for k, v := range wantAccess {
		if access[k] != v {
			t.Errorf("access token %s = %v, want %v", k, access[k], v)
		}
	}
	if _, has := access["aud"]; has {
		t.Error("access token carries aud; Cognito's does not")
	}

	// userInfo with the access token.
	info, err := r.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	if info.Subject != f.user.Sub || info.Email != "alice@example.com" || !info.EmailVerified {
		t.Errorf("userinfo %+v", info)
	}

	// Refresh: new access and ID tokens, same family, original auth_time.
	refresh := tok.RefreshToken
	if refresh == "" {
		t.Fatal("no refresh token")
	}
	ts.clock.Advance(2 * 60e9)
	expired := *tok
	expired.Expiry = expired.Expiry.Add(-2 * 3600e9)
	fresh, err := r.conf.TokenSource(ctx, &expired).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.AccessToken == tok.AccessToken {
		t.Fatal("refresh returned the same access token")
	}
	fa := decodeJWT(t, fresh.AccessToken)
	if fa["origin_jti"] != access["origin_jti"] || fa["auth_time"] != access["auth_time"] {
		t.Errorf("refreshed token family/auth_time changed: %v vs %v", fa, access)
	}
	if rawFreshID, _ := fresh.Extra("id_token").(string); rawFreshID == "" {
		t.Error("refresh returned no ID token")
	} else if _, err := r.verifier.Verify(ctx, rawFreshID); err != nil {
		t.Errorf("refreshed ID token: %v", err)
	}

	// SSO: a second client signs in without the sign-in page.
	r2 := newRP(t, f.issuer, f.public.ID, "", f.callback)
	v2 := oauth2.GenerateVerifier()
	resp, _ := b.get(r2.conf.AuthCodeURL("second-state", oauth2.S256ChallengeOption(v2)))
	if !isRedirect(resp) {
		t.Fatalf("SSO on the second client showed a page (status %d)", resp.StatusCode)
	}
	q2 := callbackParams(t, resp)
	tok2, err := r2.conf.Exchange(ctx, q2.Get("code"), oauth2.VerifierOption(v2))
	if err != nil {
		t.Fatalf("second client exchange: %v", err)
	}
	if decodeJWT(t, tok2.AccessToken)["sub"] != f.user.Sub {
		t.Error("second client got another user")
	}

	// Revoke the first refresh token: it and its access tokens stop working;
	// the second client's tokens live on.
	rv, err := http.PostForm(f.issuer+"/oauth2/revoke", url.Values{"token": {refresh}, "client_id": {f.client.ID}, "client_secret": {f.secret}})
	if err != nil || rv.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %v %v", rv.StatusCode, err)
	}
	_, err = r.conf.TokenSource(ctx, &expired).Token()
	assertOAuthError(t, err, "invalid_grant")
	if _, err := r.provider.UserInfo(ctx, oauth2.StaticTokenSource(fresh)); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("userinfo after revoke: %v, want 401", err)
	}
	if _, err := r2.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok2)); err != nil {
		t.Errorf("other family's token refused after revoke: %v", err)
	}

	// Logout ends the SSO session and returns to the registered URL.
	resp, _ = b.get(f.issuer + "/logout?" + url.Values{"client_id": {f.client.ID}, "logout_uri": {f.logoutURL}}.Encode())
	if loc, _ := resp.Location(); resp.StatusCode != http.StatusFound || loc.String() != f.logoutURL {
		t.Fatalf("logout: status %d location %v", resp.StatusCode, loc)
	}
	resp, page := b.get(r.conf.AuthCodeURL("after-logout", oauth2.S256ChallengeOption(verifier)))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="password"`) {
		t.Fatalf("after logout the sign-in page must show again, got %d", resp.StatusCode)
	}
}

func decodeJWT(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64URL(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func assertOAuthError(t *testing.T, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("error %v, want OAuth error %s", err, code)
	}
	if re.ErrorCode != code {
		t.Fatalf("OAuth error %q (%s), want %q", re.ErrorCode, re.Body, code)
	}
}
