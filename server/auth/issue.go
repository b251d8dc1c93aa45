package auth

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// Tokens is a token response.
type Tokens struct {
	AccessToken  string
	IDToken      string
	RefreshToken string
	ExpiresIn    int
}

// APIScope is the scope of tokens the Cognito API issues.
const APIScope = "aws.cognito.signin.user.admin"

// Grant builds the minter's view of a signed-in user.
func (e *Engine) Grant(ctx context.Context, pool *storage.Pool, client *storage.Client, user *storage.User,
	scopes []string, authTime time.Time, eventID, familyID, nonce string) (tokens.Grant, error) {
	access, id, _, err := directory.Lifetimes(client)
	if err != nil {
		return tokens.Grant{}, err
	}
	g := tokens.Grant{Issuer: e.cfg.Issuer(pool.ID), PoolID: pool.ID, Client: client, User: user, Scopes: scopes,
		AuthTime: authTime, Nonce: nonce, EventID: eventID, FamilyID: familyID, AccessLifetime: access, IDLifetime: id}
	if user != nil {
		if g.Groups, err = e.dir.GroupsForUser(ctx, pool.ID, user.Sub); err != nil {
			return g, err
		}
	}
	return g, nil
}

// Issue mints the tokens of a sign-in made through the API: ID and access
// tokens for APIScope, and a refresh token that starts a new family.
func (e *Engine) Issue(ctx context.Context, pool *storage.Pool, client *storage.Client, a *Authenticated) (*Tokens, error) {
	family := uuid.NewString()
	g, err := e.Grant(ctx, pool, client, a.User, []string{APIScope}, a.AuthTime, a.EventID, family, "")
	if err != nil {
		return nil, err
	}
	access, err := e.cfg.Minter.Access(ctx, g)
	if err != nil {
		return nil, err
	}
	id, err := e.cfg.Minter.ID(ctx, g, "")
	if err != nil {
		return nil, err
	}
	now := e.cfg.Now().UTC()
	rec := tokens.Record{RequestID: family, RequestedAt: now, ClientID: client.ID,
		RequestedScopes: g.Scopes, GrantedScopes: g.Scopes,
		Session: tokens.SessionData{Sub: a.User.Sub, Username: a.User.Username, AuthTime: a.AuthTime, RequestedAt: now, EventID: a.EventID}}
	refresh, err := e.StartFamily(ctx, pool, client, a.User.Sub, rec)
	if err != nil {
		return nil, err
	}
	return &Tokens{AccessToken: access.Token, IDToken: id, RefreshToken: refresh, ExpiresIn: int(g.AccessLifetime / time.Second)}, nil
}

