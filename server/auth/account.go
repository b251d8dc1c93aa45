package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Account flows: self sign-up with its confirmation code, and password
// reset by code. The hosted UI and the Cognito API (SignUp, ConfirmSignUp,
// ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword) call
// these, so both answer alike; codes are directory's (codes.go), messages
// go out through the Notifier.
//
//	SignUp ──► UNCONFIRMED user, code to the auto-verified email or phone
//	   │            ▲ ResendConfirmationCode
//	   ▼            │
//	ConfirmSignUp ──► CONFIRMED, address verified ──► SignInAfterSignUp
//
//	ForgotPassword ──► code to the verified email or phone
//	   ▼
//	ConfirmForgotPassword ──► new password, CONFIRMED, lockout cleared
//
// With the client's PreventUserExistenceErrors ENABLED, an unknown user
// is answered as a known one: a code "sent" (nowhere) and, later, a code
// that does not match. The code is then sent in the background for known
// users too, so that the answer's timing tells nothing either.

// Notifier sends the messages of the account flows (notify.Notifier).
type Notifier interface {
	SendMail(ctx context.Context, m notify.Message) error
	SendSMS(ctx context.Context, s notify.SMS) error
}

// CodeDelivery says where a code went: Cognito's CodeDeliveryDetailsType.
// Destination is masked (a***@e***.com).
type CodeDelivery struct {
	Destination    string
	DeliveryMedium string // EMAIL or SMS
	AttributeName  string // email or phone_number
}

// SignUpRequest is a self sign-up.
type SignUpRequest struct {
	Pool               *storage.Pool
	Client             *storage.Client
	Username, Password string
	Attributes         map[string]string
	IP                 string
}

// SignUpResult is a new user; Delivery is where the confirmation code
// went, nil when the pool verifies no attribute (an administrator must
// confirm the user).
type SignUpResult struct {
	User      *storage.User
	Confirmed bool
	Delivery  *CodeDelivery
}

// Errors of the account flows that no directory error names.
var (
	ErrSignUpNotPermitted = directory.NewError(directory.KindNotAuthorized, "SignUp is not permitted for this user pool")
	ErrCannotConfirm      = directory.NewError(directory.KindNotAuthorized, "User cannot be confirmed. Current status is CONFIRMED")
	ErrAlreadyConfirmed   = directory.NewError(directory.KindInvalidParameter, "User is already confirmed.")
	ErrCannotReset        = directory.NewError(directory.KindNotAuthorized, "User password cannot be reset in the current state.")
	ErrNoRecoveryAddress  = directory.NewError(directory.KindInvalidParameter, "Cannot reset password for the user as there is no registered/verified email or phone_number")
	ErrUserDisabled       = directory.NewError(directory.KindNotAuthorized, "User is disabled.")
	// ErrDelivery wraps a message the Notifier could not send.
	ErrDelivery = directory.NewError(directory.KindCodeDeliveryFailure, "Unable to deliver the verification code.")
)

// hidesExistence reports whether the client asks that unknown users not be
// told apart from known ones.
func hidesExistence(c *storage.Client) bool {
	return c != nil && c.PreventUserExistenceErrors == "ENABLED"
}

// SignUp creates an UNCONFIRMED user with the pool's policy and schema
// checked, and sends a confirmation code to the first of the pool's
// auto-verified attributes the user has. The user exists even when the
// code could not be sent (the error wraps ErrDelivery; ResendConfirmationCode
// tries again), as in Cognito.
func (e *Engine) SignUp(ctx context.Context, req SignUpRequest) (*SignUpResult, error) {
	pool := req.Pool
	if pool.AllowAdminCreateUserOnly {
		return nil, ErrSignUpNotPermitted
	}
	if req.Password == "" {
		return nil, directory.NewError(directory.KindInvalidParameter, "Missing required parameter PASSWORD")
	}
	if err := directory.ValidatePassword(pool.PasswordPolicy, req.Password); err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	for k, v := range req.Attributes {
		if k == "email_verified" || k == "phone_number_verified" {
			// Verified by the code, not by the one signing up.
			continue
		}
		attrs[k] = v
	}
	u, err := e.dir.CreateUser(ctx, pool, directory.NewUser{Username: req.Username, Password: req.Password,
		Attributes: attrs, Status: storage.StatusUnconfirmed})
	if err != nil {
		return nil, err
	}
	e.accountEvent(ctx, pool, req.Client, u, "SignUp", "Pass", req.IP)
	res := &SignUpResult{User: u}
	attr := verificationAttribute(pool, u)
	if attr == "" {
		return res, nil
	}
	res.Delivery, err = e.issueAndSend(ctx, pool, u, directory.CodeSignUp, attr, false)
	return res, err
}

// verificationAttribute is where a sign-up code goes: the first of the
// pool's auto-verified attributes the user has.
func verificationAttribute(pool *storage.Pool, u *storage.User) string {
	for _, a := range []string{"email", "phone_number"} {
		if slices.Contains(pool.AutoVerifiedAttributes, a) && u.Attributes[a] != "" {
			return a
		}
	}
	return ""
}

