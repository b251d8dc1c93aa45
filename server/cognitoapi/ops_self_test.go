package cognitoapi

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// signIn signs alice (or another user) in through a client with
// USER_PASSWORD_AUTH and returns the tokens.
func (f *authFixture) signIn(t *testing.T, clientID, username, password string) *types.AuthenticationResultType {
	t.Helper()
	out, err := f.passwordAuth(t, clientID, username, password)
	if err != nil {
		t.Fatalf("InitiateAuth %s: %v", username, err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth %s: challenge %s", username, out.ChallengeName)
	}
	return out.AuthenticationResult
}

// changeUser edits a stored user behind the API's back (states no
// operation of this family reaches).
func (f *authFixture) changeUser(t *testing.T, username string, edit func(*storage.User)) {
	t.Helper()
	ctx := context.Background()
	pool, err := f.dir.GetPool(ctx, f.poolID)
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.dir.FindUser(ctx, pool, username)
	if err != nil {
		t.Fatal(err)
	}
	edit(u)
	if err := f.dir.SaveUser(ctx, pool, u); err != nil {
		t.Fatal(err)
	}
}

// getUser is GetUser with an access token.
func (f *authFixture) getUser(t *testing.T, token string) (*cip.GetUserOutput, error) {
	t.Helper()
	return f.public.GetUser(t.Context(), &cip.GetUserInput{AccessToken: aws.String(token)})
}

func TestGetUser(t *testing.T) {
	f := newAuthFixture(t)
	toks := f.signIn(t, f.clientID, "alice", alicePassword)
	out, err := f.getUser(t, aws.ToString(toks.AccessToken))
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	attrs := attrsOf(out.UserAttributes)
	access := claims(t, aws.ToString(toks.AccessToken))
	if aws.ToString(out.Username) != "alice" || aws.ToString(out.UserAttributes[0].Name) != "sub" || attrs["sub"] != access["sub"] {
		t.Errorf("Username %q, first attribute %q, sub %q (token's %v)", aws.ToString(out.Username),
			aws.ToString(out.UserAttributes[0].Name), attrs["sub"], access["sub"])
	}
	if attrs["email"] != "alice@example.com" || attrs["email_verified"] != "true" || len(attrs) != 3 {
		t.Errorf("UserAttributes = %v", attrs)
	}
	if out.MFAOptions != nil || out.PreferredMfaSetting != nil || out.UserMFASettingList != nil {
		t.Errorf("MFA settings %v %v %v, want none", out.MFAOptions, out.PreferredMfaSetting, out.UserMFASettingList)
	}

	// A client that reads only some attributes sees only those (and sub).
	narrow := aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID,
		ReadAttributes: []string{"given_name", "email_verified"}}).ClientId)
	f.changeUser(t, "alice", func(u *storage.User) { u.Attributes["given_name"] = "Alice" })
	out, err = f.getUser(t, aws.ToString(f.signIn(t, narrow, "alice", alicePassword).AccessToken))
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if got := attrsOf(out.UserAttributes); !equal(got, map[string]string{"sub": attrs["sub"], "given_name": "Alice", "email_verified": "true"}) {
		t.Errorf("UserAttributes through a narrow client = %v", got)
	}
}

