package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ory/fosite"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// AuthRequestParam names the parked authorize request in /login links and
// in the return to /oauth2/authorize.
const AuthRequestParam = "auth_request"

// errRedirectNotRegistered answers a redirect_uri that is not one of the
// client's callback URLs.
var errRedirectNotRegistered = fosite.ErrInvalidRequest.WithHint("The redirect_uri is not registered.")

// authorize is /oauth2/authorize (RFC 6749 §4.1.1, OIDC Core §3.1.2).
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request, pool *storage.Pool) {
	if id := r.URL.Query().Get(AuthRequestParam); id != "" {
		p.resume(w, r, pool, id)
		return
	}
	ctx := r.Context()
	ar, err := p.fosite.NewAuthorizeRequest(ctx, r)
	if err != nil {
		p.authorizeError(w, r, ar, err)
		return
	}
	// Exact matching, as Cognito: fosite would also accept any port on a
	// loopback IP (RFC 8252 §7.3), which a registered URL does not promise.
	if ru := ar.GetRequestForm().Get("redirect_uri"); ru != "" && !slices.Contains(ar.GetClient().GetRedirectURIs(), ru) {
		pg := explain(errRedirectNotRegistered)
		pg.Status, pg.ClientID = http.StatusBadRequest, ar.GetClient().GetID()
		p.show(w, r, pg)
		return
	}
	if err := p.precheck(ar); err != nil {
		p.authorizeError(w, r, ar, err)
		return
	}
	upstream, err := p.upstreamProvider(ctx, pool, ar)
	if err != nil {
		p.authorizeError(w, r, ar, err)
		return
	}
	sess, err := p.cfg.SSO.Current(r, pool.ID)
	if err != nil {
		p.authorizeError(w, r, ar, fosite.ErrServerError.WithWrap(err))
		return
	}
	form := ar.GetRequestForm()
	prompts := strings.Fields(form.Get("prompt"))
	now := p.cfg.Now().UTC()
	needLogin := sess == nil || slices.Contains(prompts, "login")
	if sess != nil && form.Get("max_age") != "" {
		maxAge, err := strconv.Atoi(form.Get("max_age"))
		if err != nil || maxAge < 0 {
			p.authorizeError(w, r, ar, fosite.ErrInvalidRequest.WithHint("max_age must be a number of seconds."))
			return
		}
		if now.Sub(sess.AuthTime) > time.Duration(maxAge)*time.Second {
			needLogin = true
		}
	}
	if needLogin {
		if slices.Contains(prompts, "none") {
			p.authorizeError(w, r, ar, fosite.ErrLoginRequired.WithHint("The user is not signed in and prompt=none forbids asking."))
			return
		}
		p.park(w, r, pool, ar, upstream)
		return
	}
	p.finish(w, r, pool, ar, sess.Sub, sess.AuthTime, sess.EventID, now)
}

// precheck refuses early what fosite checks only after sign-in: PKCE must
// use S256 (Cognito refuses plain) and public clients must send it.
func (p *Provider) precheck(ar fosite.AuthorizeRequester) error {
	form := ar.GetRequestForm()
	challenge, method := form.Get("code_challenge"), form.Get("code_challenge_method")
	switch {
	case challenge == "" && method != "":
		return fosite.ErrInvalidRequest.WithHint("code_challenge_method was given without code_challenge.")
	case challenge != "" && method != "S256":
		return fosite.ErrInvalidRequest.WithHint("Only code_challenge_method=S256 is supported.")
	case challenge == "" && ar.GetClient().IsPublic():
		return fosite.ErrInvalidRequest.WithHint("Public clients must use PKCE with code_challenge_method=S256.")
	}
	return nil
}

// upstreamProvider is the upstream identity provider the request names
// (identity_provider other than COGNITO, or idp_identifier), "" for none.
// The client must allow it (SupportedIdentityProviders).
func (p *Provider) upstreamProvider(ctx context.Context, pool *storage.Pool, ar fosite.AuthorizeRequester) (string, error) {
	form := ar.GetRequestForm()
	name, ident := form.Get("identity_provider"), form.Get("idp_identifier")
	if name == "COGNITO" || name == "" && ident == "" {
		return "", nil
	}
	c, _ := ar.GetClient().(*client)
	if name == "" {
		idp, err := p.dir.IdentityProviderByIdentifier(ctx, pool.ID, ident)
		if directory.KindOf(err) == directory.KindResourceNotFound || err == nil && (c == nil || !slices.Contains(c.c.SupportedIdentityProviders, idp.Name)) {
			return "", fosite.ErrInvalidRequest.WithHintf("No identity provider of this client has the identifier %q.", ident)
		}
		if err != nil {
			return "", fosite.ErrServerError.WithWrap(err)
		}
		name = idp.Name
	}
	if c == nil || !slices.Contains(c.c.SupportedIdentityProviders, name) || p.cfg.StartUpstream == nil {
		return "", fosite.ErrInvalidRequest.WithHintf("The identity provider %q is not configured for this client.", name)
	}
	return name, nil
}

