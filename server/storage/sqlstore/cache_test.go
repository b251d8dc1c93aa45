package sqlstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/storage/storagetest"
)

// The cached store passes the whole conformance suite.
func TestCachedConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s, _ := openTest(t, Options{})
		return NewCached(s, time.Minute)
	})
}

// TestCachedCoherence: what a caller changes in its copy never reaches the
// cache; a write, in or out of a transaction, is seen by the next read; a
// rolled-back one is not; a change made behind the cache's back is seen
// after the TTL.
func TestCachedCoherence(t *testing.T) {
	s, _ := openTest(t, Options{})
	c := NewCached(s, time.Minute)
	now := time.Now()
	c.now = func() time.Time { return now }
	ctx := t.Context()
	pool := &storage.Pool{ID: "us-east-1_Cache", Name: "before", Tags: map[string]string{"a": "1"}}
	if err := c.CreatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	name := func() string {
		t.Helper()
		p, err := c.GetPool(ctx, pool.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p.Name
	}
	got, _ := c.GetPool(ctx, pool.ID)
	got.Name, got.Tags["a"] = "scribbled", "2"
	if again, _ := c.GetPool(ctx, pool.ID); again.Name != "before" || again.Tags["a"] != "1" {
		t.Fatalf("a caller's change reached the cache: %+v", again)
	}

	pool.Name = "outside"
	if err := c.UpdatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if n := name(); n != "outside" {
		t.Errorf("after an update: %q", n)
	}
	err := c.InTx(ctx, func(ctx context.Context) error {
		pool.Name = "rolled back"
		if err := c.UpdatePool(ctx, pool); err != nil {
			return err
		}
		return errors.New("abort")
	})
	if err == nil || name() != "outside" {
		t.Errorf("after a rollback: %q (%v)", name(), err)
	}
	if err := c.InTx(ctx, func(ctx context.Context) error {
		pool.Name = "inside"
		return c.UpdatePool(ctx, pool)
	}); err != nil {
		t.Fatal(err)
	}
	if n := name(); n != "inside" {
		t.Errorf("after a transaction: %q", n)
	}

	// Another process (here: the store under the cache) changes the pool.
	pool.Name = "elsewhere"
	if err := s.UpdatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if n := name(); n != "inside" {
		t.Errorf("cached read: %q", n)
	}
	now = now.Add(time.Minute)
	if n := name(); n != "elsewhere" {
		t.Errorf("after the TTL: %q", n)
	}

	cl := &storage.Client{ID: "client1", PoolID: pool.ID, Name: "c", CallbackURLs: []string{"https://a"}}
	if err := c.CreateClient(ctx, cl); err != nil {
		t.Fatal(err)
	}
	got2, _ := c.GetClient(ctx, cl.ID)
	got2.CallbackURLs[0] = "https://evil"
	if again, _ := c.GetClient(ctx, cl.ID); again.CallbackURLs[0] != "https://a" {
		t.Errorf("a caller's change reached the cached client: %v", again.CallbackURLs)
	}
	if err := c.DeletePool(ctx, pool.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetClient(ctx, cl.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("client of a deleted pool: %v", err)
	}
}
