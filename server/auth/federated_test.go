package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// fedSetup is a pool with a custom attribute, an OIDC provider "Corp"
// mapping email, name and custom:dept, and a client that allows it.
func fedSetup(t *testing.T, s *authStack, mapping map[string]string) (*storage.Pool, *storage.Client) {
	t.Helper()
	pool := s.pool(t, func(p *storage.Pool) {
		p.Schema = []storage.SchemaAttribute{{Name: "dept", AttributeDataType: "String", Mutable: true}}
	})
	if mapping == nil {
		mapping = map[string]string{"email": "email", "name": "name", "custom:dept": "department"}
	}
	if _, err := s.dir.CreateIdentityProvider(context.Background(), directory.IdentityProviderInput{PoolID: pool.ID, Name: "Corp",
		Type: federation.TypeOIDC, AttributeMapping: mapping,
		Details: map[string]string{"client_id": "c", "client_secret": "s", "oidc_issuer": "https://corp.example"}}); err != nil {
		t.Fatal(err)
	}
	client := s.client(t, pool, func(c *storage.Client) { c.SupportedIdentityProviders = []string{"COGNITO", "Corp"} })
	return pool, client
}

func corpIdentity(sub string, attrs map[string][]string) federation.Identity {
	return federation.Identity{ProviderName: "Corp", ProviderType: federation.TypeOIDC, Issuer: "https://corp.example",
		Subject: sub, Attributes: attrs}
}

// idClaims decodes an ID token's payload (its signature is the minter's
// business, tested there).
func idClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSignInFederatedCreatesAndUpdates(t *testing.T) {
	s := newAuthStack(t)
	pool, client := fedSetup(t, s, nil)
	ctx := context.Background()
	id := corpIdentity("Abc-123", map[string][]string{"sub": {"Abc-123"}, "email": {"ann@corp.example"}, "email_verified": {"true"},
		"name": {"Ann"}, "department": {"R&D"}, "groups": {"a", "b"}})
	done, err := s.eng.SignInFederated(ctx, pool, client, id, "192.0.2.7")
	wantErr(t, err, 0, "")
	u := s.reload(t, done.User)
	if u.Username != "corp_abc-123" || u.Status != storage.StatusExternalProvider || !u.Enabled {
		t.Fatalf("federated user: %s %s %v", u.Username, u.Status, u.Enabled)
	}
	if u.Attributes["email"] != "ann@corp.example" || u.Attributes["name"] != "Ann" || u.Attributes["custom:dept"] != "R&D" {
		t.Fatalf("mapped attributes: %v", u.Attributes)
	}
	// email_verified was not mapped: Cognito leaves the email unverified.
	if u.Attributes["email_verified"] != "false" {
		t.Fatalf("email_verified = %q, want false (not mapped)", u.Attributes["email_verified"])
	}
	ids := directory.UserIdentities(u)
	if len(ids) != 1 || ids[0].UserID != "Abc-123" || ids[0].ProviderName != "Corp" || ids[0].ProviderType != "OIDC" ||
		!ids[0].Primary || ids[0].Issuer == nil || *ids[0].Issuer != "https://corp.example" || ids[0].DateCreated != 1748768400000 {
		t.Fatalf("identities: %s", u.Attributes["identities"])
	}
	if done.EventID == "" || done.AuthTime.IsZero() {
		t.Fatalf("authenticated: %+v", done)
	}
	evs, err := s.store.ListAuthEvents(ctx, pool.ID, u.Sub, 0)
	if err != nil || len(evs) != 1 || evs[0].Response != "Pass" || evs[0].IP != "192.0.2.7" || evs[0].ID != done.EventID {
		t.Fatalf("events: %+v %v", evs, err)
	}

	// The attribute keeps primary a boolean and dateCreated a number, as
	// Cognito's; the ID token carries identities as a JSON array with both
	// as strings, as Cognito's.
	if !strings.Contains(u.Attributes["identities"], `"primary":true,"dateCreated":1748768400000`) {
		t.Fatalf("identities attribute: %s", u.Attributes["identities"])
	}
	toks, err := s.eng.Issue(ctx, pool, client, done)
	wantErr(t, err, 0, "")
	claims := idClaims(t, toks.IDToken)
	arr, ok := claims["identities"].([]any)
	if !ok || len(arr) != 1 {
		t.Fatalf("identities claim: %#v", claims["identities"])
	}
	entry := arr[0].(map[string]any)
	if entry["userId"] != "Abc-123" || entry["providerName"] != "Corp" || entry["primary"] != "true" || entry["dateCreated"] != "1748768400000" {
		t.Fatalf("identities claim entry: %v", entry)
	}
	if claims["cognito:username"] != "corp_abc-123" || claims["custom:dept"] != "R&D" {
		t.Fatalf("claims: %v", claims)
	}
	// A federated user's tokens refresh like any user's, identities kept;
	// disabling the user revokes them.
	refreshed, err := s.eng.Refresh(ctx, pool, client, toks.RefreshToken)
	wantErr(t, err, 0, "")
	if c := idClaims(t, refreshed.IDToken); c["sub"] != u.Sub || c["identities"] == nil {
		t.Fatalf("refreshed claims: %v", c)
	}
	if err := s.dir.SetUserEnabled(ctx, pool.ID, u.Sub, false); err != nil {
		t.Fatal(err)
	}
	_, err = s.eng.Refresh(ctx, pool, client, toks.RefreshToken)
	wantErr(t, err, directory.KindNotAuthorized, "")
	if err := s.dir.SetUserEnabled(ctx, pool.ID, u.Sub, true); err != nil {
		t.Fatal(err)
	}

	// A later sign-in updates the mapped attributes, keeps the user and
	// its identities' dateCreated.
	s.clock.Add(3600e9)
	id.Attributes["name"] = []string{"Ann B."}
	id.Attributes["email"] = []string{"ann.b@corp.example"}
	delete(id.Attributes, "department") // not sent: kept
	again, err := s.eng.SignInFederated(ctx, pool, client, id, "192.0.2.7")
	wantErr(t, err, 0, "")
	u2 := s.reload(t, again.User)
	if u2.Sub != u.Sub || u2.Attributes["name"] != "Ann B." || u2.Attributes["email"] != "ann.b@corp.example" || u2.Attributes["custom:dept"] != "R&D" {
		t.Fatalf("after second sign-in: %v", u2.Attributes)
	}
	if u2.Attributes["identities"] != u.Attributes["identities"] {
		t.Fatalf("identities changed: %s", u2.Attributes["identities"])
	}

	// A federated user's email is no sign-in key: a native user may have it.
	if _, err := s.dir.CreateUser(ctx, pool, directory.NewUser{Username: "ann", Password: goodPassword,
		Attributes: map[string]string{"email": "ann.b@corp.example", "email_verified": "true"}}); err != nil {
		t.Fatal(err)
	}
	// And no password signs the federated user in.
	_, err = s.signIn(pool, client, "corp_abc-123", goodPassword)
	if err == nil {
		t.Fatal("password sign-in of a federated user succeeded")
	}
}

