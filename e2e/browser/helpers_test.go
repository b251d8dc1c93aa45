// Package browser drives the hosted UI in Debian's Chromium, headless,
// through chromedp: one file per flow, each against a real Gatehouse
// server on httptest with mail going to a recording SMTP server and a
// relying party that records what comes back to its callback. Each test
// saves screenshots at a phone's 390 px and a desktop's 1280 px under
// e2e/artifacts/.
//
// Chromium is required: without it the tests fail (TestMain), they do not
// skip. .ci/run installs it; CHROMIUM names another binary.
package browser

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/gatehouse-id/gatehouse/server"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// browserCtx is the one Chromium of the run; each test opens its own
// browser context in it (own cookies, own storage), like a fresh profile.
var browserCtx context.Context

// artifacts is where screenshots go (gitignored).
var artifacts = filepath.Join("..", "artifacts")

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
		if _, err := os.Stat(path); err != nil {
			if p, err := exec.LookPath("chromium"); err == nil {
				path = p
			}
		}
	}
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: e2e/browser needs Chromium at %s (apt-get install -y chromium; .ci/run does): %v\n", path, err)
		return 1
	}
	profile, err := os.MkdirTemp("", "gatehouse-chromium-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	defer os.RemoveAll(profile)
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(profile),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: start Chromium %s: %v\n", path, err)
		return 1
	}
	browserCtx = ctx
	return m.Run()
}

// tab is a page in a fresh browser context, closed with the test.
func tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first call makes the tab; a timeout on it would outlive it.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// env is a Gatehouse server with a pool, a confidential client whose
// callback is the relying party's, and a recording SMTP server.
type env struct {
	t      *testing.T
	srv    *server.Server
	URL    string
	smtp   *notifytest.SMTP
	rp     *relyingParty
	pool   *storage.Pool
	client *storage.Client
	secret string
}

type envOption func(*envConfig)

type envConfig struct {
	pool   func(*storage.Pool)
	client func(*storage.Client)
}

func withPool(f func(*storage.Pool)) envOption     { return func(c *envConfig) { c.pool = f } }
func withClient(f func(*storage.Client)) envOption { return func(c *envConfig) { c.client = f } }

const password = "Correct-Horse-9!"

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	var ec envConfig
	for _, o := range opts {
		o(&ec)
	}
	sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	s, err := server.New(t.Context(), server.Config{Addr: ln.Addr().String(), PublicURL: base, DataDir: t.TempDir(),
		MasterKey: bytes.Repeat([]byte{5}, 32), AdminAccessKeyID: "AKIDBROWSER", AdminSecretAccessKey: "browser-secret",
		Argon2: directory.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}, SMTPURL: sink.URL(), MailFrom: "auth@example.test"})
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: s.Handler}}
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		s.Close()
	})
	e := &env{t: t, srv: s, URL: base, smtp: sink, rp: newRelyingParty(t)}
	ctx := context.Background()
	pool := &storage.Pool{Name: "browser", AutoVerifiedAttributes: []string{"email"},
		Schema: []storage.SchemaAttribute{{Name: "email", Required: true, Mutable: true}}}
	if ec.pool != nil {
		ec.pool(pool)
	}
	if e.pool, err = s.Dir.CreatePool(ctx, pool, ""); err != nil {
		t.Fatal(err)
	}
	e.client, e.secret = e.newClient("Northwind", ec.client)
	return e
}

// newClient makes a confidential code-flow client of the pool whose
// callback and logout URLs are the relying party's.
func (e *env) newClient(name string, edit func(*storage.Client)) (*storage.Client, string) {
	e.t.Helper()
	c := &storage.Client{PoolID: e.pool.ID, Name: name, CallbackURLs: []string{e.rp.URL + "/callback"},
		LogoutURLs: []string{e.rp.URL + "/bye"}, AllowedOAuthFlows: []string{"code"},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, AllowedOAuthFlowsUserPoolClient: true,
		SupportedIdentityProviders: []string{"COGNITO"}}
	if edit != nil {
		edit(c)
	}
	secret, err := e.srv.Dir.CreateClient(context.Background(), c, true)
	if err != nil {
		e.t.Fatal(err)
	}
	return c, secret
}

