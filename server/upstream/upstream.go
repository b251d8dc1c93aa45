// Package upstream opens the federation connectors of a pool's identity
// providers for the fronts that drive them (the hosted UI's
// /oauth2/idpresponse and /saml2/* endpoints). It fills each connector's
// federation.Env from the server's services and the pool's URLs on the
// host the browser used, and keeps opened connectors until the provider
// changes.
package upstream

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/federation/oidc"
	"github.com/gatehouse-id/gatehouse/federation/saml"
	"github.com/gatehouse-id/gatehouse/federation/social"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// Paths under a pool's site (its issuer, or the root of its domain) that
// upstream providers send users back to (CONTRACT.md).
const (
	CallbackPath = "/oauth2/idpresponse"
	ACSPath      = "/saml2/idpresponse"
	SLOPath      = "/saml2/logout"
	MetadataPath = "/saml2/metadata"
)

// SPEntityID is the SAML service provider entity ID (and audience) of a
// pool, Cognito's.
func SPEntityID(poolID string) string { return "urn:amazon:cognito:sp:" + poolID }

// MetadataURL is where a pool serves the SP metadata for one provider.
func MetadataURL(site, provider string) string {
	return site + MetadataPath + "?provider=" + url.QueryEscape(provider)
}

// Config assembles Connectors.
type Config struct {
	// Minter gives each pool's SAML key pair (its token signing key).
	Minter *tokens.Minter
	// CAPEM holds extra trusted CA certificates (GATEHOUSE_CA_FILE).
	CAPEM []byte
	// Registry maps provider types to factories; nil: every connector.
	Registry federation.Registry
	// ReplayCache records used SAML assertion IDs; nil: in memory.
	ReplayCache federation.ReplayCache
	Now         func() time.Time
	Logger      *slog.Logger
}

// Connectors opens and caches connectors.
type Connectors struct {
	cfg    Config
	client *http.Client

	mu    sync.Mutex
	cache map[string]federation.Connector
}

// maxCached bounds the cache; it is dropped whole when full (providers
// change rarely, and opening one costs no network call).
const maxCached = 4096

// New returns Connectors; it fails only on a bad CAPEM.
func New(cfg Config) (*Connectors, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = DefaultRegistry()
	}
	if cfg.ReplayCache == nil {
		cfg.ReplayCache = federation.NewMemoryReplayCache(cfg.Now)
	}
	client, err := federation.NewHTTPClient(cfg.CAPEM)
	if err != nil {
		return nil, err
	}
	return &Connectors{cfg: cfg, client: client, cache: map[string]federation.Connector{}}, nil
}

// DefaultRegistry registers every connector type.
func DefaultRegistry() federation.Registry {
	r := federation.Registry{}
	oidc.Register(r)
	social.Register(r)
	saml.Register(r)
	return r
}

// Open returns the connector of idp for a browser on site: the pool's
// issuer URL, or scheme://domain when the browser came by the pool's
// domain (the callback, ACS and logout URLs are on it). A connector is
// reused while the provider, the site and the pool's SAML key stay the
// same.
func (c *Connectors) Open(ctx context.Context, idp *storage.IdentityProvider, site string) (federation.Connector, error) {
	env := federation.Env{HTTPClient: c.client, Now: c.cfg.Now, Logger: c.cfg.Logger.With("pool", idp.PoolID, "provider", idp.Name),
		CallbackURL: site + CallbackPath, ReplayCache: c.cfg.ReplayCache}
	keyID := ""
	if idp.Type == federation.TypeSAML {
		key, cert, err := c.cfg.Minter.SAMLKeyPair(ctx, idp.PoolID)
		if err != nil {
			return nil, err
		}
		env.SPKey, env.SPCertificate = key, cert
		env.SPEntityID = SPEntityID(idp.PoolID)
		env.ACSURL, env.SLOURL, env.MetadataURL = site+ACSPath, site+SLOPath, MetadataURL(site, idp.Name)
		keyID = cert.SerialNumber.String()
	}
	key := strings.Join([]string{idp.PoolID, idp.Name, idp.UpdatedAt.UTC().Format(time.RFC3339Nano), site, keyID}, "\x00")
	c.mu.Lock()
	conn, ok := c.cache[key]
	c.mu.Unlock()
	if ok {
		return conn, nil
	}
	conn, err := c.cfg.Registry.Open(ctx, federation.ProviderConfig{Name: idp.Name, Type: idp.Type, Details: idp.Details,
		AttributeMapping: idp.AttributeMapping}, env)
	if err != nil {
		return nil, fmt.Errorf("upstream: open %s of %s: %w", idp.Name, idp.PoolID, err)
	}
	c.mu.Lock()
	if len(c.cache) >= maxCached {
		clear(c.cache)
	}
	c.cache[key] = conn
	c.mu.Unlock()
	return conn, nil
}

type siteKey struct{}

// WithSite records in ctx that the request came by one of the pool's
// domains, at site (scheme://domain[:port]); the server's domain front
// calls it.
func WithSite(ctx context.Context, site string) context.Context {
	return context.WithValue(ctx, siteKey{}, site)
}

// Site is the base of the pool's endpoints as the browser reached them:
// the domain recorded by WithSite, else the issuer.
func Site(ctx context.Context, issuer string) string {
	if s, ok := ctx.Value(siteKey{}).(string); ok && s != "" {
		return s
	}
	return issuer
}
