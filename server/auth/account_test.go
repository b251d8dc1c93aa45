package auth_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// outbox records what the engine sends.
type outbox struct {
	mu   sync.Mutex
	mail []notify.Message
	sms  []notify.SMS
	fail error
	sent chan struct{}
}

func newOutbox() *outbox { return &outbox{sent: make(chan struct{}, 100)} }

func (o *outbox) SendMail(_ context.Context, m notify.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail != nil {
		return o.fail
	}
	o.mail = append(o.mail, m)
	o.sent <- struct{}{}
	return nil
}

func (o *outbox) SendSMS(_ context.Context, s notify.SMS) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail != nil {
		return o.fail
	}
	o.sms = append(o.sms, s)
	o.sent <- struct{}{}
	return nil
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// lastCode waits for a message and returns the code in the last one.
func (o *outbox) lastCode(t *testing.T) (code, to, subject string) {
	t.Helper()
	select {
	case <-o.sent:
	case <-time.After(5 * time.Second):
		t.Fatal("no message sent")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.sms) > 0 {
		s := o.sms[len(o.sms)-1]
		return sixDigits.FindString(s.Text), s.PhoneNumber, ""
	}
	m := o.mail[len(o.mail)-1]
	return sixDigits.FindString(m.Text + m.HTML), m.To, m.Subject
}

func (o *outbox) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.mail) + len(o.sms)
}

// accountStack is an authStack whose engine sends through an outbox.
func accountStack(t *testing.T) (*authStack, *auth.Engine, *outbox) {
	s := newAuthStack(t)
	box := newOutbox()
	eng := auth.New(auth.Config{Dir: s.dir, Minter: s.minter, Sealer: s.sealer,
		Issuer: func(p string) string { return testIssuerBase + p }, Now: s.clock.Now, Notifier: box})
	return s, eng, box
}

func TestSignUpConfirm(t *testing.T) {
	s, eng, box := accountStack(t)
	ctx := context.Background()
	pool := s.pool(t, func(p *storage.Pool) {
		p.AutoVerifiedAttributes = []string{"email"}
		p.Messages = map[string]string{"EmailVerificationSubject": "Welcome to Acme"}
	})
	client := s.client(t, pool, nil)
	res, err := eng.SignUp(ctx, auth.SignUpRequest{Pool: pool, Client: client, Username: "newbie", Password: goodPassword,
		Attributes: map[string]string{"email": "newbie@example.com", "email_verified": "true"}, IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if res.User.Status != storage.StatusUnconfirmed || res.User.Attributes["email_verified"] == "true" {
		t.Fatalf("new user %s %v", res.User.Status, res.User.Attributes)
	}
	if res.Delivery == nil || res.Delivery.Destination != "n***@e***.com" || res.Delivery.DeliveryMedium != "EMAIL" {
		t.Fatalf("delivery %+v", res.Delivery)
	}
	code, to, subject := box.lastCode(t)
	if to != "newbie@example.com" || subject != "Welcome to Acme" || code == "" {
		t.Fatalf("mail to %q subject %q code %q", to, subject, code)
	}
	// Unconfirmed users cannot sign in.
	_, err = s.signIn(pool, client, "newbie", goodPassword)
	wantErr(t, err, directory.KindUserNotConfirmed, "")

	_, err = eng.ConfirmSignUp(ctx, pool, client, "newbie", "000000", "")
	if code != "000000" {
		wantErr(t, err, directory.KindCodeMismatch, "")
	}
	u, err := eng.ConfirmSignUp(ctx, pool, client, "newbie", code, "")
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != storage.StatusConfirmed || u.Attributes["email_verified"] != "true" {
		t.Fatalf("confirmed user %s %v", u.Status, u.Attributes)
	}
	_, err = eng.ConfirmSignUp(ctx, pool, client, "newbie", code, "")
	wantErr(t, err, directory.KindNotAuthorized, "User cannot be confirmed. Current status is CONFIRMED")

	step, err := eng.SignInAfterSignUp(ctx, pool, client, u, "")
	if err != nil || step.Done == nil || step.Done.User.Sub != u.Sub {
		t.Fatalf("sign in after sign-up: %v %v", step, err)
	}
	if _, err := s.signIn(pool, client, "newbie", goodPassword); err != nil {
		t.Fatalf("sign in: %v", err)
	}
}

func TestSignUpRefusals(t *testing.T) {
	s, eng, box := accountStack(t)
	ctx := context.Background()
	pool := s.pool(t, func(p *storage.Pool) {
		p.Schema = []storage.SchemaAttribute{{Name: "email", Required: true, Mutable: true}}
	})
	client := s.client(t, pool, nil)
	adminOnly := s.pool(t, func(p *storage.Pool) { p.AllowAdminCreateUserOnly = true })
	s.user(t, pool, directory.NewUser{Username: "taken", Attributes: map[string]string{"email": "t@example.com"}})
	cases := []struct {
		name string
		pool *storage.Pool
		req  auth.SignUpRequest
		kind directory.Kind
	}{
		{"admin-only pool", adminOnly, auth.SignUpRequest{Username: "a", Password: goodPassword}, directory.KindNotAuthorized},
		{"weak password", pool, auth.SignUpRequest{Username: "a", Password: "weak", Attributes: map[string]string{"email": "a@example.com"}}, directory.KindInvalidPassword},
		{"no password", pool, auth.SignUpRequest{Username: "a", Attributes: map[string]string{"email": "a@example.com"}}, directory.KindInvalidParameter},
		{"missing required attribute", pool, auth.SignUpRequest{Username: "a", Password: goodPassword}, directory.KindInvalidParameter},
		{"bad email", pool, auth.SignUpRequest{Username: "a", Password: goodPassword, Attributes: map[string]string{"email": "nope"}}, directory.KindInvalidParameter},
		{"username taken", pool, auth.SignUpRequest{Username: "taken", Password: goodPassword, Attributes: map[string]string{"email": "b@example.com"}}, directory.KindUsernameExists},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.req.Pool, c.req.Client = c.pool, client
			_, err := eng.SignUp(ctx, c.req)
			wantErr(t, err, c.kind, "")
		})
	}
	// No auto-verified attribute: the user waits for an administrator.
	res, err := eng.SignUp(ctx, auth.SignUpRequest{Pool: pool, Client: client, Username: "quiet", Password: goodPassword,
		Attributes: map[string]string{"email": "q@example.com"}})
	if err != nil || res.Delivery != nil || box.count() != 0 {
		t.Fatalf("sign-up without verification: %+v %v, %d sent", res, err, box.count())
	}
	_, err = eng.ResendConfirmationCode(ctx, pool, client, "quiet", "")
	wantErr(t, err, directory.KindInvalidParameter, "Auto verification not turned on.")
}

