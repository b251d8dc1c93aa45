package storagetest

import (
	"testing"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

var lifecycleTests = []test{
	{"PingClose", func(t *testing.T, s storage.Store) {
		ctx := ctxOf(t)
		must(t, "ping", s.Ping(ctx))
		must(t, "close", s.Close())
		if err := s.Ping(ctx); err == nil {
			t.Fatal("ping answered nil after Close")
		}
	}},
}
