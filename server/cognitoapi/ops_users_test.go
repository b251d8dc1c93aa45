package cognitoapi

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/uuid"

	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

func TestAdminCreateAndGetUser(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)

	const temp = "Temp-Passw0rd!"
	created, err := st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId:             &poolID,
		Username:               aws.String("Alice"),
		TemporaryPassword:      aws.String(temp),
		UserAttributes:         []types.AttributeType{attr("email", "alice@example.com"), attr("email_verified", "true"), attr("given_name", "Alice")},
		DesiredDeliveryMediums: []types.DeliveryMediumType{"EMAIL"},
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	u := created.User
	attrs := attrsOf(u.Attributes)
	if aws.ToString(u.Username) != "Alice" || u.UserStatus != types.UserStatusTypeForceChangePassword || !u.Enabled ||
		u.UserCreateDate == nil || u.UserLastModifiedDate == nil {
		t.Errorf("User = %+v", u)
	}
	if _, err := uuid.Parse(attrs["sub"]); err != nil || aws.ToString(u.Attributes[0].Name) != "sub" {
		t.Errorf("sub = %q, listed first: %v", attrs["sub"], aws.ToString(u.Attributes[0].Name))
	}
	if attrs["email"] != "alice@example.com" || attrs["email_verified"] != "true" || attrs["given_name"] != "Alice" {
		t.Errorf("Attributes = %v", attrs)
	}
	// The invitation went by mail, as asked; the password never reaches the log.
	if m := st.mail.Messages(); len(m) != 1 || m[0].To[0] != "alice@example.com" || notifytest.TempPassword(m[0]) != temp {
		t.Errorf("invitation mails: %+v", m)
	}
	if strings.Contains(st.logs.String(), temp) {
		t.Errorf("the temporary password reached the log")
	}

	// The pool is case-insensitive by default: any case finds the stored name.
	got, err := st.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("alice")})
	if err != nil {
		t.Fatalf("AdminGetUser: %v", err)
	}
	if aws.ToString(got.Username) != "Alice" || got.UserStatus != types.UserStatusTypeForceChangePassword || !got.Enabled ||
		!got.UserCreateDate.Equal(*u.UserCreateDate) || got.UserLastModifiedDate == nil {
		t.Errorf("AdminGetUser = %+v", got)
	}
	if !equal(attrsOf(got.UserAttributes), attrs) {
		t.Errorf("UserAttributes = %v, want %v", attrsOf(got.UserAttributes), attrs)
	}

	// The same name in another case is the same user.
	_, err = st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("ALICE"),
		MessageAction: types.MessageActionTypeSuppress})
	wantAPIError(t, err, "UsernameExistsException", "User account already exists")

	// Email is an alias here only when the pool says so; a second user may
	// share the address.
	_, err = st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("bob"),
		MessageAction: types.MessageActionTypeSuppress, UserAttributes: []types.AttributeType{attr("email", "alice@example.com")}})
	if err != nil {
		t.Fatalf("AdminCreateUser bob: %v", err)
	}
}

func TestAdminCreateUserOptions(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)

	// A generated temporary password meets the policy, so the user exists.
	out, err := st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("gen")})
	if err != nil || out.User.UserStatus != types.UserStatusTypeForceChangePassword {
		t.Fatalf("AdminCreateUser without a password: %+v, %v", out, err)
	}
	// RESEND re-invites a user who never signed in.
	if _, err := st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("gen"),
		MessageAction: types.MessageActionTypeResend, TemporaryPassword: aws.String("Other-Temp-1!")}); err != nil {
		t.Fatalf("RESEND: %v", err)
	}
	client := st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID})
	auth, err := st.passwordAuth(t, aws.ToString(client.ClientId), "gen", "Other-Temp-1!")
	if err != nil || auth.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Errorf("sign-in with the resent password: %+v, %v", auth, err)
	}

	tests := []struct {
		name string
		in   cip.AdminCreateUserInput
		code string
	}{
		{"RESEND to nobody", cip.AdminCreateUserInput{Username: aws.String("ghost"), MessageAction: types.MessageActionTypeResend}, "UserNotFoundException"},
		{"bad medium", cip.AdminCreateUserInput{Username: aws.String("x1"), DesiredDeliveryMediums: []types.DeliveryMediumType{"PIGEON"}}, "InvalidParameterException"},
		{"bad action", cip.AdminCreateUserInput{Username: aws.String("x2"), MessageAction: "SHOUT"}, "InvalidParameterException"},
		{"weak password", cip.AdminCreateUserInput{Username: aws.String("x3"), TemporaryPassword: aws.String("weakpassword")}, "InvalidPasswordException"},
		{"unknown attribute", cip.AdminCreateUserInput{Username: aws.String("x4"), UserAttributes: []types.AttributeType{attr("shoe_size", "9")}}, "InvalidParameterException"},
		{"unknown pool", cip.AdminCreateUserInput{UserPoolId: aws.String("us-west-2_Missing99"), Username: aws.String("x5")}, "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.UserPoolId == nil {
				in.UserPoolId = &poolID
			}
			_, err := st.admin.AdminCreateUser(ctx, &in)
			wantAPIError(t, err, tt.code, "")
		})
	}
	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	_, err = raw.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value null at 'username' failed to satisfy constraint: Member must not be null")
}

