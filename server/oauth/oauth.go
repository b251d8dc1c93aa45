// Package oauth serves each user pool as an OAuth 2.0 / OpenID Connect
// provider on ory/fosite: discovery, JWKS, authorize, token, userInfo,
// revoke and logout, with Cognito's paths.
//
// fosite is multi-tenant here through one provider whose Configurator and
// storage read the pool from ctx (fosite.Config ignores ctx, so it only
// supplies defaults). Tokens come from the one minter: access tokens are
// stateless JWTs (revocation is by family, origin_jti), refresh tokens and
// codes are opaque and stored by HMAC. The authorize flow:
//
//	GET /oauth2/authorize ──► fosite validates ──► SSO session?
//	      │ no (or prompt=login, stale max_age)          │ yes
//	      ▼                                              ▼
//	AuthRequest stored ──► /login?auth_request=ID   NewAuthorizeResponse
//	                          │ sign-in (engine)         ▲
//	                          ▼                          │
//	      /oauth2/authorize?auth_request=ID ─────────────┘
//	      (request marked done, bound to the SSO cookie)
package oauth

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/sso"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// Config assembles a Provider.
type Config struct {
	Dir    *directory.Directory
	Engine *auth.Engine
	Minter *tokens.Minter
	SSO    *sso.Manager
	// Issuer returns a pool's issuer URL.
	Issuer func(poolID string) string
	// ShowPage renders the pages these endpoints show instead of a
	// redirect (errors, signed out); nil: a plain built-in page.
	ShowPage ShowPageFunc
	// StartUpstream sends a parked request that names an upstream
	// identity provider (identity_provider, idp_identifier) there instead
	// of to the sign-in page; nil: only the pool's own users sign in.
	StartUpstream func(w http.ResponseWriter, r *http.Request, pool *storage.Pool, areq *storage.AuthRequest, provider string)
	// UpstreamLogout, at /logout after the session ended, signs the user
	// out at the upstream IdP too (SAML single logout) and then sends the
	// browser to target ("" for the signed-out page); it returns false,
	// having written nothing, when there is nothing to do upstream.
	UpstreamLogout func(w http.ResponseWriter, r *http.Request, pool *storage.Pool, sub, clientID, target string) bool
	Now            func() time.Time
	Logger         *slog.Logger
}

// Provider is the OAuth front of every pool.
type Provider struct {
	cfg    Config
	dir    *directory.Directory
	store  storage.Store
	fosite *fosite.Fosite
	conf   *configurator

	discoveryDocs  sync.Map // issuer → cachedBody
	discoveryCount atomic.Int64
}

// AuthorizeCodeLifetime is how long a code lives: five minutes, as Cognito.
const AuthorizeCodeLifetime = 5 * time.Minute

// AuthRequestLifetime bounds how long a user may take to sign in.
const AuthRequestLifetime = 15 * time.Minute

// New assembles the fosite provider.
func New(cfg Config) *Provider {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Provider{cfg: cfg, dir: cfg.Dir, store: cfg.Dir.Store()}
	p.conf = newConfigurator(p)
	st := &fositeStore{p: p}
	strat := &strategy{p: p, opaque: cfg.Engine.Opaque()}
	common := &compose.CommonStrategy{CoreStrategy: strat, OpenIDConnectTokenStrategy: strat, Signer: strat}

	// Order matters: the explicit handler issues the code and tokens that
	// the PKCE and OpenID Connect handlers then read.
	explicit := compose.OAuth2AuthorizeExplicitFactory(p.conf, st, common)
	pkce := compose.OAuth2PKCEFactory(p.conf, st, common)
	oidc := compose.OpenIDConnectExplicitFactory(p.conf, st, common)
	cc := compose.OAuth2ClientCredentialsGrantFactory(p.conf, st, common)
	refresh := &refreshHandler{p: p}

	fc := p.conf.Config
	fc.AuthorizeEndpointHandlers = fosite.AuthorizeEndpointHandlers{explicit.(fosite.AuthorizeEndpointHandler), pkce.(fosite.AuthorizeEndpointHandler), oidc.(fosite.AuthorizeEndpointHandler)}
	fc.TokenEndpointHandlers = gateAll(explicit.(fosite.TokenEndpointHandler), pkce.(fosite.TokenEndpointHandler), oidc.(fosite.TokenEndpointHandler), cc.(fosite.TokenEndpointHandler), refresh)
	p.fosite = fosite.NewOAuth2Provider(st, p.conf)
	return p
}

type poolKey struct{}

// withPool puts the pool being served into ctx, where the configurator and
// storage find it.
func withPool(ctx context.Context, pool *storage.Pool) context.Context {
	return context.WithValue(ctx, poolKey{}, pool)
}

func poolFrom(ctx context.Context) *storage.Pool {
	p, _ := ctx.Value(poolKey{}).(*storage.Pool)
	return p
}

// Handler returns the pool's OAuth routes, to mount under the issuer path.
// pool resolves the pool named in the request (by path or host); nil means
// 404.
func (p *Provider) Routes(mux *http.ServeMux, prefix string, pool func(*http.Request) *storage.Pool) {
	wrap := func(h func(http.ResponseWriter, *http.Request, *storage.Pool)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			pl := pool(r)
			if pl == nil {
				http.Error(w, "unknown user pool", http.StatusNotFound)
				return
			}
			h(w, r.WithContext(withPool(r.Context(), pl)), pl)
		}
	}
	mux.Handle("GET "+prefix+"/.well-known/openid-configuration", wrap(p.discovery))
	mux.Handle("GET "+prefix+"/.well-known/jwks.json", wrap(p.jwks))
	mux.Handle("GET "+prefix+"/oauth2/authorize", wrap(p.authorize))
	mux.Handle("POST "+prefix+"/oauth2/authorize", wrap(p.authorize))
	mux.Handle("GET "+prefix+"/authorize", wrap(p.authorize))
	mux.Handle("POST "+prefix+"/oauth2/token", wrap(p.token))
	mux.Handle("GET "+prefix+"/oauth2/userInfo", wrap(p.userinfo))
	mux.Handle("POST "+prefix+"/oauth2/userInfo", wrap(p.userinfo))
	mux.Handle("POST "+prefix+"/oauth2/revoke", wrap(p.revoke))
	mux.Handle("GET "+prefix+"/logout", wrap(p.logout))
	for _, path := range []string{"/oauth2/token", "/oauth2/userInfo", "/oauth2/revoke"} {
		mux.Handle("OPTIONS "+prefix+path, wrap(p.preflight))
	}
	mux.Handle("OPTIONS "+prefix+"/.well-known/openid-configuration", wrap(p.preflight))
	mux.Handle("OPTIONS "+prefix+"/.well-known/jwks.json", wrap(p.preflight))
}
