//go:build unix

package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// The tests in cmd_*_test.go run the built gatehouse binary as a user
// would: `go build` once per run of the package, then `gatehouse serve` as
// a child process on 127.0.0.1, driven over HTTP and signals.

// testVersion is stamped into the test binary with -ldflags.
const testVersion = "e2e-test"

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// gatehouseBinary builds cmd/gatehouse once per test run and returns its path.
func gatehouseBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "gatehouse-e2e-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "gatehouse")
		// `go test` puts its own GOROOT/bin first on PATH.
		cmd := exec.Command("go", "build", "-ldflags", "-X main.version="+testVersion, "-o", binPath,
			"github.com/gatehouse-id/gatehouse/cmd/gatehouse")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/gatehouse: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// cleanEnv is the test's environment without any GATEHOUSE_ variable, plus
// extra (NAME=value).
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GATEHOUSE_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// adminEnv sets the admin credential, so that a start prints no new one.
var adminEnv = []string{"GATEHOUSE_ADMIN_ACCESS_KEY_ID=AKIDE2EBINARY", "GATEHOUSE_ADMIN_SECRET_ACCESS_KEY=e2e-binary-secret"}

// runGatehouse runs the binary to its end and returns what it printed and
// its exit code.
func runGatehouse(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, gatehouseBinary(t), args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("gatehouse %v: %v", args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("gatehouse %v did not end in time:\n%s", args, errOut.String())
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// gatehouseProc is a running `gatehouse serve`.
type gatehouseProc struct {
	t       *testing.T
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:PORT
	addr    string
	dataDir string
	output  *syncBuffer // stdout and stderr
	exited  chan struct{}
	started time.Time
}

// freeAddr returns a loopback address nothing listens on (at this moment).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startGatehouse runs `gatehouse serve --addr 127.0.0.1:PORT --data-dir
// dataDir args…` and waits for /healthz to answer 200 "ok". A port taken
// between freeAddr and the start is retried on another.
func startGatehouse(t *testing.T, dataDir string, env []string, args ...string) *gatehouseProc {
	t.Helper()
	for attempt := 0; ; attempt++ {
		p := spawnGatehouse(t, dataDir, env, args...)
		err := p.waitHealthy(60 * time.Second)
		if err == nil {
			p.waitStarted(slices.Contains(args, "--dev"))
			return p
		}
		if attempt < 3 && strings.Contains(p.output.String(), "address already in use") {
			continue
		}
		t.Fatalf("gatehouse serve %v: %v\n%s", args, err, p.output.String())
	}
}

func spawnGatehouse(t *testing.T, dataDir string, env []string, args ...string) *gatehouseProc {
	t.Helper()
	addr := freeAddr(t)
	p := &gatehouseProc{t: t, addr: addr, base: "http://" + addr, dataDir: dataDir, output: &syncBuffer{},
		exited: make(chan struct{}), started: time.Now()}
	p.cmd = exec.Command(gatehouseBinary(t), append([]string{"serve", "--addr", addr, "--data-dir", dataDir}, args...)...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

func (p *gatehouseProc) waitHealthy(limit time.Duration) error {
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("exited (%v) before it was healthy", p.cmd.ProcessState)
		default:
		}
		resp, err := c.Get(p.base + "/healthz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && string(body) == "ok" {
				return nil
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	return fmt.Errorf("/healthz not 200 ok within %v", limit)
}

// waitStarted waits until the start's output (the log line, the dev
// banner) has come through the pipe, which may lag behind /healthz.
func (p *gatehouseProc) waitStarted(dev bool) {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := p.output.String()
		if strings.Contains(out, `"msg":"gatehouse serving"`) && (!dev || bannerRe.MatchString(out)) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("healthy, but no start message or banner in the output:\n%s", out)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *gatehouseProc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits for the process to end and returns its exit code (-1 when a
// signal ended it).
func (p *gatehouseProc) wait(limit time.Duration) int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(limit):
		p.t.Fatalf("gatehouse did not exit within %v:\n%s", limit, p.output.String())
		return 0
	}
}

// stop sends SIGTERM and expects exit code 0.
func (p *gatehouseProc) stop() {
	p.t.Helper()
	p.signal(syscall.SIGTERM)
	if code := p.wait(30 * time.Second); code != 0 {
		p.t.Fatalf("exit code %d after SIGTERM, want 0:\n%s", code, p.output.String())
	}
}

var bannerRe = regexp.MustCompile(`pool (\S+), client (\S+), issuer (\S+)`)

// demo reads the demo pool, client and issuer from the dev banner.
func (p *gatehouseProc) demo() (pool, client, issuer string) {
	p.t.Helper()
	m := bannerRe.FindStringSubmatch(p.output.String())
	if m == nil {
		p.t.Fatalf("no demo banner in the output:\n%s", p.output.String())
	}
	return m[1], m[2], m[3]
}

// webClient is a browser that follows no redirect by itself, so each step
// of a flow (and each acknowledgement) is seen; it never calls t.Fatal and
// so may run on any goroutine.
type webClient struct {
	c   *http.Client
	jar http.CookieJar
}

func newWebClient() *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{jar: jar, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (w *webClient) read(resp *http.Response, err error) (*http.Response, string, error) {
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, string(body), err
}

func (w *webClient) get(u string) (*http.Response, string, error) { return w.read(w.c.Get(u)) }

// isCallback reports whether a redirect goes to an app's /callback.
func isCallback(u *url.URL) bool { return u.Path == "/callback" }

// follow GETs u and follows redirects until a page, or a redirect to the
// app's callback (returned, not followed).
func (w *webClient) follow(u string) (*http.Response, string, error) {
	for range 10 {
		resp, body, err := w.get(u)
		if err != nil {
			return nil, "", err
		}
		if !isRedirect(resp) {
			return resp, body, nil
		}
		loc, err := resp.Location()
		if err != nil {
			return nil, "", err
		}
		if isCallback(loc) {
			return resp, body, nil
		}
		u = loc.String()
	}
	return nil, "", errors.New("too many redirects")
}

// authURL is a code + PKCE authorize URL and its verifier.
func pkceAuthURL(issuer, clientID, redirect string) (string, string) {
	verifier := oauth2.GenerateVerifier()
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect}, "scope": {"openid"},
		"state": {randomState()}, "nonce": {randomState()},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
	return issuer + "/oauth2/authorize?" + q.Encode(), verifier
}

func randomState() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// signInPage follows an authorize URL to the sign-in page.
func (w *webClient) signInPage(authURL string) (*url.URL, string, error) {
	resp, page, err := w.follow(authURL)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="password"`) {
		return nil, "", fmt.Errorf("authorize: status %d, no sign-in page: %.300s", resp.StatusCode, page)
	}
	return resp.Request.URL, page, nil
}

// signInForm is the sign-in page's form action and fields.
func signInForm(pageURL *url.URL, page, username, password string) (string, url.Values, error) {
	m := actionRe.FindStringSubmatch(page)
	c := csrfRe.FindStringSubmatch(page)
	if m == nil || c == nil {
		return "", nil, fmt.Errorf("no sign-in form in page: %.300s", page)
	}
	action, err := pageURL.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	if err != nil {
		return "", nil, err
	}
	return action.String(), url.Values{"username": {username}, "password": {password}, c[1]: {c[2]}}, nil
}

// submit posts the sign-in form and returns the answer unfollowed.
func (w *webClient) submit(pageURL *url.URL, page, username, password string) (*http.Response, string, error) {
	action, form, err := signInForm(pageURL, page, username, password)
	if err != nil {
		return nil, "", err
	}
	return w.read(w.c.PostForm(action, form))
}

// signedIn reports whether the sign-in form's answer is the success
// redirect back to /oauth2/authorize.
func signedIn(resp *http.Response) bool {
	loc, err := resp.Location()
	return err == nil && isRedirect(resp) && strings.HasSuffix(loc.Path, "/oauth2/authorize") && loc.Query().Get("auth_request") != ""
}

// code follows the sign-in's redirect to the callback and returns the code.
func (w *webClient) code(signInResp *http.Response) (string, error) {
	loc, err := signInResp.Location()
	if err != nil {
		return "", err
	}
	resp, body, err := w.follow(loc.String())
	if err != nil {
		return "", err
	}
	cb, err := resp.Location()
	if err != nil || !isCallback(cb) {
		return "", fmt.Errorf("authorize after sign-in: status %d, no callback: %.300s", resp.StatusCode, body)
	}
	if c := cb.Query().Get("code"); c != "" {
		return c, nil
	}
	return "", fmt.Errorf("callback without a code: %s", cb.RawQuery)
}

// exchange redeems a code for a public client and returns the ID token's
// claims (not verified: the other e2e tests verify tokens).
func (w *webClient) exchange(issuer, clientID, redirect, code, verifier string) (map[string]any, error) {
	resp, body, err := w.read(w.c.PostForm(issuer+"/oauth2/token", url.Values{"grant_type": {"authorization_code"},
		"code": {code}, "redirect_uri": {redirect}, "client_id": {clientID}, "code_verifier": {verifier}}))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("token: status %d: %.300s", resp.StatusCode, body)
	}
	var tok struct {
		IDToken string `json:"id_token"`
	}
	if err := json.Unmarshal([]byte(body), &tok); err != nil {
		return nil, err
	}
	parts := strings.Split(tok.IDToken, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("token: no ID token in %.300s", body)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	return claims, json.Unmarshal(raw, &claims)
}

var labelRe = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)

// metricValue sums the samples of name whose labels include want, in
// Prometheus's text format; ok is false when there is none.
func metricValue(text, name string, want map[string]string) (sum float64, ok bool) {
	for line := range strings.SplitSeq(text, "\n") {
		rest, found := strings.CutPrefix(line, name+"{")
		if !found {
			continue
		}
		end := strings.LastIndex(rest, "}")
		if end < 0 {
			continue
		}
		labels := map[string]string{}
		for _, m := range labelRe.FindAllStringSubmatch(rest[:end], -1) {
			labels[m[1]] = m[2]
		}
		match := true
		for k, v := range want {
			if labels[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rest[end+1:]), 64)
		if err != nil {
			return 0, false
		}
		sum, ok = sum+v, true
	}
	return sum, ok
}

// oneLine checks that output is exactly one line and returns it.
func oneLine(t *testing.T, what, output string) string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(output, "\n"), "\n")
	if output == "" || len(lines) != 1 {
		t.Errorf("%s: want exactly one line, got %d:\n%s", what, len(lines), output)
	}
	return lines[0]
}
