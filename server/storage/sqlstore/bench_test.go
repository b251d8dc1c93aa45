package sqlstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// Store reads and writes on the hot paths (make bench): a user by
// username and by sub (every sign-in and token), an auth event (every
// sign-in), a refresh-token record (every refresh).

func benchStore(b *testing.B, users int) (*Store, []*storage.User) {
	b.Helper()
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	out := make([]*storage.User, 0, users)
	err = s.InTx(ctx, func(ctx context.Context) error {
		for i := range users {
			name := fmt.Sprintf("user-%06d", i)
			u := &storage.User{PoolID: "us-east-1_Bench", Sub: uuid.NewString(), Username: name, UsernameKey: name,
				EmailKey: name + "@example.com", Enabled: true, Status: storage.StatusConfirmed,
				PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
				Attributes:   map[string]string{"email": name + "@example.com", "email_verified": "true"}}
			if err := s.CreateUser(ctx, u); err != nil {
				return err
			}
			out = append(out, u)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s, out
}

func BenchmarkGetUserByUsername(b *testing.B) {
	s, users := benchStore(b, 1000)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		u := users[i%len(users)]
		i++
		if _, err := s.GetUserByUsernameKey(ctx, u.PoolID, u.UsernameKey); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetUserBySubParallel(b *testing.B) {
	s, users := benchStore(b, 1000)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			u := users[i%len(users)]
			i++
			if _, err := s.GetUserBySub(ctx, u.PoolID, u.Sub); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCreateAuthEvent is one write transaction of one row.
func BenchmarkCreateAuthEvent(b *testing.B) {
	s, users := benchStore(b, 1)
	ctx := context.Background()
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.CreateAuthEvent(ctx, &storage.AuthEvent{PoolID: users[0].PoolID, ID: uuid.NewString(), Sub: users[0].Sub,
			ClientID: "client", Username: users[0].Username, Type: "SignIn", Response: "Pass", CreatedAt: now}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartFamily is a sign-in's token family and refresh record in
// one transaction.
func BenchmarkStartFamily(b *testing.B) {
	s, users := benchStore(b, 1)
	ctx := context.Background()
	now := time.Now()
	data := []byte(`{"request_id":"x","client_id":"client","granted_scopes":["openid"],"session":{"sub":"x"}}`)
	b.ReportAllocs()
	for b.Loop() {
		fam := uuid.NewString()
		err := s.InTx(ctx, func(ctx context.Context) error {
			if err := s.CreateFamily(ctx, &storage.Family{PoolID: users[0].PoolID, ID: fam, ClientID: "client", Sub: users[0].Sub,
				CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
			return s.CreateOAuthRecord(ctx, &storage.OAuthRecord{Kind: storage.KindRefreshToken, Signature: uuid.NewString(),
				PoolID: users[0].PoolID, RequestID: fam, ClientID: "client", Sub: users[0].Sub, Active: true,
				CreatedAt: now, ExpiresAt: now.Add(time.Hour), Data: data})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
