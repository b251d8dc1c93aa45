package cognitoapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// Access-token operations: what a signed-in user does to their own
// account, authorized by their access token alone (no signature, no
// client id): GetUser, UpdateUserAttributes, DeleteUserAttributes,
// ChangePassword, DeleteUser, GlobalSignOut. Each starts with the same
// check of the token:
//
//	AccessToken ─► pool (the iss's last path segment) ─► Engine.ValidateAccess
//	    (signature, expiry, revocation, user) ─► scope aws.cognito.signin.user.admin
//	    ─► the token's app client (its ReadAttributes and WriteAttributes)
//
// and answers NotAuthorizedException in Cognito's words when it fails:
// "Invalid Access Token", "Access Token has expired", "Access Token has
// been revoked", "Access Token does not have required scopes".

func registerSelfOps(a *API, svc *service) {
	register(a, "GetUser", AuthNone, svc.getUser)
	register(a, "UpdateUserAttributes", AuthNone, svc.updateUserAttributes)
	register(a, "DeleteUserAttributes", AuthNone, svc.deleteUserAttributes)
	register(a, "ChangePassword", AuthNone, svc.changePassword)
	register(a, "DeleteUser", AuthNone, svc.deleteUser)
	register(a, "GlobalSignOut", AuthNone, svc.globalSignOut)
}

// caller is who an access token speaks for.
type caller struct {
	pool   *storage.Pool
	client *storage.Client
	user   *storage.User
}

var (
	errInvalidAccessToken = NotAuthorized("Invalid Access Token")
	errAccessTokenScopes  = NotAuthorized("Access Token does not have required scopes")
)

// accessCaller authenticates an access-token operation (see above). A user
// whose account must first be reset or confirmed is refused as Cognito
// refuses them.
func (s *service) accessCaller(ctx context.Context, token string) (*caller, error) {
	pool, err := s.dir.GetPool(ctx, tokenPoolID(token))
	if err != nil {
		return nil, errInvalidAccessToken
	}
	claims, user, err := s.engine.ValidateAccess(ctx, pool, token)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(auth.Scopes(claims), auth.APIScope) {
		return nil, errAccessTokenScopes
	}
	if user == nil {
		return nil, errInvalidAccessToken
	}
	client, err := s.dir.GetClient(ctx, pool.ID, tokens.StringClaim(claims, "client_id"))
	if err != nil {
		// The app client that the token was issued to is gone.
		return nil, errInvalidAccessToken
	}
	switch user.Status {
	case storage.StatusResetRequired:
		return nil, PasswordResetRequired("Password reset required for the user")
	case storage.StatusUnconfirmed:
		return nil, UserNotConfirmed("User is not confirmed.")
	}
	return &caller{pool: pool, client: client, user: user}, nil
}

