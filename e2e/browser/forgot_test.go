package browser

import (
	"strings"
	"testing"
)

// TestForgotPassword: the link on the sign-in page, a code by mail, a
// wrong code explained, a new password, then signing in with it.
func TestForgotPassword(t *testing.T) {
	e := newEnv(t)
	e.user("carol", "carol@example.com")
	ctx := tab(t)
	open(t, ctx, e.signInURL(e.client, nil))
	click(t, ctx, `[data-testid="forgot-link"]`)
	if h := text(t, ctx, "h1"); h != "Reset your password" {
		t.Fatalf("heading %q", h)
	}
	shot(t, ctx, "forgot-request")
	fill(t, ctx, map[string]string{"username": "carol"}, "username")
	submit(t, ctx)
	if d := text(t, ctx, `[data-testid="destination"]`); !strings.Contains(d, "c***@e***.com") {
		t.Fatalf("destination %q", d)
	}
	code := e.code("carol@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	fill(t, ctx, map[string]string{"code": wrong, "password": "New-Passw0rd!"}, "code", "password")
	submit(t, ctx)
	if msg := text(t, ctx, "#code-error"); !strings.Contains(msg, "That code is not right") {
		t.Fatalf("code error %q", msg)
	}
	shot(t, ctx, "forgot-reset")
	fill(t, ctx, map[string]string{"code": code, "password": "New-Passw0rd!"}, "code", "password")
	submit(t, ctx)
	if msg := text(t, ctx, `[role="status"]`); msg != "Your password was changed. Sign in with your new password." {
		t.Fatalf("notice %q at %s", msg, location(ctx))
	}
	if v := eval[string](t, ctx, `document.getElementById("username").value`); v != "carol" {
		t.Fatalf("username %q", v)
	}
	fill(t, ctx, map[string]string{"password": "New-Passw0rd!"}, "password")
	submit(t, ctx)
	e.atCallback(t, ctx)
}
