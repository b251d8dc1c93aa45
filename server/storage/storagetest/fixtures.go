package storagetest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Fixtures fill every field, so that a field the store drops shows in diff.

func newPool(id string) *storage.Pool {
	return &storage.Pool{
		ID:                     id,
		Name:                   "pool " + id,
		UsernameAttributes:     []string{"email"},
		AliasAttributes:        []string{"preferred_username"},
		AutoVerifiedAttributes: []string{"email"},
		CaseSensitive:          false,
		PasswordPolicy: storage.PasswordPolicy{
			MinimumLength: 12, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true,
			RequireSymbols: true, PasswordHistorySize: 3, TemporaryPasswordValidityDays: 7,
		},
		Schema: []storage.SchemaAttribute{
			{Name: "email", AttributeDataType: "String", Mutable: true, Required: true, MinLength: "0", MaxLength: "2048"},
			{Name: "custom:tier", AttributeDataType: "Number", DeveloperOnlyAttribute: true, MinValue: "1", MaxValue: "9"},
		},
		MfaConfiguration:         "OPTIONAL",
		DeletionProtection:       "INACTIVE",
		UserPoolTier:             "ESSENTIALS",
		AllowAdminCreateUserOnly: true,
		Messages:                 map[string]string{"EmailVerificationSubject": "Your code", "EmailVerificationMessage": "Code: {####}"},
		Tags:                     map[string]string{"env": "test"},
		// A zone and a monotonic reading the store need not keep.
		CreatedAt: t0.In(time.FixedZone("CET", 3600)),
		UpdatedAt: tNow,
	}
}

func newClient(poolID, id string) *storage.Client {
	return &storage.Client{
		PoolID: poolID, ID: id, Name: "client " + id,
		SealedSecret:                    []byte{0, 1, 2, 0xff},
		CallbackURLs:                    []string{"https://app.example/cb", "http://localhost/cb"},
		LogoutURLs:                      []string{"https://app.example/bye"},
		DefaultRedirectURI:              "https://app.example/cb",
		AllowedOAuthFlows:               []string{"code"},
		AllowedOAuthScopes:              []string{"openid", "email"},
		AllowedOAuthFlowsUserPoolClient: true,
		SupportedIdentityProviders:      []string{"COGNITO"},
		ExplicitAuthFlows:               []string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		ReadAttributes:                  []string{"email"},
		WriteAttributes:                 []string{"name"},
		TokenValidity: storage.TokenValidity{
			AccessToken: 60, IDToken: 60, RefreshToken: 30,
			AccessTokenUnit: "minutes", IDTokenUnit: "minutes", RefreshTokenUnit: "days",
		},
		PreventUserExistenceErrors: "ENABLED",
		EnableTokenRevocation:      true,
		AuthSessionValidity:        3,
		RefreshTokenRotation:       true,
		RotationGracePeriodSeconds: 10,
		CreatedAt:                  t0,
		UpdatedAt:                  at(time.Hour),
	}
}

// newUser makes a user whose username key is the lower-cased name and
// whose email and phone keys are as given ("" for none).
func newUser(poolID, sub, username, email, phone string) *storage.User {
	attrs := map[string]string{"sub": sub, "name": "Name of " + username}
	if email != "" {
		attrs["email"] = email
		attrs["email_verified"] = "true"
	}
	if phone != "" {
		attrs["phone_number"] = phone
	}
	return &storage.User{
		PoolID: poolID, Sub: sub, Username: username,
		UsernameKey:   strings.ToLower(username),
		EmailKey:      strings.ToLower(email),
		PhoneKey:      phone,
		Status:        storage.StatusConfirmed,
		Enabled:       true,
		Attributes:    attrs,
		PasswordHash:  "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
		PasswordSet:   at(time.Minute),
		FailedSignIns: 2,
		LockedUntil:   at(2 * time.Minute),
		SignedOutAt:   at(3 * time.Minute),
		CreatedAt:     t0,
		UpdatedAt:     tNow,
	}
}

func newGroup(poolID, name string, precedence *int64) *storage.Group {
	return &storage.Group{
		PoolID: poolID, Name: name, Description: "group " + name,
		RoleArn:    "arn:aws:iam::123456789012:role/" + name,
		Precedence: precedence,
		CreatedAt:  t0, UpdatedAt: at(time.Second),
	}
}

func prec(n int64) *int64 { return &n }

func newResourceServer(poolID, identifier string) *storage.ResourceServer {
	return &storage.ResourceServer{
		PoolID: poolID, Identifier: identifier, Name: "rs " + identifier,
		Scopes: []storage.ResourceScope{{Name: "read", Description: "Read"}, {Name: "write", Description: "Write"}},
	}
}

