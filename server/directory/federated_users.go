package directory

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/google/uuid"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Federated users and linked identities.
//
// A first sign-in through an upstream provider creates the user
// {ProviderName}_{Subject} (lower-cased in a case-insensitive pool, as
// Cognito's google_1234…) with status EXTERNAL_PROVIDER and Cognito's
// identities attribute; its email and phone number are no sign-in keys,
// so a federated user never collides with a native user's alias.
// AdminLinkProviderForUser links an upstream identity, named by
// Cognito_Subject (the upstream subject) or, for OIDC and SAML, by another
// upstream attribute, to a native user: the link is a row of the store
// (for the lookup at sign-in) and an entry of the native user's identities
// attribute (what Cognito shows).

// Names of AdminLinkProviderForUser and AdminDisableProviderForUser.
const (
	// LinkProviderCognito is the ProviderName of a native user.
	LinkProviderCognito = "Cognito"
	// AttrCognitoSubject names the upstream subject (or a native user's
	// username when the provider is Cognito).
	AttrCognitoSubject = "Cognito_Subject"
	// MaxLinkedIdentities is Cognito's quota of identities linked to a user.
	MaxLinkedIdentities = 5
)

// UserIdentity is one entry of the identities attribute, in Cognito's
// shape: dateCreated is epoch milliseconds; issuer is null for the social
// providers. (The ID token's identities claim has primary and dateCreated
// as strings; server/tokens converts them.)
type UserIdentity struct {
	UserID       string  `json:"userId"`
	ProviderName string  `json:"providerName"`
	ProviderType string  `json:"providerType"`
	Issuer       *string `json:"issuer"`
	Primary      bool    `json:"primary"`
	DateCreated  int64   `json:"dateCreated"`
}

// FederatedUsername is the username Cognito gives the user of an upstream
// identity.
func FederatedUsername(provider, subject string) string { return provider + "_" + subject }

// UserIdentities decodes u's identities attribute (none when absent or
// unreadable).
func UserIdentities(u *storage.User) []UserIdentity {
	var out []UserIdentity
	if v := u.Attributes["identities"]; v != "" {
		if json.Unmarshal([]byte(v), &out) != nil {
			return nil
		}
	}
	return out
}

func setUserIdentities(u *storage.User, ids []UserIdentity) {
	if len(ids) == 0 {
		delete(u.Attributes, "identities")
		return
	}
	b, _ := json.Marshal(ids)
	u.Attributes["identities"] = string(b)
}

func (d *Directory) identityEntry(providerName, providerType, issuer, userID string, primary bool) UserIdentity {
	e := UserIdentity{UserID: userID, ProviderName: providerName, ProviderType: providerType,
		Primary: primary, DateCreated: d.Now().UnixMilli()}
	if issuer != "" && !slices.Contains(socialTypes, providerType) {
		e.Issuer = &issuer
	}
	return e
}

// FederatedUser returns the user an earlier sign-in through provider
// created for subject, or a UserNotFound error. A user who holds that
// username without being that identity (a native user, or a subject that
// only case-folds to it) is refused rather than signed in.
func (d *Directory) FederatedUser(ctx context.Context, pool *storage.Pool, provider, subject string) (*storage.User, error) {
	name := FederatedUsername(provider, subject)
	u, err := d.store.GetUserByUsernameKey(ctx, pool.ID, normUsername(pool, name))
	if err != nil {
		return nil, notFound(err, KindUserNotFound, "User does not exist.")
	}
	if u.Status != storage.StatusExternalProvider || !slices.ContainsFunc(UserIdentities(u), func(e UserIdentity) bool {
		return e.ProviderName == provider && e.UserID == subject
	}) {
		return nil, newErr(KindUsernameExists, "Already found an entry for username %s", name)
	}
	return u, nil
}

