package cognitoapi

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/uuid"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// The sign-up and recovery operations through the real SDK, with every
// code read from the mail or SMS the server really sent.

const (
	signUpPassword = "Sign-Up-Passw0rd!"
	newPassword    = "New-Passw0rd!"
)

// Cognito's messages for codes.
const (
	msgCodeMismatch  = "Invalid verification code provided, please try again."
	msgCodeExpired   = "Invalid code provided, please request a code again."
	msgLimitExceeded = "Attempt limit exceeded, please try after some time."
)

// mailSeq and smsSeq are the number of messages sent so far, for waiting
// on the next one.
func (st *stack) mailSeq() int { return len(st.mail.Messages()) }
func (st *stack) smsSeq() int  { return len(st.sms.Messages()) }

// mailAfter waits for the newest mail to addr after the after-th.
func (st *stack) mailAfter(t *testing.T, addr string, after int) notifytest.Msg {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	to := notifytest.To(addr)
	m, err := st.mail.Wait(ctx, func(m notifytest.Msg) bool { return m.Seq > after && to(m) })
	if err != nil {
		t.Fatalf("no mail to %s: %v", addr, err)
	}
	return m
}

// smsAfter waits for the newest SMS to phone after the after-th.
func (st *stack) smsAfter(t *testing.T, phone string, after int) notifytest.SMS {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	m, err := st.sms.Wait(ctx, func(m notifytest.SMS) bool { return m.Seq > after && m.PhoneNumber == phone })
	if err != nil {
		t.Fatalf("no SMS to %s: %v", phone, err)
	}
	return m
}

// mailedCode runs op and returns the code it mailed to addr.
func (st *stack) mailedCode(t *testing.T, addr string, op func()) string {
	t.Helper()
	n := st.mailSeq()
	op()
	code := notifytest.Code(st.mailAfter(t, addr, n))
	if code == "" {
		t.Fatalf("mail to %s carries no code", addr)
	}
	return code
}

// signUpPool makes a pool that verifies email by code, and a public
// client of it.
func (st *stack) signUpPool(t *testing.T, in *cip.CreateUserPoolInput, client *cip.CreateUserPoolClientInput) (poolID, clientID string) {
	t.Helper()
	if in == nil {
		in = &cip.CreateUserPoolInput{}
	}
	if in.AutoVerifiedAttributes == nil {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{"email"}
	}
	poolID = st.newPool(t, in)
	if client == nil {
		client = &cip.CreateUserPoolClientInput{}
	}
	client.UserPoolId = &poolID
	return poolID, aws.ToString(st.newClient(t, client).ClientId)
}

func (st *stack) signUp(t *testing.T, clientID, username string, attrs ...types.AttributeType) (*cip.SignUpOutput, error) {
	t.Helper()
	return st.public.SignUp(t.Context(), &cip.SignUpInput{ClientId: &clientID, Username: &username,
		Password: aws.String(signUpPassword), UserAttributes: attrs})
}

func (st *stack) confirmSignUp(t *testing.T, clientID, username, code string) error {
	t.Helper()
	_, err := st.public.ConfirmSignUp(t.Context(), &cip.ConfirmSignUpInput{ClientId: &clientID, Username: &username,
		ConfirmationCode: &code})
	return err
}

func (st *stack) getUser(t *testing.T, poolID, username string) *cip.AdminGetUserOutput {
	t.Helper()
	out, err := st.admin.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: &poolID, Username: &username})
	if err != nil {
		t.Fatalf("AdminGetUser %s: %v", username, err)
	}
	return out
}

// accessToken signs a user in and returns their access token.
func (st *stack) accessToken(t *testing.T, clientID, username, password string) string {
	t.Helper()
	out, err := st.passwordAuth(t, clientID, username, password)
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("sign in %s: %+v, %v", username, out, err)
	}
	return aws.ToString(out.AuthenticationResult.AccessToken)
}

func wantDelivery(t *testing.T, d *types.CodeDeliveryDetailsType, dest string, medium types.DeliveryMediumType, attr string) {
	t.Helper()
	if d == nil || aws.ToString(d.Destination) != dest || d.DeliveryMedium != medium || aws.ToString(d.AttributeName) != attr {
		t.Fatalf("CodeDeliveryDetails = %+v, want %s %s %s", d, dest, medium, attr)
	}
}

