// Package ui serves the hosted sign-in pages. This first page set is the
// plain sign-in form that completes the OAuth code flow: username and
// password, a CSRF token, errors in role="alert", and the new-password step
// for users created with a temporary password. Pages work without
// JavaScript.
package ui

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/sso"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Config assembles the UI.
type Config struct {
	Dir    *directory.Directory
	Engine *auth.Engine
	SSO    *sso.Manager
	Issuer func(poolID string) string
	// CSRFKey signs CSRF tokens (32 bytes).
	CSRFKey []byte
	Secure  bool
	Now     func() time.Time
	Logger  *slog.Logger
}

// UI serves the hosted pages.
type UI struct{ cfg Config }

// New returns the UI.
func New(cfg Config) *UI {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &UI{cfg: cfg}
}

// Routes mounts the pages under prefix (the issuer path).
func (u *UI) Routes(mux *http.ServeMux, prefix string, pool func(*http.Request) *storage.Pool) {
	wrap := func(h func(http.ResponseWriter, *http.Request, *storage.Pool)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			pl := pool(r)
			if pl == nil {
				http.Error(w, "unknown user pool", http.StatusNotFound)
				return
			}
			securityHeaders(w)
			h(w, r, pl)
		}
	}
	mux.Handle("GET "+prefix+"/login", wrap(u.loginPage))
	mux.Handle("POST "+prefix+"/login", wrap(u.loginSubmit))
}

func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
}

// ---- CSRF: a random cookie and a form field that is its HMAC ----

const csrfCookie = "gatehouse_csrf"

// CSRFField is the hidden form field carrying the CSRF token.
const CSRFField = "_csrf"

func (u *UI) csrfToken(w http.ResponseWriter, r *http.Request, poolID string) string {
	var seed string
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		seed = c.Value
	} else {
		raw := make([]byte, 32)
		rand.Read(raw)
		seed = base64.RawURLEncoding.EncodeToString(raw)
		http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: seed, Path: "/" + poolID, HttpOnly: true,
			Secure: u.cfg.Secure, SameSite: http.SameSiteLaxMode})
	}
	return u.mac(seed)
}

