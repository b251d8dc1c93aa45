package oidc_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/federation/federationtest"
	"github.com/gatehouse-id/gatehouse/federation/oidc"
)

func newUpstream(t *testing.T) *federationtest.OIDCProvider {
	up := federationtest.NewOIDCProvider(t)
	up.AddClient(federationtest.Client{ID: "gatehouse", Secret: "s3cret", RedirectURIs: []string{federationtest.CallbackURL}})
	up.AddUser(federationtest.User{
		ID: "u-1", Username: "alice", Password: "pw", Email: "alice@example.com", EmailVerified: true,
		GivenName: "Alice", FamilyName: "Liddell", Claims: map[string]any{"groups": []string{"a", "b"}},
	})
	return up
}

func details(up *federationtest.OIDCProvider, extra ...string) map[string]string {
	d := map[string]string{"client_id": "gatehouse", "client_secret": "s3cret", "oidc_issuer": up.Issuer, "authorize_scopes": "openid email profile"}
	for i := 0; i+1 < len(extra); i += 2 {
		d[extra[i]] = extra[i+1]
	}
	return d
}

func checkAlice(t *testing.T, id federation.Identity) {
	t.Helper()
	if id.Subject != "u-1" || id.Email != "alice@example.com" || !id.EmailVerified || id.Issuer == "" {
		t.Fatalf("identity = %+v", id)
	}
	if got := id.Attributes["given_name"]; len(got) != 1 || got[0] != "Alice" {
		t.Fatalf("given_name = %q", got)
	}
	if got := id.Attributes["groups"]; strings.Join(got, ",") != "a,b" {
		t.Fatalf("groups = %q", got)
	}
	if id.IDToken == "" || id.Expiry.IsZero() {
		t.Fatalf("no ID token or expiry: %+v", id)
	}
	m, err := federation.MapAttributes(map[string]string{"email": "email", "email_verified": "email_verified", "username": "sub"}, id)
	if err != nil || m["email"] != "alice@example.com" || m["email_verified"] != "true" || m["username"] != "u-1" {
		t.Fatalf("mapped = %v, %v", m, err)
	}
}

