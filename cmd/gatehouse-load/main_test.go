package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server"
	"github.com/gatehouse-id/gatehouse/server/directory"
)

// TestLoadToolRuns drives a test server through every scenario for a
// moment and wants no error: the tool works, which make test checks;
// the figures are make bench's business, never a test's.
func TestLoadToolRuns(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	s, err := server.New(t.Context(), server.Config{Addr: ln.Addr().String(), PublicURL: base, DataDir: t.TempDir(),
		MasterKey: bytes.Repeat([]byte{7}, 32), AdminAccessKeyID: "AKIDLOADTEST", AdminSecretAccessKey: "load-test-secret",
		// Cheap hashes keep the test short under -race.
		Argon2: directory.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: s.Handler}}
	hs.Start()
	t.Cleanup(func() { hs.Close(); s.Close() })

	out := filepath.Join(t.TempDir(), "load.json")
	md := filepath.Join(t.TempDir(), "load.md")
	var stdout, stderr bytes.Buffer
	// Sixteen users: the hosted UI lets a user make ten sign-ins at once
	// and one more every six seconds (ui.DefaultLimits), and with these
	// cheap hashes a quiet machine makes some forty in the window, which
	// four users' buckets did not hold.
	args := []string{"-url", base, "-pid", strconv.Itoa(os.Getpid()),
		"-c", "2", "-d", "150ms", "-warmup", "50ms", "-min-ops", "2", "-users", "16", "-reference=false", "-json", out, "-md", md}
	getenv := func(k string) string {
		return map[string]string{"AWS_ACCESS_KEY_ID": "AKIDLOADTEST", "AWS_SECRET_ACCESS_KEY": "load-test-secret"}[k]
	}
	if err := run(t.Context(), args, getenv, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != len(scenarios) {
		t.Fatalf("%d results, want one per scenario (%d)", len(rep.Results), len(scenarios))
	}
	for _, r := range rep.Results {
		if strings.Contains(r.FirstError, "UnknownOperationException") {
			t.Logf("%s: the operation is not served yet: %s", r.Name, r.FirstError)
			continue
		}
		if r.Errors > 0 || r.Ops == 0 {
			t.Errorf("%s: %d ops, %d errors, first: %s", r.Name, r.Ops, r.Errors, r.FirstError)
		}
	}
	// Stateless paths write nothing.
	for _, r := range rep.Results {
		if (r.Name == "client_credentials" || r.Name == "jwks" || r.Name == "discovery") && r.WritesPerOp != 0 {
			t.Errorf("%s: %.2f writes per operation, want none", r.Name, r.WritesPerOp)
		}
	}
	if table, _ := os.ReadFile(md); !strings.Contains(string(table), "| client_credentials |") {
		t.Errorf("Markdown table without client_credentials:\n%s", table)
	}
}

func TestParseFlags(t *testing.T) {
	getenv := func(string) string { return "" }
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no credential", []string{}, "admin credential"},
		{"unknown scenario", []string{"-admin-key-id", "a", "-admin-secret", "b", "-scenarios", "nope"}, "unknown scenario"},
		{"bad concurrency", []string{"-admin-key-id", "a", "-admin-secret", "b", "-c", "0"}, "positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseFlags(tc.args, getenv, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
