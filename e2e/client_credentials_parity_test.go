package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// ccAnswer is what a client_credentials request got back: for a token,
// the response's fields and the token's claims (by name; their values are
// checked apart), for a refusal the OAuth error.
type ccAnswer struct {
	Status      int
	Error       string
	Description string
	Fields      string // sorted response field names, with token_type and scope
	Claims      string // sorted access token claim names
	NoStore     bool   // Cache-Control: no-store and Pragma: no-cache
}

// TestClientCredentialsParity sends good and bad client_credentials
// requests and compares the answers with those fosite's generic token
// endpoint gave before the direct path existed (captured from it at
// e3bf54f with GATEHOUSE_CAPTURE=1 and kept here as the table): the
// direct path must answer each the same.
func TestClientCredentialsParity(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	pool, svc, secret := m2mPool(t, ts)
	web := &storage.Client{PoolID: pool.ID, Name: "web", AllowedOAuthFlows: []string{"code"}, CallbackURLs: []string{"https://app.example/cb"},
		AllowedOAuthScopes: []string{"openid", "https://api.example/read"}, AllowedOAuthFlowsUserPoolClient: true}
	webSecret, err := ts.Dir.CreateClient(ctx, web, true)
	if err != nil {
		t.Fatal(err)
	}
	spa := &storage.Client{PoolID: pool.ID, Name: "spa", AllowedOAuthFlows: []string{"code"}, CallbackURLs: []string{"https://app.example/cb"},
		AllowedOAuthScopes: []string{"openid"}, AllowedOAuthFlowsUserPoolClient: true}
	if _, err := ts.Dir.CreateClient(ctx, spa, false); err != nil {
		t.Fatal(err)
	}
	tokenURL := ts.URL + "/" + pool.ID + "/oauth2/token"
	const form = "application/x-www-form-urlencoded"
	const read = "https%3A%2F%2Fapi.example%2Fread"
	type basic struct{ id, secret string }
	svcAuth := &basic{svc.ID, secret}

	tests := []struct {
		name, method, ctype string
		auth                *basic
		body                string
	}{
		{"basic, no scope", "POST", form, svcAuth, "grant_type=client_credentials"},
		{"basic, scope", "POST", form, svcAuth, "grant_type=client_credentials&scope=" + read},
		{"basic, scope twice in one value", "POST", form, svcAuth, "grant_type=client_credentials&scope=" + read + "+" + read},
		{"basic, charset", "POST", form + "; charset=UTF-8", svcAuth, "grant_type=client_credentials"},
		{"post", "POST", form, nil, "grant_type=client_credentials&client_id=" + svc.ID + "&client_secret=" + secret},
		{"basic and post", "POST", form, svcAuth, "grant_type=client_credentials&client_id=" + svc.ID + "&client_secret=" + secret},
		{"multipart", "POST", "multipart", svcAuth, "grant_type=client_credentials"},
		{"wrong secret, basic", "POST", form, &basic{svc.ID, "wrong"}, "grant_type=client_credentials"},
		{"wrong secret, post", "POST", form, nil, "grant_type=client_credentials&client_id=" + svc.ID + "&client_secret=wrong"},
		{"empty secret, basic", "POST", form, &basic{svc.ID, ""}, "grant_type=client_credentials"},
		{"no secret, post", "POST", form, nil, "grant_type=client_credentials&client_id=" + svc.ID},
		{"basic wrong, post right", "POST", form, &basic{svc.ID, "wrong"}, "grant_type=client_credentials&client_id=" + svc.ID + "&client_secret=" + secret},
		{"unknown client", "POST", form, &basic{"nosuchclient", secret}, "grant_type=client_credentials"},
		{"missing auth", "POST", form, nil, "grant_type=client_credentials"},
		{"bad escape in basic id", "POST", form, &basic{"%zz", secret}, "grant_type=client_credentials"},
		{"grant not allowed", "POST", form, &basic{web.ID, webSecret}, "grant_type=client_credentials"},
		{"grant not allowed, scope", "POST", form, &basic{web.ID, webSecret}, "grant_type=client_credentials&scope=" + read},
		{"public client", "POST", form, nil, "grant_type=client_credentials&client_id=" + spa.ID},
		{"unknown scope", "POST", form, svcAuth, "grant_type=client_credentials&scope=https%3A%2F%2Fapi.example%2Fnope"},
		{"scope not allowed", "POST", form, svcAuth, "grant_type=client_credentials&scope=https%3A%2F%2Fapi.example%2Fwrite"},
		{"openid scope", "POST", form, svcAuth, "grant_type=client_credentials&scope=openid"},
		{"audience", "POST", form, svcAuth, "grant_type=client_credentials&audience=https%3A%2F%2Fapi.example"},
		{"duplicate grant_type", "POST", form, svcAuth, "grant_type=client_credentials&grant_type=client_credentials"},
		{"duplicate scope", "POST", form, svcAuth, "grant_type=client_credentials&scope=" + read + "&scope=" + read},
		{"duplicate client_id", "POST", form, nil, "grant_type=client_credentials&client_id=" + svc.ID + "&client_id=" + svc.ID + "&client_secret=" + secret},
		{"two grant types", "POST", form, svcAuth, "grant_type=client_credentials+refresh_token"},
		{"unknown grant", "POST", form, svcAuth, "grant_type=password"},
		{"no grant_type", "POST", form, svcAuth, "scope=" + read},
		{"empty body", "POST", form, svcAuth, ""},
		{"bad body escape", "POST", form, svcAuth, "grant_type=client_credentials&scope=%zz"},
		{"client assertion", "POST", form, nil, "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"},
		{"wrong content type", "POST", "text/plain", svcAuth, "grant_type=client_credentials"},
		{"json content type", "POST", "application/json", svcAuth, `{"grant_type":"client_credentials"}`},
		{"no content type", "POST", "", svcAuth, "grant_type=client_credentials"},
		{"body too large", "POST", form, svcAuth, "grant_type=client_credentials&pad=" + strings.Repeat("a", 70<<10)},
		{"GET", "GET", "", svcAuth, ""},
		{"PUT", "PUT", form, svcAuth, "grant_type=client_credentials"},
	}
	// What fosite answered (captured at e3bf54f).
	want := map[string]ccAnswer{
		"basic, no scope":                 {Status: 200, Fields: "access_token expires_in scope token_type token_type=bearer scope=https://api.example/read", Claims: "auth_time client_id exp iat iss jti scope sub token_use version", NoStore: true},
		"basic, scope":                    {Status: 200, Fields: "access_token expires_in scope token_type token_type=bearer scope=https://api.example/read", Claims: "auth_time client_id exp iat iss jti scope sub token_use version", NoStore: true},
		"basic, scope twice in one value": {Status: 200, Fields: "access_token expires_in scope token_type token_type=bearer scope=https://api.example/read", Claims: "auth_time client_id exp iat iss jti scope sub token_use version", NoStore: true},
		"basic, charset":                  {Status: 200, Fields: "access_token expires_in scope token_type token_type=bearer scope=https://api.example/read", Claims: "auth_time client_id exp iat iss jti scope sub token_use version", NoStore: true},
		"post":                            {Status: 200, Fields: "access_token expires_in scope token_type token_type=bearer scope=https://api.example/read", Claims: "auth_time client_id exp iat iss jti scope sub token_use version", NoStore: true},
		"basic and post":                  {Status: 200, Fields: "access_token expires_in scope token_type token_type=bearer scope=https://api.example/read", Claims: "auth_time client_id exp iat iss jti scope sub token_use version", NoStore: true},
		"multipart":                       {Status: 200, Fields: "access_token expires_in scope token_type token_type=bearer scope=https://api.example/read", Claims: "auth_time client_id exp iat iss jti scope sub token_use version", NoStore: true},
		"wrong secret, basic":             {Status: 401, Error: "invalid_client", Description: "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).", NoStore: true},
		"wrong secret, post":              {Status: 401, Error: "invalid_client", Description: "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).", NoStore: true},
		"empty secret, basic":             {Status: 401, Error: "invalid_client", Description: "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).", NoStore: true},
		"no secret, post":                 {Status: 401, Error: "invalid_client", Description: "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).", NoStore: true},
		"basic wrong, post right":         {Status: 401, Error: "invalid_client", Description: "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).", NoStore: true},
		"unknown client":                  {Status: 401, Error: "invalid_client", Description: "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).", NoStore: true},
		"missing auth":                    {Status: 400, Error: "invalid_request", Description: "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. Client credentials missing or malformed in both HTTP Authorization header and HTTP POST body.", NoStore: true},
		"bad escape in basic id":          {Status: 400, Error: "invalid_request", Description: "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. The client id in the HTTP authorization header could not be decoded from 'application/x-www-form-urlencoded'.", NoStore: true},
		"grant not allowed":               {Status: 400, Error: "invalid_scope", Description: "The requested scope is invalid, unknown, or malformed. The client_credentials grant takes only custom scopes, not 'openid'.", NoStore: true},
		"grant not allowed, scope":        {Status: 400, Error: "unauthorized_client", Description: "The client is not authorized to request a token using this method. The OAuth 2.0 Client is not allowed to use authorization grant 'client_credentials'.", NoStore: true},
		"public client":                   {Status: 400, Error: "invalid_grant", Description: "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client. The OAuth 2.0 Client is marked as public and is thus not allowed to use authorization grant 'client_credentials'.", NoStore: true},
		"unknown scope":                   {Status: 400, Error: "invalid_scope", Description: "The requested scope is invalid, unknown, or malformed. The OAuth 2.0 Client is not allowed to request scope 'https://api.example/nope'.", NoStore: true},
		"scope not allowed":               {Status: 400, Error: "invalid_scope", Description: "The requested scope is invalid, unknown, or malformed. The OAuth 2.0 Client is not allowed to request scope 'https://api.example/write'.", NoStore: true},
		"openid scope":                    {Status: 400, Error: "invalid_scope", Description: "The requested scope is invalid, unknown, or malformed. The OAuth 2.0 Client is not allowed to request scope 'openid'.", NoStore: true},
		"audience":                        {Status: 400, Error: "invalid_request", Description: "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. Requested audience 'https://api.example' has not been whitelisted by the OAuth 2.0 Client.", NoStore: true},
		"duplicate grant_type":            {Status: 200, Fields: "access_token expires_in scope token_type token_type=bearer scope=https://api.example/read", Claims: "auth_time client_id exp iat iss jti scope sub token_use version", NoStore: true},
		"duplicate scope":                 {Status: 200, Fields: "access_token expires_in scope token_type token_type=bearer scope=https://api.example/read", Claims: "auth_time client_id exp iat iss jti scope sub token_use version", NoStore: true},
		"duplicate client_id":             {Status: 200, Fields: "access_token expires_in scope token_type token_type=bearer scope=https://api.example/read", Claims: "auth_time client_id exp iat iss jti scope sub token_use version", NoStore: true},
		"two grant types":                 {Status: 400, Error: "invalid_request", Description: "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. Make sure that the various parameters are correct, be aware of case sensitivity and trim your parameters. Make sure that the client you are using has exactly whitelisted the redirect_uri you specified.", NoStore: true},
		"unknown grant":                   {Status: 400, Error: "invalid_request", Description: "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. Make sure that the various parameters are correct, be aware of case sensitivity and trim your parameters. Make sure that the client you are using has exactly whitelisted the redirect_uri you specified.", NoStore: true},
		"no grant_type":                   {Status: 400, Error: "invalid_request", Description: "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. Request parameter 'grant_type' is missing", NoStore: true},
		"empty body":                      {Status: 400, Error: "invalid_request", Description: "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. The POST body can not be empty.", NoStore: true},
		"bad body escape":                 {Status: 200, Fields: "access_token expires_in scope token_type token_type=bearer scope=https://api.example/read", Claims: "auth_time client_id exp iat iss jti scope sub token_use version", NoStore: true},
		"client assertion":                {Status: 400, Error: "invalid_request", Description: "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. The client_assertion request parameter must be set when using client_assertion_type of 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.", NoStore: true},
		"wrong content type":              {Status: 400, Error: "invalid_request", Description: "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. The POST body can not be empty.", NoStore: true},
		"json content type":               {Status: 400, Error: "invalid_request", Description: "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. The POST body can not be empty.", NoStore: true},
		"no content type":                 {Status: 400, Error: "invalid_request", Description: "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. The POST body can not be empty.", NoStore: true},
		"body too large":                  {Status: 400, Error: "invalid_request", Description: "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. The POST body can not be empty.", NoStore: true},
		"GET":                             {Status: 405, Description: "Method Not Allowed"},
		"PUT":                             {Status: 405, Description: "Method Not Allowed"},
	}
	capture := os.Getenv("GATEHOUSE_CAPTURE") != ""
	for _, tc := range tests {
		body, ctype := []byte(tc.body), tc.ctype
		if ctype == "multipart" {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			_ = mw.WriteField("grant_type", "client_credentials")
			_ = mw.Close()
			body, ctype = buf.Bytes(), mw.FormDataContentType()
		}
		req, _ := http.NewRequest(tc.method, tokenURL, bytes.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if tc.auth != nil {
			req.SetBasicAuth(tc.auth.id, tc.auth.secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got := ccAnswer{Status: resp.StatusCode,
			NoStore: resp.Header.Get("Cache-Control") == "no-store" && resp.Header.Get("Pragma") == "no-cache"}
		var m map[string]any
		if json.Unmarshal(raw, &m) == nil {
			got.Error, _ = m["error"].(string)
			got.Description, _ = m["error_description"].(string)
			if at, ok := m["access_token"].(string); ok {
				got.Fields = ccFields(m)
				got.Claims = ccClaims(t, decodeJWT(t, at), svc.ID, ts.URL+"/"+pool.ID, m)
			}
		} else {
			got.Description = strings.TrimSpace(string(raw))
		}
		if resp.StatusCode == 200 && resp.Header.Get("Content-Type") != "application/json;charset=UTF-8" {
			t.Errorf("%s: Content-Type %q", tc.name, resp.Header.Get("Content-Type"))
		}
		if capture {
			fmt.Printf("%q: %#v\n", tc.name, got)
			continue
		}
		if w, ok := want[tc.name]; !ok || got != w {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, w)
		}
	}
}

// ccFields names a token response's fields, with its token type and scope.
func ccFields(m map[string]any) string {
	var names []string
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return fmt.Sprintf("%s token_type=%v scope=%v", strings.Join(names, " "), m["token_type"], m["scope"])
}

// ccClaims checks the claims' values that do not change between requests
// and names them all.
func ccClaims(t *testing.T, c map[string]any, clientID, issuer string, resp map[string]any) string {
	t.Helper()
	if c["sub"] != clientID || c["client_id"] != clientID || c["iss"] != issuer || c["token_use"] != "access" || c["scope"] != resp["scope"] {
		t.Errorf("claims %v", c)
	}
	exp, _ := c["exp"].(float64)
	iat, _ := c["iat"].(float64)
	in, _ := resp["expires_in"].(float64)
	if exp-iat != 3600 || in < 3598 || in > 3600 || time.Until(time.Unix(int64(exp), 0)) > time.Hour+time.Second {
		t.Errorf("exp %v iat %v expires_in %v", exp, iat, in)
	}
	var names []string
	for k := range c {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, " ")
}

// m2mPool makes a pool with a resource server (read, write) and a
// client_credentials client allowed its read scope.
func m2mPool(t *testing.T, ts *testServer) (*storage.Pool, *storage.Client, string) {
	t.Helper()
	ctx := context.Background()
	pool, _ := ts.Dir.CreatePool(ctx, &storage.Pool{Name: "m2m"}, "")
	if err := ts.Dir.CreateResourceServer(ctx, &storage.ResourceServer{PoolID: pool.ID, Identifier: "https://api.example",
		Name: "api", Scopes: []storage.ResourceScope{{Name: "read", Description: "r"}, {Name: "write", Description: "w"}}}); err != nil {
		t.Fatal(err)
	}
	svc := &storage.Client{PoolID: pool.ID, Name: "svc", AllowedOAuthFlows: []string{"client_credentials"},
		AllowedOAuthScopes: []string{"https://api.example/read"}, AllowedOAuthFlowsUserPoolClient: true}
	secret, err := ts.Dir.CreateClient(ctx, svc, true)
	if err != nil {
		t.Fatal(err)
	}
	return pool, svc, secret
}

// TestClientCredentialsExpiresInFollowsClock: expires_in is the token's
// life on the server's clock (the one exp is made from), whatever the wall
// clock says.
func TestClientCredentialsExpiresInFollowsClock(t *testing.T) {
	ts := newTestServer(t)
	pool, svc, secret := m2mPool(t, ts)
	ts.clock.Advance(24 * time.Hour)
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/"+pool.ID+"/oauth2/token",
		strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(svc.ID, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	if in, _ := m["expires_in"].(float64); in < 3598 || in > 3600 {
		t.Fatalf("expires_in %v a day ahead of the wall clock, want the hour the token lives", in)
	}
}
