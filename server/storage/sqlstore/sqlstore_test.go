package sqlstore

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/storage/storagetest"
)

// openTest opens a store on a fresh file in t.TempDir.
func openTest(t *testing.T, opts Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	s, err := Open(t.Context(), path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s, _ := openTest(t, Options{})
		return s
	})
}

// migrationVersions lists the numbers of the embedded migration files.
func migrationVersions(t *testing.T) []int {
	t.Helper()
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var vs []int
	for _, e := range entries {
		n, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			t.Fatalf("migration %s: %v", e.Name(), err)
		}
		vs = append(vs, n)
	}
	sort.Ints(vs)
	if len(vs) == 0 {
		t.Fatal("no migrations")
	}
	return vs
}

// appliedVersions reads schema_migrations through a plain connection.
func appliedVersions(t *testing.T, path string) []int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestOpenMigratesOnce(t *testing.T) {
	ctx := t.Context()
	want := migrationVersions(t)
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}
	if err := s.CreatePool(ctx, &storage.Pool{ID: "p1", Name: "kept"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := appliedVersions(t, path); !equalInts(got, want) {
		t.Fatalf("after first Open: versions %v, want %v", got, want)
	}
	for i := range 2 {
		s, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		p, err := s.GetPool(ctx, "p1")
		if err != nil || p.Name != "kept" {
			t.Fatalf("reopen %d: pool %+v, %v", i, p, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if got := appliedVersions(t, path); !equalInts(got, want) {
			t.Fatalf("after reopen %d: versions %v, want %v", i, got, want)
		}
	}
}

func TestOpenConcurrent(t *testing.T) {
	// Two processes starting on a new database both see no migrations
	// applied; only one may apply them, and neither may fail.
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			s, err := Open(t.Context(), path, Options{})
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
		}
	}
	if got, want := appliedVersions(t, path), migrationVersions(t); !equalInts(got, want) {
		t.Fatalf("versions %v, want %v", got, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// pragma reads a pragma on the store's writer connection.
func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestOpenSynchronous(t *testing.T) {
	for _, c := range []struct {
		name    string
		value   string
		want    string // PRAGMA synchronous: 1 NORMAL, 2 FULL
		wantErr bool
	}{
		{"default", "", "1", false},
		{"normal", "NORMAL", "1", false},
		{"lower case", "normal", "1", false},
		{"full", "FULL", "2", false},
		{"full lower case", "full", "2", false},
		{"off is unsafe", "OFF", "", true},
		{"extra", "EXTRA", "", true},
		{"number", "1", "", true},
		{"injection", "NORMAL) ; DROP TABLE users; (", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "gatehouse.db")
			s, err := Open(t.Context(), path, Options{Synchronous: c.value})
			if c.wantErr {
				if err == nil {
					s.Close()
					t.Fatalf("Open accepted synchronous %q", c.value)
				}
				if _, statErr := os.Stat(path); statErr == nil {
					t.Fatalf("a refused Open created %s", path)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			for _, db := range []*sql.DB{s.write, s.read} {
				if got := pragma(t, db, "synchronous"); got != c.want {
					t.Fatalf("synchronous = %s, want %s", got, c.want)
				}
				if got := pragma(t, db, "journal_mode"); got != "wal" {
					t.Fatalf("journal_mode = %s, want wal", got)
				}
				if got := pragma(t, db, "busy_timeout"); got == "0" {
					t.Fatal("no busy timeout")
				}
			}
			if got := pragma(t, s.read, "query_only"); got != "1" {
				t.Fatalf("readers: query_only = %s, want 1", got)
			}
		})
	}
}

func TestOpenBadPath(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database\n", 512)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, path string }{
		{"empty", ""},
		{"memory", ":memory:"},
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "x.db")},
		{"a directory", dir},
		{"not a database", garbage},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("Open panicked: %v", p)
				}
			}()
			s, err := Open(t.Context(), c.path, Options{})
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", c.path)
			}
		})
	}
}

func TestOpenReaders(t *testing.T) {
	// One reader is enough, even with a read running beside a transaction.
	s, _ := openTest(t, Options{Readers: 1})
	ctx := t.Context()
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.CreatePool(ctx, &storage.Pool{ID: "p1"}); err != nil {
			return err
		}
		_, err := s.GetPool(context.WithoutCancel(t.Context()), "p1") // outside the tx
		if err == nil {
			t.Error("a read outside the transaction saw its uncommitted write")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetPool(ctx, "p1"); err != nil {
		t.Fatalf("after commit: %v", err)
	}
}

func TestTransactional(t *testing.T) {
	// fosite's storage.Transactional: BeginTX, then Commit or Rollback.
	s, _ := openTest(t, Options{})
	ctx := t.Context()

	txCtx, err := s.BeginTX(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginTX(txCtx); err == nil {
		t.Fatal("BeginTX nested in an open transaction")
	}
	if err := s.CreatePool(txCtx, &storage.Pool{ID: "rolled-back"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Rollback(txCtx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetPool(ctx, "rolled-back"); err == nil {
		t.Fatal("Rollback kept the write")
	}

	txCtx, err = s.BeginTX(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePool(txCtx, &storage.Pool{ID: "committed"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(txCtx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetPool(ctx, "committed"); err != nil {
		t.Fatalf("Commit lost the write: %v", err)
	}
	if err := s.Commit(ctx); err == nil {
		t.Fatal("Commit without a transaction")
	}
	if err := s.Rollback(ctx); err == nil {
		t.Fatal("Rollback without a transaction")
	}
}
