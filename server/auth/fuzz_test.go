package auth_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
)

// FuzzRespondSession: whatever arrives as a challenge Session, Respond
// answers without panicking and never signs anyone in. The seeds are a
// real session already spent and mangled copies of it; a second user's
// live session is never shown to the fuzzer, so signing in would take a
// forged seal.
func FuzzRespondSession(f *testing.F) {
	s := newAuthStack(f)
	ctx := context.Background()
	pool := s.pool(f, nil)
	client := s.client(f, pool, nil)
	s.user(f, pool, directory.NewUser{Username: "spent", Temporary: true})
	s.user(f, pool, directory.NewUser{Username: "victim", Temporary: true})
	step, err := s.signIn(pool, client, "spent", goodPassword)
	if err != nil {
		f.Fatal(err)
	}
	spent := step.Session
	if _, err := s.eng.Respond(ctx, pool, client, auth.ChallengeNewPasswordRequired, spent,
		map[string]string{"NEW_PASSWORD": "N3w-Passw0rd"}, ""); err != nil {
		f.Fatal(err)
	}
	if _, err := s.signIn(pool, client, "victim", goodPassword); err != nil { // a live session exists
		f.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(spent)
	for _, seed := range []string{spent, spent[:len(spent)/2], spent + "A", strings.ToUpper(spent), "", "x",
		strings.Repeat("A", 20), strings.Repeat("A", 2049), base64.RawURLEncoding.EncodeToString(raw[:28]),
		base64.StdEncoding.EncodeToString(raw)} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, session string, srp bool) {
		challenge := auth.ChallengeNewPasswordRequired
		if srp {
			challenge = auth.ChallengePasswordVerifier
		}
		responses := map[string]string{"NEW_PASSWORD": "Fuzz-Passw0rd", "USERNAME": "victim",
			"PASSWORD_CLAIM_SIGNATURE": "AAAA", "PASSWORD_CLAIM_SECRET_BLOCK": "AAAA", "TIMESTAMP": "Sun Jun 1 09:00:00 UTC 2025"}
		step, err := s.eng.Respond(ctx, pool, client, challenge, session, responses, "")
		if err == nil || step != nil {
			t.Fatalf("session %q answered %+v, %v", session, step, err)
		}
		if directory.KindOf(err) != directory.KindNotAuthorized {
			t.Fatalf("session %q: %v", session, err)
		}
	})
}
