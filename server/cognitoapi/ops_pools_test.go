package cognitoapi

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestCreateAndDescribeUserPool(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	before := st.clock.Now()
	created, err := st.admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName: aws.String("customers"),
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(10), RequireUppercase: true, RequireNumbers: true,
			TemporaryPasswordValidityDays: 3,
		}},
		AliasAttributes:        []types.AliasAttributeType{"email", "preferred_username"},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{"email"},
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("email"), Required: aws.Bool(true)},
			{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString,
				StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("1"), MaxLength: aws.String("64")}},
			{Name: aws.String("seats"), AttributeDataType: types.AttributeDataTypeNumber, Mutable: aws.Bool(false),
				NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("1"), MaxValue: aws.String("500")}},
		},
		MfaConfiguration:   types.UserPoolMfaTypeOff,
		DeletionProtection: types.DeletionProtectionTypeActive,
		UserPoolTags:       map[string]string{"team": "identity"},
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{
			AllowAdminCreateUserOnly: true,
			InviteMessageTemplate: &types.MessageTemplateType{
				EmailSubject: aws.String("Welcome"),
				EmailMessage: aws.String("Hello {username}, your code is {####}"),
			},
		},
		EmailVerificationMessage: aws.String("Your code is {####}"),
		EmailVerificationSubject: aws.String("Verify"),
	})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	id := aws.ToString(created.UserPool.Id)
	// The pool takes the region of the signed call.
	if !strings.HasPrefix(id, testRegion+"_") || len(id) != len(testRegion)+1+9 {
		t.Fatalf("pool id %q, want %s_ and 9 characters", id, testRegion)
	}

	st.newUser(t, id, "alice", "Correct-Horse-1", attr("email", "alice@example.com"))
	out, err := st.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &id})
	if err != nil {
		t.Fatalf("DescribeUserPool: %v", err)
	}
	p := out.UserPool
	checks := []struct {
		name      string
		got, want any
	}{
		{"Id", aws.ToString(p.Id), id},
		{"Name", aws.ToString(p.Name), "customers"},
		{"Arn", aws.ToString(p.Arn), "arn:aws:cognito-idp:" + testRegion + ":" + testAccount + ":userpool/" + id},
		{"MinimumLength", aws.ToInt32(p.Policies.PasswordPolicy.MinimumLength), int32(10)},
		{"RequireUppercase", p.Policies.PasswordPolicy.RequireUppercase, true},
		{"RequireLowercase", p.Policies.PasswordPolicy.RequireLowercase, false},
		{"RequireNumbers", p.Policies.PasswordPolicy.RequireNumbers, true},
		{"RequireSymbols", p.Policies.PasswordPolicy.RequireSymbols, false},
		{"TemporaryPasswordValidityDays", p.Policies.PasswordPolicy.TemporaryPasswordValidityDays, int32(3)},
		{"AliasAttributes", len(p.AliasAttributes), 2},
		{"UsernameAttributes", len(p.UsernameAttributes), 0},
		{"AutoVerifiedAttributes", p.AutoVerifiedAttributes, []types.VerifiedAttributeType{"email"}},
		{"CaseSensitive (Gatehouse default)", aws.ToBool(p.UsernameConfiguration.CaseSensitive), false},
		{"MfaConfiguration", p.MfaConfiguration, types.UserPoolMfaTypeOff},
		{"DeletionProtection", p.DeletionProtection, types.DeletionProtectionTypeActive},
		{"UserPoolTier", p.UserPoolTier, types.UserPoolTierTypeEssentials},
		{"EstimatedNumberOfUsers", p.EstimatedNumberOfUsers, int32(1)},
		{"UserPoolTags", p.UserPoolTags["team"], "identity"},
		{"AllowAdminCreateUserOnly", p.AdminCreateUserConfig.AllowAdminCreateUserOnly, true},
		{"InviteMessageTemplate.EmailSubject", aws.ToString(p.AdminCreateUserConfig.InviteMessageTemplate.EmailSubject), "Welcome"},
		{"EmailVerificationMessage", aws.ToString(p.EmailVerificationMessage), "Your code is {####}"},
		{"VerificationMessageTemplate.EmailMessage", aws.ToString(p.VerificationMessageTemplate.EmailMessage), "Your code is {####}"},
		{"VerificationMessageTemplate.EmailSubject", aws.ToString(p.VerificationMessageTemplate.EmailSubject), "Verify"},
		{"DefaultEmailOption", p.VerificationMessageTemplate.DefaultEmailOption, types.DefaultEmailOptionTypeConfirmWithCode},
		{"SignInPolicy", p.Policies.SignInPolicy.AllowedFirstAuthFactors, []types.AuthFactorType{"PASSWORD"}},
	}
	for _, c := range checks {
		if !equal(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if p.CreationDate == nil || p.CreationDate.Before(before.Add(-time.Second)) || p.LastModifiedDate == nil {
		t.Errorf("CreationDate %v, LastModifiedDate %v", p.CreationDate, p.LastModifiedDate)
	}
	if p.LambdaConfig == nil {
		t.Error("LambdaConfig missing; Cognito answers {}")
	}

	schema := map[string]types.SchemaAttributeType{}
	for _, a := range p.SchemaAttributes {
		schema[aws.ToString(a.Name)] = a
	}
	email, tenant, seats, sub := schema["email"], schema["custom:tenant"], schema["custom:seats"], schema["sub"]
	if !aws.ToBool(email.Required) || !aws.ToBool(email.Mutable) || email.StringAttributeConstraints == nil {
		t.Errorf("email = %+v, want required, mutable, with string constraints", email)
	}
	if tenant.Name == nil || !aws.ToBool(tenant.Mutable) || aws.ToBool(tenant.Required) ||
		aws.ToString(tenant.StringAttributeConstraints.MaxLength) != "64" {
		t.Errorf("custom:tenant = %+v, want mutable (Cognito's default), max length 64", tenant)
	}
	if seats.Name == nil || aws.ToBool(seats.Mutable) || seats.AttributeDataType != types.AttributeDataTypeNumber ||
		aws.ToString(seats.NumberAttributeConstraints.MaxValue) != "500" {
		t.Errorf("custom:seats = %+v", seats)
	}
	if aws.ToBool(sub.Mutable) || !aws.ToBool(sub.Required) {
		t.Errorf("sub = %+v, want immutable and required", sub)
	}
	if _, ok := schema["tenant"]; ok {
		t.Error("custom attribute listed without its custom: prefix")
	}

	// CreateUserPool answers the same pool.
	if aws.ToString(created.UserPool.Arn) != aws.ToString(p.Arn) || created.UserPool.EstimatedNumberOfUsers != 0 {
		t.Errorf("CreateUserPool's UserPool = %+v", created.UserPool)
	}
}

func TestCreateUserPoolOptions(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()

	id := st.newPool(t, &cip.CreateUserPoolInput{
		UsernameAttributes:    []types.UsernameAttributeType{"email"},
		UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(true)},
	})
	out, err := st.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &id})
	if err != nil {
		t.Fatalf("DescribeUserPool: %v", err)
	}
	p := out.UserPool
	if !aws.ToBool(p.UsernameConfiguration.CaseSensitive) || len(p.UsernameAttributes) != 1 || p.UsernameAttributes[0] != "email" {
		t.Errorf("UsernameConfiguration %+v, UsernameAttributes %v", p.UsernameConfiguration, p.UsernameAttributes)
	}
	// Cognito's defaults.
	pp := p.Policies.PasswordPolicy
	if aws.ToInt32(pp.MinimumLength) != 8 || !pp.RequireLowercase || !pp.RequireUppercase || !pp.RequireNumbers ||
		!pp.RequireSymbols || pp.TemporaryPasswordValidityDays != 7 {
		t.Errorf("default PasswordPolicy = %+v", pp)
	}
	if p.MfaConfiguration != types.UserPoolMfaTypeOff || p.DeletionProtection != types.DeletionProtectionTypeInactive {
		t.Errorf("MfaConfiguration %s, DeletionProtection %s", p.MfaConfiguration, p.DeletionProtection)
	}

	tests := []struct {
		name string
		in   *cip.CreateUserPoolInput
		code string
	}{
		{"MFA without SMS", &cip.CreateUserPoolInput{PoolName: aws.String("p"), MfaConfiguration: types.UserPoolMfaTypeOn}, "InvalidParameterException"},
		{"username and alias attributes", &cip.CreateUserPoolInput{PoolName: aws.String("p"),
			UsernameAttributes: []types.UsernameAttributeType{"email"}, AliasAttributes: []types.AliasAttributeType{"email"}}, "InvalidParameterException"},
		{"bad verification message", &cip.CreateUserPoolInput{PoolName: aws.String("p"),
			EmailVerificationMessage: aws.String("no placeholder here")}, "InvalidParameterException"},
		{"bad enum", &cip.CreateUserPoolInput{PoolName: aws.String("p"), DeletionProtection: "SOMETIMES"}, "InvalidParameterException"},
		{"short password policy", &cip.CreateUserPoolInput{PoolName: aws.String("p"),
			Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(4)}}}, "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.admin.CreateUserPool(ctx, tt.in)
			wantAPIError(t, err, tt.code, "")
		})
	}
}

