package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// TestConfirmByLink: in a pool whose DefaultEmailOption is
// CONFIRM_WITH_LINK, sign-up mails the pool's link message (HTML with
// the link, text with the address), and opening the link confirms the
// user and verifies the address. Opened again, it says the account is
// confirmed; a tampered link says only that it does not work.
func TestConfirmByLink(t *testing.T) {
	s := newStack(t, withPool(func(p *storage.Pool) {
		verifiedEmailPool(p)
		p.Messages = map[string]string{directory.MsgDefaultEmailOption: "CONFIRM_WITH_LINK",
			directory.MsgEmailSubjectByLink: "Verify your Acme address",
			directory.MsgEmailByLink:        "<p>Welcome {username}! Please {##verify your address##}.</p>"}
	}))
	b := newBrowser(t)
	r := b.submit(s.signUpPage(t, b), url.Values{"username": {"lia"}, "email": {"lia@example.com"}, "given_name": {"Lia"}, "password": {testPassword}})
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-up: status %d alert %q", r.resp.StatusCode, r.alert(t))
	}
	s.box.code(t)
	s.box.mu.Lock()
	m := s.box.mail[len(s.box.mail)-1]
	s.box.mu.Unlock()
	href := regexp.MustCompile(`<a href="([^"]+)">verify your address</a>`).FindStringSubmatch(m.HTML)
	if m.Subject != "Verify your Acme address" || href == nil || !strings.Contains(m.HTML, "Welcome lia!") {
		t.Fatalf("mail %q:\n%s", m.Subject, m.HTML)
	}
	link := strings.ReplaceAll(href[1], "&amp;", "&")
	if !strings.Contains(m.Text, "Please verify your address <"+link+">.") {
		t.Fatalf("text part %q, want the link %s", m.Text, link)
	}
	u, err := url.Parse(link)
	if err != nil || u.Path != "/"+s.pool.ID+"/confirmUser" || u.Query().Get("user_name") != "lia" || len(u.Query().Get("confirmation_code")) != 6 {
		t.Fatalf("link %s", link)
	}

	// A tampered code: the same page whatever is wrong, nothing confirmed.
	bad := *u
	q := u.Query()
	q.Set("confirmation_code", "000000")
	if q.Get("confirmation_code") == u.Query().Get("confirmation_code") {
		q.Set("confirmation_code", "111111")
	}
	bad.RawQuery = q.Encode()
	other := newBrowser(t)
	p := other.get(bad.String())
	if p.resp.StatusCode != http.StatusBadRequest || p.alert(t) == "" || !strings.Contains(p.body, "This link does not work") {
		t.Fatalf("tampered link: status %d alert %q", p.resp.StatusCode, p.alert(t))
	}
	checkHeaders(t, p)
	unknown := other.get(s.issuer() + "/confirmUser?user_name=nobody&confirmation_code=123456")
	if unknown.resp.StatusCode != p.resp.StatusCode || unknown.alert(t) != p.alert(t) {
		t.Fatalf("an unknown user reads differently: %d %q", unknown.resp.StatusCode, unknown.alert(t))
	}

	// The link, in another browser (the mail app's): confirmed.
	p = other.get(link)
	if p.resp.StatusCode != http.StatusOK || p.status(t) != "Thank you. You can now sign in to the app." {
		t.Fatalf("link: status %d status %q alert %q", p.resp.StatusCode, p.status(t), p.alert(t))
	}
	user, err := s.dir.FindUser(context.Background(), s.pool, "lia")
	if err != nil || user.Status != storage.StatusConfirmed || user.Attributes["email_verified"] != "true" {
		t.Fatalf("user %+v %v", user, err)
	}
	if p = other.get(link); p.resp.StatusCode != http.StatusOK || !strings.Contains(p.status(t), "already confirmed") {
		t.Fatalf("link again: status %d %q", p.resp.StatusCode, p.status(t))
	}
}
