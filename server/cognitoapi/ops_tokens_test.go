package cognitoapi

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// refreshWith is GetTokensFromRefreshToken.
func (f *authFixture) refreshWith(t *testing.T, clientID, token, secret string) (*types.AuthenticationResultType, error) {
	t.Helper()
	in := &cip.GetTokensFromRefreshTokenInput{ClientId: &clientID, RefreshToken: &token}
	if secret != "" {
		in.ClientSecret = &secret
	}
	out, err := f.public.GetTokensFromRefreshToken(t.Context(), in)
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
}

func TestGetTokensFromRefreshToken(t *testing.T) {
	f := newAuthFixture(t)
	toks := f.signIn(t, f.clientID, "alice", alicePassword)
	refresh := aws.ToString(toks.RefreshToken)

	f.clock.Advance(5 * time.Minute)
	r, err := f.refreshWith(t, f.clientID, refresh, "")
	if err != nil {
		t.Fatalf("GetTokensFromRefreshToken: %v", err)
	}
	if aws.ToString(r.AccessToken) == "" || aws.ToString(r.IdToken) == "" || r.RefreshToken != nil ||
		r.ExpiresIn != 3600 || aws.ToString(r.TokenType) != "Bearer" || r.NewDeviceMetadata != nil {
		t.Fatalf("AuthenticationResult = %+v; without rotation no new refresh token", r)
	}
	before, after := claims(t, aws.ToString(toks.AccessToken)), claims(t, aws.ToString(r.AccessToken))
	for _, k := range []string{"sub", "origin_jti", "auth_time", "event_id", "client_id", "scope", "username"} {
		if before[k] != after[k] {
			t.Errorf("refreshed access token %s = %v, was %v", k, after[k], before[k])
		}
	}
	if after["jti"] == before["jti"] || after["iat"] == before["iat"] {
		t.Errorf("refreshed access token is not new: jti %v iat %v", after["jti"], after["iat"])
	}
	if claims(t, aws.ToString(r.IdToken))["email"] != "alice@example.com" {
		t.Errorf("refreshed ID token %v", claims(t, aws.ToString(r.IdToken)))
	}
	// The new access token works; the refresh token still does.
	if _, err := f.getUser(t, aws.ToString(r.AccessToken)); err != nil {
		t.Fatalf("GetUser with the refreshed token: %v", err)
	}
	if _, err := f.refreshWith(t, f.clientID, refresh, ""); err != nil {
		t.Fatalf("refresh again: %v", err)
	}

	secretClient := f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID, GenerateSecret: true})
	secretID, secret := aws.ToString(secretClient.ClientId), aws.ToString(secretClient.ClientSecret)
	out, err := f.passwordAuth(t, secretID, "alice", alicePassword, "SECRET_HASH", secretHash(secret, "alice", secretID))
	if err != nil {
		t.Fatal(err)
	}
	secretRefresh := aws.ToString(out.AuthenticationResult.RefreshToken)
	if _, err := f.refreshWith(t, secretID, secretRefresh, secret); err != nil {
		t.Fatalf("with the client secret: %v", err)
	}
	noRefresh := aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH"}}).ClientId)

	tests := []struct {
		name, client, token, secret string
		code, msg                   string
	}{
		{"unknown client", "nosuchclient", refresh, "", "ResourceNotFoundException", "User pool client nosuchclient does not exist."},
		{"not a refresh token", f.clientID, "bm90LWEtdG9rZW4", "", "NotAuthorizedException", "Invalid Refresh Token"},
		{"an access token", f.clientID, aws.ToString(toks.AccessToken), "", "NotAuthorizedException", "Invalid Refresh Token"},
		{"another client's token", secretID, refresh, secret, "NotAuthorizedException", "Invalid Refresh Token"},
		{"secret missing", secretID, secretRefresh, "", "NotAuthorizedException", "Client " + secretID + " is configured for secret but secret was not received"},
		{"secret wrong", secretID, secretRefresh, secret + "x", "NotAuthorizedException", "Unable to verify client secret for client " + secretID},
		{"refresh not enabled", noRefresh, refresh, "", "InvalidParameterException", "REFRESH_TOKEN_AUTH flow not enabled for this client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.refreshWith(t, tt.client, tt.token, tt.secret)
			wantAPIError(t, err, tt.code, tt.msg)
		})
	}
	t.Run("missing members", func(t *testing.T) {
		_, err := f.client(nil, withoutValidation).GetTokensFromRefreshToken(t.Context(), &cip.GetTokensFromRefreshTokenInput{})
		wantAPIError(t, err, "InvalidParameterException", "2 validation errors detected: "+
			"Value null at 'refreshToken' failed to satisfy constraint: Member must not be null; "+
			"Value null at 'clientId' failed to satisfy constraint: Member must not be null")
	})
	t.Run("disabled user", func(t *testing.T) {
		f.changeUser(t, "alice", func(u *storage.User) { u.Enabled = false })
		defer f.changeUser(t, "alice", func(u *storage.User) { u.Enabled = true })
		_, err := f.refreshWith(t, f.clientID, refresh, "")
		wantAPIError(t, err, "NotAuthorizedException", "User is disabled.")
	})
	t.Run("expired", func(t *testing.T) {
		f.clock.Advance(30 * 24 * time.Hour)
		_, err := f.refreshWith(t, f.clientID, refresh, "")
		wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	})
}

