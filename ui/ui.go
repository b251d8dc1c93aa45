// Package ui serves the hosted UI: Cognito's sign-in, sign-up,
// confirmation and password-reset pages, and the pages the OAuth endpoints
// show instead of a redirect. Pages are templ components (package
// templates) filled from view structs; assets are embedded (package
// static). Every page works without JavaScript.
//
// The pages complete the OAuth code flow that /oauth2/authorize parks:
//
//	/oauth2/authorize ──► /login?auth_request=ID ──► sign-in (auth.Engine)
//	                          │        │                     │
//	                          │        └─► /forgotPassword   │ new password?
//	                          └─► /signup ─► /confirmUser ───┤
//	                                                         ▼
//	            SSO session started, request marked done ──► /oauth2/authorize?auth_request=ID
//
// Each page carries auth_request, client_id and lang in its links and form
// actions. A page reached with Cognito's authorize parameters instead
// (client_id, redirect_uri, …) goes to /oauth2/authorize first, which
// checks them and parks the request (screen_hint names the page to come
// back to).
//
// Security: a CSRF token on every form (a random cookie and its HMAC in a
// hidden field), SameSite=Lax HttpOnly cookies (Secure on https), a CSP
// with a per-request script nonce, no framing, no referrer, rate limits on
// sign-in and code sending (limits.go), and redirects only to Gatehouse's
// own endpoints, which check the client's registered URLs.
package ui

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/a-h/templ"
	"github.com/gorilla/securecookie"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/sso"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/upstream"
	"github.com/gatehouse-id/gatehouse/static"
	"github.com/gatehouse-id/gatehouse/templates"
)

// Config assembles the UI.
type Config struct {
	Dir    *directory.Directory
	Engine *auth.Engine
	SSO    *sso.Manager
	Issuer func(poolID string) string
	// CSRFKey signs CSRF tokens (32 bytes).
	CSRFKey []byte
	// Secure marks cookies Secure (off only in dev on http).
	Secure bool
	// Limits are the rate limits (limits.go); nil: DefaultLimits. The
	// zero Limits turns them off.
	Limits *Limits
	// Upstream opens the pool's upstream identity providers (federation.go).
	Upstream *upstream.Connectors
	Now      func() time.Time
	Logger   *slog.Logger
}

// UI serves the hosted pages.
type UI struct {
	cfg    Config
	lim    Limits
	limits *limiter
	// signup seals the cookie that lets the confirmation of a sign-up
	// sign the new user in, in the browser that signed up.
	signup *securecookie.SecureCookie
}

// New returns the UI.
func New(cfg Config) *UI {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	u := &UI{cfg: cfg, lim: DefaultLimits, limits: newLimiter(cfg.Now)}
	if cfg.Limits != nil {
		u.lim = *cfg.Limits
	}
	u.signup = securecookie.New(derive(cfg.CSRFKey, "signup cookie hash"), derive(cfg.CSRFKey, "signup cookie block"))
	u.signup.MaxAge(int(signupCookieLifetime / time.Second))
	return u
}

// derive makes a purpose key from the UI's key.
func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("gatehouse ui: " + purpose))
	return m.Sum(nil)
}

// Routes mounts the pages under prefix (the issuer path). pool resolves
// the pool named in the request; nil means 404.
func (u *UI) Routes(mux *http.ServeMux, prefix string, pool func(*http.Request) *storage.Pool) {
	page := func(h func(*request)) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			pl := pool(r)
			if pl == nil {
				http.Error(w, "unknown user pool", http.StatusNotFound)
				return
			}
			h(u.newRequest(w, r, pl))
		})
	}
	mux.Handle("GET "+prefix+"/login", page(u.loginPage))
	mux.Handle("POST "+prefix+"/login", page(u.loginSubmit))
	mux.Handle("GET "+prefix+"/signup", page(u.signUpPage))
	mux.Handle("POST "+prefix+"/signup", page(u.signUpSubmit))
	mux.Handle("GET "+prefix+"/confirmUser", page(u.confirmPage))
	mux.Handle("POST "+prefix+"/confirmUser", page(u.confirmSubmit))
	mux.Handle("GET "+prefix+"/forgotPassword", page(u.forgotPage))
	mux.Handle("POST "+prefix+"/forgotPassword", page(u.forgotSubmit))
	u.routesFederation(mux, prefix, page)
	mux.Handle("GET "+prefix+"/static/{file...}", static.Handler())
	mux.Handle("GET "+prefix+"/branding/{owner}/{file}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pl := pool(r)
		if pl == nil {
			http.NotFound(w, r)
			return
		}
		u.brandingAsset(w, r, pl)
	}))
}

