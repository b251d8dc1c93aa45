package cognitoapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/srp"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

const (
	alicePassword = "Correct-Horse-1"
	incorrect     = "Incorrect username or password."
)

// authFixture is a pool with a public client (password and refresh flows,
// LEGACY user existence errors), a confirmed user alice and her email.
type authFixture struct {
	*stack
	poolID, clientID string
}

func newAuthFixture(t *testing.T) *authFixture {
	t.Helper()
	st := newStack(t)
	f := &authFixture{stack: st, poolID: st.newPool(t, nil)}
	f.clientID = aws.ToString(st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID}).ClientId)
	st.newUser(t, f.poolID, "alice", alicePassword, attr("email", "alice@example.com"), attr("email_verified", "true"))
	return f
}

func TestInitiateAuthUserPassword(t *testing.T) {
	f := newAuthFixture(t)
	out, err := f.passwordAuth(t, f.clientID, "ALICE", alicePassword) // usernames are case-insensitive by default
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	r := out.AuthenticationResult
	if r == nil || out.ChallengeName != "" || out.Session != nil || len(out.ChallengeParameters) != 0 {
		t.Fatalf("InitiateAuth = %+v, want tokens and no challenge", out)
	}
	if aws.ToString(r.TokenType) != "Bearer" || r.ExpiresIn != 3600 || aws.ToString(r.RefreshToken) == "" {
		t.Errorf("TokenType %q, ExpiresIn %d, RefreshToken %q", aws.ToString(r.TokenType), r.ExpiresIn, aws.ToString(r.RefreshToken))
	}

	id := claims(t, aws.ToString(r.IdToken))
	access := claims(t, aws.ToString(r.AccessToken))
	wantClaims := []struct {
		token      string
		c          map[string]any
		name, want string
	}{
		{"id", id, "token_use", "id"},
		{"id", id, "cognito:username", "alice"},
		{"id", id, "aud", f.clientID},
		{"id", id, "email", "alice@example.com"},
		{"id", id, "iss", testIssuer + f.poolID},
		{"access", access, "token_use", "access"},
		{"access", access, "client_id", f.clientID},
		{"access", access, "scope", "aws.cognito.signin.user.admin"},
		{"access", access, "username", "alice"},
		{"access", access, "iss", testIssuer + f.poolID},
	}
	for _, c := range wantClaims {
		if got, _ := c.c[c.name].(string); got != c.want {
			t.Errorf("%s token %s = %v, want %q", c.token, c.name, c.c[c.name], c.want)
		}
	}
	if id["sub"] != access["sub"] || id["sub"] == "" || id["email_verified"] != true {
		t.Errorf("sub %v / %v, email_verified %v", id["sub"], access["sub"], id["email_verified"])
	}
}

func TestInitiateAuthFailures(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	enabled := aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID,
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled}).ClientId)
	srpOnly := aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH"}}).ClientId)

	tests := []struct {
		name                       string
		client, username, password string
		code, msg                  string
	}{
		{"wrong password", f.clientID, "alice", "Wrong-Horse-1", "NotAuthorizedException", incorrect},
		{"unknown user, LEGACY", f.clientID, "mallory", alicePassword, "UserNotFoundException", "User does not exist."},
		{"unknown user, ENABLED", enabled, "mallory", alicePassword, "NotAuthorizedException", incorrect},
		{"flow not enabled", srpOnly, "alice", alicePassword, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client"},
		{"unknown client", "nosuchclient", "alice", alicePassword, "ResourceNotFoundException", "User pool client nosuchclient does not exist."},
		{"no username", f.clientID, "", alicePassword, "InvalidParameterException", "Missing required parameter USERNAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.passwordAuth(t, tt.client, tt.username, tt.password)
			wantAPIError(t, err, tt.code, tt.msg)
		})
	}

	t.Run("admin flow on the public operation", func(t *testing.T) {
		_, err := f.public.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, ClientId: &f.clientID,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": alicePassword}})
		wantAPIError(t, err, "InvalidParameterException", "Initiate Auth method not supported.")
	})
	t.Run("unknown flow", func(t *testing.T) {
		_, err := f.public.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: "TELEPATHY", ClientId: &f.clientID})
		wantAPIError(t, err, "InvalidParameterException", "")
	})
	t.Run("missing members", func(t *testing.T) {
		raw := f.client(nil, withoutValidation)
		_, err := raw.InitiateAuth(ctx, &cip.InitiateAuthInput{})
		wantAPIError(t, err, "InvalidParameterException",
			"2 validation errors detected: Value null at 'authFlow' failed to satisfy constraint: Member must not be null; "+
				"Value null at 'clientId' failed to satisfy constraint: Member must not be null")
	})
}

