package federation_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/federation"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		name, url string
		ok        bool
	}{
		{"https", "https://accounts.google.com", true},
		{"https with path", "https://idp.example.com/realms/x", true},
		{"http localhost", "http://localhost:8080/x", true},
		{"http 127.0.0.1", "http://127.0.0.1:9999", true},
		{"http 127.5.5.5", "http://127.5.5.5", true},
		{"http ::1", "http://[::1]:80/", true},
		{"http public", "http://idp.example.com", false},
		{"http private", "http://10.0.0.1", false},
		{"http localhost lookalike", "http://localhost.example.com", false},
		{"ftp", "ftp://localhost/x", false},
		{"relative", "/x", false},
		{"credentials", "https://u:p@idp.example.com", false},
		{"garbage", "::", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := federation.CheckURL("oidc_issuer", tt.url)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckURL(%q) = %v, want ok=%v", tt.url, err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, federation.ErrInvalidConfig) || !strings.Contains(err.Error(), "oidc_issuer") {
					t.Fatalf("error %q does not name the key or match ErrInvalidConfig", err)
				}
			}
		})
	}
}

func TestProviderConfig(t *testing.T) {
	c := federation.ProviderConfig{Details: map[string]string{
		"client_id": " abc ", "IDPInit": "TRUE", "IDPSignout": "maybe", "authorize_url": "http://evil.example.com",
	}}
	if v, err := c.Require("client_id"); err != nil || v != "abc" {
		t.Fatalf("Require = %q, %v", v, err)
	}
	var ce *federation.ConfigError
	if _, err := c.Require("client_secret"); !errors.As(err, &ce) || ce.Key != "client_secret" {
		t.Fatalf("Require missing = %v", err)
	}
	if b, err := c.Bool("IDPInit", false); err != nil || !b {
		t.Fatalf("Bool IDPInit = %v, %v", b, err)
	}
	if _, err := c.Bool("IDPSignout", false); !errors.As(err, &ce) || ce.Key != "IDPSignout" {
		t.Fatalf("Bool bad = %v", err)
	}
	if b, err := c.Bool("EncryptedResponses", true); err != nil || !b {
		t.Fatalf("Bool default = %v, %v", b, err)
	}
	if _, err := c.URL("authorize_url", ""); !errors.As(err, &ce) || ce.Key != "authorize_url" {
		t.Fatalf("URL http = %v", err)
	}
	if u, err := c.URL("token_url", "https://example.com/t"); err != nil || u != "https://example.com/t" {
		t.Fatalf("URL default = %q, %v", u, err)
	}
}

func TestScopes(t *testing.T) {
	got := federation.Scopes("public_profile, email  openid\tprofile")
	want := []string{"public_profile", "email", "openid", "profile"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Scopes = %q", got)
	}
}

func TestRegistry(t *testing.T) {
	var gotEnv federation.Env
	reg := federation.Registry{"OIDC": func(ctx context.Context, cfg federation.ProviderConfig, env federation.Env) (federation.Connector, error) {
		gotEnv = env
		return nil, nil
	}}
	if _, err := reg.Open(t.Context(), federation.ProviderConfig{Type: "OIDC"}, federation.Env{}); err != nil {
		t.Fatal(err)
	}
	if gotEnv.HTTPClient == nil || gotEnv.Now == nil || gotEnv.Logger == nil || gotEnv.Rand == nil || gotEnv.ReplayCache == nil {
		t.Fatalf("Open did not fill the Env defaults: %+v", gotEnv)
	}
	_, err := reg.Open(t.Context(), federation.ProviderConfig{Type: "Twitter"}, federation.Env{})
	if !errors.Is(err, federation.ErrInvalidConfig) || !strings.Contains(err.Error(), "Twitter") {
		t.Fatalf("unknown type: %v", err)
	}
}

