package cognitoapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// User pool operations: CreateUserPool, DescribeUserPool, UpdateUserPool,
// ListUserPools, DeleteUserPool, AddCustomAttributes, GetUserPoolMfaConfig,
// SetUserPoolMfaConfig, GetSigningCertificate.

func registerPoolOps(a *API, svc *service) {
	register(a, "CreateUserPool", AuthSigV4, svc.createUserPool)
	register(a, "DescribeUserPool", AuthSigV4, svc.describeUserPool)
	register(a, "UpdateUserPool", AuthSigV4, svc.updateUserPool)
	register(a, "ListUserPools", AuthSigV4, svc.listUserPools)
	register(a, "DeleteUserPool", AuthSigV4, svc.deleteUserPool)
	register(a, "AddCustomAttributes", AuthSigV4, svc.addCustomAttributes)
	register(a, "GetUserPoolMfaConfig", AuthSigV4, svc.getUserPoolMfaConfig)
	register(a, "SetUserPoolMfaConfig", AuthSigV4, svc.setUserPoolMfaConfig)
	register(a, "GetSigningCertificate", AuthSigV4, svc.getSigningCertificate)
}

// ---- shapes ----

type passwordPolicyType struct {
	MinimumLength                 *int
	RequireUppercase              bool
	RequireLowercase              bool
	RequireNumbers                bool
	RequireSymbols                bool
	PasswordHistorySize           *int `json:",omitempty"`
	TemporaryPasswordValidityDays int
}

type signInPolicyType struct {
	AllowedFirstAuthFactors []string
}

type userPoolPolicyType struct {
	PasswordPolicy *passwordPolicyType `json:",omitempty"`
	SignInPolicy   *signInPolicyType   `json:",omitempty"`
}

type stringAttributeConstraintsType struct {
	MinLength *string `json:",omitempty"`
	MaxLength *string `json:",omitempty"`
}

type numberAttributeConstraintsType struct {
	MinValue *string `json:",omitempty"`
	MaxValue *string `json:",omitempty"`
}

type schemaAttributeType struct {
	Name                       string
	AttributeDataType          string                          `json:",omitempty"`
	DeveloperOnlyAttribute     *bool                           `json:",omitempty"`
	Mutable                    *bool                           `json:",omitempty"`
	Required                   *bool                           `json:",omitempty"`
	StringAttributeConstraints *stringAttributeConstraintsType `json:",omitempty"`
	NumberAttributeConstraints *numberAttributeConstraintsType `json:",omitempty"`
}

type usernameConfigurationType struct {
	CaseSensitive *bool
}

type messageTemplateType struct {
	EmailMessage *string `json:",omitempty"`
	EmailSubject *string `json:",omitempty"`
	SMSMessage   *string `json:",omitempty"`
}

type adminCreateUserConfigType struct {
	AllowAdminCreateUserOnly  bool
	UnusedAccountValidityDays int
	InviteMessageTemplate     *messageTemplateType `json:",omitempty"`
}

type verificationMessageTemplateType struct {
	SmsMessage         *string `json:",omitempty"`
	EmailMessage       *string `json:",omitempty"`
	EmailSubject       *string `json:",omitempty"`
	EmailMessageByLink *string `json:",omitempty"`
	EmailSubjectByLink *string `json:",omitempty"`
	DefaultEmailOption string  `json:",omitempty"`
}

// userAttributeUpdateSettingsType is Cognito's
// UserAttributeUpdateSettingsType: the auto-verified attributes whose old
// value stays until a change is verified (auth.Engine.UpdateUserAttributes).
type userAttributeUpdateSettingsType struct {
	AttributesRequireVerificationBeforeUpdate []string
}

// accountRecoverySettingType is Cognito's AccountRecoverySettingType: where
// ForgotPassword sends codes, by priority (auth's recoveryAttribute).
type accountRecoverySettingType struct {
	RecoveryMechanisms []recoveryOptionType
}

type recoveryOptionType struct {
	Priority int
	Name     string
}

// lambdaConfigType is always empty until triggers exist; Cognito answers
// {} for a pool without triggers.
type lambdaConfigType struct{}

