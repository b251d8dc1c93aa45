package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	smithy "github.com/aws/smithy-go"
)

// Names of what setup makes.
const (
	loadPassword   = "Load-Passw0rd!"
	callbackURL    = "http://localhost/cb"
	resourceServer = "load"
	customScope    = "load/read"
)

// env is what the scenarios share: the pool, its clients, users and the
// tokens and cookies obtained at setup.
type env struct {
	base, issuer, poolID string
	region               string
	creds                aws.Credentials
	signer               *v4.Signer
	transport            *http.Transport
	client               *http.Client // no redirects followed
	lean                 bool         // plain GETs through leanGet

	m2mID, m2mSecret string // client_credentials
	webID, webSecret string // confidential, code flow
	appID            string // public: InitiateAuth flows, code flow
	users            []string

	// userTokens are sign-ins of the first users through the app client
	// (access tokens with aws.cognito.signin.user.admin, refresh tokens).
	userTokens []tokenSet
	// webAccess is an access token of the code flow (openid scope).
	webAccess string
	browsers  atomic.Uint32 // browserTransport's addresses
	// ssoJar holds a hosted-UI SSO session of users[0], so that
	// /oauth2/authorize answers with a code at once.
	ssoJar http.CookieJar
}

type tokenSet struct {
	Access, ID, Refresh string
}

// setup makes a pool with three clients and o.users users through the
// admin API, then signs some users in for the token scenarios.
func setup(ctx context.Context, o *options, logf func(string, ...any)) (*env, error) {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        o.concurrency + 16,
		MaxIdleConnsPerHost: o.concurrency + 16,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	e := &env{base: o.url, region: o.region, transport: tr, signer: v4.NewSigner(), lean: o.lean,
		creds:  aws.Credentials{AccessKeyID: o.keyID, SecretAccessKey: o.secret},
		client: &http.Client{Transport: tr, Timeout: 120 * time.Second, CheckRedirect: noRedirects}}
	// Set-up calls use the SDK's standard retries (a connection lost at
	// the first call once failed a run); the scenarios count every error.
	api := cip.New(cip.Options{Region: o.region, BaseEndpoint: aws.String(o.url), Retryer: retry.NewStandard(),
		HTTPClient:  &http.Client{Transport: tr, Timeout: 60 * time.Second},
		Credentials: credentials.NewStaticCredentialsProvider(o.keyID, o.secret, "")})

	suffix := strings.ToLower(strings.NewReplacer("-", "x", "_", "y").Replace(randomString(6)))
	if o.pool != "" {
		// A pool made beforehand (e.g. by --config, with the resource
		// server where CreateResourceServer is not served).
		e.poolID = o.pool
	} else {
		pool, err := api.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("gatehouse-load-" + suffix),
			AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true}})
		if err != nil {
			return nil, fmt.Errorf("CreateUserPool: %w", err)
		}
		e.poolID = aws.ToString(pool.UserPool.Id)
	}
	e.issuer = o.url + "/" + e.poolID
	logf("setup: pool %s", e.poolID)

	// The client_credentials grant takes custom scopes only, which need a
	// resource server.
	_, rsErr := api.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: aws.String(e.poolID),
		Identifier: aws.String(resourceServer), Name: aws.String("load"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("read")}}})
	m2m, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(e.poolID),
		ClientName: aws.String("load-m2m-" + suffix), GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows:  []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{customScope}})
	if err == nil {
		e.m2mID, e.m2mSecret = aws.ToString(m2m.UserPoolClient.ClientId), aws.ToString(m2m.UserPoolClient.ClientSecret)
	} else {
		logf("setup: no client_credentials client (CreateResourceServer: %v; CreateUserPoolClient: %v)", rsErr, err)
	}
	userScopes := []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"}
	web, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(e.poolID),
		ClientName: aws.String("load-web-" + suffix), GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode}, AllowedOAuthScopes: userScopes,
		CallbackURLs: []string{callbackURL}, SupportedIdentityProviders: []string{"COGNITO"},
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		return nil, fmt.Errorf("CreateUserPoolClient web: %w", err)
	}
	e.webID, e.webSecret = aws.ToString(web.UserPoolClient.ClientId), aws.ToString(web.UserPoolClient.ClientSecret)
	app, err := api.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(e.poolID),
		ClientName: aws.String("load-app-" + suffix), AllowedOAuthFlowsUserPoolClient: true,
		AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode}, AllowedOAuthScopes: userScopes,
		CallbackURLs: []string{callbackURL}, SupportedIdentityProviders: []string{"COGNITO"},
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		return nil, fmt.Errorf("CreateUserPoolClient app: %w", err)
	}
	e.appID = aws.ToString(app.UserPoolClient.ClientId)

	if err := e.createUsers(ctx, api, "load-"+suffix, o.users); err != nil {
		return nil, err
	}
	logf("setup: %d users", len(e.users))

	// Tokens for the refresh, userinfo and GetUser scenarios.
	for i := range min(4, len(e.users)) {
		ts, err := e.passwordSignIn(ctx, e.users[i])
		if err != nil {
			return nil, fmt.Errorf("sign in %s: %w", e.users[i], err)
		}
		e.userTokens = append(e.userTokens, ts)
	}
	jar := newJar()
	ts, err := e.hostedUISignIn(ctx, jar, e.users[0])
	if err != nil {
		return nil, fmt.Errorf("hosted UI sign-in: %w", err)
	}
	e.webAccess, e.ssoJar = ts.Access, jar
	return e, nil
}

