// Package directory holds the domain rules of user pools, app clients,
// users, groups and resource servers: ids, defaults, validation, password
// policy and hashing, attribute schema, alias keys. It knows no HTTP; every
// front (Cognito API, OAuth, hosted UI, config file) calls it.
package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/server/secret"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Config assembles a Directory.
type Config struct {
	Store  storage.Store
	Sealer *secret.Sealer
	// Region is the region part of ids of pools made without a signed call.
	Region string
	Argon2 Argon2Params
	Now    func() time.Time
	// Registry holds the connector factories of the identity provider
	// types the pools may use; CreateIdentityProvider opens a connector
	// with it to check ProviderDetails. Nil: no provider type.
	Registry federation.Registry
}

// Directory is the domain service over the store.
type Directory struct {
	store  storage.Store
	sealer *secret.Sealer
	region string
	argon  Argon2Params
	now    func() time.Time

	registry federation.Registry

	// dummyHash is what BurnPasswordCheck checks against.
	dummyOnce sync.Once
	dummyHash string

	// scanBudget overrides listScanBudget (tests).
	scanBudget int

	// codeKeyBytes keys the hashes of one-time codes (codes.go).
	codeKeyOnce  sync.Once
	codeKeyBytes []byte
}

// New returns a Directory; zero Config fields take defaults.
func New(cfg Config) *Directory {
	d := &Directory{store: cfg.Store, sealer: cfg.Sealer, region: cfg.Region, argon: cfg.Argon2, now: cfg.Now, registry: cfg.Registry}
	if d.region == "" {
		d.region = "us-east-1"
	}
	if d.argon == (Argon2Params{}) {
		d.argon = DefaultArgon2
	}
	if d.now == nil {
		d.now = time.Now
	}
	return d
}

// Store returns the underlying store, for fronts that need a transaction.
func (d *Directory) Store() storage.Store { return d.store }

// Now is the directory's clock.
func (d *Directory) Now() time.Time { return d.now().UTC() }

// notFound maps storage.ErrNotFound to a domain error with msg.
func notFound(err error, k Kind, msg string) error {
	if errors.Is(err, storage.ErrNotFound) {
		return &Error{Kind: k, Msg: msg}
	}
	return err
}

// ---- pools ----

// DefaultPasswordPolicy is Cognito's default policy.
var DefaultPasswordPolicy = storage.PasswordPolicy{
	MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true,
	TemporaryPasswordValidityDays: 7,
}

// NormalizePool validates a pool's settings and fills Cognito's defaults,
// as CreatePool does, without a store: the schema is merged into the
// standard one. The config file calls it to refuse a bad pool before
// anything is written, and to compare a declared pool with a stored one.
func NormalizePool(p *storage.Pool) error {
	if err := normalizeSettings(p); err != nil {
		return err
	}
	for _, a := range p.UsernameAttributes {
		if a != "email" && a != "phone_number" {
			return newErr(KindInvalidParameter, "Invalid UsernameAttributes value %q: email or phone_number", a)
		}
	}
	for _, a := range p.AliasAttributes {
		if a != "email" && a != "phone_number" && a != "preferred_username" {
			return newErr(KindInvalidParameter, "Invalid AliasAttributes value %q", a)
		}
	}
	if len(p.UsernameAttributes) > 0 && len(p.AliasAttributes) > 0 {
		return newErr(KindInvalidParameter, "UsernameAttributes and AliasAttributes cannot both be set")
	}
	schema, err := buildSchema(p.Schema)
	if err != nil {
		return err
	}
	p.Schema = schema
	return nil
}

// normalizeSettings validates the settings UpdatePool may change and fills
// their defaults: everything but the username and alias attributes, case
// sensitivity and the schema, which Cognito fixes at creation.
func normalizeSettings(p *storage.Pool) error {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" || len(p.Name) > 128 {
		return newErr(KindInvalidParameter, "PoolName must be 1 to 128 characters")
	}
	if err := validatePolicy(&p.PasswordPolicy); err != nil {
		return err
	}
	if err := ValidateBranding(p.Branding); err != nil {
		return err
	}
	for _, a := range p.AutoVerifiedAttributes {
		if a != "email" && a != "phone_number" {
			return newErr(KindInvalidParameter, "Invalid AutoVerifiedAttributes value %q", a)
		}
	}
	for _, a := range p.AttributesRequireVerificationBeforeUpdate {
		if a != "email" && a != "phone_number" {
			return newErr(KindInvalidParameter, "Invalid AttributesRequireVerificationBeforeUpdate value %q", a)
		}
		if !slices.Contains(p.AutoVerifiedAttributes, a) {
			// Cognito's answer to a pool that would keep an old value
			// waiting for a code it never sends.
			return newErr(KindInvalidParameter, "The attribute %s in AttributesRequireVerificationBeforeUpdate must also be in AutoVerifiedAttributes.", a)
		}
	}
	if p.MfaConfiguration == "" {
		p.MfaConfiguration = "OFF"
	}
	if p.DeletionProtection == "" {
		p.DeletionProtection = "INACTIVE"
	}
	if p.UserPoolTier == "" {
		p.UserPoolTier = "ESSENTIALS"
	}
	for _, c := range []struct {
		name, value string
		allowed     []string
	}{
		{"MfaConfiguration", p.MfaConfiguration, []string{"OFF", "ON", "OPTIONAL"}},
		{"DeletionProtection", p.DeletionProtection, []string{"ACTIVE", "INACTIVE"}},
		{"UserPoolTier", p.UserPoolTier, []string{"LITE", "ESSENTIALS", "PLUS"}},
	} {
		if !slices.Contains(c.allowed, c.value) {
			return newErr(KindInvalidParameter, "Invalid %s value %q", c.name, c.value)
		}
	}
	return nil
}

