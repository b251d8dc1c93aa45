package browser

import "testing"

// TestSignIn: the application's sign-in button, the sign-in page, back to
// the application with a code that the token endpoint takes.
func TestSignIn(t *testing.T) {
	e := newEnv(t)
	e.user("alice", "alice@example.com")
	ctx := tab(t)
	open(t, ctx, e.signInURL(e.client, nil))
	if h := text(t, ctx, "h1"); h != "Sign in" {
		t.Fatalf("heading %q", h)
	}
	if !scriptRan(t, ctx) {
		t.Fatal("the page's script did not run: CSP nonce?")
	}
	shot(t, ctx, "signin")
	fill(t, ctx, map[string]string{"username": "alice", "password": password}, "username", "password")
	submit(t, ctx)
	code := e.atCallback(t, ctx)
	if claims := e.exchange(e.client, e.secret, code); claims["cognito:username"] != "alice" {
		t.Fatalf("ID token claims %v", claims)
	}
}
