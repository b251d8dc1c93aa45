package cognitoapi

import (
	"errors"

	"github.com/gatehouse-id/gatehouse/server/directory"
)

// kindErrors is the one table from the domain's error kinds to Cognito's
// __type. The directory and the auth engine return *directory.Error with a
// message fit for the caller; writeError looks the kind up here for every
// operation, so no operation maps a domain error itself.
var kindErrors = map[directory.Kind]func(msg string) *Error{
	directory.KindInvalidParameter:      InvalidParameter,
	directory.KindInvalidPassword:       InvalidPassword,
	directory.KindUsernameExists:        UsernameExists,
	directory.KindAliasExists:           AliasExists,
	directory.KindUserNotFound:          UserNotFound,
	directory.KindResourceNotFound:      ResourceNotFound,
	directory.KindGroupExists:           GroupExists,
	directory.KindScopeDoesNotExist:     ScopeDoesNotExist,
	directory.KindInvalidOAuthFlow:      InvalidOAuthFlow,
	directory.KindNotAuthorized:         NotAuthorized,
	directory.KindLimitExceeded:         LimitExceeded,
	directory.KindUnsupportedUserState:  UnsupportedUserState,
	directory.KindUserNotConfirmed:      UserNotConfirmed,
	directory.KindPasswordResetRequired: PasswordResetRequired,
	directory.KindCodeMismatch:          CodeMismatch,
	directory.KindExpiredCode:           ExpiredCode,
	directory.KindTooManyRequests:       TooManyRequests,
	directory.KindRefreshTokenReuse:     RefreshTokenReuse,
	directory.KindCodeDeliveryFailure:   CodeDeliveryFailure,
	directory.KindDuplicateProvider:     DuplicateProvider,
}

// domainError finds the first *directory.Error in err's chain and answers
// it as its Cognito type. A kind missing from kindErrors is not a client
// error this front knows how to name: it stays an internal error, logged.
func domainError(err error) (*Error, bool) {
	de, ok := errors.AsType[*directory.Error](err)
	if !ok || de == nil {
		return nil, false
	}
	mk, ok := kindErrors[de.Kind]
	if !ok {
		return nil, false
	}
	return mk(de.Msg), true
}
