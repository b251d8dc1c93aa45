package e2e

import (
	"net/http"
	"testing"

	"github.com/gatehouse-id/gatehouse/server"
)

// TestHostedUICookiesSecure: the hosted UI's cookies are Secure unless
// the server runs --dev on an http public URL (CONTRACT.md: "cookies
// without Secure on http" in dev), and always HttpOnly and SameSite=Lax.
func TestHostedUICookiesSecure(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*server.Config)
		secure bool
	}{
		{"production on http", func(*server.Config) {}, true},
		{"dev on http", func(c *server.Config) { c.Dev = true }, false},
		{"dev on https", func(c *server.Config) { c.Dev = true; c.PublicURL = "https://auth.example.test" }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, tc.mutate)
			f := ts.fixture(t)
			// Any hosted page sets the CSRF cookie, an error page too.
			resp, _ := newBrowser(t).get(ts.URL + "/" + f.pool.ID + "/login")
			var c *http.Cookie
			for _, k := range resp.Cookies() {
				if k.Name == "gatehouse_csrf" {
					c = k
				}
			}
			if c == nil || c.Secure != tc.secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Fatalf("CSRF cookie %+v, want Secure=%v", c, tc.secure)
			}
		})
	}
}
