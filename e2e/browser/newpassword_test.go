package browser

import (
	"context"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/directory"
)

// TestNewPasswordRequired: a user an administrator created with a
// temporary password chooses their own, then arrives at the application.
func TestNewPasswordRequired(t *testing.T) {
	e := newEnv(t)
	if _, err := e.srv.Dir.CreateUser(context.Background(), e.pool, directory.NewUser{Username: "dave", Password: "Temp-Passw0rd!",
		Temporary: true, Attributes: map[string]string{"email": "dave@example.com"}}); err != nil {
		t.Fatal(err)
	}
	ctx := tab(t)
	open(t, ctx, e.signInURL(e.client, nil))
	fill(t, ctx, map[string]string{"username": "dave", "password": "Temp-Passw0rd!"}, "username", "password")
	submit(t, ctx)
	if h := text(t, ctx, "h1"); h != "Choose a new password" {
		t.Fatalf("heading %q", h)
	}
	if ac := eval[string](t, ctx, `document.getElementById("password").autocomplete`); ac != "new-password" {
		t.Fatalf("autocomplete %q", ac)
	}
	shot(t, ctx, "new-password")
	fill(t, ctx, map[string]string{"password": "Daves-Own-Passw0rd"}, "password")
	submit(t, ctx)
	code := e.atCallback(t, ctx)
	if claims := e.exchange(e.client, e.secret, code); claims["cognito:username"] != "dave" {
		t.Fatalf("claims %v", claims)
	}
}