type userPoolType struct {
	Id                          string
	Name                        string
	Arn                         string
	CreationDate                Timestamp `json:",omitzero"`
	LastModifiedDate            Timestamp `json:",omitzero"`
	Policies                    *userPoolPolicyType
	LambdaConfig                *lambdaConfigType
	SchemaAttributes            []schemaAttributeType
	UsernameAttributes          []string `json:",omitempty"`
	AliasAttributes             []string `json:",omitempty"`
	AutoVerifiedAttributes      []string `json:",omitempty"`
	UsernameConfiguration       *usernameConfigurationType
	VerificationMessageTemplate *verificationMessageTemplateType
	EmailVerificationMessage    *string `json:",omitempty"`
	EmailVerificationSubject    *string `json:",omitempty"`
	SmsVerificationMessage      *string `json:",omitempty"`
	SmsAuthenticationMessage    *string `json:",omitempty"`
	MfaConfiguration            string
	EstimatedNumberOfUsers      int
	DeletionProtection          string
	UserPoolTier                string
	UserPoolTags                map[string]string `json:",omitempty"`
	AdminCreateUserConfig       *adminCreateUserConfigType
	UserAttributeUpdateSettings *userAttributeUpdateSettingsType
	AccountRecoverySetting      *accountRecoverySettingType `json:",omitempty"`
	Domain                      *string                     `json:",omitempty"`
	CustomDomain                *string                     `json:",omitempty"`
}

// ---- CreateUserPool ----

// poolSettings are the members CreateUserPool and UpdateUserPool share:
// the settings a pool may change after it is made.
type poolSettings struct {
	Policies                    *userPoolPolicyType
	AutoVerifiedAttributes      []string
	MfaConfiguration            string
	SmsConfiguration            *struct{} // only its presence matters, see apply
	DeletionProtection          string
	UserPoolTier                string
	UserPoolTags                map[string]string
	AdminCreateUserConfig       *adminCreateUserConfigType
	EmailVerificationMessage    *string
	EmailVerificationSubject    *string
	SmsVerificationMessage      *string
	SmsAuthenticationMessage    *string
	VerificationMessageTemplate *verificationMessageTemplateType
	UserAttributeUpdateSettings *userAttributeUpdateSettingsType
	AccountRecoverySetting      *accountRecoverySettingType
	// LambdaConfig is read only to refuse triggers, which this server does
	// not run yet: a pool that silently skipped a PreSignUp or
	// PreTokenGeneration check would be worse than a refusal.
	LambdaConfig map[string]json.RawMessage
	// UserPoolAddOns is read only to refuse threat protection (AUDIT,
	// ENFORCED), which this server does not have.
	UserPoolAddOns *struct{ AdvancedSecurityMode string }
}

type createUserPoolInput struct {
	PoolName string
	poolSettings
	UsernameAttributes    []string
	AliasAttributes       []string
	UsernameConfiguration *usernameConfigurationType
	Schema                []schemaAttributeType
}

type createUserPoolOutput struct {
	UserPool *userPoolType
}

func (s *service) createUserPool(ctx context.Context, in *createUserPoolInput) (*createUserPoolOutput, error) {
	var v validation
	v.required("poolName", in.PoolName)
	in.poolSettings.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	p := &storage.Pool{
		Name:               in.PoolName,
		UsernameAttributes: in.UsernameAttributes,
		AliasAttributes:    in.AliasAttributes,
	}
	if err := in.poolSettings.apply(p); err != nil {
		return nil, err
	}
	// Gatehouse's default is case-insensitive usernames, Cognito's
	// recommendation (its API's own default is case-sensitive).
	if in.UsernameConfiguration != nil && in.UsernameConfiguration.CaseSensitive != nil {
		p.CaseSensitive = *in.UsernameConfiguration.CaseSensitive
	}
	schema, err := schemaInput(in.Schema)
	if err != nil {
		return nil, err
	}
	p.Schema = schema
	region := RegionFromContext(ctx)
	if region == "" {
		region = s.region
	}
	created, err := s.dir.CreatePool(ctx, p, region)
	if err != nil {
		return nil, err
	}
	return &createUserPoolOutput{UserPool: s.poolType(created, 0)}, nil
}

