package storagetest

import (
	"math"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var groupTests = []test{
	{"CreateGet", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		g := newGroup("p1", "admins", prec(0)) // zero is a precedence, not "unset"
		must(t, "create", s.CreateGroup(ctx, g))
		wantEqual(t, "group", of(s.GetGroup(ctx, "p1", "admins")).must(t, "get"), g)
		n := newGroup("p1", "plain", nil)
		must(t, "create", s.CreateGroup(ctx, n))
		wantEqual(t, "group without precedence", of(s.GetGroup(ctx, "p1", "plain")).must(t, "get"), n)

		wantErr(t, "duplicate", s.CreateGroup(ctx, newGroup("p1", "admins", nil)), storage.ErrAlreadyExists)
		must(t, "same name in another pool", s.CreateGroup(ctx, newGroup("p2", "admins", prec(5))))
		wantEqual(t, "p1 group kept", of(s.GetGroup(ctx, "p1", "admins")).must(t, "get"), g)
		_, err := s.GetGroup(ctx, "p1", "nope")
		wantErr(t, "missing", err, storage.ErrNotFound)
		_, err = s.GetGroup(ctx, "p3", "admins")
		wantErr(t, "missing pool", err, storage.ErrNotFound)
	}},
	{"Update", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		g := newGroup("p1", "admins", prec(3))
		must(t, "create", s.CreateGroup(ctx, g))
		must(t, "create p2", s.CreateGroup(ctx, newGroup("p2", "admins", prec(3))))
		g.Description = "changed"
		g.Precedence = nil
		g.RoleArn = ""
		must(t, "update", s.UpdateGroup(ctx, g))
		wantEqual(t, "group", of(s.GetGroup(ctx, "p1", "admins")).must(t, "get"), g)
		wantEqual(t, "p2 group", of(s.GetGroup(ctx, "p2", "admins")).must(t, "get"), newGroup("p2", "admins", prec(3)))
		wantErr(t, "update missing", s.UpdateGroup(ctx, newGroup("p1", "nope", nil)), storage.ErrNotFound)
	}},
	{"List", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		for _, name := range []string{"delta", "alpha", "charlie", "bravo", "echo"} {
			must(t, "create", s.CreateGroup(ctx, newGroup("p1", name, nil)))
		}
		must(t, "create other pool", s.CreateGroup(ctx, newGroup("p2", "bravo2", nil)))
		pages(t, "groups", 2, []string{"alpha", "bravo", "charlie", "delta", "echo"}, func(after string, limit int) ([]string, error) {
			gs, err := s.ListGroups(ctx, "p1", after, limit)
			return groupNames(gs), err
		})
		gs := of(s.ListGroups(ctx, "p2", "", 0)).must(t, "list p2")
		wantEqual(t, "p2 groups", gs, []*storage.Group{newGroup("p2", "bravo2", nil)})
	}},
	{"Delete", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		for _, pool := range []string{"p1", "p2"} {
			must(t, "create user", s.CreateUser(ctx, newUser(pool, "sub-1", "alice", "", "")))
			must(t, "create g", s.CreateGroup(ctx, newGroup(pool, "g", nil)))
			must(t, "create h", s.CreateGroup(ctx, newGroup(pool, "h", nil)))
			must(t, "add g", s.AddUserToGroup(ctx, pool, "g", "sub-1"))
			must(t, "add h", s.AddUserToGroup(ctx, pool, "h", "sub-1"))
		}
		must(t, "delete", s.DeleteGroup(ctx, "p1", "g"))
		_, err := s.GetGroup(ctx, "p1", "g")
		wantErr(t, "get deleted", err, storage.ErrNotFound)
		wantErr(t, "delete again", s.DeleteGroup(ctx, "p1", "g"), storage.ErrNotFound)
		wantKeys(t, "p1 groups of user", groupNames(of(s.ListGroupsForUser(ctx, "p1", "sub-1")).must(t, "list")), []string{"h"})
		wantKeys(t, "p2 groups of user", groupNames(of(s.ListGroupsForUser(ctx, "p2", "sub-1")).must(t, "list")), []string{"g", "h"})
		of(s.GetUserBySub(ctx, "p1", "sub-1")).must(t, "member survives")
		// A group recreated under the old name starts empty.
		must(t, "recreate", s.CreateGroup(ctx, newGroup("p1", "g", nil)))
		wantKeys(t, "members of recreated group", userSubs(of(s.ListUsersInGroup(ctx, "p1", "g", "", 0)).must(t, "list")), nil)
	}},
	{"Membership", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create user", s.CreateUser(ctx, newUser("p1", "sub-1", "alice", "", "")))
		must(t, "create user", s.CreateUser(ctx, newUser("p2", "sub-2", "bob", "", "")))
		must(t, "create group", s.CreateGroup(ctx, newGroup("p1", "g", nil)))
		must(t, "create group", s.CreateGroup(ctx, newGroup("p2", "g", nil)))

		wantErr(t, "add to missing group", s.AddUserToGroup(ctx, "p1", "nope", "sub-1"), storage.ErrNotFound)
		wantErr(t, "add missing user", s.AddUserToGroup(ctx, "p1", "g", "nope"), storage.ErrNotFound)
		wantErr(t, "add user of another pool", s.AddUserToGroup(ctx, "p1", "g", "sub-2"), storage.ErrNotFound)
		wantKeys(t, "members after failed adds", userSubs(of(s.ListUsersInGroup(ctx, "p1", "g", "", 0)).must(t, "list")), nil)

		must(t, "add", s.AddUserToGroup(ctx, "p1", "g", "sub-1"))
		must(t, "add again is a no-op", s.AddUserToGroup(ctx, "p1", "g", "sub-1"))
		members := of(s.ListUsersInGroup(ctx, "p1", "g", "", 0)).must(t, "list")
		want := newUser("p1", "sub-1", "alice", "", "")
		want.Version = 1
		wantEqual(t, "members", members, []*storage.User{want})
		wantKeys(t, "p2 members", userSubs(of(s.ListUsersInGroup(ctx, "p2", "g", "", 0)).must(t, "list")), nil)

		wantErr(t, "remove from another pool", s.RemoveUserFromGroup(ctx, "p2", "g", "sub-1"), storage.ErrNotFound)
		must(t, "remove", s.RemoveUserFromGroup(ctx, "p1", "g", "sub-1"))
		wantErr(t, "remove again", s.RemoveUserFromGroup(ctx, "p1", "g", "sub-1"), storage.ErrNotFound)
		wantKeys(t, "members after remove", userSubs(of(s.ListUsersInGroup(ctx, "p1", "g", "", 0)).must(t, "list")), nil)
		wantKeys(t, "groups after remove", groupNames(of(s.ListGroupsForUser(ctx, "p1", "sub-1")).must(t, "list")), nil)
		of(s.GetGroup(ctx, "p1", "g")).must(t, "group survives")
		of(s.GetUserBySub(ctx, "p1", "sub-1")).must(t, "user survives")
	}},
	{"ListUsersInGroup", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create group", s.CreateGroup(ctx, newGroup("p1", "g", nil)))
		must(t, "create group", s.CreateGroup(ctx, newGroup("p1", "other", nil)))
		for _, sub := range []string{"s5", "s1", "s4", "s2", "s3", "s6"} {
			must(t, "create", s.CreateUser(ctx, newUser("p1", sub, "u"+sub, "", "")))
		}
		for _, sub := range []string{"s5", "s1", "s4", "s2"} {
			must(t, "add", s.AddUserToGroup(ctx, "p1", "g", sub))
		}
		must(t, "add other", s.AddUserToGroup(ctx, "p1", "other", "s3"))
		pages(t, "members", 3, []string{"s1", "s2", "s4", "s5"}, func(after string, limit int) ([]string, error) {
			us, err := s.ListUsersInGroup(ctx, "p1", "g", after, limit)
			return userSubs(us), err
		})
		wantKeys(t, "members of a missing group", userSubs(of(s.ListUsersInGroup(ctx, "p1", "nope", "", 0)).must(t, "list")), nil)
	}},
	{"ListGroupsForUserOrder", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create user", s.CreateUser(ctx, newUser("p1", "sub-1", "alice", "", "")))
		must(t, "create other user", s.CreateUser(ctx, newUser("p1", "sub-2", "bob", "", "")))
		must(t, "create user p2", s.CreateUser(ctx, newUser("p2", "sub-1", "alice", "", "")))
		for _, g := range []*storage.Group{
			newGroup("p1", "c-none", nil),
			newGroup("p1", "b-two", prec(2)),
			newGroup("p1", "z-zero", prec(0)),
			newGroup("p1", "a-none", nil),
			newGroup("p1", "d-one", prec(1)),
			newGroup("p1", "a-one", prec(1)),
			newGroup("p1", "y-max", prec(math.MaxInt32)),
			newGroup("p1", "b-notmember", prec(0)),
		} {
			must(t, "create group", s.CreateGroup(ctx, g))
			if g.Name != "b-notmember" {
				must(t, "add", s.AddUserToGroup(ctx, "p1", g.Name, "sub-1"))
			}
		}
		must(t, "other user", s.AddUserToGroup(ctx, "p1", "b-notmember", "sub-2"))
		must(t, "create p2 group", s.CreateGroup(ctx, newGroup("p2", "a-p2", prec(0))))
		must(t, "add p2", s.AddUserToGroup(ctx, "p2", "a-p2", "sub-1"))

		gs := of(s.ListGroupsForUser(ctx, "p1", "sub-1")).must(t, "list")
		wantKeys(t, "precedence, then name, unset last", groupNames(gs),
			[]string{"z-zero", "a-one", "d-one", "b-two", "y-max", "a-none", "c-none"})
		wantEqual(t, "listed group", gs[3], newGroup("p1", "b-two", prec(2)))
		wantKeys(t, "p2", groupNames(of(s.ListGroupsForUser(ctx, "p2", "sub-1")).must(t, "list")), []string{"a-p2"})
		wantKeys(t, "unknown user", groupNames(of(s.ListGroupsForUser(ctx, "p1", "nope")).must(t, "list")), nil)

		// Precedence is read at list time: an update reorders.
		g := of(s.GetGroup(ctx, "p1", "c-none")).must(t, "get")
		g.Precedence = prec(-1)
		must(t, "update", s.UpdateGroup(ctx, g))
		gs = of(s.ListGroupsForUser(ctx, "p1", "sub-1")).must(t, "list")
		wantKeys(t, "after update", groupNames(gs)[:2], []string{"c-none", "z-zero"})
	}},
}
