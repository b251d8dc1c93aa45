package directory

import (
	"bytes"
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/server/storage"
)

func TestValidateRedirectURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{url: "https://app.example.com/callback", ok: true},
		{url: "https://app.example.com:8443/cb?x=1", ok: true},
		{url: "http://localhost/cb", ok: true},
		{url: "http://localhost:3000/cb", ok: true},
		{url: "http://127.0.0.1:8080/cb", ok: true},
		{url: "http://127.1.2.3/cb", ok: true},
		{url: "http://[::1]:8080/cb", ok: true},
		{url: "com.example.app:/oauth2redirect", ok: true},
		{url: "myapp://callback", ok: true},
		{url: "http://app.example.com/cb"},
		{url: "HTTP://app.example.com/cb"},
		{url: "http://localhost.evil.example/cb"},
		{url: "http://127.0.0.1.nip.io/cb"},
		{url: "http://10.0.0.1/cb"},
		{url: "http:/cb"},
		{url: "https://app.example.com/cb#frag"},
		{url: "https://app.example.com/cb#"},
		{url: "myapp://callback#x"},
		{url: "https:///cb"},
		{url: "https:opaque"},
		{url: "javascript:alert(1)"},
		{url: "JavaScript:alert(1)"},
		{url: "data:text/html,hi"},
		{url: "file:///etc/passwd"},
		{url: "vbscript:msgbox"},
		{url: "/relative/cb"},
		{url: "//app.example.com/cb"},
		{url: "app.example.com/cb"},
		{url: ""},
		{url: "https://app.example.com/" + strings.Repeat("a", 1024)},
		{url: "https://app.example.com/%zz"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := ValidateRedirectURL(tt.url)
			if tt.ok {
				wantKind(t, err, 0)
			} else {
				wantKind(t, err, KindInvalidParameter)
			}
		})
	}
}

func TestNormalizeClientDefaults(t *testing.T) {
	c := &storage.Client{Name: "app"}
	if err := NormalizeClient(c, false); err != nil {
		t.Fatal(err)
	}
	if c.TokenValidity != DefaultTokenValidity {
		t.Errorf("token validity %+v", c.TokenValidity)
	}
	if c.AuthSessionValidity != 3 || c.PreventUserExistenceErrors != "LEGACY" {
		t.Errorf("session %d, prevent %q", c.AuthSessionValidity, c.PreventUserExistenceErrors)
	}
	if !slices.Equal(c.ExplicitAuthFlows, defaultAuthFlows) {
		t.Errorf("flows %v", c.ExplicitAuthFlows)
	}
	access, id, refresh, err := Lifetimes(c)
	if err != nil || access != time.Hour || id != time.Hour || refresh != 30*24*time.Hour {
		t.Errorf("lifetimes %v %v %v %v", access, id, refresh, err)
	}
	// A partly given validity keeps its values and fills the rest.
	c = &storage.Client{TokenValidity: storage.TokenValidity{AccessToken: 2, AccessTokenUnit: "hours"}}
	if err := NormalizeClient(c, false); err != nil {
		t.Fatal(err)
	}
	want := storage.TokenValidity{AccessToken: 2, AccessTokenUnit: "hours", IDToken: 60, IDTokenUnit: "minutes", RefreshToken: 30, RefreshTokenUnit: "days"}
	if c.TokenValidity != want {
		t.Errorf("partial validity %+v", c.TokenValidity)
	}
	// A value without a unit takes the default unit.
	c = &storage.Client{TokenValidity: storage.TokenValidity{RefreshToken: 10}}
	if err := NormalizeClient(c, false); err != nil || c.TokenValidity.RefreshTokenUnit != "days" {
		t.Errorf("refresh without unit: %+v, %v", c.TokenValidity, err)
	}
}

