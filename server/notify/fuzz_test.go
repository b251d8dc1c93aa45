package notify_test

import (
	"html"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/server/notify"
)

// FuzzRender checks Render against a plain oracle: with code and username
// set and no link variable, it is strings.Replacer over the two placeholders
// (one pass, values never searched again); RenderHTML is the same with the
// values escaped. With a link variable, text outside placeholders survives
// and nothing panics or grows without bound.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"Your verification code is {####}. ",
		"Your username is {username} and temporary password is {####}. ",
		"Please click the link below to verify your email address. {##Verify Email##} ",
		"{##{####}##}", "{######}", "{##}", "{##a##}{##b", "{{username}}", "{", "##}", "{##{##{##x##}",
	} {
		f.Add(s, "123456", "ana<&>", "https://auth.example.com/confirmUser?a=1&b=2")
	}
	f.Add("{username}", "{username}", "{####}", "{##x##}")
	f.Fuzz(func(t *testing.T, tmpl, code, user, link string) {
		vars := map[string]string{notify.VarCode: code, notify.VarUsername: user}
		want := strings.NewReplacer("{####}", code, "{username}", user).Replace(tmpl)
		if got := notify.Render(tmpl, vars); got != want {
			t.Fatalf("Render(%q) = %q, want %q", tmpl, got, want)
		}
		wantHTML := strings.NewReplacer("{####}", html.EscapeString(code), "{username}", html.EscapeString(user)).Replace(tmpl)
		if got := notify.RenderHTML(tmpl, vars); got != wantHTML {
			t.Fatalf("RenderHTML(%q) = %q, want %q", tmpl, got, wantHTML)
		}
		if got := notify.Render(tmpl, nil); got != tmpl {
			t.Fatalf("Render(%q, nil) = %q", tmpl, got)
		}

		vars[notify.VarLink] = link
		text := notify.Render(tmpl, vars)
		h := notify.RenderHTML(tmpl, vars)
		if !strings.Contains(tmpl, "{") && (text != tmpl || h != tmpl) {
			t.Fatalf("no placeholder, yet %q → %q / %q", tmpl, text, h)
		}
		// Each character of the template is emitted at most once, plus one
		// value per placeholder: a bound that catches re-expansion.
		n := strings.Count(tmpl, "{")
		bound := len(tmpl) + n*(len(code)*6+len(user)*6+len(link)*6+64)
		if len(text) > bound || len(h) > bound {
			t.Fatalf("output too long: %d, %d > %d", len(text), len(h), bound)
		}
		if utf8.ValidString(tmpl) && utf8.ValidString(code) && utf8.ValidString(user) && utf8.ValidString(link) &&
			(!utf8.ValidString(text) || !utf8.ValidString(h)) {
			t.Fatalf("valid UTF-8 in, invalid out: %q / %q", text, h)
		}
	})
}
