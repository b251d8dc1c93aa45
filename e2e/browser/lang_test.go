package browser

import (
	"testing"
)

// TestLanguages: lang picks the language, and it is kept through the flow
// (here: to the sign-up page and back after an error).
func TestLanguages(t *testing.T) {
	e := newEnv(t)
	e.user("gina", "gina@example.com")
	cases := []struct {
		lang, heading, signup, wrong string
	}{
		{"de", "Anmelden", "Konto erstellen", "Benutzername oder Passwort ist falsch."},
		{"ja", "サインイン", "アカウントの作成", "ユーザー名またはパスワードが正しくありません。"},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			ctx := tab(t)
			open(t, ctx, e.signInURL(e.client, map[string][]string{"lang": {c.lang}}))
			if h := text(t, ctx, "h1"); h != c.heading {
				t.Fatalf("heading %q, want %q", h, c.heading)
			}
			if l := eval[string](t, ctx, `document.documentElement.lang`); l != c.lang {
				t.Fatalf("html lang %q", l)
			}
			shot(t, ctx, "lang-"+c.lang)
			fill(t, ctx, map[string]string{"username": "gina", "password": "nope"}, "username", "password")
			submit(t, ctx)
			if msg := text(t, ctx, `[role="alert"]`); msg != c.wrong {
				t.Fatalf("alert %q, want %q", msg, c.wrong)
			}
			click(t, ctx, `[data-testid="signup-link"]`)
			if h := text(t, ctx, "h1"); h != c.signup {
				t.Fatalf("sign-up heading %q, want %q", h, c.signup)
			}
		})
	}
	t.Run("Accept-Language", func(t *testing.T) {
		ctx := tab(t)
		do(t, ctx, "set Accept-Language", setAcceptLanguage("fr-FR,fr;q=0.9"))
		open(t, ctx, e.signInURL(e.client, nil))
		if h := text(t, ctx, "h1"); h != "Connexion" {
			t.Fatalf("heading %q", h)
		}
	})
}
