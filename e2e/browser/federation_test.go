package browser

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-id/gatehouse/federation/federationtest"
	"github.com/gatehouse-id/gatehouse/server/directory"
)

// Sign-in through an upstream identity provider's button on the hosted
// sign-in page, in Chromium: the button leads to the upstream's own
// sign-in page, and back through Gatehouse to the application.

// addProvider makes a provider of the pool and lets the client use it.
func (e *env) addProvider(t *testing.T, name, typ string, details, mapping map[string]string) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.srv.Dir.CreateIdentityProvider(ctx, directory.IdentityProviderInput{PoolID: e.pool.ID, Name: name, Type: typ,
		Details: details, AttributeMapping: mapping}); err != nil {
		t.Fatal(err)
	}
	c, err := e.srv.Dir.GetClient(ctx, e.pool.ID, e.client.ID)
	if err != nil {
		t.Fatal(err)
	}
	c.SupportedIdentityProviders = append(c.SupportedIdentityProviders, name)
	if err := e.srv.Dir.UpdateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	e.client = c
}

// typeInto types into the input named name.
func typeInto(t *testing.T, ctx context.Context, name, value string) {
	t.Helper()
	do(t, ctx, "type into "+name, chromedp.SendKeys(chromedp.CSS(`input[name="`+name+`"]`), value))
}

func TestFederatedOIDCButton(t *testing.T) {
	e := newEnv(t)
	up := federationtest.NewOIDCProvider(t)
	up.AddClient(federationtest.Client{ID: "gh", Secret: "gh-secret", RedirectURIs: []string{e.URL + "/" + e.pool.ID + "/oauth2/idpresponse"}})
	up.AddUser(federationtest.User{ID: "u-7", Username: "olivia", Password: "pw", Email: "olivia@upstream.example", EmailVerified: true})
	e.addProvider(t, "Acme", "OIDC", map[string]string{"client_id": "gh", "client_secret": "gh-secret",
		"authorize_scopes": "openid email", "oidc_issuer": up.Issuer}, map[string]string{"email": "email"})

	ctx := tab(t)
	open(t, ctx, e.signInURL(e.client, nil))
	if got := text(t, ctx, `[data-testid="idp-Acme"]`); !strings.Contains(got, "Acme") {
		t.Fatalf("button text %q", got)
	}
	shot(t, ctx, "federated-buttons")
	click(t, ctx, `[data-testid="idp-Acme"]`)
	if loc := location(ctx); !strings.HasPrefix(loc, up.Issuer+"/login") {
		t.Fatalf("the button led to %s, not the provider's sign-in page", loc)
	}
	typeInto(t, ctx, "username", "olivia")
	typeInto(t, ctx, "password", "pw")
	click(t, ctx, `button[value="login"]`)
	code := e.atCallback(t, ctx)
	claims := e.exchange(e.client, e.secret, code)
	if name, _ := claims["cognito:username"].(string); !strings.EqualFold(name, "Acme_u-7") || claims["email"] != "olivia@upstream.example" || claims["identities"] == nil {
		t.Fatalf("claims %v", claims)
	}
}

func TestFederatedSAMLButton(t *testing.T) {
	e := newEnv(t)
	idp := federationtest.NewSAMLIdP(t)
	idp.AddUser(t, federationtest.User{Username: "sam", Password: "pw", Email: "sam@corp.example", GivenName: "Sam"})
	e.addProvider(t, "Corp", "SAML", map[string]string{"MetadataURL": idp.MetadataURL(), "RequestSigningAlgorithm": "rsa-sha256"},
		map[string]string{"email": "mail"})
	md := metadata(t, e.URL+"/"+e.pool.ID+"/saml2/metadata?provider=Corp")
	idp.AddServiceProvider(t, "gatehouse", md)

	ctx := tab(t)
	open(t, ctx, e.signInURL(e.client, nil))
	shot(t, ctx, "federated-saml-button")
	click(t, ctx, `[data-testid="idp-Corp"]`)
	if loc := location(ctx); !strings.HasPrefix(loc, idp.URL) {
		t.Fatalf("the button led to %s, not the IdP", loc)
	}
	typeInto(t, ctx, "user", "sam")
	typeInto(t, ctx, "password", "pw")
	// The IdP answers with a page that posts the assertion to Gatehouse
	// by script; wait for the application's page.
	do(t, ctx, "sign in at the IdP", chromedp.Click(chromedp.CSS(`input[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("signed-in")))
	code := e.atCallback(t, ctx)
	claims := e.exchange(e.client, e.secret, code)
	if name, _ := claims["cognito:username"].(string); !strings.EqualFold(name, "Corp_sam@corp.example") || claims["email"] != "sam@corp.example" {
		t.Fatalf("claims %v", claims)
	}
}

// metadata fetches the pool's SP metadata.
func metadata(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("SP metadata: %d %s", resp.StatusCode, body)
	}
	return body
}

// TestFederatedUpstreamDown: a provider that cannot be reached ends on the
// hosted UI's error page, not a browser error.
func TestFederatedUpstreamDown(t *testing.T) {
	e := newEnv(t)
	up := federationtest.NewOIDCProvider(t)
	e.addProvider(t, "Acme", "OIDC", map[string]string{"client_id": "gh", "client_secret": "gh-secret",
		"authorize_scopes": "openid email", "oidc_issuer": up.Issuer}, nil)
	up.SetFault(federationtest.FaultDown)

	ctx := tab(t)
	open(t, ctx, e.signInURL(e.client, nil))
	click(t, ctx, `[data-testid="idp-Acme"]`)
	if got := text(t, ctx, `[role="alert"]`); !strings.Contains(got, "could not be reached") {
		t.Fatalf("alert %q at %s", got, location(ctx))
	}
	shot(t, ctx, "federated-upstream-down")
}
