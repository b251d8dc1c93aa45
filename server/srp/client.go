package srp

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"math/big"
)

// Client is the client's half of the exchange, as amazon-cognito-identity-js
// computes it. Gatehouse itself never signs in by SRP; the load tool and
// the tests do.
type Client struct {
	a, A *big.Int
}

// NewClient picks the ephemeral secret a (128 random bytes) and A = g^a.
func NewClient() (*Client, error) {
	raw := make([]byte, 128)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	a := new(big.Int).SetBytes(raw)
	return &Client{a: a, A: new(big.Int).Exp(G, a, N)}, nil
}

// PublicA is SRP_A in hex.
func (c *Client) PublicA() string { return c.A.Text(16) }

// Claim computes PASSWORD_CLAIM_SIGNATURE from the PASSWORD_VERIFIER
// challenge parameters (SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP) and the
// TIMESTAMP the client sends.
func (c *Client) Claim(poolID, userID, password, saltHex, bHex, secretBlock, timestamp string) (string, error) {
	B, ok1 := new(big.Int).SetString(bHex, 16)
	salt, ok2 := new(big.Int).SetString(saltHex, 16)
	if !ok1 || !ok2 || new(big.Int).Mod(B, N).Sign() == 0 {
		return "", errors.New("srp: bad challenge parameters")
	}
	u := hashInt(padBytes(c.A), padBytes(B))
	x := privateX(PoolName(poolID), userID, password, salt)
	// S = (B - k·g^x)^(a + u·x) mod N
	base := new(big.Int).Sub(B, new(big.Int).Mul(k, new(big.Int).Exp(G, x, N)))
	base.Mod(base, N)
	S := new(big.Int).Exp(base, new(big.Int).Add(c.a, new(big.Int).Mul(u, x)), N)
	block, err := base64.StdEncoding.DecodeString(secretBlock)
	if err != nil {
		return "", errors.New("srp: bad secret block")
	}
	key := hkdf(padBytes(S), padBytes(u))
	return base64.StdEncoding.EncodeToString(Signature(key, PoolName(poolID), userID, block, timestamp)), nil
}
