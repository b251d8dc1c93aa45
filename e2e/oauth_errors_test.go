package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

func authURL(f *fixture, clientID string, extra url.Values) string {
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {f.callback},
		"scope": {"openid email"}, "state": {"st-123456"}}
	for k, v := range extra {
		q[k] = v
	}
	return f.issuer + "/oauth2/authorize?" + q.Encode()
}

// codeFor signs in (or reuses the session) and returns a code.
func codeFor(t *testing.T, b *browser, f *fixture, verifier string) string {
	t.Helper()
	q := authorize(t, b, authURL(f, f.client.ID, url.Values{"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)},
		"code_challenge_method": {"S256"}}), "alice", f.password)
	if q.Get("code") == "" {
		t.Fatalf("no code: %v", q)
	}
	return q.Get("code")
}

func postToken(t *testing.T, f *fixture, form url.Values, basic bool, secret string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.issuer+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(f.client.ID, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func exchangeForm(f *fixture, code, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {f.callback}, "code_verifier": {verifier}}
}

func TestAuthorizeRefusesBadRedirects(t *testing.T) {
	ts := newTestServer(t)
	f := ts.fixture(t)
	b := newBrowser(t)
	cases := []struct {
		name, clientID, redirect string
	}{
		{"unregistered", f.client.ID, "https://evil.example/callback"},
		{"near miss: trailing slash", f.client.ID, f.callback + "/"},
		{"near miss: other port", f.client.ID, "http://127.0.0.1:9998/callback"},
		{"near miss: extra query", f.client.ID, f.callback + "?x=1"},
		{"unknown client", "nosuchclient", f.callback},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, page := b.get(authURL(f, c.clientID, url.Values{"redirect_uri": {c.redirect},
				"code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"}}))
			if isRedirect(resp) {
				t.Fatalf("redirected to %s", resp.Header.Get("Location"))
			}
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Fatalf("status %d, want a 4xx error page", resp.StatusCode)
			}
			if !alertRe.MatchString(page) {
				t.Fatalf("no role=alert explanation: %.300s", page)
			}
		})
	}
}

func TestAuthorizeErrorsRedirectToClient(t *testing.T) {
	ts := newTestServer(t)
	f := ts.fixture(t)
	b := newBrowser(t)
	cases := []struct {
		name  string
		extra url.Values
		code  string
	}{
		{"prompt=none without session", url.Values{"prompt": {"none"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"}}, "login_required"},
		{"PKCE plain refused", url.Values{"code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"plain"}}, "invalid_request"},
		{"scope not allowed", url.Values{"scope": {"openid admin:everything"}}, "invalid_scope"},
		{"unsupported response type", url.Values{"response_type": {"token"}}, "unsupported_response_type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, _ := b.get(authURL(f, f.client.ID, c.extra))
			q := callbackParams(t, resp)
			if q.Get("error") != c.code {
				t.Fatalf("error %q (%s), want %q", q.Get("error"), q.Get("error_description"), c.code)
			}
			if q.Get("state") != "st-123456" {
				t.Errorf("state not echoed: %v", q)
			}
		})
	}
	// A public client must use PKCE.
	resp, _ := b.get(authURL(f, f.public.ID, nil))
	if q := callbackParams(t, resp); q.Get("error") != "invalid_request" {
		t.Fatalf("public client without PKCE: %v", q)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	ts := newTestServer(t)
	f := ts.fixture(t)
	b := newBrowser(t)

	t.Run("wrong PKCE verifier", func(t *testing.T) {
		code := codeFor(t, b, f, oauth2.GenerateVerifier())
		status, body := postToken(t, f, exchangeForm(f, code, oauth2.GenerateVerifier()), true, f.secret)
		if status != 400 || body["error"] != "invalid_grant" {
			t.Fatalf("%d %v", status, body)
		}
	})
	t.Run("wrong client secret", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code := codeFor(t, b, f, v)
		status, body := postToken(t, f, exchangeForm(f, code, v), true, f.secret+"x")
		if status != 401 || body["error"] != "invalid_client" {
			t.Fatalf("%d %v", status, body)
		}
	})
	t.Run("replayed code revokes what it minted", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code := codeFor(t, b, f, v)
		status, first := postToken(t, f, exchangeForm(f, code, v), true, f.secret)
		if status != 200 {
			t.Fatalf("first exchange %d %v", status, first)
		}
		status, body := postToken(t, f, exchangeForm(f, code, v), true, f.secret)
		if status != 400 || body["error"] != "invalid_grant" {
			t.Fatalf("replay: %d %v", status, body)
		}
		status, body = postToken(t, f, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first["refresh_token"].(string)}}, true, f.secret)
		if status != 400 || body["error"] != "invalid_grant" {
			t.Fatalf("refresh token of a replayed code still works: %d %v", status, body)
		}
		req, _ := http.NewRequest(http.MethodGet, f.issuer+"/oauth2/userInfo", nil)
		req.Header.Set("Authorization", "Bearer "+first["access_token"].(string))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 401 {
			t.Fatalf("access token of a replayed code still works: %v %v", resp.StatusCode, err)
		}
	})
	t.Run("expired code", func(t *testing.T) {
		v := oauth2.GenerateVerifier()
		code := codeFor(t, b, f, v)
		ts.clock.Advance(5*time.Minute + time.Second)
		status, body := postToken(t, f, exchangeForm(f, code, v), true, f.secret)
		if status != 400 || body["error"] != "invalid_grant" {
			t.Fatalf("%d %v", status, body)
		}
	})
	t.Run("malformed and oversized", func(t *testing.T) {
		for _, body := range []string{"grant_type=", "%%%", "grant_type=password&username=a&password=b", "grant_type=authorization_code&code=" + strings.Repeat("A", 200<<10)} {
			resp, err := http.Post(f.issuer+"/oauth2/token", "application/x-www-form-urlencoded", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("body %.30q: status %d, want 4xx", body, resp.StatusCode)
			}
		}
	})
}

func TestSignInPageErrors(t *testing.T) {
	ts := newTestServer(t)
	f := ts.fixture(t)
	b := newBrowser(t)
	resp, page := b.get(authURL(f, f.client.ID, url.Values{"code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"}}))
	action := actionRe.FindStringSubmatch(page)
	if action == nil {
		t.Fatalf("no form: %d", resp.StatusCode)
	}
	target, _ := resp.Request.URL.Parse(strings.ReplaceAll(action[1], "&amp;", "&"))

	// Without the CSRF token the form is refused.
	r2, body := b.postForm(target.String(), url.Values{"username": {"alice"}, "password": {f.password}})
	if r2.StatusCode != http.StatusForbidden || !alertRe.MatchString(body) {
		t.Fatalf("missing CSRF: status %d", r2.StatusCode)
	}
	// A wrong password and an unknown user read the same.
	_, wrong := b.signIn(resp.Request.URL, page, "alice", "nope")
	_, unknown := b.signIn(resp.Request.URL, page, "nobody", "nope")
	mw, mu := alertRe.FindStringSubmatch(wrong), alertRe.FindStringSubmatch(unknown)
	if mw == nil || mu == nil || mw[1] != mu[1] || !strings.Contains(mw[1], "Incorrect") {
		t.Fatalf("alerts %q / %q", mw, mu)
	}
}

