package directory

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Identity providers (Cognito's CreateIdentityProvider and friends).
//
// Rules, as Cognito's:
//   - ProviderName is 1 to 32 characters of Cognito's ProviderNameTypeV2
//     pattern; "COGNITO" (any case) names the pool's own directory and is
//     reserved. A social provider's name is its type (Google, Facebook,
//     LoginWithAmazon, SignInWithApple); an OIDC or SAML provider may not
//     take one of those names.
//   - ProviderType must be registered in the directory's federation
//     registry; ProviderDetails are checked by opening the connector, which
//     makes no network call, so a bad value is an InvalidParameter error
//     that names the key. Describe-only keys (token_request_method,
//     attributes_url_add_attributes, ActiveEncryptionCertificate,
//     SSORedirectBindingURI, SLORedirectBindingURI) are dropped on input.
//   - Secret details (client_secret, private_key) are sealed at rest with
//     the master key, bound to the pool, provider and key.
//   - AttributeMapping keys are mutable pool attributes (standard or
//     custom:) or "username"; sub and identities cannot be mapped. A
//     provider gets Cognito's automatic mapping of the username when it has
//     none: username ← sub (OIDC, Google, SignInWithApple), id (Facebook),
//     user_id (LoginWithAmazon); a SAML user's username is the NameID.
//   - IdpIdentifiers: at most 50, each 1 to 40 characters of [\w\s+=.@-],
//     unique in the pool (matched exactly, case included).
//   - A pool has at most MaxIdentityProviders providers.
//
// Deleting a provider removes it from every app client's
// SupportedIdentityProviders, as Cognito does; the users it created stay.

// MaxIdentityProviders is Cognito's quota of identity providers per pool.
const MaxIdentityProviders = 300

// MaxIdpIdentifiers is the most IdpIdentifiers one provider may have.
const MaxIdpIdentifiers = 50

// ProviderCognito is the name of the pool's own directory in
// SupportedIdentityProviders.
const ProviderCognito = "COGNITO"

// idpIdentifierChar is [\w\s+=.@-], the characters of an IdpIdentifier.
func idpIdentifierChar(r rune) bool {
	return r < 0x80 && (r == '_' || r == '+' || r == '=' || r == '.' || r == '@' || r == '-' ||
		unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" \t\n\f\r", r))
}

// ValidIdpIdentifier reports whether id is 1 to 40 of [\w\s+=.@-].
func ValidIdpIdentifier(id string) bool { return runesWithin(id, 40, idpIdentifierChar) }

// ValidProviderNameShape reports whether name has the shape the API
// accepts for an existing provider's name (Cognito's ProviderNameType):
// 1 to 32 of [\p{L}\p{M}\p{S}\p{N}\p{P}].
func ValidProviderNameShape(name string) bool { return runesWithin(name, 32, printable) }

// socialTypes are the provider types whose provider name is the type.
var socialTypes = []string{federation.TypeGoogle, federation.TypeFacebook, federation.TypeAmazon, federation.TypeApple}

// secretDetails are the ProviderDetails keys sealed at rest.
var secretDetails = []string{"client_secret", "private_key"}

// describeOnlyDetails are keys Cognito adds to DescribeIdentityProvider's
// answer; they are not settings, so input drops them.
var describeOnlyDetails = []string{"token_request_method", "attributes_url_add_attributes",
	"ActiveEncryptionCertificate", "SSORedirectBindingURI", "SLORedirectBindingURI"}

// IsDescribeOnlyDetail reports whether key is one of the ProviderDetails
// keys DescribeIdentityProvider adds, which are no settings.
func IsDescribeOnlyDetail(key string) bool { return slices.Contains(describeOnlyDetails, key) }

// sealedPrefix marks a sealed ProviderDetails value in the store.
const sealedPrefix = "sealed:"

// IdentityProviderInput is what CreateIdentityProvider and
// UpdateIdentityProvider take. On update, a nil Details, AttributeMapping
// or IdpIdentifiers keeps the stored value, and Type is ignored.
type IdentityProviderInput struct {
	PoolID           string
	Name             string
	Type             string
	Details          map[string]string
	AttributeMapping map[string]string
	IdpIdentifiers   []string
}

