package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/oauth2"

	"github.com/gatehouse-id/gatehouse/server"
)

// A domain registered with CreateUserPoolDomain routes by Host to its
// pool: its root serves the pool's issuer paths. The clients here send the
// domain as Host and dial the test server whatever the name resolves to.

// adminAPI is an SDK client signed with the test server's admin credential.
func (ts *testServer) adminAPI() *cip.Client {
	return cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(ts.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTESTADMIN", "test-admin-secret", ""),
		HTTPClient:  &http.Client{Transport: readOnlyBodies{http.DefaultTransport}}})
}

// readOnlyBodies hides WriteTo from request bodies: smithy-go's body
// answers io.EOF from WriteTo once closed, which races net/http's last
// read on a fast local server (see server/cognitoapi/sdk_test.go).
type readOnlyBodies struct{ base http.RoundTripper }

func (t readOnlyBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		body := r.Body
		r = r.Clone(r.Context())
		r.Body = struct{ io.ReadCloser }{body}
	}
	return t.base.RoundTrip(r)
}

// onServer makes b dial the test server for every host name.
func (b *browser) onServer(ts *testServer) *browser {
	addr := strings.TrimPrefix(ts.URL, "http://")
	var d net.Dialer
	b.client.Transport = &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}
	return b
}

func TestUserPoolDomainRoutesByHost(t *testing.T) {
	// The public host is localhost, so that the domains under it, and a
	// custom one under .localhost, are secure contexts to the cookie jar
	// (the session cookies are Secure).
	var public string
	ts := newTestServer(t, func(c *server.Config) {
		c.PublicURL = strings.Replace(c.PublicURL, "127.0.0.1", "localhost", 1)
		public = c.PublicURL
	})
	f := ts.fixture(t)
	f.issuer = public + "/" + f.pool.ID
	ctx := t.Context()
	api := ts.adminAPI()
	if _, err := api.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &f.pool.ID, Domain: aws.String("e2e-app")}); err != nil {
		t.Fatalf("CreateUserPoolDomain: %v", err)
	}
	if _, err := api.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &f.pool.ID, Domain: aws.String("login.example.localhost"),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String("arn:aws:acm:us-east-1:000000000000:certificate/x")}}); err != nil {
		t.Fatalf("CreateUserPoolDomain (custom): %v", err)
	}
	port := ts.URL[strings.LastIndex(ts.URL, ":"):]
	prefixSite := "http://e2e-app.localhost" + port
	customSite := "http://login.example.localhost" + port

	for _, site := range []string{prefixSite, customSite} {
		t.Run(site, func(t *testing.T) {
			b := newBrowser(t).onServer(ts)
			// Discovery and JWKS at the root; the issuer stays the pool's.
			resp, body := b.get(site + "/.well-known/openid-configuration")
			var disc map[string]any
			if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &disc) != nil || disc["issuer"] != f.issuer {
				t.Fatalf("discovery on the domain: %d %.300s", resp.StatusCode, body)
			}
			resp, domainJWKS := b.get(site + "/.well-known/jwks.json")
			_, issuerJWKS := b.get(f.issuer + "/.well-known/jwks.json")
			if resp.StatusCode != http.StatusOK || domainJWKS != issuerJWKS {
				t.Errorf("JWKS on the domain: %d %.200s", resp.StatusCode, domainJWKS)
			}

			// The code flow stays on the domain: authorize redirects to the
			// domain's /login, the form posts there, the code is exchanged at
			// the domain's /oauth2/token.
			verifier := oauth2.GenerateVerifier()
			q := url.Values{"response_type": {"code"}, "client_id": {f.client.ID}, "redirect_uri": {f.callback}, "scope": {"openid email"},
				"state": {"st-domain"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
			follow := b.client.CheckRedirect
			b.client.CheckRedirect = func(req *http.Request, via []*http.Request) error { return http.ErrUseLastResponse }
			resp, _ = b.get(site + "/oauth2/authorize?" + q.Encode())
			b.client.CheckRedirect = follow
			loc, err := resp.Location()
			if err != nil || !strings.HasPrefix(loc.String(), site+"/login?") {
				t.Fatalf("authorize on the domain redirected to %v (%v), want %s/login", loc, err, site)
			}
			resp, page := b.get(loc.String())
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="password"`) {
				t.Fatalf("sign-in page on the domain: %d %.300s", resp.StatusCode, page)
			}
			resp, page = b.signIn(loc, page, "alice", f.password)
			params := callbackParams(t, resp)
			if params.Get("code") == "" || params.Get("state") != "st-domain" {
				t.Fatalf("callback %v: %.300s", params, page)
			}
			tok := exchangeAt(t, b, site+"/oauth2/token", f, params.Get("code"), verifier)
			idToken, _ := tok["id_token"].(string)
			parts := strings.Split(idToken, ".")
			if len(parts) != 3 {
				t.Fatalf("token response %v", tok)
			}
			payload, _ := base64URL(parts[1])
			var claims map[string]any
			json.Unmarshal(payload, &claims)
			if claims["iss"] != f.issuer || claims["cognito:username"] != "alice" {
				t.Errorf("id token iss %v, username %v", claims["iss"], claims["cognito:username"])
			}

			// The SSO session holds on the domain's root paths.
			q.Set("prompt", "none")
			resp, _ = b.get(site + "/oauth2/authorize?" + q.Encode())
			if p := callbackParams(t, resp); p.Get("code") == "" {
				t.Errorf("prompt=none on the domain after sign-in: %v", p)
			}

		})
	}

	b := newBrowser(t).onServer(ts)
	// The domain serves its pool only: another pool's paths are not found
	// there, while the public host serves them as ever.
	other := ts.fixture(t)
	otherDiscovery := "/" + other.pool.ID + "/.well-known/openid-configuration"
	if resp, _ := b.get(prefixSite + otherDiscovery); resp.StatusCode < 400 {
		t.Errorf("another pool's discovery on the domain: %d", resp.StatusCode)
	}
	if resp, _ := b.get(public + otherDiscovery); resp.StatusCode != http.StatusOK {
		t.Errorf("another pool's discovery on the public host: %d", resp.StatusCode)
	}
	// An unknown prefix is no pool's.
	if resp, _ := b.get("http://nobody-app.localhost" + port + "/.well-known/openid-configuration"); resp.StatusCode < 400 {
		t.Errorf("unknown prefix: %d", resp.StatusCode)
	}
	// The server's own paths stay the server's.
	if resp, body := b.get(prefixSite + "/healthz"); resp.StatusCode != http.StatusOK || body != "ok" {
		t.Errorf("healthz on the domain: %d %q", resp.StatusCode, body)
	}
	// A deleted domain routes no more.
	if _, err := api.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: &f.pool.ID, Domain: aws.String("e2e-app")}); err != nil {
		t.Fatalf("DeleteUserPoolDomain: %v", err)
	}
	if resp, _ := b.get(prefixSite + "/.well-known/openid-configuration"); resp.StatusCode < 400 {
		t.Errorf("deleted domain: %d", resp.StatusCode)
	}
	if resp, _ := b.get(customSite + "/.well-known/openid-configuration"); resp.StatusCode != http.StatusOK {
		t.Errorf("custom domain after the prefix's deletion: %d", resp.StatusCode)
	}
}

// exchangeAt redeems a code at tokenURL with the fixture's confidential
// client, through b (which reaches the server whatever the host).
func exchangeAt(t *testing.T, b *browser, tokenURL string, f *fixture, code, verifier string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(exchangeForm(f, code, verifier).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(f.client.ID, f.secret)
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token at %s: %d %v", tokenURL, resp.StatusCode, body)
	}
	return body
}
