package ui

import (
	"crypto/hmac"
	"net/http"
)

// A redirect to an upstream is bound to the browser that started it: a
// cookie named after the parked request, holding its MAC, must come back
// with the upstream's answer. An answer carried to another browser (an
// attacker's own code and state, to sign a victim in as the attacker) is
// refused. The cookie is SameSite=None when Secure, so that form_post and
// SAML HTTP-POST answers, cross-site POSTs, carry it too; it lives as
// long as the request. Without Secure (dev on http) a browser sends no
// SameSite=None cookie, so there a POSTed answer without it is let
// through.

const upstreamCookiePrefix = "gatehouse_up_"

// upstreamCookieAge is the parked request's lifetime (AuthRequestLifetime).
const upstreamCookieAge = 15 * 60

func (u *UI) bindUpstream(rq *request) {
	same := http.SameSiteLaxMode
	if u.cfg.Secure {
		same = http.SameSiteNoneMode
	}
	http.SetCookie(rq.w, &http.Cookie{Name: upstreamCookiePrefix + rq.areq.ID, Value: u.mac(rq.pool.ID, "upstream:"+rq.areq.ID),
		Path: rq.issuerPath(), MaxAge: upstreamCookieAge, HttpOnly: true, Secure: u.cfg.Secure, SameSite: same})
}

// boundUpstream reports whether the browser holds the cookie of request
// id, and clears it.
func (u *UI) boundUpstream(rq *request, id string) bool {
	c, err := rq.r.Cookie(upstreamCookiePrefix + id)
	if err != nil {
		return !u.cfg.Secure && rq.r.Method == http.MethodPost
	}
	http.SetCookie(rq.w, &http.Cookie{Name: c.Name, Value: "", Path: rq.issuerPath(), MaxAge: -1, HttpOnly: true, Secure: u.cfg.Secure})
	return hmac.Equal([]byte(c.Value), []byte(u.mac(rq.pool.ID, "upstream:"+id)))
}
