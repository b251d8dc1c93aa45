package oauth

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// logout is /logout: Cognito's client_id + logout_uri, and OpenID Connect
// RP-initiated logout (id_token_hint + post_logout_redirect_uri + state).
// It ends the SSO session and redirects only to a registered logout URL;
// any other URL gets an error page, never a redirect.
func (p *Provider) logout(w http.ResponseWriter, r *http.Request, pool *storage.Pool) {
	ctx := r.Context()
	q := r.URL.Query()
	clientID := q.Get("client_id")
	target := q.Get("logout_uri")
	state := ""
	if hint := q.Get("id_token_hint"); hint != "" {
		claims, err := p.cfg.Minter.VerifyAllowExpired(ctx, pool.ID, hint)
		if err != nil || tokens.StringClaim(claims, "iss") != p.cfg.Issuer(pool.ID) || tokens.StringClaim(claims, "token_use") != "id" {
			p.errorPage(w, r, http.StatusBadRequest, "The sign-out request is not valid.",
				"The id_token_hint is not an ID token issued by this user pool.")
			return
		}
		aud := tokens.StringClaim(claims, "aud")
		if clientID != "" && clientID != aud {
			p.errorPage(w, r, http.StatusBadRequest, "The sign-out request is not valid.", "client_id does not match the id_token_hint's audience.")
			return
		}
		clientID = aud
		target = q.Get("post_logout_redirect_uri")
		state = q.Get("state")
	}
	if clientID == "" {
		p.errorPage(w, r, http.StatusBadRequest, "The sign-out request is not valid.",
			"The sign-out link must carry client_id (with logout_uri) or id_token_hint (with post_logout_redirect_uri).")
		return
	}
	c, err := p.dir.GetClient(ctx, pool.ID, clientID)
	if err != nil {
		p.errorPage(w, r, http.StatusBadRequest, "This application is not registered.",
			"The client_id in the sign-out link does not name an app client of this user pool.")
		return
	}
	if target != "" && !slices.Contains(c.LogoutURLs, target) {
		p.errorPage(w, r, http.StatusBadRequest, "The sign-out URL is not allowed.",
			"The logout URL in the link is not one of the app client's LogoutURLs, character for character. The app developer must register it.")
		return
	}
	if err := p.cfg.SSO.End(w, r, pool.ID); err != nil {
		p.serverError(w, r, err)
		return
	}
	if target == "" {
		p.errorPage(w, r, http.StatusOK, "You are signed out.", "You can close this window.")
		return
	}
	if state != "" {
		u, _ := url.Parse(target)
		v := u.Query()
		v.Set("state", state)
		u.RawQuery = v.Encode()
		target = u.String()
	}
	http.Redirect(w, r, target, http.StatusFound)
}
