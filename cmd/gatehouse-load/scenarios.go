package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gatehouse-id/gatehouse/server/srp"
)

// scenario is one kind of operation the load tool repeats. An operation
// may take several requests (SRP: two; the hosted UI: five).
type scenario struct {
	name     string
	what     string // for the report
	requests int    // HTTP requests per operation
	// signatures is how many RS256 signatures an operation needs, hashes
	// how many argon2id password hashes, srp how many SRP server
	// exchanges: the work the report compares the CPU time with.
	signatures, hashes, srp int
	// prepare, when set, makes what the operations consume (codes) for as
	// long as the scenario will run.
	prepare func(ctx context.Context, e *env, o *options) (any, error)
	op      func(ctx context.Context, w *worker) error
	// plainGet is a scenario whose op is worker.get: the lean client
	// serves it unless -lean=false.
	plainGet bool
	// noWarmup measures from the first operation: its prepared inputs
	// are counted for the measured window, and a warm-up would spend
	// them (with cheap test hashes, all of them).
	noWarmup bool
}

// worker is one concurrent loop of a scenario.
type worker struct {
	e     *env
	id    int
	n     int // operations this worker has started
	state any // the scenario's prepared state
	lean  *leanGet
}

// get is env.getOK, through the worker's own lean keep-alive connection
// when -lean is set (the default).
func (w *worker) get(ctx context.Context, u, bearer string) error {
	if !w.e.lean {
		return w.e.getOK(ctx, u, bearer)
	}
	if w.lean == nil {
		g, err := newLeanGet(u, bearer, w.e.client.Timeout)
		if err != nil {
			return err
		}
		w.lean = g
	}
	return w.lean.get()
}

// close drops the worker's lean connection, if any.
func (w *worker) close() {
	if w.lean != nil {
		w.lean.close()
	}
}

// user picks the users round-robin across workers, so concurrent sign-ins
// rarely share a user.
func (w *worker) user() string {
	w.n++
	return w.e.users[(w.id*7919+w.n)%len(w.e.users)]
}

func (w *worker) tokens() tokenSet {
	return w.e.userTokens[(w.id+w.n)%len(w.e.userTokens)]
}

