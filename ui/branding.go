package ui

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/static"
	"github.com/gatehouse-id/gatehouse/templates"
)

// Branding: a pool's look, overridable per client (directory's
// EffectiveBranding). Its files are served from the pool's issuer path,
//
//	{issuer}/branding/{owner}/logo.{hash}
//	{issuer}/branding/{owner}/favicon.{hash}
//	{issuer}/branding/{owner}/theme.{hash}.css   colours, font, custom CSS
//
// where owner is "pool" or the client id whose overrides apply and hash is
// of the content, so every response is cached for a year and a change
// gets a new URL. Being same-origin, they fit the pages' CSP ('self' for
// images and styles) with nothing added. Custom CSS can only reach
// Gatehouse's own origin (and data: images), as the CSP says.

const poolOwner = "pool"

// brand is the look of the request's page.
func (u *UI) brand(rq *request) templates.Brand {
	b := templates.Brand{ColorScheme: "light", FaviconURL: rq.issuerPath() + "/static/" + static.Path("img/favicon.svg")}
	if rq.client != nil {
		b.AppName = rq.client.Name
	}
	eff := directory.EffectiveBranding(rq.pool, rq.client)
	if eff.ColorScheme != "" {
		b.ColorScheme = eff.ColorScheme
	}
	base := rq.issuerPath() + "/branding/"
	if eff.Logo != nil {
		b.LogoURL = base + assetOwner(rq, func(br *storage.Branding) bool { return br.Logo != nil }) + "/logo." + hashOf(eff.Logo.Data)
	}
	if eff.Favicon != nil {
		b.FaviconURL = base + assetOwner(rq, func(br *storage.Branding) bool { return br.Favicon != nil }) + "/favicon." + hashOf(eff.Favicon.Data)
	}
	if css := themeCSS(eff); css != "" {
		owner := poolOwner
		if rq.client != nil && rq.client.Branding != nil {
			owner = rq.client.ID
		}
		b.ThemeURL = base + owner + "/theme." + hashOf([]byte(css)) + ".css"
	}
	return b
}

// assetOwner is whose file a page links to: the client's when it
// overrides it, else the pool's (one URL for every client, one cache).
func assetOwner(rq *request, has func(*storage.Branding) bool) string {
	if rq.client != nil && rq.client.Branding != nil && has(rq.client.Branding) {
		return rq.client.ID
	}
	return poolOwner
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:16]
}

