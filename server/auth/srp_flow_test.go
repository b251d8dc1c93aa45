package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/srp"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// srpSignIn runs USER_SRP_AUTH then PASSWORD_VERIFIER as a client would.
func srpSignIn(t *testing.T, s *authStack, pool *storage.Pool, client *storage.Client, username, password string, stamp time.Time) (*auth.Step, error) {
	t.Helper()
	ctx := context.Background()
	c, err := srp.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	step, err := s.eng.Start(ctx, auth.Request{Pool: pool, Client: client, Flow: auth.FlowUserSRP,
		Params: map[string]string{"USERNAME": username, "SRP_A": c.PublicA()}})
	if err != nil {
		return nil, err
	}
	if step.Challenge != auth.ChallengePasswordVerifier {
		t.Fatalf("challenge %q", step.Challenge)
	}
	p := step.ChallengeParams
	ts := stamp.UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
	sig, err := c.Claim(pool.ID, p["USER_ID_FOR_SRP"], password, p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], ts)
	if err != nil {
		t.Fatal(err)
	}
	return s.eng.Respond(ctx, pool, client, auth.ChallengePasswordVerifier, step.Session, map[string]string{
		"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "TIMESTAMP": ts,
		"PASSWORD_CLAIM_SIGNATURE": sig}, "192.0.2.1")
}

func TestSRPFlow(t *testing.T) {
	s := newAuthStack(t)
	pool := s.pool(t, nil)
	client := s.client(t, pool, func(c *storage.Client) {
		c.ExplicitAuthFlows = []string{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"}
	})
	s.user(t, pool, directory.NewUser{Username: "alice"})
	now := s.clock.Now()

	step, err := srpSignIn(t, s, pool, client, "alice", goodPassword, now)
	if err != nil || step.Done == nil || step.Done.User.Username != "alice" {
		t.Fatalf("SRP sign-in: %+v %v", step, err)
	}
	_, err = srpSignIn(t, s, pool, client, "alice", "Wrong-Passw0rd!", now)
	wantErr(t, err, directory.KindNotAuthorized, "Incorrect username or password.")
	_, err = srpSignIn(t, s, pool, client, "alice", goodPassword, now.Add(-10*time.Minute))
	wantErr(t, err, directory.KindNotAuthorized, "")

	// Unknown users: LEGACY says so; ENABLED gives a decoy challenge that
	// fails like a wrong password.
	_, err = srpSignIn(t, s, pool, client, "nobody", goodPassword, now)
	wantErr(t, err, directory.KindUserNotFound, "")
	hidden := s.client(t, pool, func(c *storage.Client) {
		c.ExplicitAuthFlows = []string{"ALLOW_USER_SRP_AUTH"}
		c.PreventUserExistenceErrors = "ENABLED"
	})
	_, err = srpSignIn(t, s, pool, hidden, "nobody", goodPassword, now)
	wantErr(t, err, directory.KindNotAuthorized, "Incorrect username or password.")

	// Wrong SRP proofs count toward lockout like wrong passwords.
	for range auth.FreeAttempts {
		srpSignIn(t, s, pool, client, "alice", "Wrong-Passw0rd!", now)
	}
	_, err = srpSignIn(t, s, pool, client, "alice", goodPassword, now)
	wantErr(t, err, directory.KindNotAuthorized, "Password attempts exceeded")
}

func TestSRPVerifierUpgradedAtPasswordSignIn(t *testing.T) {
	s := newAuthStack(t)
	pool := s.pool(t, nil)
	client := s.client(t, pool, func(c *storage.Client) {
		c.ExplicitAuthFlows = []string{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"}
	})
	u := s.user(t, pool, directory.NewUser{Username: "imported"})
	// An imported user has only a hash.
	u.SRPSalt, u.SRPVerifier = nil, nil
	if err := s.store.UpdateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	_, err := srpSignIn(t, s, pool, client, "imported", goodPassword, s.clock.Now())
	wantErr(t, err, directory.KindNotAuthorized, "")
	if _, err := s.signIn(pool, client, "imported", goodPassword); err != nil {
		t.Fatal(err)
	}
	if step, err := srpSignIn(t, s, pool, client, "imported", goodPassword, s.clock.Now()); err != nil || step.Done == nil {
		t.Fatalf("SRP after the verifier upgrade: %v", err)
	}
}
