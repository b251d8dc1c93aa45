package browser

import (
	"slices"
	"strings"
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
		{"ko", "로그인", "계정 만들기", "사용자 이름 또는 비밀번호가 올바르지 않습니다."},
		{"zh-CN", "登录", "创建账户", "用户名或密码不正确。"},
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
			// Last: the DOM domain this enables stops chromedp from finding
			// nodes afterwards.
			fonts := platformFonts(t, ctx, "h1")
			t.Logf("%s heading drawn with %v", c.lang, fonts)
			if c.lang != "de" {
				// Without a CJK font Chromium draws boxes; .ci/run
				// installs fonts-noto-cjk.
				if !slices.ContainsFunc(fonts, func(f string) bool { return strings.Contains(f, "CJK") }) {
					t.Fatalf("the heading is drawn with %v, no CJK font (apt-get install fonts-noto-cjk)", fonts)
				}
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
