package srp

import (
	"encoding/base64"
	"errors"
	"math/big"
	"testing"
	"time"
)

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
	c, err := NewClient()
	if err != nil {
		t.Fatal(err)
	}
	claim := func(pool, user, password string) string {
		sig, err := c.Claim(pool, user, password, saltHex, srv.PublicB(), block, stamp)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	sig := claim(pool, user, password)
	// The server resumes from the sealed b in a later request.
	again, err := Resume(v, srv.SecretB())
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Verify(pool, user, c.PublicA(), block, stamp, sig); err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	for name, bad := range map[string]string{
		"wrong password": claim(pool, user, "wrong"),
		"other user":     claim(pool, "bob", password),
		"other pool":     claim("us-east-1_Other0000", user, password),
		"garbage":        "!!",
	} {
		if err := again.Verify(pool, user, c.PublicA(), block, stamp, bad); !errors.Is(err, ErrBadProof) {
			t.Errorf("%s: %v, want ErrBadProof", name, err)
		}
	}
	if err := again.Verify(pool, user, c.PublicA(), block, "Mon Oct 7 13:37:50 UTC 2024", sig); !errors.Is(err, ErrBadProof) {
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
	c, _ := NewClient()
	for b.Loop() {
		srv, _ := NewServer(v)
		sig := "" // the server's cost: B, then S
		_ = srv.Verify(pool, user, c.PublicA(), block, stamp, sig)
	}
	_ = salt
}
