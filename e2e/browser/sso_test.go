package browser

import (
	"strings"
	"testing"
)

// TestSSOAcrossClients: signed in for one application, the browser is
// signed in for another application of the pool without a form.
func TestSSOAcrossClients(t *testing.T) {
	e := newEnv(t)
	e.user("erin", "erin@example.com")
	other, otherSecret := e.newClient("Contoso", nil)
	ctx := tab(t)
	open(t, ctx, e.signInURL(e.client, nil))
	fill(t, ctx, map[string]string{"username": "erin", "password": password}, "username", "password")
	submit(t, ctx)
	e.atCallback(t, ctx)

	open(t, ctx, e.signInURL(other, nil))
	code := e.atCallback(t, ctx)
	if q := e.rp.last(t); !strings.HasPrefix(q.Get("state"), "state-"+other.ID[:8]) {
		t.Fatalf("state %q", q.Get("state"))
	}
	if claims := e.exchange(other, otherSecret, code); claims["cognito:username"] != "erin" || claims["aud"] != other.ID {
		t.Fatalf("claims %v", claims)
	}
}