// TestAccessTokenChecks: every operation of the family checks its token
// the same way, with Cognito's errors.
func TestAccessTokenChecks(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	toks := f.signIn(t, f.clientID, "alice", alicePassword)
	access := aws.ToString(toks.AccessToken)

	// A token of the pool without the API's scope, as the hosted UI issues.
	pool, _ := f.dir.GetPool(ctx, f.poolID)
	client, _ := f.dir.GetClient(ctx, f.poolID, f.clientID)
	alice, _ := f.dir.FindUser(ctx, pool, "alice")
	openid, err := f.minter.Access(ctx, tokens.Grant{Issuer: testIssuer + f.poolID, PoolID: f.poolID, Client: client, User: alice,
		Scopes: []string{"openid", "email"}, AuthTime: f.clock.Now(), AccessLifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(access, ".")
	// Another pool of the server, with its own alice.
	otherPool := f.newPool(t, nil)
	otherClient := aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &otherPool}).ClientId)
	f.newUser(t, otherPool, "alice", alicePassword)
	otherToken := aws.ToString(f.signIn(t, otherClient, "alice", alicePassword).AccessToken)
	// The other pool's claims under this pool's signature.
	spliced := parts[0] + "." + strings.Split(otherToken, ".")[1] + "." + parts[2]

	ops := map[string]func(token string) error{
		"GetUser": func(tok string) error { _, err := f.getUser(t, tok); return err },
		"UpdateUserAttributes": func(tok string) error {
			_, err := f.public.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: &tok,
				UserAttributes: []types.AttributeType{attr("name", "A")}})
			return err
		},
		"DeleteUserAttributes": func(tok string) error {
			_, err := f.public.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: &tok, UserAttributeNames: []string{"name"}})
			return err
		},
		"ChangePassword": func(tok string) error {
			_, err := f.public.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: &tok,
				PreviousPassword: aws.String(alicePassword), ProposedPassword: aws.String("Another-Horse-2")})
			return err
		},
		"DeleteUser": func(tok string) error {
			_, err := f.public.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: &tok})
			return err
		},
		"GlobalSignOut": func(tok string) error {
			_, err := f.public.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: &tok})
			return err
		},
	}
	tests := []struct {
		name, token, code, msg string
	}{
		{"garbage", "not-a-token", "NotAuthorizedException", "Invalid Access Token"},
		{"ID token", aws.ToString(toks.IdToken), "NotAuthorizedException", "Invalid Access Token"},
		{"refresh token", aws.ToString(toks.RefreshToken), "NotAuthorizedException", "Invalid Access Token"},
		{"tampered", parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-4] + "AAAA", "NotAuthorizedException", "Invalid Access Token"},
		{"another pool's claims", spliced, "NotAuthorizedException", "Invalid Access Token"},
		{"without the API scope", openid.Token, "NotAuthorizedException", "Access Token does not have required scopes"},
	}
	for op, call := range ops {
		for _, tt := range tests {
			t.Run(op+"/"+tt.name, func(t *testing.T) {
				wantAPIError(t, call(tt.token), tt.code, tt.msg)
			})
		}
		t.Run(op+"/missing token", func(t *testing.T) {
			wantAPIError(t, call(""), "InvalidParameterException", "")
		})
	}
	// Nothing above changed alice.
	if _, err := f.getUser(t, access); err != nil {
		t.Fatalf("GetUser after refused calls: %v", err)
	}
	// The pool is the token's: the other pool's alice is another user.
	theirs, err := f.getUser(t, otherToken)
	if err != nil {
		t.Fatalf("the other pool's own token: %v", err)
	}
	if sub := attrsOf(theirs.UserAttributes)["sub"]; sub == "" || sub == claims(t, access)["sub"] {
		t.Fatalf("the other pool's token answered for sub %q", sub)
	}

	// States of the user, then expiry.
	states := []struct {
		name      string
		edit      func(*storage.User)
		code, msg string
	}{
		{"disabled", func(u *storage.User) { u.Enabled = false }, "NotAuthorizedException", "User is disabled."},
		{"reset required", func(u *storage.User) { u.Status = storage.StatusResetRequired }, "PasswordResetRequiredException", ""},
		{"unconfirmed", func(u *storage.User) { u.Status = storage.StatusUnconfirmed }, "UserNotConfirmedException", ""},
	}
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			f.changeUser(t, "alice", st.edit)
			defer f.changeUser(t, "alice", func(u *storage.User) { u.Enabled, u.Status = true, storage.StatusConfirmed })
			_, err := f.getUser(t, access)
			wantAPIError(t, err, st.code, st.msg)
		})
	}
	f.clock.Advance(time.Hour)
	_, err = f.getUser(t, access)
	wantAPIError(t, err, "NotAuthorizedException", "Access Token has expired")
}

