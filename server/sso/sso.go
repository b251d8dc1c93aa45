// Package sso keeps browser sign-in sessions: a small encrypted cookie names
// a server-side session row, so that sign-out and GlobalSignOut end it
// everywhere. The cookie holds a random secret; the row is keyed by its
// SHA-256, so a database reader cannot forge a cookie.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// CookieName is the SSO cookie's name; its path is the pool's issuer path,
// so each pool has its own.
const CookieName = "gatehouse_sso"

// Lifetime is how long a browser session lasts, as Cognito's hosted UI
// cookie: one hour.
const Lifetime = time.Hour

// Config assembles a Manager.
type Config struct {
	Store storage.SessionStore
	// HashKey and BlockKey protect the cookie (32 bytes each).
	HashKey, BlockKey []byte
	// Secure marks cookies Secure (off only in dev on http).
	Secure bool
	Now    func() time.Time
}

// Manager starts, finds and ends SSO sessions.
type Manager struct {
	cfg   Config
	codec *securecookie.SecureCookie
}

// New returns a Manager.
func New(cfg Config) *Manager {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	codec := securecookie.New(cfg.HashKey, cfg.BlockKey)
	codec.MaxAge(int(Lifetime / time.Second))
	return &Manager{cfg: cfg, codec: codec}
}

func path(poolID string) string { return "/" + poolID }

func hashID(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Current returns the pool's live session named by the request's cookie,
// or nil when there is none.
func (m *Manager) Current(r *http.Request, poolID string) (*storage.Session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return nil, nil
	}
	var secret string
	if err := m.codec.Decode(CookieName+poolID, c.Value, &secret); err != nil {
		return nil, nil
	}
	s, err := m.cfg.Store.GetSession(r.Context(), poolID, hashID(secret))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !m.cfg.Now().Before(s.ExpiresAt) {
		return nil, nil
	}
	return s, nil
}

// Start creates a session for the user and sets its cookie.
func (m *Manager) Start(ctx context.Context, w http.ResponseWriter, poolID, sub string, authTime time.Time, eventID string) (*storage.Session, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	now := m.cfg.Now().UTC()
	s := &storage.Session{PoolID: poolID, ID: hashID(secret), Sub: sub, AuthTime: authTime, EventID: eventID,
		CreatedAt: now, ExpiresAt: now.Add(Lifetime)}
	if err := m.cfg.Store.CreateSession(ctx, s); err != nil {
		return nil, err
	}
	value, err := m.codec.Encode(CookieName+poolID, secret)
	if err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: value, Path: path(poolID), MaxAge: int(Lifetime / time.Second),
		HttpOnly: true, Secure: m.cfg.Secure, SameSite: http.SameSiteLaxMode})
	return s, nil
}

// End deletes the request's session, if any, and clears the cookie.
func (m *Manager) End(w http.ResponseWriter, r *http.Request, poolID string) error {
	s, err := m.Current(r, poolID)
	if err != nil {
		return err
	}
	if s != nil {
		if err := m.cfg.Store.DeleteSession(r.Context(), poolID, s.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: path(poolID), MaxAge: -1,
		HttpOnly: true, Secure: m.cfg.Secure, SameSite: http.SameSiteLaxMode})
	return nil
}