func (u *UI) mac(seed string) string {
	m := hmac.New(sha256.New, u.cfg.CSRFKey)
	m.Write([]byte("csrf:" + seed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (u *UI) csrfOK(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(u.mac(c.Value)), []byte(r.PostFormValue(CSRFField)))
}

// ---- the sign-in page ----

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,sans-serif;background:#f4f5f7;color:#1a1a1a;margin:0}
main{max-width:24rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin-top:0}label{display:block;margin:1rem 0 .25rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #767676;border-radius:4px;font-size:1rem}
input:focus,button:focus{outline:3px solid #1a5fb4;outline-offset:2px}
button{margin-top:1.5rem;width:100%;padding:.7rem;background:#1a5fb4;color:#fff;border:0;border-radius:4px;font-size:1rem;cursor:pointer}
[role=alert]{border-left:4px solid #b00020;padding:.5rem 1rem;background:#fdecee;margin-bottom:1rem}
</style></head><body><main>
<h1>{{.Title}}</h1>
{{if .Error}}<div role="alert" id="form-error" data-testid="error">{{.Error}}</div>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="{{.CSRFField}}" value="{{.CSRF}}">
{{if .Session}}
<input type="hidden" name="session" value="{{.Session}}">
<input type="hidden" name="username" value="{{.Username}}">
<p>Please choose a new password.</p>
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required{{if .Error}} aria-describedby="form-error"{{end}}>
{{range .Required}}<label for="attr-{{.}}">{{.}}</label><input id="attr-{{.}}" name="{{.}}" type="text" required>{{end}}
<button type="submit">Set password and sign in</button>
{{else}}
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" required value="{{.Username}}"{{if .Error}} aria-describedby="form-error"{{end}}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
{{end}}
</form></main></body></html>`))

type pageView struct {
	Title, Error, Action, CSRF, CSRFField, Username, Session string
	Required                                                 []string
}

func (u *UI) render(w http.ResponseWriter, status int, v pageView) {
	v.CSRFField = CSRFField
	if v.Title == "" {
		v.Title = "Sign in"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pageTmpl.Execute(w, v); err != nil {
		u.cfg.Logger.Error("render", "err", err)
	}
}

// loginPage shows the form. Without a parked request it forwards the
// query to /oauth2/authorize, as Cognito's /login takes the same
// parameters.
func (u *UI) loginPage(w http.ResponseWriter, r *http.Request, pool *storage.Pool) {
	q := r.URL.Query()
	if q.Get("auth_request") == "" {
		if q.Get("client_id") == "" {
			u.render(w, http.StatusBadRequest, pageView{Title: "Sign in", Error: "This sign-in link is incomplete: it must come from an application's sign-in button."})
			return
		}
		http.Redirect(w, r, u.cfg.Issuer(pool.ID)+"/oauth2/authorize?"+q.Encode(), http.StatusFound)
		return
	}
	u.render(w, http.StatusOK, pageView{Action: r.URL.RequestURI(), CSRF: u.csrfToken(w, r, pool.ID)})
}

// errorText is the one table from engine errors to what the page says.
// Unknown users and wrong passwords read the same (no user enumeration).
func errorText(err error) string {
	var de *directory.Error
	if !errors.As(err, &de) {
		return "Something went wrong. Please try again."
	}
	switch de.Kind {
	case directory.KindNotAuthorized, directory.KindUserNotFound:
		if de.Msg == "Password attempts exceeded" {
			return "Too many failed attempts. Wait a moment and try again."
		}
		if de.Msg == "User is disabled." {
			return "This account is disabled."
		}
		return "Incorrect username or password."
	case directory.KindUserNotConfirmed:
		return "This account is not confirmed yet."
	case directory.KindPasswordResetRequired:
		return "You must reset your password before you can sign in."
	case directory.KindInvalidPassword, directory.KindInvalidParameter:
		return de.Msg
	}
	return "Something went wrong. Please try again."
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// loginSubmit runs the sign-in (or the new-password step) through the
// engine, starts the SSO session and returns to /oauth2/authorize.
func (u *UI) loginSubmit(w http.ResponseWriter, r *http.Request, pool *storage.Pool) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		u.render(w, http.StatusBadRequest, pageView{Error: "The form could not be read."})
		return
	}
	view := pageView{Action: r.URL.RequestURI(), CSRF: u.csrfToken(w, r, pool.ID), Username: r.PostForm.Get("username")}
	if !u.csrfOK(r) {
		view.Error = "Your session expired. Please try again."
		u.render(w, http.StatusForbidden, view)
		return
	}
	areq, err := u.cfg.Dir.Store().GetAuthRequest(ctx, pool.ID, r.URL.Query().Get("auth_request"))
	if err != nil || !u.cfg.Now().Before(areq.ExpiresAt) {
		view.Error = "This sign-in request has expired. Go back to the application and try again."
		u.render(w, http.StatusBadRequest, view)
		return
	}
	client, err := u.cfg.Dir.GetClient(ctx, pool.ID, areq.ClientID)
	if err != nil {
		view.Error = "This application is not registered."
		u.render(w, http.StatusBadRequest, view)
		return
	}
	var step *auth.Step
	if s := r.PostForm.Get("session"); s != "" {
		responses := map[string]string{"USERNAME": view.Username, "NEW_PASSWORD": r.PostForm.Get("password")}
		for _, name := range directory.RequiredAttributes(pool) {
			if v := r.PostForm.Get(name); v != "" {
				responses["userAttributes."+name] = v
			}
		}
		step, err = u.cfg.Engine.Respond(ctx, pool, client, auth.ChallengeNewPasswordRequired, s, responses, clientIP(r))
		if err != nil {
			view.Session, view.Title = s, "Choose a new password"
		}
	} else {
		step, err = u.cfg.Engine.Start(ctx, auth.Request{Pool: pool, Client: client, Flow: auth.FlowHostedUI,
			Params: map[string]string{"USERNAME": view.Username, "PASSWORD": r.PostForm.Get("password")}, IP: clientIP(r)})
	}
	if err != nil {
		view.Error = errorText(err)
		u.render(w, http.StatusBadRequest, view)
		return
	}
	if step.Challenge == auth.ChallengeNewPasswordRequired {
		view.Title, view.Session = "Choose a new password", step.Session
		var required []string
		json.Unmarshal([]byte(step.ChallengeParams["requiredAttributes"]), &required)
		for _, name := range required {
			view.Required = append(view.Required, strings.TrimPrefix(name, "userAttributes."))
		}
		u.render(w, http.StatusOK, view)
		return
	}
	done := step.Done
	sess, err := u.cfg.SSO.Start(ctx, w, pool.ID, done.User.Sub, done.AuthTime, done.EventID)
	if err != nil {
		u.cfg.Logger.Error("start session", "pool", pool.ID, "err", err)
		view.Error = "Something went wrong. Please try again."
		u.render(w, http.StatusInternalServerError, view)
		return
	}
	areq.SessionID, areq.Sub, areq.AuthTime, areq.EventID = sess.ID, done.User.Sub, done.AuthTime, done.EventID
	if err := u.cfg.Dir.Store().UpdateAuthRequest(ctx, areq); err != nil {
		u.cfg.Logger.Error("update auth request", "pool", pool.ID, "err", err)
		view.Error = "Something went wrong. Please try again."
		u.render(w, http.StatusInternalServerError, view)
		return
	}
	http.Redirect(w, r, u.cfg.Issuer(pool.ID)+"/oauth2/authorize?"+url.Values{"auth_request": {areq.ID}}.Encode(), http.StatusFound)
}
