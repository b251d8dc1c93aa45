package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
	"golang.org/x/oauth2"

	"github.com/gatehouse-id/gatehouse/federation/federationtest"
	"github.com/gatehouse-id/gatehouse/server"
)

// Sign-in through upstream identity providers, end to end: a relying
// party (x/oauth2 + go-oidc) sends the browser to /oauth2/authorize with
// identity_provider, the upstream (federationtest's zitadel OP, Graph API
// or samlidp) signs the user in, and the code ends in Gatehouse tokens.

// fedEnv is a test server with the e2e fixture and its relying party.
type fedEnv struct {
	ts *testServer
	f  *fixture
	rp *rp
}

func newFedEnv(t *testing.T) *fedEnv {
	t.Helper()
	ts := newTestServer(t)
	f := ts.fixture(t)
	return &fedEnv{ts: ts, f: f, rp: newRP(t, f.issuer, f.client.ID, f.secret, f.callback)}
}

// callbackURL is where upstream OAuth providers send the browser back.
func (e *fedEnv) callbackURL() string { return e.f.issuer + "/oauth2/idpresponse" }

// addProvider creates an identity provider through the Cognito API, as an
// operator would, and lets the confidential client use it.
func (e *fedEnv) addProvider(t testing.TB, name, typ string, details, mapping map[string]string, identifiers ...string) {
	t.Helper()
	_, err := e.ts.adminAPI().CreateIdentityProvider(t.Context(), &cip.CreateIdentityProviderInput{
		UserPoolId: aws.String(e.f.pool.ID), ProviderName: aws.String(name), ProviderType: types.IdentityProviderTypeType(typ),
		ProviderDetails: details, AttributeMapping: mapping, IdpIdentifiers: identifiers})
	if err != nil {
		t.Fatalf("CreateIdentityProvider %s: %v", name, err)
	}
	c, err := e.ts.Dir.GetClient(t.Context(), e.f.pool.ID, e.f.client.ID)
	if err != nil {
		t.Fatal(err)
	}
	c.SupportedIdentityProviders = append(c.SupportedIdentityProviders, name)
	if err := e.ts.Dir.UpdateClient(t.Context(), c); err != nil {
		t.Fatal(err)
	}
}

// login is one run of the relying party's sign-in link.
type login struct {
	state, nonce, verifier string
	url                    string
}

func (e *fedEnv) newLogin(extra url.Values) *login {
	l := &login{state: "st-" + rand.Text()[:10], nonce: "n-" + rand.Text()[:10], verifier: oauth2.GenerateVerifier()}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(l.nonce), oauth2.S256ChallengeOption(l.verifier)}
	for k, v := range extra {
		opts = append(opts, oauth2.SetAuthURLParam(k, v[0]))
	}
	l.url = e.rp.conf.AuthCodeURL(l.state, opts...)
	return l
}

// upstreamBrowser signs in at the upstream as username and stops at the
// relying party's callback.
func (e *fedEnv) upstreamBrowser(username, password string) *federationtest.Browser {
	return federationtest.NewBrowser(e.f.callback, username, password)
}

// signIn runs the browser from the sign-in link to the relying party's
// callback and returns its parameters.
func (e *fedEnv) signIn(t *testing.T, b *federationtest.Browser, l *login) url.Values {
	t.Helper()
	a, err := b.Visit(t.Context(), l.url)
	if err != nil {
		t.Fatalf("sign-in: %v (pages %v)", err, b.Pages)
	}
	u, _ := url.Parse(a.URL)
	q := u.Query()
	if q.Get("state") != l.state {
		t.Fatalf("callback %s: state %q, want %q", a.URL, q.Get("state"), l.state)
	}
	return q
}

