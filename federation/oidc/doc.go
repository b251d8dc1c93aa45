// Package oidc is the connector for any OpenID Connect provider (Cognito
// provider type OIDC), and the engine of the Google and Sign in with Apple
// presets in federation/social.
//
// The flow (OIDC Core §3.1, RFC 7636):
//
//	LoginURL        authorization_endpoint?response_type=code&client_id&redirect_uri
//	                  &scope=authorize_scopes&state&nonce&code_challenge(S256)
//	HandleCallback  state checked (federation.ParseCallback)
//	                → token_endpoint (client_secret_basic or _post, code_verifier)
//	                → ID token: signature by the JWKS, iss, aud (+azp), exp, nonce, at_hash
//	                → userinfo (attributes_request_method GET or POST), sub must match
//	                → claims merged, userinfo winning → federation.Identity
//
// Endpoints come from discovery ({oidc_issuer}/.well-known/openid-configuration),
// fetched at first use and kept; authorize_url, token_url, attributes_url and
// jwks_uri override it, and when all are given discovery is skipped, as
// Cognito allows for providers that publish none.
package oidc
