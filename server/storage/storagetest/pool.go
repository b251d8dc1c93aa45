package storagetest

import (
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var poolTests = []test{
	{"CreateGet", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		p := newPool("eu-west-1_A")
		must(t, "create", s.CreatePool(ctx, p))
		got := of(s.GetPool(ctx, p.ID)).must(t, "get")
		wantEqual(t, "pool", got, p)
	}},
	{"CreateDuplicate", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create", s.CreatePool(ctx, newPool("p1")))
		other := newPool("p1")
		other.Name = "second"
		wantErr(t, "create again", s.CreatePool(ctx, other), storage.ErrAlreadyExists)
		wantEqual(t, "name kept", of(s.GetPool(ctx, "p1")).must(t, "get").Name, "pool p1")
	}},
	{"GetMissing", func(t *testing.T, s storage.Store) {
		_, err := s.GetPool(ctxOf(t), "nope")
		wantErr(t, "get", err, storage.ErrNotFound)
	}},
	{"Update", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		p := newPool("p1")
		must(t, "create", s.CreatePool(ctx, p))
		p.Name = "renamed"
		p.MfaConfiguration = "ON"
		p.Tags = map[string]string{"env": "prod", "team": "id"}
		p.UpdatedAt = at(99)
		must(t, "update", s.UpdatePool(ctx, p))
		wantEqual(t, "pool", of(s.GetPool(ctx, "p1")).must(t, "get"), p)
		wantErr(t, "update missing", s.UpdatePool(ctx, newPool("nope")), storage.ErrNotFound)
		if _, err := s.GetPool(ctx, "nope"); err == nil {
			t.Fatal("update of a missing pool created it")
		}
	}},
	{"List", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		got, err := s.ListPools(ctx, "", 10)
		must(t, "list empty", err)
		wantKeys(t, "empty store", poolIDs(got), nil)
		for _, id := range []string{"p3", "p1", "p5", "p2", "p4"} {
			must(t, "create "+id, s.CreatePool(ctx, newPool(id)))
		}
		first, err := s.ListPools(ctx, "", 2)
		must(t, "list", err)
		wantKeys(t, "first page", poolIDs(first), []string{"p1", "p2"})
		wantEqual(t, "listed pool", first[0], newPool("p1"))
		// A cursor need not name an existing pool.
		mid, err := s.ListPools(ctx, "p2a", 2)
		must(t, "list", err)
		wantKeys(t, "after p2a", poolIDs(mid), []string{"p3", "p4"})
		pages(t, "pools", 2, []string{"p1", "p2", "p3", "p4", "p5"}, func(after string, limit int) ([]string, error) {
			ps, err := s.ListPools(ctx, after, limit)
			return poolIDs(ps), err
		})
	}},
	{"Delete", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "create", s.CreatePool(ctx, newPool("p1")))
		must(t, "create", s.CreatePool(ctx, newPool("p2")))
		must(t, "delete", s.DeletePool(ctx, "p1"))
		_, err := s.GetPool(ctx, "p1")
		wantErr(t, "get deleted", err, storage.ErrNotFound)
		wantErr(t, "delete again", s.DeletePool(ctx, "p1"), storage.ErrNotFound)
		of(s.GetPool(ctx, "p2")).must(t, "other pool")
		// The id is free again.
		must(t, "recreate", s.CreatePool(ctx, newPool("p1")))
	}},
	{"DeleteCascades", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		populate(t, s, "pA")
		populate(t, s, "pB")
		must(t, "delete pool", s.DeletePool(ctx, "pA"))
		checkPopulated(t, s, "pA", false)
		checkPopulated(t, s, "pB", true)
		// Every key of the deleted pool is free again.
		must(t, "recreate pool", s.CreatePool(ctx, newPool("pA")))
		populate(t, s, "pA")
		checkPopulated(t, s, "pA", true)
	}},
	{"DeleteMissingKeepsRows", func(t *testing.T, s storage.Store) {
		populate(t, s, "pA")
		wantErr(t, "delete missing", s.DeletePool(ctxOf(t), "pZ"), storage.ErrNotFound)
		checkPopulated(t, s, "pA", true)
	}},
}

