//go:build unix

package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
)

// TestCmdVersion: `gatehouse version` prints the version stamped at build.
func TestCmdVersion(t *testing.T) {
	t.Parallel()
	stdout, stderr, code := runGatehouse(t, cleanEnv(), "version")
	if code != 0 || stdout != "gatehouse "+testVersion+"\n" || stderr != "" {
		t.Errorf("version: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestCmdRefusesToStart: every way `serve` (or the command line itself)
// can be wrong ends with a non-zero exit and one clear line on stderr
// that names what is wrong (CONTRACT.md "Running it").
func TestCmdRefusesToStart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// args builds the command line; dir is a fresh temporary directory.
		args func(t *testing.T, dir string) []string
		env  []string // default: no GATEHOUSE_ variable but the admin credential
		code int      // 0: any non-zero
		want []string // substrings of the one line
	}{
		{name: "no command", args: func(*testing.T, string) []string { return nil },
			code: 2, want: []string{"usage: gatehouse serve"}},
		{name: "unknown command", args: func(*testing.T, string) []string { return []string{"frobnicate"} },
			code: 2, want: []string{"gatehouse:", `"frobnicate"`}},
		{name: "unknown flag", args: func(*testing.T, string) []string { return []string{"serve", "--nope"} },
			code: 2, want: []string{"gatehouse:", "-nope"}},
		{name: "address without a port", args: func(*testing.T, string) []string { return []string{"serve", "--addr", "notaport"} },
			code: 2, want: []string{"gatehouse:", "notaport"}},
		{name: "stray argument", args: func(*testing.T, string) []string { return []string{"serve", "now"} },
			code: 2, want: []string{"gatehouse:", `"now"`}},
		{name: "database URL not sqlite", args: func(t *testing.T, dir string) []string {
			return serveArgs(dir, "--database-url", "postgres://db.example.com/gatehouse")
		}, want: []string{"gatehouse:", "postgres://db.example.com/gatehouse"}},
		{name: "port in use", args: func(t *testing.T, dir string) []string {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
			return []string{"serve", "--addr", ln.Addr().String(), "--data-dir", dir}
		}, want: []string{"gatehouse:", "address already in use"}},
		{name: "config file missing", args: func(t *testing.T, dir string) []string {
			return serveArgs(dir, "--config", filepath.Join(dir, "missing.yaml"))
		}, want: []string{"gatehouse:", "missing.yaml"}},
		{name: "config file is a directory", args: func(t *testing.T, dir string) []string {
			cfg := filepath.Join(dir, "conf.d")
			os.Mkdir(cfg, 0o700)
			return serveArgs(dir, "--config", cfg)
		}, want: []string{"gatehouse:", "conf.d"}},
		{name: "config unknown field", args: func(t *testing.T, dir string) []string {
			return serveArgs(dir, "--config", writeFile(t, dir, "bad.yaml", "pools:\n  - name: x\n    colour: blue\n"))
		}, want: []string{"gatehouse:", "bad.yaml:3:", "colour"}},
		{name: "config bad value", args: func(t *testing.T, dir string) []string {
			return serveArgs(dir, "--config", writeFile(t, dir, "url.yaml",
				"pools:\n  - name: x\n    clients:\n      - name: web\n        callback_urls:\n          - not a url\n"))
		}, want: []string{"gatehouse:", "url.yaml:6:", "callback_urls"}},
		{name: "config not YAML", args: func(t *testing.T, dir string) []string {
			return serveArgs(dir, "--config", writeFile(t, dir, "broken.yaml", "pools:\n  - name: x\n  - [\n"))
		}, want: []string{"gatehouse:", "broken.yaml:"}},
		{name: "data dir is a file", args: func(t *testing.T, dir string) []string {
			return serveArgs(writeFile(t, dir, "plainfile", "x"))
		}, want: []string{"gatehouse:", "plainfile"}},
		{name: "database is a directory", args: func(t *testing.T, dir string) []string {
			db := filepath.Join(dir, "db-is-a-dir")
			os.Mkdir(db, 0o700)
			return serveArgs(dir, "--database-url", "sqlite://"+db)
		}, want: []string{"gatehouse:", "db-is-a-dir"}},
		{name: "database not a database", args: func(t *testing.T, dir string) []string {
			return serveArgs(dir, "--database-url", "sqlite://"+writeFile(t, dir, "junk.db", strings.Repeat("not sqlite ", 500)))
		}, want: []string{"gatehouse:", "junk.db"}},
		{name: "public URL not http", args: func(t *testing.T, dir string) []string {
			return serveArgs(dir, "--public-url", "ftp://files.example.com")
		}, want: []string{"gatehouse:", "ftp://files.example.com"}},
		{name: "region not a region", args: func(t *testing.T, dir string) []string {
			return serveArgs(dir, "--region", "moon")
		}, want: []string{"gatehouse:", `"moon"`}},
		{name: "half an admin credential", args: func(t *testing.T, dir string) []string { return serveArgs(dir) },
			env: cleanEnv("GATEHOUSE_ADMIN_ACCESS_KEY_ID=AKIDHALF"), want: []string{"gatehouse:", "GATEHOUSE_ADMIN_SECRET_ACCESS_KEY"}},
		{name: "CA file missing", args: func(t *testing.T, dir string) []string { return serveArgs(dir) },
			env: cleanEnv(append([]string{"GATEHOUSE_CA_FILE=/nonexistent/ca.pem"}, adminEnv...)...), want: []string{"gatehouse:", "GATEHOUSE_CA_FILE", "/nonexistent/ca.pem"}},
		{name: "CA file without a certificate", args: func(t *testing.T, dir string) []string { return serveArgs(dir) },
			env: cleanEnv(append([]string{"GATEHOUSE_CA_FILE=/etc/passwd"}, adminEnv...)...), want: []string{"gatehouse:", "GATEHOUSE_CA_FILE /etc/passwd holds no PEM certificate"}},
		{name: "bad address from the environment", args: func(*testing.T, string) []string { return []string{"serve"} },
			env: cleanEnv("GATEHOUSE_ADDR=nocolon"), code: 2, want: []string{"gatehouse:", "nocolon"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := tt.args(t, t.TempDir())
			// The admin credential comes from the environment, so that a
			// start that fails after making one prints nothing else.
			env := tt.env
			if env == nil {
				env = cleanEnv(adminEnv...)
			}
			stdout, stderr, code := runGatehouse(t, env, args...)
			if code == 0 || (tt.code != 0 && code != tt.code) {
				t.Errorf("exit code %d, want %d (0: any but 0)", code, tt.code)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			line := oneLine(t, "stderr", stderr)
			for _, w := range tt.want {
				if !strings.Contains(line, w) {
					t.Errorf("stderr %q lacks %q", line, w)
				}
			}
		})
	}
}

func serveArgs(dataDir string, more ...string) []string {
	return append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir}, more...)
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	createdKeyRe    = regexp.MustCompile(`(?m)^\s*AWS_ACCESS_KEY_ID=(\S+)$`)
	createdSecretRe = regexp.MustCompile(`(?m)^\s*AWS_SECRET_ACCESS_KEY=(\S+)$`)
)

