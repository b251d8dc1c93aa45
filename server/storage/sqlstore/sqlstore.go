// Package sqlstore implements storage.Store on SQL. SQLite (modernc.org/sqlite,
// pure Go) is the embedded default: WAL, a busy timeout, one writer
// connection that every transaction takes with BEGIN IMMEDIATE, and a pool of
// read-only connections for reads outside transactions.
//
// Durability: WAL with synchronous=NORMAL survives a killed process (kill -9)
// without losing a committed transaction, because a commit is in the WAL file
// before it returns; only a power cut can lose the last commits, so
// Options.Synchronous may ask for FULL.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse-id/gatehouse/server/internal/cpustat"
	"github.com/gatehouse-id/gatehouse/server/storage"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tunes Open.
type Options struct {
	// Synchronous is SQLite's synchronous pragma: NORMAL (default) or FULL.
	Synchronous string
	// Readers is the size of the read pool (default: 2 × CPUs, at least 4).
	Readers int
}

// Store is the SQL implementation of storage.Store.
type Store struct {
	write *sql.DB // exactly one connection: SQLite has one writer
	read  *sql.DB

	// Prepared statements of each pool (stmts.go).
	wstmts, rstmts *stmtCache

	// Write counters (WriteStats): committed write transactions, where a
	// statement outside a transaction is its own, and write statements.
	writeTxs, writeStmts atomic.Uint64
	// The thread CPU time of the write transactions' statements and
	// commits (WriteCPU).
	writeCPU atomic.Int64
}

// WriteStats reports the writes made since Open: transactions committed
// that wrote something (a write statement outside a transaction counts as
// one) and write statements. The server exports them as
// gatehouse_db_writes_total and gatehouse_db_write_statements_total, so a
// load test can show how many writes each request path makes.
func (s *Store) WriteStats() (txs, stmts uint64) {
	return s.writeTxs.Load(), s.writeStmts.Load()
}

// WriteCPU is the CPU time write transactions took since Open: their
// write statements and their commits, each measured on its thread
// (package cpustat), so reads inside a transaction and the caller's own
// work between statements are not counted. Only what runs holding the
// writer's connection is measured: a measurement locks its OS thread, and
// a goroutine waiting for that connection (BEGIN, a write outside a
// transaction) would hold a locked thread through the wait, one per
// waiter under load. Exported as gatehouse_db_write_cpu_seconds_total:
// the issue's budget for a code exchange is its signatures "plus one
// database write", and a load test reads the write's side from here.
func (s *Store) WriteCPU() time.Duration { return time.Duration(s.writeCPU.Load()) }

// measureWrite runs f, a part of a write, and adds its CPU time to WriteCPU.
func (s *Store) measureWrite(f func()) {
	s.writeCPU.Add(int64(cpustat.MeasureTime(f)))
}

var _ storage.Store = (*Store)(nil)

// Open opens (creating if needed) the SQLite database at path and applies
// pending migrations. Path ":memory:" is not supported, since readers and
// the writer must share one database: tests use a file in t.TempDir().
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" || path == ":memory:" {
		return nil, errors.New("sqlstore: a database file path is required")
	}
	sync := strings.ToUpper(opts.Synchronous)
	if sync == "" {
		sync = "NORMAL"
	}
	if sync != "NORMAL" && sync != "FULL" {
		return nil, fmt.Errorf("sqlstore: synchronous must be NORMAL or FULL, not %q", opts.Synchronous)
	}
	// The database holds password hashes: create it private (SQLite gives
	// its -wal and -shm files the same mode).
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
		f.Close()
	} else {
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	pragmas := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(ON)", "synchronous(" + sync + ")"} {
		pragmas.Add("_pragma", p)
	}
	wdsn := "file:" + path + "?" + pragmas.Encode() + "&_txlock=immediate"
	write, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	s := &Store{write: write, wstmts: newStmtCache(write)}
	// Processes opening a new database at once race to turn on WAL, and
	// SQLite may answer the loser SQLITE_BUSY at once, without waiting in
	// its busy handler: such an Open tries again for a while.
	for attempt := 0; ; attempt++ {
		err = s.migrate(ctx)
		if err == nil || attempt == 100 || !strings.Contains(err.Error(), "(SQLITE_BUSY)") {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err != nil {
		write.Close()
		return nil, err
	}
	pragmas.Add("_pragma", "query_only(1)")
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlstore: open readers %s: %w", path, err)
	}
	n := opts.Readers
	if n <= 0 {
		n = max(4, 2*runtime.NumCPU())
	}
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	s.read = read
	s.rstmts = newStmtCache(read)
	return s, nil
}

// Close closes both connection pools.
func (s *Store) Close() error {
	s.rstmts.close()
	s.wstmts.close()
	return errors.Join(s.read.Close(), s.write.Close())
}

