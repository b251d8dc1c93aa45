package cognitoapi

import (
	"testing"
	"time"

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

func TestUpdateUserPoolClient(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	created, err := st.admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: &poolID, ClientName: aws.String("web"), GenerateSecret: true,
		CallbackURLs: []string{"https://app.example.com/cb"}, AllowedOAuthFlows: []types.OAuthFlowType{"code"},
		AllowedOAuthScopes: []string{"openid"}, AllowedOAuthFlowsUserPoolClient: true,
		ExplicitAuthFlows:          []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		AccessTokenValidity:        aws.Int32(2),
		ReadAttributes:             []string{"email"},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := created.UserPoolClient
	st.clock.Advance(time.Hour)

	// A full replace: what the update leaves out returns to its default;
	// the id, the secret and (when not given) the name stay.
	out, err := st.admin.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
		UserPoolId: &poolID, ClientId: c.ClientId,
		LogoutURLs:           []string{"https://app.example.com/bye"},
		IdTokenValidity:      aws.Int32(10),
		TokenValidityUnits:   &types.TokenValidityUnitsType{IdToken: types.TimeUnitsTypeMinutes},
		RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled},
	})
	if err != nil {
		t.Fatalf("UpdateUserPoolClient: %v", err)
	}
	u := out.UserPoolClient
	desc, err := st.admin.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: c.ClientId})
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []*types.UserPoolClientType{u, desc.UserPoolClient} {
		checks := []struct {
			name      string
			got, want any
		}{
			{"ClientId kept", aws.ToString(got.ClientId), aws.ToString(c.ClientId)},
			{"ClientSecret kept", aws.ToString(got.ClientSecret), aws.ToString(c.ClientSecret)},
			{"ClientName kept", aws.ToString(got.ClientName), "web"},
			{"LogoutURLs", got.LogoutURLs, []string{"https://app.example.com/bye"}},
			{"CallbackURLs reset", len(got.CallbackURLs), 0},
			{"AllowedOAuthFlows reset", len(got.AllowedOAuthFlows), 0},
			{"AllowedOAuthFlowsUserPoolClient reset", aws.ToBool(got.AllowedOAuthFlowsUserPoolClient), false},
			{"ExplicitAuthFlows default", got.ExplicitAuthFlows, []types.ExplicitAuthFlowsType{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}},
			{"PreventUserExistenceErrors default", got.PreventUserExistenceErrors, types.PreventUserExistenceErrorTypesLegacy},
			{"AccessTokenValidity default", aws.ToInt32(got.AccessTokenValidity), int32(60)},
			{"IdTokenValidity", aws.ToInt32(got.IdTokenValidity), int32(10)},
			{"TokenValidityUnits", *got.TokenValidityUnits, types.TokenValidityUnitsType{AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days"}},
			{"ReadAttributes reset", len(got.ReadAttributes), 0},
			{"RefreshTokenRotation", got.RefreshTokenRotation.Feature, types.FeatureTypeEnabled},
			{"CreationDate kept", got.CreationDate.Equal(*c.CreationDate), true},
			{"LastModifiedDate moved", got.LastModifiedDate.After(*c.LastModifiedDate), true},
		}
		for _, ch := range checks {
			if !equal(ch.got, ch.want) {
				t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
			}
		}
	}
	// The secret still signs requests.
	if _, err := st.admin.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &poolID, ClientId: c.ClientId,
		ClientName: aws.String("renamed"), ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH"}}); err != nil {
		t.Fatal(err)
	}
	st.newUser(t, poolID, "alice", "Correct-Horse-1")
	if _, err := st.passwordAuth(t, aws.ToString(c.ClientId), "alice", "Correct-Horse-1",
		"SECRET_HASH", secretHash(aws.ToString(c.ClientSecret), "alice", aws.ToString(c.ClientId))); err != nil {
		t.Errorf("sign-in with the kept secret: %v", err)
	}

	other := st.newPool(t, nil)
	tests := []struct {
		name string
		in   cip.UpdateUserPoolClientInput
		code string
	}{
		{"unknown pool", cip.UpdateUserPoolClientInput{UserPoolId: aws.String("us-west-2_NoSuchOne")}, "ResourceNotFoundException"},
		{"unknown client", cip.UpdateUserPoolClientInput{ClientId: aws.String("nosuchclient")}, "ResourceNotFoundException"},
		{"client of another pool", cip.UpdateUserPoolClientInput{UserPoolId: &other}, "ResourceNotFoundException"},
		{"legacy and ALLOW flows", cip.UpdateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"}}, "InvalidParameterException"},
		{"unknown custom scope", cip.UpdateUserPoolClientInput{AllowedOAuthScopes: []string{"api/read"}}, "ScopeDoesNotExistException"},
		{"oauth without flows", cip.UpdateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthScopes: []string{"openid"}}, "InvalidOAuthFlowException"},
		{"bad callback", cip.UpdateUserPoolClientInput{CallbackURLs: []string{"http://app.example.com/cb"}}, "InvalidParameterException"},
		{"validity out of range", cip.UpdateUserPoolClientInput{AccessTokenValidity: aws.Int32(0)}, "InvalidParameterException"},
		{"bad enum", cip.UpdateUserPoolClientInput{PreventUserExistenceErrors: "SOMETIMES"}, "InvalidParameterException"},
		{"empty name", cip.UpdateUserPoolClientInput{ClientName: aws.String("")}, "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.UserPoolId == nil {
				in.UserPoolId = &poolID
			}
			if in.ClientId == nil {
				in.ClientId = c.ClientId
			}
			_, err := st.admin.UpdateUserPoolClient(ctx, &in)
			wantAPIError(t, err, tt.code, "")
		})
	}
}

