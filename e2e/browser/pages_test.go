package browser

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// TestErrorPages: an authorize link with an unknown client or an
// unregistered redirect URI shows a page that says what the app developer
// must fix, in the user's language, and never redirects.
func TestErrorPages(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name, shot string
		query      url.Values
		title      string
		advice     string
	}{
		{"unknown client", "error-unknown-client", url.Values{"client_id": {"nosuchclient"}},
			"This application is not registered", "DescribeUserPoolClient"},
		{"unregistered redirect", "error-bad-redirect", url.Values{"redirect_uri": {"https://evil.example/cb"}},
			"The redirect URL is not allowed", "CallbackURLs"},
		{"in German", "error-bad-redirect-de", url.Values{"redirect_uri": {"https://evil.example/cb"}, "lang": {"de"}},
			"", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := tab(t)
			open(t, ctx, e.signInURL(e.client, c.query))
			if loc := location(ctx); !strings.HasPrefix(loc, e.URL) {
				t.Fatalf("redirected to %s", loc)
			}
			h := text(t, ctx, "h1")
			if c.title != "" && strings.TrimSuffix(h, ".") != c.title {
				t.Fatalf("heading %q, want %q", h, c.title)
			}
			if alert := text(t, ctx, `[role="alert"]`); alert == "" || (c.advice != "" && !strings.Contains(alert, c.advice)) {
				t.Fatalf("alert %q, want it to mention %q", alert, c.advice)
			}
			if c.title == "" && (eval[string](t, ctx, `document.documentElement.lang`) != "de" || strings.Contains(h, "redirect URL")) {
				t.Fatalf("not in German: %q", h)
			}
			shot(t, ctx, c.shot)
		})
	}
}

// TestDarkTheme: a pool whose branding asks for the dark scheme gets it,
// with the default colours' dark values.
func TestDarkTheme(t *testing.T) {
	e := newEnv(t, withPool(func(p *storage.Pool) { p.Branding = &storage.Branding{ColorScheme: "dark"} }))
	ctx := tab(t)
	open(t, ctx, e.signInURL(e.client, nil))
	fill(t, ctx, map[string]string{"username": "nobody", "password": "wrong"}, "username", "password")
	submit(t, ctx)
	if text(t, ctx, `[role="alert"]`) == "" {
		t.Fatal("no error shown")
	}
	if bg := eval[string](t, ctx, `getComputedStyle(document.querySelector(".gh-card")).backgroundColor`); bg != "rgb(23, 27, 34)" {
		t.Fatalf("card background %q, want the dark surface", bg)
	}
	shot(t, ctx, "dark-wrong-password")
}

// platformFonts are the fonts Chromium drew the text of the first element
// css selects with, by family name.
func platformFonts(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	var names []string
	do(t, ctx, "platform fonts of "+sel, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, dom.Enable, dom.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, css.Enable, cdp.Empty{}); err != nil {
			return err
		}
		doc, err := cdp.Call(ctx, tg, dom.GetDocument, dom.GetDocumentParams{})
		if err != nil {
			return err
		}
		n, err := cdp.Call(ctx, tg, dom.QuerySelector, dom.QuerySelectorParams{NodeID: doc.Root.NodeID, Selector: sel})
		if err != nil {
			return err
		}
		fonts, err := cdp.Call(ctx, tg, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: n.NodeID})
		if err != nil {
			return err
		}
		for _, f := range fonts.Fonts {
			names = append(names, f.FamilyName)
		}
		return nil
	}))
	return names
}
