package sqlstore

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Cached is a Store that keeps the pools and app clients it has read in
// memory. Every request reads its pool, and every token request its client,
// so without it a client_credentials token costs three SQLite reads
// besides its signature; pools and clients change rarely.
//
// Coherence: within the process every write of a pool or client (or a
// pool's deletion) bumps a generation at its commit, and an entry is used
// only while the generation it was read under is current, so a change is
// seen by the next read. A reader takes the generation before it reads, so
// a write that commits during the read makes the entry stale at once.
// Reads inside a transaction bypass the cache. Changes made by another
// process are seen within TTL.
//
// Callers may change what they get (read-modify-write), so the cache hands
// out deep copies.
type Cached struct {
	*Store
	ttl time.Duration
	now func() time.Time
	gen atomic.Uint64

	mu      sync.RWMutex
	pools   map[string]cacheEntry
	clients map[string]cacheEntry
}

type cacheEntry struct {
	v    any
	gen  uint64
	read time.Time
}

// maxCacheEntries bounds each map: past it the map starts afresh, so a
// server with many idle pools keeps only the busy ones.
const maxCacheEntries = 10_000

// NewCached wraps s; ttl bounds how long a change made by another process
// can go unseen (default 5 s).
func NewCached(s *Store, ttl time.Duration) *Cached {
	if ttl <= 0 {
		ttl = 5 * time.Second
	}
	return &Cached{Store: s, ttl: ttl, now: time.Now, pools: map[string]cacheEntry{}, clients: map[string]cacheEntry{}}
}

var _ storage.Store = (*Cached)(nil)

func (c *Cached) lookup(m map[string]cacheEntry, key string, gen uint64) (any, bool) {
	c.mu.RLock()
	e, ok := m[key]
	c.mu.RUnlock()
	if !ok || e.gen != gen || c.now().Sub(e.read) >= c.ttl {
		return nil, false
	}
	return e.v, true
}

func (c *Cached) keep(m map[string]cacheEntry, key string, v any, gen uint64, read time.Time) {
	c.mu.Lock()
	if len(m) >= maxCacheEntries {
		clear(m)
	}
	m[key] = cacheEntry{v: v, gen: gen, read: read}
	c.mu.Unlock()
}

// changed invalidates every entry once the write in ctx is committed.
func (c *Cached) changed(ctx context.Context) {
	if st := stateFrom(ctx); st != nil {
		st.mu.Lock()
		st.onCommit = append(st.onCommit, func() { c.gen.Add(1) })
		st.mu.Unlock()
		return
	}
	c.gen.Add(1)
}

func (c *Cached) GetPool(ctx context.Context, id string) (*storage.Pool, error) {
	if txFrom(ctx) != nil {
		return c.Store.GetPool(ctx, id)
	}
	gen, read := c.gen.Load(), c.now()
	if v, ok := c.lookup(c.pools, id, gen); ok {
		return deepCopy(v.(*storage.Pool)), nil
	}
	p, err := c.Store.GetPool(ctx, id)
	if err != nil {
		return nil, err
	}
	c.keep(c.pools, id, deepCopy(p), gen, read)
	return p, nil
}

func (c *Cached) GetClient(ctx context.Context, clientID string) (*storage.Client, error) {
	if txFrom(ctx) != nil {
		return c.Store.GetClient(ctx, clientID)
	}
	gen, read := c.gen.Load(), c.now()
	if v, ok := c.lookup(c.clients, clientID, gen); ok {
		return deepCopy(v.(*storage.Client)), nil
	}
	cl, err := c.Store.GetClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	c.keep(c.clients, clientID, deepCopy(cl), gen, read)
	return cl, nil
}

func (c *Cached) UpdatePool(ctx context.Context, p *storage.Pool) error {
	err := c.Store.UpdatePool(ctx, p)
	c.changed(ctx)
	return err
}

func (c *Cached) DeletePool(ctx context.Context, id string) error {
	err := c.Store.DeletePool(ctx, id)
	c.changed(ctx)
	return err
}

func (c *Cached) UpdateClient(ctx context.Context, cl *storage.Client) error {
	err := c.Store.UpdateClient(ctx, cl)
	c.changed(ctx)
	return err
}

func (c *Cached) DeleteClient(ctx context.Context, poolID, clientID string) error {
	err := c.Store.DeleteClient(ctx, poolID, clientID)
	c.changed(ctx)
	return err
}

// deepCopy copies v and everything it points to, so that the cache's copy
// and the caller's share nothing mutable. It follows pointers, slices, maps
// and the exported fields of structs; unexported fields (time.Time's) are
// copied by value.
func deepCopy[T any](v *T) *T {
	out := new(T)
	*out = *v
	fix(reflect.ValueOf(out).Elem())
	return out
}

// fix replaces, in place, what the settable value v shares with its
// original by copies.
func fix(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(v.Elem())
		fix(n.Elem())
		v.Set(n)
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(n, v)
		if needsFix(v.Type().Elem()) {
			for i := range n.Len() {
				fix(n.Index(i))
			}
		}
		v.Set(n)
	case reflect.Map:
		if v.IsNil() {
			return
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		deep := needsFix(v.Type().Elem())
		for it := v.MapRange(); it.Next(); {
			e := it.Value()
			if deep {
				c := reflect.New(e.Type()).Elem()
				c.Set(e)
				fix(c)
				e = c
			}
			n.SetMapIndex(it.Key(), e)
		}
		v.Set(n)
	case reflect.Struct:
		for _, i := range fieldsToFix(v.Type()) {
			fix(v.Field(i))
		}
	}
}

// fieldPlans caches, per struct type, the exported fields that can share
// memory: reflecting on every field of every copy would cost more than the
// copy.
var fieldPlans sync.Map // reflect.Type → []int

func fieldsToFix(t reflect.Type) []int {
	if p, ok := fieldPlans.Load(t); ok {
		return p.([]int)
	}
	var idx []int
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && needsFix(f.Type) {
			idx = append(idx, i)
		}
	}
	fieldPlans.Store(t, idx)
	return idx
}

// needsFix reports whether values of t can share memory when copied.
func needsFix(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		return true
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() && needsFix(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}