// TestInitiateAuthHashQueueFull: when more password sign-ins are under way
// than the hash slots serve and a new one has waited directory.MaxHashWait,
// it is refused with TooManyRequestsException (not left to die at the
// server's write timeout), and nothing counts against the user.
func TestInitiateAuthHashQueueFull(t *testing.T) {
	f := newAuthFixture(t)
	saved := directory.MaxHashWait
	directory.MaxHashWait = 50 * time.Millisecond
	t.Cleanup(func() { directory.MaxHashWait = saved })
	var held []func()
	for {
		release, err := directory.AdmitPasswordCheck(t.Context())
		if err != nil {
			break
		}
		held = append(held, release)
	}
	_, err := f.passwordAuth(t, f.clientID, "alice", "Wrong-Horse-1")
	wantAPIError(t, err, "TooManyRequestsException", "Too many sign-ins at once, please try again.")
	for _, release := range held {
		release()
	}
	if _, err := f.passwordAuth(t, f.clientID, "alice", alicePassword); err != nil {
		t.Fatalf("InitiateAuth after: %v", err)
	}
}

func TestNewPasswordRequired(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	if _, err := f.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.poolID, Username: aws.String("bob"),
		TemporaryPassword: aws.String("Temp-Passw0rd!"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{attr("email", "bob@example.com")}}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	out, err := f.passwordAuth(t, f.clientID, "bob", "Temp-Passw0rd!")
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || len(aws.ToString(out.Session)) < 20 || out.AuthenticationResult != nil {
		t.Fatalf("InitiateAuth = %+v, want NEW_PASSWORD_REQUIRED with a session", out)
	}
	var ua map[string]string
	if err := json.Unmarshal([]byte(out.ChallengeParameters["userAttributes"]), &ua); err != nil || ua["email"] != "bob@example.com" {
		t.Errorf("userAttributes = %q", out.ChallengeParameters["userAttributes"])
	}
	if out.ChallengeParameters["requiredAttributes"] != "[]" || out.ChallengeParameters["USER_ID_FOR_SRP"] != "bob" {
		t.Errorf("ChallengeParameters = %v", out.ChallengeParameters)
	}

	respond := func(session *string, password string) (*cip.RespondToAuthChallengeOutput, error) {
		return f.public.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: &f.clientID, ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: session,
			ChallengeResponses: map[string]string{"USERNAME": "bob", "NEW_PASSWORD": password},
		})
	}
	_, err = respond(out.Session, "weak")
	wantAPIError(t, err, "InvalidPasswordException", "")
	done, err := respond(out.Session, "Brand-New-Pass-1")
	if err != nil {
		t.Fatalf("RespondToAuthChallenge: %v", err)
	}
	if done.AuthenticationResult == nil || claims(t, aws.ToString(done.AuthenticationResult.IdToken))["cognito:username"] != "bob" {
		t.Fatalf("RespondToAuthChallenge = %+v, want bob's tokens", done)
	}
	// The session is spent.
	_, err = respond(out.Session, "Another-Pass-2")
	wantAPIError(t, err, "NotAuthorizedException", "")
	_, err = respond(aws.String("not-a-session-at-all-but-long-enough"), "Another-Pass-2")
	wantAPIError(t, err, "NotAuthorizedException", "")

	got, err := f.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.poolID, Username: aws.String("bob")})
	if err != nil || got.UserStatus != types.UserStatusTypeConfirmed {
		t.Errorf("bob after the challenge: %+v, %v", got, err)
	}
	if again, err := f.passwordAuth(t, f.clientID, "bob", "Brand-New-Pass-1"); err != nil || again.AuthenticationResult == nil {
		t.Errorf("sign-in with the new password: %+v, %v", again, err)
	}
	_, err = f.passwordAuth(t, f.clientID, "bob", "Temp-Passw0rd!")
	wantAPIError(t, err, "NotAuthorizedException", incorrect)
}

