package federation

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseCallback feeds arbitrary callback queries and form_post bodies:
// ParseCallback must not panic, must return a code only with the stored
// state, and every error must be one of the typed sentinels.
func FuzzParseCallback(f *testing.F) {
	f.Add("code=c&state=s", false)
	f.Add("error=access_denied&state=s", false)
	f.Add("code=c&state=s&user=%7B%22name%22%3A1%7D", true)
	f.Add("state=s&state=s&code=a&code=b", true)
	f.Add("%%%", true)
	f.Fuzz(func(t *testing.T, raw string, post bool) {
		var r *http.Request
		if post {
			r = httptest.NewRequest("POST", "/cb", strings.NewReader(raw))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			r = httptest.NewRequest("GET", "/cb", nil)
			r.URL.RawQuery = raw
		}
		code, _, err := ParseCallback(r, LoginState{State: "s"})
		if err == nil {
			q, _ := url.ParseQuery(raw)
			if code == "" || q.Get("state") != "s" {
				t.Fatalf("accepted %q: code %q", raw, code)
			}
			return
		}
		for _, s := range []error{ErrBadState, ErrInvalidResponse, ErrCancelled, ErrUpstreamError} {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("untyped error %v", err)
	})
}