// user makes a confirmed user with a verified email.
func (e *env) user(name, email string) *storage.User {
	e.t.Helper()
	u, err := e.srv.Dir.CreateUser(context.Background(), e.pool, directory.NewUser{Username: name, Password: password,
		Attributes: map[string]string{"email": email, "email_verified": "true"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// signInURL is the client's authorize link, as its sign-in button has it.
func (e *env) signInURL(c *storage.Client, extra url.Values) string {
	q := url.Values{"client_id": {c.ID}, "response_type": {"code"}, "redirect_uri": {e.rp.URL + "/callback"},
		"scope": {"openid email"}, "state": {"state-" + c.ID[:8]}}
	for k, v := range extra {
		q[k] = v
	}
	return e.URL + "/" + e.pool.ID + "/oauth2/authorize?" + q.Encode()
}

// code waits for the mail to addr and returns its code.
func (e *env) code(addr string) string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg, err := e.smtp.Wait(ctx, func(m notifytest.Msg) bool {
		return notifytest.To(addr)(m) && !e.seen(m.Seq)
	})
	if err != nil {
		e.t.Fatalf("no mail to %s: %v", addr, err)
	}
	code := notifytest.Code(msg)
	if code == "" {
		e.t.Fatalf("no code in the mail to %s: %q", addr, msg.Text)
	}
	return code
}

var seenMu sync.Mutex
var seenSeq = map[*notifytest.SMTP]map[int]bool{}

// seen marks a message as read, so that code returns each message once.
func (e *env) seen(seq int) bool {
	seenMu.Lock()
	defer seenMu.Unlock()
	m := seenSeq[e.smtp]
	if m == nil {
		m = map[int]bool{}
		seenSeq[e.smtp] = m
	}
	if m[seq] {
		return true
	}
	m[seq] = true
	return false
}

// exchange trades a code at the token endpoint and returns the ID token's
// claims.
func (e *env) exchange(c *storage.Client, secret, code string) map[string]any {
	e.t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {e.rp.URL + "/callback"}, "client_id": {c.ID}}
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/"+e.pool.ID+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ID, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		IDToken string `json:"id_token"`
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &tok) != nil || tok.IDToken == "" {
		e.t.Fatalf("token endpoint: %d %s", resp.StatusCode, body)
	}
	parts := strings.Split(tok.IDToken, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	claims := map[string]any{}
	json.Unmarshal(raw, &claims)
	return claims
}

// relyingParty is the application: its callback records what arrives.
type relyingParty struct {
	URL string
	mu  sync.Mutex
	got []url.Values
}

func newRelyingParty(t *testing.T) *relyingParty {
	rp := &relyingParty{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		rp.mu.Lock()
		rp.got = append(rp.got, r.URL.Query())
		rp.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>App</title><h1 id="signed-in">Signed in to the app</h1>`)
	})
	mux.HandleFunc("GET /bye", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>App</title><h1 id="bye">Signed out of the app</h1>`)
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	rp.URL = hs.URL
	return rp
}

// last is the query of the last callback.
func (rp *relyingParty) last(t *testing.T) url.Values {
	t.Helper()
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if len(rp.got) == 0 {
		t.Fatal("nothing came back to the callback")
	}
	return rp.got[len(rp.got)-1]
}

// ---- browser steps ----

func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v (at %s)", what, err, location(ctx))
	}
}

func location(ctx context.Context) string {
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return loc
}

// open navigates and waits for the page.
func open(t *testing.T, ctx context.Context, u string) {
	t.Helper()
	do(t, ctx, "open "+u, chromedp.Navigate(u))
}

// fill types into the inputs by id.
func fill(t *testing.T, ctx context.Context, values map[string]string, order ...string) {
	t.Helper()
	for _, id := range order {
		do(t, ctx, "type into #"+id, chromedp.SendKeys(chromedp.ID(id), values[id]))
	}
}

// submit clicks the page's submit button and waits for what it loads.
func submit(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid="submit"]`))); err != nil {
		t.Fatalf("submit at %s: %v", location(ctx), err)
	}
}

// click clicks an element and waits for what it loads.
func click(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(css))); err != nil {
		t.Fatalf("click %s at %s: %v", css, location(ctx), err)
	}
}

// text is the text of the first element css selects, on the loaded page
// (an evaluation: chromedp's Text polls, which costs a tenth of a second a
// call); "" when there is none.
func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	sel, _ := json.Marshal(css)
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const e = document.querySelector(`+string(sel)+`); return e ? e.innerText : "" })()`))
	if err != nil {
		t.Fatalf("text of %s at %s: %v", css, location(ctx), err)
	}
	return strings.TrimSpace(s)
}

// eval runs JavaScript in the page.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("eval at %s: %v", location(ctx), err)
	}
	return v
}

// atCallback checks that the browser is at the application's callback with
// a code, and returns it.
func (e *env) atCallback(t *testing.T, ctx context.Context) string {
	t.Helper()
	loc := location(ctx)
	if !strings.HasPrefix(loc, e.rp.URL+"/callback") {
		t.Fatalf("at %s, want the callback; page says %q", loc, eval[string](t, ctx, `document.body.innerText`))
	}
	u, _ := url.Parse(loc)
	code := u.Query().Get("code")
	if code == "" || text(t, ctx, "#signed-in") == "" {
		t.Fatalf("callback without a code: %s", loc)
	}
	return code
}

// shot saves the page at 390 and 1280 px wide as e2e/artifacts/NAME-W.png
// and leaves the tab at 1280.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, w := range []int64{390, 1280} {
		h := int64(800)
		if w == 390 {
			h = 844
		}
		var buf []byte
		err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h))
		if err == nil {
			buf, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		}
		if err != nil {
			t.Fatalf("screenshot %s at %d px: %v", name, w, err)
		}
		if err := os.WriteFile(filepath.Join(artifacts, fmt.Sprintf("%s-%d.png", name, w)), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// setAcceptLanguage makes the tab send Accept-Language: v.
func setAcceptLanguage(v string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": v}})
		return err
	})
}

// scriptRan reports whether the page's script ran (its show-password
// button exists): the CSP nonce works in a real browser.
func scriptRan(t *testing.T, ctx context.Context) bool {
	return eval[bool](t, ctx, `document.querySelector(".gh-reveal") !== null`)
}
