// Package tokens is the one token minter: per-pool RSA signing keys
// (created on demand, sealed at rest, rotated with overlap), JWKS, and the
// Cognito-shaped ID and access tokens every front hands out, plus the opaque
// refresh tokens and the record a refresh token names.
//
// JWTs are signed and verified here directly (RS256 over a precomputed
// header) rather than through a JOSE library: the format is fixed, and
// signing then costs one RSA signature and almost nothing else.
package tokens

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse-id/gatehouse/server/internal/cpustat"
	"github.com/gatehouse-id/gatehouse/server/secret"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Config assembles a Minter.
type Config struct {
	Store  storage.Store
	Sealer *secret.Sealer
	Now    func() time.Time
	Logger *slog.Logger
	// KeyBits is the RSA key size (2048 unless set; tests may not lower it
	// below 2048).
	KeyBits int
	// CacheTTL bounds how long a replica trusts its cached keys before it
	// looks for a rotation made by another replica (default one minute).
	CacheTTL time.Duration
}

// MaxTokenLifetime is the longest an ID or access token lives; a retired
// key stays in JWKS this long after it stopped signing.
const MaxTokenLifetime = 24 * time.Hour

// Minter signs and verifies a pool's tokens.
type Minter struct {
	cfg   Config
	mu    sync.Mutex
	pools map[string]*poolKeys
	// certs caches the self-signed certificate of each signing key, by
	// pool and kid (cert.go).
	certs map[string][]byte
	// signCPU counts signatures and their CPU time (/metrics), sampling one
	// in sixteen.
	signCPU cpustat.Counter
}

// SignStats reports the signatures made so far and their CPU time.
func (m *Minter) SignStats() (n int64, cpu time.Duration) { return m.signCPU.Stats() }

// poolKeys is the cached key state of one pool.
type poolKeys struct {
	loaded  time.Time
	current *signingKey
	byKID   map[string]*rsa.PublicKey
	jwks    []byte
	etag    string
}

type signingKey struct {
	kid     string
	key     *rsa.PrivateKey
	header  string // base64url of the JOSE header, precomputed
	created time.Time
}

// New returns a Minter.
func New(cfg Config) *Minter {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.KeyBits < 2048 {
		cfg.KeyBits = 2048
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = time.Minute
	}
	return &Minter{cfg: cfg, pools: map[string]*poolKeys{}, certs: map[string][]byte{},
		signCPU: cpustat.Counter{Every: 16}}
}

// keys returns the pool's cached keys, loading them (and creating the first
// key) when the cache is empty or stale.
func (m *Minter) keys(ctx context.Context, poolID string) (*poolKeys, error) {
	now := m.cfg.Now()
	m.mu.Lock()
	pk := m.pools[poolID]
	m.mu.Unlock()
	if pk != nil && now.Sub(pk.loaded) < m.cfg.CacheTTL {
		return pk, nil
	}
	pk, err := m.load(ctx, poolID, false)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.pools[poolID] = pk
	m.mu.Unlock()
	return pk, nil
}

// load reads the pool's keys from the store; with none that signs (or with
// rotate) it creates one in the same transaction, so concurrent starters
// agree on one key.
func (m *Minter) load(ctx context.Context, poolID string, rotate bool) (*poolKeys, error) {
	var rows []*storage.SigningKey
	err := m.cfg.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if rows, err = m.cfg.Store.ListSigningKeys(ctx, poolID); err != nil {
			return err
		}
		now := m.cfg.Now().UTC()
		var active *storage.SigningKey
		for _, k := range rows {
			if k.RetiredAt.IsZero() {
				active = k
				break
			}
		}
		if active != nil && !rotate {
			return nil
		}
		if active != nil {
			active.RetiredAt, active.ExpiresAt = now, now.Add(MaxTokenLifetime+time.Minute)
			if err := m.cfg.Store.UpdateSigningKey(ctx, active); err != nil {
				return err
			}
		}
		k, err := m.generate(poolID, now)
		if err != nil {
			return err
		}
		if err := m.cfg.Store.CreateSigningKey(ctx, k); err != nil {
			return err
		}
		m.cfg.Logger.Info("signing key created", "pool", poolID, "kid", k.KID, "rotation", rotate)
		rows, err = m.cfg.Store.ListSigningKeys(ctx, poolID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tokens: keys of %s: %w", poolID, err)
	}
	return m.build(poolID, rows)
}

func (m *Minter) generate(poolID string, now time.Time) (*storage.SigningKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, m.cfg.KeyBits)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	kid := thumbprint(&key.PublicKey)
	sealed, err := m.cfg.Sealer.Seal(der, "signing-key:"+poolID+":"+kid)
	if err != nil {
		return nil, err
	}
	pub, err := json.Marshal(publicJWK(kid, &key.PublicKey))
	if err != nil {
		return nil, err
	}
	return &storage.SigningKey{PoolID: poolID, KID: kid, Algorithm: "RS256", Sealed: sealed, Public: pub, CreatedAt: now}, nil
}

