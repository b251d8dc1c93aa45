package cognitoapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Authentication operations: InitiateAuth, RespondToAuthChallenge (public,
// the client id authenticates them, with SECRET_HASH when the client has a
// secret) and their Admin twins (SigV4). All four drive the one engine
// (server/auth):
//
//	InitiateAuth ─► client, flow, SECRET_HASH ─► Engine.Start ─┬─► challenge: ChallengeName, ChallengeParameters, Session
//	                                       └─► Engine.Refresh  └─► done: Engine.Issue ─► AuthenticationResult
//	RespondToAuthChallenge ─► client, SECRET_HASH ─► Engine.Respond ─► (the same two ends)

func registerAuthOps(a *API, svc *service) {
	register(a, "InitiateAuth", AuthNone, svc.initiateAuth)
	register(a, "RespondToAuthChallenge", AuthNone, svc.respondToAuthChallenge)
	register(a, "AdminInitiateAuth", AuthSigV4, svc.adminInitiateAuth)
	register(a, "AdminRespondToAuthChallenge", AuthSigV4, svc.adminRespondToAuthChallenge)
}

// Cognito's AuthFlowType and ChallengeNameType, for input validation;
// which of them the engine runs is its business.
var (
	authFlowTypes = []string{"USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH",
		"USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH"}
	challengeNameTypes = []string{"SMS_MFA", "EMAIL_OTP", "SOFTWARE_TOKEN_MFA", "SELECT_MFA_TYPE", "MFA_SETUP",
		"PASSWORD_VERIFIER", "CUSTOM_CHALLENGE", "SELECT_CHALLENGE", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER",
		"ADMIN_NO_SRP_AUTH", "NEW_PASSWORD_REQUIRED", "SMS_OTP", "PASSWORD", "WEB_AUTHN", "PASSWORD_SRP"}
	// Flows only one of the two entry points takes.
	adminOnlyFlows  = []string{auth.FlowAdminUserPassword, auth.FlowAdminNoSRP}
	publicOnlyFlows = []string{auth.FlowUserPassword}
)

// ---- shapes ----

type authenticationResultType struct {
	AccessToken  string
	ExpiresIn    int
	TokenType    string
	RefreshToken string `json:",omitempty"`
	IdToken      string `json:",omitempty"`
}

// authOutput is the output of all four operations: a challenge, or tokens.
type authOutput struct {
	ChallengeName        string `json:",omitempty"`
	Session              string `json:",omitempty"`
	ChallengeParameters  map[string]string
	AuthenticationResult *authenticationResultType `json:",omitempty"`
}

// contextDataType is the admin operations' ContextData: the end user's
// address as the calling server saw it.
type contextDataType struct {
	IpAddress string
}

// ---- InitiateAuth / AdminInitiateAuth ----

type initiateAuthInput struct {
	AuthFlow       string
	AuthParameters map[string]string
	ClientId       string
	ClientMetadata map[string]string
}

type adminInitiateAuthInput struct {
	initiateAuthInput
	UserPoolId  string
	ContextData *contextDataType
}

func (in *initiateAuthInput) validate(v *validation) {
	v.required("authFlow", in.AuthFlow)
	v.enum("authFlow", in.AuthFlow, authFlowTypes...)
	v.required("clientId", in.ClientId)
}

func (s *service) initiateAuth(ctx context.Context, in *initiateAuthInput) (*authOutput, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, client, err := s.publicClient(ctx, in.ClientId)
	if err != nil {
		return nil, err
	}
	if slices.Contains(adminOnlyFlows, in.AuthFlow) {
		return nil, InvalidParameter("Initiate Auth method not supported.")
	}
	return s.initiate(ctx, pool, client, in, remoteIP(ctx))
}

func (s *service) adminInitiateAuth(ctx context.Context, in *adminInitiateAuthInput) (*authOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, client, err := s.adminClient(ctx, in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	if slices.Contains(publicOnlyFlows, in.AuthFlow) {
		return nil, InvalidParameter("Initiate Auth method not supported.")
	}
	return s.initiate(ctx, pool, client, &in.initiateAuthInput, adminIP(ctx, in.ContextData))
}

// initiate runs a flow for either entry point.
func (s *service) initiate(ctx context.Context, pool *storage.Pool, client *storage.Client, in *initiateAuthInput, ip string) (*authOutput, error) {
	params := in.AuthParameters
	if params == nil {
		params = map[string]string{}
	}
	if in.AuthFlow == auth.FlowRefreshToken || in.AuthFlow == auth.FlowRefresh {
		return s.refresh(ctx, pool, client, in.AuthFlow, params)
	}
	username := params["USERNAME"]
	if username == "" {
		return nil, InvalidParameter("Missing required parameter USERNAME")
	}
	if err := s.checkSecretHash(client, params["SECRET_HASH"], username); err != nil {
		return nil, err
	}
	// The sign-in's event is written with its tokens: one transaction.
	ctx = auth.DeferEvent(ctx)
	defer s.engine.FlushEvent(ctx)
	step, err := s.engine.Start(ctx, auth.Request{Pool: pool, Client: client, Flow: in.AuthFlow, Params: params, IP: ip})
	if err != nil {
		return nil, err
	}
	return s.stepOutput(ctx, pool, client, step)
}

// refresh is REFRESH_TOKEN_AUTH (and its alias REFRESH_TOKEN): new ID and
// access tokens from a refresh token, a new refresh token only when the
// client rotates them.
func (s *service) refresh(ctx context.Context, pool *storage.Pool, client *storage.Client, flow string, params map[string]string) (*authOutput, error) {
	if !refreshAllowed(client) {
		return nil, InvalidParameter(flow + " flow not enabled for this client")
	}
	if client.RefreshTokenRotation {
		// Cognito: a client that rotates refresh tokens refreshes only with
		// GetTokensFromRefreshToken (or /oauth2/token).
		return nil, InvalidParameter(flow + " flow is not supported for clients with refresh token rotation; use GetTokensFromRefreshToken")
	}
	token := params["REFRESH_TOKEN"]
	if token == "" {
		return nil, InvalidParameter("Missing required parameter REFRESH_TOKEN")
	}
	if s.clientHasSecret(client) {
		// The client computes SECRET_HASH over the username it knows; the
		// token's own user (by username or, as for pools that sign in by
		// email, by sub) is what Cognito checks it against.
		names := []string{}
		if n := params["USERNAME"]; n != "" {
			names = append(names, n)
		}
		if u := s.refreshTokenUser(ctx, pool, token); u != nil {
			names = append(names, u.Username, u.Sub)
		}
		if err := s.checkSecretHash(client, params["SECRET_HASH"], names...); err != nil {
			return nil, err
		}
	}
	t, err := s.engine.Refresh(ctx, pool, client, token)
	if err != nil {
		return nil, err
	}
	return tokensOutput(t), nil
}

// refreshAllowed reports whether the client may use REFRESH_TOKEN_AUTH:
// a client of ALLOW_* flows must list ALLOW_REFRESH_TOKEN_AUTH; a client of
// the legacy values always could refresh, unless CUSTOM_AUTH_FLOW_ONLY.
func refreshAllowed(c *storage.Client) bool {
	switch {
	case slices.Contains(c.ExplicitAuthFlows, "ALLOW_REFRESH_TOKEN_AUTH"):
		return true
	case slices.Contains(c.ExplicitAuthFlows, "CUSTOM_AUTH_FLOW_ONLY"):
		return false
	}
	return !slices.ContainsFunc(c.ExplicitAuthFlows, func(f string) bool { return strings.HasPrefix(f, "ALLOW_") })
}

// refreshTokenUser is the user a refresh token of the pool was issued to,
// or nil; only SECRET_HASH needs it, the engine checks the token itself.
func (s *service) refreshTokenUser(ctx context.Context, pool *storage.Pool, token string) *storage.User {
	if len(token) > 4096 {
		return nil
	}
	row, err := s.dir.Store().GetOAuthRecord(ctx, storage.KindRefreshToken, s.engine.Opaque().Signature(token))
	if err != nil || row.PoolID != pool.ID {
		return nil
	}
	u, err := s.dir.GetUserBySub(ctx, pool.ID, row.Sub)
	if err != nil {
		return nil
	}
	return u
}

// ---- RespondToAuthChallenge / AdminRespondToAuthChallenge ----

type respondToAuthChallengeInput struct {
	ClientId           string
	ChallengeName      string
	Session            string
	ChallengeResponses map[string]string
	ClientMetadata     map[string]string
}

type adminRespondToAuthChallengeInput struct {
	respondToAuthChallengeInput
	UserPoolId  string
	ContextData *contextDataType
}

func (in *respondToAuthChallengeInput) validate(v *validation) {
	v.required("clientId", in.ClientId)
	v.required("challengeName", in.ChallengeName)
	v.enum("challengeName", in.ChallengeName, challengeNameTypes...)
	if in.Session != "" {
		n := len(in.Session)
		v.check(n >= 20 && n <= 2048, "session", in.Session, "Member must have length between 20 and 2048")
	}
}

func (s *service) respondToAuthChallenge(ctx context.Context, in *respondToAuthChallengeInput) (*authOutput, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, client, err := s.publicClient(ctx, in.ClientId)
	if err != nil {
		return nil, err
	}
	return s.respond(ctx, pool, client, in, remoteIP(ctx))
}

func (s *service) adminRespondToAuthChallenge(ctx context.Context, in *adminRespondToAuthChallengeInput) (*authOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	pool, client, err := s.adminClient(ctx, in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	return s.respond(ctx, pool, client, &in.respondToAuthChallengeInput, adminIP(ctx, in.ContextData))
}

func (s *service) respond(ctx context.Context, pool *storage.Pool, client *storage.Client, in *respondToAuthChallengeInput, ip string) (*authOutput, error) {
	responses := in.ChallengeResponses
	if responses == nil {
		responses = map[string]string{}
	}
	username := responses["USERNAME"]
	if username == "" {
		return nil, InvalidParameter("Missing required parameter USERNAME")
	}
	if err := s.checkSecretHash(client, responses["SECRET_HASH"], username); err != nil {
		return nil, err
	}
	ctx = auth.DeferEvent(ctx)
	defer s.engine.FlushEvent(ctx)
	step, err := s.engine.Respond(ctx, pool, client, in.ChallengeName, in.Session, responses, ip)
	if err != nil {
		return nil, err
	}
	return s.stepOutput(ctx, pool, client, step)
}

// ---- shared ----

// publicClient finds the client of a public call and its pool; the
// client id is all a public call names.
func (s *service) publicClient(ctx context.Context, clientID string) (*storage.Pool, *storage.Client, error) {
	client, err := s.dir.GetClient(ctx, "", clientID)
	if err != nil {
		return nil, nil, err
	}
	pool, err := s.pool(ctx, client.PoolID)
	if err != nil {
		return nil, nil, err
	}
	return pool, client, nil
}

// adminClient finds the pool of an admin call and its client in it.
func (s *service) adminClient(ctx context.Context, poolID, clientID string) (*storage.Pool, *storage.Client, error) {
	pool, err := s.pool(ctx, poolID)
	if err != nil {
		return nil, nil, err
	}
	client, err := s.dir.GetClient(ctx, poolID, clientID)
	if err != nil {
		return nil, nil, err
	}
	return pool, client, nil
}

// adminIP is the end user's address of an admin call: the one the calling
// server reports in ContextData, else the caller's own.
func adminIP(ctx context.Context, cd *contextDataType) string {
	if cd != nil && cd.IpAddress != "" {
		return clip(cd.IpAddress)
	}
	return remoteIP(ctx)
}

func (s *service) clientHasSecret(c *storage.Client) bool { return len(c.SealedSecret) > 0 }

// checkSecretHash verifies SECRET_HASH for a client with a secret:
// Base64(HMAC-SHA256(key: client secret, message: username + client id))
// (reference §2.4), compared in constant time, against each username the
// caller may have used. A client without a secret needs none.
func (s *service) checkSecretHash(c *storage.Client, given string, usernames ...string) error {
	if !s.clientHasSecret(c) {
		return nil
	}
	if given == "" {
		return NotAuthorized("Client " + c.ID + " is configured for secret but secret was not received")
	}
	secret, err := s.dir.ClientSecret(c)
	if err != nil {
		return err
	}
	got, derr := base64.StdEncoding.DecodeString(given)
	ok := false
	for _, name := range usernames {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(name + c.ID))
		// Every candidate is computed and compared, so the time taken does
		// not tell which one matched.
		if hmac.Equal(mac.Sum(nil), got) && derr == nil {
			ok = true
		}
	}
	if !ok {
		return NotAuthorized("Unable to verify secret hash for client " + c.ID)
	}
	return nil
}

// stepOutput answers where the engine stands: a challenge with its
// session, or the tokens of a finished sign-in.
func (s *service) stepOutput(ctx context.Context, pool *storage.Pool, client *storage.Client, step *auth.Step) (*authOutput, error) {
	if step.Done != nil {
		t, err := s.engine.Issue(ctx, pool, client, step.Done)
		if err != nil {
			return nil, err
		}
		return tokensOutput(t), nil
	}
	if step.Challenge == "" {
		return nil, errors.New("cognitoapi: engine step has neither a challenge nor a result")
	}
	params := step.ChallengeParams
	if params == nil {
		params = map[string]string{}
	}
	return &authOutput{ChallengeName: step.Challenge, Session: step.Session, ChallengeParameters: params}, nil
}

func tokensOutput(t *auth.Tokens) *authOutput {
	return &authOutput{
		ChallengeParameters: map[string]string{},
		AuthenticationResult: &authenticationResultType{
			AccessToken:  t.AccessToken,
			ExpiresIn:    t.ExpiresIn,
			TokenType:    "Bearer",
			RefreshToken: t.RefreshToken,
			IdToken:      t.IDToken,
		},
	}
}
