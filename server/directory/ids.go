package directory

import (
	"crypto/rand"
	"math/big"
	"regexp"
)

const (
	alnum      = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	lowerAlnum = "0123456789abcdefghijklmnopqrstuvwxyz"
)

func randIndex(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("directory: crypto/rand failed: " + err.Error())
	}
	return int(v.Int64())
}

func randString(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[randIndex(len(alphabet))]
	}
	return string(b)
}

// NewPoolID returns a Cognito-shaped pool id: {region}_{9 letters/digits}.
func NewPoolID(region string) string { return region + "_" + randString(alnum, 9) }

// NewClientID returns a 26-character client id, as Cognito's.
func NewClientID() string { return randString(lowerAlnum, 26) }

// NewClientSecret returns a 51-character client secret, as Cognito's.
func NewClientSecret() string { return randString(lowerAlnum, 51) }

var (
	poolIDPattern = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)
	regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
)

// ValidPoolID reports whether id has the shape of a pool id.
func ValidPoolID(id string) bool { return len(id) <= 55 && poolIDPattern.MatchString(id) }

// ValidRegion reports whether r looks like an AWS region (us-east-1).
func ValidRegion(r string) bool { return regionPattern.MatchString(r) }
