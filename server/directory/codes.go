package directory

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// One-time codes: the six digits sent by mail or SMS to confirm a sign-up
// or to reset a password. They live on the user's document, one pending
// code per purpose, as a keyed hash (HMAC-SHA256 with a key derived from
// the master key, bound to pool, user and purpose), so that a copy of the
// database yields no usable code and no code can be tried offline.
//
//	NewCode ──► code sent by the caller ──► ConsumeCode
//	  │ refused within the resend cooldown      │ wrong: Attempts+1; at
//	  │ or past the sends of the hour           │ MaxCodeAttempts it is void
//	  ▼                                         ▼ right and in time: removed,
//	LimitExceeded (*CodeLimitError)               the caller's change applied
//
// Every front — the hosted UI, and the Cognito API's SignUp, ConfirmSignUp,
// ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword,
// AdminResetUserPassword, GetUserAttributeVerificationCode and
// VerifyUserAttribute — goes through these two functions (server/auth's
// account flows wrap them).

// Purposes of one-time codes. An attribute's verification code has a
// purpose of its own per attribute (VerifyCodePurpose), so that a pending
// email change and a pending phone change do not void each other.
const (
	CodeSignUp         = "signup"
	CodeForgotPassword = "forgot_password"
	CodeVerifyEmail    = "verify_email"
	CodeVerifyPhone    = "verify_phone_number"
)

// VerifyCodePurpose is the purpose of the verification code of attribute
// (email or phone_number); "" for any other attribute.
func VerifyCodePurpose(attribute string) string {
	switch attribute {
	case "email":
		return CodeVerifyEmail
	case "phone_number":
		return CodeVerifyPhone
	}
	return ""
}

// Code limits. Lifetimes are Cognito's: a sign-up confirmation code and
// an attribute verification code are valid 24 hours, a password-reset
// code one hour.
const (
	SignUpCodeLifetime         = 24 * time.Hour
	VerifyCodeLifetime         = 24 * time.Hour
	ForgotPasswordCodeLifetime = time.Hour
	// CodeResendCooldown is the least time between two codes of a purpose.
	CodeResendCooldown = time.Minute
	// MaxCodeSendsPerHour bounds the codes of a purpose sent in an hour.
	MaxCodeSendsPerHour = 5
	// MaxCodeAttempts wrong guesses void a code.
	MaxCodeAttempts = 5
	codeDigits      = 6
)

// CodeLifetime is how long a code of purpose is valid.
func CodeLifetime(purpose string) time.Duration {
	switch purpose {
	case CodeSignUp:
		return SignUpCodeLifetime
	case CodeVerifyEmail, CodeVerifyPhone:
		return VerifyCodeLifetime
	}
	return ForgotPasswordCodeLifetime
}

// Errors of codes, with Cognito's messages.
var (
	// ErrCodeMismatch: a wrong code (CodeMismatchException).
	ErrCodeMismatch = &Error{Kind: KindCodeMismatch, Msg: "Invalid verification code provided, please try again."}
	// ErrCodeExpired: no pending code, or one past its lifetime
	// (ExpiredCodeException).
	ErrCodeExpired = &Error{Kind: KindExpiredCode, Msg: "Invalid code provided, please request a code again."}
	// ErrCodeAttempts: the code was voided after MaxCodeAttempts wrong
	// guesses (LimitExceededException).
	ErrCodeAttempts = &Error{Kind: KindLimitExceeded, Msg: "Attempt limit exceeded, please try after some time."}
)

// CodeLimitError refuses a new code: within the resend cooldown, or past
// the sends of the hour. Wait is how long until one may be sent. It is a
// KindLimitExceeded error (KindOf, errors.Is with ErrLimitExceeded).
type CodeLimitError struct {
	Wait time.Duration
}

func (e *CodeLimitError) Error() string {
	return "Attempt limit exceeded, please try after some time."
}

// Unwrap makes the error a KindLimitExceeded *Error.
func (e *CodeLimitError) Unwrap() error {
	return &Error{Kind: KindLimitExceeded, Msg: e.Error()}
}

// ErrLimitExceeded matches every KindLimitExceeded error.
var ErrLimitExceeded = &Error{Kind: KindLimitExceeded}

// NewCode makes a new code of purpose for u, to be sent to u's attribute
// (email or phone_number), and puts its hash on u in place of any pending
// one; the caller stores u (SaveUser) and sends the code. It refuses with
// a *CodeLimitError within CodeResendCooldown of the last code of the
// purpose or past MaxCodeSendsPerHour.
func (d *Directory) NewCode(u *storage.User, purpose, attribute string) (string, error) {
	return d.NewPendingCode(u, purpose, attribute, "")
}