func TestSignInFederatedMappedVerification(t *testing.T) {
	s := newAuthStack(t)
	pool, client := fedSetup(t, s, map[string]string{"email": "email", "email_verified": "email_verified"})
	done, err := s.eng.SignInFederated(context.Background(), pool, client,
		corpIdentity("u1", map[string][]string{"email": {"x@corp.example"}, "email_verified": {"true"}}), "")
	wantErr(t, err, 0, "")
	if done.User.Attributes["email_verified"] != "true" {
		t.Fatalf("mapped email_verified: %v", done.User.Attributes)
	}
}

func TestSignInFederatedRefusals(t *testing.T) {
	s := newAuthStack(t)
	pool, client := fedSetup(t, s, nil)
	ctx := context.Background()

	_, err := s.eng.SignInFederated(ctx, pool, client, corpIdentity("", nil), "")
	wantErr(t, err, directory.KindInvalidParameter, "")
	_, err = s.eng.SignInFederated(ctx, pool, client, federation.Identity{ProviderName: "Nope", Subject: "x"}, "")
	wantErr(t, err, directory.KindResourceNotFound, "")
	_, err = s.eng.SignInFederated(ctx, pool, client, corpIdentity("bad", map[string][]string{"email": {"not an address"}}), "")
	wantErr(t, err, directory.KindInvalidParameter, "")
	_, err = s.eng.SignInFederated(ctx, pool, client, corpIdentity("long", map[string][]string{"name": {strings.Repeat("n", 2049)}}), "")
	wantErr(t, err, directory.KindInvalidParameter, "")
	if _, err := s.dir.FindUser(ctx, pool, "Corp_bad"); directory.KindOf(err) != directory.KindUserNotFound {
		t.Fatalf("refused sign-in left a user: %v", err)
	}

	// A native user holding the federated username is never signed in by it.
	s.user(t, pool, directory.NewUser{Username: "corp_victim"})
	_, err = s.eng.SignInFederated(ctx, pool, client, corpIdentity("victim", nil), "")
	wantErr(t, err, directory.KindUsernameExists, "Already found an entry for username Corp_victim")

	// A disabled federated user is refused as any disabled user.
	done, err := s.eng.SignInFederated(ctx, pool, client, corpIdentity("dis", nil), "")
	wantErr(t, err, 0, "")
	if err := s.dir.SetUserEnabled(ctx, pool.ID, done.User.Sub, false); err != nil {
		t.Fatal(err)
	}
	s.clock.Add(1e9)
	_, err = s.eng.SignInFederated(ctx, pool, client, corpIdentity("dis", nil), "")
	wantErr(t, err, directory.KindNotAuthorized, "User is disabled.")
	evs, _ := s.store.ListAuthEvents(ctx, pool.ID, done.User.Sub, 0)
	if len(evs) != 2 || evs[0].Response != "Fail" || evs[0].Reason != "disabled" {
		t.Fatalf("events of the disabled user: %+v", evs)
	}

	// Required attributes the upstream did not send fail the first sign-in.
	req := s.pool(t, func(p *storage.Pool) {
		p.Schema = []storage.SchemaAttribute{{Name: "email", AttributeDataType: "String", Mutable: true, Required: true}}
	})
	if _, err := s.dir.CreateIdentityProvider(ctx, directory.IdentityProviderInput{PoolID: req.ID, Name: "Corp", Type: federation.TypeOIDC,
		AttributeMapping: map[string]string{"email": "email"},
		Details:          map[string]string{"client_id": "c", "oidc_issuer": "https://corp.example"}}); err != nil {
		t.Fatal(err)
	}
	reqClient := s.client(t, req, nil)
	_, err = s.eng.SignInFederated(ctx, req, reqClient, corpIdentity("n1", nil), "")
	wantErr(t, err, directory.KindInvalidParameter, "Invalid user attributes: email: The attribute is required")
}