func TestSignUpConfirmSignUp(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID, clientID := st.signUpPool(t, nil, nil)

	n := st.mailSeq()
	out, err := st.signUp(t, clientID, "nina", attr("email", "nina@example.com"), attr("given_name", "Nina"),
		attr("email_verified", "true"))
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if out.UserConfirmed {
		t.Errorf("UserConfirmed = true")
	}
	if _, err := uuid.Parse(aws.ToString(out.UserSub)); err != nil {
		t.Errorf("UserSub %q: %v", aws.ToString(out.UserSub), err)
	}
	wantDelivery(t, out.CodeDeliveryDetails, "n***@e***.com", types.DeliveryMediumTypeEmail, "email")
	msg := st.mailAfter(t, "nina@example.com", n)
	code := notifytest.Code(msg)
	if code == "" || msg.Subject != "Your verification code" {
		t.Fatalf("sign-up mail %q: %q", msg.Subject, msg.Text)
	}

	u := st.getUser(t, poolID, "nina")
	attrs := attrsOf(u.UserAttributes)
	if u.UserStatus != types.UserStatusTypeUnconfirmed || attrs["sub"] != aws.ToString(out.UserSub) ||
		attrs["email_verified"] == "true" || attrs["given_name"] != "Nina" {
		t.Errorf("new user %s %v", u.UserStatus, attrs)
	}

	// An unconfirmed user is told so, with the right password or a wrong one.
	_, err = st.passwordAuth(t, clientID, "nina", signUpPassword)
	wantAPIError(t, err, "UserNotConfirmedException", "User is not confirmed.")
	_, err = st.passwordAuth(t, clientID, "nina", "Wrong-Passw0rd!")
	wantAPIError(t, err, "UserNotConfirmedException", "User is not confirmed.")

	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	wantAPIError(t, st.confirmSignUp(t, clientID, "nina", wrong), "CodeMismatchException", msgCodeMismatch)
	if err := st.confirmSignUp(t, clientID, "Nina", code); err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	u = st.getUser(t, poolID, "nina")
	if u.UserStatus != types.UserStatusTypeConfirmed || attrsOf(u.UserAttributes)["email_verified"] != "true" {
		t.Errorf("confirmed user %s %v", u.UserStatus, attrsOf(u.UserAttributes))
	}
	wantAPIError(t, st.confirmSignUp(t, clientID, "nina", code), "NotAuthorizedException",
		"User cannot be confirmed. Current status is CONFIRMED")
	_, err = st.public.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("nina")})
	wantAPIError(t, err, "InvalidParameterException", "User is already confirmed.")
	if out, err := st.passwordAuth(t, clientID, "nina", signUpPassword); err != nil || out.AuthenticationResult == nil {
		t.Fatalf("sign in after confirming: %+v, %v", out, err)
	}

	// A user who never signed up, or a FORCE_CHANGE_PASSWORD one.
	wantAPIError(t, st.confirmSignUp(t, clientID, "ghost", "123456"), "UserNotFoundException",
		"Username/client id combination not found.")
	if _, err := st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("invited"),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, st.confirmSignUp(t, clientID, "invited", "123456"), "NotAuthorizedException",
		"User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD")
}

func TestSignUpRefusals(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID, clientID := st.signUpPool(t, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
		{Name: aws.String("email"), Required: aws.Bool(true), Mutable: aws.Bool(true)},
		{Name: aws.String("team"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)},
	}}, nil)
	_, adminOnlyClient := st.signUpPool(t, &cip.CreateUserPoolInput{
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true}}, nil)
	narrow := st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, WriteAttributes: []string{"email"}})
	if _, err := st.signUp(t, clientID, "taken", attr("email", "taken@example.com")); err != nil {
		t.Fatal(err)
	}
	email := attr("email", "x@example.com")
	tests := []struct {
		name     string
		clientID string
		username string
		password string
		attrs    []types.AttributeType
		code     string
		msg      string
	}{
		{"admin-only pool", adminOnlyClient, "a1", signUpPassword, []types.AttributeType{email}, "NotAuthorizedException",
			"SignUp is not permitted for this user pool"},
		{"username taken", clientID, "TAKEN", signUpPassword, []types.AttributeType{email}, "UsernameExistsException",
			"User account already exists"},
		{"weak password", clientID, "a2", "weakpassword", []types.AttributeType{email}, "InvalidPasswordException", ""},
		{"short password", clientID, "a3", "Sh0rt!", []types.AttributeType{email}, "InvalidPasswordException",
			"Password did not conform with policy: Password not long enough"},
		{"missing required attribute", clientID, "a4", signUpPassword, nil, "InvalidParameterException",
			"Attributes did not conform to the schema: email: The attribute email is required"},
		{"unknown attribute", clientID, "a5", signUpPassword, []types.AttributeType{email, attr("shoe_size", "9")},
			"InvalidParameterException", ""},
		{"bad email", clientID, "a6", signUpPassword, []types.AttributeType{attr("email", "not-an-address")},
			"InvalidParameterException", "Invalid email address format."},
		{"attribute the client may not write", aws.ToString(narrow.ClientId), "a7", signUpPassword,
			[]types.AttributeType{email, attr("custom:team", "red")}, "NotAuthorizedException",
			"A client attempted to write unauthorized attribute"},
		{"unknown client", "1example23456789abcdefghij", "a8", signUpPassword, []types.AttributeType{email},
			"ResourceNotFoundException", "User pool client 1example23456789abcdefghij does not exist."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.public.SignUp(ctx, &cip.SignUpInput{ClientId: &tt.clientID, Username: &tt.username,
				Password: &tt.password, UserAttributes: tt.attrs})
			wantAPIError(t, err, tt.code, tt.msg)
		})
	}
	raw := st.client(nil, withoutValidation)
	_, err := raw.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Password: aws.String(signUpPassword)})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value null at 'username' failed to satisfy constraint: Member must not be null")
	_, err = raw.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("taken")})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value null at 'confirmationCode' failed to satisfy constraint: Member must not be null")
	if n := len(st.mail.Messages()); n != 1 {
		t.Errorf("%d mails sent, want only the one of the accepted sign-up", n)
	}
}

