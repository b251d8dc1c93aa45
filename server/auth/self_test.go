package auth_test

import (
	"context"
	"slices"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

func TestChangePassword(t *testing.T) {
	const newPassword = "N3w-Passw0rd!"
	tests := []struct {
		name               string
		previous, proposed string
		kind               directory.Kind
		msg                string
	}{
		{name: "changed", previous: goodPassword, proposed: newPassword},
		{name: "wrong previous", previous: "Wr0ng-pass!", proposed: newPassword, kind: directory.KindNotAuthorized, msg: "Incorrect username or password."},
		{name: "no previous", proposed: newPassword, kind: directory.KindInvalidParameter},
		{name: "weak proposed", previous: goodPassword, proposed: "short", kind: directory.KindInvalidPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newAuthStack(t)
			ctx := context.Background()
			pool := s.pool(t, nil)
			client := s.client(t, pool, nil)
			u := s.user(t, pool, directory.NewUser{Username: "cp"})
			err := s.eng.ChangePassword(ctx, pool, client, u, tt.previous, tt.proposed, "192.0.2.7")
			wantErr(t, err, tt.kind, tt.msg)
			// The password in force afterwards is the new one only if the change went through.
			inForce, notInForce := goodPassword, newPassword
			if tt.kind == 0 {
				inForce, notInForce = newPassword, goodPassword
			}
			if _, err := s.signIn(pool, client, "cp", inForce); err != nil {
				t.Fatalf("sign in with the password in force: %v", err)
			}
			_, err = s.signIn(pool, client, "cp", notInForce)
			wantErr(t, err, directory.KindNotAuthorized, "Incorrect username or password.")
			events, err := s.store.ListAuthEvents(ctx, pool.ID, u.Sub, 10)
			if err != nil {
				t.Fatal(err)
			}
			var changes []string
			for _, ev := range events {
				if ev.Type == "PasswordChange" {
					changes = append(changes, ev.Response)
				}
			}
			want := map[directory.Kind][]string{0: {"Pass"}, directory.KindNotAuthorized: {"Fail"}}[tt.kind]
			if !slices.Equal(changes, want) {
				t.Errorf("PasswordChange events %v, want %v", changes, want)
			}
		})
	}
}

// TestChangePasswordLockout: wrong previous passwords count toward the
// lockout that sign-in shares, in both directions.
func TestChangePasswordLockout(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, nil)
	client := s.client(t, pool, nil)
	u := s.user(t, pool, directory.NewUser{Username: "lock"})
	for range auth.FreeAttempts - 2 {
		if _, err := s.signIn(pool, client, "lock", "Wr0ng-pass!"); err == nil {
			t.Fatal("wrong password signed in")
		}
	}
	for range 2 {
		err := s.eng.ChangePassword(ctx, pool, client, s.reload(t, u), "Wr0ng-pass!", "N3w-Passw0rd!", "")
		wantErr(t, err, directory.KindNotAuthorized, "Incorrect username or password.")
	}
	locked := s.reload(t, u)
	if locked.FailedSignIns != auth.FreeAttempts || !locked.LockedUntil.After(s.clock.Now()) {
		t.Fatalf("after %d failures: %d counted, locked until %v", auth.FreeAttempts, locked.FailedSignIns, locked.LockedUntil)
	}
	// Locked out: even the right previous password is refused, and sign-in too.
	err := s.eng.ChangePassword(ctx, pool, client, locked, goodPassword, "N3w-Passw0rd!", "")
	wantErr(t, err, directory.KindLimitExceeded, "Attempt limit exceeded, please try after some time.")
	_, err = s.signIn(pool, client, "lock", goodPassword)
	wantErr(t, err, directory.KindNotAuthorized, "Password attempts exceeded")

	s.clock.Add(auth.LockoutDelay(auth.FreeAttempts))
	if err := s.eng.ChangePassword(ctx, pool, client, s.reload(t, u), goodPassword, "N3w-Passw0rd!", ""); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	if got := s.reload(t, u); got.FailedSignIns != 0 || !got.LockedUntil.IsZero() {
		t.Fatalf("a change did not clear the failures: %d, %v", got.FailedSignIns, got.LockedUntil)
	}
}

func TestUpdateAndDeleteAttributes(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, func(p *storage.Pool) { p.AutoVerifiedAttributes = []string{"email"} })
	u := s.user(t, pool, directory.NewUser{Username: "attr", Attributes: map[string]string{
		"email": "a@example.com", "email_verified": "true", "name": "A", "family_name": "Attr"}})

	deliveries, err := s.eng.UpdateAttributes(ctx, pool, u, map[string]string{"email": "b@example.com", "name": "B", "family_name": ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(deliveries) != 1 || deliveries[0].AttributeName != "email" || deliveries[0].Destination != "b***@e***.com" {
		t.Errorf("deliveries %+v: the new email gets a verification code", deliveries)
	}
	got := s.reload(t, u)
	want := map[string]string{"email": "b@example.com", "email_verified": "false", "name": "B"}
	for k, v := range want {
		if got.Attributes[k] != v {
			t.Errorf("%s = %q, want %q", k, got.Attributes[k], v)
		}
	}
	if _, ok := got.Attributes["family_name"]; ok {
		t.Error("an empty value did not remove family_name")
	}

	// A refused change stores nothing.
	_, err = s.eng.UpdateAttributes(ctx, pool, got, map[string]string{"name": "C", "sub": "x"})
	wantErr(t, err, directory.KindInvalidParameter, "")
	if again := s.reload(t, u); again.Attributes["name"] != "B" || again.Version != got.Version {
		t.Fatalf("a refused change was stored: %v", again.Attributes)
	}

	if err := s.eng.DeleteAttributes(ctx, pool, got, []string{"email", "name"}); err != nil {
		t.Fatal(err)
	}
	got = s.reload(t, u)
	for _, gone := range []string{"email", "email_verified", "name"} {
		if _, ok := got.Attributes[gone]; ok {
			t.Errorf("%s survived DeleteAttributes", gone)
		}
	}
	wantErr(t, s.eng.DeleteAttributes(ctx, pool, got, []string{"sub"}), directory.KindInvalidParameter, "")

	// A user deleted meanwhile.
	if err := s.dir.DeleteUser(ctx, pool.ID, u.Sub); err != nil {
		t.Fatal(err)
	}
	_, err = s.eng.UpdateAttributes(ctx, pool, got, map[string]string{"name": "Z"})
	wantErr(t, err, directory.KindUserNotFound, "")
}
