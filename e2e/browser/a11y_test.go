package browser

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestAccessibility: on every page of the sign-in and sign-up flows, each
// input has a label, the keyboard reaches the submit button from the top
// in a sensible order, and the focused control shows a focus ring.
func TestAccessibility(t *testing.T) {
	e := newEnv(t)
	e.user("hana", "hana@example.com")
	ctx := tab(t)
	pages := []struct {
		name  string
		open  func()
		order []string // ids the keyboard must pass, in order, before submit
	}{
		{"sign-in", func() { open(t, ctx, e.signInURL(e.client, nil)) }, []string{"username", "password"}},
		{"sign-up", func() { click(t, ctx, `[data-testid="signup-link"]`) }, []string{"username", "attr-email", "password"}},
		{"forgot", func() {
			open(t, ctx, e.signInURL(e.client, nil))
			click(t, ctx, `[data-testid="forgot-link"]`)
		}, []string{"username"}},
	}
	for _, p := range pages {
		p.open()
		unlabelled := eval[[]string](t, ctx, `[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
			.filter(e => !e.labels || e.labels.length === 0).map(e => e.name || e.id)`)
		if len(unlabelled) > 0 {
			t.Errorf("%s: inputs without a label: %v", p.name, unlabelled)
		}
		// From the top of the document, Tab until the submit button.
		// A focus starting point before everything: the next Tab goes to
		// the first control of the page.
		eval[bool](t, ctx, `(() => { const s = document.createElement("span"); s.tabIndex = -1; document.body.prepend(s); s.focus(); return true })()`)
		var seen []string
		reached := false
		for range 25 {
			do(t, ctx, "tab", chromedp.KeyEvent(kb.Tab))
			id := eval[string](t, ctx, `(() => { const a = document.activeElement; return a.dataset.testid === "submit" ? "SUBMIT" : (a.id || a.tagName) })()`)
			if outline := eval[string](t, ctx, `getComputedStyle(document.activeElement).outlineStyle`); outline == "none" {
				t.Errorf("%s: %s has no visible focus", p.name, id)
			}
			if id == "SUBMIT" {
				reached = true
				break
			}
			seen = append(seen, id)
		}
		if !reached {
			t.Fatalf("%s: Tab never reached the submit button; focus went %v", p.name, seen)
		}
		at := 0
		for _, id := range seen {
			if at < len(p.order) && id == p.order[at] {
				at++
			}
		}
		if at != len(p.order) {
			t.Errorf("%s: keyboard order %v, want %v before submit", p.name, seen, p.order)
		}
		if p.name == "sign-up" {
			shot(t, ctx, "a11y-sign-up-focus")
		}
	}
}