func TestListUserPoolClients(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	want := map[string]string{}
	for _, name := range []string{"a", "b", "c"} {
		c := st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String(name)})
		want[aws.ToString(c.ClientId)] = name
	}
	other := st.newPool(t, nil)
	st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &other})

	seen := map[string]string{}
	pages := 0
	for p := cip.NewListUserPoolClientsPaginator(st.admin, &cip.ListUserPoolClientsInput{UserPoolId: &poolID, MaxResults: aws.Int32(2)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListUserPoolClients: %v", err)
		}
		pages++
		for _, c := range page.UserPoolClients {
			if aws.ToString(c.UserPoolId) != poolID {
				t.Errorf("client %+v of another pool", c)
			}
			seen[aws.ToString(c.ClientId)] = aws.ToString(c.ClientName)
		}
	}
	if !equal(seen, want) || pages != 2 {
		t.Errorf("listed %v in %d pages, want %v in 2", seen, pages, want)
	}
	all, err := st.admin.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: &poolID})
	if err != nil || len(all.UserPoolClients) != 3 || all.NextToken != nil {
		t.Errorf("without MaxResults: %+v, %v", all, err)
	}
	empty := st.newPool(t, nil)
	none, err := st.admin.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: &empty})
	if err != nil || none.UserPoolClients == nil || len(none.UserPoolClients) != 0 {
		t.Errorf("empty pool: %+v, %v", none, err)
	}

	_, err = st.admin.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: &poolID, MaxResults: aws.Int32(61)})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60")
	_, err = st.admin.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: &poolID, MaxResults: aws.Int32(0)})
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = st.admin.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: &poolID, NextToken: aws.String("!!")})
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = st.admin.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String("us-west-2_NoSuchOne")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
}

func TestDeleteUserPoolClient(t *testing.T) {
	st := newStack(t)
	ctx := t.Context()
	poolID := st.newPool(t, nil)
	c := st.newClient(t, &cip.CreateUserPoolClientInput{UserPoolId: &poolID})
	other := st.newPool(t, nil)
	_, err := st.admin.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &other, ClientId: c.ClientId})
	wantAPIError(t, err, "ResourceNotFoundException", "")

	st.newUser(t, poolID, "alice", "Correct-Horse-1")
	if _, err := st.admin.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &poolID, ClientId: c.ClientId}); err != nil {
		t.Fatalf("DeleteUserPoolClient: %v", err)
	}
	_, err = st.admin.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: c.ClientId})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	// Nobody signs in through a deleted client.
	_, err = st.passwordAuth(t, aws.ToString(c.ClientId), "alice", "Correct-Horse-1")
	wantAPIError(t, err, "ResourceNotFoundException", "")
	_, err = st.admin.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &poolID, ClientId: c.ClientId})
	wantAPIError(t, err, "ResourceNotFoundException", "User pool client "+aws.ToString(c.ClientId)+" does not exist.")
	_, err = st.admin.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String("us-west-2_NoSuchOne"), ClientId: c.ClientId})
	wantAPIError(t, err, "ResourceNotFoundException", "")
	raw := st.client(adminCreds(testCreds.SecretAccessKey), withoutValidation)
	_, err = raw.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &poolID})
	wantAPIError(t, err, "InvalidParameterException",
		"1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null")
}