func TestEmailAsUsername(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{"email"}})
	out, err := st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("carol@example.com"),
		MessageAction: types.MessageActionTypeSuppress})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	// Cognito stores the sub as the username and the address as email.
	attrs := attrsOf(out.User.Attributes)
	if aws.ToString(out.User.Username) != attrs["sub"] || attrs["email"] != "carol@example.com" {
		t.Errorf("Username %q, attributes %v", aws.ToString(out.User.Username), attrs)
	}
	got, err := st.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("Carol@Example.com")})
	if err != nil || aws.ToString(got.Username) != attrs["sub"] {
		t.Errorf("AdminGetUser by email: %+v, %v", got, err)
	}
	_, err = st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("carol"),
		MessageAction: types.MessageActionTypeSuppress})
	wantAPIError(t, err, "InvalidParameterException", "Username should be either an email or a phone number.")
}

func TestAdminSetUserPasswordAndDeleteUser(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	client := st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID})
	clientID := aws.ToString(client.ClientId)
	if _, err := st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("dave"),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	status := func() types.UserStatusType {
		t.Helper()
		out, err := st.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("dave")})
		if err != nil {
			t.Fatalf("AdminGetUser: %v", err)
		}
		return out.UserStatus
	}

	if _, err := st.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("dave"),
		Password: aws.String("Permanent-Pass-1"), Permanent: true}); err != nil {
		t.Fatalf("AdminSetUserPassword permanent: %v", err)
	}
	if s := status(); s != types.UserStatusTypeConfirmed {
		t.Errorf("status after a permanent password = %s, want CONFIRMED", s)
	}
	if out, err := st.passwordAuth(t, clientID, "dave", "Permanent-Pass-1"); err != nil || out.AuthenticationResult == nil {
		t.Fatalf("sign-in with the new password: %+v, %v", out, err)
	}

	if _, err := st.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("dave"),
		Password: aws.String("Temporary-Pass-2")}); err != nil {
		t.Fatalf("AdminSetUserPassword temporary: %v", err)
	}
	if s := status(); s != types.UserStatusTypeForceChangePassword {
		t.Errorf("status after a temporary password = %s, want FORCE_CHANGE_PASSWORD", s)
	}

	_, err := st.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("dave"),
		Password: aws.String("short"), Permanent: true})
	wantAPIError(t, err, "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
	_, err = st.admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("erin"),
		Password: aws.String("Permanent-Pass-1"), Permanent: true})
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")

	if _, err := st.admin.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &poolID, Username: aws.String("DAVE")}); err != nil {
		t.Fatalf("AdminDeleteUser: %v", err)
	}
	_, err = st.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("dave")})
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
	_, err = st.admin.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &poolID, Username: aws.String("dave")})
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
	_, err = st.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String("us-west-2_Missing99"), Username: aws.String("dave")})
	wantAPIError(t, err, "ResourceNotFoundException", "User pool us-west-2_Missing99 does not exist.")
}

