package federationtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// User is a user of a test upstream.
type User struct {
	ID            string // sub (OIDC), id (Graph API), NameID (SAML)
	Username      string
	Password      string
	Email         string
	EmailVerified bool
	GivenName     string
	FamilyName    string
	// Claims are extra claims for the ID token and userinfo (OIDC), extra
	// fields of /me (Graph API), or extra attributes (SAML).
	Claims map[string]any
}

// Client is an OAuth client registered at the test OpenID provider.
type Client struct {
	ID           string
	Secret       string
	RedirectURIs []string
	// AppleTeamID and AppleKey make the client authenticate like Sign in with
	// Apple: the client secret is an ES256 JWT {iss: team, sub: client id,
	// aud: issuer} signed by the key.
	AppleTeamID string
	AppleKey    *ecdsa.PublicKey
	// IDTokenLifetime defaults to an hour.
	IDTokenLifetime time.Duration
}

// OIDCProvider is an OpenID provider (zitadel/oidc's op) on loopback.
type OIDCProvider struct {
	faultSwitch
	// Issuer is the provider's issuer, the test server's URL.
	Issuer string
	Server *httptest.Server
	op     *op.Provider
	store  *opStorage
}

// NewOIDCProvider starts an OpenID provider; it stops with the test. Its
// login page is /login: a form with username, password and buttons
// action=login and action=cancel.
func NewOIDCProvider(t testing.TB) *OIDCProvider {
	t.Helper()
	p := &OIDCProvider{}
	p.store = newOPStorage(&p.faultSwitch)
	mux := http.NewServeMux()
	p.Server = httptest.NewServer(p.wrap(mux))
	t.Cleanup(p.Server.Close)
	p.Issuer = p.Server.URL
	p.store.issuer = p.Issuer
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:      sha256.Sum256([]byte("federationtest")),
		CodeMethodS256: true,
		AuthMethodPost: true,
		// Refresh tokens for the RefreshConnector tests.
		GrantTypeRefreshToken: true,
		SupportedUILocales:    []language.Tag{language.English},
	}, p.store, op.StaticIssuer(p.Issuer), op.WithAllowInsecure(),
		op.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("federationtest: op: %v", err)
	}
	p.op = provider
	interceptor := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux.Handle("/login", interceptor.Handler(http.HandlerFunc(p.login)))
	mux.HandleFunc("/profile", p.profile)
	mux.Handle("/", p.record(provider))
	return p
}

// AddUser adds or replaces a user.
func (p *OIDCProvider) AddUser(u User) {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	p.store.users[u.ID] = &u
}

// AddClient adds or replaces a client.
func (p *OIDCProvider) AddClient(c Client) {
	if c.IDTokenLifetime == 0 {
		c.IDTokenLifetime = time.Hour
	}
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	p.store.clients[c.ID] = &c
}

// TokenAuth reports how clients authenticated at the token endpoint so far:
// "basic", "post" or "none", one per token request.
func (p *OIDCProvider) TokenAuth() []string {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	return slices.Clone(p.store.tokenAuth)
}

// UserInfoMethods reports the HTTP methods of the userinfo calls so far.
func (p *OIDCProvider) UserInfoMethods() []string {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	return slices.Clone(p.store.userinfoMethods)
}

// AuthRequests returns the authorization requests received so far, for
// checking what a connector sent (nonce, PKCE, scopes, response_mode).
func (p *OIDCProvider) AuthRequests() []AuthRequest {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	var out []AuthRequest
	for _, a := range p.store.history {
		out = append(out, *a)
	}
	return out
}

// Endpoints of the provider, for the presets' overrides.
func (p *OIDCProvider) AuthURL() string     { return p.Issuer + "/authorize" }
func (p *OIDCProvider) TokenURL() string    { return p.Issuer + "/oauth/token" }
func (p *OIDCProvider) UserInfoURL() string { return p.Issuer + "/userinfo" }
func (p *OIDCProvider) JWKSURL() string     { return p.Issuer + "/keys" }

