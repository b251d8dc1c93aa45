package federation

import (
	"context"
	"net/http"
	"time"
)

// Provider types, with Cognito's names (IdentityProviderTypeType).
const (
	TypeOIDC     = "OIDC"
	TypeGoogle   = "Google"
	TypeFacebook = "Facebook"
	TypeApple    = "SignInWithApple"
	TypeAmazon   = "LoginWithAmazon"
	TypeSAML     = "SAML"
)

// Identity is a user as an upstream provider vouched for them, after every
// check the connector makes (signature, issuer, audience, expiry, nonce,
// state, replay). The server turns it into a pool user named
// {ProviderName}_{Subject} and applies the provider's AttributeMapping to
// Attributes with [MapAttributes].
type Identity struct {
	// ProviderName is the provider's name in the pool (Cognito's
	// ProviderName), ProviderType its type (TypeOIDC, TypeSAML, …).
	ProviderName string
	ProviderType string
	// Issuer is the upstream's issuer: the OIDC iss, the SAML IdP entity ID,
	// or the preset's fixed name for OAuth-only providers. It fills the
	// issuer field of the user's identities attribute.
	Issuer string
	// Subject is the upstream's stable user id, the part after the
	// underscore in the federated username: sub (OIDC, Google, Apple), id
	// (Facebook), user_id (Amazon), NameID (SAML).
	Subject string
	// Email and EmailVerified are the upstream's email claim and whether the
	// upstream says it verified it. Cognito marks a mapped email verified
	// only when email_verified is mapped too; these are for the server's
	// linking decisions and logs.
	Email         string
	EmailVerified bool
	// Attributes holds every claim (ID token merged with userinfo, userinfo
	// winning) or SAML attribute by its upstream name, with values as
	// strings: JSON strings as they are, booleans "true"/"false", numbers in
	// decimal, arrays as one value per element, objects as JSON text. SAML
	// attributes are keyed by Name, and by FriendlyName too when it differs.
	Attributes map[string][]string
	// AccessToken and IDToken are the upstream's tokens, kept apart from
	// Attributes so they are never logged with them; AttributeMapping may
	// map "access_token" and "id_token" to custom attributes as in Cognito.
	AccessToken string
	IDToken     string
	// RefreshToken is the upstream refresh token, when it issued one; a
	// [RefreshConnector] takes it back.
	RefreshToken string
	// Expiry is when the upstream session ends: the ID token's exp, or the
	// SAML session's SessionNotOnOrAfter; zero when unknown.
	Expiry time.Time
	// SAML holds what single logout needs, for SAML identities only.
	SAML *SAMLSession
	// Raw is the upstream's answer as decoded, for debugging: the merged
	// claims of an OIDC or OAuth provider, the attribute statements of a
	// SAML assertion. It may hold personal data: never log it whole.
	Raw map[string]any
}

// SAMLSession is what a SAML sign-in leaves for single logout: the server
// keeps it with its session and hands it back to
// [SAMLConnector.LogoutRequest].
type SAMLSession struct {
	NameID          string
	NameIDFormat    string
	SPNameQualifier string
	SessionIndex    string
	// InResponseTo is the AuthnRequest ID the response answered, empty for
	// an IdP-initiated sign-in.
	InResponseTo string
}

// Connector is an opened connector. It implements one or more of the
// capability interfaces below; the server type-asserts for the one it needs.
type Connector interface {
	// Type is the provider type the connector was opened for (TypeOIDC, …).
	Type() string
}

// LoginState is what the server generates and stores for one redirect to an
// upstream, and hands back on the callback. The connector never stores it.
type LoginState struct {
	// CallbackURL is the redirect_uri: {issuer}/oauth2/idpresponse on the
	// host the browser is on (the pool's domain or its custom domain). It
	// must be the same at LoginURL and HandleCallback.
	CallbackURL string
	// State is the OAuth state (RFC 6749 §10.12): random, single use, and
	// the key the server finds this LoginState by on the callback.
	State string
	// Nonce is sent to OpenID providers and must come back in the ID token
	// (OIDC Core §3.1.2.1). Ignored by providers without ID tokens.
	Nonce string
	// PKCEVerifier is the RFC 7636 code_verifier; its S256 challenge goes in
	// the authorization request. Empty disables PKCE.
	PKCEVerifier string
}

