package cognitoapi

import "net/http"

// Error is an error as the Cognito API answers it: the body
// {"__type": Type, "message": Message} with HTTP status Status. An operation
// returns one (bare or wrapped, found with errors.As) to choose what the
// caller sees; any other error is answered as InternalErrorException and its
// text goes only to the log.
//
// Status is 400 for every client error, as in Cognito (reference §3.1).
type Error struct {
	Type    string // Cognito's exception name, e.g. "NotAuthorizedException"
	Message string
	Status  int // HTTP status; 0 means 400
	// ReasonCode is InvalidParameterException's optional "reasonCode" member;
	// empty for every other type.
	ReasonCode string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

func (e *Error) status() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

func clientError(typ, msg string) *Error {
	return &Error{Type: typ, Message: msg, Status: http.StatusBadRequest}
}

// One constructor per __type. Add the one an operation needs here, named as
// the exception without its "Exception" suffix, so the table of every type
// this server can answer stays in this file.

// InvalidParameter is InvalidParameterException.
func InvalidParameter(msg string) *Error { return clientError("InvalidParameterException", msg) }

// NotAuthorized is NotAuthorizedException.
func NotAuthorized(msg string) *Error { return clientError("NotAuthorizedException", msg) }

// ResourceNotFound is ResourceNotFoundException.
func ResourceNotFound(msg string) *Error { return clientError("ResourceNotFoundException", msg) }

// TooManyRequests is TooManyRequestsException.
func TooManyRequests(msg string) *Error { return clientError("TooManyRequestsException", msg) }

// OperationNotEnabled is OperationNotEnabledException.
func OperationNotEnabled(msg string) *Error {
	return clientError("OperationNotEnabledException", msg)
}

// InvalidPassword is InvalidPasswordException: a password the pool's policy
// refuses.
func InvalidPassword(msg string) *Error { return clientError("InvalidPasswordException", msg) }

// UsernameExists is UsernameExistsException.
func UsernameExists(msg string) *Error { return clientError("UsernameExistsException", msg) }

// AliasExists is AliasExistsException: an email or phone number another
// user holds as an alias.
func AliasExists(msg string) *Error { return clientError("AliasExistsException", msg) }

// UserNotFound is UserNotFoundException.
func UserNotFound(msg string) *Error { return clientError("UserNotFoundException", msg) }

// GroupExists is GroupExistsException.
func GroupExists(msg string) *Error { return clientError("GroupExistsException", msg) }

// ScopeDoesNotExist is ScopeDoesNotExistException.
func ScopeDoesNotExist(msg string) *Error { return clientError("ScopeDoesNotExistException", msg) }

// InvalidOAuthFlow is InvalidOAuthFlowException.
func InvalidOAuthFlow(msg string) *Error { return clientError("InvalidOAuthFlowException", msg) }

// UserNotConfirmed is UserNotConfirmedException.
func UserNotConfirmed(msg string) *Error { return clientError("UserNotConfirmedException", msg) }

// PasswordResetRequired is PasswordResetRequiredException.
func PasswordResetRequired(msg string) *Error {
	return clientError("PasswordResetRequiredException", msg)
}

// LimitExceeded is LimitExceededException.
func LimitExceeded(msg string) *Error { return clientError("LimitExceededException", msg) }

// UnsupportedUserState is UnsupportedUserStateException.
func UnsupportedUserState(msg string) *Error {
	return clientError("UnsupportedUserStateException", msg)
}

// CodeMismatch is CodeMismatchException.
func CodeMismatch(msg string) *Error { return clientError("CodeMismatchException", msg) }

// ExpiredCode is ExpiredCodeException.
func ExpiredCode(msg string) *Error { return clientError("ExpiredCodeException", msg) }

// Unauthorized is UnauthorizedException: RevokeToken's answer to a client
// that does not authenticate, or to a token of another client.
func Unauthorized(msg string) *Error { return clientError("UnauthorizedException", msg) }

// UnsupportedOperation is UnsupportedOperationException: an operation the
// app client does not enable (RevokeToken without token revocation).
func UnsupportedOperation(msg string) *Error {
	return clientError("UnsupportedOperationException", msg)
}

// UnsupportedTokenType is UnsupportedTokenTypeException: RevokeToken given
// a token other than a refresh token.
func UnsupportedTokenType(msg string) *Error {
	return clientError("UnsupportedTokenTypeException", msg)
}

// RefreshTokenReuse is RefreshTokenReuseException: a refresh token that
// rotation replaced, used after its grace period.
func RefreshTokenReuse(msg string) *Error { return clientError("RefreshTokenReuseException", msg) }

// CodeDeliveryFailure is CodeDeliveryFailureException: a code or an
// invitation that could not be sent.
func CodeDeliveryFailure(msg string) *Error {
	return clientError("CodeDeliveryFailureException", msg)
}

// InternalError is InternalErrorException, HTTP 500. The framework answers it
// for any error that is not an *Error and for panics; an operation has no
// need to return it itself.
func InternalError() *Error {
	return &Error{Type: "InternalErrorException", Message: "Internal server error.", Status: http.StatusInternalServerError}
}

// Errors of the protocol itself, answered before an operation runs. Their
// names are the AWS-wide ones (Coral's), which the SDKs know.

// UnknownOperation is UnknownOperationException: no such X-Amz-Target.
func UnknownOperation(msg string) *Error { return clientError("UnknownOperationException", msg) }

// Serialization is SerializationException: a body that is not the JSON the
// operation takes.
func Serialization(msg string) *Error { return clientError("SerializationException", msg) }

// MissingAuthenticationToken is MissingAuthenticationTokenException: a signed
// operation called without an Authorization header.
func MissingAuthenticationToken() *Error {
	return clientError("MissingAuthenticationTokenException", "Missing Authentication Token")
}

// UnrecognizedClient is UnrecognizedClientException: an access key id that
// is not the admin credential's.
func UnrecognizedClient() *Error {
	return clientError("UnrecognizedClientException", "The security token included in the request is invalid.")
}

// InvalidSignature is InvalidSignatureException.
func InvalidSignature(msg string) *Error { return clientError("InvalidSignatureException", msg) }

// IncompleteSignature is IncompleteSignatureException: a malformed
// Authorization header or X-Amz-Date.
func IncompleteSignature(msg string) *Error {
	return clientError("IncompleteSignatureException", msg)
}

// signatureMismatch is AWS's exact text for a signature that does not verify.
const signatureMismatch = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
