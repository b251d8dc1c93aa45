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

// forgotPage walks from the sign-in page's link to the reset page.
func (s *stack) forgotPage(t *testing.T, b *browser) *page {
	t.Helper()
	login := s.loginPage(t, b, nil)
	p := b.get(s.issuer() + "/forgotPassword?" + login.url.RawQuery)
	if p.resp.StatusCode != http.StatusOK || p.form(t, 0).inputs["username"] == nil {
		t.Fatalf("forgot page: status %d", p.resp.StatusCode)
	}
	return p
}

func TestForgotPassword(t *testing.T) {
	s := newStack(t)
	s.user(t, "fay", map[string]string{"email": "fay@example.com", "email_verified": "true"})
	b := newBrowser(t)
	p := s.forgotPage(t, b)
	checkAccessible(t, p)
	reset := b.submit(p, url.Values{"username": {"fay"}})
	if reset.resp.StatusCode != http.StatusOK || !strings.Contains(reset.body, "f***@e***.com") {
		t.Fatalf("status %d alert %q", reset.resp.StatusCode, reset.alert(t))
	}
	code, to := s.box.code(t)
	if to != "fay@example.com" {
		t.Fatalf("to %q", to)
	}
	f := reset.form(t, 0)
	if f.hidden.Get("username") != "fay" || attr(f.inputs["code"], "autocomplete") != "one-time-code" || attr(f.inputs["password"], "autocomplete") != "new-password" {
		t.Fatalf("reset form %v", f)
	}
	checkAccessible(t, reset)

	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	cases := []struct {
		name, code, password, alert, fieldErr string
	}{
		{"wrong code", wrong, "New-Passw0rd!", "That code is not right. Check the message we sent and try again.", "code-error"},
		{"weak password", code, "weakling", "This password does not meet the rules below.", "password-error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := b.submit(reset, url.Values{"code": {c.code}, "password": {c.password}})
			if r.resp.StatusCode != http.StatusBadRequest || r.alert(t) != c.alert || byID(r.doc(t), c.fieldErr) == nil {
				t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
			}
			checkAccessible(t, r)
		})
	}
	done := b.submit(reset, url.Values{"code": {code}, "password": {"New-Passw0rd!"}})
	loc, _ := done.resp.Location()
	if done.resp.StatusCode != http.StatusSeeOther || loc.Query().Get("notice") != "password_reset" {
		t.Fatalf("status %d location %v", done.resp.StatusCode, loc)
	}
	login := b.get(loc.String())
	if login.status(t) != "Your password was changed. Sign in with your new password." {
		t.Fatalf("notice %q", login.status(t))
	}
	wantCallback(t, b, b.submit(login, url.Values{"username": {"fay"}, "password": {"New-Passw0rd!"}}))

}

func TestForgotPasswordExpiredCode(t *testing.T) {
	s := newStack(t)
	s.user(t, "gil", map[string]string{"email": "gil@example.com", "email_verified": "true"})
	b := newBrowser(t)
	p := s.forgotPage(t, b)
	b.submit(p, url.Values{"username": {"gil"}})
	code, _ := s.box.code(t)
	// An hour later the code is dead (on a page of a fresh flow: the
	// parked request of the first one has expired as well).
	s.clock.Add(directory.ForgotPasswordCodeLifetime - time.Minute)
	b2 := newBrowser(t)
	fresh := s.forgotPage(t, b2)
	s.clock.Add(time.Minute)
	f := fresh.form(t, 0)
	form := f.hidden
	form.Set("step", "reset")
	form.Set("username", "gil")
	form.Set("code", code)
	form.Set("password", "Other-Passw0rd!")
	r := b2.post(f.action, form)
	if r.resp.StatusCode != http.StatusBadRequest || r.alert(t) != "That code has expired. Ask for a new code below." {
		t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
	}
}

