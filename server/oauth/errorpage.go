package oauth

import (
	"html/template"
	"net/http"
)

// errorPageTmpl is the page a user sees when a request cannot go back to
// the application. The hosted UI restyles it; the words stay plain.
var errorPageTmpl = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.4rem}[role=alert]{border-left:4px solid #b00020;padding:.5rem 1rem;background:#fdecee}</style></head>
<body><main><h1>{{.Title}}</h1><div role="alert" data-testid="error">{{.Advice}}</div></main></body></html>`))

// errorPage writes an HTML error page with security headers.
func (p *Provider) errorPage(w http.ResponseWriter, _ *http.Request, status int, title, advice string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	errorPageTmpl.Execute(w, struct{ Title, Advice string }{title, advice})
}
