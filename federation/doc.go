// Package federation is the seam between Gatehouse and upstream identity
// providers: Google, Facebook, Sign in with Apple, Login with Amazon, any
// OpenID Connect provider and any SAML 2.0 IdP. It holds the upstream
// [Identity], the capability interfaces a connector implements, the registry
// from Cognito's provider types to connector factories, the typed errors a
// front maps to a hosted-UI page or an OAuth error, and Cognito's
// AttributeMapping as a pure function. It imports no connector and nothing
// from server or ui; the connectors live in oidc/, social/ and saml/, and
// federationtest/ runs real upstreams in-process for tests.
//
// A connector is opened per pool and provider from Cognito's ProviderDetails
// (the same map CreateIdentityProvider takes) and an [Env] (HTTP client,
// clock, logger, the pool's callback and SAML URLs and keys). It implements
// one or more capabilities, in the manner of Dex's connector package but
// with a ctx on every method:
//
//	RedirectConnector  OIDC, Google, Facebook, SignInWithApple, LoginWithAmazon
//	  LoginURL(ctx, LoginState)               → URL the browser is sent to
//	  HandleCallback(ctx, LoginState, r)      → Identity   at {issuer}/oauth2/idpresponse
//	RefreshConnector   OIDC, Google (when the upstream issued a refresh token)
//	SAMLConnector      SAML
//	  AuthnRequest(ctx, SAMLOptions)          → SAMLMessage (redirect URL or POST form) + request ID
//	  HandleResponse(ctx, r, requestIDs)      → Identity   at {issuer}/saml2/idpresponse
//	  Metadata()                              → SP metadata for the IdP's administrator
//	  LogoutRequest / HandleLogoutResponse / HandleLogoutRequest / LogoutResponse
//	                                          single logout at {issuer}/saml2/logout
//
// The redirect flow, as the server drives it:
//
//	/oauth2/authorize?identity_provider=P
//	  server: st := NewLoginState(callbackURL, rand); store st with the AuthRequest
//	  server: 302 → conn.LoginURL(ctx, st)
//	upstream: user signs in, 302 (or form_post) → {issuer}/oauth2/idpresponse?code&state
//	  server: CallbackState(r) → look the stored LoginState up by it
//	  server: id, err := conn.HandleCallback(ctx, st, r); MapAttributes(mapping, id)
//	  err    → errors.Is(err, ErrCancelled | ErrBadState | …) → hosted-UI error page
package federation
