package config

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Users applies the file's users; the server sets it in dev mode only.
	// Without it users are checked by Parse but not written.
	Users bool
}

// Action says what Apply did to one thing the file declares.
type Action string

// Actions.
const (
	Created   Action = "created"
	Updated   Action = "updated"
	Unchanged Action = "unchanged"
)

// Result reports what Apply did, for a log line and the dev banner.
type Result struct {
	Pools []PoolResult
}

// PoolResult is one pool and what it holds.
type PoolResult struct {
	Name   string
	ID     string
	Action Action

	ResourceServers   []Change
	IdentityProviders []Change
	Clients           []ClientResult
	Groups            []Change
	Users             []Change
}

// Change names a resource server (by identifier), identity provider,
// group or user and what
// Apply did to it.
type Change struct {
	Name   string
	Action Action
}

// ClientResult is one app client.
type ClientResult struct {
	Name   string
	ID     string
	Action Action
	// Secret is the plain client secret ("" for a public client), kept in
	// memory for the dev banner. It is left out of String and LogValue.
	Secret string `json:"-"`
}

// String leaves the secret out, so that printing a Result cannot leak it.
func (c ClientResult) String() string {
	return fmt.Sprintf("{%s %s %s}", c.Name, c.ID, c.Action)
}

// Counts adds up the actions of every pool, client, resource server, group
// and user.
func (r Result) Counts() (created, updated, unchanged int) {
	count := func(a Action) {
		switch a {
		case Created:
			created++
		case Updated:
			updated++
		case Unchanged:
			unchanged++
		}
	}
	for _, p := range r.Pools {
		count(p.Action)
		for _, c := range p.Clients {
			count(c.Action)
		}
		for _, list := range [][]Change{p.ResourceServers, p.IdentityProviders, p.Groups, p.Users} {
			for _, c := range list {
				count(c.Action)
			}
		}
	}
	return
}

// Changed reports whether Apply wrote anything.
func (r Result) Changed() bool {
	created, updated, _ := r.Counts()
	return created+updated > 0
}

// String is a one-line summary: "config: 5 created, 0 updated, 0 unchanged".
func (r Result) String() string {
	created, updated, unchanged := r.Counts()
	return fmt.Sprintf("config: %d created, %d updated, %d unchanged", created, updated, unchanged)
}

// LogValue logs the counts and each pool's id, never a client secret.
func (r Result) LogValue() slog.Value {
	created, updated, unchanged := r.Counts()
	attrs := []slog.Attr{slog.Int("created", created), slog.Int("updated", updated), slog.Int("unchanged", unchanged)}
	for _, p := range r.Pools {
		attrs = append(attrs, slog.String("pool."+p.Name, p.ID))
	}
	return slog.GroupValue(attrs...)
}

// Apply writes f into the directory in one store transaction: it creates
// what is missing and updates what differs, by natural key, and writes
// nothing when it fails. Applying the same file twice changes nothing the
// second time. Errors are *Error naming the line and the field.
func Apply(ctx context.Context, dir *directory.Directory, f *File, opts ApplyOptions) (Result, error) {
	if f == nil {
		return Result{}, errors.New("config: apply: no file")
	}
	var res Result
	err := dir.Store().InTx(ctx, func(ctx context.Context) error {
		res = Result{}
		a := &applier{dir: dir, f: f, opts: opts}
		for i := range f.Pools {
			pr, err := a.pool(ctx, i)
			if err != nil {
				return err
			}
			res.Pools = append(res.Pools, pr)
		}
		return nil
	})
	if err != nil {
		var ce *Error
		if !errors.As(err, &ce) {
			err = &Error{File: f.name, Msg: err.Error(), Err: err}
		}
		return Result{}, err
	}
	return res, nil
}

type applier struct {
	dir  *directory.Directory
	f    *File
	opts ApplyOptions
}

// fail reports a refusal of the directory or the store at path.
func (a *applier) fail(path string, err error) error {
	return a.f.errAt(path, err, "%s", strings.TrimSpace(err.Error()))
}

