package cognitoapi

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
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

// compareTimings runs rounds of op for the known and the unknown user,
// in alternating order, checks each answer is want, and compares the
// median times with apart (true when they differ too much). A machine
// busy with other work can skew one measurement, so a failed comparison
// is measured again, up to three times; a real difference fails all three.
func compareTimings(t *testing.T, rounds int, known, ghost, want string, op func(username string) string,
	before, after func(), apart func(mk, mg time.Duration) bool) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		var dk, dg []time.Duration
		for i := range rounds {
			if before != nil {
				before()
			}
			a, b := known, ghost
			if i%2 == 1 { // alternate which goes first
				a, b = b, a
			}
			outA, dA := timed(func() string { return op(a) })
			outB, dB := timed(func() string { return op(b) })
			if i%2 == 1 {
				outA, outB, dA, dB = outB, outA, dB, dA
			}
			if outA != want || outB != want {
				t.Fatalf("round %d: known user %q, unknown user %q, want both %q", i, outA, outB, want)
			}
			dk, dg = append(dk, dA), append(dg, dB)
			if after != nil {
				after()
			}
		}
		mk, mg := median(dk), median(dg)
		t.Logf("attempt %d: median known user %v, unknown user %v", attempt, mk, mg)
		if !apart(mk, mg) {
			return
		}
		if attempt == 3 {
			t.Errorf("median known user %v, unknown user %v: %.2f times apart", mk, mg, float64(max(mk, mg))/float64(min(mk, mg)))
			return
		}
	}
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Apart: more than 2.5 times and more than a millisecond. A code
			// sent before the answer shows as both; scheduling noise on a
			// busy machine as one at most.
			compareTimings(t, 21, tt.known, tt.ghost, tt.want, tt.op, tt.before, tt.after, func(mk, mg time.Duration) bool {
				return float64(max(mk, mg))/float64(min(mk, mg)) > 2.5 && max(mk, mg)-min(mk, mg) > time.Millisecond
			})
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
	// Apart: more than 2 times; without the burn the unknown user would
	// skip the hash that is most of the time.
	compareTimings(t, 9, "kim", "ghost", "NotAuthorizedException: Incorrect username or password.", signIn,
		func() { st.accessToken(t, clientID, "kim", signUpPassword) }, // clears the failure count
		nil, func(mk, mg time.Duration) bool { return float64(max(mk, mg))/float64(min(mk, mg)) > 2 })
}

// TestResendConfirmationCodeHiddenUser: with PreventUserExistenceErrors, an
// unknown user's ResendConfirmationCode answers as an unconfirmed user of
// the same pool would: the medium of the attribute the pool verifies, or
// "Auto verification not turned on." in a pool that verifies none.
func TestResendConfirmationCodeHiddenUser(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	hidden := &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled}
	resend := func(clientID, username string) string {
		out, err := st.public.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: &username})
		if err != nil {
			return outcome(nil, err)
		}
		return outcome(out.CodeDeliveryDetails, nil)
	}

	_, byPhone := st.signUpPool(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{"phone_number"}},
		&cip.CreateUserPoolClientInput{PreventUserExistenceErrors: hidden.PreventUserExistenceErrors})
	if _, err := st.public.SignUp(ctx, &cip.SignUpInput{ClientId: &byPhone, Username: aws.String("pat"), Password: aws.String(signUpPassword),
		UserAttributes: []types.AttributeType{attr("phone_number", "+15550005555")}}); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	st.clock.Advance(time.Hour)
	known, ghost := resend(byPhone, "pat"), resend(byPhone, "ghost")
	if want := "delivery SMS phone_number destination=true"; known != want || ghost != want {
		t.Errorf("phone pool: known %q, unknown %q, want %q", known, ghost, want)
	}

	noVerifyPool := st.newPool(t, &cip.CreateUserPoolInput{PoolName: aws.String("noverify")})
	hidden.UserPoolId = &noVerifyPool
	noVerify := aws.ToString(st.newClient(t, hidden).ClientId)
	if _, err := st.public.SignUp(ctx, &cip.SignUpInput{ClientId: &noVerify, Username: aws.String("pat"), Password: aws.String(signUpPassword)}); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	known, ghost = resend(noVerify, "pat"), resend(noVerify, "ghost")
	if want := "InvalidParameterException: Auto verification not turned on."; known != want || ghost != want {
		t.Errorf("pool without verification: known %q, unknown %q, want %q", known, ghost, want)
	}
}

// TestHiddenCodeLimits: with PreventUserExistenceErrors, a known user's
// code send limit is answered as a sent code (no second code goes out):
// an unknown user never meets the limit, so a known one may not be seen
// to. A LEGACY client is told LimitExceededException.
func TestHiddenCodeLimits(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID, hidden := st.signUpPool(t, nil, &cip.CreateUserPoolClientInput{
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})
	legacy := aws.ToString(st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID}).ClientId)
	st.newUser(t, poolID, "kim", signUpPassword, attr("email", "kim@example.com"), attr("email_verified", "true"))
	if _, err := st.signUp(t, hidden, "una", attr("email", "una@example.com")); err != nil {
		t.Fatal(err)
	}
	forgot := func(clientID, username string) string {
		out, err := st.public.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: &username})
		if err != nil {
			return outcome(nil, err)
		}
		return outcome(out.CodeDeliveryDetails, nil)
	}
	resend := func(clientID, username string) string {
		out, err := st.public.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: &username})
		if err != nil {
			return outcome(nil, err)
		}
		return outcome(out.CodeDeliveryDetails, nil)
	}
	const sent = "delivery EMAIL email destination=true"
	st.mailedCode(t, "kim@example.com", func() { forgot(hidden, "kim") })
	n := st.mailSeq()
	for _, got := range []string{forgot(hidden, "kim"), forgot(hidden, "ghost"), resend(hidden, "una"), resend(hidden, "ghost")} {
		if got != sent {
			t.Errorf("within the cooldown: %q, want %q", got, sent)
		}
	}
	if got := forgot(legacy, "kim"); !strings.HasPrefix(got, "LimitExceededException") {
		t.Errorf("LEGACY client within the cooldown: %q", got)
	}
	time.Sleep(100 * time.Millisecond) // past any background send
	if got := st.mailSeq(); got != n {
		t.Errorf("%d codes sent within the cooldown", got-n)
	}
}
