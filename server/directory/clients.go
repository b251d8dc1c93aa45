package directory

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var (
	scopeNamePattern = regexp.MustCompile(`^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$`)
	scopePattern     = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]{1,256}$`)
)

// Cognito's default explicit auth flows when none are given.
var defaultAuthFlows = []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}

var knownAuthFlows = []string{
	"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
	"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH", "ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH",
}

// Token validity limits (Cognito's ranges).
const (
	minAccessValidity  = 5 * time.Minute
	maxAccessValidity  = 24 * time.Hour
	minRefreshValidity = time.Hour
	maxRefreshValidity = 3650 * 24 * time.Hour
)

// DefaultTokenValidity is Cognito's default: ID and access tokens one
// hour, refresh tokens thirty days.
var DefaultTokenValidity = storage.TokenValidity{
	AccessToken: 60, IDToken: 60, RefreshToken: 30,
	AccessTokenUnit: "minutes", IDTokenUnit: "minutes", RefreshTokenUnit: "days",
}

// CreateClient validates c, gives it an id (and a secret when
// generateSecret), seals the secret and stores the client. It returns the
// plain secret, which DescribeUserPoolClient also returns, as Cognito does.
func (d *Directory) CreateClient(ctx context.Context, c *storage.Client, generateSecret bool) (string, error) {
	if _, err := d.GetPool(ctx, c.PoolID); err != nil {
		return "", err
	}
	if c.Name == "" || len(c.Name) > 128 {
		return "", newErr(KindInvalidParameter, "ClientName must be 1 to 128 characters")
	}
	if err := d.normaliseClient(ctx, c, generateSecret); err != nil {
		return "", err
	}
	now := d.Now()
	c.CreatedAt, c.UpdatedAt = now, now
	var plain string
	for range 5 {
		c.ID = NewClientID()
		if generateSecret {
			plain = NewClientSecret()
			sealed, err := d.sealer.Seal([]byte(plain), "client-secret:"+c.ID)
			if err != nil {
				return "", err
			}
			c.SealedSecret = sealed
		}
		err := d.store.CreateClient(ctx, c)
		if errors.Is(err, storage.ErrAlreadyExists) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("directory: create client: %w", err)
		}
		return plain, nil
	}
	return "", errors.New("directory: create client: no free id")
}

// UpdateClient validates and stores changed settings of a client, keeping
// its id and secret.
func (d *Directory) UpdateClient(ctx context.Context, c *storage.Client) error {
	old, err := d.GetClient(ctx, c.PoolID, c.ID)
	if err != nil {
		return err
	}
	c.SealedSecret, c.CreatedAt = old.SealedSecret, old.CreatedAt
	if c.Name == "" {
		c.Name = old.Name
	}
	if err := d.normaliseClient(ctx, c, len(c.SealedSecret) > 0); err != nil {
		return err
	}
	c.UpdatedAt = d.Now()
	return d.store.UpdateClient(ctx, c)
}

func (d *Directory) normaliseClient(ctx context.Context, c *storage.Client, hasSecret bool) error {
	if c.TokenValidity == (storage.TokenValidity{}) {
		c.TokenValidity = DefaultTokenValidity
	}
	tv := &c.TokenValidity
	fill := func(v *int64, unit *string, defV int64, defUnit string) {
		if *unit == "" {
			*unit = defUnit
		}
		if *v == 0 {
			*v = defV
			*unit = defUnit
		}
	}
	fill(&tv.AccessToken, &tv.AccessTokenUnit, 60, "minutes")
	fill(&tv.IDToken, &tv.IDTokenUnit, 60, "minutes")
	fill(&tv.RefreshToken, &tv.RefreshTokenUnit, 30, "days")
	access, id, refresh, err := Lifetimes(c)
	if err != nil {
		return err
	}
	if access < minAccessValidity || access > maxAccessValidity {
		return newErr(KindInvalidParameter, "Invalid range for token validity: access token validity must be between 5 minutes and 1 day")
	}
	if id < minAccessValidity || id > maxAccessValidity {
		return newErr(KindInvalidParameter, "Invalid range for token validity: ID token validity must be between 5 minutes and 1 day")
	}
	if refresh < minRefreshValidity || refresh > maxRefreshValidity {
		return newErr(KindInvalidParameter, "Invalid range for token validity: refresh token validity must be between 60 minutes and 3650 days")
	}
	if refresh < access || refresh < id {
		return newErr(KindInvalidParameter, "Refresh token validity must exceed the access and ID token validity")
	}
	if c.AuthSessionValidity == 0 {
		c.AuthSessionValidity = 3
	}
	if c.AuthSessionValidity < 3 || c.AuthSessionValidity > 15 {
		return newErr(KindInvalidParameter, "AuthSessionValidity must be between 3 and 15 minutes")
	}
	if c.PreventUserExistenceErrors == "" {
		c.PreventUserExistenceErrors = "LEGACY" // Cognito's API default
	}
	if c.PreventUserExistenceErrors != "ENABLED" && c.PreventUserExistenceErrors != "LEGACY" {
		return newErr(KindInvalidParameter, "PreventUserExistenceErrors must be ENABLED or LEGACY")
	}
	if len(c.ExplicitAuthFlows) == 0 {
		c.ExplicitAuthFlows = slices.Clone(defaultAuthFlows)
	}
	for _, f := range c.ExplicitAuthFlows {
		if !slices.Contains(knownAuthFlows, f) {
			return newErr(KindInvalidParameter, "Invalid ExplicitAuthFlows value %q", f)
		}
	}
	if len(c.CallbackURLs) > 100 || len(c.LogoutURLs) > 100 {
		return newErr(KindInvalidParameter, "At most 100 callback and 100 logout URLs")
	}
	for _, u := range c.CallbackURLs {
		if err := ValidateRedirectURL(u); err != nil {
			return err
		}
	}
	for _, u := range c.LogoutURLs {
		if err := ValidateRedirectURL(u); err != nil {
			return err
		}
	}
	if c.DefaultRedirectURI != "" && !slices.Contains(c.CallbackURLs, c.DefaultRedirectURI) {
		return newErr(KindInvalidParameter, "DefaultRedirectURI must be one of the CallbackURLs")
	}
	for _, f := range c.AllowedOAuthFlows {
		if f != "code" && f != "implicit" && f != "client_credentials" {
			return newErr(KindInvalidOAuthFlow, "Invalid OAuth flow %q", f)
		}
	}
	if slices.Contains(c.AllowedOAuthFlows, "client_credentials") {
		if slices.Contains(c.AllowedOAuthFlows, "code") || slices.Contains(c.AllowedOAuthFlows, "implicit") {
			return newErr(KindInvalidOAuthFlow, "client_credentials flow can not be selected along with code flow or implicit flow.")
		}
		if !hasSecret {
			return newErr(KindInvalidOAuthFlow, "client_credentials flow can not be selected if client does not have a client secret.")
		}
	}
	if len(c.AllowedOAuthScopes) > 50 {
		return newErr(KindInvalidParameter, "At most 50 OAuth scopes")
	}
	custom, err := d.PoolScopes(ctx, c.PoolID)
	if err != nil {
		return err
	}
	for _, s := range c.AllowedOAuthScopes {
		if !scopePattern.MatchString(s) || !slices.Contains(StandardScopes, s) && !slices.Contains(custom, s) {
			return newErr(KindScopeDoesNotExist, "Invalid scope requested: %s", s)
		}
		if slices.Contains(c.AllowedOAuthFlows, "client_credentials") && !IsCustomScope(s) {
			return newErr(KindInvalidOAuthFlow, "client_credentials flow can only be used with custom scopes")
		}
	}
	if c.AllowedOAuthFlowsUserPoolClient {
		if len(c.AllowedOAuthFlows) == 0 || len(c.AllowedOAuthScopes) == 0 {
			return newErr(KindInvalidOAuthFlow, "AllowedOAuthFlows and AllowedOAuthScopes are required when AllowedOAuthFlowsUserPoolClient is true.")
		}
		if (slices.Contains(c.AllowedOAuthFlows, "code") || slices.Contains(c.AllowedOAuthFlows, "implicit")) && len(c.CallbackURLs) == 0 {
			return newErr(KindInvalidParameter, "CallbackURLs are required for the code and implicit flows.")
		}
	}
	for _, p := range c.SupportedIdentityProviders {
		if p != "COGNITO" {
			// Upstream providers arrive with federation; until then only
			// the pool's own directory can sign users in.
			return newErr(KindInvalidParameter, "The provider %s does not exist for User Pool %s", p, c.PoolID)
		}
	}
	for _, a := range append(slices.Clone(c.ReadAttributes), c.WriteAttributes...) {
		if a == "email_verified" || a == "phone_number_verified" {
			continue
		}
		if strings.HasPrefix(a, "custom:") || IsStandardAttribute(a) {
			continue
		}
		return newErr(KindInvalidParameter, "Invalid read or write attribute %q", a)
	}
	return nil
}

// ValidateRedirectURL checks a callback or logout URL as Cognito does:
// absolute, no fragment, https except on loopback hosts; custom schemes
// (com.example.app:/cb) are allowed for native apps.
func ValidateRedirectURL(raw string) error {
	bad := func(why string) error { return newErr(KindInvalidParameter, "Invalid URL %q: %s", raw, why) }
	if raw == "" || len(raw) > 1024 {
		return bad("must be 1 to 1024 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return bad("must be an absolute URL")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return bad("must not contain a fragment")
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return bad("must have a host")
		}
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return bad("http is only allowed for localhost; use https")
		}
	case "javascript", "data", "file", "vbscript":
		return bad("scheme not allowed")
	}
	return nil
}

// IsLoopbackHost reports whether host is localhost or a loopback address.
func IsLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// GetClient returns a client of the pool (any pool when poolID is "").
func (d *Directory) GetClient(ctx context.Context, poolID, clientID string) (*storage.Client, error) {
	c, err := d.store.GetClient(ctx, clientID)
	if err == nil && poolID != "" && c.PoolID != poolID {
		err = storage.ErrNotFound
	}
	if err != nil {
		return nil, notFound(err, KindResourceNotFound, "User pool client "+clientID+" does not exist.")
	}
	return c, nil
}

// ListClients pages through a pool's clients.
func (d *Directory) ListClients(ctx context.Context, poolID, after string, limit int) ([]*storage.Client, error) {
	if _, err := d.GetPool(ctx, poolID); err != nil {
		return nil, err
	}
	return d.store.ListClients(ctx, poolID, after, limit)
}

// DeleteClient deletes a client.
func (d *Directory) DeleteClient(ctx context.Context, poolID, clientID string) error {
	return notFound(d.store.DeleteClient(ctx, poolID, clientID), KindResourceNotFound, "User pool client "+clientID+" does not exist.")
}

// ClientSecret opens a client's sealed secret ("" for a public client).
func (d *Directory) ClientSecret(c *storage.Client) (string, error) {
	if len(c.SealedSecret) == 0 {
		return "", nil
	}
	b, err := d.sealer.Open(c.SealedSecret, "client-secret:"+c.ID)
	if err != nil {
		return "", fmt.Errorf("directory: client %s secret: %w", c.ID, err)
	}
	return string(b), nil
}

// VerifyClientSecret compares a presented secret with the client's in
// constant time. A public client has no secret to match.
func (d *Directory) VerifyClientSecret(c *storage.Client, presented string) bool {
	want, err := d.ClientSecret(c)
	if err != nil || want == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(presented)) == 1
}

// Lifetimes converts a client's token validity to durations.
func Lifetimes(c *storage.Client) (access, id, refresh time.Duration, err error) {
	tv := c.TokenValidity
	if tv == (storage.TokenValidity{}) {
		tv = DefaultTokenValidity
	}
	if access, err = duration(tv.AccessToken, tv.AccessTokenUnit); err != nil {
		return
	}
	if id, err = duration(tv.IDToken, tv.IDTokenUnit); err != nil {
		return
	}
	refresh, err = duration(tv.RefreshToken, tv.RefreshTokenUnit)
	return
}

func duration(v int64, unit string) (time.Duration, error) {
	var u time.Duration
	switch unit {
	case "seconds":
		u = time.Second
	case "minutes":
		u = time.Minute
	case "hours":
		u = time.Hour
	case "days":
		u = 24 * time.Hour
	default:
		return 0, newErr(KindInvalidParameter, "Invalid token validity unit %q", unit)
	}
	if v < 0 || v > 315360000 {
		return 0, newErr(KindInvalidParameter, "Invalid token validity %d", v)
	}
	return time.Duration(v) * u, nil
}
