package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server"
)

// TestConfigFileAtStart applies the example config at start, twice, and
// refuses a bad file with its line.
func TestConfigFileAtStart(t *testing.T) {
	example, err := filepath.Abs("../docs/gatehouse.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, func(c *server.Config) { c.ConfigFile = example })
	pools, err := ts.Dir.ListPools(t.Context(), "", 0)
	if err != nil || len(pools) == 0 {
		t.Fatalf("no pool from the config: %v", err)
	}
	again, err := server.New(t.Context(), server.Config{Addr: "127.0.0.1:0", PublicURL: ts.URL, DataDir: ts.dataDir,
		MasterKey: ts.masterKey, ConfigFile: example, AdminAccessKeyID: "a", AdminSecretAccessKey: "b"})
	if err != nil {
		t.Fatalf("second apply: %v", err)
	}
	again.Close()
	pools2, _ := ts.Dir.ListPools(t.Context(), "", 0)
	if len(pools2) != len(pools) {
		t.Fatalf("second apply made %d pools, want %d", len(pools2), len(pools))
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("pools:\n  - name: x\n    colour: blue\n"), 0o600)
	_, err = server.New(t.Context(), server.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), ConfigFile: bad,
		AdminAccessKeyID: "a", AdminSecretAccessKey: "b"})
	if err == nil || !strings.Contains(err.Error(), ":3:") || !strings.Contains(err.Error(), "colour") {
		t.Fatalf("bad file: %v, want an error naming line 3 and the field", err)
	}
}

// TestDevWithExampleConfig: `make run`'s dev data and the example config
// live side by side (README: serve --dev --config
// docs/gatehouse.example.yaml): the demo pool is its own, and the
// example's dev users exist.
func TestDevWithExampleConfig(t *testing.T) {
	example, err := filepath.Abs("../docs/gatehouse.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, func(c *server.Config) {
		c.Dev = true
		c.ConfigFile = example
	})
	if ts.Demo == nil || ts.Demo.PoolID == "us-east-1_Example01" {
		t.Fatalf("demo data %+v", ts.Demo)
	}
	pool, err := ts.Dir.GetPool(t.Context(), "us-east-1_Example01")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Dir.FindUser(t.Context(), pool, "alice@example.com"); err != nil {
		t.Fatalf("the example's dev user: %v", err)
	}
	demo, err := ts.Dir.GetPool(t.Context(), ts.Demo.PoolID)
	if err != nil || demo.Name != "demo" {
		t.Fatalf("demo pool %+v %v", demo, err)
	}
}
