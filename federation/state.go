package federation

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

type randReader struct{}

func (randReader) Read(p []byte) (int, error) { return rand.Read(p) }

// NewLoginState makes a LoginState with a fresh state, nonce and PKCE
// verifier (32 random bytes each, base64url; RFC 7636 §4.1) for callbackURL.
func NewLoginState(callbackURL string, r io.Reader) (LoginState, error) {
	if r == nil {
		r = randReader{}
	}
	var out [3]string
	for i := range out {
		b := make([]byte, 32)
		if _, err := io.ReadFull(r, b); err != nil {
			return LoginState{}, fmt.Errorf("federation: random: %w", err)
		}
		out[i] = base64.RawURLEncoding.EncodeToString(b)
	}
	return LoginState{CallbackURL: callbackURL, State: out[0], Nonce: out[1], PKCEVerifier: out[2]}, nil
}

// maxCallbackBody bounds a form_post callback body; an authorization
// response is a few kilobytes (Apple's carries an ID token and the user).
const maxCallbackBody = 64 << 10

// CallbackState returns the state parameter of an authorization response,
// from the query or a form_post body, so the server can find the LoginState
// it stored. It returns "" when there is none.
func CallbackState(r *http.Request) string {
	form, err := callbackForm(r)
	if err != nil {
		return ""
	}
	return form.Get("state")
}

// ParseCallback checks an authorization response (RFC 6749 §4.1.2, or
// OAuth 2.0 Form Post Response Mode) against s and returns the code and all
// parameters. The state is checked first, in constant time, so an error
// answer is believed only for this login: a missing or other state matches
// ErrBadState, an error parameter is an *UpstreamError (ErrCancelled for
// access_denied), and a missing code ErrInvalidResponse.
func ParseCallback(r *http.Request, s LoginState) (code string, params url.Values, err error) {
	params, err = callbackForm(r)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", ErrInvalidResponse, err)
	}
	if len(params["state"]) != 1 || s.State == "" ||
		subtle.ConstantTimeCompare([]byte(params.Get("state")), []byte(s.State)) != 1 {
		return "", params, ErrBadState
	}
	if e := params.Get("error"); e != "" {
		desc := params.Get("error_description")
		if desc == "" {
			desc = params.Get("error_reason") // Facebook
		}
		return "", params, &UpstreamError{Code: e, Description: truncate(desc, 200)}
	}
	code = params.Get("code")
	if code == "" || len(params["code"]) != 1 {
		return "", params, fmt.Errorf("%w: no code in the callback", ErrInvalidResponse)
	}
	return code, params, nil
}

// callbackForm is the callback's parameters: the query for GET, the body
// for a form_post (the query is ignored then, so a parameter cannot be
// smuggled in beside the provider's).
func callbackForm(r *http.Request) (url.Values, error) {
	if r.Method == http.MethodPost {
		if r.PostForm == nil {
			if r.Body != nil {
				r.Body = http.MaxBytesReader(nil, r.Body, maxCallbackBody)
			}
			if err := r.ParseForm(); err != nil {
				return nil, err
			}
		}
		return r.PostForm, nil
	}
	if r.URL == nil {
		return url.Values{}, nil
	}
	return url.ParseQuery(r.URL.RawQuery)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
