package cognitoapi

import (
	"context"
	"errors"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Token operations: GetTokensFromRefreshToken and RevokeToken (public, the
// client id and, for a client that has one, its secret authenticate them)
// and AdminUserGlobalSignOut (SigV4). Refresh, rotation with its grace
// period, revocation and sign-out are the engine's (Engine.Refresh,
// Revoke, GlobalSignOut), shared with /oauth2/token and /oauth2/revoke.
//
//	GetTokensFromRefreshToken ─► client, secret ─► Engine.Refresh ─► tokens (+ a new
//	                                                refresh token when the client rotates)
//	RevokeToken ─► client, secret ─► revocation enabled? ─► refresh token? ─► Engine.Revoke
//	AdminUserGlobalSignOut ─► pool, user ─► Engine.GlobalSignOut

func registerTokenOps(a *API, svc *service) {
	register(a, "GetTokensFromRefreshToken", AuthNone, svc.getTokensFromRefreshToken)
	register(a, "RevokeToken", AuthNone, svc.revokeToken)
	register(a, "AdminUserGlobalSignOut", AuthSigV4, svc.adminUserGlobalSignOut)
}

// ---- GetTokensFromRefreshToken ----

type getTokensFromRefreshTokenInput struct {
	RefreshToken   string
	ClientId       string
	ClientSecret   string
	DeviceKey      string            // device tracking does not exist yet
	ClientMetadata map[string]string // for Lambda triggers, which do not exist yet
}

type getTokensFromRefreshTokenOutput struct {
	AuthenticationResult *authenticationResultType
}

func (s *service) getTokensFromRefreshToken(ctx context.Context, in *getTokensFromRefreshTokenInput) (*getTokensFromRefreshTokenOutput, error) {
	var v validation
	v.required("refreshToken", in.RefreshToken)
	v.required("clientId", in.ClientId)
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, client, err := s.publicClient(ctx, in.ClientId)
	if err != nil {
		return nil, err
	}
	if err := s.checkClientSecret(client, in.ClientSecret); err != nil {
		return nil, err
	}
	if !refreshAllowed(client) {
		return nil, InvalidParameter("REFRESH_TOKEN_AUTH flow not enabled for this client")
	}
	t, err := s.engine.Refresh(ctx, pool, client, in.RefreshToken)
	if err != nil {
		return nil, err
	}
	return &getTokensFromRefreshTokenOutput{AuthenticationResult: tokensOutput(t).AuthenticationResult}, nil
}

// checkClientSecret checks the ClientSecret of a public token operation:
// required, and compared in constant time, for a client that has a
// secret; a client without one needs none.
func (s *service) checkClientSecret(c *storage.Client, given string) error {
	if !s.clientHasSecret(c) {
		return nil
	}
	if given == "" {
		return NotAuthorized("Client " + c.ID + " is configured for secret but secret was not received")
	}
	if !s.dir.VerifyClientSecret(c, given) {
		return NotAuthorized("Unable to verify client secret for client " + c.ID)
	}
	return nil
}

// ---- RevokeToken ----

type revokeTokenInput struct {
	Token        string
	ClientId     string
	ClientSecret string
}

// revokeToken revokes a refresh token and every token minted from its
// sign-in (its family), as /oauth2/revoke does. Cognito declares
// UnauthorizedException for a client that does not authenticate and for a
// token of another client, UnsupportedOperationException for a client
// without token revocation, UnsupportedTokenTypeException for an ID or
// access token. A token this server never issued is revoked already: the
// answer is success, as RFC 7009 §2.2 asks.
func (s *service) revokeToken(ctx context.Context, in *revokeTokenInput) (*struct{}, error) {
	var v validation
	v.required("token", in.Token)
	v.required("clientId", in.ClientId)
	if err := v.err(); err != nil {
		return nil, err
	}
	client, err := s.dir.GetClient(ctx, "", in.ClientId)
	if errors.Is(err, directory.ErrResourceNotFound) {
		return nil, Unauthorized("Client authentication failed.")
	}
	if err != nil {
		return nil, err
	}
	if s.clientHasSecret(client) && !s.dir.VerifyClientSecret(client, in.ClientSecret) {
		return nil, Unauthorized("Client authentication failed.")
	}
	if !client.EnableTokenRevocation {
		return nil, UnsupportedOperation("Token revocation is not enabled for this client.")
	}
	if strings.Count(in.Token, ".") == 2 {
		return nil, UnsupportedTokenType("Only refresh tokens can be revoked.")
	}
	if err := s.engine.Revoke(ctx, client, in.Token); err != nil {
		if errors.Is(err, auth.ErrWrongClient) {
			return nil, Unauthorized("The token was not issued to this client.")
		}
		return nil, err
	}
	return nil, nil
}

// ---- AdminUserGlobalSignOut ----

// adminUserGlobalSignOut ends every token, refresh token and hosted UI
// session of a user, as GlobalSignOut does for the user themselves.
func (s *service) adminUserGlobalSignOut(ctx context.Context, in *poolUserInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, u, err := s.poolAndUser(ctx, in)
	if err != nil {
		return nil, err
	}
	return nil, s.engine.GlobalSignOut(ctx, pool, u)
}
