package upstream_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/server/secret"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/storage/sqlstore"
	"github.com/gatehouse-id/gatehouse/server/tokens"
	"github.com/gatehouse-id/gatehouse/server/upstream"
)

// discovery serves an OpenID discovery document over TLS with a
// certificate no system trusts.
func discovery(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize",
			"token_endpoint": srv.URL + "/token", "jwks_uri": srv.URL + "/keys", "userinfo_endpoint": srv.URL + "/userinfo"})
	}))
	// The refused handshake is the point of the test, not news.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func minter(t *testing.T) *tokens.Minter {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sealer, err := secret.New(bytes.Repeat([]byte{7}, 32), nil)
	if err != nil {
		t.Fatal(err)
	}
	return tokens.New(tokens.Config{Store: st, Sealer: sealer})
}

func TestCAFileTrustsUpstream(t *testing.T) {
	srv := discovery(t)
	idp := &storage.IdentityProvider{PoolID: "us-east-1_abcdefghi", Name: "Corp", Type: federation.TypeOIDC, UpdatedAt: time.Now(),
		Details: map[string]string{"client_id": "c", "client_secret": "s", "authorize_scopes": "openid", "oidc_issuer": srv.URL}}
	login := func(c *upstream.Connectors) (string, error) {
		conn, err := c.Open(t.Context(), idp, "https://gatehouse.example/"+idp.PoolID)
		if err != nil {
			return "", err
		}
		st, _ := federation.NewLoginState("", nil)
		return conn.(federation.RedirectConnector).LoginURL(t.Context(), st)
	}

	plain, err := upstream.New(upstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := login(plain); !errors.Is(err, federation.ErrUpstreamUnavailable) {
		t.Fatalf("an upstream with an unknown CA: %v", err)
	}

	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	trusting, err := upstream.New(upstream.Config{CAPEM: caPEM})
	if err != nil {
		t.Fatal(err)
	}
	u, err := login(trusting)
	if err != nil || !strings.HasPrefix(u, srv.URL+"/authorize?") ||
		!strings.Contains(u, "redirect_uri=https%3A%2F%2Fgatehouse.example%2Fus-east-1_abcdefghi%2Foauth2%2Fidpresponse") {
		t.Fatalf("LoginURL = %q, %v", u, err)
	}

	if _, err := upstream.New(upstream.Config{CAPEM: []byte("not a certificate")}); !errors.Is(err, federation.ErrInvalidConfig) {
		t.Fatalf("a CA file without certificates: %v", err)
	}
}

func TestOpenCachesAndSAMLEnv(t *testing.T) {
	c, err := upstream.New(upstream.Config{Minter: minter(t)})
	if err != nil {
		t.Fatal(err)
	}
	md := `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example/md">` +
		`<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
		`<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/>` +
		`</IDPSSODescriptor></EntityDescriptor>`
	idp := &storage.IdentityProvider{PoolID: "us-east-1_abcdefghi", Name: "Corp", Type: federation.TypeSAML, UpdatedAt: time.Now(),
		Details: map[string]string{"MetadataFile": md, "IDPSignout": "true"}}
	site := "https://login.example.com"
	a, err := c.Open(t.Context(), idp, site)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Open(t.Context(), idp, site)
	if a != b {
		t.Error("the same provider was opened twice")
	}
	other, _ := c.Open(t.Context(), idp, "https://gatehouse.example/"+idp.PoolID)
	idp.UpdatedAt = idp.UpdatedAt.Add(time.Second)
	changed, _ := c.Open(t.Context(), idp, site)
	if other == a || changed == a {
		t.Error("a connector was reused for another site or a changed provider")
	}
	meta, err := a.(federation.SAMLConnector).Metadata()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`entityID="urn:amazon:cognito:sp:us-east-1_abcdefghi"`, site + "/saml2/idpresponse", site + "/saml2/logout"} {
		if !strings.Contains(string(meta), want) {
			t.Errorf("SP metadata lacks %s:\n%s", want, meta)
		}
	}
	if got := upstream.Site(context.Background(), "https://g.example/p"); got != "https://g.example/p" {
		t.Errorf("Site without a domain = %q", got)
	}
	if got := upstream.Site(upstream.WithSite(context.Background(), site), "https://g.example/p"); got != site {
		t.Errorf("Site on a domain = %q", got)
	}
}