func TestDescribeUserPoolErrors(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	_, err := st.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-west-2_NoSuchOne")})
	wantAPIError(t, err, "ResourceNotFoundException", "User pool us-west-2_NoSuchOne does not exist.")

	_, err = st.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("not a pool id")})
	wantAPIError(t, err, "InvalidParameterException", "")

	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	_, err = raw.CreateUserPool(ctx, &cip.CreateUserPoolInput{})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value null at 'poolName' failed to satisfy constraint: Member must not be null")
}

func TestListUserPools(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	want := map[string]bool{}
	for _, name := range []string{"a", "b", "c"} {
		want[st.newPool(t, &cip.CreateUserPoolInput{PoolName: aws.String(name)})] = true
	}
	page1, err := st.admin.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(2)})
	if err != nil {
		t.Fatalf("ListUserPools: %v", err)
	}
	if len(page1.UserPools) != 2 || page1.NextToken == nil {
		t.Fatalf("page 1: %d pools, NextToken %v", len(page1.UserPools), page1.NextToken)
	}
	page2, err := st.admin.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(2), NextToken: page1.NextToken})
	if err != nil {
		t.Fatalf("ListUserPools page 2: %v", err)
	}
	if len(page2.UserPools) != 1 || page2.NextToken != nil {
		t.Fatalf("page 2: %d pools, NextToken %v", len(page2.UserPools), page2.NextToken)
	}
	for _, p := range append(page1.UserPools, page2.UserPools...) {
		id := aws.ToString(p.Id)
		if !want[id] {
			t.Errorf("unexpected or repeated pool %s", id)
		}
		delete(want, id)
		if p.Name == nil || p.CreationDate == nil || p.LastModifiedDate == nil || p.LambdaConfig == nil {
			t.Errorf("UserPoolDescriptionType %+v", p)
		}
	}

	// The paginator the SDK ships follows NextToken to the end.
	n := 0
	for pages := cip.NewListUserPoolsPaginator(st.admin, &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)}); pages.HasMorePages(); {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("paginator: %v", err)
		}
		n += len(page.UserPools)
	}
	if n != 3 {
		t.Errorf("paginator saw %d pools, want 3", n)
	}

	_, err = st.admin.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(61)})
	wantAPIError(t, err, "InvalidParameterException", "")
	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	_, err = raw.ListUserPools(ctx, &cip.ListUserPoolsInput{})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null")
	_, err = st.admin.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(5), NextToken: aws.String("!!")})
	wantAPIError(t, err, "InvalidParameterException", "")
}

