package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/ui"
)

// verifiedEmailPool requires an email and verifies it by code.
func verifiedEmailPool(p *storage.Pool) {
	p.AutoVerifiedAttributes = []string{"email"}
	p.Schema = []storage.SchemaAttribute{{Name: "email", Required: true, Mutable: true}, {Name: "given_name", Required: true, Mutable: true}}
}

// signUpPage walks from the sign-in page to the sign-up page.
func (s *stack) signUpPage(t *testing.T, b *browser) *page {
	t.Helper()
	login := s.loginPage(t, b, nil)
	f := login.doc(t)
	link := ""
	walk(f, func(n *html.Node) {
		if attr(n, "data-testid") == "signup-link" {
			link = attr(n, "href")
		}
	})
	u, _ := login.url.Parse(link)
	p := b.get(u.String())
	if p.resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-up page: status %d", p.resp.StatusCode)
	}
	return p
}

func TestSignUpConfirmSignsIn(t *testing.T) {
	s := newStack(t, withPool(verifiedEmailPool))
	b := newBrowser(t)
	p := s.signUpPage(t, b)
	f := p.form(t, 0)
	want := map[string][2]string{ // name: type, autocomplete
		"username": {"text", "username"}, "email": {"email", "email"}, "given_name": {"text", "given-name"}, "password": {"password", "new-password"},
	}
	for name, w := range want {
		in := f.inputs[name]
		if in == nil || attr(in, "type") != w[0] || attr(in, "autocomplete") != w[1] || !hasAttr(in, "required") {
			t.Errorf("input %s: %v", name, in)
		}
	}
	if !strings.Contains(p.body, `data-rule="length" data-min="8"`) {
		t.Error("password rules not shown")
	}
	checkAccessible(t, p)

	t.Run("field errors", func(t *testing.T) {
		r := b.submit(p, url.Values{"username": {""}, "email": {"not-an-email"}, "given_name": {"Nia"}, "password": {"short"}})
		if r.resp.StatusCode != http.StatusBadRequest || r.alert(t) != "Please correct the fields marked below." {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
		doc := r.doc(t)
		for id, msg := range map[string]string{"username-error": "This field is required.", "attr-email-error": "Enter an email address such as name@example.com.",
			"password-error": "This password does not meet the rules below."} {
			if n := byID(doc, id); n == nil || textOf(n) != msg {
				t.Errorf("#%s: %v", id, n)
			}
		}
		if in := r.form(t, 0).inputs["email"]; attr(in, "aria-invalid") != "true" || !strings.Contains(attr(in, "aria-describedby"), "attr-email-error") {
			t.Error("email error not tied to the field")
		}
		if attr(r.form(t, 0).inputs["given_name"], "value") != "Nia" {
			t.Error("given_name not kept")
		}
		s.box.none(t)
		checkAccessible(t, r)
	})

	r := b.submit(p, url.Values{"username": {"nia"}, "email": {"nia@example.com"}, "given_name": {"Nia"}, "password": {testPassword}})
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-up: status %d alert %q", r.resp.StatusCode, r.alert(t))
	}
	code, to := s.box.code(t)
	if to != "nia@example.com" || code == "" {
		t.Fatalf("code %q to %q", code, to)
	}
	loc, _ := r.resp.Location()
	confirm := b.get(loc.String())
	if confirm.resp.StatusCode != http.StatusOK || !strings.Contains(confirm.body, "n***@e***.com") {
		t.Fatalf("confirm page: status %d: %.300s", confirm.resp.StatusCode, confirm.body)
	}
	cf := confirm.form(t, 0)
	if cf.hidden.Get("username") != "nia" || attr(cf.inputs["code"], "autocomplete") != "one-time-code" || attr(cf.inputs["code"], "inputmode") != "numeric" {
		t.Fatalf("confirm form %v %v", cf.hidden, cf.inputs["code"])
	}
	if !strings.Contains(confirm.body, `data-cooldown="60"`) {
		t.Error("resend button without its cooldown")
	}
	checkAccessible(t, confirm)

	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	bad := b.submit(confirm, url.Values{"code": {wrong}})
	if bad.resp.StatusCode != http.StatusBadRequest || !strings.Contains(bad.alert(t), "That code is not right") || byID(bad.doc(t), "code-error") == nil {
		t.Fatalf("wrong code: status %d alert %q", bad.resp.StatusCode, bad.alert(t))
	}
	// The right code confirms and signs in: back to the application.
	wantCallback(t, b, b.submit(bad, url.Values{"code": {code}}))
	u, _ := s.dir.FindUser(context.Background(), s.pool, "nia")
	if u.Status != storage.StatusConfirmed || u.Attributes["email_verified"] != "true" {
		t.Fatalf("user %s %v", u.Status, u.Attributes)
	}
}