func (a *applier) pool(ctx context.Context, i int) (PoolResult, error) {
	fp := &a.f.Pools[i]
	path := fmt.Sprintf("pools[%d]", i)
	want := fp.storagePool()
	if err := directory.NormalizePool(want); err != nil {
		return PoolResult{}, a.fail(path, err)
	}
	existing, err := a.findPool(ctx, fp)
	if err != nil {
		return PoolResult{}, a.fail(path, err)
	}
	res := PoolResult{Name: fp.Name, Action: Unchanged}
	var pool *storage.Pool
	if existing == nil {
		if pool, err = a.dir.CreatePool(ctx, fp.storagePool(), ""); err != nil {
			return PoolResult{}, a.fail(path, err)
		}
		res.Action = Created
	} else {
		if pool, res.Action, err = a.updatePool(ctx, path, existing, want); err != nil {
			return PoolResult{}, err
		}
	}
	res.ID = pool.ID

	for j := range fp.ResourceServers {
		c, err := a.resourceServer(ctx, fmt.Sprintf("%s.resource_servers[%d]", path, j), pool.ID, &fp.ResourceServers[j])
		if err != nil {
			return PoolResult{}, err
		}
		res.ResourceServers = append(res.ResourceServers, c)
	}
	for j := range fp.IdentityProviders {
		c, err := a.identityProvider(ctx, fmt.Sprintf("%s.identity_providers[%d]", path, j), pool.ID, &fp.IdentityProviders[j])
		if err != nil {
			return PoolResult{}, err
		}
		res.IdentityProviders = append(res.IdentityProviders, c)
	}
	for j := range fp.Clients {
		c, err := a.client(ctx, fmt.Sprintf("%s.clients[%d]", path, j), pool.ID, &fp.Clients[j])
		if err != nil {
			return PoolResult{}, err
		}
		res.Clients = append(res.Clients, c)
	}
	for j := range fp.Groups {
		c, err := a.group(ctx, fmt.Sprintf("%s.groups[%d]", path, j), pool.ID, &fp.Groups[j])
		if err != nil {
			return PoolResult{}, err
		}
		res.Groups = append(res.Groups, c)
	}
	if a.opts.Users {
		for j := range fp.Users {
			c, err := a.user(ctx, fmt.Sprintf("%s.users[%d]", path, j), pool, &fp.Users[j])
			if err != nil {
				return PoolResult{}, err
			}
			res.Users = append(res.Users, c)
		}
	}
	return res, nil
}

// findPool finds the file's pool by its pinned id, else by name; nil when
// there is none yet.
func (a *applier) findPool(ctx context.Context, fp *Pool) (*storage.Pool, error) {
	if fp.ID != "" {
		p, err := a.dir.GetPool(ctx, fp.ID)
		if errors.Is(err, directory.ErrResourceNotFound) {
			return nil, nil
		}
		return p, err
	}
	var found []*storage.Pool
	after := ""
	for {
		page, err := a.dir.ListPools(ctx, after, 100)
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			if p.Name == fp.Name {
				found = append(found, p)
			}
		}
		if len(page) < 100 {
			break
		}
		after = page[len(page)-1].ID
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, p := range found {
		ids[i] = p.ID
	}
	return nil, fmt.Errorf("%d pools are named %q (%s); pin the one to manage with id", len(found), fp.Name, strings.Join(ids, ", "))
}