func TestSignUpBySMS(t *testing.T) {
	s, eng, box := accountStack(t)
	pool := s.pool(t, func(p *storage.Pool) {
		p.UsernameAttributes = []string{"phone_number"}
		p.AutoVerifiedAttributes = []string{"phone_number"}
	})
	client := s.client(t, pool, nil)
	res, err := eng.SignUp(context.Background(), auth.SignUpRequest{Pool: pool, Client: client, Username: "+15555550123", Password: goodPassword})
	if err != nil || res.Delivery.DeliveryMedium != "SMS" || res.Delivery.Destination != "+*******0123" {
		t.Fatalf("%+v %v", res, err)
	}
	code, to, _ := box.lastCode(t)
	if to != "+15555550123" {
		t.Fatalf("SMS to %q", to)
	}
	u, err := eng.ConfirmSignUp(context.Background(), pool, client, "+15555550123", code, "")
	if err != nil || u.Attributes["phone_number_verified"] != "true" {
		t.Fatalf("%v %v", u, err)
	}
}

func TestResendConfirmationCode(t *testing.T) {
	s, eng, box := accountStack(t)
	ctx := context.Background()
	pool := s.pool(t, func(p *storage.Pool) { p.AutoVerifiedAttributes = []string{"email"} })
	client := s.client(t, pool, nil)
	if _, err := eng.SignUp(ctx, auth.SignUpRequest{Pool: pool, Client: client, Username: "r", Password: goodPassword,
		Attributes: map[string]string{"email": "r@example.com"}}); err != nil {
		t.Fatal(err)
	}
	first, _, _ := box.lastCode(t)
	_, err := eng.ResendConfirmationCode(ctx, pool, client, "r", "")
	var le *directory.CodeLimitError
	if !errors.As(err, &le) || le.Wait != directory.CodeResendCooldown {
		t.Fatalf("resend within the cooldown: %v", err)
	}
	s.clock.Add(directory.CodeResendCooldown)
	if _, err := eng.ResendConfirmationCode(ctx, pool, client, "r", ""); err != nil {
		t.Fatal(err)
	}
	second, _, _ := box.lastCode(t)
	if first != second {
		if _, err := eng.ConfirmSignUp(ctx, pool, client, "r", first, ""); !errors.Is(err, directory.ErrCodeMismatch) {
			t.Fatalf("old code: %v", err)
		}
	}
	if _, err := eng.ConfirmSignUp(ctx, pool, client, "r", second, ""); err != nil {
		t.Fatal(err)
	}
	_, err = eng.ResendConfirmationCode(ctx, pool, client, "r", "")
	wantErr(t, err, directory.KindInvalidParameter, "User is already confirmed.")
	_, err = eng.ResendConfirmationCode(ctx, pool, client, "nobody", "")
	wantErr(t, err, directory.KindUserNotFound, "")
}