func TestNormalizeClient(t *testing.T) {
	tv := func(access int64, aUnit string, id int64, iUnit string, refresh int64, rUnit string) storage.TokenValidity {
		return storage.TokenValidity{AccessToken: access, AccessTokenUnit: aUnit, IDToken: id, IDTokenUnit: iUnit, RefreshToken: refresh, RefreshTokenUnit: rUnit}
	}
	oauth := func(flows, scopes []string, cb ...string) func(*storage.Client) {
		return func(c *storage.Client) {
			c.AllowedOAuthFlowsUserPoolClient = true
			c.AllowedOAuthFlows, c.AllowedOAuthScopes, c.CallbackURLs = flows, scopes, cb
		}
	}
	tests := []struct {
		name      string
		edit      func(*storage.Client)
		hasSecret bool
		kind      Kind
	}{
		{name: "defaults", edit: func(c *storage.Client) {}},
		{name: "access 5 minutes", edit: func(c *storage.Client) { c.TokenValidity = tv(5, "minutes", 5, "minutes", 1, "hours") }},
		{name: "access 299 seconds", edit: func(c *storage.Client) { c.TokenValidity = tv(299, "seconds", 1, "hours", 1, "hours") }, kind: KindInvalidParameter},
		{name: "access 1 day", edit: func(c *storage.Client) { c.TokenValidity = tv(1, "days", 1, "hours", 2, "days") }},
		{name: "access 25 hours", edit: func(c *storage.Client) { c.TokenValidity = tv(25, "hours", 1, "hours", 2, "days") }, kind: KindInvalidParameter},
		{name: "id 4 minutes", edit: func(c *storage.Client) { c.TokenValidity = tv(1, "hours", 4, "minutes", 1, "days") }, kind: KindInvalidParameter},
		{name: "id 1441 minutes", edit: func(c *storage.Client) { c.TokenValidity = tv(1, "hours", 1441, "minutes", 2, "days") }, kind: KindInvalidParameter},
		{name: "refresh 1 hour", edit: func(c *storage.Client) { c.TokenValidity = tv(1, "hours", 1, "hours", 1, "hours") }},
		{name: "refresh 59 minutes", edit: func(c *storage.Client) { c.TokenValidity = tv(5, "minutes", 5, "minutes", 59, "minutes") }, kind: KindInvalidParameter},
		{name: "refresh 3650 days", edit: func(c *storage.Client) { c.TokenValidity = tv(1, "hours", 1, "hours", 3650, "days") }},
		{name: "refresh 3651 days", edit: func(c *storage.Client) { c.TokenValidity = tv(1, "hours", 1, "hours", 3651, "days") }, kind: KindInvalidParameter},
		{name: "refresh shorter than access", edit: func(c *storage.Client) { c.TokenValidity = tv(1, "days", 1, "hours", 2, "hours") }, kind: KindInvalidParameter},
		// 213505 days overflow time.Duration and wrap to about one day.
		{name: "refresh overflowing days", edit: func(c *storage.Client) { c.TokenValidity = tv(1, "hours", 1, "hours", 213505, "days") }, kind: KindInvalidParameter},
		{name: "negative access", edit: func(c *storage.Client) { c.TokenValidity = tv(-60, "minutes", 1, "hours", 1, "days") }, kind: KindInvalidParameter},
		{name: "unknown unit", edit: func(c *storage.Client) { c.TokenValidity = tv(1, "weeks", 1, "hours", 1, "days") }, kind: KindInvalidParameter},
		{name: "auth session 15", edit: func(c *storage.Client) { c.AuthSessionValidity = 15 }},
		{name: "auth session 16", edit: func(c *storage.Client) { c.AuthSessionValidity = 16 }, kind: KindInvalidParameter},
		{name: "auth session 2", edit: func(c *storage.Client) { c.AuthSessionValidity = 2 }, kind: KindInvalidParameter},
		{name: "prevent user existence errors ENABLED", edit: func(c *storage.Client) { c.PreventUserExistenceErrors = "ENABLED" }},
		{name: "prevent user existence errors bad", edit: func(c *storage.Client) { c.PreventUserExistenceErrors = "ON" }, kind: KindInvalidParameter},
		{name: "explicit flows", edit: func(c *storage.Client) {
			c.ExplicitAuthFlows = []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
		}},
		{name: "unknown explicit flow", edit: func(c *storage.Client) { c.ExplicitAuthFlows = []string{"ALLOW_MAGIC"} }, kind: KindInvalidParameter},
		{name: "legacy explicit flows", edit: func(c *storage.Client) {
			c.ExplicitAuthFlows = []string{"ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH", "CUSTOM_AUTH_FLOW_ONLY"}
		}},
		{name: "legacy and ALLOW_ flows mixed", edit: func(c *storage.Client) {
			c.ExplicitAuthFlows = []string{"USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
		}, kind: KindInvalidParameter},
		{name: "code flow", edit: oauth([]string{"code"}, []string{"openid", "email"}, "https://app.example.com/cb")},
		{name: "implicit flow", edit: oauth([]string{"implicit"}, []string{"openid"}, "https://app.example.com/cb")},
		{name: "code flow without callback", edit: oauth([]string{"code"}, []string{"openid"}), kind: KindInvalidParameter},
		{name: "oauth without flows", edit: oauth(nil, []string{"openid"}, "https://app.example.com/cb"), kind: KindInvalidOAuthFlow},
		{name: "oauth without scopes", edit: oauth([]string{"code"}, nil, "https://app.example.com/cb"), kind: KindInvalidOAuthFlow},
		{name: "unknown oauth flow", edit: oauth([]string{"password"}, []string{"openid"}, "https://app.example.com/cb"), kind: KindInvalidOAuthFlow},
		{name: "bad callback", edit: oauth([]string{"code"}, []string{"openid"}, "http://app.example.com/cb"), kind: KindInvalidParameter},
		{name: "bad logout url", edit: func(c *storage.Client) { c.LogoutURLs = []string{"javascript:alert(1)"} }, kind: KindInvalidParameter},
		{name: "default redirect among callbacks", edit: func(c *storage.Client) {
			c.CallbackURLs, c.DefaultRedirectURI = []string{"https://a.example/cb"}, "https://a.example/cb"
		}},
		{name: "default redirect not a callback", edit: func(c *storage.Client) {
			c.CallbackURLs, c.DefaultRedirectURI = []string{"https://a.example/cb"}, "https://b.example/cb"
		}, kind: KindInvalidParameter},
		{name: "client_credentials with secret and custom scope", hasSecret: true, edit: oauth([]string{"client_credentials"}, []string{"api/read"})},
		{name: "client_credentials without secret", edit: oauth([]string{"client_credentials"}, []string{"api/read"}), kind: KindInvalidOAuthFlow},
		{name: "client_credentials with openid", hasSecret: true, edit: oauth([]string{"client_credentials"}, []string{"api/read", "openid"}), kind: KindInvalidOAuthFlow},
		{name: "client_credentials with code", hasSecret: true, edit: oauth([]string{"client_credentials", "code"}, []string{"api/read"}, "https://a.example/cb"), kind: KindInvalidOAuthFlow},
		{name: "scope with a space", edit: oauth([]string{"code"}, []string{"open id"}, "https://a.example/cb"), kind: KindScopeDoesNotExist},
		{name: "scope with a quote", edit: oauth([]string{"code"}, []string{`a"b`}, "https://a.example/cb"), kind: KindScopeDoesNotExist},
		{name: "read and write attributes", edit: func(c *storage.Client) {
			c.ReadAttributes = []string{"email", "email_verified", "custom:tenant"}
			c.WriteAttributes = []string{"name"}
		}},
		{name: "unknown read attribute", edit: func(c *storage.Client) { c.ReadAttributes = []string{"password"} }, kind: KindInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &storage.Client{Name: "app"}
			tt.edit(c)
			wantKind(t, NormalizeClient(c, tt.hasSecret), tt.kind)
		})
	}
}

