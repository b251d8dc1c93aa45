package federationtest

import (
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/federation"
)

// CallbackURL is the redirect_uri the suite uses; register it with the
// upstream's client. Nothing listens there: the Browser stops at it.
const CallbackURL = "http://127.0.0.1:1/pool/oauth2/idpresponse"

// Clock is a settable clock for Env.Now.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at the current time.
func NewClock() *Clock { return &Clock{t: time.Now()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// ProviderTest describes a connector and its upstream for RunProviderTests.
type ProviderTest struct {
	// Open opens the connector under test (with a ProviderConfig.Name),
	// configured for Upstream, with env (its Now is the suite's clock, its CallbackURL CallbackURL, and
	// for SAML the ACS URL StopAt of the browser).
	Open func(t *testing.T, env federation.Env) federation.Connector
	// Env is the base Env; the suite sets Now, CallbackURL and ReplayCache.
	Env      federation.Env
	Upstream Upstream
	// Username and Password sign in at the upstream's login form.
	Username, Password string
	// Check inspects the identity of a good sign-in.
	Check func(t *testing.T, id federation.Identity)
	// Signed: the upstream signs what it sends (ID token or assertion), so
	// the bad-signature and expiry cases run; Nonce: the nonce case runs.
	Signed bool
	Nonce  bool
	// Cancel: the upstream's login page has action=cancel.
	Cancel bool
	// DownAtLogin: the connector contacts the upstream before the browser
	// is sent there (discovery, metadata), so a connector opened while the
	// upstream is down fails at LoginURL or AuthnRequest.
	DownAtLogin bool
}

// RunProviderTests is the conformance suite of a connector, redirect or
// SAML: a full sign-in, then each failure a server must map to a page,
// checked to match its federation sentinel.
func RunProviderTests(t *testing.T, pt ProviderTest) {
	t.Helper()
	open := func(t *testing.T) (federation.Connector, *Clock) {
		t.Helper()
		clock := NewClock()
		env := pt.Env
		env.Now = clock.Now
		if env.CallbackURL == "" {
			env.CallbackURL = CallbackURL
		}
		env.ReplayCache = federation.NewMemoryReplayCache(clock.Now)
		c := pt.Open(t, env)
		return c, clock
	}
	c, _ := open(t)
	switch c.(type) {
	case federation.RedirectConnector:
		runRedirect(t, pt, open)
	case federation.SAMLConnector:
		runSAML(t, pt, open)
	default:
		t.Fatalf("federationtest: %T is neither a RedirectConnector nor a SAMLConnector", c)
	}
}

type opener func(t *testing.T) (federation.Connector, *Clock)

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want one matching %q", err, want)
	}
}

