package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/handler/pkce"
	fstorage "github.com/ory/fosite/storage"

	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// fositeStore is the one adapter for all of fosite's storage interfaces.
// Rows carry the pool, and every read checks it against the pool in ctx,
// since fosite keys rows by signature alone. Access tokens are stateless
// JWTs: nothing is stored per access token, and revoking one means revoking
// its family.
type fositeStore struct{ p *Provider }

var (
	_ fosite.Storage                     = (*fositeStore)(nil)
	_ oauth2.CoreStorage                 = (*fositeStore)(nil)
	_ oauth2.TokenRevocationStorage      = (*fositeStore)(nil)
	_ pkce.PKCERequestStorage            = (*fositeStore)(nil)
	_ openid.OpenIDConnectRequestStorage = (*fositeStore)(nil)
	_ fstorage.Transactional             = (*fositeStore)(nil)
)

type transactional interface {
	BeginTX(ctx context.Context) (context.Context, error)
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

func (s *fositeStore) tx() transactional {
	t, _ := s.p.store.(transactional)
	return t
}

func (s *fositeStore) BeginTX(ctx context.Context) (context.Context, error) {
	return s.tx().BeginTX(ctx)
}
func (s *fositeStore) Commit(ctx context.Context) error   { return s.tx().Commit(ctx) }
func (s *fositeStore) Rollback(ctx context.Context) error { return s.tx().Rollback(ctx) }

// ---- clients ----

func (s *fositeStore) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	c, err := s.p.loadClient(ctx, id)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Client assertions (private_key_jwt) are not offered, so no JTI is known.
func (s *fositeStore) ClientAssertionJWTValid(context.Context, string) error { return nil }
func (s *fositeStore) SetClientAssertionJWT(context.Context, string, time.Time) error {
	return nil
}

// ---- records ----

func (s *fositeStore) toRecord(r fosite.Requester) (tokens.Record, error) {
	sess, ok := r.GetSession().(*session)
	if !ok {
		return tokens.Record{}, fmt.Errorf("oauth: unexpected session type %T", r.GetSession())
	}
	return tokens.Record{
		RequestID: r.GetID(), RequestedAt: r.GetRequestedAt(), ClientID: r.GetClient().GetID(),
		RequestedScopes: r.GetRequestedScopes(), GrantedScopes: r.GetGrantedScopes(),
		RequestedAudience: r.GetRequestedAudience(), GrantedAudience: r.GetGrantedAudience(),
		Form: r.GetRequestForm(), Session: sess.SessionData,
	}, nil
}

func (s *fositeStore) create(ctx context.Context, kind storage.OAuthKind, sig string, r fosite.Requester, life time.Duration) error {
	pool := poolFrom(ctx)
	if pool == nil {
		return errors.New("oauth: no pool in context")
	}
	rec, err := s.toRecord(r)
	if err != nil {
		return err
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	now := s.p.cfg.Now().UTC()
	return s.p.store.CreateOAuthRecord(ctx, &storage.OAuthRecord{Kind: kind, Signature: sig, PoolID: pool.ID,
		RequestID: rec.RequestID, ClientID: rec.ClientID, Sub: rec.Session.Sub, Active: true,
		CreatedAt: now, ExpiresAt: now.Add(life), Data: data})
}

// recordMemo keeps the last record a token request read: the code
// exchange reads its code's record three times (code, PKCE, OpenID
// Connect), and once is enough.
type recordMemo struct {
	kind storage.OAuthKind
	sig  string
	row  *storage.OAuthRecord
}

type memoKey struct{}

// withRecordMemo gives a request its memo.
func withRecordMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &recordMemo{})
}

// readRecord is GetOAuthRecord through the request's memo.
func (s *fositeStore) readRecord(ctx context.Context, kind storage.OAuthKind, sig string) (*storage.OAuthRecord, error) {
	m, _ := ctx.Value(memoKey{}).(*recordMemo)
	if m != nil && m.row != nil && m.kind == kind && m.sig == sig {
		return m.row, nil
	}
	row, err := s.p.store.GetOAuthRecord(ctx, kind, sig)
	if err == nil && m != nil {
		m.kind, m.sig, m.row = kind, sig, row
	}
	return row, err
}

// forget drops a memoised record that is being changed.
func forget(ctx context.Context) {
	if m, _ := ctx.Value(memoKey{}).(*recordMemo); m != nil {
		m.row = nil
	}
}

