package browser

import (
	"strings"
	"testing"
)

// TestWrongPassword: the error is shown, tied to the fields, and the user
// can try again on the same page.
func TestWrongPassword(t *testing.T) {
	e := newEnv(t)
	e.user("bob", "bob@example.com")
	ctx := tab(t)
	open(t, ctx, e.signInURL(e.client, nil))
	fill(t, ctx, map[string]string{"username": "bob", "password": "not-the-password"}, "username", "password")
	submit(t, ctx)
	if msg := text(t, ctx, `[role="alert"]`); msg != "Incorrect username or password." {
		t.Fatalf("alert %q", msg)
	}
	if d := eval[string](t, ctx, `document.getElementById("password").getAttribute("aria-describedby")`); !strings.Contains(d, "form-error") {
		t.Fatalf("password not described by the error: %q", d)
	}
	if v := eval[string](t, ctx, `document.getElementById("username").value`); v != "bob" {
		t.Fatalf("username not kept: %q", v)
	}
	if a := eval[string](t, ctx, `document.activeElement.id`); a != "password" {
		t.Errorf("focus on %q, want the password field", a)
	}
	shot(t, ctx, "wrong-password")
	fill(t, ctx, map[string]string{"password": password}, "password")
	submit(t, ctx)
	e.atCallback(t, ctx)
}
