package cognitoapi

import (
	"context"
	"fmt"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// App client operations: CreateUserPoolClient, DescribeUserPoolClient,
// UpdateUserPoolClient, ListUserPoolClients, DeleteUserPoolClient.

func registerClientOps(a *API, svc *service) {
	register(a, "CreateUserPoolClient", AuthSigV4, svc.createUserPoolClient)
	register(a, "DescribeUserPoolClient", AuthSigV4, svc.describeUserPoolClient)
	register(a, "UpdateUserPoolClient", AuthSigV4, svc.updateUserPoolClient)
	register(a, "ListUserPoolClients", AuthSigV4, svc.listUserPoolClients)
	register(a, "DeleteUserPoolClient", AuthSigV4, svc.deleteUserPoolClient)
}

// ---- shapes ----

type tokenValidityUnitsType struct {
	AccessToken  string `json:",omitempty"`
	IdToken      string `json:",omitempty"`
	RefreshToken string `json:",omitempty"`
}

type refreshTokenRotationType struct {
	Feature                 string
	RetryGracePeriodSeconds *int `json:",omitempty"`
}

type userPoolClientType struct {
	UserPoolId                               string
	ClientName                               string
	ClientId                                 string
	ClientSecret                             *string   `json:",omitempty"`
	CreationDate                             Timestamp `json:",omitzero"`
	LastModifiedDate                         Timestamp `json:",omitzero"`
	RefreshTokenValidity                     int64
	AccessTokenValidity                      int64
	IdTokenValidity                          int64
	TokenValidityUnits                       *tokenValidityUnitsType
	ReadAttributes                           []string `json:",omitempty"`
	WriteAttributes                          []string `json:",omitempty"`
	ExplicitAuthFlows                        []string `json:",omitempty"`
	SupportedIdentityProviders               []string `json:",omitempty"`
	CallbackURLs                             []string `json:",omitempty"`
	LogoutURLs                               []string `json:",omitempty"`
	DefaultRedirectURI                       *string  `json:",omitempty"`
	AllowedOAuthFlows                        []string `json:",omitempty"`
	AllowedOAuthScopes                       []string `json:",omitempty"`
	AllowedOAuthFlowsUserPoolClient          bool
	PreventUserExistenceErrors               string
	EnableTokenRevocation                    bool
	EnablePropagateAdditionalUserContextData bool
	AuthSessionValidity                      int
	RefreshTokenRotation                     *refreshTokenRotationType
}

// ---- CreateUserPoolClient ----

// clientSettings are the members CreateUserPoolClient and
// UpdateUserPoolClient share.
type clientSettings struct {
	RefreshTokenValidity                     int64
	AccessTokenValidity                      *int64
	IdTokenValidity                          *int64
	TokenValidityUnits                       *tokenValidityUnitsType
	ReadAttributes                           []string
	WriteAttributes                          []string
	ExplicitAuthFlows                        []string
	SupportedIdentityProviders               []string
	CallbackURLs                             []string
	LogoutURLs                               []string
	DefaultRedirectURI                       *string
	AllowedOAuthFlows                        []string
	AllowedOAuthScopes                       []string
	AllowedOAuthFlowsUserPoolClient          bool
	PreventUserExistenceErrors               string
	EnableTokenRevocation                    *bool
	EnablePropagateAdditionalUserContextData *bool
	AuthSessionValidity                      *int
	RefreshTokenRotation                     *refreshTokenRotationType
}

type createUserPoolClientInput struct {
	UserPoolId     string
	ClientName     string
	GenerateSecret bool
	ClientSecret   *string
	clientSettings
}

type createUserPoolClientOutput struct {
	UserPoolClient *userPoolClientType
}

var (
	timeUnits = []string{"seconds", "minutes", "hours", "days"}
	// Cognito's ExplicitAuthFlows, both generations (the directory refuses
	// a mix of the two).
	explicitAuthFlows = []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
		"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH", "ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}
)

func (s *service) createUserPoolClient(ctx context.Context, in *createUserPoolClientInput) (*createUserPoolClientOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	v.required("clientName", in.ClientName)
	in.clientSettings.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.ClientSecret != nil && in.GenerateSecret {
		return nil, InvalidParameter("You cannot specify both GenerateSecret as true and provide a ClientSecret value.")
	}
	// Throws the same message for the pool's absence as every other op.
	if _, err := s.pool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	c := in.clientSettings.client()
	c.PoolID, c.Name = in.UserPoolId, in.ClientName
	var secret string
	var err error
	if in.ClientSecret != nil {
		// A secret of the caller's choosing (Cognito, 2025): the directory
		// checks its shape.
		secret = *in.ClientSecret
		err = s.dir.CreateClientWithSecret(ctx, c, secret)
	} else {
		secret, err = s.dir.CreateClient(ctx, c, in.GenerateSecret)
	}
	if err != nil {
		return nil, err
	}
	return &createUserPoolClientOutput{UserPoolClient: clientType(c, secret)}, nil
}

// validate checks the settings against Cognito's model: enums and ranges.
func (in *clientSettings) validate(v *validation) {
	v.enum("preventUserExistenceErrors", in.PreventUserExistenceErrors, "LEGACY", "ENABLED")
	if u := in.TokenValidityUnits; u != nil {
		v.enum("tokenValidityUnits.accessToken", u.AccessToken, timeUnits...)
		v.enum("tokenValidityUnits.idToken", u.IdToken, timeUnits...)
		v.enum("tokenValidityUnits.refreshToken", u.RefreshToken, timeUnits...)
	}
	for i, f := range in.ExplicitAuthFlows {
		v.enum(fmt.Sprintf("explicitAuthFlows.%d.member", i+1), f, explicitAuthFlows...)
	}
	for i, f := range in.AllowedOAuthFlows {
		v.enum(fmt.Sprintf("allowedOAuthFlows.%d.member", i+1), f, "code", "implicit", "client_credentials")
	}
	if r := in.RefreshTokenRotation; r != nil {
		v.required("refreshTokenRotation.feature", r.Feature)
		v.enum("refreshTokenRotation.feature", r.Feature, "ENABLED", "DISABLED")
		if g := deref(r.RetryGracePeriodSeconds); g < 0 || g > 60 {
			v.check(false, "refreshTokenRotation.retryGracePeriodSeconds", fmt.Sprint(g), "Member must have value between 0 and 60")
		}
	}
	// Cognito's model ranges; the directory then checks the lifetimes.
	rng := func(member string, p *int64, lo, hi int64) {
		if p != nil && (*p < lo || *p > hi) {
			v.check(false, member, fmt.Sprint(*p), fmt.Sprintf("Member must have value between %d and %d", lo, hi))
		}
	}
	rng("accessTokenValidity", in.AccessTokenValidity, 1, 86400)
	rng("idTokenValidity", in.IdTokenValidity, 1, 86400)
	rng("refreshTokenValidity", &in.RefreshTokenValidity, 0, 315360000)
	if p := in.AuthSessionValidity; p != nil && (*p < 3 || *p > 15) {
		v.check(false, "authSessionValidity", fmt.Sprint(*p), "Member must have value between 3 and 15")
	}
}

// client is a client with these settings and nothing else: what a member
// leaves out, the directory fills with Cognito's default.
func (in *clientSettings) client() *storage.Client {
	c := &storage.Client{
		CallbackURLs:                    in.CallbackURLs,
		LogoutURLs:                      in.LogoutURLs,
		DefaultRedirectURI:              deref(in.DefaultRedirectURI),
		AllowedOAuthFlows:               in.AllowedOAuthFlows,
		AllowedOAuthScopes:              in.AllowedOAuthScopes,
		AllowedOAuthFlowsUserPoolClient: in.AllowedOAuthFlowsUserPoolClient,
		SupportedIdentityProviders:      in.SupportedIdentityProviders,
		ExplicitAuthFlows:               in.ExplicitAuthFlows,
		ReadAttributes:                  in.ReadAttributes,
		WriteAttributes:                 in.WriteAttributes,
		TokenValidity:                   tokenValidity(in),
		PreventUserExistenceErrors:      in.PreventUserExistenceErrors,
		EnableTokenRevocation:           in.EnableTokenRevocation == nil || *in.EnableTokenRevocation,
		AuthSessionValidity:             deref(in.AuthSessionValidity),
	}
	if r := in.RefreshTokenRotation; r != nil && r.Feature == "ENABLED" {
		c.RefreshTokenRotation = true
		c.RotationGracePeriodSeconds = deref(r.RetryGracePeriodSeconds)
	}
	return c
}

// tokenValidity maps Cognito's validity members to storage's. A value
// given without its unit is in Cognito's default units: hours for access
// and ID tokens, days for refresh tokens. A value left out takes the
// directory's default (one hour, one hour, thirty days).
func tokenValidity(in *clientSettings) storage.TokenValidity {
	units := tokenValidityUnitsType{}
	if in.TokenValidityUnits != nil {
		units = *in.TokenValidityUnits
	}
	or := func(u, def string) string {
		if u == "" {
			return def
		}
		return u
	}
	var tv storage.TokenValidity
	if in.AccessTokenValidity != nil {
		tv.AccessToken, tv.AccessTokenUnit = *in.AccessTokenValidity, or(units.AccessToken, "hours")
	}
	if in.IdTokenValidity != nil {
		tv.IDToken, tv.IDTokenUnit = *in.IdTokenValidity, or(units.IdToken, "hours")
	}
	if in.RefreshTokenValidity != 0 {
		tv.RefreshToken, tv.RefreshTokenUnit = in.RefreshTokenValidity, or(units.RefreshToken, "days")
	}
	return tv
}

// clientType is a client as Cognito describes it, with its secret in
// plain ("" for none), as DescribeUserPoolClient answers.
func clientType(c *storage.Client, secret string) *userPoolClientType {
	tv := c.TokenValidity
	out := &userPoolClientType{
		UserPoolId:                      c.PoolID,
		ClientName:                      c.Name,
		ClientId:                        c.ID,
		CreationDate:                    Timestamp(c.CreatedAt),
		LastModifiedDate:                Timestamp(c.UpdatedAt),
		RefreshTokenValidity:            tv.RefreshToken,
		AccessTokenValidity:             tv.AccessToken,
		IdTokenValidity:                 tv.IDToken,
		TokenValidityUnits:              &tokenValidityUnitsType{AccessToken: tv.AccessTokenUnit, IdToken: tv.IDTokenUnit, RefreshToken: tv.RefreshTokenUnit},
		ReadAttributes:                  c.ReadAttributes,
		WriteAttributes:                 c.WriteAttributes,
		ExplicitAuthFlows:               c.ExplicitAuthFlows,
		SupportedIdentityProviders:      c.SupportedIdentityProviders,
		CallbackURLs:                    c.CallbackURLs,
		LogoutURLs:                      c.LogoutURLs,
		AllowedOAuthFlows:               c.AllowedOAuthFlows,
		AllowedOAuthScopes:              c.AllowedOAuthScopes,
		AllowedOAuthFlowsUserPoolClient: c.AllowedOAuthFlowsUserPoolClient,
		PreventUserExistenceErrors:      c.PreventUserExistenceErrors,
		EnableTokenRevocation:           c.EnableTokenRevocation,
		AuthSessionValidity:             c.AuthSessionValidity,
		RefreshTokenRotation:            &refreshTokenRotationType{Feature: "DISABLED"},
	}
	if secret != "" {
		out.ClientSecret = &secret
	}
	if c.DefaultRedirectURI != "" {
		out.DefaultRedirectURI = &c.DefaultRedirectURI
	}
	if c.RefreshTokenRotation {
		out.RefreshTokenRotation = &refreshTokenRotationType{Feature: "ENABLED", RetryGracePeriodSeconds: ptr(c.RotationGracePeriodSeconds)}
	}
	return out
}

// ---- DescribeUserPoolClient ----

type describeUserPoolClientInput struct {
	UserPoolId string
	ClientId   string
}

type describeUserPoolClientOutput struct {
	UserPoolClient *userPoolClientType
}

func (s *service) describeUserPoolClient(ctx context.Context, in *describeUserPoolClientInput) (*describeUserPoolClientOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	v.required("clientId", in.ClientId)
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := s.pool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	c, err := s.dir.GetClient(ctx, in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	secret, err := s.dir.ClientSecret(c)
	if err != nil {
		return nil, err
	}
	return &describeUserPoolClientOutput{UserPoolClient: clientType(c, secret)}, nil
}

// ---- UpdateUserPoolClient ----

type updateUserPoolClientInput struct {
	UserPoolId string
	ClientId   string
	ClientName *string
	clientSettings
}

type updateUserPoolClientOutput struct {
	UserPoolClient *userPoolClientType
}

// updateUserPoolClient replaces the client's settings, as Cognito does: a
// member left out takes its default again. The id and the secret stay, and
// so does the name when none is given.
func (s *service) updateUserPoolClient(ctx context.Context, in *updateUserPoolClientInput) (*updateUserPoolClientOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	v.required("clientId", in.ClientId)
	if in.ClientName != nil {
		n := len([]rune(*in.ClientName))
		v.check(n >= 1 && n <= 128, "clientName", *in.ClientName, "Member must have length between 1 and 128")
	}
	in.clientSettings.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := s.pool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	c := in.clientSettings.client()
	c.PoolID, c.ID, c.Name = in.UserPoolId, in.ClientId, deref(in.ClientName)
	if err := s.dir.UpdateClient(ctx, c); err != nil {
		return nil, err
	}
	secret, err := s.dir.ClientSecret(c)
	if err != nil {
		return nil, err
	}
	return &updateUserPoolClientOutput{UserPoolClient: clientType(c, secret)}, nil
}

// ---- ListUserPoolClients ----

type listUserPoolClientsInput struct {
	UserPoolId string
	MaxResults *int
	NextToken  *string
}

type userPoolClientDescription struct {
	ClientId   string
	UserPoolId string
	ClientName string
}

type listUserPoolClientsOutput struct {
	UserPoolClients []userPoolClientDescription
	NextToken       *string `json:",omitempty"`
}

func (s *service) listUserPoolClients(ctx context.Context, in *listUserPoolClientsInput) (*listUserPoolClientsOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	limit := v.limit("maxResults", in.MaxResults, 1, 60, 60)
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := readToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	clients, err := s.dir.ListClients(ctx, in.UserPoolId, after, limit+1)
	if err != nil {
		return nil, err
	}
	out := &listUserPoolClientsOutput{UserPoolClients: []userPoolClientDescription{}}
	if len(clients) > limit {
		clients = clients[:limit]
		out.NextToken = nextToken(clients[limit-1].ID)
	}
	for _, c := range clients {
		out.UserPoolClients = append(out.UserPoolClients, userPoolClientDescription{ClientId: c.ID, UserPoolId: c.PoolID, ClientName: c.Name})
	}
	return out, nil
}

// ---- DeleteUserPoolClient ----

type deleteUserPoolClientInput struct {
	UserPoolId string
	ClientId   string
}

func (s *service) deleteUserPoolClient(ctx context.Context, in *deleteUserPoolClientInput) (*struct{}, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	v.required("clientId", in.ClientId)
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := s.pool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	return nil, s.dir.DeleteClient(ctx, in.UserPoolId, in.ClientId)
}