// TestAdminOperationsNeedSignature checks that the real operations sit
// behind SigV4 like the framework's test operations.
func TestAdminOperationsNeedSignature(t *testing.T) {
	st := newStack(t)
	tests := []struct {
		name  string
		creds aws.CredentialsProvider
		code  string
	}{
		{"unsigned", aws.AnonymousCredentials{}, "MissingAuthenticationTokenException"},
		{"wrong secret", adminCreds("not-the-secret"), "InvalidSignatureException"},
		{"unknown key", credentials.NewStaticCredentialsProvider("AKIDSTRANGER", testCreds.SecretAccessKey, ""), "UnrecognizedClientException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := st.client(tt.creds)
			_, err := c.CreateUserPool(t.Context(), &cip.CreateUserPoolInput{PoolName: aws.String("nope")})
			wantAPIError(t, err, tt.code, "")
			_, err = c.AdminCreateUser(t.Context(), &cip.AdminCreateUserInput{UserPoolId: aws.String("us-west-2_AbC123xyZ"), Username: aws.String("x")})
			wantAPIError(t, err, tt.code, "")
		})
	}
	out, err := st.admin.ListUserPools(t.Context(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	if err != nil || len(out.UserPools) != 0 {
		t.Errorf("a refused call made a pool: %v, %v", out, err)
	}
}

func TestUpdateUserPoolReplaces(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	id := st.newPool(t, &cip.CreateUserPoolInput{
		PoolName:               aws.String("before"),
		AliasAttributes:        []types.AliasAttributeType{"email"},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{"email"},
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(12), RequireNumbers: true}},
		DeletionProtection:       types.DeletionProtectionTypeActive,
		EmailVerificationSubject: aws.String("Verify"),
		UserPoolTags:             map[string]string{"team": "identity"},
		AdminCreateUserConfig:    &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true},
		Schema:                   []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}},
	})
	before, err := st.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &id})
	if err != nil {
		t.Fatal(err)
	}
	st.clock.Advance(3600e9)

	// Only the new policy and subject: everything else returns to its
	// default, the fixed settings stay.
	if _, err := st.admin.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
		UserPoolId: &id,
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(20), RequireSymbols: true, TemporaryPasswordValidityDays: 2}},
		EmailVerificationSubject: aws.String("New subject"),
	}); err != nil {
		t.Fatalf("UpdateUserPool: %v", err)
	}
	out, err := st.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &id})
	if err != nil {
		t.Fatal(err)
	}
	p, b := out.UserPool, before.UserPool
	pp := p.Policies.PasswordPolicy
	checks := []struct {
		name      string
		got, want any
	}{
		{"Name kept", aws.ToString(p.Name), "before"},
		{"MinimumLength", aws.ToInt32(pp.MinimumLength), int32(20)},
		{"RequireSymbols", pp.RequireSymbols, true},
		{"RequireNumbers reset", pp.RequireNumbers, false},
		{"TemporaryPasswordValidityDays", pp.TemporaryPasswordValidityDays, int32(2)},
		{"EmailVerificationSubject", aws.ToString(p.EmailVerificationSubject), "New subject"},
		{"AutoVerifiedAttributes reset", len(p.AutoVerifiedAttributes), 0},
		{"DeletionProtection reset", p.DeletionProtection, types.DeletionProtectionTypeInactive},
		{"UserPoolTags reset", len(p.UserPoolTags), 0},
		{"AllowAdminCreateUserOnly reset", p.AdminCreateUserConfig.AllowAdminCreateUserOnly, false},
		{"MfaConfiguration", p.MfaConfiguration, types.UserPoolMfaTypeOff},
		{"AliasAttributes kept", p.AliasAttributes, []types.AliasAttributeType{"email"}},
		{"CaseSensitive kept", aws.ToBool(p.UsernameConfiguration.CaseSensitive), aws.ToBool(b.UsernameConfiguration.CaseSensitive)},
		{"SchemaAttributes kept", len(p.SchemaAttributes), len(b.SchemaAttributes)},
		{"CreationDate kept", p.CreationDate.Equal(*b.CreationDate), true},
		{"LastModifiedDate moved", p.LastModifiedDate.After(*b.LastModifiedDate), true},
	}
	for _, c := range checks {
		if !equal(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	// An update with nothing in it resets the policy to Cognito's default.
	if _, err := st.admin.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &id, PoolName: aws.String("after")}); err != nil {
		t.Fatalf("UpdateUserPool: %v", err)
	}
	out, _ = st.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &id})
	if pp := out.UserPool.Policies.PasswordPolicy; aws.ToInt32(pp.MinimumLength) != 8 || !pp.RequireLowercase ||
		aws.ToString(out.UserPool.Name) != "after" || out.UserPool.EmailVerificationSubject != nil {
		t.Errorf("after an empty update: name %q, policy %+v, subject %v", aws.ToString(out.UserPool.Name), pp, out.UserPool.EmailVerificationSubject)
	}
}

