package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/srp"
)

// Reference is what the work alone costs in this process, which is built
// like the server (same Go, same GOEXPERIMENT): the yardsticks of the
// scenarios' ratios.
type Reference struct {
	// RS256SignMs is one RSA-2048 PKCS#1 v1.5 signature over SHA-256 with
	// a precomputed key, RS256VerifyMs one verification; one goroutine,
	// best of several rounds (as a Go benchmark's ns/op).
	RS256SignMs   float64 `json:"rs256_sign_ms"`
	RS256VerifyMs float64 `json:"rs256_verify_ms"`
	// Argon2idMs is one password check with the pool's parameters on one
	// goroutine; Argon2idPerSec the checks per second on every core: the
	// throughput the password hash alone allows.
	Argon2       string  `json:"argon2id_params"`
	Argon2idMs   float64 `json:"argon2id_ms"`
	Argon2idRate float64 `json:"argon2id_per_sec"`
	// SRPServerMs is the server's modular exponentiations of one SRP
	// exchange (B = k·v + g^b, then S = (A·v^u)^b): one goroutine;
	// SRPServerRate that on every core.
	SRPServerMs   float64 `json:"srp_server_ms"`
	SRPServerRate float64 `json:"srp_server_per_sec"`
}

// measureReference measures the reference costs; it takes a few seconds.
func measureReference() *Reference {
	r := &Reference{}
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	key.Precompute()
	sum := sha256.Sum256([]byte("header.payload"))
	sig, _ := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	r.RS256SignMs = bestOf(func() { rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:]) })
	r.RS256VerifyMs = bestOf(func() { rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig) })

	p := directory.DefaultArgon2
	r.Argon2 = fmt.Sprintf("m=%d KiB, t=%d, p=%d", p.MemoryKiB, p.Time, p.Threads)
	hash, _ := directory.HashPassword(loadPassword, p)
	check := func() { directory.CheckPassword(hash, loadPassword, p) }
	r.Argon2idMs = bestOf(check)
	r.Argon2idRate = ratePerSec(check, 2*time.Second)

	const pool, user = "us-east-1_Reference", "load-user"
	_, verifier, _ := srp.Verifier(pool, user, loadPassword)
	client, _ := srp.NewClient()
	block := base64.StdEncoding.EncodeToString(make([]byte, 64))
	exchange := func() {
		s, _ := srp.NewServer(verifier)
		// A wrong signature still costs the whole computation.
		s.Verify(pool, user, client.PublicA(), block, "Mon Jan 2 15:04:05 UTC 2006", "AAAA")
	}
	r.SRPServerMs = bestOf(exchange)
	r.SRPServerRate = ratePerSec(exchange, time.Second)
	return r
}

// bestOf is f's CPU time per call in ms: the best of five rounds of
// about 200 ms each. CPU time of the process, like the server's, so that a
// busy machine (waiting for a core) does not inflate it (the process does
// nothing else meanwhile; argon2 computes in a goroutine of its own); the
// best round, so that a noisy neighbour (sharing caches) inflates it less.
func bestOf(f func()) float64 {
	f() // warm
	best := time.Duration(1<<62 - 1)
	for range 5 {
		n, start, cpu0 := 0, time.Now(), selfCPU()
		for time.Since(start) < 200*time.Millisecond {
			f()
			n++
		}
		best = min(best, (selfCPU()-cpu0)/time.Duration(n))
	}
	return ms(best)
}

// selfCPU is the process's CPU time (user + system).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ratePerSec runs f on one goroutine per core for d and returns calls per
// second.
func ratePerSec(f func(), d time.Duration) float64 {
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < d {
				f()
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// Machine describes where the run happened.
type Machine struct {
	CPU        string `json:"cpu"`
	Cores      int    `json:"cores"`
	Go         string `json:"go"`
	Experiment string `json:"goexperiment,omitempty"`
	Kernel     string `json:"kernel,omitempty"`
}

func machine() Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version()}
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPU = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if raw, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(raw))
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOEXPERIMENT" {
				m.Experiment = s.Value
			}
		}
	}
	return m
}
