package oauth

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/ory/fosite"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// revoke is /oauth2/revoke (RFC 7009) as Cognito answers it: it takes
// refresh tokens, and revoking one revokes every token of its family.
func (p *Provider) revoke(w http.ResponseWriter, r *http.Request, pool *storage.Pool) {
	p.allowOrigin(w, r, pool)
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body is not a valid form.")
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The token parameter is missing.")
		return
	}
	fc, err := p.fosite.AuthenticateClient(ctx, r, r.PostForm)
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	}
	c := fc.(*client)
	if !c.c.EnableTokenRevocation {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Token revocation is not enabled for this client.")
		return
	}
	if strings.Count(token, ".") == 2 {
		oauthError(w, http.StatusBadRequest, "unsupported_token_type", "Only refresh tokens can be revoked.")
		return
	}
	if err := p.cfg.Engine.Revoke(ctx, c.c, token); err != nil {
		if errors.Is(err, auth.ErrWrongClient) {
			oauthError(w, http.StatusBadRequest, fosite.ErrUnauthorizedClient.ErrorField, "The token was issued to another client.")
			return
		}
		p.cfg.Logger.Error("revoke", "pool", pool.ID, "err", err)
		oauthError(w, http.StatusInternalServerError, "server_error", "The token could not be revoked.")
		return
	}
	w.WriteHeader(http.StatusOK)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}