func TestConfirmElsewhereGoesToSignIn(t *testing.T) {
	s := newStack(t, withPool(verifiedEmailPool))
	b := newBrowser(t)
	p := s.signUpPage(t, b)
	b.submit(p, url.Values{"username": {"omar"}, "email": {"omar@example.com"}, "given_name": {"Omar"}, "password": {testPassword}})
	code, _ := s.box.code(t)
	// Another browser (no sign-up cookie) confirms: it is not signed in.
	other := newBrowser(t)
	login := s.loginPage(t, other, nil)
	q := login.url.Query()
	q.Set("username", "omar")
	confirm := other.get(s.issuer() + "/confirmUser?" + q.Encode())
	if strings.Contains(confirm.body, "o***@e***.com") {
		t.Fatal("the destination is shown to another browser")
	}
	r := other.submit(confirm, url.Values{"code": {code}})
	loc, _ := r.resp.Location()
	if r.resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc.Path, "/login") || loc.Query().Get("notice") != "confirmed" {
		t.Fatalf("status %d location %v", r.resp.StatusCode, loc)
	}
	signin := other.get(loc.String())
	if signin.status(t) != "Your account is confirmed. Sign in to continue." || attr(signin.form(t, 0).inputs["username"], "value") != "omar" {
		t.Fatalf("notice %q", signin.status(t))
	}
	wantCallback(t, other, other.submit(signin, url.Values{"password": {testPassword}, "username": {"omar"}}))
}

func TestResendCode(t *testing.T) {
	s := newStack(t, withPool(verifiedEmailPool))
	b := newBrowser(t)
	p := s.signUpPage(t, b)
	r := b.submit(p, url.Values{"username": {"rae"}, "email": {"rae@example.com"}, "given_name": {"Rae"}, "password": {testPassword}})
	first, _ := s.box.code(t)
	loc, _ := r.resp.Location()
	confirm := b.get(loc.String())
	resend := confirm.form(t, 1)
	if resend.hidden.Get("username") != "rae" || resend.hidden.Get("_csrf") == "" {
		t.Fatalf("resend form %v", resend.hidden)
	}
	send := func() *page {
		form := resend.hidden
		form.Set("resend", "1")
		return b.post(resend.action, form)
	}
	early := send()
	if early.resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(early.alert(t), "another in 60 seconds") {
		t.Fatalf("resend within the cooldown: status %d alert %q", early.resp.StatusCode, early.alert(t))
	}
	s.box.none(t)
	s.clock.Add(time.Minute)
	again := send()
	if again.resp.StatusCode != http.StatusOK || again.status(t) != "We sent you a new code." {
		t.Fatalf("resend: status %d status %q alert %q", again.resp.StatusCode, again.status(t), again.alert(t))
	}
	second, _ := s.box.code(t)
	if first != second {
		if r := b.submit(again, url.Values{"code": {first}}); r.resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("replaced code accepted: %d", r.resp.StatusCode)
		}
	}
	wantCallback(t, b, b.submit(again, url.Values{"code": {second}}))
}