// ResendConfirmationCode sends an UNCONFIRMED user a new sign-up code,
// within directory's resend limits.
func (e *Engine) ResendConfirmationCode(ctx context.Context, pool *storage.Pool, client *storage.Client, username, ip string) (*CodeDelivery, error) {
	u, err := e.dir.FindUser(ctx, pool, username)
	if errors.Is(err, directory.ErrUserNotFound) && hidesExistence(client) {
		return fakeDelivery(pool, username), nil
	}
	if err != nil {
		return nil, err
	}
	if u.Status != storage.StatusUnconfirmed {
		return nil, ErrAlreadyConfirmed
	}
	attr := verificationAttribute(pool, u)
	if attr == "" {
		return nil, directory.NewError(directory.KindInvalidParameter, "Auto verification not turned on.")
	}
	return e.issueAndSend(ctx, pool, u, directory.CodeSignUp, attr, hidesExistence(client))
}

// ConfirmSignUp confirms an UNCONFIRMED user with their sign-up code and
// marks the attribute the code went to verified.
func (e *Engine) ConfirmSignUp(ctx context.Context, pool *storage.Pool, client *storage.Client, username, code, ip string) (*storage.User, error) {
	u, err := e.dir.FindUser(ctx, pool, username)
	if errors.Is(err, directory.ErrUserNotFound) && hidesExistence(client) {
		return nil, directory.ErrCodeMismatch
	}
	if err != nil {
		return nil, err
	}
	if u.Status != storage.StatusUnconfirmed {
		return nil, ErrCannotConfirm
	}
	attr := ""
	if c, ok := directory.PendingCode(u, directory.CodeSignUp); ok {
		attr = c.Attribute
	}
	u, err = e.dir.ConsumeCode(ctx, pool, u.Sub, directory.CodeSignUp, code, func(u *storage.User) error {
		if u.Status != storage.StatusUnconfirmed {
			return ErrCannotConfirm
		}
		u.Status = storage.StatusConfirmed
		if attr != "" {
			u.Attributes[attr+"_verified"] = "true"
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.accountEvent(ctx, pool, client, u, "SignUp", "Pass", ip)
	return u, nil
}

// SignInAfterSignUp signs in a user who has just confirmed their sign-up
// in this browser (Cognito's hosted UI does so). The caller vouches that
// the one who confirmed is the one who signed up.
func (e *Engine) SignInAfterSignUp(ctx context.Context, pool *storage.Pool, client *storage.Client, u *storage.User, ip string) (*Step, error) {
	u, err := e.dir.GetUserBySub(ctx, pool.ID, u.Sub)
	if err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, ErrUserDisabled
	}
	if u.Status != storage.StatusConfirmed {
		return nil, directory.NewError(directory.KindUserNotConfirmed, "User is not confirmed.")
	}
	return e.done(ctx, pool, client, u, FlowHostedUI, ip)
}

// ForgotPassword sends a password-reset code to the user's verified email
// address, or else verified phone number.
func (e *Engine) ForgotPassword(ctx context.Context, pool *storage.Pool, client *storage.Client, username, ip string) (*CodeDelivery, error) {
	u, err := e.dir.FindUser(ctx, pool, username)
	if errors.Is(err, directory.ErrUserNotFound) && hidesExistence(client) {
		return fakeDelivery(pool, username), nil
	}
	if err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, ErrUserDisabled
	}
	switch u.Status {
	case storage.StatusConfirmed, storage.StatusResetRequired:
	default:
		return nil, ErrCannotReset
	}
	attr := ""
	for _, a := range []string{"email", "phone_number"} {
		if u.Attributes[a] != "" && u.Attributes[a+"_verified"] == "true" {
			attr = a
			break
		}
	}
	if attr == "" {
		return nil, ErrNoRecoveryAddress
	}
	d, err := e.issueAndSend(ctx, pool, u, directory.CodeForgotPassword, attr, hidesExistence(client))
	if err == nil {
		e.accountEvent(ctx, pool, client, u, "ForgotPassword", "InProgress", ip)
	}
	return d, err
}

// ConfirmForgotPassword sets a new password with a password-reset code;
// the user is CONFIRMED and their failed sign-ins forgotten.
func (e *Engine) ConfirmForgotPassword(ctx context.Context, pool *storage.Pool, client *storage.Client, username, code, password, ip string) error {
	u, err := e.dir.FindUser(ctx, pool, username)
	if errors.Is(err, directory.ErrUserNotFound) && hidesExistence(client) {
		return directory.ErrCodeMismatch
	}
	if err != nil {
		return err
	}
	if err := directory.ValidatePassword(pool.PasswordPolicy, password); err != nil {
		return err
	}
	u, err = e.dir.ConsumeCode(ctx, pool, u.Sub, directory.CodeForgotPassword, code, func(u *storage.User) error {
		return e.dir.SetPassword(pool, u, password, true)
	})
	if err != nil {
		return err
	}
	e.accountEvent(ctx, pool, client, u, "ForgotPassword", "Pass", ip)
	return nil
}

// fakeDelivery answers for an unknown user when existence is hidden: the
// username masked as if it were where the code went.
func fakeDelivery(pool *storage.Pool, username string) *CodeDelivery {
	if strings.HasPrefix(username, "+") {
		return &CodeDelivery{Destination: notify.Mask(username), DeliveryMedium: "SMS", AttributeName: "phone_number"}
	}
	d := &CodeDelivery{DeliveryMedium: "EMAIL", AttributeName: "email"}
	if strings.Contains(username, "@") {
		d.Destination = notify.Mask(username)
	}
	return d
}

// sendTimeout bounds a background send.
const sendTimeout = 30 * time.Second

// issueAndSend makes a code of purpose, stores it and sends it to the
// user's attribute. In background, it sends after returning (so that the
// answer takes as long whether or not the user exists); a failed send is
// then only logged.
func (e *Engine) issueAndSend(ctx context.Context, pool *storage.Pool, u *storage.User, purpose, attr string, background bool) (*CodeDelivery, error) {
	code, err := e.dir.NewCode(u, purpose, attr)
	if err != nil {
		return nil, err
	}
	if err := e.dir.SaveUser(ctx, pool, u); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return nil, directory.NewError(directory.KindTooManyRequests, "Too many requests for this user, please try again.")
		}
		return nil, err
	}
	dest := u.Attributes[attr]
	d := &CodeDelivery{Destination: notify.Mask(dest), DeliveryMedium: "EMAIL", AttributeName: attr}
	if attr == "phone_number" {
		d.DeliveryMedium = "SMS"
	}
	send := func(ctx context.Context) error {
		vars := map[string]string{notify.VarCode: code, notify.VarUsername: u.Username}
		var err error
		if attr == "phone_number" {
			err = e.notifier().SendSMS(ctx, notify.SMS{PhoneNumber: dest, Text: notify.Render(smsTemplate(pool), vars)})
		} else {
			err = e.notifier().SendMail(ctx, mailTemplate(pool).Mail(dest, vars))
		}
		if err != nil {
			e.cfg.Logger.Warn("auth: send code", "pool", pool.ID, "purpose", purpose, "to", d.Destination, "err", err)
			return fmt.Errorf("%w: %w", ErrDelivery, err)
		}
		return nil
	}
	if background {
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
			defer cancel()
			send(ctx)
		}()
		return d, nil
	}
	return d, send(ctx)
}

