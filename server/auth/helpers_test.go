package auth_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/federation/oidc"
	"github.com/gatehouse-id/gatehouse/federation/saml"
	"github.com/gatehouse-id/gatehouse/federation/social"
	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/secret"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/storage/sqlstore"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

const testIssuerBase = "https://auth.example.test/"

// testClock is the stack's movable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// authStack is the real stack server.New assembles, over SQLite in
// t.TempDir(), with cheap argon2id parameters and a movable clock.
type authStack struct {
	store  *sqlstore.Store
	sealer *secret.Sealer
	dir    *directory.Directory
	minter *tokens.Minter
	eng    *auth.Engine
	clock  *testClock
}

func newAuthStack(t testing.TB) *authStack {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "gatehouse.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sealer, err := secret.New(bytes.Repeat([]byte{9}, secret.KeySize), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &authStack{store: st, sealer: sealer, clock: &testClock{t: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)}}
	registry := federation.Registry{}
	oidc.Register(registry)
	saml.Register(registry)
	social.Register(registry)
	s.dir = directory.New(directory.Config{Store: st, Sealer: sealer, Registry: registry,
		Argon2: directory.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}, Now: s.clock.Now})
	s.minter = tokens.New(tokens.Config{Store: st, Sealer: sealer, Now: s.clock.Now})
	s.eng = auth.New(auth.Config{Dir: s.dir, Minter: s.minter, Sealer: sealer,
		Issuer: func(poolID string) string { return testIssuerBase + poolID }, Now: s.clock.Now})
	return s
}

func (s *authStack) pool(t testing.TB, edit func(*storage.Pool)) *storage.Pool {
	t.Helper()
	p := &storage.Pool{Name: "test"}
	if edit != nil {
		edit(p)
	}
	p, err := s.dir.CreatePool(context.Background(), p, "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// passwordFlows are the explicit auth flows of a client that signs in with
// passwords through the API.
var passwordFlows = []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}

func (s *authStack) client(t testing.TB, pool *storage.Pool, edit func(*storage.Client)) *storage.Client {
	t.Helper()
	c := &storage.Client{PoolID: pool.ID, Name: "app", ExplicitAuthFlows: passwordFlows}
	if edit != nil {
		edit(c)
	}
	if _, err := s.dir.CreateClient(context.Background(), c, false); err != nil {
		t.Fatal(err)
	}
	return c
}

const goodPassword = "Passw0rd!"

func (s *authStack) user(t testing.TB, pool *storage.Pool, nu directory.NewUser) *storage.User {
	t.Helper()
	if nu.Password == "" {
		nu.Password = goodPassword
	}
	u, err := s.dir.CreateUser(context.Background(), pool, nu)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// reload reads a user back from the store.
func (s *authStack) reload(t testing.TB, u *storage.User) *storage.User {
	t.Helper()
	got, err := s.dir.GetUserBySub(context.Background(), u.PoolID, u.Sub)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (s *authStack) signIn(pool *storage.Pool, client *storage.Client, username, password string) (*auth.Step, error) {
	return s.eng.Start(context.Background(), auth.Request{Pool: pool, Client: client, Flow: auth.FlowUserPassword,
		Params: map[string]string{"USERNAME": username, "PASSWORD": password}, IP: "192.0.2.1"})
}

// mustSignIn signs in and mints the API's tokens.
func (s *authStack) mustSignIn(t testing.TB, pool *storage.Pool, client *storage.Client, username string) (*auth.Authenticated, *auth.Tokens) {
	t.Helper()
	step, err := s.signIn(pool, client, username, goodPassword)
	if err != nil {
		t.Fatalf("sign in %s: %v", username, err)
	}
	if step.Done == nil {
		t.Fatalf("sign in %s: challenge %s", username, step.Challenge)
	}
	toks, err := s.eng.Issue(context.Background(), pool, client, step.Done)
	if err != nil {
		t.Fatal(err)
	}
	return step.Done, toks
}

// wantErr checks that err is a domain error of kind k with message msg
// (any message when msg is empty); k == 0 wants no error.
func wantErr(t testing.TB, err error, k directory.Kind, msg string) {
	t.Helper()
	if k == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want kind %d %q", k, msg)
	}
	var e *directory.Error
	if !errors.As(err, &e) || e.Kind != k {
		t.Fatalf("error %q (kind %d), want kind %d", err, directory.KindOf(err), k)
	}
	if msg != "" && e.Msg != msg {
		t.Fatalf("message %q, want %q", e.Msg, msg)
	}
}
