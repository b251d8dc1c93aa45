package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// cognitoCall calls an operation of the Cognito JSON API unsigned, as an
// app does, and decodes the answer (the output, or {"__type", "message"}).
func cognitoCall(t *testing.T, ts *testServer, op string, in any) (int, map[string]any) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: answer is not JSON: %v", op, err)
	}
	return resp.StatusCode, out
}

// apiSignIn signs in with InitiateAuth USER_PASSWORD_AUTH and returns the
// AuthenticationResult.
func apiSignIn(t *testing.T, ts *testServer, clientID, username, password string) map[string]any {
	t.Helper()
	status, out := cognitoCall(t, ts, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": clientID,
		"AuthParameters": map[string]string{"USERNAME": username, "PASSWORD": password}})
	res, _ := out["AuthenticationResult"].(map[string]any)
	if status != http.StatusOK || res == nil {
		t.Fatalf("InitiateAuth: %d %v", status, out)
	}
	return res
}

// claimsThatDiffer are the claims two sign-ins of one user may not share:
// the ids and times of each token and sign-in, the OIDC request's nonce
// and at_hash, and scope, which is the API's aws.cognito.signin.user.admin
// for InitiateAuth and what the relying party asked for in the code flow.
var claimsThatDiffer = []string{"jti", "iat", "exp", "auth_time", "at_hash", "origin_jti", "event_id", "nonce", "scope"}

// TestClaimsParity: the same user gets the same claims from InitiateAuth
// and from the hosted UI's code flow, in both tokens: one minter, one
// engine (DESIGN.md), whatever the front.
func TestClaimsParity(t *testing.T) {
	ts := newTestServer(t)
	f := ts.fixture(t)
	ctx := context.Background()
	// Give alice attributes of every claim type, and her group a role.
	u, err := ts.Dir.GetUserBySub(ctx, f.pool.ID, f.user.Sub)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Dir.UpdateAttributes(f.pool, u, map[string]string{"phone_number": "+15550100", "phone_number_verified": "true",
		"family_name": "Liddell", "updated_at": "1700000000", "locale": "en-GB"}); err != nil {
		t.Fatal(err)
	}
	if err := ts.Dir.SaveUser(ctx, f.pool, u); err != nil {
		t.Fatal(err)
	}
	staff, err := ts.Dir.GetGroup(ctx, f.pool.ID, "staff")
	if err != nil {
		t.Fatal(err)
	}
	staff.RoleArn = "arn:aws:iam::000000000000:role/staff"
	if err := ts.Dir.UpdateGroup(ctx, staff); err != nil {
		t.Fatal(err)
	}

	api := apiSignIn(t, ts, f.public.ID, "alice", f.password)

	verifier := oauth2.GenerateVerifier()
	q := authorize(t, newBrowser(t), authURL(f, f.public.ID, url.Values{"scope": {"openid email phone profile"}, "nonce": {"n-0123456789"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}), "alice", f.password)
	status, ui := postToken(t, f, url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {f.callback},
		"code_verifier": {verifier}, "client_id": {f.public.ID}}, false, "")
	if status != http.StatusOK {
		t.Fatalf("code exchange: %d %v", status, ui)
	}

	for _, tok := range []struct {
		name, api, ui string
		want          map[string]any // claims that must be there, to keep the comparison honest
	}{
		{"ID token", api["IdToken"].(string), ui["id_token"].(string), map[string]any{
			"sub": f.user.Sub, "aud": f.public.ID, "iss": f.issuer, "token_use": "id", "cognito:username": "alice",
			"email": "alice@example.com", "email_verified": true, "phone_number_verified": true, "updated_at": float64(1700000000),
			"given_name": "Alice", "cognito:groups": []any{"staff"}, "cognito:roles": []any{staff.RoleArn},
			"cognito:preferred_role": staff.RoleArn}},
		{"access token", api["AccessToken"].(string), ui["access_token"].(string), map[string]any{
			"sub": f.user.Sub, "client_id": f.public.ID, "iss": f.issuer, "token_use": "access", "username": "alice",
			"cognito:groups": []any{"staff"}, "version": float64(2)}},
	} {
		t.Run(tok.name, func(t *testing.T) {
			a, b := decodeJWT(t, tok.api), decodeJWT(t, tok.ui)
			for k, v := range tok.want {
				if !reflect.DeepEqual(a[k], v) {
					t.Errorf("%s = %#v, want %#v", k, a[k], v)
				}
			}
			for _, k := range claimsThatDiffer {
				delete(a, k)
				delete(b, k)
			}
			if !reflect.DeepEqual(a, b) {
				keys := slices.Sorted(maps.Keys(a))
				for _, k := range slices.Sorted(maps.Keys(b)) {
					if !slices.Contains(keys, k) {
						keys = append(keys, k)
					}
				}
				var diff []string
				for _, k := range keys {
					if !reflect.DeepEqual(a[k], b[k]) {
						diff = append(diff, k)
					}
				}
				t.Fatalf("claims differ in %s:\nInitiateAuth: %v\ncode flow:    %v", strings.Join(diff, ", "), a, b)
			}
		})
	}
	// What differs, differs as it should.
	if s := decodeJWT(t, api["AccessToken"].(string))["scope"]; s != "aws.cognito.signin.user.admin" {
		t.Errorf("InitiateAuth scope %v", s)
	}
	if s, _ := decodeJWT(t, ui["access_token"].(string))["scope"].(string); !strings.Contains(s, "openid") {
		t.Errorf("code flow scope %q", s)
	}
	if n := decodeJWT(t, ui["id_token"].(string))["nonce"]; n != "n-0123456789" {
		t.Errorf("code flow nonce %v", n)
	}
}
