package ui

// Sign-in through upstream identity providers (Google, Facebook, Apple,
// Amazon, any OpenID provider, any SAML IdP): the hosted UI's half of the
// redirect flow.
//
//	/oauth2/authorize?identity_provider=P (or idp_identifier, or an email
//	domain typed on the sign-in page)
//	  oauth checks and parks the request ──► StartUpstream
//	    OAuth/OIDC: a fresh federation.LoginState is kept on the request;
//	                302 to the upstream (state = request id "." random)
//	    SAML:       an AuthnRequest (redirect or auto-posting form);
//	                RelayState = request id, its ID kept on the request
//	upstream ──► /oauth2/idpresponse (GET or form_post) | /saml2/idpresponse
//	  the request is found and deleted (each answer is used once), the
//	  connector checks the answer, auth.SignInFederated makes or updates
//	  the pool user, and the flow ends as after a password (signedIn).
//
// A failure ends on an error page (role="alert") or, where Cognito sends
// it to the app (the user cancelled; the engine refused the user), as an
// OAuth error to the client's redirect_uri; each is recorded as a failed
// auth event.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/upstream"
)

// routesFederation mounts the endpoints upstream providers send users to.
func (u *UI) routesFederation(mux *http.ServeMux, prefix string, page func(func(*request)) http.Handler) {
	mux.Handle("GET "+prefix+upstream.CallbackPath, page(u.idpResponse))
	mux.Handle("POST "+prefix+upstream.CallbackPath, page(u.idpResponse))
	mux.Handle("POST "+prefix+upstream.ACSPath, page(u.samlResponse))
	mux.Handle("GET "+prefix+upstream.MetadataPath, page(u.samlMetadata))
	mux.Handle("GET "+prefix+upstream.SLOPath, page(u.samlLogout))
	mux.Handle("POST "+prefix+upstream.SLOPath, page(u.samlLogout))
}

// site is the base of the pool's endpoints on the host the browser used.
func (u *UI) site(rq *request) string {
	return upstream.Site(rq.r.Context(), u.cfg.Issuer(rq.pool.ID))
}

// StartUpstream sends the browser of a parked request to the upstream
// identity provider named provider; /oauth2/authorize calls it once it
// has checked that the client allows that provider.
func (u *UI) StartUpstream(w http.ResponseWriter, r *http.Request, pool *storage.Pool, areq *storage.AuthRequest, provider string) {
	rq := u.newRequest(w, r, pool)
	client, err := u.cfg.Dir.GetClient(r.Context(), pool.ID, areq.ClientID)
	if err != nil {
		u.serverError(rq, err)
		return
	}
	rq.areq, rq.client = areq, client
	u.goUpstream(rq, provider)
}

// goUpstream stores what the provider's answer will be checked against on
// the parked request and sends the browser there.
func (u *UI) goUpstream(rq *request, name string) {
	ctx := rq.r.Context()
	idp, conn, ok := u.openProvider(rq, name)
	if !ok {
		return
	}
	switch c := conn.(type) {
	case federation.RedirectConnector:
		st, err := federation.NewLoginState(u.site(rq)+upstream.CallbackPath, nil)
		if err != nil {
			u.serverError(rq, err)
			return
		}
		st.State = rq.areq.ID + "." + st.State
		loginURL, err := c.LoginURL(ctx, st)
		if err != nil {
			u.upstreamFailed(rq, idp.Name, err)
			return
		}
		rq.areq.Upstream = &storage.UpstreamLogin{Provider: idp.Name, State: st.State, Nonce: st.Nonce,
			PKCEVerifier: st.PKCEVerifier, CallbackURL: st.CallbackURL}
		if err := u.cfg.Dir.Store().UpdateAuthRequest(ctx, rq.areq); err != nil {
			u.serverError(rq, err)
			return
		}
		u.bindUpstream(rq)
		http.Redirect(rq.w, rq.r, loginURL, http.StatusFound)
	case federation.SAMLConnector:
		msg, err := c.AuthnRequest(ctx, federation.SAMLOptions{RelayState: rq.areq.ID, CSPNonce: rq.nonce})
		if err != nil {
			u.upstreamFailed(rq, idp.Name, err)
			return
		}
		rq.areq.Upstream = &storage.UpstreamLogin{Provider: idp.Name, SAMLRequestID: msg.ID}
		if err := u.cfg.Dir.Store().UpdateAuthRequest(ctx, rq.areq); err != nil {
			u.serverError(rq, err)
			return
		}
		u.bindUpstream(rq)
		u.sendSAML(rq, msg)
	default:
		u.serverError(rq, errors.New("ui: provider "+name+" has no browser sign-in"))
	}
}