var scenarios = []*scenario{
	{name: "client_credentials", what: "POST /oauth2/token grant_type=client_credentials (HTTP Basic)", requests: 1, signatures: 1,
		op: func(ctx context.Context, w *worker) error {
			_, err := w.e.token(ctx, url.Values{"grant_type": {"client_credentials"}, "scope": {customScope}}, w.e.m2mID, w.e.m2mSecret)
			return err
		}},
	{name: "refresh_token", what: "POST /oauth2/token grant_type=refresh_token (public client, no rotation)", requests: 1, signatures: 2,
		op: func(ctx context.Context, w *worker) error {
			w.n++
			_, err := w.e.token(ctx, url.Values{"grant_type": {"refresh_token"}, "client_id": {w.e.appID},
				"refresh_token": {w.tokens().Refresh}}, "", "")
			return err
		}},
	{name: "code_exchange", what: "POST /oauth2/token grant_type=authorization_code with PKCE (codes made beforehand)", requests: 1, signatures: 2,
		prepare: prepareCodes,
		op: func(ctx context.Context, w *worker) error {
			var c pendingCode
			select {
			case c = <-w.state.(chan pendingCode):
			default:
				return errExhausted
			}
			_, err := w.e.exchange(ctx, c.code, c.verifier)
			return err
		}},
	{name: "password", what: "InitiateAuth USER_PASSWORD_AUTH", requests: 1, signatures: 2, hashes: 1,
		op: func(ctx context.Context, w *worker) error {
			_, err := w.e.passwordSignIn(ctx, w.user())
			return err
		}},
	{name: "srp", what: "InitiateAuth USER_SRP_AUTH + RespondToAuthChallenge PASSWORD_VERIFIER", requests: 2, signatures: 2, srp: 1,
		op: srpSignIn},
	{name: "hosted_ui", what: "authorize → sign-in page → form POST → authorize → code → token; each a new browser (cookie jar, connection, loopback address)", requests: 5, signatures: 2, hashes: 1,
		op: func(ctx context.Context, w *worker) error {
			// A new browser: a fresh cookie jar, and a connection from
			// another loopback address, as many people signing in from
			// many addresses (the hosted UI limits sign-ins per address).
			tr := w.e.browserTransport()
			defer tr.CloseIdleConnections()
			c := &http.Client{Transport: tr, Jar: newJar(), Timeout: w.e.client.Timeout, CheckRedirect: noRedirects}
			_, err := w.e.hostedUISignInWith(ctx, c, w.user())
			return err
		}},
	{name: "hosted_ui_form", what: "the hosted UI's sign-in form POST alone (authorize and sign-in page fetched beforehand, each by a new browser)", requests: 1, hashes: 1,
		prepare: prepareSignInForms, noWarmup: true,
		op: func(ctx context.Context, w *worker) error {
			var f pendingForm
			select {
			case f = <-w.state.(chan pendingForm):
			default:
				return errExhausted
			}
			defer f.client.CloseIdleConnections()
			loc, err := w.e.submit(ctx, f)
			// Signed in, the form answers a redirect back to /oauth2/authorize.
			if err == nil && !strings.Contains(loc.Path, "/oauth2/authorize") {
				err = fmt.Errorf("sign-in form: redirected to %s", loc.Path)
			}
			return err
		}},
	{name: "discovery", what: "GET /.well-known/openid-configuration", requests: 1, plainGet: true,
		op: func(ctx context.Context, w *worker) error {
			return w.get(ctx, w.e.issuer+"/.well-known/openid-configuration", "")
		}},
	{name: "jwks", what: "GET /.well-known/jwks.json", requests: 1, plainGet: true,
		op: func(ctx context.Context, w *worker) error {
			return w.get(ctx, w.e.issuer+"/.well-known/jwks.json", "")
		}},
	{name: "userinfo", what: "GET /oauth2/userInfo (Bearer access token of the code flow)", requests: 1, plainGet: true,
		op: func(ctx context.Context, w *worker) error {
			return w.get(ctx, w.e.issuer+"/oauth2/userInfo", w.e.webAccess)
		}},
	{name: "get_user", what: "GetUser (access token)", requests: 1,
		op: func(ctx context.Context, w *worker) error {
			w.n++
			return w.e.apiCall(ctx, "GetUser", map[string]string{"AccessToken": w.tokens().Access}, nil, false)
		}},
	{name: "admin_get_user", what: "AdminGetUser (SigV4-signed)", requests: 1,
		op: func(ctx context.Context, w *worker) error {
			return w.e.apiCall(ctx, "AdminGetUser", map[string]string{"UserPoolId": w.e.poolID, "Username": w.user()}, nil, true)
		}},
}

func scenarioNames() []string {
	var out []string
	for _, s := range scenarios {
		out = append(out, s.name)
	}
	return out
}

func scenarioByName(name string) *scenario {
	for _, s := range scenarios {
		if s.name == name {
			return s
		}
	}
	return nil
}

// errExhausted ends a scenario whose prepared inputs ran out.
var errExhausted = errors.New("prepared inputs exhausted")

// getOK GETs u (with a bearer token when given) and wants 200.
func (e *env) getOK(ctx context.Context, u, bearer string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := readAll(resp)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d: %.200s", req.URL.Path, resp.StatusCode, body)
	}
	return nil
}

// srpSignIn is the two steps of USER_SRP_AUTH, the client's modular
// exponentiations done here (they cost this process, not the server).
func srpSignIn(ctx context.Context, w *worker) error {
	e, user := w.e, w.user()
	c, err := srp.NewClient()
	if err != nil {
		return err
	}
	var ch authResult
	if err := e.apiCall(ctx, "InitiateAuth", map[string]any{"AuthFlow": "USER_SRP_AUTH", "ClientId": e.appID,
		"AuthParameters": map[string]string{"USERNAME": user, "SRP_A": c.PublicA()}}, &ch, false); err != nil {
		return err
	}
	if ch.ChallengeName != "PASSWORD_VERIFIER" {
		return fmt.Errorf("InitiateAuth USER_SRP_AUTH: challenge %q", ch.ChallengeName)
	}
	p := ch.ChallengeParameters
	stamp := time.Now().UTC().Format("Mon Jan 2 15:04:05 UTC 2006")
	claim, err := c.Claim(e.poolID, p["USER_ID_FOR_SRP"], loadPassword, p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], stamp)
	if err != nil {
		return err
	}
	var out authResult
	if err := e.apiCall(ctx, "RespondToAuthChallenge", map[string]any{"ChallengeName": "PASSWORD_VERIFIER", "ClientId": e.appID,
		"Session": ch.Session, "ChallengeResponses": map[string]string{"USERNAME": p["USER_ID_FOR_SRP"],
			"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": claim, "TIMESTAMP": stamp}}, &out, false); err != nil {
		return err
	}
	if out.AuthenticationResult == nil {
		return fmt.Errorf("RespondToAuthChallenge: challenge %q instead of tokens", out.ChallengeName)
	}
	return nil
}

