package oauth

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// userinfo is /oauth2/userInfo (OIDC Core §5.3), GET or POST with a Bearer
// access token carrying the openid scope.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request, pool *storage.Pool) {
	p.allowOrigin(w, r, pool)
	token, ok := bearer(r)
	if !ok && r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		token = r.PostFormValue("access_token")
	}
	if token == "" {
		bearerError(w, http.StatusBadRequest, "invalid_request", "The access token is missing.")
		return
	}
	claims, user, err := p.cfg.Engine.ValidateAccess(r.Context(), pool, token)
	if err != nil || user == nil {
		bearerError(w, http.StatusUnauthorized, "invalid_token", "Access token is expired, disabled, or deleted, or the user has globally signed out.")
		return
	}
	scopes := auth.Scopes(claims)
	if !slices.Contains(scopes, "openid") {
		bearerError(w, http.StatusForbidden, "insufficient_scope", "The access token does not carry the openid scope.")
		return
	}
	c, err := p.dir.GetClient(r.Context(), pool.ID, tokens.StringClaim(claims, "client_id"))
	if err != nil {
		bearerError(w, http.StatusUnauthorized, "invalid_token", "The app client of this token no longer exists.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(tokens.UserInfo(user, c, scopes))
}

// bearer reads an RFC 6750 Authorization header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:]), true
	}
	return "", false
}

// bearerError answers as RFC 6750 §3 and Cognito do.
func bearerError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="`+code+`", error_description="`+desc+`"`)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}
