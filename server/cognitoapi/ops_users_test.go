package cognitoapi

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/uuid"
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
	// No sender exists yet: the invitation is logged, the password is not.
	logs := st.logs.String()
	if !strings.Contains(logs, "invitation not sent") || !strings.Contains(logs, "Alice") {
		t.Errorf("invitation not logged:\n%s", logs)
	}
	if strings.Contains(logs, temp) {
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