func TestFederatedFailureEvent(t *testing.T) {
	s := newAuthStack(t)
	pool, client := fedSetup(t, s, nil)
	s.eng.FederatedFailure(context.Background(), pool, client, "Corp", "192.0.2.9", "bad_state")
	evs, err := s.store.ListAuthEvents(context.Background(), pool.ID, "", 0)
	if err != nil || len(evs) != 1 || evs[0].Response != "Fail" || evs[0].Reason != "federation: Corp: bad_state" || evs[0].IP != "192.0.2.9" {
		t.Fatalf("events: %+v %v", evs, err)
	}
}

// TestFederatedUsernameCase: the username is folded as the pool folds
// usernames (google_1234… in a case-insensitive pool), and subjects that
// differ only in case are never merged.
func TestFederatedUsernameCase(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	for _, sensitive := range []bool{false, true} {
		pool := s.pool(t, func(p *storage.Pool) { p.CaseSensitive = sensitive })
		if _, err := s.dir.CreateIdentityProvider(ctx, directory.IdentityProviderInput{PoolID: pool.ID, Name: "Corp", Type: federation.TypeOIDC,
			Details: map[string]string{"client_id": "c", "oidc_issuer": "https://corp.example"}}); err != nil {
			t.Fatal(err)
		}
		client := s.client(t, pool, nil)
		done, err := s.eng.SignInFederated(ctx, pool, client, corpIdentity("AbC", nil), "")
		wantErr(t, err, 0, "")
		want := "corp_abc"
		if sensitive {
			want = "Corp_AbC"
		}
		if done.User.Username != want {
			t.Fatalf("case-sensitive %v: username %q, want %q", sensitive, done.User.Username, want)
		}
		_, err = s.eng.SignInFederated(ctx, pool, client, corpIdentity("abc", nil), "")
		if sensitive {
			wantErr(t, err, 0, "")
		} else {
			wantErr(t, err, directory.KindUsernameExists, "")
		}
	}
}
