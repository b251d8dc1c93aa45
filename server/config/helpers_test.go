package config

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/federation"
	"github.com/gatehouse-id/gatehouse/federation/oidc"
	"github.com/gatehouse-id/gatehouse/federation/saml"
	"github.com/gatehouse-id/gatehouse/federation/social"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/secret"
	"github.com/gatehouse-id/gatehouse/server/storage/sqlstore"
)

const examplePath = "../../docs/gatehouse.example.yaml"

// testEnv is a real directory over a fresh SQLite store, with a clock that
// moves one second per reading so that any write shows in UpdatedAt.
type testEnv struct {
	dir    *directory.Directory
	store  *sqlstore.Store
	dbPath string
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "db")
	st, err := sqlstore.Open(t.Context(), dbPath, sqlstore.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	sealer, err := secret.New(bytes.Repeat([]byte{1}, 32), nil)
	if err != nil {
		t.Fatalf("sealer: %v", err)
	}
	var mu sync.Mutex
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	registry := federation.Registry{}
	oidc.Register(registry)
	saml.Register(registry)
	social.Register(registry)
	dir := directory.New(directory.Config{
		Store:    st,
		Sealer:   sealer,
		Registry: registry,
		// Cheap hashes: the tests hash a few passwords under -race.
		Argon2: directory.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1},
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			now = now.Add(time.Second)
			return now
		},
	})
	return &testEnv{dir: dir, store: st, dbPath: dbPath}
}

// dump returns every row of every table, sorted, as text: two dumps are
// equal when the database did not change.
func (e *testEnv) dump(t *testing.T) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+e.dbPath+"?mode=ro")
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	defer db.Close()
	tables, err := db.QueryContext(t.Context(), `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatalf("tables: %v", err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	var out strings.Builder
	for _, table := range names {
		rows, err := db.QueryContext(t.Context(), `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%s=%v ", cols[i], v)
			}
			lines = append(lines, b.String())
		}
		rows.Close()
		slices.Sort(lines)
		fmt.Fprintf(&out, "== %s (%d)\n%s\n", table, len(lines), strings.Join(lines, "\n"))
	}
	return out.String()
}

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return f
}

func mustApply(t *testing.T, e *testEnv, f *File, opts ApplyOptions) Result {
	t.Helper()
	res, err := Apply(t.Context(), e.dir, f, opts)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return res
}

func wantCounts(t *testing.T, res Result, created, updated, unchanged int) {
	t.Helper()
	c, u, n := res.Counts()
	if c != created || u != updated || n != unchanged {
		t.Errorf("counts = %d created, %d updated, %d unchanged; want %d, %d, %d\n%+v", c, u, n, created, updated, unchanged, res)
	}
}

// parseErrorCase is a file Parse must refuse: the error is at line and
// says want.
type parseErrorCase struct {
	name, src string
	line      int
	want      string
}

// wantParseErrors runs each case as a subtest.
func wantParseErrors(t *testing.T, tests []parseErrorCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v, want a refusal at line %d saying %q", err, tt.line, tt.want)
			}
			if e.Line != tt.line || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q (line %d), want line %d and %q", err, e.Line, tt.line, tt.want)
			}
		})
	}
}