// Ping checks that the database answers a read.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return prepared{c: s.rstmts}.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// migrate applies pending migrations in one BEGIN IMMEDIATE transaction,
// which holds the write lock from reading the current version to recording
// the new ones: processes opening a new database at once apply each
// migration exactly once, the others waiting and then finding it applied.
func (s *Store) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	return s.InTx(ctx, func(ctx context.Context) error {
		tx := txFrom(ctx)
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
			return fmt.Errorf("sqlstore: migrate: %w", err)
		}
		var current int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("sqlstore: migrate: %w", err)
		}
		for _, name := range names {
			base := strings.TrimPrefix(name, "migrations/")
			version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
			if err != nil {
				return fmt.Errorf("sqlstore: migration %s: bad number", base)
			}
			if version <= current {
				continue
			}
			body, err := migrations.ReadFile(name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("sqlstore: migration %s: %w", base, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, version); err != nil {
				return fmt.Errorf("sqlstore: migration %s: %w", base, err)
			}
		}
		return nil
	})
}

type txKey struct{}

// txState is the transaction a ctx carries, with the count of its writes.
type txState struct {
	tx     *sql.Tx
	writes atomic.Int64

	mu       sync.Mutex
	onCommit []func() // run after a successful commit (cache invalidation)
}

func stateFrom(ctx context.Context) *txState {
	st, _ := ctx.Value(txKey{}).(*txState)
	return st
}

func txFrom(ctx context.Context) *sql.Tx {
	if st := stateFrom(ctx); st != nil {
		return st.tx
	}
	return nil
}

// committed counts a committed transaction that wrote and runs its
// commit hooks.
func (s *Store) committed(st *txState) {
	if st.writes.Load() > 0 {
		s.writeTxs.Add(1)
	}
	st.mu.Lock()
	hooks := st.onCommit
	st.mu.Unlock()
	for _, f := range hooks {
		f()
	}
}

// InTx runs fn in one write transaction (BEGIN IMMEDIATE, so it never fails
// half-way on a lock upgrade). A ctx that already carries a transaction is
// reused, so InTx nests.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if txFrom(ctx) != nil {
		return fn(ctx)
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	st := &txState{tx: tx}
	returned := false
	defer func() {
		defer s.wstmts.preparePending(ctx)
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		// Commit only what fn returned nil for: runtime.Goexit (t.FailNow)
		// leaves fn with neither a panic nor an error.
		if !returned || err != nil {
			tx.Rollback()
			return
		}
		if cerr := s.commit(tx); cerr != nil {
			err = fmt.Errorf("sqlstore: commit: %w", cerr)
			return
		}
		s.committed(st)
	}()
	err = fn(context.WithValue(ctx, txKey{}, st))
	returned = true
	return err
}

// BeginTX, Commit and Rollback make Store a fosite storage.Transactional.
func (s *Store) BeginTX(ctx context.Context) (context.Context, error) {
	if txFrom(ctx) != nil {
		return ctx, errors.New("sqlstore: transaction already open")
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return ctx, fmt.Errorf("sqlstore: begin: %w", err)
	}
	return context.WithValue(ctx, txKey{}, &txState{tx: tx}), nil
}

// Commit commits the transaction carried by ctx.
func (s *Store) Commit(ctx context.Context) error {
	st := stateFrom(ctx)
	if st == nil {
		return errors.New("sqlstore: no transaction")
	}
	defer s.wstmts.preparePending(ctx)
	if err := s.commit(st.tx); err != nil {
		return err
	}
	s.committed(st)
	return nil
}

// Rollback rolls back the transaction carried by ctx.
func (s *Store) Rollback(ctx context.Context) error {
	tx := txFrom(ctx)
	if tx == nil {
		return errors.New("sqlstore: no transaction")
	}
	defer s.wstmts.preparePending(ctx)
	return tx.Rollback()
}

// begin begins a write transaction (BEGIN IMMEDIATE: the DSN's _txlock).
// It waits for the writer's connection, so it is not measured (WriteCPU).
func (s *Store) begin(ctx context.Context) (*sql.Tx, error) {
	return s.write.BeginTx(ctx, nil)
}

func (s *Store) commit(tx *sql.Tx) (err error) {
	s.measureWrite(func() { err = tx.Commit() })
	return err
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader is the transaction in ctx, else the read pool.
func (s *Store) reader(ctx context.Context) querier {
	if tx := txFrom(ctx); tx != nil {
		return prepared{s.wstmts, tx}
	}
	return prepared{c: s.rstmts}
}

// writer is the transaction in ctx, else the writer (one statement is its
// own transaction); either way its Execs are counted.
func (s *Store) writer(ctx context.Context) querier {
	if st := stateFrom(ctx); st != nil {
		return countingWriter{querier: prepared{s.wstmts, st.tx}, s: s, st: st}
	}
	return countingWriter{querier: prepared{c: s.wstmts}, s: s}
}

// countingWriter counts the write statements made through it; st is nil
// outside a transaction, where each statement commits on its own.
type countingWriter struct {
	querier
	s  *Store
	st *txState
}

func (w countingWriter) ExecContext(ctx context.Context, query string, args ...any) (res sql.Result, err error) {
	if w.st != nil { // in a transaction: it holds the connection (WriteCPU)
		w.s.measureWrite(func() { res, err = w.querier.ExecContext(ctx, query, args...) })
	} else {
		res, err = w.querier.ExecContext(ctx, query, args...)
	}
	if err == nil {
		w.s.writeStmts.Add(1)
		if w.st != nil {
			w.st.writes.Add(1)
		} else {
			w.s.writeTxs.Add(1)
		}
	}
	return res, err
}
