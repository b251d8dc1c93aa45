package e2e

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzUpstreamAnswers: whatever reaches the endpoints upstream providers
// call (/oauth2/idpresponse by GET or POST, /saml2/idpresponse,
// /saml2/logout, /saml2/metadata), the answer is a page, a redirect or a
// client error, never a 500 or a dropped connection. The seeds name a
// real parked request, provider and state, so mutations reach the checks
// behind them.
func FuzzUpstreamAnswers(f *testing.F) {
	ts := newTestServer(f)
	e := &fedEnv{ts: ts, f: ts.fixture(f)}
	e.oidcProvider(f)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// Park a request at the upstream to seed a real state.
	q := url.Values{"response_type": {"code"}, "client_id": {e.f.client.ID}, "redirect_uri": {e.f.callback}, "scope": {"openid"},
		"state": {"fuzz-state-1"}, "identity_provider": {"Upstream"}}
	resp, err := client.Get(e.f.issuer + "/oauth2/authorize?" + q.Encode())
	if err != nil {
		f.Fatal(err)
	}
	resp.Body.Close()
	up, _ := url.Parse(resp.Header.Get("Location"))
	state := up.Query().Get("state")
	if state == "" {
		f.Fatalf("no redirect upstream: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	paths := []string{"/oauth2/idpresponse", "/saml2/idpresponse", "/saml2/logout", "/saml2/metadata"}
	f.Add(uint8(0), false, "code=abc&state="+url.QueryEscape(state), "")
	f.Add(uint8(0), true, "", "code=abc&state="+url.QueryEscape(state)+"&user=%7B%7D")
	f.Add(uint8(0), false, "error=access_denied&state="+url.QueryEscape(state), "")
	f.Add(uint8(1), true, "", "SAMLResponse=PFJlc3BvbnNlLz4%3D&RelayState="+url.QueryEscape(strings.Split(state, ".")[0]))
	f.Add(uint8(1), true, "", "SAMLResponse=%3C&RelayState=client_id%3D"+e.f.client.ID)
	f.Add(uint8(2), false, "SAMLRequest=fZBBa8MwDIXv%2FRXG98RKmrEOLYGNQgcm&RelayState=x", "")
	f.Add(uint8(2), true, "", "SAMLResponse=PEwvPg%3D%3D&RelayState=abc")
	f.Add(uint8(3), false, "provider=Upstream", "")
	f.Fuzz(func(t *testing.T, which uint8, post bool, query, body string) {
		u := e.f.issuer + paths[int(which)%len(paths)] + "?" + query
		method := http.MethodGet
		if post {
			method = http.MethodPost
		}
		req, err := http.NewRequestWithContext(t.Context(), method, u, strings.NewReader(body))
		if err != nil {
			return
		}
		if post {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, u, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusInternalServerError {
			t.Fatalf("%s %s %q: 500", method, u, body)
		}
	})
}