func TestSignUpSecretHash(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{"email"}})
	client := st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, GenerateSecret: true})
	clientID, secret := aws.ToString(client.ClientId), aws.ToString(client.ClientSecret)
	hash := func(username string) *string { return aws.String(secretHash(secret, username, clientID)) }
	missing := "Client " + clientID + " is configured for secret but secret was not received"
	bad := "Unable to verify secret hash for client " + clientID

	signUp := func(h *string) error {
		_, err := st.public.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("sam"), SecretHash: h,
			Password: aws.String(signUpPassword), UserAttributes: []types.AttributeType{attr("email", "sam@example.com")}})
		return err
	}
	wantAPIError(t, signUp(nil), "NotAuthorizedException", missing)
	wantAPIError(t, signUp(hash("someone-else")), "NotAuthorizedException", bad)
	code := st.mailedCode(t, "sam@example.com", func() {
		if err := signUp(hash("sam")); err != nil {
			t.Fatalf("SignUp with SecretHash: %v", err)
		}
	})

	st.clock.Advance(directory.CodeResendCooldown)
	_, err := st.public.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("sam")})
	wantAPIError(t, err, "NotAuthorizedException", missing)
	code = st.mailedCode(t, "sam@example.com", func() {
		if _, err := st.public.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID,
			Username: aws.String("sam"), SecretHash: hash("sam")}); err != nil {
			t.Fatalf("ResendConfirmationCode: %v", err)
		}
	})
	_, err = st.public.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("sam"),
		ConfirmationCode: &code, SecretHash: hash("bob")})
	wantAPIError(t, err, "NotAuthorizedException", bad)
	if _, err := st.public.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("sam"),
		ConfirmationCode: &code, SecretHash: hash("sam")}); err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}

	_, err = st.public.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("sam")})
	wantAPIError(t, err, "NotAuthorizedException", missing)
	code = st.mailedCode(t, "sam@example.com", func() {
		if _, err := st.public.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("sam"),
			SecretHash: hash("sam")}); err != nil {
			t.Fatalf("ForgotPassword: %v", err)
		}
	})
	_, err = st.public.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("sam"),
		ConfirmationCode: &code, Password: aws.String(newPassword)})
	wantAPIError(t, err, "NotAuthorizedException", missing)
	if _, err := st.public.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("sam"),
		ConfirmationCode: &code, Password: aws.String(newPassword), SecretHash: hash("sam")}); err != nil {
		t.Fatalf("ConfirmForgotPassword: %v", err)
	}
	if out, err := st.passwordAuth(t, clientID, "sam", newPassword, "SECRET_HASH", *hash("sam")); err != nil || out.AuthenticationResult == nil {
		t.Fatalf("sign in with the new password: %+v, %v", out, err)
	}
}

func TestSignUpBySMS(t *testing.T) {
	st := newStack(t)
	poolID, clientID := st.signUpPool(t, &cip.CreateUserPoolInput{
		UsernameAttributes:     []types.UsernameAttributeType{"phone_number"},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{"phone_number"},
		SmsVerificationMessage: aws.String("Acme code: {####}"),
	}, nil)
	n := st.smsSeq()
	out, err := st.signUp(t, clientID, "+15555550123")
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	wantDelivery(t, out.CodeDeliveryDetails, "+*******0123", types.DeliveryMediumTypeSms, "phone_number")
	sms := st.smsAfter(t, "+15555550123", n)
	if !strings.HasPrefix(sms.Message, "Acme code: ") {
		t.Errorf("SMS %q does not use the pool's message", sms.Message)
	}
	if err := st.confirmSignUp(t, clientID, "+15555550123", notifytest.Code(sms)); err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	u := st.getUser(t, poolID, "+15555550123")
	if u.UserStatus != types.UserStatusTypeConfirmed || attrsOf(u.UserAttributes)["phone_number_verified"] != "true" ||
		aws.ToString(u.Username) != aws.ToString(out.UserSub) {
		t.Errorf("confirmed user %s %s %v", aws.ToString(u.Username), u.UserStatus, attrsOf(u.UserAttributes))
	}

	// A code that cannot be sent: the user exists, the caller is told.
	st.sms.SetStatus(http.StatusInternalServerError)
	_, err = st.signUp(t, clientID, "+15555550199")
	wantAPIError(t, err, "CodeDeliveryFailureException", "")
	if u := st.getUser(t, poolID, "+15555550199"); u.UserStatus != types.UserStatusTypeUnconfirmed {
		t.Errorf("user after a failed send: %s", u.UserStatus)
	}
}

// TestAdminConfirmSignUp: a pool that verifies nothing leaves sign-ups to
// an administrator.
func TestAdminConfirmSignUp(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	clientID := aws.ToString(st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID}).ClientId)
	out, err := st.signUp(t, clientID, "otto", attr("email", "otto@example.com"))
	if err != nil || out.CodeDeliveryDetails != nil || out.UserConfirmed {
		t.Fatalf("SignUp: %+v, %v", out, err)
	}
	_, err = st.public.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("otto")})
	wantAPIError(t, err, "InvalidParameterException", "Auto verification not turned on.")
	if len(st.mail.Messages()) != 0 {
		t.Errorf("mail sent by a pool that verifies nothing")
	}

	if _, err := st.admin.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &poolID, Username: aws.String("OTTO")}); err != nil {
		t.Fatalf("AdminConfirmSignUp: %v", err)
	}
	u := st.getUser(t, poolID, "otto")
	if u.UserStatus != types.UserStatusTypeConfirmed || attrsOf(u.UserAttributes)["email_verified"] == "true" {
		t.Errorf("admin-confirmed user %s %v", u.UserStatus, attrsOf(u.UserAttributes))
	}
	if _, err := st.passwordAuth(t, clientID, "otto", signUpPassword); err != nil {
		t.Errorf("sign in: %v", err)
	}
	_, err = st.admin.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &poolID, Username: aws.String("otto")})
	wantAPIError(t, err, "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
	_, err = st.admin.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &poolID, Username: aws.String("nobody")})
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
	_, err = st.admin.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String("us-west-2_Missing99"), Username: aws.String("otto")})
	wantAPIError(t, err, "ResourceNotFoundException", "User pool us-west-2_Missing99 does not exist.")
	// Admin operations must be signed.
	_, err = st.public.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &poolID, Username: aws.String("otto")})
	wantAPIError(t, err, "MissingAuthenticationTokenException", "")
	_, err = st.public.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("otto")})
	wantAPIError(t, err, "MissingAuthenticationTokenException", "")
}