// validate checks the settings' enums.
func (in *poolSettings) validate(v *validation) {
	v.enum("mfaConfiguration", in.MfaConfiguration, "OFF", "ON", "OPTIONAL")
	v.enum("deletionProtection", in.DeletionProtection, "ACTIVE", "INACTIVE")
	v.enum("userPoolTier", in.UserPoolTier, "LITE", "ESSENTIALS", "PLUS")
	if in.VerificationMessageTemplate != nil {
		v.enum("verificationMessageTemplate.defaultEmailOption", in.VerificationMessageTemplate.DefaultEmailOption,
			"CONFIRM_WITH_LINK", "CONFIRM_WITH_CODE")
	}
	if in.UserAttributeUpdateSettings != nil {
		for i, a := range in.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate {
			v.enum(fmt.Sprintf("userAttributeUpdateSettings.attributesRequireVerificationBeforeUpdate.%d.member", i+1), a,
				"phone_number", "email")
		}
	}
	if in.UserPoolAddOns != nil {
		v.enum("userPoolAddOns.advancedSecurityMode", in.UserPoolAddOns.AdvancedSecurityMode, "OFF", "AUDIT", "ENFORCED")
	}
	if ar := in.AccountRecoverySetting; ar != nil {
		n := len(ar.RecoveryMechanisms)
		v.check(n >= 1 && n <= 2, "accountRecoverySetting.recoveryMechanisms", fmt.Sprint(n), "Member must have length between 1 and 2")
		for i, m := range ar.RecoveryMechanisms {
			member := fmt.Sprintf("accountRecoverySetting.recoveryMechanisms.%d.member", i+1)
			v.required(member+".name", m.Name)
			v.enum(member+".name", m.Name, directory.RecoveryVerifiedEmail, directory.RecoveryVerifiedPhone, directory.RecoveryAdminOnly)
			v.check(m.Priority >= 1 && m.Priority <= 2, member+".priority", fmt.Sprint(m.Priority), "Member must have value between 1 and 2")
		}
	}
}

// recoveryMechanisms turns an AccountRecoverySetting into the pool's
// mechanisms in priority order (directory.ValidateAccountRecovery); two
// with one priority are refused.
func recoveryMechanisms(ar *accountRecoverySettingType) ([]string, error) {
	if ar == nil {
		return nil, nil
	}
	opts := slices.Clone(ar.RecoveryMechanisms)
	slices.SortStableFunc(opts, func(a, b recoveryOptionType) int { return a.Priority - b.Priority })
	out := make([]string, 0, len(opts))
	for i, o := range opts {
		if i > 0 && opts[i-1].Priority == o.Priority {
			return nil, InvalidParameter("Recovery mechanisms must have different priorities.")
		}
		out = append(out, o.Name)
	}
	return out, directory.ValidateAccountRecovery(out)
}

// apply puts the settings on p. A setting left out stays zero, which the
// directory fills with Cognito's default.
func (in *poolSettings) apply(p *storage.Pool) error {
	if in.MfaConfiguration == "ON" || in.MfaConfiguration == "OPTIONAL" {
		if in.SmsConfiguration == nil {
			// Cognito's answer: a new pool can only offer MFA by SMS,
			// since TOTP is set up afterwards with SetUserPoolMfaConfig.
			return InvalidParameter("SMS configuration and Auto verification for phone_number are required when MFA is required/optional")
		}
		// The engine has no MFA challenge yet. A pool that says MFA is on
		// and signs users in with a password alone would be a lie.
		return InvalidParameter("MfaConfiguration " + in.MfaConfiguration + " is not supported by this server yet; use OFF.")
	}
	p.AutoVerifiedAttributes = in.AutoVerifiedAttributes
	p.AttributesRequireVerificationBeforeUpdate = nil
	if in.UserAttributeUpdateSettings != nil {
		p.AttributesRequireVerificationBeforeUpdate = slices.Clone(in.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate)
	}
	for name, raw := range in.LambdaConfig {
		if len(raw) > 0 && string(raw) != "null" && string(raw) != `""` && string(raw) != "{}" {
			return InvalidParameter("Lambda triggers are not supported by this server yet; LambdaConfig." + clip(name) + " cannot be set.")
		}
	}
	if a := in.UserPoolAddOns; a != nil && a.AdvancedSecurityMode != "" && a.AdvancedSecurityMode != "OFF" {
		return InvalidParameter("Threat protection (AdvancedSecurityMode " + a.AdvancedSecurityMode + ") is not supported by this server; use OFF.")
	}
	var err error
	if p.AccountRecovery, err = recoveryMechanisms(in.AccountRecoverySetting); err != nil {
		return err
	}
	p.MfaConfiguration = in.MfaConfiguration
	p.DeletionProtection = in.DeletionProtection
	p.UserPoolTier = in.UserPoolTier
	p.Tags = maps.Clone(in.UserPoolTags)
	if in.Policies != nil && in.Policies.PasswordPolicy != nil {
		pp := in.Policies.PasswordPolicy
		p.PasswordPolicy = storage.PasswordPolicy{
			MinimumLength:                 deref(pp.MinimumLength),
			RequireUppercase:              pp.RequireUppercase,
			RequireLowercase:              pp.RequireLowercase,
			RequireNumbers:                pp.RequireNumbers,
			RequireSymbols:                pp.RequireSymbols,
			PasswordHistorySize:           deref(pp.PasswordHistorySize),
			TemporaryPasswordValidityDays: pp.TemporaryPasswordValidityDays,
		}
		if pp.MinimumLength == nil {
			p.PasswordPolicy.MinimumLength = 8
		}
	}
	if in.Policies != nil && in.Policies.SignInPolicy != nil {
		for _, f := range in.Policies.SignInPolicy.AllowedFirstAuthFactors {
			if f != "PASSWORD" {
				return InvalidParameter("Sign-in with " + clip(f) + " is not supported by this server yet; AllowedFirstAuthFactors can only be [PASSWORD].")
			}
		}
	}
	if c := in.AdminCreateUserConfig; c != nil {
		p.AllowAdminCreateUserOnly = c.AllowAdminCreateUserOnly
		if c.UnusedAccountValidityDays != 0 && p.PasswordPolicy.TemporaryPasswordValidityDays == 0 {
			if p.PasswordPolicy == (storage.PasswordPolicy{}) {
				p.PasswordPolicy = directory.DefaultPasswordPolicy
			}
			p.PasswordPolicy.TemporaryPasswordValidityDays = c.UnusedAccountValidityDays
		}
	}
	p.Messages, err = poolMessages(in)
	return err
}