func TestAdminInitiateAuth(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	if _, err := f.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.poolID, Username: aws.String("carl"),
		TemporaryPassword: aws.String("Temp-Passw0rd!"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	start, err := f.admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &f.poolID, ClientId: &f.clientID,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "carl", "PASSWORD": "Temp-Passw0rd!"},
		ContextData: &types.ContextDataType{IpAddress: aws.String("203.0.113.9"), ServerName: aws.String("app"), ServerPath: aws.String("/login"),
			HttpHeaders: []types.HttpHeader{}}})
	if err != nil || start.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Fatalf("AdminInitiateAuth = %+v, %v", start, err)
	}
	done, err := f.admin.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: &f.poolID, ClientId: &f.clientID,
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: start.Session,
		ChallengeResponses: map[string]string{"USERNAME": "carl", "NEW_PASSWORD": "Brand-New-Pass-1"}})
	if err != nil || done.AuthenticationResult == nil || aws.ToString(done.AuthenticationResult.TokenType) != "Bearer" {
		t.Fatalf("AdminRespondToAuthChallenge = %+v, %v", done, err)
	}
	if c := claims(t, aws.ToString(done.AuthenticationResult.AccessToken)); c["username"] != "carl" || c["client_id"] != f.clientID {
		t.Errorf("access token claims %v", c)
	}

	// The legacy name of the admin password flow.
	legacy, err := f.admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &f.poolID, ClientId: &f.clientID,
		AuthFlow: types.AuthFlowTypeAdminNoSrpAuth, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": alicePassword}})
	if err != nil || legacy.AuthenticationResult == nil {
		t.Fatalf("ADMIN_NO_SRP_AUTH = %+v, %v", legacy, err)
	}

	publicOnly := aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}).ClientId)
	otherPool := f.newPool(t, nil)
	tests := []struct {
		name, pool, client string
		flow               types.AuthFlowType
		code, msg          string
	}{
		{"flow not enabled", f.poolID, publicOnly, types.AuthFlowTypeAdminUserPasswordAuth, "InvalidParameterException", "ADMIN_USER_PASSWORD_AUTH flow not enabled for this client"},
		{"public flow", f.poolID, f.clientID, types.AuthFlowTypeUserPasswordAuth, "InvalidParameterException", "Initiate Auth method not supported."},
		{"client of another pool", otherPool, f.clientID, types.AuthFlowTypeAdminUserPasswordAuth, "ResourceNotFoundException", ""},
		{"unknown pool", "us-west-2_Missing99", f.clientID, types.AuthFlowTypeAdminUserPasswordAuth, "ResourceNotFoundException", "User pool us-west-2_Missing99 does not exist."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &tt.pool, ClientId: &tt.client, AuthFlow: tt.flow,
				AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": alicePassword}})
			wantAPIError(t, err, tt.code, tt.msg)
		})
	}
	// AdminInitiateAuth is an admin operation: unsigned, it is refused.
	_, err = f.public.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &f.poolID, ClientId: &f.clientID,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": alicePassword}})
	wantAPIError(t, err, "MissingAuthenticationTokenException", "")
}

