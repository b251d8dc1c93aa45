//go:build unix

package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/storage/sqlstore"
)

// The crash test kills `gatehouse serve` with SIGKILL while browsers sign
// in through the hosted UI, then checks the database the way the next
// start finds it: SQLite's integrity check passes, every sign-in a browser
// was told succeeded has its auth event and SSO session, every failed one
// its event, and each lockout counter agrees with its events (they are
// written in one transaction). Then the server starts again on the same
// data and serves the flow.

const (
	crashPoolID   = "us-east-1_Crash0001"
	crashClientID = "crashspaclient0000000001"
	crashCallback = "http://127.0.0.1:9999/callback"
	crashPassword = "Crash-Passw0rd!"
	crashRounds   = 3
	crashSignIns  = 10 // acknowledged successful sign-ins per round before the kill
)

var (
	crashUsers   = []string{"ada", "brian", "carol", "dennis"} // sign in with the right password
	crashVictims = []string{"mallory", "trudy"}                // only ever with a wrong one
)

func crashConfig() string {
	var b strings.Builder
	fmt.Fprintf(&b, `pools:
  - name: crash
    id: %s
    clients:
      - name: spa
        id: %s
        callback_urls: [%s]
        allowed_oauth_flows: [code]
        allowed_oauth_scopes: [openid]
        allowed_oauth_flows_user_pool_client: true
        supported_identity_providers: [COGNITO]
    users:
`, crashPoolID, crashClientID, crashCallback)
	for _, u := range append(append([]string{}, crashUsers...), crashVictims...) {
		fmt.Fprintf(&b, "      - username: %s\n        password: %s\n", u, crashPassword)
	}
	return b.String()
}

// crashAcks is what the browsers were told, per username.
type crashAcks struct {
	mu        sync.Mutex
	successes map[string]int      // the form answered the redirect back to authorize
	events    map[string][]string // event_id of each ID token obtained
	failures  map[string]int      // the form answered "incorrect" or "too many attempts"
	round     atomic.Int64        // successes acknowledged in the current round
	errs      []string            // failures seen before the kill
}

func (a *crashAcks) add(f func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f()
}

// crashSignIn runs one browser through the code flow; right says whether
// it uses the right password. It returns an error only for something
// unexpected (or for the kill).
func crashSignIn(issuer, username string, right bool, acks *crashAcks) error {
	w := newWebClient()
	au, verifier := pkceAuthURL(issuer, crashClientID, crashCallback)
	pageURL, page, err := w.signInPage(au)
	if err != nil {
		return err
	}
	password := crashPassword
	if !right {
		password = "Wrong-" + crashPassword
	}
	resp, page, err := w.submit(pageURL, page, username, password)
	if err != nil {
		return err
	}
	if !right {
		if resp.StatusCode != http.StatusBadRequest ||
			!(strings.Contains(page, "Incorrect username or password.") || strings.Contains(page, "Too many failed attempts.")) {
			return fmt.Errorf("%s, wrong password: status %d: %.300s", username, resp.StatusCode, page)
		}
		acks.add(func() { acks.failures[username]++ })
		return nil
	}
	if !signedIn(resp) {
		return fmt.Errorf("%s: sign-in answered status %d: %.300s", username, resp.StatusCode, page)
	}
	acks.add(func() { acks.successes[username]++ })
	acks.round.Add(1)
	code, err := w.code(resp)
	if err != nil {
		return err
	}
	claims, err := w.exchange(issuer, crashClientID, crashCallback, code, verifier)
	if err != nil {
		return err
	}
	ev, _ := claims["event_id"].(string)
	if ev == "" || claims["cognito:username"] != username {
		return fmt.Errorf("%s: ID token claims %v", username, claims)
	}
	acks.add(func() { acks.events[username] = append(acks.events[username], ev) })
	return nil
}

