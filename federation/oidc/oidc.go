package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse-id/gatehouse/federation"
)

// Config is a resolved OIDC connector configuration. [ConfigFromDetails]
// builds it from Cognito's ProviderDetails; the social presets fill it with
// their providers' endpoints.
type Config struct {
	// ProviderType is reported by Type and in identities (default OIDC);
	// ProviderName is the pool's name for the provider, copied to identities.
	ProviderType string
	ProviderName string
	Issuer       string
	ClientID     string
	ClientSecret string
	// ClientSecretFunc, when set, makes the client secret per token request
	// (Sign in with Apple's ES256 JWT).
	ClientSecretFunc func(ctx context.Context, now time.Time) (string, error)
	Scopes           []string
	// Endpoint overrides; empty ones come from discovery.
	AuthURL     string
	TokenURL    string
	UserInfoURL string
	JWKSURL     string
	// UserInfoMethod is GET or POST (attributes_request_method).
	UserInfoMethod string
	// NoUserInfo skips the userinfo call (Apple has none).
	NoUserInfo bool
	// AuthStyle is how the client authenticates at the token endpoint:
	// "client_secret_basic", "client_secret_post", or "" to follow
	// discovery's token_endpoint_auth_methods_supported (basic first).
	AuthStyle string
	// ResponseMode, when set, is sent as response_mode (Apple: form_post).
	ResponseMode string
	// CallbackAttributes adds attributes from the callback's parameters
	// (Apple posts the user's name once, in "user").
	CallbackAttributes func(params url.Values) map[string][]string
}

// Register adds the OIDC factory to r.
func Register(r federation.Registry) { r[federation.TypeOIDC] = Open }

// Open is the factory for provider type OIDC.
func Open(ctx context.Context, pc federation.ProviderConfig, env federation.Env) (federation.Connector, error) {
	cfg, err := ConfigFromDetails(pc)
	if err != nil {
		return nil, err
	}
	return New(cfg, env)
}

// ConfigFromDetails reads Cognito's OIDC ProviderDetails: client_id,
// client_secret, authorize_scopes, oidc_issuer, attributes_request_method,
// and the optional authorize_url, token_url, attributes_url, jwks_uri.
func ConfigFromDetails(pc federation.ProviderConfig) (Config, error) {
	cfg := Config{ProviderType: federation.TypeOIDC, ProviderName: pc.Name}
	var err error
	if cfg.ClientID, err = pc.Require("client_id"); err != nil {
		return cfg, err
	}
	cfg.ClientSecret = pc.Get("client_secret")
	if cfg.Issuer, err = pc.Require("oidc_issuer"); err != nil {
		return cfg, err
	}
	if _, err := federation.CheckURL("oidc_issuer", cfg.Issuer); err != nil {
		return cfg, err
	}
	cfg.Scopes = federation.Scopes(pc.Get("authorize_scopes"))
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"openid"}
	}
	for _, u := range []struct {
		key string
		dst *string
	}{{"authorize_url", &cfg.AuthURL}, {"token_url", &cfg.TokenURL}, {"attributes_url", &cfg.UserInfoURL}, {"jwks_uri", &cfg.JWKSURL}} {
		if *u.dst, err = pc.URL(u.key, ""); err != nil {
			return cfg, err
		}
	}
	cfg.UserInfoMethod = strings.ToUpper(pc.Get("attributes_request_method"))
	return cfg, nil
}

// Connector is an opened OIDC connector. It implements
// federation.RedirectConnector and federation.RefreshConnector.
type Connector struct {
	cfg Config
	env federation.Env

	mu  sync.Mutex
	eps *endpoints // nil until discovered
}

var (
	_ federation.RedirectConnector = (*Connector)(nil)
	_ federation.RefreshConnector  = (*Connector)(nil)
)

type endpoints struct {
	auth, token, userinfo, jwks string
	authStyle                   oauth2.AuthStyle
	algs                        []string
	verifier                    *gooidc.IDTokenVerifier
}

