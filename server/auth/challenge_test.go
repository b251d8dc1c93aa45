package auth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/secret"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// startNewPassword signs in with a temporary password and returns the
// NEW_PASSWORD_REQUIRED step.
func startNewPassword(t *testing.T, s *authStack, pool *storage.Pool, client *storage.Client, username string) *auth.Step {
	t.Helper()
	step, err := s.signIn(pool, client, username, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if step.Challenge != auth.ChallengeNewPasswordRequired || step.Done != nil || len(step.Session) < 20 {
		t.Fatalf("step %+v", step)
	}
	return step
}

func TestNewPasswordRequiredParams(t *testing.T) {
	s := newAuthStack(t)
	pool := s.pool(t, func(p *storage.Pool) {
		p.Schema = []storage.SchemaAttribute{{Name: "name", Required: true, Mutable: true}, {Name: "email", Required: true, Mutable: true}}
	})
	client := s.client(t, pool, nil)
	u := s.user(t, pool, directory.NewUser{Username: "nina", Temporary: true,
		Attributes: map[string]string{"email": "nina@example.com", "name": "Nina"}})
	// An administrator may have created the user without a required attribute.
	delete(u.Attributes, "name")
	if err := s.dir.SaveUser(context.Background(), pool, u); err != nil {
		t.Fatal(err)
	}
	step := startNewPassword(t, s, pool, client, "nina")
	p := step.ChallengeParams
	if p["USER_ID_FOR_SRP"] != "nina" {
		t.Errorf("USER_ID_FOR_SRP %q", p["USER_ID_FOR_SRP"])
	}
	var required []string
	if err := json.Unmarshal([]byte(p["requiredAttributes"]), &required); err != nil || !slices.Equal(required, []string{"userAttributes.name"}) {
		t.Errorf("requiredAttributes %q", p["requiredAttributes"])
	}
	var attrs map[string]string
	if err := json.Unmarshal([]byte(p["userAttributes"]), &attrs); err != nil {
		t.Fatalf("userAttributes %q", p["userAttributes"])
	}
	if attrs["email"] != "nina@example.com" {
		t.Errorf("userAttributes %v", attrs)
	}
	if _, ok := attrs["sub"]; ok {
		t.Errorf("userAttributes names the sub: %v", attrs)
	}

	// Nothing missing: requiredAttributes is an empty JSON list, not null.
	s.user(t, pool, directory.NewUser{Username: "olga", Temporary: true,
		Attributes: map[string]string{"email": "olga@example.com", "name": "Olga"}})
	if got := startNewPassword(t, s, pool, client, "olga").ChallengeParams["requiredAttributes"]; got != "[]" {
		t.Errorf("requiredAttributes %q, want []", got)
	}
}

func TestNewPasswordRequiredRespond(t *testing.T) {
	s := newAuthStack(t)
	ctx := context.Background()
	pool := s.pool(t, func(p *storage.Pool) {
		p.Schema = []storage.SchemaAttribute{{Name: "name", Required: true, Mutable: true}}
	})
	client := s.client(t, pool, func(c *storage.Client) { c.AuthSessionValidity = 5 })
	other := s.client(t, pool, nil)
	pool2 := s.pool(t, nil)
	client2 := s.client(t, pool2, nil)
	u := s.user(t, pool, directory.NewUser{Username: "tom", Temporary: true, Attributes: map[string]string{"name": "T"}})
	s.user(t, pool, directory.NewUser{Username: "tess", Temporary: true, Attributes: map[string]string{"name": "T"}})
	step := startNewPassword(t, s, pool, client, "tom")

	otherSealer, _ := secret.New(bytes.Repeat([]byte{1}, secret.KeySize), nil)
	foreign, _ := otherSealer.Seal([]byte(`{}`), "auth-session")
	raw, _ := base64.RawURLEncoding.DecodeString(step.Session)
	flipped := bytes.Clone(raw)
	flipped[len(flipped)/2] ^= 1

	const newPassword = "N3w-Passw0rd"
	respond := func(pool *storage.Pool, client *storage.Client, challenge, session string, r map[string]string) (*auth.Step, error) {
		return s.eng.Respond(ctx, pool, client, challenge, session, r, "192.0.2.2")
	}
	good := map[string]string{"NEW_PASSWORD": newPassword, "USERNAME": "tom"}
	tests := []struct {
		name      string
		pool      *storage.Pool
		client    *storage.Client
		challenge string
		session   string
		responses map[string]string
		kind      directory.Kind
		bad       bool // ErrBadSession
	}{
		{name: "tampered", session: base64.RawURLEncoding.EncodeToString(flipped), responses: good, bad: true},
		{name: "truncated", session: step.Session[:len(step.Session)-4], responses: good, bad: true},
		{name: "not base64", session: step.Session[:30] + "!!!!" + step.Session[34:], responses: good, bad: true},
		{name: "sealed under another key", session: base64.RawURLEncoding.EncodeToString(foreign), responses: good, bad: true},
		{name: "empty", session: "", responses: good, bad: true},
		{name: "huge", session: string(bytes.Repeat([]byte{'A'}, 4096)), responses: good, bad: true},
		{name: "other client", client: other, session: step.Session, responses: good, bad: true},
		{name: "other pool", pool: pool2, client: client2, session: step.Session, responses: good, bad: true},
		{name: "other user's name", session: step.Session, responses: map[string]string{"NEW_PASSWORD": newPassword, "USERNAME": "tess"}, bad: true},
		{name: "unknown user's name", session: step.Session, responses: map[string]string{"NEW_PASSWORD": newPassword, "USERNAME": "zed"}, bad: true},
		{name: "unsupported challenge", challenge: "SMS_MFA", session: step.Session, responses: good, kind: directory.KindInvalidParameter},
		{name: "missing new password", session: step.Session, responses: map[string]string{}, kind: directory.KindInvalidParameter},
		{name: "weak new password", session: step.Session, responses: map[string]string{"NEW_PASSWORD": "weak"}, kind: directory.KindInvalidPassword},
		{name: "required attribute emptied", session: step.Session,
			responses: map[string]string{"NEW_PASSWORD": newPassword, "userAttributes.name": ""}, kind: directory.KindInvalidParameter},
		{name: "immutable attribute", session: step.Session,
			responses: map[string]string{"NEW_PASSWORD": newPassword, "userAttributes.sub": "x"}, kind: directory.KindInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c, ch := pool, client, auth.ChallengeNewPasswordRequired
			if tt.pool != nil {
				p = tt.pool
			}
			if tt.client != nil {
				c = tt.client
			}
			if tt.challenge != "" {
				ch = tt.challenge
			}
			step, err := respond(p, c, ch, tt.session, tt.responses)
			if tt.bad {
				wantErr(t, err, directory.KindNotAuthorized, auth.ErrBadSession.Msg)
			} else {
				wantErr(t, err, tt.kind, "")
			}
			if step != nil {
				t.Fatalf("a step with an error: %+v", step)
			}
		})
	}
	if got := s.reload(t, u); got.Status != storage.StatusForceChangePassword || got.Attributes["name"] != "T" {
		t.Fatalf("a refused answer changed the user: %+v", got)
	}

	// The right answer signs in, with the given attributes.
	done, err := respond(pool, client, auth.ChallengeNewPasswordRequired, step.Session,
		map[string]string{"NEW_PASSWORD": newPassword, "USERNAME": "TOM", "userAttributes.name": "Tom"})
	if err != nil || done.Done == nil || done.Done.User.Sub != u.Sub {
		t.Fatalf("respond: %+v, %v", done, err)
	}
	got := s.reload(t, u)
	if got.Status != storage.StatusConfirmed || got.Attributes["name"] != "Tom" {
		t.Fatalf("after the challenge: %+v", got)
	}
	if _, err := s.signIn(pool, client, "tom", goodPassword); err == nil {
		t.Fatal("the temporary password still works")
	}
	if step, err := s.signIn(pool, client, "tom", newPassword); err != nil || step.Done == nil {
		t.Fatalf("the new password: %+v, %v", step, err)
	}
	events, _ := s.store.ListAuthEvents(ctx, pool.ID, u.Sub, 10)
	if !slices.ContainsFunc(events, func(e *storage.AuthEvent) bool { return e.ID == done.Done.EventID && e.Response == "Pass" }) {
		t.Fatalf("no Pass event for the challenge: %+v", events)
	}

	// Replayed after success: refused.
	_, err = respond(pool, client, auth.ChallengeNewPasswordRequired, step.Session, map[string]string{"NEW_PASSWORD": "An0ther-Passw0rd"})
	wantErr(t, err, directory.KindNotAuthorized, auth.ErrBadSession.Msg)
	if ok, _ := s.dir.CheckPassword(s.reload(t, u), newPassword); !ok {
		t.Fatal("a replayed session changed the password")
	}
}