func TestAdminUpdateAndDeleteUserAttributes(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, &cip.CreateUserPoolInput{
		AliasAttributes: []types.AliasAttributeType{"email"},
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("given_name"), Required: aws.Bool(true), Mutable: aws.Bool(true)},
			{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString},
			{Name: aws.String("plan"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
		},
	})
	st.newUser(t, poolID, "alice", "Correct-Horse-1", attr("given_name", "Alice"), attr("email", "alice@example.com"),
		attr("email_verified", "true"), attr("custom:plan", "gold"))
	st.newUser(t, poolID, "bob", "Correct-Horse-1", attr("given_name", "Bob"), attr("email", "bob@example.com"), attr("email_verified", "true"))
	get := func(name string) map[string]string {
		t.Helper()
		out, err := st.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: &name})
		if err != nil {
			t.Fatalf("AdminGetUser: %v", err)
		}
		return attrsOf(out.UserAttributes)
	}

	// A new email becomes unverified; the admin may verify it at once.
	if _, err := st.admin.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: aws.String("alice"),
		UserAttributes: []types.AttributeType{attr("email", "alice@new.example.com"), attr("custom:tenant", "acme"), attr("family_name", "Liddell")}}); err != nil {
		t.Fatalf("AdminUpdateUserAttributes: %v", err)
	}
	a := get("alice")
	if a["email"] != "alice@new.example.com" || a["email_verified"] != "false" || a["custom:tenant"] != "acme" || a["family_name"] != "Liddell" {
		t.Errorf("after update: %v", a)
	}
	if _, err := st.admin.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: aws.String("alice"),
		UserAttributes: []types.AttributeType{attr("email_verified", "true")}}); err != nil {
		t.Fatalf("AdminUpdateUserAttributes email_verified: %v", err)
	}
	if a := get("alice"); a["email_verified"] != "true" {
		t.Errorf("email_verified = %q", a["email_verified"])
	}
	// Verified, the new address is an alias: AdminGetUser finds alice by it.
	if a := get("alice@new.example.com"); a["given_name"] != "Alice" {
		t.Errorf("lookup by the new alias: %v", a)
	}

	updateTests := []struct {
		name, user string
		attrs      []types.AttributeType
		code       string
	}{
		{"verified alias of another user", "bob", []types.AttributeType{attr("email", "alice@new.example.com"), attr("email_verified", "true")}, "AliasExistsException"},
		{"unknown attribute", "alice", []types.AttributeType{attr("shoe_size", "9")}, "InvalidParameterException"},
		{"immutable custom attribute", "alice", []types.AttributeType{attr("custom:plan", "silver")}, "InvalidParameterException"},
		{"sub", "alice", []types.AttributeType{attr("sub", "x")}, "InvalidParameterException"},
		{"required attribute emptied", "alice", []types.AttributeType{attr("given_name", "")}, "InvalidParameterException"},
		{"bad email", "alice", []types.AttributeType{attr("email", "not an address")}, "InvalidParameterException"},
		{"name twice", "alice", []types.AttributeType{attr("name", "a"), attr("name", "b")}, "InvalidParameterException"},
		{"unknown user", "carol", []types.AttributeType{attr("name", "c")}, "UserNotFoundException"},
	}
	for _, tt := range updateTests {
		t.Run("update "+tt.name, func(t *testing.T) {
			_, err := st.admin.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: &tt.user, UserAttributes: tt.attrs})
			wantAPIError(t, err, tt.code, "")
		})
	}
	_, err := st.admin.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String("us-west-2_NoSuchOne"),
		Username: aws.String("alice"), UserAttributes: []types.AttributeType{attr("name", "a")}})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	_, err = raw.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: aws.String("alice")})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value null at 'userAttributes' failed to satisfy constraint: Member must not be null")
	if a := get("alice"); a["email"] != "alice@new.example.com" || a["custom:plan"] != "gold" || a["given_name"] != "Alice" {
		t.Errorf("a refused update changed alice: %v", a)
	}

	// Delete: email takes its verification flag with it.
	if _, err := st.admin.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: &poolID, Username: aws.String("alice"),
		UserAttributeNames: []string{"family_name", "email", "custom:tenant"}}); err != nil {
		t.Fatalf("AdminDeleteUserAttributes: %v", err)
	}
	a = get("alice")
	for _, gone := range []string{"family_name", "email", "email_verified", "custom:tenant"} {
		if _, ok := a[gone]; ok {
			t.Errorf("%s survived the delete: %v", gone, a)
		}
	}
	_, err = st.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("alice@new.example.com")})
	wantAPIError(t, err, "UserNotFoundException", "")
	deleteTests := []struct {
		name, user string
		names      []string
		code       string
	}{
		{"required", "alice", []string{"given_name"}, "InvalidParameterException"},
		{"immutable", "alice", []string{"custom:plan"}, "InvalidParameterException"},
		{"sub", "alice", []string{"sub"}, "InvalidParameterException"},
		{"unknown attribute", "alice", []string{"shoe_size"}, "InvalidParameterException"},
		{"unknown user", "carol", []string{"name"}, "UserNotFoundException"},
	}
	for _, tt := range deleteTests {
		t.Run("delete "+tt.name, func(t *testing.T) {
			_, err := st.admin.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: &poolID, Username: &tt.user, UserAttributeNames: tt.names})
			wantAPIError(t, err, tt.code, "")
		})
	}
	_, err = raw.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: &poolID, Username: aws.String("alice")})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value null at 'userAttributeNames' failed to satisfy constraint: Member must not be null")
	_, err = st.admin.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: aws.String("us-west-2_NoSuchOne"),
		Username: aws.String("alice"), UserAttributeNames: []string{"name"}})
	wantAPIError(t, err, "ResourceNotFoundException", "")
}

