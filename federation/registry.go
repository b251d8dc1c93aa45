package federation

import (
	"context"
	"crypto"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ProviderConfig is one identity provider of a pool as Cognito describes it
// (CreateIdentityProvider): its name, type, ProviderDetails and
// AttributeMapping. Connectors read only Details, and AttributeMapping where
// the upstream must be told which attributes to send (Facebook's fields).
type ProviderConfig struct {
	Name             string
	Type             string
	Details          map[string]string
	AttributeMapping map[string]string
}

// Get returns the trimmed value of a ProviderDetails key.
func (c ProviderConfig) Get(key string) string { return strings.TrimSpace(c.Details[key]) }

// Require returns a ProviderDetails value, or a *ConfigError if it is empty.
func (c ProviderConfig) Require(key string) (string, error) {
	v := c.Get(key)
	if v == "" {
		return "", Configf(key, "is required")
	}
	return v, nil
}

// URL returns a ProviderDetails URL, def when the key is absent, checked
// with [CheckURL]. An empty result (no value, no default) is not an error.
func (c ProviderConfig) URL(key, def string) (string, error) {
	v := c.Get(key)
	if v == "" {
		v = def
	}
	if v == "" {
		return "", nil
	}
	if _, err := CheckURL(key, v); err != nil {
		return "", err
	}
	return v, nil
}

// Bool returns a "true"/"false" ProviderDetails value (Cognito's IDPInit,
// IDPSignout, EncryptedResponses), def when absent.
func (c ProviderConfig) Bool(key string, def bool) (bool, error) {
	switch strings.ToLower(c.Get(key)) {
	case "":
		return def, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, Configf(key, "must be true or false")
}

// Scopes splits authorize_scopes, which Cognito accepts separated by spaces
// (OIDC, Google, Apple, Amazon) or commas (Facebook's "public_profile, email").
func Scopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// CheckURL parses an upstream URL and refuses anything but https, or http
// on a loopback host (localhost, 127.0.0.0/8, [::1]), so that tests and
// local set-ups need no certificates (CONTRACT.md, upstream providers).
func CheckURL(key, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, Configf(key, "must be an absolute URL")
	}
	if u.User != nil {
		return nil, Configf(key, "must not carry credentials")
	}
	switch u.Scheme {
	case "https":
		return u, nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return u, nil
		}
		return nil, Configf(key, "must use https (http only on localhost or a loopback address)")
	}
	return nil, Configf(key, "must use https")
}

// IsLoopback reports whether host is localhost or a loopback IP address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Env is what the server gives every connector it opens: shared services
// and the pool's own URLs and keys. Tests build it directly.
type Env struct {
	// HTTPClient reaches upstreams (discovery, keys, tokens, userinfo, SAML
	// metadata). Nil means [NewHTTPClient] with no extra roots.
	HTTPClient *http.Client
	// Now is the clock for token and assertion validity; nil means time.Now.
	Now func() time.Time
	// Logger receives connector diagnostics; nil discards them.
	Logger *slog.Logger
	// Rand feeds generated IDs and keys; nil means crypto/rand.
	Rand io.Reader

	// CallbackURL is the default redirect_uri, {issuer}/oauth2/idpresponse,
	// used when a LoginState leaves it empty.
	CallbackURL string

	// SPEntityID is the SAML service provider's entity ID and audience:
	// Cognito's urn:amazon:cognito:sp:{poolId}.
	SPEntityID string
	// ACSURL is {issuer}/saml2/idpresponse, SLOURL {issuer}/saml2/logout,
	// MetadataURL where the server serves the SP metadata.
	ACSURL      string
	SLOURL      string
	MetadataURL string
	// SPKey and SPCertificate sign AuthnRequests and logout messages, and
	// (when RSA) decrypt encrypted assertions: the pool's SAML signing
	// certificate, the one GetSigningCertificate returns.
	SPKey         crypto.Signer
	SPCertificate *x509.Certificate
	// ReplayCache records used SAML assertion IDs; the server backs it with
	// its store so every instance shares it. Nil means a process-local
	// [MemoryReplayCache].
	ReplayCache ReplayCache
}

// WithDefaults fills the nil services of e.
func (e Env) WithDefaults() Env {
	if e.HTTPClient == nil {
		e.HTTPClient, _ = NewHTTPClient(nil)
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Logger == nil {
		e.Logger = slog.New(slog.DiscardHandler)
	}
	if e.Rand == nil {
		e.Rand = randReader{}
	}
	if e.ReplayCache == nil {
		e.ReplayCache = NewMemoryReplayCache(e.Now)
	}
	return e
}

// NewHTTPClient returns a client for upstream calls that trusts the system
// roots plus the PEM certificates in extraRootsPEM (GATEHOUSE_CA_FILE), with
// a 15 s overall timeout.
func NewHTTPClient(extraRootsPEM []byte) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if len(extraRootsPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(extraRootsPEM) {
			return nil, Configf("GATEHOUSE_CA_FILE", "holds no PEM certificate")
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return &http.Client{Transport: tr, Timeout: 15 * time.Second}, nil
}

// Factory opens a connector for one provider of a pool. It validates
// cfg.Details (errors match ErrInvalidConfig and name the key) and does no
// network I/O: discovery and metadata are fetched lazily or were given.
type Factory func(ctx context.Context, cfg ProviderConfig, env Env) (Connector, error)

// Registry maps a provider type (TypeOIDC, TypeGoogle, …) to its factory.
// The server owns it and fills it from the connector packages' Register
// functions, so this package imports no connector.
type Registry map[string]Factory

// Open opens the connector for cfg.Type.
func (r Registry) Open(ctx context.Context, cfg ProviderConfig, env Env) (Connector, error) {
	f, ok := r[cfg.Type]
	if !ok {
		return nil, &ConfigError{Key: "ProviderType", Reason: "unknown provider type " + cfg.Type}
	}
	return f(ctx, cfg, env.WithDefaults())
}

// DefaultAttributeMapping is the mapping Cognito gives a new provider of
// type t: the username from the upstream's user id claim. SAML providers
// get none; their username is the NameID.
func DefaultAttributeMapping(t string) map[string]string {
	switch t {
	case TypeOIDC, TypeGoogle, TypeApple:
		return map[string]string{"username": "sub"}
	case TypeFacebook:
		return map[string]string{"username": "id"}
	case TypeAmazon:
		return map[string]string{"username": "user_id"}
	}
	return map[string]string{}
}
