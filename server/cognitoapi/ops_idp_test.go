package cognitoapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

func oidcDetails() map[string]string {
	return map[string]string{"client_id": "corp-client", "client_secret": "corp-secret", "oidc_issuer": "https://corp.example",
		"authorize_scopes": "openid email profile"}
}

func TestIdentityProviders(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)

	created, err := st.admin.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: &poolID,
		ProviderName: aws.String("Corp"), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails(),
		AttributeMapping: map[string]string{"email": "email"}, IdpIdentifiers: []string{"corp.example"}})
	if err != nil {
		t.Fatalf("CreateIdentityProvider: %v", err)
	}
	p := created.IdentityProvider
	if aws.ToString(p.ProviderName) != "Corp" || p.ProviderType != types.IdentityProviderTypeTypeOidc || aws.ToString(p.UserPoolId) != poolID ||
		p.ProviderDetails["client_secret"] != "corp-secret" || p.ProviderDetails["attributes_url_add_attributes"] != "false" ||
		p.AttributeMapping["email"] != "email" || p.AttributeMapping["username"] != "sub" ||
		strings.Join(p.IdpIdentifiers, ",") != "corp.example" || p.CreationDate == nil || p.LastModifiedDate == nil {
		t.Errorf("CreateIdentityProvider = %+v", p)
	}
	got, err := st.admin.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("Corp")})
	if err != nil || !equal(*got.IdentityProvider, *p) {
		t.Errorf("DescribeIdentityProvider = %+v, %v", got, err)
	}
	byID, err := st.admin.GetIdentityProviderByIdentifier(ctx, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: &poolID,
		IdpIdentifier: aws.String("corp.example")})
	if err != nil || aws.ToString(byID.IdentityProvider.ProviderName) != "Corp" {
		t.Errorf("GetIdentityProviderByIdentifier = %+v, %v", byID, err)
	}
	g, err := st.admin.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: &poolID,
		ProviderName: aws.String("Google"), ProviderType: types.IdentityProviderTypeTypeGoogle,
		ProviderDetails: map[string]string{"client_id": "g", "client_secret": "gs", "authorize_scopes": "profile email openid"}})
	if err != nil {
		t.Fatalf("CreateIdentityProvider Google: %v", err)
	}
	if g.IdentityProvider.ProviderDetails["token_url"] != "https://www.googleapis.com/oauth2/v4/token" ||
		g.IdentityProvider.ProviderDetails["token_request_method"] != "POST" {
		t.Errorf("Google's described details: %v", g.IdentityProvider.ProviderDetails)
	}

	// UpdateIdentityProvider replaces what it is given.
	st.clock.Advance(60e9)
	upd, err := st.admin.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("Corp"),
		IdpIdentifiers: []string{"corp.example", "corp.test"}})
	if err != nil {
		t.Fatalf("UpdateIdentityProvider: %v", err)
	}
	if u := upd.IdentityProvider; len(u.IdpIdentifiers) != 2 || u.ProviderDetails["client_secret"] != "corp-secret" ||
		!u.LastModifiedDate.After(*p.LastModifiedDate) || !u.CreationDate.Equal(*p.CreationDate) {
		t.Errorf("UpdateIdentityProvider = %+v", u)
	}

	// ListIdentityProviders pages by name.
	for i := range 3 {
		if _, err := st.admin.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: &poolID,
			ProviderName: aws.String(fmt.Sprintf("Saml%d", i)), ProviderType: types.IdentityProviderTypeTypeSaml,
			ProviderDetails: map[string]string{"MetadataURL": "https://idp.example/metadata"}}); err != nil {
			t.Fatalf("CreateIdentityProvider SAML: %v", err)
		}
	}
	var names []string
	var token *string
	for range 5 {
		page, err := st.admin.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: &poolID, MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatalf("ListIdentityProviders: %v", err)
		}
		for _, d := range page.Providers {
			names = append(names, aws.ToString(d.ProviderName)+":"+string(d.ProviderType))
			if d.CreationDate == nil {
				t.Errorf("provider description without CreationDate: %+v", d)
			}
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	if strings.Join(names, ",") != "Corp:OIDC,Google:Google,Saml0:SAML,Saml1:SAML,Saml2:SAML" {
		t.Errorf("listed providers: %v", names)
	}

	// Clients name existing providers; deleting one takes it off them.
	client := st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID,
		SupportedIdentityProviders: []string{"COGNITO", "Corp", "Saml1"}})
	_, err = st.admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("x"),
		SupportedIdentityProviders: []string{"Nope"}})
	wantAPIError(t, err, "InvalidParameterException", "")
	if _, err := st.admin.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("Saml1")}); err != nil {
		t.Fatalf("DeleteIdentityProvider: %v", err)
	}
	dc, err := st.admin.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: client.ClientId})
	if err != nil || strings.Join(dc.UserPoolClient.SupportedIdentityProviders, ",") != "COGNITO,Corp" {
		t.Errorf("client's providers after delete: %v, %v", dc, err)
	}

	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"duplicate", func() error {
			_, err := st.admin.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("Corp"),
				ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails()})
			return err
		}, "DuplicateProviderException"},
		{"unknown pool", func() error {
			_, err := st.admin.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: aws.String("us-east-1_Nope"),
				ProviderName: aws.String("X1x"), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails()})
			return err
		}, "ResourceNotFoundException"},
		{"reserved name", func() error {
			_, err := st.admin.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("COGNITO"),
				ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails()})
			return err
		}, "InvalidParameterException"},
		{"unknown type", func() error {
			_, err := raw.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("Tw1"),
				ProviderType: "Twitter", ProviderDetails: oidcDetails()})
			return err
		}, "InvalidParameterException"},
		{"no details", func() error {
			_, err := raw.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("X2x"),
				ProviderType: types.IdentityProviderTypeTypeOidc})
			return err
		}, "InvalidParameterException"},
		{"taken identifier", func() error {
			_, err := st.admin.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("X3x"),
				ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails(), IdpIdentifiers: []string{"corp.test"}})
			return err
		}, "InvalidParameterException"},
		{"describe unknown", func() error {
			_, err := st.admin.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("Nope")})
			return err
		}, "ResourceNotFoundException"},
		{"describe in unknown pool", func() error {
			_, err := st.admin.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: aws.String("us-east-1_Nope"), ProviderName: aws.String("Corp")})
			return err
		}, "ResourceNotFoundException"},
		{"update unknown", func() error {
			_, err := st.admin.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("Nope")})
			return err
		}, "ResourceNotFoundException"},
		{"update with bad details", func() error {
			_, err := st.admin.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("Corp"),
				ProviderDetails: map[string]string{"client_id": "c", "oidc_issuer": "http://corp.example"}})
			return err
		}, "InvalidParameterException"},
		{"delete unknown", func() error {
			_, err := st.admin.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("Saml1")})
			return err
		}, "ResourceNotFoundException"},
		{"unknown identifier", func() error {
			_, err := st.admin.GetIdentityProviderByIdentifier(ctx, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: &poolID, IdpIdentifier: aws.String("nope")})
			return err
		}, "ResourceNotFoundException"},
		{"list too many", func() error {
			_, err := raw.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: &poolID, MaxResults: aws.Int32(61)})
			return err
		}, "InvalidParameterException"},
		{"bad token", func() error {
			_, err := st.admin.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: &poolID, NextToken: aws.String("!!")})
			return err
		}, "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantAPIError(t, tt.call(), tt.code, "") })
	}
	_, err = st.admin.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("Bad"),
		ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: map[string]string{"oidc_issuer": "https://x.example"}})
	wantAPIError(t, err, "InvalidParameterException", "invalid ProviderDetails client_id: is required")
}

