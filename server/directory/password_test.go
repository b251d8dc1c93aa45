package directory

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

func TestValidatePassword(t *testing.T) {
	const prefix = "Password did not conform with policy: "
	relaxed := storage.PasswordPolicy{MinimumLength: 6}
	tests := []struct {
		name     string
		policy   storage.PasswordPolicy
		password string
		kind     Kind
		msg      string
	}{
		{name: "default policy met", policy: DefaultPasswordPolicy, password: "Passw0rd!"},
		{name: "exactly minimum length", policy: DefaultPasswordPolicy, password: "Pa0!abcd"},
		{name: "too short", policy: DefaultPasswordPolicy, password: "Pa0!abc", kind: KindInvalidPassword, msg: prefix + "Password not long enough"},
		{name: "length counts characters not bytes", policy: storage.PasswordPolicy{MinimumLength: 8}, password: "ééééééé", kind: KindInvalidPassword, msg: prefix + "Password not long enough"},
		{name: "eight multibyte characters", policy: storage.PasswordPolicy{MinimumLength: 8}, password: "éééééééé"},
		{name: "no lowercase", policy: DefaultPasswordPolicy, password: "PASSW0RD!", kind: KindInvalidPassword, msg: prefix + "Password must have lowercase characters"},
		{name: "no uppercase", policy: DefaultPasswordPolicy, password: "passw0rd!", kind: KindInvalidPassword, msg: prefix + "Password must have uppercase characters"},
		{name: "no number", policy: DefaultPasswordPolicy, password: "Password!", kind: KindInvalidPassword, msg: prefix + "Password must have numeric characters"},
		{name: "no symbol", policy: DefaultPasswordPolicy, password: "Passw0rdX", kind: KindInvalidPassword, msg: prefix + "Password must have symbol characters"},
		{name: "inner space is a symbol", policy: DefaultPasswordPolicy, password: "Passw0rd x"},
		{name: "letter is not a symbol", policy: storage.PasswordPolicy{MinimumLength: 6, RequireSymbols: true}, password: "abcdefg", kind: KindInvalidPassword, msg: prefix + "Password must have symbol characters"},
		{name: "non-ASCII punctuation is not a symbol", policy: storage.PasswordPolicy{MinimumLength: 6, RequireSymbols: true}, password: "abcdef§", kind: KindInvalidPassword},
		{name: "length checked first", policy: DefaultPasswordPolicy, password: "abc", kind: KindInvalidPassword, msg: prefix + "Password not long enough"},
		{name: "relaxed policy", policy: relaxed, password: "abcdef"},
		{name: "relaxed policy too short", policy: relaxed, password: "abcde", kind: KindInvalidPassword},
		{name: "only numbers required", policy: storage.PasswordPolicy{MinimumLength: 6, RequireNumbers: true}, password: "abcdef1"},
		{name: "empty", policy: relaxed, password: "", kind: KindInvalidParameter},
		{name: "tab", policy: relaxed, password: "abc\tdef", kind: KindInvalidParameter},
		{name: "newline", policy: relaxed, password: "abcdef\n", kind: KindInvalidParameter},
		// Cognito's pattern ^[\S]+.*[\S]+$: a space may not lead or trail.
		{name: "leading space", policy: relaxed, password: " abcdef", kind: KindInvalidParameter},
		{name: "trailing space", policy: relaxed, password: "abcdef ", kind: KindInvalidParameter},
		{name: "256 characters", policy: relaxed, password: strings.Repeat("a", 256)},
		{name: "257 characters", policy: relaxed, password: strings.Repeat("a", 257), kind: KindInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePassword(tt.policy, tt.password)
			wantKind(t, err, tt.kind)
			if tt.msg != "" && err.Error() != tt.msg {
				t.Fatalf("message %q, want %q", err, tt.msg)
			}
		})
	}
}

func TestValidatePasswordEverySymbol(t *testing.T) {
	policy := storage.PasswordPolicy{MinimumLength: 6, RequireSymbols: true}
	for _, r := range `^$*.[]{}()?"!@#%&/\,><':;|_~` + "`=+-" {
		if err := ValidatePassword(policy, "abc"+string(r)+"def"); err != nil {
			t.Errorf("symbol %q refused: %v", r, err)
		}
	}
}