// TestRefreshTokenRotation: a rotating client gets a new refresh token
// with each refresh; the old one works for the grace period, then its use
// is RefreshTokenReuseException. REFRESH_TOKEN_AUTH is refused to it, as
// Cognito refuses it.
func TestRefreshTokenRotation(t *testing.T) {
	f := newAuthFixture(t)
	rotating := func(grace int32) string {
		return aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID,
			RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(grace)}}).ClientId)
	}

	t.Run("no grace period", func(t *testing.T) {
		client := rotating(0)
		old := aws.ToString(f.signIn(t, client, "alice", alicePassword).RefreshToken)
		r, err := f.refreshWith(t, client, old, "")
		if err != nil {
			t.Fatalf("GetTokensFromRefreshToken: %v", err)
		}
		next := aws.ToString(r.RefreshToken)
		if next == "" || next == old || aws.ToString(r.AccessToken) == "" || aws.ToString(r.IdToken) == "" {
			t.Fatalf("rotation answered %+v", r)
		}
		_, err = f.refreshWith(t, client, old, "")
		wantAPIError(t, err, "RefreshTokenReuseException", "")
		if _, err := f.refreshWith(t, client, next, ""); err != nil {
			t.Fatalf("the new refresh token: %v", err)
		}
		_, err = f.public.InitiateAuth(t.Context(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &client,
			AuthParameters: map[string]string{"REFRESH_TOKEN": next}})
		wantAPIError(t, err, "InvalidParameterException", "")
	})

	t.Run("grace period", func(t *testing.T) {
		client := rotating(30)
		old := aws.ToString(f.signIn(t, client, "alice", alicePassword).RefreshToken)
		first, err := f.refreshWith(t, client, old, "")
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(20 * time.Second)
		retry, err := f.refreshWith(t, client, old, "")
		if err != nil {
			t.Fatalf("a retry within the grace period: %v", err)
		}
		if r := aws.ToString(retry.RefreshToken); r == "" || r == old || r == aws.ToString(first.RefreshToken) {
			t.Fatalf("the retry's refresh token %q", r)
		}
		f.clock.Advance(10 * time.Second)
		_, err = f.refreshWith(t, client, old, "")
		wantAPIError(t, err, "RefreshTokenReuseException", "")
		for _, r := range []*types.AuthenticationResultType{first, retry} {
			if _, err := f.refreshWith(t, client, aws.ToString(r.RefreshToken), ""); err != nil {
				t.Fatalf("a token handed out in the grace period: %v", err)
			}
		}
	})
}

