package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

func TestPasswordFlow(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	legacy := s.client(t, pool, nil)
	enabled := s.client(t, pool, func(c *storage.Client) { c.PreventUserExistenceErrors = "ENABLED" })
	srpOnly := s.client(t, pool, func(c *storage.Client) { c.ExplicitAuthFlows = nil }) // Cognito's defaults: SRP, refresh, custom
	userOnly := s.client(t, pool, func(c *storage.Client) { c.ExplicitAuthFlows = []string{"ALLOW_USER_PASSWORD_AUTH"} })
	legacyNames := s.client(t, pool, func(c *storage.Client) { c.ExplicitAuthFlows = []string{"ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"} })

	s.user(t, pool, directory.NewUser{Username: "alice"})
	disabled := s.user(t, pool, directory.NewUser{Username: "dora"})
	disabled.Enabled = false
	if err := s.dir.SaveUser(ctx, pool, disabled); err != nil {
		t.Fatal(err)
	}
	s.user(t, pool, directory.NewUser{Username: "uma", Status: storage.StatusUnconfirmed})
	s.user(t, pool, directory.NewUser{Username: "rita", Status: storage.StatusResetRequired})
	s.user(t, pool, directory.NewUser{Username: "ext", Status: storage.StatusExternalProvider})

	const (
		incorrect = "Incorrect username or password."
		noUser    = "User does not exist."
	)
	tests := []struct {
		name     string
		client   *storage.Client
		flow     string
		username string
		password string
		params   map[string]string
		kind     directory.Kind
		msg      string
	}{
		{name: "success", client: legacy, flow: auth.FlowUserPassword, username: "alice", password: goodPassword},
		{name: "username in another case", client: legacy, flow: auth.FlowUserPassword, username: "ALICE", password: goodPassword},
		{name: "admin flow", client: legacy, flow: auth.FlowAdminUserPassword, username: "alice", password: goodPassword},
		{name: "admin no SRP flow", client: legacy, flow: auth.FlowAdminNoSRP, username: "alice", password: goodPassword},
		{name: "legacy flow names", client: legacyNames, flow: auth.FlowAdminNoSRP, username: "alice", password: goodPassword},
		{name: "hosted UI on any client", client: srpOnly, flow: auth.FlowHostedUI, username: "alice", password: goodPassword},
		{name: "wrong password", client: legacy, flow: auth.FlowUserPassword, username: "alice", password: "Passw0rd?",
			kind: directory.KindNotAuthorized, msg: incorrect},
		{name: "unknown user LEGACY", client: legacy, flow: auth.FlowUserPassword, username: "zed", password: goodPassword,
			kind: directory.KindUserNotFound, msg: noUser},
		{name: "unknown user ENABLED", client: enabled, flow: auth.FlowUserPassword, username: "zed", password: goodPassword,
			kind: directory.KindNotAuthorized, msg: incorrect},
		{name: "unknown user hosted UI", client: legacy, flow: auth.FlowHostedUI, username: "zed", password: goodPassword,
			kind: directory.KindNotAuthorized, msg: incorrect},
		{name: "disabled", client: legacy, flow: auth.FlowUserPassword, username: "dora", password: goodPassword,
			kind: directory.KindNotAuthorized, msg: "User is disabled."},
		{name: "disabled wrong password", client: legacy, flow: auth.FlowUserPassword, username: "dora", password: "nope",
			kind: directory.KindNotAuthorized, msg: incorrect},
		{name: "unconfirmed", client: legacy, flow: auth.FlowUserPassword, username: "uma", password: goodPassword,
			kind: directory.KindUserNotConfirmed},
		{name: "unconfirmed wrong password LEGACY", client: legacy, flow: auth.FlowUserPassword, username: "uma", password: "nope",
			kind: directory.KindUserNotConfirmed},
		{name: "unconfirmed wrong password ENABLED", client: enabled, flow: auth.FlowUserPassword, username: "uma", password: "nope",
			kind: directory.KindNotAuthorized, msg: incorrect},
		{name: "reset required", client: legacy, flow: auth.FlowUserPassword, username: "rita", password: goodPassword,
			kind: directory.KindPasswordResetRequired},
		{name: "federated user has no password sign-in", client: legacy, flow: auth.FlowUserPassword, username: "ext", password: goodPassword,
			kind: directory.KindNotAuthorized, msg: incorrect},
		{name: "user password flow not enabled", client: srpOnly, flow: auth.FlowUserPassword, username: "alice", password: goodPassword,
			kind: directory.KindInvalidParameter},
		{name: "admin flow not enabled", client: userOnly, flow: auth.FlowAdminUserPassword, username: "alice", password: goodPassword,
			kind: directory.KindInvalidParameter},
		{name: "unsupported flow", client: legacy, flow: "CUSTOM_AUTH", username: "alice", password: goodPassword,
			kind: directory.KindInvalidParameter},
		{name: "missing username", client: legacy, flow: auth.FlowUserPassword, password: goodPassword, kind: directory.KindInvalidParameter},
		{name: "missing password", client: legacy, flow: auth.FlowUserPassword, username: "alice", kind: directory.KindInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, err := s.eng.Start(ctx, auth.Request{Pool: pool, Client: tt.client, Flow: tt.flow,
				Params: map[string]string{"USERNAME": tt.username, "PASSWORD": tt.password}})
			wantErr(t, err, tt.kind, tt.msg)
			if err != nil {
				if step != nil {
					t.Fatalf("a step with an error: %+v", step)
				}
				return
			}
			if step.Done == nil || step.Done.User.Username != "alice" || !step.Done.AuthTime.Equal(s.clock.Now()) || step.Done.EventID == "" {
				t.Fatalf("step %+v", step)
			}
		})
	}
}

