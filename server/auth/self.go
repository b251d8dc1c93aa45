package auth

import (
	"context"
	"errors"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// What a signed-in user does to their own account: change their password,
// their attributes. The Cognito API's access-token operations
// (ChangePassword, UpdateUserAttributes, DeleteUserAttributes) call these,
// and so will any hosted UI page where users edit their profile, so that
// lockout, the password policy and attribute verification are one thing.
//
//	ChangePassword ──► locked out? ──► previous password ──► policy ──► stored
//	                   LimitExceeded    wrong: counted toward   InvalidPassword
//	                                    the sign-in lockout
//
//	UpdateAttributes ──► schema checks, stored ──► changed email / phone:
//	(account.go)         (an empty value removes)   unverified, a code sent
//	                                                (or the old value kept)

// ErrAttemptLimit answers a password change while the user is locked out
// by failed passwords (LimitExceededException, as Cognito answers it).
var ErrAttemptLimit = directory.NewError(directory.KindLimitExceeded, "Attempt limit exceeded, please try after some time.")

// ChangePassword replaces a signed-in user's password. previous is checked
// as a sign-in's password is: refused while the user is locked out, and a
// wrong one counts toward the lockout that sign-in shares (FailedSignIns,
// LockoutDelay). A user without a password (none set yet) may omit it.
// proposed must meet the pool's policy. The user's tokens stay valid, as in
// Cognito; the failure counter starts again.
func (e *Engine) ChangePassword(ctx context.Context, pool *storage.Pool, client *storage.Client, user *storage.User, previous, proposed, ip string) error {
	if e.cfg.Now().Before(user.LockedUntil) {
		e.accountEvent(ctx, pool, client, user, "PasswordChange", "Fail", ip)
		return ErrAttemptLimit
	}
	if user.PasswordHash != "" {
		if previous == "" {
			return directory.NewError(directory.KindInvalidParameter, "Missing required parameter PreviousPassword")
		}
		if ok, _ := e.dir.CheckPassword(user, previous); !ok {
			e.countFailure(ctx, pool, client, user, "PasswordChange", ip)
			return ErrIncorrect
		}
	}
	if err := directory.ValidatePassword(pool.PasswordPolicy, proposed); err != nil {
		return err
	}
	u, err := e.updateUser(ctx, pool, user, func(u *storage.User) error {
		return e.dir.SetPassword(pool, u, proposed, true)
	})
	if err != nil {
		return err
	}
	e.accountEvent(ctx, pool, client, u, "PasswordChange", "Pass", ip)
	return nil
}

// countFailure counts a failed password toward the user's lockout (past
// FreeAttempts, locked for LockoutDelay) and records the event typ
// (SignIn, PasswordChange); the user and the event are written in one
// transaction. Sign-in and password change share the counter.
func (e *Engine) countFailure(ctx context.Context, pool *storage.Pool, client *storage.Client, user *storage.User, typ, ip string) {
	now := e.cfg.Now().UTC()
	err := e.store.InTx(ctx, func(ctx context.Context) error {
		u, err := e.store.GetUserBySub(ctx, pool.ID, user.Sub)
		if err != nil {
			return err
		}
		u.FailedSignIns++
		if u.FailedSignIns >= FreeAttempts {
			u.LockedUntil = now.Add(LockoutDelay(u.FailedSignIns))
		}
		if err := e.store.UpdateUser(ctx, u); err != nil {
			return err
		}
		ev := e.newEvent(pool.ID, client.ID, u, u.Username, ip, "Fail", "wrong password")
		ev.Type = typ
		return e.store.CreateAuthEvent(ctx, ev)
	})
	if err != nil {
		e.cfg.Logger.Warn("record failed password", "pool", pool.ID, "type", typ, "err", err)
	}
}

// DeleteAttributes removes attributes from a user and stores the change
// (directory's DeleteAttributes: required and immutable ones are refused,
// all or nothing).
func (e *Engine) DeleteAttributes(ctx context.Context, pool *storage.Pool, user *storage.User, names []string) error {
	_, err := e.updateUser(ctx, pool, user, func(u *storage.User) error {
		return e.dir.DeleteAttributes(pool, u, names)
	})
	return err
}

// updateUser applies change to a fresh copy of the user and stores it,
// again on a fresh copy when a concurrent change won (storage.ErrConflict),
// and returns the stored user.
func (e *Engine) updateUser(ctx context.Context, pool *storage.Pool, user *storage.User, change func(*storage.User) error) (*storage.User, error) {
	for attempt := 0; ; attempt++ {
		u, err := e.dir.GetUserBySub(ctx, pool.ID, user.Sub)
		if err != nil {
			return nil, err
		}
		if err := change(u); err != nil {
			return nil, err
		}
		err = e.dir.SaveUser(ctx, pool, u)
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, storage.ErrConflict) || attempt == 2 {
			return nil, err
		}
	}
}
