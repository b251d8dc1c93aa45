package oauth

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// logout is /logout. It ends the SSO session, then:
//
//   - client_id + logout_uri (Cognito): redirects to logout_uri, which must
//     be one of the client's LogoutURLs;
//   - client_id + redirect_uri + response_type (Cognito's "sign out, then
//     sign in again"): redirects to /oauth2/authorize with those
//     parameters; redirect_uri must be one of the client's CallbackURLs;
//   - id_token_hint + post_logout_redirect_uri + state (OpenID Connect
//     RP-Initiated Logout 1.0 §2): redirects to post_logout_redirect_uri,
//     one of the LogoutURLs of the token's client, with state;
//   - no target: shows the signed-out page.
//
// Any URL not registered for the client gets an error page, never a
// redirect, and the session is then left as it was.
func (p *Provider) logout(w http.ResponseWriter, r *http.Request, pool *storage.Pool) {
	ctx := r.Context()
	q := r.URL.Query()
	clientID := q.Get("client_id")
	target := q.Get("logout_uri")
	state := ""
	invalid := func(detail string) {
		p.show(w, r, Page{Status: http.StatusBadRequest, Kind: KindLogoutInvalid, Title: "The sign-out request is not valid.",
			Advice: "The sign-out link must carry client_id with logout_uri (or redirect_uri), or id_token_hint with post_logout_redirect_uri.",
			Detail: detail, ClientID: clientID})
	}
	if hint := q.Get("id_token_hint"); hint != "" {
		claims, err := p.cfg.Minter.VerifyAllowExpired(ctx, pool.ID, hint)
		if err != nil || tokens.StringClaim(claims, "iss") != p.cfg.Issuer(pool.ID) || tokens.StringClaim(claims, "token_use") != "id" {
			p.show(w, r, Page{Status: http.StatusBadRequest, Kind: KindLogoutHintWrong, Title: "The sign-out request is not valid.",
				Advice: "The id_token_hint is not an ID token issued by this user pool.", ClientID: clientID})
			return
		}
		aud := tokens.StringClaim(claims, "aud")
		if clientID != "" && clientID != aud {
			invalid("client_id does not match the id_token_hint's audience.")
			return
		}
		clientID = aud
		target = q.Get("post_logout_redirect_uri")
		state = q.Get("state")
	}
	if clientID == "" {
		invalid("")
		return
	}
	c, err := p.dir.GetClient(ctx, pool.ID, clientID)
	if err != nil {
		p.show(w, r, Page{Status: http.StatusBadRequest, Kind: KindLogoutNoClient, Title: "This application is not registered.",
			Advice: "The client_id in the sign-out link does not name an app client of this user pool."})
		return
	}
	var signInAgain url.Values
	if target == "" && q.Get("id_token_hint") == "" && q.Get("redirect_uri") != "" {
		if !slices.Contains(c.CallbackURLs, q.Get("redirect_uri")) {
			pg := explain(errRedirectNotRegistered)
			pg.Status, pg.ClientID = http.StatusBadRequest, c.ID
			p.show(w, r, pg)
			return
		}
		signInAgain = url.Values{}
		for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "lang", "nonce",
			"code_challenge", "code_challenge_method", "identity_provider"} {
			if v := q.Get(k); v != "" {
				signInAgain.Set(k, v)
			}
		}
		if signInAgain.Get("response_type") == "" {
			signInAgain.Set("response_type", "code")
		}
	}
	if target != "" && !slices.Contains(c.LogoutURLs, target) {
		p.show(w, r, Page{Status: http.StatusBadRequest, Kind: KindLogoutBadURL, Title: "The sign-out URL is not allowed.", ClientID: c.ID,
			Advice: "The logout URL in the link is not one of the app client's LogoutURLs, character for character. The app developer must register it."})
		return
	}
	sess, err := p.cfg.SSO.Current(r, pool.ID)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	if err := p.cfg.SSO.End(w, r, pool.ID); err != nil {
		p.serverError(w, r, err)
		return
	}
	switch {
	case signInAgain != nil:
		target = p.cfg.Issuer(pool.ID) + "/oauth2/authorize?" + signInAgain.Encode()
	case target != "" && state != "":
		u, _ := url.Parse(target)
		v := u.Query()
		v.Set("state", state)
		u.RawQuery = v.Encode()
		target = u.String()
	}
	// A user who signed in at a SAML IdP with single logout is signed out
	// there too, then comes back to target.
	if sess != nil && p.cfg.UpstreamLogout != nil && p.cfg.UpstreamLogout(w, r, pool, sess.Sub, c.ID, target) {
		return
	}
	if target == "" {
		p.show(w, r, Page{Status: http.StatusOK, Kind: KindSignedOut, Title: "You are signed out.", Advice: "You can close this window.", ClientID: c.ID})
		return
	}
	http.Redirect(w, r, target, http.StatusFound)
}