func TestCmdCrashDuringSignIns(t *testing.T) {
	if testing.Short() {
		t.Skip("kills servers under load; not in -short")
	}
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	config := writeFile(t, dir, "crash.yaml", crashConfig())
	env := cleanEnv(adminEnv...)
	acks := &crashAcks{successes: map[string]int{}, events: map[string][]string{}, failures: map[string]int{}}

	for round := range crashRounds {
		p := startGatehouse(t, data, env, "--dev", "--config", config)
		issuer := p.base + "/" + crashPoolID
		// The restarted server serves the flow before any load.
		if err := crashSignIn(issuer, crashUsers[0], true, acks); err != nil {
			t.Fatalf("round %d: first sign-in after the start: %v\n%s", round, err, p.output.String())
		}
		acks.round.Store(0)

		var killed atomic.Bool
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		work := func(username string, right bool) {
			for ctx.Err() == nil {
				if err := crashSignIn(issuer, username, right, acks); err != nil {
					if !killed.Load() {
						acks.add(func() { acks.errs = append(acks.errs, err.Error()) })
					}
					return
				}
			}
		}
		for _, u := range crashUsers {
			wg.Go(func() { work(u, true) })
		}
		for _, v := range crashVictims {
			wg.Go(func() { work(v, false) })
		}

		deadline := time.Now().Add(40 * time.Second)
		for acks.round.Load() < crashSignIns && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		// Kill at a moment unrelated to any one request.
		time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
		killed.Store(true)
		p.signal(syscall.SIGKILL)
		code := p.wait(10 * time.Second)
		cancel()
		wg.Wait()
		if code != -1 {
			t.Fatalf("round %d: the server ended by itself (exit %d) before the kill:\n%s", round, code, p.output.String())
		}
		if len(acks.errs) > 0 {
			t.Fatalf("round %d: %d requests failed before the kill, first: %s\n%s", round, len(acks.errs), acks.errs[0], p.output.String())
		}
		if n := acks.round.Load(); n < crashSignIns {
			t.Fatalf("round %d: only %d sign-ins in 40s", round, n)
		}
		checkCrashData(t, filepath.Join(data, "gatehouse.db"), acks)
		t.Logf("round %d: killed after %d acknowledged sign-ins in the round; totals: successes %v, failures %v",
			round, acks.round.Load(), acks.successes, acks.failures)
	}

	// After the last kill: the server starts on the same data, serves the
	// flow, and stops cleanly; the data still checks out.
	p := startGatehouse(t, data, env, "--dev", "--config", config)
	for _, u := range crashUsers {
		if err := crashSignIn(p.base+"/"+crashPoolID, u, true, acks); err != nil {
			t.Fatalf("after the crashes: %v\n%s", err, p.output.String())
		}
	}
	p.stop()
	checkCrashData(t, filepath.Join(data, "gatehouse.db"), acks)
}

// checkCrashData opens the database of a dead server and checks it
// against what the browsers were told.
func checkCrashData(t *testing.T, path string, acks *crashAcks) {
	t.Helper()
	ctx := t.Context()
	acks.mu.Lock()
	defer acks.mu.Unlock()

	// The file as the kill left it (opening it replays the WAL).
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q, %v", check, err)
	}
	// SSO sessions have no list method; read their rows.
	sessions := map[string]map[string]int{} // sub → event id → sessions
	rows, err := db.QueryContext(ctx, "SELECT data FROM sessions WHERE pool_id = ?", crashPoolID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var raw string
		var s storage.Session
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			t.Fatalf("session row %q: %v", raw, err)
		}
		if sessions[s.Sub] == nil {
			sessions[s.Sub] = map[string]int{}
		}
		sessions[s.Sub][s.EventID]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	db.Close()

	st, err := sqlstore.Open(ctx, path, sqlstore.Options{})
	if err != nil {
		t.Fatalf("reopen after the kill: %v", err)
	}
	defer st.Close()
	users, err := st.ListUsers(ctx, crashPoolID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*storage.User{}
	for _, u := range users {
		byName[u.Username] = u
	}
	for _, name := range crashUsers {
		u := byName[name]
		if u == nil {
			t.Fatalf("user %s is gone", name)
		}
		events, err := st.ListAuthEvents(ctx, crashPoolID, u.Sub, 0)
		if err != nil {
			t.Fatal(err)
		}
		pass := map[string]bool{}
		for _, e := range events {
			if e.Response == "Pass" && e.Type == "SignIn" {
				pass[e.ID] = true
			}
		}
		if len(pass) < acks.successes[name] {
			t.Errorf("%s: %d successful sign-ins acknowledged, %d Pass events stored", name, acks.successes[name], len(pass))
		}
		n := 0
		for _, c := range sessions[u.Sub] {
			n += c
		}
		if n < acks.successes[name] {
			t.Errorf("%s: %d successful sign-ins acknowledged, %d SSO sessions stored", name, acks.successes[name], n)
		}
		for _, ev := range acks.events[name] {
			if !pass[ev] {
				t.Errorf("%s: the auth event %s of an ID token is lost", name, ev)
			}
			if sessions[u.Sub][ev] != 1 {
				t.Errorf("%s: %d SSO sessions for event %s, want 1", name, sessions[u.Sub][ev], ev)
			}
		}
	}
	for _, name := range crashVictims {
		u := byName[name]
		if u == nil {
			t.Fatalf("user %s is gone", name)
		}
		events, err := st.ListAuthEvents(ctx, crashPoolID, u.Sub, 0)
		if err != nil {
			t.Fatal(err)
		}
		fails, wrong := 0, 0
		for _, e := range events {
			if e.Response == "Pass" {
				t.Errorf("%s signed in with a wrong password: %+v", name, e)
			}
			if e.Response == "Fail" {
				fails++
			}
			if e.Reason == "wrong password" {
				wrong++
			}
		}
		if fails < acks.failures[name] {
			t.Errorf("%s: %d failed sign-ins acknowledged, %d Fail events stored", name, acks.failures[name], fails)
		}
		// The counter and the event of a wrong password are one transaction.
		if u.FailedSignIns != wrong {
			t.Errorf("%s: lockout counter %d, but %d wrong-password events", name, u.FailedSignIns, wrong)
		}
		if acks.failures[name] > 0 && u.FailedSignIns == 0 {
			t.Errorf("%s: failures acknowledged but no lockout counter", name)
		}
	}
}
