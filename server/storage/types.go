package storage

import "time"

// Pool is a user pool: a tenant with its own users, clients, keys and issuer.
// Settings follow Cognito's UserPoolType so the API can return them as stored.
type Pool struct {
	ID   string `json:"id"`
	Name string `json:"name"`

	UsernameAttributes     []string `json:"username_attributes,omitempty"` // email, phone_number
	AliasAttributes        []string `json:"alias_attributes,omitempty"`    // email, phone_number, preferred_username
	AutoVerifiedAttributes []string `json:"auto_verified_attributes,omitempty"`
	// AttributesRequireVerificationBeforeUpdate (Cognito's
	// UserAttributeUpdateSettings) lists the auto-verified attributes whose
	// old value stays until a change is verified by code.
	AttributesRequireVerificationBeforeUpdate []string `json:"attributes_require_verification_before_update,omitempty"`
	// AccountRecovery is Cognito's AccountRecoverySetting: where
	// password-reset codes go, by priority (verified_email,
	// verified_phone_number), or admin_only alone. Empty is Cognito's legacy
	// behaviour: a verified phone number first, then a verified email.
	AccountRecovery []string `json:"account_recovery,omitempty"`
	CaseSensitive   bool     `json:"case_sensitive"`

	PasswordPolicy PasswordPolicy    `json:"password_policy"`
	Schema         []SchemaAttribute `json:"schema"`

	MfaConfiguration   string `json:"mfa_configuration,omitempty"`   // OFF, ON, OPTIONAL
	DeletionProtection string `json:"deletion_protection,omitempty"` // ACTIVE, INACTIVE
	UserPoolTier       string `json:"user_pool_tier,omitempty"`

	AllowAdminCreateUserOnly bool `json:"allow_admin_create_user_only,omitempty"`
	// Messages keeps the pool's message templates by Cognito field name
	// (EmailVerificationMessage, EmailVerificationSubject, SmsVerificationMessage…).
	Messages map[string]string `json:"messages,omitempty"`
	Tags     map[string]string `json:"tags,omitempty"`
	// Branding is the hosted UI's look for the pool's clients.
	Branding *Branding `json:"branding,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PasswordPolicy is Cognito's PasswordPolicyType.
type PasswordPolicy struct {
	MinimumLength                 int  `json:"minimum_length"`
	RequireUppercase              bool `json:"require_uppercase"`
	RequireLowercase              bool `json:"require_lowercase"`
	RequireNumbers                bool `json:"require_numbers"`
	RequireSymbols                bool `json:"require_symbols"`
	PasswordHistorySize           int  `json:"password_history_size,omitempty"`
	TemporaryPasswordValidityDays int  `json:"temporary_password_validity_days"`
}

// SchemaAttribute is Cognito's SchemaAttributeType. Name carries the
// `custom:` prefix for custom attributes.
type SchemaAttribute struct {
	Name                   string `json:"name"`
	AttributeDataType      string `json:"data_type"` // String, Number, DateTime, Boolean
	DeveloperOnlyAttribute bool   `json:"developer_only,omitempty"`
	Mutable                bool   `json:"mutable"`
	Required               bool   `json:"required"`
	MinLength              string `json:"min_length,omitempty"`
	MaxLength              string `json:"max_length,omitempty"`
	MinValue               string `json:"min_value,omitempty"`
	MaxValue               string `json:"max_value,omitempty"`
}

// TokenValidity holds a client's token lifetimes in Cognito's form: numbers
// with units (seconds, minutes, hours, days).
type TokenValidity struct {
	AccessToken      int64  `json:"access_token"`
	IDToken          int64  `json:"id_token"`
	RefreshToken     int64  `json:"refresh_token"`
	AccessTokenUnit  string `json:"access_token_unit"`
	IDTokenUnit      string `json:"id_token_unit"`
	RefreshTokenUnit string `json:"refresh_token_unit"`
}

// Client is an app client (Cognito's UserPoolClientType).
type Client struct {
	PoolID string `json:"pool_id"`
	ID     string `json:"id"`
	Name   string `json:"name"`
	// SealedSecret is the client secret sealed with the master key; empty
	// for a public client.
	SealedSecret []byte `json:"sealed_secret,omitempty"`

	CallbackURLs                    []string `json:"callback_urls,omitempty"`
	LogoutURLs                      []string `json:"logout_urls,omitempty"`
	DefaultRedirectURI              string   `json:"default_redirect_uri,omitempty"`
	AllowedOAuthFlows               []string `json:"allowed_oauth_flows,omitempty"` // code, implicit, client_credentials
	AllowedOAuthScopes              []string `json:"allowed_oauth_scopes,omitempty"`
	AllowedOAuthFlowsUserPoolClient bool     `json:"allowed_oauth_flows_user_pool_client"`
	SupportedIdentityProviders      []string `json:"supported_identity_providers,omitempty"`
	ExplicitAuthFlows               []string `json:"explicit_auth_flows,omitempty"`
	ReadAttributes                  []string `json:"read_attributes,omitempty"`
	WriteAttributes                 []string `json:"write_attributes,omitempty"`

	TokenValidity              TokenValidity `json:"token_validity"`
	PreventUserExistenceErrors string        `json:"prevent_user_existence_errors,omitempty"` // LEGACY, ENABLED
	EnableTokenRevocation      bool          `json:"enable_token_revocation"`
	AuthSessionValidity        int           `json:"auth_session_validity"` // minutes
	RefreshTokenRotation       bool          `json:"refresh_token_rotation,omitempty"`
	RotationGracePeriodSeconds int           `json:"rotation_grace_period_seconds,omitempty"`
	// Branding overrides the pool's Branding, field by field.
	Branding *Branding `json:"branding,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// User statuses, Cognito's UserStatusType.
const (
	StatusUnconfirmed         = "UNCONFIRMED"
	StatusConfirmed           = "CONFIRMED"
	StatusForceChangePassword = "FORCE_CHANGE_PASSWORD"
	StatusResetRequired       = "RESET_REQUIRED"
	StatusExternalProvider    = "EXTERNAL_PROVIDER"
)

// User is a member of a pool. Attributes hold every attribute as Cognito's
// strings (email_verified is "true"/"false"), sub included.
type User struct {
	PoolID   string `json:"pool_id"`
	Sub      string `json:"sub"`
	Username string `json:"username"`

	// Normalised lookup keys, each unique in the pool when not empty; the
	// directory derives them from the pool's username and alias settings.
	UsernameKey string `json:"-"`
	EmailKey    string `json:"-"`
	PhoneKey    string `json:"-"`

	Status     string            `json:"status"`
	Enabled    bool              `json:"enabled"`
	Attributes map[string]string `json:"attributes"`

	PasswordHash string    `json:"password_hash,omitempty"`
	PasswordSet  time.Time `json:"password_set,omitempty"`
	// SRPSalt and SRPVerifier (sealed) serve USER_SRP_AUTH; they are made
	// whenever the password is set, since they depend on it.
	SRPSalt     []byte `json:"srp_salt,omitempty"`
	SRPVerifier []byte `json:"srp_verifier,omitempty"`

	// Lockout state: consecutive failed sign-ins and the end of the current
	// lock-out.
	FailedSignIns int       `json:"failed_sign_ins,omitempty"`
	LockedUntil   time.Time `json:"locked_until,omitempty"`
	// SignedOutAt is set by global sign-out: tokens issued before it are dead.
	SignedOutAt time.Time `json:"signed_out_at,omitempty"`
	// Codes are the user's pending one-time codes (sign-up confirmation,
	// password reset) by purpose, stored hashed; see directory's codes.go.
	Codes map[string]OneTimeCode `json:"codes,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version guards UpdateUser against lost updates.
	Version int64 `json:"-"`
}

// Branding is the hosted UI's look: a pool's, or a client's overrides of
// it (a client's non-empty fields win, field by field). The files are kept
// in the document itself; directory.ValidateBranding bounds their size.
type Branding struct {
	Logo    *Asset `json:"logo,omitempty"`
	Favicon *Asset `json:"favicon,omitempty"`
	// PrimaryColor and BackgroundColor are #rrggbb.
	PrimaryColor    string `json:"primary_color,omitempty"`
	BackgroundColor string `json:"background_color,omitempty"`
	// FontFamily is a CSS font-family list, such as "Inter, sans-serif".
	FontFamily string `json:"font_family,omitempty"`
	// ColorScheme is light, dark or auto (the device's).
	ColorScheme string `json:"color_scheme,omitempty"`
	// CustomCSS is a stylesheet served after Gatehouse's own.
	CustomCSS string `json:"custom_css,omitempty"`
}

// Asset is a file of a branding: its media type and content.
type Asset struct {
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// OneTimeCode is a code sent to a user, kept as a keyed hash with its
// expiry, the wrong guesses made at it and the sends of the hour, which
// bound how often a new one may be sent.
type OneTimeCode struct {
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Attempts  int       `json:"attempts,omitempty"`
	// Attribute is where it went: email or phone_number.
	Attribute string `json:"attribute,omitempty"`
	// Value is the new value of Attribute that the code verifies, when the
	// pool keeps the old one until then (AttributesRequireVerificationBeforeUpdate);
	// empty: the code verifies the attribute's current value.
	Value string `json:"value,omitempty"`
	// Sends counts the codes sent for this purpose since WindowStart.
	Sends       int       `json:"sends,omitempty"`
	WindowStart time.Time `json:"window_start,omitempty"`
}

// Group is a user group; a lower Precedence wins.
type Group struct {
	PoolID      string    `json:"pool_id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	RoleArn     string    `json:"role_arn,omitempty"`
	Precedence  *int64    `json:"precedence,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ResourceServer defines custom scopes `{Identifier}/{ScopeName}`.
type ResourceServer struct {
	PoolID     string          `json:"pool_id"`
	Identifier string          `json:"identifier"`
	Name       string          `json:"name"`
	Scopes     []ResourceScope `json:"scopes,omitempty"`
}

// ResourceScope is one custom scope of a resource server.
type ResourceScope struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// SigningKey is one of a pool's token signing keys.
type SigningKey struct {
	PoolID    string `json:"pool_id"`
	KID       string `json:"kid"`
	Algorithm string `json:"alg"`
	// Sealed is the private key (PKCS#8 DER) sealed with the master key.
	Sealed []byte `json:"sealed"`
	// Public is the public JWK as JSON, published in JWKS.
	Public    []byte    `json:"public"`
	CreatedAt time.Time `json:"created_at"`
	// RetiredAt is when the key stopped signing (zero: it still signs).
	RetiredAt time.Time `json:"retired_at,omitempty"`
	// ExpiresAt is when the last token it signed expires; after it the key
	// leaves JWKS.
	ExpiresAt time.Time `json:"expires_at,omitempty"`
}

// AuthRequest is an OAuth authorize request parked while the user signs in.
type AuthRequest struct {
	PoolID    string              `json:"pool_id"`
	ID        string              `json:"id"`
	ClientID  string              `json:"client_id"`
	Form      map[string][]string `json:"form"`
	CreatedAt time.Time           `json:"created_at"`
	ExpiresAt time.Time           `json:"expires_at"`
	// Set by the sign-in that completes the request: the SSO session (its
	// id, bound to the browser's cookie), the user and when they signed in.
	SessionID string    `json:"session_id,omitempty"`
	Sub       string    `json:"sub,omitempty"`
	AuthTime  time.Time `json:"auth_time,omitempty"`
	EventID   string    `json:"event_id,omitempty"`
	// Upstream is set while the user signs in at an upstream identity
	// provider (identity_provider, idp_identifier): what its answer at
	// /oauth2/idpresponse or /saml2/idpresponse is checked against.
	Upstream *UpstreamLogin `json:"upstream,omitempty"`
}

// UpstreamLogin is one redirect to an upstream identity provider: the
// provider's name and federation.LoginState's values (OAuth state, OIDC
// nonce, PKCE verifier, redirect_uri), or the SAML AuthnRequest's ID.
type UpstreamLogin struct {
	Provider      string `json:"provider"`
	State         string `json:"state"`
	Nonce         string `json:"nonce,omitempty"`
	PKCEVerifier  string `json:"pkce_verifier,omitempty"`
	CallbackURL   string `json:"callback_url,omitempty"`
	SAMLRequestID string `json:"saml_request_id,omitempty"`
}

// Session is a browser SSO session; the cookie carries a secret whose hash
// is ID.
type Session struct {
	PoolID    string    `json:"pool_id"`
	ID        string    `json:"id"`
	Sub       string    `json:"sub"`
	AuthTime  time.Time `json:"auth_time"`
	EventID   string    `json:"event_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// OAuthKind names the kind of an OAuthRecord.
type OAuthKind string

// OAuth record kinds.
const (
	KindAuthorizeCode OAuthKind = "code"
	KindRefreshToken  OAuthKind = "refresh"
	KindAccessToken   OAuthKind = "access"
	KindPKCE          OAuthKind = "pkce"
	KindOIDC          OAuthKind = "oidc"
)

// OAuthRecord is one of fosite's stored requests.
type OAuthRecord struct {
	Kind      OAuthKind `json:"kind"`
	Signature string    `json:"signature"`
	PoolID    string    `json:"pool_id"`
	RequestID string    `json:"request_id"`
	ClientID  string    `json:"client_id"`
	Sub       string    `json:"sub"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// RotatedAt is when refresh token rotation replaced this refresh token
	// (zero: never). It is then inactive, yet accepted until GraceUntil so
	// that a client may retry a refresh whose answer it lost (Cognito's
	// RetryGracePeriodSeconds); after that its use is a reuse.
	RotatedAt  time.Time `json:"rotated_at,omitzero"`
	GraceUntil time.Time `json:"grace_until,omitzero"`
	// Data is the serialised request and session.
	Data []byte `json:"data"`
}

// Family groups the tokens minted from one sign-in (origin_jti).
type Family struct {
	PoolID    string    `json:"pool_id"`
	ID        string    `json:"id"`
	ClientID  string    `json:"client_id"`
	Sub       string    `json:"sub"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	RevokedAt time.Time `json:"revoked_at,omitempty"`
}

// AuthEvent records one authentication outcome (Cognito's AuthEventType).
type AuthEvent struct {
	PoolID    string    `json:"pool_id"`
	ID        string    `json:"id"`
	Sub       string    `json:"sub,omitempty"`
	Username  string    `json:"username,omitempty"`
	ClientID  string    `json:"client_id,omitempty"`
	Type      string    `json:"type"`     // SignIn, SignUp, ForgotPassword, PasswordChange
	Response  string    `json:"response"` // Pass, Fail, InProgress
	Reason    string    `json:"reason,omitempty"`
	IP        string    `json:"ip,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Domain is a user pool domain (Cognito's DomainDescriptionType): a
// prefix, served at {prefix}.{public host}, or a custom domain's fully
// qualified name. Requests whose Host is the domain are the pool's.
type Domain struct {
	// Name is the prefix or the custom domain name, in lower case.
	Name   string `json:"name"`
	PoolID string `json:"pool_id"`
	Custom bool   `json:"custom"`
	// CertificateArn is a custom domain's ACM certificate, kept to be
	// described; this server's TLS is its operator's business.
	CertificateArn      string    `json:"certificate_arn,omitempty"`
	ManagedLoginVersion int       `json:"managed_login_version"`
	CreatedAt           time.Time `json:"created_at"`
}

// IdentityProvider is an upstream identity provider of a pool (Cognito's
// IdentityProviderType).
type IdentityProvider struct {
	PoolID string `json:"pool_id"`
	// Name is Cognito's ProviderName.
	Name string `json:"name"`
	// Type is a federation provider type: OIDC, Google, Facebook,
	// SignInWithApple, LoginWithAmazon, SAML.
	Type string `json:"type"`
	// Details are Cognito's ProviderDetails; the directory seals the secret
	// ones (client_secret, private_key) before they are stored.
	Details map[string]string `json:"details"`
	// AttributeMapping maps a pool attribute to an upstream claim or SAML
	// attribute.
	AttributeMapping map[string]string `json:"attribute_mapping,omitempty"`
	IdpIdentifiers   []string          `json:"idp_identifiers,omitempty"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

// IdentityLink links an upstream identity to a native user: a sign-in
// through ProviderName whose AttributeName (Cognito_Subject for the
// upstream subject, or a SAML attribute) is AttributeValue is the user Sub.
type IdentityLink struct {
	PoolID         string    `json:"pool_id"`
	ProviderName   string    `json:"provider_name"`
	AttributeName  string    `json:"attribute_name"`
	AttributeValue string    `json:"attribute_value"`
	Sub            string    `json:"sub"`
	CreatedAt      time.Time `json:"created_at"`
	// FromAttribute and FromValue are set on the Cognito_Subject link a
	// sign-in through a link by another attribute records (Cognito then
	// knows the identity by its subject): the link it came from.
	FromAttribute string `json:"from_attribute,omitempty"`
	FromValue     string `json:"from_value,omitempty"`
}