// updatePool brings an existing pool to the file's settings. What Cognito
// makes immutable must match; custom attributes may be added.
func (a *applier) updatePool(ctx context.Context, path string, existing, want *storage.Pool) (*storage.Pool, Action, error) {
	immutable := func(field string, same bool) error {
		if same {
			return nil
		}
		return a.f.errAt(path+"."+field, nil, "cannot change %s of existing pool %s: Cognito fixes it when the pool is made", field, existing.ID)
	}
	if err := immutable("username_attributes", slices.Equal(existing.UsernameAttributes, want.UsernameAttributes)); err != nil {
		return nil, "", err
	}
	if err := immutable("alias_attributes", slices.Equal(existing.AliasAttributes, want.AliasAttributes)); err != nil {
		return nil, "", err
	}
	if err := immutable("case_sensitive", existing.CaseSensitive == want.CaseSensitive); err != nil {
		return nil, "", err
	}
	action := Unchanged
	stored := map[string]storage.SchemaAttribute{}
	for _, attr := range existing.Schema {
		stored[attr.Name] = attr
	}
	var added []storage.SchemaAttribute
	for _, attr := range want.Schema {
		old, ok := stored[attr.Name]
		switch {
		case !ok:
			added = append(added, attr)
		case old != attr:
			return nil, "", a.f.errAt(path+".schema", nil, "cannot change attribute %s of existing pool %s: Cognito fixes attributes when they are made", attr.Name, existing.ID)
		}
		delete(stored, attr.Name)
	}
	if len(stored) > 0 {
		name := slices.Sorted(maps.Keys(stored))[0]
		return nil, "", a.f.errAt(path+".schema", nil, "attribute %s of existing pool %s is missing from the file: Cognito cannot remove attributes", name, existing.ID)
	}
	if len(added) > 0 {
		if err := a.dir.AddCustomAttributes(ctx, existing.ID, added); err != nil {
			return nil, "", a.fail(path+".schema", err)
		}
		action = Updated
		var err error
		if existing, err = a.dir.GetPool(ctx, existing.ID); err != nil {
			return nil, "", a.fail(path, err)
		}
	}
	same := existing.Name == want.Name &&
		slices.Equal(existing.AutoVerifiedAttributes, want.AutoVerifiedAttributes) &&
		existing.PasswordPolicy == want.PasswordPolicy &&
		existing.MfaConfiguration == want.MfaConfiguration &&
		existing.DeletionProtection == want.DeletionProtection &&
		existing.AllowAdminCreateUserOnly == want.AllowAdminCreateUserOnly &&
		slices.Equal(existing.AccountRecovery, want.AccountRecovery) &&
		maps.Equal(existing.Messages, want.Messages) &&
		directory.SameBranding(existing.Branding, want.Branding)
	if same {
		return existing, action, nil
	}
	next := *existing
	next.Name = want.Name
	next.AutoVerifiedAttributes = want.AutoVerifiedAttributes
	next.PasswordPolicy = want.PasswordPolicy
	next.MfaConfiguration = want.MfaConfiguration
	next.DeletionProtection = want.DeletionProtection
	next.AllowAdminCreateUserOnly = want.AllowAdminCreateUserOnly
	next.AccountRecovery = want.AccountRecovery
	next.Branding = authoritative(want.Branding)
	next.Messages = want.Messages
	if err := a.dir.UpdatePool(ctx, &next); err != nil {
		return nil, "", a.fail(path, err)
	}
	return &next, Updated, nil
}

func (a *applier) resourceServer(ctx context.Context, path, poolID string, frs *ResourceServer) (Change, error) {
	want := &storage.ResourceServer{PoolID: poolID, Identifier: frs.Identifier, Name: frs.Name}
	for _, s := range frs.Scopes {
		want.Scopes = append(want.Scopes, storage.ResourceScope{Name: s.ScopeName, Description: s.ScopeDescription})
	}
	res := Change{Name: frs.Identifier, Action: Unchanged}
	existing, err := a.dir.Store().GetResourceServer(ctx, poolID, frs.Identifier)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		if err := a.dir.CreateResourceServer(ctx, want); err != nil {
			return Change{}, a.fail(path, err)
		}
		res.Action = Created
	case err != nil:
		return Change{}, a.fail(path, err)
	case existing.Name != want.Name || !slices.Equal(existing.Scopes, want.Scopes):
		if err := a.dir.UpdateResourceServer(ctx, want); err != nil {
			return Change{}, a.fail(path, err)
		}
		res.Action = Updated
	}
	return res, nil
}