// RedirectConnector is an OAuth 2.0 or OpenID Connect upstream.
type RedirectConnector interface {
	Connector
	// LoginURL is the upstream authorization URL to send the browser to.
	LoginURL(ctx context.Context, s LoginState) (string, error)
	// HandleCallback checks the upstream's answer at the callback (query or
	// form_post) against s, exchanges the code and returns the identity.
	// Errors match the sentinels in errors.go.
	HandleCallback(ctx context.Context, s LoginState, r *http.Request) (Identity, error)
}

// RefreshConnector can renew an identity with the upstream refresh token
// (Identity.RefreshToken), for a server that re-checks the upstream when it
// refreshes its own tokens. A refused refresh matches ErrUpstreamError.
type RefreshConnector interface {
	Connector
	Refresh(ctx context.Context, id Identity) (Identity, error)
}

// SAMLOptions are the per-message options of the SAML connector's outgoing
// messages.
type SAMLOptions struct {
	// RelayState goes to the IdP and comes back with its answer; the server
	// uses it to find the request it stored. Opaque, kept short (80 bytes).
	RelayState string
	// CSPNonce, when set, is put on the script of an HTTP-POST binding page
	// so it runs under a nonce-based Content-Security-Policy.
	CSPNonce string
}

// SAMLMessage is an outgoing SAML message in the binding the IdP's metadata
// asks for: send a 302 to RedirectURL when it is set, otherwise serve
// PostForm (an auto-submitting HTML page) as text/html.
type SAMLMessage struct {
	// ID is the message's ID: keep it to pass as a possible request ID when
	// the answer comes back (InResponseTo).
	ID          string
	RedirectURL string
	PostForm    []byte
}

// SAMLLogoutRequest is a LogoutRequest an IdP sent (IdP-initiated single
// logout), after its signature and replay checks.
type SAMLLogoutRequest struct {
	ID             string
	NameID         string
	SessionIndexes []string
	RelayState     string
}

// SAMLConnector is a SAML 2.0 identity provider, with Gatehouse as the
// service provider.
type SAMLConnector interface {
	Connector
	// AuthnRequest makes a signed (when RequestSigningAlgorithm is set)
	// AuthnRequest for the IdP's SSO endpoint.
	AuthnRequest(ctx context.Context, opt SAMLOptions) (SAMLMessage, error)
	// HandleResponse checks the SAMLResponse posted to the ACS URL: it must
	// answer one of possibleRequestIDs, or none if the provider allows
	// IdP-initiated sign-in (IDPInit), be signed by the IdP, be for this SP,
	// be current and unseen. r.URL should be the ACS URL as the browser
	// used it, or a path on it.
	HandleResponse(ctx context.Context, r *http.Request, possibleRequestIDs []string) (Identity, error)
	// Metadata is the SP metadata XML to serve at a stable URL for the
	// IdP's administrator.
	Metadata() ([]byte, error)
	// IDPEntityID is the IdP's entity ID, to find the provider a response
	// came from when it has no RelayState the server knows (IdP-initiated;
	// see saml.PeekResponse). It may fetch the metadata.
	IDPEntityID(ctx context.Context) (string, error)
	// LogoutRequest makes the LogoutRequest for a session this IdP signed
	// in, when the provider has IDPSignout and the IdP a logout endpoint;
	// otherwise an error matching ErrNotSupported.
	LogoutRequest(ctx context.Context, s SAMLSession, opt SAMLOptions) (SAMLMessage, error)
	// HandleLogoutResponse checks the IdP's LogoutResponse to one of
	// possibleRequestIDs.
	HandleLogoutResponse(ctx context.Context, r *http.Request, possibleRequestIDs []string) error
	// HandleLogoutRequest checks a LogoutRequest the IdP sent; the server
	// ends the sessions it names, then answers with LogoutResponse.
	HandleLogoutRequest(ctx context.Context, r *http.Request) (SAMLLogoutRequest, error)
	LogoutResponse(ctx context.Context, requestID string, opt SAMLOptions) (SAMLMessage, error)
}
