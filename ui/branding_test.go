package ui_test

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

const logoSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#6d28d9"/></svg>`

// brandLinks are the branding URLs a page links: logo, favicon, theme.
func brandLinks(t *testing.T, p *page) (logo, favicon, theme string) {
	t.Helper()
	walk(p.doc(t), func(n *html.Node) {
		switch {
		case n.Type != html.ElementNode:
		case n.Data == "img" && attr(n, "data-testid") == "brand-logo":
			logo = attr(n, "src")
		case n.Data == "link" && attr(n, "rel") == "icon":
			favicon = attr(n, "href")
		case n.Data == "link" && attr(n, "data-testid") == "brand-theme":
			theme = attr(n, "href")
		}
	})
	return
}

func TestBranding(t *testing.T) {
	s := newStack(t, withPool(func(p *storage.Pool) {
		p.Branding = &storage.Branding{Logo: &storage.Asset{Data: []byte(logoSVG)}, PrimaryColor: "#6d28d9",
			ColorScheme: "auto", CustomCSS: ".gh-card{outline:1px solid red}"}
	}))
	b := newBrowser(t)
	p := s.loginPage(t, b, nil)
	logo, favicon, theme := brandLinks(t, p)
	prefix := "/" + s.pool.ID + "/branding/pool/"
	if !strings.HasPrefix(logo, prefix+"logo.") || !strings.HasPrefix(theme, prefix+"theme.") || !strings.Contains(favicon, "/static/img/favicon.") {
		t.Fatalf("logo %q favicon %q theme %q", logo, favicon, theme)
	}
	if !strings.Contains(p.body, `data-theme="auto"`) {
		t.Fatal("color scheme not applied")
	}
	// The CSP allows them as they are: same origin.
	csp := p.resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "img-src 'self'") || !strings.Contains(csp, "style-src 'self'") {
		t.Fatalf("CSP %q", csp)
	}
	r := b.get(s.URL + logo)
	if r.resp.StatusCode != http.StatusOK || r.body != logoSVG || r.resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("logo: %d %q %q", r.resp.StatusCode, r.resp.Header.Get("Content-Type"), r.body)
	}
	if r.resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.Contains(r.resp.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("logo headers %v", r.resp.Header)
	}
	// Revalidation by ETag answers 304 without the body.
	etag := r.resp.Header.Get("ETag")
	if etag == "" || r.resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("logo headers %v", r.resp.Header)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+logo, nil)
	req.Header.Set("If-None-Match", etag)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	css := b.get(s.URL + theme)
	if css.resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || css.resp.Header.Get("ETag") == "" {
		t.Fatalf("theme headers %v", css.resp.Header)
	}
	if css.resp.StatusCode != http.StatusOK || !strings.HasPrefix(css.resp.Header.Get("Content-Type"), "text/css") ||
		!strings.Contains(css.body, "--gh-primary:#6d28d9") || !strings.Contains(css.body, ".gh-card{outline:1px solid red}") {
		t.Fatalf("theme: %d %q", css.resp.StatusCode, css.body)
	}
	for _, u := range []string{prefix + "logo.0000000000000000", prefix + "favicon.0000000000000000", "/" + s.pool.ID + "/branding/nosuchclient/logo." + strings.TrimPrefix(logo, prefix+"logo."),
		prefix + "secret.x"} {
		if r := b.get(s.URL + u); r.resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d", u, r.resp.StatusCode)
		}
	}
}

func TestBrandingClientOverride(t *testing.T) {
	s := newStack(t, withPool(func(p *storage.Pool) {
		p.Branding = &storage.Branding{Logo: &storage.Asset{Data: []byte(logoSVG)}, PrimaryColor: "#6d28d9"}
	}), withClient(func(c *storage.Client) {
		c.Branding = &storage.Branding{PrimaryColor: "#0b57d0", Favicon: &storage.Asset{ContentType: "image/svg+xml", Data: []byte(logoSVG)}}
	}))
	b := newBrowser(t)
	p := s.loginPage(t, b, nil)
	logo, favicon, theme := brandLinks(t, p)
	if !strings.Contains(logo, "/branding/pool/logo.") || !strings.Contains(favicon, "/branding/"+s.client.ID+"/favicon.") ||
		!strings.Contains(theme, "/branding/"+s.client.ID+"/theme.") {
		t.Fatalf("logo %q favicon %q theme %q", logo, favicon, theme)
	}
	css := b.get(s.URL + theme)
	if !strings.Contains(css.body, "--gh-primary:#0b57d0") || strings.Contains(css.body, "#6d28d9") {
		t.Fatalf("theme %q", css.body)
	}
	if r := b.get(s.URL + favicon); r.resp.StatusCode != http.StatusOK {
		t.Fatalf("favicon %d", r.resp.StatusCode)
	}
	// Error pages wear the client's branding too.
	e := b.get(s.authorizeURL(map[string][]string{"redirect_uri": {"https://evil.example/"}}))
	if _, _, th := brandLinks(t, e); th != theme {
		t.Fatalf("error page theme %q, want %q", th, theme)
	}
}
