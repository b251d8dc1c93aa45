package e2e

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server"
)

// TestDevDemo drives `serve --dev`'s demo relying party: sign in through
// the demo pool and land on a page showing the decoded tokens and userInfo.
func TestDevDemo(t *testing.T) {
	ts := newTestServer(t, func(c *server.Config) { c.Dev = true })
	if ts.Demo == nil {
		t.Fatal("dev mode made no demo")
	}
	b := newBrowser(t)
	resp, page := b.get(ts.URL + "/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "/demo/login") {
		t.Fatalf("home: %d %.200s", resp.StatusCode, page)
	}
	resp, page = b.get(ts.URL + "/demo/login")
	if !strings.Contains(page, `name="password"`) {
		t.Fatalf("no sign-in page: %d", resp.StatusCode)
	}
	resp, page = b.signIn(resp.Request.URL, page, ts.Demo.Username, ts.Demo.Password)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/callback") {
		t.Fatalf("callback: %d %s %.300s", resp.StatusCode, resp.Request.URL, page)
	}
	page = html.UnescapeString(page)
	for _, want := range []string{`data-testid="id-token"`, `"cognito:username": "demo"`, `"token_use": "access"`, `"email": "demo@example.com"`, `"admins"`} {
		if !strings.Contains(page, want) {
			t.Errorf("demo page lacks %s", want)
		}
	}
	// A second start on the same data finds the same demo.
	again, err := server.New(t.Context(), server.Config{Addr: "127.0.0.1:0", PublicURL: ts.URL, DataDir: ts.dataDir, MasterKey: ts.masterKey, Dev: true,
		AdminAccessKeyID: "a", AdminSecretAccessKey: "b"})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.Demo.PoolID != ts.Demo.PoolID || again.Demo.ClientID != ts.Demo.ClientID {
		t.Errorf("restart made another demo: %+v vs %+v", again.Demo, ts.Demo)
	}
}
