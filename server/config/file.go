package config

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// maxFileSize bounds what Load and Parse read: a config file is a few
// kilobytes; megabytes mean a wrong path.
const maxFileSize = 4 << 20

// File is a parsed and validated config file. Its fields mirror the YAML
// keys (snake_case forms of Cognito's field names).
type File struct {
	Pools []Pool `yaml:"pools"`

	name  string         // the path given to Load, for errors
	lines map[string]int // line of every path, for errors
}

// Pool declares a user pool (Cognito's CreateUserPool) and what it holds.
type Pool struct {
	// Name is the pool's natural key when ID is empty.
	Name string `yaml:"name"`
	// ID pins the pool id ({region}_{letters and digits}); the pool is then
	// found by it, and its issuer never changes.
	ID string `yaml:"id"`

	UsernameAttributes       []string          `yaml:"username_attributes"`
	AliasAttributes          []string          `yaml:"alias_attributes"`
	AutoVerifiedAttributes   []string          `yaml:"auto_verified_attributes"`
	CaseSensitive            bool              `yaml:"case_sensitive"`
	AllowAdminCreateUserOnly bool              `yaml:"allow_admin_create_user_only"`
	PasswordPolicy           *PasswordPolicy   `yaml:"password_policy"`
	Schema                   []SchemaAttribute `yaml:"schema"`
	MfaConfiguration         string            `yaml:"mfa_configuration"`
	DeletionProtection       string            `yaml:"deletion_protection"`
	// AccountRecoverySetting is where password-reset codes go; left out,
	// Cognito's legacy order (a verified phone number, then a verified
	// email address).
	AccountRecoverySetting *AccountRecoverySetting `yaml:"account_recovery_setting"`

	// Branding is the hosted UI's look for the pool's clients.
	Branding *Branding `yaml:"branding"`

	// Messages the pool sends (Cognito's VerificationMessageTemplate,
	// AdminCreateUserConfig.InviteMessageTemplate and
	// SmsAuthenticationMessage); left out, Cognito's defaults.
	VerificationMessageTemplate *VerificationMessageTemplate `yaml:"verification_message_template"`
	InviteMessageTemplate       *InviteMessageTemplate       `yaml:"invite_message_template"`
	SmsAuthenticationMessage    string                       `yaml:"sms_authentication_message"`

	ResourceServers   []ResourceServer   `yaml:"resource_servers"`
	IdentityProviders []IdentityProvider `yaml:"identity_providers"`
	Clients           []Client           `yaml:"clients"`
	Groups            []Group            `yaml:"groups"`
	Users             []User             `yaml:"users"`
}

// PasswordPolicy is Cognito's PasswordPolicyType. Left out, the pool gets
// Cognito's default (8 characters, all four classes); given, a require_*
// left out is false, as in Cognito's API.
type PasswordPolicy struct {
	MinimumLength                 int  `yaml:"minimum_length"`
	RequireUppercase              bool `yaml:"require_uppercase"`
	RequireLowercase              bool `yaml:"require_lowercase"`
	RequireNumbers                bool `yaml:"require_numbers"`
	RequireSymbols                bool `yaml:"require_symbols"`
	PasswordHistorySize           int  `yaml:"password_history_size"`
	TemporaryPasswordValidityDays int  `yaml:"temporary_password_validity_days"`
}

// AccountRecoverySetting is Cognito's AccountRecoverySettingType: one or
// two recovery mechanisms (verified_email, verified_phone_number, or
// admin_only alone), the lower priority tried first.
type AccountRecoverySetting struct {
	RecoveryMechanisms []RecoveryOption `yaml:"recovery_mechanisms"`

	// resolved is the mechanisms by priority, as storage.Pool keeps them
	// (validate).
	resolved []string
}

// RecoveryOption is Cognito's RecoveryOptionType.
type RecoveryOption struct {
	Name     string `yaml:"name"`
	Priority int    `yaml:"priority"`
}

// SchemaAttribute is Cognito's SchemaAttributeType: a standard attribute
// (email, given_name…) to make required or immutable, or a custom one
// (stored as custom:<name>).
type SchemaAttribute struct {
	Name                       string                      `yaml:"name"`
	AttributeDataType          string                      `yaml:"attribute_data_type"`
	DeveloperOnlyAttribute     bool                        `yaml:"developer_only_attribute"`
	Mutable                    *bool                       `yaml:"mutable"`
	Required                   bool                        `yaml:"required"`
	StringAttributeConstraints *StringAttributeConstraints `yaml:"string_attribute_constraints"`
	NumberAttributeConstraints *NumberAttributeConstraints `yaml:"number_attribute_constraints"`
}

// StringAttributeConstraints bound a String attribute's length.
type StringAttributeConstraints struct {
	MinLength *int `yaml:"min_length"`
	MaxLength *int `yaml:"max_length"`
}

// NumberAttributeConstraints bound a Number attribute's value.
type NumberAttributeConstraints struct {
	MinValue *int64 `yaml:"min_value"`
	MaxValue *int64 `yaml:"max_value"`
}