// get reads a record of the pool in ctx and rebuilds fosite's request; the
// row is returned too, for its Active flag.
func (s *fositeStore) get(ctx context.Context, kind storage.OAuthKind, sig string, proto fosite.Session) (*fosite.Request, *storage.OAuthRecord, error) {
	pool := poolFrom(ctx)
	row, err := s.readRecord(ctx, kind, sig)
	if errors.Is(err, storage.ErrNotFound) || err == nil && (pool == nil || row.PoolID != pool.ID) {
		return nil, nil, fosite.ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	var rec tokens.Record
	if err := json.Unmarshal(row.Data, &rec); err != nil {
		return nil, nil, err
	}
	c, err := s.p.loadClient(ctx, rec.ClientID)
	if err != nil {
		return nil, nil, err
	}
	req := fosite.NewRequest()
	req.ID, req.RequestedAt, req.Client = rec.RequestID, rec.RequestedAt, c
	req.RequestedScope, req.GrantedScope = rec.RequestedScopes, rec.GrantedScopes
	req.RequestedAudience, req.GrantedAudience = rec.RequestedAudience, rec.GrantedAudience
	req.Form = url.Values(rec.Form)
	sess := newSession(rec.Session)
	if ps, ok := proto.(*session); ok && ps != nil {
		*ps = *sess
		req.Session = ps
	} else {
		req.Session = sess
	}
	return req, row, nil
}

// ---- authorize codes ----

func (s *fositeStore) CreateAuthorizeCodeSession(ctx context.Context, code string, r fosite.Requester) error {
	return s.create(ctx, storage.KindAuthorizeCode, code, r, AuthorizeCodeLifetime)
}

// GetAuthorizeCodeSession returns a used code's request with
// ErrInvalidatedAuthorizeCode, so fosite revokes what the code minted.
func (s *fositeStore) GetAuthorizeCodeSession(ctx context.Context, code string, sess fosite.Session) (fosite.Requester, error) {
	req, row, err := s.get(ctx, storage.KindAuthorizeCode, code, sess)
	if err != nil {
		return nil, err
	}
	// The code's five minutes run on the server's clock (the one tests
	// move), not on the time fosite read when it issued the code.
	req.GetSession().SetExpiresAt(fosite.AuthorizeCode, row.ExpiresAt)
	if !row.Active {
		return req, fosite.ErrInvalidatedAuthorizeCode
	}
	return req, nil
}

// InvalidateAuthorizeCodeSession marks a code used, only if it still was
// unused: of two racing exchanges one wins.
//
// The memo then holds the code's record as it now is, used: the OpenID
// Connect handler reads it once more after this, and need not read it from
// the database (a read and 3 % of an exchange's CPU).
func (s *fositeStore) InvalidateAuthorizeCodeSession(ctx context.Context, code string) error {
	m, _ := ctx.Value(memoKey{}).(*recordMemo)
	var used *storage.OAuthRecord
	if m != nil && m.row != nil && m.kind == storage.KindAuthorizeCode && m.sig == code {
		cp := *m.row
		cp.Active = false
		used = &cp
	}
	forget(ctx)
	err := s.p.store.DeactivateOAuthRecord(ctx, storage.KindAuthorizeCode, code)
	if errors.Is(err, storage.ErrConflict) {
		return fosite.ErrInvalidatedAuthorizeCode
	}
	if err == nil && used != nil {
		m.row = used
	}
	return err
}

// ---- access tokens: stateless ----

func (s *fositeStore) CreateAccessTokenSession(context.Context, string, fosite.Requester) error {
	return nil
}

func (s *fositeStore) GetAccessTokenSession(context.Context, string, fosite.Session) (fosite.Requester, error) {
	return nil, fosite.ErrNotFound
}

func (s *fositeStore) DeleteAccessTokenSession(context.Context, string) error { return nil }

// ---- refresh tokens ----

// CreateRefreshTokenSession starts the token family of a code exchange.
func (s *fositeStore) CreateRefreshTokenSession(ctx context.Context, sig, _ string, r fosite.Requester) error {
	pool := poolFrom(ctx)
	c, ok := r.GetClient().(*client)
	if pool == nil || !ok {
		return errors.New("oauth: refresh token outside a pool")
	}
	life := c.GetEffectiveLifespan(fosite.GrantTypeAuthorizationCode, fosite.RefreshToken, 30*24*time.Hour)
	sess, _ := r.GetSession().(*session)
	now := s.p.cfg.Now().UTC()
	return s.p.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.p.store.CreateFamily(ctx, &storage.Family{PoolID: pool.ID, ID: r.GetID(), ClientID: c.GetID(),
			Sub: sess.Sub, CreatedAt: now, ExpiresAt: now.Add(life)}); err != nil {
			return err
		}
		return s.create(ctx, storage.KindRefreshToken, sig, r, life)
	})
}

