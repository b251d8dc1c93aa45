package oauth

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Page is a page the OAuth endpoints show a user instead of a redirect:
// an error that cannot go back to the application (RFC 6749 §4.1.2.1), or
// the end of a sign-out. The hosted UI renders it (Config.ShowPage), in
// the user's language and the client's branding; Kind names its text
// there, Title and Advice are the English words.
type Page struct {
	Status int
	// Kind is one of the Kind* constants.
	Kind          string
	Title, Advice string
	// Detail is technical detail for the app developer (fosite's hint).
	Detail string
	// ClientID names the client whose branding the page wears, when known.
	ClientID string
}

// Kinds of Page.
const (
	KindUnknownClient   = "unknown_client"
	KindBadRedirect     = "bad_redirect"
	KindFlowNotAllowed  = "flow_not_allowed"
	KindBadScope        = "bad_scope"
	KindInvalidRequest  = "invalid_request"
	KindRequestExpired  = "request_expired"
	KindRequestUsed     = "request_used"
	KindServerError     = "server_error"
	KindLogoutInvalid   = "logout_invalid"
	KindLogoutBadURL    = "logout_bad_url"
	KindLogoutNoClient  = "logout_unknown_client"
	KindSignedOut       = "signed_out"
	KindLogoutHintWrong = "logout_bad_hint"
)

// fallbackTmpl renders a Page when no ShowPage is configured (the oauth
// package on its own, in tests).
var fallbackTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title></head>
<body><main><h1>{{.Title}}</h1><div {{if .Alert}}role="alert"{{else}}role="status"{{end}} data-testid="error">{{.Text}}</div></main></body></html>`))

// show writes p through the hosted UI, or the fallback page.
func (p *Provider) show(w http.ResponseWriter, r *http.Request, pg Page) {
	if pool := poolFrom(r.Context()); pool != nil && p.cfg.ShowPage != nil {
		p.cfg.ShowPage(w, r, pool, pg)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(pg.Status)
	fallbackTmpl.Execute(w, struct {
		Title, Text string
		Alert       bool
	}{pg.Title, strings.TrimSpace(pg.Advice + " " + pg.Detail), pg.Kind != KindSignedOut})
}

// ShowPageFunc renders a Page for a pool; the hosted UI provides it.
type ShowPageFunc func(w http.ResponseWriter, r *http.Request, pool *storage.Pool, p Page)
