package cognitoapi

import (
	"context"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Identity provider operations: CreateIdentityProvider,
// DescribeIdentityProvider, UpdateIdentityProvider, DeleteIdentityProvider,
// ListIdentityProviders, GetIdentityProviderByIdentifier, and the linking
// of upstream identities to users: AdminLinkProviderForUser,
// AdminDisableProviderForUser. The rules are the directory's
// (identity_providers.go, federated_users.go).

func registerIdentityProviderOps(a *API, svc *service) {
	register(a, "CreateIdentityProvider", AuthSigV4, svc.createIdentityProvider)
	register(a, "DescribeIdentityProvider", AuthSigV4, svc.describeIdentityProvider)
	register(a, "UpdateIdentityProvider", AuthSigV4, svc.updateIdentityProvider)
	register(a, "DeleteIdentityProvider", AuthSigV4, svc.deleteIdentityProvider)
	register(a, "ListIdentityProviders", AuthSigV4, svc.listIdentityProviders)
	register(a, "GetIdentityProviderByIdentifier", AuthSigV4, svc.getIdentityProviderByIdentifier)
	register(a, "AdminLinkProviderForUser", AuthSigV4, svc.adminLinkProviderForUser)
	register(a, "AdminDisableProviderForUser", AuthSigV4, svc.adminDisableProviderForUser)
}

// DuplicateProvider is DuplicateProviderException: a provider of that name
// already exists in the pool.
func DuplicateProvider(msg string) *Error { return clientError("DuplicateProviderException", msg) }

// providerTypes is Cognito's IdentityProviderTypeType.
var providerTypes = []string{"SAML", "Facebook", "Google", "LoginWithAmazon", "SignInWithApple", "OIDC"}

// identityProviderType is Cognito's IdentityProviderType.
type identityProviderType struct {
	UserPoolId       string
	ProviderName     string
	ProviderType     string
	ProviderDetails  map[string]string
	AttributeMapping map[string]string `json:",omitempty"`
	IdpIdentifiers   []string          `json:",omitempty"`
	LastModifiedDate Timestamp
	CreationDate     Timestamp
}

func newIdentityProviderType(p *storage.IdentityProvider) identityProviderType {
	return identityProviderType{UserPoolId: p.PoolID, ProviderName: p.Name, ProviderType: p.Type,
		ProviderDetails: directory.DescribedDetails(p), AttributeMapping: p.AttributeMapping, IdpIdentifiers: p.IdpIdentifiers,
		LastModifiedDate: Timestamp(p.UpdatedAt), CreationDate: Timestamp(p.CreatedAt)}
}

type identityProviderOutput struct {
	IdentityProvider identityProviderType
}

// poolProviderInput is the {UserPoolId, ProviderName} of the provider
// operations.
type poolProviderInput struct {
	UserPoolId   string
	ProviderName string
}

func (in *poolProviderInput) validate(v *validation) {
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	v.required("providerName", in.ProviderName)
	if in.ProviderName != "" {
		v.check(directory.ValidProviderNameShape(in.ProviderName), "providerName", in.ProviderName,
			"Member must have length between 1 and 32 and satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
	}
}

func validIdentifiers(v *validation, ids []string) {
	if len(ids) > directory.MaxIdpIdentifiers {
		v.msgs = append(v.msgs, "Value at 'idpIdentifiers' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	for _, id := range ids {
		v.check(directory.ValidIdpIdentifier(id), "idpIdentifiers", id,
			"Member must satisfy constraint: [Member must have length between 1 and 40, Member must satisfy regular expression pattern: [\\w\\s+=.@-]+]")
	}
}

// ---- CreateIdentityProvider, UpdateIdentityProvider ----

type identityProviderInput struct {
	poolProviderInput
	ProviderType     string
	ProviderDetails  map[string]string
	AttributeMapping map[string]string
	IdpIdentifiers   []string
}

func (s *service) createIdentityProvider(ctx context.Context, in *identityProviderInput) (*identityProviderOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	v.required("providerName", in.ProviderName)
	v.required("providerType", in.ProviderType)
	v.enum("providerType", in.ProviderType, providerTypes...)
	if in.ProviderDetails == nil {
		v.msgs = append(v.msgs, "Value null at 'providerDetails' failed to satisfy constraint: Member must not be null")
	}
	validIdentifiers(&v, in.IdpIdentifiers)
	if err := v.err(); err != nil {
		return nil, err
	}
	p, err := s.dir.CreateIdentityProvider(ctx, directory.IdentityProviderInput{PoolID: in.UserPoolId, Name: in.ProviderName,
		Type: in.ProviderType, Details: in.ProviderDetails, AttributeMapping: in.AttributeMapping, IdpIdentifiers: in.IdpIdentifiers})
	if err != nil {
		return nil, err
	}
	return &identityProviderOutput{IdentityProvider: newIdentityProviderType(p)}, nil
}

// updateIdentityProvider replaces the members given and keeps the others.
func (s *service) updateIdentityProvider(ctx context.Context, in *identityProviderInput) (*identityProviderOutput, error) {
	var v validation
	in.poolProviderInput.validate(&v)
	validIdentifiers(&v, in.IdpIdentifiers)
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := s.pool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	p, err := s.dir.UpdateIdentityProvider(ctx, directory.IdentityProviderInput{PoolID: in.UserPoolId, Name: in.ProviderName,
		Details: in.ProviderDetails, AttributeMapping: in.AttributeMapping, IdpIdentifiers: in.IdpIdentifiers})
	if err != nil {
		return nil, err
	}
	return &identityProviderOutput{IdentityProvider: newIdentityProviderType(p)}, nil
}

// ---- DescribeIdentityProvider, DeleteIdentityProvider ----

func (s *service) describeIdentityProvider(ctx context.Context, in *poolProviderInput) (*identityProviderOutput, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := s.pool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	p, err := s.dir.IdentityProvider(ctx, in.UserPoolId, in.ProviderName)
	if err != nil {
		return nil, err
	}
	return &identityProviderOutput{IdentityProvider: newIdentityProviderType(p)}, nil
}

func (s *service) deleteIdentityProvider(ctx context.Context, in *poolProviderInput) (*struct{}, error) {
	var v validation
	in.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := s.pool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	return nil, s.dir.DeleteIdentityProvider(ctx, in.UserPoolId, in.ProviderName)
}

// ---- ListIdentityProviders ----

type listIdentityProvidersInput struct {
	UserPoolId string
	MaxResults *int
	NextToken  *string
}

// providerDescription is Cognito's ProviderDescription.
type providerDescription struct {
	ProviderName     string
	ProviderType     string
	LastModifiedDate Timestamp
	CreationDate     Timestamp
}

type listIdentityProvidersOutput struct {
	Providers []providerDescription
	NextToken *string `json:",omitempty"`
}

func (s *service) listIdentityProviders(ctx context.Context, in *listIdentityProvidersInput) (*listIdentityProvidersOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	limit := pageLimit(v.limit("maxResults", in.MaxResults, 0, 60, 60))
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := readToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	ps, err := s.dir.ListIdentityProviders(ctx, in.UserPoolId, after, limit+1)
	if err != nil {
		return nil, err
	}
	out := &listIdentityProvidersOutput{Providers: []providerDescription{}}
	if len(ps) > limit {
		ps = ps[:limit]
		out.NextToken = nextToken(ps[limit-1].Name)
	}
	for _, p := range ps {
		out.Providers = append(out.Providers, providerDescription{ProviderName: p.Name, ProviderType: p.Type,
			LastModifiedDate: Timestamp(p.UpdatedAt), CreationDate: Timestamp(p.CreatedAt)})
	}
	return out, nil
}

// ---- GetIdentityProviderByIdentifier ----

type getIdentityProviderByIdentifierInput struct {
	UserPoolId    string
	IdpIdentifier string
}

func (s *service) getIdentityProviderByIdentifier(ctx context.Context, in *getIdentityProviderByIdentifierInput) (*identityProviderOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	v.required("idpIdentifier", in.IdpIdentifier)
	if in.IdpIdentifier != "" {
		v.check(directory.ValidIdpIdentifier(in.IdpIdentifier), "idpIdentifier", in.IdpIdentifier,
			"Member must have length between 1 and 40 and satisfy regular expression pattern: [\\w\\s+=.@-]+")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := s.pool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	p, err := s.dir.IdentityProviderByIdentifier(ctx, in.UserPoolId, in.IdpIdentifier)
	if err != nil {
		return nil, err
	}
	return &identityProviderOutput{IdentityProvider: newIdentityProviderType(p)}, nil
}

// ---- AdminLinkProviderForUser, AdminDisableProviderForUser ----

// providerUserIdentifier is Cognito's ProviderUserIdentifierType.
type providerUserIdentifier struct {
	ProviderName           string
	ProviderAttributeName  string
	ProviderAttributeValue string
}

type adminLinkProviderForUserInput struct {
	UserPoolId      string
	DestinationUser *providerUserIdentifier
	SourceUser      *providerUserIdentifier
}

// adminLinkProviderForUser links SourceUser, an upstream identity that has
// not signed in yet, to DestinationUser, a native user named by
// ProviderName "Cognito" and ProviderAttributeValue (the username; the
// attribute name is ignored, as in Cognito).
func (s *service) adminLinkProviderForUser(ctx context.Context, in *adminLinkProviderForUserInput) (*struct{}, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	if in.DestinationUser == nil {
		v.msgs = append(v.msgs, "Value null at 'destinationUser' failed to satisfy constraint: Member must not be null")
	}
	if in.SourceUser == nil {
		v.msgs = append(v.msgs, "Value null at 'sourceUser' failed to satisfy constraint: Member must not be null")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	dst, src := in.DestinationUser, in.SourceUser
	if dst.ProviderName != directory.LinkProviderCognito {
		return nil, InvalidParameter("DestinationUser's ProviderName must be Cognito.")
	}
	if dst.ProviderAttributeValue == "" {
		return nil, InvalidParameter("DestinationUser's ProviderAttributeValue must be the username of a user of the user pool.")
	}
	if src.ProviderName == "" || src.ProviderName == directory.LinkProviderCognito || src.ProviderName == directory.ProviderCognito {
		return nil, InvalidParameter("SourceUser's ProviderName must name an identity provider of the user pool.")
	}
	pool, err := s.pool(ctx, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	return nil, s.dir.LinkProviderForUser(ctx, pool, dst.ProviderAttributeValue, src.ProviderName, src.ProviderAttributeName, src.ProviderAttributeValue)
}

type adminDisableProviderForUserInput struct {
	UserPoolId string
	User       *providerUserIdentifier
}

func (s *service) adminDisableProviderForUser(ctx context.Context, in *adminDisableProviderForUserInput) (*struct{}, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	if in.User == nil {
		v.msgs = append(v.msgs, "Value null at 'user' failed to satisfy constraint: Member must not be null")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.User.ProviderName == "" || in.User.ProviderAttributeName == "" || in.User.ProviderAttributeValue == "" {
		return nil, InvalidParameter("User needs a ProviderName, a ProviderAttributeName and a ProviderAttributeValue.")
	}
	pool, err := s.pool(ctx, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	return nil, s.dir.DisableProviderForUser(ctx, pool, in.User.ProviderName, in.User.ProviderAttributeName, in.User.ProviderAttributeValue)
}
