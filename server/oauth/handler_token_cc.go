package oauth

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ory/fosite"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// ccResponse is fosite's client_credentials response, fields in the order
// json.Marshal writes fosite's map in, so that the bytes are the same.
type ccResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
	TokenType   string `json:"token_type"`
}

// clientCredentials answers a well-formed, successful client_credentials
// request without fosite's generic machinery (request objects, handler
// loops, sessions, response maps): about a tenth of a token's CPU beside
// its one signature. It reports false, having written nothing, for every
// request it would not grant, and the caller hands that to fosite, which
// answers it as it always did, so every refusal keeps fosite's error.
// What it grants is what fosite's path grants: a POST form body parsed as
// net/http parses it for fosite, each parameter once, exactly the grant
// type client_credentials, no client assertion or audience, a confidential
// client authenticated by client_secret_basic or client_secret_post with
// the constant-time secretComparer, the grant allowed to the client, each
// requested scope (ExactScopeStrategy) among the client's, and only custom
// scopes (token's own rule).
func (p *Provider) clientCredentials(w http.ResponseWriter, r *http.Request, pool *storage.Pool) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return false
	}
	// fosite parses with ParseMultipartForm, which runs this same ParseForm
	// (and, r.Form then being set, does not again) and ignores its error
	// for a form that is not multipart; so parsing here changes nothing
	// for fosite should it answer after all.
	if err := r.ParseForm(); err != nil {
		return false
	}
	form := r.PostForm
	for _, v := range form {
		if len(v) != 1 {
			return false
		}
	}
	if form.Get("grant_type") != "client_credentials" || form.Has("client_assertion_type") || form.Has("audience") {
		return false
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return false
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	ctx := r.Context()
	c, err := p.loadClient(ctx, id)
	if err != nil || c.IsPublic() || (secretComparer{}).Compare(ctx, c.secret, []byte(secret)) != nil ||
		!c.GetGrantTypes().Has("client_credentials") {
		return false
	}
	scopes := fosite.Arguments(fosite.RemoveEmpty(strings.Split(form.Get("scope"), " ")))
	for _, s := range scopes {
		if !fosite.ExactScopeStrategy(c.GetScopes(), s) {
			return false
		}
	}
	if len(scopes) == 0 {
		scopes = c.GetScopes()
	}
	var granted fosite.Arguments
	for _, s := range scopes {
		if !directory.IsCustomScope(s) {
			return false
		}
		if !granted.Has(s) {
			granted = append(granted, s)
		}
	}
	accessLife, idLife, _, _ := lifetimes(c)
	m, err := p.cfg.Minter.Access(ctx, tokens.Grant{Issuer: p.cfg.Issuer(pool.ID), PoolID: pool.ID, Client: c.c, Scopes: granted,
		AuthTime: p.cfg.Now(), AccessLifetime: accessLife, IDLifetime: idLife})
	if err != nil {
		return false // fosite tries again and reports the failure as before
	}
	body, err := json.Marshal(ccResponse{AccessToken: m.Token, ExpiresIn: int64(m.ExpiresAt.Sub(p.cfg.Now()) / time.Second),
		Scope: strings.Join(granted, " "), TokenType: "bearer"})
	if err != nil {
		return false
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return true
}
