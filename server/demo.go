package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Demo is the pool, client and user that dev mode creates, and the demo
// relying party at / signs in with.
type Demo struct {
	PoolID       string
	ClientID     string
	ClientSecret string
	Username     string
	Password     string
	Issuer       string
}

const (
	demoPoolName   = "demo"
	demoClientName = "demo-app"
	demoUsername   = "demo"
	demoPassword   = "Demo-Passw0rd!"
)

// seedDemo makes (or finds, on later starts) the dev pool, a confidential
// client for the demo relying party, a group and a user.
func (s *Server) seedDemo(ctx context.Context) error {
	d := s.Dir
	var pool *storage.Pool
	for after := ""; pool == nil; {
		pools, err := d.ListPools(ctx, after, 100)
		if err != nil {
			return err
		}
		for _, p := range pools {
			if p.Name == demoPoolName {
				pool = p
			}
		}
		if len(pools) < 100 {
			break
		}
		after = pools[len(pools)-1].ID
	}
	var err error
	if pool == nil {
		if pool, err = d.CreatePool(ctx, &storage.Pool{Name: demoPoolName, AutoVerifiedAttributes: []string{"email"}}, ""); err != nil {
			return err
		}
	}
	demo := &Demo{PoolID: pool.ID, Issuer: s.cfg.PublicURL + "/" + pool.ID, Username: demoUsername, Password: demoPassword}
	clients, err := d.ListClients(ctx, pool.ID, "", 0)
	if err != nil {
		return err
	}
	for _, c := range clients {
		if c.Name == demoClientName {
			demo.ClientID = c.ID
			if demo.ClientSecret, err = d.ClientSecret(c); err != nil {
				return err
			}
		}
	}
	if demo.ClientID == "" {
		c := &storage.Client{PoolID: pool.ID, Name: demoClientName,
			CallbackURLs: []string{s.cfg.PublicURL + "/callback"}, LogoutURLs: []string{s.cfg.PublicURL + "/"},
			AllowedOAuthFlows: []string{"code"}, AllowedOAuthFlowsUserPoolClient: true,
			AllowedOAuthScopes:         []string{"openid", "email", "profile", "phone", "aws.cognito.signin.user.admin"},
			SupportedIdentityProviders: []string{"COGNITO"}, EnableTokenRevocation: true,
			ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}
		if demo.ClientSecret, err = d.CreateClient(ctx, c, true); err != nil {
			return err
		}
		demo.ClientID = c.ID
	}
	if _, err := d.GetGroup(ctx, pool.ID, "admins"); errors.Is(err, directory.ErrResourceNotFound) {
		one := int64(1)
		if err := d.CreateGroup(ctx, &storage.Group{PoolID: pool.ID, Name: "admins", Description: "Demo administrators", Precedence: &one}); err != nil {
			return err
		}
	}
	if _, err := d.FindUser(ctx, pool, demoUsername); errors.Is(err, directory.ErrUserNotFound) {
		u, err := d.CreateUser(ctx, pool, directory.NewUser{Username: demoUsername, Password: demoPassword,
			Attributes: map[string]string{"email": "demo@example.com", "email_verified": "true", "given_name": "Demo", "family_name": "User"}})
		if err != nil {
			return err
		}
		if err := d.AddUserToGroup(ctx, pool.ID, "admins", u.Sub); err != nil {
			return err
		}
	}
	s.Demo = demo
	return nil
}

// demoRP is the demo relying party: a plain OIDC client of the demo pool,
// built from golang.org/x/oauth2 and coreos/go-oidc like any real app.
type demoRP struct {
	s        *Server
	once     sync.Once
	provider *oidc.Provider
	err      error
}

func (s *Server) mountDemo(mux *http.ServeMux) {
	rp := &demoRP{s: s}
	mux.HandleFunc("GET /{$}", rp.home)
	mux.HandleFunc("GET /demo/login", rp.login)
	mux.HandleFunc("GET /callback", rp.callback)
}

func (rp *demoRP) oauth(ctx context.Context) (*oauth2.Config, *oidc.Provider, error) {
	rp.once.Do(func() {
		rp.provider, rp.err = oidc.NewProvider(ctx, rp.s.Demo.Issuer)
	})
	if rp.err != nil {
		err := rp.err
		rp.once = sync.Once{} // try discovery again next time
		return nil, nil, err
	}
	return &oauth2.Config{ClientID: rp.s.Demo.ClientID, ClientSecret: rp.s.Demo.ClientSecret,
		Endpoint: rp.provider.Endpoint(), RedirectURL: rp.s.cfg.PublicURL + "/callback",
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}, rp.provider, nil
}

