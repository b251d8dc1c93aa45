package browser

import (
	"strings"
	"testing"
)

// TestSignUp: from the sign-in page to sign-up, the code from the mail,
// confirmation, and back at the application signed in as the new user.
func TestSignUp(t *testing.T) {
	e := newEnv(t)
	ctx := tab(t)
	open(t, ctx, e.signInURL(e.client, nil))
	click(t, ctx, `[data-testid="signup-link"]`)
	if h := text(t, ctx, "h1"); h != "Create an account" {
		t.Fatalf("heading %q", h)
	}
	shot(t, ctx, "signup")
	fill(t, ctx, map[string]string{"username": "nina", "attr-email": "nina@example.com", "password": "weak"}, "username", "attr-email", "password")
	// The rules tick while typing (script), and the server refuses too.
	if ok := eval[bool](t, ctx, `document.querySelector('[data-rule="lower"]').classList.contains("gh-ok")`); !ok {
		t.Error("the lowercase rule does not tick while typing")
	}
	submit(t, ctx)
	if msg := text(t, ctx, `[role="alert"]`); msg != "Please correct the fields marked below." {
		t.Fatalf("alert %q", msg)
	}
	if msg := text(t, ctx, "#password-error"); !strings.Contains(msg, "does not meet the rules") {
		t.Fatalf("password error %q", msg)
	}
	shot(t, ctx, "signup-errors")
	eval[bool](t, ctx, `(() => { document.getElementById("password").value = ""; return true })()`)
	fill(t, ctx, map[string]string{"password": password}, "password")
	submit(t, ctx)
	if h := text(t, ctx, "h1"); h != "Confirm your account" {
		t.Fatalf("heading %q at %s", h, location(ctx))
	}
	if d := text(t, ctx, `[data-testid="destination"]`); !strings.Contains(d, "n***@e***.com") {
		t.Fatalf("destination %q", d)
	}
	shot(t, ctx, "confirm")
	fill(t, ctx, map[string]string{"code": e.code("nina@example.com")}, "code")
	submit(t, ctx)
	code := e.atCallback(t, ctx)
	claims := e.exchange(e.client, e.secret, code)
	if claims["cognito:username"] != "nina" || claims["email"] != "nina@example.com" || claims["email_verified"] != true {
		t.Fatalf("ID token claims %v", claims)
	}
}
