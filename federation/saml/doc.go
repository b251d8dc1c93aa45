// Package saml is the connector for SAML 2.0 identity providers (Cognito
// provider type SAML), with Gatehouse as the service provider, on
// github.com/crewjam/saml.
//
// ProviderDetails: MetadataURL or MetadataFile (the IdP's metadata), IDPInit
// (accept IdP-initiated sign-in), IDPSignout (single logout),
// EncryptedResponses (require encrypted assertions; the SP metadata then
// offers the encryption certificate), RequestSigningAlgorithm (rsa-sha256:
// sign AuthnRequests).
//
// The SP side, per pool (from federation.Env):
//
//	entity ID / audience  urn:amazon:cognito:sp:{poolId}     Env.SPEntityID
//	ACS (HTTP-POST)       {issuer}/saml2/idpresponse          Env.ACSURL
//	SLO (HTTP-Redirect)   {issuer}/saml2/logout               Env.SLOURL
//	signing/decryption    the pool's SAML certificate         Env.SPKey, Env.SPCertificate
//
// Sign-in:
//
//	AuthnRequest(ctx, {RelayState})  → HTTP-Redirect URL (or HTTP-POST page) + request ID
//	IdP → POST ACS  SAMLResponse, RelayState
//	HandleResponse(ctx, r, [request IDs]) → Identity
//	  checks: signature (Response or every Assertion) by the metadata's keys,
//	  Issuer, Destination/Recipient = ACS, Audience = entity ID, InResponseTo
//	  (none only with IDPInit), NotBefore/NotOnOrAfter on the injected clock,
//	  status, encryption when EncryptedResponses, replay (Env.ReplayCache)
//
// The metadata from MetadataURL is fetched at first use and refreshed daily;
// a failed fetch is retried at the next sign-in.
package saml