// tokens exchanges the code and verifies the ID token with go-oidc.
func (e *fedEnv) tokens(t *testing.T, l *login, q url.Values) (id map[string]any, access map[string]any) {
	t.Helper()
	if q.Get("code") == "" {
		t.Fatalf("no code at the callback: %v", q)
	}
	tok, err := e.rp.conf.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(l.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := e.rp.verifier.Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if idt.Nonce != l.nonce {
		t.Errorf("nonce %q, want %q", idt.Nonce, l.nonce)
	}
	id = map[string]any{}
	idt.Claims(&id)
	return id, decodeJWT(t, tok.AccessToken)
}

// checkFederated checks the claims of a federated user's ID token.
func checkFederated(t *testing.T, id map[string]any, provider, typ, subject string, want map[string]any) {
	t.Helper()
	if got, _ := id["cognito:username"].(string); !strings.EqualFold(got, provider+"_"+subject) {
		t.Errorf("cognito:username = %q, want %s_%s", got, provider, subject)
	}
	for k, v := range want {
		if id[k] != v {
			t.Errorf("ID token %s = %v, want %v", k, id[k], v)
		}
	}
	ids, _ := id["identities"].([]any)
	if len(ids) != 1 {
		t.Fatalf("identities = %v", id["identities"])
	}
	ident, _ := ids[0].(map[string]any)
	if ident["providerName"] != provider || ident["providerType"] != typ || ident["userId"] != subject ||
		ident["dateCreated"] == nil || ident["primary"] == nil {
		t.Errorf("identities[0] = %v", ident)
	}
}

// failedWith checks that a failed auth event with reason was recorded
// (it is written before the answer).
func (e *fedEnv) failedWith(t *testing.T, reason string) {
	t.Helper()
	evs, err := e.ts.Store.ListAuthEvents(context.Background(), e.f.pool.ID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range evs {
		if ev.Response == "Fail" && strings.Contains(ev.Reason, reason) {
			return
		}
		got = append(got, ev.Type+"/"+ev.Response+"/"+ev.Reason)
	}
	t.Errorf("no failed auth event with reason %q; events %v", reason, got)
}

var upstreamAlice = federationtest.User{ID: "u-1", Username: "alice", Password: "pw", Email: "alice@upstream.example",
	EmailVerified: true, GivenName: "Alice", FamilyName: "Liddell"}

var oidcMapping = map[string]string{"email": "email", "email_verified": "email_verified", "given_name": "given_name", "family_name": "family_name"}

// oidcProvider starts a zitadel OP with alice (u-1) and a client for the
// pool, and makes it the pool's OIDC provider "Upstream".
func (e *fedEnv) oidcProvider(t testing.TB) *federationtest.OIDCProvider {
	t.Helper()
	up := federationtest.NewOIDCProvider(t)
	up.AddClient(federationtest.Client{ID: "gh-client", Secret: "gh-secret", RedirectURIs: []string{e.callbackURL()}})
	up.AddUser(upstreamAlice)
	e.addProvider(t, "Upstream", "OIDC", map[string]string{"client_id": "gh-client", "client_secret": "gh-secret",
		"authorize_scopes": "openid email profile", "oidc_issuer": up.Issuer, "attributes_request_method": "GET"}, oidcMapping)
	return up
}

func TestFederatedOIDC(t *testing.T) {
	e := newFedEnv(t)
	up := e.oidcProvider(t)

	l := e.newLogin(url.Values{"identity_provider": {"Upstream"}})
	id, access := e.tokens(t, l, e.signIn(t, e.upstreamBrowser("alice", "pw"), l))
	checkFederated(t, id, "Upstream", "OIDC", "u-1", map[string]any{"email": "alice@upstream.example", "email_verified": true,
		"given_name": "Alice", "family_name": "Liddell", "iss": e.f.issuer, "aud": e.f.client.ID})
	if access["sub"] != id["sub"] || access["username"] != id["cognito:username"] {
		t.Errorf("access token %v vs ID token %v", access, id)
	}
	// The upstream saw a nonce, PKCE and Gatehouse's callback.
	reqs := up.AuthRequests()
	if len(reqs) != 1 || reqs[0].Nonce == "" || reqs[0].CodeChallenge == nil || reqs[0].RedirectURI != e.callbackURL() {
		t.Fatalf("upstream authorization requests %+v", reqs)
	}
	user, err := e.ts.Dir.GetUserBySub(t.Context(), e.f.pool.ID, id["sub"].(string))
	if err != nil || user.Status != "EXTERNAL_PROVIDER" {
		t.Fatalf("user %+v, %v", user, err)
	}

	t.Run("second sign-in updates mapped attributes", func(t *testing.T) {
		changed := upstreamAlice
		changed.GivenName = "Alicia"
		up.AddUser(changed)
		l := e.newLogin(url.Values{"identity_provider": {"Upstream"}})
		id2, _ := e.tokens(t, l, e.signIn(t, e.upstreamBrowser("alice", "pw"), l))
		if id2["sub"] != id["sub"] || id2["given_name"] != "Alicia" {
			t.Fatalf("second sign-in: sub %v (was %v), given_name %v", id2["sub"], id["sub"], id2["given_name"])
		}
	})

	t.Run("linked to a native user", func(t *testing.T) {
		up.AddUser(federationtest.User{ID: "u-2", Username: "alice2", Password: "pw", Email: "alice@example.com", EmailVerified: true})
		_, err := e.ts.adminAPI().AdminLinkProviderForUser(t.Context(), &cip.AdminLinkProviderForUserInput{UserPoolId: aws.String(e.f.pool.ID),
			DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("alice")},
			SourceUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Upstream"), ProviderAttributeName: aws.String("Cognito_Subject"),
				ProviderAttributeValue: aws.String("u-2")}})
		if err != nil {
			t.Fatalf("AdminLinkProviderForUser: %v", err)
		}
		l := e.newLogin(url.Values{"identity_provider": {"Upstream"}})
		id, _ := e.tokens(t, l, e.signIn(t, e.upstreamBrowser("alice2", "pw"), l))
		if id["sub"] != e.f.user.Sub || id["cognito:username"] != "alice" {
			t.Fatalf("linked sign-in: sub %v username %v, want the native alice %s", id["sub"], id["cognito:username"], e.f.user.Sub)
		}
	})

	t.Run("sign-in page button", func(t *testing.T) {
		b := newBrowser(t)
		resp, page := b.get(e.f.issuer + "/login?" + url.Values{"client_id": {e.f.client.ID}, "response_type": {"code"},
			"redirect_uri": {e.f.callback}, "scope": {"openid"}, "state": {"state-12345678"}}.Encode())
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `data-testid="idp-Upstream"`) ||
			!strings.Contains(page, "identity_provider=Upstream") {
			t.Fatalf("sign-in page %d (%s → %s) without the Upstream button: %.500s", resp.StatusCode, resp.Request.URL, resp.Header.Get("Location"), page)
		}
	})
}