func TestConfirmationCodeLimits(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	_, clientID := st.signUpPool(t, nil, nil)
	resend := func(username string) (*cip.ResendConfirmationCodeOutput, error) {
		return st.public.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: &username})
	}

	t.Run("expired code", func(t *testing.T) {
		code := st.mailedCode(t, "eve@example.com", func() {
			if _, err := st.signUp(t, clientID, "eve", attr("email", "eve@example.com")); err != nil {
				t.Fatal(err)
			}
		})
		st.clock.Advance(directory.SignUpCodeLifetime)
		wantAPIError(t, st.confirmSignUp(t, clientID, "eve", code), "ExpiredCodeException", msgCodeExpired)
		code = st.mailedCode(t, "eve@example.com", func() {
			out, err := resend("eve")
			if err != nil {
				t.Fatalf("ResendConfirmationCode: %v", err)
			}
			wantDelivery(t, out.CodeDeliveryDetails, "e***@e***.com", types.DeliveryMediumTypeEmail, "email")
		})
		if err := st.confirmSignUp(t, clientID, "eve", code); err != nil {
			t.Fatalf("ConfirmSignUp with the new code: %v", err)
		}
	})

	t.Run("resend limits", func(t *testing.T) {
		first := st.mailedCode(t, "rex@example.com", func() {
			if _, err := st.signUp(t, clientID, "rex", attr("email", "rex@example.com")); err != nil {
				t.Fatal(err)
			}
		})
		_, err := resend("rex")
		wantAPIError(t, err, "LimitExceededException", msgLimitExceeded)
		var last string
		for i := 2; i <= directory.MaxCodeSendsPerHour; i++ {
			st.clock.Advance(directory.CodeResendCooldown)
			last = st.mailedCode(t, "rex@example.com", func() {
				if _, err := resend("rex"); err != nil {
					t.Fatalf("resend %d: %v", i, err)
				}
			})
		}
		st.clock.Advance(directory.CodeResendCooldown)
		_, err = resend("rex")
		wantAPIError(t, err, "LimitExceededException", msgLimitExceeded)
		if first != last {
			wantAPIError(t, st.confirmSignUp(t, clientID, "rex", first), "CodeMismatchException", msgCodeMismatch)
		}
		if err := st.confirmSignUp(t, clientID, "rex", last); err != nil {
			t.Fatalf("ConfirmSignUp with the last code: %v", err)
		}
		_, err = resend("nobody")
		wantAPIError(t, err, "UserNotFoundException", "Username/client id combination not found.")
	})

	t.Run("attempt limit", func(t *testing.T) {
		code := st.mailedCode(t, "tim@example.com", func() {
			if _, err := st.signUp(t, clientID, "tim", attr("email", "tim@example.com")); err != nil {
				t.Fatal(err)
			}
		})
		wrong := "000000"
		if code == wrong {
			wrong = "999999"
		}
		for i := 1; i < directory.MaxCodeAttempts; i++ {
			wantAPIError(t, st.confirmSignUp(t, clientID, "tim", wrong), "CodeMismatchException", msgCodeMismatch)
		}
		wantAPIError(t, st.confirmSignUp(t, clientID, "tim", wrong), "LimitExceededException", msgLimitExceeded)
		// The code is void now, the right one included.
		wantAPIError(t, st.confirmSignUp(t, clientID, "tim", code), "LimitExceededException", msgLimitExceeded)
	})
}

