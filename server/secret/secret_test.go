package secret

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	s, err := New(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal([]byte("hunter2"), "client-secret:abc")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("hunter2")) {
		t.Fatal("plaintext visible in sealed data")
	}
	got, err := s.Open(sealed, "client-secret:abc")
	if err != nil || string(got) != "hunter2" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := s.Open(sealed, "client-secret:other"); !errors.Is(err, ErrOpen) {
		t.Fatalf("other context: %v, want ErrOpen", err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := s.Open(sealed, "client-secret:abc"); !errors.Is(err, ErrOpen) {
		t.Fatalf("tampered: %v, want ErrOpen", err)
	}
	if _, err := s.Open([]byte{1, 2}, "x"); !errors.Is(err, ErrOpen) {
		t.Fatalf("short: %v, want ErrOpen", err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, KeySize), nil)
	sealed[len(sealed)-1] ^= 1
	if _, err := other.Open(sealed, "client-secret:abc"); !errors.Is(err, ErrOpen) {
		t.Fatalf("other key: %v, want ErrOpen", err)
	}
	if bytes.Equal(s.Derive("a", 32), s.Derive("b", 32)) || !bytes.Equal(s.Derive("a", 32), s.Derive("a", 32)) {
		t.Fatal("Derive must be deterministic per purpose and differ across purposes")
	}
	if _, err := New([]byte("short"), nil); err == nil {
		t.Fatal("short master key accepted")
	}
}

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "master.key")
	k1, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	k2, err := LoadOrCreate(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("reload: %v, same=%v", err, bytes.Equal(k1, k2))
	}
	os.WriteFile(path, []byte("not base64!"), 0o600)
	if _, err := LoadOrCreate(path); err == nil {
		t.Fatal("corrupt key file accepted")
	}
}