// StartFamily stores a new token family and its first refresh token, in
// one transaction, and returns the token.
func (e *Engine) StartFamily(ctx context.Context, pool *storage.Pool, client *storage.Client, sub string, rec tokens.Record) (string, error) {
	_, _, refreshLife, err := directory.Lifetimes(client)
	if err != nil {
		return "", err
	}
	now := e.cfg.Now().UTC()
	token, sig, err := e.opaque.New()
	if err != nil {
		return "", err
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	// The sign-in's event (DeferEvent) commits with its tokens.
	err = e.CommitSignIn(ctx, func(ctx context.Context) error {
		if err := e.store.CreateFamily(ctx, &storage.Family{PoolID: pool.ID, ID: rec.RequestID, ClientID: client.ID,
			Sub: sub, CreatedAt: now, ExpiresAt: now.Add(refreshLife)}); err != nil {
			return err
		}
		return e.store.CreateOAuthRecord(ctx, &storage.OAuthRecord{Kind: storage.KindRefreshToken, Signature: sig,
			PoolID: pool.ID, RequestID: rec.RequestID, ClientID: client.ID, Sub: sub, Active: true,
			CreatedAt: now, ExpiresAt: now.Add(refreshLife), Data: data})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// ErrRefreshRevoked answers a refresh token that no longer works.
var ErrRefreshRevoked = directory.NewError(directory.KindNotAuthorized, "Refresh Token has been revoked")

// ErrRefreshInvalid answers a refresh token that never worked here.
var ErrRefreshInvalid = directory.NewError(directory.KindNotAuthorized, "Invalid Refresh Token")

// ErrRefreshReuse answers a refresh token that rotation replaced, used
// again after its grace period (RefreshTokenReuseException).
var ErrRefreshReuse = directory.NewError(directory.KindRefreshTokenReuse, "Refresh Token has been rotated and can no longer be used.")

// errUserGone answers a token whose user was deleted.
var errUserGone = directory.NewError(directory.KindUserNotFound, "User does not exist.")

// refreshRecord finds a refresh token of client.
func (e *Engine) refreshRecord(ctx context.Context, client *storage.Client, token string) (*storage.OAuthRecord, *tokens.Record, error) {
	if token == "" || len(token) > 4096 {
		return nil, nil, ErrRefreshInvalid
	}
	row, err := e.store.GetOAuthRecord(ctx, storage.KindRefreshToken, e.opaque.Signature(token))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, ErrRefreshInvalid
	}
	if err != nil {
		return nil, nil, err
	}
	if row.PoolID != client.PoolID || row.ClientID != client.ID {
		return nil, nil, ErrRefreshInvalid
	}
	var rec tokens.Record
	if err := json.Unmarshal(row.Data, &rec); err != nil {
		return nil, nil, err
	}
	return row, &rec, nil
}

// refreshUsable says whether a refresh token may be used now: its family
// not revoked, and either live or rotated out less than its grace period
// ago. Expiry and revocation are told apart from reuse, which is
// ErrRefreshReuse.
func refreshUsable(row *storage.OAuthRecord, fam *storage.Family, now time.Time) error {
	switch {
	case fam == nil || !fam.RevokedAt.IsZero() || !now.Before(row.ExpiresAt):
		return ErrRefreshRevoked
	case !row.RotatedAt.IsZero():
		if !now.Before(row.GraceUntil) {
			return ErrRefreshReuse
		}
		return nil
	case !row.Active:
		return ErrRefreshRevoked
	}
	return nil
}

// Refresh mints new ID and access tokens from a refresh token, keeping the
// original auth_time and family (origin_jti).
//
// Cognito keeps a refresh token until it expires unless the client enables
// refresh token rotation. With rotation each refresh also returns a new
// refresh token of the same family, and the one presented is rotated out:
// it stays usable for the client's RotationGracePeriodSeconds (a retry of
// a lost answer gets tokens, and a new refresh token, again), then its use
// is refused with ErrRefreshReuse. With no grace period, of refreshes
// racing with one token exactly one wins.
func (e *Engine) Refresh(ctx context.Context, pool *storage.Pool, client *storage.Client, token string) (*Tokens, error) {
	row, rec, err := e.refreshRecord(ctx, client, token)
	if err != nil {
		return nil, err
	}
	now := e.cfg.Now().UTC()
	user, err := e.store.GetUserBySub(ctx, pool.ID, row.Sub)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errUserGone
	}
	if err != nil {
		return nil, err
	}
	fam, err := e.store.GetFamily(ctx, pool.ID, row.RequestID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	if err := refreshUsable(row, fam, now); err != nil {
		return nil, err
	}
	if !user.Enabled {
		return nil, errNotAuthorized("User is disabled.")
	}
	g, err := e.Grant(ctx, pool, client, user, rec.GrantedScopes, rec.Session.AuthTime, rec.Session.EventID, rec.RequestID, "")
	if err != nil {
		return nil, err
	}
	access, err := e.cfg.Minter.Access(ctx, g)
	if err != nil {
		return nil, err
	}
	out := &Tokens{AccessToken: access.Token, ExpiresIn: int(g.AccessLifetime / time.Second)}
	if slices.Contains(g.Scopes, "openid") || slices.Contains(g.Scopes, APIScope) {
		if out.IDToken, err = e.cfg.Minter.ID(ctx, g, ""); err != nil {
			return nil, err
		}
	}
	if client.RefreshTokenRotation {
		if out.RefreshToken, err = e.rotate(ctx, client, row, now); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rotate stores a new refresh token in row's family and rotates row out,
// unless a refresh before this one (a retry within the grace period, or a
// racing one) already did; it returns the new token.
func (e *Engine) rotate(ctx context.Context, client *storage.Client, row *storage.OAuthRecord, now time.Time) (string, error) {
	token, sig, err := e.opaque.New()
	if err != nil {
		return "", err
	}
	grace := time.Duration(max(client.RotationGracePeriodSeconds, 0)) * time.Second
	err = e.store.InTx(ctx, func(ctx context.Context) error {
		if row.RotatedAt.IsZero() {
			// Deactivating is the guard: of racing rotations one wins.
			err := e.store.DeactivateOAuthRecord(ctx, storage.KindRefreshToken, row.Signature)
			switch {
			case err == nil:
				old := *row
				old.Active, old.RotatedAt, old.GraceUntil = false, now, now.Add(grace)
				if err := e.store.DeleteOAuthRecord(ctx, storage.KindRefreshToken, row.Signature); err != nil {
					return err
				}
				if err := e.store.CreateOAuthRecord(ctx, &old); err != nil {
					return err
				}
			case errors.Is(err, storage.ErrConflict):
				// Rotated or revoked meanwhile: judge the token as it stands now.
				cur, err := e.store.GetOAuthRecord(ctx, storage.KindRefreshToken, row.Signature)
				if err != nil {
					return err
				}
				fam, err := e.store.GetFamily(ctx, cur.PoolID, cur.RequestID)
				if err != nil && !errors.Is(err, storage.ErrNotFound) {
					return err
				}
				if err := refreshUsable(cur, fam, now); err != nil {
					return err
				}
			default:
				return err
			}
		}
		next := *row
		next.Signature, next.Active, next.CreatedAt = sig, true, now
		next.RotatedAt, next.GraceUntil = time.Time{}, time.Time{}
		return e.store.CreateOAuthRecord(ctx, &next)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Revoke revokes a refresh token and every token minted from its family
// (RFC 7009, Cognito's RevokeToken). A token of another client is refused;
// an unknown token is not an error.
func (e *Engine) Revoke(ctx context.Context, client *storage.Client, token string) error {
	row, err := e.store.GetOAuthRecord(ctx, storage.KindRefreshToken, e.opaque.Signature(token))
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if row.ClientID != client.ID {
		return ErrWrongClient
	}
	return e.RevokeFamily(ctx, row.PoolID, row.RequestID)
}

// ErrWrongClient answers a revocation by another client than the token's.
var ErrWrongClient = errors.New("auth: token belongs to another client")

// RevokeFamily revokes a family and deactivates its refresh tokens.
func (e *Engine) RevokeFamily(ctx context.Context, poolID, familyID string) error {
	return e.store.InTx(ctx, func(ctx context.Context) error {
		if err := e.store.RevokeFamily(ctx, poolID, familyID, e.cfg.Now().UTC()); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		return e.store.DeactivateOAuthRequest(ctx, storage.KindRefreshToken, familyID)
	})
}

// GlobalSignOut ends every session and token of a user: refresh tokens stop
// working, access tokens are refused by the API and userinfo, SSO ends.
func (e *Engine) GlobalSignOut(ctx context.Context, pool *storage.Pool, user *storage.User) error {
	now := e.cfg.Now().UTC()
	return e.store.InTx(ctx, func(ctx context.Context) error {
		u, err := e.store.GetUserBySub(ctx, pool.ID, user.Sub)
		if err != nil {
			return err
		}
		u.SignedOutAt = now
		if err := e.store.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := e.store.RevokeUserFamilies(ctx, pool.ID, u.Sub, now); err != nil {
			return err
		}
		return e.store.DeleteUserSessions(ctx, pool.ID, u.Sub)
	})
}

// Answers to access tokens that do not work.
var (
	// ErrAccessRevoked: revoked (RevokeToken, GlobalSignOut) or signed out.
	ErrAccessRevoked = directory.NewError(directory.KindNotAuthorized, "Access Token has been revoked")
	// ErrAccessExpired: past its exp.
	ErrAccessExpired = directory.NewError(directory.KindNotAuthorized, "Access Token has expired")
	// ErrAccessInvalid: not an access token this pool signed.
	ErrAccessInvalid = directory.NewError(directory.KindNotAuthorized, "Invalid Access Token")
)

// ValidateAccess checks an access token of the pool: signature, expiry,
// issuer, token_use, user present and enabled, family not revoked, issued
// after the user's last global sign-out. The error says which, in
// Cognito's words; a deleted user's token is UserNotFound, as Cognito
// answers it.
func (e *Engine) ValidateAccess(ctx context.Context, pool *storage.Pool, token string) (map[string]any, *storage.User, error) {
	claims, err := e.cfg.Minter.Verify(ctx, pool.ID, token)
	if errors.Is(err, tokens.ErrExpired) {
		return nil, nil, errors.Join(ErrAccessExpired, err)
	}
	if err != nil {
		return nil, nil, errors.Join(ErrAccessInvalid, err)
	}
	if tokens.StringClaim(claims, "iss") != e.cfg.Issuer(pool.ID) || tokens.StringClaim(claims, "token_use") != "access" {
		return nil, nil, ErrAccessInvalid
	}
	sub := tokens.StringClaim(claims, "sub")
	if tokens.StringClaim(claims, "username") == "" {
		// client_credentials tokens name no user.
		return claims, nil, nil
	}
	user, err := e.store.GetUserBySub(ctx, pool.ID, sub)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, errUserGone
	}
	if err != nil {
		return nil, nil, err
	}
	family := tokens.StringClaim(claims, "origin_jti")
	if family != "" {
		// Global sign-out revokes every family, so this check covers it.
		f, err := e.store.GetFamily(ctx, pool.ID, family)
		if errors.Is(err, storage.ErrNotFound) || err == nil && !f.RevokedAt.IsZero() {
			return nil, nil, ErrAccessRevoked
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if !user.Enabled {
		return nil, nil, errNotAuthorized("User is disabled.")
	}
	iat, _ := tokens.NumericClaim(claims, "iat")
	if family == "" && !user.SignedOutAt.IsZero() && !time.Unix(iat, 0).After(user.SignedOutAt) {
		return nil, nil, ErrAccessRevoked
	}
	return claims, user, nil
}

// Scopes splits a scope claim.
func Scopes(claims map[string]any) []string {
	return strings.Fields(tokens.StringClaim(claims, "scope"))
}