func TestSecretHash(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	c := f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID, GenerateSecret: true})
	clientID, secret := aws.ToString(c.ClientId), aws.ToString(c.ClientSecret)

	_, err := f.passwordAuth(t, clientID, "alice", alicePassword)
	wantAPIError(t, err, "NotAuthorizedException", "Client "+clientID+" is configured for secret but secret was not received")
	for _, wrong := range []string{secretHash("not-the-secret", "alice", clientID), secretHash(secret, "bob", clientID), "not base64 at all"} {
		_, err = f.passwordAuth(t, clientID, "alice", alicePassword, "SECRET_HASH", wrong)
		wantAPIError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+clientID)
	}
	// A wrong hash is refused before the password is looked at.
	_, err = f.passwordAuth(t, clientID, "alice", "Wrong-Horse-1", "SECRET_HASH", secretHash("nope", "alice", clientID))
	wantAPIError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+clientID)

	out, err := f.passwordAuth(t, clientID, "alice", alicePassword, "SECRET_HASH", secretHash(secret, "alice", clientID))
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth with the right SECRET_HASH: %+v, %v", out, err)
	}
	refreshToken := out.AuthenticationResult.RefreshToken

	// Refresh: the hash of the token's user, with or without USERNAME.
	refresh := func(params map[string]string) error {
		params["REFRESH_TOKEN"] = aws.ToString(refreshToken)
		_, err := f.public.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &clientID, AuthParameters: params})
		return err
	}
	if err := refresh(map[string]string{"SECRET_HASH": secretHash(secret, "alice", clientID)}); err != nil {
		t.Errorf("refresh with the username's hash: %v", err)
	}
	if err := refresh(map[string]string{"USERNAME": "alice", "SECRET_HASH": secretHash(secret, "alice", clientID)}); err != nil {
		t.Errorf("refresh with USERNAME: %v", err)
	}
	wantAPIError(t, refresh(map[string]string{}), "NotAuthorizedException", "Client "+clientID+" is configured for secret but secret was not received")
	wantAPIError(t, refresh(map[string]string{"SECRET_HASH": secretHash("nope", "alice", clientID)}), "NotAuthorizedException",
		"Unable to verify secret hash for client "+clientID)

	// The challenge answer carries SECRET_HASH too.
	if _, err := f.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &f.poolID, Username: aws.String("dora"),
		TemporaryPassword: aws.String("Temp-Passw0rd!"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	start, err := f.passwordAuth(t, clientID, "dora", "Temp-Passw0rd!", "SECRET_HASH", secretHash(secret, "dora", clientID))
	if err != nil || start.Session == nil {
		t.Fatalf("InitiateAuth dora: %+v, %v", start, err)
	}
	answer := func(hash string) error {
		responses := map[string]string{"USERNAME": "dora", "NEW_PASSWORD": "Brand-New-Pass-1"}
		if hash != "" {
			responses["SECRET_HASH"] = hash
		}
		_, err := f.public.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID,
			ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: start.Session, ChallengeResponses: responses})
		return err
	}
	wantAPIError(t, answer(""), "NotAuthorizedException", "Client "+clientID+" is configured for secret but secret was not received")
	wantAPIError(t, answer(secretHash("nope", "dora", clientID)), "NotAuthorizedException", "Unable to verify secret hash for client "+clientID)
	if err := answer(secretHash(secret, "dora", clientID)); err != nil {
		t.Errorf("RespondToAuthChallenge with the right SECRET_HASH: %v", err)
	}

	// The admin operations check it as well.
	_, err = f.admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &f.poolID, ClientId: &clientID,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": alicePassword}})
	wantAPIError(t, err, "NotAuthorizedException", "Client "+clientID+" is configured for secret but secret was not received")
}