// openProvider reads a provider of the pool and opens its connector; it
// returns false after it wrote an error page.
func (u *UI) openProvider(rq *request, name string) (*storage.IdentityProvider, federation.Connector, bool) {
	ctx := rq.r.Context()
	idp, err := u.cfg.Dir.IdentityProvider(ctx, rq.pool.ID, name)
	if directory.KindOf(err) == directory.KindResourceNotFound {
		u.fedFailure(rq, name, "unknown_provider")
		u.message(rq, http.StatusBadRequest, rq.T("federation.failed.title", "provider", name), rq.T("federation.not_configured"), true, "")
		return nil, nil, false
	}
	if err != nil {
		u.serverError(rq, err)
		return nil, nil, false
	}
	if u.cfg.Upstream == nil {
		u.upstreamFailed(rq, name, federation.ErrInvalidConfig)
		return nil, nil, false
	}
	conn, err := u.cfg.Upstream.Open(ctx, idp, u.site(rq))
	if err != nil {
		u.upstreamFailed(rq, name, err)
		return nil, nil, false
	}
	return idp, conn, true
}

// openAs opens a provider's connector with the capability T; it returns
// false after it wrote an error page.
func openAs[T federation.Connector](u *UI, rq *request, name string) (T, bool) {
	var none T
	_, conn, ok := u.openProvider(rq, name)
	if !ok {
		return none, false
	}
	c, ok := conn.(T)
	if !ok {
		u.upstreamFailed(rq, name, federation.ErrInvalidResponse)
		return none, false
	}
	return c, true
}

// sendSAML sends an outgoing SAML message in its binding: a redirect, or
// the auto-posting form, whose target the page's CSP must allow.
func (u *UI) sendSAML(rq *request, msg federation.SAMLMessage) {
	if msg.RedirectURL != "" {
		http.Redirect(rq.w, rq.r, msg.RedirectURL, http.StatusFound)
		return
	}
	formAction := "'self'"
	if m := postActionRe.FindSubmatch(msg.PostForm); m != nil {
		if src := cspSource(htmlUnescaper.Replace(string(m[1]))); src != "" {
			formAction = src
		}
	}
	h := rq.w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+rq.nonce+"'; form-action "+formAction+
		"; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	rq.w.WriteHeader(http.StatusOK)
	rq.w.Write(msg.PostForm)
}

