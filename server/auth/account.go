package auth

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Account flows: self sign-up with its confirmation code, password reset
// by code, the verification of a changed email or phone number, and the
// invitation of a user an administrator created. The hosted UI and the
// Cognito API (SignUp, ConfirmSignUp, ResendConfirmationCode,
// ForgotPassword, ConfirmForgotPassword, AdminConfirmSignUp,
// AdminResetUserPassword, UpdateUserAttributes, GetUserAttributeVerificationCode,
// VerifyUserAttribute, AdminCreateUser) call these, so all answer alike;
// codes are directory's (codes.go), messages go out through the Notifier.
//
//	SignUp ──► UNCONFIRMED user, code to the auto-verified email or phone
//	   │            ▲ ResendConfirmationCode
//	   ▼            │
//	ConfirmSignUp ──► CONFIRMED, address verified ──► SignInAfterSignUp
//	AdminConfirmSignUp ──► CONFIRMED (no address verified)
//
//	ForgotPassword, AdminResetUserPassword (RESET_REQUIRED) ──► code to the
//	   │                                          verified email or phone
//	   ▼
//	ConfirmForgotPassword ──► new password, CONFIRMED, lockout cleared
//
//	UpdateUserAttributes ──► changed auto-verified email or phone: code to
//	   │   the new address; unverified at once, or the old value kept until
//	   ▼   verified (AttributesRequireVerificationBeforeUpdate)
//	VerifyUserAttribute ──► address verified (the pending value applied)
//	   ▲ GetUserAttributeVerificationCode (a new code)
//
//	SendInvitation ──► the pool's invitation ({username}, {####} = the
//	                   temporary password) by mail and/or SMS
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
	// ErrCannotConfirm refuses to confirm a user who is not UNCONFIRMED;
	// the error returned names the user's status (errors.Is matches it
	// whatever the status).
	ErrCannotConfirm     = directory.NewError(directory.KindNotAuthorized, "User cannot be confirmed. Current status is CONFIRMED")
	ErrAlreadyConfirmed  = directory.NewError(directory.KindInvalidParameter, "User is already confirmed.")
	ErrCannotReset       = directory.NewError(directory.KindNotAuthorized, "User password cannot be reset in the current state.")
	ErrNoRecoveryAddress = directory.NewError(directory.KindInvalidParameter, "Cannot reset password for the user as there is no registered/verified email or phone_number")
	ErrUserDisabled      = directory.NewError(directory.KindNotAuthorized, "User is disabled.")
	// ErrAdminOnlyRecovery refuses a password reset by code in a pool whose
	// AccountRecoverySetting is admin_only; errors.Is matches ErrCannotReset
	// too, so a front that words ErrCannotReset words this alike.
	ErrAdminOnlyRecovery = errors.Join(directory.NewError(directory.KindNotAuthorized,
		"Self-service account recovery is not enabled for this user pool."), ErrCannotReset)
	// ErrDelivery wraps a message the Notifier could not send.
	ErrDelivery = directory.NewError(directory.KindCodeDeliveryFailure, "Unable to deliver the verification code.")
)

// cannotConfirm is ErrCannotConfirm with the user's status, as Cognito
// words it.
func cannotConfirm(status string) error {
	if status == storage.StatusConfirmed {
		return ErrCannotConfirm
	}
	return errors.Join(directory.NewError(directory.KindNotAuthorized, "User cannot be confirmed. Current status is %s", status), ErrCannotConfirm)
}

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
		if !directory.Writable(req.Client, k) {
			return nil, directory.ErrUnauthorizedAttribute
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
		// Answered as a known user of the pool would be: by the medium of
		// the first attribute the pool verifies, or refused as theirs is.
		for _, a := range []string{"email", "phone_number"} {
			if slices.Contains(pool.AutoVerifiedAttributes, a) {
				return fakeDelivery(pool, username, a), nil
			}
		}
		return nil, errNoAutoVerification
	}
	if err != nil {
		return nil, err
	}
	if u.Status != storage.StatusUnconfirmed {
		return nil, ErrAlreadyConfirmed
	}
	attr := verificationAttribute(pool, u)
	if attr == "" {
		return nil, errNoAutoVerification
	}
	return hideLimit(client, u, attr)(e.issueAndSend(ctx, pool, u, directory.CodeSignUp, attr, hidesExistence(client)))
}

