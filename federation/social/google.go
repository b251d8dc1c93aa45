package social

import (
	"context"
	"strings"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/federation/oidc"
)

// Google's endpoints. Cognito's DescribeIdentityProvider reports the People
// API as attributes_url; the connector reads the OpenID userinfo instead
// (same claims, OIDC names) and treats a People API URL as the default.
const (
	GoogleIssuer      = "https://accounts.google.com"
	GoogleAuthURL     = "https://accounts.google.com/o/oauth2/v2/auth"
	GoogleTokenURL    = "https://www.googleapis.com/oauth2/v4/token"
	GoogleUserInfoURL = "https://openidconnect.googleapis.com/v1/userinfo"
	GoogleJWKSURL     = "https://www.googleapis.com/oauth2/v3/certs"
	googlePeopleAPI   = "https://people.googleapis.com/"
)

// OpenGoogle is the factory for provider type Google: client_id,
// client_secret, authorize_scopes (default "profile email openid").
func OpenGoogle(ctx context.Context, pc federation.ProviderConfig, env federation.Env) (federation.Connector, error) {
	cfg := oidc.Config{ProviderName: pc.Name, ProviderType: federation.TypeGoogle}
	var err error
	if cfg.ClientID, err = pc.Require("client_id"); err != nil {
		return nil, err
	}
	if cfg.ClientSecret, err = pc.Require("client_secret"); err != nil {
		return nil, err
	}
	cfg.Scopes = federation.Scopes(pc.Get("authorize_scopes"))
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"profile", "email", "openid"}
	}
	attrs := pc.Get("attributes_url")
	if strings.HasPrefix(attrs, googlePeopleAPI) {
		attrs = ""
	}
	if cfg.Issuer, err = pc.URL("oidc_issuer", GoogleIssuer); err != nil {
		return nil, err
	}
	if cfg.AuthURL, err = pc.URL("authorize_url", GoogleAuthURL); err != nil {
		return nil, err
	}
	if cfg.TokenURL, err = pc.URL("token_url", GoogleTokenURL); err != nil {
		return nil, err
	}
	if attrs == "" {
		attrs = GoogleUserInfoURL
	}
	if _, err := federation.CheckURL("attributes_url", attrs); err != nil {
		return nil, err
	}
	cfg.UserInfoURL = attrs
	if cfg.JWKSURL, err = pc.URL("jwks_uri", GoogleJWKSURL); err != nil {
		return nil, err
	}
	cfg.AuthStyle = "client_secret_post"
	return oidc.New(cfg, env)
}