// browserTransport is a transport whose connections come from the next
// address of 127.1.0.0/16 (on a loopback server; elsewhere the usual one).
func (e *env) browserTransport() *http.Transport {
	tr := e.transport.Clone()
	tr.MaxIdleConnsPerHost = 1
	if u, err := url.Parse(e.base); err == nil {
		if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsLoopback() && ip.To4() != nil {
			n := e.browsers.Add(1)
			local := &net.TCPAddr{IP: net.IPv4(127, 1, byte(n>>8), byte(n))}
			if byte(n) == 0 || byte(n) == 255 {
				local.IP = net.IPv4(127, 1, byte(n>>8), 1)
			}
			tr.DialContext = (&net.Dialer{Timeout: 5 * time.Second, LocalAddr: local}).DialContext
		}
	}
	return tr
}

// createUsers makes n users with a permanent password, a few at a time
// (each password set costs the server an argon2id hash).
func (e *env) createUsers(ctx context.Context, api *cip.Client, prefix string, n int) error {
	e.users = make([]string, n)
	errc := make(chan error, n)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := range n {
		name := fmt.Sprintf("%s-%05d", prefix, i)
		e.users[i] = name
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			_, err := api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(e.poolID),
				Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
				UserAttributes: []types.AttributeType{
					{Name: aws.String("email"), Value: aws.String(name + "@example.com")},
					{Name: aws.String("email_verified"), Value: aws.String("true")}}})
			if err != nil {
				errc <- fmt.Errorf("AdminCreateUser %s: %w", name, err)
				return
			}
			if _, err := api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(e.poolID),
				Username: aws.String(name), Password: aws.String(loadPassword), Permanent: true}); err != nil {
				errc <- fmt.Errorf("AdminSetUserPassword %s: %w", name, err)
			}
		}()
	}
	wg.Wait()
	close(errc)
	return <-errc
}

// ---- raw requests: the scenarios' own, cheaper than the SDK's ----

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// apiCall posts one Cognito API operation; signed when sign is set.
func (e *env) apiCall(ctx context.Context, op string, in any, out any, sign bool) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.base+"/", strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	if sign {
		if err := e.signer.SignHTTP(ctx, e.creds, req, sha256Hex(body), "cognito-idp", e.region, time.Now()); err != nil {
			return err
		}
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := readAll(resp)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var ae struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		json.Unmarshal(raw, &ae)
		return &smithy.GenericAPIError{Code: ae.Type, Message: fmt.Sprintf("%s: HTTP %d: %s", op, resp.StatusCode, ae.Message)}
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

type authResult struct {
	ChallengeName        string
	ChallengeParameters  map[string]string
	Session              string
	AuthenticationResult *struct {
		AccessToken, IdToken, RefreshToken string
	}
}

func (e *env) passwordSignIn(ctx context.Context, username string) (tokenSet, error) {
	var out authResult
	err := e.apiCall(ctx, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": e.appID,
		"AuthParameters": map[string]string{"USERNAME": username, "PASSWORD": loadPassword}}, &out, false)
	if err != nil {
		return tokenSet{}, err
	}
	if out.AuthenticationResult == nil {
		return tokenSet{}, fmt.Errorf("InitiateAuth: challenge %s instead of tokens", out.ChallengeName)
	}
	r := out.AuthenticationResult
	return tokenSet{Access: r.AccessToken, ID: r.IdToken, Refresh: r.RefreshToken}, nil
}

// get fetches a URL without following redirects, reading the body.
func (e *env) get(ctx context.Context, c *http.Client, u string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := readAll(resp)
	return resp, body, err
}

