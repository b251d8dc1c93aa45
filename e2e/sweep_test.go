package e2e

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// TestSweepExpired: the sweep deletes what has expired and nothing that
// still works: after ten minutes the used code and a parked request are
// gone while the refresh token and the SSO session still work; after a
// month they are gone too. /metrics counts the rows.
func TestSweepExpired(t *testing.T) {
	ts := newTestServer(t)
	f := ts.fixture(t)
	ctx := t.Context()
	r := newRP(t, f.issuer, f.client.ID, f.secret, f.callback)
	b := newBrowser(t)

	verifier := oauth2.GenerateVerifier()
	authURL := func() string {
		return r.conf.AuthCodeURL("state-sweep", oidc.Nonce("nonce-sweep"), oauth2.S256ChallengeOption(verifier))
	}
	q := authorize(t, b, authURL(), "alice", f.password)
	tok, err := r.conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	// A request parked by a browser that never signs in.
	if resp, page := newBrowser(t).get(authURL()); resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="password"`) {
		t.Fatalf("parked request: status %d", resp.StatusCode)
	}

	sweep := func() int {
		t.Helper()
		n, err := ts.SweepExpired(ctx)
		if err != nil {
			t.Fatalf("sweep: %v", err)
		}
		return n
	}
	if n := sweep(); n != 0 {
		t.Fatalf("nothing has expired yet, the sweep deleted %d rows", n)
	}

	ts.clock.Advance(10 * time.Minute)
	early := sweep()
	if early == 0 {
		t.Fatal("after ten minutes the used code and the parked request have expired; the sweep deleted nothing")
	}
	if _, err := r.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatalf("the refresh token stopped working after the sweep: %v", err)
	}
	if resp, _ := b.get(authURL()); !isRedirect(resp) {
		t.Fatalf("the SSO session did not survive the sweep: status %d", resp.StatusCode)
	}

	ts.clock.Advance(31 * 24 * time.Hour)
	late := sweep()
	if late == 0 {
		t.Fatal("after a month the session and the refresh token have expired; the sweep deleted nothing")
	}
	_, err = r.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	assertOAuthError(t, err, "invalid_grant")
	if resp, page := b.get(authURL()); resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="password"`) {
		t.Fatalf("after a month the browser should sign in again: status %d", resp.StatusCode)
	}
	if n := sweep(); n != 0 {
		t.Fatalf("a second sweep deleted %d rows", n)
	}

	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := "gatehouse_expired_rows_deleted_total " + strconv.Itoa(early+late) + "\n"
	if !strings.Contains(string(body), want) {
		t.Fatalf("/metrics lacks %q", want)
	}
}