// populate gives pool id one row of every entity, keyed so that another
// pool's rows never collide (client ids and OAuth signatures are global).
func populate(t *testing.T, s storage.Store, id string) {
	t.Helper()
	ctx := ctxOf(t)
	if _, err := s.GetPool(ctx, id); err != nil {
		must(t, "create pool", s.CreatePool(ctx, newPool(id)))
	}
	must(t, "create client", s.CreateClient(ctx, newClient(id, "client-"+id)))
	must(t, "create user", s.CreateUser(ctx, newUser(id, "sub-1", "alice", "alice@example.com", "+15550001")))
	must(t, "create group", s.CreateGroup(ctx, newGroup(id, "admins", prec(1))))
	must(t, "add to group", s.AddUserToGroup(ctx, id, "admins", "sub-1"))
	must(t, "create resource server", s.CreateResourceServer(ctx, newResourceServer(id, "https://api.example")))
	must(t, "create domain", s.CreateDomain(ctx, newDomain(id, "domain-"+strings.ToLower(id), false)))
	must(t, "create key", s.CreateSigningKey(ctx, newSigningKey(id, "kid-1", t0)))
	must(t, "create auth request", s.CreateAuthRequest(ctx, newAuthRequest(id, "ar-1")))
	must(t, "create session", s.CreateSession(ctx, newSession(id, "sess-1", "sub-1")))
	must(t, "create oauth record", s.CreateOAuthRecord(ctx, newOAuthRecord(storage.KindRefreshToken, "sig-"+id, id, "req-1")))
	must(t, "create family", s.CreateFamily(ctx, newFamily(id, "fam-1", "sub-1")))
	must(t, "create event", s.CreateAuthEvent(ctx, newEvent(id, "ev-1", "sub-1", t0)))
	must(t, "create identity provider", s.CreateIdentityProvider(ctx, newIdentityProvider(id, "Corp", "corp.example")))
	must(t, "create identity link", s.CreateIdentityLink(ctx, newLink(id, "Corp", "Cognito_Subject", "s1", "sub-1")))
}

// checkPopulated checks that every row populate made for pool id is there,
// or that none is.
func checkPopulated(t *testing.T, s storage.Store, id string, present bool) {
	t.Helper()
	ctx := ctxOf(t)
	want := storage.ErrNotFound
	wantN := 0
	if present {
		want, wantN = nil, 1
	}
	check := func(what string, err error) {
		t.Helper()
		wantErr(t, id+": "+what, err, want)
	}
	count := func(what string, n int, err error) {
		t.Helper()
		must(t, id+": "+what, err)
		if n != wantN {
			t.Fatalf("%s: %s: got %d, want %d", id, what, n, wantN)
		}
	}
	_, err := s.GetPool(ctx, id)
	check("pool", err)
	_, err = s.GetClient(ctx, "client-"+id)
	check("client", err)
	cs, err := s.ListClients(ctx, id, "", 0)
	count("clients", len(cs), err)
	_, err = s.GetUserBySub(ctx, id, "sub-1")
	check("user", err)
	_, err = s.GetUserByUsernameKey(ctx, id, "alice")
	check("user by username", err)
	_, err = s.GetUserByEmailKey(ctx, id, "alice@example.com")
	check("user by email", err)
	_, err = s.GetUserByPhoneKey(ctx, id, "+15550001")
	check("user by phone", err)
	n, err := s.CountUsers(ctx, id)
	count("users", n, err)
	_, err = s.GetGroup(ctx, id, "admins")
	check("group", err)
	gs, err := s.ListGroupsForUser(ctx, id, "sub-1")
	count("groups of user", len(gs), err)
	us, err := s.ListUsersInGroup(ctx, id, "admins", "", 0)
	count("group members", len(us), err)
	_, err = s.GetResourceServer(ctx, id, "https://api.example")
	check("resource server", err)
	_, err = s.GetDomain(ctx, "domain-"+strings.ToLower(id))
	check("domain", err)
	ds, err := s.ListPoolDomains(ctx, id)
	count("domains", len(ds), err)
	ks, err := s.ListSigningKeys(ctx, id)
	count("signing keys", len(ks), err)
	_, err = s.GetAuthRequest(ctx, id, "ar-1")
	check("auth request", err)
	_, err = s.GetSession(ctx, id, "sess-1")
	check("session", err)
	_, err = s.GetOAuthRecord(ctx, storage.KindRefreshToken, "sig-"+id)
	check("oauth record", err)
	_, err = s.GetFamily(ctx, id, "fam-1")
	check("family", err)
	es, err := s.ListAuthEvents(ctx, id, "sub-1", 0)
	count("auth events", len(es), err)
	_, err = s.GetIdentityProvider(ctx, id, "Corp")
	check("identity provider", err)
	_, err = s.GetIdentityProviderByIdentifier(ctx, id, "corp.example")
	check("identity provider by identifier", err)
	ps, err := s.ListIdentityProviders(ctx, id, "", 0)
	count("identity providers", len(ps), err)
	_, err = s.GetIdentityLink(ctx, id, "Corp", "Cognito_Subject", "s1")
	check("identity link", err)
}