// TestCmdAdminCredential: the admin credential is made at first start,
// kept in <data-dir>/admin-credentials (0600) and printed once; the
// GATEHOUSE_ADMIN_* variables take over from it.
func TestCmdAdminCredential(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	envDataDir := filepath.Join(t.TempDir(), "from-env")
	// Flags win over variables: these two must lose to --addr and --data-dir.
	p := startGatehouse(t, data, cleanEnv("GATEHOUSE_ADDR=127.0.0.1:1", "GATEHOUSE_DATA_DIR="+envDataDir), "--dev")
	pool, client, issuer := p.demo()
	out := p.output.String()
	if !strings.Contains(out, `Gatehouse demo: open `+p.base+`/ and sign in as "demo" with password "Demo-Passw0rd!"`) ||
		issuer != p.base+"/"+pool || client == "" {
		t.Errorf("demo banner missing or wrong:\n%s", out)
	}
	if _, err := os.Stat(envDataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("GATEHOUSE_DATA_DIR was used despite --data-dir: %v", err)
	}
	credPath := filepath.Join(data, "admin-credentials")
	if !strings.Contains(out, "admin credential created (kept in "+credPath+")") {
		t.Errorf("first start did not announce the credential:\n%s", out)
	}
	k, s := createdKeyRe.FindStringSubmatch(out), createdSecretRe.FindStringSubmatch(out)
	if k == nil || s == nil {
		t.Fatalf("first start printed no credential:\n%s", out)
	}
	keyID, secret := k[1], s[1]
	fi, err := os.Stat(credPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", credPath, fi.Mode().Perm())
	}
	kept, _ := os.ReadFile(credPath)
	if string(kept) != "AWS_ACCESS_KEY_ID="+keyID+"\nAWS_SECRET_ACCESS_KEY="+secret+"\n" {
		t.Errorf("%s holds %q, not the printed credential", credPath, kept)
	}
	checkAdminCall(t, p.base, pool, keyID, secret, "")
	p.stop()

	// Second start: the same credential, not printed again.
	p = startGatehouse(t, data, cleanEnv(), "--dev")
	if out := p.output.String(); strings.Contains(out, secret) || strings.Contains(out, "credential created") {
		t.Errorf("second start printed the credential again:\n%s", out)
	}
	checkAdminCall(t, p.base, pool, keyID, secret, "")
	p.stop()

	// The environment takes over from the file, which stays as it was.
	p = startGatehouse(t, data, cleanEnv(adminEnv...), "--dev")
	if out := p.output.String(); strings.Contains(out, secret) || strings.Contains(out, "credential created") {
		t.Errorf("start with the environment credential printed one:\n%s", out)
	}
	checkAdminCall(t, p.base, pool, "AKIDE2EBINARY", "e2e-binary-secret", "")
	checkAdminCall(t, p.base, pool, keyID, secret, "UnrecognizedClientException")
	p.stop()
	if again, _ := os.ReadFile(credPath); string(again) != string(kept) {
		t.Errorf("the credential file changed: %q", again)
	}
}

