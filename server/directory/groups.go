package directory

import (
	"context"
	"errors"
	"regexp"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// MaxGroupsPerUser is Cognito's quota of groups a user may belong to.
const MaxGroupsPerUser = 100

// roleArnPattern is Cognito's ArnType.
var roleArnPattern = regexp.MustCompile(`^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$`)

// validateGroup checks what CreateGroup and UpdateGroup store besides
// the name: description, role and precedence.
func validateGroup(g *storage.Group) error {
	if g.Precedence != nil && *g.Precedence < 0 {
		return newErr(KindInvalidParameter, "Precedence must be 0 or more")
	}
	if len(g.Description) > 2048 {
		return newErr(KindInvalidParameter, "Description must be at most 2048 characters")
	}
	if g.RoleArn != "" && (len(g.RoleArn) < 20 || len(g.RoleArn) > 2048 || !roleArnPattern.MatchString(g.RoleArn)) {
		return newErr(KindInvalidParameter, "RoleArn %q is not an IAM role ARN", g.RoleArn)
	}
	return nil
}

// ListGroups pages through a pool's groups by name.
func (d *Directory) ListGroups(ctx context.Context, poolID, after string, limit int) ([]*storage.Group, error) {
	if _, err := d.GetPool(ctx, poolID); err != nil {
		return nil, err
	}
	return d.store.ListGroups(ctx, poolID, after, limit)
}

// DeleteGroup deletes a group; its members stay, without it.
func (d *Directory) DeleteGroup(ctx context.Context, poolID, name string) error {
	if _, err := d.GetPool(ctx, poolID); err != nil {
		return err
	}
	return notFound(d.store.DeleteGroup(ctx, poolID, name), KindResourceNotFound, "Group not found.")
}

// RemoveUserFromGroup ends a membership; removing a user who is not a
// member is no error, as in Cognito.
func (d *Directory) RemoveUserFromGroup(ctx context.Context, poolID, group, sub string) error {
	if _, err := d.GetGroup(ctx, poolID, group); err != nil {
		return err
	}
	err := d.store.RemoveUserFromGroup(ctx, poolID, group, sub)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

// ListUsersInGroup pages through a group's members by sub.
func (d *Directory) ListUsersInGroup(ctx context.Context, poolID, group, after string, limit int) ([]*storage.User, error) {
	if _, err := d.GetGroup(ctx, poolID, group); err != nil {
		return nil, err
	}
	return d.store.ListUsersInGroup(ctx, poolID, group, after, limit)
}