// Keys of storage.Pool.Messages this file reads (Cognito's member names).
const (
	msgEmailVerification        = "EmailVerificationMessage"
	msgEmailVerificationSubject = "EmailVerificationSubject"
	msgSmsVerification          = "SmsVerificationMessage"
)

// mailTemplate is the pool's verification mail: its own message and
// subject (Cognito's EmailVerificationMessage, which may hold HTML, and
// EmailVerificationSubject), else Cognito's default. Password-reset codes
// use it too, as in Cognito.
func mailTemplate(pool *storage.Pool) notify.Template {
	t := notify.VerificationCode
	if s := pool.Messages[msgEmailVerificationSubject]; s != "" {
		t.Subject = s
	}
	if m := pool.Messages[msgEmailVerification]; m != "" {
		t.HTML = m
		t.Text = ""
		if !strings.Contains(m, "<") {
			t.Text = m
		}
	}
	return t
}

func smsTemplate(pool *storage.Pool) string {
	if m := pool.Messages[msgSmsVerification]; m != "" {
		return m
	}
	return notify.SMSVerification
}

// notifier is the configured Notifier, or one that drops messages with a
// warning.
func (e *Engine) notifier() Notifier {
	if e.cfg.Notifier != nil {
		return e.cfg.Notifier
	}
	return dropNotifier{e}
}

type dropNotifier struct{ e *Engine }

func (d dropNotifier) SendMail(ctx context.Context, m notify.Message) error {
	d.e.cfg.Logger.Warn("auth: no notifier configured; mail dropped", "to", notify.Mask(m.To))
	return nil
}

func (d dropNotifier) SendSMS(ctx context.Context, s notify.SMS) error {
	d.e.cfg.Logger.Warn("auth: no notifier configured; SMS dropped", "to", notify.Mask(s.PhoneNumber))
	return nil
}

// accountEvent records an auth event of the account flows.
func (e *Engine) accountEvent(ctx context.Context, pool *storage.Pool, client *storage.Client, u *storage.User, typ, response, ip string) {
	ev := &storage.AuthEvent{PoolID: pool.ID, ID: uuid.NewString(), Sub: u.Sub, Username: u.Username, Type: typ,
		Response: response, IP: ip, CreatedAt: e.cfg.Now().UTC().Truncate(time.Second)}
	if client != nil {
		ev.ClientID = client.ID
	}
	if err := e.store.CreateAuthEvent(ctx, ev); err != nil {
		e.cfg.Logger.Warn("record auth event", "pool", pool.ID, "err", err)
	}
}
