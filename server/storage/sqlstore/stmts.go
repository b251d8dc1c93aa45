package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds a pool's prepared statements. The store's queries
// are a fixed set of texts (a few dozen); the bound only guards against a
// query built from input, which then runs unprepared.
const maxCachedStmts = 256

// stmtCache prepares each query text once per connection pool and reuses
// it. Without it modernc's SQLite parses and plans a query's text at every
// call: 4 % of a refresh's CPU went to sqlite3_prepare_v2. database/sql
// prepares a cached statement on each connection the first time it runs
// there, and a transaction reuses the writer's (Tx.StmtContext).
type stmtCache struct {
	db *sql.DB

	mu      sync.RWMutex
	m       map[string]*sql.Stmt
	pending map[string]bool // met first in a transaction (see cached)
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: make(map[string]*sql.Stmt), pending: make(map[string]bool)}
}

// get returns the prepared statement for query, preparing it on first use;
// nil when it cannot be prepared or the cache is full, and the caller runs
// the query unprepared (which reports any error the query has).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if st, ok := c.lookup(query); ok {
		return st
	}
	return c.prepare(ctx, query)
}

func (c *stmtCache) lookup(query string) (*sql.Stmt, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	st, ok := c.m[query]
	return st, ok
}

// prepare prepares query and caches it. It holds no lock while it waits
// for a connection: the goroutine holding that connection may be asking
// the cache for another statement.
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	full := len(c.m) >= maxCachedStmts
	c.mu.RUnlock()
	if full {
		return nil
	}
	// The statement outlives this request: its preparation must not be
	// cancelled with it.
	st, err := c.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if have, ok := c.m[query]; ok { // prepared meanwhile by another caller
		st.Close()
		return have
	}
	if len(c.m) >= maxCachedStmts {
		st.Close()
		return nil
	}
	c.m[query] = st
	return st
}

// cached returns query's statement if it is prepared already. A
// transaction holds the writer's only connection, so a statement it meets
// first cannot be prepared then (DB.PrepareContext would wait for that
// connection): the query runs unprepared and is noted, and preparePending
// prepares it once the transaction has ended.
func (c *stmtCache) cached(query string) *sql.Stmt {
	if st, ok := c.lookup(query); ok {
		return st
	}
	c.mu.Lock()
	if len(c.m)+len(c.pending) < maxCachedStmts {
		c.pending[query] = true
	}
	c.mu.Unlock()
	return nil
}

// preparePending prepares the statements transactions have noted. Call it
// holding no connection of the pool.
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.RLock()
	none := len(c.pending) == 0
	c.mu.RUnlock()
	if none {
		return
	}
	c.mu.Lock()
	queries := make([]string, 0, len(c.pending))
	for q := range c.pending {
		queries = append(queries, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range queries {
		c.get(ctx, q)
	}
}

// close closes the cached statements (before the pool is closed).
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}

// prepared runs queries through a statement cache: on its pool, or in a
// write transaction tx of the writer's pool.
type prepared struct {
	c  *stmtCache
	tx *sql.Tx // nil: on the pool
}

// stmt is query's prepared statement, bound to the transaction if any;
// nil to run the query unprepared.
func (p prepared) stmt(ctx context.Context, query string) *sql.Stmt {
	if p.tx == nil {
		return p.c.get(ctx, query)
	}
	if st := p.c.cached(query); st != nil {
		return p.tx.StmtContext(ctx, st)
	}
	return nil
}

// raw runs a query unprepared.
func (p prepared) raw() querier {
	if p.tx != nil {
		return p.tx
	}
	return p.c.db
}

func (p prepared) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.raw().ExecContext(ctx, query, args...)
}

func (p prepared) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.raw().QueryContext(ctx, query, args...)
}

func (p prepared) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.raw().QueryRowContext(ctx, query, args...)
}
