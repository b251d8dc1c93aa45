package cognitoapi

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/srp"
)

// PreventUserExistenceErrors ENABLED: for each operation Cognito names
// (InitiateAuth with a password and with SRP, ForgotPassword, ResendConfirmationCode,
// ConfirmForgotPassword, ConfirmSignUp) an unknown username gets the same
// answer as a known user's failure, and about as fast. Cognito documents
// the answers: "Incorrect username or password." for sign-in, a code
// "sent" to a simulated destination for ForgotPassword and
// ResendConfirmationCode, CodeMismatchException for the confirmations.

// outcome is an answer reduced to what may not tell users apart: the error
// type and message, or the shape of a code delivery (its destination is
// masked and differs by user, as a real one does).
func outcome(d *types.CodeDeliveryDetailsType, err error) string {
	if err != nil {
		if ae, ok := errors.AsType[smithy.APIError](err); ok {
			return ae.ErrorCode() + ": " + ae.ErrorMessage()
		}
		return "error: " + err.Error()
	}
	if d == nil {
		return "no delivery"
	}
	return fmt.Sprintf("delivery %s %s destination=%t", d.DeliveryMedium, aws.ToString(d.AttributeName), aws.ToString(d.Destination) != "")
}

// timed runs op and returns its outcome and how long it took.
func timed(op func() string) (string, time.Duration) {
	start := time.Now()
	out := op()
	return out, time.Since(start)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func TestPreventUserExistenceErrors(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID, clientID := st.signUpPool(t, nil, &cip.CreateUserPoolClientInput{
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	st.newUser(t, poolID, "kim", signUpPassword, attr("email", "kim@example.com"), attr("email_verified", "true"))
	if _, err := st.signUp(t, clientID, "una", attr("email", "una@example.com")); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	const wrongCode = "000000" // a code the server could have sent; a mismatch at most once in a million rounds

	forgot := func(username string) string {
		out, err := st.public.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: &username})
		if err != nil {
			return outcome(nil, err)
		}
		return outcome(out.CodeDeliveryDetails, nil)
	}
	resend := func(username string) string {
		out, err := st.public.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: &username})
		if err != nil {
			return outcome(nil, err)
		}
		return outcome(out.CodeDeliveryDetails, nil)
	}
	signIn := func(username string) string {
		_, err := st.passwordAuth(t, clientID, username, "Wrong-Passw0rd!")
		return outcome(nil, err)
	}
	// srpSignIn runs USER_SRP_AUTH to its end with a wrong password; the
	// challenge must look alike too (same parameters, a session).
	srpSignIn := func(username string) string {
		c, err := srp.NewClient()
		if err != nil {
			t.Fatal(err)
		}
		start, err := st.public.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &clientID,
			AuthParameters: map[string]string{"USERNAME": username, "SRP_A": c.PublicA()}})
		if err != nil {
			return outcome(nil, err)
		}
		p := start.ChallengeParameters
		keys := slices.Sorted(maps.Keys(p))
		if start.ChallengeName != types.ChallengeNameTypePasswordVerifier || start.Session == nil ||
			!slices.Equal(keys, []string{"SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "USER_ID_FOR_SRP"}) {
			return fmt.Sprintf("challenge %s %v", start.ChallengeName, keys)
		}
		ts := st.clock.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
		claim, err := c.Claim(poolID, p["USER_ID_FOR_SRP"], "Wrong-Passw0rd!", p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], ts)
		if err != nil {
			return "claim: " + err.Error()
		}
		_, err = st.public.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID,
			ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: start.Session,
			ChallengeResponses: map[string]string{"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
				"PASSWORD_CLAIM_SIGNATURE": claim, "TIMESTAMP": ts}})
		return outcome(nil, err)
	}
	confirmForgot := func(username string) string {
		_, err := st.public.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: &username,
			ConfirmationCode: aws.String(wrongCode), Password: aws.String(newPassword)})
		return outcome(nil, err)
	}
	confirmSignUp := func(username string) string { return outcome(nil, st.confirmSignUp(t, clientID, username, wrongCode)) }
	mails := 0

	tests := []struct {
		name         string
		known, ghost string
		op           func(username string) string
		want         string // the one answer both get
		// before runs ahead of each round, untimed: what keeps the known
		// user's answer the same round after round (send limits, lockout,
		// a pending code to mismatch). after waits, untimed, for what the
		// round left running (a code sent after the answer).
		before, after func()
	}{
		{"InitiateAuth", "kim", "ghost", signIn, "NotAuthorizedException: Incorrect username or password.", func() {
			st.accessToken(t, clientID, "kim", signUpPassword) // clears the failure count
		}, nil},
		{"USER_SRP_AUTH", "kim", "ghost", srpSignIn, "NotAuthorizedException: Incorrect username or password.", func() {
			st.accessToken(t, clientID, "kim", signUpPassword)
		}, nil},
		{"ForgotPassword", "kim", "ghost", forgot, "delivery EMAIL email destination=true", func() {
			mails = st.mailSeq()
			st.clock.Advance(time.Hour)
		}, func() { st.mailAfter(t, "kim@example.com", mails) }},
		{"ResendConfirmationCode", "una", "ghost", resend, "delivery EMAIL email destination=true", func() {
			mails = st.mailSeq()
			st.clock.Advance(time.Hour)
		}, func() { st.mailAfter(t, "una@example.com", mails) }},
		{"ConfirmForgotPassword", "kim", "ghost", confirmForgot, "CodeMismatchException: " + msgCodeMismatch, func() {
			st.clock.Advance(time.Hour)
			st.mailedCode(t, "kim@example.com", func() { forgot("kim") }) // a pending code, so that a wrong one mismatches
		}, nil},
		{"ConfirmSignUp", "una", "ghost", confirmSignUp, "CodeMismatchException: " + msgCodeMismatch, func() {
			st.clock.Advance(time.Hour)
			st.mailedCode(t, "una@example.com", func() { resend("una") })
		}, nil},
	}
	const rounds = 21
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var known, ghost []time.Duration
			for i := range rounds {
				tt.before()
				a, b := tt.known, tt.ghost
				if i%2 == 1 { // alternate which goes first
					a, b = b, a
				}
				outA, dA := timed(func() string { return tt.op(a) })
				outB, dB := timed(func() string { return tt.op(b) })
				if i%2 == 1 {
					outA, outB, dA, dB = outB, outA, dB, dA
				}
				if outA != tt.want || outB != tt.want {
					t.Fatalf("round %d: known user %q, unknown user %q, want both %q", i, outA, outB, tt.want)
				}
				known, ghost = append(known, dA), append(ghost, dB)
				if tt.after != nil {
					tt.after()
				}
			}
			mk, mg := median(known), median(ghost)
			t.Logf("median known %v, unknown %v", mk, mg)
			if ratio := float64(max(mk, mg)) / float64(min(mk, mg)); ratio > 3 {
				t.Errorf("median known user %v, unknown user %v: %.1f times apart", mk, mg, ratio)
			}
		})
	}
}

