package directory

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

func TestGroupRules(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil)
	tests := []struct {
		name  string
		group storage.Group
		kind  Kind
	}{
		{"role", storage.Group{Name: "a", RoleArn: "arn:aws:iam::123456789012:role/Admins"}, 0},
		{"role with path", storage.Group{Name: "b", RoleArn: "arn:aws-us-gov:iam::123456789012:role/team/Readers"}, 0},
		{"not an ARN", storage.Group{Name: "c", RoleArn: "admins-role-of-the-team"}, KindInvalidParameter},
		{"ARN without account", storage.Group{Name: "d", RoleArn: "arn:aws:iam:::role/Admins"}, KindInvalidParameter},
		{"long description", storage.Group{Name: "e", Description: strings.Repeat("d", 2049)}, KindInvalidParameter},
		{"2048 description", storage.Group{Name: "f", Description: strings.Repeat("d", 2048)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.group
			g.PoolID = p.ID
			wantKind(t, td.CreateGroup(ctx, &g), tt.kind)
			if tt.kind == 0 {
				return
			}
			// UpdateGroup checks the same.
			ok := storage.Group{PoolID: p.ID, Name: "a"}
			ok.RoleArn, ok.Description = tt.group.RoleArn, tt.group.Description
			wantKind(t, td.UpdateGroup(ctx, &ok), tt.kind)
		})
	}
}

func TestGroupMembership(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil)
	const missing = "us-east-1_Missing00"
	u, err := td.CreateUser(ctx, p, NewUser{Username: "m"})
	if err != nil {
		t.Fatal(err)
	}
	wantKind(t, td.CreateGroup(ctx, &storage.Group{PoolID: p.ID, Name: "g"}), 0)

	wantKind(t, td.RemoveUserFromGroup(ctx, p.ID, "g", u.Sub), 0) // not a member: no error
	wantKind(t, td.AddUserToGroup(ctx, p.ID, "g", u.Sub), 0)
	wantKind(t, td.AddUserToGroup(ctx, p.ID, "g", u.Sub), 0) // again: no error
	members, err := td.ListUsersInGroup(ctx, p.ID, "g", "", 0)
	if err != nil || len(members) != 1 || members[0].Sub != u.Sub {
		t.Fatalf("ListUsersInGroup = %v, %v", members, err)
	}
	_, err = td.ListUsersInGroup(ctx, p.ID, "nope", "", 0)
	wantKind(t, err, KindResourceNotFound)
	wantKind(t, td.AddUserToGroup(ctx, p.ID, "nope", u.Sub), KindResourceNotFound)
	wantKind(t, td.AddUserToGroup(ctx, p.ID, "g", "no-such-sub"), KindUserNotFound)
	wantKind(t, td.RemoveUserFromGroup(ctx, p.ID, "nope", u.Sub), KindResourceNotFound)
	wantKind(t, td.RemoveUserFromGroup(ctx, p.ID, "g", u.Sub), 0)
	if members, _ := td.ListUsersInGroup(ctx, p.ID, "g", "", 0); len(members) != 0 {
		t.Fatalf("still a member: %v", members)
	}

	// At most 100 groups per user.
	for i := range MaxGroupsPerUser {
		name := fmt.Sprintf("g%03d", i)
		wantKind(t, td.CreateGroup(ctx, &storage.Group{PoolID: p.ID, Name: name}), 0)
		wantKind(t, td.AddUserToGroup(ctx, p.ID, name, u.Sub), 0)
	}
	wantKind(t, td.AddUserToGroup(ctx, p.ID, "g", u.Sub), KindLimitExceeded)
	wantKind(t, td.AddUserToGroup(ctx, p.ID, "g000", u.Sub), 0) // a membership it has

	groups, err := td.ListGroups(ctx, p.ID, "g050", 10)
	if err != nil || len(groups) != 10 || groups[0].Name != "g051" {
		t.Fatalf("ListGroups after g050: %v, %v", GroupNames(groups), err)
	}
	_, err = td.ListGroups(ctx, missing, "", 10)
	wantKind(t, err, KindResourceNotFound)

	wantKind(t, td.DeleteGroup(ctx, p.ID, "g000"), 0)
	wantKind(t, td.DeleteGroup(ctx, p.ID, "g000"), KindResourceNotFound)
	wantKind(t, td.DeleteGroup(ctx, missing, "g001"), KindResourceNotFound)
	wantKind(t, td.AddUserToGroup(ctx, p.ID, "g", u.Sub), 0) // room again
}
