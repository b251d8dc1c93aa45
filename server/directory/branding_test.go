package directory

import (
	"context"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var (
	pngData = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	svgData = []byte(`<?xml version="1.0"?>` + "\n" + `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>`)
	icoData = []byte("\x00\x00\x01\x00\x01\x00\x10\x10\x00\x00\x01\x00\x20\x00")
)

func TestSniffImage(t *testing.T) {
	cases := map[string]struct {
		data []byte
		want string
	}{
		"png":             {pngData, "image/png"},
		"svg with prolog": {svgData, "image/svg+xml"},
		"bare svg":        {[]byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`), "image/svg+xml"},
		"ico":             {icoData, "image/x-icon"},
		"gif":             {[]byte("GIF89a\x01\x00\x01\x00"), "image/gif"},
		"html is not svg": {[]byte("<html><svg></svg></html>"), ""},
		"xml without svg": {[]byte(`<?xml version="1.0"?><note/>`), ""},
		"text":            {[]byte("hello"), ""},
		"script":          {[]byte("<script>alert(1)</script>"), ""},
	}
	for name, c := range cases {
		if got := SniffImage(c.data); got != c.want {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
}

func TestValidateBranding(t *testing.T) {
	good := &storage.Branding{Logo: &storage.Asset{ContentType: "text/html", Data: svgData}, Favicon: &storage.Asset{Data: icoData},
		PrimaryColor: "#0B5", BackgroundColor: "#F3F5F8", FontFamily: `"Inter", Helvetica Neue, sans-serif`, ColorScheme: "auto",
		CustomCSS: ".gh-card { border: 1px solid red; }"}
	if err := ValidateBranding(good); err != nil {
		t.Fatal(err)
	}
	if good.PrimaryColor != "#00bb55" || good.BackgroundColor != "#f3f5f8" {
		t.Fatalf("colours not normalised: %s %s", good.PrimaryColor, good.BackgroundColor)
	}
	if good.Logo.ContentType != "image/svg+xml" || good.Favicon.ContentType != "image/x-icon" {
		t.Fatalf("types taken from the caller: %s %s", good.Logo.ContentType, good.Favicon.ContentType)
	}
	cases := []struct {
		name string
		b    storage.Branding
	}{
		{"colour name", storage.Branding{PrimaryColor: "red"}},
		{"colour with CSS", storage.Branding{BackgroundColor: "#fff;}body{display:none"}},
		{"font breaking out", storage.Branding{FontFamily: "x;}body{display:none}"}},
		{"font with url", storage.Branding{FontFamily: "url(https://evil.example/)"}},
		{"scheme", storage.Branding{ColorScheme: "sepia"}},
		{"logo not an image", storage.Branding{Logo: &storage.Asset{Data: []byte("<html></html>")}}},
		{"logo empty", storage.Branding{Logo: &storage.Asset{}}},
		{"logo too big", storage.Branding{Logo: &storage.Asset{Data: append(append([]byte{}, pngData...), make([]byte, MaxLogoBytes)...)}}},
		{"favicon webp not allowed", storage.Branding{Favicon: &storage.Asset{Data: []byte("RIFF\x00\x00\x00\x00WEBPVP8 ")}}},
		{"css too big", storage.Branding{CustomCSS: strings.Repeat("a", MaxCustomCSS+1)}},
		{"css not UTF-8", storage.Branding{CustomCSS: "\xff\xfe"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantKind(t, ValidateBranding(&c.b), KindInvalidParameter)
		})
	}
}

func TestEffectiveBranding(t *testing.T) {
	logo := &storage.Asset{ContentType: "image/png", Data: pngData}
	other := &storage.Asset{ContentType: "image/svg+xml", Data: svgData}
	pool := &storage.Pool{Branding: &storage.Branding{Logo: logo, PrimaryColor: "#111111", ColorScheme: "dark", CustomCSS: "a{}"}}
	if got := EffectiveBranding(pool, nil); got.Logo != logo || got.PrimaryColor != "#111111" {
		t.Fatalf("pool only: %+v", got)
	}
	client := &storage.Client{Branding: &storage.Branding{Logo: other, BackgroundColor: "#222222", CustomCSS: "b{}"}}
	got := EffectiveBranding(pool, client)
	if got.Logo != other || got.PrimaryColor != "#111111" || got.BackgroundColor != "#222222" || got.ColorScheme != "dark" || got.CustomCSS != "a{}\nb{}" {
		t.Fatalf("merged: %+v", got)
	}
	if pool.Branding.Logo != logo || pool.Branding.CustomCSS != "a{}" {
		t.Fatal("the pool's branding was changed")
	}
	if got := EffectiveBranding(&storage.Pool{}, &storage.Client{}); !SameBranding(&got, &storage.Branding{}) {
		t.Fatalf("none: %+v", got)
	}
}

// TestBrandingKeptByUpdates: the API's full replaces of a pool or client
// do not carry the branding, so they keep it; an empty one removes it.
func TestBrandingKeptByUpdates(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	pool := td.pool(t, func(p *storage.Pool) {
		p.Branding = &storage.Branding{PrimaryColor: "#123456", Logo: &storage.Asset{Data: pngData}}
	})
	if pool.Branding.Logo.ContentType != "image/png" {
		t.Fatalf("created pool branding %+v", pool.Branding)
	}
	update := &storage.Pool{ID: pool.ID, Name: "renamed"}
	if err := td.UpdatePool(ctx, update); err != nil {
		t.Fatal(err)
	}
	got, _ := td.GetPool(ctx, pool.ID)
	if got.Name != "renamed" || got.Branding == nil || got.Branding.PrimaryColor != "#123456" {
		t.Fatalf("after update: %q %+v", got.Name, got.Branding)
	}
	got.Branding = &storage.Branding{}
	if err := td.UpdatePool(ctx, got); err != nil {
		t.Fatal(err)
	}
	if got, _ = td.GetPool(ctx, pool.ID); got.Branding != nil {
		t.Fatalf("not removed: %+v", got.Branding)
	}
	bad := &storage.Pool{ID: pool.ID, Name: "x", Branding: &storage.Branding{PrimaryColor: "blue"}}
	wantKind(t, td.UpdatePool(ctx, bad), KindInvalidParameter)

	c := &storage.Client{PoolID: pool.ID, Name: "web", Branding: &storage.Branding{ColorScheme: "dark"}}
	if _, err := td.CreateClient(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if err := td.UpdateClient(ctx, &storage.Client{PoolID: pool.ID, ID: c.ID, Name: "web2"}); err != nil {
		t.Fatal(err)
	}
	gc, _ := td.GetClient(ctx, pool.ID, c.ID)
	if gc.Name != "web2" || gc.Branding == nil || gc.Branding.ColorScheme != "dark" {
		t.Fatalf("client after update: %q %+v", gc.Name, gc.Branding)
	}
	_, err := td.CreateClient(ctx, &storage.Client{PoolID: pool.ID, Name: "bad", Branding: &storage.Branding{FontFamily: "a;b"}}, false)
	wantKind(t, err, KindInvalidParameter)
}