func runRedirect(t *testing.T, pt ProviderTest, open opener) {
	// signIn runs LoginURL and the upstream's pages; it returns the
	// callback arrival unsent.
	signIn := func(t *testing.T, c federation.RedirectConnector, st federation.LoginState, cancel bool) *Arrival {
		t.Helper()
		u, err := c.LoginURL(t.Context(), st)
		if err != nil {
			t.Fatalf("LoginURL: %v", err)
		}
		b := NewBrowser(CallbackURL, pt.Username, pt.Password)
		b.Cancel = cancel
		a, err := b.Visit(t.Context(), u)
		if err != nil {
			t.Fatalf("upstream sign-in: %v (pages %v)", err, b.Pages)
		}
		return a
	}
	newState := func(t *testing.T) federation.LoginState {
		st, err := federation.NewLoginState(CallbackURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	conn := func(t *testing.T) (federation.RedirectConnector, *Clock) {
		c, clock := open(t)
		return c.(federation.RedirectConnector), clock
	}
	reset := func(t *testing.T) {
		pt.Upstream.SetFault(NoFault)
		t.Cleanup(func() { pt.Upstream.SetFault(NoFault) })
	}

	t.Run("sign-in", func(t *testing.T) {
		reset(t)
		c, _ := conn(t)
		st := newState(t)
		u, err := c.LoginURL(t.Context(), st)
		if err != nil {
			t.Fatal(err)
		}
		lu, _ := url.Parse(u)
		q := lu.Query()
		if q.Get("state") != st.State || q.Get("redirect_uri") != CallbackURL || q.Get("response_type") != "code" {
			t.Fatalf("login URL lacks state, redirect_uri or response_type=code: %s", u)
		}
		if st.PKCEVerifier != "" && (q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256") {
			t.Fatalf("login URL lacks the PKCE challenge: %s", u)
		}
		if pt.Nonce && q.Get("nonce") != st.Nonce {
			t.Fatalf("login URL lacks the nonce: %s", u)
		}
		a := signIn(t, c, st, false)
		id, err := c.HandleCallback(t.Context(), st, a.Request())
		if err != nil {
			t.Fatalf("HandleCallback: %v", err)
		}
		if id.Subject == "" || id.ProviderType != c.Type() || id.ProviderName == "" || id.Issuer == "" || id.AccessToken == "" {
			t.Fatalf("incomplete identity: %+v", id)
		}
		if pt.Check != nil {
			pt.Check(t, id)
		}
		t.Run("code replayed", func(t *testing.T) {
			_, err := c.HandleCallback(t.Context(), st, a.Request())
			wantErr(t, err, federation.ErrUpstreamError)
		})
	})
	t.Run("state mismatch", func(t *testing.T) {
		reset(t)
		c, _ := conn(t)
		st := newState(t)
		a := signIn(t, c, st, false)
		other := st
		other.State = newState(t).State
		_, err := c.HandleCallback(t.Context(), other, a.Request())
		wantErr(t, err, federation.ErrBadState)
	})
	if pt.Nonce {
		t.Run("nonce mismatch", func(t *testing.T) {
			reset(t)
			c, _ := conn(t)
			st := newState(t)
			a := signIn(t, c, st, false)
			other := st
			other.Nonce = newState(t).Nonce
			_, err := c.HandleCallback(t.Context(), other, a.Request())
			wantErr(t, err, federation.ErrBadNonce)
		})
	}
	if pt.Signed {
		t.Run("bad signature", func(t *testing.T) {
			reset(t)
			c, _ := conn(t)
			st := newState(t)
			pt.Upstream.SetFault(FaultBadSignature)
			a := signIn(t, c, st, false)
			_, err := c.HandleCallback(t.Context(), st, a.Request())
			wantErr(t, err, federation.ErrBadSignature)
		})
		t.Run("expired token", func(t *testing.T) {
			reset(t)
			c, _ := conn(t)
			st := newState(t)
			pt.Upstream.SetFault(FaultExpired)
			a := signIn(t, c, st, false)
			_, err := c.HandleCallback(t.Context(), st, a.Request())
			wantErr(t, err, federation.ErrExpired)
		})
	}
	t.Run("upstream down", func(t *testing.T) {
		reset(t)
		c, _ := conn(t)
		st := newState(t)
		a := signIn(t, c, st, false)
		pt.Upstream.SetFault(FaultDown)
		_, err := c.HandleCallback(t.Context(), st, a.Request())
		wantErr(t, err, federation.ErrUpstreamUnavailable)
	})
	if pt.DownAtLogin {
		t.Run("upstream down at login", func(t *testing.T) {
			reset(t)
			c, _ := conn(t)
			pt.Upstream.SetFault(FaultDown)
			_, err := c.LoginURL(t.Context(), newState(t))
			wantErr(t, err, federation.ErrUpstreamUnavailable)
			pt.Upstream.SetFault(NoFault)
			if _, err := c.LoginURL(t.Context(), newState(t)); err != nil {
				t.Fatalf("no recovery once the upstream is back: %v", err)
			}
		})
	}
	if pt.Cancel {
		t.Run("user cancelled", func(t *testing.T) {
			reset(t)
			c, _ := conn(t)
			st := newState(t)
			a := signIn(t, c, st, true)
			_, err := c.HandleCallback(t.Context(), st, a.Request())
			wantErr(t, err, federation.ErrCancelled)
		})
	}
}

func runSAML(t *testing.T, pt ProviderTest, open opener) {
	acs := pt.Env.ACSURL
	if acs == "" {
		t.Fatal("federationtest: a SAML ProviderTest needs Env.ACSURL")
	}
	conn := func(t *testing.T) (federation.SAMLConnector, *Clock) {
		c, clock := open(t)
		return c.(federation.SAMLConnector), clock
	}
	reset := func(t *testing.T) {
		pt.Upstream.SetFault(NoFault)
		t.Cleanup(func() { pt.Upstream.SetFault(NoFault) })
	}
	signIn := func(t *testing.T, c federation.SAMLConnector) (*Arrival, string) {
		t.Helper()
		msg, err := c.AuthnRequest(t.Context(), federation.SAMLOptions{RelayState: "rs-1"})
		if err != nil {
			t.Fatalf("AuthnRequest: %v", err)
		}
		if msg.ID == "" {
			t.Fatal("AuthnRequest: no request ID")
		}
		b := NewBrowser(acs, pt.Username, pt.Password)
		var a *Arrival
		if msg.RedirectURL != "" {
			a, err = b.Visit(t.Context(), msg.RedirectURL)
		} else {
			a, err = b.SubmitPage(t.Context(), acs, msg.PostForm)
		}
		if err != nil {
			t.Fatalf("IdP sign-in: %v (pages %v)", err, b.Pages)
		}
		if a.Form.Get("RelayState") != "rs-1" {
			t.Fatalf("RelayState not returned: %q", a.Form.Get("RelayState"))
		}
		return a, msg.ID
	}
	t.Run("sign-in", func(t *testing.T) {
		reset(t)
		c, _ := conn(t)
		md, err := c.Metadata()
		if err != nil || !strings.Contains(string(md), "EntityDescriptor") {
			t.Fatalf("Metadata: %v %.200s", err, md)
		}
		a, reqID := signIn(t, c)
		id, err := c.HandleResponse(t.Context(), a.Request(), []string{reqID})
		if err != nil {
			t.Fatalf("HandleResponse: %v", err)
		}
		issuer, err := c.IDPEntityID(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if id.Subject == "" || id.ProviderType != federation.TypeSAML || id.ProviderName == "" || id.Issuer != issuer || id.SAML == nil || id.SAML.InResponseTo != reqID {
			t.Fatalf("incomplete identity: %+v", id)
		}
		if pt.Check != nil {
			pt.Check(t, id)
		}
		t.Run("replayed assertion", func(t *testing.T) {
			_, err := c.HandleResponse(t.Context(), a.Request(), []string{reqID})
			wantErr(t, err, federation.ErrReplayed)
		})
	})
	t.Run("request ID mismatch", func(t *testing.T) {
		reset(t)
		c, _ := conn(t)
		a, _ := signIn(t, c)
		_, err := c.HandleResponse(t.Context(), a.Request(), []string{"id-other"})
		wantErr(t, err, federation.ErrBadState)
	})
	t.Run("bad signature", func(t *testing.T) {
		reset(t)
		c, _ := conn(t)
		pt.Upstream.SetFault(FaultBadSignature)
		a, reqID := signIn(t, c)
		_, err := c.HandleResponse(t.Context(), a.Request(), []string{reqID})
		wantErr(t, err, federation.ErrBadSignature)
	})
	t.Run("expired assertion", func(t *testing.T) {
		reset(t)
		c, clock := conn(t)
		a, reqID := signIn(t, c)
		clock.Advance(25 * time.Hour)
		_, err := c.HandleResponse(t.Context(), a.Request(), []string{reqID})
		wantErr(t, err, federation.ErrExpired)
	})
	if pt.DownAtLogin {
		t.Run("upstream down at login", func(t *testing.T) {
			reset(t)
			c, _ := conn(t)
			pt.Upstream.SetFault(FaultDown)
			_, err := c.AuthnRequest(t.Context(), federation.SAMLOptions{})
			wantErr(t, err, federation.ErrUpstreamUnavailable)
			pt.Upstream.SetFault(NoFault)
			if _, err := c.AuthnRequest(t.Context(), federation.SAMLOptions{}); err != nil {
				t.Fatalf("no recovery once the IdP is back: %v", err)
			}
		})
	}
}
