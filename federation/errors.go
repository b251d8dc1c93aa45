package federation

import (
	"errors"
	"fmt"
)

// The sentinels every connector's errors match with errors.Is, so a server
// maps each to one hosted-UI page or OAuth error. A connector wraps them
// with the detail ("federation/oidc: id token: %w"), which goes to the log
// and never to the browser.
var (
	// ErrCancelled: the user declined at the upstream (OAuth
	// error=access_denied, SAML status RequestDenied).
	ErrCancelled = errors.New("federation: the user cancelled at the identity provider")
	// ErrBadState: the callback's state is missing or not the one stored
	// for this login (RFC 6749 §10.12).
	ErrBadState = errors.New("federation: state does not match")
	// ErrBadNonce: the ID token's nonce is missing or not the one sent.
	ErrBadNonce = errors.New("federation: nonce does not match")
	// ErrBadSignature: an ID token or SAML message is unsigned or not
	// signed by a key the upstream published.
	ErrBadSignature = errors.New("federation: bad signature")
	// ErrExpired: an ID token or SAML assertion is past its validity.
	ErrExpired = errors.New("federation: token or assertion expired")
	// ErrReplayed: a SAML assertion (or logout request) was already used.
	ErrReplayed = errors.New("federation: assertion already used")
	// ErrUnsolicited: an IdP-initiated SAML response reached a provider
	// that does not allow IdP-initiated sign-in.
	ErrUnsolicited = errors.New("federation: IdP-initiated sign-in is not enabled for this provider")
	// ErrInvalidResponse: the upstream's answer is malformed or fails a
	// check other than the above (issuer, audience, recipient, request ID,
	// missing subject, userinfo subject mismatch).
	ErrInvalidResponse = errors.New("federation: invalid response from the identity provider")
	// ErrUpstreamError: the upstream answered with an error (an OAuth error
	// other than access_denied, a refused code exchange, a SAML status other
	// than Success).
	ErrUpstreamError = errors.New("federation: the identity provider returned an error")
	// ErrUpstreamUnavailable: the upstream could not be reached, or
	// answered 5xx, or its discovery document or keys could not be fetched.
	ErrUpstreamUnavailable = errors.New("federation: the identity provider is unavailable")
	// ErrNotSupported: the connector cannot do this (e.g. single logout
	// without IDPSignout or an IdP logout endpoint).
	ErrNotSupported = errors.New("federation: not supported by this provider")
	// ErrInvalidConfig: ProviderDetails are wrong, or no factory is
	// registered for the provider type; the error is a *ConfigError naming
	// the key (ProviderType for an unknown type).
	ErrInvalidConfig = errors.New("federation: invalid provider details")
)

// ConfigError is a bad ProviderDetails (or AttributeMapping) value. Its
// message is one sentence naming the key, fit for a Cognito
// InvalidParameterException.
type ConfigError struct {
	Key    string
	Reason string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("invalid ProviderDetails %s: %s", e.Key, e.Reason)
}

// Is makes a *ConfigError match ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Configf returns a *ConfigError for key.
func Configf(key, format string, args ...any) error {
	return &ConfigError{Key: key, Reason: fmt.Sprintf(format, args...)}
}

// UpstreamError is an error the upstream put in its answer: an OAuth error
// response (RFC 6749 §4.1.2.1, §5.2) or a SAML status. It matches
// ErrCancelled for access_denied and RequestDenied, ErrUpstreamError
// otherwise. Description is the upstream's text, for the log.
type UpstreamError struct {
	Code        string
	Description string
}

func (e *UpstreamError) Error() string {
	if e.Description == "" {
		return "upstream error " + e.Code
	}
	return fmt.Sprintf("upstream error %s: %s", e.Code, e.Description)
}

// Is makes an *UpstreamError match ErrCancelled or ErrUpstreamError.
func (e *UpstreamError) Is(target error) bool {
	switch target {
	case ErrCancelled:
		return e.cancelled()
	case ErrUpstreamError:
		return !e.cancelled()
	}
	return false
}

func (e *UpstreamError) cancelled() bool {
	return e.Code == "access_denied" || e.Code == "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
}
