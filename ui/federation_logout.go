package ui

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// SAML single logout, for providers with IDPSignout:
//
//	/logout (the SSO session ended) ──► UpstreamLogout: a LogoutRequest for
//	  the user's NameID to the IdP; RelayState names a parked request that
//	  holds where the browser goes at the end
//	IdP ──► /saml2/logout with SAMLResponse: checked against the request's
//	  ID, then on to the target (or the signed-out page)
//	IdP ──► /saml2/logout with SAMLRequest (IdP-initiated): every SSO
//	  session of the user it names ends; a LogoutResponse goes back
//
// The NameID is the user's identity from the SAML provider (the
// identities attribute's userId), so a session needs no upstream state; as
// the LogoutRequest carries no SessionIndex, the IdP ends all the user's
// sessions with this SP.

// logoutMarker is the parked request's form key for the end of a logout.
const logoutMarker = "saml_logout_target"

// samlIdentity is the SAML identity a federated user signed in with.
func (u *UI) samlIdentity(rq *request, sub string) (provider, nameID string) {
	user, err := u.cfg.Dir.GetUserBySub(rq.r.Context(), rq.pool.ID, sub)
	if err != nil || user.Status != "EXTERNAL_PROVIDER" {
		return "", ""
	}
	var ids []struct {
		UserID       string `json:"userId"`
		ProviderName string `json:"providerName"`
		ProviderType string `json:"providerType"`
	}
	if json.Unmarshal([]byte(user.Attributes["identities"]), &ids) != nil {
		return "", ""
	}
	for _, id := range ids {
		if id.ProviderType == federation.TypeSAML {
			return id.ProviderName, id.UserID
		}
	}
	return "", ""
}

// UpstreamLogout starts SAML single logout for a user whose session
// /logout just ended; it returns false, having written nothing, when the
// user did not sign in through a SAML provider with IDPSignout (or the
// IdP cannot be asked), and the logout then ends here.
func (u *UI) UpstreamLogout(w http.ResponseWriter, r *http.Request, pool *storage.Pool, sub, clientID, target string) bool {
	rq := u.newRequest(w, r, pool)
	ctx := r.Context()
	provider, nameID := u.samlIdentity(rq, sub)
	if provider == "" || u.cfg.Upstream == nil {
		return false
	}
	idp, err := u.cfg.Dir.IdentityProvider(ctx, pool.ID, provider)
	if err != nil || idp.Details["IDPSignout"] != "true" {
		return false
	}
	conn, err := u.cfg.Upstream.Open(ctx, idp, u.site(rq))
	sc, ok := conn.(federation.SAMLConnector)
	if err != nil || !ok {
		u.cfg.Logger.Warn("ui: SAML logout", "pool", pool.ID, "provider", provider, "err", err)
		return false
	}
	now := u.cfg.Now().UTC()
	areq := &storage.AuthRequest{PoolID: pool.ID, ID: newRequestID(), ClientID: clientID, Form: url.Values{logoutMarker: {target}},
		CreatedAt: now, ExpiresAt: now.Add(idpInitiatedLifetime)}
	msg, err := sc.LogoutRequest(ctx, federation.SAMLSession{NameID: nameID}, federation.SAMLOptions{RelayState: areq.ID, CSPNonce: rq.nonce})
	if err != nil {
		u.cfg.Logger.Warn("ui: SAML logout request", "pool", pool.ID, "provider", provider, "err", err)
		return false
	}
	areq.Upstream = &storage.UpstreamLogin{Provider: provider, SAMLRequestID: msg.ID}
	if err := u.cfg.Dir.Store().CreateAuthRequest(ctx, areq); err != nil {
		u.cfg.Logger.Error("ui: SAML logout", "pool", pool.ID, "err", err)
		return false
	}
	u.sendSAML(rq, msg)
	return true
}

