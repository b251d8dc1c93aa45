package ui

import (
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"
)

// TestCatalogs keeps translators honest: every language has every English
// key, with the same placeholders, and nothing else.
func TestCatalogs(t *testing.T) {
	want := []string{"en", "de", "es", "fr", "pt-BR", "ja", "ko", "zh-CN"}
	for _, tag := range want {
		if byTag[tag] == nil {
			t.Errorf("no catalog for %s", tag)
		}
	}
	ph := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, l := range locales {
		if l.Name == "" {
			t.Errorf("%s: language.name is empty", l.Tag)
		}
		for key, en := range english.msgs {
			msg, ok := l.msgs[key]
			if !ok || msg == "" {
				t.Errorf("%s: missing %q", l.Tag, key)
				continue
			}
			a, b := ph.FindAllString(en, -1), ph.FindAllString(msg, -1)
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Errorf("%s: %q has placeholders %v, English has %v", l.Tag, key, b, a)
			}
		}
		for key := range l.msgs {
			if _, ok := english.msgs[key]; !ok {
				t.Errorf("%s: %q is not an English key", l.Tag, key)
			}
		}
	}
}

func TestNegotiate(t *testing.T) {
	cases := []struct {
		name, query, accept, want string
	}{
		{"default", "", "", "en"},
		{"lang parameter", "lang=de", "", "de"},
		{"lang wins over Accept-Language", "lang=fr", "ja,en;q=0.5", "fr"},
		{"lang any case", "lang=PT-br", "", "pt-BR"},
		{"lang without region", "lang=pt", "", "pt-BR"},
		{"lang script subtag", "lang=zh-Hans", "", "zh-CN"},
		{"lang region variant", "lang=es-MX", "", "es"},
		{"unknown lang falls back to the header", "lang=xx", "ko", "ko"},
		{"Accept-Language", "", "ja-JP,ja;q=0.9,en;q=0.5", "ja"},
		{"Accept-Language order", "", "sv,de;q=0.8,en;q=0.5", "de"},
		{"Accept-Language nothing close", "", "sv", "en"},
		{"Accept-Language garbage", "", ";;;", "en"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/p/login?"+c.query, nil)
			if c.accept != "" {
				r.Header.Set("Accept-Language", c.accept)
			}
			if got := negotiate(r).Tag; got != c.want {
				t.Fatalf("negotiate = %s, want %s", got, c.want)
			}
		})
	}
}

func TestT(t *testing.T) {
	de := byTag["de"]
	if got := de.T("login.lead", "app", "Shop"); got != "Melden Sie sich an, um mit Shop fortzufahren." {
		t.Fatalf("placeholder: %q", got)
	}
	if got := de.T("login.lead"); got != "Melden Sie sich an, um mit {app} fortzufahren." {
		t.Fatalf("no args: %q", got)
	}
	if got := de.T("no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key: %q", got)
	}
	if got := de.T("password.rule.length", "min", 12); got != "Mindestens 12 Zeichen" {
		t.Fatalf("number placeholder: %q", got)
	}
	// A value that looks like a placeholder is not filled again.
	if got := english.T("login.lead", "app", "{app}"); got != "Sign in to continue to {app}." {
		t.Fatalf("value re-filled: %q", got)
	}
}
