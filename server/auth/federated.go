package auth

import (
	"context"
	"errors"
	"strings"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// FlowFederated names federated sign-ins in metrics.
const FlowFederated = "FEDERATED"

// errDisabled stops the federated sign-in transaction for a disabled user.
var errDisabled = errors.New("auth: user disabled")

// SignInFederated turns an upstream identity, which its connector checked,
// into the pool user to sign in, as Cognito does:
//
//   - the native user the identity is linked to (AdminLinkProviderForUser),
//     if any;
//   - else the user {ProviderName}_{Subject} of an earlier sign-in;
//   - else that user is created, status EXTERNAL_PROVIDER, with the
//     identities attribute and the provider's mapped attributes.
//
// The provider's AttributeMapping (federation.MapAttributes) is applied at
// every sign-in, to the linked user too; a mapped value the pool's schema
// refuses, or a required attribute the upstream did not send, fails the
// sign-in. A disabled user is refused with the engine's usual answer. The
// auth event is recorded (or deferred under DeferEvent) as for any
// sign-in, the failures too.
func (e *Engine) SignInFederated(ctx context.Context, pool *storage.Pool, client *storage.Client, id federation.Identity, ip string) (*Authenticated, error) {
	username := ""
	if id.ProviderName != "" && id.Subject != "" {
		username = directory.FederatedUsername(id.ProviderName, id.Subject)
	}
	fail := func(u *storage.User, reason string, err error) (*Authenticated, error) {
		e.event(ctx, pool.ID, clientID(client), u, username, ip, "Fail", reason)
		e.cfg.Observe(pool.ID, FlowFederated, OutcomeFailure)
		return nil, err
	}
	if username == "" {
		return fail(nil, "federation: no subject", directory.NewError(directory.KindInvalidParameter, "The identity provider sent no subject."))
	}
	idp, err := e.dir.IdentityProvider(ctx, pool.ID, id.ProviderName)
	if err != nil {
		return fail(nil, "federation: unknown provider", err)
	}
	if id.ProviderType == "" {
		id.ProviderType = idp.Type
	}
	mapped, err := federation.MapAttributes(idp.AttributeMapping, id)
	if err != nil {
		return fail(nil, "federation: attribute mapping", directory.NewError(directory.KindInvalidParameter, "%s", strings.TrimPrefix(err.Error(), federation.ErrInvalidResponse.Error()+": ")))
	}
	var user *storage.User
	err = e.store.InTx(ctx, func(ctx context.Context) error {
		linked, err := e.dir.LinkedUser(ctx, pool, id, mapped)
		if err != nil {
			return err
		}
		user = linked
		if user == nil {
			user, err = e.dir.FederatedUser(ctx, pool, id.ProviderName, id.Subject)
			if directory.KindOf(err) == directory.KindUserNotFound {
				user, err = e.dir.CreateFederatedUser(ctx, pool, id, mapped)
				return err
			}
			if err != nil {
				return err
			}
		}
		if !user.Enabled {
			return errDisabled
		}
		changed, err := e.dir.ApplyFederatedAttributes(pool, user, mapped)
		if err != nil || !changed {
			return err
		}
		return e.dir.SaveUser(ctx, pool, user)
	})
	switch {
	case errors.Is(err, errDisabled):
		return fail(user, "disabled", errNotAuthorized("User is disabled."))
	case directory.KindOf(err) != 0:
		return fail(user, "federation: "+strings.ToLower(strings.SplitN(err.Error(), ":", 2)[0]), err)
	case err != nil:
		return nil, err
	}
	step, err := e.done(ctx, pool, client, user, FlowFederated, ip)
	if err != nil {
		return nil, err
	}
	return step.Done, nil
}

// FederatedFailure records a failed sign-in through providerName that
// ended upstream or at the callback (cancelled, bad state, bad signature,
// replay, upstream down); reason is a short code, never a secret.
func (e *Engine) FederatedFailure(ctx context.Context, pool *storage.Pool, client *storage.Client, providerName, ip, reason string) {
	e.event(ctx, pool.ID, clientID(client), nil, "", ip, "Fail", "federation: "+providerName+": "+reason)
	e.cfg.Observe(pool.ID, FlowFederated, OutcomeFailure)
}

func clientID(c *storage.Client) string {
	if c == nil {
		return ""
	}
	return c.ID
}
