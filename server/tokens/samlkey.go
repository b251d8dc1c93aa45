package tokens

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
)

// SAMLKeyPair returns the pool's current signing key and the certificate
// Certificate encodes for it. As in Cognito, the certificate that
// GetSigningCertificate returns is also the SAML service provider's: it
// signs AuthnRequests and logout messages and, when a provider asks for
// encrypted assertions, its key decrypts them.
func (m *Minter) SAMLKeyPair(ctx context.Context, poolID string) (*rsa.PrivateKey, *x509.Certificate, error) {
	// A rotation between the two reads would pair a certificate with the
	// wrong key: read again then.
	for range 3 {
		b64, err := m.Certificate(ctx, poolID)
		if err != nil {
			return nil, nil, err
		}
		der, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, nil, fmt.Errorf("tokens: certificate: %w", err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, nil, fmt.Errorf("tokens: certificate: %w", err)
		}
		pk, err := m.keys(ctx, poolID)
		if err != nil {
			return nil, nil, err
		}
		key := pk.current.key
		if pub, ok := cert.PublicKey.(*rsa.PublicKey); ok && pub.Equal(&key.PublicKey) {
			return key, cert, nil
		}
	}
	return nil, nil, fmt.Errorf("tokens: the signing key of %s changed while reading it", poolID)
}