// CreatePool validates p, fills its id (in region, or the directory's
// region when empty) and defaults, and stores it. A p.ID set by the caller
// is kept: the config file pins pool ids so that relying parties can
// hard-code the issuer; such an id must be free.
func (d *Directory) CreatePool(ctx context.Context, p *storage.Pool, region string) (*storage.Pool, error) {
	if region == "" {
		region = d.region
	}
	pinned := p.ID != ""
	if pinned && !ValidPoolID(p.ID) {
		return nil, newErr(KindInvalidParameter, "Invalid user pool id %q", p.ID)
	}
	if err := NormalizePool(p); err != nil {
		return nil, err
	}
	now := d.Now()
	p.CreatedAt, p.UpdatedAt = now, now
	var err error
	for range 5 {
		if !pinned {
			p.ID = NewPoolID(region)
		}
		err = d.store.CreatePool(ctx, p)
		if !errors.Is(err, storage.ErrAlreadyExists) {
			break
		}
		if pinned {
			return nil, newErr(KindInvalidParameter, "User pool %s already exists.", p.ID)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("directory: create pool: %w", err)
	}
	return p, nil
}

func validatePolicy(pp *storage.PasswordPolicy) error {
	if *pp == (storage.PasswordPolicy{}) {
		*pp = DefaultPasswordPolicy
		return nil
	}
	if pp.MinimumLength == 0 {
		pp.MinimumLength = 8
	}
	if pp.MinimumLength < 6 || pp.MinimumLength > 99 {
		return newErr(KindInvalidParameter, "MinimumLength must be between 6 and 99")
	}
	if pp.TemporaryPasswordValidityDays == 0 {
		pp.TemporaryPasswordValidityDays = 7
	}
	if pp.TemporaryPasswordValidityDays < 0 || pp.TemporaryPasswordValidityDays > 365 {
		return newErr(KindInvalidParameter, "TemporaryPasswordValidityDays must be between 0 and 365")
	}
	if pp.PasswordHistorySize < 0 || pp.PasswordHistorySize > 24 {
		return newErr(KindInvalidParameter, "PasswordHistorySize must be between 0 and 24")
	}
	return nil
}

// GetPool returns the pool or a ResourceNotFound error.
func (d *Directory) GetPool(ctx context.Context, id string) (*storage.Pool, error) {
	p, err := d.store.GetPool(ctx, id)
	if err != nil {
		return nil, notFound(err, KindResourceNotFound, "User pool "+id+" does not exist.")
	}
	return p, nil
}

// UpdatePool replaces an existing pool's settings with p's, as Cognito's
// UpdateUserPool does: every setting that may change is taken from p, a
// zero value taking Cognito's default, while what Cognito fixes at
// creation — username and alias attributes, case sensitivity, the schema —
// and the creation time are kept from the stored pool, whatever p says. An
// empty Name keeps the stored name. On success p is the stored pool.
func (d *Directory) UpdatePool(ctx context.Context, p *storage.Pool) error {
	return d.store.InTx(ctx, func(ctx context.Context) error {
		old, err := d.GetPool(ctx, p.ID)
		if err != nil {
			return err
		}
		if strings.TrimSpace(p.Name) == "" {
			p.Name = old.Name
		}
		p.UsernameAttributes, p.AliasAttributes = old.UsernameAttributes, old.AliasAttributes
		p.CaseSensitive, p.Schema, p.CreatedAt = old.CaseSensitive, old.Schema, old.CreatedAt
		p.Branding = keepBranding(p.Branding, old.Branding)
		if err := normalizeSettings(p); err != nil {
			return err
		}
		p.UpdatedAt = d.Now()
		return notFound(d.store.UpdatePool(ctx, p), KindResourceNotFound, "User pool "+p.ID+" does not exist.")
	})
}

// ListPools pages through pools.
func (d *Directory) ListPools(ctx context.Context, after string, limit int) ([]*storage.Pool, error) {
	return d.store.ListPools(ctx, after, limit)
}

// DeletePool deletes a pool unless deletion protection is on.
func (d *Directory) DeletePool(ctx context.Context, id string) error {
	p, err := d.GetPool(ctx, id)
	if err != nil {
		return err
	}
	if p.DeletionProtection == "ACTIVE" {
		return newErr(KindInvalidParameter, "The user pool %s has deletion protection activated.", id)
	}
	return notFound(d.store.DeletePool(ctx, id), KindResourceNotFound, "User pool "+id+" does not exist.")
}

// AddCustomAttributes appends custom attributes to a pool's schema.
func (d *Directory) AddCustomAttributes(ctx context.Context, poolID string, attrs []storage.SchemaAttribute) error {
	return d.store.InTx(ctx, func(ctx context.Context) error {
		p, err := d.GetPool(ctx, poolID)
		if err != nil {
			return err
		}
		for _, r := range attrs {
			a, err := customAttribute(r)
			if err != nil {
				return err
			}
			if _, exists := schemaAttr(p, a.Name); exists {
				return newErr(KindInvalidParameter, "Existing attribute already has name %s.", a.Name)
			}
			p.Schema = append(p.Schema, a)
		}
		if len(p.Schema)-len(standardAttributes) > 50 {
			return newErr(KindInvalidParameter, "A user pool can have at most 50 custom attributes")
		}
		p.UpdatedAt = d.Now()
		return d.store.UpdatePool(ctx, p)
	})
}

// ---- resource servers ----

// CreateResourceServer validates and stores a resource server.
func (d *Directory) CreateResourceServer(ctx context.Context, rs *storage.ResourceServer) error {
	if err := d.validateResourceServer(ctx, rs); err != nil {
		return err
	}
	return d.store.InTx(ctx, func(ctx context.Context) error {
		existing, err := d.store.ListResourceServers(ctx, rs.PoolID)
		if err != nil {
			return err
		}
		if len(existing) >= MaxResourceServers && !slices.ContainsFunc(existing, func(e *storage.ResourceServer) bool { return e.Identifier == rs.Identifier }) {
			return newErr(KindLimitExceeded, "A user pool can have at most %d resource servers.", MaxResourceServers)
		}
		err = d.store.CreateResourceServer(ctx, rs)
		if errors.Is(err, storage.ErrAlreadyExists) {
			return newErr(KindInvalidParameter, "%s already exists in user pool %s.", rs.Identifier, rs.PoolID)
		}
		return err
	})
}

// UpdateResourceServer validates and stores a resource server's new name
// and scopes; the identifier names it.
func (d *Directory) UpdateResourceServer(ctx context.Context, rs *storage.ResourceServer) error {
	if err := d.validateResourceServer(ctx, rs); err != nil {
		return err
	}
	return notFound(d.store.UpdateResourceServer(ctx, rs), KindResourceNotFound,
		"Resource server "+rs.Identifier+" does not exist.")
}

func (d *Directory) validateResourceServer(ctx context.Context, rs *storage.ResourceServer) error {
	if _, err := d.GetPool(ctx, rs.PoolID); err != nil {
		return err
	}
	if rs.Identifier == "" || len(rs.Identifier) > 256 || strings.ContainsAny(rs.Identifier, " \t\n") {
		return newErr(KindInvalidParameter, "Identifier must be 1 to 256 characters without spaces")
	}
	if rs.Name == "" || len(rs.Name) > 256 {
		return newErr(KindInvalidParameter, "Name must be 1 to 256 characters")
	}
	if len(rs.Scopes) > 100 {
		return newErr(KindInvalidParameter, "A resource server can have at most 100 scopes")
	}
	seen := map[string]bool{}
	for _, s := range rs.Scopes {
		if !scopeNamePattern.MatchString(s.Name) {
			return newErr(KindInvalidParameter, "Invalid scope name %q", s.Name)
		}
		if len(s.Description) > 256 {
			return newErr(KindInvalidParameter, "The description of scope %s is longer than 256 characters", s.Name)
		}
		if seen[s.Name] {
			return newErr(KindInvalidParameter, "Scope %s is given twice", s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

// PoolScopes returns every custom scope of a pool as `{identifier}/{scope}`.
func (d *Directory) PoolScopes(ctx context.Context, poolID string) ([]string, error) {
	servers, err := d.store.ListResourceServers(ctx, poolID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rs := range servers {
		for _, s := range rs.Scopes {
			out = append(out, rs.Identifier+"/"+s.Name)
		}
	}
	return out, nil
}

// StandardScopes are the scopes every pool understands.
var StandardScopes = []string{"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"}

// IsCustomScope reports whether scope names a resource server's scope.
func IsCustomScope(scope string) bool { return !slices.Contains(StandardScopes, scope) }
