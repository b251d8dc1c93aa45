package tokens

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// The hot paths of token issuance (make bench). BenchmarkRSASign is the
// yardstick: the token endpoint's CPU per token is compared with it.

func BenchmarkRSASign(b *testing.B) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	key.Precompute()
	sum := sha256.Sum256([]byte("header.payload"))
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:]); err != nil {
			b.Fatal(err)
		}
	}
}

func benchGrant(user bool) Grant {
	g := Grant{Issuer: "http://127.0.0.1:8080/us-east-1_Bench", PoolID: "us-east-1_Bench",
		Client: &storage.Client{ID: "client1234567890abcdefghij", PoolID: "us-east-1_Bench"},
		Scopes: []string{"openid", "email", "profile"}, AuthTime: time.Now(), AccessLifetime: time.Hour, IDLifetime: time.Hour,
		EventID: "5d6a3c1e-5d3b-4c1f-9d7e-1f2e3d4c5b6a", FamilyID: "0e2f7c4a-8b9d-4e1f-a2b3-c4d5e6f7a8b9"}
	if user {
		g.User = &storage.User{Sub: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", Username: "alice", Enabled: true,
			Attributes: map[string]string{"email": "alice@example.com", "email_verified": "true", "name": "Alice"}}
	}
	return g
}

// BenchmarkMintAccess is one client_credentials access token: claims,
// JSON, one signature.
func BenchmarkMintAccess(b *testing.B) {
	m := newMinter(b, time.Now)
	ctx := context.Background()
	g := benchGrant(false)
	if _, err := m.Access(ctx, g); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Access(ctx, g); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMintIDAndAccess is a user's sign-in: ID and access tokens.
func BenchmarkMintIDAndAccess(b *testing.B) {
	m := newMinter(b, time.Now)
	ctx := context.Background()
	g := benchGrant(true)
	if _, err := m.Access(ctx, g); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Access(ctx, g); err != nil {
			b.Fatal(err)
		}
		if _, err := m.ID(ctx, g, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	m := newMinter(b, time.Now)
	ctx := context.Background()
	tok, err := m.Access(ctx, benchGrant(true))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Verify(ctx, "us-east-1_Bench", tok.Token); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJWKS(b *testing.B) {
	m := newMinter(b, time.Now)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := m.JWKS(ctx, "us-east-1_Bench"); err != nil {
			b.Fatal(err)
		}
	}
}
