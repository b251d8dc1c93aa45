package tokens

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"time"
)

// Opaque makes the opaque tokens Gatehouse stores only by signature:
// refresh tokens and authorization codes. A token is 32 random bytes; its
// signature, the storage key, is an HMAC of it under a key derived from the
// master key, so the database never holds a usable token.
type Opaque struct{ key []byte }

// NewOpaque returns an Opaque over an HMAC key of at least 32 bytes.
func NewOpaque(key []byte) *Opaque {
	if len(key) < 32 {
		panic("tokens: opaque token key shorter than 32 bytes")
	}
	return &Opaque{key: key}
}

// New returns a fresh token and its signature.
func (o *Opaque) New() (token, signature string, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", "", err
	}
	token = b64(raw)
	return token, o.Signature(token), nil
}

// Signature is the storage key of a token.
func (o *Opaque) Signature(token string) string {
	mac := hmac.New(sha256.New, o.key)
	mac.Write([]byte(token))
	return b64(mac.Sum(nil))
}

// Record is what a stored refresh token or authorization code names, in
// one format whichever front made it: a refresh token from /oauth2/token
// works with InitiateAuth REFRESH_TOKEN_AUTH and the other way round.
type Record struct {
	RequestID         string              `json:"request_id"` // the family id (origin_jti)
	RequestedAt       time.Time           `json:"requested_at"`
	ClientID          string              `json:"client_id"`
	RequestedScopes   []string            `json:"requested_scopes,omitempty"`
	GrantedScopes     []string            `json:"granted_scopes,omitempty"`
	RequestedAudience []string            `json:"requested_audience,omitempty"`
	GrantedAudience   []string            `json:"granted_audience,omitempty"`
	Form              map[string][]string `json:"form,omitempty"`
	Session           SessionData         `json:"session"`
}

// SessionData is the signed-in state a Record carries.
type SessionData struct {
	Sub         string               `json:"sub"`
	Username    string               `json:"username"`
	AuthTime    time.Time            `json:"auth_time"`
	RequestedAt time.Time            `json:"requested_at"`
	EventID     string               `json:"event_id,omitempty"`
	Nonce       string               `json:"nonce,omitempty"`
	AMR         []string             `json:"amr,omitempty"`
	ExpiresAt   map[string]time.Time `json:"expires_at,omitempty"`
}
