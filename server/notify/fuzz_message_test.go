package notify_test

import (
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/notify"
)

// FuzzWithMessage: any message a pool's administrator writes gives a mail
// with both parts, without a panic; a {####} in a message's own text (one
// without tags or entities, where nothing can hide it) reaches both parts,
// and the text part of an HTML message holds no tag of it.
func FuzzWithMessage(f *testing.F) {
	for _, s := range []string{
		"Your code is {####}.", "<p>Your code is <b>{####}</b>.</p>", "a < b {####}", "Tom & Jerry {####}",
		"<script>x{####}</script>{####}", "<a href=\"https://x.example/?c={####}\">go</a>", "<p>unclosed <b>{####}",
		"line one\r\nline two\n\n{####}", "<br><br><br>{####}<br/>", "&#0;&bogus;{####}", "<!-- {####} -->",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		tmpl := notify.VerificationCode.WithMessage("", msg)
		if strings.TrimSpace(msg) == "" {
			return
		}
		if tmpl.HTML == "" || (tmpl.Text == "" && strings.TrimSpace(msg) != "" && !strings.ContainsAny(msg, "<&")) {
			t.Fatalf("WithMessage(%q) = %+v", msg, tmpl)
		}
		if !strings.ContainsAny(msg, "<&") && strings.Contains(msg, "{####}") &&
			(!strings.Contains(tmpl.Text, "{####}") || !strings.Contains(tmpl.HTML, "{####}")) {
			t.Fatalf("the code placeholder is lost: %+v", tmpl)
		}
		if strings.Contains(msg, "<p>") && strings.Contains(tmpl.Text, "<p>") {
			t.Fatalf("a tag in the text part: %q", tmpl.Text)
		}
	})
}