// CreateFederatedUser creates the user of an upstream identity with the
// provider's mapped attributes (see federation.MapAttributes; "username"
// is ignored).
func (d *Directory) CreateFederatedUser(ctx context.Context, pool *storage.Pool, id federation.Identity, mapped map[string]string) (*storage.User, error) {
	if id.ProviderName == "" || id.Subject == "" || strings.ContainsFunc(id.Subject, unicode.IsControl) {
		return nil, newErr(KindInvalidParameter, "The identity provider sent no usable subject.")
	}
	attrs := maps.Clone(mapped)
	if attrs == nil {
		attrs = map[string]string{}
	}
	delete(attrs, "username")
	for k, v := range attrs {
		if v == "" {
			delete(attrs, k)
		}
	}
	if err := validateAttributes(pool, attrs, true); err != nil {
		return nil, err
	}
	for _, name := range RequiredAttributes(pool) {
		if attrs[name] == "" {
			return nil, newErr(KindInvalidParameter, "Invalid user attributes: %s: The attribute is required", name)
		}
	}
	if attrs["email"] != "" && attrs["email_verified"] == "" {
		attrs["email_verified"] = "false"
	}
	now := d.Now()
	// Cognito folds the username of a federated user as it folds the
	// pool's usernames: google_1234… in a case-insensitive pool.
	u := &storage.User{PoolID: pool.ID, Sub: uuid.NewString(), Username: normUsername(pool, FederatedUsername(id.ProviderName, id.Subject)),
		Status: storage.StatusExternalProvider, Enabled: true, Attributes: attrs, CreatedAt: now, UpdatedAt: now}
	attrs["sub"] = u.Sub
	setUserIdentities(u, []UserIdentity{d.identityEntry(id.ProviderName, id.ProviderType, id.Issuer, id.Subject, true)})
	setKeys(pool, u)
	err := d.store.CreateUser(ctx, u)
	if errors.Is(err, storage.ErrAlreadyExists) {
		return nil, newErr(KindUsernameExists, "Already found an entry for username %s", u.Username)
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ApplyFederatedAttributes writes an identity's mapped attributes to u (not
// yet stored), as Cognito does at every federated sign-in; it reports
// whether anything changed. A changed email becomes unverified unless
// email_verified is mapped too.
func (d *Directory) ApplyFederatedAttributes(pool *storage.Pool, u *storage.User, mapped map[string]string) (bool, error) {
	changes := map[string]string{}
	for k, v := range mapped {
		if k != "username" && v != "" && u.Attributes[k] != v {
			changes[k] = v
		}
	}
	if len(changes) == 0 {
		return false, nil
	}
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	return true, d.UpdateAttributes(pool, u, changes)
}

// LinkedUser returns the native user an upstream identity is linked to,
// or nil when it is linked to none. A link by Cognito_Subject matches the
// identity's subject; a link by another attribute matches that upstream
// claim or SAML attribute, or the pool attribute of that name the
// provider maps (Cognito's rule for OIDC), and then records a
// Cognito_Subject link to the same user, as Cognito knows a linked
// identity by its subject once it has signed in.
func (d *Directory) LinkedUser(ctx context.Context, pool *storage.Pool, id federation.Identity, mapped map[string]string) (*storage.User, error) {
	l, err := d.store.GetIdentityLink(ctx, pool.ID, id.ProviderName, AttrCognitoSubject, id.Subject)
	if err == nil {
		return d.GetUserBySub(ctx, pool.ID, l.Sub)
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	names, err := d.store.ListIdentityLinkAttributes(ctx, pool.ID, id.ProviderName)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if name == AttrCognitoSubject {
			continue
		}
		values := slices.Clone(id.Attributes[name])
		if v := mapped[name]; v != "" {
			values = append(values, v)
		}
		for _, v := range values {
			l, err := d.store.GetIdentityLink(ctx, pool.ID, id.ProviderName, name, v)
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			return d.promoteLink(ctx, pool, id, l)
		}
	}
	return nil, nil
}

// promoteLink records the Cognito_Subject link of an identity that signed
// in through link l, and names it by its subject in the user's identities.
func (d *Directory) promoteLink(ctx context.Context, pool *storage.Pool, id federation.Identity, l *storage.IdentityLink) (*storage.User, error) {
	u, err := d.GetUserBySub(ctx, pool.ID, l.Sub)
	if err != nil {
		return nil, err
	}
	err = d.store.CreateIdentityLink(ctx, &storage.IdentityLink{PoolID: pool.ID, ProviderName: id.ProviderName,
		AttributeName: AttrCognitoSubject, AttributeValue: id.Subject, Sub: u.Sub, CreatedAt: d.Now(),
		FromAttribute: l.AttributeName, FromValue: l.AttributeValue})
	if err != nil {
		return nil, err
	}
	ids := UserIdentities(u)
	for i := range ids {
		if ids[i].ProviderName == id.ProviderName && ids[i].UserID == l.AttributeValue {
			ids[i].UserID = id.Subject
		}
	}
	setUserIdentities(u, ids)
	if err := d.SaveUser(ctx, pool, u); err != nil {
		return nil, err
	}
	return u, nil
}

// LinkProviderForUser links the upstream identity (provider, attrName,
// attrValue) to the native user destUsername (AdminLinkProviderForUser).
// Social providers link by Cognito_Subject only. An identity that already
// signed in (its federated user exists) cannot be merged, as in Cognito;
// one linked to another user is AliasExists; linking it again to the same
// user is no error.
func (d *Directory) LinkProviderForUser(ctx context.Context, pool *storage.Pool, destUsername, provider, attrName, attrValue string) error {
	if attrName == "" || attrValue == "" {
		return newErr(KindInvalidParameter, "SourceUser needs a ProviderAttributeName and a ProviderAttributeValue.")
	}
	return d.store.InTx(ctx, func(ctx context.Context) error {
		dest, err := d.FindUser(ctx, pool, destUsername)
		if err != nil {
			return err
		}
		if dest.Status == storage.StatusExternalProvider {
			return newErr(KindInvalidParameter, "DestinationUser must be a native user of the user pool (ProviderName Cognito).")
		}
		idp, err := d.store.GetIdentityProvider(ctx, pool.ID, provider)
		if errors.Is(err, storage.ErrNotFound) {
			return newErr(KindInvalidParameter, "The provider %s does not exist for User Pool %s", provider, pool.ID)
		}
		if err != nil {
			return err
		}
		if slices.Contains(socialTypes, idp.Type) && attrName != AttrCognitoSubject {
			return newErr(KindInvalidParameter, "The ProviderAttributeName of a %s SourceUser must be %s.", idp.Type, AttrCognitoSubject)
		}
		if attrName == AttrCognitoSubject {
			_, err := d.store.GetUserByUsernameKey(ctx, pool.ID, normUsername(pool, FederatedUsername(provider, attrValue)))
			if err == nil {
				return newErr(KindInvalidParameter, "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link")
			}
			if !errors.Is(err, storage.ErrNotFound) {
				return err
			}
		}
		existing, err := d.store.GetIdentityLink(ctx, pool.ID, provider, attrName, attrValue)
		switch {
		case err == nil && existing.Sub == dest.Sub:
			return nil
		case err == nil:
			return newErr(KindAliasExists, "The identity is already linked to another user.")
		case !errors.Is(err, storage.ErrNotFound):
			return err
		}
		links, err := d.store.ListUserIdentityLinks(ctx, pool.ID, dest.Sub)
		if err != nil {
			return err
		}
		// A Cognito_Subject link a sign-in recorded is the same identity.
		links = slices.DeleteFunc(links, func(l *storage.IdentityLink) bool { return l.FromAttribute != "" })
		if len(links) >= MaxLinkedIdentities {
			return newErr(KindLimitExceeded, "A user can have at most %d linked identities.", MaxLinkedIdentities)
		}
		if err := d.store.CreateIdentityLink(ctx, &storage.IdentityLink{PoolID: pool.ID, ProviderName: provider,
			AttributeName: attrName, AttributeValue: attrValue, Sub: dest.Sub, CreatedAt: d.Now()}); err != nil {
			return err
		}
		setUserIdentities(dest, append(UserIdentities(dest), d.identityEntry(provider, idp.Type, "", attrValue, false)))
		return d.SaveUser(ctx, pool, dest)
	})
}

// unlink removes link l with the links it was promoted from or to (see
// promoteLink), and their entries in the user's identities.
func (d *Directory) unlink(ctx context.Context, pool *storage.Pool, l *storage.IdentityLink) error {
	links, err := d.store.ListUserIdentityLinks(ctx, pool.ID, l.Sub)
	if err != nil {
		return err
	}
	gone := []string{l.AttributeValue}
	for _, o := range links {
		same := o.AttributeName == l.AttributeName && o.AttributeValue == l.AttributeValue
		from := o.AttributeName == l.FromAttribute && o.AttributeValue == l.FromValue
		to := o.FromAttribute == l.AttributeName && o.FromValue == l.AttributeValue
		if o.ProviderName != l.ProviderName || !(same || from || to) {
			continue
		}
		if err := d.store.DeleteIdentityLink(ctx, pool.ID, o.ProviderName, o.AttributeName, o.AttributeValue); err != nil {
			return err
		}
		gone = append(gone, o.AttributeValue)
	}
	u, err := d.store.GetUserBySub(ctx, pool.ID, l.Sub)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	setUserIdentities(u, slices.DeleteFunc(UserIdentities(u), func(e UserIdentity) bool {
		return e.ProviderName == l.ProviderName && !e.Primary && slices.Contains(gone, e.UserID)
	}))
	return d.SaveUser(ctx, pool, u)
}

// DisableProviderForUser is AdminDisableProviderForUser: for provider
// Cognito (attribute Cognito_Subject, value the username) the native user
// loses their password, so only linked providers sign them in; for an
// upstream provider the link of (provider, attrName, attrValue) is removed
// from the native user, and the federated user of that subject, if any, is
// disabled. Nothing to act on is a UserNotFound error.
func (d *Directory) DisableProviderForUser(ctx context.Context, pool *storage.Pool, provider, attrName, attrValue string) error {
	return d.store.InTx(ctx, func(ctx context.Context) error {
		if provider == LinkProviderCognito {
			if attrName != AttrCognitoSubject {
				return newErr(KindInvalidParameter, "The ProviderAttributeName of a Cognito user must be %s.", AttrCognitoSubject)
			}
			u, err := d.FindUser(ctx, pool, attrValue)
			if err != nil {
				return err
			}
			u.PasswordHash, u.SRPSalt, u.SRPVerifier = "", nil, nil
			return d.SaveUser(ctx, pool, u)
		}
		found := false
		l, err := d.store.GetIdentityLink(ctx, pool.ID, provider, attrName, attrValue)
		switch {
		case err == nil:
			found = true
			if err := d.unlink(ctx, pool, l); err != nil {
				return err
			}
		case !errors.Is(err, storage.ErrNotFound):
			return err
		}
		if attrName == AttrCognitoSubject {
			u, err := d.FederatedUser(ctx, pool, provider, attrValue)
			switch {
			case err == nil:
				found = true
				if u.Enabled {
					u.Enabled = false
					if err := d.SaveUser(ctx, pool, u); err != nil {
						return err
					}
				}
			case KindOf(err) != KindUserNotFound && KindOf(err) != KindUsernameExists:
				return err
			}
		}
		if !found {
			return newErr(KindUserNotFound, "User does not exist.")
		}
		return nil
	})
}