// New checks cfg and returns a connector; it makes no network call.
func New(cfg Config, env federation.Env) (*Connector, error) {
	env = env.WithDefaults()
	if cfg.ProviderType == "" {
		cfg.ProviderType = federation.TypeOIDC
	}
	if cfg.ClientID == "" {
		return nil, federation.Configf("client_id", "is required")
	}
	if _, err := federation.CheckURL("oidc_issuer", cfg.Issuer); err != nil {
		return nil, err
	}
	if !slices.Contains(cfg.Scopes, "openid") {
		// Cognito requires openid for an OIDC provider; without it there is
		// no ID token to verify.
		cfg.Scopes = append([]string{"openid"}, cfg.Scopes...)
	}
	switch cfg.UserInfoMethod {
	case "":
		cfg.UserInfoMethod = http.MethodGet
	case http.MethodGet, http.MethodPost:
	default:
		return nil, federation.Configf("attributes_request_method", "must be GET or POST")
	}
	switch cfg.AuthStyle {
	case "", "client_secret_basic", "client_secret_post":
	default:
		return nil, federation.Configf("token_endpoint_auth_method", "must be client_secret_basic or client_secret_post")
	}
	return &Connector{cfg: cfg, env: env}, nil
}

// Type implements federation.Connector.
func (c *Connector) Type() string { return c.cfg.ProviderType }

// discovery is the part of the provider metadata we use (OIDC Discovery §3).
type discovery struct {
	Issuer            string   `json:"issuer"`
	AuthURL           string   `json:"authorization_endpoint"`
	TokenURL          string   `json:"token_endpoint"`
	UserInfoURL       string   `json:"userinfo_endpoint"`
	JWKSURL           string   `json:"jwks_uri"`
	TokenAuthMethods  []string `json:"token_endpoint_auth_methods_supported"`
	IDTokenSigningAlg []string `json:"id_token_signing_alg_values_supported"`
}

// endpoints resolves the endpoints once; a failed discovery is retried on
// the next call, so a provider down at start works once it is back.
func (c *Connector) endpoints(ctx context.Context) (*endpoints, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.eps != nil {
		return c.eps, nil
	}
	var d discovery
	if c.cfg.AuthURL == "" || c.cfg.TokenURL == "" || c.cfg.JWKSURL == "" || (c.cfg.UserInfoURL == "" && !c.cfg.NoUserInfo) {
		u := strings.TrimSuffix(c.cfg.Issuer, "/") + "/.well-known/openid-configuration"
		if err := c.getJSON(ctx, u, &d); err != nil {
			return nil, fmt.Errorf("federation/oidc: discovery: %w", err)
		}
		// OIDC Discovery §4.3: the issuer must be the one we asked.
		if d.Issuer != c.cfg.Issuer {
			return nil, fmt.Errorf("federation/oidc: discovery: %w: issuer %q, want %q", federation.ErrInvalidResponse, d.Issuer, c.cfg.Issuer)
		}
	}
	e := &endpoints{
		auth:     first(c.cfg.AuthURL, d.AuthURL),
		token:    first(c.cfg.TokenURL, d.TokenURL),
		userinfo: first(c.cfg.UserInfoURL, d.UserInfoURL),
		jwks:     first(c.cfg.JWKSURL, d.JWKSURL),
		algs:     d.IDTokenSigningAlg,
	}
	if c.cfg.NoUserInfo {
		e.userinfo = ""
	}
	for key, v := range map[string]string{"authorize_url": e.auth, "token_url": e.token, "jwks_uri": e.jwks} {
		if v == "" {
			return nil, fmt.Errorf("federation/oidc: %w: no %s in discovery or ProviderDetails", federation.ErrInvalidResponse, key)
		}
	}
	for key, v := range map[string]string{"authorize_url": e.auth, "token_url": e.token, "jwks_uri": e.jwks, "attributes_url": e.userinfo} {
		if v == "" {
			continue
		}
		if _, err := federation.CheckURL(key, v); err != nil {
			return nil, fmt.Errorf("federation/oidc: discovered endpoint: %w", err)
		}
	}
	switch c.cfg.AuthStyle {
	case "client_secret_post":
		e.authStyle = oauth2.AuthStyleInParams
	case "client_secret_basic":
		e.authStyle = oauth2.AuthStyleInHeader
	default:
		// OIDC Discovery §3: absent means client_secret_basic.
		e.authStyle = oauth2.AuthStyleInHeader
		if len(d.TokenAuthMethods) > 0 && !slices.Contains(d.TokenAuthMethods, "client_secret_basic") &&
			slices.Contains(d.TokenAuthMethods, "client_secret_post") {
			e.authStyle = oauth2.AuthStyleInParams
		}
		if c.cfg.ClientSecret == "" && c.cfg.ClientSecretFunc == nil {
			e.authStyle = oauth2.AuthStyleInParams // a public client sends its id only
		}
	}
	algs := e.algs
	if len(algs) == 0 {
		algs = []string{gooidc.RS256, gooidc.ES256, gooidc.PS256, gooidc.RS384, gooidc.RS512, gooidc.ES384, gooidc.ES512, gooidc.EdDSA}
	}
	keyCtx := gooidc.ClientContext(context.WithoutCancel(ctx), c.env.HTTPClient)
	e.verifier = gooidc.NewVerifier(c.cfg.Issuer, gooidc.NewRemoteKeySet(keyCtx, e.jwks), &gooidc.Config{
		ClientID:             c.cfg.ClientID,
		SupportedSigningAlgs: algs,
		Now:                  c.env.Now,
	})
	c.eps = e
	return e, nil
}

