// Package static holds the hosted UI's stylesheet, script and images,
// embedded in the binary. Each file is served under a name that carries a
// hash of its content (app.3f2a9c1e.css), so that a response can be cached
// for a year: a new build with a changed file gets a new name.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed css js img
var files embed.FS

type asset struct {
	name, hashed, contentType, etag string
	body                            []byte
}

// contentTypes are the embedded files' types, as Go's own table gives
// them. mime.TypeByExtension would first read the system's mime.types
// files: 7 ms of the server's start.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
}

var (
	byName   = map[string]*asset{}
	byHashed = map[string]*asset{}
)

func init() {
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		h := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(p)
		a := &asset{name: p, hashed: strings.TrimSuffix(p, ext) + "." + h + ext, body: body, etag: `"` + h + `"`,
			contentType: contentTypes[ext]}
		if a.contentType == "" {
			a.contentType = "application/octet-stream"
		}
		byName[p], byHashed[a.hashed] = a, a
		return nil
	})
	if err != nil {
		panic("static: " + err.Error())
	}
}

// Path returns the content-hashed path of an embedded file, relative to
// where Handler is mounted: Path("css/app.css") is "css/app.3f2a9c1e4b7d.css".
// It panics on a name that is not embedded, a programming error.
func Path(name string) string {
	a, ok := byName[name]
	if !ok {
		panic("static: no embedded file " + name)
	}
	return a.hashed
}

// Handler serves the embedded files by their hashed paths, taken from the
// request's {file...} path value, with a year of immutable caching. An
// unhashed or stale name is 404: a page never links to one.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := byHashed[r.PathValue("file")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", a.etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
	})
}
