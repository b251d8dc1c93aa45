// Package social holds the presets for the social providers Cognito knows,
// with their real endpoints and Cognito's ProviderDetails keys; every
// endpoint can be overridden (authorize_url, token_url, attributes_url,
// jwks_uri, oidc_issuer) for tests and air-gapped sites.
//
//	Google           OpenID Connect (federation/oidc): ID token verified, userinfo merged
//	SignInWithApple  OpenID Connect without userinfo: client secret an ES256 JWT signed
//	                 with the team's key (team_id, key_id, private_key), response_mode
//	                 form_post, the user's name from the posted "user" on first sign-in
//	LoginWithAmazon  OAuth 2.0 + the profile API (user_id, name, email, postal_code)
//	Facebook         OAuth 2.0 (token request by GET, as Cognito's token_request_method)
//	                 + Graph API /me with fields and appsecret_proof, at api_version
package social

import "github.com/gatehouse-id/gatehouse/federation"

// Register adds the four social factories to r.
func Register(r federation.Registry) {
	r[federation.TypeGoogle] = OpenGoogle
	r[federation.TypeApple] = OpenApple
	r[federation.TypeAmazon] = OpenAmazon
	r[federation.TypeFacebook] = OpenFacebook
}