func TestTamperedAndForeignTokens(t *testing.T) {
	ts := newTestServer(t)
	f := ts.fixture(t)
	b := newBrowser(t)
	v := oauth2.GenerateVerifier()
	code := codeFor(t, b, f, v)
	_, tok := postToken(t, f, exchangeForm(f, code, v), true, f.secret)
	at := tok["access_token"].(string)
	parts := strings.Split(at, ".")
	claims := decodeJWT(t, at)
	claims["sub"] = "someone-else"
	forged, _ := json.Marshal(claims)
	tampered := parts[0] + "." + b64(forged) + "." + parts[2]
	for name, token := range map[string]string{"tampered payload": tampered, "no signature": parts[0] + "." + parts[1] + ".", "garbage": "abc"} {
		req, _ := http.NewRequest(http.MethodGet, f.issuer+"/oauth2/userInfo", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("%s: status %d, want 401", name, resp.StatusCode)
		}
	}
	// A token of another pool is refused.
	other, err := ts.Dir.CreatePool(context.Background(), &storage.Pool{Name: "other"}, "")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/"+other.ID+"/oauth2/userInfo", nil)
	req.Header.Set("Authorization", "Bearer "+at)
	resp, _ := http.DefaultClient.Do(req)
	if resp.StatusCode != 401 {
		t.Errorf("foreign pool token: %d", resp.StatusCode)
	}
}

func TestClientCredentials(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	pool, c, secret := m2mPool(t, ts)
	iss := ts.URL + "/" + pool.ID
	cc := clientcredentials.Config{ClientID: c.ID, ClientSecret: secret, TokenURL: iss + "/oauth2/token"}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	claims := decodeJWT(t, tok.AccessToken)
	if claims["sub"] != c.ID || claims["client_id"] != c.ID || claims["scope"] != "https://api.example/read" || claims["token_use"] != "access" {
		t.Fatalf("claims %v", claims)
	}
	cc.Scopes = []string{"https://api.example/write"}
	_, err = cc.Token(ctx)
	assertOAuthError(t, err, "invalid_scope")
	cc.Scopes, cc.ClientSecret = nil, "wrong"
	_, err = cc.Token(ctx)
	assertOAuthError(t, err, "invalid_client")
}