// request is one page request: the pool, the language, the CSP nonce and,
// once flow() found them, the parked authorize request and its client.
type request struct {
	w     http.ResponseWriter
	r     *http.Request
	ctx   context.Context // carries the CSP nonce for templ
	pool  *storage.Pool
	lang  *locale
	nonce string
	csrf  string // this response's CSRF token, once made

	areq   *storage.AuthRequest
	client *storage.Client
}

func (u *UI) newRequest(w http.ResponseWriter, r *http.Request, pool *storage.Pool) *request {
	raw := make([]byte, 18)
	rand.Read(raw)
	nonce := base64.RawURLEncoding.EncodeToString(raw)
	rq := &request{w: w, r: r, pool: pool, lang: negotiate(r), nonce: nonce}
	rq.ctx = templ.WithNonce(r.Context(), nonce)
	securityHeaders(w, nonce, nil, u.cfg.Secure)
	return rq
}

func (rq *request) T(key string, args ...any) string { return rq.lang.T(key, args...) }

// issuerPath is the path of the pool's issuer: links and form actions are
// relative to the host the browser used.
func (rq *request) issuerPath() string { return "/" + rq.pool.ID }

// flowQuery is what every link of the flow carries: the parked request,
// its client and an explicit language.
func (rq *request) flowQuery() url.Values {
	q := url.Values{}
	if rq.areq != nil {
		q.Set("auth_request", rq.areq.ID)
		q.Set("client_id", rq.areq.ClientID)
	}
	if l := rq.r.URL.Query().Get("lang"); l != "" {
		q.Set("lang", l)
	}
	return q
}

// pageURL links to one of the hosted pages, carrying the flow.
func (rq *request) pageURL(page string, extra url.Values) string {
	q := rq.flowQuery()
	for k, v := range extra {
		q[k] = v
	}
	return rq.issuerPath() + "/" + page + "?" + q.Encode()
}

// page fills what every page shares.
func (u *UI) page(rq *request, titleKey string) templates.Page {
	return templates.Page{
		Lang:          rq.lang.Tag,
		Title:         rq.T(titleKey),
		Text:          rq.lang,
		Brand:         u.brand(rq),
		StylesheetURL: rq.issuerPath() + "/static/" + static.Path("css/app.css"),
		ScriptURL:     rq.issuerPath() + "/static/" + static.Path("js/app.js"),
		Languages:     languageLinks(rq),
		CSRFField:     CSRFField,
		CSRF:          u.csrfToken(rq),
	}
}

// languageLinks link to the current page in every language.
func languageLinks(rq *request) []templates.Language {
	out := make([]templates.Language, 0, len(locales))
	for _, l := range locales {
		q := rq.r.URL.Query()
		q.Set("lang", l.Tag)
		out = append(out, templates.Language{Tag: l.Tag, Name: l.Name, URL: rq.r.URL.Path + "?" + q.Encode(), Current: l == rq.lang})
	}
	return out
}

// render writes a page: buffered, so that an error never sends half a
// page, with the CSP that allows the client's callback origins as form
// targets (a form's redirect chain ends there).
func (u *UI) render(rq *request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(rq.ctx, &buf); err != nil {
		u.cfg.Logger.Error("ui: render", "pool", rq.pool.ID, "path", rq.r.URL.Path, "err", err)
		http.Error(rq.w, "Something went wrong.", http.StatusInternalServerError)
		return
	}
	securityHeaders(rq.w, rq.nonce, rq.client, u.cfg.Secure)
	rq.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	rq.w.WriteHeader(status)
	rq.w.Write(buf.Bytes())
}

// message shows a page that only tells something.
func (u *UI) message(rq *request, status int, heading, msg string, alert bool, detail string, links ...templates.Link) {
	v := templates.MessageView{Page: u.page(rq, "page.title.error"), Heading: heading, Message: msg, Alert: alert, Detail: detail, Links: links}
	v.Title = heading
	u.render(rq, status, templates.MessagePage(v))
}

// serverError logs err and shows a generic error page.
func (u *UI) serverError(rq *request, err error) {
	u.cfg.Logger.Error("ui", "pool", rq.pool.ID, "path", rq.r.URL.Path, "err", err)
	u.message(rq, http.StatusInternalServerError, rq.T("error.generic.title"), rq.T("error.generic"), true, "")
}