// ProfileURL is a Login-with-Amazon-shaped profile endpoint: GET with the
// access token as Bearer, answering {"user_id", "name", "email", …}.
func (p *OIDCProvider) ProfileURL() string { return p.Issuer + "/profile" }

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<title>Test OP sign-in</title>
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<input name="username"> <input type="password" name="password">
<button type="submit" name="action" value="login">Sign in</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form>`))

func (p *OIDCProvider) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id := r.Form.Get("id")
	if id == "" {
		id = r.Form.Get("authRequestID")
	}
	if r.Method == http.MethodGet {
		loginPage.Execute(w, struct{ ID, Error string }{id, ""})
		return
	}
	req, err := p.store.AuthRequestByID(r.Context(), id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.Form.Get("action") == "cancel" {
		op.AuthRequestError(w, r, req, oidc.ErrAccessDenied().WithDescription("the user cancelled"), p.op)
		return
	}
	if err := p.store.checkLogin(id, r.Form.Get("username"), r.Form.Get("password")); err != nil {
		loginPage.Execute(w, struct{ ID, Error string }{id, err.Error()})
		return
	}
	http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusFound)
}

func (p *OIDCProvider) profile(w http.ResponseWriter, r *http.Request) {
	// The OP's own userinfo answers for the access token; the profile is
	// the same user under Login with Amazon's names.
	rec := httptest.NewRecorder()
	ui := r.Clone(r.Context())
	ui.URL.Path = "/userinfo"
	p.op.ServeHTTP(rec, ui)
	if rec.Code != http.StatusOK {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token"})
		return
	}
	var claims map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &claims); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// Amazon's profile scope covers the email address.
	sub, _ := claims["sub"].(string)
	p.store.mu.Lock()
	email := ""
	if u, ok := p.store.users[sub]; ok {
		email = u.Email
	}
	p.store.mu.Unlock()
	out := map[string]any{"user_id": sub, "name": claims["name"], "email": email}
	for k, v := range claims {
		if _, ok := out[k]; !ok && k != "sub" && k != "email_verified" && k != "given_name" && k != "family_name" && k != "preferred_username" {
			out[k] = v
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// record notes how clients call the token and userinfo endpoints.
func (p *OIDCProvider) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/oauth/token":
			auth := "none"
			if _, _, ok := r.BasicAuth(); ok {
				auth = "basic"
			} else if r.ParseForm() == nil && r.PostForm.Get("client_secret") != "" {
				auth = "post"
			}
			p.store.mu.Lock()
			p.store.tokenAuth = append(p.store.tokenAuth, auth)
			p.store.mu.Unlock()
		case "/userinfo":
			p.store.mu.Lock()
			p.store.userinfoMethods = append(p.store.userinfoMethods, r.Method)
			p.store.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

// AuthRequest is an authorization request as the test OP stored it.
type AuthRequest struct {
	ID            string
	ClientID      string
	RedirectURI   string
	State         string
	Nonce         string
	Scopes        []string
	ResponseMode  oidc.ResponseMode
	CodeChallenge *oidc.CodeChallenge
	UserID        string
	done          bool
	authTime      time.Time
}

func (a *AuthRequest) GetID() string                         { return a.ID }
func (a *AuthRequest) GetACR() string                        { return "" }
func (a *AuthRequest) GetAMR() []string                      { return []string{"pwd"} }
func (a *AuthRequest) GetAudience() []string                 { return []string{a.ClientID} }
func (a *AuthRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *AuthRequest) GetClientID() string                   { return a.ClientID }
func (a *AuthRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.CodeChallenge }
func (a *AuthRequest) GetNonce() string                      { return a.Nonce }
func (a *AuthRequest) GetRedirectURI() string                { return a.RedirectURI }
func (a *AuthRequest) GetResponseType() oidc.ResponseType    { return oidc.ResponseTypeCode }
func (a *AuthRequest) GetResponseMode() oidc.ResponseMode    { return a.ResponseMode }
func (a *AuthRequest) GetScopes() []string                   { return a.Scopes }
func (a *AuthRequest) GetState() string                      { return a.State }
func (a *AuthRequest) GetSubject() string                    { return a.UserID }
func (a *AuthRequest) Done() bool                            { return a.done }

type token struct {
	id, clientID, subject string
	scopes                []string
	expiry                time.Time
	authTime              time.Time
}

type refreshRequest struct{ t *token }

func (r *refreshRequest) GetAMR() []string             { return []string{"pwd"} }
func (r *refreshRequest) GetAudience() []string        { return []string{r.t.clientID} }
func (r *refreshRequest) GetAuthTime() time.Time       { return r.t.authTime }
func (r *refreshRequest) GetClientID() string          { return r.t.clientID }
func (r *refreshRequest) GetScopes() []string          { return r.t.scopes }
func (r *refreshRequest) GetSubject() string           { return r.t.subject }
func (r *refreshRequest) SetCurrentScopes(sc []string) { r.t.scopes = sc }

type opClient struct {
	c      *Client
	faults *faultSwitch
}

func (c opClient) GetID() string                       { return c.c.ID }
func (c opClient) RedirectURIs() []string              { return c.c.RedirectURIs }
func (c opClient) PostLogoutRedirectURIs() []string    { return nil }
func (c opClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c opClient) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c opClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c opClient) LoginURL(id string) string           { return "/login?authRequestID=" + id }
func (c opClient) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c opClient) IDTokenLifetime() time.Duration {
	if c.faults.fault() == FaultExpired {
		return -2 * time.Hour // issued already expired
	}
	return c.c.IDTokenLifetime
}
func (c opClient) DevMode() bool                        { return false }
func (c opClient) IsScopeAllowed(string) bool           { return true }
func (c opClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c opClient) ClockSkew() time.Duration             { return 0 }
func (c opClient) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (s *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (s *signingKey) Key() any                                    { return s.key }
func (s *signingKey) ID() string                                  { return s.id }

type publicKey struct {
	id  string
	key *rsa.PublicKey
}

func (k publicKey) ID() string                         { return k.id }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return k.key }

// opStorage is the in-memory op.Storage of the test OP.
type opStorage struct {
	faults *faultSwitch
	issuer string

	mu              sync.Mutex
	users           map[string]*User
	clients         map[string]*Client
	requests        map[string]*AuthRequest
	history         []*AuthRequest
	codes           map[string]string
	tokens          map[string]*token
	refresh         map[string]*token
	tokenAuth       []string
	userinfoMethods []string

	key, rogue *signingKey
}

var (
	_ op.Storage                   = (*opStorage)(nil)
	_ op.CanSetUserinfoFromRequest = (*opStorage)(nil)
)

var (
	testKeyOnce       sync.Once
	testKey, rogueKey *rsa.PrivateKey
)

// testKeys makes the upstreams' signing key and the rogue key of
// FaultBadSignature, once per test binary: RSA generation is slow under -race.
func testKeys() {
	testKeyOnce.Do(func() {
		testKey, _ = rsa.GenerateKey(rand.Reader, 2048)
		rogueKey, _ = rsa.GenerateKey(rand.Reader, 2048)
	})
}

func newOPStorage(f *faultSwitch) *opStorage {
	testKeys()
	return &opStorage{
		faults:   f,
		users:    map[string]*User{},
		clients:  map[string]*Client{},
		requests: map[string]*AuthRequest{},
		codes:    map[string]string{},
		tokens:   map[string]*token{},
		refresh:  map[string]*token{},
		key:      &signingKey{id: "k1", key: testKey},
		rogue:    &signingKey{id: "k1", key: rogueKey},
	}
}

func (s *opStorage) checkLogin(id, username, password string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.requests[id]
	if !ok {
		return errors.New("no such request")
	}
	for _, u := range s.users {
		if u.Username == username && u.Password == password {
			req.UserID, req.done, req.authTime = u.ID, true, time.Now()
			return nil
		}
	}
	return errors.New("wrong username or password")
}

func (s *opStorage) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &AuthRequest{
		ID: uuid.NewString(), ClientID: r.ClientID, RedirectURI: r.RedirectURI, State: r.State,
		Nonce: r.Nonce, Scopes: r.Scopes, ResponseMode: r.ResponseMode, UserID: userID,
	}
	if r.CodeChallenge != "" {
		a.CodeChallenge = &oidc.CodeChallenge{Challenge: r.CodeChallenge, Method: r.CodeChallengeMethod}
	}
	s.requests[a.ID] = a
	s.history = append(s.history, a)
	return a, nil
}

func (s *opStorage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return nil, errors.New("auth request not found")
	}
	return a, nil
}

func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, errors.New("code invalid or used")
	}
	return s.AuthRequestByID(ctx, id)
}

func (s *opStorage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

func (s *opStorage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
	return nil
}

func (s *opStorage) newToken(req op.TokenRequest) *token {
	t := &token{id: uuid.NewString(), subject: req.GetSubject(), scopes: req.GetScopes(), expiry: time.Now().Add(time.Hour)}
	switch r := req.(type) {
	case *AuthRequest:
		t.clientID, t.authTime = r.ClientID, r.authTime
	case *refreshRequest:
		t.clientID, t.authTime = r.t.clientID, r.t.authTime
	}
	s.tokens[t.id] = t
	return t
}

func (s *opStorage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.newToken(req)
	return t.id, t.expiry, nil
}

func (s *opStorage) CreateAccessAndRefreshTokens(_ context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if current != "" {
		if _, ok := s.refresh[current]; !ok {
			return "", "", time.Time{}, errors.New("invalid refresh token")
		}
		delete(s.refresh, current)
	}
	t := s.newToken(req)
	rt := uuid.NewString()
	s.refresh[rt] = &token{id: rt, clientID: t.clientID, subject: t.subject, scopes: t.scopes, authTime: t.authTime, expiry: time.Now().Add(24 * time.Hour)}
	return t.id, rt, t.expiry, nil
}

func (s *opStorage) TokenRequestByRefreshToken(_ context.Context, rt string) (op.RefreshTokenRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.refresh[rt]
	if !ok {
		return nil, op.ErrInvalidRefreshToken
	}
	return &refreshRequest{t: t}, nil
}

func (s *opStorage) TerminateSession(context.Context, string, string) error { return nil }
func (s *opStorage) RevokeToken(context.Context, string, string, string) *oidc.Error {
	return nil
}

func (s *opStorage) GetRefreshTokenInfo(_ context.Context, _ string, rt string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.refresh[rt]
	if !ok {
		return "", "", op.ErrInvalidRefreshToken
	}
	return t.subject, t.id, nil
}

// SigningKey signs with the published key, or with a rogue key under the
// same kid while the fault is FaultBadSignature.
func (s *opStorage) SigningKey(context.Context) (op.SigningKey, error) {
	if s.faults.fault() == FaultBadSignature {
		return s.rogue, nil
	}
	return s.key, nil
}

func (s *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *opStorage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{id: s.key.id, key: &s.key.key.PublicKey}}, nil
}

func (s *opStorage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok {
		return nil, errors.New("client not found")
	}
	return opClient{c, s.faults}, nil
}

func (s *opStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	s.mu.Lock()
	c, ok := s.clients[id]
	s.mu.Unlock()
	if !ok {
		return errors.New("client not found")
	}
	if c.AppleKey != nil {
		return s.checkAppleSecret(c, secret)
	}
	if secret != c.Secret {
		return errors.New("wrong client secret")
	}
	return nil
}

// checkAppleSecret checks a Sign-in-with-Apple client secret: an ES256 JWT
// from the team, about the client, for the issuer, unexpired.
func (s *opStorage) checkAppleSecret(c *Client, secret string) error {
	tok, err := jwt.ParseSigned(secret, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return fmt.Errorf("client secret: %w", err)
	}
	var claims jwt.Claims
	if err := tok.Claims(c.AppleKey, &claims); err != nil {
		return fmt.Errorf("client secret signature: %w", err)
	}
	return claims.Validate(jwt.Expected{Issuer: c.AppleTeamID, Subject: c.ID, AnyAudience: jwt.Audience{s.issuer}, Time: time.Now()})
}

func (s *opStorage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *opStorage) SetUserinfoFromRequest(_ context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.setUserinfo(ui, req.GetSubject(), scopes)
}

func (s *opStorage) setUserinfo(ui *oidc.UserInfo, subject string, scopes []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[subject]
	if !ok {
		return errors.New("user not found")
	}
	ui.Subject = u.ID
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeEmail:
			ui.Email, ui.EmailVerified = u.Email, oidc.Bool(u.EmailVerified)
		case oidc.ScopeProfile:
			ui.GivenName, ui.FamilyName, ui.PreferredUsername = u.GivenName, u.FamilyName, u.Username
			ui.Name = u.GivenName + " " + u.FamilyName
		}
	}
	for k, v := range u.Claims {
		ui.AppendClaims(k, v)
	}
	return nil
}

func (s *opStorage) SetUserinfoFromToken(_ context.Context, ui *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || time.Now().After(t.expiry) {
		return errors.New("invalid token")
	}
	return s.setUserinfo(ui, t.subject, t.scopes)
}

func (s *opStorage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errors.New("not supported")
}

func (s *opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *opStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("not supported")
}

func (s *opStorage) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}

func (s *opStorage) Health(context.Context) error { return nil }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