func TestDefaultAttributeMapping(t *testing.T) {
	for typ, want := range map[string]string{"OIDC": "sub", "Google": "sub", "SignInWithApple": "sub", "Facebook": "id", "LoginWithAmazon": "user_id", "SAML": ""} {
		if got := federation.DefaultAttributeMapping(typ)["username"]; got != want {
			t.Errorf("%s: username ← %q, want %q", typ, got, want)
		}
	}
}

func TestNewLoginState(t *testing.T) {
	a, err := federation.NewLoginState("https://x/oauth2/idpresponse", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := federation.NewLoginState("https://x/oauth2/idpresponse", nil)
	if a.State == b.State || a.Nonce == a.State || len(a.PKCEVerifier) != 43 || a.CallbackURL == "" {
		t.Fatalf("weak login state: %+v %+v", a, b)
	}
}

func TestParseCallback(t *testing.T) {
	st := federation.LoginState{State: "s1"}
	tests := []struct {
		name     string
		req      *http.Request
		wantCode string
		wantErr  error
	}{
		{"code", httptest.NewRequest("GET", "/cb?code=c1&state=s1", nil), "c1", nil},
		{"form_post", postForm("code=c2&state=s1&user=%7B%7D"), "c2", nil},
		{"form_post ignores the query", postFormURL("/cb?state=s1&code=evil", "code=c3&state=s1"), "c3", nil},
		{"form_post state only in query", postFormURL("/cb?state=s1", "code=c3"), "", federation.ErrBadState},
		{"missing state", httptest.NewRequest("GET", "/cb?code=c1", nil), "", federation.ErrBadState},
		{"other state", httptest.NewRequest("GET", "/cb?code=c1&state=s2", nil), "", federation.ErrBadState},
		{"two states", httptest.NewRequest("GET", "/cb?code=c1&state=s1&state=s2", nil), "", federation.ErrBadState},
		{"cancelled", httptest.NewRequest("GET", "/cb?error=access_denied&state=s1", nil), "", federation.ErrCancelled},
		{"cancelled with other state", httptest.NewRequest("GET", "/cb?error=access_denied&state=zz", nil), "", federation.ErrBadState},
		{"upstream error", httptest.NewRequest("GET", "/cb?error=server_error&error_description=boom&state=s1", nil), "", federation.ErrUpstreamError},
		{"no code", httptest.NewRequest("GET", "/cb?state=s1", nil), "", federation.ErrInvalidResponse},
		{"bad query", httptest.NewRequest("GET", "/cb?state=s1&code=%zz", nil), "", federation.ErrInvalidResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, err := federation.ParseCallback(tt.req, st)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || code != tt.wantCode {
				t.Fatalf("= %q, %v; want %q", code, err, tt.wantCode)
			}
		})
	}
	if _, _, err := federation.ParseCallback(httptest.NewRequest("GET", "/cb?code=c&state=", nil), federation.LoginState{}); !errors.Is(err, federation.ErrBadState) {
		t.Fatalf("empty stored state accepted: %v", err)
	}
	if got := federation.CallbackState(postForm("code=c2&state=s9")); got != "s9" {
		t.Fatalf("CallbackState(form_post) = %q", got)
	}
	if got := federation.CallbackState(httptest.NewRequest("GET", "/cb?state=s8", nil)); got != "s8" {
		t.Fatalf("CallbackState(query) = %q", got)
	}
}

func postForm(body string) *http.Request { return postFormURL("/cb", body) }

