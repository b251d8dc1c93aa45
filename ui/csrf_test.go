package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/ui"
)

// TestCSRFOnEveryForm: every form the hosted UI shows refuses a post
// without its CSRF token (403, the form again with a fresh token, the
// hosted UI's headers) and does nothing: no user made or confirmed, no
// code sent, no password changed. The sign-in form's cases are in
// TestSignInCSRF.
func TestCSRFOnEveryForm(t *testing.T) {
	s := newStack(t, withPool(verifiedEmailPool))
	ctx := context.Background()
	s.user(t, "fay", map[string]string{"email": "fay@example.com", "email_verified": "true", "given_name": "Fay"})
	if _, err := s.dir.CreateUser(ctx, s.pool, directory.NewUser{Username: "tom", Password: "Temp-Passw0rd!", Temporary: true,
		Attributes: map[string]string{"email": "tom@example.com", "given_name": "Tom"}}); err != nil {
		t.Fatal(err)
	}

	// refused posts the i-th form of p without its token and checks the
	// answer.
	refused := func(t *testing.T, b *browser, p *page, i int, values url.Values) {
		t.Helper()
		f := p.form(t, i)
		form := url.Values{}
		for k, v := range f.hidden {
			if k != "_csrf" {
				form[k] = v
			}
		}
		for k, v := range values {
			form[k] = v
		}
		r := b.post(f.action, form)
		if r.resp.StatusCode != http.StatusForbidden || r.alert(t) != "Your session expired. Please try again." {
			t.Fatalf("without a token: status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
		if r.form(t, 0).hidden.Get("_csrf") == "" {
			t.Error("the refusal offers no fresh token")
		}
		checkHeaders(t, r)
		// A token from another browser, with this browser's cookie, is no
		// better.
		other := s.loginPage(t, newBrowser(t), nil).form(t, 0).hidden.Get("_csrf")
		form.Set("_csrf", other)
		if r := b.post(f.action, form); r.resp.StatusCode != http.StatusForbidden {
			t.Fatalf("with another browser's token: status %d", r.resp.StatusCode)
		}
		s.box.none(t)
	}

	t.Run("sign-up", func(t *testing.T) {
		b := newBrowser(t)
		refused(t, b, s.signUpPage(t, b), 0, url.Values{"username": {"nia"}, "email": {"nia@example.com"}, "given_name": {"Nia"}, "password": {testPassword}})
		if _, err := s.dir.FindUser(ctx, s.pool, "nia"); err == nil {
			t.Fatal("the user was made")
		}
	})
	t.Run("confirm and resend", func(t *testing.T) {
		b := newBrowser(t)
		r := b.submit(s.signUpPage(t, b), url.Values{"username": {"ole"}, "email": {"ole@example.com"}, "given_name": {"Ole"}, "password": {testPassword}})
		code, _ := s.box.code(t)
		loc, _ := r.resp.Location()
		confirm := b.get(loc.String())
		refused(t, b, confirm, 0, url.Values{"code": {code}})
		refused(t, b, confirm, 1, url.Values{"resend": {"1"}})
		if u, err := s.dir.FindUser(ctx, s.pool, "ole"); err != nil || u.Status != storage.StatusUnconfirmed {
			t.Fatalf("user %+v %v", u, err)
		}
	})
	t.Run("forgot password and reset", func(t *testing.T) {
		b := newBrowser(t)
		forgot := s.forgotPage(t, b)
		refused(t, b, forgot, 0, url.Values{"username": {"fay"}})
		reset := b.submit(forgot, url.Values{"username": {"fay"}})
		code, _ := s.box.code(t)
		refused(t, b, reset, 0, url.Values{"code": {code}, "password": {"Another-Passw0rd!"}})
		// The old password still works.
		b2 := newBrowser(t)
		wantCallback(t, b2, b2.submit(s.loginPage(t, b2, nil), url.Values{"username": {"fay"}, "password": {testPassword}}))
	})
	t.Run("new password", func(t *testing.T) {
		b := newBrowser(t)
		np := b.submit(s.loginPage(t, b, nil), url.Values{"username": {"tom"}, "password": {"Temp-Passw0rd!"}})
		if !strings.Contains(np.body, `data-testid="newpassword-form"`) {
			t.Fatalf("status %d: %.300s", np.resp.StatusCode, np.body)
		}
		refused(t, b, np, 0, url.Values{"password": {"Toms-Own-Passw0rd"}})
		if u, _ := s.dir.FindUser(ctx, s.pool, "tom"); u.Status != storage.StatusForceChangePassword {
			t.Fatalf("status %s", u.Status)
		}
	})
}

// checkHeaders checks the headers every hosted-UI page carries.
func checkHeaders(t *testing.T, p *page) {
	t.Helper()
	h := p.resp.Header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "script-src 'nonce-", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", p.url.Path, csp, want)
		}
	}
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
		"X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %s %q, want %q", p.url.Path, k, got, want)
		}
	}
}

// TestSignUpCookieFlags: the cookie that signs a new user in after
// confirming is HttpOnly, SameSite=Lax, scoped to the pool, lives as long
// as the code, and is Secure when the UI is served over https.
func TestSignUpCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		s := newStack(t, withPool(verifiedEmailPool), withUI(func(c *ui.Config) { c.Secure = secure }))
		b := newBrowser(t)
		p := s.signUpPage(t, b)
		if secure {
			// A Secure cookie does not go back over the test's http: send
			// it by hand, as a browser would over https.
			for _, c := range p.resp.Cookies() {
				if c.Name == "gatehouse_csrf" {
					b.header.Set("Cookie", c.Name+"="+c.Value)
				}
			}
		}
		r := b.submit(p, url.Values{"username": {"uma"}, "email": {"uma@example.com"}, "given_name": {"Uma"}, "password": {testPassword}})
		if r.resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("secure=%v: sign-up status %d alert %q", secure, r.resp.StatusCode, r.alert(t))
		}
		s.box.code(t)
		var c *http.Cookie
		for _, k := range r.resp.Cookies() {
			if k.Name == "gatehouse_signup" {
				c = k
			}
		}
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != secure || c.Path != "/"+s.pool.ID ||
			c.MaxAge != int(directory.SignUpCodeLifetime/time.Second) {
			t.Errorf("secure=%v: sign-up cookie %+v", secure, c)
		}
	}
}