func newSigningKey(poolID, kid string, created time.Time) *storage.SigningKey {
	return &storage.SigningKey{
		PoolID: poolID, KID: kid, Algorithm: "RS256",
		Sealed:    []byte("sealed-" + kid),
		Public:    []byte(`{"kty":"RSA","kid":"` + kid + `"}`),
		CreatedAt: created,
	}
}

func newAuthRequest(poolID, id string) *storage.AuthRequest {
	return &storage.AuthRequest{
		PoolID: poolID, ID: id, ClientID: "client-1",
		Form: map[string][]string{
			"response_type": {"code"},
			"scope":         {"openid email"},
			"redirect_uri":  {"https://app.example/cb"},
			"state":         {"a&b=c", "second"},
		},
		CreatedAt: t0, ExpiresAt: at(10 * time.Minute),
	}
}

func newSession(poolID, id, sub string) *storage.Session {
	return &storage.Session{
		PoolID: poolID, ID: id, Sub: sub,
		AuthTime: at(-time.Second), EventID: "event-" + id,
		CreatedAt: t0, ExpiresAt: at(time.Hour),
	}
}

func newOAuthRecord(kind storage.OAuthKind, sig, poolID, requestID string) *storage.OAuthRecord {
	return &storage.OAuthRecord{
		Kind: kind, Signature: sig, PoolID: poolID, RequestID: requestID,
		ClientID: "client-1", Sub: "sub-1", Active: true,
		CreatedAt: t0, ExpiresAt: at(time.Hour),
		Data: []byte(`{"request":"` + requestID + `","session":{}}`),
	}
}

func newFamily(poolID, id, sub string) *storage.Family {
	return &storage.Family{
		PoolID: poolID, ID: id, ClientID: "client-1", Sub: sub,
		CreatedAt: t0, ExpiresAt: at(30 * 24 * time.Hour),
	}
}

func newEvent(poolID, id, sub string, created time.Time) *storage.AuthEvent {
	return &storage.AuthEvent{
		PoolID: poolID, ID: id, Sub: sub, Username: "user-" + sub, ClientID: "client-1",
		Type: "SignIn", Response: "Pass", Reason: "", IP: "192.0.2.1",
		CreatedAt: created,
	}
}

// ids helpers turn lists into their keys, for order checks.

func poolIDs(ps []*storage.Pool) []string {
	return keys(ps, func(p *storage.Pool) string { return p.ID })
}
func clientIDs(cs []*storage.Client) []string {
	return keys(cs, func(c *storage.Client) string { return c.ID })
}
func userSubs(us []*storage.User) []string {
	return keys(us, func(u *storage.User) string { return u.Sub })
}
func groupNames(gs []*storage.Group) []string {
	return keys(gs, func(g *storage.Group) string { return g.Name })
}
func eventIDs(es []*storage.AuthEvent) []string {
	return keys(es, func(e *storage.AuthEvent) string { return e.ID })
}

func keys[T any](xs []T, key func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = key(x)
	}
	return out
}

// wantKeys fails t unless got lists exactly want, in order.
func wantKeys(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") || len(got) != len(want) {
		t.Fatalf("%s: got %q, want %q", what, got, want)
	}
}

// pages walks a List method with the given page size and checks each page:
// at most size items, and the concatenation equals want. It also checks
// limit <= 0 (everything) and a cursor past the end (nothing).
func pages(t *testing.T, what string, size int, want []string, list func(after string, limit int) ([]string, error)) {
	t.Helper()
	var all []string
	after := ""
	for i := 0; ; i++ {
		page, err := list(after, size)
		must(t, what, err)
		if len(page) > size {
			t.Fatalf("%s: page %d has %d items, limit %d", what, i, len(page), size)
		}
		if len(page) == 0 {
			break
		}
		if len(page) < size && len(all)+len(page) != len(want) {
			t.Fatalf("%s: short page %d before the end", what, i)
		}
		all = append(all, page...)
		after = page[len(page)-1]
		if i > len(want) {
			t.Fatalf("%s: cursor does not advance: %q", what, all)
		}
	}
	wantKeys(t, what+" (paged by "+strconv.Itoa(size)+")", all, want)
	for _, limit := range []int{0, -1} {
		got, err := list("", limit)
		must(t, what, err)
		wantKeys(t, what+" (limit "+strconv.Itoa(limit)+")", got, want)
	}
	if len(want) > 0 {
		got, err := list(want[len(want)-1], size)
		must(t, what, err)
		wantKeys(t, what+" (after the last)", got, nil)
	}
}