// identityProvider creates or updates a provider by name. The file is
// authoritative for its details, mapping and identifiers; its type cannot
// change, as in Cognito.
func (a *applier) identityProvider(ctx context.Context, path, poolID string, fp *IdentityProvider) (Change, error) {
	in := directory.IdentityProviderInput{PoolID: poolID, Name: fp.Name, Type: fp.Type, Details: fp.ProviderDetails,
		AttributeMapping: fp.AttributeMapping, IdpIdentifiers: fp.IdpIdentifiers}
	if in.IdpIdentifiers == nil {
		in.IdpIdentifiers = []string{}
	}
	if in.AttributeMapping == nil {
		in.AttributeMapping = map[string]string{}
	}
	res := Change{Name: fp.Name, Action: Unchanged}
	existing, err := a.dir.IdentityProvider(ctx, poolID, fp.Name)
	switch {
	case errors.Is(err, directory.ErrResourceNotFound):
		if _, err := a.dir.CreateIdentityProvider(ctx, in); err != nil {
			return Change{}, a.fail(providerPath(path, err), err)
		}
		res.Action = Created
	case err != nil:
		return Change{}, a.fail(path, err)
	case existing.Type != fp.Type:
		return Change{}, a.f.errAt(path+".type", nil, "the identity provider %s is of type %s; a type cannot change (delete the provider first)", fp.Name, existing.Type)
	case !maps.Equal(existing.Details, fp.ProviderDetails) ||
		!maps.Equal(existing.AttributeMapping, directory.WithDefaultMapping(fp.Type, fp.AttributeMapping)) ||
		!slices.Equal(existing.IdpIdentifiers, fp.IdpIdentifiers):
		if _, err := a.dir.UpdateIdentityProvider(ctx, in); err != nil {
			return Change{}, a.fail(providerPath(path, err), err)
		}
		res.Action = Updated
	}
	return res, nil
}

// providerPath points a provider's error at the field it is about.
func providerPath(path string, err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "ProviderDetails"):
		// federation.ConfigError: "invalid ProviderDetails <key>: <reason>".
		if _, rest, ok := strings.Cut(msg, "invalid ProviderDetails "); ok {
			if key, _, ok := strings.Cut(rest, ":"); ok && !strings.ContainsAny(key, " .[]") {
				return path + ".provider_details." + key
			}
		}
		return path + ".provider_details"
	case strings.Contains(msg, "AttributeMapping"):
		return path + ".attribute_mapping"
	case strings.Contains(msg, "identifier") || strings.Contains(msg, "IdpIdentifier"):
		return path + ".idp_identifiers"
	}
	return path
}

func (a *applier) group(ctx context.Context, path, poolID string, fg *Group) (Change, error) {
	want := &storage.Group{PoolID: poolID, Name: fg.Name, Description: fg.Description, RoleArn: fg.RoleArn, Precedence: fg.Precedence}
	res := Change{Name: fg.Name, Action: Unchanged}
	existing, err := a.dir.GetGroup(ctx, poolID, fg.Name)
	switch {
	case errors.Is(err, directory.ErrResourceNotFound):
		if err := a.dir.CreateGroup(ctx, want); err != nil {
			return Change{}, a.fail(path, err)
		}
		res.Action = Created
	case err != nil:
		return Change{}, a.fail(path, err)
	case existing.Description != want.Description || existing.RoleArn != want.RoleArn ||
		!equalPtr(existing.Precedence, want.Precedence):
		if err := a.dir.UpdateGroup(ctx, want); err != nil {
			return Change{}, a.fail(path, err)
		}
		res.Action = Updated
	}
	return res, nil
}

func equalPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// findClient finds the file's client by its pinned id, else by name in the
// pool; nil when there is none yet.
func (a *applier) findClient(ctx context.Context, poolID string, fc *Client) (*storage.Client, error) {
	if fc.ID != "" {
		c, err := a.dir.GetClient(ctx, "", fc.ID)
		switch {
		case errors.Is(err, directory.ErrResourceNotFound):
			return nil, nil
		case err != nil:
			return nil, err
		case c.PoolID != poolID:
			return nil, fmt.Errorf("client id %s is taken by a client of pool %s", fc.ID, c.PoolID)
		}
		return c, nil
	}
	var found []*storage.Client
	after := ""
	for {
		page, err := a.dir.ListClients(ctx, poolID, after, 100)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			if c.Name == fc.Name {
				found = append(found, c)
			}
		}
		if len(page) < 100 {
			break
		}
		after = page[len(page)-1].ID
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, c := range found {
		ids[i] = c.ID
	}
	return nil, fmt.Errorf("%d clients of pool %s are named %q (%s); pin the one to manage with id", len(found), poolID, fc.Name, strings.Join(ids, ", "))
}

