package oauth

import (
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"

	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// session is fosite's session: the signed-in state of tokens.SessionData
// (the one stored format) plus the ID token claims fosite's handlers fill
// in (at_hash) while a response is made.
type session struct {
	tokens.SessionData
	claims  *jwt.IDTokenClaims
	headers *jwt.Headers
}

var _ openid.Session = (*session)(nil)

func newSession(d tokens.SessionData) *session {
	if d.ExpiresAt == nil {
		d.ExpiresAt = map[string]time.Time{}
	}
	return &session{SessionData: d,
		claims: &jwt.IDTokenClaims{Subject: d.Sub, AuthTime: d.AuthTime, RequestedAt: d.RequestedAt, Nonce: d.Nonce,
			AuthenticationMethodsReferences: d.AMR, Extra: map[string]any{}},
		headers: &jwt.Headers{Extra: map[string]any{}},
	}
}

func (s *session) SetExpiresAt(key fosite.TokenType, exp time.Time) {
	if s.ExpiresAt == nil {
		s.ExpiresAt = map[string]time.Time{}
	}
	s.ExpiresAt[string(key)] = exp
}

func (s *session) GetExpiresAt(key fosite.TokenType) time.Time { return s.ExpiresAt[string(key)] }
func (s *session) GetUsername() string                         { return s.Username }
func (s *session) GetSubject() string                          { return s.Sub }
func (s *session) IDTokenClaims() *jwt.IDTokenClaims           { return s.claims }
func (s *session) IDTokenHeaders() *jwt.Headers                { return s.headers }

func (s *session) Clone() fosite.Session {
	d := s.SessionData
	d.ExpiresAt = make(map[string]time.Time, len(s.ExpiresAt))
	for k, v := range s.ExpiresAt {
		d.ExpiresAt[k] = v
	}
	c := newSession(d)
	c.claims.AccessTokenHash = s.claims.AccessTokenHash
	return c
}
