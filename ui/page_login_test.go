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
)

func TestSignIn(t *testing.T) {
	s := newStack(t)
	s.user(t, "alice", map[string]string{"email": "alice@example.com"})
	b := newBrowser(t)
	p := s.loginPage(t, b, nil)
	f := p.form(t, 0)
	for _, name := range []string{"username", "password"} {
		if f.inputs[name] == nil {
			t.Fatalf("no %s input", name)
		}
	}
	if ac := attr(f.inputs["username"], "autocomplete"); ac != "username" {
		t.Errorf("username autocomplete %q", ac)
	}
	if ac := attr(f.inputs["password"], "autocomplete"); ac != "current-password" {
		t.Errorf("password autocomplete %q", ac)
	}
	if f.hidden.Get("_csrf") == "" {
		t.Fatal("no CSRF field")
	}
	q := wantCallback(t, b, b.submit(p, url.Values{"username": {"alice"}, "password": {testPassword}}))
	if q.Get("state") != "state-0001" {
		t.Fatalf("state %q", q.Get("state"))
	}
}

func TestSignInErrors(t *testing.T) {
	s := newStack(t)
	s.user(t, "alice", nil)
	disabled := s.user(t, "dora", nil)
	disabled.Enabled = false
	if err := s.dir.SaveUser(context.Background(), s.pool, disabled); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	p := s.loginPage(t, b, nil)
	cases := []struct {
		name, user, password string
		status               int
		alert                string
	}{
		{"wrong password", "alice", "nope", http.StatusBadRequest, "Incorrect username or password."},
		{"unknown user reads the same", "nobody", "nope", http.StatusBadRequest, "Incorrect username or password."},
		{"empty password", "alice", "", http.StatusBadRequest, "Some of the information is not valid. Please check it and try again."},
		{"disabled", "dora", testPassword, http.StatusBadRequest, "This account is disabled."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := b.submit(p, url.Values{"username": {c.user}, "password": {c.password}})
			if r.resp.StatusCode != c.status || r.alert(t) != c.alert {
				t.Fatalf("status %d alert %q, want %d %q", r.resp.StatusCode, r.alert(t), c.status, c.alert)
			}
			// The error is tied to both fields, and the username is kept.
			f := r.form(t, 0)
			for _, name := range []string{"username", "password"} {
				if !strings.Contains(attr(f.inputs[name], "aria-describedby"), "form-error") {
					t.Errorf("%s not described by the error", name)
				}
			}
			if attr(f.inputs["username"], "value") != c.user {
				t.Errorf("username not kept: %q", attr(f.inputs["username"], "value"))
			}
		})
	}
	t.Run("locked out after repeated failures", func(t *testing.T) {
		var r *page
		for range 7 {
			r = b.submit(p, url.Values{"username": {"alice"}, "password": {"nope"}})
		}
		if r.alert(t) != "Too many failed attempts. Wait a moment and try again." {
			t.Fatalf("alert %q", r.alert(t))
		}
	})
}

func TestSignInCSRF(t *testing.T) {
	s := newStack(t)
	s.user(t, "alice", nil)
	b := newBrowser(t)
	p := s.loginPage(t, b, nil)
	f := p.form(t, 0)
	t.Run("missing token", func(t *testing.T) {
		r := b.post(f.action, url.Values{"username": {"alice"}, "password": {testPassword}})
		if r.resp.StatusCode != http.StatusForbidden || r.alert(t) != "Your session expired. Please try again." {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
		// The page offers a fresh token that works.
		wantCallback(t, b, b.submit(r, url.Values{"username": {"alice"}, "password": {testPassword}}))
	})
	t.Run("forged token", func(t *testing.T) {
		b := newBrowser(t)
		p := s.loginPage(t, b, nil)
		bad := url.Values{"username": {"alice"}, "password": {testPassword}, "_csrf": {"AAAA" + p.form(t, 0).hidden.Get("_csrf")[4:]}}
		if r := b.post(p.form(t, 0).action, bad); r.resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", r.resp.StatusCode)
		}
	})
	t.Run("token without its cookie", func(t *testing.T) {
		p := s.loginPage(t, newBrowser(t), nil)
		f := p.form(t, 0)
		good := url.Values{"username": {"alice"}, "password": {testPassword}, "_csrf": {f.hidden.Get("_csrf")}}
		if r := newBrowser(t).post(f.action, good); r.resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", r.resp.StatusCode)
		}
	})
	t.Run("cross-origin post", func(t *testing.T) {
		b := newBrowser(t)
		p := s.loginPage(t, b, nil)
		b.header.Set("Origin", "https://evil.example")
		defer b.header.Del("Origin")
		r := b.submit(p, url.Values{"username": {"alice"}, "password": {testPassword}})
		if r.resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", r.resp.StatusCode)
		}
	})
	t.Run("same-origin post", func(t *testing.T) {
		b := newBrowser(t)
		p := s.loginPage(t, b, nil)
		b.header.Set("Origin", s.URL)
		defer b.header.Del("Origin")
		wantCallback(t, b, b.submit(p, url.Values{"username": {"alice"}, "password": {testPassword}}))
	})
}