func TestUpdateUserPoolErrors(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	id := st.newPool(t, nil)
	tests := []struct {
		name string
		in   cip.UpdateUserPoolInput
		code string
	}{
		{"unknown pool", cip.UpdateUserPoolInput{UserPoolId: aws.String("us-west-2_NoSuchOne")}, "ResourceNotFoundException"},
		{"bad pool id", cip.UpdateUserPoolInput{UserPoolId: aws.String("not a pool")}, "InvalidParameterException"},
		{"bad enum", cip.UpdateUserPoolInput{DeletionProtection: "SOMETIMES"}, "InvalidParameterException"},
		{"MFA on", cip.UpdateUserPoolInput{MfaConfiguration: types.UserPoolMfaTypeOptional}, "InvalidParameterException"},
		{"short policy", cip.UpdateUserPoolInput{Policies: &types.UserPoolPolicyType{
			PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(5)}}}, "InvalidParameterException"},
		{"bad message", cip.UpdateUserPoolInput{SmsVerificationMessage: aws.String("no code")}, "InvalidParameterException"},
		{"long name", cip.UpdateUserPoolInput{PoolName: aws.String(strings.Repeat("n", 129))}, "InvalidParameterException"},
		{"auto-verified name", cip.UpdateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{"name"}}, "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.UserPoolId == nil {
				in.UserPoolId = &id
			}
			_, err := st.admin.UpdateUserPool(ctx, &in)
			wantAPIError(t, err, tt.code, "")
		})
	}

	// The settings Cognito fixes at creation are not UpdateUserPool's
	// members; a hand-written call that sends one is refused.
	for _, member := range []string{`"UsernameAttributes":["email"]`, `"AliasAttributes":["email"]`,
		`"UsernameConfiguration":{"CaseSensitive":true}`, `"Schema":[{"Name":"x"}]`} {
		ans := st.signedCall(t, "UpdateUserPool", fmt.Sprintf(`{"UserPoolId":%q,%s}`, id, member))
		wantError(t, ans, http.StatusBadRequest, "InvalidParameterException")
	}
	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	_, err := raw.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null")
}