// flow finds the parked authorize request the page serves and its client.
// It returns false after it wrote a page or a redirect: a link with
// Cognito's authorize parameters goes to /oauth2/authorize to be checked
// and parked (screen_hint brings the user back to this page); an expired
// request is parked again from its own parameters; a missing one is an
// error page.
func (u *UI) flow(rq *request, screen string) bool {
	q := rq.r.URL.Query()
	id := q.Get("auth_request")
	if id == "" {
		if rq.r.Method == http.MethodGet && q.Get("client_id") != "" {
			if screen != "login" {
				q.Set("screen_hint", screen)
			}
			http.Redirect(rq.w, rq.r, u.cfg.Issuer(rq.pool.ID)+"/oauth2/authorize?"+q.Encode(), http.StatusFound)
			return false
		}
		u.message(rq, http.StatusBadRequest, rq.T("error.incomplete_link.title"), rq.T("error.incomplete_link"), true, "")
		return false
	}
	areq, err := u.cfg.Dir.Store().GetAuthRequest(rq.r.Context(), rq.pool.ID, id)
	if errors.Is(err, storage.ErrNotFound) {
		u.message(rq, http.StatusBadRequest, rq.T("error.request_expired.title"), rq.T("error.request_expired"), true, "")
		return false
	}
	if err != nil {
		u.serverError(rq, err)
		return false
	}
	if !u.cfg.Now().Before(areq.ExpiresAt) {
		// Parked again from its own parameters, back to this page.
		form := url.Values(areq.Form)
		if screen != "login" {
			form = cloneValues(form)
			form.Set("screen_hint", screen)
		}
		again := u.cfg.Issuer(rq.pool.ID) + "/oauth2/authorize?" + form.Encode()
		if rq.r.Method == http.MethodGet {
			http.Redirect(rq.w, rq.r, again, http.StatusFound)
			return false
		}
		u.message(rq, http.StatusBadRequest, rq.T("error.request_expired.title"), rq.T("error.request_expired"), true, "",
			templates.Link{Text: rq.T("common.start_again"), URL: again, TestID: "start-again"})
		return false
	}
	client, err := u.cfg.Dir.GetClient(rq.r.Context(), rq.pool.ID, areq.ClientID)
	if err != nil {
		u.message(rq, http.StatusBadRequest, rq.T("oauth.unknown_client.title"), rq.T("oauth.unknown_client.advice"), true, "")
		return false
	}
	rq.areq, rq.client = areq, client
	return true
}

// signedIn finishes a sign-in: it starts the SSO session, marks the parked
// request done for it and returns to /oauth2/authorize, which redirects to
// the client.
func (u *UI) signedIn(rq *request, done *auth.Authenticated) {
	// The session, the request marked done and the sign-in's event (when
	// deferred: loginSubmit) are one transaction.
	areq := rq.areq
	err := u.cfg.Engine.CommitSignIn(rq.r.Context(), func(ctx context.Context) error {
		sess, err := u.cfg.SSO.Start(ctx, rq.w, rq.pool.ID, done.User.Sub, done.AuthTime, done.EventID)
		if err != nil {
			return err
		}
		areq.SessionID, areq.Sub, areq.AuthTime, areq.EventID = sess.ID, done.User.Sub, done.AuthTime, done.EventID
		return u.cfg.Dir.Store().UpdateAuthRequest(ctx, areq)
	})
	if err != nil {
		u.serverError(rq, err)
		return
	}
	http.Redirect(rq.w, rq.r, u.cfg.Issuer(rq.pool.ID)+"/oauth2/authorize?"+url.Values{"auth_request": {areq.ID}}.Encode(), http.StatusFound)
}

// readForm parses a posted form (64 KiB at most); it returns false after
// it wrote an error page. The caller checks the CSRF token next and, when
// it fails, shows its form again with error.csrf (status 403): the page
// carries a fresh token, so submitting again works.
func (u *UI) readForm(rq *request) bool {
	rq.r.Body = http.MaxBytesReader(rq.w, rq.r.Body, 64<<10)
	if err := rq.r.ParseForm(); err != nil {
		u.message(rq, http.StatusBadRequest, rq.T("error.generic.title"), rq.T("error.bad_form"), true, "")
		return false
	}
	return true
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