func TestCreateClient(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil)
	wantKind(t, td.CreateResourceServer(ctx, &storage.ResourceServer{PoolID: p.ID, Identifier: "api", Name: "API",
		Scopes: []storage.ResourceScope{{Name: "read"}}}), 0)

	tests := []struct {
		name   string
		client storage.Client
		secret bool
		kind   Kind
	}{
		{name: "public", client: storage.Client{Name: "spa"}},
		{name: "confidential", client: storage.Client{Name: "web"}, secret: true},
		{name: "no name", client: storage.Client{}, kind: KindInvalidParameter},
		{name: "other pool", client: storage.Client{PoolID: "us-east-1_Missing00", Name: "x"}, kind: KindResourceNotFound},
		{name: "custom scope", secret: true, client: storage.Client{Name: "m2m", AllowedOAuthFlowsUserPoolClient: true,
			AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"api/read"}}},
		{name: "unknown custom scope", secret: true, client: storage.Client{Name: "m2m", AllowedOAuthFlowsUserPoolClient: true,
			AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"api/write"}}, kind: KindScopeDoesNotExist},
		{name: "client_credentials on a public client", client: storage.Client{Name: "m2m", AllowedOAuthFlowsUserPoolClient: true,
			AllowedOAuthFlows: []string{"client_credentials"}, AllowedOAuthScopes: []string{"api/read"}}, kind: KindInvalidOAuthFlow},
		{name: "upstream provider", client: storage.Client{Name: "x", SupportedIdentityProviders: []string{"Google"}}, kind: KindInvalidParameter},
		{name: "bad pinned id", client: storage.Client{ID: "bad id!", Name: "x"}, kind: KindInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.client
			if c.PoolID == "" {
				c.PoolID = p.ID
			}
			plain, err := td.CreateClient(ctx, &c, tt.secret)
			wantKind(t, err, tt.kind)
			if err != nil {
				return
			}
			if !ValidClientID(c.ID) || len(c.ID) != 26 {
				t.Errorf("client id %q", c.ID)
			}
			if tt.secret != (plain != "") || tt.secret != (len(c.SealedSecret) > 0) {
				t.Errorf("secret %q, sealed %d bytes", plain, len(c.SealedSecret))
			}
			got, err := td.GetClient(ctx, p.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if td.VerifyClientSecret(got, "") {
				t.Error("empty secret verified")
			}
			if tt.secret && !td.VerifyClientSecret(got, plain) {
				t.Error("the secret does not verify")
			}
		})
	}
}

