package ui

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// securityHeaders sets the headers of every hosted-UI response. The CSP
// allows scripts only with the request's nonce, styles, images and fonts
// from Gatehouse itself (the embedded assets and the branding's files),
// and forms that post to Gatehouse; a form's redirect chain ends at the
// client's callback, which browsers check against form-action too, so the
// client's callback origins are allowed there.
func securityHeaders(w http.ResponseWriter, nonce string, client *storage.Client, secure bool) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp(nonce, client))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
	h.Set("Cache-Control", "no-store")
	if secure {
		h.Set("Strict-Transport-Security", "max-age=63072000")
	}
}

func csp(nonce string, client *storage.Client) string {
	formAction := []string{"'self'"}
	if client != nil {
		for _, cb := range client.CallbackURLs {
			if src := cspSource(cb); src != "" && !slices.Contains(formAction, src) {
				formAction = append(formAction, src)
			}
		}
	}
	return "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
		"connect-src 'self'; manifest-src 'self'; form-action " + strings.Join(formAction, " ") +
		"; frame-ancestors 'none'; base-uri 'none'"
}

// cspSource is the CSP source expression of a callback URL: its origin for
// http(s), its scheme for a native app's custom scheme; "" for anything
// that cannot be written safely in a header.
func cspSource(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	for _, c := range scheme {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return ""
		}
	}
	if scheme != "http" && scheme != "https" {
		return scheme + ":"
	}
	if u.Host == "" || strings.ContainsAny(u.Host, " ;,'\"") {
		return ""
	}
	return scheme + "://" + u.Host
}

// ---- CSRF: a random cookie and a form field that is its HMAC ----

const csrfCookie = "gatehouse_csrf"

// CSRFField is the hidden form field carrying the CSRF token.
const CSRFField = "_csrf"

// csrfToken returns the token for the request's CSRF cookie, setting a new
// cookie when there is none. The cookie is scoped to the pool's path.
func (u *UI) csrfToken(rq *request) string {
	if rq.csrf != "" {
		return rq.csrf
	}
	var seed string
	if c, err := rq.r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		seed = c.Value
	} else {
		raw := make([]byte, 32)
		rand.Read(raw)
		seed = base64.RawURLEncoding.EncodeToString(raw)
		http.SetCookie(rq.w, &http.Cookie{Name: csrfCookie, Value: seed, Path: rq.issuerPath(), HttpOnly: true,
			Secure: u.cfg.Secure, SameSite: http.SameSiteLaxMode})
	}
	rq.csrf = u.mac(rq.pool.ID, seed)
	return rq.csrf
}

func (u *UI) mac(poolID, seed string) string {
	m := hmac.New(sha256.New, u.cfg.CSRFKey)
	m.Write([]byte("csrf:" + poolID + ":" + seed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfOK checks the posted token against the cookie, and the Origin
// header, when the browser sent one, against the request's own host.
func (u *UI) csrfOK(rq *request) bool {
	if o := rq.r.Header.Get("Origin"); o != "" && o != "null" {
		ou, err := url.Parse(o)
		if err != nil || !strings.EqualFold(ou.Host, rq.r.Host) {
			return false
		}
	}
	c, err := rq.r.Cookie(csrfCookie)
	if err != nil || len(c.Value) < 32 {
		return false
	}
	return hmac.Equal([]byte(u.mac(rq.pool.ID, c.Value)), []byte(rq.r.PostFormValue(CSRFField)))
}
