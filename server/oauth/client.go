package oauth

import (
	"context"
	"crypto/subtle"
	"errors"
	"slices"
	"time"

	"github.com/ory/fosite"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// client shows an app client to fosite.
type client struct {
	c      *storage.Client
	secret []byte // opened from the seal; nil for a public client
}

var (
	_ fosite.Client                         = (*client)(nil)
	_ fosite.ClientWithCustomTokenLifespans = (*client)(nil)
)

func (c *client) GetID() string                 { return c.c.ID }
func (c *client) GetHashedSecret() []byte       { return c.secret }
func (c *client) GetRedirectURIs() []string     { return c.c.CallbackURLs }
func (c *client) IsPublic() bool                { return len(c.c.SealedSecret) == 0 }
func (c *client) GetAudience() fosite.Arguments { return nil }

// oauthEnabled reports whether the client may use the OAuth endpoints with
// a flow.
func oauthEnabled(c *storage.Client, flow string) bool {
	return c.AllowedOAuthFlowsUserPoolClient && slices.Contains(c.AllowedOAuthFlows, flow)
}

// GetGrantTypes maps Cognito's AllowedOAuthFlows to grant types. A value
// no request can carry stands for "none", since fosite reads an empty list
// as authorization_code.
func (c *client) GetGrantTypes() fosite.Arguments {
	var out fosite.Arguments
	if oauthEnabled(c.c, "code") {
		out = append(out, "authorization_code", "refresh_token")
	}
	if oauthEnabled(c.c, "client_credentials") {
		out = append(out, "client_credentials")
	}
	if len(out) == 0 {
		return fosite.Arguments{"-"}
	}
	return out
}

// GetResponseTypes allows code when the code flow is enabled.
func (c *client) GetResponseTypes() fosite.Arguments {
	if oauthEnabled(c.c, "code") {
		return fosite.Arguments{"code"}
	}
	return fosite.Arguments{"-"}
}

// GetScopes are the client's AllowedOAuthScopes.
func (c *client) GetScopes() fosite.Arguments { return c.c.AllowedOAuthScopes }

// GetEffectiveLifespan applies the client's token validity.
func (c *client) GetEffectiveLifespan(_ fosite.GrantType, tt fosite.TokenType, fallback time.Duration) time.Duration {
	access, id, refresh, err := directory.Lifetimes(c.c)
	if err != nil {
		return fallback
	}
	switch tt {
	case fosite.AccessToken:
		return access
	case fosite.IDToken:
		return id
	case fosite.RefreshToken:
		return refresh
	case fosite.AuthorizeCode:
		return AuthorizeCodeLifetime
	}
	return fallback
}

// secretComparer compares client secrets in constant time. Secrets are
// kept sealed, not hashed, because DescribeUserPoolClient returns them; so
// a client check costs no password hash.
type secretComparer struct{}

func (secretComparer) Compare(_ context.Context, want, got []byte) error {
	if len(want) == 0 || subtle.ConstantTimeCompare(want, got) != 1 {
		return errors.New("oauth: client secret mismatch")
	}
	return nil
}

func (secretComparer) Hash(_ context.Context, data []byte) ([]byte, error) { return data, nil }

// loadClient reads a client of the pool in ctx for fosite.
func (p *Provider) loadClient(ctx context.Context, id string) (*client, error) {
	pool := poolFrom(ctx)
	if pool == nil {
		return nil, fosite.ErrNotFound
	}
	c, err := p.dir.GetClient(ctx, pool.ID, id)
	if err != nil {
		if errors.Is(err, directory.ErrResourceNotFound) {
			return nil, fosite.ErrNotFound
		}
		return nil, err
	}
	out := &client{c: c}
	if len(c.SealedSecret) > 0 {
		s, err := p.dir.ClientSecret(c)
		if err != nil {
			return nil, err
		}
		out.secret = []byte(s)
	}
	return out, nil
}