func TestLinkProviderForUser(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	if _, err := st.admin.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: &poolID,
		ProviderName: aws.String("Corp"), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: oidcDetails(),
		AttributeMapping: map[string]string{"name": "name"}}); err != nil {
		t.Fatal(err)
	}
	client := st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, SupportedIdentityProviders: []string{"COGNITO", "Corp"}})
	st.newUser(t, poolID, "ann", "Correct-Horse-1")
	pool, err := st.dir.GetPool(ctx, poolID)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := st.dir.GetClient(ctx, poolID, aws.ToString(client.ClientId))
	if err != nil {
		t.Fatal(err)
	}
	cognito := func(username string) *types.ProviderUserIdentifierType {
		return &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String(username)}
	}
	corp := func(sub string) *types.ProviderUserIdentifierType {
		return &types.ProviderUserIdentifierType{ProviderName: aws.String("Corp"), ProviderAttributeName: aws.String("Cognito_Subject"),
			ProviderAttributeValue: aws.String(sub)}
	}
	link := func(dst, src *types.ProviderUserIdentifierType) error {
		_, err := st.admin.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{UserPoolId: &poolID, DestinationUser: dst, SourceUser: src})
		return err
	}
	if err := link(cognito("ann"), corp("s1")); err != nil {
		t.Fatalf("AdminLinkProviderForUser: %v", err)
	}
	// GetUser and AdminGetUser show identities as a string attribute.
	u, err := st.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("ann")})
	if err != nil {
		t.Fatal(err)
	}
	var identities []map[string]any
	if err := json.Unmarshal([]byte(attrValue(u.UserAttributes, "identities")), &identities); err != nil {
		t.Fatalf("identities %q: %v", attrValue(u.UserAttributes, "identities"), err)
	}
	if len(identities) != 1 || identities[0]["userId"] != "s1" || identities[0]["providerName"] != "Corp" || identities[0]["primary"] != false {
		t.Fatalf("ann's identities: %v", identities)
	}

	// The linked identity signs ann in.
	done, err := st.engine.SignInFederated(ctx, pool, sc, federation.Identity{ProviderName: "Corp", ProviderType: "OIDC",
		Issuer: "https://corp.example", Subject: "s1", Attributes: map[string][]string{"name": {"Ann"}}}, "")
	if err != nil || done.User.Username != "ann" {
		t.Fatalf("linked sign-in: %v", err)
	}
	// A federated user appears, with its identities as a string, in
	// AdminGetUser and in GetUser with its own access token.
	fed, err := st.engine.SignInFederated(ctx, pool, sc, federation.Identity{ProviderName: "Corp", ProviderType: "OIDC", Subject: "s2"}, "")
	if err != nil {
		t.Fatal(err)
	}
	fu, err := st.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("Corp_s2")})
	if err != nil || fu.UserStatus != types.UserStatusTypeExternalProvider || !strings.Contains(attrValue(fu.UserAttributes, "identities"), `"userId":"s2"`) {
		t.Fatalf("AdminGetUser of the federated user: %+v, %v", fu, err)
	}
	toks, err := st.engine.Issue(ctx, pool, sc, fed)
	if err != nil {
		t.Fatal(err)
	}
	me, err := st.public.GetUser(ctx, &cip.GetUserInput{AccessToken: &toks.AccessToken})
	if err != nil || aws.ToString(me.Username) != "corp_s2" || attrValue(me.UserAttributes, "identities") != attrValue(fu.UserAttributes, "identities") {
		t.Fatalf("GetUser of the federated user: %+v, %v", me, err)
	}

	tests := []struct {
		name     string
		dst, src *types.ProviderUserIdentifierType
		code     string
	}{
		{"unknown destination", cognito("nobody"), corp("s3"), "UserNotFoundException"},
		{"destination not Cognito", corp("s9"), corp("s3"), "InvalidParameterException"},
		{"unknown source provider", cognito("ann"), &types.ProviderUserIdentifierType{ProviderName: aws.String("Nope"),
			ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String("x")}, "InvalidParameterException"},
		{"signed in already", cognito("ann"), corp("s2"), "InvalidParameterException"},
	}
	st.newUser(t, poolID, "bob", "Correct-Horse-1")
	tests = append(tests, struct {
		name     string
		dst, src *types.ProviderUserIdentifierType
		code     string
	}{"linked to another user", cognito("bob"), corp("s1"), "AliasExistsException"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantAPIError(t, link(tt.dst, tt.src), tt.code, "") })
	}
	wantAPIError(t, link(cognito("ann"), corp("s2")), "InvalidParameterException",
		"Merging is not currently supported, provide a SourceUser that has not been signed up in order to link")

	// AdminDisableProviderForUser unlinks: the identity then makes its own user.
	if _, err := st.admin.AdminDisableProviderForUser(ctx, &cip.AdminDisableProviderForUserInput{UserPoolId: &poolID, User: corp("s1")}); err != nil {
		t.Fatalf("AdminDisableProviderForUser: %v", err)
	}
	done, err = st.engine.SignInFederated(ctx, pool, sc, federation.Identity{ProviderName: "Corp", Subject: "s1"}, "")
	if err != nil || done.User.Username != "corp_s1" || done.User.Status != storage.StatusExternalProvider {
		t.Fatalf("sign-in after unlink: %v", err)
	}
	_, err = st.admin.AdminDisableProviderForUser(ctx, &cip.AdminDisableProviderForUserInput{UserPoolId: &poolID, User: corp("nobody")})
	wantAPIError(t, err, "UserNotFoundException", "")
	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	_, err = raw.AdminDisableProviderForUser(ctx, &cip.AdminDisableProviderForUserInput{UserPoolId: &poolID})
	wantAPIError(t, err, "InvalidParameterException", "1 validation error detected: Value null at 'user' failed to satisfy constraint: Member must not be null")
}

// attrValue is the value of the named attribute in a list ("" when absent).
func attrValue(list []types.AttributeType, name string) string {
	for _, a := range list {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}
