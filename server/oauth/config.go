package oauth

import (
	"context"
	"net/url"
	"time"

	"github.com/ory/fosite"
)

// configurator answers fosite's questions per pool: the issuer and token
// URL come from the pool in ctx; everything else is the same for all pools
// and set once in the embedded fosite.Config (whose getters ignore ctx and
// would lazily write defaults, so every field they read is filled here).
type configurator struct {
	*fosite.Config
	p *Provider
}

func newConfigurator(p *Provider) *configurator {
	c := &fosite.Config{
		AccessTokenLifespan:   time.Hour,
		RefreshTokenLifespan:  30 * 24 * time.Hour,
		AuthorizeCodeLifespan: AuthorizeCodeLifetime,
		IDTokenLifespan:       time.Hour,
		// Cognito accepts a missing or short state; the nonce rule uses
		// the same knob, so both are the client's business.
		MinParameterEntropy: 0,
		// PKCE: S256 only, as Cognito; required of public clients.
		EnforcePKCE:                    false,
		EnforcePKCEForPublicClients:    true,
		EnablePKCEPlainChallengeMethod: false,
		ScopeStrategy:                  fosite.ExactScopeStrategy,
		AudienceMatchingStrategy:       fosite.ExactAudienceMatchingStrategy,
		ClientSecretsHasher:            secretComparer{},
		RedirectSecureChecker:          fosite.IsRedirectURISecure,
		RefreshTokenScopes:             []string{}, // a refresh token always comes with a code exchange
		AllowedPromptValues:            []string{"none", "login", "consent", "select_account"},
		SendDebugMessagesToClients:     false,
		OmitRedirectScopeParam:         true,
		TokenEntropy:                   32,
		GlobalSecret:                   make([]byte, 32), // unused: our strategies keep their own keys
		JWTScopeClaimKey:               0,
		// What the code's record keeps of the authorize request: fosite's
		// default (code, redirect_uri), plus what its PKCE and OpenID
		// Connect sessions would keep, since store.go reads those from
		// the code's record.
		SanitationWhiteList: []string{"code", "redirect_uri", "code_challenge", "code_challenge_method",
			"max_age", "prompt", "acr_values", "id_token_hint", "nonce"},
	}
	return &configurator{Config: c, p: p}
}

func (c *configurator) issuer(ctx context.Context) string {
	if pool := poolFrom(ctx); pool != nil {
		return c.p.cfg.Issuer(pool.ID)
	}
	return ""
}

// GetIDTokenIssuer is the pool's issuer.
func (c *configurator) GetIDTokenIssuer(ctx context.Context) string { return c.issuer(ctx) }

// GetAccessTokenIssuer is the pool's issuer.
func (c *configurator) GetAccessTokenIssuer(ctx context.Context) string { return c.issuer(ctx) }

// GetTokenURLs is the pool's token endpoint.
func (c *configurator) GetTokenURLs(ctx context.Context) []string {
	return []string{c.issuer(ctx) + "/oauth2/token"}
}

// GetRedirectSecureChecker allows http only on loopback hosts and custom
// schemes for native apps, as Cognito.
func (c *configurator) GetRedirectSecureChecker(context.Context) func(context.Context, *url.URL) bool {
	return fosite.IsRedirectURISecure
}