func TestRevokeToken(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	revoke := func(client, token, secret string) error {
		in := &cip.RevokeTokenInput{ClientId: &client, Token: &token}
		if secret != "" {
			in.ClientSecret = &secret
		}
		_, err := f.public.RevokeToken(ctx, in)
		return err
	}
	toks := f.signIn(t, f.clientID, "alice", alicePassword)
	kept := f.signIn(t, f.clientID, "alice", alicePassword)
	refreshed, err := f.refreshWith(t, f.clientID, aws.ToString(toks.RefreshToken), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := revoke(f.clientID, aws.ToString(toks.RefreshToken), ""); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	_, err = f.refreshWith(t, f.clientID, aws.ToString(toks.RefreshToken), "")
	wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	// Every access token of the sign-in dies, the refreshed one too; another sign-in lives.
	for _, tok := range []*string{toks.AccessToken, refreshed.AccessToken} {
		_, err := f.getUser(t, aws.ToString(tok))
		wantAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	}
	if _, err := f.getUser(t, aws.ToString(kept.AccessToken)); err != nil {
		t.Fatalf("another sign-in's token: %v", err)
	}
	// Revoking again, or a token never issued, is no error.
	if err := revoke(f.clientID, aws.ToString(toks.RefreshToken), ""); err != nil {
		t.Fatalf("revoke twice: %v", err)
	}
	if err := revoke(f.clientID, "bm90LWEtdG9rZW4", ""); err != nil {
		t.Fatalf("revoke an unknown token: %v", err)
	}

	secretClient := f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID, GenerateSecret: true})
	secretID, secret := aws.ToString(secretClient.ClientId), aws.ToString(secretClient.ClientSecret)
	out, err := f.passwordAuth(t, secretID, "alice", alicePassword, "SECRET_HASH", secretHash(secret, "alice", secretID))
	if err != nil {
		t.Fatal(err)
	}
	secretRefresh := aws.ToString(out.AuthenticationResult.RefreshToken)
	noRevocation := aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID,
		EnableTokenRevocation: aws.Bool(false)}).ClientId)
	keptRefresh := aws.ToString(kept.RefreshToken)

	tests := []struct {
		name, client, token, secret string
		code                        string
	}{
		{"an access token", f.clientID, aws.ToString(kept.AccessToken), "", "UnsupportedTokenTypeException"},
		{"an ID token", f.clientID, aws.ToString(kept.IdToken), "", "UnsupportedTokenTypeException"},
		{"revocation not enabled", noRevocation, keptRefresh, "", "UnsupportedOperationException"},
		{"another client's token", secretID, keptRefresh, secret, "UnauthorizedException"},
		{"unknown client", "nosuchclient", keptRefresh, "", "UnauthorizedException"},
		{"secret missing", secretID, secretRefresh, "", "UnauthorizedException"},
		{"secret wrong", secretID, secretRefresh, secret + "x", "UnauthorizedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantAPIError(t, revoke(tt.client, tt.token, tt.secret), tt.code, "")
		})
	}
	// None of the refused calls revoked anything.
	for _, tok := range []string{keptRefresh} {
		if _, err := f.refreshWith(t, f.clientID, tok, ""); err != nil {
			t.Fatalf("after refused revocations: %v", err)
		}
	}
	if _, err := f.refreshWith(t, secretID, secretRefresh, secret); err != nil {
		t.Fatalf("after refused revocations: %v", err)
	}
	if err := revoke(secretID, secretRefresh, secret); err != nil {
		t.Fatalf("RevokeToken with the client secret: %v", err)
	}
	_, err = f.refreshWith(t, secretID, secretRefresh, secret)
	wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	t.Run("missing members", func(t *testing.T) {
		_, err := f.client(nil, withoutValidation).RevokeToken(ctx, &cip.RevokeTokenInput{})
		wantAPIError(t, err, "InvalidParameterException", "")
	})
}

func TestAdminUserGlobalSignOut(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	toks := f.signIn(t, f.clientID, "alice", alicePassword)
	if _, err := f.admin.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &f.poolID,
		Username: aws.String("ALICE")}); err != nil {
		t.Fatalf("AdminUserGlobalSignOut: %v", err)
	}
	_, err := f.getUser(t, aws.ToString(toks.AccessToken))
	wantAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	_, err = f.refreshWith(t, f.clientID, aws.ToString(toks.RefreshToken), "")
	wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")

	tests := []struct {
		name     string
		client   *cip.Client
		pool     string
		username string
		code     string
	}{
		{"unknown user", f.admin, f.poolID, "mallory", "UserNotFoundException"},
		{"unknown pool", f.admin, testRegion + "_NoSuchPool", "alice", "ResourceNotFoundException"},
		{"malformed pool id", f.admin, "nounderscore", "alice", "InvalidParameterException"},
		{"unsigned", f.public, f.poolID, "alice", "MissingAuthenticationTokenException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.client.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &tt.pool, Username: &tt.username})
			wantAPIError(t, err, tt.code, "")
		})
	}
}