func TestRefreshTokenAuth(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	out, err := f.passwordAuth(t, f.clientID, "alice", alicePassword)
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	first := claims(t, aws.ToString(out.AuthenticationResult.AccessToken))
	refreshToken := aws.ToString(out.AuthenticationResult.RefreshToken)
	f.clock.Advance(10 * time.Minute)

	for _, flow := range []types.AuthFlowType{types.AuthFlowTypeRefreshTokenAuth, types.AuthFlowTypeRefreshToken} {
		t.Run(string(flow), func(t *testing.T) {
			got, err := f.public.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: flow, ClientId: &f.clientID,
				AuthParameters: map[string]string{"REFRESH_TOKEN": refreshToken}})
			if err != nil {
				t.Fatalf("InitiateAuth %s: %v", flow, err)
			}
			r := got.AuthenticationResult
			if r == nil || aws.ToString(r.IdToken) == "" || r.RefreshToken != nil || r.ExpiresIn != 3600 || aws.ToString(r.TokenType) != "Bearer" {
				t.Fatalf("refresh result %+v; want new ID and access tokens and no refresh token (no rotation)", r)
			}
			access := claims(t, aws.ToString(r.AccessToken))
			if access["sub"] != first["sub"] || access["origin_jti"] != first["origin_jti"] || access["auth_time"] != first["auth_time"] ||
				access["iat"] == first["iat"] {
				t.Errorf("refreshed access token %v, first %v", access, first)
			}
		})
	}

	admin, err := f.admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &f.poolID, ClientId: &f.clientID,
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": refreshToken}})
	if err != nil || admin.AuthenticationResult == nil {
		t.Errorf("AdminInitiateAuth REFRESH_TOKEN_AUTH: %+v, %v", admin, err)
	}

	refreshWith := func(clientID, token string) error {
		_, err := f.public.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &clientID,
			AuthParameters: map[string]string{"REFRESH_TOKEN": token}})
		return err
	}
	wantAPIError(t, refreshWith(f.clientID, "not-a-refresh-token"), "NotAuthorizedException", "Invalid Refresh Token")
	other := aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID}).ClientId)
	wantAPIError(t, refreshWith(other, refreshToken), "NotAuthorizedException", "Invalid Refresh Token")
	noRefresh := aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH"}}).ClientId)
	wantAPIError(t, refreshWith(noRefresh, refreshToken), "InvalidParameterException", "REFRESH_TOKEN_AUTH flow not enabled for this client")
	wantAPIError(t, refreshWith(f.clientID, ""), "InvalidParameterException", "Missing required parameter REFRESH_TOKEN")

	// A deleted user's refresh token is dead: Cognito says the user is gone.
	if _, err := f.admin.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &f.poolID, Username: aws.String("alice")}); err != nil {
		t.Fatalf("AdminDeleteUser: %v", err)
	}
	wantAPIError(t, refreshWith(f.clientID, refreshToken), "UserNotFoundException", "User does not exist.")
}

func TestLockout(t *testing.T) {
	f := newAuthFixture(t)
	for range 5 {
		_, err := f.passwordAuth(t, f.clientID, "alice", "Wrong-Horse-1")
		wantAPIError(t, err, "NotAuthorizedException", incorrect)
	}
	// Locked: even the right password is refused, at once.
	_, err := f.passwordAuth(t, f.clientID, "alice", alicePassword)
	wantAPIError(t, err, "NotAuthorizedException", "Password attempts exceeded")

	// The lock lasts; once it is over the right password works again.
	f.clock.Advance(time.Minute)
	out, err := f.passwordAuth(t, f.clientID, "alice", alicePassword)
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("sign-in after the lock: %+v, %v", out, err)
	}
	// Success resets the count: one more failure does not lock.
	_, err = f.passwordAuth(t, f.clientID, "alice", "Wrong-Horse-1")
	wantAPIError(t, err, "NotAuthorizedException", incorrect)
	if _, err := f.passwordAuth(t, f.clientID, "alice", alicePassword); err != nil {
		t.Errorf("sign-in after one failure: %v", err)
	}
}