func (c *Connector) oauth2Config(e *endpoints, redirectURL, secret string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.cfg.ClientID,
		ClientSecret: secret,
		Endpoint:     oauth2.Endpoint{AuthURL: e.auth, TokenURL: e.token, AuthStyle: e.authStyle},
		RedirectURL:  redirectURL,
		Scopes:       c.cfg.Scopes,
	}
}

func (c *Connector) secret(ctx context.Context) (string, error) {
	if c.cfg.ClientSecretFunc != nil {
		return c.cfg.ClientSecretFunc(ctx, c.env.Now())
	}
	return c.cfg.ClientSecret, nil
}

func (c *Connector) callbackURL(s federation.LoginState) (string, error) {
	cb := first(s.CallbackURL, c.env.CallbackURL)
	if cb == "" {
		return "", errors.New("federation/oidc: no callback URL")
	}
	return cb, nil
}

// LoginURL implements federation.RedirectConnector.
func (c *Connector) LoginURL(ctx context.Context, s federation.LoginState) (string, error) {
	if s.State == "" {
		return "", errors.New("federation/oidc: empty state")
	}
	cb, err := c.callbackURL(s)
	if err != nil {
		return "", err
	}
	e, err := c.endpoints(ctx)
	if err != nil {
		return "", err
	}
	var opts []oauth2.AuthCodeOption
	if s.Nonce != "" {
		opts = append(opts, oauth2.SetAuthURLParam("nonce", s.Nonce))
	}
	if s.PKCEVerifier != "" {
		opts = append(opts, oauth2.S256ChallengeOption(s.PKCEVerifier))
	}
	if c.cfg.ResponseMode != "" {
		opts = append(opts, oauth2.SetAuthURLParam("response_mode", c.cfg.ResponseMode))
	}
	return c.oauth2Config(e, cb, "").AuthCodeURL(s.State, opts...), nil
}

// HandleCallback implements federation.RedirectConnector.
func (c *Connector) HandleCallback(ctx context.Context, s federation.LoginState, r *http.Request) (federation.Identity, error) {
	code, params, err := federation.ParseCallback(r, s)
	if err != nil {
		return federation.Identity{}, fmt.Errorf("federation/oidc: callback: %w", err)
	}
	cb, err := c.callbackURL(s)
	if err != nil {
		return federation.Identity{}, err
	}
	e, err := c.endpoints(ctx)
	if err != nil {
		return federation.Identity{}, err
	}
	secret, err := c.secret(ctx)
	if err != nil {
		return federation.Identity{}, fmt.Errorf("federation/oidc: client secret: %w", err)
	}
	var opts []oauth2.AuthCodeOption
	if s.PKCEVerifier != "" {
		opts = append(opts, oauth2.VerifierOption(s.PKCEVerifier))
	}
	tok, err := c.oauth2Config(e, cb, secret).Exchange(c.clientCtx(ctx), code, opts...)
	if err != nil {
		return federation.Identity{}, fmt.Errorf("federation/oidc: exchange code: %w", TokenError(err))
	}
	id, err := c.identity(ctx, e, tok, s.Nonce, true)
	if err != nil {
		return federation.Identity{}, err
	}
	if c.cfg.CallbackAttributes != nil {
		for k, v := range c.cfg.CallbackAttributes(params) {
			if _, ok := id.Attributes[k]; !ok {
				id.Attributes[k] = v
			}
		}
	}
	return id, nil
}