func TestClientSecretSealed(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil)
	c := &storage.Client{PoolID: p.ID, Name: "web"}
	plain, err := td.CreateClient(ctx, c, true)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(c.SealedSecret, []byte(plain)) {
		t.Fatal("sealed secret holds the plain secret")
	}

	// The stored row holds no plain secret.
	db, err := sql.Open("sqlite", "file:"+td.path+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var row string
	if err := db.QueryRowContext(ctx, `SELECT data FROM clients WHERE id = ?`, c.ID).Scan(&row); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(row, plain) {
		t.Fatalf("stored row holds the plain secret: %s", row)
	}

	stored, err := td.GetClient(ctx, p.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := td.ClientSecret(stored); err != nil || s != plain {
		t.Fatalf("ClientSecret = %q, %v", s, err)
	}
	tests := []struct {
		name      string
		presented string
		ok        bool
	}{
		{name: "right", presented: plain, ok: true},
		{name: "empty", presented: ""},
		{name: "prefix", presented: plain[:len(plain)-1]},
		{name: "longer", presented: plain + "x"},
		{name: "other case", presented: strings.ToUpper(plain)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := td.VerifyClientSecret(stored, tt.presented); got != tt.ok {
				t.Fatalf("VerifyClientSecret = %v", got)
			}
		})
	}

	// The sealed secret is bound to its client: moved to another row, it
	// does not open.
	other := &storage.Client{PoolID: p.ID, Name: "other"}
	if _, err := td.CreateClient(ctx, other, false); err != nil {
		t.Fatal(err)
	}
	other.SealedSecret = stored.SealedSecret
	if td.VerifyClientSecret(other, plain) {
		t.Fatal("a secret sealed for another client verified")
	}
	if _, err := td.ClientSecret(other); err == nil {
		t.Fatal("a secret sealed for another client opened")
	}
}

func TestClientSecretLifecycle(t *testing.T) {
	td := newTestDir(t)
	ctx := context.Background()
	p := td.pool(t, nil)
	const chosen = "abcdefghijklmnopqrstuvwx_+"
	c := &storage.Client{PoolID: p.ID, Name: "rp", ID: "pinnedclient"}
	wantKind(t, td.CreateClientWithSecret(ctx, &storage.Client{PoolID: p.ID, Name: "rp"}, "short"), KindInvalidParameter)
	wantKind(t, td.CreateClientWithSecret(ctx, c, chosen), 0)
	if c.ID != "pinnedclient" {
		t.Fatalf("pinned id became %q", c.ID)
	}
	wantKind(t, td.CreateClientWithSecret(ctx, &storage.Client{PoolID: p.ID, Name: "again", ID: "pinnedclient"}, chosen), KindInvalidParameter)
	got, _ := td.GetClient(ctx, p.ID, c.ID)
	if !td.VerifyClientSecret(got, chosen) {
		t.Fatal("chosen secret does not verify")
	}

	// UpdateClient keeps the secret and the creation time.
	td.now = td.now.Add(time.Hour)
	upd := &storage.Client{PoolID: p.ID, ID: c.ID, CallbackURLs: []string{"https://rp.example/cb"}}
	wantKind(t, td.UpdateClient(ctx, upd), 0)
	got, _ = td.GetClient(ctx, p.ID, c.ID)
	if got.Name != "rp" || !td.VerifyClientSecret(got, chosen) || !got.CreatedAt.Equal(c.CreatedAt) || !got.UpdatedAt.Equal(td.now) {
		t.Fatalf("after update: %+v", got)
	}

	// Replace the secret, then remove it.
	const next = "ZYXWVUTSRQPONMLKJIHGFEDCBA"
	wantKind(t, td.SetClientSecret(ctx, p.ID, c.ID, next), 0)
	got, _ = td.GetClient(ctx, p.ID, c.ID)
	if td.VerifyClientSecret(got, chosen) || !td.VerifyClientSecret(got, next) {
		t.Fatal("replaced secret")
	}
	wantKind(t, td.SetClientSecret(ctx, p.ID, c.ID, ""), 0)
	got, _ = td.GetClient(ctx, p.ID, c.ID)
	if len(got.SealedSecret) != 0 || td.VerifyClientSecret(got, next) || td.VerifyClientSecret(got, "") {
		t.Fatal("removed secret still verifies")
	}

	// A client is found only in its own pool.
	p2 := td.pool(t, nil)
	_, err := td.GetClient(ctx, p2.ID, c.ID)
	wantKind(t, err, KindResourceNotFound)
	wantKind(t, td.UpdateClient(ctx, &storage.Client{PoolID: p2.ID, ID: c.ID}), KindResourceNotFound)
	wantKind(t, td.DeleteClient(ctx, p.ID, c.ID), 0)
	_, err = td.GetClient(ctx, "", c.ID)
	wantKind(t, err, KindResourceNotFound)
}