// ResourceServer declares custom scopes {identifier}/{scope_name}.
type ResourceServer struct {
	Identifier string          `yaml:"identifier"`
	Name       string          `yaml:"name"`
	Scopes     []ResourceScope `yaml:"scopes"`
}

// ResourceScope is Cognito's ResourceServerScopeType.
type ResourceScope struct {
	ScopeName        string `yaml:"scope_name"`
	ScopeDescription string `yaml:"scope_description"`
}

// Client declares an app client (Cognito's CreateUserPoolClient).
type Client struct {
	// Name is the client's natural key within the pool when ID is empty.
	Name string `yaml:"name"`
	// ID pins the client id, so relying parties can be configured ahead.
	ID string `yaml:"id"`
	// Secret pins the client secret; GenerateSecret asks for a random one
	// instead (kept across starts). Neither: a public client.
	Secret         string `yaml:"secret"`
	GenerateSecret bool   `yaml:"generate_secret"`

	CallbackURLs                    []string `yaml:"callback_urls"`
	LogoutURLs                      []string `yaml:"logout_urls"`
	DefaultRedirectURI              string   `yaml:"default_redirect_uri"`
	AllowedOAuthFlows               []string `yaml:"allowed_oauth_flows"`
	AllowedOAuthScopes              []string `yaml:"allowed_oauth_scopes"`
	AllowedOAuthFlowsUserPoolClient bool     `yaml:"allowed_oauth_flows_user_pool_client"`
	SupportedIdentityProviders      []string `yaml:"supported_identity_providers"`
	ExplicitAuthFlows               []string `yaml:"explicit_auth_flows"`
	ReadAttributes                  []string `yaml:"read_attributes"`
	WriteAttributes                 []string `yaml:"write_attributes"`

	AccessTokenValidity  *Duration `yaml:"access_token_validity"`
	IDTokenValidity      *Duration `yaml:"id_token_validity"`
	RefreshTokenValidity *Duration `yaml:"refresh_token_validity"`
	AuthSessionValidity  *Duration `yaml:"auth_session_validity"`

	PreventUserExistenceErrors string                `yaml:"prevent_user_existence_errors"`
	EnableTokenRevocation      *bool                 `yaml:"enable_token_revocation"`
	RefreshTokenRotation       *RefreshTokenRotation `yaml:"refresh_token_rotation"`

	// Branding overrides the pool's, field by field.
	Branding *Branding `yaml:"branding"`
}

// Branding is the hosted UI's look: of a pool, or a client's overrides of
// it. Logo, Favicon and CustomCSS name files, relative to the config
// file's directory; they are read when the file is loaded.
type Branding struct {
	Logo            string `yaml:"logo"`
	Favicon         string `yaml:"favicon"`
	PrimaryColor    string `yaml:"primary_color"`
	BackgroundColor string `yaml:"background_color"`
	FontFamily      string `yaml:"font_family"`
	ColorScheme     string `yaml:"color_scheme"`
	CustomCSS       string `yaml:"custom_css"`

	// resolved is the branding with its files read and checked (validate).
	resolved *storage.Branding
}

// VerificationMessageTemplate is Cognito's VerificationMessageTemplateType:
// the message with a code (or, with CONFIRM_WITH_LINK, a link) that
// verifies an address at sign-up and carries password-reset codes.
// Email messages may be HTML; {####} is the code, {##text##} the link.
type VerificationMessageTemplate struct {
	DefaultEmailOption string `yaml:"default_email_option"`
	EmailSubject       string `yaml:"email_subject"`
	EmailMessage       string `yaml:"email_message"`
	EmailSubjectByLink string `yaml:"email_subject_by_link"`
	EmailMessageByLink string `yaml:"email_message_by_link"`
	SmsMessage         string `yaml:"sms_message"`
}

// InviteMessageTemplate is Cognito's MessageTemplateType for the
// invitation of a user an administrator creates: {username} and {####},
// the temporary password, in both messages.
type InviteMessageTemplate struct {
	EmailSubject string `yaml:"email_subject"`
	EmailMessage string `yaml:"email_message"`
	SmsMessage   string `yaml:"sms_message"`
}

// messageFields are the file's message fields: path below the pool, the
// key in storage.Pool.Messages, and the value.
func (p *Pool) messageFields() []struct{ path, key, value string } {
	type f = struct{ path, key, value string }
	out := []f{{"sms_authentication_message", directory.MsgSmsAuthentication, p.SmsAuthenticationMessage}}
	if v := p.VerificationMessageTemplate; v != nil {
		out = append(out,
			f{"verification_message_template.default_email_option", directory.MsgDefaultEmailOption, v.DefaultEmailOption},
			f{"verification_message_template.email_subject", directory.MsgEmailVerificationSubject, v.EmailSubject},
			f{"verification_message_template.email_message", directory.MsgEmailVerification, v.EmailMessage},
			f{"verification_message_template.email_subject_by_link", directory.MsgEmailSubjectByLink, v.EmailSubjectByLink},
			f{"verification_message_template.email_message_by_link", directory.MsgEmailByLink, v.EmailMessageByLink},
			f{"verification_message_template.sms_message", directory.MsgSmsVerification, v.SmsMessage})
	}
	if v := p.InviteMessageTemplate; v != nil {
		out = append(out,
			f{"invite_message_template.email_subject", directory.MsgInviteEmailSubject, v.EmailSubject},
			f{"invite_message_template.email_message", directory.MsgInviteEmail, v.EmailMessage},
			f{"invite_message_template.sms_message", directory.MsgInviteSMS, v.SmsMessage})
	}
	return out
}

