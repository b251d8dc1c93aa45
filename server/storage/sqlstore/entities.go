package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

// ---- helpers shared by every entity ----

func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// mapErr turns driver errors into the storage sentinels.
func mapErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlstore: %s: %w", op, storage.ErrNotFound)
	case strings.Contains(err.Error(), "UNIQUE constraint failed"),
		strings.Contains(err.Error(), "PRIMARY KEY constraint failed"):
		return fmt.Errorf("sqlstore: %s: %w", op, storage.ErrAlreadyExists)
	default:
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
}

func (s *Store) exec(ctx context.Context, op, query string, args ...any) error {
	_, err := s.writer(ctx).ExecContext(ctx, query, args...)
	return mapErr(op, err)
}

// execOne runs a write that must touch a row; none is ErrNotFound.
func (s *Store) execOne(ctx context.Context, op, query string, args ...any) error {
	res, err := s.writer(ctx).ExecContext(ctx, query, args...)
	if err != nil {
		return mapErr(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlstore: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

func getDoc[T any](ctx context.Context, s *Store, op, query string, args ...any) (*T, error) {
	var data string
	if err := s.reader(ctx).QueryRowContext(ctx, query, args...).Scan(&data); err != nil {
		return nil, mapErr(op, err)
	}
	v := new(T)
	if err := json.Unmarshal([]byte(data), v); err != nil {
		return nil, fmt.Errorf("sqlstore: %s: decode: %w", op, err)
	}
	return v, nil
}

func listDocs[T any](ctx context.Context, s *Store, op, query string, args ...any) ([]*T, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, mapErr(op, err)
		}
		v := new(T)
		if err := json.Unmarshal([]byte(data), v); err != nil {
			return nil, fmt.Errorf("sqlstore: %s: decode: %w", op, err)
		}
		out = append(out, v)
	}
	return out, mapErr(op, rows.Err())
}

func limitOf(n int) int {
	if n <= 0 {
		return -1 // SQLite: no limit
	}
	return n
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// ---- pools ----

func (s *Store) CreatePool(ctx context.Context, p *storage.Pool) error {
	data, err := encode(p)
	if err != nil {
		return err
	}
	return s.exec(ctx, "create pool", `INSERT INTO pools (id, data) VALUES (?, ?)`, p.ID, data)
}

func (s *Store) GetPool(ctx context.Context, id string) (*storage.Pool, error) {
	return getDoc[storage.Pool](ctx, s, "get pool", `SELECT data FROM pools WHERE id = ?`, id)
}

func (s *Store) ListPools(ctx context.Context, after string, limit int) ([]*storage.Pool, error) {
	return listDocs[storage.Pool](ctx, s, "list pools", `SELECT data FROM pools WHERE id > ? ORDER BY id LIMIT ?`, after, limitOf(limit))
}

func (s *Store) UpdatePool(ctx context.Context, p *storage.Pool) error {
	data, err := encode(p)
	if err != nil {
		return err
	}
	return s.execOne(ctx, "update pool", `UPDATE pools SET data = ? WHERE id = ?`, data, p.ID)
}

// DeletePool removes the pool and every row that belongs to it, at once.
func (s *Store) DeletePool(ctx context.Context, id string) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.execOne(ctx, "delete pool", `DELETE FROM pools WHERE id = ?`, id); err != nil {
			return err
		}
		for _, table := range []string{"clients", "users", "groups", "group_members", "resource_servers", "domains",
			"signing_keys", "auth_requests", "sessions", "oauth_records", "families", "auth_events",
			"identity_providers", "idp_identifiers", "identity_links"} {
			if err := s.exec(ctx, "delete pool "+table, `DELETE FROM `+table+` WHERE pool_id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// ---- clients ----

func (s *Store) CreateClient(ctx context.Context, c *storage.Client) error {
	data, err := encode(c)
	if err != nil {
		return err
	}
	return s.exec(ctx, "create client", `INSERT INTO clients (id, pool_id, data) VALUES (?, ?, ?)`, c.ID, c.PoolID, data)
}

func (s *Store) GetClient(ctx context.Context, clientID string) (*storage.Client, error) {
	return getDoc[storage.Client](ctx, s, "get client", `SELECT data FROM clients WHERE id = ?`, clientID)
}

func (s *Store) ListClients(ctx context.Context, poolID, after string, limit int) ([]*storage.Client, error) {
	return listDocs[storage.Client](ctx, s, "list clients",
		`SELECT data FROM clients WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?`, poolID, after, limitOf(limit))
}

func (s *Store) UpdateClient(ctx context.Context, c *storage.Client) error {
	data, err := encode(c)
	if err != nil {
		return err
	}
	return s.execOne(ctx, "update client", `UPDATE clients SET data = ? WHERE id = ? AND pool_id = ?`, data, c.ID, c.PoolID)
}

func (s *Store) DeleteClient(ctx context.Context, poolID, clientID string) error {
	return s.execOne(ctx, "delete client", `DELETE FROM clients WHERE id = ? AND pool_id = ?`, clientID, poolID)
}

// ---- users ----

const userCols = `data, username_key, COALESCE(email_key, ''), COALESCE(phone_key, ''), version`

func (s *Store) scanUser(op string, row interface{ Scan(...any) error }) (*storage.User, error) {
	var data string
	u := new(storage.User)
	if err := row.Scan(&data, &u.UsernameKey, &u.EmailKey, &u.PhoneKey, &u.Version); err != nil {
		return nil, mapErr(op, err)
	}
	if err := json.Unmarshal([]byte(data), u); err != nil {
		return nil, fmt.Errorf("sqlstore: %s: decode: %w", op, err)
	}
	return u, nil
}

func (s *Store) getUser(ctx context.Context, op, where string, args ...any) (*storage.User, error) {
	return s.scanUser(op, s.reader(ctx).QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE `+where, args...))
}

func (s *Store) listUsers(ctx context.Context, op, query string, args ...any) ([]*storage.User, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []*storage.User
	for rows.Next() {
		u, err := s.scanUser(op, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, mapErr(op, rows.Err())
}

func (s *Store) CreateUser(ctx context.Context, u *storage.User) error {
	if u.UsernameKey == "" {
		return errors.New("sqlstore: create user: empty username key")
	}
	data, err := encode(u)
	if err != nil {
		return err
	}
	if err := s.exec(ctx, "create user",
		`INSERT INTO users (pool_id, sub, username_key, email_key, phone_key, version, data) VALUES (?, ?, ?, ?, ?, 1, ?)`,
		u.PoolID, u.Sub, u.UsernameKey, nullable(u.EmailKey), nullable(u.PhoneKey), data); err != nil {
		return err
	}
	u.Version = 1
	return nil
}

func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (*storage.User, error) {
	return s.getUser(ctx, "get user", `pool_id = ? AND sub = ?`, poolID, sub)
}

func (s *Store) GetUserByUsernameKey(ctx context.Context, poolID, key string) (*storage.User, error) {
	return s.getUser(ctx, "get user by username", `pool_id = ? AND username_key = ?`, poolID, key)
}

func (s *Store) GetUserByEmailKey(ctx context.Context, poolID, key string) (*storage.User, error) {
	return s.getUser(ctx, "get user by email", `pool_id = ? AND email_key = ?`, poolID, key)
}

func (s *Store) GetUserByPhoneKey(ctx context.Context, poolID, key string) (*storage.User, error) {
	return s.getUser(ctx, "get user by phone", `pool_id = ? AND phone_key = ?`, poolID, key)
}

func (s *Store) UpdateUser(ctx context.Context, u *storage.User) error {
	data, err := encode(u)
	if err != nil {
		return err
	}
	res, err := s.writer(ctx).ExecContext(ctx,
		`UPDATE users SET username_key = ?, email_key = ?, phone_key = ?, version = version + 1, data = ?
		 WHERE pool_id = ? AND sub = ? AND version = ?`,
		u.UsernameKey, nullable(u.EmailKey), nullable(u.PhoneKey), data, u.PoolID, u.Sub, u.Version)
	if err != nil {
		return mapErr("update user", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.GetUserBySub(ctx, u.PoolID, u.Sub); err != nil {
			return err
		}
		return fmt.Errorf("sqlstore: update user: %w", storage.ErrConflict)
	}
	u.Version++
	return nil
}

// DeleteUser removes the user with its memberships, sessions and families.
func (s *Store) DeleteUser(ctx context.Context, poolID, sub string) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.execOne(ctx, "delete user", `DELETE FROM users WHERE pool_id = ? AND sub = ?`, poolID, sub); err != nil {
			return err
		}
		for _, table := range []string{"group_members", "sessions", "families", "identity_links"} {
			if err := s.exec(ctx, "delete user "+table, `DELETE FROM `+table+` WHERE pool_id = ? AND sub = ?`, poolID, sub); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) ListUsers(ctx context.Context, poolID, after string, limit int) ([]*storage.User, error) {
	return s.listUsers(ctx, "list users",
		`SELECT `+userCols+` FROM users WHERE pool_id = ? AND sub > ? ORDER BY sub LIMIT ?`, poolID, after, limitOf(limit))
}

// userKeyColumns are the indexed columns of each storage.UserKey (see
// migration 0004 for email and phone).
var userKeyColumns = map[storage.UserKey]string{
	storage.KeyEmail:    "email_filter",
	storage.KeyPhone:    "phone_filter",
	storage.KeyUsername: "username_key",
	storage.KeySub:      "sub",
}

func (s *Store) ListUsersByKey(ctx context.Context, poolID string, r storage.UserKeyRange, limit int) ([]*storage.User, error) {
	col, ok := userKeyColumns[r.Key]
	if !ok {
		return nil, fmt.Errorf("sqlstore: list users by key: unknown key %d", r.Key)
	}
	q := `SELECT ` + userCols + ` FROM users WHERE pool_id = ? AND ` + col + ` >= ?`
	args := []any{poolID, r.From}
	if r.To != "" {
		q += ` AND ` + col + ` < ?`
		args = append(args, r.To)
	}
	if r.AfterSub != "" {
		q += ` AND (` + col + `, sub) > (?, ?)`
		args = append(args, r.AfterKey, r.AfterSub)
	}
	q += ` ORDER BY ` + col + `, sub LIMIT ?`
	return s.listUsers(ctx, "list users by key", q, append(args, limitOf(limit))...)
}

func (s *Store) CountUsers(ctx context.Context, poolID string) (int, error) {
	var n int
	err := s.reader(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE pool_id = ?`, poolID).Scan(&n)
	return n, mapErr("count users", err)
}

// ---- groups ----

func (s *Store) CreateGroup(ctx context.Context, g *storage.Group) error {
	data, err := encode(g)
	if err != nil {
		return err
	}
	return s.exec(ctx, "create group", `INSERT INTO groups (pool_id, name, data) VALUES (?, ?, ?)`, g.PoolID, g.Name, data)
}

func (s *Store) GetGroup(ctx context.Context, poolID, name string) (*storage.Group, error) {
	return getDoc[storage.Group](ctx, s, "get group", `SELECT data FROM groups WHERE pool_id = ? AND name = ?`, poolID, name)
}

func (s *Store) ListGroups(ctx context.Context, poolID, after string, limit int) ([]*storage.Group, error) {
	return listDocs[storage.Group](ctx, s, "list groups",
		`SELECT data FROM groups WHERE pool_id = ? AND name > ? ORDER BY name LIMIT ?`, poolID, after, limitOf(limit))
}

func (s *Store) UpdateGroup(ctx context.Context, g *storage.Group) error {
	data, err := encode(g)
	if err != nil {
		return err
	}
	return s.execOne(ctx, "update group", `UPDATE groups SET data = ? WHERE pool_id = ? AND name = ?`, data, g.PoolID, g.Name)
}

func (s *Store) DeleteGroup(ctx context.Context, poolID, name string) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.execOne(ctx, "delete group", `DELETE FROM groups WHERE pool_id = ? AND name = ?`, poolID, name); err != nil {
			return err
		}
		return s.exec(ctx, "delete group members", `DELETE FROM group_members WHERE pool_id = ? AND group_name = ?`, poolID, name)
	})
}

func (s *Store) AddUserToGroup(ctx context.Context, poolID, name, sub string) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.GetGroup(ctx, poolID, name); err != nil {
			return err
		}
		if _, err := s.GetUserBySub(ctx, poolID, sub); err != nil {
			return err
		}
		return s.exec(ctx, "add user to group",
			`INSERT INTO group_members (pool_id, group_name, sub) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, poolID, name, sub)
	})
}

func (s *Store) RemoveUserFromGroup(ctx context.Context, poolID, name, sub string) error {
	return s.execOne(ctx, "remove user from group",
		`DELETE FROM group_members WHERE pool_id = ? AND group_name = ? AND sub = ?`, poolID, name, sub)
}

func (s *Store) ListGroupsForUser(ctx context.Context, poolID, sub string) ([]*storage.Group, error) {
	groups, err := listDocs[storage.Group](ctx, s, "list groups for user",
		`SELECT g.data FROM groups g JOIN group_members m ON m.pool_id = g.pool_id AND m.group_name = g.name
		 WHERE m.pool_id = ? AND m.sub = ? ORDER BY g.name`, poolID, sub)
	if err != nil {
		return nil, err
	}
	sortByPrecedence(groups)
	return groups, nil
}

// sortByPrecedence orders groups by precedence (unset last), then name.
func sortByPrecedence(groups []*storage.Group) {
	prec := func(g *storage.Group) int64 {
		if g.Precedence == nil {
			return 1 << 62
		}
		return *g.Precedence
	}
	for i := 1; i < len(groups); i++ {
		for j := i; j > 0 && prec(groups[j]) < prec(groups[j-1]); j-- {
			groups[j], groups[j-1] = groups[j-1], groups[j]
		}
	}
}

func (s *Store) ListUsersInGroup(ctx context.Context, poolID, name, after string, limit int) ([]*storage.User, error) {
	return s.listUsers(ctx, "list users in group",
		`SELECT u.data, u.username_key, COALESCE(u.email_key, ''), COALESCE(u.phone_key, ''), u.version
		 FROM users u JOIN group_members m ON m.pool_id = u.pool_id AND m.sub = u.sub
		 WHERE m.pool_id = ? AND m.group_name = ? AND u.sub > ? ORDER BY u.sub LIMIT ?`, poolID, name, after, limitOf(limit))
}

// ---- resource servers ----

func (s *Store) CreateResourceServer(ctx context.Context, rs *storage.ResourceServer) error {
	data, err := encode(rs)
	if err != nil {
		return err
	}
	return s.exec(ctx, "create resource server",
		`INSERT INTO resource_servers (pool_id, identifier, data) VALUES (?, ?, ?)`, rs.PoolID, rs.Identifier, data)
}

func (s *Store) GetResourceServer(ctx context.Context, poolID, identifier string) (*storage.ResourceServer, error) {
	return getDoc[storage.ResourceServer](ctx, s, "get resource server",
		`SELECT data FROM resource_servers WHERE pool_id = ? AND identifier = ?`, poolID, identifier)
}

func (s *Store) ListResourceServers(ctx context.Context, poolID string) ([]*storage.ResourceServer, error) {
	return listDocs[storage.ResourceServer](ctx, s, "list resource servers",
		`SELECT data FROM resource_servers WHERE pool_id = ? ORDER BY identifier`, poolID)
}

func (s *Store) UpdateResourceServer(ctx context.Context, rs *storage.ResourceServer) error {
	data, err := encode(rs)
	if err != nil {
		return err
	}
	return s.execOne(ctx, "update resource server",
		`UPDATE resource_servers SET data = ? WHERE pool_id = ? AND identifier = ?`, data, rs.PoolID, rs.Identifier)
}

func (s *Store) DeleteResourceServer(ctx context.Context, poolID, identifier string) error {
	return s.execOne(ctx, "delete resource server",
		`DELETE FROM resource_servers WHERE pool_id = ? AND identifier = ?`, poolID, identifier)
}

// ---- domains ----

func (s *Store) CreateDomain(ctx context.Context, d *storage.Domain) error {
	data, err := encode(d)
	if err != nil {
		return err
	}
	return s.exec(ctx, "create domain",
		`INSERT INTO domains (name, pool_id, custom, data) VALUES (?, ?, ?, ?)`, d.Name, d.PoolID, d.Custom, data)
}

func (s *Store) GetDomain(ctx context.Context, name string) (*storage.Domain, error) {
	return getDoc[storage.Domain](ctx, s, "get domain", `SELECT data FROM domains WHERE name = ?`, name)
}

func (s *Store) ListPoolDomains(ctx context.Context, poolID string) ([]*storage.Domain, error) {
	return listDocs[storage.Domain](ctx, s, "list pool domains",
		`SELECT data FROM domains WHERE pool_id = ? ORDER BY custom, name`, poolID)
}

func (s *Store) DeleteDomain(ctx context.Context, poolID, name string) error {
	return s.execOne(ctx, "delete domain", `DELETE FROM domains WHERE pool_id = ? AND name = ?`, poolID, name)
}

// ---- signing keys ----

func (s *Store) CreateSigningKey(ctx context.Context, k *storage.SigningKey) error {
	data, err := encode(k)
	if err != nil {
		return err
	}
	return s.exec(ctx, "create signing key",
		`INSERT INTO signing_keys (pool_id, kid, created_at, data) VALUES (?, ?, ?, ?)`, k.PoolID, k.KID, unix(k.CreatedAt), data)
}

func (s *Store) ListSigningKeys(ctx context.Context, poolID string) ([]*storage.SigningKey, error) {
	return listDocs[storage.SigningKey](ctx, s, "list signing keys",
		`SELECT data FROM signing_keys WHERE pool_id = ? ORDER BY created_at DESC, kid`, poolID)
}

func (s *Store) UpdateSigningKey(ctx context.Context, k *storage.SigningKey) error {
	data, err := encode(k)
	if err != nil {
		return err
	}
	return s.execOne(ctx, "update signing key", `UPDATE signing_keys SET data = ? WHERE pool_id = ? AND kid = ?`, data, k.PoolID, k.KID)
}

func (s *Store) DeleteSigningKey(ctx context.Context, poolID, kid string) error {
	return s.execOne(ctx, "delete signing key", `DELETE FROM signing_keys WHERE pool_id = ? AND kid = ?`, poolID, kid)
}

// ---- auth requests ----

func (s *Store) CreateAuthRequest(ctx context.Context, r *storage.AuthRequest) error {
	data, err := encode(r)
	if err != nil {
		return err
	}
	return s.exec(ctx, "create auth request",
		`INSERT INTO auth_requests (pool_id, id, expires_at, data) VALUES (?, ?, ?, ?)`, r.PoolID, r.ID, unix(r.ExpiresAt), data)
}

func (s *Store) GetAuthRequest(ctx context.Context, poolID, id string) (*storage.AuthRequest, error) {
	return getDoc[storage.AuthRequest](ctx, s, "get auth request",
		`SELECT data FROM auth_requests WHERE pool_id = ? AND id = ?`, poolID, id)
}

func (s *Store) UpdateAuthRequest(ctx context.Context, r *storage.AuthRequest) error {
	data, err := encode(r)
	if err != nil {
		return err
	}
	return s.execOne(ctx, "update auth request",
		`UPDATE auth_requests SET data = ?, expires_at = ? WHERE pool_id = ? AND id = ?`, data, unix(r.ExpiresAt), r.PoolID, r.ID)
}

func (s *Store) DeleteAuthRequest(ctx context.Context, poolID, id string) error {
	return s.execOne(ctx, "delete auth request", `DELETE FROM auth_requests WHERE pool_id = ? AND id = ?`, poolID, id)
}

// ---- sessions ----

func (s *Store) CreateSession(ctx context.Context, ss *storage.Session) error {
	data, err := encode(ss)
	if err != nil {
		return err
	}
	return s.exec(ctx, "create session",
		`INSERT INTO sessions (pool_id, id, sub, expires_at, data) VALUES (?, ?, ?, ?, ?)`, ss.PoolID, ss.ID, ss.Sub, unix(ss.ExpiresAt), data)
}

func (s *Store) GetSession(ctx context.Context, poolID, id string) (*storage.Session, error) {
	return getDoc[storage.Session](ctx, s, "get session", `SELECT data FROM sessions WHERE pool_id = ? AND id = ?`, poolID, id)
}

func (s *Store) DeleteSession(ctx context.Context, poolID, id string) error {
	return s.execOne(ctx, "delete session", `DELETE FROM sessions WHERE pool_id = ? AND id = ?`, poolID, id)
}

func (s *Store) DeleteUserSessions(ctx context.Context, poolID, sub string) error {
	return s.exec(ctx, "delete user sessions", `DELETE FROM sessions WHERE pool_id = ? AND sub = ?`, poolID, sub)
}

// ---- fosite records ----

func (s *Store) CreateOAuthRecord(ctx context.Context, r *storage.OAuthRecord) error {
	data, err := encode(r)
	if err != nil {
		return err
	}
	return s.exec(ctx, "create oauth record",
		`INSERT INTO oauth_records (kind, signature, pool_id, request_id, active, expires_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(r.Kind), r.Signature, r.PoolID, r.RequestID, r.Active, unix(r.ExpiresAt), data)
}

func (s *Store) GetOAuthRecord(ctx context.Context, kind storage.OAuthKind, signature string) (*storage.OAuthRecord, error) {
	var data string
	var active bool
	err := s.reader(ctx).QueryRowContext(ctx,
		`SELECT data, active FROM oauth_records WHERE kind = ? AND signature = ?`, string(kind), signature).Scan(&data, &active)
	if err != nil {
		return nil, mapErr("get oauth record", err)
	}
	r := new(storage.OAuthRecord)
	if err := json.Unmarshal([]byte(data), r); err != nil {
		return nil, fmt.Errorf("sqlstore: get oauth record: decode: %w", err)
	}
	r.Active = active // the column is the truth: deactivation updates only it
	return r, nil
}

func (s *Store) DeleteOAuthRecord(ctx context.Context, kind storage.OAuthKind, signature string) error {
	return s.exec(ctx, "delete oauth record", `DELETE FROM oauth_records WHERE kind = ? AND signature = ?`, string(kind), signature)
}

func (s *Store) DeactivateOAuthRecord(ctx context.Context, kind storage.OAuthKind, signature string) error {
	res, err := s.writer(ctx).ExecContext(ctx,
		`UPDATE oauth_records SET active = 0 WHERE kind = ? AND signature = ? AND active = 1`, string(kind), signature)
	if err != nil {
		return mapErr("deactivate oauth record", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.GetOAuthRecord(ctx, kind, signature); err != nil {
			return err
		}
		return fmt.Errorf("sqlstore: deactivate oauth record: %w", storage.ErrConflict)
	}
	return nil
}

func (s *Store) DeactivateOAuthRequest(ctx context.Context, kind storage.OAuthKind, requestID string) error {
	return s.exec(ctx, "deactivate oauth request",
		`UPDATE oauth_records SET active = 0 WHERE kind = ? AND request_id = ?`, string(kind), requestID)
}

// ---- token families ----

func (s *Store) CreateFamily(ctx context.Context, f *storage.Family) error {
	data, err := encode(f)
	if err != nil {
		return err
	}
	return s.exec(ctx, "create family",
		`INSERT INTO families (pool_id, id, sub, revoked_at, data) VALUES (?, ?, ?, ?, ?)`, f.PoolID, f.ID, f.Sub, unix(f.RevokedAt), data)
}

func (s *Store) GetFamily(ctx context.Context, poolID, id string) (*storage.Family, error) {
	var data string
	var revoked int64
	err := s.reader(ctx).QueryRowContext(ctx,
		`SELECT data, revoked_at FROM families WHERE pool_id = ? AND id = ?`, poolID, id).Scan(&data, &revoked)
	if err != nil {
		return nil, mapErr("get family", err)
	}
	f := new(storage.Family)
	if err := json.Unmarshal([]byte(data), f); err != nil {
		return nil, fmt.Errorf("sqlstore: get family: decode: %w", err)
	}
	if revoked != 0 {
		f.RevokedAt = time.Unix(0, revoked).UTC()
	}
	return f, nil
}

func (s *Store) RevokeFamily(ctx context.Context, poolID, id string, at time.Time) error {
	return s.execOne(ctx, "revoke family",
		`UPDATE families SET revoked_at = ? WHERE pool_id = ? AND id = ? AND revoked_at = 0`, unix(at), poolID, id)
}

func (s *Store) RevokeUserFamilies(ctx context.Context, poolID, sub string, at time.Time) error {
	return s.exec(ctx, "revoke user families",
		`UPDATE families SET revoked_at = ? WHERE pool_id = ? AND sub = ? AND revoked_at = 0`, unix(at), poolID, sub)
}

// ---- auth events ----

func (s *Store) CreateAuthEvent(ctx context.Context, e *storage.AuthEvent) error {
	data, err := encode(e)
	if err != nil {
		return err
	}
	return s.exec(ctx, "create auth event",
		`INSERT INTO auth_events (pool_id, id, sub, created_at, data) VALUES (?, ?, ?, ?, ?)`, e.PoolID, e.ID, e.Sub, unix(e.CreatedAt), data)
}

func (s *Store) ListAuthEvents(ctx context.Context, poolID, sub string, limit int) ([]*storage.AuthEvent, error) {
	return listDocs[storage.AuthEvent](ctx, s, "list auth events",
		`SELECT data FROM auth_events WHERE pool_id = ? AND sub = ? ORDER BY created_at DESC, id LIMIT ?`, poolID, sub, limitOf(limit))
}

// ---- identity providers ----

// CreateIdentityProvider stores p and claims its identifiers, at once.
func (s *Store) CreateIdentityProvider(ctx context.Context, p *storage.IdentityProvider) error {
	data, err := encode(p)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.exec(ctx, "create identity provider",
			`INSERT INTO identity_providers (pool_id, name, data) VALUES (?, ?, ?)`, p.PoolID, p.Name, data); err != nil {
			return err
		}
		return s.claimIdentifiers(ctx, p)
	})
}

func (s *Store) claimIdentifiers(ctx context.Context, p *storage.IdentityProvider) error {
	for _, id := range p.IdpIdentifiers {
		if err := s.exec(ctx, "claim idp identifier",
			`INSERT INTO idp_identifiers (pool_id, identifier, name) VALUES (?, ?, ?)`, p.PoolID, id, p.Name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) GetIdentityProvider(ctx context.Context, poolID, name string) (*storage.IdentityProvider, error) {
	return getDoc[storage.IdentityProvider](ctx, s, "get identity provider",
		`SELECT data FROM identity_providers WHERE pool_id = ? AND name = ?`, poolID, name)
}

func (s *Store) GetIdentityProviderByIdentifier(ctx context.Context, poolID, identifier string) (*storage.IdentityProvider, error) {
	return getDoc[storage.IdentityProvider](ctx, s, "get identity provider by identifier",
		`SELECT p.data FROM identity_providers p JOIN idp_identifiers i ON i.pool_id = p.pool_id AND i.name = p.name
		 WHERE i.pool_id = ? AND i.identifier = ?`, poolID, identifier)
}

func (s *Store) ListIdentityProviders(ctx context.Context, poolID, after string, limit int) ([]*storage.IdentityProvider, error) {
	return listDocs[storage.IdentityProvider](ctx, s, "list identity providers",
		`SELECT data FROM identity_providers WHERE pool_id = ? AND name > ? ORDER BY name LIMIT ?`, poolID, after, limitOf(limit))
}

// UpdateIdentityProvider replaces the provider and its identifiers, at once.
func (s *Store) UpdateIdentityProvider(ctx context.Context, p *storage.IdentityProvider) error {
	data, err := encode(p)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.execOne(ctx, "update identity provider",
			`UPDATE identity_providers SET data = ? WHERE pool_id = ? AND name = ?`, data, p.PoolID, p.Name); err != nil {
			return err
		}
		if err := s.exec(ctx, "release idp identifiers",
			`DELETE FROM idp_identifiers WHERE pool_id = ? AND name = ?`, p.PoolID, p.Name); err != nil {
			return err
		}
		return s.claimIdentifiers(ctx, p)
	})
}

// DeleteIdentityProvider removes the provider and frees its identifiers.
func (s *Store) DeleteIdentityProvider(ctx context.Context, poolID, name string) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.execOne(ctx, "delete identity provider",
			`DELETE FROM identity_providers WHERE pool_id = ? AND name = ?`, poolID, name); err != nil {
			return err
		}
		return s.exec(ctx, "release idp identifiers",
			`DELETE FROM idp_identifiers WHERE pool_id = ? AND name = ?`, poolID, name)
	})
}

// ---- identity links ----

func (s *Store) CreateIdentityLink(ctx context.Context, l *storage.IdentityLink) error {
	data, err := encode(l)
	if err != nil {
		return err
	}
	return s.exec(ctx, "create identity link",
		`INSERT INTO identity_links (pool_id, provider_name, attr_name, attr_value, sub, data) VALUES (?, ?, ?, ?, ?, ?)`,
		l.PoolID, l.ProviderName, l.AttributeName, l.AttributeValue, l.Sub, data)
}

func (s *Store) GetIdentityLink(ctx context.Context, poolID, provider, attrName, attrValue string) (*storage.IdentityLink, error) {
	return getDoc[storage.IdentityLink](ctx, s, "get identity link",
		`SELECT data FROM identity_links WHERE pool_id = ? AND provider_name = ? AND attr_name = ? AND attr_value = ?`,
		poolID, provider, attrName, attrValue)
}

func (s *Store) ListIdentityLinkAttributes(ctx context.Context, poolID, provider string) ([]string, error) {
	rows, err := s.reader(ctx).QueryContext(ctx,
		`SELECT DISTINCT attr_name FROM identity_links WHERE pool_id = ? AND provider_name = ? ORDER BY attr_name`, poolID, provider)
	if err != nil {
		return nil, mapErr("list identity link attributes", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, mapErr("list identity link attributes", err)
		}
		out = append(out, name)
	}
	return out, mapErr("list identity link attributes", rows.Err())
}

func (s *Store) ListUserIdentityLinks(ctx context.Context, poolID, sub string) ([]*storage.IdentityLink, error) {
	return listDocs[storage.IdentityLink](ctx, s, "list user identity links",
		`SELECT data FROM identity_links WHERE pool_id = ? AND sub = ? ORDER BY provider_name, attr_name, attr_value`, poolID, sub)
}

func (s *Store) DeleteIdentityLink(ctx context.Context, poolID, provider, attrName, attrValue string) error {
	return s.execOne(ctx, "delete identity link",
		`DELETE FROM identity_links WHERE pool_id = ? AND provider_name = ? AND attr_name = ? AND attr_value = ?`,
		poolID, provider, attrName, attrValue)
}