func (s *fositeStore) GetRefreshTokenSession(ctx context.Context, sig string, sess fosite.Session) (fosite.Requester, error) {
	req, row, err := s.get(ctx, storage.KindRefreshToken, sig, sess)
	if err != nil {
		return nil, err
	}
	if !row.Active {
		return req, fosite.ErrInactiveToken
	}
	return req, nil
}

func (s *fositeStore) DeleteRefreshTokenSession(ctx context.Context, sig string) error {
	return s.p.store.DeleteOAuthRecord(ctx, storage.KindRefreshToken, sig)
}

func (s *fositeStore) RotateRefreshToken(ctx context.Context, _ string, sig string) error {
	err := s.p.store.DeactivateOAuthRecord(ctx, storage.KindRefreshToken, sig)
	if errors.Is(err, storage.ErrConflict) {
		return fosite.ErrInactiveToken
	}
	return err
}

// RevokeRefreshToken and RevokeAccessToken revoke the request's family: its
// refresh tokens stop working and its access tokens are refused.
func (s *fositeStore) RevokeRefreshToken(ctx context.Context, requestID string) error {
	return s.revokeFamily(ctx, requestID)
}

func (s *fositeStore) RevokeAccessToken(ctx context.Context, requestID string) error {
	return s.revokeFamily(ctx, requestID)
}

func (s *fositeStore) revokeFamily(ctx context.Context, requestID string) error {
	pool := poolFrom(ctx)
	if pool == nil {
		return errors.New("oauth: revoke outside a pool")
	}
	return s.p.cfg.Engine.RevokeFamily(ctx, pool.ID, requestID)
}

// ---- PKCE and OpenID Connect: folded into the code's record ----
//
// fosite stores the same authorize request three times, under the code
// (CreateAuthorizeCodeSession), for PKCE and for OpenID Connect, and
// deletes the last two at the exchange: five writes per code flow for one
// fact. The code's record already holds the request's form (the challenge)
// and granted scopes (openid), and the code is single-use, so the PKCE and
// OpenID Connect sessions are read from it, and creating or deleting them
// writes nothing: a code costs one write, its exchange one (the code's
// invalidation with the token family, in one transaction).

func (s *fositeStore) CreatePKCERequestSession(context.Context, string, fosite.Requester) error {
	return nil
}

// GetPKCERequestSession is the code's request when it carried a challenge;
// otherwise there is no PKCE session, as fosite expects.
func (s *fositeStore) GetPKCERequestSession(ctx context.Context, sig string, sess fosite.Session) (fosite.Requester, error) {
	req, _, err := s.get(ctx, storage.KindAuthorizeCode, sig, sess)
	if err != nil {
		return nil, err
	}
	if f := req.GetRequestForm(); f.Get("code_challenge") == "" && f.Get("code_challenge_method") == "" {
		return nil, fosite.ErrNotFound
	}
	return req, nil
}

func (s *fositeStore) DeletePKCERequestSession(context.Context, string) error { return nil }

func (s *fositeStore) CreateOpenIDConnectSession(context.Context, string, fosite.Requester) error {
	return nil
}

// GetOpenIDConnectSession is the request of the code (fosite passes the
// raw code) when it was granted openid.
func (s *fositeStore) GetOpenIDConnectSession(ctx context.Context, code string, r fosite.Requester) (fosite.Requester, error) {
	req, _, err := s.get(ctx, storage.KindAuthorizeCode, s.p.cfg.Engine.Opaque().Signature(code), r.GetSession())
	if errors.Is(err, fosite.ErrNotFound) {
		return nil, openid.ErrNoSessionFound
	}
	if err != nil {
		return nil, err
	}
	if !req.GetGrantedScopes().Has("openid") {
		return nil, openid.ErrNoSessionFound
	}
	return req, nil
}

func (s *fositeStore) DeleteOpenIDConnectSession(context.Context, string) error { return nil }
