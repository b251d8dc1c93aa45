package directory

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse-id/gatehouse/server/srp"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// NewUser describes a user to create.
type NewUser struct {
	Username   string
	Attributes map[string]string
	// Password is set as given; with Temporary the user must change it at
	// the next sign-in (FORCE_CHANGE_PASSWORD).
	Password  string
	Temporary bool
	// Status of the new user: UNCONFIRMED after sign-up, CONFIRMED, or
	// FORCE_CHANGE_PASSWORD (implied by Temporary).
	Status string
	// ForceAlias takes a verified email or phone alias from the user who
	// holds it (Cognito's ForceAliasCreation) instead of refusing with
	// AliasExists.
	ForceAlias bool
}

// UsesEmailAsUsername reports whether users of the pool sign in with an
// email address instead of a username.
func UsesEmailAsUsername(p *storage.Pool) bool { return slices.Contains(p.UsernameAttributes, "email") }

// UsesPhoneAsUsername reports whether users sign in with a phone number.
func UsesPhoneAsUsername(p *storage.Pool) bool {
	return slices.Contains(p.UsernameAttributes, "phone_number")
}

// normUsername is the lookup key of a username in the pool.
func normUsername(p *storage.Pool, name string) string {
	if p.CaseSensitive {
		return name
	}
	return strings.ToLower(name)
}

// setKeys derives a user's unique lookup keys from the pool's settings:
// email and phone are keys when they are usernames, or verified aliases,
// of users who are not federated.
func setKeys(p *storage.Pool, u *storage.User) {
	u.UsernameKey = normUsername(p, u.Username)
	u.EmailKey, u.PhoneKey = "", ""
	if u.Status == storage.StatusExternalProvider {
		// A federated user signs in upstream, never by email or phone, and
		// may share them with a native user (the one it may be linked to).
		return
	}
	if email := u.Attributes["email"]; email != "" {
		if UsesEmailAsUsername(p) || slices.Contains(p.AliasAttributes, "email") && u.Attributes["email_verified"] == "true" {
			u.EmailKey = strings.ToLower(email)
		}
	}
	if phone := u.Attributes["phone_number"]; phone != "" {
		if UsesPhoneAsUsername(p) || slices.Contains(p.AliasAttributes, "phone_number") && u.Attributes["phone_number_verified"] == "true" {
			u.PhoneKey = phone
		}
	}
}

