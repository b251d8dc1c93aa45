// Package srp is the server side of Cognito's variant of SRP-6a, the
// USER_SRP_AUTH flow of amazon-cognito-identity-js and Amplify: the
// 3072-bit group of RFC 5054, g = 2, SHA-256, and Cognito's quirks —
// hashes over the bytes of "padded hex" numbers, the pool name (the part of
// the pool id after "_") mixed into x, a one-block HKDF with the info
// "Caldera Derived Key", and a claim signed over pool name, user id, secret
// block and timestamp.
//
// The server keeps v = g^x mod N and the salt per user, computed when the
// password is set; it never sees the password during an SRP sign-in.
package srp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
)

// nHex is the 3072-bit prime of RFC 5054 Appendix A.
const nHex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

var (
	// N and G are the group.
	N = mustHex(nHex)
	G = big.NewInt(2)
	// k = H(padHex(N) || padHex(g)).
	k = hashInt(padBytes(N), padBytes(G))
)

func mustHex(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("srp: bad constant")
	}
	return n
}

// PadHex is the hex of n as Cognito's clients write it: even length, with
// a leading "00" when the high bit is set (Java BigInteger style).
func PadHex(n *big.Int) string {
	h := n.Text(16)
	if len(h)%2 == 1 {
		h = "0" + h
	} else if strings.IndexByte("89abcdef", h[0]) >= 0 {
		h = "00" + h
	}
	return h
}

func padBytes(n *big.Int) []byte {
	b, _ := hex.DecodeString(PadHex(n))
	return b
}

func hashBytes(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

func hashInt(parts ...[]byte) *big.Int { return new(big.Int).SetBytes(hashBytes(parts...)) }

// PoolName is the part of a pool id after "_", which Cognito's SRP mixes in.
func PoolName(poolID string) string {
	if i := strings.IndexByte(poolID, '_'); i >= 0 {
		return poolID[i+1:]
	}
	return poolID
}

// x = H(padHex(salt) bytes || H(poolName + userID + ":" + password)).
func privateX(poolName, userID, password string, salt *big.Int) *big.Int {
	inner := hashBytes([]byte(poolName + userID + ":" + password))
	// The clients hash the *hex text* of the inner hash decoded as bytes.
	return hashInt(padBytes(salt), inner)
}

// Verifier computes a fresh salt and the verifier v = g^x mod N for a
// password, to store when the password is set.
func Verifier(poolID, userID, password string) (salt, verifier []byte, err error) {
	salt = make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, nil, err
	}
	s := new(big.Int).SetBytes(salt)
	x := privateX(PoolName(poolID), userID, password, s)
	v := new(big.Int).Exp(G, x, N)
	return salt, v.Bytes(), nil
}

// Server is the server's half of one SRP exchange.
type Server struct {
	b, B, v *big.Int
	u       *big.Int // H(A, B), when known (ResumeU)
}

// NewServer picks the ephemeral secret b and computes B = k·v + g^b mod N.
func NewServer(verifier []byte) (*Server, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	return resume(verifier, raw)
}

func resume(verifier, bBytes []byte) (*Server, error) {
	v := new(big.Int).SetBytes(verifier)
	if v.Sign() == 0 {
		return nil, errors.New("srp: empty verifier")
	}
	b := new(big.Int).SetBytes(bBytes)
	B := new(big.Int).Mul(k, v)
	B.Add(B, new(big.Int).Exp(G, b, N))
	B.Mod(B, N)
	if B.Sign() == 0 {
		return nil, errors.New("srp: degenerate B")
	}
	return &Server{b: b, B: B, v: v}, nil
}

// Resume rebuilds a Server from the b it handed out (kept sealed in the
// auth session between the two steps).
func Resume(verifier, b []byte) (*Server, error) { return resume(verifier, b) }

// ResumeU rebuilds a Server for the second step from b and the u that
// ScramblerU computed at the first: it skips recomputing B = k·v + g^b,
// one of the exchange's four modular exponentiations. u binds A and B, so
// Verify must then be given the same A.
func ResumeU(verifier, b, u []byte) (*Server, error) {
	v := new(big.Int).SetBytes(verifier)
	if v.Sign() == 0 || len(u) == 0 {
		return nil, errors.New("srp: empty verifier or scrambler")
	}
	return &Server{b: new(big.Int).SetBytes(b), v: v, u: new(big.Int).SetBytes(u)}, nil
}

// ScramblerU is u = H(A, B) for the client's A (hex), to keep beside b in
// the auth session; nil when A is unusable (Verify then refuses).
func (s *Server) ScramblerU(aHex string) []byte {
	A, ok := new(big.Int).SetString(aHex, 16)
	if !ok || new(big.Int).Mod(A, N).Sign() == 0 {
		return nil
	}
	return hashInt(padBytes(A), padBytes(s.B)).Bytes()
}

// SecretB is the ephemeral secret, to seal into the auth session.
func (s *Server) SecretB() []byte { return s.b.Bytes() }

// PublicB is SRP_B as the clients expect it: hex.
func (s *Server) PublicB() string { return s.B.Text(16) }

// ErrBadProof is any failed verification.
var ErrBadProof = errors.New("srp: password claim does not verify")

// Verify checks the client's PASSWORD_CLAIM_SIGNATURE. A is SRP_A (hex),
// secretBlock the base64 SECRET_BLOCK the server issued, timestamp the
// client's TIMESTAMP string.
func (s *Server) Verify(poolID, userID, aHex, secretBlock, timestamp, signature string) error {
	A, ok := new(big.Int).SetString(aHex, 16)
	if !ok || new(big.Int).Mod(A, N).Sign() == 0 {
		return ErrBadProof
	}
	u := s.u
	if u == nil {
		u = hashInt(padBytes(A), padBytes(s.B))
	}
	if u.Sign() == 0 {
		return ErrBadProof
	}
	// S = (A · v^u)^b mod N
	S := new(big.Int).Exp(s.v, u, N)
	S.Mul(S, A).Mod(S, N)
	S.Exp(S, s.b, N)
	key := hkdf(padBytes(S), padBytes(u))
	block, err := base64.StdEncoding.DecodeString(secretBlock)
	if err != nil {
		return ErrBadProof
	}
	want := Signature(key, PoolName(poolID), userID, block, timestamp)
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || !hmac.Equal(want, got) {
		return ErrBadProof
	}
	return nil
}

// hkdf is Cognito's one-block HKDF: PRK = HMAC(salt=u, S); key =
// HMAC(PRK, "Caldera Derived Key" || 0x01)[:16].
func hkdf(ikm, salt []byte) []byte {
	m := hmac.New(sha256.New, salt)
	m.Write(ikm)
	prk := m.Sum(nil)
	m = hmac.New(sha256.New, prk)
	m.Write([]byte("Caldera Derived Key"))
	m.Write([]byte{1})
	return m.Sum(nil)[:16]
}

// Signature is HMAC-SHA256(key, poolName || userID || secretBlock || timestamp).
func Signature(key []byte, poolName, userID string, secretBlock []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(poolName))
	m.Write([]byte(userID))
	m.Write(secretBlock)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}
