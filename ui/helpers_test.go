package ui_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/oauth"
	"github.com/gatehouse-id/gatehouse/server/secret"
	"github.com/gatehouse-id/gatehouse/server/sso"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/storage/sqlstore"
	"github.com/gatehouse-id/gatehouse/server/tokens"
	"github.com/gatehouse-id/gatehouse/ui"
)

// clock is a movable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// stack is the hosted UI with the OAuth endpoints it completes, assembled
// as server.New does, on httptest, over SQLite in a temp dir.
type stack struct {
	URL    string
	store  *sqlstore.Store
	dir    *directory.Directory
	engine *auth.Engine
	clock  *clock
	box    *outbox
	pool   *storage.Pool
	client *storage.Client
	// callback is the client's registered callback URL.
	callback string
}

const (
	testPassword = "Correct-Horse-9!"
	testCallback = "https://app.example.test/callback"
)

type stackOption func(*stackConfig)

type stackConfig struct {
	pool   func(*storage.Pool)
	client func(*storage.Client)
	ui     func(*ui.Config)
}

func withPool(f func(*storage.Pool)) stackOption     { return func(c *stackConfig) { c.pool = f } }
func withClient(f func(*storage.Client)) stackOption { return func(c *stackConfig) { c.client = f } }
func withUI(f func(*ui.Config)) stackOption          { return func(c *stackConfig) { c.ui = f } }

func newStack(t *testing.T, opts ...stackOption) *stack {
	t.Helper()
	var sc stackConfig
	for _, o := range opts {
		o(&sc)
	}
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "gatehouse.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sealer, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize), nil)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)}
	s := &stack{store: st, clock: clk, callback: testCallback, box: newOutbox()}
	hs := httptest.NewUnstartedServer(nil)
	s.URL = "http://" + hs.Listener.Addr().String()
	issuer := func(poolID string) string { return s.URL + "/" + poolID }
	s.dir = directory.New(directory.Config{Store: st, Sealer: sealer, Argon2: directory.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}, Now: clk.Now})
	minter := tokens.New(tokens.Config{Store: st, Sealer: sealer, Now: clk.Now})
	s.engine = auth.New(auth.Config{Dir: s.dir, Minter: minter, Sealer: sealer, Issuer: issuer, Now: clk.Now, Notifier: s.box})
	sessions := sso.New(sso.Config{Store: st, HashKey: sealer.Derive("sso hash", 32), BlockKey: sealer.Derive("sso block", 32), Now: clk.Now})
	ucfg := ui.Config{Dir: s.dir, Engine: s.engine, SSO: sessions, Issuer: issuer, CSRFKey: sealer.Derive("csrf", 32), Now: clk.Now}
	if sc.ui != nil {
		sc.ui(&ucfg)
	}
	pages := ui.New(ucfg)
	provider := oauth.New(oauth.Config{Dir: s.dir, Engine: s.engine, Minter: minter, SSO: sessions, Issuer: issuer, Now: clk.Now,
		ShowPage: func(w http.ResponseWriter, r *http.Request, pool *storage.Pool, p oauth.Page) {
			pages.ShowNotice(w, r, pool, ui.Notice{Status: p.Status, Kind: p.Kind, Title: p.Title, Advice: p.Advice, Detail: p.Detail, ClientID: p.ClientID})
		}})
	mux := http.NewServeMux()
	poolOf := func(r *http.Request) *storage.Pool {
		p, err := s.dir.GetPool(r.Context(), r.PathValue("pool"))
		if err != nil {
			return nil
		}
		return p
	}
	provider.Routes(mux, "/{pool}", poolOf)
	pages.Routes(mux, "/{pool}", poolOf)
	hs.Config.Handler = mux
	hs.Start()
	t.Cleanup(hs.Close)

	pool := &storage.Pool{Name: "ui-test"}
	if sc.pool != nil {
		sc.pool(pool)
	}
	if s.pool, err = s.dir.CreatePool(ctx, pool, ""); err != nil {
		t.Fatal(err)
	}
	client := &storage.Client{PoolID: s.pool.ID, Name: "Test App", CallbackURLs: []string{testCallback},
		LogoutURLs: []string{"https://app.example.test/bye"}, AllowedOAuthFlows: []string{"code"},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, AllowedOAuthFlowsUserPoolClient: true,
		SupportedIdentityProviders: []string{"COGNITO"}}
	if _, err := s.dir.CreateClient(ctx, client, false); err != nil {
		t.Fatal(err)
	}
	if sc.client != nil {
		// Stored as edited, past the directory's checks: tests set what
		// the directory does not take yet (identity providers).
		sc.client(client)
		if err := st.UpdateClient(ctx, client); err != nil {
			t.Fatal(err)
		}
	}
	s.client = client
	return s
}

