package server

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/upstream"
)

// publicHost is the host name (without port) of the public URL.
func (s *Server) publicHost() string {
	u, err := url.Parse(s.cfg.PublicURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// domainFront serves each domain registered with CreateUserPoolDomain as
// its pool's own site (CONTRACT.md: "a domain registered with
// CreateUserPoolDomain routes by Host to its pool"). A request whose Host
// is {prefix}.{public host} or a custom domain name is rewritten to the
// pool's routes: /oauth2/authorize becomes /{pool}/oauth2/authorize, and
// paths already under /{pool}/ — the hosted UI's own links — stay. "/",
// /healthz and /metrics stay the server's; another pool's paths are not
// found there.
//
// The pool's pages and endpoints know only the issuer, {public URL}/{pool},
// so on the way out two headers are moved onto the domain: a Location
// under the issuer becomes the same path at the domain's root (the
// authorize endpoint's redirect to /login stays on the domain), and a
// cookie scoped to /{pool} is scoped to / (the domain is the pool's alone,
// and its root paths must see the SSO and CSRF cookies). The issuer, and
// so every token's iss, stays {public URL}/{pool}, as Cognito's stays
// cognito-idp whatever the domain.
//
// Requests for the public host (and IP addresses) cost nothing here; any
// other host costs one indexed lookup.
func (s *Server) domainFront(next http.Handler) http.Handler {
	publicHost := s.publicHost()
	scheme := "https"
	if strings.HasPrefix(s.cfg.PublicURL, "http://") {
		scheme = "http"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.ToLower(host)
		if host == "" || host == publicHost || net.ParseIP(strings.Trim(host, "[]")) != nil {
			next.ServeHTTP(w, r)
			return
		}
		poolID, ok, err := s.Dir.DomainPool(r.Context(), host, publicHost)
		if err != nil {
			s.cfg.Logger.Error("domain lookup", "host", host, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		base := "/" + poolID
		switch p := r.URL.Path; {
		case p == "/" || p == "/healthz" || p == "/metrics" || p == base || strings.HasPrefix(p, base+"/"):
		default:
			r = r.Clone(r.Context())
			r.URL.Path = base + p
			if r.URL.RawPath != "" {
				r.URL.RawPath = base + r.URL.RawPath
			}
		}
		// Upstream providers must send the browser back to this domain.
		r = r.WithContext(upstream.WithSite(r.Context(), scheme+"://"+r.Host))
		dw := &domainWriter{ResponseWriter: w, issuer: s.cfg.PublicURL + base, site: scheme + "://" + r.Host, cookiePath: base}
		next.ServeHTTP(dw, r)
	})
}

// domainWriter moves a pool's Location and Set-Cookie headers onto its
// domain before they are written; see domainFront.
type domainWriter struct {
	http.ResponseWriter
	issuer     string // {public URL}/{pool}
	site       string // scheme://domain[:port]
	cookiePath string // /{pool}
	done       bool
}

func (w *domainWriter) rewrite() {
	if w.done {
		return
	}
	w.done = true
	h := w.ResponseWriter.Header()
	if loc := h.Get("Location"); loc == w.issuer || strings.HasPrefix(loc, w.issuer+"/") || strings.HasPrefix(loc, w.issuer+"?") {
		rest := strings.TrimPrefix(loc, w.issuer)
		if rest == "" || rest[0] == '?' {
			rest = "/" + rest
		}
		h.Set("Location", w.site+rest)
	}
	if cookies := h.Values("Set-Cookie"); len(cookies) > 0 {
		out := make([]string, len(cookies))
		for i, c := range cookies {
			out[i] = scopeCookie(c, w.cookiePath)
		}
		h["Set-Cookie"] = out
	}
}

// scopeCookie turns a cookie's Path=/{pool} (or a path under it) into
// Path=/.
func scopeCookie(c, poolPath string) string {
	parts := strings.Split(c, ";")
	for i, p := range parts {
		name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(name, "Path") && (value == poolPath || strings.HasPrefix(value, poolPath+"/")) {
			parts[i] = " Path=/"
		}
	}
	return strings.Join(parts, ";")
}

func (w *domainWriter) WriteHeader(code int) {
	w.rewrite()
	w.ResponseWriter.WriteHeader(code)
}

func (w *domainWriter) Write(b []byte) (int, error) {
	w.rewrite()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *domainWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
