package ui

import (
	"maps"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDefaultThemeContrast computes WCAG 2 contrast ratios of the default
// theme's colours, as the stylesheet the pages load declares them, in the
// light scheme, the dark one and the dark one that "auto" picks: text
// 4.5:1 (AA), the borders of inputs and the focus ring 3:1 (AA for user
// interface components, WCAG 2.1 SC 1.4.11).
func TestDefaultThemeContrast(t *testing.T) {
	css, err := os.ReadFile("../static/css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string]string{
		"light": `:root {`,
		"dark":  `:root[data-theme="dark"] {`,
		"auto":  "@media (prefers-color-scheme: dark) {\n  :root[data-theme=\"auto\"] {",
	}
	vars := map[string]map[string]string{}
	for scheme, opening := range blocks {
		i := strings.Index(string(css), opening)
		if i < 0 {
			t.Fatalf("%s: no %q block in app.css", scheme, opening)
		}
		body := string(css[i+len(opening):])
		body = body[:strings.IndexByte(body, '}')]
		vars[scheme] = map[string]string{}
		for _, m := range regexp.MustCompile(`--gh-([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;`).FindAllStringSubmatch(body, -1) {
			vars[scheme][m[1]] = strings.ToLower(m[2])
		}
	}
	// Light-scheme colours the dark block does not redefine carry over.
	for _, s := range []string{"dark", "auto"} {
		for k, v := range vars["light"] {
			if _, ok := vars[s][k]; !ok {
				vars[s][k] = v
			}
		}
	}
	if !maps.Equal(vars["dark"], vars["auto"]) {
		t.Errorf("auto's dark colours differ from dark's:\n%v\n%v", vars["auto"], vars["dark"])
	}
	pairs := []struct {
		fg, bg string
		min    float64
		what   string
	}{
		{"text", "surface", 4.5, "body text"},
		{"text", "bg", 4.5, "text on the page behind the card (language links)"},
		{"muted", "surface", 4.5, "hints, leads, the password rules"},
		{"muted", "bg", 4.5, "language links on the page"},
		{"muted", "subtle", 4.5, "details on tinted panels"},
		{"primary", "surface", 4.5, "links and link buttons"},
		{"primary", "subtle", 4.5, "a secondary button hovered"},
		{"on-primary", "primary", 4.5, "button text"},
		{"on-primary", "primary-hover", 4.5, "button text, hovered"},
		{"danger", "surface", 4.5, "field errors, failed rules"},
		{"danger", "danger-bg", 4.5, "the error alert"},
		{"danger-bg", "danger", 4.5, "the alert's icon"},
		{"success", "surface", 4.5, "met rules"},
		{"success", "success-bg", 4.5, "the status notice"},
		{"success-bg", "success", 4.5, "the notice's icon"},
		{"border", "surface", 3, "input borders"},
		{"focus", "surface", 3, "the focus ring"},
		{"focus", "bg", 3, "the focus ring on the page"},
	}
	for _, scheme := range []string{"light", "dark", "auto"} {
		v := vars[scheme]
		for _, p := range pairs {
			fg, ok1 := parseColor(v[p.fg])
			bg, ok2 := parseColor(v[p.bg])
			if !ok1 || !ok2 {
				t.Errorf("%s: --gh-%s or --gh-%s is not a #rrggbb colour (%q, %q)", scheme, p.fg, p.bg, v[p.fg], v[p.bg])
				continue
			}
			r := contrast(fg, bg)
			if r < p.min {
				t.Errorf("%s: %s (--gh-%s %s on --gh-%s %s) is %.2f:1, under %.1f:1", scheme, p.what, p.fg, fg, p.bg, bg, r, p.min)
			}
			if testing.Verbose() && scheme != "auto" {
				t.Logf("%-5s %-45s %5.2f:1", scheme, p.what, r)
			}
		}
	}
}