func TestFederatedSocialPresets(t *testing.T) {
	e := newFedEnv(t)
	up := federationtest.NewOIDCProvider(t)
	up.AddUser(upstreamAlice)
	cb := []string{e.callbackURL()}

	up.AddClient(federationtest.Client{ID: "google-client", Secret: "g-secret", RedirectURIs: cb})
	e.addProvider(t, "Google", "Google", map[string]string{"client_id": "google-client", "client_secret": "g-secret",
		"authorize_scopes": "openid email profile", "oidc_issuer": up.Issuer, "authorize_url": up.AuthURL(), "token_url": up.TokenURL(),
		"attributes_url": up.UserInfoURL(), "jwks_uri": up.JWKSURL()}, map[string]string{"email": "email", "given_name": "given_name"})

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	up.AddClient(federationtest.Client{ID: "com.example.gatehouse", AppleTeamID: "TEAM123456", AppleKey: &key.PublicKey, RedirectURIs: cb})
	e.addProvider(t, "SignInWithApple", "SignInWithApple", map[string]string{"client_id": "com.example.gatehouse", "team_id": "TEAM123456",
		"key_id": "KEY1", "private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "authorize_scopes": "email name",
		"oidc_issuer": up.Issuer, "authorize_url": up.AuthURL(), "token_url": up.TokenURL(), "jwks_uri": up.JWKSURL()},
		map[string]string{"email": "email"})

	up.AddClient(federationtest.Client{ID: "amzn1.application-oa2-client.gh", Secret: "a-secret", RedirectURIs: cb})
	e.addProvider(t, "LoginWithAmazon", "LoginWithAmazon", map[string]string{"client_id": "amzn1.application-oa2-client.gh",
		"client_secret": "a-secret", "authorize_scopes": "profile", "authorize_url": up.AuthURL(), "token_url": up.TokenURL(),
		"attributes_url": up.ProfileURL()}, map[string]string{"email": "email"})

	g := federationtest.NewGraphAPI(t)
	g.AddApp("1234567890", "fb-secret", cb...)
	fbUser := upstreamAlice
	fbUser.ID = "10158000000000001"
	g.AddUser(fbUser)
	e.addProvider(t, "Facebook", "Facebook", map[string]string{"client_id": "1234567890", "client_secret": "fb-secret",
		"authorize_scopes": "public_profile, email", "api_version": "v17.0", "authorize_url": g.URL + "/v17.0/dialog/oauth",
		"token_url": g.URL + "/v17.0/oauth/access_token", "attributes_url": g.URL + "/v17.0/me"}, map[string]string{"email": "email"})

	_, page := newBrowser(t).get(e.f.issuer + "/login?" + url.Values{"client_id": {e.f.client.ID}, "response_type": {"code"},
		"redirect_uri": {e.f.callback}, "scope": {"openid"}, "state": {"state-12345678"}}.Encode())
	for _, label := range []string{"Continue with Google", "Continue with Apple", "Continue with Amazon", "Continue with Facebook"} {
		if !strings.Contains(page, label) {
			t.Errorf("sign-in page lacks the button %q", label)
		}
	}

	for _, tt := range []struct {
		provider, subject, username string
		want                        map[string]any
	}{
		{"Google", "u-1", "alice", map[string]any{"email": "alice@upstream.example", "given_name": "Alice"}},
		{"SignInWithApple", "u-1", "alice", map[string]any{"email": "alice@upstream.example"}},
		{"LoginWithAmazon", "u-1", "alice", map[string]any{"email": "alice@upstream.example"}},
		{"Facebook", "10158000000000001", "alice@upstream.example", map[string]any{"email": "alice@upstream.example"}},
	} {
		t.Run(tt.provider, func(t *testing.T) {
			l := e.newLogin(url.Values{"identity_provider": {tt.provider}})
			id, _ := e.tokens(t, l, e.signIn(t, e.upstreamBrowser(tt.username, "pw"), l))
			checkFederated(t, id, tt.provider, tt.provider, tt.subject, tt.want)
		})
	}
	if fields := g.Fields(); len(fields) == 0 || !slices.Contains(fields[0], "email") {
		t.Errorf("Graph API /me fields %v", fields)
	}
}

