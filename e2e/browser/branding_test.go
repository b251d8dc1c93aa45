package browser

import (
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

const brandLogo = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 48"><rect x="0" y="4" width="40" height="40" rx="10" fill="#b45309"/><text x="52" y="34" font-family="sans-serif" font-size="26" font-weight="700" fill="#451a03">Harbor</text></svg>`

// TestBranding: a client's branding over its pool's: its logo loads and
// its colour is on the button (the CSP allows both).
func TestBranding(t *testing.T) {
	e := newEnv(t, withPool(func(p *storage.Pool) {
		p.Branding = &storage.Branding{PrimaryColor: "#6d28d9", BackgroundColor: "#fff7ed"}
	}), withClient(func(c *storage.Client) {
		c.Branding = &storage.Branding{Logo: &storage.Asset{Data: []byte(brandLogo)}, PrimaryColor: "#b45309",
			CustomCSS: ".gh-card { border-top: 4px solid var(--gh-primary); }"}
	}))
	ctx := tab(t)
	open(t, ctx, e.signInURL(e.client, nil))
	if w := eval[float64](t, ctx, `(() => { const i = document.querySelector('[data-testid="brand-logo"]'); return i && i.complete ? i.naturalWidth : 0 })()`); w == 0 {
		t.Fatal("the logo did not load")
	}
	bg := eval[string](t, ctx, `getComputedStyle(document.querySelector('[data-testid="submit"]')).backgroundColor`)
	if bg != "rgb(180, 83, 9)" {
		t.Fatalf("button colour %q, want the client's #b45309", bg)
	}
	if b := eval[string](t, ctx, `getComputedStyle(document.querySelector(".gh-card")).borderTopWidth`); b != "4px" {
		t.Fatalf("custom CSS not applied: border %q", b)
	}
	if page := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); page != "rgb(255, 247, 237)" {
		t.Fatalf("page background %q, want the pool's", page)
	}
	shot(t, ctx, "branding")
}
