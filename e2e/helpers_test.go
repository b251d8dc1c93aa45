// Package e2e holds black-box tests against a real Gatehouse server on
// httptest, driven by real client libraries.
package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// clock is a movable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// testServer is a real server on httptest with a fresh store.
type testServer struct {
	*server.Server
	URL       string
	clock     *clock
	dataDir   string
	masterKey []byte
}

func newTestServer(t testing.TB, mutate ...func(*server.Config)) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	clk := &clock{now: time.Now().UTC()}
	cfg := server.Config{Addr: ln.Addr().String(), PublicURL: base, DataDir: t.TempDir(), Now: clk.Now,
		MasterKey: bytes.Repeat([]byte{42}, 32), AdminAccessKeyID: "AKIDTESTADMIN", AdminSecretAccessKey: "test-admin-secret",
		// Cheap hashes keep the suite fast under -race; production uses DefaultArgon2.
		Argon2: directory.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}}
	for _, m := range mutate {
		m(&cfg)
	}
	s, err := server.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: s.Handler}}
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		s.Close()
	})
	return &testServer{Server: s, URL: base, clock: clk, dataDir: cfg.DataDir, masterKey: cfg.MasterKey}
}

// fixture is a pool with a confidential and a public client and a user.
type fixture struct {
	pool      *storage.Pool
	issuer    string
	client    *storage.Client
	secret    string
	public    *storage.Client
	user      *storage.User
	password  string
	callback  string
	logoutURL string
}

func (ts *testServer) fixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	d := ts.Dir
	pool, err := d.CreatePool(ctx, &storage.Pool{Name: "e2e"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.CreateGroup(ctx, &storage.Group{PoolID: pool.ID, Name: "staff", Precedence: ptr(int64(2))}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{pool: pool, issuer: ts.URL + "/" + pool.ID, password: "Correct-Horse-9!",
		callback: "http://127.0.0.1:9999/callback", logoutURL: "http://127.0.0.1:9999/bye"}
	mk := func(name string, secret bool) (*storage.Client, string) {
		c := &storage.Client{PoolID: pool.ID, Name: name, CallbackURLs: []string{f.callback}, LogoutURLs: []string{f.logoutURL},
			AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile", "phone"},
			AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: []string{"COGNITO"},
			ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, EnableTokenRevocation: true}
		sec, err := d.CreateClient(ctx, c, secret)
		if err != nil {
			t.Fatal(err)
		}
		return c, sec
	}
	f.client, f.secret = mk("web", true)
	f.public, _ = mk("spa", false)
	f.user, err = d.CreateUser(ctx, pool, directory.NewUser{Username: "alice", Password: f.password,
		Attributes: map[string]string{"email": "alice@example.com", "email_verified": "true", "given_name": "Alice"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.AddUserToGroup(ctx, pool.ID, "staff", f.user.Sub); err != nil {
		t.Fatal(err)
	}
	return f
}

func ptr[T any](v T) *T { return &v }

// browser is an HTTP client with a cookie jar that stops at redirects to
// the relying party's callback (which does not exist).
type browser struct {
	t      *testing.T
	client *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t}
	b.client = &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), "http://127.0.0.1:9999/") {
				return http.ErrUseLastResponse
			}
			return nil
		}}
	return b
}

func (b *browser) get(u string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.client.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func (b *browser) postForm(u string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.client.PostForm(u, form)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

var (
	actionRe = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	csrfRe   = regexp.MustCompile(`name="(_csrf)" value="([^"]+)"`)
	alertRe  = regexp.MustCompile(`role="alert"[^>]*>([^<]*)<`)
)

// signIn submits the sign-in page (already fetched as page at pageURL) and
// returns the final response.
func (b *browser) signIn(pageURL *url.URL, page, username, password string) (*http.Response, string) {
	b.t.Helper()
	m := actionRe.FindStringSubmatch(page)
	c := csrfRe.FindStringSubmatch(page)
	if m == nil || c == nil {
		b.t.Fatalf("no sign-in form in page: %.500s", page)
	}
	action, _ := pageURL.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	return b.postForm(action.String(), url.Values{"username": {username}, "password": {password}, c[1]: {c[2]}})
}

// callbackParams reads the code (or error) from a redirect to the callback.
func callbackParams(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("status %d, no redirect to the callback", resp.StatusCode)
	}
	if !strings.HasPrefix(loc.String(), "http://127.0.0.1:9999/callback") {
		t.Fatalf("redirected to %s, want the callback", loc)
	}
	return loc.Query()
}

func base64URL(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

func isRedirect(resp *http.Response) bool {
	return resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
