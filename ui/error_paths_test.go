package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/ui"
)

// TestFormErrorPaths: what each page answers when a post goes wrong in a
// way the page tests do not walk: a form that does not parse or is too
// big, a missing field, a code guessed too often, an action rate-limited,
// sign-up in a pool that does not allow it, a user already confirmed.
// Every answer is a page with role="alert" and the hosted UI's headers,
// never a 500.
func TestFormErrorPaths(t *testing.T) {
	s := newStack(t, withPool(verifiedEmailPool), withUI(func(c *ui.Config) {
		lim := ui.DefaultLimits
		lim.VerifyPerIP = ui.Limit{Burst: 8, Every: time.Hour}
		c.Limits = &lim
	}))
	s.user(t, "fay", map[string]string{"email": "fay@example.com", "email_verified": "true", "given_name": "Fay"})

	t.Run("form that does not parse", func(t *testing.T) {
		b := newBrowser(t)
		f := s.loginPage(t, b, nil).form(t, 0)
		req, _ := http.NewRequest(http.MethodPost, f.action, strings.NewReader("username=%zz&password=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r := b.do(req)
		if r.resp.StatusCode != http.StatusBadRequest || r.alert(t) != "The form could not be read. Please try again." {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
		checkHeaders(t, r)
	})
	t.Run("form larger than 64 KiB", func(t *testing.T) {
		b := newBrowser(t)
		p := s.loginPage(t, b, nil)
		r := b.submit(p, url.Values{"username": {"fay"}, "password": {strings.Repeat("x", 70<<10)}})
		if r.resp.StatusCode != http.StatusBadRequest || r.alert(t) == "" {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
	})
	t.Run("unknown pool", func(t *testing.T) {
		if r := newBrowser(t).get(s.URL + "/us-east-1_NoSuchPl1/login"); r.resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d", r.resp.StatusCode)
		}
	})
	t.Run("forgot password without a username", func(t *testing.T) {
		b := newBrowser(t)
		r := b.submit(s.forgotPage(t, b), url.Values{"username": {"  "}})
		if r.resp.StatusCode != http.StatusBadRequest || r.alert(t) != "This field is required." {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
		in := r.form(t, 0).inputs["username"]
		if attr(in, "aria-invalid") != "true" || !strings.Contains(attr(in, "aria-describedby"), "form-error") {
			t.Fatalf("the error is not tied to the field: %v", in.Attr)
		}
		s.box.none(t)
	})
	t.Run("confirm without a username", func(t *testing.T) {
		b := newBrowser(t)
		login := s.loginPage(t, b, nil)
		confirm := b.get(s.issuer() + "/confirmUser?" + login.url.RawQuery)
		r := b.submit(confirm, url.Values{"username": {""}, "code": {"123456"}})
		if r.resp.StatusCode != http.StatusBadRequest || r.alert(t) != "Please correct the fields marked below." {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
	})
	t.Run("confirm a user already confirmed", func(t *testing.T) {
		b := newBrowser(t)
		login := s.loginPage(t, b, nil)
		confirm := b.get(s.issuer() + "/confirmUser?" + login.url.RawQuery)
		r := b.submit(confirm, url.Values{"username": {"fay"}, "code": {"123456"}})
		loc, _ := r.resp.Location()
		if r.resp.StatusCode != http.StatusSeeOther || loc == nil || !strings.HasSuffix(loc.Path, "/login") || loc.Query().Get("notice") != "confirmed" {
			t.Fatalf("status %d to %v alert %q", r.resp.StatusCode, loc, r.alert(t))
		}
	})
	t.Run("reset code guessed too often", func(t *testing.T) {
		b := newBrowser(t)
		reset := b.submit(s.forgotPage(t, b), url.Values{"username": {"fay"}})
		code, _ := s.box.code(t)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		var r *page
		for range 6 {
			r = b.submit(reset, url.Values{"code": {wrong}, "password": {"Another-Passw0rd!"}})
		}
		if r.resp.StatusCode != http.StatusBadRequest || r.alert(t) != "Too many wrong codes. Ask for a new code below." {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
		// The right code no longer works either.
		if r = b.submit(reset, url.Values{"code": {code}, "password": {"Another-Passw0rd!"}}); r.resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("the voided code: status %d", r.resp.StatusCode)
		}
		// Code checks from this address are now over their budget.
		r = b.submit(reset, url.Values{"code": {code}, "password": {"Another-Passw0rd!"}})
		if r.resp.StatusCode != http.StatusTooManyRequests || r.alert(t) != "Too many attempts. Please wait a few minutes and try again." {
			t.Fatalf("rate limit: status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
		checkHeaders(t, r)
	})
}

// TestSignUpDisabled: in a pool where only administrators create users,
// the sign-in page has no sign-up link, and the sign-up page and its form
// say why instead.
func TestSignUpDisabled(t *testing.T) {
	s := newStack(t, withPool(func(p *storage.Pool) { p.AllowAdminCreateUserOnly = true }))
	b := newBrowser(t)
	login := s.loginPage(t, b, nil)
	if strings.Contains(login.body, `data-testid="signup-link"`) {
		t.Fatal("the sign-in page links to sign-up")
	}
	page := b.get(s.issuer() + "/signup?" + login.url.RawQuery)
	if page.resp.StatusCode != http.StatusForbidden || page.alert(t) != "New accounts can only be created by an administrator." {
		t.Fatalf("page: status %d alert %q", page.resp.StatusCode, page.alert(t))
	}
	r := b.post(s.issuer()+"/signup?"+login.url.RawQuery, url.Values{"_csrf": {login.form(t, 0).hidden.Get("_csrf")},
		"username": {"eve"}, "password": {testPassword}})
	if r.resp.StatusCode != http.StatusForbidden || r.alert(t) == "" {
		t.Fatalf("post: status %d alert %q", r.resp.StatusCode, r.alert(t))
	}
	s.box.none(t)
}

// TestSignUpAttributeInputs: required attributes get the input types and
// autocomplete tokens browsers and password managers fill (HTML §4.10.18.7).
func TestSignUpAttributeInputs(t *testing.T) {
	s := newStack(t, withPool(func(p *storage.Pool) {
		p.UsernameAttributes = []string{"email"}
		p.Schema = []storage.SchemaAttribute{{Name: "email", Required: true, Mutable: true}, {Name: "phone_number", Required: true, Mutable: true},
			{Name: "birthdate", Required: true, Mutable: true}, {Name: "family_name", Required: true, Mutable: true},
			{Name: "website", Required: true, Mutable: true}}
	}))
	b := newBrowser(t)
	p := s.signUpPage(t, b)
	f := p.form(t, 0)
	want := map[string][2]string{ // name: type, autocomplete
		"phone_number": {"tel", "tel"}, "birthdate": {"date", "bday"}, "family_name": {"text", "family-name"},
		"website": {"url", "url"}, "password": {"password", "new-password"},
	}
	for name, w := range want {
		in := f.inputs[name]
		if in == nil || attr(in, "type") != w[0] || attr(in, "autocomplete") != w[1] || !hasAttr(in, "required") {
			t.Errorf("input %s: %v", name, in)
		}
	}
	// The email address is the username here: one field, filled as both.
	if in := f.inputs["username"]; in == nil || attr(in, "type") != "email" || !strings.Contains(attr(in, "autocomplete"), "username") {
		t.Errorf("username input %v", in)
	}
	checkAccessible(t, p)
}