func TestAdminDisableAndEnableUser(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	clientID := aws.ToString(st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID}).ClientId)
	st.newUser(t, poolID, "alice", "Correct-Horse-1")
	signIn, err := st.passwordAuth(t, clientID, "alice", "Correct-Horse-1")
	if err != nil {
		t.Fatal(err)
	}
	access, refresh := aws.ToString(signIn.AuthenticationResult.AccessToken), aws.ToString(signIn.AuthenticationResult.RefreshToken)
	pool, err := st.dir.GetPool(ctx, poolID)
	if err != nil {
		t.Fatal(err)
	}
	_, user, err := st.engine.ValidateAccess(ctx, pool, access)
	if err != nil {
		t.Fatalf("access token before the disable: %v", err)
	}
	now := st.clock.Now()
	if err := st.dir.Store().CreateSession(ctx, &storage.Session{PoolID: poolID, ID: "sso-1", Sub: user.Sub, AuthTime: now,
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	if _, err := st.admin.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &poolID, Username: aws.String("alice")}); err != nil {
		t.Fatalf("AdminDisableUser: %v", err)
	}
	got, err := st.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("alice")})
	if err != nil || got.Enabled {
		t.Fatalf("AdminGetUser after the disable: %+v, %v", got, err)
	}
	_, err = st.passwordAuth(t, clientID, "alice", "Correct-Horse-1")
	wantAPIError(t, err, "NotAuthorizedException", "User is disabled.")
	_, err = st.public.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": refresh}})
	wantAPIError(t, err, "NotAuthorizedException", "")
	if _, _, err := st.engine.ValidateAccess(ctx, pool, access); err == nil {
		t.Error("the disabled user's access token is still accepted")
	}
	if _, err := st.dir.Store().GetSession(ctx, poolID, "sso-1"); err == nil {
		t.Error("the disabled user's SSO session survived")
	}
	// ListUsers sees the disabled user, and status filters find them.
	list, err := st.admin.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID, Filter: aws.String(`status = "Disabled"`)})
	if err != nil || len(list.Users) != 1 || list.Users[0].Enabled {
		t.Errorf("ListUsers status = Disabled: %+v, %v", list, err)
	}

	if _, err := st.admin.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: &poolID, Username: aws.String("alice")}); err != nil {
		t.Fatalf("AdminEnableUser: %v", err)
	}
	if _, err := st.passwordAuth(t, clientID, "alice", "Correct-Horse-1"); err != nil {
		t.Errorf("sign-in after enabling: %v", err)
	}
	// The tokens of before the disable stay dead.
	_, err = st.public.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": refresh}})
	wantAPIError(t, err, "NotAuthorizedException", "")

	for _, op := range []func(string, string) error{
		func(pool, user string) error {
			_, err := st.admin.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &pool, Username: &user})
			return err
		},
		func(pool, user string) error {
			_, err := st.admin.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: &pool, Username: &user})
			return err
		},
	} {
		wantAPIError(t, op(poolID, "nobody"), "UserNotFoundException", "User does not exist.")
		wantAPIError(t, op("us-west-2_NoSuchOne", "alice"), "ResourceNotFoundException", "")
		wantAPIError(t, op("bad id", "alice"), "InvalidParameterException", "")
	}
	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	_, err = raw.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &poolID})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value null at 'username' failed to satisfy constraint: Member must not be null")
}