// hideLimit, when the client hides user existence, answers a known user's
// code send limit (directory.CodeLimitError) as a sent code: an unknown
// user never meets the limit, so a known one may not be seen to (the
// hosted UI does the same). No code goes out.
func hideLimit(client *storage.Client, u *storage.User, attr string) func(*CodeDelivery, error) (*CodeDelivery, error) {
	return func(d *CodeDelivery, err error) (*CodeDelivery, error) {
		if _, limited := errors.AsType[*directory.CodeLimitError](err); limited && hidesExistence(client) {
			return delivery(attr, u.Attributes[attr]), nil
		}
		return d, err
	}
}

// errNoAutoVerification answers a resend in a pool that verifies nothing
// (or a user with none of the attributes it verifies).
var errNoAutoVerification = directory.NewError(directory.KindInvalidParameter, "Auto verification not turned on.")

// ConfirmSignUp confirms an UNCONFIRMED user with their sign-up code and
// marks the attribute the code went to verified.
func (e *Engine) ConfirmSignUp(ctx context.Context, pool *storage.Pool, client *storage.Client, username, code, ip string) (*storage.User, error) {
	return e.ConfirmSignUpWith(ctx, ConfirmSignUpRequest{Pool: pool, Client: client, Username: username, Code: code, IP: ip})
}

// ConfirmSignUpRequest is a confirmation of a sign-up by code.
type ConfirmSignUpRequest struct {
	Pool           *storage.Pool
	Client         *storage.Client
	Username, Code string
	// ForceAliasCreation takes the verified address from another user who
	// holds it as an alias, instead of refusing with AliasExists.
	ForceAliasCreation bool
	IP                 string
}