// checkAdminCall makes a SigV4-signed DescribeUserPool with the credential
// and checks the error code ("" for success). The client keeps the SDK's
// default retryer, as users do: it retries the SDK's own closed-connection
// race (aws/aws-sdk-go-v2#2737) that a fast local server can trigger.
func checkAdminCall(t *testing.T, base, pool, keyID, secret, wantCode string) {
	t.Helper()
	c := cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(base),
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, "")})
	_, err := c.DescribeUserPool(t.Context(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
	code := ""
	if err != nil {
		ae, ok := errors.AsType[smithy.APIError](err)
		if !ok {
			t.Fatalf("DescribeUserPool: %v", err)
		}
		code = ae.ErrorCode()
	}
	if code != wantCode {
		t.Errorf("DescribeUserPool signed by %s: error %q (%v), want %q", keyID, code, err, wantCode)
	}
}

// TestCmdMetrics: /metrics counts requests by route pattern and hosted-UI
// sign-ins by outcome.
func TestCmdMetrics(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	p := startGatehouse(t, data, cleanEnv(adminEnv...), "--dev")
	if _, err := os.Stat(filepath.Join(data, "admin-credentials")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("admin-credentials made although the environment gives one: %v", err)
	}
	pool, client, issuer := p.demo()
	w := newWebClient()
	resp, _, err := w.get(issuer + "/.well-known/openid-configuration")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("discovery: %v %v", resp, err)
	}

	redirect := p.base + "/callback"
	au, _ := pkceAuthURL(issuer, client, redirect)
	pageURL, page, err := w.signInPage(au)
	if err != nil {
		t.Fatal(err)
	}
	resp, page, err = w.submit(pageURL, page, "demo", "Wrong-Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `role="alert"`) || !strings.Contains(page, "Incorrect username or password.") {
		t.Fatalf("wrong password: status %d: %.300s", resp.StatusCode, page)
	}
	resp, page, err = w.submit(resp.Request.URL, page, "demo", "Demo-Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if !signedIn(resp) {
		t.Fatalf("right password: status %d: %.300s", resp.StatusCode, page)
	}
	if _, err := w.code(resp); err != nil {
		t.Fatal(err)
	}

	_, text, err := w.get(p.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"gatehouse_http_requests_total", map[string]string{"route": "GET /{pool}/.well-known/openid-configuration", "code": "200"}, 1},
		{"gatehouse_http_requests_total", map[string]string{"route": "GET /{pool}/oauth2/authorize"}, 2},
		{"gatehouse_http_requests_total", map[string]string{"route": "POST /{pool}/login", "code": "400"}, 1},
		{"gatehouse_http_requests_total", map[string]string{"route": "POST /{pool}/login", "code": "302"}, 1},
		{"gatehouse_http_requests_total", map[string]string{"route": "GET /healthz", "code": "200"}, -1},
		{"gatehouse_http_request_duration_seconds_count", map[string]string{"route": "POST /{pool}/login"}, 2},
		{"gatehouse_sign_ins_total", map[string]string{"flow": "HOSTED_UI", "outcome": "failure"}, 1},
		{"gatehouse_sign_ins_total", map[string]string{"flow": "HOSTED_UI", "outcome": "success"}, 1},
	} {
		got, ok := metricValue(text, m.name, m.labels)
		switch {
		case !ok:
			t.Errorf("no %s%v in /metrics", m.name, m.labels)
		case m.want >= 0 && got != m.want:
			t.Errorf("%s%v = %v, want %v", m.name, m.labels, got, m.want)
		}
	}
	if strings.Contains(text, pool) {
		t.Error("/metrics carries a raw pool id; routes must be patterns")
	}
	p.stop()
}