// samlLogout is /saml2/logout: the IdP's LogoutResponse to UpstreamLogout,
// or its own LogoutRequest.
func (u *UI) samlLogout(rq *request) {
	rq.r.Body = http.MaxBytesReader(rq.w, rq.r.Body, 512<<10)
	if err := rq.r.ParseForm(); err != nil {
		u.message(rq, http.StatusBadRequest, rq.T("error.generic.title"), rq.T("error.bad_form"), true, "")
		return
	}
	if rq.r.Form.Get("SAMLRequest") != "" {
		u.samlLogoutRequest(rq)
		return
	}
	ctx := rq.r.Context()
	id := rq.r.Form.Get("RelayState")
	areq, err := u.cfg.Dir.Store().GetAuthRequest(ctx, rq.pool.ID, id)
	if err != nil || areq.Upstream == nil || areq.Upstream.SAMLRequestID == "" || areq.Form[logoutMarker] == nil ||
		u.cfg.Dir.Store().DeleteAuthRequest(ctx, rq.pool.ID, id) != nil {
		// Signed out here already; nothing to go back to.
		u.signedOutPage(rq)
		return
	}
	if idp, err := u.cfg.Dir.IdentityProvider(ctx, rq.pool.ID, areq.Upstream.Provider); err == nil && u.cfg.Upstream != nil {
		if conn, err := u.cfg.Upstream.Open(ctx, idp, u.site(rq)); err == nil {
			if sc, ok := conn.(federation.SAMLConnector); ok {
				if err := sc.HandleLogoutResponse(ctx, rq.r, []string{areq.Upstream.SAMLRequestID}); err != nil {
					// The session here has ended whatever the IdP says.
					u.cfg.Logger.Warn("ui: SAML logout response", "pool", rq.pool.ID, "provider", idp.Name, "err", err)
				}
			}
		}
	}
	if target := url.Values(areq.Form).Get(logoutMarker); target != "" {
		http.Redirect(rq.w, rq.r, target, http.StatusFound)
		return
	}
	u.signedOutPage(rq)
}

// samlLogoutRequest ends the sessions of the user an IdP's LogoutRequest
// names and answers it. The provider is the SAML provider with
// IDPSignout whose IdP signed the request.
func (u *UI) samlLogoutRequest(rq *request) {
	ctx := rq.r.Context()
	after := ""
	for {
		list, err := u.cfg.Dir.ListIdentityProviders(ctx, rq.pool.ID, after, 60)
		if err != nil {
			u.serverError(rq, err)
			return
		}
		for _, idp := range list {
			if idp.Type != federation.TypeSAML || idp.Details["IDPSignout"] != "true" || u.cfg.Upstream == nil {
				continue
			}
			conn, err := u.cfg.Upstream.Open(ctx, idp, u.site(rq))
			sc, ok := conn.(federation.SAMLConnector)
			if err != nil || !ok {
				continue
			}
			lr, err := sc.HandleLogoutRequest(ctx, rq.r)
			if err != nil {
				continue
			}
			if user, err := u.cfg.Dir.FederatedUser(ctx, rq.pool, idp.Name, lr.NameID); err == nil {
				if err := u.cfg.Dir.Store().DeleteUserSessions(ctx, rq.pool.ID, user.Sub); err != nil {
					u.serverError(rq, err)
					return
				}
			}
			msg, err := sc.LogoutResponse(ctx, lr.ID, federation.SAMLOptions{RelayState: lr.RelayState, CSPNonce: rq.nonce})
			if err != nil {
				u.cfg.Logger.Warn("ui: SAML logout response", "pool", rq.pool.ID, "provider", idp.Name, "err", err)
				u.signedOutPage(rq)
				return
			}
			u.sendSAML(rq, msg)
			return
		}
		if len(list) < 60 {
			break
		}
		after = list[len(list)-1].Name
	}
	u.fedFailure(rq, "", "unknown_logout_request")
	u.message(rq, http.StatusBadRequest, rq.T("error.generic.title"), rq.T("federation.failed"), true, "")
}

// signedOutPage is the page /logout shows without a target.
func (u *UI) signedOutPage(rq *request) {
	u.message(rq, http.StatusOK, rq.T("oauth.signed_out.title"), rq.T("oauth.signed_out.advice"), false, "")
}