func TestUpdateUserAttributes(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	access := aws.ToString(f.signIn(t, f.clientID, "alice", alicePassword).AccessToken)
	update := func(token string, attrs ...types.AttributeType) (*cip.UpdateUserAttributesOutput, error) {
		return f.public.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: &token, UserAttributes: attrs})
	}

	out, err := update(access, attr("email", "alice@new.example"), attr("name", "Alice A."))
	if err != nil {
		t.Fatalf("UpdateUserAttributes: %v", err)
	}
	if len(out.CodeDeliveryDetailsList) != 0 {
		t.Errorf("CodeDeliveryDetailsList = %+v; the pool verifies no attribute", out.CodeDeliveryDetailsList)
	}
	got, err := f.getUser(t, access)
	if err != nil {
		t.Fatal(err)
	}
	attrs := attrsOf(got.UserAttributes)
	if attrs["email"] != "alice@new.example" || attrs["email_verified"] != "false" || attrs["name"] != "Alice A." {
		t.Errorf("after the update %v; a new email is unverified", attrs)
	}
	// A blank value removes the attribute.
	if _, err := update(access, attr("name", "")); err != nil {
		t.Fatalf("remove name: %v", err)
	}
	got, _ = f.getUser(t, access)
	if _, ok := attrsOf(got.UserAttributes)["name"]; ok {
		t.Errorf("a blank value did not remove name: %v", attrsOf(got.UserAttributes))
	}

	required := f.newPool(t, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
		{Name: aws.String("given_name"), Required: aws.Bool(true), Mutable: aws.Bool(true)}}})
	reqClient := aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &required}).ClientId)
	f.newUser(t, required, "req", alicePassword, attr("given_name", "Req"))
	reqToken := aws.ToString(f.signIn(t, reqClient, "req", alicePassword).AccessToken)
	nameOnly := aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID, WriteAttributes: []string{"name"}}).ClientId)
	nameOnlyToken := aws.ToString(f.signIn(t, nameOnly, "alice", alicePassword).AccessToken)

	tests := []struct {
		name      string
		token     string
		attrs     []types.AttributeType
		code, msg string
	}{
		{"outside the client's WriteAttributes", nameOnlyToken, []types.AttributeType{attr("email", "a@b.example")},
			"NotAuthorizedException", "A client attempted to write unauthorized attribute"},
		{"email_verified by the user", access, []types.AttributeType{attr("email_verified", "true")},
			"NotAuthorizedException", "A client attempted to write unauthorized attribute"},
		{"not in the schema", access, []types.AttributeType{attr("shoe_size", "42")}, "InvalidParameterException", ""},
		{"sub", access, []types.AttributeType{attr("sub", "x")}, "InvalidParameterException", ""},
		{"bad email", access, []types.AttributeType{attr("email", "not an email")}, "InvalidParameterException", ""},
		{"twice", access, []types.AttributeType{attr("name", "a"), attr("name", "b")}, "InvalidParameterException", ""},
		{"required emptied", reqToken, []types.AttributeType{attr("given_name", "")}, "InvalidParameterException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := update(tt.token, tt.attrs...)
			wantAPIError(t, err, tt.code, tt.msg)
		})
	}
	// The client that may write name may write it.
	if _, err := update(nameOnlyToken, attr("name", "N")); err != nil {
		t.Fatalf("a writable attribute: %v", err)
	}
	t.Run("no attributes", func(t *testing.T) {
		_, err := f.client(nil, withoutValidation).UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: &access})
		wantAPIError(t, err, "InvalidParameterException",
			"1 validation error detected: Value null at 'userAttributes' failed to satisfy constraint: Member must not be null")
	})
}

func TestDeleteUserAttributes(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	f.changeUser(t, "alice", func(u *storage.User) { u.Attributes["name"], u.Attributes["nickname"] = "Alice", "Al" })
	access := aws.ToString(f.signIn(t, f.clientID, "alice", alicePassword).AccessToken)
	del := func(token string, names ...string) error {
		_, err := f.public.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: &token, UserAttributeNames: names})
		return err
	}
	if err := del(access, "name", "email"); err != nil {
		t.Fatalf("DeleteUserAttributes: %v", err)
	}
	got, _ := f.getUser(t, access)
	attrs := attrsOf(got.UserAttributes)
	for _, gone := range []string{"name", "email", "email_verified"} {
		if _, ok := attrs[gone]; ok {
			t.Errorf("%s survived: %v", gone, attrs)
		}
	}
	if attrs["nickname"] != "Al" {
		t.Errorf("nickname lost: %v", attrs)
	}

	nameOnly := aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID, WriteAttributes: []string{"name"}}).ClientId)
	nameOnlyToken := aws.ToString(f.signIn(t, nameOnly, "alice", alicePassword).AccessToken)
	tests := []struct {
		name      string
		token     string
		names     []string
		code, msg string
	}{
		{"outside the client's WriteAttributes", nameOnlyToken, []string{"nickname"}, "NotAuthorizedException", "A client attempted to write unauthorized attribute"},
		{"sub", access, []string{"sub"}, "InvalidParameterException", ""},
		{"not in the schema", access, []string{"shoe_size"}, "InvalidParameterException", ""},
		{"all or nothing", access, []string{"nickname", "sub"}, "InvalidParameterException", ""},
		{"name too long", access, []string{strings.Repeat("n", 33)}, "InvalidParameterException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantAPIError(t, del(tt.token, tt.names...), tt.code, tt.msg) })
	}
	got, _ = f.getUser(t, access)
	if attrsOf(got.UserAttributes)["nickname"] != "Al" {
		t.Error("a refused call deleted nickname")
	}
	t.Run("no names", func(t *testing.T) {
		_, err := f.client(nil, withoutValidation).DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: &access})
		wantAPIError(t, err, "InvalidParameterException", "")
	})
}

