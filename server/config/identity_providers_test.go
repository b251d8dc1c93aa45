package config

import (
	"strings"
	"testing"
)

const idpFile = `pools:
  - name: acme
    id: us-east-1_Idps00001
    schema: [{name: dept, attribute_data_type: String}]
    identity_providers:
      - name: Corp
        type: OIDC
        provider_details:
          client_id: corp-client
          oidc_issuer: https://corp.example
          authorize_scopes: openid email profile
        provider_details_from_env: {client_secret: GATEHOUSE_TEST_CORP_SECRET}
        attribute_mapping: {email: email, custom:dept: department}
        idp_identifiers: [corp.example]
      - name: Google
        type: Google
        provider_details: {client_id: g, client_secret: gs, authorize_scopes: openid email}
    clients:
      - name: web
        callback_urls: [https://app.example/cb]
        allowed_oauth_flows: [code]
        allowed_oauth_scopes: [openid]
        allowed_oauth_flows_user_pool_client: true
        supported_identity_providers: [COGNITO, Corp, Google]
`

// TestIdentityProvidersApply: providers are created before the clients
// that name them, with the secret from the environment; applied again,
// nothing is written; a changed detail updates the provider.
func TestIdentityProvidersApply(t *testing.T) {
	t.Setenv("GATEHOUSE_TEST_CORP_SECRET", "s3cret-from-env")
	e := newTestEnv(t)
	f := mustParse(t, idpFile)
	wantCounts(t, mustApply(t, e, f, ApplyOptions{}), 4, 0, 0)
	p, err := e.dir.IdentityProvider(t.Context(), "us-east-1_Idps00001", "Corp")
	if err != nil {
		t.Fatal(err)
	}
	if p.Details["client_secret"] != "s3cret-from-env" || p.AttributeMapping["custom:dept"] != "department" ||
		p.AttributeMapping["username"] != "sub" || strings.Join(p.IdpIdentifiers, ",") != "corp.example" {
		t.Fatalf("stored provider: %+v", p)
	}
	before := e.dump(t)
	if strings.Contains(before, "s3cret-from-env") {
		t.Fatal("the client secret is stored in plain")
	}
	wantCounts(t, mustApply(t, e, f, ApplyOptions{}), 0, 0, 4)
	if e.dump(t) != before {
		t.Fatal("applying the same providers again wrote something")
	}
	changed := mustParse(t, strings.Replace(idpFile, "openid email profile", "openid email", 1))
	wantCounts(t, mustApply(t, e, changed, ApplyOptions{}), 0, 1, 3)
	if p, _ = e.dir.IdentityProvider(t.Context(), "us-east-1_Idps00001", "Corp"); p.Details["authorize_scopes"] != "openid email" ||
		p.Details["client_secret"] != "s3cret-from-env" {
		t.Fatalf("after the change: %v", p.Details)
	}

	// Errors at apply name the field and its line.
	bad := mustParse(t, strings.Replace(idpFile, "oidc_issuer: https://corp.example", "oidc_issuer: http://corp.example", 1))
	_, err = Apply(t.Context(), e.dir, bad, ApplyOptions{})
	if e, ok := err.(*Error); !ok || e.Line != 10 || !strings.Contains(err.Error(), "pools[0].identity_providers[0].provider_details.oidc_issuer: invalid ProviderDetails oidc_issuer") {
		t.Fatalf("bad issuer: %v", err)
	}
	retyped := mustParse(t, strings.Replace(idpFile, "type: OIDC", "type: SAML", 1))
	_, err = Apply(t.Context(), e.dir, retyped, ApplyOptions{})
	if err == nil || !strings.Contains(err.Error(), "identity_providers[0].type: the identity provider Corp is of type OIDC") {
		t.Fatalf("type change: %v", err)
	}
}

// TestIdentityProvidersParseErrors: what needs no store is refused at
// parse, with the line and the field.
func TestIdentityProvidersParseErrors(t *testing.T) {
	head := "pools:\n  - name: a\n    identity_providers:\n"
	wantParseErrors(t, []parseErrorCase{
		{"reserved name", head + "      - name: COGNITO\n        type: OIDC\n        provider_details: {client_id: x}\n",
			4, "identity_providers[0].name: The provider name COGNITO is reserved."},
		{"social name", head + "      - name: MyGoogle\n        type: Google\n        provider_details: {client_id: x}\n",
			4, "The provider name of a Google provider must be Google."},
		{"bad type", head + "      - name: Corp\n        type: Twitter\n        provider_details: {client_id: x}\n",
			5, `identity_providers[0].type: "Twitter" is not one of OIDC`},
		{"twice", head + "      - {name: Corp, type: OIDC, provider_details: {client_id: x}}\n      - {name: Corp, type: SAML, provider_details: {MetadataURL: x}}\n",
			5, `identity provider "Corp" is already declared by pools[0].identity_providers[0]`},
		{"no details", head + "      - name: Corp\n        type: OIDC\n",
			4, "identity_providers[0].provider_details: required"},
		{"unset variable", head + "      - name: Corp\n        type: OIDC\n        provider_details_from_env: {client_secret: GATEHOUSE_TEST_UNSET_VAR}\n",
			6, "provider_details_from_env.client_secret: the environment variable GATEHOUSE_TEST_UNSET_VAR is not set"},
		{"long identifier", head + "      - name: Corp\n        type: OIDC\n        provider_details: {client_id: x}\n        idp_identifiers: [" + strings.Repeat("x", 41) + "]\n",
			7, "identity_providers[0].idp_identifiers: Invalid IdpIdentifier"},
		{"describe-only detail", head + "      - name: Google\n        type: Google\n        provider_details:\n          client_id: x\n          token_request_method: POST\n",
			8, "provider_details.token_request_method: token_request_method is shown by DescribeIdentityProvider"},
		{"unknown field", head + "      - name: Corp\n        type: OIDC\n        details: {client_id: x}\n",
			6, `unknown field "details"`},
	})
}
