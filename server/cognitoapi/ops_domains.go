package cognitoapi

import (
	"context"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// User pool domain operations: CreateUserPoolDomain,
// DescribeUserPoolDomain, DeleteUserPoolDomain. A domain registered here
// routes by Host to its pool (server/domains.go): a prefix at
// {prefix}.{public host}, a custom domain as itself.

func registerDomainOps(a *API, svc *service) {
	register(a, "CreateUserPoolDomain", AuthSigV4, svc.createUserPoolDomain)
	register(a, "DescribeUserPoolDomain", AuthSigV4, svc.describeUserPoolDomain)
	register(a, "DeleteUserPoolDomain", AuthSigV4, svc.deleteUserPoolDomain)
}

type customDomainConfigType struct {
	CertificateArn string
}

// ---- CreateUserPoolDomain ----

type createUserPoolDomainInput struct {
	UserPoolId          string
	Domain              string
	CustomDomainConfig  *customDomainConfigType
	ManagedLoginVersion *int
	Routing             *struct{} // replica routing: multi-region, which this server has not
}

type createUserPoolDomainOutput struct {
	// CloudFrontDomain is where a custom domain's DNS must point: in
	// Cognito a CloudFront distribution, here this server's public host.
	CloudFrontDomain    *string `json:",omitempty"`
	ManagedLoginVersion int
}

func (s *service) createUserPoolDomain(ctx context.Context, in *createUserPoolDomainInput) (*createUserPoolDomainOutput, error) {
	var v validation
	v.required("domain", in.Domain)
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	if c := in.CustomDomainConfig; c != nil {
		v.required("customDomainConfig.certificateArn", c.CertificateArn)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.Routing != nil {
		return nil, InvalidParameter("Routing applies to replicated user pools, which this server does not have.")
	}
	d := &storage.Domain{PoolID: in.UserPoolId, Name: in.Domain, ManagedLoginVersion: deref(in.ManagedLoginVersion)}
	if c := in.CustomDomainConfig; c != nil {
		d.Custom, d.CertificateArn = true, c.CertificateArn
	}
	if err := s.dir.CreateDomain(ctx, d); err != nil {
		return nil, err
	}
	out := &createUserPoolDomainOutput{ManagedLoginVersion: d.ManagedLoginVersion}
	if d.Custom && s.publicHost != "" {
		out.CloudFrontDomain = &s.publicHost
	}
	return out, nil
}

// ---- DescribeUserPoolDomain ----

type describeUserPoolDomainInput struct {
	Domain string
}

type domainDescriptionType struct {
	UserPoolId             string                  `json:",omitempty"`
	AWSAccountId           string                  `json:",omitempty"`
	Domain                 string                  `json:",omitempty"`
	CloudFrontDistribution string                  `json:",omitempty"`
	Version                string                  `json:",omitempty"`
	Status                 string                  `json:",omitempty"`
	CustomDomainConfig     *customDomainConfigType `json:",omitempty"`
	ManagedLoginVersion    *int                    `json:",omitempty"`
}

type describeUserPoolDomainOutput struct {
	DomainDescription *domainDescriptionType
}

// describeUserPoolDomain answers an unknown domain with an empty
// DomainDescription, not an error: Cognito does, and scripts test for a
// free prefix that way.
func (s *service) describeUserPoolDomain(ctx context.Context, in *describeUserPoolDomainInput) (*describeUserPoolDomainOutput, error) {
	var v validation
	v.required("domain", in.Domain)
	if err := v.err(); err != nil {
		return nil, err
	}
	out := &describeUserPoolDomainOutput{DomainDescription: &domainDescriptionType{}}
	d, err := s.dir.GetDomain(ctx, in.Domain)
	if err != nil {
		if _, ok := domainError(err); ok {
			return out, nil
		}
		return nil, err
	}
	out.DomainDescription = &domainDescriptionType{
		UserPoolId:             d.PoolID,
		AWSAccountId:           s.account,
		Domain:                 d.Name,
		CloudFrontDistribution: s.publicHost,
		Version:                d.CreatedAt.UTC().Format("20060102150405"),
		Status:                 "ACTIVE", // served from the moment it is stored
		ManagedLoginVersion:    &d.ManagedLoginVersion,
	}
	if d.Custom {
		out.DomainDescription.CustomDomainConfig = &customDomainConfigType{CertificateArn: d.CertificateArn}
	}
	return out, nil
}

// ---- DeleteUserPoolDomain ----

type deleteUserPoolDomainInput struct {
	UserPoolId string
	Domain     string
}

func (s *service) deleteUserPoolDomain(ctx context.Context, in *deleteUserPoolDomainInput) (*struct{}, error) {
	var v validation
	v.required("domain", in.Domain)
	v.required("userPoolId", in.UserPoolId)
	v.poolID("userPoolId", in.UserPoolId)
	if err := v.err(); err != nil {
		return nil, err
	}
	return nil, s.dir.DeleteDomain(ctx, in.UserPoolId, in.Domain)
}
