package directory

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"

	"github.com/gatehouse-id/gatehouse/server/directory/internal/argon2"
	"github.com/gatehouse-id/gatehouse/server/internal/cpustat"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// hashSlots bounds the password hashes computed at once to the cores: a
// hash is pure CPU and memory, so more at once only adds memory (19 MiB
// each) and cache misses, never throughput. Sign-ins beyond it wait their
// turn, which keeps the server's memory flat under any number of them.
var hashSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

// hashCPU counts password hashes and their CPU time (/metrics).
var hashCPU cpustat.Counter

// HashStats reports the password hashes computed so far in this process
// and their CPU time.
func HashStats() (n int64, cpu time.Duration) { return hashCPU.Stats() }

// idKey is argon2.IDKey in a hash slot.
func idKey(password, salt []byte, t, memory uint32, threads uint8, keyLen uint32) (key []byte) {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	hashCPU.Measure(func() { key = argon2.IDKey(password, salt, t, memory, threads, keyLen) })
	return key
}

// MaxHashWait bounds how long a password sign-in waits to be admitted
// (AdmitPasswordCheck). It is far below the server's 60 s write timeout:
// when more sign-ins arrive than the cores can hash, the excess is answered
// TooManyRequests instead of queueing until its connection times out.
var MaxHashWait = 10 * time.Second

// signInTickets bounds the password sign-ins under way to two per hash
// slot, so that an admitted one waits for its hash at most about one hash
// time: the queue is for the tickets, where the wait is bounded.
var signInTickets = make(chan struct{}, 2*cap(hashSlots))

var errHashQueueFull = newErr(KindTooManyRequests, "Too many sign-ins at once, please try again.")

// AdmitPasswordCheck waits, at most MaxHashWait and while ctx lasts, for
// one of the password sign-ins allowed at once, in arrival order; past
// that it refuses with KindTooManyRequests. Call release when the sign-in
// has checked its password.
func AdmitPasswordCheck(ctx context.Context) (release func(), err error) {
	release = func() { <-signInTickets }
	select {
	case signInTickets <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(MaxHashWait)
	defer t.Stop()
	select {
	case signInTickets <- struct{}{}:
		return release, nil
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, errHashQueueFull
}

// Argon2Params are the argon2id cost parameters of new password hashes.
// The default is OWASP's minimum (m=19 MiB, t=2, p=1): the cheapest setting
// OWASP accepts, chosen because sign-in throughput on a small machine is
// bounded by it, and every hash keeps its own parameters, so raising them
// later upgrades users at their next sign-in.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 is OWASP's minimum recommendation.
var DefaultArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	hashLen = 32

	maxArgonMemoryKiB = 256 << 10 // 256 MiB
	maxBcryptCost     = 14
)

// HashPassword returns a PHC-format argon2id hash:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	sum := idKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, hashLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, enc.EncodeToString(salt), enc.EncodeToString(sum)), nil
}

// CheckPassword reports whether password matches hash (argon2id, or an
// imported bcrypt hash) in constant time, and whether the hash should be
// replaced because it is not argon2id with the current parameters.
func CheckPassword(hash, password string, current Argon2Params) (ok, rehash bool) {
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		p, salt, sum, err := parseArgon2(hash)
		if err != nil {
			return false, false
		}
		got := idKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(sum)))
		ok = subtle.ConstantTimeCompare(got, sum) == 1
		return ok, ok && p != current
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost > maxBcryptCost {
			return false, false
		}
		ok = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
		return ok, ok
	}
	return false, false
}

func parseArgon2(hash string) (p Argon2Params, salt, sum []byte, err error) {
	parts := strings.Split(hash, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 {
		return p, nil, nil, fmt.Errorf("directory: malformed argon2id hash")
	}
	var v int
	if _, err = fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("directory: unsupported argon2 version")
	}
	if _, err = fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("directory: malformed argon2id parameters")
	}
	// Bounds keep an imported hash from costing seconds or gigabytes per
	// check: no sensible setting exceeds them.
	if p.MemoryKiB == 0 || p.MemoryKiB > maxArgonMemoryKiB || p.Time == 0 || p.Time > 16 || p.Threads == 0 || p.Threads > 16 {
		return p, nil, nil, fmt.Errorf("directory: argon2id parameters out of range")
	}
	enc := base64.RawStdEncoding
	if salt, err = enc.DecodeString(parts[4]); err != nil {
		return p, nil, nil, err
	}
	if sum, err = enc.DecodeString(parts[5]); err != nil || len(sum) < 16 {
		return p, nil, nil, fmt.Errorf("directory: malformed argon2id hash")
	}
	return p, salt, sum, nil
}

// symbols are Cognito's accepted special characters (and space).
const symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// ValidatePassword checks password against the pool's policy and answers
// with Cognito's InvalidPasswordException messages.
func ValidatePassword(policy storage.PasswordPolicy, password string) error {
	// Cognito's pattern ^[\S]+.*[\S]+$: no control whitespace anywhere, and
	// a space only inside the password, never leading or trailing.
	if password == "" || len(password) > 256 || strings.ContainsAny(password, "\t\n\r\v\f") ||
		password[0] == ' ' || password[len(password)-1] == ' ' {
		return newErr(KindInvalidParameter, "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$")
	}
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(symbols, r):
			symbol = true
		}
	}
	const prefix = "Password did not conform with policy: "
	switch {
	case len([]rune(password)) < policy.MinimumLength:
		return newErr(KindInvalidPassword, prefix+"Password not long enough")
	case policy.RequireLowercase && !lower:
		return newErr(KindInvalidPassword, prefix+"Password must have lowercase characters")
	case policy.RequireUppercase && !upper:
		return newErr(KindInvalidPassword, prefix+"Password must have uppercase characters")
	case policy.RequireNumbers && !digit:
		return newErr(KindInvalidPassword, prefix+"Password must have numeric characters")
	case policy.RequireSymbols && !symbol:
		return newErr(KindInvalidPassword, prefix+"Password must have symbol characters")
	}
	return nil
}

// alphabet for generated temporary passwords: unambiguous characters.
const (
	tmpUpper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	tmpLower  = "abcdefghijkmnopqrstuvwxyz"
	tmpDigits = "23456789"
	tmpSymbol = "^$*.!@#%&-_=+"
)

// GeneratePassword returns a random password that satisfies policy, for
// AdminCreateUser without a TemporaryPassword.
func GeneratePassword(policy storage.PasswordPolicy) string {
	n := max(policy.MinimumLength, 12)
	sets := []string{tmpUpper, tmpLower, tmpDigits, tmpSymbol}
	all := strings.Join(sets, "")
	out := make([]byte, 0, n)
	for _, s := range sets {
		out = append(out, s[randIndex(len(s))])
	}
	for len(out) < n {
		out = append(out, all[randIndex(len(all))])
	}
	for i := len(out) - 1; i > 0; i-- {
		j := randIndex(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}