func TestForgotPassword(t *testing.T) {
	s, eng, box := accountStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, nil)
	u := s.user(t, pool, directory.NewUser{Username: "fran", Attributes: map[string]string{"email": "fran@example.com", "email_verified": "true"}})
	// Locked out by failures first: a reset clears that.
	for range auth.FreeAttempts + 1 {
		s.signIn(pool, client, "fran", "wrong")
	}
	d, err := eng.ForgotPassword(ctx, pool, client, "fran", "")
	if err != nil || d.Destination != "f***@e***.com" {
		t.Fatalf("%+v %v", d, err)
	}
	code, to, _ := box.lastCode(t)
	if to != "fran@example.com" {
		t.Fatalf("to %q", to)
	}
	err = eng.ConfirmForgotPassword(ctx, pool, client, "fran", code, "weak", "")
	wantErr(t, err, directory.KindInvalidPassword, "")
	// The code survives a refused password.
	if err := eng.ConfirmForgotPassword(ctx, pool, client, "fran", code, "New-Passw0rd!", ""); err != nil {
		t.Fatal(err)
	}
	got := s.reload(t, u)
	if got.Status != storage.StatusConfirmed || got.FailedSignIns != 0 || !got.LockedUntil.IsZero() {
		t.Fatalf("after reset: %s %d %v", got.Status, got.FailedSignIns, got.LockedUntil)
	}
	if _, err := s.signIn(pool, client, "fran", "New-Passw0rd!"); err != nil {
		t.Fatalf("sign in with the new password: %v", err)
	}
	err = eng.ConfirmForgotPassword(ctx, pool, client, "fran", code, "Other-Passw0rd!", "")
	wantErr(t, err, directory.KindExpiredCode, "")

	t.Run("expired code", func(t *testing.T) {
		s.clock.Add(directory.CodeResendCooldown)
		if _, err := eng.ForgotPassword(ctx, pool, client, "fran", ""); err != nil {
			t.Fatal(err)
		}
		code, _, _ := box.lastCode(t)
		s.clock.Add(time.Hour)
		err := eng.ConfirmForgotPassword(ctx, pool, client, "fran", code, "New-Passw0rd!2", "")
		wantErr(t, err, directory.KindExpiredCode, "")
	})
	t.Run("no verified address", func(t *testing.T) {
		s.user(t, pool, directory.NewUser{Username: "nomail", Attributes: map[string]string{"email": "n@example.com"}})
		_, err := eng.ForgotPassword(ctx, pool, client, "nomail", "")
		wantErr(t, err, directory.KindInvalidParameter, "")
	})
	t.Run("temporary password users cannot reset", func(t *testing.T) {
		s.user(t, pool, directory.NewUser{Username: "temp", Temporary: true, Attributes: map[string]string{"email": "tp@example.com", "email_verified": "true"}})
		_, err := eng.ForgotPassword(ctx, pool, client, "temp", "")
		wantErr(t, err, directory.KindNotAuthorized, "User password cannot be reset in the current state.")
	})
	t.Run("unknown user is told when existence errors are legacy", func(t *testing.T) {
		_, err := eng.ForgotPassword(ctx, pool, client, "ghost", "")
		wantErr(t, err, directory.KindUserNotFound, "")
	})
	t.Run("delivery failure", func(t *testing.T) {
		s.clock.Add(directory.CodeResendCooldown)
		box.fail = errors.New("smtp down")
		defer func() { box.fail = nil }()
		_, err := eng.ForgotPassword(ctx, pool, client, "fran", "")
		if !errors.Is(err, auth.ErrDelivery) || directory.KindOf(err) != directory.KindCodeDeliveryFailure {
			t.Fatalf("%v", err)
		}
	})
}

// TestHiddenExistence: with PreventUserExistenceErrors ENABLED an unknown
// user gets the answers a known one gets.
func TestHiddenExistence(t *testing.T) {
	s, eng, box := accountStack(t)
	ctx := context.Background()
	pool := s.pool(t, func(p *storage.Pool) { p.AutoVerifiedAttributes = []string{"email"} })
	client := s.client(t, pool, func(c *storage.Client) { c.PreventUserExistenceErrors = "ENABLED" })
	s.user(t, pool, directory.NewUser{Username: "kim", Attributes: map[string]string{"email": "kim@example.com", "email_verified": "true"}})

	known, err := eng.ForgotPassword(ctx, pool, client, "kim", "")
	if err != nil {
		t.Fatal(err)
	}
	box.lastCode(t) // sent in the background
	ghost, err := eng.ForgotPassword(ctx, pool, client, "ghost@example.com", "")
	if err != nil || ghost.DeliveryMedium != known.DeliveryMedium || !strings.Contains(ghost.Destination, "***") {
		t.Fatalf("unknown user: %+v %v", ghost, err)
	}
	err = eng.ConfirmForgotPassword(ctx, pool, client, "ghost@example.com", "123456", "New-Passw0rd!", "")
	wantErr(t, err, directory.KindCodeMismatch, "")
	_, err = eng.ConfirmSignUp(ctx, pool, client, "ghost", "123456", "")
	wantErr(t, err, directory.KindCodeMismatch, "")
	if _, err := eng.ResendConfirmationCode(ctx, pool, client, "ghost", ""); err != nil {
		t.Fatalf("resend to an unknown user: %v", err)
	}
	if n := box.count(); n != 1 {
		t.Fatalf("%d messages sent, want only the known user's", n)
	}
}