// schemaInput turns CreateUserPool's Schema into the directory's. Flags
// left out take Cognito's defaults: a standard attribute keeps its own
// mutability, a custom one is mutable; neither is required.
func schemaInput(in []schemaAttributeType) ([]storage.SchemaAttribute, error) {
	standard := directory.StandardSchema()
	out := make([]storage.SchemaAttribute, 0, len(in))
	for _, a := range in {
		if a.Name == "" {
			return nil, InvalidParameter("1 validation error detected: Value null at 'schema.member.name' failed to satisfy constraint: Member must not be null")
		}
		if strings.HasPrefix(a.Name, "dev:") || deref(a.DeveloperOnlyAttribute) {
			return nil, InvalidParameter("Developer-only attributes are not supported by this server; use a custom attribute and the client's WriteAttributes.")
		}
		sa := storage.SchemaAttribute{
			Name:              a.Name,
			AttributeDataType: a.AttributeDataType,
			Mutable:           true,
			Required:          deref(a.Required),
		}
		for _, std := range standard {
			if std.Name == a.Name {
				sa.Mutable = std.Mutable
			}
		}
		if a.Mutable != nil {
			sa.Mutable = *a.Mutable
		}
		if c := a.StringAttributeConstraints; c != nil {
			sa.MinLength, sa.MaxLength = deref(c.MinLength), deref(c.MaxLength)
		}
		if c := a.NumberAttributeConstraints; c != nil {
			sa.MinValue, sa.MaxValue = deref(c.MinValue), deref(c.MaxValue)
		}
		out = append(out, sa)
	}
	return out, nil
}

