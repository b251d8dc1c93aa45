package social_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/federation/federationtest"
	"github.com/gatehouse-id/gatehouse/federation/social"
)

var alice = federationtest.User{
	ID: "u-1", Username: "alice", Password: "pw", Email: "alice@example.com", EmailVerified: true,
	GivenName: "Alice", FamilyName: "Liddell",
}

func open(t *testing.T, f federation.Factory, typ string, details map[string]string, mapping map[string]string, env federation.Env) federation.Connector {
	t.Helper()
	c, err := f(t.Context(), federation.ProviderConfig{Name: typ, Type: typ, Details: details, AttributeMapping: mapping}, env.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGoogle(t *testing.T) {
	up := federationtest.NewOIDCProvider(t)
	up.AddClient(federationtest.Client{ID: "g-client", Secret: "g-secret", RedirectURIs: []string{federationtest.CallbackURL}})
	up.AddUser(alice)
	details := map[string]string{
		"client_id": "g-client", "client_secret": "g-secret", "authorize_scopes": "profile email openid",
		"oidc_issuer": up.Issuer, "authorize_url": up.AuthURL(), "token_url": up.TokenURL(),
		"attributes_url": up.UserInfoURL(), "jwks_uri": up.JWKSURL(),
	}
	federationtest.RunProviderTests(t, federationtest.ProviderTest{
		Open: func(t *testing.T, env federation.Env) federation.Connector {
			return open(t, social.OpenGoogle, federation.TypeGoogle, details, nil, env)
		},
		Upstream: up, Username: "alice", Password: "pw",
		Check: func(t *testing.T, id federation.Identity) {
			if id.Subject != "u-1" || id.Email != "alice@example.com" || !id.EmailVerified || id.ProviderType != "Google" {
				t.Fatalf("identity = %+v", id)
			}
			if id.Attributes["given_name"][0] != "Alice" {
				t.Fatalf("attributes = %v", id.Attributes)
			}
		},
		Signed: true, Nonce: true, Cancel: true,
	})
	if got := up.TokenAuth(); len(got) == 0 || slices.ContainsFunc(got, func(s string) bool { return s != "post" }) {
		t.Fatalf("Google token auth = %v, want client_secret_post", got)
	}
}

func appleKey(t *testing.T) (*ecdsa.PrivateKey, string) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	return k, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestApple(t *testing.T) {
	key, keyPEM := appleKey(t)
	up := federationtest.NewOIDCProvider(t)
	up.AddClient(federationtest.Client{ID: "com.example.web", AppleTeamID: "TEAM123456", AppleKey: &key.PublicKey, RedirectURIs: []string{federationtest.CallbackURL}})
	up.AddUser(alice)
	details := map[string]string{
		"client_id": "com.example.web", "team_id": "TEAM123456", "key_id": "KEY1", "private_key": strings.ReplaceAll(keyPEM, "\n", `\n`),
		"authorize_scopes": "email name",
		"oidc_issuer":      up.Issuer, "authorize_url": up.AuthURL(), "token_url": up.TokenURL(), "jwks_uri": up.JWKSURL(),
	}
	openApple := func(t *testing.T, env federation.Env) federation.Connector {
		return open(t, social.OpenApple, federation.TypeApple, details, nil, env)
	}
	federationtest.RunProviderTests(t, federationtest.ProviderTest{
		Open:     openApple,
		Upstream: up, Username: "alice", Password: "pw",
		Check: func(t *testing.T, id federation.Identity) {
			if id.Subject != "u-1" || id.Email != "alice@example.com" || id.ProviderType != "SignInWithApple" {
				t.Fatalf("identity = %+v", id)
			}
		},
		Signed: true, Nonce: true, Cancel: true,
	})
	for _, a := range up.AuthRequests() {
		if a.ResponseMode != "form_post" {
			t.Fatalf("response_mode = %q, want form_post", a.ResponseMode)
		}
	}
	if got := up.UserInfoMethods(); len(got) != 0 {
		t.Fatalf("Apple has no userinfo, but it was called: %v", got)
	}

	t.Run("user posted on first sign-in", func(t *testing.T) {
		c := openApple(t, federation.Env{CallbackURL: federationtest.CallbackURL}).(federation.RedirectConnector)
		st, _ := federation.NewLoginState(federationtest.CallbackURL, nil)
		u, _ := c.LoginURL(t.Context(), st)
		a, err := federationtest.NewBrowser(federationtest.CallbackURL, "alice", "pw").Visit(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		if a.Method != "POST" {
			t.Fatalf("Apple callback by %s, want form_post", a.Method)
		}
		a.Form.Set("user", `{"name":{"firstName":"Alice","lastName":"Liddell"},"email":"alice@example.com"}`)
		id, err := c.HandleCallback(t.Context(), st, a.Request())
		if err != nil {
			t.Fatal(err)
		}
		m, _ := federation.MapAttributes(map[string]string{"given_name": "firstName", "family_name": "lastName", "name": "name"}, id)
		if m["given_name"] != "Alice" || m["family_name"] != "Liddell" || m["name"] != "Alice Liddell" {
			t.Fatalf("mapped = %v", m)
		}
	})
	t.Run("wrong team key", func(t *testing.T) {
		_, otherPEM := appleKey(t)
		d := map[string]string{}
		for k, v := range details {
			d[k] = v
		}
		d["private_key"] = otherPEM
		c := open(t, social.OpenApple, federation.TypeApple, d, nil, federation.Env{CallbackURL: federationtest.CallbackURL}).(federation.RedirectConnector)
		st, _ := federation.NewLoginState(federationtest.CallbackURL, nil)
		u, _ := c.LoginURL(t.Context(), st)
		a, err := federationtest.NewBrowser(federationtest.CallbackURL, "alice", "pw").Visit(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.HandleCallback(t.Context(), st, a.Request()); !errors.Is(err, federation.ErrUpstreamError) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestAmazon(t *testing.T) {
	up := federationtest.NewOIDCProvider(t)
	up.AddClient(federationtest.Client{ID: "amzn1.application-oa2-client.x", Secret: "a-secret", RedirectURIs: []string{federationtest.CallbackURL}})
	u := alice
	u.Claims = map[string]any{"postal_code": "98109"}
	up.AddUser(u)
	details := map[string]string{
		"client_id": "amzn1.application-oa2-client.x", "client_secret": "a-secret", "authorize_scopes": "profile postal_code",
		"authorize_url": up.AuthURL(), "token_url": up.TokenURL(), "attributes_url": up.ProfileURL(),
	}
	federationtest.RunProviderTests(t, federationtest.ProviderTest{
		Open: func(t *testing.T, env federation.Env) federation.Connector {
			return open(t, social.OpenAmazon, federation.TypeAmazon, details, nil, env)
		},
		Upstream: up, Username: "alice", Password: "pw",
		Check: func(t *testing.T, id federation.Identity) {
			m, _ := federation.MapAttributes(map[string]string{"username": "user_id", "email": "email", "address": "postal_code"}, id)
			if id.Subject != "u-1" || m["username"] != "u-1" || m["email"] != "alice@example.com" || m["address"] != "98109" {
				t.Fatalf("identity = %+v, mapped %v", id, m)
			}
		},
		Cancel: true,
	})
	if got := up.TokenAuth(); len(got) == 0 || slices.ContainsFunc(got, func(s string) bool { return s != "post" }) {
		t.Fatalf("Amazon token auth = %v, want client_secret_post", got)
	}
}

func TestFacebook(t *testing.T) {
	g := federationtest.NewGraphAPI(t)
	g.AddApp("1234567890", "fb-secret", federationtest.CallbackURL)
	u := alice
	u.ID = "10158000000000001"
	u.Claims = map[string]any{"birthday": "01/02/1990"}
	g.AddUser(u)
	details := map[string]string{
		"client_id": "1234567890", "client_secret": "fb-secret", "authorize_scopes": "public_profile, email", "api_version": "v17.0",
		"authorize_url": g.URL + "/v17.0/dialog/oauth", "token_url": g.URL + "/v17.0/oauth/access_token", "attributes_url": g.URL + "/v17.0/me",
	}
	mapping := map[string]string{"username": "id", "email": "email", "birthdate": "birthday", "custom:x": "http://not/a/field"}
	federationtest.RunProviderTests(t, federationtest.ProviderTest{
		Open: func(t *testing.T, env federation.Env) federation.Connector {
			return open(t, social.OpenFacebook, federation.TypeFacebook, details, mapping, env)
		},
		Upstream: g, Username: "alice@example.com", Password: "pw",
		Check: func(t *testing.T, id federation.Identity) {
			m, _ := federation.MapAttributes(mapping, id)
			if id.Subject != "10158000000000001" || m["username"] != id.Subject || m["email"] != "alice@example.com" || m["birthdate"] != "01/02/1990" {
				t.Fatalf("identity = %+v, mapped %v", id, m)
			}
		},
		Cancel: true,
	})
	fields := g.Fields()
	if len(fields) == 0 || !slices.Contains(fields[0], "birthday") || !slices.Contains(fields[0], "email") || slices.Contains(fields[0], "http://not/a/field") {
		t.Fatalf("/me fields = %v", fields)
	}
}

func TestDefaults(t *testing.T) {
	_, keyPEM := appleKey(t)
	tests := []struct {
		name    string
		f       federation.Factory
		details map[string]string
		auth    string // the default authorization endpoint
	}{
		{"Google", social.OpenGoogle, map[string]string{"client_id": "c", "client_secret": "s", "attributes_url": "https://people.googleapis.com/v1/people/me?personFields="}, social.GoogleAuthURL},
		{"SignInWithApple", social.OpenApple, map[string]string{"client_id": "c", "team_id": "T", "key_id": "K", "private_key": keyPEM}, social.AppleAuthURL},
		{"LoginWithAmazon", social.OpenAmazon, map[string]string{"client_id": "c", "client_secret": "s"}, social.AmazonAuthURL},
		{"Facebook", social.OpenFacebook, map[string]string{"client_id": "c", "client_secret": "s", "api_version": "v19.0"}, "https://www.facebook.com/v19.0/dialog/oauth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := open(t, tt.f, tt.name, tt.details, nil, federation.Env{CallbackURL: "https://auth.example.com/oauth2/idpresponse"}).(federation.RedirectConnector)
			if c.Type() != tt.name {
				t.Fatalf("Type = %q", c.Type())
			}
			u, err := c.LoginURL(t.Context(), federation.LoginState{State: "st", Nonce: "n", PKCEVerifier: strings.Repeat("v", 43)})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(u, tt.auth+"?") {
				t.Fatalf("login URL %s, want %s", u, tt.auth)
			}
			q, _ := url.ParseQuery(u[strings.Index(u, "?")+1:])
			if q.Get("client_id") != "c" || q.Get("redirect_uri") != "https://auth.example.com/oauth2/idpresponse" || q.Get("code_challenge") == "" {
				t.Fatalf("login URL %s", u)
			}
		})
	}
	reg := federation.Registry{}
	social.Register(reg)
	for _, typ := range []string{"Google", "SignInWithApple", "LoginWithAmazon", "Facebook"} {
		if reg[typ] == nil {
			t.Fatalf("%s not registered", typ)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	_, keyPEM := appleKey(t)
	rsaLike := "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
	tests := []struct {
		name    string
		f       federation.Factory
		details map[string]string
		key     string
	}{
		{"google secret", social.OpenGoogle, map[string]string{"client_id": "c"}, "client_secret"},
		{"google http endpoint", social.OpenGoogle, map[string]string{"client_id": "c", "client_secret": "s", "token_url": "http://example.com/t"}, "token_url"},
		{"apple team", social.OpenApple, map[string]string{"client_id": "c", "key_id": "K", "private_key": keyPEM}, "team_id"},
		{"apple key id", social.OpenApple, map[string]string{"client_id": "c", "team_id": "T", "private_key": keyPEM}, "key_id"},
		{"apple key not PEM", social.OpenApple, map[string]string{"client_id": "c", "team_id": "T", "key_id": "K", "private_key": "nope"}, "private_key"},
		{"apple key garbage", social.OpenApple, map[string]string{"client_id": "c", "team_id": "T", "key_id": "K", "private_key": rsaLike}, "private_key"},
		{"amazon id", social.OpenAmazon, map[string]string{"client_secret": "s"}, "client_id"},
		{"facebook version", social.OpenFacebook, map[string]string{"client_id": "c", "client_secret": "s", "api_version": "17"}, "api_version"},
		{"facebook graph url", social.OpenFacebook, map[string]string{"client_id": "c", "client_secret": "s", "attributes_url": "ftp://x"}, "attributes_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.f(t.Context(), federation.ProviderConfig{Details: tt.details}, federation.Env{}.WithDefaults())
			var ce *federation.ConfigError
			if !errors.As(err, &ce) || ce.Key != tt.key {
				t.Fatalf("err = %v, want a ConfigError for %s", err, tt.key)
			}
		})
	}
}
