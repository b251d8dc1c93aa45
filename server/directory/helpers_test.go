package directory

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/secret"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/storage/sqlstore"
)

// cheapArgon keeps hashing fast in tests; DefaultArgon2 is exercised where
// the parameters themselves matter.
var cheapArgon = Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}

// testDir is a Directory over a real SQLite store in t.TempDir(), with a
// clock the test can move.
type testDir struct {
	*Directory
	store  *sqlstore.Store
	path   string
	sealer *secret.Sealer
	now    time.Time
}

func newTestDir(t testing.TB) *testDir {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	st, err := sqlstore.Open(context.Background(), path, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sealer, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize), nil)
	if err != nil {
		t.Fatal(err)
	}
	td := &testDir{store: st, path: path, sealer: sealer, now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	td.Directory = New(Config{Store: st, Sealer: sealer, Argon2: cheapArgon, Now: func() time.Time { return td.now }})
	return td
}

// pool creates a pool; edit adjusts the request first.
func (td *testDir) pool(t testing.TB, edit func(*storage.Pool)) *storage.Pool {
	t.Helper()
	p := &storage.Pool{Name: "test"}
	if edit != nil {
		edit(p)
	}
	p, err := td.CreatePool(context.Background(), p, "")
	if err != nil {
		t.Fatalf("create pool: %v", err)
	}
	return p
}

// wantKind checks that err is a domain error of kind k (0: no error).
func wantKind(t testing.TB, err error, k Kind) {
	t.Helper()
	if k == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want kind %d", k)
	}
	var e *Error
	if !errors.As(err, &e) || e.Kind != k {
		t.Fatalf("error %q (kind %d), want kind %d", err, KindOf(err), k)
	}
}
