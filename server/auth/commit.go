package auth

import "context"

// CommitSignIn runs fn, which stores what a sign-in leads to (the hosted
// UI's SSO session and authorize request), in one write transaction with
// the sign-in's auth event deferred in ctx (DeferEvent), so that the
// sign-in costs one transaction. If the transaction fails the sign-in still
// happened: its event is then written alone.
func (e *Engine) CommitSignIn(ctx context.Context, fn func(ctx context.Context) error) error {
	ev := takeEvent(ctx)
	err := e.store.InTx(ctx, func(ctx context.Context) error {
		if ev != nil {
			if err := e.store.CreateAuthEvent(ctx, ev); err != nil {
				return err
			}
		}
		return fn(ctx)
	})
	if err != nil && ev != nil {
		if werr := e.store.CreateAuthEvent(context.WithoutCancel(ctx), ev); werr != nil {
			e.cfg.Logger.Warn("record auth event", "pool", ev.PoolID, "err", werr)
		}
	}
	return err
}