// fedPage checks an error page the browser ends on instead of the
// callback: its status and an alert with text.
func fedPage(t *testing.T, resp *http.Response, page string, status int, text string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status %d, want %d: %.400s", resp.StatusCode, status, page)
	}
	if !strings.Contains(page, `role="alert"`) || !strings.Contains(page, text) {
		t.Errorf("page lacks an alert with %q: %.800s", text, page)
	}
}

// refused delivers an arrival and checks the error page it ends on and the
// failed auth event it leaves.
func (e *fedEnv) refused(t *testing.T, b *federationtest.Browser, a *federationtest.Arrival, status int, text, reason string) {
	t.Helper()
	resp, page := deliver(t, b, a)
	fedPage(t, resp, page, status, text)
	e.failedWith(t, reason)
}

// arrive runs the upstream sign-in and stops at Gatehouse's endpoint
// stopAt (callback or ACS).
func arrive(t *testing.T, stopAt, username, startURL string, cancel bool) (*federationtest.Browser, *federationtest.Arrival) {
	t.Helper()
	b := federationtest.NewBrowser(stopAt, username, "pw")
	b.Cancel = cancel
	a, err := b.Visit(t.Context(), startURL)
	if err != nil {
		t.Fatalf("upstream: %v (%v)", err, b.Pages)
	}
	return b, a
}

// deliver sends an arrival to Gatehouse with b's cookies, without
// following the answer.
func deliver(t *testing.T, b *federationtest.Browser, a *federationtest.Arrival) (*http.Response, string) {
	t.Helper()
	body := ""
	if a.Method == http.MethodPost {
		body = a.Form.Encode()
	}
	req, _ := http.NewRequestWithContext(t.Context(), a.Method, a.URL, strings.NewReader(body))
	if a.Method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp, string(page)
}

// withQuery returns u with key set to value.
func withQuery(u, key, value string) string {
	pu, _ := url.Parse(u)
	q := pu.Query()
	q.Set(key, value)
	pu.RawQuery = q.Encode()
	return pu.String()
}

