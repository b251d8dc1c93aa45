package sqlstore

import (
	"context"
	"time"
)

// expiring are the tables whose rows carry an expires_at (0: never).
var expiring = []string{"auth_requests", "sessions", "oauth_records"}

// DeleteExpired implements storage.SweepStore. Each table's batch is its
// own short write, so a sweep never holds the writer for long.
func (s *Store) DeleteExpired(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	deleted := 0
	for _, table := range expiring {
		res, err := s.writer(ctx).ExecContext(ctx, `DELETE FROM `+table+` WHERE rowid IN (SELECT rowid FROM `+table+
			` WHERE expires_at > 0 AND expires_at < ? LIMIT ?)`, unix(before), limit)
		if err != nil {
			return deleted, mapErr("delete expired "+table, err)
		}
		n, _ := res.RowsAffected()
		deleted += int(n)
	}
	return deleted, nil
}
