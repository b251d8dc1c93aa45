package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/server/directory"
	"github.com/gatehouse-id/gatehouse/server/storage"
)

// readExample returns the example file's text, and moves the test into
// its directory: the file names its branding files relative to itself, and
// a file parsed from memory reads them relative to the working directory.
func readExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Dir(examplePath))
	return string(b)
}

func TestApplyExampleTwice(t *testing.T) {
	e := newTestEnv(t)
	f, err := Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	first := mustApply(t, e, f, ApplyOptions{Users: true})
	// 1 pool, 1 resource server, 2 clients, 2 groups, 2 users.
	wantCounts(t, first, 8, 0, 0)
	before := e.dump(t)

	second := mustApply(t, e, f, ApplyOptions{Users: true})
	wantCounts(t, second, 0, 0, 8)
	if second.Changed() {
		t.Error("second apply reports a change")
	}
	if after := e.dump(t); after != before {
		t.Errorf("the second apply changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// Pinned ids are honoured; secrets are reported for the dev banner and
	// stay the same across applies.
	p := first.Pools[0]
	if p.ID != "us-east-1_Example01" || second.Pools[0].ID != p.ID {
		t.Errorf("pool id = %q, then %q", p.ID, second.Pools[0].ID)
	}
	web, worker := p.Clients[0], p.Clients[1]
	if web.ID != "demowebclient0000000000001" || worker.ID != "demoworkerclient00000000001" {
		t.Errorf("client ids = %q, %q", web.ID, worker.ID)
	}
	if len(web.Secret) != 51 || second.Pools[0].Clients[0].Secret != web.Secret {
		t.Errorf("generated secret = %q, then %q", web.Secret, second.Pools[0].Clients[0].Secret)
	}
	if worker.Secret != "demo_worker_secret_0123456789" {
		t.Errorf("pinned secret = %q", worker.Secret)
	}
	if strings.Contains(first.String()+slogText(first), web.Secret) {
		t.Error("the result's text shows a client secret")
	}

	// What was written is what the file says.
	ctx := t.Context()
	pool, err := e.dir.GetPool(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pool.Name != "example" || pool.PasswordPolicy.MinimumLength != 10 || pool.PasswordPolicy.RequireSymbols {
		t.Errorf("pool = %+v", pool)
	}
	if !slices.Equal(pool.AccountRecovery, []string{directory.RecoveryVerifiedEmail, directory.RecoveryVerifiedPhone}) {
		t.Errorf("account recovery = %v", pool.AccountRecovery)
	}
	if !slices.ContainsFunc(pool.Schema, func(a storage.SchemaAttribute) bool { return a.Name == "custom:tier" && a.MaxLength == "32" }) {
		t.Errorf("schema lacks custom:tier: %+v", pool.Schema)
	}
	c, err := e.dir.GetClient(ctx, p.ID, web.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !e.dir.VerifyClientSecret(c, web.Secret) {
		t.Error("the reported secret does not verify")
	}
	if tv := c.TokenValidity; tv.RefreshToken != 30 || tv.RefreshTokenUnit != "days" || tv.AccessToken != 1 || tv.AccessTokenUnit != "hours" {
		t.Errorf("token validity = %+v", tv)
	}
	if c.PreventUserExistenceErrors != "ENABLED" || !c.EnableTokenRevocation || !c.AllowedOAuthFlowsUserPoolClient {
		t.Errorf("client = %+v", c)
	}
	alice, err := e.dir.FindUser(ctx, pool, "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.dir.CheckPassword(alice, "Alice-Passw0rd"); !ok || alice.Status != storage.StatusConfirmed {
		t.Errorf("alice: password ok %v, status %s", ok, alice.Status)
	}
	if alice.Attributes["custom:tier"] != "gold" || alice.Attributes["email"] != "alice@example.com" {
		t.Errorf("alice attributes = %v", alice.Attributes)
	}
	groups, _ := e.dir.GroupsForUser(ctx, p.ID, alice.Sub)
	if got := directory.GroupNames(groups); !slices.Equal(got, []string{"admins", "users"}) {
		t.Errorf("alice groups = %v", got)
	}
	bob, err := e.dir.FindUser(ctx, pool, "bob@example.com")
	if err != nil || bob.Status != storage.StatusForceChangePassword {
		t.Errorf("bob = %+v, %v", bob, err)
	}
}

func slogText(r Result) string { return r.LogValue().String() }

func TestApplyUpdatesInPlace(t *testing.T) {
	e := newTestEnv(t)
	src := readExample(t)
	first := mustApply(t, e, mustParse(t, src), ApplyOptions{})
	wantCounts(t, first, 6, 0, 0) // no users without ApplyOptions.Users
	ctx := t.Context()
	webID := first.Pools[0].Clients[0].ID
	old, _ := e.dir.GetClient(ctx, "", webID)
	oldPool, _ := e.dir.GetPool(ctx, first.Pools[0].ID)

	changed := strings.Replace(src, "https://app.example.com/callback", "https://app.example.com/auth/callback", 1)
	if changed == src {
		t.Fatal("the example has no callback to change")
	}
	res := mustApply(t, e, mustParse(t, changed), ApplyOptions{})
	wantCounts(t, res, 0, 1, 5)
	if got := res.Pools[0].Clients[0]; got.Action != Updated || got.ID != webID || got.Secret != first.Pools[0].Clients[0].Secret {
		t.Errorf("web client result = %+v", got)
	}
	c, _ := e.dir.GetClient(ctx, "", webID)
	if !slices.Contains(c.CallbackURLs, "https://app.example.com/auth/callback") || slices.Contains(c.CallbackURLs, "https://app.example.com/callback") {
		t.Errorf("callbacks = %v", c.CallbackURLs)
	}
	if !c.UpdatedAt.After(old.UpdatedAt) || !c.CreatedAt.Equal(old.CreatedAt) || !slices.Equal(c.SealedSecret, old.SealedSecret) {
		t.Errorf("updated client: created %v→%v, updated %v→%v", old.CreatedAt, c.CreatedAt, old.UpdatedAt, c.UpdatedAt)
	}
	if p, _ := e.dir.GetPool(ctx, first.Pools[0].ID); !p.UpdatedAt.Equal(oldPool.UpdatedAt) {
		t.Error("the pool's UpdatedAt moved though the pool did not change")
	}

	// A lifetime written another way (60m → 1h) is the same lifetime.
	same := strings.Replace(changed, "access_token_validity: 60m", "access_token_validity: 1h", 1)
	wantCounts(t, mustApply(t, e, mustParse(t, same), ApplyOptions{}), 0, 0, 6)

	// Pool settings, groups and resource servers update in place too.
	more := strings.NewReplacer(
		"minimum_length: 10", "minimum_length: 12",
		"description: Administrators", "description: The administrators",
		"scope_description: Place orders", "scope_description: Place and cancel orders",
	).Replace(same)
	wantCounts(t, mustApply(t, e, mustParse(t, more), ApplyOptions{}), 0, 3, 3)
	p, _ := e.dir.GetPool(ctx, first.Pools[0].ID)
	if p.PasswordPolicy.MinimumLength != 12 {
		t.Errorf("policy = %+v", p.PasswordPolicy)
	}
	g, _ := e.dir.GetGroup(ctx, p.ID, "admins")
	if g.Description != "The administrators" || g.Precedence == nil || *g.Precedence != 1 {
		t.Errorf("group = %+v", g)
	}
	wantCounts(t, mustApply(t, e, mustParse(t, more), ApplyOptions{}), 0, 0, 6)
}

func TestApplyFindsPoolsAndClientsByName(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	// A pool and client made through the API before the file named them.
	made, err := e.dir.CreatePool(ctx, &storage.Pool{Name: "shop"}, "")
	if err != nil {
		t.Fatal(err)
	}
	client := &storage.Client{PoolID: made.ID, Name: "web"}
	if _, err := e.dir.CreateClient(ctx, client, false); err != nil {
		t.Fatal(err)
	}
	src := `pools:
  - name: shop
    clients:
      - name: web
        explicit_auth_flows: [ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_CUSTOM_AUTH]
      - name: admin
`
	res := mustApply(t, e, mustParse(t, src), ApplyOptions{})
	if res.Pools[0].ID != made.ID || res.Pools[0].Action != Unchanged {
		t.Errorf("pool = %+v; want the existing %s unchanged", res.Pools[0], made.ID)
	}
	// The file is authoritative: the API's client lacked token revocation,
	// which a client the file declares has unless it says otherwise.
	if got := res.Pools[0].Clients; got[0].ID != client.ID || got[0].Action != Updated || got[1].Action != Created {
		t.Errorf("clients = %v", got)
	}
	if c, _ := e.dir.GetClient(ctx, made.ID, client.ID); !c.EnableTokenRevocation {
		t.Error("token revocation is off")
	}
	wantCounts(t, mustApply(t, e, mustParse(t, src), ApplyOptions{}), 0, 0, 3)

	// Two clients of one name: the file must say which.
	if _, err := e.dir.CreateClient(ctx, &storage.Client{PoolID: made.ID, Name: "web"}, false); err != nil {
		t.Fatal(err)
	}
	_, err = Apply(ctx, e.dir, mustParse(t, src), ApplyOptions{})
	if err == nil || !strings.Contains(err.Error(), `line 4: pools[0].clients[0]: 2 clients of pool `+made.ID+` are named "web"`) {
		t.Errorf("ambiguous client: %v", err)
	}
}

func TestApplyFailureWritesNothing(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	before := e.dump(t)

	// A user whose password the policy refuses, after everything else of
	// the pool was written. Parse would refuse it, so change it after.
	f := mustParse(t, readExample(t))
	f.Pools[0].Users[1].Password = "weak"
	_, err := Apply(ctx, e.dir, f, ApplyOptions{Users: true})
	var ce *Error
	if !errors.As(err, &ce) || !errors.Is(err, directory.ErrInvalidPassword) {
		t.Fatalf("Apply = %v; want an invalid password *Error", err)
	}
	if ce.Path != "pools[0].users[1]" || ce.Line == 0 {
		t.Errorf("error at %s line %d: %v", ce.Path, ce.Line, err)
	}
	if after := e.dump(t); after != before {
		t.Errorf("a failed apply wrote:\n%s", after)
	}

	// A pinned client id that another pool's client already holds: the
	// first pool of the file is rolled back with the second.
	other, err := e.dir.CreatePool(ctx, &storage.Pool{Name: "other"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.dir.CreateClientWithSecret(ctx, &storage.Client{PoolID: other.ID, Name: "taken", ID: "takenid"}, "abcdefghijklmnopqrstuvwxyz"); err != nil {
		t.Fatal(err)
	}
	before = e.dump(t)
	src := `pools:
  - name: first
    clients:
      - name: web
  - name: second
    clients:
      - name: web
        id: takenid
`
	_, err = Apply(ctx, e.dir, mustParse(t, src), ApplyOptions{})
	if err == nil || !strings.Contains(err.Error(), "line 8: pools[1].clients[0].id: client id takenid is taken by a client of pool "+other.ID) {
		t.Errorf("Apply = %v", err)
	}
	if after := e.dump(t); after != before {
		t.Errorf("a failed apply wrote:\n%s", after)
	}
}

func TestApplyPinnedPoolID(t *testing.T) {
	e := newTestEnv(t)
	src := "pools:\n  - name: pinned\n    id: eu-west-1_Pinned123\n"
	res := mustApply(t, e, mustParse(t, src), ApplyOptions{})
	if res.Pools[0].ID != "eu-west-1_Pinned123" {
		t.Fatalf("id = %s", res.Pools[0].ID)
	}
	// Renaming a pinned pool renames it; it is found by its id.
	res = mustApply(t, e, mustParse(t, strings.Replace(src, "name: pinned", "name: renamed", 1)), ApplyOptions{})
	if res.Pools[0].ID != "eu-west-1_Pinned123" || res.Pools[0].Action != Updated {
		t.Errorf("rename = %+v", res.Pools[0])
	}
	pools, _ := e.dir.ListPools(t.Context(), "", 0)
	if len(pools) != 1 || pools[0].Name != "renamed" {
		t.Errorf("pools = %v", pools)
	}
}

func TestApplyRefusesImmutableChanges(t *testing.T) {
	e := newTestEnv(t)
	src := "pools:\n  - name: demo\n    username_attributes: [email]\n    schema:\n      - name: tier\n"
	mustApply(t, e, mustParse(t, src), ApplyOptions{})
	tests := []struct{ name, src, want string }{
		{"username attributes", "pools:\n  - name: demo\n    username_attributes: [phone_number]\n    schema:\n      - name: tier\n",
			"line 3: pools[0].username_attributes: cannot change username_attributes"},
		{"case sensitivity", src + "    case_sensitive: true\n", "line 6: pools[0].case_sensitive: cannot change case_sensitive"},
		{"attribute type", "pools:\n  - name: demo\n    username_attributes: [email]\n    schema:\n      - name: tier\n        attribute_data_type: Number\n",
			"line 4: pools[0].schema: cannot change attribute custom:tier"},
		{"attribute removed", "pools:\n  - name: demo\n    username_attributes: [email]\n",
			"line 2: pools[0].schema: attribute custom:tier of existing pool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Apply(t.Context(), e.dir, mustParse(t, tt.src), ApplyOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Apply = %v; want %q", err, tt.want)
			}
		})
	}
	// Adding a custom attribute is allowed.
	res := mustApply(t, e, mustParse(t, src+"      - name: plan\n"), ApplyOptions{})
	if res.Pools[0].Action != Updated {
		t.Errorf("add attribute: %+v", res.Pools[0])
	}
	wantCounts(t, mustApply(t, e, mustParse(t, src+"      - name: plan\n"), ApplyOptions{}), 0, 0, 1)
}

func TestApplyUsersReconciled(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	src := `pools:
  - name: demo
    groups: [{name: a}, {name: b}]
    users:
      - username: carol
        password: First-Passw0rd
        attributes: {name: Carol}
        groups: [a]
`
	res := mustApply(t, e, mustParse(t, src), ApplyOptions{Users: true})
	wantCounts(t, res, 4, 0, 0)
	pool, _ := e.dir.GetPool(ctx, res.Pools[0].ID)

	// A new password in the file does not reset the user's; attributes and
	// groups follow the file.
	changed := strings.NewReplacer("First-Passw0rd", "Second-Passw0rd", "{name: Carol}", "{name: Carol C, family_name: C}", "groups: [a]", "groups: [b]").Replace(src)
	res = mustApply(t, e, mustParse(t, changed), ApplyOptions{Users: true})
	wantCounts(t, res, 0, 1, 3)
	carol, err := e.dir.FindUser(ctx, pool, "CAROL")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.dir.CheckPassword(carol, "First-Passw0rd"); !ok {
		t.Error("the password was reset")
	}
	if carol.Attributes["name"] != "Carol C" || carol.Attributes["family_name"] != "C" {
		t.Errorf("attributes = %v", carol.Attributes)
	}
	groups, _ := e.dir.GroupsForUser(ctx, pool.ID, carol.Sub)
	if got := directory.GroupNames(groups); !slices.Equal(got, []string{"b"}) {
		t.Errorf("groups = %v", got)
	}
	wantCounts(t, mustApply(t, e, mustParse(t, changed), ApplyOptions{Users: true}), 0, 0, 4)

	// A group the pool does not have.
	_, err = Apply(ctx, e.dir, mustParse(t, strings.Replace(changed, "groups: [b]", "groups: [b, c]", 1)), ApplyOptions{Users: true})
	if err == nil || !strings.Contains(err.Error(), `line 8: pools[0].users[0].groups[1]: group "c" does not exist`) {
		t.Errorf("Apply = %v", err)
	}
}

func TestApplyClientSecrets(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	apply := func(secretLine string) ClientResult {
		t.Helper()
		src := "pools:\n  - name: demo\n    clients:\n      - name: app\n" + secretLine
		return mustApply(t, e, mustParse(t, src), ApplyOptions{}).Pools[0].Clients[0]
	}
	generated := apply("        generate_secret: true\n")
	if generated.Action != Created || generated.Secret == "" {
		t.Fatalf("generated = %+v", generated)
	}
	if again := apply("        generate_secret: true\n"); again.Action != Unchanged || again.Secret != generated.Secret {
		t.Errorf("again = %+v", again)
	}
	pinned := apply("        secret: pinned_secret_0123456789abcdef\n")
	if pinned.Action != Updated || pinned.Secret != "pinned_secret_0123456789abcdef" || pinned.ID != generated.ID {
		t.Errorf("pinned = %+v", pinned)
	}
	c, _ := e.dir.GetClient(ctx, "", generated.ID)
	if !e.dir.VerifyClientSecret(c, "pinned_secret_0123456789abcdef") {
		t.Error("the pinned secret does not verify")
	}
	if kept := apply("        generate_secret: true\n"); kept.Action != Unchanged || kept.Secret != pinned.Secret {
		t.Errorf("generate_secret keeps an existing secret: %+v", kept)
	}
	if public := apply(""); public.Action != Updated || public.Secret != "" {
		t.Errorf("public = %+v", public)
	}
	c, _ = e.dir.GetClient(ctx, "", generated.ID)
	if len(c.SealedSecret) != 0 {
		t.Error("the secret was not removed")
	}
	if again := apply(""); again.Action != Unchanged {
		t.Errorf("again = %+v", again)
	}
}

func TestApplyScopesOfResourceServers(t *testing.T) {
	e := newTestEnv(t)
	src := `pools:
  - name: demo
    resource_servers:
      - identifier: api
        name: API
        scopes: [{scope_name: read, scope_description: Read}]
    clients:
      - name: m2m
        generate_secret: true
        allowed_oauth_flows: [client_credentials]
        allowed_oauth_scopes: [api/read]
        allowed_oauth_flows_user_pool_client: true
`
	wantCounts(t, mustApply(t, e, mustParse(t, src), ApplyOptions{}), 3, 0, 0)
	_, err := Apply(t.Context(), e.dir, mustParse(t, strings.Replace(src, "[api/read]", "[api/write]", 1)), ApplyOptions{})
	if err == nil || !strings.Contains(err.Error(), "line 8: pools[0].clients[0]: Invalid scope requested: api/write") {
		t.Errorf("Apply = %v", err)
	}
}