// TestForgotPasswordExistence: whether an unknown user is told so follows
// the client's PreventUserExistenceErrors.
func TestForgotPasswordExistence(t *testing.T) {
	t.Run("ENABLED: unknown and known read alike", func(t *testing.T) {
		s := newStack(t, withClient(func(c *storage.Client) { c.PreventUserExistenceErrors = "ENABLED" }))
		s.user(t, "kai", map[string]string{"email": "kai@example.com", "email_verified": "true"})
		shape := func(name string) (int, string, []string) {
			b := newBrowser(t)
			r := b.submit(s.forgotPage(t, b), url.Values{"username": {name}})
			var inputs []string
			for n := range r.form(t, 0).inputs {
				inputs = append(inputs, n)
			}
			return r.resp.StatusCode, r.alert(t), inputs
		}
		ks, ka, ki := shape("kai")
		s.box.code(t)
		us, ua, ui := shape("nobody")
		if ks != us || ka != ua || len(ki) != len(ui) || ks != http.StatusOK {
			t.Fatalf("known %d %q %v, unknown %d %q %v", ks, ka, ki, us, ua, ui)
		}
		// Asked again at once, the known user is not told of the cooldown.
		ks2, ka2, _ := shape("kai")
		if ks2 != http.StatusOK || ka2 != "" {
			t.Fatalf("known again: %d %q", ks2, ka2)
		}
		// The unknown user's code step ends in a wrong code.
		b := newBrowser(t)
		reset := b.submit(s.forgotPage(t, b), url.Values{"username": {"nobody"}})
		r := b.submit(reset, url.Values{"code": {"123456"}, "password": {"New-Passw0rd!"}})
		if r.resp.StatusCode != http.StatusBadRequest || !strings.Contains(r.alert(t), "That code is not right") {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
	})
	t.Run("LEGACY: unknown users are told", func(t *testing.T) {
		s := newStack(t)
		b := newBrowser(t)
		r := b.submit(s.forgotPage(t, b), url.Values{"username": {"nobody"}})
		if r.resp.StatusCode != http.StatusBadRequest || r.alert(t) != "We could not find an account with that name." {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
		if !strings.Contains(attr(r.form(t, 0).inputs["username"], "aria-describedby"), "username-error") {
			t.Fatal("error not tied to the username field")
		}
	})
	t.Run("no verified address", func(t *testing.T) {
		s := newStack(t)
		s.user(t, "nov", map[string]string{"email": "nov@example.com"})
		b := newBrowser(t)
		r := b.submit(s.forgotPage(t, b), url.Values{"username": {"nov"}})
		if r.resp.StatusCode != http.StatusBadRequest || !strings.Contains(r.alert(t), "no verified email address") {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
	})
}

// TestSignInResetRequired: a user whose password must be reset is sent a
// code when they sign in with it, and lands on the code step.
func TestSignInResetRequired(t *testing.T) {
	s := newStack(t)
	u := s.user(t, "rex", map[string]string{"email": "rex@example.com", "email_verified": "true"})
	u.Status = storage.StatusResetRequired
	if err := s.dir.SaveUser(context.Background(), s.pool, u); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	r := b.submit(s.loginPage(t, b, nil), url.Values{"username": {"rex"}, "password": {testPassword}})
	if r.resp.StatusCode != http.StatusOK || r.status(t) != "You must reset your password before you can sign in." {
		t.Fatalf("status %d status %q alert %q", r.resp.StatusCode, r.status(t), r.alert(t))
	}
	code, _ := s.box.code(t)
	done := b.submit(r, url.Values{"code": {code}, "password": {"New-Passw0rd!"}})
	if done.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d alert %q", done.resp.StatusCode, done.alert(t))
	}
}

func TestSignInRateLimits(t *testing.T) {
	s := newStack(t, withUI(func(c *ui.Config) {
		c.Limits = &ui.Limits{SignInPerIP: ui.Limit{Burst: 6, Every: time.Minute}, SignInPerUser: ui.Limit{Burst: 3, Every: time.Minute}}
	}))
	s.user(t, "lee", nil)
	s.user(t, "max", nil)
	b := newBrowser(t)
	p := s.loginPage(t, b, nil)
	for range 3 {
		if r := b.submit(p, url.Values{"username": {"lee"}, "password": {"wrong"}}); r.resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d", r.resp.StatusCode)
		}
	}
	// Per user: lee is refused, even with the right password...
	r := b.submit(p, url.Values{"username": {"LEE"}, "password": {testPassword}})
	if r.resp.StatusCode != http.StatusTooManyRequests || r.alert(t) != "Too many failed attempts. Wait a moment and try again." {
		t.Fatalf("per user: status %d alert %q", r.resp.StatusCode, r.alert(t))
	}
	// ...max is not, until the address's budget is spent.
	r = b.submit(p, url.Values{"username": {"max"}, "password": {"wrong"}})
	if r.resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("other user: status %d", r.resp.StatusCode)
	}
	b.submit(p, url.Values{"username": {"max"}, "password": {"wrong"}})
	r = b.submit(p, url.Values{"username": {"max"}, "password": {testPassword}})
	if r.resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("per IP: status %d", r.resp.StatusCode)
	}
	// Buckets refill with time.
	s.clock.Add(time.Minute)
	wantCallback(t, b, b.submit(p, url.Values{"username": {"max"}, "password": {testPassword}}))
}
