package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// pkce returns authorize parameters for a fresh S256 challenge.
func pkce() url.Values {
	return url.Values{"code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"}}
}

func merge(a, b url.Values) url.Values {
	out := url.Values{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// TestPromptAndMaxAge: prompt=none with a session answers silently,
// prompt=login and a stale max_age force the sign-in page again.
func TestPromptAndMaxAge(t *testing.T) {
	ts := newTestServer(t)
	f := ts.fixture(t)
	b := newBrowser(t)
	authorize(t, b, authURL(f, f.client.ID, pkce()), "alice", f.password)

	resp, _ := b.get(authURL(f, f.client.ID, merge(pkce(), url.Values{"prompt": {"none"}})))
	if q := callbackParams(t, resp); q.Get("code") == "" {
		t.Fatalf("prompt=none with a session: %v", q)
	}
	resp, page := b.get(authURL(f, f.client.ID, merge(pkce(), url.Values{"prompt": {"login"}})))
	if isRedirect(resp) || !strings.Contains(page, `name="password"`) {
		t.Fatalf("prompt=login did not show the sign-in page (status %d)", resp.StatusCode)
	}
	resp, page = b.signIn(resp.Request.URL, page, "alice", f.password)
	if q := callbackParams(t, resp); q.Get("code") == "" {
		t.Fatalf("prompt=login sign-in: %v %.200s", q, page)
	}

	ts.clock.Advance(10 * time.Minute)
	resp, _ = b.get(authURL(f, f.client.ID, merge(pkce(), url.Values{"max_age": {"900"}})))
	if !isRedirect(resp) {
		t.Fatalf("max_age=900 after 10 minutes asked to sign in again (status %d)", resp.StatusCode)
	}
	resp, page = b.get(authURL(f, f.client.ID, merge(pkce(), url.Values{"max_age": {"60"}})))
	if isRedirect(resp) || !strings.Contains(page, `name="password"`) {
		t.Fatalf("stale max_age did not force a sign-in (status %d)", resp.StatusCode)
	}
	// The SSO session lasts an hour.
	ts.clock.Advance(time.Hour)
	resp, _ = b.get(authURL(f, f.client.ID, merge(pkce(), url.Values{"prompt": {"none"}})))
	if q := callbackParams(t, resp); q.Get("error") != "login_required" {
		t.Fatalf("prompt=none after the session expired: %v", q)
	}
}

// TestRPInitiatedLogout: id_token_hint + post_logout_redirect_uri + state.
func TestRPInitiatedLogout(t *testing.T) {
	ts := newTestServer(t)
	f := ts.fixture(t)
	b := newBrowser(t)
	v := oauth2.GenerateVerifier()
	code := codeFor(t, b, f, v)
	_, tok := postToken(t, f, exchangeForm(f, code, v), true, f.secret)
	idToken := tok["id_token"].(string)

	resp, page := b.get(f.issuer + "/logout?" + url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {"https://evil.example/"}}.Encode())
	if isRedirect(resp) || resp.StatusCode != http.StatusBadRequest || !alertRe.MatchString(page) {
		t.Fatalf("unregistered post-logout URL: status %d", resp.StatusCode)
	}
	resp, _ = b.get(f.issuer + "/logout?" + url.Values{"id_token_hint": {idToken[:len(idToken)-3] + "abc"}, "post_logout_redirect_uri": {f.logoutURL}}.Encode())
	if isRedirect(resp) {
		t.Fatal("a forged id_token_hint was obeyed")
	}
	resp, _ = b.get(f.issuer + "/logout?" + url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {f.logoutURL}, "state": {"bye-1"}}.Encode())
	loc, _ := resp.Location()
	if !isRedirect(resp) || loc == nil || loc.Query().Get("state") != "bye-1" || !strings.HasPrefix(loc.String(), f.logoutURL) {
		t.Fatalf("logout: status %d location %v", resp.StatusCode, loc)
	}
	resp, _ = b.get(authURL(f, f.client.ID, merge(pkce(), url.Values{"prompt": {"none"}})))
	if q := callbackParams(t, resp); q.Get("error") != "login_required" {
		t.Fatalf("session survived logout: %v", q)
	}
	// Cognito's form with an unknown logout_uri: an error page, no redirect.
	resp, _ = b.get(f.issuer + "/logout?" + url.Values{"client_id": {f.client.ID}, "logout_uri": {f.logoutURL + "x"}}.Encode())
	if isRedirect(resp) || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown logout_uri: status %d", resp.StatusCode)
	}
}

// TestDiscoveryJWKSUserInfo covers the public documents' caching and CORS
// and userInfo by POST.
func TestDiscoveryJWKSUserInfo(t *testing.T) {
	ts := newTestServer(t)
	f := ts.fixture(t)
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/jwks.json"} {
		resp, err := http.Get(f.issuer + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		tag := resp.Header.Get("ETag")
		if resp.StatusCode != 200 || tag == "" || resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Cache-Control") == "" {
			t.Fatalf("%s: %d %v", path, resp.StatusCode, resp.Header)
		}
		req, _ := http.NewRequest(http.MethodGet, f.issuer+path, nil)
		req.Header.Set("If-None-Match", tag)
		resp, err = http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusNotModified {
			t.Fatalf("%s with If-None-Match: %v %v", path, resp.StatusCode, err)
		}
	}
	var doc map[string]any
	resp, _ := http.Get(f.issuer + "/.well-known/openid-configuration")
	json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if doc["issuer"] != f.issuer || doc["end_session_endpoint"] != f.issuer+"/logout" || doc["userinfo_endpoint"] != f.issuer+"/oauth2/userInfo" {
		t.Fatalf("discovery %v", doc)
	}
	if resp, _ := http.Get(ts.URL + "/us-east-1_NoSuchPoo/.well-known/openid-configuration"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown pool: %d", resp.StatusCode)
	}

	b := newBrowser(t)
	v := oauth2.GenerateVerifier()
	code := codeFor(t, b, f, v)
	_, tok := postToken(t, f, exchangeForm(f, code, v), true, f.secret)
	req, _ := http.NewRequest(http.MethodPost, f.issuer+"/oauth2/userInfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
	req.Header.Set("Origin", "http://127.0.0.1:9999")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if resp.StatusCode != 200 || info["sub"] != f.user.Sub || info["email"] != "alice@example.com" {
		t.Fatalf("userinfo POST: %d %v", resp.StatusCode, info)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:9999" {
		t.Errorf("CORS for a client's callback origin: %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}
	req.Header.Set("Origin", "https://evil.example")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS allowed a foreign origin")
	}
}
