package browser

import (
	"net/url"
	"testing"
)

// TestSignOut: /logout ends the session and returns to the application's
// logout URL; signing in again asks for the password; an unregistered
// logout URL is an error page, never a redirect.
func TestSignOut(t *testing.T) {
	e := newEnv(t)
	e.user("frank", "frank@example.com")
	ctx := tab(t)
	open(t, ctx, e.signInURL(e.client, nil))
	fill(t, ctx, map[string]string{"username": "frank", "password": password}, "username", "password")
	submit(t, ctx)
	e.atCallback(t, ctx)

	logout := e.URL + "/" + e.pool.ID + "/logout?"
	open(t, ctx, logout+url.Values{"client_id": {e.client.ID}, "logout_uri": {"https://evil.example/"}}.Encode())
	if msg := text(t, ctx, `[role="alert"]`); msg == "" || location(ctx) == "https://evil.example/" {
		t.Fatalf("unregistered logout URL: at %s, alert %q", location(ctx), msg)
	}
	shot(t, ctx, "signout-error")

	open(t, ctx, logout+url.Values{"client_id": {e.client.ID}, "logout_uri": {e.rp.URL + "/bye"}}.Encode())
	if text(t, ctx, "#bye") == "" {
		t.Fatalf("at %s, want the application's logout page", location(ctx))
	}
	open(t, ctx, e.signInURL(e.client, nil))
	if h := text(t, ctx, "h1"); h != "Sign in" {
		t.Fatalf("after sign-out: heading %q at %s", h, location(ctx))
	}

	// Without a logout URL: the signed-out page.
	open(t, ctx, logout+url.Values{"client_id": {e.client.ID}}.Encode())
	if msg := text(t, ctx, `[role="status"]`); msg != "You can close this window." {
		t.Fatalf("signed-out page: %q", msg)
	}
	shot(t, ctx, "signed-out")
}