func (a *applier) client(ctx context.Context, path, poolID string, fc *Client) (ClientResult, error) {
	existing, err := a.findClient(ctx, poolID, fc)
	if err != nil {
		if fc.ID != "" {
			path += ".id"
		}
		return ClientResult{}, a.fail(path, err)
	}
	if existing == nil {
		c := fc.storageClient(poolID)
		var secret string
		switch {
		case fc.Secret != "":
			secret = fc.Secret
			err = a.dir.CreateClientWithSecret(ctx, c, secret)
		default:
			secret, err = a.dir.CreateClient(ctx, c, fc.GenerateSecret)
		}
		if err != nil {
			return ClientResult{}, a.fail(path, err)
		}
		return ClientResult{Name: c.Name, ID: c.ID, Action: Created, Secret: secret}, nil
	}

	current, err := a.dir.ClientSecret(existing)
	if err != nil {
		return ClientResult{}, a.fail(path, err)
	}
	secret := "" // what the file wants
	switch {
	case fc.Secret != "":
		secret = fc.Secret
	case fc.GenerateSecret && current != "":
		secret = current
	case fc.GenerateSecret:
		secret = directory.NewClientSecret()
	}

	next := fc.storageClient(poolID)
	next.ID = existing.ID
	if err := directory.NormalizeClient(next, secret != ""); err != nil {
		return ClientResult{}, a.fail(path, err)
	}
	keepUnits(&next.TokenValidity, existing)
	res := ClientResult{Name: fc.Name, ID: existing.ID, Action: Unchanged, Secret: secret}
	update := !sameClient(next, existing)
	next.Branding = authoritative(next.Branding)
	// Adding a secret goes first and removing one last, so that a client
	// that gains or loses client_credentials is valid at every step.
	if secret != current && secret != "" {
		if err := a.dir.SetClientSecret(ctx, poolID, existing.ID, secret); err != nil {
			return ClientResult{}, a.fail(path, err)
		}
		res.Action = Updated
	}
	if update {
		if err := a.dir.UpdateClient(ctx, next); err != nil {
			return ClientResult{}, a.fail(path, err)
		}
		res.Action = Updated
	}
	if secret != current && secret == "" {
		if err := a.dir.SetClientSecret(ctx, poolID, existing.ID, ""); err != nil {
			return ClientResult{}, a.fail(path, err)
		}
		res.Action = Updated
	}
	return res, nil
}

// keepUnits keeps the stored way of writing a lifetime (60 minutes) when
// the file means the same one (1h), so that no update is made for it.
func keepUnits(tv *storage.TokenValidity, existing *storage.Client) {
	want := &storage.Client{TokenValidity: *tv}
	wa, wi, wr, err1 := directory.Lifetimes(want)
	ea, ei, er, err2 := directory.Lifetimes(existing)
	if err1 != nil || err2 != nil {
		return
	}
	old := existing.TokenValidity
	if wa == ea {
		tv.AccessToken, tv.AccessTokenUnit = old.AccessToken, old.AccessTokenUnit
	}
	if wi == ei {
		tv.IDToken, tv.IDTokenUnit = old.IDToken, old.IDTokenUnit
	}
	if wr == er {
		tv.RefreshToken, tv.RefreshTokenUnit = old.RefreshToken, old.RefreshTokenUnit
	}
}

