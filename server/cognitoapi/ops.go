package cognitoapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/auth"
	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
	"github.com/gatehouse-id/gatehouse/server/tokens"
)

// registerOperations registers every operation New serves: one line per
// family of operations, each family in its own file (ops_pools.go,
// ops_users.go, …) as a function that calls register for each of its
// operations, e.g.
//
//	func registerPoolOps(a *API, svc *service) {
//		register(a, "CreateUserPool", AuthSigV4, svc.createUserPool)
//		register(a, "DescribeUserPool", AuthSigV4, svc.describeUserPool)
//	}
func registerOperations(a *API, svc *service) {
	registerPoolOps(a, svc)
	registerClientOps(a, svc)
	registerDomainOps(a, svc)
	registerResourceServerOps(a, svc)
	registerGroupOps(a, svc)
	registerUserOps(a, svc)
	registerAuthOps(a, svc)
	registerSelfOps(a, svc)
	registerTokenOps(a, svc)
	registerSignUpOps(a, svc)
	registerIdentityProviderOps(a, svc)
}

// service holds what the operations drive. Its methods are the operations,
// one file per family; each takes its typed input and returns its typed
// output or an error, domain errors left as they are for errmap.go.
type service struct {
	dir     *directory.Directory
	engine  *auth.Engine
	minter  *tokens.Minter
	account string
	region  string
	// publicHost is Config.PublicHost.
	publicHost string
	log        *slog.Logger
}

func newService(cfg Config, log *slog.Logger) *service {
	s := &service{dir: cfg.Dir, engine: cfg.Engine, minter: cfg.Minter, account: cfg.AccountID, region: cfg.Region,
		publicHost: cfg.PublicHost, log: log}
	if s.account == "" {
		s.account = "000000000000"
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	return s
}

// ---- input validation, in Cognito's words ----

// validation collects the constraint violations of one input and answers
// them as Cognito does: "1 validation error detected: Value null at
// 'username' failed to satisfy constraint: Member must not be null", the
// messages of several joined with "; ".
type validation struct{ msgs []string }

// required notes a missing (empty) member; member is Cognito's lower-camel
// member name ("userPoolId").
func (v *validation) required(member, value string) {
	if value == "" {
		v.msgs = append(v.msgs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", member))
	}
}

// enum notes a value outside allowed; an empty value is left to required.
func (v *validation) enum(member, value string, allowed ...string) {
	if value != "" && !slices.Contains(allowed, value) {
		v.msgs = append(v.msgs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
			clip(value), member, strings.Join(allowed, ", ")))
	}
}

// poolID notes a pool id of the wrong shape.
func (v *validation) poolID(member, value string) {
	if value != "" && !directory.ValidPoolID(value) {
		v.msgs = append(v.msgs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+",
			clip(value), member))
	}
}

