package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>`

// brandingFile writes a config file with its branding files in dir.
func brandingFile(t *testing.T, dir, yaml string) string {
	t.Helper()
	for name, body := range map[string]string{"logo.svg": testSVG, "site.css": ".gh-card{border:0}", "notes.txt": "hello",
		"big.svg": testSVG + strings.Repeat(" ", 101<<10)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "gatehouse.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBrandingParse(t *testing.T) {
	dir := t.TempDir()
	path := brandingFile(t, dir, `pools:
  - name: a
    branding:
      logo: logo.svg
      primary_color: "#ABC"
      color_scheme: dark
      custom_css: site.css
    clients:
      - name: web
        branding: {background_color: "#101010"}
`)
	// From another working directory: files are relative to the config.
	t.Chdir(t.TempDir())
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	b := f.Pools[0].storagePool().Branding
	if b == nil || b.Logo == nil || b.Logo.ContentType != "image/svg+xml" || b.PrimaryColor != "#aabbcc" || b.CustomCSS != ".gh-card{border:0}" || b.ColorScheme != "dark" {
		t.Fatalf("pool branding %+v", b)
	}
	if cb := f.Pools[0].Clients[0].storageClient("p").Branding; cb == nil || cb.BackgroundColor != "#101010" {
		t.Fatalf("client branding %+v", cb)
	}
}

func TestBrandingParseErrors(t *testing.T) {
	cases := []struct {
		name, branding, want string
	}{
		{"missing file", "logo: nope.png", `:4: pools[0].branding.logo: cannot read nope.png: no such file or directory`},
		{"not an image", "logo: notes.txt", `:4: pools[0].branding.logo: The logo must be one of image/png`},
		{"too big", "logo: big.svg", `:4: pools[0].branding.logo: big.svg is larger than 100 KB`},
		{"favicon not an image", "favicon: site.css", `:4: pools[0].branding.favicon: The favicon must be one of`},
		{"colour", `primary_color: purple`, `:4: pools[0].branding.primary_color: Invalid colour "purple"`},
		{"scheme", `color_scheme: sepia`, `:4: pools[0].branding.color_scheme: Invalid color scheme "sepia"`},
		{"font", `font_family: "a;b"`, `:4: pools[0].branding.font_family: Invalid font family`},
		{"empty file name", `custom_css: " "`, `:4: pools[0].branding.custom_css: empty`},
		{"not a regular file", `custom_css: /dev/null`, `:4: pools[0].branding.custom_css: /dev/null is not a regular file`},
		{"a directory", `logo: .`, `:4: pools[0].branding.logo: . is not a regular file`},
		{"unknown field", `colour: red`, `:4: pools[0].branding.colour: unknown field "colour"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := brandingFile(t, dir, "pools:\n  - name: a\n    branding:\n      "+c.branding+"\n")
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), path+c.want) {
				t.Fatalf("error %v, want %q", err, path+c.want)
			}
		})
	}
}

func TestBrandingApply(t *testing.T) {
	e := newTestEnv(t)
	dir := t.TempDir()
	load := func(yaml string) *File {
		t.Helper()
		f, err := Load(brandingFile(t, dir, yaml))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	branded := load(`pools:
  - name: a
    id: us-east-1_Brand0001
    branding: {logo: logo.svg, primary_color: "#6d28d9"}
    clients:
      - name: web
        id: brandedwebclient
        branding: {primary_color: "#0b57d0"}
`)
	wantCounts(t, mustApply(t, e, branded, ApplyOptions{}), 2, 0, 0)
	pool, err := e.dir.GetPool(t.Context(), "us-east-1_Brand0001")
	if err != nil || pool.Branding == nil || pool.Branding.Logo == nil || pool.Branding.PrimaryColor != "#6d28d9" {
		t.Fatalf("pool branding %+v %v", pool.Branding, err)
	}
	before := e.dump(t)
	wantCounts(t, mustApply(t, e, branded, ApplyOptions{}), 0, 0, 2)
	if e.dump(t) != before {
		t.Fatal("applying the same branding again wrote something")
	}
	// Changed: updated. Left out: removed (the file is authoritative).
	wantCounts(t, mustApply(t, e, load(`pools:
  - name: a
    id: us-east-1_Brand0001
    branding: {primary_color: "#111111"}
    clients:
      - name: web
        id: brandedwebclient
`), ApplyOptions{}), 0, 2, 0)
	pool, _ = e.dir.GetPool(t.Context(), "us-east-1_Brand0001")
	client, _ := e.dir.GetClient(t.Context(), pool.ID, "brandedwebclient")
	if pool.Branding == nil || pool.Branding.Logo != nil || pool.Branding.PrimaryColor != "#111111" || client.Branding != nil {
		t.Fatalf("after the change: pool %+v client %+v", pool.Branding, client.Branding)
	}
	bare := load("pools:\n  - name: a\n    id: us-east-1_Brand0001\n    clients: [{name: web, id: brandedwebclient}]\n")
	wantCounts(t, mustApply(t, e, bare, ApplyOptions{}), 0, 1, 1)
	if pool, _ = e.dir.GetPool(t.Context(), pool.ID); pool.Branding != nil {
		t.Fatalf("branding left after removal: %+v", pool.Branding)
	}
	wantCounts(t, mustApply(t, e, bare, ApplyOptions{}), 0, 0, 2)
}
