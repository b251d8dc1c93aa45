package cognitoapi

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestUserPoolDomains(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	const arn = "arn:aws:acm:us-east-1:123456789012:certificate/0123"

	prefix, err := st.admin.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("my-app")})
	if err != nil {
		t.Fatalf("CreateUserPoolDomain (prefix): %v", err)
	}
	if prefix.CloudFrontDomain != nil || aws.ToInt32(prefix.ManagedLoginVersion) != 1 {
		t.Errorf("prefix domain: CloudFrontDomain %v (want none), ManagedLoginVersion %d (want 1)",
			aws.ToString(prefix.CloudFrontDomain), aws.ToInt32(prefix.ManagedLoginVersion))
	}
	custom, err := st.admin.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("auth.example.com"),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(arn)}, ManagedLoginVersion: aws.Int32(2)})
	if err != nil {
		t.Fatalf("CreateUserPoolDomain (custom): %v", err)
	}
	if aws.ToString(custom.CloudFrontDomain) != testPublicHost || aws.ToInt32(custom.ManagedLoginVersion) != 2 {
		t.Errorf("custom domain: CloudFrontDomain %q, ManagedLoginVersion %d", aws.ToString(custom.CloudFrontDomain), aws.ToInt32(custom.ManagedLoginVersion))
	}

	d, err := st.admin.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("my-app")})
	if err != nil {
		t.Fatalf("DescribeUserPoolDomain: %v", err)
	}
	dd := d.DomainDescription
	if aws.ToString(dd.UserPoolId) != poolID || aws.ToString(dd.AWSAccountId) != testAccount || aws.ToString(dd.Domain) != "my-app" ||
		dd.Status != types.DomainStatusTypeActive || dd.CustomDomainConfig != nil || aws.ToInt32(dd.ManagedLoginVersion) != 1 ||
		aws.ToString(dd.CloudFrontDistribution) != testPublicHost || dd.Version == nil {
		t.Errorf("DomainDescription = %+v", dd)
	}
	d, err = st.admin.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("auth.example.com")})
	if err != nil {
		t.Fatalf("DescribeUserPoolDomain: %v", err)
	}
	if dd := d.DomainDescription; dd.CustomDomainConfig == nil || aws.ToString(dd.CustomDomainConfig.CertificateArn) != arn ||
		aws.ToInt32(dd.ManagedLoginVersion) != 2 || aws.ToString(dd.UserPoolId) != poolID {
		t.Errorf("custom DomainDescription = %+v", dd)
	}
	// An unknown domain is described as nothing, as in Cognito.
	d, err = st.admin.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("free-prefix")})
	if err != nil || d.DomainDescription == nil || d.DomainDescription.UserPoolId != nil || d.DomainDescription.Status != "" {
		t.Errorf("unknown domain: %+v, %v", d, err)
	}

	// DescribeUserPool names both.
	p, err := st.admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(p.UserPool.Domain) != "my-app" || aws.ToString(p.UserPool.CustomDomain) != "auth.example.com" {
		t.Errorf("DescribeUserPool Domain %v, CustomDomain %v", p.UserPool.Domain, p.UserPool.CustomDomain)
	}

	other := st.newPool(t, nil)
	tests := []struct {
		name string
		in   cip.CreateUserPoolDomainInput
		code string
	}{
		{"name taken", cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("my-app")}, "InvalidParameterException"},
		{"second prefix", cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("my-app-2")}, "InvalidParameterException"},
		{"second custom", cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("login.example.com"),
			CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(arn)}}, "InvalidParameterException"},
		{"bad prefix", cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("My_App")}, "InvalidParameterException"},
		{"prefix with a dot", cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("my.app")}, "InvalidParameterException"},
		{"reserved word", cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("amazon-login")}, "InvalidParameterException"},
		{"custom not a domain name", cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("auth"),
			CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(arn)}}, "InvalidParameterException"},
		{"bad version", cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("v3-app"), ManagedLoginVersion: aws.Int32(3)}, "InvalidParameterException"},
		{"unknown pool", cip.CreateUserPoolDomainInput{UserPoolId: aws.String("us-west-2_NoSuchOne"), Domain: aws.String("x-app")}, "ResourceNotFoundException"},
		{"bad pool id", cip.CreateUserPoolDomainInput{UserPoolId: aws.String("bad"), Domain: aws.String("x-app")}, "InvalidParameterException"},
		{"routing", cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("auth.other.com"),
			CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(arn)}, Routing: &types.RoutingType{}}, "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.admin.CreateUserPoolDomain(ctx, &tt.in)
			wantAPIError(t, err, tt.code, "")
		})
	}
	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	_, err = raw.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &other,
		CustomDomainConfig: &types.CustomDomainConfigType{}})
	wantAPIError(t, err, "InvalidParameterException",
		"2 validation errors detected: Value null at 'domain' failed to satisfy constraint: Member must not be null; "+
			"Value null at 'customDomainConfig.certificateArn' failed to satisfy constraint: Member must not be null")
	_, err = raw.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{})
	wantAPIError(t, err, "InvalidParameterException", "")

	// Delete: only the pool's own domain.
	_, err = st.admin.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("my-app")})
	wantAPIError(t, err, "InvalidParameterException", "No such domain or user pool exists.")
	_, err = st.admin.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: aws.String("us-west-2_NoSuchOne"), Domain: aws.String("my-app")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	if _, err := st.admin.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("my-app")}); err != nil {
		t.Fatalf("DeleteUserPoolDomain: %v", err)
	}
	d, _ = st.admin.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("my-app")})
	if d.DomainDescription.UserPoolId != nil {
		t.Errorf("deleted domain described: %+v", d.DomainDescription)
	}
	_, err = st.admin.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("my-app")})
	wantAPIError(t, err, "InvalidParameterException", "")
	// The name is free for another pool.
	if _, err := st.admin.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("my-app")}); err != nil {
		t.Errorf("reuse a deleted prefix: %v", err)
	}
}