func TestConformance(t *testing.T) {
	up := newUpstream(t)
	federationtest.RunProviderTests(t, federationtest.ProviderTest{
		Open: func(t *testing.T, env federation.Env) federation.Connector {
			c, err := oidc.Open(t.Context(), federation.ProviderConfig{Name: "Corp", Type: "OIDC", Details: details(up)}, env)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		Upstream: up, Username: "alice", Password: "pw",
		Check:  checkAlice,
		Signed: true, Nonce: true, Cancel: true, DownAtLogin: true,
	})
}

func TestConformanceWithoutDiscovery(t *testing.T) {
	up := newUpstream(t)
	federationtest.RunProviderTests(t, federationtest.ProviderTest{
		Open: func(t *testing.T, env federation.Env) federation.Connector {
			c, err := oidc.Open(t.Context(), federation.ProviderConfig{Name: "Corp", Type: "OIDC", Details: details(up,
				"authorize_url", up.AuthURL(), "token_url", up.TokenURL(), "attributes_url", up.UserInfoURL(), "jwks_uri", up.JWKSURL(),
				"attributes_request_method", "POST")}, env)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		Upstream: up, Username: "alice", Password: "pw",
		Check:  checkAlice,
		Signed: true, Nonce: true, Cancel: true,
	})
	if m := up.UserInfoMethods(); len(m) == 0 || slices.ContainsFunc(m, func(s string) bool { return s != "POST" }) {
		t.Fatalf("userinfo methods = %v, want POST only", m)
	}
}

func signIn(t *testing.T, c federation.RedirectConnector, user, pass string) (federation.Identity, error) {
	t.Helper()
	st, _ := federation.NewLoginState(federationtest.CallbackURL, nil)
	u, err := c.LoginURL(t.Context(), st)
	if err != nil {
		t.Fatal(err)
	}
	a, err := federationtest.NewBrowser(federationtest.CallbackURL, user, pass).Visit(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	return c.HandleCallback(t.Context(), st, a.Request())
}

func TestClientAuthentication(t *testing.T) {
	up := newUpstream(t)
	for _, style := range []string{"", "client_secret_post", "client_secret_basic"} {
		c, err := oidc.New(oidc.Config{Issuer: up.Issuer, ClientID: "gatehouse", ClientSecret: "s3cret", Scopes: []string{"email"}, AuthStyle: style}, federation.Env{CallbackURL: federationtest.CallbackURL})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := signIn(t, c, "alice", "pw"); err != nil {
			t.Fatalf("%q: %v", style, err)
		}
	}
	if got := up.TokenAuth(); strings.Join(got, ",") != "basic,post,basic" {
		t.Fatalf("token endpoint auth = %v", got)
	}
	// openid was added to the scopes.
	for _, a := range up.AuthRequests() {
		if !slices.Contains(a.Scopes, "openid") || a.CodeChallenge == nil || a.Nonce == "" {
			t.Fatalf("auth request = %+v", a)
		}
	}
}

func TestWrongSecret(t *testing.T) {
	up := newUpstream(t)
	c, err := oidc.Open(t.Context(), federation.ProviderConfig{Type: "OIDC", Details: details(up, "client_secret", "nope")}, federation.Env{CallbackURL: federationtest.CallbackURL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = signIn(t, c.(federation.RedirectConnector), "alice", "pw")
	if !errors.Is(err, federation.ErrUpstreamError) {
		t.Fatalf("err = %v", err)
	}
}

func TestRefresh(t *testing.T) {
	up := newUpstream(t)
	c, err := oidc.Open(t.Context(), federation.ProviderConfig{Type: "OIDC", Details: details(up, "authorize_scopes", "openid email offline_access")}, federation.Env{CallbackURL: federationtest.CallbackURL})
	if err != nil {
		t.Fatal(err)
	}
	id, err := signIn(t, c.(federation.RedirectConnector), "alice", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if id.RefreshToken == "" {
		t.Fatal("no refresh token with offline_access")
	}
	r := c.(federation.RefreshConnector)
	id2, err := r.Refresh(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if id2.Subject != "u-1" || id2.AccessToken == id.AccessToken || id2.RefreshToken == "" {
		t.Fatalf("refreshed = %+v", id2)
	}
	if _, err := r.Refresh(t.Context(), id); !errors.Is(err, federation.ErrUpstreamError) {
		t.Fatalf("rotated refresh token accepted again: %v", err)
	}
	if _, err := r.Refresh(t.Context(), federation.Identity{}); !errors.Is(err, federation.ErrNotSupported) {
		t.Fatalf("no refresh token: %v", err)
	}
}

func TestDiscoveryIssuerMismatch(t *testing.T) {
	up := newUpstream(t)
	c, err := oidc.Open(t.Context(), federation.ProviderConfig{Type: "OIDC", Details: details(up, "oidc_issuer", up.Issuer+"/")}, federation.Env{CallbackURL: federationtest.CallbackURL})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := federation.NewLoginState(federationtest.CallbackURL, nil)
	if _, err := c.(federation.RedirectConnector).LoginURL(t.Context(), st); !errors.Is(err, federation.ErrInvalidResponse) {
		t.Fatalf("err = %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		details map[string]string
		key     string
	}{
		{"no client_id", map[string]string{"oidc_issuer": "https://idp.example.com"}, "client_id"},
		{"no issuer", map[string]string{"client_id": "x"}, "oidc_issuer"},
		{"http issuer", map[string]string{"client_id": "x", "oidc_issuer": "http://idp.example.com"}, "oidc_issuer"},
		{"http token_url", map[string]string{"client_id": "x", "oidc_issuer": "https://idp.example.com", "token_url": "http://idp.example.com/t"}, "token_url"},
		{"bad method", map[string]string{"client_id": "x", "oidc_issuer": "https://idp.example.com", "attributes_request_method": "PUT"}, "attributes_request_method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := oidc.Open(t.Context(), federation.ProviderConfig{Type: "OIDC", Details: tt.details}, federation.Env{})
			var ce *federation.ConfigError
			if !errors.As(err, &ce) || ce.Key != tt.key {
				t.Fatalf("err = %v, want a ConfigError for %s", err, tt.key)
			}
		})
	}
	reg := federation.Registry{}
	oidc.Register(reg)
	if _, err := reg.Open(t.Context(), federation.ProviderConfig{Type: "OIDC", Details: map[string]string{"client_id": "x", "oidc_issuer": "https://idp.example.com"}}, federation.Env{}); err != nil {
		t.Fatalf("registry: %v", err)
	}
}