func TestConfirmCodeErrors(t *testing.T) {
	s := newStack(t, withPool(verifiedEmailPool))
	b := newBrowser(t)
	r := b.submit(s.signUpPage(t, b), url.Values{"username": {"eve"}, "email": {"eve@example.com"}, "given_name": {"Eve"}, "password": {testPassword}})
	code, _ := s.box.code(t)
	loc, _ := r.resp.Location()
	confirm := b.get(loc.String())
	t.Run("expired", func(t *testing.T) {
		s.clock.Add(directory.SignUpCodeLifetime)
		// The parked request expired too: a fresh one, back on this page
		// (which no longer knows the username).
		confirm = b.follow(loc.String())
		if !strings.HasSuffix(confirm.url.Path, "/confirmUser") || confirm.form(t, 0).inputs["username"] == nil {
			t.Fatalf("after the request expired: %s", confirm.url)
		}
		got := b.submit(confirm, url.Values{"username": {"eve"}, "code": {code}})
		if got.resp.StatusCode != http.StatusBadRequest || got.alert(t) != "That code has expired. Ask for a new code below." {
			t.Fatalf("status %d alert %q", got.resp.StatusCode, got.alert(t))
		}
		confirm = got
	})
	t.Run("too many wrong codes", func(t *testing.T) {
		s.clock.Add(time.Minute)
		resend := confirm.form(t, 1)
		form := resend.hidden
		form.Set("resend", "1")
		confirm = b.post(resend.action, form)
		code, _ := s.box.code(t)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		var got *page
		for range directory.MaxCodeAttempts {
			got = b.submit(confirm, url.Values{"username": {"eve"}, "code": {wrong}})
		}
		if got.alert(t) != "Too many wrong codes. Ask for a new code below." {
			t.Fatalf("alert %q", got.alert(t))
		}
		if got = b.submit(confirm, url.Values{"username": {"eve"}, "code": {code}}); got.resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("right code after the limit: %d", got.resp.StatusCode)
		}
	})
	t.Run("already confirmed", func(t *testing.T) {
		s.user(t, "done", map[string]string{"email": "done@example.com", "given_name": "D"})
		got := b.submit(confirm, url.Values{"username": {"done"}, "code": {"123456"}})
		if loc, _ := got.resp.Location(); got.resp.StatusCode != http.StatusSeeOther || loc.Query().Get("notice") != "confirmed" {
			t.Fatalf("status %d location %v", got.resp.StatusCode, loc)
		}
	})
}