// check notes a failed constraint in Cognito's words.
func (v *validation) check(ok bool, member, value, constraint string) {
	if !ok {
		v.msgs = append(v.msgs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", clip(value), member, constraint))
	}
}

// limit checks an optional page size against lo..hi and returns it, or def
// when it is absent. The message names the bound crossed, as AWS's do.
func (v *validation) limit(member string, p *int, lo, hi, def int) int {
	if p == nil {
		return def
	}
	switch {
	case *p < lo:
		v.msgs = append(v.msgs, fmt.Sprintf("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", *p, member, lo))
	case *p > hi:
		v.msgs = append(v.msgs, fmt.Sprintf("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", *p, member, hi))
	default:
		return *p
	}
	return def
}

func (v *validation) err() error {
	switch len(v.msgs) {
	case 0:
		return nil
	case 1:
		return InvalidParameter("1 validation error detected: " + v.msgs[0])
	}
	return InvalidParameter(fmt.Sprintf("%d validation errors detected: %s", len(v.msgs), strings.Join(v.msgs, "; ")))
}

// ---- lookups shared by the families ----

// pool returns the pool named by an input's UserPoolId, already checked
// for presence and shape.
func (s *service) pool(ctx context.Context, id string) (*storage.Pool, error) {
	return s.dir.GetPool(ctx, id)
}

// user finds a user of the pool by what an admin names them with: the
// username, or an email or phone number the pool takes in its place.
func (s *service) user(ctx context.Context, pool *storage.Pool, username string) (*storage.User, error) {
	return s.dir.FindUser(ctx, pool, username)
}

// saveUser applies change to a fresh copy of the user and stores it,
// retrying when a concurrent change won (storage.ErrConflict).
func (s *service) saveUser(ctx context.Context, pool *storage.Pool, u *storage.User, change func(*storage.User) error) error {
	for attempt := 0; ; attempt++ {
		if err := change(u); err != nil {
			return err
		}
		err := s.dir.SaveUser(ctx, pool, u)
		if !errors.Is(err, storage.ErrConflict) || attempt == 2 {
			return err
		}
		if u, err = s.dir.GetUserBySub(ctx, pool.ID, u.Sub); err != nil {
			return err
		}
	}
}

// arn is a pool's ARN; the region is the pool id's, as in AWS.
func (s *service) arn(poolID string) string {
	region, _, _ := strings.Cut(poolID, "_")
	return "arn:aws:cognito-idp:" + region + ":" + s.account + ":userpool/" + poolID
}

// ---- shared shapes ----

// attributeType is Cognito's AttributeType.
type attributeType struct {
	Name  string
	Value *string `json:",omitempty"`
}

// attributeList returns a user's attributes with sub first, then by name,
// as Cognito lists them.
func attributeList(attrs map[string]string) []attributeType {
	names := slices.Sorted(maps.Keys(attrs))
	out := make([]attributeType, 0, len(names))
	if v, ok := attrs["sub"]; ok {
		out = append(out, attributeType{Name: "sub", Value: &v})
	}
	for _, n := range names {
		if n == "sub" {
			continue
		}
		v := attrs[n]
		out = append(out, attributeType{Name: n, Value: &v})
	}
	return out
}

// attributeMap turns an input's attribute list into a map; a name given
// twice is an error, as in Cognito.
func attributeMap(member string, list []attributeType) (map[string]string, error) {
	out := make(map[string]string, len(list))
	for _, a := range list {
		if a.Name == "" {
			return nil, InvalidParameter(fmt.Sprintf("1 validation error detected: Value null at '%s.member.name' failed to satisfy constraint: Member must not be null", member))
		}
		if _, dup := out[a.Name]; dup {
			return nil, InvalidParameter("Duplicate attribute name " + clip(a.Name) + ".")
		}
		out[a.Name] = deref(a.Value)
	}
	return out, nil
}

// userType is Cognito's UserType (AdminCreateUser, ListUsers).
type userType struct {
	Username             string
	Attributes           []attributeType
	UserCreateDate       Timestamp `json:",omitzero"`
	UserLastModifiedDate Timestamp `json:",omitzero"`
	Enabled              bool
	UserStatus           string
}

func newUserType(u *storage.User) *userType {
	return &userType{
		Username:             u.Username,
		Attributes:           attributeList(u.Attributes),
		UserCreateDate:       Timestamp(u.CreatedAt),
		UserLastModifiedDate: Timestamp(u.UpdatedAt),
		Enabled:              u.Enabled,
		UserStatus:           u.Status,
	}
}

// ---- pagination ----

// Page tokens are opaque to callers, as Cognito's are: the id to list
// after, base64url-encoded.

func nextToken(after string) *string {
	t := base64.RawURLEncoding.EncodeToString([]byte(after))
	return &t
}

func readToken(token *string) (string, error) {
	if token == nil || *token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*token)
	if err != nil || len(b) == 0 {
		return "", InvalidParameter("Invalid pagination token.")
	}
	return string(b), nil
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
