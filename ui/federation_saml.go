package ui

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/federation/saml"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// idpInitiatedLifetime bounds the request an IdP-initiated sign-in parks,
// as /oauth2/authorize bounds its own.
const idpInitiatedLifetime = 15 * time.Minute

// idpInitiated takes a SAML response no request of this pool asked for.
// The provider is the one RelayState names (identity_provider or
// idp_identifier), else the pool's SAML provider whose IdP sent it; it
// must allow IdP-initiated sign-in (IDPInit), which HandleResponse
// checks. RelayState carries what the app would have sent to
// /oauth2/authorize (client_id, redirect_uri, response_type, scope,
// state), as Cognito asks: the client must exist, allow the provider and
// have that callback URL; the flow then ends as an SP-initiated one.
func (u *UI) idpInitiated(rq *request, relay string) {
	ctx := rq.r.Context()
	params, err := url.ParseQuery(relay)
	if err != nil {
		params = url.Values{}
	}
	issuer, _, err := saml.PeekResponse(rq.r)
	if err != nil {
		u.upstreamFailed(rq, "", err)
		return
	}
	var idp *storage.IdentityProvider
	switch name, ident := params.Get("identity_provider"), params.Get("idp_identifier"); {
	case name != "":
		idp, err = u.cfg.Dir.IdentityProvider(ctx, rq.pool.ID, name)
	case ident != "":
		idp, err = u.cfg.Dir.IdentityProviderByIdentifier(ctx, rq.pool.ID, ident)
	default:
		idp, err = u.samlProviderOf(rq, issuer)
	}
	if err != nil || idp == nil || idp.Type != federation.TypeSAML {
		u.upstreamFailed(rq, "", federation.ErrUnsolicited)
		return
	}
	sc, ok := openAs[federation.SAMLConnector](u, rq, idp.Name)
	if !ok {
		return
	}
	ident, err := sc.HandleResponse(ctx, rq.r, nil)
	if err != nil {
		u.upstreamFailed(rq, idp.Name, err)
		return
	}
	client, err := u.cfg.Dir.GetClient(ctx, rq.pool.ID, params.Get("client_id"))
	if err != nil || !slices.Contains(client.SupportedIdentityProviders, idp.Name) ||
		!slices.Contains(client.CallbackURLs, params.Get("redirect_uri")) {
		u.fedFailure(rq, idp.Name, "idp_initiated_no_client")
		u.message(rq, http.StatusBadRequest, rq.T("federation.failed.title", "provider", idp.Name), rq.T("federation.idp_initiated_client"), true, "")
		return
	}
	form := url.Values{}
	for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "lang"} {
		if v := params.Get(k); v != "" {
			form.Set(k, v)
		}
	}
	if form.Get("response_type") == "" {
		form.Set("response_type", "code")
	}
	now := u.cfg.Now().UTC()
	rq.client = client
	rq.areq = &storage.AuthRequest{PoolID: rq.pool.ID, ClientID: client.ID, Form: form, CreatedAt: now, ExpiresAt: now.Add(idpInitiatedLifetime)}
	u.federatedSignIn(rq, ident)
}

// samlProviderOf finds the pool's SAML provider whose IdP entity ID is
// issuer.
func (u *UI) samlProviderOf(rq *request, issuer string) (*storage.IdentityProvider, error) {
	ctx := rq.r.Context()
	const page = 60
	after := ""
	for {
		list, err := u.cfg.Dir.ListIdentityProviders(ctx, rq.pool.ID, after, page)
		if err != nil {
			return nil, err
		}
		for _, idp := range list {
			if idp.Type != federation.TypeSAML || u.cfg.Upstream == nil {
				continue
			}
			conn, err := u.cfg.Upstream.Open(ctx, idp, u.site(rq))
			if err != nil {
				continue
			}
			if sc, ok := conn.(federation.SAMLConnector); ok {
				if id, err := sc.IDPEntityID(ctx); err == nil && id == issuer {
					return idp, nil
				}
			}
		}
		if len(list) < page {
			return nil, nil
		}
		after = list[len(list)-1].Name
	}
}