func TestDeleteUserPool(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	protected := st.newPool(t, &cip.CreateUserPoolInput{DeletionProtection: types.DeletionProtectionTypeActive})
	_, err := st.admin.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &protected})
	wantAPIError(t, err, "InvalidParameterException", "The user pool "+protected+" has deletion protection activated.")

	// Lifting the protection (UpdateUserPool without it) allows the delete.
	if _, err := st.admin.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &protected}); err != nil {
		t.Fatal(err)
	}
	st.newUser(t, protected, "alice", "Correct-Horse-1")
	if _, err := st.admin.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &protected}); err != nil {
		t.Fatalf("DeleteUserPool: %v", err)
	}
	_, err = st.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &protected})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = st.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &protected, Username: aws.String("alice")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = st.admin.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &protected})
	wantAPIError(t, err, "ResourceNotFoundException", "User pool "+protected+" does not exist.")
	_, err = st.admin.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String("bad id")})
	wantAPIError(t, err, "InvalidParameterException", "")
}

func TestAddCustomAttributes(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	id := st.newPool(t, nil)
	_, err := st.admin.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: &id, CustomAttributes: []types.SchemaAttributeType{
		{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString,
			StringAttributeConstraints: &types.StringAttributeConstraintsType{MaxLength: aws.String("32")}},
		{Name: aws.String("level"), AttributeDataType: types.AttributeDataTypeNumber, Mutable: aws.Bool(false)},
	}})
	if err != nil {
		t.Fatalf("AddCustomAttributes: %v", err)
	}
	out, err := st.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &id})
	if err != nil {
		t.Fatal(err)
	}
	schema := map[string]types.SchemaAttributeType{}
	for _, a := range out.UserPool.SchemaAttributes {
		schema[aws.ToString(a.Name)] = a
	}
	tenant, level := schema["custom:tenant"], schema["custom:level"]
	if tenant.Name == nil || !aws.ToBool(tenant.Mutable) || aws.ToString(tenant.StringAttributeConstraints.MaxLength) != "32" {
		t.Errorf("custom:tenant = %+v", tenant)
	}
	if level.Name == nil || aws.ToBool(level.Mutable) || level.AttributeDataType != types.AttributeDataTypeNumber {
		t.Errorf("custom:level = %+v", level)
	}
	// The new attribute is usable at once.
	st.newUser(t, id, "alice", "Correct-Horse-1", attr("custom:tenant", "acme"))

	tests := []struct {
		name  string
		pool  string
		attrs []types.SchemaAttributeType
		code  string
	}{
		{"unknown pool", "us-west-2_NoSuchOne", []types.SchemaAttributeType{{Name: aws.String("x")}}, "ResourceNotFoundException"},
		{"existing name", id, []types.SchemaAttributeType{{Name: aws.String("tenant")}}, "InvalidParameterException"},
		{"required", id, []types.SchemaAttributeType{{Name: aws.String("x"), Required: aws.Bool(true)}}, "InvalidParameterException"},
		{"name too long", id, []types.SchemaAttributeType{{Name: aws.String(strings.Repeat("a", 21))}}, "InvalidParameterException"},
		{"bad type", id, []types.SchemaAttributeType{{Name: aws.String("x"), AttributeDataType: "Blob"}}, "InvalidParameterException"},
		{"developer only", id, []types.SchemaAttributeType{{Name: aws.String("x"), DeveloperOnlyAttribute: aws.Bool(true)}}, "InvalidParameterException"},
		{"none", id, []types.SchemaAttributeType{}, "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.admin.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: &tt.pool, CustomAttributes: tt.attrs})
			wantAPIError(t, err, tt.code, "")
		})
	}
	// At most 50 custom attributes in a pool.
	for batch := range 2 {
		var many []types.SchemaAttributeType
		for i := range 24 {
			many = append(many, types.SchemaAttributeType{Name: aws.String(fmt.Sprintf("a%d_%d", batch, i))})
		}
		if _, err := st.admin.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: &id, CustomAttributes: many}); err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
	}
	_, err = st.admin.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: &id,
		CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("one_too_many")}}})
	wantAPIError(t, err, "InvalidParameterException", "")
}