var demoPage = template.Must(template.New("demo").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse demo app</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
pre{background:#f4f5f7;padding:1rem;overflow:auto;border-radius:6px}a.button{display:inline-block;background:#1a5fb4;color:#fff;padding:.6rem 1.2rem;border-radius:4px;text-decoration:none}
[role=alert]{border-left:4px solid #b00020;padding:.5rem 1rem;background:#fdecee}</style></head><body>
<h1>Gatehouse demo relying party</h1>
{{if .Error}}<div role="alert">{{.Error}}</div>{{end}}
{{if .IDToken}}
<p>Signed in as <strong>{{.Username}}</strong>. <a href="{{.Logout}}">Sign out</a></p>
<h2>ID token claims</h2><pre data-testid="id-token">{{.IDToken}}</pre>
<h2>Access token claims</h2><pre data-testid="access-token">{{.AccessToken}}</pre>
<h2>userInfo</h2><pre data-testid="userinfo">{{.UserInfo}}</pre>
{{else}}
<p>This page is an ordinary OpenID Connect client of the demo user pool <code>{{.PoolID}}</code>
(issuer <code>{{.Issuer}}</code>). Sign in as <code>{{.DemoUser}}</code> with password <code>{{.DemoPassword}}</code>.</p>
<p><a class="button" href="/demo/login">Sign in with Gatehouse</a></p>
{{end}}
</body></html>`))

type demoView struct {
	Error, IDToken, AccessToken, UserInfo, Username, Logout string
	PoolID, Issuer, DemoUser, DemoPassword                  string
}

func (rp *demoRP) render(w http.ResponseWriter, status int, v demoView) {
	d := rp.s.Demo
	v.PoolID, v.Issuer, v.DemoUser, v.DemoPassword = d.PoolID, d.Issuer, d.Username, d.Password
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	demoPage.Execute(w, v)
}

func (rp *demoRP) home(w http.ResponseWriter, r *http.Request) {
	rp.render(w, http.StatusOK, demoView{})
}

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

const demoCookie = "gatehouse_demo_flow"

// login starts the code flow with state, nonce and PKCE.
func (rp *demoRP) login(w http.ResponseWriter, r *http.Request) {
	conf, _, err := rp.oauth(r.Context())
	if err != nil {
		rp.render(w, http.StatusBadGateway, demoView{Error: "Discovery failed: " + err.Error()})
		return
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{Name: demoCookie, Value: state + "." + nonce + "." + verifier, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 600})
	http.Redirect(w, r, conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// callback exchanges the code, verifies the ID token and shows the claims.
func (rp *demoRP) callback(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		rp.render(w, http.StatusBadRequest, demoView{Error: e + ": " + q.Get("error_description")})
		return
	}
	c, err := r.Cookie(demoCookie)
	parts := strings.Split(valueOr(c, err), ".")
	if len(parts) != 3 || parts[0] != q.Get("state") {
		rp.render(w, http.StatusBadRequest, demoView{Error: "The state does not match: start again."})
		return
	}
	conf, provider, err := rp.oauth(ctx)
	if err != nil {
		rp.render(w, http.StatusBadGateway, demoView{Error: err.Error()})
		return
	}
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(parts[2]))
	if err != nil {
		rp.render(w, http.StatusBadGateway, demoView{Error: "Code exchange failed: " + err.Error()})
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: conf.ClientID}).Verify(ctx, raw)
	if err != nil || idt.Nonce != parts[1] {
		rp.render(w, http.StatusBadGateway, demoView{Error: "ID token verification failed."})
		return
	}
	var idClaims map[string]any
	idt.Claims(&idClaims)
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	var infoClaims map[string]any
	if err == nil {
		info.Claims(&infoClaims)
	}
	http.SetCookie(w, &http.Cookie{Name: demoCookie, Path: "/", MaxAge: -1})
	logout := rp.s.Demo.Issuer + "/logout?" + url.Values{"client_id": {conf.ClientID}, "logout_uri": {rp.s.cfg.PublicURL + "/"}}.Encode()
	rp.render(w, http.StatusOK, demoView{IDToken: pretty(idClaims), AccessToken: pretty(jwtPayload(tok.AccessToken)),
		UserInfo: pretty(infoClaims), Username: str(idClaims["cognito:username"]), Logout: logout})
}

func valueOr(c *http.Cookie, err error) string {
	if err != nil {
		return ""
	}
	return c.Value
}

func str(v any) string { s, _ := v.(string); return s }

func pretty(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// jwtPayload decodes a JWT's claims for display (the demo shows, it does
// not trust: the access token is for the API, not for the client).
func jwtPayload(token string) map[string]any {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var out map[string]any
	json.Unmarshal(raw, &out)
	return out
}
