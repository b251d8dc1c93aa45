package tokens

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/secret"
	"github.com/gatehouse-id/gatehouse/server/storage/sqlstore"
)

func newMinter(t testing.TB, now func() time.Time) *Minter {
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sealer, _ := secret.New(bytes.Repeat([]byte{3}, 32), nil)
	return New(Config{Store: st, Sealer: sealer, Now: now})
}

func TestSignVerifyRotate(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	m := newMinter(t, clock)
	ctx := context.Background()
	tok, err := m.Sign(ctx, "us-east-1_A", map[string]any{"sub": "x", "exp": now.Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Verify(ctx, "us-east-1_A", tok); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if _, err := m.Verify(ctx, "us-east-1_B", tok); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("other pool's key accepted: %v", err)
	}
	// Rotation keeps the old key in JWKS, so old tokens still verify.
	if err := m.Rotate(ctx, "us-east-1_A"); err != nil {
		t.Fatal(err)
	}
	jwks, _, _ := m.JWKS(ctx, "us-east-1_A")
	if strings.Count(string(jwks), `"kid"`) != 2 {
		t.Fatalf("JWKS after rotation: %s", jwks)
	}
	if _, err := m.Verify(ctx, "us-east-1_A", tok); err != nil {
		t.Fatalf("old token after rotation: %v", err)
	}
	// A day later the old key is gone from JWKS and its tokens with it.
	now = now.Add(MaxTokenLifetime + 2*time.Minute)
	m.Forget("us-east-1_A")
	jwks, _, _ = m.JWKS(ctx, "us-east-1_A")
	if strings.Count(string(jwks), `"kid"`) != 1 {
		t.Fatalf("JWKS a day after rotation: %s", jwks)
	}
	if _, err := m.VerifyAllowExpired(ctx, "us-east-1_A", tok); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token of a dropped key: %v", err)
	}
	// Expiry.
	tok2, _ := m.Sign(ctx, "us-east-1_A", map[string]any{"exp": now.Add(-time.Second).Unix()})
	if _, err := m.Verify(ctx, "us-east-1_A", tok2); !errors.Is(err, ErrInvalidToken) || !errors.Is(err, ErrExpired) {
		t.Fatalf("expired token accepted: %v", err)
	}
	if _, err := m.Verify(ctx, "us-east-1_A", tok[:len(tok)-2]+"xx"); errors.Is(err, ErrExpired) {
		t.Fatalf("a bad signature said expired: %v", err)
	}
}

// FuzzVerify: whatever arrives as a bearer token, Verify answers without
// panicking, and never accepts what it did not sign.
func FuzzVerify(f *testing.F) {
	m := newMinter(f, time.Now)
	good, err := m.Sign(context.Background(), "us-east-1_F", map[string]any{"exp": time.Now().Add(time.Hour).Unix()})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{good, "", "a.b.c", good + "x", strings.Replace(good, ".", "..", 1), "eyJhbGciOiJub25lIn0.e30."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		_, err := m.Verify(context.Background(), "us-east-1_F", token)
		if err == nil && token != good {
			t.Fatalf("accepted a token it did not sign: %q", token)
		}
	})
}

func TestCertificate(t *testing.T) {
	now := time.Now()
	m := newMinter(t, func() time.Time { return now })
	ctx := context.Background()
	const pool = "us-east-1_Cert"
	b64cert, err := m.Certificate(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	der, err := base64.StdEncoding.DecodeString(b64cert)
	if err != nil {
		t.Fatalf("not base64 DER: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	if cert.Subject.CommonName != pool || now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		t.Errorf("subject %q, valid %v to %v", cert.Subject.CommonName, cert.NotBefore, cert.NotAfter)
	}
	// The certificate's key is the one that signs the pool's tokens.
	tok, err := m.Sign(ctx, pool, map[string]any{"sub": "x"})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
		t.Fatal("the certificate's key does not verify the pool's tokens")
	}

	// Cached, and the same from a fresh minter over the same keys.
	again, _ := m.Certificate(ctx, pool)
	if again != b64cert {
		t.Error("second call made another certificate")
	}
	fresh := &Minter{cfg: m.cfg, pools: map[string]*poolKeys{}, certs: map[string][]byte{}}
	if other, err := fresh.Certificate(ctx, pool); err != nil || other != b64cert {
		t.Errorf("another replica's certificate differs (%v)", err)
	}

	// Rotation gives the new key its own certificate.
	if err := m.Rotate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	rotated, err := m.Certificate(ctx, pool)
	if err != nil || rotated == b64cert {
		t.Errorf("certificate after rotation unchanged (%v)", err)
	}
}