func TestGetUserPoolMfaConfig(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	id := st.newPool(t, nil)
	out, err := st.admin.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: &id})
	if err != nil {
		t.Fatalf("GetUserPoolMfaConfig: %v", err)
	}
	if out.MfaConfiguration != types.UserPoolMfaTypeOff || out.SmsMfaConfiguration != nil || out.SoftwareTokenMfaConfiguration != nil ||
		out.EmailMfaConfiguration != nil || out.WebAuthnConfiguration != nil {
		t.Errorf("GetUserPoolMfaConfig = %+v", out)
	}
	_, err = st.admin.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String("us-west-2_NoSuchOne")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = st.admin.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String("bad")})
	wantAPIError(t, err, "InvalidParameterException", "")
}

// TestLambdaConfigRefused: a trigger is refused rather than stored and
// never run; an empty LambdaConfig is what every pool has. So is threat
// protection other than OFF.
func TestLambdaConfigRefused(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	id := st.newPool(t, &cip.CreateUserPoolInput{LambdaConfig: &types.LambdaConfigType{}})
	arn := aws.String("arn:aws:lambda:us-west-2:123456789012:function:pre")
	_, err := st.admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"),
		LambdaConfig: &types.LambdaConfigType{PreSignUp: arn}})
	wantAPIError(t, err, "InvalidParameterException", "Lambda triggers are not supported by this server yet; LambdaConfig.PreSignUp cannot be set.")
	_, err = st.admin.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &id,
		LambdaConfig: &types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaArn: arn, LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20}}})
	wantAPIError(t, err, "InvalidParameterException", "")
	// Threat protection likewise: OFF is accepted, AUDIT and ENFORCED refused.
	if _, err := st.admin.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &id,
		UserPoolAddOns: &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeOff}}); err != nil {
		t.Errorf("AdvancedSecurityMode OFF: %v", err)
	}
	for _, mode := range []types.AdvancedSecurityModeType{types.AdvancedSecurityModeTypeAudit, types.AdvancedSecurityModeTypeEnforced} {
		_, err = st.admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"),
			UserPoolAddOns: &types.UserPoolAddOnsType{AdvancedSecurityMode: mode}})
		wantAPIError(t, err, "InvalidParameterException", "Threat protection (AdvancedSecurityMode "+string(mode)+") is not supported by this server; use OFF.")
	}
	out, err := st.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &id})
	if err != nil || out.UserPool.LambdaConfig == nil || out.UserPool.LambdaConfig.PreTokenGenerationConfig != nil {
		t.Errorf("DescribeUserPool LambdaConfig %+v, %v", out.UserPool.LambdaConfig, err)
	}
}

