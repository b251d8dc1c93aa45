package config

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Cognito's patterns for what the directory leaves to the API's input
// validation: ScopeNameType and ArnType.
var (
	scopeNamePattern = directory.ASCIIPattern(`[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]`, 1, 256)
	arnPattern       = regexp.MustCompile(`^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$`)
)

// Token lifetimes Cognito accepts.
const (
	minTokenValidity   = 5 * time.Minute
	maxTokenValidity   = 24 * time.Hour
	minRefreshValidity = time.Hour
	maxRefreshValidity = 3650 * 24 * time.Hour
)

// validate checks everything that needs no store and returns the first
// problem, in file order.
func (f *File) validate() error {
	v := &validator{f: f, poolNames: map[string]string{}, poolIDs: map[string]string{}, clientIDs: map[string]string{}}
	for i := range f.Pools {
		if err := v.pool(i); err != nil {
			return err
		}
	}
	return nil
}

type validator struct {
	f                             *File
	poolNames, poolIDs, clientIDs map[string]string // value → path of its first use
}

func (v *validator) fail(path, format string, args ...any) error {
	return v.f.errAt(path, nil, format, args...)
}

// failDir reports a directory rule's refusal at path.
func (v *validator) failDir(path string, err error) error {
	return v.f.errAt(path, err, "%s", strings.TrimSpace(err.Error()))
}

func (v *validator) oneOf(path, value string, allowed ...string) error {
	if !slices.Contains(allowed, value) {
		return v.fail(path, "%q is not one of %s", value, strings.Join(allowed, ", "))
	}
	return nil
}

func (v *validator) length(path, value, what string, lo, hi int) error {
	n := len([]rune(value))
	switch {
	case n == 0 && lo > 0:
		return v.fail(path, "required: every %s needs one", what)
	case n < lo || n > hi:
		return v.fail(path, "must be %d to %d characters", lo, hi)
	}
	return nil
}

func (v *validator) rangeInt(path string, value, lo, hi int64) error {
	if value < lo || value > hi {
		return v.fail(path, "%d is out of range: %d to %d", value, lo, hi)
	}
	return nil
}

// list checks a list of words against allowed values (any when nil) and
// refuses repeats.
func (v *validator) list(path string, values []string, allowed ...string) error {
	for i, s := range values {
		p := fmt.Sprintf("%s[%d]", path, i)
		if s == "" {
			return v.fail(p, "must not be empty")
		}
		if allowed != nil {
			if err := v.oneOf(p, s, allowed...); err != nil {
				return err
			}
		}
		if j := slices.Index(values, s); j < i {
			return v.fail(p, "%q is listed twice", s)
		}
	}
	return nil
}

