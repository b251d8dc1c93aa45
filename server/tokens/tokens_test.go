package tokens

import (
	"bytes"
	"context"
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
	if _, err := m.Verify(ctx, "us-east-1_A", tok2); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("expired token accepted: %v", err)
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
