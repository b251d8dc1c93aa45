package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/ui"
)

func TestSecurityHeaders(t *testing.T) {
	s := newStack(t, withClient(func(c *storage.Client) {
		c.CallbackURLs = append(c.CallbackURLs, "http://localhost:3000/cb", "com.example.app:/cb")
	}))
	b := newBrowser(t)
	p := s.loginPage(t, b, nil)
	h := p.resp.Header
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
		"Cache-Control":          "no-store",
		"Content-Type":           "text/html; charset=utf-8",
	}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, h.Get(k), v)
		}
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS on plain http")
	}
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "style-src 'self'",
		"img-src 'self' data:", "form-action 'self' https://app.example.test http://localhost:3000 com.example.app:"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP %q lacks %q", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows unsafe code: %q", csp)
	}
	// Every script carries the response's nonce, and the nonce is fresh.
	m := nonceRe.FindStringSubmatch(csp)
	if m == nil {
		t.Fatalf("no nonce in CSP %q", csp)
	}
	scripts := 0
	walk(p.doc(t), func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "script" {
			scripts++
			if attr(n, "nonce") != m[1] {
				t.Errorf("script without the nonce: %v", n.Attr)
			}
		}
	})
	if scripts == 0 {
		t.Error("no script on the page")
	}
	p2 := s.loginPage(t, newBrowser(t), nil)
	if m2 := nonceRe.FindStringSubmatch(p2.resp.Header.Get("Content-Security-Policy")); m2 == nil || m2[1] == m[1] {
		t.Error("nonce reused across responses")
	}
	// Error pages carry the same headers.
	e := b.get(s.issuer() + "/login")
	if e.resp.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(e.resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("error page headers %v", e.resp.Header)
	}
}

func TestCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		s := newStack(t, withUI(func(c *ui.Config) { c.Secure = secure }))
		s.user(t, "alice", nil)
		b := newBrowser(t)
		p := s.loginPage(t, b, nil)
		var csrf *http.Cookie
		for _, c := range p.resp.Cookies() {
			if c.Name == "gatehouse_csrf" {
				csrf = c
			}
		}
		if csrf == nil {
			t.Fatal("no CSRF cookie")
		}
		if !csrf.HttpOnly || csrf.SameSite != http.SameSiteLaxMode || csrf.Secure != secure || csrf.Path != "/"+s.pool.ID {
			t.Errorf("secure=%v: CSRF cookie %+v", secure, csrf)
		}
		if secure && p.resp.Header.Get("Strict-Transport-Security") == "" {
			t.Error("no HSTS when secure")
		}
		if secure {
			// A Secure cookie does not come back over http; the session
			// flags are the SSO manager's (tested with it).
			continue
		}
		r := b.submit(p, url.Values{"username": {"alice"}, "password": {testPassword}})
		var sess *http.Cookie
		for _, c := range r.resp.Cookies() {
			if c.Name == "gatehouse_sso" {
				sess = c
			}
		}
		if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/"+s.pool.ID {
			t.Errorf("SSO cookie %+v", sess)
		}
	}
}

func TestStaticAssets(t *testing.T) {
	s := newStack(t)
	b := newBrowser(t)
	p := s.loginPage(t, b, nil)
	var urls []string
	walk(p.doc(t), func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if n.Data == "link" && attr(n, "href") != "" {
			urls = append(urls, attr(n, "href"))
		}
		if n.Data == "script" {
			urls = append(urls, attr(n, "src"))
		}
	})
	if len(urls) < 3 {
		t.Fatalf("assets %v", urls)
	}
	for _, u := range urls {
		r := b.get(s.URL + u)
		if r.resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", u, r.resp.StatusCode)
		}
		if cc := r.resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", u, cc)
		}
		if r.resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", u)
		}
	}
	// Unhashed and unknown names are not served.
	for _, u := range []string{"/static/css/app.css", "/static/css/app.000000000000.css", "/static/static.go"} {
		if r := b.get(s.issuer() + u); r.resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d", u, r.resp.StatusCode)
		}
	}
}

// TestAccessibleMarkup checks every page's form controls for what
// assistive technology needs: a label for every visible input, errors tied
// to fields, a language on the document.
func TestAccessibleMarkup(t *testing.T) {
	s := newStack(t, withPool(func(p *storage.Pool) {
		p.Schema = []storage.SchemaAttribute{{Name: "email", Required: true, Mutable: true}}
	}))
	b := newBrowser(t)
	p := s.loginPage(t, b, nil)
	pages := map[string]*page{"login": p, "login error": b.submit(p, url.Values{"username": {"x"}, "password": {"y"}})}
	for name, p := range pages {
		t.Run(name, func(t *testing.T) { checkAccessible(t, p) })
	}
}

func checkAccessible(t *testing.T, p *page) {
	t.Helper()
	doc := p.doc(t)
	labels := map[string]bool{}
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "label" {
			labels[attr(n, "for")] = true
		}
		if n.Type == html.ElementNode && n.Data == "html" && attr(n, "lang") == "" {
			t.Error("document without lang")
		}
	})
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode || (n.Data != "input" && n.Data != "select" && n.Data != "textarea") || attr(n, "type") == "hidden" {
			return
		}
		if id := attr(n, "id"); id == "" || !labels[id] {
			t.Errorf("input %q has no label", attr(n, "name"))
		}
		for _, ref := range strings.Fields(attr(n, "aria-describedby")) {
			if byID(doc, ref) == nil {
				t.Errorf("input %q described by missing #%s", attr(n, "name"), ref)
			}
		}
	})
}
