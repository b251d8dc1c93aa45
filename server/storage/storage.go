package storage

import (
	"context"
	"errors"
	"time"
)

// Errors every implementation returns, wrapped or bare; callers test them
// with errors.Is.
var (
	ErrNotFound      = errors.New("storage: not found")
	ErrAlreadyExists = errors.New("storage: already exists")
	// ErrConflict means a conditional write lost: the row changed (Version)
	// or was no longer in the state the write required.
	ErrConflict = errors.New("storage: conflict")
)

// Store is every entity store in one, plus the transaction idiom.
type Store interface {
	PoolStore
	ClientStore
	UserStore
	GroupStore
	ResourceServerStore
	DomainStore
	KeyStore
	AuthRequestStore
	SessionStore
	OAuthStore
	FamilyStore
	EventStore
	IdentityProviderStore
	IdentityLinkStore
	SweepStore

	// InTx runs fn in one transaction carried by the ctx it is given; fn's
	// error (or a panic) rolls it back. Nested calls join the outer one.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// Ping answers nil once the store can serve reads.
	Ping(ctx context.Context) error
	Close() error
}

// PoolStore keeps user pools.
type PoolStore interface {
	CreatePool(ctx context.Context, p *Pool) error
	GetPool(ctx context.Context, id string) (*Pool, error)
	// ListPools returns up to limit pools with ids after the cursor, in id order.
	ListPools(ctx context.Context, after string, limit int) ([]*Pool, error)
	UpdatePool(ctx context.Context, p *Pool) error
	DeletePool(ctx context.Context, id string) error
}

// ClientStore keeps app clients. Client ids are unique across pools, as in
// Cognito, where InitiateAuth names only the client.
type ClientStore interface {
	CreateClient(ctx context.Context, c *Client) error
	GetClient(ctx context.Context, clientID string) (*Client, error)
	ListClients(ctx context.Context, poolID, after string, limit int) ([]*Client, error)
	UpdateClient(ctx context.Context, c *Client) error
	DeleteClient(ctx context.Context, poolID, clientID string) error
}

// UserStore keeps users. Lookups use the normalised keys the directory
// computes (UsernameKey, EmailKey, PhoneKey), each unique within a pool.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error
	GetUserBySub(ctx context.Context, poolID, sub string) (*User, error)
	GetUserByUsernameKey(ctx context.Context, poolID, key string) (*User, error)
	GetUserByEmailKey(ctx context.Context, poolID, key string) (*User, error)
	GetUserByPhoneKey(ctx context.Context, poolID, key string) (*User, error)
	// UpdateUser writes u if its Version is still the stored one, then bumps
	// u.Version; otherwise ErrConflict.
	UpdateUser(ctx context.Context, u *User) error
	DeleteUser(ctx context.Context, poolID, sub string) error
	// ListUsers returns up to limit users whose sub sorts after the cursor.
	ListUsers(ctx context.Context, poolID, after string, limit int) ([]*User, error)
	// ListUsersByKey returns up to limit users of the pool whose key (see
	// UserKeyOf) lies in r, ordered by key then sub: an indexed read, for
	// ListUsers filters on the attributes that have an index.
	ListUsersByKey(ctx context.Context, poolID string, r UserKeyRange, limit int) ([]*User, error)
	CountUsers(ctx context.Context, poolID string) (int, error)
}

// GroupStore keeps groups and their members.
type GroupStore interface {
	CreateGroup(ctx context.Context, g *Group) error
	GetGroup(ctx context.Context, poolID, name string) (*Group, error)
	ListGroups(ctx context.Context, poolID, after string, limit int) ([]*Group, error)
	UpdateGroup(ctx context.Context, g *Group) error
	DeleteGroup(ctx context.Context, poolID, name string) error
	AddUserToGroup(ctx context.Context, poolID, name, sub string) error
	RemoveUserFromGroup(ctx context.Context, poolID, name, sub string) error
	// ListGroupsForUser returns the user's groups by precedence, then name.
	ListGroupsForUser(ctx context.Context, poolID, sub string) ([]*Group, error)
	ListUsersInGroup(ctx context.Context, poolID, name, after string, limit int) ([]*User, error)
}

// ResourceServerStore keeps resource servers and their custom scopes.
type ResourceServerStore interface {
	CreateResourceServer(ctx context.Context, rs *ResourceServer) error
	GetResourceServer(ctx context.Context, poolID, identifier string) (*ResourceServer, error)
	ListResourceServers(ctx context.Context, poolID string) ([]*ResourceServer, error)
	UpdateResourceServer(ctx context.Context, rs *ResourceServer) error
	DeleteResourceServer(ctx context.Context, poolID, identifier string) error
}

// DomainStore keeps user pool domains. A domain name belongs to one pool
// (names are global, as host names are); a pool has at most one prefix
// domain and one custom domain.
type DomainStore interface {
	// CreateDomain stores d; ErrAlreadyExists when its name is taken or its
	// pool already has a domain of its kind.
	CreateDomain(ctx context.Context, d *Domain) error
	GetDomain(ctx context.Context, name string) (*Domain, error)
	// ListPoolDomains returns the pool's domains, prefix domain first.
	ListPoolDomains(ctx context.Context, poolID string) ([]*Domain, error)
	DeleteDomain(ctx context.Context, poolID, name string) error
}

