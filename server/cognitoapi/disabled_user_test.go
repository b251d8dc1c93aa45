package cognitoapi

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/gatehouse-id/gatehouse/server/srp"
)

// TestDisabledUserEverywhere: a disabled user with the right password is
// refused with Cognito's NotAuthorizedException "User is disabled." by
// every way in: InitiateAuth, AdminInitiateAuth, USER_SRP_AUTH's
// PASSWORD_VERIFIER step, and ForgotPassword.
func TestDisabledUserEverywhere(t *testing.T) {
	f := newAuthFixture(t)
	ctx := t.Context()
	srpClient := aws.ToString(f.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &f.poolID,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH"}}).ClientId)
	if _, err := f.admin.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &f.poolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	const disabled = "User is disabled."

	_, err := f.passwordAuth(t, f.clientID, "alice", alicePassword)
	wantAPIError(t, err, "NotAuthorizedException", disabled)

	_, err = f.admin.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &f.poolID, ClientId: &f.clientID,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": alicePassword}})
	wantAPIError(t, err, "NotAuthorizedException", disabled)

	c, err := srp.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	start, err := f.public.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &srpClient,
		AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": c.PublicA()}})
	if err == nil {
		p := start.ChallengeParameters
		ts := f.clock.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
		claim, cerr := c.Claim(f.poolID, p["USER_ID_FOR_SRP"], alicePassword, p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], ts)
		if cerr != nil {
			t.Fatal(cerr)
		}
		_, err = f.public.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &srpClient,
			ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: start.Session,
			ChallengeResponses: map[string]string{"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
				"PASSWORD_CLAIM_SIGNATURE": claim, "TIMESTAMP": ts}})
	}
	wantAPIError(t, err, "NotAuthorizedException", disabled)

	_, err = f.public.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &f.clientID, Username: aws.String("alice")})
	wantAPIError(t, err, "NotAuthorizedException", disabled)
}
