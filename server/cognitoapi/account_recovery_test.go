package cognitoapi

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
)

// AccountRecoverySetting on CreateUserPool, UpdateUserPool and
// DescribeUserPool, and where ForgotPassword sends its code because of it:
// by priority, falling back to the second mechanism, Cognito's legacy
// order (SMS first) without a setting, and admin_only refusing
// self-service resets.

func recovery(mechanisms ...string) *types.AccountRecoverySettingType {
	s := &types.AccountRecoverySettingType{}
	for i, m := range mechanisms {
		s.RecoveryMechanisms = append(s.RecoveryMechanisms, types.RecoveryOptionType{Name: types.RecoveryOptionNameType(m),
			Priority: aws.Int32(int32(i + 1))})
	}
	return s
}

func TestAccountRecoverySetting(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	// Given out of order: described by priority.
	poolID, clientID := st.signUpPool(t, &cip.CreateUserPoolInput{AccountRecoverySetting: &types.AccountRecoverySettingType{
		RecoveryMechanisms: []types.RecoveryOptionType{
			{Name: types.RecoveryOptionNameTypeVerifiedPhoneNumber, Priority: aws.Int32(2)},
			{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)},
		}}}, nil)
	describe := func() *types.AccountRecoverySettingType {
		t.Helper()
		out, err := st.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
		if err != nil {
			t.Fatalf("DescribeUserPool: %v", err)
		}
		return out.UserPool.AccountRecoverySetting
	}
	wantSetting := func(got *types.AccountRecoverySettingType, names ...string) {
		t.Helper()
		var have []string
		if got != nil {
			for i, m := range got.RecoveryMechanisms {
				if aws.ToInt32(m.Priority) != int32(i+1) {
					t.Errorf("mechanism %d has priority %d", i, aws.ToInt32(m.Priority))
				}
				have = append(have, string(m.Name))
			}
		}
		if !equal(have, names) {
			t.Errorf("AccountRecoverySetting = %v, want %v", have, names)
		}
	}
	wantSetting(describe(), "verified_email", "verified_phone_number")

	st.newUser(t, poolID, "both", signUpPassword, attr("email", "both@example.com"), attr("email_verified", "true"),
		attr("phone_number", "+15550001111"), attr("phone_number_verified", "true"))
	st.newUser(t, poolID, "phone", signUpPassword, attr("phone_number", "+15550002222"), attr("phone_number_verified", "true"),
		attr("email", "phone@example.com")) // email unverified
	forgot := func(username string) (*types.CodeDeliveryDetailsType, error) {
		t.Helper()
		out, err := st.public.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: &username})
		if err != nil {
			return nil, err
		}
		return out.CodeDeliveryDetails, nil
	}
	wantMail := func(username, addr, masked string) {
		t.Helper()
		n := st.mailSeq()
		d, err := forgot(username)
		if err != nil {
			t.Fatalf("ForgotPassword %s: %v", username, err)
		}
		wantDelivery(t, d, masked, types.DeliveryMediumTypeEmail, "email")
		if notifytest.Code(st.mailAfter(t, addr, n)) == "" {
			t.Fatalf("the mail to %s has no code", addr)
		}
	}
	wantSMS := func(username, phone, masked string) {
		t.Helper()
		n := st.smsSeq()
		d, err := forgot(username)
		if err != nil {
			t.Fatalf("ForgotPassword %s: %v", username, err)
		}
		wantDelivery(t, d, masked, types.DeliveryMediumTypeSms, "phone_number")
		st.smsAfter(t, phone, n)
	}
	update := func(setting *types.AccountRecoverySettingType) {
		t.Helper()
		st.clock.Advance(directory.CodeResendCooldown)
		if _, err := st.admin.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID,
			AutoVerifiedAttributes: []types.VerifiedAttributeType{"email"}, AccountRecoverySetting: setting}); err != nil {
			t.Fatalf("UpdateUserPool: %v", err)
		}
	}

	wantMail("both", "both@example.com", "b***@e***.com")
	wantSMS("phone", "+15550002222", "+*******2222") // falls back to the second mechanism

	update(recovery("verified_phone_number", "verified_email"))
	wantSetting(describe(), "verified_phone_number", "verified_email")
	wantSMS("both", "+15550001111", "+*******1111")

	update(nil) // Cognito's legacy order: SMS before email
	wantSetting(describe())
	wantSMS("both", "+15550001111", "+*******1111")

	update(recovery("verified_email"))
	_, err := forgot("phone")
	wantAPIError(t, err, "InvalidParameterException",
		"Cannot reset password for the user as there is no registered/verified email or phone_number")

	update(recovery("admin_only"))
	wantSetting(describe(), "admin_only")
	for _, username := range []string{"both", "nobody"} {
		_, err := forgot(username)
		wantAPIError(t, err, "NotAuthorizedException", "Self-service account recovery is not enabled for this user pool.")
	}
	_, err = st.admin.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("both")})
	wantAPIError(t, err, "NotAuthorizedException", "Self-service account recovery is not enabled for this user pool.")

	bad := []struct {
		name    string
		setting *types.AccountRecoverySettingType
	}{
		{"admin_only with another", recovery("admin_only", "verified_email")},
		{"same mechanism twice", recovery("verified_email", "verified_email")},
		{"three", recovery("verified_email", "verified_phone_number", "admin_only")},
		{"unknown name", recovery("verified_pigeon")},
		{"none", &types.AccountRecoverySettingType{}},
		{"same priority", &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
			{Name: "verified_email", Priority: aws.Int32(1)}, {Name: "verified_phone_number", Priority: aws.Int32(1)}}}},
		{"priority 3", &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
			{Name: "verified_email", Priority: aws.Int32(3)}}}},
	}
	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := raw.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"), AccountRecoverySetting: tt.setting})
			wantAPIError(t, err, "InvalidParameterException", "")
			_, err = raw.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, AccountRecoverySetting: tt.setting})
			wantAPIError(t, err, "InvalidParameterException", "")
		})
	}
	wantSetting(describe(), "admin_only") // nothing refused was stored
}

// TestForgotPasswordHiddenUserMedium: with PreventUserExistenceErrors, an
// unknown user's simulated delivery has the medium a real user of the pool
// would get, and a masked destination, the same each time.
func TestForgotPasswordHiddenUserMedium(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	for _, tt := range []struct {
		name    string
		setting *types.AccountRecoverySettingType
		medium  types.DeliveryMediumType
	}{
		{"phone first", recovery("verified_phone_number", "verified_email"), types.DeliveryMediumTypeSms},
		{"email first", recovery("verified_email"), types.DeliveryMediumTypeEmail},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, clientID := st.signUpPool(t, &cip.CreateUserPoolInput{AccountRecoverySetting: tt.setting},
				&cip.CreateUserPoolClientInput{PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})
			var first *types.CodeDeliveryDetailsType
			for range 2 {
				out, err := st.public.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("ghost")})
				if err != nil {
					t.Fatalf("ForgotPassword: %v", err)
				}
				d := out.CodeDeliveryDetails
				if d == nil || d.DeliveryMedium != tt.medium || aws.ToString(d.Destination) == "" {
					t.Fatalf("CodeDeliveryDetails = %+v, want %s with a destination", d, tt.medium)
				}
				if first != nil && aws.ToString(first.Destination) != aws.ToString(d.Destination) {
					t.Errorf("destinations differ: %s, %s", aws.ToString(first.Destination), aws.ToString(d.Destination))
				}
				first = d
			}
		})
	}
}