// Refresh implements federation.RefreshConnector: a refresh_token grant,
// then the same checks as a sign-in (the new ID token, if any, must name
// the same subject; OIDC Core §12.2).
func (c *Connector) Refresh(ctx context.Context, old federation.Identity) (federation.Identity, error) {
	if old.RefreshToken == "" {
		return federation.Identity{}, fmt.Errorf("federation/oidc: refresh: %w: no refresh token", federation.ErrNotSupported)
	}
	e, err := c.endpoints(ctx)
	if err != nil {
		return federation.Identity{}, err
	}
	secret, err := c.secret(ctx)
	if err != nil {
		return federation.Identity{}, fmt.Errorf("federation/oidc: client secret: %w", err)
	}
	src := c.oauth2Config(e, "", secret).TokenSource(c.clientCtx(ctx), &oauth2.Token{RefreshToken: old.RefreshToken, Expiry: time.Unix(1, 0)})
	tok, err := src.Token()
	if err != nil {
		return federation.Identity{}, fmt.Errorf("federation/oidc: refresh: %w", TokenError(err))
	}
	_, hasID := tok.Extra("id_token").(string)
	if !hasID {
		// No new ID token (OIDC Core §12.2 allows it): keep the old claims,
		// refresh them from userinfo.
		id := old
		id.AccessToken = tok.AccessToken
		if tok.RefreshToken != "" {
			id.RefreshToken = tok.RefreshToken
		}
		if e.userinfo != "" {
			ui, err := c.userInfo(ctx, e, tok.AccessToken)
			if err != nil {
				return federation.Identity{}, err
			}
			if sub, _ := ui["sub"].(string); sub != old.Subject {
				return federation.Identity{}, fmt.Errorf("federation/oidc: refresh: %w: userinfo sub differs", federation.ErrInvalidResponse)
			}
			merged := maps(old.Raw, ui)
			id.Raw = merged
			id.Attributes = federation.ClaimsToAttributes(merged)
		}
		return id, nil
	}
	id, err := c.identity(ctx, e, tok, "", false)
	if err != nil {
		return federation.Identity{}, err
	}
	if id.Subject != old.Subject {
		return federation.Identity{}, fmt.Errorf("federation/oidc: refresh: %w: subject changed", federation.ErrInvalidResponse)
	}
	if id.RefreshToken == "" {
		id.RefreshToken = old.RefreshToken
	}
	return id, nil
}

func maps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// identity verifies the token response's ID token and merges userinfo.
func (c *Connector) identity(ctx context.Context, e *endpoints, tok *oauth2.Token, nonce string, checkNonce bool) (federation.Identity, error) {
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return federation.Identity{}, fmt.Errorf("federation/oidc: %w: no id_token in the token response", federation.ErrInvalidResponse)
	}
	idt, err := e.verifier.Verify(gooidc.ClientContext(ctx, c.env.HTTPClient), raw)
	if err != nil {
		return federation.Identity{}, fmt.Errorf("federation/oidc: id token: %w", VerifyError(err))
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return federation.Identity{}, fmt.Errorf("federation/oidc: id token: %w: %v", federation.ErrInvalidResponse, err)
	}
	// OIDC Core §3.1.3.7 (4, 5): with several audiences, azp must be us.
	if azp, _ := claims["azp"].(string); (len(idt.Audience) > 1 || azp != "") && azp != c.cfg.ClientID {
		return federation.Identity{}, fmt.Errorf("federation/oidc: id token: %w: azp %q", federation.ErrInvalidResponse, azp)
	}
	if checkNonce && nonce != "" && idt.Nonce != nonce {
		return federation.Identity{}, fmt.Errorf("federation/oidc: id token: %w", federation.ErrBadNonce)
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return federation.Identity{}, fmt.Errorf("federation/oidc: id token at_hash: %w", federation.ErrInvalidResponse)
		}
	}
	if idt.Subject == "" {
		return federation.Identity{}, fmt.Errorf("federation/oidc: id token: %w: no sub", federation.ErrInvalidResponse)
	}
	merged := claims
	if e.userinfo != "" && tok.AccessToken != "" {
		ui, err := c.userInfo(ctx, e, tok.AccessToken)
		if err != nil {
			return federation.Identity{}, err
		}
		// OIDC Core §5.3.4: the userinfo sub must be the ID token's.
		if sub, _ := ui["sub"].(string); sub != idt.Subject {
			return federation.Identity{}, fmt.Errorf("federation/oidc: userinfo: %w: sub %q differs from the id token's", federation.ErrInvalidResponse, sub)
		}
		merged = maps(claims, ui)
		for _, k := range []string{"iss", "aud", "exp", "iat", "nonce", "azp", "at_hash", "auth_time"} {
			if v, ok := claims[k]; ok {
				merged[k] = v
			}
		}
	}
	email, _ := merged["email"].(string)
	return federation.Identity{
		ProviderName:  c.cfg.ProviderName,
		ProviderType:  c.cfg.ProviderType,
		Issuer:        c.cfg.Issuer,
		Subject:       idt.Subject,
		Email:         email,
		EmailVerified: federation.ClaimBool(merged["email_verified"]),
		Attributes:    federation.ClaimsToAttributes(merged),
		AccessToken:   tok.AccessToken,
		IDToken:       raw,
		RefreshToken:  tok.RefreshToken,
		Expiry:        idt.Expiry,
		Raw:           merged,
	}, nil
}