// park stores the request and sends the browser to the sign-in page, or
// straight to the upstream identity provider the request names.
func (p *Provider) park(w http.ResponseWriter, r *http.Request, pool *storage.Pool, ar fosite.AuthorizeRequester, upstream string) {
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		p.authorizeError(w, r, ar, fosite.ErrServerError.WithWrap(err))
		return
	}
	now := p.cfg.Now().UTC()
	areq := &storage.AuthRequest{PoolID: pool.ID, ID: base64.RawURLEncoding.EncodeToString(raw), ClientID: ar.GetClient().GetID(),
		Form: ar.GetRequestForm(), CreatedAt: now, ExpiresAt: now.Add(AuthRequestLifetime)}
	if err := p.store.CreateAuthRequest(r.Context(), areq); err != nil {
		p.authorizeError(w, r, ar, fosite.ErrServerError.WithWrap(err))
		return
	}
	if upstream != "" {
		p.cfg.StartUpstream(w, r, pool, areq, upstream)
		return
	}
	http.Redirect(w, r, p.cfg.Issuer(pool.ID)+screenPath(areq.Form)+"?"+loginQuery(areq).Encode(), http.StatusFound)
}

// screenPath is the hosted page a parked request starts at: the sign-in
// page, or the one screen_hint names (the sign-up and password-reset pages
// send Cognito-style links here with it, to come back once the request is
// checked and parked).
func screenPath(form url.Values) string {
	switch form.Get("screen_hint") {
	case "signup":
		return "/signup"
	case "forgotPassword":
		return "/forgotPassword"
	case "confirmUser":
		return "/confirmUser"
	}
	return "/login"
}

// loginQuery is the query of a hosted page serving areq: the request, its
// client and the language asked for.
func loginQuery(areq *storage.AuthRequest) url.Values {
	q := url.Values{AuthRequestParam: {areq.ID}, "client_id": {areq.ClientID}}
	if lang := url.Values(areq.Form).Get("lang"); lang != "" {
		q.Set("lang", lang)
	}
	return q
}

