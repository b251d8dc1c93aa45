package federation

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// ReplayCache records the IDs of accepted SAML assertions (and logout
// requests) so each is accepted once. The server backs it with its store,
// shared by every instance; Consume must be atomic.
type ReplayCache interface {
	// Consume records id as used until expiresAt. It returns an error
	// matching ErrReplayed if id is already recorded and unexpired, and any
	// other error if it cannot record it; either refuses the message.
	Consume(ctx context.Context, id string, expiresAt time.Time) error
}

// MemoryReplayCache is a process-local ReplayCache for tests and single
// instances. Expired entries are dropped as new ones arrive.
type MemoryReplayCache struct {
	now  func() time.Time
	mu   sync.Mutex
	seen map[string]time.Time
}

// NewMemoryReplayCache returns an empty cache reading the time from now
// (time.Now if nil).
func NewMemoryReplayCache(now func() time.Time) *MemoryReplayCache {
	if now == nil {
		now = time.Now
	}
	return &MemoryReplayCache{now: now, seen: map[string]time.Time{}}
}

// Consume implements ReplayCache.
func (c *MemoryReplayCache) Consume(_ context.Context, id string, expiresAt time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.seen) > 1024 {
		for k, exp := range c.seen {
			if now.After(exp) {
				delete(c.seen, k)
			}
		}
	}
	if exp, ok := c.seen[id]; ok && !now.After(exp) {
		return fmt.Errorf("%w: %s", ErrReplayed, id)
	}
	c.seen[id] = expiresAt
	return nil
}