func (v *validator) pool(i int) error {
	p := &v.f.Pools[i]
	path := fmt.Sprintf("pools[%d]", i)
	if strings.TrimSpace(p.Name) == "" {
		return v.fail(path+".name", "required: every pool needs a name")
	}
	if err := v.length(path+".name", p.Name, "pool", 1, 128); err != nil {
		return err
	}
	if prev, dup := v.poolNames[p.Name]; dup {
		return v.fail(path+".name", "pool name %q is already used by %s", p.Name, prev)
	}
	v.poolNames[p.Name] = path
	if p.ID != "" {
		if !directory.ValidPoolID(p.ID) {
			return v.fail(path+".id", "%q is not a pool id: {region}_{letters and digits}, like us-east-1_Demo00001", p.ID)
		}
		if prev, dup := v.poolIDs[p.ID]; dup {
			return v.fail(path+".id", "pool id %q is already used by %s", p.ID, prev)
		}
		v.poolIDs[p.ID] = path
	}
	if err := v.list(path+".username_attributes", p.UsernameAttributes, "email", "phone_number"); err != nil {
		return err
	}
	if err := v.list(path+".alias_attributes", p.AliasAttributes, "email", "phone_number", "preferred_username"); err != nil {
		return err
	}
	if len(p.UsernameAttributes) > 0 && len(p.AliasAttributes) > 0 {
		return v.fail(path+".alias_attributes", "cannot be used together with username_attributes")
	}
	if err := v.list(path+".auto_verified_attributes", p.AutoVerifiedAttributes, "email", "phone_number"); err != nil {
		return err
	}
	if pp := p.PasswordPolicy; pp != nil {
		pe := path + ".password_policy"
		if pp.MinimumLength != 0 {
			if err := v.rangeInt(pe+".minimum_length", int64(pp.MinimumLength), 6, 99); err != nil {
				return err
			}
		}
		if err := v.rangeInt(pe+".password_history_size", int64(pp.PasswordHistorySize), 0, 24); err != nil {
			return err
		}
		if err := v.rangeInt(pe+".temporary_password_validity_days", int64(pp.TemporaryPasswordValidityDays), 0, 365); err != nil {
			return err
		}
	}
	if err := v.schema(path+".schema", p.Schema); err != nil {
		return err
	}
	if p.MfaConfiguration != "" {
		if err := v.oneOf(path+".mfa_configuration", p.MfaConfiguration, "OFF", "ON", "OPTIONAL"); err != nil {
			return err
		}
	}
	if p.DeletionProtection != "" {
		if err := v.oneOf(path+".deletion_protection", p.DeletionProtection, "ACTIVE", "INACTIVE"); err != nil {
			return err
		}
	}
	if err := v.accountRecovery(path+".account_recovery_setting", p.AccountRecoverySetting); err != nil {
		return err
	}
	if err := v.branding(path+".branding", p.Branding); err != nil {
		return err
	}
	for _, m := range p.messageFields() {
		if m.value == "" {
			continue
		}
		if err := directory.ValidateMessage(m.key, m.value); err != nil {
			return v.failDir(path+"."+m.path, err)
		}
	}
	sp := p.storagePool()
	if err := directory.NormalizePool(sp); err != nil {
		return v.failDir(path, err)
	}

	scopes := map[string]bool{}
	identifiers := map[string]string{}
	for j := range p.ResourceServers {
		if err := v.resourceServer(fmt.Sprintf("%s.resource_servers[%d]", path, j), &p.ResourceServers[j], identifiers, scopes); err != nil {
			return err
		}
	}
	providers := map[string]string{}
	for j := range p.IdentityProviders {
		if err := v.identityProvider(fmt.Sprintf("%s.identity_providers[%d]", path, j), &p.IdentityProviders[j], providers); err != nil {
			return err
		}
	}
	names := map[string]string{}
	for j := range p.Clients {
		if err := v.client(fmt.Sprintf("%s.clients[%d]", path, j), &p.Clients[j], names); err != nil {
			return err
		}
	}
	groups := map[string]string{}
	for j := range p.Groups {
		if err := v.group(fmt.Sprintf("%s.groups[%d]", path, j), &p.Groups[j], groups); err != nil {
			return err
		}
	}
	users := map[string]string{}
	for j := range p.Users {
		if err := v.user(fmt.Sprintf("%s.users[%d]", path, j), &p.Users[j], sp, users); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) schema(path string, attrs []SchemaAttribute) error {
	seen := map[string]string{}
	for i, a := range attrs {
		ap := fmt.Sprintf("%s[%d]", path, i)
		name := strings.TrimPrefix(a.Name, "custom:")
		if name == "" {
			return v.fail(ap+".name", "required: every attribute needs a name")
		}
		if prev, dup := seen[name]; dup {
			return v.fail(ap+".name", "attribute %q is already declared by %s", a.Name, prev)
		}
		seen[name] = ap
		if a.AttributeDataType != "" {
			if err := v.oneOf(ap+".attribute_data_type", a.AttributeDataType, "String", "Number", "DateTime", "Boolean"); err != nil {
				return err
			}
		}
		standard := directory.IsStandardAttribute(a.Name)
		dataType := a.AttributeDataType
		if dataType == "" {
			dataType = "String"
		}
		if sc := a.StringAttributeConstraints; sc != nil {
			sp := ap + ".string_attribute_constraints"
			switch {
			case standard:
				return v.fail(sp, "constraints can only be set on custom attributes")
			case dataType != "String":
				return v.fail(sp, "only a String attribute takes string constraints")
			}
			if sc.MinLength != nil {
				if err := v.rangeInt(sp+".min_length", int64(*sc.MinLength), 0, 2048); err != nil {
					return err
				}
			}
			if sc.MaxLength != nil {
				if err := v.rangeInt(sp+".max_length", int64(*sc.MaxLength), 0, 2048); err != nil {
					return err
				}
			}
			if sc.MinLength != nil && sc.MaxLength != nil && *sc.MinLength > *sc.MaxLength {
				return v.fail(sp+".max_length", "must not be less than min_length")
			}
		}
		if nc := a.NumberAttributeConstraints; nc != nil {
			np := ap + ".number_attribute_constraints"
			switch {
			case standard:
				return v.fail(np, "constraints can only be set on custom attributes")
			case dataType != "Number":
				return v.fail(np, "only a Number attribute takes number constraints")
			}
			if nc.MinValue != nil && nc.MaxValue != nil && *nc.MinValue > *nc.MaxValue {
				return v.fail(np+".max_value", "must not be less than min_value")
			}
		}
		if !standard && a.Required {
			return v.fail(ap+".required", "custom attributes cannot be required (Cognito does not support it)")
		}
	}
	return nil
}

func (v *validator) resourceServer(path string, rs *ResourceServer, identifiers map[string]string, scopes map[string]bool) error {
	if err := v.length(path+".identifier", rs.Identifier, "resource server", 1, 256); err != nil {
		return err
	}
	if strings.ContainsAny(rs.Identifier, " \t\r\n") {
		return v.fail(path+".identifier", "must not contain spaces")
	}
	if prev, dup := identifiers[rs.Identifier]; dup {
		return v.fail(path+".identifier", "identifier %q is already used by %s", rs.Identifier, prev)
	}
	identifiers[rs.Identifier] = path
	if err := v.length(path+".name", rs.Name, "resource server", 1, 256); err != nil {
		return err
	}
	if len(rs.Scopes) > 100 {
		return v.fail(path+".scopes", "a resource server has at most 100 scopes")
	}
	seen := map[string]bool{}
	for i, s := range rs.Scopes {
		sp := fmt.Sprintf("%s.scopes[%d]", path, i)
		if s.ScopeName == "" {
			return v.fail(sp+".scope_name", "required: every scope needs a scope_name")
		}
		if !scopeNamePattern.MatchString(s.ScopeName) {
			return v.fail(sp+".scope_name", "%q is not a scope name: printable characters without spaces, quotes, / or \\", s.ScopeName)
		}
		if seen[s.ScopeName] {
			return v.fail(sp+".scope_name", "scope %q is listed twice", s.ScopeName)
		}
		seen[s.ScopeName] = true
		if err := v.length(sp+".scope_description", s.ScopeDescription, "scope", 1, 256); err != nil {
			return err
		}
		scopes[rs.Identifier+"/"+s.ScopeName] = true
	}
	return nil
}

func (v *validator) client(path string, c *Client, names map[string]string) error {
	if err := v.length(path+".name", c.Name, "client", 1, 128); err != nil {
		return err
	}
	if prev, dup := names[c.Name]; dup {
		return v.fail(path+".name", "client name %q is already used by %s in this pool", c.Name, prev)
	}
	names[c.Name] = path
	if c.ID != "" {
		if !directory.ValidClientID(c.ID) {
			return v.fail(path+".id", "%q is not a client id: 1 to 128 letters, digits, _ or +", c.ID)
		}
		if prev, dup := v.clientIDs[c.ID]; dup {
			return v.fail(path+".id", "client id %q is already used by %s", c.ID, prev)
		}
		v.clientIDs[c.ID] = path
	}
	if c.Secret != "" {
		if !directory.ValidClientSecret(c.Secret) {
			return v.fail(path+".secret", "must be 24 to 64 letters, digits, _ or + (Cognito's rule for a chosen secret)")
		}
		if c.GenerateSecret {
			return v.fail(path+".generate_secret", "cannot be used together with secret")
		}
	}
	for _, field := range []struct {
		name string
		urls []string
	}{{"callback_urls", c.CallbackURLs}, {"logout_urls", c.LogoutURLs}} {
		if len(field.urls) > 100 {
			return v.fail(path+"."+field.name, "at most 100 URLs")
		}
		if err := v.list(path+"."+field.name, field.urls); err != nil {
			return err
		}
		for i, u := range field.urls {
			if err := directory.ValidateRedirectURL(u); err != nil {
				return v.failDir(fmt.Sprintf("%s.%s[%d]", path, field.name, i), err)
			}
		}
	}
	if c.DefaultRedirectURI != "" && !slices.Contains(c.CallbackURLs, c.DefaultRedirectURI) {
		return v.fail(path+".default_redirect_uri", "%q must be one of the callback_urls", c.DefaultRedirectURI)
	}
	if err := v.list(path+".allowed_oauth_flows", c.AllowedOAuthFlows, "code", "implicit", "client_credentials"); err != nil {
		return err
	}
	if err := v.list(path+".allowed_oauth_scopes", c.AllowedOAuthScopes); err != nil {
		return err
	}
	if err := v.list(path+".supported_identity_providers", c.SupportedIdentityProviders); err != nil {
		return err
	}
	if err := v.list(path+".explicit_auth_flows", c.ExplicitAuthFlows); err != nil {
		return err
	}
	for i, f := range c.ExplicitAuthFlows {
		if !directory.IsExplicitAuthFlow(f) {
			return v.fail(fmt.Sprintf("%s.explicit_auth_flows[%d]", path, i),
				"%q is not one of Cognito's explicit auth flows (ALLOW_USER_SRP_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH)", f)
		}
	}
	if err := v.list(path+".read_attributes", c.ReadAttributes); err != nil {
		return err
	}
	if err := v.list(path+".write_attributes", c.WriteAttributes); err != nil {
		return err
	}
	validity := []struct {
		name   string
		d      *Duration
		lo, hi time.Duration
	}{
		{"access_token_validity", c.AccessTokenValidity, minTokenValidity, maxTokenValidity},
		{"id_token_validity", c.IDTokenValidity, minTokenValidity, maxTokenValidity},
		{"refresh_token_validity", c.RefreshTokenValidity, minRefreshValidity, maxRefreshValidity},
		{"auth_session_validity", c.AuthSessionValidity, 3 * time.Minute, 15 * time.Minute},
	}
	for _, t := range validity {
		if t.d == nil {
			continue
		}
		if d := time.Duration(*t.d); d < t.lo || d > t.hi {
			return v.fail(path+"."+t.name, "%s is out of range: %s to %s", *t.d, Duration(t.lo), Duration(t.hi))
		}
	}
	if d := c.AuthSessionValidity; d != nil && time.Duration(*d)%time.Minute != 0 {
		return v.fail(path+".auth_session_validity", "must be whole minutes")
	}
	if c.PreventUserExistenceErrors != "" {
		if err := v.oneOf(path+".prevent_user_existence_errors", c.PreventUserExistenceErrors, "ENABLED", "LEGACY"); err != nil {
			return err
		}
	}
	if r := c.RefreshTokenRotation; r != nil {
		if err := v.oneOf(path+".refresh_token_rotation.feature", r.Feature, "ENABLED", "DISABLED"); err != nil {
			return err
		}
		if err := v.rangeInt(path+".refresh_token_rotation.retry_grace_period_seconds", int64(r.RetryGracePeriodSeconds), 0, 60); err != nil {
			return err
		}
	}
	// The rest of the directory's rules (flows against scopes and secrets,
	// lifetimes against each other, attributes) on the client as stored.
	if err := v.branding(path+".branding", c.Branding); err != nil {
		return err
	}
	sc := c.storageClient("")
	if err := directory.NormalizeClient(sc, c.Secret != "" || c.GenerateSecret); err != nil {
		return v.failDir(path, err)
	}
	return nil
}

// identityProvider checks a provider's name, type and identifiers, and
// reads its details from the environment. Its details and mapping are
// checked when it is applied: they need the federation registry and the
// pool's schema.
func (v *validator) identityProvider(path string, p *IdentityProvider, names map[string]string) error {
	if p.Name == "" {
		return v.fail(path+".name", "required: every identity provider needs a name")
	}
	if err := v.oneOf(path+".type", p.Type, "OIDC", "SAML", "Google", "Facebook", "SignInWithApple", "LoginWithAmazon"); err != nil {
		return err
	}
	if err := directory.CheckProviderName(p.Name, p.Type); err != nil {
		return v.failDir(path+".name", err)
	}
	if prev, dup := names[p.Name]; dup {
		return v.fail(path+".name", "identity provider %q is already declared by %s", p.Name, prev)
	}
	names[p.Name] = path
	if err := directory.CheckIdpIdentifiers(p.IdpIdentifiers); err != nil {
		return v.failDir(path+".idp_identifiers", err)
	}
	for _, key := range slices.Sorted(maps.Keys(p.ProviderDetailsFromEnv)) {
		kp := path + ".provider_details_from_env." + key
		if _, both := p.ProviderDetails[key]; both {
			return v.fail(kp, "%s is also given in provider_details", key)
		}
		val, ok := os.LookupEnv(p.ProviderDetailsFromEnv[key])
		if !ok || val == "" {
			return v.fail(kp, "the environment variable %s is not set", p.ProviderDetailsFromEnv[key])
		}
		if p.ProviderDetails == nil {
			p.ProviderDetails = map[string]string{}
		}
		p.ProviderDetails[key] = val
	}
	if len(p.ProviderDetails) == 0 {
		return v.fail(path+".provider_details", "required: every identity provider needs its provider_details")
	}
	for _, key := range slices.Sorted(maps.Keys(p.ProviderDetails)) {
		if directory.IsDescribeOnlyDetail(key) {
			return v.fail(path+".provider_details."+key, "%s is shown by DescribeIdentityProvider, not a setting: leave it out", key)
		}
	}
	return nil
}

func (v *validator) group(path string, g *Group, names map[string]string) error {
	if err := v.length(path+".name", g.Name, "group", 1, 128); err != nil {
		return err
	}
	if strings.TrimSpace(g.Name) != g.Name || strings.ContainsAny(g.Name, " \t\r\n") {
		return v.fail(path+".name", "%q must not contain spaces", g.Name)
	}
	if prev, dup := names[g.Name]; dup {
		return v.fail(path+".name", "group %q is already declared by %s", g.Name, prev)
	}
	names[g.Name] = path
	if err := v.length(path+".description", g.Description, "group", 0, 2048); err != nil {
		return err
	}
	if g.Precedence != nil && *g.Precedence < 0 {
		return v.fail(path+".precedence", "must be 0 or more")
	}
	if g.RoleArn != "" && !arnPattern.MatchString(g.RoleArn) {
		return v.fail(path+".role_arn", "%q is not an ARN (arn:aws:iam::123456789012:role/name)", g.RoleArn)
	}
	return nil
}

func (v *validator) user(path string, u *User, pool *storage.Pool, names map[string]string) error {
	if err := v.length(path+".username", u.Username, "user", 1, 128); err != nil {
		return err
	}
	key := u.Username
	if !pool.CaseSensitive {
		key = strings.ToLower(key)
	}
	if prev, dup := names[key]; dup {
		return v.fail(path+".username", "user %q is already declared by %s", u.Username, prev)
	}
	names[key] = path
	if len(pool.UsernameAttributes) > 0 {
		email := slices.Contains(pool.UsernameAttributes, "email") && strings.Contains(u.Username, "@")
		phone := slices.Contains(pool.UsernameAttributes, "phone_number") && strings.HasPrefix(u.Username, "+")
		if !email && !phone {
			return v.fail(path+".username", "this pool signs users in by %s, so the username must be one",
				strings.ReplaceAll(strings.Join(pool.UsernameAttributes, " or "), "_", " "))
		}
	}
	if u.Password == "" {
		return v.fail(path+".password", "required: every user needs a password")
	}
	if err := directory.ValidatePassword(pool.PasswordPolicy, u.Password); err != nil {
		return v.failDir(path+".password", err)
	}
	for name := range u.Attributes {
		switch name {
		case "":
			return v.fail(path+".attributes", "attribute names must not be empty")
		case "sub":
			return v.fail(path+".attributes.sub", "sub is chosen by Gatehouse and cannot be set")
		}
	}
	if err := v.list(path+".groups", u.Groups); err != nil {
		return err
	}
	return nil
}

// storagePool is the pool as the file declares it, before the directory's
// defaults.
func (p *Pool) storagePool() *storage.Pool {
	sp := &storage.Pool{
		ID:                       p.ID,
		Name:                     p.Name,
		UsernameAttributes:       slices.Clone(p.UsernameAttributes),
		AliasAttributes:          slices.Clone(p.AliasAttributes),
		AutoVerifiedAttributes:   slices.Clone(p.AutoVerifiedAttributes),
		CaseSensitive:            p.CaseSensitive,
		AllowAdminCreateUserOnly: p.AllowAdminCreateUserOnly,
		MfaConfiguration:         p.MfaConfiguration,
		DeletionProtection:       p.DeletionProtection,
	}
	if ar := p.AccountRecoverySetting; ar != nil {
		sp.AccountRecovery = slices.Clone(ar.resolved)
	}
	if p.Branding != nil {
		sp.Branding = p.Branding.resolved
	}
	for _, m := range p.messageFields() {
		if m.value != "" {
			if sp.Messages == nil {
				sp.Messages = map[string]string{}
			}
			sp.Messages[m.key] = m.value
		}
	}
	if pp := p.PasswordPolicy; pp != nil {
		sp.PasswordPolicy = storage.PasswordPolicy{
			MinimumLength:                 pp.MinimumLength,
			RequireUppercase:              pp.RequireUppercase,
			RequireLowercase:              pp.RequireLowercase,
			RequireNumbers:                pp.RequireNumbers,
			RequireSymbols:                pp.RequireSymbols,
			PasswordHistorySize:           pp.PasswordHistorySize,
			TemporaryPasswordValidityDays: pp.TemporaryPasswordValidityDays,
		}
		if sp.PasswordPolicy.MinimumLength == 0 {
			// Keep a policy that relaxes every rule from reading as "no
			// policy given", which the directory turns into the default.
			sp.PasswordPolicy.MinimumLength = 8
		}
	}
	for _, a := range p.Schema {
		sa := storage.SchemaAttribute{
			Name:                   a.Name,
			AttributeDataType:      a.AttributeDataType,
			DeveloperOnlyAttribute: a.DeveloperOnlyAttribute,
			Mutable:                a.Mutable == nil || *a.Mutable,
			Required:               a.Required,
		}
		if sc := a.StringAttributeConstraints; sc != nil {
			sa.MinLength, sa.MaxLength = itoa(sc.MinLength), itoa(sc.MaxLength)
		}
		if nc := a.NumberAttributeConstraints; nc != nil {
			sa.MinValue, sa.MaxValue = i64toa(nc.MinValue), i64toa(nc.MaxValue)
		}
		sp.Schema = append(sp.Schema, sa)
	}
	return sp
}

func itoa(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func i64toa(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// storageClient is the client as the file declares it, before the
// directory's defaults.
func (c *Client) storageClient(poolID string) *storage.Client {
	sc := &storage.Client{
		PoolID:                          poolID,
		ID:                              c.ID,
		Name:                            c.Name,
		CallbackURLs:                    slices.Clone(c.CallbackURLs),
		LogoutURLs:                      slices.Clone(c.LogoutURLs),
		DefaultRedirectURI:              c.DefaultRedirectURI,
		AllowedOAuthFlows:               slices.Clone(c.AllowedOAuthFlows),
		AllowedOAuthScopes:              slices.Clone(c.AllowedOAuthScopes),
		AllowedOAuthFlowsUserPoolClient: c.AllowedOAuthFlowsUserPoolClient,
		SupportedIdentityProviders:      slices.Clone(c.SupportedIdentityProviders),
		ExplicitAuthFlows:               slices.Clone(c.ExplicitAuthFlows),
		ReadAttributes:                  slices.Clone(c.ReadAttributes),
		WriteAttributes:                 slices.Clone(c.WriteAttributes),
		PreventUserExistenceErrors:      c.PreventUserExistenceErrors,
		// Cognito turns token revocation on for new clients.
		EnableTokenRevocation: c.EnableTokenRevocation == nil || *c.EnableTokenRevocation,
	}
	if c.Branding != nil {
		sc.Branding = c.Branding.resolved
	}
	tv := &sc.TokenValidity
	if d := c.AccessTokenValidity; d != nil {
		tv.AccessToken, tv.AccessTokenUnit = validity(time.Duration(*d))
	}
	if d := c.IDTokenValidity; d != nil {
		tv.IDToken, tv.IDTokenUnit = validity(time.Duration(*d))
	}
	if d := c.RefreshTokenValidity; d != nil {
		tv.RefreshToken, tv.RefreshTokenUnit = validity(time.Duration(*d))
	}
	if d := c.AuthSessionValidity; d != nil {
		sc.AuthSessionValidity = int(time.Duration(*d) / time.Minute)
	}
	if r := c.RefreshTokenRotation; r != nil {
		sc.RefreshTokenRotation = r.Feature == "ENABLED"
		sc.RotationGracePeriodSeconds = r.RetryGracePeriodSeconds
	}
	return sc
}

// validity writes d in Cognito's form, in the largest unit that holds it
// exactly.
func validity(d time.Duration) (int64, string) {
	switch {
	case d%(24*time.Hour) == 0:
		return int64(d / (24 * time.Hour)), "days"
	case d%time.Hour == 0:
		return int64(d / time.Hour), "hours"
	case d%time.Minute == 0:
		return int64(d / time.Minute), "minutes"
	}
	return int64(d / time.Second), "seconds"
}

// branding reads a branding's files, relative to the config file, and
// checks it with the directory's rules (ValidateBranding), one field at a
// time so that an error names its field.
func (v *validator) branding(path string, b *Branding) error {
	if b == nil {
		return nil
	}
	for _, f := range []struct {
		field string
		probe storage.Branding
	}{
		{"primary_color", storage.Branding{PrimaryColor: b.PrimaryColor}},
		{"background_color", storage.Branding{BackgroundColor: b.BackgroundColor}},
		{"font_family", storage.Branding{FontFamily: b.FontFamily}},
		{"color_scheme", storage.Branding{ColorScheme: b.ColorScheme}},
	} {
		if err := directory.ValidateBranding(&f.probe); err != nil {
			return v.failDir(path+"."+f.field, err)
		}
	}
	r := &storage.Branding{PrimaryColor: b.PrimaryColor, BackgroundColor: b.BackgroundColor, FontFamily: b.FontFamily,
		ColorScheme: b.ColorScheme}
	if b.Logo != "" {
		data, err := v.brandingFile(path+".logo", b.Logo, directory.MaxLogoBytes)
		if err != nil {
			return err
		}
		r.Logo = &storage.Asset{Data: data}
		if err := directory.ValidateBranding(&storage.Branding{Logo: r.Logo}); err != nil {
			return v.failDir(path+".logo", err)
		}
	}
	if b.Favicon != "" {
		data, err := v.brandingFile(path+".favicon", b.Favicon, directory.MaxFaviconBytes)
		if err != nil {
			return err
		}
		r.Favicon = &storage.Asset{Data: data}
		if err := directory.ValidateBranding(&storage.Branding{Favicon: r.Favicon}); err != nil {
			return v.failDir(path+".favicon", err)
		}
	}
	if b.CustomCSS != "" {
		data, err := v.brandingFile(path+".custom_css", b.CustomCSS, directory.MaxCustomCSS)
		if err != nil {
			return err
		}
		r.CustomCSS = string(data)
	}
	if err := directory.ValidateBranding(r); err != nil {
		return v.failDir(path, err)
	}
	b.resolved = r
	return nil
}

// brandingFile reads a file named in the config file, relative to it (to
// the working directory for a file parsed from memory), up to limit bytes.
func (v *validator) brandingFile(path, name string, limit int) ([]byte, error) {
	if strings.TrimSpace(name) == "" {
		return nil, v.fail(path, "empty: name a file, relative to the config file")
	}
	p := name
	if !filepath.IsAbs(p) && v.f.name != "" {
		p = filepath.Join(filepath.Dir(v.f.name), p)
	}
	// Only regular files: a device or a pipe could block the start.
	if fi, err := os.Stat(p); err != nil {
		return nil, v.f.errAt(path, err, "cannot read %s: %v", name, errors.Unwrap(err))
	} else if !fi.Mode().IsRegular() {
		return nil, v.fail(path, "%s is not a regular file", name)
	}
	fh, err := os.Open(p)
	if err != nil {
		return nil, v.f.errAt(path, err, "cannot read %s: %v", name, errors.Unwrap(err))
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, int64(limit)+1))
	if err != nil {
		return nil, v.f.errAt(path, err, "cannot read %s: %v", name, err)
	}
	if len(data) > limit {
		return nil, v.fail(path, "%s is larger than %d KB", name, limit>>10)
	}
	return data, nil
}

// accountRecovery checks the recovery mechanisms as the API does: one or
// two, priorities 1 and 2 once each, and the directory's rules
// (ValidateAccountRecovery) checked as each mechanism is added, so that an
// error names the one at fault. It keeps them by priority in ar.resolved.
func (v *validator) accountRecovery(path string, ar *AccountRecoverySetting) error {
	if ar == nil {
		return nil
	}
	path += ".recovery_mechanisms"
	if len(ar.RecoveryMechanisms) == 0 {
		return v.fail(path, "required: one or two recovery mechanisms (verified_email, verified_phone_number or admin_only)")
	}
	byPriority := make([]string, 2)
	var names []string
	for i, m := range ar.RecoveryMechanisms {
		pm := fmt.Sprintf("%s[%d]", path, i)
		if m.Name == "" {
			return v.fail(pm+".name", "required: every recovery mechanism needs a name")
		}
		names = append(names, m.Name)
		if err := directory.ValidateAccountRecovery(names); err != nil {
			return v.failDir(pm+".name", err)
		}
		if err := v.rangeInt(pm+".priority", int64(m.Priority), 1, 2); err != nil {
			return err
		}
		if byPriority[m.Priority-1] != "" {
			return v.fail(pm+".priority", "priority %d is already given to %s", m.Priority, byPriority[m.Priority-1])
		}
		byPriority[m.Priority-1] = m.Name
	}
	ar.resolved = slices.DeleteFunc(byPriority, func(s string) bool { return s == "" })
	return nil
}