func TestForgotPassword(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID, clientID := st.signUpPool(t, nil, nil)
	st.newUser(t, poolID, "fay", signUpPassword, attr("email", "fay@example.com"), attr("email_verified", "true"))
	forgot := func(clientID, username string) (*cip.ForgotPasswordOutput, error) {
		return st.public.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: &username})
	}
	confirm := func(clientID, username, code, password string) error {
		_, err := st.public.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: &username,
			ConfirmationCode: &code, Password: &password})
		return err
	}

	code := st.mailedCode(t, "fay@example.com", func() {
		out, err := forgot(clientID, "fay")
		if err != nil {
			t.Fatalf("ForgotPassword: %v", err)
		}
		wantDelivery(t, out.CodeDeliveryDetails, "f***@e***.com", types.DeliveryMediumTypeEmail, "email")
	})
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	wantAPIError(t, confirm(clientID, "fay", wrong, newPassword), "CodeMismatchException", msgCodeMismatch)
	wantAPIError(t, confirm(clientID, "fay", code, "weakpassword"), "InvalidPasswordException", "")
	if err := confirm(clientID, "fay", code, newPassword); err != nil {
		t.Fatalf("ConfirmForgotPassword: %v", err)
	}
	_, err := st.passwordAuth(t, clientID, "fay", signUpPassword)
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	st.accessToken(t, clientID, "fay", newPassword)
	wantAPIError(t, confirm(clientID, "fay", code, "Another-Passw0rd!"), "ExpiredCodeException", msgCodeExpired)

	t.Run("expired code", func(t *testing.T) {
		st.clock.Advance(directory.CodeResendCooldown)
		code := st.mailedCode(t, "fay@example.com", func() {
			if _, err := forgot(clientID, "fay"); err != nil {
				t.Fatal(err)
			}
		})
		st.clock.Advance(directory.ForgotPasswordCodeLifetime)
		wantAPIError(t, confirm(clientID, "fay", code, "Another-Passw0rd!"), "ExpiredCodeException", msgCodeExpired)
	})
	t.Run("within the resend cooldown", func(t *testing.T) {
		st.clock.Advance(directory.CodeResendCooldown)
		if _, err := forgot(clientID, "fay"); err != nil {
			t.Fatal(err)
		}
		_, err := forgot(clientID, "fay")
		wantAPIError(t, err, "LimitExceededException", msgLimitExceeded)
	})
	t.Run("no verified address", func(t *testing.T) {
		st.newUser(t, poolID, "hal", signUpPassword, attr("email", "hal@example.com"))
		_, err := forgot(clientID, "hal")
		wantAPIError(t, err, "InvalidParameterException",
			"Cannot reset password for the user as there is no registered/verified email or phone_number")
	})
	t.Run("unconfirmed without a verified address", func(t *testing.T) {
		if _, err := st.signUp(t, clientID, "uma", attr("email", "uma@example.com")); err != nil {
			t.Fatal(err)
		}
		_, err := forgot(clientID, "uma")
		wantAPIError(t, err, "InvalidParameterException",
			"Cannot reset password for the user as there is no registered/verified email or phone_number")
	})
	t.Run("temporary password", func(t *testing.T) {
		if _, err := st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("tia"),
			MessageAction:  types.MessageActionTypeSuppress,
			UserAttributes: []types.AttributeType{attr("email", "tia@example.com"), attr("email_verified", "true")}}); err != nil {
			t.Fatal(err)
		}
		_, err := forgot(clientID, "tia")
		wantAPIError(t, err, "NotAuthorizedException", "User password cannot be reset in the current state.")
	})
	t.Run("unknown user, existence errors LEGACY", func(t *testing.T) {
		_, err := forgot(clientID, "ghost")
		wantAPIError(t, err, "UserNotFoundException", "Username/client id combination not found.")
		wantAPIError(t, confirm(clientID, "ghost", "123456", newPassword), "UserNotFoundException",
			"Username/client id combination not found.")
	})
	t.Run("unknown user, existence errors ENABLED", func(t *testing.T) {
		hidden := aws.ToString(st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID,
			PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled}).ClientId)
		n := st.mailSeq()
		out, err := forgot(hidden, "ghost@example.com")
		if err != nil {
			t.Fatalf("ForgotPassword for nobody: %v", err)
		}
		wantDelivery(t, out.CodeDeliveryDetails, "g***@e***.com", types.DeliveryMediumTypeEmail, "email")
		wantAPIError(t, confirm(hidden, "ghost@example.com", "123456", newPassword), "CodeMismatchException", msgCodeMismatch)
		// A known user gets the same shape of answer; the code goes out
		// after it, so the timing tells nothing.
		st.clock.Advance(directory.CodeResendCooldown)
		out, err = forgot(hidden, "fay")
		if err != nil {
			t.Fatal(err)
		}
		wantDelivery(t, out.CodeDeliveryDetails, "f***@e***.com", types.DeliveryMediumTypeEmail, "email")
		st.mailAfter(t, "fay@example.com", n)
		_, err = st.public.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &hidden, Username: aws.String("ghost")})
		if err != nil {
			t.Errorf("ResendConfirmationCode for nobody: %v", err)
		}
		wantAPIError(t, st.confirmSignUp(t, hidden, "ghost", "123456"), "CodeMismatchException", msgCodeMismatch)
	})
}

func TestAdminResetUserPassword(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID, clientID := st.signUpPool(t, nil, nil)
	st.newUser(t, poolID, "ray", signUpPassword, attr("email", "ray@example.com"), attr("email_verified", "true"))
	reset := func(username string) error {
		_, err := st.admin.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &poolID, Username: &username})
		return err
	}

	code := st.mailedCode(t, "ray@example.com", func() {
		if err := reset("ray"); err != nil {
			t.Fatalf("AdminResetUserPassword: %v", err)
		}
	})
	if s := st.getUser(t, poolID, "ray").UserStatus; s != types.UserStatusTypeResetRequired {
		t.Errorf("status %s, want RESET_REQUIRED", s)
	}
	_, err := st.passwordAuth(t, clientID, "ray", signUpPassword)
	wantAPIError(t, err, "PasswordResetRequiredException", "Password reset required for the user")
	if _, err := st.public.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("ray"),
		ConfirmationCode: &code, Password: aws.String(newPassword)}); err != nil {
		t.Fatalf("ConfirmForgotPassword: %v", err)
	}
	if s := st.getUser(t, poolID, "ray").UserStatus; s != types.UserStatusTypeConfirmed {
		t.Errorf("status %s, want CONFIRMED", s)
	}
	st.accessToken(t, clientID, "ray", newPassword)

	st.newUser(t, poolID, "ned", signUpPassword, attr("email", "ned@example.com"))
	wantAPIError(t, reset("ned"), "InvalidParameterException",
		"Cannot reset password for the user as there is no registered/verified email or phone_number")
	if s := st.getUser(t, poolID, "ned").UserStatus; s != types.UserStatusTypeConfirmed {
		t.Errorf("a refused reset changed the status to %s", s)
	}
	wantAPIError(t, reset("nobody"), "UserNotFoundException", "User does not exist.")
}

