package ui

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
)

// TestErrorKey: the one table from engine and directory errors to page
// sentences. Every key it can answer exists in every catalog, unknown
// users read like wrong passwords, and anything unexpected is the
// generic sentence (its cause goes to the log).
func TestErrorKey(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("auth: sign in: %w", err) }
	tests := []struct {
		err  error
		want string
	}{
		{auth.ErrBadSession, "error.session_expired"},
		{wrap(errLockedOut), "error.locked"},
		{errDisabled, "error.disabled"},
		{errTempExpired, "error.temp_expired"},
		{wrap(errAlreadyActive), "error.already_confirmed"},
		{directory.NewError(directory.KindNotAuthorized, "Incorrect username or password."), "error.incorrect"},
		{directory.NewError(directory.KindUserNotFound, "User does not exist."), "error.incorrect"},
		{directory.NewError(directory.KindUserNotConfirmed, "User is not confirmed."), "error.not_confirmed"},
		{directory.NewError(directory.KindPasswordResetRequired, "Password reset required for the user"), "error.reset_required"},
		{directory.NewError(directory.KindInvalidPassword, "Password does not conform to policy"), "error.password_policy"},
		{directory.NewError(directory.KindInvalidParameter, "Invalid email address format."), "error.invalid_input"},
		{directory.NewError(directory.KindCodeMismatch, "Invalid verification code provided"), "error.code_mismatch"},
		{directory.NewError(directory.KindExpiredCode, "Invalid code provided, please request a code again."), "error.code_expired"},
		{directory.NewError(directory.KindLimitExceeded, "Attempt limit exceeded"), "error.too_many"},
		{directory.NewError(directory.KindTooManyRequests, "Too many requests"), "error.too_many"},
		{directory.NewError(directory.KindUsernameExists, "User already exists"), "error.username_exists"},
		{directory.NewError(directory.KindAliasExists, "An account with the given email already exists."), "error.alias_exists"},
		{directory.NewError(directory.KindCodeDeliveryFailure, "Unable to deliver"), "error.generic"},
		{errors.New("database is locked"), "error.generic"},
	}
	for _, tt := range tests {
		if got := errorKey(tt.err); got != tt.want {
			t.Errorf("errorKey(%v) = %s, want %s", tt.err, got, tt.want)
		}
		for _, l := range locales {
			if _, ok := l.msgs[tt.want]; !ok {
				t.Errorf("%s: no %s", l.Tag, tt.want)
			}
		}
	}
	if expected(errors.New("database is locked")) || !expected(errLockedOut) {
		t.Error("expected() tells domain answers from failures wrongly")
	}
}
