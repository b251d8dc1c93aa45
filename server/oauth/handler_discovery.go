package oauth

import (
	"encoding/json"
	"net/http"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// discovery is OpenID Connect Discovery 1.0 §4 for the pool. The document
// depends on the issuer alone, so it is built and hashed once per pool.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request, pool *storage.Pool) {
	iss := p.cfg.Issuer(pool.ID)
	if d, ok := p.discoveryDocs.Load(iss); ok {
		doc := d.(cachedBody)
		writeCacheable(w, r, doc.body, doc.etag, "public, max-age=3600")
		return
	}
	doc := map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/oauth2/authorize",
		"token_endpoint":                        iss + "/oauth2/token",
		"userinfo_endpoint":                     iss + "/oauth2/userInfo",
		"revocation_endpoint":                   iss + "/oauth2/revoke",
		"end_session_endpoint":                  iss + "/logout",
		"jwks_uri":                              iss + "/.well-known/jwks.json",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", "client_credentials"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported": []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "email", "email_verified",
			"phone_number", "phone_number_verified", "name", "given_name", "family_name", "cognito:username", "cognito:groups"},
		"revocation_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"request_parameter_supported":                false,
	}
	body, err := json.Marshal(doc)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	cb := cachedBody{body: body, etag: etag(body)}
	if p.discoveryCount.Add(1) > maxCachedDocs {
		// Many pools: keep only those asked for since.
		p.discoveryDocs.Clear()
		p.discoveryCount.Store(1)
	}
	p.discoveryDocs.Store(iss, cb)
	writeCacheable(w, r, cb.body, cb.etag, "public, max-age=3600")
}

// cachedBody is a precomputed response body and its ETag.
type cachedBody struct {
	body []byte
	etag string
}

// maxCachedDocs bounds the discovery documents kept.
const maxCachedDocs = 10_000

// jwks serves the pool's public keys.
func (p *Provider) jwks(w http.ResponseWriter, r *http.Request, pool *storage.Pool) {
	body, tag, err := p.cfg.Minter.JWKS(r.Context(), pool.ID)
	if err != nil {
		p.cfg.Logger.Error("jwks", "pool", pool.ID, "err", err)
		http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
		return
	}
	writeCacheable(w, r, body, tag, "public, max-age=300")
}

// writeCacheable writes a JSON body with CORS, ETag and cache headers, and
// answers If-None-Match with 304. The header values are preallocated
// slices assigned directly, which spares the canonicalising Set.
func writeCacheable(w http.ResponseWriter, r *http.Request, body []byte, tag, cacheControl string) {
	h := w.Header()
	h["Access-Control-Allow-Origin"] = anyOrigin
	h["Content-Type"] = jsonType
	h["Cache-Control"] = []string{cacheControl}
	h["Etag"] = []string{tag}
	if r.Header.Get("If-None-Match") == tag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(body)
}

var (
	anyOrigin = []string{"*"}
	jsonType  = []string{"application/json"}
)