// brandingAsset serves a branding file by its hashed name.
func (u *UI) brandingAsset(w http.ResponseWriter, r *http.Request, pool *storage.Pool) {
	var client *storage.Client
	if owner := r.PathValue("owner"); owner != poolOwner {
		c, err := u.cfg.Dir.GetClient(r.Context(), pool.ID, owner)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		client = c
	}
	eff := directory.EffectiveBranding(pool, client)
	name := r.PathValue("file")
	var body []byte
	var typ string
	switch {
	case strings.HasPrefix(name, "logo.") && eff.Logo != nil:
		body, typ = eff.Logo.Data, eff.Logo.ContentType
	case strings.HasPrefix(name, "favicon.") && eff.Favicon != nil:
		body, typ = eff.Favicon.Data, eff.Favicon.ContentType
	case strings.HasPrefix(name, "theme.") && strings.HasSuffix(name, ".css"):
		body, typ = []byte(themeCSS(eff)), "text/css; charset=utf-8"
		name = strings.TrimSuffix(name, ".css")
	}
	_, hash, _ := strings.Cut(name, ".")
	if len(body) == 0 || hash != hashOf(body) {
		// Not there, or changed since the page was made: the page links
		// the new name.
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+hash+`"`)
	// An SVG opened on its own would be a document of this origin: no
	// script, no anything, whatever it holds.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// themeCSS is the stylesheet of a branding's colours, font and custom CSS;
// "" when it sets none. Colours are adjusted where needed so that text
// keeps WCAG AA contrast (4.5:1) in light and dark schemes alike.
func themeCSS(b storage.Branding) string {
	var sb strings.Builder
	light, dark := &strings.Builder{}, &strings.Builder{}
	if p, ok := parseColor(b.PrimaryColor); ok {
		lightSurface, darkSurface := rgb{255, 255, 255}, rgb{0x17, 0x1b, 0x22}
		lp := ensureContrast(p, lightSurface, 4.5)
		dp := ensureContrast(p, darkSurface, 4.5)
		fmt.Fprintf(light, "--gh-primary:%s;--gh-primary-hover:%s;--gh-focus:%s;--gh-on-primary:%s;",
			lp, mix(lp, rgb{0, 0, 0}, 0.15), lp, onColor(lp))
		fmt.Fprintf(dark, "--gh-primary:%s;--gh-primary-hover:%s;--gh-focus:%s;--gh-on-primary:%s;",
			dp, mix(dp, rgb{255, 255, 255}, 0.15), dp, onColor(dp))
	}
	if bg, ok := parseColor(b.BackgroundColor); ok {
		// The page behind the card; the language links stand on it.
		fmt.Fprintf(light, "--gh-bg:%s;--gh-on-bg:%s;", bg, onColor(bg))
		fmt.Fprintf(dark, "--gh-bg:%s;--gh-on-bg:%s;", bg, onColor(bg))
	}
	if b.FontFamily != "" {
		fmt.Fprintf(light, "--gh-font:%s,ui-sans-serif,system-ui,sans-serif;", b.FontFamily)
	}
	if light.Len() > 0 {
		fmt.Fprintf(&sb, ":root{%s}\n", light.String())
	}
	if dark.Len() > 0 {
		fmt.Fprintf(&sb, ":root[data-theme=\"dark\"]{%s}\n@media (prefers-color-scheme: dark){:root[data-theme=\"auto\"]{%s}}\n", dark.String(), dark.String())
	}
	if css := strings.TrimSpace(b.CustomCSS); css != "" {
		sb.WriteString("/* custom CSS */\n" + css + "\n")
	}
	return sb.String()
}

type rgb struct{ r, g, b float64 }

func (c rgb) String() string {
	clamp := func(v float64) int { return int(math.Round(math.Max(0, math.Min(255, v)))) }
	return fmt.Sprintf("#%02x%02x%02x", clamp(c.r), clamp(c.g), clamp(c.b))
}

// parseColor reads a #rrggbb the directory validated.
func parseColor(s string) (rgb, bool) {
	if len(s) != 7 || s[0] != '#' {
		return rgb{}, false
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return rgb{}, false
	}
	return rgb{float64(v >> 16 & 0xff), float64(v >> 8 & 0xff), float64(v & 0xff)}, true
}

// luminance is WCAG 2's relative luminance.
func luminance(c rgb) float64 {
	ch := func(v float64) float64 {
		v /= 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c.r) + 0.7152*ch(c.g) + 0.0722*ch(c.b)
}

// contrast is WCAG 2's contrast ratio of two colours.
func contrast(a, b rgb) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func mix(a, b rgb, t float64) rgb {
	return rgb{a.r + (b.r-a.r)*t, a.g + (b.g-a.g)*t, a.b + (b.b-a.b)*t}
}

// ensureContrast darkens (on a light surface) or lightens (on a dark one)
// c until it reaches ratio against surface, keeping its hue.
func ensureContrast(c, surface rgb, ratio float64) rgb {
	toward := rgb{0, 0, 0}
	if luminance(surface) < 0.5 {
		toward = rgb{255, 255, 255}
	}
	for t := 0.0; t <= 1; t += 0.02 {
		if m := mix(c, toward, t); contrast(m, surface) >= ratio {
			return m
		}
	}
	return toward
}

// onColor is the text colour that reads best on c: white or near black.
func onColor(c rgb) rgb {
	white, black := rgb{255, 255, 255}, rgb{0x11, 0x14, 0x18}
	if contrast(white, c) >= contrast(black, c) {
		return white
	}
	return black
}