// CreateUser validates and stores a new user.
func (d *Directory) CreateUser(ctx context.Context, pool *storage.Pool, nu NewUser) (*storage.User, error) {
	if !runesWithin(nu.Username, 128, printable) {
		return nil, newErr(KindInvalidParameter, "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
	}
	attrs := maps.Clone(nu.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	if _, ok := attrs["sub"]; ok {
		return nil, newErr(KindInvalidParameter, "Cannot modify the non-mutable attribute sub")
	}
	sub := uuid.NewString()
	username := nu.Username
	if len(pool.UsernameAttributes) > 0 {
		// Email or phone is the username: Cognito stores the sub as the
		// username and the address as the attribute.
		switch {
		case UsesEmailAsUsername(pool) && strings.Contains(username, "@"):
			if attrs["email"] != "" && !strings.EqualFold(attrs["email"], username) {
				return nil, newErr(KindInvalidParameter, "Username and email attribute do not match")
			}
			attrs["email"] = username
		case UsesPhoneAsUsername(pool) && strings.HasPrefix(username, "+"):
			if attrs["phone_number"] != "" && attrs["phone_number"] != username {
				return nil, newErr(KindInvalidParameter, "Username and phone_number attribute do not match")
			}
			attrs["phone_number"] = username
		default:
			return nil, newErr(KindInvalidParameter, "Username should be either an email or a phone number.")
		}
		username = sub
	} else if slices.Contains(pool.AliasAttributes, "email") && strings.Contains(username, "@") {
		return nil, newErr(KindInvalidParameter, "Username cannot be of email format, since user pool is configured for email alias.")
	}
	if err := validateAttributes(pool, attrs, true); err != nil {
		return nil, err
	}
	var missing []string
	for _, name := range RequiredAttributes(pool) {
		if attrs[name] == "" {
			missing = append(missing, name+": The attribute "+name+" is required")
		}
	}
	if len(missing) > 0 {
		return nil, newErr(KindInvalidParameter, "Attributes did not conform to the schema: %s", strings.Join(missing, "\n"))
	}
	now := d.Now()
	u := &storage.User{
		PoolID: pool.ID, Sub: sub, Username: username, Enabled: true, Attributes: attrs,
		Status: nu.Status, CreatedAt: now, UpdatedAt: now,
	}
	attrs["sub"] = sub
	if nu.Temporary {
		u.Status = storage.StatusForceChangePassword
	}
	if u.Status == "" {
		u.Status = storage.StatusConfirmed
	}
	if nu.Password != "" {
		if err := ValidatePassword(pool.PasswordPolicy, nu.Password); err != nil {
			return nil, err
		}
		if err := d.storePassword(pool, u, nu.Password); err != nil {
			return nil, err
		}
	}
	setKeys(pool, u)
	err := d.store.InTx(ctx, func(ctx context.Context) error {
		if nu.ForceAlias {
			if err := d.TakeAliases(ctx, pool, u); err != nil {
				return err
			}
		}
		if err := d.checkKeysFree(ctx, pool, u); err != nil {
			return err
		}
		return d.store.CreateUser(ctx, u)
	})
	if errors.Is(err, storage.ErrAlreadyExists) {
		return nil, newErr(KindUsernameExists, "User account already exists")
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// checkKeysFree finds which of u's keys another user holds, to answer with
// the right error; the unique indexes stay the final guard.
func (d *Directory) checkKeysFree(ctx context.Context, pool *storage.Pool, u *storage.User) error {
	taken := func(other *storage.User, err error) (bool, error) {
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return other.Sub != u.Sub, nil
	}
	if t, err := taken(d.store.GetUserByUsernameKey(ctx, pool.ID, u.UsernameKey)); err != nil || t {
		if err == nil {
			err = newErr(KindUsernameExists, "User account already exists")
		}
		return err
	}
	if u.EmailKey != "" {
		if t, err := taken(d.store.GetUserByEmailKey(ctx, pool.ID, u.EmailKey)); err != nil || t {
			if err == nil && UsesEmailAsUsername(pool) {
				err = newErr(KindUsernameExists, "An account with the given email already exists.")
			} else if err == nil {
				err = newErr(KindAliasExists, "An account with the given email already exists.")
			}
			return err
		}
	}
	if u.PhoneKey != "" {
		if t, err := taken(d.store.GetUserByPhoneKey(ctx, pool.ID, u.PhoneKey)); err != nil || t {
			if err == nil && UsesPhoneAsUsername(pool) {
				err = newErr(KindUsernameExists, "An account with the given phone_number already exists.")
			} else if err == nil {
				err = newErr(KindAliasExists, "An account with the given phone_number already exists.")
			}
			return err
		}
	}
	return nil
}

// TakeAliases moves u's verified email and phone aliases from any other
// user who holds them: that user's address stays but becomes unverified,
// so it no longer signs them in (Cognito's ForceAliasCreation). Addresses
// that are usernames (UsernameAttributes) are never taken. Call it inside
// the transaction that stores u.
func (d *Directory) TakeAliases(ctx context.Context, pool *storage.Pool, u *storage.User) error {
	setKeys(pool, u)
	for _, a := range []struct {
		attr, key string
		username  bool
		get       func(ctx context.Context, poolID, key string) (*storage.User, error)
	}{
		{"email", u.EmailKey, UsesEmailAsUsername(pool), d.store.GetUserByEmailKey},
		{"phone_number", u.PhoneKey, UsesPhoneAsUsername(pool), d.store.GetUserByPhoneKey},
	} {
		if a.key == "" || a.username {
			continue
		}
		other, err := a.get(ctx, pool.ID, a.key)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if other.Sub == u.Sub {
			continue
		}
		other.Attributes = maps.Clone(other.Attributes)
		other.Attributes[a.attr+"_verified"] = "false"
		setKeys(pool, other)
		other.UpdatedAt = d.Now()
		if err := d.store.UpdateUser(ctx, other); err != nil {
			return err
		}
	}
	return nil
}

// Writable reports whether a client lets its users write an attribute
// (SignUp, UpdateUserAttributes, DeleteUserAttributes): those of its
// WriteAttributes or, when it names none, every attribute but the
// verification flags, which only a code or an administrator sets. A nil
// client is an administrator, who may write any.
func Writable(c *storage.Client, name string) bool {
	switch {
	case c == nil:
		return true
	case len(c.WriteAttributes) > 0:
		return slices.Contains(c.WriteAttributes, name)
	}
	return name != "email_verified" && name != "phone_number_verified"
}

// ErrUnauthorizedAttribute refuses an attribute the client may not write.
var ErrUnauthorizedAttribute = &Error{Kind: KindNotAuthorized, Msg: "A client attempted to write unauthorized attribute"}

// FindUser looks a user up by what they type to sign in: the username, or
// the email or phone number when the pool uses them as usernames or aliases.
func (d *Directory) FindUser(ctx context.Context, pool *storage.Pool, name string) (*storage.User, error) {
	if name == "" {
		return nil, newErr(KindUserNotFound, "User does not exist.")
	}
	u, err := d.store.GetUserByUsernameKey(ctx, pool.ID, normUsername(pool, name))
	if errors.Is(err, storage.ErrNotFound) && strings.Contains(name, "@") {
		u, err = d.store.GetUserByEmailKey(ctx, pool.ID, strings.ToLower(name))
	}
	if errors.Is(err, storage.ErrNotFound) && strings.HasPrefix(name, "+") {
		u, err = d.store.GetUserByPhoneKey(ctx, pool.ID, name)
	}
	if err != nil {
		return nil, notFound(err, KindUserNotFound, "User does not exist.")
	}
	return u, nil
}

// GetUserBySub returns a user by sub.
func (d *Directory) GetUserBySub(ctx context.Context, poolID, sub string) (*storage.User, error) {
	u, err := d.store.GetUserBySub(ctx, poolID, sub)
	if err != nil {
		return nil, notFound(err, KindUserNotFound, "User does not exist.")
	}
	return u, nil
}

// HashPassword hashes with the directory's argon2id parameters.
func (d *Directory) HashPassword(password string) (string, error) {
	return HashPassword(password, d.argon)
}

// CheckPassword verifies a user's password; rehash says the stored hash
// should be upgraded to the current parameters.
func (d *Directory) CheckPassword(u *storage.User, password string) (ok, rehash bool) {
	if u.PasswordHash == "" {
		// Spend the same time as a real check, so that a user without a
		// password cannot be told apart by timing.
		d.BurnPasswordCheck(password)
		return false, false
	}
	return CheckPassword(u.PasswordHash, password, d.argon)
}

// BurnPasswordCheck costs what a password check costs, for unknown users.
// The dummy hash is made once per directory, with its own parameters, so
// that concurrent sign-ins do not race on it and the cost matches.
func (d *Directory) BurnPasswordCheck(password string) {
	d.dummyOnce.Do(func() { d.dummyHash, _ = HashPassword("gatehouse-dummy-password", d.argon) })
	CheckPassword(d.dummyHash, password, d.argon)
}

// SetPassword sets a user's password after checking the pool's policy;
// permanent confirms the user, otherwise they must change it at the next
// sign-in. The caller stores u.
func (d *Directory) SetPassword(pool *storage.Pool, u *storage.User, password string, permanent bool) error {
	if err := ValidatePassword(pool.PasswordPolicy, password); err != nil {
		return err
	}
	if err := d.storePassword(pool, u, password); err != nil {
		return err
	}
	u.FailedSignIns = 0
	u.LockedUntil = time.Time{}
	if permanent {
		if u.Status != storage.StatusExternalProvider {
			u.Status = storage.StatusConfirmed
		}
	} else {
		u.Status = storage.StatusForceChangePassword
	}
	return nil
}

// storePassword puts a password's argon2id hash and its SRP verifier on u.
func (d *Directory) storePassword(pool *storage.Pool, u *storage.User, password string) error {
	hash, err := d.HashPassword(password)
	if err != nil {
		return err
	}
	u.PasswordHash, u.PasswordSet = hash, d.Now()
	return d.SetSRPVerifier(pool, u, password)
}

// SetSRPVerifier computes the SRP salt and verifier of password for u and
// seals the verifier (it allows an offline guess at the password, so it is
// kept like a secret). The caller stores u.
func (d *Directory) SetSRPVerifier(pool *storage.Pool, u *storage.User, password string) error {
	salt, v, err := srp.Verifier(pool.ID, u.Username, password)
	if err != nil {
		return err
	}
	sealed, err := d.sealer.Seal(v, "srp-verifier:"+pool.ID+":"+u.Sub)
	if err != nil {
		return err
	}
	u.SRPSalt, u.SRPVerifier = salt, sealed
	return nil
}

// SRPVerifier opens u's SRP salt and verifier; ok is false when the user
// has none (no password yet, or one set before SRP existed).
func (d *Directory) SRPVerifier(pool *storage.Pool, u *storage.User) (salt, verifier []byte, ok bool) {
	if len(u.SRPSalt) == 0 || len(u.SRPVerifier) == 0 {
		return nil, nil, false
	}
	v, err := d.sealer.Open(u.SRPVerifier, "srp-verifier:"+pool.ID+":"+u.Sub)
	if err != nil {
		return nil, nil, false
	}
	return u.SRPSalt, v, true
}

// SaveUser stores a changed user (optimistic: a concurrent change wins and
// this one fails with storage.ErrConflict).
func (d *Directory) SaveUser(ctx context.Context, pool *storage.Pool, u *storage.User) error {
	setKeys(pool, u)
	u.UpdatedAt = d.Now()
	return d.store.InTx(ctx, func(ctx context.Context) error {
		if err := d.checkKeysFree(ctx, pool, u); err != nil {
			return err
		}
		return d.store.UpdateUser(ctx, u)
	})
}

// UpdateAttributes validates and applies attribute changes to u (not yet
// stored). A changed email or phone number becomes unverified unless the
// caller verifies it in the same change. An empty value removes the
// attribute, as Cognito's UpdateUserAttributes and
// AdminUpdateUserAttributes do; removing an email or phone number removes
// its verification too.
func (d *Directory) UpdateAttributes(pool *storage.Pool, u *storage.User, attrs map[string]string) error {
	if err := validateAttributes(pool, attrs, false); err != nil {
		return err
	}
	required := RequiredAttributes(pool)
	for name, value := range attrs {
		// An empty value would delete the attribute, which DeleteAttributes
		// refuses for a required one.
		if value == "" && slices.Contains(required, name) {
			return newErr(KindInvalidParameter, "Attributes did not conform to the schema: %s: The attribute %s is required", name, name)
		}
	}
	for name, value := range attrs {
		if value == "" {
			delete(u.Attributes, name)
			if name == "email" || name == "phone_number" {
				delete(u.Attributes, name+"_verified")
			}
			continue
		}
		if (name == "email" || name == "phone_number") && u.Attributes[name] != value {
			if _, given := attrs[name+"_verified"]; !given {
				u.Attributes[name+"_verified"] = "false"
			}
		}
		u.Attributes[name] = value
	}
	return nil
}

// DeleteAttributes removes attributes from u (not yet stored); required
// and immutable attributes cannot be removed. It checks every name before
// it removes any, so a refused call leaves u as it was.
func (d *Directory) DeleteAttributes(pool *storage.Pool, u *storage.User, names []string) error {
	required := RequiredAttributes(pool)
	for _, name := range names {
		attr, ok := schemaAttr(pool, name)
		switch {
		case !ok:
			return newErr(KindInvalidParameter, "Attribute does not exist in the schema.\n")
		case slices.Contains(required, name):
			return newErr(KindInvalidParameter, "Cannot delete the required attribute %s", name)
		case !attr.Mutable || name == "sub" || name == "identities":
			return newErr(KindInvalidParameter, "Cannot modify the non-mutable attribute %s", name)
		}
	}
	for _, name := range names {
		delete(u.Attributes, name)
		if name == "email" || name == "phone_number" {
			delete(u.Attributes, name+"_verified")
		}
	}
	return nil
}

// DeleteUser deletes a user and everything that hangs off them.
func (d *Directory) DeleteUser(ctx context.Context, poolID, sub string) error {
	return notFound(d.store.DeleteUser(ctx, poolID, sub), KindUserNotFound, "User does not exist.")
}

// ---- groups ----

// CreateGroup validates and stores a group.
func (d *Directory) CreateGroup(ctx context.Context, g *storage.Group) error {
	if _, err := d.GetPool(ctx, g.PoolID); err != nil {
		return err
	}
	if !runesWithin(g.Name, 128, printable) {
		return newErr(KindInvalidParameter, "GroupName must be 1 to 128 printable characters")
	}
	if err := validateGroup(g); err != nil {
		return err
	}
	now := d.Now()
	g.CreatedAt, g.UpdatedAt = now, now
	err := d.store.CreateGroup(ctx, g)
	if errors.Is(err, storage.ErrAlreadyExists) {
		return newErr(KindGroupExists, "A group with the name %s already exists.", g.Name)
	}
	return err
}

// UpdateGroup validates and stores a group's new description, role and
// precedence; the name names it.
func (d *Directory) UpdateGroup(ctx context.Context, g *storage.Group) error {
	if err := validateGroup(g); err != nil {
		return err
	}
	old, err := d.GetGroup(ctx, g.PoolID, g.Name)
	if err != nil {
		return err
	}
	g.CreatedAt, g.UpdatedAt = old.CreatedAt, d.Now()
	return notFound(d.store.UpdateGroup(ctx, g), KindResourceNotFound, "Group not found.")
}

// GetGroup returns a group of the pool.
func (d *Directory) GetGroup(ctx context.Context, poolID, name string) (*storage.Group, error) {
	g, err := d.store.GetGroup(ctx, poolID, name)
	if err != nil {
		return nil, notFound(err, KindResourceNotFound, "Group not found.")
	}
	return g, nil
}

// AddUserToGroup makes the user a member of the group (again: no error);
// a user may belong to at most MaxGroupsPerUser groups.
func (d *Directory) AddUserToGroup(ctx context.Context, poolID, group, sub string) error {
	if _, err := d.GetGroup(ctx, poolID, group); err != nil {
		return err
	}
	return d.store.InTx(ctx, func(ctx context.Context) error {
		groups, err := d.store.ListGroupsForUser(ctx, poolID, sub)
		if err != nil {
			return err
		}
		if len(groups) >= MaxGroupsPerUser && !slices.ContainsFunc(groups, func(g *storage.Group) bool { return g.Name == group }) {
			return newErr(KindLimitExceeded, "A user can belong to at most %d groups.", MaxGroupsPerUser)
		}
		err = d.store.AddUserToGroup(ctx, poolID, group, sub)
		if errors.Is(err, storage.ErrNotFound) {
			return newErr(KindUserNotFound, "User does not exist.")
		}
		return err
	})
}

// GroupsForUser lists a user's groups by precedence.
func (d *Directory) GroupsForUser(ctx context.Context, poolID, sub string) ([]*storage.Group, error) {
	return d.store.ListGroupsForUser(ctx, poolID, sub)
}

// GroupNames lists the names of groups, in order.
func GroupNames(groups []*storage.Group) []string {
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = g.Name
	}
	return out
}

// SetUserEnabled enables or disables a user (AdminEnableUser,
// AdminDisableUser). Disabling also ends the user's SSO sessions and
// revokes every token family, so refresh tokens stop working and access
// tokens are refused (the engine refuses a disabled user's tokens in any
// case); enabling again does not bring them back.
func (d *Directory) SetUserEnabled(ctx context.Context, poolID, sub string, enabled bool) error {
	return d.store.InTx(ctx, func(ctx context.Context) error {
		u, err := d.GetUserBySub(ctx, poolID, sub)
		if err != nil {
			return err
		}
		if u.Enabled != enabled {
			u.Enabled, u.UpdatedAt = enabled, d.Now()
			if err := d.store.UpdateUser(ctx, u); err != nil {
				return err
			}
		}
		if enabled {
			return nil
		}
		if err := d.store.DeleteUserSessions(ctx, poolID, sub); err != nil {
			return err
		}
		return d.store.RevokeUserFamilies(ctx, poolID, sub, d.Now())
	})
}
