package ui

import (
	"errors"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
)

// Messages the engine and the directory answer with that the pages tell
// apart; everything else of their kind reads the same.
var (
	errLockedOut     = directory.NewError(directory.KindNotAuthorized, "Password attempts exceeded")
	errDisabled      = directory.NewError(directory.KindNotAuthorized, "User is disabled.")
	errTempExpired   = directory.NewError(directory.KindNotAuthorized, "Temporary password has expired and must be reset by an administrator.")
	errAlreadyActive = directory.NewError(directory.KindNotAuthorized, "User cannot be confirmed. Current status is CONFIRMED")
)

// errorKey is the one table from engine and directory errors to what a
// page says (a catalog key). Unknown users and wrong passwords read the
// same; the cause of anything unexpected goes to the log, not the page.
func errorKey(err error) string {
	switch {
	case errors.Is(err, auth.ErrBadSession):
		return "error.session_expired"
	case errors.Is(err, errLockedOut):
		return "error.locked"
	case errors.Is(err, errDisabled):
		return "error.disabled"
	case errors.Is(err, errTempExpired):
		return "error.temp_expired"
	case errors.Is(err, errAlreadyActive):
		return "error.already_confirmed"
	}
	switch directory.KindOf(err) {
	case directory.KindNotAuthorized, directory.KindUserNotFound:
		return "error.incorrect"
	case directory.KindUserNotConfirmed:
		return "error.not_confirmed"
	case directory.KindPasswordResetRequired:
		return "error.reset_required"
	case directory.KindInvalidPassword:
		return "error.password_policy"
	case directory.KindInvalidParameter:
		return "error.invalid_input"
	case directory.KindCodeMismatch:
		return "error.code_mismatch"
	case directory.KindExpiredCode:
		return "error.code_expired"
	case directory.KindLimitExceeded, directory.KindTooManyRequests:
		return "error.too_many"
	case directory.KindUsernameExists:
		return "error.username_exists"
	case directory.KindAliasExists:
		return "error.alias_exists"
	}
	return "error.generic"
}

// expected reports whether err is a domain answer (shown to the user)
// rather than a failure to log.
func expected(err error) bool { return directory.KindOf(err) != 0 }