var (
	postActionRe  = regexp.MustCompile(`(?i)<form[^>]*\saction="([^"]+)"`)
	htmlUnescaper = strings.NewReplacer("&amp;", "&", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&quot;", `"`)
)

// idpResponse is /oauth2/idpresponse: an OAuth or OpenID provider's answer.
func (u *UI) idpResponse(rq *request) {
	ctx := rq.r.Context()
	id, _, _ := strings.Cut(federation.CallbackState(rq.r), ".")
	if !u.takeRequest(rq, id, func(up *storage.UpstreamLogin) bool { return up.State != "" }) {
		return
	}
	up := rq.areq.Upstream
	rc, ok := openAs[federation.RedirectConnector](u, rq, up.Provider)
	if !ok {
		return
	}
	ident, err := rc.HandleCallback(ctx, federation.LoginState{CallbackURL: up.CallbackURL, State: up.State, Nonce: up.Nonce,
		PKCEVerifier: up.PKCEVerifier}, rq.r)
	if err != nil {
		u.upstreamFailed(rq, up.Provider, err)
		return
	}
	u.federatedSignIn(rq, ident)
}

// takeRequest finds the parked request an upstream's answer names (id)
// and deletes it, so that each answer is used once; check says whether
// the request went upstream the way this answer came back. It returns
// false after it wrote an error page.
func (u *UI) takeRequest(rq *request, id string, check func(*storage.UpstreamLogin) bool) bool {
	ctx := rq.r.Context()
	expired := func(reason string) bool {
		u.fedFailure(rq, "", reason)
		u.message(rq, http.StatusBadRequest, rq.T("error.request_expired.title"), rq.T("error.request_expired"), true, "")
		return false
	}
	if id == "" {
		return expired("bad_state")
	}
	areq, err := u.cfg.Dir.Store().GetAuthRequest(ctx, rq.pool.ID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return expired("bad_state")
	}
	if err != nil {
		u.serverError(rq, err)
		return false
	}
	if areq.Upstream == nil || !check(areq.Upstream) {
		return expired("bad_state")
	}
	if !u.boundUpstream(rq, id) {
		return expired("other_browser")
	}
	if !u.cfg.Now().Before(areq.ExpiresAt) {
		return expired("expired_request")
	}
	if err := u.cfg.Dir.Store().DeleteAuthRequest(ctx, rq.pool.ID, id); err != nil {
		// Another answer took it first.
		return expired("reused_state")
	}
	client, err := u.cfg.Dir.GetClient(ctx, rq.pool.ID, areq.ClientID)
	if err != nil {
		u.message(rq, http.StatusBadRequest, rq.T("oauth.unknown_client.title"), rq.T("oauth.unknown_client.advice"), true, "")
		return false
	}
	rq.areq, rq.client = areq, client
	return true
}

// federatedSignIn turns a checked upstream identity into the pool's user
// and finishes the flow as the password sign-in does: the taken request
// is parked again under a new id, then marked done by signedIn.
func (u *UI) federatedSignIn(rq *request, ident federation.Identity) {
	ctx := rq.r.Context()
	done, err := u.cfg.Engine.SignInFederated(ctx, rq.pool, rq.client, ident, clientIP(rq.r))
	if err != nil {
		if !expected(err) {
			u.serverError(rq, err)
			return
		}
		// Cognito sends the app invalid_request with the reason (a
		// disabled user, a refusing trigger).
		u.errorToClient(rq, "invalid_request", cognitoMessage(err))
		return
	}
	next := *rq.areq
	next.ID, next.Upstream = newRequestID(), nil
	if err := u.cfg.Dir.Store().CreateAuthRequest(ctx, &next); err != nil {
		u.serverError(rq, err)
		return
	}
	rq.areq = &next
	u.signedIn(rq, done)
}

// cognitoMessage is the message of a domain error as Cognito words it.
func cognitoMessage(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

func newRequestID() string {
	raw := make([]byte, 18)
	rand.Read(raw)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// upstreamFailed ends a failed upstream sign-in: the cause goes to the log
// and the auth events; the user cancelling goes back to the app as
// access_denied; anything else is an error page.
func (u *UI) upstreamFailed(rq *request, provider string, err error) {
	reason, status := failureReason(err)
	u.cfg.Logger.Warn("ui: upstream sign-in failed", "pool", rq.pool.ID, "provider", provider, "reason", reason, "err", err)
	u.fedFailure(rq, provider, reason)
	title := rq.T("federation.failed.title", "provider", provider)
	switch {
	case reason == "cancelled" && rq.areq != nil && rq.client != nil:
		u.errorToClient(rq, "access_denied", "The user cancelled the sign-in at the identity provider.")
	case reason == "unavailable":
		u.message(rq, status, title, rq.T("federation.unavailable", "provider", provider), true, "")
	case reason == "invalid_config":
		u.message(rq, status, title, rq.T("federation.not_configured"), true, "")
	default:
		u.message(rq, status, title, rq.T("federation.failed"), true, "")
	}
}

// failureReason is the short code an upstream failure is recorded with,
// and the status of its error page.
func failureReason(err error) (string, int) {
	for _, f := range []struct {
		err    error
		reason string
	}{
		{federation.ErrCancelled, "cancelled"},
		{federation.ErrBadState, "bad_state"},
		{federation.ErrBadNonce, "bad_nonce"},
		{federation.ErrBadSignature, "bad_signature"},
		{federation.ErrExpired, "expired"},
		{federation.ErrReplayed, "replayed"},
		{federation.ErrUnsolicited, "unsolicited"},
		{federation.ErrUpstreamError, "upstream_error"},
		{federation.ErrInvalidResponse, "invalid_response"},
	} {
		if errors.Is(err, f.err) {
			return f.reason, http.StatusBadRequest
		}
	}
	switch {
	case errors.Is(err, federation.ErrUpstreamUnavailable):
		return "unavailable", http.StatusBadGateway
	case errors.Is(err, federation.ErrInvalidConfig):
		return "invalid_config", http.StatusBadGateway
	}
	return "error", http.StatusBadGateway
}

// fedFailure records a failed upstream sign-in as an auth event.
func (u *UI) fedFailure(rq *request, provider, reason string) {
	u.cfg.Engine.FederatedFailure(context.WithoutCancel(rq.r.Context()), rq.pool, rq.client, provider, clientIP(rq.r), reason)
}

// errorToClient sends an OAuth error to the request's redirect_uri, which
// /oauth2/authorize checked against the client's callback URLs; without
// one it is an error page.
func (u *UI) errorToClient(rq *request, code, desc string) {
	form := url.Values(rq.areq.Form)
	target := form.Get("redirect_uri")
	if target == "" && len(rq.client.CallbackURLs) == 1 {
		target = rq.client.CallbackURLs[0]
	}
	if target == "" || !slices.Contains(rq.client.CallbackURLs, target) {
		u.message(rq, http.StatusBadRequest, rq.T("error.generic.title"), desc, true, "")
		return
	}
	q := url.Values{"error": {code}, "error_description": {desc}}
	if st := form.Get("state"); st != "" {
		q.Set("state", st)
	}
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	http.Redirect(rq.w, rq.r, target+sep+q.Encode(), http.StatusFound)
}

// samlResponse is /saml2/idpresponse, the assertion consumer. A
// RelayState naming a request this pool sent to a SAML IdP is an answer
// to it (SP-initiated); anything else is an IdP-initiated sign-in, which
// the provider must allow (IDPInit) and whose RelayState carries the
// authorize parameters, as Cognito's.
func (u *UI) samlResponse(rq *request) {
	ctx := rq.r.Context()
	rq.r.Body = http.MaxBytesReader(rq.w, rq.r.Body, 512<<10)
	if err := rq.r.ParseForm(); err != nil {
		u.upstreamFailed(rq, "", federation.ErrInvalidResponse)
		return
	}
	relay := rq.r.PostForm.Get("RelayState")
	if relay == "" || strings.ContainsAny(relay, "=&") {
		u.idpInitiated(rq, relay)
		return
	}
	if !u.takeRequest(rq, relay, func(up *storage.UpstreamLogin) bool { return up.SAMLRequestID != "" }) {
		return
	}
	name := rq.areq.Upstream.Provider
	sc, ok := openAs[federation.SAMLConnector](u, rq, name)
	if !ok {
		return
	}
	ident, err := sc.HandleResponse(ctx, rq.r, []string{rq.areq.Upstream.SAMLRequestID})
	if err != nil {
		u.upstreamFailed(rq, name, err)
		return
	}
	u.federatedSignIn(rq, ident)
}

// samlMetadata serves the SP metadata of one SAML provider of the pool
// (?provider=NAME), for the IdP's administrator.
func (u *UI) samlMetadata(rq *request) {
	ctx := rq.r.Context()
	name := rq.r.URL.Query().Get("provider")
	idp, err := u.cfg.Dir.IdentityProvider(ctx, rq.pool.ID, name)
	if err != nil || idp.Type != federation.TypeSAML || u.cfg.Upstream == nil {
		http.Error(rq.w, "no SAML identity provider of that name", http.StatusNotFound)
		return
	}
	conn, err := u.cfg.Upstream.Open(ctx, idp, u.site(rq))
	if err != nil {
		u.cfg.Logger.Warn("ui: SAML metadata", "pool", rq.pool.ID, "provider", name, "err", err)
		http.Error(rq.w, "the provider cannot be opened", http.StatusBadGateway)
		return
	}
	md, err := conn.(federation.SAMLConnector).Metadata()
	if err != nil {
		u.cfg.Logger.Error("ui: SAML metadata", "pool", rq.pool.ID, "provider", name, "err", err)
		http.Error(rq.w, "internal error", http.StatusInternalServerError)
		return
	}
	rq.w.Header().Set("Content-Type", "application/samlmetadata+xml")
	rq.w.Header().Set("Cache-Control", "public, max-age=300")
	rq.w.Write(md)
}
