package srp

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"math/big"
	"testing"
	"time"
)

// client does the client's half the way amazon-cognito-identity-js's
// AuthenticationHelper does, written from its algorithm, not from the
// server code above.
type client struct {
	a, A *big.Int
}

func newClient(t *testing.T) *client {
	raw := make([]byte, 128)
	rand.Read(raw)
	a := new(big.Int).SetBytes(raw)
	return &client{a: a, A: new(big.Int).Exp(G, a, N)}
}

// PasswordClaim computes PASSWORD_CLAIM_SIGNATURE.
func (c *client) claim(poolID, userID, password, saltHex, bHex, secretBlock, timestamp string) string {
	B, _ := new(big.Int).SetString(bHex, 16)
	salt, _ := new(big.Int).SetString(saltHex, 16)
	u := hashInt(padBytes(c.A), padBytes(B))
	x := privateX(PoolName(poolID), userID, password, salt)
	// S = (B - k*g^x)^(a + u*x) mod N
	gx := new(big.Int).Exp(G, x, N)
	base := new(big.Int).Sub(B, new(big.Int).Mul(k, gx))
	base.Mod(base, N)
	exp := new(big.Int).Add(c.a, new(big.Int).Mul(u, x))
	S := new(big.Int).Exp(base, exp, N)
	key := hkdf(padBytes(S), padBytes(u))
	block, _ := base64.StdEncoding.DecodeString(secretBlock)
	return base64.StdEncoding.EncodeToString(Signature(key, PoolName(poolID), userID, block, timestamp))
}

func TestRoundTrip(t *testing.T) {
	const pool, user, password = "us-east-1_AbC123xyZ", "alice", "Correct-Horse-9!"
	salt, v, err := Verifier(pool, user, password)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(v)
	if err != nil {
		t.Fatal(err)
	}
	block := base64.StdEncoding.EncodeToString([]byte("secret block"))
	stamp := time.Date(2024, 10, 6, 13, 37, 50, 0, time.UTC).Format("Mon Jan 2 15:04:05 UTC 2006")
	if stamp != "Sun Oct 6 13:37:50 UTC 2024" {
		t.Fatalf("timestamp layout: %q", stamp)
	}
	saltHex := new(big.Int).SetBytes(salt).Text(16)
	c := newClient(t)
	sig := c.claim(pool, user, password, saltHex, srv.PublicB(), block, stamp)
	// The server resumes from the sealed b in a later request.
	again, err := Resume(v, srv.SecretB())
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Verify(pool, user, c.A.Text(16), block, stamp, sig); err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	for name, bad := range map[string]string{
		"wrong password": c.claim(pool, user, "wrong", saltHex, srv.PublicB(), block, stamp),
		"other user":     c.claim(pool, "bob", password, saltHex, srv.PublicB(), block, stamp),
		"other pool":     c.claim("us-east-1_Other0000", user, password, saltHex, srv.PublicB(), block, stamp),
		"garbage":        "!!",
	} {
		if err := again.Verify(pool, user, c.A.Text(16), block, stamp, bad); !errors.Is(err, ErrBadProof) {
			t.Errorf("%s: %v, want ErrBadProof", name, err)
		}
	}
	if err := again.Verify(pool, user, c.A.Text(16), block, "Mon Oct 7 13:37:50 UTC 2024", sig); !errors.Is(err, ErrBadProof) {
		t.Error("signature over another timestamp accepted")
	}
	if err := again.Verify(pool, user, "0", block, stamp, sig); !errors.Is(err, ErrBadProof) {
		t.Error("A = 0 accepted")
	}
	if err := again.Verify(pool, user, N.Text(16), block, stamp, sig); !errors.Is(err, ErrBadProof) {
		t.Error("A = N accepted")
	}
}

func TestPadHex(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{1, "01"}, {0x7f, "7f"}, {0x80, "0080"}, {0x123, "0123"}, {0xff00, "00ff00"}} {
		if got := PadHex(big.NewInt(c.n)); got != c.want {
			t.Errorf("PadHex(%#x) = %s, want %s", c.n, got, c.want)
		}
	}
}

func BenchmarkServerVerify(b *testing.B) {
	const pool, user, password = "us-east-1_AbC123xyZ", "alice", "pw"
	salt, v, _ := Verifier(pool, user, password)
	block := base64.StdEncoding.EncodeToString([]byte("block"))
	stamp := "Sun Oct 6 13:37:50 UTC 2024"
	c := &client{}
	c.a = big.NewInt(123456789)
	c.A = new(big.Int).Exp(G, c.a, N)
	for b.Loop() {
		srv, _ := NewServer(v)
		sig := "" // the server's cost: B, then S
		_ = srv.Verify(pool, user, c.A.Text(16), block, stamp, sig)
	}
	_ = salt
}
