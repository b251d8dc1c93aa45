package oauth

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
}

// allowOrigin sets Access-Control-Allow-Origin for the OAuth endpoints:
// the request's origin when it is the origin of one of the pool's clients'
// callback URLs (CONTRACT.md). Discovery and JWKS allow every origin.
func (p *Provider) allowOrigin(w http.ResponseWriter, r *http.Request, pool *storage.Pool) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	w.Header().Add("Vary", "Origin")
	clients, err := p.store.ListClients(r.Context(), pool.ID, "", 0)
	if err != nil {
		return
	}
	for _, c := range clients {
		for _, cb := range c.CallbackURLs {
			if u, err := url.Parse(cb); err == nil && strings.EqualFold(u.Scheme+"://"+u.Host, origin) {
				w.Header().Set("Access-Control-Allow-Origin", origin)
				return
			}
		}
	}
}

// preflight answers CORS preflights of the OAuth endpoints.
func (p *Provider) preflight(w http.ResponseWriter, r *http.Request, pool *storage.Pool) {
	if strings.Contains(r.URL.Path, "/.well-known/") {
		w.Header().Set("Access-Control-Allow-Origin", "*")
	} else {
		p.allowOrigin(w, r, pool)
	}
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}