// poolMessages collects a pool's message templates into
// storage.Pool.Messages (keys directory.Msg*), checking them by
// directory's rules. The verification templates are one message each
// however they are given: Cognito keeps EmailVerificationMessage and
// VerificationMessageTemplate.EmailMessage (and their Subject and SMS
// pairs) equal, and so do we.
func poolMessages(in *poolSettings) (map[string]string, error) {
	m := map[string]string{}
	// set records one message given by one or two members, which must agree.
	set := func(key string, values ...*string) error {
		var val *string
		for _, v := range values {
			if v == nil {
				continue
			}
			if val != nil && *val != *v {
				return InvalidParameter(key + " is given twice with different values.")
			}
			val = v
		}
		if val != nil {
			m[key] = *val
		}
		return nil
	}
	vt := in.VerificationMessageTemplate
	if vt == nil {
		vt = &verificationMessageTemplateType{}
	}
	inv := &messageTemplateType{}
	if in.AdminCreateUserConfig != nil && in.AdminCreateUserConfig.InviteMessageTemplate != nil {
		inv = in.AdminCreateUserConfig.InviteMessageTemplate
	}
	for _, err := range []error{
		set(directory.MsgEmailVerification, in.EmailVerificationMessage, vt.EmailMessage),
		set(directory.MsgEmailVerificationSubject, in.EmailVerificationSubject, vt.EmailSubject),
		set(directory.MsgSmsVerification, in.SmsVerificationMessage, vt.SmsMessage),
		set(directory.MsgSmsAuthentication, in.SmsAuthenticationMessage),
		set(directory.MsgEmailByLink, vt.EmailMessageByLink),
		set(directory.MsgEmailSubjectByLink, vt.EmailSubjectByLink),
		set(directory.MsgInviteEmail, inv.EmailMessage),
		set(directory.MsgInviteEmailSubject, inv.EmailSubject),
		set(directory.MsgInviteSMS, inv.SMSMessage),
	} {
		if err != nil {
			return nil, err
		}
	}
	if vt.DefaultEmailOption != "" {
		m[directory.MsgDefaultEmailOption] = vt.DefaultEmailOption
	}
	// Lengths and placeholders by directory's rules (reference §1.4: SMS
	// 6–140, email 6–20000, subjects 1–140), refused in Cognito's words.
	members := []struct{ key, member string }{
		{directory.MsgEmailVerification, "emailVerificationMessage"},
		{directory.MsgEmailVerificationSubject, "emailVerificationSubject"},
		{directory.MsgSmsVerification, "smsVerificationMessage"},
		{directory.MsgSmsAuthentication, "smsAuthenticationMessage"},
		{directory.MsgEmailByLink, "verificationMessageTemplate.emailMessageByLink"},
		{directory.MsgEmailSubjectByLink, "verificationMessageTemplate.emailSubjectByLink"},
		{directory.MsgInviteEmail, "adminCreateUserConfig.inviteMessageTemplate.emailMessage"},
		{directory.MsgInviteEmailSubject, "adminCreateUserConfig.inviteMessageTemplate.emailSubject"},
		{directory.MsgInviteSMS, "adminCreateUserConfig.inviteMessageTemplate.sMSMessage"},
	}
	var v validation
	invitation := false // an invitation lacks {username} or {####}
	for _, mb := range members {
		val, ok := m[mb.key]
		if !ok {
			continue
		}
		r, _ := directory.MessageRuleFor(mb.key)
		n := len([]rune(val))
		v.check(n >= r.Min && n <= r.Max, mb.member, val,
			fmt.Sprintf("Member must have length between %d and %d", r.Min, r.Max))
		for _, must := range r.Must {
			switch {
			case strings.Contains(val, must):
			case mb.key == directory.MsgInviteEmail || mb.key == directory.MsgInviteSMS:
				invitation = true
			default:
				v.check(false, mb.member, val, "Member must contain "+must)
			}
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if invitation {
		return nil, InvalidParameter("The invitation message template must contain the {username} and {####} placeholders.")
	}
	// What the directory refuses beyond Cognito's constraints: a subject
	// of more than one line.
	for _, mb := range members {
		if val, ok := m[mb.key]; ok {
			if err := directory.ValidateMessage(mb.key, val); err != nil {
				return nil, InvalidParameter(mb.member + ": " + strings.TrimSpace(err.Error()))
			}
		}
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// poolType is a pool as DescribeUserPool answers it.
func (s *service) poolType(p *storage.Pool, users int) *userPoolType {
	pp := p.PasswordPolicy
	out := &userPoolType{
		Id:               p.ID,
		Name:             p.Name,
		Arn:              s.arn(p.ID),
		CreationDate:     Timestamp(p.CreatedAt),
		LastModifiedDate: Timestamp(p.UpdatedAt),
		Policies: &userPoolPolicyType{
			PasswordPolicy: &passwordPolicyType{
				MinimumLength:                 ptr(pp.MinimumLength),
				RequireUppercase:              pp.RequireUppercase,
				RequireLowercase:              pp.RequireLowercase,
				RequireNumbers:                pp.RequireNumbers,
				RequireSymbols:                pp.RequireSymbols,
				TemporaryPasswordValidityDays: pp.TemporaryPasswordValidityDays,
			},
			SignInPolicy: &signInPolicyType{AllowedFirstAuthFactors: []string{"PASSWORD"}},
		},
		LambdaConfig:           &lambdaConfigType{},
		SchemaAttributes:       schemaOutput(p.Schema),
		UsernameAttributes:     p.UsernameAttributes,
		AliasAttributes:        p.AliasAttributes,
		AutoVerifiedAttributes: p.AutoVerifiedAttributes,
		UsernameConfiguration:  &usernameConfigurationType{CaseSensitive: ptr(p.CaseSensitive)},
		MfaConfiguration:       p.MfaConfiguration,
		EstimatedNumberOfUsers: users,
		DeletionProtection:     p.DeletionProtection,
		UserPoolTier:           p.UserPoolTier,
		UserPoolTags:           p.Tags,
		AdminCreateUserConfig: &adminCreateUserConfigType{
			AllowAdminCreateUserOnly:  p.AllowAdminCreateUserOnly,
			UnusedAccountValidityDays: pp.TemporaryPasswordValidityDays,
		},
		UserAttributeUpdateSettings: &userAttributeUpdateSettingsType{
			AttributesRequireVerificationBeforeUpdate: append([]string{}, p.AttributesRequireVerificationBeforeUpdate...),
		},
	}
	if pp.PasswordHistorySize > 0 {
		out.Policies.PasswordPolicy.PasswordHistorySize = ptr(pp.PasswordHistorySize)
	}
	if len(p.AccountRecovery) > 0 {
		out.AccountRecoverySetting = &accountRecoverySettingType{}
		for i, name := range p.AccountRecovery {
			out.AccountRecoverySetting.RecoveryMechanisms = append(out.AccountRecoverySetting.RecoveryMechanisms,
				recoveryOptionType{Priority: i + 1, Name: name})
		}
	}
	msg := func(key string) *string {
		if v, ok := p.Messages[key]; ok {
			return &v
		}
		return nil
	}
	out.EmailVerificationMessage = msg(directory.MsgEmailVerification)
	out.EmailVerificationSubject = msg(directory.MsgEmailVerificationSubject)
	out.SmsVerificationMessage = msg(directory.MsgSmsVerification)
	out.SmsAuthenticationMessage = msg(directory.MsgSmsAuthentication)
	out.VerificationMessageTemplate = &verificationMessageTemplateType{
		EmailMessage:       out.EmailVerificationMessage,
		EmailSubject:       out.EmailVerificationSubject,
		SmsMessage:         out.SmsVerificationMessage,
		EmailMessageByLink: msg(directory.MsgEmailByLink),
		EmailSubjectByLink: msg(directory.MsgEmailSubjectByLink),
		DefaultEmailOption: "CONFIRM_WITH_CODE",
	}
	if o := p.Messages[directory.MsgDefaultEmailOption]; o != "" {
		out.VerificationMessageTemplate.DefaultEmailOption = o
	}
	if inv := (messageTemplateType{EmailMessage: msg(directory.MsgInviteEmail), EmailSubject: msg(directory.MsgInviteEmailSubject),
		SMSMessage: msg(directory.MsgInviteSMS)}); inv != (messageTemplateType{}) {
		out.AdminCreateUserConfig.InviteMessageTemplate = &inv
	}
	return out
}

// schemaOutput lists a pool's attributes as Cognito describes them: every
// flag present, string attributes with their length constraints and
// number attributes with their value constraints.
func schemaOutput(schema []storage.SchemaAttribute) []schemaAttributeType {
	out := make([]schemaAttributeType, 0, len(schema))
	for _, a := range schema {
		sa := schemaAttributeType{
			Name:                   a.Name,
			AttributeDataType:      a.AttributeDataType,
			DeveloperOnlyAttribute: ptr(a.DeveloperOnlyAttribute),
			Mutable:                ptr(a.Mutable),
			Required:               ptr(a.Required),
		}
		nonEmpty := func(s string) *string {
			if s == "" {
				return nil
			}
			return &s
		}
		switch a.AttributeDataType {
		case "String":
			sa.StringAttributeConstraints = &stringAttributeConstraintsType{MinLength: nonEmpty(a.MinLength), MaxLength: nonEmpty(a.MaxLength)}
		case "Number":
			sa.NumberAttributeConstraints = &numberAttributeConstraintsType{MinValue: nonEmpty(a.MinValue), MaxValue: nonEmpty(a.MaxValue)}
		}
		out = append(out, sa)
	}
	return out
}

// ---- DescribeUserPool ----

type describeUserPoolInput struct {
	UserPoolId string
}

type describeUserPoolOutput struct {
	UserPool *userPoolType
}

func (s *service) describeUserPool(ctx context.Context, in *describeUserPoolInput) (*describeUserPoolOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	if err := v.err(); err != nil {
		return nil, err
	}
	p, err := s.pool(ctx, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	n, err := s.dir.Store().CountUsers(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := s.poolType(p, n)
	domains, err := s.dir.PoolDomains(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, d := range domains {
		if d.Custom {
			out.CustomDomain = &d.Name
		} else {
			out.Domain = &d.Name
		}
	}
	return &describeUserPoolOutput{UserPool: out}, nil
}

// ---- ListUserPools ----

type listUserPoolsInput struct {
	MaxResults *int
	NextToken  *string
}

type userPoolDescriptionType struct {
	Id               string
	Name             string
	LambdaConfig     *lambdaConfigType
	CreationDate     Timestamp `json:",omitzero"`
	LastModifiedDate Timestamp `json:",omitzero"`
}

type listUserPoolsOutput struct {
	UserPools []userPoolDescriptionType
	NextToken *string `json:",omitempty"`
}

func (s *service) listUserPools(ctx context.Context, in *listUserPoolsInput) (*listUserPoolsOutput, error) {
	if in.MaxResults == nil {
		return nil, InvalidParameter("1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null")
	}
	if n := *in.MaxResults; n < 1 || n > 60 {
		return nil, InvalidParameter(fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60", n))
	}
	after, err := readToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := *in.MaxResults
	pools, err := s.dir.ListPools(ctx, after, limit+1)
	if err != nil {
		return nil, err
	}
	out := &listUserPoolsOutput{UserPools: []userPoolDescriptionType{}}
	if len(pools) > limit {
		pools = pools[:limit]
		out.NextToken = nextToken(pools[limit-1].ID)
	}
	for _, p := range pools {
		out.UserPools = append(out.UserPools, userPoolDescriptionType{
			Id: p.ID, Name: p.Name, LambdaConfig: &lambdaConfigType{},
			CreationDate: Timestamp(p.CreatedAt), LastModifiedDate: Timestamp(p.UpdatedAt),
		})
	}
	return out, nil
}

// ---- UpdateUserPool ----

type updateUserPoolInput struct {
	UserPoolId string
	PoolName   *string
	poolSettings
	// Members Cognito fixes at creation. UpdateUserPool's model has none of
	// them; a caller who sends one expects a change that cannot happen, so
	// it is refused rather than ignored.
	UsernameAttributes    json.RawMessage
	AliasAttributes       json.RawMessage
	UsernameConfiguration json.RawMessage
	Schema                json.RawMessage
}

// updateUserPool replaces the pool's settings, as Cognito does: a member
// left out takes its default again (the directory keeps what Cognito fixes
// at creation).
func (s *service) updateUserPool(ctx context.Context, in *updateUserPoolInput) (*struct{}, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	if in.PoolName != nil {
		n := len([]rune(*in.PoolName))
		v.check(n >= 1 && n <= 128, "poolName", *in.PoolName, "Member must have length between 1 and 128")
	}
	in.poolSettings.validate(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	for _, m := range []struct {
		name string
		raw  json.RawMessage
	}{
		{"UsernameAttributes", in.UsernameAttributes},
		{"AliasAttributes", in.AliasAttributes},
		{"UsernameConfiguration", in.UsernameConfiguration},
		{"Schema", in.Schema},
	} {
		if len(m.raw) > 0 && string(m.raw) != "null" {
			return nil, InvalidParameter(m.name + " cannot be changed after the user pool is created.")
		}
	}
	if _, err := s.pool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	p := &storage.Pool{ID: in.UserPoolId, Name: deref(in.PoolName)}
	if err := in.poolSettings.apply(p); err != nil {
		return nil, err
	}
	return nil, s.dir.UpdatePool(ctx, p)
}

// ---- DeleteUserPool ----

type userPoolIDInput struct {
	UserPoolId string
}

func (in *userPoolIDInput) validate() error {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	return v.err()
}

func (s *service) deleteUserPool(ctx context.Context, in *userPoolIDInput) (*struct{}, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if err := s.dir.DeletePool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	if s.minter != nil {
		s.minter.Forget(in.UserPoolId)
	}
	return nil, nil
}

// ---- AddCustomAttributes ----

type addCustomAttributesInput struct {
	UserPoolId       string
	CustomAttributes []schemaAttributeType
}

func (s *service) addCustomAttributes(ctx context.Context, in *addCustomAttributesInput) (*struct{}, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	if in.CustomAttributes == nil {
		v.required("customAttributes", "")
	} else {
		n := len(in.CustomAttributes)
		v.check(n >= 1 && n <= 25, "customAttributes", fmt.Sprint(n), "Member must have length between 1 and 25")
	}
	for i, a := range in.CustomAttributes {
		v.required(fmt.Sprintf("customAttributes.%d.member.name", i+1), a.Name)
		v.enum(fmt.Sprintf("customAttributes.%d.member.attributeDataType", i+1), a.AttributeDataType,
			"String", "Number", "DateTime", "Boolean")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	attrs := make([]storage.SchemaAttribute, 0, len(in.CustomAttributes))
	for _, a := range in.CustomAttributes {
		if strings.HasPrefix(a.Name, "dev:") || deref(a.DeveloperOnlyAttribute) {
			return nil, InvalidParameter("Developer-only attributes are not supported by this server; use a custom attribute and the client's WriteAttributes.")
		}
		// Every name becomes custom:<name>, a standard attribute's too, as
		// in Cognito; a custom attribute is mutable unless it says not.
		sa := storage.SchemaAttribute{Name: a.Name, AttributeDataType: a.AttributeDataType, Mutable: true, Required: deref(a.Required)}
		if a.Mutable != nil {
			sa.Mutable = *a.Mutable
		}
		if c := a.StringAttributeConstraints; c != nil {
			sa.MinLength, sa.MaxLength = deref(c.MinLength), deref(c.MaxLength)
		}
		if c := a.NumberAttributeConstraints; c != nil {
			sa.MinValue, sa.MaxValue = deref(c.MinValue), deref(c.MaxValue)
		}
		attrs = append(attrs, sa)
	}
	return nil, s.dir.AddCustomAttributes(ctx, in.UserPoolId, attrs)
}

// ---- GetUserPoolMfaConfig ----

// getUserPoolMfaConfigOutput carries only MfaConfiguration: this server has
// no SMS, TOTP, email or WebAuthn MFA yet, so those configurations are
// absent, as Cognito leaves them for a pool that never set them.
type getUserPoolMfaConfigOutput struct {
	MfaConfiguration string
}

func (s *service) getUserPoolMfaConfig(ctx context.Context, in *userPoolIDInput) (*getUserPoolMfaConfigOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	p, err := s.pool(ctx, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	return &getUserPoolMfaConfigOutput{MfaConfiguration: p.MfaConfiguration}, nil
}

// ---- SetUserPoolMfaConfig ----

// setUserPoolMfaConfigInput is SetUserPoolMfaConfig's input. The factor
// configurations are read only to refuse turning one on.
type setUserPoolMfaConfigInput struct {
	UserPoolId                    string
	MfaConfiguration              string
	SmsMfaConfiguration           json.RawMessage
	EmailMfaConfiguration         json.RawMessage
	WebAuthnConfiguration         json.RawMessage
	SoftwareTokenMfaConfiguration *struct{ Enabled bool }
}

// errMfaUnsupported answers a request to turn MFA on. The engine has no
// MFA challenge yet; a pool that says MFA is on while it signs users in
// with a password alone would be a lie, so the request is refused rather
// than stored.
var errMfaUnsupported = InvalidParameter("Multi-factor authentication is not supported by this server yet; MfaConfiguration can only be OFF.")

// setUserPoolMfaConfig accepts what keeps MFA off (MfaConfiguration OFF or
// absent, software tokens not enabled, no SMS, email or WebAuthn
// configuration) and answers it as GetUserPoolMfaConfig then does;
// anything that would turn a factor on is errMfaUnsupported.
func (s *service) setUserPoolMfaConfig(ctx context.Context, in *setUserPoolMfaConfigInput) (*getUserPoolMfaConfigOutput, error) {
	var v validation
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	v.enum("mfaConfiguration", in.MfaConfiguration, "OFF", "ON", "OPTIONAL")
	if err := v.err(); err != nil {
		return nil, err
	}
	p, err := s.pool(ctx, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	given := func(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }
	if in.MfaConfiguration == "ON" || in.MfaConfiguration == "OPTIONAL" ||
		in.SoftwareTokenMfaConfiguration != nil && in.SoftwareTokenMfaConfiguration.Enabled ||
		given(in.SmsMfaConfiguration) || given(in.EmailMfaConfiguration) || given(in.WebAuthnConfiguration) {
		return nil, errMfaUnsupported
	}
	return &getUserPoolMfaConfigOutput{MfaConfiguration: p.MfaConfiguration}, nil
}

// ---- GetSigningCertificate ----

type getSigningCertificateOutput struct {
	Certificate string
}

func (s *service) getSigningCertificate(ctx context.Context, in *userPoolIDInput) (*getSigningCertificateOutput, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if _, err := s.pool(ctx, in.UserPoolId); err != nil {
		return nil, err
	}
	if s.minter == nil {
		return nil, errors.New("cognitoapi: GetSigningCertificate: no token minter configured")
	}
	cert, err := s.minter.Certificate(ctx, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	return &getSigningCertificateOutput{Certificate: cert}, nil
}
