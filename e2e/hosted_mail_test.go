package e2e

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
)

// TestDevOutboxHoldsSignUpCode: with --dev and no SMTP URL, the sign-up
// code lands in /_dev/mail, and confirming with it signs the new user in
// to the demo client's callback. Without --dev there is no outbox.
func TestDevOutboxHoldsSignUpCode(t *testing.T) {
	ts := newTestServer(t, func(c *server.Config) { c.Dev = true })
	b := newBrowser(t)
	resp, _ := b.get(ts.URL + "/demo/login")
	signup, _ := resp.Request.URL.Parse(strings.Replace(resp.Request.URL.String(), "/login?", "/signup?", 1))
	resp, page := b.get(signup.String())
	c := csrfRe.FindStringSubmatch(page)
	a := actionRe.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || c == nil || a == nil {
		t.Fatalf("sign-up page: %d %.300s", resp.StatusCode, page)
	}
	action, _ := resp.Request.URL.Parse(strings.ReplaceAll(a[1], "&amp;", "&"))
	resp, page = b.postForm(action.String(), url.Values{c[1]: {c[2]}, "username": {"olga"}, "email": {"olga@example.com"},
		"password": {"Olgas-Passw0rd!"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/confirmUser") {
		t.Fatalf("sign-up: %d at %s: %.300s", resp.StatusCode, resp.Request.URL, page)
	}

	out, body := b.get(ts.URL + "/_dev/mail?format=json")
	var box struct {
		Messages []struct{ To, Subject, Text string }
	}
	if out.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &box) != nil || len(box.Messages) != 1 ||
		!strings.Contains(box.Messages[0].To, "olga@example.com") {
		t.Fatalf("outbox: %d %s", out.StatusCode, body)
	}
	code := regexp.MustCompile(`[0-9]{6}`).FindString(box.Messages[0].Text)
	c = csrfRe.FindStringSubmatch(page)
	a = actionRe.FindStringSubmatch(page)
	confirm, _ := resp.Request.URL.Parse(strings.ReplaceAll(a[1], "&amp;", "&"))
	resp, page = b.postForm(confirm.String(), url.Values{c[1]: {c[2]}, "username": {"olga"}, "code": {code}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/callback") || !strings.Contains(html.UnescapeString(page), `"cognito:username": "olga"`) {
		t.Fatalf("confirm: %d at %s: %.300s", resp.StatusCode, resp.Request.URL, page)
	}

	plain := newTestServer(t)
	// (405: the Cognito API's POST / takes every path.)
	if r, _ := newBrowser(t).get(plain.URL + "/_dev/mail"); r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("outbox without --dev: %d", r.StatusCode)
	}
}

// TestSignUpMailOverSMTP: GATEHOUSE_SMTP_URL's server gets the code.
func TestSignUpMailOverSMTP(t *testing.T) {
	sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
	ts := newTestServer(t, func(c *server.Config) {
		c.Dev = true
		c.SMTPURL = sink.URL()
		c.MailFrom = "Gatehouse <auth@example.test>"
	})
	b := newBrowser(t)
	resp, _ := b.get(ts.URL + "/demo/login")
	signup := strings.Replace(resp.Request.URL.String(), "/login?", "/signup?", 1)
	resp, page := b.get(signup)
	c := csrfRe.FindStringSubmatch(page)
	a := actionRe.FindStringSubmatch(page)
	action, _ := resp.Request.URL.Parse(strings.ReplaceAll(a[1], "&amp;", "&"))
	b.postForm(action.String(), url.Values{c[1]: {c[2]}, "username": {"pia"}, "email": {"pia@example.com"}, "password": {"Pias-Passw0rd!"}})
	msg, err := sink.Wait(t.Context(), notifytest.To("pia@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if notifytest.Code(msg) == "" || msg.From != "auth@example.test" || msg.Subject != "Your verification code" {
		t.Fatalf("mail from %q subject %q: %q", msg.From, msg.Subject, msg.Text)
	}
	if r, body := b.get(ts.URL + "/_dev/mail?format=json"); r.StatusCode != http.StatusOK || strings.Contains(body, "pia@example.com") {
		t.Fatalf("a delivered mail is in the outbox too: %s", body)
	}
}

// TestPoolMailTemplateFromConfig: a pool's verification template, set in
// the config file, is what the hosted UI's sign-up sends: its subject, a
// text and an HTML part, the code in both.
func TestPoolMailTemplateFromConfig(t *testing.T) {
	sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
	cfgFile := filepath.Join(t.TempDir(), "gatehouse.yaml")
	if err := os.WriteFile(cfgFile, []byte(`pools:
  - name: mail
    id: us-east-1_MailTmpl1
    auto_verified_attributes: [email]
    schema: [{name: email, required: true}]
    verification_message_template:
      email_subject: Your Acme code
      email_message: |
        <p>Welcome to <b>Acme</b>.</p>
        <p>Your code is <strong>{####}</strong>.</p>
    clients:
      - name: web
        id: mailtemplateclient
        generate_secret: true
        callback_urls: [http://127.0.0.1:9999/callback]
        allowed_oauth_flows: [code]
        allowed_oauth_scopes: [openid, email]
        allowed_oauth_flows_user_pool_client: true
        supported_identity_providers: [COGNITO]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, func(c *server.Config) {
		c.ConfigFile = cfgFile
		c.SMTPURL = sink.URL()
	})
	b := newBrowser(t)
	q := url.Values{"client_id": {"mailtemplateclient"}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:9999/callback"},
		"scope": {"openid email"}, "state": {"mail-template-state"}}
	resp, page := b.get(ts.URL + "/us-east-1_MailTmpl1/signup?" + q.Encode())
	c := csrfRe.FindStringSubmatch(page)
	a := actionRe.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || c == nil || a == nil {
		t.Fatalf("sign-up page: %d %s %.300s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	action, _ := resp.Request.URL.Parse(strings.ReplaceAll(a[1], "&amp;", "&"))
	resp, page = b.postForm(action.String(), url.Values{c[1]: {c[2]}, "username": {"quinn"}, "email": {"quinn@example.com"},
		"password": {"Quinns-Passw0rd!"}})
	if !strings.Contains(resp.Request.URL.Path, "/confirmUser") {
		t.Fatalf("sign-up: %d at %s: %.300s", resp.StatusCode, resp.Request.URL, page)
	}
	msg, err := sink.Wait(t.Context(), notifytest.To("quinn@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	code := notifytest.Code(msg)
	if msg.Subject != "Your Acme code" || !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/alternative") || code == "" {
		t.Fatalf("mail %q %q: %q", msg.Subject, msg.Header.Get("Content-Type"), msg.Text)
	}
	if want := "Welcome to Acme.\n\nYour code is " + code + "."; strings.TrimSpace(msg.Text) != want {
		t.Errorf("text part %q, want %q", msg.Text, want)
	}
	if !strings.Contains(msg.HTML, "<p>Your code is <strong>"+code+"</strong>.</p>") {
		t.Errorf("HTML part %q", msg.HTML)
	}
}
