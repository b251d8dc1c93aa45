// Package secret seals data at rest with the master key (AES-256-GCM) and
// derives purpose-bound keys from it (HKDF-SHA256), so that one file,
// <data-dir>/master.key, protects signing keys, client secrets and every
// server-side MAC key.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the master key's length in bytes.
const KeySize = 32

// ErrOpen is returned for data that does not open: tampered, truncated or
// sealed under another key or context.
var ErrOpen = errors.New("secret: cannot open sealed data")

// Sealer seals and opens data with the master key.
type Sealer struct {
	master []byte
	aead   cipher.AEAD
	rand   io.Reader
}

// New returns a Sealer over a 32-byte master key. rnd supplies nonces
// (crypto/rand when nil).
func New(master []byte, rnd io.Reader) (*Sealer, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("secret: master key must be %d bytes, not %d", KeySize, len(master))
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	block, err := aes.NewCipher(derive(master, "gatehouse seal v1", KeySize))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{master: master, aead: aead, rand: rnd}, nil
}

// Seal encrypts plaintext bound to context (for example "client-secret:" +
// client id), so a sealed value cannot be moved to another row.
func (s *Sealer) Seal(plaintext []byte, context string) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := io.ReadFull(s.rand, nonce); err != nil {
		return nil, fmt.Errorf("secret: nonce: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plaintext, []byte(context)), nil
}

// Open decrypts what Seal made with the same context.
func (s *Sealer) Open(sealed []byte, context string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrOpen
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

// Derive returns a key of size bytes for one purpose; the same purpose
// always gives the same key for the same master key.
func (s *Sealer) Derive(purpose string, size int) []byte {
	return derive(s.master, purpose, size)
}

func derive(master []byte, purpose string, size int) []byte {
	k, err := hkdf.Key(sha256.New, master, nil, purpose, size)
	if err != nil {
		panic(fmt.Sprintf("secret: hkdf: %v", err)) // only for size > 255*32
	}
	return k
}

// LoadOrCreate reads the base64 master key at path, or creates it (mode
// 0600) with fresh random bytes when the file does not exist.
func LoadOrCreate(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(key) != KeySize {
			return nil, fmt.Errorf("secret: %s is not a base64 %d-byte key", path, KeySize)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("secret: read master key: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("secret: create master key: %w", err)
	}
	// O_EXCL: two servers starting together must not both write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreate(path)
	}
	if err != nil {
		return nil, fmt.Errorf("secret: create master key: %w", err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}