func TestAttributeVerification(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID, clientID := st.signUpPool(t, nil, nil)
	st.newUser(t, poolID, "val", signUpPassword, attr("email", "val@example.com"), attr("phone_number", "+15555550142"))
	token := st.accessToken(t, clientID, "val", signUpPassword)
	getCode := func(token, name string) (*cip.GetUserAttributeVerificationCodeOutput, error) {
		return st.public.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: &token,
			AttributeName: &name})
	}
	verify := func(token, name, code string) error {
		_, err := st.public.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: &token, AttributeName: &name, Code: &code})
		return err
	}

	code := st.mailedCode(t, "val@example.com", func() {
		out, err := getCode(token, "email")
		if err != nil {
			t.Fatalf("GetUserAttributeVerificationCode: %v", err)
		}
		wantDelivery(t, out.CodeDeliveryDetails, "v***@e***.com", types.DeliveryMediumTypeEmail, "email")
	})
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	wantAPIError(t, verify(token, "email", wrong), "CodeMismatchException", msgCodeMismatch)
	if err := verify(token, "email", code); err != nil {
		t.Fatalf("VerifyUserAttribute: %v", err)
	}
	if a := attrsOf(st.getUser(t, poolID, "val").UserAttributes); a["email_verified"] != "true" || a["phone_number_verified"] == "true" {
		t.Errorf("attributes after verifying email: %v", a)
	}
	wantAPIError(t, verify(token, "email", code), "ExpiredCodeException", msgCodeExpired)

	// The phone number, by SMS; an expired code.
	n := st.smsSeq()
	out, err := getCode(token, "phone_number")
	if err != nil {
		t.Fatalf("GetUserAttributeVerificationCode phone_number: %v", err)
	}
	wantDelivery(t, out.CodeDeliveryDetails, "+*******0142", types.DeliveryMediumTypeSms, "phone_number")
	code = notifytest.Code(st.smsAfter(t, "+15555550142", n))
	_, err = getCode(token, "phone_number")
	wantAPIError(t, err, "LimitExceededException", msgLimitExceeded)
	st.clock.Advance(directory.VerifyCodeLifetime)
	token = st.accessToken(t, clientID, "val", signUpPassword)
	wantAPIError(t, verify(token, "phone_number", code), "ExpiredCodeException", msgCodeExpired)
	n = st.smsSeq()
	if _, err := getCode(token, "phone_number"); err != nil {
		t.Fatal(err)
	}
	if err := verify(token, "phone_number", notifytest.Code(st.smsAfter(t, "+15555550142", n))); err != nil {
		t.Fatalf("VerifyUserAttribute phone_number: %v", err)
	}
	if a := attrsOf(st.getUser(t, poolID, "val").UserAttributes); a["phone_number_verified"] != "true" {
		t.Errorf("attributes after verifying the phone: %v", a)
	}

	_, err = getCode(token, "given_name")
	wantAPIError(t, err, "InvalidParameterException", "")
	wantAPIError(t, verify(token, "name", "123456"), "InvalidParameterException", "")

	t.Run("access tokens", func(t *testing.T) {
		u, err := st.dir.FindUser(ctx, &storage.Pool{ID: poolID}, "val")
		if err != nil {
			t.Fatal(err)
		}
		mint := func(issuerPool, signingPool string, scopes ...string) string {
			t.Helper()
			m, err := st.minter.Access(ctx, tokens.Grant{Issuer: testIssuer + issuerPool, PoolID: signingPool,
				Client: &storage.Client{ID: clientID}, User: u, Scopes: scopes, AccessLifetime: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			return m.Token
		}
		other := st.newPool(t, nil)
		tests := []struct{ name, token, code, msg string }{
			{"not a JWT", "not-a-token", "NotAuthorizedException", "Invalid Access Token"},
			{"tampered", token[:len(token)-4] + "AAAA", "NotAuthorizedException", "Invalid Access Token"},
			{"signed by another pool", mint(poolID, other, auth.APIScope), "NotAuthorizedException", "Invalid Access Token"},
			{"unknown pool", mint("us-west-2_Missing99", other, auth.APIScope), "NotAuthorizedException", "Invalid Access Token"},
			{"without the API scope", mint(poolID, poolID, "openid"), "NotAuthorizedException", "Access Token does not have required scopes"},
			{"another pool's, for a user it does not have", mint(other, other, auth.APIScope), "UserNotFoundException", "User does not exist."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := getCode(tt.token, "email")
				wantAPIError(t, err, tt.code, tt.msg)
				wantAPIError(t, verify(tt.token, "email", "123456"), tt.code, tt.msg)
			})
		}
		st.clock.Advance(2 * time.Hour)
		_, err = getCode(token, "email")
		wantAPIError(t, err, "NotAuthorizedException", "Access Token has expired")
		raw := st.client(nil, withoutValidation)
		_, err = raw.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AttributeName: aws.String("email"), Code: aws.String("1")})
		wantAPIError(t, err, "InvalidParameterException",
			"1 validation error detected: Value null at 'accessToken' failed to satisfy constraint: Member must not be null")
	})
}