type pendingCode struct{ code, verifier string }

// prepareCodes makes codes through the SSO session for as long as the
// scenario will run, at the scenario's concurrency: a code costs no
// signature, so more are made than the exchange can use up.
func prepareCodes(ctx context.Context, e *env, o *options) (any, error) {
	const maxCodes = 200_000
	codes := make(chan pendingCode, maxCodes)
	until := time.Now().Add(o.warmup + o.duration)
	var made atomic.Int64
	errc := make(chan error, o.concurrency)
	for range min(o.concurrency, 8) {
		go func() {
			c := &http.Client{Transport: e.transport, Jar: e.ssoJar, Timeout: e.client.Timeout, CheckRedirect: noRedirects}
			for time.Now().Before(until) && made.Load() < maxCodes && ctx.Err() == nil {
				u, verifier := e.authorizeURL()
				code, err := e.codeFrom(ctx, c, u, "")
				if err != nil {
					errc <- err
					return
				}
				made.Add(1)
				codes <- pendingCode{code, verifier}
			}
			errc <- nil
		}()
	}
	var first error
	for range min(o.concurrency, 8) {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	if made.Load() == 0 && first != nil {
		return nil, first
	}
	return codes, nil
}

// ---- small helpers ----

var (
	actionRe = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	csrfRe   = regexp.MustCompile(`name="(_csrf)" value="([^"]+)"`)
)

// pendingForm is a browser at the sign-in page: its client (cookie jar,
// own loopback address) and the filled-in form.
type pendingForm struct {
	client *http.Client
	action string
	form   url.Values
}

// prepareSignInForms opens sign-in pages as new browsers, for hosted_ui_form
// to post: authorize, then the page with its CSRF token. A page costs the
// server two requests and a parked authorize request; the hash bounds the
// posts at well under 200 a second here, so it prepares that many a second
// of the measured window (the scenario has no warm-up).
func prepareSignInForms(ctx context.Context, e *env, o *options) (any, error) {
	n := max(50, int(200*o.duration.Seconds()))
	forms := make(chan pendingForm, n)
	var next atomic.Int64
	errc := make(chan error, 8)
	workers := min(o.concurrency, 8)
	for range workers {
		go func() {
			for i := int(next.Add(1)); i <= n && ctx.Err() == nil; i = int(next.Add(1)) {
				tr := e.browserTransport()
				c := &http.Client{Transport: tr, Jar: newJar(), Timeout: e.client.Timeout, CheckRedirect: noRedirects}
				f, err := e.signInPage(ctx, c, e.users[i%len(e.users)])
				tr.CloseIdleConnections()
				if err != nil {
					errc <- err
					return
				}
				forms <- f
			}
			errc <- nil
		}()
	}
	var first error
	for range workers {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	if len(forms) == 0 && first != nil {
		return nil, first
	}
	return forms, nil
}

// signInPage follows a new authorize request's redirects to the sign-in
// page and fills its form for username.
func (e *env) signInPage(ctx context.Context, c *http.Client, username string) (pendingForm, error) {
	u, _ := e.authorizeURL()
	for range 4 {
		loc, page, err := e.step(ctx, c, u)
		if err != nil {
			return pendingForm{}, err
		}
		if page != nil {
			return page.form(c, username)
		}
		u = loc.String()
	}
	return pendingForm{}, errors.New("no sign-in page after four redirects")
}

// signInForm is the sign-in page's form action and fields.
func signInForm(pageURL *url.URL, page, username, password string) (string, url.Values, error) {
	m := actionRe.FindStringSubmatch(page)
	c := csrfRe.FindStringSubmatch(page)
	if m == nil || c == nil {
		return "", nil, fmt.Errorf("no sign-in form in page: %.200s", page)
	}
	action, err := pageURL.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	if err != nil {
		return "", nil, err
	}
	return action.String(), url.Values{"username": {username}, "password": {password}, c[1]: {c[2]}}, nil
}

func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil)
	return jar
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// readAll reads a response body of at most 1 MiB.
func readAll(resp *http.Response) ([]byte, error) {
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}
