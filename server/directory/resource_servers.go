package directory

import (
	"context"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// MaxResourceServers is Cognito's quota of resource servers per pool.
const MaxResourceServers = 25

// GetResourceServer returns a resource server of the pool.
func (d *Directory) GetResourceServer(ctx context.Context, poolID, identifier string) (*storage.ResourceServer, error) {
	if _, err := d.GetPool(ctx, poolID); err != nil {
		return nil, err
	}
	rs, err := d.store.GetResourceServer(ctx, poolID, identifier)
	if err != nil {
		return nil, notFound(err, KindResourceNotFound, "Resource server "+identifier+" does not exist.")
	}
	return rs, nil
}

// ListResourceServers returns the pool's resource servers by identifier.
// A pool has at most MaxResourceServers, so they come in one read; callers
// page through the list.
func (d *Directory) ListResourceServers(ctx context.Context, poolID string) ([]*storage.ResourceServer, error) {
	if _, err := d.GetPool(ctx, poolID); err != nil {
		return nil, err
	}
	return d.store.ListResourceServers(ctx, poolID)
}

// DeleteResourceServer deletes a resource server. App clients that allow
// its scopes keep them in their AllowedOAuthScopes: scopes are checked
// against the pool's resource servers when a client is written, not when
// a token is issued.
func (d *Directory) DeleteResourceServer(ctx context.Context, poolID, identifier string) error {
	if _, err := d.GetPool(ctx, poolID); err != nil {
		return err
	}
	return notFound(d.store.DeleteResourceServer(ctx, poolID, identifier), KindResourceNotFound,
		"Resource server "+identifier+" does not exist.")
}