// TestCmdGracefulShutdown: SIGTERM while a sign-in is in flight refuses
// new connections at once, lets the sign-in finish (its store writes
// included) and exits 0.
func TestCmdGracefulShutdown(t *testing.T) {
	t.Parallel()
	p := startGatehouse(t, t.TempDir(), cleanEnv(adminEnv...), "--dev")
	_, client, issuer := p.demo()
	w := newWebClient()
	au, _ := pkceAuthURL(issuer, client, p.base+"/callback")
	pageURL, page, err := w.signInPage(au)
	if err != nil {
		t.Fatal(err)
	}
	action, form, err := signInForm(pageURL, page, "demo", "Demo-Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(action)
	var cookies []string
	for _, c := range w.jar.Cookies(target) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	body := form.Encode()

	// The request's head, with Expect: 100-continue: the server answers
	// "100 Continue" when the handler starts reading the body, so the
	// request is provably inside the handler when SIGTERM comes.
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: %d\r\nCookie: %s\r\nExpect: 100-continue\r\n\r\n", target.RequestURI(), p.addr, len(body), strings.Join(cookies, "; "))
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 100") {
		t.Fatalf("no 100 Continue: %q %v", status, err)
	}
	if blank, _ := br.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("100 Continue not followed by a blank line: %q", blank)
	}
	half := len(body) / 2
	io.WriteString(conn, body[:half])

	p.signal(syscall.SIGTERM)
	// New connections are refused while the sign-in is still in flight.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", p.addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("new connections still accepted 10s after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-p.exited:
		t.Fatalf("exited (%v) with a request in flight:\n%s", p.cmd.ProcessState, p.output.String())
	case <-time.After(200 * time.Millisecond):
	}

	io.WriteString(conn, body[half:])
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("in-flight sign-in got no answer: %v\n%s", err, p.output.String())
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if !signedIn(resp) {
		t.Fatalf("in-flight sign-in: status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if code := p.wait(20 * time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0:\n%s", code, p.output.String())
	}
	if out := p.output.String(); !strings.Contains(out, `"msg":"gatehouse stopped"`) {
		t.Errorf("no clean stop in the log:\n%s", out)
	}
}