func TestListUsers(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	names := map[string]string{}
	for i := range 7 {
		username := fmt.Sprintf("user%d", i)
		given := "Jon"
		if i%2 == 1 {
			given = "Jane"
		}
		st.newUser(t, poolID, username, "Correct-Horse-1", attr("email", username+"@example.com"), attr("given_name", given),
			attr("phone_number", fmt.Sprintf("+1555000%04d", i)))
		names[username] = given
	}
	if _, err := st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("newbie"),
		MessageAction: types.MessageActionTypeSuppress, UserAttributes: []types.AttributeType{attr("name", `Quote "Q" Back\slash`)}}); err != nil {
		t.Fatal(err)
	}

	// Every user once through the SDK's paginator, with Cognito's UserType.
	var all []string
	pages := 0
	for p := cip.NewListUsersPaginator(st.admin, &cip.ListUsersInput{UserPoolId: &poolID, Limit: aws.Int32(3)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		pages++
		for _, u := range page.Users {
			all = append(all, aws.ToString(u.Username))
			if u.UserCreateDate == nil || u.UserLastModifiedDate == nil || !u.Enabled || u.UserStatus == "" || attrsOf(u.Attributes)["sub"] == "" {
				t.Errorf("UserType %+v", u)
			}
		}
	}
	slices.Sort(all)
	if len(all) != 8 || pages != 3 || len(slices.Compact(slices.Clone(all))) != 8 {
		t.Errorf("listed %v in %d pages, want 8 users in 3", all, pages)
	}

	filtered := func(filter string, attrs ...string) []types.UserType {
		t.Helper()
		in := &cip.ListUsersInput{UserPoolId: &poolID, Filter: aws.String(filter)}
		if attrs != nil {
			in.AttributesToGet = attrs
		}
		var out []types.UserType
		for p := cip.NewListUsersPaginator(st.admin, in); p.HasMorePages(); {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListUsers %q: %v", filter, err)
			}
			out = append(out, page.Users...)
		}
		return out
	}
	usernames := func(us []types.UserType) []string {
		var out []string
		for _, u := range us {
			out = append(out, aws.ToString(u.Username))
		}
		slices.Sort(out)
		return out
	}
	filterTests := []struct {
		filter string
		want   []string
	}{
		{`username = "user3"`, []string{"user3"}},
		{`username = "USER3"`, nil},
		{`username ^= "user"`, []string{"user0", "user1", "user2", "user3", "user4", "user5", "user6"}},
		{`email = "user4@example.com"`, []string{"user4"}},
		{`given_name = "Jane"`, []string{"user1", "user3", "user5"}},
		{`given_name ^= "Jo"`, []string{"user0", "user2", "user4", "user6"}},
		{`phone_number ^= "+15550000006"`, []string{"user6"}},
		{`cognito:user_status = "force_change_password"`, []string{"newbie"}},
		{`cognito:user_status = "CONFIRMED"`, []string{"user0", "user1", "user2", "user3", "user4", "user5", "user6"}},
		{`status = "Enabled"`, []string{"newbie", "user0", "user1", "user2", "user3", "user4", "user5", "user6"}},
		{`status = "Disabled"`, nil},
		{`name = "Quote \"Q\" Back\\slash"`, []string{"newbie"}},
		{`family_name = "Nobody"`, nil},
	}
	for _, tt := range filterTests {
		if got := usernames(filtered(tt.filter)); !slices.Equal(got, tt.want) {
			t.Errorf("Filter %s: %v, want %v", tt.filter, got, tt.want)
		}
	}
	// The sub filter, and AttributesToGet.
	one := filtered(`username = "user2"`)
	sub := attrsOf(one[0].Attributes)["sub"]
	bySub := filtered(`sub = "`+sub+`"`, "email")
	if len(bySub) != 1 || aws.ToString(bySub[0].Username) != "user2" || !equal(attrsOf(bySub[0].Attributes), map[string]string{"email": "user2@example.com"}) {
		t.Errorf("by sub with AttributesToGet [email]: %+v", bySub)
	}
	if none := filtered(`username = "user2"`, []string{}...); len(none) != 1 {
		t.Errorf("AttributesToGet []: %+v", none)
	}

	errTests := []struct {
		name string
		in   cip.ListUsersInput
		code string
	}{
		{"custom attribute filter", cip.ListUsersInput{Filter: aws.String(`custom:tenant = "x"`)}, "InvalidParameterException"},
		{"unquoted value", cip.ListUsersInput{Filter: aws.String(`email = x`)}, "InvalidParameterException"},
		{"bad operator", cip.ListUsersInput{Filter: aws.String(`email != "x"`)}, "InvalidParameterException"},
		{"long filter", cip.ListUsersInput{Filter: aws.String(`email = "` + strings.Repeat("x", 256) + `"`)}, "InvalidParameterException"},
		{"limit 61", cip.ListUsersInput{Limit: aws.Int32(61)}, "InvalidParameterException"},
		{"bad token", cip.ListUsersInput{PaginationToken: aws.String("%%")}, "InvalidParameterException"},
		{"unknown attribute to get", cip.ListUsersInput{AttributesToGet: []string{"shoe_size"}}, "InvalidParameterException"},
		{"unknown pool", cip.ListUsersInput{UserPoolId: aws.String("us-west-2_NoSuchOne")}, "ResourceNotFoundException"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.UserPoolId == nil {
				in.UserPoolId = &poolID
			}
			_, err := st.admin.ListUsers(ctx, &in)
			wantAPIError(t, err, tt.code, "")
		})
	}
	// Limit 0 is Cognito's default page.
	zero, err := st.admin.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID, Limit: aws.Int32(0)})
	if err != nil || len(zero.Users) != 8 || zero.PaginationToken != nil {
		t.Errorf("Limit 0: %d users, token %v, %v", len(zero.Users), zero.PaginationToken, err)
	}
	_, err = st.admin.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID, Limit: aws.Int32(-1)})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0")
}