func TestSignUpRefusals(t *testing.T) {
	t.Run("username taken", func(t *testing.T) {
		s := newStack(t, withPool(verifiedEmailPool))
		s.user(t, "taken", map[string]string{"email": "t@example.com", "given_name": "T"})
		b := newBrowser(t)
		r := b.submit(s.signUpPage(t, b), url.Values{"username": {"taken"}, "email": {"x@example.com"}, "given_name": {"X"}, "password": {testPassword}})
		if r.resp.StatusCode != http.StatusBadRequest || textOf(byID(r.doc(t), "username-error")) != "An account with this username already exists." {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
	})
	t.Run("only administrators create users", func(t *testing.T) {
		s := newStack(t, withPool(func(p *storage.Pool) { p.AllowAdminCreateUserOnly = true }))
		b := newBrowser(t)
		login := s.loginPage(t, b, nil)
		r := b.get(s.issuer() + "/signup?" + login.url.RawQuery)
		if r.resp.StatusCode != http.StatusForbidden || r.alert(t) != "New accounts can only be created by an administrator." {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
	})
	t.Run("no verified attribute: an administrator confirms", func(t *testing.T) {
		s := newStack(t)
		b := newBrowser(t)
		r := b.submit(s.signUpPage(t, b), url.Values{"username": {"quiet"}, "password": {testPassword}})
		if r.resp.StatusCode != http.StatusOK || !strings.Contains(r.status(t), "An administrator must confirm it") {
			t.Fatalf("status %d status %q alert %q", r.resp.StatusCode, r.status(t), r.alert(t))
		}
		s.box.none(t)
	})
	t.Run("rate limited", func(t *testing.T) {
		s := newStack(t, withPool(verifiedEmailPool), withUI(func(c *ui.Config) {
			c.Limits = &ui.Limits{CodesPerIP: ui.Limit{Burst: 1, Every: time.Hour}}
		}))
		b := newBrowser(t)
		p := s.signUpPage(t, b)
		b.submit(p, url.Values{"username": {"one"}, "email": {"one@example.com"}, "given_name": {"O"}, "password": {testPassword}})
		s.box.code(t)
		b2 := newBrowser(t)
		r := b2.submit(s.signUpPage(t, b2), url.Values{"username": {"two"}, "email": {"two@example.com"}, "given_name": {"T"}, "password": {testPassword}})
		if r.resp.StatusCode != http.StatusTooManyRequests || r.alert(t) != "Too many attempts. Please wait a few minutes and try again." {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
		s.box.none(t)
	})
}

func TestSignUpWithEmailAsUsername(t *testing.T) {
	s := newStack(t, withPool(func(p *storage.Pool) {
		p.UsernameAttributes = []string{"email"}
		p.AutoVerifiedAttributes = []string{"email"}
	}))
	b := newBrowser(t)
	p := s.signUpPage(t, b)
	f := p.form(t, 0)
	if in := f.inputs["username"]; attr(in, "type") != "email" || attr(in, "autocomplete") != "username" || f.inputs["email"] != nil {
		t.Fatalf("inputs %v", f.inputs)
	}
	r := b.submit(p, url.Values{"username": {"Zoe@Example.com"}, "password": {testPassword}})
	code, to := s.box.code(t)
	if to != "Zoe@Example.com" {
		t.Fatalf("to %q", to)
	}
	loc, _ := r.resp.Location()
	wantCallback(t, b, b.submit(b.get(loc.String()), url.Values{"code": {code}}))
}

// TestSignInUnconfirmed: an unconfirmed user who signs in with the right
// password gets a new code and, once confirmed, is signed in.
func TestSignInUnconfirmed(t *testing.T) {
	s := newStack(t, withPool(verifiedEmailPool))
	if _, err := s.dir.CreateUser(context.Background(), s.pool, directory.NewUser{Username: "uma", Password: testPassword,
		Status: storage.StatusUnconfirmed, Attributes: map[string]string{"email": "uma@example.com", "given_name": "Uma"}}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	login := s.loginPage(t, b, nil)
	if r := b.submit(login, url.Values{"username": {"uma"}, "password": {"wrong"}}); r.alert(t) != "Incorrect username or password." {
		t.Fatalf("wrong password: %q", r.alert(t))
	}
	r := b.submit(login, url.Values{"username": {"uma"}, "password": {testPassword}})
	loc, _ := r.resp.Location()
	if r.resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc.Path, "/confirmUser") {
		t.Fatalf("status %d location %v", r.resp.StatusCode, loc)
	}
	code, _ := s.box.code(t)
	wantCallback(t, b, b.submit(b.get(loc.String()), url.Values{"code": {code}}))
}

// TestCognitoStyleLinks: /signup and /forgotPassword with Cognito's
// authorize parameters go through /oauth2/authorize (which checks them) and
// come back to the same page; a bad redirect_uri is an error page there.
func TestCognitoStyleLinks(t *testing.T) {
	s := newStack(t, withPool(verifiedEmailPool))
	for _, page := range []string{"signup", "forgotPassword"} {
		b := newBrowser(t)
		q := url.Values{"client_id": {s.client.ID}, "response_type": {"code"}, "redirect_uri": {s.callback}, "state": {"state-0003"},
			"code_challenge": {strings.Repeat("e", 43)}, "code_challenge_method": {"S256"}, "lang": {"fr"}}
		p := b.follow(s.issuer() + "/" + page + "?" + q.Encode())
		if p.resp.StatusCode != http.StatusOK || !strings.HasSuffix(p.url.Path, "/"+page) || p.url.Query().Get("auth_request") == "" ||
			p.url.Query().Get("lang") != "fr" || !strings.Contains(p.body, `<html lang="fr"`) {
			t.Fatalf("%s: status %d at %s", page, p.resp.StatusCode, p.url)
		}
		q.Set("redirect_uri", "https://evil.example/cb")
		bad := b.follow(s.issuer() + "/" + page + "?" + q.Encode())
		if bad.resp.StatusCode != http.StatusBadRequest || bad.alert(t) == "" {
			t.Fatalf("%s with a bad redirect_uri: status %d at %s", page, bad.resp.StatusCode, bad.url)
		}
	}
}
