package directory

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var (
	scopeNamePattern = ASCIIPattern(`[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]`, 1, 256)
	scopePattern     = ASCIIPattern(`[\x21\x23-\x5B\x5D-\x7E]`, 1, 256)
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
// A c.ID set by the caller is kept (the config file pins client ids); such
// an id must be free in every pool.
func (d *Directory) CreateClient(ctx context.Context, c *storage.Client, generateSecret bool) (string, error) {
	var plain string
	if generateSecret {
		plain = NewClientSecret()
	}
	if err := d.createClient(ctx, c, plain); err != nil {
		return "", err
	}
	return plain, nil
}

// CreateClientWithSecret is CreateClient with a secret the caller chose,
// as Cognito's AddUserPoolClientSecret takes one: 24 to 64 letters, digits,
// _ or +. The config file uses it to pin a relying party's credentials.
func (d *Directory) CreateClientWithSecret(ctx context.Context, c *storage.Client, secret string) error {
	if !ValidClientSecret(secret) {
		return newErr(KindInvalidParameter, "ClientSecret must be 24 to 64 letters, digits, _ or +")
	}
	return d.createClient(ctx, c, secret)
}

func (d *Directory) createClient(ctx context.Context, c *storage.Client, secret string) error {
	if _, err := d.GetPool(ctx, c.PoolID); err != nil {
		return err
	}
	if c.Name == "" || len(c.Name) > 128 {
		return newErr(KindInvalidParameter, "ClientName must be 1 to 128 characters")
	}
	pinned := c.ID != ""
	if pinned && !ValidClientID(c.ID) {
		return newErr(KindInvalidParameter, "Invalid client id %q", c.ID)
	}
	if err := d.normaliseClient(ctx, c, secret != ""); err != nil {
		return err
	}
	now := d.Now()
	c.CreatedAt, c.UpdatedAt = now, now
	for range 5 {
		if !pinned {
			c.ID = NewClientID()
		}
		if secret != "" {
			sealed, err := d.sealer.Seal([]byte(secret), "client-secret:"+c.ID)
			if err != nil {
				return err
			}
			c.SealedSecret = sealed
		}
		err := d.store.CreateClient(ctx, c)
		if errors.Is(err, storage.ErrAlreadyExists) {
			if pinned {
				return newErr(KindInvalidParameter, "A client with id %s already exists.", c.ID)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("directory: create client: %w", err)
		}
		return nil
	}
	return errors.New("directory: create client: no free id")
}

// SetClientSecret replaces a client's secret with secret, or removes it
// when secret is empty, and stores the client. Cognito's API cannot do
// this to one secret; the config file does it so that the stored client
// matches the file.
func (d *Directory) SetClientSecret(ctx context.Context, poolID, clientID, secret string) error {
	if secret != "" && !ValidClientSecret(secret) {
		return newErr(KindInvalidParameter, "ClientSecret must be 24 to 64 letters, digits, _ or +")
	}
	c, err := d.GetClient(ctx, poolID, clientID)
	if err != nil {
		return err
	}
	c.SealedSecret = nil
	if secret != "" {
		if c.SealedSecret, err = d.sealer.Seal([]byte(secret), "client-secret:"+c.ID); err != nil {
			return err
		}
	}
	if err := d.normaliseClient(ctx, c, secret != ""); err != nil {
		return err
	}
	c.UpdatedAt = d.Now()
	return d.store.UpdateClient(ctx, c)
}

var (
	clientIDPattern     = ASCIIPattern(`[\w+]`, 1, 128)
	clientSecretPattern = ASCIIPattern(`[\w+]`, 24, 64)
)

// ValidClientID reports whether id has the shape Cognito allows for a
// client id: 1 to 128 letters, digits, _ or +.
func ValidClientID(id string) bool { return clientIDPattern.MatchString(id) }

// ValidClientSecret reports whether s is a secret Cognito would accept
// from a caller: 24 to 64 letters, digits, _ or +.
func ValidClientSecret(s string) bool { return clientSecretPattern.MatchString(s) }

// IsExplicitAuthFlow reports whether f is one of Cognito's ExplicitAuthFlows.
func IsExplicitAuthFlow(f string) bool { return slices.Contains(knownAuthFlows, f) }

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
	c.Branding = keepBranding(c.Branding, old.Branding)
	if err := d.normaliseClient(ctx, c, len(c.SealedSecret) > 0); err != nil {
		return err
	}
	c.UpdatedAt = d.Now()
	return d.store.UpdateClient(ctx, c)
}

// normaliseClient is NormalizeClient plus the checks against the pool's
// resource servers and identity providers.
func (d *Directory) normaliseClient(ctx context.Context, c *storage.Client, hasSecret bool) error {
	if err := NormalizeClient(c, hasSecret); err != nil {
		return err
	}
	custom, err := d.PoolScopes(ctx, c.PoolID)
	if err != nil {
		return err
	}
	for _, s := range c.AllowedOAuthScopes {
		if IsCustomScope(s) && !slices.Contains(custom, s) {
			return newErr(KindScopeDoesNotExist, "Invalid scope requested: %s", s)
		}
	}
	for _, p := range c.SupportedIdentityProviders {
		ok, err := d.providerExists(ctx, c.PoolID, p)
		if err != nil {
			return err
		}
		if !ok {
			return newErr(KindInvalidParameter, "The provider %s does not exist for User Pool %s", p, c.PoolID)
		}
	}
	return nil
}

// NormalizeClient fills a client's defaults (token validity, auth flows,
// PreventUserExistenceErrors) and checks every rule that needs no store,
// as CreateClient and UpdateClient do; they add the checks against the
// pool (custom scopes, identity providers). The config file calls it to
// refuse a bad client before anything is written, and to compare a
// declared client with a stored one.
func NormalizeClient(c *storage.Client, hasSecret bool) error {
	if err := ValidateBranding(c.Branding); err != nil {
		return err
	}
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
	// Cognito's two generations of flow names do not mix.
	allow := slices.ContainsFunc(c.ExplicitAuthFlows, func(f string) bool { return strings.HasPrefix(f, "ALLOW_") })
	legacy := slices.ContainsFunc(c.ExplicitAuthFlows, func(f string) bool { return !strings.HasPrefix(f, "ALLOW_") })
	if allow && legacy {
		return newErr(KindInvalidParameter, "ExplicitAuthFlows can not have both ALLOW_XXX and legacy values.")
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
	for _, s := range c.AllowedOAuthScopes {
		if !scopePattern.MatchString(s) {
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
	// Bound v by the unit too: 315360000 days would overflow time.Duration
	// and could wrap into the valid range.
	if v < 0 || v > 315360000 || v > int64(math.MaxInt64/u) {
		return 0, newErr(KindInvalidParameter, "Invalid token validity %d", v)
	}
	return time.Duration(v) * u, nil
}