func TestHashPassword(t *testing.T) {
	hash, err := HashPassword("Passw0rd!", DefaultArgon2)
	if err != nil {
		t.Fatal(err)
	}
	// $argon2id$v=19$m=19456,t=2,p=1$<22 chars salt>$<43 chars hash>
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" || parts[3] != "m=19456,t=2,p=1" ||
		len(parts[4]) != 22 || len(parts[5]) != 43 {
		t.Fatalf("not a PHC argon2id hash: %s", hash)
	}
	again, _ := HashPassword("Passw0rd!", DefaultArgon2)
	if again == hash {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	if ok, rehash := CheckPassword(hash, "Passw0rd!", DefaultArgon2); !ok || rehash {
		t.Fatalf("CheckPassword = %v, %v; want true, false", ok, rehash)
	}
}

func TestCheckPassword(t *testing.T) {
	cheap, err := HashPassword("Passw0rd!", cheapArgon)
	if err != nil {
		t.Fatal(err)
	}
	bcryptHash, err := bcrypt.GenerateFromPassword([]byte("Passw0rd!"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	b := string(bcryptHash)
	other := Argon2Params{MemoryKiB: 2048, Time: 1, Threads: 1}
	withParams := func(p string) string {
		parts := strings.Split(cheap, "$")
		parts[3] = p
		return strings.Join(parts, "$")
	}
	tests := []struct {
		name       string
		hash       string
		password   string
		current    Argon2Params
		ok, rehash bool
	}{
		{name: "argon2id right password", hash: cheap, password: "Passw0rd!", current: cheapArgon, ok: true},
		{name: "argon2id wrong password", hash: cheap, password: "Passw0rd?", current: cheapArgon},
		{name: "argon2id empty password", hash: cheap, password: "", current: cheapArgon},
		{name: "argon2id other params asks rehash", hash: cheap, password: "Passw0rd!", current: other, ok: true, rehash: true},
		{name: "argon2id other params wrong password no rehash", hash: cheap, password: "nope", current: other},
		{name: "bcrypt 2a right password asks rehash", hash: b, password: "Passw0rd!", current: cheapArgon, ok: true, rehash: true},
		{name: "bcrypt 2b right password", hash: strings.Replace(b, "$2a$", "$2b$", 1), password: "Passw0rd!", current: cheapArgon, ok: true, rehash: true},
		{name: "bcrypt 2y right password", hash: strings.Replace(b, "$2a$", "$2y$", 1), password: "Passw0rd!", current: cheapArgon, ok: true, rehash: true},
		{name: "bcrypt wrong password", hash: b, password: "Passw0rd?", current: cheapArgon},
		{name: "bcrypt truncated", hash: b[:len(b)-5], password: "Passw0rd!", current: cheapArgon},
		{name: "bcrypt prefix only", hash: "$2a$", password: "Passw0rd!", current: cheapArgon},
		{name: "empty hash", hash: "", password: "", current: cheapArgon},
		{name: "unknown scheme", hash: "$1$abc$def", password: "Passw0rd!", current: cheapArgon},
		{name: "plain text is not a hash", hash: "Passw0rd!", password: "Passw0rd!", current: cheapArgon},
		{name: "argon2i is refused", hash: strings.Replace(cheap, "argon2id", "argon2i", 1), password: "Passw0rd!", current: cheapArgon},
		{name: "argon2id truncated", hash: cheap[:len(cheap)-10], password: "Passw0rd!", current: cheapArgon},
		{name: "argon2id no hash part", hash: strings.Join(strings.Split(cheap, "$")[:5], "$"), password: "Passw0rd!", current: cheapArgon},
		{name: "argon2id extra part", hash: cheap + "$x", password: "Passw0rd!", current: cheapArgon},
		{name: "argon2id wrong version", hash: strings.Replace(cheap, "v=19", "v=16", 1), password: "Passw0rd!", current: cheapArgon},
		{name: "argon2id zero memory", hash: withParams("m=0,t=1,p=1"), password: "Passw0rd!", current: cheapArgon},
		{name: "argon2id zero time", hash: withParams("m=1024,t=0,p=1"), password: "Passw0rd!", current: cheapArgon},
		{name: "argon2id zero threads", hash: withParams("m=1024,t=1,p=0"), password: "Passw0rd!", current: cheapArgon},
		{name: "argon2id threads overflow", hash: withParams("m=1024,t=1,p=256"), password: "Passw0rd!", current: cheapArgon},
		{name: "argon2id huge memory", hash: withParams("m=99999999,t=1,p=1"), password: "Passw0rd!", current: cheapArgon},
		{name: "argon2id huge time", hash: withParams("m=1024,t=65,p=1"), password: "Passw0rd!", current: cheapArgon},
		{name: "argon2id garbage params", hash: withParams("m=x,t=1,p=1"), password: "Passw0rd!", current: cheapArgon},
		{name: "argon2id bad salt base64", hash: strings.Replace(cheap, strings.Split(cheap, "$")[4], "!!!!", 1), password: "Passw0rd!", current: cheapArgon},
		{name: "argon2id short hash", hash: strings.Replace(cheap, strings.Split(cheap, "$")[5], "AAAA", 1), password: "Passw0rd!", current: cheapArgon},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash := CheckPassword(tt.hash, tt.password, tt.current)
			if ok != tt.ok || rehash != tt.rehash {
				t.Fatalf("CheckPassword = %v, %v; want %v, %v", ok, rehash, tt.ok, tt.rehash)
			}
		})
	}
}

// TestCheckPasswordFlipsEveryHashByte: changing any byte of the stored hash
// value makes the right password fail, so the whole digest is compared.
func TestCheckPasswordFlipsEveryHashByte(t *testing.T) {
	hash, _ := HashPassword("Passw0rd!", cheapArgon)
	i := strings.LastIndexByte(hash, '$') + 1
	for ; i < len(hash)-1; i++ { // the last character carries padding bits
		b := []byte(hash)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		if ok, _ := CheckPassword(string(b), "Passw0rd!", cheapArgon); ok {
			t.Fatalf("hash with byte %d changed still matches", i)
		}
	}
}

func TestDirectoryCheckPassword(t *testing.T) {
	td := newTestDir(t)
	hash, _ := td.HashPassword("Passw0rd!")
	if ok, rehash := td.CheckPassword(&storage.User{PasswordHash: hash}, "Passw0rd!"); !ok || rehash {
		t.Fatalf("own hash: %v, %v", ok, rehash)
	}
	// A user without a password never matches, not even the empty one.
	if ok, _ := td.CheckPassword(&storage.User{}, ""); ok {
		t.Fatal("user without a password matched")
	}
}

func TestGeneratePasswordSatisfiesPolicy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	policies := []storage.PasswordPolicy{DefaultPasswordPolicy, {MinimumLength: 99, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}}
	for range 300 {
		policies = append(policies, storage.PasswordPolicy{
			MinimumLength:    6 + rng.IntN(94),
			RequireUppercase: rng.IntN(2) == 0,
			RequireLowercase: rng.IntN(2) == 0,
			RequireNumbers:   rng.IntN(2) == 0,
			RequireSymbols:   rng.IntN(2) == 0,
		})
	}
	seen := map[string]bool{}
	for _, p := range policies {
		for range 5 {
			pw := GeneratePassword(p)
			if err := ValidatePassword(p, pw); err != nil {
				t.Fatalf("policy %+v: generated %q: %v", p, pw, err)
			}
			if len(pw) < max(p.MinimumLength, 12) {
				t.Fatalf("policy %+v: generated %q shorter than %d", p, pw, max(p.MinimumLength, 12))
			}
			if seen[pw] {
				t.Fatalf("generated %q twice", pw)
			}
			seen[pw] = true
		}
	}
}