// resume finishes a parked request once the sign-in page has marked it done
// for the session this browser holds.
func (p *Provider) resume(w http.ResponseWriter, r *http.Request, pool *storage.Pool, id string) {
	ctx := r.Context()
	areq, err := p.store.GetAuthRequest(ctx, pool.ID, id)
	if errors.Is(err, storage.ErrNotFound) || err == nil && !p.cfg.Now().Before(areq.ExpiresAt) {
		p.show(w, r, Page{Status: http.StatusBadRequest, Kind: KindRequestExpired,
			Title: "This sign-in request has expired or was already used.", Advice: "Go back to the application and start signing in again."})
		return
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	sess, err := p.cfg.SSO.Current(r, pool.ID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	if sess == nil || areq.SessionID == "" || areq.SessionID != sess.ID {
		// Not signed in for this request (yet): back to the sign-in page.
		http.Redirect(w, r, p.cfg.Issuer(pool.ID)+"/login?"+loginQuery(areq).Encode(), http.StatusFound)
		return
	}
	if err := p.store.DeleteAuthRequest(ctx, pool.ID, id); err != nil {
		// Someone else finished it first: a replayed link.
		p.show(w, r, Page{Status: http.StatusBadRequest, Kind: KindRequestUsed, ClientID: areq.ClientID,
			Title: "This sign-in request was already used.", Advice: "Go back to the application and sign in again."})
		return
	}
	r2 := r.Clone(ctx)
	r2.Method = http.MethodGet
	r2.URL.RawQuery = url.Values(areq.Form).Encode()
	r2.Form, r2.PostForm, r2.Body = nil, nil, http.NoBody
	ar, err := p.fosite.NewAuthorizeRequest(ctx, r2)
	if err != nil {
		p.authorizeError(w, r2, ar, err)
		return
	}
	p.finish(w, r2, pool, ar, areq.Sub, areq.AuthTime, areq.EventID, areq.CreatedAt)
}

// finish grants the request for a signed-in user and redirects back to the
// client with a code.
func (p *Provider) finish(w http.ResponseWriter, r *http.Request, pool *storage.Pool, ar fosite.AuthorizeRequester,
	sub string, authTime time.Time, eventID string, requestedAt time.Time) {
	ctx := r.Context()
	user, err := p.dir.GetUserBySub(ctx, pool.ID, sub)
	if err != nil || !user.Enabled {
		p.authorizeError(w, r, ar, fosite.ErrAccessDenied.WithHint("The user cannot sign in."))
		return
	}
	scopes := ar.GetRequestedScopes()
	if len(scopes) == 0 {
		// Cognito grants all the client's scopes when none are asked for.
		scopes = ar.GetClient().GetScopes()
	}
	for _, s := range scopes {
		ar.GrantScope(s)
	}
	sess := newSession(tokens.SessionData{Sub: user.Sub, Username: user.Username, AuthTime: authTime.UTC().Truncate(time.Second),
		RequestedAt: requestedAt.UTC().Truncate(time.Second), EventID: eventID, Nonce: ar.GetRequestForm().Get("nonce")})
	resp, err := p.fosite.NewAuthorizeResponse(ctx, ar, sess)
	if err != nil {
		p.authorizeError(w, r, ar, err)
		return
	}
	p.fosite.WriteAuthorizeResponse(ctx, w, ar, resp)
}

// authorizeError redirects the error to the client when the redirect URI
// is known good, and otherwise shows the user an error page: an unknown
// client or redirect URI must never cause a redirect (RFC 6749 §4.1.2.1).
func (p *Provider) authorizeError(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, err error) {
	rfc := fosite.ErrorToRFC6749Error(err)
	if rfc.CodeField >= 500 {
		p.cfg.Logger.Error("authorize", "err", err, "debug", rfc.DebugField)
	}
	if ar != nil && ar.IsRedirectURIValid() {
		p.fosite.WriteAuthorizeError(r.Context(), w, ar, err)
		return
	}
	pg := explain(rfc)
	pg.Status = rfc.CodeField
	if ar != nil && ar.GetClient() != nil {
		pg.ClientID = ar.GetClient().GetID()
	}
	p.show(w, r, pg)
}

// explain turns an authorize error the user sees into plain words for the
// app developer who must fix it; fosite's hint is the detail.
func explain(e *fosite.RFC6749Error) Page {
	hint := strings.TrimSpace(e.HintField)
	switch e.ErrorField {
	case fosite.ErrInvalidClient.ErrorField:
		return Page{Kind: KindUnknownClient, Title: "This application is not registered.", Detail: hint,
			Advice: "The client_id in the sign-in link does not name an app client of this user pool. The app developer must use the client id shown by DescribeUserPoolClient."}
	case fosite.ErrInvalidRequest.ErrorField:
		if strings.Contains(hint, "redirect") {
			return Page{Kind: KindBadRedirect, Title: "The redirect URL is not allowed.", Detail: hint,
				Advice: "The redirect_uri in the sign-in link is not one of the app client's callback URLs, character for character. The app developer must add it to CallbackURLs or fix the link."}
		}
	case fosite.ErrUnsupportedResponseType.ErrorField, fosite.ErrUnauthorizedClient.ErrorField:
		return Page{Kind: KindFlowNotAllowed, Title: "This application may not sign users in here.", Detail: hint,
			Advice: "The app client does not allow this OAuth flow. The app developer must enable AllowedOAuthFlowsUserPoolClient and the code flow for it."}
	case fosite.ErrInvalidScope.ErrorField:
		return Page{Kind: KindBadScope, Title: "The application asked for a scope it is not allowed.", Detail: hint,
			Advice: "The scope in the sign-in link names a scope the app client is not allowed. The app developer must add it to AllowedOAuthScopes or remove it from the link."}
	}
	return Page{Kind: KindInvalidRequest, Title: "The sign-in request is not valid.", Detail: strings.TrimSpace(e.DescriptionField + " " + hint),
		Advice: "The sign-in link is missing a parameter or has a wrong one. The app developer must fix the link."}
}

func (p *Provider) serverError(w http.ResponseWriter, r *http.Request, err error) {
	p.cfg.Logger.Error("oauth", "path", r.URL.Path, "err", err)
	p.show(w, r, Page{Status: http.StatusInternalServerError, Kind: KindServerError, Title: "Something went wrong.", Advice: "Please try again in a moment."})
}