func TestSignInFlowErrors(t *testing.T) {
	s := newStack(t)
	s.user(t, "alice", nil)
	b := newBrowser(t)
	t.Run("no parameters", func(t *testing.T) {
		r := b.get(s.issuer() + "/login")
		if r.resp.StatusCode != http.StatusBadRequest || !strings.Contains(r.alert(t), "incomplete") {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
	})
	t.Run("Cognito-style link goes through authorize", func(t *testing.T) {
		r := b.get(s.issuer() + "/login?" + url.Values{"client_id": {s.client.ID}, "response_type": {"code"}, "redirect_uri": {s.callback}}.Encode())
		loc, _ := r.resp.Location()
		if !isRedirect(r.resp) || loc.Path != "/"+s.pool.ID+"/oauth2/authorize" || loc.Query().Get("client_id") != s.client.ID {
			t.Fatalf("status %d location %v", r.resp.StatusCode, loc)
		}
	})
	t.Run("unknown request", func(t *testing.T) {
		r := b.get(s.issuer() + "/login?auth_request=nosuch&client_id=" + s.client.ID)
		if r.resp.StatusCode != http.StatusBadRequest || r.alert(t) == "" {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
	})
	t.Run("expired request is parked again on GET, refused on POST", func(t *testing.T) {
		p := s.loginPage(t, b, nil)
		s.clock.Add(16 * time.Minute)
		r := b.submit(p, url.Values{"username": {"alice"}, "password": {testPassword}})
		if r.resp.StatusCode != http.StatusBadRequest || !strings.Contains(r.alert(t), "expired") {
			t.Fatalf("POST: status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
		again := b.follow(p.url.String())
		if again.resp.StatusCode != http.StatusOK || again.url.Query().Get("auth_request") == p.url.Query().Get("auth_request") {
			t.Fatalf("GET: status %d at %s", again.resp.StatusCode, again.url)
		}
		wantCallback(t, b, b.submit(again, url.Values{"username": {"alice"}, "password": {testPassword}}))
	})
	t.Run("unknown pool", func(t *testing.T) {
		if r := b.get(s.URL + "/us-east-1_Nope12345/login"); r.resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d", r.resp.StatusCode)
		}
	})
}

func TestSignInLinks(t *testing.T) {
	t.Run("sign-up link unless admins create users", func(t *testing.T) {
		s := newStack(t)
		p := s.loginPage(t, newBrowser(t), nil)
		if !strings.Contains(p.body, `data-testid="signup-link"`) || !strings.Contains(p.body, `data-testid="forgot-link"`) {
			t.Fatal("missing sign-up or forgot-password link")
		}
		s2 := newStack(t, withPool(func(p *storage.Pool) { p.AllowAdminCreateUserOnly = true }))
		if p := s2.loginPage(t, newBrowser(t), nil); strings.Contains(p.body, `data-testid="signup-link"`) {
			t.Fatal("sign-up link shown though only admins create users")
		}
	})
	t.Run("identity provider buttons", func(t *testing.T) {
		s := newStack(t, withClient(func(c *storage.Client) { c.SupportedIdentityProviders = []string{"COGNITO", "Google", "Okta"} }))
		p := s.loginPage(t, newBrowser(t), nil)
		for _, idp := range []string{"Google", "Okta"} {
			if !strings.Contains(p.body, `data-testid="idp-`+idp+`"`) || !strings.Contains(p.body, "identity_provider="+idp) {
				t.Fatalf("no button for %s", idp)
			}
		}
		if strings.Contains(p.body, "idp-COGNITO") {
			t.Fatal("COGNITO has a button")
		}
	})
	t.Run("username field follows the pool", func(t *testing.T) {
		cases := []struct {
			edit             func(*storage.Pool)
			label, typ, mode string
		}{
			{func(p *storage.Pool) {}, "Username", "text", ""},
			{func(p *storage.Pool) { p.UsernameAttributes = []string{"email"} }, "Email address", "email", "email"},
			{func(p *storage.Pool) { p.UsernameAttributes = []string{"phone_number"} }, "Phone number", "tel", "tel"},
			{func(p *storage.Pool) { p.AliasAttributes = []string{"email"} }, "Username or email address", "text", ""},
		}
		for _, c := range cases {
			s := newStack(t, withPool(c.edit))
			p := s.loginPage(t, newBrowser(t), nil)
			in := p.form(t, 0).inputs["username"]
			label := labelFor(t, p, attr(in, "id"))
			if label != c.label || attr(in, "type") != c.typ || attr(in, "inputmode") != c.mode {
				t.Errorf("label %q type %q inputmode %q, want %q %q %q", label, attr(in, "type"), attr(in, "inputmode"), c.label, c.typ, c.mode)
			}
		}
	})
}

// labelFor is the text of the label of the input with id.
func labelFor(t *testing.T, p *page, id string) string {
	t.Helper()
	var out string
	walk(p.doc(t), func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "label" && attr(n, "for") == id {
			out = textOf(n)
		}
	})
	return out
}

func TestNewPasswordRequired(t *testing.T) {
	s := newStack(t, withPool(func(p *storage.Pool) {
		p.Schema = []storage.SchemaAttribute{{Name: "given_name", Required: true, Mutable: true}}
	}))
	ctx := context.Background()
	if _, err := s.dir.CreateUser(ctx, s.pool, directory.NewUser{Username: "bob", Password: "Temp-Passw0rd!", Temporary: true}); err == nil {
		t.Fatal("created a user without a required attribute")
	}
	// A user made before the attribute became required (here: through a
	// copy of the pool without it) lacks it; the new-password step asks.
	pool := *s.pool
	pool.Schema = directory.StandardSchema()
	if _, err := s.dir.CreateUser(ctx, &pool, directory.NewUser{Username: "bob", Password: "Temp-Passw0rd!", Temporary: true}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	p := s.loginPage(t, b, nil)
	np := b.submit(p, url.Values{"username": {"bob"}, "password": {"Temp-Passw0rd!"}})
	if np.resp.StatusCode != http.StatusOK || !strings.Contains(np.body, `data-testid="newpassword-form"`) {
		t.Fatalf("status %d: %.300s", np.resp.StatusCode, np.body)
	}
	f := np.form(t, 0)
	if ac := attr(f.inputs["password"], "autocomplete"); ac != "new-password" {
		t.Errorf("password autocomplete %q", ac)
	}
	if f.inputs["given_name"] == nil || attr(f.inputs["given_name"], "autocomplete") != "given-name" || !hasAttr(f.inputs["given_name"], "required") {
		t.Fatal("required attribute given_name not asked for")
	}
	if !strings.Contains(np.body, `data-testid="password-rules"`) {
		t.Fatal("password rules not shown")
	}

	t.Run("weak password marks the rules it breaks", func(t *testing.T) {
		r := b.submit(np, url.Values{"password": {"short"}, "given_name": {"Bob"}})
		if r.resp.StatusCode != http.StatusBadRequest || r.alert(t) != "This password does not meet the rules below." {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
		for _, rule := range []string{"length", "upper", "number", "symbol"} {
			if !strings.Contains(r.body, `data-rule="`+rule+`"`) || !failedRule(r.body, rule) {
				t.Errorf("rule %s not marked failed", rule)
			}
		}
		if failedRule(r.body, "lower") {
			t.Error("rule lower marked failed")
		}
		np = r
	})
	t.Run("missing required attribute", func(t *testing.T) {
		r := b.submit(np, url.Values{"password": {"New-Passw0rd!"}, "given_name": {""}})
		if r.resp.StatusCode != http.StatusBadRequest || byID(r.doc(t), "attr-given_name-error") == nil {
			t.Fatalf("status %d, no field error: %q", r.resp.StatusCode, r.alert(t))
		}
		if !strings.Contains(attr(r.form(t, 0).inputs["given_name"], "aria-describedby"), "attr-given_name-error") {
			t.Fatal("field error not tied to the field")
		}
		np = r
	})
	t.Run("good password signs in", func(t *testing.T) {
		wantCallback(t, b, b.submit(np, url.Values{"password": {"New-Passw0rd!"}, "given_name": {"Bob"}}))
		got, _ := s.dir.FindUser(ctx, s.pool, "bob")
		if got.Status != storage.StatusConfirmed || got.Attributes["given_name"] != "Bob" {
			t.Fatalf("user %s %v", got.Status, got.Attributes)
		}
	})
	t.Run("replayed step", func(t *testing.T) {
		r := b.submit(np, url.Values{"password": {"Other-Passw0rd!"}, "given_name": {"Bob"}})
		if r.resp.StatusCode != http.StatusBadRequest || r.alert(t) == "" {
			t.Fatalf("status %d alert %q", r.resp.StatusCode, r.alert(t))
		}
	})
}

func failedRule(body, rule string) bool {
	i := strings.Index(body, `data-rule="`+rule+`"`)
	if i < 0 {
		return false
	}
	end := strings.Index(body[i:], ">")
	return strings.Contains(body[i:i+end], "gh-fail")
}
