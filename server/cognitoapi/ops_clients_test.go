package cognitoapi

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestCreateAndDescribeUserPoolClient(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)

	created, err := st.admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId:                      &poolID,
		ClientName:                      aws.String("web"),
		GenerateSecret:                  true,
		CallbackURLs:                    []string{"https://app.example.com/cb", "http://localhost:3000/cb"},
		LogoutURLs:                      []string{"https://app.example.com/bye"},
		DefaultRedirectURI:              aws.String("https://app.example.com/cb"),
		AllowedOAuthFlows:               []types.OAuthFlowType{"code"},
		AllowedOAuthScopes:              []string{"openid", "email"},
		AllowedOAuthFlowsUserPoolClient: true,
		SupportedIdentityProviders:      []string{"COGNITO"},
		ExplicitAuthFlows:               []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		ReadAttributes:                  []string{"email", "email_verified", "custom:tenant"},
		WriteAttributes:                 []string{"email"},
		AccessTokenValidity:             aws.Int32(2), // hours, Cognito's default unit
		IdTokenValidity:                 aws.Int32(30),
		RefreshTokenValidity:            10, // days
		TokenValidityUnits:              &types.TokenValidityUnitsType{IdToken: types.TimeUnitsTypeMinutes},
		PreventUserExistenceErrors:      types.PreventUserExistenceErrorTypesEnabled,
		AuthSessionValidity:             aws.Int32(5),
		RefreshTokenRotation:            &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(10)},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	c := created.UserPoolClient
	clientID, secret := aws.ToString(c.ClientId), aws.ToString(c.ClientSecret)
	if len(clientID) != 26 || len(secret) != 51 {
		t.Fatalf("ClientId %q, ClientSecret of %d characters; want 26 and 51", clientID, len(secret))
	}

	out, err := st.admin.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID})
	if err != nil {
		t.Fatalf("DescribeUserPoolClient: %v", err)
	}
	d := out.UserPoolClient
	checks := []struct {
		name      string
		got, want any
	}{
		{"UserPoolId", aws.ToString(d.UserPoolId), poolID},
		{"ClientName", aws.ToString(d.ClientName), "web"},
		{"ClientSecret (in plain, as Cognito)", aws.ToString(d.ClientSecret), secret},
		{"CallbackURLs", d.CallbackURLs, []string{"https://app.example.com/cb", "http://localhost:3000/cb"}},
		{"LogoutURLs", d.LogoutURLs, []string{"https://app.example.com/bye"}},
		{"DefaultRedirectURI", aws.ToString(d.DefaultRedirectURI), "https://app.example.com/cb"},
		{"AllowedOAuthFlows", d.AllowedOAuthFlows, []types.OAuthFlowType{"code"}},
		{"AllowedOAuthScopes", d.AllowedOAuthScopes, []string{"openid", "email"}},
		{"AllowedOAuthFlowsUserPoolClient", aws.ToBool(d.AllowedOAuthFlowsUserPoolClient), true},
		{"SupportedIdentityProviders", d.SupportedIdentityProviders, []string{"COGNITO"}},
		{"ExplicitAuthFlows", d.ExplicitAuthFlows, []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}},
		{"ReadAttributes", d.ReadAttributes, []string{"email", "email_verified", "custom:tenant"}},
		{"WriteAttributes", d.WriteAttributes, []string{"email"}},
		{"AccessTokenValidity", aws.ToInt32(d.AccessTokenValidity), int32(2)},
		{"IdTokenValidity", aws.ToInt32(d.IdTokenValidity), int32(30)},
		{"RefreshTokenValidity", d.RefreshTokenValidity, int32(10)},
		{"TokenValidityUnits", *d.TokenValidityUnits, types.TokenValidityUnitsType{AccessToken: "hours", IdToken: "minutes", RefreshToken: "days"}},
		{"PreventUserExistenceErrors", d.PreventUserExistenceErrors, types.PreventUserExistenceErrorTypesEnabled},
		{"EnableTokenRevocation (default)", aws.ToBool(d.EnableTokenRevocation), true},
		{"AuthSessionValidity", aws.ToInt32(d.AuthSessionValidity), int32(5)},
		{"RefreshTokenRotation.Feature", d.RefreshTokenRotation.Feature, types.FeatureTypeEnabled},
		{"RefreshTokenRotation.RetryGracePeriodSeconds", aws.ToInt32(d.RefreshTokenRotation.RetryGracePeriodSeconds), int32(10)},
	}
	for _, c := range checks {
		if !equal(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if d.CreationDate == nil || d.LastModifiedDate == nil || !d.CreationDate.Equal(*c.CreationDate) {
		t.Errorf("CreationDate %v (create said %v), LastModifiedDate %v", d.CreationDate, c.CreationDate, d.LastModifiedDate)
	}
}

func TestUserPoolClientDefaults(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	created, err := st.admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("min"),
		EnableTokenRevocation: aws.Bool(false)})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	c := created.UserPoolClient
	if c.ClientSecret != nil {
		t.Errorf("public client has a secret")
	}
	if aws.ToInt32(c.AccessTokenValidity) != 60 || aws.ToInt32(c.IdTokenValidity) != 60 || c.RefreshTokenValidity != 30 ||
		*c.TokenValidityUnits != (types.TokenValidityUnitsType{AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days"}) {
		t.Errorf("token validity %v/%v/%v %+v; want Cognito's 60 minutes, 60 minutes, 30 days",
			aws.ToInt32(c.AccessTokenValidity), aws.ToInt32(c.IdTokenValidity), c.RefreshTokenValidity, c.TokenValidityUnits)
	}
	if !equal(c.ExplicitAuthFlows, []types.ExplicitAuthFlowsType{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}) {
		t.Errorf("ExplicitAuthFlows = %v", c.ExplicitAuthFlows)
	}
	if c.PreventUserExistenceErrors != types.PreventUserExistenceErrorTypesLegacy || aws.ToInt32(c.AuthSessionValidity) != 3 ||
		aws.ToBool(c.EnableTokenRevocation) || c.RefreshTokenRotation.Feature != types.FeatureTypeDisabled {
		t.Errorf("PreventUserExistenceErrors %s, AuthSessionValidity %d, EnableTokenRevocation %v, RefreshTokenRotation %+v",
			c.PreventUserExistenceErrors, aws.ToInt32(c.AuthSessionValidity), aws.ToBool(c.EnableTokenRevocation), c.RefreshTokenRotation)
	}
}

