//go:build unix

package sqlstore

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// The crash test re-executes the test binary as a child that commits
// transactions as fast as it can and reports each one on stdout after
// InTx returns; the parent kills it with SIGKILL at a random moment,
// reopens the database and checks that every reported transaction is there
// whole, that no transaction is there in part, and that SQLite's
// integrity check passes. WAL with synchronous=NORMAL promises exactly
// this for a killed process (not for a power cut).

const (
	crashChildEnv = "GATEHOUSE_CRASH_CHILD"
	crashDBEnv    = "GATEHOUSE_CRASH_DB"
	crashStartEnv = "GATEHOUSE_CRASH_START"
	crashPool     = "crash"
	crashGroup    = "everyone"
	crashRounds   = 5
	// crashPad makes each transaction span several pages, so that a torn
	// write would have somewhere to tear.
	crashPad = 6000
)

func crashSub(seq int) string { return fmt.Sprintf("u%09d", seq) }

// crashTx is one transaction of the child: four writes over four tables.
func crashTx(ctx context.Context, s *Store, seq int) error {
	sub := crashSub(seq)
	u := &storage.User{
		PoolID: crashPool, Sub: sub, Username: sub, UsernameKey: sub, EmailKey: sub + "@example.com",
		Status: storage.StatusUnconfirmed, Enabled: true,
		Attributes: map[string]string{"sub": sub, "pad": strings.Repeat("x", crashPad)},
		CreatedAt:  time.Now(),
	}
	if err := s.CreateUser(ctx, u); err != nil {
		return err
	}
	if err := s.AddUserToGroup(ctx, crashPool, crashGroup, sub); err != nil {
		return err
	}
	if err := s.CreateAuthEvent(ctx, &storage.AuthEvent{
		PoolID: crashPool, ID: "e" + sub, Sub: sub, Type: "SignUp", Response: "Pass", CreatedAt: time.Now(),
	}); err != nil {
		return err
	}
	u.Status = storage.StatusConfirmed
	return s.UpdateUser(ctx, u)
}

// TestCrashChild is the child half of TestCrash; alone it skips.
func TestCrashChild(t *testing.T) {
	if os.Getenv(crashChildEnv) != "1" {
		t.Skip("the child of TestCrash")
	}
	start, err := strconv.Atoi(os.Getenv(crashStartEnv))
	if err != nil {
		t.Fatal(err)
	}
	// An orphan (its parent gone) stops by itself.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, os.Getenv(crashDBEnv), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for seq := start; ctx.Err() == nil; seq++ {
		if err := s.InTx(ctx, func(ctx context.Context) error { return crashTx(ctx, s, seq) }); err != nil {
			t.Fatal(err)
		}
		// os.Stdout is unbuffered: the line is in the pipe when this returns.
		fmt.Fprintf(os.Stdout, "%d\n", seq)
	}
}

func TestCrash(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("in the child")
	}
	if testing.Short() {
		t.Skip("kills child processes; not in -short")
	}
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "crash.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePool(ctx, &storage.Pool{ID: crashPool}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateGroup(ctx, &storage.Group{PoolID: crashPool, Name: crashGroup}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	reported := map[string]bool{}
	for round := range crashRounds {
		var stdout firstLine
		var stderr bytes.Buffer
		stdout.seen = make(chan struct{})
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"=1", crashDBEnv+"="+path,
			crashStartEnv+"="+strconv.Itoa(round*10_000_000))
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill() }) // in case a check below fails first
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		// The clock starts at the first commit, so that a slow start (a
		// race-enabled binary) still leaves the child time to write.
		select {
		case <-stdout.seen:
		case <-exited:
			t.Fatalf("round %d: the child ended before its first commit (%v):\n%s%s", round, cmd.ProcessState, stdout.String(), stderr.Bytes())
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: no commit in 30s", round)
		}
		wait := time.Duration(200+rand.IntN(400)) * time.Millisecond
		time.Sleep(wait)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("round %d: kill: %v", round, err)
		}
		<-exited // the error is "signal: killed"; the status is checked next
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: the child ended by itself (%v):\n%s%s", round, cmd.ProcessState, stdout.String(), stderr.Bytes())
		}

		// Only whole lines count: a line cut by the kill was not reported.
		out := stdout.String()
		n := 0
		for _, line := range strings.SplitAfter(out, "\n") {
			if !strings.HasSuffix(line, "\n") {
				continue
			}
			seq, err := strconv.Atoi(strings.TrimSuffix(line, "\n"))
			if err != nil {
				continue // the testing package's own lines
			}
			reported[crashSub(seq)] = true
			n++
		}
		users := checkCrashDB(t, path, reported)
		// At most one transaction per round can have committed without
		// being reported: the one in flight at the kill.
		if users > len(reported)+round+1 {
			t.Fatalf("round %d: %d users but only %d reported", round, users, len(reported))
		}
		t.Logf("round %d: killed after %v, %d commits reported, %d users in all", round, wait, n, users)
	}
	if len(reported) == 0 {
		t.Fatal("the child never committed before it was killed")
	}
}

// firstLine is the child's stdout; seen closes at the first whole line.
type firstLine struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	seen chan struct{}
	once sync.Once
}

func (w *firstLine) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if bytes.IndexByte(p, '\n') >= 0 {
		w.once.Do(func() { close(w.seen) })
	}
	return w.buf.Write(p)
}

func (w *firstLine) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// checkCrashDB reopens the database after a kill and checks it; it
// returns the number of users.
func checkCrashDB(t *testing.T, path string, reported map[string]bool) int {
	t.Helper()
	ctx := t.Context()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()

	var check string
	if err := s.write.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q, %v", check, err)
	}

	users, err := s.ListUsers(ctx, crashPool, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	members, err := s.ListUsersInGroup(ctx, crashPool, crashGroup, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	inGroup := map[string]bool{}
	for _, u := range members {
		inGroup[u.Sub] = true
	}
	withEvent := map[string]bool{}
	rows, err := s.read.QueryContext(ctx, `SELECT sub FROM auth_events WHERE pool_id = ?`, crashPool)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var sub string
		if err := rows.Scan(&sub); err != nil {
			t.Fatal(err)
		}
		withEvent[sub] = true
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}

	present := map[string]bool{}
	for _, u := range users {
		present[u.Sub] = true
		// Every write of the transaction, or none.
		if u.Status != storage.StatusConfirmed || u.Version != 2 || len(u.Attributes["pad"]) != crashPad {
			t.Fatalf("user %s is half written: status %s, version %d, pad %d", u.Sub, u.Status, u.Version, len(u.Attributes["pad"]))
		}
		if !inGroup[u.Sub] {
			t.Fatalf("user %s has no group membership", u.Sub)
		}
		if !withEvent[u.Sub] {
			t.Fatalf("user %s has no auth event", u.Sub)
		}
		if got, err := s.GetUserByEmailKey(ctx, crashPool, u.Sub+"@example.com"); err != nil || got.Sub != u.Sub {
			t.Fatalf("user %s not found by its email key: %v", u.Sub, err)
		}
	}
	if len(members) != len(users) || len(withEvent) != len(users) {
		t.Fatalf("%d users, %d members, %d events: a transaction is there in part", len(users), len(members), len(withEvent))
	}
	for sub := range reported {
		if !present[sub] {
			t.Fatalf("committed and reported %s is lost", sub)
		}
	}
	return len(users)
}