func TestFederatedFailures(t *testing.T) {
	e := newFedEnv(t)
	up := e.oidcProvider(t)
	start := func() *login { return e.newLogin(url.Values{"identity_provider": {"Upstream"}}) }
	stopAt := e.callbackURL()

	t.Run("user cancelled", func(t *testing.T) {
		l := start()
		b, a := arrive(t, stopAt, "alice", l.url, true)
		resp, _ := deliver(t, b, a)
		q := callbackParams(t, resp)
		if q.Get("error") != "access_denied" || q.Get("state") != l.state || q.Get("code") != "" {
			t.Fatalf("callback %v", q)
		}
		e.failedWith(t, "cancelled")
	})
	t.Run("unknown state", func(t *testing.T) {
		b, a := arrive(t, stopAt, "alice", start().url, false)
		pu, _ := url.Parse(a.URL)
		a.URL = withQuery(a.URL, "state", "nope."+pu.Query().Get("state"))
		e.refused(t, b, a, http.StatusBadRequest, "expired", "bad_state")
	})
	t.Run("tampered state", func(t *testing.T) {
		b, a := arrive(t, stopAt, "alice", start().url, false)
		pu, _ := url.Parse(a.URL)
		a.URL = withQuery(a.URL, "state", pu.Query().Get("state")+"x")
		e.refused(t, b, a, http.StatusBadRequest, "did not work", "bad_state")
	})
	t.Run("answer carried to another browser", func(t *testing.T) {
		// An attacker's own code and state, opened in a victim's browser,
		// must not sign the victim in as the attacker.
		_, a := arrive(t, stopAt, "alice", start().url, false)
		victim := federationtest.NewBrowser(stopAt, "", "")
		e.refused(t, victim, a, http.StatusBadRequest, "expired", "other_browser")
	})
	t.Run("reused callback", func(t *testing.T) {
		b, a := arrive(t, stopAt, "alice", start().url, false)
		if resp, page := deliver(t, b, a); resp.StatusCode != http.StatusFound {
			t.Fatalf("first delivery: %d %.300s", resp.StatusCode, page)
		}
		e.refused(t, b, a, http.StatusBadRequest, "expired", "bad_state")
	})
	t.Run("wrong nonce", func(t *testing.T) {
		// The ID token carries the nonce sent upstream; the one kept on
		// the parked request is changed before the answer arrives.
		b, a := arrive(t, stopAt, "alice", start().url, false)
		pu, _ := url.Parse(a.URL)
		id, _, _ := strings.Cut(pu.Query().Get("state"), ".")
		areq, err := e.ts.Store.GetAuthRequest(t.Context(), e.f.pool.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		areq.Upstream.Nonce = "another-nonce"
		if err := e.ts.Store.UpdateAuthRequest(t.Context(), areq); err != nil {
			t.Fatal(err)
		}
		e.refused(t, b, a, http.StatusBadRequest, "did not work", "bad_nonce")
	})
	for _, tt := range []struct {
		name   string
		fault  federationtest.Fault
		reason string
	}{{"bad signature", federationtest.FaultBadSignature, "bad_signature"}, {"expired ID token", federationtest.FaultExpired, "expired"}} {
		t.Run(tt.name, func(t *testing.T) {
			up.SetFault(tt.fault)
			defer up.SetFault(federationtest.NoFault)
			b, a := arrive(t, stopAt, "alice", start().url, false)
			e.refused(t, b, a, http.StatusBadRequest, "did not work", tt.reason)
		})
	}
	t.Run("upstream down at the code exchange", func(t *testing.T) {
		b, a := arrive(t, stopAt, "alice", start().url, false)
		up.SetFault(federationtest.FaultDown)
		defer up.SetFault(federationtest.NoFault)
		e.refused(t, b, a, http.StatusBadGateway, "could not be reached", "unavailable")
	})
	t.Run("provider the client does not allow", func(t *testing.T) {
		resp, _ := newBrowser(t).get(e.newLogin(url.Values{"identity_provider": {"Elsewhere"}}).url)
		if q := callbackParams(t, resp); q.Get("error") != "invalid_request" {
			t.Fatalf("callback %v", q)
		}
	})
	t.Run("unknown idp_identifier", func(t *testing.T) {
		resp, _ := newBrowser(t).get(e.newLogin(url.Values{"idp_identifier": {"nowhere.example"}}).url)
		if q := callbackParams(t, resp); q.Get("error") != "invalid_request" {
			t.Fatalf("callback %v", q)
		}
	})
	t.Run("disabled user", func(t *testing.T) {
		l := start()
		id, _ := e.tokens(t, l, e.signIn(t, e.upstreamBrowser("alice", "pw"), l))
		if err := e.ts.Dir.SetUserEnabled(t.Context(), e.f.pool.ID, id["sub"].(string), false); err != nil {
			t.Fatal(err)
		}
		l = start()
		q := e.signIn(t, e.upstreamBrowser("alice", "pw"), l)
		if q.Get("error") != "invalid_request" || !strings.Contains(q.Get("error_description"), "disabled") || q.Get("code") != "" {
			t.Fatalf("callback %v", q)
		}
	})
}

// samlProvider starts a samlidp with sam, makes it the pool's SAML
// provider name and registers the pool's SP metadata there.
func (e *fedEnv) samlProvider(t *testing.T, name string, details map[string]string, identifiers ...string) *federationtest.SAMLIdP {
	t.Helper()
	idp := federationtest.NewSAMLIdP(t)
	idp.AddUser(t, federationtest.User{Username: "sam@corp.example", Password: "pw", Email: "sam@corp.example", GivenName: "Sam", FamilyName: "Sung"})
	details["MetadataURL"] = idp.MetadataURL()
	e.addProvider(t, name, "SAML", details, map[string]string{"email": "mail", "given_name": "givenName"}, identifiers...)
	resp, md := newBrowser(t).get(e.f.issuer + "/saml2/metadata?provider=" + name)
	if resp.StatusCode != http.StatusOK || !strings.Contains(md, "urn:amazon:cognito:sp:"+e.f.pool.ID) ||
		!strings.Contains(md, e.f.issuer+"/saml2/idpresponse") {
		t.Fatalf("SP metadata %d: %.600s", resp.StatusCode, md)
	}
	idp.AddServiceProvider(t, "gatehouse-"+name, []byte(md))
	return idp
}

func TestFederatedSAML(t *testing.T) {
	e := newFedEnv(t)
	idp := e.samlProvider(t, "Corp", map[string]string{"IDPInit": "true", "RequestSigningAlgorithm": "rsa-sha256"}, "corp.example")
	want := map[string]any{"email": "sam@corp.example", "given_name": "Sam"}
	acs := e.f.issuer + "/saml2/idpresponse"

	t.Run("SP-initiated", func(t *testing.T) {
		l := e.newLogin(url.Values{"identity_provider": {"Corp"}})
		id, _ := e.tokens(t, l, e.signIn(t, e.upstreamBrowser("sam@corp.example", "pw"), l))
		checkFederated(t, id, "Corp", "SAML", "sam@corp.example", want)
	})
	t.Run("idp_identifier", func(t *testing.T) {
		l := e.newLogin(url.Values{"idp_identifier": {"corp.example"}})
		id, _ := e.tokens(t, l, e.signIn(t, e.upstreamBrowser("sam@corp.example", "pw"), l))
		checkFederated(t, id, "Corp", "SAML", "sam@corp.example", want)
	})
	t.Run("email domain on the sign-in page", func(t *testing.T) {
		// The browser types the address on the sign-in page (and a
		// password, which is ignored), then signs in at the IdP.
		l := e.newLogin(nil)
		id, _ := e.tokens(t, l, e.signIn(t, e.upstreamBrowser("sam@corp.example", "pw"), l))
		checkFederated(t, id, "Corp", "SAML", "sam@corp.example", want)
	})
	t.Run("IdP-initiated", func(t *testing.T) {
		relay := url.Values{"client_id": {e.f.client.ID}, "redirect_uri": {e.f.callback}, "response_type": {"code"},
			"scope": {"openid email"}, "state": {"from-the-idp"}}
		idp.AddShortcut(t, "app", "urn:amazon:cognito:sp:"+e.f.pool.ID, relay.Encode())
		b := e.upstreamBrowser("sam@corp.example", "pw")
		if err := idp.SignIn(t.Context(), b); err != nil {
			t.Fatal(err)
		}
		a, err := b.Visit(t.Context(), idp.IDPInitiatedURL("app"))
		if err != nil {
			t.Fatalf("%v %v", err, b.Pages)
		}
		pu, _ := url.Parse(a.URL)
		q := pu.Query()
		if q.Get("state") != "from-the-idp" || q.Get("code") == "" {
			t.Fatalf("callback %s", a.URL)
		}
		tok, err := e.rp.conf.Exchange(t.Context(), q.Get("code"))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := e.rp.verifier.Verify(t.Context(), raw)
		if err != nil {
			t.Fatal(err)
		}
		if idt.Subject == "" {
			t.Fatal("no sub")
		}
	})
	t.Run("IdP-initiated without an application", func(t *testing.T) {
		idp.AddShortcut(t, "bare", "urn:amazon:cognito:sp:"+e.f.pool.ID, "")
		b := federationtest.NewBrowser(acs, "sam@corp.example", "pw")
		if err := idp.SignIn(t.Context(), b); err != nil {
			t.Fatal(err)
		}
		a, err := b.Visit(t.Context(), idp.IDPInitiatedURL("bare"))
		if err != nil {
			t.Fatalf("%v %v", err, b.Pages)
		}
		e.refused(t, b, a, http.StatusBadRequest, "did not say which application", "idp_initiated_no_client")
	})
	t.Run("assertion for another audience", func(t *testing.T) {
		// Another pool of the server is an SP of the same IdP; its
		// assertion, posted to this pool's ACS, is not for this pool.
		other := e.ts.fixture(t)
		otherEnv := &fedEnv{ts: e.ts, f: other}
		otherEnv.addProvider(t, "Corp", "SAML", map[string]string{"MetadataURL": idp.MetadataURL()}, nil)
		resp, md := newBrowser(t).get(other.issuer + "/saml2/metadata?provider=Corp")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("metadata %d", resp.StatusCode)
		}
		idp.AddServiceProvider(t, "other-pool", []byte(md))
		idp.AddShortcut(t, "other", "urn:amazon:cognito:sp:"+other.pool.ID, "")
		b := federationtest.NewBrowser(other.issuer+"/saml2/idpresponse", "sam@corp.example", "pw")
		if err := idp.SignIn(t.Context(), b); err != nil {
			t.Fatal(err)
		}
		a, err := b.Visit(t.Context(), idp.IDPInitiatedURL("other"))
		if err != nil {
			t.Fatalf("%v %v", err, b.Pages)
		}
		a.URL = acs
		a.Form.Set("RelayState", url.Values{"client_id": {e.f.client.ID}, "redirect_uri": {e.f.callback}, "response_type": {"code"}}.Encode())
		e.refused(t, b, a, http.StatusBadRequest, "did not work", "invalid_response")
	})
	t.Run("replayed assertion", func(t *testing.T) {
		relay := url.Values{"client_id": {e.f.client.ID}, "redirect_uri": {e.f.callback}, "response_type": {"code"}}
		idp.AddShortcut(t, "replay", "urn:amazon:cognito:sp:"+e.f.pool.ID, relay.Encode())
		b := federationtest.NewBrowser(acs, "sam@corp.example", "pw")
		if err := idp.SignIn(t.Context(), b); err != nil {
			t.Fatal(err)
		}
		a, err := b.Visit(t.Context(), idp.IDPInitiatedURL("replay"))
		if err != nil {
			t.Fatalf("%v %v", err, b.Pages)
		}
		if resp, page := deliver(t, b, a); resp.StatusCode != http.StatusFound {
			t.Fatalf("first delivery %d: %.400s", resp.StatusCode, page)
		}
		e.refused(t, b, a, http.StatusBadRequest, "did not work", "replayed")
	})
	t.Run("answer to another request", func(t *testing.T) {
		// A response to one AuthnRequest, delivered with a RelayState
		// naming another request: its InResponseTo does not match.
		b, a := arrive(t, acs, "sam@corp.example", e.newLogin(url.Values{"identity_provider": {"Corp"}}).url, false)
		other, err := b.Visit(t.Context(), e.newLogin(url.Values{"identity_provider": {"Corp"}}).url)
		if err != nil {
			t.Fatalf("%v %v", err, b.Pages)
		}
		a.Form.Set("RelayState", other.Form.Get("RelayState"))
		e.refused(t, b, a, http.StatusBadRequest, "did not work", "bad_state")
	})
	t.Run("bad signature", func(t *testing.T) {
		idp.SetFault(federationtest.FaultBadSignature)
		defer idp.SetFault(federationtest.NoFault)
		b, a := arrive(t, acs, "sam@corp.example", e.newLogin(url.Values{"identity_provider": {"Corp"}}).url, false)
		e.refused(t, b, a, http.StatusBadRequest, "did not work", "bad_signature")
	})
	t.Run("expired assertion", func(t *testing.T) {
		// Last: it moves the server's clock past the assertion's validity.
		b, a := arrive(t, acs, "sam@corp.example", e.newLogin(url.Values{"identity_provider": {"Corp"}}).url, false)
		e.ts.clock.Advance(10 * time.Minute)
		e.refused(t, b, a, http.StatusBadRequest, "did not work", "expired")
	})
}