// TestUpdateUserAttributesSendsCode: a changed auto-verified email is
// unverified at once and gets a code; VerifyUserAttribute verifies it.
func TestUpdateUserAttributesSendsCode(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID, clientID := st.signUpPool(t, nil, nil)
	st.newUser(t, poolID, "uli", signUpPassword, attr("email", "uli@example.com"), attr("email_verified", "true"))
	token := st.accessToken(t, clientID, "uli", signUpPassword)
	n := st.mailSeq()
	out, err := st.public.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: &token,
		UserAttributes: []types.AttributeType{attr("email", "uli@new.example")}})
	if err != nil || len(out.CodeDeliveryDetailsList) != 1 {
		t.Fatalf("UpdateUserAttributes: %+v, %v", out, err)
	}
	d := out.CodeDeliveryDetailsList[0]
	wantDelivery(t, &d, "u***@n***.example", types.DeliveryMediumTypeEmail, "email")
	code := notifytest.Code(st.mailAfter(t, "uli@new.example", n))
	if a := attrsOf(st.getUser(t, poolID, "uli").UserAttributes); a["email"] != "uli@new.example" || a["email_verified"] != "false" {
		t.Errorf("after the update: %v", a)
	}
	if _, err := st.public.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: &token,
		AttributeName: aws.String("email"), Code: &code}); err != nil {
		t.Fatalf("VerifyUserAttribute: %v", err)
	}
	if a := attrsOf(st.getUser(t, poolID, "uli").UserAttributes); a["email_verified"] != "true" {
		t.Errorf("after verifying: %v", a)
	}
}

// TestUpdateKeepsOldValueUntilVerified: with UserAttributeUpdateSettings,
// UpdateUserAttributes keeps the verified old email until the new one is
// verified.
func TestUpdateKeepsOldValueUntilVerified(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID, clientID := st.signUpPool(t, &cip.CreateUserPoolInput{
		AliasAttributes: []types.AliasAttributeType{"email"},
		UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{
			AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{"email"}},
	}, nil)
	desc, err := st.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil {
		t.Fatal(err)
	}
	if s := desc.UserPool.UserAttributeUpdateSettings; s == nil || len(s.AttributesRequireVerificationBeforeUpdate) != 1 ||
		s.AttributesRequireVerificationBeforeUpdate[0] != "email" {
		t.Errorf("UserAttributeUpdateSettings = %+v", s)
	}
	st.newUser(t, poolID, "kai", signUpPassword, attr("email", "kai@example.com"), attr("email_verified", "true"))
	token := st.accessToken(t, clientID, "kai", signUpPassword)

	n := st.mailSeq()
	out, err := st.public.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: &token,
		UserAttributes: []types.AttributeType{attr("email", "kai@new.example"), attr("given_name", "Kai")}})
	if err != nil || len(out.CodeDeliveryDetailsList) != 1 {
		t.Fatalf("UpdateUserAttributes: %+v, %v", out, err)
	}
	d := out.CodeDeliveryDetailsList[0]
	wantDelivery(t, &d, "k***@n***.example", types.DeliveryMediumTypeEmail, "email")
	code := notifytest.Code(st.mailAfter(t, "kai@new.example", n))

	got, err := st.public.GetUser(ctx, &cip.GetUserInput{AccessToken: &token})
	if err != nil {
		t.Fatal(err)
	}
	if a := attrsOf(got.UserAttributes); a["email"] != "kai@example.com" || a["email_verified"] != "true" || a["given_name"] != "Kai" {
		t.Errorf("before verifying: %v", a)
	}
	// The old address still signs in; the new one does not yet.
	st.accessToken(t, clientID, "kai@example.com", signUpPassword)
	_, err = st.passwordAuth(t, clientID, "kai@new.example", signUpPassword)
	wantAPIError(t, err, "UserNotFoundException", "")

	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	_, err = st.public.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: &token,
		AttributeName: aws.String("email"), Code: &wrong})
	wantAPIError(t, err, "CodeMismatchException", msgCodeMismatch)
	if _, err := st.public.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: &token,
		AttributeName: aws.String("email"), Code: &code}); err != nil {
		t.Fatalf("VerifyUserAttribute: %v", err)
	}
	a := attrsOf(st.getUser(t, poolID, "kai").UserAttributes)
	if a["email"] != "kai@new.example" || a["email_verified"] != "true" {
		t.Errorf("after verifying: %v", a)
	}
	st.accessToken(t, clientID, "kai@new.example", signUpPassword)
	_, err = st.passwordAuth(t, clientID, "kai@example.com", signUpPassword)
	wantAPIError(t, err, "UserNotFoundException", "")
}