// ConfirmSignUpWith is ConfirmSignUp with every option of Cognito's
// ConfirmSignUp.
func (e *Engine) ConfirmSignUpWith(ctx context.Context, req ConfirmSignUpRequest) (*storage.User, error) {
	pool, client := req.Pool, req.Client
	u, err := e.dir.FindUser(ctx, pool, req.Username)
	if errors.Is(err, directory.ErrUserNotFound) && hidesExistence(client) {
		return nil, e.hiddenMismatch(ctx, pool, directory.CodeSignUp, req.Code)
	}
	if err != nil {
		return nil, err
	}
	if u.Status != storage.StatusUnconfirmed {
		return nil, cannotConfirm(u.Status)
	}
	if _, ok := u.Codes[directory.CodeSignUp]; !ok && hidesExistence(client) {
		return nil, e.hiddenMismatch(ctx, pool, directory.CodeSignUp, req.Code)
	}
	u, err = e.dir.ConsumeCode(ctx, pool, u.Sub, directory.CodeSignUp, req.Code, func(ctx context.Context, u *storage.User) error {
		if u.Status != storage.StatusUnconfirmed {
			return cannotConfirm(u.Status)
		}
		u.Status = storage.StatusConfirmed
		if c, ok := directory.PendingCode(u, directory.CodeSignUp); ok && c.Attribute != "" {
			u.Attributes[c.Attribute+"_verified"] = "true"
		}
		if req.ForceAliasCreation {
			return e.dir.TakeAliases(ctx, pool, u)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.accountEvent(ctx, pool, client, u, "SignUp", "Pass", req.IP)
	return u, nil
}

// AdminConfirmSignUp confirms an UNCONFIRMED user without a code, as an
// administrator; no address becomes verified.
func (e *Engine) AdminConfirmSignUp(ctx context.Context, pool *storage.Pool, username string) (*storage.User, error) {
	u, err := e.dir.FindUser(ctx, pool, username)
	if err != nil {
		return nil, err
	}
	u, err = e.updateUser(ctx, pool, u, func(u *storage.User) error {
		if u.Status != storage.StatusUnconfirmed {
			return cannotConfirm(u.Status)
		}
		u.Status = storage.StatusConfirmed
		u.Codes = maps.Clone(u.Codes)
		delete(u.Codes, directory.CodeSignUp)
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.accountEvent(ctx, pool, nil, u, "SignUp", "Pass", "")
	return u, nil
}

// errBusy answers a change that lost to concurrent ones too often.
var errBusy = directory.NewError(directory.KindTooManyRequests, "Too many requests for this user, please try again.")

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
	if slices.Contains(pool.AccountRecovery, directory.RecoveryAdminOnly) {
		// The same answer for every username, known or not.
		return nil, ErrAdminOnlyRecovery
	}
	u, err := e.dir.FindUser(ctx, pool, username)
	if errors.Is(err, directory.ErrUserNotFound) && hidesExistence(client) {
		first := ""
		if len(pool.AccountRecovery) > 0 {
			first = recoveryAttributes(pool)[0]
		}
		return fakeDelivery(pool, username, first), nil
	}
	if err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, ErrUserDisabled
	}
	attr, err := recoveryAttribute(pool, u)
	if err != nil {
		return nil, err
	}
	return hideLimit(client, u, attr)(e.issueAndSendThen(ctx, pool, u, directory.CodeForgotPassword, attr, "", hidesExistence(client),
		func(ctx context.Context) { e.accountEvent(ctx, pool, client, u, "ForgotPassword", "InProgress", ip) }))
}

// recoveryAttribute is where a password-reset code for u goes: the first
// of the pool's recovery mechanisms (AccountRecoverySetting, by priority)
// that the user has verified; without a setting, Cognito's legacy order,
// the verified phone number, else the verified email address. admin_only
// is ErrAdminOnlyRecovery. A user with a temporary password or from an
// upstream provider cannot reset it. An UNCONFIRMED user can when an
// address of theirs is verified (an administrator verified it), and
// resetting confirms them.
func recoveryAttribute(pool *storage.Pool, u *storage.User) (string, error) {
	switch u.Status {
	case storage.StatusConfirmed, storage.StatusResetRequired, storage.StatusUnconfirmed:
	default:
		return "", ErrCannotReset
	}
	for _, a := range recoveryAttributes(pool) {
		if a == directory.RecoveryAdminOnly {
			return "", ErrAdminOnlyRecovery
		}
		if u.Attributes[a] != "" && u.Attributes[a+"_verified"] == "true" {
			return a, nil
		}
	}
	return "", ErrNoRecoveryAddress
}

// recoveryAttributes lists the attributes password-reset codes may go to,
// in the pool's order (admin_only as itself).
func recoveryAttributes(pool *storage.Pool) []string {
	if len(pool.AccountRecovery) == 0 {
		return []string{"phone_number", "email"}
	}
	out := make([]string, 0, len(pool.AccountRecovery))
	for _, m := range pool.AccountRecovery {
		switch m {
		case directory.RecoveryVerifiedEmail:
			out = append(out, "email")
		case directory.RecoveryVerifiedPhone:
			out = append(out, "phone_number")
		default:
			out = append(out, m)
		}
	}
	return out
}

// AdminResetUserPassword puts the user in RESET_REQUIRED, where signing in
// answers PasswordResetRequired, and sends them a password-reset code for
// ConfirmForgotPassword. Nothing changes when no code can be issued (no
// verified address, the send limits).
func (e *Engine) AdminResetUserPassword(ctx context.Context, pool *storage.Pool, username string) (*CodeDelivery, error) {
	u, err := e.dir.FindUser(ctx, pool, username)
	if err != nil {
		return nil, err
	}
	attr, err := recoveryAttribute(pool, u)
	if err != nil {
		return nil, err
	}
	if u.Status == storage.StatusUnconfirmed {
		// Cognito resets only users who could sign in.
		return nil, ErrCannotReset
	}
	u.Status = storage.StatusResetRequired
	d, err := e.issueAndSend(ctx, pool, u, directory.CodeForgotPassword, attr, false)
	if err == nil || errors.Is(err, ErrDelivery) { // the reset is stored
		e.accountEvent(ctx, pool, nil, u, "ForgotPassword", "InProgress", "")
	}
	return d, err
}

// ConfirmForgotPassword sets a new password with a password-reset code;
// the user is CONFIRMED and their failed sign-ins forgotten.
func (e *Engine) ConfirmForgotPassword(ctx context.Context, pool *storage.Pool, client *storage.Client, username, code, password, ip string) error {
	u, err := e.dir.FindUser(ctx, pool, username)
	hidden := hidesExistence(client)
	if err != nil && !(hidden && errors.Is(err, directory.ErrUserNotFound)) {
		return err
	}
	// The password is checked first for known and unknown users alike.
	if err := directory.ValidatePassword(pool.PasswordPolicy, password); err != nil {
		return err
	}
	if u == nil {
		return e.hiddenMismatch(ctx, pool, directory.CodeForgotPassword, code)
	}
	if _, ok := u.Codes[directory.CodeForgotPassword]; !ok && hidden {
		return e.hiddenMismatch(ctx, pool, directory.CodeForgotPassword, code)
	}
	u, err = e.dir.ConsumeCode(ctx, pool, u.Sub, directory.CodeForgotPassword, code, func(_ context.Context, u *storage.User) error {
		return e.dir.SetPassword(pool, u, password, true)
	})
	if err != nil {
		return err
	}
	e.accountEvent(ctx, pool, client, u, "ForgotPassword", "Pass", ip)
	return nil
}

// hiddenMismatch answers a confirmation code for an unknown user, or for a
// known one who holds no code of purpose, when the client hides user
// existence: CodeMismatch, as a wrong code of a known user is, after the
// same transaction a code check runs (on a user that does not exist, so
// nothing is written), so that the time taken tells nothing either.
func (e *Engine) hiddenMismatch(ctx context.Context, pool *storage.Pool, purpose, code string) error {
	_, _ = e.dir.ConsumeCode(ctx, pool, uuid.Nil.String(), purpose, code, func(context.Context, *storage.User) error { return nil })
	return directory.ErrCodeMismatch
}

// ---- attribute verification ----

// Errors of attribute verification.
var (
	// ErrNotVerifiable names an attribute other than email and phone_number.
	ErrNotVerifiable = directory.NewError(directory.KindInvalidParameter, "Only the email and phone_number attributes can be verified.")
)

// verifiable checks that attr is email or phone_number.
func verifiable(attr string) error {
	if directory.VerifyCodePurpose(attr) == "" {
		return ErrNotVerifiable
	}
	return nil
}

// GetUserAttributeVerificationCode sends the user a new code that
// verifies their email or phone number: to the value waiting for
// verification when the pool keeps the old one (UpdateUserAttributes),
// else to the current value. The send limits of directory's codes apply.
func (e *Engine) GetUserAttributeVerificationCode(ctx context.Context, pool *storage.Pool, client *storage.Client, u *storage.User, attr, ip string) (*CodeDelivery, error) {
	if err := verifiable(attr); err != nil {
		return nil, err
	}
	purpose := directory.VerifyCodePurpose(attr)
	value := ""
	if c, ok := u.Codes[purpose]; ok && c.Value != "" {
		value = c.Value
	} else if u.Attributes[attr] == "" {
		return nil, directory.NewError(directory.KindInvalidParameter, "The user has no %s to verify.", attr)
	}
	return e.issueAndSendTo(ctx, pool, u, purpose, attr, value, false)
}

// VerifyUserAttribute checks a code that GetUserAttributeVerificationCode
// or UpdateUserAttributes sent, and marks the attribute verified; when the
// code verifies a pending value, that value replaces the old one now. A
// verified address that another user holds as an alias is AliasExists.
func (e *Engine) VerifyUserAttribute(ctx context.Context, pool *storage.Pool, u *storage.User, attr, code string) (*storage.User, error) {
	if err := verifiable(attr); err != nil {
		return nil, err
	}
	return e.dir.ConsumeCode(ctx, pool, u.Sub, directory.VerifyCodePurpose(attr), code, func(_ context.Context, u *storage.User) error {
		c, _ := directory.PendingCode(u, directory.VerifyCodePurpose(attr))
		if c.Value != "" {
			u.Attributes[attr] = c.Value
		}
		if u.Attributes[attr] == "" {
			return directory.NewError(directory.KindInvalidParameter, "The user has no %s to verify.", attr)
		}
		u.Attributes[attr+"_verified"] = "true"
		return nil
	})
}

// UpdateAttributes changes a user's attributes as Cognito's
// UpdateUserAttributes and AdminUpdateUserAttributes do, and returns where
// verification codes went (CodeDeliveryDetailsList), in the order email,
// phone_number. The caller has checked what it may write: a client's
// WriteAttributes, and email_verified or phone_number_verified, which only
// an administrator sets. The schema, mutability and required attributes
// are directory's UpdateAttributes (an empty value removes an attribute);
// nothing is stored when a value is refused.
//
// A new email or phone number is unverified. When the pool auto-verifies
// that attribute a code goes to the new value, unless the same change
// sets it verified. When the pool also lists it in
// AttributesRequireVerificationBeforeUpdate and the old value is verified,
// the old value stays, verified and usable to sign in, and the new one
// waits on the code: VerifyUserAttribute applies it, and so does an
// administrator setting <attribute>_verified to true. Giving the current
// value again drops a pending one.
//
// The attributes are stored before the codes are sent: a failed send
// returns the deliveries and an error wrapping ErrDelivery, and
// GetUserAttributeVerificationCode sends another code.
func (e *Engine) UpdateAttributes(ctx context.Context, pool *storage.Pool, user *storage.User, attrs map[string]string) ([]CodeDelivery, error) {
	type send struct{ code, attr, dest, purpose string }
	var sends []send
	u, err := e.updateUser(ctx, pool, user, func(u *storage.User) error {
		sends = sends[:0]
		attrs := maps.Clone(attrs)
		u.Attributes = maps.Clone(u.Attributes)
		u.Codes = maps.Clone(u.Codes)
		type pendingCode struct{ attr, value string }
		var codes []pendingCode
		for _, attr := range []string{"email", "phone_number"} {
			purpose := directory.VerifyCodePurpose(attr)
			pending, hasPending := u.Codes[purpose]
			hasPending = hasPending && pending.Value != ""
			value, given := attrs[attr]
			verified := attrs[attr+"_verified"] == "true"
			switch {
			case !given && verified && hasPending:
				// An administrator vouches for the pending value.
				attrs[attr] = pending.Value
				delete(u.Codes, purpose)
			case !given:
			case value == u.Attributes[attr]:
				if hasPending {
					delete(u.Codes, purpose)
				}
			case value == "" || verified || !slices.Contains(pool.AutoVerifiedAttributes, attr):
				// Removed, vouched for, or not verified by code: as given.
				delete(u.Codes, purpose)
			case slices.Contains(pool.AttributesRequireVerificationBeforeUpdate, attr) &&
				u.Attributes[attr] != "" && u.Attributes[attr+"_verified"] == "true":
				// Keep the verified old value until the new one is verified;
				// the new one is checked now all the same.
				probe := map[string]string{attr: value}
				if err := e.dir.UpdateAttributes(pool, &storage.User{Attributes: map[string]string{}}, probe); err != nil {
					return err
				}
				delete(attrs, attr)
				codes = append(codes, pendingCode{attr, value})
			default:
				delete(u.Codes, purpose)
				codes = append(codes, pendingCode{attr, ""})
			}
		}
		if err := e.dir.UpdateAttributes(pool, u, attrs); err != nil {
			return err
		}
		for _, c := range codes {
			purpose := directory.VerifyCodePurpose(c.attr)
			code, err := e.dir.NewPendingCode(u, purpose, c.attr, c.value)
			if err != nil {
				return err
			}
			dest := c.value
			if dest == "" {
				dest = u.Attributes[c.attr]
			}
			sends = append(sends, send{code: code, attr: c.attr, dest: dest, purpose: purpose})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]CodeDelivery, 0, len(sends))
	var errs []error
	for _, s := range sends {
		out = append(out, *delivery(s.attr, s.dest))
		if err := e.sendCode(ctx, pool, u, s.purpose, s.code, s.attr, s.dest); err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

// ---- invitations ----

// CheckInvitation refuses the delivery mediums of an invitation (EMAIL,
// SMS) that the new user's attributes cannot serve, before the user is
// made: Cognito's "No email provided but desired delivery medium was
// Email". No mediums means Cognito's default, SMS when the user has a phone
// number, and is never refused.
func CheckInvitation(pool *storage.Pool, username string, attrs map[string]string, mediums []string) error {
	email, phone := attrs["email"], attrs["phone_number"]
	if email == "" && directory.UsesEmailAsUsername(pool) && strings.Contains(username, "@") {
		email = username
	}
	if phone == "" && directory.UsesPhoneAsUsername(pool) && strings.HasPrefix(username, "+") {
		phone = username
	}
	for _, m := range mediums {
		switch {
		case m == "EMAIL" && email == "":
			return directory.NewError(directory.KindInvalidParameter, "No email provided but desired delivery medium was Email")
		case m == "SMS" && phone == "":
			return directory.NewError(directory.KindInvalidParameter, "No phone_number provided but desired delivery medium was Sms")
		}
	}
	return nil
}

// SendInvitation sends the invitation of a user an administrator created
// (AdminCreateUser): the pool's InviteMessageTemplate, else Cognito's, with
// {username} and {####} the temporary password, by each of mediums (EMAIL,
// SMS) to the user's email address or phone number. No mediums is
// Cognito's default, SMS, and sends nothing to a user without a phone
// number. {username} is what the user signs in with: the email address or
// phone number in a pool that uses them as usernames.
func (e *Engine) SendInvitation(ctx context.Context, pool *storage.Pool, u *storage.User, password string, mediums []string) error {
	if err := CheckInvitation(pool, u.Username, u.Attributes, mediums); err != nil {
		return err
	}
	if len(mediums) == 0 {
		mediums = []string{"SMS"}
	}
	name := u.Username
	switch {
	case directory.UsesEmailAsUsername(pool) && u.Attributes["email"] != "":
		name = u.Attributes["email"]
	case directory.UsesPhoneAsUsername(pool) && u.Attributes["phone_number"] != "":
		name = u.Attributes["phone_number"]
	}
	vars := map[string]string{notify.VarUsername: name, notify.VarCode: password}
	var errs []error
	if slices.Contains(mediums, "EMAIL") {
		m := poolMail(pool, notify.Invitation, msgInviteEmailSubject, msgInviteEmail).Mail(u.Attributes["email"], vars)
		if err := e.notifier().SendMail(ctx, m); err != nil {
			errs = append(errs, err)
		}
	}
	if slices.Contains(mediums, "SMS") && u.Attributes["phone_number"] != "" {
		text := pool.Messages[msgInviteSMS]
		if text == "" {
			text = notify.SMSInvitation
		}
		if err := e.notifier().SendSMS(ctx, notify.SMS{PhoneNumber: u.Attributes["phone_number"], Text: notify.Render(text, vars)}); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		e.cfg.Logger.Warn("auth: send invitation", "pool", pool.ID, "err", err)
		return fmt.Errorf("%w: %w", ErrDelivery, err)
	}
	return nil
}

// fakeDelivery answers for an unknown user when existence is hidden: a
// masked destination as a real delivery has, by the medium of attr (email
// or phone_number; "" guesses from the username's shape): the username
// itself when it is an address, else one made from a hash of it, so that
// asking twice answers the same.
func fakeDelivery(pool *storage.Pool, username, attr string) *CodeDelivery {
	sum := sha256.Sum256([]byte(pool.ID + "\x00" + username))
	if attr == "phone_number" || attr == "" && strings.HasPrefix(username, "+") {
		phone := username
		if !strings.HasPrefix(phone, "+") {
			phone = fmt.Sprintf("+1555%07d", binary.BigEndian.Uint32(sum[:4])%10_000_000)
		}
		return &CodeDelivery{Destination: notify.Mask(phone), DeliveryMedium: "SMS", AttributeName: "phone_number"}
	}
	mail := username
	if !strings.Contains(mail, "@") {
		r, _ := utf8.DecodeRuneInString(username)
		mail = string(r) + "@" + string(rune('a'+sum[0]%26)) + ".com"
	}
	return &CodeDelivery{Destination: notify.Mask(mail), DeliveryMedium: "EMAIL", AttributeName: "email"}
}

// sendTimeout bounds a background send.
const sendTimeout = 30 * time.Second

// backgroundDelay is how long a background store-and-send waits to start:
// long enough for the answer to have left, so that its work does not
// compete with the answer and make a known user's answer the slower one.
const backgroundDelay = 20 * time.Millisecond

// issueAndSend makes a code of purpose, stores it and sends it to the
// user's attribute. In background, it sends after returning (so that the
// answer takes as long whether or not the user exists); a failed send is
// then only logged.
func (e *Engine) issueAndSend(ctx context.Context, pool *storage.Pool, u *storage.User, purpose, attr string, background bool) (*CodeDelivery, error) {
	return e.issueAndSendTo(ctx, pool, u, purpose, attr, "", background)
}

// issueAndSendTo is issueAndSend for a code that verifies value, a new
// value of attr not yet on u, and goes there; "" is u's current value.
func (e *Engine) issueAndSendTo(ctx context.Context, pool *storage.Pool, u *storage.User, purpose, attr, value string, background bool) (*CodeDelivery, error) {
	return e.issueAndSendThen(ctx, pool, u, purpose, attr, value, background, nil)
}

// issueAndSendThen is issueAndSendTo that runs then (if not nil) once the
// code is stored. In background the code is stored, then run, and the
// code sent after the answer: an unknown user's answer (fakeDelivery)
// writes nothing, and a known user's must take no longer. The code reaches
// the user only after it is stored, so no confirmation can come first.
func (e *Engine) issueAndSendThen(ctx context.Context, pool *storage.Pool, u *storage.User, purpose, attr, value string, background bool,
	then func(context.Context)) (*CodeDelivery, error) {
	code, err := e.dir.NewPendingCode(u, purpose, attr, value)
	if err != nil {
		return nil, err
	}
	dest := value
	if dest == "" {
		dest = u.Attributes[attr]
	}
	save := func(ctx context.Context) error {
		if err := e.dir.SaveUser(ctx, pool, u); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				return errBusy
			}
			return err
		}
		if then != nil {
			then(ctx)
		}
		return nil
	}
	if background {
		go func() {
			time.Sleep(backgroundDelay)
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
			defer cancel()
			if err := save(ctx); err != nil {
				e.cfg.Logger.Warn("auth: store code", "pool", pool.ID, "purpose", purpose, "err", err)
				return
			}
			e.sendCode(ctx, pool, u, purpose, code, attr, dest)
		}()
		return delivery(attr, dest), nil
	}
	if err := save(ctx); err != nil {
		return nil, err
	}
	return delivery(attr, dest), e.sendCode(ctx, pool, u, purpose, code, attr, dest)
}

// delivery says a message went to dest, the value of attr.
func delivery(attr, dest string) *CodeDelivery {
	d := &CodeDelivery{Destination: notify.Mask(dest), DeliveryMedium: "EMAIL", AttributeName: attr}
	if attr == "phone_number" {
		d.DeliveryMedium = "SMS"
	}
	return d
}

// sendCode sends a code with the pool's verification message to dest, an
// email address or (attr phone_number) a phone number. Sign-up,
// password-reset and attribute codes share the message, as in Cognito.
func (e *Engine) sendCode(ctx context.Context, pool *storage.Pool, u *storage.User, purpose, code, attr, dest string) error {
	vars := map[string]string{notify.VarCode: code, notify.VarUsername: u.Username}
	var err error
	if attr == "phone_number" {
		err = e.notifier().SendSMS(ctx, notify.SMS{PhoneNumber: dest, Text: notify.Render(smsTemplate(pool), vars)})
	} else {
		tmpl := mailTemplate(pool)
		if purpose == directory.CodeSignUp && pool.Messages[directory.MsgDefaultEmailOption] == "CONFIRM_WITH_LINK" {
			// Cognito's CONFIRM_WITH_LINK: the mail links to the hosted
			// UI's /confirmUser, which confirms with the code in the link.
			tmpl = notify.VerificationLink.WithMessage(pool.Messages[directory.MsgEmailSubjectByLink], pool.Messages[directory.MsgEmailByLink])
			vars[notify.VarLink] = e.cfg.Issuer(pool.ID) + "/confirmUser?" +
				url.Values{"user_name": {u.Username}, "confirmation_code": {code}}.Encode()
		}
		err = e.notifier().SendMail(ctx, tmpl.Mail(dest, vars))
	}
	if err != nil {
		e.cfg.Logger.Warn("auth: send code", "pool", pool.ID, "purpose", purpose, "to", notify.Mask(dest), "err", err)
		return fmt.Errorf("%w: %w", ErrDelivery, err)
	}
	return nil
}

// Keys of storage.Pool.Messages this file reads (Cognito's member names;
// the API's ops_pools.go writes them).
const (
	msgEmailVerification        = "EmailVerificationMessage"
	msgEmailVerificationSubject = "EmailVerificationSubject"
	msgSmsVerification          = "SmsVerificationMessage"
	msgInviteEmail              = "InviteMessageTemplate.EmailMessage"
	msgInviteEmailSubject       = "InviteMessageTemplate.EmailSubject"
	msgInviteSMS                = "InviteMessageTemplate.SMSMessage"
)

// mailTemplate is the pool's verification mail: its own message and
// subject (Cognito's EmailVerificationMessage, which may hold HTML, and
// EmailVerificationSubject), else Cognito's default. Password-reset codes
// use it too, as in Cognito.
func mailTemplate(pool *storage.Pool) notify.Template {
	return poolMail(pool, notify.VerificationCode, msgEmailVerificationSubject, msgEmailVerification)
}

// poolMail is def with the pool's own subject and message, where it has
// them; the mail has a text and an HTML part either way (notify's
// Template.WithMessage).
func poolMail(pool *storage.Pool, def notify.Template, subjectKey, messageKey string) notify.Template {
	return def.WithMessage(pool.Messages[subjectKey], pool.Messages[messageKey])
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