// KeyStore keeps per-pool signing keys (private halves sealed).
type KeyStore interface {
	CreateSigningKey(ctx context.Context, k *SigningKey) error
	// ListSigningKeys returns the pool's keys, newest first.
	ListSigningKeys(ctx context.Context, poolID string) ([]*SigningKey, error)
	UpdateSigningKey(ctx context.Context, k *SigningKey) error
	DeleteSigningKey(ctx context.Context, poolID, kid string) error
}

// AuthRequestStore keeps OAuth authorize requests between /oauth2/authorize
// and the sign-in that completes them.
type AuthRequestStore interface {
	CreateAuthRequest(ctx context.Context, r *AuthRequest) error
	GetAuthRequest(ctx context.Context, poolID, id string) (*AuthRequest, error)
	UpdateAuthRequest(ctx context.Context, r *AuthRequest) error
	DeleteAuthRequest(ctx context.Context, poolID, id string) error
}

// SessionStore keeps server-side SSO sessions named by the browser cookie.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, poolID, id string) (*Session, error)
	DeleteSession(ctx context.Context, poolID, id string) error
	// DeleteUserSessions ends every SSO session of a user (global sign-out).
	DeleteUserSessions(ctx context.Context, poolID, sub string) error
}

// OAuthStore keeps fosite's rows: authorize codes, refresh tokens, PKCE and
// OIDC sessions, keyed by (kind, signature). Signatures are HMACs or hashes
// of the tokens, never the tokens themselves.
type OAuthStore interface {
	CreateOAuthRecord(ctx context.Context, r *OAuthRecord) error
	GetOAuthRecord(ctx context.Context, kind OAuthKind, signature string) (*OAuthRecord, error)
	DeleteOAuthRecord(ctx context.Context, kind OAuthKind, signature string) error
	// DeactivateOAuthRecord marks an active record inactive; ErrConflict if
	// it already was, so that two racing exchanges cannot both win.
	DeactivateOAuthRecord(ctx context.Context, kind OAuthKind, signature string) error
	// DeactivateOAuthRequest marks every record of kind with requestID inactive.
	DeactivateOAuthRequest(ctx context.Context, kind OAuthKind, requestID string) error
}

// FamilyStore keeps token families: every token minted from one sign-in
// shares a family id (Cognito's origin_jti). Revoking the family revokes
// them all.
type FamilyStore interface {
	CreateFamily(ctx context.Context, f *Family) error
	GetFamily(ctx context.Context, poolID, id string) (*Family, error)
	RevokeFamily(ctx context.Context, poolID, id string, at time.Time) error
	RevokeUserFamilies(ctx context.Context, poolID, sub string, at time.Time) error
}

// SweepStore removes rows whose life is over, so that a long-running
// server's database does not grow with every sign-in it ever served.
type SweepStore interface {
	// DeleteExpired deletes up to limit rows of each kind that expires
	// (parked authorize requests, SSO sessions, OAuth records: codes, PKCE
	// and OIDC sessions, refresh tokens) whose expiry is before the given
	// time, and returns how many rows it deleted. Rows without an expiry
	// stay. Readers already refuse an expired row, so deleting one changes
	// no answer.
	DeleteExpired(ctx context.Context, before time.Time, limit int) (int, error)
}

// EventStore records auth events (sign-in outcomes), newest first.
type EventStore interface {
	CreateAuthEvent(ctx context.Context, e *AuthEvent) error
	ListAuthEvents(ctx context.Context, poolID, sub string, limit int) ([]*AuthEvent, error)
}

// IdentityProviderStore keeps a pool's upstream identity providers. A name
// is unique in its pool, and so is each IdpIdentifier across the pool's
// providers: a write that would reuse one is ErrAlreadyExists.
type IdentityProviderStore interface {
	CreateIdentityProvider(ctx context.Context, p *IdentityProvider) error
	GetIdentityProvider(ctx context.Context, poolID, name string) (*IdentityProvider, error)
	// GetIdentityProviderByIdentifier finds the provider that lists
	// identifier (matched exactly) in its IdpIdentifiers.
	GetIdentityProviderByIdentifier(ctx context.Context, poolID, identifier string) (*IdentityProvider, error)
	// ListIdentityProviders returns up to limit providers whose name sorts
	// after the cursor, in name order.
	ListIdentityProviders(ctx context.Context, poolID, after string, limit int) ([]*IdentityProvider, error)
	// UpdateIdentityProvider replaces the stored provider of p's name,
	// identifiers included.
	UpdateIdentityProvider(ctx context.Context, p *IdentityProvider) error
	DeleteIdentityProvider(ctx context.Context, poolID, name string) error
}

// IdentityLinkStore keeps the upstream identities linked to native users
// (AdminLinkProviderForUser). A (provider, attribute, value) is linked to
// at most one user: a second link is ErrAlreadyExists. Deleting a user or
// a pool deletes its links.
type IdentityLinkStore interface {
	CreateIdentityLink(ctx context.Context, l *IdentityLink) error
	GetIdentityLink(ctx context.Context, poolID, provider, attrName, attrValue string) (*IdentityLink, error)
	// ListIdentityLinkAttributes returns the distinct attribute names the
	// provider's links use (Cognito_Subject, SAML attribute names), sorted.
	ListIdentityLinkAttributes(ctx context.Context, poolID, provider string) ([]string, error)
	// ListUserIdentityLinks returns a user's links by provider, attribute, value.
	ListUserIdentityLinks(ctx context.Context, poolID, sub string) ([]*IdentityLink, error)
	DeleteIdentityLink(ctx context.Context, poolID, provider, attrName, attrValue string) error
}
