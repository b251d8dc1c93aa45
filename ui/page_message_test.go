package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestOAuthErrorPages: errors the authorize and logout endpoints cannot
// send back to the application are hosted-UI pages that explain what the
// app developer must fix, translated, never a redirect.
func TestOAuthErrorPages(t *testing.T) {
	s := newStack(t)
	b := newBrowser(t)
	cases := []struct {
		name, url, lang string
		status          int
		alert           string
	}{
		{"unknown client", s.issuer() + "/oauth2/authorize?" + url.Values{"client_id": {"nosuch"}, "response_type": {"code"}, "redirect_uri": {s.callback}}.Encode(),
			"", http.StatusUnauthorized, "The client_id in the sign-in link does not name an app client"},
		{"unregistered redirect", s.authorizeURL(url.Values{"redirect_uri": {"https://evil.example/cb"}}), "", http.StatusBadRequest,
			"is not one of the app client's callback URLs"},
		{"unregistered redirect, German", s.authorizeURL(url.Values{"redirect_uri": {"https://evil.example/cb"}, "lang": {"de"}}), "de", http.StatusBadRequest,
			"Die redirect_uri im Anmeldelink"},
		{"unregistered redirect, Japanese by header", s.authorizeURL(url.Values{"redirect_uri": {"https://evil.example/cb"}}), "ja", http.StatusBadRequest,
			"redirect_uri が"},
		{"logout to an unregistered URL", s.issuer() + "/logout?" + url.Values{"client_id": {s.client.ID}, "logout_uri": {"https://evil.example/"}}.Encode(),
			"", http.StatusBadRequest, "is not one of the app client's LogoutURLs"},
		{"logout sign-in-again to an unregistered URL", s.issuer() + "/logout?" + url.Values{"client_id": {s.client.ID}, "redirect_uri": {"https://evil.example/"}, "response_type": {"code"}}.Encode(),
			"", http.StatusBadRequest, "is not one of the app client's callback URLs"},
		{"logout without client", s.issuer() + "/logout", "", http.StatusBadRequest, "must carry client_id"},
		{"replayed request", s.issuer() + "/oauth2/authorize?auth_request=nosuch", "", http.StatusBadRequest, "expired or was already used"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.lang == "ja" {
				b.header.Set("Accept-Language", "ja-JP,ja;q=0.9")
				defer b.header.Del("Accept-Language")
			}
			p := b.get(c.url)
			if isRedirect(p.resp) {
				t.Fatalf("redirected to %s", p.resp.Header.Get("Location"))
			}
			if p.resp.StatusCode != c.status || !strings.Contains(p.alert(t), c.alert) {
				t.Fatalf("status %d alert %q, want %d %q", p.resp.StatusCode, p.alert(t), c.status, c.alert)
			}
			if want := c.lang; want != "" && !strings.Contains(p.body, `<html lang="`+want+`"`) {
				t.Fatalf("page not in %s", want)
			}
			if p.resp.Header.Get("X-Frame-Options") != "DENY" {
				t.Fatal("no security headers")
			}
		})
	}
}

func TestSignOutPage(t *testing.T) {
	s := newStack(t)
	s.user(t, "alice", nil)
	b := newBrowser(t)
	wantCallback(t, b, b.submit(s.loginPage(t, b, nil), url.Values{"username": {"alice"}, "password": {testPassword}}))
	p := b.get(s.issuer() + "/logout?client_id=" + s.client.ID + "&lang=fr")
	if p.resp.StatusCode != http.StatusOK || p.status(t) != "Vous pouvez fermer cette fenêtre." || p.alert(t) != "" {
		t.Fatalf("status %d status %q alert %q", p.resp.StatusCode, p.status(t), p.alert(t))
	}
	if !strings.Contains(p.body, "Test App") {
		t.Fatal("signed-out page without the client's name")
	}
	// The session is gone: the next authorize asks to sign in again.
	s.loginPage(t, b, nil)

	t.Run("sign out and sign in again", func(t *testing.T) {
		wantCallback(t, b, b.submit(s.loginPage(t, b, nil), url.Values{"username": {"alice"}, "password": {testPassword}}))
		q := url.Values{"client_id": {s.client.ID}, "redirect_uri": {s.callback}, "response_type": {"code"}, "state": {"state-0002"},
			"code_challenge": {strings.Repeat("d", 43)}, "code_challenge_method": {"S256"}}
		p := b.follow(s.issuer() + "/logout?" + q.Encode())
		if p.resp.StatusCode != http.StatusOK || !strings.Contains(p.url.Path, "/login") {
			t.Fatalf("status %d at %s", p.resp.StatusCode, p.url)
		}
		if cb := wantCallback(t, b, b.submit(p, url.Values{"username": {"alice"}, "password": {testPassword}})); cb.Get("state") != "state-0002" {
			t.Fatalf("state %q", cb.Get("state"))
		}
	})
}
