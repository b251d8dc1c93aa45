package directory

import (
	"context"
	"fmt"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// UserFilter is a parsed ListUsers filter, Cognito's
//
//	attribute = "value"    exact match
//	attribute ^= "value"   prefix match
//
// on one of FilterAttributes, the value in double quotes with \" and \\
// escaped. The zero UserFilter matches every user.
type UserFilter struct {
	Attribute string
	Prefix    bool
	Value     string
}

// FilterAttributes are the attributes ListUsers can filter on, as in
// Cognito: custom attributes are not searchable. status is "Enabled" or
// "Disabled"; cognito:user_status the user's status, matched without
// regard to case.
var FilterAttributes = []string{"username", "email", "phone_number", "name", "given_name", "family_name",
	"preferred_username", "cognito:user_status", "status", "sub"}

// ParseUserFilter parses a ListUsers filter; "" (or blanks) is no filter.
func ParseUserFilter(s string) (UserFilter, error) {
	bad := func(why string) (UserFilter, error) {
		return UserFilter{}, newErr(KindInvalidParameter, "Error while parsing filter: %s", why)
	}
	rest := strings.TrimSpace(s)
	if rest == "" {
		return UserFilter{}, nil
	}
	var f UserFilter
	end := strings.IndexAny(rest, " \t^=\"")
	if end <= 0 {
		return bad("expected an attribute name, an operator (= or ^=) and a quoted value")
	}
	f.Attribute, rest = rest[:end], strings.TrimLeft(rest[end:], " \t")
	switch {
	case strings.HasPrefix(rest, "^="):
		f.Prefix, rest = true, rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return bad("expected = or ^= after " + f.Attribute)
	}
	rest = strings.TrimLeft(rest, " \t")
	if !strings.HasPrefix(rest, `"`) {
		return bad("the value must be in double quotes")
	}
	var b strings.Builder
	closed := false
	i := 1
	for ; i < len(rest); i++ {
		c := rest[i]
		if c == '\\' {
			if i+1 == len(rest) {
				return bad("the value ends with an escape")
			}
			i++
			b.WriteByte(rest[i])
			continue
		}
		if c == '"' {
			closed = true
			i++
			break
		}
		b.WriteByte(c)
	}
	if !closed {
		return bad("the value's closing quote is missing")
	}
	if strings.TrimSpace(rest[i:]) != "" {
		return bad("unexpected text after the value")
	}
	f.Value = b.String()
	found := false
	for _, a := range FilterAttributes {
		if a == f.Attribute {
			found = true
		}
	}
	if !found {
		return UserFilter{}, newErr(KindInvalidParameter, "Invalid search attribute: %s. ListUsers can filter on %s.",
			f.Attribute, strings.Join(FilterAttributes, ", "))
	}
	return f, nil
}

// String is the filter in Cognito's syntax, as ParseUserFilter reads it.
func (f UserFilter) String() string {
	if f.Attribute == "" {
		return ""
	}
	op := "="
	if f.Prefix {
		op = "^="
	}
	v := strings.ReplaceAll(strings.ReplaceAll(f.Value, `\`, `\\`), `"`, `\"`)
	return fmt.Sprintf(`%s %s "%s"`, f.Attribute, op, v)
}

// Match reports whether u passes the filter.
func (f UserFilter) Match(u *storage.User) bool {
	if f.Attribute == "" {
		return true
	}
	var have string
	fold := false
	switch f.Attribute {
	case "username":
		have = u.Username
	case "status":
		have = "Disabled"
		if u.Enabled {
			have = "Enabled"
		}
	case "cognito:user_status":
		have, fold = u.Status, true
	default:
		v, ok := u.Attributes[f.Attribute]
		if !ok {
			return false
		}
		have = v
	}
	want := f.Value
	if fold {
		have, want = strings.ToLower(have), strings.ToLower(want)
	}
	if f.Prefix {
		return strings.HasPrefix(have, want)
	}
	return have == want
}

// listScanBudget bounds how many users one ListUsers call reads when a
// filter skips most of them. The store has no index on attributes, so a
// filtered listing walks the pool's users in sub order: each call reads at
// most this many, and when the budget runs out first it returns what it
// matched (perhaps nothing) with a token to go on from — as Cognito's own
// filtered pages may be short or empty with a token (its ListUsers
// documentation says to read until the token is null).
const listScanBudget = 1000

// ListUsers returns up to limit users of the pool that pass f, in sub
// order, after the cursor after (a sub; "" from the start). next is the
// cursor of the following page, "" at the end.
//
// Cost: without a filter it reads limit+1 users. A filter on username,
// email, phone_number or sub reads a range of an index (in key order, then
// sub: about limit+1 users); on another attribute it reads until limit
// users match or listScanBudget users were read, since that filtering
// happens here, over the store's pages, not in the store.
func (d *Directory) ListUsers(ctx context.Context, poolID string, f UserFilter, after string, limit int) (users []*storage.User, next string, err error) {
	pool, err := d.GetPool(ctx, poolID)
	if err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		limit = 60
	}
	if r, ok := f.keyRange(pool); ok {
		return d.listUsersByKey(ctx, poolID, f, r, after, limit)
	}
	budget := d.scanBudget
	if budget <= 0 {
		budget = listScanBudget
	}
	cursor := after
	for {
		size := min(max(limit+1, 100), budget)
		if f.Attribute == "" {
			size = limit + 1
		}
		page, err := d.store.ListUsers(ctx, poolID, cursor, size)
		if err != nil {
			return nil, "", err
		}
		for _, u := range page {
			budget--
			cursor = u.Sub
			if f.Match(u) {
				if len(users) == limit {
					// A further match: there is a next page.
					return users, users[limit-1].Sub, nil
				}
				users = append(users, u)
			}
			if budget == 0 {
				return users, cursor, nil
			}
		}
		if len(page) < size {
			return users, "", nil
		}
	}
}

// keyRange is the range of an indexed user key that holds every user f can
// match, if f's attribute has an index. The range may hold more (the email
// key is case-folded, the username key too in pools that ignore case):
// Match still decides.
func (f UserFilter) keyRange(pool *storage.Pool) (storage.UserKeyRange, bool) {
	var r storage.UserKeyRange
	v := f.Value
	switch f.Attribute {
	case "email":
		r.Key, v = storage.KeyEmail, storage.LowerASCII(v)
	case "phone_number":
		r.Key = storage.KeyPhone
	case "username":
		// Per rune, so a lower-cased prefix is a prefix of the lower-cased
		// username.
		r.Key, v = storage.KeyUsername, normUsername(pool, v)
	case "sub":
		r.Key = storage.KeySub
	default:
		return r, false
	}
	r.From, r.To = v, v+"\x00" // = v: v and nothing longer
	if f.Prefix {
		r.To = storage.PrefixEnd(v)
	}
	return r, true
}

// listUsersByKey pages through the index range r. Its cursor is the last
// user's key and sub, separated by a NUL (a sub has none).
func (d *Directory) listUsersByKey(ctx context.Context, poolID string, f UserFilter, r storage.UserKeyRange, after string, limit int) (users []*storage.User, next string, err error) {
	if after != "" {
		i := strings.LastIndexByte(after, 0)
		if i < 0 {
			return nil, "", newErr(KindInvalidParameter, "Invalid pagination token.")
		}
		r.AfterKey, r.AfterSub = after[:i], after[i+1:]
	}
	budget := d.scanBudget
	if budget <= 0 {
		budget = listScanBudget
	}
	for {
		size := min(limit+1, budget)
		page, err := d.store.ListUsersByKey(ctx, poolID, r, size)
		if err != nil {
			return nil, "", err
		}
		for _, u := range page {
			budget--
			r.AfterKey, _ = storage.UserKeyOf(u, r.Key)
			r.AfterSub = u.Sub
			if f.Match(u) {
				if len(users) == limit {
					return users, cursorOf(users[limit-1], r.Key), nil
				}
				users = append(users, u)
			}
			if budget == 0 {
				return users, r.AfterKey + "\x00" + r.AfterSub, nil
			}
		}
		if len(page) < size {
			return users, "", nil
		}
	}
}

func cursorOf(u *storage.User, k storage.UserKey) string {
	key, _ := storage.UserKeyOf(u, k)
	return key + "\x00" + u.Sub
}