// sameClient compares the settings the file declares.
func sameClient(a, b *storage.Client) bool {
	return a.Name == b.Name &&
		slices.Equal(a.CallbackURLs, b.CallbackURLs) &&
		slices.Equal(a.LogoutURLs, b.LogoutURLs) &&
		a.DefaultRedirectURI == b.DefaultRedirectURI &&
		slices.Equal(a.AllowedOAuthFlows, b.AllowedOAuthFlows) &&
		slices.Equal(a.AllowedOAuthScopes, b.AllowedOAuthScopes) &&
		a.AllowedOAuthFlowsUserPoolClient == b.AllowedOAuthFlowsUserPoolClient &&
		slices.Equal(a.SupportedIdentityProviders, b.SupportedIdentityProviders) &&
		slices.Equal(a.ExplicitAuthFlows, b.ExplicitAuthFlows) &&
		slices.Equal(a.ReadAttributes, b.ReadAttributes) &&
		slices.Equal(a.WriteAttributes, b.WriteAttributes) &&
		a.TokenValidity == b.TokenValidity &&
		a.PreventUserExistenceErrors == b.PreventUserExistenceErrors &&
		a.EnableTokenRevocation == b.EnableTokenRevocation &&
		a.AuthSessionValidity == b.AuthSessionValidity &&
		a.RefreshTokenRotation == b.RefreshTokenRotation &&
		a.RotationGracePeriodSeconds == b.RotationGracePeriodSeconds &&
		directory.SameBranding(a.Branding, b.Branding)
}

// authoritative is the branding an update writes: the file's, or, when
// the file has none, an empty one, which removes a stored branding (an
// update without one keeps it, as the API's full replaces need).
func authoritative(b *storage.Branding) *storage.Branding {
	if b == nil {
		return &storage.Branding{}
	}
	return b
}

// user creates a missing user with the file's password, or brings an
// existing one's declared attributes and group membership to the file's,
// leaving their password and status alone.
func (a *applier) user(ctx context.Context, path string, pool *storage.Pool, fu *User) (Change, error) {
	res := Change{Name: fu.Username, Action: Unchanged}
	u, err := a.dir.FindUser(ctx, pool, fu.Username)
	switch {
	case errors.Is(err, directory.ErrUserNotFound):
		u, err = a.dir.CreateUser(ctx, pool, directory.NewUser{
			Username: fu.Username, Attributes: maps.Clone(fu.Attributes), Password: fu.Password, Temporary: fu.Temporary,
		})
		if err != nil {
			return Change{}, a.fail(path, err)
		}
		res.Action = Created
	case err != nil:
		return Change{}, a.fail(path, err)
	default:
		changes := map[string]string{}
		for name, value := range fu.Attributes {
			if u.Attributes[name] != value {
				changes[name] = value
			}
		}
		if len(changes) > 0 {
			if err := a.dir.UpdateAttributes(pool, u, changes); err != nil {
				return Change{}, a.fail(path+".attributes", err)
			}
			if err := a.dir.SaveUser(ctx, pool, u); err != nil {
				return Change{}, a.fail(path+".attributes", err)
			}
			res.Action = Updated
		}
	}

	groups, err := a.dir.GroupsForUser(ctx, pool.ID, u.Sub)
	if err != nil {
		return Change{}, a.fail(path, err)
	}
	member := directory.GroupNames(groups)
	for i, g := range fu.Groups {
		if slices.Contains(member, g) {
			continue
		}
		if err := a.dir.AddUserToGroup(ctx, pool.ID, g, u.Sub); err != nil {
			gp := fmt.Sprintf("%s.groups[%d]", path, i)
			if errors.Is(err, directory.ErrResourceNotFound) {
				return Change{}, a.f.errAt(gp, err, "group %q does not exist in pool %s; declare it under groups", g, pool.ID)
			}
			return Change{}, a.fail(gp, err)
		}
		if res.Action == Unchanged {
			res.Action = Updated
		}
	}
	for _, g := range member {
		if slices.Contains(fu.Groups, g) {
			continue
		}
		if err := a.dir.Store().RemoveUserFromGroup(ctx, pool.ID, g, u.Sub); err != nil {
			return Change{}, a.fail(path+".groups", err)
		}
		if res.Action == Unchanged {
			res.Action = Updated
		}
	}
	return res, nil
}