// TestUnknownUserPasswordTiming: with a real Argon2 cost, an unknown user's
// sign-in spends the time a password check takes (BurnPasswordCheck), so
// that the hash, which dominates, is the same for both: a missing burn
// would make the unknown user several times faster.
func TestUnknownUserPasswordTiming(t *testing.T) {
	st := newStack(t, func(c *directory.Config) {
		c.Argon2 = directory.Argon2Params{MemoryKiB: 16 * 1024, Time: 1, Threads: 1}
	})
	poolID := st.newPool(t, nil)
	clientID := aws.ToString(st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID,
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled}).ClientId)
	st.newUser(t, poolID, "kim", signUpPassword)
	signIn := func(username string) string {
		_, err := st.passwordAuth(t, clientID, username, "Wrong-Passw0rd!")
		return outcome(nil, err)
	}
	const want = "NotAuthorizedException: Incorrect username or password."
	var known, ghost []time.Duration
	for i := range 9 {
		st.accessToken(t, clientID, "kim", signUpPassword) // clears the failure count
		first, second := "kim", "ghost"
		if i%2 == 1 {
			first, second = second, first
		}
		outA, dA := timed(func() string { return signIn(first) })
		outB, dB := timed(func() string { return signIn(second) })
		if i%2 == 1 {
			outA, outB, dA, dB = outB, outA, dB, dA
		}
		if outA != want || outB != want {
			t.Fatalf("round %d: known %q, unknown %q", i, outA, outB)
		}
		known, ghost = append(known, dA), append(ghost, dB)
	}
	mk, mg := median(known), median(ghost)
	t.Logf("median known %v, unknown %v", mk, mg)
	if ratio := float64(max(mk, mg)) / float64(min(mk, mg)); ratio > 1.5 {
		t.Errorf("median known user %v, unknown user %v: %.2f times apart", mk, mg, ratio)
	}
}