func (s *stack) issuer() string { return s.URL + "/" + s.pool.ID }

// user creates a confirmed user with testPassword.
func (s *stack) user(t *testing.T, name string, attrs map[string]string) *storage.User {
	t.Helper()
	u, err := s.dir.CreateUser(context.Background(), s.pool, directory.NewUser{Username: name, Password: testPassword, Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// authorizeURL is a PKCE code-flow authorize link of the stack's client.
func (s *stack) authorizeURL(extra url.Values) string {
	q := url.Values{"client_id": {s.client.ID}, "response_type": {"code"}, "redirect_uri": {s.callback},
		"scope": {"openid email"}, "state": {"state-0001"}, "code_challenge": {strings.Repeat("c", 43)}, "code_challenge_method": {"S256"}}
	for k, v := range extra {
		q[k] = v
	}
	return s.issuer() + "/oauth2/authorize?" + q.Encode()
}

// browser is an HTTP client with cookies that does not follow redirects.
type browser struct {
	t      *testing.T
	client *http.Client
	header http.Header
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, header: http.Header{}, client: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a fetched response.
type page struct {
	resp *http.Response
	body string
	url  *url.URL
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	for k, v := range b.header {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return &page{resp: resp, body: string(body), url: req.URL}
}

func (b *browser) get(u string) *page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

// follow GETs u and follows redirects within the server, stopping at the
// first page that is not a redirect, or at a redirect to the callback.
func (b *browser) follow(u string) *page {
	b.t.Helper()
	p := b.get(u)
	for i := 0; i < 10 && isRedirect(p.resp); i++ {
		loc, _ := p.resp.Location()
		if strings.HasPrefix(loc.String(), testCallback) {
			return p
		}
		p = b.get(loc.String())
	}
	return p
}

func (b *browser) post(u string, form url.Values) *page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func isRedirect(r *http.Response) bool {
	return r.StatusCode == http.StatusFound || r.StatusCode == http.StatusSeeOther
}

// submit posts the page's first form with its hidden fields plus values,
// to its action resolved against the page's URL.
func (b *browser) submit(p *page, values url.Values) *page {
	b.t.Helper()
	f := p.form(b.t, 0)
	form := f.hidden
	for k, v := range values {
		form[k] = v
	}
	return b.post(f.action, form)
}

// form is one <form method="post"> of a page.
type form struct {
	action string
	hidden url.Values
	// inputs are the visible inputs by name.
	inputs map[string]*html.Node
}

func (p *page) doc(t *testing.T) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(p.body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// form returns the page's i-th post form.
func (p *page) form(t *testing.T, i int) form {
	t.Helper()
	var forms []form
	walk(p.doc(t), func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "form" && attr(n, "method") == "post" {
			action, _ := p.url.Parse(attr(n, "action"))
			f := form{action: action.String(), hidden: url.Values{}, inputs: map[string]*html.Node{}}
			walk(n, func(c *html.Node) {
				if c.Type == html.ElementNode && c.Data == "input" {
					if attr(c, "type") == "hidden" {
						f.hidden.Set(attr(c, "name"), attr(c, "value"))
					} else {
						f.inputs[attr(c, "name")] = c
					}
				}
			})
			forms = append(forms, f)
		}
	})
	if i >= len(forms) {
		t.Fatalf("page %s (status %d) has %d post forms, want #%d: %.400s", p.url, p.resp.StatusCode, len(forms), i, p.body)
	}
	return forms[i]
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return strings.TrimSpace(b.String())
}

// byID finds the element with id.
func byID(doc *html.Node, id string) *html.Node {
	var found *html.Node
	walk(doc, func(n *html.Node) {
		if found == nil && n.Type == html.ElementNode && attr(n, "id") == id {
			found = n
		}
	})
	return found
}

// alert is the text of the page's role="alert" element, or "".
func (p *page) alert(t *testing.T) string {
	t.Helper()
	var out string
	walk(p.doc(t), func(n *html.Node) {
		if out == "" && n.Type == html.ElementNode && attr(n, "role") == "alert" {
			out = textOf(n)
		}
	})
	return out
}

// status is the text of the page's role="status" element, or "".
func (p *page) status(t *testing.T) string {
	t.Helper()
	var out string
	walk(p.doc(t), func(n *html.Node) {
		if out == "" && n.Type == html.ElementNode && attr(n, "role") == "status" {
			out = textOf(n)
		}
	})
	return out
}

// loginPage walks from the authorize link to the sign-in page.
func (s *stack) loginPage(t *testing.T, b *browser, extra url.Values) *page {
	t.Helper()
	p := b.follow(s.authorizeURL(extra))
	if p.resp.StatusCode != http.StatusOK || !strings.Contains(p.url.Path, "/login") {
		t.Fatalf("sign-in page: status %d at %s: %.300s", p.resp.StatusCode, p.url, p.body)
	}
	return p
}

// wantCallback checks that p redirects, through Gatehouse's own
// endpoints, to the client's callback with a code and returns the
// callback's query.
func wantCallback(t *testing.T, b *browser, p *page) url.Values {
	t.Helper()
	for i := 0; i < 5 && isRedirect(p.resp); i++ {
		loc, _ := p.resp.Location()
		if strings.HasPrefix(loc.String(), testCallback) {
			break
		}
		p = b.get(loc.String())
	}
	if !isRedirect(p.resp) {
		t.Fatalf("status %d at %s, want a redirect to the callback: alert %q", p.resp.StatusCode, p.url, p.alert(t))
	}
	loc, _ := p.resp.Location()
	if !strings.HasPrefix(loc.String(), testCallback) || loc.Query().Get("code") == "" {
		t.Fatalf("redirected to %s, want the callback with a code", loc)
	}
	return loc.Query()
}

var nonceRe = regexp.MustCompile(`'nonce-([A-Za-z0-9_-]+)'`)

// outbox is the stack's Notifier: it records what is sent.
type outbox struct {
	mu   sync.Mutex
	mail []notify.Message
	sent chan struct{}
}

func newOutbox() *outbox { return &outbox{sent: make(chan struct{}, 100)} }

func (o *outbox) SendMail(_ context.Context, m notify.Message) error {
	o.mu.Lock()
	o.mail = append(o.mail, m)
	o.mu.Unlock()
	o.sent <- struct{}{}
	return nil
}

func (o *outbox) SendSMS(context.Context, notify.SMS) error {
	return errors.New("no SMS in these tests")
}

var codeRe = regexp.MustCompile(`\b[0-9]{6}\b`)

// code waits for the next message and returns its code and recipient.
func (o *outbox) code(t *testing.T) (code, to string) {
	t.Helper()
	select {
	case <-o.sent:
	case <-time.After(5 * time.Second):
		t.Fatal("no message sent")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.mail[len(o.mail)-1]
	return codeRe.FindString(m.Text + m.HTML), m.To
}

// none checks that nothing more was sent.
func (o *outbox) none(t *testing.T) {
	t.Helper()
	select {
	case <-o.sent:
		t.Fatal("a message was sent")
	case <-time.After(50 * time.Millisecond):
	}
}