// build opens the active key and assembles JWKS from every key whose tokens
// may still be alive.
func (m *Minter) build(poolID string, rows []*storage.SigningKey) (*poolKeys, error) {
	now := m.cfg.Now()
	pk := &poolKeys{loaded: now, byKID: map[string]*rsa.PublicKey{}}
	var jwks struct {
		Keys []json.RawMessage `json:"keys"`
	}
	jwks.Keys = []json.RawMessage{}
	for _, row := range rows {
		if !row.RetiredAt.IsZero() && now.After(row.ExpiresAt) {
			continue
		}
		if row.RetiredAt.IsZero() && pk.current == nil {
			der, err := m.cfg.Sealer.Open(row.Sealed, "signing-key:"+poolID+":"+row.KID)
			if err != nil {
				return nil, fmt.Errorf("tokens: open key %s of %s: %w", row.KID, poolID, err)
			}
			parsed, err := x509.ParsePKCS8PrivateKey(der)
			if err != nil {
				return nil, fmt.Errorf("tokens: parse key %s: %w", row.KID, err)
			}
			key, ok := parsed.(*rsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("tokens: key %s is not RSA", row.KID)
			}
			key.Precompute()
			hdr, _ := json.Marshal(map[string]string{"kid": row.KID, "alg": "RS256"})
			pk.current = &signingKey{kid: row.KID, key: key, header: b64(hdr), created: row.CreatedAt}
		}
		var jwk struct {
			N string `json:"n"`
			E string `json:"e"`
		}
		if err := json.Unmarshal(row.Public, &jwk); err != nil {
			return nil, fmt.Errorf("tokens: public key %s: %w", row.KID, err)
		}
		n, err1 := base64.RawURLEncoding.DecodeString(jwk.N)
		e, err2 := base64.RawURLEncoding.DecodeString(jwk.E)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("tokens: public key %s: bad encoding", row.KID)
		}
		pk.byKID[row.KID] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		jwks.Keys = append(jwks.Keys, row.Public)
	}
	if pk.current == nil {
		return nil, errors.New("tokens: no active signing key for " + poolID)
	}
	body, err := json.Marshal(jwks)
	if err != nil {
		return nil, err
	}
	pk.jwks = body
	sum := sha256.Sum256(body)
	pk.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
	return pk, nil
}

// Rotate retires the pool's signing key and creates a new one; the old key
// stays in JWKS until every token it signed has expired.
func (m *Minter) Rotate(ctx context.Context, poolID string) error {
	pk, err := m.load(ctx, poolID, true)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.pools[poolID] = pk
	m.mu.Unlock()
	return nil
}

// Forget drops a pool's cached keys and certificates (after the pool is
// deleted).
func (m *Minter) Forget(poolID string) {
	m.mu.Lock()
	delete(m.pools, poolID)
	for k := range m.certs {
		if strings.HasPrefix(k, poolID+" ") {
			delete(m.certs, k)
		}
	}
	m.mu.Unlock()
}

// JWKS returns the pool's JSON Web Key Set and its ETag.
func (m *Minter) JWKS(ctx context.Context, poolID string) (body []byte, etag string, err error) {
	pk, err := m.keys(ctx, poolID)
	if err != nil {
		return nil, "", err
	}
	return pk.jwks, pk.etag, nil
}

// Sign signs claims as an RS256 JWT with the pool's current key.
func (m *Minter) Sign(ctx context.Context, poolID string, claims any) (string, error) {
	pk, err := m.keys(ctx, poolID)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("tokens: encode claims: %w", err)
	}
	signing := pk.current.header + "." + b64(payload)
	sum := sha256.Sum256([]byte(signing))
	var sig []byte
	m.signCPU.Measure(func() { sig, err = rsa.SignPKCS1v15(nil, pk.current.key, crypto.SHA256, sum[:]) })
	if err != nil {
		return "", fmt.Errorf("tokens: sign: %w", err)
	}
	return signing + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

type jwk struct {
	Alg string `json:"alg"`
	E   string `json:"e"`
	KID string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	Use string `json:"use"`
}

func publicJWK(kid string, pub *rsa.PublicKey) jwk {
	return jwk{Alg: "RS256", E: b64(big.NewInt(int64(pub.E)).Bytes()), KID: kid, Kty: "RSA", N: b64(pub.N.Bytes()), Use: "sig"}
}

// thumbprint is the RFC 7638 SHA-256 thumbprint, base64 like Cognito's
// 44-character kids.
func thumbprint(pub *rsa.PublicKey) string {
	canon := fmt.Sprintf(`{"e":"%s","kty":"RSA","n":"%s"}`, b64(big.NewInt(int64(pub.E)).Bytes()), b64(pub.N.Bytes()))
	sum := sha256.Sum256([]byte(canon))
	return base64.StdEncoding.EncodeToString(sum[:])
}
