package directory

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Branding limits. Cognito's hosted UI takes a logo of up to 100 KB and
// custom CSS of up to 131,072 characters; the files live in the pool's or
// client's document, so they are kept small.
const (
	MaxLogoBytes    = 100 << 10
	MaxFaviconBytes = 100 << 10
	MaxCustomCSS    = 128 << 10
)

// Media types a branding's files may have.
var (
	logoTypes    = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
	faviconTypes = []string{"image/x-icon", "image/png", "image/gif", "image/svg+xml"}
)

var (
	colorPattern = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
)

// ValidateBranding checks b and normalises it: colours become lower-case
// #rrggbb and each file's media type is the one its content shows (a file
// whose content is not of an allowed type is refused).
func ValidateBranding(b *storage.Branding) error {
	if b == nil {
		return nil
	}
	for _, c := range []*string{&b.PrimaryColor, &b.BackgroundColor} {
		if *c == "" {
			continue
		}
		if !colorPattern.MatchString(*c) {
			return newErr(KindInvalidParameter, "Invalid colour %q: write it as #rrggbb", *c)
		}
		*c = expandColor(strings.ToLower(*c))
	}
	if b.FontFamily != "" && !runesWithin(b.FontFamily, 200, fontChar) {
		return newErr(KindInvalidParameter, "Invalid font family %q: font names separated by commas", b.FontFamily)
	}
	switch b.ColorScheme {
	case "", "light", "dark", "auto":
	default:
		return newErr(KindInvalidParameter, "Invalid color scheme %q: light, dark or auto", b.ColorScheme)
	}
	if len(b.CustomCSS) > MaxCustomCSS {
		return newErr(KindInvalidParameter, "Custom CSS is larger than %d bytes", MaxCustomCSS)
	}
	if !utf8.ValidString(b.CustomCSS) {
		return newErr(KindInvalidParameter, "Custom CSS is not UTF-8 text")
	}
	if err := checkAsset("logo", b.Logo, MaxLogoBytes, logoTypes); err != nil {
		return err
	}
	return checkAsset("favicon", b.Favicon, MaxFaviconBytes, faviconTypes)
}

func expandColor(c string) string {
	if len(c) == 4 {
		return "#" + strings.Repeat(c[1:2], 2) + strings.Repeat(c[2:3], 2) + strings.Repeat(c[3:4], 2)
	}
	return c
}

func checkAsset(what string, a *storage.Asset, limit int, types []string) error {
	if a == nil {
		return nil
	}
	if len(a.Data) == 0 {
		return newErr(KindInvalidParameter, "The %s is empty", what)
	}
	if len(a.Data) > limit {
		return newErr(KindInvalidParameter, "The %s is larger than %d KB", what, limit>>10)
	}
	typ := SniffImage(a.Data)
	ok := false
	for _, t := range types {
		ok = ok || t == typ
	}
	if !ok {
		return newErr(KindInvalidParameter, "The %s must be one of %s", what, strings.Join(types, ", "))
	}
	a.ContentType = typ
	return nil
}

// SniffImage names the image type of data from its content (never from a
// file name): PNG, JPEG, GIF, WebP, ICO or SVG; "" for anything else.
func SniffImage(data []byte) string {
	switch t := http.DetectContentType(data); t {
	case "image/png", "image/jpeg", "image/gif", "image/webp", "image/x-icon":
		return t
	}
	head := data[:min(len(data), 1024)]
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.TrimSpace(head)
	if bytes.HasPrefix(head, []byte("<?xml")) || bytes.HasPrefix(head, []byte("<!--")) || bytes.HasPrefix(head, []byte("<svg")) {
		if bytes.Contains(head, []byte("<svg")) && utf8.Valid(data) {
			return "image/svg+xml"
		}
	}
	return ""
}

// EffectiveBranding is the look of a client's pages: the pool's branding
// with the client's fields laid over it. client may be nil.
func EffectiveBranding(pool *storage.Pool, client *storage.Client) storage.Branding {
	var b storage.Branding
	if pool != nil && pool.Branding != nil {
		b = *pool.Branding
	}
	if client == nil || client.Branding == nil {
		return b
	}
	c := client.Branding
	if c.Logo != nil {
		b.Logo = c.Logo
	}
	if c.Favicon != nil {
		b.Favicon = c.Favicon
	}
	for _, f := range []struct{ dst, src *string }{{&b.PrimaryColor, &c.PrimaryColor}, {&b.BackgroundColor, &c.BackgroundColor},
		{&b.FontFamily, &c.FontFamily}, {&b.ColorScheme, &c.ColorScheme}} {
		if *f.src != "" {
			*f.dst = *f.src
		}
	}
	if c.CustomCSS != "" {
		// The pool's stylesheet, then the client's, so the client's wins
		// where both set something.
		b.CustomCSS = strings.TrimSpace(b.CustomCSS + "\n" + c.CustomCSS)
	}
	return b
}

// keepBranding is the branding an update stores: a full replace of a pool
// or client (UpdateUserPool, UpdateUserPoolClient) does not carry the
// branding, which is set apart (the config file), so nil keeps the stored
// one; an empty Branding removes it.
func keepBranding(next, old *storage.Branding) *storage.Branding {
	switch {
	case next == nil:
		return old
	case SameBranding(next, &storage.Branding{}):
		return nil
	}
	return next
}

// SameBranding reports whether two brandings are equal.
func SameBranding(a, b *storage.Branding) bool {
	if a == nil || b == nil {
		return a == b
	}
	sameAsset := func(x, y *storage.Asset) bool {
		if x == nil || y == nil {
			return x == y
		}
		return x.ContentType == y.ContentType && bytes.Equal(x.Data, y.Data)
	}
	return sameAsset(a.Logo, b.Logo) && sameAsset(a.Favicon, b.Favicon) && a.PrimaryColor == b.PrimaryColor &&
		a.BackgroundColor == b.BackgroundColor && a.FontFamily == b.FontFamily && a.ColorScheme == b.ColorScheme &&
		a.CustomCSS == b.CustomCSS
}