// authorizeURL is a code + PKCE request of the web client.
func (e *env) authorizeURL() (string, string) {
	verifier := randomString(32)
	q := url.Values{"response_type": {"code"}, "client_id": {e.webID}, "redirect_uri": {callbackURL},
		"scope": {"openid email profile"}, "state": {randomString(8)}, "nonce": {randomString(8)},
		"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}}
	return e.issuer + "/oauth2/authorize?" + q.Encode(), verifier
}

// codeFrom follows redirects within the server from u until one leaves for
// the callback, and returns its code. A sign-in page met on the way is
// filled in for username (the hosted UI flow); with no username it is an
// error (the SSO session should have answered).
func (e *env) codeFrom(ctx context.Context, c *http.Client, u, username string) (string, error) {
	for range 8 {
		loc, page, err := e.step(ctx, c, u)
		switch {
		case err != nil:
			return "", err
		case page != nil && username == "":
			return "", fmt.Errorf("GET %s: a page, not a redirect: %.200s", page.url.Path, page.body)
		case page != nil:
			f, err := page.form(c, username)
			if err != nil {
				return "", err
			}
			if loc, err = e.submit(ctx, f); err != nil {
				return "", err
			}
			username = ""
		case strings.HasPrefix(loc.String(), callbackURL):
			code := loc.Query().Get("code")
			if code == "" {
				return "", fmt.Errorf("callback without code: %s", loc.Query().Get("error_description"))
			}
			return code, nil
		}
		u = loc.String()
	}
	return "", errors.New("too many redirects")
}

// page is an HTML page the server answered (200).
type page struct {
	url  *url.URL
	body []byte
}

// step GETs u: a redirect's target, or the page the server answered;
// any other status is an error.
func (e *env) step(ctx context.Context, c *http.Client, u string) (*url.URL, *page, error) {
	resp, body, err := e.get(ctx, c, u)
	switch {
	case err != nil:
		return nil, nil, err
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		loc, err := resp.Location()
		return loc, nil, err
	case resp.StatusCode == http.StatusOK:
		return nil, &page{url: resp.Request.URL, body: body}, nil
	}
	return nil, nil, fmt.Errorf("GET %s: HTTP %d: %.200s", resp.Request.URL.Path, resp.StatusCode, body)
}

// form fills the sign-in page's form for username, for browser c.
func (p *page) form(c *http.Client, username string) (pendingForm, error) {
	action, form, err := signInForm(p.url, string(p.body), username, loadPassword)
	return pendingForm{client: c, action: action, form: form}, err
}

// submit posts a sign-in form and returns where the answer redirects: a
// form answered with a page (a wrong password, a limit) is an error.
func (e *env) submit(ctx context.Context, f pendingForm) (*url.URL, error) {
	resp, body, err := e.post(ctx, f.client, f.action, f.form, "", "")
	if err != nil {
		return nil, err
	}
	loc, err := resp.Location()
	if err != nil {
		return nil, fmt.Errorf("sign-in form: HTTP %d: %.200s", resp.StatusCode, body)
	}
	return loc, nil
}

// post sends a form, with HTTP Basic client authentication when id is set.
func (e *env) post(ctx context.Context, c *http.Client, u string, form url.Values, id, secret string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := readAll(resp)
	return resp, body, err
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	Error        string `json:"error"`
	Description  string `json:"error_description"`
}

// token posts to /oauth2/token and decodes the answer.
func (e *env) token(ctx context.Context, form url.Values, id, secret string) (*tokenResponse, error) {
	resp, body, err := e.post(ctx, e.client, e.issuer+"/oauth2/token", form, id, secret)
	if err != nil {
		return nil, err
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		return nil, fmt.Errorf("token: HTTP %d: %.200s", resp.StatusCode, body)
	}
	if resp.StatusCode != http.StatusOK || tr.AccessToken == "" {
		return nil, fmt.Errorf("token: HTTP %d: %s: %s", resp.StatusCode, tr.Error, tr.Description)
	}
	return &tr, nil
}

// exchange trades a code of the web client for tokens.
func (e *env) exchange(ctx context.Context, code, verifier string) (*tokenResponse, error) {
	return e.token(ctx, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callbackURL},
		"code_verifier": {verifier}}, e.webID, e.webSecret)
}

// hostedUISignIn runs the whole code flow with the jar: authorize, the
// sign-in form, the code, the token exchange.
func (e *env) hostedUISignIn(ctx context.Context, jar http.CookieJar, username string) (tokenSet, error) {
	c := &http.Client{Transport: e.transport, Jar: jar, Timeout: e.client.Timeout, CheckRedirect: noRedirects}
	return e.hostedUISignInWith(ctx, c, username)
}

// hostedUISignInWith is hostedUISignIn with the client (jar and
// transport) given.
func (e *env) hostedUISignInWith(ctx context.Context, c *http.Client, username string) (tokenSet, error) {
	u, verifier := e.authorizeURL()
	code, err := e.codeFrom(ctx, c, u, username)
	if err != nil {
		return tokenSet{}, err
	}
	tr, err := e.exchange(ctx, code, verifier)
	if err != nil {
		return tokenSet{}, err
	}
	return tokenSet{Access: tr.AccessToken, ID: tr.IDToken, Refresh: tr.RefreshToken}, nil
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