// RefreshTokenRotation is Cognito's RefreshTokenRotationType.
type RefreshTokenRotation struct {
	Feature                 string `yaml:"feature"` // ENABLED, DISABLED
	RetryGracePeriodSeconds int    `yaml:"retry_grace_period_seconds"`
}

// IdentityProvider declares an upstream identity provider of the pool
// (Cognito's CreateIdentityProvider), applied before the clients that
// name it in supported_identity_providers.
type IdentityProvider struct {
	// Name is Cognito's ProviderName, the natural key within the pool; a
	// social provider's name is its type.
	Name string `yaml:"name"`
	// Type is Cognito's ProviderType: OIDC, SAML, Google, Facebook,
	// SignInWithApple or LoginWithAmazon.
	Type string `yaml:"type"`
	// ProviderDetails are Cognito's, key for key (client_id,
	// client_secret, oidc_issuer, authorize_scopes, MetadataURL…).
	ProviderDetails map[string]string `yaml:"provider_details"`
	// ProviderDetailsFromEnv takes details from environment variables,
	// detail key → variable name, so that secrets (client_secret,
	// private_key) stay out of the file; an unset variable is an error.
	ProviderDetailsFromEnv map[string]string `yaml:"provider_details_from_env"`
	AttributeMapping       map[string]string `yaml:"attribute_mapping"`
	IdpIdentifiers         []string          `yaml:"idp_identifiers"`
}

// Group declares a user group.
type Group struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Precedence  *int64 `yaml:"precedence"`
	RoleArn     string `yaml:"role_arn"`
}

// User declares a (dev) user. The password is set only when the user is
// created; Temporary makes it one to change at first sign-in
// (FORCE_CHANGE_PASSWORD).
type User struct {
	Username   string            `yaml:"username"`
	Password   string            `yaml:"password"`
	Temporary  bool              `yaml:"temporary"`
	Attributes map[string]string `yaml:"attributes"`
	Groups     []string          `yaml:"groups"`
}

// Load reads, parses and validates the file at path; errors name the path,
// the line and the field.
func Load(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	return parse(path, data)
}

// Parse parses and validates a config file held in memory; errors name
// the line and the field.
func Parse(data []byte) (*File, error) { return parse("", data) }

func parse(name string, data []byte) (f *File, err error) {
	defer func() {
		// A panic in the YAML library must not take the server down with a
		// stack trace instead of a line number; FuzzParse hunts for them.
		if p := recover(); p != nil {
			f, err = nil, &Error{File: name, Msg: fmt.Sprintf("not valid YAML: %v", p)}
		}
	}()
	if len(data) > maxFileSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("the file is larger than %d bytes", maxFileSize)}
	}
	f = &File{name: name}
	lines, err := decodeFile(data, f)
	if err != nil {
		return nil, withFile(err, name)
	}
	f.lines = lines
	if err := f.validate(); err != nil {
		return nil, err
	}
	return f, nil
}

func withFile(err error, name string) error {
	if e, ok := err.(*Error); ok {
		e.File = name
	}
	return err
}

// errAt makes an Error at path, on the line of path or of its nearest
// parent that has one.
func (f *File) errAt(path string, cause error, format string, args ...any) *Error {
	return &Error{File: f.name, Line: f.line(path), Path: path, Msg: fmt.Sprintf(format, args...), Err: cause}
}

func (f *File) line(path string) int {
	for p := path; p != ""; p = parent(p) {
		if l, ok := f.lines[p]; ok {
			return l
		}
	}
	return 0
}

// parent strips the last .field or [i] of path.
func parent(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// Duration is a lifetime written with units: 90s, 60m, 12h, 30d, 1d12h.
type Duration time.Duration

// UnmarshalText parses a duration; days (d) may lead, Go's units follow.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := parseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// String writes the duration back in the file's form.
func (d Duration) String() string {
	v := time.Duration(d)
	if v > 0 && v%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(v/(24*time.Hour)), 10) + "d"
	}
	return v.String()
}

const maxDays = 100 * 365

func parseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a duration: write it with a unit, like 90s, 60m, 12h or 30d", s)
	rest := strings.TrimSpace(s)
	if rest == "" {
		return 0, bad
	}
	var total time.Duration
	if days, after, ok := strings.Cut(rest, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n < 0 || n > maxDays {
			return 0, bad
		}
		total, rest = time.Duration(n)*24*time.Hour, after
	}
	if rest != "" {
		v, err := time.ParseDuration(rest)
		if err != nil || v < 0 || v > maxDays*24*time.Hour {
			return 0, bad
		}
		total += v
	}
	if total%time.Second != 0 {
		return 0, fmt.Errorf("%q is not a whole number of seconds", s)
	}
	return total, nil
}