// FuzzCheckPassword: whatever a stored hash holds (an imported, truncated or
// corrupted value), checking a password against it never panics, and only
// a well-formed hash can match.
func FuzzCheckPassword(f *testing.F) {
	argon, err := HashPassword("Passw0rd!", cheapArgon)
	if err != nil {
		f.Fatal(err)
	}
	b, err := bcrypt.GenerateFromPassword([]byte("Passw0rd!"), bcrypt.MinCost)
	if err != nil {
		f.Fatal(err)
	}
	seeds := []string{argon, string(b), argon[:len(argon)/2], string(b[:len(b)/2]), argon[:11], string(b[:7]),
		"$argon2id$", "$argon2id$v=19$m=1024,t=1,p=1$$", "$2a$04$", ""}
	for _, s := range seeds {
		f.Add(s, "Passw0rd!")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, hash, password string) {
		if tooCostly(hash) {
			t.Skip("cost parameters too high for a fuzz iteration")
		}
		ok, rehash := CheckPassword(hash, password, cheapArgon)
		if rehash && !ok {
			t.Fatalf("rehash without a match for %q", hash)
		}
		if ok && !strings.HasPrefix(hash, "$argon2id$") && !strings.HasPrefix(hash, "$2") {
			t.Fatalf("matched a hash of no known scheme: %q", hash)
		}
	})
}

// tooCostly keeps the fuzzer away from valid but expensive parameters
// (argon2id memory up to 4 GiB, bcrypt cost up to 31): they are slow by
// design, not a bug.
func tooCostly(hash string) bool {
	if strings.HasPrefix(hash, "$argon2id$") {
		p, _, _, err := parseArgon2(hash)
		return err == nil && uint64(p.MemoryKiB)*uint64(p.Time) > 64*1024
	}
	if strings.HasPrefix(hash, "$2") {
		cost, err := bcrypt.Cost([]byte(hash))
		return err == nil && cost > 6
	}
	return false
}

func ExampleHashPassword() {
	hash, _ := HashPassword("Passw0rd!", Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1})
	fmt.Println(strings.Join(strings.Split(hash, "$")[:4], "$"))
	// Output: $argon2id$v=19$m=1024,t=1,p=1
}