// TestAdminUpdateUserAttributesVerification: AdminUpdateUserAttributes is
// the engine's UpdateAttributes, as UpdateUserAttributes is: a changed
// auto-verified email gets a code (read from the SMTP sink), and with
// AttributesRequireVerificationBeforeUpdate the verified old address stays
// until the new one is verified; an administrator's email_verified needs no
// code.
func TestAdminUpdateUserAttributesVerification(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	update := func(poolID, username string, attrs ...types.AttributeType) {
		t.Helper()
		if _, err := st.admin.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID,
			Username: &username, UserAttributes: attrs}); err != nil {
			t.Fatalf("AdminUpdateUserAttributes: %v", err)
		}
	}

	t.Run("old value kept until verified", func(t *testing.T) {
		poolID, clientID := st.signUpPool(t, &cip.CreateUserPoolInput{
			AliasAttributes: []types.AliasAttributeType{"email"},
			UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{
				AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{"email"}},
		}, nil)
		st.newUser(t, poolID, "kai", signUpPassword, attr("email", "kai@example.com"), attr("email_verified", "true"))
		code := st.mailedCode(t, "kai@new.example", func() { update(poolID, "kai", attr("email", "kai@new.example")) })
		if a := attrsOf(st.getUser(t, poolID, "kai").UserAttributes); a["email"] != "kai@example.com" || a["email_verified"] != "true" {
			t.Errorf("before verifying: %v", a)
		}
		st.accessToken(t, clientID, "kai@example.com", signUpPassword) // the old alias still signs in
		_, err := st.passwordAuth(t, clientID, "kai@new.example", signUpPassword)
		wantAPIError(t, err, "UserNotFoundException", "")

		token := st.accessToken(t, clientID, "kai", signUpPassword)
		if _, err := st.public.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: &token,
			AttributeName: aws.String("email"), Code: &code}); err != nil {
			t.Fatalf("VerifyUserAttribute: %v", err)
		}
		if a := attrsOf(st.getUser(t, poolID, "kai").UserAttributes); a["email"] != "kai@new.example" || a["email_verified"] != "true" {
			t.Errorf("after verifying: %v", a)
		}
		st.accessToken(t, clientID, "kai@new.example", signUpPassword)

		// A second change, vouched for by the administrator: applied at once,
		// no code sent.
		n := st.mailSeq()
		update(poolID, "kai", attr("email", "kai@third.example"), attr("email_verified", "true"))
		if a := attrsOf(st.getUser(t, poolID, "kai").UserAttributes); a["email"] != "kai@third.example" || a["email_verified"] != "true" {
			t.Errorf("after a verified change: %v", a)
		}
		if got := st.mailSeq(); got != n {
			t.Errorf("%d mails sent for a change the administrator verified", got-n)
		}
	})

	t.Run("phone number by SMS", func(t *testing.T) {
		poolID, clientID := st.signUpPool(t, &cip.CreateUserPoolInput{
			AutoVerifiedAttributes: []types.VerifiedAttributeType{"phone_number"},
			UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{
				AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{"phone_number"}},
		}, nil)
		st.newUser(t, poolID, "pia", signUpPassword, attr("phone_number", "+15550003333"), attr("phone_number_verified", "true"))
		n := st.smsSeq()
		update(poolID, "pia", attr("phone_number", "+15550004444"))
		code := notifytest.Code(st.smsAfter(t, "+15550004444", n))
		if a := attrsOf(st.getUser(t, poolID, "pia").UserAttributes); a["phone_number"] != "+15550003333" || a["phone_number_verified"] != "true" {
			t.Errorf("before verifying: %v", a)
		}
		token := st.accessToken(t, clientID, "pia", signUpPassword)
		if _, err := st.public.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: &token,
			AttributeName: aws.String("phone_number"), Code: &code}); err != nil {
			t.Fatalf("VerifyUserAttribute: %v", err)
		}
		if a := attrsOf(st.getUser(t, poolID, "pia").UserAttributes); a["phone_number"] != "+15550004444" || a["phone_number_verified"] != "true" {
			t.Errorf("after verifying: %v", a)
		}
	})

	t.Run("unverified at once", func(t *testing.T) {
		poolID, clientID := st.signUpPool(t, nil, nil)
		st.newUser(t, poolID, "uli", signUpPassword, attr("email", "uli@example.com"), attr("email_verified", "true"))
		code := st.mailedCode(t, "uli@new.example", func() { update(poolID, "uli", attr("email", "uli@new.example")) })
		if a := attrsOf(st.getUser(t, poolID, "uli").UserAttributes); a["email"] != "uli@new.example" || a["email_verified"] != "false" {
			t.Errorf("after the update: %v", a)
		}
		token := st.accessToken(t, clientID, "uli", signUpPassword)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		_, err := st.public.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: &token,
			AttributeName: aws.String("email"), Code: &wrong})
		wantAPIError(t, err, "CodeMismatchException", msgCodeMismatch)
		if _, err := st.public.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: &token,
			AttributeName: aws.String("email"), Code: &code}); err != nil {
			t.Fatalf("VerifyUserAttribute: %v", err)
		}
		if a := attrsOf(st.getUser(t, poolID, "uli").UserAttributes); a["email_verified"] != "true" {
			t.Errorf("after verifying: %v", a)
		}
	})
}