// ValidProviderName reports whether name is a name Cognito accepts for a
// new provider (reserved names aside): 1 to 32 runes matching
// ProviderNameTypeV2, [^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+,
// checked a rune at a time (see names.go).
func ValidProviderName(name string) bool {
	if utf8.RuneCountInString(name) > 32 {
		return false
	}
	i := 0
	for _, r := range name {
		switch {
		case i == 1 && !printable(r):
			return false
		case i != 1 && (r == '_' || unicode.Is(unicode.Z, r)):
			return false
		}
		i++
	}
	return i >= 3
}

// CheckProviderName applies Cognito's rules for the name of a new provider
// of type typ: its pattern and length, the reserved names, and a social
// provider's name being its type.
func CheckProviderName(name, typ string) error { return checkProviderName(name, typ) }

// CheckIdpIdentifiers applies Cognito's rules to a provider's identifiers:
// at most 50, each 1 to 40 characters of [\w\s+=.@-], none twice.
func CheckIdpIdentifiers(ids []string) error {
	_, err := normalizeIdentifiers(ids)
	return err
}

// WithDefaultMapping returns mapping with Cognito's automatic mapping for
// type typ added where mapping leaves it out (see
// federation.DefaultAttributeMapping); nil when both are empty.
func WithDefaultMapping(typ string, mapping map[string]string) map[string]string {
	out := maps.Clone(mapping)
	for k, v := range federation.DefaultAttributeMapping(typ) {
		if out == nil {
			out = map[string]string{}
		}
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func checkProviderName(name, typ string) error {
	if !ValidProviderName(name) {
		return newErr(KindInvalidParameter, "1 validation error detected: Value '%s' at 'providerName' failed to satisfy constraint: Member must have length between 1 and 32 and satisfy regular expression pattern: [^_\\p{Z}][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_\\p{Z}]+", name)
	}
	if strings.EqualFold(name, ProviderCognito) {
		return newErr(KindInvalidParameter, "The provider name %s is reserved.", name)
	}
	if slices.Contains(socialTypes, typ) {
		if name != typ {
			return newErr(KindInvalidParameter, "The provider name of a %s provider must be %s.", typ, typ)
		}
		return nil
	}
	if slices.ContainsFunc(socialTypes, func(t string) bool { return strings.EqualFold(t, name) }) {
		return newErr(KindInvalidParameter, "The provider name %s is reserved for the %s provider type.", name, name)
	}
	return nil
}

// CreateIdentityProvider validates, seals and stores a new provider, and
// returns it as DescribeIdentityProvider would (secrets open).
func (d *Directory) CreateIdentityProvider(ctx context.Context, in IdentityProviderInput) (*storage.IdentityProvider, error) {
	if _, err := d.GetPool(ctx, in.PoolID); err != nil {
		return nil, err
	}
	if err := checkProviderName(in.Name, in.Type); err != nil {
		return nil, err
	}
	p := &storage.IdentityProvider{PoolID: in.PoolID, Name: in.Name, Type: in.Type}
	if err := d.normalizeProvider(ctx, p, in); err != nil {
		return nil, err
	}
	now := d.Now()
	p.CreatedAt, p.UpdatedAt = now, now
	sealed, err := d.sealProvider(p)
	if err != nil {
		return nil, err
	}
	err = d.store.InTx(ctx, func(ctx context.Context) error {
		existing, err := d.store.ListIdentityProviders(ctx, p.PoolID, "", MaxIdentityProviders+1)
		if err != nil {
			return err
		}
		for _, e := range existing {
			if e.Name == p.Name {
				return newErr(KindDuplicateProvider, "%s already exists in user pool %s", p.Name, p.PoolID)
			}
		}
		if len(existing) >= MaxIdentityProviders {
			return newErr(KindLimitExceeded, "A user pool can have at most %d identity providers.", MaxIdentityProviders)
		}
		if err := d.checkIdentifiersFree(ctx, p); err != nil {
			return err
		}
		return d.store.CreateIdentityProvider(ctx, sealed)
	})
	if errors.Is(err, storage.ErrAlreadyExists) {
		return nil, newErr(KindDuplicateProvider, "%s already exists in user pool %s", p.Name, p.PoolID)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// UpdateIdentityProvider changes a provider's details, mapping and
// identifiers (nil fields keep theirs) and returns it, secrets open.
func (d *Directory) UpdateIdentityProvider(ctx context.Context, in IdentityProviderInput) (*storage.IdentityProvider, error) {
	var out *storage.IdentityProvider
	err := d.store.InTx(ctx, func(ctx context.Context) error {
		old, err := d.IdentityProvider(ctx, in.PoolID, in.Name)
		if err != nil {
			return err
		}
		if in.Details == nil {
			in.Details = old.Details
		}
		if in.AttributeMapping == nil {
			in.AttributeMapping = old.AttributeMapping
		}
		if in.IdpIdentifiers == nil {
			in.IdpIdentifiers = old.IdpIdentifiers
		}
		p := &storage.IdentityProvider{PoolID: old.PoolID, Name: old.Name, Type: old.Type, CreatedAt: old.CreatedAt}
		if err := d.normalizeProvider(ctx, p, in); err != nil {
			return err
		}
		p.UpdatedAt = d.Now()
		if err := d.checkIdentifiersFree(ctx, p); err != nil {
			return err
		}
		sealed, err := d.sealProvider(p)
		if err != nil {
			return err
		}
		if err := d.store.UpdateIdentityProvider(ctx, sealed); err != nil {
			return providerNotFound(err, in.Name)
		}
		out = p
		return nil
	})
	return out, err
}

// checkIdentifiersFree answers an identifier another provider of the pool
// holds with a clear error; the store's unique key stays the final guard.
func (d *Directory) checkIdentifiersFree(ctx context.Context, p *storage.IdentityProvider) error {
	for _, id := range p.IdpIdentifiers {
		other, err := d.store.GetIdentityProviderByIdentifier(ctx, p.PoolID, id)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return err
		case other.Name != p.Name:
			return newErr(KindInvalidParameter, "The identifier %s is already used by the provider %s.", id, other.Name)
		}
	}
	return nil
}

// normalizeProvider checks in's details, mapping and identifiers for p's
// type and puts them, normalised, in p (whose pool, name and type are set).
func (d *Directory) normalizeProvider(ctx context.Context, p *storage.IdentityProvider, in IdentityProviderInput) error {
	if _, ok := d.registry[p.Type]; !ok {
		return newErr(KindInvalidParameter, "Invalid ProviderType %q: must be one of %s", p.Type, strings.Join(slices.Sorted(maps.Keys(d.registry)), ", "))
	}
	pool, err := d.GetPool(ctx, p.PoolID)
	if err != nil {
		return err
	}
	p.Details = map[string]string{}
	for k, v := range in.Details {
		if slices.Contains(describeOnlyDetails, k) {
			continue
		}
		if len(k) > 131 || len(v) > 131072 {
			return newErr(KindInvalidParameter, "Invalid ProviderDetails %s: too long", k)
		}
		p.Details[k] = v
	}
	mapping, err := normalizeMapping(pool, p.Type, in.AttributeMapping)
	if err != nil {
		return err
	}
	p.AttributeMapping = mapping
	ids, err := normalizeIdentifiers(in.IdpIdentifiers)
	if err != nil {
		return err
	}
	p.IdpIdentifiers = ids
	return d.ValidateProviderDetails(ctx, p)
}

func normalizeMapping(pool *storage.Pool, typ string, in map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(in)+1)
	for k, v := range in {
		if k == "" || len(k) > 32 || v == "" || len(v) > 131 {
			return nil, newErr(KindInvalidParameter, "Invalid AttributeMapping %s: the attribute must be 1 to 32 characters and the upstream name 1 to 131", k)
		}
		if k != "username" {
			attr, ok := PoolAttribute(pool, k)
			switch {
			case !ok:
				return nil, newErr(KindInvalidParameter, "Invalid AttributeMapping %s: the user pool has no such attribute", k)
			case k == "sub" || k == "identities" || !attr.Mutable:
				return nil, newErr(KindInvalidParameter, "Invalid AttributeMapping %s: the attribute cannot be mapped because it is not mutable", k)
			}
		}
		out[k] = v
	}
	return WithDefaultMapping(typ, out), nil
}

func normalizeIdentifiers(in []string) ([]string, error) {
	if len(in) > MaxIdpIdentifiers {
		return nil, newErr(KindInvalidParameter, "A provider can have at most %d IdpIdentifiers", MaxIdpIdentifiers)
	}
	var out []string
	for _, id := range in {
		if !ValidIdpIdentifier(id) {
			return nil, newErr(KindInvalidParameter, "Invalid IdpIdentifier %q: 1 to 40 letters, digits, spaces or _+=.@-", id)
		}
		if slices.Contains(out, id) {
			return nil, newErr(KindInvalidParameter, "The IdpIdentifier %s is given twice", id)
		}
		out = append(out, id)
	}
	return out, nil
}

// ValidateProviderDetails opens p's connector with a stand-in environment
// (no network: factories fetch nothing when they open) so that a bad
// ProviderDetails value is refused before it is stored, with an
// InvalidParameter error naming the key.
func (d *Directory) ValidateProviderDetails(ctx context.Context, p *storage.IdentityProvider) error {
	env, err := validationEnv(p.PoolID)
	if err != nil {
		return err
	}
	_, err = d.registry.Open(ctx, federation.ProviderConfig{Name: p.Name, Type: p.Type, Details: p.Details,
		AttributeMapping: p.AttributeMapping}, env)
	var ce *federation.ConfigError
	if errors.As(err, &ce) {
		return newErr(KindInvalidParameter, "%s", ce.Error())
	}
	if err != nil {
		return fmt.Errorf("directory: validate provider %s: %w", p.Name, err)
	}
	return nil
}

var (
	validationKeyOnce sync.Once
	validationKey     *rsa.PrivateKey
	validationCert    *x509.Certificate
	validationKeyErr  error
)

// validationEnv is the Env connectors are opened with to check details:
// the pool's SAML names on a placeholder host and a throwaway RSA key
// (made once per process), so that SAML's signing and encryption options
// can be checked; its HTTP client refuses every request.
func validationEnv(poolID string) (federation.Env, error) {
	validationKeyOnce.Do(func() {
		validationKey, validationKeyErr = rsa.GenerateKey(rand.Reader, 2048)
		if validationKeyErr != nil {
			return
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gatehouse validation"},
			NotBefore: time.Unix(0, 0), NotAfter: time.Unix(0, 0).Add(100 * 365 * 24 * time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &validationKey.PublicKey, validationKey)
		if err == nil {
			validationCert, err = x509.ParseCertificate(der)
		}
		validationKeyErr = err
	})
	if validationKeyErr != nil {
		return federation.Env{}, fmt.Errorf("directory: validation key: %w", validationKeyErr)
	}
	const site = "https://validation.invalid"
	return federation.Env{
		HTTPClient:  &http.Client{Transport: noNetwork{}},
		CallbackURL: site + "/oauth2/idpresponse",
		SPEntityID:  "urn:amazon:cognito:sp:" + poolID,
		ACSURL:      site + "/saml2/idpresponse",
		SLOURL:      site + "/saml2/logout",
		MetadataURL: site + "/saml2/metadata",
		SPKey:       validationKey, SPCertificate: validationCert,
	}, nil
}

type noNetwork struct{}

func (noNetwork) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("directory: no network while validating provider details")
}

// sealProvider returns a copy of p whose secret details are sealed.
func (d *Directory) sealProvider(p *storage.IdentityProvider) (*storage.IdentityProvider, error) {
	out := *p
	out.Details = maps.Clone(p.Details)
	for _, k := range secretDetails {
		v, ok := out.Details[k]
		if !ok || v == "" {
			continue
		}
		sealed, err := d.sealer.Seal([]byte(v), detailContext(p, k))
		if err != nil {
			return nil, err
		}
		out.Details[k] = sealedPrefix + base64.RawURLEncoding.EncodeToString(sealed)
	}
	return &out, nil
}

// openProvider opens p's sealed details in place.
func (d *Directory) openProvider(p *storage.IdentityProvider) error {
	for _, k := range secretDetails {
		v, ok := p.Details[k]
		if !ok || !strings.HasPrefix(v, sealedPrefix) {
			continue
		}
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(v, sealedPrefix))
		if err != nil {
			return fmt.Errorf("directory: provider %s %s: %w", p.Name, k, err)
		}
		plain, err := d.sealer.Open(raw, detailContext(p, k))
		if err != nil {
			return fmt.Errorf("directory: provider %s %s: %w", p.Name, k, err)
		}
		p.Details[k] = string(plain)
	}
	return nil
}

func detailContext(p *storage.IdentityProvider, key string) string {
	return "idp-detail:" + p.PoolID + "/" + p.Name + "/" + key
}

func providerNotFound(err error, name string) error {
	return notFound(err, KindResourceNotFound, "Identity provider "+name+" does not exist.")
}

// IdentityProvider returns a pool's provider with its details open
// (client_secret and private_key in plain), ready for
// federation.ProviderConfig.
func (d *Directory) IdentityProvider(ctx context.Context, poolID, name string) (*storage.IdentityProvider, error) {
	p, err := d.store.GetIdentityProvider(ctx, poolID, name)
	if err != nil {
		return nil, providerNotFound(err, name)
	}
	if err := d.openProvider(p); err != nil {
		return nil, err
	}
	return p, nil
}

// IdentityProviderByIdentifier returns the provider that lists identifier
// in its IdpIdentifiers, details open.
func (d *Directory) IdentityProviderByIdentifier(ctx context.Context, poolID, identifier string) (*storage.IdentityProvider, error) {
	p, err := d.store.GetIdentityProviderByIdentifier(ctx, poolID, identifier)
	if err != nil {
		return nil, notFound(err, KindResourceNotFound, "Identity provider with identifier "+identifier+" does not exist.")
	}
	if err := d.openProvider(p); err != nil {
		return nil, err
	}
	return p, nil
}

// ListIdentityProviders pages through a pool's providers by name, details
// open.
func (d *Directory) ListIdentityProviders(ctx context.Context, poolID, after string, limit int) ([]*storage.IdentityProvider, error) {
	if _, err := d.GetPool(ctx, poolID); err != nil {
		return nil, err
	}
	ps, err := d.store.ListIdentityProviders(ctx, poolID, after, limit)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if err := d.openProvider(p); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// DeleteIdentityProvider deletes a provider and takes it off every client
// of the pool that supported it.
func (d *Directory) DeleteIdentityProvider(ctx context.Context, poolID, name string) error {
	return d.store.InTx(ctx, func(ctx context.Context) error {
		if err := d.store.DeleteIdentityProvider(ctx, poolID, name); err != nil {
			return providerNotFound(err, name)
		}
		after := ""
		for {
			cs, err := d.store.ListClients(ctx, poolID, after, 100)
			if err != nil {
				return err
			}
			for _, c := range cs {
				if i := slices.Index(c.SupportedIdentityProviders, name); i >= 0 {
					c.SupportedIdentityProviders = slices.Delete(c.SupportedIdentityProviders, i, i+1)
					c.UpdatedAt = d.Now()
					if err := d.store.UpdateClient(ctx, c); err != nil {
						return err
					}
				}
			}
			if len(cs) < 100 {
				return nil
			}
			after = cs[len(cs)-1].ID
		}
	})
}

// DescribedDetails returns p's details as DescribeIdentityProvider shows
// them: the stored ones plus what Cognito adds for each type — the social
// presets' fixed endpoints and token_request_method, and
// attributes_url_add_attributes, and a SAML provider's
// SSORedirectBindingURI and SLORedirectBindingURI when its MetadataFile
// has them. An OIDC provider's discovered endpoints are not added (they
// are known only once a connector has fetched the discovery document), nor
// the bindings of metadata given by MetadataURL, nor SAML's
// ActiveEncryptionCertificate (the pool's signing certificate, which
// GetSigningCertificate returns).
func DescribedDetails(p *storage.IdentityProvider) map[string]string {
	out := maps.Clone(p.Details)
	if out == nil {
		out = map[string]string{}
	}
	add := func(kv ...string) {
		for i := 0; i+1 < len(kv); i += 2 {
			if _, ok := out[kv[i]]; !ok {
				out[kv[i]] = kv[i+1]
			}
		}
	}
	switch p.Type {
	case federation.TypeOIDC:
		add("attributes_request_method", "GET", "attributes_url_add_attributes", "false")
	case federation.TypeGoogle:
		add("authorize_url", "https://accounts.google.com/o/oauth2/v2/auth",
			"token_url", "https://www.googleapis.com/oauth2/v4/token",
			"attributes_url", "https://people.googleapis.com/v1/people/me?personFields=",
			"attributes_url_add_attributes", "true",
			"oidc_issuer", "https://accounts.google.com",
			"token_request_method", "POST")
	case federation.TypeFacebook:
		v := out["api_version"]
		if v == "" {
			v = "v17.0"
		}
		add("authorize_url", "https://www.facebook.com/"+v+"/dialog/oauth",
			"token_url", "https://graph.facebook.com/"+v+"/oauth/access_token",
			"attributes_url", "https://graph.facebook.com/"+v+"/me?fields=",
			"attributes_url_add_attributes", "true",
			"token_request_method", "GET")
	case federation.TypeAmazon:
		add("authorize_url", "https://www.amazon.com/ap/oa",
			"token_url", "https://api.amazon.com/auth/o2/token",
			"attributes_url", "https://api.amazon.com/user/profile",
			"attributes_url_add_attributes", "false",
			"token_request_method", "POST")
	case federation.TypeApple:
		add("authorize_url", "https://appleid.apple.com/auth/authorize",
			"token_url", "https://appleid.apple.com/auth/token",
			"oidc_issuer", "https://appleid.apple.com",
			"token_request_method", "POST")
	case federation.TypeSAML:
		if md := out["MetadataFile"]; md != "" {
			sso, slo := redirectBindings([]byte(md))
			if sso != "" {
				add("SSORedirectBindingURI", sso)
			}
			if slo != "" {
				add("SLORedirectBindingURI", slo)
			}
		}
	}
	return out
}

// samlRedirect is the HTTP-Redirect binding of SAML 2.0.
const samlRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"

// idpMetadata is the part of an IdP's SAML metadata that Describe shows;
// element names match in any namespace, and a metadata file may wrap its
// EntityDescriptor in an EntitiesDescriptor.
type idpMetadata struct {
	IDP      []idpSSODescriptor `xml:"IDPSSODescriptor"`
	Entities []idpMetadata      `xml:"EntityDescriptor"`
}

type idpSSODescriptor struct {
	SSO []samlEndpoint `xml:"SingleSignOnService"`
	SLO []samlEndpoint `xml:"SingleLogoutService"`
}

type samlEndpoint struct {
	Binding  string `xml:"Binding,attr"`
	Location string `xml:"Location,attr"`
}

// redirectBindings returns the HTTP-Redirect single sign-on and logout
// URLs of a metadata file, "" for any it lacks or cannot be read.
func redirectBindings(md []byte) (sso, slo string) {
	var m idpMetadata
	if xml.Unmarshal(md, &m) != nil {
		return "", ""
	}
	var walk func(m idpMetadata)
	walk = func(m idpMetadata) {
		for _, d := range m.IDP {
			for _, e := range d.SSO {
				if e.Binding == samlRedirect && sso == "" {
					sso = e.Location
				}
			}
			for _, e := range d.SLO {
				if e.Binding == samlRedirect && slo == "" {
					slo = e.Location
				}
			}
		}
		for _, c := range m.Entities {
			walk(c)
		}
	}
	walk(m)
	return sso, slo
}

// providerExists reports whether name is COGNITO or a provider of the pool.
func (d *Directory) providerExists(ctx context.Context, poolID, name string) (bool, error) {
	if name == ProviderCognito {
		return true, nil
	}
	_, err := d.store.GetIdentityProvider(ctx, poolID, name)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