func TestPasswordFlowEmailUsername(t *testing.T) {
	s := newAuthStack(t)
	pool := s.pool(t, func(p *storage.Pool) { p.UsernameAttributes = []string{"email"} })
	client := s.client(t, pool, nil)
	u := s.user(t, pool, directory.NewUser{Username: "Bea@Example.com"})
	for _, login := range []string{"bea@example.com", "BEA@EXAMPLE.COM", u.Sub} {
		step, err := s.signIn(pool, client, login, goodPassword)
		if err != nil || step.Done == nil || step.Done.User.Sub != u.Sub {
			t.Fatalf("sign in as %q: %+v, %v", login, step, err)
		}
	}
}

func TestAuthEvents(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, nil)
	u := s.user(t, pool, directory.NewUser{Username: "carl"})

	if _, err := s.signIn(pool, client, "carl", "wrong"); err == nil {
		t.Fatal("wrong password accepted")
	}
	s.clock.Add(time.Second)
	step, err := s.signIn(pool, client, "carl", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.signIn(pool, client, "nobody", goodPassword); err == nil {
		t.Fatal("unknown user accepted")
	}

	events, err := s.store.ListAuthEvents(ctx, pool.ID, u.Sub, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Fatalf("%d events: %+v", len(events), events)
	}
	pass, fail := events[0], events[1] // newest first
	if pass.Response != "Pass" || pass.Type != "SignIn" || pass.ID != step.Done.EventID || pass.ClientID != client.ID ||
		pass.IP != "192.0.2.1" || pass.Username != "carl" || !pass.CreatedAt.Equal(s.clock.Now()) {
		t.Errorf("pass event %+v", pass)
	}
	if fail.Response != "Fail" || fail.Reason != "wrong password" || fail.Sub != u.Sub {
		t.Errorf("fail event %+v", fail)
	}
	unknown, err := s.store.ListAuthEvents(ctx, pool.ID, "", 10)
	if err != nil || len(unknown) != 1 || unknown[0].Response != "Fail" || unknown[0].Username != "nobody" {
		t.Fatalf("unknown-user events %+v, %v", unknown, err)
	}
}

// TestRehashOnSignIn: a hash made with other parameters (or imported with
// bcrypt) is replaced at the next successful sign-in.
func TestRehashOnSignIn(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, nil)
	u := s.user(t, pool, directory.NewUser{Username: "old"})
	hash, err := directory.HashPassword(goodPassword, directory.Argon2Params{MemoryKiB: 2048, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	u.PasswordHash = hash
	if err := s.dir.SaveUser(ctx, pool, u); err != nil {
		t.Fatal(err)
	}
	if _, err := s.signIn(pool, client, "old", goodPassword); err != nil {
		t.Fatal(err)
	}
	got := s.reload(t, u)
	if got.PasswordHash == hash {
		t.Fatal("hash not upgraded")
	}
	if ok, rehash := s.dir.CheckPassword(got, goodPassword); !ok || rehash {
		t.Fatalf("upgraded hash: %v, %v", ok, rehash)
	}
}