// TestListUsersEveryFilter: each attribute Cognito's ListUsers filters on,
// with = and with ^=, and a filtered listing paged with Limit and
// PaginationToken, AttributesToGet applied to every page.
func TestListUsersEveryFilter(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	st.newUser(t, poolID, "ann", "Correct-Horse-1", attr("email", "ann@alpha.example"), attr("phone_number", "+15551110001"),
		attr("name", "Ann Lee"), attr("given_name", "Ann"), attr("family_name", "Lee"), attr("preferred_username", "annie"))
	st.newUser(t, poolID, "anton", "Correct-Horse-1", attr("email", "anton@beta.example"), attr("phone_number", "+15552220002"),
		attr("name", "Anton Leeds"), attr("given_name", "Anton"), attr("family_name", "Leeds"), attr("preferred_username", "tony"))
	st.newUser(t, poolID, "bea", "Correct-Horse-1", attr("email", "bea@alpha.example"), attr("phone_number", "+15551110003"),
		attr("name", "Bea Moss"), attr("given_name", "Bea"), attr("family_name", "Moss"), attr("preferred_username", "bee"))
	if _, err := st.admin.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &poolID, Username: aws.String("bea")}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("carl"),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	subs := map[string]string{}
	for _, name := range []string{"ann", "anton", "bea", "carl"} {
		subs[name] = attrsOf(st.getUser(t, poolID, name).UserAttributes)["sub"]
	}

	list := func(in cip.ListUsersInput) (names []string, pages int) {
		t.Helper()
		in.UserPoolId = &poolID
		for p := cip.NewListUsersPaginator(st.admin, &in); p.HasMorePages(); {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListUsers %q: %v", aws.ToString(in.Filter), err)
			}
			pages++
			for _, u := range page.Users {
				names = append(names, aws.ToString(u.Username))
			}
		}
		slices.Sort(names)
		return names, pages
	}
	tests := []struct {
		filter string
		want   []string
	}{
		{`username = "anton"`, []string{"anton"}},
		{`username ^= "an"`, []string{"ann", "anton"}},
		{`email = "bea@alpha.example"`, []string{"bea"}},
		{`email ^= "an"`, []string{"ann", "anton"}},
		{`phone_number = "+15552220002"`, []string{"anton"}},
		{`phone_number ^= "+1555111"`, []string{"ann", "bea"}},
		{`name = "Ann Lee"`, []string{"ann"}},
		{`name ^= "An"`, []string{"ann", "anton"}},
		{`given_name = "Bea"`, []string{"bea"}},
		{`given_name ^= "Ant"`, []string{"anton"}},
		{`family_name = "Lee"`, []string{"ann"}},
		{`family_name ^= "Lee"`, []string{"ann", "anton"}},
		{`preferred_username = "tony"`, []string{"anton"}},
		{`preferred_username ^= "b"`, []string{"bea"}},
		{`cognito:user_status = "FORCE_CHANGE_PASSWORD"`, []string{"carl"}},
		{`cognito:user_status ^= "CONF"`, []string{"ann", "anton", "bea"}},
		{`status = "Disabled"`, []string{"bea"}},
		{`status ^= "Enab"`, []string{"ann", "anton", "carl"}},
		{`sub = "` + subs["carl"] + `"`, []string{"carl"}},
		{`sub ^= "` + subs["ann"][:8] + `"`, []string{"ann"}},
		{`email = "nobody@alpha.example"`, nil},
	}
	for _, tt := range tests {
		if got, _ := list(cip.ListUsersInput{Filter: aws.String(tt.filter)}); !slices.Equal(got, tt.want) {
			t.Errorf("Filter %s: %v, want %v", tt.filter, got, tt.want)
		}
	}

	// A filtered listing one user a page: every match once, each page
	// with only the attributes asked for.
	in := &cip.ListUsersInput{UserPoolId: &poolID, Filter: aws.String(`email ^= ""`), Limit: aws.Int32(1),
		AttributesToGet: []string{"email", "family_name"}}
	var got []string
	for p := cip.NewListUsersPaginator(st.admin, in); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		if len(page.Users) > 1 {
			t.Errorf("page of %d users with Limit 1", len(page.Users))
		}
		for _, u := range page.Users {
			got = append(got, aws.ToString(u.Username))
			a := attrsOf(u.Attributes)
			if len(a) != 2 || a["email"] == "" || a["family_name"] == "" {
				t.Errorf("%s attributes %v, want email and family_name", aws.ToString(u.Username), a)
			}
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"ann", "anton", "bea"}) {
		t.Errorf("filtered pages listed %v", got)
	}
	// The token of a filtered page goes on with the same filter.
	first, err := st.admin.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID, Filter: aws.String(`username ^= "an"`), Limit: aws.Int32(1)})
	if err != nil || len(first.Users) != 1 || first.PaginationToken == nil {
		t.Fatalf("first page: %+v, %v", first, err)
	}
	second, err := st.admin.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID, Filter: aws.String(`username ^= "an"`), Limit: aws.Int32(1),
		PaginationToken: first.PaginationToken})
	if err != nil || len(second.Users) != 1 || aws.ToString(second.Users[0].Username) == aws.ToString(first.Users[0].Username) {
		t.Fatalf("second page: %+v, %v", second, err)
	}
}
