package federationtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// GraphAPI is a Facebook-shaped OAuth 2.0 server on loopback, at any API
// version in the path:
//
//	GET  /{v}/dialog/oauth          login page (username, password, action=login|cancel)
//	GET  /{v}/oauth/access_token    code → {"access_token","token_type","expires_in"}
//	GET  /{v}/me?fields&access_token&appsecret_proof
//
// A cancelled login redirects with error=access_denied&error_reason=user_denied,
// as Facebook does.
type GraphAPI struct {
	faultSwitch
	URL    string
	Server *httptest.Server

	mu      sync.Mutex
	apps    map[string]graphApp
	users   map[string]*User
	pending map[string]url.Values
	codes   map[string]graphCode
	tokens  map[string]graphToken
	fields  [][]string
}

type graphApp struct {
	secret    string
	redirects []string
}

type graphCode struct {
	appID, userID, redirect, challenge string
}

type graphToken struct{ appID, userID string }

// NewGraphAPI starts the server; it stops with the test.
func NewGraphAPI(t testing.TB) *GraphAPI {
	g := &GraphAPI{apps: map[string]graphApp{}, users: map[string]*User{}, pending: map[string]url.Values{},
		codes: map[string]graphCode{}, tokens: map[string]graphToken{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{v}/dialog/oauth", g.dialog)
	mux.HandleFunc("POST /{v}/dialog/login", g.login)
	mux.HandleFunc("GET /{v}/oauth/access_token", g.token)
	mux.HandleFunc("GET /{v}/me", g.me)
	g.Server = httptest.NewServer(g.wrap(mux))
	t.Cleanup(g.Server.Close)
	g.URL = g.Server.URL
	return g
}

// AddApp registers an app (client).
func (g *GraphAPI) AddApp(id, secret string, redirectURIs ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.apps[id] = graphApp{secret: secret, redirects: redirectURIs}
}

// AddUser adds a user; ID is the Graph id.
func (g *GraphAPI) AddUser(u User) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.users[u.ID] = &u
}

// Fields returns the fields each /me call asked for.
func (g *GraphAPI) Fields() [][]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.fields)
}

func graphError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": "OAuthException", "code": 100}})
}

var graphLogin = template.Must(template.New("l").Parse(`<!doctype html><title>Log in to Facebook</title>
<form method="post" action="login"><input type="hidden" name="req" value="{{.}}">
<input name="email"> <input type="password" name="pass">
<button type="submit" name="action" value="login">Log in</button>
<button type="submit" name="action" value="cancel">Not now</button></form>`))

func (g *GraphAPI) dialog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	g.mu.Lock()
	app, ok := g.apps[q.Get("client_id")]
	g.mu.Unlock()
	if !ok || !slices.Contains(app.redirects, q.Get("redirect_uri")) || q.Get("response_type") != "code" {
		http.Error(w, "bad app, redirect_uri or response_type", http.StatusBadRequest)
		return
	}
	if q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256" {
		http.Error(w, "bad code_challenge_method", http.StatusBadRequest)
		return
	}
	id := uuid.NewString()
	g.mu.Lock()
	g.pending[id] = q
	g.mu.Unlock()
	graphLogin.Execute(w, id)
}

func (g *GraphAPI) login(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	g.mu.Lock()
	q, ok := g.pending[r.PostForm.Get("req")]
	delete(g.pending, r.PostForm.Get("req"))
	g.mu.Unlock()
	if !ok {
		http.Error(w, "no such request", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(q.Get("redirect_uri"))
	bq := back.Query()
	bq.Set("state", q.Get("state"))
	if r.PostForm.Get("action") == "cancel" {
		bq.Set("error", "access_denied")
		bq.Set("error_code", "200")
		bq.Set("error_description", "Permissions error")
		bq.Set("error_reason", "user_denied")
		back.RawQuery = bq.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
		return
	}
	var user *User
	g.mu.Lock()
	for _, u := range g.users {
		if (u.Username == r.PostForm.Get("email") || u.Email == r.PostForm.Get("email")) && u.Password == r.PostForm.Get("pass") {
			user = u
		}
	}
	g.mu.Unlock()
	if user == nil {
		http.Error(w, "wrong email or password", http.StatusUnauthorized)
		return
	}
	code := uuid.NewString()
	g.mu.Lock()
	g.codes[code] = graphCode{appID: q.Get("client_id"), userID: user.ID, redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge")}
	g.mu.Unlock()
	bq.Set("code", code)
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (g *GraphAPI) token(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.codes[q.Get("code")]
	delete(g.codes, q.Get("code"))
	app := g.apps[q.Get("client_id")]
	switch {
	case !ok:
		graphError(w, http.StatusBadRequest, "This authorization code has been used.")
		return
	case c.appID != q.Get("client_id") || app.secret != q.Get("client_secret"):
		graphError(w, http.StatusBadRequest, "Error validating client secret.")
		return
	case c.redirect != q.Get("redirect_uri"):
		graphError(w, http.StatusBadRequest, "Error validating verification code. Please make sure your redirect_uri is identical.")
		return
	case c.challenge != "" && s256(q.Get("code_verifier")) != c.challenge:
		graphError(w, http.StatusBadRequest, "Invalid code verifier.")
		return
	}
	at := uuid.NewString()
	g.tokens[at] = graphToken{appID: c.appID, userID: c.userID}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": at, "token_type": "bearer", "expires_in": 5183944})
}

func (g *GraphAPI) me(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	at := q.Get("access_token")
	g.mu.Lock()
	defer g.mu.Unlock()
	tok, ok := g.tokens[at]
	if !ok {
		graphError(w, http.StatusBadRequest, "Invalid OAuth access token.")
		return
	}
	m := hmac.New(sha256.New, []byte(g.apps[tok.appID].secret))
	m.Write([]byte(at))
	if q.Get("appsecret_proof") != hex.EncodeToString(m.Sum(nil)) {
		graphError(w, http.StatusBadRequest, "Invalid appsecret_proof provided in the API argument")
		return
	}
	u := g.users[tok.userID]
	all := map[string]any{"id": u.ID, "name": strings.TrimSpace(u.GivenName + " " + u.FamilyName), "first_name": u.GivenName, "last_name": u.FamilyName}
	if u.Email != "" {
		all["email"] = u.Email
	}
	for k, v := range u.Claims {
		all[k] = v
	}
	fields := strings.Split(q.Get("fields"), ",")
	g.fields = append(g.fields, fields)
	out := map[string]any{"id": u.ID}
	for _, f := range fields {
		if v, ok := all[f]; ok {
			out[f] = v
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return b64url(sum[:])
}