func TestAdminCreateUserInvitation(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, &cip.CreateUserPoolInput{AdminCreateUserConfig: &types.AdminCreateUserConfigType{
		InviteMessageTemplate: &types.MessageTemplateType{
			EmailSubject: aws.String("Welcome to Acme"),
			EmailMessage: aws.String("Hello {username}, your temporary password is {####}"),
			SMSMessage:   aws.String("Acme: {username} / {####}"),
		}}})
	clientID := aws.ToString(st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID}).ClientId)
	create := func(in cip.AdminCreateUserInput) error {
		in.UserPoolId = &poolID
		_, err := st.admin.AdminCreateUser(ctx, &in)
		return err
	}

	n, ns := st.mailSeq(), st.smsSeq()
	if err := create(cip.AdminCreateUserInput{Username: aws.String("ivy"), TemporaryPassword: aws.String("Temp-Passw0rd-1"),
		DesiredDeliveryMediums: []types.DeliveryMediumType{"EMAIL", "SMS"},
		UserAttributes:         []types.AttributeType{attr("email", "ivy@example.com"), attr("phone_number", "+15555550177")}}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	m := st.mailAfter(t, "ivy@example.com", n)
	if m.Subject != "Welcome to Acme" || m.Text != "Hello ivy, your temporary password is Temp-Passw0rd-1" {
		t.Errorf("invitation mail %q: %q", m.Subject, m.Text)
	}
	if s := st.smsAfter(t, "+15555550177", ns); s.Message != "Acme: ivy / Temp-Passw0rd-1" {
		t.Errorf("invitation SMS %q", s.Message)
	}

	// Default medium: SMS, to a user who has a phone number.
	ns = st.smsSeq()
	if err := create(cip.AdminCreateUserInput{Username: aws.String("sid"),
		UserAttributes: []types.AttributeType{attr("phone_number", "+15555550178")}}); err != nil {
		t.Fatal(err)
	}
	temp := strings.TrimPrefix(st.smsAfter(t, "+15555550178", ns).Message, "Acme: sid / ")
	out, err := st.passwordAuth(t, clientID, "sid", temp)
	if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Errorf("sign in with the generated password %q: %+v, %v", temp, out, err)
	}

	// SUPPRESS sends nothing; RESEND sends a new temporary password.
	n, ns = st.mailSeq(), st.smsSeq()
	if err := create(cip.AdminCreateUserInput{Username: aws.String("quin"), MessageAction: types.MessageActionTypeSuppress,
		DesiredDeliveryMediums: []types.DeliveryMediumType{"EMAIL"},
		UserAttributes:         []types.AttributeType{attr("email", "quin@example.com")}}); err != nil {
		t.Fatal(err)
	}
	if st.mailSeq() != n || st.smsSeq() != ns {
		t.Errorf("SUPPRESS sent a message")
	}
	if err := create(cip.AdminCreateUserInput{Username: aws.String("quin"), MessageAction: types.MessageActionTypeResend,
		TemporaryPassword: aws.String("Resent-Passw0rd-2"), DesiredDeliveryMediums: []types.DeliveryMediumType{"EMAIL"}}); err != nil {
		t.Fatalf("RESEND: %v", err)
	}
	if m := st.mailAfter(t, "quin@example.com", n); !strings.HasSuffix(m.Text, "is Resent-Passw0rd-2") {
		t.Errorf("resent invitation %q", m.Text)
	}

	// A medium the user has no address for is refused, and no user is made.
	err = create(cip.AdminCreateUserInput{Username: aws.String("zed"), DesiredDeliveryMediums: []types.DeliveryMediumType{"EMAIL"},
		UserAttributes: []types.AttributeType{attr("phone_number", "+15555550179")}})
	wantAPIError(t, err, "InvalidParameterException", "No email provided but desired delivery medium was Email")
	_, err = st.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("zed")})
	wantAPIError(t, err, "UserNotFoundException", "")

	// A mail server that refuses: CodeDeliveryFailureException.
	bad := st.newPool(t, nil)
	st.mail.Close()
	_, err = st.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &bad, Username: aws.String("amy"),
		DesiredDeliveryMediums: []types.DeliveryMediumType{"EMAIL"}, UserAttributes: []types.AttributeType{attr("email", "amy@example.com")}})
	wantAPIError(t, err, "CodeDeliveryFailureException", "")
}

func TestInvitationToEmailUsername(t *testing.T) {
	st := newStack(t)
	poolID := st.newPool(t, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{"email"}})
	n := st.mailSeq()
	if _, err := st.admin.AdminCreateUser(t.Context(), &cip.AdminCreateUserInput{UserPoolId: &poolID,
		Username: aws.String("lee@example.com"), DesiredDeliveryMediums: []types.DeliveryMediumType{"EMAIL"}}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	m := st.mailAfter(t, "lee@example.com", n)
	if m.Subject != "Your temporary password" || !strings.HasPrefix(m.Text, "Your username is lee@example.com and temporary password is ") ||
		notifytest.TempPassword(m) == "" {
		t.Errorf("invitation %q: %q", m.Subject, m.Text)
	}
}

// TestConfirmSignUpAlias: confirming an address another user holds as a
// verified alias is AliasExists, unless ForceAliasCreation moves it.
func TestConfirmSignUpAlias(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID, clientID := st.signUpPool(t, &cip.CreateUserPoolInput{AliasAttributes: []types.AliasAttributeType{"email"}}, nil)
	st.newUser(t, poolID, "first", signUpPassword, attr("email", "shared@example.com"), attr("email_verified", "true"))
	code := st.mailedCode(t, "shared@example.com", func() {
		if _, err := st.signUp(t, clientID, "second", attr("email", "shared@example.com")); err != nil {
			t.Fatal(err)
		}
	})
	wantAPIError(t, st.confirmSignUp(t, clientID, "second", code), "AliasExistsException",
		"An account with the given email already exists.")
	if s := st.getUser(t, poolID, "second").UserStatus; s != types.UserStatusTypeUnconfirmed {
		t.Errorf("status after AliasExists: %s", s)
	}
	if _, err := st.public.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("second"),
		ConfirmationCode: &code, ForceAliasCreation: true}); err != nil {
		t.Fatalf("ConfirmSignUp with ForceAliasCreation: %v", err)
	}
	if a := attrsOf(st.getUser(t, poolID, "first").UserAttributes); a["email_verified"] != "false" {
		t.Errorf("the alias stayed with its first holder: %v", a)
	}
	tok := st.accessToken(t, clientID, "shared@example.com", signUpPassword)
	if c := claims(t, tok); c["username"] != "second" {
		t.Errorf("the alias signs in %v", c["username"])
	}
}
