package srp

import (
	"encoding/base64"
	"math/big"
	"testing"
)

// TestResumeU: the second step resumed from b and u verifies the same
// claim as one resumed from b alone, and refuses a wrong one.
func TestResumeU(t *testing.T) {
	const pool, user, password = "us-east-1_AbC123xyZ", "alice", "Passw0rd!"
	salt, v, err := Verifier(pool, user, password)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(v)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := NewClient()
	block := base64.StdEncoding.EncodeToString([]byte("secret block"))
	stamp := "Sun Oct 6 13:37:50 UTC 2024"
	claim, err := c.Claim(pool, user, password, new(big.Int).SetBytes(salt).Text(16), srv.PublicB(), block, stamp)
	if err != nil {
		t.Fatal(err)
	}
	u := srv.ScramblerU(c.PublicA())
	resumed, err := ResumeU(v, srv.SecretB(), u)
	if err != nil {
		t.Fatal(err)
	}
	if err := resumed.Verify(pool, user, c.PublicA(), block, stamp, claim); err != nil {
		t.Errorf("ResumeU: %v", err)
	}
	wrong, _ := c.Claim(pool, user, "wrong", new(big.Int).SetBytes(salt).Text(16), srv.PublicB(), block, stamp)
	if err := resumed.Verify(pool, user, c.PublicA(), block, stamp, wrong); err == nil {
		t.Error("ResumeU accepted a wrong password")
	}
	if _, err := ResumeU(v, srv.SecretB(), nil); err == nil {
		t.Error("ResumeU without u")
	}
}
