package cognitoapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/directory"
)

// TestDomainErrorTable covers errmap.go: each kind answers its __type
// with the domain's message, however deep it is wrapped, and an *Error
// in the chain wins over a domain error.
func TestDomainErrorTable(t *testing.T) {
	tests := []struct {
		kind directory.Kind
		typ  string
	}{
		{directory.KindInvalidParameter, "InvalidParameterException"},
		{directory.KindInvalidPassword, "InvalidPasswordException"},
		{directory.KindUsernameExists, "UsernameExistsException"},
		{directory.KindAliasExists, "AliasExistsException"},
		{directory.KindUserNotFound, "UserNotFoundException"},
		{directory.KindResourceNotFound, "ResourceNotFoundException"},
		{directory.KindGroupExists, "GroupExistsException"},
		{directory.KindScopeDoesNotExist, "ScopeDoesNotExistException"},
		{directory.KindInvalidOAuthFlow, "InvalidOAuthFlowException"},
		{directory.KindNotAuthorized, "NotAuthorizedException"},
		{directory.KindLimitExceeded, "LimitExceededException"},
		{directory.KindUnsupportedUserState, "UnsupportedUserStateException"},
		{directory.KindUserNotConfirmed, "UserNotConfirmedException"},
		{directory.KindPasswordResetRequired, "PasswordResetRequiredException"},
		{directory.KindCodeMismatch, "CodeMismatchException"},
		{directory.KindExpiredCode, "ExpiredCodeException"},
		{directory.KindTooManyRequests, "TooManyRequestsException"},
		{directory.KindRefreshTokenReuse, "RefreshTokenReuseException"},
		{directory.KindCodeDeliveryFailure, "CodeDeliveryFailureException"},
		{directory.KindDuplicateProvider, "DuplicateProviderException"},
	}
	if len(tests) != len(kindErrors) {
		t.Errorf("kindErrors has %d kinds, this test %d", len(kindErrors), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			err := fmt.Errorf("directory: something: %w", directory.NewError(tt.kind, "the %s message", "domain"))
			ans := callFailing(t, err)
			wantError(t, ans, http.StatusBadRequest, tt.typ)
			if ans.message() != "the domain message" {
				t.Errorf("message %q", ans.message())
			}
		})
	}

	t.Run("unknown kind is internal", func(t *testing.T) {
		ans := callFailing(t, directory.NewError(directory.Kind(9999), "secret-detail"))
		wantError(t, ans, http.StatusInternalServerError, "InternalErrorException")
		if strings.Contains(ans.raw, "secret-detail") {
			t.Errorf("internal detail leaked: %s", ans.raw)
		}
	})
	t.Run("*Error wins", func(t *testing.T) {
		err := fmt.Errorf("%w: %w", NotAuthorized("x"), directory.NewError(directory.KindUserNotFound, "y"))
		wantError(t, callFailing(t, err), http.StatusBadRequest, "NotAuthorizedException")
	})
}

func callFailing(t *testing.T, err error) answer {
	t.Helper()
	a := newAPI(Config{})
	register(a, "ForgotPassword", AuthNone, func(context.Context, *struct{}) (*struct{}, error) { return nil, err })
	return post(t, a, "AWSCognitoIdentityProviderService.ForgotPassword", contentTypeJSON11, `{}`)
}
