package oauth

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/ory/fosite"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// maxFormBytes bounds the body of the token, revoke and userinfo endpoints.
const maxFormBytes = 64 << 10

// token is /oauth2/token (RFC 6749 §3.2).
func (p *Provider) token(w http.ResponseWriter, r *http.Request, pool *storage.Pool) {
	p.allowOrigin(w, r, pool)
	ctx := withRecordMemo(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if p.clientCredentials(w, r, pool) {
		return
	}
	ar, err := p.fosite.NewAccessRequest(ctx, r, newSession(tokens.SessionData{}))
	if err != nil {
		p.accessError(w, r, ar, err)
		return
	}
	if ar.GetGrantTypes().ExactOne("client_credentials") {
		// The handler checked the scopes against the client; granting is
		// ours. No scope asked: all the client's (custom) scopes.
		scopes := ar.GetRequestedScopes()
		if len(scopes) == 0 {
			scopes = ar.GetClient().GetScopes()
		}
		for _, s := range scopes {
			if !directory.IsCustomScope(s) {
				p.accessError(w, r, ar, fosite.ErrInvalidScope.WithHintf("The client_credentials grant takes only custom scopes, not %q.", s))
				return
			}
			ar.GrantScope(s)
		}
	}
	resp, err := p.fosite.NewAccessResponse(ctx, ar)
	if err != nil {
		p.accessError(w, r, ar, err)
		return
	}
	p.fosite.WriteAccessResponse(ctx, w, ar, resp)
}

func (p *Provider) accessError(w http.ResponseWriter, r *http.Request, ar fosite.AccessRequester, err error) {
	if rfc := fosite.ErrorToRFC6749Error(err); rfc.CodeField >= 500 {
		p.cfg.Logger.Error("token", "err", err, "debug", rfc.DebugField)
	}
	p.fosite.WriteAccessError(r.Context(), w, ar, err)
}

// refreshHandler is the refresh_token grant. It replaces fosite's handler
// so that both fronts share the engine's refresh: Cognito keeps a refresh
// token valid until it expires (no rotation unless the client enables it),
// where fosite would rotate it on every use.
type refreshHandler struct{ p *Provider }

var _ fosite.TokenEndpointHandler = (*refreshHandler)(nil)

func (h *refreshHandler) CanSkipClientAuth(context.Context, fosite.AccessRequester) bool {
	return false
}

func (h *refreshHandler) CanHandleTokenEndpointRequest(_ context.Context, r fosite.AccessRequester) bool {
	return r.GetGrantTypes().ExactOne("refresh_token")
}

func (h *refreshHandler) HandleTokenEndpointRequest(ctx context.Context, r fosite.AccessRequester) error {
	if !h.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	if !r.GetClient().GetGrantTypes().Has("refresh_token") {
		return fosite.ErrUnauthorizedClient.WithHint("The client is not allowed to use the refresh_token grant.")
	}
	if r.GetRequestForm().Get("refresh_token") == "" {
		return fosite.ErrInvalidRequest.WithHint("The refresh_token parameter is missing.")
	}
	return nil
}

func (h *refreshHandler) PopulateTokenEndpointResponse(ctx context.Context, r fosite.AccessRequester, resp fosite.AccessResponder) error {
	if !h.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	pool := poolFrom(ctx)
	c, ok := r.GetClient().(*client)
	if pool == nil || !ok {
		return fosite.ErrServerError
	}
	toks, err := h.p.cfg.Engine.Refresh(ctx, pool, c.c, r.GetRequestForm().Get("refresh_token"))
	if err != nil {
		var de *directory.Error
		if errors.As(err, &de) {
			return fosite.ErrInvalidGrant.WithHint(de.Msg)
		}
		return fosite.ErrServerError.WithWrap(err)
	}
	resp.SetAccessToken(toks.AccessToken)
	resp.SetTokenType("Bearer")
	resp.SetExpiresIn(secondsDuration(toks.ExpiresIn))
	if toks.IDToken != "" {
		resp.SetExtra("id_token", toks.IDToken)
	}
	if toks.RefreshToken != "" {
		resp.SetExtra("refresh_token", toks.RefreshToken)
	}
	return nil
}

func secondsDuration(n int) time.Duration { return time.Duration(n) * time.Second }