func TestChangePassword(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	const newPassword = "Battery-Staple-3"
	access := aws.ToString(f.signIn(t, f.clientID, "alice", alicePassword).AccessToken)
	change := func(previous, proposed string) error {
		_, err := f.public.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: &access,
			PreviousPassword: aws.String(previous), ProposedPassword: aws.String(proposed)})
		return err
	}

	wantAPIError(t, change(alicePassword, "weak"), "InvalidPasswordException", "")
	wantAPIError(t, change("Wrong-Horse-1", newPassword), "NotAuthorizedException", incorrect)
	wantAPIError(t, change(alicePassword, strings.Repeat("x", 257)), "InvalidParameterException", "")
	if err := change(alicePassword, newPassword); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	_, err := f.passwordAuth(t, f.clientID, "alice", alicePassword)
	wantAPIError(t, err, "NotAuthorizedException", incorrect)
	f.signIn(t, f.clientID, "alice", newPassword)
	// Cognito keeps the user's tokens after a password change.
	if _, err := f.getUser(t, access); err != nil {
		t.Fatalf("GetUser after the change: %v", err)
	}

	// Wrong previous passwords count toward the lockout sign-in shares.
	for range 5 {
		wantAPIError(t, change("Wrong-Horse-1", "Another-Horse-4"), "NotAuthorizedException", incorrect)
	}
	wantAPIError(t, change(newPassword, "Another-Horse-4"), "LimitExceededException", "Attempt limit exceeded, please try after some time.")
	_, err = f.passwordAuth(t, f.clientID, "alice", newPassword)
	wantAPIError(t, err, "NotAuthorizedException", "Password attempts exceeded")
	f.clock.Advance(time.Minute)
	if err := change(newPassword, "Another-Horse-4"); err != nil {
		t.Fatalf("ChangePassword after the lockout: %v", err)
	}
	t.Run("missing proposed password", func(t *testing.T) {
		_, err := f.client(nil, withoutValidation).ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: &access})
		wantAPIError(t, err, "InvalidParameterException",
			"1 validation error detected: Value null at 'proposedPassword' failed to satisfy constraint: Member must not be null")
	})
}

func TestDeleteUser(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	toks := f.signIn(t, f.clientID, "alice", alicePassword)
	if _, err := f.public.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: toks.AccessToken}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err := f.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.poolID, Username: aws.String("alice")})
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
	_, err = f.getUser(t, aws.ToString(toks.AccessToken))
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
	_, err = f.public.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &f.clientID, RefreshToken: toks.RefreshToken})
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
	_, err = f.passwordAuth(t, f.clientID, "alice", alicePassword)
	wantAPIError(t, err, "UserNotFoundException", "")
}

// TestGlobalSignOut: every token of every sign-in dies, at once; the
// access token of another user does not.
func TestGlobalSignOut(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	f.newUser(t, f.poolID, "bob", alicePassword)
	first := f.signIn(t, f.clientID, "alice", alicePassword)
	second := f.signIn(t, f.clientID, "alice", alicePassword)
	bob := f.signIn(t, f.clientID, "bob", alicePassword)

	if _, err := f.public.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: second.AccessToken}); err != nil {
		t.Fatalf("GlobalSignOut: %v", err)
	}
	for _, toks := range []*types.AuthenticationResultType{first, second} {
		_, err := f.getUser(t, aws.ToString(toks.AccessToken))
		wantAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
		_, err = f.public.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &f.clientID,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(toks.RefreshToken)}})
		wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
		_, err = f.public.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &f.clientID, RefreshToken: toks.RefreshToken})
		wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	}
	_, err := f.public.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: second.AccessToken})
	wantAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	if _, err := f.getUser(t, aws.ToString(bob.AccessToken)); err != nil {
		t.Fatalf("another user's token: %v", err)
	}
	// Signing in again works.
	f.clock.Advance(time.Second)
	again := f.signIn(t, f.clientID, "alice", alicePassword)
	if _, err := f.getUser(t, aws.ToString(again.AccessToken)); err != nil {
		t.Fatalf("GetUser after signing in again: %v", err)
	}
}

func TestTokenPoolID(t *testing.T) {
	jwt := func(payload string) string {
		return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
	}
	tests := []struct {
		name, token, want string
	}{
		{"issuer", jwt(`{"iss":"https://auth.example.com/us-east-1_AbC123xyZ"}`), "us-east-1_AbC123xyZ"},
		{"issuer with a path", jwt(`{"iss":"https://example.com/auth/eu-west-1_x"}`), "eu-west-1_x"},
		{"not a pool id", jwt(`{"iss":"https://example.com/nopool"}`), ""},
		{"trailing slash", jwt(`{"iss":"https://example.com/us-east-1_A/"}`), ""},
		{"no iss", jwt(`{"sub":"x"}`), ""},
		{"iss not a string", jwt(`{"iss":7}`), ""},
		{"payload not JSON", jwt(`us-east-1_A`), ""},
		{"two parts", "a.b", ""},
		{"empty", "", ""},
		{"huge", jwt(`{"iss":"/us-east-1_A","x":"` + strings.Repeat("x", tokens.MaxJWTSize) + `"}`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tokenPoolID(tt.token); got != tt.want {
				t.Errorf("tokenPoolID = %q, want %q", got, tt.want)
			}
		})
	}
}
