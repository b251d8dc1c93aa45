// Package federationtest runs real upstream identity providers in-process on
// loopback for tests, and the conformance suite every connector runs:
//
//	OIDCProvider   an OpenID provider built on zitadel/oidc's op package with an
//	               in-memory storage; it also stands in for Google, Sign in with
//	               Apple (ES256 client-secret JWTs, form_post) and Login with Amazon
//	               (a profile endpoint) through the presets' endpoint overrides
//	GraphAPI       a Facebook-shaped OAuth 2.0 server with the Graph API's /me
//	SAMLIdP        crewjam/saml's samlidp, with users and the SP registered
//	Browser        an http.Client with a cookie jar that follows redirects, fills
//	               and posts the upstreams' login forms (or cancels), and stops at
//	               Gatehouse's callback or ACS URL, returning that request
//	RunProviderTests  the conformance suite: full flow, state and nonce mismatch,
//	               bad signature, expired token or assertion, replay, upstream
//	               down, user cancelled — each a typed federation error
//
// Every upstream's login page is a plain HTML form (username, password, and a
// cancel button where the protocol has a way to say no), so tests sign users in
// without a browser.
package federationtest
