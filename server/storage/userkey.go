package storage

// UserKey names an indexed key of users that ListUsers filters can read a
// range of instead of the whole pool.
type UserKey int

const (
	// KeyEmail is the email attribute with ASCII letters lower-cased (the
	// index is case-folded the way SQLite's lower() folds: ASCII only).
	KeyEmail UserKey = iota + 1
	// KeyPhone is the phone_number attribute as stored.
	KeyPhone
	// KeyUsername is the UsernameKey (the username, lower-cased in pools
	// that ignore case).
	KeyUsername
	// KeySub is the sub.
	KeySub
)

// UserKeyRange selects the users whose key k has From <= k < To (no upper
// bound when To is ""), positioned after (AfterKey, AfterSub) in (key, sub)
// order when AfterSub is not "". Users without the attribute have no key
// and are never selected.
type UserKeyRange struct {
	Key                UserKey
	From, To           string
	AfterKey, AfterSub string
}

// UserKeyOf is u's key of the given kind and whether u has one; the store
// indexes exactly these values.
func UserKeyOf(u *User, k UserKey) (string, bool) {
	switch k {
	case KeyEmail:
		v, ok := u.Attributes["email"]
		return LowerASCII(v), ok
	case KeyPhone:
		v, ok := u.Attributes["phone_number"]
		return v, ok
	case KeyUsername:
		return u.UsernameKey, true
	case KeySub:
		return u.Sub, true
	}
	return "", false
}

// LowerASCII lower-cases the ASCII letters of s and leaves every other byte
// alone, as SQLite's lower() does without ICU.
func LowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// PrefixEnd is the least string greater than every string that starts with
// p, "" when there is none (p is empty or all 0xff bytes).
func PrefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}
