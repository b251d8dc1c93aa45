package auth_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

func TestLinkedSignIn(t *testing.T) {
	s := newAuthStack(t)
	pool, client := fedSetup(t, s, nil)
	ctx := context.Background()
	native := s.user(t, pool, directory.NewUser{Username: "ann", Attributes: map[string]string{"email": "ann@corp.example", "email_verified": "true"}})

	wantErr(t, s.dir.LinkProviderForUser(ctx, pool, "nobody", "Corp", directory.AttrCognitoSubject, "s1"), directory.KindUserNotFound, "")
	wantErr(t, s.dir.LinkProviderForUser(ctx, pool, "ann", "Nope", directory.AttrCognitoSubject, "s1"), directory.KindInvalidParameter, "")
	wantErr(t, s.dir.LinkProviderForUser(ctx, pool, "ann", "Corp", directory.AttrCognitoSubject, "s1"), 0, "")
	wantErr(t, s.dir.LinkProviderForUser(ctx, pool, "ann", "Corp", directory.AttrCognitoSubject, "s1"), 0, "") // again: no error
	got := s.reload(t, native)
	ids := directory.UserIdentities(got)
	if len(ids) != 1 || ids[0].UserID != "s1" || ids[0].ProviderName != "Corp" || ids[0].Primary {
		t.Fatalf("native user's identities: %s", got.Attributes["identities"])
	}

	// The linked identity signs the native user in, with the mapping applied.
	done, err := s.eng.SignInFederated(ctx, pool, client, corpIdentity("s1", map[string][]string{"name": {"Ann N."}}), "")
	wantErr(t, err, 0, "")
	if done.User.Sub != native.Sub || done.User.Attributes["name"] != "Ann N." || done.User.Status != storage.StatusConfirmed {
		t.Fatalf("linked sign-in: %s %v", done.User.Username, done.User.Attributes)
	}
	if _, err := s.dir.FindUser(ctx, pool, "Corp_s1"); directory.KindOf(err) != directory.KindUserNotFound {
		t.Fatalf("a federated user was created for a linked identity: %v", err)
	}
	// The native user still signs in with the password.
	s.mustSignIn(t, pool, client, "ann")

	// Another user cannot take the identity.
	s.user(t, pool, directory.NewUser{Username: "bob"})
	wantErr(t, s.dir.LinkProviderForUser(ctx, pool, "bob", "Corp", directory.AttrCognitoSubject, "s1"), directory.KindAliasExists, "")
	// An identity that signed in already cannot be merged.
	if _, err := s.eng.SignInFederated(ctx, pool, client, corpIdentity("s2", nil), ""); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.dir.LinkProviderForUser(ctx, pool, "bob", "Corp", directory.AttrCognitoSubject, "s2"), directory.KindInvalidParameter,
		"Merging is not currently supported, provide a SourceUser that has not been signed up in order to link")
	// A federated user is no destination.
	wantErr(t, s.dir.LinkProviderForUser(ctx, pool, "Corp_s2", "Corp", directory.AttrCognitoSubject, "s9"), directory.KindInvalidParameter, "")
	// At most five linked identities.
	for i := range 4 {
		wantErr(t, s.dir.LinkProviderForUser(ctx, pool, "ann", "Corp", "email", fmt.Sprintf("a%d@corp.example", i)), 0, "")
	}
	wantErr(t, s.dir.LinkProviderForUser(ctx, pool, "ann", "Corp", "email", "a9@corp.example"), directory.KindLimitExceeded, "")
	// A link by another attribute matches that attribute's value.
	done, err = s.eng.SignInFederated(ctx, pool, client, corpIdentity("other-sub", map[string][]string{"email": {"a2@corp.example"}}), "")
	wantErr(t, err, 0, "")
	if done.User.Sub != native.Sub {
		t.Fatalf("link by email signed in %s", done.User.Username)
	}
	// Signed in, the identity is known by its subject too (Cognito's rule
	// for AdminDisableProviderForUser), and ann's identities name it so.
	if _, err := s.store.GetIdentityLink(ctx, pool.ID, "Corp", directory.AttrCognitoSubject, "other-sub"); err != nil {
		t.Fatalf("no Cognito_Subject link after a sign-in by email link: %v", err)
	}
	if !hasIdentity(s.reload(t, native), "other-sub") || hasIdentity(s.reload(t, native), "a2@corp.example") {
		t.Fatalf("identities after the sign-in by email link: %s", s.reload(t, native).Attributes["identities"])
	}
	// Disabling it by subject removes the email link too.
	wantErr(t, s.dir.DisableProviderForUser(ctx, pool, "Corp", directory.AttrCognitoSubject, "other-sub"), 0, "")
	if hasIdentity(s.reload(t, native), "other-sub") {
		t.Fatalf("identities after unlink: %s", s.reload(t, native).Attributes["identities"])
	}
	done, err = s.eng.SignInFederated(ctx, pool, client, corpIdentity("third-sub", map[string][]string{"email": {"a2@corp.example"}}), "")
	if err != nil || done.User.Username != "corp_third-sub" {
		t.Fatalf("sign-in by the unlinked email: %v", err)
	}
	if _, err := s.store.GetIdentityLink(ctx, pool.ID, "Corp", "email", "a2@corp.example"); err == nil {
		t.Fatal("the email link survived its unlink")
	}

	// Disabling the provider for the identity removes the link: the next
	// sign-in is a new federated user.
	wantErr(t, s.dir.DisableProviderForUser(ctx, pool, "Corp", directory.AttrCognitoSubject, "s1"), 0, "")
	if ids := directory.UserIdentities(s.reload(t, native)); len(ids) != 3 {
		t.Fatalf("identities after unlink: %v", ids)
	}
	done, err = s.eng.SignInFederated(ctx, pool, client, corpIdentity("s1", nil), "")
	wantErr(t, err, 0, "")
	if done.User.Sub == native.Sub || done.User.Username != "corp_s1" {
		t.Fatalf("after unlink signed in %s", done.User.Username)
	}
	// For a federated user it disables the user.
	wantErr(t, s.dir.DisableProviderForUser(ctx, pool, "Corp", directory.AttrCognitoSubject, "s2"), 0, "")
	_, err = s.eng.SignInFederated(ctx, pool, client, corpIdentity("s2", nil), "")
	wantErr(t, err, directory.KindNotAuthorized, "User is disabled.")
	wantErr(t, s.dir.DisableProviderForUser(ctx, pool, "Corp", directory.AttrCognitoSubject, "nobody"), directory.KindUserNotFound, "")
	// For Cognito it takes the native user's password away.
	wantErr(t, s.dir.DisableProviderForUser(ctx, pool, "Cognito", directory.AttrCognitoSubject, "ann"), 0, "")
	if _, err := s.signIn(pool, client, "ann", goodPassword); err == nil {
		t.Fatal("password sign-in after AdminDisableProviderForUser(Cognito)")
	}
	done, err = s.eng.SignInFederated(ctx, pool, client, corpIdentity("x", map[string][]string{"email": {"a0@corp.example"}}), "")
	if err != nil || done.User.Sub != native.Sub {
		t.Fatalf("linked sign-in after the password was disabled: %v", err)
	}
	// Deleting the native user deletes its links.
	if err := s.dir.DeleteUser(ctx, pool.ID, native.Sub); err != nil {
		t.Fatal(err)
	}
	done, err = s.eng.SignInFederated(ctx, pool, client, corpIdentity("y", map[string][]string{"email": {"a0@corp.example"}}), "")
	if err != nil || done.User.Username != "corp_y" {
		t.Fatalf("sign-in after the linked user was deleted: %v", err)
	}
}

func hasIdentity(u *storage.User, userID string) bool {
	for _, e := range directory.UserIdentities(u) {
		if e.UserID == userID {
			return true
		}
	}
	return false
}
