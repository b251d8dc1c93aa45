package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

type nodeResult struct {
	OK           bool   `json:"ok"`
	Verified     bool   `json:"verified"`
	Refreshed    bool   `json:"refreshed"`
	Code         string `json:"code"`
	Message      string `json:"message"`
	IDToken      string `json:"idToken"`
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	Username     string `json:"username"`
}

// nodeLogin signs in with amazon-cognito-identity-js (USER_SRP_AUTH) under
// Node. `make test` installs e2e/node's packages with npm ci first.
func nodeLogin(t *testing.T, args ...string) nodeResult {
	t.Helper()
	dir, _ := filepath.Abs("node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "amazon-cognito-identity-js")); err != nil {
		t.Fatalf("e2e/node has no node_modules: run `npm ci` there (make test does): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join(dir, "srp_login.mjs")}, args...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v: %s", err, out)
	}
	var r nodeResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	return r
}

func TestSRPWithAmazonCognitoIdentityJS(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	pool, err := ts.Dir.CreatePool(ctx, &storage.Pool{Name: "srp"}, "")
	if err != nil {
		t.Fatal(err)
	}
	c := &storage.Client{PoolID: pool.ID, Name: "js", ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}}
	if _, err := ts.Dir.CreateClient(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	const password = "Correct-Horse-9!"
	if _, err := ts.Dir.CreateUser(ctx, pool, directory.NewUser{Username: "alice", Password: password,
		Attributes: map[string]string{"email": "alice@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Dir.CreateUser(ctx, pool, directory.NewUser{Username: "newbie", Password: "Temp-Passw0rd!", Temporary: true}); err != nil {
		t.Fatal(err)
	}
	endpoint := ts.URL + "/"

	r := nodeLogin(t, endpoint, pool.ID, c.ID, "alice", password)
	if !r.OK || r.Username != "alice" || !r.Verified || !r.Refreshed {
		t.Fatalf("SRP sign-in, aws-jwt-verify and refresh: %+v", r)
	}
	id := decodeJWT(t, r.IDToken)
	access := decodeJWT(t, r.AccessToken)
	if id["token_use"] != "id" || id["iss"] != ts.URL+"/"+pool.ID || access["scope"] != "aws.cognito.signin.user.admin" || r.RefreshToken == "" {
		t.Fatalf("tokens: id %v access %v", id, access)
	}
	if r := nodeLogin(t, endpoint, pool.ID, c.ID, "alice", "wrong-password"); r.OK || r.Code != "NotAuthorizedException" {
		t.Fatalf("wrong password: %+v", r)
	}
	if r := nodeLogin(t, endpoint, pool.ID, c.ID, "newbie", "Temp-Passw0rd!", "Brand-New-Passw0rd!"); !r.OK {
		t.Fatalf("new password required through SRP: %+v", r)
	}
	if r := nodeLogin(t, endpoint, pool.ID, c.ID, "newbie", "Brand-New-Passw0rd!"); !r.OK {
		t.Fatalf("sign-in with the new password: %+v", r)
	}
}