func postFormURL(target, body string) *http.Request {
	r := httptest.NewRequest("POST", target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestUpstreamError(t *testing.T) {
	c := &federation.UpstreamError{Code: "access_denied"}
	if !errors.Is(c, federation.ErrCancelled) || errors.Is(c, federation.ErrUpstreamError) {
		t.Fatal("access_denied should be ErrCancelled only")
	}
	s := &federation.UpstreamError{Code: "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"}
	if !errors.Is(s, federation.ErrCancelled) {
		t.Fatal("SAML RequestDenied should be ErrCancelled")
	}
	o := &federation.UpstreamError{Code: "invalid_grant", Description: "used"}
	if !errors.Is(o, federation.ErrUpstreamError) || errors.Is(o, federation.ErrCancelled) || !strings.Contains(o.Error(), "used") {
		t.Fatal("invalid_grant should be ErrUpstreamError")
	}
}

func TestMemoryReplayCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := federation.NewMemoryReplayCache(func() time.Time { return now })
	ctx := t.Context()
	if err := c.Consume(ctx, "a1", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := c.Consume(ctx, "a1", now.Add(time.Minute)); !errors.Is(err, federation.ErrReplayed) {
		t.Fatalf("replay = %v", err)
	}
	now = now.Add(2 * time.Minute)
	if err := c.Consume(ctx, "a1", now.Add(time.Minute)); err != nil {
		t.Fatalf("expired entry still refused: %v", err)
	}
}

func TestClaimsToAttributes(t *testing.T) {
	got := federation.ClaimsToAttributes(map[string]any{
		"sub": "u1", "email_verified": true, "updated_at": float64(1700000000), "score": 1.5,
		"groups": []any{"a", "b"}, "address": map[string]any{"country": "DE"}, "nothing": nil,
	})
	want := map[string]string{"sub": "u1", "email_verified": "true", "updated_at": "1700000000", "score": "1.5",
		"groups": "a|b", "address": `{"country":"DE"}`}
	for k, w := range want {
		if strings.Join(got[k], "|") != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if _, ok := got["nothing"]; ok {
		t.Error("null claim kept")
	}
	if !federation.ClaimBool("true") || !federation.ClaimBool(true) || federation.ClaimBool("no") || federation.ClaimBool(1.0) {
		t.Error("ClaimBool")
	}
}

func TestMapAttributes(t *testing.T) {
	id := federation.Identity{
		Attributes: map[string][]string{
			"email":          {"a@example.com"},
			"email_verified": {"true"},
			"http://schemas.xmlsoap.org/claims/Group": {"admins", "staff"},
			"long": {strings.Repeat("x", federation.MaxAttributeLength+1)},
			"sub":  {"u1"},
		},
		AccessToken: "at", IDToken: "it",
	}
	tests := []struct {
		name    string
		mapping map[string]string
		want    map[string]string
		wantErr bool
	}{
		{"simple", map[string]string{"email": "email", "username": "sub"}, map[string]string{"email": "a@example.com", "username": "u1"}, false},
		{"verified only when mapped", map[string]string{"email": "email"}, map[string]string{"email": "a@example.com"}, false},
		{"verified mapped", map[string]string{"email": "email", "email_verified": "email_verified"}, map[string]string{"email": "a@example.com", "email_verified": "true"}, false},
		{"multi-valued", map[string]string{"custom:groups": "http://schemas.xmlsoap.org/claims/Group"}, map[string]string{"custom:groups": "[admins, staff]"}, false},
		{"absent left out", map[string]string{"given_name": "given_name"}, map[string]string{}, false},
		{"tokens", map[string]string{"custom:at": "access_token", "custom:it": "id_token"}, map[string]string{"custom:at": "at", "custom:it": "it"}, false},
		{"too long", map[string]string{"custom:x": "long"}, nil, true},
		{"nil mapping", nil, map[string]string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := federation.MapAttributes(tt.mapping, id)
			if tt.wantErr {
				if !errors.Is(err, federation.ErrInvalidResponse) || !strings.Contains(err.Error(), "custom:x") {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestNewHTTPClient(t *testing.T) {
	if _, err := federation.NewHTTPClient([]byte("not pem")); !errors.Is(err, federation.ErrInvalidConfig) {
		t.Fatalf("bad PEM accepted: %v", err)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	pemBytes := pemCert(srv.Certificate().Raw)
	c, err := federation.NewHTTPClient(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatalf("extra root not trusted: %v", err)
	}
	resp.Body.Close()
	if _, err := url.Parse(srv.URL); err != nil {
		t.Fatal(err)
	}
}