func TestNewPasswordRequiredSessionExpiry(t *testing.T) {
	s := newAuthStack(t)
	pool := s.pool(t, nil)
	client := s.client(t, pool, nil) // AuthSessionValidity: 3 minutes
	s.user(t, pool, directory.NewUser{Username: "eve", Temporary: true})
	step := startNewPassword(t, s, pool, client, "eve")
	s.clock.Add(3 * time.Minute)
	_, err := s.eng.Respond(context.Background(), pool, client, auth.ChallengeNewPasswordRequired, step.Session,
		map[string]string{"NEW_PASSWORD": "N3w-Passw0rd"}, "")
	wantErr(t, err, directory.KindNotAuthorized, auth.ErrBadSession.Msg)

	// A fresh session within its validity works.
	step = startNewPassword(t, s, pool, client, "eve")
	s.clock.Add(3*time.Minute - time.Second)
	done, err := s.eng.Respond(context.Background(), pool, client, auth.ChallengeNewPasswordRequired, step.Session,
		map[string]string{"NEW_PASSWORD": "N3w-Passw0rd"}, "")
	if err != nil || done.Done == nil {
		t.Fatalf("respond within validity: %+v, %v", done, err)
	}
}

func TestTemporaryPasswordExpiry(t *testing.T) {
	tests := []struct {
		name    string
		days    int
		elapsed time.Duration
		expired bool
	}{
		{name: "within 7 days", days: 7, elapsed: 7 * 24 * time.Hour},
		{name: "after 7 days", days: 7, elapsed: 7*24*time.Hour + time.Second, expired: true},
		{name: "within 1 day", days: 1, elapsed: 23 * time.Hour},
		{name: "after 1 day", days: 1, elapsed: 25 * time.Hour, expired: true},
	}
	s := newAuthStack(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := s.pool(t, func(p *storage.Pool) {
				p.PasswordPolicy = directory.DefaultPasswordPolicy
				p.PasswordPolicy.TemporaryPasswordValidityDays = tt.days
			})
			client := s.client(t, pool, nil)
			name := string(rune('a' + i))
			s.user(t, pool, directory.NewUser{Username: name, Temporary: true})
			s.clock.Add(tt.elapsed)
			defer s.clock.Add(-tt.elapsed)
			step, err := s.signIn(pool, client, name, goodPassword)
			if tt.expired {
				wantErr(t, err, directory.KindNotAuthorized, "Temporary password has expired and must be reset by an administrator.")
				return
			}
			if err != nil || step.Challenge != auth.ChallengeNewPasswordRequired {
				t.Fatalf("step %+v, %v", step, err)
			}
		})
	}
}
