package oauth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"

	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// strategy makes every token fosite asks for through the one minter:
// access and ID tokens as Cognito-shaped JWTs, codes and refresh tokens as
// opaque tokens stored by HMAC. It is also fosite's jwt.Signer, which the
// OpenID Connect handler uses to hash at_hash and read id_token_hint.
type strategy struct {
	p      *Provider
	opaque *tokens.Opaque
}

var (
	_ oauth2.CoreStrategy               = (*strategy)(nil)
	_ openid.OpenIDConnectTokenStrategy = (*strategy)(nil)
	_ jwt.Signer                        = (*strategy)(nil)
)

// grant builds the minter's view of a fosite request.
func (s *strategy) grant(ctx context.Context, r fosite.Requester) (tokens.Grant, error) {
	pool := poolFrom(ctx)
	c, ok := r.GetClient().(*client)
	sess, ok2 := r.GetSession().(*session)
	if pool == nil || !ok || !ok2 {
		return tokens.Grant{}, errors.New("oauth: token request outside a pool")
	}
	if sess.Sub == "" { // client_credentials
		access, id, _, _ := lifetimes(c)
		return tokens.Grant{Issuer: s.p.cfg.Issuer(pool.ID), PoolID: pool.ID, Client: c.c, Scopes: r.GetGrantedScopes(),
			AuthTime: s.p.cfg.Now(), AccessLifetime: access, IDLifetime: id}, nil
	}
	user, err := s.p.dir.GetUserBySub(ctx, pool.ID, sess.Sub)
	if err != nil {
		return tokens.Grant{}, fosite.ErrAccessDenied.WithHint("The user no longer exists.")
	}
	if !user.Enabled {
		return tokens.Grant{}, fosite.ErrAccessDenied.WithHint("The user is disabled.")
	}
	return s.p.cfg.Engine.Grant(ctx, pool, c.c, user, r.GetGrantedScopes(), sess.AuthTime, sess.EventID, r.GetID(), sess.Nonce)
}

func lifetimes(c *client) (access, id, refresh time.Duration, err error) {
	return c.GetEffectiveLifespan("", fosite.AccessToken, time.Hour), c.GetEffectiveLifespan("", fosite.IDToken, time.Hour),
		c.GetEffectiveLifespan("", fosite.RefreshToken, 30*24*time.Hour), nil
}

// ---- access tokens ----

func (s *strategy) AccessTokenSignature(_ context.Context, token string) string {
	if i := strings.LastIndexByte(token, '.'); i >= 0 {
		return token[i+1:]
	}
	return ""
}

func (s *strategy) GenerateAccessToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	g, err := s.grant(ctx, r)
	if err != nil {
		return "", "", err
	}
	m, err := s.p.cfg.Minter.Access(ctx, g)
	if err != nil {
		return "", "", err
	}
	r.GetSession().SetExpiresAt(fosite.AccessToken, m.ExpiresAt)
	return m.Token, s.AccessTokenSignature(ctx, m.Token), nil
}

func (s *strategy) ValidateAccessToken(ctx context.Context, _ fosite.Requester, token string) error {
	pool := poolFrom(ctx)
	if pool == nil {
		return fosite.ErrRequestUnauthorized
	}
	if _, err := s.p.cfg.Minter.Verify(ctx, pool.ID, token); err != nil {
		return fosite.ErrTokenExpired.WithWrap(err)
	}
	return nil
}

// ---- refresh tokens and codes: opaque ----

func (s *strategy) RefreshTokenSignature(_ context.Context, token string) string {
	return s.opaque.Signature(token)
}

func (s *strategy) GenerateRefreshToken(context.Context, fosite.Requester) (string, string, error) {
	return s.opaque.New()
}

func (s *strategy) ValidateRefreshToken(_ context.Context, r fosite.Requester, _ string) error {
	return s.checkExpiry(r, fosite.RefreshToken)
}

func (s *strategy) AuthorizeCodeSignature(_ context.Context, token string) string {
	return s.opaque.Signature(token)
}

func (s *strategy) GenerateAuthorizeCode(context.Context, fosite.Requester) (string, string, error) {
	return s.opaque.New()
}

// ValidateAuthorizeCode refuses a code past its five minutes, by the
// injected clock so that tests can move time.
func (s *strategy) ValidateAuthorizeCode(_ context.Context, r fosite.Requester, _ string) error {
	return s.checkExpiry(r, fosite.AuthorizeCode)
}

func (s *strategy) checkExpiry(r fosite.Requester, tt fosite.TokenType) error {
	exp := r.GetSession().GetExpiresAt(tt)
	if tt == fosite.AuthorizeCode && exp.IsZero() {
		exp = r.GetRequestedAt().Add(AuthorizeCodeLifetime)
	}
	if !exp.IsZero() && !s.p.cfg.Now().Before(exp) {
		return fosite.ErrTokenExpired.WithHintf("The %s expired at %s.", tt, exp.UTC().Format(time.RFC3339))
	}
	return nil
}

// ---- ID tokens ----

func (s *strategy) GenerateIDToken(ctx context.Context, _ time.Duration, r fosite.Requester) (string, error) {
	g, err := s.grant(ctx, r)
	if err != nil {
		return "", err
	}
	if g.Nonce == "" {
		g.Nonce = r.GetRequestForm().Get("nonce")
	}
	sess := r.GetSession().(*session)
	return s.p.cfg.Minter.ID(ctx, g, sess.IDTokenClaims().AccessTokenHash)
}

// ---- jwt.Signer, for the OpenID Connect handler ----

func (s *strategy) Generate(context.Context, jwt.MapClaims, jwt.Mapper) (string, string, error) {
	return "", "", errors.New("oauth: tokens are minted by the tokens package")
}

func (s *strategy) Validate(ctx context.Context, token string) (string, error) {
	pool := poolFrom(ctx)
	if pool == nil {
		return "", errors.New("oauth: no pool")
	}
	if _, err := s.p.cfg.Minter.Verify(ctx, pool.ID, token); err != nil {
		return "", err
	}
	return s.AccessTokenSignature(ctx, token), nil
}

func (s *strategy) Hash(_ context.Context, in []byte) ([]byte, error) {
	sum := sha256.Sum256(in)
	return sum[:], nil
}

func (s *strategy) GetSigningMethodLength(context.Context) int { return sha256.Size }

func (s *strategy) GetSignature(ctx context.Context, token string) (string, error) {
	if sig := s.AccessTokenSignature(ctx, token); sig != "" {
		return sig, nil
	}
	return "", errors.New("oauth: not a JWT")
}

// Decode verifies an id_token_hint; an expired hint is still accepted
// (OIDC Core §3.1.2.1), so expiry is reported as jwt's expired error.
func (s *strategy) Decode(ctx context.Context, token string) (*jwt.Token, error) {
	pool := poolFrom(ctx)
	if pool == nil {
		return nil, errors.New("oauth: no pool")
	}
	claims, err := s.p.cfg.Minter.VerifyAllowExpired(ctx, pool.ID, token)
	if err != nil {
		return nil, fmt.Errorf("oauth: id_token_hint: %w", err)
	}
	if tokens.StringClaim(claims, "iss") != s.p.cfg.Issuer(pool.ID) || tokens.StringClaim(claims, "token_use") != "id" {
		return nil, errors.New("oauth: id_token_hint is not an ID token of this pool")
	}
	return &jwt.Token{Header: map[string]any{"alg": "RS256"}, Claims: jwt.MapClaims(claims), Method: "RS256"}, nil
}