func TestFederatedSAMLIdPInitiatedDisabled(t *testing.T) {
	e := newFedEnv(t)
	idp := e.samlProvider(t, "Corp", map[string]string{})
	relay := url.Values{"client_id": {e.f.client.ID}, "redirect_uri": {e.f.callback}, "response_type": {"code"}}
	idp.AddShortcut(t, "app", "urn:amazon:cognito:sp:"+e.f.pool.ID, relay.Encode())
	b := federationtest.NewBrowser(e.f.issuer+"/saml2/idpresponse", "sam@corp.example", "pw")
	if err := idp.SignIn(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	a, err := b.Visit(t.Context(), idp.IDPInitiatedURL("app"))
	if err != nil {
		t.Fatalf("%v %v", err, b.Pages)
	}
	e.refused(t, b, a, http.StatusBadRequest, "did not work", "unsolicited")
}

func TestFederatedSAMLSingleLogout(t *testing.T) {
	e := newFedEnv(t)
	idp := e.samlProvider(t, "Corp", map[string]string{"IDPSignout": "true"})
	l := e.newLogin(url.Values{"identity_provider": {"Corp"}})
	b := e.upstreamBrowser("sam@corp.example", "pw")
	e.tokens(t, l, e.signIn(t, b, l))

	// /logout sends the IdP a LogoutRequest; its LogoutResponse comes back
	// to /saml2/logout, which goes on to the client's logout URL.
	b.StopAt = e.f.logoutURL
	b.Pages = nil
	a, err := b.Visit(t.Context(), e.f.issuer+"/logout?"+url.Values{"client_id": {e.f.client.ID}, "logout_uri": {e.f.logoutURL}}.Encode())
	if err != nil {
		t.Fatalf("logout: %v (%v)", err, b.Pages)
	}
	if a.URL != e.f.logoutURL {
		t.Fatalf("logout ended at %s", a.URL)
	}
	var atIdP, back bool
	for _, p := range b.Pages {
		atIdP = atIdP || strings.Contains(p, "SAMLRequest=")
		back = back || strings.Contains(p, "/saml2/logout?") && strings.Contains(p, "SAMLResponse=")
	}
	if !atIdP || !back {
		t.Fatalf("no round trip through the IdP: %v", b.Pages)
	}
	// Signed out here: the sign-in link shows the sign-in page again.
	resp, err := b.Client.Get(e.newLogin(nil).url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.Contains(loc, "/login?") {
		t.Fatalf("after logout: %d %s", resp.StatusCode, loc)
	}

	t.Run("IdP-initiated", func(t *testing.T) {
		// Signed in again, then the IdP sends its own LogoutRequest,
		// signed with its key (a crewjam SP stands in for its sender).
		l := e.newLogin(url.Values{"identity_provider": {"Corp"}})
		b := e.upstreamBrowser("sam@corp.example", "pw")
		e.tokens(t, l, e.signIn(t, b, l))
		sender := saml.ServiceProvider{EntityID: idp.MetadataURL(), Key: idp.IDP.IDP.Key.(*rsa.PrivateKey), Certificate: idp.IDP.IDP.Certificate,
			SignatureMethod: dsig.RSASHA256SignatureMethod, IDPMetadata: &saml.EntityDescriptor{EntityID: "urn:amazon:cognito:sp:" + e.f.pool.ID,
				IDPSSODescriptors: []saml.IDPSSODescriptor{{SSODescriptor: saml.SSODescriptor{SingleLogoutServices: []saml.Endpoint{
					{Binding: saml.HTTPRedirectBinding, Location: e.f.issuer + "/saml2/logout"}}}}}}}
		u, err := sender.MakeRedirectLogoutRequest("sam@corp.example", "idp-relay")
		if err != nil {
			t.Fatal(err)
		}
		resp, err := b.Client.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), idp.URL) || loc.Query().Get("SAMLResponse") == "" ||
			loc.Query().Get("RelayState") != "idp-relay" {
			t.Fatalf("answer to the IdP's LogoutRequest: %d %s", resp.StatusCode, loc)
		}
		resp, err = b.Client.Get(e.newLogin(nil).url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); !strings.Contains(loc, "/login?") {
			t.Fatalf("still signed in after the IdP's logout: %d %s", resp.StatusCode, loc)
		}
		// The same request again: refused (replayed), an error page.
		resp, err = b.Client.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fedPage(t, resp, string(page), http.StatusBadRequest, "could not be accepted")
	})
	t.Run("without IDPSignout the logout ends here", func(t *testing.T) {
		e := newFedEnv(t)
		e.samlProvider(t, "Corp", map[string]string{})
		l := e.newLogin(url.Values{"identity_provider": {"Corp"}})
		b := e.upstreamBrowser("sam@corp.example", "pw")
		e.tokens(t, l, e.signIn(t, b, l))
		resp, err := b.Client.Get(e.f.issuer + "/logout?" + url.Values{"client_id": {e.f.client.ID}, "logout_uri": {e.f.logoutURL}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Location") != e.f.logoutURL {
			t.Fatalf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

// TestFederatedOnCustomDomain: a browser on the pool's custom domain is
// sent back there by the upstream (the redirect_uri is on the domain), and
// the flow ends with a code as on the issuer.
func TestFederatedOnCustomDomain(t *testing.T) {
	ts := newTestServer(t, func(c *server.Config) {
		c.PublicURL = strings.Replace(c.PublicURL, "127.0.0.1", "localhost", 1)
	})
	f := ts.fixture(t)
	e := &fedEnv{ts: ts, f: f}
	if _, err := ts.adminAPI().CreateUserPoolDomain(t.Context(), &cip.CreateUserPoolDomainInput{UserPoolId: &f.pool.ID,
		Domain:             aws.String("login.example.localhost"),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String("arn:aws:acm:us-east-1:000000000000:certificate/x")}}); err != nil {
		t.Fatalf("CreateUserPoolDomain: %v", err)
	}
	site := "http://login.example.localhost" + ts.URL[strings.LastIndex(ts.URL, ":"):]
	up := federationtest.NewOIDCProvider(t)
	up.AddClient(federationtest.Client{ID: "gh-client", Secret: "gh-secret", RedirectURIs: []string{site + "/oauth2/idpresponse"}})
	up.AddUser(upstreamAlice)
	e.addProvider(t, "Upstream", "OIDC", map[string]string{"client_id": "gh-client", "client_secret": "gh-secret",
		"authorize_scopes": "openid email", "oidc_issuer": up.Issuer}, oidcMapping)

	b := e.upstreamBrowser("alice", "pw")
	addr := strings.TrimPrefix(ts.URL, "http://")
	var d net.Dialer
	b.Client.Transport = &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		if strings.HasPrefix(a, "login.example.localhost:") {
			a = addr
		}
		return d.DialContext(ctx, network, a)
	}}
	q := url.Values{"response_type": {"code"}, "client_id": {f.client.ID}, "redirect_uri": {f.callback}, "scope": {"openid email"},
		"state": {"st-domain"}, "identity_provider": {"Upstream"}}
	a, err := b.Visit(t.Context(), site+"/oauth2/authorize?"+q.Encode())
	if err != nil {
		t.Fatalf("%v %v", err, b.Pages)
	}
	if pu, _ := url.Parse(a.URL); pu.Query().Get("code") == "" || pu.Query().Get("state") != "st-domain" {
		t.Fatalf("callback %s", a.URL)
	}
	reqs := up.AuthRequests()
	if len(reqs) != 1 || reqs[0].RedirectURI != site+"/oauth2/idpresponse" {
		t.Fatalf("the upstream was not sent back to the domain: %+v", reqs)
	}
	for _, p := range b.Pages {
		if strings.Contains(p, "/oauth2/idpresponse") && !strings.Contains(p, site+"/oauth2/idpresponse") {
			t.Fatalf("left the domain: %v", b.Pages)
		}
	}
}