// userInfo calls the userinfo endpoint with the access token, by GET or by
// POST as attributes_request_method says (OIDC Core §5.3.1).
func (c *Connector) userInfo(ctx context.Context, e *endpoints, accessToken string) (map[string]any, error) {
	var body io.Reader
	if c.cfg.UserInfoMethod == http.MethodPost {
		body = strings.NewReader("")
	}
	req, err := http.NewRequestWithContext(ctx, c.cfg.UserInfoMethod, e.userinfo, body)
	if err != nil {
		return nil, fmt.Errorf("federation/oidc: userinfo: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	var out map[string]any
	if err := c.doJSON(req, &out); err != nil {
		return nil, fmt.Errorf("federation/oidc: userinfo: %w", err)
	}
	return out, nil
}

func (c *Connector) clientCtx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.env.HTTPClient)
}

func (c *Connector) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	return c.doJSON(req, v)
}

func (c *Connector) doJSON(req *http.Request, v any) error {
	return DoJSON(c.env.HTTPClient, req, v)
}

// DoJSON sends req and decodes a JSON answer of at most 1 MiB into v. A
// transport error or a 5xx matches ErrUpstreamUnavailable, another non-2xx
// ErrUpstreamError, undecodable JSON ErrInvalidResponse. The social
// connectors share it.
func DoJSON(client *http.Client, req *http.Request, v any) error {
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return TransportError(req, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%w: %v", federation.ErrUpstreamUnavailable, err)
	}
	switch {
	case resp.StatusCode >= 500:
		return fmt.Errorf("%w: %s answered %s", federation.ErrUpstreamUnavailable, req.URL.Host, resp.Status)
	case resp.StatusCode >= 300:
		return fmt.Errorf("%w: %s answered %s: %.200s", federation.ErrUpstreamError, req.URL.Host, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %v", federation.ErrInvalidResponse, err)
	}
	return nil
}

// TransportError is a failed call to an upstream, matching
// ErrUpstreamUnavailable. It names the host only: the URL may carry a token
// or secret in its query (Facebook's Graph API and token request).
func TransportError(req *http.Request, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("%w: %s %s: %v", federation.ErrUpstreamUnavailable, req.Method, req.URL.Host, err)
}

// TokenError classifies an error from an oauth2 token request: an OAuth
// error answer (RFC 6749 §5.2) is an *UpstreamError, a 5xx or transport
// failure ErrUpstreamUnavailable.
func TokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil && re.Response.StatusCode >= 500 {
			return fmt.Errorf("%w: token endpoint answered %s", federation.ErrUpstreamUnavailable, re.Response.Status)
		}
		code := re.ErrorCode
		if code == "" {
			code = "invalid_response"
		}
		return &federation.UpstreamError{Code: code, Description: re.ErrorDescription}
	}
	return fmt.Errorf("%w: %v", federation.ErrUpstreamUnavailable, err)
}

// VerifyError classifies an error from go-oidc's ID token verification.
// go-oidc checks the signature before the claims and has no sentinels, so
// the classes are told by its messages.
func VerifyError(err error) error {
	var exp *gooidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &exp):
		return fmt.Errorf("%w: %v", federation.ErrExpired, err)
	case strings.Contains(msg, "fetching keys"):
		return fmt.Errorf("%w: %v", federation.ErrUpstreamUnavailable, err)
	case strings.Contains(msg, "signature"), strings.Contains(msg, "malformed jwt"), strings.Contains(msg, "not signed"):
		return fmt.Errorf("%w: %v", federation.ErrBadSignature, err)
	}
	return fmt.Errorf("%w: %v", federation.ErrInvalidResponse, err)
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
