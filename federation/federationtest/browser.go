package federationtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// Browser walks an upstream's sign-in pages as a user would, without
// JavaScript: it follows redirects, fills the login form's username
// (username, user, email) and password fields, presses the form's
// action=login button (or action=cancel when Cancel is set), submits
// auto-posting pages (form_post, SAML HTTP-POST), and stops at the first
// request to StopAt — Gatehouse's callback or ACS URL — which it returns
// unsent.
type Browser struct {
	Client   *http.Client
	Username string
	Password string
	Cancel   bool
	// StopAt is the URL prefix of Gatehouse's endpoint (callback, ACS).
	StopAt string
	// Pages records the URLs visited, for failure messages.
	Pages []string
}

// NewBrowser returns a Browser with a cookie jar that stops at stopAt.
func NewBrowser(stopAt, username, password string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{
		Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		Username: username, Password: password, StopAt: stopAt,
	}
}

// Arrival is the request the upstream sent the browser to Gatehouse with.
type Arrival struct {
	Method string
	URL    string
	Form   url.Values // the POST body, for form_post and SAML HTTP-POST
}

// Request builds a fresh server-side *http.Request for the arrival (fresh
// each time, so a test can replay it).
func (a *Arrival) Request() *http.Request {
	var body io.Reader
	if a.Method == http.MethodPost {
		body = strings.NewReader(a.Form.Encode())
	}
	r, err := http.NewRequest(a.Method, a.URL, body)
	if err != nil {
		panic(err)
	}
	if a.Method == http.MethodPost {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.RequestURI = r.URL.RequestURI()
	return r
}

// Visit starts at u (GET) and returns the request that reaches StopAt.
func (b *Browser) Visit(ctx context.Context, u string) (*Arrival, error) {
	return b.run(ctx, http.MethodGet, u, nil)
}

// SubmitPage starts from an HTML page served by Gatehouse at base (a SAML
// HTTP-POST binding page) and submits its form.
func (b *Browser) SubmitPage(ctx context.Context, base string, page []byte) (*Arrival, error) {
	method, action, form, err := b.form(base, page)
	if err != nil {
		return nil, err
	}
	return b.run(ctx, method, action, form)
}

func (b *Browser) run(ctx context.Context, method, u string, form url.Values) (*Arrival, error) {
	for range 25 {
		if b.StopAt != "" && strings.HasPrefix(u, b.StopAt) {
			return &Arrival{Method: method, URL: u, Form: form}, nil
		}
		b.Pages = append(b.Pages, method+" "+u)
		var body io.Reader
		if method == http.MethodPost {
			body = strings.NewReader(form.Encode())
		} else if form != nil {
			pu, err := url.Parse(u)
			if err != nil {
				return nil, err
			}
			pu.RawQuery = form.Encode()
			u = pu.String()
		}
		req, err := http.NewRequestWithContext(ctx, method, u, body)
		if err != nil {
			return nil, err
		}
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := b.Client.Do(req)
		if err != nil {
			return nil, err
		}
		page, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, err := resp.Location()
			if err != nil {
				return nil, fmt.Errorf("federationtest: %s %s: redirect without Location", method, u)
			}
			method, u, form = http.MethodGet, loc.String(), nil
		case resp.StatusCode == http.StatusOK:
			method, u, form, err = b.form(u, page)
			if err != nil {
				return nil, fmt.Errorf("federationtest: %s: %w", u, err)
			}
		default:
			return nil, fmt.Errorf("federationtest: %s %s answered %s: %.300s", method, u, resp.Status, page)
		}
	}
	return nil, fmt.Errorf("federationtest: too many pages: %v", b.Pages)
}

// form finds the page's first form and returns how to submit it.
func (b *Browser) form(base string, page []byte) (method, action string, form url.Values, err error) {
	doc, err := html.Parse(strings.NewReader(string(page)))
	if err != nil {
		return "", "", nil, err
	}
	var f *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if f != nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == "form" {
			f = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if f == nil {
		return "", "", nil, fmt.Errorf("no form on the page: %.300s", page)
	}
	method = strings.ToUpper(attr(f, "method"))
	if method == "" {
		method = http.MethodGet
	}
	bu, err := url.Parse(base)
	if err != nil {
		return "", "", nil, err
	}
	au, err := bu.Parse(attr(f, "action"))
	if err != nil {
		return "", "", nil, err
	}
	form = url.Values{}
	want := "login"
	if b.Cancel {
		want = "cancel"
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name := attr(n, "name")
			switch n.Data {
			case "input":
				typ := strings.ToLower(attr(n, "type"))
				switch {
				case name == "":
				case typ == "submit" || typ == "button":
					if name == "action" && attr(n, "value") == want {
						form.Set(name, attr(n, "value"))
					}
				case typ == "password":
					form.Set(name, b.Password)
				case name == "username" || name == "user" || name == "email":
					form.Set(name, b.Username)
				default:
					form.Set(name, attr(n, "value"))
				}
			case "button":
				if name == "action" && attr(n, "value") == want {
					form.Set(name, attr(n, "value"))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(f)
	return method, au.String(), form, nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
