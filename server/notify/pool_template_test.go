package notify_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/notify"
	"github.com/gatehouse-id/gatehouse/server/notify/notifytest"
)

// TestWithMessage: a pool's message, HTML or plain, becomes a mail with a
// text and an HTML part; placeholders survive the conversion.
func TestWithMessage(t *testing.T) {
	tests := []struct {
		name, subject, message string
		wantSubject            string
		wantText, wantHTML     string
	}{
		{"defaults kept", "", "", "Your verification code", notify.VerificationCode.Text, notify.VerificationCode.HTML},
		{"subject only", "Acme code", "", "Acme code", notify.VerificationCode.Text, notify.VerificationCode.HTML},
		{"plain message", "", "Hello {username},\nyour code is {####}.\n\nAcme & Co. (support)",
			"Your verification code", "Hello {username},\nyour code is {####}.\n\nAcme & Co. (support)",
			"<p>Hello {username},<br>\nyour code is {####}.</p>\n<p>Acme &amp; Co. (support)</p>"},
		{"a lone less-than is text", "", "Codes < 10 minutes old work: {####}", "Your verification code",
			"Codes < 10 minutes old work: {####}", "<p>Codes &lt; 10 minutes old work: {####}</p>"},
		{"HTML message", "Welcome", `<html><head><title>x</title><style>p{color:red}</style></head><body>
			<h1>Welcome   to  Acme</h1><p>Your code:<br><b>{####}</b></p>
			<ul><li>one</li><li>two</li></ul>
			<p>Read <a href="https://acme.example/help">our help</a> or <a href="https://acme.example/">https://acme.example/</a>.
			<img src="x.png" alt="Acme logo"> &copy; Acme &amp; Co.</p></body></html>`, "Welcome",
			"Welcome to Acme\n\nYour code:\n{####}\n\none\ntwo\n\nRead our help <https://acme.example/help> or https://acme.example/. Acme logo © Acme & Co.", ""},
		{"entity only", "", "Your code &mdash; {####}", "Your verification code", "Your code — {####}", "Your code &mdash; {####}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := notify.VerificationCode.WithMessage(tt.subject, tt.message)
			if got.Subject != tt.wantSubject {
				t.Errorf("subject %q, want %q", got.Subject, tt.wantSubject)
			}
			if got.Text != tt.wantText {
				t.Errorf("text:\n%q\nwant\n%q", got.Text, tt.wantText)
			}
			wantHTML := tt.wantHTML
			if wantHTML == "" {
				wantHTML = tt.message
			}
			if got.HTML != wantHTML {
				t.Errorf("HTML:\n%q\nwant\n%q", got.HTML, wantHTML)
			}
		})
	}
}

// TestPoolTemplateThroughSMTP: a pool's invitation reaches a real SMTP
// server as multipart/alternative, the code and user name in both parts,
// HTML-escaped in the HTML one.
func TestPoolTemplateThroughSMTP(t *testing.T) {
	sink := notifytest.NewSMTP(t, notifytest.SMTPConfig{})
	n, _ := newNotifier(t, withSink(sink))
	for i, message := range []string{
		"<p>Hi <b>{username}</b>, your temporary password is <code>{####}</code>.</p>",
		"Hi {username}, your temporary password is {####}.",
	} {
		tmpl := notify.Invitation.WithMessage("Welcome to Acme", message)
		vars := map[string]string{notify.VarUsername: "o'neil<admin>", notify.VarCode: "Tmp&<1>\"x"}
		to := fmt.Sprintf("oneil%d@example.com", i)
		if err := n.SendMail(t.Context(), tmpl.Mail(to, vars)); err != nil {
			t.Fatal(err)
		}
		m := waitMail(t, sink, to)
		if m.ParseErr != nil {
			t.Fatal(m.ParseErr)
		}
		if ct := m.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative;") {
			t.Errorf("Content-Type %q", ct)
		}
		if m.Subject != "Welcome to Acme" {
			t.Errorf("subject %q", m.Subject)
		}
		if !strings.Contains(m.Text, "Hi o'neil<admin>, your temporary password is Tmp&<1>\"x.") {
			t.Errorf("text part %q", m.Text)
		}
		if !strings.Contains(m.HTML, "o&#39;neil&lt;admin&gt;") || !strings.Contains(m.HTML, "Tmp&amp;&lt;1&gt;&#34;x") ||
			strings.Contains(m.HTML, "<admin>") || strings.Contains(m.HTML, "{####}") {
			t.Errorf("HTML part %q", m.HTML)
		}
		if notifytest.TempPassword(m) != "Tmp&<1>\"x" {
			t.Errorf("temporary password read back as %q", notifytest.TempPassword(m))
		}
	}
}
