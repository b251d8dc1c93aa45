package directory

import (
	"errors"
	"fmt"
)

// Kind classifies a domain error; each front maps kinds to its own shape
// in one table (a Cognito __type, an OAuth error, a safe UI sentence).
type Kind int

// Error kinds. Their names follow Cognito's exceptions, the richest
// vocabulary any front speaks.
const (
	KindInvalidParameter Kind = iota + 1
	KindInvalidPassword
	KindUsernameExists
	KindAliasExists
	KindUserNotFound
	KindResourceNotFound
	KindGroupExists
	KindScopeDoesNotExist
	KindInvalidOAuthFlow
	KindNotAuthorized
	KindLimitExceeded
	KindUnsupportedUserState
	KindUserNotConfirmed
	KindPasswordResetRequired
	KindCodeMismatch
	KindExpiredCode
	KindTooManyRequests
	KindCodeDeliveryFailure
	KindRefreshTokenReuse
	KindDuplicateProvider
)

// Error is a domain error with a message fit to show a caller.
type Error struct {
	Kind Kind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Is matches any *Error of the same kind, so errors.Is(err, ErrUserNotFound)
// works whatever the message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && (t.Msg == "" || t.Msg == e.Msg)
}

func newErr(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// Sentinels to test with errors.Is.
var (
	ErrInvalidParameter  = &Error{Kind: KindInvalidParameter}
	ErrInvalidPassword   = &Error{Kind: KindInvalidPassword}
	ErrUsernameExists    = &Error{Kind: KindUsernameExists}
	ErrAliasExists       = &Error{Kind: KindAliasExists}
	ErrUserNotFound      = &Error{Kind: KindUserNotFound}
	ErrResourceNotFound  = &Error{Kind: KindResourceNotFound}
	ErrGroupExists       = &Error{Kind: KindGroupExists}
	ErrScopeDoesNotExist = &Error{Kind: KindScopeDoesNotExist}
	ErrInvalidOAuthFlow  = &Error{Kind: KindInvalidOAuthFlow}
	ErrNotAuthorized     = &Error{Kind: KindNotAuthorized}
	ErrUserNotConfirmed  = &Error{Kind: KindUserNotConfirmed}
	ErrPasswordReset     = &Error{Kind: KindPasswordResetRequired}
	ErrDuplicateProvider = &Error{Kind: KindDuplicateProvider}
)

// NewError returns a domain error of kind k; fronts and the engine use it
// for the kinds they raise themselves.
func NewError(k Kind, format string, args ...any) *Error { return newErr(k, format, args...) }

// KindOf returns the kind of the first *Error in err's chain, or 0.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