// tokenPoolID reads, without verifying anything, the pool an access token
// names: the last path segment of its iss ({issuer base}/{poolId}). It is
// "" for anything else; ValidateAccess then checks the whole token against
// that pool's keys and issuer.
func tokenPoolID(token string) string {
	if len(token) > tokens.MaxJWTSize {
		return ""
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	id := claims.Iss[strings.LastIndexByte(claims.Iss, '/')+1:]
	if !directory.ValidPoolID(id) {
		return ""
	}
	return id
}

// accessTokenInput is the AccessToken every operation of this family takes.
type accessTokenInput struct {
	AccessToken string
}

func (in *accessTokenInput) validate(v *validation) {
	v.required("accessToken", in.AccessToken)
}

// ---- GetUser ----

type getUserOutput struct {
	Username       string
	UserAttributes []attributeType
	// MFAOptions, PreferredMfaSetting and UserMFASettingList are absent:
	// no MFA is configured for anyone yet.
}

func (s *service) getUser(ctx context.Context, in *accessTokenInput) (*getUserOutput, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := s.accessCaller(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return &getUserOutput{Username: c.user.Username, UserAttributes: readableAttributes(c.user, c.client)}, nil
}

// readableAttributes lists the user's attributes the client may read
// (every one when it names none), sub always, as attributeList orders them.
func readableAttributes(u *storage.User, c *storage.Client) []attributeType {
	attrs := map[string]string{}
	for name, value := range u.Attributes {
		if name == "sub" || tokens.Readable(c, name) && !strings.HasPrefix(name, "dev:") {
			attrs[name] = value
		}
	}
	return attributeList(attrs)
}

// writable reports whether the client lets its users change an attribute
// (directory.Writable, which SignUp applies too).
func writable(c *storage.Client, name string) bool { return directory.Writable(c, name) }

var errUnwritable = NotAuthorized("A client attempted to write unauthorized attribute")

// ---- UpdateUserAttributes ----

type updateUserAttributesInput struct {
	accessTokenInput
	UserAttributes []attributeType
	ClientMetadata map[string]string // for Lambda triggers, which do not exist yet
}

type codeDeliveryDetailsType struct {
	Destination    string `json:",omitempty"`
	DeliveryMedium string `json:",omitempty"`
	AttributeName  string `json:",omitempty"`
}

type updateUserAttributesOutput struct {
	CodeDeliveryDetailsList []codeDeliveryDetailsType `json:",omitempty"`
}

func (s *service) updateUserAttributes(ctx context.Context, in *updateUserAttributesInput) (*updateUserAttributesOutput, error) {
	var v validation
	in.validate(&v)
	if in.UserAttributes == nil {
		v.required("userAttributes", "")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := s.accessCaller(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	attrs, err := attributeMap("userAttributes", in.UserAttributes)
	if err != nil {
		return nil, err
	}
	for name := range attrs {
		if !writable(c.client, name) {
			return nil, errUnwritable
		}
	}
	// Where verification codes went (Engine.UpdateAttributes); a code that
	// could not be sent is CodeDeliveryFailureException, the change stored.
	deliveries, err := s.engine.UpdateAttributes(ctx, c.pool, c.user, attrs)
	if err != nil {
		return nil, err
	}
	out := &updateUserAttributesOutput{}
	for _, d := range deliveries {
		out.CodeDeliveryDetailsList = append(out.CodeDeliveryDetailsList,
			codeDeliveryDetailsType{Destination: d.Destination, DeliveryMedium: d.DeliveryMedium, AttributeName: d.AttributeName})
	}
	return out, nil
}

// ---- DeleteUserAttributes ----

type deleteUserAttributesInput struct {
	accessTokenInput
	UserAttributeNames []string
}

func (s *service) deleteUserAttributes(ctx context.Context, in *deleteUserAttributesInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	if in.UserAttributeNames == nil {
		v.required("userAttributeNames", "")
	}
	for i, name := range in.UserAttributeNames {
		n := len(name)
		v.check(n >= 1 && n <= 32, fmt.Sprintf("userAttributeNames.%d.member", i+1), name, "Member must have length between 1 and 32")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := s.accessCaller(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	for _, name := range in.UserAttributeNames {
		if !writable(c.client, name) {
			return nil, errUnwritable
		}
	}
	return nil, s.engine.DeleteAttributes(ctx, c.pool, c.user, in.UserAttributeNames)
}

// ---- ChangePassword ----

type changePasswordInput struct {
	accessTokenInput
	PreviousPassword string
	ProposedPassword string
}

func (s *service) changePassword(ctx context.Context, in *changePasswordInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	v.required("proposedPassword", in.ProposedPassword)
	// Passwords are never echoed, not even in a validation message.
	v.check(len(in.ProposedPassword) <= 256, "proposedPassword", "***", "Member must have length less than or equal to 256")
	v.check(len(in.PreviousPassword) <= 256, "previousPassword", "***", "Member must have length less than or equal to 256")
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := s.accessCaller(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return nil, s.engine.ChangePassword(ctx, c.pool, c.client, c.user, in.PreviousPassword, in.ProposedPassword, remoteIP(ctx))
}

// ---- DeleteUser ----

// deleteUser deletes the caller: their tokens, refresh tokens and SSO
// sessions go with them.
func (s *service) deleteUser(ctx context.Context, in *accessTokenInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := s.accessCaller(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return nil, s.dir.DeleteUser(ctx, c.pool.ID, c.user.Sub)
}

// ---- GlobalSignOut ----

// globalSignOut ends every token and refresh token of the caller, and
// their hosted UI sessions (Cognito leaves the managed login cookie; here
// the SSO session ends too, so that "sign out everywhere" means it).
func (s *service) globalSignOut(ctx context.Context, in *accessTokenInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := s.accessCaller(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	return nil, s.engine.GlobalSignOut(ctx, c.pool, c.user)
}