func TestUserPoolClientErrors(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	tests := []struct {
		name string
		in   cip.CreateUserPoolClientInput
		code string
	}{
		{"unknown pool", cip.CreateUserPoolClientInput{UserPoolId: aws.String("us-west-2_Missing99")}, "ResourceNotFoundException"},
		{"client_credentials without secret", cip.CreateUserPoolClientInput{
			AllowedOAuthFlows: []types.OAuthFlowType{"client_credentials"}, AllowedOAuthScopes: []string{"api/read"}, AllowedOAuthFlowsUserPoolClient: true,
		}, "InvalidOAuthFlowException"},
		{"unknown custom scope", cip.CreateUserPoolClientInput{AllowedOAuthScopes: []string{"api/read"}}, "ScopeDoesNotExistException"},
		{"legacy and ALLOW flows", cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"}}, "InvalidParameterException"},
		{"unknown flow", cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_TELEPATHY"}}, "InvalidParameterException"},
		{"access validity out of range", cip.CreateUserPoolClientInput{AccessTokenValidity: aws.Int32(2), TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: "days"}}, "InvalidParameterException"},
		{"zero access validity", cip.CreateUserPoolClientInput{AccessTokenValidity: aws.Int32(0)}, "InvalidParameterException"},
		{"auth session too long", cip.CreateUserPoolClientInput{AuthSessionValidity: aws.Int32(16)}, "InvalidParameterException"},
		{"http callback", cip.CreateUserPoolClientInput{CallbackURLs: []string{"http://app.example.com/cb"}}, "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.UserPoolId == nil {
				in.UserPoolId = &poolID
			}
			in.ClientName = aws.String("c")
			_, err := st.admin.CreateUserPoolClient(ctx, &in)
			wantAPIError(t, err, tt.code, "")
		})
	}

	// A secret of the caller's choosing.
	const chosen = "my_chosen_secret_0123456789+abc"
	mine, err := st.admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("mine"),
		ClientSecret: aws.String(chosen)})
	if err != nil || aws.ToString(mine.UserPoolClient.ClientSecret) != chosen {
		t.Errorf("CreateUserPoolClient with ClientSecret: %+v, %v", mine, err)
	}
	_, err = st.admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("c"),
		ClientSecret: aws.String("short")})
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = st.admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("c"),
		ClientSecret: aws.String(chosen), GenerateSecret: true})
	wantAPIError(t, err, "InvalidParameterException", "You cannot specify both GenerateSecret as true and provide a ClientSecret value.")

	_, err = st.admin.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: aws.String("nosuchclient")})
	wantAPIError(t, err, "ResourceNotFoundException", "User pool client nosuchclient does not exist.")
	// A client is found only in its own pool.
	c := st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID})
	other := st.newPool(t, nil)
	_, err = st.admin.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &other, ClientId: c.ClientId})
	wantAPIError(t, err, "ResourceNotFoundException", "")

	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	_, err = raw.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{})
	wantAPIError(t, err, "InvalidParameterException",
		"2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; "+
			"Value null at 'clientName' failed to satisfy constraint: Member must not be null")
}