// TestAuthWireShape checks the JSON itself, as a hand-written client sees
// it: tokens with an empty ChallengeParameters object, as Cognito answers,
// and no null members; and the auth event the sign-in recorded.
func TestAuthWireShape(t *testing.T) {
	f := newAuthFixture(t)
	body := `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"` + f.clientID + `","AuthParameters":{"USERNAME":"alice","PASSWORD":"` + alicePassword + `"}}`
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.srv.URL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth")
	req.Header.Set("Content-Type", contentTypeJSON11)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ans := readAnswer(t, resp)
	if ans.status != http.StatusOK || strings.Contains(ans.raw, "null") || !strings.Contains(ans.raw, `"ChallengeParameters":{}`) {
		t.Fatalf("InitiateAuth answered %d %s", ans.status, ans.raw)
	}
	if _, ok := ans.body["ChallengeName"]; ok {
		t.Errorf("ChallengeName present with tokens: %s", ans.raw)
	}
	result, _ := ans.body["AuthenticationResult"].(map[string]any)
	for _, k := range []string{"AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType"} {
		if _, ok := result[k]; !ok {
			t.Errorf("AuthenticationResult has no %s", k)
		}
	}

	// The admin call's ContextData names the end user's address.
	if _, err := f.admin.AdminInitiateAuth(t.Context(), &cip.AdminInitiateAuthInput{UserPoolId: &f.poolID, ClientId: &f.clientID,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": alicePassword},
		ContextData: &types.ContextDataType{IpAddress: aws.String("203.0.113.9"), ServerName: aws.String("app"), ServerPath: aws.String("/"),
			HttpHeaders: []types.HttpHeader{}}}); err != nil {
		t.Fatalf("AdminInitiateAuth: %v", err)
	}
	u, err := f.dir.FindUser(t.Context(), mustPool(t, f), "alice")
	if err != nil {
		t.Fatal(err)
	}
	events, err := f.dir.Store().ListAuthEvents(t.Context(), f.poolID, u.Sub, 10)
	if err != nil {
		t.Fatal(err)
	}
	ips := map[string]bool{}
	for _, e := range events {
		if e.Response == "Pass" {
			ips[e.IP] = true
		}
	}
	if !ips["127.0.0.1"] || !ips["203.0.113.9"] {
		t.Errorf("sign-in events from %v, want the caller's 127.0.0.1 and the admin's 203.0.113.9", ips)
	}
}

func mustPool(t *testing.T, f *authFixture) *storage.Pool {
	t.Helper()
	p, err := f.dir.GetPool(t.Context(), f.poolID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUserSRPAuth runs USER_SRP_AUTH → PASSWORD_VERIFIER through the API,
// with SECRET_HASH, as amazon-cognito-identity-js does (e2e/ drives the
// real library; this pins the API's part).
func TestUserSRPAuth(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	c := f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID, GenerateSecret: true,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	clientID, secret := aws.ToString(c.ClientId), aws.ToString(c.ClientSecret)

	client, err := srp.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	start, err := f.public.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &clientID,
		AuthParameters: map[string]string{"USERNAME": "ALICE", "SRP_A": client.PublicA(), "SECRET_HASH": secretHash(secret, "ALICE", clientID)}})
	if err != nil {
		t.Fatalf("InitiateAuth USER_SRP_AUTH: %v", err)
	}
	p := start.ChallengeParameters
	if start.ChallengeName != types.ChallengeNameTypePasswordVerifier || p["USER_ID_FOR_SRP"] != "alice" || start.Session == nil {
		t.Fatalf("InitiateAuth = %+v", start)
	}
	answer := func(password string) (*cip.RespondToAuthChallengeOutput, error) {
		ts := f.clock.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
		claim, err := client.Claim(f.poolID, p["USER_ID_FOR_SRP"], password, p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], ts)
		if err != nil {
			t.Fatal(err)
		}
		return f.public.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID,
			ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: start.Session,
			ChallengeResponses: map[string]string{"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
				"PASSWORD_CLAIM_SIGNATURE": claim, "TIMESTAMP": ts, "SECRET_HASH": secretHash(secret, p["USER_ID_FOR_SRP"], clientID)}})
	}
	_, err = answer("Wrong-Horse-1")
	wantAPIError(t, err, "NotAuthorizedException", incorrect)
	done, err := answer(alicePassword)
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("RespondToAuthChallenge PASSWORD_VERIFIER: %+v, %v", done, err)
	}
	if cl := claims(t, aws.ToString(done.AuthenticationResult.IdToken)); cl["cognito:username"] != "alice" || cl["aud"] != clientID {
		t.Errorf("ID token claims %v", cl)
	}
}
