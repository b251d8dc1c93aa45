package social

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/federation/oidc"
)

// Sign in with Apple's endpoints.
const (
	AppleIssuer   = "https://appleid.apple.com"
	AppleAuthURL  = "https://appleid.apple.com/auth/authorize"
	AppleTokenURL = "https://appleid.apple.com/auth/token"
	AppleJWKSURL  = "https://appleid.apple.com/auth/keys"
)

// appleSecretLifetime is how long each client secret JWT lives; Apple allows
// six months, but one is made per token request.
const appleSecretLifetime = 5 * time.Minute

// OpenApple is the factory for provider type SignInWithApple: client_id
// (the Services ID), team_id, key_id, private_key (the .p8 PEM, PKCS #8
// P-256), authorize_scopes (default "email name").
func OpenApple(ctx context.Context, pc federation.ProviderConfig, env federation.Env) (federation.Connector, error) {
	cfg := oidc.Config{ProviderName: pc.Name, ProviderType: federation.TypeApple, NoUserInfo: true, ResponseMode: "form_post",
		AuthStyle: "client_secret_post", CallbackAttributes: appleUser}
	var err error
	if cfg.ClientID, err = pc.Require("client_id"); err != nil {
		return nil, err
	}
	teamID, err := pc.Require("team_id")
	if err != nil {
		return nil, err
	}
	keyID, err := pc.Require("key_id")
	if err != nil {
		return nil, err
	}
	keyPEM, err := pc.Require("private_key")
	if err != nil {
		return nil, err
	}
	key, err := parseAppleKey(keyPEM)
	if err != nil {
		return nil, err
	}
	cfg.Scopes = federation.Scopes(pc.Get("authorize_scopes"))
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"email", "name"}
	}
	if cfg.Issuer, err = pc.URL("oidc_issuer", AppleIssuer); err != nil {
		return nil, err
	}
	if cfg.AuthURL, err = pc.URL("authorize_url", AppleAuthURL); err != nil {
		return nil, err
	}
	if cfg.TokenURL, err = pc.URL("token_url", AppleTokenURL); err != nil {
		return nil, err
	}
	if cfg.JWKSURL, err = pc.URL("jwks_uri", AppleJWKSURL); err != nil {
		return nil, err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", keyID))
	if err != nil {
		return nil, fmt.Errorf("federation/social: apple signer: %w", err)
	}
	clientID, aud := cfg.ClientID, cfg.Issuer
	cfg.ClientSecretFunc = func(_ context.Context, now time.Time) (string, error) {
		return AppleClientSecret(signer, teamID, clientID, aud, now)
	}
	return oidc.New(cfg, env)
}

// AppleClientSecret makes Sign in with Apple's client secret: an ES256 JWT
// {iss: team ID, sub: client ID, aud: https://appleid.apple.com, iat, exp}
// with the key ID in its header.
func AppleClientSecret(signer jose.Signer, teamID, clientID, aud string, now time.Time) (string, error) {
	return jwt.Signed(signer).Claims(jwt.Claims{
		Issuer:   teamID,
		Subject:  clientID,
		Audience: jwt.Audience{aud},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(appleSecretLifetime)),
	}).Serialize()
}

func parseAppleKey(s string) (*ecdsa.PrivateKey, error) {
	// Cognito's console stores the .p8 as pasted; tolerate escaped newlines.
	s = strings.ReplaceAll(s, `\n`, "\n")
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, federation.Configf("private_key", "must be the PEM of the .p8 key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		if ek, err2 := x509.ParseECPrivateKey(block.Bytes); err2 == nil {
			k = ek
		} else {
			return nil, federation.Configf("private_key", "is not a PKCS #8 key: %v", err)
		}
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, federation.Configf("private_key", "must be a P-256 EC key")
	}
	return ec, nil
}

// appleUser reads the "user" field Apple posts with the first sign-in only:
// {"name":{"firstName":…,"lastName":…},"email":…}. Its attributes use
// Cognito's names for Apple: firstName, lastName, name.
func appleUser(params url.Values) map[string][]string {
	raw := params.Get("user")
	if raw == "" || len(raw) > 4096 {
		return nil
	}
	var u struct {
		Name struct {
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
		} `json:"name"`
	}
	if json.Unmarshal([]byte(raw), &u) != nil {
		return nil
	}
	out := map[string][]string{}
	if u.Name.FirstName != "" {
		out["firstName"] = []string{u.Name.FirstName}
	}
	if u.Name.LastName != "" {
		out["lastName"] = []string{u.Name.LastName}
	}
	if full := strings.TrimSpace(u.Name.FirstName + " " + u.Name.LastName); full != "" {
		out["name"] = []string{full}
	}
	return out
}