// NewPendingCode is NewCode for a code that verifies value, a new value of
// attribute not yet on u (see storage.OneTimeCode.Value); the caller sends
// the code to value.
func (d *Directory) NewPendingCode(u *storage.User, purpose, attribute, value string) (string, error) {
	now := d.Now()
	prev, had := u.Codes[purpose]
	sends, window := 1, now
	if had {
		if next := prev.CreatedAt.Add(CodeResendCooldown); now.Before(next) {
			return "", &CodeLimitError{Wait: next.Sub(now)}
		}
		if now.Before(prev.WindowStart.Add(time.Hour)) {
			if prev.Sends >= MaxCodeSendsPerHour {
				return "", &CodeLimitError{Wait: prev.WindowStart.Add(time.Hour).Sub(now)}
			}
			sends, window = prev.Sends+1, prev.WindowStart
		}
	}
	var b strings.Builder
	for range codeDigits {
		b.WriteByte(byte('0' + randIndex(10)))
	}
	code := b.String()
	codes := maps.Clone(u.Codes)
	if codes == nil {
		codes = map[string]storage.OneTimeCode{}
	}
	codes[purpose] = storage.OneTimeCode{Hash: d.codeHash(u, purpose, code), CreatedAt: now,
		ExpiresAt: now.Add(CodeLifetime(purpose)), Attribute: attribute, Value: value, Sends: sends, WindowStart: window}
	u.Codes = codes
	return code, nil
}

// CodeWait is how long until a new code of purpose may be sent to u
// (zero: now), for a page to show its resend button's countdown.
func (d *Directory) CodeWait(u *storage.User, purpose string) time.Duration {
	prev, ok := u.Codes[purpose]
	if !ok {
		return 0
	}
	return max(prev.CreatedAt.Add(CodeResendCooldown).Sub(d.Now()), 0)
}

// PendingCode returns u's pending code of purpose, if any.
func PendingCode(u *storage.User, purpose string) (storage.OneTimeCode, bool) {
	c, ok := u.Codes[purpose]
	return c, ok && c.Hash != ""
}

func (d *Directory) codeHash(u *storage.User, purpose, code string) string {
	m := hmac.New(sha256.New, d.codeKey())
	fmt.Fprintf(m, "%s\x00%s\x00%s\x00%s", u.PoolID, u.Sub, purpose, code)
	return base64.RawStdEncoding.EncodeToString(m.Sum(nil))
}

func (d *Directory) codeKey() []byte {
	d.codeKeyOnce.Do(func() { d.codeKeyBytes = d.sealer.Derive("gatehouse one-time codes v1", 32) })
	return d.codeKeyBytes
}

// ConsumeCode checks a code of purpose for the user sub in one
// transaction. A right code in time is removed (it works once) and apply
// makes the change it was sent for (confirm the user, set a password),
// within the transaction (ctx carries it, for changes to other users such
// as TakeAliases); apply still finds the code in u.Codes (PendingCode: where
// it went, the value it verifies). The user is then stored. A wrong code counts an attempt and the
// MaxCodeAttempts-th voids the code: ErrCodeMismatch, then ErrCodeAttempts.
// No pending code, or an expired one: ErrCodeExpired. An error of apply
// leaves the code and the user as they were.
func (d *Directory) ConsumeCode(ctx context.Context, pool *storage.Pool, sub, purpose, code string,
	apply func(ctx context.Context, u *storage.User) error) (*storage.User, error) {
	var out *storage.User
	var verdict error
	err := d.store.InTx(ctx, func(ctx context.Context) error {
		u, err := d.store.GetUserBySub(ctx, pool.ID, sub)
		if err != nil {
			return notFound(err, KindUserNotFound, "User does not exist.")
		}
		pending, ok := u.Codes[purpose]
		switch {
		case !ok:
			verdict = ErrCodeExpired
			return nil
		case pending.Hash == "":
			verdict = ErrCodeAttempts
			return nil
		case !d.Now().Before(pending.ExpiresAt):
			verdict = ErrCodeExpired
			return nil
		}
		code = strings.TrimSpace(code)
		if !hmac.Equal([]byte(d.codeHash(u, purpose, code)), []byte(pending.Hash)) {
			pending.Attempts++
			verdict = ErrCodeMismatch
			if pending.Attempts >= MaxCodeAttempts {
				pending.Hash, verdict = "", ErrCodeAttempts
			}
			u.Codes = maps.Clone(u.Codes)
			u.Codes[purpose] = pending
			u.UpdatedAt = d.Now()
			return d.store.UpdateUser(ctx, u)
		}
		u.Codes = maps.Clone(u.Codes)
		if err := apply(ctx, u); err != nil {
			return err
		}
		delete(u.Codes, purpose)
		if err := d.SaveUser(ctx, pool, u); err != nil {
			return err
		}
		out = u
		return nil
	})
	if err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return nil, fmt.Errorf("directory: consume code: %w", err)
		}
		return nil, err
	}
	if verdict != nil {
		return nil, verdict
	}
	return out, nil
}
