package notify_test

import (
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/notify"
)

func TestRender(t *testing.T) {
	all := map[string]string{notify.VarCode: "123456", notify.VarUsername: "ana", notify.VarLink: "https://auth.example.com/confirmUser?client_id=c&code=1"}
	tests := []struct {
		name, tmpl string
		vars       map[string]string
		text, html string
	}{
		{"code", "Your verification code is {####}. ", all,
			"Your verification code is 123456. ", "Your verification code is 123456. "},
		{"invitation", "Your username is {username} and temporary password is {####}. ",
			map[string]string{notify.VarUsername: "a<b>&c", notify.VarCode: `p"w'<x>`},
			`Your username is a<b>&c and temporary password is p"w'<x>. `,
			`Your username is a&lt;b&gt;&amp;c and temporary password is p&#34;w&#39;&lt;x&gt;. `},
		{"link", "Please click the link below to verify your email address. {##Verify Email##} ", all,
			"Please click the link below to verify your email address. Verify Email <https://auth.example.com/confirmUser?client_id=c&code=1> ",
			`Please click the link below to verify your email address. <a href="https://auth.example.com/confirmUser?client_id=c&amp;code=1">Verify Email</a> `},
		{"link label with spaces and punctuation", "{##Click here, please!##}", all,
			"Click here, please! <https://auth.example.com/confirmUser?client_id=c&code=1>",
			`<a href="https://auth.example.com/confirmUser?client_id=c&amp;code=1">Click here, please!</a>`},
		{"javascript link is not linked", "{##Go##}", map[string]string{notify.VarLink: "javascript:alert(1)"},
			"Go <javascript:alert(1)>", "Go"},
		{"link without its variable stays", "{##Verify Email##}", map[string]string{notify.VarCode: "1"},
			"{##Verify Email##}", "{##Verify Email##}"},
		{"unclosed link", "{##Verify Email", all, "{##Verify Email", "{##Verify Email"},
		{"code without its variable stays", "code {####}", nil, "code {####}", "code {####}"},
		{"code is not a link even with only a link variable", "{####}", map[string]string{notify.VarLink: "https://x.example/"},
			"{####}", "{####}"},
		{"repeated", "{####}{####} {username}{username}", all, "123456123456 anaana", "123456123456 anaana"},
		{"values are not searched again", "{username} {####}",
			map[string]string{notify.VarUsername: "{####}", notify.VarCode: "{username}"},
			"{####} {username}", "{####} {username}"},
		{"near misses", "{### } {#####} {UserName} {username { {##a}##} {##a\nb##}", map[string]string{notify.VarCode: "1", notify.VarUsername: "u"},
			"{### } {#####} {UserName} {username { {##a}##} {##a\nb##}", "{### } {#####} {UserName} {username { {##a}##} {##a\nb##}"},
		{"link near misses", "{### } {##a}##} {##a\nb##} {##{##x##}", all,
			"{### } {##a}##} {##a\nb##} {##x <" + all[notify.VarLink] + ">",
			`{### } {##a}##} {##a` + "\n" + `b##} {##<a href="https://auth.example.com/confirmUser?client_id=c&amp;code=1">x</a>`},
		{"shortest labels", "{#####}{####", all, "# <" + all[notify.VarLink] + ">{####", `<a href="https://auth.example.com/confirmUser?client_id=c&amp;code=1">#</a>{####`},
		{"brace soup", "{{####}}{", all, "{123456}{", "{123456}{"},
		{"unicode", "Código: {####} ✓ — {username}", map[string]string{notify.VarCode: "٣٤٥", notify.VarUsername: "Zoë"},
			"Código: ٣٤٥ ✓ — Zoë", "Código: ٣٤٥ ✓ — Zoë"},
		{"empty", "", all, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := notify.Render(tt.tmpl, tt.vars); got != tt.text {
				t.Errorf("Render = %q\n           want %q", got, tt.text)
			}
			if got := notify.RenderHTML(tt.tmpl, tt.vars); got != tt.html {
				t.Errorf("RenderHTML = %q\n               want %q", got, tt.html)
			}
		})
	}
}

// Cognito's default texts, word for word.
func TestDefaultsAreCognitos(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"verification subject", notify.VerificationCode.Subject, "Your verification code"},
		{"verification", notify.VerificationCode.Text, "Your verification code is {####}. "},
		{"link subject", notify.VerificationLink.Subject, "Your verification link"},
		{"link", notify.VerificationLink.Text, "Please click the link below to verify your email address. {##Verify Email##} "},
		{"invitation subject", notify.Invitation.Subject, "Your temporary password"},
		{"invitation", notify.Invitation.Text, "Your username is {username} and temporary password is {####}. "},
		{"forgot password", notify.ForgotPassword.Text, "Your verification code is {####}. "},
		{"SMS verification", notify.SMSVerification, "Your verification code is {####}. "},
		{"SMS invitation", notify.SMSInvitation, "Your username is {username} and temporary password is {####}. "},
		{"SMS authentication", notify.SMSAuthentication, "Your authentication code is {####}. "},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestTemplateMail(t *testing.T) {
	vars := map[string]string{notify.VarCode: "{####}<b>", notify.VarUsername: "ana"}
	m := notify.Template{Subject: "Code {####} for {username}", Text: "{####}", HTML: "<p>{####}</p>"}.Mail("ana@example.com", vars)
	if m.To != "ana@example.com" {
		t.Errorf("To = %q", m.To)
	}
	if m.Subject != "Code {####} for {username}" {
		t.Errorf("Subject = %q: placeholders in subjects are not filled (subjects are logged)", m.Subject)
	}
	if m.Text != "{####}<b>" {
		t.Errorf("Text = %q", m.Text)
	}
	for _, want := range []string{"<!DOCTYPE html>", `<html lang="en">`, `<meta charset="utf-8">`,
		"<title>Code {####} for {username}</title>", "<p>{####}&lt;b&gt;</p>"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, m.HTML)
		}
	}

	// A template that is already a document is not wrapped again.
	doc := notify.Template{Subject: "s", HTML: "<!doctype html><html><body>{####}</body></html>"}.Mail("a@example.com", vars)
	if doc.HTML != "<!doctype html><html><body>{####}&lt;b&gt;</body></html>" || doc.Text != "" {
		t.Errorf("document: %+v", doc)
	}

	for name, tmpl := range map[string]notify.Template{"verification": notify.VerificationCode, "invitation": notify.Invitation, "link": notify.VerificationLink} {
		m := tmpl.Mail("a@example.com", map[string]string{notify.VarCode: "123456", notify.VarUsername: "ana", notify.VarLink: "https://x.example/c"})
		if m.Text == "" || m.HTML == "" || strings.Contains(m.Text+m.HTML, "{#") || strings.Contains(m.Text+m.HTML, "{username}") {
			t.Errorf("%s: %+v", name, m)
		}
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"alice@example.com", "a***@e***.com"},
		{"a@b.c", "a***@b***.c"},
		{"bob.smith+tag@mail.example.co.uk", "b***@m***.uk"},
		{"Zoë@bücher.de", "Z***@b***.de"},
		{"émile@example.org", "é***@e***.org"},
		{"root@localhost", "r***@l***"},
		{"@example.com", "***@e***.com"},
		{"ana@", "a***@***"},
		{"+15555550008", "+*******0008"},
		{"+447700900123", "+********0123"},
		{"+12345", "+*2345"},
		{"+1234", "+****"},
		{"+1", "+*"},
		{"5555550008", "***"},
		{"+1-555-555", "***"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := notify.Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