// TestSetUserPoolMfaConfig: what keeps MFA off is accepted and answered
// as Cognito answers it; turning any factor on is refused, not stored.
func TestSetUserPoolMfaConfig(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	id := st.newPool(t, nil)
	for _, in := range []*cip.SetUserPoolMfaConfigInput{
		{UserPoolId: &id, MfaConfiguration: types.UserPoolMfaTypeOff},
		{UserPoolId: &id},
		{UserPoolId: &id, MfaConfiguration: types.UserPoolMfaTypeOff,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: false}},
	} {
		out, err := st.admin.SetUserPoolMfaConfig(ctx, in)
		if err != nil {
			t.Fatalf("SetUserPoolMfaConfig %+v: %v", in, err)
		}
		if out.MfaConfiguration != types.UserPoolMfaTypeOff || out.SoftwareTokenMfaConfiguration != nil || out.SmsMfaConfiguration != nil {
			t.Errorf("SetUserPoolMfaConfig = %+v", out)
		}
	}
	const unsupported = "Multi-factor authentication is not supported by this server yet; MfaConfiguration can only be OFF."
	for _, tt := range []struct {
		name string
		in   cip.SetUserPoolMfaConfigInput
	}{
		{"ON", cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOn}},
		{"OPTIONAL with TOTP", cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOptional,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}},
		{"TOTP enabled", cip.SetUserPoolMfaConfigInput{SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}},
		{"SMS configured", cip.SetUserPoolMfaConfigInput{SmsMfaConfiguration: &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("code {####}")}}},
		{"email configured", cip.SetUserPoolMfaConfigInput{EmailMfaConfiguration: &types.EmailMfaConfigType{Message: aws.String("code {####}")}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.UserPoolId = &id
			_, err := st.admin.SetUserPoolMfaConfig(ctx, &in)
			wantAPIError(t, err, "InvalidParameterException", unsupported)
		})
	}
	if out, err := st.admin.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: &id}); err != nil ||
		out.MfaConfiguration != types.UserPoolMfaTypeOff {
		t.Errorf("after refusals: %+v, %v", out, err)
	}
	_, err := st.admin.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String("us-west-2_NoSuchOne")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = st.public.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &id})
	wantAPIError(t, err, "MissingAuthenticationTokenException", "")
}

