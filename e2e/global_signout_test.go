package e2e

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// TestGlobalSignOutEndsEverything: GlobalSignOut with an access token from
// InitiateAuth ends the user's tokens from the API and from the code flow
// alike, and their hosted UI session: the browser must sign in again.
func TestGlobalSignOutEndsEverything(t *testing.T) {
	ts := newTestServer(t)
	f := ts.fixture(t)
	b := newBrowser(t)
	verifier := oauth2.GenerateVerifier()
	code := codeFor(t, b, f, verifier)
	status, web := postToken(t, f, exchangeForm(f, code, verifier), true, f.secret)
	if status != http.StatusOK {
		t.Fatalf("code exchange: %d %v", status, web)
	}
	api := apiSignIn(t, ts, f.public.ID, "alice", f.password)

	status, out := cognitoCall(t, ts, "GlobalSignOut", map[string]any{"AccessToken": api["AccessToken"]})
	if status != http.StatusOK {
		t.Fatalf("GlobalSignOut: %d %v", status, out)
	}

	// The API's tokens.
	status, out = cognitoCall(t, ts, "GetUser", map[string]any{"AccessToken": api["AccessToken"]})
	if status != http.StatusBadRequest || out["__type"] != "NotAuthorizedException" || out["message"] != "Access Token has been revoked" {
		t.Errorf("GetUser after GlobalSignOut: %d %v", status, out)
	}
	status, out = cognitoCall(t, ts, "InitiateAuth", map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": f.public.ID,
		"AuthParameters": map[string]any{"REFRESH_TOKEN": api["RefreshToken"]}})
	if status != http.StatusBadRequest || out["__type"] != "NotAuthorizedException" || out["message"] != "Refresh Token has been revoked" {
		t.Errorf("refresh after GlobalSignOut: %d %v", status, out)
	}
	// The code flow's tokens.
	status, out = postToken(t, f, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {web["refresh_token"].(string)}}, true, f.secret)
	if status != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Errorf("/oauth2/token refresh after GlobalSignOut: %d %v", status, out)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, f.issuer+"/oauth2/userInfo", nil)
	req.Header.Set("Authorization", "Bearer "+web["access_token"].(string))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("userInfo after GlobalSignOut: %d", resp.StatusCode)
	}
	// The hosted UI session.
	resp, _ = b.get(authURL(f, f.client.ID, merge(pkce(), url.Values{"prompt": {"none"}})))
	if q := callbackParams(t, resp); q.Get("error") != "login_required" {
		t.Fatalf("prompt=none after GlobalSignOut: %v", q)
	}
	// Signing in again works everywhere.
	ts.clock.Advance(time.Second)
	apiSignIn(t, ts, f.public.ID, "alice", f.password)
	if code := codeFor(t, b, f, verifier); code == "" {
		t.Fatal("no code after signing in again")
	}
}
