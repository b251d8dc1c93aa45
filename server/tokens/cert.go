package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"time"
)

// certificateValidity is how long a signing certificate is valid from its
// key's creation. The certificate only carries the public key to relying
// parties that want one in X.509 form (SAML providers take Cognito's from
// GetSigningCertificate); the key's rotation, not the certificate's expiry,
// ends its use.
const certificateValidity = 10 * 365 * 24 * time.Hour

// Certificate returns a self-signed X.509 certificate of the pool's current
// signing key, DER in standard base64 without PEM armour, the form
// Cognito's GetSigningCertificate answers. It is made once per key and
// cached; its serial number and validity derive from the key, so every
// replica makes the same certificate.
func (m *Minter) Certificate(ctx context.Context, poolID string) (string, error) {
	pk, err := m.keys(ctx, poolID)
	if err != nil {
		return "", err
	}
	cur := pk.current
	cacheKey := poolID + " " + cur.kid
	m.mu.Lock()
	der, ok := m.certs[cacheKey]
	m.mu.Unlock()
	if !ok {
		if der, err = selfSigned(poolID, cur); err != nil {
			return "", err
		}
		m.mu.Lock()
		m.certs[cacheKey] = der
		m.mu.Unlock()
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// selfSigned makes the certificate of one signing key. Its serial number is
// the first 16 bytes of the SHA-256 of the kid, its validity starts at the
// key's creation; RSA PKCS #1 v1.5 signatures are deterministic, so the
// same key always yields the same certificate.
func selfSigned(poolID string, k *signingKey) ([]byte, error) {
	sum := sha256.Sum256([]byte(k.kid))
	serial := new(big.Int).SetBytes(sum[:16])
	notBefore := k.created.UTC().Truncate(time.Second)
	if notBefore.IsZero() {
		notBefore = time.Unix(0, 0).UTC()
	}
	name := pkix.Name{CommonName: poolID, Organization: []string{"Gatehouse"}}
	tmpl := &x509.Certificate{
		SerialNumber:       serial,
		Subject:            name,
		Issuer:             name,
		NotBefore:          notBefore,
		NotAfter:           notBefore.Add(certificateValidity),
		KeyUsage:           x509.KeyUsageDigitalSignature,
		SubjectKeyId:       sum[:20],
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.key.PublicKey, k.key)
	if err != nil {
		return nil, fmt.Errorf("tokens: certificate of %s: %w", k.kid, err)
	}
	return der, nil
}
