package tokens

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// ErrInvalidToken covers every reason a JWT is refused: malformed, wrong
// algorithm, unknown key, bad signature, expired. Callers answer with
// their protocol's "invalid token" and log the wrapped detail.
var ErrInvalidToken = errors.New("tokens: invalid token")

// ErrExpired is joined to ErrInvalidToken for a token past its exp, the one
// reason callers tell apart (Cognito answers "Access Token has expired").
var ErrExpired = errors.New("tokens: token expired")

// MaxJWTSize bounds the tokens Verify accepts.
const MaxJWTSize = 16 << 10

// Verify checks a JWT's RS256 signature against the pool's keys and its
// expiry, and returns its claims. The caller checks iss, token_use and
// revocation.
func (m *Minter) Verify(ctx context.Context, poolID, token string) (map[string]any, error) {
	return m.verify(ctx, poolID, token, true)
}

// VerifyAllowExpired is Verify without the expiry check, for hints such as
// id_token_hint, which may name an expired token (OIDC Core §3.1.2.1).
func (m *Minter) VerifyAllowExpired(ctx context.Context, poolID, token string) (map[string]any, error) {
	return m.verify(ctx, poolID, token, false)
}

func (m *Minter) verify(ctx context.Context, poolID, token string, checkExpiry bool) (map[string]any, error) {
	header, payload, sig, err := split(token)
	if err != nil {
		return nil, err
	}
	var hdr struct {
		Alg string `json:"alg"`
		KID string `json:"kid"`
		Typ string `json:"typ"`
	}
	if err := decodeSegment(header, &hdr); err != nil {
		return nil, err
	}
	if hdr.Alg != "RS256" {
		return nil, errors.Join(ErrInvalidToken, errors.New("alg "+hdr.Alg+" not accepted"))
	}
	pk, err := m.keys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	pub := pk.byKID[hdr.KID]
	if pub == nil {
		return nil, errors.Join(ErrInvalidToken, errors.New("unknown kid"))
	}
	sum := sha256.Sum256([]byte(token[:len(header)+1+len(payload)]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return nil, errors.Join(ErrInvalidToken, errors.New("bad signature"))
	}
	claims := map[string]any{}
	dec := json.NewDecoder(base64.NewDecoder(base64.RawURLEncoding, strings.NewReader(payload)))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return nil, errors.Join(ErrInvalidToken, errors.New("payload not JSON"))
	}
	exp, ok := NumericClaim(claims, "exp")
	if !ok {
		return nil, errors.Join(ErrInvalidToken, errors.New("no exp"))
	}
	if checkExpiry && !m.cfg.Now().Before(time.Unix(exp, 0)) {
		return nil, errors.Join(ErrInvalidToken, ErrExpired)
	}
	return claims, nil
}

// split cuts a compact JWS into its segments and decodes the signature.
func split(token string) (header, payload string, sig []byte, err error) {
	if len(token) > MaxJWTSize {
		return "", "", nil, errors.Join(ErrInvalidToken, errors.New("too large"))
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", nil, errors.Join(ErrInvalidToken, errors.New("not a compact JWS"))
	}
	sig, err = base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil {
		return "", "", nil, errors.Join(ErrInvalidToken, errors.New("bad signature encoding"))
	}
	return parts[0], parts[1], sig, nil
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return errors.Join(ErrInvalidToken, errors.New("bad encoding"))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		return errors.Join(ErrInvalidToken, errors.New("header not JSON"))
	}
	return nil
}

// NumericClaim reads an integer claim (exp, iat, auth_time) from claims
// decoded with UseNumber or as float64.
func NumericClaim(claims map[string]any, name string) (int64, bool) {
	switch v := claims[name].(type) {
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	case float64:
		return int64(v), true
	case int64:
		return v, true
	}
	return 0, false
}

// StringClaim reads a string claim.
func StringClaim(claims map[string]any, name string) string {
	s, _ := claims[name].(string)
	return s
}
