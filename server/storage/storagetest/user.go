package storagetest

import (
	"fmt"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var userTests = []test{
	{"CreateGet", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		u := newUser("p1", "sub-1", "Alice", "Alice@Example.com", "+15550001")
		u.Version = 42 // ignored: a new user starts at version 1
		must(t, "create", s.CreateUser(ctx, u))
		if u.Version != 1 {
			t.Fatalf("after create Version = %d, want 1", u.Version)
		}
		for _, lookup := range []struct {
			name string
			get  func() (*storage.User, error)
		}{
			{"by sub", func() (*storage.User, error) { return s.GetUserBySub(ctx, "p1", "sub-1") }},
			{"by username key", func() (*storage.User, error) { return s.GetUserByUsernameKey(ctx, "p1", "alice") }},
			{"by email key", func() (*storage.User, error) { return s.GetUserByEmailKey(ctx, "p1", "alice@example.com") }},
			{"by phone key", func() (*storage.User, error) { return s.GetUserByPhoneKey(ctx, "p1", "+15550001") }},
		} {
			wantEqual(t, lookup.name, of(lookup.get()).must(t, lookup.name), u)
		}
	}},
	{"GetMissing", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		// A user without email or phone must not match an empty key.
		must(t, "create", s.CreateUser(ctx, newUser("p1", "sub-1", "bob", "", "")))
		for _, c := range []struct {
			name string
			err  error
		}{
			{"sub", second(s.GetUserBySub(ctx, "p1", "nope"))},
			{"sub in another pool", second(s.GetUserBySub(ctx, "p2", "sub-1"))},
			{"username key", second(s.GetUserByUsernameKey(ctx, "p1", "nope"))},
			{"username key in another pool", second(s.GetUserByUsernameKey(ctx, "p2", "bob"))},
			{"username key, wrong case", second(s.GetUserByUsernameKey(ctx, "p1", "BOB"))},
			{"email key", second(s.GetUserByEmailKey(ctx, "p1", "nope@example.com"))},
			{"empty email key", second(s.GetUserByEmailKey(ctx, "p1", ""))},
			{"phone key", second(s.GetUserByPhoneKey(ctx, "p1", "+1999"))},
			{"empty phone key", second(s.GetUserByPhoneKey(ctx, "p1", ""))},
		} {
			wantErr(t, c.name, c.err, storage.ErrNotFound)
		}
	}},
	{"UniqueKeys", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create", s.CreateUser(ctx, newUser("p1", "sub-1", "alice", "alice@example.com", "+15550001")))
		for _, c := range []struct {
			name string
			user *storage.User
			want error
		}{
			{"same sub", newUser("p1", "sub-1", "other", "other@example.com", "+15550009"), storage.ErrAlreadyExists},
			{"same username key", newUser("p1", "sub-2", "ALICE", "", ""), storage.ErrAlreadyExists},
			{"same email key", newUser("p1", "sub-3", "carol", "alice@example.com", ""), storage.ErrAlreadyExists},
			{"same phone key", newUser("p1", "sub-4", "dave", "", "+15550001"), storage.ErrAlreadyExists},
			{"every key in another pool", newUser("p2", "sub-1", "alice", "alice@example.com", "+15550001"), nil},
			{"no email or phone", newUser("p1", "sub-5", "erin", "", ""), nil},
			{"no email or phone again", newUser("p1", "sub-6", "frank", "", ""), nil},
			{"no email, another phone", newUser("p1", "sub-7", "grace", "", "+15550002"), nil},
			{"no phone, another email", newUser("p1", "sub-8", "heidi", "heidi@example.com", ""), nil},
		} {
			wantErr(t, c.name, s.CreateUser(ctx, c.user), c.want)
		}
		wantEqual(t, "p1 users", of(s.CountUsers(ctx, "p1")).must(t, "count"), 5)
		wantEqual(t, "p2 users", of(s.CountUsers(ctx, "p2")).must(t, "count"), 1)
		// The failed creates changed nothing.
		wantEqual(t, "alice", of(s.GetUserBySub(ctx, "p1", "sub-1")).must(t, "get").Username, "alice")
		_, err := s.GetUserBySub(ctx, "p1", "sub-2")
		wantErr(t, "rejected user", err, storage.ErrNotFound)
	}},
	{"CreateWithoutUsernameKey", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		u := newUser("p1", "sub-1", "alice", "", "")
		u.UsernameKey = ""
		if err := s.CreateUser(ctx, u); err == nil {
			t.Fatal("created a user with an empty username key")
		}
		wantEqual(t, "users", of(s.CountUsers(ctx, "p1")).must(t, "count"), 0)
	}},
	{"Update", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		u := newUser("p1", "sub-1", "alice", "alice@example.com", "+15550001")
		must(t, "create", s.CreateUser(ctx, u))
		stale := *u
		u.Status = storage.StatusResetRequired
		u.Enabled = false
		u.Attributes["name"] = "Alice B."
		u.EmailKey = "alice@new.example"
		u.PhoneKey = ""
		u.FailedSignIns = 0
		u.UpdatedAt = at(77)
		must(t, "update", s.UpdateUser(ctx, u))
		if u.Version != 2 {
			t.Fatalf("after update Version = %d, want 2", u.Version)
		}
		wantEqual(t, "user", of(s.GetUserBySub(ctx, "p1", "sub-1")).must(t, "get"), u)
		wantEqual(t, "by new email", of(s.GetUserByEmailKey(ctx, "p1", "alice@new.example")).must(t, "get").Sub, "sub-1")
		_, err := s.GetUserByEmailKey(ctx, "p1", "alice@example.com")
		wantErr(t, "old email key", err, storage.ErrNotFound)
		_, err = s.GetUserByPhoneKey(ctx, "p1", "+15550001")
		wantErr(t, "cleared phone key", err, storage.ErrNotFound)

		// A second update from the same copy works and bumps again.
		u.Attributes["name"] = "Alice C."
		must(t, "update again", s.UpdateUser(ctx, u))
		if u.Version != 3 {
			t.Fatalf("after second update Version = %d, want 3", u.Version)
		}

		// The copy read before the updates is stale.
		stale.Username = "mallory"
		wantErr(t, "stale update", s.UpdateUser(ctx, &stale), storage.ErrConflict)
		if stale.Version != 1 {
			t.Fatalf("a failed update changed Version to %d", stale.Version)
		}
		got := of(s.GetUserBySub(ctx, "p1", "sub-1")).must(t, "get")
		wantEqual(t, "user after stale update", got, u)

		// A version from the future is as wrong as one from the past.
		future := *got
		future.Version = 99
		wantErr(t, "future version", s.UpdateUser(ctx, &future), storage.ErrConflict)

		missing := newUser("p1", "nope", "nobody", "", "")
		missing.Version = 1
		wantErr(t, "update missing", s.UpdateUser(ctx, missing), storage.ErrNotFound)
		other := *got
		other.PoolID = "p2"
		wantErr(t, "update in another pool", s.UpdateUser(ctx, &other), storage.ErrNotFound)
	}},
	{"UpdateKeyCollision", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		a := newUser("p1", "sub-a", "alice", "alice@example.com", "+15550001")
		b := newUser("p1", "sub-b", "bob", "bob@example.com", "+15550002")
		must(t, "create a", s.CreateUser(ctx, a))
		must(t, "create b", s.CreateUser(ctx, b))
		for _, c := range []struct {
			name string
			edit func(u *storage.User)
		}{
			{"username key", func(u *storage.User) { u.UsernameKey = "alice" }},
			{"email key", func(u *storage.User) { u.EmailKey = "alice@example.com" }},
			{"phone key", func(u *storage.User) { u.PhoneKey = "+15550001" }},
		} {
			edited := *b
			c.edit(&edited)
			wantErr(t, c.name, s.UpdateUser(ctx, &edited), storage.ErrAlreadyExists)
			if edited.Version != 1 {
				t.Fatalf("%s: a failed update changed Version to %d", c.name, edited.Version)
			}
		}
		wantEqual(t, "b unchanged", of(s.GetUserBySub(ctx, "p1", "sub-b")).must(t, "get"), b)
		// Two users may both drop their email.
		a.EmailKey, b.EmailKey = "", ""
		must(t, "clear a", s.UpdateUser(ctx, a))
		must(t, "clear b", s.UpdateUser(ctx, b))
	}},
	{"List", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		var want []string
		for i := range 7 {
			sub := fmt.Sprintf("sub-%d", (i*3)%7) // created out of order
			must(t, "create", s.CreateUser(ctx, newUser("p1", sub, "user"+sub, "", "")))
		}
		for i := range 7 {
			want = append(want, fmt.Sprintf("sub-%d", i))
		}
		must(t, "create other pool", s.CreateUser(ctx, newUser("p2", "sub-3a", "x", "", "")))
		pages(t, "users", 3, want, func(after string, limit int) ([]string, error) {
			us, err := s.ListUsers(ctx, "p1", after, limit)
			return userSubs(us), err
		})
		us, err := s.ListUsers(ctx, "p1", "sub-5", 1)
		must(t, "list", err)
		wantEqual(t, "listed user", us, []*storage.User{func() *storage.User {
			u := newUser("p1", "sub-6", "usersub-6", "", "")
			u.Version = 1
			return u
		}()})
		wantEqual(t, "count p1", of(s.CountUsers(ctx, "p1")).must(t, "count"), 7)
		wantEqual(t, "count p2", of(s.CountUsers(ctx, "p2")).must(t, "count"), 1)
		wantEqual(t, "count p3", of(s.CountUsers(ctx, "p3")).must(t, "count"), 0)
	}},
	{"ListByKey", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		// Emails out of order, one mixed case, one user without any, two
		// users sharing an email (it is no key unless an alias); and the
		// same email in another pool.
		for _, u := range []struct{ sub, email, phone string }{
			{"s5", "bob@b.example", "+1555"}, {"s1", "Alice@A.example", "+1444"}, {"s3", "al@a.example", ""},
			{"s2", "", "+1555"}, {"s4", "bob@b.example", ""}, {"s6", "albert@Ü.example", "+1556"},
		} {
			n := newUser("p1", u.sub, "user-"+u.sub, "", u.phone)
			n.PhoneKey = "" // not an alias: not unique
			if u.email != "" {
				n.Attributes["email"] = u.email
			}
			must(t, "create", s.CreateUser(ctx, n))
		}
		must(t, "create other pool", s.CreateUser(ctx, newUser("p2", "s9", "x", "al@a.example", "")))
		list := func(r storage.UserKeyRange, limit int) []string {
			t.Helper()
			us, err := s.ListUsersByKey(ctx, "p1", r, limit)
			must(t, "list by key", err)
			return userSubs(us)
		}
		// A prefix, case-folded: (key, sub) order; the non-ASCII Ü is kept.
		al := storage.UserKeyRange{Key: storage.KeyEmail, From: "al", To: storage.PrefixEnd("al")}
		wantEqual(t, "email ^= al", list(al, 0), []string{"s3", "s6", "s1"})
		wantEqual(t, "folded key", storage.LowerASCII("albert@Ü.Example"), "albert@Ü.example")
		// Paged after (key, sub), equal keys ordered by sub.
		bob := storage.UserKeyRange{Key: storage.KeyEmail, From: "bob@b.example", To: "bob@b.example\x00"}
		wantEqual(t, "email = bob", list(bob, 0), []string{"s4", "s5"})
		bob.AfterKey, bob.AfterSub = "bob@b.example", "s4"
		wantEqual(t, "email = bob after s4", list(bob, 1), []string{"s5"})
		al.AfterKey, al.AfterSub = "al@a.example", "s3"
		wantEqual(t, "email ^= al after al@a.example", list(al, 1), []string{"s6"})
		// No upper bound; the user without an email has no key.
		wantEqual(t, "every email", list(storage.UserKeyRange{Key: storage.KeyEmail}, 0), []string{"s3", "s6", "s1", "s4", "s5"})
		wantEqual(t, "phone ^= +155", list(storage.UserKeyRange{Key: storage.KeyPhone, From: "+155", To: storage.PrefixEnd("+155")}, 0),
			[]string{"s2", "s5", "s6"})
		wantEqual(t, "username ^= user-s", list(storage.UserKeyRange{Key: storage.KeyUsername, From: "user-s", To: "user-t"}, 2), []string{"s1", "s2"})
		wantEqual(t, "sub ^= s6", list(storage.UserKeyRange{Key: storage.KeySub, From: "s6", To: "s7"}, 0), []string{"s6"})
		// The index follows updates: drop one email, change another.
		u := of(s.GetUserBySub(ctx, "p1", "s3")).must(t, "get")
		delete(u.Attributes, "email")
		must(t, "update", s.UpdateUser(ctx, u))
		u = of(s.GetUserBySub(ctx, "p1", "s5")).must(t, "get")
		u.Attributes["email"] = "ALbus@x.example"
		must(t, "update", s.UpdateUser(ctx, u))
		al.AfterKey, al.AfterSub = "", ""
		wantEqual(t, "email ^= al after updates", list(al, 0), []string{"s6", "s5", "s1"})
		wantEqual(t, "PrefixEnd", []string{storage.PrefixEnd("ab"), storage.PrefixEnd("a\xff"), storage.PrefixEnd("\xff"), storage.PrefixEnd("")},
			[]string{"ac", "b", "", ""})
	}},
	{"Delete", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		for _, pool := range []string{"p1", "p2"} {
			for _, sub := range []string{"sub-1", "sub-2"} {
				must(t, "create user", s.CreateUser(ctx, newUser(pool, sub, "u"+sub, sub+"@example.com", "")))
				must(t, "create session", s.CreateSession(ctx, newSession(pool, "sess-"+sub, sub)))
				must(t, "create family", s.CreateFamily(ctx, newFamily(pool, "fam-"+sub, sub)))
			}
			must(t, "create group", s.CreateGroup(ctx, newGroup(pool, "g", nil)))
			must(t, "add", s.AddUserToGroup(ctx, pool, "g", "sub-1"))
			must(t, "add", s.AddUserToGroup(ctx, pool, "g", "sub-2"))
		}
		must(t, "delete", s.DeleteUser(ctx, "p1", "sub-1"))

		_, err := s.GetUserBySub(ctx, "p1", "sub-1")
		wantErr(t, "user", err, storage.ErrNotFound)
		_, err = s.GetUserByEmailKey(ctx, "p1", "sub-1@example.com")
		wantErr(t, "user by email", err, storage.ErrNotFound)
		_, err = s.GetSession(ctx, "p1", "sess-sub-1")
		wantErr(t, "session", err, storage.ErrNotFound)
		_, err = s.GetFamily(ctx, "p1", "fam-sub-1")
		wantErr(t, "family", err, storage.ErrNotFound)
		gs, err := s.ListGroupsForUser(ctx, "p1", "sub-1")
		must(t, "groups", err)
		wantKeys(t, "groups of deleted user", groupNames(gs), nil)
		us, err := s.ListUsersInGroup(ctx, "p1", "g", "", 0)
		must(t, "members", err)
		wantKeys(t, "members of g in p1", userSubs(us), []string{"sub-2"})

		// The same user in another pool, and the other user, keep everything.
		for _, k := range []struct{ pool, sub string }{{"p1", "sub-2"}, {"p2", "sub-1"}, {"p2", "sub-2"}} {
			of(s.GetUserBySub(ctx, k.pool, k.sub)).must(t, k.pool+" "+k.sub)
			of(s.GetSession(ctx, k.pool, "sess-"+k.sub)).must(t, "session "+k.pool+" "+k.sub)
			of(s.GetFamily(ctx, k.pool, "fam-"+k.sub)).must(t, "family "+k.pool+" "+k.sub)
			gs := of(s.ListGroupsForUser(ctx, k.pool, k.sub)).must(t, "groups")
			wantKeys(t, "groups of "+k.pool+" "+k.sub, groupNames(gs), []string{"g"})
		}

		wantErr(t, "delete again", s.DeleteUser(ctx, "p1", "sub-1"), storage.ErrNotFound)
		wantErr(t, "delete missing", s.DeleteUser(ctx, "p3", "sub-2"), storage.ErrNotFound)
		// The keys are free again, and the new user starts clean.
		must(t, "recreate", s.CreateUser(ctx, newUser("p1", "sub-1", "usub-1", "sub-1@example.com", "")))
		gs, err = s.ListGroupsForUser(ctx, "p1", "sub-1")
		must(t, "groups", err)
		wantKeys(t, "groups of recreated user", groupNames(gs), nil)
	}},
}

func second[T any](_ T, err error) error { return err }
