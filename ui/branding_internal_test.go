package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// TestThemeContrast: whatever primary colour a pool picks, links, focus
// rings and button text keep WCAG AA contrast in both schemes.
func TestThemeContrast(t *testing.T) {
	light, dark := rgb{255, 255, 255}, rgb{0x17, 0x1b, 0x22}
	for _, c := range []string{"#ffd700", "#ffffff", "#000000", "#0b57d0", "#6d28d9", "#00ff00", "#777777", "#1a1a1a"} {
		css := themeCSS(storage.Branding{PrimaryColor: c})
		blocks := regexp.MustCompile(`--gh-primary:(#[0-9a-f]{6});.*?--gh-on-primary:(#[0-9a-f]{6});`).FindAllStringSubmatch(css, -1)
		if len(blocks) != 3 { // light, dark, auto-dark
			t.Fatalf("%s: %q", c, css)
		}
		for i, m := range blocks {
			p, _ := parseColor(m[1])
			on, _ := parseColor(m[2])
			surface := light
			if i > 0 {
				surface = dark
			}
			if r := contrast(p, surface); r < 4.5 {
				t.Errorf("%s: primary %s on surface %s: %.2f", c, m[1], surface, r)
			}
			if r := contrast(on, p); r < 4.5 {
				t.Errorf("%s: button text %s on %s: %.2f", c, m[2], m[1], r)
			}
		}
	}
	if got := themeCSS(storage.Branding{}); got != "" {
		t.Fatalf("empty branding: %q", got)
	}
	css := themeCSS(storage.Branding{BackgroundColor: "#101820", FontFamily: "Inter, sans-serif"})
	if !strings.Contains(css, "--gh-on-bg:#ffffff") || !strings.Contains(css, "--gh-font:Inter, sans-serif,") {
		t.Fatalf("%q", css)
	}
}