func TestGetSigningCertificate(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	id := st.newPool(t, nil)
	out, err := st.admin.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: &id})
	if err != nil {
		t.Fatalf("GetSigningCertificate: %v", err)
	}
	der, err := base64.StdEncoding.DecodeString(aws.ToString(out.Certificate))
	if err != nil {
		t.Fatalf("Certificate is not base64: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("Certificate is not X.509: %v", err)
	}
	if cert.Subject.CommonName != id {
		t.Errorf("subject %v", cert.Subject)
	}
	// Its key is the pool's signing key, the one JWKS publishes.
	jwks, _, err := st.minter.JWKS(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !strings.Contains(string(jwks), base64.RawURLEncoding.EncodeToString(pub.N.Bytes())) {
		t.Error("the certificate's key is not in the pool's JWKS")
	}
	again, _ := st.admin.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: &id})
	if aws.ToString(again.Certificate) != aws.ToString(out.Certificate) {
		t.Error("a second call gave another certificate")
	}
	_, err = st.admin.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: aws.String("us-west-2_NoSuchOne")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = st.admin.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: aws.String("bad")})
	wantAPIError(t, err, "InvalidParameterException", "")
}

// TestEveryAdminOperationNeedsSignature sends each signed operation New
// registers without a signature: all must refuse before they run.
func TestEveryAdminOperationNeedsSignature(t *testing.T) {
	st := newStack(t)
	api := New(Config{Credentials: testCreds})
	var signed []string
	for _, op := range api.ops {
		if op.auth == AuthSigV4 {
			signed = append(signed, op.name)
		}
	}
	slices.Sort(signed)
	for _, name := range signed {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, st.srv.URL, strings.NewReader("{}"))
		req.Header.Set("Content-Type", contentTypeJSON11)
		req.Header.Set("X-Amz-Target", userPoolTargetPrefix+name)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		ans := readAnswer(t, resp)
		if ans.errType() != "MissingAuthenticationTokenException" {
			t.Errorf("%s unsigned: %d %s", name, ans.status, ans.errType())
		}
	}
	for _, want := range []string{"UpdateUserPool", "DeleteUserPool", "AddCustomAttributes", "GetUserPoolMfaConfig", "GetSigningCertificate"} {
		if !slices.Contains(signed, want) {
			t.Errorf("%s is not a signed operation", want)
		}
	}
}

// TestCreateUserPoolMessageErrors: message templates are held to
// directory's rules and refused in Cognito's words.
func TestCreateUserPoolMessageErrors(t *testing.T) {
	st := newStack(t)
	const invite = "The invitation message template must contain the {username} and {####} placeholders."
	tests := []struct {
		name string
		in   *cip.CreateUserPoolInput
		msg  string
	}{
		{"no code", &cip.CreateUserPoolInput{EmailVerificationMessage: aws.String("no placeholder here")},
			"1 validation error detected: Value 'no placeholder here' at 'emailVerificationMessage' failed to satisfy constraint: Member must contain {####}"},
		{"SMS too short", &cip.CreateUserPoolInput{SmsAuthenticationMessage: aws.String("{####}"[:5])},
			"2 validation errors detected: Value '{####' at 'smsAuthenticationMessage' failed to satisfy constraint: Member must have length between 6 and 140; " +
				"Value '{####' at 'smsAuthenticationMessage' failed to satisfy constraint: Member must contain {####}"},
		{"no link", &cip.CreateUserPoolInput{VerificationMessageTemplate: &types.VerificationMessageTemplateType{EmailMessageByLink: aws.String("Click here")}},
			"1 validation error detected: Value 'Click here' at 'verificationMessageTemplate.emailMessageByLink' failed to satisfy constraint: Member must contain {##"},
		{"invitation without the user name", &cip.CreateUserPoolInput{AdminCreateUserConfig: &types.AdminCreateUserConfigType{
			InviteMessageTemplate: &types.MessageTemplateType{SMSMessage: aws.String("Password {####}")}}}, invite},
		{"subject of two lines", &cip.CreateUserPoolInput{EmailVerificationSubject: aws.String("Your code\nBcc: x@example.com")},
			"emailVerificationSubject: must be one line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.PoolName = aws.String("p")
			_, err := st.admin.CreateUserPool(t.Context(), tt.in)
			wantAPIError(t, err, "InvalidParameterException", tt.msg)
		})
	}
}
